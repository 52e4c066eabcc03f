//! `concord pretranslate`: argument handling and printing; the work is in
//! `concord::pretranslate`.

use std::path::PathBuf;

use clap::Args;
use concord::diag::Status;
use concord::formats::glossary::CsvOptions;
use concord::formats::job::{JobRequest, Split};
use concord::formats::pretranslated::OutputFormat;
use concord::formats::FileFormat;
use concord::glossary::Glossary;
use concord::lang::LangRange;
use concord::output::Policy;
use concord::pretranslate::{self, Options, Request};
use concord::{Error, Result};

use super::{db_path, open_for_reading, print_json, print_line};
use crate::Cli;

/// Arguments of `concord pretranslate`.
#[derive(Args, Debug)]
pub struct PretranslateArgs {
    /// The document: XLIFF 1.2/2.0 (SDLXLIFF, MQXLIFF), TMX, TSV/CSV with a source
    /// column, or a plain text, Markdown, HTML or DOCX document (split into sentences).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Source language (when the document does not say it).
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// Target language (when the document does not say it).
    #[arg(long, value_name = "LANG")]
    pub to: Option<String>,
    /// Where to write the pretranslated document (`-`: standard output).
    #[arg(short = 'o', long, value_name = "OUT")]
    pub output: PathBuf,
    /// A match becomes the target from this score (0–100).
    #[arg(long, default_value_t = 75.0, value_parser = parse_score)]
    pub min_score: f64,
    /// Also report up to N other matches per segment.
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=20))]
    pub alternatives: u64,
    /// Replace targets the document already has.
    #[arg(long)]
    pub overwrite: bool,
    /// Points an adapted match loses from 100.
    #[arg(long, default_value_t = 1.0, value_parser = parse_score)]
    pub adapt_penalty: f64,
    /// Do not adapt fuzzy matches (numbers, dates, terms).
    #[arg(long)]
    pub no_adapt: bool,
    /// Output format: xliff (1.2), xliff2, same (the input's XLIFF flavour), tsv
    /// (default: same for an XLIFF input, else from OUT's extension).
    #[arg(long, value_name = "FORMAT", value_parser = parse_output_format)]
    pub output_format: Option<OutputFormat>,
    /// The document's format: xliff, tmx, tsv, csv, txt, md, html, docx (default: from
    /// the extension; when it names none, as a pipe's does, from the content).
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    pub input_format: Option<FileFormat>,
    /// Documents: one segment per line (per paragraph) instead of sentences.
    #[arg(long)]
    pub lines: bool,
    /// A glossary CSV/TSV file (repeatable); the memory's glossary is used too.
    #[arg(long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// Replace OUT even when it is read-only.
    #[arg(long)]
    pub force: bool,
}

fn parse_score(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number (expected 0 to 100)"))?;
    if !(0.0..=100.0).contains(&v) {
        return Err(format!("{v} is outside 0–100"));
    }
    Ok(v)
}

fn parse_output_format(s: &str) -> std::result::Result<OutputFormat, String> {
    OutputFormat::from_name(s)
        .ok_or_else(|| format!("unknown format {s:?} (xliff, xliff2, same, tsv)"))
}

fn parse_input_format(s: &str) -> std::result::Result<FileFormat, String> {
    FileFormat::from_name(s)
        .ok_or_else(|| format!("unknown format {s:?} (xliff, tmx, tsv, csv, txt, md, html, docx)"))
}

fn lang(opt: &str, s: Option<&String>) -> Result<Option<LangRange>> {
    s.map(|v| LangRange::parse(v).map_err(|e| Error::lang(opt, e)))
        .transpose()
}

/// Run `concord pretranslate`.
pub fn pretranslate(cli: &Cli, args: &PretranslateArgs) -> Result<Status> {
    let mut input = JobRequest::files([args.file.clone()]);
    input.format = args.input_format;
    input.from = lang("--from", args.from.as_ref())?;
    input.to = lang("--to", args.to.as_ref())?;
    if args.lines {
        input.split = Split::Lines;
    }
    let req = Request {
        input,
        output: args.output.clone(),
        format: args.output_format,
        options: Options {
            min_score: args.min_score,
            alternatives: args.alternatives as usize,
            overwrite: args.overwrite,
            penalty: args.adapt_penalty,
            adapt: !args.no_adapt,
        },
        policy: Policy::default()
            .force(args.force)
            .protect_memory(&db_path(cli).0),
    };
    let files = Glossary::from_files(&args.glossaries, &CsvOptions::default())?;
    let mem = open_for_reading(cli)?;
    let glossary = Glossary::combine(files, Some(&mem))?;
    let p = pretranslate::run(&mem, glossary.as_ref(), &req)?;
    if cli.json {
        print_json(&p)?;
    } else {
        let s = &p.summary;
        let line = format!(
            "{} segment{} ({} → {}): {} exact, {} fuzzy, {} adapted, {} kept, {}{}{}{} without a match; {} for review → {}",
            s.segments,
            if s.segments == 1 { "" } else { "s" },
            p.source_lang,
            p.target_lang,
            s.exact,
            s.fuzzy,
            s.adapted,
            s.kept,
            if s.locked > 0 {
                format!("{} locked (left as they are), ", s.locked)
            } else {
                String::new()
            },
            if s.unwritable > 0 {
                format!("{} with no place in the file to write (left as they are), ", s.unwritable)
            } else {
                String::new()
            },
            if s.empty > 0 {
                format!("{} with an empty source (nothing to translate), ", s.empty)
            } else {
                String::new()
            },
            s.no_match,
            s.review,
            args.output.display()
        );
        if args.output.as_os_str() == "-" {
            eprintln!("concord: {line}");
        } else {
            print_line(&line)?;
        }
    }
    Ok(Status::Ok)
}
