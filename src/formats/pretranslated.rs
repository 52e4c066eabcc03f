//! Writing a pretranslation ([`crate::pretranslate::Pretranslation`]).
//!
//! * [`xliff12`]: XLIFF 1.2. Each segment is a `<trans-unit>`; a new target has
//!   `state` (`translated` for a clean 100% match, else `needs-review-translation`) and
//!   `state-qualifier` (`exact-match`, `fuzzy-match`, or `leveraged-tm` for an adapted
//!   match); every match is an `<alt-trans match-quality origin>`; glossary terms,
//!   adaptations and reasons for review are `<note from="concord">`s.
//! * [`xliff20`]: XLIFF 2.0 with the matches module (`<mtc:match ref similarity
//!   type="tm" origin>`), `state="translated"` for a clean 100% match, else `initial`;
//!   notes as in 1.2. Unit ids are `u1`, `u2`... (XLIFF 2.0 ids are NMTOKENs); the
//!   file's own id is the unit's `name`.
//! * [`splice`]: the input's own XLIFF flavour, every byte kept but the new
//!   targets and their status: plain XLIFF 1.2 as [`xliff12`] writes a unit (state,
//!   alt-trans, notes); SDLXLIFF: the `<mrk mtype="seg">` of the target and the
//!   `<sdl:seg>` of `<sdl:seg-defs>` (`conf`, `origin="tm"`, `percent`); MQXLIFF: the
//!   `<target>` and the unit's `mq:status="Pretranslated"` and `mq:percent` (and a note
//!   when the target needs review); XLIFF 2.0: the `<target>` (inserted after
//!   `<source>` or replaced), the `<segment>`'s `state` (and an `id` when it has none,
//!   for the matches' `ref`), the unit's `<mtc:matches>` (first in the unit, or into the
//!   one it has; the root gets the module's namespace declaration, and `trgLang`, when
//!   it lacks them) and notes (into the unit's `<notes>`, or a new one after its module
//!   elements). A UTF-16 file is spliced decoded and re-encoded with its byte order mark
//!   and endianness.
//! * [`tsv`]: `source`, `target`, `score`, `origin`, then `id`, `outcome`, `review`
//!   (tabs, line breaks and backslashes in texts written `\t`, `\n`, `\\`).
//!
//! Inline codes: when the output is the input's XLIFF version, the source's codes are
//! written as in the file (the target carries the same XML); otherwise they are written
//! in the output's generic form (`<bx/>`, `<ex/>`, `<x/>` in 1.2; `<sc/>`, `<ec/>`,
//! `<ph/>` in 2.0). [`write()`] commits the output atomically ([`crate::output`]).

use std::fmt::Write as _;
use std::path::Path;

use super::bilingual::{BiSegment, Flavour, RawTag, SourceDoc, TagKind, TargetSlot};
use crate::error::{Error, Result};
use crate::output::Policy;
use serde::Serialize;

// The model of a pretranslation: what `crate::pretranslate` produces and the writers
// write (here, so that the writers depend on nothing above `formats`).

/// A piece of a target to write: text, or the source's inline code at this index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutPiece {
    /// Plain text.
    Text(String),
    /// The source segment's inline code with this index.
    Tag(usize),
}

/// One change made to a translation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Substitution {
    /// `date`, `number` or `term`.
    pub kind: &'static str,
    /// What the stored source had.
    pub source_from: String,
    /// What the new source has.
    pub source_to: String,
    /// What the translation had.
    pub target_from: String,
    /// What the translation has now.
    pub target_to: String,
}

/// What happened to a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A 100% match is the target.
    Exact,
    /// A fuzzy match is the target.
    Fuzzy,
    /// An adapted fuzzy match is the target.
    Adapted,
    /// The segment had a target; it was kept.
    Kept,
    /// The file locks the segment (or says `translate="no"`): it is left as it is.
    Locked,
    /// No match scored enough.
    NoMatch,
    /// A match was found, but the input file has no place to write it back (an
    /// SDLXLIFF target without the segment's sub-segment): left as it is.
    Unwritable,
    /// The source has no text (`<source/>`, an empty `<source></source>`): nothing to
    /// translate, so nothing is searched nor written; the segment is left as it is.
    Empty,
}

/// One match of a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The unit id in the memory.
    pub unit: i64,
    /// The score used (after adaptation and its penalty).
    pub score: f64,
    /// The fuzzy-match score of the stored source.
    pub raw_score: f64,
    /// True when the translation was adapted.
    pub adapted: bool,
    /// What adaptation changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub substitutions: Vec<Substitution>,
    /// The unit's origin (file name or `origin` column).
    pub origin: Option<String>,
    /// The stored source.
    pub source: String,
    /// The translation (adapted), as plain text.
    pub target: String,
    /// The translation as pieces (text and the source's inline codes).
    #[serde(skip)]
    pub pieces: Vec<OutPiece>,
    /// Why the translation needs review (codes not mapped), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_problem: Option<String>,
}

/// A glossary term of a segment's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermHint {
    /// The term as written in the source.
    pub source: String,
    /// Its approved translations in the target language (preferred first).
    pub targets: Vec<String>,
}

/// The pretranslation of one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentResult {
    /// 1-based number in the job.
    pub number: u64,
    /// Its id in the file.
    pub id: Option<String>,
    /// The line of its unit (or row).
    pub line: u64,
    /// The source text.
    pub source: String,
    /// What happened.
    pub outcome: Outcome,
    /// The target to write (`None`: leave the segment's target as it is).
    #[serde(skip)]
    pub target: Option<Vec<OutPiece>>,
    /// The target's plain text after pretranslation (existing or new), if any.
    pub target_text: Option<String>,
    /// The match used (or the best one, for a kept target).
    pub best: Option<Candidate>,
    /// Other matches.
    pub alternatives: Vec<Candidate>,
    /// Glossary terms of the source.
    pub terms: Vec<TermHint>,
    /// Why the target needs review (empty: it does not).
    pub review: Vec<String>,
}

/// Counts of a pretranslation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Segments in the job.
    pub segments: u64,
    /// Targets from 100% matches.
    pub exact: u64,
    /// Targets from fuzzy matches.
    pub fuzzy: u64,
    /// Targets from adapted matches.
    pub adapted: u64,
    /// Existing targets kept.
    pub kept: u64,
    /// Locked segments, left as they are.
    pub locked: u64,
    /// Segments without a match.
    pub no_match: u64,
    /// Segments whose match the input file has no place for, left as they are.
    pub unwritable: u64,
    /// Segments whose source is empty (nothing to translate), left as they are.
    pub empty: u64,
    /// Segments marked for review.
    pub review: u64,
}

/// A pretranslated job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pretranslation {
    /// The source language.
    pub source_lang: String,
    /// The target language.
    pub target_lang: String,
    /// The options used.
    pub min_score: f64,
    /// Points an adapted match loses.
    pub penalty: f64,
    /// Per segment, in order.
    pub segments: Vec<SegmentResult>,
    /// The counts.
    pub summary: Summary,
}

/// The output format of a pretranslation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// XLIFF 1.2.
    Xliff12,
    /// XLIFF 2.0 with the matches module.
    Xliff20,
    /// The input's own format (XLIFF 1.2 flavours spliced; XLIFF 2.0 as [`xliff20`];
    /// other inputs as TSV).
    Same,
    /// Tab-separated values.
    Tsv,
}

impl OutputFormat {
    /// Parse `xliff` (or `xliff12`, `xlf`), `xliff2` (or `xliff20`), `same`, `tsv`.
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "xliff" | "xliff12" | "xlf" => OutputFormat::Xliff12,
            "xliff2" | "xliff20" => OutputFormat::Xliff20,
            "same" => OutputFormat::Same,
            "tsv" => OutputFormat::Tsv,
            _ => return None,
        })
    }
}

/// Render a pretranslation of `doc` in `format`.
pub fn render(p: &Pretranslation, doc: &SourceDoc, format: OutputFormat) -> Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Xliff12 => xliff12(p, doc).into_bytes(),
        OutputFormat::Xliff20 => xliff20(p, doc).into_bytes(),
        OutputFormat::Tsv => tsv(p).into_bytes(),
        OutputFormat::Same => match &doc.xliff {
            Some(_) => splice(p, doc)?,
            None => tsv(p).into_bytes(),
        },
    })
}

/// Render `p` like [`render`], and make its report say what was written: a segment
/// whose new target the input file has no place for (spliced output: an SDLXLIFF
/// target that lacks the segment's sub-segment) becomes [`Outcome::Unwritable`], with
/// its target left as it was.
pub fn render_settled(
    p: &mut Pretranslation,
    doc: &SourceDoc,
    format: OutputFormat,
) -> Result<Vec<u8>> {
    if format != OutputFormat::Same || doc.xliff.is_none() {
        return render(p, doc, format);
    }
    let (bytes, written) = splice_written(p, doc)?;
    for ((r, seg), w) in p.segments.iter_mut().zip(&doc.segments).zip(written) {
        if r.target.is_some() && !w {
            match r.outcome {
                Outcome::Exact => p.summary.exact -= 1,
                Outcome::Fuzzy => p.summary.fuzzy -= 1,
                Outcome::Adapted => p.summary.adapted -= 1,
                _ => {}
            }
            p.summary.unwritable += 1;
            r.outcome = Outcome::Unwritable;
            r.target = None;
            r.target_text = seg.target.clone();
        }
    }
    Ok(bytes)
}

/// Render (as [`render_settled`], which settles `p`'s report) and write atomically to
/// `path` (`-`: standard output).
pub fn write(
    path: &Path,
    policy: &Policy,
    p: &mut Pretranslation,
    doc: &SourceDoc,
    format: OutputFormat,
) -> Result<()> {
    let bytes = render_settled(p, doc, format)?;
    crate::output::write_bytes(path, policy, &bytes)
}

/// XML-escape text content.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 cannot hold are left out.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// A score as XLIFF writes it: `96`, `96.5`.
pub fn fmt_score(s: f64) -> String {
    let r = (s * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// How the codes of a segment are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Codes {
    /// As in the file.
    Raw,
    /// XLIFF 1.2 generic (`bx ex x`).
    V1,
    /// XLIFF 2.0 generic (`sc ec ph`).
    V2,
}

/// The partner (opening code) of closing code `i`, by id.
fn partner(tags: &[RawTag], i: usize) -> Option<usize> {
    (0..i)
        .rev()
        .find(|&j| tags[j].kind == TagKind::Open && tags[j].id == tags[i].id)
}

fn code(tags: &[RawTag], i: usize, how: Codes, in_target: bool) -> String {
    let t = &tags[i];
    match how {
        Codes::Raw => t.raw.clone(),
        Codes::V1 => match t.kind {
            TagKind::Open => format!("<bx id=\"{}\"/>", i + 1),
            TagKind::Close => match partner(tags, i) {
                Some(j) => format!("<ex id=\"{}\" rid=\"{}\"/>", i + 1, j + 1),
                None => format!("<ex id=\"{}\"/>", i + 1),
            },
            TagKind::Standalone => format!("<x id=\"{}\"/>", i + 1),
        },
        Codes::V2 => {
            let _ = in_target;
            match t.kind {
                TagKind::Open => {
                    let closed = (i + 1..tags.len())
                        .any(|k| tags[k].kind == TagKind::Close && partner(tags, k) == Some(i));
                    if closed {
                        format!("<sc id=\"c{}\"/>", i + 1)
                    } else {
                        format!("<sc id=\"c{}\" isolated=\"yes\"/>", i + 1)
                    }
                }
                TagKind::Close => match partner(tags, i) {
                    Some(j) => format!("<ec startRef=\"c{}\"/>", j + 1),
                    None => format!("<ec id=\"c{}\" isolated=\"yes\"/>", i + 1),
                },
                TagKind::Standalone => format!("<ph id=\"c{}\"/>", i + 1),
            }
        }
    }
}

/// The source text with its codes.
fn source_xml(seg: &BiSegment, how: Codes) -> String {
    let mut o = String::new();
    let chars: Vec<char> = seg.source.chars().collect();
    let mut at = 0;
    for (i, t) in seg.tags.iter().enumerate() {
        let off = t.offset.min(chars.len());
        o.push_str(&esc(&chars[at.min(off)..off].iter().collect::<String>()));
        at = at.max(off);
        o.push_str(&code(&seg.tags, i, how, false));
    }
    o.push_str(&esc(&chars[at.min(chars.len())..]
        .iter()
        .collect::<String>()));
    o
}

/// Target pieces with the segment's codes.
fn pieces_xml(seg: &BiSegment, pieces: &[OutPiece], how: Codes) -> String {
    let mut o = String::new();
    for p in pieces {
        match p {
            OutPiece::Text(t) => o.push_str(&esc(t)),
            OutPiece::Tag(i) if *i < seg.tags.len() => o.push_str(&code(&seg.tags, *i, how, true)),
            OutPiece::Tag(_) => {}
        }
    }
    o
}

fn state12(r: &SegmentResult) -> Option<(&'static str, &'static str)> {
    let q = match r.outcome {
        Outcome::Exact => "exact-match",
        Outcome::Fuzzy => "fuzzy-match",
        Outcome::Adapted => "leveraged-tm",
        Outcome::Kept
        | Outcome::Locked
        | Outcome::NoMatch
        | Outcome::Unwritable
        | Outcome::Empty => return None,
    };
    let s = if r.outcome == Outcome::Exact && r.review.is_empty() {
        "translated"
    } else {
        "needs-review-translation"
    };
    Some((s, q))
}

fn adaptation_note(c: &Candidate) -> Option<String> {
    if !c.adapted {
        return None;
    }
    let subs: Vec<String> = c
        .substitutions
        .iter()
        .map(|s| {
            format!(
                "{} {} → {} ({} → {})",
                s.kind, s.source_from, s.source_to, s.target_from, s.target_to
            )
        })
        .collect();
    Some(format!(
        "adapted from a {} match of unit {}: {}",
        fmt_score(c.raw_score),
        c.unit,
        subs.join("; ")
    ))
}

/// The notes of a segment: terms, adaptation, review.
fn notes(r: &SegmentResult) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for t in &r.terms {
        out.push((
            "term",
            format!("term: {} → {}", t.source, t.targets.join(" | ")),
        ));
    }
    if r.target.is_some() {
        if let Some(n) = r.best.as_ref().and_then(adaptation_note) {
            out.push(("adapted", n));
        }
    }
    for why in &r.review {
        out.push(("review", format!("review: {why}")));
    }
    out
}

fn candidates(r: &SegmentResult) -> impl Iterator<Item = &Candidate> {
    r.best.iter().chain(r.alternatives.iter())
}

/// The `<target>`, `<alt-trans>` and `<note>` elements of an XLIFF 1.2 unit, each line
/// prefixed by `indent`.
fn unit12_parts(
    r: &SegmentResult,
    seg: &BiSegment,
    how: Codes,
    target_lang: &str,
    indent: &str,
    with_target: bool,
) -> String {
    let mut o = String::new();
    if with_target {
        if let (Some(pieces), Some((state, q))) = (&r.target, state12(r)) {
            let _ = writeln!(
                o,
                "{indent}<target xml:lang=\"{}\" state=\"{state}\" state-qualifier=\"{q}\">{}</target>",
                esc(target_lang),
                pieces_xml(seg, pieces, how)
            );
        }
    }
    for c in candidates(r) {
        let _ = writeln!(
            o,
            "{indent}<alt-trans match-quality=\"{}\" origin=\"{}\"><source>{}</source><target xml:lang=\"{}\">{}</target></alt-trans>",
            fmt_score(c.score),
            esc(c.origin.as_deref().unwrap_or("concord")),
            esc(&c.source),
            esc(target_lang),
            pieces_xml(seg, &c.pieces, how)
        );
    }
    for (_, n) in notes(r) {
        let _ = writeln!(o, "{indent}<note from=\"concord\">{}</note>", esc(&n));
    }
    o
}

fn codes_for(doc: &SourceDoc, v2_output: bool) -> Codes {
    match (&doc.xliff, v2_output) {
        (Some(x), false) if x.flavour != Flavour::Xliff20 => Codes::Raw,
        (_, false) => Codes::V1,
        (_, true) => Codes::V2,
    }
}

fn file_name(doc: &SourceDoc) -> String {
    doc.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into())
}

/// XLIFF 1.2 (see the module documentation).
pub fn xliff12(p: &Pretranslation, doc: &SourceDoc) -> String {
    let how = codes_for(doc, false);
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n");
    let _ = writeln!(
        o,
        "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"plaintext\">",
        esc(&file_name(doc)),
        esc(&p.source_lang),
        esc(&p.target_lang)
    );
    let _ = writeln!(
        o,
        "    <header><tool tool-id=\"concord\" tool-name=\"concord\" tool-version=\"{}\"/></header>",
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("    <body>\n");
    for (r, seg) in p.segments.iter().zip(&doc.segments) {
        let id = r.id.clone().unwrap_or_else(|| r.number.to_string());
        // A locked segment stays protected in the new file.
        let lock = if r.outcome == Outcome::Locked {
            " translate=\"no\""
        } else {
            ""
        };
        let _ = writeln!(o, "      <trans-unit id=\"{}\"{lock}>", esc(&id));
        let _ = writeln!(
            o,
            "        <source xml:lang=\"{}\">{}</source>",
            esc(&p.source_lang),
            source_xml(seg, how)
        );
        let mut parts = unit12_parts(r, seg, how, &p.target_lang, "        ", true);
        if r.target.is_none() {
            if let Some(t) = r.target_text.as_deref().filter(|t| !t.is_empty()) {
                // A kept target (its codes, if it had any, are in the input file).
                parts.insert_str(
                    0,
                    &format!(
                        "        <target xml:lang=\"{}\" state=\"translated\">{}</target>\n",
                        esc(&p.target_lang),
                        esc(t)
                    ),
                );
            }
        }
        o.push_str(&parts);
        o.push_str("      </trans-unit>\n");
    }
    o.push_str("    </body>\n  </file>\n</xliff>\n");
    o
}

/// XLIFF 2.0 with the matches module (see the module documentation).
pub fn xliff20(p: &Pretranslation, doc: &SourceDoc) -> String {
    let how = Codes::V2;
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">",
        esc(&p.source_lang),
        esc(&p.target_lang)
    );
    let _ = writeln!(
        o,
        "  <file id=\"f1\" original=\"{}\">",
        esc(&file_name(doc))
    );
    for (r, seg) in p.segments.iter().zip(&doc.segments) {
        let name = r.id.clone().unwrap_or_else(|| r.number.to_string());
        let lock = if r.outcome == Outcome::Locked {
            " translate=\"no\""
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "    <unit id=\"u{}\" name=\"{}\"{lock}>",
            r.number,
            esc(&name)
        );
        let cands: Vec<&Candidate> = candidates(r).collect();
        if !cands.is_empty() {
            o.push_str("      <mtc:matches>\n");
            for (k, c) in cands.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "        <mtc:match id=\"m{}\" ref=\"#s1\" similarity=\"{}\" type=\"tm\" origin=\"{}\"><source>{}</source><target>{}</target></mtc:match>",
                    k + 1,
                    fmt_score(c.raw_score.min(100.0)),
                    esc(c.origin.as_deref().unwrap_or("concord")),
                    esc(&c.source),
                    pieces_xml(seg, &c.pieces, how)
                );
            }
            o.push_str("      </mtc:matches>\n");
        }
        let ns = notes(r);
        if !ns.is_empty() {
            o.push_str("      <notes>\n");
            for (cat, n) in ns {
                let _ = writeln!(
                    o,
                    "        <note category=\"concord-{cat}\">{}</note>",
                    esc(&n)
                );
            }
            o.push_str("      </notes>\n");
        }
        let state = match (&r.target, r.outcome) {
            (Some(_), Outcome::Exact) if r.review.is_empty() => "translated",
            (None, Outcome::Kept | Outcome::Locked | Outcome::Empty) if r.target_text.is_some() => {
                "translated"
            }
            _ => "initial",
        };
        let _ = writeln!(o, "      <segment id=\"s1\" state=\"{state}\">");
        let _ = writeln!(o, "        <source>{}</source>", source_xml(seg, how));
        match (&r.target, r.target_text.as_deref()) {
            (Some(pieces), _) => {
                let _ = writeln!(
                    o,
                    "        <target>{}</target>",
                    pieces_xml(seg, pieces, how)
                );
            }
            (None, Some(t)) if !t.is_empty() => {
                let _ = writeln!(o, "        <target>{}</target>", esc(t));
            }
            _ => {}
        }
        o.push_str("      </segment>\n    </unit>\n");
    }
    o.push_str("  </file>\n</xliff>\n");
    o
}

fn tsv_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// TSV (see the module documentation).
pub fn tsv(p: &Pretranslation) -> String {
    let mut o = String::from("source\ttarget\tscore\torigin\tid\toutcome\treview\n");
    for r in &p.segments {
        let outcome = serde_json::to_value(r.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let (score, origin) = match (&r.target, &r.best) {
            (Some(_), Some(c)) => (fmt_score(c.score), c.origin.clone().unwrap_or_default()),
            _ => (String::new(), String::new()),
        };
        let _ = writeln!(
            o,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            tsv_cell(&r.source),
            tsv_cell(r.target_text.as_deref().unwrap_or("")),
            score,
            tsv_cell(&origin),
            tsv_cell(r.id.as_deref().unwrap_or(&r.number.to_string())),
            outcome,
            tsv_cell(&r.review.join("; "))
        );
    }
    o
}

/// The end of the start tag that begins at `a` (the byte after its `>`).
fn start_tag_end(text: &str, a: usize) -> usize {
    let b = text.as_bytes();
    let mut quote = 0u8;
    let mut i = a;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'>' {
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// A start tag with attributes set: an existing attribute's value is replaced, a new
/// one is added before the tag's end. The rest of the tag is kept as written.
pub fn set_attrs(tag: &str, attrs: &[(&str, String)]) -> String {
    let mut t = tag.to_string();
    for (name, value) in attrs {
        let v = esc(value);
        let re = regex::Regex::new(&format!(
            r#"(\s{}\s*=\s*)("[^"]*"|'[^']*')"#,
            regex::escape(name)
        ))
        .expect("a valid pattern");
        if let Some(m) = re.captures(&t) {
            let whole = m.get(2).expect("group");
            t.replace_range(whole.range(), &format!("\"{v}\""));
        } else {
            let end = if t.ends_with("/>") {
                t.len() - 2
            } else {
                t.len() - 1
            };
            t.insert_str(end, &format!(" {name}=\"{v}\""));
        }
    }
    t
}

/// The leading white space of the line `at` is on.
fn indent_at(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect()
}

/// SDLXLIFF targets to build: per replaced byte range, the unit and each new
/// sub-segment's mid and content.
type SdlTargets = std::collections::BTreeMap<(usize, usize), (usize, Vec<(String, String)>)>;

/// Splice the pretranslation into the input XLIFF 1.2 file (see the module
/// documentation): every byte but the new targets and their status attributes is kept.
pub fn splice(p: &Pretranslation, doc: &SourceDoc) -> Result<Vec<u8>> {
    Ok(splice_written(p, doc)?.0)
}

/// [`splice`], and per segment whether its new target was written.
fn splice_written(p: &Pretranslation, doc: &SourceDoc) -> Result<(Vec<u8>, Vec<bool>)> {
    let Some(x) = &doc.xliff else {
        return Err(Error::bad_request(format!(
            "{}: only an XLIFF input can be written back in its own format",
            doc.path.display()
        )));
    };
    let Some(prefix) = &x.prefix else {
        return Err(Error::bad_request(format!(
            "{}: the file is neither UTF-8 nor UTF-16 with a byte order mark, so it cannot be written back byte for byte; choose --output-format xliff or xliff2",
            doc.path.display()
        )));
    };
    let text = &x.text;
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    // Inserts at the same place (SDLXLIFF seg-defs, a new target) are gathered.
    let mut sdl_new: SdlTargets = std::collections::BTreeMap::new();
    let mut sdl_defs: std::collections::BTreeMap<(usize, bool), String> =
        std::collections::BTreeMap::new();
    // XLIFF 2.0: per unit, the new `<mtc:match>` and `<note>` elements.
    let mut v2_parts: std::collections::BTreeMap<usize, (String, String)> =
        std::collections::BTreeMap::new();
    let mtc = matches_prefix(&text[x.root_tag.0..x.root_tag.1]);
    let mut written = vec![false; p.segments.len()];
    for (i, (r, seg)) in p.segments.iter().zip(&doc.segments).enumerate() {
        let Some(pieces) = &r.target else { continue };
        let content = pieces_xml(seg, pieces, Codes::Raw);
        let score = r.best.as_ref().map_or(0.0, |c| c.score);
        let clean_exact = r.outcome == Outcome::Exact && r.review.is_empty();
        match x.flavour {
            Flavour::Sdlxliff => {
                let Some(mid) = &seg.mid else { continue };
                match seg.slot {
                    TargetSlot::Mrk(a, b) => {
                        let se = start_tag_end(text, a);
                        let mut st = text[a..se].to_string();
                        if st.ends_with("/>") {
                            st.replace_range(st.len() - 2.., ">");
                        }
                        edits.push((a, b, format!("{st}{content}</mrk>")));
                    }
                    TargetSlot::SdlNew(a, b) => {
                        let u = seg.sdl_unit.expect("an SDLXLIFF segment has its unit");
                        let e = sdl_new.entry((a, b)).or_insert_with(|| (u, Vec::new()));
                        e.1.push((mid.clone(), content));
                    }
                    _ => continue,
                }
                written[i] = true;
                let conf = if clean_exact { "Translated" } else { "Draft" };
                let attrs = [
                    ("conf", conf.to_string()),
                    ("origin", "tm".to_string()),
                    ("percent", format!("{}", score.floor() as i64)),
                ];
                let unit = &x.sdl_units[seg.sdl_unit.expect("an SDLXLIFF segment has its unit")];
                match unit.seg_defs.iter().find(|(id, _, _)| id == mid) {
                    Some((_, a, b)) => edits.push((*a, *b, set_attrs(&text[*a..*b], &attrs))),
                    None => {
                        let def = set_attrs(&format!("<sdl:seg id=\"{}\"/>", esc(mid)), &attrs);
                        sdl_defs.entry(unit.defs_insert).or_default().push_str(&def);
                    }
                }
            }
            Flavour::Mqxliff | Flavour::Xliff12 => {
                let mq = x.flavour == Flavour::Mqxliff;
                let (state, q) = state12(r).unwrap_or(("needs-review-translation", "fuzzy-match"));
                let tattrs: Vec<(&str, String)> = if mq {
                    Vec::new()
                } else {
                    vec![
                        ("state", state.to_string()),
                        ("state-qualifier", q.to_string()),
                    ]
                };
                let extra = if mq {
                    r.review
                        .iter()
                        .map(|w| format!("<note from=\"concord\">review: {}</note>", esc(w)))
                        .collect::<String>()
                } else {
                    String::new()
                };
                let (a, b, indent) = match seg.slot {
                    TargetSlot::Element(a, b) => (a, b, indent_at(text, a)),
                    TargetSlot::Insert(at) => (at, at, indent_at(text, at)),
                    _ => continue,
                };
                written[i] = true;
                let start = if a < b {
                    let se = start_tag_end(text, a);
                    let mut st = text[a..se].to_string();
                    if st.ends_with("/>") {
                        st.replace_range(st.len() - 2.., ">");
                    }
                    set_attrs(&st, &tattrs)
                } else {
                    set_attrs("<target>", &tattrs)
                };
                let mut new = String::new();
                if a == b {
                    new.push('\n');
                    new.push_str(&indent);
                }
                new.push_str(&start);
                new.push_str(&content);
                new.push_str("</target>");
                if mq {
                    new.push_str(&extra);
                } else {
                    let parts = unit12_parts(r, seg, Codes::Raw, &p.target_lang, &indent, false);
                    for line in parts.lines() {
                        new.push('\n');
                        new.push_str(line);
                    }
                }
                edits.push((a, b, new));
                if mq {
                    let (ua, ub) = seg.unit_tag;
                    let attrs = [
                        ("mq:status", "Pretranslated".to_string()),
                        ("mq:percent", format!("{}", score.floor() as i64)),
                    ];
                    edits.push((ua, ub, set_attrs(&text[ua..ub], &attrs)));
                }
            }
            Flavour::Xliff20 => {
                let (Some((sa, sb, sid)), Some(u)) = (&seg.segment_tag, seg.sdl_unit) else {
                    continue;
                };
                let (a, b) = match seg.slot {
                    TargetSlot::Element(a, b) => (a, b),
                    TargetSlot::Insert(at) => (at, at),
                    _ => continue,
                };
                written[i] = true;
                let mut new = String::new();
                if a < b {
                    let se = start_tag_end(text, a);
                    let mut st = text[a..se].to_string();
                    if st.ends_with("/>") {
                        st.replace_range(st.len() - 2.., ">");
                    }
                    new.push_str(&st);
                } else {
                    new.push('\n');
                    new.push_str(&indent_at(text, a));
                    new.push_str("<target>");
                }
                new.push_str(&content);
                new.push_str("</target>");
                edits.push((a, b, new));
                let mut attrs = vec![(
                    "state",
                    if clean_exact { "translated" } else { "initial" }.to_string(),
                )];
                let seg_id = match sid {
                    Some(id) => id.clone(),
                    None => {
                        let id = format!("concord-s{}", r.number);
                        attrs.push(("id", id.clone()));
                        id
                    }
                };
                edits.push((*sa, *sb, set_attrs(&text[*sa..*sb], &attrs)));
                let (matches, unit_notes) = v2_parts.entry(u).or_default();
                for c in candidates(r) {
                    let _ = write!(
                        matches,
                        "<{mtc}:match ref=\"#{}\" similarity=\"{}\" type=\"tm\" origin=\"{}\"><source>{}</source><target>{}</target></{mtc}:match>",
                        esc(&seg_id),
                        fmt_score(c.raw_score.min(100.0)),
                        esc(c.origin.as_deref().unwrap_or("concord")),
                        esc(&c.source),
                        pieces_xml(seg, &c.pieces, Codes::Raw),
                        mtc = mtc.0,
                    );
                }
                for (cat, n) in notes(r) {
                    let _ = write!(
                        unit_notes,
                        "<note category=\"concord-{cat}\">{}: {}</note>",
                        esc(&seg_id),
                        esc(&n)
                    );
                }
            }
        }
    }
    // XLIFF 2.0: each unit's matches (first in the unit, or into its <mtc:matches>) and
    // notes (after the module elements, or into its <notes>).
    for (u, (matches, notes)) in &v2_parts {
        let unit = &x.units_v2[*u];
        if !matches.is_empty() {
            match unit.matches_end {
                Some(at) => edits.push((at, at, matches.clone())),
                None => edits.push((
                    unit.after_start,
                    unit.after_start,
                    format!("<{m}:matches>{matches}</{m}:matches>", m = mtc.0),
                )),
            }
        }
        if !notes.is_empty() {
            match unit.notes_end {
                Some(at) => edits.push((at, at, notes.clone())),
                None => edits.push((
                    unit.notes_at,
                    unit.notes_at,
                    format!("<notes>{notes}</notes>"),
                )),
            }
        }
    }
    if x.flavour == Flavour::Xliff20 && !v2_parts.is_empty() {
        // The matches module's namespace, and the target language a target needs.
        let (ra, rb) = x.root_tag;
        let mut attrs: Vec<(&str, String)> = Vec::new();
        if mtc.1 {
            attrs.push(("xmlns:mtc", MTC_NS.to_string()));
        }
        let has_trg = regex::Regex::new(r#"\strgLang\s*="#)
            .expect("a valid pattern")
            .is_match(&text[ra..rb]);
        if !has_trg {
            attrs.push(("trgLang", p.target_lang.clone()));
        }
        if !attrs.is_empty() {
            edits.push((ra, rb, set_attrs(&text[ra..rb], &attrs)));
        }
    }
    for ((a, b), (u, mids)) in sdl_new {
        // A new SDLXLIFF target: the <seg-source> with the new segments' texts (in
        // place of an empty `<target/>`, whose attributes are kept).
        let unit = &x.sdl_units[u];
        let mut body = String::new();
        let mut pos = unit.seg_source.0;
        for (mid, ca, cb) in &unit.mrks {
            let c = mids.iter().find(|(m, _)| m == mid).map(|(_, c)| c.as_str());
            if ca == cb && text[..*ca].ends_with("/>") {
                // An empty source sub-segment `<mrk mtype="seg" mid/>`.
                let st = &text[pos..*ca];
                body.push_str(&st[..st.len() - 2]);
                body.push('>');
                body.push_str(c.unwrap_or_default());
                body.push_str("</mrk>");
            } else {
                body.push_str(&text[pos..*ca]);
                body.push_str(c.unwrap_or_default());
            }
            pos = *cb;
        }
        body.push_str(&text[pos..unit.seg_source.1]);
        let start = if a < b {
            let mut st = text[a..start_tag_end(text, a)].to_string();
            if st.ends_with("/>") {
                st.replace_range(st.len() - 2.., ">");
            }
            st
        } else {
            "<target>".to_string()
        };
        edits.push((a, b, format!("{start}{body}</target>")));
    }
    for ((at, inside), defs) in sdl_defs {
        let s = if inside {
            defs
        } else {
            format!("<sdl:seg-defs>{defs}</sdl:seg-defs>")
        };
        edits.push((at, at, s));
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len() + edits.len() * 64);
    let mut at = 0;
    for (a, b, s) in &edits {
        if *a < at {
            return Err(Error::bad_request(format!(
                "{}: overlapping edits while writing the XLIFF back",
                doc.path.display()
            )));
        }
        out.push_str(&text[at..*a]);
        out.push_str(s);
        at = *b;
    }
    out.push_str(&text[at..]);
    let mut bytes = prefix.clone();
    bytes.extend_from_slice(&x.encoding.encode(&out));
    Ok((bytes, written))
}

/// The namespace of the XLIFF 2.0 matches module.
const MTC_NS: &str = "urn:oasis:names:tc:xliff:matches:2.0";

/// The prefix the root start tag binds to the matches module, or `mtc` with `true` when
/// the declaration must be added (`concord-mtc` when `mtc` is bound to something else).
fn matches_prefix(root: &str) -> (String, bool) {
    let re = regex::Regex::new(r#"xmlns:([A-Za-z_][\w.\-]*)\s*=\s*["']([^"']*)["']"#)
        .expect("a valid pattern");
    let mut mtc_taken = false;
    for c in re.captures_iter(root) {
        if &c[2] == MTC_NS {
            return (c[1].to_string(), false);
        }
        mtc_taken |= &c[1] == "mtc";
    }
    if mtc_taken {
        ("concord-mtc".into(), true)
    } else {
        ("mtc".into(), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_set_in_place() {
        assert_eq!(
            set_attrs(
                "<sdl:seg id=\"2\" conf=\"Draft\"/>",
                &[("conf", "Translated".into()), ("percent", "99".into())]
            ),
            "<sdl:seg id=\"2\" conf=\"Translated\" percent=\"99\"/>"
        );
        assert_eq!(
            set_attrs(
                "<trans-unit id='1' mq:status='NotStarted'>",
                &[("mq:status", "Pretranslated".into())]
            ),
            "<trans-unit id='1' mq:status=\"Pretranslated\">"
        );
        // `status` is not `mq:status`.
        assert_eq!(
            set_attrs("<t mq:status=\"A\">", &[("status", "B".into())]),
            "<t mq:status=\"A\" status=\"B\">"
        );
    }

    #[test]
    fn scores_and_cells() {
        assert_eq!(fmt_score(99.0), "99");
        assert_eq!(fmt_score(96.44), "96.4");
        assert_eq!(tsv_cell("a\tb\nc\\"), "a\\tb\\nc\\\\");
        assert_eq!(start_tag_end("<a b=\">\">x</a>", 0), 9);
    }
}
