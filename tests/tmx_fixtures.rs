//! Every TMX under ../shared/fixtures/tmx/ imports, and a test says what each holds.
//! Then import → export → import keeps the units (texts, languages, markup, props, notes).

mod common;

use std::path::{Path, PathBuf};

use concord::formats::input::{open_text, Encoding};
use concord::formats::tmx::{plain_text_of_markup, read_tmx, TmxHeader};
use concord::formats::{read_memory_file, write_memory, Format};
use concord::lang::LangTag;
use concord::store::Memory;
use concord::unit::{Prop, Unit, Variant};

/// `../shared/fixtures/tmx/<name>`, or `None` when `../shared` is absent (the test then
/// skips with one line; see `common::shared_dir`).
fn fixture(name: &str) -> Option<PathBuf> {
    common::shared_fixtures("tmx").map(|d| d.join(name))
}

struct Read {
    encoding: Encoding,
    header: TmxHeader,
    units: Vec<Unit>,
}

/// The fixture `name` read with `read_tmx`, or `None` (skip: no `../shared`).
fn read(name: &str) -> Option<Read> {
    let path = fixture(name)?;
    let input = open_text(&path).unwrap();
    let encoding = input.encoding;
    let mut units = Vec::new();
    let header = read_tmx(input.reader, &path, name, |u| {
        units.push(u);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(Read {
        encoding,
        header,
        units,
    })
}

fn langs(u: &Unit) -> Vec<&str> {
    u.variants.iter().map(|v| v.lang.as_str()).collect()
}

fn text<'a>(u: &'a Unit, lang: &str) -> &'a str {
    let t = LangTag::parse(lang).unwrap();
    &u.variant(&t).unwrap_or_else(|| panic!("no {lang}")).text
}

fn variant<'a>(u: &'a Unit, lang: &str) -> &'a Variant {
    u.variant(&LangTag::parse(lang).unwrap()).unwrap()
}

fn prop(kind: &str, value: &str) -> Prop {
    Prop {
        kind: kind.into(),
        value: value.into(),
    }
}

/// Every fixture is covered by one test below; a new file makes this fail.
#[test]
fn every_fixture_has_a_test() {
    let Some(dir) = fixture("") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmx"))
        .collect();
    names.sort();
    let covered = [
        "okapi-sampleTMX2.tmx",
        "omegat-generated-en-US_ko-KR-level1.tmx",
        "omegat-generated-en-US_ko-KR-level2.tmx",
        "omegat-generated-en_zh-CN-level2.tmx",
        "omegat-lisa-ImportTest1B.tmx",
        "omegat-lisa-ImportTest1C.tmx",
        "omegat-lisa-ImportTest1F.tmx",
        "omegat-lisa-ImportTest1G.tmx",
        "omegat-lisa-ImportTest1K.tmx",
        "omegat-lisa-ImportTest1L.tmx",
        "omegat-lisa-ImportTest2A.tmx",
        "omegat-lisa-ImportTest2C.tmx",
        "omegat-project_CN_JP-project_save.tmx",
        "omegat-test-SMP.tmx",
        "ttk-po2tmx-en-ko.tmx",
    ];
    assert_eq!(names, covered);
}

#[test]
fn okapi_sample_tmx2_all_srclang_props_notes() {
    let Some(r) = read("okapi-sampleTMX2.tmx") else {
        return;
    };
    assert_eq!(r.encoding, Encoding::Utf8);
    assert_eq!(r.header.srclang.as_deref(), Some("en-US"));
    assert_eq!(r.header.extra.notes, ["This is a note at document level."]);
    assert_eq!(r.header.extra.props[0].kind, "RTFPreamble");
    assert_eq!(r.units.len(), 2);
    let u = &r.units[0];
    assert_eq!(langs(u), ["en-US", "fr-CA"]);
    // &#xF8FF; (private use) is decoded and kept.
    assert_eq!(
        text(u, "en-US"),
        "data (with a non-standard character: \u{F8FF})."
    );
    assert_eq!(
        text(u, "fr-CA"),
        "données (avec un caractère non standard: \u{F8FF})."
    );
    assert_eq!(u.meta.extra.attr("tuid"), Some("0001"));
    assert_eq!(u.meta.extra.attr("usagecount"), Some("2"));
    assert_eq!(u.meta.extra.notes, ["Text of a note at the TU level."]);
    assert_eq!(
        u.meta.extra.props,
        [prop("x-Domain", "Computing"), prop("x-Project", "Pægasus")]
    );
    let fr = variant(u, "fr-CA");
    assert_eq!(fr.extra.props, [prop("Origin", "MT")]);
    assert_eq!(fr.extra.attr("changeid"), Some("ManonD"));
    // tu-level srclang="*all*", three languages, a prop value with its trailing newline.
    let u = &r.units[1];
    assert_eq!(u.meta.source_lang.as_deref(), Some("*all*"));
    assert_eq!(langs(u), ["en-US", "fr-CA", "fr-FR"]);
    assert_eq!(u.meta.extra.props, [prop("Domain", "Cooking\n   ")]);
}

#[test]
fn omegat_level1_tmx11_lang_attribute() {
    let Some(r) = read("omegat-generated-en-US_ko-KR-level1.tmx") else {
        return;
    };
    assert_eq!(r.header.version.as_deref(), Some("1.1"));
    assert_eq!(r.header.attr("creationtool"), Some("OmegaT"));
    assert_eq!(r.units.len(), 8);
    assert!(r.units.iter().all(|u| langs(u) == ["en-US", "ko-KR"]));
    assert_eq!(
        text(&r.units[0], "ko-KR"),
        "변경 사항을 유지하려면 저장을 클릭하십시오."
    );
    assert!(r
        .units
        .iter()
        .all(|u| u.variants.iter().all(|v| v.markup.is_none())));
    assert_eq!(text(&r.units[1], "en-US"), "Great job! 🎉");
}

#[test]
fn omegat_level2_en_ko_markup_kept() {
    let Some(r) = read("omegat-generated-en-US_ko-KR-level2.tmx") else {
        return;
    };
    assert_eq!(r.units.len(), 8);
    let u = &r.units[0];
    assert_eq!(text(u, "en-US"), "Click Save to keep your changes.");
    assert_eq!(
        variant(u, "en-US").markup.as_deref(),
        Some(
            r#"Click <bpt i="0" x="0">&lt;b0&gt;</bpt>Save<ept i="0">&lt;/b0&gt;</ept> to keep your changes."#
        )
    );
    // Reordered tags in the Korean target.
    let u = &r.units[4];
    assert_eq!(
        text(u, "ko-KR"),
        "자세한 내용은 도움말 페이지를 참조하십시오."
    );
    assert!(variant(u, "ko-KR")
        .markup
        .as_deref()
        .unwrap()
        .starts_with(r#"<bpt i="1" x="1">&lt;i1&gt;</bpt>자세한<ept i="1">"#));
    assert_eq!(
        text(&r.units[6], "en-US"),
        "Value must be < 10 & > 0, e.g. \"5\" or '7'."
    );
    assert_eq!(
        r.units
            .iter()
            .filter(|u| u.variants[0].markup.is_some())
            .count(),
        3
    );
}

#[test]
fn omegat_level2_en_zh() {
    let Some(r) = read("omegat-generated-en_zh-CN-level2.tmx") else {
        return;
    };
    assert_eq!(r.header.srclang.as_deref(), Some("en"));
    assert_eq!(r.units.len(), 8);
    assert!(r.units.iter().all(|u| langs(u) == ["en", "zh-CN"]));
    assert_eq!(text(&r.units[0], "zh-CN"), "单击保存以保留更改。");
    assert_eq!(text(&r.units[3], "zh-CN"), "按 Ctrl+S 保存。");
    assert_eq!(
        text(&r.units[6], "zh-CN"),
        "值必须大于 0 且小于 10，例如“5”或“7”。"
    );
}

#[test]
fn lisa_1b_odd_syntax_mixed_case_tags() {
    let Some(r) = read("omegat-lisa-ImportTest1B.tmx") else {
        return;
    };
    assert_eq!(r.units.len(), 1);
    assert_eq!(langs(&r.units[0]), ["en-US", "fr-CA"]);
    assert_eq!(text(&r.units[0], "fr-CA"), "Texte du segment");
}

#[test]
fn lisa_1c_five_languages_any_order() {
    let Some(r) = read("omegat-lisa-ImportTest1C.tmx") else {
        return;
    };
    assert_eq!(r.units.len(), 3);
    for u in &r.units {
        let mut l = langs(u);
        l.sort();
        assert_eq!(l, ["en-GB", "en-US", "es-ES", "fr-CA", "ja-JP"]);
    }
    assert_eq!(text(&r.units[2], "ja-JP"), "Third entry in Japanese");
}

fn check_1f_1g(name: &str, enc: Encoding) {
    let Some(r) = read(name) else {
        return;
    };
    assert_eq!(r.encoding, enc, "{name}");
    assert_eq!(r.units.len(), 3);
    // Character references and literal characters decode to the same text.
    for u in &r.units {
        assert_eq!(text(u, "en-US"), text(u, "en-GB"), "{name}");
    }
    assert_eq!(text(&r.units[0], "en-US"), "à=agrave, é=eacute, æ=aelig");
    assert_eq!(text(&r.units[1], "en-US"), "ÿ=U+00FF, ™=U+2122, ’=U+2019");
    assert_eq!(text(&r.units[2], "en-GB"), "“=U+201C, –=U+2013, ¤=U+00A4");
}

#[test]
fn lisa_1f_utf16le() {
    check_1f_1g("omegat-lisa-ImportTest1F.tmx", Encoding::Utf16Le);
}

#[test]
fn lisa_1g_utf16be() {
    check_1f_1g("omegat-lisa-ImportTest1G.tmx", Encoding::Utf16Be);
}

#[test]
fn lisa_1k_tu_level_srclang() {
    let Some(r) = read("omegat-lisa-ImportTest1K.tmx") else {
        return;
    };
    assert_eq!(r.header.srclang.as_deref(), Some("en-US"));
    assert_eq!(r.units.len(), 2);
    assert_eq!(r.units[0].meta.source_lang.as_deref(), Some("de-DE"));
    assert_eq!(r.units[1].meta.source_lang.as_deref(), Some("fr-CA"));
    assert_eq!(langs(&r.units[0]), ["de-DE", "en-GB"]);
    assert_eq!(text(&r.units[1], "fr-CA"), "Second Entry - French Canadian");
}

#[test]
fn lisa_1l_every_optional_construct() {
    let Some(r) = read("omegat-lisa-ImportTest1L.tmx") else {
        return;
    };
    assert_eq!(r.encoding, Encoding::Utf8Bom);
    assert_eq!(
        r.header.extra.notes,
        ["Text of header note 1", "Text of header note 2"]
    );
    assert_eq!(r.header.attr("segtype"), Some("block"));
    assert_eq!(r.units.len(), 1);
    let u = &r.units[0];
    assert_eq!(langs(u), ["en-US", "fr", "en-GB"]);
    assert_eq!(u.meta.created.as_deref(), Some("20020523T091200Z"));
    assert_eq!(u.meta.creator.as_deref(), Some("ys"));
    assert_eq!(u.meta.changer.as_deref(), Some("ys"));
    assert_eq!(u.meta.extra.attr("tuid"), Some("tu001"));
    assert_eq!(u.meta.extra.attr("usagecount"), Some("100"));
    assert_eq!(u.meta.extra.attr("lastusagedate"), Some("20020523T091200Z"));
    assert_eq!(u.meta.extra.attr("o-tmf"), Some("myTM"));
    assert_eq!(
        u.meta.extra.notes,
        ["Text of tu note 1", "Text of tu note 2"]
    );
    assert_eq!(u.meta.extra.props, [prop("myPropeType", "Data")]);
    let fr = variant(u, "fr");
    assert_eq!(fr.text, "Texte du segment.");
    assert_eq!(fr.extra.notes.len(), 2);
    assert_eq!(fr.extra.props.len(), 2);
    assert_eq!(fr.extra.attr("usagecount"), Some("100"));
}

#[test]
fn lisa_2a_utf16le_inline_codes() {
    let Some(r) = read("omegat-lisa-ImportTest2A.tmx") else {
        return;
    };
    assert_eq!(r.encoding, Encoding::Utf16Le);
    assert_eq!(r.units.len(), 7);
    let u = &r.units[0];
    assert_eq!(text(u, "en-US"), "The big black cat sleeps.");
    assert_eq!(text(u, "fr-CA"), "Le gros chat noir dors.");
    assert_eq!(
        variant(u, "fr-CA").markup.as_deref(),
        Some(
            r#"Le gros <bpt i="2" type="ulined" x="2">&lt;u&gt;</bpt>chat<ept i="2">&lt;/u&gt;</ept> <bpt i="1" type="bold" x="1">&lt;b&gt;</bpt>noir<ept i="1">&lt;/b&gt;</ept> dors."#
        )
    );
    // Escaped characters inside bold pairs are text.
    assert_eq!(
        text(&r.units[1], "en-US"),
        "Test for special characters = <=lt, >=gt, &=amp, \"=quot."
    );
    assert_eq!(
        text(&r.units[2], "fr-CA"),
        "Format en gigogne = gras+italique+souligné, gras+italique, gras."
    );
    assert_eq!(text(&r.units[3], "en-US"), "First sentence.");
    assert_eq!(text(&r.units[4], "en-US"), "Second sentence.");
    // <ph> content is code, not text.
    assert_eq!(text(&r.units[5], "en-US"), "Picture:");
    // <hi> text is text; the target tuv comes first in the file.
    assert_eq!(langs(&r.units[6]), ["fr-CA", "en-US"]);
    assert_eq!(
        text(&r.units[6], "en-US"),
        "Some text with a part highlighted."
    );
    for u in &r.units {
        for v in &u.variants {
            let m = v.markup.as_deref().expect("every segment has markup");
            assert_eq!(plain_text_of_markup(m).unwrap(), v.text);
        }
    }
}

#[test]
fn lisa_2c_sub_inside_ph() {
    let Some(r) = read("omegat-lisa-ImportTest2C.tmx") else {
        return;
    };
    assert_eq!(r.units.len(), 1);
    let u = &r.units[0];
    // `<sub>` inside `<ph>` is a separate flow: not in the plain text.
    assert_eq!(text(u, "en-US"), "Click  to start.");
    assert_eq!(text(u, "fr"), "Cliquez  pour commencer.");
    let m = variant(u, "en-US").markup.as_deref().unwrap();
    assert!(
        m.contains(r#"ALT="<sub>Start Here!</sub>"&gt;</ph>"#),
        "{m}"
    );
    assert!(m.contains(r#"<hi type="verb" x="4">start</hi>"#), "{m}");
}

#[test]
fn omegat_project_save_zh_ja() {
    let Some(r) = read("omegat-project_CN_JP-project_save.tmx") else {
        return;
    };
    assert_eq!(r.header.srclang.as_deref(), Some("zh-CN"));
    assert_eq!(r.units.len(), 1);
    let u = &r.units[0];
    assert_eq!(langs(u), ["zh-CN", "ja-JP"]);
    assert_eq!(text(u, "zh-CN"), "太平寺中的文笔塔");
    let ja = variant(u, "ja-JP");
    assert_eq!(ja.text, "太平寺の中心的なペン塔");
    assert_eq!(ja.extra.attr("changeid"), Some("Hiroshi Miura"));
}

#[test]
fn omegat_smp_supplementary_plane() {
    let Some(r) = read("omegat-test-SMP.tmx") else {
        return;
    };
    assert_eq!(r.header.version.as_deref(), Some("1.1"));
    assert_eq!(r.units.len(), 1);
    assert_eq!(langs(&r.units[0]), ["en", "be"]);
    assert_eq!(text(&r.units[0], "en"), "𝐀𝐁𝐂");
    assert_eq!(text(&r.units[0], "be"), "𝐃𝐄𝐅");
}

#[test]
fn ttk_po2tmx_notes_context_multiline() {
    let Some(r) = read("ttk-po2tmx-en-ko.tmx") else {
        return;
    };
    assert_eq!(r.header.attr("creationtool"), Some("Translate Toolkit"));
    assert_eq!(r.units.len(), 8);
    assert!(r
        .units
        .iter()
        .all(|u| u.meta.source_lang.as_deref() == Some("en")));
    let save = &r.units[2];
    assert_eq!(text(save, "ko"), "저장");
    assert_eq!(
        save.meta.extra.notes,
        ["Translator comment: keep the button label short"]
    );
    assert_eq!(save.meta.extra.props, [prop("x-context", "button")]);
    assert_eq!(r.units[3].meta.extra.props, [prop("x-context", "menu")]);
    assert_eq!(
        text(&r.units[5], "en"),
        "The file could not be saved.\nCheck that the disk is not full."
    );
}

// ---------------------------------------------------------------------------------------
// Round trips through the memory
// ---------------------------------------------------------------------------------------

fn import(mem: &mut Memory, path: &Path) {
    mem.import(&[&path.display().to_string()], |imp| {
        read_memory_file(path, Format::Tmx, |u| {
            imp.add(u)?;
            Ok(())
        })
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

fn all_units(mem: &Memory) -> Vec<Unit> {
    let mut v = Vec::new();
    mem.for_each_unit(&[], 2, |u| {
        v.push(u);
        Ok(())
    })
    .unwrap();
    v
}

/// What a round trip must keep: languages, texts, markup, notes and props of units and
/// variants, dates and people.
fn essence(u: &Unit) -> String {
    let mut s = String::new();
    for v in &u.variants {
        s += &format!(
            "{}|{}|{:?}|{:?}|{:?}\n",
            v.lang, v.text, v.markup, v.extra.notes, v.extra.props
        );
    }
    let m = &u.meta;
    s += &format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        m.extra.notes, m.extra.props, m.created, m.creator, m.changed, m.changer, m.origin
    );
    s
}

fn round_trip(first: &Path) -> (Vec<Unit>, Vec<Unit>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Memory::open(dir.path().join("a.db")).unwrap();
    import(&mut a, first);
    let exported = dir.path().join("out.tmx");
    let mut bytes = Vec::new();
    write_memory(&a, Format::Tmx, &[], &mut bytes).unwrap();
    std::fs::write(&exported, &bytes).unwrap();
    let mut b = Memory::open(dir.path().join("b.db")).unwrap();
    import(&mut b, &exported);
    // Deterministic: exporting the second memory gives the same bytes.
    let mut again = Vec::new();
    write_memory(&b, Format::Tmx, &[], &mut again).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        String::from_utf8(again).unwrap()
    );
    (
        all_units(&a),
        all_units(&b),
        String::from_utf8(bytes).unwrap(),
    )
}

#[test]
fn fixtures_round_trip() {
    let Some(dir) = fixture("") else {
        return;
    };
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let (a, b, out) = round_trip(&p);
        assert!(!a.is_empty(), "{}", p.display());
        assert_eq!(a.len(), b.len(), "{}", p.display());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(essence(x), essence(y), "{}\n{out}", p.display());
            assert_eq!(x.meta.source_lang, y.meta.source_lang, "{}", p.display());
        }
    }
}

#[test]
fn korean_chinese_round_trip_nfd_fullwidth() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("kozh.tmx");
    // NFD Hangul (conjoining jamo) for 한국, full-width punctuation and digits.
    let nfd_hanguk = "\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}";
    let tmx = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext"/>
<body>
<tu><note>NFD</note><tuv xml:lang="en"><seg>Korea and China held talks（２０２６）.</seg></tuv>
<tuv xml:lang="ko-KR"><seg>{nfd_hanguk}과 중국은 회담을 가졌다（２０２６）。</seg></tuv>
<tuv xml:lang="zh-Hans"><seg>韩中举行会谈：<ph x="1">&lt;br/&gt;</ph>“双方”同意！</seg></tuv></tu>
</body></tmx>"#
    );
    std::fs::write(&src, tmx).unwrap();
    let (a, b, out) = round_trip(&src);
    assert_eq!(a.len(), 1);
    assert_eq!(essence(&a[0]), essence(&b[0]));
    let ko = variant(&b[0], "ko-KR");
    assert_eq!(ko.text, "한국과 중국은 회담을 가졌다（２０２６）。");
    assert_eq!(variant(&b[0], "zh-Hans").text, "韩中举行会谈：“双方”同意！");
    assert!(
        out.contains(r#"<seg>韩中举行会谈：<ph x="1">&lt;br/&gt;</ph>“双方”同意！</seg>"#),
        "{out}"
    );
    assert!(out.contains(r#"<header creationtool="concord""#));
    assert!(out.contains(r#"srclang="en" datatype="plaintext"/>"#));
}

#[test]
fn export_srclang_all_when_units_lack_the_first_language() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("mixed.tmx");
    std::fs::write(
        &src,
        r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>Seoul</seg></tuv><tuv xml:lang="ko"><seg>서울</seg></tuv></tu>
<tu srclang="ko"><tuv xml:lang="ko"><seg>부산</seg></tuv><tuv xml:lang="zh"><seg>釜山</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>only one language</seg></tuv></tu>
</body></tmx>"#,
    )
    .unwrap();
    let (a, b, out) = round_trip(&src);
    assert_eq!(a.len(), 2, "the one-language tu is skipped");
    assert!(out.contains(r#"srclang="*all*""#), "{out}");
    assert!(out.contains(r#"<tu tuid="1" srclang="en">"#), "{out}");
    assert!(out.contains(r#"<tu tuid="2" srclang="ko">"#), "{out}");
    assert_eq!(b[1].meta.source_lang.as_deref(), Some("ko"));
}

/// The skip line and the CI failure of a missing `../shared` (`common::shared_dir`).
#[test]
fn missing_shared_skips_or_fails_under_concord_require_shared() {
    let missing = Path::new(common::ROOT).join("tests/data/no-such-shared-dir");
    let required = std::env::var(common::REQUIRE_SHARED).is_ok_and(|v| v == "1");
    let got = std::panic::catch_unwind(|| common::shared_dir_at(&missing));
    match got {
        Ok(found) => {
            assert!(
                !required,
                "an absent ../shared must fail under CONCORD_REQUIRE_SHARED=1"
            );
            assert_eq!(found, None);
        }
        Err(_) => assert!(required, "an absent ../shared must skip, not fail"),
    }
    assert_eq!(
        common::shared_dir_at(&Path::new(common::ROOT).join("tests/data")),
        Some(Path::new(common::ROOT).join("tests/data"))
    );
}
