//! Precision of `concord lint` on the professional translations of `../shared/corpora`
//! (FLORES devtest, NTREX, UDHR) with `glossaries/diplomatic.csv`: every error-level
//! finding is classified in `tests/data/lint/corpus-findings.tsv` (true or false, and
//! why), and the false ones stay at or under 2 per 1,000 segments in each corpus and
//! target language. `scripts/lint_eval.py` prints the same figures (and the recall on a
//! seeded set).

mod common;

use std::collections::HashMap;
use std::process::Command;

const CORPORA: &[&str] = &["flores-devtest", "ntrex", "udhr"];

/// (corpus, target, row, rule, span) → verdict.
fn classes() -> HashMap<(String, String, String, String, String), String> {
    let text = std::fs::read_to_string(common::data("lint", "corpus-findings.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 7, "corpus-findings.tsv: short line {l:?}");
            assert!(
                c[5] == "true" || c[5] == "false",
                "corpus-findings.tsv: verdict must be true or false: {l:?}"
            );
            (
                (
                    c[0].to_string(),
                    c[1].to_string(),
                    c[2].to_string(),
                    c[3].to_string(),
                    c[4].to_string(),
                ),
                c[5].to_string(),
            )
        })
        .collect()
}

#[test]
fn corpus_error_findings_are_classified_and_at_most_two_false_per_thousand() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let classes = classes();
    let glossary = format!("{}/glossaries/diplomatic.csv", common::ROOT);
    let mut problems = Vec::new();
    let mut seen = 0;
    for corpus in CORPORA {
        let path = shared.join(format!("corpora/{corpus}.en-ko-zh.tsv"));
        for target in ["ko", "zh"] {
            let out = Command::new(common::BIN)
                .args([
                    "lint",
                    "--no-memory",
                    "--no-baseline",
                    "--glossary",
                    &glossary,
                ])
                .args([
                    "--to",
                    target,
                    "--format",
                    "json",
                    "--min-severity",
                    "error",
                ])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let segments = doc["summary"]["segments"].as_u64().unwrap();
            let mut false_errors = 0u64;
            for f in doc["findings"].as_array().unwrap() {
                let span = f["source_span"]["text"]
                    .as_str()
                    .or_else(|| f["target_span"]["text"].as_str())
                    .unwrap_or("");
                let key = (
                    corpus.to_string(),
                    target.to_string(),
                    f["segment"].as_u64().unwrap().to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                    span.to_string(),
                );
                match classes.get(&key) {
                    None => problems.push(format!(
                        "unclassified: {key:?}: {}",
                        f["message"].as_str().unwrap_or("")
                    )),
                    Some(v) => {
                        seen += 1;
                        if v == "false" {
                            false_errors += 1;
                        }
                    }
                }
            }
            if false_errors * 1000 > 2 * segments {
                problems.push(format!(
                    "{corpus} {target}: {false_errors} false error-level findings in {segments} segments"
                ));
            }
        }
    }
    if seen != classes.len() {
        problems.push(format!(
            "corpus-findings.tsv classifies {} findings, the run has {seen} of them: remove the stale lines",
            classes.len()
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
