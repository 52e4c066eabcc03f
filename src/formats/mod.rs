//! Reading and writing the files translators' other tools speak.
//!
//! * [`tabular`]: TSV (split on tabs only) and CSV (RFC 4180) with a header row of
//!   language tags.
//! * [`input`]: opening a user's file: encoding detection (UTF-8 with or without BOM,
//!   UTF-16 with BOM), refusing binary and empty files with a clear message.
//! * [`document`]: whole documents (plain text, Markdown, simple HTML, DOCX) as
//!   paragraphs, for segmentation and alignment.
//! * [`tmx`]: TMX 1.4b (and 1.1) streaming reader and deterministic writer.

pub mod document;
pub mod input;
pub mod tabular;
pub mod tmx;

use std::io::BufRead;
use std::path::Path;

use crate::error::{Error, Result};

/// A memory file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Tab-separated values, header row of language tags.
    Tsv,
    /// Comma-separated values (RFC 4180), header row of language tags.
    Csv,
    /// TMX 1.4b (reads 1.1 too).
    Tmx,
}

impl Format {
    /// The format a file name implies, from its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::from_name(&ext)
    }

    /// Parse a format name (`tsv`, `csv`, `tmx`; `tab` and `txt` mean TSV).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "tsv" | "tab" | "txt" => Some(Format::Tsv),
            "csv" => Some(Format::Csv),
            "tmx" => Some(Format::Tmx),
            _ => None,
        }
    }

    /// The format of `path`: `explicit` if given, else from the extension.
    pub fn resolve(path: &Path, explicit: Option<Format>) -> Result<Format> {
        explicit.or_else(|| Format::from_path(path)).ok_or_else(|| {
            Error::parse_file(
                path,
                "cannot tell the format from the file name; name it with --format tsv|csv|tmx",
            )
        })
    }

    /// The usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
            Format::Csv => "csv",
            Format::Tmx => "tmx",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

use crate::unit::Unit;

/// Read every unit of a memory file (TSV, CSV or TMX), calling `on_unit` for each in file
/// order. The file name (without directories) becomes each unit's origin unless the file
/// says otherwise.
pub fn read_memory_file<F>(path: &Path, format: Format, mut on_unit: F) -> Result<()>
where
    F: FnMut(Unit) -> Result<()>,
{
    let origin = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let input = input::open_text(path)?;
    match format {
        Format::Tsv | Format::Csv => {
            let mut reader = input.reader;
            let delim = if format == Format::Tsv {
                b'\t'
            } else {
                let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
                tabular::sniff_csv_delimiter(head)
            };
            let mut any = false;
            tabular::parse_rows(reader, path, delim, |row| {
                any = true;
                on_unit(row.into_unit(&origin))
            })?;
            if !any {
                return Err(Error::parse_file(path, "the file has a header but no rows"));
            }
            Ok(())
        }
        Format::Tmx => {
            tmx::read_tmx(input.reader, path, &origin, on_unit)?;
            Ok(())
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportReport {
    /// Units written.
    pub units: u64,
    /// The language columns or variants written.
    pub languages: Vec<String>,
    /// TSV cells whose TAB or line break was replaced by a space.
    pub flattened_cells: u64,
    /// TMX: characters XML 1.0 cannot carry (control characters), written as U+FFFD.
    pub replaced_chars: u64,
}

/// Write the memory to `out` in `format`, units in id order (deterministic, so exports
/// can be kept in git and diffed). Only variants whose language one of `langs` selects
/// are written (all when `langs` is empty); units left with fewer than two are skipped.
pub fn write_memory<W: std::io::Write>(
    mem: &crate::store::Memory,
    format: Format,
    langs: &[crate::lang::LangRange],
    out: W,
) -> Result<ExportReport> {
    let languages: Vec<crate::lang::LangTag> = mem
        .languages()?
        .into_iter()
        .filter(|t| langs.is_empty() || langs.iter().any(|r| r.matches(t)))
        .collect();
    let mut sorted = languages;
    sorted.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    let mut report = ExportReport {
        languages: sorted.iter().map(|t| t.to_string()).collect(),
        ..ExportReport::default()
    };
    match format {
        Format::Tsv | Format::Csv => {
            let with_meta = mem.has_unit_metadata()?;
            // Dates, people and properties become columns, so that the table imports
            // back as the same units.
            let mut extra: Vec<tabular::Column> = Vec::new();
            mem.for_each_unit(langs, 2, |u| {
                let m = &u.meta;
                for (set, col) in [
                    (m.creator.is_some(), tabular::Column::Creator),
                    (m.created.is_some(), tabular::Column::Created),
                    (m.changer.is_some(), tabular::Column::Changer),
                    (m.changed.is_some(), tabular::Column::Changed),
                ] {
                    if set && !extra.contains(&col) {
                        extra.push(col);
                    }
                }
                for p in &m.extra.props {
                    let col = tabular::Column::Prop(p.kind.clone());
                    if !extra.contains(&col) && tabular::is_property_column(&p.kind) {
                        extra.push(col);
                    }
                }
                Ok(())
            })?;
            // The fixed columns first, in the order the reader documents.
            extra.sort_by_key(|c| match c {
                tabular::Column::Creator => 0,
                tabular::Column::Created => 1,
                tabular::Column::Changer => 2,
                tabular::Column::Changed => 3,
                _ => 4,
            });
            let mut w = tabular::TableWriter::with_columns(
                out,
                format == Format::Tsv,
                sorted,
                with_meta,
                extra,
            )?;
            mem.for_each_unit(langs, 2, |u| {
                report.units += 1;
                w.write_unit(&u)
            })?;
            report.flattened_cells = w.flattened;
            w.finish()?;
        }
        Format::Tmx => {
            // The header's srclang: the first language of the export when every unit
            // written has it (OmegaT refuses a TMX without srclang), else `*all*`.
            let srclang = match sorted.first() {
                Some(first) => {
                    // Only the languages are needed: no unit text is read.
                    let mut all = true;
                    mem.for_each_unit_languages(|tags| {
                        let selected = tags
                            .iter()
                            .filter(|t| langs.is_empty() || langs.iter().any(|r| r.matches(t)));
                        let (mut n, mut has_first) = (0, false);
                        for t in selected {
                            n += 1;
                            has_first |= t == first;
                        }
                        // Units with fewer than two selected variants are not written.
                        all = all && (n < 2 || has_first);
                        Ok(())
                    })?;
                    if all {
                        first.to_string()
                    } else {
                        "*all*".to_string()
                    }
                }
                None => "*all*".to_string(),
            };
            let mut w = tmx::TmxWriter::new(out, &srclang)?;
            mem.for_each_unit(langs, 2, |u| {
                report.units += 1;
                w.write_unit(&u)
            })?;
            report.replaced_chars = w.replaced_chars;
            w.finish()?;
        }
    }
    Ok(report)
}
