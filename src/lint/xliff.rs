//! XLIFF drafts: 1.0-1.2 (with the SDLXLIFF and MQXLIFF flavours) and 2.x, read with
//! quick-xml.
//!
//! * XLIFF 1.x: every `<trans-unit>` is a segment (`translate="no"` units are skipped);
//!   when a unit has a `<seg-source>` split by `<mrk mtype="seg" mid>` (SDLXLIFF), every
//!   `mid` is a segment, its target taken from the `<mrk>` of the same `mid` in
//!   `<target>`. `<alt-trans>`, notes, context groups and tool-specific elements are
//!   skipped. Languages: `source-language` / `target-language` of `<file>`.
//! * XLIFF 2.x: every `<segment>` of a `<unit>` is a segment (`unit#segment`);
//!   `<ignorable>` is skipped. Languages: `srcLang` / `trgLang` of `<xliff>`.
//! * Inline markup is kept apart from the text: `g x bx ex ph bpt ept it mrk` (1.x) and
//!   `pc sc ec ph mrk sm em` (2.x) become [`InlineTag`]s keyed by element and id; the
//!   content of `bpt ept ph it` (native code) is not text; `<cp hex>` is a character.
//! * Invalid XLIFF 2.0 is refused with its line: a `state` that is not
//!   `initial|translated|reviewed|final`, an `<ec startRef>` before its `<sc>`, a unit
//!   without `id`, no `srcLang`. Any XML error is refused too.

use std::collections::HashSet;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, Result};
use crate::formats::input;
use crate::lang::{LangRange, LangTag};

use super::draft::{DraftEvent, DraftLangs, DraftRequest};
use super::segment::{Anchor, InlineTag, SegText, Segment};

struct Doc<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Doc<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Doc { text, line_starts }
    }

    fn pos(&self, byte: u64) -> (u64, u64) {
        let byte = (byte as usize).min(self.text.len());
        let i = self.line_starts.partition_point(|&s| s <= byte);
        let start = self.line_starts[i.saturating_sub(1)];
        let col = self
            .text
            .get(start..byte)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (i as u64, col as u64 + 1)
    }

    fn line(&self, byte: u64) -> u64 {
        self.pos(byte).0
    }
}

struct Ctx<'a, 'o> {
    r: Reader<&'a [u8]>,
    doc: Doc<'a>,
    req: &'a DraftRequest,
    v2: bool,
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
        let at = self.r.error_position();
        self.err(at, format!("malformed XLIFF: {e}"))
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
        loop {
            let (pos, ev) = self.next()?;
            match ev {
                Event::Start(e) => match local(&e).as_deref() {
                    Some("file") => {
                        if !self.v2 {
                            self.file_source = attr(&e, "source-language");
                            self.file_target = attr(&e, "target-language");
                        }
                    }
                    Some("group") | Some("body") => {}
                    Some("trans-unit") if !self.v2 => self.unit_v1(pos, &e)?,
                    Some("unit") if self.v2 => self.unit_v2(pos, &e)?,
                    _ => self.skip(&e)?,
                },
                Event::Eof => break,
                _ => {}
            }
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
        flag: &str,
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
                            format!("the file's {attr_name} is {tag}, but {flag} {g} was given"),
                        ));
                    }
                }
                Ok(tag)
            }
            (None, Some(g)) => g
                .tag()
                .cloned()
                .ok_or_else(|| Error::Invalid(format!("{flag} needs a language tag, not {g}"))),
            (None, None) => Err(self.err(
                pos,
                format!("the file does not name its {attr_name}; give it with {flag}"),
            )),
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
            "--from",
        )?;
        let target = self.resolve(
            pos,
            self.file_target.as_deref(),
            self.req.to.as_ref(),
            ta,
            "--to",
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
                    let (l, c) = self.doc.pos(self.r.buffer_position());
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
                                    let (l, c) = self.doc.pos(self.r.buffer_position());
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
                        "cp" => {
                            if let Some(c) = attr(&e, "hex")
                                .and_then(|h| u32::from_str_radix(&h, 16).ok())
                                .and_then(char::from_u32)
                            {
                                let (l, col) = self.doc.pos(p);
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
            let (l, c) = self.doc.pos(self.r.buffer_position());
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
        let (l, c) = self.doc.pos(pos);
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
        .or_else(|| attr(e, "pos"));
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

pub(crate) fn read_xliff(
    req: &DraftRequest,
    on: &mut dyn FnMut(DraftEvent) -> Result<()>,
) -> Result<()> {
    let path = &req.path;
    let mut bytes = Vec::new();
    input::open_text(path)?
        .reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        Error::parse(path, line, "invalid UTF-8 (save the file as UTF-8)")
    })?;
    let mut r = Reader::from_str(&text);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = true;
    let mut ctx = Ctx {
        r,
        doc: Doc::new(&text),
        req,
        v2: false,
        number: 0,
        langs: None,
        file_source: None,
        file_target: None,
        on,
    };
    ctx.run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/xliff")
            .join(name)
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
        let (l, segs) = read(&fixture("ttk-xliff12-en-ko.xlf"), None).unwrap();
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
        let (_, segs) = read(&fixture("okapi-htmltest.html.xlf"), None).unwrap();
        assert_eq!(segs[1].source.as_ref().unwrap().text, "Text in bold.");
        assert_eq!(segs[1].source.as_ref().unwrap().tags[0].key, "g#1");
        let (_, segs) = read(&fixture("omegat-file-XLIFFFilter-tags.xlf"), None).unwrap();
        let t = segs[1].target.as_ref().unwrap();
        assert_eq!(t.text, "About Gandalf");
        let keys: Vec<&str> = t.tags.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, vec!["bpt#1", "ept#1"]);
    }

    #[test]
    fn sdlxliff_sub_segments() {
        let (l, segs) = read(&fixture("okapi-test.txt_en-US_fr-FR.sdlxliff"), None).unwrap();
        assert_eq!(l.target.as_str(), "fr-FR");
        assert_eq!(segs.len(), 5, "{segs:#?}");
        assert_eq!(segs[0].source.as_ref().unwrap().text, "First sentence.");
        assert_eq!(segs[0].target.as_ref().unwrap().text, "Première phrase");
        assert!(segs[0].id.as_ref().unwrap().ends_with("#1"));
    }

    #[test]
    fn mqxliff_zh() {
        let (l, segs) = read(&fixture("okapi-sampe_sch.xliff"), None).unwrap();
        assert_eq!(l.target.as_str(), "zh-CN");
        assert!(!segs.is_empty());
    }

    #[test]
    fn xliff20() {
        let (l, segs) = read(&fixture("oasis-xliff20-everything-core.xlf"), None).unwrap();
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
        let e = read(&fixture("oasis-xliff20-bad_EcBeforeSc.xlf"), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad_EcBeforeSc.xlf:6:") && e.contains("invalid XLIFF 2.0"),
            "{e}"
        );
        let e = read(&fixture("oasis-xliff20-bad_InvalidStateValue.xlf"), None)
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
        let e = read(&p, None).unwrap_err().to_string();
        assert!(e.contains("--to"), "{e}");
        let (l, _) = read(&p, Some("ko")).unwrap();
        assert_eq!(l.target.as_str(), "ko");
        let e = read(&fixture("ttk-xliff12-en-ko.xlf"), Some("zh"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("target-language is ko"), "{e}");
    }
}
