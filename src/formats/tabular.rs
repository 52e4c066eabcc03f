//! TSV and CSV memories: a header row of language tags, one unit per row.
//!
//! * TSV is split on TAB characters only: no quoting, no escaping (a `"` is an ordinary
//!   character). CR before LF is dropped. Blank lines are skipped.
//! * CSV follows RFC 4180 (quoted cells may hold commas, quotes and line breaks).
//! * The header names each column: a BCP 47 language tag (`en`, `ko-KR`, `zh-Hans`), or
//!   one of the metadata columns `note`, `origin`, `creator`, `created`, `changer`,
//!   `changed`. Any other column is kept as a unit property named after the column. A
//!   header must name at least two languages; a first row that names no language at all
//!   is reported as a missing header.
//! * Every row must have as many cells as the header. Rows are numbered by their line in
//!   the file, so errors point at the line a text editor shows.
//!
//! ```
//! use concord::formats::tabular::{parse_rows, Header};
//!
//! let tsv = "en\tko\tnote\nSeoul\t서울\tcapital\n";
//! let mut units = Vec::new();
//! parse_rows(tsv.as_bytes(), "cities.tsv".as_ref(), b'\t', |row| {
//!     units.push(row.into_unit("cities.tsv"));
//!     Ok(())
//! }).unwrap();
//! assert_eq!(units[0].variants[1].text, "서울");
//!
//! // A row with a missing cell is an error that names the file and the line.
//! let bad = "en\tko\nSeoul\n";
//! let err = parse_rows(bad.as_bytes(), "cities.tsv".as_ref(), b'\t', |_| Ok(())).unwrap_err();
//! assert_eq!(err.to_string(), "cities.tsv:2: this row has 1 cell, the header has 2");
//! # let _ = Header::parse;
//! ```

use std::io::{BufRead, Write};
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::lang::LangTag;
use crate::unit::{Prop, Unit, UnitMeta};

/// What a column of a TSV/CSV memory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// Segments in a language.
    Lang(LangTag),
    /// A unit note.
    Note,
    /// The unit's origin.
    Origin,
    /// Creator id.
    Creator,
    /// Creation date.
    Created,
    /// Last changer id.
    Changer,
    /// Last change date.
    Changed,
    /// Any other column: a unit property of that name.
    Prop(String),
}

/// A parsed header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The columns, in file order.
    pub columns: Vec<Column>,
}

impl Header {
    /// Parse header cells. `line` is the header's line number, for errors.
    pub fn parse(path: &Path, line: u64, cells: &[String]) -> Result<Header> {
        Header::parse_min(path, line, cells, 2)
    }

    /// Parse header cells that must name at least `min_langs` languages (a memory needs
    /// two; a job's source document one, [`super::job`]).
    pub fn parse_min(path: &Path, line: u64, cells: &[String], min_langs: usize) -> Result<Header> {
        crate::limits::check_columns(cells.len()).map_err(|m| Error::limit(path, line, m))?;
        let mut columns = Vec::with_capacity(cells.len());
        let mut lang_errors = Vec::new();
        for cell in cells {
            let name = header_cell(cell);
            let col = match name.to_ascii_lowercase().as_str() {
                "note" | "notes" | "comment" => Column::Note,
                "origin" | "source" => Column::Origin,
                "creator" | "creationid" => Column::Creator,
                "created" | "creationdate" => Column::Created,
                "changer" | "changeid" => Column::Changer,
                "changed" | "changedate" => Column::Changed,
                _ => match header_lang(name) {
                    Ok(Some(tag)) => Column::Lang(tag),
                    // A cell shaped like a language tag (`xx`, `en-XX`, `qq_QQ`) that does
                    // not parse is a mistake to report, not a property column.
                    Err(e) => {
                        return Err(Error::parse(path, line, format!("header: {e}")));
                    }
                    Ok(None) => {
                        if let Err(e) = LangTag::parse(name) {
                            lang_errors.push(e);
                        }
                        Column::Prop(name.to_string())
                    }
                },
            };
            columns.push(col);
        }
        let langs: Vec<&LangTag> = columns
            .iter()
            .filter_map(|c| match c {
                Column::Lang(t) => Some(t),
                _ => None,
            })
            .collect();
        crate::limits::check_languages(langs.len()).map_err(|m| Error::limit(path, line, m))?;
        if langs.is_empty() {
            let first = cells.first().map(|s| s.as_str()).unwrap_or("");
            return Err(Error::parse(
                path,
                line,
                format!(
                    "no header row naming the languages: the first line must name the columns, such as `en,ko,zh` in a CSV or `en<TAB>ko<TAB>zh` in a TSV (it starts with {first:?})"
                ),
            ));
        }
        if langs.len() < min_langs.max(1) {
            let extra = lang_errors
                .first()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            return Err(Error::parse(
                path,
                line,
                format!(
                    "the header names only one language ({}); a memory needs two or more{extra}",
                    langs[0]
                ),
            ));
        }
        for (i, a) in langs.iter().enumerate() {
            if let Some(b) = langs[i + 1..].iter().find(|b| a.same_variety(b)) {
                let what = if a == b {
                    format!("the header names language {a} twice")
                } else {
                    format!("the header names the same language twice ({a} and {b})")
                };
                return Err(Error::parse(path, line, what));
            }
        }
        Ok(Header { columns })
    }

    /// The language columns, in order.
    pub fn languages(&self) -> Vec<LangTag> {
        self.columns
            .iter()
            .filter_map(|c| match c {
                Column::Lang(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }
}

/// True when a column named `name` is read back as the unit property `name` (not as a
/// language, a metadata column or an error), so a property can be exported as a column.
pub fn is_property_column(name: &str) -> bool {
    if name.is_empty() || name != name.trim() || name.contains(['\t', '\n', '\r']) {
        return false;
    }
    let cells = ["en".to_string(), "ko".to_string(), name.to_string()];
    matches!(
        Header::parse(Path::new(""), 1, &cells),
        Ok(h) if h.columns[2] == Column::Prop(name.to_string())
    )
}

/// True for header cells with the shape of a language tag: two letters (`xx`), or
/// subtags joined by `-`/`_` whose first part has two or three letters (`en-XX`).
/// Three-letter words alone (`pos`, `key`) are column names, not tags.
///
/// This is the one rule every header reader uses (memories, drafts, glossaries): a
/// cell of this shape that does not parse is a mistake to report, any other cell that
/// is not a tag is a column name.
pub fn looks_like_tag(cell: &str) -> bool {
    let parts: Vec<&str> = cell.split(['-', '_']).collect();
    let first = parts[0];
    let alpha = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric());
    if !parts.iter().all(|p| alpha(p)) || !first.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    match parts.len() {
        1 => first.len() == 2,
        _ => (2..=3).contains(&first.len()) && parts[1..].iter().all(|p| p.len() <= 8),
    }
}

/// A header cell as the readers see it: white space and stray byte-order marks around
/// it removed (a file saved twice by Excel starts with two BOMs; the first is removed
/// when the file is opened, the second would glue itself to the first column's name).
pub fn header_cell(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

/// What a header cell says about languages: `Ok(Some(tag))` for a language tag,
/// `Ok(None)` for a cell that is not meant as one (a column name), `Err` for a cell with
/// the shape of a tag ([`looks_like_tag`]) that does not parse. The one language-tag
/// detector of the table readers.
pub fn header_lang(cell: &str) -> std::result::Result<Option<LangTag>, crate::lang::LangError> {
    let name = header_cell(cell);
    match LangTag::parse(name) {
        Ok(t) => Ok(Some(t)),
        Err(e) if looks_like_tag(name) => Err(e),
        Err(_) => Ok(None),
    }
}

/// One data row with its header.
#[derive(Debug)]
pub struct Row<'h> {
    /// The header.
    pub header: &'h Header,
    /// Line number of the row in the file (1-based; the header is line 1 unless blank
    /// lines precede it).
    pub line: u64,
    /// Row number (1-based, the header is not a row).
    pub number: u64,
    /// The cells.
    pub cells: Vec<String>,
    /// Where the row is in the UTF-8 text read (after a byte-order mark): from its first
    /// byte to its end (a CSV row's end may include its line end). A fixer finds a cell's
    /// bytes in it ([`crate::formats::splice`]).
    pub bytes: std::ops::Range<u64>,
}

impl Row<'_> {
    /// The cell of language `tag`, if the header has it.
    pub fn text(&self, tag: &LangTag) -> Option<&str> {
        self.header
            .columns
            .iter()
            .position(|c| matches!(c, Column::Lang(t) if t == tag))
            .map(|i| self.cells[i].as_str())
    }

    /// Turn the row into a unit; `origin` is used unless the row has an origin column.
    pub fn into_unit(self, origin: &str) -> Unit {
        let mut meta = UnitMeta {
            origin: Some(origin.to_string()),
            ..UnitMeta::default()
        };
        let mut variants = Vec::new();
        for (col, cell) in self.header.columns.iter().zip(self.cells) {
            let trimmed = cell.trim();
            if trimmed.is_empty() {
                continue;
            }
            // Keep the cell's own buffer when there is nothing to trim.
            let value = if trimmed.len() == cell.len() {
                cell
            } else {
                trimmed.to_string()
            };
            match col {
                Column::Lang(t) => variants.push(super::stored_variant(
                    t.clone(),
                    value,
                    None,
                    Default::default(),
                )),
                Column::Note => meta.extra.notes.push(value),
                Column::Origin => meta.origin = Some(value),
                Column::Creator => meta.creator = Some(value),
                Column::Created => meta.created = Some(value),
                Column::Changer => meta.changer = Some(value),
                Column::Changed => meta.changed = Some(value),
                Column::Prop(name) => meta.extra.props.push(Prop {
                    kind: name.clone(),
                    value,
                }),
            }
        }
        let mut u = Unit::new(variants);
        u.meta = meta;
        u
    }
}

/// The delimiter of a CSV file from its first non-blank line: the most frequent of `,`
/// `;` TAB outside double quotes (`,` when none occurs; ties prefer `,`, then `;`).
/// Excel writes `;` in locales whose decimal mark is `,`. The one sniffer of concord:
/// memories, drafts and glossaries all use it.
pub fn sniff_delimiter(first_bytes: &[u8]) -> u8 {
    let line = first_bytes
        .split(|b| *b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(&[]);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).fold(0, |b, i| if counts[i] > counts[b] { i } else { b });
    [b',', b';', b'\t'][best]
}

/// The header line of a CSV that concord writes: a cell holding `;` or a tab is quoted as
/// well as one holding `,`, a quote or a line break, so that [`sniff_delimiter`], which
/// reads the first line outside quotes, finds `,` when the file is read back (a column
/// named `notes; remarks` made the export of a glossary or memory read back as a
/// `;`-separated file). Ends with `\n`.
pub(crate) fn csv_header_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        let c = c.as_ref();
        if i > 0 {
            line.push(',');
        }
        if c.contains([',', ';', '\t', '"', '\r', '\n']) {
            line.push('"');
            line.push_str(&c.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(c);
        }
    }
    line.push('\n');
    line
}

/// The delimiter of a table being read: a tab for TSV; for CSV, [`sniff_delimiter`] on the
/// start of the file, looked at without consuming it. Memories, drafts and job files all
/// choose it here.
pub(crate) fn delimiter_of<R: BufRead>(reader: &mut R, path: &Path, tsv: bool) -> Result<u8> {
    if tsv {
        return Ok(b'\t');
    }
    let head = reader
        .fill_buf()
        .map_err(|e| super::input::read_error(path, 1, &e))?;
    Ok(sniff_delimiter(head))
}

/// The delimiter of a CSV file from its first line (kept for callers of the old name;
/// see [`sniff_delimiter`]).
pub fn sniff_csv_delimiter(first_bytes: &[u8]) -> u8 {
    sniff_delimiter(first_bytes)
}

/// What a NUL character (U+0000) in a table's text is called in errors.
pub(crate) const NUL_MESSAGE: &str =
    "a NUL character (U+0000) in the text: the file is binary or damaged";

/// Read a TSV (`delimiter == b'\t'`) or CSV (any other delimiter) memory from UTF-8
/// bytes, calling `on_row` for every data row. A NUL character is an error at its line.
pub fn parse_rows<R, F>(reader: R, path: &Path, delimiter: u8, on_row: F) -> Result<Header>
where
    R: BufRead,
    F: FnMut(Row<'_>) -> Result<()>,
{
    parse_rows_min(reader, path, delimiter, 2, on_row)
}

/// [`parse_rows`] for a table whose header names at least `min_langs` languages (see
/// [`Header::parse_min`]).
pub fn parse_rows_min<R, F>(
    reader: R,
    path: &Path,
    delimiter: u8,
    min_langs: usize,
    mut on_row: F,
) -> Result<Header>
where
    R: BufRead,
    F: FnMut(Row<'_>) -> Result<()>,
{
    let mut header: Option<Header> = None;
    let mut number = 0u64;
    let mut handle = |line: u64, cells: Vec<String>, bytes: std::ops::Range<u64>| -> Result<()> {
        // A NUL is no text: stored, it would make the export a file every reader
        // refuses as binary (found by fuzzing a UTF-16 memory, where NUL is two bytes).
        if cells.iter().any(|c| c.contains('\0')) {
            return Err(Error::parse(path, line, NUL_MESSAGE));
        }
        match &header {
            None => {
                header = Some(Header::parse_min(path, line, &cells, min_langs)?);
            }
            Some(h) => {
                if cells.len() != h.columns.len() {
                    return Err(Error::parse(
                        path,
                        line,
                        format!(
                            "this row has {} cell{}, the header has {}",
                            cells.len(),
                            if cells.len() == 1 { "" } else { "s" },
                            h.columns.len()
                        ),
                    ));
                }
                for c in &cells {
                    crate::limits::check_segment(c).map_err(|m| Error::limit(path, line, m))?;
                }
                number += 1;
                on_row(Row {
                    header: h,
                    line,
                    number,
                    cells,
                    bytes,
                })?;
            }
        }
        Ok(())
    };
    if delimiter == b'\t' {
        read_tsv(reader, path, &mut handle)?;
    } else {
        read_csv(reader, path, delimiter, &mut handle)?;
    }
    header.ok_or_else(|| Error::parse_file(path, "the file has no rows (not even a header)"))
}

fn read_tsv<R: BufRead>(
    mut reader: R,
    path: &Path,
    handle: &mut dyn FnMut(u64, Vec<String>, std::ops::Range<u64>) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut line = 0u64;
    let mut at = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_error(path, line + 1, e))?;
        if n == 0 {
            break;
        }
        let start = at;
        at += n as u64;
        line += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let text = std::str::from_utf8(&buf).map_err(|e| {
            Error::parse(
                path,
                line,
                format!(
                    "invalid UTF-8 at byte {} of the line (save the file as UTF-8)",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let end = start + buf.len() as u64;
        handle(
            line,
            text.split('\t').map(str::to_string).collect(),
            start..end,
        )?;
    }
    Ok(())
}

fn read_csv<R: BufRead>(
    reader: R,
    path: &Path,
    delimiter: u8,
    handle: &mut dyn FnMut(u64, Vec<String>, std::ops::Range<u64>) -> Result<()>,
) -> Result<()> {
    let (reader, lines) = super::csv_lines::Tracked::new(reader, delimiter);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader);
    let mut rec = csv::ByteRecord::new();
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let line = lines.borrow().current_line();
            match e.kind() {
                csv::ErrorKind::Io(io) => super::input::read_error(path, line, io),
                _ => Error::parse(path, line, format!("malformed CSV: {e}")),
            }
        })?;
        if !more {
            break;
        }
        // The crate's own line is wrong after CRLF and blank lines (see csv_lines).
        let line = rec
            .position()
            .and_then(|p| lines.borrow_mut().line_of(p.byte()))
            .unwrap_or_else(|| rec.position().map(|p| p.line()).unwrap_or(0));
        let bytes = rec.position().map(|p| p.byte()).unwrap_or(0)..rdr.position().byte();
        if rec
            .iter()
            .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
        {
            continue;
        }
        let mut cells = Vec::with_capacity(rec.len());
        for (i, f) in rec.iter().enumerate() {
            let s = std::str::from_utf8(f).map_err(|_| {
                Error::parse(
                    path,
                    line,
                    format!("invalid UTF-8 in cell {} (save the file as UTF-8)", i + 1),
                )
            })?;
            cells.push(s.to_string());
        }
        handle(line, cells, bytes)?;
    }
    Ok(())
}

fn read_error(path: &Path, line: u64, e: std::io::Error) -> Error {
    super::input::read_error(path, line, &e)
}

/// Writes units as TSV or CSV with a fixed set of columns.
pub struct TableWriter<W: Write> {
    out: TableSink<W>,
    languages: Vec<LangTag>,
    with_meta: bool,
    extra: Vec<Column>,
    /// Cells whose TAB or line break had to be replaced by a space (TSV only).
    pub flattened: u64,
}

enum TableSink<W: Write> {
    Tsv(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> TableWriter<W> {
    /// Start a table with these language columns; `with_meta` adds `origin` and `note`.
    pub fn new(out: W, tsv: bool, languages: Vec<LangTag>, with_meta: bool) -> Result<Self> {
        Self::with_columns(out, tsv, languages, with_meta, Vec::new())
    }

    /// Like [`TableWriter::new`], with more columns after `origin` and `note`: `creator`,
    /// `created`, `changer`, `changed` and unit properties ([`Column::Prop`]), so that a
    /// table read back gives the same units. Language, note and origin columns in `extra`
    /// are ignored.
    pub fn with_columns(
        out: W,
        tsv: bool,
        languages: Vec<LangTag>,
        with_meta: bool,
        extra: Vec<Column>,
    ) -> Result<Self> {
        let extra: Vec<Column> = extra
            .into_iter()
            .filter(|c| !matches!(c, Column::Lang(_) | Column::Note | Column::Origin))
            .collect();
        let mut head: Vec<String> = languages.iter().map(|t| t.to_string()).collect();
        if with_meta {
            head.push("origin".into());
            head.push("note".into());
        }
        head.extend(extra.iter().map(|c| match c {
            Column::Creator => "creator".to_string(),
            Column::Created => "created".to_string(),
            Column::Changer => "changer".to_string(),
            Column::Changed => "changed".to_string(),
            Column::Prop(name) => name.clone(),
            Column::Lang(_) | Column::Note | Column::Origin => unreachable!("filtered out"),
        }));
        let sink = if tsv {
            TableSink::Tsv(out)
        } else {
            let mut out = out;
            out.write_all(csv_header_line(&head).as_bytes())
                .map_err(|e| Error::new(ErrorKind::OutputIo, format!("writing the table: {e}")))?;
            TableSink::Csv(Box::new(
                csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(out),
            ))
        };
        let mut w = TableWriter {
            out: sink,
            languages,
            with_meta,
            extra,
            flattened: 0,
        };
        if tsv {
            w.write_cells(head)?;
        }
        Ok(w)
    }

    /// Write one unit (languages it lacks give empty cells).
    pub fn write_unit(&mut self, unit: &Unit) -> Result<()> {
        let mut cells: Vec<String> = self
            .languages
            .iter()
            .map(|t| unit.variant(t).map(|v| v.text.clone()).unwrap_or_default())
            .collect();
        if self.with_meta {
            cells.push(unit.meta.origin.clone().unwrap_or_default());
            cells.push(unit.meta.extra.notes.join("\n"));
        }
        let m = &unit.meta;
        for c in &self.extra {
            cells.push(match c {
                Column::Creator => m.creator.clone().unwrap_or_default(),
                Column::Created => m.created.clone().unwrap_or_default(),
                Column::Changer => m.changer.clone().unwrap_or_default(),
                Column::Changed => m.changed.clone().unwrap_or_default(),
                Column::Prop(name) => {
                    let values: Vec<&str> = m
                        .extra
                        .props
                        .iter()
                        .filter(|p| &p.kind == name)
                        .map(|p| p.value.as_str())
                        .collect();
                    values.join("\n")
                }
                Column::Lang(_) | Column::Note | Column::Origin => String::new(),
            });
        }
        self.write_cells(cells)
    }

    fn write_cells(&mut self, cells: Vec<String>) -> Result<()> {
        let io =
            |e: std::io::Error| Error::new(ErrorKind::OutputIo, format!("writing the table: {e}"));
        match &mut self.out {
            TableSink::Tsv(w) => {
                let mut first = true;
                for c in cells {
                    if !first {
                        w.write_all(b"\t").map_err(io)?;
                    }
                    first = false;
                    if c.contains(['\t', '\n', '\r']) {
                        self.flattened += 1;
                        let flat: String = c
                            .chars()
                            .map(|ch| {
                                if matches!(ch, '\t' | '\n' | '\r') {
                                    ' '
                                } else {
                                    ch
                                }
                            })
                            .collect();
                        w.write_all(flat.as_bytes()).map_err(io)?;
                    } else {
                        w.write_all(c.as_bytes()).map_err(io)?;
                    }
                }
                w.write_all(b"\n").map_err(io)?;
            }
            TableSink::Csv(w) => {
                w.write_record(&cells).map_err(|e| {
                    Error::new(ErrorKind::OutputIo, format!("writing the table: {e}"))
                })?;
            }
        }
        Ok(())
    }

    /// Flush and return the writer.
    pub fn finish(self) -> Result<W> {
        match self.out {
            TableSink::Tsv(mut w) => {
                w.flush().map_err(|e| {
                    Error::new(ErrorKind::OutputIo, format!("writing the table: {e}"))
                })?;
                Ok(w)
            }
            TableSink::Csv(w) => w
                .into_inner()
                .map_err(|e| Error::new(ErrorKind::OutputIo, format!("writing the table: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabular_utf16_nul_is_refused_not_stored() {
        // Fuzzing: a UTF-16 TSV holding U+0000 was read into a unit whose export
        // (a TSV with a NUL byte) concord then refused as binary.
        let mut le = vec![0xFF, 0xFE];
        for u in "en\tko\nSeoul\t서울\n1\u{0}2\t하나\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let input = crate::formats::input::open_bytes(Path::new("m.tsv"), le).unwrap();
        let mut rows = 0;
        let e = parse_rows(input.reader, Path::new("m.tsv"), b'\t', |_| {
            rows += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(rows, 1);
        assert_eq!(e.kind(), &crate::error::ErrorKind::Parse);
        assert!(
            e.to_string().contains("m.tsv:3:") && e.to_string().contains("NUL"),
            "{e}"
        );
        let csv = "en,ko\n\"a\u{0}\",가\n";
        let e = parse_rows(csv.as_bytes(), Path::new("m.csv"), b',', |_| Ok(())).unwrap_err();
        assert!(
            e.to_string().contains("m.csv:2:") && e.to_string().contains("NUL"),
            "{e}"
        );
    }

    fn rows(text: &str, delim: u8) -> Result<Vec<Unit>> {
        let mut out = vec![];
        parse_rows(text.as_bytes(), Path::new("t"), delim, |r| {
            out.push(r.into_unit("t"));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn tsv_quotes_are_plain_characters() {
        let u = rows("en\tko\n\"Yes,\" he said\t\"네\"라고 말했다\n", b'\t').unwrap();
        assert_eq!(u[0].variants[0].text, "\"Yes,\" he said");
    }

    #[test]
    fn csv_quoting_and_crlf() {
        let u = rows(
            "en,zh,note\r\n\"Seoul, Korea\",\"首尔\",\"a \"\"note\"\"\"\r\n",
            b',',
        )
        .unwrap();
        assert_eq!(u[0].variants[0].text, "Seoul, Korea");
        assert_eq!(u[0].meta.extra.notes, vec!["a \"note\""]);
    }

    #[test]
    fn header_errors() {
        let e = rows("Hello\t안녕\nBye\t잘가\n", b'\t').unwrap_err();
        assert!(e.to_string().starts_with("t:1: no header row"), "{e}");
        let e = rows("en\tqq\nHello\t안녕\n", b'\t').unwrap_err();
        assert!(e.to_string().contains("unknown language \"qq\""), "{e}");
        let e = rows("en\tko_XX_!\nHello\t안녕\n", b'\t').unwrap_err();
        assert!(e.to_string().contains("only one language"), "{e}");
        let e = rows("en-US\tzh-Hanz-CN-x\nHello\t你好\n", b'\t').unwrap_err();
        assert!(e.to_string().starts_with("t:1: header: malformed"), "{e}");
        let e = rows("en\tEN\na\tb\n", b'\t').unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        let e = rows("en\tzh-CN\tzh-Hans\na\tb\tc\n", b'\t').unwrap_err();
        assert!(
            e.to_string()
                .contains("same language twice (zh-CN and zh-Hans)"),
            "{e}"
        );
    }

    #[test]
    fn csv_delimiter_is_sniffed() {
        assert_eq!(
            sniff_csv_delimiter(b"en;ko;zh\r\nSeoul;\xec\x84\x9c\xec\x9a\xb8;x"),
            b';'
        );
        assert_eq!(sniff_csv_delimiter(b"en,ko\n\"a;b\",c"), b',');
        assert_eq!(sniff_csv_delimiter(b"en\tko\n"), b'\t');
        assert_eq!(sniff_csv_delimiter(b""), b',');
    }

    #[test]
    fn unknown_columns_become_props() {
        let u = rows("en\tko\tdomain\nSeoul\t서울\tplace\n", b'\t').unwrap();
        assert_eq!(u[0].meta.extra.props[0].kind, "domain");
    }

    /// Found by the `glossary` fuzz target: a header cell holding `;` twice made the
    /// written CSV sniff as `;`-separated when read back.
    #[test]
    fn csv_header_line_keeps_the_sniffer_on_commas() {
        let cells = ["en", "notes; remarks; more", "say \"hi\"", "tab\there"];
        let line = csv_header_line(&cells);
        assert_eq!(sniff_delimiter(line.as_bytes()), b',');
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = rdr.records().next().unwrap().unwrap();
        assert_eq!(rec.iter().collect::<Vec<_>>(), cells);
        assert_eq!(csv_header_line(&["en", "ko"]), "en,ko\n");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut bytes = b"en\tko\nok\tgood\nbad\t".to_vec();
        bytes.extend_from_slice(&[0xC3, 0x28]);
        bytes.push(b'\n');
        let e = parse_rows(&bytes[..], Path::new("t.tsv"), b'\t', |_| Ok(())).unwrap_err();
        assert!(e.to_string().starts_with("t.tsv:3: invalid UTF-8"), "{e}");
    }

    #[test]
    fn writer_round_trip() {
        let u = rows("en\tko\nSeoul\t서울\n", b'\t').unwrap();
        let langs = vec![LangTag::parse("en").unwrap(), LangTag::parse("ko").unwrap()];
        let mut w = TableWriter::new(Vec::new(), false, langs, false).unwrap();
        w.write_unit(&u[0]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, "en,ko\nSeoul,서울\n");
    }

    #[test]
    fn team_fixtures_tsv_and_excel_csv() {
        let mut units = vec![];
        let p = crate::testutil::data("memory-en-ko-zh.tsv");
        crate::formats::read_memory_file(&p, crate::formats::Format::Tsv, |u| {
            units.push(u);
            Ok(())
        })
        .unwrap();
        assert_eq!(units[0].variants.len(), 3);
        assert_eq!(units[0].meta.extra.props[0].kind, "domain");
        let p = crate::testutil::data("excel-en-ko.csv");
        let mut units = vec![];
        crate::formats::read_memory_file(&p, crate::formats::Format::Csv, |u| {
            units.push(u);
            Ok(())
        })
        .unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].variants[0].text, "Seoul, the capital");
        assert_eq!(units[0].meta.extra.notes, vec!["a; b"]);
    }

    #[test]
    fn one_header_detector() {
        assert_eq!(header_lang(" \u{FEFF}ko ").unwrap().unwrap().as_str(), "ko");
        assert!(header_lang("qq").is_err());
        assert!(header_lang("en-XX-!").unwrap().is_none());
        assert!(header_lang("pos").unwrap().is_none());
        assert!(looks_like_tag("zh_TW") && !looks_like_tag("key") && !looks_like_tag("x-y"));
        // Quotes hide delimiters; the first non-blank line decides.
        assert_eq!(sniff_delimiter(b"\n\"a,b,c\";x;y\n"), b';');
        assert_eq!(sniff_delimiter(b"en;ko\tzh\t"), b'\t');
        assert_eq!(sniff_delimiter(b"en;ko,zh"), b',');
    }

    #[test]
    fn stored_form_is_applied_once_by_the_reader() {
        // NFD Hangul and outer spaces: the unit holds the stored form.
        let u = rows(
            "en\tko\n Seoul \t\u{1109}\u{1165}\u{110B}\u{116E}\u{11AF}\n",
            b'\t',
        )
        .unwrap();
        assert_eq!(u[0].variants[0].text, "Seoul");
        assert_eq!(u[0].variants[1].text, "서울");
    }
}
