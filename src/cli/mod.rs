//! Command implementations: argument handling and printing only; the work is in the
//! library.

pub mod glossary;
pub mod lint;
pub mod matching;
pub mod memory;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use concord::{Error, Result};

use crate::{Cli, Command, Outcome};

/// The default memory path, relative to the current directory.
pub const DEFAULT_DB: &str = "memories/concord.db";

/// Dispatch a parsed command line.
pub fn run(cli: &Cli) -> Result<Outcome> {
    match &cli.command {
        Command::Import(a) => memory::import(cli, a),
        Command::Export(a) => memory::export(cli, a),
        Command::Stats => memory::stats(cli),
        Command::Show(a) => memory::show(cli, a),
        Command::Delete(a) => memory::delete(cli, a),
        Command::Lint(a) => lint::lint(cli, a),
        Command::Glossary(a) => glossary::run(cli, a),
        Command::Terms(a) => glossary::terms(cli, a),
        Command::Match(a) => matching::match_cmd(cli, a),
        Command::Search(a) => matching::search_cmd(cli, a),
    }
}

/// Where the memory lives: `--db`, else `$CONCORD_DB`, else [`DEFAULT_DB`]. The flag
/// says whether the default was used.
pub fn db_path(cli: &Cli) -> (PathBuf, bool) {
    if let Some(p) = &cli.db {
        return (p.clone(), false);
    }
    if let Some(p) = std::env::var_os("CONCORD_DB").filter(|p| !p.is_empty()) {
        return (PathBuf::from(p), false);
    }
    (PathBuf::from(DEFAULT_DB), true)
}

/// Open (or create) the memory for writing. The default location's directory
/// (`memories/`) is created when missing; an explicit `--db` must name an existing
/// directory.
pub fn open_for_writing(cli: &Cli) -> Result<concord::store::Memory> {
    let (path, default) = db_path(cli);
    if default {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    concord::store::Memory::open(&path)
}

/// Open the memory for reading. The default memory is created from the shipped samples
/// (`memories/*.tsv|tmx`, `glossaries/*.csv`) the first time it is needed.
pub fn open_for_reading(cli: &Cli) -> Result<concord::store::Memory> {
    let (path, default) = db_path(cli);
    if default && !path.exists() {
        if let Some(report) = concord::samples::seed(&path, Path::new("."))? {
            eprintln!(
                "concord: created {} from the shipped samples ({} units{})",
                path.display(),
                report.units,
                if report.glossary_entries > 0 {
                    format!(", {} glossary entries", report.glossary_entries)
                } else {
                    String::new()
                }
            );
        }
    }
    concord::store::Memory::open_read_only(&path)
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| Error::Invalid(format!("writing JSON: {e}")))?;
    writeln!(out).map_err(stdout_error)?;
    Ok(())
}

/// Map a failed write to stdout (a closed pipe, a full disk) to an error.
pub fn stdout_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// True when stderr is a terminal (progress bars are shown only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
