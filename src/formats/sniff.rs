//! Telling a file's format from its content, when its name does not say it: a pipe
//! (`analyze <(cat job.xlf)`, whose name `/dev/fd/63` has no extension), `job.dat`, a
//! file without extension. [`sniff`] is the one content sniffer of the document, draft
//! and memory readers ([`super::job`], [`super::bilingual::read_source`],
//! [`super::draft`], [`super::import`]); a format the caller names, and else a known
//! extension, always come first ([`resolve_as`], the one rule for every reader).
//!
//! What the first bytes (up to 64 KiB, after an optional byte order mark; UTF-16 with a
//! BOM is decoded) say:
//!
//! * a ZIP archive (`PK\x03\x04`): a DOCX document;
//! * XML (white space, then `<`): the root element, after the prolog, comments and a
//!   DOCTYPE. `<xliff>` is XLIFF, its flavour as the XLIFF reader decides it ([`Flavour`]:
//!   `version` 2.x, or no version and a 2.0 namespace, is XLIFF 2.0; else the `sdl`
//!   namespace makes SDLXLIFF and the `mq` namespace MQXLIFF; else XLIFF 1.2); `<tmx>`
//!   is TMX; `<html>` (or an HTML DOCTYPE) is HTML. Another root in a document with an
//!   XML declaration is [`Sniffed::OtherXml`], which no document reader takes; markup
//!   without a declaration (`<b>Note</b> …`) is plain text;
//! * otherwise the first non-blank line decides between a table and plain text, by the
//!   header rules of the table readers ([`super::tabular`]): cells split on tabs, two or
//!   more, at least one a language tag ([`super::tabular::looks_like_tag`]), make TSV;
//!   cells split on the sniffed delimiter ([`super::tabular::sniff_delimiter`], `,` or
//!   `;`), two or more and every one a language tag, make CSV; anything else is plain
//!   text.
//!
//! A pipe is still read once: the bytes sniffed are kept and handed to the reader that
//! opens the file next ([`super::input::peek`]).

use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::bilingual::Flavour;
use super::FileFormat;
use crate::error::{Error, Hint, Result};

/// How many bytes are sniffed.
const HEAD: usize = 64 * 1024;

/// What a file's content looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// An XLIFF document, in the flavour the XLIFF reader gives it.
    Xliff(Flavour),
    /// A TMX document.
    Tmx,
    /// An HTML document.
    Html,
    /// A ZIP archive: a DOCX document.
    Docx,
    /// An XML document whose root (named here) no document reader takes.
    OtherXml(String),
    /// A table with a tab-separated header of language tags.
    Tsv,
    /// A table with a comma- (or semicolon-) separated header of language tags.
    Csv,
    /// Plain text.
    Text,
}

impl Sniffed {
    /// The format to read the file as (`None` for [`Sniffed::OtherXml`]).
    pub fn format(&self) -> Option<FileFormat> {
        Some(match self {
            Sniffed::Xliff(_) => FileFormat::Xliff,
            Sniffed::Tmx => FileFormat::Tmx,
            Sniffed::Html => FileFormat::Html,
            Sniffed::Docx => FileFormat::Docx,
            Sniffed::OtherXml(_) => return None,
            Sniffed::Tsv => FileFormat::Tsv,
            Sniffed::Csv => FileFormat::Csv,
            Sniffed::Text => FileFormat::Text,
        })
    }

    /// Its name in messages (`XLIFF 2.0`, `SDLXLIFF`, `plain text`...).
    pub fn name(&self) -> String {
        match self {
            Sniffed::Xliff(Flavour::Xliff12) => "XLIFF 1.2".into(),
            Sniffed::Xliff(Flavour::Xliff20) => "XLIFF 2.0".into(),
            Sniffed::Xliff(Flavour::Sdlxliff) => "SDLXLIFF".into(),
            Sniffed::Xliff(Flavour::Mqxliff) => "MQXLIFF".into(),
            Sniffed::Tmx => "TMX".into(),
            Sniffed::Html => "HTML".into(),
            Sniffed::Docx => "DOCX".into(),
            Sniffed::OtherXml(root) => format!("XML with a <{root}> root"),
            Sniffed::Tsv => "TSV".into(),
            Sniffed::Csv => "CSV".into(),
            Sniffed::Text => "plain text".into(),
        }
    }

    /// The note an error about the file carries: what it was read as, and why.
    pub fn note(&self) -> String {
        format!(
            "read as {}, told from its content: the file name does not say its format",
            self.name()
        )
    }

    /// `e`, an error reading a file this content sniffer named, saying so
    /// ([`Sniffed::note`]); when the content was taken for a table or plain text (what is
    /// left when no markup says more) and the error has no hint of its own, with `hint`
    /// (name the format).
    pub fn explain(&self, e: Error, hint: Hint) -> Error {
        let e = e.with_note(self.note());
        let guessed = matches!(self, Sniffed::Tsv | Sniffed::Csv | Sniffed::Text);
        match e.hint() {
            None if guessed => e.with_hint(hint),
            _ => e,
        }
    }
}

/// A set of formats that one kind of reader takes: a memory ([`super::Format`]), a draft
/// ([`super::draft::DraftFormat`]), a job's or a pretranslation's input ([`FileFormat`]),
/// a document to segment or align ([`super::document::DocumentFormat`]). [`resolve_as`]
/// tells a file's format for any of them by the same rule, so the rule and its messages
/// live here once.
pub trait Family: Copy {
    /// What the family is called in messages (`memory`, `draft`, `job input`,
    /// `document`).
    const WHAT: &'static str;
    /// The formats it takes, as messages list them.
    const TAKES: &'static str;
    /// The hint of an error that cannot tell the format.
    const HINT: Hint;
    /// The family's format for a format a file's extension names; `None` when the family
    /// has none for it (`draft.md` is no draft).
    fn named(f: FileFormat) -> Option<Self>;
    /// The family's format for what the content looks like; `None` when none fits. By
    /// default the format the content shows, as [`Family::named`] maps it.
    fn sniffed(s: &Sniffed) -> Option<Self> {
        s.format().and_then(Self::named)
    }
}

/// The input of a translation job or a pretranslation: every format [`FileFormat`] has.
impl Family for FileFormat {
    const WHAT: &'static str = "job input";
    const TAKES: &'static str = "XLIFF, TMX, HTML, DOCX, a table or plain text";
    const HINT: Hint = Hint::GiveInputFormat;
    fn named(f: FileFormat) -> Option<FileFormat> {
        Some(f)
    }
}

/// The format of `path` for a reader of the family `F`: `given` when the caller names
/// one; else the one its extension names, which must be one of the family's; else, when
/// the extension names no format at all (a pipe, `job.dat`), what its content looks like
/// ([`sniff`], returned beside the format so that errors can say what was assumed).
///
/// Errors: the extension names a format the family does not take, or the content is
/// none of the family's formats (both with the family's hint); the file cannot be read.
///
/// ```
/// use concord::formats::sniff::resolve_as;
/// use concord::formats::Format;
/// use std::path::Path;
///
/// let (f, sniffed) = resolve_as::<Format>(Path::new("memory.tmx"), None).unwrap();
/// assert_eq!((f, sniffed), (Format::Tmx, None));
/// // A Markdown document is no memory: refused without reading the file.
/// let e = resolve_as::<Format>(Path::new("notes.md"), None).unwrap_err();
/// assert!(e.to_string().contains("Markdown is not a memory format"), "{e}");
/// ```
pub fn resolve_as<F: Family>(path: &Path, given: Option<F>) -> Result<(F, Option<Sniffed>)> {
    resolve_with(path, given, || sniff(path))
}

/// [`resolve_as`] for content held in memory (a server's upload), named `path` in
/// messages: the format given, else `path`'s extension, else what `content` looks like.
pub fn resolve_content_as<F: Family>(
    path: &Path,
    given: Option<F>,
    content: &[u8],
) -> Result<(F, Option<Sniffed>)> {
    resolve_with(path, given, || {
        if content.is_empty() {
            return Err(Error::empty_input(path, "the file is empty"));
        }
        Ok(sniff_bytes(&content[..content.len().min(HEAD)]))
    })
}

/// The rule of [`resolve_as`], with `sniff` telling the content.
fn resolve_with<F: Family>(
    path: &Path,
    given: Option<F>,
    sniff: impl FnOnce() -> Result<Sniffed>,
) -> Result<(F, Option<Sniffed>)> {
    if let Some(f) = given {
        return Ok((f, None));
    }
    if let Some(named) = FileFormat::from_path(path) {
        return match F::named(named) {
            Some(f) => Ok((f, None)),
            None => Err(Error::parse_file(
                path,
                format!(
                    "cannot tell the format from the file name: {} is not a {} format ({})",
                    named.title(),
                    F::WHAT,
                    F::TAKES,
                ),
            )
            .with_hint(F::HINT)),
        };
    }
    let s = sniff()?;
    match F::sniffed(&s) {
        Some(f) => Ok((f, Some(s))),
        None => Err(Error::parse_file(
            path,
            format!(
                "cannot tell the format from the file name, and its content is {}, not a {} ({})",
                s.name(),
                F::WHAT,
                F::TAKES
            ),
        )
        .with_hint(F::HINT)),
    }
}

/// What the content of the file at `path` looks like (see the module documentation). A
/// pipe's bytes are kept for its reader ([`super::input::peek`]).
/// An empty file is refused here, as its reader would refuse it: there is nothing to
/// tell a format from.
pub fn sniff(path: &Path) -> Result<Sniffed> {
    let head = super::input::peek(path, HEAD)?;
    if head.is_empty() {
        return Err(Error::empty_input(path, "the file is empty"));
    }
    Ok(sniff_bytes(&head))
}

/// What content starting with `head` looks like (see the module documentation).
pub fn sniff_bytes(head: &[u8]) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") {
        return Sniffed::Docx;
    }
    let text = decode_head(head);
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if t.starts_with('<') {
        if let Some(s) = sniff_xml(t) {
            return s;
        }
    }
    sniff_table(t)
}

/// The head as text: UTF-16 with a BOM decoded, else UTF-8 (a character cut by the end
/// of the head, or invalid bytes, replaced).
fn decode_head(head: &[u8]) -> String {
    let utf16 = |bytes: &[u8], le: bool| {
        let units = bytes.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect()
    };
    if let Some(rest) = head.strip_prefix(b"\xFF\xFE") {
        utf16(rest, true)
    } else if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        utf16(rest, false)
    } else {
        let rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        String::from_utf8_lossy(rest).into_owned()
    }
}

/// The root element of markup: `None` when it is not XML enough to say (plain text that
/// starts with a tag, a head cut before the root).
fn sniff_xml(text: &str) -> Option<Sniffed> {
    let declared = text.starts_with("<?xml");
    let mut r = Reader::from_str(text);
    let mut html_doctype = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                return Some(match local.to_ascii_lowercase().as_str() {
                    "xliff" => {
                        Sniffed::Xliff(super::xliff::root_flavour(&e).unwrap_or(Flavour::Xliff12))
                    }
                    "tmx" => Sniffed::Tmx,
                    "html" => Sniffed::Html,
                    _ if html_doctype => Sniffed::Html,
                    _ if declared => Sniffed::OtherXml(local),
                    _ => return None,
                });
            }
            Ok(Event::DocType(d)) => {
                html_doctype = String::from_utf8_lossy(&d)
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("html");
            }
            Ok(Event::Text(t)) if !t.iter().all(u8::is_ascii_whitespace) => return None,
            Ok(Event::Eof) | Err(_) => {
                return match (html_doctype, declared) {
                    (true, _) => Some(Sniffed::Html),
                    (false, true) => Some(Sniffed::OtherXml("?".into())),
                    (false, false) => None,
                }
            }
            Ok(_) => {}
        }
    }
}

/// TSV, CSV or plain text, by the first non-blank line.
fn sniff_table(text: &str) -> Sniffed {
    let Some(line) = text.lines().find(|l| !l.trim().is_empty()) else {
        return Sniffed::Text;
    };
    let tag = |cell: &str| {
        let c = super::tabular::header_cell(cell);
        super::tabular::looks_like_tag(c) && crate::lang::LangTag::parse(c).is_ok()
    };
    let cells: Vec<&str> = line.split('\t').collect();
    if cells.len() >= 2 && cells.iter().any(|c| tag(c)) {
        return Sniffed::Tsv;
    }
    let delim = super::tabular::sniff_delimiter(line.as_bytes()) as char;
    let cells: Vec<&str> = line.split(delim).collect();
    if delim != '\t' && cells.len() >= 2 && cells.iter().all(|c| tag(c)) {
        return Sniffed::Csv;
    }
    Sniffed::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Sniffed {
        sniff_bytes(text.as_bytes())
    }

    /// One rule for every reader: the format named, else the extension's (which must be
    /// one of the family's), else the content's; each family's own message and hint.
    #[test]
    fn each_family_resolves_by_the_same_rule() {
        use super::super::document::DocumentFormat;
        use super::super::draft::DraftFormat;
        use super::super::Format;
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let prose = file("notes", "The talks ended. 회담이 끝났다.\n");
        let table = file("table", "en\tko\nOne.\t하나.\n");
        let tmx = file("mem", "<tmx version=\"1.4\"><body/></tmx>");
        let md = file("notes.md", "# Title\n");
        // A named format wins over everything, without reading the file.
        let gone = dir.path().join("missing.md");
        assert_eq!(
            resolve_as(&gone, Some(Format::Csv)).unwrap(),
            (Format::Csv, None)
        );
        // Extensions.
        assert_eq!(
            resolve_as::<Format>(&dir.path().join("a.txt"), None)
                .unwrap()
                .0,
            Format::Tsv
        );
        assert_eq!(
            resolve_as::<DraftFormat>(&dir.path().join("a.txt"), None)
                .unwrap()
                .0,
            DraftFormat::Text
        );
        // A refusal: its message says `says`, with the family's hint.
        let refused = |e: Error, says: &str, hint: Hint| {
            assert!(e.to_string().contains(says), "{e}");
            assert_eq!(e.hint(), Some(hint));
        };
        refused(
            resolve_as::<Format>(&md, None).unwrap_err(),
            "Markdown is not a memory format",
            Hint::GiveFormat,
        );
        refused(
            resolve_as::<DraftFormat>(&md, None).unwrap_err(),
            "Markdown is not a draft format",
            Hint::GiveDraftFormat,
        );
        // Content.
        assert_eq!(
            resolve_as::<Format>(&table, None).unwrap(),
            (Format::Tsv, Some(Sniffed::Tsv))
        );
        assert_eq!(resolve_as::<Format>(&tmx, None).unwrap().0, Format::Tmx);
        assert_eq!(
            resolve_as::<DraftFormat>(&prose, None).unwrap().0,
            DraftFormat::Text
        );
        assert_eq!(
            resolve_as::<DocumentFormat>(&table, None).unwrap().0,
            DocumentFormat::Text
        );
        assert_eq!(
            resolve_as::<FileFormat>(&tmx, None).unwrap().0,
            FileFormat::Tmx
        );
        // Prose is no memory; XML of another kind is no input of a job.
        refused(
            resolve_as::<Format>(&prose, None).unwrap_err(),
            "its content is plain text, not a memory (TSV, CSV, TMX, XLIFF)",
            Hint::GiveFormat,
        );
        let other = file("other", "<?xml version=\"1.0\"?><catalog/>");
        refused(
            resolve_as::<FileFormat>(&other, None).unwrap_err(),
            "XML with a <catalog> root, not a job input",
            Hint::GiveInputFormat,
        );
    }

    #[test]
    fn xliff_flavours_as_the_reader_decides_them() {
        let v12 = r#"<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>"#;
        assert_eq!(s(v12), Sniffed::Xliff(Flavour::Xliff12));
        let v20 = r#"<xliff version="2.0" srcLang="en"><file id="f"/></xliff>"#;
        assert_eq!(s(v20), Sniffed::Xliff(Flavour::Xliff20));
        // No version: the namespace says 2.0.
        let ns20 = r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en">"#;
        assert_eq!(s(ns20), Sniffed::Xliff(Flavour::Xliff20));
        // version="1.2" wins over a 2.0 namespace, as in the reader.
        let mixed = r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:2.0">"#;
        assert_eq!(s(mixed), Sniffed::Xliff(Flavour::Xliff12));
        let sdl = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><xliff xmlns:sdl=\"http://sdl.com/FileTypes/SdlXliff/1.0\" version=\"1.2\">";
        assert_eq!(s(sdl), Sniffed::Xliff(Flavour::Sdlxliff));
        let mq =
            "<?xml version=\"1.0\"?>\n<!-- memoQ -->\n<xliff xmlns:mq=\"MQXliff\" version=\"1.2\">";
        assert_eq!(s(mq), Sniffed::Xliff(Flavour::Mqxliff));
        assert_eq!(s(mq).name(), "MQXLIFF");
    }

    #[test]
    fn tmx_html_docx_and_other_xml() {
        let tmx = "\n  <?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n<tmx version=\"1.4\">";
        assert_eq!(s(tmx), Sniffed::Tmx);
        assert_eq!(s("<!DOCTYPE html>\n<head><title>t</title>"), Sniffed::Html);
        assert_eq!(s("<html lang=\"en\"><body>"), Sniffed::Html);
        assert_eq!(sniff_bytes(b"PK\x03\x04\x14\x00"), Sniffed::Docx);
        let tbx = "<?xml version=\"1.0\"?><martif type=\"TBX\">";
        assert_eq!(s(tbx), Sniffed::OtherXml("martif".into()));
        assert_eq!(s(tbx).format(), None);
        // Markup without a declaration is text that starts with a tag.
        assert_eq!(s("<b>Note</b> the ministers met.\n"), Sniffed::Text);
        assert_eq!(s("<3 peace\n"), Sniffed::Text);
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let xml = "<?xml version=\"1.0\"?><tmx version=\"1.4\">";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in xml.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(sniff_bytes(&le), Sniffed::Tmx);
        assert_eq!(sniff_bytes(&be), Sniffed::Tmx);
    }

    #[test]
    fn tables_by_their_header_of_language_tags() {
        assert_eq!(s("en\tko\nPeace.\t평화.\n"), Sniffed::Tsv);
        assert_eq!(s("\n\nen-US\tnote\nPeace.\tx\n"), Sniffed::Tsv);
        assert_eq!(s("en,zh-CN\nPeace,和平\n"), Sniffed::Csv);
        assert_eq!(s("\u{FEFF}en;ko\nPeace;평화\n"), Sniffed::Csv);
        // Prose is text, also with commas, tabs or a first word that is a tag.
        assert_eq!(
            s("The ministers met in Seoul, as planned.\n"),
            Sniffed::Text
        );
        assert_eq!(s("Chapter 1\tPeace\n"), Sniffed::Text);
        assert_eq!(s("en\n"), Sniffed::Text);
        assert_eq!(s("양국 장관은 회담했다.\n"), Sniffed::Text);
        assert_eq!(s(""), Sniffed::Text);
    }
}
