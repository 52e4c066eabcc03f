//! `concord lint`: check translated drafts against glossaries, the memory, and the rules
//! of the target language.
//!
//! The shape follows linters such as typos and ripgrep: a **pure checking core** that
//! turns a [`Segment`] into [`Finding`]s ([`Linter::check`]), readers that stream segments
//! out of drafts ([`draft::read_draft`]), and the one diagnostic model of concord
//! ([`crate::diag::Diagnostic`], of which a [`Finding`] is one with a [`Rule`] for code;
//! [`Summary`]) behind every output format ([`printer`]: text, JSON, SARIF).
//!
//! ```
//! use concord::lang::LangTag;
//! use concord::lint::{Linter, Langs, RuleSelection, Segment, Rule};
//!
//! let langs = Langs { source: Some(LangTag::parse("en")?), target: LangTag::parse("ko")? };
//! let mut linter = Linter::new("draft.tsv", langs, RuleSelection::default());
//! let seg = Segment::new(1, Some("The talks began in 2019."), Some("회담은 2018년에 시작됐다."));
//! let findings = linter.check(&seg)?;
//! assert_eq!(findings[0].code, Rule::NumberMismatch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Draft-level rules (`term-inconsistent`, `segment-inconsistent`) keep per-draft state in
//! the [`Linter`]: hashes of matching keys and a line number per distinct source and
//! target, never the texts.

pub mod baseline;
pub mod checks;
mod cross;
pub mod fix;
pub use crate::formats::draft;
mod hanzi;
pub mod memory;
pub mod numbers;
pub mod particles;
pub mod printer;
pub mod rules;
pub use crate::formats::segment;
pub mod terms;

use std::collections::HashMap;

use serde::Serialize;

use crate::diag::printer::{End, Printer, Run};
use crate::diag::{Checker, Code, Counts};
pub use crate::diag::{Diagnostic, Span};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::glossary::Glossary;
use crate::lang::{ChineseScript, LangRange, LangTag};
use crate::text::match_key;

pub use checks::{Hit, Langs};
pub use draft::{read_draft, DraftEvent, DraftFormat, DraftLangs, DraftRequest};
pub use rules::{Rule, RuleSelection, Severity};
pub use segment::{SegText, Segment};
pub use terms::CompiledGlossary;

/// One finding of the linter: a [`Diagnostic`] whose code is a [`Rule`].
pub type Finding = Diagnostic;

/// What a lint run checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The draft file.
    pub file: String,
    /// Its format.
    pub format: Option<DraftFormat>,
    /// Source language.
    pub source_lang: Option<String>,
    /// Target language.
    pub target_lang: Option<String>,
    /// The second target language of a trilingual draft (checked by `cross-target`).
    pub second_target_lang: Option<String>,
    /// Segments checked.
    pub segments: u64,
    /// Error-level findings reported.
    pub errors: u64,
    /// Warnings reported.
    pub warnings: u64,
    /// Info findings reported.
    pub info: u64,
    /// Findings silenced by the baseline.
    pub silenced: u64,
    /// Reported findings per rule id.
    pub by_rule: std::collections::BTreeMap<String, u64>,
    /// Things the run could not do (a glossary without the target language...).
    pub notes: Vec<String>,
    /// What `lint --fix` changed in the draft before this run checked it ([`fix`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<fix::FixReport>,
}

impl Summary {
    /// Count a reported finding.
    pub fn count(&mut self, rule: Rule, s: Severity) {
        *self.by_rule.entry(rule.id().to_string()).or_insert(0) += 1;
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.info += 1,
        }
    }

    /// The one-line summary (`3 segments checked: 1 error, 2 warnings, 0 info`).
    pub fn line(&self) -> String {
        let pl = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut s = format!(
            "{}: {} checked: {}, {}, {}",
            self.file,
            pl(self.segments, "segment", "segments"),
            pl(self.errors, "error", "errors"),
            pl(self.warnings, "warning", "warnings"),
            format_args!("{} info", self.info),
        );
        if self.silenced > 0 {
            s += &format!(", {} silenced by the baseline", self.silenced);
        }
        s
    }
}

impl crate::diag::Summary for Summary {
    fn counts(&self) -> Counts {
        Counts {
            errors: self.errors,
            warnings: self.warnings,
            info: self.info,
        }
    }

    fn line(&self) -> String {
        Summary::line(self)
    }

    fn json_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert(
            "summary".into(),
            serde_json::to_value(self).expect("a summary serializes"),
        );
        m
    }
}

/// The language range concord uses to look a tag up in glossaries and memories: the
/// primary language, with the script for Chinese (`zh-TW` → `zh-Hant`).
pub fn lookup_range(tag: &LangTag) -> LangRange {
    let s = match tag.chinese_script() {
        Some(ChineseScript::Simplified) => "zh-Hans".to_string(),
        Some(ChineseScript::Traditional) => "zh-Hant".to_string(),
        None => tag.primary().to_string(),
    };
    LangRange::parse(&s).unwrap_or_else(|_| LangRange::parse("*").expect("* parses"))
}

/// Finds the translations a memory holds for a source text (100% matches).
pub trait TranslationLookup {
    /// The target texts of units whose source has the same matching key as `source`.
    fn translations(&mut self, source: &str) -> Result<Vec<String>>;
}

fn hash_key(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

/// The read-only part of a linter: languages, rules, recognizers. Threads share it.
struct Core<'a> {
    file: String,
    langs: Langs,
    rules: RuleSelection,
    terms: Option<std::sync::Arc<terms::TermRules<'a>>>,
    /// The memory's co-occurrence statistics, to say where a missing term went.
    align: Option<std::sync::Arc<terms::AlignStats>>,
    second: Option<Second<'a>>,
}

/// The second target of a trilingual draft, for `cross-target`.
struct Second<'a> {
    lang: LangTag,
    /// Term rules from the source to this language (`None`: no glossary, or one without
    /// this language).
    terms: Option<std::sync::Arc<terms::TermRules<'a>>>,
}

/// What the read-only pass found in one segment, before the draft-level state is applied.
struct Pre {
    hits: Vec<Hit>,
    /// Matching-key hashes of source and target, for segment-inconsistent.
    keys: Option<(u64, u64)>,
    /// Whether the segment goes on to memory-mismatch.
    memory: bool,
    uses: Vec<terms::Use>,
}

/// Segments checked in parallel per batch in [`Linter::check_batch`].
pub const BATCH: usize = 1024;

/// The checking core: one per draft. [`Linter::check`] (or [`Linter::check_batch`]) is
/// called for the segments in draft order, then [`Linter::finish`].
pub struct Linter<'a> {
    core: Core<'a>,
    memory: Option<Box<dyn TranslationLookup + 'a>>,
    uses: terms::TermUses,
    /// Source key hash → (target key hash, line) of its first translation.
    by_source: HashMap<u64, (u64, u64)>,
    /// Target key hash → (source key hash, line) of its first source.
    by_target: HashMap<u64, (u64, u64)>,
    segments: u64,
    threads: usize,
}

impl<'a> Linter<'a> {
    /// A linter for a draft `file` in `langs`, running the selected rules.
    pub fn new(file: impl Into<String>, langs: Langs, rules: RuleSelection) -> Linter<'a> {
        Linter {
            core: Core {
                file: file.into(),
                langs,
                rules,
                terms: None,
                align: None,
                second: None,
            },
            memory: None,
            uses: terms::TermUses::default(),
            by_source: HashMap::new(),
            by_target: HashMap::new(),
            segments: 0,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8),
        }
    }

    /// Use a memory for `memory-mismatch`.
    pub fn with_memory(mut self, lookup: Box<dyn TranslationLookup + 'a>) -> Linter<'a> {
        self.memory = Some(lookup);
        self
    }

    /// Use a glossary for the term rules (recognizers for the draft's languages are built
    /// here, once).
    pub fn with_glossary(mut self, glossary: &'a Glossary) -> Linter<'a> {
        let src = self.core.langs.source.as_ref().map(lookup_range);
        let tgt = lookup_range(&self.core.langs.target);
        self.core.terms = Some(std::sync::Arc::new(terms::TermRules::new(
            glossary,
            src.as_ref(),
            &tgt,
        )));
        self
    }

    /// Use term rules built before (by [`CompiledGlossary::rules`] for this draft's
    /// languages: `source` and `target` through [`lookup_range`]), shared with other
    /// drafts.
    pub fn with_term_rules(mut self, rules: std::sync::Arc<terms::TermRules<'a>>) -> Linter<'a> {
        self.core.terms = Some(rules);
        self
    }

    /// Learn from the units of `memory` in the draft's language pair where missing terms
    /// went ([`terms::AlignStats`], bounded in units, pairs and time): `term-missing` then
    /// says what the target has instead of an approved rendering. Call it after the term
    /// rules are set ([`Linter::with_glossary`], [`Linter::with_term_rules`]); without
    /// them, or for a target-only draft, it does nothing.
    pub fn with_alignment_from(mut self, memory: &crate::store::Memory) -> Result<Linter<'a>> {
        let (Some(t), Some(src)) = (self.core.terms.as_ref(), self.core.langs.source.as_ref())
        else {
            return Ok(self);
        };
        let (s, tg) = (lookup_range(src), lookup_range(&self.core.langs.target));
        let stats = memory::learn_alignment(memory, t, &s, &tg)?;
        self.core.align = Some(std::sync::Arc::new(stats));
        Ok(self)
    }

    /// [`Linter::with_alignment_from`] with statistics kept across runs: those `kept`
    /// holds for this draft's language pair, learned from `memory` by the first run that
    /// needs them. `kept` must be current with `memory` and with the glossary of the
    /// term rules (`concord serve` keeps one per generation of both).
    pub fn with_alignment_kept(
        mut self,
        memory: &crate::store::Memory,
        kept: &memory::Alignments,
    ) -> Result<Linter<'a>> {
        let (Some(t), Some(src)) = (self.core.terms.as_ref(), self.core.langs.source.as_ref())
        else {
            return Ok(self);
        };
        let (s, tg) = (lookup_range(src), lookup_range(&self.core.langs.target));
        self.core.align = Some(kept.stats(memory, t, &s, &tg)?);
        Ok(self)
    }

    /// Check the drafts' second target (a trilingual draft: [`Segment::second`]) in
    /// language `lang` against the target (`cross-target`), with term rules from the
    /// source to `lang` when there is a glossary (built by [`CompiledGlossary::rules`] or
    /// [`terms::TermRules::new`]; without them only numbers and names are compared).
    pub fn with_second_target(
        mut self,
        lang: LangTag,
        terms: Option<std::sync::Arc<terms::TermRules<'a>>>,
    ) -> Linter<'a> {
        self.core.second = Some(Second { lang, terms });
        self
    }

    /// Check batches with this many threads (default: the machine's cores, at most 8).
    pub fn with_threads(mut self, threads: usize) -> Linter<'a> {
        self.threads = threads.max(1);
        self
    }

    /// The findings that need the whole draft (term-inconsistent), after the last
    /// segment.
    pub fn finish(&mut self) -> Vec<Finding> {
        match (&self.core.terms, self.core.rules.on(Rule::TermInconsistent)) {
            (Some(t), true) => self.uses.finish(t, &self.core.file),
            _ => Vec::new(),
        }
    }

    /// The languages.
    pub fn langs(&self) -> &Langs {
        &self.core.langs
    }

    /// Segments checked so far.
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Check one segment.
    pub fn check(&mut self, seg: &Segment) -> Result<Vec<Finding>> {
        let pre = self.core.pre(seg);
        self.apply(seg, pre)
    }

    /// Check segments in draft order, the per-segment rules on several threads; the
    /// result is the same as calling [`Linter::check`] on each in turn.
    pub fn check_batch(&mut self, segs: &[Segment]) -> Result<Vec<Vec<Finding>>> {
        let pres: Vec<Pre> = if self.threads <= 1 || segs.len() < 64 {
            segs.iter().map(|s| self.core.pre(s)).collect()
        } else {
            let core = &self.core;
            let chunk = segs.len().div_ceil(self.threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = segs
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || part.iter().map(|s| core.pre(s)).collect::<Vec<Pre>>())
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("a lint thread panicked"))
                    .collect()
            })
        };
        segs.iter()
            .zip(pres)
            .map(|(seg, pre)| self.apply(seg, pre))
            .collect()
    }

    /// The draft-level part, in draft order.
    fn apply(&mut self, seg: &Segment, pre: Pre) -> Result<Vec<Finding>> {
        self.segments += 1;
        let Pre {
            mut hits,
            keys,
            memory,
            uses,
        } = pre;
        self.uses.record(uses);
        if let Some((sk, tk)) = keys {
            hits.extend(self.consistency(seg.line, sk, tk));
        }
        if memory {
            if let (Some(m), Some(s), Some(t)) = (
                self.memory.as_mut(),
                seg.source.as_ref(),
                seg.target.as_ref(),
            ) {
                let found = m.translations(&s.text)?;
                if !found.is_empty() {
                    let tk = match_key(&t.text);
                    if !found.iter().any(|f| match_key(f) == tk) {
                        hits.push(
                            Hit::new(
                                Rule::MemoryMismatch,
                                format!(
                                    "the memory translates this source differently ({} match{}): check whether its translation fits",
                                    found.len(),
                                    if found.len() == 1 { "" } else { "es" }
                                ),
                            )
                            .suggest(found[0].clone()),
                        );
                    }
                }
            }
        }
        Ok(hits
            .into_iter()
            .map(|h| self.core.finding(seg, h))
            .collect())
    }

    fn consistency(&mut self, line: u64, sk: u64, tk: u64) -> Vec<Hit> {
        let by_source = first_pairing(&mut self.by_source, sk, tk, line).map(|l| {
            Hit::new(
                Rule::SegmentInconsistent,
                format!(
                    "the same source was translated differently at line {l}: use one translation"
                ),
            )
            .detail("source")
        });
        let by_target = first_pairing(&mut self.by_target, tk, sk, line).map(|l| {
            Hit::new(
                Rule::SegmentInconsistent,
                format!("the same target translates a different source at line {l}: check that both are right"),
            )
            .detail("target")
        });
        by_source.into_iter().chain(by_target).collect()
    }
}

impl Core<'_> {
    fn on(&self, rule: Rule, has_source: bool) -> bool {
        self.rules.on(rule) && (has_source || !rule.needs_source())
    }

    /// The per-segment rules (no draft state).
    fn pre(&self, seg: &Segment) -> Pre {
        let mut pre = Pre {
            hits: Vec::new(),
            keys: None,
            memory: false,
            uses: Vec::new(),
        };
        let src = seg.source.as_ref().filter(|s| !s.is_blank());
        let has_source = src.is_some();
        if self.on(Rule::EmptyTarget, has_source) {
            if let Some(h) = checks::empty_target(seg.source.as_ref(), seg.target.as_ref()) {
                pre.hits.push(h);
            }
        }
        if self.rules.on(Rule::EmptySource) {
            if let Some(h) = checks::empty_source(seg.source.as_ref(), seg.target.as_ref()) {
                pre.hits.push(h);
            }
        }
        let Some(tgt) = seg.target.as_ref().filter(|t| !t.is_blank()) else {
            return pre;
        };
        let source_text = src.map(|s| s.text.as_str());
        if let Some(s) = src {
            if self.on(Rule::Untranslated, true) {
                if let Some(h) = checks::untranslated(&s.text, &tgt.text, &self.langs) {
                    pre.hits.push(h);
                    // The other rules would only repeat it.
                    return pre;
                }
            }
        }
        if self.on(Rule::WrongScript, has_source) {
            pre.hits
                .extend(checks::wrong_script(&tgt.text, &self.langs));
        }
        if self.on(Rule::Punctuation, has_source) {
            pre.hits
                .extend(checks::punctuation(source_text, &tgt.text, &self.langs));
        }
        if self.on(Rule::Whitespace, has_source) {
            pre.hits
                .extend(checks::whitespace(source_text, &tgt.text, &self.langs));
        }
        let on = (
            self.on(Rule::TermForbidden, has_source),
            self.on(Rule::TermMissing, has_source),
            self.on(Rule::TermInconsistent, has_source),
        );
        if let Some(t) = self.terms.as_ref().filter(|_| on.0 || on.1 || on.2) {
            let (hits, uses) = t.check_with(seg, source_text, &tgt.text, on, self.align.as_deref());
            pre.hits.extend(hits);
            pre.uses = uses;
        }
        if let Some(s) = src {
            if self.on(Rule::TagMismatch, true) {
                pre.hits.extend(checks::tag_mismatch(s, tgt));
            }
            if self.on(Rule::NumberMismatch, true) {
                pre.hits.extend(self.number_hits(&s.text, &tgt.text));
            }
            if self.on(Rule::SegmentInconsistent, true) {
                pre.keys = Some((
                    hash_key(&match_key(&s.text)),
                    hash_key(&match_key(&tgt.text)),
                ));
            }
            pre.memory = self.on(Rule::MemoryMismatch, true);
            if self.on(Rule::CrossTarget, true) {
                pre.hits.extend(self.cross_hits(seg, &s.text, &tgt.text));
            }
        }
        pre
    }

    /// `cross-target`: the segment's two targets against each other (trilingual drafts).
    fn cross_hits(&self, seg: &Segment, source: &str, target: &str) -> Vec<Hit> {
        let (Some(second), Some(text)) = (
            self.second.as_ref(),
            seg.second.as_ref().filter(|t| !t.is_blank()),
        ) else {
            return Vec::new();
        };
        let family = self
            .langs
            .source
            .as_ref()
            .map(|t| t.family())
            .unwrap_or("en");
        let texts = cross::Texts {
            source: (source, family),
            first: (target, &self.langs.target),
            second: (&text.text, &second.lang),
        };
        let terms = match (&self.terms, &second.terms) {
            (Some(a), Some(b)) => Some((&**a, &**b)),
            _ => None,
        };
        cross::check(&texts, terms)
    }

    fn number_hits(&self, source: &str, target: &str) -> Vec<Hit> {
        let sf = self
            .langs
            .source
            .as_ref()
            .map(|t| t.family())
            .unwrap_or("en");
        let mut s = numbers::extract(source, sf, numbers::Side::Source);
        // Digits inside placeholders ({0}, %1$s) are tag-mismatch's business.
        let ph = checks::placeholders(source);
        s.retain(|n| !ph.iter().any(|p| n.start >= p.start && n.end <= p.end));
        let family = self.langs.target.family();
        let t = numbers::extract(target, family, numbers::Side::Target);
        let mut hits: Vec<Hit> = numbers::missing_in(source, &s, target, &t)
            .into_iter()
            .map(|i| {
                let n = &s[i];
                let written: String = source.chars().skip(n.start).take(n.end - n.start).collect();
                let value = numbers::format_value(n.values[0]);
                let shown = if match_key(&written).replace(',', "") == value {
                    written.clone()
                } else {
                    format!("{written} (= {value})")
                };
                Hit::new(
                    Rule::NumberMismatch,
                    format!("the number {shown} of the source is not in the target: check it"),
                )
                .source(n.start, n.end)
                .detail(value)
            })
            .collect();
        // Dates: the months the target writes against the source's month names.
        for (m, day) in numbers::month_mismatches(source, target, family) {
            let (start, end) = if day {
                m.day_span.unwrap_or((m.start, m.end))
            } else {
                (m.start, m.end)
            };
            if hits
                .iter()
                .any(|h| h.source_span.is_some_and(|(a, b)| a < end && start < b))
            {
                continue;
            }
            let written: String = source.chars().skip(start).take(end - start).collect();
            let (message, detail) = if day {
                (
                    format!("the day {written} of the date is not the day the target gives that month: check it"),
                    format!("day\u{1}{}\u{1}{written}", m.month),
                )
            } else {
                (
                    format!("the month {written} (= {}) of the source is not among the months of the target: check it", m.month),
                    format!("month\u{1}{}", m.month),
                )
            };
            hits.push(
                Hit::new(Rule::NumberMismatch, message)
                    .source(start, end)
                    .detail(detail),
            );
        }
        hits
    }

    fn finding(&self, seg: &Segment, h: Hit) -> Finding {
        let span = |t: Option<&SegText>, sp: Option<(usize, usize)>| -> Option<Span> {
            let (t, (s, e)) = (t?, sp?);
            let (line, column) = t.position(s);
            Some(Span {
                start: s,
                end: e,
                line,
                column,
                text: t.text.chars().skip(s).take(e.saturating_sub(s)).collect(),
            })
        };
        let target_span = span(seg.target.as_ref(), h.target_span);
        let source_span = span(seg.source.as_ref(), h.source_span);
        let second_span = span(seg.second.as_ref(), h.second_span);
        // The place to fix: the target's span, else the second target's, else the source's.
        let (line, column) = match (target_span.as_ref().or(second_span.as_ref()), &source_span) {
            (Some(t), _) => (t.line, t.column),
            (None, Some(s)) => (s.line, s.column),
            _ => seg
                .target
                .as_ref()
                .or(seg.source.as_ref())
                .map(|t| t.position(0))
                .unwrap_or((seg.line, 1)),
        };
        let source = seg.source.as_ref().map(|s| s.text.clone());
        let target = seg.target.as_ref().map(|t| t.text.clone());
        let fingerprint = fingerprint(h.rule, source.as_deref(), target.as_deref(), &h.detail);
        // The second target is shown with the findings that compare with it.
        let second_target = (h.rule == Rule::CrossTarget)
            .then(|| seg.second.as_ref().map(|t| t.text.clone()))
            .flatten();
        Finding {
            code: Code::Lint(h.rule),
            severity: h.rule.severity(),
            message: h.message,
            location: Location {
                path: self.file.clone().into(),
                line: Some(line),
                column: Some(column),
            },
            segment: Some(seg.number),
            segment_id: seg.id.clone(),
            source_span,
            target_span,
            suggestion: h.suggestion,
            source,
            target,
            second_target,
            second_target_span: second_span,
            fingerprint,
        }
    }
}

/// Segment consistency in one direction: `key` (a source or target hash) was first seen
/// paired with some other hash; if that differs from `other`, the line of the first
/// pairing. The first pairing of a key is remembered.
fn first_pairing(
    seen: &mut HashMap<u64, (u64, u64)>,
    key: u64,
    other: u64,
    line: u64,
) -> Option<u64> {
    match seen.get(&key) {
        Some(&(o, l)) if o != other => Some(l),
        Some(_) => None,
        None => {
            seen.insert(key, (other, line));
            None
        }
    }
}

/// The fingerprint of a finding: XXH3-64 of the rule id, the matching keys of source and
/// target, and the finding's detail, as 16 hex digits. It does not depend on the
/// segment's position, so it survives reordering and edits elsewhere in the draft.
pub fn fingerprint(rule: Rule, source: Option<&str>, target: Option<&str>, detail: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(rule.id().as_bytes());
    h.update(&[0]);
    h.update(match_key(source.unwrap_or("")).as_bytes());
    h.update(&[0]);
    h.update(match_key(target.unwrap_or("")).as_bytes());
    h.update(&[0]);
    h.update(detail.as_bytes());
    format!("{:016x}", h.digest())
}

/// What a lint run uses besides the draft.
#[derive(Default)]
pub struct Resources<'a> {
    /// The memory, for `memory-mismatch` and for `term-missing` (where a missing term
    /// went is learned from its units, see [`terms::AlignStats`]).
    pub memory: Option<&'a crate::store::Memory>,
    /// The glossary, for the term rules.
    pub glossary: Option<&'a Glossary>,
    /// True when the user named the glossary (`--glossary`): a glossary without the
    /// draft's target language is then an error, not a note.
    pub glossary_required: bool,
    /// Threads for the per-segment rules (0: one per core, at most 8).
    pub threads: usize,
    /// The glossary's term rules compiled before and kept across runs (made from
    /// `glossary`, which must then be `compiled.glossary()`); without it, each run builds
    /// the rules it needs.
    pub compiled: Option<&'a CompiledGlossary>,
    /// Learn from the memory's units where missing terms went (`term-missing` then names
    /// the target's rendering, see [`terms::AlignStats`]); this reads the memory once per
    /// run, bounded by [`terms::align::MAX_LEARN_TIME`]. The CLI sets it; `concord serve`
    /// learns them through `alignments` instead, once per state of the memory.
    pub learn_alignment: bool,
    /// The memory's alignment statistics kept across runs (current with `memory` and with
    /// the glossary); when set, `term-missing` uses them (learning them on first use)
    /// whatever `learn_alignment` says.
    pub alignments: Option<&'a memory::Alignments>,
    /// The memory's 100%-match indexes kept across runs (current with `memory`); without
    /// it, each run builds the index of its source language.
    pub lookups: Option<&'a memory::SourceIndexes>,
}

/// Lint a draft: read it, check every segment, and hand every finding that passes the
/// rule selection and the baseline to `printer`. Returns the summary (also given to
/// `printer.end`). When the run cannot complete (a malformed draft, an output error), the
/// printer is still ended, with the error, so that JSON and SARIF documents are whole and
/// say that the run did not complete.
pub fn run(
    req: &DraftRequest,
    res: &Resources<'_>,
    rules: &RuleSelection,
    baseline: Option<&baseline::Baseline>,
    printer: &mut dyn Printer,
) -> Result<Summary> {
    run_with(req, res, rules, baseline, printer, None)
}

/// [`run`] on a draft that [`fix::fix`] has just rewritten: the findings are those left,
/// and the summary carries the fix's report (`summary.fix` in JSON).
pub fn run_after_fix(
    req: &DraftRequest,
    res: &Resources<'_>,
    rules: &RuleSelection,
    baseline: Option<&baseline::Baseline>,
    printer: &mut dyn Printer,
    report: fix::FixReport,
) -> Result<Summary> {
    run_with(req, res, rules, baseline, printer, Some(report))
}

fn run_with(
    req: &DraftRequest,
    res: &Resources<'_>,
    rules: &RuleSelection,
    baseline: Option<&baseline::Baseline>,
    printer: &mut dyn Printer,
    fixed: Option<fix::FixReport>,
) -> Result<Summary> {
    let file = req.path.display().to_string();
    let mut summary = Summary {
        file: file.clone(),
        format: req.resolved_format().ok(),
        fix: fixed,
        ..Summary::default()
    };
    let io = |e: std::io::Error| Error::io("<output>", e);
    printer
        .begin(&Run {
            checker: Checker::Lint,
            file: file.clone(),
        })
        .map_err(io)?;
    let result = lint_into(req, res, rules, baseline, &mut *printer, &mut summary);
    let message = result.as_ref().err().map(|e| e.to_string());
    let ended = printer.end(&End {
        summary: &summary,
        error: message.as_deref(),
    });
    result?;
    ended.map_err(io)?;
    Ok(summary)
}

/// The work of [`run`] between `begin` and `end`.
fn lint_into(
    req: &DraftRequest,
    res: &Resources<'_>,
    rules: &RuleSelection,
    baseline: Option<&baseline::Baseline>,
    printer: &mut dyn Printer,
    summary: &mut Summary,
) -> Result<()> {
    let file = summary.file.clone();
    let io = |e: std::io::Error| Error::io("<output>", e);
    let mut linter: Option<Linter<'_>> = None;
    let mut batch: Vec<Segment> = Vec::with_capacity(BATCH);
    // Rules below the minimum severity do not run (`RuleSelection::on`), so every
    // finding that reaches here is reported unless the baseline silences it.
    let report = |f: Finding, summary: &mut Summary, printer: &mut dyn Printer| {
        if baseline.map(|b| b.contains(&f)).unwrap_or(false) {
            summary.silenced += 1;
            return Ok(());
        }
        if let Some(rule) = f.rule() {
            summary.count(rule, f.severity);
        }
        printer.diagnostic(&f).map_err(io)
    };
    let flush = |lt: &mut Linter<'_>,
                 batch: &mut Vec<Segment>,
                 summary: &mut Summary,
                 printer: &mut dyn Printer|
     -> Result<()> {
        for findings in lt.check_batch(batch)? {
            for f in findings {
                report(f, summary, printer)?;
            }
        }
        batch.clear();
        Ok(())
    };
    read_draft(req, |ev| {
        match ev {
            DraftEvent::Start(l) => {
                summary.source_lang = l.source.as_ref().map(|t| t.to_string());
                summary.target_lang = Some(l.target.to_string());
                summary.second_target_lang = l.second.as_ref().map(|t| t.to_string());
                let langs = Langs {
                    source: l.source.clone(),
                    target: l.target.clone(),
                };
                let mut lt = Linter::new(file.clone(), langs, rules.clone());
                if res.threads > 0 {
                    lt = lt.with_threads(res.threads);
                }
                if let Some(g) = res.glossary {
                    let range = lookup_range(&l.target);
                    if g.has_language(&range) {
                        lt = match res.compiled {
                            Some(c) => {
                                debug_assert!(std::ptr::eq(&**c.glossary(), g));
                                let src = l.source.as_ref().map(lookup_range);
                                lt.with_term_rules(c.rules(src.as_ref(), &range))
                            }
                            None => lt.with_glossary(g),
                        };
                    } else {
                        let have: Vec<String> =
                            g.languages().iter().map(|t| t.to_string()).collect();
                        let msg =
                            format!(
                            "the glossary has no {} terms (it has {}): the term rules cannot run",
                            l.target,
                            if have.is_empty() { "none".to_string() } else { have.join(", ") }
                        );
                        if res.glossary_required {
                            return Err(Error::new(ErrorKind::NoData, msg));
                        }
                        summary.notes.push(msg);
                    }
                }
                if let Some(second) = &l.second {
                    let range = lookup_range(second);
                    let src = l.source.as_ref().map(lookup_range);
                    let terms = match res.glossary {
                        Some(g)
                            if g.has_language(&range)
                                && g.has_language(&lookup_range(&l.target)) =>
                        {
                            Some(match res.compiled {
                                Some(c) => c.rules(src.as_ref(), &range),
                                None => std::sync::Arc::new(terms::TermRules::new(
                                    g,
                                    src.as_ref(),
                                    &range,
                                )),
                            })
                        }
                        _ => None,
                    };
                    lt = lt.with_second_target(second.clone(), terms);
                }
                if let (Some(mem), Some(src)) = (res.memory, l.source.as_ref()) {
                    if rules.on(Rule::MemoryMismatch) {
                        let mut lookup = memory::MemoryLookup::new(
                            mem,
                            lookup_range(src),
                            lookup_range(&l.target),
                        );
                        if let Some(kept) = res.lookups {
                            lookup = lookup.with_index(kept.index(mem, &lookup_range(src))?);
                        }
                        lt = lt.with_memory(Box::new(lookup));
                    }
                    if rules.on(Rule::TermMissing) {
                        if let Some(kept) = res.alignments {
                            lt = lt.with_alignment_kept(mem, kept)?;
                        } else if res.learn_alignment {
                            lt = lt.with_alignment_from(mem)?;
                        }
                    }
                }
                linter = Some(lt);
            }
            DraftEvent::Segment(seg) => {
                if linter.is_none() {
                    return Err(Error::new(
                        ErrorKind::Internal,
                        "a segment before the draft's languages",
                    ));
                }
                batch.push(seg);
                if batch.len() >= BATCH {
                    let lt = linter.as_mut().expect("checked above");
                    flush(lt, &mut batch, summary, &mut *printer)?;
                }
            }
        }
        Ok(())
    })?;
    if let Some(lt) = linter.as_mut() {
        flush(lt, &mut batch, summary, &mut *printer)?;
        for f in lt.finish() {
            report(f, summary, &mut *printer)?;
        }
    }
    summary.segments = linter.as_ref().map(|l| l.segments()).unwrap_or(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linter(s: &str, t: &str) -> Linter<'static> {
        Linter::new(
            "t",
            Langs {
                source: Some(LangTag::parse(s).unwrap()),
                target: LangTag::parse(t).unwrap(),
            },
            RuleSelection::default(),
        )
    }

    fn rules_of(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.code.id()).collect()
    }

    #[test]
    fn clean_segment_gives_nothing() {
        let mut l = linter("en", "ko");
        let f = l
            .check(&Segment::new(
                1,
                Some("The two ministers met in Seoul on 5 March 2019."),
                Some("양국 장관은 2019년 3월 5일 서울에서 만났다."),
            ))
            .unwrap();
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn empty_and_untranslated_stop_other_rules() {
        let mut l = linter("en", "ko");
        let f = l
            .check(&Segment::new(1, Some("We met 3 times."), None))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["empty-target"]);
        let f = l
            .check(&Segment::new(
                2,
                Some("We met 3 times."),
                Some("We met 3 times."),
            ))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["untranslated"]);
    }

    #[test]
    fn segment_inconsistent_both_directions() {
        let mut l = linter("en", "ko");
        assert!(l
            .check(&Segment::new(1, Some("Thank you."), Some("감사합니다.")))
            .unwrap()
            .is_empty());
        let f = l
            .check(&Segment::new(2, Some("Thank you."), Some("고맙습니다.")))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["segment-inconsistent"]);
        assert!(f[0].message.contains("line 1"));
        let f = l
            .check(&Segment::new(3, Some("Thanks a lot."), Some("감사합니다.")))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["segment-inconsistent"]);
        // The same pair again is consistent.
        assert!(l
            .check(&Segment::new(4, Some("Thank you."), Some("감사합니다.")))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn target_only_runs_target_rules() {
        let mut l = Linter::new(
            "t",
            Langs {
                source: None,
                target: LangTag::parse("zh").unwrap(),
            },
            RuleSelection::default(),
        );
        let f = l
            .check(&Segment::new(1, None, Some("两国外长会晤,并发表声明.")))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["punctuation", "punctuation"]);
    }

    #[test]
    fn batches_on_threads_give_what_one_by_one_gives() {
        let rows = [
            ("Thank you.", "감사합니다."),
            ("We met 3 times in 2019.", "우리는 2018년에 세 번 만났다."),
            ("Thank you.", "고맙습니다."),
            ("Delete {0} files", "파일 삭제"),
            ("They met.", "그들은 만났다。"),
            ("Hello there my friend.", ""),
        ];
        let segs: Vec<Segment> = (0..300)
            .map(|i| {
                let (s, t) = rows[i % rows.len()];
                Segment::new(i as u64 + 1, Some(s), Some(t))
            })
            .collect();
        let mut one = linter("en", "ko").with_threads(1);
        let expected: Vec<Vec<Finding>> = segs.iter().map(|s| one.check(s).unwrap()).collect();
        let mut many = linter("en", "ko").with_threads(4);
        let mut got = many.check_batch(&segs[..100]).unwrap();
        got.extend(many.check_batch(&segs[100..]).unwrap());
        assert_eq!(got, expected);
        assert_eq!(many.segments(), 300);
    }

    #[test]
    fn fingerprints_ignore_position_but_not_text() {
        let a = fingerprint(
            Rule::NumberMismatch,
            Some("In 2019."),
            Some("2018년."),
            "2019",
        );
        let b = fingerprint(
            Rule::NumberMismatch,
            Some("in  2019."),
            Some("2018년."),
            "2019",
        );
        let c = fingerprint(
            Rule::NumberMismatch,
            Some("In 2019."),
            Some("2017년."),
            "2019",
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn finding_positions() {
        let mut l = linter("en", "zh");
        let mut seg = Segment::new(7, Some("We agree."), Some("我们同意."));
        seg.target = Some(SegText::at("我们同意.", 9, 4));
        let f = l.check(&seg).unwrap();
        assert_eq!((f[0].line(), f[0].column()), (9, 8));
        assert_eq!(f[0].target_span.as_ref().unwrap().text, ".");
        assert_eq!(f[0].suggestion.as_deref(), Some("。"));
    }

    #[test]
    fn min_severity_checks_that_could_never_be_true() {
        // `run` dropped findings below the minimum severity, but `RuleSelection::new` had
        // already left those rules out, so the checks never fired, while a selection
        // built by hand ran them anyway. The minimum is now applied once, by
        // `RuleSelection::on`, for every way of building a selection.
        let by_hand = RuleSelection {
            enabled: Rule::ALL.to_vec(),
            min_severity: Severity::Warning,
        };
        assert!(!by_hand.on(Rule::Whitespace) && !by_hand.on(Rule::MemoryMismatch));
        let mut l = Linter::new(
            "t",
            Langs {
                source: Some(LangTag::parse("en").unwrap()),
                target: LangTag::parse("ko").unwrap(),
            },
            by_hand,
        );
        let f = l
            .check(&Segment::new(1, Some("We met."), Some("우리는  만났다.")))
            .unwrap();
        assert!(f.iter().all(|f| f.severity >= Severity::Warning), "{f:#?}");
        let mut all = linter("en", "ko");
        let f = all
            .check(&Segment::new(1, Some("We met."), Some("우리는  만났다.")))
            .unwrap();
        assert_eq!(rules_of(&f), vec!["whitespace"]);
    }

    #[test]
    fn location_column_is_filled() {
        // `Location.column` was never set; lint findings carry it now, in the location
        // every printer reads.
        let mut l = linter("en", "zh");
        let mut seg = Segment::new(7, Some("We agree."), Some("我们同意."));
        seg.target = Some(SegText::at("我们同意.", 9, 4));
        let f = l.check(&seg).unwrap();
        assert_eq!(f[0].location.line, Some(9));
        assert_eq!(f[0].location.column, Some(8));
        assert_eq!(f[0].to_string(), format!("t:9:8: {}", f[0].message));
        let v = serde_json::to_value(&f[0]).unwrap();
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(9), Some(8))
        );
        assert_eq!(v["code"], v["rule"]);
    }

    #[test]
    fn a_failed_run_still_ends_the_printer() {
        use crate::diag::printer::{Collect, JsonPrinter};
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("d.tsv");
        std::fs::write(&p, "en\tko\nThank you.\t감사합니다.\nHello\n").unwrap();
        let req = DraftRequest::file(p);
        let mut c = Collect::new();
        let e = run(
            &req,
            &Resources::default(),
            &RuleSelection::default(),
            None,
            &mut c,
        );
        assert!(e.is_err());
        assert_eq!(c.status, Some(crate::diag::Status::Failed));
        assert!(
            c.error.as_deref().unwrap().contains("d.tsv:3"),
            "{:?}",
            c.error
        );
        let mut buf = Vec::new();
        let mut j = JsonPrinter::new(&mut buf);
        assert!(run(
            &req,
            &Resources::default(),
            &RuleSelection::default(),
            None,
            &mut j
        )
        .is_err());
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["completed"], false);
        assert!(v["error"].as_str().unwrap().contains("d.tsv:3"));
    }

    /// The server compiles the glossary's term rules and the memory's 100% index once and
    /// shares them between drafts (it used to build both for every request: 1.7 s per
    /// lint at 100,000 units); shared or not, the findings are the same.
    #[test]
    fn shared_term_rules_and_memory_index_find_what_per_draft_ones_find() {
        use crate::diag::printer::Collect;
        use crate::unit::{Unit, Variant};
        let tag = |s: &str| LangTag::parse(s).unwrap();
        let g = std::sync::Arc::new(
            Glossary::from_csv_str(
                "id,en,ko,ko:forbidden\ndprk,DPRK|North Korea,북한,북조선\nfm,Foreign Minister,외교부 장관,\n",
                std::path::Path::new("g.csv"),
                &crate::formats::glossary::CsvOptions::default(),
            )
            .unwrap(),
        );
        let mut m = crate::store::Memory::open_in_memory().unwrap();
        m.import(&["t"], |imp| {
            imp.add(Unit::new(vec![
                Variant::new(tag("en"), "The talks were constructive."),
                Variant::new(tag("ko"), "회담은 건설적이었다."),
            ]))?;
            Ok(())
        })
        .unwrap();
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("d.tsv");
        std::fs::write(
            &p,
            "en\tko\nThe DPRK envoy met the Foreign Minister.\t북조선 특사가 장관을 만났다.\n\
             The talks were constructive.\t회담은 유익했다.\nNorth Korea agreed.\t북한이 동의했다.\n",
        )
        .unwrap();
        let req = DraftRequest::file(p);
        let compiled = CompiledGlossary::new(std::sync::Arc::clone(&g));
        let lookups = memory::SourceIndexes::new();
        let lint = |shared: bool| {
            let res = Resources {
                memory: Some(&m),
                glossary: Some(&g),
                glossary_required: true,
                threads: 1,
                compiled: shared.then_some(&compiled),
                lookups: shared.then_some(&lookups),
                learn_alignment: true,
                alignments: None,
            };
            let mut c = Collect::new();
            run(&req, &res, &RuleSelection::default(), None, &mut c).unwrap();
            c.diagnostics
                .iter()
                .map(|f| serde_json::to_string(f).unwrap())
                .collect::<Vec<_>>()
        };
        let alone = lint(false);
        for rule in ["term-forbidden", "term-missing", "memory-mismatch"] {
            assert!(
                alone.iter().any(|f| f.contains(rule)),
                "{rule} not found: {alone:#?}"
            );
        }
        assert_eq!(lint(true), alone);
        // Twice: the second run uses what the first one built.
        assert_eq!(lint(true), alone);
    }
}
