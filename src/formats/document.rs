//! Reading whole documents (press releases, readouts, statements) as paragraphs, for
//! segmentation and alignment: plain text, Markdown, simple HTML and DOCX.
//!
//! * **Plain text**: paragraphs are separated by blank lines; when the file has no blank
//!   line, every line is a paragraph. Lines of one paragraph are joined with a space (with
//!   nothing between two CJK characters).
//! * **Markdown**: like plain text, and `#` headings, list items and block quotes are
//!   paragraphs of their own; emphasis marks, inline code marks and link targets are
//!   dropped (`[text](url)` → `text`).
//! * **HTML**: the text of `<p>`, `<h1>`–`<h6>`, `<li>`, `<td>`/`<th>`, `<dt>`/`<dd>`,
//!   `<blockquote>`, `<div>` and `<br>`-separated blocks; `<script>`, `<style>`, `<head>`
//!   and comments are skipped; entities are decoded. It is a tag scanner, not a browser:
//!   simple, well-formed-enough HTML is what it reads.
//! * **DOCX**: the paragraphs (`<w:p>`) of `word/document.xml`, their `<w:t>` text, tabs and
//!   breaks as spaces; a paragraph styled `Title` or `Heading…` is a heading.
//!
//! Every paragraph's text is in stored form (NFC, white space runs as single spaces,
//! trimmed), and empty paragraphs are dropped.

use std::io::Read;

use crate::formats::srx::load_rules;
use crate::lang::LangTag;
use crate::segment::{detect_language, SegmentedDocument, SegmentedParagraph, Segmenter};
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use serde::Serialize;

use crate::error::{Error, Result};

/// The kind of a document file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// Plain text.
    Text,
    /// Markdown.
    Markdown,
    /// HTML (or XHTML).
    Html,
    /// A Word document (Office Open XML).
    Docx,
}

impl DocumentFormat {
    /// The format an extension names (`txt`, `md`, `html`, `docx`...).
    pub fn from_path(path: &Path) -> Option<DocumentFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        DocumentFormat::from_name(&ext)
    }

    /// The format a name or extension names. Plain text is what
    /// [`super::FileFormat::from_name`] calls text (`txt`, `text`); the others are
    /// document formats only.
    pub fn from_name(name: &str) -> Option<DocumentFormat> {
        <DocumentFormat as super::sniff::Family>::named(super::FileFormat::from_name(name)?)
    }
}

/// A document's formats. A table (`.tsv`, `.csv`, or content that looks like one) is read
/// as plain text, a line a paragraph, as is content that is no document format; a
/// bilingual file (`.tmx`, `.xlf`) is refused: its markup is not the document's text.
impl super::sniff::Family for DocumentFormat {
    const WHAT: &'static str = "document";
    const TAKES: &'static str = "plain text, Markdown, HTML, DOCX";
    const HINT: crate::error::Hint = crate::error::Hint::GiveDocumentFormat;
    fn named(f: super::FileFormat) -> Option<DocumentFormat> {
        Some(match f {
            super::FileFormat::Text => DocumentFormat::Text,
            super::FileFormat::Markdown => DocumentFormat::Markdown,
            super::FileFormat::Html => DocumentFormat::Html,
            super::FileFormat::Docx => DocumentFormat::Docx,
            super::FileFormat::Tsv | super::FileFormat::Csv => DocumentFormat::Text,
            super::FileFormat::Tmx | super::FileFormat::Xliff => return None,
        })
    }
    fn sniffed(s: &super::sniff::Sniffed) -> Option<DocumentFormat> {
        Some(match s {
            super::sniff::Sniffed::Html => DocumentFormat::Html,
            super::sniff::Sniffed::Docx => DocumentFormat::Docx,
            _ => DocumentFormat::Text,
        })
    }
}

/// One paragraph of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Its text (stored form).
    pub text: String,
    /// True for a heading (Markdown `#`, HTML `<h1>`–`<h6>`, a DOCX heading style).
    pub heading: bool,
    /// The 1-based line where it starts in the file (the paragraph number for DOCX).
    pub line: u64,
}

/// A document read as paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: DocumentFormat,
    /// The paragraphs, in order, none empty.
    pub paragraphs: Vec<Paragraph>,
}

/// Read a document. The format is `format` when given, else decided by the extension
/// (plain text when unknown). An empty file, or one with no text, is an error.
pub fn read_document(path: &Path, format: Option<DocumentFormat>) -> Result<Document> {
    let (format, sniffed) = super::sniff::resolve_as(path, format)?;
    read_document_as(path, format).map_err(|e| match &sniffed {
        // A file whose format was told from its content: its errors say so.
        Some(s) => s.explain(e, crate::error::Hint::GiveDocumentFormat),
        None => e,
    })
}

/// [`read_document`] in the format given.
fn read_document_as(path: &Path, format: DocumentFormat) -> Result<Document> {
    let paragraphs = match format {
        DocumentFormat::Docx => {
            // One look at the file: a regular file is read in place (a ZIP is read from
            // its end), its length from the same metadata.
            let regular = if super::input::is_stdin(path) {
                None
            } else {
                std::fs::metadata(path).ok().filter(|m| m.is_file())
            };
            if let Some(meta) = regular {
                if meta.len() == 0 {
                    return Err(Error::empty_input(path, "the file is empty"));
                }
                let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                docx_paragraphs(file, path)?
            } else {
                // A ZIP is read from its end: a pipe or the standard input (`-`) is
                // read whole first.
                let bytes = super::input::read_bytes(path)?;
                if bytes.is_empty() {
                    return Err(Error::empty_input(path, "the file is empty"));
                }
                docx_paragraphs(std::io::Cursor::new(bytes), path)?
            }
        }
        _ => {
            let mut input = super::input::open_text(path)?;
            let mut bytes = Vec::new();
            input
                .reader
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                Error::parse(path, line, "not UTF-8 text")
            })?;
            parse_text(&text, format)
        }
    };
    if paragraphs.is_empty() {
        return Err(Error::parse_file(path, "the document has no text"));
    }
    Ok(Document {
        path: path.to_path_buf(),
        format,
        paragraphs,
    })
}

/// The paragraphs of a text document in `format` (not DOCX, which is a zip file: use
/// [`read_document`] or [`docx_paragraphs`]).
pub fn parse_text(text: &str, format: DocumentFormat) -> Vec<Paragraph> {
    match format {
        DocumentFormat::Text => text_paragraphs(text, false),
        DocumentFormat::Markdown => text_paragraphs(text, true),
        DocumentFormat::Html => html_paragraphs(text),
        DocumentFormat::Docx => Vec::new(),
    }
}

fn is_cjk(c: char) -> bool {
    matches!(
        crate::text::script_of(c),
        crate::text::Script::Han | crate::text::Script::Kana
    ) || ('\u{3000}'..='\u{303F}').contains(&c)
        || ('\u{FF00}'..='\u{FF60}').contains(&c)
}

/// Append a line to a paragraph: a space between them unless both sides are CJK.
fn join_line(buf: &mut String, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    if let (Some(a), Some(b)) = (buf.chars().last(), line.chars().next()) {
        if !(is_cjk(a) && is_cjk(b)) {
            buf.push(' ');
        }
    }
    buf.push_str(line);
}

fn finish(out: &mut Vec<Paragraph>, buf: &mut String, heading: bool, line: u64) {
    let collapsed = buf.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = crate::text::stored_form(&collapsed);
    buf.clear();
    if !text.is_empty() {
        out.push(Paragraph {
            text,
            heading,
            line,
        });
    }
}

/// A Markdown line that starts a block of its own: heading level (`Some(true)`), list
/// item or block quote (`Some(false)`), with the marker removed.
fn markdown_block(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
        return Some((true, t[hashes..].trim().trim_end_matches('#').trim_end()));
    }
    for m in ["- ", "* ", "+ ", "> "] {
        if let Some(rest) = t.strip_prefix(m) {
            return Some((false, rest));
        }
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0
        && digits <= 3
        && t[digits..].starts_with([')'])
        && t[digits + 1..].starts_with(' ')
    {
        return Some((false, t[digits + 1..].trim_start()));
    }
    None
}

/// Remove Markdown inline marks: `**`, `__`, `*x*`, `` ` ``, `[text](url)`, `![alt](src)`.
fn markdown_inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '!' if chars.get(i + 1) == Some(&'[') => i += 1,
            '[' => {
                // [text](url): keep the text, drop the target.
                if let Some(close) = chars[i + 1..].iter().position(|&c| c == ']') {
                    let close = i + 1 + close;
                    if chars.get(close + 1) == Some(&'(') {
                        if let Some(end) = chars[close + 2..].iter().position(|&c| c == ')') {
                            out.extend(&chars[i + 1..close]);
                            i = close + 2 + end + 1;
                            continue;
                        }
                    }
                }
                out.push(c);
                i += 1;
            }
            '`' => i += 1,
            '*' | '_' => {
                // Emphasis marks touch a word; a lone `*` between spaces, or `_` inside a
                // word (snake_case), is text.
                let prev = if i > 0 { chars[i - 1] } else { ' ' };
                let mut j = i;
                while j < chars.len() && chars[j] == c {
                    j += 1;
                }
                let next = chars.get(j).copied().unwrap_or(' ');
                let inside_word = prev.is_alphanumeric() && next.is_alphanumeric();
                if (prev.is_whitespace() && next.is_whitespace()) || (c == '_' && inside_word) {
                    out.extend(&chars[i..j]);
                }
                i = j;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn text_paragraphs(text: &str, markdown: bool) -> Vec<Paragraph> {
    let lines: Vec<&str> = text.lines().collect();
    let blank_separated =
        lines.iter().any(|l| l.trim().is_empty()) || (markdown && lines.len() > 1);
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 1;
    let mut in_fence = false;
    for (i, raw) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        if markdown && raw.trim_start().starts_with("```") {
            finish(&mut out, &mut buf, false, start);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if raw.trim().is_empty() {
            finish(&mut out, &mut buf, false, start);
            continue;
        }
        if markdown {
            let t = raw.trim();
            if t.chars().all(|c| matches!(c, '-' | '=' | '*' | '_' | ' ')) && t.len() >= 3 {
                // A thematic break, or a setext underline: the text above is a heading
                // when underlined with = or -.
                let heading = !buf.is_empty() && (t.starts_with('=') || t.starts_with('-'));
                finish(&mut out, &mut buf, heading, start);
                continue;
            }
            if let Some((heading, rest)) = markdown_block(raw) {
                finish(&mut out, &mut buf, false, start);
                start = n;
                join_line(&mut buf, &markdown_inline(rest));
                if heading {
                    finish(&mut out, &mut buf, true, start);
                }
                continue;
            }
        }
        if buf.is_empty() {
            start = n;
        }
        if markdown {
            join_line(&mut buf, &markdown_inline(raw));
        } else {
            join_line(&mut buf, raw);
        }
        if !blank_separated {
            finish(&mut out, &mut buf, false, start);
        }
    }
    finish(&mut out, &mut buf, false, start);
    out
}

/// Decode the HTML entities of a text run.
fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '#');
        let decoded = end.and_then(|e| {
            let name = &rest[1..1 + e];
            if !rest[1 + e..].starts_with(';') {
                return None;
            }
            let c = if let Some(num) = name.strip_prefix('#') {
                let v = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                v.and_then(char::from_u32)
            } else {
                Some(match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => '\u{a0}',
                    "ndash" => '–',
                    "mdash" => '—',
                    "lsquo" => '‘',
                    "rsquo" => '’',
                    "ldquo" => '“',
                    "rdquo" => '”',
                    "hellip" => '…',
                    "middot" => '·',
                    "copy" => '©',
                    _ => return None,
                })
            }?;
            Some((c, e + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const HTML_BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "td",
    "th",
    "dt",
    "dd",
    "div",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "tr",
    "ul",
    "ol",
    "table",
    "pre",
    "title",
    "body",
    "figcaption",
    "caption",
    "main",
    "nav",
    "aside",
];

fn html_paragraphs(html: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut heading = false;
    let mut start_line = 1u64;
    let mut line = 1u64;
    let mut skip_until: Option<&'static str> = None;
    let mut rest = html;
    let count_lines = |s: &str| s.bytes().filter(|&b| b == b'\n').count() as u64;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                push_html_text(&mut buf, rest, &mut start_line, line);
            }
            break;
        };
        if skip_until.is_none() {
            push_html_text(&mut buf, &rest[..lt], &mut start_line, line);
        }
        line += count_lines(&rest[..lt]);
        rest = &rest[lt..];
        // A comment, a doctype or a CDATA section.
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map(|e| e + 3).unwrap_or(after.len());
            line += count_lines(&after[..end]);
            rest = &after[end..];
            continue;
        }
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        let end = match rest.find('>').filter(|_| starts_tag) {
            Some(e) => e + 1,
            None => {
                // A lone `<` is text.
                if skip_until.is_none() {
                    push_html_text(&mut buf, "<", &mut start_line, line);
                }
                rest = &rest[1..];
                continue;
            }
        };
        let tag = &rest[1..end - 1];
        line += count_lines(&rest[..end]);
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match name.as_str() {
            "script" | "style" | "head" | "noscript" | "template"
                if !closing && !tag.ends_with('/') =>
            {
                skip_until = Some(match name.as_str() {
                    "script" => "script",
                    "style" => "style",
                    "head" => "head",
                    "noscript" => "noscript",
                    _ => "template",
                });
            }
            "br" | "hr" => {
                finish(&mut out, &mut buf, heading, start_line);
            }
            n if HTML_BLOCKS.contains(&n) => {
                finish(&mut out, &mut buf, heading, start_line);
                heading = !closing
                    && n.len() == 2
                    && n.starts_with('h')
                    && n != "hr"
                    && n != "th"
                    && n != "tr";
            }
            _ => {}
        }
    }
    finish(&mut out, &mut buf, heading, start_line);
    out
}

fn push_html_text(buf: &mut String, raw: &str, start_line: &mut u64, line: u64) {
    if raw.trim().is_empty() {
        if !buf.is_empty() && !raw.is_empty() {
            buf.push(' ');
        }
        return;
    }
    if buf.trim().is_empty() {
        *start_line = line
            + raw[..raw.len() - raw.trim_start().len()]
                .bytes()
                .filter(|&b| b == b'\n')
                .count() as u64;
    }
    let text = html_unescape(raw);
    // Inline tags split text runs; a newline in the source is a space.
    buf.push_str(&text.replace(['\n', '\r', '\t'], " "));
}

/// The paragraphs of a DOCX file (`word/document.xml`), read from `reader`. `path` names
/// the file in errors.
pub fn docx_paragraphs<R: Read + std::io::Seek>(reader: R, path: &Path) -> Result<Vec<Paragraph>> {
    let not_docx = |m: String| Error::parse_file(path, m);
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| not_docx(format!("not a DOCX file (not a zip archive: {e})")))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| not_docx("not a DOCX file: no word/document.xml inside".into()))?
        .read_to_string(&mut xml)
        .map_err(|e| not_docx(format!("cannot read word/document.xml: {e}")))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut in_text = false;
    let mut heading = false;
    let mut number = 0u64;
    let mut depth_p = 0u32;
    loop {
        let ev = reader.read_event().map_err(|e| {
            not_docx(format!(
                "word/document.xml is not well-formed XML at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"p" if !empty => {
                        depth_p += 1;
                        if depth_p == 1 {
                            number += 1;
                            heading = false;
                        }
                    }
                    b"t" if !empty => in_text = true,
                    b"tab" | b"br" | b"cr" => buf.push(' '),
                    b"pStyle" => {
                        for a in e.attributes().flatten() {
                            if a.key.local_name().as_ref() == b"val" {
                                let v = String::from_utf8_lossy(&a.value).to_ascii_lowercase();
                                heading =
                                    v.starts_with("heading") || v == "title" || v == "subtitle";
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let s = t
                    .unescape()
                    .map_err(|e| not_docx(format!("bad text in word/document.xml: {e}")))?;
                buf.push_str(&s);
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    depth_p = depth_p.saturating_sub(1);
                    if depth_p == 0 {
                        finish(&mut out, &mut buf, heading, number);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// What to segment and how.
#[derive(Debug, Clone, Default)]
pub struct SegmentRequest {
    /// The document.
    pub path: std::path::PathBuf,
    /// Its format (by extension when `None`).
    pub format: Option<DocumentFormat>,
    /// Its language (detected from the script when `None`).
    pub lang: Option<LangTag>,
    /// A user SRX file, tried before the shipped rules.
    pub srx: Option<std::path::PathBuf>,
    /// Use only the user's SRX file, not the shipped rules.
    pub srx_only: bool,
}

/// Read a document and split it into sentences.
pub fn segment_document(req: &SegmentRequest) -> Result<SegmentedDocument> {
    let rules = load_rules(req.srx.as_deref(), req.srx_only)?;
    let doc = read_document(&req.path, req.format)?;
    let (lang, detected) = match &req.lang {
        Some(l) => (l.clone(), false),
        None => (
            detect_language(doc.paragraphs.iter().map(|p| p.text.as_str())).ok_or_else(|| {
                Error::parse_file(
                    &req.path,
                    "cannot tell the language from the script; give it (en, ko or zh)",
                )
            })?,
            true,
        ),
    };
    let seg = Segmenter::new(&rules, &lang);
    Ok(SegmentedDocument {
        schema: "concord.segment",
        version: 1,
        file: req.path.display().to_string(),
        lang: lang.to_string(),
        detected,
        rules: rules.rule_names_for(&lang),
        paragraphs: doc
            .paragraphs
            .iter()
            .map(|p| SegmentedParagraph {
                line: p.line,
                heading: p.heading,
                sentences: seg
                    .sentences(&p.text)
                    .into_iter()
                    .map(String::from)
                    .collect(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: &[Paragraph]) -> Vec<&str> {
        p.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn plain_text_paragraphs_by_blank_lines_or_lines() {
        let p = parse_text(
            "First line\nsame paragraph.\n\n\nSecond.\n",
            DocumentFormat::Text,
        );
        assert_eq!(texts(&p), ["First line same paragraph.", "Second."]);
        assert_eq!(p[1].line, 5);
        let p = parse_text("One.\nTwo.\r\nThree.", DocumentFormat::Text);
        assert_eq!(texts(&p), ["One.", "Two.", "Three."]);
        // CJK lines join without a space; Hangul lines with one.
        let p = parse_text(
            "两国外长\n讨论了局势。\n\n양국 장관은\n논의했다.",
            DocumentFormat::Text,
        );
        assert_eq!(texts(&p), ["两国外长讨论了局势。", "양국 장관은 논의했다."]);
    }

    #[test]
    fn stored_form_nfc_and_spaces() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "회담  결과".nfd().collect();
        let p = parse_text(&nfd, DocumentFormat::Text);
        assert_eq!(texts(&p), ["회담 결과"]);
    }

    #[test]
    fn markdown_headings_lists_and_inline_marks() {
        let md = "# Joint **Statement**\n\nThe [two leaders](https://x.invalid) met\nin *Seoul*.\n\n- First item.\n- Second `item`.\n\nTitle two\n---------\n\n```\ncode\n```\n1) Numbered.\n";
        let p = parse_text(md, DocumentFormat::Markdown);
        assert_eq!(
            texts(&p),
            [
                "Joint Statement",
                "The two leaders met in Seoul.",
                "First item.",
                "Second item.",
                "Title two",
                "Numbered."
            ]
        );
        assert!(p[0].heading && p[4].heading && !p[1].heading);
        assert_eq!(
            parse_text("snake_case * star", DocumentFormat::Markdown)[0].text,
            "snake_case * star"
        );
    }

    #[test]
    fn html_blocks_entities_and_skipped_parts() {
        let html = "<!DOCTYPE html><html><head><title>x</title><style>p{}</style></head><body>\n<h1>Press &amp; Media</h1>\n<p>The ministers <b>met</b>\n in Seoul.<br>Next&nbsp;line &#8220;q&#x201D;.</p><!-- <p>hidden</p> --><script>var a='<p>';</script><ul><li>One</li><li>Two</li></ul><p>A < B</p></body></html>";
        let p = parse_text(html, DocumentFormat::Html);
        assert_eq!(
            texts(&p),
            [
                "Press & Media",
                "The ministers met in Seoul.",
                "Next line \u{201c}q\u{201d}.",
                "One",
                "Two",
                "A < B"
            ]
        );
        assert!(p[0].heading && !p[1].heading);
        assert_eq!(p[0].line, 2);
    }

    fn docx_bytes(body: &str) -> Vec<u8> {
        use std::io::Write;
        let mut cur = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut cur);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("[Content_Types].xml", opts).unwrap();
            z.write_all(b"<Types/>").unwrap();
            z.start_file("word/document.xml", opts).unwrap();
            write!(
                z,
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            )
            .unwrap();
            z.finish().unwrap();
        }
        cur.into_inner()
    }

    #[test]
    fn docx_paragraphs_runs_tabs_and_headings() {
        let body = r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>공동</w:t></w:r><w:r><w:t xml:space="preserve"> 성명</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>A</w:t><w:tab/><w:t>B &amp; C.</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
        let bytes = docx_bytes(body);
        let p = docx_paragraphs(std::io::Cursor::new(bytes), Path::new("x.docx")).unwrap();
        assert_eq!(texts(&p), ["공동 성명", "A B & C.", "Cell."]);
        assert!(p[0].heading && !p[1].heading);
    }

    #[test]
    fn docx_that_is_not_a_zip_is_an_error() {
        let e = docx_paragraphs(std::io::Cursor::new(b"plain".to_vec()), Path::new("x.docx"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a DOCX file"), "{e}");
    }

    #[test]
    fn empty_file_and_file_without_text_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        let e = read_document(&empty, None).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let blank = dir.path().join("blank.html");
        std::fs::write(&blank, "<html><body><p> </p></body></html>").unwrap();
        let e = read_document(&blank, None).unwrap_err().to_string();
        assert!(e.contains("no text"), "{e}");
        let docx = dir.path().join("d.docx");
        std::fs::write(&docx, docx_bytes("<w:p><w:r><w:t>Hi.</w:t></w:r></w:p>")).unwrap();
        let d = read_document(&docx, None).unwrap();
        assert_eq!(d.format, DocumentFormat::Docx);
        assert_eq!(texts(&d.paragraphs), ["Hi."]);
    }

    /// A Word document whose name says no format (`memo`, a pipe) was read as plain
    /// text and refused as "not UTF-8 text": the format is now told from the content, as
    /// for the other readers; a bilingual file named as one is no document.
    #[test]
    fn docx_without_an_extension_is_told_from_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        std::fs::write(
            &memo,
            docx_bytes("<w:p><w:r><w:t>공동 성명.</w:t></w:r></w:p>"),
        )
        .unwrap();
        let d = read_document(&memo, None).unwrap();
        assert_eq!(d.format, DocumentFormat::Docx);
        assert_eq!(texts(&d.paragraphs), ["공동 성명."]);
        let page = dir.path().join("page");
        std::fs::write(
            &page,
            "<!DOCTYPE html><html><body><h1>성명</h1><p>본문.</p></body></html>",
        )
        .unwrap();
        let d = read_document(&page, None).unwrap();
        assert_eq!(d.format, DocumentFormat::Html);
        assert_eq!(texts(&d.paragraphs), ["성명", "본문."]);
        // A table is lines of text; a TMX is refused, with the hint.
        let tsv = dir.path().join("t.tsv");
        std::fs::write(&tsv, "en\tko\nOne.\t하나.\n").unwrap();
        assert_eq!(
            read_document(&tsv, None).unwrap().format,
            DocumentFormat::Text
        );
        let tmx = dir.path().join("m.tmx");
        std::fs::write(&tmx, "<tmx version=\"1.4\"><body/></tmx>").unwrap();
        let e = read_document(&tmx, None).unwrap_err();
        assert!(
            e.to_string().contains("TMX is not a document format"),
            "{e}"
        );
        assert_eq!(e.hint(), Some(crate::error::Hint::GiveDocumentFormat));
        // A DOCX told from its content that is broken says what it was read as.
        let broken = dir.path().join("broken");
        std::fs::write(&broken, b"PK\x03\x04 not really a zip").unwrap();
        let e = read_document(&broken, None).unwrap_err().to_string();
        assert!(e.contains("read as DOCX, told from its content"), "{e}");
    }
}
