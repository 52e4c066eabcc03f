//! The band search of many queries at once ([`Matcher::find_bands`]): the key-file
//! scan of a batch of queries reads each chunk of keys once for all of them.
//!
//! The scan of one query ([`super::engine`]) over the one-million-unit memory reads
//! tens of megabytes of codes and pivot rows for the keys of its length band, and a
//! job of thousands of queries of similar lengths reads the same keys over and over.
//! Here the queries of a batch (the analysis sorts them by length, so their bands
//! overlap) take each chunk of keys in turn while it is in the cache: every query runs
//! exactly the step the single-query scan runs on that chunk ([`engine::chunk`], with
//! its own threshold, bound and window table), so every answer is one
//! [`Matcher::find_band`] could give — the best match's band is the same; as with
//! `find_band` on several threads, the score within the band may be another match's.
//! It saves the reading, not the kernel's arithmetic, which is most of the cost: on
//! the analysis of 10,000 segments against the formulaic 1M memory, 12–15% less CPU
//! (README, Analysis).
//!
//! Each query first tries the q-gram index within its budget, as `find_band` does
//! (near-duplicates end there); only the queries that need the key file are batched.

use super::engine::{self, fits, CHUNK, LANES_FROM};
use super::kernel::QueryPm;
use super::lanes::Windows;
use super::pivot::QueryPivots;
use super::{Floor, Match, Matcher, QueryKey, TopK};
use crate::error::Result;
use crate::keystore::{Group, KeyFile, LangKeys};
use crate::lang::LangRange;
use crate::text::KeyRule;

use super::lev::Verifier;

/// One query of the batch that needs the key file of a language.
struct Pending<'a> {
    /// The query's index in the batch.
    at: usize,
    /// Its length (key characters).
    n: usize,
    pm: QueryPm,
    /// Its capped distances to the language's and the strata's pivots.
    qp: QueryPivots<'a>,
    /// The eight-lane kernel's window table, when the band is big enough for it.
    win: Option<Windows>,
}

/// See [`Matcher::find_bands`].
pub(super) fn find_bands(
    m: &mut Matcher,
    queries: &[&str],
    from: &LangRange,
    min_score: f64,
    edges: &[u32],
) -> Result<Vec<Result<Vec<Match>>>> {
    let floor = Floor::with_edges(min_score, edges);
    let _read = m.mem.read_tx()?;
    let tags = m.source_tags(from)?;
    let kf = m.mem.key_file()?;
    let keys: Vec<Result<QueryKey>> = queries.iter().map(|q| QueryKey::new(q)).collect();
    let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(1, floor)).collect();
    for tag in &tags {
        let li = m.langs.iter().position(|l| &l.tag == tag).expect("indexed");
        let rule = KeyRule::for_tag(tag);
        let l = kf.language(tag);
        let mut pending: Vec<(usize, Vec<char>)> = Vec::new();
        for (at, key) in keys.iter().enumerate() {
            let Ok(key) = key else {
                continue;
            };
            let q = key.with_rule(rule);
            let verifier = Verifier::new(&q.chars);
            let top = &mut tops[at];
            match l {
                Some(l) => {
                    // The q-gram index within the budget first, as `find_band` does.
                    let budget = Some(m.budget(l));
                    if !m.search_lang(li, &q, &verifier, top, budget, Some((&*kf, l)))? {
                        pending.push((at, q.chars));
                    }
                }
                None => {
                    m.search_lang(li, &q, &verifier, top, None, None)?;
                }
            }
        }
        if let Some(l) = l {
            scan(&kf, l, &pending, &mut tops, li, m.stratum_pivots);
        }
    }
    let mut out = Vec::with_capacity(queries.len());
    for (key, top) in keys.into_iter().zip(tops) {
        out.push(match key {
            Ok(_) => Ok(m.collect(top)?),
            Err(e) => Err(e),
        });
    }
    Ok(out)
}

/// The key-file scan of the `pending` queries (index in `tops`, key characters) over
/// language `l`: chunk by chunk, closest lengths to the batch's middle first, every
/// query whose band holds the chunk's length verifying it from its current threshold.
/// `strata`: with the length strata's pivots.
fn scan(
    kf: &KeyFile,
    l: &LangKeys,
    pending: &[(usize, Vec<char>)],
    tops: &mut [TopK],
    li: usize,
    strata: bool,
) {
    if pending.is_empty() {
        return;
    }
    let groups: Vec<Group> = kf
        .groups(l)
        .into_iter()
        .filter(|g| {
            g.count > 0
                && pending
                    .iter()
                    .any(|(at, q)| fits(q.len(), g.len, tops[*at].threshold()))
        })
        .collect();
    if groups.is_empty() {
        return;
    }
    let alphabet = kf.alphabet_len(l);
    let codes: Vec<Vec<u32>> = pending
        .iter()
        .map(|(_, q)| q.iter().map(|&c| kf.code(l, c)).collect())
        .collect();
    let mut qs: Vec<Pending> = pending
        .iter()
        .zip(&codes)
        .map(|((at, q), codes)| {
            let qp = QueryPivots::new(kf, l, codes, true, strata);
            let pm = QueryPm::new(codes.clone(), alphabet);
            let s0 = tops[*at].threshold();
            let (max_m, total) = groups
                .iter()
                .filter(|g| fits(q.len(), g.len, s0))
                .fold((0, 0), |(mm, t), g| (mm.max(g.len), t + g.count));
            let win = if total >= LANES_FROM {
                Windows::new(&pm, alphabet, max_m)
            } else {
                None
            };
            Pending {
                at: *at,
                n: q.len(),
                pm,
                qp,
                win,
            }
        })
        .collect();
    qs.sort_by_key(|p| p.n);
    let mid = qs[qs.len() / 2].n;
    let mut order: Vec<&Group> = groups.iter().collect();
    order.sort_by_key(|g| (g.len.abs_diff(mid), g.len));
    for g in order {
        let m = g.len;
        let mut a = 0;
        while a < g.count {
            let b = (a + CHUNK).min(g.count);
            for p in &qs {
                let top = &mut tops[p.at];
                let thr = top.threshold();
                if !fits(p.n, m, thr) {
                    continue;
                }
                let win = p.win.as_ref();
                let publish = &mut |t: f64| t;
                if l.width == 1 {
                    let codes = kf.codes_u8(l, g);
                    engine::chunk(
                        kf, l, g, codes, a, b, &p.pm, &p.qp, top, li, win, thr, publish,
                    );
                } else {
                    let codes = kf.codes_u16(l, g);
                    engine::chunk(
                        kf, l, g, codes, a, b, &p.pm, &p.qp, top, li, win, thr, publish,
                    );
                }
            }
            a = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::lev::{score, Verifier};
    use crate::keystore::Builder;
    use crate::lang::LangTag;

    /// A clustered memory of more keys than one chunk per length (templates with words
    /// in slots, as a formulaic memory is) and a batch of queries of many lengths (edited
    /// copies, unrelated strings): for every query the batched scan lands in the band of
    /// the single-query scan ([`engine::search`] with the same band floor) and of the
    /// brute-force best score over the same keys, from an empty top and from a top the
    /// q-gram search could have left (a true score below the best).
    #[test]
    fn batched_band_scan_equals_single_scan_and_brute_force() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0x5DEE_CE66_D1CE_4E5Bu64);
        let mut texts: Vec<Vec<char>> = Vec::new();
        let mut b = Builder::new();
        for id in 1..=12_000i64 {
            let template = rand(4) as usize;
            let t = crate::testutil::formulaic_sentence(template, &mut rand);
            b.add(id, &en, &t);
            texts.push(t.chars().collect());
        }
        let kf = b.into_map(1, 1).unwrap();
        let l = kf.language(&en).unwrap().clone();
        let mut queries: Vec<Vec<char>> = Vec::new();
        for round in 0..24 {
            let mut q: Vec<char> = crate::testutil::formulaic_sentence(round % 4, &mut rand)
                .chars()
                .collect();
            // 0 to 40 edits: every band down to no match.
            for _ in 0..(round * 5 / 3) {
                let at = rand(q.len() as u64) as usize;
                match rand(3) {
                    0 => q[at] = 'x',
                    1 => {
                        q.remove(at);
                    }
                    _ => q.insert(at, 'z'),
                }
            }
            queries.push(q);
        }
        queries.push(
            "zzzz qqqq zzzz qqqq zzzz qqqq zzzz qqqq zzzz"
                .chars()
                .collect(),
        );
        let edges = [95, 85, 75, 50];
        let floor = Floor::with_edges(50.0, &edges);
        let band = |s: Option<f64>| {
            s.map(|s| {
                edges.iter().filter(|&&e| s.floor() as u32 >= e).count() + usize::from(s >= 100.0)
            })
        };
        let brute: Vec<Option<f64>> = queries
            .iter()
            .map(|q| {
                let v = Verifier::new(q);
                texts
                    .iter()
                    .map(|t| score(v.distance(t), q.len(), t.len()))
                    .filter(|&s| s >= 50.0)
                    .max_by(f64::total_cmp)
            })
            .collect();
        assert!(brute.iter().filter(|s| s.is_none()).count() >= 1);
        assert!(brute.iter().filter(|s| s.is_some_and(|s| s < 85.0)).count() >= 3);
        for seeded in [false, true] {
            let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(1, floor)).collect();
            if seeded {
                // A true score of some key, as the q-gram search leaves one.
                for (q, top) in queries.iter().zip(&mut tops) {
                    let i = rand(texts.len() as u64) as usize;
                    let d = Verifier::new(q).distance(&texts[i]);
                    top.offer(score(d, q.len(), texts[i].len()), i as i64 + 1, 0);
                }
            }
            let pending: Vec<(usize, Vec<char>)> = queries.iter().cloned().enumerate().collect();
            let mut single = tops.clone();
            scan(&kf, &l, &pending, &mut tops, 0, seeded);
            for (i, q) in queries.iter().enumerate() {
                engine::search(&kf, &l, q, &mut single[i], 0, 1, true);
                let got = band(tops[i].items.first().map(|x| x.0));
                assert_eq!(
                    got,
                    band(single[i].items.first().map(|x| x.0)),
                    "query {i} seeded {seeded}"
                );
                assert_eq!(got, band(brute[i]), "query {i} seeded {seeded}");
                if let Some(&(s, id, _)) = tops[i].items.first() {
                    let t = &texts[id as usize - 1];
                    assert_eq!(s, score(Verifier::new(q).distance(t), q.len(), t.len()));
                }
            }
        }
    }
}
