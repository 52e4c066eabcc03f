//! Fuzzy matches and concordance: exact top-K search over a memory.
//!
//! # The score
//!
//! ```text
//! score(q, s) = 100 × (1 − lev(kq, ks) / max(len(kq), len(ks)))
//! ```
//!
//! where `kq`, `ks` are the matching keys of the query and the stored segment in the
//! segment's language ([`crate::text::KeyRule`]: NFKC, case fold, white space collapsed;
//! Chinese keys then fold Traditional characters to Simplified, one for one), `lev` is
//! the Levenshtein distance over Unicode scalar values and `len` counts scalar values
//! ([`lev::score`]). A query returns the top K stored segments of the source language
//! with `score ≥ min_score`, best first, ties by lower unit id (then by language tag).
//!
//! [`Matcher::find`] returns exactly what the brute-force scan ([`Matcher::brute_force`],
//! every segment of the language, full distance) returns; a property test checks this
//! on random EN/KO/ZH memories.
//!
//! # How matches are found
//!
//! [`Matcher::find`] scans the memory's key file ([`crate::keystore`]: every key as
//! codes, per language, sorted by length then code, memory-mapped) over the lengths the
//! threshold allows, on every core, verifying each key with the banded kernel of
//! `kernel.rs` (see `engine.rs` for why no qualifying key is skipped). What bounds it is
//! the number of keys in the length band times the rows the kernel computes before the
//! final diagonal exceeds `k`: on formulaic memories (sentences of one grammar) most keys
//! of similar length score 40–65, close enough to the minimum of 70 that counting
//! filters (characters, bigrams, trigrams) let most of them through, so the kernel is
//! the work. A language whose alphabet has more than 65,535 characters has no key file
//! part and is served by the q-gram index below.
//!
//! # The q-gram index (concordance)
//!
//! The q-gram index serves concordance ([`concordance`]) and the rare languages the key
//! file leaves out.
//!
//! # What is stored
//!
//! * `fz_lang(id, tag, q)`: one row per language tag seen by import; `q` is the gram
//!   length: 3 for alphabetic languages, 2 for Chinese, Japanese and Korean.
//! * `fz_post(lang, token, seq, n, ids)`: posting lists. The key of every segment is
//!   padded with `q − 1` markers at each end and cut into its `len + q − 1` overlapping
//!   q-grams; the i-th occurrence of a gram in a segment is the token `(gram, i)`, so the
//!   gram multiset becomes a set of tokens. A gram is packed as three 16-bit character
//!   codes, first character in the high bits (codes are lossy above the BMP: two grams may
//!   share a token, which only weakens the filter). `ids` lists the unit ids holding the
//!   token in runs by length band (bands grow by 8 %; each run is `band, byte length,
//!   varint id deltas`), so a search decodes only the runs its length filter allows; an
//!   import writes one row per token per batch (`seq`), so imports append rows and never
//!   rewrite old ones; `n` is the row's count, summed for the token's document frequency.
//! * `fz_len(lang, base, lens)`: the key length of every unit id (two bytes per id in
//!   chunks of 65,536 ids; 0 = no segment or deleted). A search loads it (2 MB per
//!   language per million ids) and filters candidates by length without touching text.
//! * `fz_meta`: the batch counter.
//!
//! Import adds to the index inside the import transaction: keys and tokens are computed
//! on a worker thread while the importing thread writes units, postings are accumulated
//! in hashed buckets and written in sorted batches of at most ~48 M postings, so memory
//! stays bounded (under 500 MB for a million EN/KO/ZH units); delete zeroes the deleted ids' lengths in the same transaction,
//! and their postings are skipped from then on (ids come from AUTOINCREMENT and are never
//! reused, so a stale posting can never point at another segment). A new process opens
//! the file and answers at once: nothing is rebuilt.
//!
//! # Why the filter is safe
//!
//! For a query key of `n` characters and a minimum `s`, a segment of `m` characters can
//! qualify only if `lev ≤ k(L) = max{d : score(d, L) ≥ s}` with `L = max(n, m)`. Hence:
//!
//! * **length filter**: `|n − m| ≤ k(L)` bounds `m` to a band around `n`;
//! * **count filter** (q-gram lemma): one edit destroys at most `q` of a string's tokens,
//!   so a qualifying segment shares at least `T(m) = max(n, m) + q − 1 − q·k(L)` tokens
//!   with the query (counted from whichever side is longer);
//! * **prefix filter**: tokens are read rarest first (document frequencies); after the
//!   `p` rarest, a segment seen `c` times can share at most `c + (|Q| − p)` tokens, so it
//!   needs `c ≥ T(m) − |Q| + p`; once `p ≥ |Q| − min T + 1`, a segment never seen cannot
//!   qualify, and reading stops;
//! * **rising threshold**: `s` is `max(min_score, score of the K-th best so far)`. Every
//!   bound above only tightens as `s` rises, and a segment of the final top K has a score
//!   at least every intermediate threshold, so it passes every filter. Candidates seen in
//!   the rarest tokens are verified early (most shared tokens first), so edits of stored
//!   segments find their near-duplicates at 85–95 quickly and the rest of the work shrinks;
//! * **verification** computes the exact distance with the bit-parallel algorithm of
//!   Myers/Hyyrö, banded, stopping as soon as the distance provably exceeds `k(L)`.
//!
//! When the count filter cannot guarantee anything (`min T ≤ 0`: minimum scores under
//! about 67 for 3-grams on long queries, very short queries), or the query is longer
//! than 32,000 characters, the search scans every segment in the length band instead,
//! which is still exact. Segments longer than 32,000 characters have no postings and are
//! always verified when their length is in the band.
//!
//! Where the time goes (a million units, edit queries, 2026): the tokens' document
//! frequencies only decide the reading order (any order is safe), so a [`Matcher`]
//! caches them across queries; a query then decodes some 10⁵–10⁶ postings of its length
//! bands, each one a random access to the per-unit slot array (bound by cache misses,
//! so ids are decoded 128 at a time and their slots loaded before they are updated),
//! and verifies a few hundred candidates: on the key file's codes when the language
//! has a key file part (the unit id → key index table is built once per key file, a
//! few ms per million keys; well under a microsecond per key), else by fetching the
//! stored text and building its key (about 3 µs). Candidates still pending are counted with a
//! histogram of their shared-token counts, and only those above the count floor are
//! sorted for the final pass.
//!
//! # Concordance
//!
//! [`concordance`] finds segments whose key contains a phrase's key. For a phrase of at
//! least `q` characters, it intersects the posting lists of its rarest grams and checks
//! the candidates' keys. A phrase shorter than `q` (one Chinese or Korean character,
//! one or two Latin letters) is served by the gram order: every character of a key starts
//! one padded gram and tokens are ordered by their first characters, so all segments that
//! contain the phrase are in the posting lists of one contiguous token range, read with a
//! single range scan (SQLite's FTS5 trigram tokenizer cannot do this below 3 characters).
//!
//! # What it costs
//!
//! About `len + q − 1` postings per segment at roughly 1.2–1.5 bytes each (varint
//! deltas; common tokens compress best), plus two bytes per unit id and language for
//! lengths. Measured on the benchmark memory (EN/KO/ZH units of about 180/95/65
//! characters): about 340 postings and 0.8 KB of index per unit, a little more than the
//! texts themselves (1.6 GB in all for a million units).

/// `fn NAME(ARGS) -> RET => GENERIC;`: a function that calls `GENERIC` (an
/// `#[inline(always)]` function of the same arguments, written as elementwise operations
/// on `[u64; 8]` lanes) compiled for the best vector instructions the processor has,
/// chosen at run time: AVX-512, else AVX2, else the baseline. The one place the
/// kernels of the scan ([`lanes`]) and of the pivot distances ([`pivot`]) choose their
/// instruction set.
macro_rules! dispatch_by_cpu {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident $(<$g:ident: $bound:path>)? ($($arg:ident: $ty:ty),* $(,)?)
            $(-> $ret:ty)? => $generic:ident;
    ) => {
        $(#[$meta])*
        $vis fn $name $(<$g: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,bmi2")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx512 $(<$g: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                    $generic($($arg),*)
                }
                #[target_feature(enable = "avx2,bmi2")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx2 $(<$g: $bound>)? ($($arg: $ty),*) $(-> $ret)? {
                    $generic($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the processor has the features the function is compiled for.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $generic($($arg),*)
        }
    };
}

pub mod concordance;
mod engine;
pub(crate) mod kernel;
mod lanes;
pub mod lev;
mod multi;
pub(crate) mod pivot;

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::keystore::{Group, KeyFile, LangKeys};
use crate::lang::{LangRange, LangTag};
use crate::qgram::{self, LEN_LONG, LONG};
use crate::store::{LangIndex, Memory, Reader};
use crate::text::{match_key, KeyRule, Script, ScriptCounts};
use kernel::QueryPm;
use lev::{max_distance, score, Verifier};

/// The longest query accepted, in key characters.
pub const MAX_QUERY_CHARS: usize = 10_000;

/// How many matches, and how good.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchOptions {
    /// At most this many matches (K).
    pub limit: usize,
    /// Only matches scoring at least this (0–100).
    pub min_score: f64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            limit: 5,
            min_score: 70.0,
        }
    }
}

/// One fuzzy match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The unit id (as `show` and `export` use it).
    pub id: i64,
    /// The score, 0–100.
    pub score: f64,
    /// The language tag of the matched segment.
    pub lang: String,
    /// The stored segment.
    pub source: String,
}

/// Work counters of one search (for benchmarks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Posting-list tokens read.
    pub tokens_read: u64,
    /// Postings decoded.
    pub postings: u64,
    /// Segments whose distance was computed (in a scan of the key file: keys of the
    /// length band looked at).
    pub verified: u64,
    /// Keys of the key-file scan that the kernel verified (not rejected by the pivot
    /// bound or within a shared prefix).
    pub kernel_keys: u64,
    /// Rows the kernel computed in the key-file scan.
    pub kernel_rows: u64,
    /// Distances of the query to pivots the key-file scan computed (the language's and
    /// those of the length strata it reached).
    pub pivot_distances: u64,
    /// True when the length band was scanned instead of the grams.
    pub scanned: bool,
}

/// Guess the language of a text from its scripts ([`ScriptCounts::language`]: Hangul for
/// a third of the letters → `ko`, else Han → `zh`, Latin → `en`; kana → `ja`).
pub fn detect_language(text: &str) -> Option<LangRange> {
    LangRange::parse(ScriptCounts::of(text).language()?).ok()
}

/// A checked query: its key as characters.
#[derive(Debug, Clone)]
pub struct QueryKey {
    /// The matching key.
    pub key: String,
    /// Its characters.
    pub chars: Vec<char>,
}

impl QueryKey {
    /// Check and normalize a query: it must have a letter or digit, and at most
    /// [`MAX_QUERY_CHARS`] key characters.
    pub fn new(query: &str) -> Result<QueryKey> {
        let key = match_key(query);
        if key.is_empty() {
            return Err(Error::new(
                ErrorKind::BadQuery,
                "empty query: give a sentence to match",
            ));
        }
        if !key.chars().any(|c| c.is_alphanumeric()) {
            return Err(Error::new(
                ErrorKind::BadQuery,
                format!("the query {query:?} has no letters or digits to match"),
            ));
        }
        let chars: Vec<char> = key.chars().collect();
        if chars.len() > MAX_QUERY_CHARS {
            return Err(Error::new(ErrorKind::Limit, format!(
                "the query is too long ({} characters; at most {MAX_QUERY_CHARS}): match one sentence or paragraph at a time",
                chars.len()
            )));
        }
        Ok(QueryKey { key, chars })
    }

    /// The key under a language's rule (Chinese folds Traditional to Simplified).
    pub fn with_rule(&self, rule: KeyRule) -> QueryKey {
        if rule == KeyRule::Plain {
            return self.clone();
        }
        let chars: Vec<char> = self.chars.iter().map(|&c| rule.fold(c)).collect();
        QueryKey {
            key: chars.iter().collect(),
            chars,
        }
    }
}

/// The work the q-gram index may do on a query (postings decoded, segments verified)
/// before [`Matcher::find`] turns to the key file, which starts from what it found
/// (about 1 ms each; chosen on the bench's formulaic and near-duplicate memories of
/// 100,000 units: a bigger budget costs formulaic queries more than it saves
/// near-duplicate ones). A verification reads the candidate's codes from the key file
/// (well under a microsecond for a 180-character key), so the budget allows 1,000 of
/// them (it was 200 when each one fetched and normalized the stored text, ~3 µs).
const QGRAM_BUDGET: (u64, u64) = (100_000, 1_000);

/// At each checkpoint of the q-gram search, this many candidates per place of the top
/// K (the ones sharing most tokens so far) are verified, so that a near-duplicate
/// query fills its top K with high scores (and its budget grows) before the base
/// budget runs out. With 2 per place, 206 of the bench's 500 near-duplicate queries
/// at 1M units still fell to the scan; with 8, and checkpoints every 30 % more tokens
/// instead of every doubling, about 140 do.
const CHECKPOINT_LEADERS: usize = 8;

/// Once a query's top K is full with a K-th score of at least [`QGRAM_WIDE_FROM`], its
/// budget grows with the memory: [`QGRAM_BUDGET`] per this many keys of the query's
/// language. A near-duplicate query's posting lists and candidates (the variants of
/// its sentence) grow with the units, so a fixed budget sent most near-duplicate
/// queries of a million-unit memory to the scan (418 of the bench's 500); but a
/// formulaic query, whose few close matches leave the threshold at the minimum, would
/// only waste a larger budget before scanning anyway (measured at 1M: 12 % more CPU
/// with the larger budget for every query), so it keeps the fixed one.
const QGRAM_BUDGET_KEYS: u64 = 100_000;

/// The K-th score from which a query's q-gram budget grows with the memory: the count
/// filter then needs most of the query's tokens (≥ 40 % of 3-grams, ≥ 60 % of 2-grams),
/// so the q-gram search is expected to finish.
const QGRAM_WIDE_FROM: f64 = 80.0;

/// How much work the q-gram search of one query may do (postings decoded, segments
/// verified) before the key file is scanned instead.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// While the top K is not full with a high K-th score.
    base: (u64, u64),
    /// Once it is (see [`QGRAM_WIDE_FROM`]).
    wide: (u64, u64),
}

impl Budget {
    /// The same budget whatever the top K holds.
    fn fixed(b: (u64, u64)) -> Budget {
        Budget { base: b, wide: b }
    }

    /// The default budget of a language with `keys` keys.
    fn scaled(keys: usize) -> Budget {
        let k = keys as u64;
        Budget {
            base: QGRAM_BUDGET,
            wide: (
                QGRAM_BUDGET
                    .0
                    .max(k.saturating_mul(QGRAM_BUDGET.0) / QGRAM_BUDGET_KEYS),
                QGRAM_BUDGET
                    .1
                    .max(k.saturating_mul(QGRAM_BUDGET.1) / QGRAM_BUDGET_KEYS),
            ),
        }
    }

    /// The limits that apply with the top K `top`.
    fn limits(&self, top: &TopK) -> (u64, u64) {
        if top.items.len() == top.k && top.threshold() >= QGRAM_WIDE_FROM {
            self.wide
        } else {
            self.base
        }
    }
}

/// The lowest score a [`TopK`] accepts, and the threshold policy of its search.
///
/// Plain (from an `f64`): the threshold is the K-th best score so far. With band edges
/// ([`Matcher::find_band`]): a search that only needs to know which band (whole-percent
/// ranges between edges) its best match falls in raises the threshold further, to the
/// lowest edge above the K-th score; a segment scoring between the K-th score and that
/// edge cannot move the answer to another band. It is `Copy`, so every copy of a TopK
/// (the key-file scan's per-thread ones, `TopK::new(top.k, top.min)`) applies the same
/// policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Floor {
    /// Only scores of at least this count.
    min: f64,
    /// Bit `e` set: `e` (1–100) is a band edge.
    edges: u128,
}

impl From<f64> for Floor {
    fn from(min: f64) -> Floor {
        Floor { min, edges: 0 }
    }
}

impl Floor {
    /// A floor at `min` whose threshold rises to the band `edges` (whole percents; 100 is
    /// always one, values outside 1–100 are ignored).
    fn with_edges(min: f64, edges: &[u32]) -> Floor {
        let mut bits = 1u128 << 100;
        for &e in edges {
            if (1..=100).contains(&e) {
                bits |= 1u128 << e;
            }
        }
        Floor { min, edges: bits }
    }

    /// The threshold once the K-th best score is `s`: `s` itself, or with edges the
    /// lowest edge above `s` (scores are banded by their floor, so an edge `e` is above
    /// `s` when `e > ⌊s⌋`); `s` when no edge is above it.
    fn raise(&self, s: f64) -> f64 {
        if self.edges == 0 || !(0.0..100.0).contains(&s) {
            return s;
        }
        let f = s.floor() as u32;
        let above = self.edges & !((2u128 << f) - 1);
        if above == 0 {
            s
        } else {
            above.trailing_zeros() as f64
        }
    }
}

/// The best K so far, ordered by score (descending), unit id, language.
#[derive(Debug, Clone)]
struct TopK {
    k: usize,
    min: Floor,
    items: Vec<(f64, i64, usize)>,
}

impl TopK {
    fn new(k: usize, min: impl Into<Floor>) -> TopK {
        TopK {
            k,
            min: min.into(),
            items: Vec::new(),
        }
    }

    /// The score a new segment must reach to have a chance (or, with band edges, to
    /// change the band of the answer).
    fn threshold(&self) -> f64 {
        if self.items.len() == self.k {
            let kth = self
                .items
                .last()
                .map(|l| l.0.max(self.min.min))
                .unwrap_or(self.min.min);
            self.min.raise(kth)
        } else {
            self.min.min
        }
    }

    /// Offer a segment; one already held is not added twice (the key-file scan finds
    /// again what the q-gram search found before it, with the same score).
    fn offer(&mut self, score: f64, id: i64, lang: usize) {
        if score < self.min.min || self.k == 0 {
            return;
        }
        let better = |a: &(f64, i64, usize), b: &(f64, i64, usize)| {
            a.0 > b.0 || (a.0 == b.0 && (a.1, a.2) < (b.1, b.2))
        };
        let item = (score, id, lang);
        // A unit already kept (the key-file scan may meet what the q-gram search found).
        if self.items.iter().any(|x| (x.1, x.2) == (id, lang)) {
            return;
        }
        if self.items.len() == self.k {
            if !better(&item, self.items.last().expect("full")) {
                return;
            }
            self.items.pop();
        }
        let pos = self
            .items
            .iter()
            .position(|x| better(&item, x))
            .unwrap_or(self.items.len());
        self.items.insert(pos, item);
    }
}

/// The keys (`len` codes each, sorted) equal to `codes`: the range of their indexes.
fn equal_range<T: Copy + Into<u32>>(keys: &[T], len: usize, codes: &[u32]) -> (usize, usize) {
    let n = keys.len().checked_div(len).unwrap_or(0);
    let cmp = |i: usize| {
        keys[i * len..(i + 1) * len]
            .iter()
            .map(|&c| c.into())
            .cmp(codes.iter().copied())
    };
    let lo = partition_point(n, |i| cmp(i) == std::cmp::Ordering::Less);
    let hi = partition_point(n, |i| cmp(i) != std::cmp::Ordering::Greater);
    (lo, hi.max(lo))
}

/// The first index in `0..n` where `pred` turns false (`pred` true, then false).
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Bounds that depend on the current threshold.
struct Bounds {
    s: f64,
    /// Length band `lo..=hi` of segments that can qualify.
    lo: usize,
    hi: usize,
    /// Minimum over the band of the shared-token bound `T(m)`.
    tmin: i64,
    n: usize,
    q: usize,
}

impl Bounds {
    fn new(n: usize, q: usize, s: f64) -> Option<Bounds> {
        let kn = max_distance(n, s)?;
        let lo = n.saturating_sub(kn).max(1);
        // Largest m ≥ n with m − n ≤ k(m); m − k(m) does not decrease with m.
        let ok = |m: usize| max_distance(m, s).is_some_and(|k| m - n <= k);
        let hi = if s <= 0.0 {
            usize::MAX
        } else {
            let mut a = n;
            let mut b = ((n as f64 * 100.0 / s).ceil() as usize).saturating_add(2);
            while ok(b) {
                b = b.saturating_mul(2);
            }
            while a + 1 < b {
                let mid = a + (b - a) / 2;
                if ok(mid) {
                    a = mid
                } else {
                    b = mid
                }
            }
            a
        };
        let mut b = Bounds {
            s,
            lo,
            hi,
            tmin: 0,
            n,
            q,
        };
        let mut tmin = b.t(n);
        if hi != usize::MAX {
            for m in n + 1..=hi.min(LONG) {
                tmin = tmin.min(b.t(m));
            }
        } else {
            tmin = i64::MIN;
        }
        b.tmin = tmin;
        Some(b)
    }

    /// Tokens a segment of length `m` must share with the query.
    fn t(&self, m: usize) -> i64 {
        let l = self.n.max(m);
        let k = max_distance(l, self.s).unwrap_or(0);
        l as i64 + self.q as i64 - 1 - (self.q * k) as i64
    }

    /// The posting-list length bands that can hold qualifying segments.
    fn bands(&self) -> (u8, u8) {
        (qgram::len_band(self.lo), qgram::len_band(self.hi.min(LONG)))
    }

    fn in_band(&self, len: u16) -> bool {
        if len == 0 {
            return false;
        }
        if len == LEN_LONG {
            return self.hi > LONG;
        }
        let m = len as usize;
        m >= self.lo && m <= self.hi
    }
}

/// Answers fuzzy-match queries against one memory. Keep it for many queries (batch
/// mode): it caches each language's length table.
pub struct Matcher<'m> {
    mem: &'m Memory,
    langs: Vec<LangIndex>,
    readers: Vec<Option<Reader<'m>>>,
    /// Per language, per unit id: key length (low 16 bits) and the search's shared-token
    /// count (high 16 bits), side by side so that a posting costs one memory access.
    slots: Vec<Vec<u32>>,
    touched: Vec<i64>,
    /// Counters of the last search.
    pub stats: SearchStats,
    /// Threads a search may use.
    threads: usize,
    /// The work the q-gram index may do before the key file is scanned (`None`: the
    /// default, [`Budget::scaled`] to the language's keys).
    qgram_budget: Option<(u64, u64)>,
    /// The scan uses the length strata's pivots ([`Matcher::set_stratum_pivots`]).
    stratum_pivots: bool,
    /// Per language, where each unit's key is in the key file (built on the first
    /// search after the file changes).
    key_pos: Vec<Option<KeyPositions>>,
}

/// Where each unit id's key is in one language of a key file, so that the q-gram
/// search verifies a candidate on its stored codes (no SQLite read, no normalization).
struct KeyPositions {
    /// The key file's `(instance, generation)`.
    stamp: (i64, i64),
    /// The language.
    tag: LangTag,
    /// The key file's length groups.
    groups: Vec<Group>,
    /// Per unit id: the index of its key in the language, `u32::MAX` when it has none.
    pos: Vec<u32>,
}

impl KeyPositions {
    /// Index the keys of `l`; `ids` bounds the unit ids (longer tables grow as needed).
    fn new(kf: &KeyFile, l: &LangKeys, ids: usize) -> KeyPositions {
        let groups = kf.groups(l);
        let mut pos = vec![u32::MAX; ids];
        for i in 0..l.count.min(u32::MAX as usize - 1) {
            let id = kf.id(l, i);
            if id < 0 {
                continue;
            }
            let id = id as usize;
            if id >= pos.len() {
                pos.resize(id + 1, u32::MAX);
            }
            pos[id] = i as u32;
        }
        KeyPositions {
            stamp: kf.stamp(),
            tag: l.tag.clone(),
            groups,
            pos,
        }
    }

    /// The length group of unit `id`'s key and the key's index within it.
    #[inline]
    fn find(&self, id: i64) -> Option<(&Group, usize)> {
        let i = *self.pos.get(usize::try_from(id).ok()?)?;
        if i == u32::MAX {
            return None;
        }
        let i = i as usize;
        let gi = self.groups.partition_point(|g| g.first + g.count <= i);
        let g = self.groups.get(gi)?;
        Some((g, i - g.first))
    }
}

const VERIFIED: u16 = 0x8000;

/// The shared-token count (with the VERIFIED flag) of a slot.
#[inline]
fn cnt(slots: &[u32], id: i64) -> u16 {
    (slots[id as usize] >> 16) as u16
}

impl<'m> Matcher<'m> {
    /// A matcher over `mem`.
    pub fn new(mem: &'m Memory) -> Result<Matcher<'m>> {
        let langs = mem.index_languages()?;
        let readers = langs.iter().map(|_| None).collect();
        Ok(Matcher {
            mem,
            langs,
            readers,
            slots: Vec::new(),
            touched: Vec::new(),
            stats: SearchStats::default(),
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8),
            qgram_budget: None,
            stratum_pivots: true,
            key_pos: Vec::new(),
        })
    }

    /// The memory this matcher reads.
    pub fn memory(&self) -> &'m Memory {
        self.mem
    }

    /// How much work (postings decoded, segments verified) the q-gram index may do on
    /// a query before [`Matcher::find`] turns to the key file; `None` restores the
    /// default (100,000 postings and 1,000 verifications; once the top K is full with a
    /// K-th score of at least 80, as much per 100,000 keys of the query's language).
    /// `Some((0, 0))` always scans (tests compare both paths).
    pub fn set_qgram_budget(&mut self, budget: Option<(u64, u64)>) {
        self.qgram_budget = budget;
    }

    /// The memory's language tags that `from` selects and that have segments (possibly
    /// none); an error only when the memory cannot be read.
    pub fn present_tags(&self, from: &LangRange) -> Result<Vec<LangTag>> {
        let mut tags = Vec::new();
        for l in &self.langs {
            if from.matches(&l.tag) && self.mem.has_segments(&l.tag)? {
                tags.push(l.tag.clone());
            }
        }
        Ok(tags)
    }

    /// The error for a query in a language the memory has no segments in, naming the
    /// languages present.
    pub fn no_segments_error(&self, from: &LangRange) -> Error {
        let present: Vec<String> = self.langs.iter().map(|l| l.tag.to_string()).collect();
        Error::new(
            ErrorKind::NoData,
            format!(
                "{}: no segments in {} (the memory has {})",
                self.mem.path().display(),
                from,
                if present.is_empty() {
                    "no indexed segments".to_string()
                } else {
                    present.join(", ")
                }
            ),
        )
    }

    /// The memory's language tags that `from` selects and that have segments; an error
    /// naming the languages present when there are none.
    pub fn source_tags(&self, from: &LangRange) -> Result<Vec<LangTag>> {
        let tags = self.present_tags(from)?;
        if tags.is_empty() {
            return Err(self.no_segments_error(from));
        }
        Ok(tags)
    }

    fn reader(&mut self, i: usize) -> Result<&Reader<'m>> {
        if self.readers[i].is_none() {
            self.readers[i] = Some(self.mem.index_reader(self.langs[i].clone())?);
        }
        Ok(self.readers[i].as_ref().expect("set above"))
    }

    /// The top `opts.limit` segments in the languages `from` selects with score ≥
    /// `opts.min_score`, best first (indexed search).
    pub fn find(
        &mut self,
        query: &str,
        from: &LangRange,
        opts: MatchOptions,
    ) -> Result<Vec<Match>> {
        self.find_top(query, from, TopK::new(opts.limit, opts.min_score))
    }

    /// The best segment in the languages `from` selects with score ≥ `min_score`, as far
    /// as its **band** goes: `edges` are whole percents (100 is always one) and the
    /// answer's score is in the same band (`[e, next edge)`, on the score's floor) as the
    /// best match's, though not necessarily the best score itself. Once a match is found
    /// the search only looks for one in a higher band, so its threshold rises at once to
    /// the next edge (what `concord analyze` needs). Empty when no
    /// segment reaches `min_score`.
    pub fn find_band(
        &mut self,
        query: &str,
        from: &LangRange,
        min_score: f64,
        edges: &[u32],
    ) -> Result<Vec<Match>> {
        self.find_top(
            query,
            from,
            TopK::new(1, Floor::with_edges(min_score, edges)),
        )
    }

    /// The unit ids, in ascending order, whose segment in a language `from` selects has
    /// exactly the query's matching key (score 100): a binary search of the key file
    /// (keys are sorted by length, then codes), or for a language the key file leaves
    /// out, the q-gram search at 100.
    pub fn exact_units(&mut self, query: &str, from: &LangRange) -> Result<Vec<i64>> {
        let q = QueryKey::new(query)?;
        let _read = self.mem.read_tx()?;
        let tags = self.source_tags(from)?;
        let kf = self.mem.key_file()?;
        let mut ids = Vec::new();
        for tag in &tags {
            let q = q.with_rule(KeyRule::for_tag(tag));
            match kf.language(tag) {
                Some(l) => {
                    let codes: Vec<u32> = q.chars.iter().map(|&c| kf.code(l, c)).collect();
                    if codes.contains(&0) {
                        continue;
                    }
                    let Some(g) = kf.groups(l).into_iter().find(|g| g.len == codes.len()) else {
                        continue;
                    };
                    let (lo, hi) = if l.width == 1 {
                        equal_range(kf.codes_u8(l, &g), g.len, &codes)
                    } else {
                        equal_range(kf.codes_u16(l, &g), g.len, &codes)
                    };
                    ids.extend((lo..hi).map(|i| kf.id(l, g.first + i)));
                }
                None => {
                    let li = self
                        .langs
                        .iter()
                        .position(|l| &l.tag == tag)
                        .expect("indexed");
                    let verifier = Verifier::new(&q.chars);
                    let mut top = TopK::new(usize::MAX, 100.0);
                    self.search_lang(li, &q, &verifier, &mut top, None, None)?;
                    ids.extend(top.items.iter().map(|x| x.1));
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The best match's band for each of `queries`, as [`Matcher::find_band`] answers
    /// each of them (the same band; the score within it may be another match's), with
    /// the key-file scan of the queries the q-gram index cannot answer within its
    /// budget shared: each chunk of keys is read once for the whole batch
    /// (`fuzzy::multi`). Queries of similar lengths gain most (their bands overlap). One
    /// thread; the outer error is the memory's, the inner ones a query's (no letters
    /// or digits, too long).
    pub fn find_bands(
        &mut self,
        queries: &[&str],
        from: &LangRange,
        min_score: f64,
        edges: &[u32],
    ) -> Result<Vec<Result<Vec<Match>>>> {
        multi::find_bands(self, queries, from, min_score, edges)
    }

    /// The q-gram index's budget before the key file of `l` is scanned.
    fn budget(&self, l: &LangKeys) -> Budget {
        self.qgram_budget
            .map_or_else(|| Budget::scaled(l.count), Budget::fixed)
    }

    /// How many threads one search may use (default: the cores, at most 8). A caller
    /// that runs one search per core sets 1.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Whether the key-file scan uses the pivots of the length strata besides the
    /// language's (default: yes). Without them the answers are the same and the
    /// kernel verifies more keys: for benchmarks and tests that measure the bound.
    pub fn set_stratum_pivots(&mut self, on: bool) {
        self.stratum_pivots = on;
    }

    fn find_top(&mut self, query: &str, from: &LangRange, mut top: TopK) -> Result<Vec<Match>> {
        let q = QueryKey::new(query)?;
        let _read = self.mem.read_tx()?;
        let tags = self.source_tags(from)?;
        self.stats = SearchStats::default();
        let kf = self.mem.key_file()?;
        for tag in &tags {
            let li = self
                .langs
                .iter()
                .position(|l| &l.tag == tag)
                .expect("indexed");
            let q = q.with_rule(KeyRule::for_tag(tag));
            let verifier = Verifier::new(&q.chars);
            match kf.language(tag) {
                Some(l) => {
                    // Near-duplicates first: when the K-th score rises high, the q-gram
                    // filter proves the rest in a few thousand postings. A query that
                    // needs more (few close matches, the threshold stays near the
                    // minimum) scans the key file, from the threshold what the q-gram
                    // search verified gives: those are true scores of distinct units,
                    // so their K-th is at most the answer's (`offer` keeps a unit once).
                    let budget = Some(self.budget(l));
                    let keys = Some((&*kf, l));
                    if !self.search_lang(li, &q, &verifier, &mut top, budget, keys)? {
                        let c = engine::search(
                            &kf,
                            l,
                            &q.chars,
                            &mut top,
                            li,
                            self.threads,
                            self.stratum_pivots,
                        );
                        self.stats.verified += c.looked;
                        self.stats.kernel_keys += c.kernel;
                        self.stats.kernel_rows += c.rows;
                        self.stats.pivot_distances += c.pivot_distances;
                        self.stats.scanned = true;
                    }
                }
                None => {
                    self.search_lang(li, &q, &verifier, &mut top, None, None)?;
                }
            }
        }
        self.collect(top)
    }

    /// The same answer as [`Matcher::find`], by computing the full distance to every
    /// segment of the language (the reference the index is tested against).
    pub fn brute_force(
        &mut self,
        query: &str,
        from: &LangRange,
        opts: MatchOptions,
    ) -> Result<Vec<Match>> {
        let q = QueryKey::new(query)?;
        let _read = self.mem.read_tx()?;
        let tags = self.source_tags(from)?;
        let mut top = TopK::new(opts.limit, opts.min_score);
        let n = q.chars.len();
        let mut buf: Vec<char> = Vec::new();
        for tag in &tags {
            let li = self
                .langs
                .iter()
                .position(|l| &l.tag == tag)
                .expect("indexed");
            let rule = KeyRule::for_tag(tag);
            let verifier = Verifier::new(&q.with_rule(rule).chars);
            self.mem.scan_segments(tag, |id, text| {
                buf.clear();
                buf.extend(rule.key(text).chars());
                let d = verifier.distance(&buf);
                top.offer(score(d, n, buf.len()), id, li);
                Ok(())
            })?;
        }
        self.collect(top)
    }

    fn collect(&mut self, top: TopK) -> Result<Vec<Match>> {
        let mut out = Vec::with_capacity(top.items.len());
        for (score, id, li) in top.items {
            let source = self.reader(li)?.text(id)?.unwrap_or_default();
            out.push(Match {
                id,
                score,
                lang: self.langs[li].tag.to_string(),
                source,
            });
        }
        Ok(out)
    }

    fn search_lang(
        &mut self,
        li: usize,
        q: &QueryKey,
        verifier: &Verifier,
        top: &mut TopK,
        budget: Option<Budget>,
        keys: Option<(&KeyFile, &LangKeys)>,
    ) -> Result<bool> {
        self.reader(li)?;
        let reader = self.readers[li].as_ref().expect("loaded");
        // Candidates are verified from the key file when the language has one (keys
        // already normalized, read in place), else from their stored text.
        let from_keys = match keys {
            Some((kf, l)) => {
                if self.key_pos.len() <= li {
                    self.key_pos.resize_with(li + 1, || None);
                }
                let fresh = self.key_pos[li]
                    .as_ref()
                    .is_some_and(|p| p.stamp == kf.stamp() && p.tag == l.tag);
                if !fresh {
                    self.key_pos[li] = Some(KeyPositions::new(kf, l, reader.lens.len()));
                }
                let pos = self.key_pos[li].as_ref().expect("set above");
                let codes: Vec<u32> = q.chars.iter().map(|&c| kf.code(l, c)).collect();
                Some((kf, l, pos, QueryPm::new(codes, kf.alphabet_len(l))))
            }
            None => None,
        };
        let rule = KeyRule::for_tag(&reader.lang.tag);
        let n = q.chars.len();
        let qn = reader.lang.q;
        let Some(mut b) = Bounds::new(n, qn, top.threshold()) else {
            return Ok(true);
        };
        // Over budget: the caller drops what was found and scans the key file instead.
        let start = self.stats;
        let over = |s: &SearchStats, top: &TopK| {
            budget.is_some_and(|bud| {
                let (p, v) = bud.limits(top);
                s.postings - start.postings > p || s.verified - start.verified > v
            })
        };
        let mut stats = self.stats;
        let mut key_buf: Vec<char> = Vec::new();
        // Verify one candidate against the current threshold.
        let mut verify = |id: i64, top: &mut TopK, stats: &mut SearchStats| -> Result<()> {
            let s = top.threshold();
            if let Some((kf, l, pos, pm)) = &from_keys {
                let Some((g, i)) = pos.find(id) else {
                    return Ok(());
                };
                let m = g.len;
                let Some(k) = max_distance(n.max(m), s) else {
                    return Ok(());
                };
                stats.verified += 1;
                let d = if l.width == 1 {
                    pm.within(&kf.codes_u8(l, g)[i * m..(i + 1) * m], k)
                } else {
                    pm.within(&kf.codes_u16(l, g)[i * m..(i + 1) * m], k)
                };
                if let Some(d) = d {
                    top.offer(score(d, n, m), id, li);
                }
                return Ok(());
            }
            let Some(text) = reader.text(id)? else {
                return Ok(());
            };
            key_buf.clear();
            key_buf.extend(rule.key(&text).chars());
            let m = key_buf.len();
            let Some(k) = max_distance(n.max(m), s) else {
                return Ok(());
            };
            stats.verified += 1;
            if let Some(d) = verifier.distance_within(&key_buf, k) {
                top.offer(score(d, n, m), id, li);
            }
            Ok(())
        };

        let scan = n > LONG || b.tmin <= 0 || b.s < 50.0;
        if scan && budget.is_some() {
            return Ok(false);
        }
        if scan {
            stats.scanned = true;
            for id in 0..reader.lens.len() as i64 {
                let len = reader.lens[id as usize];
                if len == 0 {
                    continue;
                }
                if b.s != top.threshold() {
                    b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                }
                if b.in_band(len) {
                    verify(id, top, &mut stats)?;
                }
            }
            self.stats = stats;
            return Ok(true);
        }

        let mut tokens = Vec::new();
        qgram::key_tokens(&q.chars, qn, &mut qgram::OccTable::default(), &mut tokens);
        let total = tokens.len() as i64;
        let mut order: Vec<(u64, u64)> = Vec::with_capacity(tokens.len());
        // The document frequencies only order the reading; the connection keeps them
        // per generation (`Reader::df`), for this matcher and the next.
        for &t in &tokens {
            order.push((reader.df(t)?, t));
        }
        order.sort_unstable();

        if self.slots.len() <= li {
            self.slots.resize(li + 1, Vec::new());
        }
        if self.slots[li].len() != reader.lens.len() {
            self.slots[li] = reader.lens.iter().map(|&l| l as u32).collect();
        }
        let slots = &mut self.slots[li];
        let touched = &mut self.touched;
        touched.clear();

        // Segments without postings (longer than LONG) are always candidates.
        let mut forced: Vec<i64> = Vec::new();
        if b.hi > LONG {
            forced = (0..reader.lens.len() as i64)
                .filter(|&id| reader.lens[id as usize] == LEN_LONG)
                .collect();
        }

        let mut p: i64 = 0;
        let mut checkpoint = 3i64;
        // The checkpoints' candidates: every unverified candidate whose count is at least
        // `lead` is in `leaders` (ids are pushed when their count reaches `lead`), so a
        // checkpoint looks at a few ids instead of all touched ones.
        let mut leaders: Vec<i64> = Vec::new();
        let mut lead: u16 = 1;
        let mut gave_up = false;
        let mut checked_at_limit = false;
        'search: {
            loop {
                if over(&stats, top) {
                    gave_up = true;
                    break 'search;
                }
                if b.s != top.threshold() {
                    b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                }
                if p > total - b.tmin || p as usize >= order.len() {
                    break;
                }
                let tok = order[p as usize].1;
                stats.tokens_read += 1;
                reader.postings_batched(tok, b.bands(), |ids| {
                    stats.postings += ids.len() as u64;
                    // Load the batch's slots first (independent loads, no branches), then
                    // update them: the cache misses overlap.
                    let mut lens = [0u16; qgram::BATCH];
                    for (l, &id) in lens.iter_mut().zip(ids) {
                        *l = slots.get(id as usize).map_or(0, |&s| s as u16);
                    }
                    for (&len, &id) in lens.iter().zip(ids) {
                        if !b.in_band(len) {
                            continue;
                        }
                        let sl = &mut slots[id as usize];
                        if (*sl >> 16) as u16 & !VERIFIED == 0 {
                            touched.push(id);
                        }
                        *sl += 1 << 16;
                        if (*sl >> 16) as u16 == lead {
                            leaders.push(id);
                        }
                    }
                })?;
                p += 1;
                // Before the base budget runs out, one more checkpoint: a near-duplicate
                // query whose first tokens have long lists (a large memory) fills its
                // top K here, and its budget grows (`Budget::limits`).
                let last_chance = !checked_at_limit && over(&stats, top);
                if p == checkpoint || last_chance {
                    if p == checkpoint {
                        checkpoint = (checkpoint * 13 / 10).max(checkpoint + 1);
                    }
                    checked_at_limit |= last_chance;
                    // Verify the most promising candidates now, to raise the threshold.
                    let mut best: Vec<(u16, i64)> = leaders
                        .iter()
                        .map(|&id| (cnt(slots, id), id))
                        .filter(|&(c, _)| c & VERIFIED == 0)
                        .collect();
                    let want = (CHECKPOINT_LEADERS * top.k).max(4);
                    if best.len() > want {
                        best.select_nth_unstable_by(want, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                        best.truncate(want);
                    }
                    best.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                    if best.len() == want {
                        lead = lead.max(best[want - 1].0);
                    }
                    leaders.retain(|&id| {
                        let c = cnt(slots, id);
                        c & VERIFIED == 0 && c >= lead
                    });
                    for (_, id) in best {
                        if cnt(slots, id) & VERIFIED != 0 {
                            continue;
                        }
                        slots[id as usize] |= (VERIFIED as u32) << 16;
                        let len = reader.lens[id as usize];
                        let s = top.threshold();
                        if b.s != s {
                            b = Bounds::new(n, qn, s).expect("threshold ≤ 100");
                        }
                        if b.in_band(len) {
                            verify(id, top, &mut stats)?;
                        }
                    }
                    // In a language of at most QGRAM_BUDGET_KEYS keys (where the budget
                    // does not grow), give up now, not when the budget is spent, when
                    // the tokens still to read at the current threshold would take it
                    // past the budget: their document frequencies are known, scaled by
                    // the share of the postings read so far that fell in the length
                    // band. Counted on the bench's 100,000-unit memories (`concord-bench
                    // match -v`, summed over the queries): formulaic, 30.5 M postings
                    // read before scanning anyway, 4.4 M with this; near-duplicate, 48
                    // more of 500 queries scan, and the CPU is a fifth lower for both.
                    // At 1M keys it sent 109 more near-duplicate queries to a scan ten
                    // times dearer (CPU +17 %) and saved the formulaic ones nothing
                    // that counts (-1 %), so larger languages keep reading.
                    if let Some(bud) = budget.filter(|b| b.wide.0 <= b.base.0) {
                        if b.s != top.threshold() {
                            b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                        }
                        let need = (total - b.tmin + 1).clamp(0, order.len() as i64) as usize;
                        let done = (p as usize).min(need);
                        let read_df: u64 = order[..p as usize].iter().map(|&(d, _)| d).sum();
                        let ahead_df: u64 = order[done..need].iter().map(|&(d, _)| d).sum();
                        let read = stats.postings - start.postings;
                        let ahead = (ahead_df as f64 * read as f64 / read_df.max(1) as f64) as u64;
                        if read + ahead > bud.wide.0 {
                            gave_up = true;
                            break 'search;
                        }
                    }
                }
            }
            // No segment outside the candidates can qualify any more. Reading further tokens
            // (counting known candidates only) sharpens their count bound; it pays while a
            // token's list is short compared with the verifications it may save.
            // Shared-token counts of the candidates not verified yet, as a histogram, so
            // that the number still able to qualify is known without a pass over them.
            let mut hist = vec![0u32; total as usize + 2];
            for &id in touched.iter() {
                let c = cnt(slots, id);
                if c & VERIFIED == 0 {
                    hist[(c as usize).min(total as usize + 1)] += 1;
                }
            }
            let pending_from = |hist: &[u32], floor: i64| -> usize {
                let f = floor.clamp(0, hist.len() as i64) as usize;
                hist[f..].iter().map(|&h| h as usize).sum()
            };
            let mut pending = pending_from(&hist, b.tmin - total + p);
            while (p as usize) < order.len() && order[p as usize].0 <= 32 * pending as u64 {
                if over(&stats, top) {
                    gave_up = true;
                    break 'search;
                }
                let tok = order[p as usize].1;
                stats.tokens_read += 1;
                reader.postings_batched(tok, b.bands(), |ids| {
                    stats.postings += ids.len() as u64;
                    let mut cs = [0u16; qgram::BATCH];
                    for (c, &id) in cs.iter_mut().zip(ids) {
                        *c = slots.get(id as usize).map_or(0, |&s| (s >> 16) as u16);
                    }
                    for (&c, &id) in cs.iter().zip(ids) {
                        if c != 0 && c & VERIFIED == 0 {
                            slots[id as usize] += 1 << 16;
                            let c = (c as usize).min(hist.len() - 2);
                            hist[c] = hist[c].saturating_sub(1);
                            hist[c + 1] += 1;
                        }
                    }
                })?;
                p += 1;
                if b.s != top.threshold() {
                    b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                }
                pending = pending_from(&hist, b.tmin - total + p);
            }
            // Final pass: every candidate that can still qualify, most shared tokens first.
            let floor = b.tmin - total + p;
            let mut cands: Vec<(u16, i64)> = touched
                .iter()
                .map(|&id| (cnt(slots, id), id))
                .filter(|&(c, _)| c & VERIFIED == 0 && c as i64 >= floor)
                .collect();
            cands.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (c, id) in cands {
                if over(&stats, top) {
                    gave_up = true;
                    break 'search;
                }
                if b.s != top.threshold() {
                    b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                }
                if (c as i64) < b.tmin - total + p {
                    break;
                }
                let len = reader.lens[id as usize];
                if !b.in_band(len) || (c as i64) < b.t(len as usize) - total + p {
                    continue;
                }
                verify(id, top, &mut stats)?;
            }
            for id in forced {
                if b.s != top.threshold() {
                    b = Bounds::new(n, qn, top.threshold()).expect("threshold ≤ 100");
                }
                if b.in_band(LEN_LONG) {
                    verify(id, top, &mut stats)?;
                }
            }
        }
        for &id in touched.iter() {
            slots[id as usize] &= 0xFFFF;
        }
        touched.clear();
        self.stats = stats;
        Ok(!gave_up)
    }
}

/// Run `each` on every item of a batch of queries, with one [`Matcher`] per thread: when
/// the memory is a file and the batch has at least 16 items, one thread per core (at
/// most 8), each with its own read-only connection and single-threaded searches (one
/// search at a time per core costs no synchronisation, and slow and fast queries even
/// out over the shared queue); otherwise on this thread. Returns the answers in item
/// order, or the first error (the other threads stop at their next item). `progress`
/// is called with (items done, items in all).
pub fn batch<T, R, F>(
    mem: &Memory,
    items: &[T],
    each: F,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&mut Matcher, &Memory, &T) -> Result<R> + Sync,
{
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = if mem.path().is_file() && items.len() >= 16 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    } else {
        1
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let total = items.len() as u64;
    let run = |m: &Memory| -> Result<Vec<(usize, R)>> {
        let mut matcher = Matcher::new(m)?;
        if threads > 1 {
            matcher.set_threads(1);
        }
        let mut out = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            match each(&mut matcher, m, item) {
                Ok(r) => out.push((i, r)),
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            progress(done.fetch_add(1, Ordering::Relaxed) as u64 + 1, total);
        }
        Ok(out)
    };
    let parts: Vec<Result<Vec<(usize, R)>>> = if threads > 1 {
        let path = mem.path().to_path_buf();
        std::thread::scope(|s| {
            let others: Vec<_> = (1..threads)
                .map(|_| {
                    s.spawn(|| {
                        let r = Memory::open_read_only(&path).and_then(|m| run(&m));
                        if r.is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        r
                    })
                })
                .collect();
            let mut parts = vec![run(mem)];
            for h in others {
                parts.push(h.join().unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Internal, "a search thread stopped"))
                }));
            }
            parts
        })
    } else {
        vec![run(mem)]
    };
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    for part in parts {
        for (i, r) in part? {
            slots[i] = Some(r);
        }
    }
    slots
        .into_iter()
        .map(|r| r.ok_or_else(|| Error::new(ErrorKind::Internal, "a batch item was lost")))
        .collect()
}

/// Rebuild the fuzzy index of `mem` from its stored segments, in one transaction
/// (imports and deletes keep it current; this is for repair and benchmarks).
pub fn rebuild_index(mem: &mut Memory) -> Result<()> {
    mem.rebuild_index()
}

/// Rebuild-free helper for callers holding only a memory: one indexed query.
pub fn find_matches(
    mem: &Memory,
    query: &str,
    from: &LangRange,
    opts: MatchOptions,
) -> Result<Vec<Match>> {
    Matcher::new(mem)?.find(query, from, opts)
}

/// One brute-force query (see [`Matcher::brute_force`]).
pub fn brute_force_matches(
    mem: &Memory,
    query: &str,
    from: &LangRange,
    opts: MatchOptions,
) -> Result<Vec<Match>> {
    Matcher::new(mem)?.brute_force(query, from, opts)
}

/// A piece of a stored segment marked against a query, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum DiffPiece {
    /// Text both have.
    Same(String),
    /// Text only the stored segment has.
    Stored(String),
    /// Text only the query has.
    Query(String),
}

/// Mark the differences between a stored segment and a query (on their matching keys,
/// shown in their original spelling). Returns the stored text as one piece when the
/// strings are too long to align cheaply.
pub fn diff(stored: &str, query: &str) -> Vec<DiffPiece> {
    use crate::text::KeyedText;
    let sk = KeyedText::new(stored);
    let qk = KeyedText::new(query);
    if sk.len().saturating_mul(qk.len()) > 4_000_000 {
        return vec![DiffPiece::Same(stored.to_string())];
    }
    let so: Vec<char> = stored.chars().collect();
    let qo: Vec<char> = query.chars().collect();
    let span = |o: &[char], (a, b): (usize, usize)| -> String {
        o[a.min(o.len())..b.min(o.len())].iter().collect()
    };
    let mut out: Vec<DiffPiece> = Vec::new();
    let mut push = |p: DiffPiece| {
        let empty = match &p {
            DiffPiece::Same(s) | DiffPiece::Stored(s) | DiffPiece::Query(s) => s.is_empty(),
        };
        if empty {
            return;
        }
        match (out.last_mut(), &p) {
            (Some(DiffPiece::Same(a)), DiffPiece::Same(b))
            | (Some(DiffPiece::Stored(a)), DiffPiece::Stored(b))
            | (Some(DiffPiece::Query(a)), DiffPiece::Query(b)) => a.push_str(b),
            _ => out.push(p),
        }
    };
    // Align words (runs of letters and digits; each Han character, space and
    // punctuation mark on its own), then map word ranges back to key characters.
    let (sw, qw) = (words(&sk.chars), words(&qk.chars));
    let s_tok: Vec<&[char]> = sw.iter().map(|r| &sk.chars[r.clone()]).collect();
    let q_tok: Vec<&[char]> = qw.iter().map(|r| &qk.chars[r.clone()]).collect();
    let chars_of = |ws: &[std::ops::Range<usize>], r: std::ops::Range<usize>, total: usize| {
        let a = ws.get(r.start).map(|w| w.start).unwrap_or(total);
        let b = if r.end == 0 { a } else { ws[r.end - 1].end };
        a..b.max(a)
    };
    let ops: Vec<lev::EditOp> = lev::edit_script(&s_tok, &q_tok)
        .into_iter()
        .map(|op| match op {
            lev::EditOp::Equal(a, b) => {
                lev::EditOp::Equal(chars_of(&sw, a, sk.len()), chars_of(&qw, b, qk.len()))
            }
            lev::EditOp::Delete(a) => lev::EditOp::Delete(chars_of(&sw, a, sk.len())),
            lev::EditOp::Insert(at, b) => lev::EditOp::Insert(
                sw.get(at).map(|w| w.start).unwrap_or(sk.len()),
                chars_of(&qw, b, qk.len()),
            ),
            lev::EditOp::Replace(a, b) => {
                lev::EditOp::Replace(chars_of(&sw, a, sk.len()), chars_of(&qw, b, qk.len()))
            }
        })
        .collect();
    let mut pos = 0usize;
    for op in ops {
        let stored_range = match &op {
            lev::EditOp::Equal(a, _) | lev::EditOp::Delete(a) | lev::EditOp::Replace(a, _) => {
                Some(a.clone())
            }
            lev::EditOp::Insert(..) => None,
        };
        if let Some(r) = stored_range {
            let (s, e) = sk.original_span(r.start, r.end);
            let s = s.max(pos);
            let e = e.max(s);
            push(DiffPiece::Same(span(&so, (pos, s))));
            let text = span(&so, (s, e));
            pos = e;
            match &op {
                lev::EditOp::Equal(..) => push(DiffPiece::Same(text)),
                lev::EditOp::Delete(_) => push(DiffPiece::Stored(text)),
                lev::EditOp::Replace(_, qr) => {
                    push(DiffPiece::Stored(text));
                    push(DiffPiece::Query(span(
                        &qo,
                        qk.original_span(qr.start, qr.end),
                    )));
                }
                lev::EditOp::Insert(..) => {}
            }
        } else if let lev::EditOp::Insert(_, qr) = &op {
            push(DiffPiece::Query(span(
                &qo,
                qk.original_span(qr.start, qr.end),
            )));
        }
    }
    push(DiffPiece::Same(span(&so, (pos, so.len()))));
    out
}

/// Word ranges of a key: runs of letters and digits (Han characters one by one), and
/// every other character on its own.
fn words(key: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < key.len() {
        let c = key[i];
        let wordy = |c: char| c.is_alphanumeric() && crate::text::script_of(c) != Script::Han;
        let mut j = i + 1;
        if wordy(c) {
            while j < key.len() && wordy(key[j]) {
                j += 1;
            }
        }
        out.push(i..j);
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At a million units a fixed q-gram budget sent 418 of the bench's 500
    /// near-duplicate queries to the scan; growing it for every query cost formulaic
    /// queries 12 % more CPU. It grows with the language's keys only once the top K is
    /// full with a K-th score of at least 80.
    #[test]
    fn near_duplicate_budget_grows_with_the_memory_only_for_a_full_high_top() {
        let big = Budget::scaled(1_000_000);
        let mut top = TopK::new(2, 70.0);
        assert_eq!(big.limits(&top), QGRAM_BUDGET);
        top.offer(95.0, 1, 0);
        assert_eq!(big.limits(&top), QGRAM_BUDGET, "the top is not full");
        top.offer(72.0, 2, 0);
        assert_eq!(big.limits(&top), QGRAM_BUDGET, "the K-th score is low");
        top.offer(90.0, 3, 0);
        assert_eq!(big.limits(&top), (1_000_000, 10_000));
        // Never below the base, and a fixed budget stays fixed.
        assert_eq!(Budget::scaled(30_000).limits(&top), QGRAM_BUDGET);
        assert_eq!(Budget::fixed((0, 0)).limits(&top), (0, 0));
    }
}
