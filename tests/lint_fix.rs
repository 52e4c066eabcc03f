//! `concord lint --fix` and `--fix --dry-run` from the command line: byte-exact rewrites
//! of every draft type, Korean particles, NFC/NFD Hangul, 2-character Chinese terms,
//! ambiguous hits, the second run, exit codes, and the atomic output path.

mod common;

use std::path::Path;

use common::desk::Desk;
use common::{run_code as concord, write};

const GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden\n\
    dprk,DPRK,북한,朝鲜,북조선,北韩\n\
    seoul,Seoul,서울,首尔,,汉城\n\
    mongolia,Mongolia,몽골,蒙古,몽고,\n\
    beijing,Beijing,베이징,北京,북경,\n";

fn setup(name: &str, bytes: &[u8]) -> (Desk, std::path::PathBuf) {
    let d = Desk::new(GLOSSARY);
    let p = d.file(name, bytes);
    (d, p)
}

fn fix(d: &Desk, name: &str, extra: &[&str]) -> (i32, String, String) {
    d.lint(&[&["--no-memory", "--fix", name], extra].concat())
}

fn read(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap()).unwrap()
}

/// Fix `before` (written as `name`) and check the file is `after`, byte for byte, and
/// that a second run finds nothing to fix.
fn fixes_to(name: &str, before: &str, after: &str) -> (String, String) {
    let (d, p) = setup(name, before.as_bytes());
    let (code, out, err) = fix(&d, name, &[]);
    assert!(code == 0 || code == 1, "{code}: {out}\n{err}");
    assert_eq!(read(&p), after, "{out}\n{err}");
    let (code, diff, err2) = fix(&d, name, &["--dry-run"]);
    assert_eq!(code, 0, "a second run found something: {diff}\n{err2}");
    assert_eq!(diff, "");
    assert!(
        err2.contains("would fix 0 (") || err2.contains("would fix 0,"),
        "{err2}"
    );
    (out, err)
}

#[test]
fn tsv_with_bom_and_crlf_is_fixed_byte_exact_with_particles() {
    let before = "\u{FEFF}en\tko\r\n\
        Mongolia agreed.\t몽고는 동의했다.\r\n\
        They went to Mongolia.\t그들은 몽고로 갔다.\r\n\
        The DPRK fired.\t북조선이 발사했다. \"북조선\"\r\n\
        Beijing said\t북경은 말했다\r\n";
    let after = "\u{FEFF}en\tko\r\n\
        Mongolia agreed.\t몽골은 동의했다.\r\n\
        They went to Mongolia.\t그들은 몽골로 갔다.\r\n\
        The DPRK fired.\t북한이 발사했다. \"북한\"\r\n\
        Beijing said\t베이징은 말했다\r\n";
    let (out, _) = fixes_to("d.tsv", before, after);
    assert!(
        out.contains("d.tsv:2:18: fixed term-forbidden: 몽고는 → 몽골은"),
        "{out}"
    );
    assert!(
        out.contains("d.tsv: fixed 5 (term-forbidden: 5), 0 not fixed, file rewritten"),
        "{out}"
    );
    assert!(out.contains("4 segments checked: 0 errors"), "{out}");
}

#[test]
fn quoted_csv_is_fixed_byte_exact() {
    // Quoted cells with commas, doubled quotes and a line break; CRLF line ends; an
    // unquoted cell.
    let before = "en,zh\r\n\
        \"Seoul, \"\"DPRK\"\"\",\"汉城, \"\"北韩\"\"\"\r\n\
        \"Two\r\nlines\",\"北韩\r\n汉城\"\r\n\
        DPRK,北韩\r\n";
    let after = "en,zh\r\n\
        \"Seoul, \"\"DPRK\"\"\",\"首尔, \"\"朝鲜\"\"\"\r\n\
        \"Two\r\nlines\",\"朝鲜\r\n首尔\"\r\n\
        DPRK,朝鲜\r\n";
    fixes_to("d.csv", before, after);
}

#[test]
fn semicolon_csv_from_excel_is_fixed() {
    fixes_to(
        "d.csv",
        "en;ko\nDPRK;\"북조선; 북경\"\nx;북조선\n",
        "en;ko\nDPRK;\"북한; 베이징\"\nx;북한\n",
    );
}

const XLIFF12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file source-language="en" target-language="zh-CN" datatype="plaintext" original="x">
  <body>
   <trans-unit id="1">
    <source>The <g id="1">DPRK</g> &amp; Seoul</source>
    <target state="translated"><g id="1" ctype="bold">北韩</g> &amp; <x id="2"/>汉城&lt;x&gt;</target>
   </trans-unit>
   <trans-unit id="2">
    <source>DPRK and DPRK</source>
    <target>北<x id="1"/>韩 与北韩</target>
   </trans-unit>
   <trans-unit id="3">
    <source>Seoul</source>
    <target><![CDATA[汉城 & co]]></target>
    <alt-trans><target>汉城</target></alt-trans>
   </trans-unit>
  </body>
 </file>
</xliff>
"#;

#[test]
fn xliff12_keeps_inline_tags_around_and_next_to_the_term() {
    let after = XLIFF12
        .replace(
            r#"<g id="1" ctype="bold">北韩</g> &amp; <x id="2"/>汉城&lt;x&gt;"#,
            r#"<g id="1" ctype="bold">朝鲜</g> &amp; <x id="2"/>首尔&lt;x&gt;"#,
        )
        .replace("韩 与北韩</target>", "韩 与朝鲜</target>")
        .replace("<![CDATA[汉城 & co]]>", "<![CDATA[首尔 & co]]>");
    let (d, p) = setup("d.xlf", XLIFF12.as_bytes());
    let (code, out, err) = fix(&d, "d.xlf", &[]);
    assert_eq!(read(&p), after, "{out}\n{err}");
    // 北<x/>韩 has a tag inside: reported, left, and still an error.
    assert!(
        out.contains("d.xlf:11:13: not fixed term-forbidden: 北韩: an inline tag is inside it"),
        "{out}"
    );
    assert!(out.contains("error term-forbidden"), "{out}");
    assert_eq!(code, 1, "{out}");
    // The <alt-trans> target is not the segment's: untouched.
    assert!(read(&p).contains("<alt-trans><target>汉城</target>"));
}

#[test]
fn xliff20_sdlxliff_and_mqxliff_are_fixed_in_place() {
    let x20 = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="ko">
 <file id="f1">
  <unit id="u1">
   <segment id="s1" state="translated">
    <source><pc id="1">Mongolia</pc>, Beijing and the DPRK</source>
    <target><pc id="1">몽고</pc>는 <pc id="2">북경</pc>과 &#xBD81;조선을</target>
   </segment>
  </unit>
 </file>
</xliff>
"#;
    // 몽고 → 몽골 needs 는 → 은, but the particle is after </pc>, in another stretch of
    // text: refused rather than guessed. 북경 → 베이징 keeps 과 (both end in a
    // consonant); 북조선 written with a character reference is one stretch of text.
    let (d, p) = setup("d.xlf", x20.as_bytes());
    let (code, out, err) = fix(&d, "d.xlf", &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        read(&p),
        x20.replace("<pc id=\"2\">북경</pc>과", "<pc id=\"2\">베이징</pc>과")
            .replace("&#xBD81;조선을", "북한을"),
        "{out}\n{err}"
    );
    assert!(
        out.contains("not fixed term-forbidden: 몽고: it is not one stretch of text"),
        "{out}"
    );

    let sdl = r#"<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
<file original="a.docx" datatype="x-sdlfilterframework2" source-language="en-US" target-language="zh-CN">
<body>
<trans-unit id="t1">
<source>Seoul. DPRK.</source>
<seg-source><mrk mtype="seg" mid="1">Seoul.</mrk> <mrk mtype="seg" mid="2">DPRK.</mrk></seg-source>
<target><mrk mtype="seg" mid="1">汉城。</mrk> <mrk mtype="seg" mid="2">北韩。</mrk></target>
<sdl:seg-defs><sdl:seg id="1" conf="Translated"/><sdl:seg id="2" conf="Translated"/></sdl:seg-defs>
</trans-unit>
</body>
</file>
</xliff>
"#;
    fixes_to(
        "d.sdlxliff",
        sdl,
        &sdl.replace("汉城。", "首尔。").replace("北韩。", "朝鲜。"),
    );

    let mq = r#"<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:mq="MQXliff" version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.docx" source-language="en" target-language="ko" datatype="x-docx">
<body>
<trans-unit id="1" mq:status="ManuallyConfirmed">
<source xml:space="preserve">The DPRK &amp; Mongolia</source>
<target xml:space="preserve">북조선 &amp; 몽고를 <bpt id="1">{}</bpt>방문<ept id="1">{}</ept></target>
</trans-unit>
</body>
</file>
</xliff>
"#;
    fixes_to(
        "d.mqxliff",
        mq,
        &mq.replace("북조선 &amp; 몽고를", "북한 &amp; 몽골을"),
    );
}

#[test]
fn tmx_with_entities_and_codes_is_fixed_byte_exact() {
    let before = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="x" creationtoolversion="1" o-tmf="x"/>
<body>
<tu tuid="a"><tuv xml:lang="en"><seg>Seoul &amp; the DPRK</seg></tuv><tuv xml:lang="zh-CN"><seg>&#x6C49;城 &amp; <bpt i="1">&lt;b&gt;</bpt>北韩<ept i="1">&lt;/b&gt;</ept>&apos;s</seg></tuv></tu>
<tu tuid="b"><tuv xml:lang="en"><seg>Seoul</seg></tuv><tuv xml:lang="zh-CN"><seg>汉城</seg></tuv></tu>
</body>
</tmx>
"#;
    let after = before
        .replace("&#x6C49;城 &amp;", "首尔 &amp;")
        .replace("</bpt>北韩<ept", "</bpt>朝鲜<ept")
        .replace("<seg>汉城</seg>", "<seg>首尔</seg>");
    fixes_to("d.tmx", before, &after);
}

#[test]
fn nfd_hangul_is_fixed_in_nfd_and_nfc_in_nfc() {
    use unicode_normalization::UnicodeNormalization;
    let nfd = |s: &str| s.nfd().collect::<String>();
    let before = format!(
        "en\tko\nMongolia\t{}\nMongolia\t몽고는 북조선과\n",
        nfd("몽고는 북조선과")
    );
    let after = format!(
        "en\tko\nMongolia\t{}\nMongolia\t몽골은 북한과\n",
        nfd("몽골은 북한과")
    );
    fixes_to("d.tsv", &before, &after);
}

#[test]
fn ambiguous_hits_are_reported_and_left() {
    // Two entries forbid 北韩 with different approved variants.
    let d = Desk::new(&format!("{GLOSSARY}old-rok,South Korea,한국,韩国,,北韩\n"));
    let before = "en\tzh\nDPRK\t北韩\nSeoul\t汉城\n";
    let p = write(d.path(), "d.tsv", before);
    let (code, out, err) = fix(&d, "d.tsv", &["--format", "json"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(read(&p), "en\tzh\nDPRK\t北韩\nSeoul\t首尔\n");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let fix = &v["summary"]["fix"];
    assert_eq!(fix["by_rule"]["term-forbidden"], 1, "{fix}");
    assert_eq!(fix["changes"][0]["from"], "汉城");
    assert_eq!(fix["changes"][0]["to"], "首尔");
    assert_eq!(fix["not_fixed"][0]["text"], "北韩");
    assert!(
        fix["not_fixed"][0]["why"]
            .as_str()
            .unwrap()
            .contains("both forbid it"),
        "{fix}"
    );
    assert_eq!(fix["written"], true);
    // What is left is reported as usual.
    assert_eq!(v["summary"]["by_rule"]["term-forbidden"], 1, "{v}");
    assert!(
        err.contains("fixed 1 (term-forbidden: 1), 1 not fixed"),
        "{err}"
    );
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let before = "en\tzh\nx\ty\nDPRK\t北韩\n";
    let (d, p) = setup("d.tsv", before.as_bytes());
    let (code, out, err) = fix(&d, "d.tsv", &["--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "--- a/d.tsv\n+++ b/d.tsv\n@@ -1,3 +1,3 @@\n en\tzh\n x\ty\n-DPRK\t北韩\n+DPRK\t朝鲜\n"
    );
    assert!(
        err.contains("d.tsv:3:6: would fix term-forbidden: 北韩 → 朝鲜"),
        "{err}"
    );
    assert_eq!(read(&p), before);
    // The diff applies with patch(1) where it exists.
    let patched = std::process::Command::new("patch")
        .args(["-s", "-p1"])
        .current_dir(d.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .ok()
        .map(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
            c.wait().unwrap().success()
        });
    if patched == Some(true) {
        assert_eq!(read(&p), "en\tzh\nx\ty\nDPRK\t朝鲜\n");
    } else {
        eprintln!("patch(1) not run: the diff was checked as text only");
    }
    // JSON: one document with the diff.
    std::fs::write(&p, before).unwrap();
    let (code, out, _) = fix(&d, "d.tsv", &["--dry-run", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["schema"], "concord-lint-fix/1");
    assert_eq!(v["fix"]["dry_run"], true);
    assert!(v["fix"]["diff"].as_str().unwrap().contains("+DPRK\t朝鲜"));
    assert_eq!(read(&p), before);
    // --dry-run without --fix is a usage error.
    let (code, _, err) = d.lint(&["--no-memory", "--dry-run", "d.tsv"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn read_only_draft_is_replaced_only_with_force() {
    let before = "en\tko\nDPRK\t북조선\n";
    let (d, p) = setup("d.tsv", before.as_bytes());
    let mut perm = std::fs::metadata(&p).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&p, perm).unwrap();
    let (code, out, err) = fix(&d, "d.tsv", &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(read(&p), before);
    let (code, out, err) = fix(&d, "d.tsv", &["--force"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(read(&p), "en\tko\nDPRK\t북한\n");
    assert!(std::fs::metadata(&p).unwrap().permissions().readonly());
    // No temporary file left beside it.
    let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
    assert_eq!(names.len(), 2);
}

#[test]
fn the_open_memory_is_never_the_fixed_file() {
    let before = "en\tko\nDPRK\t북조선\n";
    let (d, p) = setup("d.tsv", before.as_bytes());
    let (code, _, err) = concord(
        d.path(),
        &[
            "--db",
            "d.tsv",
            "lint",
            "--no-memory",
            "--glossary",
            "g.csv",
            "--fix",
            "d.tsv",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(read(&p), before);
}

#[test]
fn plain_text_and_utf16_drafts_are_refused() {
    let d = Desk::new(GLOSSARY);
    d.file("ko.txt", "북조선\n");
    let (code, _, err) = fix(&d, "ko.txt", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("plain text"), "{err}");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "en\tko\nDPRK\t북조선\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let p = write(d.path(), "d.tsv", &utf16);
    let (code, _, err) = fix(&d, "d.tsv", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("UTF-16"), "{err}");
    assert_eq!(std::fs::read(&p).unwrap(), utf16);
}

#[test]
fn findings_the_baseline_silences_are_not_fixed() {
    let (d, p) = setup("d.tsv", "en\tzh\nDPRK\t北韩\n".as_bytes());
    let (code, _, err) = d.lint(&["--no-memory", "d.tsv", "--write-baseline", ".concordignore"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&p, "en\tzh\nDPRK\t北韩\nSeoul\t汉城\n").unwrap();
    let (code, out, err) = fix(&d, "d.tsv", &["--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(read(&p), "en\tzh\nDPRK\t北韩\nSeoul\t首尔\n");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["summary"]["fix"]["silenced"], 1, "{v}");
    assert_eq!(v["summary"]["silenced"], 1, "{v}");
}
