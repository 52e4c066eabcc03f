//! Pretranslation: fill a document's targets with what the memory knows.
//!
//! For every segment of a job ([`crate::formats::bilingual::SourceDoc`]) the memory is
//! searched ([`Matcher::find`]; each distinct source once, the searches shared out to one
//! thread per core by [`crate::fuzzy::batch`]); each match's translation (in the job's target language)
//! is tried for **auto-adaptation** ([`adapt`]: numbers, dates and glossary terms that
//! differ between the stored and the new source are rewritten in the translation; the
//! match then scores `100 − penalty` and keeps its raw score) and its inline codes are
//! mapped onto the source's ([`tags`]). The best candidate scoring at least
//! `min_score` becomes the target, unless the segment already has one (kept unless
//! `overwrite`); a locked segment ([`crate::formats::segment::Lock`]: SDLXLIFF, memoQ or
//! XLIFF 2.0 locks, `translate="no"`) is never searched nor written, even with
//! `overwrite` (outcome `locked`); a segment whose source has no text (`<source/>`) has
//! nothing to translate and is left as it is (outcome `empty`). Up to `alternatives` other candidates and the glossary terms of the
//! source (with their approved translations) are reported with it.
//!
//! A target is **marked for review** when its codes could not be mapped, and when it
//! was adapted and lint's `number-mismatch` or `term-missing` flags it. The writers of
//! [`crate::formats::pretranslated`] write the result as XLIFF 1.2, XLIFF 2.0, the
//! input's own XLIFF flavour, or TSV.

pub mod adapt;
pub mod tags;

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::formats::bilingual::{markup_pieces, Piece, SourceDoc};
use crate::formats::segment::Segment;
use crate::fuzzy::{MatchOptions, Matcher, QueryKey};
use crate::glossary::{Glossary, Recognizer};
use crate::lint::{lookup_range, Langs, Linter, Rule, RuleSelection, Severity};
use crate::store::Memory;

pub use crate::formats::pretranslated::{
    Candidate, OutPiece, Outcome, Pretranslation, SegmentResult, Substitution, Summary, TermHint,
};

/// How to pretranslate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// A match becomes the target from this score (0–100; default 75).
    pub min_score: f64,
    /// Report up to this many other matches per segment (default 0).
    pub alternatives: usize,
    /// Replace targets the document already has (default: keep them).
    pub overwrite: bool,
    /// Points an adapted match loses from 100 (default 1).
    pub penalty: f64,
    /// Try auto-adaptation (default true).
    pub adapt: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_score: 75.0,
            alternatives: 0,
            overwrite: false,
            penalty: 1.0,
            adapt: true,
        }
    }
}

/// Pretranslate `doc` with the memory `mem` and, for term hints and adaptation of
/// terms, `glossary`. Errors: the memory has no segments in the source or the target
/// language (naming what it has), or it cannot be read.
pub fn pretranslate(
    mem: &Memory,
    glossary: Option<&Glossary>,
    doc: &SourceDoc,
    opts: &Options,
) -> Result<Pretranslation> {
    let src_range = lookup_range(&doc.source_lang);
    let tgt_range = lookup_range(&doc.target_lang);
    let matcher = Matcher::new(mem)?;
    matcher
        .source_tags(&src_range)
        .map_err(|e| with_file(e, doc))?;
    if matcher.present_tags(&tgt_range)?.is_empty() {
        return Err(with_file(matcher.no_segments_error(&tgt_range), doc));
    }
    let adapter = adapt::Adapter::new(
        glossary,
        &src_range,
        doc.source_lang.family(),
        &tgt_range,
        doc.target_lang.family(),
    );
    let recognizer = glossary.map(|g| Recognizer::new(g, &src_range, false));
    let mut linter = Linter::new(
        doc.path.display().to_string(),
        Langs {
            source: Some(doc.source_lang.clone()),
            target: doc.target_lang.clone(),
        },
        RuleSelection::new(
            &[Rule::NumberMismatch, Rule::TermMissing],
            &[],
            Severity::Info,
        ),
    )
    .with_threads(1);
    if let Some(g) = glossary {
        linter = linter.with_glossary(g);
    }
    // Candidates are searched below the threshold: adaptation may lift them above it.
    let floor = opts.min_score.min(50.0);
    let limit = (opts.alternatives + 1).clamp(3, 50);
    let opts_find = MatchOptions {
        limit,
        min_score: floor,
    };
    // The matches of every distinct source, searched once each, one search per core.
    let mut query_of: HashMap<&str, usize> = HashMap::new();
    let mut queries: Vec<&str> = Vec::new();
    for seg in &doc.segments {
        // A locked segment is never written: it needs no matches.
        let query_ok = !seg.lock.is_locked()
            && !seg.source.trim().is_empty()
            && QueryKey::new(&seg.source).is_ok();
        if query_ok && !query_of.contains_key(seg.source.as_str()) {
            query_of.insert(&seg.source, queries.len());
            queries.push(&seg.source);
        }
    }
    let mut found_all = crate::fuzzy::batch(
        mem,
        &queries,
        |matcher, _, q| matcher.find(q, &src_range, opts_find),
        &|_, _| {},
    )?;
    let mut uses: Vec<usize> = vec![0; queries.len()];
    for seg in doc.segments.iter().filter(|s| !s.lock.is_locked()) {
        if let Some(&i) = query_of.get(seg.source.as_str()) {
            uses[i] += 1;
        }
    }
    let mut out = Vec::with_capacity(doc.segments.len());
    let mut summary = Summary::default();
    for (k, seg) in doc.segments.iter().enumerate() {
        let number = k as u64 + 1;
        let mut cands: Vec<Candidate> = Vec::new();
        let locked = seg.lock.is_locked();
        if let Some(&qi) = query_of.get(seg.source.as_str()).filter(|_| !locked) {
            // The last use of a source takes its matches, the others copy them.
            uses[qi] -= 1;
            let found = if uses[qi] == 0 {
                std::mem::take(&mut found_all[qi])
            } else {
                found_all[qi].clone()
            };
            let new_source = crate::text::stored_form(&seg.source);
            for m in found {
                let Some(unit) = mem.unit(m.id)? else {
                    continue;
                };
                let Some(tv) = unit.variant_in(&tgt_range) else {
                    continue;
                };
                let stored: Vec<Piece> = tv
                    .markup
                    .as_deref()
                    .and_then(markup_pieces)
                    .unwrap_or_else(|| vec![Piece::Text(tv.text.clone())]);
                let adapted = if opts.adapt && m.score < 100.0 {
                    adapter.adapt(&m.source, &new_source, &stored)
                } else {
                    None
                };
                let (pieces, subs, score) = match adapted {
                    Some((p, s)) => (p, s, (100.0 - opts.penalty).max(0.0)),
                    None => (stored, Vec::new(), m.score),
                };
                let (mapped, tag_problem) = match tags::map_tags(&seg.tags, &pieces) {
                    Ok(p) => (p, None),
                    Err((p, why)) => (p, Some(why)),
                };
                cands.push(Candidate {
                    unit: m.id,
                    score,
                    raw_score: m.score,
                    adapted: !subs.is_empty(),
                    substitutions: subs,
                    origin: unit.meta.origin.clone(),
                    source: m.source,
                    target: tags::plain(&mapped),
                    pieces: mapped,
                    tag_problem,
                });
            }
        }
        // Best first; among equals, the one the matcher ranked first.
        cands.sort_by(|a, b| b.score.total_cmp(&a.score));
        cands.retain(|c| c.score >= opts.min_score);
        let mut cands = cands.into_iter();
        let best = cands.next();
        let alternatives: Vec<Candidate> = cands.take(opts.alternatives).collect();
        let existing =
            seg.target.as_deref().is_some_and(|t| !t.trim().is_empty()) || seg.target_has_tags;
        let mut review = Vec::new();
        let (outcome, target, target_text) = match &best {
            _ if locked => (Outcome::Locked, None, seg.target.clone()),
            // An empty source (`<source/>`) has nothing to translate: not a "no match".
            _ if seg.source.trim().is_empty() => (Outcome::Empty, None, seg.target.clone()),
            _ if existing && !opts.overwrite => (Outcome::Kept, None, seg.target.clone()),
            None => (Outcome::NoMatch, None, None),
            Some(c) => {
                if let Some(p) = &c.tag_problem {
                    review.push(format!("inline codes: {p}"));
                }
                if c.adapted {
                    let check = Segment::new(number, Some(&seg.source), Some(&c.target));
                    for f in linter.check(&check)? {
                        review.push(format!("{}: {}", f.code.id(), f.message));
                    }
                }
                let outcome = if c.adapted {
                    Outcome::Adapted
                } else if c.raw_score >= 100.0 {
                    Outcome::Exact
                } else {
                    Outcome::Fuzzy
                };
                (outcome, Some(c.pieces.clone()), Some(c.target.clone()))
            }
        };
        summary.segments += 1;
        match outcome {
            Outcome::Exact => summary.exact += 1,
            Outcome::Fuzzy => summary.fuzzy += 1,
            Outcome::Adapted => summary.adapted += 1,
            Outcome::Kept => summary.kept += 1,
            Outcome::Locked => summary.locked += 1,
            Outcome::NoMatch => summary.no_match += 1,
            Outcome::Unwritable => summary.unwritable += 1,
            Outcome::Empty => summary.empty += 1,
        }
        summary.review += u64::from(!review.is_empty());
        let terms = match (&recognizer, glossary) {
            (Some(r), Some(g)) => term_hints(r, g, &seg.source, &tgt_range),
            _ => Vec::new(),
        };
        out.push(SegmentResult {
            number,
            id: seg.id.clone(),
            line: seg.line,
            source: seg.source.clone(),
            outcome,
            target,
            target_text,
            best,
            alternatives,
            terms,
            review,
        });
    }
    Ok(Pretranslation {
        source_lang: doc.source_lang.to_string(),
        target_lang: doc.target_lang.to_string(),
        min_score: opts.min_score,
        penalty: opts.penalty,
        segments: out,
        summary,
    })
}

/// Name the document in a memory's language error.
fn with_file(e: Error, doc: &SourceDoc) -> Error {
    if *e.kind() == ErrorKind::NoData {
        Error::new(
            ErrorKind::NoData,
            format!(
                "{}: {} (languages {} → {})",
                doc.path.display(),
                e,
                doc.source_lang,
                doc.target_lang
            ),
        )
    } else {
        e
    }
}

fn term_hints(
    r: &Recognizer,
    g: &Glossary,
    source: &str,
    target: &crate::lang::LangRange,
) -> Vec<TermHint> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for h in r.find(source) {
        if h.forbidden || seen.contains(&h.entry) {
            continue;
        }
        seen.push(h.entry);
        let targets: Vec<String> = g.entries[h.entry]
            .approved(target)
            .into_iter()
            .map(str::to_string)
            .collect();
        if !targets.is_empty() {
            out.push(TermHint {
                source: h.matched,
                targets,
            });
        }
    }
    out
}

/// A pretranslation from a file to a file: what `concord pretranslate` asks for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The document (one file; its format and, when it does not say them, its
    /// languages; how a text is cut into segments).
    pub input: crate::formats::job::JobRequest,
    /// Where to write (`-`: standard output).
    pub output: std::path::PathBuf,
    /// The output format (default: the input's own XLIFF flavour for an XLIFF input,
    /// else from the output's extension: `.tsv` TSV, otherwise XLIFF 1.2).
    pub format: Option<crate::formats::pretranslated::OutputFormat>,
    /// How to pretranslate.
    pub options: Options,
    /// How the output may be written (overwrite a read-only file, protect the memory).
    pub policy: crate::output::Policy,
}

/// The output format `req` resolves to for `doc`.
pub fn output_format(
    req: &Request,
    doc: &SourceDoc,
) -> crate::formats::pretranslated::OutputFormat {
    resolve_format(req.format, doc, &req.output)
}

/// `format`, or when `None`: the input's own flavour for an XLIFF input, else by
/// `output`'s extension (`.tsv` TSV, otherwise XLIFF 1.2).
fn resolve_format(
    format: Option<crate::formats::pretranslated::OutputFormat>,
    doc: &SourceDoc,
    output: &std::path::Path,
) -> crate::formats::pretranslated::OutputFormat {
    use crate::formats::pretranslated::OutputFormat;
    if let Some(f) = format {
        return f;
    }
    if doc.xliff.is_some() {
        return OutputFormat::Same;
    }
    match output
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("tsv") | Some("tab") => OutputFormat::Tsv,
        _ => OutputFormat::Xliff12,
    }
}

/// Read the document, pretranslate it and write the result atomically: nothing is
/// written when anything fails (a malformed document, a language the memory lacks).
pub fn run(mem: &Memory, glossary: Option<&Glossary>, req: &Request) -> Result<Pretranslation> {
    let doc = crate::formats::bilingual::read_source(&req.input)?;
    let format = output_format(req, &doc);
    let mut p = pretranslate(mem, glossary, &doc, &req.options)?;
    crate::formats::pretranslated::write(&req.output, &req.policy, &mut p, &doc, format)?;
    Ok(p)
}

/// A pretranslated document in memory: what `POST /v1/pretranslate` answers.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The pretranslation (what `concord pretranslate --json` prints).
    pub pretranslation: Pretranslation,
    /// The format it was written in.
    pub format: crate::formats::pretranslated::OutputFormat,
    /// The pretranslated document.
    pub bytes: Vec<u8>,
}

/// Read the document of `input`, pretranslate it and render it in `format` (`None`: the
/// input's own flavour for an XLIFF input, else XLIFF 1.2), in memory.
pub fn render(
    mem: &Memory,
    glossary: Option<&Glossary>,
    input: &crate::formats::job::JobRequest,
    format: Option<crate::formats::pretranslated::OutputFormat>,
    options: &Options,
) -> Result<Rendered> {
    let doc = crate::formats::bilingual::read_source(input)?;
    let format = resolve_format(format, &doc, std::path::Path::new("out.xlf"));
    let mut pretranslation = pretranslate(mem, glossary, &doc, options)?;
    let bytes = crate::formats::pretranslated::render_settled(&mut pretranslation, &doc, format)?;
    Ok(Rendered {
        pretranslation,
        format,
        bytes,
    })
}
