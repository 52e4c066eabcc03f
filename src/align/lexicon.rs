//! A translation lexicon learned from aligned sentence pairs, for the lexical evidence of
//! the aligner's second pass (after Moore 2002, "Fast and accurate sentence alignment of
//! bilingual corpora", and hunalign): the confident 1-1 beads of a first pass (and any
//! other bitext the caller has, such as a memory's units) are counted, and a source token
//! and a target token are translations of one another when they co-occur in at least two
//! pairs and their Dice coefficient is high.
//!
//! Tokens: English words (lower-cased, stop words dropped, cut to their first six
//! letters, a crude stem); Korean words with their final particle stripped, as syllable
//! bigrams (or the word when it has two syllables); Chinese Han-character bigrams.
//! Latin-script names in Korean and Chinese text are anchors already
//! ([`super::anchors`]) and are left out.
//!
//! A bead's lexical evidence ([`LexScore`]) counts, on each side, the tokens that have a
//! translation in the lexicon and how many of them find one on the other side. The
//! lexicon measures on its own training pairs how often a token finds its translation in
//! a true pair and in a wrong one (the pair after next), and prices a hit and a miss as
//! the log-ratio of those rates, so that the weight of the evidence follows what the
//! lexicon knows.

use std::collections::HashMap;

use crate::text::{is_han, is_hangul};

/// Minimum pairs in which a source and a target token co-occur.
const MIN_COOCCUR: u32 = 2;
/// Minimum Dice coefficient of a kept token pair.
const MIN_DICE: f64 = 0.5;

const EN_STOP: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or",
    "but", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that",
    "these", "those", "he", "she", "they", "we", "you", "his", "her", "their", "our", "your",
    "him", "them", "us", "i", "me", "my", "has", "have", "had", "not", "no", "will", "would",
    "can", "could", "should", "may", "might", "do", "does", "did", "so", "if", "than", "then",
    "there", "here", "which", "who", "whom", "what", "when", "where", "also", "into", "about",
    "after", "before", "over", "more", "most", "said", "says", "say", "all", "one", "some", "any",
    "such", "other", "only", "just", "very", "up", "out", "new",
];

/// Korean particles stripped from the end of a word, longest first.
const KO_PARTICLES: &[&str] = &[
    "에서는",
    "에게서",
    "으로는",
    "이라고",
    "에서도",
    "으로서",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "께서",
    "처럼",
    "보다",
    "라고",
    "이나",
    "과의",
    "와의",
    "에는",
    "에도",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "로",
    "와",
    "과",
    "도",
    "만",
];

/// The lexicon's tokens of a text in a language family (`en`, `ko`, `zh`; others are read
/// as English), each once, in order of first appearance.
pub(crate) fn tokens(text: &str, family: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |t: String, out: &mut Vec<String>| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    match family {
        "zh" | "ja" => {
            let mut prev: Option<char> = None;
            for c in text.chars() {
                if is_han(c) {
                    if let Some(p) = prev {
                        push([p, c].iter().collect(), &mut out);
                    }
                    prev = Some(c);
                } else {
                    prev = None;
                }
            }
        }
        "ko" => {
            for word in text.split(|c: char| !is_hangul(c)) {
                let mut stem = word;
                for p in KO_PARTICLES {
                    if let Some(s) = stem.strip_suffix(p) {
                        if s.chars().count() >= 2 {
                            stem = s;
                            break;
                        }
                    }
                }
                let syl: Vec<char> = stem.chars().collect();
                if syl.len() < 2 {
                    continue;
                }
                for w in syl.windows(2) {
                    push(w.iter().collect(), &mut out);
                }
            }
        }
        _ => {
            for word in text.split(|c: char| !c.is_alphabetic()) {
                if word.len() < 3 || !word.is_ascii() {
                    continue;
                }
                let lower = word.to_ascii_lowercase();
                if EN_STOP.contains(&lower.as_str()) {
                    continue;
                }
                push(lower.chars().take(6).collect(), &mut out);
            }
        }
    }
    out
}

/// A translation lexicon between a source and a target language, and the price of its
/// evidence.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    src_ids: HashMap<String, u32>,
    tgt_ids: HashMap<String, u32>,
    /// Per source token id, its translations (target token ids, sorted).
    src_trans: Vec<Vec<u32>>,
    /// Per target token id, its translations (source token ids, sorted).
    tgt_trans: Vec<Vec<u32>>,
    /// What a token that finds its translation earns (a negative cost).
    pub(crate) hit: f64,
    /// What a token that does not find it costs.
    pub(crate) miss: f64,
}

/// One side of a sentence (or of a group of sentences) as the lexicon sees it: its tokens
/// that have translations (ids, sorted) and the other language's tokens that are
/// translations of its tokens (its image, sorted).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LexSide {
    pub toks: Vec<u32>,
    pub image: Vec<u32>,
}

impl LexSide {
    /// The union of two sides (consecutive sentences, or pieces of one).
    pub(crate) fn join(&mut self, other: &LexSide) {
        merge_sorted(&mut self.toks, &other.toks);
        merge_sorted(&mut self.image, &other.image);
    }
}

fn merge_sorted(a: &mut Vec<u32>, b: &[u32]) {
    if b.is_empty() {
        return;
    }
    a.extend_from_slice(b);
    a.sort_unstable();
    a.dedup();
}

/// How a bead's two sides agree lexically: tokens with a translation on each side, and
/// how many of them find it on the other side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LexScore {
    pub src_known: u32,
    pub src_hits: u32,
    pub tgt_known: u32,
    pub tgt_hits: u32,
}

impl LexScore {
    /// Known tokens that found no translation, on both sides.
    pub(crate) fn misses(&self) -> u32 {
        self.src_known - self.src_hits + self.tgt_known - self.tgt_hits
    }
    /// Known tokens that found one, on both sides.
    pub(crate) fn hits(&self) -> u32 {
        self.src_hits + self.tgt_hits
    }
}

/// Known tokens of the sentences `a` (each counted once) and how many of them are in the
/// image of the sentences `b`. No allocation: this runs for every bead the search tries.
fn side_hits(a: &[&LexSide], b: &[&LexSide]) -> (u32, u32) {
    let (mut known, mut hits) = (0, 0);
    for (k, x) in a.iter().enumerate() {
        for t in &x.toks {
            if a[..k].iter().any(|p| p.toks.binary_search(t).is_ok()) {
                continue;
            }
            known += 1;
            if b.iter().any(|y| y.image.binary_search(t).is_ok()) {
                hits += 1;
            }
        }
    }
    (known, hits)
}

/// The lexical agreement of a bead whose sides are the given sentences.
pub(crate) fn lex_score(src: &[&LexSide], tgt: &[&LexSide]) -> LexScore {
    let (src_known, src_hits) = side_hits(src, tgt);
    let (tgt_known, tgt_hits) = side_hits(tgt, src);
    LexScore {
        src_known,
        src_hits,
        tgt_known,
        tgt_hits,
    }
}

impl Lexicon {
    /// Learn a lexicon from sentence pairs (source text, target text) in the families
    /// `src` and `tgt`. Deterministic: the result does not depend on hash order. Empty
    /// (it knows no token) when the pairs are too few to say anything.
    pub fn learn<'a, I>(src: &str, tgt: &str, pairs: I) -> Lexicon
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut src_ids: HashMap<String, u32> = HashMap::new();
        let mut tgt_ids: HashMap<String, u32> = HashMap::new();
        let mut bags: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
        let intern = |map: &mut HashMap<String, u32>, t: String| -> u32 {
            let n = map.len() as u32;
            *map.entry(t).or_insert(n)
        };
        for (s, t) in pairs {
            let a: Vec<u32> = tokens(s, src)
                .into_iter()
                .map(|x| intern(&mut src_ids, x))
                .collect();
            let b: Vec<u32> = tokens(t, tgt)
                .into_iter()
                .map(|x| intern(&mut tgt_ids, x))
                .collect();
            bags.push((a, b));
        }
        let mut src_count = vec![0u32; src_ids.len()];
        let mut tgt_count = vec![0u32; tgt_ids.len()];
        for (a, b) in &bags {
            for &x in a {
                src_count[x as usize] += 1;
            }
            for &y in b {
                tgt_count[y as usize] += 1;
            }
        }
        // Co-occurrence of tokens seen at least twice on both sides (the others cannot
        // reach MIN_COOCCUR).
        let mut joint: HashMap<(u32, u32), u32> = HashMap::new();
        for (a, b) in &bags {
            for &x in a.iter().filter(|&&x| src_count[x as usize] >= MIN_COOCCUR) {
                for &y in b.iter().filter(|&&y| tgt_count[y as usize] >= MIN_COOCCUR) {
                    *joint.entry((x, y)).or_insert(0) += 1;
                }
            }
        }
        let mut src_trans = vec![Vec::new(); src_ids.len()];
        let mut tgt_trans = vec![Vec::new(); tgt_ids.len()];
        for (&(x, y), &c) in &joint {
            if c < MIN_COOCCUR {
                continue;
            }
            let dice = 2.0 * c as f64 / (src_count[x as usize] + tgt_count[y as usize]) as f64;
            if dice >= MIN_DICE {
                src_trans[x as usize].push(y);
                tgt_trans[y as usize].push(x);
            }
        }
        for v in src_trans.iter_mut().chain(tgt_trans.iter_mut()) {
            v.sort_unstable();
        }
        let mut lex = Lexicon {
            src_ids,
            tgt_ids,
            src_trans,
            tgt_trans,
            hit: 0.0,
            miss: 0.0,
        };
        lex.calibrate(&bags);
        lex
    }

    /// The number of source tokens that have a translation.
    pub fn len(&self) -> usize {
        self.src_trans.iter().filter(|v| !v.is_empty()).count()
    }

    /// True when the lexicon knows no translation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `src` (a source token: an English word cut to six letters, a Korean
    /// syllable bigram, a Chinese character bigram) and `tgt` are
    /// translations in this lexicon.
    pub fn translates(&self, src: &str, tgt: &str) -> bool {
        match (self.src_ids.get(src), self.tgt_ids.get(tgt)) {
            (Some(&x), Some(&y)) => self.src_trans[x as usize].binary_search(&y).is_ok(),
            _ => false,
        }
    }

    /// Price a hit and a miss from the rates at which a known token finds its
    /// translation in a training pair and in a wrong pair (each pair against the one two
    /// after it).
    fn calibrate(&mut self, bags: &[(Vec<u32>, Vec<u32>)]) {
        let side = |a: &[u32], b: &[u32], trans: &[Vec<u32>]| -> (u32, u32) {
            let mut known = 0;
            let mut hits = 0;
            for &x in a {
                let tr = &trans[x as usize];
                if tr.is_empty() {
                    continue;
                }
                known += 1;
                if b.iter().any(|y| tr.binary_search(y).is_ok()) {
                    hits += 1;
                }
            }
            (known, hits)
        };
        let (mut k1, mut h1, mut k0, mut h0) = (0u32, 0u32, 0u32, 0u32);
        for (i, (a, b)) in bags.iter().enumerate() {
            let (k, h) = side(a, b, &self.src_trans);
            let (k2, h2) = side(b, a, &self.tgt_trans);
            k1 += k + k2;
            h1 += h + h2;
            if let Some((_, wrong)) = bags.get(i + 2) {
                let (k, h) = side(a, wrong, &self.src_trans);
                k0 += k;
                h0 += h;
            }
        }
        if k1 < 20 || k0 < 20 {
            // Too little to say: no evidence either way.
            return;
        }
        // Smoothed rates; a true pair's rate is measured on the pairs the lexicon was
        // learned from, so it is shrunk toward the wrong pairs' rate.
        let p1 = (h1 as f64 + 1.0) / (k1 as f64 + 2.0);
        let p0 = (h0 as f64 + 1.0) / (k0 as f64 + 2.0);
        let p1 = p0 + 0.8 * (p1 - p0);
        if p1 <= p0 {
            return;
        }
        self.hit = (p1 / p0).ln();
        self.miss = ((1.0 - p0) / (1.0 - p1)).ln();
    }

    /// A sentence's side for the lexicon: `source` says it is in the source language.
    pub(crate) fn side(&self, text: &str, family: &str, source: bool) -> LexSide {
        let (ids, trans) = if source {
            (&self.src_ids, &self.src_trans)
        } else {
            (&self.tgt_ids, &self.tgt_trans)
        };
        let mut out = LexSide::default();
        for t in tokens(text, family) {
            if let Some(&x) = ids.get(&t) {
                let tr = &trans[x as usize];
                if !tr.is_empty() {
                    out.toks.push(x);
                    out.image.extend_from_slice(tr);
                }
            }
        }
        out.toks.sort_unstable();
        out.toks.dedup();
        out.image.sort_unstable();
        out.image.dedup();
        out
    }
}

/// The learned pairs as strings, sorted (for tests).
#[cfg(test)]
pub(crate) fn pairs_of(lex: &Lexicon) -> Vec<(String, String)> {
    let mut src: Vec<(&String, &u32)> = lex.src_ids.iter().collect();
    src.sort();
    let tgt_name: HashMap<u32, &String> = lex.tgt_ids.iter().map(|(k, v)| (*v, k)).collect();
    let mut out = Vec::new();
    for (s, &x) in src {
        for y in &lex.src_trans[x as usize] {
            out.push((s.clone(), tgt_name[y].clone()));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_per_language() {
        assert_eq!(
            tokens("The President's visit to Seoul, the president said.", "en"),
            vec!["presid", "visit", "seoul"]
        );
        // Particles stripped, then syllable bigrams.
        assert_eq!(
            tokens("대통령은 서울을 방문했다", "ko"),
            vec!["대통", "통령", "서울", "방문", "문했", "했다"]
        );
        assert_eq!(
            tokens("总统访问首尔。AB", "zh"),
            vec!["总统", "统访", "访问", "问首", "首尔"]
        );
    }

    /// A tiny bilingual text: the words that always come with their translation are
    /// learned, one-off co-occurrences are not.
    #[test]
    fn lexicon_learned_from_a_tiny_bilingual_text() {
        let pairs = [
            ("The minister visited Seoul.", "部长访问了首尔。"),
            ("The minister met the ambassador.", "部长会见了大使。"),
            ("Seoul welcomed the ambassador.", "首尔欢迎大使。"),
            ("Trade talks resumed in Seoul.", "贸易谈判在首尔恢复。"),
            ("The ambassador praised trade.", "大使赞扬了贸易。"),
            (
                "Talks ended without agreement.",
                "谈判在没有协议的情况下结束。",
            ),
        ];
        let lex = Lexicon::learn("en", "zh", pairs.iter().copied());
        let learned = pairs_of(&lex);
        for (en, zh) in [
            ("seoul", "首尔"),
            ("minist", "部长"),
            ("ambass", "大使"),
            ("trade", "贸易"),
            ("talks", "谈判"),
        ] {
            assert!(
                lex.translates(en, zh),
                "{en} = {zh} not learned: {learned:?}"
            );
        }
        // `visited` and `访问` co-occur once only.
        assert!(!lex.translates("visite", "访问"));
        // Seen together once only.
        assert!(!lex.translates("seoul", "部长"));
        // Deterministic: the same pairs give the same lexicon.
        assert_eq!(
            pairs_of(&Lexicon::learn("en", "zh", pairs.iter().copied())),
            learned
        );
        // A bead's evidence: hits on both sides.
        let s = lex.side("The ambassador visited Seoul.", "en", true);
        let t = lex.side("大使访问了首尔。", "zh", false);
        let w = lex.side("贸易谈判恢复。", "zh", false);
        assert_eq!(
            lex_score(&[&s], &[&t]),
            LexScore {
                src_known: 2,
                src_hits: 2,
                tgt_known: 2,
                tgt_hits: 2
            }
        );
        assert_eq!(lex_score(&[&s], &[&w]).hits(), 0);
        assert_eq!(lex_score(&[&s], &[&w]).misses(), 4);
    }

    #[test]
    fn too_few_pairs_give_no_evidence() {
        let lex = Lexicon::learn("en", "ko", [("Seoul.", "서울."), ("Seoul!", "서울!")]);
        assert!(lex.translates("seoul", "서울"));
        // Too few known tokens to measure the rates: hits and misses cost nothing, and
        // the aligner keeps its first pass.
        assert_eq!((lex.hit, lex.miss), (0.0, 0.0));
    }
}
