//! Opening the files users hand over.
//!
//! [`open_text`] sniffs the first bytes of a file: a UTF-8 BOM is skipped, UTF-16 (LE or
//! BE, with BOM) is decoded to UTF-8 on the fly, a file with NUL bytes and no UTF-16 BOM
//! is refused as binary, and an empty file is refused. What comes back is a buffered
//! reader of UTF-8 bytes (invalid UTF-8 is reported by the format readers, with its line).
//!
//! [`peek`] reads a file's first bytes before its reader does, so that its format can be
//! told from its content ([`super::sniff`]); a pipe keeps those bytes for its reader.
//!
//! The path `-` is the standard input ([`is_stdin`]), read once, like a pipe.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// The encoding found at the start of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM (the BOM is skipped).
    Utf8Bom,
    /// UTF-16 little endian with BOM.
    Utf16Le,
    /// UTF-16 big endian with BOM.
    Utf16Be,
}

/// A file opened as UTF-8 text.
pub struct TextInput {
    /// The encoding that was detected.
    pub encoding: Encoding,
    /// The UTF-8 bytes of the file (BOM removed).
    pub reader: Box<dyn BufRead + Send>,
}

const SNIFF: usize = 8192;

/// True for the path `-`, which every input reads as the standard input
/// (`cat draft.tsv | concord lint -`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Check that `path` can be read as an input before any work starts: a missing path is
/// "no such file", a directory "is a directory"; regular files, pipes and FIFOs
/// (`lint <(cat draft.tsv)`) and devices are accepted (what they hold is judged when
/// they are read).
pub fn check_readable(path: &Path) -> Result<()> {
    if is_stdin(path) {
        return Ok(());
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        )),
        Err(e) => Err(Error::io(path, e)),
        Ok(m) if m.is_dir() => Err(Error::parse_file(path, "is a directory, not a file")),
        Ok(_) => Ok(()),
    }
}

/// The error of a failed read at `line` of `path`: a decoding error (invalid UTF-16,
/// reported by [`open_text`]'s reader with its own line) becomes a parse error at its
/// line, anything else an I/O error.
pub fn read_error(path: &Path, line: u64, e: &std::io::Error) -> Error {
    if let Some(d) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<DecodeError>())
    {
        return Error::parse(path, d.line, d.message);
    }
    if e.kind() == std::io::ErrorKind::InvalidData {
        Error::parse(path, line.max(1), e.to_string())
    } else {
        Error::io(path, std::io::Error::new(e.kind(), e.to_string()))
    }
}

/// A decoding error of [`open_text`]'s reader, carried inside an `io::Error` of kind
/// `InvalidData`, with the line (1-based) of the decoded text where it happened.
#[derive(Debug)]
pub struct DecodeError {
    /// The line of the decoded text at which the malformed input starts.
    pub line: u64,
    /// What is wrong.
    pub message: &'static str,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Open `path` as text (see the module documentation).
pub fn open_text(path: &Path) -> Result<TextInput> {
    check_readable(path)?;
    let file = open_file(path)?;
    open_reader(path, file)
}

/// Pipes, devices and the standard input whose first bytes [`peek`] read: the path, the
/// bytes, and the open file, handed to the next [`open_text`] or [`read_bytes`] of the
/// same path.
type Peeked = (std::path::PathBuf, Vec<u8>, Box<dyn Read + Send>);

static PEEKED: std::sync::Mutex<Vec<Peeked>> = std::sync::Mutex::new(Vec::new());

fn peeked() -> std::sync::MutexGuard<'static, Vec<Peeked>> {
    PEEKED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Up to `max` first bytes of the file at `path` (fewer when it is shorter), to tell its
/// format ([`super::sniff`]) before it is read. A regular file is simply opened again by
/// its reader. A pipe, a FIFO or a device can be read only once: its bytes are kept, with
/// the open file, and the next [`open_text`] or [`read_bytes`] of the same path reads
/// them and then the rest, so the file is still read once, in order.
pub fn peek(path: &Path, max: usize) -> Result<Vec<u8>> {
    check_readable(path)?;
    if let Some((_, head, _)) = peeked().iter().find(|(p, _, _)| p == path) {
        return Ok(head[..head.len().min(max)].to_vec());
    }
    let (mut file, once): (Box<dyn Read + Send>, bool) = if is_stdin(path) {
        (Box::new(std::io::stdin()), true)
    } else {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let once = !file.metadata().is_ok_and(|m| m.is_file());
        (Box::new(file), once)
    };
    let mut head = Vec::new();
    (&mut file)
        .take(max as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    if once {
        peeked().push((path.to_path_buf(), head.clone(), file));
    }
    Ok(head)
}

/// The file at `path`, opened for reading; a pipe [`peek`] read from continues where it
/// stopped, after the bytes it kept.
fn open_file(path: &Path) -> Result<Box<dyn Read + Send>> {
    let kept = {
        let mut list = peeked();
        list.iter()
            .position(|(p, _, _)| p == path)
            .map(|i| list.remove(i))
    };
    if let Some((_, head, file)) = kept {
        return Ok(Box::new(std::io::Cursor::new(head).chain(file)));
    }
    if is_stdin(path) {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(Box::new(file))
}

/// The bytes of the file at `path`, whole (as written: no decoding); a pipe [`peek`]
/// read from gives all of its bytes too.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    check_readable(path)?;
    let mut bytes = Vec::new();
    open_file(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Read `bytes` as text, as [`open_text`] reads a file's (`path` names them in messages):
/// the entry point of servers that hold an upload in memory, and of the fuzz targets.
pub fn open_bytes(path: &Path, bytes: Vec<u8>) -> Result<TextInput> {
    open_reader(path, Box::new(std::io::Cursor::new(bytes)))
}

fn open_reader(path: &Path, mut file: Box<dyn Read + Send>) -> Result<TextInput> {
    let mut head = vec![0u8; SNIFF];
    let mut filled = 0;
    while filled < SNIFF {
        let n = file
            .read(&mut head[filled..])
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let enc = sniff(path, &head)?;
    let skip = match enc {
        Encoding::Utf8Bom => 3,
        _ => 0,
    };
    let head = head.split_off(skip);
    let chained: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(file));
    let reader: Box<dyn BufRead + Send> = match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => Box::new(BufReader::with_capacity(1 << 16, chained)),
        Encoding::Utf16Le | Encoding::Utf16Be => Box::new(BufReader::with_capacity(
            1 << 16,
            Utf16Reader::new(chained, enc),
        )),
    };
    Ok(TextInput {
        encoding: enc,
        reader,
    })
}

fn sniff(path: &Path, head: &[u8]) -> Result<Encoding> {
    if head.is_empty() {
        return Err(Error::empty_input(path, "the file is empty"));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        if head.len() == 3 {
            return Err(Error::empty_input(
                path,
                "the file is empty (only a byte-order mark)",
            ));
        }
        return Ok(Encoding::Utf8Bom);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(Encoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(Encoding::Utf16Be);
    }
    let window = &head[..head.len().min(SNIFF)];
    if window.contains(&0) {
        // UTF-16 without a BOM looks like ASCII with NULs in every other byte (and only
        // there); NULs on both sides (`/dev/zero`, images, databases) are binary data.
        let even_nuls = window.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_nuls = window
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        let half = window.len() / 2;
        let mostly = |n: usize| n * 10 >= half * 9;
        let rarely = |n: usize| n * 10 <= half;
        if half > 0
            && ((mostly(even_nuls) && rarely(odd_nuls)) || (mostly(odd_nuls) && rarely(even_nuls)))
        {
            return Err(Error::parse_file(
                path,
                "looks like UTF-16 without a byte-order mark; save it as UTF-8 (or UTF-16 with BOM)",
            ));
        }
        return Err(Error::parse_file(
            path,
            "is binary data, not text (it contains NUL bytes)",
        ));
    }
    Ok(Encoding::Utf8)
}

/// Decodes UTF-16 (after its BOM) into UTF-8 bytes.
struct Utf16Reader {
    inner: Box<dyn Read + Send>,
    decoder: encoding_rs::Decoder,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
    /// The input had a malformed sequence: what was decoded before it is handed out
    /// first, then the error, so readers can name the line.
    malformed: bool,
    /// Line breaks handed out so far (the error's line is one more).
    newlines: u64,
}

impl Utf16Reader {
    fn new(inner: Box<dyn Read + Send>, enc: Encoding) -> Utf16Reader {
        let encoding = if enc == Encoding::Utf16Le {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        Utf16Reader {
            inner,
            // new_decoder_with_bom_removal strips the BOM for us.
            decoder: encoding.new_decoder_with_bom_removal(),
            inbuf: vec![0; 1 << 16],
            out: Vec::new(),
            pos: 0,
            eof: false,
            malformed: false,
            newlines: 0,
        }
    }
}

impl Read for Utf16Reader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.malformed {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    DecodeError {
                        line: self.newlines + 1,
                        message: "invalid UTF-16 (unpaired surrogate or odd byte count)",
                    },
                ));
            }
            if self.eof {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.inbuf)?;
            let last = n == 0;
            self.out.clear();
            self.pos = 0;
            let cap = self
                .decoder
                .max_utf8_buffer_length_without_replacement(n)
                .unwrap_or(n * 3 + 16);
            let mut s = String::with_capacity(cap);
            let (res, _read) =
                self.decoder
                    .decode_to_string_without_replacement(&self.inbuf[..n], &mut s, last);
            if matches!(res, encoding_rs::DecoderResult::Malformed(..)) {
                self.malformed = true;
            }
            self.out = s.into_bytes();
            if last {
                self.eof = true;
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.newlines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read_all(bytes: &[u8]) -> Result<(Encoding, String)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, bytes).unwrap();
        let mut t = open_text(&p)?;
        let mut s = String::new();
        t.reader.read_to_string(&mut s).unwrap();
        Ok((t.encoding, s))
    }

    #[test]
    fn encodings() {
        assert_eq!(
            read_all(b"en\tko\n").unwrap(),
            (Encoding::Utf8, "en\tko\n".into())
        );
        assert_eq!(
            read_all("\u{FEFF}en\t한".as_bytes()).unwrap(),
            (Encoding::Utf8Bom, "en\t한".into())
        );
        let mut le = vec![0xFF, 0xFE];
        for u in "en\t한국".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            read_all(&le).unwrap(),
            (Encoding::Utf16Le, "en\t한국".into())
        );
        let mut be = vec![0xFE, 0xFF];
        for u in "zh\t朝鲜".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(
            read_all(&be).unwrap(),
            (Encoding::Utf16Be, "zh\t朝鲜".into())
        );
    }

    #[test]
    fn open_bytes_reads_as_open_text_does() {
        for bytes in [
            &b"en\tko\n"[..],
            "\u{FEFF}en\t한".as_bytes(),
            &[0xFF, 0xFE, b'e', 0, b'n', 0],
        ] {
            let mut t = open_bytes(Path::new("b.tsv"), bytes.to_vec()).unwrap();
            let mut s = String::new();
            t.reader.read_to_string(&mut s).unwrap();
            assert_eq!((t.encoding, s), read_all(bytes).unwrap());
        }
        let e = open_bytes(Path::new("b.tsv"), Vec::new()).err().unwrap();
        assert_eq!(e.kind(), &crate::error::ErrorKind::EmptyInput);
    }

    #[cfg(unix)]
    #[test]
    fn a_peeked_fifo_is_still_read_once_whole_and_in_order() {
        // The sniffer reads a pipe's first bytes; its reader must get them back, then
        // the rest (a FIFO can be read once: a second open would block the writer).
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pipe");
        if !crate::testutil::mkfifo(&p) {
            return;
        }
        let text: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        let (fifo, sent) = (p.clone(), text.clone());
        let writer = std::thread::spawn(move || std::fs::write(&fifo, sent).unwrap());
        assert_eq!(peek(&p, 5).unwrap(), b"line ");
        // A second peek gives the same bytes, without reading more.
        assert_eq!(peek(&p, 3).unwrap(), b"lin");
        let mut t = open_text(&p).unwrap();
        let mut got = String::new();
        t.reader.read_to_string(&mut got).unwrap();
        writer.join().unwrap();
        assert_eq!(got, text);
        // A regular file is not kept: it is opened again.
        let f = d.path().join("f.txt");
        std::fs::write(&f, "en\tko\n").unwrap();
        assert_eq!(peek(&f, 2).unwrap(), b"en");
        assert!(peeked().iter().all(|(q, _, _)| q != &f && q != &p));
        assert_eq!(read_bytes(&f).unwrap(), b"en\tko\n");
    }

    #[test]
    fn refusals() {
        assert!(read_all(b"").unwrap_err().to_string().contains("empty"));
        assert!(read_all(b"\xEF\xBB\xBF")
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let bin = [0x89u8, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3];
        assert!(read_all(&bin).unwrap_err().to_string().contains("binary"));
        let mut le = vec![];
        for u in "en\tko\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert!(read_all(&le).unwrap_err().to_string().contains("UTF-16"));
    }

    #[test]
    fn nul_bytes_are_binary_not_utf16() {
        // `/dev/zero` was reported as "UTF-16 without BOM".
        let e = read_all(&[0u8; 100]).unwrap_err().to_string();
        assert!(e.contains("binary data") && !e.contains("UTF-16"), "{e}");
        let dev_zero = Path::new("/dev/zero");
        if dev_zero.exists() {
            let e = open_text(dev_zero).err().unwrap().to_string();
            assert!(e.contains("binary data"), "{e}");
        }
    }

    #[test]
    fn utf16_errors_name_their_line() {
        let utf16 = |text: &str| {
            let mut le = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                le.extend_from_slice(&u.to_le_bytes());
            }
            // An unpaired low surrogate on line 3.
            le.extend_from_slice(&[0x00, 0xDC, b'x', 0, b'\n', 0]);
            le
        };
        let le = utf16("en,ko\nSeoul,서울\nBusan,");
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("m.csv", le.clone()),
            ("m.tsv", utf16("en\tko\nSeoul\t서울\nBusan\t")),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, &bytes).unwrap();
            let format = crate::formats::Format::from_path(&p).unwrap();
            let e = crate::formats::read_memory_file(&p, format, |_| Ok(()))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(&format!("{name}:3:")) && e.contains("UTF-16"),
                "{e}"
            );
        }
        let tmx = utf16("<tmx version=\"1.4\"><header srclang=\"en\"/>\n<body>\n<tu>");
        let p = dir.path().join("m.tmx");
        std::fs::write(&p, &tmx).unwrap();
        let e = crate::formats::read_memory_file(&p, crate::formats::Format::Tmx, |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.tmx:3:") && e.contains("UTF-16"), "{e}");
        let p = dir.path().join("g.csv");
        std::fs::write(&p, &le).unwrap();
        let e = crate::formats::glossary::read_file(&p, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("g.csv:3:") && e.contains("UTF-16"), "{e}");
    }
}
