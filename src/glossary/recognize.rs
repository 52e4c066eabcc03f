//! Term recognition: find the glossary terms of one language in a text.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

use crate::lang::LangRange;
use crate::text::{is_hangul, match_key, match_key_keep_case, script_of, KeyedText, Script};

use super::Glossary;

/// Particles, the copula and endings that may follow a Korean term in strict mode
/// (they may also follow each other: 북한에서는 = 북한 + 에서 + 는).
///
/// Left out on purpose: 인 (copula adnominal, but 조선인 is "a Korean person"), 적, 간,
/// 측, 국 and other suffixes that make a new word.
pub const KOREAN_PARTICLES: &[&str] = &[
    // case markers and postpositions
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "에서",
    "에게",
    "에게서",
    "께",
    "께서",
    "한테",
    "와",
    "과",
    "로",
    "으로",
    "로서",
    "으로서",
    "로써",
    "으로써",
    "도",
    "만",
    "까지",
    "부터",
    "보다",
    "처럼",
    "마다",
    "조차",
    "마저",
    "밖에",
    "이나",
    "나",
    "이든",
    "든",
    "이란",
    "란",
    "들", // the copula and its common forms
    "이다",
    "다",
    "입니다",
    "이며",
    "며",
    "이고",
    "고",
    "였다",
    "이었다",
    "였습니다",
    "이었습니다",
    "였으며",
    "이었으며",
    "이지만",
    "지만",
    "이라는",
    "라는",
    "이라고",
    "라고",
    "이라며",
    "라며",
    "이자",
    "이므로",
    "이면",
    "이라",
    "라",
    "였던",
    "이었던",
    "이던",
];

/// One term found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermHit {
    /// Index of the entry in `glossary.entries`.
    pub entry: usize,
    /// Start, in characters of the original text.
    pub start: usize,
    /// End (exclusive), in characters of the original text.
    pub end: usize,
    /// The text as written in the input (`original[start..end]`, inflection included).
    pub matched: String,
    /// The glossary variant that matched, as written in the glossary.
    pub variant: String,
    /// True when the variant is a forbidden one.
    pub forbidden: bool,
}

/// A term found by [`Recognizer::find_spans`]: like [`TermHit`] without the strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermSpan {
    /// Index of the entry in `glossary.entries`.
    pub entry: usize,
    /// Start, in characters of the original text.
    pub start: usize,
    /// End (exclusive), in characters of the original text.
    pub end: usize,
    /// True when the variant is a forbidden one.
    pub forbidden: bool,
    variant: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartRule {
    Any,
    /// Latin/digit first letter: not preceded by a letter or digit.
    Word,
    /// Hangul first letter: not preceded by Hangul.
    Hangul,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EndRule {
    Any,
    /// Not followed by a letter or digit.
    Word,
    /// Like `Word`, after an optional English inflection (s, es, 's, ’s).
    English,
    /// Followed by the end, a non-Hangul character, or particles only.
    Strict,
}

#[derive(Debug, Clone)]
struct Record {
    entry: u32,
    variant: u32,
    forbidden: bool,
    start: StartRule,
    end: EndRule,
    /// For case-sensitive entries: the variant's key without case folding.
    case_key: Option<Box<str>>,
    /// The `ies` plural surface: `case_key` is compared with the span minus `ies`.
    ies: bool,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    ks: usize,
    ke: usize,
    rec: u32,
}

/// Finds the terms of one language of a glossary in texts. Build it once, use it for many
/// texts.
///
/// Matching is on matching keys ([`crate::text::match_key`]: NFKC, case folding, white
/// space collapsed), so full-width forms, letter case, NFD Hangul and line breaks inside
/// a multi-word term do not matter. The rules, decided by the characters at each end of
/// a variant:
///
/// * **Case**: case-insensitive, unless the entry says `case=sensitive`: then the text
///   must equal the variant after NFKC (width folding) with case kept.
/// * **Latin letters and digits** (at a term's start or end): whole words only — the
///   term is not preceded or followed by a letter or digit ("form" is never found in
///   "format", "UN" never in "UNESCO"; "UN" is found in "UN安理会"). English terms (a
///   column whose language is `en`) also match with an inflection: plural `-s`, `-es`,
///   `-ies` for a final consonant + `y` ("Secretaries"), possessive `'s`/`’s`; the hit
///   covers the inflection ("the DPRK's" → `DPRK's`; "Representatives'" →
///   `Representatives`).
/// * **Korean** (a term starting with Hangul) must start a word: it is not preceded by a
///   Hangul letter (북한 is not found in 남북한). By default it may be followed by
///   anything: particles (북한의, 한반도에서) or the tail of a compound written together
///   (한반도평화교섭본부장 contains 한반도). **Strict** matching (the entry's `strict`
///   column lists the language) also requires that the term be followed by the end, a
///   non-Hangul character, or only particles/copula/endings from [`KOREAN_PARTICLES`]
///   (조선은, 조선과의 match; 조선업, 조선소, 조선인 do not). The trade-off: strict terms are
///   no longer found at the head of compounds (조선노동당) or before a particle missing from
///   the list; use it for short terms that are also the start of unrelated words.
/// * **Chinese** (Han) and other scripts: plain substrings.
/// * **Overlaps**: the longest match wins (in key characters, inflection included), then
///   the leftmost, then approved over forbidden, then the earlier entry. So "Special
///   Representative for Korean Peninsula Peace and Security Affairs" is one term when the
///   glossary has it, and 朝鲜 is not found inside 朝鲜半岛 when 朝鲜半岛 is an entry. A
///   longer approved variant of any entry wins over a shorter forbidden one inside it
///   (韩半岛和平交涉本部长 over 韩半岛).
///
/// Terms of one or two characters (韩, 朝鲜, 북한) are ordinary patterns.
pub struct Recognizer {
    ac: Option<AhoCorasick>,
    /// Pattern id → range of `records`.
    spans: Vec<(u32, u32)>,
    records: Vec<Record>,
    /// The pattern keys, as characters (for the brute-force reference).
    keys: Vec<Vec<char>>,
    variants: Vec<String>,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizer")
            .field("patterns", &self.keys.len())
            .field("records", &self.records.len())
            .finish()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !matches!(script_of(c), Script::Hangul | Script::Han | Script::Kana)
}

fn particles() -> &'static [Vec<char>] {
    static P: OnceLock<Vec<Vec<char>>> = OnceLock::new();
    P.get_or_init(|| {
        KOREAN_PARTICLES
            .iter()
            .map(|p| p.chars().collect())
            .collect()
    })
}

/// Can `tail` be cut into particles?
fn only_particles(tail: &[char]) -> bool {
    // ok[i]: tail[i..] can be cut.
    let n = tail.len();
    let mut ok = vec![false; n + 1];
    ok[n] = true;
    for i in (0..n).rev() {
        ok[i] = particles()
            .iter()
            .any(|p| tail[i..].starts_with(p) && ok[i + p.len()]);
    }
    ok[0]
}

const ENGLISH_TAILS: [&[char]; 4] = [&['\'', 's'], &['\u{2019}', 's'], &['e', 's'], &['s']];

impl Recognizer {
    /// A recognizer for the terms of `glossary` in the languages `lang` selects (approved
    /// variants, and forbidden ones too when `forbidden` is true).
    pub fn new(glossary: &Glossary, lang: &LangRange, forbidden: bool) -> Recognizer {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut per_pattern: Vec<Vec<Record>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut variants: Vec<String> = Vec::new();
        let mut add = |key: String, rec: Record| {
            let id = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                per_pattern.push(Vec::new());
                per_pattern.len() - 1
            });
            let list = &mut per_pattern[id];
            if !list
                .iter()
                .any(|r| r.entry == rec.entry && r.forbidden == rec.forbidden && r.end == rec.end)
            {
                list.push(rec);
            }
        };
        for (ei, e) in glossary.entries.iter().enumerate() {
            for (tag, set) in &e.terms {
                if !lang.matches(tag) {
                    continue;
                }
                let english = tag.family() == "en";
                let strict = e.is_strict(tag);
                let kinds = set.approved.iter().map(|v| (v, false)).chain(
                    set.forbidden
                        .iter()
                        .filter(|_| forbidden)
                        .map(|v| (v, true)),
                );
                for (v, is_forbidden) in kinds {
                    let key = match_key(v);
                    let (Some(first), Some(last)) = (key.chars().next(), key.chars().last()) else {
                        continue;
                    };
                    let vi = variants.len() as u32;
                    variants.push(v.clone());
                    let start = if is_word_char(first) {
                        StartRule::Word
                    } else if is_hangul(first) {
                        StartRule::Hangul
                    } else {
                        StartRule::Any
                    };
                    let end = if is_word_char(last) {
                        if english {
                            EndRule::English
                        } else {
                            EndRule::Word
                        }
                    } else if is_hangul(last) && strict {
                        EndRule::Strict
                    } else if key.chars().any(|c| c.is_ascii_alphanumeric()) {
                        // A Latin term ending in punctuation (`U.S.`) still ends a word:
                        // it is not found inside `U.S.A.`.
                        EndRule::Word
                    } else {
                        EndRule::Any
                    };
                    let case_key = e
                        .case_sensitive
                        .then(|| match_key_keep_case(v).into_boxed_str());
                    let rec = Record {
                        entry: ei as u32,
                        variant: vi,
                        forbidden: is_forbidden,
                        start,
                        end,
                        case_key: case_key.clone(),
                        ies: false,
                    };
                    // -ies plural of a final consonant + y: "secretary" → "secretaries".
                    let ies = end == EndRule::English && {
                        let cs: Vec<char> = key.chars().rev().take(2).collect();
                        cs.len() == 2
                            && cs[0] == 'y'
                            && cs[1].is_ascii_alphabetic()
                            && !"aeiou".contains(cs[1])
                    };
                    if ies {
                        let stem = &key[..key.len() - 1];
                        add(
                            format!("{stem}ies"),
                            Record {
                                end: EndRule::Word,
                                ies: true,
                                case_key: case_key.map(|k| {
                                    let mut s = k.into_string();
                                    s.pop();
                                    s.into_boxed_str()
                                }),
                                ..rec.clone()
                            },
                        );
                    }
                    add(key, rec);
                }
            }
        }
        let mut spans = Vec::with_capacity(per_pattern.len());
        let mut records = Vec::new();
        for list in per_pattern {
            let a = records.len() as u32;
            records.extend(list);
            spans.push((a, records.len() as u32));
        }
        let ac = (!keys.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&keys)
                .expect("glossary patterns fit aho-corasick's limits")
        });
        Recognizer {
            ac,
            spans,
            records,
            keys: keys.iter().map(|k| k.chars().collect()).collect(),
            variants,
        }
    }

    /// Number of distinct patterns (variant keys and inflected forms).
    pub fn pattern_count(&self) -> usize {
        self.keys.len()
    }

    /// True when the recognizer has no term to find.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The terms in `text`: sorted by start, not overlapping (see the type's
    /// documentation for the rules).
    pub fn find(&self, text: &str) -> Vec<TermHit> {
        self.with_chosen(text, |kt, orig, chosen| self.hits(kt, orig, chosen))
    }

    /// The same terms as [`Recognizer::find`], as compact [`TermSpan`]s appended to `out`
    /// (cleared first): no allocation per term, for callers that scan a lot of text.
    /// [`Recognizer::variant`] gives a span's variant; the matched text is
    /// `text[start..end]` in characters.
    pub fn find_spans(&self, text: &str, out: &mut Vec<TermSpan>) {
        out.clear();
        self.with_chosen(text, |kt, _, chosen| {
            out.extend(chosen.iter().map(|c| {
                let r = &self.records[c.rec as usize];
                let (start, end) = kt.original_span(c.ks, c.ke);
                TermSpan {
                    entry: r.entry as usize,
                    start,
                    end,
                    forbidden: r.forbidden,
                    variant: r.variant,
                }
            }))
        })
    }

    /// The glossary variant (as written in the glossary) that a span matched.
    pub fn variant(&self, span: &TermSpan) -> &str {
        &self.variants[span.variant as usize]
    }

    /// Run the fast search and overlap resolution on `text`, and hand the chosen
    /// candidates (sorted by start) to `f`.
    fn with_chosen<T: Default>(
        &self,
        text: &str,
        f: impl FnOnce(&KeyedText, &mut OrigIndex<'_>, &[Cand]) -> T,
    ) -> T {
        let Some(ac) = &self.ac else {
            return T::default();
        };
        let mut orig = OrigIndex::new(text);
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch {
                kt,
                b2c,
                cands,
                taken,
                chosen,
            } = &mut *s;
            kt.reset(text);
            if kt.is_empty() {
                return T::default();
            }
            let kt = &*kt;
            b2c.clear();
            b2c.resize(kt.key.len() + 1, 0);
            for (ci, (b, _)) in kt.key.char_indices().enumerate() {
                b2c[b] = ci as u32;
            }
            b2c[kt.key.len()] = kt.chars.len() as u32;
            cands.clear();
            for m in ac.find_overlapping_iter(&kt.key) {
                let ks = b2c[m.start()] as usize;
                let ke = b2c[m.end()] as usize;
                let (a, b) = self.spans[m.pattern().as_usize()];
                for ri in a..b {
                    if let Some(ke2) = self.accept(kt, &mut orig, ks, ke, ri as usize) {
                        cands.push(Cand {
                            ks,
                            ke: ke2,
                            rec: ri,
                        });
                    }
                }
            }
            self.resolve_fast(cands, taken, chosen, kt.len());
            f(kt, &mut orig, chosen)
        })
    }

    /// Every candidate in `text` that passes the rules, overlaps included (sorted by
    /// start, then longest first). [`Recognizer::find`] keeps a non-overlapping subset.
    pub fn find_all(&self, text: &str) -> Vec<TermHit> {
        let kt = KeyedText::new(text);
        let mut orig = OrigIndex::new(text);
        let mut cands = self.naive_candidates(&kt, &mut orig);
        cands.sort_by_key(|c| (c.ks, std::cmp::Reverse(c.ke), c.rec));
        cands.dedup_by_key(|c| {
            (
                c.ks,
                c.ke,
                self.records[c.rec as usize].entry,
                self.records[c.rec as usize].forbidden,
            )
        });
        self.hits(&kt, &mut orig, &cands)
    }

    /// The brute-force reference: every pattern compared at every position, overlaps
    /// resolved pairwise. Same result as [`Recognizer::find`], much slower; the tests
    /// and the bench compare the two.
    pub fn find_naive(&self, text: &str) -> Vec<TermHit> {
        let kt = KeyedText::new(text);
        let mut orig = OrigIndex::new(text);
        let cands = self.naive_candidates(&kt, &mut orig);
        let mut sorted = cands;
        sorted.sort_by_key(|c| (self.rank(c), c.rec));
        let mut chosen: Vec<Cand> = Vec::new();
        for c in sorted {
            if chosen.iter().all(|o| o.ke <= c.ks || c.ke <= o.ks) {
                chosen.push(c);
            }
        }
        chosen.sort_by_key(|c| c.ks);
        self.hits(&kt, &mut orig, &chosen)
    }

    fn naive_candidates(&self, kt: &KeyedText, orig: &mut OrigIndex<'_>) -> Vec<Cand> {
        let mut cands = Vec::new();
        for (pi, key) in self.keys.iter().enumerate() {
            for ks in 0..kt.chars.len() {
                if kt.chars[ks..].starts_with(key) {
                    let ke = ks + key.len();
                    let (a, b) = self.spans[pi];
                    for ri in a..b {
                        if let Some(ke2) = self.accept(kt, orig, ks, ke, ri as usize) {
                            cands.push(Cand {
                                ks,
                                ke: ke2,
                                rec: ri,
                            });
                        }
                    }
                }
            }
        }
        cands
    }

    /// The order of preference: longest, leftmost, approved, earlier entry.
    fn rank(&self, c: &Cand) -> (std::cmp::Reverse<usize>, usize, bool, u32) {
        let r = &self.records[c.rec as usize];
        (std::cmp::Reverse(c.ke - c.ks), c.ks, r.forbidden, r.entry)
    }

    /// Longest first, then leftmost...: keep the candidates that overlap no better one.
    fn resolve_fast(
        &self,
        cands: &mut [Cand],
        taken: &mut Vec<bool>,
        chosen: &mut Vec<Cand>,
        n: usize,
    ) {
        chosen.clear();
        if cands.len() <= 1 {
            chosen.extend_from_slice(cands);
            return;
        }
        cands.sort_unstable_by_key(|c| (self.rank(c), c.rec));
        taken.clear();
        taken.resize(n, false);
        for c in cands.iter() {
            if taken[c.ks..c.ke].iter().any(|t| *t) {
                continue;
            }
            taken[c.ks..c.ke].iter_mut().for_each(|t| *t = true);
            chosen.push(*c);
        }
        chosen.sort_unstable_by_key(|c| c.ks);
    }

    /// Check the rules for a key match `ks..ke` of record `ri`; the end of the hit
    /// (after an inflection) when it passes.
    fn accept(
        &self,
        kt: &KeyedText,
        orig: &mut OrigIndex<'_>,
        ks: usize,
        ke: usize,
        ri: usize,
    ) -> Option<usize> {
        let r = &self.records[ri];
        let ch = &kt.chars;
        match r.start {
            StartRule::Any => {}
            StartRule::Word => {
                if ks > 0 && is_word_char(ch[ks - 1]) {
                    return None;
                }
            }
            StartRule::Hangul => {
                if ks > 0 && is_hangul(ch[ks - 1]) {
                    return None;
                }
            }
        }
        let free = |i: usize| i >= ch.len() || !is_word_char(ch[i]);
        let end = match r.end {
            EndRule::Any => ke,
            EndRule::Word => free(ke).then_some(ke)?,
            EndRule::English => ENGLISH_TAILS
                .iter()
                .find(|t| ch[ke..].starts_with(t) && free(ke + t.len()))
                .map(|t| ke + t.len())
                .or_else(|| free(ke).then_some(ke))?,
            EndRule::Strict => {
                let run = ch[ke..].iter().take_while(|c| is_hangul(**c)).count();
                if run > 0 && (run > 12 || !only_particles(&ch[ke..ke + run])) {
                    return None;
                }
                ke
            }
        };
        if let Some(want) = &r.case_key {
            let (s, e) = kt.original_span(ks, ke);
            let got = match_key_keep_case(orig.slice(s, e));
            let ok = if r.ies {
                got.strip_suffix("ies") == Some(want)
                    || got.chars().count() > 3 && {
                        // "IES" in an all-caps text
                        let n = got.len() - 3;
                        got.is_char_boundary(n) && got[..n] == **want
                    }
            } else {
                *got == **want
            };
            if !ok {
                return None;
            }
        }
        Some(end)
    }

    /// Turn candidates (sorted by start) into hits.
    fn hits(&self, kt: &KeyedText, orig: &mut OrigIndex<'_>, cands: &[Cand]) -> Vec<TermHit> {
        let mut out = Vec::with_capacity(cands.len());
        for c in cands {
            let r = &self.records[c.rec as usize];
            let (start, end) = kt.original_span(c.ks, c.ke);
            out.push(TermHit {
                entry: r.entry as usize,
                start,
                end,
                matched: orig.walk(start, end).to_string(),
                variant: self.variants[r.variant as usize].clone(),
                forbidden: r.forbidden,
            });
        }
        out
    }
}

/// Buffers reused by [`Recognizer::find`] on each thread.
struct Scratch {
    kt: KeyedText,
    b2c: Vec<u32>,
    cands: Vec<Cand>,
    taken: Vec<bool>,
    chosen: Vec<Cand>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch {
        kt: KeyedText::new(""),
        b2c: Vec::new(),
        cands: Vec::new(),
        taken: Vec::new(),
        chosen: Vec::new(),
    });
}

/// Character offsets → byte offsets of the original text: a forward cursor for spans
/// visited in order of their start, and a full index built on first random access.
struct OrigIndex<'a> {
    text: &'a str,
    bytes: Option<Vec<usize>>,
    /// (char offset, byte offset) of the cursor.
    cursor: (usize, usize),
}

impl<'a> OrigIndex<'a> {
    fn new(text: &'a str) -> OrigIndex<'a> {
        OrigIndex {
            text,
            bytes: None,
            cursor: (0, 0),
        }
    }

    /// The byte offset of char `c`, walking forward from `from` (char, byte).
    fn advance(text: &str, from: (usize, usize), c: usize) -> usize {
        let (mut ci, mut bi) = from;
        for ch in text[bi..].chars() {
            if ci == c {
                break;
            }
            ci += 1;
            bi += ch.len_utf8();
        }
        bi
    }

    /// `text[s..e]` in chars, for spans visited with non-decreasing starts.
    fn walk(&mut self, s: usize, e: usize) -> &'a str {
        if s < self.cursor.0 {
            return self.slice(s, e);
        }
        let bs = Self::advance(self.text, self.cursor, s);
        self.cursor = (s, bs);
        let be = Self::advance(self.text, (s, bs), e);
        &self.text[bs..be]
    }

    fn slice(&mut self, s: usize, e: usize) -> &'a str {
        let text = self.text;
        let b = self.bytes.get_or_insert_with(|| {
            text.char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(text.len()))
                .collect()
        });
        let last = b.len() - 1;
        &text[b[s.min(last)]..b[e.min(last)]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;
    use crate::glossary::Glossary;
    use crate::lang::LangRange;
    use unicode_normalization::UnicodeNormalization;

    fn glossary(csv: &str) -> Glossary {
        Glossary::from_csv_str(csv, "t.csv".as_ref(), &CsvOptions::default()).unwrap()
    }
    fn rec(g: &Glossary, lang: &str, forbidden: bool) -> Recognizer {
        Recognizer::new(g, &LangRange::parse(lang).unwrap(), forbidden)
    }
    /// (matched, entry id) of every hit; checks fast == naive on the way.
    fn found(r: &Recognizer, g: &Glossary, text: &str) -> Vec<(String, String)> {
        let hits = r.find(text);
        assert_eq!(
            hits,
            r.find_naive(text),
            "fast and naive differ on {text:?}"
        );
        hits.iter()
            .map(|h| {
                (
                    h.matched.clone(),
                    g.entries[h.entry].id.clone().unwrap_or_default(),
                )
            })
            .collect()
    }
    fn m(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const G: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,case,strict\n\
        dprk,DPRK|North Korea,북한,朝鲜,,北韩,,\n\
        sr,Special Representative,특별대표,特别代表,,,,\n\
        srkp,Special Representative for Korean Peninsula Peace and Security Affairs,한반도평화교섭본부장,韩半岛和平交涉本部长,,,,\n\
        kp,Korean Peninsula,한반도,朝鲜半岛,,韩半岛,,\n\
        form,form,양식,表格,,,,\n\
        us,US,미국,美国,,,sensitive,\n\
        sec,Secretary,장관,部长,,,,\n\
        rok,Republic of Korea,대한민국|한국,韩国|韩,,,,\n\
        choson,Chosun,조선,朝鲜王朝,,,,ko\n";

    #[test]
    fn english_whole_words_and_inflections() {
        let g = glossary(G);
        let r = rec(&g, "en", false);
        assert_eq!(
            found(&r, &g, "The format of the forms"),
            m(&[("forms", "form")])
        );
        assert_eq!(
            found(&r, &g, "the DPRK's envoys and two Special Representatives"),
            m(&[("DPRK's", "dprk"), ("Special Representatives", "sr")])
        );
        assert_eq!(
            found(&r, &g, "the Secretaries met"),
            m(&[("Secretaries", "sec")])
        );
        assert_eq!(
            found(&r, &g, "the Representatives' meeting in North  Korea\n"),
            m(&[("North  Korea", "dprk")])
        );
        assert_eq!(
            found(&r, &g, "DPRKs DPRKx xDPRK DPRK’s"),
            m(&[("DPRKs", "dprk"), ("DPRK’s", "dprk")])
        );
        assert_eq!(found(&r, &g, "ＤＰＲＫ"), m(&[("ＤＰＲＫ", "dprk")]));
    }

    #[test]
    fn term_ending_in_punctuation_is_not_found_inside_a_longer_word() {
        let g = glossary(
            "id,en,ko,zh\nus,U.S.,미국,美国\ng20,주요 20개국(G20),주요 20개국(G20),二十国集团\n",
        );
        let r = rec(&g, "en", false);
        assert_eq!(
            found(&r, &g, "the U.S.A. and the U.S."),
            m(&[("U.S.", "us")])
        );
        assert_eq!(found(&r, &g, "U.S.-ROK talks"), m(&[("U.S.", "us")]));
        let r = rec(&g, "ko", false);
        assert_eq!(
            found(&r, &g, "주요 20개국(G20)은 회의를"),
            m(&[("주요 20개국(G20)", "g20")])
        );
    }

    #[test]
    fn multi_word_across_white_space_and_longest_wins() {
        let g = glossary(G);
        let r = rec(&g, "en", false);
        assert_eq!(
            found(
                &r,
                &g,
                "The Special Representative for Korean\nPeninsula Peace and Security Affairs met the Special Representative."
            ),
            m(&[
                ("Special Representative for Korean\nPeninsula Peace and Security Affairs", "srkp"),
                ("Special Representative", "sr")
            ])
        );
    }

    #[test]
    fn case_sensitive_entries() {
        let g = glossary(G);
        let r = rec(&g, "en", false);
        assert_eq!(
            found(&r, &g, "let us talk about US policy"),
            m(&[("US", "us")])
        );
        assert_eq!(found(&r, &g, "ＵＳ's role"), m(&[("ＵＳ's", "us")]));
        assert!(found(&r, &g, "Us").is_empty());
    }

    #[test]
    fn korean_particles_compounds_and_strict() {
        let g = glossary(G);
        let r = rec(&g, "ko", false);
        assert_eq!(
            found(&r, &g, "특별대표는 북한의 한반도에서 대한민국과"),
            m(&[
                ("특별대표", "sr"),
                ("북한", "dprk"),
                ("한반도", "kp"),
                ("대한민국", "rok")
            ])
        );
        // Head of a compound written together; the longest entry wins.
        assert_eq!(found(&r, &g, "한반도평화문제"), m(&[("한반도", "kp")]));
        assert_eq!(
            found(&r, &g, "한반도평화교섭본부장은"),
            m(&[("한반도평화교섭본부장", "srkp")])
        );
        // Word start: 북한 is not inside 남북한.
        assert!(found(&r, &g, "남북한 관계").is_empty());
        // Strict: 조선 only before particles or non-Hangul.
        assert_eq!(
            found(&r, &g, "조선은 조선과의 조선, 조선업 조선소 조선인 조선"),
            m(&[
                ("조선", "choson"),
                ("조선", "choson"),
                ("조선", "choson"),
                ("조선", "choson")
            ])
        );
        let hits = r.find("조선은 조선과의 조선, 조선업 조선소 조선인 조선");
        assert_eq!(
            hits.iter().map(|h| h.start).collect::<Vec<_>>(),
            vec![0, 4, 9, 25]
        );
    }

    #[test]
    fn nfd_hangul_maps_to_original_offsets() {
        let g = glossary(G);
        let r = rec(&g, "ko", false);
        let nfd: String = "우리는 북한의".nfd().collect();
        let hits = r.find(&nfd);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].matched.nfc().collect::<String>(), "북한");
        let orig: Vec<char> = nfd.chars().collect();
        assert_eq!(
            orig[hits[0].start..hits[0].end].iter().collect::<String>(),
            hits[0].matched
        );
        assert_eq!(hits[0].variant, "북한");
    }

    #[test]
    fn chinese_substrings_longest_first() {
        let g = glossary(G);
        let r = rec(&g, "zh", false);
        assert_eq!(
            found(&r, &g, "朝鲜半岛无核化，朝鲜和韩国"),
            m(&[("朝鲜半岛", "kp"), ("朝鲜", "dprk"), ("韩国", "rok")])
        );
        assert_eq!(found(&r, &g, "中韩关系"), m(&[("韩", "rok")]));
        let r = rec(&g, "zh", true);
        let hits = r.find("韩半岛和平交涉本部长和韩半岛问题, 北韩");
        let got: Vec<(&str, bool)> = hits
            .iter()
            .map(|h| (h.matched.as_str(), h.forbidden))
            .collect();
        assert_eq!(
            got,
            vec![
                ("韩半岛和平交涉本部长", false),
                ("韩半岛", true),
                ("北韩", true)
            ]
        );
        assert_eq!(
            r.find("韩半岛和平交涉本部长"),
            r.find_naive("韩半岛和平交涉本部长")
        );
    }

    #[test]
    fn ranges_select_columns() {
        let g = glossary("en,zh-Hans,zh-Hant\nTaiwan,台湾,臺灣\n");
        assert_eq!(rec(&g, "zh", false).find("台湾 臺灣").len(), 2);
        assert_eq!(rec(&g, "zh-Hant", false).find("台湾 臺灣").len(), 1);
        assert!(rec(&g, "ko", false).is_empty());
    }

    #[test]
    fn particles_segment() {
        let t = |s: &str| only_particles(&s.chars().collect::<Vec<_>>());
        assert!(t("에서는"));
        assert!(t("과의"));
        assert!(t("입니다"));
        assert!(!t("업"));
        assert!(!t("인"));
    }

    mod prop {
        use super::*;
        use crate::glossary::{Entry, TermSet};
        use crate::lang::LangTag;
        use proptest::prelude::*;

        // A small alphabet so that terms collide, overlap and inflect often.
        const ALPHA: &[char] = &[
            'a', 'b', 'y', 's', 'e', 'i', 'A', 'S', ' ', '\'', '-', '북', '한', '의', '은', '업',
            '朝', '鲜', '韩', 'Ａ', '\n',
        ];

        fn word() -> impl Strategy<Value = String> {
            proptest::collection::vec(proptest::sample::select(ALPHA), 1..5)
                .prop_map(|v| v.into_iter().collect())
        }

        fn entries() -> impl Strategy<Value = Vec<(String, String, bool, bool, bool)>> {
            proptest::collection::vec(
                (word(), word(), any::<bool>(), any::<bool>(), any::<bool>()),
                1..8,
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            #[test]
            fn fast_equals_brute_force(es in entries(), text in proptest::collection::vec(proptest::sample::select(ALPHA), 0..40)) {
                let text: String = text.into_iter().collect();
                let mut g = Glossary::default();
                for (i, (a, f, case, strict, lang_en)) in es.into_iter().enumerate() {
                    let tag = LangTag::parse(if lang_en { "en" } else { "ko" }).unwrap();
                    let mut e = Entry::new();
                    e.id = Some(i.to_string());
                    e.terms.push((tag.clone(), TermSet { approved: vec![a], forbidden: vec![f] }));
                    e.case_sensitive = case;
                    if strict {
                        e.strict.push(tag);
                    }
                    g.entries.push(e);
                }
                for lang in ["en", "ko", "*"] {
                    for forbidden in [false, true] {
                        let r = rec(&g, lang, forbidden);
                        let fast = r.find(&text);
                        prop_assert_eq!(&fast, &r.find_naive(&text));
                        let mut spans = Vec::new();
                        r.find_spans(&text, &mut spans);
                        prop_assert_eq!(spans.len(), fast.len());
                        for (s, h) in spans.iter().zip(&fast) {
                            prop_assert_eq!((s.entry, s.start, s.end, s.forbidden), (h.entry, h.start, h.end, h.forbidden));
                            prop_assert_eq!(r.variant(s), h.variant.as_str());
                        }
                        // Sorted, non-overlapping, spans give the matched text.
                        let chars: Vec<char> = text.chars().collect();
                        for w in fast.windows(2) {
                            prop_assert!(w[0].end <= w[1].start);
                        }
                        for h in &fast {
                            prop_assert_eq!(chars[h.start..h.end].iter().collect::<String>(), h.matched.clone());
                        }
                    }
                }
            }
        }
    }
}
