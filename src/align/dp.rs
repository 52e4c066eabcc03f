//! Banded dynamic programming over two sequences of sentences.
//!
//! The path moves through a band around the diagonal (row `i` of the source covers the
//! target columns within `width` of `i·m/n`); memory is one byte of back pointer per band
//! cell, so it grows linearly with the number of sentences. When the best path comes
//! near the edge of the band, the band is doubled and the search run again (up to the
//! whole matrix).

use std::ops::Range;

/// What a move does with the sentences it takes (see the module `align`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One bead of all its sentences.
    Plain,
    /// Two 1-1 beads: a sentence cut in two (at a soft boundary) against a sentence cut
    /// in two (1-1), or against two sentences (1-2, 2-1).
    Split,
    /// A cut and a 1-2 (or 2-1) bead in one move: the first sentence of each side is cut
    /// in two, the first halves are a 1-1 bead, and the second halves with the side's
    /// second sentence a 1-2 (2-1) bead (a headline run into a sentence that the other
    /// version made two).
    CutJoin,
}

/// The bead shapes tried: (source sentences, target sentences, kind). The last five
/// are moves that the cost may price as two beads.
pub(crate) const MOVES: [(usize, usize, Kind); 12] = [
    (1, 1, Kind::Plain),
    (1, 0, Kind::Plain),
    (0, 1, Kind::Plain),
    (2, 1, Kind::Plain),
    (1, 2, Kind::Plain),
    (2, 2, Kind::Plain),
    (1, 3, Kind::Plain),
    (1, 1, Kind::Split),
    (1, 2, Kind::Split),
    (2, 1, Kind::Split),
    (1, 2, Kind::CutJoin),
    (2, 1, Kind::CutJoin),
];

/// One step of the path: source and target sentence ranges, the kind of move, and the
/// cost paid.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub src: Range<usize>,
    pub tgt: Range<usize>,
    pub kind: Kind,
    pub cost: f64,
}

/// The cheapest path from (0, 0) to (n, m) under `cost`, whose value for a bead is
/// `f64::INFINITY` when it is forbidden. `cost` receives the source and target ranges
/// and the kind of move.
pub(crate) fn align<F>(n: usize, m: usize, initial_width: usize, cost: F) -> Vec<Step>
where
    F: Fn(Range<usize>, Range<usize>, Kind) -> f64,
{
    let mut width = initial_width.max(4);
    loop {
        let full = width >= n.max(m);
        let (path, touched) = banded(n, m, width, full, &cost);
        if full || !touched {
            return path;
        }
        width *= 2;
    }
}

fn center(i: usize, n: usize, m: usize) -> usize {
    (i * m + n / 2).checked_div(n).unwrap_or(0)
}

/// One run of the banded search. Returns the path and whether it came within two cells
/// of the band's edge (where the band may have cut off a better path).
fn banded<F>(n: usize, m: usize, width: usize, full: bool, cost: &F) -> (Vec<Step>, bool)
where
    F: Fn(Range<usize>, Range<usize>, Kind) -> f64,
{
    let band = |i: usize| -> Range<usize> {
        if full {
            return 0..m + 1;
        }
        let c = center(i, n, m);
        // The corners must be inside: widen the band to reach (0,0) and (n,m).
        let lo = c.saturating_sub(width);
        let hi = (c + width).min(m);
        lo..hi + 1
    };
    let rows: Vec<Range<usize>> = (0..=n).map(band).collect();
    // Back pointers: index into MOVES + 1 (0 = unreachable).
    let mut back: Vec<Vec<u8>> = rows.iter().map(|r| vec![0u8; r.len()]).collect();
    // Costs of the last three rows (a bead takes at most 2 source sentences).
    let mut costs: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for i in 0..=n {
        let r = rows[i].clone();
        let mut row = vec![f64::INFINITY; r.len()];
        for j in r.clone() {
            if i == 0 && j == 0 {
                row[0] = 0.0;
                continue;
            }
            let mut best = f64::INFINITY;
            let mut arg = 0u8;
            for (k, &(di, dj, kind)) in MOVES.iter().enumerate() {
                if di > i || dj > j {
                    continue;
                }
                let (pi, pj) = (i - di, j - dj);
                let pr = &rows[pi];
                if !pr.contains(&pj) {
                    continue;
                }
                let prev = if di == 0 {
                    row[pj - r.start]
                } else {
                    costs[pi % 3][pj - pr.start]
                };
                if !prev.is_finite() {
                    continue;
                }
                let c = prev + cost(pi..i, pj..j, kind);
                if c < best {
                    best = c;
                    arg = k as u8 + 1;
                }
            }
            row[j - r.start] = best;
            back[i][j - r.start] = arg;
        }
        costs[i % 3] = row;
    }
    // Trace back from (n, m).
    let mut path = Vec::new();
    let (mut i, mut j) = (n, m);
    let mut touched = false;
    let total = costs[n % 3].last().copied().unwrap_or(f64::INFINITY);
    if !total.is_finite() {
        // Only when every path is forbidden: the caller widens to the full matrix, and
        // a full matrix always has the all-skips path.
        return (Vec::new(), true);
    }
    while i > 0 || j > 0 {
        let r = &rows[i];
        if !full && (j < r.start + 2 && r.start > 0 || j + 2 >= r.end && r.end <= m) {
            touched = true;
        }
        let k = back[i][j - r.start];
        assert!(k > 0, "a reachable cell has a back pointer");
        let (di, dj, kind) = MOVES[k as usize - 1];
        let (pi, pj) = (i - di, j - dj);
        path.push(Step {
            src: pi..i,
            tgt: pj..j,
            kind,
            cost: 0.0,
        });
        i = pi;
        j = pj;
    }
    path.reverse();
    for s in &mut path {
        s.cost = cost(s.src.clone(), s.tgt.clone(), s.kind);
    }
    (path, touched)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: the same recurrence over the whole matrix, with full cost tables.
    fn brute(n: usize, m: usize, cost: &dyn Fn(Range<usize>, Range<usize>, Kind) -> f64) -> f64 {
        let mut d = vec![vec![f64::INFINITY; m + 1]; n + 1];
        d[0][0] = 0.0;
        for i in 0..=n {
            for j in 0..=m {
                for &(di, dj, kind) in &MOVES {
                    if di <= i && dj <= j && (di, dj) != (0, 0) {
                        let c = d[i - di][j - dj] + cost(i - di..i, j - dj..j, kind);
                        if c < d[i][j] {
                            d[i][j] = c;
                        }
                    }
                }
            }
        }
        d[n][m]
    }

    #[test]
    fn banded_search_finds_the_optimum_of_the_full_matrix() {
        // Lengths with a pseudo-random structure; cost = length difference + bead price.
        let mut seed = 7u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..40 {
            let n = 5 + (next() % 40) as usize;
            let m = 5 + (next() % 40) as usize;
            let a: Vec<f64> = (0..n).map(|_| (next() % 50 + 1) as f64).collect();
            let b: Vec<f64> = (0..m).map(|_| (next() % 50 + 1) as f64).collect();
            let cost = |s: Range<usize>, t: Range<usize>, kind: Kind| {
                let ls: f64 = a[s.clone()].iter().sum();
                let lt: f64 = b[t.clone()].iter().sum();
                let price = match (s.len(), t.len()) {
                    // The split move: dearer or cheaper by the lengths' parity.
                    (1, 1) if kind == Kind::Split => (ls + lt) % 3.0 - 1.0,
                    (1, 1) => 0.0,
                    // The cut-and-join move: likewise, by another residue.
                    _ if kind == Kind::CutJoin => (ls + 2.0 * lt) % 5.0 - 1.0,
                    (1, 0) | (0, 1) => 30.0,
                    _ => 5.0,
                };
                (ls - lt).abs() + price
            };
            let path = align(n, m, 2 + case % 5, cost);
            let total: f64 = path.iter().map(|s| s.cost).sum();
            let best = brute(n, m, &cost);
            assert!(
                (total - best).abs() < 1e-9,
                "case {case}: {total} vs {best}"
            );
            // The path covers both sides exactly once, in order.
            assert_eq!(
                path.first().map(|s| (s.src.start, s.tgt.start)),
                Some((0, 0))
            );
            assert!(path
                .windows(2)
                .all(|w| w[0].src.end == w[1].src.start && w[0].tgt.end == w[1].tgt.start));
            assert_eq!(path.last().map(|s| (s.src.end, s.tgt.end)), Some((n, m)));
        }
    }

    #[test]
    fn forbidden_beads_are_avoided() {
        // The (1,1) bead at the start is forbidden: the path must skip.
        let path = align(2, 2, 4, |s, t, _| {
            if s == (0..1) && t == (0..1) {
                f64::INFINITY
            } else if s.len() == 1 && t.len() == 1 {
                0.0
            } else {
                10.0
            }
        });
        assert!(path.iter().all(|s| !(s.src == (0..1) && s.tgt == (0..1))));
    }
}
