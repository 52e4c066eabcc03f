//! The one diagnostic model of concord, and the printers behind every checker.
//!
//! Everything concord reports about a file it checked or read is a [`Diagnostic`]: the
//! findings of `concord lint` ([`crate::lint`]), the problems `concord glossary check`
//! finds ([`crate::glossary::check`]), and the warnings of a glossary load that did not
//! stop it ([`crate::glossary::LoadWarning`]). A diagnostic has a typed [`Code`] (never a
//! string), one [`Severity`], a [`Location`] (file, line, column), spans in the source
//! and the target, a message, an optional suggestion and a fingerprint.
//!
//! The printers are in [`printer`]: one [`printer::Printer`] trait with default methods
//! (in the style of typos' `Report` and ripgrep's printers) and text, JSON, SARIF 2.1.0 and
//! [`printer::Collect`] implementations, used by `lint` and `glossary check` alike. A
//! run ends with a [`Status`], which decides the exit code of the command line: 0 when
//! nothing error-level was found, 1 when something was, 2 when the run could not
//! complete.
//!
//! ```
//! use concord::diag::{Code, Diagnostic, GlossaryCode, Severity, Status, Counts};
//! use concord::error::Location;
//!
//! let d = Diagnostic::new(
//!     Code::Glossary(GlossaryCode::DuplicateId),
//!     "id \"kp\" is used twice (also at line 2)",
//!     Location::line("g.csv", 4),
//! );
//! assert_eq!(d.severity, Severity::Error);
//! assert_eq!(d.to_string(), "g.csv:4: id \"kp\" is used twice (also at line 2)");
//! let mut counts = Counts::default();
//! counts.add(d.severity);
//! assert_eq!(Status::of(&counts), Status::Findings);
//! assert_eq!(Status::of(&counts).exit_code(), 1);
//! ```

pub mod printer;
pub mod sarif;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use crate::error::Location;
mod rule;
use crate::text::match_key;
pub use rule::{Rule, UnknownRule};

/// How serious a diagnostic is. The order is ascending seriousness:
/// `Info < Warning < Error`, so `severity >= min` keeps what is at least as serious as
/// `min`, and the maximum of a run is its worst finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look, allowed (glossary check called these "notices"); never fails a run.
    Info,
    /// Probably wrong; does not fail a run.
    Warning,
    /// Wrong: the command exits with 1.
    Error,
}

impl Severity {
    /// The lowercase name (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parse a severity name (`info`, `note`, `notice`, `warning`, `warn`, `error`).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" | "notice" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    /// The SARIF `level` of this severity.
    pub fn sarif_level(self) -> sarif::Level {
        match self {
            Severity::Info => sarif::Level::Note,
            Severity::Warning => sarif::Level::Warning,
            Severity::Error => sarif::Level::Error,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `concord glossary check` reports (see [`crate::glossary::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum GlossaryCode {
    /// Two entries share an id.
    DuplicateId,
    /// A variant is both approved and forbidden in one entry and language.
    ApprovedAndForbidden,
    /// A language column is empty in every row.
    EmptyLanguage,
    /// An entry has no term at all.
    NoTerms,
    /// The same source term in two entries with different translations.
    ConflictingTranslations,
    /// The same source term in two entries with the same translations.
    DuplicateEntry,
    /// A forbidden variant of one entry is an approved variant of another, or inside one.
    ForbiddenElsewhere,
    /// Tabs, no-break or ideographic spaces, line breaks, invisible characters or doubled
    /// spaces inside a term.
    WhiteSpace,
    /// White space at the start or end of a cell.
    Padding,
    /// A term mixing scripts, or in a script its column's language does not use.
    MixedScript,
    /// `strict` names a language whose terms have no Hangul.
    StrictNotKorean,
    /// An item of the `qualifier` column does not parse or names no variant of the entry.
    BadQualifier,
}

impl GlossaryCode {
    /// Every code, in documentation order.
    pub const ALL: [GlossaryCode; 12] = [
        GlossaryCode::DuplicateId,
        GlossaryCode::ApprovedAndForbidden,
        GlossaryCode::EmptyLanguage,
        GlossaryCode::NoTerms,
        GlossaryCode::ConflictingTranslations,
        GlossaryCode::DuplicateEntry,
        GlossaryCode::ForbiddenElsewhere,
        GlossaryCode::WhiteSpace,
        GlossaryCode::Padding,
        GlossaryCode::MixedScript,
        GlossaryCode::StrictNotKorean,
        GlossaryCode::BadQualifier,
    ];

    /// The stable id (`duplicate-id`).
    pub fn id(self) -> &'static str {
        match self {
            GlossaryCode::DuplicateId => "duplicate-id",
            GlossaryCode::ApprovedAndForbidden => "approved-and-forbidden",
            GlossaryCode::EmptyLanguage => "empty-language",
            GlossaryCode::NoTerms => "no-terms",
            GlossaryCode::ConflictingTranslations => "conflicting-translations",
            GlossaryCode::DuplicateEntry => "duplicate-entry",
            GlossaryCode::ForbiddenElsewhere => "forbidden-elsewhere",
            GlossaryCode::WhiteSpace => "white-space",
            GlossaryCode::Padding => "padding",
            GlossaryCode::MixedScript => "mixed-script",
            GlossaryCode::StrictNotKorean => "strict-not-korean",
            GlossaryCode::BadQualifier => "bad-qualifier",
        }
    }

    /// The severity of the code.
    pub fn severity(self) -> Severity {
        match self {
            GlossaryCode::DuplicateId | GlossaryCode::ApprovedAndForbidden => Severity::Error,
            GlossaryCode::EmptyLanguage
            | GlossaryCode::NoTerms
            | GlossaryCode::ConflictingTranslations
            | GlossaryCode::WhiteSpace
            | GlossaryCode::MixedScript
            | GlossaryCode::BadQualifier => Severity::Warning,
            GlossaryCode::DuplicateEntry
            | GlossaryCode::ForbiddenElsewhere
            | GlossaryCode::Padding
            | GlossaryCode::StrictNotKorean => Severity::Info,
        }
    }

    /// One line saying what the code reports.
    pub fn description(self) -> &'static str {
        match self {
            GlossaryCode::DuplicateId => "two entries share an id",
            GlossaryCode::ApprovedAndForbidden => {
                "a variant is both approved and forbidden in one entry and language"
            }
            GlossaryCode::EmptyLanguage => "a language column is empty in every row",
            GlossaryCode::NoTerms => "an entry has no term at all",
            GlossaryCode::ConflictingTranslations => {
                "the same source term in two entries with different translations"
            }
            GlossaryCode::DuplicateEntry => {
                "the same source term in two entries with the same translations"
            }
            GlossaryCode::ForbiddenElsewhere => {
                "a forbidden variant of one entry is an approved variant of another, or inside one"
            }
            GlossaryCode::WhiteSpace => {
                "tabs, non-breaking or ideographic spaces, line breaks, invisible characters or doubled spaces inside a term"
            }
            GlossaryCode::Padding => "white space at the start or end of a cell",
            GlossaryCode::MixedScript => {
                "a term mixing scripts, or in a script its column's language does not use"
            }
            GlossaryCode::StrictNotKorean => {
                "strict names a language whose terms have no Hangul (it changes nothing)"
            }
            GlossaryCode::BadQualifier => {
                "an item of the qualifier column does not parse (tag:variant=qualifier) or names no variant of the entry"
            }
        }
    }
}

/// What a reader reports about a file it read anyway (a glossary load warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LoadCode {
    /// A row was skipped (too few terms, an empty source or target).
    SkippedRow,
}

impl LoadCode {
    /// Every code.
    pub const ALL: [LoadCode; 1] = [LoadCode::SkippedRow];

    /// The stable id (`skipped-row`).
    pub fn id(self) -> &'static str {
        match self {
            LoadCode::SkippedRow => "skipped-row",
        }
    }

    /// The severity of the code.
    pub fn severity(self) -> Severity {
        match self {
            LoadCode::SkippedRow => Severity::Warning,
        }
    }

    /// One line saying what the code reports.
    pub fn description(self) -> &'static str {
        match self {
            LoadCode::SkippedRow => "a row of the file was skipped while reading it",
        }
    }
}

/// What `concord align` reports about the versions it aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AlignCode {
    /// A version's length is far from what the other version predicts (a summary, or
    /// another document).
    LengthMismatch,
    /// Many sentences found no counterpart.
    ManyUnaligned,
    /// The document's alignment confidence is low.
    LowConfidence,
    /// A file's script contradicts the language it was given as.
    LanguageMismatch,
}

impl AlignCode {
    /// Every code.
    pub const ALL: [AlignCode; 4] = [
        AlignCode::LengthMismatch,
        AlignCode::ManyUnaligned,
        AlignCode::LowConfidence,
        AlignCode::LanguageMismatch,
    ];

    /// The stable id (`length-mismatch`...).
    pub fn id(self) -> &'static str {
        match self {
            AlignCode::LengthMismatch => "length-mismatch",
            AlignCode::ManyUnaligned => "many-unaligned",
            AlignCode::LowConfidence => "low-confidence",
            AlignCode::LanguageMismatch => "language-mismatch",
        }
    }

    /// The severity of the code: all are warnings (the alignment is still produced).
    pub fn severity(self) -> Severity {
        Severity::Warning
    }

    /// One line saying what the code reports.
    pub fn description(self) -> &'static str {
        match self {
            AlignCode::LengthMismatch => {
                "a version is much shorter or longer than the other predicts"
            }
            AlignCode::ManyUnaligned => "many sentences found no counterpart",
            AlignCode::LowConfidence => "the document's alignment confidence is low",
            AlignCode::LanguageMismatch => "a file's script contradicts its given language",
        }
    }
}

/// The code of a diagnostic: which check or reader reported it. Serialized as its id
/// (`term-missing`, `duplicate-id`, `skipped-row`); the ids of the families do not
/// overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// A lint rule.
    Lint(Rule),
    /// A glossary check.
    Glossary(GlossaryCode),
    /// A reader's warning.
    Load(LoadCode),
    /// An alignment warning.
    Align(AlignCode),
}

impl Code {
    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Code::Lint(r) => r.id(),
            Code::Glossary(c) => c.id(),
            Code::Load(c) => c.id(),
            Code::Align(c) => c.id(),
        }
    }

    /// The severity diagnostics of this code report with.
    pub fn severity(self) -> Severity {
        match self {
            Code::Lint(r) => r.severity(),
            Code::Glossary(c) => c.severity(),
            Code::Load(c) => c.severity(),
            Code::Align(c) => c.severity(),
        }
    }

    /// One line saying what the code reports.
    pub fn description(self) -> &'static str {
        match self {
            Code::Lint(r) => r.description(),
            Code::Glossary(c) => c.description(),
            Code::Load(c) => c.description(),
            Code::Align(c) => c.description(),
        }
    }

    /// A CamelCase name (SARIF `name`): `term-missing` → `TermMissing`.
    pub fn camel_name(self) -> String {
        self.id()
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            })
            .collect()
    }

    /// The lint rule, for a lint diagnostic.
    pub fn rule(self) -> Option<Rule> {
        match self {
            Code::Lint(r) => Some(r),
            _ => None,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl From<Rule> for Code {
    fn from(r: Rule) -> Code {
        Code::Lint(r)
    }
}

impl From<AlignCode> for Code {
    fn from(c: AlignCode) -> Code {
        Code::Align(c)
    }
}

impl From<GlossaryCode> for Code {
    fn from(c: GlossaryCode) -> Code {
        Code::Glossary(c)
    }
}

impl PartialEq<Rule> for Code {
    fn eq(&self, r: &Rule) -> bool {
        *self == Code::Lint(*r)
    }
}

/// Serialized as `{"file": ..., "line": ..., "column": ...}` (line and column `null`
/// when unknown).
impl Serialize for Location {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Location", 3)?;
        st.serialize_field("file", &self.path.display().to_string())?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("column", &self.column)?;
        st.end()
    }
}

/// A span of a diagnostic in the source or the target text of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Start, in characters from the start of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Line in the file.
    pub line: u64,
    /// Column in the file (1-based, in characters).
    pub column: u64,
    /// The text of the span.
    pub text: String,
}

/// One diagnostic: the message model every printer prints.
///
/// JSON shape (every field always present, `null` when it does not apply): `code`,
/// `rule` (the same id: the field name of `concord-lint/1`), `severity`, `message`,
/// `file`, `line`, `column`, `segment`, `segment_id`, `source_span`, `target_span`,
/// `suggestion`, `source`, `target`, `fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// What reported it.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    /// The file, line and column (1-based, in characters) it points at.
    pub location: Location,
    /// The segment number (lint: TSV row, XLIFF segment, text line), if any.
    pub segment: Option<u64>,
    /// The segment id in the file (XLIFF unit id), if any.
    pub segment_id: Option<String>,
    /// The span in the source, when the diagnostic points at one.
    pub source_span: Option<Span>,
    /// The span in the target, when the diagnostic points at one.
    pub target_span: Option<Span>,
    /// A suggested replacement for the target span (or text to use); empty: remove it.
    pub suggestion: Option<String>,
    /// The source text of the segment.
    pub source: Option<String>,
    /// The target text of the segment.
    pub target: Option<String>,
    /// Identifies the diagnostic across edits elsewhere in the file (16 hex digits,
    /// XXH3-64): for lint, of the rule, the matching keys of source and target and what
    /// the finding is about (see [`crate::lint::fingerprint`]); for others, of the code
    /// and the message.
    pub fingerprint: String,
}

impl Diagnostic {
    /// A diagnostic of `code` (with its severity) at `location`; the other fields empty,
    /// the fingerprint from the code and the message.
    pub fn new(code: impl Into<Code>, message: impl Into<String>, location: Location) -> Self {
        let code = code.into();
        let message = message.into();
        let fingerprint = fingerprint_of(code, &[&message]);
        Diagnostic {
            code,
            severity: code.severity(),
            message,
            location,
            segment: None,
            segment_id: None,
            source_span: None,
            target_span: None,
            suggestion: None,
            source: None,
            target: None,
            fingerprint,
        }
    }

    /// The same diagnostic with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The lint rule, for a lint finding.
    pub fn rule(&self) -> Option<Rule> {
        self.code.rule()
    }

    /// The line, 0 when unknown (for sorting).
    pub fn line(&self) -> u64 {
        self.location.line.unwrap_or(0)
    }

    /// The column, 0 when unknown (for sorting).
    pub fn column(&self) -> u64 {
        self.location.column.unwrap_or(0)
    }

    /// The file, as the user named it.
    pub fn file(&self) -> String {
        self.location.path.display().to_string()
    }
}

/// `file:line:column: message`.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Diagnostic", 15)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("rule", &self.code)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("file", &self.file())?;
        st.serialize_field("line", &self.location.line)?;
        st.serialize_field("column", &self.location.column)?;
        st.serialize_field("segment", &self.segment)?;
        st.serialize_field("segment_id", &self.segment_id)?;
        st.serialize_field("source_span", &self.source_span)?;
        st.serialize_field("target_span", &self.target_span)?;
        st.serialize_field("suggestion", &self.suggestion)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("target", &self.target)?;
        st.serialize_field("fingerprint", &self.fingerprint)?;
        st.end()
    }
}

/// XXH3-64 of a code and some parts (each matching-keyed), as 16 hex digits.
pub(crate) fn fingerprint_of(code: Code, parts: &[&str]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(code.id().as_bytes());
    for p in parts {
        h.update(&[0]);
        h.update(match_key(p).as_bytes());
    }
    format!("{:016x}", h.digest())
}

/// Diagnostics counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Error-level diagnostics.
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
    /// Info.
    pub info: u64,
}

impl Counts {
    /// Count one diagnostic of this severity.
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.info += 1,
        }
    }

    /// The counts of these diagnostics.
    pub fn of<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            c.add(d.severity);
        }
        c
    }
}

/// How a run of a checker ended; decides the exit code of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The run completed without an error-level diagnostic (exit 0).
    Ok,
    /// The run completed and reported at least one error-level diagnostic (exit 1).
    Findings,
    /// The run could not complete (exit 2).
    Failed,
}

impl Status {
    /// The status of a completed run with these counts.
    pub fn of(counts: &Counts) -> Status {
        if counts.errors > 0 {
            Status::Findings
        } else {
            Status::Ok
        }
    }

    /// The exit code: 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Findings => 1,
            Status::Failed => 2,
        }
    }

    /// True when the run completed (SARIF `executionSuccessful`).
    pub fn completed(self) -> bool {
        self != Status::Failed
    }
}

/// Which checker a run is: it names the JSON schema and the codes the SARIF rules list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checker {
    /// `concord lint`.
    Lint,
    /// `concord glossary check`.
    GlossaryCheck,
}

impl Checker {
    /// The `schema` id of its JSON document: a name and, after the slash, the version
    /// (raised when a field changes meaning or goes away; new fields keep it).
    pub fn schema(self) -> &'static str {
        match self {
            Checker::Lint => "concord-lint/1",
            Checker::GlossaryCheck => "concord-glossary-check/1",
        }
    }

    /// The codes the checker can report, in documentation order (SARIF `rules`).
    pub fn codes(self) -> Vec<Code> {
        match self {
            Checker::Lint => Rule::ALL.into_iter().map(Code::Lint).collect(),
            Checker::GlossaryCheck => GlossaryCode::ALL
                .into_iter()
                .map(Code::Glossary)
                .chain(LoadCode::ALL.into_iter().map(Code::Load))
                .collect(),
        }
    }
}

/// What a checker tells the printers at the end of a run: the counts, the summary line
/// of the text output, and the fields its JSON document adds besides `findings`.
pub trait Summary {
    /// The diagnostics reported, by severity.
    fn counts(&self) -> Counts;
    /// The one-line summary (`draft.tsv: 3 segments checked: 1 error, ...`).
    fn line(&self) -> String;
    /// The top-level fields of the JSON document besides `schema`, `tool`, `findings`
    /// and `completed`.
    fn json_fields(&self) -> serde_json::Map<String, serde_json::Value>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_severity_order_ascending() {
        // The two old enums sorted in opposite directions; the one left is ascending.
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        let mut v = vec![Severity::Error, Severity::Info, Severity::Warning];
        v.sort();
        assert_eq!(v, vec![Severity::Info, Severity::Warning, Severity::Error]);
        assert_eq!(Severity::parse("notice"), Some(Severity::Info));
    }

    #[test]
    fn code_ids_are_unique_across_families() {
        let mut ids: Vec<&str> = Checker::Lint
            .codes()
            .into_iter()
            .chain(Checker::GlossaryCheck.codes())
            .map(|c| c.id())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn has_errors_unused_status_decides_the_exit_code() {
        let mut c = Counts::default();
        c.add(Severity::Warning);
        c.add(Severity::Info);
        assert_eq!(Status::of(&c).exit_code(), 0);
        c.add(Severity::Error);
        assert_eq!(Status::of(&c).exit_code(), 1);
        assert_eq!(Status::Failed.exit_code(), 2);
        assert!(!Status::Failed.completed());
    }
}
