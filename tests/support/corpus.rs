//! The shared EN/KO/ZH corpora as documents, for the segmentation and alignment
//! evaluations (`tests/align_eval.rs` and `examples/align_eval.rs`).
//!
//! The corpora live in `../shared/corpora` beside the checkout. When they are absent the
//! evaluation tests skip with one line on stderr, unless `CONCORD_REQUIRE_SHARED=1`, which
//! makes them fail.

#![allow(dead_code)]

use std::path::PathBuf;

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

/// `../shared/corpora`, or `None` (after one line on stderr) when it is absent and not
/// required. Panics when `CONCORD_REQUIRE_SHARED=1` and it is absent.
pub fn corpora_dir(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if dir.join("ntrex.en-ko-zh.tsv").is_file() {
        return Some(dir);
    }
    if std::env::var("CONCORD_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "{test}: CONCORD_REQUIRE_SHARED=1 but {} is missing",
            dir.display()
        );
    }
    eprintln!("{test}: skipped: {} is absent", dir.display());
    None
}

fn read_tsv(path: PathBuf) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
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
pub fn ntrex(dir: &std::path::Path) -> Vec<Doc> {
    documents(
        read_tsv(dir.join("ntrex.en-ko-zh.tsv")),
        read_tsv(dir.join("ntrex.en-ko-zh.meta.tsv")),
        1,
    )
}

/// FLORES-200 devtest, grouped by source URL (consecutive rows of one article; most
/// articles give 3–5 sentences).
pub fn flores(dir: &std::path::Path) -> Vec<Doc> {
    documents(
        read_tsv(dir.join("flores-devtest.en-ko-zh.tsv")),
        read_tsv(dir.join("flores-devtest.en-ko-zh.meta.tsv")),
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

/// A small deterministic generator (SplitMix64), so figures are reproducible.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
}
