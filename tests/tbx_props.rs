//! CSV → TBX → CSV is lossless for the canonical CSV's fields: the team glossary
//! (glossaries/diplomatic.csv) and generated glossaries with the Unicode fixtures (NFC/NFD
//! Hangul, full-width forms, 2-character CJK terms, Traditional/Simplified, XML's special
//! characters, line breaks in notes), through both TBX flavors.

use std::path::Path;

use concord::formats::glossary::CsvOptions;
use concord::formats::tbx::{read_tbx, write_tbx, TbxFlavor};
use concord::glossary::Glossary;
use proptest::prelude::*;

fn through_tbx(g: &Glossary, flavor: TbxFlavor) -> Glossary {
    let mut bytes = Vec::new();
    let w = write_tbx(g, flavor, &mut bytes).unwrap();
    assert_eq!(w.replaced, 0);
    read_tbx(&bytes, Path::new("x.tbx")).unwrap_or_else(|e| {
        panic!("{e}\n{}", String::from_utf8_lossy(&bytes));
    })
}

#[test]
fn diplomatic_csv_round_trips_through_tbx() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries/diplomatic.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let g = Glossary::from_csv_file(&path, &CsvOptions::default()).unwrap();
    assert!(g.entries.len() > 300);
    for flavor in [TbxFlavor::Basic, TbxFlavor::Martif] {
        let back = through_tbx(&g, flavor);
        assert_eq!(back.to_csv_string(), text, "{flavor:?}");
        assert_eq!(back.entries, g.entries, "{flavor:?}");
    }
}

/// Terms and texts that stress the writer and the reader.
const PIECES: &[&str] = &[
    "북한",
    "\u{1107}\u{116e}\u{11a8}\u{1112}\u{1161}\u{11ab}", // 북한 in NFD
    "한반도",
    "ＤＰＲＫ",   // full-width
    "ＫＯＲＥＡ", // full-width
    "朝鲜",
    "朝鮮",
    "韩国",
    "韓國",
    "半岛",
    "特使",
    "Joint Statement",
    "A&B",
    "<b>",
    "\"quoted\"",
    "it's",
    "x > y",
    "1. bad",
    "Seoul",
    "2026",
];

fn piece() -> impl Strategy<Value = String> {
    prop::sample::select(PIECES).prop_map(str::to_string)
}

/// A term: one or two pieces joined by a space (never empty, never a `|`).
fn term() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..3).prop_map(|v| v.join(" "))
}

/// A cell of 0..n variants.
fn variants(min: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(term(), min..3).prop_map(|v| v.join("|"))
}

/// A free text (note, definition, property): empty, or pieces with spaces and line breaks.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::collection::vec(
            (
                piece(),
                prop::sample::select(&[" ", "\n", "  ", "\n  "][..])
            ),
            1..4
        )
        .prop_map(|v| v
            .into_iter()
            .map(|(p, s)| format!("{p}{s}"))
            .collect::<String>()),
    ]
}

fn row() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![Just(String::new()), piece(), "[a-z][a-z0-9-]{0,6}"],
        variants(1),
        variants(0),
        variants(0),
        variants(0),
        (variants(0), variants(0)),
        (free_text(), free_text()),
        (
            any::<bool>(),
            prop::sample::select(&["", "ko", "ko|zh", "zh-Hant"][..]),
        ),
        prop::sample::select(&["", "noun", "verb", "n.", "명사"][..]),
        (free_text(), free_text(), free_text()),
    )
        .prop_map(
            |(
                id,
                en,
                ko,
                zh,
                hant,
                (en_f, ko_f),
                (note, domain),
                (case, strict),
                pos,
                (def, def_ko, source),
            )| {
                vec![
                    id,
                    en,
                    ko,
                    zh,
                    hant,
                    en_f,
                    ko_f,
                    note,
                    domain,
                    if case {
                        "sensitive".into()
                    } else {
                        String::new()
                    },
                    strict.into(),
                    pos.into(),
                    def,
                    def_ko,
                    source,
                ]
            },
        )
}

const HEADER: [&str; 15] = [
    "id",
    "en",
    "ko",
    "zh",
    "zh-Hant",
    "en:forbidden",
    "ko:forbidden",
    "note",
    "domain",
    "case",
    "strict",
    "pos",
    "definition",
    "definition:ko",
    "source",
];

fn csv_of(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(HEADER).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_glossaries_round_trip_through_tbx(rows in prop::collection::vec(row(), 1..6)) {
        let text = csv_of(&rows);
        let g = Glossary::from_csv_str(&text, Path::new("g.csv"), &CsvOptions::default()).unwrap();
        for flavor in [TbxFlavor::Basic, TbxFlavor::Martif] {
            let back = through_tbx(&g, flavor);
            prop_assert_eq!(back.to_csv_string(), g.to_csv_string(), "{:?}\n{}", flavor, text);
        }
    }
}
