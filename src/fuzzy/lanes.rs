//! The banded kernel over eight keys at once: the verification step of the key-file
//! scan when the machine has wide vector registers.
//!
//! [`super::kernel::PrefixRuns`] verifies one key at a time; each row of its banded
//! bit-parallel programme depends on the row before, so one key keeps a core's
//! arithmetic units mostly idle, and about a quarter of its instructions go to cutting
//! the query's match vector for the row out of the pattern table. Here:
//!
//! * [`Windows`] precomputes, once per query, the match vector of every query character
//!   at every band position (the 64 or 128 bits a row of the band reads), indexed by a
//!   small query-local code, so a row reads its window with two loads and no shifts;
//! * [`scan`] runs eight lanes side by side, each lane over its own contiguous run of
//!   keys in code order and each with its own row counter: the arithmetic of a row is
//!   the same elementwise operations on eight words (which the compiler turns into
//!   vector instructions: AVX-512 or AVX2 where the processor has them, chosen at run
//!   time), and a lane that finishes a key (rejected: the final diagonal exceeded `k`;
//!   or accepted at its last row) takes its next key at once, so lanes never wait for
//!   each other. A key that shares with the lane's previous key more than the rows at
//!   which that key was rejected is rejected without a row (its rows would be the
//!   same), as in `PrefixRuns`; unlike `PrefixRuns` a lane does not keep its rows to
//!   resume after a shared prefix (storing eight lanes' rows costs more than the rows
//!   it saves). The shared prefix is not found by comparing codes (that took a seventh
//!   of the formulaic scan's time) but from the key file's shared prefix of every key
//!   with the key before it: a key shares with an earlier key at least the smallest of
//!   those in between.
//!
//! Every answer equals [`super::kernel::QueryPm::within`] (and so the textbook dynamic
//! programme): the rows computed are the rows `PrefixRuns` computes. The tests below
//! compare the three on random keys.

use super::engine::ScanCounts;
use super::kernel::{Code, QueryPm};
use super::pivot::PivotBound;

/// Keys verified side by side.
pub(crate) const LANES: usize = 8;

/// The lowest band position held (a band starts at most 127 positions before the
/// query's first character).
const LO: isize = -128;

/// The biggest window table built (bytes); longer queries use the one-key kernel.
const MAX_TABLE: usize = 32 << 20;

/// The query's band windows: for every band position `p` and every character of the
/// query, the 128 bits of its match vector starting at query position `p`.
pub(crate) struct Windows {
    /// Query-local code of every alphabet code (0: the character is not in the query,
    /// whose windows are all zero).
    lut: Vec<u16>,
    /// Local codes, 0 included.
    nl: usize,
    /// Positions held: `LO .. LO + len`.
    len: usize,
    /// Two words per (position, local code).
    t: Vec<u64>,
}

impl Windows {
    /// The windows of `pm` for keys of at most `max_m` characters, or `None` when the
    /// table would be too big.
    pub(crate) fn new(pm: &QueryPm, alphabet: usize, max_m: usize) -> Option<Windows> {
        let mut lut = vec![0u16; alphabet.max(1)];
        let mut locals: Vec<u32> = vec![0];
        for &c in &pm.q {
            let ci = c as usize;
            if c == 0 || ci >= alphabet || lut[ci] != 0 {
                continue;
            }
            lut[ci] = u16::try_from(locals.len()).ok()?;
            locals.push(c);
        }
        let nl = locals.len();
        let len = max_m + (-LO) as usize + 1;
        if len.checked_mul(nl)?.checked_mul(16)? > MAX_TABLE {
            return None;
        }
        let mut t = vec![0u64; len * nl * 2];
        for pi in 0..len {
            let pos = LO + pi as isize;
            for (li, &c) in locals.iter().enumerate().skip(1) {
                let e = (pi * nl + li) * 2;
                t[e] = pm.window(c, pos);
                t[e + 1] = pm.window(c, pos + 64);
            }
        }
        Some(Windows { lut, nl, len, t })
    }

    /// Positions held above 0 (the longest key the table serves).
    pub(crate) fn max_m(&self) -> usize {
        self.len - (-LO) as usize - 1
    }
}

/// The band of one (query length, key length, bound) triple, as `PrefixRuns` sets it
/// up: words of 128 bits as (low, high).
struct Band {
    m: usize,
    k: u32,
    first: usize,
    /// Window position of row 0, minus [`LO`].
    base: usize,
    cur0: u32,
    vp0: (u64, u64),
    tmask: (u64, u64),
}

impl Band {
    fn new(n: usize, m: usize, k: usize, bits: u32) -> Option<Band> {
        if n.abs_diff(m) > k || n == 0 || m == 0 {
            return None;
        }
        let diff = n.abs_diff(m);
        let x = (k - diff) / 2;
        if diff + 2 * x >= bits as usize {
            return None;
        }
        let top = bits as isize - 1;
        let dt = n as isize - m as isize;
        let du = dt.max(0) as usize + x;
        let bt = (top - (du as isize - dt)) as u32;
        let ones_shl = |s: u32| -> (u64, u64) {
            if s >= 128 {
                (0, 0)
            } else if s >= 64 {
                (0, !0u64 << (s - 64))
            } else if s == 0 {
                (!0, !0)
            } else {
                (!0u64 << s, !0)
            }
        };
        let vp0 = if du as isize >= top {
            (!0u64, !0u64)
        } else {
            ones_shl((top as usize - du) as u32)
        };
        let tmask = if bt >= 64 {
            (0, 1u64 << (bt - 64))
        } else {
            (1u64 << bt, 0)
        };
        Some(Band {
            m,
            k: u32::try_from(k).ok()?,
            first: if dt >= 0 { 0 } else { (-dt) as usize },
            base: (du as isize - top - LO) as usize,
            cur0: dt.unsigned_abs() as u32,
            vp0,
            tmask,
        })
    }
}

/// True when [`scan`] can verify keys of length `m` against a query of length `n` with
/// bound `k` (the band fits 128 bits and the window table holds the key length).
pub(crate) fn fits(win: &Windows, n: usize, m: usize, k: usize) -> bool {
    m <= win.max_m() && Band::new(n, m, k, 128).is_some()
}

dispatch_by_cpu! {
    /// Verify keys `a..b` of one length group (`codes`: the group's keys of `m` codes each,
    /// in code order; `shared`: two bytes per key of the group, little-endian, at most the
    /// number of codes the key shares with the key before it, as
    /// [`crate::keystore::KeyFile::prefix_rows`] gives) against the query of length `n`
    /// with bound `k`: calls `found(i, d)`
    /// for every key `i` whose distance `d` is at most the bound, in no particular order;
    /// `found` returns the bound for the keys after it (never above `k`: a higher K-th
    /// score lowers it). Returns the keys looked at, those verified and the rows
    /// computed. The caller checks [`fits`] first.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan<T: Code>(
        win: &Windows,
        codes: &[T],
        shared: &[u8],
        m: usize,
        a: usize,
        b: usize,
        n: usize,
        k: usize,
        pb: Option<PivotBound>,
        found: &mut dyn FnMut(usize, usize) -> usize,
    ) -> ScanCounts => scan_any;
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scan_any<T: Code>(
    win: &Windows,
    codes: &[T],
    shared: &[u8],
    m: usize,
    a: usize,
    b: usize,
    n: usize,
    k: usize,
    pb: Option<PivotBound>,
    found: &mut dyn FnMut(usize, usize) -> usize,
) -> ScanCounts {
    if let Some(band) = Band::new(n, m, k, 64) {
        lanes::<T, false>(win, &band, codes, shared, a, b, pb, found)
    } else if let Some(band) = Band::new(n, m, k, 128) {
        lanes::<T, true>(win, &band, codes, shared, a, b, pb, found)
    } else {
        unreachable!("scan called on a band wider than 128 (check `fits` first)")
    }
}

/// "No row": the previous key of a lane was not rejected.
const NONE: usize = usize::MAX;

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lanes<T: Code, const WIDE: bool>(
    win: &Windows,
    band: &Band,
    codes: &[T],
    shared: &[u8],
    a: usize,
    b: usize,
    pb: Option<PivotBound>,
    found: &mut dyn FnMut(usize, usize) -> usize,
) -> ScanCounts {
    let m = band.m;
    let mut k = band.k;
    let nl = win.nl;
    let t = &win.t[..];
    let lut = &win.lut[..];
    assert!(codes.len() >= b * m && b >= a && shared.len() >= 2 * b);
    assert!((band.base + m) * nl * 2 <= t.len());
    // Contiguous runs of keys, one per lane.
    let per = (b - a).div_ceil(LANES);
    let mut next = [0usize; LANES];
    let mut end = [0usize; LANES];
    for l in 0..LANES {
        next[l] = (a + l * per).min(b);
        end[l] = (a + (l + 1) * per).min(b);
    }
    // Per lane: its key, the key's first code, its row, its state, and the row at
    // which its previous key was rejected.
    let mut key = [0usize; LANES];
    let mut off = [0usize; LANES];
    let mut row = [0usize; LANES];
    let mut active = [false; LANES];
    let mut dead = [NONE; LANES];
    let mut vp_lo = [band.vp0.0; LANES];
    let mut vp_hi = [band.vp0.1; LANES];
    let mut vn_lo = [0u64; LANES];
    let mut vn_hi = [0u64; LANES];
    let mut cur = [band.cur0; LANES];
    let mut calls = ScanCounts::default();

    for l in 0..LANES {
        match take(&mut next[l], end[l], NONE, shared, pb, k, &mut calls) {
            Some(i) => {
                key[l] = i;
                off[l] = i * m;
                active[l] = true;
            }
            None => off[l] = a * m,
        }
    }

    let mut pl = [0u64; LANES];
    let mut ph = [0u64; LANES];
    while active.iter().any(|&x| x) {
        // Windows of the lanes' rows.
        for l in 0..LANES {
            // SAFETY: `off[l] + row[l] < b * m <= codes.len()` (a lane's row is below
            // `m` and its key below `b`); a code below the alphabet has a local code
            // below `nl` (codes the table does not know read 0, checked by `get`); the
            // window index is below `(base + m) * nl * 2 <= t.len()` (asserted above).
            unsafe {
                let c: u32 = (*codes.get_unchecked(off[l] + row[l])).into();
                let loc = lut.get(c as usize).copied().unwrap_or(0) as usize;
                let e = ((band.base + row[l]) * nl + loc) * 2;
                pl[l] = *t.get_unchecked(e);
                if WIDE {
                    ph[l] = *t.get_unchecked(e + 1);
                }
            }
        }
        // One row in every lane.
        let mut done = 0u32;
        for l in 0..LANES {
            let xl = pl[l] & vp_lo[l];
            let sl = xl.wrapping_add(vp_lo[l]);
            let d0l = (sl ^ vp_lo[l]) | pl[l] | vn_lo[l];
            let hpl = vn_lo[l] | !(d0l | vp_lo[l]);
            let hnl = d0l & vp_lo[l];
            let on_diag;
            if WIDE {
                let carry = u64::from(sl < xl);
                let sh = (ph[l] & vp_hi[l])
                    .wrapping_add(vp_hi[l])
                    .wrapping_add(carry);
                let d0h = (sh ^ vp_hi[l]) | ph[l] | vn_hi[l];
                let hph = vn_hi[l] | !(d0h | vp_hi[l]);
                let hnh = d0h & vp_hi[l];
                let sll = (d0l >> 1) | (d0h << 63);
                let shh = d0h >> 1;
                vp_lo[l] = hnl | !(sll | hpl);
                vn_lo[l] = sll & hpl;
                vp_hi[l] = hnh | !(shh | hph);
                vn_hi[l] = shh & hph;
                on_diag = (d0l & band.tmask.0) | (d0h & band.tmask.1);
            } else {
                let sll = d0l >> 1;
                vp_lo[l] = hnl | !(sll | hpl);
                vn_lo[l] = sll & hpl;
                on_diag = d0l & band.tmask.0;
            }
            cur[l] += u32::from(on_diag == 0 && row[l] >= band.first);
            row[l] += 1;
            done |= u32::from(cur[l] > k) | u32::from(row[l] == m);
        }
        if done == 0 {
            continue;
        }
        for l in 0..LANES {
            let rejected = cur[l] > k;
            if !(rejected || row[l] == m) {
                continue;
            }
            let d = cur[l];
            let r = row[l];
            row[l] = 0;
            cur[l] = band.cur0;
            (vp_lo[l], vp_hi[l], vn_lo[l], vn_hi[l]) = (band.vp0.0, band.vp0.1, 0, 0);
            if !active[l] {
                continue;
            }
            calls.rows += r as u64;
            if rejected {
                dead[l] = r - 1;
            } else {
                dead[l] = NONE;
                // A tighter bound from the caller (a higher K-th score) rejects keys
                // earlier; the band stays that of the first bound, which holds every
                // path of the tighter one, so the answers stay exact.
                k = k.min(u32::try_from(found(key[l], d as usize)).unwrap_or(u32::MAX));
            }
            match take(&mut next[l], end[l], dead[l], shared, pb, k, &mut calls) {
                Some(i) => {
                    key[l] = i;
                    off[l] = i * m;
                }
                None => {
                    // Idle: row 0 of key `a` over and over, results ignored.
                    active[l] = false;
                    off[l] = a * m;
                }
            }
        }
    }
    calls
}

/// The next key of a lane (its keys `*next..end`) that needs rows. Keys that share
/// with the lane's previous key (the last it ran rows for: the key before `*next`) more
/// than `dead`, the row at which that key was rejected, are rejected without a row (the
/// rows they would compute are the same); so are keys the pivot bound puts more than `k`
/// away (they do not become the previous key: the lane has no rows of theirs). `None`
/// when the lane is done. Key `i` shares with the previous key at least the smallest
/// of the shared prefixes (`shared`) of the keys after it up to `i`: each shares that
/// much with the one before it. Not inlined: inside the row loop it costs the loop
/// registers that hold the lanes' state.
#[inline(never)]
fn take(
    next: &mut usize,
    end: usize,
    dead: usize,
    shared: &[u8],
    pb: Option<PivotBound>,
    k: u32,
    calls: &mut ScanCounts,
) -> Option<usize> {
    let mut common = usize::MAX;
    while *next < end {
        let i = *next;
        *next += 1;
        calls.looked += 1;
        if dead != NONE {
            common = common.min(usize::from(u16::from_le_bytes([
                shared[2 * i],
                shared[2 * i + 1],
            ])));
            if common > dead {
                continue;
            }
        }
        if pb.is_some_and(|pb| pb.rejects(i, k as usize)) {
            continue;
        }
        calls.kernel += 1;
        return Some(i);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::lev::distance_dp;
    use proptest::prelude::*;

    /// The scan's answers against the textbook programme, key by key.
    fn check(q: &[u8], keys: &[Vec<u8>], k: usize, a: usize, b: usize) {
        let m = keys[0].len();
        let alphabet = 8;
        let pm = QueryPm::new(q.iter().map(|&c| u32::from(c)).collect(), alphabet);
        let win = Windows::new(&pm, alphabet, m).expect("table");
        if !fits(&win, q.len(), m, k) {
            return;
        }
        let codes: Vec<u8> = keys.concat();
        // Every key's shared prefix with the key before it, as the key file stores it.
        let shared: Vec<u8> = (0..keys.len())
            .flat_map(|i| {
                let s = if i == 0 {
                    0
                } else {
                    keys[i]
                        .iter()
                        .zip(&keys[i - 1])
                        .take_while(|(x, y)| x == y)
                        .count()
                };
                (s as u16).to_le_bytes()
            })
            .collect();
        let want = want_of(q, keys, k, a, b);
        // Zeros are a valid (if useless) lower bound on the shared prefixes: the answers
        // must be the same.
        let zeros = vec![0u8; shared.len()];
        for sh in [&shared, &zeros] {
            let mut got: Vec<(usize, usize)> = Vec::new();
            scan(&win, &codes, sh, m, a, b, q.len(), k, None, &mut |i, d| {
                got.push((i, d));
                k
            });
            got.sort_unstable();
            assert_eq!(got, want, "q={q:?} k={k} a={a} b={b}");
        }
        let cq: Vec<char> = q.iter().map(|&c| char::from(b'a' + c)).collect();
        let codes16: Vec<u16> = codes.iter().map(|&c| u16::from(c)).collect();
        let mut got16: Vec<(usize, usize)> = Vec::new();
        scan(
            &win,
            &codes16,
            &shared,
            m,
            a,
            b,
            q.len(),
            k,
            None,
            &mut |i, d| {
                got16.push((i, d));
                k
            },
        );
        got16.sort_unstable();
        assert_eq!(got16, want);
        // With a pivot bound that puts some keys at their true distance and leaves the
        // rest unbounded (a valid lower bound, as the stored pivot distances give):
        // the rejected keys are skipped without rows, and a lane's shared-prefix
        // rejection must compare with the last key it ran, not with a skipped one.
        let dists: Vec<usize> = (0..keys.len())
            .map(|i| {
                let ck: Vec<char> = keys[i].iter().map(|&c| char::from(b'a' + c)).collect();
                distance_dp(&cq, &ck)
            })
            .collect();
        for salt in [1usize, 2, 5] {
            let rows: Vec<u8> = dists
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    if (i * 7 + salt) % 3 == 0 {
                        0
                    } else {
                        d.min(crate::keystore::PIVOT_CAP) as u8
                    }
                })
                .collect();
            let pb = PivotBound::new(&[0], &rows, &[], &[]);
            let mut gotp: Vec<(usize, usize)> = Vec::new();
            scan(
                &win,
                &codes,
                &shared,
                m,
                a,
                b,
                q.len(),
                k,
                pb,
                &mut |i, d| {
                    gotp.push((i, d));
                    k
                },
            );
            gotp.sort_unstable();
            assert_eq!(gotp, want, "with pivots, salt {salt}");
        }
    }

    /// The keys `a..b` within `k` of `q`, by the textbook programme.
    fn want_of(q: &[u8], keys: &[Vec<u8>], k: usize, a: usize, b: usize) -> Vec<(usize, usize)> {
        let cq: Vec<char> = q.iter().map(|&c| char::from(b'a' + c)).collect();
        (a..b)
            .filter_map(|i| {
                let ck: Vec<char> = keys[i].iter().map(|&c| char::from(b'a' + c)).collect();
                let d = distance_dp(&cq, &ck);
                (d <= k).then_some((i, d))
            })
            .collect()
    }

    #[test]
    fn lanes_equal_dp_on_examples() {
        // Codes 1..=5; 0 and 6.. never in the query.
        let q: Vec<u8> = (0..70).map(|i| (i * 7 % 5 + 1) as u8).collect();
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for v in 0..40u8 {
            let mut key = q.clone();
            for j in 0..(v as usize % 9) {
                let at = (j * 13 + v as usize) % key.len();
                key[at] = (key[at] + v) % 7;
            }
            keys.push(key);
        }
        keys.push(vec![6; 70]);
        keys.push(q.clone());
        keys.push(q.clone());
        keys.sort();
        for k in [0, 1, 3, 8, 21, 40, 63, 64, 65, 70] {
            check(&q, &keys, k, 0, keys.len());
            check(&q, &keys, k, 3, 17);
        }
    }

    fn text(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(1u8..5, len)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn lanes_equal_dp(
            q in text(1..150),
            base in text(1..150),
            edits in prop::collection::vec(prop::collection::vec((0usize..200, 0u8..6), 0..12), 1..40),
            k in 0usize..130,
        ) {
            // Keys of one length: the base with point substitutions, sorted (so
            // neighbours share prefixes, as in the key file).
            let mut keys: Vec<Vec<u8>> = edits
                .iter()
                .map(|e| {
                    let mut key = base.clone();
                    for &(at, c) in e {
                        let at = at % key.len();
                        key[at] = c;
                    }
                    key
                })
                .collect();
            keys.sort();
            let b = keys.len();
            check(&q, &keys, k, 0, b);
            check(&q, &keys, k, b / 3, b);
        }
    }
}
