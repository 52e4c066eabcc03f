//! The q-gram tokenizer and the posting codec of the fuzzy index: pure functions over
//! characters and bytes, no SQL. The store ([`crate::store`]) uses them to write the
//! index, the matcher ([`crate::fuzzy`]) to read it; neither owns them, so neither
//! depends on the other for them (the layering is `text`, `lang` → `qgram` → `store` →
//! `fuzzy`). See the [module documentation of `fuzzy`](crate::fuzzy) for the design.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::lang::LangTag;

/// Segments whose key is longer than this are not cut into grams; they are listed in
/// the length table only and always verified when their length band is searched.
pub const LONG: usize = 32_000;
/// The length-table value of a segment longer than [`LONG`].
pub const LEN_LONG: u16 = u16::MAX;

/// The gram length for a language: 2 for Chinese, Japanese and Korean (a character is
/// about a syllable or a morpheme), 3 for alphabetic scripts.
pub fn q_for(tag: &LangTag) -> usize {
    match tag.primary() {
        "ko" | "zh" | "ja" | "yue" | "cmn" | "lzh" | "wuu" | "hak" | "nan" => 2,
        _ => 3,
    }
}

/// The 16-bit code of a character in a gram. Lossy above the BMP and for U+0000 (both
/// share codes with other characters): the filters stay safe, they only let more
/// candidates through to verification.
#[inline]
fn char_code(c: char) -> u64 {
    (c as u64) & 0xFFFF
}

/// Code of the padded window ending at `i` (window covers `i+1-q ..= i`), `q` ≤ 3,
/// packed as three 16-bit characters, first character in the high bits, 0 = padding.
#[inline]
fn window_code(key: &[char], q: usize, i: usize) -> u64 {
    let mut code = 0u64;
    for t in 0..3 {
        let c = if t < q {
            let pos = i as isize + t as isize - (q as isize - 1);
            if pos >= 0 && (pos as usize) < key.len() {
                char_code(key[pos as usize])
            } else {
                0
            }
        } else {
            0
        };
        code = (code << 16) | c;
    }
    code
}

/// Token of the `occ`-th occurrence (1-based) of a gram code.
#[inline]
fn token(code: u64, occ: u64) -> u64 {
    (code << 15) | occ
}

/// The tokens of a key: every padded q-gram, numbered by occurrence, so that the
/// multiset of grams becomes a set of tokens (`|tokens| = len + q − 1`). Keys longer
/// than [`LONG`] have no tokens.
pub(crate) fn key_tokens(key: &[char], q: usize, occ: &mut OccTable, out: &mut Vec<u64>) {
    out.clear();
    if key.is_empty() || key.len() > LONG {
        return;
    }
    let windows = key.len() + q - 1;
    occ.reset(windows);
    for i in 0..windows {
        let code = window_code(key, q, i);
        let k = occ.bump(code);
        out.push(token(code, k));
    }
}

/// The tokens (first occurrences) of the unpadded grams of a phrase, for concordance.
pub(crate) fn phrase_tokens(key: &[char], q: usize) -> Vec<u64> {
    let mut v: Vec<u64> = (q - 1..key.len())
        .map(|i| token(window_code(key, q, i), 1))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The token range of all grams that start with `prefix` (1 or 2 characters shorter than
/// q): every position of a key starts one padded window, so the union of these posting
/// lists holds every segment that contains the prefix.
pub(crate) fn prefix_range(prefix: &[char]) -> (u64, u64) {
    let mut code = 0u64;
    for t in 0..3 {
        code = (code << 16) | prefix.get(t).map(|&c| char_code(c)).unwrap_or(0);
    }
    let free_bits = 16 * (3 - prefix.len().min(3)) as u32 + 15;
    let lo = code << 15;
    (lo, lo + (1u64 << free_bits))
}

/// Counts occurrences of gram codes within one key (open addressing, reused).
#[derive(Default)]
pub(crate) struct OccTable {
    keys: Vec<u64>,
    counts: Vec<u32>,
    used: Vec<usize>,
}

impl OccTable {
    fn reset(&mut self, n: usize) {
        let size = (n * 2).next_power_of_two().max(64);
        if self.keys.len() < size {
            self.keys = vec![0; size];
            self.counts = vec![0; size];
            self.used.clear();
        } else {
            for &u in &self.used {
                self.keys[u] = 0;
                self.counts[u] = 0;
            }
            self.used.clear();
        }
    }

    #[inline]
    fn bump(&mut self, code: u64) -> u64 {
        let k = code + 1;
        let mask = self.keys.len() - 1;
        let mut h = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        loop {
            if self.keys[h] == k {
                self.counts[h] += 1;
                return self.counts[h] as u64;
            }
            if self.keys[h] == 0 {
                self.keys[h] = k;
                self.counts[h] = 1;
                self.used.push(h);
                return 1;
            }
            h = (h + 1) & mask;
        }
    }
}

/// A fast multiplicative hasher for integer keys.
#[derive(Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64)
    }
}

/// A hash map keyed by integers.
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

pub(crate) fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The length band of a key length: bands grow geometrically by 8 %, so a search
/// whose length filter allows `lo..=hi` reads only the runs of a few bands.
pub(crate) fn len_band(len: usize) -> u8 {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (0..=LONG)
            .map(|l| ((l.max(1) as f64).ln() / 1.08f64.ln()).floor().min(254.0) as u8)
            .collect()
    });
    t.get(len).copied().unwrap_or(255)
}

pub(crate) fn read_varint(blob: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while *pos < blob.len() {
        let b = blob[*pos];
        *pos += 1;
        v |= ((b & 0x7F) as u64) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    v
}

/// Decode a posting blob: runs of `band, byte length, id deltas`, visiting the ids of
/// the runs whose band is in `bands`.
#[inline]
pub(crate) fn decode_runs(blob: &[u8], bands: (u8, u8), mut f: impl FnMut(i64)) {
    let mut pos = 0;
    while pos < blob.len() {
        let band = read_varint(blob, &mut pos) as u8;
        let len = read_varint(blob, &mut pos) as usize;
        let end = (pos + len).min(blob.len());
        if band >= bands.0 && band <= bands.1 {
            decode_postings(&blob[pos..end], &mut f);
        }
        pos = end;
    }
}

/// Decode a run (varint id deltas) into `f`.
#[inline]
pub(crate) fn decode_postings(blob: &[u8], mut f: impl FnMut(i64)) {
    let mut id = 0i64;
    let mut v = 0u64;
    let mut shift = 0;
    for &b in blob {
        v |= ((b & 0x7F) as u64) << shift;
        if b & 0x80 == 0 {
            id += v as i64;
            f(id);
            v = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
}

/// Ids handed over at once by [`Reader::postings_batched`].
pub(crate) const BATCH: usize = 128;

/// Decode the runs of a posting blob whose band is in `bands` into `f`, [`BATCH`] ids
/// at a time (so that the caller can issue a batch's memory loads together).
#[inline]
pub(crate) fn decode_runs_batched(
    blob: &[u8],
    bands: (u8, u8),
    buf: &mut [i64; BATCH],
    f: &mut impl FnMut(&[i64]),
) {
    let mut pos = 0;
    while pos < blob.len() {
        let band = read_varint(blob, &mut pos) as u8;
        let len = read_varint(blob, &mut pos) as usize;
        let end = (pos + len).min(blob.len());
        if band >= bands.0 && band <= bands.1 {
            let mut id = 0i64;
            let mut v = 0u64;
            let mut shift = 0;
            let mut k = 0;
            for &b in &blob[pos..end] {
                v |= ((b & 0x7F) as u64) << shift;
                if b & 0x80 == 0 {
                    id += v as i64;
                    buf[k] = id;
                    k += 1;
                    if k == BATCH {
                        f(&buf[..]);
                        k = 0;
                    }
                    v = 0;
                    shift = 0;
                } else {
                    shift += 7;
                }
            }
            if k > 0 {
                f(&buf[..k]);
            }
        }
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn tokens_count_and_occurrences() {
        let mut occ = OccTable::default();
        let mut out = Vec::new();
        key_tokens(&c("aaaa"), 3, &mut occ, &mut out);
        assert_eq!(out.len(), 6);
        let mut s = out.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 6, "occurrence numbering makes tokens distinct");
        key_tokens(&c("韩"), 2, &mut occ, &mut out);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn prefix_range_covers_grams_starting_with_prefix() {
        let mut occ = OccTable::default();
        let mut out = Vec::new();
        key_tokens(&c("朝鲜和韩国"), 2, &mut occ, &mut out);
        let (lo, hi) = prefix_range(&c("韩"));
        let hits: Vec<_> = out.iter().filter(|&&t| t >= lo && t < hi).collect();
        assert_eq!(hits.len(), 1);
        let (lo, hi) = prefix_range(&c("th"));
        key_tokens(&c("the other"), 3, &mut occ, &mut out);
        assert_eq!(out.iter().filter(|&&t| t >= lo && t < hi).count(), 2);
    }

    #[test]
    fn batched_decoding_equals_plain() {
        // Three runs (bands 3, 7, 9) of 300, 5 and 129 ids.
        let mut blob = Vec::new();
        for (band, n) in [(3u64, 300i64), (7, 5), (9, 129)] {
            let mut run = Vec::new();
            let mut last = 0;
            for i in 0..n {
                let id = 1 + i * 37 + band as i64;
                push_varint(&mut run, (id - last) as u64);
                last = id;
            }
            push_varint(&mut blob, band);
            push_varint(&mut blob, run.len() as u64);
            blob.extend_from_slice(&run);
        }
        for bands in [(0, 255), (3, 3), (4, 8), (7, 9), (10, 20)] {
            let mut plain = Vec::new();
            decode_runs(&blob, bands, |id| plain.push(id));
            let mut batched = Vec::new();
            let mut buf = [0i64; BATCH];
            decode_runs_batched(&blob, bands, &mut buf, &mut |ids: &[i64]| {
                assert!(!ids.is_empty() && ids.len() <= BATCH);
                batched.extend_from_slice(ids)
            });
            assert_eq!(plain, batched, "{bands:?}");
        }
    }

    #[test]
    fn varints_round_trip() {
        let ids = [1i64, 2, 130, 20_000, 5_000_000, 5_000_001];
        let mut blob = Vec::new();
        let mut last = 0;
        for &i in &ids {
            push_varint(&mut blob, (i - last) as u64);
            last = i;
        }
        let mut got = Vec::new();
        decode_postings(&blob, |i| got.push(i));
        assert_eq!(got, ids);
    }
}
