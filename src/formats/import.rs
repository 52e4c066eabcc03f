//! Importing memory files (TSV, CSV, TMX, and bilingual XLIFF 1.x/2.x with SDLXLIFF and
//! MQXLIFF): the files checked first, then read into the memory in one transaction (all
//! of them or none). Segments of a bilingual file that are not translated, were
//! rejected or have an empty target are skipped and counted in the report. A file whose
//! name says no format (a pipe) is read as its content shows ([`super::sniff`]). `concord import` and the seeding of the default
//! memory ([`crate::samples::seed`]) both go through [`ImportPlan`].

use std::path::{Path, PathBuf};

use super::sniff::Sniffed;
use super::{read_memory_file_counted, Format};
use crate::error::{Error, Hint, Result};
use crate::store::{ImportReport, Memory};

/// Memory files to import, each with its format, checked before any memory is opened:
/// a typo in a file name creates and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    files: Vec<(PathBuf, Format)>,
    /// For each file whose name says no format: what its content was taken for.
    sniffed: Vec<Option<Sniffed>>,
    /// What the import log calls each file (default: its path).
    shown: Option<Vec<String>>,
}

impl ImportPlan {
    /// Check `files`: each must exist and have a format (`format` for all, else each
    /// file's extension; when the extension names no format at all, as a pipe's name
    /// does, the format its content shows, [`super::sniff`]: TSV, CSV, TMX or XLIFF).
    pub fn new(files: &[PathBuf], format: Option<Format>) -> Result<ImportPlan> {
        let mut plan = Vec::with_capacity(files.len());
        let mut sniffed = Vec::with_capacity(files.len());
        for f in files {
            // The same check as `lint`: missing is "no such file", a directory is said
            // to be one, pipes and FIFOs are read.
            super::input::check_readable(f)?;
            let (by_content, s) = super::sniff::resolve_as(f, format)?;
            plan.push((f.clone(), by_content));
            sniffed.push(s);
        }
        Ok(ImportPlan {
            files: plan,
            sniffed,
            shown: None,
        })
    }

    /// Name the files otherwise in the memory's import log (one name per file, in
    /// order): the server shows an upload's name, not where it spooled it.
    pub fn shown_as(mut self, names: Vec<String>) -> ImportPlan {
        if names.len() == self.files.len() {
            self.shown = Some(names);
        }
        self
    }

    /// The files and their formats, in import order.
    pub fn files(&self) -> &[(PathBuf, Format)] {
        &self.files
    }

    /// Read every file into `mem` in one transaction: any error imports nothing.
    /// `progress(file, units read so far)` is called when a file starts and every 1,024
    /// units.
    pub fn import(
        &self,
        mem: &mut Memory,
        mut progress: impl FnMut(&Path, u64),
    ) -> Result<ImportReport> {
        let names: Vec<String> = match &self.shown {
            Some(n) => n.clone(),
            None => self
                .files
                .iter()
                .map(|(f, _)| f.display().to_string())
                .collect(),
        };
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        // Limits: the distinct languages of the whole import (each file's readers check
        // their own header or tags with the line).
        let mut langs: std::collections::HashSet<String> = std::collections::HashSet::new();
        mem.import(&names, |imp| {
            for ((file, format), sniffed) in self.files.iter().zip(&self.sniffed) {
                progress(file, imp.read());
                let skipped = read_memory_file_counted(file, *format, |unit| {
                    for v in &unit.variants {
                        if !langs.contains(v.lang.as_str()) {
                            langs.insert(v.lang.as_str().to_string());
                            crate::limits::check_languages(langs.len()).map_err(|m| {
                                Error::limit_file(
                                    file,
                                    format!("{m} in this import (language {})", v.lang),
                                )
                            })?;
                        }
                    }
                    imp.add(unit)?;
                    let n = imp.read();
                    if n % 1024 == 0 {
                        progress(file, n);
                    }
                    Ok(())
                })
                .map_err(|e| match sniffed {
                    // A file whose format was told from its content: its errors say so.
                    Some(s) => s.explain(e, Hint::GiveFormat),
                    None => e,
                })?;
                imp.skipped(skipped.untranslated, skipped.rejected, skipped.empty);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_of_a_directory_says_is_a_directory() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("memories.tsv");
        std::fs::create_dir(&dir).unwrap();
        let e = ImportPlan::new(&[dir], None).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    #[test]
    fn plan_checks_files_before_anything_is_read() {
        let d = tempfile::tempdir().unwrap();
        let good = d.path().join("a.tsv");
        std::fs::write(&good, "en\tko\n회담.\t회담.\nThe talks.\t회담은 끝났다.\n").unwrap();
        let missing = d.path().join("missing.tsv");
        let e = ImportPlan::new(&[good.clone(), missing], None).unwrap_err();
        assert!(e.kind() == &crate::error::ErrorKind::Io, "{e}");
        let odd = d.path().join("a.docx");
        std::fs::write(&odd, "x").unwrap();
        assert!(ImportPlan::new(std::slice::from_ref(&odd), None).is_err());
        assert_eq!(
            ImportPlan::new(&[odd], Some(Format::Tsv)).unwrap().files()[0].1,
            Format::Tsv
        );

        let mut mem = Memory::open_in_memory().unwrap();
        let plan = ImportPlan::new(std::slice::from_ref(&good), None).unwrap();
        let mut seen = Vec::new();
        let report = plan
            .import(&mut mem, |f, n| seen.push((f.to_path_buf(), n)))
            .unwrap();
        assert_eq!(report.added, 2);
        assert_eq!(seen, [(good, 0)]);
    }
}
