//! The lint rules' codes: stable ids, default severities and descriptions. They are
//! diagnostic codes like the others, so they live with the diagnostic model; `lint` uses
//! them and adds which rules run ([`crate::lint::RuleSelection`]).

use serde::Serialize;

use super::Severity;

/// A lint rule. The ids (`term-missing`...) are stable: baselines, `--rule` and `--skip`
/// use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A glossary term of the source has none of its approved translations in the target.
    TermMissing,
    /// The target contains a forbidden variant of a glossary term.
    TermForbidden,
    /// One source term is rendered with different approved variants across the draft.
    TermInconsistent,
    /// The same source is translated differently, or the same target has different sources.
    SegmentInconsistent,
    /// The memory holds a 100% match for the source with another translation.
    MemoryMismatch,
    /// A number of the source is missing from the target.
    NumberMismatch,
    /// The target is the source, or is written in the source's script.
    Untranslated,
    /// The target is missing or blank.
    EmptyTarget,
    /// The source is blank but the target has text: a translation of nothing.
    EmptySource,
    /// The target is not written in its language's script.
    WrongScript,
    /// Punctuation that does not belong to the target language, unbalanced brackets or
    /// quotes, or a sentence end that differs from the source's.
    Punctuation,
    /// Leading, trailing, doubled spaces, or spaces inside Chinese text.
    Whitespace,
    /// Inline tags or placeholders differ between source and target.
    TagMismatch,
    /// A trilingual draft (EN, KO, ZH): the two targets disagree on a glossary concept,
    /// a number or date, or the spelling of a name of the source.
    CrossTarget,
}

/// A rule id that names no rule ([`Rule::parse_list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl std::fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        write!(f, "{:?}: no such rule (rules: {})", self.0, ids.join(", "))
    }
}

impl std::error::Error for UnknownRule {}

impl Rule {
    /// Every rule, in documentation order.
    pub const ALL: [Rule; 14] = [
        Rule::TermMissing,
        Rule::TermForbidden,
        Rule::TermInconsistent,
        Rule::SegmentInconsistent,
        Rule::MemoryMismatch,
        Rule::NumberMismatch,
        Rule::Untranslated,
        Rule::EmptyTarget,
        Rule::EmptySource,
        Rule::WrongScript,
        Rule::Punctuation,
        Rule::Whitespace,
        Rule::TagMismatch,
        Rule::CrossTarget,
    ];

    /// The stable id (`term-missing`).
    pub fn id(self) -> &'static str {
        match self {
            Rule::TermMissing => "term-missing",
            Rule::TermForbidden => "term-forbidden",
            Rule::TermInconsistent => "term-inconsistent",
            Rule::SegmentInconsistent => "segment-inconsistent",
            Rule::MemoryMismatch => "memory-mismatch",
            Rule::NumberMismatch => "number-mismatch",
            Rule::Untranslated => "untranslated",
            Rule::EmptyTarget => "empty-target",
            Rule::EmptySource => "empty-source",
            Rule::WrongScript => "wrong-script",
            Rule::Punctuation => "punctuation",
            Rule::Whitespace => "whitespace",
            Rule::TagMismatch => "tag-mismatch",
            Rule::CrossTarget => "cross-target",
        }
    }

    /// Parse a rule id.
    pub fn parse(id: &str) -> Option<Rule> {
        let id = id.trim().to_ascii_lowercase();
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Parse a list of rule ids, each item itself a comma-separated list (`["term-missing,
    /// tags", "numbers"]`, as repeated command-line options give them); empty items are
    /// ignored. The error names the first unknown id and lists the known ones.
    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<Rule>, UnknownRule> {
        items
            .iter()
            .flat_map(|s| s.as_ref().split(','))
            .filter(|s| !s.trim().is_empty())
            .map(|s| Rule::parse(s).ok_or_else(|| UnknownRule(s.to_string())))
            .collect()
    }

    /// The severity the rule reports with.
    pub fn severity(self) -> Severity {
        match self {
            Rule::TermMissing
            | Rule::TermForbidden
            | Rule::Untranslated
            | Rule::EmptyTarget
            | Rule::EmptySource
            | Rule::TagMismatch => Severity::Error,
            Rule::TermInconsistent
            | Rule::SegmentInconsistent
            | Rule::NumberMismatch
            | Rule::WrongScript
            | Rule::Punctuation
            | Rule::CrossTarget => Severity::Warning,
            Rule::MemoryMismatch | Rule::Whitespace => Severity::Info,
        }
    }

    /// One line saying what the rule checks.
    pub fn description(self) -> &'static str {
        match self {
            Rule::TermMissing => "a glossary term found in the source has none of its approved translations in the target",
            Rule::TermForbidden => "the target contains a forbidden variant of a glossary term",
            Rule::TermInconsistent => "one source term is rendered with different approved variants across the draft",
            Rule::SegmentInconsistent => "the same source is translated differently in the draft, or the same target is used for different sources",
            Rule::MemoryMismatch => "the memory holds a 100% match for the source whose translation differs from the draft",
            Rule::NumberMismatch => "a number of the source is missing from the target (numbers are compared as values)",
            Rule::Untranslated => "the target equals the source, or is written in the source's script",
            Rule::EmptyTarget => "the target is missing or only white space",
            Rule::EmptySource => "the source is empty or only white space while the target has text: a shifted row, or a source lost on the way",
            Rule::WrongScript => "a Korean target without Hangul, a Chinese target with Hangul, kana, or characters of the other Chinese script",
            Rule::Punctuation => "ASCII punctuation between Chinese characters, Chinese full stops in Korean, unbalanced brackets or quotes, a sentence end that differs from the source's",
            Rule::Whitespace => "leading, trailing or doubled spaces, spaces between Chinese characters",
            Rule::TagMismatch => "inline tags or placeholders ({0}, %s, %1$s, XLIFF inline codes, HTML-like tags) differ between source and target",
            Rule::CrossTarget => "a draft with two targets (EN, KO and ZH): a glossary concept of the source rendered in one target and missing or forbidden in the other, a number or date of one target missing from the other, a name spelled differently",
        }
    }

    /// True when the rule compares with the source (skipped for target-only drafts).
    pub fn needs_source(self) -> bool {
        !matches!(
            self,
            Rule::TermForbidden
                | Rule::WrongScript
                | Rule::Punctuation
                | Rule::Whitespace
                | Rule::EmptyTarget
                | Rule::EmptySource
        )
    }

    /// A CamelCase name (SARIF `name`).
    pub fn camel_name(self) -> String {
        crate::diag::Code::Lint(self).camel_name()
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
