//! The memory as the linter uses it: 100% matches for `memory-mismatch`, and the
//! co-occurrence statistics of `term-missing`'s *where the term went*
//! ([`Alignments`], [`learn_alignment`]).
//!
//! A 100% match is a unit whose source variant has the same matching key
//! ([`crate::text::match_key`]) as the draft's source. The first lookup builds an index
//! from the key hash of every source-language text of the memory to its unit ids (memory
//! grows with the memory, not the draft); each hit is checked against the stored text, so
//! hash collisions never give a false match.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::lang::LangRange;
use crate::store::Memory;
use crate::text::match_key;

use super::terms::align::MAX_UNITS;
use super::terms::{AlignStats, TermRules};
use super::TranslationLookup;

/// The key hash of every source-language text of a memory → the ids of its units.
pub type SourceIndex = HashMap<u64, Vec<i64>>;

/// Build the [`SourceIndex`] of the texts in `source`.
fn build_index(memory: &Memory, source: &LangRange) -> Result<SourceIndex> {
    let mut idx: SourceIndex = HashMap::new();
    memory.for_each_text(source, |id, text| {
        let h = xxhash_rust::xxh3::xxh3_64(match_key(text).as_bytes());
        let ids = idx.entry(h).or_default();
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    })?;
    Ok(idx)
}

/// One source language's index, once built.
type IndexSlot = Mutex<Option<Arc<SourceIndex>>>;

/// The [`SourceIndex`]es of one state of a memory, per source language, built on first
/// use and shared read-only by every lint run that uses them (`concord serve` keeps one
/// per generation of the memory's units: building the index reads every text of the
/// language, far more than checking a short draft). Make a new one when the units
/// change.
#[derive(Default)]
pub struct SourceIndexes {
    by_source: Mutex<HashMap<String, Arc<IndexSlot>>>,
}

impl SourceIndexes {
    /// None built yet.
    pub fn new() -> SourceIndexes {
        SourceIndexes::default()
    }

    /// The index of `source` in `memory`, built by the first caller (the others wait for
    /// it instead of building it again).
    pub fn index(&self, memory: &Memory, source: &LangRange) -> Result<Arc<SourceIndex>> {
        let slot = Arc::clone(
            self.by_source
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(source.to_string())
                .or_default(),
        );
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = slot.as_ref() {
            return Ok(Arc::clone(i));
        }
        let built = Arc::new(build_index(memory, source)?);
        *slot = Some(Arc::clone(&built));
        Ok(built)
    }
}

/// Learn from the units of `memory` that hold both `source` and `target` where the terms
/// of `rules` go ([`AlignStats::learn`], bounded in units, pairs and time as it says).
pub fn learn_alignment(
    memory: &Memory,
    rules: &TermRules<'_>,
    source: &LangRange,
    target: &LangRange,
) -> Result<AlignStats> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    memory.for_each_unit(&[source.clone(), target.clone()], 2, |u| {
        if pairs.len() < MAX_UNITS {
            let text = |r: &LangRange| {
                u.variants
                    .iter()
                    .find(|v| r.matches(&v.lang))
                    .map(|v| v.text.clone())
            };
            if let (Some(a), Some(b)) = (text(source), text(target)) {
                pairs.push((a, b));
            }
        }
        Ok(())
    })?;
    Ok(AlignStats::learn(rules, pairs))
}

/// One language pair's statistics, once learned.
type AlignSlot = Mutex<Option<Arc<AlignStats>>>;

/// The [`AlignStats`] of one state of a memory and one glossary, per language pair,
/// learned by the first lint that needs them and shared read-only by the others
/// (`concord serve` keeps one per generation of the memory's units and of its glossary:
/// learning reads every unit of the pair, bounded by
/// [`crate::lint::terms::align::MAX_LEARN_TIME`], far more than checking a short draft).
/// Make a new one when the units or the glossary change.
#[derive(Default)]
pub struct Alignments {
    by_pair: Mutex<HashMap<(String, String), Arc<AlignSlot>>>,
}

impl Alignments {
    /// None learned yet.
    pub fn new() -> Alignments {
        Alignments::default()
    }

    /// The statistics of `source` → `target` in `memory` for the terms of `rules`,
    /// learned by the first caller (the others wait for it instead of learning them
    /// again). `rules` must come from the glossary this cache was made for.
    pub fn stats(
        &self,
        memory: &Memory,
        rules: &TermRules<'_>,
        source: &LangRange,
        target: &LangRange,
    ) -> Result<Arc<AlignStats>> {
        let slot = Arc::clone(
            self.by_pair
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry((source.to_string(), target.to_string()))
                .or_default(),
        );
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(Arc::clone(s));
        }
        let learned = Arc::new(learn_alignment(memory, rules, source, target)?);
        *slot = Some(Arc::clone(&learned));
        Ok(learned)
    }

    /// The language pairs learned so far (for tests and statistics).
    pub fn learned(&self) -> usize {
        self.by_pair
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|s| s.lock().unwrap_or_else(|p| p.into_inner()).is_some())
            .count()
    }
}

/// 100% match lookup in a [`Memory`].
pub struct MemoryLookup<'m> {
    memory: &'m Memory,
    source: LangRange,
    target: LangRange,
    index: Option<Arc<SourceIndex>>,
}

impl<'m> MemoryLookup<'m> {
    /// Look up sources in language `source`, translations in language `target`.
    pub fn new(memory: &'m Memory, source: LangRange, target: LangRange) -> MemoryLookup<'m> {
        MemoryLookup {
            memory,
            source,
            target,
            index: None,
        }
    }

    /// Use an index built before (from [`SourceIndexes::index`] for this memory and
    /// source language) instead of building one at the first lookup.
    pub fn with_index(mut self, index: Arc<SourceIndex>) -> MemoryLookup<'m> {
        self.index = Some(index);
        self
    }

    fn index(&mut self) -> Result<&SourceIndex> {
        if self.index.is_none() {
            self.index = Some(Arc::new(build_index(self.memory, &self.source)?));
        }
        Ok(self.index.as_ref().expect("built above"))
    }
}

impl TranslationLookup for MemoryLookup<'_> {
    fn translations(&mut self, source: &str) -> Result<Vec<String>> {
        let key = match_key(source);
        let h = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        let ids = match self.index()?.get(&h) {
            Some(ids) => ids.clone(),
            None => return Ok(Vec::new()),
        };
        let mut out = Vec::new();
        for id in ids {
            let Some(unit) = self.memory.unit(id)? else {
                continue;
            };
            let same = unit
                .variants
                .iter()
                .any(|v| self.source.matches(&v.lang) && match_key(&v.text) == key);
            if !same {
                continue;
            }
            if let Some(t) = unit.variant_in(&self.target) {
                if !out.contains(&t.text) {
                    out.push(t.text.clone());
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LangTag;
    use crate::unit::{Unit, Variant};

    #[test]
    fn alignments_are_learned_once_per_language_pair_and_shared() {
        let mut m = Memory::open_in_memory().unwrap();
        let en = LangTag::parse("en").unwrap();
        let ko = LangTag::parse("ko").unwrap();
        m.import(&["t"], |imp| {
            for (a, b) in [
                ("The Special Representative arrived.", "특사가 도착했다."),
                ("The Special Representative left.", "특사는 떠났다."),
            ] {
                imp.add(Unit::new(vec![
                    Variant::new(en.clone(), a),
                    Variant::new(ko.clone(), b),
                ]))?;
            }
            Ok(())
        })
        .unwrap();
        let g = crate::glossary::Glossary::from_csv_str(
            "id,en,ko\nsr,Special Representative,특별대표\n",
            std::path::Path::new("g.csv"),
            &crate::formats::glossary::CsvOptions::default(),
        )
        .unwrap();
        let (s, t) = (
            LangRange::parse("en").unwrap(),
            LangRange::parse("ko").unwrap(),
        );
        let rules = TermRules::new(&g, Some(&s), &t);
        let kept = Alignments::new();
        assert_eq!(kept.learned(), 0);
        let a = kept.stats(&m, &rules, &s, &t).unwrap();
        assert_eq!(a.units(), 2);
        let b = kept.stats(&m, &rules, &s, &t).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(kept.learned(), 1);
        // The same as learning without the cache.
        assert_eq!(learn_alignment(&m, &rules, &s, &t).unwrap().units(), 2);
    }

    #[test]
    fn exact_key_matches_only() {
        let mut m = Memory::open_in_memory().unwrap();
        let en = LangTag::parse("en").unwrap();
        let ko = LangTag::parse("ko").unwrap();
        m.import(&["t"], |imp| {
            imp.add(Unit::new(vec![
                Variant::new(en.clone(), "Thank you."),
                Variant::new(ko.clone(), "감사합니다."),
            ]))?;
            imp.add(Unit::new(vec![
                Variant::new(en.clone(), "Thank you very much."),
                Variant::new(ko.clone(), "대단히 감사합니다."),
            ]))?;
            Ok(())
        })
        .unwrap();
        let mut l = MemoryLookup::new(
            &m,
            LangRange::parse("en").unwrap(),
            LangRange::parse("ko").unwrap(),
        );
        assert_eq!(l.translations("THANK  you.").unwrap(), vec!["감사합니다."]);
        assert!(l.translations("Thank you").unwrap().is_empty());
        let mut z = MemoryLookup::new(
            &m,
            LangRange::parse("en").unwrap(),
            LangRange::parse("zh").unwrap(),
        );
        assert!(z.translations("Thank you.").unwrap().is_empty());
    }
}
