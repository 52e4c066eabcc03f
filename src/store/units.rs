//! The unit tables: `unit` (one row per translation unit: fingerprint, origin, dates,
//! metadata JSON), `variant` (one row per language of a unit: tag, stored text, markup,
//! metadata JSON) and their reads and writes. An import adds units through an
//! [`Importer`] inside one write transaction that also feeds the matching index
//! ([`super::index`]) and the import log.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::{file_size, schema_version, side_files, stored_tag, Memory, Stats};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::{LangRange, LangTag};
use crate::unit::{Extra, Unit, UnitMeta, Variant};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Units read from the files.
    pub read: u64,
    /// Units added to the memory.
    pub added: u64,
    /// Units skipped because the memory already held them (or the files held them twice).
    pub duplicates: u64,
    /// Rows skipped because they had text in fewer than two languages.
    pub incomplete: u64,
    /// Bilingual (XLIFF) segments skipped because they were not translated (no target,
    /// or a state that says the target is not done).
    pub untranslated: u64,
    /// Bilingual segments skipped because a reviewer rejected them.
    pub rejected: u64,
    /// Bilingual segments skipped because their target was empty.
    pub empty: u64,
    /// Languages of the added units, with their variant counts.
    pub languages: BTreeMap<String, u64>,
}

impl Memory {
    /// Run an import: `fill` receives an [`Importer`] and adds units to it. Everything it
    /// adds is one transaction: if `fill` returns an error, nothing is written.
    ///
    /// ```
    /// use concord::{lang::LangTag, store::Memory, unit::{Unit, Variant}};
    ///
    /// let mut mem = Memory::open_in_memory().unwrap();
    /// let en = LangTag::parse("en").unwrap();
    /// let ko = LangTag::parse("ko").unwrap();
    /// let unit = Unit::new(vec![Variant::new(en, "Good morning."), Variant::new(ko, "안녕하십니까.")]);
    /// let report = mem.import(&["example"], |imp| {
    ///     imp.add(unit.clone())?;
    ///     imp.add(unit.clone())?; // a duplicate: skipped
    ///     Ok(())
    /// }).unwrap();
    /// assert_eq!((report.added, report.duplicates), (1, 1));
    ///
    /// // A failing import leaves the memory as it was.
    /// let failed = mem.import(&["broken"], |imp| {
    ///     imp.add(Unit::new(vec![
    ///         Variant::new(LangTag::parse("en").unwrap(), "Hello"),
    ///         Variant::new(LangTag::parse("zh").unwrap(), "你好"),
    ///     ]))?;
    ///     Err(concord::Error::bad_request("the file broke half-way"))
    /// });
    /// assert!(failed.is_err());
    /// assert_eq!(mem.stats().unwrap().units, 1);
    /// ```
    pub fn import<F>(&mut self, files: &[&str], fill: F) -> Result<ImportReport>
    where
        F: FnOnce(&mut Importer<'_>) -> Result<()>,
    {
        let keys = self.shares_keys();
        let (db, on_disk) = (self.path.clone(), self.writes_keys);
        let held = self.keys.borrow().clone();
        self.write_with_keys(|tx| {
            // The key file as the import begins, which the import's keys extend.
            let base = if keys {
                super::index::key_base(tx, &db, held)?
            } else {
                None
            };
            let report = {
                let mut importer = Importer::new(tx)?;
                fill(&mut importer)?;
                importer.finish()?
            };
            super::log_import(tx, files, report.added, report.duplicates)?;
            let mut pending = None;
            if report.added > 0 {
                super::index::bump_generation(tx)?;
                if keys {
                    pending = super::index::pending_keys(tx, &db, on_disk, base.as_ref())?;
                }
            }
            Ok((report, pending))
        })
    }

    /// Counts of units, languages and origins.
    pub fn stats(&self) -> Result<Stats> {
        let _read = self.read_tx()?;
        let units: i64 = self
            .conn
            .query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
        let mut languages = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT lang, count(*) FROM variant GROUP BY lang ORDER BY lang")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (l, n) = row?;
            languages.insert(l, n as u64);
        }
        let mut origins = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT coalesce(origin, ''), count(*) FROM unit GROUP BY 1 ORDER BY 1")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (o, n) = row?;
            origins.insert(o, n as u64);
        }
        let bytes = file_size(&self.path) + file_size(&side_files(&self.path)[0]);
        Ok(Stats {
            path: self.path.display().to_string(),
            schema_version: schema_version(),
            units: units as u64,
            languages,
            origins,
            bytes,
        })
    }

    /// The unit with this id.
    pub fn unit(&self, id: i64) -> Result<Option<Unit>> {
        let meta = self
            .conn
            .query_row(
                "SELECT origin, created, creator, changed, changer, source_lang, extra
                 FROM unit WHERE id = ?1",
                [id],
                meta_from_row,
            )
            .optional()?;
        let Some(meta) = meta else { return Ok(None) };
        let meta = meta?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT lang, text, markup, extra FROM variant WHERE unit_id = ?1 ORDER BY lang",
        )?;
        let variants = stmt
            .query_map([id], variant_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut unit = Unit {
            id: Some(id),
            variants: variants.into_iter().collect::<Result<Vec<_>>>()?,
            meta,
        };
        sort_variants(&mut unit.variants);
        Ok(Some(unit))
    }

    /// Visit every unit in id order, with only the variants whose language one of `langs`
    /// selects (all variants when `langs` is empty). Units left with fewer than
    /// `min_variants` variants are skipped.
    pub fn for_each_unit<F>(&self, langs: &[LangRange], min_variants: usize, mut f: F) -> Result<()>
    where
        F: FnMut(Unit) -> Result<()>,
    {
        let _read = self.read_tx()?;
        let mut units = self.conn.prepare(
            "SELECT id, origin, created, creator, changed, changer, source_lang, extra
             FROM unit ORDER BY id",
        )?;
        let mut vars = self.conn.prepare(
            "SELECT unit_id, lang, text, markup, extra FROM variant ORDER BY unit_id, lang",
        )?;
        let mut vrows = vars.query([])?;
        let mut pending: Option<(i64, Variant)> = None;
        let mut urows = units.query([])?;
        while let Some(row) = urows.next()? {
            let id: i64 = row.get(0)?;
            let meta = meta_from_row_at(row, 1)??;
            let mut variants = Vec::new();
            loop {
                if pending.is_none() {
                    match vrows.next()? {
                        Some(r) => {
                            let uid: i64 = r.get(0)?;
                            let v = variant_from_row_at(r, 1)??;
                            pending = Some((uid, v));
                        }
                        None => break,
                    }
                }
                let (uid, _) = pending.as_ref().expect("pending set above");
                if *uid < id {
                    pending = None;
                    continue;
                }
                if *uid > id {
                    break;
                }
                let (_, v) = pending.take().expect("pending set above");
                if langs.is_empty() || langs.iter().any(|r| r.matches(&v.lang)) {
                    variants.push(v);
                }
            }
            if variants.len() < min_variants.max(1) {
                continue;
            }
            sort_variants(&mut variants);
            f(Unit {
                id: Some(id),
                variants,
                meta,
            })?;
        }
        Ok(())
    }

    /// Visit the language tags of every unit in id order, without reading any text (for
    /// decisions about a whole export, such as a TMX header's `srclang`).
    pub fn for_each_unit_languages<F>(&self, mut f: F) -> Result<()>
    where
        F: FnMut(&[LangTag]) -> Result<()>,
    {
        let mut stmt = self
            .conn
            .prepare("SELECT unit_id, lang FROM variant ORDER BY unit_id")?;
        let mut rows = stmt.query([])?;
        let mut tags: std::collections::HashMap<String, LangTag> = Default::default();
        let mut current: Option<i64> = None;
        let mut langs: Vec<LangTag> = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if current != Some(id) {
                if current.is_some() {
                    f(&langs)?;
                }
                current = Some(id);
                langs.clear();
            }
            let lang = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let tag = match tags.get(lang) {
                Some(t) => t.clone(),
                None => {
                    let t = stored_tag(lang)?;
                    tags.insert(lang.to_string(), t.clone());
                    t
                }
            };
            langs.push(tag);
        }
        if current.is_some() {
            f(&langs)?;
        }
        Ok(())
    }

    /// The distinct language tags present in the memory, sorted.
    pub fn languages(&self) -> Result<Vec<LangTag>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT lang FROM variant ORDER BY lang")?;
        let tags = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tags.iter().map(|t| stored_tag(t)).collect()
    }

    /// Visit the unit id and text of every variant whose language `range` selects (for
    /// indexes built outside this module, such as the linter's 100% match lookup).
    pub fn for_each_text<F>(&self, range: &LangRange, mut f: F) -> Result<()>
    where
        F: FnMut(i64, &str),
    {
        let mut stmt = self
            .conn
            .prepare("SELECT unit_id, lang, text FROM variant ORDER BY unit_id")?;
        let mut rows = stmt.query([])?;
        let mut selected: std::collections::HashMap<String, bool> =
            std::collections::HashMap::new();
        while let Some(r) = rows.next()? {
            let lang: String = r.get(1)?;
            let on = match selected.get(&lang) {
                Some(&on) => on,
                None => {
                    let on = range.matches(&stored_tag(&lang)?);
                    selected.insert(lang, on);
                    on
                }
            };
            if on {
                let id: i64 = r.get(0)?;
                let text: String = r.get(2)?;
                f(id, &text);
            }
        }
        Ok(())
    }

    /// True when some unit has an origin or a note (TSV/CSV export then adds columns).
    pub fn has_unit_metadata(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM unit WHERE origin IS NOT NULL OR extra LIKE '%\"notes\"%')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Delete units by id, in one transaction: all or nothing, an id that is not in the
    /// memory is an error and deletes none. Returns how many were deleted.
    pub fn delete(&mut self, ids: &[i64]) -> Result<u64> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let path = self.path.clone();
        let keys = self.shares_keys();
        let on_disk = self.writes_keys;
        let n = self.write_with_keys(|tx| {
            let mut n = 0;
            {
                let mut exists = tx.prepare("SELECT 1 FROM unit WHERE id = ?1")?;
                let mut missing = Vec::new();
                for id in &ids {
                    if !exists.exists([id])? {
                        missing.push(id.to_string());
                    }
                }
                if !missing.is_empty() {
                    return Err(Error::new(
                        ErrorKind::MissingUnits,
                        format!(
                            "no unit {} in {}; nothing deleted",
                            missing.join(", "),
                            path.display()
                        ),
                    ));
                }
                let mut stmt = tx.prepare("DELETE FROM unit WHERE id = ?1")?;
                for id in &ids {
                    n += stmt.execute([id])? as u64;
                }
            }
            super::index::forget(tx, &ids)?;
            super::context::forget(tx, &ids)?;
            let mut pending = None;
            if n > 0 {
                super::index::bump_generation(tx)?;
                if keys {
                    pending = super::index::pending_keys(tx, &path, on_disk, None)?;
                }
            }
            Ok((n, pending))
        })?;
        Ok(n)
    }
}

/// Adds units inside an import transaction. Get one from [`Memory::import`].
pub struct Importer<'t> {
    tx: &'t Transaction<'t>,
    report: ImportReport,
    index: super::index::Builder,
    /// Fingerprints added by this import (duplicates within the files), with their ids.
    seen: std::collections::HashMap<[u8; 16], i64>,
    /// Where the import is in its file (the neighbours of units, for context matches).
    position: super::context::Position,
    /// False when the memory held no unit when the import began: then `seen` alone
    /// recognises duplicates and the database need not be asked (the import holds the
    /// write lock, so nobody else adds units meanwhile).
    had_units: bool,
}

impl<'t> Importer<'t> {
    fn new(tx: &'t Transaction<'t>) -> Result<Importer<'t>> {
        let had_units: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM unit)", [], |r| r.get(0))?;
        Ok(Importer {
            tx,
            report: ImportReport::default(),
            index: super::index::Builder::new(),
            seen: std::collections::HashMap::new(),
            position: super::context::Position::default(),
            had_units,
        })
    }

    /// Add one unit. Returns its new id, or `None` when the memory already holds it or
    /// when it has text in fewer than two languages (counted as `incomplete`).
    pub fn add(&mut self, mut unit: Unit) -> Result<Option<i64>> {
        self.report.read += 1;
        for v in &mut unit.variants {
            if !crate::text::is_stored_form(&v.text) {
                v.text = crate::text::stored_form(&v.text);
            }
        }
        unit.variants.retain(|v| !v.text.is_empty());
        sort_variants(&mut unit.variants);
        unit.variants.dedup_by(|a, b| a.lang == b.lang);
        if unit.variants.len() < 2 {
            self.report.incomplete += 1;
            self.position.gap(&unit.meta.origin);
            return Ok(None);
        }
        let fp = fingerprint(&unit.variants);
        let m = &unit.meta;
        let extra = (!m.extra.is_empty()).then(|| to_json(&m.extra));
        // Look before inserting: an ignored INSERT would still consume an AUTOINCREMENT id,
        // and ids must follow the file's order without gaps.
        let existing = match self.seen.get(&fp) {
            Some(&id) => Some(id),
            None if self.had_units => self
                .tx
                .prepare_cached("SELECT id FROM unit WHERE fingerprint = ?1")?
                .query_row([&fp[..]], |r| r.get::<_, i64>(0))
                .optional()?,
            None => None,
        };
        if let Some(id) = existing {
            self.report.duplicates += 1;
            // The unit is where the file has it, for context matches.
            self.position.record(self.tx, &m.origin, id)?;
            return Ok(None);
        }
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO unit
                 (fingerprint, origin, created, creator, changed, changer, source_lang, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                &fp[..],
                m.origin,
                m.created,
                m.creator,
                m.changed,
                m.changer,
                m.source_lang,
                extra
            ])?;
        if inserted == 0 {
            self.report.duplicates += 1;
            return Ok(None);
        }
        let id = self.tx.last_insert_rowid();
        self.seen.insert(fp, id);
        self.position.record(self.tx, &m.origin, id)?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO variant (unit_id, lang, text, markup, extra) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for v in &unit.variants {
            let extra = (!v.extra.is_empty()).then(|| to_json(&v.extra));
            stmt.execute(params![id, v.lang.as_str(), v.text, v.markup, extra])?;
            match self.report.languages.get_mut(v.lang.as_str()) {
                Some(n) => *n += 1,
                None => {
                    self.report.languages.insert(v.lang.as_str().to_string(), 1);
                }
            }
        }
        drop(stmt);
        for v in unit.variants {
            self.index.add(self.tx, id, v.lang, v.text)?;
        }
        self.report.added += 1;
        Ok(Some(id))
    }

    /// Count segments of a bilingual file that did not become units: `untranslated`,
    /// `rejected` and `empty` (see [`ImportReport`]).
    pub fn skipped(&mut self, untranslated: u64, rejected: u64, empty: u64) {
        self.report.untranslated += untranslated;
        self.report.rejected += rejected;
        self.report.empty += empty;
    }

    /// Units read so far (for progress bars).
    pub fn read(&self) -> u64 {
        self.report.read
    }

    fn finish(mut self) -> Result<ImportReport> {
        self.index.flush(self.tx)?;
        Ok(self.report)
    }
}

/// Variants are kept in a fixed order: en, ko, zh first, then the rest by tag.
fn sort_variants(vs: &mut [Variant]) {
    vs.sort_by(|a, b| a.lang.order_key().cmp(&b.lang.order_key()));
}

fn fingerprint(variants: &[Variant]) -> [u8; 16] {
    let mut pairs: Vec<(&str, &str)> = variants
        .iter()
        .map(|v| (v.lang.as_str(), v.text.as_str()))
        .collect();
    pairs.sort();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (l, t) in pairs {
        h.update(l.as_bytes());
        h.update(&[0]);
        h.update(t.as_bytes());
        h.update(&[0]);
    }
    h.digest128().to_le_bytes()
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("metadata serializes")
}

fn from_json(s: Option<String>) -> Result<Extra> {
    match s {
        None => Ok(Extra::default()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| Error::corrupt(format!("unit metadata {s:?}: {e}"))),
    }
}

/// A unit's metadata from a row (columns from `o`). The outer result is SQLite's, the
/// inner one says whether the stored `extra` JSON is readable: corrupt metadata is an
/// error, never silently dropped.
fn meta_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<UnitMeta>> {
    meta_from_row_at(r, 0)
}

fn meta_from_row_at(r: &rusqlite::Row<'_>, o: usize) -> rusqlite::Result<Result<UnitMeta>> {
    let extra: Option<String> = r.get(o + 6)?;
    let meta = |extra| UnitMeta {
        origin: None,
        created: None,
        creator: None,
        changed: None,
        changer: None,
        source_lang: None,
        extra,
    };
    let mut m = match from_json(extra) {
        Ok(x) => meta(x),
        Err(e) => return Ok(Err(e)),
    };
    m.origin = r.get(o)?;
    m.created = r.get(o + 1)?;
    m.creator = r.get(o + 2)?;
    m.changed = r.get(o + 3)?;
    m.changer = r.get(o + 4)?;
    m.source_lang = r.get(o + 5)?;
    Ok(Ok(m))
}

fn variant_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Variant>> {
    variant_from_row_at(r, 0)
}

fn variant_from_row_at(r: &rusqlite::Row<'_>, o: usize) -> rusqlite::Result<Result<Variant>> {
    let lang: String = r.get(o)?;
    let text: String = r.get(o + 1)?;
    let markup: Option<String> = r.get(o + 2)?;
    let extra: Option<String> = r.get(o + 3)?;
    Ok((|| {
        Ok(Variant {
            lang: stored_tag(&lang)?,
            text,
            markup,
            extra: from_json(extra)?,
        })
    })())
}
