//! The CLI's outputs: files it writes (never over the memory, never over a read-only file
//! without --force, nothing partial left behind), standard output (a closed pipe is not
//! a panic, stored control characters are escaped), the JSON answers' schema ids, batch
//! match on a broken memory, and the completions and man page generated from clap.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{json, stderr, Env, BIN};

/// A memory `m.db` with two units and one glossary entry.
fn seeded() -> Env {
    let env = Env::new();
    let tsv = env.file(
        "units.tsv",
        "en\tko\tzh\n\
         The talks were held in Seoul.\t회담은 서울에서 열렸다.\t会谈在首尔举行。\n\
         The ministers discussed the Korean Peninsula.\t장관들은 한반도 문제를 논의했다.\t部长们讨论了朝鲜半岛问题。\n",
    );
    let g = env.file("g.csv", "id,en,ko\ndprk,DPRK,북한\n");
    ok(&env, &["import", tsv.to_str().unwrap()]);
    ok(&env, &["glossary", "import", g.to_str().unwrap()]);
    env
}

/// `concord --db m.db ARGS` in the directory, not yet run.
fn command(env: &Env, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(env.db())
        .args(args)
        .current_dir(env.path())
        .env_remove("CONCORD_DB")
        .env("NO_COLOR", "1");
    c
}

/// [`Env::run`], which must succeed.
fn ok(env: &Env, args: &[&str]) -> Output {
    let out = env.run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

/// Units and glossary entries, as the memory reports them.
fn contents(env: &Env) -> (u64, String) {
    let v = json(&ok(env, &["--json", "stats"]));
    let g = ok(env, &["glossary", "export"]);
    (
        v["units"].as_u64().unwrap(),
        String::from_utf8(g.stdout).unwrap(),
    )
}

/// The files in the directory, the memory's aside.
fn names(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("m.db"))
        .collect();
    v.sort();
    v
}

#[test]
fn outputs_never_replace_the_open_memory() {
    let env = seeded();
    std::fs::create_dir(env.path().join("x")).unwrap();
    let draft = env.file(
        "d.tsv",
        "en\tko\nThe DPRK's envoy arrived.\t북조선의 특사가 도착했다.\n",
    );
    let draft = draft.to_str().unwrap();
    let before = contents(&env);
    assert_eq!(before.0, 2);
    assert!(before.1.contains("dprk"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["export", "--format", "tsv", "-o", "m.db"],
        vec!["export", "--format", "tmx", "-o", "m.db"],
        vec!["export", "--format", "tsv", "-o", "./x/../m.db"],
        vec!["export", "--format", "tsv", "-o", "m.db-wal"],
        vec!["export", "--format", "tsv", "-o", "m.db-shm"],
        vec!["export", "--format", "csv", "--force", "-o", "m.db"],
        vec!["glossary", "export", "-o", "m.db"],
        vec!["glossary", "export", "-o", "x/../m.db-wal"],
        vec!["glossary", "fmt", "g.csv", "-o", "m.db"],
        vec!["lint", draft, "--write-baseline", "m.db"],
    ];
    for args in &cases {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("memory"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(contents(&env), before, "{args:?} changed the memory");
    }
    // A hard link to the memory is the memory too.
    std::fs::hard_link(env.db(), env.path().join("alias.db")).unwrap();
    let out = env.run(&["export", "--format", "tsv", "-o", "alias.db"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(contents(&env), before);
    // Another file is written as before.
    ok(&env, &["export", "--format", "tsv", "-o", "x/m.tsv"]);
    assert!(std::fs::read_to_string(env.path().join("x/m.tsv"))
        .unwrap()
        .contains("Seoul"));
}

#[cfg(unix)]
#[test]
fn export_refuses_a_read_only_file_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let env = seeded();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mine = env.file("mine.tsv", "mine\n");
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = env.run(&["export", "--format", "tsv", "-o", "mine.tsv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine\n");
    let out = env.run(&["glossary", "export", "-o", "mine.tsv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine\n");
    // Asked to: replaced, and still read-only.
    ok(
        &env,
        &["export", "--format", "tsv", "--force", "-o", "mine.tsv"],
    );
    assert!(std::fs::read_to_string(&mine).unwrap().contains("Seoul"));
    assert_eq!(mode(&mine), 0o444);
    // A private file stays private.
    let private = env.file("private.csv", "old\n");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&env, &["glossary", "export", "-o", "private.csv"]);
    assert!(std::fs::read_to_string(&private).unwrap().contains("dprk"));
    assert_eq!(mode(&private), 0o600);
    assert_eq!(
        names(&env),
        ["g.csv", "mine.tsv", "private.csv", "units.tsv"]
    );
}

#[test]
fn failed_export_leaves_no_partial_file() {
    let env = seeded();
    std::fs::create_dir(env.path().join("somedir")).unwrap();
    let before = names(&env);
    for args in [
        vec!["export", "--format", "tsv", "-o", "somedir"],
        vec!["export", "--format", "tmx", "-o", "somedir"],
        vec!["glossary", "export", "-o", "somedir"],
        vec!["glossary", "fmt", "g.csv", "-o", "somedir"],
        vec!["export", "--format", "tsv", "-o", "nodir/out.tsv"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(names(&env), before, "{args:?} left a file behind");
        assert!(std::fs::read_dir(env.path().join("somedir"))
            .unwrap()
            .next()
            .is_none());
    }
}

#[test]
fn human_output_escapes_control_characters() {
    let env = seeded();
    let evil = env.file(
        "evil.tsv",
        "en\tko\n\u{1b}]0;pwned\u{7}\u{1b}[2J The envoy met the press.\t특사는 \u{1b}[2J기자들을 만났다.\n",
    );
    ok(&env, &["import", evil.to_str().unwrap()]);
    let outputs = [
        ok(&env, &["show", "3"]),
        ok(&env, &["search", "envoy"]),
        ok(&env, &["search", "기자들"]),
        ok(
            &env,
            &[
                "match",
                "--from",
                "en",
                "--min-score",
                "30",
                "The envoy met the press.",
            ],
        ),
        ok(
            &env,
            &[
                "match",
                "--from",
                "ko",
                "--min-score",
                "30",
                "특사는 기자들을 만났다.",
            ],
        ),
    ];
    for out in &outputs {
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "raw control characters in {text:?}"
        );
        assert!(text.contains("\\u{1b}"), "{text}");
    }
    // JSON keeps them, as JSON escapes.
    let v = json(&ok(&env, &["--json", "show", "3"]));
    assert!(v["variants"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("\u{1b}]0;pwned\u{7}"));
    let g = env.file("evil.csv", "id,en,ko\n\u{1b}[2Jx,envoy,특사\u{7}\n");
    let out = ok(
        &env,
        &[
            "terms",
            "--from",
            "en",
            "--glossary",
            g.to_str().unwrap(),
            "The envoy",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let write_end = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    Stdio::from(write_end)
}

#[test]
fn closed_stdout_is_not_a_panic() {
    let env = seeded();
    let more = env.file("more.tsv", "en\tko\nA new sentence.\t새 문장.\n");
    let g2 = env.file("g2.csv", "id,en,ko\nrok,ROK,대한민국\n");
    let more = more.to_str().unwrap();
    let g2 = g2.to_str().unwrap();
    for args in [
        vec!["import", more],
        vec!["delete", "1"],
        vec!["glossary", "import", g2],
        vec!["glossary", "fmt", "--check", g2],
        vec!["stats"],
        vec!["--json", "stats"],
        vec!["show", "2"],
        vec!["export", "--format", "tsv"],
        vec!["search", "Korean"],
        vec![
            "match",
            "--from",
            "en",
            "The ministers discussed the Korean Peninsula.",
        ],
        vec!["terms", "--from", "en", "The DPRK"],
        vec!["completions", "bash"],
        vec!["man"],
    ] {
        let out = command(&env, &args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The commands that write did their work.
    let v = json(&ok(&env, &["--json", "stats"]));
    assert_eq!(v["units"], 2);
}

#[test]
fn batch_match_stops_on_a_corrupt_index() {
    let env = seeded();
    // A bad query line gets its own "error" field; the others are answered.
    let out = env.run_stdin(
        &["match", "--from", "en"],
        Some("The talks were held in Seoul.\n?!\nThe talks were held in Seoul today.\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["matches"][0]["id"], 1);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["matches"][0]["id"], 1);

    // An error of the memory itself stops the batch at the first query.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE fz_len SET lens = 'x'", []).unwrap();
    drop(conn);
    let out = env.run_stdin(
        &["match", "--from", "en"],
        Some("The talks were held in Seoul.\nThe ministers met.\nThe talks were held.\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stderr(&out).matches("corrupt").count(),
        1,
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_answers_carry_their_schema() {
    let env = seeded();
    for (args, schema) in [
        (vec!["--json", "stats"], "concord.stats/1"),
        (vec!["--json", "show", "1"], "concord.show/1"),
        (vec!["--json", "search", "Seoul"], "concord.search/1"),
        (
            vec!["--json", "match", "The talks were held in Seoul."],
            "concord.match/1",
        ),
        (
            vec!["--json", "terms", "--from", "en", "DPRK"],
            "concord.terms/1",
        ),
    ] {
        let v = json(&ok(&env, &args));
        assert_eq!(v["schema"], schema, "{args:?}: {v}");
    }
    // The reports of the commands that change things too, their fields kept.
    let more = env.file("more.tsv", "en\tko\nA new sentence.\t새 문장.\n");
    let v = json(&ok(&env, &["--json", "import", more.to_str().unwrap()]));
    assert_eq!(
        (v["schema"].as_str(), v["added"].as_u64()),
        (Some("concord.import/1"), Some(1))
    );
    assert_eq!(v["languages"]["ko"], 1);
    let v = json(&ok(&env, &["--json", "delete", "3"]));
    assert_eq!(
        v,
        serde_json::json!({"schema": "concord.delete/1", "deleted": 1})
    );
    let g2 = env.file("g2.csv", "id,en,ko\nrok,ROK,대한민국\n");
    let v = json(&ok(
        &env,
        &["--json", "glossary", "import", g2.to_str().unwrap()],
    ));
    assert_eq!(
        (v["schema"].as_str(), v["added"].as_u64()),
        (Some("concord.glossary-import/1"), Some(1))
    );
    let v = json(&ok(
        &env,
        &["--json", "glossary", "fmt", "--check", g2.to_str().unwrap()],
    ));
    assert_eq!(v["schema"], "concord.glossary-fmt/1");
    assert_eq!(v["canonical"], true);
    // Every documented field is still there.
    let v = json(&ok(
        &env,
        &[
            "--json",
            "match",
            "--from",
            "en",
            "--to",
            "ko",
            "The talks were held in Seoul.",
        ],
    ));
    assert_eq!(v["query"], "The talks were held in Seoul.");
    assert_eq!(v["from"], "en");
    let m = &v["matches"][0];
    assert_eq!(
        (m["id"].as_i64(), m["score"].as_f64()),
        (Some(1), Some(100.0))
    );
    assert_eq!(m["source"], "The talks were held in Seoul.");
    assert_eq!(m["targets"]["ko"], "회담은 서울에서 열렸다.");
    let v = json(&ok(&env, &["--json", "search", "Seoul"]));
    assert_eq!(v["hits"][0]["spans"][0], serde_json::json!([23, 28]));
    assert_eq!(v["hits"][0]["others"]["zh"], "会谈在首尔举行。");
    assert!(v["lang"].is_null());
    let v = json(&ok(&env, &["--json", "terms", "--from", "en", "DPRK"]));
    let h = &v["hits"][0];
    assert_eq!(v["text"], "DPRK");
    assert_eq!((h["start"].as_u64(), h["end"].as_u64()), (Some(0), Some(4)));
    assert_eq!(h["translations"]["ko"], serde_json::json!(["북한"]));
    assert_eq!(
        (h["id"].as_str(), h["entry"].as_u64()),
        (Some("dprk"), Some(0))
    );
    assert!(h["note"].is_null() && h.get("use_instead").is_none());
}

const SUBCOMMANDS: [&str; 12] = [
    "import",
    "export",
    "stats",
    "show",
    "delete",
    "lint",
    "glossary",
    "terms",
    "match",
    "search",
    "completions",
    "man",
];

#[test]
fn shell_completions_name_every_subcommand() {
    let env = seeded();
    let bash = String::from_utf8(ok(&env, &["completions", "bash"]).stdout).unwrap();
    assert!(bash.contains("complete -F _concord"), "{bash}");
    for sub in SUBCOMMANDS {
        assert!(bash.contains(&format!("concord,{sub})")), "bash: no {sub}");
    }
    assert!(bash.contains("--write-baseline") && bash.contains("--min-score"));
    for shell in ["zsh", "fish"] {
        let text = String::from_utf8(ok(&env, &["completions", shell]).stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell}: no {sub}");
        }
    }
    let out = env.run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_has_name_synopsis_and_subcommands() {
    let env = seeded();
    let page = String::from_utf8(ok(&env, &["man"]).stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH concord 1"),
        "{page}"
    );
    assert!(page.contains(".TH concord 1"));
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("concord\\-{sub}(1)")), "no {sub}");
    }
    let page = String::from_utf8(ok(&env, &["man", "glossary", "export"]).stdout).unwrap();
    assert!(page.contains(".TH concord-glossary-export 1"), "{page}");
    assert!(page.contains("\\-\\-force"));
    let out = env.run(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}
