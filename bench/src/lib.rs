//! What the benchmarks of concord share: the one loader of the aligned EN/KO/ZH corpora
//! in `../shared/corpora/` (relative to the repository checkout), and small statistics.
//!
//! The `concord-bench` binary (`src/main.rs`) and the criterion-less benches
//! (`benches/glossary.rs`, `benches/lint.rs`) read their text through [`aligned`] and
//! [`rows`], so every bench sees the same sentences, split and unquoted the same way.
//! This crate is a workspace member that is never published: `cargo install concord`
//! does not ship it.

use std::path::{Path, PathBuf};

/// The aligned EN/KO/ZH sentence files (FLORES devtest, NTREX, UDHR), in reading order.
pub const ALIGNED: [&str; 3] = [
    "flores-devtest.en-ko-zh.tsv",
    "ntrex.en-ko-zh.tsv",
    "udhr.en-ko-zh.tsv",
];

/// One aligned sentence: English, Korean, Chinese.
pub type Triple = [String; 3];

/// The root of the concord repository checkout (the workspace root).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ is inside the repository")
        .to_path_buf()
}

/// `../shared/corpora` next to the repository checkout.
pub fn corpora_dir() -> PathBuf {
    repo_root().join("../shared/corpora")
}

/// The rows of a TSV corpus file of `dir` after its header line, split on tabs only.
/// A cell that is a CSV-quoted string with doubled quotes (`"he said ""yes"""`) is
/// unquoted. Panics with the path when the file cannot be read: the benches need it.
pub fn rows(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the benches read the corpora in ../shared/corpora next to the checkout)",
            path.display()
        )
    });
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(unquote).collect())
        .collect()
}

fn unquote(s: &str) -> String {
    if s.len() > 2 && s.starts_with('"') && s.ends_with('"') && s.contains("\"\"") {
        s[1..s.len() - 1].replace("\"\"", "\"")
    } else {
        s.to_string()
    }
}

/// The EN/KO/ZH triples of the given aligned `files` of `dir`, in order; rows with
/// fewer than three cells are skipped.
pub fn aligned(dir: &Path, files: &[&str]) -> Vec<Triple> {
    let mut out = Vec::new();
    for f in files {
        for row in rows(dir, f) {
            if let [en, ko, zh, ..] = row.as_slice() {
                out.push([en.clone(), ko.clone(), zh.clone()]);
            }
        }
    }
    out
}

/// A deterministic generator without a dependency (xorshift64): the shuffles and the
/// generated glossary entries of the benches are the same on every run.
#[derive(Debug, Clone)]
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next value (the seed must not be 0).
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An element of `v` (not empty).
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next_u64() % v.len() as u64) as usize]
    }
}

pub mod align_eval;

/// The median of `v` (the upper one for an even count). Panics on an empty `v`.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_only_quoted_cells_with_doubled_quotes() {
        assert_eq!(unquote("\"그는 \"\"예\"\"라고\""), "그는 \"예\"라고");
        assert_eq!(unquote("\"quoted\""), "\"quoted\"");
        assert_eq!(unquote("plain"), "plain");
    }

    #[test]
    fn aligned_reads_three_cells_and_skips_short_rows() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.tsv"),
            "en\tko\tzh\nSeoul\t서울\t首尔\nshort\t짧음\n\"a \"\"b\"\"\"\t나\t乙\n",
        )
        .unwrap();
        let t = aligned(dir.path(), &["a.tsv"]);
        assert_eq!(
            t,
            vec![
                ["Seoul".to_string(), "서울".into(), "首尔".into()],
                ["a \"b\"".to_string(), "나".into(), "乙".into()],
            ]
        );
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
    }
}
