//! Command implementations: argument handling and printing only; the work is in the
//! library.

pub mod align;
pub mod analyze;
pub mod glossary;
pub mod lint;
pub mod matching;
pub mod memory;
pub mod pretranslate;
pub mod segment;
#[cfg(feature = "server")]
pub mod serve;
pub mod token;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use concord::error::Hint;
use concord::output::{Output, Policy};
use concord::{Error, Result};

use concord::diag::Status;

use crate::{Cli, Command};

/// The default memory path, relative to the current directory.
pub const DEFAULT_DB: &str = "memories/concord.db";

/// Dispatch a parsed command line.
pub fn run(cli: &Cli) -> Result<Status> {
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
        Command::Pretranslate(a) => pretranslate::pretranslate(cli, a),
        #[cfg(feature = "server")]
        Command::Serve(a) => serve::serve(cli, a),
        Command::Token(a) => token::run(cli, a),
        Command::Segment(a) => segment::segment(cli, a),
        Command::Align(a) => align::align(cli, a),
        Command::Analyze(a) => analyze::analyze(cli, a),
        Command::Completions(a) => completions(a),
        Command::Man(a) => man(a),
    }
}

/// Arguments of `concord completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish (also elvish, powershell).
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print a completion script generated from the clap definitions.
fn completions(args: &CompletionsArgs) -> Result<Status> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Generated into memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "concord", &mut script);
    let mut out = stdout();
    out.write_all(&script).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
}

/// Arguments of `concord man`.
#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// A subcommand (`export`, `glossary import`): print its page instead of `concord.1`.
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Vec<String>,
}

/// Print the manual page `concord.1` (or `concord-SUB.1`), generated from the clap
/// definitions.
fn man(args: &ManArgs) -> Result<Status> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let mut name = String::from("concord");
    for sub in &args.command {
        let found = cmd.find_subcommand(sub).cloned().ok_or_else(|| {
            Error::bad_request(format!(
                "{name} has no subcommand {sub:?} (see `{name} --help`)"
            ))
        })?;
        name = format!("{name}-{}", found.get_name());
        cmd = found
            .display_name(name.clone())
            .bin_name(name.clone())
            .version(env!("CARGO_PKG_VERSION"));
    }
    let mut out = stdout();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
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

/// Set when a write to standard output failed because the reader closed the pipe.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// True when standard output was closed by its reader (`concord export | head`): decided
/// by the error kind of the failed write, whatever error the library wrapped it in.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Standard output that notes a closed pipe (see [`stdout_closed`]). Every command writes
/// its answers through this, never with `println!` (which panics on a closed pipe).
pub struct Stdout;

impl Stdout {
    fn note<T>(r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
            }
        }
        r
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Stdout::note(std::io::stdout().lock().write(buf))
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        Stdout::note(std::io::stdout().lock().write_all(buf))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Stdout::note(std::io::stdout().lock().flush())
    }
}

/// A buffered standard output (flush it at the end).
pub fn stdout() -> std::io::BufWriter<Stdout> {
    std::io::BufWriter::new(Stdout)
}

/// Print one line on standard output.
pub fn print_line(line: &str) -> Result<()> {
    let mut out = stdout();
    writeln!(out, "{line}").map_err(stdout_error)?;
    out.flush().map_err(stdout_error)
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| {
        Error::new(
            concord::error::ErrorKind::OutputIo,
            format!("writing JSON: {e}"),
        )
    })?;
    writeln!(out).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)
}

/// Where a command writes the file it was asked for: standard output for no path or
/// `-`, else an [`Output`] that never replaces the memory (or, without `force`, a
/// read-only file) and leaves nothing behind on failure.
pub fn open_output(cli: &Cli, path: Option<&Path>, force: bool) -> Result<Output> {
    match path {
        None => Ok(Output::stream("<stdout>", Box::new(Stdout))),
        Some(p) if p.as_os_str() == "-" => Ok(Output::stream("<stdout>", Box::new(Stdout))),
        Some(p) => {
            let policy = Policy::default()
                .force(force)
                .protect_memory(&db_path(cli).0);
            Output::create(p, &policy)
        }
    }
}

/// Map a failed write to stdout (a closed pipe, a full disk) to an error.
pub fn stdout_error(e: std::io::Error) -> Error {
    Error::output("<stdout>", e)
}

/// What the user types to act on a library [`Hint`]: the library names no flags, the
/// CLI does, here only.
pub fn hint_text(hint: Hint) -> String {
    match hint {
        Hint::GiveSourceLanguage => "give the source language with --from".into(),
        Hint::GiveTargetLanguage => "give the target language with --to".into(),
        Hint::GiveFormat => "name the format with --format tsv|csv|tmx|xliff".into(),
        Hint::GiveDraftFormat => {
            "name the draft format with --draft-format tsv|csv|xliff|tmx|txt".into()
        }
        Hint::GiveInputFormat => {
            "name the format with --input-format txt|md|html|docx|tsv|csv|xliff|tmx".into()
        }
        Hint::GiveDocumentFormat => "name the format with --format txt|md|html|docx".into(),
        Hint::GiveGlossaryLanguages => "name the columns' languages with --langs en,ko".into(),
        Hint::CreateOrNameMemory => {
            "create one with `concord import FILE`, or name another with --db".into()
        }
        Hint::UseForce => "give --force to go ahead anyway".into(),
        Hint::AddToken => "make one with `concord token add NAME --scope read`".into(),
        // A hint added to the library later: its words, until the CLI has a flag for it.
        other => other.to_string(),
    }
}

/// The exit status of a command's result: the one place that maps error kinds to exit
/// codes. A closed standard output (`concord export | head`) is the reader's choice:
/// a quiet success. Every other error means the command could not run.
pub fn status_of(result: &Result<Status>) -> Status {
    match result {
        Ok(status) => *status,
        Err(e) if is_broken_pipe(e) => Status::Ok,
        Err(_) => Status::Failed,
    }
}

/// A closed standard output: decided by the kind of the failed write (noted by
/// [`Stdout`]) or of the error itself, never by message text.
pub fn is_broken_pipe(e: &Error) -> bool {
    stdout_closed() || e.is_broken_pipe()
}

/// True when stderr is a terminal (progress bars are shown only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
