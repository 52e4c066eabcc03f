//! The pivot bound: a test of a few bytes per key that rejects, before the kernel
//! sees it, a key that cannot be within the bound of the current threshold.
//!
//! The Levenshtein distance is a metric, so for any string `p` (a pivot),
//! `lev(q, k) ≥ |lev(q, p) − lev(k, p)|`. The key file stores every key's distances to
//! its language's pivots ([`crate::keystore::PIVOTS`] keys of the language), capped at
//! [`crate::keystore::PIVOT_CAP`] so each fits a byte; the search computes the query's
//! distances to the same pivots once. Capping keeps the bound: `x ↦ min(x, C)` moves
//! two numbers no further apart, so `|min(a, C) − min(b, C)| ≤ |a − b|`. A key whose
//! bound exceeds `k` has a distance above `k` and is rejected; a key it does not reject
//! goes to the kernel, so answers are exact whatever the pivots are. A formulaic
//! memory is clustered (templates, revisions of rows), so keys of other clusters than
//! the query's are often far from the query relative to a pivot of theirs.
//!
//! Each key also stores its distances to the pivots of its length stratum
//! ([`crate::keystore::STRATUM`] lengths), keys of about its own length; the bound is
//! the greater of the two (each a lower bound). A query's band spans a few strata: its
//! distances to a stratum's pivots are computed once, when the scan first reaches a
//! length group of that stratum ([`QueryPivots`]).
//!
//! The key file's builder computes every key's distances to the pivots with
//! [`PivotTable`]: eight pivots at a time, one per lane, the key streamed through them
//! column by column (see there).

use std::sync::OnceLock;

use crate::keystore::{Group as KeyGroup, KeyFile, LangKeys, PIVOT_CAP};
use rapidfuzz::distance::levenshtein;

/// The query's side of the bound for one length group: its distances to the language's
/// pivots and to the group's stratum's, and the group's rows of stored distances.
#[derive(Clone, Copy)]
pub(crate) struct PivotBound<'a> {
    /// The query's capped distance to each pivot of the language.
    q: &'a [u8],
    /// `q.len()` bytes per key of the group.
    rows: &'a [u8],
    /// The query's capped distance to each pivot of the group's stratum.
    qs: &'a [u8],
    /// `qs.len()` bytes per key of the group.
    srows: &'a [u8],
}

/// The bound of one set of pivots: the largest difference of the query's and the
/// key's distances.
#[inline]
fn lower_of(q: &[u8], rows: &[u8], i: usize) -> u8 {
    let np = q.len();
    if np == 0 {
        return 0;
    }
    let row = &rows[i * np..(i + 1) * np];
    row.iter()
        .zip(q)
        .fold(0u8, |m, (&a, &b)| m.max(a.abs_diff(b)))
}

impl<'a> PivotBound<'a> {
    /// The bound for keys whose rows are `rows` (`q.len()` bytes each) and `srows`
    /// (`qs.len()` bytes each); `None` when there are no pivots.
    pub(crate) fn new(
        q: &'a [u8],
        rows: &'a [u8],
        qs: &'a [u8],
        srows: &'a [u8],
    ) -> Option<PivotBound<'a>> {
        (!q.is_empty() || !qs.is_empty()).then_some(PivotBound { q, rows, qs, srows })
    }

    /// The lower bound on the distance of the query to key `i` of the group (the
    /// scan asks [`PivotBound::rejects`]).
    #[cfg(test)]
    pub(crate) fn lower(&self, i: usize) -> usize {
        lower_of(self.qs, self.srows, i).max(lower_of(self.q, self.rows, i)) as usize
    }

    /// True when key `i` of the group is proven to be more than `k` away: the
    /// stratum's pivots first (they reject more), then the language's.
    #[inline]
    pub(crate) fn rejects(&self, i: usize, k: usize) -> bool {
        k < PIVOT_CAP
            && (lower_of(self.qs, self.srows, i) as usize > k
                || lower_of(self.q, self.rows, i) as usize > k)
    }
}

/// A query's distances to the pivots of one language of a key file: to the language's
/// pivots (computed at once) and to each stratum's (computed the first time a length
/// group of the stratum asks, once for every thread of the search).
pub(crate) struct QueryPivots<'a> {
    kf: &'a KeyFile,
    l: &'a LangKeys,
    codes: &'a [u32],
    global: Vec<u8>,
    strata: Vec<OnceLock<Vec<u8>>>,
}

impl<'a> QueryPivots<'a> {
    /// The query `codes` (codes of language `l`); with `global` false the language's
    /// pivots are left out (no length group is in the band), with `strata` false the
    /// strata's (to measure the bound without them).
    pub(crate) fn new(
        kf: &'a KeyFile,
        l: &'a LangKeys,
        codes: &'a [u32],
        global: bool,
        strata: bool,
    ) -> QueryPivots<'a> {
        QueryPivots {
            kf,
            l,
            codes,
            global: if global {
                query_distances(codes, &kf.pivots(l))
            } else {
                Vec::new()
            },
            strata: if strata {
                kf.strata(l).iter().map(|_| OnceLock::new()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The bound for the keys of group `g` of the language.
    pub(crate) fn bound(&self, g: &KeyGroup) -> Option<PivotBound<'_>> {
        let rows = self.kf.pivot_rows(self.l, g.first, g.count);
        let si = self.kf.stratum_index(self.l, g.len);
        let (qs, srows) = match si.filter(|&si| si < self.strata.len()) {
            Some(si) => {
                let qs = self.strata[si].get_or_init(|| {
                    query_distances(self.codes, &self.kf.stratum_pivots(self.l, si))
                });
                (
                    &qs[..],
                    self.kf.stratum_pivot_rows(self.l, si, g.first, g.count),
                )
            }
            None => (&[][..], &[][..]),
        };
        PivotBound::new(&self.global, rows, qs, srows)
    }

    /// The number of query-to-pivot distances computed so far.
    pub(crate) fn computed(&self) -> u64 {
        let strata: usize = self
            .strata
            .iter()
            .filter_map(|s| s.get())
            .map(Vec::len)
            .sum();
        (self.global.len() + strata) as u64
    }
}

/// The query's distances (codes of the language) to `pivots`, capped at
/// [`PIVOT_CAP`], as the key file stores the keys'.
pub(crate) fn query_distances(q: &[u32], pivots: &[Vec<u32>]) -> Vec<u8> {
    let args = levenshtein::Args::default().score_cutoff(PIVOT_CAP);
    pivots
        .iter()
        .map(|p| {
            let d = levenshtein::distance_with_args(q.iter().copied(), p.iter().copied(), &args);
            d.map_or(PIVOT_CAP, |d| d.min(PIVOT_CAP)) as u8
        })
        .collect()
}

/// Pivots verified side by side (one per lane) when the builder computes a key's
/// distances.
const LANES: usize = 8;

/// The biggest match table of one group of [`LANES`] pivots (bytes): a group of
/// longer pivots is computed pivot by pivot (rapidfuzz) instead.
const MAX_TABLE: usize = 16 << 20;

/// The most columns (key characters) whose states a [`Cursor`] keeps to resume the
/// next key after a shared prefix; a longer key is computed from its first character.
const MAX_HISTORY: usize = 4096;

/// Every key's distances to a language's pivots, as the key file stores them (capped
/// at [`PIVOT_CAP`]), computed for [`LANES`] pivots at once.
///
/// Each lane holds one pivot's multi-word bit-parallel (Myers / Hyyrö) column — the
/// pivot is the pattern, of up to `64 · words` characters, and the key is the text,
/// streamed one character per step: a step is the same elementwise operations on
/// `[u64; LANES]` for every word, which the compiler turns into AVX-512 or AVX2
/// instructions (chosen at run time, as in `lanes.rs`). The match vectors are a table
/// indexed by (the group's local code of the key character, word, lane), so a step
/// loads each word's eight lanes contiguously. Pivots are sorted by length into groups
/// of [`LANES`], so a group's word count is that of its longest pivot. The distance is
/// read once, after the key's last column: the key's length plus the vertical deltas
/// of the final column below each pivot's length (+1 for a set `VP` bit, −1 for a set
/// `VN` bit). The column after `c` characters depends only on them, so a [`Cursor`]
/// keeps every column of the previous key and resumes the next key after their common
/// prefix (the file's keys are sorted by codes within a length). Equal to the textbook
/// dynamic programme and to rapidfuzz (tests below), capped at [`PIVOT_CAP`].
pub(crate) struct PivotTable {
    np: usize,
    groups: Vec<Group>,
    /// Pivots whose group's table would pass [`MAX_TABLE`]: (index, comparator).
    slow: Vec<(
        usize,
        rapidfuzz::distance::levenshtein::BatchComparator<u32>,
    )>,
}

/// One group of up to [`LANES`] pivots.
struct Group {
    /// The pivot index of each lane (`usize::MAX`: an empty lane).
    idx: [usize; LANES],
    /// The pivot's length in each lane.
    len: [usize; LANES],
    /// Words per lane (64 pattern characters each).
    words: usize,
    /// Local code (1..) of every alphabet code in one of the group's pivots; 0 for
    /// other codes and for codes past the end.
    lut: Vec<u32>,
    /// `words · LANES` match words per local code (local code 0: all zero).
    peq: Vec<u64>,
}

/// One builder thread's state: per group, the columns of the last key computed.
pub(crate) struct Cursor {
    groups: Vec<History>,
}

#[derive(Default)]
struct History {
    /// The key whose columns `cols` holds (up to [`MAX_HISTORY`] characters).
    key: Vec<u32>,
    /// Column `c` (after `c` characters): `VP` then `VN`, `words · LANES` each.
    cols: Vec<u64>,
}

impl PivotTable {
    /// The table of `pivots` (codes of one language; none empty).
    pub(crate) fn new(pivots: &[Vec<u32>]) -> PivotTable {
        use rapidfuzz::distance::levenshtein::BatchComparator;
        let mut order: Vec<usize> = (0..pivots.len()).collect();
        order.sort_by_key(|&j| (pivots[j].len(), j));
        let mut groups = Vec::new();
        let mut slow = Vec::new();
        for chunk in order.chunks(LANES) {
            let longest = chunk.iter().map(|&j| pivots[j].len()).max().unwrap_or(0);
            let words = longest.div_ceil(64).max(1);
            let mut lut: Vec<u32> = Vec::new();
            let mut nl = 1usize;
            for &j in chunk {
                for &c in &pivots[j] {
                    let c = c as usize;
                    if c >= lut.len() {
                        lut.resize(c + 1, 0);
                    }
                    if lut[c] == 0 {
                        lut[c] = nl as u32;
                        nl += 1;
                    }
                }
            }
            if nl * words * LANES * 8 > MAX_TABLE {
                for &j in chunk {
                    slow.push((j, BatchComparator::new(pivots[j].iter().copied())));
                }
                continue;
            }
            let mut peq = vec![0u64; nl * words * LANES];
            let mut idx = [usize::MAX; LANES];
            let mut len = [0usize; LANES];
            for (l, &j) in chunk.iter().enumerate() {
                idx[l] = j;
                len[l] = pivots[j].len();
                for (i, &c) in pivots[j].iter().enumerate() {
                    let loc = lut[c as usize] as usize;
                    peq[(loc * words + i / 64) * LANES + l] |= 1u64 << (i % 64);
                }
            }
            groups.push(Group {
                idx,
                len,
                words,
                lut,
                peq,
            });
        }
        PivotTable {
            np: pivots.len(),
            groups,
            slow,
        }
    }

    /// A fresh cursor (one per thread).
    pub(crate) fn cursor(&self) -> Cursor {
        Cursor {
            groups: self.groups.iter().map(|_| History::default()).collect(),
        }
    }

    /// The distances of `key` to pivots `first..` into `out[first..]` (`out` has one
    /// byte per pivot; bytes before `first` are left alone), capped at [`PIVOT_CAP`].
    pub(crate) fn distances(&self, cur: &mut Cursor, key: &[u32], first: usize, out: &mut [u8]) {
        assert_eq!(out.len(), self.np);
        for (g, h) in self.groups.iter().zip(&mut cur.groups) {
            if g.idx.iter().all(|&j| j == usize::MAX || j < first) {
                continue;
            }
            let d = group_distances(g, h, key);
            for (&j, &d) in g.idx.iter().zip(&d) {
                if j != usize::MAX && j >= first {
                    out[j] = d.min(PIVOT_CAP) as u8;
                }
            }
        }
        if !self.slow.is_empty() {
            let args = rapidfuzz::distance::levenshtein::Args::default().score_cutoff(PIVOT_CAP);
            for (j, cmp) in &self.slow {
                if *j >= first {
                    let d = cmp.distance_with_args(key.iter().copied(), &args);
                    out[*j] = d.map_or(PIVOT_CAP, |d| d.min(PIVOT_CAP)) as u8;
                }
            }
        }
    }
}

/// The distances of `key` to the group's pivots (one per lane; empty lanes: garbage),
/// resuming `h`'s columns after the prefix `key` shares with `h`'s key.
fn group_distances(g: &Group, h: &mut History, key: &[u32]) -> [usize; LANES] {
    let stride = 2 * g.words * LANES;
    let n = key.len();
    // Columns kept: every one up to MAX_HISTORY characters; past that, two (the key
    // is computed from its first character and not kept).
    let keep = n <= MAX_HISTORY;
    let from = if keep {
        let shared = h.key.iter().zip(key).take_while(|(a, b)| a == b).count();
        let cols = (n + 1) * stride;
        if h.cols.len() < cols {
            h.cols.resize(cols, 0);
        }
        shared
    } else {
        if h.cols.len() < 2 * stride {
            h.cols.resize(2 * stride, 0);
        }
        0
    };
    if from == 0 {
        let (vp, vn) = h.cols[..stride].split_at_mut(g.words * LANES);
        vp.fill(!0);
        vn.fill(0);
    }
    run_columns(g, key, from, keep, &mut h.cols);
    h.key.clear();
    if keep {
        h.key.extend_from_slice(key);
    }
    // The final column's vertical deltas below each lane's pivot length.
    let last = if keep { n } else { n & 1 };
    let col = &h.cols[last * stride..(last + 1) * stride];
    let (vp, vn) = col.split_at(g.words * LANES);
    let mut d = [n as isize; LANES];
    for l in 0..LANES {
        let m = g.len[l];
        for w in 0..g.words.min(m.div_ceil(64)) {
            let bits = (m - 64 * w).min(64);
            let mask = if bits == 64 {
                !0u64
            } else {
                (1u64 << bits) - 1
            };
            d[l] += (vp[w * LANES + l] & mask).count_ones() as isize;
            d[l] -= (vn[w * LANES + l] & mask).count_ones() as isize;
        }
    }
    d.map(|x| x.max(0) as usize)
}

dispatch_by_cpu! {
    /// Columns `from + 1 ..= key.len()` of the group from column `from` (`keep`: column
    /// `c` at slot `c`; else at slot `c & 1`).
    fn run_columns(g: &Group, key: &[u32], from: usize, keep: bool, cols: &mut [u64]) => run_columns_any;
}

#[inline(always)]
fn run_columns_any(g: &Group, key: &[u32], from: usize, keep: bool, cols: &mut [u64]) {
    let words = g.words;
    let half = words * LANES;
    let stride = 2 * half;
    let slot = |c: usize| if keep { c } else { c & 1 };
    for (c, &code) in key.iter().enumerate().skip(from) {
        let loc = g.lut.get(code as usize).copied().unwrap_or(0) as usize;
        let pm = &g.peq[loc * half..(loc + 1) * half];
        let (a, b) = (slot(c), slot(c + 1));
        // The column before (slot `a`) and the one computed (slot `b`).
        let (prev, next) = if a < b {
            let (x, y) = cols.split_at_mut(b * stride);
            (&x[a * stride..(a + 1) * stride], &mut y[..stride])
        } else {
            let (x, y) = cols.split_at_mut(a * stride);
            (&y[..stride], &mut x[b * stride..(b + 1) * stride])
        };
        let (pvp, pvn) = prev.split_at(half);
        let (nvp, nvn) = next.split_at_mut(half);
        // Horizontal deltas entering each word from below: +1 at row 0 (the top row of
        // the textbook programme counts the key's characters), then the carries.
        let mut hpc = [1u64; LANES];
        let mut hnc = [0u64; LANES];
        for w in 0..words {
            let r = w * LANES..(w + 1) * LANES;
            let pmw: &[u64; LANES] = pm[r.clone()].try_into().expect("lanes");
            let vp: &[u64; LANES] = pvp[r.clone()].try_into().expect("lanes");
            let vn: &[u64; LANES] = pvn[r.clone()].try_into().expect("lanes");
            let mut op = [0u64; LANES];
            let mut on = [0u64; LANES];
            for l in 0..LANES {
                let x = pmw[l] | hnc[l];
                let d0 = ((x & vp[l]).wrapping_add(vp[l]) ^ vp[l]) | x | vn[l];
                let hp = vn[l] | !(d0 | vp[l]);
                let hn = d0 & vp[l];
                let hps = (hp << 1) | hpc[l];
                let hns = (hn << 1) | hnc[l];
                hpc[l] = hp >> 63;
                hnc[l] = hn >> 63;
                op[l] = hns | !(d0 | hps);
                on[l] = hps & d0;
            }
            nvp[r.clone()].copy_from_slice(&op);
            nvn[r].copy_from_slice(&on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::lev::distance_dp;
    use proptest::prelude::*;

    fn chars(v: &[u32]) -> Vec<char> {
        v.iter()
            .map(|&c| char::from_u32(0x61 + c).unwrap())
            .collect()
    }

    /// A cluster: a base string and copies with a few edits.
    fn clustered(base: &[u32], edits: &[(usize, u32)]) -> Vec<u32> {
        let mut s = base.to_vec();
        for &(at, c) in edits {
            let at = at % (s.len() + 1);
            match c % 3 {
                0 if at < s.len() => s[at] = c % 5 + 1,
                1 if at < s.len() => {
                    s.remove(at);
                }
                _ => s.insert(at, c % 5 + 1),
            }
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The bound never exceeds the textbook distance, on clustered strings and on
        /// long ones whose distances to the pivots pass the cap (stored capped on both
        /// sides), and the query's distances are the capped textbook ones.
        #[test]
        fn bound_is_below_the_distance(
            base in prop::collection::vec(1u32..5, 1..120),
            other in prop::collection::vec(1u32..5, 1..120),
            long in prop::collection::vec(6u32..9, 200..400),
            eq in prop::collection::vec((0usize..400, 0u32..30), 0..8),
            ek in prop::collection::vec((0usize..400, 0u32..30), 0..40),
            ep in prop::collection::vec(prop::collection::vec((0usize..400, 0u32..30), 0..10), 1..5),
            key_long in any::<bool>(),
            q_long in any::<bool>(),
        ) {
            let q = clustered(if q_long { &long } else { &base }, &eq);
            let k = clustered(if key_long { &long } else { &base }, &ek);
            // Two sets, as the language's and a stratum's pivots: the bound is the
            // greater of theirs, each alone one too.
            let pivots: Vec<Vec<u32>> = ep.iter().map(|e| clustered(&base, e)).collect();
            let strat = vec![other.clone(), clustered(&long, &ek)];
            let qd = query_distances(&q, &pivots);
            let kd = query_distances(&k, &pivots);
            let qs = query_distances(&q, &strat);
            let ks = query_distances(&k, &strat);
            for (j, p) in pivots.iter().chain(&strat).enumerate() {
                let d = distance_dp(&chars(&q), &chars(p)).min(PIVOT_CAP);
                prop_assert_eq!(qd.iter().chain(&qs).nth(j).copied(), Some(d as u8));
            }
            let d = distance_dp(&chars(&q), &chars(&k));
            let both = PivotBound::new(&qd, &kd, &qs, &ks).unwrap();
            let one = PivotBound::new(&qd, &kd, &[], &[]).unwrap();
            let other = PivotBound::new(&[], &[], &qs, &ks).unwrap();
            prop_assert_eq!(both.lower(0), one.lower(0).max(other.lower(0)));
            prop_assert!(both.lower(0) <= d, "bound {} above distance {}", both.lower(0), d);
            for pb in [both, one, other] {
                prop_assert!(!pb.rejects(0, d));
                prop_assert_eq!(pb.rejects(0, d / 2), d / 2 < PIVOT_CAP && pb.lower(0) > d / 2);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Through a key file (the language's and the strata's pivots, as the scan reads
        /// them): the bound of a random query never exceeds its true distance to any key
        /// (the textbook programme), so no key within any `k` is rejected.
        #[test]
        fn file_bound_never_rejects_a_key_within_k(
            keys in prop::collection::vec(prop::collection::vec(0u8..4, 0..70), 1..250),
            q in prop::collection::vec(0u8..5, 0..70),
            first_id in 1i64..40,
        ) {
            use crate::keystore::Builder;
            let en = crate::lang::LangTag::parse("en").unwrap();
            let letters = ['a', 'b', 'c', 'd', 'z'];
            let text = |v: &[u8]| -> String { v.iter().map(|&c| letters[c as usize]).collect() };
            let mut b = Builder::new();
            for (i, k) in keys.iter().enumerate() {
                b.add(first_id + i as i64, &en, &text(k));
            }
            let kf = b.into_map(1, 1).unwrap();
            let l = kf.language(&en).unwrap().clone();
            let qc: Vec<char> = text(&q).chars().collect();
            let codes: Vec<u32> = qc.iter().map(|&c| kf.code(&l, c)).collect();
            let qp = QueryPivots::new(&kf, &l, &codes, true, true);
            let back = |c: u32| letters.iter().copied().find(|&x| kf.code(&l, x) == c).unwrap();
            for g in kf.groups(&l) {
                let Some(pb) = qp.bound(&g) else {
                    continue;
                };
                let codes = kf.codes_u8(&l, &g);
                for i in 0..g.count {
                    let key: Vec<char> =
                        codes[i * g.len..(i + 1) * g.len].iter().map(|&c| back(c.into())).collect();
                    let d = distance_dp(&qc, &key);
                    prop_assert!(pb.lower(i) <= d, "bound {} above {d}", pb.lower(i));
                    prop_assert!(!pb.rejects(i, d));
                }
            }
            prop_assert_eq!(qp.computed() as usize, kf.pivots(&l).len() + (0..kf.strata(&l).len())
                .filter(|&si| kf.groups(&l).iter().any(|g| kf.stratum_index(&l, g.len) == Some(si)))
                .map(|si| kf.stratum_pivots(&l, si).len())
                .sum::<usize>());
        }
    }

    /// The table's distances for `keys` (in the given order, one cursor, so neighbours
    /// resume after their shared prefix) against the textbook programme and rapidfuzz,
    /// capped; and, asked from the middle pivot on, that only those bytes are written.
    fn check_table(
        pivots: &[Vec<u32>],
        keys: &[Vec<u32>],
    ) -> std::result::Result<(), TestCaseError> {
        let table = PivotTable::new(pivots);
        let mut cur = table.cursor();
        let np = pivots.len();
        let ch = |v: &[u32]| -> Vec<char> {
            v.iter()
                .map(|&c| char::from_u32(0x4E00 + c % 20000).unwrap())
                .collect()
        };
        for key in keys {
            let mut out = vec![0xAAu8; np];
            table.distances(&mut cur, key, 0, &mut out);
            let want = query_distances(key, pivots);
            for (j, p) in pivots.iter().enumerate() {
                let d = distance_dp(&ch(key), &ch(p)).min(PIVOT_CAP);
                prop_assert_eq!(out[j] as usize, d, "pivot {} key len {}", j, key.len());
                prop_assert_eq!(want[j] as usize, d);
            }
            let first = np / 2;
            let mut part = vec![7u8; np];
            table.distances(&mut cur, key, first, &mut part);
            prop_assert!(part[..first].iter().all(|&b| b == 7));
            prop_assert_eq!(&part[first..], &out[first..]);
        }
        Ok(())
    }

    /// Codes spread over the range of one- or two-byte alphabets.
    fn widen(v: &[u32], wide: bool) -> Vec<u32> {
        if wide {
            v.iter().map(|&c| c * 13_001 % 65_521 + 1).collect()
        } else {
            v.to_vec()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Many pivots (several groups, one partly filled) of every length from one
        /// character to more than four words, and keys of one character to more than
        /// 255, random and clustered, in sorted order (shared prefixes) and shuffled.
        #[test]
        fn table_equals_dp_and_rapidfuzz(
            base in prop::collection::vec(1u32..6, 1..300),
            other in prop::collection::vec(1u32..40, 1..80),
            pe in prop::collection::vec(prop::collection::vec((0usize..400, 0u32..30), 0..40), 1..20),
            ke in prop::collection::vec(prop::collection::vec((0usize..400, 0u32..30), 0..60), 1..24),
            long in prop::collection::vec(1u32..6, 256..700),
            wide in any::<bool>(),
            sorted in any::<bool>(),
        ) {
            let mut pivots: Vec<Vec<u32>> = pe.iter().map(|e| clustered(&base, e)).collect();
            pivots.push(other.clone());
            pivots.push(vec![3]);
            pivots.push(long.clone());
            pivots.retain(|p| !p.is_empty());
            let mut keys: Vec<Vec<u32>> = ke.iter().map(|e| clustered(&base, e)).collect();
            keys.extend(ke.iter().take(4).map(|e| clustered(&long, e)));
            keys.push(other.clone());
            keys.push(vec![3]);
            keys.push(vec![39]);
            keys.push(Vec::new());
            keys.push(base.clone());
            let pivots: Vec<Vec<u32>> = pivots.iter().map(|p| widen(p, wide)).collect();
            let mut keys: Vec<Vec<u32>> = keys.iter().map(|k| widen(k, wide)).collect();
            if sorted {
                keys.sort();
            }
            check_table(&pivots, &keys)?;
        }
    }

    /// Keys longer than the columns a cursor keeps, and a group of pivots whose table
    /// would be too big (computed pivot by pivot), equal the textbook programme too.
    #[test]
    fn table_long_keys_and_big_pivots() {
        let base: Vec<u32> = (0..5000u32).map(|i| (i * 7 + i / 13) % 9 + 1).collect();
        let mut pivots: Vec<Vec<u32>> = vec![base[..300].to_vec(), base[100..120].to_vec()];
        // 8 pivots of 2,000 distinct-ish codes: 16,000 local codes × 32 words × 64 bytes.
        for j in 0..8u32 {
            pivots.push(
                (0..2000u32)
                    .map(|i| 1 + (i * 31 + j * 2000) % 60_000)
                    .collect(),
            );
        }
        let mut keys = vec![base.clone(), base[..4097].to_vec(), base[..4097].to_vec()];
        keys.push(pivots[3].clone());
        keys.push(base[..10].to_vec());
        let table = PivotTable::new(&pivots);
        assert_eq!(
            table.slow.len(),
            8,
            "the big group is computed by rapidfuzz"
        );
        let mut cur = table.cursor();
        for key in &keys {
            let mut out = vec![0u8; pivots.len()];
            table.distances(&mut cur, key, 0, &mut out);
            assert_eq!(out, query_distances(key, &pivots), "key len {}", key.len());
        }
    }

    /// A key of another cluster than the query's is rejected through a pivot of its
    /// cluster; the pivot bound of a query to itself is 0.
    #[test]
    fn a_far_cluster_is_rejected() {
        let a: Vec<u32> = (0..60).map(|i| i % 4 + 1).collect();
        let b: Vec<u32> = (0..60).map(|i| (i * 7 + 3) % 5 + 1).collect();
        let pivots = vec![a.clone(), b.clone()];
        let q = clustered(&a, &[(5, 3), (20, 4)]);
        let k = clustered(&b, &[(9, 0)]);
        let qd = query_distances(&q, &pivots);
        let kd = query_distances(&k, &pivots);
        let d = distance_dp(&chars(&q), &chars(&k));
        let pb = PivotBound::new(&qd, &kd, &[], &[]).unwrap();
        assert!(pb.lower(0) > 10 && pb.lower(0) <= d, "{} {d}", pb.lower(0));
        assert!(pb.rejects(0, 10));
        // The same pivots as a stratum's, alone.
        let ps = PivotBound::new(&[], &[], &qd, &kd).unwrap();
        assert_eq!(ps.lower(0), pb.lower(0));
        assert!(ps.rejects(0, 10));
        assert_eq!(PivotBound::new(&qd, &qd, &[], &[]).unwrap().lower(0), 0);
        assert!(PivotBound::new(&[], &[], &[], &[]).is_none());
    }
}
