//! Every TBX under ../shared/fixtures/tbx/ imports, and a test says what each holds.
//! Then TBX → glossary → TBX-Basic (and martif) → glossary keeps every canonical field.

mod common;

use std::path::PathBuf;

use concord::formats::glossary::CsvOptions;
use concord::formats::tbx::{read_tbx, write_tbx, TbxFlavor};
use concord::glossary::{Entry, Glossary};
use concord::lang::LangTag;

/// `../shared/fixtures/tbx/<name>`, or `None` when `../shared` is absent (the test then
/// skips with one line; see `common::shared_dir`).
fn fixture(name: &str) -> Option<PathBuf> {
    common::shared_fixtures("tbx").map(|d| d.join(name))
}

/// The fixture read the way `glossary import` reads it, or `None` (skip).
fn read(name: &str) -> Option<Glossary> {
    let path = fixture(name)?;
    Some(
        Glossary::from_csv_file(&path, &CsvOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}")),
    )
}

fn approved<'a>(e: &'a Entry, lang: &str) -> &'a [String] {
    &e.term_set(&LangTag::parse(lang).unwrap())
        .unwrap_or_else(|| panic!("no {lang}"))
        .approved
}

fn forbidden<'a>(e: &'a Entry, lang: &str) -> &'a [String] {
    &e.term_set(&LangTag::parse(lang).unwrap())
        .unwrap()
        .forbidden
}

const COVERED: [&str; 5] = [
    "convert-tbx-basic-basic_sample.tbx",
    "okapi-maryland.tbx",
    "okapi-test02_win1254.tbx",
    "ttk-csv2tbx-en-xx.tbx",
    "ttk-tbxfile-en-ko.tbx",
];

/// Every fixture is covered by one test below; a new file makes this fail.
#[test]
fn every_tbx_fixture_has_a_test() {
    let Some(dir) = fixture("") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.to_ascii_lowercase().ends_with(".tbx"))
        .collect();
    names.sort();
    assert_eq!(names, COVERED);
}

/// TBX-Basic 2008 sample (martif): administrativeStatus on several tigs, part of speech,
/// entry- and language-level definitions in and out of descripGrp, subject fields.
#[test]
fn cpan_tbx_basic_sample_statuses_definitions_subjects() {
    let Some(g) = read("convert-tbx-basic-basic_sample.tbx") else {
        return;
    };
    assert_eq!(g.entries.len(), 5);
    let ids: Vec<&str> = g.entries.iter().map(|e| e.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["c5", "c6", "c7", "c1", "c2"]);
    assert_eq!(approved(&g.entries[0], "fr"), ["courriel"]);
    let lens = &g.entries[2];
    // preferred first, admitted after it; deprecated and superseded are forbidden.
    assert_eq!(
        approved(lens, "en"),
        [
            "progressive lens",
            "progressive addition lens",
            "progressive power lens"
        ]
    );
    assert_eq!(forbidden(lens, "en"), ["PAL", "graduated lens"]);
    assert_eq!(approved(lens, "de"), ["Gleitsichtglas"]);
    assert_eq!(lens.prop("pos"), Some("noun"));
    assert!(lens
        .prop("definition")
        .unwrap()
        .starts_with("corrective lenses used in eyeglasses to correct presbyopia"));
    let c1 = &g.entries[3];
    assert_eq!(c1.domain.as_deref(), Some("manufacturing"));
    assert_eq!(
        c1.prop("definition"),
        Some("This is a sample definition at the entry level.")
    );
    assert_eq!(
        c1.note.as_deref(),
        Some("This is a sample entry with some data categories at the entry level.")
    );
    assert_eq!(c1.prop("pos"), Some("verb"));
    let c2 = &g.entries[4];
    assert!(c2
        .prop("definition:en")
        .unwrap()
        .starts_with("This is a sample definition at the language level. This one"));
    assert_eq!(
        c2.prop("note:en"),
        Some("This is a sample entry with some data categories at the term or language level")
    );
    assert!(g.warnings().is_empty());
}

/// TBX 2008 core with ntig/termGrp, a DOCTYPE naming a DTD (never fetched), `&#x00E9;`.
#[test]
fn okapi_maryland_ntig_termgrp_doctype() {
    let Some(g) = read("okapi-maryland.tbx") else {
        return;
    };
    assert_eq!(g.entries.len(), 1);
    let e = &g.entries[0];
    assert_eq!(e.id.as_deref(), Some("eid-VocCod-211.01"));
    assert_eq!(approved(e, "fr"), ["copiste", "scribe", "écrivain"]);
    assert_eq!(
        approved(e, "it"),
        ["scriba", "amanuense", "copista", "trascrittore"]
    );
    assert_eq!(e.domain.as_deref(), Some("personnel"));
    assert_eq!(
        e.prop("definition"),
        Some("personne qui accomplit un travail copie ou d'écriture")
    );
    let langs: Vec<String> = g.languages().iter().map(|t| t.to_string()).collect();
    assert_eq!(langs, ["en", "es", "fr", "it"]);
}

/// `encoding="windows-1254"` in the prolog: Turkish dotted capital I and dotless i.
#[test]
fn okapi_windows_1254_prolog_encoding() {
    let Some(g) = read("okapi-test02_win1254.tbx") else {
        return;
    };
    let e = &g.entries[0];
    assert_eq!(approved(e, "en"), ["term with: éá and İı"]);
    assert_eq!(approved(e, "tr"), ["tr term with: éá and İı"]);
}

/// translate-toolkit's csv2tbx puts the targets under `xml:lang="xx"`: those sections are
/// skipped with a warning each; the English terms import.
#[test]
fn ttk_csv2tbx_xx_language_is_skipped_with_warnings() {
    let Some(g) = read("ttk-csv2tbx-en-xx.tbx") else {
        return;
    };
    assert_eq!(g.entries.len(), 6);
    assert_eq!(g.entries[0].id.as_deref(), Some("translation memory"));
    assert_eq!(approved(&g.entries[5], "en"), ["fuzzy match"]);
    assert_eq!(g.warnings().len(), 6);
    assert!(
        g.warnings()[0].to_string().contains(":15: skipped"),
        "{}",
        g.warnings()[0]
    );
}

/// translate-toolkit's TBX: en/ko, no ids, `<note>` after the langSets.
#[test]
fn ttk_tbxfile_en_ko_notes_after_langsets() {
    let Some(g) = read("ttk-tbxfile-en-ko.tbx") else {
        return;
    };
    assert_eq!(g.entries.len(), 6);
    assert_eq!(approved(&g.entries[0], "ko"), ["번역 메모리"]);
    assert_eq!(
        g.entries[0].note.as_deref(),
        Some("TM; a database of source/target segment pairs")
    );
    assert_eq!(g.entries[1].note, None);
    assert!(g.entries.iter().all(|e| e.id.is_none()));
}

/// Every fixture: glossary → TBX-Basic v3 / martif → glossary gives the same canonical CSV.
#[test]
fn tbx_fixtures_round_trip_through_both_flavors() {
    for name in COVERED {
        let Some(g) = read(name) else {
            return;
        };
        for flavor in [TbxFlavor::Basic, TbxFlavor::Martif] {
            let mut bytes = Vec::new();
            write_tbx(&g, flavor, &mut bytes).unwrap();
            let back = read_tbx(&bytes, "x.tbx".as_ref()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back.to_csv_string(), g.to_csv_string(), "{name} {flavor:?}");
        }
    }
}
