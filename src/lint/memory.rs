//! The memory as the linter uses it: 100% matches for `memory-mismatch`.
//!
//! A 100% match is a unit whose source variant has the same matching key
//! ([`crate::text::match_key`]) as the draft's source. The first lookup builds an index
//! from the key hash of every source-language text of the memory to its unit ids (memory
//! grows with the memory, not the draft); each hit is checked against the stored text, so
//! hash collisions never give a false match.

use std::collections::HashMap;

use crate::error::Result;
use crate::lang::LangRange;
use crate::store::Memory;
use crate::text::match_key;

use super::TranslationLookup;

/// 100% match lookup in a [`Memory`].
pub struct MemoryLookup<'m> {
    memory: &'m Memory,
    source: LangRange,
    target: LangRange,
    index: Option<HashMap<u64, Vec<i64>>>,
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

    fn index(&mut self) -> Result<&HashMap<u64, Vec<i64>>> {
        if self.index.is_none() {
            let mut idx: HashMap<u64, Vec<i64>> = HashMap::new();
            self.memory.for_each_text(&self.source, |id, text| {
                let h = xxhash_rust::xxh3::xxh3_64(match_key(text).as_bytes());
                let ids = idx.entry(h).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            })?;
            self.index = Some(idx);
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
