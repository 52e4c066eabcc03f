//! Precision and recall of `concord lint` on the team's test set (tests/data/lint):
//! the correct rows give no error-level finding, and every seeded row is found with the
//! expected rule on the expected row.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use concord::diag::printer::Collect;
use concord::formats::glossary::CsvOptions;
use concord::glossary::Glossary;
use concord::lint::{self, DraftRequest, Finding, Resources, RuleSelection, Severity, Summary};

fn data(name: &str) -> PathBuf {
    common::data("lint", name)
}

fn lint_file(name: &str) -> (Vec<Finding>, Summary) {
    let g = Glossary::from_csv_file(&data("glossary.csv"), &CsvOptions::default()).unwrap();
    let res = Resources {
        memory: None,
        glossary: Some(&g),
        glossary_required: true,
        threads: 0,
        compiled: None,
        lookups: None,
        learn_alignment: false,
        alignments: None,
    };
    let mut c = Collect::new();
    let s = lint::run(
        &DraftRequest::file(data(name)),
        &res,
        &RuleSelection::default(),
        None,
        &mut c,
    )
    .unwrap();
    (c.diagnostics, s)
}

fn expected(name: &str) -> BTreeMap<u64, String> {
    std::fs::read_to_string(data(name))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut p = l.split('\t');
            (
                p.next().unwrap().parse().unwrap(),
                p.next().unwrap().to_string(),
            )
        })
        .collect()
}

fn check_pair(pair: &str) {
    let (correct, s) = lint_file(&format!("{pair}.correct.tsv"));
    assert_eq!(s.segments, 67);
    let errors: Vec<String> = correct
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("row {}: {} {}", f.segment.unwrap(), f.code, f.message))
        .collect();
    assert!(
        errors.is_empty(),
        "{pair}: errors on correct rows:\n{}",
        errors.join("\n")
    );

    let (seeded, _) = lint_file(&format!("{pair}.seeded.tsv"));
    let exp = expected(&format!("{pair}.expected.tsv"));
    let mut missed = Vec::new();
    for (row, rule) in &exp {
        if !seeded
            .iter()
            .any(|f| f.segment == Some(*row) && f.code.id() == rule)
        {
            let got: Vec<&str> = seeded
                .iter()
                .filter(|f| f.segment == Some(*row))
                .map(|f| f.code.id())
                .collect();
            missed.push(format!("row {row}: expected {rule}, got {got:?}"));
        }
    }
    assert!(
        missed.is_empty(),
        "{pair}: seeded errors missed:\n{}",
        missed.join("\n")
    );
}

#[test]
fn en_ko_precision_and_recall() {
    check_pair("en-ko");
}

#[test]
fn en_zh_precision_and_recall() {
    check_pair("en-zh");
}
