//! `concord lint` from the command line: exit codes, formats, bad input.

mod common;

use common::desk::{Desk, DPRK_GLOSSARY};
use common::{run_code as concord, write};

/// A fixture of `../shared/fixtures/xliff`, or `None` (the test skips; see
/// `common::shared_dir`).
fn fixture(name: &str) -> Option<String> {
    common::shared_fixtures("xliff").map(|d| d.join(name).display().to_string())
}

#[test]
fn exit_codes_and_formats() {
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(
        p,
        "ok.tsv",
        "en\tko\nThe DPRK launched 2 missiles.\t북한은 미사일 2발을 발사했다.\n",
    );
    write(
        p,
        "bad.tsv",
        "en\tko\nThe DPRK launched 2 missiles.\t북조선은 미사일 3발을 발사했다.\n",
    );
    let (code, out, _) = d.lint(&["ok.tsv"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 segment checked: 0 errors"), "{out}");
    let (code, out, _) = d.lint(&["bad.tsv"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("bad.tsv:2:31: error term-forbidden: 북조선 is a forbidden variant: use 북한"),
        "{out}"
    );
    assert!(out.contains("warning number-mismatch"), "{out}");
    // --min-severity and --skip change what is reported, and the exit code follows.
    let (code, out, _) = d.lint(&["bad.tsv", "--skip", "term-forbidden"]);
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = d.lint(&["bad.tsv", "--min-severity", "error"]);
    assert!(!out.contains("number-mismatch"), "{out}");
    let (code, out, err) = d.lint(&["bad.tsv", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["errors"], 1);
    assert!(err.contains("1 error"), "{err}");
    let (_, out, _) = d.lint(&["bad.tsv", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "term-forbidden");
}

#[test]
fn baseline_silences_and_survives_reordering() {
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(
        p,
        "bad.tsv",
        "en\tko\nHello.\t안녕하세요.\nThe DPRK spoke.\t북조선이 말했다.\n",
    );
    let (code, _, err) = d.lint(&["bad.tsv", "--write-baseline", ".concordignore"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = d.lint(&["bad.tsv"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 silenced by the baseline"), "{out}");
    write(
        p,
        "bad.tsv",
        "en\tko\nThe DPRK spoke.\t북조선이 말했다.\nHello.\t안녕하세요.\n",
    );
    let (code, _, _) = d.lint(&["bad.tsv"]);
    assert_eq!(code, 0);
    let (code, _, _) = d.lint(&["bad.tsv", "--no-baseline"]);
    assert_eq!(code, 1);
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(p, "broken.csv", "id,en\n\"unclosed,DPRK\n");
    write(p, "nohead.tsv", "Hello\t안녕\n");
    write(p, "cell.tsv", "en\tko\nHello\n");
    write(p, "fr.tsv", "en\tfr\nHello there.\tBonjour.\n");
    write(p, "ok.tsv", "en\tko\nHello.\t안녕하세요.\n");
    write(p, "en.txt", "One.\nTwo.\n");
    write(p, "ko.txt", "하나.\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["lint", "nohead.tsv"], "no header row"),
        (vec!["lint", "cell.tsv"], "cell.tsv:2: this row has 1 cell"),
        (vec!["lint", "missing.tsv"], "missing.tsv"),
        (
            vec!["lint", "--glossary", "g.csv", "fr.tsv"],
            "the glossary has no fr terms",
        ),
        (
            vec!["lint", "--glossary", "broken.csv", "ok.tsv"],
            "broken.csv",
        ),
        (
            vec!["lint", "ok.tsv", "--rule", "no-such-rule"],
            "no such rule",
        ),
        (vec!["lint", "--source", "en.txt", "ko.txt"], "not aligned"),
    ];
    for (args, msg) in cases {
        let (code, _, err) = concord(p, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let Some(bad) = fixture("oasis-xliff20-bad_EcBeforeSc.xlf") else {
        return;
    };
    let (code, _, err) = concord(p, &["lint", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid XLIFF 2.0"), "{err}");
    let bad = fixture("oasis-xliff20-bad_InvalidStateValue.xlf").expect("../shared is there");
    let (code, _, err) = concord(p, &["lint", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid XLIFF 2.0"), "{err}");
}

#[test]
fn text_drafts() {
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(p, "en.txt", "The DPRK spoke.\nIn 2019.\n");
    write(p, "ko.txt", "북한이 말했다.\n2018년에.\n");
    let (code, out, _) = d.lint(&["--source", "en.txt", "ko.txt"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ko.txt:2:") && out.contains("number-mismatch"),
        "{out}"
    );
    write(p, "draft.txt", "북조선이 말했다。\n");
    let (code, out, _) = d.lint(&["draft.txt", "--to", "ko"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("term-forbidden") && out.contains("punctuation"),
        "{out}"
    );
}

#[test]
fn xliff_draft() {
    let Some(xliff) = fixture("okapi-sampe_sch.xliff") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let (code, out, _) = concord(d.path(), &["lint", "--no-memory", &xliff]);
    assert_eq!(code, 1);
    assert!(out.contains("tag-mismatch"), "{out}");
}

#[test]
fn tmx_draft() {
    let Some(tmx) = common::shared_fixtures("tmx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let tmx = tmx.join("omegat-generated-en-US_ko-KR-level1.tmx");
    let (code, out, err) = concord(d.path(), &["lint", "--no-memory", tmx.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("8 segments checked"), "{out}");
}

#[test]
fn lint_format_meant_both_draft_and_output_format() {
    // `--format` used to set both; now --draft-format (alias --input-format) and
    // --output-format are separate, and a draft format given to --format still works
    // with a deprecation note.
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(
        p,
        "draft.txt",
        "en\tko\nThe DPRK spoke.\t북조선이 말했다.\n",
    );
    let with = |extra: &[&str]| d.lint(&[&["--no-memory", "draft.txt"], extra].concat());
    let (code, out, err) = with(&["--draft-format", "tsv", "--output-format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["rule"], "term-forbidden");
    assert!(!err.contains("deprecated"), "{err}");
    let (code, out, _) = with(&["--input-format", "tsv", "--format", "sarif"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "term-forbidden");
    // The old spelling: both through --format, a note on stderr.
    let (code, out, err) = with(&["--format", "tsv", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "--format tsv names the draft format, which is deprecated: use --draft-format tsv"
        ),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["format"], "tsv");
    let (code, _, err) = with(&["--output-format", "tsv"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn lint_text_output_escapes_control_characters() {
    // issue 13 item 6: the draft's `\e]0;pwned\a` does not reach the terminal raw.
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(
        p,
        "bad.tsv",
        "en\tko\nThe DPRK spoke.\t북조선이\u{1b}]0;pwned\u{7} 말했다.\n",
    );
    let (code, out, _) = d.lint(&["--no-memory", "bad.tsv"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
    let (_, out, _) = d.lint(&["--no-memory", "bad.tsv", "--format", "json"]);
    assert!(out.contains("\\u001b]0;pwned\\u0007"), "{out}");
}

#[test]
fn lint_stderr_summary_escapes_control_characters() {
    // With JSON and SARIF the summary line goes to stderr; it names the draft, whose
    // name may hold control characters.
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let name = "d\u{1b}]0;pwned\u{7}.tsv";
    write(p, name, "en\tko\nHello.\t안녕하세요.\n");
    let (code, out, err) = concord(p, &["lint", "--no-memory", name, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(
        err.contains("d\\u{1b}]0;pwned\\u{7}.tsv: 1 segment checked"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["file"].as_str().unwrap(), name);
}

/// term-missing says where the term went: the target span (stem only, the particle
/// apart) in every printer, learned from the memory's units; "seems untranslated" when
/// nothing aligns.
#[test]
fn term_missing_says_where_the_term_went() {
    let env = common::Env::new();
    let mem = env.file(
        "mem.tsv",
        "en\tko\nThe Special Representative arrived.\t특사가 도착했다.\n\
         The Special Representative left Seoul.\t특사는 서울을 떠났다.\n\
         The delegation met the press.\t대표단은 기자들을 만났다.\n",
    );
    let o = env.run(&["import", mem.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let g = env.file(
        "g.csv",
        "id,en,ko\nsr,Special Representative,특별대표\ndprk,DPRK,북한\n",
    );
    let draft = env.file(
        "d.tsv",
        "en\tko\nThe Special Representative met the DPRK delegation.\t특사는 북한 대표단을 만났다.\n\
         The Special Representative met the DPRK delegation.\t북한 대표단을 만났다.\n",
    );
    let lint = |format: &str| {
        let o = env.run(&[
            "lint",
            "--no-baseline",
            "--glossary",
            g.to_str().unwrap(),
            "--rule",
            "term-missing",
            "--format",
            format,
            draft.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
        common::stdout(&o)
    };
    let v: serde_json::Value = serde_json::from_str(&lint("json")).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0]["target_span"]["text"], "특사");
    assert_eq!(
        f[0]["target_span"]["column"], 53,
        "the column in the file line"
    );
    assert_eq!(f[0]["source_span"]["text"], "Special Representative");
    assert_eq!(
        f[0]["message"],
        "Special Representative is rendered as 특사 (particle 는) here; approved: 특별대표: use 특별대표"
    );
    assert!(f[1]["target_span"].is_null());
    assert!(f[1]["message"]
        .as_str()
        .unwrap()
        .contains("seems untranslated"));
    let text = lint("text");
    assert!(
        text.contains("rendered as 특사 (particle 는) here"),
        "{text}"
    );
    assert!(
        text.contains("target | 특사는 북한 대표단을 만났다.\n         | ^^^^"),
        "{text}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&lint("sarif")).unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("rendered as 특사"),
        "{r:#}"
    );
}

const TRILINGUAL_GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,domain
dprk,DPRK,북한,朝鲜,북조선,北韩,place
special_representative,Special Representative,특별대표,特别代表,,,title
";

#[test]
fn trilingual_tsv_checks_ko_against_zh() {
    let d = Desk::new(TRILINGUAL_GLOSSARY);
    let p = d.path();
    write(
        p,
        "tri.tsv",
        "en\tko\tzh\n\
         The DPRK fired 3 missiles on February 21, 2022.\t북한은 2022년 2월 21일 미사일 3발을 발사했다.\t朝鲜于2022年2月22日发射了三枚导弹。\n\
         The Special Representative met Kim.\t특별대표는 김 대표를 만났다.\t有关方面会见了金。\n\
         The talks lasted 30 days.\t회담은 30일 동안 계속됐다.\t会谈持续了三十天。\n",
    );
    // The target is chosen with --to; the language left is checked against it.
    let args = ["--no-memory", "tri.tsv", "--to", "ko"];
    let (code, out, err) = d.lint(&args);
    assert_eq!(code, 0, "cross-target is a warning: {out}{err}");
    assert!(
        out.contains("tri.tsv:2:62: warning cross-target: the number 21 of the source is in ko but not in zh (zh has 22): check zh"),
        "{out}"
    );
    assert!(
        out.contains("  second | 朝鲜于2022年2月22日发射了三枚导弹。"),
        "{out}"
    );
    assert!(
        out.contains("warning cross-target: the term Special Representative is rendered in ko (특별대표) but not in zh"),
        "{out}"
    );
    assert!(
        out.contains("3 segments checked: 0 errors, 2 warnings"),
        "{out}"
    );
    // JSON: both targets' spans, and the second language in the summary.
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let (_, out, _) = d.lint(&json);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["second_target_lang"], "zh");
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "cross-target");
    assert_eq!(f["target_span"]["text"], "21");
    assert_eq!(f["second_target_span"]["text"], "22");
    assert_eq!(f["second_target_span"]["line"], 2);
    assert_eq!(f["second_target"], "朝鲜于2022年2月22日发射了三枚导弹。");
    // Other rules' findings carry no second target.
    let (_, out, _) = d.lint(&["--no-memory", "tri.tsv", "--to", "zh", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let missing = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "term-missing")
        .expect("term-missing in zh");
    assert!(missing["second_target"].is_null(), "{missing}");
    // --skip cross-target leaves the bilingual rules only.
    let mut skip = args.to_vec();
    skip.extend(["--skip", "cross-target"]);
    let (_, out, _) = d.lint(&skip);
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    // A bilingual draft is unchanged.
    write(
        p,
        "bi.tsv",
        "en\tko\nThe Special Representative met Kim.\t특별대표는 김 대표를 만났다.\n",
    );
    let (code, out, _) = d.lint(&["--no-memory", "bi.tsv"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn trilingual_tmx_checks_ko_against_zh() {
    let d = Desk::new(TRILINGUAL_GLOSSARY);
    let p = d.path();
    write(
        p,
        "tri.tmx",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t" creationtoolversion="1"/><body>
<tu tuid="1"><tuv xml:lang="en"><seg>The DPRK said so.</seg></tuv><tuv xml:lang="ko"><seg>북조선은 그렇게 말했다.</seg></tuv><tuv xml:lang="zh"><seg>朝鲜这么说。</seg></tuv></tu>
<tu tuid="2"><tuv xml:lang="en"><seg>The summit is on September 18.</seg></tuv><tuv xml:lang="ko"><seg>정상회담은 9월 18일에 열린다.</seg></tuv><tuv xml:lang="zh"><seg>首脑会谈将于9月18日举行。</seg></tuv></tu>
</body></tmx>
"#,
    );
    let (code, out, err) = d.lint(&["--no-memory", "tri.tmx", "--to", "ko"]);
    assert_eq!(code, 1, "term-forbidden is an error: {out}{err}");
    assert!(
        out.contains("error term-forbidden: 북조선 is a forbidden variant"),
        "{out}"
    );
    assert!(
        out.contains("warning cross-target: the name DPRK is rendered in zh as 朝鲜, in ko with the forbidden variant 북조선"),
        "{out}"
    );
    assert!(out.contains("  second | 朝鲜这么说。"), "{out}");
    assert!(
        out.contains("2 segments checked: 1 error, 1 warning"),
        "{out}"
    );
}

/// A row whose source cell is empty but whose target has text (a shifted row, a source
/// lost on the way) passed lint in silence: every rule that compares with the source
/// skipped it, and `empty-target` only looks at the target's side.
#[test]
fn empty_source_with_a_target_is_not_silent() {
    let d = Desk::new(DPRK_GLOSSARY);
    let p = d.path();
    write(
        p,
        "shifted.tsv",
        "en\tko\nThe talks ended.\t회담이 끝났다.\n\u{3000}\t회담은 건설적이었다.\n\t\nHello.\t안녕하세요.\n",
    );
    let (code, out, _) = d.lint(&["shifted.tsv", "--no-memory"]);
    assert_eq!(code, 1, "{out}");
    let hits: Vec<&str> = out.lines().filter(|l| l.contains(" error ")).collect();
    assert_eq!(hits.len(), 1, "{out}");
    assert!(
        hits[0].starts_with("shifted.tsv:3:3: error empty-source: the source is empty"),
        "{out}"
    );
    // It is a rule like the others: --skip leaves it out, and the exit code follows.
    let (code, out, _) = d.lint(&["shifted.tsv", "--no-memory", "--skip", "empty-source"]);
    assert_eq!(code, 0, "{out}");
    // A target-only draft has no source to be empty.
    write(p, "only.tsv", "ko\n회담은 건설적이었다.\n");
    let (code, out, _) = d.lint(&["only.tsv", "--no-memory", "--to", "ko"]);
    assert!(!out.contains("empty-source"), "{code} {out}");
}
