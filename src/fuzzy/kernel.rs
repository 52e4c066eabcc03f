//! Levenshtein kernels over character codes: one query against many stored keys.
//!
//! * [`QueryPm`] holds the query's pattern-match bit vectors (one bit per query
//!   position, per character code), built once per query.
//! * [`QueryPm::within`] is the verification step of the search: the exact distance to
//!   one stored key if it is at most `k`, else `None`. It strips the common prefix and
//!   suffix, then runs the banded bit-parallel algorithm of Hyyrö (2003) in one 64-bit
//!   word over the narrowest band that can hold a path of cost ≤ k (Ukkonen: width
//!   `k + 1`, not `2k + 1`), and stops as soon as the value on the final diagonal
//!   exceeds `k` (values never decrease along a diagonal). Bands wider than 64 take the
//!   blocked algorithm (Myers/Hyyrö, one word per 64 query positions).
//!
//! The test oracle is [`super::lev::distance_dp`]; a property test compares both paths
//! on random strings, bounds and shared prefixes and suffixes.

/// A character code: 0 never occurs in a stored key (the code of every query character
/// the key store has never seen), so it matches nothing.
pub(crate) trait Code: Copy + Eq + Into<u32> + Send + Sync + 'static {}
impl Code for u8 {}
impl Code for u16 {}

/// A machine word of the banded kernels: 64 bits, or 128 (two words, for bands of 65 to
/// 128 diagonals: long keys at low minimum scores).
pub(crate) trait Word:
    Copy
    + Eq
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
    + std::ops::Not<Output = Self>
    + std::ops::Shl<u32, Output = Self>
    + std::ops::Shr<u32, Output = Self>
{
    const BITS: u32;
    const ZERO: Self;
    const ONES: Self;
    fn wadd(self, o: Self) -> Self;
    fn one() -> Self;
    fn window(pm: &QueryPm, c: u32, pos: isize) -> Self;
}

impl Word for u64 {
    const BITS: u32 = 64;
    const ZERO: Self = 0;
    const ONES: Self = !0;
    #[inline(always)]
    fn wadd(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn one() -> Self {
        1
    }
    #[inline(always)]
    fn window(pm: &QueryPm, c: u32, pos: isize) -> Self {
        pm.window(c, pos)
    }
}

impl Word for u128 {
    const BITS: u32 = 128;
    const ZERO: Self = 0;
    const ONES: Self = !0;
    #[inline(always)]
    fn wadd(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn one() -> Self {
        1
    }
    #[inline(always)]
    fn window(pm: &QueryPm, c: u32, pos: isize) -> Self {
        (pm.window(c, pos) as u128) | ((pm.window(c, pos + 64) as u128) << 64)
    }
}

/// The query's pattern-match vectors: for every code of the alphabet, one bit per query
/// position, in `words` 64-bit words (plus two zero words of padding), indexed by the
/// code directly (no indirection in the inner loop; a few KB for a Latin alphabet).
pub(crate) struct QueryPm {
    /// The query as codes.
    pub(crate) q: Vec<u32>,
    words: usize,
    /// Row per code; codes outside the alphabet read the zero row.
    pm: Vec<u64>,
    zero: Vec<u64>,
}

impl QueryPm {
    /// Prepare a query given as codes below `alphabet`.
    pub(crate) fn new(q: Vec<u32>, alphabet: usize) -> QueryPm {
        let words = q.len().div_ceil(64) + 2;
        let mut pm = vec![0u64; words * alphabet.max(1)];
        for (i, &c) in q.iter().enumerate() {
            if c == 0 || c as usize >= alphabet {
                continue;
            }
            pm[c as usize * words + i / 64] |= 1u64 << (i % 64);
        }
        QueryPm {
            q,
            words,
            pm,
            zero: vec![0u64; words],
        }
    }

    #[inline(always)]
    fn row(&self, c: u32) -> &[u64] {
        let i = c as usize * self.words;
        self.pm.get(i..i + self.words).unwrap_or(&self.zero)
    }

    /// 64 bits of the match vector of `c` starting at query position `pos` (which may be
    /// negative: positions before 0 read as zero).
    #[inline(always)]
    pub(crate) fn window(&self, c: u32, pos: isize) -> u64 {
        let row = self.row(c);
        if pos < 0 {
            let sh = (-pos) as u32;
            if sh >= 64 {
                0
            } else {
                row[0] << sh
            }
        } else {
            let w = pos as usize / 64;
            let b = pos as u32 % 64;
            if w >= self.words {
                return 0;
            }
            let lo = row[w] >> b;
            if b == 0 || w + 1 >= self.words {
                lo
            } else {
                lo | (row[w + 1] << (64 - b))
            }
        }
    }

    /// The distance between the query and `s` if it is at most `k`.
    #[inline]
    pub(crate) fn within<T: Code>(&self, s: &[T], k: usize) -> Option<usize> {
        let q = &self.q;
        let (n, m) = (q.len(), s.len());
        if n.abs_diff(m) > k {
            return None;
        }
        // Common prefix and suffix cost nothing.
        let mut p = 0;
        while p < n && p < m && q[p] == s[p].into() {
            p += 1;
        }
        let mut e = 0;
        while e < n - p && e < m - p && q[n - 1 - e] == s[m - 1 - e].into() {
            e += 1;
        }
        let (n1, m1) = (n - p - e, m - p - e);
        if n1 == 0 || m1 == 0 {
            let d = n1 + m1;
            return (d <= k).then_some(d);
        }
        let diff = n1.abs_diff(m1);
        let x = (k - diff) / 2;
        if diff + 2 * x < 64 {
            self.banded::<T, u64>(&s[p..m - e], p, n1, k, x)
        } else if diff + 2 * x < 128 {
            self.banded::<T, u128>(&s[p..m - e], p, n1, k, x)
        } else {
            let d = self.blocked(&s[p..m - e], p, n1);
            (d <= k).then_some(d)
        }
    }

    /// Banded Hyyrö over the query columns `p..p + n1` and the rows of `s`, band of
    /// diagonals `[min(0, n1 − m1) − x, max(0, n1 − m1) + x]` (at most `W::BITS` wide).
    #[inline(always)]
    fn banded<T: Code, W: Word>(
        &self,
        s: &[T],
        p: usize,
        n1: usize,
        k: usize,
        x: usize,
    ) -> Option<usize> {
        let m1 = s.len();
        let top = W::BITS as isize - 1;
        let dt = n1 as isize - m1 as isize; // the final diagonal
        let du = dt.max(0) as usize + x; // the top diagonal, tracked at the top bit
        debug_assert!((du as isize) < top + 1);
        let mut vp: W = if du as isize >= top {
            W::ONES
        } else {
            W::ONES << (top as usize - du) as u32
        };
        let mut vn: W = W::ZERO;
        // Bit of the final diagonal.
        let bt = (top - (du as isize - dt)) as u32;
        let tmask = W::one() << bt;
        let mut cur = dt.unsigned_abs(); // D on the final diagonal
        let first = if dt >= 0 { 0 } else { (-dt) as usize }; // rows before it starts
        let base = du as isize - top; // query position (relative) of bit 0 in row 0
        for (i, &ch) in s.iter().enumerate() {
            let start = base + i as isize;
            let mut pm_j = W::window(self, ch.into(), p as isize + start);
            if start < 0 {
                // Positions before the stripped prefix's end are not columns.
                let sh = (-start) as u32;
                pm_j = if sh >= W::BITS {
                    W::ZERO
                } else {
                    pm_j & (W::ONES << sh)
                };
            }
            let d0 = ((pm_j & vp).wadd(vp) ^ vp) | pm_j | vn;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            if i >= first {
                cur += usize::from(d0 & tmask == W::ZERO);
                if cur > k {
                    return None;
                }
            }
            vp = hn | !((d0 >> 1) | hp);
            vn = (d0 >> 1) & hp;
        }
        (cur <= k).then_some(cur)
    }

    /// Full blocked Myers/Hyyrö over the query columns `p..p + n1` (any length).
    fn blocked<T: Code>(&self, s: &[T], p: usize, n1: usize) -> usize {
        let words = n1.div_ceil(64);
        let mut vp = vec![!0u64; words];
        let mut vn = vec![0u64; words];
        let last = (n1 - 1) % 64;
        let mut score = n1;
        for &ch in s {
            let c: u32 = ch.into();
            // hin: +1 at the left border (D[i][0] = i).
            let mut hin: i32 = 1;
            for w in 0..words {
                let mut eq = self.window(c, (p + w * 64) as isize);
                if w == words - 1 && last < 63 {
                    eq &= (1u64 << (last + 1)) - 1;
                }
                let pv = vp[w];
                let mv = vn[w];
                let xv = eq | mv;
                let hin_neg = u64::from(hin < 0);
                let eq2 = eq | hin_neg;
                let xh = (((eq2 & pv).wrapping_add(pv)) ^ pv) | eq2;
                let mut ph = mv | !(xh | pv);
                let mut mh = pv & xh;
                let hout: i32 = if w == words - 1 {
                    let bit = 1u64 << last;
                    (ph & bit != 0) as i32 - (mh & bit != 0) as i32
                } else {
                    (ph >> 63) as i32 - (mh >> 63) as i32
                };
                ph <<= 1;
                mh <<= 1;
                mh |= hin_neg;
                ph |= u64::from(hin > 0);
                vp[w] = mh | !(xv | ph);
                vn[w] = ph & xv;
                hin = hout;
            }
            score = (score as i64 + hin as i64) as usize;
        }
        score
    }
}

/// The banded kernel over a run of keys of one length sorted in code order, reusing the
/// rows of the previous key: keys that share a prefix share the first rows of the
/// dynamic programme (the band depends only on the query length, the key length and
/// `k`), so a key costs only the rows after its common prefix with the previous key, and
/// when the previous key was rejected within the shared prefix (the final diagonal
/// already exceeded `k`), the key is rejected without a row. Exact: every row is the
/// row [`QueryPm::within`] would compute without stripping.
pub(crate) struct PrefixRuns<W: Word> {
    m: usize,
    k: usize,
    du: usize,
    dt: isize,
    tmask: W,
    first: usize,
    vp0: W,
    vp: Vec<W>,
    vn: Vec<W>,
    cur: Vec<usize>,
    /// Rows of the previous key held in the arrays.
    done: usize,
    /// The row at which the previous key was rejected.
    dead: usize,
    /// Keys whose rows were computed (not rejected within a shared prefix).
    keys: u64,
    /// Rows computed.
    rows: u64,
}

impl<W: Word> PrefixRuns<W> {
    /// Runs of keys of length `m` against `pm` with bound `k`, or `None` when the band
    /// is wider than the word (then use a wider word or [`QueryPm::within`]).
    pub(crate) fn new(pm: &QueryPm, m: usize, k: usize) -> Option<PrefixRuns<W>> {
        let n = pm.q.len();
        if n.abs_diff(m) > k || n == 0 || m == 0 {
            return None;
        }
        let diff = n.abs_diff(m);
        let x = (k - diff) / 2;
        if diff + 2 * x >= W::BITS as usize {
            return None;
        }
        let top = W::BITS as isize - 1;
        let dt = n as isize - m as isize;
        let du = dt.max(0) as usize + x;
        let bt = (top - (du as isize - dt)) as u32;
        Some(PrefixRuns {
            m,
            k,
            du,
            dt,
            tmask: W::one() << bt,
            first: if dt >= 0 { 0 } else { (-dt) as usize },
            vp0: if du as isize >= top {
                W::ONES
            } else {
                W::ONES << (top as usize - du) as u32
            },
            vp: vec![W::ZERO; m],
            vn: vec![W::ZERO; m],
            cur: vec![0; m],
            done: 0,
            dead: usize::MAX,
            keys: 0,
            rows: 0,
        })
    }

    /// The keys whose rows were computed and the rows computed so far.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.keys, self.rows)
    }

    /// The distance of `key` (of length `m`) if at most `k`; `prev` is the key given to
    /// the previous call (or `None` for the first key of a run).
    #[inline]
    pub(crate) fn run<T: Code>(
        &mut self,
        pm: &QueryPm,
        prev: Option<&[T]>,
        key: &[T],
    ) -> Option<usize> {
        debug_assert_eq!(key.len(), self.m);
        let mut r = 0;
        if let Some(prev) = prev {
            let limit = self.done.min(if self.dead == usize::MAX {
                self.m
            } else {
                self.dead + 1
            });
            while r < limit && prev[r] == key[r] {
                r += 1;
            }
            if self.dead != usize::MAX && r > self.dead {
                // Rejected within the shared prefix.
                return None;
            }
        }
        self.keys += 1;
        let from = r;
        let (mut vp, mut vn, mut cur) = if r == 0 {
            (self.vp0, W::ZERO, self.dt.unsigned_abs())
        } else {
            (self.vp[r - 1], self.vn[r - 1], self.cur[r - 1])
        };
        let base = self.du as isize - (W::BITS as isize - 1);
        for (i, &ch) in key.iter().enumerate().skip(r) {
            let start = base + i as isize;
            let mut pm_j = W::window(pm, ch.into(), start);
            if start < 0 {
                let sh = (-start) as u32;
                pm_j = if sh >= W::BITS {
                    W::ZERO
                } else {
                    pm_j & (W::ONES << sh)
                };
            }
            let d0 = ((pm_j & vp).wadd(vp) ^ vp) | pm_j | vn;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            if i >= self.first {
                cur += usize::from(d0 & self.tmask == W::ZERO);
            }
            vp = hn | !((d0 >> 1) | hp);
            vn = (d0 >> 1) & hp;
            self.vp[i] = vp;
            self.vn[i] = vn;
            self.cur[i] = cur;
            if cur > self.k {
                self.done = i + 1;
                self.dead = i;
                self.rows += (i + 1 - from) as u64;
                return None;
            }
        }
        self.rows += (self.m - from) as u64;
        self.done = self.m;
        self.dead = usize::MAX;
        (cur <= self.k).then_some(cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::lev::distance_dp;
    use proptest::prelude::*;

    fn check(a: &[u8], b: &[u8], k: usize) {
        let q: Vec<u32> = a.iter().map(|&c| c as u32).collect();
        let pm = QueryPm::new(q, 256);
        let ca: Vec<char> = a.iter().map(|&c| c as char).collect();
        let cb: Vec<char> = b.iter().map(|&c| c as char).collect();
        let d = distance_dp(&ca, &cb);
        assert_eq!(pm.within(b, k), (d <= k).then_some(d), "{a:?} {b:?} k={k}");
        let b16: Vec<u16> = b.iter().map(|&c| c as u16).collect();
        assert_eq!(pm.within(&b16, k), (d <= k).then_some(d));
        if !b.is_empty() && !a.is_empty() {
            assert_eq!(pm.blocked(b, 0, a.len()), d, "blocked {a:?} {b:?}");
        }
    }

    #[test]
    fn examples() {
        check(b"kitten", b"sitting", 3);
        check(b"kitten", b"sitting", 2);
        check(b"", b"abc", 3);
        check(b"abc", b"", 2);
        check(b"abcdef", b"abcdef", 0);
        check(b"the minister met", b"the ministers met", 1);
        let long: Vec<u8> = (0..300).map(|i| b"abcde "[i % 6]).collect();
        let mut other = long.clone();
        other[150] = b'x';
        other.insert(20, b'y');
        check(&long, &other, 2);
        check(&long, &other, 100);
        check(&long, &other[..200], 120);
    }

    #[test]
    fn unknown_codes_match_nothing() {
        // Code 0 in the query (a character the store never saw) matches no key code.
        let pm = QueryPm::new(vec![1, 0, 2], 4);
        assert_eq!(pm.within(&[1u8, 3, 2], 3), Some(1));
        assert_eq!(pm.within(&[1u8, 2], 3), Some(1));
    }

    #[test]
    fn prefix_runs_equal_dp_on_sorted_keys() {
        let mut rng = 12345u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for round in 0..600 {
            let m = 1 + (next() % 150) as usize;
            let n = 1 + (next() % 150) as usize;
            let alpha = 2 + (round % 3) as u64;
            let q: Vec<u8> = (0..n).map(|_| b'a' + (next() % alpha) as u8).collect();
            let mut keys: Vec<Vec<u8>> = (0..30)
                .map(|_| (0..m).map(|_| b'a' + (next() % alpha) as u8).collect())
                .collect();
            keys.sort();
            let pm = QueryPm::new(q.iter().map(|&c| c as u32).collect(), 256);
            let k = (next() % 130) as usize;
            let Some(mut wide) = PrefixRuns::<u128>::new(&pm, m, k) else {
                continue;
            };
            let mut runs = PrefixRuns::<u64>::new(&pm, m, k);
            let mut prev: Option<&[u8]> = None;
            for key in &keys {
                let ca: Vec<char> = q.iter().map(|&c| c as char).collect();
                let cb: Vec<char> = key.iter().map(|&c| c as char).collect();
                let d = distance_dp(&ca, &cb);
                if let Some(r) = runs.as_mut() {
                    assert_eq!(
                        r.run(&pm, prev, key),
                        (d <= k).then_some(d),
                        "{q:?} {key:?} {k}"
                    );
                }
                assert_eq!(
                    wide.run(&pm, prev, key),
                    (d <= k).then_some(d),
                    "u128 {q:?} {key:?} {k}"
                );
                prev = Some(key);
            }
        }
    }

    fn text() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(b"abcd ".to_vec()), 0..200)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn kernels_equal_dp(a in text(), b in text(), k in 0usize..140) {
            check(&a, &b, k);
        }

        #[test]
        fn kernels_equal_dp_on_near_copies(a in text(), edits in prop::collection::vec((0usize..200, 0u8..3, 0u8..5), 0..20), k in 0usize..60) {
            let mut b = a.clone();
            for (pos, op, c) in edits {
                let c = b"abcd "[c as usize];
                let i = if b.is_empty() { 0 } else { pos % (b.len() + 1) };
                match op {
                    0 => b.insert(i, c),
                    1 if i < b.len() => { b.remove(i); }
                    _ if i < b.len() => b[i] = c,
                    _ => {}
                }
            }
            check(&a, &b, k);
        }
    }
}
