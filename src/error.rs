//! The error type of the library.
//!
//! An [`Error`] is small (one box) and carries:
//!
//! * a [`kind`](Error::kind) ([`ErrorKind`]) that callers decide by: the CLI maps kinds to
//!   exit codes, `lint` treats an empty baseline file as "silences nothing". Nothing in
//!   concord decides by the text of a message;
//! * a [`position`](Error::position) ([`Location`]: file, line, column) when the error
//!   comes from a file the user handed over, so the CLI can print `file:line: message`;
//! * a [`message`](Error::message) in words a translator understands;
//! * an optional [`hint`](Error::hint) ([`Hint`]): what the caller can give to get past the
//!   error. The library never names command-line flags; the CLI turns a hint into its flag;
//! * the underlying error, if any, as [`std::error::Error::source`].
//!
//! The design follows `csv::Error` (a boxed inner value behind `kind()` and `position()`).
//!
//! ```
//! use std::path::Path;
//! use concord::error::{ErrorKind, Hint};
//! use concord::formats::glossary::CsvOptions;
//! use concord::glossary::Glossary;
//!
//! // Line 3 has one cell where the header names two languages.
//! let csv = "en,ko\nSeoul,서울\nBusan\n";
//! let err = Glossary::from_csv_str(csv, Path::new("terms.csv"), &CsvOptions::default())
//!     .unwrap_err();
//! assert_eq!(err.kind(), &ErrorKind::Parse);
//! let at = err.position().expect("a parse error has a position");
//! assert_eq!((at.path.as_path(), at.line), (Path::new("terms.csv"), Some(3)));
//! assert!(err.to_string().starts_with("terms.csv:3: "));
//!
//! // A file without a header: the error says what to give, in a typed hint.
//! let err = Glossary::from_csv_str("DPRK,북한\n", Path::new("t.csv"), &CsvOptions::default())
//!     .unwrap_err();
//! assert_eq!(err.hint(), Some(Hint::GiveGlossaryLanguages));
//! assert!(!err.to_string().contains("--"), "library messages name no CLI flags");
//! //! ```

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::lang::LangError;

/// A position in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column (in characters), when known.
    pub column: Option<u64>,
}

impl Location {
    /// A location in `path` without a line.
    pub fn file(path: impl AsRef<Path>) -> Location {
        Location {
            path: path.as_ref().to_path_buf(),
            line: None,
            column: None,
        }
    }

    /// A location at a line of `path`.
    pub fn line(path: impl AsRef<Path>, line: u64) -> Location {
        Location {
            path: path.as_ref().to_path_buf(),
            line: Some(line),
            column: None,
        }
    }

    /// A location at a line and column of `path`.
    pub fn at(path: impl AsRef<Path>, line: u64, column: u64) -> Location {
        Location {
            path: path.as_ref().to_path_buf(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// What kind of failure an [`Error`] is. Decide by this, never by the message.
///
/// New kinds may be added in later versions (`#[non_exhaustive]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input file (or directory) could not be read, or does not exist.
    Io,
    /// Writing the output failed: standard output or a file the user named (a closed pipe
    /// is this kind, with a [`std::io::ErrorKind::BrokenPipe`] source).
    OutputIo,
    /// An input file is malformed.
    Parse,
    /// An input file holds nothing to read (no bytes, only a byte-order mark, only blank
    /// lines).
    EmptyInput,
    /// A language tag is malformed or unknown, or a language cannot be told.
    Lang,
    /// The memory database failed.
    Database,
    /// The memory was written by a newer concord.
    SchemaTooNew {
        /// Its `user_version`.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The memory holds data concord cannot read back (unreadable metadata, an unparsable
    /// stored language tag, a damaged index row).
    CorruptMemory,
    /// The file is not a concord memory (another application's database, an empty file, a
    /// directory...). It was left as it was.
    NotAMemory,
    /// There is no memory at the path given.
    NoMemory,
    /// A query or phrase cannot be matched or searched (empty, no letters or digits).
    BadQuery,
    /// Units asked for by id are not in the memory.
    MissingUnits,
    /// The memory or glossary holds nothing in the language asked for.
    NoData,
    /// A request the library rejects (inconsistent options, files that do not fit
    /// together, an output path that would overwrite the memory...).
    BadRequest,
    /// An input over a documented limit (e.g. a query longer than
    /// [`fuzzy::MAX_QUERY_CHARS`](crate::fuzzy::MAX_QUERY_CHARS) characters).
    Limit,
    /// An internal failure that is not the caller's doing (a worker thread stopped).
    Internal,
}

/// What the caller can give to get past an error. The library says it in words
/// ([`Display`](fmt::Display)); the CLI turns it into the name of its flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hint {
    /// Name the source language (the input does not say it).
    GiveSourceLanguage,
    /// Name the target language (the input does not say it, or says several).
    GiveTargetLanguage,
    /// Name the format of a memory file (tsv, csv, tmx, xliff); the file name does not tell it.
    GiveFormat,
    /// Name the format of a draft (tsv, csv, xliff, tmx, txt); the file name does not tell.
    GiveDraftFormat,
    /// Name the format of a job's document (txt, md, html, docx, tsv, csv, xliff, tmx);
    /// the file name does not tell, and its content was read as something else.
    GiveInputFormat,
    /// Name the format of a document to segment or align (txt, md, html, docx); the file
    /// name does not tell it.
    GiveDocumentFormat,
    /// Name the languages of a glossary's columns (the file has no header).
    GiveGlossaryLanguages,
    /// Create a memory (import a file), or name another memory file.
    CreateOrNameMemory,
    /// Ask to go ahead anyway (replace a read-only output file, import a weak alignment).
    UseForce,
    /// Make an access token for the memory (a server on a non-loopback address needs one).
    AddToken,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Hint::GiveSourceLanguage => "name the source language",
            Hint::GiveTargetLanguage => "name the target language",
            Hint::GiveFormat => "name the format (tsv, csv, tmx, xliff)",
            Hint::GiveDraftFormat => "name the draft format (tsv, csv, xliff, tmx, txt)",
            Hint::GiveInputFormat => {
                "name the document's format (txt, md, html, docx, tsv, csv, xliff, tmx)"
            }
            Hint::GiveDocumentFormat => "name the document's format (txt, md, html, docx)",
            Hint::GiveGlossaryLanguages => "name the languages of the columns (e.g. en,ko)",
            Hint::CreateOrNameMemory => "create one by importing a file, or name another memory",
            Hint::UseForce => "ask to go ahead anyway",
            Hint::AddToken => "make an access token for the memory",
        })
    }
}

type Source = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug)]
struct ErrorInner {
    kind: ErrorKind,
    position: Option<Location>,
    message: String,
    hint: Option<Hint>,
    source: Option<Source>,
}

/// Everything that can go wrong in concord: a boxed [`ErrorKind`] with its position,
/// message, hint and source. See the [module docs](self).
pub struct Error(Box<ErrorInner>);

impl Error {
    /// An error of `kind` with a message in words a translator understands.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorInner {
            kind,
            position: None,
            message: message.into(),
            hint: None,
            source: None,
        }))
    }

    /// This error at a position (shown in front of the message).
    pub fn at(mut self, position: Location) -> Error {
        self.0.position = Some(position);
        self
    }

    /// This error with a hint for the caller.
    pub fn with_hint(mut self, hint: Hint) -> Error {
        self.0.hint = Some(hint);
        self
    }

    /// This error with a note after its message (`message (note)`): what the reader
    /// assumed, e.g. the format it told from the file's content.
    pub fn with_note(mut self, note: impl fmt::Display) -> Error {
        self.0.message = format!("{} ({note})", self.0.message);
        self
    }

    /// This error caused by `source`.
    pub fn with_source(mut self, source: impl Into<Source>) -> Error {
        self.0.source = Some(source.into());
        self
    }

    /// A parse error at a line of a file.
    pub fn parse(path: impl AsRef<Path>, line: u64, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Parse, message).at(Location::line(path, line))
    }

    /// An input over one of the documented limits ([`crate::limits`]) at a line of a file.
    pub fn limit(path: impl AsRef<Path>, line: u64, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit, message).at(Location::line(path, line))
    }

    /// An input over one of the documented limits, about a whole file.
    pub fn limit_file(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit, message).at(Location::file(path))
    }

    /// A parse error about a whole file.
    pub fn parse_file(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Parse, message).at(Location::file(path))
    }

    /// An input file that holds nothing to read.
    pub fn empty_input(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::EmptyInput, message).at(Location::file(path))
    }

    /// An I/O error reading an input file.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, source.to_string())
            .at(Location::file(path))
            .with_source(source)
    }

    /// An I/O error writing the output (`what`: a file or "standard output").
    pub fn output(what: impl fmt::Display, source: std::io::Error) -> Error {
        Error::new(ErrorKind::OutputIo, format!("{what}: {source}")).with_source(source)
    }

    /// A language-tag error with its context (a file and line, or where the tag came from).
    pub fn lang(context: impl Into<String>, source: LangError) -> Error {
        Error::new(ErrorKind::Lang, format!("{}: {source}", context.into())).with_source(source)
    }

    /// The memory holds data concord cannot read back.
    pub fn corrupt(message: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::CorruptMemory,
            format!("corrupt memory: {message}"),
        )
    }

    /// `path` is not a concord memory: `reason` says what it is instead.
    pub fn not_a_memory(path: impl AsRef<Path>, reason: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::NotAMemory,
            format!("not a concord memory: {reason}; the file was not changed"),
        )
        .at(Location::file(path))
    }

    /// The memory at `path` has a newer schema than this build knows.
    pub fn schema_too_new(path: impl AsRef<Path>, found: i64, supported: i64) -> Error {
        Error::new(
            ErrorKind::SchemaTooNew { found, supported },
            format!(
                "this memory has schema version {found}, but this concord knows versions up to {supported}; upgrade concord"
            ),
        )
        .at(Location::file(path))
    }

    /// A request the library rejects.
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadRequest, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Where in an input file, when the error comes from one.
    pub fn position(&self) -> Option<&Location> {
        self.0.position.as_ref()
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// What the caller can give to get past the error.
    pub fn hint(&self) -> Option<Hint> {
        self.0.hint
    }

    /// The underlying I/O error, for [`ErrorKind::Io`] and [`ErrorKind::OutputIo`].
    pub fn io_error(&self) -> Option<&std::io::Error> {
        self.0.source.as_ref()?.downcast_ref::<std::io::Error>()
    }

    /// True when writing the output failed because the reader went away
    /// (`concord export | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self.0.kind, ErrorKind::OutputIo | ErrorKind::Io)
            && self
                .io_error()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.0.position {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.0.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn StdError + 'static))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::new(ErrorKind::Database, format!("memory database: {e}")).with_source(e)
    }
}

/// Result with concord's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn error_position_is_exposed() {
        let e = Error::parse("draft.tsv", 3, "a tab is missing");
        assert_eq!(e.kind(), &ErrorKind::Parse);
        assert_eq!(e.position(), Some(&Location::line("draft.tsv", 3)));
        assert_eq!(e.message(), "a tab is missing");
        assert_eq!(e.to_string(), "draft.tsv:3: a tab is missing");
        let e = Error::new(ErrorKind::Parse, "x").at(Location::at("a.xlf", 2, 7));
        assert_eq!(e.to_string(), "a.xlf:2:7: x");
        assert_eq!(e.position().and_then(|p| p.column), Some(7));
    }

    #[test]
    fn broken_pipe_is_decided_by_kind() {
        let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "whatever the OS says");
        assert!(Error::output("standard output", pipe).is_broken_pipe());
        // The same words in another kind of error are not a broken pipe.
        let e = Error::bad_request("Broken pipe");
        assert!(!e.is_broken_pipe());
        let e = Error::io(
            "in.tsv",
            std::io::Error::new(std::io::ErrorKind::NotFound, "x"),
        );
        assert!(!e.is_broken_pipe());
        assert_eq!(
            e.io_error().map(|e| e.kind()),
            Some(std::io::ErrorKind::NotFound)
        );
    }

    #[test]
    fn hints_name_no_cli_flags() {
        for h in [
            Hint::GiveSourceLanguage,
            Hint::GiveTargetLanguage,
            Hint::GiveFormat,
            Hint::GiveDraftFormat,
            Hint::GiveInputFormat,
            Hint::GiveDocumentFormat,
            Hint::GiveGlossaryLanguages,
            Hint::CreateOrNameMemory,
            Hint::UseForce,
            Hint::AddToken,
        ] {
            assert!(!h.to_string().contains("--"), "{h}");
        }
    }
}
