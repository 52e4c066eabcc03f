//! Reading SRX 2.0 files into segmentation [`Rules`] (the model and the segmenter are
//! in [`crate::segment`]; like every reader, this one lives in `formats`).
//!
//! Only what segmentation needs is read: the `cascade` flag of the header, the language
//! rules (`<rule break="yes|no">` with `<beforebreak>` and `<afterbreak>`) and the map rules
//! (`<languagemap languagepattern=".." languagerulename=".."/>`). Format handles are
//! accepted and ignored: concord segments plain text. One extension: a rule with the
//! attribute `soft="yes"` (in concord's namespace, `concord:soft`) and `break="no"` is a
//! soft boundary ([`crate::segment::Segmenter::pieces`]); other SRX tools read it as an
//! exception. `soft="weak"` is a weak soft boundary (a weaker cue, which the aligner
//! cuts at only with more evidence: [`crate::segment::Piece::weak_start`]).

use std::path::Path;
use std::sync::OnceLock;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use regex::Regex;

use crate::segment::{Document, LanguageMap, Rule, Rules, DEFAULT_SRX};
use crate::{Error, Result};

/// A `<rule>` being read.
#[derive(Default)]
struct RuleDraft {
    is_break: bool,
    soft: bool,
    weak: bool,
    before: Option<String>,
    after: Option<String>,
    line: u64,
}

fn line_of(text: &str, byte: usize) -> u64 {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// The 1-based line of byte positions that never decrease (the reader's positions),
/// counting only the newlines since the position asked before.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, byte: usize) -> u64 {
        let byte = byte.min(text.len());
        if byte < self.pos {
            return line_of(text, byte);
        }
        self.newlines += text.as_bytes()[self.pos..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = byte;
        self.newlines + 1
    }
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> std::result::Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        if a.key.local_name().as_ref() == name {
            let v = a
                .unescape_value()
                .map_err(|e| format!("bad attribute value: {e}"))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Compile one pattern of a rule, naming the place in the file when it does not compile.
pub(super) fn compile(pattern: &str, path: &Path, line: u64, what: &str) -> Result<Regex> {
    Regex::new(pattern).map_err(|e| {
        let detail = e.to_string();
        let hint = if pattern.contains("(?<") || pattern.contains("(?=") || pattern.contains("(?!")
        {
            " (look-around is not supported: write the context into <beforebreak> or <afterbreak>)"
        } else {
            ""
        };
        Error::parse(
            path,
            line,
            format!("{what} pattern {pattern:?} does not compile{hint}: {detail}"),
        )
    })
}

/// Parse an SRX 2.0 document. `path` names it in errors.
pub(super) fn parse(text: &str, path: &Path) -> Result<Rules> {
    let mut reader = Reader::from_str(text);
    let mut cascade = true;
    let mut saw_srx = false;
    // Rules per language-rule name, in file order.
    let mut language_rules: Vec<(String, Vec<Rule>)> = Vec::new();
    let mut current: Option<(String, Vec<Rule>)> = None;
    let mut rule: Option<RuleDraft> = None;
    // Which text element we are in: 1 = beforebreak, 2 = afterbreak.
    let mut in_text: u8 = 0;
    let mut maps: Vec<(String, String, u64)> = Vec::new();
    // The line of the event being read, counted on from the previous event's (positions
    // only grow), so that naming lines costs one pass over the text, not one per event.
    let mut lines = LineCounter::default();
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            Error::parse(
                path,
                line_of(text, reader.error_position() as usize),
                format!("not well-formed SRX: {e}"),
            )
        })?;
        let line = lines.line_at(text, pos);
        let bad = |m: String| Error::parse(path, line, m);
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"srx" => {
                        saw_srx = true;
                        if let Some(v) = attr(e, b"version").map_err(bad)? {
                            if !v.starts_with('2') {
                                return Err(Error::parse(
                                    path,
                                    line,
                                    format!("SRX version {v} is not supported (only 2.0)"),
                                ));
                            }
                        }
                    }
                    b"header" => {
                        if let Some(v) = attr(e, b"cascade").map_err(bad)? {
                            cascade = v != "no";
                        }
                    }
                    b"languagerule" => {
                        if current.is_some() || rule.is_some() {
                            return Err(bad("<languagerule> inside another <languagerule>".into()));
                        }
                        let name = attr(e, b"languagerulename")
                            .map_err(bad)?
                            .ok_or_else(|| bad("<languagerule> without languagerulename".into()))?;
                        if empty {
                            language_rules.push((name, Vec::new()));
                        } else {
                            current = Some((name, Vec::new()));
                        }
                    }
                    b"rule" => {
                        if current.is_none() {
                            return Err(bad("<rule> outside <languagerule>".into()));
                        }
                        if rule.is_some() {
                            return Err(bad("<rule> inside another <rule>".into()));
                        }
                        let is_break = attr(e, b"break").map_err(bad)?.as_deref() != Some("no");
                        // concord's extension (any namespace prefix): a soft boundary, a
                        // place where a sentence may end without punctuation. Other SRX
                        // tools read it as the exception it is written as.
                        // `soft="weak"`: a weaker cue, priced higher by the aligner.
                        let soft_attr = attr(e, b"soft").map_err(bad)?;
                        let weak = soft_attr.as_deref() == Some("weak");
                        let soft = soft_attr.as_deref() == Some("yes") || weak;
                        if soft && is_break {
                            return Err(bad(
                                "a soft rule is written break=\"no\" (it is no break for other SRX tools)".into(),
                            ));
                        }
                        let draft = RuleDraft {
                            is_break,
                            soft,
                            weak,
                            line,
                            ..RuleDraft::default()
                        };
                        if empty {
                            return Err(bad(
                                "empty <rule>: it needs a <beforebreak> or an <afterbreak>".into(),
                            ));
                        }
                        rule = Some(draft);
                    }
                    b"beforebreak" | b"afterbreak" => {
                        let which = if e.local_name().as_ref() == b"beforebreak" {
                            1
                        } else {
                            2
                        };
                        let Some(r) = rule.as_mut() else {
                            return Err(bad("<beforebreak>/<afterbreak> outside <rule>".into()));
                        };
                        if in_text != 0 {
                            return Err(bad(
                                "<beforebreak>/<afterbreak> inside <beforebreak>/<afterbreak>"
                                    .into(),
                            ));
                        }
                        let slot = if which == 1 {
                            &mut r.before
                        } else {
                            &mut r.after
                        };
                        *slot = Some(String::new());
                        in_text = if empty { 0 } else { which };
                    }
                    b"languagemap" => {
                        let pattern = attr(e, b"languagepattern")
                            .map_err(bad)?
                            .ok_or_else(|| bad("<languagemap> without languagepattern".into()))?;
                        let name = attr(e, b"languagerulename")
                            .map_err(bad)?
                            .ok_or_else(|| bad("<languagemap> without languagerulename".into()))?;
                        maps.push((pattern, name, line));
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text != 0 => {
                let s = t.unescape().map_err(|e| bad(format!("bad text: {e}")))?;
                let Some(r) = rule.as_mut() else {
                    return Err(bad(
                        "text of <beforebreak>/<afterbreak> outside <rule>".into()
                    ));
                };
                let slot = if in_text == 1 {
                    &mut r.before
                } else {
                    &mut r.after
                };
                slot.get_or_insert_with(String::new).push_str(&s);
            }
            Event::CData(t) if in_text != 0 => {
                let s = String::from_utf8_lossy(&t).into_owned();
                let Some(r) = rule.as_mut() else {
                    return Err(bad(
                        "text of <beforebreak>/<afterbreak> outside <rule>".into()
                    ));
                };
                let slot = if in_text == 1 {
                    &mut r.before
                } else {
                    &mut r.after
                };
                slot.get_or_insert_with(String::new).push_str(&s);
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"beforebreak" | b"afterbreak" => in_text = 0,
                b"rule" => {
                    let Some(r) = rule.take() else {
                        return Err(bad("</rule> without its <rule>".into()));
                    };
                    in_text = 0;
                    let before = r.before.unwrap_or_default();
                    let after = r.after.unwrap_or_default();
                    let compiled = Rule {
                        is_break: r.is_break,
                        soft: r.soft,
                        weak: r.weak,
                        before: compile(&before, path, r.line, "<beforebreak>")?,
                        after: compile(&after, path, r.line, "<afterbreak>")?,
                        before_src: before,
                        after_src: after,
                    };
                    let Some(c) = current.as_mut() else {
                        return Err(bad("<rule> outside <languagerule>".into()));
                    };
                    c.1.push(compiled);
                }
                b"languagerule" => {
                    if let Some(c) = current.take() {
                        language_rules.push(c);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_srx {
        return Err(Error::parse_file(path, "not an SRX file: no <srx> element"));
    }
    let mut out = Vec::new();
    for (pattern, name, line) in maps {
        let Some((_, rules)) = language_rules.iter().find(|(n, _)| *n == name) else {
            return Err(Error::parse(
                path,
                line,
                format!("<languagemap> names the language rule {name:?}, which the file does not define"),
            ));
        };
        out.push(LanguageMap {
            pattern: compile(&format!("^(?:{pattern})$"), path, line, "languagepattern")?,
            pattern_src: pattern,
            name,
            rules: rules.clone(),
        });
    }
    Ok(Rules {
        documents: vec![Document { cascade, maps: out }],
    })
}

impl Default for Rules {
    /// concord's shipped rules (`src/segment/default.srx`). They are parsed and compiled
    /// once per process; each call returns a copy that shares the compiled patterns.
    fn default() -> Rules {
        static SHIPPED: OnceLock<Rules> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                Rules::from_srx_str(DEFAULT_SRX, Path::new("default.srx"))
                    .expect("the shipped default.srx is valid (tested)")
            })
            .clone()
    }
}

/// Reading SRX rules.
impl Rules {
    /// Parse an SRX 2.0 document. `path` names it in error messages.
    pub fn from_srx_str(text: &str, path: &Path) -> Result<Rules> {
        parse(text, path)
    }

    /// Read an SRX 2.0 file.
    pub fn from_srx_file(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Rules::from_srx_str(&text, path)
    }
}

/// The rules a request asks for: the shipped ones, a user's file in front of them, or a
/// user's file alone.
pub fn load_rules(srx: Option<&Path>, srx_only: bool) -> Result<Rules> {
    match (srx, srx_only) {
        (Some(p), true) => Rules::from_srx_file(p),
        (Some(p), false) => Ok(Rules::default().extended_by(Rules::from_srx_file(p)?)),
        (None, true) => Err(Error::bad_request(
            "using only a user's SRX rules needs an SRX file",
        )),
        (None, false) => Ok(Rules::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counter agrees with counting from the start (the brute-force reference) at
    /// every position, asked in increasing order, repeated, and going back.
    #[test]
    fn line_counter_agrees_with_counting_from_the_start() {
        let text = "a\nbc\n\n한국\r\n中文\nx";
        let mut c = LineCounter::default();
        for byte in 0..=text.len() + 2 {
            assert_eq!(c.line_at(text, byte), line_of(text, byte), "at {byte}");
            assert_eq!(
                c.line_at(text, byte),
                line_of(text, byte),
                "again at {byte}"
            );
        }
        assert_eq!(c.line_at(text, 3), line_of(text, 3));
    }

    /// Found by the `srx` fuzz target: a `<rule>` opened inside another rule's
    /// `<beforebreak>` left the reader in a text element with no rule, and the next text
    /// panicked ("in_text implies a rule"). A user's SRX file could crash `concord
    /// segment` and `concord align`; nesting is now an error naming the line.
    #[test]
    fn srx_nested_rule_is_an_error_not_a_panic() {
        let head = r#"<srx xmlns="http://www.lisa.org/srx20" version="2.0"><body><languagerules>"#;
        let cases = [
            r#"<languagerule languagerulename="x">
<rule><beforebreak>a<rule><afterbreak>b</afterbreak></rule>c</beforebreak></rule>"#,
            r#"<languagerule languagerulename="x">
<rule><beforebreak>a<beforebreak>b</beforebreak>c</beforebreak></rule>"#,
            r#"<languagerule languagerulename="x">
<rule><beforebreak>\.</beforebreak><languagerule languagerulename="y"></languagerule></rule>"#,
        ];
        for case in cases {
            let text = format!("{head}{case}</languagerule></languagerules></body></srx>");
            let err = parse(&text, Path::new("user.srx"))
                .err()
                .unwrap_or_else(|| panic!("accepted: {case}"));
            let msg = err.to_string();
            assert!(msg.contains("user.srx:2"), "{msg}");
            assert!(msg.contains(" inside "), "{msg}");
        }
    }
}
