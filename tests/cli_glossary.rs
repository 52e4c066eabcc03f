//! `concord glossary ...` and `concord terms` end to end.

mod common;

use std::path::{Path, PathBuf};

use common::{run_in, stderr, stdout, Env, ROOT};

fn data(name: &str) -> PathBuf {
    common::data("glossary", name)
}

/// The glossary as `concord glossary export` prints it.
fn export(env: &Env) -> String {
    let o = env.run(&["glossary", "export"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

const GOOD: &str = "id,en,ko,zh,zh:forbidden,note\n\
    seoul,Seoul,서울,首尔,汉城,The Chinese name changed in 2005.\n\
    kp,Korean Peninsula,한반도,朝鲜半岛,韩半岛,\n";

#[test]
fn bad_input_is_refused_with_file_line_and_exit_2_and_nothing_imported() {
    let env = Env::new();
    let good = env.file("good.csv", GOOD.as_bytes());
    let o = env.run(&["glossary", "import", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = export(&env);
    let mut invalid = b"en,ko\nSeoul,\xEC\x84\x9C\xEC\x9A\xB8\nBusan,\xEB\xB6\n".to_vec();
    invalid.extend_from_slice(b"Incheon,x\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "noheader.csv",
            "Seoul,서울\nBusan,부산\n".into(),
            ":1: no header row",
        ),
        (
            "nolang.csv",
            "term,translation\nSeoul,서울\n".into(),
            ":1: no header row",
        ),
        (
            "width.csv",
            "en,ko\nSeoul,서울\nBusan,부산,extra\n".into(),
            ":3: this row has 3 cells, the header has 2",
        ),
        (
            "unknown.csv",
            "en,ko,xx\nSeoul,서울,?\n".into(),
            ":1: column 3 of the header, \"xx\": unknown language",
        ),
        ("invalid.csv", invalid, ":3: invalid UTF-8"),
        ("empty.csv", Vec::new(), "empty"),
    ];
    for (name, bytes, want) in cases {
        let p = env.file(name, &bytes);
        // Together with a good file: all or nothing.
        let o = env.run(&[
            "glossary",
            "import",
            good.to_str().unwrap(),
            p.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert_eq!(export(&env), before, "{name} changed the memory");
    }
}

#[test]
fn import_export_round_trip_and_reimport() {
    let env = Env::new();
    let g = env.file("g.csv", GOOD.as_bytes());
    let o = env.run(&["glossary", "import", g.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("imported 2 glossary entries"),
        "{}",
        stdout(&o)
    );
    assert_eq!(export(&env), GOOD);
    let o = env.run(&["--json", "glossary", "import", g.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["added"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    let out = env.dir.path().join("out.csv");
    let o = env.run(&["glossary", "export", "-o", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(out).unwrap(), GOOD);
}

#[test]
fn the_sample_glossaries_are_canonical_and_round_trip() {
    let dir = Path::new(ROOT).join("glossaries");
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        n += 1;
        let env = Env::new();
        let o = env.run(&["glossary", "fmt", "--check", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", p.display(), stdout(&o));
        let o = env.run(&["glossary", "import", p.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(export(&env), std::fs::read_to_string(&p).unwrap());
        let o = env.run(&["glossary", "check", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    }
    assert!(n > 0, "no glossaries in {}", dir.display());
}

#[test]
fn fmt_rewrites_and_check_reports() {
    let env = Env::new();
    let messy = "\u{FEFF}NOTE;ZH;EN;Ko\r\n\" a note \";朝鲜 | 朝方;DPRK;북한\r\n";
    let p = env.file("messy.csv", messy.as_bytes());
    let o = env.run(&["glossary", "fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not in canonical form"));
    let o = env.run(&["glossary", "fmt", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "en,ko,zh,note\nDPRK,북한,朝鲜|朝方,a note\n"
    );
    let o = env.run(&["glossary", "fmt", "--check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // A TSV is converted only to another file.
    let tsv = data("canonical.tsv");
    let o = env.run(&["glossary", "fmt", tsv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let out = env.dir.path().join("from-tsv.csv");
    let o = env.run(&[
        "glossary",
        "fmt",
        tsv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("id,en,ko,zh,zh:forbidden,note\nseoul,Seoul,서울,首尔,汉城,"));
}

#[test]
fn check_lists_findings_with_lines_and_json() {
    let env = Env::new();
    let p = env.file(
        "c.csv",
        "en,ko,zh,zh:forbidden\nKorean Peninsula,한반도,朝鲜半岛,朝鲜半岛\n".as_bytes(),
    );
    let o = env.run(&["glossary", "check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o)
            .contains("c.csv:2: error: zh variant \"朝鲜半岛\" is both approved and forbidden"),
        "{}",
        stdout(&o)
    );
    let o = env.run(&["--json", "glossary", "check", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["code"], "approved-and-forbidden");
    assert_eq!(v["findings"][0]["line"], 2);
}

#[test]
fn terms_from_files_text_and_json() {
    let env = Env::new();
    let g = env.file("g.csv", GOOD.as_bytes());
    let text = "Peace on the Korean Peninsula and in Seoul's suburbs.";
    let o = env.run(&[
        "terms",
        text,
        "--from",
        "en",
        "--glossary",
        g.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("13..29\tKorean Peninsula\t[kp]\tko: 한반도\tzh: 朝鲜半岛"),
        "{out}"
    );
    assert!(out.contains("Seoul's"), "{out}");
    let o = env.run(&[
        "--json",
        "terms",
        "在汉城和首尔",
        "--from",
        "zh",
        "--to",
        "en",
        "--forbidden",
        "--glossary",
        g.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["matched"], "汉城");
    assert_eq!(hits[0]["forbidden"], true);
    assert_eq!(hits[0]["use_instead"], "首尔");
    assert_eq!(hits[1]["start"], 4);
    assert_eq!(hits[1]["translations"]["en"][0], "Seoul");
    assert!(hits[1]["translations"].get("ko").is_none());
    // A language the glossary lacks.
    let o = env.run(&[
        "terms",
        "x",
        "--from",
        "ja",
        "--glossary",
        g.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn terms_from_the_memory_and_the_default_seed() {
    let env = Env::new();
    let g = env.file("g.csv", GOOD.as_bytes());
    env.run(&["glossary", "import", g.to_str().unwrap()]);
    let o = env.run(&["terms", "한반도에서 서울까지", "--from", "ko"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    // Without --db: the default memory is seeded from ./glossaries/*.csv.
    let root = env.dir.path().join("project");
    std::fs::create_dir_all(root.join("glossaries")).unwrap();
    std::fs::write(root.join("glossaries/g.csv"), GOOD).unwrap();
    let o = run_in(&root, &["terms", "the Korean Peninsula", "--from", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 glossary entries"), "{}", stderr(&o));
    assert!(stdout(&o).contains("[kp]"), "{}", stdout(&o));
}

/// `terms` required `--from` while `match` told the language from the script; now both
/// use the same rule, and a text without letters is refused with the option to give.
#[test]
fn terms_tells_the_language_from_the_script_like_match() {
    let env = Env::new();
    let g = env.file("g.csv", GOOD.as_bytes());
    let g = g.to_str().unwrap();
    // `concord --json terms TEXT --glossary g.csv`, its answer.
    let terms = |text: &str| -> serde_json::Value {
        let o = env.run(&["--json", "terms", text, "--glossary", g]);
        assert!(o.status.success(), "{text}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = terms("在汉城和首尔");
    assert_eq!(v["from"], "zh", "{v:#}");
    assert_eq!(v["hits"].as_array().unwrap().len(), 1, "{v:#}");
    // Korean with a Latin acronym is Korean; English quoting Korean stays English.
    let v = terms("UN은 한반도에서 회의를 열었다");
    assert_eq!(v["from"], "ko", "{v:#}");
    let v = terms("Peace on the Korean Peninsula (한반도)");
    assert_eq!(v["from"], "en", "{v:#}");
    assert_eq!(v["hits"][0]["matched"], "Korean Peninsula", "{v:#}");
    let o = env.run(&["terms", "2024 ☃", "--glossary", g]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot tell the language"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--from"), "{}", stderr(&o));
}

fn import_json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json", "glossary", "import"];
    all.extend_from_slice(args);
    let o = env.run(&all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn other_layouts() {
    // Google equivalent term sets: description becomes the note, pos a property.
    let env = Env::new();
    let v = import_json(
        &env,
        &[data("google-equivalent-term-sets.csv").to_str().unwrap()],
    );
    assert_eq!(v["added"], 6);
    let out = export(&env);
    assert!(out.starts_with("en,ko,zh-CN,zh-TW,note,pos\n"), "{out}");
    assert!(out.contains("Six-Party Talks,6자회담,六方会谈,六方會談,\"2003–2009 talks: China, the two Koreas, the US, Russia and Japan\",noun\n"), "{out}");

    // Headerless two-column file, CRLF, quoted cells.
    let env = Env::new();
    let v = import_json(
        &env,
        &[
            data("headerless-en-ko.csv").to_str().unwrap(),
            "--langs",
            "en,ko",
        ],
    );
    assert_eq!(v["added"], 8);
    assert!(export(&env).contains("\"talks, high-level\",고위급 회담\n"));
    // Without --langs it is refused, with the hint.
    let o = env.run(&[
        "glossary",
        "import",
        data("headerless-en-ko.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--langs"));

    // DeepL rows: one entry per source term and language.
    let env = Env::new();
    let v = import_json(&env, &[data("deepl-glossary.csv").to_str().unwrap()]);
    assert_eq!(v["added"], 5);
    let out = export(&env);
    assert!(out.starts_with("en,ko,zh\n"), "{out}");
    assert!(
        out.contains("Special Representative,특별대표,特别代表\n"),
        "{out}"
    );
    assert!(
        out.contains("\"denuclearization, complete\",완전한 비핵화,\n"),
        "{out}"
    );
    assert!(out.contains(",통일부,统一部\n"), "{out}");

    // TSV: tabs only, quotes are plain characters.
    let env = Env::new();
    let v = import_json(&env, &[data("canonical.tsv").to_str().unwrap()]);
    assert_eq!(v["added"], 3);
    assert!(export(&env).contains(",\"\"\"quotes are plain in TSV\"\"\"\n"));

    // Excel: BOM, CRLF, ';' detected; or named with --delimiter.
    let env = Env::new();
    let v = import_json(&env, &[data("excel-semicolon.csv").to_str().unwrap()]);
    assert_eq!(v["added"], 3);
    let out = export(&env);
    assert!(out.contains("blue-house,Cheong Wa Dae|Blue House,청와대,青瓦台,\"until 2022; then \"\"Yongsan\"\"\"\n"), "{out}");
    let env = Env::new();
    let v = import_json(
        &env,
        &[
            data("excel-semicolon.csv").to_str().unwrap(),
            "--delimiter",
            ";",
        ],
    );
    assert_eq!(v["added"], 3);
}

#[test]
fn okapi_fixtures_with_langs() {
    let Some(fixtures) = common::shared_fixtures("glossary") else {
        return;
    };
    let fixture = |name: &str| fixtures.join(name);
    // okapi-test01.csv: no header, padded cells, no final newline.
    let env = Env::new();
    let v = import_json(
        &env,
        &[
            fixture("okapi-test01.csv").to_str().unwrap(),
            "--langs",
            "en,fr",
        ],
    );
    assert_eq!(
        (v["read"].as_u64(), v["added"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(
        export(&env),
        "en,fr\nsource 1,target 1\nsource 2,target 2\nsource 3,target 3\n"
    );
    // okapi-test01.tsv: dirty rows are skipped with a warning naming their line.
    let env = Env::new();
    let o = env.run(&[
        "glossary",
        "import",
        fixture("okapi-test01.tsv").to_str().unwrap(),
        "--langs",
        "en,fr",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [":8: skipped", ":10: skipped", ":12: skipped"] {
        assert!(err.contains(line), "{line}: {err}");
    }
    assert_eq!(
        export(&env),
        "en,fr\nsource 1,target 1\nterm 2,trans term 2\nsource 3,target 3\n"
    );
    // UTF-16BE with BOM and CRLF.
    let env = Env::new();
    import_json(
        &env,
        &[
            fixture("okapi-test02_utf16be.tsv").to_str().unwrap(),
            "--langs",
            "en,fr",
        ],
    );
    assert_eq!(
        export(&env),
        "en,fr\nentry 1,trans 1\nsource 2,éßÑ￦ target 2\n"
    );
}

#[test]
fn glossary_check_escapes_control_characters_and_writes_sarif() {
    // issue 13 item 6: a term holding `\e]0;pwned\a` is shown escaped in text output and
    // kept (as a JSON escape) in JSON; SARIF goes through the same printers as lint.
    let env = Env::new();
    let p = env.file(
        "c.csv",
        "en,ko,ko:forbidden\nDPRK\u{1b}]0;pwned\u{7},북한,북한\n".as_bytes(),
    );
    let o = env.run(&["glossary", "check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("[approved-and-forbidden]"), "{out}");
    let o = env.run(&["--json", "glossary", "check", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "concord-glossary-check/1");
    assert_eq!(v["entries"], 1);
    assert_eq!(v["completed"], true);
    let o = env.run(&[
        "glossary",
        "check",
        "--output-format",
        "sarif",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let ids: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"approved-and-forbidden"), "{ids:?}");
}

const GOOD_TBX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>t</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="kp"><langSet xml:lang="en"><tig><term>Korean Peninsula</term></tig></langSet>
<langSet xml:lang="zh"><tig><term>朝鲜半岛</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
<tig><term>韩半岛</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet></termEntry>
</body></text></martif>
"#;

/// `glossary import x.tbx`, `lint --glossary x.tbx` and `glossary export --format tbx`
/// (atomic, deterministic); CSV → TBX → import → CSV gives the same canonical CSV.
#[test]
fn tbx_import_lint_and_export() {
    let env = Env::new();
    let tbx = env.file("g.tbx", GOOD_TBX.as_bytes());
    let o = env.run(&["glossary", "import", tbx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("imported 1 glossary entry"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        export(&env),
        "id,en,zh,zh:forbidden\nkp,Korean Peninsula,朝鲜半岛,韩半岛\n"
    );
    // lint with the TBX as the glossary: the forbidden variant is found.
    let draft = env.file(
        "d.tsv",
        "en\tzh\nPeace on the Korean Peninsula.\t韩半岛的和平。\n",
    );
    let o = env.run(&[
        "lint",
        "--no-memory",
        "--glossary",
        tbx.to_str().unwrap(),
        draft.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("韩半岛"), "{}", stdout(&o));
    // Export: TBX-Basic by name or by --format; martif on request; same bytes twice.
    let csv = env.file("g.csv", GOOD.as_bytes());
    let env2 = Env::new();
    let o = env2.run(&["glossary", "import", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = env2.dir.path().join("a.tbx");
    let o = env2.run(&["glossary", "export", "-o", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env2.run(&["glossary", "export", "--format", "tbx"]);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(o.stdout, bytes, "same bytes to stdout and to a file");
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("<tbx type=\"TBX-Basic\" style=\"dca\""),
        "{text}"
    );
    let o = env2.run(&["glossary", "export", "--format", "tbx-martif"]);
    assert!(
        stdout(&o).contains("<martif type=\"TBX-Basic\""),
        "{}",
        stdout(&o)
    );
    let m = env2.file("m.tbx", &o.stdout);
    let env3 = Env::new();
    for f in [&a, &m] {
        let o = env3.run(&["glossary", "import", f.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(export(&env3), GOOD);
    }
    let o = env2.run(&["glossary", "export", "--format", "tmx"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Malformed TBX and entity bombs: file and line, exit 2, nothing imported.
#[test]
fn tbx_bad_input_is_refused_with_file_line_and_exit_2_and_nothing_imported() {
    let env = Env::new();
    let good = env.file("good.csv", GOOD.as_bytes());
    let o = env.run(&["glossary", "import", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = export(&env);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "cut.tbx",
            GOOD_TBX.replace("</body></text></martif>\n", "</body>\n"),
            ":9: the file ends inside an element",
        ),
        (
            "mismatch.tbx",
            GOOD_TBX.replace("<term>韩半岛</term>", "<term>韩半岛</tig>"),
            ":7: malformed TBX",
        ),
        (
            "laughs.tbx",
            GOOD_TBX.replace(
                "<!DOCTYPE martif SYSTEM \"TBXcoreStructV02.dtd\">",
                "<!DOCTYPE martif [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
            ),
            ":2: the DOCTYPE holds entity declarations",
        ),
        (
            "passwd.tbx",
            GOOD_TBX
                .replace(
                    "<!DOCTYPE martif SYSTEM \"TBXcoreStructV02.dtd\">",
                    "<!DOCTYPE martif [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
                )
                .replace("Korean Peninsula", "&x;"),
            ":2: the DOCTYPE holds entity declarations",
        ),
        (
            "undeclared.tbx",
            GOOD_TBX.replace("Korean Peninsula", "&x;"),
            ":5: unknown entity &x;",
        ),
        ("nolang.tbx", GOOD_TBX.replace("<langSet xml:lang=\"en\">", "<langSet>"), ":5: <langSet> without xml:lang"),
    ];
    for (name, text, want) in cases {
        let p = env.file(name, text.as_bytes());
        let o = env.run(&[
            "glossary",
            "import",
            good.to_str().unwrap(),
            p.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("{name}{want}")), "{name}: {err}");
        assert!(!err.contains("root:"), "{name}: {err}");
        assert_eq!(export(&env), before, "{name} changed the memory");
    }
}

/// Per-referent variants: the `qualifier` column survives the memory, CSV and TBX
/// (both flavours), and lint with the memory's glossary keeps the ROK and PRC vice
/// ministers apart in one draft.
#[test]
fn qualifier_round_trips_through_the_memory_csv_and_tbx() {
    const QUALIFIED: &str = "id,en,ko,zh,zh-Hant,qualifier\n\
        vice-minister,Vice Minister,차관|부부장,副部长|次官,副部長|次長,ko:차관=ROK|ko:부부장=PRC|zh:副部长=PRC|zh:次官=ROK|zh-Hant:次長=TW\n\
        seoul,Seoul,서울,首尔,首爾,\n";
    let env = Env::new();
    let g = env.file("q.csv", QUALIFIED.as_bytes());
    let o = env.run(&["glossary", "import", g.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(export(&env), QUALIFIED);
    for format in ["tbx", "tbx-martif"] {
        let o = env.run(&["glossary", "export", "--format", format]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("<termNote type=\"geographicalUsage\">PRC</termNote>"),
            "{}",
            stdout(&o)
        );
        let t = env.file(&format!("q-{format}.tbx"), &o.stdout);
        let env2 = Env::new();
        let o = env2.run(&["glossary", "import", t.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(export(&env2), QUALIFIED, "{format}");
    }
    let draft = env.file(
        "d.tsv",
        "en\tko\nVice Minister Cho met Vice Minister Sun in Seoul.\t조 차관은 서울에서 쑨 부부장을 만났다.\nThe Vice Minister left.\t부부장은 떠났다.\n",
    );
    let o = env.run(&[
        "lint",
        "--no-baseline",
        "--memory-glossary",
        "--format",
        "json",
        draft.to_str().unwrap(),
    ]);
    assert!(!stdout(&o).contains("term-inconsistent"), "{}", stdout(&o));
    // The same draft with the glossary without qualifiers: 차관 is the minority.
    let plain = env.file(
        "plain.csv",
        QUALIFIED
            .replace(",qualifier", "")
            .replace(
                ",ko:차관=ROK|ko:부부장=PRC|zh:副部长=PRC|zh:次官=ROK|zh-Hant:次長=TW",
                "",
            )
            .replace("首爾,\n", "首爾\n")
            .as_bytes(),
    );
    let o = env.run(&[
        "lint",
        "--no-memory",
        "--no-baseline",
        "--glossary",
        plain.to_str().unwrap(),
        "--format",
        "json",
        draft.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("term-inconsistent"), "{}", stdout(&o));
}
