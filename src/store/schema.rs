//! The schema of a memory: the append-only migrations, the `application_id` that marks
//! a file as a concord memory, and [`inspect`], which decides whether an existing file
//! is one **without changing a byte of it** (it reads the header, then opens the file
//! read-only).

use std::io::Read;
use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a concord memory ("Conc" in ASCII). Memories created
/// before it was set have 0 and are recognised by their tables.
pub const APPLICATION_ID: i32 = 0x436F_6E63;

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
    // (see concord::glossary; the SQL is in src/store/glossary.rs).
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
    // 2 -> 3: the fuzzy-match index (see `crate::fuzzy`; the SQL is in src/store/index.rs).
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
    // 3 -> 4: the key file's stamp (see `crate::keystore`; the SQL is in
    // src/store/index.rs): a random instance id of the memory and a generation that every
    // import and delete increments. Chinese keys now fold Traditional to Simplified, so
    // the q-gram index is rebuilt (see `FOLDED_KEYS_VERSION`).
    r#"
    INSERT OR IGNORE INTO fz_meta (key, value) VALUES ('instance', abs(random() % 9007199254740991));
    INSERT OR IGNORE INTO fz_meta (key, value) VALUES ('generation', 1);
    "#,
    // 4 -> 5: access tokens of `concord serve` (see `tokens.rs`).
    super::tokens::MIGRATION,
    // 5 -> 6: the order of units in their files, for context matches (see `context.rs`).
    super::context::MIGRATION,
];

/// The schema version that added the fuzzy index (memories older than this are indexed
/// when they are opened).
pub(super) const FUZZY_INDEX_VERSION: i64 = 3;

/// The schema version whose matching keys fold Chinese Traditional to Simplified
/// (memories older than this get their q-gram index rebuilt when they are opened).
pub(super) const FOLDED_KEYS_VERSION: i64 = 4;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// What an existing file is, found without writing to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// A 0-byte file, or an SQLite database with no tables and version 0: nothing to
    /// lose, but not a memory either until concord writes one into it.
    Empty,
    /// A concord memory at this schema version with this `application_id`.
    Memory {
        /// `PRAGMA user_version`.
        version: i64,
        /// `PRAGMA application_id` (0 for memories made before it was set).
        application_id: i32,
    },
}

/// The tables and their columns, in name order (what "the schema matches" compares).
fn tables(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
    )?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (t, c): (String, String) = (r.get(0)?, r.get(1)?);
        match out.last_mut() {
            Some((last, cols)) if *last == t => cols.push(c),
            _ => out.push((t, vec![c])),
        }
    }
    Ok(out)
}

/// The tables a memory of schema `version` has (the migrations run in RAM).
fn expected_tables(version: i64) -> Result<Vec<(String, Vec<String>)>> {
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version.max(0) as usize) {
        conn.execute_batch(sql)?;
    }
    tables(&conn)
}

fn not_a_memory(path: &Path, why: impl Into<String>) -> Error {
    Error::not_a_memory(path, why.into())
}

/// Decide what the existing file at `path` is. Reads the 100-byte SQLite header, then
/// the schema through a read-only connection ([`super::open_read_only`]); never writes,
/// never changes the journal mode, never migrates. A foreign database (another
/// application's `application_id`, version 0 with tables, a version whose tables are
/// not ours, a negative version) is [`ErrorKind::NotAMemory`](crate::error::ErrorKind::NotAMemory); a newer concord memory is
/// [`ErrorKind::SchemaTooNew`](crate::error::ErrorKind::SchemaTooNew).
pub(super) fn inspect(path: &Path) -> Result<Found> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(not_a_memory(path, "a directory"));
    }
    if meta.len() == 0 {
        return Ok(Found::Empty);
    }
    let mut header = [0u8; 100];
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut got = 0;
    while got < header.len() {
        match f.read(&mut header[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    if got < header.len() || &header[..16] != b"SQLite format 3\0" {
        return Err(not_a_memory(path, "not an SQLite database"));
    }
    let conn = super::open_read_only(path)?;
    let (version, application_id): (i64, i32) = conn
        .query_row(
            "SELECT user_version, application_id FROM pragma_user_version, pragma_application_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                not_a_memory(path, "not an SQLite database")
            }
            e => e.into(),
        })?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(not_a_memory(
            path,
            format!(
                "an SQLite database of another application (application_id {application_id:#x})"
            ),
        ));
    }
    let have = tables(&conn)?;
    if version < 0 {
        return Err(not_a_memory(
            path,
            format!("an SQLite database with user_version {version}, which no concord writes"),
        ));
    }
    if version == 0 {
        if have.is_empty() && application_id == 0 {
            return Ok(Found::Empty);
        }
        return Err(not_a_memory(
            path,
            "an SQLite database, but its tables are not those of a concord memory",
        ));
    }
    // Ours at a version this build knows when every table of that version is there
    // with its columns; a newer version is ours when it has at least today's units.
    let ours = |want: &[(String, Vec<String>)]| want.iter().all(|t| have.contains(t));
    if version > schema_version() {
        if application_id == APPLICATION_ID || ours(&expected_tables(1)?) {
            return Err(Error::schema_too_new(path, version, schema_version()));
        }
        return Err(not_a_memory(
            path,
            "an SQLite database, but its tables are not those of a concord memory",
        ));
    }
    if !ours(&expected_tables(version)?) {
        return Err(not_a_memory(
            path,
            format!(
                "an SQLite database with user_version {version}, but its tables are not those of a concord memory"
            ),
        ));
    }
    Ok(Found::Memory {
        version,
        application_id,
    })
}
