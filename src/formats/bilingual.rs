//! XLIFF documents as a job to pretranslate: every segment with its source text, its
//! inline codes as raw XML, its existing target, and the **byte offsets** a writer needs
//! to put a new target in place while keeping every other byte of the file
//! ([`super::pretranslated::splice`]).
//!
//! * XLIFF 1.2 (SDLXLIFF and MQXLIFF included) and 2.0 are read; the segments are the
//!   ones the draft reader ([`super::xliff::read_xliff_job`]) reports, in the same
//!   order: a `<trans-unit>` (a PO header left out), or each `<mrk mtype="seg" mid>` of
//!   an SDLXLIFF `<seg-source>`; a 2.0 `<segment>`. [`read_source`] takes each
//!   segment's lock ([`BiSegment::lock`]) from the draft reader.
//! * Inline codes become [`RawTag`]s: opening (`<g>`, `<bx/>`, `<bpt>`, `<pc>`, `<sc/>`,
//!   `<mrk>`), closing (`</g>`, `<ex/>`, `<ept>`, `</pc>`, `<ec/>`) or standalone (`<x/>`,
//!   `<ph>`, `<it>`), each with the exact XML it is written with in the file, so that a
//!   target built from them carries the source's codes unchanged.
//! * [`markup_pieces`] reads the TMX markup a memory stores for a segment with inline
//!   codes (`<bpt i="1">`, `<ept i="1">`, `<ph>`...) into the same kinds, for tag mapping.
//!
//! The file must be valid XML (the draft reader checks it first, with file and line);
//! splicing works on UTF-8 files (with or without BOM).

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::draft::{read_job_draft, DraftEvent, DraftFormat, DraftLangs, DraftRequest};
use super::job::{read_job, JobRequest};
use super::segment::Lock;
use super::xml::{read_document, syntax_error, LineIndex};
use super::FileFormat;
use crate::error::{Error, Result};
use crate::lang::LangTag;

/// What an inline code does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    /// Opens a span (`<g>`, `<bpt>`, `<bx/>`, `<pc>`, `<sc/>`).
    Open,
    /// Closes a span (`</g>`, `<ept>`, `<ex/>`, `</pc>`, `<ec/>`).
    Close,
    /// Stands alone (`<x/>`, `<ph>`, `<it>`).
    Standalone,
}

/// An inline code of a source segment, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTag {
    /// Opening, closing or standalone.
    pub kind: TagKind,
    /// Its id (`id`, `rid`, `startRef`; for a closing `</g>` the id of its `<g>`).
    pub id: String,
    /// The XML of the code exactly as in the file (`<g id="1">`, `</g>`,
    /// `<bpt id="1">&lt;b&gt;</bpt>`).
    pub raw: String,
    /// Character offset in the segment's plain text where it stands.
    pub offset: usize,
    /// True for the two halves of an element that holds text (`<g>`/`</g>`, `<pc>`,
    /// `<mrk>`): these must nest in a target; `<bpt>`/`<ept>`, `<bx/>`/`<ex/>` and
    /// `<sc/>`/`<ec/>` may overlap.
    pub nests: bool,
}

/// A piece of a stored segment with inline codes: text, or a code (kind and id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Plain text (unescaped).
    Text(String),
    /// An inline code.
    Tag(TagKind, String),
}

/// The XLIFF dialect of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// XLIFF 1.2 as OASIS writes it.
    Xliff12,
    /// Trados Studio's SDLXLIFF (1.2 with `sdl:` extensions and `<seg-source>`).
    Sdlxliff,
    /// memoQ's MQXLIFF (1.2 with `mq:` extensions).
    Mqxliff,
    /// XLIFF 2.x.
    Xliff20,
}

/// Where a segment's target goes in the file (byte offsets into [`BiDoc::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSlot {
    /// The unit's `<target>` element (start to end, `<target/>` included).
    Element(usize, usize),
    /// No `<target>`: insert one at this byte (after `</source>` or `</seg-source>`).
    Insert(usize),
    /// SDLXLIFF: the `<mrk mtype="seg" mid>` element of the target (start to end).
    Mrk(usize, usize),
    /// SDLXLIFF without a `<target>`: one is built from `<seg-source>` at this byte.
    SdlNew(usize),
    /// Not spliceable (not an XLIFF segment).
    None,
}

/// How an XLIFF file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8 (with or without a byte order mark).
    #[default]
    Utf8,
    /// UTF-16, little-endian (byte order mark FF FE).
    Utf16Le,
    /// UTF-16, big-endian (byte order mark FE FF).
    Utf16Be,
}

impl TextEncoding {
    /// `text` encoded so.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            TextEncoding::Utf8 => text.as_bytes().to_vec(),
            TextEncoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            TextEncoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }
}

/// The parts of an XLIFF 2.0 `<unit>` a splice needs (byte offsets into [`BiDoc::text`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitV2 {
    /// The end of the `<unit>` start tag: where new module elements go (they come first
    /// in a unit).
    pub after_start: usize,
    /// The start of the end tag of the unit's `<mtc:matches>` (matches module), if any.
    pub matches_end: Option<usize>,
    /// The start of the end tag of the unit's `<notes>`, if any.
    pub notes_end: Option<usize>,
    /// Where a new `<notes>` goes: after the unit's module elements (before
    /// `<originalData>` and the segments).
    pub notes_at: usize,
}

/// The SDLXLIFF parts of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdlUnit {
    /// Content of `<seg-source>` (byte range).
    pub seg_source: (usize, usize),
    /// Each `<mrk mid>` of `<seg-source>`: mid and the byte range of its content.
    pub mrks: Vec<(String, usize, usize)>,
    /// Each `<sdl:seg id>` start tag (or empty element): id and byte range.
    pub seg_defs: Vec<(String, usize, usize)>,
    /// Where a new `<sdl:seg>` goes (before `</sdl:seg-defs>`), or where a new
    /// `<sdl:seg-defs>` goes (before `</trans-unit>`), and which.
    pub defs_insert: (usize, bool),
}

/// One segment of an XLIFF job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiSegment {
    /// The segment's id as the draft reader names it (`unit`, `unit#mid`, `unit#segment`).
    pub id: Option<String>,
    /// The line of its unit.
    pub line: u64,
    /// The source's plain text (inline codes left out, as written: not trimmed).
    pub source: String,
    /// The source's inline codes, in order.
    pub tags: Vec<RawTag>,
    /// The existing target's plain text (`None`: no target element).
    pub target: Option<String>,
    /// True when the existing target holds inline codes.
    pub target_has_tags: bool,
    /// Where a new target goes.
    pub slot: TargetSlot,
    /// The byte range of the unit's start tag (`<trans-unit ...>`), for status
    /// attributes (MQXLIFF).
    pub unit_tag: (usize, usize),
    /// Index into [`BiDoc::sdl_units`] for an SDLXLIFF segment, into
    /// [`BiDoc::units_v2`] for an XLIFF 2.0 one.
    pub sdl_unit: Option<usize>,
    /// The `mid` of an SDLXLIFF segment.
    pub mid: Option<String>,
    /// XLIFF 2.0: the byte range of the `<segment>` start tag (for `state`), and its
    /// `id` attribute.
    pub segment_tag: Option<(usize, usize, Option<String>)>,
    /// Whether the file protects the segment (as the draft reader says: [`Lock`]); a
    /// pretranslation never writes into a locked segment.
    pub lock: Lock,
}

/// An XLIFF file read as a job.
#[derive(Debug, Clone)]
pub struct BiDoc {
    /// The dialect.
    pub flavour: Flavour,
    /// The file's text (decoded).
    pub text: String,
    /// Bytes before the text in the file (a UTF-8 or UTF-16 byte order mark), or `None`
    /// when the file cannot be re-encoded byte for byte (neither UTF-8 nor UTF-16 with a
    /// byte order mark).
    pub prefix: Option<Vec<u8>>,
    /// How the file is encoded (the text is re-encoded so when spliced).
    pub encoding: TextEncoding,
    /// XLIFF 2.0 units (by index; segments name theirs in [`BiSegment::sdl_unit`]).
    pub units_v2: Vec<UnitV2>,
    /// The byte range of the root element's start tag (`<xliff ...>`).
    pub root_tag: (usize, usize),
    /// The segments, in file order.
    pub segments: Vec<BiSegment>,
    /// The SDLXLIFF units.
    pub sdl_units: Vec<SdlUnit>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn qname(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn lname(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn tag_id(e: &BytesStart<'_>) -> String {
    attr(e, "id")
        .or_else(|| attr(e, "rid"))
        .or_else(|| attr(e, "startRef"))
        .or_else(|| attr(e, "i"))
        .or_else(|| attr(e, "x"))
        .unwrap_or_default()
}

struct Cx<'a> {
    r: Reader<&'a [u8]>,
    text: &'a str,
    doc: LineIndex<'a>,
    path: &'a Path,
    v2: bool,
}

/// An SDLXLIFF `<mrk mtype="seg">`: mid (`.0`), element start and end (`.1`, `.2`),
/// content start and end (`.3`, `.4`), text start and end in chars (`.5`, `.6`), tags
/// start and end as indices (`.7`, `.8`).
type SegMrk = (
    String,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
);

/// An element open inside a segment: a seg `<mrk>` (mid, start, end of its start tag,
/// chars and tags before it), and the id of a text-holding code (`<g>`).
type OpenElement = (Option<(String, usize, usize, usize, usize)>, Option<String>);

/// What the content of one element holds.
#[derive(Default)]
struct Content {
    text: String,
    tags: Vec<RawTag>,
    /// The `<mrk mtype="seg">` elements.
    segs: Vec<SegMrk>,
    /// Byte range of the content.
    inner: (usize, usize),
}

impl<'a> Cx<'a> {
    fn next(&mut self) -> Result<(usize, Event<'a>, usize)> {
        let pos = self.r.buffer_position() as usize;
        match self.r.read_event() {
            Ok(e) => Ok((pos, e, self.r.buffer_position() as usize)),
            Err(e) => {
                let at = self.doc.line(self.r.error_position());
                Err(syntax_error(self.path, at, "XLIFF", &e))
            }
        }
    }

    fn skip(&mut self, e: &BytesStart<'_>) -> Result<usize> {
        let name = e.name().as_ref().to_vec();
        match self.r.read_to_end(quick_xml::name::QName(&name)) {
            Ok(_) => Ok(self.r.buffer_position() as usize),
            Err(e) => {
                let at = self.doc.line(self.r.error_position());
                Err(syntax_error(self.path, at, "XLIFF", &e))
            }
        }
    }

    fn err(&self, byte: usize, msg: &str) -> Error {
        Error::parse(self.path, self.doc.line(byte as u64), msg)
    }

    /// The content of the element just opened, up to its end; `start` is the byte after
    /// the start tag.
    fn content(&mut self, start: usize) -> Result<(Content, usize)> {
        let mut c = Content {
            inner: (start, start),
            ..Content::default()
        };
        let mut chars = 0usize;
        // Open elements: (is seg mrk, name, g-like open id, seg data).
        let mut stack: Vec<OpenElement> = Vec::new();
        loop {
            let (p, ev, q) = self.next()?;
            match ev {
                Event::Text(t) => {
                    let s = t
                        .unescape()
                        .map_err(|e| self.err(p, &format!("malformed XLIFF: {e}")))?;
                    chars += s.chars().count();
                    c.text.push_str(&s);
                }
                Event::CData(d) => {
                    let s = String::from_utf8_lossy(&d).into_owned();
                    chars += s.chars().count();
                    c.text.push_str(&s);
                }
                Event::Start(e) => {
                    let name = lname(&e);
                    let seg_mrk =
                        !self.v2 && name == "mrk" && attr(&e, "mtype").as_deref() == Some("seg");
                    if seg_mrk {
                        let mid = attr(&e, "mid").unwrap_or_default();
                        stack.push((Some((mid, p, q, chars, c.tags.len())), None));
                        continue;
                    }
                    match name.as_str() {
                        "g" | "pc" | "mrk" => {
                            let id = tag_id(&e);
                            c.tags.push(RawTag {
                                kind: TagKind::Open,
                                id: id.clone(),
                                raw: self.text[p..q].to_string(),
                                offset: chars,
                                nests: true,
                            });
                            stack.push((None, Some(id)));
                        }
                        "bpt" | "ept" | "ph" | "it" => {
                            let end = self.skip(&e)?;
                            c.tags.push(RawTag {
                                kind: match name.as_str() {
                                    "bpt" => TagKind::Open,
                                    "ept" => TagKind::Close,
                                    _ => TagKind::Standalone,
                                },
                                id: tag_id(&e),
                                raw: self.text[p..end].to_string(),
                                offset: chars,
                                nests: false,
                            });
                        }
                        _ => {
                            // Other markup (`sub` outside a code...) is kept out of the
                            // text, as the draft reader does.
                            stack.push((None, None));
                        }
                    }
                }
                Event::Empty(e) => {
                    let name = lname(&e);
                    let kind = match name.as_str() {
                        "cp" if self.v2 => {
                            if let Some(ch) = attr(&e, "hex")
                                .and_then(|h| u32::from_str_radix(&h, 16).ok())
                                .and_then(char::from_u32)
                            {
                                c.text.push(ch);
                                chars += 1;
                            }
                            continue;
                        }
                        "bx" | "bpt" | "sc" | "sm" | "g" | "pc" => TagKind::Open,
                        "ex" | "ept" | "ec" | "em" => TagKind::Close,
                        "x" | "ph" | "it" => TagKind::Standalone,
                        "mrk" => TagKind::Standalone,
                        _ => continue,
                    };
                    c.tags.push(RawTag {
                        kind,
                        id: tag_id(&e),
                        raw: self.text[p..q].to_string(),
                        offset: chars,
                        nests: false,
                    });
                }
                Event::End(e) => match stack.pop() {
                    None => {
                        c.inner.1 = p;
                        let _ = e;
                        return Ok((c, q));
                    }
                    Some((Some((mid, es, cs, ch0, t0)), _)) => {
                        c.segs
                            .push((mid, es, q, cs, p, ch0, chars, t0, c.tags.len()));
                    }
                    Some((None, Some(id))) => c.tags.push(RawTag {
                        kind: TagKind::Close,
                        id,
                        raw: self.text[p..q].to_string(),
                        offset: chars,
                        nests: true,
                    }),
                    Some((None, None)) => {}
                },
                Event::Eof => return Err(self.err(p, "unexpected end of file inside a segment")),
                _ => {}
            }
        }
    }
}

fn slice_seg(c: &Content, ch0: usize, ch1: usize, t0: usize, t1: usize) -> (String, Vec<RawTag>) {
    let text: String = c.text.chars().skip(ch0).take(ch1 - ch0).collect();
    let tags = c.tags[t0..t1]
        .iter()
        .map(|t| RawTag {
            offset: t.offset - ch0,
            ..t.clone()
        })
        .collect();
    (text, tags)
}

/// Read an XLIFF file as a job (see the module documentation). The file should have
/// been checked by the draft reader; an XML error here is reported with its line too.
pub fn read_bilingual(path: &Path) -> Result<BiDoc> {
    let text = read_document(path)?;
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let utf16 = |enc: TextEncoding| raw.len() > 2 && raw[2..] == enc.encode(&text)[..];
    let (prefix, encoding) = if raw == text.as_bytes() {
        (Some(Vec::new()), TextEncoding::Utf8)
    } else if raw.starts_with(b"\xEF\xBB\xBF") && &raw[3..] == text.as_bytes() {
        (Some(raw[..3].to_vec()), TextEncoding::Utf8)
    } else if raw.starts_with(b"\xFF\xFE") && utf16(TextEncoding::Utf16Le) {
        (Some(raw[..2].to_vec()), TextEncoding::Utf16Le)
    } else if raw.starts_with(b"\xFE\xFF") && utf16(TextEncoding::Utf16Be) {
        (Some(raw[..2].to_vec()), TextEncoding::Utf16Be)
    } else {
        (None, TextEncoding::Utf8)
    };
    let mut doc = parse(path, &text)?;
    doc.prefix = prefix;
    doc.encoding = encoding;
    doc.text = text;
    Ok(doc)
}

fn parse(path: &Path, text: &str) -> Result<BiDoc> {
    let mut r = Reader::from_str(text);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = true;
    let mut cx = Cx {
        r,
        text,
        doc: LineIndex::new(text),
        path,
        v2: false,
    };
    let mut flavour = Flavour::Xliff12;
    let mut segments = Vec::new();
    let mut sdl_units = Vec::new();
    let mut units_v2 = Vec::new();
    let mut root_tag = (0, 0);
    let mut seen_root = false;
    loop {
        let (p, ev, q) = cx.next()?;
        match ev {
            Event::Start(e) if !seen_root => {
                seen_root = true;
                root_tag = (p, q);
                let v = attr(&e, "version").unwrap_or_default();
                cx.v2 = v.starts_with('2')
                    || attr(&e, "xmlns").is_some_and(|n| n.contains("document:2"));
                let raw = &text[p..q];
                flavour = if cx.v2 {
                    Flavour::Xliff20
                } else if raw.contains("xmlns:sdl") {
                    Flavour::Sdlxliff
                } else if raw.contains("xmlns:mq") {
                    Flavour::Mqxliff
                } else {
                    Flavour::Xliff12
                };
            }
            Event::Start(e) => match (lname(&e).as_str(), cx.v2) {
                ("trans-unit", false) if e.name().prefix().is_none() => {
                    unit_v1(&mut cx, &e, p, q, &mut segments, &mut sdl_units)?
                }
                ("unit", true) if e.name().prefix().is_none() => {
                    unit_v2(&mut cx, &e, p, q, &mut segments, &mut units_v2)?
                }
                ("file" | "body" | "group" | "xliff", _) => {}
                _ => {
                    cx.skip(&e)?;
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(BiDoc {
        flavour,
        text: String::new(),
        prefix: None,
        encoding: TextEncoding::Utf8,
        units_v2,
        root_tag,
        segments,
        sdl_units,
    })
}

fn unit_v1(
    cx: &mut Cx<'_>,
    e: &BytesStart<'_>,
    p: usize,
    q: usize,
    segments: &mut Vec<BiSegment>,
    sdl_units: &mut Vec<SdlUnit>,
) -> Result<()> {
    // A PO header converted to XLIFF is metadata (the draft reader leaves it out too);
    // `translate="no"` units are kept, the draft reader flags them.
    let header = attr(e, "restype").as_deref() == Some("x-gettext-domain-header");
    let id = attr(e, "id");
    let line = cx.doc.line(p as u64);
    let mut source: Option<Content> = None;
    let mut seg_source: Option<Content> = None;
    let mut target: Option<(Content, usize, usize)> = None;
    let mut after_source = q;
    let mut sdl = SdlUnit::default();
    let unit_end;
    loop {
        let (a, ev, b) = cx.next()?;
        match ev {
            Event::Start(x) => match qname(&x).as_str() {
                "source" => {
                    let (c, end) = cx.content(b)?;
                    source = Some(c);
                    after_source = end;
                }
                "seg-source" => {
                    let (c, end) = cx.content(b)?;
                    seg_source = Some(c);
                    after_source = end;
                }
                "target" => {
                    let (c, end) = cx.content(b)?;
                    target = Some((c, a, end));
                }
                "sdl:seg-defs" => loop {
                    let (s, ev, t) = cx.next()?;
                    match ev {
                        Event::Start(y) if qname(&y) == "sdl:seg" => {
                            sdl.seg_defs
                                .push((attr(&y, "id").unwrap_or_default(), s, t));
                            cx.skip(&y)?;
                        }
                        Event::Empty(y) if qname(&y) == "sdl:seg" => {
                            sdl.seg_defs
                                .push((attr(&y, "id").unwrap_or_default(), s, t));
                        }
                        Event::Start(y) => {
                            cx.skip(&y)?;
                        }
                        Event::End(_) => {
                            sdl.defs_insert = (s, true);
                            break;
                        }
                        Event::Eof => return Err(cx.err(s, "unexpected end of file")),
                        _ => {}
                    }
                },
                _ => {
                    cx.skip(&x)?;
                }
            },
            Event::Empty(x) if qname(&x) == "target" => {
                target = Some((Content::default(), a, b));
            }
            Event::End(_) => {
                unit_end = a;
                break;
            }
            Event::Eof => return Err(cx.err(a, "unexpected end of file inside <trans-unit>")),
            _ => {}
        }
    }
    if header {
        return Ok(());
    }
    let Some(source) = source else {
        return Err(cx.err(p, "a <trans-unit> without <source>"));
    };
    match seg_source.filter(|s| !s.segs.is_empty()) {
        Some(ss) => {
            if !sdl.defs_insert.1 {
                sdl.defs_insert = (unit_end, false);
            }
            sdl.seg_source = ss.inner;
            sdl.mrks = ss.segs.iter().map(|s| (s.0.clone(), s.3, s.4)).collect();
            let k = sdl_units.len();
            sdl_units.push(sdl);
            for s in &ss.segs {
                let (text, tags) = slice_seg(&ss, s.5, s.6, s.7, s.8);
                let tseg = target
                    .as_ref()
                    .and_then(|(t, _, _)| t.segs.iter().find(|m| m.0 == s.0).map(|m| (t, m)));
                let (ttext, thas, slot) = match (tseg, &target) {
                    (Some((t, m)), _) => {
                        let (tt, tg) = slice_seg(t, m.5, m.6, m.7, m.8);
                        (Some(tt), !tg.is_empty(), TargetSlot::Mrk(m.1, m.2))
                    }
                    // A target without this mid: not spliceable safely.
                    (None, Some(_)) => (None, false, TargetSlot::None),
                    (None, None) => (None, false, TargetSlot::SdlNew(after_source)),
                };
                segments.push(BiSegment {
                    id: Some(match &id {
                        Some(u) => format!("{u}#{}", s.0),
                        None => format!("#{}", s.0),
                    }),
                    line,
                    source: text,
                    tags,
                    target: ttext,
                    target_has_tags: thas,
                    slot,
                    unit_tag: (p, q),
                    sdl_unit: Some(k),
                    mid: Some(s.0.clone()),
                    segment_tag: None,
                    lock: Lock::Open,
                });
            }
        }
        None => {
            let (ttext, thas, slot) = match target {
                Some((t, a, b)) => (
                    Some(t.text.clone()),
                    !t.tags.is_empty(),
                    TargetSlot::Element(a, b),
                ),
                None => (None, false, TargetSlot::Insert(after_source)),
            };
            segments.push(BiSegment {
                id,
                line,
                source: source.text,
                tags: source.tags,
                target: ttext,
                target_has_tags: thas,
                slot,
                unit_tag: (p, q),
                sdl_unit: None,
                mid: None,
                segment_tag: None,
                lock: Lock::Open,
            });
        }
    }
    Ok(())
}

fn unit_v2(
    cx: &mut Cx<'_>,
    e: &BytesStart<'_>,
    p: usize,
    q: usize,
    segments: &mut Vec<BiSegment>,
    units_v2: &mut Vec<UnitV2>,
) -> Result<()> {
    let id = attr(e, "id").unwrap_or_default();
    let mut unit = UnitV2 {
        after_start: q,
        matches_end: None,
        notes_end: None,
        notes_at: q,
    };
    // (id, line, source, target, `<segment>` start tag, target slot)
    type Found = (
        Option<String>,
        u64,
        Content,
        Option<Content>,
        (usize, usize),
        TargetSlot,
    );
    let mut found: Vec<Found> = Vec::new();
    let mut core_seen = false;
    loop {
        let (a, ev, b) = cx.next()?;
        match ev {
            Event::Start(x) if lname(&x) == "segment" => {
                core_seen = true;
                let sid = attr(&x, "id");
                let line = cx.doc.line(a as u64);
                let (mut src, mut tgt) = (None, None);
                let mut slot = TargetSlot::None;
                loop {
                    let (s, ev, t) = cx.next()?;
                    match ev {
                        Event::Start(y) if lname(&y) == "source" => {
                            let (c, end) = cx.content(t)?;
                            src = Some(c);
                            slot = TargetSlot::Insert(end);
                        }
                        Event::Start(y) if lname(&y) == "target" => {
                            let (c, end) = cx.content(t)?;
                            tgt = Some(c);
                            slot = TargetSlot::Element(s, end);
                        }
                        Event::Empty(y) if lname(&y) == "target" => {
                            tgt = Some(Content::default());
                            slot = TargetSlot::Element(s, t);
                        }
                        Event::Start(y) => {
                            cx.skip(&y)?;
                        }
                        Event::End(_) => break,
                        Event::Eof => return Err(cx.err(s, "unexpected end of file")),
                        _ => {}
                    }
                }
                let Some(src) = src else {
                    return Err(cx.err(a, "invalid XLIFF 2.0: a <segment> without <source>"));
                };
                found.push((sid, line, src, tgt, (a, b), slot));
            }
            Event::Start(x) => {
                let name = lname(&x);
                let module = x.name().prefix().is_some();
                let end = cx.skip(&x)?;
                let close = cx.text[..end].rfind("</").unwrap_or(end);
                match (name.as_str(), module) {
                    ("matches", true) => unit.matches_end = Some(close),
                    ("notes", false) => unit.notes_end = Some(close),
                    _ => {}
                }
                if module && !core_seen {
                    unit.notes_at = end;
                }
                if !module {
                    core_seen = true;
                }
            }
            Event::Empty(x) => {
                if x.name().prefix().is_some() && !core_seen {
                    unit.notes_at = b;
                } else if x.name().prefix().is_none() {
                    core_seen = true;
                }
            }
            Event::End(_) => break,
            Event::Eof => return Err(cx.err(a, "unexpected end of file inside <unit>")),
            _ => {}
        }
    }
    let k = units_v2.len();
    units_v2.push(unit);
    let many = found.len() > 1;
    for (n, (sid, line, src, tgt, seg_tag, slot)) in found.into_iter().enumerate() {
        let full = match (&sid, many) {
            (Some(s), _) => format!("{id}#{s}"),
            (None, true) => format!("{id}#{}", n + 1),
            (None, false) => id.clone(),
        };
        segments.push(BiSegment {
            id: Some(full),
            line,
            source: src.text,
            tags: src.tags,
            target_has_tags: tgt.as_ref().is_some_and(|t| !t.tags.is_empty()),
            target: tgt.map(|t| t.text),
            slot,
            unit_tag: (p, q),
            sdl_unit: Some(k),
            mid: None,
            segment_tag: Some((seg_tag.0, seg_tag.1, sid)),
            lock: Lock::Open,
        });
    }
    Ok(())
}

/// The document a pretranslation reads: its languages and segments, and for an XLIFF
/// file what the writers need to splice it ([`BiDoc`]).
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// The file.
    pub path: std::path::PathBuf,
    /// The format it was read as.
    pub format: FileFormat,
    /// The source language.
    pub source_lang: LangTag,
    /// The target language.
    pub target_lang: LangTag,
    /// The segments, in order (for an XLIFF file, those of [`SourceDoc::xliff`]).
    pub segments: Vec<BiSegment>,
    /// The XLIFF file read for splicing.
    pub xliff: Option<BiDoc>,
}

/// The codes of a TMX source segment as the job reader keys them (`bpt#1`, `ept#1`,
/// `ph#2`, `it#begin`, `hi#3`): `<bpt>` opens, `<ept>` closes, every other code stands
/// alone (as the memory's own markup is read, [`markup_pieces`]); the id is the key's
/// (`i`, `x`, `pos`). `raw` is the element with its id, the native code left out: a TMX
/// input is never written back as TMX.
pub fn tmx_tags(tags: &[crate::formats::segment::InlineTag]) -> Vec<RawTag> {
    tags.iter()
        .map(|t| {
            let (name, id) = t.key.split_once('#').unwrap_or((t.key.as_str(), ""));
            let kind = match name {
                "bpt" => TagKind::Open,
                "ept" => TagKind::Close,
                _ => TagKind::Standalone,
            };
            let attr = if matches!(name, "bpt" | "ept") {
                "i"
            } else {
                "x"
            };
            RawTag {
                kind,
                id: id.to_string(),
                raw: format!(
                    "<{name} {attr}=\"{}\"/>",
                    id.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('"', "&quot;")
                ),
                offset: t.offset,
                nests: false,
            }
        })
        .collect()
}

/// Read the document to pretranslate (`req` names one file): XLIFF 1.2/2.0 (SDLXLIFF,
/// MQXLIFF) is checked by the draft reader first (a malformed file or a missing target
/// language is an error with file and line) and then read with raw codes and offsets
/// ([`read_bilingual`]); every other format (plain text, Markdown, HTML, DOCX split into
/// sentences or lines, TSV/CSV with a source column, TMX) through the job reader
/// ([`super::job::read_job`]); of these only TMX has inline codes, and they are carried
/// into targets as XLIFF's are ([`tmx_tags`]).
pub fn read_source(req: &JobRequest) -> Result<SourceDoc> {
    let [path] = req.files.as_slice() else {
        return Err(Error::bad_request("pretranslate reads one file at a time"));
    };
    let format = req
        .format
        .or_else(|| FileFormat::from_path(path))
        .unwrap_or(FileFormat::Text);
    if format != FileFormat::Xliff {
        let job = read_job(req)?;
        let segments = job
            .segments
            .into_iter()
            .map(|s| BiSegment {
                tags: if format == FileFormat::Tmx {
                    tmx_tags(&s.raw.tags)
                } else {
                    Vec::new()
                },
                id: s.id,
                line: s.line,
                source: s.raw.text,
                target_has_tags: s.target.as_ref().is_some_and(|t| !t.tags.is_empty()),
                target: s.target.map(|t| t.text),
                slot: TargetSlot::None,
                unit_tag: (0, 0),
                sdl_unit: None,
                mid: None,
                segment_tag: None,
                lock: s.lock,
            })
            .collect();
        return Ok(SourceDoc {
            path: path.clone(),
            format,
            source_lang: job.source,
            target_lang: job.target,
            segments,
            xliff: None,
        });
    }
    let draft = DraftRequest {
        path: path.clone(),
        source: None,
        format: Some(DraftFormat::Xliff),
        from: req.from.clone(),
        to: req.to.clone(),
    };
    let mut langs: Option<DraftLangs> = None;
    // The draft reader's segments (translate="no" ones included), with their locks.
    let mut read: Vec<(Option<String>, Lock)> = Vec::new();
    read_job_draft(&draft, |ev| {
        match ev {
            DraftEvent::Start(l) => langs = Some(l),
            DraftEvent::Segment(s) => read.push((s.id, s.lock)),
        }
        Ok(())
    })?;
    let count = read.len();
    let langs = langs.ok_or_else(|| Error::parse_file(path, "the document has no segments"))?;
    let source_lang = langs
        .source
        .ok_or_else(|| Error::parse_file(path, "the document has no source language"))?;
    let mut doc = read_bilingual(path)?;
    if doc.segments.len() != count
        || doc
            .segments
            .iter()
            .zip(&read)
            .any(|(s, (id, _))| s.id != *id)
    {
        return Err(Error::parse_file(
            path,
            format!(
                "the XLIFF segments could not be located ({} read, {} located)",
                count,
                doc.segments.len()
            ),
        ));
    }
    for (s, (_, lock)) in doc.segments.iter_mut().zip(read) {
        s.lock = lock;
    }
    Ok(SourceDoc {
        path: path.clone(),
        format,
        source_lang,
        target_lang: langs.target,
        segments: doc.segments.clone(),
        xliff: Some(doc),
    })
}

/// The pieces of a stored segment's TMX markup (`<seg>` content): text, and codes by
/// kind (`bpt` opens, `ept` closes, `ph`/`it`/`ut`/`x` stand alone; `hi` opens and
/// closes). `None` when the markup is not well-formed.
pub fn markup_pieces(markup: &str) -> Option<Vec<Piece>> {
    let mut r = Reader::from_str(markup);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = true;
    let mut out: Vec<Piece> = Vec::new();
    let mut stack: Vec<Option<String>> = Vec::new();
    let push_text = |out: &mut Vec<Piece>, s: &str| {
        if let Some(Piece::Text(t)) = out.last_mut() {
            t.push_str(s);
        } else if !s.is_empty() {
            out.push(Piece::Text(s.to_string()));
        }
    };
    loop {
        match r.read_event().ok()? {
            Event::Text(t) => push_text(&mut out, &t.unescape().ok()?),
            Event::CData(d) => push_text(&mut out, &String::from_utf8_lossy(&d)),
            Event::Start(e) => {
                let name = lname(&e);
                match name.as_str() {
                    "bpt" | "ept" | "ph" | "it" | "ut" | "x" | "g" | "bx" | "ex" => {
                        let kind = match name.as_str() {
                            "bpt" | "bx" => TagKind::Open,
                            "ept" | "ex" => TagKind::Close,
                            "g" => TagKind::Open,
                            _ => TagKind::Standalone,
                        };
                        out.push(Piece::Tag(kind, tag_id(&e)));
                        if name == "g" {
                            stack.push(Some(tag_id(&e)));
                        } else {
                            r.read_to_end(e.name()).ok()?;
                        }
                    }
                    "hi" => {
                        let id = format!("hi{}", stack.len());
                        out.push(Piece::Tag(TagKind::Open, id.clone()));
                        stack.push(Some(id));
                    }
                    "sub" => {
                        r.read_to_end(e.name()).ok()?;
                    }
                    _ => stack.push(None),
                }
            }
            Event::Empty(e) => {
                let name = lname(&e);
                let kind = match name.as_str() {
                    "bpt" | "bx" => TagKind::Open,
                    "ept" | "ex" => TagKind::Close,
                    "ph" | "it" | "ut" | "x" => TagKind::Standalone,
                    _ => continue,
                };
                out.push(Piece::Tag(kind, tag_id(&e)));
            }
            Event::End(_) => {
                if let Some(Some(id)) = stack.pop() {
                    out.push(Piece::Tag(TagKind::Close, id));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> std::path::PathBuf {
        crate::testutil::data(name)
    }

    #[test]
    fn xliff12_segments_with_raw_tags_and_slots() {
        let d = read_bilingual(&data("xliff12-en-ko.xlf")).unwrap();
        assert_eq!(d.flavour, Flavour::Xliff12);
        let ids: Vec<&str> = d
            .segments
            .iter()
            .map(|s| s.id.as_deref().unwrap())
            .collect();
        // Unit 3 is translate="no": kept (the writers must find every segment the draft
        // reader reports), flagged by read_source.
        assert_eq!(ids, vec!["1", "2", "3", "4"]);
        let src = read_source(&JobRequest::files([data("xliff12-en-ko.xlf")])).unwrap();
        let locks: Vec<Lock> = src.segments.iter().map(|s| s.lock).collect();
        assert_eq!(
            locks,
            vec![Lock::Open, Lock::Open, Lock::NoTranslate, Lock::Open]
        );
        let s = &d.segments[0];
        assert_eq!(s.source, "The ministers met in Seoul.");
        let raws: Vec<&str> = s.tags.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raws, vec!["<g id=\"1\">", "</g>"]);
        assert_eq!((s.tags[0].offset, s.tags[1].offset), (21, 26));
        let TargetSlot::Element(a, b) = s.slot else {
            panic!("{:?}", s.slot)
        };
        assert!(d.text[a..b].starts_with("<target>") && d.text[a..b].ends_with("</target>"));
        let s = &d.segments[1];
        let raws: Vec<&str> = s.tags.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(
            raws,
            vec![
                "<bpt id=\"1\">&lt;b></bpt>",
                "<ept id=\"1\">&lt;/b></ept>",
                "<x id=\"2\"/>"
            ]
        );
        let TargetSlot::Insert(at) = d.segments[3].slot else {
            panic!()
        };
        assert!(d.text[..at].ends_with("</source>"));
    }

    #[test]
    fn sdlxliff_mids_and_seg_defs() {
        let d = read_bilingual(&data("sdlxliff-en-ko.sdlxliff")).unwrap();
        assert_eq!(d.flavour, Flavour::Sdlxliff);
        assert_eq!(d.segments.len(), 2);
        assert_eq!(d.segments[1].source, "Second sentence.");
        assert_eq!(d.segments[1].target.as_deref(), Some("둘째 문장."));
        let TargetSlot::Mrk(a, b) = d.segments[1].slot else {
            panic!()
        };
        assert_eq!(
            &d.text[a..b],
            "<mrk mtype=\"seg\" mid=\"2\">둘째 문장.</mrk>"
        );
        let u = &d.sdl_units[0];
        assert_eq!(u.seg_defs.len(), 2);
        assert_eq!(
            &d.text[u.seg_defs[1].1..u.seg_defs[1].2],
            "<sdl:seg id=\"2\" conf=\"Draft\"/>"
        );
    }

    #[test]
    fn stored_markup_pieces() {
        let p = markup_pieces(
            "<bpt i=\"1\">&lt;b&gt;</bpt>저장<ept i=\"1\">&lt;/b&gt;</ept>을 <ph x=\"2\"/>",
        )
        .unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Tag(TagKind::Open, "1".into()),
                Piece::Text("저장".into()),
                Piece::Tag(TagKind::Close, "1".into()),
                Piece::Text("을 ".into()),
                Piece::Tag(TagKind::Standalone, "2".into()),
            ]
        );
        assert!(markup_pieces("<bpt i=\"1\">x").is_none());
    }
}
