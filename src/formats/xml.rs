//! What the XML readers share: the whole document as UTF-8 text, and positions.
//!
//! [`read_document`] opens a file with [`super::input::open_text`] (BOM, UTF-16) and
//! returns its text; a decoding error names its line. [`LineIndex`] turns the byte
//! offsets quick-xml reports into the 1-based line and column (in characters) a text
//! editor shows, so every XML error and every segment of an XML draft (XLIFF, TMX) has
//! the same kind of position. [`LineCounter`] does the same for the streaming TMX memory
//! reader without keeping the file. [`syntax_error`] is the one way a quick-xml error
//! becomes a concord error (a decoding error keeps its own line). [`end_of_document`]
//! refuses a second root element or text after the root, as every XML reader of
//! concord must.

use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{Error, Result};

/// Line starts of a text, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Index the line starts of `text` (lines end at LF; a CR before it is part of the
    /// line, as editors count).
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, line_starts }
    }

    /// The 1-based line and column (in Unicode scalar values) of byte offset `byte`
    /// (clamped to the end of the text).
    pub fn position(&self, byte: u64) -> (u64, u64) {
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

    /// The 1-based line of byte offset `byte` (a binary search: no column is counted, so
    /// a reader may ask for every event of a one-line file).
    pub fn line(&self, byte: u64) -> u64 {
        let byte = (byte as usize).min(self.text.len());
        self.line_starts.partition_point(|&s| s <= byte) as u64
    }
}

/// A `BufRead` that remembers where the line breaks were, so that a byte position that
/// quick-xml reports can be turned into a line number without keeping the file.
pub struct LineCounter<R> {
    inner: R,
    consumed: u64,
    /// Line breaks before `mark`.
    lines_before: u64,
    mark: u64,
    /// Offsets of the line breaks at or after `mark`.
    recent: VecDeque<u64>,
}

impl<R: BufRead> LineCounter<R> {
    /// Count the line breaks `inner` hands out.
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            consumed: 0,
            lines_before: 0,
            mark: 0,
            recent: VecDeque::new(),
        }
    }

    /// Forget the line breaks before `pos` (keeping their count).
    pub fn forget_before(&mut self, pos: u64) {
        while let Some(&o) = self.recent.front() {
            if o >= pos {
                break;
            }
            self.recent.pop_front();
            self.lines_before += 1;
        }
        self.mark = self.mark.max(pos);
    }

    /// 1-based line of byte `pos` (exact for positions at or after the last mark).
    pub fn line_at(&self, pos: u64) -> u64 {
        self.lines_before + self.recent.iter().take_while(|&&o| o < pos).count() as u64 + 1
    }
}

impl<R: BufRead> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        if let Ok(buf) = self.inner.fill_buf() {
            let base = self.consumed;
            let upto = amt.min(buf.len());
            for (i, b) in buf[..upto].iter().enumerate() {
                if *b == b'\n' {
                    self.recent.push_back(base + i as u64);
                }
            }
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

/// The error for a quick-xml error at `line` of `path`: a read error (invalid UTF-16
/// keeps the line where it happened), else "malformed `what`: ...".
pub fn syntax_error(path: &Path, line: u64, what: &str, e: &quick_xml::Error) -> Error {
    match e {
        quick_xml::Error::Io(io) => super::input::read_error(path, line, io),
        other => Error::parse(path, line, format!("malformed {what}: {other}")),
    }
}

/// Read `path` whole as UTF-8 text (see the module documentation).
pub fn read_document(path: &Path) -> Result<String> {
    decode_document(path, super::input::open_text(path)?)
}

/// Read an opened input whole as UTF-8 text, as [`read_document`] reads a file (`path`
/// names it in messages).
pub fn decode_document(path: &Path, mut input: super::input::TextInput) -> Result<String> {
    let mut bytes = Vec::new();
    if let Err(e) = input.reader.read_to_end(&mut bytes) {
        // What was decoded before the error is in `bytes`: it names the line.
        let line = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        return Err(super::input::read_error(path, line, &e));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        Error::parse(path, line, "invalid UTF-8 (save the file as UTF-8)")
    })
}

/// After the root element's end: only white space, comments and processing
/// instructions may follow. `what` names the format in the message (`XLIFF`).
pub fn end_of_document(
    r: &mut Reader<&[u8]>,
    index: &LineIndex<'_>,
    path: &Path,
    what: &str,
) -> Result<()> {
    loop {
        let pos = r.buffer_position();
        let ev = r
            .read_event()
            .map_err(|e| syntax_error(path, index.line(r.error_position()), what, &e))?;
        match ev {
            Event::Eof => return Ok(()),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                return Err(Error::parse(
                    path,
                    index.line(pos),
                    format!("malformed {what}: a second root element <{name}> after the end of the document"),
                ));
            }
            _ => {
                return Err(Error::parse(
                    path,
                    index.line(pos),
                    format!("malformed {what}: content after the end of the document"),
                ))
            }
        }
    }
}

/// The attributes of an element as (name, unescaped value) pairs, in document order;
/// an attribute whose value does not unescape is left out. The one copy the XML readers
/// and writers share.
pub(crate) fn attributes(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            let k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            a.unescape_value().ok().map(|v| (k, v.into_owned()))
        })
        .collect()
}

/// The value of attribute `name` among `attrs` (from [`attributes`]).
pub(crate) fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let t = "ab\n한국x\r\nz";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(0), (1, 1));
        assert_eq!(ix.position(3), (2, 1));
        // After two 3-byte Hangul syllables: column 3.
        assert_eq!(ix.position(9), (2, 3));
        assert_eq!(ix.position(t.len() as u64 - 1), (3, 1));
        assert_eq!(ix.position(1000), (3, 2));
        for b in 0..=t.len() as u64 + 2 {
            assert_eq!(ix.line(b), ix.position(b).0, "{b}");
        }
    }
}
