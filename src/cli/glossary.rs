//! `glossary import|export|fmt|check` and `terms`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use concord::diag::printer::{self, OutputFormat};
use concord::diag::Status;
use concord::glossary::check::check_file;
use concord::glossary::{CsvOptions, Glossary, Layout, Recognizer};
use concord::lang::{parse_ranges, LangRange, LangTag};
use concord::{Error, Result};

use super::memory::{output_target, OutputTarget};
use super::{db_path, open_for_reading, print_json, stdout_error};
use crate::{Cli, Outcome};

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
    /// Export the memory's glossary as canonical CSV.
    Export(ExportArgs),
    /// Rewrite a glossary file in canonical form (`--check`: only report).
    Fmt(FmtArgs),
    /// Report problems in a glossary file.
    Check(CheckArgs),
}

/// Arguments of `concord glossary import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Glossary files (CSV, TSV).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadOpts,
}

/// Arguments of `concord glossary export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to this file (replaced only when the export succeeds); default stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// The language of the text (`en`, `ko`, `zh`, `zh-Hant`...).
    #[arg(long, value_name = "LANG")]
    pub from: String,
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

pub fn run(cli: &Cli, args: &GlossaryArgs) -> Result<Outcome> {
    match &args.command {
        GlossaryCommand::Import(a) => import(cli, a),
        GlossaryCommand::Export(a) => export(cli, a),
        GlossaryCommand::Fmt(a) => fmt(cli, a),
        GlossaryCommand::Check(a) => check(cli, a),
    }
}

fn print_warnings(g: &Glossary) {
    for w in g.warnings() {
        eprintln!("concord: warning: {w}");
    }
}

fn import(cli: &Cli, args: &ImportArgs) -> Result<Outcome> {
    let opts = args.read.options()?;
    // Read every file before touching the memory: a bad file imports nothing.
    let mut all = Glossary::default();
    for f in &args.files {
        let g = Glossary::from_csv_file(f, &opts)?;
        print_warnings(&g);
        all.merge(g);
    }
    let (path, _) = db_path(cli);
    let mut mem = super::open_for_writing(cli)?;
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let report = mem.import_glossary(&names, &all)?;
    if cli.json {
        print_json(&report)?;
    } else {
        println!(
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
        );
    }
    Ok(Outcome::Ok)
}

/// Write `bytes` to `path` through a temporary file and a rename (`-` is standard output;
/// a device such as `/dev/stdout` is written in place; a symbolic link is followed).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let path = match output_target(path) {
        OutputTarget::Stdout => {
            return std::io::stdout()
                .lock()
                .write_all(bytes)
                .map_err(stdout_error)
        }
        OutputTarget::Direct(p) => {
            return std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e));
        }
        OutputTarget::Replace(p) => p,
    };
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(format!(".part{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&path, e));
    }
    Ok(())
}

fn export(cli: &Cli, args: &ExportArgs) -> Result<Outcome> {
    let mem = open_for_reading(cli)?;
    let g = mem.glossary()?;
    let text = g.to_csv_string();
    match &args.output {
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(stdout_error)?,
        Some(p) => {
            write_atomic(p, text.as_bytes())?;
            eprintln!(
                "exported {} glossary entr{} to {}",
                g.entries.len(),
                if g.entries.len() == 1 { "y" } else { "ies" },
                p.display()
            );
        }
    }
    Ok(Outcome::Ok)
}

fn fmt(cli: &Cli, args: &FmtArgs) -> Result<Outcome> {
    let opts = args.read.options()?;
    let g = Glossary::from_csv_file(&args.file, &opts)?;
    print_warnings(&g);
    let canonical = g.to_csv_string();
    let current = std::fs::read(&args.file).map_err(|e| Error::io(&args.file, e))?;
    let is_canonical = current == canonical.as_bytes();
    let name = args.file.display();
    if args.check {
        if cli.json {
            print_json(
                &serde_json::json!({ "file": name.to_string(), "canonical": is_canonical }),
            )?;
        } else if is_canonical {
            println!("{name}: canonical");
        } else {
            println!("{name}: not in canonical form (run `concord glossary fmt {name}`)");
        }
        return Ok(if is_canonical {
            Outcome::Ok
        } else {
            Outcome::Findings
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
                return Err(Error::Invalid(format!(
                    "{name}: not a .csv file; write the canonical CSV elsewhere with -o FILE.csv"
                )));
            }
            if is_canonical {
                println!("{name}: already canonical");
                return Ok(Outcome::Ok);
            }
            args.file.clone()
        }
    };
    write_atomic(&target, canonical.as_bytes())?;
    eprintln!(
        "wrote {} ({} entries, canonical form)",
        target.display(),
        g.entries.len()
    );
    Ok(Outcome::Ok)
}

fn check(cli: &Cli, args: &CheckArgs) -> Result<Outcome> {
    let opts = args.read.options()?;
    let report = check_file(&args.file, &opts)?;
    let format = match (&args.output_format, cli.json) {
        (Some(f), _) => *f,
        (None, true) => OutputFormat::Json,
        (None, false) => OutputFormat::Text,
    };
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut p = printer::printer(format, out);
    let status = report.print(p.as_mut()).map_err(stdout_error)?;
    drop(p);
    Ok(match status {
        Status::Ok => Outcome::Ok,
        _ => Outcome::Findings,
    })
}

/// One hit of `concord terms`, as printed with `--json`.
#[derive(serde::Serialize)]
struct HitOut<'a> {
    start: usize,
    end: usize,
    matched: &'a str,
    variant: &'a str,
    forbidden: bool,
    /// For a forbidden variant: the preferred variant of the text's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    use_instead: Option<&'a str>,
    entry: usize,
    id: Option<&'a str>,
    note: Option<&'a str>,
    translations: Vec<(String, Vec<&'a str>)>,
}

pub fn terms(cli: &Cli, args: &TermsArgs) -> Result<Outcome> {
    let from = LangRange::parse(&args.from).map_err(|e| Error::lang("--from", e))?;
    let g = if args.glossaries.is_empty() {
        open_for_reading(cli)?.glossary()?
    } else {
        let opts = args.read.options()?;
        let mut all = Glossary::default();
        for f in &args.glossaries {
            let g = Glossary::from_csv_file(f, &opts)?;
            print_warnings(&g);
            all.merge(g);
        }
        all
    };
    if !g.has_language(&from) {
        let langs: Vec<String> = g.languages().iter().map(|t| t.to_string()).collect();
        return Err(Error::Invalid(format!(
            "the glossary has no terms in {from} (its languages: {})",
            if langs.is_empty() {
                "none".to_string()
            } else {
                langs.join(", ")
            }
        )));
    }
    let to: Vec<LangTag> = match &args.to {
        Some(list) => {
            let ranges = parse_ranges(list).map_err(|e| Error::lang("--to", e))?;
            g.languages()
                .into_iter()
                .filter(|t| ranges.iter().any(|r| r.matches(t)))
                .collect()
        }
        None => g
            .languages()
            .into_iter()
            .filter(|t| !from.matches(t))
            .collect(),
    };
    let r = Recognizer::new(&g, &from, args.forbidden);
    let hits = r.find(&args.text);
    let out_hits: Vec<HitOut<'_>> = hits
        .iter()
        .map(|h| {
            let e = &g.entries[h.entry];
            HitOut {
                start: h.start,
                end: h.end,
                matched: &h.matched,
                variant: &h.variant,
                forbidden: h.forbidden,
                use_instead: h.forbidden.then(|| e.preferred(&from)).flatten(),
                entry: h.entry,
                id: e.id.as_deref(),
                note: e.note.as_deref(),
                translations: to
                    .iter()
                    .filter_map(|t| {
                        e.term_set(t).filter(|s| !s.approved.is_empty()).map(|s| {
                            (
                                t.to_string(),
                                s.approved.iter().map(|a| a.as_str()).collect(),
                            )
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    if cli.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            text: &'a str,
            from: String,
            hits: Vec<serde_json::Value>,
        }
        let hits = out_hits
            .iter()
            .map(|h| {
                let mut v = serde_json::to_value(h).expect("hits serialize");
                let tr: serde_json::Map<String, serde_json::Value> = h
                    .translations
                    .iter()
                    .map(|(t, l)| (t.clone(), serde_json::json!(l)))
                    .collect();
                v["translations"] = serde_json::Value::Object(tr);
                v
            })
            .collect();
        print_json(&Out {
            text: &args.text,
            from: from.to_string(),
            hits,
        })?;
        return Ok(Outcome::Ok);
    }
    let mut out = std::io::stdout().lock();
    if out_hits.is_empty() {
        writeln!(out, "no glossary terms found").map_err(stdout_error)?;
    }
    for h in &out_hits {
        let who = match h.id {
            Some(id) => id.to_string(),
            None => format!("#{}", h.entry + 1),
        };
        let tr: Vec<String> = h
            .translations
            .iter()
            .map(|(t, l)| format!("{t}: {}", l.join(" | ")))
            .collect();
        let flag = match (h.forbidden, h.use_instead) {
            (true, Some(u)) => format!("  FORBIDDEN, use {u}"),
            (true, None) => "  FORBIDDEN".to_string(),
            _ => String::new(),
        };
        writeln!(
            out,
            "{}..{}\t{}\t[{who}]{flag}\t{}",
            h.start,
            h.end,
            h.matched,
            tr.join("\t")
        )
        .map_err(stdout_error)?;
    }
    Ok(Outcome::Ok)
}
