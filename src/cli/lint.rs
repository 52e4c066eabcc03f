//! `concord lint`: argument handling and printing; the checks are in `concord::lint`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use concord::diag::printer::{self, Collect, OutputFormat};
use concord::diag::{Status, Summary};
use concord::formats::glossary::CsvOptions;
use concord::glossary::Glossary;
use concord::lang::LangRange;
use concord::lint::baseline::Baseline;
use concord::lint::fix::FixOptions;
use concord::lint::{self, DraftFormat, DraftRequest, Resources, Rule, RuleSelection, Severity};
use concord::output::Policy;
use concord::text::escape_controls;
use concord::{Error, Result};

use super::{db_path, open_for_reading, stdout_error};
use crate::Cli;

/// Arguments of `concord lint`.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("rewrites").args(["write_baseline", "fix"]).multiple(true))]
pub struct LintArgs {
    /// The draft: bilingual TSV/CSV, XLIFF, TMX, or a plain-text file (with --source, the
    /// target text aligned line by line; alone, a target-only text).
    #[arg(value_name = "DRAFT")]
    pub draft: PathBuf,
    /// The source text of a two-file plain-text draft, aligned line by line with DRAFT.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Source language (when the draft does not say it).
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// Target language (when the draft does not say it, or has several).
    #[arg(long, value_name = "LANG")]
    pub to: Option<String>,
    /// Output format: text (default), json or sarif. (Deprecated: a draft format given
    /// here is still taken as --draft-format, with a note.)
    #[arg(long, value_name = "FORMAT")]
    pub format: Vec<String>,
    /// Output format: text (default), json or sarif (same as --format).
    #[arg(long, value_name = "FORMAT", value_parser = parse_output_format)]
    pub output_format: Option<OutputFormat>,
    /// The draft's format: tsv, csv, xliff, tmx, txt (default: from the extension; when it
    /// names none, as a pipe's does, from the content).
    #[arg(long, visible_alias = "input-format", value_name = "FORMAT", value_parser = parse_draft_format)]
    pub draft_format: Option<DraftFormat>,
    /// A glossary CSV/TSV/TBX file (repeatable). Without it, the memory's glossary is used.
    #[arg(long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// Also use the memory's glossary when --glossary is given.
    #[arg(long)]
    pub memory_glossary: bool,
    /// Do not use the memory: no memory-mismatch, and no glossary from the memory.
    #[arg(long)]
    pub no_memory: bool,
    /// Report only findings of this severity or higher: info, warning, error.
    #[arg(long, value_name = "SEVERITY", default_value = "info")]
    pub min_severity: String,
    /// Run only this rule (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Do not run this rule (repeatable).
    #[arg(long = "skip", value_name = "RULE")]
    pub skip: Vec<String>,
    /// Silence the findings listed in this baseline file (default: .concordignore here,
    /// when it exists).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Do not read any baseline file.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
    /// Write every current finding to this baseline file (and exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Replace the --write-baseline file, or the draft --fix rewrites, even when it is
    /// read-only.
    #[arg(long, requires = "rewrites")]
    pub force: bool,
    /// Rewrite forbidden variants to the preferred approved variant in the draft itself
    /// (TSV, CSV, XLIFF, TMX; every other byte kept), then lint what is left.
    #[arg(long, conflicts_with_all = ["write_baseline", "source"])]
    pub fix: bool,
    /// With --fix: print the unified diff of what would change, and write nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
}

fn parse_rules(list: &[String], flag: &str) -> Result<Vec<Rule>> {
    Rule::parse_list(list).map_err(|e| Error::bad_request(format!("{flag} {e}")))
}

fn parse_range(s: &Option<String>, flag: &str) -> Result<Option<LangRange>> {
    s.as_deref()
        .map(|v| LangRange::parse(v).map_err(|e| Error::lang(flag, e)))
        .transpose()
}

/// Parse an output format name (clap value parser).
pub fn parse_output_format(s: &str) -> std::result::Result<OutputFormat, String> {
    OutputFormat::from_name(s).ok_or_else(|| format!("{s:?}: expected text, json or sarif"))
}

fn parse_draft_format(s: &str) -> std::result::Result<DraftFormat, String> {
    DraftFormat::from_name(s).ok_or_else(|| format!("{s:?}: expected tsv, csv, xliff, tmx or txt"))
}

/// The output and draft formats of the flags. `--format` once meant both (a value of
/// either kind, given twice to set both); draft formats there still work, with a
/// deprecation note on stderr.
fn formats(cli: &Cli, args: &LintArgs) -> Result<(OutputFormat, Option<DraftFormat>)> {
    let mut output = if cli.json {
        OutputFormat::Json
    } else {
        OutputFormat::Text
    };
    let mut draft_format = None;
    for f in &args.format {
        if let Some(o) = OutputFormat::from_name(f) {
            output = o;
        } else if let Some(d) = DraftFormat::from_name(f) {
            eprintln!(
                "concord: warning: --format {f} names the draft format, which is deprecated: use --draft-format {f} (--format is the output format)"
            );
            draft_format = Some(d);
        } else {
            return Err(Error::bad_request(format!(
                "--format {f:?}: expected an output format (text, json, sarif); the draft format is --draft-format (tsv, csv, xliff, tmx, txt)"
            )));
        }
    }
    if let Some(o) = args.output_format {
        output = o;
    }
    if let Some(d) = args.draft_format {
        draft_format = Some(d);
    }
    Ok((output, draft_format))
}

pub fn lint(cli: &Cli, args: &LintArgs) -> Result<Status> {
    let (output, draft_format) = formats(cli, args)?;
    let min = Severity::parse(&args.min_severity).ok_or_else(|| {
        Error::bad_request(format!(
            "--min-severity {:?}: expected info, warning or error",
            args.min_severity
        ))
    })?;
    let only = parse_rules(&args.rules, "--rule")?;
    let skip = parse_rules(&args.skip, "--skip")?;
    let selection = RuleSelection::new(&only, &skip, min);
    let req = DraftRequest {
        path: args.draft.clone(),
        source: args.source.clone(),
        format: draft_format,
        from: parse_range(&args.from, "--from")?,
        to: parse_range(&args.to, "--to")?,
        ..DraftRequest::file(&args.draft)
    };
    // Fail on an unreadable draft before touching the memory.
    for p in std::iter::once(&args.draft).chain(args.source.iter()) {
        concord::formats::input::check_readable(p)?;
    }
    req.resolved_format()?;
    let baseline = if args.no_baseline || args.write_baseline.is_some() {
        None
    } else {
        match &args.baseline {
            Some(p) => Some(Baseline::load(p)?),
            None if Path::new(".concordignore").is_file() => {
                Some(Baseline::load(Path::new(".concordignore"))?)
            }
            None => None,
        }
    };
    // Glossary files first: a glossary that does not parse stops the run (exit 2).
    let files = Glossary::from_files(&args.glossaries, &CsvOptions::default())?;
    let want_memory_glossary = args.glossaries.is_empty() || args.memory_glossary;
    // The memory serves memory-mismatch, its glossary, and term-missing (where a missing
    // term went is learned from its units).
    let memory = if args.no_memory
        || !(selection.on(Rule::MemoryMismatch)
            || selection.on(Rule::TermMissing)
            || want_memory_glossary)
    {
        None
    } else {
        let (path, default) = db_path(cli);
        if default || path.exists() {
            match open_for_reading(cli) {
                Ok(m) => Some(m),
                // No default memory and no samples to build it from: lint without.
                Err(_) if default => None,
                Err(e) => return Err(e),
            }
        } else {
            eprintln!(
                "concord: note: {} does not exist; linting without a memory",
                path.display()
            );
            None
        }
    };
    let glossary = Glossary::combine(files, memory.as_ref().filter(|_| want_memory_glossary))?;
    let res = Resources {
        memory: memory
            .as_ref()
            .filter(|_| selection.on(Rule::MemoryMismatch) || selection.on(Rule::TermMissing)),
        glossary: glossary.as_ref(),
        glossary_required: !args.glossaries.is_empty(),
        threads: 0,
        compiled: None,
        lookups: None,
        learn_alignment: true,
        alignments: None,
    };
    if let Some(path) = &args.write_baseline {
        let mut c = Collect::new();
        let summary = lint::run(&req, &res, &selection, None, &mut c)?;
        let mut out = super::open_output(cli, Some(path), args.force)?;
        Baseline::write(&c.diagnostics, &mut out).map_err(|e| Error::io(path, e))?;
        out.commit()?;
        let n = c.diagnostics.len();
        eprintln!(
            "concord: wrote {} finding{} to {} ({})",
            n,
            if n == 1 { "" } else { "s" },
            path.display(),
            summary.line()
        );
        return Ok(Status::Ok);
    }
    if args.fix {
        return fix(cli, args, output, &req, &res, &selection, baseline.as_ref());
    }
    let out = super::stdout();
    let mut p = printer::printer(output, out);
    let summary = lint::run(&req, &res, &selection, baseline.as_ref(), p.as_mut())?;
    drop(p);
    for n in &summary.notes {
        eprintln!("concord: note: {}", escape_controls(n));
    }
    if output != OutputFormat::Text {
        eprintln!("{}", escape_controls(&summary.line()));
    }
    std::io::stdout().flush().map_err(stdout_error)?;
    Ok(Status::of(&Summary::counts(&summary)))
}

/// `lint --fix` and `lint --fix --dry-run`.
///
/// Exit codes: with --dry-run, 0 when nothing would change and nothing is left unfixed,
/// 1 when the diff is not empty or a forbidden variant cannot be fixed; without it, the
/// exit code of the lint of the rewritten draft (1 when error-level findings remain,
/// such as a forbidden variant that could not be fixed). 2 when the run could not
/// complete (nothing is written then).
fn fix(
    cli: &Cli,
    args: &LintArgs,
    output: OutputFormat,
    req: &DraftRequest,
    res: &Resources<'_>,
    selection: &RuleSelection,
    baseline: Option<&Baseline>,
) -> Result<Status> {
    let Some(glossary) = res.glossary else {
        return Err(Error::new(
            concord::error::ErrorKind::NoData,
            "--fix needs a glossary: give --glossary FILE (or use a memory that has one)",
        ));
    };
    let opts = FixOptions {
        dry_run: args.dry_run,
        policy: Policy::default()
            .force(args.force)
            .protect_memory(&db_path(cli).0),
    };
    let report = lint::fix::fix(req, glossary, selection, baseline, &opts)?;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        match output {
            OutputFormat::Json => {
                let doc = serde_json::json!({ "schema": FIX_SCHEMA, "fix": &report });
                writeln!(out, "{doc}").map_err(stdout_error)?;
            }
            _ => {
                let diff = report.diff.as_deref().unwrap_or("");
                out.write_all(diff.as_bytes()).map_err(stdout_error)?;
                for l in report.lines() {
                    eprintln!("{}", escape_controls(&l));
                }
            }
        }
        out.flush().map_err(stdout_error)?;
        return Ok(if report.anything() {
            Status::Findings
        } else {
            Status::Ok
        });
    }
    let lines = report.lines();
    if output == OutputFormat::Text {
        for l in &lines {
            writeln!(out, "{}", escape_controls(l)).map_err(stdout_error)?;
        }
    } else {
        eprintln!("{}", escape_controls(lines.last().expect("a summary line")));
    }
    drop(out);
    let mut p = printer::printer(output, super::stdout());
    let summary = lint::run_after_fix(req, res, selection, baseline, p.as_mut(), report)?;
    drop(p);
    for n in &summary.notes {
        eprintln!("concord: note: {}", escape_controls(n));
    }
    if output != OutputFormat::Text {
        eprintln!("{}", escape_controls(&summary.line()));
    }
    std::io::stdout().flush().map_err(stdout_error)?;
    Ok(Status::of(&Summary::counts(&summary)))
}

/// The schema id of the JSON document `lint --fix --dry-run --format json` writes.
const FIX_SCHEMA: &str = "concord-lint-fix/1";
