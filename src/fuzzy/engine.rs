//! The search over the key file ([`crate::keystore`]): exact top K by scanning the
//! keys whose length can still qualify, verified with the banded kernel
//! ([`super::kernel`]), on every core.
//!
//! For a query of `n` characters and a threshold `s` (the minimum score, or the K-th
//! best score found so far when it is higher), a key of `m` characters can qualify only
//! if `|n − m| ≤ k = max_distance(max(n, m), s)`. The keys of one length are contiguous
//! in the file, so the search visits lengths in order of `|n − m|` (the closest first:
//! they hold the near-duplicates that raise the threshold, which narrows the band) in
//! chunks that the threads take from a shared counter. Every thread keeps its own top
//! K; the threshold they share is the highest of their K-th scores, which is never
//! above the K-th score of the merged answer, so no key of the true top K is skipped.
//! A key is verified by the kernel with the bound `k` of the current threshold: it
//! answers the exact distance when it is at most `k`, and otherwise proves that the key
//! scores below the threshold.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::kernel::{Code, PrefixRuns, QueryPm};
use super::lanes::{self, Windows};
use super::lev::{max_distance, score};
use super::pivot::QueryPivots;
use super::TopK;
use crate::keystore::{Group, KeyFile, LangKeys};

/// Keys per unit of work.
pub(super) const CHUNK: usize = 2048;
/// Below this many keys in the band, one thread does the work.
const PARALLEL_FROM: usize = 20_000;
/// Chunks of at least this many keys go to the eight-lane kernel ([`lanes`]).
pub(super) const LANES_FROM: usize = 64;

/// One chunk: group index, first and end key index within the group.
type Item = (usize, usize, usize);

/// Work counters of a scan (deterministic on one thread; on several, the thresholds the
/// threads share change them a little).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanCounts {
    /// Keys of the band looked at.
    pub(crate) looked: u64,
    /// Keys the kernel verified (not rejected by the pivots or a shared prefix).
    pub(crate) kernel: u64,
    /// Rows the kernel computed.
    pub(crate) rows: u64,
    /// Distances of the query to pivots computed.
    pub(crate) pivot_distances: u64,
}

impl std::ops::AddAssign for ScanCounts {
    fn add_assign(&mut self, o: ScanCounts) {
        self.looked += o.looked;
        self.kernel += o.kernel;
        self.rows += o.rows;
        self.pivot_distances += o.pivot_distances;
    }
}

/// Search one language of the key file for the query `q` (its key characters, folded by
/// the language's rule), adding what qualifies to `top` under language index `li`.
/// `strata`: with the length strata's pivots (see [`QueryPivots`]). Returns the work
/// done.
pub(crate) fn search(
    kf: &KeyFile,
    l: &LangKeys,
    q: &[char],
    top: &mut TopK,
    li: usize,
    threads: usize,
    strata: bool,
) -> ScanCounts {
    let n = q.len();
    let codes: Vec<u32> = q.iter().map(|&c| kf.code(l, c)).collect();
    let s0 = top.threshold();
    let groups: Vec<Group> = kf
        .groups(l)
        .into_iter()
        .filter(|g| g.count > 0 && fits(n, g.len, s0))
        .collect();
    // The query's distances to the pivots, only when some length group is in the band
    // (a stratum's when the scan reaches it).
    let qp = QueryPivots::new(kf, l, &codes, !groups.is_empty(), strata);
    let qp = &qp;
    let pm = QueryPm::new(codes.clone(), kf.alphabet_len(l));
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| (groups[i].len.abs_diff(n), groups[i].len));
    let mut items: Vec<Item> = Vec::new();
    let mut total = 0;
    for &gi in &order {
        let g = &groups[gi];
        total += g.count;
        let mut a = 0;
        while a < g.count {
            let b = (a + CHUNK).min(g.count);
            items.push((gi, a, b));
            a = b;
        }
    }
    // The window table of the eight-lane kernel, for the longest key of the band.
    let max_m = groups.iter().map(|g| g.len).max().unwrap_or(0);
    let win = if total >= LANES_FROM {
        Windows::new(&pm, kf.alphabet_len(l), max_m)
    } else {
        None
    };
    let win = win.as_ref();
    let shared = AtomicU64::new(s0.to_bits());
    let next = AtomicUsize::new(0);
    let threads = if total < PARALLEL_FROM {
        1
    } else {
        threads.max(1)
    };
    let run = || -> (TopK, ScanCounts) {
        let mut local = TopK::new(top.k, top.min);
        let calls = if l.width == 1 {
            worker::<u8>(
                kf,
                l,
                &groups,
                &items,
                &pm,
                qp,
                &shared,
                &next,
                &mut local,
                win,
                |g| kf.codes_u8(l, g),
            )
        } else {
            worker::<u16>(
                kf,
                l,
                &groups,
                &items,
                &pm,
                qp,
                &shared,
                &next,
                &mut local,
                win,
                |g| kf.codes_u16(l, g),
            )
        };
        (local, calls)
    };
    let results: Vec<(TopK, ScanCounts)> = if threads == 1 {
        vec![run()]
    } else {
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads).map(|_| s.spawn(run)).collect();
            hs.into_iter()
                .map(|h| h.join().expect("search thread"))
                .collect()
        })
    };
    let mut counts = ScanCounts::default();
    for (local, c) in results {
        counts += c;
        for (sc, id, _) in local.items {
            top.offer(sc, id, li);
        }
    }
    counts.pivot_distances = qp.computed();
    counts
}

/// True when a key of length `m` can reach score `s` against a query of length `n`.
#[inline]
pub(super) fn fits(n: usize, m: usize, s: f64) -> bool {
    max_distance(n.max(m), s).is_some_and(|k| n.abs_diff(m) <= k)
}

#[allow(clippy::too_many_arguments)]
fn worker<'a, T: Code>(
    kf: &KeyFile,
    l: &LangKeys,
    groups: &[Group],
    items: &[Item],
    pm: &QueryPm,
    qp: &QueryPivots,
    shared: &AtomicU64,
    next: &AtomicUsize,
    local: &mut TopK,
    win: Option<&Windows>,
    codes_of: impl Fn(&Group) -> &'a [T],
) -> ScanCounts {
    let mut calls = ScanCounts::default();
    loop {
        let it = next.fetch_add(1, Ordering::Relaxed);
        let Some(&(gi, a, b)) = items.get(it) else {
            break;
        };
        let g = &groups[gi];
        let thr = local
            .threshold()
            .max(f64::from_bits(shared.load(Ordering::Relaxed)));
        calls += chunk(
            kf,
            l,
            g,
            codes_of(g),
            a,
            b,
            pm,
            qp,
            local,
            0,
            win,
            thr,
            &mut |t| {
                // Publish a higher K-th score (scores are non-negative, so their bit
                // patterns order like the values).
                shared.fetch_max(t.to_bits(), Ordering::Relaxed);
                t.max(f64::from_bits(shared.load(Ordering::Relaxed)))
            },
        );
    }
    calls
}

/// Verify keys `a..b` of length group `g` (`codes`: the group's codes) against the
/// query (`pm`, its pivot distances `qp`, the window table `win` when it has one),
/// offering what qualifies to `local` under language index `li`, from threshold
/// `thr` (at least `local`'s). When `local`'s threshold rises, `publish` is told the
/// new one and answers the threshold to go on with (at least the one told: a search
/// on several threads returns the highest of theirs). Returns the work done (its
/// `pivot_distances` left 0: `qp` counts those). The one step of the scan that [`search`] (one query, its chunks on
/// every core) and [`super::multi`] (a batch of queries, each chunk read once for
/// all of them) share.
#[allow(clippy::too_many_arguments)]
pub(crate) fn chunk<T: Code>(
    kf: &KeyFile,
    l: &LangKeys,
    g: &Group,
    codes: &[T],
    a: usize,
    b: usize,
    pm: &QueryPm,
    qp: &QueryPivots,
    local: &mut TopK,
    li: usize,
    win: Option<&Windows>,
    mut thr: f64,
    publish: &mut dyn FnMut(f64) -> f64,
) -> ScanCounts {
    let n = pm.q.len();
    let m = g.len;
    let mut calls = ScanCounts::default();
    let Some(mut k) = max_distance(n.max(m), thr) else {
        return calls;
    };
    if n.abs_diff(m) > k {
        return calls;
    }
    let pb = qp.bound(g);
    if let Some(win) = win.filter(|w| b - a >= LANES_FROM && lanes::fits(w, n, m, k)) {
        // Eight keys at a time; a higher K-th score found meanwhile tightens the
        // bound the lanes reject with (every score is exact and offered against
        // the current K-th score).
        let prefixes = kf.prefix_rows(l, g.first, g.count);
        return lanes::scan(win, codes, prefixes, m, a, b, n, k, pb, &mut |i, d| {
            local.offer(score(d, n, m), kf.id(l, g.first + i), li);
            let t = local.threshold();
            if t > thr {
                thr = publish(t);
            }
            max_distance(n.max(m), thr).map_or(0, |nk| nk.min(k))
        });
    }
    let mut runs = PrefixRuns::<u64>::new(pm, m, k);
    let mut wide = if runs.is_none() {
        PrefixRuns::<u128>::new(pm, m, k)
    } else {
        None
    };
    let mut prev: Option<&[T]> = None;
    for i in a..b {
        let key = &codes[i * m..(i + 1) * m];
        calls.looked += 1;
        // Rejected by the pivots: `prev` stays the last key the kernel ran, whose
        // rows `PrefixRuns` holds.
        if pb.is_some_and(|pb| pb.rejects(i, k)) {
            continue;
        }
        let found = if let Some(r) = runs.as_mut() {
            r.run(pm, prev, key)
        } else if let Some(r) = wide.as_mut() {
            r.run(pm, prev, key)
        } else {
            calls.kernel += 1;
            calls.rows += m as u64;
            pm.within(key, k)
        };
        prev = Some(key);
        let Some(d) = found else {
            continue;
        };
        local.offer(score(d, n, m), kf.id(l, g.first + i), li);
        let t = local.threshold();
        if t > thr {
            thr = publish(t);
            match max_distance(n.max(m), thr) {
                Some(nk) if n.abs_diff(m) <= nk => {
                    if nk != k {
                        k = nk;
                        calls += prefix_counts(&runs, &wide);
                        runs = PrefixRuns::<u64>::new(pm, m, k);
                        wide = if runs.is_none() {
                            PrefixRuns::<u128>::new(pm, m, k)
                        } else {
                            None
                        };
                        prev = None;
                    }
                }
                _ => break,
            }
        }
    }
    calls += prefix_counts(&runs, &wide);
    calls
}

/// The kernel's work of the one-key runs of a chunk.
fn prefix_counts(runs: &Option<PrefixRuns<u64>>, wide: &Option<PrefixRuns<u128>>) -> ScanCounts {
    let (kernel, rows) = match (runs, wide) {
        (Some(r), _) => r.counts(),
        (None, Some(r)) => r.counts(),
        (None, None) => (0, 0),
    };
    ScanCounts {
        kernel,
        rows,
        ..ScanCounts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::lev::Verifier;
    use crate::fuzzy::pivot::PivotBound;
    use crate::keystore::Builder;
    use crate::lang::LangTag;

    /// A clustered memory (sentences of a few templates with words in slots, as a
    /// formulaic memory is): the pivot bound rejects many keys of the length band, and
    /// the search still equals a brute force over the same keys, for every query,
    /// whole answers and top 3, one thread and two.
    #[test]
    fn pivot_bound_on_clustered_keys_equals_brute_force() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0x94D0_49BB_1331_11EBu64);
        let mut texts: Vec<Vec<char>> = Vec::new();
        let mut b = Builder::new();
        for id in 1..=(PARALLEL_FROM as i64 + 4000) {
            let template = rand(4) as usize;
            let t = crate::testutil::formulaic_sentence(template, &mut rand);
            b.add(id, &en, &t);
            texts.push(t.chars().collect());
        }
        let kf = b.into_map(1, 1).unwrap();
        let l = kf.language(&en).unwrap().clone();
        let mut rejected = 0usize;
        let mut global_only = 0usize;
        let mut band = 0usize;
        for round in 0..6 {
            let mut q: Vec<char> = crate::testutil::formulaic_sentence(round % 4, &mut rand)
                .chars()
                .collect();
            for _ in 0..round {
                let at = rand(q.len() as u64) as usize;
                q[at] = 'x';
            }
            let codes: Vec<u32> = q.iter().map(|&c| kf.code(&l, c)).collect();
            let qp = QueryPivots::new(&kf, &l, &codes, true, true);
            let qd = crate::fuzzy::pivot::query_distances(&codes, &kf.pivots(&l));
            let v = Verifier::new(&q);
            for min in [70.0, 85.0] {
                for g in kf.groups(&l).iter().filter(|g| fits(q.len(), g.len, min)) {
                    let k = max_distance(q.len().max(g.len), min).unwrap();
                    let pb = qp.bound(g).unwrap();
                    let rows = kf.pivot_rows(&l, g.first, g.count);
                    let pg = PivotBound::new(&qd, rows, &[], &[]).unwrap();
                    band += g.count;
                    rejected += (0..g.count).filter(|&i| pb.rejects(i, k)).count();
                    global_only += (0..g.count).filter(|&i| pg.rejects(i, k)).count();
                }
                let all = brute(&v, q.len(), &texts, min);
                for (limit, threads) in [(100_000, 2), (3, 1), (3, 2)] {
                    let mut top = TopK::new(limit, min);
                    search(&kf, &l, &q, &mut top, 0, threads, true);
                    let want: Vec<_> = all.iter().take(limit).copied().collect();
                    assert!(top.items == want, "round {round} min {min} limit {limit}");
                }
            }
        }
        assert!(
            rejected * 4 > band,
            "the pivots reject {rejected} of {band} keys in the bands"
        );
        // The strata's pivots reject keys that the language's do not.
        assert!(
            rejected > global_only,
            "with the strata's pivots {rejected}, without {global_only} of {band}"
        );
    }

    /// The brute-force answer: every text (unit id = index + 1) scoring at least `min`
    /// against the query of `n` characters that `v` verifies, best first, ties by id.
    fn brute(v: &Verifier, n: usize, texts: &[Vec<char>], min: f64) -> Vec<(f64, i64, usize)> {
        let mut all: Vec<(f64, i64, usize)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (score(v.distance(t), n, t.len()), i as i64 + 1, 0))
            .filter(|x| x.0 >= min)
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all
    }

    /// Keys that share long prefixes (many past 255 codes, keys rejected after row 255,
    /// so a lane's shared-prefix test compares long runs of codes), in length
    /// groups of more than one chunk and more than eight lanes' runs, and more keys than
    /// [`PARALLEL_FROM`] so two threads split the chunks: the search equals a brute
    /// force over the same keys (rapidfuzz's distance, not the kernel), for the whole
    /// answer and for a top 3.
    #[test]
    fn scan_of_long_shared_prefixes_equals_brute_force() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0x2545_F491_4F6C_DD1Du64);
        let letters = ['a', 'b', 'c', 'd'];
        let base: Vec<char> = (0..310).map(|_| letters[rand(4) as usize]).collect();
        let mut texts: Vec<Vec<char>> = Vec::new();
        let mut b = Builder::new();
        for id in 1..=22_000i64 {
            // The base up to a cut (mostly past row 255), then random letters.
            let cut = 150 + rand(160) as usize;
            let len = 296 + rand(9) as usize;
            let t: Vec<char> = (0..len)
                .map(|j| {
                    if j < cut {
                        base[j]
                    } else {
                        letters[rand(4) as usize]
                    }
                })
                .collect();
            b.add(id, &en, &t.iter().collect::<String>());
            texts.push(t);
        }
        let kf = b.into_map(1, 1).unwrap();
        let l = kf.language(&en).unwrap().clone();
        let big = kf.groups(&l).iter().filter(|g| g.count > CHUNK).count();
        assert!(big >= 5, "groups of more than one chunk: {big}");
        // Keys sharing more than 255 codes with the base (and so, mostly, with the key
        // before them): a lane rejecting one at a late row compares long prefixes.
        let long = texts
            .iter()
            .filter(|t| t.iter().zip(&base).take_while(|(a, b)| a == b).count() > 255)
            .count();
        assert!(long > 5_000, "keys sharing more than 255 codes: {long}");
        let mut edited = base[..300].to_vec();
        for at in [3, 140, 262, 263, 281] {
            edited[at] = 'e';
        }
        let queries = [edited, base[..291].to_vec()];
        for q in &queries {
            let v = Verifier::new(q);
            // A band of one word (k = 30) and of two (k = 75).
            for min in [90.0, 75.0] {
                let all = brute(&v, q.len(), &texts, min);
                assert!(all.len() > 10, "min {min}: {} qualify", all.len());
                for (limit, threads) in [(100_000, 2), (3, 1)] {
                    let mut top = TopK::new(limit, min);
                    search(&kf, &l, q, &mut top, 0, threads, true);
                    let want: Vec<_> = all.iter().take(limit).copied().collect();
                    assert!(
                        top.items == want,
                        "query of {} min {min} limit {limit}: {} found, {} want",
                        q.len(),
                        top.items.len(),
                        want.len()
                    );
                }
            }
        }
    }
}
