//! Opening only real memories (issue 13): a file is opened as a memory only when it is
//! one, or when it is new and concord is creating it. Anything else is refused with the
//! file byte for byte as it was; read-only commands never write; an import leaves no
//! large WAL behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{run_in, stderr, BIN};

use concord::error::ErrorKind;
use concord::lang::LangTag;
use concord::store::{side_files, Memory, APPLICATION_ID};
use concord::unit::{Unit, Variant};
use rusqlite::Connection;

fn hash(p: &Path) -> u64 {
    let bytes = std::fs::read(p).unwrap();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

fn unit(en: &str, ko: &str) -> Unit {
    Unit::new(vec![
        Variant::new(LangTag::parse("en").unwrap(), en),
        Variant::new(LangTag::parse("ko").unwrap(), ko),
    ])
}

fn memory_with_units(p: &Path, n: usize) {
    let mut m = Memory::open(p).unwrap();
    m.import(&["t"], |imp| {
        for i in 0..n {
            imp.add(unit(&format!("Hello number {i}"), &format!("안녕 {i}번")))?;
        }
        Ok(())
    })
    .unwrap();
}

/// `concord --db DB ARGS` run in `dir`.
fn concord(dir: &Path, db: &Path, args: &[&str]) -> Output {
    let db = db.display().to_string();
    let mut all = vec!["--db", db.as_str()];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// Every way of opening `p` refuses it, and no byte of it changes; the CLI's read and
/// write commands too.
fn assert_refused_unchanged(p: &Path) {
    let before = hash(p);
    let len = std::fs::metadata(p).unwrap().len();
    for (what, r) in [
        ("open", Memory::open(p).map(|_| ())),
        ("open_existing", Memory::open_existing(p).map(|_| ())),
        ("open_read_only", Memory::open_read_only(p).map(|_| ())),
    ] {
        match r {
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::NotAMemory | ErrorKind::SchemaTooNew { .. }
                ) => {}
            other => panic!("{what} of {}: {other:?}", p.display()),
        }
        assert_eq!(hash(p), before, "{what} changed {}", p.display());
    }
    let dir = p.parent().unwrap();
    std::fs::write(dir.join("a.tsv"), "en\tko\nHello\t안녕\n").unwrap();
    for args in [&["stats"][..], &["import", "a.tsv"], &["match", "Hello"]] {
        let o = concord(dir, p, args);
        assert!(!o.status.success(), "{args:?} accepted {}", p.display());
        assert_eq!(hash(p), before, "{args:?} changed {}", p.display());
    }
    assert_eq!(std::fs::metadata(p).unwrap().len(), len);
}

/// Another application's database (user_version 0, tables of its own) used to be
/// switched to WAL (header bytes 18–19 from 1,1 to 2,2) before it was refused.
#[test]
fn foreign_sqlite_database_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.sqlite");
    let c = Connection::open(&p).unwrap();
    c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine');")
        .unwrap();
    drop(c);
    let header = std::fs::read(&p).unwrap();
    assert_eq!(&header[18..20], &[1, 1]);
    assert_refused_unchanged(&p);
    assert_eq!(&std::fs::read(&p).unwrap()[18..20], &[1, 1]);
}

/// A foreign database with user_version 1–3 used to be "migrated" ("no such table:
/// variant").
#[test]
fn foreign_database_with_user_version_1_to_3_is_refused_unchanged() {
    for v in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("other.db");
        let c = Connection::open(&p).unwrap();
        c.execute_batch("CREATE TABLE unit (id INTEGER PRIMARY KEY, name TEXT);")
            .unwrap();
        c.pragma_update(None, "user_version", v).unwrap();
        drop(c);
        assert_refused_unchanged(&p);
    }
}

/// `user_version = -1` used to be accepted as current.
#[test]
fn negative_user_version_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    memory_with_units(&p, 2);
    let c = Connection::open(&p).unwrap();
    c.pragma_update(None, "user_version", -1).unwrap();
    drop(c);
    assert_refused_unchanged(&p);
}

#[test]
fn newer_schema_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    memory_with_units(&p, 2);
    let c = Connection::open(&p).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    assert!(matches!(
        Memory::open(&p).map(|_| ()).unwrap_err().kind(),
        ErrorKind::SchemaTooNew { found: 99, .. }
    ));
    assert_refused_unchanged(&p);
}

#[test]
fn another_application_id_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    memory_with_units(&p, 2);
    let c = Connection::open(&p).unwrap();
    c.pragma_update(None, "application_id", 0x1234_5678)
        .unwrap();
    drop(c);
    assert_refused_unchanged(&p);
}

#[test]
fn new_memories_carry_the_application_id_and_old_ones_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    memory_with_units(&p, 2);
    let id = |p: &Path| -> i32 {
        Connection::open(p)
            .unwrap()
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(id(&p), APPLICATION_ID);
    // A memory from before the id (0) with our schema is still a memory; reading it
    // leaves it as it is, the next write marks it.
    Connection::open(&p)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    let before = hash(&p);
    assert_eq!(
        Memory::open_read_only(&p).unwrap().stats().unwrap().units,
        2
    );
    assert_eq!(hash(&p), before);
    assert_eq!(Memory::open(&p).unwrap().stats().unwrap().units, 2);
    assert_eq!(id(&p), APPLICATION_ID);
}

/// An empty file, or a symlink to one, used to become a memory even for `stats`.
#[test]
fn empty_file_is_not_a_memory_for_read_only_commands() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.db");
    std::fs::write(&p, b"").unwrap();
    let link = dir.path().join("link.db");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&p, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::write(&link, b"").unwrap();
    for f in [&p, &link] {
        assert_eq!(
            Memory::open_read_only(f).map(|_| ()).unwrap_err().kind(),
            &ErrorKind::NotAMemory
        );
        assert_eq!(
            Memory::open_existing(f).map(|_| ()).unwrap_err().kind(),
            &ErrorKind::NotAMemory
        );
        for args in [&["stats"][..], &["match", "Hello"], &["export"]] {
            let o = concord(dir.path(), f, args);
            assert!(!o.status.success(), "{args:?} on {}", f.display());
            assert!(stderr(&o).contains("empty file"), "{}", stderr(&o));
        }
        assert_eq!(std::fs::metadata(&p).unwrap().len(), 0);
        for side in side_files(f) {
            assert!(!side.exists(), "{}", side.display());
        }
    }
}

/// A new memory on a full disk used to leave a 0-byte file. The file-size limit makes
/// every write fail with EFBIG, as ENOSPC would (SIGXFSZ is ignored so the write
/// returns the error instead of killing the process).
#[test]
#[cfg(unix)]
fn new_memory_on_a_full_disk_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.tsv"), "en\tko\nHello\t안녕\n").unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 0 && exec '{BIN}' --db m.db import a.tsv"
        ))
        .current_dir(dir.path())
        .env_remove("CONCORD_DB")
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "the import succeeded with no disk space"
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "a.tsv")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}; {}", stderr(&o));
}

/// The read-only commands, each with its arguments.
const READ_ONLY_COMMANDS: &[&[&str]] = &[
    &["stats"],
    &["show", "1"],
    &["match", "Hello number 1"],
    &["search", "Hello"],
    &["export", "--format", "tsv"],
    &["glossary", "export"],
    &[
        "lint",
        "draft.tsv",
        "--glossary",
        "g.csv",
        "--memory-glossary",
    ],
];

fn read_only_fixture(dir: &Path) -> PathBuf {
    let p = dir.join("m.db");
    memory_with_units(&p, 3);
    std::fs::write(dir.join("g.csv"), "en,ko\nHello,안녕\n").unwrap();
    let mut m = Memory::open(&p).unwrap();
    let g = concord::glossary::Glossary::from_csv_str(
        "en,ko\nnumber,번\n",
        Path::new("g.csv"),
        &Default::default(),
    )
    .unwrap();
    m.import_glossary(&["g.csv"], &g).unwrap();
    drop(m);
    std::fs::write(dir.join("draft.tsv"), "en\tko\nHello number 1\t안녕 1번\n").unwrap();
    p
}

fn run_read_only_commands(dir: &Path, db: &Path, wrap: &[&str]) {
    let before = hash(db);
    for args in READ_ONLY_COMMANDS {
        let mut cmd = Command::new(wrap.first().copied().unwrap_or(BIN));
        if !wrap.is_empty() {
            cmd.args(&wrap[1..]).arg(BIN);
        }
        let o = cmd
            .arg("--db")
            .arg(db)
            .args(*args)
            .current_dir(dir)
            .env_remove("CONCORD_DB")
            .output()
            .unwrap();
        // lint exits 1 when it has findings; anything but a failure (2) is fine.
        assert!(
            o.status.code().is_some_and(|c| c == 0 || c == 1),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("readonly"), "{args:?}: {}", stderr(&o));
        assert_eq!(hash(db), before, "{args:?} changed the memory");
    }
}

/// A read-only memory in a directory the user cannot write used to fail with "attempt
/// to write a readonly database". Root ignores permissions, so as root the commands run
/// as `nobody` through setpriv (skipped with a line when that is impossible).
#[test]
#[cfg(unix)]
fn read_only_commands_work_in_a_directory_the_user_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let db = read_only_fixture(&sub);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    for f in ["g.csv", "draft.tsv"] {
        std::fs::set_permissions(sub.join(f), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n");
    let wrap: Vec<&str> = if root.unwrap_or(false) {
        let probe = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status();
        if !probe.is_ok_and(|s| s.success()) {
            eprintln!("skipped: running as root and setpriv cannot drop to nobody, so an unwritable directory cannot be tested");
            return;
        }
        // The binary must be reachable by nobody.
        vec![
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    } else {
        vec![]
    };
    if !wrap.is_empty() {
        let probe = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                BIN,
                "--help",
            ])
            .output()
            .unwrap();
        if !probe.status.success() {
            eprintln!(
                "skipped: nobody cannot run {BIN}, so an unwritable directory cannot be tested"
            );
            return;
        }
        // Really unwritable for that user.
        let touch = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "touch"])
            .arg(sub.join("x"))
            .status()
            .unwrap();
        assert!(!touch.success(), "the directory is writable after all");
    }
    run_read_only_commands(&sub, &db, &wrap);
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A large import used to leave its whole size in the WAL until the last connection
/// closed (a full disk then stopped even `delete`).
#[test]
fn import_checkpoints_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    let mut m = Memory::open(&p).unwrap();
    m.import(&["t"], |imp| {
        for i in 0..3000 {
            imp.add(unit(
                &format!("The ministers met for the {i}th time in Seoul."),
                &format!("장관들은 서울에서 {i}번째로 만났다."),
            ))?;
        }
        Ok(())
    })
    .unwrap();
    let [wal, _] = side_files(&p);
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    let csv = "en,ko\nDPRK,북한\n";
    let g = concord::glossary::Glossary::from_csv_str(csv, Path::new("g.csv"), &Default::default())
        .unwrap();
    m.import_glossary(&["g.csv"], &g).unwrap();
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    m.delete(&[1, 2]).unwrap();
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    assert_eq!(m.stats().unwrap().units, 2998);
}

/// A corrupt matching index used to be reported once per query of a batch (as if the
/// query were bad) and the batch went on; corruption is now an error of the memory that
/// stops the batch at once.
#[test]
fn corrupt_index_in_batch_match_stops_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    memory_with_units(&db, 20);
    // Matching reads the key file, rebuilt from the stored segments when the memory's
    // generation moved: a stored language tag that does not parse is then found.
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "UPDATE variant SET lang = 'not a tag!' WHERE unit_id = 3 AND lang = 'ko';
             UPDATE fz_meta SET value = value + 1 WHERE key = 'generation';",
        )
        .unwrap();
    let o = common::run_db(
        &db,
        &["match"],
        Some("Hello number 1\nHello number 2\nHello number 3\n"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("corrupt memory").count(),
        1,
        "{}",
        stderr(&o)
    );
    assert!(
        !common::stdout(&o).contains("\"error\""),
        "{}",
        common::stdout(&o)
    );
}
