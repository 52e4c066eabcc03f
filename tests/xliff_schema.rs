//! The XLIFF that concord writes validates: XLIFF 1.2 against tests/schemas/
//! xliff-1.2-check.xsd (the 1.2 transitional structure), XLIFF 2.0 against
//! tests/schemas/xliff-2.0-check.xsd (core, with the matches and metadata modules). The
//! schemas are written from the OASIS specifications (no registry package ships the
//! OASIS files; each schema's header says what it covers). Validation is xmllint's
//! (Debian libxml2-utils): without it the test skips with one line, unless
//! `CONCORD_REQUIRE_SHARED=1` (CI), where a missing validator fails.
//!
//! Checked: `concord export --format xliff|xliff2` of a memory with inline codes, notes,
//! dates and properties; and, to show the check can fail, files the schemas must refuse.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use concord::formats::import::ImportPlan;
use concord::formats::{write_memory, Format};
use concord::store::Memory;

fn schema(name: &str) -> PathBuf {
    Path::new(common::ROOT).join("tests/schemas").join(name)
}

/// True when xmllint runs; else one skip line (or a failure under CONCORD_REQUIRE_SHARED=1).
fn have_xmllint() -> bool {
    if Command::new("xmllint").arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var(common::REQUIRE_SHARED).is_ok_and(|v| v == "1") {
        panic!(
            "xmllint is missing and {}=1 requires it (apt-get install libxml2-utils)",
            common::REQUIRE_SHARED
        );
    }
    eprintln!("skipped xliff_schema: xmllint is missing (apt-get install libxml2-utils)");
    false
}

/// xmllint's verdict on `file` against `xsd`: Ok, or its messages.
fn validate(xsd: &Path, file: &Path) -> Result<(), String> {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd)
        .arg(file)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

const MEMORY_TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body>
<tu creationdate="20260301T090000Z" creationid="lee" changedate="2026-03-02"><prop type="x-xliff-state">signed-off</prop><note>checked &amp; signed</note>
<tuv xml:lang="en"><seg>Read the <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>joint statement<ept i="1">&lt;/b&gt;</ept> &amp; annex.<ph x="2" type="lb">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="ko"><seg><bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>공동성명<ept i="1">&lt;/b&gt;</ept> 및 부속서를 읽으십시오.<ph x="2" type="lb">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="zh-CN"><seg>请阅读<bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>联合声明<ept i="1">&lt;/b&gt;</ept>及附件。</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>An <it pos="begin" x="5" type="italic">&lt;i&gt;</it>open code and <hi type="x-term">a term</hi> <ut>{\b}</ut>.</seg></tuv>
<tuv xml:lang="ko"><seg><it pos="begin" x="5" type="italic">&lt;i&gt;</it>열린 코드와 <hi type="x-term">용어</hi> <ut>{\b}</ut>.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Unpaired end<ept i="7">&lt;/span&gt;</ept> and start<bpt i="8">&lt;span&gt;</bpt>.</seg></tuv>
<tuv xml:lang="ko"><seg>짝 없는 끝<ept i="7">&lt;/span&gt;</ept>과 시작<bpt i="8">&lt;span&gt;</bpt>.</seg></tuv></tu>
</body></tmx>"#;

const MEMORY_TSV: &str = "en\tko\tzh-CN\nThe talks ended.\t회담이 끝났다.\t会谈结束了。\nA < b & \"c\"\t가 < 나 & \"다\"\t甲 < 乙 & “丙”\n";

fn memory(dir: &Path) -> Memory {
    let tmx = common::write(dir, "m.tmx", MEMORY_TMX);
    let tsv = common::write(dir, "m.tsv", MEMORY_TSV);
    let mut mem = Memory::open_in_memory().unwrap();
    ImportPlan::new(&[tmx, tsv], None)
        .unwrap()
        .import(&mut mem, |_, _| {})
        .unwrap();
    mem
}

#[test]
fn exported_xliff_validates_against_the_schemas() {
    if !have_xmllint() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let mem = memory(d.path());
    for (format, xsd) in [
        (Format::Xliff, "xliff-1.2-check.xsd"),
        (Format::Xliff2, "xliff-2.0-check.xsd"),
    ] {
        for langs in ["en,ko", "en,zh-CN", "ko,zh-CN"] {
            let ranges = concord::lang::parse_ranges(langs).unwrap();
            let mut out = Vec::new();
            let report = write_memory(&mem, format, &ranges, &mut out).unwrap();
            assert!(report.units >= 2, "{format} {langs}: {report:?}");
            let f = common::write(d.path(), &format!("{format}-{langs}.xlf"), &out);
            if let Err(e) = validate(&schema(xsd), &f) {
                panic!(
                    "{format} {langs} does not validate:\n{e}\n{}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }
}

/// The schemas refuse what the specifications refuse (so the check above can fail).
#[test]
fn schemas_refuse_invalid_xliff() {
    if !have_xmllint() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let v12 = |unit: &str| {
        format!(
            r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="t" source-language="en" target-language="ko" datatype="plaintext"><body>{unit}</body></file></xliff>"#
        )
    };
    let v20 = |seg: &str| {
        format!(
            r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:mtc="urn:oasis:names:tc:xliff:matches:2.0" version="2.0" srcLang="en" trgLang="ko"><file id="f"><unit id="u">{seg}</unit></file></xliff>"#
        )
    };
    let good12 = v12(
        r#"<trans-unit id="1"><source>a <g id="1">b</g></source><target state="translated" state-qualifier="exact-match">가 <g id="1">나</g></target><alt-trans match-quality="96" origin="concord"><target>다</target></alt-trans></trans-unit>"#,
    );
    let good20 = v20(
        r##"<mtc:matches><mtc:match ref="#s1" similarity="96" type="tm" origin="concord"><source>a</source><target>가</target></mtc:match></mtc:matches><segment id="s1" state="initial"><source>a</source></segment>"##,
    );
    let cases: &[(&str, String, bool)] = &[
        ("xliff-1.2-check.xsd", good12, true),
        (
            "xliff-1.2-check.xsd",
            v12(
                r#"<trans-unit id="1"><source>a</source><target state="fake">가</target></trans-unit>"#,
            ),
            false,
        ),
        (
            "xliff-1.2-check.xsd",
            v12(r#"<trans-unit><source>a</source></trans-unit>"#),
            false,
        ),
        (
            "xliff-1.2-check.xsd",
            v12(r#"<trans-unit id="1"><target>가</target><source>a</source></trans-unit>"#),
            false,
        ),
        (
            "xliff-1.2-check.xsd",
            v12(r#"<trans-unit id="1"><source>a<it id="1" pos="begin"/></source></trans-unit>"#),
            false,
        ),
        ("xliff-2.0-check.xsd", good20, true),
        (
            "xliff-2.0-check.xsd",
            v20(r#"<segment state="badState"><source>a</source></segment>"#),
            false,
        ),
        (
            "xliff-2.0-check.xsd",
            v20(r#"<segment><source>a<ph/></source></segment>"#),
            false,
        ),
        (
            "xliff-2.0-check.xsd",
            v20(
                r#"<mtc:matches><mtc:match similarity="120" ref="x"><source>a</source><target>b</target></mtc:match></mtc:matches><segment><source>a</source></segment>"#,
            ),
            false,
        ),
        (
            "xliff-2.0-check.xsd",
            v20(
                r#"<originalData><data id="d1">x</data></originalData><notes><note>n</note></notes><segment><source>a</source></segment>"#,
            ),
            false,
        ),
    ];
    for (k, (xsd, text, ok)) in cases.iter().enumerate() {
        let f = common::write(d.path(), &format!("c{k}.xlf"), text);
        let r = validate(&schema(xsd), &f);
        assert_eq!(r.is_ok(), *ok, "case {k}: {r:?}\n{text}");
    }
    // The OASIS test suite's valid and invalid files, when ../shared is there.
    let Some(dir) = common::shared_fixtures("xliff") else {
        return;
    };
    let xsd = schema("xliff-2.0-check.xsd");
    assert!(validate(&xsd, &dir.join("oasis-xliff20-everything-core.xlf")).is_ok());
    assert!(validate(&xsd, &dir.join("oasis-xliff20-bad_InvalidStateValue.xlf")).is_err());
    let xsd = schema("xliff-1.2-check.xsd");
    for f in ["ttk-xliff12-en-ko.xlf", "okapi-htmltest.html.xlf"] {
        let r = validate(&xsd, &dir.join(f));
        assert!(r.is_ok(), "{f}: {r:?}");
    }
}

/// `concord pretranslate` output validates too: XLIFF 1.2 (`alt-trans`, `state-qualifier`,
/// notes), XLIFF 2.0 with the matches module (`mtc:match`), and XLIFF/SDLXLIFF written
/// back in the flavour they came in.
#[test]
fn pretranslated_xliff_validates_against_the_schemas() {
    if !have_xmllint() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let db = dir.join("m.db");
    let tsv = common::write(
        dir,
        "m.tsv",
        "en\tko\nThe talks ended.\t회담이 끝났다.\n\
         The two ministers met in Seoul on 3 March 2026.\t두 장관은 2026년 3월 3일 서울에서 만났다.\n\
         The two ministers met in Seoul.\t두 장관은 서울에서 만났다.\n\
         First sentence.\t첫 문장.\nSecond sentence.\t둘째 문장.\n\
         Press Save & close.\t저장 후 닫기를 누르십시오.\n",
    );
    let run = |args: &[&str]| {
        let out = common::run_db(&db, args, None);
        assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    };
    run(&["import", tsv.to_str().unwrap()]);
    let doc = common::write(
        dir,
        "doc.txt",
        "The talks ended.\nThe two ministers met in Seoul on 19 March 2026.\nThe two ministers met in Busan.\nSomething new.\n",
    );
    let mut checked = 0;
    for (format, xsd) in [
        ("xliff", "xliff-1.2-check.xsd"),
        ("xliff2", "xliff-2.0-check.xsd"),
    ] {
        let out = dir.join(format!("pre-{format}.xlf"));
        run(&[
            "pretranslate",
            doc.to_str().unwrap(),
            "--from",
            "en",
            "--to",
            "ko",
            "--alternatives",
            "2",
            "--min-score",
            "50",
            "--output-format",
            format,
            "-o",
            out.to_str().unwrap(),
        ]);
        if let Err(e) = validate(&schema(xsd), &out) {
            panic!(
                "pretranslate {format} does not validate:\n{e}\n{}",
                std::fs::read_to_string(&out).unwrap()
            );
        }
        checked += 1;
    }
    // The XLIFF 2.0 input again in UTF-16 (little-endian, with its byte order mark).
    let v2 = std::fs::read_to_string(common::data("formats", "xliff20-en-ko.xlf")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        v2.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    std::fs::write(dir.join("xliff20-utf16.xlf"), utf16).unwrap();
    for (input, xsd) in [
        ("xliff12-en-ko.xlf", "xliff-1.2-check.xsd"),
        ("sdlxliff-en-ko.sdlxliff", "xliff-1.2-check.xsd"),
        ("xliff20-en-ko.xlf", "xliff-2.0-check.xsd"),
        ("xliff20-utf16.xlf", "xliff-2.0-check.xsd"),
    ] {
        let out = dir.join(format!("same-{input}"));
        let path = match input {
            "xliff20-utf16.xlf" => dir.join(input),
            _ => common::data("formats", input),
        };
        run(&[
            "pretranslate",
            path.to_str().unwrap(),
            "--overwrite",
            "--output-format",
            "same",
            "-o",
            out.to_str().unwrap(),
        ]);
        if let Err(e) = validate(&schema(xsd), &out) {
            panic!(
                "pretranslate of {input} does not validate:\n{e}\n{}",
                String::from_utf8_lossy(&std::fs::read(&out).unwrap())
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
}
