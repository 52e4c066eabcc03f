//! The samples shipped with concord, and the default memory built from them.
//!
//! A newcomer runs one command and gets a useful answer: when the default memory
//! (`memories/concord.db`) does not exist yet, the CLI calls [`seed`] to build it from the
//! shipped sample memories (`memories/*.tsv`, `*.csv`, `*.tmx`) and sample glossaries
//! (`glossaries/*.csv`). The database is written
//! to a temporary file and renamed into place, so a failure leaves nothing behind.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::import::ImportPlan;
use crate::store::Memory;

/// What [`seed`] imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Units imported.
    pub units: u64,
    /// Glossary entries imported.
    pub glossary_entries: u64,
    /// The files read.
    pub files: Vec<PathBuf>,
}

/// The sample memory files under `root/memories`, sorted by name.
pub fn sample_memories(root: &Path) -> Vec<PathBuf> {
    list(&root.join("memories"), &["tsv", "csv", "tmx"])
}

fn list(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .map(|e| exts.contains(&e.to_ascii_lowercase().as_str()))
                    .unwrap_or(false)
        })
        .collect();
    files.sort();
    files
}

/// The sample glossaries under `root/glossaries` (`*.csv`), sorted by name.
pub fn sample_glossaries(root: &Path) -> Vec<PathBuf> {
    list(&root.join("glossaries"), &["csv"])
}

/// Build the memory `db` from the samples under `root`: the sample memories and the
/// sample glossaries. Returns `None` (and creates nothing) when there are neither.
pub fn seed(db: &Path, root: &Path) -> Result<Option<SeedReport>> {
    let files = sample_memories(root);
    let glossaries = sample_glossaries(root);
    if files.is_empty() && glossaries.is_empty() {
        return Ok(None);
    }
    // Read the glossaries first: a broken one stops the seed before anything is written.
    let mut glossary = crate::glossary::Glossary::default();
    for g in &glossaries {
        glossary.merge(crate::glossary::Glossary::from_csv_file(
            g,
            &crate::formats::glossary::CsvOptions::default(),
        )?);
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = tmp_path(db);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut mem = Memory::open(&tmp)?;
        let mut units = 0;
        if !files.is_empty() {
            units = ImportPlan::new(&files, None)?
                .import(&mut mem, |_, _| {})?
                .added;
        }
        let mut glossary_entries = 0;
        if !glossaries.is_empty() {
            let names: Vec<String> = glossaries.iter().map(|f| f.display().to_string()).collect();
            let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            let report = mem.import_glossary(&names, &glossary)?;
            glossary_entries = report.added + report.updated;
        }
        drop(mem);
        Ok(SeedReport {
            units,
            glossary_entries,
            files: files.iter().chain(&glossaries).cloned().collect(),
        })
    })();
    match result {
        Ok(r) => {
            for side in crate::store::side_files(&tmp) {
                let _ = std::fs::remove_file(side);
            }
            std::fs::rename(&tmp, db).map_err(|e| Error::io(db, e))?;
            Ok(Some(r))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            for side in crate::store::side_files(&tmp) {
                let _ = std::fs::remove_file(side);
            }
            Err(e)
        }
    }
}

fn tmp_path(db: &Path) -> PathBuf {
    with_suffix(db, &format!(".tmp{}", std::process::id()))
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}
