//! Reading drafts: bilingual TSV/CSV, XLIFF 1.2/2.0 (SDLXLIFF, MQXLIFF), TMX, two aligned
//! plain-text files, or a target-only text.
//!
//! Readers stream: they call back with [`DraftEvent::Start`] once the languages are known,
//! then with one [`DraftEvent::Segment`] per segment, so that a draft of any size is
//! checked in constant memory (XLIFF and TMX drafts are read whole; they are documents,
//! not logs, and [`super::xliff`] reads both).
//!
//! Every segment carries what the file holds: the raw text (not trimmed, not
//! normalized), its inline codes, and the line and column of its texts
//! ([`SegText::position`]); the format is named by the one table of
//! [`crate::formats::FileFormat`].
//!
//! * TSV/CSV: a header row of language tags read by [`tabular`] (the one header
//!   detector: a stray BOM or spaces around a tag are ignored); a CSV's delimiter comes
//!   from the one sniffer, as for imports.
//! * An empty draft is an error, as for imports: a header without rows, a plain text
//!   whose lines are all blank (or CR-only), an XML draft without units.
//! * A pipe or FIFO (`lint <(cat d.tsv)`) is read like a file, its format told from its
//!   content when its name has no extension ([`crate::formats::sniff`]); a directory
//!   is refused as one ([`input::check_readable`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Hint, Location, Result};
use crate::formats::{input, tabular};
use crate::lang::{LangRange, LangTag};

use super::segment::{RunKind, SegText, Segment, TextRun};

/// The format of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftFormat {
    /// Tab-separated, header row of language tags.
    Tsv,
    /// Comma-separated (RFC 4180), header row of language tags.
    Csv,
    /// XLIFF 1.0-1.2 (SDLXLIFF and MQXLIFF included) or 2.x.
    Xliff,
    /// TMX (every unit is a segment).
    Tmx,
    /// Plain text, one segment per line.
    Text,
}

impl DraftFormat {
    /// The format a file name implies.
    pub fn from_path(path: &Path) -> Option<DraftFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        DraftFormat::from_name(&ext)
    }

    /// Parse a format name (`tsv`, `csv`, `xliff`/`xlf`/`sdlxliff`/`mqxliff`, `tmx`,
    /// `txt`/`text`), from the one table [`crate::formats::FileFormat::from_name`].
    pub fn from_name(name: &str) -> Option<DraftFormat> {
        DraftFormat::from_format(crate::formats::FileFormat::from_name(name)?)
    }

    /// The draft format of a file format (`None` for documents: Markdown, HTML, DOCX).
    pub fn from_format(format: crate::formats::FileFormat) -> Option<DraftFormat> {
        Some(match format {
            crate::formats::FileFormat::Tsv => DraftFormat::Tsv,
            crate::formats::FileFormat::Csv => DraftFormat::Csv,
            crate::formats::FileFormat::Xliff => DraftFormat::Xliff,
            crate::formats::FileFormat::Tmx => DraftFormat::Tmx,
            crate::formats::FileFormat::Text => DraftFormat::Text,
            crate::formats::FileFormat::Markdown
            | crate::formats::FileFormat::Html
            | crate::formats::FileFormat::Docx => return None,
        })
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            DraftFormat::Tsv => "tsv",
            DraftFormat::Csv => "csv",
            DraftFormat::Xliff => "xliff",
            DraftFormat::Tmx => "tmx",
            DraftFormat::Text => "text",
        }
    }
}

/// The languages of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLangs {
    /// The source language (`None` for a target-only text).
    pub source: Option<LangTag>,
    /// The target language.
    pub target: LangTag,
    /// The second target language of a trilingual draft (EN, KO and ZH columns, or
    /// three languages in a TMX unit): the one language left when source and target
    /// are chosen. Its texts come in [`Segment::second`] for the `cross-target` rule.
    pub second: Option<LangTag>,
}

/// What a draft reader reports.
// Segments (with a second target, in trilingual drafts) are the events a reader sends
// by the thousand, Start once: boxing them would cost an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum DraftEvent {
    /// The languages are known (sent once, before the first segment).
    Start(DraftLangs),
    /// One segment.
    Segment(Segment),
}

/// What to read.
#[derive(Debug, Clone)]
pub struct DraftRequest {
    /// The draft (or, with `source`, the target text).
    pub path: PathBuf,
    /// The source text for two aligned plain-text files.
    pub source: Option<PathBuf>,
    /// The format (default: from the extension; when it names none, from the content).
    pub format: Option<DraftFormat>,
    /// `--from`: the source language (needed when the file does not say it).
    pub from: Option<LangRange>,
    /// `--to`: the target language (needed when the file does not say it).
    pub to: Option<LangRange>,
    /// The draft's bytes when it is held in memory (a server's upload), read instead
    /// of a file: `path` then only names the draft in messages and findings, and its
    /// extension may name the format. Nothing is written to disk for such a draft.
    pub content: Option<Arc<[u8]>>,
    /// The source text's bytes for `source`, likewise.
    pub source_content: Option<Arc<[u8]>>,
}

impl DraftRequest {
    /// A request for one file, format from its extension.
    pub fn file(path: impl Into<PathBuf>) -> DraftRequest {
        DraftRequest {
            path: path.into(),
            source: None,
            format: None,
            from: None,
            to: None,
            content: None,
            source_content: None,
        }
    }

    /// A request for a draft held in memory, named `name` in messages (see
    /// [`DraftRequest::content`]); the format from `name`'s extension unless given, else
    /// from the content.
    ///
    /// ```
    /// use concord::lint::{read_draft, DraftEvent, DraftRequest};
    /// let req = DraftRequest::in_memory("draft.tsv", b"en\tko\nDPRK\t\xeb\xb6\x81\xed\x95\x9c\n".to_vec());
    /// let mut segments = 0;
    /// read_draft(&req, |e| {
    ///     if let DraftEvent::Segment(_) = e {
    ///         segments += 1;
    ///     }
    ///     Ok(())
    /// })
    /// .unwrap();
    /// assert_eq!(segments, 1);
    /// // Its errors name the draft as given, at the line.
    /// let bad = DraftRequest::in_memory("draft.tsv", b"en\tko\na\tb\tc\n".to_vec());
    /// let e = read_draft(&bad, |_| Ok(())).unwrap_err();
    /// assert!(e.to_string().starts_with("draft.tsv:2"), "{e}");
    /// ```
    pub fn in_memory(name: impl Into<PathBuf>, content: Vec<u8>) -> DraftRequest {
        DraftRequest {
            content: Some(content.into()),
            ..DraftRequest::file(name)
        }
    }

    /// The draft (or the target text) opened for reading: its bytes in memory, else
    /// the file.
    pub(crate) fn open(&self) -> Result<input::TextInput> {
        match &self.content {
            Some(c) => input::open_bytes(&self.path, c.to_vec()),
            None => input::open_text(&self.path),
        }
    }

    /// The source text of two aligned plain texts, opened (see [`DraftRequest::open`]).
    fn open_source(&self, source: &Path) -> Result<input::TextInput> {
        match &self.source_content {
            Some(c) => input::open_bytes(source, c.to_vec()),
            None => input::open_text(source),
        }
    }

    /// The format that will be read: `format`, else the extension's, else, when the
    /// extension names no format at all (a pipe, `draft.dat`), what the content shows
    /// ([`crate::formats::sniff`]).
    pub fn resolved_format(&self) -> Result<DraftFormat> {
        self.resolved().map(|(f, _)| f)
    }

    /// [`DraftRequest::resolved_format`], and what the content sniffer said when it
    /// decided.
    fn resolved(&self) -> Result<(DraftFormat, Option<crate::formats::sniff::Sniffed>)> {
        if self.source.is_some() {
            return Ok((DraftFormat::Text, None));
        }
        match &self.content {
            Some(c) => crate::formats::sniff::resolve_content_as(&self.path, self.format, c),
            None => crate::formats::sniff::resolve_as(&self.path, self.format),
        }
    }
}

/// A draft's formats: a document's extension (`.md`, `.docx`) names no draft.
impl crate::formats::sniff::Family for DraftFormat {
    const WHAT: &'static str = "draft";
    const TAKES: &'static str = "TSV, CSV, XLIFF, TMX, plain text";
    const HINT: Hint = Hint::GiveDraftFormat;
    fn named(f: crate::formats::FileFormat) -> Option<DraftFormat> {
        DraftFormat::from_format(f)
    }
}

/// Read a draft, calling `on` with the languages and then every segment. XLIFF
/// segments marked `translate="no"` are left out (there is nothing to check); locked
/// ones are reported with their [`Segment::lock`].
pub fn read_draft<F>(req: &DraftRequest, on: F) -> Result<DraftFormat>
where
    F: FnMut(DraftEvent) -> Result<()>,
{
    read_draft_as(req, false, on)
}

/// Read a translation job's document as a draft ([`super::job`]): as [`read_draft`],
/// but `translate="no"` XLIFF segments are reported too, flagged
/// [`super::segment::Lock::NoTranslate`].
pub fn read_job_draft<F>(req: &DraftRequest, on: F) -> Result<DraftFormat>
where
    F: FnMut(DraftEvent) -> Result<()>,
{
    read_draft_as(req, true, on)
}

fn read_draft_as<F>(req: &DraftRequest, job: bool, mut on: F) -> Result<DraftFormat>
where
    F: FnMut(DraftEvent) -> Result<()>,
{
    let (format, sniffed) = req.resolved()?;
    let explain = |e: Error| match &sniffed {
        Some(s) => s.explain(e, Hint::GiveDraftFormat),
        None => e,
    };
    // Limits: every segment's texts are checked before a checker sees them.
    let mut on = |ev: DraftEvent| -> Result<()> {
        if let DraftEvent::Segment(seg) = &ev {
            check_limits(&req.path, seg)?;
        }
        on(ev)
    };
    match format {
        DraftFormat::Tsv | DraftFormat::Csv => read_tabular(req, format, &mut on),
        DraftFormat::Xliff if job => super::xliff::read_xliff_job(req, &mut on),
        DraftFormat::Xliff => super::xliff::read_xliff(req, &mut on),
        DraftFormat::Tmx => super::xliff::read_tmx_draft(req, &mut on),
        DraftFormat::Text => match &req.source {
            Some(src) => read_aligned(req, src, &mut on),
            None => read_target_only(req, &mut on),
        },
    }
    .map_err(explain)?;
    Ok(format)
}

/// Refuse a segment of the draft at `path` whose source or target is over the limits
/// ([`crate::limits::check_segment`]), at the line of the text.
pub(super) fn check_limits(path: &Path, seg: &Segment) -> Result<()> {
    for t in [&seg.source, &seg.target].into_iter().flatten() {
        crate::limits::check_segment(&t.text).map_err(|m| {
            let at = t.anchors.first().map_or(seg.line, |a| a.line);
            Error::limit(path, at, m)
        })?;
    }
    Ok(())
}

fn range_text(r: &LangRange) -> String {
    r.to_string()
}

/// Choose the source and target columns among `langs`.
pub fn pick_languages(
    path: &Path,
    line: u64,
    langs: &[LangTag],
    from: Option<&LangRange>,
    to: Option<&LangRange>,
) -> Result<(usize, usize)> {
    let list = langs
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let pick = |r: &LangRange, what: &str| -> Result<usize> {
        let hits: Vec<usize> = (0..langs.len()).filter(|&i| r.matches(&langs[i])).collect();
        match hits.len() {
            0 => Err(Error::parse(
                path,
                line,
                format!(
                    "no {what} column for {} (the draft has {list})",
                    range_text(r)
                ),
            )),
            1 => Ok(hits[0]),
            _ => Err(Error::parse(
                path,
                line,
                format!(
                    "{} selects several columns ({list}); name one exactly",
                    range_text(r)
                ),
            )),
        }
    };
    let target = match to {
        Some(r) => Some(pick(r, "target")?),
        None => None,
    };
    let source = match from {
        Some(r) => pick(r, "source")?,
        None => (0..langs.len())
            .filter(|&i| Some(i) != target)
            .find(|&i| langs[i].primary() == "en")
            .or_else(|| (0..langs.len()).find(|&i| Some(i) != target))
            .ok_or_else(|| Error::parse(path, line, "the draft needs two languages"))?,
    };
    let target = match target {
        Some(t) => t,
        None => {
            let others: Vec<usize> = (0..langs.len()).filter(|&i| i != source).collect();
            if others.len() == 1 {
                others[0]
            } else {
                return Err(Error::parse(
                    path,
                    line,
                    format!("the draft has several target languages ({list}): choose one"),
                )
                .with_hint(Hint::GiveTargetLanguage));
            }
        }
    };
    if source == target {
        return Err(Error::parse(
            path,
            line,
            format!("source and target are the same column ({})", langs[source]),
        ));
    }
    Ok((source, target))
}

/// The second target of a trilingual draft: when the draft has exactly one language
/// besides its source and target columns, and that language is another language than
/// both (`en`, `ko`, `zh`; not `en`, `zh-Hans`, `zh-Hant`), its index.
pub fn pick_second(langs: &[LangTag], source: usize, target: usize) -> Option<usize> {
    let rest: Vec<usize> = (0..langs.len())
        .filter(|&i| i != source && i != target)
        .collect();
    match rest[..] {
        [i] if langs[i].primary() != langs[source].primary()
            && langs[i].primary() != langs[target].primary() =>
        {
            Some(i)
        }
        _ => None,
    }
}

fn read_tabular(
    req: &DraftRequest,
    format: DraftFormat,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let path = &req.path;
    let mut input = req.open()?;
    // CSV: the one sniffer decides (`;` from Excel in some locales), as for imports.
    let delim = tabular::delimiter_of(&mut input.reader, path, format == DraftFormat::Tsv)?;
    let mut cols: Option<(usize, usize, Option<usize>)> = None;
    let mut header_langs: Vec<LangTag> = Vec::new();
    let mut lang_cols: Vec<usize> = Vec::new();
    let header = tabular::parse_rows(input.reader, path, delim, |row| {
        if cols.is_none() {
            lang_cols = row
                .header
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, tabular::Column::Lang(_)))
                .map(|(i, _)| i)
                .collect();
            header_langs = row.header.languages();
            let (s, t) = pick_languages(
                path,
                row.line.saturating_sub(1).max(1),
                &header_langs,
                req.from.as_ref(),
                req.to.as_ref(),
            )?;
            let second = pick_second(&header_langs, s, t);
            cols = Some((lang_cols[s], lang_cols[t], second.map(|i| lang_cols[i])));
            on(DraftEvent::Start(DraftLangs {
                source: Some(header_langs[s].clone()),
                target: header_langs[t].clone(),
                second: second.map(|i| header_langs[i].clone()),
            }))?;
        }
        let (s, t, second) = cols.expect("set above");
        let col_of = |k: usize| -> u64 {
            1 + row.cells[..k]
                .iter()
                .map(|c| c.chars().count() as u64 + 1)
                .sum::<u64>()
        };
        let source = &row.cells[s];
        let target = &row.cells[t];
        if source.trim().is_empty() && target.trim().is_empty() {
            return Ok(());
        }
        // Where each cell is in the file: the row's bytes and the cell's index.
        let cell = |k: usize| -> SegText {
            let mut st = SegText::at(row.cells[k].clone(), row.line, col_of(k));
            st.runs.push(TextRun {
                offset: 0,
                chars: row.cells[k].chars().count(),
                bytes: row.bytes.clone(),
                kind: RunKind::Cell {
                    index: k,
                    delimiter: delim,
                },
            });
            st
        };
        on(DraftEvent::Segment(Segment {
            number: row.number,
            id: None,
            line: row.line,
            source: Some(cell(s)),
            target: Some(cell(t)),
            second: second.map(cell),
            lock: Default::default(),
        }))
    })?;
    if cols.is_none() {
        // A header without rows: check the languages first (a wrong --to is the more
        // useful message), then refuse the empty draft, as an import does.
        let langs = header.languages();
        pick_languages(path, 1, &langs, req.from.as_ref(), req.to.as_ref())?;
        return Err(Error::parse_file(path, "the file has a header but no rows"));
    }
    Ok(())
}

/// The language a file name says: `en.txt`, `speech.ko.txt`, `draft-zh-CN.txt` (the last
/// dot- or underscore-separated part of the stem that parses as a language tag).
pub fn lang_from_file_name(path: &Path) -> Option<LangTag> {
    let stem = path.file_stem()?.to_str()?;
    if let Ok(t) = LangTag::parse(stem) {
        return Some(t);
    }
    let last = stem.rsplit(['.', '_']).next()?;
    if last.len() >= 2 && last.len() < stem.len() {
        if let Ok(t) = LangTag::parse(last) {
            return Some(t);
        }
    }
    None
}

/// The language of a plain-text file: `given`, else from its name. `hint` says which
/// side (source or target) the caller must name when neither tells it.
fn lang_for(path: &Path, given: Option<&LangRange>, hint: Hint) -> Result<LangTag> {
    if let Some(r) = given {
        return r.tag().cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::Lang,
                format!("a file's language must be a language tag, not the range {r}"),
            )
            .with_hint(hint)
        });
    }
    lang_from_file_name(path).ok_or_else(|| {
        Error::new(
            ErrorKind::Lang,
            "a plain-text file does not say its language (name it, or name the file like en.txt, draft.ko.txt)",
        )
        .at(Location::file(path))
        .with_hint(hint)
    })
}

struct Lines {
    reader: Box<dyn BufRead + Send>,
    path: PathBuf,
    line: u64,
    buf: Vec<u8>,
}

impl Lines {
    fn new(input: input::TextInput, path: &Path) -> Lines {
        Lines {
            reader: input.reader,
            path: path.to_path_buf(),
            line: 0,
            buf: Vec::new(),
        }
    }

    fn next_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| input::read_error(&self.path, self.line + 1, &e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let s = std::str::from_utf8(&self.buf).map_err(|e| {
            Error::parse(
                &self.path,
                self.line,
                format!(
                    "invalid UTF-8 at byte {} of the line (save the file as UTF-8)",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        Ok(Some(s.to_string()))
    }
}

fn read_aligned(
    req: &DraftRequest,
    source: &Path,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let src_lang = lang_for(source, req.from.as_ref(), Hint::GiveSourceLanguage)?;
    let tgt_lang = lang_for(&req.path, req.to.as_ref(), Hint::GiveTargetLanguage)?;
    let mut s = Lines::new(req.open_source(source)?, source);
    let mut t = Lines::new(req.open()?, &req.path);
    let mut any = false;
    on(DraftEvent::Start(DraftLangs {
        source: Some(src_lang),
        target: tgt_lang,
        second: None,
    }))?;
    loop {
        let (a, b) = (s.next_line()?, t.next_line()?);
        match (a, b) {
            (None, None) => break,
            (Some(_), None) | (None, Some(_)) => {
                while s.next_line()?.is_some() {}
                while t.next_line()?.is_some() {}
                return Err(Error::bad_request(format!(
                    "the files are not aligned: {} has {} line{}, {} has {}",
                    source.display(),
                    s.line,
                    if s.line == 1 { "" } else { "s" },
                    req.path.display(),
                    t.line
                )));
            }
            (Some(a), Some(b)) => {
                if a.trim().is_empty() && b.trim().is_empty() {
                    continue;
                }
                any = true;
                let line = t.line;
                let mut src = SegText::at(a, s.line, 1);
                // The source is in another file: its position is kept on its own anchor.
                src.anchors[0].line = s.line;
                on(DraftEvent::Segment(Segment {
                    number: line,
                    id: None,
                    line,
                    source: Some(src),
                    target: Some(SegText::at(b, line, 1)),
                    second: None,
                    lock: Default::default(),
                }))?;
            }
        }
    }
    if !any {
        return Err(empty_text(&req.path));
    }
    Ok(())
}

/// A plain-text draft whose every line is blank (or CR-only) is empty, as for import.
fn empty_text(path: &Path) -> Error {
    Error::empty_input(path, "the draft is empty: every line is blank")
}

fn read_target_only(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let tgt_lang = lang_for(&req.path, req.to.as_ref(), Hint::GiveTargetLanguage)?;
    let mut t = Lines::new(req.open()?, &req.path);
    on(DraftEvent::Start(DraftLangs {
        source: None,
        target: tgt_lang,
        second: None,
    }))?;
    let mut any = false;
    while let Some(line) = t.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        any = true;
        on(DraftEvent::Segment(Segment {
            number: t.line,
            id: None,
            line: t.line,
            source: None,
            target: Some(SegText::at(line, t.line, 1)),
            second: None,
            lock: Default::default(),
        }))?;
    }
    if !any {
        return Err(empty_text(&req.path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft held in memory reads as the same draft in a file would, in every draft
    /// format, with the format from the name, or from the content when the name has
    /// no extension; its errors name it and the line.
    #[test]
    fn a_draft_in_memory_reads_as_its_file_does() {
        let d = tempfile::tempdir().unwrap();
        let xlf = "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"zh\" datatype=\"plaintext\" original=\"x\"><body>\n<trans-unit id=\"1\"><source>Seoul</source><target>首尔</target></trans-unit>\n</body></file></xliff>\n";
        let tmx = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" o-tmf=\"t\"/><body>\n<tu><tuv xml:lang=\"en\"><seg>DPRK</seg></tuv><tuv xml:lang=\"ko\"><seg>북한</seg></tuv></tu>\n</body></tmx>\n";
        let cases: [(&str, &[u8]); 5] = [
            (
                "d.tsv",
                "en\tko\nSpecial Representative\t특별대표\nDPRK\t북한\n".as_bytes(),
            ),
            ("d.csv", "en,zh\n\"Seoul, Korea\",首尔\n".as_bytes()),
            ("d.xlf", xlf.as_bytes()),
            ("d.tmx", tmx.as_bytes()),
            // UTF-16 with a BOM, as Windows tools write it.
            (
                "d16.tsv",
                &[
                    0xFF, 0xFE, b'e', 0, b'n', 0, b'\t', 0, b'k', 0, b'o', 0, b'\n', 0, b'a', 0,
                    b'\t', 0, b'b', 0, b'\n', 0,
                ],
            ),
        ];
        for (name, bytes) in cases {
            let path = d.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let from_file = collect(&DraftRequest::file(&path)).unwrap();
            let from_memory = collect(&DraftRequest::in_memory(&path, bytes.to_vec())).unwrap();
            assert_eq!(
                format!("{from_file:?}"),
                format!("{from_memory:?}"),
                "{name}"
            );
            assert!(!from_memory.1.is_empty(), "{name}");
            // No extension: the content tells the format.
            let bare = DraftRequest::in_memory("upload", bytes.to_vec());
            assert_eq!(
                bare.resolved_format().unwrap(),
                DraftRequest::file(&path).resolved_format().unwrap(),
                "{name}"
            );
        }
        // Two aligned plain texts, both in memory.
        let req = DraftRequest {
            source: Some("paste.source.txt".into()),
            source_content: Some(b"The DPRK envoy.\nSeoul\n".to_vec().into()),
            from: Some(LangRange::parse("en").unwrap()),
            to: Some(LangRange::parse("ko").unwrap()),
            ..DraftRequest::in_memory("paste.txt", "북한 특사.\n서울\n".as_bytes().to_vec())
        };
        let (_, segs) = collect(&req).unwrap();
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].source.as_ref().unwrap().text, "Seoul");
        assert_eq!(segs[1].target.as_ref().unwrap().text, "서울");
        // Malformed and empty drafts: errors name the draft as given, with the line.
        let e = collect(&DraftRequest::in_memory(
            "d.tsv",
            b"en\tko\na\tb\n\xff\tc\n".to_vec(),
        ))
        .unwrap_err();
        assert!(e.to_string().starts_with("d.tsv:3"), "{e}");
        let e = collect(&DraftRequest::in_memory("upload", Vec::new())).unwrap_err();
        assert!(
            e.to_string().contains("upload") && e.to_string().contains("empty"),
            "{e}"
        );
        // The bytes are read, not a file of that name.
        let path = d.path().join("d.tsv");
        let (_, segs) =
            collect(&DraftRequest::in_memory(&path, b"en\tko\nx\ty\n".to_vec())).unwrap();
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].target.as_ref().unwrap().text, "y");
    }

    fn collect(req: &DraftRequest) -> Result<(Vec<DraftLangs>, Vec<Segment>)> {
        let mut langs = vec![];
        let mut segs = vec![];
        read_draft(req, |e| {
            match e {
                DraftEvent::Start(l) => langs.push(l),
                DraftEvent::Segment(s) => segs.push(s),
            }
            Ok(())
        })?;
        Ok((langs, segs))
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn tsv_rows_lines_and_columns() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "d.tsv", "\nen\tko\nSeoul\t서울\n\nPeace\t평화\n");
        let (langs, segs) = collect(&DraftRequest::file(&p)).unwrap();
        assert_eq!(langs[0].target.as_str(), "ko");
        assert_eq!(segs.len(), 2);
        assert_eq!((segs[1].number, segs[1].line), (2, 5));
        assert_eq!(segs[1].target.as_ref().unwrap().position(0), (5, 7));
    }

    #[test]
    fn tsv_with_three_languages_needs_to() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "d.tsv", "en\tko\tzh\nSeoul\t서울\t首尔\n");
        let e = collect(&DraftRequest::file(&p)).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::GiveTargetLanguage), "{e}");
        assert!(!e.to_string().contains("--"), "{e}");
        let mut r = DraftRequest::file(&p);
        r.to = Some(LangRange::parse("zh").unwrap());
        let (langs, segs) = collect(&r).unwrap();
        assert_eq!(langs[0].source.as_ref().unwrap().as_str(), "en");
        assert_eq!(segs[0].target.as_ref().unwrap().text, "首尔");
        // The language left is the second target (cross-target), with its column.
        assert_eq!(langs[0].second.as_ref().map(|t| t.as_str()), Some("ko"));
        let second = segs[0].second.as_ref().unwrap();
        assert_eq!((second.text.as_str(), second.position(0)), ("서울", (2, 7)));
    }

    #[test]
    fn second_target_only_for_a_third_language() {
        let tags =
            |s: &[&str]| -> Vec<LangTag> { s.iter().map(|t| LangTag::parse(t).unwrap()).collect() };
        assert_eq!(pick_second(&tags(&["en", "ko", "zh"]), 0, 1), Some(2));
        assert_eq!(pick_second(&tags(&["ko", "en", "zh"]), 1, 2), Some(0));
        // Two Chinese scripts are not two targets; a bilingual draft has none.
        assert_eq!(
            pick_second(&tags(&["en", "zh-Hans", "zh-Hant"]), 0, 1),
            None
        );
        assert_eq!(pick_second(&tags(&["en", "ko"]), 0, 1), None);
        // Four languages: which one would be ambiguous.
        assert_eq!(pick_second(&tags(&["en", "ko", "zh", "ja"]), 0, 1), None);
    }

    #[test]
    fn bilingual_tsv_has_no_second_target() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "d.tsv", "en\tko\nSeoul\t서울\n");
        let (langs, segs) = collect(&DraftRequest::file(&p)).unwrap();
        assert_eq!(langs[0].second, None);
        assert_eq!(segs[0].second, None);
    }

    #[test]
    fn bad_tsv_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "d.tsv", "Hello\t안녕\n");
        assert!(collect(&DraftRequest::file(&p))
            .unwrap_err()
            .to_string()
            .contains("no header"));
        let p = write(d.path(), "e.tsv", "en\tko\nHello\n");
        let e = collect(&DraftRequest::file(&p)).unwrap_err().to_string();
        assert!(e.contains("e.tsv:2:"), "{e}");
    }

    #[test]
    fn aligned_text_files() {
        let d = tempfile::tempdir().unwrap();
        let s = write(d.path(), "en.txt", "One.\nTwo.\n");
        let t = write(d.path(), "ko.txt", "하나.\n둘.\n");
        let mut r = DraftRequest::file(&t);
        r.source = Some(s.clone());
        let (langs, segs) = collect(&r).unwrap();
        assert_eq!(langs[0].source.as_ref().unwrap().as_str(), "en");
        assert_eq!(segs.len(), 2);
        let t2 = write(d.path(), "ko2.txt", "하나.\n");
        let mut r = DraftRequest::file(&t2);
        r.source = Some(s);
        r.to = Some(LangRange::parse("ko").unwrap());
        let e = collect(&r).unwrap_err().to_string();
        assert!(
            e.contains("not aligned") && e.contains("has 2 lines"),
            "{e}"
        );
    }

    #[test]
    fn target_only_text() {
        let d = tempfile::tempdir().unwrap();
        let t = write(d.path(), "draft.txt", "하나.\n\n둘.\n");
        let e = collect(&DraftRequest::file(&t)).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::GiveTargetLanguage), "{e}");
        assert_eq!(e.kind(), &ErrorKind::Lang);
        assert!(!e.to_string().contains("--"), "{e}");
        let mut r = DraftRequest::file(&t);
        r.to = Some(LangRange::parse("ko").unwrap());
        let (langs, segs) = collect(&r).unwrap();
        assert!(langs[0].source.is_none());
        assert_eq!(segs[1].line, 3);
        assert_eq!(
            lang_from_file_name(Path::new("speech.ko.txt"))
                .unwrap()
                .as_str(),
            "ko"
        );
        assert_eq!(
            lang_from_file_name(Path::new("zh-CN.txt"))
                .unwrap()
                .as_str(),
            "zh-CN"
        );
        assert!(lang_from_file_name(Path::new("draft.txt")).is_none());
    }

    #[test]
    fn csv_draft_uses_the_sniffed_delimiter() {
        // Import sniffed `;` while drafts always split on `,`.
        let (langs, segs) = collect(&DraftRequest::file(crate::testutil::data(
            "excel-en-ko.csv",
        )))
        .unwrap();
        assert_eq!(langs[0].target.as_str(), "ko");
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].source.as_ref().unwrap().text, "Seoul, the capital");
        assert_eq!(segs[0].target.as_ref().unwrap().text, "서울");
        assert_eq!(segs[1].target.as_ref().unwrap().position(0), (3, 7));
    }

    #[test]
    fn tsv_header_with_a_second_bom_names_the_language() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "d.tsv", "\u{FEFF}\u{FEFF}en\tko\nSeoul\t서울\n");
        let (langs, segs) = collect(&DraftRequest::file(&p)).unwrap();
        assert_eq!(langs[0].source.as_ref().unwrap().as_str(), "en");
        assert_eq!(segs.len(), 1);
        // The memory reader shares the header detector.
        let mut n = 0;
        crate::formats::read_memory_file(&p, crate::formats::Format::Tsv, |u| {
            assert_eq!(u.variants.len(), 2);
            assert!(u.meta.extra.props.is_empty());
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn header_only_draft_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        for (name, text) in [("h.tsv", "en\tko\n"), ("h.csv", "en,ko\r\n\r\n")] {
            let p = write(d.path(), name, text);
            let e = collect(&DraftRequest::file(&p)).unwrap_err().to_string();
            assert!(e.contains("a header but no rows"), "{e}");
        }
        // A wrong --to is still the first thing said.
        let p = write(d.path(), "h2.tsv", "en\tko\n");
        let mut r = DraftRequest::file(&p);
        r.to = Some(LangRange::parse("zh").unwrap());
        let e = collect(&r).unwrap_err().to_string();
        assert!(e.contains("no target column for zh"), "{e}");
    }

    #[test]
    fn cr_only_draft_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "cr.tsv", "\r\r\r");
        assert!(collect(&DraftRequest::file(&p)).is_err());
        let p = write(d.path(), "ko.txt", "\r\r\r\n \n");
        let e = collect(&DraftRequest::file(&p)).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let s = write(d.path(), "en.txt", "\r\n\r\n");
        let mut r = DraftRequest::file(&p);
        r.source = Some(s);
        let e = collect(&r).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn draft_from_a_fifo_is_read() {
        // `lint <(cat d.tsv)` said "no such file" while import read it.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let writer = {
            let p = p.clone();
            std::thread::spawn(move || std::fs::write(p, "en\tko\nSeoul\t서울\n").unwrap())
        };
        crate::formats::input::check_readable(&p).unwrap();
        let mut r = DraftRequest::file(&p);
        r.format = Some(DraftFormat::Tsv);
        let (_, segs) = collect(&r).unwrap();
        writer.join().unwrap();
        assert_eq!(segs[0].target.as_ref().unwrap().text, "서울");
    }

    #[test]
    fn directory_draft_says_is_a_directory() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("drafts.tsv");
        std::fs::create_dir(&p).unwrap();
        let e = crate::formats::input::check_readable(&p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");
        let e = collect(&DraftRequest::file(&p)).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
        let e = crate::formats::input::check_readable(&d.path().join("none.tsv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no such file"), "{e}");
    }

    #[test]
    fn format_names_have_one_table() {
        use crate::formats::{FileFormat, Format};
        // `txt` is plain text for drafts; a memory is always a table, so it stays TSV.
        assert_eq!(DraftFormat::from_name("txt"), Some(DraftFormat::Text));
        assert_eq!(FileFormat::from_name("TXT"), Some(FileFormat::Text));
        assert_eq!(Format::from_name("txt"), Some(Format::Tsv));
        assert_eq!(Format::from_name("tab"), Some(Format::Tsv));
        // A bilingual XLIFF is a memory file too (import reads it; export writes it).
        assert_eq!(Format::from_name("xliff"), Some(Format::Xliff));
        assert_eq!(Format::from_name("SDLXLIFF"), Some(Format::Xliff));
        assert_eq!(Format::from_name("xliff2"), Some(Format::Xliff2));
        assert_eq!(Format::from_name("md"), None);
        for n in [
            "tsv", "tab", "csv", "tmx", "xliff", "xlf", "sdlxliff", "mqxliff", "text",
        ] {
            assert!(DraftFormat::from_name(n).is_some(), "{n}");
        }
    }
}
