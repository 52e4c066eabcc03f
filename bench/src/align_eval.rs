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

// Alignment: strict and lax F1 per pair, as vecalign's evaluation defines them.

use concord::align::metrics::{Bead, Scores};
use concord::align::{align_sides, AlignOptions, Alignment, Side};
use concord::glossary::Glossary;

use crate::Xorshift;

/// How the documents are laid out before alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Paragraphs of 1–6 sentences at random, the same boundaries in every language.
    Paragraphs,
    /// As `Paragraphs`, but an English sentence without final punctuation (a headline or
    /// a byline: [`is_headline`]) is a paragraph of its own, as in a real document.
    Headlines,
    /// Each document one paragraph (paragraph boundaries removed).
    Whole,
    /// Paragraphs as in `Headlines`, and 10% of the sentences deleted at random from the
    /// Korean and from the Chinese version (each its own 10%).
    Deleted10,
}

/// Scores of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct AlignReport {
    /// EN–KO from the pairwise alignment.
    pub en_ko: Scores,
    /// EN–ZH from the pairwise alignment.
    pub en_zh: Scores,
    /// EN–KO from the merged EN/KO/ZH groups (what is imported).
    pub en_ko_merged: Scores,
    /// EN–ZH from the merged groups.
    pub en_zh_merged: Scores,
    /// Documents and EN sentences.
    pub docs: usize,
    /// EN sentences.
    pub sentences: usize,
    /// Groups with confidence ≥ 0.5 and their strict EN–KO precision (how well the
    /// confidence separates good groups from bad ones): (groups, strict hits).
    pub confident: (usize, usize),
    /// Groups with confidence < 0.5: (groups, strict hits).
    pub doubtful: (usize, usize),
    /// Confusions of the pairwise beads, per pair (EN–KO, EN–ZH): for each test bead
    /// that is not in the gold, its shape (EN sentences, other sentences) and the
    /// shape of the gold beads it overlaps, summed ([`shape_confusions`]).
    pub confusions: [std::collections::BTreeMap<String, usize>; 2],
}

/// For each test bead not in the gold: its shape and the shapes of the gold beads that
/// share a sentence with it (`"2-1 for 1-1+1-1"`: a 2-1 bead where the gold has two 1-1
/// beads).
pub fn shape_confusions(
    gold: &[Bead],
    test: &[Bead],
    out: &mut std::collections::BTreeMap<String, usize>,
) {
    let shape = |b: &Bead| format!("{}-{}", b.0.len(), b.1.len());
    for b in test.iter().filter(|b| !gold.contains(b)) {
        let over: Vec<String> = gold
            .iter()
            .filter(|g| g.0.iter().any(|x| b.0.contains(x)) || g.1.iter().any(|x| b.1.contains(x)))
            .map(shape)
            .collect();
        *out.entry(format!("{} for {}", shape(b), over.join("+")))
            .or_insert(0) += 1;
    }
}

/// A side built from gold sentences: its paragraphs of segmented sentences, and for each
/// segment the gold sentence ids it overlaps.
pub struct BuiltSide {
    /// The side to align.
    pub side: Side,
    /// Gold ids per segment, in segment order.
    pub ids: Vec<Vec<usize>>,
}

/// Build one language's version: the kept sentences (`keep[i]`) grouped by `paragraphs`
/// (sizes over all sentences), joined, then segmented with the shipped rules (into pieces
/// at hard breaks and soft boundaries, as [`Side::from_paragraphs`] does).
pub fn build_side(
    lang: &str,
    sents: &[String],
    paragraphs: &[usize],
    keep: &[bool],
    seg: &Segmenter,
) -> BuiltSide {
    let mut side = Side {
        lang: LangTag::parse(lang).unwrap(),
        file: None,
        paragraphs: Vec::new(),
        soft_starts: Vec::new(),
        weak_starts: Vec::new(),
        word_starts: Vec::new(),
    };
    let mut ids = Vec::new();
    let mut i = 0;
    for &size in paragraphs {
        let mut text = String::new();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for k in i..i + size {
            if !keep[k] {
                continue;
            }
            if !text.is_empty() {
                text.push_str(joiner(lang));
            }
            let a = text.len();
            text.push_str(&sents[k]);
            spans.push((a, text.len(), k));
        }
        i += size;
        if text.is_empty() {
            continue;
        }
        let mut para = Vec::new();
        let mut soft = Vec::new();
        let mut weak = Vec::new();
        let mut word = Vec::new();
        for piece in seg.pieces(&text) {
            let r = piece.range;
            soft.push(piece.soft_start);
            weak.push(piece.weak_start);
            word.push(piece.word_start);
            // A segment belongs to the gold sentences it shares a letter or digit with (a
            // quotation mark that the segmenter gave to the neighbour does not count).
            let overl: Vec<usize> = spans
                .iter()
                .filter(|(a, z, _)| {
                    let (lo, hi) = ((*a).max(r.start), (*z).min(r.end));
                    lo < hi && text[lo..hi].chars().any(|c| c.is_alphanumeric())
                })
                .map(|(_, _, k)| *k)
                .collect();
            para.push(text[r].to_string());
            ids.push(overl);
        }
        side.paragraphs.push(para);
        side.soft_starts.push(soft);
        side.weak_starts.push(weak);
        side.word_starts.push(word);
    }
    BuiltSide { side, ids }
}

/// The gold ids of sentences `segs` of side `k` of an alignment (each made of pieces of
/// the built side, whose gold ids are `ids`).
fn map(a: &Alignment, k: usize, ids: &[Vec<usize>], segs: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = segs
        .iter()
        .flat_map(|&s| a.sentence_pieces[k][s].clone())
        .flat_map(|p| ids[p].iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Random paragraph sizes of 1–6 sentences covering `n` sentences.
pub fn paragraph_sizes(n: usize, rng: &mut Xorshift) -> Vec<usize> {
    let mut out = Vec::new();
    let mut left = n;
    while left > 0 {
        let s = (1 + (rng.next_u64() % 6) as usize).min(left);
        out.push(s);
        left -= s;
    }
    out
}

/// The three built sides of a document under a layout, with the deletion masks.
pub fn build_doc(
    d: &Doc,
    layout: Layout,
    rng: &mut Xorshift,
    segs: &[Segmenter; 3],
) -> ([BuiltSide; 3], [Vec<bool>; 3]) {
    let n = d.en.len();
    let paragraphs = match layout {
        Layout::Whole => vec![n],
        Layout::Headlines | Layout::Deleted10 => {
            // Random paragraphs within the runs between headlines.
            let mut out = Vec::new();
            let mut run = 0;
            for (i, s) in d.en.iter().enumerate() {
                if is_headline(s) {
                    if run > 0 {
                        out.extend(paragraph_sizes(run, rng));
                    }
                    out.push(1);
                    run = 0;
                } else {
                    run += 1;
                }
                if i + 1 == n && run > 0 {
                    out.extend(paragraph_sizes(run, rng));
                }
            }
            out
        }
        _ => paragraph_sizes(n, rng),
    };
    let mut keeps = [vec![true; n], vec![true; n], vec![true; n]];
    if layout == Layout::Deleted10 {
        for keep in keeps.iter_mut().skip(1) {
            for k in keep.iter_mut() {
                if rng.next_u64() % 10 == 0 {
                    *k = false;
                }
            }
        }
    }
    let built = [
        build_side("en", &d.en, &paragraphs, &keeps[0], &segs[0]),
        build_side("ko", &d.ko, &paragraphs, &keeps[1], &segs[1]),
        build_side("zh", &d.zh, &paragraphs, &keeps[2], &segs[2]),
    ];
    (built, keeps)
}

/// The gold beads of EN with a side kept by `keep`: one 1-1 bead per sentence, 1-0 where
/// the other side lost it.
pub fn gold(n: usize, keep: &[bool]) -> Vec<Bead> {
    (0..n)
        .map(|i| (vec![i], if keep[i] { vec![i] } else { Vec::new() }))
        .collect()
}

/// The test beads of pair `k` (1 = KO, 2 = ZH) of an alignment, in gold sentence ids.
pub fn test_beads(a: &Alignment, built: &[BuiltSide; 3], k: usize) -> Vec<Bead> {
    a.pairs[k - 1]
        .beads
        .iter()
        .map(|b| {
            (
                map(a, 0, &built[0].ids, &b.src),
                map(a, k, &built[k].ids, &b.tgt),
            )
        })
        .collect()
}

/// The merged groups projected on pair `k`, in gold sentence ids.
pub fn merged_beads(a: &Alignment, built: &[BuiltSide; 3], k: usize) -> Vec<Bead> {
    a.groups
        .iter()
        .map(|g| {
            (
                map(a, 0, &built[0].ids, &g.sentences[0]),
                map(a, k, &built[k].ids, &g.sentences[k]),
            )
        })
        .filter(|(s, t)| !s.is_empty() || !t.is_empty())
        .collect()
}

/// The shipped glossary (`glossaries/diplomatic.csv`), whose terms are anchors.
pub fn shipped_glossary() -> Glossary {
    let path = crate::repo_root().join("glossaries/diplomatic.csv");
    Glossary::from_csv_file(&path, &concord::formats::glossary::CsvOptions::default())
        .expect("the shipped glossary loads")
}

/// Align every document under `layout` (paragraph sizes and deletions from `seed`) and
/// score the result against the gold sentence alignment. Each document's second pass
/// learns its lexicon from its own first pass.
pub fn alignment(
    docs: &[Doc],
    layout: Layout,
    seed: u64,
    glossary: Option<&Glossary>,
) -> AlignReport {
    alignment_with(docs, layout, seed, glossary, Lexicon::Document)
}

/// Where the second pass's lexicon comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexicon {
    /// No second pass: length model and anchors only.
    None,
    /// The document's own first pass.
    Document,
    /// The document's own first pass and the first pass over every document of the
    /// collection (confident groups, no gold), as Moore's method learns from a corpus.
    Collection,
}

/// [`alignment`] with the lexicon from `lexicon`.
pub fn alignment_with(
    docs: &[Doc],
    layout: Layout,
    seed: u64,
    glossary: Option<&Glossary>,
    lexicon: Lexicon,
) -> AlignReport {
    let rules = Rules::default();
    let segs = ["en", "ko", "zh"].map(|l| Segmenter::new(&rules, &LangTag::parse(l).unwrap()));
    let mut bitexts: Vec<concord::align::Bitext> = Vec::new();
    if lexicon == Lexicon::Collection {
        let mut rng = Xorshift(seed.max(1));
        for d in docs {
            let (built, _) = build_doc(d, layout, &mut rng, &segs);
            let a = align_sides(
                &built[0].side,
                &[built[1].side.clone(), built[2].side.clone()],
                AlignOptions {
                    glossary,
                    single_pass: true,
                    ..Default::default()
                },
            )
            .expect("aligns");
            for b in a.bitexts(0.5) {
                match bitexts.iter_mut().find(|x| x.tgt == b.tgt) {
                    Some(x) => x.pairs.extend(b.pairs),
                    None => bitexts.push(b),
                }
            }
        }
    }
    let mut rng = Xorshift(seed.max(1));
    let mut r = AlignReport::default();
    for d in docs {
        let (built, keeps) = build_doc(d, layout, &mut rng, &segs);
        let a = align_sides(
            &built[0].side,
            &[built[1].side.clone(), built[2].side.clone()],
            AlignOptions {
                glossary,
                bitexts: &bitexts,
                single_pass: lexicon == Lexicon::None,
                ..Default::default()
            },
        )
        .expect("aligns");
        let n = d.en.len();
        let g_ko = gold(n, &keeps[1]);
        let g_zh = gold(n, &keeps[2]);
        let tk = test_beads(&a, &built, 1);
        if std::env::var_os("CONCORD_SHOW_MISSES").is_some() {
            for b in tk.iter().filter(|b| !g_ko.contains(b)) {
                let en: Vec<&str> = b.0.iter().map(|&i| d.en[i].as_str()).collect();
                let ko: Vec<&str> = b.1.iter().map(|&i| d.ko[i].as_str()).collect();
                eprintln!(
                    "MISS {:?} {:?}\n  EN {}\n  KO {}",
                    b.0,
                    b.1,
                    en.join(" | "),
                    ko.join(" | ")
                );
            }
        }
        r.en_ko.add(&g_ko, &tk);
        shape_confusions(&g_ko, &tk, &mut r.confusions[0]);
        let tz = test_beads(&a, &built, 2);
        if std::env::var_os("CONCORD_SHOW_MISSES").is_some() {
            for b in tz.iter().filter(|b| !g_zh.contains(b)) {
                let en: Vec<&str> = b.0.iter().map(|&i| d.en[i].as_str()).collect();
                let zh: Vec<&str> = b.1.iter().map(|&i| d.zh[i].as_str()).collect();
                // Whether each side's pieces have a boundary before each gold sentence of
                // the bead (the segmenter's or a candidate's): without one no cut can be right.
                let cuts = |k: usize, ids: &[usize]| -> Vec<bool> {
                    ids.iter()
                        .skip(1)
                        .map(|&g| built[k].ids.iter().any(|p| p.first() == Some(&g)))
                        .collect()
                };
                eprintln!(
                    "ZHMISS {:?} {:?} en-cuts {:?} zh-cuts {:?}\n  EN {}\n  ZH {}",
                    b.0,
                    b.1,
                    cuts(0, &b.0),
                    cuts(2, &b.1),
                    en.join(" | "),
                    zh.join(" | ")
                );
            }
        }
        r.en_zh.add(&g_zh, &tz);
        shape_confusions(&g_zh, &tz, &mut r.confusions[1]);
        let mk = merged_beads(&a, &built, 1);
        r.en_ko_merged.add(&g_ko, &mk);
        r.en_zh_merged.add(&g_zh, &merged_beads(&a, &built, 2));
        for (g, bead) in a.groups.iter().zip(a.groups.iter().map(|g| {
            (
                map(&a, 0, &built[0].ids, &g.sentences[0]),
                map(&a, 1, &built[1].ids, &g.sentences[1]),
            )
        })) {
            let hit = g_ko.contains(&bead) as usize;
            if bead.1.is_empty() {
                continue;
            }
            if g.confidence >= 0.5 {
                r.confident.0 += 1;
                r.confident.1 += hit;
            } else {
                r.doubtful.0 += 1;
                r.doubtful.1 += hit;
            }
        }
        r.docs += 1;
        r.sentences += n;
    }
    r
}

/// A document triple of at least `n` English sentences (NTREX documents one after the
/// other, paragraphs of 1–6 sentences), built and segmented, for the speed figure.
pub fn long_document(docs: &[Doc], n: usize) -> [BuiltSide; 3] {
    let mut all = Doc {
        id: "long".into(),
        en: Vec::new(),
        ko: Vec::new(),
        zh: Vec::new(),
    };
    for d in docs.iter().cycle() {
        if all.en.len() >= n {
            break;
        }
        all.en.extend(d.en.iter().cloned());
        all.ko.extend(d.ko.iter().cloned());
        all.zh.extend(d.zh.iter().cloned());
    }
    all.en.truncate(n);
    all.ko.truncate(n);
    all.zh.truncate(n);
    let rules = Rules::default();
    let segs = ["en", "ko", "zh"].map(|l| Segmenter::new(&rules, &LangTag::parse(l).unwrap()));
    build_doc(&all, Layout::Paragraphs, &mut Xorshift(7), &segs).0
}
