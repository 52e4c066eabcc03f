//! The error type of the library.
//!
//! Every error that comes from a file the user handed over names the file and, when it is
//! known, the line (1-based) and column, so the CLI can print `file:line: message`.

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

/// Everything that can go wrong in concord.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An input file is malformed.
    #[error("{location}: {message}")]
    Parse {
        /// Where.
        location: Location,
        /// What is wrong, in words a translator understands.
        message: String,
    },
    /// A language tag is malformed or unknown.
    #[error("{context}: {source}")]
    Lang {
        /// Where the tag came from (a file and line, or a command-line option).
        context: String,
        /// The tag error.
        source: LangError,
    },
    /// The memory database failed.
    #[error("memory database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The memory file was written by a newer concord.
    #[error(
        "{path}: this memory has schema version {found}, but this concord knows versions up to {supported}; upgrade concord",
        path = .path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The memory holds data concord cannot read back (unreadable metadata, an
    /// unparsable stored language tag, a damaged index row).
    #[error("corrupt memory: {0}")]
    CorruptMemory(String),
    /// The file is not a concord memory (another application's database, an empty file,
    /// a directory...). It was left as it was.
    #[error("{path}: not a concord memory: {reason}; the file was not changed", path = .path.display())]
    NotAMemory {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// A request that cannot be served (bad argument, missing unit, empty query...).
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// A parse error at a line of a file.
    pub fn parse(path: impl AsRef<Path>, line: u64, message: impl Into<String>) -> Error {
        Error::Parse {
            location: Location::line(path, line),
            message: message.into(),
        }
    }

    /// A parse error about a whole file.
    pub fn parse_file(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::Parse {
            location: Location::file(path),
            message: message.into(),
        }
    }

    /// An I/O error on a file.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A language-tag error with its context.
    pub fn lang(context: impl Into<String>, source: LangError) -> Error {
        Error::Lang {
            context: context.into(),
            source,
        }
    }
}

/// Result with concord's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
