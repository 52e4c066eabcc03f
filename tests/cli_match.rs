//! `concord match` and `concord search` end to end: output shape, batch mode, exit codes,
//! bad input, short CJK phrases, delete, and the migration that indexes an old memory.

mod common;

use common::{json, run_db as concord, stderr, stdout, Env};

const TSV: &str = "en\tko\tzh\torigin
The two ministers discussed the situation on the Korean Peninsula.\t양국 장관은 한반도 정세를 논의했다.\t两国部长讨论了朝鲜半岛局势。\tmofa-2024.tsv
The two ministers discussed the situation in the Middle East.\t양국 장관은 중동 정세를 논의했다.\t两国部长讨论了中东局势。\tmofa-2024.tsv
The Foreign Minister met the Ambassador of the Republic of Korea on 12 March.\t외교부 장관은 3월 12일 대한민국 대사를 접견했다.\t外交部长于3月12日会见了韩国大使。\tmofa-2024.tsv
North Korea launched a ballistic missile on Tuesday.\t북한은 화요일 탄도미사일을 발사했다.\t朝鲜周二发射了一枚弹道导弹。\tmofa-2024.tsv
The spokesperson said the talks were constructive.\t대변인은 회담이 건설적이었다고 말했다.\t发言人表示会谈富有建设性。\tmofa-2024.tsv
";

/// A memory holding the five units of `TSV`.
fn setup() -> Env {
    let env = Env::new();
    let tsv = env.file("m.tsv", TSV);
    let out = concord(&env.db(), &["import", tsv.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

#[test]
fn match_json_shape_and_ids() {
    let e = setup();
    let o = concord(
        &e.db(),
        &[
            "match",
            "--json",
            "--to",
            "ko,zh",
            "The two ministers discussed the situation on the Korean peninsula",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["from"], "en");
    let m = &v["matches"];
    assert_eq!(m[0]["id"], 1);
    assert_eq!(m[0]["targets"]["ko"], "양국 장관은 한반도 정세를 논의했다.");
    assert_eq!(m[0]["targets"]["zh"], "两国部长讨论了朝鲜半岛局势。");
    let s = m[0]["score"].as_f64().unwrap();
    assert!(s > 95.0 && s < 100.0, "{s}");
    // The near-duplicate about the Middle East is the second match.
    assert_eq!(m[1]["id"], 2);
    assert!(m[1]["score"].as_f64().unwrap() < s);
}

#[test]
fn language_is_detected_and_said() {
    let e = setup();
    // NFD Hangul and a full-width digit still match.
    let q: String =
        unicode_normalization::UnicodeNormalization::nfd("북한은 화요일 탄도미사일을 발사했다")
            .collect();
    let o = concord(&e.db(), &["match", &q], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("in ko (detected from the script)"), "{out}");
    assert!(out.contains("#4"), "{out}");
    assert!(out.contains("North Korea launched"), "{out}");
    assert!(out.contains("origin mofa-2024.tsv"), "{out}");
    // Not a terminal: plain diff markers, no escape codes.
    assert!(!out.contains('\u{1b}'));
    let o = concord(
        &e.db(),
        &["match", "--json", "朝鲜周二发射了一枚弹道导弹"],
        None,
    );
    assert_eq!(json(&o)["from"], "zh");
    assert_eq!(json(&o)["matches"][0]["id"], 4);
}

#[test]
fn differences_are_marked() {
    let e = setup();
    let o = concord(
        &e.db(),
        &[
            "match",
            "--from",
            "en",
            "The two ministers discussed the situation in East Asia.",
        ],
        None,
    );
    let out = stdout(&o);
    assert!(
        out.contains("[-Middle-]") || out.contains("{+Asia+}"),
        "{out}"
    );
}

#[test]
fn batch_mode_answers_in_order() {
    let e = setup();
    let input = "North Korea launched a missile on Tuesday.\n외교부 장관은 3월 12일 대한민국 대사를 접견했다\nCompletely unrelated words about cooking pasta\n";
    let o = concord(&e.db(), &["match"], Some(input));
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["matches"][0]["id"], 4);
    assert_eq!(lines[1]["from"], "ko");
    assert_eq!(lines[1]["matches"][0]["id"], 3);
    assert_eq!(lines[2]["matches"].as_array().unwrap().len(), 0);
    assert_eq!(
        lines[2]["query"],
        "Completely unrelated words about cooking pasta"
    );
}

#[test]
fn no_match_is_exit_0_and_empty() {
    let e = setup();
    let o = concord(
        &e.db(),
        &["match", "--json", "Recipe for kimchi stew"],
        None,
    );
    assert!(o.status.success());
    assert_eq!(json(&o)["matches"].as_array().unwrap().len(), 0);
}

#[test]
fn bad_input_is_exit_2_with_a_message() {
    let e = setup();
    let long = "a".repeat(100_000);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["match", ""], "empty query"),
        (vec!["match", "  ... !!! "], "no letters or digits"),
        (vec!["match", &long], "too long"),
        (vec!["match", "--from", "xx", "hello"], "unknown language"),
        (
            vec!["match", "--from", "fr", "bonjour"],
            "no segments in fr",
        ),
        (vec!["match", "--min-score", "120", "hello"], "outside"),
        (vec!["search", ""], "empty phrase"),
        (vec!["search", "--lang", "de", "Haus"], "no segments in de"),
        (vec!["match", "☃☃☃ 2024"], "cannot tell the language"),
    ];
    for (args, msg) in cases {
        let o = concord(&e.db(), &args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{args:?}: {}", stderr(&o));
    }
    let missing = e.db().with_file_name("nope.db");
    let o = concord(&missing, &["match", "hello"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no memory here"), "{}", stderr(&o));
    assert!(!missing.exists());
}

#[test]
fn concordance_short_cjk_phrases() {
    let e = setup();
    for (phrase, id) in [("북한", 4), ("朝鲜", 1), ("韩", 3), ("한", 1)] {
        let o = concord(&e.db(), &["search", "--json", phrase], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["hits"][0]["id"], id, "{phrase}: {v}");
        assert!(v["hits"][0]["others"]["en"].is_string());
    }
    let o = concord(&e.db(), &["search", "--lang", "en", "KOREA"], None);
    let out = stdout(&o);
    assert!(out.contains("[[Korea]]n Peninsula"), "{out}");
    assert!(out.contains("#4"), "{out}");
    // Full-width query folds to ASCII.
    let o = concord(&e.db(), &["search", "--json", "ＭＩＳＳＩＬＥ"], None);
    assert_eq!(json(&o)["hits"][0]["spans"][0], serde_json::json!([33, 40]));
}

#[test]
fn deleted_units_are_not_matched() {
    let e = setup();
    let o = concord(&e.db(), &["delete", "4"], None);
    assert!(o.status.success());
    let o = concord(
        &e.db(),
        &[
            "match",
            "--json",
            "North Korea launched a ballistic missile on Tuesday.",
        ],
        None,
    );
    assert_eq!(json(&o)["matches"].as_array().unwrap().len(), 0);
    let o = concord(&e.db(), &["search", "--json", "북한"], None);
    assert_eq!(json(&o)["hits"].as_array().unwrap().len(), 0);
}

#[test]
fn old_memory_is_indexed_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(concord::store::MIGRATIONS[0]).unwrap();
        c.execute_batch(
            "INSERT INTO unit (id, fingerprint) VALUES (1, x'01');
             INSERT INTO variant (unit_id, lang, text) VALUES (1, 'en', 'The talks were constructive.');
             INSERT INTO variant (unit_id, lang, text) VALUES (1, 'ko-KR', '회담은 건설적이었다.');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let o = concord(
        &db,
        &["match", "--json", "The talks were very constructive."],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["matches"][0]["id"], 1);
    assert_eq!(
        json(&o)["matches"][0]["targets"]["ko-KR"],
        "회담은 건설적이었다."
    );
}
