//! `concord align`: align two or three versions of a document.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use concord::align::{
    align_files, import, review_is_html, write_review, write_units, AlignRequest, Alignment,
};
use concord::formats::Format;
use concord::lang::LangTag;
use concord::{Error, Result};

use super::segment::document_format;
use super::{db_path, open_for_writing, open_output, print_json, stdout_error};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord align`.
#[derive(Args, Debug)]
pub struct AlignArgs {
    /// The versions: English first, then Korean and/or Chinese (text, Markdown, HTML or
    /// DOCX).
    #[arg(required = true, num_args = 2..=3, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Their languages, comma-separated in file order (default: detected from the script).
    #[arg(long, value_name = "LANGS")]
    pub langs: Option<String>,
    /// The document format when the extensions do not say it: txt, md, html, docx.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// An SRX 2.0 file whose segmentation rules are tried before the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub srx: Option<PathBuf>,
    /// A glossary CSV/TSV/TBX whose terms are anchors (repeatable; default: the memory's
    /// glossary, when the memory exists).
    #[arg(long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// Ignore paragraph boundaries.
    #[arg(long)]
    pub ignore_paragraphs: bool,
    /// Groups below this confidence are left out of --import and -o, and listed by
    /// --review; a document below it is not imported without --force.
    #[arg(long, default_value_t = 0.5, value_name = "0-1")]
    pub min_confidence: f64,
    /// Import the aligned units into the memory.
    #[arg(long)]
    pub import: bool,
    /// Import even when the document's confidence is below --min-confidence; replace a
    /// read-only -o file.
    #[arg(long)]
    pub force: bool,
    /// Write the units to a memory file: .tmx, .tsv or .csv (`-` for standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The -o format when the extension does not say it: tmx, tsv, csv.
    #[arg(long = "output-format", value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// List the groups below --min-confidence side by side: TSV on standard output, or
    /// into FILE (TSV, or HTML for .html).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub review: Option<PathBuf>,
}

/// Run `concord align`.
pub fn align(cli: &Cli, args: &AlignArgs) -> Result<Status> {
    if !(0.0..=1.0).contains(&args.min_confidence) {
        return Err(Error::bad_request(
            "--min-confidence takes a number from 0 to 1",
        ));
    }
    let mut langs = Vec::new();
    if let Some(list) = &args.langs {
        for l in list.split(',') {
            langs.push(Some(
                LangTag::parse(l.trim()).map_err(|e| Error::lang("--langs", e))?,
            ));
        }
        if langs.len() != args.files.len() {
            return Err(Error::bad_request(format!(
                "--langs names {} languages for {} files",
                langs.len(),
                args.files.len()
            )));
        }
    }
    let output_format = args
        .output_format
        .as_deref()
        .map(|n| {
            Format::from_name(n).ok_or_else(|| {
                Error::bad_request(format!("unknown --output-format {n:?} (tmx, tsv, csv)"))
            })
        })
        .transpose()?;
    let req = AlignRequest {
        files: args.files.clone(),
        langs,
        format: document_format(args.format.as_deref())?,
        srx: args.srx.clone(),
        glossaries: args.glossaries.clone(),
        memory: Some(db_path(cli).0),
        ignore_paragraphs: args.ignore_paragraphs,
    };
    let alignment = align_files(&req)?;
    for w in &alignment.warnings {
        eprintln!("concord: warning: {w} [{}]", w.code);
    }
    if let Some(path) = &args.output {
        let format = match output_format {
            Some(f) => f,
            None if path.as_os_str() == "-" => Format::Tmx,
            None => Format::resolve(path, None)?,
        };
        let mut out = open_output(cli, Some(path), args.force)?;
        let report = write_units(&alignment, args.min_confidence, format, &mut out)?;
        out.commit()?;
        eprintln!("wrote {} aligned units", report.units);
    }
    if let Some(path) = &args.review {
        let html = review_is_html(path);
        let mut out = open_output(cli, Some(path), args.force)?;
        let n = write_review(&alignment, args.min_confidence, html, &mut out)
            .map_err(|e| Error::io(path, e))?;
        out.commit()?;
        eprintln!(
            "{n} of {} groups below confidence {:.2}",
            alignment.groups.len(),
            args.min_confidence
        );
    }
    if args.import {
        let mut memory = open_for_writing(cli)?;
        let report = import(&mut memory, &alignment, args.min_confidence, args.force)?;
        eprintln!(
            "imported {} aligned units ({} already in the memory, document confidence {:.2})",
            report.added, report.duplicates, alignment.confidence
        );
    }
    if cli.json {
        print_json(&alignment)?;
    } else if args.output.is_none() && args.review.is_none() && !args.import {
        print_groups(&alignment).map_err(stdout_error)?;
    }
    Ok(Status::Ok)
}

/// One group a line: confidence, then each language's text, tab-separated; a summary
/// line first.
fn print_groups(a: &Alignment) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# {} groups from {} sentences ({}); document confidence {:.2}",
        a.groups.len(),
        a.sentence_counts
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("/"),
        a.languages.join("/"),
        a.confidence
    )?;
    for g in &a.groups {
        write!(out, "{:.2}", g.confidence)?;
        for t in &g.texts {
            write!(out, "\t{}", t.replace(['\t', '\n'], " "))?;
        }
        writeln!(out)?;
    }
    out.flush()
}
