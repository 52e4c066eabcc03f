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

use crate::keystore::PIVOT_CAP;
use rapidfuzz::distance::levenshtein;

/// The query's side of the bound for one length group: its distances to the pivots and
/// the group's rows of stored distances.
#[derive(Clone, Copy)]
pub(crate) struct PivotBound<'a> {
    /// The query's capped distance to each pivot.
    q: &'a [u8],
    /// `q.len()` bytes per key of the group.
    rows: &'a [u8],
}

impl<'a> PivotBound<'a> {
    /// The bound for keys whose rows are `rows` (`q.len()` bytes each); `None` when there
    /// are no pivots.
    pub(crate) fn new(q: &'a [u8], rows: &'a [u8]) -> Option<PivotBound<'a>> {
        (!q.is_empty()).then_some(PivotBound { q, rows })
    }

    /// The lower bound on the distance of the query to key `i` of the group.
    #[inline]
    pub(crate) fn lower(&self, i: usize) -> usize {
        let np = self.q.len();
        let row = &self.rows[i * np..(i + 1) * np];
        row.iter()
            .zip(self.q)
            .fold(0u8, |m, (&a, &b)| m.max(a.abs_diff(b))) as usize
    }

    /// True when key `i` of the group is proven to be more than `k` away.
    #[inline]
    pub(crate) fn rejects(&self, i: usize, k: usize) -> bool {
        k < PIVOT_CAP && self.lower(i) > k
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
            let mut pivots: Vec<Vec<u32>> = ep.iter().map(|e| clustered(&base, e)).collect();
            pivots.push(other.clone());
            pivots.push(clustered(&long, &ek));
            let qd = query_distances(&q, &pivots);
            let kd = query_distances(&k, &pivots);
            for (j, p) in pivots.iter().enumerate() {
                let d = distance_dp(&chars(&q), &chars(p)).min(PIVOT_CAP);
                prop_assert_eq!(qd[j] as usize, d);
            }
            let d = distance_dp(&chars(&q), &chars(&k));
            let pb = PivotBound::new(&qd, &kd).unwrap();
            prop_assert!(pb.lower(0) <= d, "bound {} above distance {}", pb.lower(0), d);
            prop_assert!(!pb.rejects(0, d));
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
        let pb = PivotBound::new(&qd, &kd).unwrap();
        assert!(pb.lower(0) > 10 && pb.lower(0) <= d, "{} {d}", pb.lower(0));
        assert!(pb.rejects(0, 10));
        assert_eq!(PivotBound::new(&qd, &qd).unwrap().lower(0), 0);
        assert!(PivotBound::new(&[], &[]).is_none());
    }
}
