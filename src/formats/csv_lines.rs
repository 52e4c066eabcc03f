//! The line on which each CSV record starts, counted by us rather than by the `csv` crate.
//!
//! `csv::Position::line` is wrong in two common cases (rust-csv issues #395 and #208): with
//! CRLF line ends (every file Excel writes) a record reports the line of the record before
//! it, and the first record after a blank line reports the blank line. Its byte offset is
//! the end of the previous record as consumed, so it points before the skipped line ends,
//! not at the record. A finding or an error that names the wrong line sends a translator to
//! the wrong row, so the readers of CSV memories, drafts and glossaries ask this module.
//!
//! [`Tracked`] wraps the reader the `csv` crate reads from and runs a copy of its record
//! recognition over the same bytes (RFC 4180 quoting with doubled quotes, any of `\r`,
//! `\n`, `\r\n` ending a record, empty lines skipped; the settings concord's readers use),
//! noting where each record starts and on which line. Line breaks are `\n`, `\r\n` and a
//! lone `\r`, counted inside quoted cells too. [`LineMap::line_of`] then maps the offset
//! the crate reports for a record to the record's own line. Only the starts read ahead of
//! the crate's last record are kept, so the memory is bounded by the crate's buffer.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: line ends are skipped, anything else starts a record.
    StartRecord,
    /// At the start of a field.
    StartField,
    /// Inside an unquoted field.
    InField,
    /// Inside a quoted field.
    InQuoted,
    /// A quote inside a quoted field: doubled, or the field's closing quote.
    QuoteInQuoted,
}

/// The record starts seen so far, shared between the [`Tracked`] reader and its owner.
#[derive(Debug)]
pub(crate) struct LineMap {
    delimiter: u8,
    state: State,
    /// Offset of the next byte to be seen.
    pos: u64,
    /// The line of the next byte (1-based).
    line: u64,
    prev_cr: bool,
    /// `(offset, line)` of each record start not yet asked for.
    starts: VecDeque<(u64, u64)>,
}

impl LineMap {
    fn new(delimiter: u8) -> Self {
        LineMap {
            delimiter,
            state: State::StartRecord,
            pos: 0,
            line: 1,
            prev_cr: false,
            starts: VecDeque::new(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let term = b == b'\r' || b == b'\n';
            self.state = match self.state {
                State::StartRecord if term => State::StartRecord,
                State::StartRecord => {
                    self.starts.push_back((self.pos, self.line));
                    self.after_field_start(b)
                }
                State::StartField => self.after_field_start(b),
                State::InField if b == self.delimiter => State::StartField,
                State::InField if term => State::StartRecord,
                State::InField => State::InField,
                State::InQuoted if b == b'"' => State::QuoteInQuoted,
                State::InQuoted => State::InQuoted,
                State::QuoteInQuoted if b == b'"' => State::InQuoted,
                State::QuoteInQuoted if b == self.delimiter => State::StartField,
                State::QuoteInQuoted if term => State::StartRecord,
                State::QuoteInQuoted => State::InField,
            };
            if b == b'\r' || (b == b'\n' && !self.prev_cr) {
                self.line += 1;
            }
            self.prev_cr = b == b'\r';
            self.pos += 1;
        }
    }

    fn after_field_start(&self, b: u8) -> State {
        if b == b'"' {
            State::InQuoted
        } else if b == self.delimiter {
            State::StartField
        } else if b == b'\r' || b == b'\n' {
            State::StartRecord
        } else {
            State::InField
        }
    }

    /// The line of the record whose `csv::Position::byte` is `csv_byte`: the first record
    /// start at or after that offset. Ask in the order the records are read; `None` when
    /// no start was seen there (the caller then keeps the crate's line).
    pub(crate) fn line_of(&mut self, csv_byte: u64) -> Option<u64> {
        while let Some(&(start, line)) = self.starts.front() {
            if start >= csv_byte {
                return Some(line);
            }
            self.starts.pop_front();
        }
        None
    }

    /// The line of the next byte the `csv` crate has not yet been given: where a read
    /// error happened.
    pub(crate) fn current_line(&self) -> u64 {
        self.line
    }
}

/// A reader that feeds what it reads to a [`LineMap`].
pub(crate) struct Tracked<R> {
    inner: R,
    map: Rc<RefCell<LineMap>>,
}

impl<R: Read> Tracked<R> {
    /// Wrap `inner`, a CSV with this `delimiter`; the map is shared with the caller.
    pub(crate) fn new(inner: R, delimiter: u8) -> (Self, Rc<RefCell<LineMap>>) {
        let map = Rc::new(RefCell::new(LineMap::new(delimiter)));
        (
            Tracked {
                inner,
                map: Rc::clone(&map),
            },
            map,
        )
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.map.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines the map gives for every record the `csv` crate reads from `input`,
    /// the input handed over `chunk` bytes at a time.
    fn lines(input: &[u8], chunk: usize) -> Vec<(Vec<String>, u64)> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (tracked, map) = Tracked::new(Chunks(input, chunk), b',');
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(16)
            .from_reader(tracked);
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        while rdr.read_record(&mut rec).unwrap() {
            let at = rec.position().unwrap().byte();
            let line = map.borrow_mut().line_of(at).unwrap();
            out.push((rec.iter().map(str::to_string).collect(), line));
        }
        out
    }

    fn first_cells(input: &[u8], chunk: usize) -> Vec<(String, u64)> {
        lines(input, chunk)
            .into_iter()
            .map(|(cells, l)| (cells[0].clone(), l))
            .collect()
    }

    /// The brute-force reference: the line of each record, when the first cell of every
    /// record is its line number written by the test.
    fn expected(input: &[u8], chunk: usize) -> Vec<(String, u64)> {
        first_cells(input, chunk)
            .into_iter()
            .map(|(c, _)| (c.clone(), c.parse().unwrap()))
            .collect()
    }

    #[test]
    fn csv_crlf_rows_name_their_own_line() {
        let input = b"1,en\r\n2,a\r\n3,b\r\n";
        for chunk in [1, 2, 3, 64] {
            assert_eq!(first_cells(input, chunk), expected(input, chunk));
        }
    }

    #[test]
    fn csv_row_after_blank_line_names_its_own_line() {
        let input = b"1,en\n\n3,a\r\n\r\n\r\n6,b\n7,c";
        for chunk in [1, 5, 64] {
            assert_eq!(first_cells(input, chunk), expected(input, chunk));
        }
    }

    #[test]
    fn quoted_line_breaks_count_and_do_not_start_records() {
        let input = "1,\"two\r\nlines\"\r\n3,\"a \"\"quoted\"\"\nword\",x\n5,\"\r\"\r7,특별대표\n"
            .as_bytes();
        for chunk in [1, 4, 64] {
            assert_eq!(first_cells(input, chunk), expected(input, chunk));
        }
    }

    #[test]
    fn cr_only_files_count_each_cr_as_a_line() {
        let input = b"1,a\r2,b\r\r4,c";
        assert_eq!(first_cells(input, 64), expected(input, 64));
    }

    #[test]
    fn junk_after_a_closing_quote_is_read_as_the_crate_reads_it() {
        // `"a"b` is one field for the crate (the rest is read as unquoted).
        let input = b"1,\"a\"b,c\n2,\"x\"\"\n\",y\n4,z\n";
        let got = lines(input, 3);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
    }

    #[test]
    fn only_starts_ahead_of_the_reader_are_kept() {
        let mut input = Vec::new();
        for i in 1..=10_000 {
            input.extend_from_slice(format!("{i},x\r\n").as_bytes());
        }
        let (tracked, map) = Tracked::new(&input[..], b',');
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(tracked);
        let mut rec = csv::ByteRecord::new();
        let mut most = 0;
        let mut n = 0;
        while rdr.read_byte_record(&mut rec).unwrap() {
            n += 1;
            let line = map.borrow_mut().line_of(rec.position().unwrap().byte());
            assert_eq!(line, Some(n));
            most = most.max(map.borrow().starts.len());
        }
        assert_eq!(n, 10_000);
        assert!(most < 2_000, "{most} starts kept");
    }
}
