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
