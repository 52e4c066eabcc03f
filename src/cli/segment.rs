//! `concord segment`: split a document into sentences.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use concord::formats::document::DocumentFormat;
use concord::formats::document::{segment_document, SegmentRequest};
use concord::lang::LangTag;
use concord::segment::SegmentedDocument;
use concord::{Error, Result};

use super::{print_json, stdout_error};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord segment`.
#[derive(Args, Debug)]
pub struct SegmentArgs {
    /// The document: plain text, Markdown, HTML or DOCX (by extension).
    pub file: PathBuf,
    /// Its language (en, ko, zh...); detected from the script when omitted.
    #[arg(long)]
    pub lang: Option<String>,
    /// The document format, when the extension does not say it: txt, md, html, docx.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// An SRX 2.0 file whose rules are tried before the shipped ones.
    #[arg(long, value_name = "FILE")]
    pub srx: Option<PathBuf>,
    /// Use only the --srx file's rules, not the shipped ones.
    #[arg(long, requires = "srx")]
    pub srx_only: bool,
}

/// Parse a `--format` value for documents.
pub fn document_format(name: Option<&str>) -> Result<Option<DocumentFormat>> {
    name.map(|n| {
        DocumentFormat::from_name(n).ok_or_else(|| {
            Error::bad_request(format!(
                "unknown document format {n:?} for --format (txt, md, html, docx)"
            ))
        })
    })
    .transpose()
}

/// Run `concord segment`.
pub fn segment(cli: &Cli, args: &SegmentArgs) -> Result<Status> {
    let lang = args
        .lang
        .as_deref()
        .map(|l| LangTag::parse(l).map_err(|e| Error::lang("--lang", e)))
        .transpose()?;
    let req = SegmentRequest {
        path: args.file.clone(),
        format: document_format(args.format.as_deref())?,
        lang,
        srx: args.srx.clone(),
        srx_only: args.srx_only,
    };
    let doc = segment_document(&req)?;
    if cli.json {
        print_json(&doc)?;
    } else {
        print_text(&doc).map_err(stdout_error)?;
    }
    Ok(Status::Ok)
}

/// One sentence a line, a blank line between paragraphs.
fn print_text(doc: &SegmentedDocument) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for (i, p) in doc.paragraphs.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        for s in &p.sentences {
            writeln!(out, "{s}")?;
        }
    }
    out.flush()
}
