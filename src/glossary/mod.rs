//! Glossaries: concepts with approved and forbidden variants per language, the canonical
//! CSV that translators keep in Excel or git, the other layouts they bring, and the
//! [`Recognizer`] that finds terms in a text.
//!
//! * [`Glossary`] / [`Entry`] / [`TermSet`]: the model. An entry is one concept: an
//!   optional id, per language tag a list of approved variants (the first is preferred)
//!   and a list of forbidden variants, an optional note and domain, a case-sensitivity
//!   flag, the languages that use strict Korean matching, and any other columns as
//!   properties.
//! * [`csv`]: reading (canonical CSV, Google equivalent term sets, headerless
//!   two-column files, DeepL exports, TSV, Excel's `;` CSV) and the canonical writer.
//! * [`Recognizer`]: term recognition on matching keys with aho-corasick.
//! * [`check`]: problems in a glossary file.
//! * The memory stores entries too ([`crate::store::Memory::glossary`]).
//!
//! ```
//! use concord::glossary::{Glossary, Recognizer};
//! use concord::formats::glossary::CsvOptions;
//! use concord::lang::LangRange;
//!
//! let csv = "id,en,ko,zh,zh:forbidden\n\
//!            dprk,DPRK|North Korea,북한,朝鲜,北韩\n";
//! let g = Glossary::from_csv_str(csv, "g.csv".as_ref(), &CsvOptions::default())?;
//! let r = Recognizer::new(&g, &LangRange::parse("en")?, false);
//! let hits = r.find("Talks with the DPRK's envoy");
//! assert_eq!(hits[0].matched, "DPRK's");
//! assert_eq!(g.entries[hits[0].entry].approved(&LangRange::parse("ko")?), vec!["북한"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod check;
mod recognize;

use serde::Serialize;

use crate::diag::{Code, Diagnostic, LoadCode};
use crate::error::Location;
use crate::lang::{LangRange, LangTag};

pub use recognize::{Recognizer, TermHit, TermSpan, KOREAN_PARTICLES};

/// What a glossary import did (see [`crate::store::Memory::import_glossary`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GlossaryImportReport {
    /// Entries read from the files.
    pub read: u64,
    /// Entries added.
    pub added: u64,
    /// Stored entries replaced by an entry with the same id and different content.
    pub updated: u64,
    /// Entries already stored as they are.
    pub unchanged: u64,
}

/// Approved and forbidden variants of one concept in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TermSet {
    /// Approved variants; the first is the preferred one, the others are admitted.
    pub approved: Vec<String>,
    /// Variants that must not be used.
    pub forbidden: Vec<String>,
}

impl TermSet {
    /// True when the set has no variant at all.
    pub fn is_empty(&self) -> bool {
        self.approved.is_empty() && self.forbidden.is_empty()
    }

    /// The preferred variant, if any.
    pub fn preferred(&self) -> Option<&str> {
        self.approved.first().map(|s| s.as_str())
    }
}

/// One concept of a glossary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The `id` column, if any.
    pub id: Option<String>,
    /// Variants per language tag, in file order.
    #[serde(serialize_with = "ser_terms")]
    pub terms: Vec<(LangTag, TermSet)>,
    /// A note for translators.
    pub note: Option<String>,
    /// The domain (`titles`, `places`...).
    pub domain: Option<String>,
    /// True when the entry's terms match only with the same letter case (`case=sensitive`).
    pub case_sensitive: bool,
    /// Languages whose terms use strict (Korean) matching: see [`Recognizer`].
    #[serde(serialize_with = "ser_tags")]
    pub strict: Vec<LangTag>,
    /// Other columns, kept and written back, in column order.
    pub props: Vec<(String, String)>,
}

fn ser_terms<S: serde::Serializer>(
    terms: &[(LangTag, TermSet)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(terms.len()))?;
    for (t, set) in terms {
        m.serialize_entry(t.as_str(), set)?;
    }
    m.end()
}

fn ser_tags<S: serde::Serializer>(tags: &[LangTag], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(tags.iter().map(|t| t.as_str()))
}

impl Entry {
    /// An empty entry.
    pub fn new() -> Entry {
        Entry::default()
    }

    /// The term set of exactly this tag.
    pub fn term_set(&self, tag: &LangTag) -> Option<&TermSet> {
        self.terms.iter().find(|(t, _)| t == tag).map(|(_, s)| s)
    }

    /// The term set of this tag, created (at the end) when missing.
    pub fn term_set_mut(&mut self, tag: &LangTag) -> &mut TermSet {
        let i = match self.terms.iter().position(|(t, _)| t == tag) {
            Some(i) => i,
            None => {
                self.terms.push((tag.clone(), TermSet::default()));
                self.terms.len() - 1
            }
        };
        &mut self.terms[i].1
    }

    /// The term sets of every tag the range selects, in entry order.
    pub fn terms_in<'a>(
        &'a self,
        range: &'a LangRange,
    ) -> impl Iterator<Item = (&'a LangTag, &'a TermSet)> + 'a {
        self.terms
            .iter()
            .filter(move |(t, _)| range.matches(t))
            .map(|(t, s)| (t, s))
    }

    /// Approved variants of every tag the range selects (preferred ones first per tag).
    pub fn approved(&self, range: &LangRange) -> Vec<&str> {
        self.terms
            .iter()
            .filter(|(t, _)| range.matches(t))
            .flat_map(|(_, s)| s.approved.iter().map(|v| v.as_str()))
            .collect()
    }

    /// Forbidden variants of every tag the range selects.
    pub fn forbidden(&self, range: &LangRange) -> Vec<&str> {
        self.terms
            .iter()
            .filter(|(t, _)| range.matches(t))
            .flat_map(|(_, s)| s.forbidden.iter().map(|v| v.as_str()))
            .collect()
    }

    /// The preferred variant in the first tag the range selects that has one.
    pub fn preferred(&self, range: &LangRange) -> Option<&str> {
        self.terms
            .iter()
            .filter(|(t, _)| range.matches(t))
            .find_map(|(_, s)| s.preferred())
    }

    /// True when `tag` uses strict matching in this entry.
    pub fn is_strict(&self, tag: &LangTag) -> bool {
        self.strict.iter().any(|t| t == tag)
    }

    /// The value of property `name`.
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The qualifiers of the entry's variants (the `qualifier` column,
    /// [`QUALIFIER_COLUMN`]): `ko:차관=ROK|ko:부부장=PRC` says that 차관 renders the
    /// concept for the ROK and 부부장 for the PRC. Items are separated by `|`, each
    /// `tag:variant=qualifier`; an item that does not parse (no `:` or `=`, an unknown
    /// tag, an empty part) is left out ([`check`] reports it).
    pub fn qualifiers(&self) -> Vec<(LangTag, String, String)> {
        self.prop(QUALIFIER_COLUMN)
            .map(parse_qualifiers)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|q| q.ok())
            .collect()
    }

    /// The qualifier of approved or forbidden variant `variant` of language `tag`
    /// (compared on matching keys: NFC and NFD, width and case do not matter), if the
    /// `qualifier` column gives one.
    pub fn qualifier(&self, tag: &LangTag, variant: &str) -> Option<String> {
        let key = crate::text::match_key(variant);
        self.qualifiers()
            .into_iter()
            .find(|(t, v, _)| t == tag && crate::text::match_key(v) == key)
            .map(|(_, _, q)| q)
    }

    /// True when the entry has no variant in any language.
    pub fn has_no_terms(&self) -> bool {
        self.terms.iter().all(|(_, s)| s.is_empty())
    }
}

/// The property (CSV column) that qualifies variants with the referent or context they
/// go with: `ko:차관=ROK|ko:부부장=PRC` (see [`Entry::qualifiers`]). In TBX a qualifier
/// is the variant's `termNote type="geographicalUsage"`.
pub const QUALIFIER_COLUMN: &str = "qualifier";

/// One item of a `qualifier` cell: `(tag, variant, qualifier)`, or why it does not parse.
pub type QualifierItem = std::result::Result<(LangTag, String, String), String>;

/// The items of a `qualifier` cell (`ko:차관=ROK|ko:부부장=PRC`), in order; blank items
/// are skipped.
pub fn parse_qualifiers(cell: &str) -> Vec<QualifierItem> {
    cell.split('|')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let (tag, rest) = item
                .split_once(':')
                .ok_or_else(|| format!("{item:?} is not tag:variant=qualifier"))?;
            let (variant, q) = rest
                .rsplit_once('=')
                .ok_or_else(|| format!("{item:?} is not tag:variant=qualifier"))?;
            let (variant, q) = (variant.trim(), q.trim());
            if variant.is_empty() || q.is_empty() {
                return Err(format!("{item:?} has an empty variant or qualifier"));
            }
            let tag = LangTag::parse(tag.trim()).map_err(|e| format!("{item:?}: {e}"))?;
            Ok((tag, variant.to_string(), q.to_string()))
        })
        .collect()
}

/// A column of a glossary table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    /// `id`.
    Id,
    /// Approved variants of a language (`en`, `zh-Hant`).
    Lang(LangTag),
    /// Forbidden variants of a language (`zh:forbidden`).
    Forbidden(LangTag),
    /// `note`.
    Note,
    /// `domain`.
    Domain,
    /// `case` (`sensitive` or empty).
    Case,
    /// `strict`: `|`-separated language tags that use strict matching.
    Strict,
    /// Any other column, kept as a property.
    Prop(String),
}

impl Column {
    /// The header cell of the column in the canonical CSV.
    pub fn name(&self) -> String {
        match self {
            Column::Id => "id".into(),
            Column::Lang(t) => t.to_string(),
            Column::Forbidden(t) => format!("{t}:forbidden"),
            Column::Note => "note".into(),
            Column::Domain => "domain".into(),
            Column::Case => "case".into(),
            Column::Strict => "strict".into(),
            Column::Prop(p) => p.clone(),
        }
    }

    /// The column a canonical name names: the inverse of [`Column::name`] (what the store
    /// wrote). Header cells of files, with their variations, are read by
    /// [`crate::formats::glossary`].
    /// A `<tag>:forbidden` name with a malformed tag is an error.
    pub fn from_name(name: &str) -> std::result::Result<Column, crate::lang::LangError> {
        Ok(match name {
            "id" => Column::Id,
            "note" => Column::Note,
            "domain" => Column::Domain,
            "case" => Column::Case,
            "strict" => Column::Strict,
            _ => match name.strip_suffix(":forbidden") {
                Some(tag) => Column::Forbidden(LangTag::parse(tag)?),
                None => match LangTag::parse(name) {
                    Ok(t) => Column::Lang(t),
                    Err(_) => Column::Prop(name.to_string()),
                },
            },
        })
    }

    /// True for a column only the canonical layout has (`id`, `note`, `domain`, `case`,
    /// `strict`, `xx:forbidden`): a header holding one is never Google's layout.
    pub(crate) fn only_canonical(&self) -> bool {
        matches!(
            self,
            Column::Id
                | Column::Note
                | Column::Domain
                | Column::Case
                | Column::Strict
                | Column::Forbidden(_)
        )
    }

    /// True for a header cell that Google's equivalent term sets have besides the
    /// languages (`pos`, `description`), in any case.
    pub(crate) fn is_google_extra(cell: &str) -> bool {
        let c = cell.trim();
        c.eq_ignore_ascii_case("pos") || c.eq_ignore_ascii_case("description")
    }

    /// The sort key of the canonical column order (props keep their first-seen order:
    /// the sort is stable and they all share one group).
    pub(crate) fn group(&self) -> (u8, u8, String) {
        match self {
            Column::Id => (0, 0, String::new()),
            Column::Lang(t) => (1, t.order_key().0, t.to_string()),
            Column::Forbidden(t) => (2, t.order_key().0, t.to_string()),
            Column::Note => (3, 0, String::new()),
            Column::Domain => (4, 0, String::new()),
            Column::Case => (5, 0, String::new()),
            Column::Strict => (6, 0, String::new()),
            Column::Prop(_) => (7, 0, String::new()),
        }
    }
}

/// Sort tags in the canonical language order (en, ko, zh, then the rest by tag).
pub fn sort_languages(tags: &mut [LangTag]) {
    tags.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
}

/// A problem noticed while reading a file that did not stop the import (a skipped row of
/// a headerless file, for instance): a [`Diagnostic`] with a [`LoadCode`], displayed as
/// `file:line: message`.
pub type LoadWarning = Diagnostic;

/// A glossary: entries, plus the columns the source files declared (so that export and
/// `glossary fmt` write them back even when they are empty) and where each entry came
/// from.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    /// The concepts, in file order.
    pub entries: Vec<Entry>,
    columns: Vec<Column>,
    locations: Vec<Option<Location>>,
    warnings: Vec<LoadWarning>,
}

impl PartialEq for Glossary {
    /// Two glossaries are equal when their entries and columns are.
    fn eq(&self, other: &Glossary) -> bool {
        self.entries == other.entries && self.columns() == other.columns()
    }
}

impl Glossary {
    /// A glossary of these entries (columns: those the entries use).
    pub fn new(entries: Vec<Entry>) -> Glossary {
        Glossary {
            entries,
            ..Glossary::default()
        }
    }

    /// Append the entries (and declared columns) of another glossary.
    pub fn merge(&mut self, other: Glossary) {
        self.pad_locations();
        let n = other.entries.len();
        self.entries.extend(other.entries);
        let mut locs = other.locations;
        locs.resize(n, None);
        self.locations.extend(locs);
        for c in other.columns {
            self.declare(c);
        }
        self.warnings.extend(other.warnings);
    }

    fn pad_locations(&mut self) {
        let n = self.entries.len();
        self.locations.resize(n, None);
    }

    /// Declare a column (kept even when every entry leaves it empty).
    pub fn declare(&mut self, column: Column) {
        if !self.columns.contains(&column) {
            self.columns.push(column);
        }
    }

    /// Add an entry with the place it came from.
    pub fn push(&mut self, entry: Entry, location: Option<Location>) {
        self.pad_locations();
        self.entries.push(entry);
        self.locations.push(location);
    }

    /// Where entry `i` came from (file and line), when it was read from a file.
    pub fn location(&self, i: usize) -> Option<&Location> {
        self.locations.get(i).and_then(|l| l.as_ref())
    }

    /// Problems noticed while reading that did not stop it.
    pub fn warnings(&self) -> &[LoadWarning] {
        &self.warnings
    }

    pub(crate) fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.warnings.push(Diagnostic::new(
            Code::Load(LoadCode::SkippedRow),
            message,
            location,
        ));
    }

    /// The declared columns, in declaration order.
    pub fn declared_columns(&self) -> &[Column] {
        &self.columns
    }

    /// The columns of the canonical CSV: the declared ones and those the entries use, in
    /// canonical order: `id`, languages (en, ko, zh, then by tag), their `:forbidden`
    /// columns in the same order, `note`, `domain`, `case`, `strict`, then the other
    /// columns in first-seen order.
    pub fn columns(&self) -> Vec<Column> {
        let mut cols: Vec<Column> = self.columns.clone();
        let mut seen: std::collections::HashSet<Column> = cols.iter().cloned().collect();
        let mut add = |c: Column| {
            if !seen.contains(&c) {
                seen.insert(c.clone());
                cols.push(c);
            }
        };
        for e in &self.entries {
            if e.id.is_some() {
                add(Column::Id);
            }
            for (t, s) in &e.terms {
                if !s.approved.is_empty() {
                    add(Column::Lang(t.clone()));
                }
                if !s.forbidden.is_empty() {
                    add(Column::Forbidden(t.clone()));
                }
            }
            if e.note.is_some() {
                add(Column::Note);
            }
            if e.domain.is_some() {
                add(Column::Domain);
            }
            if e.case_sensitive {
                add(Column::Case);
            }
            if !e.strict.is_empty() {
                add(Column::Strict);
            }
            for (k, _) in &e.props {
                add(Column::Prop(k.clone()));
            }
        }
        if !cols.iter().any(|c| matches!(c, Column::Lang(_))) {
            // A glossary always has a language column; forbidden-only languages get one.
            let forb: Vec<Column> = cols
                .iter()
                .filter_map(|c| match c {
                    Column::Forbidden(t) => Some(Column::Lang(t.clone())),
                    _ => None,
                })
                .collect();
            cols.extend(forb);
        }
        cols.sort_by_key(|c| c.group());
        cols
    }

    /// The language tags of the glossary (declared columns and entries), canonical order.
    pub fn languages(&self) -> Vec<LangTag> {
        let mut tags: Vec<LangTag> = Vec::new();
        let declared = self.columns.iter().filter_map(|c| match c {
            Column::Lang(t) | Column::Forbidden(t) => Some(t),
            _ => None,
        });
        let used = self
            .entries
            .iter()
            .flat_map(|e| e.terms.iter().map(|(t, _)| t));
        let mut seen = std::collections::HashSet::new();
        for t in declared.chain(used) {
            if seen.insert(t) {
                tags.push(t.clone());
            }
        }
        sort_languages(&mut tags);
        tags
    }

    /// True when some language of the glossary is selected by `range`.
    pub fn has_language(&self, range: &LangRange) -> bool {
        self.languages().iter().any(|t| range.matches(t))
    }

    /// The entry with this id.
    pub fn by_id(&self, id: &str) -> Option<(usize, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.id.as_deref() == Some(id))
    }
}
