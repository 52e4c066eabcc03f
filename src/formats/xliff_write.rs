//! The memory as a bilingual XLIFF file for two languages: XLIFF 1.2 (valid against the
//! OASIS 1.2 transitional schema) or XLIFF 2.0 (core, with the metadata module).
//!
//! One `<trans-unit>` / `<unit>` per memory unit that has both languages, in id order,
//! its `id` the unit id; two-space indentation, LF line ends, fixed attribute order, so
//! the same memory always gives the same bytes.
//!
//! * Text is the variant's TMX markup when it still yields the stored text (else the
//!   plain text), with its inline codes written back as XLIFF codes. XLIFF 1.2:
//!   `<bpt i>`/`<ept i>` → `<bpt id>`/`<ept id>`, `<ph x>` → `<ph id>`, `<it pos x>` →
//!   `<it id pos="open|close">`, `<ut>` → `<ph>`, native code kept as content; `<hi>` →
//!   `<mrk mtype="x-hi">`; TMX `type` → `ctype` (as `x-TYPE` when XLIFF 1.2 has no such
//!   value). XLIFF 2.0: paired `bpt`/`ept` → `<sc id="bI"/>`/`<ec startRef="bI"/>`
//!   (unpaired ones isolated), `ph` → `<ph id="pX"/>`, `it` → isolated `sc`/`ec`, native
//!   code in the unit's `<originalData>` (`dataRef`); `hi` keeps its text only.
//! * State: the unit's `x-xliff-state` property when it is a value of the version
//!   written, else `translated` (XLIFF 1.2 `final`/`signed-off` become 2.0 `final`);
//!   XLIFF 1.2 units are `approved="yes"` unless the unit's `x-xliff-approved` says `no`.
//! * Metadata: origin, dates, people, `srclang` and properties of the unit in a 1.2
//!   `<prop-group name="concord">` (`<prop prop-type>`) or a 2.0
//!   `<mda:metadata><mda:metaGroup category="concord">` (`<mda:meta type>`), notes as
//!   `<note>`.
//!
//! Characters XML 1.0 cannot carry are written as U+FFFD and counted, as in TMX.

use std::io::Write;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::tmx::{escape_attr_into, escape_text_into, plain_text_of_markup};
use super::ExportReport;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::{LangRange, LangTag};
use crate::unit::{Unit, Variant};

/// The XLIFF version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// XLIFF 1.2.
    V12,
    /// XLIFF 2.0.
    V20,
}

/// Write the units of `mem` that have both languages of `langs` (exactly two ranges:
/// source, target) as bilingual XLIFF.
pub fn write_memory_xliff<W: Write>(
    mem: &crate::store::Memory,
    version: Version,
    langs: &[LangRange],
    out: W,
) -> Result<ExportReport> {
    let [from, to] = langs else {
        return Err(Error::new(
            ErrorKind::BadRequest,
            format!(
                "XLIFF is bilingual: name two languages, the source first (got {})",
                langs.len()
            ),
        ));
    };
    let tag = |r: &LangRange, what: &str| {
        r.tag().cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::BadRequest,
                format!("the {what} language of an XLIFF file must be a language tag, not {r}"),
            )
        })
    };
    let (src, tgt) = (tag(from, "source")?, tag(to, "target")?);
    let mut w = XliffWriter::new(out, version, &src, &tgt)?;
    let mut report = ExportReport {
        languages: vec![src.to_string(), tgt.to_string()],
        ..ExportReport::default()
    };
    mem.for_each_unit(langs, 2, |u| {
        let (Some(s), Some(t)) = (u.variant_in(from), u.variant_in(to)) else {
            return Ok(());
        };
        report.units += 1;
        w.write_unit(&u, s, t)
    })?;
    report.replaced_chars = w.replaced_chars;
    w.finish()?;
    Ok(report)
}

/// Writes a bilingual XLIFF document unit by unit (see the module documentation).
pub struct XliffWriter<W: Write> {
    out: W,
    version: Version,
    buf: String,
    /// Characters XML 1.0 cannot carry, written as U+FFFD.
    pub replaced_chars: u64,
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<xliff output>", e)
}

/// One piece of a segment's markup.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Text(String),
    /// A TMX code: element name, attributes, native code.
    Code(String, Vec<(String, String)>, String),
    HiStart,
    HiEnd,
}

/// The pieces of a variant: its markup's when it still yields the stored text, else the
/// plain text.
fn tokens(v: &Variant) -> Vec<Tok> {
    let Some(mk) = v.markup.as_deref() else {
        return vec![Tok::Text(v.text.clone())];
    };
    if plain_text_of_markup(mk).ok().as_deref() != Some(v.text.as_str()) {
        return vec![Tok::Text(v.text.clone())];
    }
    parse_markup(mk).unwrap_or_else(|| vec![Tok::Text(v.text.clone())])
}

/// A code being read: name, attributes, native code so far, nesting depth inside it.
type OpenCode = (String, Vec<(String, String)>, String, usize);

fn parse_markup(mk: &str) -> Option<Vec<Tok>> {
    let doc = format!("<seg>{mk}</seg>");
    let mut r = Reader::from_str(&doc);
    let mut out = Vec::new();
    // Inside a code: (name, attrs, native, depth).
    let mut code: Option<OpenCode> = None;
    let mut his = 0usize;
    let mut depth = 0usize;
    loop {
        match r.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                let _ = e;
                depth = 1;
            }
            Event::Start(e) => {
                depth += 1;
                if let Some(c) = code.as_mut() {
                    c.3 += 1;
                    continue;
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match name.as_str() {
                    "bpt" | "ept" | "ph" | "it" | "ut" => {
                        code = Some((name, super::xml::attributes(&e), String::new(), 0));
                    }
                    "hi" => {
                        his += 1;
                        out.push(Tok::HiStart);
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if code.is_some() {
                    continue;
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if matches!(name.as_str(), "bpt" | "ept" | "ph" | "it" | "ut") {
                    out.push(Tok::Code(name, super::xml::attributes(&e), String::new()));
                }
            }
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                match code.as_mut() {
                    Some(c) if c.3 > 0 => c.3 -= 1,
                    Some(_) => {
                        let (n, a, native, _) = code.take().expect("matched");
                        out.push(Tok::Code(n, a, native));
                    }
                    None if his > 0 => {
                        his -= 1;
                        out.push(Tok::HiEnd);
                    }
                    None => {}
                }
            }
            Event::Text(t) => {
                let s = t.unescape().ok()?.into_owned();
                match code.as_mut() {
                    Some(c) => c.2.push_str(&s),
                    None => out.push(Tok::Text(s)),
                }
            }
            Event::CData(t) => {
                let s = String::from_utf8_lossy(&t).into_owned();
                match code.as_mut() {
                    Some(c) => c.2.push_str(&s),
                    None => out.push(Tok::Text(s)),
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(out)
}

/// A TMX `type` as an XLIFF 1.2 `ctype`: its own value when XLIFF 1.2 has it, else
/// `x-TYPE`.
fn ctype(t: &str) -> String {
    const XLIFF12: &[&str] = &["bold", "italic", "underlined", "link", "image", "pb", "lb"];
    if XLIFF12.contains(&t) || t.starts_with("x-") {
        t.to_string()
    } else {
        let clean: String = t
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("x-{clean}")
    }
}

/// The XLIFF 1.2 state of a unit (its `x-xliff-state` property when valid).
fn state12(u: &Unit) -> &str {
    const V: &[&str] = &[
        "final",
        "needs-adaptation",
        "needs-l10n",
        "needs-review-adaptation",
        "needs-review-l10n",
        "needs-review-translation",
        "needs-translation",
        "new",
        "signed-off",
        "translated",
    ];
    match prop(u, "x-xliff-state") {
        Some(s) if V.contains(&s) || s.starts_with("x-") => s,
        _ => "translated",
    }
}

/// The XLIFF 2.0 state of a unit.
fn state20(u: &Unit) -> &'static str {
    match prop(u, "x-xliff-state") {
        Some("reviewed") => "reviewed",
        Some("final" | "signed-off") => "final",
        _ => "translated",
    }
}

fn prop<'a>(u: &'a Unit, kind: &str) -> Option<&'a str> {
    u.meta
        .extra
        .props
        .iter()
        .find(|p| p.kind == kind)
        .map(|p| p.value.as_str())
}

/// The unit's metadata as (type, value) pairs, in a fixed order.
fn metadata(u: &Unit) -> Vec<(String, String)> {
    let m = &u.meta;
    let mut out = Vec::new();
    for (k, v) in [
        ("x-origin", &m.origin),
        ("x-created", &m.created),
        ("x-creator", &m.creator),
        ("x-changed", &m.changed),
        ("x-changer", &m.changer),
        ("x-srclang", &m.source_lang),
    ] {
        if let Some(v) = v {
            out.push((k.to_string(), v.clone()));
        }
    }
    for (k, v) in &m.extra.attrs {
        out.push((format!("x-attr-{k}"), v.clone()));
    }
    for p in &m.extra.props {
        out.push((p.kind.clone(), p.value.clone()));
    }
    out
}

impl<W: Write> XliffWriter<W> {
    /// Start a document for `source` → `target`.
    pub fn new(mut out: W, version: Version, source: &LangTag, target: &LangTag) -> Result<Self> {
        let mut h = String::new();
        let mut ignore = 0;
        let tool = env!("CARGO_PKG_VERSION");
        h.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        match version {
            Version::V12 => {
                h.push_str(
                    "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n",
                );
                h.push_str("  <file original=\"concord\" source-language=\"");
                escape_attr_into(&mut h, source.as_str(), &mut ignore);
                h.push_str("\" target-language=\"");
                escape_attr_into(&mut h, target.as_str(), &mut ignore);
                h.push_str("\" datatype=\"plaintext\" tool-id=\"concord\">\n");
                h.push_str("    <header>\n      <tool tool-id=\"concord\" tool-name=\"concord\" tool-version=\"");
                escape_attr_into(&mut h, tool, &mut ignore);
                h.push_str("\"/>\n    </header>\n    <body>\n");
            }
            Version::V20 => {
                h.push_str("<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" xmlns:mda=\"urn:oasis:names:tc:xliff:metadata:2.0\" version=\"2.0\" srcLang=\"");
                escape_attr_into(&mut h, source.as_str(), &mut ignore);
                h.push_str("\" trgLang=\"");
                escape_attr_into(&mut h, target.as_str(), &mut ignore);
                h.push_str("\">\n  <file id=\"f1\" original=\"concord\">\n");
            }
        }
        out.write_all(h.as_bytes()).map_err(io_err)?;
        Ok(XliffWriter {
            out,
            version,
            buf: String::with_capacity(4096),
            replaced_chars: 0,
        })
    }

    /// Write one unit with its source and target variants.
    pub fn write_unit(&mut self, u: &Unit, source: &Variant, target: &Variant) -> Result<()> {
        let mut b = std::mem::take(&mut self.buf);
        b.clear();
        let id = u.id.map(|i| i.to_string()).unwrap_or_else(|| "0".into());
        let meta = metadata(u);
        let r = &mut self.replaced_chars;
        match self.version {
            Version::V12 => {
                b.push_str("      <trans-unit id=\"");
                escape_attr_into(&mut b, &id, r);
                b.push('"');
                // A memory holds confirmed translations: approved unless the unit came
                // from a file that said it was not (tools such as translate-toolkit read
                // an unapproved target as fuzzy).
                let approved = prop(u, "x-xliff-approved")
                    .filter(|a| matches!(*a, "yes" | "no"))
                    .unwrap_or("yes");
                b.push_str(" approved=\"");
                b.push_str(approved);
                b.push('"');
                b.push_str(">\n        <source>");
                write12(&mut b, &tokens(source), r);
                b.push_str("</source>\n        <target state=\"");
                escape_attr_into(&mut b, state12(u), r);
                b.push_str("\">");
                write12(&mut b, &tokens(target), r);
                b.push_str("</target>\n");
                for n in &u.meta.extra.notes {
                    b.push_str("        <note>");
                    escape_text_into(&mut b, n, r);
                    b.push_str("</note>\n");
                }
                if !meta.is_empty() {
                    b.push_str("        <prop-group name=\"concord\">\n");
                    for (k, v) in &meta {
                        b.push_str("          <prop prop-type=\"");
                        escape_attr_into(&mut b, k, r);
                        b.push_str("\">");
                        escape_text_into(&mut b, v, r);
                        b.push_str("</prop>\n");
                    }
                    b.push_str("        </prop-group>\n");
                }
                b.push_str("      </trans-unit>\n");
            }
            Version::V20 => {
                b.push_str("    <unit id=\"u");
                escape_attr_into(&mut b, &id, r);
                b.push_str("\">\n");
                if !meta.is_empty() {
                    b.push_str(
                        "      <mda:metadata>\n        <mda:metaGroup category=\"concord\">\n",
                    );
                    for (k, v) in &meta {
                        b.push_str("          <mda:meta type=\"");
                        escape_attr_into(&mut b, k, r);
                        b.push_str("\">");
                        escape_text_into(&mut b, v, r);
                        b.push_str("</mda:meta>\n");
                    }
                    b.push_str("        </mda:metaGroup>\n      </mda:metadata>\n");
                }
                if !u.meta.extra.notes.is_empty() {
                    b.push_str("      <notes>\n");
                    for n in &u.meta.extra.notes {
                        b.push_str("        <note>");
                        escape_text_into(&mut b, n, r);
                        b.push_str("</note>\n");
                    }
                    b.push_str("      </notes>\n");
                }
                let mut data: Vec<(String, String)> = Vec::new();
                let mut src = String::new();
                let mut tgt = String::new();
                write20(&mut src, &tokens(source), &mut data, r);
                write20(&mut tgt, &tokens(target), &mut data, r);
                if !data.is_empty() {
                    b.push_str("      <originalData>\n");
                    for (id, native) in &data {
                        b.push_str("        <data id=\"");
                        b.push_str(id);
                        b.push_str("\">");
                        escape_text_into(&mut b, native, r);
                        b.push_str("</data>\n");
                    }
                    b.push_str("      </originalData>\n");
                }
                b.push_str("      <segment state=\"");
                b.push_str(state20(u));
                b.push_str("\">\n        <source>");
                b.push_str(&src);
                b.push_str("</source>\n        <target>");
                b.push_str(&tgt);
                b.push_str("</target>\n      </segment>\n    </unit>\n");
            }
        }
        self.out.write_all(b.as_bytes()).map_err(io_err)?;
        self.buf = b;
        Ok(())
    }

    /// Close the document and return the writer.
    pub fn finish(mut self) -> Result<W> {
        let end: &[u8] = match self.version {
            Version::V12 => b"    </body>\n  </file>\n</xliff>\n",
            Version::V20 => b"  </file>\n</xliff>\n",
        };
        self.out.write_all(end).map_err(io_err)?;
        self.out.flush().map_err(io_err)?;
        Ok(self.out)
    }
}

fn push_attr(b: &mut String, k: &str, v: &str, r: &mut u64) {
    b.push(' ');
    b.push_str(k);
    b.push_str("=\"");
    escape_attr_into(b, v, r);
    b.push('"');
}

/// A segment's pieces as XLIFF 1.2 content.
fn write12(b: &mut String, toks: &[Tok], r: &mut u64) {
    let mut auto = 0u32;
    let mut next = || {
        auto += 1;
        format!("a{auto}")
    };
    for t in toks {
        match t {
            Tok::Text(s) => escape_text_into(b, s, r),
            Tok::HiStart => b.push_str("<mrk mtype=\"x-hi\">"),
            Tok::HiEnd => b.push_str("</mrk>"),
            Tok::Code(name, a, native) => {
                let (elem, id, pos) = match name.as_str() {
                    "bpt" | "ept" => (
                        name.as_str(),
                        super::xml::attribute(a, "i")
                            .map(str::to_string)
                            .unwrap_or_else(&mut next),
                        None,
                    ),
                    "it" => (
                        "it",
                        super::xml::attribute(a, "x")
                            .map(str::to_string)
                            .unwrap_or_else(&mut next),
                        Some(if super::xml::attribute(a, "pos") == Some("end") {
                            "close"
                        } else {
                            "open"
                        }),
                    ),
                    _ => (
                        "ph",
                        super::xml::attribute(a, "x")
                            .map(str::to_string)
                            .unwrap_or_else(&mut next),
                        None,
                    ),
                };
                b.push('<');
                b.push_str(elem);
                push_attr(b, "id", &id, r);
                if let Some(p) = pos {
                    push_attr(b, "pos", p, r);
                }
                if elem != "ept" {
                    if let Some(t) = super::xml::attribute(a, "type") {
                        push_attr(b, "ctype", &ctype(t), r);
                    }
                }
                if native.is_empty() {
                    b.push_str("/>");
                } else {
                    b.push('>');
                    escape_text_into(b, native, r);
                    b.push_str("</");
                    b.push_str(elem);
                    b.push('>');
                }
            }
        }
    }
}

/// A segment's pieces as XLIFF 2.0 content; native code goes to `data` (`d1`, `d2`...).
fn write20(b: &mut String, toks: &[Tok], data: &mut Vec<(String, String)>, r: &mut u64) {
    // Which `i`s have both a bpt and a later ept here: only those are a pair.
    let mut opened: Vec<&str> = Vec::new();
    let mut paired: Vec<&str> = Vec::new();
    for t in toks {
        if let Tok::Code(n, a, _) = t {
            match (n.as_str(), super::xml::attribute(a, "i")) {
                ("bpt", Some(i)) => opened.push(i),
                ("ept", Some(i)) if opened.contains(&i) => paired.push(i),
                _ => {}
            }
        }
    }
    let mut auto = 0u32;
    let mut open_now: Vec<String> = Vec::new();
    for t in toks {
        let Tok::Code(name, a, native) = t else {
            if let Tok::Text(s) = t {
                escape_text_into(b, s, r);
            }
            continue;
        };
        let mut dref = || -> Option<String> {
            if native.is_empty() {
                return None;
            }
            let id = format!("d{}", data.len() + 1);
            data.push((id.clone(), native.clone()));
            Some(id)
        };
        let mut fresh = |p: &str| {
            auto += 1;
            format!("{p}{auto}")
        };
        let i = super::xml::attribute(a, "i");
        let x = super::xml::attribute(a, "x");
        match name.as_str() {
            "bpt" if i.is_some_and(|i| paired.contains(&i)) => {
                let id = format!("b{}", i.unwrap_or_default());
                open_now.push(id.clone());
                b.push_str("<sc");
                push_attr(b, "id", &id, r);
                if let Some(d) = dref() {
                    push_attr(b, "dataRef", &d, r);
                }
                b.push_str("/>");
            }
            "ept" if i.is_some_and(|i| open_now.contains(&format!("b{i}"))) => {
                let id = format!("b{}", i.unwrap_or_default());
                open_now.retain(|o| *o != id);
                b.push_str("<ec");
                if let Some(d) = dref() {
                    push_attr(b, "dataRef", &d, r);
                }
                push_attr(b, "startRef", &id, r);
                b.push_str("/>");
            }
            "bpt" | "ept" | "it" => {
                let begin = name == "bpt"
                    || (name == "it" && super::xml::attribute(a, "pos") != Some("end"));
                let id = match (name.as_str(), i, x) {
                    ("bpt", Some(i), _) => format!("bi{i}"),
                    ("ept", Some(i), _) => format!("ei{i}"),
                    ("it", _, Some(x)) if begin => format!("ib{x}"),
                    ("it", _, Some(x)) => format!("ie{x}"),
                    _ => fresh("n"),
                };
                b.push_str(if begin { "<sc" } else { "<ec" });
                if let Some(d) = dref() {
                    push_attr(b, "dataRef", &d, r);
                }
                push_attr(b, "id", &id, r);
                b.push_str(" isolated=\"yes\"/>");
            }
            _ => {
                let id = match (name.as_str(), x) {
                    ("ph", Some(x)) => format!("p{x}"),
                    _ => fresh("n"),
                };
                b.push_str("<ph");
                if let Some(d) = dref() {
                    push_attr(b, "dataRef", &d, r);
                }
                push_attr(b, "id", &id, r);
                b.push_str("/>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(text: &str, markup: Option<&str>) -> Variant {
        let mut v = Variant::new(LangTag::parse("en").unwrap(), text);
        v.markup = markup.map(str::to_string);
        v
    }

    #[test]
    fn codes_become_xliff12_codes() {
        let v = var(
            "Press Save now.",
            Some(
                r#"Press <bpt i="1" type="bold" x="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> <ph x="2"/>now.<it pos="end" x="3"/>"#,
            ),
        );
        let mut b = String::new();
        write12(&mut b, &tokens(&v), &mut 0);
        assert_eq!(
            b,
            r#"Press <bpt id="1" ctype="bold">&lt;b&gt;</bpt>Save<ept id="1">&lt;/b&gt;</ept> <ph id="2"/>now.<it id="3" pos="close"/>"#
        );
    }

    #[test]
    fn codes_become_xliff20_codes_with_original_data() {
        let v = var(
            "Press Save now.",
            Some(
                r#"Press <bpt i="1" x="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> <ph x="2"/>now.<ept i="9"/>"#,
            ),
        );
        let mut b = String::new();
        let mut data = vec![];
        write20(&mut b, &tokens(&v), &mut data, &mut 0);
        assert_eq!(
            b,
            r#"Press <sc id="b1" dataRef="d1"/>Save<ec dataRef="d2" startRef="b1"/> <ph id="p2"/>now.<ec id="ei9" isolated="yes"/>"#
        );
        assert_eq!(
            data,
            vec![("d1".into(), "<b>".into()), ("d2".into(), "</b>".into())]
        );
    }

    #[test]
    fn stale_markup_is_written_as_plain_text() {
        let v = var("Other text & more", Some(r#"<ph x="1"/>Old text"#));
        let mut b = String::new();
        write12(&mut b, &tokens(&v), &mut 0);
        assert_eq!(b, "Other text &amp; more");
    }
}
