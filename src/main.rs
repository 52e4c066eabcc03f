//! The `concord` command line: parse arguments, call the library, print, exit.
//!
//! Exit codes are decided in one place: every command returns a
//! [`concord::diag::Status`], `cli::status_of` turns an error into one (a closed
//! standard output is a quiet 0, every other error 2), and [`Status::exit_code`] gives
//! 0 success, 1 the command ran and found error-level problems (lint), 2 it could not run.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use concord::diag::Status;

/// Translation memory, termbase and QA for English, Korean and Chinese diplomatic text.
#[derive(Parser, Debug)]
#[command(name = "concord", version, about, long_about = None)]
pub struct Cli {
    /// The memory database (default: $CONCORD_DB, else memories/concord.db here).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import TMX, TSV, CSV or bilingual XLIFF (1.2, 2.0, SDLXLIFF, MQXLIFF) files into the memory (all files in one transaction).
    Import(cli::memory::ImportArgs),
    /// Export the memory as TMX, TSV, CSV or bilingual XLIFF (1.2, 2.0).
    Export(cli::memory::ExportArgs),
    /// Show counts of units, languages and origins.
    Stats,
    /// Show one unit.
    Show(cli::memory::ShowArgs),
    /// Delete units by id.
    Delete(cli::memory::DeleteArgs),
    /// Check a translated draft: terms, numbers, tags, scripts, punctuation, consistency.
    Lint(cli::lint::LintArgs),
    /// Glossaries: import, export, fmt, check.
    Glossary(cli::glossary::GlossaryArgs),
    /// Find glossary terms in a text, with their spans and approved translations.
    Terms(cli::glossary::TermsArgs),
    /// Find fuzzy matches for a sentence (or for each line of standard input).
    Match(cli::matching::MatchArgs),
    /// Concordance: find the units whose segment contains a word or phrase.
    Search(cli::matching::SearchArgs),
    /// Fill a document's targets from the memory (XLIFF 1.2/2.0, SDLXLIFF, MQXLIFF, TSV
    /// out), adapting numbers, dates and glossary terms of fuzzy matches.
    Pretranslate(cli::pretranslate::PretranslateArgs),
    /// Serve the memory over HTTP: the JSON API (/v1/), tmserver routes for Weblate, and
    /// a web page for translators.
    #[cfg(feature = "server")]
    Serve(cli::serve::ServeArgs),
    /// Access tokens of `concord serve`: add, list, revoke.
    Token(cli::token::TokenArgs),
    /// Split a document (text, Markdown, HTML, DOCX) into sentences with SRX rules.
    Segment(cli::segment::SegmentArgs),
    /// Align two or three versions (EN, KO, ZH) of a document into units with confidences.
    Align(cli::align::AlignArgs),
    /// Analyze a job against the memory: context matches, repetitions, 100%, fuzzy bands,
    /// no match, in segments, words and characters (table, JSON, CSV, Trados XML).
    Analyze(cli::analyze::AnalyzeArgs),
    /// Print a shell completion script (`concord completions bash > concord.bash`).
    Completions(cli::CompletionsArgs),
    /// Print the manual page (roff): `concord man > concord.1`, and one page per
    /// subcommand (`concord man glossary import > concord-glossary-import.1`).
    Man(cli::ManArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A malformed CONCORD_MAX_* value is an error, not silently the default.
    let result = concord::limits::Limits::from_env().and_then(|_| cli::run(&cli));
    let status = cli::status_of(&result);
    if let Err(e) = &result {
        // A closed pipe is a quiet success (see `cli::status_of`); say nothing.
        if status == Status::Failed {
            eprintln!("concord: error: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("concord: hint: {}", cli::hint_text(hint));
            }
        }
    }
    ExitCode::from(status.exit_code())
}
