//! `concord analyze`: how much of a job the memory already has, in bands.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use concord::analysis::{FileOrder, Rules};
use concord::formats::job::{JobRequest, Split};
use concord::formats::{analysis as report, FileFormat};
use concord::lang::LangRange;
use concord::{Error, Result};

use super::{open_for_reading, open_output, stderr_is_terminal};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The job's files, in order: txt, md, html, docx, tsv, csv, xliff/xlf/sdlxliff/
    /// mqxliff, tmx.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The source language (when the files do not say it).
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// The target language (when the files do not say it).
    #[arg(long, value_name = "LANG")]
    pub to: Option<String>,
    /// The format of every file (default: the extension's; when it names none, as a pipe's
    /// does, the format the content shows).
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// Documents: one segment per line (text) or paragraph, instead of sentences.
    #[arg(long)]
    pub lines: bool,
    /// An SRX 2.0 file whose rules are tried before the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub srx: Option<PathBuf>,
    /// The lower edges of the fuzzy bands, highest first.
    #[arg(long, value_name = "EDGES", default_value = "95,85,75,50")]
    pub bands: String,
    /// Count a later occurrence as a repetition even when the memory has a 100% match
    /// for it (memoQ's option; Trados never does).
    #[arg(long)]
    pub repetitions_over_100: bool,
    /// The order the files are taken in: given, name.
    #[arg(long, value_name = "ORDER", default_value = "given")]
    pub file_order: String,
    /// Internal fuzzy leverage: match each segment against the job's earlier ones too.
    #[arg(long)]
    pub internal: bool,
    /// Write CSV.
    #[arg(long, conflicts_with = "trados_xml")]
    pub csv: bool,
    /// Write Trados-compatible analysis XML.
    #[arg(long)]
    pub trados_xml: bool,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace a read-only output file.
    #[arg(long)]
    pub force: bool,
}

impl AnalyzeArgs {
    fn request(&self) -> Result<(JobRequest, Rules)> {
        let lang = |opt: &str, v: &Option<String>| -> Result<Option<LangRange>> {
            v.as_deref()
                .map(|s| LangRange::parse(s).map_err(|e| Error::lang(opt, e)))
                .transpose()
        };
        let format = self
            .input_format
            .as_deref()
            .map(|n| {
                FileFormat::from_name(n).ok_or_else(|| {
                    Error::bad_request(format!(
                        "unknown format {n:?} for --input-format (txt, md, html, docx, tsv, csv, xliff, tmx)"
                    ))
                })
            })
            .transpose()?;
        let req = JobRequest {
            files: self.files.clone(),
            format,
            from: lang("--from", &self.from)?,
            to: lang("--to", &self.to)?,
            split: if self.lines {
                Split::Lines
            } else {
                Split::Sentences
            },
            srx: self.srx.clone(),
            srx_only: false,
        };
        let fuzzy_edges = self
            .bands
            .split(',')
            .map(|e| {
                e.trim().parse::<u32>().map_err(|_| {
                    Error::bad_request(format!(
                        "--bands: {e:?} is not a whole percent (e.g. 95,85,75,50)"
                    ))
                })
            })
            .collect::<Result<Vec<u32>>>()?;
        let file_order = match self.file_order.as_str() {
            "given" => FileOrder::Given,
            "name" => FileOrder::Name,
            o => {
                return Err(Error::bad_request(format!(
                    "--file-order: {o:?} is not given or name"
                )))
            }
        };
        let rules = Rules {
            fuzzy_edges,
            repetitions_over_exact: self.repetitions_over_100,
            file_order,
            internal: self.internal,
        };
        rules.check()?;
        Ok((req, rules))
    }
}

/// Run `concord analyze`.
pub fn analyze(cli: &Cli, args: &AnalyzeArgs) -> Result<Status> {
    let (req, rules) = args.request()?;
    // Refusals of the output file come before the work.
    let mut out = open_output(cli, args.output.as_deref(), args.force)?;
    let mem = open_for_reading(cli)?;
    let bar = if stderr_is_terminal() {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} distinct segments matched ({per_sec}, {eta} left)",
            )
            .expect("static template"),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |done: u64, total: u64| {
        if done == 1 || done == total || done % 64 == 0 {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let answer = concord::answer::analyze(&mem, &req, &rules, &progress);
    bar.finish_and_clear();
    let answer = answer?;
    if cli.json {
        serde_json::to_writer_pretty(&mut out, &answer)
            .map_err(|e| Error::new(concord::error::ErrorKind::OutputIo, e.to_string()))?;
        writeln!(out).map_err(|e| Error::output(out.path().display(), e))?;
    } else if args.csv {
        report::write_csv(&answer.body, &mut out)?;
    } else if args.trados_xml {
        report::write_trados_xml(&answer.body, &concord::store::now_utc_iso(), &mut out)?;
    } else {
        report::write_table(&answer.body, &mut out)?;
    }
    out.commit()?;
    Ok(Status::Ok)
}
