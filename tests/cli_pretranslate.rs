//! `concord pretranslate`: targets, states and scores in every output format, inline
//! codes carried or marked for review, auto-adaptation in Korean and Chinese, byte-for-
//! byte splicing of SDLXLIFF and MQXLIFF, --overwrite, bad input and atomic outputs.

mod common;

use common::{data, shared_fixtures, stderr, stdout, Env};
use regex::Regex;

const TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
<header srclang="en" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body>
<tu tuid="talks"><tuv xml:lang="en"><seg>The talks will resume on 12 May 2025 in Geneva.</seg></tuv>
<tuv xml:lang="ko"><seg>회담은 2025년 5월 12일 제네바에서 재개된다.</seg></tuv>
<tuv xml:lang="zh-CN"><seg>会谈将于2025年5月12日在日内瓦恢复。</seg></tuv></tu>
<tu tuid="exports"><tuv xml:lang="en"><seg>Exports rose 30 percent to 1,200 tonnes last year.</seg></tuv>
<tuv xml:lang="ko"><seg>지난해 수출은 30% 증가한 1,200톤이었다.</seg></tuv>
<tuv xml:lang="zh-CN"><seg>去年出口增长30%，达到1200吨。</seg></tuv></tu>
<tu tuid="wang"><tuv xml:lang="en"><seg>Foreign Minister Wang welcomed the joint statement.</seg></tuv>
<tuv xml:lang="ko"><seg>왕 외교부장은 공동성명을 환영했다.</seg></tuv>
<tuv xml:lang="zh-CN"><seg>王外长对联合声明表示欢迎。</seg></tuv></tu>
<tu tuid="save"><tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> to continue.</seg></tuv>
<tuv xml:lang="ko"><seg>계속하려면 <bpt i="1">&lt;b&gt;</bpt>저장<ept i="1">&lt;/b&gt;</ept>을 누르십시오.</seg></tuv></tu>
<tu tuid="seoul"><tuv xml:lang="en"><seg>The ministers met in Seoul.</seg></tuv>
<tuv xml:lang="ko"><seg>장관들은 서울에서 만났다.</seg></tuv></tu>
<tu tuid="first"><tuv xml:lang="en"><seg>First sentence.</seg></tuv>
<tuv xml:lang="ko"><seg>첫째 문장입니다.</seg></tuv>
<tuv xml:lang="fr"><seg>Première phrase.</seg></tuv></tu>
<tu tuid="second"><tuv xml:lang="en"><seg>Second longer sentence.</seg></tuv>
<tuv xml:lang="fr"><seg>Deuxième phrase, plus longue.</seg></tuv></tu>
<tu tuid="dprk"><tuv xml:lang="en"><seg>The DPRK fired 2 missiles on Sunday.</seg></tuv>
<tuv xml:lang="ko"><seg>북조선은 일요일 미사일 2발을 발사했다.</seg></tuv></tu>
<tu tuid="annex"><tuv xml:lang="en"><seg>Annex</seg></tuv>
<tuv xml:lang="zh-CN"><seg>附件</seg></tuv></tu>
<tu tuid="uncitral"><tuv xml:lang="en"><seg>UNCITRAL Yearbook, vol. XXVII:</seg></tuv>
<tuv xml:lang="zh-CN"><seg><ph x="1">&lt;FootnoteMarker /&gt;</ph><bpt i="2">{}</bpt><bpt i="3">&lt;uf&gt;</bpt>《贸易法委员会年鉴》<ept i="2">{}</ept><ept i="3">&lt;/uf&gt;</ept>，第二十七卷：</seg></tuv></tu>
</body>
</tmx>
"#;

const GLOSSARY: &str = "id,en,ko,zh\nwang,Foreign Minister Wang,왕 외교부장,王外长\npark,Foreign Minister Park,박 외교부 장관,朴外长\ndprk,DPRK,북한,朝鲜\n";

fn env() -> Env {
    let env = Env::new();
    let tmx = env.file("m.tmx", TMX);
    let o = env.import(&[&tmx]);
    assert!(o.status.success(), "{}", stderr(&o));
    env.file("g.csv", GLOSSARY);
    env
}

const DOC: &str = "The talks will resume on 19 March 2026 in Geneva.\nExports rose 45 percent to 1,500 tonnes last year.\nForeign Minister Park welcomed the joint statement.\nSomething nobody has translated before today.\n";

fn tsv_rows(s: &str) -> Vec<Vec<String>> {
    s.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn pretranslate_adapts_dates_numbers_and_terms_in_korean() {
    let env = env();
    env.file("doc.txt", DOC);
    let o = env.run(&[
        "pretranslate",
        "doc.txt",
        "--from",
        "en",
        "--to",
        "ko",
        "-o",
        "out.tsv",
        "--glossary",
        "g.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("4 segments (en → ko): 0 exact, 0 fuzzy, 3 adapted"),
        "{}",
        stdout(&o)
    );
    let out = std::fs::read_to_string(env.path().join("out.tsv")).unwrap();
    let rows = tsv_rows(&out);
    assert_eq!(rows[0][1], "회담은 2026년 3월 19일 제네바에서 재개된다.");
    assert_eq!(rows[0][2], "99");
    assert_eq!(rows[0][5], "adapted");
    assert_eq!(rows[1][1], "지난해 수출은 45% 증가한 1,500톤이었다.");
    assert_eq!(rows[2][1], "박 외교부 장관은 공동성명을 환영했다.");
    assert_eq!((rows[3][1].as_str(), rows[3][5].as_str()), ("", "no-match"));
    // The report says what was changed, with the raw score and the penalty.
    let j = env.pretranslate_json("doc.txt", "ko", &["--adapt-penalty", "2"]);
    let best = &j["segments"][0]["best"];
    assert_eq!(best["adapted"], true);
    assert_eq!(best["score"], 98.0);
    assert!(best["raw_score"].as_f64().unwrap() < 98.0, "{best}");
    assert_eq!(best["substitutions"][0]["kind"], "date");
    assert_eq!(best["substitutions"][0]["target_to"], "2026년 3월 19일");
    assert_eq!(j["segments"][2]["terms"][0]["targets"][0], "박 외교부 장관");
    let xlf = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    assert!(xlf.contains("state-qualifier=\"leveraged-tm\""), "{xlf}");
    assert!(
        xlf.contains("<alt-trans match-quality=\"98\" origin=\"m.tmx\">"),
        "{xlf}"
    );
    assert!(
        xlf.contains("<note from=\"concord\">term: Foreign Minister Park → 박 외교부 장관</note>"),
        "{xlf}"
    );
    assert!(xlf.contains("adapted from a "), "{xlf}");
}

#[test]
fn pretranslate_adapts_in_chinese_and_writes_xliff2_matches() {
    let env = env();
    env.file("doc.txt", DOC);
    env.pretranslate_json(
        "doc.txt",
        "zh-CN",
        &["--output-format", "xliff2", "--alternatives", "2"],
    );
    let x = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    assert!(
        x.contains("<target>会谈将于2026年3月19日在日内瓦恢复。</target>"),
        "{x}"
    );
    assert!(
        x.contains("<target>去年出口增长45%，达到1500吨。</target>"),
        "{x}"
    );
    assert!(
        x.contains("<target>朴外长对联合声明表示欢迎。</target>"),
        "{x}"
    );
    assert!(
        x.contains("xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\""),
        "{x}"
    );
    assert!(
        Regex::new(
            r##"<mtc:match id="m1" ref="#s1" similarity="[0-9.]+" type="tm" origin="m.tmx">"##
        )
        .unwrap()
        .is_match(&x),
        "{x}"
    );
    // Adapted targets are not final: state initial; nothing else is translated.
    assert!(!x.contains("state=\"translated\""), "{x}");
    assert_eq!(x.matches("state=\"initial\"").count(), 4, "{x}");
}

const XLF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="page.html" source-language="en" target-language="ko" datatype="html">
    <body>
      <trans-unit id="save">
        <source>Press <bpt id="1">&lt;b></bpt>Save<ept id="1">&lt;/b></ept> to continue.</source>
      </trans-unit>
      <trans-unit id="seoul">
        <source>The ministers met in <g id="1">Seoul</g>.</source>
      </trans-unit>
      <trans-unit id="talks">
        <source>The talks will resume on 19 March 2026 in Geneva.</source>
        <target>이미 번역됨.</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"#;

#[test]
fn pretranslate_xliff12_carries_codes_and_marks_unmappable_ones_for_review() {
    let env = env();
    env.file("page.xlf", XLF);
    let o = env.run(&["pretranslate", "page.xlf", "-o", "out.xlf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    // The exact match takes the source's own codes, byte for byte.
    assert!(x.contains("<target state=\"translated\" state-qualifier=\"exact-match\">계속하려면 <bpt id=\"1\">&lt;b></bpt>저장<ept id=\"1\">&lt;/b></ept>을 누르십시오.</target>"), "{x}");
    // The match has no codes for <g>: the text, marked for review, with the reason.
    assert!(x.contains("<target state=\"needs-review-translation\" state-qualifier=\"exact-match\">장관들은 서울에서 만났다.</target>"), "{x}");
    assert!(x.contains("<note from=\"concord\">review: inline codes: the match has 0 opening code(s) where the source has 1</note>"), "{x}");
    // The existing target is kept; the rest of the file is as it was.
    assert!(x.contains("<target>이미 번역됨.</target>"), "{x}");
    let strip = |s: &str| {
        let mut s = s.to_string();
        for el in ["alt-trans", "target", "note"] {
            let re = Regex::new(&format!(r"(?s)\n\s*<{el}[ >].*?</{el}>")).unwrap();
            s = re.replace_all(&s, "").into_owned();
        }
        s
    };
    assert_eq!(strip(&x), strip(XLF), "{x}");
    // --overwrite replaces it (adapted), and the output re-reads as a draft.
    let o = env.run(&[
        "pretranslate",
        "page.xlf",
        "-o",
        "out2.xlf",
        "--overwrite",
        "--output-format",
        "xliff",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = std::fs::read_to_string(env.path().join("out2.xlf")).unwrap();
    assert!(
        x.contains("회담은 2026년 3월 19일 제네바에서 재개된다.</target>"),
        "{x}"
    );
    assert!(!x.contains("이미 번역됨"), "{x}");
    let o = env.run(&[
        "lint",
        "out2.xlf",
        "--no-memory",
        "--rule",
        "number-mismatch",
    ]);
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
}

/// Every byte of `a` and `b` outside the regions `re` matches is the same.
fn same_outside(a: &str, b: &str, re: &Regex) {
    let a2 = re.replace_all(a, "@");
    let b2 = re.replace_all(b, "@");
    assert_eq!(a2, b2);
}

#[test]
fn pretranslate_sdlxliff_keeps_every_other_byte() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let env = env();
    let input = std::fs::read(dir.join("okapi-test.txt_en-US_fr-FR.sdlxliff")).unwrap();
    let p = env.file("t.sdlxliff", &input);
    // Targets exist: without --overwrite nothing changes, to the byte.
    let o = env.run(&["pretranslate", p.to_str().unwrap(), "-o", "same.sdlxliff"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(env.path().join("same.sdlxliff")).unwrap(),
        input
    );
    let o = env.run(&[
        "pretranslate",
        p.to_str().unwrap(),
        "-o",
        "out.sdlxliff",
        "--overwrite",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(std::fs::read(env.path().join("out.sdlxliff")).unwrap()).unwrap();
    let inp = String::from_utf8(input).unwrap();
    assert!(out.starts_with('\u{FEFF}'), "the BOM is kept");
    assert!(
        out.contains("<mrk mtype=\"seg\" mid=\"1\">Première phrase.</mrk>"),
        "{out}"
    );
    assert!(
        out.contains("<mrk mtype=\"seg\" mid=\"2\">Deuxième phrase, plus longue.</mrk>"),
        "{out}"
    );
    // Segments without a match keep their target.
    assert!(
        out.contains("<mrk mtype=\"seg\" mid=\"3\">Et ensuite une troisième.</mrk>"),
        "{out}"
    );
    assert!(
        out.contains("<sdl:seg id=\"1\" conf=\"Translated\" origin=\"tm\" percent=\"100\">"),
        "{out}"
    );
    // Only the two changed segments' mrk contents and sdl:seg start tags differ.
    let re =
        Regex::new(r#"<mrk mtype="seg" mid="[12]">[^<]*</mrk>|<sdl:seg id="[12]"[^>]*>"#).unwrap();
    same_outside(
        &inp[inp.find("<target>").unwrap()..],
        &out[out.find("<target>").unwrap()..],
        &re,
    );
    assert_eq!(
        inp[..inp.find("<target>").unwrap()],
        out[..out.find("<target>").unwrap()]
    );
}

#[test]
fn pretranslate_mqxliff_keeps_every_other_byte() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let env = env();
    let input = std::fs::read_to_string(dir.join("okapi-sampe_sch.xliff")).unwrap();
    let p = env.file("t.mqxliff", &input);
    let o = env.run(&[
        "pretranslate",
        p.to_str().unwrap(),
        "-o",
        "out.mqxliff",
        "--overwrite",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(env.path().join("out.mqxliff")).unwrap();
    // The memory's codes (ph, two overlapping bpt/ept pairs) map onto the source's.
    assert!(out.contains("<target xml:space=\"preserve\"><ph id=\"1\">&lt;FootnoteMarker /&gt;</ph><bpt id=\"2\" ctype=\"italic\">{}</bpt><bpt id=\"3\">&lt;uf ufcatid=&quot;7&quot; f=&quot;Times New Roman&quot; fs=&quot;Italic&quot;&gt;</bpt>《贸易法委员会年鉴》<ept id=\"2\">{}</ept><ept id=\"3\">&lt;/uf&gt;</ept>，第二十七卷：</target>"), "{out}");
    assert!(
        out.contains("mq:status=\"Pretranslated\" mq:percent=\"100\""),
        "{out}"
    );
    let re = Regex::new(r#"(?s)<target xml:space="preserve">.*?</target>|mq:status="[A-Za-z]+" mq:percent="[0-9]+""#).unwrap();
    same_outside(&input, &out, &re);
}

#[test]
fn pretranslate_xliff20_keeps_every_other_byte_in_utf8_and_utf16() {
    let env = Env::new();
    let tsv = env.file(
        "m.tsv",
        "en\tko\nThe talks ended.\t회담이 끝났다.\n\
         The two ministers met in Seoul on 3 March 2026.\t두 장관은 2026년 3월 3일 서울에서 만났다.\n\
         The two ministers met in Seoul.\t두 장관은 서울에서 만났다.\n",
    );
    let o = env.import(&[&tsv]);
    assert!(o.status.success(), "{}", stderr(&o));
    let input = std::fs::read_to_string(data("formats", "xliff20-en-ko.xlf")).unwrap();
    let o = env.run(&[
        "pretranslate",
        data("formats", "xliff20-en-ko.xlf").to_str().unwrap(),
        "--min-score",
        "50",
        "-o",
        "out.xlf",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    // Targets, states and the matches module where the file had none.
    assert!(out.contains("xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\""));
    assert!(
        out.contains("<segment id=\"s1\" state=\"translated\">"),
        "{out}"
    );
    assert!(out.contains("<target>회담이 끝났다.</target>"), "{out}");
    assert!(
        out.contains("<segment state=\"initial\" id=\"concord-s2\">"),
        "{out}"
    );
    assert!(
        out.contains("<target>두 장관은 2026년 3월 19일 서울에서 만났다.</target>"),
        "{out}"
    );
    assert!(
        out.contains("<mtc:match ref=\"#s1\" similarity=\"100\" type=\"tm\""),
        "{out}"
    );
    assert!(
        out.contains("<mtc:match ref=\"#a\" similarity=\"83.9\""),
        "{out}"
    );
    // The adaptation note joins the unit's <notes>; the untranslatable unit and the
    // segment without a match are untouched.
    assert!(out.contains("<note id=\"n1\">From the readout.</note>\n      <note category=\"concord-adapted\">concord-s2: adapted"), "{out}");
    assert!(out.contains("<unit id=\"u4\">\n      <segment>\n        <source>Something new.</source>\n      </segment>"), "{out}");
    // Every other byte is the input's.
    let re = Regex::new(
        r#"(?s) xmlns:mtc="[^"]*"|<mtc:matches>.*?</mtc:matches>|<notes><note category="concord.*?</notes>|<note category="concord-[^"]*">.*?</note>|<segment[^>]*>|\n *<target/>|\n *<target>.*?</target>"#,
    )
    .unwrap();
    assert_eq!(re.replace_all(&input, ""), re.replace_all(&out, ""));
    // UTF-16 in, UTF-16 out: the same document, re-encoded with the same byte order mark.
    let as_utf16 = input.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let want = out.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    for (bom, le) in [([0xFFu8, 0xFE], true), ([0xFE, 0xFF], false)] {
        let enc = |s: &str| -> Vec<u8> {
            let mut b = bom.to_vec();
            for u in s.encode_utf16() {
                b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            b
        };
        env.file("in16.xlf", enc(&as_utf16));
        let o = env.run(&[
            "pretranslate",
            "in16.xlf",
            "--min-score",
            "50",
            "-o",
            "out16.xlf",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            std::fs::read(env.path().join("out16.xlf")).unwrap(),
            enc(&want),
            "UTF-16 {}",
            if le { "LE" } else { "BE" }
        );
    }
}

#[test]
fn tmx_input_carries_inline_codes_into_the_target() {
    let env = env();
    env.file(
        "doc.tmx",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body>
<tu tuid="p1"><tuv xml:lang="en"><seg>Press <bpt i="7">&lt;i&gt;</bpt>Save<ept i="7">&lt;/i&gt;</ept> to continue.</seg></tuv><tuv xml:lang="ko"><seg/></tuv></tu>
<tu tuid="p2"><tuv xml:lang="en"><seg>Press Save to continue.<ph x="1">&lt;br/&gt;</ph></seg></tuv><tuv xml:lang="ko"><seg/></tuv></tu>
</body></tmx>
"#,
    );
    let o = env.run(&[
        "pretranslate",
        "doc.tmx",
        "--to",
        "ko",
        "--min-score",
        "50",
        "-o",
        "out.xlf",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    // The stored pair (bpt/ept i="1") maps onto the document's (i="7"), by order.
    assert!(
        x.contains(
            "<source xml:lang=\"en\">Press <bx id=\"1\"/>Save<ex id=\"2\" rid=\"1\"/> to continue.</source>"
        ),
        "{x}"
    );
    assert!(
        x.contains("<target xml:lang=\"ko\" state=\"translated\" state-qualifier=\"exact-match\">계속하려면 <bx id=\"1\"/>저장<ex id=\"2\" rid=\"1\"/>을 누르십시오.</target>"),
        "{x}"
    );
    // A code the match cannot carry is marked for review, never dropped silently.
    assert!(x.contains("<x id=\"1\"/></source>"), "{x}");
    assert!(x.contains("inline codes:"), "{x}");
}

#[test]
fn pretranslate_team_mqxliff_fills_an_empty_target() {
    let env = env();
    let o = env.run(&[
        "pretranslate",
        data("formats", "mqxliff-en-zh.mqxliff").to_str().unwrap(),
        "-o",
        "out.mqxliff",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(env.path().join("out.mqxliff")).unwrap();
    assert!(
        out.contains("<target xml:space=\"preserve\">附件</target>"),
        "{out}"
    );
    assert!(
        out.contains("<trans-unit id=\"2\" mq:status=\"Pretranslated\" mq:percent=\"100\">"),
        "{out}"
    );
    // The translated unit is kept as it was.
    assert!(
        out.contains(
            "<trans-unit id=\"1\" mq:status=\"ManuallyConfirmed\" mq:segmentguid=\"0f6d\">"
        ),
        "{out}"
    );
}

#[test]
fn pretranslate_bad_input_is_exit_2_and_writes_nothing() {
    let env = env();
    env.file("doc.txt", DOC);
    env.file("out.xlf", "old");
    // A language the memory lacks.
    let o = env.run(&[
        "pretranslate",
        "doc.txt",
        "--from",
        "en",
        "--to",
        "ja",
        "-o",
        "out.xlf",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("doc.txt") && stderr(&o).contains("no segments in ja"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(env.path().join("out.xlf")).unwrap(),
        "old"
    );
    // Malformed XLIFF: file and line.
    env.file("bad.xlf", "<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>");
    let o = env.run(&["pretranslate", "bad.xlf", "-o", "new.xlf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.xlf:3:"), "{}", stderr(&o));
    assert!(!env.path().join("new.xlf").exists());
    // No target language in the file, none given.
    env.file("nolang.xlf", "<xliff version=\"1.2\">\n<file source-language=\"en\"><body>\n<trans-unit id=\"1\"><source>Annex</source></trans-unit>\n</body></file></xliff>");
    let o = env.run(&["pretranslate", "nolang.xlf", "-o", "new.xlf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nolang.xlf:3:") && stderr(&o).contains("target-language"),
        "{}",
        stderr(&o)
    );
    assert!(!env.path().join("new.xlf").exists());
    // Given with --to, it works.
    let o = env.run(&[
        "pretranslate",
        "nolang.xlf",
        "--to",
        "zh-CN",
        "-o",
        "new.xlf",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // No temporary files are left behind.
    let left: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn pretranslate_adapted_targets_flagged_by_lint_stay_for_review() {
    // The stored translation misses the approved term (북한): after the number is
    // adapted, term-missing flags the target, and it is marked for review.
    let env = env();
    env.file("doc.txt", "The DPRK fired 3 missiles on Sunday.\n");
    let j = env.pretranslate_json("doc.txt", "ko", &[]);
    let seg = &j["segments"][0];
    assert_eq!(seg["outcome"], "adapted", "{seg}");
    assert_eq!(seg["target_text"], "북조선은 일요일 미사일 3발을 발사했다.");
    let review = seg["review"][0].as_str().unwrap();
    assert!(review.starts_with("term-missing:"), "{review}");
    assert_eq!(j["summary"]["review"], 1);
    let x = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    assert!(
        x.contains("state=\"needs-review-translation\" state-qualifier=\"leveraged-tm\""),
        "{x}"
    );
    assert!(
        x.contains("<note from=\"concord\">review: term-missing:"),
        "{x}"
    );
}

#[test]
fn pretranslate_reads_a_tsv_source_column_and_a_markdown_document() {
    let env = env();
    env.file("doc.tsv", "en\nThe ministers met in Seoul.\nAnnex\n");
    let o = env.run(&["pretranslate", "doc.tsv", "--to", "ko", "-o", "out.tsv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = tsv_rows(&std::fs::read_to_string(env.path().join("out.tsv")).unwrap());
    assert_eq!(
        (
            rows[0][1].as_str(),
            rows[0][2].as_str(),
            rows[0][5].as_str()
        ),
        ("장관들은 서울에서 만났다.", "100", "exact")
    );
    assert_eq!(rows[1][5], "no-match");
    // A document is split into sentences.
    env.file("doc.md", "# Statement\n\nThe ministers met in Seoul. Exports rose 45 percent to 1,500 tonnes last year.\n");
    let o = env.run(&[
        "pretranslate",
        "doc.md",
        "--from",
        "en",
        "--to",
        "ko",
        "-o",
        "md.tsv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = tsv_rows(&std::fs::read_to_string(env.path().join("md.tsv")).unwrap());
    let targets: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        targets,
        vec![
            "",
            "장관들은 서울에서 만났다.",
            "지난해 수출은 45% 증가한 1,500톤이었다."
        ]
    );
}

/// An SDLXLIFF as Trados writes it for a job nobody has translated yet: unit `u1` has
/// an empty target sub-segment (`<mrk mtype="seg" mid="1"/>`, `<sdl:seg id="1"/>`),
/// unit `u2` an empty `<target/>`, unit `u3` a target without sub-segment 1.
const SDL_EMPTY: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><xliff xmlns:sdl=\"http://sdl.com/FileTypes/SdlXliff/1.0\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\" sdl:version=\"1.0\"><file original=\"C:\\job\\test.txt\" datatype=\"x-sdlfilterframework2\" source-language=\"en-US\" target-language=\"fr-FR\"><header><tag-defs xmlns=\"http://sdl.com/FileTypes/SdlXliff/1.0\"><tag id=\"0\"><st name=\"^\">^</st></tag></tag-defs></header><body>\
<trans-unit id=\"u1\"><source>First sentence.</source><seg-source><mrk mtype=\"seg\" mid=\"1\">First sentence.</mrk></seg-source><target><mrk mtype=\"seg\" mid=\"1\"/></target><sdl:seg-defs><sdl:seg id=\"1\"/></sdl:seg-defs></trans-unit>\
<trans-unit id=\"u2\"><source>Second longer sentence. First sentence.</source><seg-source><mrk mtype=\"seg\" mid=\"2\">Second longer sentence.</mrk> <mrk mtype=\"seg\" mid=\"3\">First sentence.</mrk></seg-source><target/><sdl:seg-defs><sdl:seg id=\"2\"/><sdl:seg id=\"3\"/></sdl:seg-defs></trans-unit>\
<trans-unit id=\"u3\"><source>First sentence. Nothing else.</source><seg-source><mrk mtype=\"seg\" mid=\"4\">First sentence.</mrk> <mrk mtype=\"seg\" mid=\"5\">Nothing else.</mrk></seg-source><target><mrk mtype=\"seg\" mid=\"5\">Rien d'autre.</mrk></target><sdl:seg-defs><sdl:seg id=\"4\"/><sdl:seg id=\"5\"/></sdl:seg-defs></trans-unit>\
</body></file></xliff>";

#[test]
fn sdlxliff_empty_target_sub_segment_is_pretranslated() {
    let env = env();
    let p = env.file("job.sdlxliff", SDL_EMPTY);
    let o = env.run(&[
        "pretranslate",
        p.to_str().unwrap(),
        "-o",
        "out.sdlxliff",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(std::fs::read(env.path().join("out.sdlxliff")).unwrap()).unwrap();
    assert_ne!(out, SDL_EMPTY, "the job was written unchanged");
    // The self-closing sub-segment is expanded, its sdl:seg says where the text is from.
    assert!(
        out.contains("<target><mrk mtype=\"seg\" mid=\"1\">Première phrase.</mrk></target>"),
        "{out}"
    );
    assert!(
        out.contains("<sdl:seg id=\"1\" conf=\"Translated\" origin=\"tm\" percent=\"100\"/>"),
        "{out}"
    );
    // The empty <target/> is replaced by one built from <seg-source>.
    assert!(
        out.contains("<target><mrk mtype=\"seg\" mid=\"2\">Deuxième phrase, plus longue.</mrk> <mrk mtype=\"seg\" mid=\"3\">Première phrase.</mrk></target>"),
        "{out}"
    );
    assert!(!out.contains("<target/>"), "{out}");
    // The report says what was written: sub-segment 4 has no place in u3's target.
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let outcome = |id: &str| {
        j["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id}: {j}"))["outcome"]
            .clone()
    };
    assert_eq!(outcome("u1#1"), "exact");
    assert_eq!(outcome("u2#2"), "exact");
    assert_eq!(outcome("u2#3"), "exact");
    assert_eq!(outcome("u3#4"), "unwritable");
    assert_eq!(j["summary"]["exact"], 3, "{j}");
    assert_eq!(j["summary"]["unwritable"], 1, "{j}");
    assert!(out.contains("<target><mrk mtype=\"seg\" mid=\"5\">Rien d'autre.</mrk></target>"));
    // Read back by concord: the new targets are there (kept), nothing is left to fill.
    let o = env.run(&[
        "pretranslate",
        "out.sdlxliff",
        "-o",
        "again.sdlxliff",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for id in ["u1#1", "u2#2", "u2#3"] {
        let s = j["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(s["outcome"], "kept", "{s}");
        assert!(
            s["target_text"].as_str().is_some_and(|t| !t.is_empty()),
            "{s}"
        );
    }
}

/// Replaces `fixtures_are_read_alike_by_pretranslate_and_analyze`, which compared the
/// XLIFF reader with itself on the team's own files. Over the XLIFF files other tools
/// wrote (`../shared/fixtures/xliff`: OASIS 2.0, Okapi 1.2 and SDLXLIFF, memoQ MQXLIFF,
/// OmegaT, translate-toolkit), per file: `analyze` counts the segments, words and
/// characters of exactly the segments `pretranslate` reports (those with a source text);
/// the file `pretranslate` writes back in the input's flavour re-reads with the same
/// segment ids and sources; and a file one refuses, the other refuses with the same file
/// and line (exit 2, nothing written).
#[test]
fn shared_xliff_fixtures_are_read_alike_by_analyze_and_pretranslate() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let e = env();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|d| d.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    // The memory knows the fixtures' own translated segments (the ones import takes), so
    // that pretranslate --overwrite writes targets into every flavour.
    for f in &files {
        let o = e.run(&["import", f.to_str().unwrap()]);
        assert!(matches!(o.status.code(), Some(0 | 2)), "{}", stderr(&o));
    }
    let (mut compared, mut refused, mut written) = (0, 0, 0);
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        let path = f.to_str().unwrap();
        // ttk-states.xlf names no target language.
        let to: &[&str] = if name == "ttk-states.xlf" {
            &["--to", "fr"]
        } else {
            &[]
        };
        let a = e.run(&[&["--json", "analyze", path], to].concat());
        let out = e.path().join(format!("pre-{name}"));
        let args = [
            &["--json", "pretranslate", path, "--overwrite", "-o"],
            &[out.to_str().unwrap()][..],
            to,
        ]
        .concat();
        let p = e.run(&args);
        if a.status.code() == Some(2) {
            // Refused alike: same first line (file, line, message), nothing written.
            assert_eq!(p.status.code(), Some(2), "{name}: {}", stderr(&p));
            let first = |o: &std::process::Output| stderr(o).lines().next().unwrap().to_string();
            assert_eq!(first(&a), first(&p), "{name}");
            assert!(first(&a).contains(&format!("{name}:")), "{}", first(&a));
            assert!(!out.exists(), "{name}");
            refused += 1;
            continue;
        }
        assert!(a.status.success(), "{name}: {}", stderr(&a));
        assert!(p.status.success(), "{name}: {}", stderr(&p));
        let a = common::json(&a);
        let p = common::json(&p);
        let total = &a["files"][0]["bands"]["total"];
        let segs: Vec<&serde_json::Value> = p["segments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s["source"].as_str().unwrap().trim().is_empty())
            .collect();
        assert!(segs.iter().all(|s| s["outcome"] != "empty"), "{name}");
        assert_eq!(total["segments"], segs.len() as u64, "{name}: {a:#}\n{p:#}");
        let (mut words, mut chars) = (0, 0);
        for s in &segs {
            let c = concord::analysis::count_text(&concord::text::stored_form(
                s["source"].as_str().unwrap(),
            ));
            words += c.words;
            chars += c.characters;
        }
        let tags = total["tags"].as_u64().unwrap();
        assert_eq!(total["words"].as_u64().unwrap() - tags, words, "{name}");
        assert_eq!(total["characters"].as_u64().unwrap(), chars, "{name}");
        written += p["segments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["outcome"] == "exact" || s["outcome"] == "fuzzy")
            .count();
        // The written file re-reads with the same segments (ids and sources), and
        // analyze counts it as it counted the input.
        let again = e.path().join(format!("again-{name}"));
        let args = [
            &["--json", "pretranslate", out.to_str().unwrap(), "-o"],
            &[again.to_str().unwrap()][..],
            to,
        ]
        .concat();
        let p2 = e.run(&args);
        assert!(p2.status.success(), "{name}: {}", stderr(&p2));
        let p2 = common::json(&p2);
        let ids = |v: &serde_json::Value| -> Vec<(serde_json::Value, serde_json::Value)> {
            v["segments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["id"].clone(), s["source"].clone()))
                .collect()
        };
        assert_eq!(ids(&p), ids(&p2), "{name}");
        let a2 = e.run(&[&["--json", "analyze", out.to_str().unwrap()], to].concat());
        assert!(a2.status.success(), "{name}: {}", stderr(&a2));
        let a2 = common::json(&a2);
        assert_eq!(
            a2["files"][0]["bands"]["total"]["segments"],
            total["segments"]
        );
        assert_eq!(a2["files"][0]["bands"]["total"]["words"], total["words"]);
        compared += 1;
    }
    // Two OASIS files are invalid XLIFF 2.0; every other one is compared.
    assert_eq!((compared, refused), (files.len() - 2, 2));
    assert!(written > 0, "no fixture got a target from the memory");
}

/// `analyze`, `pretranslate` and `lint` read a pipe (`/dev/stdin`, `<(cat job.xlf)`),
/// whose name has no extension, as plain text unless given `--input-format`: an XLIFF
/// job came out as one "segment" per line of XML. The format is now told from the
/// content (XLIFF and its flavour, TMX, a TSV header, else text), the pipe is still read
/// once, `--input-format` still decides when given, and an error says what the file was
/// read as.
#[test]
fn a_pipe_is_read_by_its_content_without_input_format() {
    let e = env();
    let xliff = std::fs::read_to_string(data("formats", "xliff12-en-ko.xlf")).unwrap();
    let sdl = std::fs::read_to_string(data("formats", "sdlxliff-en-ko.sdlxliff")).unwrap();
    let pipe = |args: &[&str], input: &str| e.run_stdin(args, Some(input));
    // analyze: the same counts as the file's.
    let file = data("formats", "xliff12-en-ko.xlf");
    let a = e.run(&["--json", "analyze", file.to_str().unwrap()]);
    let p = pipe(&["--json", "analyze", "/dev/stdin"], &xliff);
    assert!(p.status.success(), "{}", stderr(&p));
    assert_eq!(
        common::json(&p)["total"],
        common::json(&a)["total"],
        "{}",
        stdout(&p)
    );
    // pretranslate: the same bytes as from the file, in the input's own flavour.
    for (name, text) in [
        ("xliff12-en-ko.xlf", &xliff),
        ("sdlxliff-en-ko.sdlxliff", &sdl),
    ] {
        let file = data("formats", name);
        let from_file = e.path().join(format!("file-{name}"));
        let from_pipe = e.path().join(format!("pipe-{name}.out"));
        let o = e.run(&[
            "pretranslate",
            file.to_str().unwrap(),
            "-o",
            from_file.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = pipe(
            &[
                "pretranslate",
                "/dev/stdin",
                "-o",
                from_pipe.to_str().unwrap(),
            ],
            text,
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(
            std::fs::read(&from_pipe).unwrap(),
            std::fs::read(&from_file).unwrap(),
            "{name}"
        );
    }
    // lint: the XLIFF's segments, not its lines.
    let o = pipe(&["lint", "/dev/stdin", "--no-memory"], &xliff);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).contains("3 segments checked"), "{}", stdout(&o));
    // A TSV header makes a table (one segment); --input-format txt still decides (two
    // lines, two segments).
    let tsv = "en\tko\nThe ministers met in Seoul.\t\n";
    let count = |args: &[&str]| {
        let o = pipe(args, tsv);
        assert!(o.status.success(), "{}", stderr(&o));
        common::json(&o)["total"]["total"]["segments"].clone()
    };
    assert_eq!(count(&["--json", "analyze", "/dev/stdin"]), 1);
    let args = ["--json", "analyze", "/dev/stdin", "--input-format", "txt"];
    assert_eq!(
        count(&[&args[..], &["--from", "en", "--to", "ko", "--lines"]].concat()),
        2
    );
    // A file without extension, too.
    let dat = e.file(
        "job.dat",
        std::fs::read(data("formats", "xliff20-en-zh.xlf")).unwrap(),
    );
    let o = e.run(&["--json", "analyze", dat.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(common::json(&o)["target"], "zh-CN");
    // Bad input: exit 2, the line, what it was read as, nothing written.
    let bad = xliff.replacen("</trans-unit>", "</trans-unit><oops>", 1);
    let out = e.path().join("never.xlf");
    for args in [
        &["analyze", "/dev/stdin"][..],
        &["pretranslate", "/dev/stdin", "-o", out.to_str().unwrap()],
        &["lint", "/dev/stdin", "--no-memory"],
    ] {
        let o = pipe(args, &bad);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("/dev/stdin:"), "{err}");
        assert!(
            err.contains("(read as XLIFF 1.2, told from its content"),
            "{err}"
        );
        assert!(!out.exists());
    }
}
