//! XML drafts: XLIFF 1.0-1.2 (with the SDLXLIFF and MQXLIFF flavours) and 2.x, and TMX
//! read as a draft, with quick-xml. The whole document is read ([`super::xml`]); every
//! segment carries its raw text (not trimmed, not normalized), its inline codes as
//! [`InlineTag`]s and the line and column of each piece of text, so lint sees what the
//! file holds.
//!
//! * XLIFF 1.x: every `<trans-unit>` is a segment (`translate="no"` units, also when an
//!   enclosing `<group>` says it, are skipped by [`read_xliff`] and reported flagged
//!   [`Lock::NoTranslate`] by [`read_xliff_job`]; locks are flagged [`Lock::Locked`]:
//!   SDLXLIFF `<sdl:seg locked="true">`, memoQ `mq:locked="locked"`);
//!   when a unit has a `<seg-source>` split by `<mrk mtype="seg" mid>` (SDLXLIFF), every
//!   `mid` is a segment, its target taken from the `<mrk>` of the same `mid` in
//!   `<target>`. `<alt-trans>`, notes, context groups and tool-specific elements
//!   (`sdl:*`, `mq:*`) are skipped. Languages: `source-language` / `target-language` of
//!   `<file>`.
//! * XLIFF 2.x: every `<segment>` of a `<unit>` is a segment (`unit#segment`);
//!   `<ignorable>` is skipped. `translate="no"` inherits from `<file>` and `<group>`
//!   (as in 1.x); a `subState` naming a lock (`sdl:locked`) is [`Lock::Locked`]. Languages: `srcLang` / `trgLang` of `<xliff>`.
//! * Inline markup is kept apart from the text: `g x bx ex ph bpt ept it mrk` (1.x) and
//!   `pc sc ec ph mrk sm em` (2.x) become [`InlineTag`]s keyed by element and id; the
//!   content of `bpt ept ph it` (native code) is not text; `<cp hex>` is a character.
//! * TMX ([`read_tmx_draft`]): every `<tu>` is a segment (its `tuid` is the id, its line
//!   the `<tu>`'s line as the XML reader saw it). The languages are chosen at the first
//!   unit (`--from`, else the `srclang` of the `<tu>` or `<header>`; `--to`, else the
//!   other language) and select later variants as ranges (`en` selects `en-US`). `bpt
//!   ept it ph ut` are inline codes whose content is not text, `hi` keeps its text,
//!   `sub` is left out. A unit without the source language is skipped.
//! * Splice mode ([`read_xliff_doc`], for pretranslate): the same pass also records, for
//!   every segment it reports, its inline codes as written ([`RawTag`]), its lock and the
//!   byte offsets of its unit, target (or where a target goes), SDLXLIFF `<mrk
//!   mtype="seg">` and `<sdl:seg>`, and XLIFF 2.0 `<segment>` and module elements, as a
//!   [`BiDoc`] ([`super::bilingual`]).
//! * Invalid XLIFF 2.0 is refused with its line: a `state` that is not
//!   `initial|translated|reviewed|final`, an `<ec startRef>` before its `<sc>`, a unit
//!   without `id`, no `srcLang`. Any XML error is refused too, and so is a second root
//!   element or text after the root, and a file without any unit (an empty draft).

use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::xml::{end_of_document, read_document, LineIndex};
use crate::error::{Error, ErrorKind, Hint, Result};
use crate::lang::{LangRange, LangTag};
use std::path::Path;

use super::bilingual::{
    BiDoc, BiSegment, Flavour, RawTag, SdlUnit, TagKind, TargetSlot, TextEncoding, UnitV2,
};
use super::draft::{DraftEvent, DraftLangs, DraftRequest};
use super::segment::{Anchor, InlineTag, Lock, RunKind, SegText, Segment, TextRun};

struct Ctx<'a, 'o> {
    r: Reader<&'a [u8]>,
    /// The document's text (byte offsets of the reader index it).
    text: &'a str,
    doc: LineIndex<'a>,
    req: &'a DraftRequest,
    v2: bool,
    /// TMX instead of XLIFF: inline codes are TMX's (`bpt ept it ph ut hi sub`).
    tmx: bool,
    /// Units (`<trans-unit>`, `<unit>`, `<tu>`) seen, translatable or not.
    units: u64,
    number: u64,
    langs: Option<DraftLangs>,
    file_source: Option<String>,
    file_target: Option<String>,
    on: &'o mut dyn FnMut(DraftEvent) -> Result<()>,
    /// Import mode ([`read_bilingual`]): segments go here, with their TMX markup, state
    /// and dates, instead of to `on`.
    bi: Option<&'o mut dyn FnMut(Bilingual) -> Result<()>>,
    /// The root declares the SDLXLIFF namespace (`xmlns:sdl`).
    sdl: bool,
    /// Import mode: inline-code ids of the current unit, numbered for TMX `i`/`x` in order
    /// of first appearance (so the source's and the target's codes share numbers).
    ids: HashMap<String, u32>,
    /// Import mode: the current XLIFF 2.0 unit's `<originalData>` (`data` id → native code).
    data: HashMap<String, String>,
    /// Job mode ([`read_xliff_job`]): `translate="no"` segments are reported (flagged
    /// [`Lock::NoTranslate`]) instead of left out.
    keep_no_translate: bool,
    /// For each open `<file>`/`<group>`/`<body>`: whether its content is translatable
    /// (`translate` inherits from the enclosing elements).
    translatable: Vec<bool>,
    /// Splice mode ([`read_xliff_doc`]): beside every segment reported, what the
    /// pretranslation writers need to put a target in place (inline codes as written,
    /// byte offsets), gathered in the same pass.
    splice: Option<Splice>,
    /// The prefixes the document binds to the ITS namespace (`its:translate="no"`).
    its: Vec<String>,
}

/// What splice mode gathers ([`BiDoc`] without the text and its encoding).
struct Splice {
    flavour: Flavour,
    root_tag: (usize, usize),
    units_v2: Vec<UnitV2>,
    sdl_units: Vec<SdlUnit>,
    segments: Vec<BiSegment>,
}

/// Splice mode: the inline codes of a captured element as the file writes them, and
/// where its parts are (byte offsets into the document's text).
#[derive(Debug, Default)]
struct RawCapture {
    tags: Vec<RawTag>,
    /// Each `<mrk mtype="seg">` (same order as [`Captured::segs`]): the element's bytes,
    /// its content's bytes, and its codes as a range of `tags`.
    mrks: Vec<MrkAt>,
    /// The bytes of the element's content.
    inner: (usize, usize),
    /// The byte after the element's end tag.
    end: usize,
}

/// Where an SDLXLIFF `<mrk mtype="seg">` is.
#[derive(Debug)]
struct MrkAt {
    element: (usize, usize),
    content: (usize, usize),
    tags: std::ops::Range<usize>,
}

/// A TMX inline code to write (import mode): element, attributes, native code.
type TmxCode = (&'static str, Vec<(String, String)>, String);

/// A translated segment's side in import mode: plain text and TMX markup, as the TMX
/// reader builds them ([`super::tmx`]).
type Marked = (String, Option<String>);

/// The state of a bilingual segment, as its editor left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentStatus {
    /// Translated, reviewed, confirmed or approved: it becomes a unit.
    Translated,
    /// Not translated (no target, or a state that says the target is not done:
    /// XLIFF 1.2 `new`/`needs-translation`/`needs-adaptation`/`needs-l10n`, XLIFF 2.0
    /// `initial`, SDLXLIFF `Draft`/no `conf`, memoQ statuses other than `…Confirmed`).
    Untranslated,
    /// Rejected by a reviewer (SDLXLIFF `Rejected…`, memoQ `Rejected`, a state naming
    /// `reject`).
    Rejected,
    /// A `<target>` without text, or a `<source>` without text (`<source/>`): an empty
    /// segment.
    Empty,
}

/// One segment of a bilingual XLIFF file read for import ([`read_bilingual`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    /// Unit id (`unit#mid` for sub-segments, `unit#segment` in XLIFF 2.0).
    pub id: Option<String>,
    /// Line of the unit.
    pub line: u64,
    /// The file's source language.
    pub source_lang: LangTag,
    /// The file's target language.
    pub target_lang: LangTag,
    /// Source: plain text (raw) and TMX markup when it had inline codes.
    pub source: (String, Option<String>),
    /// Target, when there is a `<target>`.
    pub target: Option<(String, Option<String>)>,
    /// What the editor's state says.
    pub status: SegmentStatus,
    /// The editor's state and match data as TMX-style properties (`x-xliff-state`,
    /// `x-xliff-approved`, `x-sdl-conf`, `x-sdl-origin`, `x-sdl-percent`,
    /// `x-mq-status`, `x-mq-percent`...), in a fixed order.
    pub props: Vec<crate::unit::Prop>,
    /// Creation date, in TMX form when it could be converted.
    pub created: Option<String>,
    /// Creator.
    pub creator: Option<String>,
    /// Last change date, in TMX form when it could be converted.
    pub changed: Option<String>,
    /// Last changer.
    pub changer: Option<String>,
}

/// An SDLXLIFF `<sdl:seg-defs>` as read ([`Ctx::sdl_seg_defs`]).
struct SegDefs {
    /// Each `<sdl:seg>` by id.
    segs: HashMap<String, SdlSeg>,
    /// Each `<sdl:seg>` start tag (or empty element), in order: id and byte range.
    tags: Vec<(String, usize, usize)>,
    /// Where the end tag `</sdl:seg-defs>` starts.
    close: usize,
}

/// An SDLXLIFF `<sdl:seg>`: the confirmation level and the match data of one sub-segment.
#[derive(Debug, Clone, Default)]
struct SdlSeg {
    attrs: Vec<(String, String)>,
    values: Vec<(String, String)>,
}

fn local(e: &BytesStart<'_>) -> Option<String> {
    if e.name().prefix().is_some() {
        return None;
    }
    Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
}

/// The unescaped value of attribute `name` (its qualified name) of `e`.
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// The flavour of an XLIFF document, by its root element `<xliff>`, as this reader reads
/// it: XLIFF 2.0 when `version` is 2.x, or when there is no `version` and the namespace is
/// 2.0's; else SDLXLIFF with the `sdl` namespace, MQXLIFF with the `mq` namespace, XLIFF
/// 1.2 without either. `Err` holds a `version` that is neither 1.x nor 2.x. The content
/// sniffer names a file's flavour by it too ([`super::sniff`]).
pub(super) fn root_flavour(e: &BytesStart<'_>) -> std::result::Result<Flavour, String> {
    let v2 = match attr(e, "version").as_deref() {
        Some(v) if v.starts_with('2') => true,
        Some(v) if v.starts_with('1') => false,
        Some(v) => return Err(v.to_string()),
        None => attr(e, "xmlns").is_some_and(|ns| ns.contains("document:2")),
    };
    Ok(if v2 {
        Flavour::Xliff20
    } else if attr(e, "xmlns:sdl").is_some() {
        Flavour::Sdlxliff
    } else if attr(e, "xmlns:mq").is_some() {
        Flavour::Mqxliff
    } else {
        Flavour::Xliff12
    })
}

/// A `<segment>` of an XLIFF 2.0 unit, as read before the unit's end.
struct Seg2 {
    id: Option<String>,
    line: u64,
    source: Option<Captured>,
    target: Option<Captured>,
    state: Option<String>,
    sub_state: Option<String>,
    /// Splice mode: the bytes of the `<segment>` start tag, and where its target goes.
    tag: (usize, usize),
    slot: TargetSlot,
}

/// What `capture` returns: the text, and SDLXLIFF sub-segments (mid, start, end).
struct Captured {
    text: SegText,
    segs: Vec<(String, usize, usize)>,
    /// Import mode: the whole text as TMX markup, and each sub-segment's (same order as
    /// `segs`).
    marked: Option<Marked>,
    seg_marked: Vec<Marked>,
    /// Splice mode: the codes as written and the byte offsets.
    raw: Option<RawCapture>,
}

impl Captured {
    fn empty(text: SegText) -> Captured {
        Captured {
            text,
            segs: vec![],
            marked: Some((String::new(), None)),
            seg_marked: vec![],
            raw: None,
        }
    }

    /// Splice mode: the source codes of the whole element, or of its sub-segment `k`
    /// (offsets relative to the sub-segment's text starting at character `from`).
    fn raw_tags(&self, k: Option<usize>, from: usize) -> Vec<RawTag> {
        let Some(raw) = &self.raw else {
            return Vec::new();
        };
        let range = match k {
            Some(k) => raw.mrks.get(k).map_or(0..0, |m| m.tags.clone()),
            None => 0..raw.tags.len(),
        };
        raw.tags[range]
            .iter()
            .map(|t| RawTag {
                offset: t.offset - from,
                ..t.clone()
            })
            .collect()
    }
}

/// Builds TMX markup while a segment is read (import mode): the whole text, and the
/// current SDLXLIFF sub-segment.
#[derive(Default)]
struct Mk {
    whole: super::tmx::SegBuilder,
    seg: Option<super::tmx::SegBuilder>,
    done: Vec<Marked>,
}

impl Mk {
    fn text(&mut self, t: &str) {
        self.whole.text(t);
        if let Some(s) = self.seg.as_mut() {
            s.text(t);
        }
    }

    /// One TMX inline code with its native content (empty: none).
    fn code(&mut self, name: &str, attrs: &[(String, String)], native: &str) {
        for b in std::iter::once(&mut self.whole).chain(self.seg.as_mut()) {
            b.start_tag(name, attrs, native.is_empty());
            if !native.is_empty() {
                b.text(native);
                b.end_tag();
            }
        }
    }
}

fn kv(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

enum Open {
    Plain,
    /// An SDLXLIFF `<mrk mtype="seg">`: mid, characters before it; splice mode: the
    /// byte range of its start tag and the number of codes before it.
    Seg(String, usize, (usize, usize), usize),
    /// Import mode: a paired code (`g`, `pc`) whose TMX `<ept i>` (and native code)
    /// comes at its end.
    Code(String, String),
    /// A `<mrk>` whose content the file protects from change, from this character on.
    Protected(usize),
}

impl<'a> Ctx<'a, '_> {
    fn err(&self, byte: u64, msg: impl Into<String>) -> Error {
        Error::parse(&self.req.path, self.doc.line(byte), msg)
    }

    fn xml_err(&self, e: quick_xml::Error) -> Error {
        let at = self.doc.line(self.r.error_position());
        super::xml::syntax_error(&self.req.path, at, "XLIFF", &e)
    }

    fn next(&mut self) -> Result<(u64, Event<'a>)> {
        let pos = self.r.buffer_position();
        match self.r.read_event() {
            Ok(e) => Ok((pos, e)),
            Err(e) => Err(self.xml_err(e)),
        }
    }

    fn skip(&mut self, e: &BytesStart<'_>) -> Result<()> {
        let name = e.name().as_ref().to_vec();
        self.r
            .read_to_end(quick_xml::name::QName(&name))
            .map(|_| ())
            .map_err(|e| self.xml_err(e))
    }

    fn run(&mut self) -> Result<()> {
        // The root.
        loop {
            let (pos, ev) = self.next()?;
            match ev {
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if name != "xliff" {
                        return Err(self.err(
                            pos,
                            format!("not an XLIFF document: the root element is <{name}>"),
                        ));
                    }
                    self.sdl = attr(&e, "xmlns:sdl").is_some();
                    let flavour = root_flavour(&e)
                        .map_err(|v| self.err(pos, format!("unknown XLIFF version {v:?}")))?;
                    self.v2 = flavour == Flavour::Xliff20;
                    if self.v2 {
                        self.file_source = attr(&e, "srcLang");
                        self.file_target = attr(&e, "trgLang");
                        if self.file_source.is_none() {
                            return Err(self
                                .err(pos, "invalid XLIFF 2.0: <xliff> has no srcLang attribute"));
                        }
                    }
                    let end = self.r.buffer_position() as usize;
                    if let Some(sp) = self.splice.as_mut() {
                        sp.root_tag = (pos as usize, end);
                        sp.flavour = flavour;
                    }
                    break;
                }
                Event::Eof => {
                    return Err(Error::parse_file(
                        &self.req.path,
                        "not an XLIFF document: no root element",
                    ))
                }
                _ => {}
            }
        }
        // Elements open inside the root: at the root's end, the document must end.
        let mut depth = 0usize;
        loop {
            let (pos, ev) = self.next()?;
            match ev {
                Event::Start(e) => match local(&e).as_deref() {
                    Some("file") => {
                        self.enter(&e);
                        if !self.v2 {
                            self.file_source = attr(&e, "source-language");
                            self.file_target = attr(&e, "target-language");
                            if self.bi.is_some() {
                                // An import takes each <file>'s own languages.
                                self.langs = None;
                            }
                        }
                        depth += 1;
                    }
                    Some("group") | Some("body") => {
                        self.enter(&e);
                        depth += 1
                    }
                    Some("trans-unit") if !self.v2 => self.unit_v1(pos, &e)?,
                    Some("unit") if self.v2 => self.unit_v2(pos, &e)?,
                    _ => self.skip(&e)?,
                },
                Event::End(_) if depth == 0 => {
                    end_of_document(&mut self.r, &self.doc, &self.req.path, "XLIFF")?;
                    break;
                }
                Event::End(_) => {
                    self.translatable.pop();
                    depth -= 1
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.units == 0 {
            return Err(Error::parse_file(
                &self.req.path,
                "the draft has no segments (no translation units)",
            ));
        }
        if self.langs.is_none() {
            self.start(0)?;
        }
        Ok(())
    }

    fn resolve(
        &self,
        pos: u64,
        file: Option<&str>,
        given: Option<&LangRange>,
        attr_name: &str,
        hint: Hint,
    ) -> Result<LangTag> {
        match (file, given) {
            (Some(f), given) => {
                let tag = LangTag::parse(f).map_err(|e| {
                    Error::lang(format!("{}: {attr_name}", self.req.path.display()), e)
                })?;
                if let Some(g) = given {
                    if !g.matches(&tag) {
                        return Err(self.err(
                            pos,
                            format!("the file's {attr_name} is {tag}, but {g} was given"),
                        ));
                    }
                }
                Ok(tag)
            }
            (None, Some(g)) => g.tag().cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::Lang,
                    format!("the {attr_name} must be a language tag, not the range {g}"),
                )
                .with_hint(hint)
            }),
            (None, None) => Err(self
                .err(pos, format!("the file does not name its {attr_name}"))
                .with_hint(hint)),
        }
    }

    fn start(&mut self, pos: u64) -> Result<()> {
        let (sa, ta) = if self.v2 {
            ("srcLang", "trgLang")
        } else {
            ("source-language", "target-language")
        };
        let source = self.resolve(
            pos,
            self.file_source.as_deref(),
            self.req.from.as_ref(),
            sa,
            Hint::GiveSourceLanguage,
        )?;
        let target = self.resolve(
            pos,
            self.file_target.as_deref(),
            self.req.to.as_ref(),
            ta,
            Hint::GiveTargetLanguage,
        )?;
        // XLIFF is bilingual: one target language per <file>.
        let langs = DraftLangs {
            source: Some(source),
            target,
            second: None,
        };
        match &self.langs {
            None => {
                (self.on)(DraftEvent::Start(langs.clone()))?;
                self.langs = Some(langs);
            }
            Some(l) if *l != langs => {
                return Err(self.err(
                    pos,
                    "this <file> has other languages than the first one; lint the files separately",
                ))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// A `<file>`, `<group>` or `<body>` opens: its content is translatable unless it
    /// or an enclosing element says `translate="no"`.
    fn enter(&mut self, e: &BytesStart<'_>) {
        let outer = self.translatable.last().copied().unwrap_or(true);
        let own = attr(e, "translate").map(|v| v != "no");
        self.translatable.push(own.unwrap_or(outer));
    }

    /// The lock of a unit whose start tag is `e`, from `translate` (its own, else the
    /// enclosing elements') and memoQ's `mq:locked`; `None` when the unit is to be
    /// left out (`translate="no"` outside job mode).
    fn unit_lock(&self, e: &BytesStart<'_>) -> Option<Lock> {
        let translate = attr(e, "translate")
            .map(|v| v != "no")
            .unwrap_or_else(|| self.translatable.last().copied().unwrap_or(true));
        if !translate {
            return (self.keep_no_translate && self.bi.is_none()).then_some(Lock::NoTranslate);
        }
        if attr(e, "mq:locked").is_some_and(|v| v == "locked" || v == "true") {
            return Some(Lock::Locked);
        }
        Some(Lock::Open)
    }

    fn emit(
        &mut self,
        pos: u64,
        id: Option<String>,
        line: u64,
        source: SegText,
        target: Option<SegText>,
        lock: Lock,
    ) -> Result<()> {
        // Languages are resolved at the first segment, so that a file that is invalid
        // XLIFF says so before it asks for --to.
        self.start(pos)?;
        self.number += 1;
        (self.on)(DraftEvent::Segment(Segment {
            number: self.number,
            id,
            line,
            source: Some(source),
            target,
            second: None,
            lock,
        }))
    }

    /// Import mode: hand one segment on, with its markup and what its state says.
    #[allow(clippy::too_many_arguments)]
    fn emit_bilingual(
        &mut self,
        pos: u64,
        id: Option<String>,
        line: u64,
        source: Marked,
        target: Option<Marked>,
        status: SegmentStatus,
        mut info: SegInfo,
        lock: Lock,
    ) -> Result<()> {
        self.start(pos)?;
        if lock == Lock::Locked {
            info.prop("x-locked", Some("true"));
        }
        let langs = self.langs.clone().expect("set by start");
        let status = match &target {
            // An empty source (`<source/>`) is an empty segment, whatever its target.
            _ if source.0.trim().is_empty() => SegmentStatus::Empty,
            None => SegmentStatus::Untranslated,
            Some((t, _)) if t.trim().is_empty() => match status {
                SegmentStatus::Translated => SegmentStatus::Empty,
                s => s,
            },
            Some(_) => status,
        };
        let seg = Bilingual {
            id,
            line,
            source_lang: langs.source.expect("XLIFF names its source language"),
            target_lang: langs.target,
            source,
            target,
            status,
            props: info.props,
            created: info.created,
            creator: info.creator,
            changed: info.changed,
            changer: info.changer,
        };
        match self.bi.as_mut() {
            Some(bi) => bi(seg),
            None => Ok(()),
        }
    }

    fn unit_v1(&mut self, pos: u64, e: &BytesStart<'_>) -> Result<()> {
        self.units += 1;
        self.ids.clear();
        let id = attr(e, "id");
        // A PO header converted to XLIFF is metadata, not text to translate.
        let lock = self
            .unit_lock(e)
            .filter(|_| attr(e, "restype").as_deref() != Some("x-gettext-domain-header"));
        let line = self.doc.line(pos);
        // Splice mode: the unit's start tag, and where a new target goes when there is
        // none (after `</source>` or `</seg-source>`).
        let unit_tag = (pos as usize, self.r.buffer_position() as usize);
        let mut after_source = unit_tag.1;
        let mut source: Option<Captured> = None;
        let mut seg_source: Option<Captured> = None;
        // The target, and the bytes of the whole `<target>` element.
        let mut target: Option<(Captured, (usize, usize))> = None;
        let mut target_attrs: Vec<(String, String)> = Vec::new();
        let mut defs: Option<SegDefs> = None;
        let unit_end;
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Start(s) => match local(&s).as_deref() {
                    Some("source") => {
                        let c = self.capture(p, false, &mut HashSet::new())?;
                        after_source = self.r.buffer_position() as usize;
                        source = Some(c);
                    }
                    Some("seg-source") => {
                        let c = self.capture(p, false, &mut HashSet::new())?;
                        after_source = self.r.buffer_position() as usize;
                        seg_source = Some(c);
                    }
                    Some("target") => {
                        target_attrs = super::xml::attributes(&s);
                        let c = self.capture(p, false, &mut HashSet::new())?;
                        target = Some((c, (p as usize, self.r.buffer_position() as usize)));
                    }
                    None if self.sdl && s.local_name().as_ref() == b"seg-defs" => {
                        defs = Some(self.sdl_seg_defs()?);
                    }
                    _ => self.skip(&s)?,
                },
                // A self-closing `<source/>` or `<seg-source/>` is an empty one, read as
                // `<source></source>`: an empty segment, not a unit without a source.
                Event::Empty(s) if local(&s).as_deref() == Some("source") => {
                    after_source = self.r.buffer_position() as usize;
                    source = Some(self.empty_capture());
                }
                Event::Empty(s) if local(&s).as_deref() == Some("seg-source") => {
                    after_source = self.r.buffer_position() as usize;
                    seg_source = Some(self.empty_capture());
                }
                Event::Empty(s) if local(&s).as_deref() == Some("target") => {
                    target_attrs = super::xml::attributes(&s);
                    let end = self.r.buffer_position();
                    let t = self.empty_capture();
                    target = Some((t, (p as usize, end as usize)));
                }
                Event::End(_) => {
                    unit_end = p as usize;
                    break;
                }
                Event::Eof => return Err(self.err(p, "unexpected end of file inside <trans-unit>")),
                _ => {}
            }
        }
        let Some(lock) = lock else {
            return Ok(());
        };
        let Some(source) = source else {
            return Err(self.err(pos, "a <trans-unit> without <source>"));
        };
        let sdl = defs.as_ref().map(|d| &d.segs);
        // SDLXLIFF locks sub-segments one by one (`<sdl:seg locked="true">`).
        let seg_lock = |mid: &str| match sdl.and_then(|m| m.get(mid)) {
            Some(d)
                if lock == Lock::Open
                    && super::xml::attribute(&d.attrs, "locked") == Some("true") =>
            {
                Lock::Locked
            }
            _ => lock,
        };
        let unit_attrs = super::xml::attributes(e);
        match seg_source {
            Some(ss) if !ss.segs.is_empty() => {
                // Splice mode: the unit's SDLXLIFF parts.
                let sdl_unit = match (self.splice.as_mut(), &ss.raw) {
                    (Some(sp), Some(raw)) => {
                        let (seg_defs, defs_insert) = match &defs {
                            Some(d) => (d.tags.clone(), (d.close, true)),
                            None => (Vec::new(), (unit_end, false)),
                        };
                        sp.sdl_units.push(SdlUnit {
                            seg_source: raw.inner,
                            mrks: ss
                                .segs
                                .iter()
                                .zip(&raw.mrks)
                                .map(|((mid, _, _), m)| (mid.clone(), m.content.0, m.content.1))
                                .collect(),
                            seg_defs,
                            defs_insert,
                        });
                        Some(sp.sdl_units.len() - 1)
                    }
                    _ => None,
                };
                for (k, (mid, s, end)) in ss.segs.iter().enumerate() {
                    let sid = Some(match &id {
                        Some(u) => format!("{u}#{mid}"),
                        None => format!("#{mid}"),
                    });
                    let t_at = target
                        .as_ref()
                        .and_then(|(t, _)| t.segs.iter().position(|(m, _, _)| m == mid));
                    if self.bi.is_some() {
                        let src = ss.seg_marked.get(k).cloned().unwrap_or_default();
                        let tgt = t_at.and_then(|i| {
                            target
                                .as_ref()
                                .and_then(|(t, _)| t.seg_marked.get(i).cloned())
                        });
                        let (status, info) =
                            state_v1(&unit_attrs, &target_attrs, sdl.and_then(|m| m.get(mid)));
                        let l = seg_lock(mid);
                        self.emit_bilingual(pos, sid, line, src, tgt, status, info, l)?;
                        continue;
                    }
                    let src = slice(&ss.text, *s, *end);
                    let tgt = t_at.and_then(|i| {
                        target.as_ref().map(|(t, _)| {
                            let (_, a, b) = &t.segs[i];
                            slice(&t.text, *a, *b)
                        })
                    });
                    if self.splice.is_some() {
                        let (slot, has_tags) = match (t_at, &target) {
                            (Some(i), Some((t, _))) => {
                                let m = t.raw.as_ref().and_then(|r| r.mrks.get(i));
                                (
                                    m.map_or(TargetSlot::None, |m| {
                                        TargetSlot::Mrk(m.element.0, m.element.1)
                                    }),
                                    m.is_some_and(|m| !m.tags.is_empty()),
                                )
                            }
                            // An empty target (`<target/>`): replaced by a whole one.
                            (_, Some((t, (a, b))))
                                if t.segs.is_empty()
                                    && t.text.text.trim().is_empty()
                                    && t.text.tags.is_empty() =>
                            {
                                (TargetSlot::SdlNew(*a, *b), false)
                            }
                            // A target without this mid: not spliceable safely.
                            (_, Some(_)) => (TargetSlot::None, false),
                            (_, None) => (TargetSlot::SdlNew(after_source, after_source), false),
                        };
                        self.splice_segment(BiSegment {
                            id: sid.clone(),
                            line,
                            source: src.text.clone(),
                            tags: ss.raw_tags(Some(k), *s),
                            target: tgt.as_ref().map(|t| t.text.clone()),
                            target_has_tags: has_tags,
                            slot,
                            unit_tag,
                            sdl_unit,
                            mid: Some(mid.clone()),
                            segment_tag: None,
                            lock: seg_lock(mid),
                        });
                    }
                    self.emit(pos, sid, line, src, tgt, seg_lock(mid))?;
                }
                Ok(())
            }
            _ if self.bi.is_some() => {
                let (status, info) =
                    state_v1(&unit_attrs, &target_attrs, sdl.and_then(|m| m.get("1")));
                let src = source.marked.unwrap_or_default();
                let tgt = target.map(|(t, _)| t.marked.unwrap_or_default());
                let l = seg_lock("1");
                self.emit_bilingual(pos, id, line, src, tgt, status, info, l)
            }
            _ => {
                let l = seg_lock("1");
                if self.splice.is_some() {
                    let slot = match &target {
                        Some((_, (a, b))) => TargetSlot::Element(*a, *b),
                        None => TargetSlot::Insert(after_source),
                    };
                    self.splice_segment(BiSegment {
                        id: id.clone(),
                        line,
                        source: source.text.text.clone(),
                        tags: source.raw_tags(None, 0),
                        target: target.as_ref().map(|(t, _)| t.text.text.clone()),
                        target_has_tags: target
                            .as_ref()
                            .and_then(|(t, _)| t.raw.as_ref())
                            .is_some_and(|r| !r.tags.is_empty()),
                        slot,
                        unit_tag,
                        sdl_unit: None,
                        mid: None,
                        segment_tag: None,
                        lock: l,
                    });
                }
                let tgt = target.map(|(t, _)| t.text);
                self.emit(pos, id, line, source.text, tgt, l)
            }
        }
    }

    /// Splice mode: the next segment's splice data (reported before the segment).
    fn splice_segment(&mut self, seg: BiSegment) {
        if let Some(sp) = self.splice.as_mut() {
            sp.segments.push(seg);
        }
    }

    /// An SDLXLIFF `<sdl:seg-defs>`, each `<sdl:seg id>` with its attributes and
    /// `<sdl:value key>`s (import mode), and where each `<sdl:seg>` start tag is and where
    /// the end tag starts (splice mode).
    fn sdl_seg_defs(&mut self) -> Result<SegDefs> {
        let mut out: HashMap<String, SdlSeg> = HashMap::new();
        let mut tags: Vec<(String, usize, usize)> = Vec::new();
        let mut current: Option<String> = None;
        let mut key: Option<String> = None;
        let mut text = String::new();
        loop {
            let (p, ev) = self.next()?;
            let opened = matches!(ev, Event::Start(_));
            match ev {
                Event::Start(s) | Event::Empty(s)
                    if s.local_name().as_ref() == b"seg" && key.is_none() =>
                {
                    let a = super::xml::attributes(&s);
                    let id = attr(&s, "id").unwrap_or_default();
                    let end = self.r.buffer_position() as usize;
                    tags.push((id.clone(), p as usize, end));
                    out.insert(
                        id.clone(),
                        SdlSeg {
                            attrs: a,
                            values: vec![],
                        },
                    );
                    if opened {
                        current = Some(id);
                    }
                }
                Event::Start(s) if s.local_name().as_ref() == b"value" => {
                    key = attr(&s, "key");
                    text.clear();
                }
                Event::Text(t) if key.is_some() => text.push_str(
                    &t.unescape()
                        .map_err(|e| self.err(p, format!("malformed XLIFF: {e}")))?,
                ),
                Event::Start(s) => self.skip(&s)?,
                Event::End(_) if key.is_some() => {
                    if let (Some(k), Some(c)) = (key.take(), current.as_ref()) {
                        if let Some(seg) = out.get_mut(c) {
                            seg.values.push((k, std::mem::take(&mut text)));
                        }
                    }
                }
                Event::End(_) if current.is_some() => current = None,
                Event::End(_) => {
                    return Ok(SegDefs {
                        segs: out,
                        tags,
                        close: p as usize,
                    })
                }
                Event::Eof => {
                    return Err(self.err(p, "unexpected end of file inside <sdl:seg-defs>"))
                }
                _ => {}
            }
        }
    }

    /// Import mode: an XLIFF 2.0 `<originalData>` into `self.data`.
    fn original_data(&mut self) -> Result<()> {
        let mut id: Option<String> = None;
        let mut text = String::new();
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Start(s) if s.local_name().as_ref() == b"data" => {
                    id = attr(&s, "id");
                    text.clear();
                }
                Event::Empty(s) if s.local_name().as_ref() == b"data" => {
                    if let Some(i) = attr(&s, "id") {
                        self.data.insert(i, String::new());
                    }
                }
                Event::Empty(s) if s.local_name().as_ref() == b"cp" => {
                    if let Some(c) = attr(&s, "hex")
                        .and_then(|h| u32::from_str_radix(&h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        text.push(c);
                    }
                }
                Event::Text(t) => text.push_str(
                    &t.unescape()
                        .map_err(|e| self.err(p, format!("malformed XLIFF: {e}")))?,
                ),
                Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
                Event::Start(s) => self.skip(&s)?,
                Event::End(_) => match id.take() {
                    Some(i) => {
                        self.data.insert(i, std::mem::take(&mut text));
                    }
                    None => return Ok(()),
                },
                Event::Eof => {
                    return Err(self.err(p, "unexpected end of file inside <originalData>"))
                }
                _ => {}
            }
        }
    }

    fn unit_v2(&mut self, pos: u64, e: &BytesStart<'_>) -> Result<()> {
        self.units += 1;
        self.ids.clear();
        self.data.clear();
        let Some(id) = attr(e, "id") else {
            return Err(self.err(pos, "invalid XLIFF 2.0: a <unit> without id"));
        };
        let lock = self.unit_lock(e);
        // Splice mode: the unit's start tag and where its module elements are.
        let unit_tag = (pos as usize, self.r.buffer_position() as usize);
        let mut unit = UnitV2 {
            after_start: unit_tag.1,
            matches_end: None,
            notes_end: None,
            notes_at: unit_tag.1,
        };
        let mut core_seen = false;
        let mut sc_src: HashSet<String> = HashSet::new();
        let mut sc_tgt: HashSet<String> = HashSet::new();
        let mut segments: Vec<Seg2> = Vec::new();
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Start(s) => match local(&s).as_deref() {
                    Some("segment") => {
                        core_seen = true;
                        let seg_tag = (p as usize, self.r.buffer_position() as usize);
                        let state = attr(&s, "state");
                        if let Some(state) = &state {
                            if !matches!(
                                state.as_str(),
                                "initial" | "translated" | "reviewed" | "final"
                            ) {
                                return Err(self.err(
                                    p,
                                    format!("invalid XLIFF 2.0: segment state {state:?} (expected initial, translated, reviewed or final)"),
                                ));
                            }
                        }
                        let sid = attr(&s, "id");
                        let sub_state = attr(&s, "subState");
                        let line = self.doc.line(p);
                        let (mut src, mut tgt) = (None, None);
                        let mut slot = TargetSlot::None;
                        loop {
                            let (q, ev) = self.next()?;
                            match ev {
                                Event::Start(x) => match local(&x).as_deref() {
                                    Some("source") => {
                                        src = Some(self.capture(q, true, &mut sc_src)?);
                                        slot =
                                            TargetSlot::Insert(self.r.buffer_position() as usize);
                                    }
                                    Some("target") => {
                                        tgt = Some(self.capture(q, true, &mut sc_tgt)?);
                                        let end = self.r.buffer_position() as usize;
                                        slot = TargetSlot::Element(q as usize, end);
                                    }
                                    _ => self.skip(&x)?,
                                },
                                // `<source/>`: an empty source, as `<source></source>`.
                                Event::Empty(x) if local(&x).as_deref() == Some("source") => {
                                    src = Some(self.empty_capture());
                                    slot = TargetSlot::Insert(self.r.buffer_position() as usize);
                                }
                                Event::Empty(x) if local(&x).as_deref() == Some("target") => {
                                    let end = self.r.buffer_position();
                                    tgt = Some(self.empty_capture());
                                    slot = TargetSlot::Element(q as usize, end as usize);
                                }
                                Event::End(_) => break,
                                Event::Eof => {
                                    return Err(
                                        self.err(q, "unexpected end of file inside <segment>")
                                    )
                                }
                                _ => {}
                            }
                        }
                        segments.push(Seg2 {
                            id: sid,
                            line,
                            source: src,
                            target: tgt,
                            state,
                            sub_state,
                            tag: seg_tag,
                            slot,
                        });
                    }
                    name => {
                        match name {
                            Some("originalData") if self.bi.is_some() => self.original_data()?,
                            _ => self.skip(&s)?,
                        }
                        // Splice mode: module elements (`mtc:matches`) come first in a
                        // unit, then `<notes>`, then the core.
                        let end = self.r.buffer_position() as usize;
                        let close = self.text[..end].rfind("</").unwrap_or(end);
                        let module = name.is_none();
                        if module && s.local_name().as_ref() == b"matches" {
                            unit.matches_end = Some(close);
                        }
                        if name == Some("notes") {
                            unit.notes_end = Some(close);
                        }
                        if module && !core_seen {
                            unit.notes_at = end;
                        }
                        core_seen |= !module;
                    }
                },
                Event::Empty(s) => {
                    let module = s.name().prefix().is_some();
                    if module && !core_seen {
                        unit.notes_at = self.r.buffer_position() as usize;
                    }
                    core_seen |= !module;
                }
                Event::End(_) => break,
                Event::Eof => return Err(self.err(p, "unexpected end of file inside <unit>")),
                _ => {}
            }
        }
        let Some(lock) = lock else {
            return Ok(());
        };
        let unit_index = match self.splice.as_mut() {
            Some(sp) => {
                sp.units_v2.push(unit);
                Some(sp.units_v2.len() - 1)
            }
            None => None,
        };
        let many = segments.len() > 1;
        for (k, seg) in segments.into_iter().enumerate() {
            let Some(src) = seg.source else {
                return Err(self.err(pos, "invalid XLIFF 2.0: a <segment> without <source>"));
            };
            let full = match (&seg.id, many) {
                (Some(s), _) => format!("{id}#{s}"),
                (None, true) => format!("{id}#{}", k + 1),
                (None, false) => id.clone(),
            };
            let lock = match seg.sub_state.as_deref() {
                Some(v) if lock == Lock::Open && sub_state_locks(v) => Lock::Locked,
                _ => lock,
            };
            if self.bi.is_some() {
                let (status, info) =
                    state_v2(&full, seg.state.as_deref(), seg.sub_state.as_deref());
                let s = src.marked.unwrap_or_default();
                let t = seg.target.map(|t| t.marked.unwrap_or_default());
                self.emit_bilingual(pos, Some(full), seg.line, s, t, status, info, lock)?;
                continue;
            }
            if self.splice.is_some() {
                self.splice_segment(BiSegment {
                    id: Some(full.clone()),
                    line: seg.line,
                    source: src.text.text.clone(),
                    tags: src.raw_tags(None, 0),
                    target: seg.target.as_ref().map(|t| t.text.text.clone()),
                    target_has_tags: seg
                        .target
                        .as_ref()
                        .and_then(|t| t.raw.as_ref())
                        .is_some_and(|r| !r.tags.is_empty()),
                    slot: seg.slot,
                    unit_tag,
                    sdl_unit: unit_index,
                    mid: None,
                    segment_tag: Some((seg.tag.0, seg.tag.1, seg.id.clone())),
                    lock,
                });
            }
            let tgt = seg.target.map(|t| t.text);
            self.emit(pos, Some(full), seg.line, src.text, tgt, lock)?;
        }
        Ok(())
    }

    /// The content of a self-closing element just read (`<source/>`, `<target/>`): an
    /// empty text positioned after it, what [`Ctx::capture`] gives for `<x></x>`.
    fn empty_capture(&self) -> Captured {
        let (l, c) = self.doc.position(self.r.buffer_position());
        let mut t = Captured::empty(SegText::at("", l, c));
        if self.splice.is_some() && !self.tmx {
            let at = self.r.buffer_position() as usize;
            t.raw = Some(RawCapture {
                inner: (at, at),
                end: at,
                ..RawCapture::default()
            });
        }
        t
    }

    /// Read the content of the element just opened at `start` up to its end.
    fn capture(&mut self, start: u64, v2: bool, open_sc: &mut HashSet<String>) -> Result<Captured> {
        let _ = start;
        let mut st = SegText::default();
        let mut chars = 0usize;
        let mut segs = Vec::new();
        // Each open element, with the id of a text-holding code (`g`, `pc`, `mrk`) whose
        // end tag is a code too (splice mode).
        let mut stack: Vec<(Open, Option<String>)> = Vec::new();
        // XLIFF 2.0: each open `<sm translate="no"/>` (id → where its text starts).
        let mut open_sm: HashMap<String, usize> = HashMap::new();
        let mut mk = (self.bi.is_some() && !self.tmx).then(Mk::default);
        let mut raw = (self.splice.is_some() && !self.tmx).then(|| {
            let at = self.r.buffer_position() as usize;
            RawCapture {
                inner: (at, at),
                end: at,
                ..RawCapture::default()
            }
        });
        loop {
            let (p, ev) = self.next()?;
            // The end of the event (of a start tag: before its content).
            let q = self.r.buffer_position() as usize;
            match ev {
                Event::Text(t) => {
                    let s = t
                        .unescape()
                        .map_err(|e| self.err(p, format!("malformed XLIFF: {e}")))?;
                    if let Some(m) = mk.as_mut() {
                        m.text(&s);
                    }
                    let raw = p..p + t.len() as u64;
                    self.push_text(&mut st, &mut chars, p, &s);
                    push_run(&mut st, chars, &s, raw, RunKind::Xml);
                }
                Event::CData(c) => {
                    let s = String::from_utf8_lossy(&c).into_owned();
                    if let Some(m) = mk.as_mut() {
                        m.text(&s);
                    }
                    let raw = p + 9..p + 9 + c.len() as u64;
                    self.push_text(&mut st, &mut chars, p + 9, &s);
                    push_run(&mut st, chars, &s, raw, RunKind::Cdata);
                }
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    match name.as_str() {
                        // TMX: native code is not text; `hi` holds text; `sub` outside
                        // a code is a sub-flow, not the segment's text.
                        "bpt" | "ept" | "ph" | "it" | "ut" if self.tmx => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            self.skip(&e)?;
                        }
                        "hi" if self.tmx => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            stack.push((Open::Plain, None));
                        }
                        "sub" if self.tmx => self.skip(&e)?,
                        _ if self.tmx => stack.push((Open::Plain, None)),
                        "mrk" if !v2 && attr(&e, "mtype").as_deref() == Some("seg") => {
                            let before = raw.as_ref().map_or(0, |r| r.tags.len());
                            stack.push((
                                Open::Seg(
                                    attr(&e, "mid").unwrap_or_default(),
                                    chars,
                                    (p as usize, q),
                                    before,
                                ),
                                None,
                            ));
                            if let Some(m) = mk.as_mut() {
                                m.seg = Some(super::tmx::SegBuilder::default());
                            }
                        }
                        "g" | "pc" | "mrk" => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            let rid = raw.as_mut().map(|r| {
                                let id = super::bilingual::tag_id(&e);
                                r.tags.push(RawTag {
                                    kind: TagKind::Open,
                                    id: id.clone(),
                                    raw: self.text[p as usize..q].to_string(),
                                    offset: chars,
                                    nests: true,
                                });
                                id
                            });
                            match mk.as_mut() {
                                Some(m) if name != "mrk" => {
                                    let n = self.num(&attr(&e, "id").unwrap_or_default());
                                    let mut a = kv(&[("i", n.clone()), ("x", n.clone())]);
                                    if let Some(t) = attr(&e, "ctype") {
                                        a.push(("type".into(), t));
                                    }
                                    let native = self.native(&e, "dataRefStart");
                                    m.code("bpt", &a, &native);
                                    let end = self.native(&e, "dataRefEnd");
                                    stack.push((Open::Code(n, end), rid));
                                }
                                _ if name == "mrk" && protects(&e, &self.its) => {
                                    stack.push((Open::Protected(chars), rid))
                                }
                                _ => stack.push((Open::Plain, rid)),
                            }
                        }
                        "bpt" | "ept" | "ph" | "it" => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            if mk.is_some() {
                                let native = self.code_text()?;
                                let codes = self.tmx_codes(&name, &e, v2);
                                if let Some(m) = mk.as_mut() {
                                    for (n, a, dr) in codes {
                                        let nat = if dr.is_empty() { &native } else { &dr };
                                        m.code(n, &a, nat);
                                    }
                                }
                            } else {
                                self.skip(&e)?;
                            }
                            if let Some(r) = raw.as_mut() {
                                let end = self.r.buffer_position() as usize;
                                r.tags.push(RawTag {
                                    kind: match name.as_str() {
                                        "bpt" => TagKind::Open,
                                        "ept" => TagKind::Close,
                                        _ => TagKind::Standalone,
                                    },
                                    id: super::bilingual::tag_id(&e),
                                    raw: self.text[p as usize..end].to_string(),
                                    offset: chars,
                                    nests: false,
                                });
                            }
                        }
                        _ => stack.push((Open::Plain, None)),
                    }
                }
                Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    match name.as_str() {
                        "bpt" | "ept" | "ph" | "it" | "ut" | "hi" if self.tmx => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                        }
                        _ if self.tmx => {}
                        "cp" => {
                            if let Some(c) = attr(&e, "hex")
                                .and_then(|h| u32::from_str_radix(&h, 16).ok())
                                .and_then(char::from_u32)
                            {
                                let (l, col) = self.doc.position(p);
                                st.anchors.push(Anchor {
                                    offset: chars,
                                    line: l,
                                    column: col,
                                });
                                st.text.push(c);
                                chars += 1;
                                if let Some(m) = mk.as_mut() {
                                    m.text(c.encode_utf8(&mut [0; 4]));
                                }
                            }
                        }
                        // An empty sub-segment (`<mrk mtype="seg" mid="1"/>`, how Trados
                        // writes an untranslated target): a segment without text.
                        "mrk" if !v2 && attr(&e, "mtype").as_deref() == Some("seg") => {
                            segs.push((attr(&e, "mid").unwrap_or_default(), chars, chars));
                            if let Some(r) = raw.as_mut() {
                                let at = r.tags.len();
                                r.mrks.push(MrkAt {
                                    element: (p as usize, q),
                                    content: (q, q),
                                    tags: at..at,
                                });
                            }
                            if let Some(m) = mk.as_mut() {
                                m.done.push(super::tmx::SegBuilder::default().finish());
                            }
                        }
                        "x" | "bx" | "ex" | "ph" | "sc" | "ec" | "sm" | "em" | "g" | "pc"
                        | "bpt" | "ept" | "it" | "mrk" => {
                            if v2 && name == "sc" {
                                if let Some(id) = attr(&e, "id") {
                                    open_sc.insert(id);
                                }
                            }
                            // Spanning markers: `<sm translate="no"/>…<em startRef/>`.
                            if v2 && name == "sm" && protects(&e, &self.its) {
                                open_sm.insert(attr(&e, "id").unwrap_or_default(), chars);
                            }
                            if v2 && name == "em" {
                                let r = attr(&e, "startRef").unwrap_or_default();
                                if let Some(from) = open_sm.remove(&r) {
                                    if chars > from {
                                        st.protected.push(from..chars);
                                    }
                                }
                            }
                            if v2 && name == "ec" && attr(&e, "isolated").as_deref() != Some("yes")
                            {
                                let r = attr(&e, "startRef").unwrap_or_default();
                                if !open_sc.contains(&r) {
                                    return Err(self.err(
                                        p,
                                        format!("invalid XLIFF 2.0: <ec startRef=\"{r}\"> comes before its <sc id=\"{r}\">"),
                                    ));
                                }
                            }
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            if let Some(r) = raw.as_mut() {
                                r.tags.push(RawTag {
                                    kind: match name.as_str() {
                                        "bx" | "bpt" | "sc" | "sm" | "g" | "pc" => TagKind::Open,
                                        "ex" | "ept" | "ec" | "em" => TagKind::Close,
                                        _ => TagKind::Standalone,
                                    },
                                    id: super::bilingual::tag_id(&e),
                                    raw: self.text[p as usize..q].to_string(),
                                    offset: chars,
                                    nests: false,
                                });
                            }
                            if mk.is_some() {
                                let codes = self.tmx_codes(&name, &e, v2);
                                if let Some(m) = mk.as_mut() {
                                    for (n, a, native) in codes {
                                        m.code(n, &a, &native);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(_) => {
                    let Some((open, rid)) = stack.pop() else {
                        if let Some(r) = raw.as_mut() {
                            r.inner.1 = p as usize;
                            r.end = q;
                        }
                        break;
                    };
                    if let (Some(r), Some(id)) = (raw.as_mut(), rid) {
                        r.tags.push(RawTag {
                            kind: TagKind::Close,
                            id,
                            raw: self.text[p as usize..q].to_string(),
                            offset: chars,
                            nests: true,
                        });
                    }
                    match open {
                        Open::Plain => {}
                        Open::Protected(from) => {
                            if chars > from {
                                st.protected.push(from..chars);
                            }
                        }
                        Open::Code(n, native) => {
                            if let Some(m) = mk.as_mut() {
                                m.code("ept", &kv(&[("i", n)]), &native);
                            }
                        }
                        Open::Seg(mid, s, tag, before) => {
                            segs.push((mid, s, chars));
                            if let Some(r) = raw.as_mut() {
                                r.mrks.push(MrkAt {
                                    element: (tag.0, q),
                                    content: (tag.1, p as usize),
                                    tags: before..r.tags.len(),
                                });
                            }
                            if let Some(m) = mk.as_mut() {
                                let b = m.seg.take().unwrap_or_default();
                                m.done.push(b.finish());
                            }
                        }
                    }
                }
                Event::Eof => return Err(self.err(p, "unexpected end of file inside a segment")),
                _ => {}
            }
        }
        // A marker whose end is in another segment protects the rest of this one.
        for from in open_sm.into_values() {
            if chars > from {
                st.protected.push(from..chars);
            }
        }
        st.protected.sort_by_key(|r| (r.start, r.end));
        if st.anchors.is_empty() {
            let (l, c) = self.doc.position(self.r.buffer_position());
            st.anchors.push(Anchor {
                offset: 0,
                line: l,
                column: c,
            });
        } else if st.anchors[0].offset != 0 {
            let a = st.anchors[0];
            st.anchors.insert(0, Anchor { offset: 0, ..a });
        }
        let (marked, seg_marked) = match mk {
            Some(m) => (Some(m.whole.finish()), m.done),
            None => (None, vec![]),
        };
        Ok(Captured {
            text: st,
            segs,
            marked,
            seg_marked,
            raw,
        })
    }

    /// Import mode: the TMX number of inline-code id `id` in the current unit.
    fn num(&mut self, id: &str) -> String {
        let next = self.ids.len() as u32 + 1;
        self.ids.entry(id.to_string()).or_insert(next).to_string()
    }

    /// Import mode: the native code an XLIFF 2.0 `dataRef…` attribute points to.
    fn native(&self, e: &BytesStart<'_>, which: &str) -> String {
        attr(e, which)
            .and_then(|r| self.data.get(&r).cloned())
            .unwrap_or_default()
    }

    /// Import mode: the text content of an XLIFF 1.2 code element (`bpt ept ph it`), the
    /// native code (the text of a `<sub>` inside is kept as code too).
    fn code_text(&mut self) -> Result<String> {
        let mut out = String::new();
        let mut depth = 0usize;
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Text(t) => out.push_str(
                    &t.unescape()
                        .map_err(|e| self.err(p, format!("malformed XLIFF: {e}")))?,
                ),
                Event::CData(c) => out.push_str(&String::from_utf8_lossy(&c)),
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return Ok(out),
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(self.err(p, "unexpected end of file inside a segment")),
                _ => {}
            }
        }
    }

    /// Import mode: the TMX inline codes for an XLIFF inline element (`x bx ex g bpt ept
    /// ph it` in 1.2, `ph sc ec pc` in 2.0): name, attributes, native code (from
    /// `originalData`, 2.0). Markers (`mrk sm em`) give none: their text stays text.
    fn tmx_codes(&mut self, name: &str, e: &BytesStart<'_>, v2: bool) -> Vec<TmxCode> {
        let id = attr(e, "id").unwrap_or_default();
        let paired = attr(e, "rid").unwrap_or_else(|| id.clone());
        let with_type = |mut a: Vec<(String, String)>| {
            if !v2 {
                if let Some(t) = attr(e, "ctype") {
                    a.push(("type".into(), t));
                }
            }
            a
        };
        match (name, v2) {
            ("x", false) | ("ph", _) => {
                let n = self.num(&id);
                vec![("ph", with_type(kv(&[("x", n)])), self.native(e, "dataRef"))]
            }
            ("bx", false) | ("ex", false) => {
                let n = self.num(&paired);
                let pos = if name == "bx" { "begin" } else { "end" };
                vec![(
                    "it",
                    with_type(kv(&[("pos", pos.into()), ("x", n)])),
                    String::new(),
                )]
            }
            ("it", false) => {
                let n = self.num(&id);
                let pos = match attr(e, "pos").as_deref() {
                    Some("close") | Some("end") => "end",
                    _ => "begin",
                };
                vec![(
                    "it",
                    with_type(kv(&[("pos", pos.into()), ("x", n)])),
                    String::new(),
                )]
            }
            ("bpt", false) => {
                let n = self.num(&paired);
                vec![(
                    "bpt",
                    with_type(kv(&[("i", n.clone()), ("x", n)])),
                    String::new(),
                )]
            }
            ("ept", false) => {
                let n = self.num(&paired);
                vec![("ept", kv(&[("i", n)]), String::new())]
            }
            ("g", false) | ("pc", true) => {
                let n = self.num(&id);
                vec![
                    (
                        "bpt",
                        with_type(kv(&[("i", n.clone()), ("x", n.clone())])),
                        self.native(e, "dataRefStart"),
                    ),
                    ("ept", kv(&[("i", n)]), self.native(e, "dataRefEnd")),
                ]
            }
            ("sc", true) => {
                let n = self.num(&id);
                let native = self.native(e, "dataRef");
                if attr(e, "isolated").as_deref() == Some("yes") {
                    vec![("it", kv(&[("pos", "begin".into()), ("x", n)]), native)]
                } else {
                    vec![("bpt", kv(&[("i", n.clone()), ("x", n)]), native)]
                }
            }
            ("ec", true) => {
                let native = self.native(e, "dataRef");
                if attr(e, "isolated").as_deref() == Some("yes") {
                    let n = self.num(&id);
                    vec![("it", kv(&[("pos", "end".into()), ("x", n)]), native)]
                } else {
                    let n = self.num(&attr(e, "startRef").unwrap_or_default());
                    vec![("ept", kv(&[("i", n)]), native)]
                }
            }
            _ => vec![],
        }
    }

    fn push_text(&self, st: &mut SegText, chars: &mut usize, pos: u64, s: &str) {
        if s.is_empty() {
            return;
        }
        let (l, c) = self.doc.position(pos);
        st.anchors.push(Anchor {
            offset: *chars,
            line: l,
            column: c,
        });
        st.text.push_str(s);
        *chars += s.chars().count();
    }
}

/// The ITS 2.0 namespace.
const ITS_NS: &str = "http://www.w3.org/2005/11/its";

/// Every prefix `text` binds to the ITS namespace (`xmlns:its="…/its"`, whatever the
/// prefix is called).
fn its_prefixes(text: &str) -> Vec<String> {
    if !text.contains(ITS_NS) {
        return Vec::new();
    }
    let re = regex::Regex::new(r#"xmlns:([A-Za-z_][\w.\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
        .expect("a valid pattern");
    let mut out: Vec<String> = re
        .captures_iter(text)
        .filter(|c| c.get(2).or_else(|| c.get(3)).map(|m| m.as_str()) == Some(ITS_NS))
        .map(|c| c[1].to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// True when a `<mrk>` (or an XLIFF 2.0 `<sm>`) protects its content: XLIFF 1.2
/// `mtype="protected"`, XLIFF's own `translate="no"` (2.0), or ITS `translate="no"`
/// under whatever prefix `its` lists as bound to the ITS namespace (1.2).
fn protects(e: &BytesStart<'_>, its: &[String]) -> bool {
    if attr(e, "mtype").as_deref() == Some("protected") {
        return true;
    }
    e.attributes().flatten().any(|a| {
        let key = a.key.as_ref();
        let named = match key.iter().position(|&b| b == b':') {
            None => key == b"translate",
            Some(i) => {
                &key[i + 1..] == b"translate" && its.iter().any(|p| p.as_bytes() == &key[..i])
            }
        };
        named && a.unescape_value().is_ok_and(|v| v == "no")
    })
}

fn tag_key(name: &str, e: &BytesStart<'_>) -> String {
    if name == "mrk" {
        return format!(
            "mrk:{}",
            attr(e, "mtype")
                .or_else(|| attr(e, "type"))
                .unwrap_or_default()
        );
    }
    let id = attr(e, "id")
        .or_else(|| attr(e, "rid"))
        .or_else(|| attr(e, "i"))
        .or_else(|| attr(e, "startRef"))
        .or_else(|| attr(e, "pos"))
        .or_else(|| attr(e, "x"));
    match id {
        Some(i) => format!("{name}#{i}"),
        None => name.to_string(),
    }
}

/// Record where the text `s` just appended (ending at character `chars`) is in the
/// document: `raw` bytes written as `kind`.
fn push_run(st: &mut SegText, chars: usize, s: &str, raw: std::ops::Range<u64>, kind: RunKind) {
    if s.is_empty() {
        return;
    }
    let n = s.chars().count();
    st.runs.push(TextRun {
        offset: chars - n,
        chars: n,
        bytes: raw,
        kind,
    });
}

/// The part `start..end` (chars) of a captured text, with its tags, anchors and runs (a
/// run that crosses `start` or `end` is left out: its bytes cannot be cut without
/// decoding them, and sub-segments end at elements, which end runs too).
fn slice(t: &SegText, start: usize, end: usize) -> SegText {
    let text: String = t.text.chars().skip(start).take(end - start).collect();
    let (line, column) = t.position(start);
    let mut anchors = vec![Anchor {
        offset: 0,
        line,
        column,
    }];
    anchors.extend(
        t.anchors
            .iter()
            .filter(|a| a.offset > start && a.offset < end)
            .map(|a| Anchor {
                offset: a.offset - start,
                ..*a
            }),
    );
    let tags = t
        .tags
        .iter()
        .filter(|g| g.offset >= start && g.offset <= end)
        .map(|g| InlineTag {
            key: g.key.clone(),
            offset: g.offset - start,
        })
        .collect();
    let runs = t
        .runs
        .iter()
        .filter(|r| r.offset >= start && r.offset + r.chars <= end)
        .map(|r| TextRun {
            offset: r.offset - start,
            ..r.clone()
        })
        .collect();
    let protected = t
        .protected
        .iter()
        .filter(|r| r.start < end && start < r.end)
        .map(|r| r.start.max(start) - start..r.end.min(end) - start)
        .collect();
    SegText {
        text,
        tags,
        anchors,
        runs,
        protected,
    }
}

/// What a segment's state says besides its status: properties and dates.
#[derive(Debug, Default)]
struct SegInfo {
    props: Vec<crate::unit::Prop>,
    created: Option<String>,
    creator: Option<String>,
    changed: Option<String>,
    changer: Option<String>,
}

impl SegInfo {
    fn prop(&mut self, kind: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.props.push(crate::unit::Prop {
                kind: kind.to_string(),
                value: v.to_string(),
            });
        }
    }
}

/// A date in TMX form (`YYYYMMDDThhmmssZ`) from ISO 8601 or SDLXLIFF's
/// `M/D/YYYY h:mm:ss` (taken as UTC: the file does not say); `None` when it is neither.
fn editor_date(s: &str) -> Option<String> {
    if let Some(d) = super::tmx::tmx_date(s) {
        return Some(d);
    }
    let (date, time) = s.trim().split_once(' ').unwrap_or((s.trim(), "0:0:0"));
    let d: Vec<u32> = date
        .split('/')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<u32> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match (d.as_slice(), t.as_slice()) {
        ([m, day, y], [h, mi, sec])
            if (1..=12).contains(m)
                && (1..=31).contains(day)
                && *y >= 1000
                && *h < 24
                && *mi < 60
                && *sec < 61 =>
        {
            Some(format!("{y:04}{m:02}{day:02}T{h:02}{mi:02}{sec:02}Z"))
        }
        _ => None,
    }
}

/// The status and metadata of an XLIFF 1.x segment: SDLXLIFF's `<sdl:seg conf>` when the
/// file is an SDLXLIFF, else memoQ's `mq:status` when the unit has one, else the
/// `<target state>` and the unit's `approved`.
fn state_v1(
    unit: &[(String, String)],
    target: &[(String, String)],
    sdl: Option<&SdlSeg>,
) -> (SegmentStatus, SegInfo) {
    let mut info = SegInfo::default();
    info.prop("x-xliff-id", super::xml::attribute(unit, "id"));
    let state = super::xml::attribute(target, "state");
    info.prop("x-xliff-state", state);
    info.prop(
        "x-xliff-state-qualifier",
        super::xml::attribute(target, "state-qualifier"),
    );
    let approved = super::xml::attribute(unit, "approved");
    info.prop("x-xliff-approved", approved);
    let rejected = |s: &str| s.to_ascii_lowercase().contains("reject");
    if let Some(seg) = sdl {
        let conf = super::xml::attribute(&seg.attrs, "conf");
        info.prop("x-sdl-conf", conf);
        info.prop("x-sdl-origin", super::xml::attribute(&seg.attrs, "origin"));
        info.prop(
            "x-sdl-percent",
            super::xml::attribute(&seg.attrs, "percent"),
        );
        let value = |k: &str| {
            seg.values
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        info.creator = value("created_by");
        info.changer = value("last_modified_by");
        for (k, slot) in [
            ("created_on", &mut info.created),
            ("modified_on", &mut info.changed),
        ] {
            if let Some(v) = value(k) {
                *slot = Some(editor_date(&v).unwrap_or(v));
            }
        }
        let status = match conf {
            Some("Translated" | "ApprovedTranslation" | "ApprovedSignOff") => {
                SegmentStatus::Translated
            }
            Some(c) if rejected(c) => SegmentStatus::Rejected,
            _ => SegmentStatus::Untranslated,
        };
        return (status, info);
    }
    if let Some(mq) = super::xml::attribute(unit, "mq:status") {
        info.prop("x-mq-status", Some(mq));
        info.prop("x-mq-percent", super::xml::attribute(unit, "mq:percent"));
        info.changer = super::xml::attribute(unit, "mq:lastchanginguser").map(str::to_string);
        info.changed = super::xml::attribute(unit, "mq:lastchangedtimestamp")
            .map(|v| editor_date(v).unwrap_or_else(|| v.to_string()));
        info.creator =
            super::xml::attribute(unit, "mq:translatorcommitusername").map(str::to_string);
        info.created = super::xml::attribute(unit, "mq:translatorcommittimestamp")
            .map(|v| editor_date(v).unwrap_or_else(|| v.to_string()));
        let status = if mq.ends_with("Confirmed") {
            SegmentStatus::Translated
        } else if rejected(mq) {
            SegmentStatus::Rejected
        } else {
            SegmentStatus::Untranslated
        };
        return (status, info);
    }
    let status = match state {
        Some(s) if rejected(s) => SegmentStatus::Rejected,
        _ if approved == Some("yes") => SegmentStatus::Translated,
        Some("new" | "needs-translation" | "needs-adaptation" | "needs-l10n") => {
            SegmentStatus::Untranslated
        }
        _ => SegmentStatus::Translated,
    };
    (status, info)
}

/// The status and metadata of an XLIFF 2.0 segment: `translated`, `reviewed` and `final`
/// are translated; `initial` (also the default when `state` is absent) is not.
fn state_v2(id: &str, state: Option<&str>, sub_state: Option<&str>) -> (SegmentStatus, SegInfo) {
    let mut info = SegInfo::default();
    info.prop("x-xliff-id", Some(id));
    info.prop("x-xliff-state", state);
    info.prop("x-xliff-substate", sub_state);
    let status = match state {
        Some("translated" | "reviewed" | "final") => SegmentStatus::Translated,
        _ => SegmentStatus::Untranslated,
    };
    (status, info)
}

/// What [`read_xliff_units`] skipped: segments that did not become units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Segments without a target or whose state says they are not translated.
    pub untranslated: u64,
    /// Segments a reviewer rejected.
    pub rejected: u64,
    /// Empty segments: an empty source (`<source/>`), or marked translated with an empty
    /// target.
    pub empty: u64,
}

/// Read a bilingual XLIFF file (1.x with SDLXLIFF and MQXLIFF, or 2.x) for import: every
/// translatable segment with its plain text and TMX markup, languages from the file
/// (each `<file>`'s in XLIFF 1.x), its status and its editor's metadata. Inline codes
/// become TMX codes: `g`/`pc` and `sc`/`ec` pairs become `<bpt i x>`/`<ept i>`, `x`/`ph`
/// `<ph x>`, `bx`/`ex`/`it` and isolated `sc`/`ec` `<it pos x>`; `bpt ept ph it` keep
/// their native code, XLIFF 2.0 codes take theirs from `<originalData>`; the numbers
/// `i`/`x` follow the order in which the unit's ids first appear, so source and target
/// codes pair up. Markers (`mrk`, `sm`/`em`) keep their text and are dropped.
pub fn read_bilingual(path: &Path, on: &mut dyn FnMut(Bilingual) -> Result<()>) -> Result<()> {
    let text = read_document(path)?;
    let req = DraftRequest::file(path);
    let mut none = |_: DraftEvent| Ok(());
    let mut ctx = Ctx::new(&text, &req, false, &mut none);
    ctx.bi = Some(on);
    ctx.run()
}

/// Read a bilingual XLIFF file as memory units (see [`read_bilingual`]): each translated
/// segment becomes a unit of two variants (source and target language from the file,
/// text in stored form, inline codes as TMX markup) whose origin is `origin` (the file
/// name), with the editor's state and match data as unit properties and its dates and
/// people as the unit's dates and people. Untranslated, rejected and empty segments are
/// skipped and counted.
pub fn read_xliff_units(
    path: &Path,
    origin: &str,
    on_unit: &mut dyn FnMut(crate::unit::Unit) -> Result<()>,
) -> Result<Skipped> {
    let mut skipped = Skipped::default();
    read_bilingual(path, &mut |seg| {
        match seg.status {
            SegmentStatus::Untranslated => skipped.untranslated += 1,
            SegmentStatus::Rejected => skipped.rejected += 1,
            SegmentStatus::Empty => skipped.empty += 1,
            SegmentStatus::Translated => {
                let Some((ttext, tmarkup)) = seg.target else {
                    skipped.untranslated += 1;
                    return Ok(());
                };
                for t in [&seg.source.0, &ttext] {
                    crate::limits::check_segment(t).map_err(|m| Error::limit(path, seg.line, m))?;
                }
                let (stext, smarkup) = seg.source;
                let none = crate::unit::Extra::default;
                let mut unit = crate::unit::Unit::new(vec![
                    super::stored_variant(seg.source_lang.clone(), stext, smarkup, none()),
                    super::stored_variant(seg.target_lang, ttext, tmarkup, none()),
                ]);
                unit.meta = crate::unit::UnitMeta {
                    origin: Some(origin.to_string()),
                    created: seg.created,
                    creator: seg.creator,
                    changed: seg.changed,
                    changer: seg.changer,
                    source_lang: Some(seg.source_lang.to_string()),
                    extra: crate::unit::Extra {
                        props: seg.props,
                        ..Default::default()
                    },
                };
                on_unit(unit)?;
            }
        }
        Ok(())
    })?;
    Ok(skipped)
}

/// Read an XLIFF draft (see the module documentation), calling `on` with the languages
/// and then every segment.
pub fn read_xliff(req: &DraftRequest, on: &mut dyn FnMut(DraftEvent) -> Result<()>) -> Result<()> {
    let text = super::xml::decode_document(&req.path, req.open()?)?;
    Ctx::new(&text, req, false, on).run()
}

/// Read an XLIFF file as a job's document: as [`read_xliff`], but `translate="no"`
/// segments are reported too, flagged [`Lock::NoTranslate`] (a job counts and keeps
/// them; a draft to lint leaves them out).
pub fn read_xliff_job(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let text = super::xml::decode_document(&req.path, req.open()?)?;
    let mut ctx = Ctx::new(&text, req, false, on);
    ctx.keep_no_translate = true;
    ctx.run()
}

/// Read an XLIFF file (1.x with SDLXLIFF and MQXLIFF, or 2.x) as a job to pretranslate,
/// in one pass of the one XLIFF reader: the languages (as [`read_xliff_job`] resolves
/// them, with `req.from`/`req.to`), and a [`BiDoc`] whose segments are the ones
/// [`read_xliff_job`] reports, in the same order (`translate="no"` and locked segments
/// flagged), each with its source and target text, its inline codes as written and
/// the byte offsets where a new target goes (the editor's state is what the writers
/// replace; import keeps it, [`read_xliff_units`]). The file is read once (a pipe
/// works); its encoding is kept for writing it back ([`BiDoc::prefix`]). `check` sees
/// every segment as the draft reader reports it (limits), and may refuse it.
pub fn read_xliff_doc(
    req: &DraftRequest,
    check: &mut dyn FnMut(&Segment) -> Result<()>,
) -> Result<(DraftLangs, BiDoc)> {
    let path = &req.path;
    let raw = match &req.content {
        Some(c) => c.to_vec(),
        None => super::input::read_bytes(path)?,
    };
    let text = super::xml::decode_document(path, super::input::open_bytes(path, raw.clone())?)?;
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
    drop(raw);
    let mut langs = None;
    let mut on = |ev: DraftEvent| {
        match ev {
            DraftEvent::Start(l) => langs = Some(l),
            DraftEvent::Segment(s) => check(&s)?,
        }
        Ok(())
    };
    let mut ctx = Ctx::new(&text, req, false, &mut on);
    ctx.keep_no_translate = true;
    ctx.splice = Some(Splice {
        flavour: Flavour::Xliff12,
        root_tag: (0, 0),
        units_v2: Vec::new(),
        sdl_units: Vec::new(),
        segments: Vec::new(),
    });
    ctx.run()?;
    let sp = ctx.splice.take().expect("set above");
    drop(ctx);
    let langs = langs.expect("a read without error has started");
    let doc = BiDoc {
        flavour: sp.flavour,
        text,
        prefix,
        encoding,
        units_v2: sp.units_v2,
        root_tag: sp.root_tag,
        segments: sp.segments,
        sdl_units: sp.sdl_units,
    };
    Ok((langs, doc))
}

/// True when an XLIFF 2.0 `subState` (`prefix:value`) names a lock: its value is
/// `locked` or `lock`, or starts with `locked` (`sdl:locked`, `x:locked-by-pm`).
fn sub_state_locks(sub_state: &str) -> bool {
    let v = sub_state
        .rsplit_once(':')
        .map_or(sub_state, |(_, v)| v)
        .to_ascii_lowercase();
    v == "lock" || v.starts_with("locked")
}

/// Read a TMX file as a draft (see the module documentation): every `<tu>` is a
/// segment, with its raw text, inline codes and positions.
pub fn read_tmx_draft(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let text = super::xml::decode_document(&req.path, req.open()?)?;
    Ctx::new(&text, req, true, on).run_tmx()
}

impl<'a, 'o> Ctx<'a, 'o> {
    fn new(
        text: &'a str,
        req: &'a DraftRequest,
        tmx: bool,
        on: &'o mut dyn FnMut(DraftEvent) -> Result<()>,
    ) -> Ctx<'a, 'o> {
        let mut r = Reader::from_str(text);
        r.config_mut().trim_text(false);
        r.config_mut().check_end_names = true;
        Ctx {
            r,
            text,
            doc: LineIndex::new(text),
            req,
            v2: false,
            tmx,
            units: 0,
            number: 0,
            langs: None,
            file_source: None,
            file_target: None,
            on,
            bi: None,
            sdl: false,
            ids: HashMap::new(),
            data: HashMap::new(),
            keep_no_translate: false,
            translatable: Vec::new(),
            splice: None,
            its: its_prefixes(text),
        }
    }

    fn tmx_err(&self, e: quick_xml::Error) -> Error {
        let at = self.doc.line(self.r.error_position());
        super::xml::syntax_error(&self.req.path, at, "TMX", &e)
    }

    fn run_tmx(&mut self) -> Result<()> {
        loop {
            let (pos, ev) = self.r_next_tmx()?;
            match ev {
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if name != "tmx" {
                        return Err(self.err(
                            pos,
                            format!("not a TMX file: the root element is <{name}>, not <tmx>"),
                        ));
                    }
                    break;
                }
                Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    return Err(self.err(
                        pos,
                        format!("not a TMX file: the root element is an empty <{name}/>"),
                    ));
                }
                Event::Eof => {
                    return Err(Error::parse_file(
                        &self.req.path,
                        "not a TMX file: no <tmx> element",
                    ))
                }
                _ => {}
            }
        }
        let mut depth = 0usize;
        loop {
            let (pos, ev) = self.r_next_tmx()?;
            match ev {
                Event::Start(e) => match local(&e).as_deref() {
                    Some("header") => {
                        self.file_source = attr(&e, "srclang");
                        self.skip(&e)?;
                    }
                    Some("body") => depth += 1,
                    Some("tu") => self.tu(pos, &e)?,
                    _ => self.skip(&e)?,
                },
                Event::Empty(e) if local(&e).as_deref() == Some("header") => {
                    self.file_source = attr(&e, "srclang");
                }
                Event::End(_) if depth == 0 => {
                    end_of_document(&mut self.r, &self.doc, &self.req.path, "TMX")?;
                    break;
                }
                Event::End(_) => depth -= 1,
                Event::Eof => {
                    return Err(self.err(
                        pos,
                        "the file ends inside <tmx>: it is cut short or a closing tag is missing",
                    ))
                }
                _ => {}
            }
        }
        if self.units == 0 {
            return Err(Error::parse_file(
                &self.req.path,
                "the draft has no segments (no <tu> elements)",
            ));
        }
        Ok(())
    }

    fn r_next_tmx(&mut self) -> Result<(u64, Event<'a>)> {
        let pos = self.r.buffer_position();
        match self.r.read_event() {
            Ok(e) => Ok((pos, e)),
            Err(e) => Err(self.tmx_err(e)),
        }
    }

    /// One `<tu>`: its `<tuv>`s, each with the raw content of its `<seg>`.
    fn tu(&mut self, pos: u64, e: &BytesStart<'_>) -> Result<()> {
        self.units += 1;
        let number = self.units;
        let line = self.doc.line(pos);
        let tuid = attr(e, "tuid");
        let srclang = attr(e, "srclang").or_else(|| self.file_source.clone());
        let mut tuvs: Vec<(LangTag, Option<SegText>)> = Vec::new();
        loop {
            let (p, ev) = self.r_next_tmx()?;
            match ev {
                Event::Start(x) if local(&x).as_deref() == Some("tuv") => {
                    let lang = self.tuv_lang(p, &x)?;
                    let mut seg = None;
                    loop {
                        let (q, ev) = self.r_next_tmx()?;
                        match ev {
                            Event::Start(s) if local(&s).as_deref() == Some("seg") => {
                                seg = Some(self.capture(q, false, &mut HashSet::new())?.text);
                            }
                            Event::Empty(s) if local(&s).as_deref() == Some("seg") => {
                                let (l, c) = self.doc.position(self.r.buffer_position());
                                seg = Some(SegText::at("", l, c));
                            }
                            Event::Start(s) => self.skip(&s)?,
                            Event::End(_) => break,
                            Event::Eof => {
                                return Err(self.err(q, "unexpected end of file inside <tuv>"))
                            }
                            _ => {}
                        }
                    }
                    tuvs.push((lang, seg));
                }
                Event::Empty(x) if local(&x).as_deref() == Some("tuv") => {
                    let lang = self.tuv_lang(p, &x)?;
                    tuvs.push((lang, None));
                }
                Event::Start(x) => self.skip(&x)?,
                Event::End(_) => break,
                Event::Eof => return Err(self.err(p, "unexpected end of file inside <tu>")),
                _ => {}
            }
        }
        if self.langs.is_none() {
            let tags: Vec<LangTag> = tuvs.iter().map(|(t, _)| t.clone()).collect();
            let from = self.req.from.clone().or_else(|| {
                srclang
                    .as_deref()
                    .and_then(|s| LangRange::parse(s).ok())
                    .filter(|r| r.tag().is_some())
            });
            let (s, t) = super::draft::pick_languages(
                &self.req.path,
                line,
                &tags,
                from.as_ref(),
                self.req.to.as_ref(),
            )?;
            let second = super::draft::pick_second(&tags, s, t);
            let langs = DraftLangs {
                source: Some(tags[s].clone()),
                target: tags[t].clone(),
                second: second.map(|i| tags[i].clone()),
            };
            (self.on)(DraftEvent::Start(langs.clone()))?;
            self.langs = Some(langs);
        }
        let langs = self.langs.as_ref().expect("set above");
        // Later units match the languages chosen at the first one as ranges (`en`
        // selects `en-US` too), as the memory reader's units did.
        let range = |t: &LangTag| LangRange::parse(t.as_str()).map_err(|e| Error::lang("tmx", e));
        let Some(src_tag) = &langs.source else {
            return Ok(());
        };
        let (sr, tr) = (range(src_tag)?, range(&langs.target)?);
        let second_range = langs.second.as_ref().map(range).transpose()?;
        let mut source = None;
        let mut target = None;
        let mut second = None;
        for (tag, seg) in tuvs {
            if source.is_none() && sr.matches(&tag) {
                source = Some(seg.unwrap_or_else(|| SegText::at("", line, 1)));
            } else if target.is_none() && tr.matches(&tag) {
                target = seg;
            } else if second.is_none() && second_range.as_ref().is_some_and(|r| r.matches(&tag)) {
                second = seg;
            }
        }
        let Some(source) = source else {
            return Ok(());
        };
        (self.on)(DraftEvent::Segment(Segment {
            number,
            id: tuid,
            line,
            source: Some(source),
            target,
            second,
            lock: Lock::Open,
        }))
    }

    /// The language of a `<tuv>`: `xml:lang` (TMX 1.4) or `lang` (TMX 1.1).
    fn tuv_lang(&self, pos: u64, e: &BytesStart<'_>) -> Result<LangTag> {
        let Some(v) = attr(e, "xml:lang").or_else(|| attr(e, "lang")) else {
            return Err(self.err(pos, "a <tuv> without xml:lang"));
        };
        LangTag::parse(&v).map_err(|err| self.err(pos, format!("<tuv xml:lang=\"{v}\">: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// A fixture of `../shared/fixtures/xliff`, or `None` (one skip line) when
    /// `../shared` is absent.
    fn fixture(name: &str) -> Option<PathBuf> {
        crate::testutil::shared(&format!("fixtures/xliff/{name}"))
    }

    fn read(path: &Path, to: Option<&str>) -> Result<(DraftLangs, Vec<Segment>)> {
        let mut req = DraftRequest::file(path);
        req.to = to.map(|t| LangRange::parse(t).unwrap());
        let mut langs = None;
        let mut segs = vec![];
        read_xliff(&req, &mut |e| {
            match e {
                DraftEvent::Start(l) => langs = Some(l),
                DraftEvent::Segment(s) => segs.push(s),
            }
            Ok(())
        })?;
        Ok((langs.unwrap(), segs))
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.xlf");
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    #[test]
    fn xliff12_ttk() {
        let Some(f_ttk_xliff12_en_ko_xlf) = fixture("ttk-xliff12-en-ko.xlf") else {
            return;
        };
        let (l, segs) = read(&f_ttk_xliff12_en_ko_xlf, None).unwrap();
        assert_eq!(
            (l.source.unwrap().as_str(), l.target.as_str()),
            ("en", "ko")
        );
        assert_eq!(segs[0].id.as_deref(), Some("1"));
        assert_eq!(segs[0].target.as_ref().unwrap().text, "설정 메뉴를 엽니다.");
        assert_eq!(segs[0].target.as_ref().unwrap().position(0), (7, 36));
        assert_eq!(
            segs[4].source.as_ref().unwrap().text,
            "Value must be < 10 & > 0, e.g. \"5\" or '7'."
        );
        let untranslated = segs.iter().find(|s| s.id.as_deref() == Some("8")).unwrap();
        assert!(untranslated.target.is_none());
    }

    #[test]
    fn xliff12_inline_tags() {
        let Some(f_okapi_htmltest_html_xlf) = fixture("okapi-htmltest.html.xlf") else {
            return;
        };
        let Some(f_omegat_file_xlifffilter_tags_xlf) = fixture("omegat-file-XLIFFFilter-tags.xlf")
        else {
            return;
        };
        let (_, segs) = read(&f_okapi_htmltest_html_xlf, None).unwrap();
        assert_eq!(segs[1].source.as_ref().unwrap().text, "Text in bold.");
        assert_eq!(segs[1].source.as_ref().unwrap().tags[0].key, "g#1");
        let (_, segs) = read(&f_omegat_file_xlifffilter_tags_xlf, None).unwrap();
        let t = segs[1].target.as_ref().unwrap();
        assert_eq!(t.text, "About Gandalf");
        let keys: Vec<&str> = t.tags.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, vec!["bpt#1", "ept#1"]);
    }

    #[test]
    fn sdlxliff_sub_segments() {
        let Some(f_okapi_test_txt_en_us_fr_fr_sdlxliff) =
            fixture("okapi-test.txt_en-US_fr-FR.sdlxliff")
        else {
            return;
        };
        let (l, segs) = read(&f_okapi_test_txt_en_us_fr_fr_sdlxliff, None).unwrap();
        assert_eq!(l.target.as_str(), "fr-FR");
        assert_eq!(segs.len(), 5, "{segs:#?}");
        assert_eq!(segs[0].source.as_ref().unwrap().text, "First sentence.");
        assert_eq!(segs[0].target.as_ref().unwrap().text, "Première phrase");
        assert!(segs[0].id.as_ref().unwrap().ends_with("#1"));
    }

    #[test]
    fn mqxliff_zh() {
        let Some(f_okapi_sampe_sch_xliff) = fixture("okapi-sampe_sch.xliff") else {
            return;
        };
        let (l, segs) = read(&f_okapi_sampe_sch_xliff, None).unwrap();
        assert_eq!(l.target.as_str(), "zh-CN");
        assert!(!segs.is_empty());
    }

    #[test]
    fn xliff20() {
        let Some(f_oasis_xliff20_everything_core_xlf) =
            fixture("oasis-xliff20-everything-core.xlf")
        else {
            return;
        };
        let (l, segs) = read(&f_oasis_xliff20_everything_core_xlf, None).unwrap();
        assert_eq!(l.target.as_str(), "fr");
        assert_eq!(segs[0].id.as_deref(), Some("tu1#1"));
        assert_eq!(segs[0].target.as_ref().unwrap().text, "Exemple de segment.");
        let tu2 = segs
            .iter()
            .find(|s| s.id.as_deref() == Some("tu2#s1"))
            .unwrap();
        let keys: Vec<&str> = tu2
            .source
            .as_ref()
            .unwrap()
            .tags
            .iter()
            .map(|g| g.key.as_str())
            .collect();
        assert_eq!(keys, vec!["pc#1", "ph#2"]);
        assert!(tu2
            .source
            .as_ref()
            .unwrap()
            .text
            .starts_with("special text and more"));
    }

    #[test]
    fn oasis_bad_files_are_rejected() {
        let Some(f_oasis_xliff20_bad_ecbeforesc_xlf) = fixture("oasis-xliff20-bad_EcBeforeSc.xlf")
        else {
            return;
        };
        let Some(f_oasis_xliff20_bad_invalidstatevalue_xlf) =
            fixture("oasis-xliff20-bad_InvalidStateValue.xlf")
        else {
            return;
        };
        let e = read(&f_oasis_xliff20_bad_ecbeforesc_xlf, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad_EcBeforeSc.xlf:6:") && e.contains("invalid XLIFF 2.0"),
            "{e}"
        );
        let e = read(&f_oasis_xliff20_bad_invalidstatevalue_xlf, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(":5:") && e.contains("badState"), "{e}");
    }

    #[test]
    fn malformed_xml_names_the_line() {
        let (_d, p) = write("<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>");
        let e = read(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("t.xlf:3:") && e.contains("malformed XLIFF"),
            "{e}"
        );
        let (_d, p) = write("<html><body/></html>");
        assert!(read(&p, None)
            .unwrap_err()
            .to_string()
            .contains("not an XLIFF"));
    }

    #[test]
    fn languages_from_flags_or_file() {
        let (_d, p) = write("<xliff version=\"1.2\"><file source-language=\"en\"><body><trans-unit id=\"1\"><source>a b</source><target>가</target></trans-unit></body></file></xliff>");
        let e = read(&p, None).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::GiveTargetLanguage), "{e}");
        assert!(!e.to_string().contains("--"), "{e}");
        let (l, _) = read(&p, Some("ko")).unwrap();
        assert_eq!(l.target.as_str(), "ko");
        let Some(f_ttk_xliff12_en_ko_xlf) = fixture("ttk-xliff12-en-ko.xlf") else {
            return;
        };
        let e = read(&f_ttk_xliff12_en_ko_xlf, Some("zh"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("target-language is ko"), "{e}");
    }

    fn data(name: &str) -> PathBuf {
        crate::testutil::data(name)
    }

    fn read_tmx(path: &Path) -> Result<(DraftLangs, Vec<Segment>)> {
        let req = DraftRequest::file(path);
        let mut langs = None;
        let mut segs = vec![];
        read_tmx_draft(&req, &mut |e| {
            match e {
                DraftEvent::Start(l) => langs = Some(l),
                DraftEvent::Segment(s) => segs.push(s),
            }
            Ok(())
        })?;
        Ok((langs.unwrap(), segs))
    }

    fn keys(t: &SegText) -> Vec<&str> {
        t.tags.iter().map(|g| g.key.as_str()).collect()
    }

    #[test]
    fn team_fixture_xliff12() {
        let (l, segs) = read(&data("xliff12-en-ko.xlf"), None).unwrap();
        assert_eq!(
            (l.source.unwrap().as_str(), l.target.as_str()),
            ("en", "ko")
        );
        // Unit 3 is translate="no".
        let ids: Vec<&str> = segs.iter().map(|s| s.id.as_deref().unwrap()).collect();
        assert_eq!(ids, vec!["1", "2", "4"]);
        let t = segs[0].target.as_ref().unwrap();
        assert_eq!(t.text, "장관들은 서울에서 만났다.");
        assert_eq!(keys(t), vec!["g#1"]);
        assert_eq!(t.position(0), (7, 17));
        let s = segs[1].source.as_ref().unwrap();
        assert_eq!(s.text, "Press Save & close.");
        assert_eq!(keys(s), vec!["bpt#1", "ept#1", "x#2"]);
        // The raw text: the leading space of the target is kept.
        assert!(segs[1].target.as_ref().unwrap().text.starts_with(' '));
        assert!(segs[2].target.is_none());
    }

    #[test]
    fn team_fixture_xliff20() {
        let (l, segs) = read(&data("xliff20-en-zh.xlf"), None).unwrap();
        assert_eq!(l.target.as_str(), "zh-CN");
        let ids: Vec<&str> = segs.iter().map(|s| s.id.as_deref().unwrap()).collect();
        assert_eq!(ids, vec!["u1#s1", "u1#s2", "u2"]);
        let s = segs[0].source.as_ref().unwrap();
        assert_eq!(s.text, "The Foreign Minister spoke.");
        assert_eq!(keys(s), vec!["pc#1", "ph#2"]);
        assert_eq!(
            segs[1].source.as_ref().unwrap().text,
            "Talks resume on 12 May."
        );
        assert!(segs[2].target.is_none());
    }

    #[test]
    fn team_fixture_sdlxliff() {
        let (l, segs) = read(&data("sdlxliff-en-ko.sdlxliff"), None).unwrap();
        assert_eq!(l.target.as_str(), "ko-KR");
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].id.as_deref(), Some("a1b2#1"));
        assert_eq!(segs[1].source.as_ref().unwrap().text, "Second sentence.");
        assert_eq!(segs[1].target.as_ref().unwrap().text, "둘째 문장.");
    }

    #[test]
    fn team_fixture_mqxliff() {
        let (l, segs) = read(&data("mqxliff-en-zh.mqxliff"), None).unwrap();
        assert_eq!(l.target.as_str(), "zh-CN");
        let t = segs[0].target.as_ref().unwrap();
        assert_eq!(t.text, "峰会联合声明");
        assert_eq!(keys(t), vec!["bpt#1", "ept#1"]);
        assert_eq!(segs[1].target.as_ref().unwrap().text, "");
    }

    #[test]
    fn tmx_draft_keeps_inline_codes() {
        let (l, segs) = read_tmx(&data("tmx-en-ko.tmx")).unwrap();
        assert_eq!(
            (l.source.unwrap().as_str(), l.target.as_str()),
            ("en", "ko-KR")
        );
        let t = segs[0].target.as_ref().unwrap();
        // Raw text: not trimmed, codes kept as tags, native code left out.
        assert_eq!(t.text, " 저장을 누르십시오. ");
        assert_eq!(keys(t), vec!["bpt#1", "ept#1"]);
        assert_eq!(
            keys(segs[0].source.as_ref().unwrap()),
            vec!["bpt#1", "ept#1"]
        );
        // The column of the text inside <seg>, not 1.
        assert_eq!(t.position(0), (8, 34));
        assert_eq!(segs[0].id.as_deref(), Some("7"));
        // Double spaces are kept; `en` chosen at the first unit selects `en-US`.
        assert_eq!(segs[1].source.as_ref().unwrap().text, "Peace  talks");
        assert_eq!(keys(segs[1].target.as_ref().unwrap()), vec!["ph#1"]);
    }

    #[test]
    fn tmx_draft_with_three_languages_has_a_second_target() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("tri.tmx");
        std::fs::write(
            &p,
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
             <tu><tuv xml:lang=\"en\"><seg>Seoul</seg></tuv>\n\
             <tuv xml:lang=\"ko\"><seg>서울</seg></tuv>\n\
             <tuv xml:lang=\"zh-CN\"><seg>首尔</seg></tuv></tu>\n\
             <tu><tuv xml:lang=\"en\"><seg>Peace</seg></tuv>\n\
             <tuv xml:lang=\"ko\"><seg>평화</seg></tuv></tu>\n\
             </body></tmx>\n",
        )
        .unwrap();
        // Three languages need --to; the language left is the second target.
        let e = read_tmx(&p).unwrap_err();
        assert!(e.to_string().contains("several target languages"), "{e}");
        let mut req = DraftRequest::file(&p);
        req.to = Some(LangRange::parse("ko").unwrap());
        let mut langs = None;
        let mut segs = vec![];
        read_tmx_draft(&req, &mut |e| {
            match e {
                DraftEvent::Start(l) => langs = Some(l),
                DraftEvent::Segment(s) => segs.push(s),
            }
            Ok(())
        })
        .unwrap();
        let langs = langs.unwrap();
        assert_eq!(langs.target.as_str(), "ko");
        assert_eq!(langs.second.as_ref().map(|t| t.as_str()), Some("zh-CN"));
        let second = segs[0].second.as_ref().unwrap();
        assert_eq!(second.text, "首尔");
        assert_eq!(second.position(0).0, 4);
        // A unit without the third language has no second target.
        assert_eq!(segs[1].second, None);
        assert_eq!(segs[1].target.as_ref().unwrap().text, "평화");
        // A bilingual memory has none.
        let (l, segs) = read_tmx(&data("tmx-en-ko.tmx")).unwrap();
        assert_eq!(l.second, None);
        assert!(segs.iter().all(|s| s.second.is_none()));
    }

    #[test]
    fn tmx_draft_lines_come_from_the_xml_reader() {
        // A `<tu` in a comment shifted the lines of a second byte scan.
        let (_, segs) = read_tmx(&data("tmx-en-ko.tmx")).unwrap();
        assert_eq!((segs[0].line, segs[1].line), (6, 10));
        assert_eq!((segs[0].number, segs[1].number), (1, 2));
        let (_d, p) = write("<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<!-- <tu> <tu> -->\n<tu><tuv xml:lang=\"en\"><seg>a</seg></tuv>\n<tuv xml:lang=\"ko\"><seg>가</seg></tuv></tu></body></tmx>");
        let (_, segs) = read_tmx(&p).unwrap();
        assert_eq!(segs[0].line, 3);
        assert_eq!(segs[0].target.as_ref().unwrap().position(0), (4, 25));
    }

    #[test]
    fn tmx_draft_errors_name_the_line() {
        let (_d, p) =
            write("<tmx><body>\n<tu><tuv xml:lang=\"qq\"><seg>a</seg></tuv></tu></body></tmx>");
        let e = read_tmx(&p).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:2:", p.display())), "{e}");
        let (_d, p) = write("<tmx><body></body></tmx>\n<tmx/>");
        let e = read_tmx(&p).unwrap_err().to_string();
        assert!(e.contains(":2:") && e.contains("second root"), "{e}");
        let (_d, p) = write("<tmx><body></body></tmx>");
        let e = read_tmx(&p).unwrap_err().to_string();
        assert!(e.contains("no segments"), "{e}");
    }

    #[test]
    fn xliff_second_root_element_is_refused() {
        let one = "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body><trans-unit id=\"1\"><source>a</source><target>가</target></trans-unit></body></file></xliff>";
        let (_d, p) = write(&format!("{one}\n<!-- fine -->\n"));
        assert!(read(&p, None).is_ok());
        let (_d, p) = write(&format!("{one}\n{one}\n"));
        let e = read(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("t.xlf:2:") && e.contains("second root element <xliff>"),
            "{e}"
        );
        let (_d, p) = write(&format!("{one}\ntext"));
        let e = read(&p, None).unwrap_err().to_string();
        assert!(e.contains("after the end of the document"), "{e}");
    }

    #[test]
    fn xliff_without_units_is_an_empty_draft() {
        let (_d, p) = write("<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body/></file></xliff>");
        let e = read(&p, None).unwrap_err().to_string();
        assert!(e.contains("no segments"), "{e}");
    }

    fn bilingual(text: &str) -> Vec<Bilingual> {
        let (_d, p) = write(text);
        let mut out = vec![];
        read_bilingual(&p, &mut |b| {
            out.push(b);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn import_mode_takes_each_files_languages() {
        let segs = bilingual(
            "<xliff version=\"1.2\"><file original=\"a\" source-language=\"en\" target-language=\"ko\" datatype=\"x\"><body>\
             <trans-unit id=\"1\"><source>Peace.</source><target>평화.</target></trans-unit></body></file>\
             <file original=\"b\" source-language=\"en\" target-language=\"zh-TW\" datatype=\"x\"><body>\
             <trans-unit id=\"1\"><source>Peace.</source><target state=\"needs-translation\">和平。</target></trans-unit></body></file></xliff>",
        );
        let langs: Vec<(&str, &str)> = segs
            .iter()
            .map(|s| (s.source_lang.as_str(), s.target_lang.as_str()))
            .collect();
        assert_eq!(langs, [("en", "ko"), ("en", "zh-TW")]);
        assert_eq!(
            (segs[0].status, segs[1].status),
            (SegmentStatus::Translated, SegmentStatus::Untranslated)
        );
        // The lint reader still refuses a second language pair.
        let (_d, p) = write("<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body><trans-unit id=\"1\"><source>a</source></trans-unit></body></file><file source-language=\"en\" target-language=\"zh\"><body><trans-unit id=\"1\"><source>a</source></trans-unit></body></file></xliff>");
        assert!(read(&p, None).is_err());
    }

    #[test]
    fn import_mode_states() {
        let unit = |attrs: &str, target: &str| {
            let segs = bilingual(&format!(
                "<xliff version=\"1.2\"><file source-language=\"en\" target-language=\"ko\"><body><trans-unit id=\"1\" {attrs}><source>a</source>{target}</trans-unit></body></file></xliff>"
            ));
            segs[0].status
        };
        use SegmentStatus::*;
        assert_eq!(unit("", "<target>가</target>"), Translated);
        assert_eq!(unit("", ""), Untranslated);
        assert_eq!(unit("", "<target/>"), Empty);
        assert_eq!(unit("", "<target state=\"new\"></target>"), Untranslated);
        assert_eq!(
            unit(
                "approved=\"no\"",
                "<target state=\"needs-review-translation\">가</target>"
            ),
            Translated
        );
        assert_eq!(
            unit(
                "approved=\"yes\"",
                "<target state=\"needs-translation\">가</target>"
            ),
            Translated
        );
        assert_eq!(
            unit(
                "approved=\"yes\"",
                "<target state=\"x-rejected\">가</target>"
            ),
            Rejected
        );
        assert_eq!(unit("", "<target state=\"final\"> </target>"), Empty);
    }

    #[test]
    fn editor_dates_become_tmx_dates() {
        assert_eq!(
            editor_date("12/08/2017 11:41:26").as_deref(),
            Some("20171208T114126Z")
        );
        assert_eq!(
            editor_date("1/2/2026 9:05:00").as_deref(),
            Some("20260102T090500Z")
        );
        assert_eq!(
            editor_date("2017-01-18T02:29:31Z").as_deref(),
            Some("20170118T022931Z")
        );
        assert_eq!(editor_date("13/01/2026 10:00:00"), None);
        assert_eq!(editor_date("yesterday"), None);
    }

    #[test]
    fn xliff_utf16_error_names_its_line() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<xliff version=\"1.2\">\n<file>\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        bytes.extend_from_slice(&[0x00, 0xDC, b'a', 0]);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("u.xlf");
        std::fs::write(&p, bytes).unwrap();
        let e = read(&p, None).unwrap_err().to_string();
        assert!(e.contains("u.xlf:3:") && e.contains("UTF-16"), "{e}");
    }
}
