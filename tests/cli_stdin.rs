//! `-` as an input file is the standard input, in every command that reads files:
//! `cat draft.tsv | concord lint -` in a pipeline. It used to be "-: no such file"
//! everywhere, while outputs already took `-` for the standard output.

mod common;

use common::{json, stderr, stdout, Env};

const XLIFF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="s.txt" source-language="en" target-language="ko" datatype="plaintext"><body>
<trans-unit id="a1"><source>The talks were held in Seoul.</source><target/></trans-unit>
</body></file></xliff>
"#;

/// `concord ARGS` with `input` on its standard input, which must succeed.
fn ok(env: &Env, args: &[&str], input: &str) -> std::process::Output {
    let o = env.run_stdin(args, Some(input));
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

fn seeded() -> Env {
    let env = Env::new();
    let o = ok(
        &env,
        &["import", "-"],
        "en\tko\nThe talks were held in Seoul.\t회담은 서울에서 열렸다.\n",
    );
    assert!(stdout(&o).starts_with("imported 1 unit"), "{}", stdout(&o));
    env
}

#[test]
fn dash_reads_the_standard_input_in_every_command() {
    let env = seeded();
    // lint: a TSV draft told from its content.
    let o = env.run_stdin(
        &["lint", "-", "--no-memory"],
        Some("en\tko\nThe talks ended.\t회담이 끝났다.\n\t남은 번역.\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("-:3:2: error empty-source"),
        "{}",
        stdout(&o)
    );
    // analyze: plain text, one segment per line.
    let o = ok(
        &env,
        &["--json", "analyze", "-", "--from", "en", "--to", "ko"],
        "The talks were held in Seoul.\nSomething new.\n",
    );
    let t = &json(&o)["total"];
    assert_eq!(t["total"]["segments"], 2, "{t:#}");
    assert_eq!(t["no_match"]["segments"], 1, "{t:#}");
    // pretranslate: XLIFF in, XLIFF out, filled from the memory.
    let out = env.path().join("out.xlf");
    ok(
        &env,
        &[
            "pretranslate",
            "-",
            "--to",
            "ko",
            "-o",
            out.to_str().unwrap(),
        ],
        XLIFF,
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("회담은 서울에서 열렸다."), "{written}");
    assert!(written.contains("<trans-unit id=\"a1\""), "{written}");
    // glossary import, and segment.
    ok(
        &env,
        &["glossary", "import", "-"],
        "id,en,ko\ndprk,DPRK,북한\n",
    );
    let o = ok(
        &env,
        &["segment", "-", "--lang", "en"],
        "Mr. Kim arrived. He spoke.\n",
    );
    assert_eq!(stdout(&o), "Mr. Kim arrived.\nHe spoke.\n");
}

#[test]
fn dash_cannot_be_fixed_in_place_and_empty_input_is_refused() {
    let env = seeded();
    let g = env.file("g.csv", "id,en,ko,ko_forbidden\ndprk,DPRK,북한,북조선\n");
    let o = env.run_stdin(
        &[
            "lint",
            "-",
            "--fix",
            "--no-memory",
            "--glossary",
            g.to_str().unwrap(),
        ],
        Some("en\tko\nThe DPRK spoke.\t북조선이 말했다.\n"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("-: the standard input cannot be fixed in place"),
        "{}",
        stderr(&o)
    );
    let o = env.run_stdin(&["import", "-"], Some(""));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("-: the file is empty"),
        "{}",
        stderr(&o)
    );
}
