//! Regression tests for bugs found in QA of the memory (issue 2) and the glossary
//! (issue 4). Each test is named after the bug it pins down.

mod common;

use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use common::{run_in as run, stderr, write, BIN};
use concord::lang::LangTag;
use concord::store::Memory;
use concord::unit::{Unit, Variant};

fn unit(en: &str, ko: &str) -> Unit {
    Unit::new(vec![
        Variant::new(LangTag::parse("en").unwrap(), en),
        Variant::new(LangTag::parse("ko").unwrap(), ko),
    ])
}

/// Two imports into the same memory at once: the second waits for the first (busy
/// timeout) instead of failing with "database is locked". The import transaction used to
/// start deferred: it read first (duplicate check), then could not upgrade to a write
/// lock once the other writer had committed (SQLITE_BUSY_SNAPSHOT, no retry).
#[test]
fn concurrent_imports_wait_instead_of_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    drop(Memory::open(&db).unwrap());
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let db_a = db.clone();
    let a = std::thread::spawn(move || {
        let mut mem = Memory::open(&db_a).unwrap();
        mem.import(&["a"], |imp| {
            imp.add(unit("first", "첫째"))?;
            started_tx.send(()).unwrap();
            go_rx.recv_timeout(Duration::from_secs(5)).unwrap();
            // Give the other import time to begin and read.
            std::thread::sleep(Duration::from_millis(400));
            imp.add(unit("second", "둘째"))?;
            Ok(())
        })
    });
    started_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let db_b = db.clone();
    let b = std::thread::spawn(move || {
        let mut mem = Memory::open(&db_b).unwrap();
        go_tx.send(()).unwrap();
        mem.import(&["b"], |imp| {
            imp.add(unit("third", "셋째"))?;
            Ok(())
        })
    });
    let ra = a.join().unwrap();
    let rb = b.join().unwrap();
    assert!(ra.is_ok(), "{:?}", ra.err());
    assert!(rb.is_ok(), "{:?}", rb.err());
    assert_eq!(Memory::open(&db).unwrap().stats().unwrap().units, 3);
}

/// Several processes creating the same new memory at once: each used to read
/// `user_version` 0 before taking the lock and then ran the migrations again ("table unit
/// already exists"), or saw the other's tables and called the file "not a concord memory".
#[test]
fn concurrent_creation_of_a_new_memory_migrates_once() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let db = db.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut mem = Memory::open(&db)?;
                    mem.import(&["t"], |imp| {
                        imp.add(unit(&format!("unit {i}"), &format!("단위 {i}")))?;
                        Ok(())
                    })
                })
            })
            .collect();
        for t in threads {
            let r = t.join().unwrap();
            assert!(r.is_ok(), "{:?}", r.err());
        }
        assert_eq!(Memory::open(&db).unwrap().stats().unwrap().units, 4);
    }
}

/// Excel writes columns that were once touched as trailing empty cells on every line
/// (`en,ko,,`). Two such columns used to be "the header names column  twice".
#[test]
fn excel_trailing_empty_columns_in_a_glossary_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "excel.csv",
        "\u{FEFF}en;ko;zh;;\r\nDPRK;북한;朝鲜;;\r\n\r\nUN;유엔;联合国;;\r\n",
    );
    let out = run(
        dir.path(),
        &["glossary", "fmt", "excel.csv", "-o", "out.csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "en,ko,zh\nDPRK,북한,朝鲜\nUN,유엔,联合国\n"
    );
    // Headerless with --langs: the trailing empty cells are not an extra column either.
    write(dir.path(), "pairs.csv", "DPRK,북한,,\nUN,유엔,,\n");
    let out = run(
        dir.path(),
        &[
            "glossary",
            "fmt",
            "pairs.csv",
            "--langs",
            "en,ko",
            "-o",
            "pairs-out.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // A trailing column with data in some row is still a column.
    write(dir.path(), "data.csv", "en,ko,,\nDPRK,북한,x,\n");
    let out = run(dir.path(), &["glossary", "check", "data.csv"]);
    assert!(!stderr(&out).contains("twice"), "{}", stderr(&out));
}

/// `-o -` wrote a file named `-`, and `-o` on a device, FIFO or symbolic link replaced
/// it with a regular file through the temporary-file-and-rename (as root,
/// `-o /dev/stdout` replaced /dev/stdout itself).
#[test]
fn output_dash_special_files_and_symlinks_are_written_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "g.csv", "en,ko\nDPRK,북한\n");
    write(d, "m.tsv", "en\tko\nHello\t안녕\n");
    let out = run(d, &["--db", "m.db", "import", "m.tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // `-` is standard output, for the three commands that take -o.
    let out = run(d, &["glossary", "fmt", "g.csv", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "en,ko\nDPRK,북한\n");
    let out = run(d, &["--db", "m.db", "export", "--format", "tsv", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("en\tko"));
    let out = run(d, &["--db", "m.db", "glossary", "export", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!d.join("-").exists(), "a file named - was written");

    // A symbolic link is followed: the file it points to gets the output.
    write(d, "real.csv", "old\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
        let out = run(d, &["glossary", "fmt", "g.csv", "-o", "link.csv"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(d.join("link.csv").symlink_metadata().unwrap().is_symlink());
        assert_eq!(
            std::fs::read_to_string(d.join("real.csv")).unwrap(),
            "en,ko\nDPRK,북한\n"
        );
    }

    // A FIFO (like /dev/stdout when it is a pipe) is written in place.
    #[cfg(unix)]
    if Command::new("mkfifo")
        .arg(d.join("fifo"))
        .status()
        .is_ok_and(|s| s.success())
    {
        let fifo = d.join("fifo");
        let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
        let out = run(
            d,
            &["--db", "m.db", "export", "--format", "csv", "-o", "fifo"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        use std::os::unix::fs::FileTypeExt;
        // Checked before joining: a replaced FIFO would leave the reader blocked.
        assert!(d.join("fifo").metadata().unwrap().file_type().is_fifo());
        assert!(reader.join().unwrap().starts_with("en,ko"));
    }
}

/// TSV/CSV export dropped the property columns of a TSV/CSV import (`category`, `code`
/// in the CLDR corpus) and the `creator`/`created`/`changer`/`changed` columns, so
/// import → export → import lost them.
#[test]
fn tsv_csv_export_keeps_property_and_date_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "names.tsv",
        "en\tko\tzh\tcategory\tcode\tcreator\tcreated\n\
         Korea\t한국\t韩国\tterritory\tKR\tkim\t20240101T000000Z\n\
         Won\t원\t韩元\tcurrency\tKRW\t\t\n",
    );
    let out = run(d, &["--db", "a.db", "import", "names.tsv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let show = |db: &str, id: &str| {
        let out = run(d, &["--db", db, "--json", "show", id]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("id");
        v
    };
    for fmt in ["tsv", "csv"] {
        let file = format!("out.{fmt}");
        let db = format!("{fmt}.db");
        let out = run(d, &["--db", "a.db", "export", "--format", fmt, "-o", &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = run(d, &["--db", &db, "import", &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        for id in ["1", "2"] {
            assert_eq!(show("a.db", id), show(&db, id), "{fmt} unit {id}");
        }
    }
    let head = std::fs::read_to_string(d.join("out.tsv")).unwrap();
    assert!(
        head.starts_with("en\tko\tzh\torigin\tnote\tcreator\tcreated\tcategory\tcode\n"),
        "{head}"
    );
}

/// Invalid UTF-16 (an unpaired surrogate) on line 3 was reported as line 1, because the
/// whole 64 KiB chunk was refused before any of it was handed to the reader.
#[test]
fn invalid_utf16_names_the_line_it_is_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let utf16 = |before: &str, after: &str, le: bool| {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        let mut push = |s: &str| {
            for u in s.encode_utf16() {
                b.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
        };
        push(before);
        push("\u{0}"); // placeholder, replaced by a lone high surrogate below
        push(after);
        let at = 2 + before.encode_utf16().count() * 2;
        b[at..at + 2].copy_from_slice(if le { &[0x00, 0xD8] } else { &[0xD8, 0x00] });
        b
    };
    for le in [true, false] {
        write(
            d,
            "m.tsv",
            utf16("en\tko\nHello\t안녕\nBad\t", "x\nOk\tok\n", le),
        );
        let out = run(d, &["--db", "m.db", "import", "m.tsv"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("m.tsv:3: invalid UTF-16"),
            "{}",
            stderr(&out)
        );
        assert!(!d.join("m.db").exists());
    }
    write(d, "g.csv", utf16("en,ko\nDPRK,북한\nUN,", "x\n", true));
    let out = run(d, &["--db", "g.db", "glossary", "import", "g.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("g.csv:3: invalid UTF-16"),
        "{}",
        stderr(&out)
    );
}

/// `delete` of an id that is not in the memory used to report "deleted 0 units" and exit
/// 0; now it is an error and nothing is deleted, not even the ids that exist.
#[test]
fn delete_of_a_missing_id_is_an_error_and_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(dir.path(), "m.tsv", "en\tko\nSeoul\t서울\nBusan\t부산\n");
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    assert!(
        run(dir.path(), &["--db", db, "import", tsv.to_str().unwrap()])
            .status
            .success()
    );
    let o = run(dir.path(), &["--db", db, "delete", "1", "999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no unit 999"), "{}", stderr(&o));
    let o = run(dir.path(), &["--db", db, "show", "1"]);
    assert!(o.status.success(), "unit 1 must survive: {}", stderr(&o));
}

/// `--db` in a directory that does not exist used to create the directory silently (a
/// typo made a new tree); now it is an error. The default location is still created.
#[test]
fn db_in_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(dir.path(), "m.tsv", "en\tko\nSeoul\t서울\n");
    let db = dir.path().join("typo/m.db");
    let o = run(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            tsv.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    assert!(!dir.path().join("typo").exists());
    let o = run(dir.path(), &["import", tsv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("memories/concord.db").exists());
}

/// Excel writes memory CSVs with `;` in some locales; they used to fail with "no header
/// row". The delimiter is now sniffed from the header line.
#[test]
fn excel_semicolon_memory_csv_imports() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "\u{FEFF}en;ko;zh\r\n\"Seoul; the capital\";서울;首尔\r\n",
    );
    let db = dir.path().join("m.db");
    let o = run(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            csv.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &["--db", db.to_str().unwrap(), "show", "1"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Seoul; the capital"));
}

/// `zh-CN` and `zh-Hans` are the same Simplified Chinese: a header naming both used to
/// import them as two languages.
#[test]
fn header_with_zh_cn_and_zh_hans_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(
        dir.path(),
        "m.tsv",
        "en\tzh-CN\tzh-Hans\nSeoul\t首尔\t首尔\n",
    );
    let db = dir.path().join("m.db");
    let o = run(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            tsv.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("m.tsv:1: the header names the same language twice"),
        "{}",
        stderr(&o)
    );
}

/// `concord export | head -1` used to print "Broken pipe" and exit 2.
#[test]
fn closed_pipe_on_export_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("en\tko\n");
    for i in 0..20_000 {
        rows.push_str(&format!(
            "Sentence number {i} of the memory.\t메모리의 {i}번째 문장.\n"
        ));
    }
    let tsv = write(dir.path(), "m.tsv", rows);
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    assert!(
        run(dir.path(), &["--db", db, "import", tsv.to_str().unwrap()])
            .status
            .success()
    );
    let mut child = Command::new(BIN)
        .args(["--db", db, "export", "--format", "tsv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

/// A CSV written by Excel ends its lines with CRLF; the `csv` crate then reports each
/// record on the line of the record before it, and the record after a blank line on the
/// blank line (rust-csv #395, #208). Findings and errors named the wrong row: `lint`
/// pointed at line 1 for the row on line 2, and a short row of a glossary on line 4 was
/// reported at line 3. Every reader of CSV now counts the lines itself.
#[test]
fn csv_with_crlf_and_blank_lines_names_each_rows_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let glossary = write(dir.path(), "g.csv", "en,ko\r\n\r\nDPRK,북한\r\n");
    let draft = write(
        dir.path(),
        "d.csv",
        "en,ko\r\nThe DPRK said.,조선은 말했다.\r\n\r\n\"A two\r\nline cell\",좋다\r\nThe DPRK met.,조선이 만났다.\r\n",
    );
    let g = glossary.display().to_string();
    let out = run(
        dir.path(),
        &["lint", "d.csv", "--glossary", &g, "--no-memory"],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("d.csv:2:5: error term-missing"), "{text}");
    assert!(text.contains("d.csv:6:5: error term-missing"), "{text}");
    assert!(!text.contains("d.csv:1:"), "{text}");
    drop(draft);

    write(
        dir.path(),
        "short.csv",
        "en,ko\r\nok,좋다\r\n\r\nonly one cell\r\n",
    );
    let out = run(
        dir.path(),
        &["lint", "short.csv", "--glossary", &g, "--no-memory"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("short.csv:4:"), "{}", stderr(&out));

    write(dir.path(), "g2.csv", "en,ko\r\n\r\nDPRK,북한\r\nSeoul\r\n");
    let db = dir.path().join("m.db");
    let out = run(
        dir.path(),
        &["--db", db.to_str().unwrap(), "glossary", "import", "g2.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("g2.csv:4:"), "{}", stderr(&out));
}
