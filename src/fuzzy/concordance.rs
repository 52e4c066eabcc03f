//! Concordance: every unit whose segment contains a phrase (compared on matching keys).
//!
//! Candidates come from the q-gram index (see the [`fuzzy`](super) module
//! documentation): the intersection of the rarest grams' posting lists for phrases of at
//! least `q` characters, one token-range scan for shorter phrases. Each candidate's key
//! is then checked for the phrase, so the answer is exact; [`search_brute_force`] scans
//! every segment and is the reference in tests.

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::lang::LangRange;
use crate::qgram::{self, LEN_LONG};
use crate::store::{LangIndex, Memory, Reader};
use crate::text::{match_key, KeyRule, KeyedText};

/// One hit: a segment containing the phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The unit id.
    pub id: i64,
    /// The language of the segment that contains the phrase.
    pub lang: String,
    /// The stored segment.
    pub text: String,
    /// Where the phrase is, as `[start, end)` character offsets into `text`.
    pub spans: Vec<(usize, usize)>,
}

/// Check a phrase: non-empty, with a letter or digit, at most 1,000 key characters.
pub fn phrase_key(phrase: &str) -> Result<Vec<char>> {
    let key = match_key(phrase);
    if key.is_empty() {
        return Err(Error::new(
            ErrorKind::BadQuery,
            "empty phrase: give a word or phrase to look for",
        ));
    }
    if !key.chars().any(|c| c.is_alphanumeric()) {
        return Err(Error::new(
            ErrorKind::BadQuery,
            format!("the phrase {phrase:?} has no letters or digits to look for"),
        ));
    }
    let chars: Vec<char> = key.chars().collect();
    if chars.len() > 1000 {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "the phrase is too long ({} characters; at most 1000)",
                chars.len()
            ),
        ));
    }
    Ok(chars)
}

/// Where `needle` occurs in `text` (on keys), as character spans of `text`.
pub fn find_spans(text: &str, needle: &[char]) -> Vec<(usize, usize)> {
    find_spans_with(text, needle, KeyRule::Plain)
}

/// [`find_spans`] on the keys of a language's rule (Chinese keys fold Traditional to
/// Simplified; give the needle folded too).
pub fn find_spans_with(text: &str, needle: &[char], rule: KeyRule) -> Vec<(usize, usize)> {
    let kt = KeyedText::with_rule(text, rule);
    let mut spans = Vec::new();
    if needle.is_empty() || kt.chars.len() < needle.len() {
        return spans;
    }
    let mut i = 0;
    while i + needle.len() <= kt.chars.len() {
        if kt.chars[i..i + needle.len()] == *needle {
            spans.push(kt.original_span(i, i + needle.len()));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    spans
}

fn contains(hay: &[char], needle: &[char]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn selected(mem: &Memory, lang: Option<&LangRange>) -> Result<Vec<LangIndex>> {
    let all = mem.index_languages()?;
    let langs: Vec<LangIndex> = all
        .iter()
        .filter(|l| lang.map_or(true, |r| r.matches(&l.tag)))
        .cloned()
        .collect();
    if langs.is_empty() {
        let present: Vec<String> = all.iter().map(|l| l.tag.to_string()).collect();
        return Err(Error::new(
            ErrorKind::NoData,
            format!(
                "{}: no segments in {} (the memory has {})",
                mem.path().display(),
                lang.map(|l| l.to_string())
                    .unwrap_or_else(|| "any language".into()),
                if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(", ")
                }
            ),
        ));
    }
    Ok(langs)
}

/// A set of unit ids below a bound, one bit each: posting lists arrive in length-band
/// order (ids increase within a band only), and a million-unit memory's common grams
/// have hundreds of thousands of postings, which sorting and merging as lists cost
/// several milliseconds; setting and intersecting bits costs one pass.
struct IdSet {
    words: Vec<u64>,
}

impl IdSet {
    fn new(bound: usize) -> IdSet {
        IdSet {
            words: vec![0; bound.div_ceil(64)],
        }
    }

    /// Add `id` (ids outside the bound have no segment: ignored).
    #[inline]
    fn insert(&mut self, id: i64) {
        if let Some(w) = usize::try_from(id)
            .ok()
            .and_then(|i| self.words.get_mut(i >> 6).map(|w| (w, i)))
        {
            *w.0 |= 1u64 << (w.1 & 63);
        }
    }

    /// Keep only the ids that `other` holds too; false when none is left.
    fn intersect(&mut self, other: &IdSet) -> bool {
        let mut any = 0;
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= *b;
            any |= *a;
        }
        any != 0
    }

    /// The ids, increasing.
    fn ids(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for (wi, &w) in self.words.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                out.push((wi * 64 + w.trailing_zeros() as usize) as i64);
                w &= w - 1;
            }
        }
        out
    }
}

/// Candidate ids of one language for a phrase key (a superset of the hits), sorted.
fn candidates(reader: &Reader<'_>, key: &[char]) -> Result<Vec<i64>> {
    let q = reader.lang.q;
    // Every id with a segment of this language has a length entry.
    let bound = reader.lens.len();
    let mut set = IdSet::new(bound);
    if key.len() >= q {
        let toks = qgram::phrase_tokens(key, q);
        let mut by_df: Vec<(u64, u64)> = Vec::with_capacity(toks.len());
        for t in toks {
            by_df.push((reader.df(t)?, t));
        }
        by_df.sort_unstable();
        // Intersect the rarest few lists: enough to make verification cheap.
        for (i, &(df, t)) in by_df.iter().take(3).enumerate() {
            if df == 0 {
                set = IdSet::new(bound);
                break;
            }
            if i == 0 {
                reader.postings(t, |id| set.insert(id))?;
            } else {
                let mut list = IdSet::new(bound);
                reader.postings(t, |id| list.insert(id))?;
                if !set.intersect(&list) {
                    break;
                }
            }
        }
    } else {
        let (lo, hi) = qgram::prefix_range(key);
        reader.range_postings(lo, hi, |id| set.insert(id))?;
    }
    // Segments too long to have postings.
    for (id, &len) in reader.lens.iter().enumerate() {
        if len == LEN_LONG {
            set.insert(id as i64);
        }
    }
    let mut ids = set.ids();
    ids.retain(|&id| reader.len(id) as usize >= key.len().min(LEN_LONG as usize));
    Ok(ids)
}

/// The first `limit` hits (by unit id, then language) of `phrase` in the languages
/// `lang` selects (every language when `None`).
pub fn search(
    mem: &Memory,
    phrase: &str,
    lang: Option<&LangRange>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let key = phrase_key(phrase)?;
    let _read = mem.read_tx()?;
    let langs = selected(mem, lang)?;
    let mut readers = Vec::new();
    let mut lists = Vec::new();
    let mut keys = Vec::new();
    for l in langs {
        let rule = KeyRule::for_tag(&l.tag);
        let lkey: Vec<char> = key.iter().map(|&c| rule.fold(c)).collect();
        let r = mem.index_reader(l)?;
        lists.push(candidates(&r, &lkey)?);
        readers.push(r);
        keys.push((rule, lkey));
    }
    // Merge the languages' candidates by id and verify in order until `limit` hits.
    let mut pos = vec![0usize; lists.len()];
    let mut hits = Vec::new();
    let mut kbuf: Vec<char> = Vec::new();
    while hits.len() < limit {
        let mut best: Option<(i64, usize)> = None;
        for (li, list) in lists.iter().enumerate() {
            if let Some(&id) = list.get(pos[li]) {
                if best.map_or(true, |(b, _)| id < b) {
                    best = Some((id, li));
                }
            }
        }
        let Some((id, _)) = best else { break };
        for (li, list) in lists.iter().enumerate() {
            if list.get(pos[li]) != Some(&id) {
                continue;
            }
            pos[li] += 1;
            let Some(text) = readers[li].text(id)? else {
                continue;
            };
            let (rule, lkey) = &keys[li];
            kbuf.clear();
            kbuf.extend(rule.key(&text).chars());
            if contains(&kbuf, lkey) && hits.len() < limit {
                let spans = find_spans_with(&text, lkey, *rule);
                hits.push(Hit {
                    id,
                    lang: readers[li].lang.tag.to_string(),
                    text,
                    spans,
                });
            }
        }
    }
    Ok(hits)
}

/// The same answer as [`search`], by reading every segment.
pub fn search_brute_force(
    mem: &Memory,
    phrase: &str,
    lang: Option<&LangRange>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let key = phrase_key(phrase)?;
    let langs = selected(mem, lang)?;
    let mut hits: Vec<Hit> = Vec::new();
    for l in &langs {
        let rule = KeyRule::for_tag(&l.tag);
        let lkey: Vec<char> = key.iter().map(|&c| rule.fold(c)).collect();
        mem.scan_segments(&l.tag, |id, text| {
            let k: Vec<char> = rule.key(text).chars().collect();
            if contains(&k, &lkey) {
                hits.push(Hit {
                    id,
                    lang: l.tag.to_string(),
                    text: text.to_string(),
                    spans: find_spans_with(text, &lkey, rule),
                });
            }
            Ok(())
        })?;
    }
    hits.sort_by(|a, b| (a.id, &a.lang).cmp(&(b.id, &b.lang)));
    hits.truncate(limit);
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LangTag;
    use crate::unit::{Unit, Variant};

    /// Posting lists come in length-band order, not id order: segments of very
    /// different lengths interleaved by id, more than 64 of them (several words of the
    /// id set), searched with long and short (1–2-character) phrases, must give the
    /// brute-force answer.
    #[test]
    fn candidates_across_length_bands_equal_brute_force() {
        let mut mem = Memory::open_in_memory().unwrap();
        let en = LangTag::parse("en").unwrap();
        let zh = LangTag::parse("zh").unwrap();
        mem.import(&["t"], |imp| {
            for i in 0..300 {
                let pad = "very ".repeat(i % 7 * 6);
                imp.add(Unit::new(vec![
                    Variant::new(en.clone(), format!("The {pad}talks of day {i} on Korea.")),
                    Variant::new(
                        zh.clone(),
                        format!("第{i}天{}的朝鮮會談。", "很".repeat(i % 5 * 9)),
                    ),
                ]))?;
            }
            Ok(())
        })
        .unwrap();
        for (phrase, lang, limit) in [
            ("talks of day 1", None, 100),
            ("on Korea", Some("en"), 500),
            ("very very talks", None, 50),
            ("朝鲜", Some("zh"), 400),
            ("鮮", Some("zh"), 400),
            ("1", None, 1000),
            ("day 29", None, 20),
            ("nowhere to be found", None, 20),
        ] {
            let lang = lang.map(|l| LangRange::parse(l).unwrap());
            let fast = search(&mem, phrase, lang.as_ref(), limit).unwrap();
            let slow = search_brute_force(&mem, phrase, lang.as_ref(), limit).unwrap();
            assert_eq!(fast, slow, "{phrase}");
        }
        let all = search(&mem, "on Korea", None, 1000).unwrap();
        assert_eq!(all.len(), 300);
    }
}
