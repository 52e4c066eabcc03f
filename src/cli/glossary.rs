//! `glossary import|export|fmt|check` and `terms`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use concord::answer::{
    Canonical, Document, TermsRequest, GLOSSARY_FMT_SCHEMA, GLOSSARY_IMPORT_SCHEMA,
};
use concord::diag::printer::{self, OutputFormat};
use concord::diag::Status;
use concord::formats::glossary::check_file;
use concord::formats::glossary::{CsvOptions, Layout};
use concord::formats::tbx::{write_tbx, TbxFlavor};
use concord::glossary::Glossary;
use concord::lang::{parse_ranges, LangRange, LangTag};
use concord::text::escape_controls;
use concord::{Error, Result};

use super::{db_path, open_for_reading, open_output, print_json, print_line, stdout_error};
use crate::Cli;

/// How to read glossary files (all optional: layouts and delimiters are detected).
#[derive(Args, Debug, Clone, Default)]
pub struct ReadOpts {
    /// The languages of the columns of a file without a header (`en,ko`).
    #[arg(long, value_name = "TAGS")]
    pub langs: Option<String>,
    /// The delimiter: `,` `;` `tab` (default: TAB for .tsv/.tab/.txt, else detected).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The layout: canonical, google, headerless, deepl (default: detected).
    #[arg(long, value_name = "LAYOUT", value_parser = parse_layout)]
    pub format: Option<Layout>,
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "tab" | "\\t" | "TAB" => Ok(b'\t'),
        _ => Err(format!("unknown delimiter {s:?} (expected , ; or tab)")),
    }
}

fn parse_layout(s: &str) -> std::result::Result<Layout, String> {
    Layout::from_name(s).ok_or_else(|| {
        format!("unknown glossary format {s:?} (expected canonical, google, headerless or deepl)")
    })
}

impl ReadOpts {
    fn options(&self) -> Result<CsvOptions> {
        let langs = match &self.langs {
            None => Vec::new(),
            Some(l) => l
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| LangTag::parse(s).map_err(|e| Error::lang("--langs", e)))
                .collect::<Result<Vec<_>>>()?,
        };
        Ok(CsvOptions {
            langs,
            delimiter: self.delimiter,
            layout: self.format,
        })
    }
}

/// Arguments of `concord glossary`.
#[derive(Args, Debug)]
pub struct GlossaryArgs {
    #[command(subcommand)]
    pub command: GlossaryCommand,
}

/// The glossary subcommands.
#[derive(Subcommand, Debug)]
pub enum GlossaryCommand {
    /// Import glossary files into the memory (all in one transaction, or nothing).
    Import(ImportArgs),
    /// Export the memory's glossary as canonical CSV or TBX.
    Export(ExportArgs),
    /// Rewrite a glossary file in canonical form (`--check`: only report).
    Fmt(FmtArgs),
    /// Report problems in a glossary file.
    Check(CheckArgs),
}

/// Arguments of `concord glossary import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Glossary files (CSV, TSV, TBX).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadOpts,
}

/// What `concord glossary export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The canonical CSV.
    Csv,
    /// TBX (TBX-Basic v3 DCA, or TBX 2008 martif).
    Tbx(TbxFlavor),
}

fn parse_export_format(s: &str) -> std::result::Result<ExportFormat, String> {
    if s.eq_ignore_ascii_case("csv") || s.eq_ignore_ascii_case("canonical") {
        return Ok(ExportFormat::Csv);
    }
    TbxFlavor::from_name(s)
        .map(ExportFormat::Tbx)
        .ok_or_else(|| {
            format!("unknown glossary export format {s:?} (expected csv, tbx or tbx-martif)")
        })
}

/// Arguments of `concord glossary export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to this file (replaced only when the export succeeds); default stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// csv (the canonical CSV), tbx (TBX-Basic v3, DCA style) or tbx-martif (TBX 2008
    /// `martif`, for older tools). Default: tbx when FILE ends in .tbx, else csv.
    #[arg(long, value_name = "FORMAT", value_parser = parse_export_format)]
    pub format: Option<ExportFormat>,
    /// Replace the output file even when it is read-only.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `concord glossary fmt`.
#[derive(Args, Debug)]
pub struct FmtArgs {
    /// The glossary file.
    pub file: PathBuf,
    /// Only report whether the file is canonical (exit 1 when it is not).
    #[arg(long)]
    pub check: bool,
    /// Write the canonical CSV to this file instead of rewriting FILE (needed when FILE is
    /// not a .csv file, e.g. to convert a TSV or DeepL export).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace the output file even when it is read-only.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub read: ReadOpts,
}

/// Arguments of `concord glossary check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The glossary file.
    pub file: PathBuf,
    /// Output format: text (default), json (as --json) or sarif.
    #[arg(long, value_name = "FORMAT", value_parser = super::lint::parse_output_format)]
    pub output_format: Option<OutputFormat>,
    #[command(flatten)]
    pub read: ReadOpts,
}

/// Arguments of `concord terms`.
#[derive(Args, Debug)]
pub struct TermsArgs {
    /// The text to search.
    pub text: String,
    /// The language of the text (`en`, `ko`, `zh`, `zh-Hant`...); detected from the script
    /// when omitted, as `match` does.
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// Languages of the translations to show (default: every other glossary language).
    #[arg(long, value_name = "LANGS")]
    pub to: Option<String>,
    /// Read terms from these glossary files instead of the memory (repeatable).
    #[arg(long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// Also find forbidden variants.
    #[arg(long)]
    pub forbidden: bool,
    #[command(flatten)]
    pub read: ReadOpts,
}

pub fn run(cli: &Cli, args: &GlossaryArgs) -> Result<Status> {
    match &args.command {
        GlossaryCommand::Import(a) => import(cli, a),
        GlossaryCommand::Export(a) => export(cli, a),
        GlossaryCommand::Fmt(a) => fmt(cli, a),
        GlossaryCommand::Check(a) => check(cli, a),
    }
}

fn print_warnings(g: &Glossary) {
    for w in g.warnings() {
        // A load warning is a diagnostic; its file name and message may hold control
        // characters of the file.
        eprintln!(
            "concord: warning: {}",
            concord::text::escape_controls(&w.to_string())
        );
    }
}

fn import(cli: &Cli, args: &ImportArgs) -> Result<Status> {
    let opts = args.read.options()?;
    // Read every file before touching the memory: a bad file imports nothing.
    let all = Glossary::from_files(&args.files, &opts)?.unwrap_or_default();
    print_warnings(&all);
    let (path, _) = db_path(cli);
    let mut mem = super::open_for_writing(cli)?;
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let report = mem.import_glossary(&names, &all)?;
    if cli.json {
        print_json(&Document::new(GLOSSARY_IMPORT_SCHEMA, &report))?;
    } else {
        print_line(&format!(
            "imported {} glossary entr{} into {} ({} added, {} updated, {} unchanged; languages: {})",
            report.read,
            if report.read == 1 { "y" } else { "ies" },
            path.display(),
            report.added,
            report.updated,
            report.unchanged,
            all.languages()
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    Ok(Status::Ok)
}

/// Write `bytes` to `path` (`-` is standard output) with the one output rule: atomic,
/// never over the memory, never over a read-only file without `--force`.
fn write_file(cli: &Cli, path: &Path, force: bool, bytes: &[u8]) -> Result<()> {
    let mut out = open_output(cli, Some(path), force)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.commit()
}

fn export(cli: &Cli, args: &ExportArgs) -> Result<Status> {
    let mem = open_for_reading(cli)?;
    let g = mem.glossary()?;
    let by_name = args
        .output
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("tbx")));
    let format = args.format.unwrap_or(if by_name {
        ExportFormat::Tbx(TbxFlavor::Basic)
    } else {
        ExportFormat::Csv
    });
    let text = match format {
        ExportFormat::Csv => g.to_csv_string().into_bytes(),
        ExportFormat::Tbx(flavor) => {
            let mut buf = Vec::new();
            let w = write_tbx(&g, flavor, &mut buf)?;
            if w.without_terms > 0 {
                eprintln!(
                    "concord: warning: {} glossary entr{} without any term left out (a TBX entry needs a term)",
                    w.without_terms,
                    if w.without_terms == 1 { "y" } else { "ies" }
                );
            }
            if w.replaced > 0 {
                eprintln!(
                    "concord: warning: {} character{} that XML cannot carry written as U+FFFD",
                    w.replaced,
                    if w.replaced == 1 { "" } else { "s" }
                );
            }
            buf
        }
    };
    match &args.output {
        None => write_file(cli, Path::new("-"), false, &text)?,
        Some(p) => {
            write_file(cli, p, args.force, &text)?;
            eprintln!(
                "exported {} glossary entr{} to {}",
                g.entries.len(),
                if g.entries.len() == 1 { "y" } else { "ies" },
                p.display()
            );
        }
    }
    Ok(Status::Ok)
}

fn fmt(cli: &Cli, args: &FmtArgs) -> Result<Status> {
    let opts = args.read.options()?;
    let g = Glossary::from_csv_file(&args.file, &opts)?;
    print_warnings(&g);
    let canonical = g.to_csv_string();
    let current = std::fs::read(&args.file).map_err(|e| Error::io(&args.file, e))?;
    let is_canonical = current == canonical.as_bytes();
    let name = args.file.display();
    if args.check {
        if cli.json {
            print_json(&Document::new(
                GLOSSARY_FMT_SCHEMA,
                Canonical {
                    file: name.to_string(),
                    canonical: is_canonical,
                },
            ))?;
        } else if is_canonical {
            print_line(&format!("{name}: canonical"))?;
        } else {
            print_line(&format!(
                "{name}: not in canonical form (run `concord glossary fmt {name}`)"
            ))?;
        }
        return Ok(if is_canonical {
            Status::Ok
        } else {
            Status::Findings
        });
    }
    let target = match &args.output {
        Some(o) => o.clone(),
        None => {
            let csv = args
                .file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if !csv {
                return Err(Error::bad_request(format!(
                    "{name}: not a .csv file; write the canonical CSV elsewhere with -o FILE.csv"
                )));
            }
            if is_canonical {
                print_line(&format!("{name}: already canonical"))?;
                return Ok(Status::Ok);
            }
            args.file.clone()
        }
    };
    write_file(cli, &target, args.force, canonical.as_bytes())?;
    eprintln!(
        "wrote {} ({} entries, canonical form)",
        target.display(),
        g.entries.len()
    );
    Ok(Status::Ok)
}

fn check(cli: &Cli, args: &CheckArgs) -> Result<Status> {
    let opts = args.read.options()?;
    let report = check_file(&args.file, &opts)?;
    let format = match (&args.output_format, cli.json) {
        (Some(f), _) => *f,
        (None, true) => OutputFormat::Json,
        (None, false) => OutputFormat::Text,
    };
    let mut p = printer::printer(format, super::stdout());
    let status = report.print(p.as_mut()).map_err(stdout_error)?;
    drop(p);
    Ok(status)
}

pub fn terms(cli: &Cli, args: &TermsArgs) -> Result<Status> {
    let req = TermsRequest {
        text: args.text.clone(),
        from: args
            .from
            .as_deref()
            .map(|f| LangRange::parse(f).map_err(|e| Error::lang("--from", e)))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|l| parse_ranges(l).map_err(|e| Error::lang("--to", e)))
            .transpose()?,
        forbidden: args.forbidden,
    };
    let g = match Glossary::from_files(&args.glossaries, &args.read.options()?)? {
        Some(g) => {
            print_warnings(&g);
            g
        }
        None => open_for_reading(cli)?.glossary()?,
    };
    let answer = concord::answer::terms(&g, &req)?;
    if cli.json {
        print_json(&answer)?;
        return Ok(Status::Ok);
    }
    // Glossary text is printed with its control characters escaped.
    let e = |s: &str| escape_controls(s).into_owned();
    let mut out = super::stdout();
    if answer.hits.is_empty() {
        writeln!(out, "no glossary terms found").map_err(stdout_error)?;
    }
    for h in &answer.hits {
        let who = match &h.id {
            Some(id) => e(id),
            None => format!("#{}", h.entry + 1),
        };
        let tr: Vec<String> = h
            .translations
            .iter()
            .map(|(t, l)| format!("{t}: {}", e(&l.join(" | "))))
            .collect();
        let flag = match (h.forbidden, &h.use_instead) {
            (true, Some(u)) => format!("  FORBIDDEN, use {}", e(u)),
            (true, None) => "  FORBIDDEN".to_string(),
            _ => String::new(),
        };
        writeln!(
            out,
            "{}..{}\t{}\t[{who}]{flag}\t{}",
            h.start,
            h.end,
            e(&h.matched),
            tr.join("\t")
        )
        .map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
}
