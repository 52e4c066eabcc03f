//! The segmentation and alignment evaluations on the shared corpora (NTREX-128, FLORES-200
//! devtest): the documents, re-segmentation precision/recall of sentence boundaries, and
//! strict and lax F1 of document alignment. `concord-bench align-eval`
//! prints the README's figures; `bench/tests/align_eval.rs` keeps floors on them.

use std::path::Path;

use concord::lang::LangTag;
use concord::segment::{Rules, Segmenter};

use crate::rows;

/// One multi-parallel document: the same sentences in three languages.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The document id (NTREX) or URL (FLORES).
    pub id: String,
    /// English sentences.
    pub en: Vec<String>,
    /// Korean sentences.
    pub ko: Vec<String>,
    /// Chinese sentences.
    pub zh: Vec<String>,
}

impl Doc {
    /// The sentences of one language (`en`, `ko`, `zh`).
    pub fn side(&self, lang: &str) -> &[String] {
        match lang {
            "en" => &self.en,
            "ko" => &self.ko,
            _ => &self.zh,
        }
    }
}

/// Group rows into documents by a key column of the sidecar, keeping row order.
fn documents(data: Vec<Vec<String>>, meta: Vec<Vec<String>>, key: usize) -> Vec<Doc> {
    assert_eq!(data.len(), meta.len(), "data and sidecar differ in length");
    let mut out: Vec<Doc> = Vec::new();
    for (row, m) in data.into_iter().zip(meta) {
        let id = m[key].clone();
        if out.last().map(|d| d.id != id).unwrap_or(true) {
            out.push(Doc {
                id,
                en: Vec::new(),
                ko: Vec::new(),
                zh: Vec::new(),
            });
        }
        let d = out.last_mut().unwrap();
        d.en.push(row[0].clone());
        d.ko.push(row[1].clone());
        d.zh.push(row[2].clone());
    }
    out
}

/// NTREX-128: 123 news documents.
pub fn ntrex(dir: &Path) -> Vec<Doc> {
    documents(
        rows(dir, "ntrex.en-ko-zh.tsv"),
        rows(dir, "ntrex.en-ko-zh.meta.tsv"),
        1,
    )
}

/// FLORES-200 devtest, grouped by source URL (consecutive rows of one article; most
/// articles give 3–5 sentences).
pub fn flores(dir: &Path) -> Vec<Doc> {
    documents(
        rows(dir, "flores-devtest.en-ko-zh.tsv"),
        rows(dir, "flores-devtest.en-ko-zh.meta.tsv"),
        1,
    )
}

/// How sentences of a language are joined into a paragraph: a space, or nothing for
/// Chinese.
pub fn joiner(lang: &str) -> &'static str {
    if lang == "zh" {
        ""
    } else {
        " "
    }
}

// Segmentation: precision and recall of sentence boundaries.

/// Counts of boundaries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Boundaries {
    /// Boundaries found that are in the reference.
    pub tp: usize,
    /// Boundaries found that are not.
    pub fp: usize,
    /// Reference boundaries not found.
    pub fn_: usize,
    /// Documents whose sentences all came back exactly.
    pub exact_docs: usize,
    /// Documents.
    pub docs: usize,
}

impl Boundaries {
    /// Precision.
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    /// Recall.
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    /// F1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// True for a sentence that does not end in sentence-final punctuation: a headline, a
/// byline or a heading, which a real document has as a paragraph of its own.
pub fn is_headline(s: &str) -> bool {
    s.chars().last().is_some_and(|c| c.is_alphanumeric())
}

/// Join each document's sentences of `lang` into one paragraph (a space between them, none
/// in Chinese), segment it with the shipped rules, and compare the boundaries (byte offsets
/// where a sentence starts) with the reference. With `headlines_apart`, a sentence without
/// final punctuation ([`is_headline`]) is a paragraph of its own, and the boundaries around
/// it are not counted (a paragraph break gives them away).
pub fn segmentation(docs: &[Doc], lang: &str, headlines_apart: bool) -> (Boundaries, Vec<String>) {
    let rules = Rules::default();
    let seg = Segmenter::new(&rules, &LangTag::parse(lang).unwrap());
    let mut b = Boundaries::default();
    let mut misses = Vec::new();
    for d in docs {
        let sents = d.side(lang);
        let mut text = String::new();
        let mut gold = Vec::new();
        // Paragraph starts: boundaries given by the layout, not found by the segmenter.
        let mut para_starts = vec![0];
        for (i, s) in sents.iter().enumerate() {
            if i > 0 {
                let apart = headlines_apart && (is_headline(s) || is_headline(&sents[i - 1]));
                if apart {
                    text.push('\n');
                    para_starts.push(text.len());
                } else {
                    text.push_str(joiner(lang));
                    gold.push(text.len());
                }
            }
            text.push_str(s);
        }
        para_starts.push(text.len() + 1);
        let mut got: Vec<usize> = Vec::new();
        for w in para_starts.windows(2) {
            let (a, z) = (w[0], w[1] - 1);
            got.extend(seg.split(&text[a..z]).iter().skip(1).map(|r| a + r.start));
        }
        let tp = got.iter().filter(|p| gold.contains(p)).count();
        b.tp += tp;
        b.fp += got.len() - tp;
        b.fn_ += gold.len() - tp;
        b.docs += 1;
        if tp == gold.len() && got.len() == gold.len() {
            b.exact_docs += 1;
        }
        for p in got.iter().filter(|p| !gold.contains(p)) {
            misses.push(format!("{lang} extra: {}", context(&text, *p)));
        }
        for p in gold.iter().filter(|p| !got.contains(p)) {
            misses.push(format!("{lang} missed: {}", context(&text, *p)));
        }
    }
    (b, misses)
}

fn context(text: &str, pos: usize) -> String {
    let mut a = pos.saturating_sub(40);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut z = (pos + 40).min(text.len());
    while !text.is_char_boundary(z) {
        z += 1;
    }
    format!("{}|{}", &text[a..pos], &text[pos..z])
}
