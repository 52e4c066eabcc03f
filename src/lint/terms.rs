//! The glossary rules: `term-missing`, `term-forbidden`, `term-inconsistent`.
//!
//! Terms are found with [`crate::glossary::Recognizer`] on both sides (longest match,
//! leftmost first; English inflections; Korean particles, compounds and strict entries;
//! Chinese substrings), built once per draft:
//!
//! * **term-missing** (error): an occurrence of an entry in the source has no rendering
//!   of its own in the target. The accounting is a matching (`TermRules::unrendered`):
//!   each source occurrence takes an approved target variant of its entry among the
//!   *target's* recognized terms, or another rendering; one target place renders one
//!   occurrence only. Because the target is matched with longest match too, 朝鲜 inside
//!   朝鲜半岛 belongs to "Korean Peninsula" and does not satisfy "DPRK". Named exceptions:
//!   `repeat-in-sentence` (a repeat in the same source sentence as a rendered occurrence
//!   may go unrendered: Korean and Chinese drop repeated subjects), `forbidden-variant`
//!   (the target holds a forbidden variant of the entry: only `term-forbidden` is
//!   reported), `kept-as-is`, `title-of-a-body` and the others of
//!   `TermRules::exempt_from_missing`.
//!   Other renderings (`TermRules::rendering`): a longer entry whose
//!   English variant has the term as its head (外长 for "Minister"; not after *Vice*,
//!   *North*…), or as a modifier whose rendering is inside the longer one (联合国 of
//!   联合国安理会); a phrase made of entries whose parts are all rendered; in Korean, an
//!   approved variant inside a word not covered by a longer term (중국대사); country
//!   abbreviations of the `abbr` column in runs, after bound prefixes, before 方/측
//!   (한중, 对华, 中方); the entries of `lint` tokens `also:ID`; a variant with another
//!   entry's term inserted (常驻联合国代表). These other renderings are held to
//!   the per-occurrence accounting too (each a named, tested case): a place inside the
//!   rendering another occurrence took renders nothing else (`inside-a-taken-rendering`:
//!   북 of 북한 is not also *Pyongyang*); an abbreviation in a run needs its neighbour's
//!   country named in the source (`pair-in-source`: 朝美 does not render *the United
//!   States* in a text that does not name North Korea); after a prefix of place (驻华,
//!   탈북) it needs a source word such a prefix renders (`place-prefix`: *ambassador to
//!   China*, *fled North Korea*); an `also:` link to an entry that is no name holds only
//!   after a verb of leaving (`also-after-leaving`: *leave the EU* → 脱欧).
//! * **term-forbidden** (error): the target holds a forbidden variant; the message names
//!   the preferred approved variant. A forbidden variant inside a longer approved variant
//!   of another entry is not one (韩半岛 inside 韩半岛和平交涉本部长): the recognizer's
//!   longest match takes the approved title. Runs on target-only drafts too.
//! * **term-inconsistent** (warning): for one entry found in the source, the draft uses
//!   several approved target variants. The variant used most often is the draft's choice
//!   (ties: the glossary's order); every segment that uses another one gets the finding.
//!   This needs the whole draft, so these findings come at the end of the run
//!   ([`TermUses::finish`]); the state kept meanwhile is one small record per term
//!   occurrence (segment, position, fingerprint), never the texts.

pub mod align;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use align::{AlignStats, Whereabouts};

use crate::glossary::{Glossary, Recognizer, TermHit};
use crate::lang::LangRange;
use crate::text::{match_key, script_of, KeyedText, Script};

use super::checks::Hit;
use super::rules::Rule;
use super::segment::Segment;
use super::{fingerprint, Finding, Span};
use crate::diag::Code;
use crate::error::Location;

/// One use of an approved variant for a source term, remembered for term-inconsistent.
#[derive(Debug, Clone)]
struct Occurrence {
    segment: u64,
    segment_id: Option<String>,
    line: u64,
    column: u64,
    start: usize,
    end: usize,
    matched: Box<str>,
    fingerprint: u64,
}

/// The glossary rules for one draft.
pub struct TermRules<'g> {
    glossary: GlossaryRef<'g>,
    source_range: Option<LangRange>,
    source: Option<Recognizer>,
    target: Recognizer,
    target_range: LangRange,
    /// Approved target variant keys of each entry, in glossary order.
    approved_keys: Vec<Vec<String>>,
    /// The qualifier of each approved target variant (`qualifier` column), parallel to
    /// `approved_keys`: variants with different qualifiers render different referents.
    qualifiers: Vec<Vec<Option<String>>>,
    /// The entry's links for term-missing (see [`Links`]).
    links: Links,
    /// The target is Korean / Chinese.
    korean: bool,
    chinese: bool,
}

/// What else satisfies term-missing for an entry, computed once per draft from the
/// glossary (see the module documentation).
#[derive(Default)]
struct Links {
    /// Entry → entries whose source variants contain one of its source variants as a
    /// whole-word sub-phrase: `(container, head)`, `head` when the contained term is the
    /// head of the container (its last words, or its first words before a preposition).
    containers: Vec<Vec<(usize, bool)>>,
    /// (entry, source variant key) → the entries that make up the variant word by word
    /// (at least two; the words left over are function words).
    components: HashMap<(usize, String), Vec<usize>>,
    /// Entry → entries whose translations also satisfy it (`lint` column `also:ID`).
    also: Vec<Vec<usize>>,
    /// Entry → its abbreviations in the target language (`abbr` column), as characters.
    abbr: Vec<Vec<Vec<char>>>,
    /// Every abbreviation of the target language with its entry.
    all_abbr: Vec<(Vec<char>, usize)>,
}

/// One use of an approved variant (entry, variant index, where).
pub struct Use(usize, usize, Occurrence);

/// The uses of approved variants across a draft, for term-inconsistent: one small record
/// per use, only for entries that have two or more approved target variants.
#[derive(Default)]
pub struct TermUses {
    /// Entry → approved variant index → occurrences.
    uses: HashMap<usize, HashMap<usize, Vec<Occurrence>>>,
}

/// The glossary a [`TermRules`] reads: borrowed for one draft, or shared by the rules a
/// [`CompiledGlossary`] keeps.
enum GlossaryRef<'g> {
    Borrowed(&'g Glossary),
    Shared(Arc<Glossary>),
}

impl std::ops::Deref for GlossaryRef<'_> {
    type Target = Glossary;

    fn deref(&self) -> &Glossary {
        match self {
            GlossaryRef::Borrowed(g) => g,
            GlossaryRef::Shared(g) => g,
        }
    }
}

/// A language pair (source range, target range) as text.
type PairKey = (Option<String>, String);

/// One language pair's rules, built once.
type RulesSlot = OnceLock<Arc<TermRules<'static>>>;

/// A glossary with its term rules compiled once per language pair and kept: the
/// recognizers are what a draft's term checks cost to set up (they depend only on the
/// glossary and the languages), so a process that lints many drafts against one
/// glossary (`concord serve`) builds them once and shares them, read-only, between its
/// threads. Make a new one when the glossary changes.
pub struct CompiledGlossary {
    glossary: Arc<Glossary>,
    /// (source range, target range) → the rules, built by the first run that needs them
    /// (the others wait for that build instead of repeating it).
    rules: Mutex<HashMap<PairKey, Arc<RulesSlot>>>,
}

impl CompiledGlossary {
    /// Keep `glossary`; no rules are built yet.
    pub fn new(glossary: Arc<Glossary>) -> CompiledGlossary {
        CompiledGlossary {
            glossary,
            rules: Mutex::new(HashMap::new()),
        }
    }

    /// The glossary.
    pub fn glossary(&self) -> &Arc<Glossary> {
        &self.glossary
    }

    /// The term rules for drafts from `source` to `target` (as
    /// [`TermRules::new`] builds them), built on first use.
    pub fn rules(&self, source: Option<&LangRange>, target: &LangRange) -> Arc<TermRules<'static>> {
        let key = (source.map(|s| s.to_string()), target.to_string());
        let cell = Arc::clone(
            self.rules
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(key)
                .or_default(),
        );
        Arc::clone(cell.get_or_init(|| {
            Arc::new(TermRules::build(
                GlossaryRef::Shared(Arc::clone(&self.glossary)),
                source,
                target,
            ))
        }))
    }
}

impl<'g> TermRules<'g> {
    /// Build the recognizers for a draft from `source` to `target` (`source` is `None`
    /// for a target-only draft).
    pub fn new(
        glossary: &'g Glossary,
        source: Option<&LangRange>,
        target: &LangRange,
    ) -> TermRules<'g> {
        TermRules::build(GlossaryRef::Borrowed(glossary), source, target)
    }

    fn build(
        glossary: GlossaryRef<'g>,
        source: Option<&LangRange>,
        target: &LangRange,
    ) -> TermRules<'g> {
        let approved_keys = glossary
            .entries
            .iter()
            .map(|e| e.approved(target).iter().map(|v| match_key(v)).collect())
            .collect();
        let qualifiers = glossary
            .entries
            .iter()
            .map(|e| {
                e.terms_in(target)
                    .flat_map(|(tag, set)| set.approved.iter().map(|v| e.qualifier(tag, v)))
                    .collect()
            })
            .collect();
        let family = target.tag().map(|t| t.family().to_string());
        let g: &Glossary = &glossary;
        let source_recognizer = source.map(|s| Recognizer::new(g, s, true));
        let target_recognizer = Recognizer::new(g, target, true);
        let links = Links::new(g, source, target);
        TermRules {
            glossary,
            source_range: source.cloned(),
            source: source_recognizer,
            target: target_recognizer,
            target_range: target.clone(),
            approved_keys,
            qualifiers,
            links,
            korean: family.as_deref() == Some("ko"),
            chinese: family.as_deref() == Some("zh"),
        }
    }

    fn name(&self, entry: usize, hit: Option<&TermHit>) -> String {
        if let Some(h) = hit {
            return h.matched.clone();
        }
        let e = &self.glossary.entries[entry];
        e.id.clone()
            .unwrap_or_else(|| format!("entry {}", entry + 1))
    }

    /// Cases where a source term without its approved translation is not an error (see
    /// the module documentation: phrases, generic lowercase uses of capitalized titles,
    /// hyphenated compounds, acronyms kept as they are, `lint=no-missing` entries).
    fn exempt_from_missing(&self, e: usize, sh: &TermHit, source: &str, target: &str) -> bool {
        let entry = &self.glossary.entries[e];
        if entry
            .domain
            .as_deref()
            .map(|d| d.eq_ignore_ascii_case("phrase"))
            .unwrap_or(false)
        {
            return true;
        }
        if entry
            .prop("lint")
            .map(|v| v.split(['|', ',', ' ']).any(|x| x.trim() == "no-missing"))
            .unwrap_or(false)
        {
            return true;
        }
        let src: Vec<char> = source.chars().collect();
        // A hyphenated compound is another word: President-elect, vice-president.
        let before = sh.start.checked_sub(1).and_then(|i| src.get(i).copied());
        let after = src.get(sh.end).copied();
        let after2 = src.get(sh.end + 1).copied();
        if (after == Some('-') && after2.map(|c| c.is_alphabetic()).unwrap_or(false))
            || (before == Some('-') && sh.start >= 2 && src[sh.start - 2].is_alphabetic())
        {
            return true;
        }
        // The glossary writes the term capitalized (a title, a name) and the text uses the
        // word in lower case: a common noun (the president of a company, a premier venue).
        if let Some(range) = &self.source_range {
            let variants = entry.approved(range);
            let capitalized = !variants.is_empty()
                && variants
                    .iter()
                    .all(|v| v.chars().next().map(|c| c.is_uppercase()).unwrap_or(false));
            if capitalized && !sh.matched.chars().any(|c| c.is_uppercase()) {
                return true;
            }
        }
        // An acronym kept as it is in the target (NATO, UN, EU in a Korean text).
        let m = sh
            .matched
            .trim_end_matches("'s")
            .trim_end_matches('\u{2019}');
        let letters = m.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let acronym = (2..=6).contains(&letters)
            && m.chars()
                .all(|c| c.is_ascii_uppercase() || c == '.' || c.is_ascii_digit());
        if acronym && (contains_word(target, m) || contains_word(target, &m.replace('.', ""))) {
            return true;
        }
        // `kept-as-is`: a Latin-script term written as it is in a Korean or Chinese target,
        // inside a name left in English (Consumer Energy Alliance).
        if (self.korean || self.chinese)
            && m.chars().any(|c| c.is_ascii_alphabetic())
            && contains_word(target, m)
        {
            return true;
        }
        // `title-of-a-body`: a head-of-state title followed by "of (the)" and an
        // assembly, a court, a company...: the presiding officer of that body, another
        // referent (the President of Congress → 의회장, 议长).
        if entry
            .domain
            .as_deref()
            .map(|d| d.eq_ignore_ascii_case("title"))
            .unwrap_or(false)
        {
            let rest: String = src[sh.end.min(src.len())..].iter().collect();
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix("of the ")
                .or_else(|| rest.strip_prefix("of "));
            if let Some(r) = rest {
                let word: String = r.chars().take_while(|c| c.is_alphabetic()).collect();
                if PRESIDED_BODIES.contains(&word.as_str()) {
                    return true;
                }
            }
        }
        false
    }

    /// term-missing's accounting: the source occurrences (indices into `src`) left without
    /// a rendering of their own in the target.
    ///
    /// A matching between the source's occurrences and the target's renderings: first
    /// every occurrence takes an approved variant of its own entry among the target's
    /// terms (left to right), then the occurrences left take one of the other renderings
    /// ([`TermRules::rendering`]); a target place renders one occurrence only, so a longer
    /// entry's rendering that its own occurrence took does not also render a shorter term
    /// elsewhere in the source. A term inside a longer entry's occurrence is no occurrence
    /// of its own: the recognizer's longest match gives it to the longer entry. The named
    /// exceptions, each tested:
    ///
    /// * `repeat-in-sentence`: a repeat of an entry in the same source sentence as
    ///   another occurrence of it that is rendered may go unrendered (Korean and Chinese
    ///   drop a repeated subject or replace it with a pronoun: *the Special Representative
    ///   said the Special Representative will return* → 특별대표는 다시 돌아오겠다고 말했다).
    /// * `forbidden-variant`: the target holds a forbidden variant of the entry; that is
    ///   term-forbidden's finding.
    /// * The exemptions of [`TermRules::exempt_from_missing`] (phrases, `no-missing`,
    ///   lowercase uses of titles, hyphenated compounds, acronyms kept as they are).
    fn unrendered(
        &self,
        src: &[TermHit],
        source: &str,
        target: &str,
        ctx: &Ctx<'_>,
        forbidden_entries: &[usize],
    ) -> Vec<usize> {
        self.account(src, source, target, ctx, forbidden_entries).1
    }

    /// [`TermRules::unrendered`] with the target places each occurrence took: for every
    /// occurrence of `src`, the spans of its rendering (`None`: not rendered), and the
    /// occurrences left without one that are not exempt.
    fn account(
        &self,
        src: &[TermHit],
        source: &str,
        target: &str,
        ctx: &Ctx<'_>,
        forbidden_entries: &[usize],
    ) -> (Vec<Option<Vec<Sp>>>, Vec<usize>) {
        let mut taken: Vec<Sp> = Vec::new();
        let mut rendered = vec![false; src.len()];
        let mut places: Vec<Option<Vec<Sp>>> = vec![None; src.len()];
        for (i, sh) in src.iter().enumerate() {
            let keys = &self.approved_keys[sh.entry];
            if keys.is_empty() {
                rendered[i] = true; // The glossary has no translation for this entry.
                continue;
            }
            if let Some(h) = ctx.hits.iter().find(|h| {
                !h.forbidden
                    && keys.contains(&match_key(&h.variant))
                    && !taken.contains(&(h.start, h.end))
            }) {
                taken.push((h.start, h.end));
                rendered[i] = true;
                places[i] = Some(vec![(h.start, h.end)]);
            }
        }
        // `demonym`: an English adjective of a country (Chinese, Sino-, American) that
        // is no glossary term takes a rendering of the country first (중국인 for
        // "Chinese people", 중일 for "Sino-Japanese"), so that the country's other
        // renderings do not count twice for its name elsewhere in the source.
        for e in self.demonyms(source, src) {
            if let Some(spans) = self.rendering(e, None, ctx, 2, &taken, None) {
                taken.extend(spans);
            }
        }
        for (i, sh) in src.iter().enumerate() {
            if rendered[i] {
                continue;
            }
            let variant = match_key(&sh.variant);
            let before = words_before(source, sh.start);
            if let Some(spans) =
                self.rendering(sh.entry, Some(&variant), ctx, 0, &taken, Some(&before))
            {
                taken.extend(spans.iter().copied());
                rendered[i] = true;
                places[i] = Some(spans);
            }
        }
        let sentence: Vec<usize> = src
            .iter()
            .map(|h| sentence_index(source, h.start))
            .collect();
        let missing = (0..src.len())
            .filter(|&i| {
                let sh = &src[i];
                let e = sh.entry;
                let repeat = || {
                    (0..src.len()).any(|j| {
                        j != i && rendered[j] && src[j].entry == e && sentence[j] == sentence[i]
                    })
                };
                !rendered[i]
                    && !forbidden_entries.contains(&e)
                    && !repeat()
                    && !self.exempt_from_missing(e, sh, source, target)
            })
            .collect();
        (places, missing)
    }

    /// The entries named by the English country adjectives of `source` ([`DEMONYMS`]),
    /// one per adjective, outside the glossary terms `src` found.
    fn demonyms(&self, source: &str, src: &[TermHit]) -> Vec<usize> {
        let Some(range) = &self.source_range else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let chars: Vec<char> = source.chars().collect();
        for (country, words) in DEMONYMS {
            let Some(e) = self
                .glossary
                .entries
                .iter()
                .position(|x| x.approved(range).contains(country))
            else {
                continue;
            };
            for w in *words {
                let w: Vec<char> = w.chars().collect();
                let n = w.len();
                if n > chars.len() {
                    continue;
                }
                for st in 0..=chars.len() - n {
                    let before = st.checked_sub(1).map(|i| chars[i]);
                    let after = chars.get(st + n).copied();
                    let word = chars[st..st + n] == w[..]
                        && !before.is_some_and(|c| c.is_alphanumeric())
                        && !after.is_some_and(|c| c.is_alphanumeric() && c != 's');
                    let in_term = src.iter().any(|h| h.start < st + n && st < h.end);
                    // North Korean: not also Korean.
                    let longer = before == Some(' ')
                        && st >= 6
                        && (chars[st - 6..st - 1] == ['N', 'o', 'r', 't', 'h']
                            || chars[st - 6..st - 1] == ['S', 'o', 'u', 't', 'h']);
                    if word && !in_term && !longer {
                        out.push(e);
                    }
                }
            }
        }
        out
    }

    /// The target's side of one segment for term-missing's accounting.
    fn context<'h>(
        &self,
        tgt_hits: &'h [TermHit],
        src_hits: &[TermHit],
        source: &str,
        target: &str,
    ) -> Ctx<'h> {
        let source_entries: Vec<usize> = src_hits.iter().map(|h| h.entry).collect();
        let mut named = source_entries.clone();
        named.extend(self.demonyms(source, src_hits));
        for &e in &source_entries {
            named.extend(self.links.also[e].iter().copied());
        }
        for (x, cs) in self.links.containers.iter().enumerate() {
            if cs.iter().any(|(c, _)| source_entries.contains(c)) {
                named.push(x);
            }
        }
        named.sort_unstable();
        named.dedup();
        Ctx {
            hits: tgt_hits,
            source_entries,
            named,
            keyed: if self.korean {
                Some(KeyedText::new(target))
            } else {
                None
            },
            chars: target.chars().collect(),
        }
    }

    /// The glossary terms of `source` (longest match) and how `target` renders each
    /// occurrence, by term-missing's accounting ([`TermRules::unrendered`]): for the
    /// `cross-target` rule, which compares two targets' accounts of one source. Empty
    /// for a draft without a source recognizer.
    pub(crate) fn renderings(&self, source: &str, target: &str) -> Vec<(TermHit, Rendered)> {
        let Some(rec) = self.source.as_ref() else {
            return Vec::new();
        };
        let src_hits = rec.find(source);
        if src_hits.is_empty() {
            return Vec::new();
        }
        let tgt_hits = self.target.find(target);
        let forbidden: Vec<&TermHit> = tgt_hits.iter().filter(|h| h.forbidden).collect();
        let forbidden_entries: Vec<usize> = forbidden.iter().map(|h| h.entry).collect();
        let ctx = self.context(&tgt_hits, &src_hits, source, target);
        let (places, missing) = self.account(&src_hits, source, target, &ctx, &forbidden_entries);
        src_hits
            .into_iter()
            .zip(places)
            .enumerate()
            .map(|(i, (sh, place))| {
                // A place inside a forbidden variant of the entry renders nothing (북 of
                // 북조선 is no abbreviation of DPRK).
                let inside_forbidden = |p: &Vec<Sp>| {
                    p.iter().any(|&(a, b)| {
                        forbidden
                            .iter()
                            .any(|h| h.entry == sh.entry && a < h.end && h.start < b)
                    })
                };
                let r = match place.filter(|p| !inside_forbidden(p)) {
                    Some(p) => Rendered::By(p),
                    None => match forbidden.iter().find(|h| h.entry == sh.entry) {
                        Some(f) => Rendered::Forbidden((f.start, f.end), f.matched.clone()),
                        None if missing.contains(&i) => Rendered::Missing,
                        None => Rendered::Exempt,
                    },
                };
                (sh, r)
            })
            .collect()
    }

    /// The approved translations of entry `e` in this target, for messages.
    pub(crate) fn approved_text(&self, e: usize) -> String {
        self.glossary.entries[e]
            .approved(&self.target_range)
            .join(" | ")
    }

    /// The glossary's id of entry `e` (its number when it has none).
    pub(crate) fn entry_id(&self, e: usize) -> String {
        self.entry_key(e)
    }

    /// True when entry `e` is a name (domain `place`, `person`, `organization` or
    /// `institution`).
    pub(crate) fn is_name(&self, e: usize) -> bool {
        self.glossary.entries[e]
            .domain
            .as_deref()
            .map(|d| {
                ["place", "person", "organization", "institution"]
                    .iter()
                    .any(|n| d.eq_ignore_ascii_case(n))
            })
            .unwrap_or(false)
    }

    /// One rendering of entry `e` (found in the source as the variant with key
    /// `variant`) in the target that uses none of the `taken` target spans: the spans it
    /// uses, or `None`. Besides the approved variants among the target's terms, the other
    /// ways of the module documentation count; each returns the place it found, so that
    /// one place renders one source occurrence only. `before` holds the source words
    /// before the occurrence ([`words_before`]; `None` when there is no occurrence, for a
    /// demonym).
    ///
    /// A place found through an `also:` link or as a part of a phrase (`depth` > 0), and
    /// an abbreviation at any depth, must not overlap a place another occurrence took
    /// (`inside-a-taken-rendering`: 북 of the 북한 that renders *North Korea* does not
    /// also render *Pyongyang*; 中国 of the 中国共产党 that renders *Chinese Communist
    /// Party* does not also render *Beijing*). Only the longer entry's own head or
    /// modifier at depth 0 may share a place (联合国 inside 联合国安理会).
    fn rendering(
        &self,
        e: usize,
        variant: Option<&str>,
        ctx: &Ctx<'_>,
        depth: u8,
        taken: &[Sp],
        before: Option<&[String]>,
    ) -> Option<Vec<Sp>> {
        let apart = |s: &Sp| !taken.iter().any(|t| t.0 < s.1 && s.0 < t.1);
        let free = |s: &Sp| !taken.contains(s) && (depth == 0 || apart(s));
        let keys = &self.approved_keys[e];
        if let Some(h) = ctx.hits.iter().find(|h| {
            !h.forbidden && keys.contains(&match_key(&h.variant)) && free(&(h.start, h.end))
        }) {
            return Some(vec![(h.start, h.end)]);
        }
        if let Some(kt) = &ctx.keyed {
            // 주중국 대사, 정상 회담 for 정상회담, 중국대사 / 대북특별대표.
            for k in keys {
                let found = after_ju(&kt.key, k)
                    .into_iter()
                    .chain(spacing_variant(&kt.key, k))
                    .map(|(s, t)| kt.original_span(s, t))
                    .chain(inside_word(kt, k, e, ctx.hits))
                    .find(|s| free(s));
                if let Some(s) = found {
                    return Some(vec![s]);
                }
            }
        }
        if let Some(s) = self
            .abbreviated(e, ctx, before)
            .into_iter()
            .find(|s| free(s) && apart(s))
        {
            return Some(vec![s]);
        }
        // 常驻联合国代表: 常驻代表 with another entry's term inserted.
        if let Some(s) = keys
            .iter()
            .flat_map(|k| interrupted(&ctx.chars, k, e, ctx.hits))
            .find(|s| free(s))
        {
            return Some(vec![s]);
        }
        // A longer entry containing this one is in the target: its head (Foreign
        // Minister → 外长 for "Minister"), or a modifier whose rendering is inside the
        // longer rendering (联合国 inside 联合国安理会 for "UN"). The head is the whole
        // longer term, so it is used up when the longer entry's own occurrence took it.
        for &(c, head) in &self.links.containers[e] {
            for h in ctx.hits.iter().filter(|h| h.entry == c && !h.forbidden) {
                if head {
                    if free(&(h.start, h.end)) {
                        return Some(vec![(h.start, h.end)]);
                    }
                    continue;
                }
                let m: Vec<char> = match_key(&h.matched).chars().collect();
                for k in keys {
                    let k: Vec<char> = k.chars().collect();
                    if k.is_empty() || k.len() > m.len() {
                        continue;
                    }
                    let inner = (0..=m.len() - k.len())
                        .filter(|&i| m[i..i + k.len()] == k[..])
                        .map(|i| (h.start + i, (h.start + i + k.len()).min(h.end)))
                        .find(|s| *s != (h.start, h.end) && free(s));
                    if let Some(s) = inner {
                        return Some(vec![s]);
                    }
                }
                // An abbreviation of the entry that starts the longer rendering counts
                // too (미 of 미 국방부 for "U.S."), when the source names the longer
                // concept as well (美 of 美元 does not render "US" when the source says
                // "$").
                if !ctx.source_entries.contains(&c) {
                    continue;
                }
                let lead = self.links.abbr[e]
                    .iter()
                    .find(|f| !f.is_empty() && m.starts_with(f) && m.len() > f.len())
                    .map(|f| (h.start, h.start + f.len()))
                    .filter(|s| free(s));
                if let Some(s) = lead {
                    return Some(vec![s]);
                }
            }
        }
        if depth >= 2 {
            return None;
        }
        for &x in &self.links.also[e] {
            // `also-after-leaving`: a link to an entry that is no name (eu → brexit)
            // holds only after a verb of leaving (*leave the EU* → 脱欧), not for *the
            // UK and the EU* beside a 脱欧 that renders *withdrawal*.
            if !self.is_name(x) && !before.is_some_and(after_leaving) {
                continue;
            }
            if let Some(s) = self.rendering(x, None, ctx, depth + 1, taken, before) {
                return Some(s);
            }
        }
        let parts = self.links.components.get(&(e, variant?.to_string()))?;
        let mut used: Vec<Sp> = taken.to_vec();
        let mut out = Vec::new();
        for &x in parts {
            let s = self.rendering(x, None, ctx, depth + 1, &used, None)?;
            used.extend(s.iter().copied());
            out.extend(s);
        }
        Some(out)
    }

    /// The places where an abbreviation of entry `e` (the `abbr` column: 中/华 for China,
    /// 한 for Korea) is used the way abbreviations are: next to another country's
    /// abbreviation (한중, 韩美日, 中、美), after a bound prefix (对华, 驻韩, 대북, 방한),
    /// or before the suffix of a side (中方, 북측).
    ///
    /// `pair-in-source`: an abbreviation in a run counts only when the source names the
    /// country of its neighbour too (朝美 renders *the United States* in a text about
    /// North Korea and the US, not in one that names only the US). `place-prefix`: after
    /// a prefix of place (驻, 在, 访, 赴, 来, 旅, 离; 주, 재, 방, 탈) it counts only for an
    /// occurrence after a word that such a prefix renders (*ambassador to China* →
    /// 驻华大使, *fled North Korea* → 탈북; not *between North Korea and China* beside a
    /// 탈북 of the translator's).
    fn abbreviated(&self, e: usize, ctx: &Ctx<'_>, before: Option<&[String]>) -> Vec<Sp> {
        let mut out = Vec::new();
        if self.links.abbr[e].is_empty() || !(self.korean || self.chinese) {
            return out;
        }
        let t = &ctx.chars;
        for f in &self.links.abbr[e] {
            let n = f.len();
            if n == 0 || n > t.len() {
                continue;
            }
            for s in 0..=t.len() - n {
                if &t[s..s + n] == f.as_slice() && self.abbr_context(e, ctx, s, s + n, before) {
                    out.push((s, s + n));
                }
            }
        }
        out
    }

    fn abbr_context(
        &self,
        e: usize,
        ctx: &Ctx<'_>,
        s: usize,
        end: usize,
        before: Option<&[String]>,
    ) -> bool {
        let t = &ctx.chars;
        let digitish =
            |c: char| c.is_ascii_digit() || c.is_numeric() || "〇一二三四五六七八九十".contains(c);
        // A Chinese abbreviation after a number is a word of its own (14日 is a date).
        if self.chinese && s > 0 && digitish(t[s - 1]) {
            return false;
        }
        let other_ends = |p: usize| -> Option<usize> {
            self.links.all_abbr.iter().find_map(|(f, x)| {
                (*x != e && p >= f.len() && &t[p - f.len()..p] == f.as_slice())
                    .then(|| p - f.len())
                    .filter(|&st| !(self.chinese && st > 0 && digitish(t[st - 1])))
            })
        };
        // The neighbour in a run must be a country the source names (`pair-in-source`).
        let named_ends = |p: usize| {
            self.links.all_abbr.iter().any(|(f, x)| {
                *x != e
                    && p >= f.len()
                    && &t[p - f.len()..p] == f.as_slice()
                    && !(self.chinese && p > f.len() && digitish(t[p - f.len() - 1]))
                    && ctx.named.contains(x)
            })
        };
        let other_starts = |p: usize| {
            self.links.all_abbr.iter().any(|(f, x)| {
                *x != e
                    && t.len() >= p + f.len()
                    && &t[p..p + f.len()] == f.as_slice()
                    && ctx.named.contains(x)
            })
        };
        let mut l = s;
        if l > 0 && ABBR_SEPARATORS.contains(&t[l - 1]) {
            l -= 1;
        }
        let mut r = end;
        if r < t.len() && ABBR_SEPARATORS.contains(&t[r]) {
            r += 1;
        }
        let run = named_ends(l) || other_starts(r);
        let place_ok = before.map_or(true, after_place_word);
        let hangul = |c: char| script_of(c) == Script::Hangul;
        let (prefix, suffix) = if self.korean {
            // The run starts a word, or follows a prefix that does.
            let mut p = s;
            loop {
                if p == 0 || !hangul(t[p - 1]) && !ABBR_SEPARATORS.contains(&t[p - 1]) {
                    break;
                }
                if ABBR_SEPARATORS.contains(&t[p - 1]) {
                    p -= 1;
                    continue;
                }
                if let Some(st) = other_ends(p) {
                    p = st;
                    continue;
                }
                if KO_ABBR_PREFIXES.contains(&t[p - 1]) && (p == 1 || !hangul(t[p - 2])) {
                    break;
                }
                return false;
            }
            // 미 국방부, 북 외무성: a few abbreviations are words of their own before a
            // noun (not 한, 중, 일: 한 사람, 회의 중, 일 년).
            let standalone = (s == 0 || !hangul(t[s - 1]))
                && end - s == 1
                && KO_STANDALONE_ABBR.contains(&t[s])
                && t.get(end) == Some(&' ')
                && t[end..]
                    .iter()
                    .find(|c| **c != ' ')
                    .map(|c| hangul(*c))
                    .unwrap_or(false);
            (
                s > 0
                    && KO_ABBR_PREFIXES.contains(&t[s - 1])
                    && (s == 1 || !hangul(t[s - 2]))
                    && (place_ok || !KO_PLACE_PREFIXES.contains(&t[s - 1])),
                t.get(end) == Some(&'측') || standalone,
            )
        } else {
            (
                s > 0
                    && ZH_ABBR_PREFIXES.contains(&t[s - 1])
                    && (place_ok || !ZH_PLACE_PREFIXES.contains(&t[s - 1])),
                t.get(end) == Some(&'方'),
            )
        };
        // An abbreviation inside the name of another country is part of that name (한
        // of 북한); inside another term it still counts for a run (韩美 of 韩美同盟).
        let inside = |h: &&TermHit| h.entry != e && h.start < end && s < h.end;
        if run
            && !ctx
                .hits
                .iter()
                .filter(inside)
                .any(|h| !self.links.abbr[h.entry].is_empty())
        {
            return true;
        }
        // A prefix or suffix alone is weaker evidence: not inside another entry's term
        // (华 of 驻华盛顿 is Washington's).
        (prefix || suffix) && !ctx.hits.iter().any(|h| inside(&h))
    }

    fn entry_key(&self, entry: usize) -> String {
        self.glossary.entries[entry]
            .id
            .clone()
            .unwrap_or_else(|| entry.to_string())
    }

    fn preferred(&self, entry: usize) -> Option<String> {
        self.glossary.entries[entry]
            .preferred(&self.target_range)
            .map(str::to_string)
    }

    /// The per-segment hits: term-forbidden (when `forbidden`) and term-missing (when
    /// `missing`), and the uses of approved variants for term-inconsistent (when
    /// `consistency`), to be given to [`TermUses::record`] in draft order.
    pub fn check(
        &self,
        seg: &Segment,
        source: Option<&str>,
        target: &str,
        on: (bool, bool, bool),
    ) -> (Vec<Hit>, Vec<Use>) {
        self.check_with(seg, source, target, on, None)
    }

    /// [`TermRules::check`], with the memory's co-occurrence statistics to say where a
    /// missing term went (see [`Whereabouts`]).
    pub fn check_with(
        &self,
        seg: &Segment,
        source: Option<&str>,
        target: &str,
        on: (bool, bool, bool),
        stats: Option<&AlignStats>,
    ) -> (Vec<Hit>, Vec<Use>) {
        let (forbidden_on, missing_on, consistency_on) = on;
        let mut out = Vec::new();
        let mut uses = Vec::new();
        let tgt_hits = self.target.find(target);
        let mut forbidden_entries: Vec<usize> = Vec::new();
        for h in tgt_hits.iter().filter(|h| h.forbidden) {
            forbidden_entries.push(h.entry);
            if forbidden_on {
                let pref = self.preferred(h.entry);
                let msg = match &pref {
                    Some(p) => format!("{} is a forbidden variant: use {p}", h.matched),
                    None => format!("{} is a forbidden variant: rephrase it", h.matched),
                };
                let mut hit = Hit::new(Rule::TermForbidden, msg)
                    .target(h.start, h.end)
                    .detail(format!("{}\u{1}{}", self.entry_key(h.entry), h.variant));
                if let Some(p) = pref {
                    hit = hit.suggest(p);
                }
                out.push(hit);
            }
        }
        let (Some(source), Some(rec)) = (source, self.source.as_ref()) else {
            return (out, uses);
        };
        if !(missing_on || consistency_on) {
            return (out, uses);
        }
        let src_hits = rec.find(source);
        if src_hits.is_empty() {
            return (out, uses);
        }
        // Approved variants present in the target, by key.
        let present: Vec<String> = tgt_hits
            .iter()
            .filter(|h| !h.forbidden)
            .map(|h| match_key(&h.variant))
            .collect();
        let ctx = self.context(&tgt_hits, &src_hits, source, target);
        if missing_on {
            let occurrences = self.unrendered(&src_hits, source, target, &ctx, &forbidden_entries);
            let mut reported: Vec<usize> = Vec::new();
            for i in occurrences {
                let sh = &src_hits[i];
                let e = sh.entry;
                let pref = self.preferred(e).unwrap_or_default();
                let all = self.glossary.entries[e]
                    .approved(&self.target_range)
                    .join(" | ");
                let n = src_hits.iter().filter(|h| h.entry == e).count();
                let nth = reported.iter().filter(|&&x| x == e).count();
                reported.push(e);
                let name = self.name(e, Some(sh));
                let went = self.whereabouts(sh, &src_hits, &tgt_hits, source, target, stats);
                let message = match (&went, n > 1) {
                    (Whereabouts::Rendered { text, particle, .. }, many) => {
                        let shown = match particle {
                            Some(p) => format!("{text} (particle {p})"),
                            None => text.clone(),
                        };
                        if many {
                            format!(
                                "{name} occurs {n} times in the source; this occurrence is rendered as {shown} here; approved: {all}: use {pref}"
                            )
                        } else {
                            format!("{name} is rendered as {shown} here; approved: {all}: use {pref}")
                        }
                    }
                    (Whereabouts::Untranslated, true) => format!(
                        "{name} occurs {n} times in the source, and this occurrence seems untranslated: it has no approved translation of its own in the target ({all}) and nothing there aligns with it: use {pref}"
                    ),
                    (Whereabouts::Untranslated, false) => format!(
                        "{name} seems untranslated: the target has none of its approved translations ({all}) and nothing there aligns with it: use {pref}"
                    ),
                };
                // The first occurrence keeps the fingerprint of earlier versions.
                let detail = if nth == 0 {
                    self.entry_key(e)
                } else {
                    format!("{}#{nth}", self.entry_key(e))
                };
                let mut hit = Hit::new(Rule::TermMissing, message)
                    .source(sh.start, sh.end)
                    .suggest(pref)
                    .detail(detail);
                if let Whereabouts::Rendered { start, end, .. } = went {
                    hit = hit.target(start, end);
                }
                out.push(hit);
            }
        }
        if !consistency_on {
            return (out, uses);
        }
        let mut done: Vec<usize> = Vec::new();
        for sh in &src_hits {
            let e = sh.entry;
            if done.contains(&e) {
                continue;
            }
            done.push(e);
            let keys = &self.approved_keys[e];
            if keys.len() < 2 {
                continue; // Only entries with two or more approved variants can be inconsistent.
            }
            let used: Vec<usize> = (0..keys.len())
                .filter(|&i| present.contains(&keys[i]))
                .collect();
            for &vi in &used {
                // The first target hit of this variant gives the position.
                let Some(th) = tgt_hits
                    .iter()
                    .find(|h| !h.forbidden && match_key(&h.variant) == keys[vi])
                else {
                    continue;
                };
                let (line, column) = seg
                    .target
                    .as_ref()
                    .map(|t| t.position(th.start))
                    .unwrap_or((seg.line, 1));
                let detail = format!("{}\u{1}{}", self.entry_key(e), keys[vi]);
                uses.push(Use(
                    e,
                    vi,
                    Occurrence {
                        segment: seg.number,
                        segment_id: seg.id.clone(),
                        line,
                        column,
                        start: th.start,
                        end: th.end,
                        matched: th.matched.clone().into_boxed_str(),
                        fingerprint: u64::from_str_radix(
                            &fingerprint(
                                Rule::TermInconsistent,
                                Some(source),
                                Some(target),
                                &detail,
                            ),
                            16,
                        )
                        .unwrap_or(0),
                    },
                ));
            }
        }
        (out, uses)
    }
}

impl TermUses {
    /// Remember the uses of one segment.
    pub fn record(&mut self, uses: Vec<Use>) {
        for Use(e, vi, o) in uses {
            self.uses
                .entry(e)
                .or_default()
                .entry(vi)
                .or_default()
                .push(o);
        }
    }

    /// The term-inconsistent findings of the whole draft, in segment order.
    pub fn finish(&mut self, rules: &TermRules<'_>, file: &str) -> Vec<Finding> {
        let glossary: &Glossary = &rules.glossary;
        let target_range = &rules.target_range;
        let mut out = Vec::new();
        let mut entries: Vec<usize> = self.uses.keys().copied().collect();
        entries.sort_unstable();
        for e in entries {
            // Variants with different qualifiers render different referents (차관 for
            // the ROK, 부부장 for the PRC): each qualifier is a draft choice of its own;
            // the unqualified variants form one group, as before qualifiers existed.
            let quals = &rules.qualifiers[e];
            let mut groups: Vec<(Option<&str>, ByVariant)> = Vec::new();
            let mut used: Vec<usize> = self.uses[&e].keys().copied().collect();
            used.sort_unstable();
            for vi in used {
                let q = quals.get(vi).and_then(|q| q.as_deref());
                let occ = self.uses[&e][&vi].clone();
                match groups.iter_mut().find(|(g, _)| *g == q) {
                    Some((_, m)) => {
                        m.insert(vi, occ);
                    }
                    None => groups.push((q, HashMap::from([(vi, occ)]))),
                }
            }
            for (_, by_variant) in &groups {
                out.extend(inconsistent(glossary, target_range, e, by_variant, file));
            }
        }
        out.sort_by_key(|f| (f.segment, f.column()));
        out
    }
}

/// Approved variant index → its uses.
type ByVariant = HashMap<usize, Vec<Occurrence>>;

/// The term-inconsistent findings of entry `e` among variants of one referent
/// (`by_variant`: approved variant index → its uses).
fn inconsistent(
    glossary: &Glossary,
    target_range: &LangRange,
    e: usize,
    by_variant: &ByVariant,
    file: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if by_variant.len() < 2 {
        return out;
    }
    let (&chosen, _) = by_variant
        .iter()
        .max_by(|(va, a), (vb, b)| a.len().cmp(&b.len()).then(vb.cmp(va)))
        .expect("two or more variants");
    let chosen_text = glossary.entries[e]
        .approved(target_range)
        .get(chosen)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let chosen_count = by_variant[&chosen].len();
    let first_line = by_variant[&chosen]
        .iter()
        .map(|o| o.line)
        .min()
        .unwrap_or(0);
    let entry_name = glossary.entries[e]
        .id
        .clone()
        .or_else(|| {
            glossary.entries[e]
                .terms
                .first()
                .and_then(|(_, s)| s.preferred().map(str::to_string))
        })
        .unwrap_or_default();
    for (&vi, occ) in by_variant {
        if vi == chosen {
            continue;
        }
        for o in occ {
            out.push(Finding {
                code: Code::Lint(Rule::TermInconsistent),
                severity: Rule::TermInconsistent.severity(),
                message: format!(
                    "{} renders {entry_name} here, but the draft uses {chosen_text} ({chosen_count}×, first at line {first_line}): use one variant throughout",
                    o.matched
                ),
                location: Location {
                    path: file.into(),
                    line: Some(o.line),
                    column: Some(o.column),
                },
                segment: Some(o.segment),
                segment_id: o.segment_id.clone(),
                source_span: None,
                target_span: Some(Span {
                    start: o.start,
                    end: o.end,
                    line: o.line,
                    column: o.column,
                    text: o.matched.to_string(),
                }),
                suggestion: Some(chosen_text.clone()),
                source: None,
                target: None,
                second_target: None,
                second_target_span: None,
                fingerprint: format!("{:016x}", o.fingerprint),
            });
        }
    }
    out
}

/// The target of one segment, for the presence checks of term-missing.
struct Ctx<'a> {
    hits: &'a [TermHit],
    /// The entries found in the source.
    source_entries: Vec<usize>,
    /// The entries the source names: its terms, the entries their `also:` links and
    /// their containment name (DPRK of "DPRK Foreign Minister"), and the countries of
    /// its demonyms.
    named: Vec<usize>,
    /// The target's matching key (Korean targets only).
    keyed: Option<KeyedText>,
    chars: Vec<char>,
}

/// Bodies whose "President of" is their presiding officer, not a head of state.
const PRESIDED_BODIES: &[&str] = &[
    "Congress",
    "Assembly",
    "Parliament",
    "Senate",
    "Council",
    "Commission",
    "Court",
    "Board",
    "University",
    "College",
    "Club",
    "Federation",
    "Association",
    "Society",
    "Bank",
    "Committee",
    "Conference",
];

/// A place in the target: start and end, in characters.
type Sp = (usize, usize);

/// English adjectives of countries, by the country's English glossary term: they are no
/// glossary terms, but Korean and Chinese render them with the country's name or
/// abbreviation (중국인, 中方, 중일 for Sino-Japanese, 미 대사관 for American envoys).
const DEMONYMS: &[(&str, &[&str])] = &[
    ("China", &["Chinese", "Sino"]),
    ("Japan", &["Japanese"]),
    ("United States", &["American"]),
    ("North Korea", &["North Korean"]),
    ("South Korea", &["South Korean"]),
    ("Russia", &["Russian"]),
    ("United Kingdom", &["British"]),
    ("France", &["French"]),
    ("Germany", &["German"]),
    ("Taiwan", &["Taiwanese"]),
];

/// How a target renders one source occurrence of a glossary term
/// ([`TermRules::renderings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rendered {
    /// By these places of the target (an approved variant, or another rendering).
    By(Vec<Sp>),
    /// Not rendered, and the target holds this forbidden variant of the entry.
    Forbidden(Sp, String),
    /// Not rendered, and one of term-missing's exceptions applies.
    Exempt,
    /// Not rendered: term-missing reports it.
    Missing,
}

/// Abbreviations before a period that does not end an English sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "col", "lt", "sen", "rep", "gov", "prof",
    "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "etc", "approx", "dept", "est", "fig", "mt",
];

/// The index of the sentence of `text` that holds the character at `pos`: sentences end
/// at `.`, `!`, `?` (or `。！？`) followed, after closing quotes or brackets, by white
/// space and a character that is not a lower-case letter; a period after an initial, an
/// abbreviation with periods (U.S.) or a listed abbreviation (Mr., Gen.) ends none.
fn sentence_index(text: &str, pos: usize) -> usize {
    let t: Vec<char> = text.chars().collect();
    let mut n = 0;
    let mut i = 0;
    while i < pos.min(t.len()) {
        let c = t[i];
        if "。！？".contains(c) {
            n += 1;
        } else if ".!?".contains(c) {
            let mut j = i + 1;
            while j < t.len() && "\"'”’)]".contains(t[j]) {
                j += 1;
            }
            let spaced = j < t.len() && t[j].is_whitespace();
            while j < t.len() && t[j].is_whitespace() {
                j += 1;
            }
            let next_ok = j < t.len() && !t[j].is_lowercase();
            let word: String = t[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_alphanumeric() || **c == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let abbreviation = c == '.'
                && (word.chars().count() <= 1
                    || word.contains('.')
                    || ABBREVIATIONS.contains(&word.to_lowercase().as_str()));
            if spaced && next_ok && !abbreviation && j <= pos {
                n += 1;
            }
        }
        i += 1;
    }
    n
}

/// Characters that may join abbreviations of a run (한·중, 中、美, 韩-美).
const ABBR_SEPARATORS: &[char] = &['·', '・', '‧', '-', '、', '/'];
/// Sino-Korean bound prefixes before a country abbreviation: 對 (대북), 駐 (주한), 在
/// (재일), 訪 (방한), 親 (친중), 反 (반미), 脫 (탈북).
const KO_ABBR_PREFIXES: &[char] = &['대', '주', '재', '방', '친', '반', '탈'];
/// Korean country abbreviations that stand as a word of their own before a noun (미
/// 국방부, 미 해군, 북 외무성, 러 외무부).
const KO_STANDALONE_ABBR: &[char] = &['미', '북', '러'];
/// The Korean prefixes of place among [`KO_ABBR_PREFIXES`]: 駐, 在, 訪, 脫
/// (`place-prefix`).
const KO_PLACE_PREFIXES: &[char] = &['주', '재', '방', '탈'];
/// The Chinese prefixes of place among [`ZH_ABBR_PREFIXES`] (`place-prefix`).
const ZH_PLACE_PREFIXES: &[char] = &['驻', '在', '赴', '访', '来', '旅', '离'];
/// English words before a place that a prefix of place renders (*ambassador to*, *in*,
/// *visit*, *fled*...).
const PLACE_WORDS: &[&str] = &[
    "to",
    "in",
    "at",
    "into",
    "inside",
    "within",
    "across",
    "throughout",
    "from",
    "visit",
    "visits",
    "visited",
    "visiting",
    "tour",
    "tours",
    "toured",
    "touring",
    "leave",
    "leaves",
    "left",
    "leaving",
    "fled",
    "flee",
    "flees",
    "fleeing",
    "escape",
    "escaped",
    "escapes",
    "escaping",
    "defect",
    "defected",
    "defects",
    "defecting",
    "quit",
    "exit",
];
/// Verbs of leaving before a place or a body (*leave the EU*): `also-after-leaving`.
const LEAVING_WORDS: &[&str] = &[
    "leave", "leaves", "leaving", "left", "quit", "quits", "quitting", "exit", "exits", "exiting",
];
/// Nouns and verbs before "from" that make it a leaving (*withdrawal from the EU*).
const LEAVING_FROM: &[&str] = &[
    "withdraw",
    "withdraws",
    "withdrew",
    "withdrawn",
    "withdrawing",
    "withdrawal",
    "departure",
    "exit",
    "secession",
    "secede",
    "split",
    "divorce",
];

/// The last two words of `source` before character `start`, lower case, the articles
/// left out (for `place-prefix` and `also-after-leaving`).
fn words_before(source: &str, start: usize) -> Vec<String> {
    let head: String = source.chars().take(start).collect();
    let mut words: Vec<String> = head
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "the" | "a" | "an"))
        .collect();
    let n = words.len();
    words.drain(..n.saturating_sub(2));
    words
}

/// True when the occurrence follows a word a prefix of place renders (`place-prefix`).
fn after_place_word(before: &[String]) -> bool {
    let last = before.last().map(String::as_str).unwrap_or("");
    PLACE_WORDS.contains(&last) || (last == "of" && before.len() == 2 && before[0] == "out")
}

/// True when the occurrence follows a verb of leaving (`also-after-leaving`).
fn after_leaving(before: &[String]) -> bool {
    let last = before.last().map(String::as_str).unwrap_or("");
    let prev = if before.len() == 2 {
        before[0].as_str()
    } else {
        ""
    };
    LEAVING_WORDS.contains(&last)
        || (last == "of" && prev == "out")
        || (last == "from" && (LEAVING_FROM.contains(&prev) || LEAVING_WORDS.contains(&prev)))
}

/// Chinese bound prefixes before a country abbreviation: 对华, 驻韩, 在华, 赴韩, 访华,
/// 来华, 旅日, 离华, 亲美, 反日, 抗日, 援朝, 涉华.
const ZH_ABBR_PREFIXES: &[char] = &[
    '对', '驻', '在', '赴', '访', '来', '旅', '离', '亲', '反', '抗', '援', '涉',
];
/// English modifiers that make a longer title or name another referent: a Vice
/// Minister is not a Minister, North Korea is not Korea.
const OTHER_REFERENT: &[&str] = &[
    "vice",
    "deputy",
    "assistant",
    "under",
    "associate",
    "prime",
    "former",
    "ex",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "non",
    "anti",
];
/// Prepositions after the head of an English noun phrase (Minister *of* Foreign Affairs).
const HEAD_PREPOSITIONS: &[&str] = &["of", "for", "to", "on", "in", "at", "with"];
/// Function words a phrase may hold besides its component terms.
const FUNCTION_WORDS: &[&str] = &[
    "of", "the", "a", "an", "and", "for", "on", "in", "to", "at", "with", "'s",
];

impl Links {
    fn new(glossary: &Glossary, source: Option<&LangRange>, target: &LangRange) -> Links {
        let n = glossary.entries.len();
        let mut links = Links {
            containers: vec![Vec::new(); n],
            components: HashMap::new(),
            also: vec![Vec::new(); n],
            abbr: vec![Vec::new(); n],
            all_abbr: Vec::new(),
        };
        for (i, e) in glossary.entries.iter().enumerate() {
            if let Some(v) = e.prop("lint") {
                for tok in v.split(['|', ',', ' ']) {
                    if let Some(id) = tok.trim().strip_prefix("also:") {
                        if let Some((x, _)) = glossary.by_id(id) {
                            if x != i {
                                links.also[i].push(x);
                            }
                        }
                    }
                }
            }
            if let Some(v) = e.prop("abbr") {
                for item in v.split('|') {
                    let Some((tag, form)) = item.split_once(':') else {
                        continue;
                    };
                    let Ok(tag) = crate::lang::LangTag::parse(tag.trim()) else {
                        continue;
                    };
                    let form: Vec<char> = form.trim().chars().collect();
                    if !form.is_empty() && target.matches(&tag) {
                        links.abbr[i].push(form.clone());
                        links.all_abbr.push((form, i));
                    }
                }
            }
        }
        let Some(source) = source else {
            return links;
        };
        // Source variant key → entries.
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut variants: Vec<(usize, String)> = Vec::new();
        for (i, e) in glossary.entries.iter().enumerate() {
            for v in e.approved(source) {
                let k = match_key(v);
                let list = by_key.entry(k.clone()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
                variants.push((i, k));
            }
        }
        let lookup = |words: &[&str], not: usize| -> Option<usize> {
            let k = words.join(" ");
            let find = |k: &str| {
                by_key
                    .get(k)
                    .and_then(|l| l.iter().copied().find(|&x| x != not))
            };
            find(&k).or_else(|| k.strip_suffix('s').and_then(find))
        };
        for (s, k) in &variants {
            let words: Vec<&str> = k.split(' ').collect();
            let n = words.len();
            if n < 2 {
                continue;
            }
            // Containment.
            for i in 0..n {
                for j in i + 1..=n {
                    if j - i == n {
                        continue;
                    }
                    let Some(list) = by_key.get(&words[i..j].join(" ")) else {
                        continue;
                    };
                    if i > 0 && OTHER_REFERENT.contains(&words[i - 1]) {
                        continue;
                    }
                    // The last words are the head unless a preposition comes before them
                    // (in "Democratic People's Republic of Korea" Korea is a complement).
                    let complement = words[..i].iter().any(|w| HEAD_PREPOSITIONS.contains(w));
                    let head = (j == n && !complement)
                        || (i == 0 && HEAD_PREPOSITIONS.contains(&words[j]));
                    for &g in list {
                        if g != *s && !links.containers[g].iter().any(|&(c, _)| c == *s) {
                            links.containers[g].push((*s, head));
                        } else if g != *s && head {
                            for c in links.containers[g].iter_mut().filter(|(c, _)| c == s) {
                                c.1 = true;
                            }
                        }
                    }
                }
            }
            // Components: longest entries first, left to right; only function words
            // may be left over.
            let mut parts = Vec::new();
            let mut i = 0;
            let mut whole = true;
            while i < n {
                let found = (i + 1..=n)
                    .rev()
                    .filter(|&j| j - i < n)
                    .find_map(|j| lookup(&words[i..j], *s).map(|x| (j, x)));
                match found {
                    Some((j, x)) => {
                        parts.push(x);
                        i = j;
                    }
                    None if FUNCTION_WORDS.contains(&words[i]) => i += 1,
                    None => {
                        whole = false;
                        break;
                    }
                }
            }
            if whole && parts.len() >= 2 {
                links.components.insert((*s, k.clone()), parts);
            }
        }
        links
    }
}

/// The places where the approved variant `term` of entry `e` occurs in the Korean target
/// inside a word written together (중국대사, 대북특별대표, 관세율) and no longer term of
/// another entry covers it (대사 inside 대사관 is the embassy's when the glossary has
/// it), as spans of the original text.
fn inside_word(kt: &KeyedText, term: &str, e: usize, hits: &[TermHit]) -> Vec<Sp> {
    let mut out = Vec::new();
    if term.chars().count() < 2 {
        return out;
    }
    let mut from = 0;
    while let Some(p) = kt.key[from..].find(term) {
        let at = from + p;
        let ks = kt.key[..at].chars().count();
        let ke = ks + term.chars().count();
        let (os, oe) = kt.original_span(ks, ke);
        let covered = hits
            .iter()
            .any(|h| h.entry != e && h.start < oe && os < h.end && (h.start < os || h.end > oe));
        if !covered {
            out.push((os, oe));
        }
        from = at + term.len();
    }
    out
}

/// The places where the target holds `term` (an approved variant of entry `e`) cut in
/// two by the term of another entry (常驻联合国代表 for 常驻代表 with 联合国 inserted,
/// 주유엔 대한민국 대표부 대사 for 주유엔 대표부 대사), white space around the insertion
/// aside. Both halves must be at least two characters long. The span runs from the
/// first half to the end of the second.
fn interrupted(t: &[char], term: &str, e: usize, hits: &[TermHit]) -> Vec<Sp> {
    let mut out = Vec::new();
    let k: Vec<char> = term.chars().collect();
    if k.len() < 4 {
        return out;
    }
    // The insertions: other entries' terms, and glosses in brackets without Hangul or
    // Han (신화(Xinhua)통신).
    let mut inserted: Vec<Sp> = hits
        .iter()
        .filter(|h| h.entry != e && !h.forbidden)
        .map(|h| (h.start, h.end))
        .collect();
    // Quotation marks around a part (美国“国防部”).
    inserted.extend(
        t.iter()
            .enumerate()
            .filter(|(_, c)| "\"“”「」『』".contains(**c))
            .map(|(i, _)| (i, i + 1)),
    );
    let mut i = 0;
    while i < t.len() {
        if t[i] == '(' || t[i] == '（' {
            if let Some(j) = t[i..].iter().position(|c| *c == ')' || *c == '）') {
                let inner = &t[i + 1..i + j];
                if !inner.is_empty()
                    && inner
                        .iter()
                        .all(|c| !matches!(script_of(*c), Script::Hangul | Script::Han))
                {
                    inserted.push((i, i + j + 1));
                }
                i += j;
            }
        }
        i += 1;
    }
    for (hs, he) in inserted {
        let mut before = hs;
        while before > 0 && t[before - 1] == ' ' {
            before -= 1;
        }
        let mut after = he.min(t.len());
        while after < t.len() && t[after] == ' ' {
            after += 1;
        }
        for cut in 2..=k.len() - 2 {
            let (a, b) = (&k[..cut], &k[cut..]);
            let a = trim_spaces(a);
            let b = trim_spaces(b);
            if a.is_empty() || b.is_empty() {
                continue;
            }
            if before >= a.len()
                && &t[before - a.len()..before] == a
                && t.len() >= after + b.len()
                && &t[after..after + b.len()] == b
            {
                out.push((before - a.len(), after + b.len()));
                break;
            }
        }
    }
    out
}

fn trim_spaces(s: &[char]) -> &[char] {
    let mut a = 0;
    let mut b = s.len();
    while a < b && s[a] == ' ' {
        a += 1;
    }
    while b > a && s[b - 1] == ' ' {
        b -= 1;
    }
    &s[a..b]
}

/// The places (character spans of the key) where `term` occurs in the Korean `key` right
/// after the prefix 주 (駐, "resident in") at the start of a word: 주중국 대사 holds
/// 중국, 주유엔 대표부 holds 유엔. The recognizer reads compounds from their head only,
/// so term-missing looks for this one productive prefix itself.
fn after_ju(key: &str, term: &str) -> Vec<Sp> {
    let mut out = Vec::new();
    let needle = format!("주{term}");
    let mut from = 0;
    while let Some(p) = key[from..].find(&needle) {
        let at = from + p;
        let word_start = key[..at]
            .chars()
            .next_back()
            .map(|c| !crate::text::script_of(c).eq(&crate::text::Script::Hangul))
            .unwrap_or(true);
        if word_start {
            let s = key[..at].chars().count() + 1;
            out.push((s, s + term.chars().count()));
        }
        from = at + needle.len();
    }
    out
}

/// The places (character spans of the key) where `term` is in `key` written with other
/// spacing (정상 회담 for 정상회담, 외교부장관 for 외교부 장관): Korean spacing of
/// compound nouns varies.
fn spacing_variant(key: &str, term: &str) -> Vec<Sp> {
    let mut out = Vec::new();
    let squeezed: String = term.chars().filter(|c| *c != ' ').collect();
    if squeezed.chars().count() < 3 {
        return out;
    }
    // Character index in the key of every non-space character.
    let mut map: Vec<usize> = Vec::new();
    let mut flat = String::new();
    for (i, c) in key.chars().enumerate() {
        if c != ' ' {
            flat.push(c);
            map.push(i);
        }
    }
    let key_chars: Vec<char> = key.chars().collect();
    let term_chars: Vec<char> = term.chars().collect();
    let len = squeezed.chars().count();
    let mut from = 0;
    while let Some(p) = flat[from..].find(&squeezed) {
        let at = from + p;
        let start_char = flat[..at].chars().count();
        let (a, b) = (map[start_char], map[start_char + len - 1] + 1);
        if key_chars[a..b] != term_chars[..] {
            out.push((a, b));
        }
        from = at + squeezed.len();
    }
    out
}

/// `word` in `text` as a whole word (case-sensitive).
pub(crate) fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(p) = text[from..].find(word) {
        let at = from + p;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.map(|c| !c.is_ascii_alphanumeric()).unwrap_or(true);
        if edge(before) && edge(after) {
            return true;
        }
        from = at + word.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;
    use crate::lang::LangTag;
    use crate::lint::{Langs, Linter, RuleSelection};
    use std::path::Path;

    const GLOSSARY: &str = "id,en,ko,zh,en:forbidden,ko:forbidden,zh:forbidden,note,domain,case,strict
dprk,DPRK|North Korea,북한,朝鲜,,북조선,北韩|北朝鲜,,,,ko
rok,Republic of Korea|ROK,대한민국|한국,韩国|大韩民国,,남조선,南朝鲜,,,,
korean_peninsula,Korean Peninsula,한반도,朝鲜半岛,,조선반도,韩半岛,,,,
special_representative,Special Representative,특별대표,特别代表,,,,,,,
sr_peace,Special Representative for Korean Peninsula Peace and Security Affairs,한반도평화교섭본부장,韩半岛和平交涉本部长,,,,,,,
";

    fn glossary() -> Glossary {
        Glossary::from_csv_str(GLOSSARY, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    fn lint(g: &Glossary, target: &str, rows: &[(&str, &str)]) -> Vec<Finding> {
        let langs = Langs {
            source: Some(LangTag::parse("en").unwrap()),
            target: LangTag::parse(target).unwrap(),
        };
        let mut l = Linter::new("d.tsv", langs, RuleSelection::default()).with_glossary(g);
        let mut out = Vec::new();
        for (i, (s, t)) in rows.iter().enumerate() {
            out.extend(
                l.check(&Segment::new(i as u64 + 1, Some(s), Some(t)))
                    .unwrap(),
            );
        }
        out.extend(l.finish());
        out
    }

    fn ids(f: &[Finding]) -> Vec<(u64, &'static str)> {
        f.iter()
            .map(|f| (f.segment.unwrap(), f.code.id()))
            .collect()
    }

    #[test]
    fn term_missing_hit_and_non_hit() {
        let g = glossary();
        let f = lint(
            &g,
            "ko",
            &[("The Special Representative arrived.", "특사가 도착했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("특별대표"));
        assert_eq!(
            f[0].source_span.as_ref().unwrap().text,
            "Special Representative"
        );
        // Particles and plurals.
        let f = lint(
            &g,
            "ko",
            &[(
                "The Special Representatives arrived.",
                "특별대표들이 도착했다.",
            )],
        );
        assert!(f.is_empty(), "{f:#?}");
        let f = lint(
            &g,
            "ko",
            &[("The DPRK's missile launch.", "북한의 미사일 발사.")],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn korean_prefix_ju() {
        let g = Glossary::from_csv_str(
            "id,en,ko,zh\nchina,China,중국,中国\n",
            Path::new("g.csv"),
            &CsvOptions::default(),
        )
        .unwrap();
        let f = lint(
            &g,
            "ko",
            &[("The Ambassador to China spoke.", "주중국 대사가 말했다.")],
        );
        assert!(f.is_empty(), "{f:#?}");
        // No 중국 at all: missing. (자주중국 now passes through `inside_word`: a term
        // written together with other syllables counts in Korean.)
        let f = lint(
            &g,
            "ko",
            &[("The Ambassador to China spoke.", "자주국 대사가 말했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert_eq!(after_ju("주유엔 대표부", "유엔"), vec![(1, 3)]);
        assert!(after_ju("미주유엔", "유엔").is_empty());
    }

    #[test]
    fn exemptions_from_term_missing() {
        let g = Glossary::from_csv_str(
            "id,en,ko,zh,domain\npresident,President,대통령,总统,title\nnato,NATO,북대서양조약기구|나토,北约,org\nsummit,summit,정상회담,峰会,event\nreceived,received,접견,会见,phrase\n",
            Path::new("g.csv"),
            &CsvOptions::default(),
        )
        .unwrap();
        // Still an error: the title as a title.
        let f = lint(&g, "ko", &[("President Moon spoke.", "문 총리가 말했다.")]);
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        for (s, t) in [
            ("He was president of the company.", "그는 회사 사장이었다."),
            ("The President-elect spoke.", "당선인이 말했다."),
            ("They joined NATO.", "그들은 NATO에 가입했다."),
            ("A second summit.", "두 번째 정상 회담."),
            ("She received a pass.", "그녀는 패스를 받았다."),
        ] {
            let f = lint(&g, "ko", &[(s, t)]);
            assert!(f.is_empty(), "{s}: {f:#?}");
        }
        // NATO spelled in a word is not the acronym kept.
        let f = lint(
            &g,
            "ko",
            &[("They joined NATO.", "그들은 NATOS에 가입했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert_eq!(
            spacing_variant("두 번째 정상 회담", "정상회담"),
            vec![(5, 10)]
        );
        assert!(spacing_variant("정상회담", "정상회담").is_empty());
    }

    /// A glossary with the links term-missing follows: containers, components,
    /// abbreviations, `also:` and Korean compounds.
    const LINKED: &str = "id,en,ko,zh,note,domain,strict,lint,abbr
minister,Minister,장관,部长,,title,,,
foreign-minister,Foreign Minister,외교부 장관|외교장관,外交部长|外长,,title,,,
vice-minister,Vice Minister,차관|부부장,副部长,,title,,,
special-representative,Special Representative,특별대표,特别代表,,title,,,
sr-peace,Special Representative for Korean Peninsula Peace and Security Affairs,한반도평화교섭본부장,韩半岛和平交涉本部长,,title,,,
korean-peninsula,Korean Peninsula,한반도,朝鲜半岛,,place,,,
dprk,DPRK|North Korea,북한,朝鲜,,place,ko,,ko:북|zh:朝
rok,Republic of Korea|Korea,대한민국|한국,大韩民国|韩国,,place,,,ko:한|zh:韩
china,China,중국,中国,,place,,,ko:중|zh:中|zh:华
usa,United States|US,미국,美国,,place,,,ko:미|zh:美
un,United Nations|UN,유엔,联合国,,org,,,
security-council,Security Council|UN Security Council,안전보장이사회|안보리,安理会|联合国安理会,,org,,,
denuclearization,denuclearization,비핵화,无核化,,policy,,,
complete-denuclearization,complete denuclearization,완전한 비핵화,完全无核化,,policy,,,
denuclearization-peninsula,denuclearization of the Korean Peninsula,한반도 비핵화,朝鲜半岛无核化,,policy,,,
un-charter,UN Charter,유엔 헌장,联合国宪章,,treaty,,,
ambassador,Ambassador,대사,大使,,title,ko,,
embassy,embassy,대사관,大使馆,,org,,,
washington,Washington,워싱턴,华盛顿,,place,,also:usa,
beijing,Beijing,베이징,北京,,place,,,
permanent-representative,Permanent Representative,상주대표,常驻代表,,title,,,
pyongyang,Pyongyang,평양,平壤,,place,,also:dprk,
us-navy,US Navy,미 해군|미국 해군,美国海军,,org,,,
eu,European Union|EU,유럽연합|EU,欧洲联盟|欧盟,,org,,also:brexit,
uk,United Kingdom|UK,영국,英国,,place,,,ko:영|zh:英
brexit,Brexit,브렉시트,脱欧|英国脱欧|退欧,,policy,,,
nbc,NBC News,NBC 뉴스,美国国家广播公司|NBC新闻,,org,,,
";

    fn linked() -> Glossary {
        Glossary::from_csv_str(LINKED, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    fn missing(target: &str, s: &str, t: &str) -> Vec<String> {
        lint(&linked(), target, &[(s, t)])
            .iter()
            .filter(|f| f.code == Rule::TermMissing)
            .map(|f| f.source_span.as_ref().unwrap().text.clone())
            .collect()
    }

    #[test]
    fn a_longer_entry_with_the_term_as_head_satisfies_it() {
        // Minister → 外长 (Foreign Minister), Special Representative → the full title.
        assert!(missing("zh", "Minister Han spoke.", "韩外长表示。").is_empty());
        assert!(missing(
            "ko",
            "Special Representative Choi will visit.",
            "최윤석 한반도평화교섭본부장이 방문한다."
        )
        .is_empty());
        // A Vice Minister is not a Minister: 副部长 does not satisfy "Minister".
        assert_eq!(
            missing("zh", "Minister Liu spoke.", "刘副部长表示。"),
            vec!["Minister"]
        );
        // North Korea is not Korea.
        assert_eq!(
            missing("ko", "Korea spoke.", "북한이 말했다."),
            vec!["Korea"]
        );
        // Still an error with no rendering at all.
        assert_eq!(
            missing("zh", "Minister Han spoke.", "韩某表示。"),
            vec!["Minister"]
        );
    }

    #[test]
    fn a_modifier_inside_the_longer_rendering_satisfies_it() {
        // 联合国 inside 联合国安理会 (UN Security Council) renders "UN".
        assert!(missing("zh", "The UN and its Security Council.", "联合国安理会。").is_empty());
        // 朝鲜 inside 朝鲜半岛 does not render DPRK: Korean Peninsula does not contain it.
        assert_eq!(
            missing("zh", "The DPRK and the Korean Peninsula.", "朝鲜半岛。"),
            vec!["DPRK"]
        );
    }

    #[test]
    fn phrases_made_of_entries() {
        // denuclearization of the Korean Peninsula = korean-peninsula + denuclearization,
        // and 完全无核化 (complete denuclearization) holds denuclearization as its head.
        assert!(missing(
            "zh",
            "The complete denuclearization of the Korean Peninsula.",
            "朝鲜半岛完全无核化。"
        )
        .is_empty());
        assert!(missing(
            "ko",
            "The complete denuclearization of the Korean Peninsula.",
            "한반도의 완전한 비핵화."
        )
        .is_empty());
        // A component missing: the phrase is missing.
        assert_eq!(
            missing(
                "ko",
                "The denuclearization of the Korean Peninsula.",
                "완전한 비핵화."
            ),
            vec!["denuclearization of the Korean Peninsula"]
        );
        // "Charter" is no entry: UN Charter does not decompose, 联合国 alone is not it.
        assert_eq!(
            missing("zh", "The UN Charter.", "联合国章程。"),
            vec!["UN Charter"]
        );
        // Leftover content words (Peace, Security, Affairs): no decomposition.
        assert_eq!(
            missing(
                "ko",
                "The Special Representative for Korean Peninsula Peace and Security Affairs.",
                "한반도 특별대표."
            ),
            vec!["Special Representative for Korean Peninsula Peace and Security Affairs"]
        );
    }

    #[test]
    fn korean_terms_inside_words() {
        for (s, t) in [
            ("The Chinese Ambassador to Korea.", "주한 중국대사."),
            (
                "The Special Representative for North Korea.",
                "대북특별대표.",
            ),
        ] {
            assert!(missing("ko", s, t).is_empty(), "{s}");
        }
        // 대사 inside 대사관 belongs to the embassy entry. (The trade-off: in 중국대사관
        // the recognizer does not see 대사관, which does not start a word, so 대사
        // satisfies "Ambassador" there.)
        assert_eq!(
            missing("ko", "The Ambassador.", "중국 대사관."),
            vec!["Ambassador"]
        );
        // Not in Chinese: 使 of 大使 alone is nothing.
        assert_eq!(
            missing("zh", "The Ambassador.", "使馆。"),
            vec!["Ambassador"]
        );
        assert!(!spacing_variant("북한 핵 문제", "북한 핵문제").is_empty());
    }

    #[test]
    fn country_abbreviations() {
        for (lang, s, t) in [
            ("ko", "Korea and China agreed.", "한중 양국은 합의하였다."),
            ("ko", "Korea, China and the United States.", "한·중·미 3국."),
            ("ko", "Aid to North Korea.", "대북 지원."),
            ("ko", "Investment in Korea.", "방한 투자."),
            ("zh", "Korea and China agreed.", "韩中两国同意。"),
            ("zh", "China calls for restraint.", "中方呼吁克制。"),
            ("zh", "Investment in China.", "对华投资。"),
            ("zh", "Tourists visiting Korea.", "赴韩游客。"),
        ] {
            assert!(missing(lang, s, t).is_empty(), "{s} → {t}");
        }
        for (lang, s, t, term) in [
            // 中 alone is no abbreviation; 日 after a number is a date.
            ("zh", "China agreed.", "其中同意。", "China"),
            (
                "zh",
                "The United States agreed on the 14th.",
                "14日美元。",
                "United States",
            ),
            // 华 of 华盛顿 belongs to Washington.
            (
                "zh",
                "China sent a team to Washington.",
                "在华盛顿。",
                "China",
            ),
            // 한 is not at the start of a word: 자한중.
            ("ko", "Korea and China.", "자한중.", "Korea"),
        ] {
            assert!(missing(lang, s, t).contains(&term.to_string()), "{s} → {t}");
        }
    }

    /// `inside-a-taken-rendering`: a place inside the rendering another occurrence took
    /// renders nothing else (seeded NTREX rows: *Pyongyang* and *North Korea* with
    /// 평양 dropped; *Washington* beside the US Navy's 美国海军).
    #[test]
    fn abbreviation_inside_a_taken_rendering_renders_nothing_else() {
        let s = "He left Pyongyang, and North Korea denounced him.";
        assert!(missing("ko", s, "그는 평양을 떠났고 북한은 그를 비난했다.").is_empty());
        assert_eq!(
            missing("ko", s, "그는 떠났고 북한은 그를 비난했다."),
            ["Pyongyang"]
        );
        assert_eq!(missing("zh", s, "他离开了，朝鲜谴责了他。"), ["Pyongyang"]);
        let s = "Washington said the US Navy would sail.";
        assert!(missing("zh", s, "华盛顿表示美国海军将航行。").is_empty());
        assert_eq!(
            missing("zh", s, "有关方面表示美国海军将航行。"),
            ["Washington"]
        );
        assert_eq!(
            missing("ko", s, "관계자는 미국 해군이 항해할 것이라고 말했다."),
            ["Washington"]
        );
        // The metonym still takes a rendering of its country that nothing else took.
        assert!(missing("zh", "Washington said no.", "美国说不。").is_empty());
    }

    /// `pair-in-source`: an abbreviation in a run (朝美) renders a country only when the
    /// source names its neighbour's country too (NTREX: *the United States* dropped
    /// beside the translator's 朝美峰会 of a summit "between the rivals' leaders").
    #[test]
    fn run_abbreviation_needs_its_partner_in_the_source() {
        let s = "He called on the United States to keep the promises of the summit.";
        assert!(missing("zh", s, "他呼吁美国遵守朝美峰会的承诺。").is_empty());
        assert_eq!(
            missing("zh", s, "他呼吁有关方面遵守朝美峰会的承诺。"),
            ["United States"]
        );
        assert_eq!(
            missing("ko", s, "그는 북미 정상회담의 약속을 지키라고 촉구했다."),
            ["United States"]
        );
        // Both countries named: the run renders both.
        let s = "North Korea deepened its mistrust in the United States.";
        assert!(missing("zh", s, "朝鲜加深了朝美双方的不信任。").is_empty());
        assert!(missing(
            "zh",
            "Border controls between North Korea and China.",
            "中朝之间的边境管控。"
        )
        .is_empty());
    }

    /// `place-prefix`: after 驻, 访, 탈... an abbreviation renders an occurrence that
    /// follows a word such a prefix renders (NTREX: *China* dropped from "U.S.
    /// ambassador accuses China" beside 驻华大使; *North Korea* dropped from "between
    /// North Korea and China" beside the translator's 탈북).
    #[test]
    fn place_prefix_needs_a_place_word_in_the_source() {
        let s = "The U.S. ambassador accuses China of bullying.";
        assert!(missing("zh", s, "美国驻华大使指责中国霸凌。").is_empty());
        assert_eq!(missing("zh", s, "美国驻华大使指责霸凌。"), ["China"]);
        assert!(missing(
            "zh",
            "The U.S. ambassador to China spoke.",
            "美国驻华大使发言。"
        )
        .is_empty());
        let s = "Controls between North Korea and China, and the smugglers' fees.";
        assert!(missing("ko", s, "북한과 중국 사이의 통제와 탈북 브로커의 비용.").is_empty());
        assert_eq!(
            missing("ko", s, "과 중국 사이의 통제와 탈북 브로커의 비용."),
            ["North Korea"]
        );
        assert!(missing("ko", "Most people fled North Korea.", "대부분 탈북했다.").is_empty());
        assert!(missing(
            "ko",
            "Tourists who escaped from North Korea.",
            "탈북 관광객."
        )
        .is_empty());
    }

    /// `also-after-leaving`: *the EU* is rendered by Brexit's 脱欧 / 브렉시트 only after a
    /// verb of leaving (NTREX: 欧盟 dropped from "between the UK and EU on withdrawal"
    /// beside the 脱欧 of *withdrawal*, and from "Brexiteers, Remainers and the EU").
    #[test]
    fn also_link_to_brexit_only_after_leaving() {
        for (lang, s, t) in [
            (
                "zh",
                "Her plans to leave the European Union.",
                "她的脱欧计划。",
            ),
            (
                "zh",
                "Fears about leaving the EU without a deal.",
                "对无协议脱欧的担忧。",
            ),
            (
                "ko",
                "If the UK crashes out of the EU.",
                "영국이 브렉시트를 감행하면.",
            ),
            ("zh", "Its withdrawal from the EU.", "其脱欧。"),
        ] {
            assert!(missing(lang, s, t).is_empty(), "{s} → {t}");
        }
        let s = "Negotiations between the UK and EU on withdrawal have continued.";
        assert!(missing("zh", s, "英国和欧盟之间关于脱欧的谈判持续了。").is_empty());
        assert_eq!(missing("zh", s, "英国和之间关于脱欧的谈判持续了。"), ["EU"]);
        assert_eq!(
            missing(
                "zh",
                "Attacks from Brexiteers and the EU.",
                "英国退欧派和有关方面的攻击。"
            ),
            ["EU"]
        );
    }

    /// A name spelled out with a country in it is the name's (NTREX: 华盛顿 dropped
    /// beside 美国国家广播公司, *NBC News*; the glossary has the broadcaster).
    #[test]
    fn broadcaster_name_is_no_rendering_of_the_country() {
        let s = "Representatives filed a brief in Washington, NBC News reported.";
        assert!(missing(
            "zh",
            s,
            "据美国国家广播公司报道，代表们在华盛顿提交了摘要。"
        )
        .is_empty());
        assert_eq!(
            missing("zh", s, "据美国国家广播公司报道，代表们在提交了摘要。"),
            ["Washington"]
        );
    }

    #[test]
    fn also_links_and_interrupted_terms() {
        // Washington (also: usa) is rendered by 미국.
        assert!(missing("ko", "Talks in Washington.", "미국과의 협의.").is_empty());
        // Beijing has no link: 중국 does not render it.
        assert_eq!(
            missing("ko", "Talks in Beijing.", "중국과의 협의."),
            vec!["Beijing"]
        );
        // 常驻代表 with 联合国 inserted.
        assert!(missing(
            "zh",
            "The Permanent Representative to the United Nations.",
            "常驻联合国代表。"
        )
        .is_empty());
        assert_eq!(
            missing(
                "zh",
                "The Permanent Representative.",
                "常驻联合国官员代表。"
            ),
            vec!["Permanent Representative"]
        );
    }

    /// The issue-14 example: the source names "Special Representative" alone (one
    /// official) and inside the longer title (another official); the longer title is
    /// rendered, the lone one is not. The longer title's rendering belongs to its own
    /// occurrence, so the lone title is missing.
    #[test]
    fn lone_special_representative_beside_the_longer_title_is_missing() {
        let s = "Special Representative Kim met the Special Representative for Korean Peninsula Peace and Security Affairs.";
        assert_eq!(
            missing("ko", s, "김 특사는 한반도평화교섭본부장을 만났다."),
            vec!["Special Representative"]
        );
        assert_eq!(
            missing("zh", s, "金特使会见了韩半岛和平交涉本部长。"),
            vec!["Special Representative"]
        );
        // Both rendered: nothing.
        assert!(missing("ko", s, "김 특별대표는 한반도평화교섭본부장을 만났다.").is_empty());
        // The lone title alone is still rendered by the longer title (its head).
        assert!(missing(
            "ko",
            "Special Representative Choi will visit.",
            "최 한반도평화교섭본부장이 방문한다."
        )
        .is_empty());
    }

    /// One target rendering renders one source occurrence: 外长 renders "Foreign
    /// Minister", so it cannot also render the head "Minister" of another person.
    #[test]
    fn one_rendering_satisfies_one_occurrence() {
        assert_eq!(
            missing(
                "zh",
                "Minister Han met Foreign Minister Wang.",
                "王外长会见了韩某。"
            ),
            vec!["Minister"]
        );
        assert!(missing(
            "zh",
            "Minister Han met Foreign Minister Wang.",
            "王外长会见了韩部长。"
        )
        .is_empty());
        // Twice in the source, in two sentences, once in the target: the second
        // occurrence is missing (the repeat exception is for one sentence).
        let f = missing(
            "ko",
            "The Special Representative arrived. Later the Special Representative left.",
            "특별대표가 도착했다. 이후 특사가 떠났다.",
        );
        assert_eq!(f, vec!["Special Representative"]);
        let all = lint(
            &linked(),
            "ko",
            &[(
                "The Special Representative arrived. Later the Special Representative left.",
                "특별대표가 도착했다. 이후 특사가 떠났다.",
            )],
        );
        assert_eq!(all[0].source_span.as_ref().unwrap().start, 46, "{all:#?}");
        assert!(
            all[0].message.contains("occurs 2 times"),
            "{}",
            all[0].message
        );
        // Twice in two sentences and twice in the target: fine.
        assert!(missing(
            "ko",
            "The Special Representative arrived. Later the Special Representative left.",
            "특별대표가 도착했다. 이후 특별대표가 떠났다.",
        )
        .is_empty());
    }

    /// The named exceptions `kept-as-is` and `title-of-a-body`, and the renderings
    /// found in the corpora: 미 as a word of its own, a gloss in brackets or quotation
    /// marks inside a term, a complement that is no head.
    #[test]
    fn exceptions_and_renderings_from_the_corpora() {
        let g = Glossary::from_csv_str(
            "id,en,ko,zh,domain,lint,abbr,case
president,President,대통령,总统,title,,,
alliance,Alliance,동맹,同盟,org,,,
usa,United States|U.S.,미국,美国,place,,ko:미|zh:美,sensitive
dod,U.S. Department of Defense|Department of Defense,미 국방부|미국 국방부,美国国防部,institution,,,
usd,U.S. dollar,미국 달러,美元,economy,,,
xinhua,Xinhua,신화통신,新华社,org,,,
dprk,DPRK|Democratic People's Republic of Korea|North Korea,북한,朝鲜,place,,ko:북|zh:朝,
rok,Korea,한국,韩国,place,,ko:한|zh:韩,
",
            Path::new("g.csv"),
            &CsvOptions::default(),
        )
        .unwrap();
        let m = |t: &str, s: &str, d: &str| -> Vec<String> {
            lint(&g, t, &[(s, d)])
                .iter()
                .filter(|f| f.code == Rule::TermMissing)
                .map(|f| f.source_span.as_ref().unwrap().text.clone())
                .collect()
        };
        // kept-as-is: a name left in English.
        assert!(m(
            "ko",
            "The Consumer Energy Alliance met.",
            "Consumer Energy Alliance가 모였다."
        )
        .is_empty());
        assert_eq!(
            m(
                "ko",
                "The Consumer Energy Alliance met.",
                "소비자 에너지 연합이 모였다."
            ),
            vec!["Alliance"]
        );
        // An acronym with periods kept without them.
        assert!(m("ko", "The U.S. agreed.", "US가 동의했다.").is_empty());
        // title-of-a-body: the President of Congress presides over it.
        assert!(m(
            "ko",
            "The President of Congress signed.",
            "의회장이 서명했다."
        )
        .is_empty());
        assert_eq!(
            m(
                "ko",
                "The President of Korea signed.",
                "한국 의회장이 서명했다."
            ),
            vec!["President"]
        );
        // 미 as a word of its own; not glued to another word.
        assert!(m("ko", "The U.S. Navy said.", "미 해군은 말했다.").is_empty());
        assert_eq!(
            m("ko", "The U.S. Navy said.", "미해군은 말했다."),
            vec!["U.S."]
        );
        // 미 of 미 국방부 renders "United States" beside "U.S. Department of Defense".
        assert!(m(
            "ko",
            "The United States Strategic Command of the U.S. Department of Defense.",
            "미 국방부의 전략사령부."
        )
        .is_empty());
        assert!(m(
            "zh",
            "The United States Strategic Command of the U.S. Department of Defense.",
            "美国国防部战略司令部。"
        )
        .is_empty());
        // An abbreviation is borrowed from a longer rendering only when the source names
        // the longer concept: 美 of 美元 does not render "U.S." when the source says "$".
        assert_eq!(
            m(
                "zh",
                "Goods worth $200 billion come into the U.S.",
                "价值2000亿美元的商品进入。"
            ),
            vec!["U.S."]
        );
        // A gloss in brackets or quotation marks inside the term.
        assert!(m("ko", "Xinhua reported.", "신화(Xinhua)통신이 보도했다.").is_empty());
        assert!(m(
            "zh",
            "The U.S. Department of Defense said.",
            "美国“国防部”表示。"
        )
        .is_empty());
        assert_eq!(
            m("ko", "Xinhua reported.", "신화(새)통신이 보도했다."),
            vec!["Xinhua"]
        );
        // Korea is a complement of "Democratic People's Republic of Korea", not its head:
        // 朝鲜 does not render it.
        assert_eq!(
            m("zh", "Korea and the DPRK.", "朝鲜和朝鲜。"),
            vec!["Korea"]
        );
    }

    #[test]
    fn sentences_of_the_source() {
        let t = "The U.S. envoy met Mr. Kim. He left! \"Why?\" she asked. and then";
        let at = |w: &str| sentence_index(t, t.find(w).unwrap());
        assert_eq!(at("envoy"), 0);
        assert_eq!(at("Kim"), 0);
        assert_eq!(at("He"), 1);
        assert_eq!(at("Why"), 2);
        assert_eq!(at("she"), 2);
        assert_eq!(at("then"), 2);
        assert_eq!(sentence_index("北京。朝鲜", 3), 1);
    }

    /// The `repeat-in-sentence` exception of term-missing's accounting.
    #[test]
    fn twice_in_source_once_in_target_is_fine() {
        let g = glossary();
        let f = lint(
            &g,
            "ko",
            &[(
                "The Special Representative said the Special Representative will return.",
                "특별대표는 다시 돌아오겠다고 말했다.",
            )],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn longest_match_in_the_target() {
        let g = glossary();
        // 朝鲜 inside 朝鲜半岛 belongs to Korean Peninsula: DPRK is missing.
        let f = lint(
            &g,
            "zh",
            &[("The DPRK and the Korean Peninsula.", "朝鲜半岛。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert!(f[0].message.contains("DPRK"), "{}", f[0].message);
        // The whole title is one term; 韩半岛 inside it is not forbidden.
        let f = lint(
            &g,
            "zh",
            &[("The Special Representative for Korean Peninsula Peace and Security Affairs visited.", "韩半岛和平交涉本部长进行了访问。")],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn term_forbidden_hit_and_non_hit() {
        let g = glossary();
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "北韩发射了导弹。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("朝鲜"));
        assert_eq!(f[0].target_span.as_ref().unwrap().text, "北韩");
        // 北朝鲜 (forbidden) wins over 朝鲜 (approved) inside it: one finding.
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "北朝鲜发射了导弹。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "朝鲜发射了导弹。")],
        );
        assert!(f.is_empty());
    }

    /// Vice ministers of the ROK and of the PRC: distinct referents in one draft. The
    /// qualifier cell is written with NFD Hangul (a file saved on macOS).
    fn vice_ministers(qualifiers: bool) -> Glossary {
        let cell = "ko:\u{110E}\u{1161}\u{1100}\u{116A}\u{11AB}=ROK|ko:부부장=PRC|zh:次官=ROK|zh:副部长=PRC|zh-Hant:次長=TW|zh-Hant:副部長=PRC|ko:외교차관=ROK";
        let csv = format!(
            "id,en,ko,zh,zh-Hant,qualifier\nvice-minister,Vice Minister,차관|부부장|외교차관,副部长|次官,副部長|次長,\"{}\"\n",
            if qualifiers { cell } else { "" }
        );
        Glossary::from_csv_str(&csv, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    #[test]
    fn term_inconsistent_keeps_apart_variants_with_different_qualifiers() {
        let rows_ko = [
            (
                "Vice Minister Cho met Vice Minister Sun.",
                "조 차관은 쑨 부부장을 만났다.",
            ),
            ("The Vice Minister left.", "부부장은 떠났다."),
        ];
        // Without qualifiers the two variants are one referent: the minority is reported.
        let f = lint(&vice_ministers(false), "ko", &rows_ko);
        assert_eq!(ids(&f), vec![(1, "term-inconsistent")], "{f:#?}");
        // With them, 차관 (ROK) and 부부장 (PRC) are two referents.
        let f = lint(&vice_ministers(true), "ko", &rows_ko);
        assert!(f.is_empty(), "{f:#?}");
        // Two variants of the same referent are still inconsistent.
        let f = lint(
            &vice_ministers(true),
            "ko",
            &[
                ("The Vice Minister spoke.", "차관이 말했다."),
                ("The Vice Minister spoke.", "차관이 말했다."),
                ("The Vice Minister left.", "외교차관은 떠났다."),
            ],
        );
        assert_eq!(ids(&f), vec![(3, "term-inconsistent")], "{f:#?}");
        // Two-character Chinese variants, Simplified and Traditional.
        let rows_zh = [
            (
                "Vice Minister Cho met Vice Minister Sun.",
                "赵次官会见了孙副部长。",
            ),
            ("The Vice Minister left.", "副部长离开了。"),
        ];
        assert_eq!(ids(&lint(&vice_ministers(false), "zh", &rows_zh)).len(), 1);
        assert!(lint(&vice_ministers(true), "zh", &rows_zh).is_empty());
        let rows_hant = [
            (
                "Vice Minister Lin met Vice Minister Sun.",
                "林次長會見了孫副部長。",
            ),
            ("The Vice Minister left.", "次長離開了。"),
        ];
        assert_eq!(
            ids(&lint(&vice_ministers(false), "zh-Hant", &rows_hant)).len(),
            1
        );
        assert!(lint(&vice_ministers(true), "zh-Hant", &rows_hant).is_empty());
    }

    #[test]
    fn term_inconsistent_reports_the_minority() {
        let g = glossary();
        let f = lint(
            &g,
            "zh",
            &[
                ("The Republic of Korea said.", "大韩民国表示。"),
                ("The Republic of Korea agreed.", "韩国表示同意。"),
                ("The ROK replied.", "韩国作出回应。"),
            ],
        );
        assert_eq!(ids(&f), vec![(1, "term-inconsistent")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("韩国"));
        let f = lint(
            &g,
            "zh",
            &[
                ("The Republic of Korea said.", "韩国表示。"),
                ("The ROK replied.", "韩国作出回应。"),
            ],
        );
        assert!(f.is_empty());
    }

    #[test]
    fn target_only_checks_forbidden_terms() {
        let g = glossary();
        let langs = Langs {
            source: None,
            target: LangTag::parse("ko").unwrap(),
        };
        let mut l = Linter::new("d.txt", langs, RuleSelection::default()).with_glossary(&g);
        let f = l
            .check(&Segment::new(1, None, Some("북조선이 발사했다.")))
            .unwrap();
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
    }
}
