//! Reading and writing the files translators' other tools speak.
//!
//! `formats/` owns every reader and writer of concord; the rest of the crate works with
//! what they produce (units for the memory, segments for lint, glossaries) and never
//! parses a file itself.
//!
//! * [`input`]: opening a user's file: encoding detection (UTF-8 with or without BOM,
//!   UTF-16 with BOM), refusing binary data, directories and empty files with a clear
//!   message; pipes and FIFOs are read like files. Decoding errors name their line.
//! * [`sniff`]: the format of a file whose name does not say it (a pipe, `job.dat`), told
//!   from its content: XLIFF (and its flavour), TMX, HTML, DOCX, a TSV/CSV header of
//!   language tags, else plain text ([`sniff::resolve_as`]: a named format, else the
//!   extension, else the content).
//! * [`document`]: whole documents (plain text, Markdown, simple HTML, DOCX) as
//!   paragraphs, for segmentation and alignment ([`document::segment_document`]).
//! * [`srx`]: SRX 2.0 segmentation rules, read into the model of [`crate::segment`]
//!   (the shipped default and a user's file in front of it).
//! * [`tabular`]: TSV (split on tabs only) and CSV (RFC 4180) memories with a header row
//!   of language tags. It holds the one delimiter sniffer ([`tabular::sniff_delimiter`])
//!   and the one header-cell language detector ([`tabular::header_lang`],
//!   [`tabular::looks_like_tag`]) that memories, drafts and glossaries share.
//! * [`tbx`]: TBX glossaries (TBX-Basic/TBX-Core v3, TBX 2008 `martif`, legacy
//!   encodings; DTDs and entities refused) and the TBX-Basic v3 / martif writer.
//! * [`tmx`]: TMX 1.4b (and 1.1) streaming memory reader and deterministic writer.
//! * [`xliff`]: the one XLIFF reader. XLIFF 1.2 (with the SDLXLIFF and memoQ MQXLIFF
//!   flavours) and 2.0 drafts, and TMX drafts, read with their raw text, inline codes and
//!   positions (`lint`, and `analyze` through [`job`]); the same reader in import mode,
//!   bilingual files into memory units ([`xliff::read_xliff_units`]); and in splice mode,
//!   a job to pretranslate with the byte offsets its writers need, in the same pass
//!   ([`xliff::read_xliff_doc`]).
//! * [`xliff_write`]: the memory as bilingual XLIFF 1.2 or 2.0 for two languages.
//! * [`xml`]: what the XML readers share: the document's text, line/column from a byte
//!   offset, refusing content after the root element.
//! * [`draft`]: drafts for `lint`: bilingual TSV/CSV, XLIFF, TMX, aligned plain text;
//!   readers stream [`draft::DraftEvent`]s whose [`segment::Segment`]s carry the line
//!   and column of each text, its raw (untrimmed, unnormalized) text and inline codes.
//! * [`bilingual`]: the model of an XLIFF file as a job to pretranslate (segments with
//!   raw inline codes and the byte offsets of their targets, filled by [`xliff`]), and
//!   [`bilingual::read_source`], the document a pretranslation reads (XLIFF, TMX,
//!   TSV/CSV, plain text).
//! * [`pretranslated`]: the writers of a pretranslation: XLIFF 1.2, XLIFF 2.0 (matches
//!   module), the input's own XLIFF flavour spliced byte for byte, and TSV.
//! * [`job`]: the source documents of a translation job (`analyze`, `pretranslate`):
//!   text, Markdown, HTML, DOCX (split into sentences), TSV/CSV with a source column,
//!   XLIFF, SDLXLIFF, MQXLIFF and TMX, several files in order, as [`job::JobSegment`]s.
//! * [`analysis`]: the reports of `analyze` (text table, CSV, Trados analysis XML).
//! * [`import`]: importing memory files into a memory in one transaction
//!   ([`import::ImportPlan`]).
//! * [`segment`]: the segment model the draft readers produce and lint consumes.
//! * [`glossary`]: glossary tables (the canonical CSV and the Google, headerless, DeepL,
//!   TSV and Excel layouts), read into and written from the model of
//!   [`crate::glossary`].
//!
//! # Format names
//!
//! [`FileFormat::from_name`] is the one table of format names (`--format` values and
//! file extensions): `tsv`/`tab`, `csv`, `tmx`, `xliff` (also `xlf`, `xlz`, `sdlxliff`,
//! `mqxliff`, `mxliff`), `text` (also `txt`), and the documents `md`/`markdown`,
//! `html`/`htm`/`xhtml` and `docx`. `txt` means plain text; where a plain
//! text cannot be meant (a memory or a glossary is always a table), a `.txt` file is
//! read as TSV, as concord always did.
//!
//! # Stored form
//!
//! Memory readers (TSV/CSV, TMX) build every variant through one function,
//! `stored_variant`, which applies the stored form with [`crate::text`] (the one module
//! that normalizes text); TMX markup is normalized with [`crate::text::nfc`]. Draft
//! readers never normalize: lint sees what the file holds.

pub mod analysis;
pub mod bilingual;
mod csv_lines;
pub mod document;
pub mod draft;
pub mod glossary;
pub mod import;
pub mod input;
pub mod job;
pub mod pretranslated;
pub mod segment;
pub mod sniff;
pub mod splice;
pub mod srx;
pub mod tabular;
pub mod tbx;
pub mod tmx;
pub mod xliff;
pub mod xliff_write;
pub mod xml;

use std::path::Path;

use crate::error::{Error, Result};

/// Every file format concord reads or writes, as the one table of names knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Tab-separated values (`tsv`, `tab`).
    Tsv,
    /// Comma-separated values, RFC 4180 (`csv`); the delimiter is sniffed.
    Csv,
    /// TMX (`tmx`).
    Tmx,
    /// XLIFF 1.x/2.x with SDLXLIFF and MQXLIFF (`xliff`, `xlf`, `xlz`, `sdlxliff`,
    /// `mqxliff`, `mxliff`).
    Xliff,
    /// Plain text, one segment per line (`text`, `txt`).
    Text,
    /// Markdown, a document for segmentation and alignment (`md`, `markdown`).
    Markdown,
    /// HTML, a document for segmentation and alignment (`html`, `htm`, `xhtml`).
    Html,
    /// A Word document (Office Open XML), for segmentation and alignment (`docx`).
    Docx,
}

impl FileFormat {
    /// Parse a format name or a file extension, case-insensitively (see the module
    /// documentation for the table).
    pub fn from_name(name: &str) -> Option<FileFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "tsv" | "tab" => FileFormat::Tsv,
            "csv" => FileFormat::Csv,
            "tmx" => FileFormat::Tmx,
            "xliff" | "xlf" | "xlz" | "sdlxliff" | "mqxliff" | "mxliff" | "xliff2" => {
                FileFormat::Xliff
            }
            "text" | "txt" => FileFormat::Text,
            "md" | "markdown" => FileFormat::Markdown,
            "html" | "htm" | "xhtml" => FileFormat::Html,
            "docx" => FileFormat::Docx,
            _ => return None,
        })
    }

    /// The format's name in messages (`TSV`, `plain text`, `Markdown`...).
    pub fn title(self) -> &'static str {
        match self {
            FileFormat::Tsv => "TSV",
            FileFormat::Csv => "CSV",
            FileFormat::Tmx => "TMX",
            FileFormat::Xliff => "XLIFF",
            FileFormat::Text => "plain text",
            FileFormat::Markdown => "Markdown",
            FileFormat::Html => "HTML",
            FileFormat::Docx => "DOCX",
        }
    }

    /// The format a file's extension names.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        FileFormat::from_name(path.extension()?.to_str()?)
    }
}

/// A memory file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Tab-separated values, header row of language tags.
    Tsv,
    /// Comma-separated values (RFC 4180), header row of language tags.
    Csv,
    /// TMX 1.4b (reads 1.1 too).
    Tmx,
    /// Bilingual XLIFF (`xliff` and its file extensions): import reads XLIFF 1.x (with
    /// SDLXLIFF and MQXLIFF) and 2.x alike ([`xliff::read_xliff_units`]); export writes
    /// XLIFF 1.2 ([`xliff_write`]).
    Xliff,
    /// XLIFF 2.0 (`xliff2`): export writes XLIFF 2.0; import reads it as [`Format::Xliff`].
    Xliff2,
}

impl Format {
    /// The format a file name implies, from its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::from_name(&ext)
    }

    /// Parse a format name (`tsv`, `csv`, `tmx`, `xliff` and its extensions, `xliff2`;
    /// `tab` and `txt` mean TSV: a memory has no plain-text form, so `txt` keeps its old
    /// meaning here).
    pub fn from_name(name: &str) -> Option<Format> {
        if name.eq_ignore_ascii_case("xliff2") {
            return Some(Format::Xliff2);
        }
        <Format as sniff::Family>::named(FileFormat::from_name(name)?)
    }

    /// The format of `path`: `explicit` if given, else from the extension.
    pub fn resolve(path: &Path, explicit: Option<Format>) -> Result<Format> {
        explicit.or_else(|| Format::from_path(path)).ok_or_else(|| {
            Error::parse_file(path, "cannot tell the format from the file name")
                .with_hint(crate::error::Hint::GiveFormat)
        })
    }

    /// The usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
            Format::Csv => "csv",
            Format::Tmx => "tmx",
            Format::Xliff | Format::Xliff2 => "xlf",
        }
    }

    /// The format's name (`tsv`, `csv`, `tmx`, `xliff`, `xliff2`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Xliff => "xliff",
            Format::Xliff2 => "xliff2",
            other => other.extension(),
        }
    }
}

/// A memory's formats. A `.txt` file is TSV (a memory has no plain-text form); content
/// must be a table with a header of language tags, TMX or XLIFF: prose is refused.
impl sniff::Family for Format {
    const WHAT: &'static str = "memory";
    const TAKES: &'static str = "TSV, CSV, TMX, XLIFF";
    const HINT: crate::error::Hint = crate::error::Hint::GiveFormat;
    fn named(f: FileFormat) -> Option<Format> {
        match f {
            FileFormat::Tsv | FileFormat::Text => Some(Format::Tsv),
            FileFormat::Csv => Some(Format::Csv),
            FileFormat::Tmx => Some(Format::Tmx),
            FileFormat::Xliff => Some(Format::Xliff),
            FileFormat::Markdown | FileFormat::Html | FileFormat::Docx => None,
        }
    }
    fn sniffed(s: &sniff::Sniffed) -> Option<Format> {
        match s {
            sniff::Sniffed::Text => None,
            s => s.format().and_then(Format::named),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

use crate::unit::{Extra, Unit, Variant};

/// The one place where memory readers turn a raw segment text into a variant: the text
/// in stored form ([`crate::text::into_stored_form`]: NFC, trimmed).
pub(crate) fn stored_variant(
    lang: crate::lang::LangTag,
    raw: String,
    markup: Option<String>,
    extra: Extra,
) -> Variant {
    Variant {
        lang,
        text: crate::text::into_stored_form(raw),
        markup,
        extra,
    }
}

/// Read every unit of a memory file (TSV, CSV, TMX or XLIFF), calling `on_unit` for each
/// in file order. The file name (without directories) becomes each unit's origin unless
/// the file says otherwise.
pub fn read_memory_file<F>(path: &Path, format: Format, on_unit: F) -> Result<()>
where
    F: FnMut(Unit) -> Result<()>,
{
    read_memory_file_counted(path, format, on_unit).map(|_| ())
}

/// [`read_memory_file`], returning what a bilingual (XLIFF) file held that did not
/// become a unit: untranslated, rejected and empty segments (all zero for the other
/// formats).
pub fn read_memory_file_counted<F>(
    path: &Path,
    format: Format,
    mut on_unit: F,
) -> Result<xliff::Skipped>
where
    F: FnMut(Unit) -> Result<()>,
{
    if matches!(format, Format::Xliff | Format::Xliff2) {
        return xliff::read_xliff_units(path, &origin_of(path), &mut on_unit);
    }
    read_text_memory(path, input::open_text(path)?, format, on_unit)?;
    Ok(xliff::Skipped::default())
}

/// Read every unit of a TSV, CSV or TMX memory held in `bytes`, as [`read_memory_file`]
/// reads a file; `path` names it in messages and gives the units' origin (the fuzz
/// targets read this way). XLIFF is read from a file only: asking for it here is an
/// [`ErrorKind::BadRequest`](crate::error::ErrorKind::BadRequest).
pub fn read_memory_bytes<F>(bytes: Vec<u8>, path: &Path, format: Format, on_unit: F) -> Result<()>
where
    F: FnMut(Unit) -> Result<()>,
{
    if matches!(format, Format::Xliff | Format::Xliff2) {
        return Err(Error::bad_request(
            "XLIFF memories are read from a file (read_memory_file)",
        ));
    }
    read_text_memory(path, input::open_bytes(path, bytes)?, format, on_unit)
}

fn origin_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_text_memory<F>(
    path: &Path,
    input: input::TextInput,
    format: Format,
    mut on_unit: F,
) -> Result<()>
where
    F: FnMut(Unit) -> Result<()>,
{
    let origin = origin_of(path);
    match format {
        Format::Tsv | Format::Csv => {
            let mut reader = input.reader;
            let delim = tabular::delimiter_of(&mut reader, path, format == Format::Tsv)?;
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
        Format::Xliff | Format::Xliff2 => Err(Error::bad_request(
            "XLIFF memories are read from a file (read_memory_file)",
        )),
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
/// XLIFF is bilingual: `langs` must then name two languages, the source first, and only
/// units with both are written ([`xliff_write`]).
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
        Format::Xliff | Format::Xliff2 => {
            let version = if format == Format::Xliff {
                xliff_write::Version::V12
            } else {
                xliff_write::Version::V20
            };
            return xliff_write::write_memory_xliff(mem, version, langs, out);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_memory_bytes_reads_as_the_file_does() {
        let dir = tempfile::tempdir().unwrap();
        let tmx = "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\
                   <tu><tuv xml:lang=\"en\"><seg>Peace</seg></tuv>\
                   <tuv xml:lang=\"ko\"><seg>평화</seg></tuv></tu></body></tmx>";
        let tsv = "en\tko\tzh-Hant\nSeoul\t서울\t首爾\n";
        for (name, format, text) in [
            ("m.tmx", Format::Tmx, tmx),
            ("m.tsv", Format::Tsv, tsv),
            ("m.csv", Format::Csv, "en,ko\n\"a, b\",가\n"),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            let (mut from_file, mut from_bytes) = (Vec::new(), Vec::new());
            read_memory_file(&p, format, |u| {
                from_file.push(u);
                Ok(())
            })
            .unwrap();
            read_memory_bytes(text.as_bytes().to_vec(), &p, format, |u| {
                from_bytes.push(u);
                Ok(())
            })
            .unwrap();
            assert_eq!(from_file.len(), 1, "{name}");
            assert_eq!(from_file, from_bytes, "{name}");
        }
        let e = read_memory_bytes(
            b"en\tko\n".to_vec(),
            Path::new("h.tsv"),
            Format::Tsv,
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(e.to_string().contains("h.tsv"), "{e}");
    }
}
