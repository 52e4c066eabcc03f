//! Sentence segmentation for English, Korean and Chinese, driven by SRX 2.0 rules.
//!
//! The rules are data, not code: [`Rules::default`] reads `default.srx` (shipped inside the
//! library), and a user's SRX file can be put in front of it ([`Rules::extended_by`]) or used
//! alone ([`Rules::from_srx_file`]).
//!
//! The model is ICU's sentence-break model expressed as SRX: at each position of a paragraph
//! the language's rules are tried in order, and the first rule whose `<beforebreak>` matches
//! text ending at the position and whose `<afterbreak>` matches text starting there decides.
//! Exceptions (`break="no"`: `Mr.`, `U.S. President`, `2022. 2. 21.`, `"Why?" he asked`) come
//! before the breaks (`. ? !` and closing quotes before white space; `。！？；……` and their
//! closing brackets with no space needed). A position no rule matches is not a break.
//!
//! ```
//! use concord::lang::LangTag;
//! use concord::segment::{Rules, Segmenter};
//!
//! let rules = Rules::default();
//! let en = Segmenter::new(&rules, &LangTag::parse("en")?);
//! assert_eq!(
//!     en.sentences("H.E. Mr. Park met U.S. President Biden. They spoke for an hour."),
//!     ["H.E. Mr. Park met U.S. President Biden.", "They spoke for an hour."]
//! );
//! let zh = Segmenter::new(&rules, &LangTag::parse("zh")?);
//! assert_eq!(zh.sentences("他说：“会谈很好。”双方同意。"), ["他说：“会谈很好。”", "双方同意。"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::Range;

use regex::Regex;

use crate::lang::LangTag;

pub mod words;

/// The default rules, as shipped.
pub const DEFAULT_SRX: &str = include_str!("default.srx");

/// One SRX rule: a break or an exception.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `break="yes"` (a break) or `break="no"` (an exception).
    pub is_break: bool,
    /// A soft boundary (`concord:soft="yes"`, written `break="no"`): where a sentence may
    /// end without punctuation (a headline run into the next sentence). Soft rules are a
    /// class of their own: they are tried, in order, only at positions where no other
    /// rule matched.
    pub(crate) soft: bool,
    /// A weak soft boundary (`concord:soft="weak"`): a weaker cue, which the aligner
    /// cuts at only with more evidence than at an ordinary soft boundary.
    pub(crate) weak: bool,
    pub(crate) before: Regex,
    pub(crate) after: Regex,
    pub(crate) before_src: String,
    pub(crate) after_src: String,
}

impl Rule {
    /// The `<beforebreak>` pattern as written.
    pub fn before(&self) -> &str {
        &self.before_src
    }

    /// The `<afterbreak>` pattern as written.
    pub fn after(&self) -> &str {
        &self.after_src
    }

    /// True for a soft-boundary rule.
    pub fn is_soft(&self) -> bool {
        self.soft
    }

    /// True for a weak soft-boundary rule (`concord:soft="weak"`).
    pub fn is_weak(&self) -> bool {
        self.weak
    }
}

/// A `<languagemap>` resolved to its rules.
#[derive(Debug, Clone)]
pub(crate) struct LanguageMap {
    pub(crate) pattern: Regex,
    pub(crate) pattern_src: String,
    pub(crate) name: String,
    pub(crate) rules: Vec<Rule>,
}

/// One SRX document's map rules: its `cascade` flag and its maps, in file order.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) cascade: bool,
    pub(crate) maps: Vec<LanguageMap>,
}

/// A set of segmentation rules: one SRX document, or a user's in front of ours.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Tried in order; each document follows its own `cascade` flag.
    pub(crate) documents: Vec<Document>,
}

impl Rules {
    /// These rules with `user`'s tried first: for every language, the user's rules come
    /// before ours, so a user exception or break overrides a shipped one, and the shipped
    /// rules still apply where the user's say nothing. Each document keeps its own
    /// `cascade` flag.
    pub fn extended_by(self, user: Rules) -> Rules {
        let mut documents = user.documents;
        documents.extend(self.documents);
        Rules { documents }
    }

    /// The rules that apply to `lang`, in the order they are tried.
    pub fn rules_for(&self, lang: &LangTag) -> Vec<Rule> {
        let mut out = Vec::new();
        for doc in &self.documents {
            for m in doc
                .maps
                .iter()
                .filter(|m| m.pattern.is_match(lang.as_str()))
            {
                out.extend(m.rules.iter().cloned());
                if !doc.cascade {
                    break;
                }
            }
        }
        out
    }

    /// The language rules that apply to `lang`, in order, as `name (pattern)`.
    pub fn rule_names_for(&self, lang: &LangTag) -> Vec<String> {
        let mut out = Vec::new();
        for doc in &self.documents {
            for m in doc
                .maps
                .iter()
                .filter(|m| m.pattern.is_match(lang.as_str()))
            {
                out.push(format!("{} ({})", m.name, m.pattern_src));
                if !doc.cascade {
                    break;
                }
            }
        }
        out
    }
}

/// A boundary found by the rules: a hard break, or a soft boundary (a possible sentence
/// end without punctuation, for the aligner to confirm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundary {
    /// The byte position.
    pub pos: usize,
    /// True for a soft boundary.
    pub soft: bool,
}

/// A piece of a paragraph between boundaries (see [`Segmenter::pieces`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Its bytes in the paragraph, without surrounding white space.
    pub range: Range<usize>,
    /// True when it starts at a soft boundary: it may be the rest of the sentence before.
    pub soft_start: bool,
    /// True when that soft boundary is a weak one (only weak soft rules matched there,
    /// `concord:soft="weak"`): a weaker cue, such as a Korean word ending in a noun.
    pub weak_start: bool,
    /// True when it starts at a candidate word boundary inside Chinese text
    /// ([`words::han_cut_candidates`]; `soft_start` is true too): no cue at all, only a
    /// place where a headline run into the next sentence may end, for the aligner to
    /// choose by the other versions.
    pub word_start: bool,
}

/// Splits paragraphs of one language into sentences.
#[derive(Debug, Clone)]
pub struct Segmenter {
    rules: Vec<Rule>,
    /// Chinese: [`Segmenter::pieces`] adds candidate word boundaries.
    han_words: bool,
}

impl Segmenter {
    /// A segmenter for `lang` with the rules that apply to it.
    pub fn new(rules: &Rules, lang: &LangTag) -> Segmenter {
        Segmenter {
            rules: rules.rules_for(lang),
            han_words: lang.family() == "zh",
        }
    }

    /// The byte positions of `text` where a sentence ends (each strictly inside the text,
    /// sorted). This is the raw decision of the rules; [`Segmenter::split`] trims.
    pub fn breaks(&self, text: &str) -> Vec<usize> {
        self.boundaries(text)
            .into_iter()
            .filter(|b| !b.soft)
            .map(|b| b.pos)
            .collect()
    }

    /// The hard breaks and the soft boundaries of `text`, sorted (each strictly inside
    /// the text). A position is decided by the first ordinary rule (break or exception)
    /// that matches there; where none does, by the first soft rule that matches.
    pub fn boundaries(&self, text: &str) -> Vec<Boundary> {
        self.boundaries_weak(text)
            .into_iter()
            .map(|(b, _)| b)
            .collect()
    }

    /// [`Segmenter::boundaries`], each with whether it is a weak soft boundary (decided
    /// by a soft rule written `concord:soft="weak"`).
    fn boundaries_weak(&self, text: &str) -> Vec<(Boundary, bool)> {
        // For every position: the index of the first rule that matched there, ordinary
        // rules before soft ones.
        let mut decided: Vec<(usize, bool, usize)> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            let mut from = 0;
            while from <= text.len() {
                let Some(m) = rule.before.find_at(text, from) else {
                    break;
                };
                let pos = m.end();
                let after_ok = rule
                    .after
                    .find_at(text, pos)
                    .is_some_and(|a| a.start() == pos);
                if after_ok {
                    decided.push((pos, rule.soft, ri));
                }
                // Next search starts after this match (or one character on, for an empty
                // match), so matches do not overlap, as in SRX implementations.
                from = if m.end() > m.start() {
                    m.end()
                } else {
                    match text[m.end()..].chars().next() {
                        Some(c) => m.end() + c.len_utf8(),
                        None => break,
                    }
                };
            }
        }
        decided.sort_unstable();
        let mut out = Vec::new();
        let mut i = 0;
        while i < decided.len() {
            let pos = decided[i].0;
            // The first ordinary rule (lowest index) at this position decides, else the
            // first soft one.
            let (_, soft, first) = decided[i];
            while i < decided.len() && decided[i].0 == pos {
                i += 1;
            }
            let rule = &self.rules[first];
            if (rule.is_break || soft) && pos > 0 && pos < text.len() {
                out.push((Boundary { pos, soft }, soft && rule.weak));
            }
        }
        out
    }

    /// The pieces of a paragraph between its hard breaks and soft boundaries, as byte
    /// ranges of `text` without surrounding white space (empty pieces dropped), each
    /// saying whether it starts at a soft boundary (it may continue the sentence before
    /// it). Without soft boundaries these are the sentences of [`Segmenter::split`].
    /// In Chinese, pieces are cut further at candidate word boundaries near their start
    /// ([`Piece::word_start`]).
    pub fn pieces(&self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let push = |a: usize, b: usize, soft: bool, weak: bool, out: &mut Vec<Piece>| {
            let piece = &text[a..b];
            let lead = piece.len() - piece.trim_start().len();
            let trail = piece.len() - piece.trim_end().len();
            if lead + trail < piece.len() {
                out.push(Piece {
                    range: a + lead..b - trail,
                    // The first piece of a paragraph starts a sentence.
                    soft_start: soft && !out.is_empty(),
                    weak_start: soft && weak && !out.is_empty(),
                    word_start: false,
                });
                true
            } else {
                false
            }
        };
        let mut start = 0;
        // Whether the boundary at `start` is soft, and whether a hard break came since
        // the last piece (a soft boundary in the white space after a break is no
        // boundary of its own).
        let mut soft = false;
        let mut weak = false;
        let mut hard_since = false;
        for (b, w) in self.boundaries_weak(text) {
            if push(start, b.pos, soft && !hard_since, weak, &mut out) {
                hard_since = false;
            }
            hard_since |= !b.soft;
            start = b.pos;
            soft = b.soft;
            weak = w;
        }
        push(start, text.len(), soft && !hard_since, weak, &mut out);
        if self.han_words {
            out = out
                .into_iter()
                .flat_map(|p| {
                    let cuts = words::han_cut_candidates(&text[p.range.clone()]);
                    let a = p.range.start;
                    let mut bounds = vec![a];
                    bounds.extend(cuts.iter().map(|c| a + c));
                    bounds.push(p.range.end);
                    let first = p.clone();
                    bounds
                        .windows(2)
                        .enumerate()
                        .map(move |(k, w)| {
                            if k == 0 {
                                Piece {
                                    range: w[0]..w[1],
                                    ..first.clone()
                                }
                            } else {
                                Piece {
                                    range: w[0]..w[1],
                                    soft_start: true,
                                    weak_start: false,
                                    word_start: true,
                                }
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        out
    }

    /// The sentences of a paragraph as byte ranges of `text`, without surrounding white
    /// space; empty pieces are dropped.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut push = |a: usize, b: usize| {
            let piece = &text[a..b];
            let lead = piece.len() - piece.trim_start().len();
            let trail = piece.len() - piece.trim_end().len();
            if lead + trail < piece.len() {
                out.push(a + lead..b - trail);
            }
        };
        for b in self.breaks(text) {
            push(start, b);
            start = b;
        }
        push(start, text.len());
        out
    }

    /// The sentences of a paragraph, trimmed.
    pub fn sentences<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.split(text).into_iter().map(|r| &text[r]).collect()
    }
}

/// Guess a document's language from the scripts of its letters
/// ([`crate::text::ScriptCounts::language`]: Hangul for a third of the letters → `ko`,
/// else Han → `zh`, Latin → `en`). `None` when it has no letters, another script
/// dominates, or it is Japanese, which concord does not segment.
pub fn detect_language<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<LangTag> {
    let mut total = crate::text::ScriptCounts::default();
    for t in texts {
        total.add(&crate::text::ScriptCounts::of(t));
    }
    match total.language()? {
        "ja" => None,
        tag => LangTag::parse(tag).ok(),
    }
}

/// A segmented paragraph.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SegmentedParagraph {
    /// The 1-based line where the paragraph starts in its file.
    pub line: u64,
    /// True for a heading.
    pub heading: bool,
    /// Its sentences.
    pub sentences: Vec<String>,
}

/// A document split into paragraphs and sentences: the answer of `concord segment`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SegmentedDocument {
    /// The JSON schema id, `concord.segment`.
    pub schema: &'static str,
    /// The schema version.
    pub version: u32,
    /// The file.
    pub file: String,
    /// The document's language (given, or detected from the script).
    pub lang: String,
    /// True when the language was detected rather than given.
    pub detected: bool,
    /// The language rules used, in order, as `name (pattern)`.
    pub rules: Vec<String>,
    /// The paragraphs.
    pub paragraphs: Vec<SegmentedParagraph>,
}

impl SegmentedDocument {
    /// The number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.paragraphs.iter().map(|p| p.sentences.len()).sum()
    }
}

#[cfg(test)]
mod tests;
