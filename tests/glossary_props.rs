//! Term recognition checked against a reference written here that shares no code with
//! the recognizer (neither its key nor its candidate search nor its overlap resolution):
//! on Chinese text and terms, where no word-boundary, inflection or case rule applies,
//! a hit is an occurrence of a term, and overlaps are resolved longest first, then
//! leftmost, approved before forbidden, earlier entry first.
//!
//! The library's own brute-force recognizer (`Recognizer::find_naive`) shares the key,
//! the acceptance rules and the hit construction with the fast path; this test does not.

use concord::glossary::{Entry, Glossary, Recognizer, TermSet};
use concord::lang::{LangRange, LangTag};
use proptest::prelude::*;

/// A small Han alphabet (Simplified and Traditional forms, CJK punctuation) so that
/// terms collide, nest and overlap often.
const HAN: &[char] = &[
    '朝', '鲜', '韩', '韓', '国', '國', '半', '岛', '和', '平', '，', '。',
];

/// A term: 1–4 Han characters (many 2-character terms).
fn term() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&HAN[..10]), 1..5)
        .prop_map(|v| v.into_iter().collect())
}

/// Entries: 1–2 approved variants and 0–1 forbidden ones each.
fn entries() -> impl Strategy<Value = Vec<(Vec<String>, Vec<String>)>> {
    prop::collection::vec(
        (
            prop::collection::vec(term(), 1..3),
            prop::collection::vec(term(), 0..2),
        ),
        1..8,
    )
}

/// The reference: (entry, start, end, forbidden) in characters, by start.
fn reference(
    entries: &[(Vec<String>, Vec<String>)],
    text: &str,
    forbidden: bool,
) -> Vec<(usize, usize, usize, bool)> {
    let t: Vec<char> = text.chars().collect();
    // (length, start, forbidden, entry)
    let mut cands: Vec<(usize, usize, bool, usize)> = Vec::new();
    for (e, (approved, banned)) in entries.iter().enumerate() {
        let variants = approved
            .iter()
            .map(|v| (v, false))
            .chain(banned.iter().filter(|_| forbidden).map(|v| (v, true)));
        for (v, is_forbidden) in variants {
            let k: Vec<char> = v.chars().collect();
            if k.is_empty() || k.len() > t.len() {
                continue;
            }
            for s in 0..=t.len() - k.len() {
                if t[s..s + k.len()] == k[..] {
                    cands.push((k.len(), s, is_forbidden, e));
                }
            }
        }
    }
    cands.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let mut chosen: Vec<(usize, usize, usize, bool)> = Vec::new();
    for (len, s, f, e) in cands {
        let end = s + len;
        if chosen.iter().all(|&(_, cs, ce, _)| ce <= s || end <= cs) {
            chosen.push((e, s, end, f));
        }
    }
    chosen.sort_by_key(|c| c.1);
    chosen
}

#[test]
fn reference_prefers_longest_then_leftmost_then_approved() {
    let es = vec![
        (vec!["朝鲜".to_string()], vec![]),
        (vec!["朝鲜半岛".to_string()], vec![]),
        (vec!["岛和".to_string()], vec!["和平".to_string()]),
    ];
    assert_eq!(
        reference(&es, "朝鲜半岛和平", true),
        vec![(1, 0, 4, false), (2, 4, 6, true)]
    );
    assert_eq!(
        reference(&es, "朝鲜半岛和平", false),
        vec![(1, 0, 4, false)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn chinese_terms_match_an_independent_reference(
        es in entries(),
        text in prop::collection::vec(prop::sample::select(HAN), 0..40),
    ) {
        let text: String = text.into_iter().collect();
        let zh = LangTag::parse("zh").unwrap();
        let mut g = Glossary::default();
        for (i, (approved, forbidden)) in es.iter().enumerate() {
            let mut e = Entry::new();
            e.id = Some(format!("t{i}"));
            e.terms.push((
                zh.clone(),
                TermSet {
                    approved: approved.clone(),
                    forbidden: forbidden.clone(),
                },
            ));
            g.entries.push(e);
        }
        for forbidden in [false, true] {
            let r = Recognizer::new(&g, &LangRange::parse("zh").unwrap(), forbidden);
            let got: Vec<(usize, usize, usize, bool)> = r
                .find(&text)
                .iter()
                .map(|h| (h.entry, h.start, h.end, h.forbidden))
                .collect();
            prop_assert_eq!(got, reference(&es, &text, forbidden), "text {:?}", text);
        }
    }
}
