//! Reading a translation job: the source documents of `analyze` and `pretranslate`,
//! several files in order, as one list of [`JobSegment`]s.
//!
//! What each format gives:
//!
//! * **Plain text, Markdown, HTML, DOCX** ([`super::document`]): paragraphs split into
//!   sentences by concord's segmenter ([`crate::segment::Segmenter`], the shipped SRX
//!   rules and a user's file in front of them) with [`Split::Sentences`] (the default);
//!   with [`Split::Lines`] a plain text gives one segment per non-blank line and the other
//!   documents one per paragraph. The position of a sentence is its paragraph's line (the
//!   paragraph number for DOCX); [`JobSegment::paragraph`] groups the sentences of one
//!   paragraph. The source language is `from`, else the file name's (`speech.en.txt`),
//!   else told from the script; the target language is `to`, else the one the other files
//!   of the job name.
//! * **TSV/CSV** ([`super::tabular`]): a header row of language tags, as drafts. A header
//!   with one language is a source column (the target language is `to`); with two or more
//!   the columns are chosen as for drafts ([`super::draft::pick_languages`]) and a
//!   non-blank target cell is the segment's existing target.
//! * **XLIFF 1.2 / 2.0, SDLXLIFF, MQXLIFF, TMX** ([`super::xliff`]): every segment with
//!   its id, raw text, inline codes and positions, and its target when the file has one;
//!   the languages come from the file and must agree with `from`/`to`. Locked and
//!   `translate="no"` segments are kept, flagged ([`JobSegment::lock`]).
//!
//! Segments whose source is blank are left out (they have nothing to translate).
//!
//! Languages: every file must have the job's source and target language (the first
//! file's, or `from`/`to`); a contradiction is an error at the file and line that says
//! the other language, and so is a job whose target language nothing names.
//! [`Job::check_memory_languages`] refuses a job in a language the memory has no
//! segments in, at the first file and line.
//!
//! # For writers (pretranslate)
//!
//! ```no_run
//! use concord::formats::job::{read_job, JobRequest};
//! use concord::lang::LangRange;
//!
//! let mut req = JobRequest::files(["statement.xlf", "annex.docx"]);
//! req.to = Some(LangRange::parse("ko").unwrap());
//! let job = read_job(&req)?;
//! for (i, file) in job.files.iter().enumerate() {
//!     for seg in job.file_segments(i) {
//!         // seg.source: the stored form to match against the memory;
//!         // seg.raw: the text as the file holds it, with seg.raw.tags (inline codes at
//!         // character offsets of seg.raw.text) and seg.raw.anchors (file positions);
//!         // seg.id / seg.number / seg.line: where to write the target back;
//!         // seg.target: the target the file already has (do not overwrite unless asked).
//!         let _ = (file.format, &seg.source, &seg.raw.tags, &seg.id, &seg.target);
//!     }
//! }
//! # Ok::<(), concord::error::Error>(())
//! ```
//!
//! The job keeps only what matching needs and where each segment is. A writer for the
//! format the file came in (XLIFF, SDLXLIFF, MQXLIFF) reads the file with
//! [`super::xliff::read_xliff_doc`] instead: the same reader, in the same single pass,
//! gives the same segments (by [`JobSegment::id`]: the XLIFF unit id, `unit#segment` for
//! 2.0 segments and SDLXLIFF sub-segments) with the byte offsets a splice needs.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Hint, Location, Result};
use crate::formats::draft::{self, DraftEvent, DraftFormat, DraftRequest};
use crate::formats::segment::{InlineTag, Lock, SegText};
use crate::formats::{document, input, tabular, FileFormat};
use crate::lang::{LangRange, LangTag};

/// How documents (text, Markdown, HTML, DOCX) are cut into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Paragraphs split into sentences by the segmenter (the default).
    #[default]
    Sentences,
    /// One segment per line of a plain text, per paragraph of other documents.
    Lines,
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct JobRequest {
    /// The files, in job order.
    pub files: Vec<PathBuf>,
    /// The format of every file (default: each file's extension; when it names none, the
    /// format its content shows, [`super::sniff`]).
    pub format: Option<FileFormat>,
    /// The source language (needed when a file does not say it).
    pub from: Option<LangRange>,
    /// The target language (needed when no file says it).
    pub to: Option<LangRange>,
    /// How documents are cut into segments.
    pub split: Split,
    /// A user SRX file, tried before the shipped rules.
    pub srx: Option<PathBuf>,
    /// Use only the user's SRX file.
    pub srx_only: bool,
}

impl JobRequest {
    /// A request for `files`, formats from their extensions, languages from the files.
    pub fn files<P: Into<PathBuf>>(files: impl IntoIterator<Item = P>) -> JobRequest {
        JobRequest {
            files: files.into_iter().map(Into::into).collect(),
            ..JobRequest::default()
        }
    }
}

/// One segment of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSegment {
    /// Index of its file in [`Job::files`].
    pub file: usize,
    /// 1-based number of the segment in its file: the file's own count for tables (the
    /// row), XLIFF (the n-th segment) and TMX (the n-th unit), so it has gaps where a
    /// blank source was left out; the n-th segment of a document.
    pub number: u64,
    /// The segment's id in the file (XLIFF unit id, `unit#segment`, TMX `tuid`), when it
    /// has one.
    pub id: Option<String>,
    /// The source text in stored form ([`crate::text::stored_form`]): what is matched.
    pub source: String,
    /// The source as the file holds it: raw text (inline markup removed, not trimmed, not
    /// normalized), inline codes ([`SegText::tags`]) and positions ([`SegText::anchors`]).
    pub raw: SegText,
    /// The target the file already has (a non-blank target cell, an XLIFF `<target>`).
    pub target: Option<SegText>,
    /// 1-based line of the segment in its file (a sentence: its paragraph's line; DOCX:
    /// the paragraph number).
    pub line: u64,
    /// 1-based column of the source text's start (1 when not known).
    pub column: u64,
    /// Documents: the 1-based paragraph the sentence belongs to.
    pub paragraph: Option<u64>,
    /// Whether the file protects the segment ([`Lock`]: SDLXLIFF, memoQ and XLIFF 2.0
    /// locks, `translate="no"`): `analyze` counts it as locked, `pretranslate` leaves it
    /// as it is.
    pub lock: Lock,
}

impl JobSegment {
    /// The inline codes of the source.
    pub fn tags(&self) -> &[InlineTag] {
        &self.raw.tags
    }
}

/// One file of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// The file as named.
    pub path: PathBuf,
    /// Its format.
    pub format: FileFormat,
    /// Where its segments are in [`Job::segments`].
    pub segments: std::ops::Range<usize>,
    /// The line where the file says its languages (its first segment's line; 1 when the
    /// languages came from outside the file).
    pub lang_line: u64,
}

/// A job: files and their segments, with one source and one target language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The source language.
    pub source: LangTag,
    /// The target language.
    pub target: LangTag,
    /// The files, in job order.
    pub files: Vec<JobFile>,
    /// All segments, file after file, in file order.
    pub segments: Vec<JobSegment>,
}

impl Job {
    /// The segments of file `i`.
    pub fn file_segments(&self, i: usize) -> &[JobSegment] {
        &self.segments[self.files[i].segments.clone()]
    }

    /// Refuse a job whose source or target language the memory has no segments in
    /// (`languages`: the memory's languages, e.g. [`crate::store::Memory::languages`]).
    /// The error is at the first file, on the line that names the language.
    pub fn check_memory_languages(&self, languages: &[LangTag]) -> Result<()> {
        for (what, tag) in [("source", &self.source), ("target", &self.target)] {
            if !languages.iter().any(|m| same_language(m, tag)) {
                let list = if languages.is_empty() {
                    "no languages".to_string()
                } else {
                    languages
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let f = &self.files[0];
                return Err(Error::new(
                    ErrorKind::NoData,
                    format!("the job's {what} language is {tag}, but the memory has {list}"),
                )
                .at(Location::line(&f.path, f.lang_line)));
            }
        }
        Ok(())
    }
}

/// True when `a` and `b` name the same language for a job: one selects the other as a
/// range (`en` and `en-US`), or they are the same Chinese variety.
pub fn same_language(a: &LangTag, b: &LangTag) -> bool {
    let range = |t: &LangTag| LangRange::parse(t.as_str()).ok();
    a == b
        || a.same_variety(b)
        || range(a).is_some_and(|r| r.matches(b))
        || range(b).is_some_and(|r| r.matches(a))
}

/// What one file said about its languages, and its segments.
struct FileRead {
    source: Option<LangTag>,
    target: Option<LangTag>,
    segments: Vec<JobSegment>,
    lang_line: u64,
}

/// Read a job (see the module documentation).
pub fn read_job(req: &JobRequest) -> Result<Job> {
    if req.files.is_empty() {
        return Err(Error::bad_request("a job needs at least one file"));
    }
    let rules = std::cell::OnceCell::new();
    let mut reads: Vec<(PathBuf, FileFormat, FileRead)> = Vec::new();
    for (i, path) in req.files.iter().enumerate() {
        input::check_readable(path)?;
        let (format, sniffed) = super::sniff::resolve_as(path, req.format)?;
        let read = match format {
            FileFormat::Xliff | FileFormat::Tmx => read_bilingual(req, path, format, i),
            FileFormat::Tsv | FileFormat::Csv => read_table(req, path, format, i),
            FileFormat::Text | FileFormat::Markdown | FileFormat::Html | FileFormat::Docx => {
                if rules.get().is_none() {
                    let r = super::srx::load_rules(req.srx.as_deref(), req.srx_only)?;
                    let _ = rules.set(r);
                }
                read_doc(req, path, format, i, rules.get().expect("set above"))
            }
        };
        // A file whose format was told from its content: its errors say so.
        let read = read.map_err(|e| match &sniffed {
            Some(s) => s.explain(e, Hint::GiveInputFormat),
            None => e,
        })?;
        reads.push((path.clone(), format, read));
    }
    // The job's languages: `from`/`to` when they are tags, else the first file that says.
    let pick = |given: Option<&LangRange>, side: fn(&FileRead) -> Option<&LangTag>| {
        given
            .and_then(|r| r.tag().cloned())
            .or_else(|| reads.iter().find_map(|(_, _, r)| side(r).cloned()))
    };
    let source = pick(req.from.as_ref(), |r| r.source.as_ref()).ok_or_else(|| {
        Error::new(ErrorKind::Lang, "no file says the source language")
            .at(Location::line(&reads[0].0, reads[0].2.lang_line))
            .with_hint(Hint::GiveSourceLanguage)
    })?;
    let target = pick(req.to.as_ref(), |r| r.target.as_ref());
    let mut job = Job {
        source: source.clone(),
        target: source.clone(),
        files: Vec::new(),
        segments: Vec::new(),
    };
    for (path, format, read) in reads {
        let at = Location::line(&path, read.lang_line);
        if let Some(s) = &read.source {
            if !same_language(s, &source) {
                return Err(Error::new(
                    ErrorKind::Lang,
                    format!("this file's source language is {s}, but the job's is {source}"),
                )
                .at(at));
            }
        }
        let Some(target) = &target else {
            return Err(Error::new(
                ErrorKind::Lang,
                "the job's target language is not named (the file does not say it)",
            )
            .at(at)
            .with_hint(Hint::GiveTargetLanguage));
        };
        if let Some(t) = &read.target {
            if !same_language(t, target) {
                return Err(Error::new(
                    ErrorKind::Lang,
                    format!("this file's target language is {t}, but the job's is {target}"),
                )
                .at(at));
            }
        }
        if same_language(&source, target) {
            return Err(Error::new(
                ErrorKind::Lang,
                format!("the source and target languages are the same ({source}, {target})"),
            )
            .at(at));
        }
        let start = job.segments.len();
        job.segments.extend(read.segments);
        job.files.push(JobFile {
            path,
            format,
            segments: start..job.segments.len(),
            lang_line: read.lang_line,
        });
    }
    job.target = target.expect("checked for every file");
    Ok(job)
}

fn segment_from(
    file: usize,
    number: u64,
    id: Option<String>,
    line: u64,
    raw: SegText,
    target: Option<SegText>,
    paragraph: Option<u64>,
) -> Option<JobSegment> {
    let source = crate::text::stored_form(&raw.text);
    if source.is_empty() {
        return None;
    }
    let (line, column) = match raw.anchors.first() {
        Some(a) if paragraph.is_none() => (a.line, a.column),
        _ => (line, 1),
    };
    Some(JobSegment {
        file,
        number,
        id,
        source,
        raw,
        target: target.filter(|t| !t.is_blank()),
        line,
        column,
        paragraph,
        lock: Lock::Open,
    })
}

/// XLIFF and TMX, through the draft readers.
fn read_bilingual(
    req: &JobRequest,
    path: &Path,
    format: FileFormat,
    file: usize,
) -> Result<FileRead> {
    let dreq = DraftRequest {
        path: path.to_path_buf(),
        source: None,
        format: Some(if format == FileFormat::Tmx {
            DraftFormat::Tmx
        } else {
            DraftFormat::Xliff
        }),
        from: req.from.clone(),
        to: req.to.clone(),
        ..DraftRequest::file(path)
    };
    let mut out = FileRead {
        source: None,
        target: None,
        segments: Vec::new(),
        lang_line: 1,
    };
    let mut first_line = None;
    draft::read_job_draft(&dreq, |ev| {
        match ev {
            DraftEvent::Start(l) => {
                out.source = l.source;
                out.target = Some(l.target);
            }
            DraftEvent::Segment(s) => {
                first_line.get_or_insert(s.line);
                let Some(src) = s.source else {
                    return Ok(());
                };
                let lock = s.lock;
                out.segments.extend(
                    segment_from(file, s.number, s.id, s.line, src, s.target, None)
                        .map(|j| JobSegment { lock, ..j }),
                );
            }
        }
        Ok(())
    })?;
    out.lang_line = first_line.unwrap_or(1);
    Ok(out)
}

/// TSV/CSV: one language column is the source; two or more are chosen as for drafts.
fn read_table(req: &JobRequest, path: &Path, format: FileFormat, file: usize) -> Result<FileRead> {
    let mut input = input::open_text(path)?;
    let delim = tabular::delimiter_of(&mut input.reader, path, format == FileFormat::Tsv)?;
    let mut out = FileRead {
        source: None,
        target: None,
        segments: Vec::new(),
        lang_line: 1,
    };
    let mut cols: Option<(usize, Option<usize>)> = None;
    let mut any_row = false;
    let header = tabular::parse_rows_min(input.reader, path, delim, 1, |row| {
        any_row = true;
        if cols.is_none() {
            let header_line = row.line.saturating_sub(1).max(1);
            out.lang_line = header_line;
            let lang_cols: Vec<usize> = row
                .header
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, tabular::Column::Lang(_)))
                .map(|(i, _)| i)
                .collect();
            let langs = row.header.languages();
            cols = Some(pick_table_columns(
                path,
                header_line,
                &langs,
                &lang_cols,
                req,
                &mut out,
            )?);
        }
        let (s, t) = cols.expect("set above");
        let col_of = |k: usize| -> u64 {
            1 + row.cells[..k]
                .iter()
                .map(|c| c.chars().count() as u64 + 1)
                .sum::<u64>()
        };
        let raw = SegText::at(row.cells[s].clone(), row.line, col_of(s));
        let target = t.map(|t| SegText::at(row.cells[t].clone(), row.line, col_of(t)));
        crate::limits::check_segment(&raw.text).map_err(|m| Error::limit(path, row.line, m))?;
        out.segments.extend(segment_from(
            file, row.number, None, row.line, raw, target, None,
        ));
        Ok(())
    })?;
    if !any_row {
        let langs = header.languages();
        let lang_cols: Vec<usize> = (0..langs.len()).collect();
        pick_table_columns(path, 1, &langs, &lang_cols, req, &mut out)?;
        return Err(Error::parse_file(path, "the file has a header but no rows"));
    }
    Ok(out)
}

fn pick_table_columns(
    path: &Path,
    line: u64,
    langs: &[LangTag],
    lang_cols: &[usize],
    req: &JobRequest,
    out: &mut FileRead,
) -> Result<(usize, Option<usize>)> {
    if langs.len() == 1 {
        if let Some(f) = &req.from {
            if !f.matches(&langs[0]) {
                return Err(Error::parse(
                    path,
                    line,
                    format!("no source column for {f} (the file has {})", langs[0]),
                ));
            }
        }
        out.source = Some(langs[0].clone());
        return Ok((lang_cols[0], None));
    }
    let (s, t) = draft::pick_languages(path, line, langs, req.from.as_ref(), req.to.as_ref())?;
    out.source = Some(langs[s].clone());
    out.target = Some(langs[t].clone());
    Ok((lang_cols[s], Some(lang_cols[t])))
}

/// Plain text, Markdown, HTML and DOCX: paragraphs, split into sentences.
fn read_doc(
    req: &JobRequest,
    path: &Path,
    format: FileFormat,
    file: usize,
    rules: &crate::segment::Rules,
) -> Result<FileRead> {
    let mut out = FileRead {
        source: None,
        target: req.to.as_ref().and_then(|r| r.tag().cloned()),
        segments: Vec::new(),
        lang_line: 1,
    };
    let dformat = Some(
        <document::DocumentFormat as super::sniff::Family>::named(format)
            .unwrap_or(document::DocumentFormat::Text),
    );
    // Lines of a plain text, as the file has them.
    let paragraphs: Vec<document::Paragraph> =
        if format == FileFormat::Text && req.split == Split::Lines {
            let mut lines = Vec::new();
            let mut r = input::open_text(path)?.reader;
            let mut buf = Vec::new();
            let mut n = 0u64;
            loop {
                buf.clear();
                let got = r
                    .read_until(b'\n', &mut buf)
                    .map_err(|e| input::read_error(path, n + 1, &e))?;
                if got == 0 {
                    break;
                }
                n += 1;
                let s = std::str::from_utf8(&buf).map_err(|e| {
                    Error::parse(
                        path,
                        n,
                        format!(
                            "invalid UTF-8 at byte {} of the line (save the file as UTF-8)",
                            e.valid_up_to() + 1
                        ),
                    )
                })?;
                let s = s.trim_end_matches(['\n', '\r']);
                if !s.trim().is_empty() {
                    lines.push(document::Paragraph {
                        text: s.to_string(),
                        heading: false,
                        line: n,
                    });
                }
            }
            if lines.is_empty() {
                return Err(Error::empty_input(
                    path,
                    "the document is empty: every line is blank",
                ));
            }
            lines
        } else {
            document::read_document(path, dformat)?.paragraphs
        };
    let source = match &req.from {
        Some(r) => r.tag().cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::Lang,
                format!("a document's language must be a language tag, not the range {r}"),
            )
            .with_hint(Hint::GiveSourceLanguage)
        })?,
        None => match draft::lang_from_file_name(path) {
            Some(t) => t,
            None => crate::segment::detect_language(paragraphs.iter().map(|p| p.text.as_str()))
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Lang,
                        "cannot tell the document's language from its script",
                    )
                    .at(Location::line(path, paragraphs[0].line))
                    .with_hint(Hint::GiveSourceLanguage)
                })?,
        },
    };
    let seg = crate::segment::Segmenter::new(rules, &source);
    out.source = Some(source);
    let mut number = 0u64;
    for (pi, p) in paragraphs.iter().enumerate() {
        let pieces: Vec<&str> = match req.split {
            Split::Sentences => seg.sentences(&p.text),
            Split::Lines => vec![p.text.as_str()],
        };
        for s in pieces {
            crate::limits::check_segment(s).map_err(|m| Error::limit(path, p.line, m))?;
            let raw = SegText::at(s, p.line, 1);
            let Some(js) = segment_from(
                file,
                number + 1,
                None,
                p.line,
                raw,
                None,
                (req.split == Split::Sentences || format != FileFormat::Text)
                    .then_some(pi as u64 + 1),
            ) else {
                continue;
            };
            number += 1;
            out.segments.push(js);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn ko() -> Option<LangRange> {
        Some(LangRange::parse("ko").unwrap())
    }

    fn sources(job: &Job) -> Vec<&str> {
        job.segments.iter().map(|s| s.source.as_str()).collect()
    }

    #[test]
    fn text_sentences_and_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "s.en.txt",
            "The ministers met. They agreed.\n\nA second paragraph.\n",
        );
        let mut req = JobRequest::files([&p]);
        req.to = ko();
        let job = read_job(&req).unwrap();
        assert_eq!(
            sources(&job),
            ["The ministers met.", "They agreed.", "A second paragraph."]
        );
        assert_eq!(job.source.as_str(), "en");
        assert_eq!(job.target.as_str(), "ko");
        assert_eq!(
            job.segments.iter().map(|s| s.paragraph).collect::<Vec<_>>(),
            [Some(1), Some(1), Some(2)]
        );
        assert_eq!(job.segments[2].line, 3);
        req.split = Split::Lines;
        let job = read_job(&req).unwrap();
        assert_eq!(
            sources(&job),
            ["The ministers met. They agreed.", "A second paragraph."]
        );
        assert_eq!((job.segments[1].line, job.segments[1].number), (3, 2));
    }

    #[test]
    fn missing_target_language_is_an_error_with_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "s.txt", "The ministers met.\n");
        let e = read_job(&JobRequest::files([&p])).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::GiveTargetLanguage), "{e}");
        assert!(e.to_string().contains("s.txt:1:"), "{e}");
        // Another file of the job names it.
        let x = write(
            d.path(),
            "x.xlf",
            "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"a\"><source>Hello <g id=\"1\">world</g>.</source></trans-unit></body></file></xliff>",
        );
        let job = read_job(&JobRequest::files([&p, &x])).unwrap();
        assert_eq!(job.target.as_str(), "ko");
        assert_eq!(job.files.len(), 2);
        let seg = &job.file_segments(1)[0];
        assert_eq!(seg.id.as_deref(), Some("a"));
        assert_eq!(seg.source, "Hello world.");
        assert_eq!(seg.tags()[0].key, "g#1");
        assert_eq!(seg.line, 2);
    }

    #[test]
    fn contradicting_languages_are_errors_with_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let a = write(
            d.path(),
            "a.xlf",
            "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>One.</source></trans-unit></body></file></xliff>",
        );
        let b = write(
            d.path(),
            "b.xlf",
            "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"zh-CN\"><body>\n\n<trans-unit id=\"1\"><source>Two.</source></trans-unit></body></file></xliff>",
        );
        let e = read_job(&JobRequest::files([&a, &b]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.xlf:3:") && e.contains("zh-CN"), "{e}");
        // --to against the file's target-language.
        let mut req = JobRequest::files([&b]);
        req.to = ko();
        let e = read_job(&req).unwrap_err().to_string();
        assert!(e.contains("b.xlf:") && e.contains("ko"), "{e}");
    }

    #[test]
    fn tables_with_one_or_two_language_columns() {
        let d = tempfile::tempdir().unwrap();
        let one = write(d.path(), "one.tsv", "en\tnote\nSeoul.\tx\n\t\nBusan.\ty\n");
        let mut req = JobRequest::files([&one]);
        req.to = ko();
        let job = read_job(&req).unwrap();
        assert_eq!(sources(&job), ["Seoul.", "Busan."]);
        assert_eq!(job.segments[1].line, 4);
        assert!(job.segments[0].target.is_none());
        let two = write(d.path(), "two.csv", "en,ko\nSeoul.,서울.\nBusan.,\n");
        let job = read_job(&JobRequest::files([&two])).unwrap();
        assert_eq!(job.segments[0].target.as_ref().unwrap().text, "서울.");
        assert!(job.segments[1].target.is_none());
        assert_eq!(job.segments[0].column, 1);
        let e = read_job(&JobRequest::files([&one])).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::GiveTargetLanguage), "{e}");
    }

    #[test]
    fn stored_form_of_nfd_hangul_source() {
        use unicode_normalization::UnicodeNormalization;
        let d = tempfile::tempdir().unwrap();
        let nfd: String = "  양국 장관은 회담했다.  ".nfd().collect();
        let p = write(d.path(), "k.tsv", &format!("ko\n{nfd}\n"));
        let mut req = JobRequest::files([&p]);
        req.to = Some(LangRange::parse("en").unwrap());
        let job = read_job(&req).unwrap();
        assert_eq!(job.segments[0].source, "양국 장관은 회담했다.");
        assert_eq!(job.segments[0].raw.text, nfd);
    }

    #[test]
    fn malformed_xliff_names_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "bad.xlf",
            "<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>",
        );
        let e = read_job(&JobRequest::files([&p])).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Parse);
        assert!(e.to_string().contains("bad.xlf:3"), "{e}");
    }

    #[test]
    fn language_the_memory_lacks_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "s.en.txt", "The ministers met.\n");
        let mut req = JobRequest::files([&p]);
        req.to = Some(LangRange::parse("zh-CN").unwrap());
        let job = read_job(&req).unwrap();
        let mem = [
            LangTag::parse("en-US").unwrap(),
            LangTag::parse("ko").unwrap(),
        ];
        let e = job.check_memory_languages(&mem).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::NoData);
        let s = e.to_string();
        assert!(s.contains("s.en.txt:1:") && s.contains("zh-CN"), "{s}");
        let mem = [
            LangTag::parse("en-US").unwrap(),
            LangTag::parse("zh-Hans").unwrap(),
        ];
        job.check_memory_languages(&mem).unwrap();
    }

    #[test]
    fn chinese_document_detected_and_split() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "cn.txt", "两国外长举行会谈。双方同意加强合作。\n");
        let mut req = JobRequest::files([&p]);
        req.to = ko();
        let job = read_job(&req).unwrap();
        assert_eq!(job.source.primary(), "zh");
        assert_eq!(sources(&job), ["两国外长举行会谈。", "双方同意加强合作。"]);
    }

    #[test]
    fn xliff2_sdlxliff_and_tmx_in_one_job_in_order() {
        let d = tempfile::tempdir().unwrap();
        let x2 = write(
            d.path(),
            "a.xlf",
            "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\" trgLang=\"ko\"><file id=\"f\">\n<unit id=\"u1\"><segment id=\"s1\"><source>Press <pc id=\"1\">release</pc>.</source><target>보도 자료.</target></segment></unit></file></xliff>",
        );
        let sdl = write(
            d.path(),
            "b.sdlxliff",
            "<xliff version=\"1.2\" xmlns:sdl=\"http://sdl.com/FileTypes/SdlXliff/1.0\"><file source-language=\"en-US\" target-language=\"ko-KR\"><body>\n<trans-unit id=\"t1\"><source>One. Two.</source><seg-source><mrk mtype=\"seg\" mid=\"1\">One.</mrk> <mrk mtype=\"seg\" mid=\"2\">Two.</mrk></seg-source><target><mrk mtype=\"seg\" mid=\"1\">하나.</mrk> <mrk mtype=\"seg\" mid=\"2\"/></target></trans-unit></body></file></xliff>",
        );
        let tmx = write(
            d.path(),
            "c.tmx",
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu tuid=\"9\"><tuv xml:lang=\"en\"><seg>Three.</seg></tuv><tuv xml:lang=\"ko\"><seg/></tuv></tu></body></tmx>",
        );
        let job = read_job(&JobRequest::files([&x2, &sdl, &tmx])).unwrap();
        assert_eq!(sources(&job), ["Press release.", "One.", "Two.", "Three."]);
        assert_eq!(job.target.as_str(), "ko");
        let ids: Vec<_> = job.segments.iter().map(|s| s.id.clone().unwrap()).collect();
        assert_eq!(ids, ["u1#s1", "t1#1", "t1#2", "9"]);
        assert_eq!(job.segments[0].target.as_ref().unwrap().text, "보도 자료.");
        assert_eq!(job.segments[1].target.as_ref().unwrap().text, "하나.");
        assert!(job.segments[2].target.is_none() && job.segments[3].target.is_none());
        assert_eq!(job.segments[0].tags()[0].key, "pc#1");
        assert_eq!(
            job.segments.iter().map(|s| s.file).collect::<Vec<_>>(),
            [0, 1, 1, 2]
        );
    }
}
