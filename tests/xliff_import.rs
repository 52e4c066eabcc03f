//! Bilingual XLIFF into the memory and back out: `concord import` of XLIFF 1.2/2.0,
//! SDLXLIFF and MQXLIFF (every XLIFF under ../shared/fixtures/xliff and hand-written
//! files), and `concord export --format xliff|xliff2`.

mod common;

use std::path::PathBuf;

use concord::formats::import::ImportPlan;
use concord::formats::{write_memory, Format};
use concord::lang::{LangRange, LangTag};
use concord::store::{ImportReport, Memory};
use concord::unit::Unit;
use unicode_normalization::UnicodeNormalization;

fn import(files: &[PathBuf]) -> (Memory, concord::Result<ImportReport>) {
    let mut mem = Memory::open_in_memory().unwrap();
    let r = ImportPlan::new(files, None).and_then(|p| p.import(&mut mem, |_, _| {}));
    (mem, r)
}

fn units(mem: &Memory) -> Vec<Unit> {
    let mut out = vec![];
    mem.for_each_unit(&[], 2, |u| {
        out.push(u);
        Ok(())
    })
    .unwrap();
    out
}

fn text<'a>(u: &'a Unit, lang: &str) -> &'a str {
    &u.variant(&LangTag::parse(lang).unwrap()).unwrap().text
}

fn markup<'a>(u: &'a Unit, lang: &str) -> Option<&'a str> {
    u.variant(&LangTag::parse(lang).unwrap())
        .unwrap()
        .markup
        .as_deref()
}

fn prop<'a>(u: &'a Unit, kind: &str) -> Option<&'a str> {
    u.meta
        .extra
        .props
        .iter()
        .find(|p| p.kind == kind)
        .map(|p| p.value.as_str())
}

fn counts(r: &ImportReport) -> (u64, u64, u64, u64) {
    (r.added, r.untranslated, r.rejected, r.empty)
}

/// Every XLIFF fixture: what it imports and what it skips (or why it is refused).
#[test]
fn every_shared_xliff_fixture_imports_or_is_refused_with_its_line() {
    let Some(dir) = common::shared_fixtures("xliff") else {
        return;
    };
    // (file, added, untranslated, rejected, empty)
    let expected: &[(&str, u64, u64, u64, u64)] = &[
        // One segment is state="translated"; the others have no state: XLIFF 2.0's
        // default, initial.
        ("oasis-xliff20-everything-core.xlf", 1, 4, 0, 0),
        ("okapi-htmltest.html.xlf", 8, 0, 0, 0),
        // One unit repeats another: a duplicate, not a skip.
        ("omegat-file-XLIFFFilter-tags.xlf", 9, 0, 0, 0),
        // Fuzzy → needs-translation; an empty <target>; the PO header is not a segment.
        ("ttk-po2xliff-en-ko.xlf", 8, 1, 0, 2),
        ("ttk-xliff12-en-ko.xlf", 7, 2, 0, 0),
        // Sub-segments: 1 Translated, 2 Translated (mt), 3 Draft, 4 and 5 ApprovedSignOff.
        ("okapi-test.txt_en-US_fr-FR.sdlxliff", 4, 1, 0, 0),
        // memoQ PartiallyEdited: not confirmed.
        ("okapi-sampe_sch.xliff", 0, 1, 0, 0),
    ];
    let mut seen = 0;
    for (name, added, untranslated, rejected, empty) in expected {
        let (_, r) = import(&[dir.join(name)]);
        let r = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            counts(&r),
            (*added, *untranslated, *rejected, *empty),
            "{name}: {r:?}"
        );
        seen += 1;
    }
    // Refused, with file and line.
    for (name, line, what) in [
        ("oasis-xliff20-bad_EcBeforeSc.xlf", 6, "before its <sc"),
        ("oasis-xliff20-bad_InvalidStateValue.xlf", 5, "badState"),
        ("ttk-states.xlf", 5, "does not name its target-language"),
    ] {
        let (mem, r) = import(&[dir.join(name)]);
        let e = r.unwrap_err().to_string();
        assert!(
            e.contains(&format!("{name}:{line}:")) && e.contains(what),
            "{name}: {e}"
        );
        assert_eq!(mem.stats().unwrap().units, 0);
        seen += 1;
    }
    let all = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        seen,
        all,
        "a fixture in {} has no expectation",
        dir.display()
    );
}

#[test]
fn sdlxliff_sub_segments_keep_their_editor_data() {
    let Some(dir) = common::shared_fixtures("xliff") else {
        return;
    };
    let (mem, r) = import(&[dir.join("okapi-test.txt_en-US_fr-FR.sdlxliff")]);
    r.unwrap();
    let u = units(&mem);
    let texts: Vec<&str> = u.iter().map(|u| text(u, "fr-FR")).collect();
    assert_eq!(
        texts,
        [
            "Première phrase",
            "Seconde phrase, plus longue.",
            "Modifier",
            "Et match CM."
        ]
    );
    assert_eq!(text(&u[0], "en-US"), "First sentence.");
    assert_eq!(
        u[0].meta.origin.as_deref(),
        Some("okapi-test.txt_en-US_fr-FR.sdlxliff")
    );
    assert_eq!(u[0].meta.source_lang.as_deref(), Some("en-US"));
    assert_eq!(prop(&u[0], "x-sdl-conf"), Some("Translated"));
    assert_eq!(prop(&u[1], "x-sdl-origin"), Some("mt"));
    assert_eq!(prop(&u[2], "x-sdl-conf"), Some("ApprovedSignOff"));
    assert_eq!(prop(&u[2], "x-sdl-percent"), Some("100"));
    // 12/08/2017 11:41:26 (M/D/Y) in TMX form.
    assert_eq!(u[0].meta.created.as_deref(), Some("20171208T114126Z"));
    assert_eq!(u[0].meta.changed.as_deref(), Some("20171208T114152Z"));
    assert_eq!(u[0].meta.changer.as_deref(), Some("HELIOS\\ysavourel"));
}

#[test]
fn xliff_inline_codes_are_kept_as_tmx_codes() {
    let (mem, r) = import(&[common::data("formats", "mqxliff-en-zh.mqxliff")]);
    assert_eq!(counts(&r.unwrap()), (1, 1, 0, 0));
    let u = &units(&mem)[0];
    assert_eq!(text(u, "en"), "Joint statement of the summit");
    assert_eq!(
        markup(u, "en"),
        Some(
            r#"Joint statement of the <bpt i="1" type="bold" x="1">{}</bpt>summit<ept i="1">{}</ept>"#
        )
    );
    assert_eq!(
        markup(u, "zh-CN"),
        Some(r#"峰会<bpt i="1" type="bold" x="1">{}</bpt>联合声明<ept i="1">{}</ept>"#)
    );
    assert_eq!(prop(u, "x-mq-status"), Some("ManuallyConfirmed"));

    // XLIFF 1.2 g/x and XLIFF 2.0 pc/ph with originalData.
    let (mem, r) = import(&[common::data("formats", "xliff12-en-ko.xlf")]);
    r.unwrap();
    let u = &units(&mem)[0];
    assert_eq!(text(u, "ko"), "장관들은 서울에서 만났다.");
    assert!(
        markup(u, "ko").unwrap().contains(r#"<bpt i="1" x="1"/>"#),
        "{:?}",
        markup(u, "ko")
    );
    let d = tempfile::tempdir().unwrap();
    let p = common::write(
        d.path(),
        "od.xlf",
        r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="ko">
<file id="f"><unit id="u"><originalData><data id="d1">&lt;b&gt;</data><data id="d2">&lt;/b&gt;</data><data id="d3">&lt;br/&gt;</data></originalData>
<segment state="final"><source>Read <pc id="1" dataRefStart="d1" dataRefEnd="d2">this</pc>.<ph id="2" dataRef="d3"/></source>
<target><pc id="1" dataRefStart="d1" dataRefEnd="d2">이것을</pc> 읽으십시오.<ph id="2" dataRef="d3"/></target></segment></unit></file></xliff>"#,
    );
    let (mem, r) = import(&[p]);
    r.unwrap();
    let u = &units(&mem)[0];
    assert_eq!(
        markup(u, "en"),
        Some(
            r#"Read <bpt i="1" x="1">&lt;b&gt;</bpt>this<ept i="1">&lt;/b&gt;</ept>.<ph x="2">&lt;br/&gt;</ph>"#
        )
    );
    assert_eq!(text(u, "ko"), "이것을 읽으십시오.");
    assert_eq!(prop(u, "x-xliff-state"), Some("final"));
}

fn xliff12(target_lang: &str, units: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="t" source-language="en" target-language="{target_lang}" datatype="plaintext"><body>
{units}
</body></file></xliff>
"#
    )
}

#[test]
fn nfd_hangul_and_traditional_chinese_are_stored_in_nfc() {
    let d = tempfile::tempdir().unwrap();
    let nfd: String = "외교부 대변인은 성명을 발표했다.".nfd().collect();
    assert_ne!(nfd, "외교부 대변인은 성명을 발표했다.");
    let ko = common::write(
        d.path(),
        "ko.xlf",
        xliff12(
            "ko",
            &format!(
                r#"<trans-unit id="1"><source>The spokesperson issued a statement.</source><target state="final">{nfd}</target></trans-unit>"#
            ),
        ),
    );
    let tw = common::write(
        d.path(),
        "tw.xlf",
        xliff12(
            "zh-Hant-TW",
            r#"<trans-unit id="1" approved="yes"><source>Foreign Ministry</source><target>外交部發言人</target></trans-unit>
<trans-unit id="2"><source>Cross-strait relations</source><target state="needs-translation">兩岸關係</target></trans-unit>
<trans-unit id="3"><source>Rejected</source><target state="x-rejected">駁回</target></trans-unit>"#,
        ),
    );
    let (mem, r) = import(&[ko, tw]);
    assert_eq!(counts(&r.unwrap()), (2, 1, 1, 0));
    let u = units(&mem);
    assert_eq!(text(&u[0], "ko"), "외교부 대변인은 성명을 발표했다.");
    assert_eq!(text(&u[1], "zh-Hant-TW"), "外交部發言人");
    assert_eq!(prop(&u[1], "x-xliff-approved"), Some("yes"));
    // The language of the target comes from the file: a Traditional Chinese query finds it.
    let r = LangRange::parse("zh-Hant").unwrap();
    assert!(u[1].variant_in(&r).is_some());
}

#[test]
fn mqxliff_statuses_decide_what_is_imported() {
    let d = tempfile::tempdir().unwrap();
    let unit = |id: u32, status: &str, target: &str| {
        format!(
            r#"<trans-unit id="{id}" mq:status="{status}" mq:lastchangedtimestamp="2026-03-19T08:30:00Z" mq:lastchanginguser="kim"><source>Segment {id}.</source><target>{target}</target></trans-unit>"#
        )
    };
    let body = [
        unit(1, "ManuallyConfirmed", "第1段。"),
        unit(2, "Reviewer1Confirmed", "第2段。"),
        unit(3, "Reviewer2Confirmed", "第3段。"),
        unit(4, "PartiallyEdited", "第4段。"),
        unit(5, "NotStarted", ""),
        unit(6, "Pretranslated", "第6段。"),
        unit(7, "Rejected", "第7段。"),
        unit(8, "ManuallyConfirmed", " "),
    ]
    .join("\n");
    let text = xliff12("zh-CN", &body).replace(
        "xmlns=\"urn:oasis:names:tc:xliff:document:1.2\"",
        "xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" xmlns:mq=\"MQXliff\"",
    );
    let p = common::write(d.path(), "job.mqxliff", text);
    let (mem, r) = import(&[p]);
    assert_eq!(counts(&r.unwrap()), (3, 3, 1, 1));
    let u = units(&mem);
    assert_eq!(u[0].meta.changed.as_deref(), Some("20260319T083000Z"));
    assert_eq!(u[0].meta.changer.as_deref(), Some("kim"));
    assert_eq!(u[0].meta.origin.as_deref(), Some("job.mqxliff"));
    assert_eq!(prop(&u[1], "x-mq-status"), Some("Reviewer1Confirmed"));
}

#[test]
fn sdlxliff_confirmation_levels_decide_what_is_imported() {
    let (mem, r) = import(&[common::data("formats", "sdlxliff-en-ko.sdlxliff")]);
    // Segment 1 is Translated, segment 2 Draft.
    assert_eq!(counts(&r.unwrap()), (1, 1, 0, 0));
    let u = &units(&mem)[0];
    assert_eq!(
        (text(u, "en-US"), text(u, "ko-KR")),
        ("First sentence.", "첫 문장.")
    );
    assert_eq!(prop(u, "x-xliff-id"), Some("a1b2"));
}

#[test]
fn xliff_import_is_all_or_nothing() {
    let d = tempfile::tempdir().unwrap();
    let good = common::write(
        d.path(),
        "good.xlf",
        xliff12(
            "ko",
            r#"<trans-unit id="1"><source>Peace.</source><target>평화.</target></trans-unit>"#,
        ),
    );
    let bad = common::write(
        d.path(),
        "bad.xlf",
        xliff12(
            "ko",
            "<trans-unit id=\"1\"><source>War.</source>\n<target>전쟁.</tar></trans-unit>",
        ),
    );
    let (mem, r) = import(&[good.clone(), bad]);
    let e = r.unwrap_err().to_string();
    assert!(e.contains("bad.xlf:5:"), "{e}");
    assert_eq!(mem.stats().unwrap().units, 0);

    // Through the CLI: exit 2, and no memory is left behind.
    let env = common::Env::new();
    let (code, _, err) = common::run_code(
        env.dir.path(),
        &[
            "--db",
            "m.db",
            "import",
            good.to_str().unwrap(),
            d.path().join("bad.xlf").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.xlf:5:"), "{err}");
    assert!(!env.dir.path().join("m.db").exists());
}

fn export(mem: &Memory, format: Format, langs: &str) -> String {
    let langs = concord::lang::parse_ranges(langs).unwrap();
    let mut out = Vec::new();
    write_memory(mem, format, &langs, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Export → import gives the same units (texts, markup, state), and the same memory
/// always gives the same bytes.
#[test]
fn xliff_export_round_trips_and_is_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let src = common::write(
        d.path(),
        "src.tmx",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body>
<tu creationdate="20260301T090000Z" creationid="lee"><prop type="x-xliff-state">final</prop><note>checked &amp; signed</note>
<tuv xml:lang="en"><seg>Read the <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>joint statement<ept i="1">&lt;/b&gt;</ept> &amp; annex.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="ko"><seg><bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>공동성명<ept i="1">&lt;/b&gt;</ept> 및 부속서를 읽으십시오.<ph x="2">&lt;br/&gt;</ph></seg></tuv>
<tuv xml:lang="zh-TW"><seg>請閱讀聯合聲明及附件。</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English and Chinese.</seg></tuv><tuv xml:lang="zh-TW"><seg>只有中英文。</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>The talks ended.</seg></tuv><tuv xml:lang="ko"><seg>회담이 끝났다.</seg></tuv></tu>
</body></tmx>"#,
    );
    let (mem, r) = import(&[src]);
    r.unwrap();
    for format in [Format::Xliff, Format::Xliff2] {
        let a = export(&mem, format, "en,ko");
        assert_eq!(
            a,
            export(&mem, format, "en,ko"),
            "{format}: not deterministic"
        );
        // Two units have both languages.
        let n = a.matches("<source>").count();
        assert_eq!(n, 2, "{a}");
        let f = common::write(d.path(), &format!("out-{format}.xlf"), &a);
        let (back, r) = import(&[f]);
        let r = r.unwrap();
        assert_eq!(counts(&r), (2, 0, 0, 0), "{format}");
        let (orig, again) = (units(&mem), units(&back));
        let first = &again[0];
        assert_eq!(text(first, "en"), text(&orig[0], "en"));
        assert_eq!(text(first, "ko"), "공동성명 및 부속서를 읽으십시오.");
        assert_eq!(prop(first, "x-xliff-state"), Some("final"), "{format}\n{a}");
        // The codes survive with their native code (the numbering is the reader's).
        let mk = markup(first, "ko").unwrap();
        assert!(
            mk.contains("&lt;b&gt;") && mk.contains("&lt;br/&gt;"),
            "{format}: {mk}"
        );
        assert_eq!(
            concord::formats::tmx::plain_text_of_markup(mk).unwrap(),
            text(first, "ko")
        );
        assert_eq!(text(&again[1], "ko"), "회담이 끝났다.");
        // Metadata written: origin, creation, note.
        assert!(
            a.contains("src.tmx") && a.contains("lee") && a.contains("checked &amp; signed"),
            "{a}"
        );
    }
    let x12 = export(&mem, Format::Xliff, "en,ko");
    assert!(x12.contains(r#"<target state="final">"#), "{x12}");
    assert!(
        x12.contains(r#"<bpt id="1" ctype="bold">&lt;b&gt;</bpt>"#),
        "{x12}"
    );
    let x20 = export(&mem, Format::Xliff2, "en,ko");
    assert!(x20.contains(r#"<segment state="final">"#), "{x20}");
    assert!(x20.contains(r#"srcLang="en" trgLang="ko""#), "{x20}");
}

#[test]
fn xliff_export_needs_two_languages() {
    let mem = Memory::open_in_memory().unwrap();
    for langs in [&[][..], &[LangRange::parse("en").unwrap()][..]] {
        let e = write_memory(&mem, Format::Xliff, langs, Vec::new()).unwrap_err();
        assert!(e.to_string().contains("two languages"), "{e}");
    }
}

#[test]
fn cli_export_xliff_is_atomic_and_takes_from_to() {
    let env = common::Env::new();
    let dir = env.dir.path();
    let tsv = common::write(
        dir,
        "m.tsv",
        "en\tko\nPeace.\t평화.\nThe talks ended.\t회담이 끝났다.\n",
    );
    let (code, _, err) = common::run_code(dir, &["--db", "m.db", "import", tsv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run_code(
        dir,
        &[
            "--db", "m.db", "export", "--format", "xliff2", "--from", "en", "--to", "ko", "-o",
            "out.xlf",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let out = std::fs::read_to_string(dir.join("out.xlf")).unwrap();
    assert!(out.contains("<target>평화.</target>"), "{out}");
    // A failing export (one language) leaves the earlier file as it was.
    let (code, _, err) = common::run_code(
        dir,
        &[
            "--db", "m.db", "export", "--format", "xliff", "--langs", "en", "-o", "out.xlf",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("out.xlf")).unwrap(), out);
    // The import summary counts skipped segments.
    let x = common::write(
        dir,
        "job.xlf",
        xliff12(
            "ko",
            r#"<trans-unit id="1"><source>War.</source><target state="new"></target></trans-unit>
<trans-unit id="2"><source>Law.</source><target state="translated">법.</target></trans-unit>"#,
        ),
    );
    let (code, out, err) = common::run_code(dir, &["--db", "m.db", "import", x.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("imported 1 unit") && out.contains("1 untranslated"),
        "{out}"
    );
    let (_, out, _) = common::run_code(
        dir,
        &["--db", "m.db", "--json", "import", x.to_str().unwrap()],
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["untranslated"].as_u64(), v["duplicates"].as_u64()),
        (Some(1), Some(1))
    );
}
