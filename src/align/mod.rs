//! Document alignment: three versions of one document (EN, KO, ZH) into aligned units,
//! each with a confidence.
//!
//! # Method
//!
//! Each version is read as paragraphs ([`crate::formats::document`]) and split into
//! sentences ([`crate::segment`]). English is the pivot: EN–KO and EN–ZH are aligned with
//! a dynamic programme over sentences (1-1, 1-0, 0-1, 2-1, 1-2, 2-2 and 1-3 beads, and
//! 1-1 cut at soft boundaries; banded
//! around the diagonal, the band doubled when the path nears its edge; one byte per band
//! cell, so memory grows linearly), then merged into groups over the English sentences; KO–ZH is
//! cross-checked on numbers, terms and names. Paragraphs come first where the counts let
//! them: when both versions have as many paragraphs, a bead that ends on a paragraph
//! boundary on both sides earns a large bonus, so the path keeps the paragraphs unless the
//! sentences clearly disagree ([`PairAlignment::by_paragraph`] says whether it kept them
//! all); with different counts the bonus is halved.
//!
//! The cost of a bead is the sum of
//!
//! * a **prior** per bead shape (1-1 cheapest, skips dearest);
//! * a **length model** per language pair, in characters without white space: the
//!   log-ratio of the target's length to the source's times the pair's ratio (fitted on
//!   NTREX and FLORES: 0.49 for EN→KO, 0.39 for EN→ZH, 0.80 for KO→ZH, then moved toward
//!   the document's own ratio) is Gaussian, with a spread that grows for short sentences;
//!   the cost is `−ln P(|X| ≥ |δ|)`;
//! * **anchors**, which only a termbase-aware tool has: glossary terms found on both sides
//!   ([`crate::glossary::Recognizer`]), numbers and dates compared as values
//!   ([`crate::lint::numbers`]: `2022년 2월 21일` = `2022年2月21日` = `21 February 2022`,
//!   `三十` = 30), Latin-script names and acronyms in Korean and Chinese text found in the
//!   English. Each shared anchor lowers the cost, each one-sided number or term raises
//!   it a little, and both are **capped per bead** so that one wrong number cannot derail a
//!   document;
//! * **article numbers as hard boundaries**: two article headings (`Article 3`, `제3조`,
//!   `第三条`) with different numbers can never be one bead.
//!
//! **Soft boundaries.** A headline or byline without final punctuation that runs into the
//! next sentence cannot be split by the segmenter, but its rules mark *soft boundaries*
//! where a sentence may end (the SRX rules with `concord:soft`: an English capitalised
//! word after a lower-case one, a Korean plain-form `…다` ending, a space between Han
//! characters). A side keeps the pieces between them ([`Side::soft_starts`]); the
//! aligner joins them back into sentences and adds one move, which cuts a sentence on
//! each side at one of its soft boundaries and aligns the halves 1-1: it is taken when
//! the two halves' beads (length model and anchors) cost less than the whole bead plus
//! a fixed reward, so one version's boundary is accepted only when the other version
//! has one that fits; two one-sided moves cut a sentence of one side against two
//! sentences of the other; and two cut-and-join moves cut the first sentence of each
//! side and make the second halves a 1-2 or 2-1 bead with the next sentence of one side
//! (a headline run into a sentence that the other version made two), for the same
//! reward as the split move. A Chinese sentence may also be cut at a candidate word boundary
//! ([`crate::segment::words`]: Chinese marks nothing where a headline runs into the next
//! sentence), priced [`WORD_CUT_PRICE`] and only against a pivot soft boundary that an
//! earlier pair (EN–KO) cut too. Pieces are joined again across every soft boundary that
//! no pair cut ([`Alignment::sentence_pieces`]).
//!
//! **Second pass: lexical evidence** (after Moore 2002 and hunalign), when the caller has
//! other sentence pairs in the languages ([`AlignOptions::bitexts`]). The first pass uses
//! the length model and anchors only; a [`Lexicon`] is then learned from its confident
//! beads (confidence ≥ 0.5, at most two sentences a side) and from the caller's
//! [`Bitext`]s (a memory's units, or the first pass over the other documents of a
//! collection): English word stems, Korean word stems (particles stripped) as syllable
//! bigrams, Chinese character bigrams, paired when they co-occur in two pairs or more
//! with a Dice coefficient of 0.5 or more. The second pass adds to every bead the
//! log-likelihood ratio of its tokens that find and do not find their translation on the
//! other side (the rates measured on the training pairs and on wrong pairs), weighted and
//! capped per bead. The second pass never loses a hard anchor: article headings that
//! the first pass aligned must stay in one bead. Deterministic (no hash order reaches
//! the result); the lexicon is linear in the training pairs.
//!
//! Each group's confidence (0–1) comes from the length fit and the anchors of its beads
//! (and the KO–ZH cross-check); the document's confidence is the length-weighted mean
//! over all sentences, sentences left unaligned counting as 0.

mod anchors;
mod dp;
mod lexicon;
pub mod metrics;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::{AlignCode, Diagnostic, Location};
use crate::error::ErrorKind;
use crate::formats::document::{read_document, DocumentFormat, Paragraph};
use crate::glossary::{Glossary, Recognizer};
use crate::lang::{LangRange, LangTag};
use crate::segment::{detect_language, Rules, Segmenter};
use crate::unit::{Prop, Unit, UnitMeta, Variant};
use crate::{Error, Result};

use anchors::{agree, features, Agreement, Features};
use dp::Kind;
pub use lexicon::Lexicon;
use lexicon::{lex_score, LexScore};

/// One version of a document, split into paragraphs of sentences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Its language.
    #[serde(serialize_with = "ser_tag")]
    pub lang: LangTag,
    /// The file it came from (for the units' origin), if any.
    pub file: Option<String>,
    /// Paragraphs, each a list of sentences.
    pub paragraphs: Vec<Vec<String>>,
    /// Per paragraph and sentence: true when the sentence starts at a soft boundary of
    /// the segmentation rules ([`crate::segment::Segmenter::pieces`]): it may be the rest
    /// of the sentence before it (a headline without punctuation run into the next
    /// sentence). The aligner keeps the two together unless the other version agrees
    /// that they are two sentences. Missing entries are false (no soft boundaries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub soft_starts: Vec<Vec<bool>>,
    /// Per paragraph and sentence: true when that soft boundary is a weak one
    /// ([`crate::segment::Piece::weak_start`]: a weaker cue, such as a Korean word ending
    /// in a noun), where the aligner cuts only with more evidence ([`WEAK_CUT_PRICE`]).
    /// Missing entries are false.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weak_starts: Vec<Vec<bool>>,
    /// Per paragraph and sentence: true when the piece starts at a candidate word
    /// boundary inside Chinese text ([`crate::segment::Piece::word_start`]; its soft
    /// start is true too), where the aligner cuts only when the other version has a
    /// boundary there and the halves fit ([`WORD_CUT_PRICE`]). Missing entries are false.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub word_starts: Vec<Vec<bool>>,
}

fn ser_tag<S: serde::Serializer>(t: &LangTag, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

impl Side {
    /// A side from paragraphs of text, split into sentences with `rules` (at their hard
    /// breaks and their soft boundaries, which [`Side::soft_starts`] marks).
    pub fn from_paragraphs(
        lang: LangTag,
        file: Option<String>,
        paragraphs: &[Paragraph],
        rules: &Rules,
    ) -> Side {
        let seg = Segmenter::new(rules, &lang);
        let mut side = Side {
            paragraphs: Vec::new(),
            soft_starts: Vec::new(),
            weak_starts: Vec::new(),
            word_starts: Vec::new(),
            lang,
            file,
        };
        for p in paragraphs {
            let pieces = seg.pieces(&p.text);
            if pieces.is_empty() {
                continue;
            }
            side.paragraphs.push(
                pieces
                    .iter()
                    .map(|x| p.text[x.range.clone()].to_string())
                    .collect(),
            );
            side.soft_starts
                .push(pieces.iter().map(|x| x.soft_start).collect());
            side.weak_starts
                .push(pieces.iter().map(|x| x.weak_start).collect());
            side.word_starts
                .push(pieces.iter().map(|x| x.word_start).collect());
        }
        side
    }

    /// Per sentence, in order: whether it starts at a soft boundary.
    pub fn soft_flags(&self) -> Vec<bool> {
        self.flags(&self.soft_starts)
    }

    /// Per sentence, in order: whether it starts at a weak soft boundary.
    pub fn weak_flags(&self) -> Vec<bool> {
        self.flags(&self.weak_starts)
    }

    /// Per sentence, in order: whether it starts at a candidate word boundary.
    pub fn word_flags(&self) -> Vec<bool> {
        self.flags(&self.word_starts)
    }

    fn flags(&self, of: &[Vec<bool>]) -> Vec<bool> {
        self.paragraphs
            .iter()
            .enumerate()
            .flat_map(|(p, sents)| {
                (0..sents.len())
                    .map(move |i| of.get(p).and_then(|f| f.get(i)).copied().unwrap_or(false))
            })
            .collect()
    }

    /// All sentences, in order.
    pub fn sentences(&self) -> Vec<&str> {
        self.paragraphs
            .iter()
            .flatten()
            .map(|s| s.as_str())
            .collect()
    }

    /// The number of sentences.
    pub fn len(&self) -> usize {
        self.paragraphs.iter().map(|p| p.len()).sum()
    }

    /// True when there is no sentence.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Options of an alignment.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlignOptions<'g> {
    /// Glossary whose terms are anchors.
    pub glossary: Option<&'g Glossary>,
    /// Do not align paragraphs first even when their counts allow it.
    pub ignore_paragraphs: bool,
    /// More sentence pairs for the lexicon of the second pass, besides the confident
    /// beads of the first (a memory's units, or the first pass over other documents of
    /// the same collection); those of other language pairs are ignored.
    pub bitexts: &'g [Bitext],
    /// Align in one pass, with the length model and anchors only (no lexicon).
    pub single_pass: bool,
}

/// Sentence pairs in two languages, for learning a lexicon ([`Lexicon::learn`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bitext {
    /// The source language family (`en`).
    pub src: String,
    /// The target language family (`ko`, `zh`).
    pub tgt: String,
    /// Source and target texts.
    pub pairs: Vec<(String, String)>,
}

/// A bead of a pairwise alignment: sentence indices of the pivot and of the other side
/// (indices into [`Side::sentences`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairBead {
    /// Pivot sentences.
    pub src: Vec<usize>,
    /// Other side's sentences.
    pub tgt: Vec<usize>,
    /// Confidence 0–1 (0 for a skip).
    pub confidence: f64,
}

/// The pairwise alignment of the pivot with one other side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAlignment {
    /// The other side's language.
    pub lang: String,
    /// Its beads, in order, covering both sides.
    pub beads: Vec<PairBead>,
    /// True when both sides have as many paragraphs and the alignment kept every
    /// paragraph boundary.
    pub by_paragraph: bool,
}

/// One aligned group: sentence indices per side (the pivot first), the texts and a
/// confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Sentence indices per side, in the order of [`Alignment::languages`]; empty where a
    /// side has no sentence in the group.
    pub sentences: Vec<Vec<usize>>,
    /// The text per side (sentences joined), empty where a side has none.
    pub texts: Vec<String>,
    /// Confidence 0–1.
    pub confidence: f64,
}

impl Group {
    /// The number of sides with text.
    pub fn language_count(&self) -> usize {
        self.texts.iter().filter(|t| !t.is_empty()).count()
    }
}

/// The answer of `concord align`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    /// The JSON schema id, `concord.align`.
    pub schema: &'static str,
    /// The schema version.
    pub version: u32,
    /// The languages, pivot first.
    pub languages: Vec<String>,
    /// The files, in the same order (empty when aligned from text).
    pub files: Vec<String>,
    /// Sentences per side.
    pub sentence_counts: Vec<usize>,
    /// The aligned groups, in document order.
    pub groups: Vec<Group>,
    /// The pairwise alignments with the pivot.
    pub pairs: Vec<PairAlignment>,
    /// The document's confidence 0–1.
    pub confidence: f64,
    /// Warnings ([`crate::diag`] diagnostics with [`AlignCode`]s).
    pub warnings: Vec<Diagnostic>,
    /// Per side, the pieces of the input side ([`Side::sentences`], cut at hard breaks and
    /// soft boundaries) that make each sentence of the alignment: pieces are joined again
    /// across every soft boundary that no pair split at.
    #[serde(skip)]
    pub sentence_pieces: Vec<Vec<Range<usize>>>,
}

/// The expected ratio of characters (white space not counted) of `tgt` to `src`,
/// fitted on NTREX-128 and FLORES-200 (EN→KO 0.504 and 0.464, EN→ZH 0.402 and 0.380).
pub fn length_ratio(src: &LangTag, tgt: &LangTag) -> f64 {
    let unit = |t: &LangTag| match t.family() {
        "ko" => 0.49,
        "zh" | "ja" => 0.39,
        _ => 1.0,
    };
    unit(tgt) / unit(src)
}

const LOG_RATIO_SD: f64 = 0.23;
const SHORT_SD: f64 = 1.2;
const ANCHOR_BONUS: f64 = 1.4;
const ANCHOR_BONUS_CAP: f64 = 5.0;
const ANCHOR_PENALTY: f64 = 0.45;
const ANCHOR_PENALTY_CAP: f64 = 1.8;
const PARAGRAPH_BONUS: f64 = 3.0;
/// The weight of the lexicon's log-likelihood ratio in a bead's cost (its tokens are not
/// independent evidence), and its cap either way per bead. 0.3 was chosen on NTREX with
/// paragraphs and with 10% deleted (0.6 lost 0.006 EN–ZH strict F1 on paragraphs); the
/// cap keeps a wrong lexicon from outweighing lengths and anchors.
const LEX_WEIGHT: f64 = 0.3;
const LEX_CAP: f64 = 6.0;

fn prior(shape: (usize, usize)) -> f64 {
    match shape {
        (1, 1) => 0.0,
        (1, 0) | (0, 1) => 4.5,
        (2, 1) | (1, 2) => 2.6,
        (2, 2) => 4.5,
        (1, 3) => 5.0,
        _ => 9.0,
    }
}

/// `−ln P(|Z| ≥ |z|)` for a standard normal Z: `−ln erfc(|z|/√2)`.
fn tail_cost(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    // erfc by Numerical Recipes' erfcc (fractional error < 1.2e-7), in log form so that
    // far tails do not underflow.
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    -(t.ln() + poly)
}

/// The pieces of one bead's cost, for the cost and the confidence.
#[derive(Debug, Clone, Copy)]
struct BeadScore {
    length: f64,
    agreement: Agreement,
    lex: LexScore,
}

struct PairModel<'a> {
    src: &'a [Features],
    tgt: &'a [Features],
    /// Per sentence, the places where it may be cut at a soft boundary.
    src_cuts: &'a [Vec<Cut>],
    tgt_cuts: &'a [Vec<Cut>],
    ratio: f64,
    latin_src_all: bool,
    /// The prices of lexical evidence in the second pass.
    lex_prices: Option<LexPrices>,
    /// Per source piece: whether a target sentence may be cut at a candidate word
    /// boundary against a source cut there (the third version cut the source there too);
    /// `None` (no third version): nowhere.
    src_confirmed: Option<&'a [bool]>,
}

/// What lexical evidence costs in a bead: per hit (a reward), per miss, and the cap
/// either way.
#[derive(Debug, Clone, Copy)]
struct LexPrices {
    hit: f64,
    miss: f64,
    cap: f64,
}

impl LexPrices {
    /// The prices of a lexicon's evidence, weighted ([`LEX_WEIGHT`], [`LEX_CAP`]).
    fn of(lexicon: &Lexicon) -> LexPrices {
        LexPrices {
            hit: LEX_WEIGHT * lexicon.hit,
            miss: LEX_WEIGHT * lexicon.miss,
            cap: LEX_CAP,
        }
    }
}

/// A place where a sentence may be cut in two (a soft boundary): the piece that starts
/// the second half, and the features of the two halves.
struct Cut {
    piece: usize,
    halves: [Features; 2],
    /// The price of cutting here: [`WORD_CUT_PRICE`] at a candidate word boundary,
    /// [`WEAK_CUT_PRICE`] at a weak soft boundary, else 0.
    price: f64,
    /// True at a candidate word boundary.
    word: bool,
}

/// What cutting at a weak soft boundary costs (`concord:soft="weak"`, a Korean word ending
/// in a noun): such cues are everywhere in ordinary sentences, so a cut there must be
/// paid for by a better fit of the halves' lengths and anchors than at a soft boundary.
pub const WEAK_CUT_PRICE: f64 = 2.0;

/// What cutting a Chinese sentence at a candidate word boundary costs
/// ([`crate::segment::words`]: no cue at all, and many candidates per sentence, so the
/// best of them fits by chance more often than a single soft boundary would).
pub const WORD_CUT_PRICE: f64 = 1.0;

/// What cutting a sentence on both sides at agreeing soft boundaries earns (see
/// [`PairModel::split`]): the two halves' beads must fit better than the whole one by
/// less than this.
const SPLIT_REWARD: f64 = 1.5;

/// What the cut-and-join move ([`Kind::CutJoin`]) earns: both sides are cut at agreeing
/// soft boundaries, as in the split move, and the second halves make a 1-2 or 2-1 bead.
const CUT_JOIN_REWARD: f64 = 1.5;

impl<'a> PairModel<'a> {
    fn score(&self, s: Range<usize>, t: Range<usize>) -> BeadScore {
        if s.is_empty() || t.is_empty() {
            return BeadScore {
                length: 0.0,
                agreement: Agreement::default(),
                lex: LexScore::default(),
            };
        }
        // At most three sentences a side: no allocation.
        let mut sf: [&Features; 3] = [&self.src[s.start]; 3];
        let mut tf: [&Features; 3] = [&self.tgt[t.start]; 3];
        for (k, f) in self.src[s.clone()].iter().enumerate() {
            sf[k] = f;
        }
        for (k, f) in self.tgt[t.clone()].iter().enumerate() {
            tf[k] = f;
        }
        self.score_of(&sf[..s.len()], &tf[..t.len()])
    }

    /// The score of a bead given its sentences' features (both sides non-empty).
    fn score_of(&self, sf: &[&Features], tf: &[&Features]) -> BeadScore {
        let ls: f64 = sf.iter().map(|f| f.len).sum();
        let lt: f64 = tf.iter().map(|f| f.len).sum();
        let expected = ls * self.ratio;
        let z = ((lt + 1.0) / (expected + 1.0)).ln();
        let scale = (ls + lt / self.ratio) / 2.0;
        let sd = (LOG_RATIO_SD * LOG_RATIO_SD + SHORT_SD / scale.max(1.0)).sqrt();
        let lex = if self.lex_prices.is_some() {
            let a: [&lexicon::LexSide; 3] = std::array::from_fn(|k| &sf[k.min(sf.len() - 1)].lex);
            let b: [&lexicon::LexSide; 3] = std::array::from_fn(|k| &tf[k.min(tf.len() - 1)].lex);
            lex_score(&a[..sf.len()], &b[..tf.len()])
        } else {
            LexScore::default()
        };
        BeadScore {
            length: tail_cost(z / sd),
            agreement: agree(sf, tf, self.latin_src_all),
            lex,
        }
    }

    fn cost(&self, s: Range<usize>, t: Range<usize>) -> f64 {
        let shape = (s.len(), t.len());
        self.cost_of(shape, self.score(s, t))
    }

    fn cost_of(&self, shape: (usize, usize), b: BeadScore) -> f64 {
        self.cost_with_cap(shape, b, true)
    }

    /// The cost of a bead, its lexical evidence capped or not (the cut of a split move is
    /// placed by uncapped evidence: a long half's capped evidence would not change when a
    /// word moves across the cut).
    fn cost_with_cap(&self, shape: (usize, usize), b: BeadScore, capped: bool) -> f64 {
        if b.agreement.article_clash {
            return f64::INFINITY;
        }
        let a = b.agreement;
        // The bonus is shared by the sentences of a bead, so that gluing a sentence
        // without anchors to one with anchors earns nothing.
        let size = shape.0.max(shape.1).max(1) as f64;
        let bonus = ((ANCHOR_BONUS * a.matched as f64 + if a.article_match { 3.0 } else { 0.0 })
            .min(ANCHOR_BONUS_CAP))
            / size;
        let penalty = (ANCHOR_PENALTY * a.unmatched as f64).min(ANCHOR_PENALTY_CAP);
        let lexical = match self.lex_prices {
            Some(p) => {
                let x = p.miss * b.lex.misses() as f64 - p.hit * b.lex.hits() as f64;
                if capped {
                    x.clamp(-p.cap, p.cap)
                } else {
                    x
                }
            }
            None => 0.0,
        };
        prior(shape) + b.length - bonus + penalty + lexical
    }

    /// The best way to cut a bead of one or two sentences a side into two beads. With
    /// [`Kind::Split`], into two 1-1 beads: a sentence with a soft boundary (or a
    /// candidate word boundary) is cut there, two sentences are cut between them; `s` and
    /// `t` are 1-1 (each sentence cut), 1-2 (the source sentence cut against two target
    /// sentences: a headline run into a sentence on one side only) or 2-1. With
    /// [`Kind::CutJoin`], `s` and `t` are 1-2 or 2-1 and the first sentence of each side
    /// is cut: the first halves are a 1-1 bead, the second halves with the second sentence
    /// of the side that has two a 1-2 (2-1) bead (a headline run into a sentence that the
    /// other version made two). The cost of the two beads less the reward of agreeing
    /// boundaries, and the cuts used (indices into the first sentences' cuts, `None` for
    /// the boundary between two sentences). `None` when there is nothing to cut.
    fn split(
        &self,
        s: Range<usize>,
        t: Range<usize>,
        kind: Kind,
    ) -> Option<(f64, Option<usize>, Option<usize>)> {
        // The halves of each side: (cut index, its two halves, its price, word cut, the
        // piece it starts).
        type Halves<'h> = (Option<usize>, [&'h Features; 2], f64, bool, usize);
        let join = kind == Kind::CutJoin;
        // (No allocation: this runs for every cell of the DP and every split move.)
        fn halves<'h>(
            feats: &'h [Features],
            cuts: &'h [Vec<Cut>],
            r: &Range<usize>,
            join: bool,
        ) -> impl Iterator<Item = Halves<'h>> + Clone {
            let between = r.len() == 2 && !join;
            let start = r.start;
            std::iter::once(())
                .filter(move |_| between)
                .map(move |_| {
                    (
                        None,
                        [&feats[start], &feats[start + 1]],
                        0.0,
                        false,
                        usize::MAX,
                    )
                })
                .chain(
                    cuts[start]
                        .iter()
                        .enumerate()
                        .filter(move |_| !between)
                        .map(|(a, x)| {
                            (
                                Some(a),
                                [&x.halves[0], &x.halves[1]],
                                x.price,
                                x.word,
                                x.piece,
                            )
                        }),
                )
        }
        let (sh, th) = (
            halves(self.src, self.src_cuts, &s, join),
            halves(self.tgt, self.tgt_cuts, &t, join),
        );
        // The second sentence that joins the second half ([`Kind::CutJoin`]).
        let (s_extra, t_extra) = if join {
            (
                (s.len() == 2).then(|| &self.src[s.start + 1]),
                (t.len() == 2).then(|| &self.tgt[t.start + 1]),
            )
        } else {
            (None, None)
        };
        // Two cuts that agree earn the reward; a cut against a boundary between two
        // sentences of the other side earns nothing (an omission on the other side also
        // leaves one sentence against two: on NTREX with 10% deleted a reward of 1.5 lost
        // 0.011 EN–KO strict F1 against none, and a price of 1 gained as much as it lost).
        let reward = if join {
            CUT_JOIN_REWARD
        } else if s.len() == 1 && t.len() == 1 {
            SPLIT_REWARD
        } else {
            0.0
        };
        let second_shape = (
            1 + s_extra.is_some() as usize,
            1 + t_extra.is_some() as usize,
        );
        let mut best: Option<(f64, f64, Option<usize>, Option<usize>)> = None;
        for (a, x, xp, _, piece) in sh {
            // A word cut needs a soft boundary of the source that the third version's pair
            // cut too; not a boundary between two source sentences (with a sentence
            // omitted on this side, the best of dozens of word cuts fits the two source
            // sentences by chance: on NTREX with 10% deleted that lost 0.012 EN–ZH lax F1).
            let confirmed = a.is_some() && self.src_confirmed.is_some_and(|c| c[piece]);
            for (b, y, yp, word, _) in th.clone() {
                if word && !confirmed {
                    continue;
                }
                let first = self.score_of(&[x[0]], &[y[0]]);
                let second = match (s_extra, t_extra) {
                    (Some(e), _) => self.score_of(&[x[1], e], &[y[1]]),
                    (_, Some(e)) => self.score_of(&[x[1]], &[y[1], e]),
                    _ => self.score_of(&[x[1]], &[y[1]]),
                };
                let shapes = [(1, 1), second_shape];
                let scores = [first, second];
                let c = (0..2)
                    .map(|h| self.cost_of(shapes[h], scores[h]))
                    .sum::<f64>()
                    - reward
                    + xp
                    + yp;
                // Which cut is best is decided by the uncapped evidence; the move costs
                // what the capped evidence says, as every other bead.
                let rank = (0..2)
                    .map(|h| self.cost_with_cap(shapes[h], scores[h], false))
                    .sum::<f64>()
                    + xp
                    + yp;
                if best.map_or(true, |(br, _, _, _)| rank < br) {
                    best = Some((rank, c, a, b));
                }
            }
        }
        best.map(|(_, c, a, b)| (c, a, b))
    }

    fn confidence(&self, s: Range<usize>, t: Range<usize>) -> f64 {
        let shape = (s.len(), t.len());
        if shape.0 == 0 || shape.1 == 0 {
            return 0.0;
        }
        self.confidence_of(shape, self.score(s, t))
    }

    fn confidence_of(&self, shape: (usize, usize), b: BeadScore) -> f64 {
        let a = b.agreement;
        let size = shape.0.max(shape.1) as f64;
        let x = 2.6 - 0.9 * b.length + 0.9 * (a.matched.min(3) as f64) / size
            - 1.0 * (a.unmatched.min(3) as f64)
            - match shape {
                (1, 1) => 0.0,
                (2, 1) | (1, 2) => 0.6,
                _ => 1.2,
            };
        1.0 / (1.0 + (-x).exp())
    }
}

/// A side's sentences as the aligner sees them: the pieces between soft boundaries are
/// joined back into sentences (piece ranges), with their features and their cuts.
struct Sentences {
    pieces: Vec<Range<usize>>,
    features: Vec<Features>,
    cuts: Vec<Vec<Cut>>,
}

/// Join features of consecutive pieces into the features of their text.
fn joined(parts: &[Features]) -> Features {
    let mut f = parts[0].clone();
    for p in &parts[1..] {
        f.len += p.len;
        f.numbers.extend(p.numbers.iter().cloned());
        f.terms.extend(p.terms.iter().copied());
        f.latin.extend(p.latin.iter().cloned());
        f.lex.join(&p.lex);
    }
    f
}

/// The features of the pieces `r` of a side joined: from their text (`feat`) when a
/// candidate word boundary is inside (a Chinese word, number, term or character bigram
/// may span it), else from the pieces' features.
fn range_features(
    r: Range<usize>,
    pieces: &[Features],
    word: &[bool],
    texts: &[&str],
    feat: &dyn Fn(&str) -> Features,
) -> Features {
    if r.len() == 1 {
        pieces[r.start].clone()
    } else if word[r.start + 1..r.end].iter().any(|&w| w) {
        feat(&texts[r].concat())
    } else {
        joined(&pieces[r])
    }
}

fn sentences_of(side: &Side, pieces: &[Features], feat: &dyn Fn(&str) -> Features) -> Sentences {
    let soft = side.soft_flags();
    let weak = side.weak_flags();
    let word = side.word_flags();
    let texts = side.sentences();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (k, s) in soft.iter().enumerate() {
        match ranges.last_mut() {
            Some(r) if *s => r.end = k + 1,
            _ => ranges.push(k..k + 1),
        }
    }
    let of = |r: Range<usize>| range_features(r, pieces, &word, &texts, feat);
    let features = ranges.iter().map(|r| of(r.clone())).collect();
    let cuts = ranges
        .iter()
        .map(|r| {
            (r.start + 1..r.end)
                .map(|k| Cut {
                    piece: k,
                    halves: [of(r.start..k), of(k..r.end)],
                    word: word[k],
                    price: if word[k] {
                        WORD_CUT_PRICE
                    } else if weak[k] {
                        WEAK_CUT_PRICE
                    } else {
                        0.0
                    },
                })
                .collect()
        })
        .collect();
    Sentences {
        pieces: ranges,
        features,
        cuts,
    }
}

/// Where a warning about a side points: its file, or `<text>`.
fn side_location(side: &Side) -> Location {
    Location::file(side.file.as_deref().unwrap_or("<text>"))
}

fn sentence_features(side: &Side, recognizer: Option<&Recognizer>) -> Vec<Features> {
    let family = side.lang.family().to_string();
    side.paragraphs
        .iter()
        .flatten()
        .map(|s| features(s, &family, recognizer))
        .collect()
}

/// Paragraph start indices (in sentences), with the total at the end.
fn paragraph_starts(side: &Side) -> Vec<usize> {
    let mut v = vec![0];
    for p in &side.paragraphs {
        v.push(v.last().unwrap() + p.len());
    }
    v
}

/// The first band width: the path is searched around the scaled diagonal, and the band
/// doubles when the path comes near its edge.
fn band_width(n: usize, m: usize) -> usize {
    16 + n.abs_diff(m) / 8
}

/// The features of one side's pieces, and how to compute those of a text of that side.
type SideFeatures<'f> = (&'f [Features], &'f dyn Fn(&str) -> Features);

/// Align the pivot with another side.
fn align_pair(
    pivot: &Side,
    other: &Side,
    [(pf, pfeat), (of, ofeat)]: [SideFeatures<'_>; 2],
    src_confirmed: Option<&[bool]>,
    ignore_paragraphs: bool,
    lex_prices: Option<LexPrices>,
    hard: &[(usize, usize)],
) -> (PairAlignment, Vec<(usize, usize)>) {
    let doc_ratio = {
        let ls: f64 = pf.iter().map(|f| f.len).sum();
        let lt: f64 = of.iter().map(|f| f.len).sum();
        lt / ls.max(1.0)
    };
    let prior_ratio = length_ratio(&pivot.lang, &other.lang);
    // Move toward the document's own ratio, unless it is far off (a summary, a wrong file).
    let ratio = if doc_ratio > prior_ratio / 1.6 && doc_ratio < prior_ratio * 1.6 {
        (0.4 * prior_ratio.ln() + 0.6 * doc_ratio.ln()).exp()
    } else {
        prior_ratio
    };
    // The aligner works on sentences: pieces between soft boundaries are joined back,
    // and the split move may cut a sentence on each side at a soft boundary.
    let (ss, os_) = (
        sentences_of(pivot, pf, pfeat),
        sentences_of(other, of, ofeat),
    );
    let model = PairModel {
        src: &ss.features,
        tgt: &os_.features,
        src_cuts: &ss.cuts,
        tgt_cuts: &os_.cuts,
        ratio,
        latin_src_all: pivot.lang.family() == "en",
        lex_prices,
        src_confirmed,
    };
    // Paragraph starts, in sentences (a paragraph never starts at a soft boundary).
    let starts = |side: &Side, sents: &Sentences| -> Vec<usize> {
        let pieces = paragraph_starts(side);
        let mut v: Vec<usize> = sents
            .pieces
            .iter()
            .enumerate()
            .filter(|(_, r)| pieces.contains(&r.start))
            .map(|(h, _)| h)
            .collect();
        v.push(sents.pieces.len());
        v
    };
    let ps = starts(pivot, &ss);
    let os = starts(other, &os_);
    // Paragraphs first where the counts let us: with as many paragraphs on both sides,
    // a bead that ends on a paragraph boundary on both sides earns a large bonus, so the
    // path follows the paragraphs unless the sentences clearly say otherwise; with other
    // counts, a smaller bonus.
    let same_count = !ignore_paragraphs && ps.len() == os.len() && ps.len() > 2;
    let bonus = if ignore_paragraphs {
        0.0
    } else if same_count {
        PARAGRAPH_BONUS
    } else {
        PARAGRAPH_BONUS / 2.0
    };
    let (n, m) = (ss.pieces.len(), os_.pieces.len());
    let pstart: Vec<bool> = (0..=n).map(|i| ps.contains(&i)).collect();
    let ostart: Vec<bool> = (0..=m).map(|j| os.contains(&j)).collect();
    // Hard anchors (article headings aligned in the first pass) stay aligned: a bead
    // that takes one of them without the other is forbidden.
    let mut src_hard = vec![None; n];
    let mut tgt_hard = vec![None; m];
    for &(a, b) in hard {
        src_hard[a] = Some(b);
        tgt_hard[b] = Some(a);
    }
    let path = dp::align(n, m, band_width(n, m), |s, t, kind| {
        if s.clone()
            .any(|i| src_hard[i].is_some_and(|b| !t.contains(&b)))
            || t.clone()
                .any(|j| tgt_hard[j].is_some_and(|a| !s.contains(&a)))
        {
            return f64::INFINITY;
        }
        let c = if kind != Kind::Plain {
            match model.split(s.clone(), t.clone(), kind) {
                Some((c, _, _)) => c,
                None => return f64::INFINITY,
            }
        } else {
            model.cost(s.clone(), t.clone())
        };
        if pstart[s.end] && ostart[t.end] && s.end < n && t.end < m {
            c - bonus
        } else {
            c
        }
    });
    // The hard anchors of this path: beads that match two article headings.
    let anchors: Vec<(usize, usize)> = path
        .iter()
        .filter(|st| !st.src.is_empty() && !st.tgt.is_empty())
        .filter(|st| {
            model
                .score(st.src.clone(), st.tgt.clone())
                .agreement
                .article_match
        })
        .filter_map(|st| {
            let a = st.src.clone().find(|&i| model.src[i].article.is_some())?;
            let b = st.tgt.clone().find(|&j| model.tgt[j].article.is_some())?;
            Some((a, b))
        })
        .collect();
    // Did the path keep every paragraph boundary?
    let ends: Vec<(usize, usize)> = path.iter().map(|st| (st.src.end, st.tgt.end)).collect();
    let by_paragraph = same_count
        && ps
            .iter()
            .zip(&os)
            .all(|(a, b)| *a == 0 || ends.contains(&(*a, *b)));
    // Back to pieces: a bead takes every piece of its sentences; a split step is two
    // beads, the sentences cut where the split move found the best fit.
    let pieces = |sents: &Sentences, r: &Range<usize>| -> Vec<usize> {
        r.clone().flat_map(|h| sents.pieces[h].clone()).collect()
    };
    let mut beads = Vec::new();
    for st in path {
        if st.kind != Kind::Plain {
            let (_, a, b) = model
                .split(st.src.clone(), st.tgt.clone(), st.kind)
                .expect("a split step has cuts");
            // Each side's two halves: pieces and features (the second half of a cut-and-
            // join move takes the side's second sentence too).
            fn halves<'s>(
                sents: &'s Sentences,
                r: &Range<usize>,
                cut: Option<usize>,
            ) -> [(Range<usize>, Vec<&'s Features>); 2] {
                match cut {
                    Some(c) => {
                        let x = &sents.cuts[r.start][c];
                        let pr = sents.pieces[r.start].clone();
                        let mut second = (x.piece..pr.end, vec![&x.halves[1]]);
                        if r.len() == 2 {
                            second.0.end = sents.pieces[r.start + 1].end;
                            second.1.push(&sents.features[r.start + 1]);
                        }
                        [(pr.start..x.piece, vec![&x.halves[0]]), second]
                    }
                    None => [
                        (
                            sents.pieces[r.start].clone(),
                            vec![&sents.features[r.start]],
                        ),
                        (
                            sents.pieces[r.start + 1].clone(),
                            vec![&sents.features[r.start + 1]],
                        ),
                    ],
                }
            }
            let (sh, th) = (halves(&ss, &st.src, a), halves(&os_, &st.tgt, b));
            for h in 0..2 {
                let (sp, tp) = (sh[h].0.clone(), th[h].0.clone());
                let score = model.score_of(&sh[h].1, &th[h].1);
                let shape = (sh[h].1.len(), th[h].1.len());
                beads.push(PairBead {
                    confidence: model.confidence_of(shape, score),
                    src: sp.collect(),
                    tgt: tp.collect(),
                });
            }
        } else {
            beads.push(PairBead {
                confidence: model.confidence(st.src.clone(), st.tgt.clone()),
                src: pieces(&ss, &st.src),
                tgt: pieces(&os_, &st.tgt),
            });
        }
    }
    (
        PairAlignment {
            lang: other.lang.to_string(),
            beads,
            by_paragraph,
        },
        anchors,
    )
}

/// The texts of the beads of a first pass that a lexicon learns from: those with
/// sentences on both sides, at most two on each, and a confidence of at least 0.5.
fn training_pairs(pivot: &Side, other: &Side, pass: &PairAlignment) -> Vec<(String, String)> {
    let (ps, os) = (pivot.sentences(), other.sentences());
    let text = |sents: &[&str], ids: &[usize]| -> String {
        ids.iter().map(|&i| sents[i]).collect::<Vec<_>>().join(" ")
    };
    pass.beads
        .iter()
        .filter(|b| !b.src.is_empty() && !b.tgt.is_empty() && b.confidence >= 0.5)
        .filter(|b| b.src.len() <= 2 && b.tgt.len() <= 2)
        .map(|b| (text(&ps, &b.src), text(&os, &b.tgt)))
        .collect()
}

/// Align a pivot (English) with one or two other versions. The library call behind
/// `concord align` once the files are read: see the module documentation for the method.
pub fn align_sides(pivot: &Side, others: &[Side], opts: AlignOptions<'_>) -> Result<Alignment> {
    if others.is_empty() || others.len() > 2 {
        return Err(Error::bad_request(
            "alignment needs a pivot and one or two other versions",
        ));
    }
    let mut warnings = Vec::new();
    let recognizer = |lang: &LangTag| {
        opts.glossary.and_then(|g| {
            let range = LangRange::parse(lang.family()).ok()?;
            g.has_language(&range)
                .then(|| Recognizer::new(g, &range, false))
        })
    };
    let recognizers: Vec<Option<Recognizer>> = std::iter::once(pivot)
        .chain(others)
        .map(|s| recognizer(&s.lang))
        .collect();
    // The features of a text of side `k` (pieces joined across a word boundary).
    let text_features = |k: usize, text: &str| -> Features {
        let side = if k == 0 { pivot } else { &others[k - 1] };
        features(text, side.lang.family(), recognizers[k].as_ref())
    };
    let pf = sentence_features(pivot, recognizers[0].as_ref());
    let ofs: Vec<Vec<Features>> = others
        .iter()
        .enumerate()
        .map(|(k, o)| sentence_features(o, recognizers[k + 1].as_ref()))
        .collect();
    for (o, of) in others.iter().zip(&ofs) {
        let ls: f64 = pf.iter().map(|f| f.len).sum();
        let lt: f64 = of.iter().map(|f| f.len).sum();
        let expected = ls * length_ratio(&pivot.lang, &o.lang);
        let r = lt / expected.max(1.0);
        if !(0.5..=2.0).contains(&r) {
            warnings.push(Diagnostic::new(
                AlignCode::LengthMismatch,
                format!(
                    "the {} version is {:.0}% of the length expected from the {} version ({} against {} sentences): one of them may be a summary or another document",
                    o.lang,
                    r * 100.0,
                    pivot.lang,
                    o.len(),
                    pivot.len()
                ),
                side_location(o),
            ));
        }
    }
    let mut pairs: Vec<PairAlignment> = Vec::new();
    // Where a version is cut at a candidate word boundary (Chinese), the pivot's cut must
    // be one that another version's pair made too (a Korean headline's end), when there
    // is one: a Chinese sentence has dozens of candidates, and the best of them fits a
    // wrong pivot cut (a capitalised name) by chance too often.
    let mut confirmed: Option<Vec<bool>> = None;
    for (k, (o, of)) in others.iter().zip(&ofs).enumerate() {
        if k > 0 {
            let mut c = vec![false; pivot.len()];
            for b in pairs.iter().flat_map(|p| &p.beads) {
                if let Some(&first) = b.src.first() {
                    c[first] = true;
                }
            }
            confirmed = Some(c);
        }
        let (first, hard) = align_pair(
            pivot,
            o,
            [
                (&pf, &|t| text_features(0, t)),
                (of, &|t| text_features(k + 1, t)),
            ],
            confirmed.as_deref(),
            opts.ignore_paragraphs,
            None,
            &[],
        );
        // A single document is too small to teach a lexicon (on NTREX its own second pass
        // changed strict F1 by ±0.002): the second pass runs only when the caller has other
        // sentence pairs in these languages (a memory, a collection).
        let (sf, tf) = (pivot.lang.family(), o.lang.family());
        let more = opts
            .bitexts
            .iter()
            .any(|b| b.src == sf && b.tgt == tf && !b.pairs.is_empty());
        if opts.single_pass || !more {
            pairs.push(first);
            continue;
        }
        // Second pass (Moore 2002): a lexicon learned from the first pass's confident
        // beads and the caller's bitexts adds lexical evidence to every bead.
        let own = training_pairs(pivot, o, &first);
        let lexicon = Lexicon::learn(
            sf,
            tf,
            own.iter().map(|(a, b)| (a.as_str(), b.as_str())).chain(
                opts.bitexts
                    .iter()
                    .filter(|b| b.src == sf && b.tgt == tf)
                    .flat_map(|b| b.pairs.iter().map(|(x, y)| (x.as_str(), y.as_str()))),
            ),
        );
        if lexicon.is_empty() || lexicon.hit <= 0.0 {
            pairs.push(first);
            continue;
        }
        let annotate = |side: &Side, feats: &[Features], source: bool| -> Vec<Features> {
            let fam = side.lang.family();
            side.sentences()
                .iter()
                .zip(feats)
                .map(|(text, f)| {
                    let mut f = f.clone();
                    f.lex = lexicon.side(text, fam, source);
                    f
                })
                .collect()
        };
        let (pl, ol) = (annotate(pivot, &pf, true), annotate(o, of, false));
        let lex_features = |k: usize, text: &str| -> Features {
            let mut f = text_features(k, text);
            let side = if k == 0 { pivot } else { o };
            f.lex = lexicon.side(text, side.lang.family(), k == 0);
            f
        };
        let (second, _) = align_pair(
            pivot,
            o,
            [
                (&pl, &|t| lex_features(0, t)),
                (&ol, &|t| lex_features(k + 1, t)),
            ],
            confirmed.as_deref(),
            opts.ignore_paragraphs,
            Some(LexPrices::of(&lexicon)),
            &hard,
        );
        pairs.push(second);
    }
    // From pieces to sentences: pieces are joined again across every soft boundary that
    // no pair split at.
    let sides: Vec<&Side> = std::iter::once(pivot).chain(others).collect();
    let piece_feats: Vec<&Vec<Features>> = std::iter::once(&pf).chain(ofs.iter()).collect();
    let mut finals = Vec::new();
    let mut sentence_pieces = Vec::new();
    let mut feats_final: Vec<Vec<Features>> = Vec::new();
    for (k, side) in sides.iter().enumerate() {
        let soft = side.soft_flags();
        let mut split = vec![false; soft.len()];
        for (pi, p) in pairs.iter().enumerate() {
            for b in &p.beads {
                let ids = if k == 0 {
                    &b.src
                } else if pi + 1 == k {
                    &b.tgt
                } else {
                    continue;
                };
                if let Some(&first) = ids.first() {
                    split[first] = true;
                }
            }
        }
        let (side_final, ranges) = join_pieces(side, &soft, &split);
        let (word, texts) = (side.word_flags(), side.sentences());
        feats_final.push(
            ranges
                .iter()
                .map(|r| {
                    range_features(r.clone(), piece_feats[k], &word, &texts, &|t| {
                        text_features(k, t)
                    })
                })
                .collect(),
        );
        let mut sentence_of = vec![0; soft.len()];
        for (i, r) in ranges.iter().enumerate() {
            for p in r.clone() {
                sentence_of[p] = i;
            }
        }
        for (pi, p) in pairs.iter_mut().enumerate() {
            for b in &mut p.beads {
                let ids = if k == 0 {
                    &mut b.src
                } else if pi + 1 == k {
                    &mut b.tgt
                } else {
                    continue;
                };
                for x in ids.iter_mut() {
                    *x = sentence_of[*x];
                }
                ids.dedup();
            }
        }
        finals.push(side_final);
        sentence_pieces.push(ranges);
    }
    let (pivot, others) = finals.split_first().expect("two or three sides");
    let (pf, ofs) = feats_final.split_first().expect("two or three sides");
    let groups = merge(pivot, others, &pairs, ofs);
    // Document confidence: length-weighted over all sentences of all sides (lengths in
    // pivot characters).
    let side_ratio = |k: usize| {
        if k == 0 {
            1.0
        } else {
            length_ratio(&pivot.lang, &others[k - 1].lang)
        }
    };
    let mut weight = 0.0;
    let mut sum = 0.0;
    let feats: Vec<&Vec<Features>> = std::iter::once(pf).chain(ofs.iter()).collect();
    let mut covered: Vec<Vec<bool>> = feats.iter().map(|f| vec![false; f.len()]).collect();
    for g in &groups {
        for (k, ids) in g.sentences.iter().enumerate() {
            for &i in ids {
                covered[k][i] = true;
                let w = feats[k][i].len / side_ratio(k);
                weight += w;
                sum += w * g.confidence;
            }
        }
    }
    let mut unaligned = 0;
    for (k, c) in covered.iter().enumerate() {
        for (i, done) in c.iter().enumerate() {
            if !done {
                unaligned += 1;
                let w = feats[k][i].len / side_ratio(k);
                weight += w;
            }
        }
    }
    let confidence = if weight > 0.0 { sum / weight } else { 0.0 };
    let total: usize = feats.iter().map(|f| f.len()).sum();
    if unaligned * 5 > total {
        warnings.push(Diagnostic::new(
            AlignCode::ManyUnaligned,
            format!("{unaligned} of {total} sentences found no counterpart"),
            side_location(pivot),
        ));
    }
    let mut files = Vec::new();
    if pivot.file.is_some() {
        files.push(pivot.file.clone().unwrap_or_default());
        files.extend(others.iter().map(|o| o.file.clone().unwrap_or_default()));
    }
    Ok(Alignment {
        schema: "concord.align",
        version: 1,
        languages: std::iter::once(pivot)
            .chain(others)
            .map(|s| s.lang.to_string())
            .collect(),
        files,
        sentence_counts: std::iter::once(pivot)
            .chain(others)
            .map(|s| s.len())
            .collect(),
        groups,
        pairs,
        confidence,
        warnings,
        sentence_pieces,
    })
}

/// A side whose pieces are joined into sentences across the soft boundaries not in
/// `split`, and the piece range of each sentence.
fn join_pieces(side: &Side, soft: &[bool], split: &[bool]) -> (Side, Vec<Range<usize>>) {
    let sep = if side.lang.family() == "zh" || side.lang.family() == "ja" {
        ""
    } else {
        " "
    };
    let mut out = Side {
        lang: side.lang.clone(),
        file: side.file.clone(),
        paragraphs: Vec::new(),
        soft_starts: Vec::new(),
        weak_starts: Vec::new(),
        word_starts: Vec::new(),
    };
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut k = 0;
    for para in &side.paragraphs {
        let mut sents: Vec<String> = Vec::new();
        for piece in para {
            if soft[k] && !split[k] && !sents.is_empty() {
                let last = sents.last_mut().expect("not empty");
                last.push_str(sep);
                last.push_str(piece);
                ranges.last_mut().expect("a sentence").end = k + 1;
            } else {
                sents.push(piece.clone());
                ranges.push(k..k + 1);
            }
            k += 1;
        }
        out.paragraphs.push(sents);
    }
    (out, ranges)
}

impl Alignment {
    /// The groups of at least `min_confidence` as bitexts, one per other language (the
    /// pivot's text with that language's): sentence pairs for the lexicon of other
    /// alignments ([`AlignOptions::bitexts`]), as Moore's method learns from the first
    /// pass over a whole collection.
    pub fn bitexts(&self, min_confidence: f64) -> Vec<Bitext> {
        let family = |l: &str| {
            LangTag::parse(l)
                .map(|t| t.family().to_string())
                .unwrap_or_default()
        };
        (1..self.languages.len())
            .map(|k| Bitext {
                src: family(&self.languages[0]),
                tgt: family(&self.languages[k]),
                pairs: self
                    .groups
                    .iter()
                    .filter(|g| g.confidence >= min_confidence)
                    .filter(|g| !g.texts[0].is_empty() && !g.texts[k].is_empty())
                    .map(|g| (g.texts[0].clone(), g.texts[k].clone()))
                    .collect(),
            })
            .collect()
    }
}

/// Merge the pairwise alignments into groups over the pivot's sentences.
fn merge(
    pivot: &Side,
    others: &[Side],
    pairs: &[PairAlignment],
    ofs: &[Vec<Features>],
) -> Vec<Group> {
    let n = pivot.len();
    // Pivot sentences are joined when a bead of any pair holds both.
    let mut joined_with_next = vec![false; n];
    for p in pairs {
        for b in &p.beads {
            for w in b.src.windows(2) {
                joined_with_next[w[0]] = true;
            }
        }
    }
    let mut comps: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for (i, joined) in joined_with_next.iter().enumerate() {
        if !joined {
            comps.push(start..i + 1);
            start = i + 1;
        }
    }
    let psent = pivot.sentences();
    let osents: Vec<Vec<&str>> = others.iter().map(|o| o.sentences()).collect();
    let joiner = |lang: &LangTag| {
        if lang.family() == "zh" || lang.family() == "ja" {
            ""
        } else {
            " "
        }
    };
    let mut groups = Vec::new();
    for c in comps {
        let mut sentences = vec![c.clone().collect::<Vec<usize>>()];
        let mut confs = Vec::new();
        for p in pairs {
            let mut ids = Vec::new();
            for b in &p.beads {
                if !b.src.is_empty() && c.contains(&b.src[0]) && !b.tgt.is_empty() {
                    ids.extend(b.tgt.iter().copied());
                    confs.push(b.confidence);
                }
            }
            sentences.push(ids);
        }
        if sentences[1..].iter().all(|s| s.is_empty()) {
            continue;
        }
        let mut confidence = confs.iter().copied().fold(1.0, f64::min);
        // Cross-check the two other sides on numbers, terms and names.
        if others.len() == 2 && !sentences[1].is_empty() && !sentences[2].is_empty() {
            let a: Vec<&Features> = sentences[1].iter().map(|&i| &ofs[0][i]).collect();
            let b: Vec<&Features> = sentences[2].iter().map(|&i| &ofs[1][i]).collect();
            let g = agree(&a, &b, false);
            if g.article_clash || (g.unmatched >= 2 && g.matched == 0) {
                confidence *= 0.5;
            } else if g.matched > 0 && g.unmatched == 0 {
                confidence = confidence + (1.0 - confidence) * 0.3;
            }
        }
        let mut texts = vec![c
            .clone()
            .map(|i| psent[i])
            .collect::<Vec<_>>()
            .join(joiner(&pivot.lang))];
        for (k, o) in others.iter().enumerate() {
            texts.push(
                sentences[k + 1]
                    .iter()
                    .map(|&i| osents[k][i])
                    .collect::<Vec<_>>()
                    .join(joiner(&o.lang)),
            );
        }
        groups.push(Group {
            sentences,
            texts,
            confidence,
        });
    }
    groups
}

/// What to align and how (the request behind `concord align`).
#[derive(Debug, Clone, Default)]
pub struct AlignRequest {
    /// The files, pivot (English) first: two or three.
    pub files: Vec<PathBuf>,
    /// Their languages, when given (else detected from the script).
    pub langs: Vec<Option<LangTag>>,
    /// Their format (by extension when `None`).
    pub format: Option<DocumentFormat>,
    /// A user SRX file, tried before the shipped rules.
    pub srx: Option<PathBuf>,
    /// Glossary files whose terms are anchors.
    pub glossaries: Vec<PathBuf>,
    /// A memory whose glossary gives the anchors when no glossary file is given, and whose
    /// units (up to 20,000 sentence pairs) teach the second pass's lexicon (used only when
    /// the file exists).
    pub memory: Option<PathBuf>,
    /// Do not align paragraphs first.
    pub ignore_paragraphs: bool,
}

/// At most this many sentence pairs of a memory teach an alignment's lexicon (the first
/// units, in id order), so that a large memory does not slow every alignment down.
const MEMORY_BITEXT_MAX: usize = 20_000;

/// Read, segment and align two or three versions of a document. When the memory exists,
/// its units teach the lexicon of the second pass besides the first pass's beads.
pub fn align_files(req: &AlignRequest) -> Result<Alignment> {
    if !(2..=3).contains(&req.files.len()) {
        return Err(Error::bad_request(format!(
            "alignment takes two or three files (the English version first), not {}",
            req.files.len()
        )));
    }
    let rules = crate::formats::srx::load_rules(req.srx.as_deref(), false)?;
    let mut glossary: Option<Glossary> = None;
    if req.glossaries.is_empty() {
        if let Some(db) = req.memory.as_ref().filter(|p| p.is_file()) {
            let g = crate::store::Memory::open_existing(db)?.glossary()?;
            if !g.entries.is_empty() {
                glossary = Some(g);
            }
        }
    }
    for g in &req.glossaries {
        let one = Glossary::from_csv_file(g, &crate::formats::glossary::CsvOptions::default())?;
        match glossary.as_mut() {
            Some(all) => all.merge(one),
            None => glossary = Some(one),
        }
    }
    let mut sides = Vec::new();
    let mut mismatch = Vec::new();
    for (k, path) in req.files.iter().enumerate() {
        let doc = read_document(path, req.format)?;
        let detected = detect_language(doc.paragraphs.iter().map(|p| p.text.as_str()));
        let given = req.langs.get(k).cloned().flatten();
        let lang = match (&given, &detected) {
            (Some(g), Some(d)) => {
                if g.family() != d.family() {
                    mismatch.push(Diagnostic::new(
                        AlignCode::LanguageMismatch,
                        format!("given as {g}, but its script says {d}"),
                        Location::file(path),
                    ));
                }
                g.clone()
            }
            (Some(g), None) => g.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) => {
                return Err(Error::parse_file(
                    path,
                    "cannot tell the language from the script; give the languages",
                ))
            }
        };
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let side = Side::from_paragraphs(lang, file, &doc.paragraphs, &rules);
        sides.push(side);
    }
    for (k, a) in sides.iter().enumerate() {
        if let Some(b) = sides[..k]
            .iter()
            .find(|b| b.lang.family() == a.lang.family())
        {
            return Err(Error::new(
                ErrorKind::Lang,
                format!(
                    "{} and {} are both {}: alignment needs a different language in each file{}",
                    b.file.as_deref().unwrap_or("?"),
                    a.file.as_deref().unwrap_or("?"),
                    a.lang,
                    if mismatch.is_empty() {
                        ""
                    } else {
                        " (is one of them the wrong file?)"
                    }
                ),
            ));
        }
    }
    if sides[0].lang.family() != "en" {
        if let Some(k) = sides.iter().position(|s| s.lang.family() == "en") {
            sides.swap(0, k);
        }
    }
    let (pivot, others) = sides.split_first().expect("two or three sides");
    // The memory's units in the pivot's and another side's language teach the lexicon
    // of the second pass too.
    let mut bitexts: Vec<Bitext> = others
        .iter()
        .map(|o| Bitext {
            src: pivot.lang.family().to_string(),
            tgt: o.lang.family().to_string(),
            pairs: Vec::new(),
        })
        .collect();
    if let Some(db) = req.memory.as_ref().filter(|p| p.is_file()) {
        let mem = crate::store::Memory::open_existing(db)?;
        let mut taken = 0usize;
        let src_family = pivot.lang.family().to_string();
        mem.for_each_unit(&[], 2, |u| {
            let text = |fam: &str| {
                u.variants
                    .iter()
                    .find(|v| v.lang.family() == fam)
                    .map(|v| v.text.clone())
            };
            if let Some(src) = text(&src_family) {
                for b in bitexts.iter_mut() {
                    if let Some(tgt) = text(&b.tgt) {
                        if taken < MEMORY_BITEXT_MAX {
                            b.pairs.push((src.clone(), tgt));
                            taken += 1;
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
    let mut out = align_sides(
        pivot,
        others,
        AlignOptions {
            glossary: glossary.as_ref(),
            ignore_paragraphs: req.ignore_paragraphs,
            bitexts: &bitexts,
            ..Default::default()
        },
    )?;
    out.warnings.splice(0..0, mismatch);
    if out.confidence < 0.5 {
        out.warnings.push(Diagnostic::new(
            AlignCode::LowConfidence,
            format!(
                "the document's alignment confidence is {:.2}: the versions may not be translations of one another",
                out.confidence
            ),
            Location::file(req.files.first().expect("two or three files")),
        ));
    }
    Ok(out)
}

/// The units of an alignment: one per group with text in two languages or more and a
/// confidence of at least `min_confidence`. Each carries the origin files
/// (`origin` = the pivot's file, `x-origin-files` = all of them), `x-origin=alignment`
/// and its confidence (`x-align-confidence`).
pub fn units(alignment: &Alignment, min_confidence: f64) -> Result<Vec<Unit>> {
    let langs: Vec<LangTag> = alignment
        .languages
        .iter()
        .map(|l| LangTag::parse(l).map_err(|e| Error::lang("alignment", e)))
        .collect::<Result<_>>()?;
    Ok(alignment
        .groups
        .iter()
        .filter(|g| g.language_count() >= 2 && g.confidence >= min_confidence)
        .map(|g| {
            let variants = langs
                .iter()
                .zip(&g.texts)
                .filter(|(_, t)| !t.is_empty())
                .map(|(l, t)| Variant::new(l.clone(), t))
                .collect();
            let mut meta = UnitMeta {
                origin: alignment.files.first().cloned(),
                ..UnitMeta::default()
            };
            meta.extra.props.push(Prop {
                kind: "x-origin".into(),
                value: "alignment".into(),
            });
            if !alignment.files.is_empty() {
                meta.extra.props.push(Prop {
                    kind: "x-origin-files".into(),
                    value: alignment.files.join(" "),
                });
            }
            meta.extra.props.push(Prop {
                kind: "x-align-confidence".into(),
                value: format!("{:.2}", g.confidence),
            });
            Unit {
                id: None,
                variants,
                meta,
            }
        })
        .collect())
}

/// Import an alignment into a memory: the units of [`units`]. A document whose overall
/// confidence is below `min_confidence` is refused unless `force`.
pub fn import(
    memory: &mut crate::store::Memory,
    alignment: &Alignment,
    min_confidence: f64,
    force: bool,
) -> Result<crate::store::ImportReport> {
    if alignment.confidence < min_confidence && !force {
        return Err(Error::new(ErrorKind::BadRequest, format!(
            "the document's alignment confidence {:.2} is below the threshold {:.2}: nothing imported (review the alignment, then force the import if it is right)",
            alignment.confidence, min_confidence
        ))
        .with_hint(crate::error::Hint::UseForce));
    }
    let units = units(alignment, min_confidence)?;
    let files: Vec<&str> = alignment.files.iter().map(|s| s.as_str()).collect();
    memory.import(&files, |imp| {
        for u in units {
            imp.add(u)?;
        }
        Ok(())
    })
}

/// Write the units of [`units`] as a memory file (TMX, TSV or CSV) to `out`.
pub fn write_units<W: std::io::Write>(
    alignment: &Alignment,
    min_confidence: f64,
    format: crate::formats::Format,
    out: W,
) -> Result<crate::formats::ExportReport> {
    let mut mem = crate::store::Memory::open_in_memory()?;
    let units = units(alignment, min_confidence)?;
    let files: Vec<&str> = alignment.files.iter().map(|s| s.as_str()).collect();
    mem.import(&files, |imp| {
        for u in units {
            imp.add(u)?;
        }
        Ok(())
    })?;
    crate::formats::write_memory(&mem, format, &[], out)
}

/// Where a path's extension says a review is HTML.
pub fn review_is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Write the groups below `min_confidence` side by side: TSV (confidence, then one column
/// per language) or, with `html`, an HTML table.
pub fn write_review<W: std::io::Write>(
    alignment: &Alignment,
    min_confidence: f64,
    html: bool,
    mut out: W,
) -> std::io::Result<usize> {
    let low: Vec<&Group> = alignment
        .groups
        .iter()
        .filter(|g| g.confidence < min_confidence)
        .collect();
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    if html {
        writeln!(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>concord align: review</title>")?;
        writeln!(out, "<style>td{{vertical-align:top;border-top:1px solid #ccc;padding:4px}}</style></head><body>")?;
        writeln!(
            out,
            "<p>{} of {} groups below confidence {:.2} (document confidence {:.2}).</p>",
            low.len(),
            alignment.groups.len(),
            min_confidence,
            alignment.confidence
        )?;
        write!(out, "<table><tr><th>confidence</th>")?;
        for l in &alignment.languages {
            write!(out, "<th>{}</th>", esc(l))?;
        }
        writeln!(out, "</tr>")?;
        for g in &low {
            write!(out, "<tr><td>{:.2}</td>", g.confidence)?;
            for (l, t) in alignment.languages.iter().zip(&g.texts) {
                write!(out, "<td lang=\"{}\">{}</td>", esc(l), esc(t))?;
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(out, "</table></body></html>")?;
    } else {
        write!(out, "confidence")?;
        for l in &alignment.languages {
            write!(out, "\t{l}")?;
        }
        writeln!(out)?;
        for g in &low {
            write!(out, "{:.2}", g.confidence)?;
            for t in &g.texts {
                write!(out, "\t{}", clean(t))?;
            }
            writeln!(out)?;
        }
    }
    Ok(low.len())
}

#[cfg(test)]
mod tests;
