//! The CLI's outputs: files it writes (never over the memory, never over a read-only file
//! without --force, nothing partial left behind), standard output (a closed pipe is not
//! a panic, stored control characters are escaped), the JSON answers' schema ids, batch
//! match on a broken memory, and the completions and man page generated from clap.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_concord");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A memory `m.db` with two units and one glossary entry.
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let tsv = env.file(
            "units.tsv",
            "en\tko\tzh\n\
             The talks were held in Seoul.\t회담은 서울에서 열렸다.\t会谈在首尔举行。\n\
             The ministers discussed the Korean Peninsula.\t장관들은 한반도 문제를 논의했다.\t部长们讨论了朝鲜半岛问题。\n",
        );
        let g = env.file("g.csv", "id,en,ko\ndprk,DPRK,북한\n");
        env.ok(&["import", tsv.to_str().unwrap()]);
        env.ok(&["glossary", "import", g.to_str().unwrap()]);
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("m.db")
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db")
            .arg(self.db())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("CONCORD_DB")
            .env("NO_COLOR", "1");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Units and glossary entries, as the memory reports them.
    fn contents(&self) -> (u64, String) {
        let stats = self.ok(&["--json", "stats"]);
        let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        let g = self.ok(&["glossary", "export"]);
        (
            v["units"].as_u64().unwrap(),
            String::from_utf8(g.stdout).unwrap(),
        )
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("m.db"))
            .collect();
        v.sort();
        v
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn outputs_never_replace_the_open_memory() {
    let env = Env::new();
    std::fs::create_dir(env.path("x")).unwrap();
    let draft = env.file(
        "d.tsv",
        "en\tko\nThe DPRK's envoy arrived.\t북조선의 특사가 도착했다.\n",
    );
    let draft = draft.to_str().unwrap();
    let before = env.contents();
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
        assert_eq!(env.contents(), before, "{args:?} changed the memory");
    }
    // A hard link to the memory is the memory too.
    std::fs::hard_link(env.db(), env.path("alias.db")).unwrap();
    let out = env.run(&["export", "--format", "tsv", "-o", "alias.db"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(env.contents(), before);
    // Another file is written as before.
    env.ok(&["export", "--format", "tsv", "-o", "x/m.tsv"]);
    assert!(std::fs::read_to_string(env.path("x/m.tsv"))
        .unwrap()
        .contains("Seoul"));
}

#[cfg(unix)]
#[test]
fn export_refuses_a_read_only_file_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
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
    env.ok(&["export", "--format", "tsv", "--force", "-o", "mine.tsv"]);
    assert!(std::fs::read_to_string(&mine).unwrap().contains("Seoul"));
    assert_eq!(mode(&mine), 0o444);
    // A private file stays private.
    let private = env.file("private.csv", "old\n");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["glossary", "export", "-o", "private.csv"]);
    assert!(std::fs::read_to_string(&private).unwrap().contains("dprk"));
    assert_eq!(mode(&private), 0o600);
    assert_eq!(
        env.names(),
        ["g.csv", "mine.tsv", "private.csv", "units.tsv"]
    );
}

#[test]
fn failed_export_leaves_no_partial_file() {
    let env = Env::new();
    std::fs::create_dir(env.path("somedir")).unwrap();
    let before = env.names();
    for args in [
        vec!["export", "--format", "tsv", "-o", "somedir"],
        vec!["export", "--format", "tmx", "-o", "somedir"],
        vec!["glossary", "export", "-o", "somedir"],
        vec!["glossary", "fmt", "g.csv", "-o", "somedir"],
        vec!["export", "--format", "tsv", "-o", "nodir/out.tsv"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(env.names(), before, "{args:?} left a file behind");
        assert!(std::fs::read_dir(env.path("somedir"))
            .unwrap()
            .next()
            .is_none());
    }
}

#[test]
fn human_output_escapes_control_characters() {
    let env = Env::new();
    let evil = env.file(
        "evil.tsv",
        "en\tko\n\u{1b}]0;pwned\u{7}\u{1b}[2J The envoy met the press.\t특사는 \u{1b}[2J기자들을 만났다.\n",
    );
    env.ok(&["import", evil.to_str().unwrap()]);
    let outputs = [
        env.ok(&["show", "3"]),
        env.ok(&["search", "envoy"]),
        env.ok(&["search", "기자들"]),
        env.ok(&[
            "match",
            "--from",
            "en",
            "--min-score",
            "30",
            "The envoy met the press.",
        ]),
        env.ok(&[
            "match",
            "--from",
            "ko",
            "--min-score",
            "30",
            "특사는 기자들을 만났다.",
        ]),
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
    let v = json(&env.ok(&["--json", "show", "3"]));
    assert!(v["variants"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("\u{1b}]0;pwned\u{7}"));
    let g = env.file("evil.csv", "id,en,ko\n\u{1b}[2Jx,envoy,특사\u{7}\n");
    let out = env.ok(&[
        "terms",
        "--from",
        "en",
        "--glossary",
        g.to_str().unwrap(),
        "The envoy",
    ]);
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
    let env = Env::new();
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
        let out = env
            .command(&args)
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
    let v = json(&env.ok(&["--json", "stats"]));
    assert_eq!(v["units"], 2);
}

#[test]
fn batch_match_stops_on_a_corrupt_index() {
    let env = Env::new();
    // A bad query line gets its own "error" field; the others are answered.
    let out = env.run_stdin(
        &["match", "--from", "en"],
        "The talks were held in Seoul.\n?!\nThe talks were held in Seoul today.\n",
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
        "The talks were held in Seoul.\nThe ministers met.\nThe talks were held.\n",
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
    let env = Env::new();
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
        let v = json(&env.ok(&args));
        assert_eq!(v["schema"], schema, "{args:?}: {v}");
    }
    // Every documented field is still there.
    let v = json(&env.ok(&[
        "--json",
        "match",
        "--from",
        "en",
        "--to",
        "ko",
        "The talks were held in Seoul.",
    ]));
    assert_eq!(v["query"], "The talks were held in Seoul.");
    assert_eq!(v["from"], "en");
    let m = &v["matches"][0];
    assert_eq!(
        (m["id"].as_i64(), m["score"].as_f64()),
        (Some(1), Some(100.0))
    );
    assert_eq!(m["source"], "The talks were held in Seoul.");
    assert_eq!(m["targets"]["ko"], "회담은 서울에서 열렸다.");
    let v = json(&env.ok(&["--json", "search", "Seoul"]));
    assert_eq!(v["hits"][0]["spans"][0], serde_json::json!([23, 28]));
    assert_eq!(v["hits"][0]["others"]["zh"], "会谈在首尔举行。");
    assert!(v["lang"].is_null());
    let v = json(&env.ok(&["--json", "terms", "--from", "en", "DPRK"]));
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
    let env = Env::new();
    let bash = String::from_utf8(env.ok(&["completions", "bash"]).stdout).unwrap();
    assert!(bash.contains("complete -F _concord"), "{bash}");
    for sub in SUBCOMMANDS {
        assert!(bash.contains(&format!("concord,{sub})")), "bash: no {sub}");
    }
    assert!(bash.contains("--write-baseline") && bash.contains("--min-score"));
    for shell in ["zsh", "fish"] {
        let text = String::from_utf8(env.ok(&["completions", shell]).stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell}: no {sub}");
        }
    }
    let out = env.run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_has_name_synopsis_and_subcommands() {
    let env = Env::new();
    let page = String::from_utf8(env.ok(&["man"]).stdout).unwrap();
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
    let page = String::from_utf8(env.ok(&["man", "glossary", "export"]).stdout).unwrap();
    assert!(page.contains(".TH concord-glossary-export 1"), "{page}");
    assert!(page.contains("\\-\\-force"));
    let out = env.run(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}
