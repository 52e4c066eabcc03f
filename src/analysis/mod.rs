//! Analysis of a translation job against the memory: how much of it the memory already
//! has, in the bands quotes and schedules are made of (`concord analyze`).
//!
//! # Bands
//!
//! Every segment of the job ([`crate::formats::job`]) falls in one band, decided in this
//! order (the [`Rules`] are printed in every report):
//!
//! 0. **Locked**: a segment the file locks (SDLXLIFF `sdl:seg locked="true"`, memoQ
//!    `mq:locked`, an XLIFF 2.0 `subState` lock) or marks `translate="no"` (unit, group
//!    or file; [`crate::formats::segment::Lock`]) counts in the locked row and in no
//!    other band, as Trados does with "report locked segments separately": it is not
//!    matched, and it is not the first occurrence that makes a later segment a
//!    repetition (its translation is fixed, not work of this job). It is still the
//!    previous segment a context match looks at (context is the document's order).
//! 1. **Context match** (101%): a 100% match whose stored unit was preceded, in the file
//!    it was imported from, by a unit whose source is the job's previous segment (the
//!    first segment of a file: a unit that was the first of its file). The memory
//!    records every unit's neighbour at import ([`crate::store::Memory::previous_sources`]).
//! 2. **100%** when [`Rules::repetitions_over_exact`] is off (Trados: a 100% match is
//!    never counted as a repetition).
//! 3. **Repetition**: the same source (same matching key) earlier in the same file;
//!    **cross-file repetition**: earlier only in an earlier file of the job. Files are
//!    taken in [`Rules::file_order`].
//! 4. **100%** when [`Rules::repetitions_over_exact`] is on (memoQ's option).
//! 5. **Fuzzy** bands by [`Rules::fuzzy_edges`] (default 95–99, 85–94, 75–84, 50–74), on
//!    the best memory match, or with [`Rules::internal`] the best of it and of the job's
//!    earlier segments (Trados's internal fuzzy leverage).
//! 6. **No match**.
//!
//! Matches count only when the matched unit has the target language. Scores are the
//! matcher's ([`crate::fuzzy::lev::score`]), floored to a whole percent for banding.
//!
//! # Counts
//!
//! [`count_text`]: English and Korean by space-delimited words; every Han (and Kana)
//! character is one word, as Trados counts ideograms; a number is one word (`1,200.50`,
//! full-width `２０２６`) and a placeable; every inline tag is one word and one tag.
//! Characters are counted without white space, on the stored (NFC) text, so NFD Hangul
//! counts as NFC does.
//!
//! # Speed
//!
//! Repeated sources are matched once (one query per distinct matching key). A source's
//! exact matches come from a binary search of the memory's key file
//! ([`Matcher::exact_units`]); a source without one asks the matcher only for its best
//! match's band: once a match is found, the search's threshold jumps to the lowest band
//! edge above its score (a better match in the same band would not change the
//! analysis), so the formulaic 50–74 matches a memory is full of stop the wide,
//! low-threshold scan early. Those band searches go in batches of up to 64 sources of
//! similar lengths ([`Matcher::find_bands`]): the key-file scan reads each chunk of
//! keys once for the whole batch instead of once per source.
//! The sources (then the batches) are shared out to one thread per core, each with its
//! own read-only connection and single-threaded searches. The brute-force reference
//! ([`Search::BruteForce`]) must give the same bands (tested, and
//! checked on a sample by `concord-bench analyze`).

mod count;

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{ErrorKind, Result};
use crate::formats::job::{Job, JobSegment};
use crate::fuzzy::lev::{max_distance, score, Verifier};
use crate::fuzzy::{MatchOptions, Matcher};
use crate::lang::LangRange;
use crate::store::Memory;

pub use crate::formats::analysis::{
    Analysis, Band, Bands, Counts, FileAnalysis, FileOrder, FuzzyCounts, Rules,
};
pub use count::{count_segment, count_text};

/// What the analysis decided for one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentResult {
    /// The file (index into [`Job::files`]).
    pub file: usize,
    /// The segment (index into [`Job::segments`]).
    pub segment: usize,
    /// Its band.
    pub band: Band,
    /// The best memory score (0 when none reached the lowest edge).
    pub tm_score: f64,
    /// The best score against the job's earlier segments (with internal leverage).
    pub internal_score: f64,
    /// Its counts.
    pub counts: Counts,
}

/// How the memory is searched: the indexed matcher, or the brute-force reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// The indexed matcher ([`Matcher::find`]).
    Indexed,
    /// The full distance to every stored segment ([`Matcher::brute_force`]); the
    /// reference the indexed analysis is tested against.
    BruteForce,
}

/// The best memory match of one distinct source.
#[derive(Debug, Clone, Default, PartialEq)]
struct Leverage {
    score: f64,
    /// Units matching 100% (with the target language).
    exact: Vec<i64>,
}

/// Analyze `job` against `mem` (see the module documentation). `progress` is called
/// with (queries done, queries in all) as the matching goes.
pub fn analyze(
    mem: &Memory,
    job: &Job,
    rules: &Rules,
    search: Search,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Analysis> {
    let results = classify(mem, job, rules, search, progress)?;
    Ok(summarize(mem, job, rules, &results))
}

/// The files of `job` in the order `rules` takes them.
pub fn file_order(job: &Job, rules: &Rules) -> Vec<usize> {
    let mut order: Vec<usize> = (0..job.files.len()).collect();
    if rules.file_order == FileOrder::Name {
        order.sort_by(|&a, &b| {
            let (pa, pb) = (&job.files[a].path, &job.files[b].path);
            pa.file_name().cmp(&pb.file_name()).then_with(|| pa.cmp(pb))
        });
    }
    order
}

/// The band of every segment, in the order the files are taken.
pub fn classify(
    mem: &Memory,
    job: &Job,
    rules: &Rules,
    search: Search,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<SegmentResult>> {
    rules.check()?;
    job.check_memory_languages(&mem.languages()?)?;
    let order = file_order(job, rules);
    let key_of = |s: &JobSegment| crate::text::match_key_for(&job.source, &s.source);
    // One query per distinct key, in job order.
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut distinct: Vec<(String, &str)> = Vec::new();
    let mut seg_key: Vec<usize> = vec![usize::MAX; job.segments.len()];
    for &f in &order {
        for i in job.files[f].segments.clone() {
            if job.segments[i].lock.is_locked() {
                continue;
            }
            let k = key_of(&job.segments[i]);
            let next = distinct.len();
            let id = *keys.entry(k.clone()).or_insert(next);
            if id == next {
                distinct.push((k, job.segments[i].source.as_str()));
            }
            seg_key[i] = id;
        }
    }
    let leverage = leverage(mem, job, rules, search, &distinct, progress)?;
    let src_range = range_of(&job.source)?;
    let key_rule = crate::text::KeyRule::for_tag(&job.source);
    let key_chars: Vec<Vec<char>> = if rules.internal {
        distinct
            .iter()
            .map(|(k, _)| k.chars().map(|c| key_rule.fold(c)).collect())
            .collect()
    } else {
        Vec::new()
    };
    // For each distinct key: the file it was first seen in, and whether the file being
    // read has it already.
    let mut first_file: Vec<Option<usize>> = vec![None; distinct.len()];
    let mut in_file: Vec<Option<usize>> = vec![None; distinct.len()];
    let mut out = Vec::with_capacity(job.segments.len());
    for &f in &order {
        let range = job.files[f].segments.clone();
        for i in range.clone() {
            let seg = &job.segments[i];
            if seg.lock.is_locked() {
                out.push(SegmentResult {
                    file: f,
                    segment: i,
                    band: Band::Locked,
                    tm_score: 0.0,
                    internal_score: 0.0,
                    counts: count_segment(seg),
                });
                continue;
            }
            let k = seg_key[i];
            let lev = &leverage[k];
            let counts = count_segment(seg);
            let exact = lev.score >= 100.0;
            let context = exact && {
                let prev = (i > range.start).then(|| &job.segments[i - 1]);
                let prev_key = prev.map(key_of);
                in_context(
                    mem,
                    &lev.exact,
                    &src_range,
                    &job.source,
                    prev_key.as_deref(),
                )?
            };
            let earlier = first_file[k];
            let mut internal_score = 0.0;
            let band = if context {
                Band::Context
            } else if exact && !rules.repetitions_over_exact {
                Band::Exact
            } else if in_file[k] == Some(f) {
                Band::Repetition
            } else if earlier.is_some() {
                Band::CrossFileRepetition
            } else if exact {
                Band::Exact
            } else {
                let mut best = lev.score;
                if rules.internal {
                    internal_score = internal_best(&key_chars, k, rules.min_score(), best);
                    best = best.max(internal_score);
                }
                match rules.fuzzy_band(best) {
                    Some(b) if best > 0.0 => Band::Fuzzy(b),
                    _ => Band::NoMatch,
                }
            };
            if earlier.is_none() {
                first_file[k] = Some(f);
            }
            in_file[k] = Some(f);
            out.push(SegmentResult {
                file: f,
                segment: i,
                band,
                tm_score: lev.score,
                internal_score,
                counts,
            });
        }
    }
    Ok(out)
}

/// The best score of distinct key `k` against the distinct keys seen before it (they
/// are numbered in job order), counting only scores above `floor` (the memory's best)
/// and at least `min`.
fn internal_best(keys: &[Vec<char>], k: usize, min: u32, floor: f64) -> f64 {
    let q = &keys[k];
    if q.is_empty() {
        return 0.0;
    }
    let verifier = Verifier::new(q);
    let mut best = 0.0f64;
    for other in &keys[..k] {
        let need = best.max(floor).max(min as f64);
        let l = q.len().max(other.len());
        let Some(maxd) = max_distance(l, need) else {
            continue;
        };
        if let Some(d) = verifier.distance_within(other, maxd) {
            let s = score(d, q.len(), other.len());
            if s >= need && s > best {
                best = s;
            }
        }
    }
    if best > floor {
        best
    } else {
        0.0
    }
}

/// The memory's languages a job language is looked up in: the one rule pretranslate and
/// lint use ([`crate::lint::lookup_range`]: the primary language, or the Chinese script),
/// so that an `en-US` job finds an `en` memory's units, as its language check allows.
fn range_of(tag: &crate::lang::LangTag) -> Result<LangRange> {
    Ok(crate::lint::lookup_range(tag))
}

/// True when one of the `units` was preceded at import by a unit whose source key is
/// `prev_key` (`None`: the unit was the first of its file).
fn in_context(
    mem: &Memory,
    units: &[i64],
    src: &LangRange,
    source: &crate::lang::LangTag,
    prev_key: Option<&str>,
) -> Result<bool> {
    for &u in units {
        for prev in mem.previous_sources(u, src)? {
            let hit = match (&prev, prev_key) {
                (None, None) => true,
                (Some(t), Some(k)) => crate::text::match_key_for(source, t) == k,
                _ => false,
            };
            if hit {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The best memory match of every distinct source.
///
/// Indexed: the units whose key equals the source's ([`Matcher::exact_units`], a binary
/// search of the key file); when none has the target language, the best match's band,
/// the sources sorted by length and searched in batches ([`Matcher::find_bands`]: each
/// query's threshold jumps to the next band edge as soon as a match is found, since a
/// better match in the same band changes nothing here; the batch shares the key-file
/// scan). Brute force: the top matches of every source by [`Matcher::brute_force`],
/// exact ones included. Either way, when the best match lacks the target language the
/// top 16 are looked at. The sources, then the batches, are shared out to one thread
/// per core (each opens the memory read-only and runs single-threaded searches) when
/// the memory is a file.
fn leverage(
    mem: &Memory,
    job: &Job,
    rules: &Rules,
    search: Search,
    distinct: &[(String, &str)],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Leverage>> {
    let src = range_of(&job.source)?;
    let tgt = range_of(&job.target)?;
    let min_score = rules.min_score() as f64;
    let all = distinct.len() as u64;
    // The top 16 (brute force: the reference; indexed: when the best unit lacks the
    // target language), the best with the target language taken.
    let top16 = |matcher: &mut Matcher, m: &Memory, text: &str| -> Result<Leverage> {
        let opts = MatchOptions {
            limit: 16,
            min_score,
        };
        let found = match search {
            Search::Indexed => matcher.find(text, &src, opts)?,
            Search::BruteForce => matcher.brute_force(text, &src, opts)?,
        };
        let mut lev = Leverage::default();
        for h in found {
            if !m.unit_has_language(h.id, &tgt)? {
                continue;
            }
            if lev.score == 0.0 {
                lev.score = h.score;
            }
            if h.score >= 100.0 {
                lev.exact.push(h.id);
            }
        }
        Ok(lev)
    };
    // A segment without letters or digits (a lone dash) matches nothing.
    let no_query = |r: Result<Leverage>| match r {
        Err(e) if matches!(e.kind(), ErrorKind::BadQuery | ErrorKind::Limit) => {
            Ok(Leverage::default())
        }
        r => r,
    };
    if search == Search::BruteForce {
        return crate::fuzzy::batch(
            mem,
            distinct,
            |matcher, m, (_, text)| no_query(top16(matcher, m, text)),
            progress,
        );
    }
    // Exact matches first: a binary search of the key file each.
    let exact: Vec<Option<Leverage>> = crate::fuzzy::batch(
        mem,
        distinct,
        |matcher, m, (_, text)| {
            let mut lev = Leverage::default();
            let ids = match matcher.exact_units(text, &src) {
                Err(e) if matches!(e.kind(), ErrorKind::BadQuery | ErrorKind::Limit) => {
                    return Ok(Some(lev))
                }
                r => r?,
            };
            for id in ids {
                if m.unit_has_language(id, &tgt)? {
                    lev.exact.push(id);
                }
            }
            if lev.exact.is_empty() {
                return Ok(None);
            }
            lev.score = 100.0;
            Ok(Some(lev))
        },
        &|_, _| {},
    )?;
    // The others' bands, in batches of similar lengths (`Matcher::find_bands`: the
    // key-file scan reads each chunk of keys once per batch).
    let mut open: Vec<usize> = (0..distinct.len())
        .filter(|&i| exact[i].is_none())
        .collect();
    open.sort_by_key(|&i| (distinct[i].0.chars().count(), i));
    let done = (distinct.len() - open.len()) as u64;
    progress(done, all);
    // Batches of up to 64, at least 32 of them when there are that many sources (one
    // thread per core takes batches from a queue).
    let size = (open.len() / 32).clamp(1, 64);
    let batches: Vec<&[usize]> = open.chunks(size).collect();
    let per = batches.len().max(1) as u64;
    let open_n = open.len() as u64;
    let found: Vec<Vec<(usize, Leverage)>> = crate::fuzzy::batch(
        mem,
        &batches,
        |matcher, m, batch| {
            let texts: Vec<&str> = batch.iter().map(|&i| distinct[i].1).collect();
            let bands = matcher.find_bands(&texts, &src, min_score, &rules.fuzzy_edges)?;
            let mut out = Vec::with_capacity(batch.len());
            for (&i, band) in batch.iter().zip(bands) {
                let lev = match band {
                    Err(e) if matches!(e.kind(), ErrorKind::BadQuery | ErrorKind::Limit) => {
                        Leverage::default()
                    }
                    Err(e) => return Err(e),
                    Ok(hits) => match hits.first() {
                        None => Leverage::default(),
                        Some(h) if m.unit_has_language(h.id, &tgt)? => Leverage {
                            score: h.score,
                            exact: Vec::new(),
                        },
                        // The best unit lacks the target language.
                        Some(_) => no_query(top16(matcher, m, distinct[i].1))?,
                    },
                };
                out.push((i, lev));
            }
            Ok(out)
        },
        &|d, _| progress(done + d * open_n / per, all),
    )?;
    let mut out: Vec<Leverage> = exact.into_iter().map(Option::unwrap_or_default).collect();
    for (i, lev) in found.into_iter().flatten() {
        out[i] = lev;
    }
    Ok(out)
}

/// Sum the segment results into per-file and job bands.
pub fn summarize(mem: &Memory, job: &Job, rules: &Rules, results: &[SegmentResult]) -> Analysis {
    let order = file_order(job, rules);
    let mut files: Vec<FileAnalysis> = order
        .iter()
        .map(|&f| FileAnalysis {
            path: job.files[f].path.display().to_string(),
            bands: Bands::empty(rules),
        })
        .collect();
    let pos: HashMap<usize, usize> = order.iter().enumerate().map(|(i, &f)| (f, i)).collect();
    let mut total = Bands::empty(rules);
    for r in results {
        files[pos[&r.file]].bands.add(r.band, &r.counts);
        total.add(r.band, &r.counts);
    }
    Analysis {
        memory: mem.path().display().to_string(),
        source: job.source.to_string(),
        target: job.target.to_string(),
        rules: rules.clone(),
        rules_text: rules.describe(),
        files,
        total,
    }
}

#[cfg(test)]
mod tests;
