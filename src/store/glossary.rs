//! The glossary tables in the memory: all their SQL. The tables are created by migration
//! 1 → 2 in [`super::MIGRATIONS`]; the model types they are read into and written from
//! ([`Glossary`], [`Entry`]) belong to [`crate::glossary`], which holds no SQL.
//!
//! * `glossary_entry`: one row per concept, in import order (`id`), with the file's `id`
//!   column in `ext_id` (unique), note, domain, case flag, strict tags, properties (JSON)
//!   and where it came from.
//! * `glossary_term`: one row per variant (language, approved or forbidden, position),
//!   with its matching key, indexed by language and key.
//! * `glossary_column`: the columns the imported files declared, so that export writes
//!   them back.
//!
//! Import rules: an entry with an id replaces the stored entry with that id (counted as
//! updated, or unchanged when equal); an entry without id is added unless an equal entry
//! without id is stored already.

use rusqlite::{params, Connection, OptionalExtension};

use super::{stored_tag, Memory};
use crate::error::{Error, Location, Result};
use crate::glossary::{Column, Entry, Glossary, GlossaryImportReport};
use crate::text::match_key;

/// The SQL of the glossary tables, over a connection (or a transaction).
struct GlossaryTables<'c> {
    conn: &'c Connection,
}

impl<'c> GlossaryTables<'c> {
    fn new(conn: &'c Connection) -> GlossaryTables<'c> {
        GlossaryTables { conn }
    }

    fn count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM glossary_entry", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn add_columns(&self, g: &Glossary) -> Result<()> {
        let mut next: i64 = self.conn.query_row(
            "SELECT coalesce(max(pos), 0) + 1 FROM glossary_column",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO glossary_column (pos, name) VALUES (?1, ?2)")?;
        for c in g.columns() {
            if stmt.execute(params![next, c.name()])? > 0 {
                next += 1;
            }
        }
        Ok(())
    }

    fn put(
        &self,
        e: &Entry,
        loc: Option<&Location>,
        report: &mut GlossaryImportReport,
    ) -> Result<()> {
        report.read += 1;
        let fp = fingerprint(e);
        let existing: Option<(i64, Vec<u8>)> = match &e.id {
            Some(id) => self
                .conn
                .prepare_cached("SELECT id, fingerprint FROM glossary_entry WHERE ext_id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
            None => self
                .conn
                .prepare_cached(BY_FINGERPRINT)?
                .query_row([&fp[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
        };
        let strict = (!e.strict.is_empty()).then(|| {
            e.strict
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join("|")
        });
        let props = (!e.props.is_empty())
            .then(|| serde_json::to_string(&e.props).expect("props serialize"));
        let origin = loc.map(|l| l.path.display().to_string());
        let line = loc.and_then(|l| l.line).map(|l| l as i64);
        let row_id = match existing {
            Some((_, old)) if old == fp => {
                report.unchanged += 1;
                return Ok(());
            }
            Some((row, _)) => {
                self.conn
                    .prepare_cached(
                        "UPDATE glossary_entry SET fingerprint = ?2, note = ?3, domain = ?4,
                         case_sensitive = ?5, strict = ?6, props = ?7, origin = ?8, line = ?9
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        row,
                        &fp[..],
                        e.note,
                        e.domain,
                        e.case_sensitive,
                        strict,
                        props,
                        origin,
                        line
                    ])?;
                self.conn
                    .prepare_cached("DELETE FROM glossary_term WHERE entry_id = ?1")?
                    .execute([row])?;
                report.updated += 1;
                row
            }
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO glossary_entry
                         (ext_id, fingerprint, note, domain, case_sensitive, strict, props, origin, line)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        e.id,
                        &fp[..],
                        e.note,
                        e.domain,
                        e.case_sensitive,
                        strict,
                        props,
                        origin,
                        line
                    ])?;
                report.added += 1;
                self.conn.last_insert_rowid()
            }
        };
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO glossary_term (entry_id, lang, lang_pos, forbidden, pos, text, key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (lp, (tag, set)) in e.terms.iter().enumerate() {
            for (forbidden, list) in [(false, &set.approved), (true, &set.forbidden)] {
                for (pos, v) in list.iter().enumerate() {
                    stmt.execute(params![
                        row_id,
                        tag.as_str(),
                        lp as i64,
                        forbidden,
                        pos as i64,
                        v,
                        match_key(v)
                    ])?;
                }
            }
        }
        Ok(())
    }

    fn load(&self) -> Result<Glossary> {
        let mut g = Glossary::default();
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM glossary_column ORDER BY pos")?;
        for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let name = name?;
            let col = Column::from_name(&name)
                .map_err(|e| Error::corrupt(format!("glossary column {name:?}: {e}")))?;
            g.declare(col);
        }
        let mut stmt = self.conn.prepare(
            "SELECT id, ext_id, note, domain, case_sensitive, strict, props, origin, line
             FROM glossary_entry ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut ids = Vec::new();
        while let Some(r) = rows.next()? {
            let strict: Option<String> = r.get(5)?;
            let props: Option<String> = r.get(6)?;
            let origin: Option<String> = r.get(7)?;
            let line: Option<i64> = r.get(8)?;
            let e = Entry {
                id: r.get(1)?,
                terms: Vec::new(),
                note: r.get(2)?,
                domain: r.get(3)?,
                case_sensitive: r.get(4)?,
                strict: match strict {
                    None => Vec::new(),
                    Some(s) => s.split('|').map(tag).collect::<Result<_>>()?,
                },
                props: match props {
                    None => Vec::new(),
                    Some(p) => serde_json::from_str(&p)
                        .map_err(|e| Error::corrupt(format!("glossary properties: {e}")))?,
                },
            };
            let loc = origin.map(|o| match line {
                Some(l) => Location::line(o, l as u64),
                None => Location::file(o),
            });
            ids.push(r.get::<_, i64>(0)?);
            g.push(e, loc);
        }
        let mut stmt = self.conn.prepare(
            "SELECT entry_id, lang, forbidden, text FROM glossary_term
             ORDER BY entry_id, lang_pos, forbidden, pos",
        )?;
        let mut rows = stmt.query([])?;
        let mut i = 0;
        while let Some(r) = rows.next()? {
            let entry_id: i64 = r.get(0)?;
            while i < ids.len() && ids[i] < entry_id {
                i += 1;
            }
            if i == ids.len() || ids[i] != entry_id {
                continue;
            }
            let lang: String = r.get(1)?;
            let forbidden: bool = r.get(2)?;
            let text: String = r.get(3)?;
            let set = g.entries[i].term_set_mut(&tag(&lang)?);
            if forbidden {
                set.forbidden.push(text);
            } else {
                set.approved.push(text);
            }
        }
        Ok(g)
    }
}

/// An id-less entry by fingerprint. `+ext_id`: without the `+` SQLite searches the
/// UNIQUE index on `ext_id` for `IS NULL`, which every entry without an id matches, and
/// a glossary import turns quadratic (issue 13, finding 4: 8,000 entries took 11 s).
const BY_FINGERPRINT: &str = "SELECT id, fingerprint FROM glossary_entry
     WHERE fingerprint = ?1 AND +ext_id IS NULL LIMIT 1";

fn tag(s: &str) -> Result<crate::lang::LangTag> {
    stored_tag(s)
}

fn fingerprint(e: &Entry) -> [u8; 16] {
    let json = serde_json::to_string(e).expect("entries serialize");
    xxhash_rust::xxh3::xxh3_128(json.as_bytes()).to_le_bytes()
}

impl Memory {
    /// The glossary stored in the memory: entries in import order, with the columns the
    /// imported files declared and where each entry came from.
    pub fn glossary(&self) -> Result<Glossary> {
        let _read = self.read_tx()?;
        GlossaryTables::new(&self.conn).load()
    }

    /// Number of glossary entries in the memory.
    pub fn glossary_len(&self) -> Result<u64> {
        GlossaryTables::new(&self.conn).count()
    }

    /// Store the entries of `glossary` (read from `files`), in one transaction: all or
    /// nothing. See the module documentation of `store::glossary` for ids and duplicates.
    pub fn import_glossary(
        &mut self,
        files: &[&str],
        glossary: &Glossary,
    ) -> Result<GlossaryImportReport> {
        let report = self.write(|tx| {
            let t = GlossaryTables::new(tx);
            let mut report = GlossaryImportReport::default();
            t.add_columns(glossary)?;
            for (i, e) in glossary.entries.iter().enumerate() {
                t.put(e, glossary.location(i), &mut report)?;
            }
            super::log_import(tx, files, report.added + report.updated, report.unchanged)?;
            super::index::bump_glossary_generation(tx)?;
            Ok(report)
        })?;
        self.checkpoint();
        Ok(report)
    }

    /// Replace the whole stored glossary by `glossary` (read from `files`), in one
    /// transaction: if anything fails, the old glossary stays.
    pub fn replace_glossary(
        &mut self,
        files: &[&str],
        glossary: &Glossary,
    ) -> Result<GlossaryImportReport> {
        let report = self.write(|tx| {
            tx.execute_batch(
                "DELETE FROM glossary_term; DELETE FROM glossary_entry; DELETE FROM glossary_column;",
            )?;
            let t = GlossaryTables::new(tx);
            let mut report = GlossaryImportReport::default();
            t.add_columns(glossary)?;
            for (i, e) in glossary.entries.iter().enumerate() {
                t.put(e, glossary.location(i), &mut report)?;
            }
            super::log_import(tx, files, report.added, 0)?;
            super::index::bump_glossary_generation(tx)?;
            Ok(report)
        })?;
        self.checkpoint();
        Ok(report)
    }
}

/// The glossary of a run, from files and the memory.
impl Glossary {
    /// The glossary of a run: `files` (from [`Glossary::from_files`]), then the entries
    /// of the memory's glossary when a memory is given and its glossary is not empty.
    /// `None` when neither gives a glossary.
    pub fn combine(files: Option<Glossary>, memory: Option<&Memory>) -> Result<Option<Glossary>> {
        let mut all = files;
        if let Some(m) = memory {
            let g = m.glossary()?;
            if !g.entries.is_empty() {
                match all.as_mut() {
                    Some(a) => a.merge(g),
                    None => all = Some(g),
                }
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;

    const CSV: &str = "id,en,ko,zh,zh:forbidden,note,domain,case,strict,source\n\
        dprk,DPRK|North Korea,북한,朝鲜,北韩|北朝鲜,,politics,,,\n\
        ,Chosun,조선,,,,,sensitive,ko,kengdic\n\
        ,Seoul,서울,首尔,汉城,\"renamed, 2005\",,,,\n";

    fn g(text: &str) -> Glossary {
        Glossary::from_csv_str(text, "g.csv".as_ref(), &CsvOptions::default()).unwrap()
    }

    #[test]
    fn round_trip_through_the_memory() {
        let mut m = Memory::open_in_memory().unwrap();
        let r = m.import_glossary(&["g.csv"], &g(CSV)).unwrap();
        assert_eq!((r.read, r.added), (3, 3));
        assert_eq!(m.glossary_len().unwrap(), 3);
        let back = m.glossary().unwrap();
        assert_eq!(back, g(CSV));
        assert_eq!(back.to_csv_string(), CSV);
        assert_eq!(back.location(1).unwrap().to_string(), "g.csv:3");
        // Again: nothing changes.
        let r = m.import_glossary(&["g.csv"], &g(CSV)).unwrap();
        assert_eq!((r.added, r.unchanged, r.updated), (0, 3, 0));
        // Same id, new content: replaced in place.
        let newer = CSV.replace("北韩|北朝鲜", "北韩");
        let r = m.import_glossary(&["g.csv"], &g(&newer)).unwrap();
        assert_eq!((r.added, r.unchanged, r.updated), (0, 2, 1));
        assert_eq!(m.glossary().unwrap().to_csv_string(), newer);
    }

    #[test]
    fn replace_glossary_drops_the_old_entries() {
        let mut m = Memory::open_in_memory().unwrap();
        m.import_glossary(&["g.csv"], &g(CSV)).unwrap();
        let one = "id,en,ko\npm,Prime Minister,국무총리\n";
        let r = m.replace_glossary(&["new.csv"], &g(one)).unwrap();
        assert_eq!((r.read, r.added), (1, 1));
        assert_eq!(m.glossary().unwrap().to_csv_string(), one);
    }

    #[test]
    fn quadratic_work_glossary_import_looks_entries_up_by_fingerprint() {
        let mem = Memory::open_in_memory().unwrap();
        let plan: String = mem
            .conn
            .query_row(
                &format!("EXPLAIN QUERY PLAN {BY_FINGERPRINT}"),
                [&[0u8; 16][..]],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("glossary_entry_by_fingerprint"), "{plan}");
    }

    #[test]
    fn failed_import_leaves_nothing() {
        let mut m = Memory::open_in_memory().unwrap();
        // Two entries with the same id in one import: the second replaces the first, fine;
        // a failure is simulated by a broken connection state instead: drop the table.
        m.conn.execute_batch("DROP TABLE glossary_term").unwrap();
        assert!(m.import_glossary(&["g.csv"], &g(CSV)).is_err());
        assert_eq!(m.glossary_len().unwrap(), 0);
    }
}
