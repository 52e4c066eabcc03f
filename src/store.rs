//! The SQLite memory: one type, [`Memory`], owns the connection and all SQL.
//!
//! * The schema is versioned with `PRAGMA user_version`; [`MIGRATIONS`] is an append-only
//!   list, and migration *n* brings a database from version *n* to *n + 1*. Opening a
//!   database whose version is newer than this build knows is an error, never a guess.
//! * The database runs in WAL mode with a busy timeout, so readers (`match`, `search`)
//!   keep working while one writer imports.
//! * Every write is one transaction: an import of several files lands whole or not at all.
//! * A unit is a duplicate of a stored one when it has the same languages with the same
//!   stored (NFC, trimmed) texts; the `fingerprint` column (XXH3-128 of the sorted
//!   language/text pairs) carries a unique index, so re-importing a file adds nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::lang::{LangRange, LangTag};
use crate::unit::{Extra, Unit, UnitMeta, Variant};

/// The schema migrations, in order. Append only: never edit a released entry.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: units and their variants.
    r#"
    CREATE TABLE unit (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint BLOB NOT NULL UNIQUE,
        origin      TEXT,
        created     TEXT,
        creator     TEXT,
        changed     TEXT,
        changer     TEXT,
        source_lang TEXT,
        extra       TEXT
    );
    CREATE TABLE variant (
        unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
        lang    TEXT NOT NULL,
        text    TEXT NOT NULL,
        markup  TEXT,
        extra   TEXT,
        PRIMARY KEY (unit_id, lang)
    ) WITHOUT ROWID;
    CREATE INDEX variant_by_lang ON variant(lang, unit_id);
    CREATE TABLE import_log (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        files   TEXT NOT NULL,
        added   INTEGER NOT NULL,
        skipped INTEGER NOT NULL
    );
    "#,
    // 1 -> 2: glossary entries, their variants, and the columns the imported files declared
    // (see concord::glossary; the SQL is in src/glossary/store.rs).
    r#"
    CREATE TABLE glossary_entry (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        ext_id         TEXT UNIQUE,
        fingerprint    BLOB NOT NULL,
        note           TEXT,
        domain         TEXT,
        case_sensitive INTEGER NOT NULL DEFAULT 0,
        strict         TEXT,
        props          TEXT,
        origin         TEXT,
        line           INTEGER
    );
    CREATE INDEX glossary_entry_by_fingerprint ON glossary_entry(fingerprint);
    CREATE TABLE glossary_term (
        entry_id  INTEGER NOT NULL REFERENCES glossary_entry(id) ON DELETE CASCADE,
        lang      TEXT NOT NULL,
        lang_pos  INTEGER NOT NULL,
        forbidden INTEGER NOT NULL,
        pos       INTEGER NOT NULL,
        text      TEXT NOT NULL,
        key       TEXT NOT NULL,
        PRIMARY KEY (entry_id, lang_pos, forbidden, pos)
    ) WITHOUT ROWID;
    CREATE INDEX glossary_term_by_key ON glossary_term(lang, key);
    CREATE TABLE glossary_column (
        pos  INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    "#,
    // 2 -> 3: the fuzzy-match index (see `crate::fuzzy`).
    r#"
    CREATE TABLE fz_lang (
        id  INTEGER PRIMARY KEY,
        tag TEXT NOT NULL UNIQUE,
        q   INTEGER NOT NULL
    );
    CREATE TABLE fz_post (
        lang  INTEGER NOT NULL,
        token INTEGER NOT NULL,
        seq   INTEGER NOT NULL,
        n     INTEGER NOT NULL,
        ids   BLOB NOT NULL,
        PRIMARY KEY (lang, token, seq)
    ) WITHOUT ROWID;
    CREATE TABLE fz_len (
        lang INTEGER NOT NULL,
        base INTEGER NOT NULL,
        lens BLOB NOT NULL,
        PRIMARY KEY (lang, base)
    ) WITHOUT ROWID;
    CREATE TABLE fz_meta (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    "#,
    // 3 -> 4: the key file's stamp (see `crate::keystore`): a random instance id of the
    // memory and a generation that every import and delete increments. Chinese keys now
    // fold Traditional to Simplified, so the q-gram index is rebuilt (see `migrate`).
    r#"
    INSERT OR IGNORE INTO fz_meta (key, value) VALUES ('instance', abs(random() % 9007199254740991));
    INSERT OR IGNORE INTO fz_meta (key, value) VALUES ('generation', 1);
    "#,
];

/// The schema version whose matching keys fold Chinese Traditional to Simplified.
const FOLDED_KEYS_VERSION: i64 = 4;

/// The schema version that added the fuzzy index (memories older than this are indexed
/// when they are opened).
const FUZZY_INDEX_VERSION: i64 = 3;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// A translation memory in a SQLite file.
pub struct Memory {
    conn: Connection,
    path: PathBuf,
    /// The key file last opened, with the `(instance, generation)` it was made for.
    keys: std::cell::RefCell<Option<std::sync::Arc<crate::keystore::KeyFile>>>,
}

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
    /// Languages of the added units, with their variant counts.
    pub languages: BTreeMap<String, u64>,
}

/// Counts that describe a memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The database file.
    pub path: String,
    /// Schema version.
    pub schema_version: i64,
    /// Number of units.
    pub units: u64,
    /// Variants per language tag.
    pub languages: BTreeMap<String, u64>,
    /// Units per origin (file name); units without an origin are counted under "".
    pub origins: BTreeMap<String, u64>,
    /// Size of the database file in bytes (main file plus WAL).
    pub bytes: u64,
}

/// Switch to WAL. When other processes open the same new file at that moment, SQLite
/// refuses the switch at once with SQLITE_BUSY instead of waiting (waiting could
/// deadlock), so retry for as long as the busy timeout.
fn set_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            r => return Ok(r?),
        }
    }
}

impl Memory {
    /// Open the memory at `path`, creating the file if needed, and bring its schema up to
    /// date. The directory must exist: a typo in a path is an error, not a new directory.
    pub fn open(path: impl AsRef<Path>) -> Result<Memory> {
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.is_dir() {
                return Err(Error::Invalid(format!(
                    "{}: the directory {} does not exist",
                    path.display(),
                    dir.display()
                )));
            }
        }
        let conn = Connection::open(path)?;
        Memory::setup(conn, path)
    }

    /// Open an existing memory; a missing file is an error (for commands that only read).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Memory> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(Error::Invalid(format!(
                "{}: no memory here (create one with `concord import FILE`, or name another with --db)",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Memory::setup(conn, path)
    }

    /// A memory that lives only in RAM (tests, examples, pipelines).
    pub fn open_in_memory() -> Result<Memory> {
        let conn = Connection::open_in_memory()?;
        Memory::setup(conn, Path::new(":memory:"))
    }

    fn setup(conn: Connection, path: &Path) -> Result<Memory> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // Reject foreign files early with a clear message instead of "file is not a database".
        let version: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                return Err(Error::Invalid(format!(
                    "{}: not a concord memory (not an SQLite database)",
                    path.display()
                )))
            }
            Err(e) => return Err(e.into()),
        };
        if version > schema_version() {
            return Err(Error::SchemaTooNew {
                path: path.to_path_buf(),
                found: version,
                supported: schema_version(),
            });
        }
        set_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?; // 64 MiB
        conn.pragma_update(None, "mmap_size", 1i64 << 32)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut mem = Memory {
            conn,
            path: path.to_path_buf(),
            keys: std::cell::RefCell::new(None),
        };
        mem.migrate(version)?;
        Ok(mem)
    }

    fn migrate(&mut self, from: i64) -> Result<()> {
        if from == schema_version() {
            return Ok(());
        }
        // Another process may be creating or upgrading the same file right now: take the
        // write lock first, then read the version again.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let from: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if from == 0 {
            // A version-0 database with tables is not ours.
            let tables: i64 = tx.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )?;
            if tables > 0 {
                return Err(Error::Invalid(format!(
                    "{}: an SQLite database, but not a concord memory",
                    self.path.display()
                )));
            }
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        if from > 0 && from < FOLDED_KEYS_VERSION.max(FUZZY_INDEX_VERSION) {
            crate::fuzzy::index::rebuild(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for the modules of this crate that own tables of their
    /// own (the fuzzy index, the glossary). Not public: SQL stays in the library.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one write transaction (for modules that own tables of their own).
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

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
    ///     Err(concord::Error::Invalid("the file broke half-way".into()))
    /// });
    /// assert!(failed.is_err());
    /// assert_eq!(mem.stats().unwrap().units, 1);
    /// ```
    pub fn import<F>(&mut self, files: &[&str], fill: F) -> Result<ImportReport>
    where
        F: FnOnce(&mut Importer<'_>) -> Result<()>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let report = {
            let mut importer = Importer::new(&tx)?;
            fill(&mut importer)?;
            importer.finish()?
        };
        if report.added > 0 {
            bump_generation(&tx)?;
        }
        tx.execute(
            "INSERT INTO import_log (at, files, added, skipped) VALUES (?1, ?2, ?3, ?4)",
            params![
                now_utc_iso(),
                files.join("\n"),
                report.added as i64,
                report.duplicates as i64
            ],
        )?;
        tx.commit()?;
        if report.added > 0 {
            self.refresh_keys()?;
        }
        Ok(report)
    }

    /// The memory's `(instance, generation)`: the stamp a current key file carries.
    pub(crate) fn key_state(&self) -> Result<(i64, i64)> {
        let get = |k: &str| -> Result<i64> {
            Ok(self
                .conn
                .prepare_cached("SELECT value FROM fz_meta WHERE key = ?1")?
                .query_row([k], |r| r.get(0))
                .optional()?
                .unwrap_or(0))
        };
        Ok((get("instance")?, get("generation")?))
    }

    /// The key file of fuzzy matching (see [`crate::keystore`]), current with the
    /// memory: opened from beside the memory file, or rebuilt from the stored segments
    /// when it is missing or stale (written beside the memory when the directory is
    /// writable; kept in RAM otherwise and for memories without a file). Call it inside
    /// a read transaction, so that the segments and the stamp agree.
    pub(crate) fn key_file(&self) -> Result<std::sync::Arc<crate::keystore::KeyFile>> {
        let (instance, generation) = self.key_state()?;
        if let Some(k) = self.keys.borrow().as_ref() {
            if k.stamp() == (instance, generation) {
                return Ok(k.clone());
            }
        }
        let on_disk = self.path != Path::new(":memory:");
        let kp = crate::keystore::path_for(&self.path);
        let kf = match on_disk
            .then(|| crate::keystore::KeyFile::open(&kp, instance, generation))
            .flatten()
        {
            Some(kf) => kf,
            None => {
                let mut b = self.collect_keys()?;
                if on_disk && b.write_file(&kp, instance, generation).is_ok() {
                    match crate::keystore::KeyFile::open(&kp, instance, generation) {
                        Some(kf) => kf,
                        None => b.into_map(instance, generation)?,
                    }
                } else {
                    b.into_map(instance, generation)?
                }
            }
        };
        let kf = std::sync::Arc::new(kf);
        *self.keys.borrow_mut() = Some(kf.clone());
        Ok(kf)
    }

    /// Every stored segment into a key-file builder, in unit id order.
    fn collect_keys(&self) -> Result<crate::keystore::Builder> {
        let mut b = crate::keystore::Builder::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT unit_id, lang, text FROM variant ORDER BY unit_id, lang")?;
        let mut rows = stmt.query([])?;
        let mut tags: std::collections::HashMap<String, LangTag> = Default::default();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let lang = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let tag = match tags.get(lang) {
                Some(t) => t.clone(),
                None => {
                    let t = LangTag::parse(lang).map_err(|e| Error::lang("memory", e))?;
                    tags.insert(lang.to_string(), t.clone());
                    t
                }
            };
            let text = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            b.add(id, &tag, text);
        }
        Ok(b)
    }

    /// Rebuild the key file after a write (import, delete) so that the next search
    /// finds it current. A failure here loses nothing: the file is then stale and the
    /// next search rebuilds it.
    fn refresh_keys(&self) -> Result<()> {
        *self.keys.borrow_mut() = None;
        if self.path == Path::new(":memory:") {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        let (instance, generation) = self.key_state()?;
        let mut b = self.collect_keys()?;
        let kp = crate::keystore::path_for(&self.path);
        let _ = b.write_file(&kp, instance, generation);
        tx.finish()?;
        Ok(())
    }

    /// Counts of units, languages and origins.
    pub fn stats(&self) -> Result<Stats> {
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
        let bytes = file_size(&self.path) + file_size(&wal_path(&self.path));
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
            let meta = meta_from_row_at(row, 1)?;
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
                    let t = LangTag::parse(lang).map_err(|e| Error::lang("memory", e))?;
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
        tags.iter()
            .map(|t| LangTag::parse(t).map_err(|e| Error::lang("memory", e)))
            .collect()
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
                    let on = LangTag::parse(&lang)
                        .map(|t| range.matches(&t))
                        .unwrap_or(false);
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
                return Err(Error::Invalid(format!(
                    "no unit {} in {}; nothing deleted",
                    missing.join(", "),
                    self.path.display()
                )));
            }
            let mut stmt = tx.prepare("DELETE FROM unit WHERE id = ?1")?;
            for id in &ids {
                n += stmt.execute([id])? as u64;
            }
        }
        crate::fuzzy::index::forget(&tx, &ids)?;
        if n > 0 {
            bump_generation(&tx)?;
        }
        tx.commit()?;
        if n > 0 {
            self.refresh_keys()?;
        }
        Ok(n)
    }
}

/// Adds units inside an import transaction. Get one from [`Memory::import`].
pub struct Importer<'t> {
    tx: &'t Transaction<'t>,
    report: ImportReport,
    index: crate::fuzzy::index::Builder,
    /// Fingerprints added by this import (duplicates within the files).
    seen: std::collections::HashSet<[u8; 16]>,
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
            index: crate::fuzzy::index::Builder::new(),
            seen: std::collections::HashSet::new(),
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
            return Ok(None);
        }
        let fp = fingerprint(&unit.variants);
        let m = &unit.meta;
        let extra = (!m.extra.is_empty()).then(|| to_json(&m.extra));
        // Look before inserting: an ignored INSERT would still consume an AUTOINCREMENT id,
        // and ids must follow the file's order without gaps.
        let exists = self.seen.contains(&fp)
            || (self.had_units
                && self
                    .tx
                    .prepare_cached("SELECT 1 FROM unit WHERE fingerprint = ?1")?
                    .exists([&fp[..]])?);
        if exists {
            self.report.duplicates += 1;
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
        self.seen.insert(fp);
        let id = self.tx.last_insert_rowid();
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

    /// Units read so far (for progress bars).
    pub fn read(&self) -> u64 {
        self.report.read
    }

    fn finish(mut self) -> Result<ImportReport> {
        self.index.flush(self.tx)?;
        Ok(self.report)
    }
}

/// Mark the memory changed: the key file made before is stale from this commit on.
fn bump_generation(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO fz_meta (key, value) VALUES ('generation', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1",
        [],
    )?;
    Ok(())
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
            .map_err(|e| Error::Invalid(format!("corrupt metadata in memory: {e}"))),
    }
}

fn meta_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UnitMeta> {
    meta_from_row_at(r, 0)
}

fn meta_from_row_at(r: &rusqlite::Row<'_>, o: usize) -> rusqlite::Result<UnitMeta> {
    let extra: Option<String> = r.get(o + 6)?;
    Ok(UnitMeta {
        origin: r.get(o)?,
        created: r.get(o + 1)?,
        creator: r.get(o + 2)?,
        changed: r.get(o + 3)?,
        changer: r.get(o + 4)?,
        source_lang: r.get(o + 5)?,
        extra: from_json(extra).unwrap_or_default(),
    })
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
            lang: LangTag::parse(&lang).map_err(|e| Error::lang("memory", e))?,
            text,
            markup,
            extra: from_json(extra)?,
        })
    })())
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn wal_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push("-wal");
    PathBuf::from(s)
}

/// The current time in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> LangTag {
        LangTag::parse(s).unwrap()
    }

    fn unit(en: &str, ko: &str) -> Unit {
        Unit::new(vec![
            Variant::new(tag("en"), en),
            Variant::new(tag("ko"), ko),
        ])
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn import_dedups_by_nfc_text_and_languages() {
        let mut m = Memory::open_in_memory().unwrap();
        let nfd: String =
            unicode_normalization::UnicodeNormalization::nfd("북한").collect::<String>();
        let r = m
            .import(&["t"], |imp| {
                assert_eq!(imp.add(unit("North Korea", "북한"))?, Some(1));
                assert_eq!(imp.add(unit(" North Korea ", &nfd))?, None);
                assert_eq!(imp.add(unit("North korea", "북한"))?, Some(2));
                Ok(())
            })
            .unwrap();
        assert_eq!((r.read, r.added, r.duplicates), (3, 2, 1));
        assert_eq!(m.unit(1).unwrap().unwrap().variants[1].text, "북한");
        let r = m
            .import(&["t"], |imp| {
                imp.add(unit("North Korea", "북한"))?;
                Ok(())
            })
            .unwrap();
        assert_eq!((r.added, r.duplicates), (0, 1));
    }

    #[test]
    fn unit_needs_two_languages() {
        let mut m = Memory::open_in_memory().unwrap();
        let r = m
            .import(&["t"], |imp| {
                assert_eq!(imp.add(unit("Only English", "  "))?, None);
                Ok(())
            })
            .unwrap();
        assert_eq!((r.added, r.incomplete), (0, 1));
        assert_eq!(m.stats().unwrap().units, 0);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.db");
        drop(Memory::open(&p).unwrap());
        let c = Connection::open(&p).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        match Memory::open(&p) {
            Err(Error::SchemaTooNew { found: 99, .. }) => {}
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.txt");
        std::fs::write(
            &p,
            "this is not a database, just some words in a text file\n".repeat(20),
        )
        .unwrap();
        assert!(Memory::open(&p).is_err());
    }

    #[test]
    fn for_each_filters_languages() {
        let mut m = Memory::open_in_memory().unwrap();
        m.import(&["t"], |imp| {
            imp.add(Unit::new(vec![
                Variant::new(tag("en-US"), "Hello"),
                Variant::new(tag("zh-CN"), "你好"),
                Variant::new(tag("ko"), "안녕"),
            ]))?;
            imp.add(unit("Bye", "잘 가"))?;
            Ok(())
        })
        .unwrap();
        let mut seen = vec![];
        m.for_each_unit(
            &[
                LangRange::parse("zh").unwrap(),
                LangRange::parse("en").unwrap(),
            ],
            2,
            |u| {
                seen.push(u);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].variants.len(), 2);
        assert_eq!(seen[0].variants[0].lang.as_str(), "en-US");
    }
}
