//! The model of an XLIFF document as a job to pretranslate: every segment with its
//! source text, its inline codes as raw XML, its existing target, and the **byte
//! offsets** a writer needs to put a new target in place while keeping every other byte
//! of the file ([`super::pretranslated::splice`]).
//!
//! There is one XLIFF reader, [`super::xliff`]; in splice mode
//! ([`super::xliff::read_xliff_doc`]) it fills a [`BiDoc`] in the same pass in which it
//! reads the segments a job or a draft sees, so the writers' segments are those
//! segments, in the same order, with the same ids, texts and locks:
//!
//! * XLIFF 1.2 (SDLXLIFF and MQXLIFF included) and 2.0: a `<trans-unit>` (a PO header
//!   left out), or each `<mrk mtype="seg" mid>` of an SDLXLIFF `<seg-source>`; a 2.0
//!   `<segment>`. `translate="no"` and locked segments are kept, flagged
//!   ([`BiSegment::lock`]).
//! * Inline codes become [`RawTag`]s: opening (`<g>`, `<bx/>`, `<bpt>`, `<pc>`, `<sc/>`,
//!   `<mrk>`), closing (`</g>`, `<ex/>`, `<ept>`, `</pc>`, `<ec/>`) or standalone (`<x/>`,
//!   `<ph>`, `<it>`), each with the exact XML it is written with in the file, so that a
//!   target built from them carries the source's codes unchanged.
//! * [`markup_pieces`] reads the TMX markup a memory stores for a segment with inline
//!   codes (`<bpt i="1">`, `<ept i="1">`, `<ph>`...) into the same kinds, for tag mapping.
//!
//! [`read_source`] reads the document a pretranslation reads: an XLIFF file through
//! [`super::xliff::read_xliff_doc`] (one pass), any other format through the job reader.
//! Splicing works on UTF-8 files (with or without BOM) and UTF-16 files with a BOM.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::draft::{DraftFormat, DraftRequest};
use super::job::{read_job, JobRequest};
use super::segment::Lock;
use super::xliff::attr;
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
    /// SDLXLIFF without a target sub-segment: a `<target>` built from `<seg-source>`
    /// replaces these bytes (an empty `<target/>`, or nothing after `</seg-source>`).
    SdlNew(usize, usize),
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
    /// Whether the file protects the segment ([`Lock`]); a pretranslation never writes
    /// into a locked segment.
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
    /// The segments, in file order (a [`SourceDoc`] holds them in
    /// [`SourceDoc::segments`] and leaves this empty).
    pub segments: Vec<BiSegment>,
    /// The SDLXLIFF units.
    pub sdl_units: Vec<SdlUnit>,
}

fn lname(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// The id of an inline code: `id`, else `rid`, `startRef`, `i`, `x` (empty: none).
pub(super) fn tag_id(e: &BytesStart<'_>) -> String {
    attr(e, "id")
        .or_else(|| attr(e, "rid"))
        .or_else(|| attr(e, "startRef"))
        .or_else(|| attr(e, "i"))
        .or_else(|| attr(e, "x"))
        .unwrap_or_default()
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
    /// The segments, in order (for an XLIFF file, those whose splice points
    /// [`SourceDoc::xliff`] holds).
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
/// MQXLIFF) in one pass of the XLIFF reader, with raw codes and offsets
/// ([`super::xliff::read_xliff_doc`]; a malformed file or a missing target language is an
/// error with file and line, a segment over the limits too); every other format (plain
/// text, Markdown, HTML, DOCX split into sentences or lines, TSV/CSV with a source
/// column, TMX) through the job reader ([`super::job::read_job`]); of these only TMX has
/// inline codes, and they are carried into targets as XLIFF's are ([`tmx_tags`]).
pub fn read_source(req: &JobRequest) -> Result<SourceDoc> {
    let [path] = req.files.as_slice() else {
        return Err(Error::bad_request("pretranslate reads one file at a time"));
    };
    let (format, sniffed) = super::sniff::resolve_as(path, req.format)?;
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
        ..DraftRequest::file(path)
    };
    let (langs, mut doc) =
        super::xliff::read_xliff_doc(&draft, &mut |seg| super::draft::check_limits(path, seg))
            .map_err(|e| match &sniffed {
                Some(s) => s.explain(e, crate::error::Hint::GiveInputFormat),
                None => e,
            })?;
    let source_lang = langs
        .source
        .ok_or_else(|| Error::parse_file(path, "the document has no source language"))?;
    Ok(SourceDoc {
        path: path.clone(),
        format,
        source_lang,
        target_lang: langs.target,
        segments: std::mem::take(&mut doc.segments),
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

    /// The one XLIFF reader in splice mode, as pretranslate calls it.
    fn read_doc(path: &std::path::Path) -> Result<(super::super::draft::DraftLangs, BiDoc)> {
        let req = DraftRequest::file(path);
        super::super::xliff::read_xliff_doc(&req, &mut |_| Ok(()))
    }

    #[test]
    fn xliff12_segments_with_raw_tags_and_slots() {
        // One call gives the languages, the segments with their locks, and the splice
        // points.
        let (langs, d) = read_doc(&data("xliff12-en-ko.xlf")).unwrap();
        assert_eq!(langs.target.as_str(), "ko");
        assert_eq!(d.flavour, Flavour::Xliff12);
        let ids: Vec<&str> = d
            .segments
            .iter()
            .map(|s| s.id.as_deref().unwrap())
            .collect();
        // Unit 3 is translate="no": kept, flagged.
        assert_eq!(ids, vec!["1", "2", "3", "4"]);
        let locks: Vec<Lock> = d.segments.iter().map(|s| s.lock).collect();
        assert_eq!(
            locks,
            vec![Lock::Open, Lock::Open, Lock::NoTranslate, Lock::Open]
        );
        let src = read_source(&JobRequest::files([data("xliff12-en-ko.xlf")])).unwrap();
        assert_eq!(src.segments, d.segments);
        assert!(src.xliff.as_ref().unwrap().segments.is_empty());
        let s = &d.segments[0];
        assert_eq!(s.source, "The ministers met in Seoul.");
        let raws: Vec<&str> = s.tags.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raws, vec!["<g id=\"1\">", "</g>"]);
        assert_eq!((s.tags[0].offset, s.tags[1].offset), (21, 26));
        assert!(s.tags[0].nests && s.tags[1].kind == TagKind::Close);
        let TargetSlot::Element(a, b) = s.slot else {
            panic!("{:?}", s.slot)
        };
        assert!(d.text[a..b].starts_with("<target>") && d.text[a..b].ends_with("</target>"));
        assert!(d.text[s.unit_tag.0..s.unit_tag.1].starts_with("<trans-unit id=\"1\""));
        assert!(d.text[d.root_tag.0..d.root_tag.1].starts_with("<xliff "));
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
        let (_, d) = read_doc(&data("sdlxliff-en-ko.sdlxliff")).unwrap();
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
        assert!(u.defs_insert.1 && d.text[u.defs_insert.0..].starts_with("</sdl:seg-defs>"));
        let (m, a, b) = &u.mrks[1];
        assert_eq!((m.as_str(), &d.text[*a..*b]), ("2", "Second sentence."));
    }

    #[test]
    fn xliff20_units_and_segments() {
        let (langs, d) = read_doc(&data("xliff20-en-zh.xlf")).unwrap();
        assert_eq!(langs.target.as_str(), "zh-CN");
        assert_eq!(d.flavour, Flavour::Xliff20);
        let ids: Vec<&str> = d
            .segments
            .iter()
            .map(|s| s.id.as_deref().unwrap())
            .collect();
        assert_eq!(ids, vec!["u1#s1", "u1#s2", "u2"]);
        let s = &d.segments[0];
        let (a, b, sid) = s.segment_tag.clone().unwrap();
        assert!(d.text[a..b].starts_with("<segment") && sid.as_deref() == Some("s1"));
        assert_eq!(s.sdl_unit, d.segments[1].sdl_unit);
        assert_ne!(s.sdl_unit, d.segments[2].sdl_unit);
        let u = &d.units_v2[s.sdl_unit.unwrap()];
        assert!(d.text[..u.after_start].ends_with('>'));
        let TargetSlot::Insert(at) = d.segments[2].slot else {
            panic!("{:?}", d.segments[2].slot)
        };
        assert!(d.text[..at].ends_with("</source>"));
    }

    /// The segments pretranslate reads are the ones analyze reads: same ids, same text.
    fn assert_read_alike(path: &std::path::Path) -> SourceDoc {
        let req = JobRequest::files([path]);
        let src = read_source(&req).unwrap();
        let job = read_job(&req).unwrap();
        let pre: Vec<(Option<&str>, &str)> = src
            .segments
            .iter()
            .filter(|s| !s.source.trim().is_empty())
            .map(|s| (s.id.as_deref(), s.source.as_str()))
            .collect();
        let ana: Vec<(Option<&str>, &str)> = job
            .segments
            .iter()
            .map(|s| (s.id.as_deref(), s.raw.text.as_str()))
            .collect();
        assert_eq!(pre, ana);
        src
    }

    #[test]
    fn pretranslate_reads_xliff12_with_a_20_namespace_as_analyze_does() {
        // The splicer's own parser took `xmlns="...document:2.0"` for XLIFF 2.0 while the
        // draft reader went by `version="1.2"`: analyze read two segments, pretranslate
        // refused the file ("the XLIFF segments could not be located").
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mixed.xlf");
        std::fs::write(
            &p,
            "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:2.0\">\n\
             <file source-language=\"en\" target-language=\"ko\" datatype=\"plaintext\" original=\"a\"><body>\n\
             <trans-unit id=\"1\"><source>Peace talks resume.</source></trans-unit>\n\
             <trans-unit id=\"2\"><source>The summit ends.</source><target>정상회의가 끝난다.</target></trans-unit>\n\
             </body></file></xliff>\n",
        )
        .unwrap();
        let src = assert_read_alike(&p);
        let x = src.xliff.as_ref().unwrap();
        assert_eq!(x.flavour, Flavour::Xliff12);
        assert_eq!(src.segments.len(), 2);
        assert!(matches!(src.segments[0].slot, TargetSlot::Insert(_)));
        assert!(matches!(src.segments[1].slot, TargetSlot::Element(_, _)));
    }

    #[test]
    fn pretranslate_keeps_xliff12_cp_characters_as_analyze_does() {
        // The splicer's parser dropped a `<cp hex>` outside XLIFF 2.0; the draft reader
        // kept the character: analyze and pretranslate matched different texts.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cp.xlf");
        std::fs::write(
            &p,
            "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body>\n\
             <trans-unit id=\"1\"><source>Peace<cp hex=\"00A0\"/>talks</source></trans-unit>\n\
             </body></file></xliff>\n",
        )
        .unwrap();
        let src = assert_read_alike(&p);
        assert_eq!(src.segments[0].source, "Peace\u{a0}talks");
    }

    #[cfg(unix)]
    #[test]
    fn pretranslate_reads_an_xliff_file_once() {
        // A pipe can be read once: the XLIFF is parsed in one pass. The writer offers the
        // document once, then an empty second read, which a second pass would get.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("job.xlf");
        if !crate::testutil::mkfifo(&p) {
            return;
        }
        let text = std::fs::read(data("xliff12-en-ko.xlf")).unwrap();
        let fifo = p.clone();
        std::thread::spawn(move || {
            std::fs::write(&fifo, &text).unwrap();
            // Blocks until a second reader opens the pipe (none should).
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        });
        let src = read_source(&JobRequest::files([&p])).unwrap();
        assert_eq!(src.segments.len(), 4);
        let x = src.xliff.unwrap();
        assert_eq!(x.prefix.as_deref(), Some(&[][..]));
        assert!(x.text.contains("The ministers met"));
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
