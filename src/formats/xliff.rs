//! XML drafts: XLIFF 1.0-1.2 (with the SDLXLIFF and MQXLIFF flavours) and 2.x, and TMX
//! read as a draft, with quick-xml. The whole document is read ([`super::xml`]); every
//! segment carries its raw text (not trimmed, not normalized), its inline codes as
//! [`InlineTag`]s and the line and column of each piece of text, so lint sees what the
//! file holds.
//!
//! * XLIFF 1.x: every `<trans-unit>` is a segment (`translate="no"` units are skipped);
//!   when a unit has a `<seg-source>` split by `<mrk mtype="seg" mid>` (SDLXLIFF), every
//!   `mid` is a segment, its target taken from the `<mrk>` of the same `mid` in
//!   `<target>`. `<alt-trans>`, notes, context groups and tool-specific elements
//!   (`sdl:*`, `mq:*`) are skipped. Languages: `source-language` / `target-language` of
//!   `<file>`.
//! * XLIFF 2.x: every `<segment>` of a `<unit>` is a segment (`unit#segment`);
//!   `<ignorable>` is skipped. Languages: `srcLang` / `trgLang` of `<xliff>`.
//! * Inline markup is kept apart from the text: `g x bx ex ph bpt ept it mrk` (1.x) and
//!   `pc sc ec ph mrk sm em` (2.x) become [`InlineTag`]s keyed by element and id; the
//!   content of `bpt ept ph it` (native code) is not text; `<cp hex>` is a character.
//! * TMX ([`read_tmx_draft`]): every `<tu>` is a segment (its `tuid` is the id, its line
//!   the `<tu>`'s line as the XML reader saw it). The languages are chosen at the first
//!   unit (`--from`, else the `srclang` of the `<tu>` or `<header>`; `--to`, else the
//!   other language) and select later variants as ranges (`en` selects `en-US`). `bpt
//!   ept it ph ut` are inline codes whose content is not text, `hi` keeps its text,
//!   `sub` is left out. A unit without the source language is skipped.
//! * Invalid XLIFF 2.0 is refused with its line: a `state` that is not
//!   `initial|translated|reviewed|final`, an `<ec startRef>` before its `<sc>`, a unit
//!   without `id`, no `srcLang`. Any XML error is refused too, and so is a second root
//!   element or text after the root, and a file without any unit (an empty draft).

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::xml::{end_of_document, read_document, LineIndex};
use crate::error::{Error, ErrorKind, Hint, Result};
use crate::lang::{LangRange, LangTag};

use super::draft::{DraftEvent, DraftLangs, DraftRequest};
use super::segment::{Anchor, InlineTag, SegText, Segment};

struct Ctx<'a, 'o> {
    r: Reader<&'a [u8]>,
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
}

fn local(e: &BytesStart<'_>) -> Option<String> {
    if e.name().prefix().is_some() {
        return None;
    }
    Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// What `capture` returns: the text, and SDLXLIFF sub-segments (mid, start, end).
/// A segment of a 2.0 unit: id, line, source, target.
type Seg2 = (Option<String>, u64, Option<Captured>, Option<Captured>);

struct Captured {
    text: SegText,
    segs: Vec<(String, usize, usize)>,
}

enum Open {
    Plain,
    Seg(String, usize),
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
                    let version = attr(&e, "version");
                    let ns = attr(&e, "xmlns").unwrap_or_default();
                    self.v2 = match version.as_deref() {
                        Some(v) if v.starts_with('2') => true,
                        Some(v) if v.starts_with('1') => false,
                        Some(v) => {
                            return Err(self.err(pos, format!("unknown XLIFF version {v:?}")))
                        }
                        None => ns.contains("document:2"),
                    };
                    if self.v2 {
                        self.file_source = attr(&e, "srcLang");
                        self.file_target = attr(&e, "trgLang");
                        if self.file_source.is_none() {
                            return Err(self
                                .err(pos, "invalid XLIFF 2.0: <xliff> has no srcLang attribute"));
                        }
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
                        if !self.v2 {
                            self.file_source = attr(&e, "source-language");
                            self.file_target = attr(&e, "target-language");
                        }
                        depth += 1;
                    }
                    Some("group") | Some("body") => depth += 1,
                    Some("trans-unit") if !self.v2 => self.unit_v1(pos, &e)?,
                    Some("unit") if self.v2 => self.unit_v2(pos, &e)?,
                    _ => self.skip(&e)?,
                },
                Event::End(_) if depth == 0 => {
                    end_of_document(&mut self.r, &self.doc, &self.req.path, "XLIFF")?;
                    break;
                }
                Event::End(_) => depth -= 1,
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
        let langs = DraftLangs {
            source: Some(source),
            target,
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

    fn emit(
        &mut self,
        pos: u64,
        id: Option<String>,
        line: u64,
        source: SegText,
        target: Option<SegText>,
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
        }))
    }

    fn unit_v1(&mut self, pos: u64, e: &BytesStart<'_>) -> Result<()> {
        self.units += 1;
        let id = attr(e, "id");
        // A PO header converted to XLIFF is metadata, not text to translate.
        let translate = attr(e, "translate").map(|v| v != "no").unwrap_or(true)
            && attr(e, "restype").as_deref() != Some("x-gettext-domain-header");
        let line = self.doc.line(pos);
        let mut source: Option<Captured> = None;
        let mut seg_source: Option<Captured> = None;
        let mut target: Option<Captured> = None;
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Start(s) => match local(&s).as_deref() {
                    Some("source") => source = Some(self.capture(p, false, &mut HashSet::new())?),
                    Some("seg-source") => {
                        seg_source = Some(self.capture(p, false, &mut HashSet::new())?)
                    }
                    Some("target") => target = Some(self.capture(p, false, &mut HashSet::new())?),
                    _ => self.skip(&s)?,
                },
                Event::Empty(s) if local(&s).as_deref() == Some("target") => {
                    let (l, c) = self.doc.position(self.r.buffer_position());
                    target = Some(Captured {
                        text: SegText::at("", l, c),
                        segs: vec![],
                    });
                }
                Event::End(_) => break,
                Event::Eof => return Err(self.err(p, "unexpected end of file inside <trans-unit>")),
                _ => {}
            }
        }
        if !translate {
            return Ok(());
        }
        let Some(source) = source else {
            return Err(self.err(pos, "a <trans-unit> without <source>"));
        };
        match seg_source {
            Some(ss) if !ss.segs.is_empty() => {
                for (mid, s, e) in &ss.segs {
                    let src = slice(&ss.text, *s, *e);
                    let tgt = target.as_ref().and_then(|t| {
                        t.segs
                            .iter()
                            .find(|(m, _, _)| m == mid)
                            .map(|(_, a, b)| slice(&t.text, *a, *b))
                    });
                    let sid = Some(match &id {
                        Some(u) => format!("{u}#{mid}"),
                        None => format!("#{mid}"),
                    });
                    self.emit(pos, sid, line, src, tgt)?;
                }
                Ok(())
            }
            _ => self.emit(pos, id, line, source.text, target.map(|t| t.text)),
        }
    }

    fn unit_v2(&mut self, pos: u64, e: &BytesStart<'_>) -> Result<()> {
        self.units += 1;
        let Some(id) = attr(e, "id") else {
            return Err(self.err(pos, "invalid XLIFF 2.0: a <unit> without id"));
        };
        let translate = attr(e, "translate").map(|v| v != "no").unwrap_or(true);
        let mut sc_src: HashSet<String> = HashSet::new();
        let mut sc_tgt: HashSet<String> = HashSet::new();
        let mut segments: Vec<Seg2> = Vec::new();
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Start(s) => match local(&s).as_deref() {
                    Some("segment") => {
                        if let Some(state) = attr(&s, "state") {
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
                        let line = self.doc.line(p);
                        let (mut src, mut tgt) = (None, None);
                        loop {
                            let (q, ev) = self.next()?;
                            match ev {
                                Event::Start(x) => match local(&x).as_deref() {
                                    Some("source") => {
                                        src = Some(self.capture(q, true, &mut sc_src)?)
                                    }
                                    Some("target") => {
                                        tgt = Some(self.capture(q, true, &mut sc_tgt)?)
                                    }
                                    _ => self.skip(&x)?,
                                },
                                Event::Empty(x) if local(&x).as_deref() == Some("target") => {
                                    let (l, c) = self.doc.position(self.r.buffer_position());
                                    tgt = Some(Captured {
                                        text: SegText::at("", l, c),
                                        segs: vec![],
                                    });
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
                        segments.push((sid, line, src, tgt));
                    }
                    _ => self.skip(&s)?,
                },
                Event::End(_) => break,
                Event::Eof => return Err(self.err(p, "unexpected end of file inside <unit>")),
                _ => {}
            }
        }
        if !translate {
            return Ok(());
        }
        let many = segments.len() > 1;
        for (k, (sid, line, src, tgt)) in segments.into_iter().enumerate() {
            let Some(src) = src else {
                return Err(self.err(pos, "invalid XLIFF 2.0: a <segment> without <source>"));
            };
            let full = match (&sid, many) {
                (Some(s), _) => format!("{id}#{s}"),
                (None, true) => format!("{id}#{}", k + 1),
                (None, false) => id.clone(),
            };
            self.emit(pos, Some(full), line, src.text, tgt.map(|t| t.text))?;
        }
        Ok(())
    }

    /// Read the content of the element just opened at `start` up to its end.
    fn capture(&mut self, start: u64, v2: bool, open_sc: &mut HashSet<String>) -> Result<Captured> {
        let _ = start;
        let mut st = SegText::default();
        let mut chars = 0usize;
        let mut segs = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let (p, ev) = self.next()?;
            match ev {
                Event::Text(t) => {
                    let s = t
                        .unescape()
                        .map_err(|e| self.err(p, format!("malformed XLIFF: {e}")))?;
                    self.push_text(&mut st, &mut chars, p, &s);
                }
                Event::CData(c) => {
                    let s = String::from_utf8_lossy(&c).into_owned();
                    self.push_text(&mut st, &mut chars, p + 9, &s);
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
                            stack.push(Open::Plain);
                        }
                        "sub" if self.tmx => self.skip(&e)?,
                        _ if self.tmx => stack.push(Open::Plain),
                        "mrk" if !v2 && attr(&e, "mtype").as_deref() == Some("seg") => {
                            stack.push(Open::Seg(attr(&e, "mid").unwrap_or_default(), chars));
                        }
                        "g" | "pc" | "mrk" => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            stack.push(Open::Plain);
                        }
                        "bpt" | "ept" | "ph" | "it" => {
                            st.tags.push(InlineTag {
                                key: tag_key(&name, &e),
                                offset: chars,
                            });
                            self.skip(&e)?;
                        }
                        _ => stack.push(Open::Plain),
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
                            }
                        }
                        "x" | "bx" | "ex" | "ph" | "sc" | "ec" | "sm" | "em" | "g" | "pc"
                        | "bpt" | "ept" | "it" | "mrk" => {
                            if v2 && name == "sc" {
                                if let Some(id) = attr(&e, "id") {
                                    open_sc.insert(id);
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
                        }
                        _ => {}
                    }
                }
                Event::End(_) => match stack.pop() {
                    None => break,
                    Some(Open::Plain) => {}
                    Some(Open::Seg(mid, s)) => segs.push((mid, s, chars)),
                },
                Event::Eof => return Err(self.err(p, "unexpected end of file inside a segment")),
                _ => {}
            }
        }
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
        Ok(Captured { text: st, segs })
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

/// The part `start..end` (chars) of a captured text, with its tags and anchors.
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
    SegText {
        text,
        tags,
        anchors,
    }
}

/// Read an XLIFF draft (see the module documentation), calling `on` with the languages
/// and then every segment.
pub fn read_xliff(req: &DraftRequest, on: &mut dyn FnMut(DraftEvent) -> Result<()>) -> Result<()> {
    let text = read_document(&req.path)?;
    Ctx::new(&text, req, false, on).run()
}

/// Read a TMX file as a draft (see the module documentation): every `<tu>` is a
/// segment, with its raw text, inline codes and positions.
pub fn read_tmx_draft(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let text = read_document(&req.path)?;
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
            let langs = DraftLangs {
                source: Some(tags[s].clone()),
                target: tags[t].clone(),
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
        let mut source = None;
        let mut target = None;
        for (tag, seg) in tuvs {
            if source.is_none() && sr.matches(&tag) {
                source = Some(seg.unwrap_or_else(|| SegText::at("", line, 1)));
            } else if target.is_none() && tr.matches(&tag) {
                target = seg;
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
