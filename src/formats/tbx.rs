//! TBX (TermBase eXchange, ISO 30042) glossaries: a reader for TBX v3 (`<tbx>`, DCA and
//! DCT styles, TBX-Basic and TBX-Core), TBX 2008 (`<martif>`, `termEntry`/`langSet`/`tig`
//! and `ntig`), and a deterministic writer of TBX-Basic v3 DCA or TBX 2008 `martif`.
//!
//! # Reading
//!
//! [`read_tbx`] takes the file's bytes; it never opens another file and never uses the
//! network.
//!
//! * **Encoding**: a BOM (UTF-8, UTF-16 LE/BE) wins; UTF-16 without BOM is recognized by
//!   its `<?` bytes; otherwise the `encoding=` of the XML declaration names the encoding
//!   (any WHATWG label: ISO-8859-x, Windows-125x, EUC-KR, GBK/GB18030, Big5, Shift_JIS…,
//!   decoded with encoding_rs), UTF-8 when there is none. A byte sequence that is
//!   invalid in that encoding is an error naming its line.
//! * **No DTD, no entity**: a `DOCTYPE` naming an external DTD is ignored (the DTD is
//!   never fetched); a `DOCTYPE` with an internal subset (`[ … ]`, where entities and
//!   parameter entities are declared: billion laughs, external entities to
//!   `/etc/passwd`) is refused with its line, and so is any reference to an entity
//!   other than the five of XML.
//! * **Structure**: `conceptEntry`/`termEntry` is an entry (its `id` the entry's id);
//!   `langSec`/`langSet` gives the language (`xml:lang`, through [`LangTag::parse`]);
//!   each `termSec`/`tig`/`ntig` holds one `term`. Element names are matched without
//!   their namespace prefix, and DCT-style data-category elements
//!   (`<min:administrativeStatus>`, `<basic:definition>`…) are read like their DCA
//!   forms. `descripGrp`, `termGrp` and `termNoteGrp` are transparent.
//! * **Status** (`termNote type="administrativeStatus"`, TBX 2008 `normativeAuthorization`;
//!   the `-admn-sts` suffix is optional): `preferredTerm` → approved, placed first;
//!   `admittedTerm`, `standardizedTerm`, `legalTerm`, `regulatedTerm` and no status →
//!   approved, in file order; `deprecatedTerm`, `supersededTerm` → forbidden.
//! * **Kept**: `descrip type="subjectField"` of the entry → the entry's domain (several
//!   joined with `; `); `note` of the entry → its note (several joined with a line
//!   break); `descrip type="definition"` → property `definition` (entry level) or
//!   `definition:<tag>` (language level); notes of a language or a term → property
//!   `note:<tag>`; `termNote type="partOfSpeech"` → property `pos` when every term of
//!   the entry has the same one, else `pos:<tag>` per language (the first of the
//!   language). Entry notes written by concord's writer (`concord:case=…`,
//!   `concord:strict=…`, `concord:id=…`, `concord:prop=…`) restore what TBX-Basic has no
//!   data category for. Everything else (context, sources, transactions, cross
//!   references, the header, `<back>`) is skipped.
//! * A language section whose `xml:lang` is not a language concord knows (`xx`) is
//!   skipped with a warning naming its line, and so is an entry left without any term.
//! * **Limits** as for CSV glossaries ([`crate::limits`]): term length, variants per
//!   language of an entry, distinct languages; the error names the file and line.
//! * Malformed XML, a missing `xml:lang`, an unknown root element, a second root or text
//!   after it: an error naming the file and line; nothing is imported.
//!
//! # Writing
//!
//! [`write_tbx`] writes [`TbxFlavor::Basic`] (TBX-Basic v3, DCA style, namespace
//! `urn:iso:std:iso:30042:ed:3.0`) or [`TbxFlavor::Martif`] (TBX 2008 `martif
//! type="TBX-Basic"` with `tig`). Per entry: the id as `id` when it is an XML name that no
//! earlier entry used (else a `concord:id=` note); domain → `subjectField`; property
//! `definition` → entry definition, `definition:<tag>` → language definition; the note
//! → `note`; `pos` (and `pos:<tag>` when there is no `pos`) with a TBX-Basic value
//! (`noun`, `verb`, `adjective`, `adverb`, `other`) → `partOfSpeech` on every term of the
//! languages concerned; case, strict tags and the other properties → `concord:` notes.
//! Approved variants are written first (`preferredTerm-admn-sts` for the first,
//! `admittedTerm-admn-sts` for the others), then the forbidden ones
//! (`deprecatedTerm-admn-sts`). Languages in canonical order, two-space indentation,
//! LF line ends: the same glossary always gives the same bytes. An entry without any
//! term cannot be a TBX concept entry: it is left out and counted in [`TbxWritten`].
//!
//! ```
//! use concord::formats::tbx::{read_tbx, write_tbx, TbxFlavor};
//! use concord::glossary::Glossary;
//!
//! let g = Glossary::from_csv_str("id,en,ko,ko:forbidden\ndprk,DPRK|North Korea,북한,북조선\n",
//!     "g.csv".as_ref(), &Default::default())?;
//! let mut tbx = Vec::new();
//! write_tbx(&g, TbxFlavor::Basic, &mut tbx)?;
//! let back = read_tbx(&tbx, "g.tbx".as_ref())?;
//! assert_eq!(back.to_csv_string(), g.to_csv_string());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::xml::LineIndex;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::glossary::{parse_qualifiers, Column, Entry, Glossary, QUALIFIER_COLUMN};
use crate::lang::LangTag;
use crate::text::stored_form;

/// The namespace of TBX v3 (ISO 30042:2019).
pub const TBX_V3_NAMESPACE: &str = "urn:iso:std:iso:30042:ed:3.0";

/// The prefix of the entry notes that carry what TBX-Basic has no data category for.
const CONCORD_NOTE: &str = "concord:";

/// The `type` of the header paragraph that lists the glossary's columns (so that empty
/// columns and the order of the other columns survive a round trip).
const COLUMNS_TYPE: &str = "x-concord-columns";

/// A `qualifier` cell from (tag, variant, qualifier) items, in order.
fn qualifier_cell<'a>(items: impl IntoIterator<Item = (&'a LangTag, &'a str, &'a str)>) -> String {
    items
        .into_iter()
        .map(|(t, v, q)| format!("{t}:{v}={q}"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The qualifiers of an entry as `geographicalUsage` term notes: (tag, variant) →
/// qualifier, when the `qualifier` cell is exactly what the reader rebuilds from them
/// (every item names a variant of the entry, in the order the writer writes the
/// variants, spelled as stored), so that CSV → TBX → CSV gives back the same cell;
/// `None` otherwise (the cell then travels as a `concord:prop` note).
fn qualifiers_as_data(e: &Entry, cell: &str) -> Option<Vec<(LangTag, String, String)>> {
    let items: Vec<(LangTag, String, String)> = parse_qualifiers(cell)
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    let mut terms: Vec<&(LangTag, crate::glossary::TermSet)> =
        e.terms.iter().filter(|(_, s)| !s.is_empty()).collect();
    terms.sort_by(|a, b| a.0.order_key().cmp(&b.0.order_key()));
    let rebuilt = qualifier_cell(terms.iter().flat_map(|(tag, set)| {
        set.approved
            .iter()
            .chain(&set.forbidden)
            .filter_map(|v| {
                items
                    .iter()
                    .find(|(t, iv, _)| t == tag && iv == v)
                    .map(|(_, _, q)| (tag, v.as_str(), q.as_str()))
            })
            .collect::<Vec<_>>()
    }));
    let written = qualifier_cell(items.iter().map(|(t, v, q)| (t, v.as_str(), q.as_str())));
    // A qualifier holding `|` or `=` or spaces at its ends would not come back as is.
    let plain = items
        .iter()
        .all(|(_, _, q)| !q.contains(['|', '=']) && q.trim() == q);
    (rebuilt == cell && written == cell && plain).then_some(items)
}

/// The part-of-speech values TBX-Basic allows.
const BASIC_POS: [&str; 5] = ["noun", "verb", "adjective", "adverb", "other"];

// ---------------------------------------------------------------------------------------
// Detection and decoding
// ---------------------------------------------------------------------------------------

/// True when the bytes look like an XML document (after a BOM and white space, the
/// first character is `<`, in UTF-8 or UTF-16): how a glossary file without the `.tbx`
/// extension is recognized as TBX.
pub fn looks_like_xml(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE, b'<', 0]) || bytes.starts_with(&[0xFE, 0xFF, 0, b'<']) {
        return true;
    }
    if bytes.starts_with(&[b'<', 0]) || bytes.starts_with(&[0, b'<']) {
        return true;
    }
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| *c == b'<')
}

/// The encoding declared in the XML declaration at the start of ASCII-compatible bytes.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// The document as UTF-8 text (see the module documentation).
fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, str>> {
    use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
    let (enc, body): (&'static Encoding, &[u8]) = if let Some(b) =
        bytes.strip_prefix(b"\xEF\xBB\xBF")
    {
        (UTF_8, b)
    } else if let Some(b) = bytes.strip_prefix(b"\xFF\xFE") {
        (UTF_16LE, b)
    } else if let Some(b) = bytes.strip_prefix(b"\xFE\xFF") {
        (UTF_16BE, b)
    } else if bytes.starts_with(&[b'<', 0, b'?', 0]) {
        (UTF_16LE, bytes)
    } else if bytes.starts_with(&[0, b'<', 0, b'?']) {
        (UTF_16BE, bytes)
    } else {
        match declared_encoding(bytes) {
            None => (UTF_8, bytes),
            Some(label) => match Encoding::for_label(label.trim().as_bytes()) {
                // A UTF-16 declaration over 8-bit bytes: the file was re-encoded without
                // updating its declaration (or decoded already); read it as UTF-8.
                Some(e) if e == UTF_16LE || e == UTF_16BE => (UTF_8, bytes),
                Some(e) => (e, bytes),
                None => {
                    return Err(Error::parse(
                        path,
                        1,
                        format!("the XML declaration names the encoding {label:?}, which concord does not know"),
                    ))
                }
            },
        }
    };
    if enc == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => {
                let ok = &body[..e.valid_up_to()];
                let line = 1 + ok.iter().filter(|b| **b == b'\n').count() as u64;
                Err(Error::parse(
                    path,
                    line,
                    "invalid UTF-8 (the XML declaration names no other encoding)",
                ))
            }
        };
    }
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, _read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(Cow::Owned(out)),
        encoding_rs::DecoderResult::Malformed(..) => {
            let line = 1 + out.bytes().filter(|b| *b == b'\n').count() as u64;
            Err(Error::parse(
                path,
                line,
                format!("a byte sequence that is not valid {}", enc.name()),
            ))
        }
        encoding_rs::DecoderResult::OutputFull => Err(Error::parse(
            path,
            1,
            format!("cannot decode the file as {}", enc.name()),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

/// The status of a term, from `administrativeStatus` or `normativeAuthorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Preferred,
    Approved,
    Forbidden,
}

fn status_of(value: &str) -> Option<Status> {
    let v = value.trim();
    let v = v.strip_suffix("-admn-sts").unwrap_or(v);
    match v {
        "preferredTerm" => Some(Status::Preferred),
        "admittedTerm" | "standardizedTerm" | "legalTerm" | "regulatedTerm" => {
            Some(Status::Approved)
        }
        "deprecatedTerm" | "supersededTerm" => Some(Status::Forbidden),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct TermRec {
    text: String,
    line: u64,
    status: Option<Status>,
    pos: Option<String>,
    /// `termNote type="geographicalUsage"`: the variant's qualifier.
    geo: Option<String>,
}

#[derive(Debug)]
struct LangRec {
    /// `None`: a language concord does not know; the section is skipped.
    tag: Option<LangTag>,
    terms: Vec<TermRec>,
    definitions: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Default)]
struct EntryRec {
    line: u64,
    id: Option<String>,
    domains: Vec<String>,
    definitions: Vec<String>,
    notes: Vec<String>,
    concord: Vec<(String, u64)>,
    langs: Vec<LangRec>,
}

/// What the text being collected will become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Term,
    Status,
    Pos,
    /// `termNote type="geographicalUsage"`: the variant's qualifier.
    Geo,
    Definition,
    Subject,
    Note,
    /// The `<p type="x-concord-columns">` of the header: the glossary's columns.
    Columns,
}

struct Collect {
    target: Target,
    depth: usize,
    line: u64,
    text: String,
}

/// The level a data category sits at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Entry,
    Lang,
    Term,
}

struct TbxReader<'a> {
    path: &'a Path,
    index: LineIndex<'a>,
    glossary: Glossary,
    languages: std::collections::HashSet<LangTag>,
    entry: Option<EntryRec>,
    /// Depth (in the element stack) of the open language section and term group.
    lang_depth: Option<usize>,
    term_depth: Option<usize>,
    entry_depth: Option<usize>,
    collect: Option<Collect>,
    depth: usize,
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// Read a TBX document from its bytes (see the module documentation). `path` names the
/// file in messages and in the entries' locations.
pub fn read_tbx(bytes: &[u8], path: &Path) -> Result<Glossary> {
    let text = decode(bytes, path)?;
    if text.trim().is_empty() {
        return Err(Error::empty_input(path, "the file is empty"));
    }
    let mut r = TbxReader {
        path,
        index: LineIndex::new(&text),
        glossary: Glossary::default(),
        languages: Default::default(),
        entry: None,
        lang_depth: None,
        term_depth: None,
        entry_depth: None,
        collect: None,
        depth: 0,
    };
    r.run(&text)?;
    Ok(r.glossary)
}

impl<'a> TbxReader<'a> {
    fn line(&self, pos: u64) -> u64 {
        self.index.line(pos)
    }

    fn err(&self, line: u64, msg: impl Into<String>) -> Error {
        Error::parse(self.path, line, msg)
    }

    fn run(&mut self, text: &str) -> Result<()> {
        let mut xml = Reader::from_str(text);
        xml.config_mut().trim_text(false);
        xml.config_mut().check_end_names = true;
        let mut seen_root = false;
        loop {
            let pos = xml.buffer_position();
            let ev = xml.read_event().map_err(|e| {
                super::xml::syntax_error(self.path, self.line(xml.error_position()), "TBX", &e)
            })?;
            let line = self.line(pos);
            match ev {
                Event::DocType(d) => self.doctype(&d, line)?,
                Event::Start(e) => {
                    if self.depth == 0 {
                        self.root(&e, line)?;
                        seen_root = true;
                    }
                    self.depth += 1;
                    self.start(&e, line)?;
                }
                Event::Empty(e) => {
                    if self.depth == 0 {
                        self.root(&e, line)?;
                        self.depth += 1;
                        self.start(&e, line)?;
                        self.end(line)?;
                        self.depth -= 1;
                        break;
                    }
                    self.depth += 1;
                    self.start(&e, line)?;
                    self.end(line)?;
                    self.depth -= 1;
                }
                Event::End(_) => {
                    self.end(line)?;
                    self.depth -= 1;
                    if self.depth == 0 {
                        break;
                    }
                }
                Event::Text(t) => {
                    let raw = std::str::from_utf8(t.as_ref()).unwrap_or_default();
                    let laid = layout_space(raw);
                    let s = self.unescape(&laid, line)?;
                    if let Some(c) = self.collect.as_mut() {
                        c.text.push_str(&s);
                    } else if self.depth == 0 && !s.trim().is_empty() {
                        return Err(self.err(line, "malformed TBX: text before the root element"));
                    }
                }
                Event::CData(t) => {
                    let raw = std::str::from_utf8(t.as_ref()).unwrap_or_default();
                    self.check_chars(raw, line)?;
                    if let Some(c) = self.collect.as_mut() {
                        c.text.push_str(raw);
                    }
                }
                Event::Eof => {
                    if seen_root {
                        return Err(self.err(
                            line,
                            "the file ends inside an element: it is cut short or a closing tag is missing",
                        ));
                    }
                    return Err(self.err(line, "not a TBX file: no <tbx> or <martif> element"));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        let mut rest = xml;
        super::xml::end_of_document(&mut rest, &self.index, self.path, "TBX")
    }

    fn doctype(&self, d: &[u8], line: u64) -> Result<()> {
        let s = String::from_utf8_lossy(d);
        if s.contains('[') {
            let what = if s.contains("<!ENTITY") {
                "entity declarations"
            } else {
                "an internal DTD subset"
            };
            return Err(self.err(
                line,
                format!("the DOCTYPE holds {what}: refused (concord never reads DTDs nor expands entities; remove the [ … ] part)"),
            ));
        }
        Ok(())
    }

    fn root(&self, e: &BytesStart<'_>, line: u64) -> Result<()> {
        let name = local(e);
        if name != "tbx" && name != "martif" {
            return Err(self.err(
                line,
                format!("not a TBX file: the root element is <{name}>, not <tbx> or <martif>"),
            ));
        }
        Ok(())
    }

    fn check_chars(&self, s: &str, line: u64) -> Result<()> {
        if let Some((i, c)) = s.char_indices().find(|(_, c)| !super::tmx::is_xml_char(*c)) {
            let l = line + s[..i].bytes().filter(|b| *b == b'\n').count() as u64;
            return Err(self.err(
                l,
                format!(
                    "the character U+{:04X}, which XML 1.0 does not allow",
                    c as u32
                ),
            ));
        }
        Ok(())
    }

    /// Resolve the five XML entities and character references; any other entity is an
    /// error (entities are never expanded from a DTD).
    fn unescape<'t>(&self, raw: &'t str, line: u64) -> Result<Cow<'t, str>> {
        self.check_chars(raw, line)?;
        let at = |offset: usize| line + raw[..offset.min(raw.len())].matches('\n').count() as u64;
        let s = quick_xml::escape::unescape(raw).map_err(|e| {
            use quick_xml::escape::EscapeError;
            match e {
                EscapeError::UnrecognizedEntity(range, name) => self.err(
                    at(range.start),
                    format!("unknown entity &{name}; (concord expands no entity declared in a DTD; XML knows only &amp; &lt; &gt; &quot; &apos; and character references)"),
                ),
                EscapeError::UnterminatedEntity(range) => self.err(
                    at(range.start),
                    "a `&` that starts no entity (write a literal ampersand as &amp;)",
                ),
                other => self.err(line, format!("invalid character reference: {other}")),
            }
        })?;
        if let Cow::Owned(o) = &s {
            if let Some(c) = o.chars().find(|c| !super::tmx::is_xml_char(*c)) {
                return Err(self.err(
                    line,
                    format!(
                        "character reference to U+{:04X}, which XML 1.0 does not allow",
                        c as u32
                    ),
                ));
            }
        }
        Ok(s)
    }

    fn attr(&self, e: &BytesStart<'_>, name: &str, line: u64) -> Result<Option<String>> {
        for a in e.attributes() {
            let a = a.map_err(|err| self.err(line, format!("malformed TBX: {err}")))?;
            if a.key.as_ref() == name.as_bytes() {
                let raw = std::str::from_utf8(&a.value).unwrap_or_default();
                let v = self.unescape(raw, line)?;
                return Ok(Some(v.into_owned()));
            }
        }
        Ok(None)
    }

    fn level(&self) -> Option<Level> {
        self.entry.as_ref()?;
        Some(if self.term_depth.is_some() {
            Level::Term
        } else if self.lang_depth.is_some() {
            Level::Lang
        } else {
            Level::Entry
        })
    }

    fn start(&mut self, e: &BytesStart<'_>, line: u64) -> Result<()> {
        if self.collect.is_some() {
            return Ok(()); // inline markup (<hi>, <foreign>...) inside collected text
        }
        let name = local(e);
        match name.as_str() {
            "conceptEntry" | "termEntry" => {
                if self.entry.is_some() {
                    return Err(self.err(line, format!("malformed TBX: <{name}> inside an entry")));
                }
                let id = self.attr(e, "id", line)?.and_then(|v| {
                    let v = stored_form(&v);
                    (!v.is_empty()).then_some(v)
                });
                self.entry = Some(EntryRec {
                    line,
                    id,
                    ..EntryRec::default()
                });
                self.entry_depth = Some(self.depth);
                return Ok(());
            }
            "langSec" | "langSet" if self.entry.is_some() => {
                if self.lang_depth.is_some() {
                    return Err(self.err(
                        line,
                        format!("malformed TBX: <{name}> inside a language section"),
                    ));
                }
                let Some(lang) = self.attr(e, "xml:lang", line)? else {
                    return Err(self.err(line, format!("<{name}> without xml:lang")));
                };
                let tag = match LangTag::parse(lang.trim()) {
                    Ok(t) => {
                        if self.languages.insert(t.clone()) {
                            crate::limits::check_languages(self.languages.len())
                                .map_err(|m| Error::limit(self.path, line, m))?;
                        }
                        Some(t)
                    }
                    Err(err) => {
                        self.glossary.warn(
                            Location::line(self.path, line),
                            format!("skipped: the terms of language {lang:?} ({err})"),
                        );
                        None
                    }
                };
                self.lang_depth = Some(self.depth);
                if let Some(entry) = self.entry.as_mut() {
                    entry.langs.push(LangRec {
                        tag,
                        terms: Vec::new(),
                        definitions: Vec::new(),
                        notes: Vec::new(),
                    });
                }
                return Ok(());
            }
            "termSec" | "tig" | "ntig" if self.lang_depth.is_some() => {
                if self.term_depth.is_none() {
                    self.term_depth = Some(self.depth);
                }
                return Ok(());
            }
            _ => {}
        }
        let Some(level) = self.level() else {
            if name == "p" && self.attr(e, "type", line)?.as_deref() == Some(COLUMNS_TYPE) {
                self.collect = Some(Collect {
                    target: Target::Columns,
                    depth: self.depth,
                    line,
                    text: String::new(),
                });
            }
            return Ok(());
        };
        // The data category: DCA (`<termNote type="partOfSpeech">`) or DCT
        // (`<basic:partOfSpeech>`).
        let kind = match name.as_str() {
            "termNote" | "descrip" => self.attr(e, "type", line)?.unwrap_or_default(),
            other => other.to_string(),
        };
        let target = match (kind.as_str(), level) {
            ("term", Level::Lang | Level::Term) => Some(Target::Term),
            ("administrativeStatus" | "normativeAuthorization", Level::Term) => {
                Some(Target::Status)
            }
            ("partOfSpeech", Level::Term) => Some(Target::Pos),
            ("geographicalUsage", Level::Term) => Some(Target::Geo),
            ("definition", Level::Entry | Level::Lang) => Some(Target::Definition),
            ("subjectField", Level::Entry) => Some(Target::Subject),
            ("note", _) => Some(Target::Note),
            _ => None,
        };
        if let Some(target) = target {
            if target == Target::Term && self.term_depth.is_none() {
                // A <term> right inside a language section: a term group of its own.
                self.term_depth = Some(self.depth - 1);
            }
            self.collect = Some(Collect {
                target,
                depth: self.depth,
                line,
                text: String::new(),
            });
        }
        Ok(())
    }

    fn end(&mut self, line: u64) -> Result<()> {
        if let Some(c) = self.collect.as_ref() {
            if c.depth == self.depth {
                let c = self.collect.take().expect("checked");
                return self.finish(c);
            }
            return Ok(());
        }
        if self.term_depth == Some(self.depth) {
            self.term_depth = None;
        } else if self.lang_depth == Some(self.depth) {
            self.lang_depth = None;
            self.term_depth = None;
        } else if self.entry_depth == Some(self.depth) {
            self.entry_depth = None;
            if let Some(rec) = self.entry.take() {
                self.push_entry(rec, line)?;
            }
        }
        Ok(())
    }

    /// A collected text is complete: file it where it belongs.
    fn finish(&mut self, c: Collect) -> Result<()> {
        let level = self.level();
        let path = self.path;
        if c.target == Target::Columns {
            let names: Vec<String> = serde_json::from_str(c.text.trim()).map_err(|err| {
                self.err(
                    c.line,
                    format!(
                        "the {COLUMNS_TYPE} paragraph is not a JSON list of column names: {err}"
                    ),
                )
            })?;
            crate::limits::check_columns(names.len()).map_err(|m| Error::limit(path, c.line, m))?;
            for n in names {
                let col = Column::from_name(&n)
                    .map_err(|err| self.err(c.line, format!("column {n:?}: {err}")))?;
                if let Column::Lang(t) | Column::Forbidden(t) = &col {
                    if self.languages.insert(t.clone()) {
                        crate::limits::check_languages(self.languages.len())
                            .map_err(|m| Error::limit(path, c.line, m))?;
                    }
                }
                self.glossary.declare(col);
            }
            return Ok(());
        }
        let Some(entry) = self.entry.as_mut() else {
            return Ok(());
        };
        match c.target {
            Target::Term => {
                crate::limits::check_term(c.text.trim())
                    .map_err(|m| Error::limit(path, c.line, m))?;
                let text = stored_form(&c.text);
                if let Some(lang) = entry.langs.last_mut() {
                    lang.terms.push(TermRec {
                        text,
                        line: c.line,
                        ..TermRec::default()
                    });
                }
            }
            Target::Status | Target::Pos | Target::Geo => {
                let Some(term) = entry.langs.last_mut().and_then(|l| l.terms.last_mut()) else {
                    return Ok(()); // a termNote before its term: nothing to attach it to
                };
                let v = stored_form(&c.text);
                if c.target == Target::Status {
                    if let Some(s) = status_of(&v) {
                        term.status = Some(s);
                    }
                } else if c.target == Target::Geo {
                    if !v.is_empty() && term.geo.is_none() {
                        term.geo = Some(v);
                    }
                } else if !v.is_empty() && term.pos.is_none() {
                    term.pos = Some(v);
                }
            }
            Target::Columns => {}
            Target::Definition | Target::Subject | Target::Note => {
                let v = stored_form(&c.text);
                if v.is_empty() {
                    return Ok(());
                }
                match (c.target, level) {
                    (Target::Subject, _) => entry.domains.push(v),
                    (Target::Definition, Some(Level::Entry)) => entry.definitions.push(v),
                    (Target::Definition, _) => {
                        if let Some(l) = entry.langs.last_mut() {
                            l.definitions.push(v)
                        }
                    }
                    (_, Some(Level::Entry)) => {
                        if v.starts_with(CONCORD_NOTE) {
                            entry.concord.push((v, c.line));
                        } else {
                            entry.notes.push(v);
                        }
                    }
                    _ => {
                        if let Some(l) = entry.langs.last_mut() {
                            l.notes.push(v)
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// An entry is complete: build the glossary entry.
    fn push_entry(&mut self, rec: EntryRec, _end_line: u64) -> Result<()> {
        let path = self.path;
        let mut e = Entry::new();
        e.id = rec.id;
        if !rec.notes.is_empty() {
            e.note = Some(rec.notes.join("\n"));
        }
        if !rec.domains.is_empty() {
            e.domain = Some(rec.domains.join("; "));
        }
        if !rec.definitions.is_empty() {
            e.props
                .push(("definition".into(), rec.definitions.join("\n")));
        }
        // Terms, by language (a language may have several sections: they are merged).
        let mut pos_all: Option<Option<&str>> = None; // Some(None): they differ
        let mut every_term_has_pos = true;
        // (language, forbidden, term) already placed: duplicates cost O(1), not a scan.
        let mut placed: std::collections::HashSet<(&LangTag, bool, &str)> = Default::default();
        for l in &rec.langs {
            let Some(tag) = &l.tag else { continue };
            for t in &l.terms {
                if t.text.is_empty() {
                    continue;
                }
                match (&t.pos, pos_all) {
                    (None, _) => every_term_has_pos = false,
                    (Some(p), None) => pos_all = Some(Some(p)),
                    (Some(p), Some(Some(q))) if p != q => pos_all = Some(None),
                    _ => {}
                }
                let forbidden = t.status == Some(Status::Forbidden);
                if !placed.insert((tag, forbidden, t.text.as_str())) {
                    continue;
                }
                let set = e.term_set_mut(tag);
                let list = if forbidden {
                    &mut set.forbidden
                } else {
                    &mut set.approved
                };
                crate::limits::check_variants(list.len() + 1).map_err(|m| {
                    Error::limit(
                        path,
                        t.line,
                        format!("{m} (terms of one language in one entry)"),
                    )
                })?;
                if t.status == Some(Status::Preferred) {
                    // Preferred terms first, in file order among themselves.
                    let at = set_preferred_count(&l.terms, &t.text);
                    let at = at.min(list.len());
                    list.insert(at, t.text.clone());
                } else {
                    list.push(t.text.clone());
                }
            }
        }
        let uniform_pos = match pos_all {
            Some(Some(p)) if every_term_has_pos => Some(p.to_string()),
            _ => None,
        };
        if let Some(p) = &uniform_pos {
            e.props.push(("pos".into(), p.clone()));
        }
        // Qualified variants, in the order the entry now has them (the writer's order).
        let qualified = e.terms.iter().flat_map(|(tag, set)| {
            set.approved
                .iter()
                .chain(&set.forbidden)
                .filter_map(|v| {
                    rec.langs
                        .iter()
                        .filter(|l| l.tag.as_ref() == Some(tag))
                        .flat_map(|l| &l.terms)
                        .find(|t| t.text == *v && t.geo.is_some())
                        .and_then(|t| t.geo.as_deref())
                        .map(|q| (tag, v.as_str(), q))
                })
                .collect::<Vec<_>>()
        });
        let cell = qualifier_cell(qualified);
        if !cell.is_empty() {
            e.props.push((QUALIFIER_COLUMN.into(), cell));
        }
        let mut lang_props: Vec<(String, String)> = Vec::new();
        for l in &rec.langs {
            let Some(tag) = &l.tag else { continue };
            let mut add = |k: String, v: String| match lang_props.iter_mut().find(|(n, _)| *n == k)
            {
                Some((_, old)) => {
                    old.push('\n');
                    old.push_str(&v);
                }
                None => lang_props.push((k, v)),
            };
            if !l.definitions.is_empty() {
                add(format!("definition:{tag}"), l.definitions.join("\n"));
            }
            if !l.notes.is_empty() {
                add(format!("note:{tag}"), l.notes.join("\n"));
            }
        }
        if uniform_pos.is_none() {
            for l in &rec.langs {
                let Some(tag) = &l.tag else { continue };
                let key = format!("pos:{tag}");
                if lang_props.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                if let Some(p) = l.terms.iter().find_map(|t| t.pos.clone()) {
                    lang_props.push((key, p));
                }
            }
        }
        e.props.extend(lang_props);
        for (note, line) in &rec.concord {
            self.concord_note(&mut e, note, *line)?;
        }
        if e.has_no_terms() {
            self.glossary.warn(
                Location::line(path, rec.line),
                "skipped: an entry without any term in a language concord knows",
            );
            return Ok(());
        }
        for (t, _) in &e.terms {
            self.glossary.declare(Column::Lang(t.clone()));
        }
        self.glossary.push(e, Some(Location::line(path, rec.line)));
        Ok(())
    }

    /// Apply a `concord:` entry note (what concord's writer puts where TBX-Basic has no
    /// data category).
    fn concord_note(&self, e: &mut Entry, note: &str, line: u64) -> Result<()> {
        let body = &note[CONCORD_NOTE.len()..];
        let (key, value) = body.split_once('=').unwrap_or((body, ""));
        match key {
            "case" => e.case_sensitive = value.trim() == "sensitive",
            "strict" => {
                for part in value.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                    let t = LangTag::parse(part)
                        .map_err(|err| self.err(line, format!("the concord:strict note: {err}")))?;
                    if !e.strict.contains(&t) {
                        e.strict.push(t);
                    }
                }
            }
            "id" => e.id = Some(value.to_string()).filter(|v| !v.is_empty()),
            "prop" => {
                let (k, v): (String, String) = serde_json::from_str(value).map_err(|err| {
                    self.err(
                        line,
                        format!("the concord:prop note is not a JSON pair: {err}"),
                    )
                })?;
                // Properties are columns: as many as a CSV glossary may have.
                crate::limits::check_columns(e.props.len() + 1).map_err(|m| {
                    Error::limit(self.path, line, format!("{m} (properties of one entry)"))
                })?;
                match e.props.iter_mut().find(|(n, _)| *n == k) {
                    Some(slot) => slot.1 = v,
                    None => e.props.push((k, v)),
                }
            }
            // Another tool's note that happens to start with "concord:": keep it.
            _ => {
                e.note = Some(match e.note.take() {
                    Some(n) => format!("{n}\n{note}"),
                    None => note.to_string(),
                })
            }
        }
        Ok(())
    }
}

/// Line breaks in the file are layout (indentation of a pretty-printed file): each run of
/// white space holding a literal line break becomes one space. A line break that is part
/// of the text is written as a character reference (`&#xA;`, what [`write_tbx`] does) and
/// is kept, since this runs before references are resolved.
fn layout_space(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['\n', '\r']) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut run = String::new();
    let flush = |out: &mut String, run: &mut String| {
        if run.contains(['\n', '\r']) {
            out.push(' ');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in raw.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            run.push(c);
        } else {
            flush(&mut out, &mut run);
            out.push(c);
        }
    }
    flush(&mut out, &mut run);
    Cow::Owned(out)
}

/// Where a preferred term goes among the approved ones: after the preferred terms of the
/// same language that come before it in the file.
fn set_preferred_count(terms: &[TermRec], text: &str) -> usize {
    terms
        .iter()
        .take_while(|t| t.text != text)
        .filter(|t| t.status == Some(Status::Preferred))
        .count()
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

/// Which TBX to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TbxFlavor {
    /// TBX-Basic v3 (ISO 30042:2019), DCA style: `<tbx>`, `conceptEntry`, `langSec`,
    /// `termSec`.
    Basic,
    /// TBX 2008 (ISO 30042:2008) `<martif type="TBX-Basic">`: `termEntry`, `langSet`,
    /// `tig`; what older tools (OmegaT 3.6, translate-toolkit) read.
    Martif,
}

impl TbxFlavor {
    /// Parse a flavor name: `tbx`, `tbx-basic`, `tbx3` (Basic) or `tbx-martif`, `martif`,
    /// `tbx2008` (Martif).
    pub fn from_name(name: &str) -> Option<TbxFlavor> {
        match name.to_ascii_lowercase().as_str() {
            "tbx" | "tbx-basic" | "tbx3" | "tbx-v3" => Some(TbxFlavor::Basic),
            "tbx-martif" | "martif" | "tbx2008" | "tbx-2008" => Some(TbxFlavor::Martif),
            _ => None,
        }
    }
}

/// What [`write_tbx`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TbxWritten {
    /// Entries written.
    pub entries: usize,
    /// Entries left out because they have no term (a TBX entry needs one).
    pub without_terms: usize,
    /// Characters XML cannot carry, written as U+FFFD.
    pub replaced: u64,
}

/// True for an XML name without colon (an `xsd:ID` value).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn escape(out: &mut String, text: &str, attr: bool, replaced: &mut u64) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' if attr => out.push_str("&#x9;"),
            // A reference, so that the reader tells it from the file's own layout.
            '\n' => out.push_str("&#xA;"),
            c if !super::tmx::is_xml_char(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

struct Out {
    s: String,
    replaced: u64,
}

impl Out {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.s.push_str("  ");
        }
        self.s.push_str(text);
        self.s.push('\n');
    }

    /// `<name attrs>text</name>` on one line.
    fn element(&mut self, indent: usize, name: &str, attrs: &[(&str, &str)], text: &str) {
        for _ in 0..indent {
            self.s.push_str("  ");
        }
        self.s.push('<');
        self.s.push_str(name);
        self.attrs(attrs);
        self.s.push('>');
        escape(&mut self.s, text, false, &mut self.replaced);
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }

    fn open(&mut self, indent: usize, name: &str, attrs: &[(&str, &str)]) {
        for _ in 0..indent {
            self.s.push_str("  ");
        }
        self.s.push('<');
        self.s.push_str(name);
        self.attrs(attrs);
        self.s.push_str(">\n");
    }

    fn attrs(&mut self, attrs: &[(&str, &str)]) {
        for (k, v) in attrs {
            self.s.push(' ');
            self.s.push_str(k);
            self.s.push_str("=\"");
            escape(&mut self.s, v, true, &mut self.replaced);
            self.s.push('"');
        }
    }
}

/// Write `g` as TBX (see the module documentation).
pub fn write_tbx<W: Write>(g: &Glossary, flavor: TbxFlavor, mut out: W) -> Result<TbxWritten> {
    let (root, header, entry_el, lang_el, term_el) = match flavor {
        TbxFlavor::Basic => ("tbx", "tbxHeader", "conceptEntry", "langSec", "termSec"),
        TbxFlavor::Martif => ("martif", "martifHeader", "termEntry", "langSet", "tig"),
    };
    let langs = g.languages();
    let main_lang = langs
        .first()
        .map(|t| t.as_str().to_string())
        .unwrap_or_else(|| "en".into());
    let mut o = Out {
        s: String::new(),
        replaced: 0,
    };
    o.line(0, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    match flavor {
        TbxFlavor::Basic => o.open(
            0,
            root,
            &[
                ("type", "TBX-Basic"),
                ("style", "dca"),
                ("xml:lang", &main_lang),
                ("xmlns", TBX_V3_NAMESPACE),
            ],
        ),
        TbxFlavor::Martif => o.open(0, root, &[("type", "TBX-Basic"), ("xml:lang", &main_lang)]),
    }
    o.open(1, header, &[]);
    o.open(2, "fileDesc", &[]);
    o.open(3, "sourceDesc", &[]);
    o.element(4, "p", &[], "concord glossary export");
    let columns: Vec<String> = g.columns().iter().map(|c| c.name()).collect();
    o.element(
        4,
        "p",
        &[("type", COLUMNS_TYPE)],
        &serde_json::to_string(&columns).expect("strings serialize"),
    );
    o.line(3, "</sourceDesc>");
    o.line(2, "</fileDesc>");
    o.line(1, &format!("</{header}>"));
    o.open(1, "text", &[]);
    o.open(2, "body", &[]);
    let mut written = TbxWritten::default();
    let mut ids = std::collections::HashSet::new();
    for e in &g.entries {
        if e.has_no_terms() {
            written.without_terms += 1;
            continue;
        }
        written.entries += 1;
        write_entry(&mut o, e, &mut ids, (entry_el, lang_el, term_el));
    }
    o.line(2, "</body>");
    o.line(1, "</text>");
    o.line(0, &format!("</{root}>"));
    written.replaced = o.replaced;
    out.write_all(o.s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::new(ErrorKind::OutputIo, format!("writing the TBX file: {e}")))?;
    Ok(written)
}

fn write_entry(
    o: &mut Out,
    e: &Entry,
    ids: &mut std::collections::HashSet<String>,
    (entry_el, lang_el, term_el): (&str, &str, &str),
) {
    let mut concord: Vec<String> = Vec::new();
    let id_attr = match &e.id {
        Some(id) if is_ncname(id) && ids.insert(id.clone()) => Some(id.as_str()),
        Some(id) => {
            concord.push(format!("id={id}"));
            None
        }
        None => None,
    };
    match id_attr {
        Some(id) => o.open(3, entry_el, &[("id", id)]),
        None => o.open(3, entry_el, &[]),
    }
    if let Some(d) = &e.domain {
        o.element(4, "descrip", &[("type", "subjectField")], d);
    }
    let mut terms: Vec<&(LangTag, crate::glossary::TermSet)> =
        e.terms.iter().filter(|(_, s)| !s.is_empty()).collect();
    terms.sort_by(|a, b| a.0.order_key().cmp(&b.0.order_key()));
    let basic_pos = |v: &str| BASIC_POS.contains(&v);
    let global_pos = e.prop("pos").filter(|v| basic_pos(v));
    let mut lang_def: Vec<(&str, &str)> = Vec::new();
    let mut lang_pos: Vec<(&str, &str)> = Vec::new();
    let mut qualifiers: Vec<(LangTag, String, String)> = Vec::new();
    for (k, v) in &e.props {
        let written_as_data = match k.as_str() {
            QUALIFIER_COLUMN if qualifiers.is_empty() => match qualifiers_as_data(e, v) {
                Some(q) => {
                    qualifiers = q;
                    true
                }
                None => false,
            },
            "definition" => {
                o.element(4, "descrip", &[("type", "definition")], v);
                true
            }
            "pos" => global_pos.is_some(),
            _ => match k.split_once(':') {
                Some(("definition", t)) if terms.iter().any(|(l, _)| l.as_str() == t) => {
                    lang_def.push((t, v));
                    true
                }
                Some(("pos", t))
                    if global_pos.is_none()
                        && basic_pos(v)
                        && terms.iter().any(|(l, _)| l.as_str() == t) =>
                {
                    lang_pos.push((t, v));
                    true
                }
                _ => false,
            },
        };
        if !written_as_data {
            concord.push(format!(
                "prop={}",
                serde_json::to_string(&(k, v)).expect("strings serialize")
            ));
        }
    }
    if let Some(n) = &e.note {
        o.element(4, "note", &[], n);
    }
    if e.case_sensitive {
        concord.push("case=sensitive".into());
    }
    if !e.strict.is_empty() {
        concord.push(format!(
            "strict={}",
            e.strict
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join("|")
        ));
    }
    for c in &concord {
        o.element(4, "note", &[], &format!("{CONCORD_NOTE}{c}"));
    }
    for (tag, set) in terms {
        o.open(4, lang_el, &[("xml:lang", tag.as_str())]);
        if let Some((_, d)) = lang_def.iter().find(|(t, _)| *t == tag.as_str()) {
            o.element(5, "descrip", &[("type", "definition")], d);
        }
        let pos = global_pos.or_else(|| {
            lang_pos
                .iter()
                .find(|(t, _)| *t == tag.as_str())
                .map(|(_, p)| *p)
        });
        let statuses = set
            .approved
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t,
                    if i == 0 {
                        "preferredTerm-admn-sts"
                    } else {
                        "admittedTerm-admn-sts"
                    },
                )
            })
            .chain(set.forbidden.iter().map(|t| (t, "deprecatedTerm-admn-sts")));
        for (term, status) in statuses {
            o.open(5, term_el, &[]);
            o.element(6, "term", &[], term);
            if let Some(p) = pos {
                o.element(6, "termNote", &[("type", "partOfSpeech")], p);
            }
            if let Some((_, _, q)) = qualifiers.iter().find(|(t, v, _)| t == tag && v == term) {
                o.element(6, "termNote", &[("type", "geographicalUsage")], q);
            }
            o.element(6, "termNote", &[("type", "administrativeStatus")], status);
            o.line(5, &format!("</{term_el}>"));
        }
        o.line(4, &format!("</{lang_el}>"));
    }
    o.line(3, &format!("</{entry_el}>"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn read(text: &str) -> Result<Glossary> {
        read_tbx(text.as_bytes(), Path::new("t.tbx"))
    }
    fn tag(s: &str) -> LangTag {
        LangTag::parse(s).unwrap()
    }
    fn v3(entries: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<tbx type=\"TBX-Basic\" style=\"dca\" xml:lang=\"en\" xmlns=\"{TBX_V3_NAMESPACE}\">\n<tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>\n<text><body>\n{entries}\n</body></text></tbx>\n"
        )
    }

    #[test]
    fn tbx_basic_v3_statuses_map_to_approved_and_forbidden() {
        let g = read(&v3(r#"<conceptEntry id="c1">
  <descrip type="subjectField">politics</descrip>
  <note>use on first mention</note>
  <langSec xml:lang="en">
    <termSec><term>North Korea</term><termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec>
    <termSec><term>DPRK</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
    <termSec><term>N. Korea</term></termSec>
  </langSec>
  <langSec xml:lang="ko">
    <termSec><term>북한</term><termNote type="partOfSpeech">noun</termNote></termSec>
    <termSec><term>북조선</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
    <termSec><term>조선</term><termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec>
  </langSec>
</conceptEntry>"#))
        .unwrap();
        let e = &g.entries[0];
        assert_eq!(e.id.as_deref(), Some("c1"));
        let en = e.term_set(&tag("en")).unwrap();
        assert_eq!(en.approved, vec!["DPRK", "North Korea", "N. Korea"]);
        let ko = e.term_set(&tag("ko")).unwrap();
        assert_eq!(ko.approved, vec!["북한"]);
        assert_eq!(ko.forbidden, vec!["북조선", "조선"]);
        assert_eq!(e.domain.as_deref(), Some("politics"));
        assert_eq!(e.note.as_deref(), Some("use on first mention"));
        // Only one term has a part of speech: it stays with its language.
        assert_eq!(e.prop("pos"), None);
        assert_eq!(e.prop("pos:ko"), Some("noun"));
        assert_eq!(g.location(0).unwrap().line, Some(5));
    }

    #[test]
    fn tbx_2008_martif_tig_ntig_normative_authorization() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="e1">
  <descrip type="definition">the state north of the 38th parallel</descrip>
  <langSet xml:lang="zh-cn">
    <ntig><termGrp><term>朝鲜</term><termNote type="normativeAuthorization">preferredTerm</termNote></termGrp></ntig>
    <ntig><termGrp><term>北韩</term><termNote type="normativeAuthorization">deprecatedTerm</termNote></termGrp></ntig>
  </langSet>
  <langSet xml:lang="en"><descrip type="definition">Korean state</descrip>
    <tig><term>DPRK</term><termNote type="partOfSpeech">properNoun</termNote></tig>
  </langSet>
</termEntry>
</body></text></martif>"#;
        let g = read(text).unwrap();
        let e = &g.entries[0];
        let zh = e.term_set(&tag("zh-CN")).unwrap();
        assert_eq!(zh.approved, vec!["朝鲜"]);
        assert_eq!(zh.forbidden, vec!["北韩"]);
        assert_eq!(
            e.prop("definition"),
            Some("the state north of the 38th parallel")
        );
        assert_eq!(e.prop("definition:en"), Some("Korean state"));
        assert_eq!(e.prop("pos:en"), Some("properNoun"));
    }

    #[test]
    fn tbx_v3_dct_style_and_tbx_core() {
        let text = r#"<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed:3.0"
  xmlns:min="http://www.tbxinfo.net/ns/min" xmlns:basic="http://www.tbxinfo.net/ns/basic">
<tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
<text><body><conceptEntry id="a">
  <min:subjectField>diplomacy</min:subjectField>
  <langSec xml:lang="en"><termSec><term>envoy</term><basic:partOfSpeech>noun</basic:partOfSpeech>
    <min:administrativeStatus>preferredTerm-admn-sts</min:administrativeStatus></termSec></langSec>
  <langSec xml:lang="ko"><termSec><term>특사</term><basic:partOfSpeech>noun</basic:partOfSpeech></termSec></langSec>
</conceptEntry></body></text></tbx>"#;
        let g = read(text).unwrap();
        let e = &g.entries[0];
        assert_eq!(e.domain.as_deref(), Some("diplomacy"));
        assert_eq!(e.prop("pos"), Some("noun"));
        assert_eq!(
            e.approved(&crate::lang::LangRange::parse("ko").unwrap()),
            vec!["특사"]
        );
        let core = r#"<tbx type="TBX-Core" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed:3.0">
<tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
<text><body><conceptEntry id="k"><langSec xml:lang="en"><termSec><term>Seoul</term></termSec></langSec>
<langSec xml:lang="ko"><termSec><term>서울</term></termSec></langSec></conceptEntry></body></text></tbx>"#;
        let g = read(core).unwrap();
        assert_eq!(g.entries[0].terms.len(), 2);
    }

    /// Legacy encodings declared in the prolog, through encoding_rs.
    #[test]
    fn tbx_legacy_encodings_from_the_prolog() {
        let cases: [(&str, &str, &str); 7] = [
            ("EUC-KR", "ko", "한반도 평화"),
            ("GBK", "zh-CN", "朝鲜半岛"),
            ("GB18030", "zh-CN", "朝鲜半岛"),
            ("Big5", "zh-TW", "朝鮮半島"),
            ("ISO-8859-2", "pl", "Półwysep Koreański"),
            ("windows-1254", "tr", "Kore Yarımadası"),
            ("Shift_JIS", "ja", "朝鮮半島"),
        ];
        for (label, lang, term) in cases {
            let text = format!(
                "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<martif type=\"TBX\" xml:lang=\"en\"><text><body>\n<termEntry><langSet xml:lang=\"en\"><tig><term>Korean Peninsula</term></tig></langSet>\n<langSet xml:lang=\"{lang}\"><tig><term>{term}</term></tig></langSet></termEntry></body></text></martif>"
            );
            let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
            let (bytes, _, bad) = enc.encode(&text);
            assert!(!bad, "{label}");
            let g = read_tbx(&bytes, Path::new("t.tbx")).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(
                g.entries[0].term_set(&tag(lang)).unwrap().approved,
                vec![term],
                "{label}"
            );
        }
        // UTF-16 with a BOM (either order) and without one.
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<martif type=\"TBX\" xml:lang=\"en\"><text><body><termEntry><langSet xml:lang=\"ko\"><tig><term>외교부</term></tig></langSet></termEntry></body></text></martif>";
        for (bom, be) in [(true, false), (true, true), (false, false), (false, true)] {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let g = read_tbx(&bytes, Path::new("t.tbx")).unwrap();
            assert_eq!(g.entries[0].terms[0].1.approved, vec!["외교부"]);
        }
    }

    #[test]
    fn tbx_invalid_bytes_in_the_declared_encoding_name_the_line() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<martif>\n<text>".to_vec();
        bytes.extend_from_slice(&[0xFF, 0xFF]);
        let e = read_tbx(&bytes, Path::new("t.tbx")).unwrap_err();
        assert!(e.to_string().starts_with("t.tbx:3: "), "{e}");
        let bytes = b"<?xml version=\"1.0\"?>\n\n<martif>\xC3\x28</martif>";
        let e = read_tbx(bytes, Path::new("t.tbx")).unwrap_err();
        assert!(e.to_string().starts_with("t.tbx:3: invalid UTF-8"), "{e}");
        let e = read("<?xml version=\"1.0\" encoding=\"klingon-8\"?><martif/>").unwrap_err();
        assert!(e.to_string().contains("klingon-8"), "{e}");
    }

    /// Billion laughs, an external entity to /etc/passwd, parameter entities: the DOCTYPE
    /// is refused at its line, nothing is expanded, nothing is read.
    #[test]
    fn tbx_entity_bombs_are_refused_with_file_and_line() {
        let bombs = [
            "<?xml version=\"1.0\"?>\n<!DOCTYPE martif [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<martif><text><body><termEntry><langSet xml:lang=\"en\"><tig><term>&lol3;</term></tig></langSet></termEntry></body></text></martif>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE martif [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n<martif><text><body><termEntry><langSet xml:lang=\"en\"><tig><term>&xxe;</term></tig></langSet></termEntry></body></text></martif>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE martif [ <!ENTITY % pe SYSTEM \"http://example.invalid/x.dtd\"> %pe; ]>\n<martif/>",
        ];
        for b in bombs {
            let e = read(b).unwrap_err();
            assert_eq!(*e.kind(), ErrorKind::Parse, "{e}");
            assert!(e.to_string().starts_with("t.tbx:2: "), "{e}");
            assert!(e.to_string().contains("entit"), "{e}");
        }
        // An entity used without any declaration: unknown, at its line.
        let e = read(&v3("<conceptEntry>\n<langSec xml:lang=\"en\"><termSec><term>&passwd;</term></termSec></langSec></conceptEntry>")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.tbx:6: unknown entity &passwd;"),
            "{e}"
        );
        let e = read(&v3("<conceptEntry id=\"&x;\"><langSec xml:lang=\"en\"><termSec><term>a</term></termSec></langSec></conceptEntry>")).unwrap_err();
        assert!(e.to_string().contains("unknown entity &x;"), "{e}");
    }

    #[test]
    fn tbx_malformed_input_names_file_and_line() {
        let o = |t: &str| read(t).unwrap_err().to_string();
        assert!(o(&v3("<conceptEntry>\n<langSec xml:lang=\"en\"><termSec><term>a</termSec></langSec></conceptEntry>")).starts_with("t.tbx:6: malformed TBX"));
        assert!(o("<tmx version=\"1.4\"/>").contains("not a TBX file"));
        assert!(o(&v3(
            "<conceptEntry>\n<langSec><termSec><term>a</term></termSec></langSec></conceptEntry>"
        ))
        .starts_with("t.tbx:6: <langSec> without xml:lang"));
        assert!(o(&format!("{}<martif/>", v3(""))).contains("second root element"));
        assert!(o("<martif><text>\n<body>").contains("ends inside an element"));
        assert!(o(&v3("<conceptEntry><langSec xml:lang=\"en\"><termSec><term>a\u{1b}]0;x\u{7}</term></termSec></langSec></conceptEntry>")).contains("U+001B"));
        assert!(o(&v3("<conceptEntry><langSec xml:lang=\"en\"><termSec><term>a&#x1b;</term></termSec></langSec></conceptEntry>")).contains("U+001B"));
        let e = read("  \n").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn tbx_unknown_language_is_skipped_with_a_warning() {
        let g = read(&v3("<conceptEntry>\n<langSec xml:lang=\"en\"><termSec><term>a</term></termSec></langSec>\n<langSec xml:lang=\"xx\"><termSec><term>b</term></termSec></langSec></conceptEntry>\n<conceptEntry><langSec xml:lang=\"xx\"><termSec><term>c</term></termSec></langSec></conceptEntry>")).unwrap();
        assert_eq!(g.entries.len(), 1);
        assert_eq!(g.languages(), vec![tag("en")]);
        let w: Vec<String> = g.warnings().iter().map(|w| w.to_string()).collect();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].starts_with("t.tbx:7: skipped"), "{w:?}");
        assert!(
            w[2].starts_with("t.tbx:8: skipped: an entry without any term"),
            "{w:?}"
        );
    }

    #[test]
    fn tbx_limits_term_length_variants_languages() {
        let long = "가".repeat(crate::limits::Limits::current().term_chars + 1);
        let e = read(&v3(&format!("<conceptEntry>\n<langSec xml:lang=\"ko\"><termSec><term>{long}</term></termSec></langSec></conceptEntry>"))).unwrap_err();
        assert_eq!(*e.kind(), ErrorKind::Limit);
        assert!(e.to_string().starts_with("t.tbx:6: term length"), "{e}");
        let many: String = (0..=crate::limits::Limits::current().variants)
            .map(|i| format!("<termSec><term>t{i}</term></termSec>"))
            .collect();
        let e = read(&v3(&format!(
            "<conceptEntry><langSec xml:lang=\"en\">\n{many}</langSec></conceptEntry>"
        )))
        .unwrap_err();
        assert_eq!(*e.kind(), ErrorKind::Limit);
        assert!(e.to_string().contains("variants"), "{e}");
        let langs = [
            "en", "ko", "zh", "ja", "fr", "de", "es", "it", "ru", "ar", "pt", "nl", "sv", "pl",
            "tr", "vi", "th", "id", "ms", "fi", "da", "nb", "cs", "hu", "ro", "el", "he", "hi",
            "bn", "uk",
        ];
        let regions = ["US", "GB", "CA", "AU", "FR"];
        let secs: String = langs
            .iter()
            .flat_map(|l| {
                regions.iter().map(move |r| {
                    format!(
                        "<langSec xml:lang=\"{l}-{r}\"><termSec><term>x</term></termSec></langSec>"
                    )
                })
            })
            .collect();
        assert!(langs.len() * regions.len() > crate::limits::Limits::current().languages);
        let e = read(&v3(&format!("<conceptEntry>{secs}</conceptEntry>"))).unwrap_err();
        assert_eq!(*e.kind(), ErrorKind::Limit);
        assert!(e.to_string().contains("distinct languages"), "{e}");
    }

    #[test]
    fn tbx_properties_of_one_entry_are_limited_like_columns() {
        let n = crate::limits::Limits::current().columns + 1;
        let notes: String = (0..n)
            .map(|i| format!("<note>concord:prop=[\"p{i}\",\"v\"]</note>\n"))
            .collect();
        let e = read(&v3(&format!(
            "<conceptEntry>\n{notes}<langSec xml:lang=\"en\"><termSec><term>a</term></termSec></langSec></conceptEntry>"
        )))
        .unwrap_err();
        assert_eq!(*e.kind(), ErrorKind::Limit);
        assert!(e.to_string().contains("properties of one entry"), "{e}");
    }

    /// Quadratic work: a one-line file asked the line of every event by counting the
    /// columns from the start of the line (minutes for a few MB); the line is a binary
    /// search now.
    #[test]
    fn quadratic_work_tbx_one_line_file_reads_in_linear_time() {
        let entries: String = (0..20_000)
            .map(|i| format!("<termEntry><langSet xml:lang=\"en\"><tig><term>t{i}</term></tig></langSet></termEntry>"))
            .collect();
        let text = format!("<martif><text><body>{entries}</body></text></martif>");
        let t0 = std::time::Instant::now();
        let g = read(&text).unwrap();
        assert_eq!(g.entries.len(), 20_000);
        assert!(t0.elapsed().as_secs() < 20, "{:?}", t0.elapsed());
    }

    #[test]
    fn tbx_layout_line_breaks_are_spaces_references_are_kept() {
        let g = read(&v3("<conceptEntry><note>first line\n      continued&#xA;second</note>\n<langSec xml:lang=\"en\"><termSec><term>\n  Joint\n  Statement\n</term></termSec></langSec></conceptEntry>")).unwrap();
        assert_eq!(
            g.entries[0].note.as_deref(),
            Some("first line continued\nsecond")
        );
        assert_eq!(g.entries[0].terms[0].1.approved, vec!["Joint Statement"]);
    }

    #[test]
    fn tbx_writer_round_trips_every_canonical_field() {
        let csv = "id,en,ko,zh-Hant,en:forbidden,ko:forbidden,note,domain,case,strict,pos,definition,definition:ko,source,pos:en\n\
                   dprk,DPRK|North Korea,북한,北韓,N. Korea,북조선|조선,\"a <note> & \"\"quotes\"\"\nline two\",politics,sensitive,ko,noun,the northern state,북쪽 국가,UN,\n\
                   1 bad id,Seoul,서울,首爾,,,,,,,,,,,verb\n\
                   ,Busan,부산,,,,,,,ko|zh-Hant,n.,,,,\n";
        let g = Glossary::from_csv_str(csv, Path::new("g.csv"), &Default::default()).unwrap();
        for flavor in [TbxFlavor::Basic, TbxFlavor::Martif] {
            let mut a = Vec::new();
            let w = write_tbx(&g, flavor, &mut a).unwrap();
            assert_eq!(w.entries, 3);
            let mut b = Vec::new();
            write_tbx(&g, flavor, &mut b).unwrap();
            assert_eq!(a, b, "deterministic");
            let back = read_tbx(&a, Path::new("g.tbx")).unwrap();
            assert_eq!(
                back.to_csv_string(),
                g.to_csv_string(),
                "{flavor:?}\n{}",
                String::from_utf8_lossy(&a)
            );
        }
        let mut a = Vec::new();
        write_tbx(&g, TbxFlavor::Basic, &mut a).unwrap();
        let s = String::from_utf8(a).unwrap();
        assert!(s.contains("<conceptEntry id=\"dprk\">"), "{s}");
        assert!(s.contains("<note>concord:id=1 bad id</note>"), "{s}");
        assert!(s.contains(
            "<termNote type=\"administrativeStatus\">deprecatedTerm-admn-sts</termNote>"
        ));
        assert!(
            s.contains("<note>concord:prop=[\"pos\",\"n.\"]</note>"),
            "{s}"
        );
    }

    #[test]
    fn tbx_qualifiers_travel_as_geographical_usage() {
        // Canonical cells become term notes; a cell in another order (or naming no
        // variant of the entry) travels as a concord:prop note. Both come back as they were.
        let csv = "id,en,ko,zh,zh-Hant,qualifier\n\
                   vice-minister,Vice Minister,차관|부부장,副部长|次官,副部長|次長,ko:차관=ROK|ko:부부장=PRC|zh:副部长=PRC|zh:次官=ROK|zh-Hant:次長=TW\n\
                   odd,Envoy,특사,特使,,ko:대사=X|ko:특사=Y\n\
                   plain,Minister,장관,部长,,\n";
        let g = Glossary::from_csv_str(csv, Path::new("g.csv"), &Default::default()).unwrap();
        for flavor in [TbxFlavor::Basic, TbxFlavor::Martif] {
            let mut a = Vec::new();
            write_tbx(&g, flavor, &mut a).unwrap();
            let s = String::from_utf8(a.clone()).unwrap();
            let after = &s[s.find("<term>부부장</term>").unwrap()..];
            assert!(
                after
                    .trim_start_matches("<term>부부장</term>")
                    .trim_start()
                    .starts_with("<termNote type=\"geographicalUsage\">PRC</termNote>"),
                "{s}"
            );
            assert!(
                s.contains("<termNote type=\"geographicalUsage\">TW</termNote>"),
                "{s}"
            );
            assert_eq!(s.matches("geographicalUsage").count(), 5, "{s}");
            assert!(
                s.contains("concord:prop=[\"qualifier\",\"ko:대사=X|ko:특사=Y\"]"),
                "{s}"
            );
            let back = read_tbx(&a, Path::new("g.tbx")).unwrap();
            assert_eq!(back.to_csv_string(), g.to_csv_string(), "{flavor:?}\n{s}");
            let tag = |t: &str| LangTag::parse(t).unwrap();
            assert_eq!(
                back.entries[0]
                    .qualifier(&tag("zh-Hant"), "次長")
                    .as_deref(),
                Some("TW")
            );
            assert_eq!(back.entries[0].qualifier(&tag("zh-Hant"), "副部長"), None);
        }
        // A TBX from elsewhere: geographicalUsage of a term becomes its qualifier.
        let g = read(&v3(r#"<conceptEntry id="vm">
  <langSec xml:lang="ko">
    <termSec><term>차관</term><termNote type="geographicalUsage">ROK</termNote></termSec>
    <termSec><term>부부장</term><termNote type="geographicalUsage">PRC</termNote></termSec>
  </langSec>
</conceptEntry>"#))
        .unwrap();
        assert_eq!(
            g.entries[0].prop(QUALIFIER_COLUMN),
            Some("ko:차관=ROK|ko:부부장=PRC")
        );
    }

    #[test]
    fn tbx_writer_leaves_out_entries_without_terms() {
        let g = Glossary::from_csv_str(
            "en,ko,note\n,,only a note\nSeoul,서울,\n",
            Path::new("g.csv"),
            &Default::default(),
        )
        .unwrap();
        let mut a = Vec::new();
        let w = write_tbx(&g, TbxFlavor::Basic, &mut a).unwrap();
        assert_eq!((w.entries, w.without_terms), (1, 1));
    }
}
