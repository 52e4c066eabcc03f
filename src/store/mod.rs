//! The storage layer: one SQLite file per memory, and **all** of concord's SQL.
//!
//! [`Memory`] owns the connection. Every table belongs to this folder, split by family:
//!
//! | file            | tables                                             | used by                 |
//! |-----------------|----------------------------------------------------|-------------------------|
//! | `schema.rs`     | the migrations, `user_version`, `application_id`   | opening                 |
//! | `units.rs`      | `unit`, `variant`, `import_log`                    | import, export, show    |
//! | `glossary.rs`   | `glossary_entry`, `glossary_term`, `glossary_column` | `crate::glossary` users |
//! | `index.rs`      | `fz_lang`, `fz_post`, `fz_len`, `fz_meta`, the key file | [`crate::fuzzy`]   |
//! | `tokens.rs`     | `api_token`                                        | `concord serve`, `token` |
//!
//! Nothing outside `store/` writes SQL: [`crate::fuzzy`] reads the matching index through
//! the store's `Reader` and the `Memory::index_*` methods, the glossary tables are read into and
//! written from the model types of [`crate::glossary`], and the q-gram tokens and posting
//! codec are pure functions in [`crate::qgram`]. The layering has no circles:
//! `text`, `lang`, `unit` → `qgram` → `store` → `fuzzy`, `lint`, the CLI.
//!
//! * **Opening.** A file is opened as a memory only when it is one: [`Memory::open`]
//!   first reads the file's header and schema without writing (`schema.rs`, `inspect`),
//!   and only then switches to WAL and runs migrations. Another application's database,
//!   a newer schema or a negative `user_version` is refused with the file untouched. A
//!   new memory is built in a temporary file beside the target and linked into place
//!   when complete, so a full disk leaves no empty file behind. Read-only commands use
//!   [`Memory::open_read_only`], which never writes (and reads an unwritable directory's
//!   WAL memory as immutable).
//! * **Schema.** Versioned with `PRAGMA user_version`; [`MIGRATIONS`] is an append-only
//!   list, and migration *n* brings a database from version *n* to *n + 1*. New memories
//!   carry `PRAGMA application_id` = [`APPLICATION_ID`]; older ones (id 0) are recognised
//!   by their tables and get the id at their next write.
//! * **Transactions.** One way to read ([`Memory::read_tx`], a deferred transaction
//!   around a search or a scan) and one way to write (`Memory::write`, an IMMEDIATE
//!   transaction: an import of several files lands whole or not at all). Every write that
//!   comes from files is logged in `import_log` by one function. After an import or a
//!   delete the WAL is checkpointed and truncated, so it cannot grow without bound.
//! * **WAL.** The database runs in WAL mode with a busy timeout, so readers (`match`,
//!   `search`) keep working while one writer imports. Its side files are named by
//!   [`side_files`].
//! * **Duplicates.** A unit is a duplicate of a stored one when it has the same languages
//!   with the same stored (NFC, trimmed) texts; the `fingerprint` column (XXH3-128 of the
//!   sorted language/text pairs) carries a unique index, so re-importing a file adds
//!   nothing.
//! * **Corruption** (unreadable metadata JSON, an unparsable stored language tag) is
//!   an error of kind [`ErrorKind::CorruptMemory`], never silently skipped.

mod context;
mod glossary;
mod index;
mod schema;
pub mod tokens;
mod units;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::lang::LangTag;

pub(crate) use index::{LangIndex, Reader};
pub use schema::{schema_version, APPLICATION_ID, MIGRATIONS};
use schema::{Found, FOLDED_KEYS_VERSION, FUZZY_INDEX_VERSION};
pub use units::{ImportReport, Importer};

/// A translation memory in a SQLite file.
pub struct Memory {
    conn: Connection,
    path: PathBuf,
    /// The key file last opened (see `index.rs`, `Memory::key_file`).
    keys: std::cell::RefCell<Option<std::sync::Arc<crate::keystore::KeyFile>>>,
    /// False for memories opened read-only: a stale key file is then rebuilt in RAM.
    writes_keys: bool,
    /// The q-gram index's length tables loaded so far (see `index.rs`, `LenCache`).
    lens: index::LenCache,
}

/// Counters of a memory's committed changes ([`Memory::generations`]): each grows with
/// every transaction that changes what it counts, in any process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Generations {
    /// Imports and deletes that changed the units.
    pub units: i64,
    /// Writes of the glossary (import, replace).
    pub glossary: i64,
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

/// The side files SQLite keeps beside a memory in WAL mode: `[PATH-wal, PATH-shm]`.
/// The one place that knows their names (for copying, removing, or refusing to write
/// over a memory).
pub fn side_files(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut s = path.as_os_str().to_os_string();
        s.push(suffix);
        PathBuf::from(s)
    })
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

/// The connection settings every memory gets (none of them writes to the file).
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -65536)?; // 64 MiB
    conn.pragma_update(None, "mmap_size", 1i64 << 32)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// A `file:` URI for `path` with query parameters `query` (SQLite's URI syntax:
/// every byte outside a small safe set is percent-encoded).
fn file_uri(path: &Path, query: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            s.push(b as char);
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s.push('?');
    s.push_str(query);
    s
}

/// Open `path` read-only (`mode=ro`): SQLite never writes to the database file through
/// this connection. A database in WAL mode needs its `-shm` file; when that can be
/// neither opened nor created (a directory the user cannot write), the file is read as
/// `immutable` instead: nobody can be writing it through a WAL that cannot exist.
fn open_read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file_uri(path, "mode=ro"), flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(e, _)) if needs_immutable(e) => {
            drop(conn);
            let conn = Connection::open_with_flags(file_uri(path, "mode=ro&immutable=1"), flags)?;
            conn.busy_timeout(Duration::from_secs(10))?;
            Ok(conn)
        }
        Err(e) => Err(e.into()),
    }
}

/// Open a verified memory for queries only (`PRAGMA query_only`). A read-write
/// connection is tried first, because only a read-write connection removes the WAL's side
/// files when it closes (a `mode=ro` one leaves an empty `-wal` and `-shm` behind);
/// when the file or its directory cannot be written, [`open_read_only`] serves.
fn open_for_queries(path: &Path) -> Result<Connection> {
    let rw = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|c| {
        c.busy_timeout(Duration::from_secs(10))?;
        c.pragma_update(None, "query_only", true)?;
        c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(c)
    });
    match rw {
        Ok(c) => Ok(c),
        Err(rusqlite::Error::SqliteFailure(e, _)) if needs_immutable(e) => open_read_only(path),
        Err(e) => Err(e.into()),
    }
}

/// True for the errors of a read-only WAL open whose `-shm` cannot be opened or made.
fn needs_immutable(e: rusqlite::ffi::Error) -> bool {
    matches!(
        e.code,
        rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly
    )
}

/// A stored language tag; one that does not parse means the memory is corrupt.
pub(crate) fn stored_tag(s: &str) -> Result<LangTag> {
    LangTag::parse(s).map_err(|e| Error::corrupt(format!("stored language tag {s:?}: {e}")))
}

/// Write the one `import_log` row of an import (units or glossary entries).
fn log_import(tx: &Transaction<'_>, files: &[&str], added: u64, skipped: u64) -> Result<()> {
    tx.execute(
        "INSERT INTO import_log (at, files, added, skipped) VALUES (?1, ?2, ?3, ?4)",
        params![
            now_utc_iso(),
            files.join("\n"),
            added as i64,
            skipped as i64
        ],
    )?;
    Ok(())
}

fn no_memory_here(path: &Path) -> Error {
    Error::new(ErrorKind::NoMemory, "no memory here")
        .at(crate::error::Location::file(path))
        .with_hint(crate::error::Hint::CreateOrNameMemory)
}

/// A new memory file at `path`, built in a temporary file beside it and linked into
/// place when complete (so that a failure, such as a full disk, leaves nothing behind,
/// and a file another process created meanwhile is never replaced).
fn create_new(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "memory".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(
        ".{name}.new-{}-{nanos}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let remove_tmp = |tmp: &Path| {
        let _ = std::fs::remove_file(tmp);
        for side in side_files(tmp) {
            let _ = std::fs::remove_file(side);
        }
    };
    let built = (|| -> Result<()> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&tmp, flags)?;
        configure(&conn)?;
        set_wal(&conn)?;
        let mut mem = Memory {
            conn,
            path: tmp.clone(),
            keys: Default::default(),
            lens: Default::default(),
            writes_keys: false,
        };
        mem.migrate(0, 0)?;
        mem.conn.close().map_err(|(_, e)| Error::from(e))?;
        Ok(())
    })();
    if let Err(e) = built {
        remove_tmp(&tmp);
        return Err(e);
    }
    let linked = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        // Another process created the memory meanwhile: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A file system without hard links: rename, unless the target appeared.
        Err(_) if !path.exists() => std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)),
        Err(e) => Err(Error::io(path, e)),
    };
    remove_tmp(&tmp);
    linked
}

impl Memory {
    /// Open the memory at `path`, creating the file if needed, and bring its schema up to
    /// date. The directory must exist: a typo in a path is an error, not a new directory.
    /// An existing file must be a concord memory (or empty): anything else is refused
    /// before a byte of it is changed.
    pub fn open(path: impl AsRef<Path>) -> Result<Memory> {
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.is_dir() {
                return Err(Error::bad_request(format!(
                    "{}: the directory {} does not exist",
                    path.display(),
                    dir.display()
                )));
            }
        }
        match std::fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if path.symlink_metadata().is_ok() {
                    return Err(Error::not_a_memory(
                        path,
                        "a symbolic link to a file that does not exist",
                    ));
                }
                create_new(path)?;
            }
            Err(e) => return Err(Error::io(path, e)),
        }
        let found = schema::inspect(path)?;
        Memory::writable(path, found)
    }

    /// Open an existing memory for writing (as `delete` does); a missing file, an empty
    /// file or a file that is not a memory is an error.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Memory> {
        let path = path.as_ref();
        let found = Memory::existing(path)?;
        Memory::writable(path, found)
    }

    /// Open an existing memory for reading only (`stats`, `show`, `match`, `search`,
    /// `export`...): nothing is written to it, so this works on a read-only file and in
    /// a directory the user cannot write. A memory with an older schema is upgraded
    /// first (which needs write access).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Memory> {
        let path = path.as_ref();
        let found = Memory::existing(path)?;
        if let Found::Memory { version, .. } = found {
            if version < schema_version() {
                return Memory::writable(path, found);
            }
        }
        let conn = open_for_queries(path)?;
        configure(&conn)?;
        Ok(Memory {
            conn,
            path: path.to_path_buf(),
            keys: Default::default(),
            lens: Default::default(),
            writes_keys: true,
        })
    }

    /// A memory that lives only in RAM (tests, examples, pipelines).
    pub fn open_in_memory() -> Result<Memory> {
        let conn = Connection::open_in_memory()?;
        configure(&conn)?;
        let mut mem = Memory {
            conn,
            path: PathBuf::from(":memory:"),
            keys: Default::default(),
            lens: Default::default(),
            writes_keys: false,
        };
        mem.migrate(0, 0)?;
        Ok(mem)
    }

    /// What the existing file at `path` is; an error unless it is a memory.
    fn existing(path: &Path) -> Result<Found> {
        if !path.exists() {
            return Err(no_memory_here(path));
        }
        match schema::inspect(path)? {
            Found::Empty => Err(Error::not_a_memory(
                path,
                "an empty file; `concord import FILE` creates a memory",
            )),
            found => Ok(found),
        }
    }

    /// Open an inspected file read-write: WAL, settings, migrations.
    fn writable(path: &Path, found: Found) -> Result<Memory> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        set_wal(&conn)?;
        let mut mem = Memory {
            conn,
            path: path.to_path_buf(),
            keys: Default::default(),
            lens: Default::default(),
            writes_keys: true,
        };
        let (version, application_id) = match found {
            Found::Empty => (0, 0),
            Found::Memory {
                version,
                application_id,
            } => (version, application_id),
        };
        mem.migrate(version, application_id)?;
        Ok(mem)
    }

    /// Bring the schema from `from` to [`schema_version`] and mark the file with
    /// [`APPLICATION_ID`], in one write transaction.
    fn migrate(&mut self, from: i64, application_id: i32) -> Result<()> {
        if from == schema_version() && application_id == APPLICATION_ID {
            return Ok(());
        }
        let path = self.path.clone();
        self.write(|tx| {
            // Another process may be creating or upgrading the same file right now: the
            // write lock is taken, so read the version again.
            let from: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if from == 0 {
                // A version-0 database with tables is not ours.
                let tables: i64 = tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )?;
                if tables > 0 {
                    return Err(Error::not_a_memory(
                        path,
                        "an SQLite database, but its tables are not those of a concord memory",
                    ));
                }
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            }
            if from > 0 && from < FUZZY_INDEX_VERSION.max(FOLDED_KEYS_VERSION) {
                index::rebuild(tx)?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            Ok(())
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in one write transaction (IMMEDIATE: the write lock is taken at once, so
    /// two writers queue instead of failing half-way). The only way this crate writes.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// One read transaction (a consistent snapshot; SQLite takes its locks once, not once
    /// per statement) until the guard is dropped. Nothing happens when the connection is
    /// already in a transaction. The only way this crate opens a read transaction.
    pub fn read_tx(&self) -> Result<ReadTx<'_>> {
        if !self.conn.is_autocommit() {
            return Ok(ReadTx { conn: None });
        }
        self.conn.execute_batch("BEGIN DEFERRED")?;
        Ok(ReadTx {
            conn: Some(&self.conn),
        })
    }

    /// Copy the WAL back into the database and truncate it (after an import or a
    /// delete), so that the WAL never keeps the size of the largest write. Best effort:
    /// a reader that holds an old snapshot makes SQLite skip part of the work, which the
    /// next checkpoint finishes; the write itself has committed either way.
    fn checkpoint(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// A read transaction; see [`Memory::read_tx`]. It ends when dropped.
pub struct ReadTx<'m> {
    conn: Option<&'m Connection>,
}

impl Drop for ReadTx<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn {
            let _ = c.execute_batch("COMMIT");
        }
    }
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
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
    use crate::lang::LangRange;
    use crate::unit::{Unit, Variant};

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
            Err(e)
                if e.kind()
                    == &crate::error::ErrorKind::SchemaTooNew {
                        found: 99,
                        supported: schema::schema_version(),
                    } => {}
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

    /// Unreadable `extra` JSON of a unit used to be replaced by empty metadata, silently.
    #[test]
    fn corrupt_unit_metadata_is_a_corrupt_memory_error() {
        let mut m = Memory::open_in_memory().unwrap();
        m.import(&["t"], |imp| {
            imp.add(unit("Hello", "안녕"))?;
            Ok(())
        })
        .unwrap();
        m.conn
            .execute("UPDATE unit SET extra = '{\"notes\": [' WHERE id = 1", [])
            .unwrap();
        assert!(matches!(m.unit(1), Err(e) if e.kind() == &crate::error::ErrorKind::CorruptMemory));
        assert!(matches!(
            m.for_each_unit(&[], 2, |_| Ok(())),
            Err(e) if e.kind() == &crate::error::ErrorKind::CorruptMemory
        ));
        // A variant's metadata is checked the same way.
        m.conn
            .execute_batch(
                "UPDATE unit SET extra = NULL; UPDATE variant SET extra = 'nope' WHERE lang = 'ko'",
            )
            .unwrap();
        assert!(matches!(m.unit(1), Err(e) if e.kind() == &crate::error::ErrorKind::CorruptMemory));
    }

    /// An unparsable stored language tag used to be skipped (`for_each_text` treated it
    /// as "not selected").
    #[test]
    fn unparsable_stored_language_tag_is_a_corrupt_memory_error() {
        let mut m = Memory::open_in_memory().unwrap();
        m.import(&["t"], |imp| {
            imp.add(unit("Hello", "안녕"))?;
            Ok(())
        })
        .unwrap();
        m.conn
            .execute("UPDATE variant SET lang = '!!' WHERE lang = 'ko'", [])
            .unwrap();
        let corrupt = |r: Result<()>| matches!(r, Err(e) if e.kind() == &crate::error::ErrorKind::CorruptMemory);
        assert!(corrupt(
            m.for_each_text(&LangRange::parse("en").unwrap(), |_, _| {})
        ));
        assert!(corrupt(m.languages().map(|_| ())));
        assert!(corrupt(m.unit(1).map(|_| ())));
        assert!(corrupt(m.for_each_unit(&[], 2, |_| Ok(()))));
        assert!(corrupt(m.for_each_unit_languages(|_| Ok(()))));
        m.conn
            .execute("UPDATE fz_lang SET tag = '!!' WHERE tag = 'ko'", [])
            .unwrap();
        assert!(corrupt(m.index_languages().map(|_| ())));
        // The glossary's stored tags too.
        let g = crate::glossary::Glossary::from_csv_str(
            "en,ko\nDPRK,북한\n",
            Path::new("g.csv"),
            &Default::default(),
        )
        .unwrap();
        m.import_glossary(&["g.csv"], &g).unwrap();
        m.conn
            .execute("UPDATE glossary_term SET lang = '!!' WHERE lang = 'ko'", [])
            .unwrap();
        assert!(corrupt(m.glossary().map(|_| ())));
    }
}
