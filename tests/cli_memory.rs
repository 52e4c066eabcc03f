//! The `concord` binary on bad input: a clear error naming the file (and the line when
//! there is one), exit code 2, and the memory unchanged.

mod common;

use std::path::{Path, PathBuf};

use common::{stderr, Env};

/// The whole memory as TSV (units, languages, texts) plus the unit count.
fn snapshot(env: &Env) -> String {
    let out = env.run(&["export", "--format", "tmx"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = env.run(&["--json", "stats"]);
    let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    format!("{}\n{}", v["units"], String::from_utf8(out.stdout).unwrap())
}

/// A memory holding one good file.
fn seeded() -> Env {
    let env = Env::new();
    let good = env.file(
        "good.tsv",
        "en\tko\tzh\nThe talks were held in Seoul.\t회담은 서울에서 열렸다.\t会谈在首尔举行。\n",
    );
    let out = env.import(&[&good]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

/// Import `bad` into a seeded memory: exit 2, the message contains `expect`, nothing changes.
fn refused(name: &str, bytes: &[u8], expect: &str) -> String {
    let env = seeded();
    let before = snapshot(&env);
    let bad = env.file(name, bytes);
    let out = env.import(&[&bad]);
    assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("concord: error: "), "{err}");
    assert!(
        err.contains(name),
        "{name}: the error names the file: {err}"
    );
    assert!(err.contains(expect), "{name}: expected {expect:?} in {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&env), before, "{name}: the memory changed");
    err
}

#[test]
fn malformed_xml_names_the_line() {
    let tmx = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\">\n<header srclang=\"en\"/>\n<body>\n<tu><tuv xml:lang=\"en\"><seg>Seoul</seg></tuv>\n<tuv xml:lang=\"ko\"><seg>서울</sge></tuv></tu>\n</body>\n</tmx>\n";
    refused("broken.tmx", tmx.as_bytes(), "broken.tmx:6: malformed XML");
    // Cut short.
    refused(
        "cut.tmx",
        b"<tmx version=\"1.4\">\n<header/>\n<body>\n<tu>\n<tuv xml:lang=\"en\"><seg>Se",
        "cut.tmx:5:",
    );
}

#[test]
fn tsv_row_with_wrong_cell_count() {
    refused(
        "rows.tsv",
        "en\tko\nSeoul\t서울\nBusan\n".as_bytes(),
        "rows.tsv:3: this row has 1 cell, the header has 2",
    );
}

#[test]
fn unknown_language_tag() {
    let tmx = "<tmx version=\"1.4\">\n<header srclang=\"en\"/>\n<body>\n<tu>\n<tuv xml:lang=\"en\"><seg>Seoul</seg></tuv>\n<tuv xml:lang=\"xx\"><seg>서울</seg></tuv>\n</tu>\n</body>\n</tmx>\n";
    let err = refused(
        "xx.tmx",
        tmx.as_bytes(),
        "xx.tmx:6: <tuv xml:lang=\"xx\">: unknown language",
    );
    assert!(err.contains("placeholder"), "{err}");
    refused(
        "qq.tsv",
        "en\tqq\nSeoul\t서울\n".as_bytes(),
        "qq.tsv:1: header: unknown language \"qq\"",
    );
}

#[test]
fn header_less_csv() {
    refused(
        "noheader.csv",
        "Seoul,서울\nBusan,부산\n".as_bytes(),
        "noheader.csv:1: no header row",
    );
}

#[test]
fn empty_file() {
    refused("empty.tsv", b"", "the file is empty");
    refused("empty.tmx", b"", "the file is empty");
    refused("blank.tmx", b"\n\n", "not a TMX file");
}

#[test]
fn binary_file() {
    let png = [
        0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H',
    ];
    refused("image.tmx", &png, "binary");
    refused("image.tsv", &png, "binary");
}

#[test]
fn not_utf8_names_the_line() {
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<tmx version=\"1.4\"><header/><body>\n<tu><tuv xml:lang=\"fr\"><seg>caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"</seg></tuv></tu></body></tmx>\n");
    refused("latin1.tmx", &bytes, "latin1.tmx:3: invalid UTF-8");
}

#[test]
fn missing_file() {
    let env = seeded();
    let before = snapshot(&env);
    let out = env.run(&["import", "no-such-file.tmx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no-such-file.tmx"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&env), before);
}

#[test]
fn second_file_broken_leaves_memory_unchanged() {
    let Some(tmx) = common::shared_fixtures("tmx") else {
        return;
    };
    let env = seeded();
    let before = snapshot(&env);
    let good = tmx.join("ttk-po2tmx-en-ko.tmx");
    let bad = env.file(
        "bad.tmx",
        "<tmx version=\"1.4\"><header/><body>\n<tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"ko\"><seg>가</seg></tuv></tu>\n<tu><tuv xml:lang=\"en\"><seg>b</tuv></tu>\n</body></tmx>",
    );
    let out = env.import(&[&good, &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.tmx:3: malformed XML"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&env), before);
}

#[test]
fn failed_first_import_creates_no_memory() {
    let env = Env::new();
    let bad = env.file("bad.tmx", "<tmx><body><tu>");
    let out = env.import(&[&bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!env.db().exists());
}

#[test]
fn tmx_import_export_through_the_cli() {
    let Some(tmx) = common::shared_fixtures("tmx") else {
        return;
    };
    let env = Env::new();
    let files: Vec<PathBuf> = std::fs::read_dir(tmx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let out = env.import(&refs);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.starts_with("imported "), "{summary}");
    // Re-importing adds nothing.
    let again = env.import(&refs);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("imported 0 units"));
    let out_tmx = env.dir.path().join("out.tmx");
    let out = env.run(&["export", "--format", "tmx", "-o", out_tmx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The export imports into a fresh memory with the same unit count.
    let fresh = Env::new();
    let out = fresh.import(&[&out_tmx]);
    assert!(out.status.success(), "{}", stderr(&out));
    let count = |e: &Env| -> serde_json::Value {
        let s = e.run(&["--json", "stats"]);
        serde_json::from_slice::<serde_json::Value>(&s.stdout).unwrap()["units"].clone()
    };
    assert_eq!(count(&env), count(&fresh));
}

/// `concord import /dev/stdin` (a pipe, whose name has no extension) was refused with
/// "cannot tell the format from the file name" even for a TMX or XLIFF: the format is now
/// told from the content, as analyze, pretranslate and lint do (`formats::sniff`); prose
/// is still refused, and an error in a file read so says what it was read as.
#[test]
fn import_reads_a_pipe_by_its_content() {
    let env = seeded();
    let xliff = std::fs::read_to_string(common::data("formats", "xliff12-en-ko.xlf")).unwrap();
    let tmx = std::fs::read_to_string(common::data("formats", "tmx-en-ko.tmx")).unwrap();
    for (what, text) in [
        ("XLIFF", xliff.as_str()),
        ("TMX", tmx.as_str()),
        ("TSV", "en\tko\nPeace.\t평화.\n"),
    ] {
        let out = env.run_stdin(&["import", "/dev/stdin"], Some(text));
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        let said = common::stdout(&out);
        assert!(said.starts_with("imported "), "{what}: {said}");
        assert!(!said.starts_with("imported 0 "), "{what}: {said}");
    }
    let before = snapshot(&env);
    let out = env.run_stdin(&["import", "/dev/stdin"], Some("Just prose.\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("its content is plain text"),
        "{}",
        stderr(&out)
    );
    let out = env.run_stdin(
        &["import", "/dev/stdin"],
        Some("en\tko\nPeace.\t평화.\tx\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("/dev/stdin:2: "), "{err}");
    assert!(err.contains("(read as TSV, told from its content"), "{err}");
    assert_eq!(
        snapshot(&env),
        before,
        "a refused import changed the memory"
    );
}
