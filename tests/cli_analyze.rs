//! `concord analyze` end to end: the bands of a two-file job, the outputs (table, JSON,
//! CSV, Trados XML), and bad inputs (exit 2, file and line, nothing written).

mod common;

use common::{json, stderr, stdout, Env};

const TSV: &str = "en\tko\tzh
The two ministers discussed the situation on the Korean Peninsula.\t양국 장관은 한반도 정세를 논의했다.\t两国部长讨论了朝鲜半岛局势。
The Foreign Minister met the Ambassador of the Republic of Korea on 12 March.\t외교부 장관은 3월 12일 대한민국 대사를 접견했다.\t外交部长于3月12日会见了韩国大使。
The spokesperson said the talks were constructive.\t대변인은 회담이 건설적이었다고 말했다.\t发言人表示会谈富有建设性。
";

fn setup() -> Env {
    let env = Env::new();
    let tsv = env.file("m.tsv", TSV);
    let out = env.import(&[&tsv]);
    assert!(out.status.success(), "{}", stderr(&out));
    env
}

#[test]
fn analyze_json_bands_and_schema() {
    let e = setup();
    let a = e.file(
        "a.txt",
        "The two ministers discussed the situation on the Korean Peninsula. The Foreign Minister met the Ambassador of the Republic of Korea on 12 March.\n\nThe spokesperson said the talks were constructive!\n\nSomething else entirely.\n",
    );
    let b = e.file("b.txt", "Something else entirely.\n");
    let o = e.run(&[
        "--json",
        "analyze",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--from",
        "en",
        "--to",
        "ko",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["schema"], "concord.analyze/1");
    let t = &v["total"];
    assert_eq!(t["context"]["segments"], 2, "{v:#}");
    assert_eq!(t["fuzzy"][0]["segments"], 1, "{v:#}");
    assert_eq!(t["fuzzy"][0]["min"], 95);
    assert_eq!(t["no_match"]["segments"], 1);
    assert_eq!(t["cross_file_repetitions"]["segments"], 1);
    assert_eq!(t["total"]["segments"], 5);
    assert_eq!(t["cross_file_repetitions"]["words"], 3);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert!(v["rules_text"][1].as_str().unwrap().contains("Trados"));
}

#[test]
fn analyze_table_csv_and_trados_xml() {
    let e = setup();
    let a = e.file(
        "a.txt",
        "The spokesperson said the talks were constructive.\n",
    );
    let o = e.run(&["analyze", a.to_str().unwrap(), "--to", "zh-CN"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("rule: fuzzy bands: 95-99, 85-94, 75-84, 50-74"),
        "{s}"
    );
    assert!(s.contains("Context match (101%)"), "{s}");
    let csv = e.path().join("out.csv");
    let o = e.run(&[
        "analyze",
        a.to_str().unwrap(),
        "--to",
        "ko",
        "--csv",
        "-o",
        csv.to_str().unwrap(),
        "--bands",
        "90,70",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c = std::fs::read_to_string(&csv).unwrap();
    assert!(c.starts_with("file,band,min,max,segments,words,characters,placeables,tags\n"));
    assert!(c.contains(",90-99,90,99,0,"), "{c}");
    let xml = e.path().join("out.xml");
    let first = e.file(
        "c.txt",
        "The two ministers discussed the situation on the Korean Peninsula.\n",
    );
    let o = e.run(&[
        "analyze",
        first.to_str().unwrap(),
        "--to",
        "ko",
        "--trados-xml",
        "-o",
        xml.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(x.contains("<task name=\"analyse\">"), "{x}");
    assert!(
        x.contains("<language lcid=\"1042\" name=\"Korean\"/>"),
        "{x}"
    );
    assert!(
        x.contains("<inContextExact segments=\"1\" words=\"10\" characters=\"57\" placeables=\"0\" tags=\"0\"/>"),
        "{x}"
    );
    assert!(x.contains("<fuzzy min=\"50\" max=\"74\""), "{x}");
}

/// A bad input: exit 2, the file and line in the message, and no output file.
fn refused(e: &Env, args: &[&str], want: &[&str]) {
    let out = e.path().join("refused.json");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--json", "-o", out.to_str().unwrap()]);
    let o = e.run(&all);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for w in want {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
    assert!(!out.exists(), "an output was written");
}

#[test]
fn bad_inputs_exit_2_with_file_and_line_and_write_nothing() {
    let e = setup();
    let bad = e.file(
        "bad.xlf",
        "<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>",
    );
    refused(&e, &["analyze", bad.to_str().unwrap()], &["bad.xlf:3"]);
    let txt = e.file("plain.txt", "The talks were constructive.\n");
    refused(
        &e,
        &["analyze", txt.to_str().unwrap(), "--from", "en"],
        &["plain.txt:1", "target language", "--to"],
    );
    refused(
        &e,
        &["analyze", txt.to_str().unwrap(), "--to", "ja"],
        &["plain.txt:1", "ja", "the memory has"],
    );
    let x = e.file(
        "ja.xlf",
        "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a b</source></trans-unit></body></file></xliff>",
    );
    refused(
        &e,
        &["analyze", x.to_str().unwrap(), "--to", "zh"],
        &["ja.xlf:", "ko", "zh"],
    );
}

/// A self-closing `<source/>` (XLIFF 1.2 and 2.0, also `<seg-source/>`, with a
/// `<target/>` beside it) was refused by every command with "a <trans-unit> without
/// <source>". It is an empty segment: analyze leaves it out, pretranslate leaves it as it
/// is (outcome `empty`, not "no match") and fills the `<target/>` of the other units,
/// import skips it and counts it as empty, lint checks the rest of the file.
#[test]
fn self_closing_source_is_an_empty_segment_in_every_command() {
    let e = setup();
    let v12 = e.file(
        "v12.xlf",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.txt" source-language="en" target-language="ko" datatype="plaintext"><body>
<trans-unit id="1"><source>The spokesperson said the talks were constructive.</source><target/></trans-unit>
<trans-unit id="2"><source/><target/></trans-unit>
<trans-unit id="3"><source/><target state="translated">빈 원문</target></trans-unit>
<trans-unit id="4"><source>Something else entirely.</source><seg-source/><target state="translated">전혀 다른 것.</target></trans-unit>
<trans-unit id="5"><source/></trans-unit>
</body></file></xliff>
"#,
    );
    let v20 = e.file(
        "v20.xlf",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="ko">
<file id="f1">
<unit id="1"><segment><source>The spokesperson said the talks were constructive.</source><target/></segment></unit>
<unit id="2"><segment state="translated"><source/><target/></segment></unit>
<unit id="3"><segment state="translated"><source>Something else entirely.</source><target>전혀 다른 것.</target></segment></unit>
</file></xliff>
"#,
    );
    for (k, f) in [&v12, &v20].into_iter().enumerate() {
        let f = f.to_str().unwrap();
        // analyze: the two segments with text, nothing else.
        let o = e.run(&["--json", "analyze", f]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        let t = &json(&o)["total"];
        assert_eq!(t["total"]["segments"], 2, "{f}: {t:#}");
        assert_eq!(t["no_match"]["segments"], 1, "{f}: {t:#}");
        // pretranslate: the `<target/>` of unit 1 is filled; the empty ones are left.
        let out = e.path().join("out.xlf");
        let o = e.run(&["--json", "pretranslate", f, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        let v = json(&o);
        let outcomes: Vec<(&str, &str)> = v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
            .collect();
        let empty = v["summary"]["empty"].as_u64().unwrap();
        assert_eq!(v["summary"]["no_match"], 0, "{f}: {v:#}");
        assert_eq!(outcomes[0], ("1", "exact"), "{f}");
        assert!(
            outcomes[1..]
                .iter()
                .all(|(_, o)| *o == "empty" || *o == "kept"),
            "{f}: {outcomes:?}"
        );
        assert_eq!(
            outcomes.iter().filter(|(_, o)| *o == "empty").count() as u64,
            empty
        );
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(
            written.contains("대변인은 회담이 건설적이었다고 말했다."),
            "{written}"
        );
        assert!(
            written.contains("<source/>"),
            "the empty source is kept: {written}"
        );
        // lint: the file is read; an empty segment is not a finding, but a target
        // translating an empty source (unit 3 of the 1.2 file, line 6) is.
        let o = e.run(&["lint", f, "--no-memory"]);
        assert_ne!(o.status.code(), Some(2), "{f}: {}", stderr(&o));
        assert!(!stdout(&o).contains(":5:"), "{f}: {}", stdout(&o));
        let said = stdout(&o);
        let flagged: Vec<&str> = said
            .lines()
            .filter(|l| l.contains("empty-source"))
            .collect();
        if k == 0 {
            assert_eq!(flagged.len(), 1, "{f}: {said}");
            assert!(flagged[0].contains("v12.xlf:6:"), "{f}: {said}");
            assert!(flagged[0].contains("error empty-source"), "{f}: {said}");
        } else {
            assert!(flagged.is_empty(), "{f}: {said}");
        }
        // import: the empty segments are skipped and counted as empty.
        let db = e.path().join(format!("import{k}.db"));
        let o = common::run_db(&db, &["import", f], None);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        let said = stdout(&o);
        assert!(said.starts_with("imported 1 unit"), "{f}: {said}");
        let empty = ["4 empty", "1 empty"][k];
        assert!(said.contains(empty), "{f}: {said}");
        assert!(!said.contains("fewer than two languages"), "{f}: {said}");
    }
}

/// A job in `en-US` → `ko-KR` against a memory in `en`/`ko`: pretranslate matched it
/// (it looks the memory up by language, as lint does), analyze refused it with "no
/// segments in en-US (the memory has en, ko, zh)", after its own language check had let
/// it through. Both now look up the same languages.
#[test]
fn analyze_matches_a_regional_job_against_a_memory_of_the_language_as_pretranslate_does() {
    let e = setup();
    let f = e.file(
        "regional.xlf",
        r#"<xliff version="1.2"><file original="a" source-language="en-US" target-language="ko-KR" datatype="plaintext"><body>
<trans-unit id="1"><source>The spokesperson said the talks were constructive.</source></trans-unit>
</body></file></xliff>
"#,
    );
    let f = f.to_str().unwrap();
    let o = e.run(&["--json", "analyze", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = &json(&o)["total"];
    assert_eq!(t["no_match"]["segments"], 0, "{t:#}");
    assert_eq!(t["total"]["segments"], 1, "{t:#}");
    let out = e.path().join("out.xlf");
    let o = e.run(&["--json", "pretranslate", f, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["segments"][0]["outcome"], "exact");
}
