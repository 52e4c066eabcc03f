//! TMX 1.4b (and 1.1) memories: a streaming reader and a deterministic writer.
//!
//! # Reading
//!
//! [`read_tmx`] streams a TMX file with quick-xml, one `<tu>` at a time, so a file of any
//! size is read in constant memory. Its input is UTF-8 bytes: [`super::input::open_text`]
//! has already removed a BOM and decoded UTF-16, so the `encoding=` of the XML declaration
//! is ignored (a file declared in a legacy code page that is not UTF-8 fails with an
//! "invalid UTF-8" error naming the line; TMX requires Unicode).
//!
//! * Languages come from `xml:lang` (TMX 1.4) or `lang` (TMX 1.1) on each `<tuv>`, parsed
//!   with [`LangTag::parse`]: an unknown or malformed tag is an error naming file and line.
//! * `srclang` on `<tu>` (or, when the `<tu>` has none, on `<header>`) becomes the unit's
//!   [`UnitMeta::source_lang`], canonicalized (`*all*` is kept as is).
//! * `creationdate`, `creationid`, `changedate`, `changeid` on `<tu>` fill the [`UnitMeta`]
//!   fields; every other `<tu>` attribute (`tuid`, `usagecount`, `lastusagedate`, `o-tmf`,
//!   `datatype`, `segtype`...) is kept in [`Extra::attrs`] in file order. `<tuv>`
//!   attributes other than the language go to the variant's [`Extra::attrs`].
//! * `<note>` and `<prop>` of a `<tu>` or `<tuv>` are kept in the unit's or variant's
//!   [`Extra`] in file order (their own `xml:lang`/`o-encoding` are dropped). A `<tu>`
//!   property `x-origin` (what concord writes) sets the unit's origin instead. Header notes
//!   and properties are returned in [`TmxHeader`].
//! * Inline markup: the **plain text** ([`Variant::text`](crate::unit::Variant::text), the one that is matched) is the
//!   segment's text with the native-code content of `bpt`, `ept`, `ph`, `it`, `ut` left
//!   out, and with the text of `hi` kept; `sub` (a sub-flow inside a code) is left out too.
//!   When the segment has any element, [`Variant::markup`](crate::unit::Variant::markup) keeps its content as canonical
//!   XML (attributes sorted by name, double quotes, `&amp; &lt; &gt;` escaped, text in NFC,
//!   `<x></x>` written `<x/>`) so that export writes it back.
//! * Entities, character references and CDATA are decoded, comments and processing
//!   instructions skipped anywhere, `<ude>`/`<map>` and unknown elements outside segments
//!   ignored. Characters that XML 1.0 forbids (control characters other than TAB, LF, CR)
//!   make the file malformed.
//! * Malformed XML is an error of kind [`ErrorKind::Parse`](crate::error::ErrorKind::Parse) with the line of the problem. A `<tu>` with fewer
//!   than two languages is still handed to the callback; the importer skips and counts it.
//!
//! # Writing
//!
//! [`TmxWriter`] writes TMX 1.4b: a header with `creationtool="concord"`, the crate
//! version, `segtype="sentence"`, `o-tmf="concord"`, `adminlang="en"`, `srclang` and
//! `datatype="plaintext"`; one `<tu tuid="ID">` per unit in the order given; metadata,
//! notes and properties written back; each `<tuv xml:lang>` with its markup when the stored
//! markup still yields the stored plain text (else the plain text). Two-space indentation,
//! LF line ends, fixed attribute order: the same memory always gives the same bytes.
//! Characters that XML 1.0 cannot carry (control characters other than TAB, LF, CR, and
//! U+FFFE/U+FFFF) are written as U+FFFD REPLACEMENT CHARACTER and counted, so the file
//! stays well-formed; CR, and TAB/LF in attribute values, are written as character
//! references so that they survive XML's line-end and attribute normalization.
//!
//! ```
//! use concord::formats::tmx::read_tmx;
//!
//! let tmx = r#"<?xml version="1.0" encoding="UTF-16"?>
//! <tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="x" adminlang="en"
//!   datatype="plaintext" creationtool="x" creationtoolversion="1"/>
//! <body><tu tuid="7">
//!   <tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b></bpt>Save<ept i="1">&lt;/b></ept>.</seg></tuv>
//!   <tuv xml:lang="ko-kr"><seg>&#xC800;장을 누르십시오.</seg></tuv>
//! </tu></body></tmx>"#;
//! let mut units = Vec::new();
//! read_tmx(tmx.as_bytes(), "t.tmx".as_ref(), "t.tmx", |u| { units.push(u); Ok(()) }).unwrap();
//! let en = &units[0].variants[0];
//! assert_eq!(en.text, "Press Save.");
//! assert_eq!(en.markup.as_deref(), Some(r#"Press <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept>."#));
//! assert_eq!(units[0].variants[1].lang.as_str(), "ko-KR");
//! assert_eq!(units[0].meta.extra.attr("tuid"), Some("7"));
//! ```

use std::borrow::Cow;
use std::io::{BufRead, Write};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::xml::LineCounter;
use crate::error::{Error, Result};
use crate::lang::LangTag;
use crate::unit::{Extra, Prop, Unit, UnitMeta};

/// The property type concord uses to carry a unit's origin in TMX.
pub const ORIGIN_PROP: &str = "x-origin";

/// What a TMX file's `<tmx>` and `<header>` said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TmxHeader {
    /// The `version` attribute of `<tmx>` (`1.4`, `1.1`...).
    pub version: Option<String>,
    /// Header `srclang`, canonicalized (`*all*` kept).
    pub srclang: Option<String>,
    /// Every header attribute, in file order (raw values).
    pub attrs: Vec<(String, String)>,
    /// Header notes and properties.
    pub extra: Extra,
    /// Units read (every `<tu>`, including those with fewer than two languages).
    pub units: u64,
}

impl TmxHeader {
    /// The value of header attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------

/// True for the characters XML 1.0 allows.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{D7FF}').contains(&c)
        || ('\u{E000}'..='\u{FFFD}').contains(&c)
        || c >= '\u{10000}'
}

/// Why a piece of raw XML text could not be decoded, with the byte offset in it.
struct TextError {
    offset: usize,
    message: String,
}

/// Decode raw XML character data: UTF-8, line ends normalized to LF, entities and
/// character references resolved (unless `cdata`), XML 1.0 characters only.
fn decode_text(raw: &[u8], cdata: bool) -> std::result::Result<String, TextError> {
    let s = std::str::from_utf8(raw).map_err(|e| TextError {
        offset: e.valid_up_to(),
        message: "invalid UTF-8 (TMX must be UTF-8 or UTF-16; save the file as UTF-8)".into(),
    })?;
    let raw_str = s;
    if let Some((i, c)) = first_non_xml_char(s) {
        return Err(TextError {
            offset: i,
            message: format!(
                "character U+{:04X} is not allowed in XML 1.0 (a control character)",
                c as u32
            ),
        });
    }
    let s: Cow<'_, str> = if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    };
    if cdata {
        return Ok(s.into_owned());
    }
    let un = match quick_xml::escape::unescape(&s) {
        Ok(un) => un,
        // Report against the raw text (before line-end normalization) for the exact line.
        Err(_) => return Err(escape_error(raw_str)),
    };
    if let Some((_, c)) = first_non_xml_char(&un) {
        return Err(TextError {
            offset: 0,
            message: format!(
                "character reference to U+{:04X}, which XML 1.0 does not allow",
                c as u32
            ),
        });
    }
    Ok(un.into_owned())
}

fn escape_error(raw: &str) -> TextError {
    use quick_xml::escape::EscapeError;
    match quick_xml::escape::unescape(raw) {
        Err(EscapeError::UnrecognizedEntity(range, name)) => TextError {
            offset: range.start.saturating_sub(1),
            message: format!(
                "unknown entity &{name}; (XML knows only &amp; &lt; &gt; &quot; &apos; and character references such as &#xA0;)"
            ),
        },
        Err(EscapeError::UnterminatedEntity(range)) => TextError {
            offset: range.start,
            message: "a `&` that starts no entity (write a literal ampersand as &amp;)".into(),
        },
        Err(EscapeError::InvalidCharRef(e)) => TextError {
            offset: 0,
            message: format!("invalid character reference: {e}"),
        },
        Ok(_) => TextError {
            offset: 0,
            message: "malformed entity".into(),
        },
    }
}

/// Decode an attribute value (literal TAB/LF become spaces, as XML says).
fn decode_attr(raw: &[u8]) -> std::result::Result<String, TextError> {
    let s = std::str::from_utf8(raw).map_err(|e| TextError {
        offset: e.valid_up_to(),
        message: "invalid UTF-8 in an attribute value".into(),
    })?;
    if !s.contains(['\t', '\n', '\r']) {
        return decode_text(raw, false);
    }
    let norm: String = s
        .replace("\r\n", " ")
        .chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    decode_text(norm.as_bytes(), false)
}

/// Escape text content. Characters XML 1.0 forbids become U+FFFD and are counted.
pub(crate) fn escape_text_into(out: &mut String, text: &str, replaced: &mut u64) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c if !is_xml_char(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

/// Escape an attribute value (double-quoted).
pub(crate) fn escape_attr_into(out: &mut String, text: &str, replaced: &mut u64) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if !is_xml_char(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

/// NFC of markup text and attribute values: [`crate::text::nfc`], the one normalizer.
fn nfc(s: &str) -> Cow<'_, str> {
    crate::text::nfc(s)
}

/// Position of the first character XML 1.0 forbids (a byte scan: C0 controls other than
/// TAB/LF/CR, and U+FFFE/U+FFFF, which are EF BF BE/BF in UTF-8).
fn first_non_xml_char(s: &str) -> Option<(usize, char)> {
    let b = s.as_bytes();
    let bad = b.iter().enumerate().position(|(i, &c)| {
        (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
            || (c == 0xEF
                && b.get(i + 1) == Some(&0xBF)
                && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    })?;
    s[bad..].chars().next().map(|c| (bad, c))
}

/// Plausible XML attribute/element name (what the writer accepts from stored data).
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

// ---------------------------------------------------------------------------------------
// Segments
// ---------------------------------------------------------------------------------------

/// Elements whose content is native code, not text.
fn is_code(name: &str) -> bool {
    matches!(name, "bpt" | "ept" | "ph" | "it" | "ut" | "sub")
}

/// Builds the plain text and the canonical markup of one `<seg>`.
#[derive(Default)]
pub(crate) struct SegBuilder {
    plain: String,
    markup: String,
    run: String,
    has_markup: bool,
    /// Open inline elements: (name, excluded from the plain text).
    open: Vec<(String, bool)>,
    just_opened: bool,
}

impl SegBuilder {
    fn excluded(&self) -> bool {
        self.open.last().map(|(_, x)| *x).unwrap_or(false)
    }

    pub(crate) fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if !self.excluded() {
            self.plain.push_str(t);
        }
        self.run.push_str(t);
        self.just_opened = false;
    }

    fn flush(&mut self) {
        if !self.run.is_empty() {
            let mut ignore = 0;
            let run = nfc(&self.run);
            escape_text_into(&mut self.markup, &run, &mut ignore);
            self.run.clear();
        }
    }

    pub(crate) fn start_tag(&mut self, name: &str, attrs: &[(String, String)], empty: bool) {
        self.flush();
        self.has_markup = true;
        let mut sorted: Vec<&(String, String)> = attrs.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut ignore = 0;
        self.markup.push('<');
        self.markup.push_str(name);
        for (k, v) in sorted {
            self.markup.push(' ');
            self.markup.push_str(k);
            self.markup.push_str("=\"");
            escape_attr_into(&mut self.markup, &nfc(v), &mut ignore);
            self.markup.push('"');
        }
        if empty {
            self.markup.push_str("/>");
            self.just_opened = false;
        } else {
            self.markup.push('>');
            let excluded = self.excluded() || is_code(name);
            self.open.push((name.to_string(), excluded));
            self.just_opened = true;
        }
    }

    pub(crate) fn end_tag(&mut self) {
        self.flush();
        if let Some((name, _)) = self.open.pop() {
            if self.just_opened {
                self.markup.pop();
                self.markup.push_str("/>");
            } else {
                self.markup.push_str("</");
                self.markup.push_str(&name);
                self.markup.push('>');
            }
        }
        self.just_opened = false;
    }

    /// (plain text, markup if the segment had elements).
    pub(crate) fn finish(mut self) -> (String, Option<String>) {
        if !self.has_markup {
            return (self.plain, None);
        }
        self.flush();
        let markup = self
            .has_markup
            .then(|| self.markup.trim().to_string())
            .filter(|m| !m.is_empty());
        (self.plain, markup)
    }
}

/// The plain text of a segment's markup (the content of a TMX `<seg>`), as the reader
/// computes it: native code (`bpt ept ph it ut` and their `sub`) left out, `hi` kept.
/// The result is in stored form (NFC, trimmed).
///
/// ```
/// use concord::formats::tmx::plain_text_of_markup;
/// let m = r#"Click <ph x="1">&lt;img alt="<sub>Start</sub>"/&gt;</ph> to <hi>start</hi>."#;
/// assert_eq!(plain_text_of_markup(m).unwrap(), "Click  to start.");
/// ```
pub fn plain_text_of_markup(markup: &str) -> Result<String> {
    let doc = format!("<seg>{markup}</seg>");
    let path = Path::new("<markup>");
    let mut reader = Reader::from_str(&doc);
    let mut seg = SegBuilder::default();
    let mut depth = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| Error::parse_file(path, format!("malformed markup: {e}")))?;
        let bad = |e: TextError| Error::parse_file(path, e.message);
        match ev {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                if e.name().as_ref() != b"seg" {
                    return Err(Error::parse_file(path, "malformed markup"));
                }
                depth = 1;
            }
            Event::Start(e) => {
                let (name, attrs) = element(&e).map_err(bad)?;
                seg.start_tag(&name, &attrs, false);
                depth += 1;
            }
            Event::Empty(e) => {
                let (name, attrs) = element(&e).map_err(bad)?;
                seg.start_tag(&name, &attrs, true);
            }
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                seg.end_tag();
            }
            Event::Text(t) => seg.text(&decode_text(&t, false).map_err(bad)?),
            Event::CData(t) => seg.text(&decode_text(&t, true).map_err(bad)?),
            Event::Eof => return Err(Error::parse_file(path, "malformed markup")),
            _ => {}
        }
    }
    Ok(crate::text::stored_form(&seg.finish().0))
}

/// Name and decoded attributes of an element.
fn element(e: &BytesStart<'_>) -> std::result::Result<(String, Vec<(String, String)>), TextError> {
    let name = std::str::from_utf8(e.name().as_ref())
        .map_err(|_| TextError {
            offset: 0,
            message: "invalid UTF-8 in an element name".into(),
        })?
        .to_string();
    // quick-xml reads `<  />` as an element with an empty name; it is not well-formed,
    // and the writer could not write it back (found by fuzzing).
    if !is_xml_name(&name) {
        return Err(TextError {
            offset: 0,
            message: format!("malformed element name {name:?}"),
        });
    }
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| TextError {
            offset: 0,
            message: format!("malformed attribute in <{name}>: {err}"),
        })?;
        let key = std::str::from_utf8(a.key.as_ref())
            .map_err(|_| TextError {
                offset: 0,
                message: "invalid UTF-8 in an attribute name".into(),
            })?
            .to_string();
        // quick-xml takes any bytes up to `=` as a name; what is no XML name is not
        // well-formed, and the writer could not write it back (found by fuzzing).
        if !is_xml_name(&key) {
            return Err(TextError {
                offset: 0,
                message: format!("malformed attribute name {key:?} in <{name}>"),
            });
        }
        attrs.push((key, decode_attr(&a.value)?));
    }
    Ok((name, attrs))
}

// ---------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Header,
    Tu,
    Tuv,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ctx {
    Tmx,
    Header,
    Body,
    Tu,
    Tuv,
    Seg,
    Inline,
    Note(Level),
    Prop(Level, String),
    Skip,
}

struct TuvBuild {
    lang: LangTag,
    extra: Extra,
    seg: Option<(String, Option<String>)>,
}

/// Read a TMX document from UTF-8 bytes, calling `on_unit` for every `<tu>` in file
/// order. `path` is used in error messages, `origin` becomes each unit's origin (unless
/// the unit carries an `x-origin` property). Returns what the header said.
pub fn read_tmx<R, F>(reader: R, path: &Path, origin: &str, mut on_unit: F) -> Result<TmxHeader>
where
    R: BufRead,
    F: FnMut(Unit) -> Result<()>,
{
    let mut xml = Reader::from_reader(LineCounter::new(reader));
    {
        let cfg = xml.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = false;
    }
    let mut buf = Vec::with_capacity(4096);
    let mut stack: Vec<(Ctx, u64)> = Vec::new();
    let mut header = TmxHeader::default();
    let mut seen_root = false;
    let mut tu: Option<Unit> = None;
    let mut tuv: Option<TuvBuild> = None;
    let mut seg: Option<SegBuilder> = None;
    let mut capture = String::new();
    let mut tags = TagCache::default();

    loop {
        buf.clear();
        let start = xml.buffer_position();
        xml.get_mut().forget_before(start);
        let line = xml.get_ref().line_at(start);
        let ev = match xml.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                let pos = xml.error_position().max(start);
                let at = xml.get_ref().line_at(pos);
                return Err(super::xml::syntax_error(path, at, "XML", &e));
            }
        };
        let text_err = |e: TextError| -> Error { Error::parse(path, line, e.message) };
        // For character data the offset of a problem is known: report its own line.
        let data_err = |xml: &Reader<LineCounter<R>>, e: TextError, skip: u64| -> Error {
            let at = xml.get_ref().line_at(start + skip + e.offset as u64);
            Error::parse(path, at, e.message)
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let (name, attrs) = element(e).map_err(text_err)?;
                let parent = stack.last().map(|(c, _)| c.clone());
                let ctx = match parent {
                    None => {
                        if seen_root {
                            return Err(Error::parse(
                                path,
                                line,
                                format!("a second root element <{name}> after </tmx>"),
                            ));
                        }
                        seen_root = true;
                        if name != "tmx" {
                            return Err(Error::parse(
                                path,
                                line,
                                format!("not a TMX file: the root element is <{name}>, not <tmx>"),
                            ));
                        }
                        header.version =
                            super::xml::attribute(&attrs, "version").map(str::to_string);
                        Ctx::Tmx
                    }
                    Some(Ctx::Tmx) => match name.as_str() {
                        "header" => {
                            for (k, v) in &attrs {
                                if k == "srclang" {
                                    header.srclang = Some(parse_srclang(v, path, line)?);
                                }
                            }
                            header.attrs = attrs;
                            Ctx::Header
                        }
                        "body" => Ctx::Body,
                        _ => Ctx::Skip,
                    },
                    Some(Ctx::Header) => capture_ctx(&name, &attrs, Level::Header),
                    Some(Ctx::Body) => {
                        if name == "tu" {
                            tu = Some(start_tu(&attrs, &header, origin, path, line)?);
                            Ctx::Tu
                        } else {
                            Ctx::Skip
                        }
                    }
                    Some(Ctx::Tu) => {
                        if name == "tuv" {
                            tuv = Some(start_tuv(attrs, &mut tags, path, line)?);
                            Ctx::Tuv
                        } else {
                            capture_ctx(&name, &attrs, Level::Tu)
                        }
                    }
                    Some(Ctx::Tuv) => {
                        if name == "seg" {
                            seg = Some(SegBuilder::default());
                            Ctx::Seg
                        } else {
                            capture_ctx(&name, &attrs, Level::Tuv)
                        }
                    }
                    Some(Ctx::Seg) | Some(Ctx::Inline) => {
                        if let Some(s) = seg.as_mut() {
                            s.start_tag(&name, &attrs, empty);
                        }
                        Ctx::Inline
                    }
                    Some(Ctx::Note(_)) | Some(Ctx::Prop(..)) | Some(Ctx::Skip) => Ctx::Skip,
                };
                capture.clear();
                if empty {
                    if ctx != Ctx::Inline {
                        finish_element(
                            ctx,
                            &mut header,
                            &mut tu,
                            &mut tuv,
                            &mut seg,
                            &mut capture,
                            &mut on_unit,
                        )?;
                    }
                } else {
                    stack.push((ctx, line));
                }
            }
            Event::End(_) => {
                let Some((ctx, opened)) = stack.pop() else {
                    return Err(Error::parse(
                        path,
                        line,
                        "a closing tag without its opening tag",
                    ));
                };
                if ctx == Ctx::Tu {
                    // Limits: a unit's segments are checked before it is handed on.
                    if let Some(u) = tu.as_ref() {
                        for v in &u.variants {
                            crate::limits::check_segment(&v.text)
                                .map_err(|m| Error::limit(path, opened, m))?;
                        }
                    }
                }
                if ctx == Ctx::Inline {
                    if let Some(s) = seg.as_mut() {
                        s.end_tag();
                    }
                } else {
                    finish_element(
                        ctx,
                        &mut header,
                        &mut tu,
                        &mut tuv,
                        &mut seg,
                        &mut capture,
                        &mut on_unit,
                    )?;
                }
            }
            Event::Text(_) | Event::CData(_) => {
                let (t, cdata): (&[u8], bool) = match &ev {
                    Event::Text(t) => (t, false),
                    Event::CData(t) => (t, true),
                    _ => unreachable!("matched above"),
                };
                let skip = if cdata { 9 } else { 0 };
                match stack.last().map(|(c, _)| c) {
                    Some(Ctx::Seg) | Some(Ctx::Inline) => {
                        let s = decode_text(t, cdata).map_err(|e| data_err(&xml, e, skip))?;
                        if let Some(sb) = seg.as_mut() {
                            sb.text(&s);
                        }
                    }
                    Some(Ctx::Note(_)) | Some(Ctx::Prop(..)) => {
                        let s = decode_text(t, cdata).map_err(|e| data_err(&xml, e, skip))?;
                        capture.push_str(&s);
                    }
                    None if !cdata && t.iter().all(u8::is_ascii_whitespace) => {}
                    None => {
                        return Err(Error::parse(
                            path,
                            line,
                            if seen_root {
                                "text after the end of the document"
                            } else {
                                "not a TMX file: text before the <tmx> element"
                            },
                        ))
                    }
                    _ => {
                        // Text between structural elements: check it decodes, then ignore.
                        decode_text(t, cdata).map_err(|e| data_err(&xml, e, skip))?;
                    }
                }
            }
            Event::Eof => {
                if let Some((ctx, opened)) = stack.last() {
                    let end = xml.buffer_position();
                    return Err(Error::parse(
                        path,
                        xml.get_ref().line_at(end),
                        format!(
                            "the file ends inside an element ({}, opened at line {opened}): it is cut short or a closing tag is missing",
                            ctx_name(ctx)
                        ),
                    ));
                }
                if !seen_root {
                    return Err(Error::parse(path, line, "not a TMX file: no <tmx> element"));
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    Ok(header)
}

fn ctx_name(c: &Ctx) -> &'static str {
    match c {
        Ctx::Tmx => "<tmx>",
        Ctx::Header => "<header>",
        Ctx::Body => "<body>",
        Ctx::Tu => "<tu>",
        Ctx::Tuv => "<tuv>",
        Ctx::Seg => "<seg>",
        Ctx::Inline => "an inline element of <seg>",
        Ctx::Note(_) => "<note>",
        Ctx::Prop(..) => "<prop>",
        Ctx::Skip => "an element",
    }
}

fn capture_ctx(name: &str, attrs: &[(String, String)], level: Level) -> Ctx {
    match name {
        "note" => Ctx::Note(level),
        "prop" => Ctx::Prop(
            level,
            super::xml::attribute(attrs, "type")
                .unwrap_or("")
                .to_string(),
        ),
        _ => Ctx::Skip,
    }
}

fn parse_srclang(v: &str, path: &Path, line: u64) -> Result<String> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("*all*") {
        return Ok("*all*".to_string());
    }
    LangTag::parse(v)
        .map(|t| t.to_string())
        .map_err(|e| Error::parse(path, line, format!("srclang=\"{v}\": {e}")))
}

fn lang_error(path: &Path, line: u64, attr: &str, v: &str, e: crate::lang::LangError) -> Error {
    let hint = if v.eq_ignore_ascii_case("xx") {
        " — \"xx\" is a placeholder some tools (translate-toolkit's csv2tbx, po2tmx without -l) \
         write when they were not told the language; replace it with the real tag, such as ko or zh-CN"
    } else {
        ""
    };
    Error::parse(path, line, format!("<tuv {attr}=\"{v}\">: {e}{hint}"))
}

fn start_tu(
    attrs: &[(String, String)],
    header: &TmxHeader,
    origin: &str,
    path: &Path,
    line: u64,
) -> Result<Unit> {
    let mut meta = UnitMeta {
        origin: Some(origin.to_string()),
        source_lang: header.srclang.clone(),
        ..UnitMeta::default()
    };
    for (k, v) in attrs {
        match k.as_str() {
            "srclang" => meta.source_lang = Some(parse_srclang(v, path, line)?),
            // A date is stored as the export writes it: in TMX form when it is a date
            // (ISO 8601 dates are converted), otherwise as it is, without the white
            // space around it.
            "creationdate" => meta.created = Some(stored_date(v)),
            "creationid" => meta.creator = Some(v.clone()),
            "changedate" => meta.changed = Some(stored_date(v)),
            "changeid" => meta.changer = Some(v.clone()),
            _ => meta.extra.attrs.push((k.clone(), v.clone())),
        }
    }
    let mut u = Unit::new(Vec::new());
    u.meta = meta;
    Ok(u)
}

/// The last few language tags seen, so that each `<tuv>` does not parse its tag again,
/// and the distinct languages of the file (capped by [`crate::limits`]).
#[derive(Default)]
struct TagCache {
    recent: Vec<(String, LangTag)>,
    distinct: std::collections::HashSet<String>,
}

impl TagCache {
    fn parse(&mut self, v: &str, k: &str, path: &Path, line: u64) -> Result<LangTag> {
        if let Some((_, t)) = self.recent.iter().find(|(raw, _)| raw == v) {
            return Ok(t.clone());
        }
        let t = LangTag::parse(v).map_err(|e| lang_error(path, line, k, v, e))?;
        if !self.distinct.contains(t.as_str()) {
            self.distinct.insert(t.as_str().to_string());
            crate::limits::check_languages(self.distinct.len())
                .map_err(|m| Error::limit(path, line, format!("<tuv {k}=\"{v}\">: {m}")))?;
        }
        if self.recent.len() >= 16 {
            self.recent.remove(0);
        }
        self.recent.push((v.to_string(), t.clone()));
        Ok(t)
    }
}

fn start_tuv(
    attrs: Vec<(String, String)>,
    tags: &mut TagCache,
    path: &Path,
    line: u64,
) -> Result<TuvBuild> {
    let mut lang = None;
    let mut extra = Extra::default();
    for (k, v) in attrs {
        match k.as_str() {
            "xml:lang" => lang = Some(tags.parse(&v, &k, path, line)?),
            // TMX 1.1; xml:lang wins when both are present.
            "lang" => {
                let t = tags.parse(&v, &k, path, line)?;
                lang.get_or_insert(t);
            }
            _ => extra.attrs.push((k, v)),
        }
    }
    let lang = lang.ok_or_else(|| {
        Error::parse(
            path,
            line,
            "a <tuv> without a language (it needs xml:lang=\"..\", or lang=\"..\" in TMX 1.1)",
        )
    })?;
    Ok(TuvBuild {
        lang,
        extra,
        seg: None,
    })
}

#[allow(clippy::too_many_arguments)]
fn finish_element<F>(
    ctx: Ctx,
    header: &mut TmxHeader,
    tu: &mut Option<Unit>,
    tuv: &mut Option<TuvBuild>,
    seg: &mut Option<SegBuilder>,
    capture: &mut String,
    on_unit: &mut F,
) -> Result<()>
where
    F: FnMut(Unit) -> Result<()>,
{
    match ctx {
        Ctx::Seg => {
            if let (Some(s), Some(v)) = (seg.take(), tuv.as_mut()) {
                if v.seg.is_none() {
                    v.seg = Some(s.finish());
                }
            }
        }
        Ctx::Tuv => {
            if let (Some(v), Some(u)) = (tuv.take(), tu.as_mut()) {
                let (text, markup) = v.seg.unwrap_or_default();
                u.variants
                    .push(super::stored_variant(v.lang, text, markup, v.extra));
            }
        }
        Ctx::Tu => {
            if let Some(u) = tu.take() {
                header.units += 1;
                on_unit(u)?;
            }
        }
        Ctx::Note(level) => {
            let note = std::mem::take(capture);
            if let Some(extra) = extra_at(level, header, tu, tuv) {
                extra.notes.push(note);
            }
        }
        Ctx::Prop(level, kind) => {
            let value = std::mem::take(capture);
            // The writer keeps a date that is no TMX date in an `x-created`/`x-changed`
            // prop: read it back as the date it was (found by fuzzing the round trip).
            let date_kind = level == Level::Tu
                && match kind.as_str() {
                    "x-created" => tu.as_ref().is_some_and(|u| u.meta.created.is_none()),
                    "x-changed" => tu.as_ref().is_some_and(|u| u.meta.changed.is_none()),
                    _ => false,
                };
            if level == Level::Tu && kind == ORIGIN_PROP {
                if let Some(u) = tu.as_mut() {
                    u.meta.origin = Some(value);
                }
            } else if date_kind {
                if let Some(u) = tu.as_mut() {
                    if kind == "x-created" {
                        u.meta.created = Some(value);
                    } else {
                        u.meta.changed = Some(value);
                    }
                }
            } else if let Some(extra) = extra_at(level, header, tu, tuv) {
                extra.props.push(Prop { kind, value });
            }
        }
        _ => {}
    }
    Ok(())
}

fn extra_at<'a>(
    level: Level,
    header: &'a mut TmxHeader,
    tu: &'a mut Option<Unit>,
    tuv: &'a mut Option<TuvBuild>,
) -> Option<&'a mut Extra> {
    match level {
        Level::Header => Some(&mut header.extra),
        Level::Tu => tu.as_mut().map(|u| &mut u.meta.extra),
        Level::Tuv => tuv.as_mut().map(|v| &mut v.extra),
    }
}

// ---------------------------------------------------------------------------------------
// The writer
// ---------------------------------------------------------------------------------------

/// Writes a TMX 1.4b document unit by unit (see the module documentation).
pub struct TmxWriter<W: Write> {
    out: W,
    srclang: String,
    buf: String,
    /// Characters that XML 1.0 cannot carry, written as U+FFFD.
    pub replaced_chars: u64,
    /// Variants whose stored markup no longer matched their text (written as plain text).
    pub stale_markup: u64,
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<tmx output>", e)
}

impl<W: Write> TmxWriter<W> {
    /// Start a document; `srclang` is the header's source language (a tag or `*all*`).
    pub fn new(mut out: W, srclang: &str) -> Result<TmxWriter<W>> {
        let mut ignore = 0;
        let mut h = String::new();
        h.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n");
        h.push_str("  <header creationtool=\"concord\" creationtoolversion=\"");
        escape_attr_into(&mut h, env!("CARGO_PKG_VERSION"), &mut ignore);
        h.push_str("\" segtype=\"sentence\" o-tmf=\"concord\" adminlang=\"en\" srclang=\"");
        escape_attr_into(&mut h, srclang, &mut ignore);
        h.push_str("\" datatype=\"plaintext\"/>\n  <body>\n");
        out.write_all(h.as_bytes()).map_err(io_err)?;
        Ok(TmxWriter {
            out,
            srclang: srclang.to_string(),
            buf: String::with_capacity(4096),
            replaced_chars: 0,
            stale_markup: 0,
        })
    }

    /// Write one unit. Its `tuid` is the unit id (when it has one).
    pub fn write_unit(&mut self, unit: &Unit) -> Result<()> {
        let mut b = std::mem::take(&mut self.buf);
        b.clear();
        let r = &mut self.replaced_chars;
        let m = &unit.meta;
        b.push_str("    <tu");
        let attr = |b: &mut String, k: &str, v: &str, r: &mut u64| {
            b.push(' ');
            b.push_str(k);
            b.push_str("=\"");
            escape_attr_into(b, v, r);
            b.push('"');
        };
        if let Some(id) = unit.id {
            attr(&mut b, "tuid", &id.to_string(), r);
        }
        if let Some(src) = &m.source_lang {
            if *src != self.srclang {
                let present = src == "*all*"
                    || LangTag::parse(src)
                        .map(|t| unit.variant(&t).is_some())
                        .unwrap_or(false);
                if present {
                    attr(&mut b, "srclang", src, r);
                }
            }
        }
        let mut extra_props: Vec<Prop> = Vec::new();
        for (k, v, prop) in [
            ("creationdate", &m.created, "x-created"),
            ("creationid", &m.creator, ""),
            ("changedate", &m.changed, "x-changed"),
            ("changeid", &m.changer, ""),
        ] {
            if let Some(v) = v {
                if prop.is_empty() {
                    attr(&mut b, k, v, r);
                } else if let Some(d) = tmx_date(v) {
                    attr(&mut b, k, &d, r);
                } else {
                    extra_props.push(Prop {
                        kind: prop.to_string(),
                        value: v.clone(),
                    });
                }
            }
        }
        const TU_WRITTEN: &[&str] = &[
            "tuid",
            "srclang",
            "creationdate",
            "creationid",
            "changedate",
            "changeid",
        ];
        for (k, v) in &m.extra.attrs {
            if !TU_WRITTEN.contains(&k.as_str()) && is_xml_name(k) {
                attr(&mut b, k, v, r);
            }
        }
        b.push_str(">\n");
        let indent = "      ";
        write_notes_props(&mut b, indent, &m.extra, r);
        if let Some(o) = &m.origin {
            push_elem(&mut b, indent, "prop", Some(ORIGIN_PROP), o, r);
        }
        for p in &extra_props {
            push_elem(&mut b, indent, "prop", Some(&p.kind), &p.value, r);
        }
        for v in &unit.variants {
            b.push_str("      <tuv xml:lang=\"");
            escape_attr_into(&mut b, v.lang.as_str(), r);
            b.push('"');
            for (k, val) in &v.extra.attrs {
                if k != "xml:lang" && k != "lang" && is_xml_name(k) {
                    attr(&mut b, k, val, r);
                }
            }
            b.push_str(">\n");
            write_notes_props(&mut b, "        ", &v.extra, r);
            b.push_str("        <seg>");
            let markup = v.markup.as_deref().filter(|mk| {
                let ok = plain_text_of_markup(mk)
                    .map(|p| p == v.text)
                    .unwrap_or(false);
                if !ok {
                    self.stale_markup += 1;
                }
                ok
            });
            match markup {
                Some(mk) => {
                    // Canonical markup from the reader; still guard the characters.
                    if mk.chars().all(is_xml_char) {
                        b.push_str(mk);
                    } else {
                        for c in mk.chars() {
                            if is_xml_char(c) {
                                b.push(c);
                            } else {
                                *r += 1;
                                b.push('\u{FFFD}');
                            }
                        }
                    }
                }
                None => escape_text_into(&mut b, &v.text, r),
            }
            b.push_str("</seg>\n      </tuv>\n");
        }
        b.push_str("    </tu>\n");
        self.out.write_all(b.as_bytes()).map_err(io_err)?;
        self.buf = b;
        Ok(())
    }

    /// Close the document and return the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.write_all(b"  </body>\n</tmx>\n").map_err(io_err)?;
        self.out.flush().map_err(io_err)?;
        Ok(self.out)
    }
}

fn write_notes_props(b: &mut String, indent: &str, extra: &Extra, r: &mut u64) {
    for n in &extra.notes {
        push_elem(b, indent, "note", None, n, r);
    }
    for p in &extra.props {
        push_elem(b, indent, "prop", Some(&p.kind), &p.value, r);
    }
}

fn push_elem(
    b: &mut String,
    indent: &str,
    name: &str,
    kind: Option<&str>,
    text: &str,
    r: &mut u64,
) {
    b.push_str(indent);
    b.push('<');
    b.push_str(name);
    if let Some(k) = kind {
        b.push_str(" type=\"");
        escape_attr_into(b, k, r);
        b.push('"');
    }
    b.push('>');
    escape_text_into(b, text, r);
    b.push_str("</");
    b.push_str(name);
    b.push_str(">\n");
}

/// A date in TMX form (`YYYYMMDDThhmmssZ`), from that form, from `YYYYMMDD`, or from
/// ISO 8601 (`YYYY-MM-DD`, `YYYY-MM-DDThh:mm:ssZ`), white space around it ignored.
/// `None` when it is none of these (`20020523:T091200Z` is none of them).
pub fn tmx_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    // Every accepted form is ASCII, so a form's positions are byte positions.
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let iso_day = || digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    match b.len() {
        16 if digits(0..8) && b[8] == b'T' && digits(9..15) && b[15] == b'Z' => Some(s.to_string()),
        8 if digits(0..8) => Some(format!("{s}T000000Z")),
        10 if iso_day() => Some(format!("{}{}{}T000000Z", &s[..4], &s[5..7], &s[8..10])),
        20 if iso_day()
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && b[19] == b'Z' =>
        {
            Some(format!(
                "{}{}{}T{}{}{}Z",
                &s[..4],
                &s[5..7],
                &s[8..10],
                &s[11..13],
                &s[14..16],
                &s[17..19]
            ))
        }
        _ => None,
    }
}

/// What a unit's `creationdate`/`changedate` is stored as: its TMX form when it is a
/// date ([`tmx_date`]), otherwise the text without the white space around it.
fn stored_date(v: &str) -> String {
    tmx_date(v).unwrap_or_else(|| v.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Variant;
    use unicode_normalization::UnicodeNormalization;

    fn read(s: &str) -> Result<(TmxHeader, Vec<Unit>)> {
        let mut units = vec![];
        let h = read_tmx(s.as_bytes(), Path::new("t.tmx"), "t.tmx", |u| {
            units.push(u);
            Ok(())
        })?;
        Ok((h, units))
    }

    fn doc(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\">\n<header srclang=\"en\"/>\n<body>\n{body}\n</body>\n</tmx>\n"
        )
    }

    #[test]
    fn tmx_date_that_is_no_tmx_date_survives_export_and_import() {
        // Fuzzing: `creationdate="20020213209T500Z"` was read as the unit's date, written
        // as an `x-created` prop (no TMX date), and read back as a prop, not the date.
        let (_, u) = read(&doc(
            r#"<tu creationdate="20020213209T500Z" changedate="yesterday"><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="ko"><seg>가</seg></tuv></tu>"#,
        ))
        .unwrap();
        assert_eq!(u[0].meta.created.as_deref(), Some("20020213209T500Z"));
        let mut w = TmxWriter::new(Vec::new(), "en").unwrap();
        w.write_unit(&u[0]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(out.contains("x-created"), "{out}");
        let again = read_tmx(out.as_bytes(), Path::new("t.tmx"), "t.tmx", |v| {
            assert_eq!(v.meta.created, u[0].meta.created);
            assert_eq!(v.meta.changed.as_deref(), Some("yesterday"));
            assert!(v.meta.extra.props.is_empty(), "{:?}", v.meta.extra.props);
            Ok(())
        });
        assert_eq!(again.unwrap().units, 1);
    }

    #[test]
    fn tmx_attribute_name_that_is_no_xml_name_is_refused() {
        // Fuzzing: `<tu tui$="8">` was read and kept as a property the export then
        // dropped (the writer writes only XML names), so export → import lost it.
        let e = read(&doc(
            "<tu>\n<tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"ko\"><seg>가</seg></tuv></tu>\n\
             <tu tui$=\"8\"><tuv xml:lang=\"en\"><seg>b</seg></tuv></tu>",
        ))
        .unwrap_err();
        assert_eq!(e.kind(), &crate::error::ErrorKind::Parse);
        let m = e.to_string();
        assert!(m.contains("t.tmx:7:") && m.contains("tui$"), "{m}");
    }

    #[test]
    fn tmx_element_without_a_name_is_refused() {
        // Fuzzing (tmx_memory): `<  />` inside a segment was kept as inline markup
        // `</>`, which the export could not write back, so export → import lost it.
        for inline in ["<  />", "< />", "<\t/>"] {
            let e = read(&doc(&format!(
                "<tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"ja\"><seg>Third{inline} entry</seg></tuv></tu>"
            )))
            .unwrap_err();
            assert_eq!(e.kind(), &crate::error::ErrorKind::Parse);
            let m = e.to_string();
            assert!(m.contains("t.tmx:") && m.contains("element name"), "{m}");
        }
    }

    #[test]
    fn plain_text_and_markup() {
        let (_, u) = read(&doc(
            r#"<tu><tuv xml:lang="en"><seg><it pos="begin" x="1">&lt;I></it><bpt x="2" i="1">&lt;B></bpt>Click <ph x="3">&lt;IMG ALT="<sub>Start <hi>Here</hi>!</sub>"></ph> to <hi type="verb" x="4">start</hi>.<ept i="1">&lt;/B></ept></seg></tuv>
            <tuv lang="fr"><seg>Cliquez<![CDATA[ <ici> ]]>&amp; &#x263A;</seg></tuv></tu>"#,
        ))
        .unwrap();
        let en = &u[0].variants[0];
        assert_eq!(en.text, "Click  to start.");
        assert_eq!(
            en.markup.as_deref().unwrap(),
            r#"<it pos="begin" x="1">&lt;I&gt;</it><bpt i="1" x="2">&lt;B&gt;</bpt>Click <ph x="3">&lt;IMG ALT="<sub>Start <hi>Here</hi>!</sub>"&gt;</ph> to <hi type="verb" x="4">start</hi>.<ept i="1">&lt;/B&gt;</ept>"#
        );
        assert_eq!(
            plain_text_of_markup(en.markup.as_deref().unwrap()).unwrap(),
            en.text
        );
        let fr = &u[0].variants[1];
        assert_eq!(fr.lang.as_str(), "fr");
        assert_eq!(fr.text, "Cliquez <ici> & ☺");
        assert_eq!(fr.markup, None);
    }

    #[test]
    fn empty_inline_is_canonical() {
        let (_, u) = read(&doc(
            r#"<tu><tuv xml:lang="en"><seg>a<ph x='1'></ph>b<ph x="2"/></seg></tuv><tuv xml:lang="ko"><seg>가</seg></tuv></tu>"#,
        ))
        .unwrap();
        assert_eq!(
            u[0].variants[0].markup.as_deref(),
            Some(r#"a<ph x="1"/>b<ph x="2"/>"#)
        );
    }

    #[test]
    fn line_numbers() {
        let e = read("<tmx>\n<header/>\n<body>\n<tu>\n<tuv xml:lang=\"en\"><seg>a</sag></tuv>\n</tu></body></tmx>")
            .unwrap_err();
        assert!(e.to_string().starts_with("t.tmx:5: malformed XML"), "{e}");
        let e = read("<tmx>\n<header/>\n<body>\n<tu>\n\n<tuv xml:lang=\"qq\"><seg>a</seg></tuv>\n</tu></body></tmx>")
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.tmx:6: <tuv xml:lang=\"qq\">: unknown language"),
            "{e}"
        );
        let e = read("<tmx>\n<header/>\n<body>\n<tu>\n<tuv xml:lang=\"en\"><seg>a &nbsp; b</seg></tuv>\n</tu></body></tmx>")
            .unwrap_err();
        assert!(e.to_string().starts_with("t.tmx:5:"), "{e}");
        let e = read("<tmx>\n<header/>\n<body>\n<tu>\n<tuv xml:lang=\"en\"><seg>a</seg></tuv>\n")
            .unwrap_err();
        assert!(e.to_string().contains("ends inside"), "{e}");
        let e = read("<xliff version=\"1.2\"/>").unwrap_err();
        assert!(e.to_string().contains("not a TMX file"), "{e}");
        let e = read("<tmx>\n<body><tu><tuv xml:lang=\"xx\"><seg>a</seg></tuv></tu></body></tmx>")
            .unwrap_err();
        assert!(e.to_string().contains("placeholder"), "{e}");
        let e = read("<tmx><body><tu><tuv><seg>a</seg></tuv></tu></body></tmx>").unwrap_err();
        assert!(e.to_string().contains("without a language"), "{e}");
        let e = read(
            "<tmx>\n<body><tu><tuv xml:lang=\"en\"><seg>a\u{1}b</seg></tuv></tu></body></tmx>",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("t.tmx:2: character U+0001"),
            "{e}"
        );
    }

    #[test]
    fn crlf_and_char_refs() {
        let (_, u) = read(&doc(
            "<tu><tuv xml:lang=\"en\"><seg>a\r\nb&#xD;c</seg></tuv><tuv xml:lang=\"ko\"><seg>가</seg></tuv></tu>",
        ))
        .unwrap();
        assert_eq!(u[0].variants[0].text, "a\nb\rc");
    }

    #[test]
    fn writer_escapes() {
        let en = LangTag::parse("en").unwrap();
        let ko = LangTag::parse("ko").unwrap();
        let mut unit = Unit::new(vec![
            Variant::new(en, "a < b & \"c\"\r\u{B}d"),
            Variant::new(ko, "가"),
        ]);
        unit.id = Some(3);
        unit.meta.extra.notes.push("n\u{C}".into());
        unit.meta.created = Some("2024-03-01".into());
        unit.meta.changed = Some("yesterday".into());
        let mut w = TmxWriter::new(Vec::new(), "en").unwrap();
        w.write_unit(&unit).unwrap();
        assert_eq!(w.replaced_chars, 2);
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(
            out.contains("<seg>a &lt; b &amp; \"c\"&#xD;\u{FFFD}d</seg>"),
            "{out}"
        );
        assert!(out.contains("<note>n\u{FFFD}</note>"), "{out}");
        assert!(out.contains("creationdate=\"20240301T000000Z\""), "{out}");
        assert!(
            out.contains("<prop type=\"x-changed\">yesterday</prop>"),
            "{out}"
        );
        let (_, back) = read(&out).unwrap();
        assert_eq!(back[0].variants[0].text, "a < b & \"c\"\r\u{FFFD}d");
        assert_eq!(back[0].meta.created.as_deref(), Some("20240301T000000Z"));
    }

    proptest::proptest! {
        /// The byte scan for forbidden characters agrees with the per-character rule, and
        /// the NFC fast path with full normalization.
        #[test]
        fn fast_paths_match_brute_force(s in "(\\PC|[\u{0}-\u{1F}\u{FFFE}\u{FFFF}\u{1100}-\u{11FF}\u{300}-\u{36F}])*") {
            let brute = s.char_indices().find(|(_, c)| !is_xml_char(*c));
            proptest::prop_assert_eq!(first_non_xml_char(&s), brute);
            proptest::prop_assert_eq!(nfc(&s).into_owned(), s.nfc().collect::<String>());
        }
    }

    proptest::proptest! {
        /// The line of an error, computed while streaming through a tiny buffer, equals the
        /// line found by counting line breaks in the whole text.
        #[test]
        fn error_line_matches_brute_force(
            gaps in proptest::collection::vec("[ \n]{0,4}|<!--[a\n]{0,5}-->|\n<tu>\n<tuv xml:lang=\"en\"><seg>a\nb</seg></tuv>\n<tuv xml:lang=\"ko\"><seg>가</seg></tuv></tu>", 0..12),
            cap in 1usize..32,
        ) {
            let mut doc = String::from("<tmx>\n<header/>\n<body>");
            for g in &gaps {
                doc.push_str(g);
            }
            let bad_at = doc.len();
            doc.push_str("<tu><tuv xml:lang=\"qq\"><seg>x</seg></tuv></tu></body></tmx>");
            let expected = doc[..bad_at].matches('\n').count() as u64 + 1;
            let reader = std::io::BufReader::with_capacity(cap, doc.as_bytes());
            let err = read_tmx(reader, Path::new("t.tmx"), "t", |_| Ok(())).unwrap_err();
            let prefix = format!("t.tmx:{expected}: ");
            proptest::prop_assert!(err.to_string().starts_with(&prefix), "{}", err);
            // The same for an XML error that quick-xml finds.
            let broken = format!("{}<tu><tuv xml:lang=\"en\"><seg>x</sag></tuv></tu></body></tmx>", &doc[..bad_at]);
            let reader = std::io::BufReader::with_capacity(cap, broken.as_bytes());
            let err = read_tmx(reader, Path::new("t.tmx"), "t", |_| Ok(())).unwrap_err();
            proptest::prop_assert!(err.to_string().starts_with(&prefix), "{}", err);
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            tmx_date("20020523T091200Z").as_deref(),
            Some("20020523T091200Z")
        );
        assert_eq!(
            tmx_date("2002-05-23T09:12:00Z").as_deref(),
            Some("20020523T091200Z")
        );
        assert_eq!(tmx_date("2002-05-23").as_deref(), Some("20020523T000000Z"));
        assert_eq!(tmx_date("May 2002"), None);
    }

    /// Found by the `tmx_memory` fuzz target: a unit date of 16 bytes with a combining
    /// character where the `T` goes made the TMX export slice inside the character and
    /// panic (`concord export --format tmx` of a memory imported from such a TMX).
    /// Found by the `tmx_memory` fuzz target: `changedate="20020523T091200Z "` was stored
    /// with its space and exported without it, so a TMX read back differed from the
    /// memory. Dates are trimmed on reading.
    #[test]
    fn tmx_date_with_surrounding_space_is_stored_trimmed() {
        let tmx = r#"<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t" creationtoolversion="1"/><body>
<tu changedate="20020523T091200Z " creationdate=" 2002-05-23"><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="ko"><seg>가</seg></tuv></tu></body></tmx>"#;
        let (_, units) = read(tmx).unwrap();
        assert_eq!(units[0].meta.changed.as_deref(), Some("20020523T091200Z"));
        assert_eq!(units[0].meta.created.as_deref(), Some("20020523T000000Z"));
    }

    /// Found by the `tmx_memory` fuzz target: `changedate="20020523:T091200Z"` was
    /// taken for a date (every `-` and `:` was dropped before the check), stored as it
    /// was and exported as `20020523T091200Z`, so a TMX read back differed from the
    /// memory. Only the real forms are dates now, and a date is stored in TMX form.
    #[test]
    fn tmx_date_with_a_colon_in_the_wrong_place_is_no_date() {
        for bad in [
            "20020523:T091200Z",
            "2-0-0-2-0-5-2-3",
            "2002-0523",
            "2002-05-23T0912:00Z",
            "2002:05:23",
        ] {
            assert_eq!(tmx_date(bad), None, "{bad}");
        }
        let tmx = r#"<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t" creationtoolversion="1"/><body>
<tu changedate="20020523:T091200Z" creationdate="2002-05-23T09:12:00Z"><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="ko"><seg>가</seg></tuv></tu></body></tmx>"#;
        let (_, units) = read(tmx).unwrap();
        assert_eq!(units[0].meta.changed.as_deref(), Some("20020523:T091200Z"));
        assert_eq!(units[0].meta.created.as_deref(), Some("20020523T091200Z"));
        let mut w = TmxWriter::new(Vec::new(), "en").unwrap();
        w.write_unit(&units[0]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let (_, again) = read(&out).unwrap();
        assert_eq!(again[0].meta, units[0].meta, "{out}");
    }

    #[test]
    fn tmx_date_with_a_multibyte_character_is_no_date_not_a_panic() {
        assert_eq!(tmx_date("2002052\u{361}T091200Z"), None);
        assert_eq!(tmx_date("20020523\u{361}91200Z"), None);
        assert_eq!(tmx_date("２００２０５２３"), None);
    }

    #[test]
    fn line_counter_is_exact_across_events() {
        // A multi-line attribute list: the error is reported at the tag's first line.
        let s = "<tmx>\n<body>\n<tu\n a='1'>\n<tuv\n xml:lang=\"zz-\">";
        let e = read(s).unwrap_err();
        assert!(e.to_string().starts_with("t.tmx:5:"), "{e}");
    }
}
