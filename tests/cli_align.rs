//! `concord segment` and `concord align` through the binary.

mod common;

use common::{stderr, stdout, Env};

#[test]
fn segment_prints_one_sentence_a_line_and_paragraphs_apart() {
    let env = Env::new();
    env.file(
        "en.md",
        "# Joint Press Statement\n\nH.E. Mr. Park met U.S. President Biden on Jan. 5. They discussed Art. 3 of the treaty.\n\nBoth sides agreed.\n",
    );
    let o = env.run(&["segment", "en.md"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Joint Press Statement\n\nH.E. Mr. Park met U.S. President Biden on Jan. 5.\nThey discussed Art. 3 of the treaty.\n\nBoth sides agreed.\n"
    );
}

#[test]
fn segment_json_detects_the_language_and_names_the_rules() {
    let env = Env::new();
    env.file("zh.txt", "两国外长讨论了朝鲜半岛局势。会谈富有成果！\n");
    let o = env.run(&["--json", "segment", "zh.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "concord.segment");
    assert_eq!(v["lang"], "zh");
    assert_eq!(v["detected"], true);
    assert_eq!(
        v["paragraphs"][0]["sentences"],
        serde_json::json!(["两国外长讨论了朝鲜半岛局势。", "会谈富有成果！"])
    );
    assert!(v["rules"][0].as_str().unwrap().starts_with("Chinese"));
}

#[test]
fn segment_with_a_user_srx_file() {
    let env = Env::new();
    env.file("ko.txt", "회의는 끝났다; 다음 회의는 내일이다.\n");
    env.file(
        "mine.srx",
        r#"<srx version="2.0"><header cascade="yes"/><body><languagerules>
<languagerule languagerulename="Semicolons"><rule break="yes"><beforebreak>;</beforebreak><afterbreak>\s</afterbreak></rule></languagerule>
</languagerules><maprules><languagemap languagepattern="ko.*" languagerulename="Semicolons"/></maprules></body></srx>"#,
    );
    let o = env.run(&["segment", "ko.txt", "--lang", "ko"]);
    assert_eq!(stdout(&o), "회의는 끝났다; 다음 회의는 내일이다.\n");
    let o = env.run(&["segment", "ko.txt", "--lang", "ko", "--srx", "mine.srx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "회의는 끝났다;\n다음 회의는 내일이다.\n");
    env.file("bad.srx", "<srx version=\"2.0\"><body><languagerules><languagerule languagerulename=\"x\"><rule><beforebreak>(</beforebreak></rule></languagerule></languagerules></body></srx>");
    let o = env.run(&["segment", "ko.txt", "--srx", "bad.srx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.srx:1:"), "{}", stderr(&o));
}

#[test]
fn segment_refuses_an_empty_file() {
    let env = Env::new();
    env.file("empty.txt", "");
    let o = env.run(&["segment", "empty.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("empty.txt: the file is empty"),
        "{}",
        stderr(&o)
    );
}

const EN: &str = "# Joint Press Release\n\nForeign Minister Park Jin met Chinese Foreign Minister Wang Yi in Beijing on 21 February 2022. The two ministers discussed the situation on the Korean Peninsula.\n\nThey agreed to hold the next meeting in Seoul. Minister Park said that 30 years of diplomatic relations had brought the two countries closer.\n";
const KO: &str = "# 공동 보도자료\n\n박진 외교부 장관은 2022년 2월 21일 베이징에서 왕이 중국 외교부장과 회담했다. 양국 장관은 한반도 정세에 대해 심도 있게 논의했다.\n\n양측은 다음 회의를 서울에서 개최하기로 합의했다. 박 장관은 수교 30년이 양국을 더욱 가깝게 만들었다고 말했다.\n";
const ZH: &str = "<html><body><h1>联合新闻稿</h1><p>朴振外长于2022年2月21日在北京会见了中国外长王毅。两国外长深入讨论了朝鲜半岛局势。</p><p>双方同意在首尔举行下一次会议。朴外长表示，建交三十年使两国关系更加紧密。</p></body></html>";

fn three(env: &Env) {
    env.file("en.md", EN);
    env.file("ko.md", KO);
    env.file("zh.html", ZH);
}

#[test]
fn align_prints_groups_with_confidence() {
    let env = Env::new();
    three(&env);
    let o = env.run(&["align", "en.md", "ko.md", "zh.html"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("# 5 groups from 5/5/5 sentences (en/ko/zh)"),
        "{out}"
    );
    assert!(
        lines[2].contains("\tForeign Minister Park Jin")
            && lines[2].contains("\t박진")
            && lines[2].contains("\t朴振"),
        "{out}"
    );
    assert!(
        lines[5].ends_with("建交三十年使两国关系更加紧密。"),
        "{out}"
    );
}

#[test]
fn align_json_has_groups_pairs_and_confidence() {
    let env = Env::new();
    three(&env);
    let o = env.run(&["--json", "align", "en.md", "ko.md", "zh.html"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "concord.align");
    assert_eq!(v["languages"], serde_json::json!(["en", "ko", "zh"]));
    assert_eq!(v["files"], serde_json::json!(["en.md", "ko.md", "zh.html"]));
    assert_eq!(v["groups"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["groups"][1]["sentences"],
        serde_json::json!([[1], [1], [1]])
    );
    assert!(v["confidence"].as_f64().unwrap() > 0.5);
    assert_eq!(v["pairs"][0]["lang"], "ko");
}

#[test]
fn align_import_carries_origin_metadata() {
    let env = Env::new();
    three(&env);
    let o = env.run(&["align", "en.md", "ko.md", "zh.html", "--import"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("imported 5 aligned units"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["--json", "show", "3"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = v.to_string();
    assert!(s.contains("x-origin") && s.contains("alignment"), "{s}");
    assert!(s.contains("en.md ko.md zh.html"), "{s}");
    assert!(s.contains("양국 장관은 한반도 정세에 대해"), "{s}");
    // Importing again adds nothing.
    let o = env.run(&["align", "en.md", "ko.md", "zh.html", "--import"]);
    assert!(
        stderr(&o).contains("imported 0 aligned units (5 already"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn align_writes_tmx_and_a_review() {
    let env = Env::new();
    three(&env);
    let o = env.run(&[
        "align",
        "en.md",
        "ko.md",
        "zh.html",
        "-o",
        "out.tmx",
        "--review",
        "review.html",
        "--min-confidence",
        "0.99",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // At 0.99 few or no groups pass; the review lists the others.
    let review = std::fs::read_to_string(env.path().join("review.html")).unwrap();
    assert!(
        review.contains("<table>") && review.contains("공동 보도자료"),
        "{review}"
    );
    let o = env.run(&["align", "en.md", "ko.md", "zh.html", "-o", "out.tmx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tmx = std::fs::read_to_string(env.path().join("out.tmx")).unwrap();
    assert_eq!(tmx.matches("<tu ").count(), 5, "{tmx}");
    assert!(
        tmx.contains("x-origin") && tmx.contains("朴振外长"),
        "{tmx}"
    );
    let o = env.run(&["align", "en.md", "ko.md", "--review"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("confidence\ten\tko\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn align_reads_docx() {
    use std::io::Write;
    let env = Env::new();
    three(&env);
    let mut cur = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut cur);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("word/document.xml", opts).unwrap();
        let paras: String = KO
            .split("\n\n")
            .map(|p| {
                format!(
                    "<w:p><w:r><w:t>{}</w:t></w:r></w:p>",
                    p.trim().trim_start_matches("# ")
                )
            })
            .collect();
        write!(z, r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paras}</w:body></w:document>"#).unwrap();
        z.finish().unwrap();
    }
    env.file("ko.docx", cur.into_inner());
    let o = env.run(&["--json", "align", "en.md", "ko.docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sentence_counts"], serde_json::json!([5, 5]));
}

#[test]
fn align_bad_input_is_a_clear_error_or_warning() {
    let env = Env::new();
    three(&env);
    env.file("empty.txt", "");
    let o = env.run(&["align", "en.md", "empty.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("empty.txt: the file is empty"),
        "{}",
        stderr(&o)
    );
    // Two Korean files: the wrong file was given.
    env.file("ko2.md", KO);
    let o = env.run(&["align", "en.md", "ko.md", "ko2.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("are both ko"), "{}", stderr(&o));
    // Declared Chinese, written in Korean.
    let o = env.run(&["align", "en.md", "ko.md", "--langs", "en,zh"]);
    assert!(stderr(&o).contains("[language-mismatch]"), "{}", stderr(&o));
    // A one-sentence summary: a warning, and --import refuses without --force.
    env.file("summary.txt", "양국 외교장관이 베이징에서 만났다.\n");
    let o = env.run(&["align", "en.md", "summary.txt", "--import"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("[length-mismatch]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("below the threshold"), "{}", stderr(&o));
    let o = env.run(&["align", "en.md", "summary.txt", "--import", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
