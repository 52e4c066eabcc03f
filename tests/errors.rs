//! The library's errors: kinds to decide by, positions, and hints that name no CLI flag
//! (the CLI turns hints into its flags; see `cli::hint_text`).

use std::path::Path;

use concord::error::{ErrorKind, Hint};
use concord::formats::glossary::CsvOptions;
use concord::formats::Format;
use concord::glossary::Glossary;
use concord::output::{Output, Policy};
use concord::store::Memory;

/// Library messages used to name CLI flags (`--langs`, `--format`, `--db`, `--from`,
/// `--to`); each of those errors now carries a typed hint instead.
#[test]
fn library_messages_name_no_cli_flags() {
    let d = tempfile::tempdir().unwrap();
    let mut errors = Vec::new();

    let e = Glossary::from_csv_str(
        "DPRK,북한\nSeoul,서울\n",
        Path::new("g.csv"),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.hint(), Some(Hint::GiveGlossaryLanguages));
    errors.push(e);

    let e = Format::resolve(Path::new("units.dat"), None).unwrap_err();
    assert_eq!(e.hint(), Some(Hint::GiveFormat));
    errors.push(e);

    let e = Memory::open_existing(d.path().join("none.db"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NoMemory);
    assert_eq!(e.hint(), Some(Hint::CreateOrNameMemory));
    errors.push(e);

    let ro = d.path().join("ro.csv");
    std::fs::write(&ro, "x").unwrap();
    let mut perm = std::fs::metadata(&ro).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&ro, perm).unwrap();
    let e = Output::create(&ro, &Policy::default())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.hint(), Some(Hint::UseForce));
    errors.push(e);

    for e in &errors {
        assert!(!e.to_string().contains("--"), "{e}");
        let hint = e.hint().unwrap().to_string();
        assert!(!hint.contains("--"), "{hint}");
    }
}

#[test]
fn error_position_is_exposed() {
    let e = Glossary::from_csv_str(
        "en,ko\nSeoul,서울\nBusan\n",
        Path::new("g.csv"),
        &CsvOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Parse, "{e}");
    let at = e.position().expect("a parse error names its place");
    assert_eq!(at.path, Path::new("g.csv"));
    assert_eq!(at.line, Some(3), "{e}");
    assert!(e.to_string().starts_with("g.csv:3: "), "{e}");
    assert_eq!(e.to_string(), format!("g.csv:3: {}", e.message()));
}

/// An empty input is its own kind, so callers (a baseline, a glossary) can decide on it.
#[test]
fn empty_input_is_its_own_kind() {
    let e = Glossary::from_csv_str("", Path::new("g.csv"), &CsvOptions::default()).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::EmptyInput, "{e}");
}

/// Inputs over a documented limit were reported with the `Parse` kind, as if the file were
/// malformed; they are `Limit` errors, with the file and line.
#[test]
fn limit_errors_have_the_limit_kind() {
    let variants: Vec<String> = (0..1001).map(|i| format!("term{i}")).collect();
    let csv = format!("en,ko\n{},북한\n", variants.join("|"));
    let e = Glossary::from_csv_str(&csv, Path::new("g.csv"), &CsvOptions::default()).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Limit, "{e}");
    let at = e.position().expect("a position");
    assert_eq!(at.path, Path::new("g.csv"));
    assert_eq!(at.line, Some(2));

    let header: Vec<String> = (0..1001).map(|i| format!("c{i}")).collect();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("wide.tsv");
    std::fs::write(&p, format!("en\tko\t{}\nA\tㄱ\n", header.join("\t"))).unwrap();
    let mut m = Memory::open_in_memory().unwrap();
    let e = m
        .import(&[p.to_str().unwrap()], |imp| {
            concord::formats::read_memory_file(&p, Format::Tsv, |u| imp.add(u).map(|_| ()))
        })
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Limit, "{e}");
}
