//! Reading drafts: bilingual TSV/CSV, XLIFF 1.2/2.0 (SDLXLIFF, MQXLIFF), TMX, two aligned
//! plain-text files, or a target-only text.
//!
//! Readers stream: they call back with [`DraftEvent::Start`] once the languages are known,
//! then with one [`DraftEvent::Segment`] per segment, so that a draft of any size is
//! checked in constant memory (XLIFF files are read whole; they are documents, not logs).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::{input, tabular};
use crate::lang::{LangRange, LangTag};

use super::segment::{SegText, Segment};

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

    /// Parse a format name (`tsv`, `csv`, `xliff`/`xlf`/`sdlxliff`/`mqxliff`, `tmx`, `txt`/`text`).
    pub fn from_name(name: &str) -> Option<DraftFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "tsv" | "tab" => DraftFormat::Tsv,
            "csv" => DraftFormat::Csv,
            "xliff" | "xlf" | "xlz" | "sdlxliff" | "mqxliff" | "mxliff" => DraftFormat::Xliff,
            "tmx" => DraftFormat::Tmx,
            "txt" | "text" => DraftFormat::Text,
            _ => return None,
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
}

/// What a draft reader reports.
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
    /// The format (default: from the extension).
    pub format: Option<DraftFormat>,
    /// `--from`: the source language (needed when the file does not say it).
    pub from: Option<LangRange>,
    /// `--to`: the target language (needed when the file does not say it).
    pub to: Option<LangRange>,
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
        }
    }

    /// The format that will be read.
    pub fn resolved_format(&self) -> Result<DraftFormat> {
        if self.source.is_some() {
            return Ok(DraftFormat::Text);
        }
        self.format
            .or_else(|| DraftFormat::from_path(&self.path))
            .ok_or_else(|| {
                Error::parse_file(
                    &self.path,
                    "cannot tell the draft format from the file name; name it with --format tsv|csv|xliff|tmx|txt",
                )
            })
    }
}

/// Read a draft, calling `on` with the languages and then every segment.
pub fn read_draft<F>(req: &DraftRequest, mut on: F) -> Result<DraftFormat>
where
    F: FnMut(DraftEvent) -> Result<()>,
{
    let format = req.resolved_format()?;
    match format {
        DraftFormat::Tsv | DraftFormat::Csv => read_tabular(req, format, &mut on)?,
        DraftFormat::Xliff => super::xliff::read_xliff(req, &mut on)?,
        DraftFormat::Tmx => read_tmx(req, &mut on)?,
        DraftFormat::Text => match &req.source {
            Some(src) => read_aligned(req, src, &mut on)?,
            None => read_target_only(req, &mut on)?,
        },
    }
    Ok(format)
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
                    format!(
                        "the draft has several target languages ({list}): choose one with --to"
                    ),
                ));
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

fn read_tabular(
    req: &DraftRequest,
    format: DraftFormat,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let path = &req.path;
    let input = input::open_text(path)?;
    let delim = if format == DraftFormat::Tsv {
        b'\t'
    } else {
        b','
    };
    let mut cols: Option<(usize, usize)> = None;
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
            cols = Some((lang_cols[s], lang_cols[t]));
            on(DraftEvent::Start(DraftLangs {
                source: Some(header_langs[s].clone()),
                target: header_langs[t].clone(),
            }))?;
        }
        let (s, t) = cols.expect("set above");
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
        on(DraftEvent::Segment(Segment {
            number: row.number,
            id: None,
            line: row.line,
            source: Some(SegText::at(source.clone(), row.line, col_of(s))),
            target: Some(SegText::at(target.clone(), row.line, col_of(t))),
        }))
    })?;
    if cols.is_none() {
        // A header without rows: still check the languages.
        let langs = header.languages();
        let (s, t) = pick_languages(path, 1, &langs, req.from.as_ref(), req.to.as_ref())?;
        on(DraftEvent::Start(DraftLangs {
            source: Some(langs[s].clone()),
            target: langs[t].clone(),
        }))?;
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

fn lang_for(path: &Path, given: Option<&LangRange>, flag: &str) -> Result<LangTag> {
    if let Some(r) = given {
        return r
            .tag()
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("{flag} needs a language tag, not {r}")));
    }
    lang_from_file_name(path).ok_or_else(|| {
        Error::Invalid(format!(
            "{}: a plain-text file does not say its language; give it with {flag} (or name the file like en.txt, draft.ko.txt)",
            path.display()
        ))
    })
}

struct Lines {
    reader: Box<dyn BufRead + Send>,
    path: PathBuf,
    line: u64,
    buf: Vec<u8>,
}

impl Lines {
    fn open(path: &Path) -> Result<Lines> {
        Ok(Lines {
            reader: input::open_text(path)?.reader,
            path: path.to_path_buf(),
            line: 0,
            buf: Vec::new(),
        })
    }

    fn next_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| Error::io(&self.path, e))?;
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
    let src_lang = lang_for(source, req.from.as_ref(), "--from")?;
    let tgt_lang = lang_for(&req.path, req.to.as_ref(), "--to")?;
    let mut s = Lines::open(source)?;
    let mut t = Lines::open(&req.path)?;
    on(DraftEvent::Start(DraftLangs {
        source: Some(src_lang),
        target: tgt_lang,
    }))?;
    loop {
        let (a, b) = (s.next_line()?, t.next_line()?);
        match (a, b) {
            (None, None) => break,
            (Some(_), None) | (None, Some(_)) => {
                while s.next_line()?.is_some() {}
                while t.next_line()?.is_some() {}
                return Err(Error::Invalid(format!(
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
                }))?;
            }
        }
    }
    Ok(())
}

fn read_target_only(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let tgt_lang = lang_for(&req.path, req.to.as_ref(), "--to")?;
    let mut t = Lines::open(&req.path)?;
    on(DraftEvent::Start(DraftLangs {
        source: None,
        target: tgt_lang,
    }))?;
    while let Some(line) = t.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        on(DraftEvent::Segment(Segment {
            number: t.line,
            id: None,
            line: t.line,
            source: None,
            target: Some(SegText::at(line, t.line, 1)),
        }))?;
    }
    Ok(())
}

/// Lines where `<tu` elements start in a TMX file (to give TMX findings a line).
fn tu_lines(path: &Path) -> Vec<u64> {
    let mut out = Vec::new();
    let Ok(inp) = input::open_text(path) else {
        return out;
    };
    let mut r = inp.reader;
    let mut line = 1u64;
    let mut buf = Vec::new();
    while let Ok(n) = r.read_until(b'\n', &mut buf) {
        if n == 0 {
            break;
        }
        let mut i = 0;
        while let Some(p) = buf[i..].windows(3).position(|w| w == b"<tu") {
            let after = buf.get(i + p + 3).copied();
            if matches!(
                after,
                Some(b' ' | b'>' | b'\t' | b'\r' | b'\n' | b'/') | None
            ) {
                out.push(line);
            }
            i += p + 3;
        }
        line += 1;
        buf.clear();
    }
    out
}

fn read_tmx(req: &DraftRequest, on: &mut dyn FnMut(DraftEvent) -> Result<()>) -> Result<()> {
    let path = &req.path;
    let lines = tu_lines(path);
    let mut langs: Option<(LangRange, LangRange, DraftLangs)> = None;
    let mut number = 0u64;
    crate::formats::read_memory_file(path, crate::formats::Format::Tmx, |unit| {
        number += 1;
        let line = lines.get(number as usize - 1).copied().unwrap_or(0);
        if langs.is_none() {
            let tags: Vec<LangTag> = unit.variants.iter().map(|v| v.lang.clone()).collect();
            let from = req.from.clone().or_else(|| {
                unit.meta
                    .source_lang
                    .as_deref()
                    .and_then(|s| LangRange::parse(s).ok())
                    .filter(|r| r.tag().is_some())
            });
            let (s, t) = pick_languages(path, line.max(1), &tags, from.as_ref(), req.to.as_ref())?;
            let d = DraftLangs {
                source: Some(tags[s].clone()),
                target: tags[t].clone(),
            };
            let sr = LangRange::parse(tags[s].as_str()).map_err(|e| Error::lang("tmx", e))?;
            let tr = LangRange::parse(tags[t].as_str()).map_err(|e| Error::lang("tmx", e))?;
            on(DraftEvent::Start(d.clone()))?;
            langs = Some((sr, tr, d));
        }
        let (sr, tr, _) = langs.as_ref().expect("set above");
        let Some(src) = unit.variant_in(sr) else {
            return Ok(());
        };
        let tgt = unit.variant_in(tr);
        on(DraftEvent::Segment(Segment {
            number,
            id: unit.meta.extra.attr("tuid").map(str::to_string),
            line: line.max(1),
            source: Some(SegText::at(src.text.clone(), line.max(1), 1)),
            target: tgt.map(|v| SegText::at(v.text.clone(), line.max(1), 1)),
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(e.to_string().contains("--to"), "{e}");
        let mut r = DraftRequest::file(&p);
        r.to = Some(LangRange::parse("zh").unwrap());
        let (langs, segs) = collect(&r).unwrap();
        assert_eq!(langs[0].source.as_ref().unwrap().as_str(), "en");
        assert_eq!(segs[0].target.as_ref().unwrap().text, "首尔");
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
        let e = collect(&DraftRequest::file(&t)).unwrap_err().to_string();
        assert!(e.contains("--to"), "{e}");
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
}
