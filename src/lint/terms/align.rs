//! Where a missing term went: when `term-missing` fires, find what the source term was
//! translated with, or say that it seems untranslated.
//!
//! No neural model: the segment is aligned with
//!
//! * **anchors**: the glossary's other terms found on both sides (a source occurrence of
//!   an entry paired with a target rendering of the same entry), numbers (the same digits
//!   on both sides) and Latin words written the same on both sides (names, acronyms).
//!   The nearest anchors before and after the term in the source bound the region of the
//!   target where its rendering is looked for, when they are in the same order in the
//!   target (else the whole target is the region);
//! * **evidence for a candidate** in the region, strongest first: a glossary term of an
//!   entry that the source does not name and of the term's domain (a country replaced by
//!   another: *China* → 일본; a title by another title); then the co-occurrence
//!   statistics learned from the memory ([`AlignStats`]: Dice between the entry and the
//!   target's Korean word stems / Chinese character n-grams over the memory's units of the
//!   draft's language pair), when the entry and a candidate go together in the memory
//!   (*Special Representative* and 특사 in units that say 특사 for it).
//! * Nothing of that: the term **seems untranslated**.
//!
//! Korean candidates are word stems: the particles and endings of
//! [`crate::glossary::KOREAN_PARTICLES`] are stripped (특사는 → 특사, the 는 shown apart).
//! Chinese candidates are character n-grams of 2 to 6 Han characters.
//!
//! Cost: [`AlignStats::learn`] reads the memory's units once per lint run, at most
//! [`MAX_UNITS`] units, [`MAX_PAIRS`] distinct (feature, candidate) pairs and
//! [`MAX_LEARN_TIME`] of the learning thread's CPU time, whichever comes first (CPU time,
//! not wall time, so that a thread at a low priority, as `concord serve` runs lint,
//! learns as much while it waits for a core); the tables are hashes of the
//! features (8 bytes a key), so the bound on memory is about 16 bytes × [`MAX_PAIRS`] plus
//! the document frequencies. Locating runs only for the occurrences term-missing reports.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant};

use super::TermRules;
use crate::glossary::{TermHit, KOREAN_PARTICLES};
use crate::text::{match_key, script_of, Script};

/// At most this many memory units are read to learn the statistics.
pub const MAX_UNITS: usize = 100_000;
/// At most this many distinct (source feature, target candidate) pairs are counted.
pub const MAX_PAIRS: usize = 4_000_000;
/// Learning stops after this much CPU time of the learning thread (wall time where a
/// thread's CPU time cannot be read); the statistics learned so far are kept.
pub const MAX_LEARN_TIME: Duration = Duration::from_secs(3);

/// Time spent since it was made: the calling thread's CPU time where it can be read
/// (Linux), else wall time. Made and read on the same thread.
struct Spent {
    cpu: Option<Duration>,
    wall: Instant,
}

impl Spent {
    fn start() -> Spent {
        Spent {
            cpu: crate::cpu::thread_time(),
            wall: Instant::now(),
        }
    }

    fn get(&self) -> Duration {
        match (self.cpu, crate::cpu::thread_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => self.wall.elapsed(),
        }
    }
}

/// Dice at or above this: the entry and the candidate go together in the memory.
const TERM_DICE: f64 = 0.2;
/// Pairs seen fewer times than this are no evidence.
const MIN_JOINT: u32 = 2;

/// Keys are already hashes: pass them through.
#[derive(Default)]
struct Pass(u64);

impl Hasher for Pass {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Table = HashMap<u64, u32, BuildHasherDefault<Pass>>;

fn h(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

fn entry_feature(e: usize) -> u64 {
    h(&format!("\u{1}entry {e}"))
}

fn pair(a: u64, c: u64) -> u64 {
    (a.rotate_left(23) ^ c).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Co-occurrence statistics of a memory's units for one language pair: in how many
/// units each source feature (a glossary entry found in the source) and each target
/// candidate (a Korean word stem, a Chinese 2–4-character n-gram)
/// occur, and both together. Learned once per lint run ([`AlignStats::learn`]).
#[derive(Default)]
pub struct AlignStats {
    units: u32,
    source: Table,
    target: Table,
    joint: Table,
    korean: bool,
    /// True when learning stopped at a bound ([`MAX_UNITS`], [`MAX_PAIRS`],
    /// [`MAX_LEARN_TIME`]) before the end of the units.
    pub truncated: bool,
}

impl AlignStats {
    /// Learn from `(source, target)` texts with the source recognizer of `rules` (the
    /// draft's term rules), within the bounds of this module.
    pub fn learn<I>(rules: &TermRules<'_>, units: I) -> AlignStats
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let started = Spent::start();
        let mut st = AlignStats {
            korean: rules.korean,
            ..AlignStats::default()
        };
        let Some(rec) = rules.source.as_ref() else {
            return st;
        };
        for (n, (s, t)) in units.into_iter().enumerate() {
            if n >= MAX_UNITS || (n % 256 == 0 && started.get() > MAX_LEARN_TIME) {
                st.truncated = true;
                break;
            }
            let mut src: Vec<u64> = rec
                .find(&s)
                .iter()
                .map(|x| entry_feature(x.entry))
                .collect();
            src.sort_unstable();
            src.dedup();
            let mut tgt: Vec<u64> = candidates_for_stats(&t, st.korean)
                .iter()
                .map(|c| h(c))
                .collect();
            tgt.sort_unstable();
            tgt.dedup();
            st.units += 1;
            for &a in &src {
                *st.source.entry(a).or_default() += 1;
            }
            for &c in &tgt {
                *st.target.entry(c).or_default() += 1;
            }
            for &a in &src {
                for &c in &tgt {
                    let k = pair(a, c);
                    if let Some(v) = st.joint.get_mut(&k) {
                        *v += 1;
                    } else if st.joint.len() < MAX_PAIRS {
                        st.joint.insert(k, 1);
                    } else {
                        st.truncated = true;
                    }
                }
            }
        }
        st
    }

    /// Units learned from.
    pub fn units(&self) -> u32 {
        self.units
    }

    /// Dice of source feature `a` and target candidate `c` (both hashes); 0 when they were
    /// seen together fewer than [`MIN_JOINT`] times.
    fn dice(&self, a: u64, c: u64) -> f64 {
        let j = self.joint.get(&pair(a, c)).copied().unwrap_or(0);
        if j < MIN_JOINT {
            return 0.0;
        }
        let fa = self.source.get(&a).copied().unwrap_or(0);
        let fc = self.target.get(&c).copied().unwrap_or(0);
        2.0 * f64::from(j) / f64::from(fa + fc).max(1.0)
    }
}

/// The target candidates the statistics count: Korean word stems, Chinese n-grams of 2
/// to 4 Han characters (matching keys).
fn candidates_for_stats(text: &str, korean: bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    if korean {
        for w in korean_words(&chars) {
            out.push(match_key(
                &chars[w.start..w.stem_end].iter().collect::<String>(),
            ));
        }
    } else {
        for (s, e) in han_runs(&chars, &vec![false; chars.len()]) {
            for n in 2..=4 {
                for i in s..e.saturating_sub(n - 1) {
                    out.push(match_key(&chars[i..i + n].iter().collect::<String>()));
                }
            }
        }
    }
    out.truncate(400);
    out
}

/// A Korean word of a text: where it starts and where its stem ends (the particles and
/// endings after it stripped).
struct KoWord {
    start: usize,
    stem_end: usize,
}

/// The words of a Korean text with Hangul in them (split on white space and
/// punctuation), each with its stem.
fn korean_words(chars: &[char]) -> Vec<KoWord> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if script_of(chars[i]) != Script::Hangul {
            i += 1;
            continue;
        }
        let s = i;
        while i < chars.len() && script_of(chars[i]) == Script::Hangul {
            i += 1;
        }
        out.push(KoWord {
            start: s,
            stem_end: s + stem_len(&chars[s..i]),
        });
    }
    out
}

/// The length (in characters of `word`) of the stem of a Korean word: particles and
/// endings of the list are stripped from its end, the longest first, one after the other
/// (조선과의 → 조선), as long as two syllables are left (국가 stays 국가). Compared on
/// NFC, so NFD Hangul (jamo) words strip the same particles.
fn stem_len(word: &[char]) -> usize {
    let syllables = |w: &[char]| {
        crate::text::nfc(&w.iter().collect::<String>())
            .chars()
            .count()
    };
    let mut end = word.len();
    loop {
        let cut = (1..end).find(|&cut| {
            let tail: String = word[cut..end].iter().collect();
            KOREAN_PARTICLES.contains(&crate::text::nfc(&tail).as_ref())
                && syllables(&word[..cut]) >= 2
        });
        match cut {
            Some(c) => end = c,
            None => return end,
        }
    }
}

/// The runs of Han characters not marked `covered`.
fn han_runs(chars: &[char], covered: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if script_of(chars[i]) != Script::Han || covered[i] {
            i += 1;
            continue;
        }
        let s = i;
        while i < chars.len() && script_of(chars[i]) == Script::Han && !covered[i] {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

/// Where the source term went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whereabouts {
    /// The target renders it with `[start, end)` (characters of the target); `particle`
    /// is the Korean particle or ending written after it, shown apart.
    Rendered {
        /// Start in the target, in characters.
        start: usize,
        /// End (exclusive).
        end: usize,
        /// The rendering.
        text: String,
        /// The particle after it (Korean), if any.
        particle: Option<String>,
    },
    /// Nothing aligns with it.
    Untranslated,
}

/// An anchor: a source span and the target span that renders it.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    src: (usize, usize),
    tgt: (usize, usize),
}

impl TermRules<'_> {
    /// Where the source occurrence `term` (one of `src_hits`) went in `target`, whose
    /// recognized terms are `tgt_hits`; `stats` are the memory's statistics, if any.
    pub(super) fn whereabouts(
        &self,
        term: &TermHit,
        src_hits: &[TermHit],
        tgt_hits: &[TermHit],
        source: &str,
        target: &str,
        stats: Option<&AlignStats>,
    ) -> Whereabouts {
        let s: Vec<char> = source.chars().collect();
        let t: Vec<char> = target.chars().collect();
        let mut covered = vec![false; t.len()];
        let mut anchors: Vec<Anchor> = Vec::new();
        // Terms on both sides, paired left to right per entry.
        let mut used = vec![false; tgt_hits.len()];
        for sh in src_hits {
            if sh.entry == term.entry && sh.start == term.start {
                continue;
            }
            if let Some(j) = (0..tgt_hits.len())
                .find(|&j| !used[j] && !tgt_hits[j].forbidden && tgt_hits[j].entry == sh.entry)
            {
                used[j] = true;
                anchors.push(Anchor {
                    src: (sh.start, sh.end),
                    tgt: (tgt_hits[j].start, tgt_hits[j].end),
                });
            }
        }
        // Target terms of entries the source names are someone else's rendering.
        let source_entries: Vec<usize> = src_hits.iter().map(|x| x.entry).collect();
        for th in tgt_hits {
            if source_entries.contains(&th.entry) && th.entry != term.entry {
                covered[th.start..th.end].iter_mut().for_each(|c| *c = true);
            }
        }
        // Numbers and Latin words written the same on both sides.
        let src_tokens = tokens(&s);
        for (ts, te) in tokens(&t) {
            let tk: String = t[ts..te].iter().collect();
            let tk = match_key(&tk);
            if let Some(&(ss, se)) = src_tokens
                .iter()
                .find(|&&(a, b)| match_key(&s[a..b].iter().collect::<String>()) == tk)
            {
                anchors.push(Anchor {
                    src: (ss, se),
                    tgt: (ts, te),
                });
            }
            covered[ts..te].iter_mut().for_each(|c| *c = true);
        }
        for a in &anchors {
            covered[a.tgt.0..a.tgt.1].iter_mut().for_each(|c| *c = true);
        }
        let region = region(&anchors, term, t.len());
        let in_region = |a: usize, b: usize| a >= region.0 && b <= region.1;

        // 1. A glossary term of an entry the source does not name, of the term's domain
        //    (a country for a country, a title for a title), or in the region when the
        //    entry has no domain.
        let entries = &self.glossary.entries;
        let domain = |e: usize| entries[e].domain.as_deref().map(str::to_lowercase);
        let stray = tgt_hits.iter().filter(|th| {
            !th.forbidden
                && !source_entries.contains(&th.entry)
                && !covered[th.start]
                && match domain(term.entry) {
                    Some(d) => domain(th.entry).as_deref() == Some(d.as_str()),
                    None => in_region(th.start, th.end),
                }
        });
        let mut strays: Vec<&TermHit> = stray.collect();
        strays.sort_by_key(|th| (!in_region(th.start, th.end), th.start));
        if let Some(th) = strays.first() {
            return rendered(&t, th.start, th.end, self.korean);
        }
        let Some(stats) = stats.filter(|s| s.units > 0) else {
            return Whereabouts::Untranslated;
        };
        let term_feature = entry_feature(term.entry);
        // Candidates: (start, end) in the target.
        let cands: Vec<(usize, usize)> = if self.korean {
            korean_words(&t)
                .into_iter()
                .filter(|w| !covered[w.start..w.stem_end].iter().any(|&c| c))
                .map(|w| (w.start, w.stem_end))
                .collect()
        } else {
            let mut v = Vec::new();
            for (a, b) in han_runs(&t, &covered) {
                for n in 2..=6 {
                    for i in a..b.saturating_sub(n - 1) {
                        v.push((i, i + n));
                    }
                }
            }
            v
        };
        let text_of = |(a, b): (usize, usize)| t[a..b].iter().collect::<String>();
        // 2. The memory pairs the entry with a candidate.
        let best = cands
            .iter()
            .map(|&c| (stats.dice(term_feature, h(&match_key(&text_of(c)))), c))
            .filter(|(d, _)| *d >= TERM_DICE)
            .max_by(|(da, a), (db, b)| {
                da.total_cmp(db)
                    .then((in_region(b.0, b.1)).cmp(&in_region(a.0, a.1)).reverse())
                    .then((b.1 - b.0).cmp(&(a.1 - a.0)).reverse())
            });
        if let Some((_, (a, b))) = best {
            return rendered(&t, a, b, self.korean);
        }
        Whereabouts::Untranslated
    }
}

/// The end of the word (a run of letters of one script) that starts at `i`.
fn word_end(t: &[char], i: usize) -> usize {
    let sc = script_of(t[i]);
    let mut j = i;
    while j < t.len() && script_of(t[j]) == sc {
        j += 1;
    }
    j
}

/// A rendering at `[a, b)`, with the particle after it for Korean.
fn rendered(t: &[char], a: usize, b: usize, korean: bool) -> Whereabouts {
    let particle = if korean && b < t.len() && script_of(t[b]) == Script::Hangul {
        let e = word_end(t, b);
        (a + stem_len(&t[a..e]) == b)
            .then(|| crate::text::nfc(&t[b..e].iter().collect::<String>()).into_owned())
    } else {
        None
    };
    Whereabouts::Rendered {
        start: a,
        end: b,
        text: t[a..b].iter().collect(),
        particle,
    }
}

/// Digit runs and Latin words (two letters or more) of a text.
fn tokens(c: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let digit = c[i].is_ascii_digit() || ('０'..='９').contains(&c[i]);
        let latin = script_of(c[i]) == Script::Latin;
        if !digit && !latin {
            i += 1;
            continue;
        }
        let s = i;
        while i < c.len()
            && (if digit {
                c[i].is_ascii_digit() || ('０'..='９').contains(&c[i])
            } else {
                script_of(c[i]) == Script::Latin
            })
        {
            i += 1;
        }
        if digit || i - s >= 2 {
            out.push((s, i));
        }
    }
    out
}

/// The target region where the term's rendering is looked for: between the targets of
/// the nearest anchors before and after the term in the source, when they are in that
/// order in the target; else the whole target.
fn region(anchors: &[Anchor], term: &TermHit, len: usize) -> (usize, usize) {
    let left = anchors
        .iter()
        .filter(|a| a.src.1 <= term.start)
        .max_by_key(|a| a.src.1);
    let right = anchors
        .iter()
        .filter(|a| a.src.0 >= term.end)
        .min_by_key(|a| a.src.0);
    let lo = left.map(|a| a.tgt.1).unwrap_or(0);
    let hi = right.map(|a| a.tgt.0).unwrap_or(len);
    if lo < hi {
        (lo, hi)
    } else {
        (0, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;
    use crate::glossary::Glossary;
    use crate::lang::LangRange;
    use crate::lint::checks::Hit;
    use crate::lint::{Rule, Segment};
    use std::path::Path;
    use unicode_normalization::UnicodeNormalization;

    const GLOSSARY: &str = "id,en,ko,zh\n\
        dprk,DPRK|North Korea,북한,朝鲜\n\
        rok,Republic of Korea|ROK,대한민국|한국,韩国\n\
        sr,Special Representative,특별대표,特别代表\n";

    fn rules<'g>(g: &'g Glossary, to: &str) -> TermRules<'g> {
        TermRules::new(
            g,
            Some(&LangRange::parse("en").unwrap()),
            &LangRange::parse(to).unwrap(),
        )
    }

    fn glossary() -> Glossary {
        Glossary::from_csv_str(GLOSSARY, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    fn memory(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// The term-missing hit of one segment.
    fn missing(r: &TermRules<'_>, s: &str, t: &str, stats: Option<&AlignStats>) -> Hit {
        let seg = Segment::new(1, Some(s), Some(t));
        let (hits, _) = r.check_with(&seg, Some(s), t, (true, true, false), stats);
        let mut m: Vec<Hit> = hits
            .into_iter()
            .filter(|h| h.rule == Rule::TermMissing)
            .collect();
        assert_eq!(m.len(), 1, "{m:#?}");
        m.remove(0)
    }

    fn span_text(t: &str, h: &Hit) -> Option<String> {
        h.target_span
            .map(|(a, b)| t.chars().skip(a).take(b - a).collect())
    }

    const KO_MEMORY: &[(&str, &str)] = &[
        ("The Special Representative arrived.", "특사가 도착했다."),
        (
            "The Special Representative left Seoul.",
            "특사는 서울을 떠났다.",
        ),
        ("The delegation met the press.", "대표단은 기자들을 만났다."),
        (
            "The delegation met the minister.",
            "대표단은 장관을 만났다.",
        ),
    ];

    #[test]
    fn where_the_term_went_learned_from_the_memory_korean_with_particle() {
        let g = glossary();
        let r = rules(&g, "ko");
        let stats = AlignStats::learn(&r, memory(KO_MEMORY));
        assert_eq!(stats.units(), 4);
        assert!(!stats.truncated);
        let s = "The Special Representative met the DPRK delegation.";
        for t in [
            "특사는 북한 대표단을 만났다.".to_string(),
            "특사는 북한 대표단을 만났다.".nfd().collect::<String>(),
        ] {
            let h = missing(&r, s, &t, Some(&stats));
            // The span is the stem only, in characters of the text as given (NFD: jamo).
            assert_eq!(
                span_text(&t, &h)
                    .map(|x| x.nfc().collect::<String>())
                    .as_deref(),
                Some("특사")
            );
            let msg: String = h.message.nfc().collect();
            assert!(
                msg.starts_with("Special Representative is rendered as 특사 (particle 는) here; approved: 특별대표"),
                "{msg}"
            );
            assert_eq!(h.suggestion.as_deref(), Some("특별대표"));
        }
    }

    #[test]
    fn a_dropped_term_seems_untranslated() {
        let g = glossary();
        let r = rules(&g, "ko");
        let stats = AlignStats::learn(&r, memory(KO_MEMORY));
        let s = "The Special Representative met the DPRK delegation.";
        let t = "북한 대표단을 만났다.";
        let h = missing(&r, s, t, Some(&stats));
        assert_eq!(h.target_span, None);
        assert!(h.message.contains("seems untranslated"), "{}", h.message);
        // Without a memory, nothing aligns either.
        let h = missing(&r, s, t, None);
        assert!(h.message.contains("seems untranslated"), "{}", h.message);
    }

    #[test]
    fn a_generic_word_the_memory_does_not_pair_with_the_term_is_not_guessed() {
        // 관계자 ("official") in place of the term: nothing says it renders the term, so
        // no span is claimed (a guess would be wrong for every dropped term as well).
        let g = glossary();
        let r = rules(&g, "ko");
        let stats = AlignStats::learn(&r, memory(KO_MEMORY));
        let s = "The Special Representative met the delegation.";
        let t = "관계자는 대표단을 만났다.";
        let h = missing(&r, s, t, Some(&stats));
        assert_eq!(h.target_span, None, "{}", h.message);
        assert!(h.message.contains("seems untranslated"), "{}", h.message);
        // Once the memory pairs them, it is the rendering.
        let mut mem = memory(KO_MEMORY);
        mem.extend(memory(&[
            ("The Special Representative spoke.", "관계자가 말했다."),
            ("The Special Representative agreed.", "관계자가 동의했다."),
        ]));
        let stats = AlignStats::learn(&r, mem);
        let h = missing(&r, s, t, Some(&stats));
        assert_eq!(span_text(t, &h).as_deref(), Some("관계자"), "{}", h.message);
        assert!(h.message.contains("(particle 는)"), "{}", h.message);
    }

    #[test]
    fn another_entry_of_the_glossary_in_its_place() {
        // A country replaced by another: no memory needed.
        let g = glossary();
        let r = rules(&g, "ko");
        let s = "The ROK welcomed the statement.";
        let t = "북한은 성명을 환영했다.";
        let h = missing(&r, s, t, None);
        assert_eq!(span_text(t, &h).as_deref(), Some("북한"), "{}", h.message);
        assert!(
            h.message.contains("rendered as 북한 (particle 은)"),
            "{}",
            h.message
        );
        let r = rules(&g, "zh");
        let t = "朝鲜欢迎这一声明。";
        let h = missing(&r, s, t, None);
        assert_eq!(span_text(t, &h).as_deref(), Some("朝鲜"), "{}", h.message);
    }

    #[test]
    fn chinese_two_character_rendering_simplified_and_traditional() {
        let g = glossary();
        for (to, mem, t, want) in [
            (
                "zh",
                [
                    ("The Special Representative arrived.", "特使抵达。"),
                    ("The Special Representative left Seoul.", "特使离开首尔。"),
                    ("The delegation met the press.", "代表团会见记者。"),
                ],
                "特使会见了朝鲜代表团。",
                "特使",
            ),
            (
                "zh",
                [
                    ("The Special Representative arrived.", "特使抵達。"),
                    ("The Special Representative left Seoul.", "特使離開首爾。"),
                    ("The delegation met the press.", "代表團會見記者。"),
                ],
                "特使會見了朝鲜代表團。",
                "特使",
            ),
        ] {
            let r = rules(&g, to);
            let stats = AlignStats::learn(&r, memory(&mem));
            let s = "The Special Representative met the DPRK delegation.";
            let h = missing(&r, s, t, Some(&stats));
            assert_eq!(span_text(t, &h).as_deref(), Some(want), "{}", h.message);
            assert!(
                h.message.starts_with(&format!(
                    "Special Representative is rendered as {want} here; approved: 特别代表"
                )),
                "{}",
                h.message
            );
        }
    }

    /// The learning's time bound counts the thread's CPU time (Linux): waiting (for a
    /// core, as a low-priority server thread does, or here asleep) spends none of it,
    /// work does.
    #[cfg(target_os = "linux")]
    #[test]
    fn learning_time_bound_counts_cpu_not_waiting() {
        let spent = Spent::start();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            spent.get() < Duration::from_millis(100),
            "{:?}",
            spent.get()
        );
        let wall = Instant::now();
        let mut x = 0u64;
        while spent.get() < Duration::from_millis(30) && wall.elapsed() < Duration::from_secs(20) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        assert!(spent.get() >= Duration::from_millis(30), "work is counted");
    }

    #[test]
    fn learning_is_bounded_and_stems_strip_particles() {
        let g = glossary();
        let r = rules(&g, "ko");
        let many = (0..MAX_UNITS + 10).map(|i| (format!("unit {i}"), "가".to_string()));
        let st = AlignStats::learn(&r, many);
        assert!(st.truncated);
        assert!(st.units() as usize <= MAX_UNITS);
        let w: Vec<char> = "특사는".chars().collect();
        assert_eq!(stem_len(&w), 2);
        let w: Vec<char> = "특사는".nfd().collect();
        assert_eq!(stem_len(&w), 5);
        let w: Vec<char> = "조선과의".chars().collect();
        assert_eq!(stem_len(&w), 2, "particles one after the other");
        let w: Vec<char> = "국가".chars().collect();
        assert_eq!(stem_len(&w), 2, "two syllables stay");
    }
}
