//! Rewriting a few characters of a draft in place: every other byte of the file kept.
//!
//! The draft readers record where each text's characters are ([`TextRun`]: a TSV/CSV
//! row and cell index, an XML text or CDATA node). [`RunBytes::locate`] finds, in the
//! bytes the reader read, the byte at which each character of a run starts, checking
//! that the bytes decode to exactly the characters the reader gave (a cell's quotes
//! doubled, XML entities and character references); [`encode`] writes a replacement the
//! way its place needs it (XML-escaped, quotes doubled in a quoted CSV cell) or refuses
//! what the place cannot hold (a TAB in a TSV cell, a delimiter in an unquoted CSV
//! cell); [`apply`] splices the edits. Nothing is re-serialized: inline tags,
//! attributes, entities elsewhere, line ends and the byte-order mark stay as they were.
//! [`unified_diff`] shows what changed.

use std::ops::Range;

use super::segment::{RunKind, TextRun};

/// How the characters of a located run are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// A TSV cell: written as it is; no TAB or line break.
    Tsv,
    /// A CSV cell without quotes: no delimiter, quote or line break.
    CsvBare(u8),
    /// A quoted CSV cell: a quote is doubled.
    CsvQuoted,
    /// XML character data: `& < >` escaped.
    Xml,
    /// A CDATA section: anything but `]]>`.
    Cdata,
}

/// A run found in the bytes: where each of its characters starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunBytes {
    /// Byte offset of each character of the run, and one past the last (`chars + 1`
    /// offsets), in the bytes given to [`RunBytes::locate`].
    pub starts: Vec<usize>,
    /// How the run is written.
    pub escape: Escape,
}

impl RunBytes {
    /// Find `run` in `doc` (the UTF-8 text its reader read, byte-order mark removed) and
    /// check it against `chars`, the characters the reader gave for it. `None` when the
    /// bytes are not there or do not decode to those characters (a fixer must not touch
    /// them then).
    pub fn locate(doc: &[u8], run: &TextRun, chars: &[char]) -> Option<RunBytes> {
        let (start, end) = (
            usize::try_from(run.bytes.start).ok()?,
            usize::try_from(run.bytes.end).ok()?,
        );
        if start > end || end > doc.len() {
            return None;
        }
        let (content, escape) = match run.kind {
            RunKind::Cell { index, delimiter } => cell(doc, start..end, index, delimiter)?,
            RunKind::Xml => (start..end, Escape::Xml),
            RunKind::Cdata => (start..end, Escape::Cdata),
        };
        let decoded = decode(doc, content, escape)?;
        let got: Vec<char> = decoded.iter().map(|(c, _)| *c).collect();
        if got != chars {
            return None;
        }
        let mut starts: Vec<usize> = decoded.iter().map(|(_, at)| *at).collect();
        starts.push(decoded_end(doc, &decoded, escape, end));
        Some(RunBytes { starts, escape })
    }

    /// The bytes of characters `a..b` of the run.
    pub fn bytes(&self, a: usize, b: usize) -> Option<Range<usize>> {
        Some(*self.starts.get(a)?..*self.starts.get(b)?)
    }
}

/// The end of the run's content: after its last character (an XML entity, a doubled
/// quote included).
fn decoded_end(doc: &[u8], decoded: &[(char, usize)], escape: Escape, end: usize) -> usize {
    let Some(&(c, at)) = decoded.last() else {
        return end;
    };
    let b = doc[at];
    match (escape, b) {
        (Escape::Xml, b'&') => at + doc[at..].iter().position(|&x| x == b';').unwrap_or(0) + 1,
        (Escape::CsvQuoted, b'"') => at + 2,
        _ => at + c.len_utf8(),
    }
}

/// Cell `index` of the row at `row`: its content's bytes and how it is written.
fn cell(doc: &[u8], row: Range<usize>, index: usize, delim: u8) -> Option<(Range<usize>, Escape)> {
    let bytes = &doc[row.clone()];
    // A CSV reader may put a row's start at the LF of the CRLF before it.
    let mut i = if delim == b'\t' {
        0
    } else {
        bytes
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(bytes.len())
    };
    let mut k = 0usize;
    loop {
        let (content, escape, next) = if delim != b'\t' && bytes.get(i) == Some(&b'"') {
            // Quoted: up to a quote that is not doubled.
            let mut j = i + 1;
            loop {
                match bytes.get(j)? {
                    b'"' if bytes.get(j + 1) == Some(&b'"') => j += 2,
                    b'"' => break,
                    _ => j += 1,
                }
            }
            (i + 1..j, Escape::CsvQuoted, j + 1)
        } else {
            let stop = |b: &u8| *b == delim || (delim != b'\t' && (*b == b'\n' || *b == b'\r'));
            let j = bytes[i..]
                .iter()
                .position(stop)
                .map_or(bytes.len(), |p| i + p);
            let esc = if delim == b'\t' {
                Escape::Tsv
            } else {
                Escape::CsvBare(delim)
            };
            (i..j, esc, j)
        };
        if k == index {
            return Some((row.start + content.start..row.start + content.end, escape));
        }
        if bytes.get(next) != Some(&delim) {
            return None;
        }
        i = next + 1;
        k += 1;
    }
}

/// The characters of `range` and the byte each starts at.
fn decode(doc: &[u8], range: Range<usize>, escape: Escape) -> Option<Vec<(char, usize)>> {
    let text = std::str::from_utf8(&doc[range.clone()]).ok()?;
    let mut out = Vec::with_capacity(text.len());
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = range.start + i;
        match (escape, c) {
            (Escape::Xml, '&') => {
                let semi = text[i..].find(';')?;
                let name = &text[i + 1..i + semi];
                let ch = match name {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => {
                        let num = name.strip_prefix('#')?;
                        let v = match num.strip_prefix(['x', 'X']) {
                            Some(h) => u32::from_str_radix(h, 16).ok()?,
                            None => num.parse().ok()?,
                        };
                        char::from_u32(v)?
                    }
                };
                out.push((ch, at));
                while it.peek().is_some_and(|(j, _)| *j <= i + semi) {
                    it.next();
                }
            }
            (Escape::CsvQuoted, '"') => {
                if it.next().map(|(_, c)| c) != Some('"') {
                    return None;
                }
                out.push(('"', at));
            }
            _ => out.push((c, at)),
        }
    }
    Some(out)
}

/// `text` written for a place of kind `escape`, or `None` when it cannot be written
/// there without changing the file's structure.
pub fn encode(escape: Escape, text: &str) -> Option<String> {
    let breaks = |t: &str| t.contains(['\n', '\r']);
    match escape {
        Escape::Tsv => (!text.contains('\t') && !breaks(text)).then(|| text.to_string()),
        Escape::CsvBare(d) => {
            (!text.contains([d as char, '"']) && !breaks(text)).then(|| text.to_string())
        }
        Escape::CsvQuoted => Some(text.replace('"', "\"\"")),
        Escape::Xml => Some(
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        ),
        Escape::Cdata => (!text.contains("]]>")).then(|| text.to_string()),
    }
}

/// `doc` with each byte range replaced by its bytes. The edits must not overlap (they
/// are sorted here); `None` when two do.
pub fn apply(doc: &[u8], edits: &[(Range<usize>, String)]) -> Option<Vec<u8>> {
    let mut sorted: Vec<&(Range<usize>, String)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = Vec::with_capacity(doc.len() + 64);
    let mut at = 0usize;
    for (r, s) in sorted {
        if r.start < at || r.end > doc.len() || r.start > r.end {
            return None;
        }
        out.extend_from_slice(&doc[at..r.start]);
        out.extend_from_slice(s.as_bytes());
        at = r.end;
    }
    out.extend_from_slice(&doc[at..]);
    Some(out)
}

/// A unified diff (`diff -u`, 3 lines of context) from `old` to `new`, named `a/NAME`
/// and `b/NAME`; empty when they are equal. Lines keep their ends (a CR of a CRLF line
/// is part of the line, as `diff` shows it); a last line without a line end is marked
/// `\ No newline at end of file`. Made for edits that change no line end: lines are
/// compared one to one, and when the line counts differ the whole file is one hunk.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    let line = |out: &mut String, sign: char, l: &str| {
        out.push(sign);
        out.push_str(l);
        if !l.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    if a.len() != b.len() {
        out += &format!("@@ -1,{} +1,{} @@\n", a.len(), b.len());
        a.iter().for_each(|l| line(&mut out, '-', l));
        b.iter().for_each(|l| line(&mut out, '+', l));
        return out;
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    let mut k = 0;
    while k < changed.len() {
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let s = first.saturating_sub(CONTEXT);
        let e = (last + CONTEXT + 1).min(a.len());
        out += &format!("@@ -{},{} +{},{} @@\n", s + 1, e - s, s + 1, e - s);
        for i in s..e {
            if a[i] == b[i] {
                line(&mut out, ' ', a[i]);
            } else {
                line(&mut out, '-', a[i]);
            }
            // Removed lines of a change come before the added ones: gather them.
            if a[i] != b[i] && (i + 1 == e || a[i + 1] == b[i + 1]) {
                let mut j = i;
                while j > s && a[j - 1] != b[j - 1] {
                    j -= 1;
                }
                for l in &b[j..=i] {
                    line(&mut out, '+', l);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: Range<u64>, kind: RunKind, chars: usize) -> TextRun {
        TextRun {
            offset: 0,
            chars,
            bytes,
            kind,
        }
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn tsv_cells_are_found_by_index() {
        let doc = "en\tko\r\nPeace\t북조선은 평화\r\n".as_bytes();
        let row = 7..(doc.len() - 2) as u64;
        let kind = RunKind::Cell {
            index: 1,
            delimiter: b'\t',
        };
        let r = RunBytes::locate(doc, &run(row.clone(), kind, 7), &chars("북조선은 평화")).unwrap();
        assert_eq!(r.escape, Escape::Tsv);
        let b = r.bytes(0, 3).unwrap();
        assert_eq!(&doc[b], "북조선".as_bytes());
        // Other characters than the reader gave: not located.
        assert!(RunBytes::locate(doc, &run(row, kind, 7), &chars("북한은 평화")).is_none());
    }

    #[test]
    fn quoted_csv_cells_double_their_quotes() {
        let doc = "en,zh\n\"He said \"\"hi\"\", ok\",\"北韩, \"\"汉城\"\"\"\n".as_bytes();
        let row = 6..doc.len() as u64;
        let kind = RunKind::Cell {
            index: 1,
            delimiter: b',',
        };
        let text = "北韩, \"汉城\"";
        let r = RunBytes::locate(doc, &run(row, kind, 8), &chars(text)).unwrap();
        assert_eq!(r.escape, Escape::CsvQuoted);
        let b = r.bytes(5, 7).unwrap();
        assert_eq!(&doc[b], "汉城".as_bytes());
        // The quote after 汉城 takes two bytes.
        let q = r.bytes(7, 8).unwrap();
        assert_eq!(&doc[q], b"\"\"");
        assert_eq!(encode(Escape::CsvQuoted, "a\"b").unwrap(), "a\"\"b");
        assert_eq!(encode(Escape::CsvBare(b','), "a,b"), None);
        assert_eq!(encode(Escape::Tsv, "a\tb"), None);
    }

    #[test]
    fn xml_entities_are_one_character() {
        let doc = "<seg>A &amp; B&#x4E2D;&lt;</seg>".as_bytes();
        let text = "A & B中<";
        let r = RunBytes::locate(doc, &run(5..26, RunKind::Xml, 7), &chars(text)).unwrap();
        assert_eq!(&doc[r.bytes(2, 3).unwrap()], b"&amp;");
        assert_eq!(&doc[r.bytes(5, 6).unwrap()], b"&#x4E2D;");
        assert_eq!(&doc[r.bytes(6, 7).unwrap()], b"&lt;");
        assert_eq!(r.starts.last(), Some(&26));
        assert_eq!(encode(Escape::Xml, "A&B<C>").unwrap(), "A&amp;B&lt;C&gt;");
        assert_eq!(encode(Escape::Cdata, "x]]>"), None);
    }

    #[test]
    fn apply_splices_and_refuses_overlaps() {
        let doc = b"abcdef";
        assert_eq!(
            apply(doc, &[(4..5, "XY".into()), (0..1, "Z".into())]).unwrap(),
            b"ZbcdXYf"
        );
        assert!(apply(doc, &[(0..3, "a".into()), (2..4, "b".into())]).is_none());
    }

    #[test]
    fn diffs_have_context_and_keep_line_ends() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";
        let new = old.replace("\n2\n", "\ntwo\n").replace("15\n", "fifteen\n");
        let d = unified_diff("f.tsv", old, &new);
        assert_eq!(
            d,
            "--- a/f.tsv\n+++ b/f.tsv\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n\
             @@ -12,5 +12,5 @@\n 12\n 13\n 14\n-15\n+fifteen\n 16\n"
        );
        let d = unified_diff("f.tsv", "a\r\nb", "a\r\nc");
        assert_eq!(
            d,
            "--- a/f.tsv\n+++ b/f.tsv\n@@ -1,2 +1,2 @@\n a\r\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
        assert_eq!(unified_diff("f", "x\n", "x\n"), "");
    }

    #[test]
    fn diff_gathers_neighbouring_changes() {
        let d = unified_diff("f", "a\nb\nc\n", "A\nB\nc\n");
        assert_eq!(d, "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-a\n-b\n+A\n+B\n c\n");
    }
}
