//! Document alignment: three versions of one document (EN, KO, ZH) into aligned units,
//! each with a confidence.
//!
//! # Method
//!
//! Each version is read as paragraphs ([`crate::formats::document`]) and split into
//! sentences ([`crate::segment`]). English is the pivot: EN–KO and EN–ZH are aligned with
//! a dynamic programme over sentences (1-1, 1-0, 0-1, 2-1, 1-2, 2-2 and 1-3 beads; banded
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
//! Each group's confidence (0–1) comes from the length fit and the anchors of its beads
//! (and the KO–ZH cross-check); the document's confidence is the length-weighted mean
//! over all sentences, sentences left unaligned counting as 0.

mod anchors;
mod dp;
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
}

fn ser_tag<S: serde::Serializer>(t: &LangTag, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

impl Side {
    /// A side from paragraphs of text, split into sentences with `rules`.
    pub fn from_paragraphs(
        lang: LangTag,
        file: Option<String>,
        paragraphs: &[Paragraph],
        rules: &Rules,
    ) -> Side {
        let seg = Segmenter::new(rules, &lang);
        Side {
            paragraphs: paragraphs
                .iter()
                .map(|p| {
                    seg.sentences(&p.text)
                        .into_iter()
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect(),
            lang,
            file,
        }
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

fn prior(shape: (usize, usize)) -> f64 {
    match shape {
        (1, 1) => 0.0,
        (1, 0) | (0, 1) => 5.5,
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
}

struct PairModel<'a> {
    src: &'a [Features],
    tgt: &'a [Features],
    ratio: f64,
    latin_src_all: bool,
}

impl PairModel<'_> {
    fn score(&self, s: Range<usize>, t: Range<usize>) -> BeadScore {
        let ls: f64 = self.src[s.clone()].iter().map(|f| f.len).sum();
        let lt: f64 = self.tgt[t.clone()].iter().map(|f| f.len).sum();
        let length = if s.is_empty() || t.is_empty() {
            0.0
        } else {
            let expected = ls * self.ratio;
            let z = ((lt + 1.0) / (expected + 1.0)).ln();
            let scale = (ls + lt / self.ratio) / 2.0;
            let sd = (LOG_RATIO_SD * LOG_RATIO_SD + SHORT_SD / scale.max(1.0)).sqrt();
            tail_cost(z / sd)
        };
        let agreement = if s.is_empty() || t.is_empty() {
            Agreement::default()
        } else {
            // At most three sentences a side: no allocation.
            let mut sf: [&Features; 3] = [&self.src[s.start]; 3];
            let mut tf: [&Features; 3] = [&self.tgt[t.start]; 3];
            for (k, f) in self.src[s.clone()].iter().enumerate() {
                sf[k] = f;
            }
            for (k, f) in self.tgt[t.clone()].iter().enumerate() {
                tf[k] = f;
            }
            agree(&sf[..s.len()], &tf[..t.len()], self.latin_src_all)
        };
        BeadScore { length, agreement }
    }

    fn cost(&self, s: Range<usize>, t: Range<usize>) -> f64 {
        let shape = (s.len(), t.len());
        let b = self.score(s, t);
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
        prior(shape) + b.length - bonus + penalty
    }

    fn confidence(&self, s: Range<usize>, t: Range<usize>) -> f64 {
        let shape = (s.len(), t.len());
        if shape.0 == 0 || shape.1 == 0 {
            return 0.0;
        }
        let b = self.score(s, t);
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

/// Align the pivot with another side.
fn align_pair(
    pivot: &Side,
    other: &Side,
    pf: &[Features],
    of: &[Features],
    ignore_paragraphs: bool,
) -> PairAlignment {
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
    let model = PairModel {
        src: pf,
        tgt: of,
        ratio,
        latin_src_all: pivot.lang.family() == "en",
    };
    let ps = paragraph_starts(pivot);
    let os = paragraph_starts(other);
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
    let (n, m) = (pf.len(), of.len());
    let pstart: Vec<bool> = (0..=n).map(|i| ps.contains(&i)).collect();
    let ostart: Vec<bool> = (0..=m).map(|j| os.contains(&j)).collect();
    let path = dp::align(n, m, band_width(n, m), |s, t| {
        let c = model.cost(s.clone(), t.clone());
        if pstart[s.end] && ostart[t.end] && s.end < n && t.end < m {
            c - bonus
        } else {
            c
        }
    });
    // Did the path keep every paragraph boundary?
    let ends: Vec<(usize, usize)> = path.iter().map(|st| (st.src.end, st.tgt.end)).collect();
    let by_paragraph = same_count
        && ps
            .iter()
            .zip(&os)
            .all(|(a, b)| *a == 0 || ends.contains(&(*a, *b)));
    let steps: Vec<(Range<usize>, Range<usize>)> =
        path.into_iter().map(|st| (st.src, st.tgt)).collect();
    PairAlignment {
        lang: other.lang.to_string(),
        beads: steps
            .into_iter()
            .map(|(s, t)| PairBead {
                confidence: model.confidence(s.clone(), t.clone()),
                src: s.collect(),
                tgt: t.collect(),
            })
            .collect(),
        by_paragraph,
    }
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
    let pf = sentence_features(pivot, recognizer(&pivot.lang).as_ref());
    let ofs: Vec<Vec<Features>> = others
        .iter()
        .map(|o| sentence_features(o, recognizer(&o.lang).as_ref()))
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
    let pairs: Vec<PairAlignment> = others
        .iter()
        .zip(&ofs)
        .map(|(o, of)| align_pair(pivot, o, &pf, of, opts.ignore_paragraphs))
        .collect();
    let groups = merge(pivot, others, &pairs, &ofs);
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
    let feats: Vec<&Vec<Features>> = std::iter::once(&pf).chain(ofs.iter()).collect();
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
    })
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
    /// A memory whose glossary gives the anchors when no glossary file is given (used
    /// only when the file exists).
    pub memory: Option<PathBuf>,
    /// Do not align paragraphs first.
    pub ignore_paragraphs: bool,
}

/// Read, segment and align two or three versions of a document.
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
    let mut out = align_sides(
        pivot,
        others,
        AlignOptions {
            glossary: glossary.as_ref(),
            ignore_paragraphs: req.ignore_paragraphs,
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
