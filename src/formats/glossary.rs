//! Glossary tables: the canonical CSV and the other layouts translators bring.
//!
//! # The canonical CSV
//!
//! What `concord glossary export` writes and `glossary fmt` produces:
//!
//! * UTF-8 (a BOM is accepted on reading, never written), comma-separated, RFC 4180
//!   quoting, LF line ends, one header row, quotes only where needed.
//! * Language columns are named by BCP 47 tag (`en`, `ko`, `zh`, `zh-Hant`, `en-GB`).
//!   A cell lists variants separated by `|` (white space around them ignored); the first
//!   is the preferred one. A `|` cannot be part of a term.
//! * `<tag>:forbidden` columns list forbidden variants the same way.
//! * Optional columns: `id`, `note`, `domain`, `case` (`sensitive` or empty) and
//!   `strict` (`|`-separated language tags whose terms use strict Korean matching).
//!   Any other column is kept as a property of the entry and written back.
//! * Column order: `id`, the language columns (en, ko, zh, then the other tags
//!   sorted), their `:forbidden` columns in the same language order, `note`, `domain`,
//!   `case`, `strict`, then the other columns in first-seen order. A column is written
//!   when the file declared it or an entry uses it, so a file's empty columns survive
//!   a round trip.
//!
//! Header cells are matched case-insensitively and language tags are canonicalized
//! (`ZH-cn` → `zh-CN`). A header cell that is a two-letter code or has the shape of a
//! tag with subtags (`xx-YY`) but names no known language is an error; other cells
//! that are not tags (`pos`, `source`) are properties. Every row must have as many
//! cells as the header; blank rows are skipped.
//!
//! # Other layouts
//!
//! [`Layout`] names them; without `--format` the reader detects them:
//!
//! * **Google Cloud Translation equivalent term sets**: a header of language codes with
//!   optional `pos` and `description` columns (detected when the header has `pos` or
//!   `description` and none of the canonical-only columns). `description` becomes the
//!   note, `pos` a property.
//! * **Headerless** files of terms, one column per language, named with `--langs en,ko`
//!   (Google's unidirectional glossaries, Okapi and most MT tools). These are often
//!   dumps: a row with fewer cells is padded, a row whose terms cover fewer than two of
//!   the languages is skipped with a warning naming its line; a row with more cells
//!   than `--langs` names is an error. A first row that repeats the `--langs` tags is
//!   taken as a header.
//! * **DeepL**-style exports: `source,target,source language,target language` per row
//!   (with or without a header row). Rows with the same source language and source term
//!   become one entry, so `DPRK,북한,EN,KO` and `DPRK,朝鲜,EN,ZH` give one concept.
//! * **TSV**: a `.tsv`/`.tab`/`.txt` file, or `--delimiter tab`, is split on TAB only
//!   (no quoting, like concord's TSV memories).
//! * **Excel CSV**: BOM, CRLF and a `;` delimiter (some locales). The delimiter is the
//!   most frequent of `,` `;` TAB on the first line outside quotes, unless
//!   `--delimiter` names it.
//! * UTF-16 with a BOM is decoded; invalid UTF-8 is an error naming its line.
//! * **TBX**: a `.tbx` file, or any file whose first character is `<` (an XML
//!   document), is read by [`crate::formats::tbx`].

use std::io::Read;
use std::path::Path;

use crate::error::{Error, ErrorKind, Hint, Location, Result};
use crate::formats::input::open_text;
use crate::lang::{LangError, LangTag};
use crate::text::{match_key, stored_form};

use crate::glossary::check::{CheckReport, Loaded, RawRecord};
use crate::glossary::{Column, Entry, Glossary};

/// The layout of a glossary file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The canonical CSV (header of language tags and optional columns).
    Canonical,
    /// Google Cloud Translation equivalent term sets (`pos`, `description`).
    Google,
    /// No header; the columns are the languages named by [`CsvOptions::langs`].
    Headerless,
    /// DeepL-style: source, target, source language, target language per row.
    DeepL,
}

impl Layout {
    /// Parse a layout name: `canonical` (also `csv`, `tsv`), `google`, `headerless`
    /// (also `pairs`), `deepl`.
    pub fn from_name(name: &str) -> Option<Layout> {
        match name.to_ascii_lowercase().as_str() {
            "canonical" | "csv" | "tsv" | "concord" => Some(Layout::Canonical),
            "google" => Some(Layout::Google),
            "headerless" | "pairs" | "plain" => Some(Layout::Headerless),
            "deepl" => Some(Layout::DeepL),
            _ => None,
        }
    }
}

/// How to read a glossary file. The default detects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The languages of the columns of a headerless file (`--langs en,ko`). Giving them
    /// selects [`Layout::Headerless`] unless `layout` says otherwise.
    pub langs: Vec<LangTag>,
    /// The delimiter (default: TAB for `.tsv`/`.tab`/`.txt`, else detected).
    pub delimiter: Option<u8>,
    /// The layout (default: detected).
    pub layout: Option<Layout>,
}

/// Read and check a glossary file (`concord glossary check`). A file that cannot be read at
/// all is an `Err`; everything else is a finding of the report.
pub fn check_file(path: &Path, opts: &CsvOptions) -> Result<CheckReport> {
    let loaded = load_file(path, opts)?;
    Ok(crate::glossary::check::check_loaded(
        path,
        &loaded,
        &opts.langs,
    ))
}

/// Read and check a glossary held in `bytes`, as [`check_file`] checks a file (`path`
/// names it in messages; a `.tsv` extension selects TAB as the delimiter).
pub fn check_bytes(bytes: &[u8], path: &Path, opts: &CsvOptions) -> Result<CheckReport> {
    let loaded = load_bytes(bytes, path, opts)?;
    Ok(crate::glossary::check::check_loaded(
        path,
        &loaded,
        &opts.langs,
    ))
}

/// Read a glossary file.
pub fn read_file(path: &Path, opts: &CsvOptions) -> Result<Glossary> {
    Ok(load_file(path, opts)?.glossary)
}

pub(crate) fn load_file(path: &Path, opts: &CsvOptions) -> Result<Loaded> {
    if is_tbx_path(path) {
        // TBX declares its own encoding: the reader takes the bytes as they are.
        let bytes = crate::formats::input::read_bytes(path)?;
        if bytes.is_empty() {
            return Err(Error::empty_input(path, "the file is empty"));
        }
        return load_tbx(&bytes, path);
    }
    let mut input = open_text(path)?;
    let mut bytes = Vec::new();
    input.reader.read_to_end(&mut bytes).map_err(|e| {
        // What was read before the error is in `bytes`: name the line.
        let line = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        crate::formats::input::read_error(path, line, &e)
    })?;
    load_bytes(&bytes, path, opts)
}

/// Read a glossary from bytes (`path` names it in messages; a `.tsv` extension selects
/// TAB as the delimiter).
pub fn read_bytes(bytes: &[u8], path: &Path, opts: &CsvOptions) -> Result<Glossary> {
    Ok(load_bytes(bytes, path, opts)?.glossary)
}

/// True for a file named `.tbx`.
fn is_tbx_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tbx"))
}

fn load_tbx(bytes: &[u8], path: &Path) -> Result<Loaded> {
    Ok(Loaded {
        glossary: crate::formats::tbx::read_tbx(bytes, path)?,
        records: Vec::new(),
        header: None,
    })
}

pub(crate) fn load_bytes(bytes: &[u8], path: &Path, opts: &CsvOptions) -> Result<Loaded> {
    // A glossary is a table, unless it is a TBX document (named .tbx, or XML).
    if is_tbx_path(path) || crate::formats::tbx::looks_like_xml(bytes) {
        return load_tbx(bytes, path);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let ok = &bytes[..e.valid_up_to()];
        let line = 1 + ok.iter().filter(|b| **b == b'\n').count() as u64;
        let col = ok.len() - ok.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        Error::parse(
            path,
            line,
            format!(
                "invalid UTF-8 at byte {} of the line (save the file as UTF-8)",
                col + 1
            ),
        )
    })?;
    if text.trim().is_empty() {
        return Err(Error::empty_input(path, "the file is empty"));
    }
    if let Some(at) = text.find('\0') {
        let line = 1 + text[..at].bytes().filter(|b| *b == b'\n').count() as u64;
        return Err(Error::parse(
            path,
            line,
            crate::formats::tabular::NUL_MESSAGE,
        ));
    }
    let delimiter = opts
        .delimiter
        .or_else(|| delimiter_from_extension(path))
        .unwrap_or_else(|| sniff_delimiter(text));
    let records = if delimiter == b'\t' {
        split_tsv(text)
    } else {
        split_csv(text, path, delimiter)?
    };
    if records.is_empty() {
        return Err(Error::empty_input(path, "the file is empty"));
    }
    let mut records = records;
    drop_trailing_empty_columns(&mut records);
    // Limits: no row wider than the column cap (checked before any per-cell work).
    for r in &records {
        crate::limits::check_columns(r.cells.len()).map_err(|m| Error::limit(path, r.line, m))?;
    }
    let layout = match opts.layout {
        Some(l) => l,
        None if !opts.langs.is_empty() => Layout::Headerless,
        None => detect_layout(&records),
    };
    let (glossary, header) = match layout {
        Layout::Canonical | Layout::Google => {
            let (g, cols) = build_tabular(&records, path, layout == Layout::Google)?;
            (g, Some((records[0].line, cols)))
        }
        Layout::Headerless => (build_headerless(&records, path, &opts.langs)?, None),
        Layout::DeepL => (build_deepl(&records, path)?, None),
    };
    Ok(Loaded {
        glossary,
        records,
        header,
    })
}

/// Excel writes columns that were once touched as trailing empty cells on every line
/// (`en,ko,,`): drop trailing columns that are blank in the first line and in every row
/// of the same width. Rows of another width are left for the width check.
fn drop_trailing_empty_columns(records: &mut [RawRecord]) {
    let blank = |c: &String| c.trim().is_empty();
    let width = records[0].cells.len();
    let mut keep = width
        - records[0]
            .cells
            .iter()
            .rev()
            .take_while(|c| blank(c))
            .count();
    for r in records.iter().filter(|r| r.cells.len() == width) {
        if let Some(i) = r.cells[keep..].iter().rposition(|c| !blank(c)) {
            keep += i + 1;
        }
    }
    for r in records.iter_mut() {
        if keep < width && r.cells.len() == width {
            r.cells.truncate(keep);
        }
    }
}

/// TAB for a file named as TSV (`.tsv`, `.tab`) or plain text (`.txt`: a glossary is
/// always a table, see [`crate::formats::FileFormat`]).
fn delimiter_from_extension(path: &Path) -> Option<u8> {
    use crate::formats::FileFormat;
    matches!(
        FileFormat::from_path(path)?,
        FileFormat::Tsv | FileFormat::Text
    )
    .then_some(b'\t')
}

/// The delimiter of a glossary table: [`crate::formats::tabular::sniff_delimiter`], the
/// one sniffer memories, drafts and glossaries share.
pub fn sniff_delimiter(text: &str) -> u8 {
    crate::formats::tabular::sniff_delimiter(text.as_bytes())
}

fn split_tsv(text: &str) -> Vec<RawRecord> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        out.push(RawRecord {
            line: i as u64 + 1,
            cells: line.split('\t').map(str::to_string).collect(),
        });
    }
    out
}

fn split_csv(text: &str, path: &Path, delimiter: u8) -> Result<Vec<RawRecord>> {
    let (reader, lines) = super::csv_lines::Tracked::new(text.as_bytes(), delimiter);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader);
    let mut out = Vec::new();
    let mut rec = ::csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| {
            let line = match e.position() {
                Some(p) => lines.borrow_mut().line_of(p.byte()).unwrap_or(p.line()),
                None => lines.borrow().current_line(),
            };
            Error::parse(path, line, format!("malformed CSV: {e}"))
        })?;
        if !more {
            break;
        }
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // The crate's own line is wrong after CRLF and blank lines (see csv_lines).
        let line = rec
            .position()
            .and_then(|p| lines.borrow_mut().line_of(p.byte()))
            .unwrap_or_else(|| rec.position().map(|p| p.line()).unwrap_or(0));
        out.push(RawRecord {
            line,
            cells: rec.iter().map(str::to_string).collect(),
        });
    }
    Ok(out)
}

/// What a header cell names, or why it cannot be a header cell.
fn classify(cell: &str) -> std::result::Result<Column, LangError> {
    let name = crate::formats::tabular::header_cell(cell);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "id" => return Ok(Column::Id),
        "note" => return Ok(Column::Note),
        "domain" => return Ok(Column::Domain),
        "case" => return Ok(Column::Case),
        "strict" => return Ok(Column::Strict),
        _ => {}
    }
    if let Some(tag) = lower.strip_suffix(":forbidden") {
        return LangTag::parse(&name[..tag.len()]).map(Column::Forbidden);
    }
    Ok(match crate::formats::tabular::header_lang(name)? {
        Some(t) => Column::Lang(t),
        None => Column::Prop(name.to_string()),
    })
}

fn detect_layout(records: &[RawRecord]) -> Layout {
    let first = &records[0].cells;
    let cols: Vec<Option<Column>> = first.iter().map(|c| classify(c).ok()).collect();
    // DeepL: two terms, then two language codes (`DPRK,북한,EN,KO`).
    let is_tag = |c: &Option<Column>| matches!(c, Some(Column::Lang(_)));
    let is_term = |c: &Option<Column>| matches!(c, Some(Column::Prop(_)) | None);
    if first.len() == 4
        && (is_deepl_header(first)
            || (is_term(&cols[0]) && is_term(&cols[1]) && is_tag(&cols[2]) && is_tag(&cols[3])))
    {
        return Layout::DeepL;
    }
    let has_lang = cols.iter().any(|c| matches!(c, Some(Column::Lang(_))));
    if has_lang {
        let canonical_only = cols.iter().flatten().any(Column::only_canonical);
        let google = first.iter().any(|c| Column::is_google_extra(c));
        return if google && !canonical_only {
            Layout::Google
        } else {
            Layout::Canonical
        };
    }
    Layout::Canonical
}

fn is_deepl_header(cells: &[String]) -> bool {
    let l: Vec<String> = cells
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    l.len() == 4
        && l[0].starts_with("source")
        && l[1].starts_with("target")
        && l[2].contains("lang")
        && l[3].contains("lang")
}

/// Split a cell into variants: `|`-separated, trimmed, NFC, empty ones and repeats dropped.
pub fn split_variants(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for part in cell.split('|') {
        let v = stored_form(part);
        if !v.is_empty() && seen.insert(v.clone()) {
            out.push(v);
        }
    }
    out
}

/// [`split_variants`] within the limits: at most [`crate::limits::Limits::variants`]
/// variants, each at most [`crate::limits::Limits::term_chars`] characters (checked
/// before any variant is normalized).
pub(crate) fn split_variants_checked(cell: &str, path: &Path, line: u64) -> Result<Vec<String>> {
    let err = |m: String| Error::limit(path, line, m);
    let mut n = 0;
    for part in cell.split('|') {
        let part = part.trim();
        if !part.is_empty() {
            n += 1;
            crate::limits::check_term(part).map_err(err)?;
        }
    }
    crate::limits::check_variants(n).map_err(err)?;
    Ok(split_variants(cell))
}

fn non_empty(cell: &str) -> Option<String> {
    let v = stored_form(cell);
    (!v.is_empty()).then_some(v)
}

fn parse_header(record: &RawRecord, path: &Path, google: bool) -> Result<Vec<Column>> {
    let line = record.line;
    let mut cols = Vec::with_capacity(record.cells.len());
    let mut unknown: Option<(usize, String, LangError)> = None;
    for (i, cell) in record.cells.iter().enumerate() {
        let col = match classify(cell) {
            Ok(c) => c,
            Err(e) => {
                if unknown.is_none() {
                    unknown = Some((i, cell.trim().to_string(), e));
                }
                Column::Prop(cell.trim().to_string())
            }
        };
        let col = match (google, col) {
            (true, Column::Prop(p)) if p.eq_ignore_ascii_case("description") => Column::Note,
            (true, Column::Prop(p)) if p.eq_ignore_ascii_case("pos") => Column::Prop("pos".into()),
            (_, c) => c,
        };
        cols.push(col);
    }
    let has_lang = cols.iter().any(|c| matches!(c, Column::Lang(_)));
    if !has_lang {
        let first = record.cells.first().map(|s| s.trim()).unwrap_or("");
        let data_like = record.cells.iter().any(|c| {
            c.chars()
                .any(|ch| !ch.is_ascii() && ch.is_alphabetic() || ch == ' ')
        });
        let hint = if data_like {
            " (it looks like data: for a file without a header, name the languages of its columns)"
        } else {
            " (for a file without a header, name the languages of its columns)"
        };
        return Err(Error::parse(
            path,
            line,
            format!(
                "no header row naming the languages: the first line must name columns such as `id,en,ko,zh,zh:forbidden,note`, but it starts with {first:?}{hint}"
            ),
        )
        .with_hint(Hint::GiveGlossaryLanguages));
    }
    if let Some((i, cell, e)) = unknown {
        return Err(Error::parse(
            path,
            line,
            format!(
                "column {} of the header, {cell:?}: {e}; name language columns with BCP 47 tags (en, ko, zh-CN) or rename the column",
                i + 1
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut langs = std::collections::HashSet::new();
    for c in &cols {
        if !seen.insert(c) {
            return Err(Error::parse(
                path,
                line,
                format!("the header names column {} twice", c.name()),
            ));
        }
        if let Column::Lang(t) | Column::Forbidden(t) = c {
            langs.insert(t);
        }
    }
    crate::limits::check_languages(langs.len()).map_err(|m| Error::limit(path, line, m))?;
    Ok(cols)
}

fn build_tabular(
    records: &[RawRecord],
    path: &Path,
    google: bool,
) -> Result<(Glossary, Vec<Column>)> {
    let cols = parse_header(&records[0], path, google)?;
    let mut g = Glossary::default();
    for c in &cols {
        g.declare(c.clone());
    }
    for rec in &records[1..] {
        if rec.cells.len() != cols.len() {
            return Err(Error::parse(
                path,
                rec.line,
                format!(
                    "this row has {} cell{}, the header has {}",
                    rec.cells.len(),
                    if rec.cells.len() == 1 { "" } else { "s" },
                    cols.len()
                ),
            ));
        }
        let mut e = Entry::new();
        for (col, raw) in cols.iter().zip(&rec.cells) {
            fill(&mut e, col, raw, path, rec.line)?;
        }
        g.push(e, Some(Location::line(path, rec.line)));
    }
    Ok((g, cols))
}

fn fill(e: &mut Entry, col: &Column, raw: &str, path: &Path, line: u64) -> Result<()> {
    match col {
        Column::Id => e.id = non_empty(raw),
        Column::Lang(t) => {
            let v = split_variants_checked(raw, path, line)?;
            if !v.is_empty() {
                e.term_set_mut(t).approved = v;
            }
        }
        Column::Forbidden(t) => {
            let v = split_variants_checked(raw, path, line)?;
            if !v.is_empty() {
                e.term_set_mut(t).forbidden = v;
            }
        }
        Column::Note => e.note = non_empty(raw),
        Column::Domain => e.domain = non_empty(raw),
        Column::Case => {
            e.case_sensitive = match raw.trim().to_ascii_lowercase().as_str() {
                "" => false,
                "sensitive" => true,
                _ => {
                    return Err(Error::parse(
                        path,
                        line,
                        format!(
                            "the case column holds {raw:?}: write `sensitive` or leave it empty"
                        ),
                    ))
                }
            }
        }
        Column::Strict => {
            for part in raw.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                let t = LangTag::parse(part)
                    .map_err(|err| Error::parse(path, line, format!("the strict column: {err}")))?;
                if !e.strict.contains(&t) {
                    e.strict.push(t);
                }
            }
        }
        Column::Prop(name) => {
            if let Some(v) = non_empty(raw) {
                e.props.push((name.clone(), v));
            }
        }
    }
    Ok(())
}

fn build_headerless(records: &[RawRecord], path: &Path, langs: &[LangTag]) -> Result<Glossary> {
    if langs.is_empty() {
        return Err(Error::parse_file(
            path,
            "a file without a header needs the languages of its columns",
        )
        .with_hint(Hint::GiveGlossaryLanguages));
    }
    let mut g = Glossary::default();
    for t in langs {
        g.declare(Column::Lang(t.clone()));
    }
    let need = langs.len().min(2);
    for (i, rec) in records.iter().enumerate() {
        if i == 0
            && rec.cells.len() == langs.len()
            && rec
                .cells
                .iter()
                .zip(langs)
                .all(|(c, t)| LangTag::parse(c.trim()).ok().as_ref() == Some(t))
        {
            continue; // a header that repeats --langs
        }
        if rec.cells.len() > langs.len() {
            return Err(Error::parse(
                path,
                rec.line,
                format!(
                    "this row has {} cells, but {} language{} were named for the columns",
                    rec.cells.len(),
                    langs.len(),
                    if langs.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        let mut e = Entry::new();
        for (t, raw) in langs.iter().zip(&rec.cells) {
            fill(&mut e, &Column::Lang(t.clone()), raw, path, rec.line)?;
        }
        let have = e.terms.len();
        if have < need {
            g.warn(
                Location::line(path, rec.line),
                format!("skipped: a term in {have} of the {} languages", langs.len()),
            );
            continue;
        }
        g.push(e, Some(Location::line(path, rec.line)));
    }
    Ok(g)
}

fn build_deepl(records: &[RawRecord], path: &Path) -> Result<Glossary> {
    let mut g = Glossary::default();
    let mut index: std::collections::HashMap<(LangTag, String), usize> =
        std::collections::HashMap::new();
    for (i, rec) in records.iter().enumerate() {
        if i == 0 && is_deepl_header(&rec.cells) {
            continue;
        }
        if rec.cells.len() != 4 {
            return Err(Error::parse(
                path,
                rec.line,
                format!(
                    "this row has {} cells; a DeepL glossary row has 4: source, target, source language, target language",
                    rec.cells.len()
                ),
            ));
        }
        let tag = |c: &str| {
            LangTag::parse(c.trim())
                .map_err(|e| Error::parse(path, rec.line, format!("language {:?}: {e}", c.trim())))
        };
        let (src_tag, tgt_tag) = (tag(&rec.cells[2])?, tag(&rec.cells[3])?);
        for c in &rec.cells[..2] {
            crate::limits::check_term(c.trim()).map_err(|m| Error::limit(path, rec.line, m))?;
            if c.contains('|') {
                return Err(Error::parse(
                    path,
                    rec.line,
                    format!(
                        "the term {:?} holds a `|`, which concord's glossaries use between variants: a `|` cannot be part of a term",
                        c.trim()
                    ),
                ));
            }
        }
        let (src, tgt) = (stored_form(&rec.cells[0]), stored_form(&rec.cells[1]));
        if src.is_empty() || tgt.is_empty() {
            g.warn(
                Location::line(path, rec.line),
                "skipped: the source or the target is empty",
            );
            continue;
        }
        let key = (src_tag.clone(), match_key(&src));
        let at = match index.get(&key) {
            Some(&at) => at,
            None => {
                let mut e = Entry::new();
                e.term_set_mut(&src_tag).approved.push(src.clone());
                g.push(e, Some(Location::line(path, rec.line)));
                index.insert(key, g.entries.len() - 1);
                g.declare(Column::Lang(src_tag.clone()));
                g.entries.len() - 1
            }
        };
        g.declare(Column::Lang(tgt_tag.clone()));
        crate::limits::check_languages(g.declared_columns().len())
            .map_err(|m| Error::limit(path, rec.line, m))?;
        let set = g.entries[at].term_set_mut(&tgt_tag);
        if !set.approved.contains(&tgt) {
            crate::limits::check_variants(set.approved.len() + 1).map_err(|m| {
                Error::limit(path, rec.line, format!("{m} (targets of one source term)"))
            })?;
            set.approved.push(tgt);
        }
    }
    Ok(g)
}

/// Write `g` as canonical CSV (see the module documentation).
pub fn write_canonical<W: std::io::Write>(g: &Glossary, mut out: W) -> Result<()> {
    let mut cols = g.columns();
    // A header of languages with a `pos` or `description` property and no column that
    // only the canonical layout has reads back as Google's layout, where `description`
    // is the note. An (empty) `note` column keeps it canonical.
    // The same test as the layout detection's.
    let google_like = cols
        .iter()
        .any(|c| matches!(c, Column::Prop(p) if Column::is_google_extra(p)));
    if google_like && !cols.iter().any(Column::only_canonical) {
        cols.push(Column::Note);
        cols.sort_by_key(Column::group);
    }
    let names: Vec<String> = cols.iter().map(|c| c.name().to_string()).collect();
    out.write_all(crate::formats::tabular::csv_header_line(&names).as_bytes())
        .map_err(|e| Error::new(ErrorKind::OutputIo, format!("writing the glossary: {e}")))?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);
    let err =
        |e: ::csv::Error| Error::new(ErrorKind::OutputIo, format!("writing the glossary: {e}"));
    for e in &g.entries {
        let row = cols.iter().map(|c| cell(e, c));
        w.write_record(row).map_err(err)?;
    }
    w.flush()
        .map_err(|e| Error::new(ErrorKind::OutputIo, format!("writing the glossary: {e}")))?;
    Ok(())
}

fn cell(e: &Entry, c: &Column) -> String {
    match c {
        Column::Id => e.id.clone().unwrap_or_default(),
        Column::Lang(t) => e
            .term_set(t)
            .map(|s| s.approved.join("|"))
            .unwrap_or_default(),
        Column::Forbidden(t) => e
            .term_set(t)
            .map(|s| s.forbidden.join("|"))
            .unwrap_or_default(),
        Column::Note => e.note.clone().unwrap_or_default(),
        Column::Domain => e.domain.clone().unwrap_or_default(),
        Column::Case => if e.case_sensitive { "sensitive" } else { "" }.to_string(),
        Column::Strict => e
            .strict
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        Column::Prop(name) => e.prop(name).unwrap_or_default().to_string(),
    }
}

/// Reading and writing glossaries as files: the readers and writers live here, in
/// `formats`; the model ([`Glossary`]) knows no file format.
impl Glossary {
    /// Read a glossary file (see [`crate::formats::glossary`] for the layouts), all or nothing: any error names
    /// the file and line.
    pub fn from_csv_file(path: &Path, opts: &CsvOptions) -> Result<Glossary> {
        read_file(path, opts)
    }

    /// Read a glossary from a string (`path` is only used in messages; its extension
    /// picks TSV as with files).
    pub fn from_csv_str(text: &str, path: &Path, opts: &CsvOptions) -> Result<Glossary> {
        read_bytes(text.as_bytes(), path, opts)
    }

    /// Read glossary files and merge them in order, all or nothing (`None` when there
    /// are no files). Each file's warnings are kept ([`Glossary::warnings`]).
    pub fn from_files(paths: &[std::path::PathBuf], opts: &CsvOptions) -> Result<Option<Glossary>> {
        let mut all: Option<Glossary> = None;
        for path in paths {
            let g = Glossary::from_csv_file(path, opts)?;
            match all.as_mut() {
                Some(a) => a.merge(g),
                None => all = Some(g),
            }
        }
        Ok(all)
    }

    /// Write the glossary as canonical CSV (see [`crate::formats::glossary`]).
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> Result<()> {
        write_canonical(self, out)
    }

    /// The canonical CSV as a string.
    pub fn to_csv_string(&self) -> String {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)
            .expect("writing to memory cannot fail");
        String::from_utf8(buf).expect("the writer writes UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_csv_with_a_description_property_reads_back_canonical() {
        // Fuzzing (glossary target): a canonical glossary with a property column named
        // `description` (or `pos`) was exported with a header of languages and that
        // property only, which the reader then detected as Google's layout and turned
        // `description` into the note.
        for prop in ["description", "pos", "Description"] {
            let text = format!(
                "en,ko,zh-CN,Wos,{prop}\nForeign Minister,외교부 장관,外交部长,noun,title\n"
            );
            let opts = CsvOptions {
                layout: Some(Layout::Canonical),
                ..CsvOptions::default()
            };
            let g = read(&text, "g.csv", &opts).unwrap();
            assert_eq!(g.entries[0].note, None);
            let csv = g.to_csv_string();
            let again = read(&csv, "again.csv", &CsvOptions::default()).unwrap();
            assert_eq!(again.entries[0].note, None, "{csv}");
            let mut a = g.entries[0].props.clone();
            let mut b = again.entries[0].props.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{csv}");
        }
        // A Google file still reads as Google's layout, and its canonical export (which
        // has the note column) reads back the same.
        let g = read(
            "en,ko,pos,description\nDPRK,북한,noun,the state\n",
            "google.csv",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(g.entries[0].note.as_deref(), Some("the state"));
        let again = read(&g.to_csv_string(), "again.csv", &CsvOptions::default()).unwrap();
        assert_eq!(again.entries, g.entries);
    }

    #[test]
    fn glossary_nul_is_refused_not_stored() {
        // Fuzzing: a term holding U+0000 was read (the bytes entry point of the server
        // does not sniff for binary data, and a file's NUL after its first 8 KiB is not
        // sniffed either).
        let text = "en,ko\nSpecial Representative,특별대표\nSpec\u{1}\u{0}k,특\n";
        let e =
            read_bytes(text.as_bytes(), Path::new("g.csv"), &CsvOptions::default()).unwrap_err();
        assert_eq!(e.kind(), &crate::error::ErrorKind::Parse);
        assert!(
            e.to_string().contains("g.csv:3:") && e.to_string().contains("NUL"),
            "{e}"
        );
    }
    use crate::glossary::TermSet;

    fn read(text: &str, name: &str, opts: &CsvOptions) -> Result<Glossary> {
        read_bytes(text.as_bytes(), Path::new(name), opts)
    }
    fn tag(s: &str) -> LangTag {
        LangTag::parse(s).unwrap()
    }

    const ISSUE_ROW: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,note\n\
                             dprk,DPRK|North Korea,북한,朝鲜|朝方,조선,北韩|北朝鲜,\n";

    #[test]
    fn the_issue_example_row() {
        let g = read(ISSUE_ROW, "g.csv", &CsvOptions::default()).unwrap();
        let e = &g.entries[0];
        assert_eq!(e.id.as_deref(), Some("dprk"));
        assert_eq!(
            e.term_set(&tag("en")).unwrap().approved,
            vec!["DPRK", "North Korea"]
        );
        assert_eq!(
            e.term_set(&tag("ko")).unwrap(),
            &TermSet {
                approved: vec!["북한".into()],
                forbidden: vec!["조선".into()]
            }
        );
        assert_eq!(
            e.term_set(&tag("zh")).unwrap().forbidden,
            vec!["北韩", "北朝鲜"]
        );
        assert_eq!(e.note, None);
        // Canonical: the same bytes come back.
        assert_eq!(g.to_csv_string(), ISSUE_ROW);
    }

    #[test]
    fn canonical_order_spaces_and_props() {
        let text = "zh:forbidden,source,ZH,en, KO ,case,Note,fr,en-GB,domain\n\
                    北韩,UN, 朝鲜 ,  DPRK |  North Korea | DPRK,북한,Sensitive,a \"note\", Corée du Nord ,,politics\n";
        let g = read(text, "g.csv", &CsvOptions::default()).unwrap();
        assert_eq!(
            g.to_csv_string(),
            "en,en-GB,ko,zh,fr,zh:forbidden,note,domain,case,source\n\
             DPRK|North Korea,,북한,朝鲜,Corée du Nord,北韩,\"a \"\"note\"\"\",politics,sensitive,UN\n"
        );
        // The canonical form reads back to the same glossary.
        let again = read(&g.to_csv_string(), "g.csv", &CsvOptions::default()).unwrap();
        assert_eq!(again.to_csv_string(), g.to_csv_string());
        assert!(again.entries[0].case_sensitive);
    }

    #[test]
    fn excel_csv_bom_crlf_semicolon() {
        let text = "\u{FEFF}en;ko;zh;note\r\nSpecial Representative;특별대표;特别代表;\"title; used for envoys\"\r\n";
        let g = read(text, "excel.csv", &CsvOptions::default()).unwrap();
        assert_eq!(g.entries.len(), 1);
        assert_eq!(g.entries[0].note.as_deref(), Some("title; used for envoys"));
        assert_eq!(g.languages(), vec![tag("en"), tag("ko"), tag("zh")]);
    }

    #[test]
    fn tsv_by_extension_or_option() {
        let text = "en\tko\nKorean Peninsula\t한반도\n";
        let g = read(text, "g.tsv", &CsvOptions::default()).unwrap();
        assert_eq!(g.entries[0].terms.len(), 2);
        let opts = CsvOptions {
            delimiter: Some(b'\t'),
            ..CsvOptions::default()
        };
        assert_eq!(read(text, "g.dat", &opts).unwrap().entries.len(), 1);
    }

    #[test]
    fn bad_input() {
        let o = CsvOptions::default();
        let e = read("DPRK,북한\nSeoul,서울\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().starts_with("g.csv:1: no header row"), "{e}");
        assert_eq!(e.hint(), Some(Hint::GiveGlossaryLanguages), "{e}");
        assert!(!e.to_string().contains("--"), "{e}");
        let e = read("term,translation\nx,y\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().starts_with("g.csv:1: no header row"), "{e}");
        let e = read("en,ko\nSeoul,서울\nBusan\n", "g.csv", &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "g.csv:3: this row has 1 cell, the header has 2"
        );
        let e = read("en,xx,zh\na,b,c\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().starts_with("g.csv:1: column 2"), "{e}");
        assert!(e.to_string().contains("unknown language"), "{e}");
        let e = read("en,qq:forbidden\na,b\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().contains("unknown language"), "{e}");
        let e = read("", "g.csv", &o).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = read(" \n\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = read("en,ko,case\na,b,yes\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().starts_with("g.csv:2: the case column"), "{e}");
        let e = read("en,ko,en\na,b,c\n", "g.csv", &o).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        let mut bytes = b"en,ko\nSeoul,\xEC\x84\x9C\xEC\x9A\xB8\nBusan,".to_vec();
        bytes.extend_from_slice(&[0xEB, 0xB6]);
        bytes.extend_from_slice(b"\n");
        let e = read_bytes(&bytes, Path::new("g.csv"), &o).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("g.csv:3: invalid UTF-8 at byte 7"),
            "{e}"
        );
    }

    #[test]
    fn google_equivalent_term_sets() {
        let text = "en,ko,zh-CN,pos,description\n\
                    Foreign Minister,외교부 장관|외교장관,外交部长,noun,title of the minister\n";
        let g = read(text, "g.csv", &CsvOptions::default()).unwrap();
        let e = &g.entries[0];
        assert_eq!(e.note.as_deref(), Some("title of the minister"));
        assert_eq!(e.prop("pos"), Some("noun"));
        assert_eq!(
            e.term_set(&tag("zh-CN")).unwrap().approved,
            vec!["外交部长"]
        );
    }

    #[test]
    fn headerless_with_langs() {
        let opts = CsvOptions {
            langs: vec![tag("en"), tag("ko")],
            ..CsvOptions::default()
        };
        let g = read("Seoul,서울\nPyongyang,\nBusan,부산\n", "g.csv", &opts).unwrap();
        assert_eq!(g.entries.len(), 2);
        assert_eq!(g.warnings().len(), 1);
        assert!(g.warnings()[0].to_string().starts_with("g.csv:2: skipped"));
        let e = read("a,b,c\n", "g.csv", &opts).unwrap_err();
        assert!(
            e.to_string().starts_with("g.csv:1: this row has 3 cells"),
            "{e}"
        );
        // A header that repeats --langs is skipped.
        let g = read("en,ko\nSeoul,서울\n", "g.csv", &opts).unwrap();
        assert_eq!(g.entries.len(), 1);
    }

    #[test]
    fn deepl_rows_merge_by_source() {
        let text = "DPRK,북한,EN,KO\nDPRK,朝鲜,EN,ZH\nSeoul,서울,EN,KO\n";
        let g = read(text, "deepl.csv", &CsvOptions::default()).unwrap();
        assert_eq!(g.entries.len(), 2);
        assert_eq!(
            g.entries[0]
                .terms
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>(),
            vec!["en", "ko", "zh"]
        );
    }

    /// Found by the `glossary` fuzz target: a DeepL row kept `Six-Party Ta|ks` as one
    /// term, which the canonical CSV then wrote as two variants (`|` separates them):
    /// `glossary export` changed the glossary. Refused, naming the line.
    #[test]
    fn deepl_term_with_a_bar_is_refused() {
        let text = "DPRK,북한,EN,KO\nSix-Party Ta|ks,六方会谈,EN,ZH\n";
        let e = read(text, "deepl.csv", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().contains("deepl.csv:2"), "{e}");
        assert!(e.to_string().contains("cannot be part of a term"), "{e}");
    }

    #[test]
    fn team_fixtures_glossary_layouts() {
        let data = crate::testutil::data;
        let o = CsvOptions::default();
        let g = read_file(&data("glossary-canonical.csv"), &o).unwrap();
        assert_eq!(
            g.entries[0].term_set(&tag("ko")).unwrap().forbidden,
            vec!["북조선"]
        );
        let g = read_file(&data("glossary-google.csv"), &o).unwrap();
        assert_eq!(g.entries[0].prop("pos"), Some("noun"));
        let g = read_file(&data("glossary-deepl.csv"), &o).unwrap();
        assert_eq!(g.entries.len(), 1);
        assert_eq!(g.languages().len(), 3);
        let g = read_file(&data("glossary.tsv"), &o).unwrap();
        assert_eq!(
            g.entries[0].term_set(&tag("ko")).unwrap().approved,
            vec!["한반도"]
        );
        let opts = CsvOptions {
            langs: vec![tag("en"), tag("ko")],
            ..CsvOptions::default()
        };
        let g = read_file(&data("glossary-headerless-en-ko.csv"), &opts).unwrap();
        assert_eq!(g.entries.len(), 2);
    }

    #[test]
    fn glossary_header_with_a_second_bom_names_the_language() {
        let g = read(
            "\u{FEFF}\u{FEFF}en\tko\nSeoul\t서울\n",
            "g.tsv",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(g.languages(), vec![tag("en"), tag("ko")]);
    }
}
