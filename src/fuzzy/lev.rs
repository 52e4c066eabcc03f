//! Levenshtein distance over Unicode scalar values, the match score, and the edit script
//! used to mark differences.
//!
//! * [`score`] is the one definition of a fuzzy-match score.
//! * [`Verifier`] computes the distance of one query against many segments with the
//!   bit-parallel algorithm of Myers/Hyyrö (blocked for long strings, banded with an
//!   early cut-off), as implemented by the `rapidfuzz` crate.
//! * [`distance_dp`] is the textbook Wagner–Fischer dynamic programme: the oracle the
//!   tests compare the fast path against.
//! * [`edit_script`] aligns two strings (for the diff marks of `concord match`).

use rapidfuzz::distance::levenshtein;

/// The score of a match: `100 × (1 − lev / max(len_a, len_b))`, lengths in Unicode
/// scalar values of the matching keys. Two empty keys score 100.
///
/// Every path (indexed, brute force, tests) computes scores through this function, so
/// equal distances and lengths give bit-identical scores.
pub fn score(lev: usize, len_a: usize, len_b: usize) -> f64 {
    let l = len_a.max(len_b);
    if l == 0 {
        return 100.0;
    }
    100.0 * (1.0 - lev as f64 / l as f64)
}

/// The largest distance `d ≤ l` with `score(d, l, ·) ≥ min_score` for a longer length of
/// `l`, or `None` when not even an exact match reaches `min_score`.
pub fn max_distance(l: usize, min_score: f64) -> Option<usize> {
    if score(0, l, l) < min_score {
        return None;
    }
    if l == 0 {
        return Some(0);
    }
    // Start from the real-number bound and correct for rounding with the exact function.
    let guess = ((1.0 - min_score / 100.0) * l as f64).floor();
    let mut d = if guess.is_finite() {
        guess.clamp(0.0, l as f64) as usize
    } else {
        l
    };
    while d < l && score(d + 1, l, l) >= min_score {
        d += 1;
    }
    while d > 0 && score(d, l, l) < min_score {
        d -= 1;
    }
    Some(d)
}

/// Plain dynamic-programming Levenshtein distance (the test oracle).
pub fn distance_dp(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The distance of one fixed query to many segments (bit-parallel, with cut-off).
pub struct Verifier {
    query: Vec<char>,
    cmp: levenshtein::BatchComparator<char>,
}

impl Verifier {
    /// Prepare the bit vectors of `query` once.
    pub fn new(query: &[char]) -> Verifier {
        Verifier {
            query: query.to_vec(),
            cmp: levenshtein::BatchComparator::new(query.iter().copied()),
        }
    }

    /// The query's characters.
    pub fn query(&self) -> &[char] {
        &self.query
    }

    /// The exact distance to `segment`.
    pub fn distance(&self, segment: &[char]) -> usize {
        if self.query.is_empty() {
            return segment.len();
        }
        self.cmp.distance(segment.iter().copied())
    }

    /// The exact distance to `segment` if it is at most `max`, else `None`. Stops early
    /// once the band of the dynamic programme proves the distance exceeds `max`.
    pub fn distance_within(&self, segment: &[char], max: usize) -> Option<usize> {
        if self.query.len().abs_diff(segment.len()) > max {
            return None;
        }
        if self.query.is_empty() {
            return Some(segment.len());
        }
        self.cmp.distance_with_args(
            segment.iter().copied(),
            &levenshtein::Args::default().score_cutoff(max),
        )
    }
}

/// One step of an alignment of a stored segment `s` against a query `q`, as ranges of
/// key characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// `s[a]` equals `q[b]` over the ranges.
    Equal(std::ops::Range<usize>, std::ops::Range<usize>),
    /// Characters of `s` that the query does not have.
    Delete(std::ops::Range<usize>),
    /// Characters of the query that `s` does not have, inserted before `s[at]`.
    Insert(usize, std::ops::Range<usize>),
    /// Characters of `s` replaced by characters of the query.
    Replace(std::ops::Range<usize>, std::ops::Range<usize>),
}

/// Align stored segment `s` with query `q` (a minimal edit script, merged into runs).
/// Quadratic in time and memory: callers only use it for the few matches they show.
pub fn edit_script<T: PartialEq>(s: &[T], q: &[T]) -> Vec<EditOp> {
    let (n, m) = (s.len(), q.len());
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(m + 1) {
        *cell = j as u32;
    }
    for i in 1..=n {
        d[i * w] = i as u32;
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + u32::from(s[i - 1] != q[j - 1]);
            let del = d[(i - 1) * w + j] + 1;
            let ins = d[i * w + j - 1] + 1;
            d[i * w + j] = sub.min(del).min(ins);
        }
    }
    // Trace back: 0 equal, 1 replace, 2 delete (from s), 3 insert (from q).
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = d[i * w + j];
        if i > 0 && j > 0 && s[i - 1] == q[j - 1] && d[(i - 1) * w + j - 1] == here {
            steps.push(0u8);
            i -= 1;
            j -= 1;
        } else if i > 0 && j > 0 && d[(i - 1) * w + j - 1] + 1 == here {
            steps.push(1);
            i -= 1;
            j -= 1;
        } else if i > 0 && d[(i - 1) * w + j] + 1 == here {
            steps.push(2);
            i -= 1;
        } else {
            steps.push(3);
            j -= 1;
        }
    }
    steps.reverse();
    // Merge into runs; a delete next to an insert is a replacement.
    let mut ops: Vec<EditOp> = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    let mut k = 0;
    while k < steps.len() {
        if steps[k] == 0 {
            let (a, b) = (i, j);
            while k < steps.len() && steps[k] == 0 {
                i += 1;
                j += 1;
                k += 1;
            }
            ops.push(EditOp::Equal(a..i, b..j));
        } else {
            let (a, b) = (i, j);
            while k < steps.len() && steps[k] != 0 {
                match steps[k] {
                    1 => {
                        i += 1;
                        j += 1;
                    }
                    2 => i += 1,
                    _ => j += 1,
                }
                k += 1;
            }
            ops.push(match (a < i, b < j) {
                (true, true) => EditOp::Replace(a..i, b..j),
                (true, false) => EditOp::Delete(a..i),
                _ => EditOp::Insert(a, b..j),
            });
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn score_examples() {
        assert_eq!(score(0, 5, 5), 100.0);
        assert_eq!(score(1, 8, 7), 87.5);
        assert_eq!(score(3, 6, 7), 100.0 * (1.0 - 3.0 / 7.0));
        assert_eq!(score(0, 0, 0), 100.0);
    }

    #[test]
    fn max_distance_agrees_with_score() {
        for l in 0..300 {
            for s in [0.0, 50.0, 66.7, 70.0, 75.0, 87.5, 99.9, 100.0] {
                let d = max_distance(l, s);
                match d {
                    None => assert!(score(0, l, l) < s),
                    Some(d) => {
                        assert!(score(d, l, l) >= s, "{l} {s} {d}");
                        if d < l {
                            assert!(score(d + 1, l, l) < s, "{l} {s} {d}");
                        }
                    }
                }
            }
        }
        assert_eq!(max_distance(10, 101.0), None);
    }

    #[test]
    fn hangul_and_han_distances() {
        let v = Verifier::new(&c("북한 외무성"));
        assert_eq!(v.distance(&c("북한 외무성")), 0);
        assert_eq!(v.distance(&c("남한 외무성")), 1);
        assert_eq!(v.distance_within(&c("朝鲜外务省"), 2), None);
        assert_eq!(distance_dp(&c("朝鲜"), &c("韩")), 2);
    }

    #[test]
    fn edit_script_reconstructs() {
        let s = c("the two ministers met in pyongyang");
        let q = c("the ministers met in seoul today");
        let ops = edit_script(&s, &q);
        let mut rebuilt = Vec::new();
        for op in &ops {
            match op {
                EditOp::Equal(a, _) => rebuilt.extend_from_slice(&s[a.clone()]),
                EditOp::Insert(_, b) | EditOp::Replace(_, b) => {
                    rebuilt.extend_from_slice(&q[b.clone()])
                }
                EditOp::Delete(_) => {}
            }
        }
        assert_eq!(rebuilt, q);
    }

    fn text() -> impl Strategy<Value = Vec<char>> {
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', 'c', ' ', '한', '국', '朝', '鲜', '😀']),
            0..150,
        )
    }

    proptest! {
        #[test]
        fn bit_parallel_equals_dp(a in text(), b in text(), cut in 0usize..160) {
            let v = Verifier::new(&a);
            let d = distance_dp(&a, &b);
            prop_assert_eq!(v.distance(&b), d);
            prop_assert_eq!(v.distance_within(&b, cut), (d <= cut).then_some(d));
        }
    }
}
