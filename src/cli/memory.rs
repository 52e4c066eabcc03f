//! `import`, `export`, `stats`, `show`, `delete`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use concord::answer::{Deleted, Document, DELETE_SCHEMA, IMPORT_SCHEMA};
use concord::formats::import::ImportPlan;
use concord::formats::{write_memory, Format};
use concord::lang::{parse_ranges, LangRange};
use concord::store::Memory;
use concord::text::escape_controls;
use concord::{Error, Result};

use super::{
    db_path, open_for_reading, open_output, print_json, print_line, stderr_is_terminal,
    stdout_error,
};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Files to import (TMX, TSV, CSV, XLIFF 1.2/2.0, SDLXLIFF, MQXLIFF); all land in one
    /// transaction or none does.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The format of every file (default: from each file's extension).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
}

/// Arguments of `concord export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_parser = parse_format, default_value = "tmx")]
    pub format: Format,
    /// Write to this file (default: standard output). The file is replaced only when the
    /// export succeeds; the memory itself is never replaced.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only these languages, comma-separated ranges (`en,ko`, `zh-Hant`). For XLIFF:
    /// two languages, the source first.
    #[arg(long, value_name = "LANGS", conflicts_with_all = ["from", "to"])]
    pub langs: Option<String>,
    /// XLIFF: the source language (with --to; same as --langs FROM,TO).
    #[arg(long, value_name = "LANG", requires = "to")]
    pub from: Option<String>,
    /// XLIFF: the target language (with --from).
    #[arg(long, value_name = "LANG", requires = "from")]
    pub to: Option<String>,
    /// Replace the output file even when it is read-only.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `concord show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The unit id.
    pub id: i64,
}

/// Arguments of `concord delete`.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Unit ids.
    #[arg(required = true)]
    pub ids: Vec<i64>,
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    Format::from_name(s)
        .ok_or_else(|| format!("unknown format {s:?} (expected tmx, tsv, csv, xliff or xliff2)"))
}

pub fn import(cli: &Cli, args: &ImportArgs) -> Result<Status> {
    // Check every file before opening the memory, so a typo creates nothing.
    let plan = ImportPlan::new(&args.files, args.format)?;
    let (path, _) = db_path(cli);
    let existed = path.exists();
    let mut mem = super::open_for_writing(cli)?;
    let bar = progress_bar();
    let result = plan.import(&mut mem, |file, n| {
        bar.set_message(file.display().to_string());
        bar.set_position(n);
    });
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if !existed {
                drop(mem);
                remove_db(&path);
            }
            return Err(e);
        }
    };
    if cli.json {
        print_json(&Document::new(IMPORT_SCHEMA, &report))?;
    } else {
        let langs: Vec<String> = report
            .languages
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        let mut line = format!(
            "imported {} unit{} into {}",
            report.added,
            plural(report.added),
            path.display()
        );
        if report.duplicates > 0 {
            line += &format!(
                ", skipped {} duplicate{} already in the memory",
                report.duplicates,
                plural(report.duplicates)
            );
        }
        if report.incomplete > 0 {
            line += &format!(
                ", skipped {} row{} with fewer than two languages",
                report.incomplete,
                plural(report.incomplete)
            );
        }
        let mut bilingual = Vec::new();
        for (n, what) in [
            (report.untranslated, "untranslated"),
            (report.rejected, "rejected"),
            (report.empty, "empty"),
        ] {
            if n > 0 {
                bilingual.push(format!("{n} {what}"));
            }
        }
        if !bilingual.is_empty() {
            line += &format!(", skipped segments: {}", bilingual.join(", "));
        }
        if !langs.is_empty() {
            line += &format!(" (languages: {})", langs.join(", "));
        }
        print_line(&line)?;
    }
    Ok(Status::Ok)
}

fn remove_db(path: &Path) {
    let _ = std::fs::remove_file(path);
    for side in concord::store::side_files(path) {
        let _ = std::fs::remove_file(side);
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    if !stderr_is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} units ({per_sec}) {msg}")
            .expect("static template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn export(cli: &Cli, args: &ExportArgs) -> Result<Status> {
    let langs = match (&args.langs, &args.from, &args.to) {
        (Some(l), _, _) => parse_ranges(l).map_err(|e| Error::lang("--langs", e))?,
        (None, Some(f), Some(t)) => vec![
            LangRange::parse(f).map_err(|e| Error::lang("--from", e))?,
            LangRange::parse(t).map_err(|e| Error::lang("--to", e))?,
        ],
        _ => Vec::new(),
    };
    let mem = open_for_reading(cli)?;
    let mut out = open_output(cli, args.output.as_deref(), args.force)?;
    let report = write_memory(&mem, args.format, &langs, &mut out)?;
    let to_file = out.is_file();
    out.commit()?;
    if to_file {
        eprintln!(
            "exported {} unit{} ({})",
            report.units,
            plural(report.units),
            report.languages.join(", ")
        );
    }
    if report.flattened_cells > 0 {
        eprintln!(
            "concord: warning: {} cell{} held a TAB or line break, written as a space (TSV cannot quote; use --format csv or tmx to keep them)",
            report.flattened_cells,
            plural(report.flattened_cells)
        );
    }
    if report.replaced_chars > 0 {
        eprintln!(
            "concord: warning: {} control character{} that XML 1.0 cannot carry written as U+FFFD",
            report.replaced_chars,
            plural(report.replaced_chars)
        );
    }
    Ok(Status::Ok)
}

pub fn stats(cli: &Cli) -> Result<Status> {
    let mem = open_for_reading(cli)?;
    let answer = concord::answer::stats(&mem)?;
    if cli.json {
        print_json(&answer)?;
        return Ok(Status::Ok);
    }
    let s = &answer.stats;
    let mut lines = vec![
        format!("memory    {}", s.path),
        format!("units     {}", s.units),
        format!("size      {:.1} MB", s.bytes as f64 / 1e6),
        "languages".into(),
    ];
    for (l, n) in &s.languages {
        lines.push(format!("  {:<10} {n:>9}", escape_controls(l)));
    }
    lines.push("origins".into());
    for (o, n) in &s.origins {
        let o = if o.is_empty() { "(none)" } else { o };
        lines.push(format!("  {:<30} {n:>9}", escape_controls(o)));
    }
    print_lines(&lines)
}

pub fn show(cli: &Cli, args: &ShowArgs) -> Result<Status> {
    let mem = open_for_reading(cli)?;
    let answer = concord::answer::show(&mem, args.id)?;
    if cli.json {
        print_json(&answer)?;
        return Ok(Status::Ok);
    }
    // Stored text may hold control characters (an ESC from a TSV cell): escaped here.
    let e = |s: &str| escape_controls(s).into_owned();
    let unit = &answer.unit;
    let mut lines = vec![format!("unit {}", answer.id)];
    for v in &unit.variants {
        lines.push(format!("  {:<8} {}", v.lang, e(&v.text)));
        if let Some(m) = &v.markup {
            lines.push(format!("  {:<8} markup: {}", "", e(m)));
        }
    }
    let m = &unit.meta;
    for (k, v) in [
        ("origin", &m.origin),
        ("created", &m.created),
        ("creator", &m.creator),
        ("changed", &m.changed),
        ("changer", &m.changer),
        ("srclang", &m.source_lang),
    ] {
        if let Some(v) = v {
            lines.push(format!("  {k:<8} {}", e(v)));
        }
    }
    for n in &m.extra.notes {
        lines.push(format!("  note     {}", e(n)));
    }
    for p in &m.extra.props {
        lines.push(format!("  prop     {} = {}", e(&p.kind), e(&p.value)));
    }
    print_lines(&lines)
}

fn print_lines(lines: &[String]) -> Result<Status> {
    let mut out = super::stdout();
    for l in lines {
        writeln!(out, "{l}").map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
}

pub fn delete(cli: &Cli, args: &DeleteArgs) -> Result<Status> {
    let (path, _) = db_path(cli);
    let mut mem = Memory::open_existing(&path)?;
    let n = mem.delete(&args.ids)?;
    if cli.json {
        print_json(&Document::new(DELETE_SCHEMA, Deleted { deleted: n }))?;
    } else {
        print_line(&format!("deleted {n} unit{}", plural(n)))?;
    }
    Ok(Status::Ok)
}
