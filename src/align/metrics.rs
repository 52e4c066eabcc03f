//! Strict and lax precision, recall and F1 of a sentence alignment, as the vecalign
//! evaluation defines them (Thompson and Koehn 2019, after Sennrich and Volk 2010).
//!
//! An alignment is a list of beads, each a list of source and a list of target sentence
//! ids. **Precision** is counted over the test beads (insertions and deletions included):
//! a bead is a strict hit when the gold alignment has exactly that bead, a lax hit when
//! it is not but one of its source sentences is aligned in the gold to one of its target
//! sentences. **Recall** is the same count with gold and test swapped, leaving out the
//! beads with an empty side on both. F1 is the harmonic mean of the two.

use std::collections::{HashMap, HashSet};

/// A bead: source sentence ids and target sentence ids.
pub type Bead = (Vec<usize>, Vec<usize>);

/// Counts summed over documents, and the scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Strict true positives, strict false positives, lax true positives, lax false
    /// positives of precision.
    pub precision_counts: [u64; 4],
    /// The same counts for recall.
    pub recall_counts: [u64; 4],
}

fn counts(gold: &[Bead], test: &[Bead]) -> [u64; 4] {
    let norm = |v: &[Bead]| -> HashSet<Bead> {
        v.iter()
            .filter(|(s, t)| !s.is_empty() || !t.is_empty())
            .map(|(s, t)| {
                let (mut s, mut t) = (s.clone(), t.clone());
                s.sort_unstable();
                t.sort_unstable();
                (s, t)
            })
            .collect()
    };
    let (gold, test) = (norm(gold), norm(test));
    let mut src_to_tgt: HashMap<usize, HashSet<usize>> = HashMap::new();
    for (s, t) in &gold {
        for a in s {
            src_to_tgt.entry(*a).or_default().extend(t.iter().copied());
        }
    }
    let mut c = [0u64; 4];
    for bead in &test {
        if gold.contains(bead) {
            c[0] += 1;
            c[2] += 1;
        } else {
            c[1] += 1;
            let lax = bead.0.iter().any(|a| {
                src_to_tgt
                    .get(a)
                    .is_some_and(|ts| bead.1.iter().any(|b| ts.contains(b)))
            });
            if lax {
                c[2] += 1;
            } else {
                c[3] += 1;
            }
        }
    }
    c
}

impl Scores {
    /// Add one document's gold and test alignments.
    pub fn add(&mut self, gold: &[Bead], test: &[Bead]) {
        let p = counts(gold, test);
        let both = |v: &[Bead]| -> Vec<Bead> {
            v.iter()
                .filter(|(s, t)| !s.is_empty() && !t.is_empty())
                .cloned()
                .collect()
        };
        let r = counts(&both(test), &both(gold));
        for k in 0..4 {
            self.precision_counts[k] += p[k];
            self.recall_counts[k] += r[k];
        }
    }

    fn ratio(a: u64, b: u64) -> f64 {
        if a + b == 0 {
            0.0
        } else {
            a as f64 / (a + b) as f64
        }
    }

    fn f1(p: f64, r: f64) -> f64 {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Strict precision.
    pub fn precision_strict(&self) -> f64 {
        Scores::ratio(self.precision_counts[0], self.precision_counts[1])
    }
    /// Lax precision.
    pub fn precision_lax(&self) -> f64 {
        Scores::ratio(self.precision_counts[2], self.precision_counts[3])
    }
    /// Strict recall.
    pub fn recall_strict(&self) -> f64 {
        Scores::ratio(self.recall_counts[0], self.recall_counts[1])
    }
    /// Lax recall.
    pub fn recall_lax(&self) -> f64 {
        Scores::ratio(self.recall_counts[2], self.recall_counts[3])
    }
    /// Strict F1.
    pub fn f1_strict(&self) -> f64 {
        Scores::f1(self.precision_strict(), self.recall_strict())
    }
    /// Lax F1.
    pub fn f1_lax(&self) -> f64 {
        Scores::f1(self.precision_lax(), self.recall_lax())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &[usize], t: &[usize]) -> Bead {
        (s.to_vec(), t.to_vec())
    }

    #[test]
    fn perfect_alignment_scores_one() {
        let gold = vec![b(&[0], &[0]), b(&[1], &[1, 2]), b(&[2], &[])];
        let mut s = Scores::default();
        s.add(&gold, &gold);
        assert_eq!((s.f1_strict(), s.f1_lax()), (1.0, 1.0));
    }

    #[test]
    fn strict_and_lax_as_vecalign_counts_them() {
        // Gold: 0-0, 1-1, 2-2. Test: 0-0, (1,2)-(1,2): one strict hit, one lax hit.
        let gold = vec![b(&[0], &[0]), b(&[1], &[1]), b(&[2], &[2])];
        let test = vec![b(&[0], &[0]), b(&[1, 2], &[1, 2])];
        let mut s = Scores::default();
        s.add(&gold, &test);
        assert_eq!(s.precision_counts, [1, 1, 2, 0]);
        // Recall: gold beads against the test: 0-0 strict; 1-1 and 2-2 lax.
        assert_eq!(s.recall_counts, [1, 2, 3, 0]);
        assert!((s.precision_strict() - 0.5).abs() < 1e-12);
        assert!((s.recall_strict() - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1_strict() - 0.4).abs() < 1e-12);
        assert_eq!(s.f1_lax(), 1.0);
        // A wrong bead with no overlap is a lax miss too; deletions count in precision
        // only.
        let mut s = Scores::default();
        s.add(
            &[b(&[0], &[0]), b(&[1], &[])],
            &[b(&[0], &[1]), b(&[1], &[])],
        );
        assert_eq!(s.precision_counts, [1, 1, 1, 1]);
        assert_eq!(s.recall_counts, [0, 1, 0, 1]);
    }
}
