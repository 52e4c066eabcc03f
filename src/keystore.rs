//! The key file: every segment's matching key as flat arrays per language, sorted by
//! length, in a file beside the memory (`memory.db-keys`), read without copying
//! (memory-mapped). Fuzzy matching scans it; the SQLite memory stays the truth.
//!
//! # What it holds
//!
//! A header (magic, the memory's instance id and generation, see below) and per
//! language: its tag; its alphabet (every key character with a code from 1; code 0 is
//! "not in this language", so a query character the memory never saw matches nothing);
//! the keys as codes (one byte per character when the alphabet has at most 255
//! characters, else two), concatenated in order of (length, codes, unit id), so keys
//! with a common prefix are neighbours; the unit id of
//! every key; and one entry per key length present (length, index of its first key,
//! byte offset of its first code). Keys of one length are contiguous, so a search reads
//! only the lengths its threshold allows, and key `i` of length `l` starts at `base +
//! (i − first) · l · width` without an offset table. Then the language's pivots (up to
//! [`PIVOTS`] of its keys, as codes) and, for every key in file order, its Levenshtein
//! distance to each pivot capped at [`PIVOT_CAP`] (one byte each): the search's
//! triangle-inequality bound (`crate::fuzzy` rejects a key whose bound exceeds the
//! distance it allows before verifying it). Last, for every key in file order, the
//! number of codes it shares with the key before it in its length group (0 for a
//! group's first key; `u16`, capped at 65,535): the scan knows from these, without
//! comparing codes, how long a prefix a key shares with the last key it verified. Then
//! the length strata ([`STRATUM`] lengths each: stratum `s` holds the keys of lengths
//! `16 s ..= 16 s + 15`, contiguous in file order): a table of one entry per stratum
//! present (stratum, index and number of its keys, number and offset of its pivots,
//! offset of its distances), and per stratum its own pivots (up to [`PIVOTS`] of its
//! keys) and every one of its keys' distances to them, capped as the global ones: a
//! second bound, from pivots of the key's own length, that the search takes with the
//! first (the greater of the two). A language whose alphabet has more
//! than 65,535 characters is left out (the matcher then uses the q-gram index).
//!
//! # Consistency
//!
//! The file is derived: the store makes it from the stored segments, deterministically,
//! one language at a time ([`LangBuilder`], [`FileWriter`]), so only one language's keys
//! are in RAM while it is sorted and written ([`Builder`] holds them all, for small
//! files).
//! The memory keeps an instance id (random, set when the memory is created) and a
//! generation that every import and delete transaction increments. A key file whose
//! header does not carry the memory's current pair is stale and is rebuilt before use
//! (written to a temporary file, then renamed over the old one, so a reader never sees
//! half a file and a kill -9 at any moment leaves either the old file, which is then
//! stale, or the new one). Import and delete write the new file to a temporary file
//! beside the memory inside their transaction (it sees what they are about to commit;
//! the temporary file of a transaction that fails is removed) and publish it as they
//! commit: mapped, to the other connections of the process at once, so that no search
//! after the commit waits for a rebuild (the server's readers), then renamed into place
//! for other processes. A kill -9 between the commit and the rename leaves the old file,
//! stale, and a temporary file beside it (`-keys.tmpPID-N`).
//! Deleted units' keys are gone from it at once. The connections of one process share
//! the files they open or build, and while one builds a missing file the others wait
//! for it instead of building it too.

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::lang::LangTag;
use crate::text::KeyRule;

/// Format 6: format 5 and the pivots of every length stratum with every key's distances
/// to its stratum's pivots. Format 5 was format 4 (format 1 with 64 pivots) and every
/// key's shared prefix with the key before it (format 3 had 32 pivots; format 2 was a
/// reverted experiment; their files, like formats 1, 4 and 5, fail this check, are
/// stale and are rebuilt).
const MAGIC: &[u8; 8] = b"CCKEYS\x00\x06";
const HEADER: usize = 32;
const DIR_ENTRY: usize = TAG_BYTES + 8 * FIELDS;
/// Numbers in a directory entry after the tag.
const FIELDS: usize = 14;
const TAG_BYTES: usize = 64;
/// Bytes of one length-group entry: length u64, first index u64, byte base u64.
const GROUP: usize = 24;
/// Bytes of one stratum entry: stratum, first key index, key count, pivot count, offset
/// of its pivots, offset of its distances (u64 each).
const STRATUM_ENTRY: usize = 48;
/// Key lengths per length stratum: stratum `s` holds the keys of lengths `16 s ..= 16 s
/// + 15`, each with its distances to pivots chosen among the stratum's keys.
pub const STRATUM: usize = 16;
/// Pivots per language (fewer when the language has fewer candidates, see
/// `is_pivot_candidate`: about one unit in 16, by a hash of its id). 64 rather than 32:
/// on the formulaic 100k memory at minimum 70 they reject 53 / 71 / 81 % of the length
/// band (EN / KO / ZH) instead of 39 / 53 / 71 % (README, "Benchmarks").
pub const PIVOTS: usize = 64;
/// Pivot distances are stored capped at this value (one byte each).
pub const PIVOT_CAP: usize = 255;

/// True when the key of unit `id` may be a pivot: about one unit in 16, by a hash of
/// the id, so the pivots are spread over the first few hundred units of a language
/// (an import in the order of documents still gives pivots from several of them)
/// and a memory's new units (higher ids) never change the choice among older ones.
fn is_pivot_candidate(id: i64) -> bool {
    (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60 == 0
}

/// True when the key of unit `id` may be a pivot of its length stratum: the next
/// sixteenth of the same hash, so no unit is both a candidate of the language and of a
/// stratum (a stratum's pivots are other units than the language's).
fn is_stratum_candidate(id: i64) -> bool {
    (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60 == 1
}

/// The key file of the memory at `db`.
pub fn path_for(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_os_string();
    s.push("-keys");
    PathBuf::from(s)
}

/// Collects the keys of every segment, then writes the file. Holds every language's
/// keys at once: for a whole memory use [`LangBuilder`] and [`FileWriter`], which write
/// one language at a time.
#[derive(Default)]
pub struct Builder {
    langs: Vec<LangBuilder>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Add the segment `text` of unit `id` in language `tag` (ids in increasing order
    /// give a deterministic file; any order gives a correct one).
    pub fn add(&mut self, id: i64, tag: &LangTag, text: &str) {
        let li = match self.langs.iter().position(|l| &l.tag == tag) {
            Some(i) => i,
            None => {
                self.langs.push(LangBuilder::new(tag.clone()));
                self.langs.len() - 1
            }
        };
        self.langs[li].add(id, text);
    }

    /// Write the file for a memory's `(instance, generation)` to `path` (through a
    /// temporary file renamed over it).
    pub fn write_file(&mut self, path: &Path, instance: i64, generation: i64) -> Result<()> {
        write_bytes(path, &self.to_bytes(instance, generation))
    }

    /// The file's bytes for a memory's `(instance, generation)`.
    pub fn to_bytes(&mut self, instance: i64, generation: i64) -> Vec<u8> {
        let mut langs = std::mem::take(&mut self.langs);
        langs.sort_by(|a, b| a.tag.as_str().cmp(b.tag.as_str()));
        let mut fw = FileWriter::new(std::io::Cursor::new(Vec::new()), langs.len())
            .expect("writing to a Vec cannot fail");
        for l in langs {
            fw.add(l).expect("writing to a Vec cannot fail");
        }
        fw.finish(instance, generation)
            .expect("writing to a Vec cannot fail")
            .into_inner()
    }

    /// The file in memory (for memories without a file).
    pub fn into_map(mut self, instance: i64, generation: i64) -> Result<KeyFile> {
        KeyFile::from_bytes(&self.to_bytes(instance, generation))
    }
}

/// A language's characters and their codes (from 1, in order of first use): a table
/// indexed by the character for the Basic Multilingual Plane (the hash of a map was a
/// tenth of an import's time), a map above it.
#[derive(Default)]
struct Alphabet {
    bmp: Vec<u32>,
    astral: HashMap<char, u32>,
    len: usize,
}

impl Alphabet {
    /// The code of `c`, given the next free one if it is new.
    #[inline]
    fn code(&mut self, c: char) -> u32 {
        let i = c as usize;
        if i < 0x1_0000 {
            if self.bmp.is_empty() {
                self.bmp = vec![0; 0x1_0000];
            }
            let slot = &mut self.bmp[i];
            if *slot == 0 {
                self.len += 1;
                *slot = self.len as u32;
            }
            *slot
        } else {
            let next = self.len as u32 + 1;
            let code = *self.astral.entry(c).or_insert(next);
            if code == next {
                self.len += 1;
            }
            code
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Every `(character, code)`, by character.
    fn sorted(&self) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = self
            .bmp
            .iter()
            .enumerate()
            .filter(|(_, &code)| code != 0)
            .map(|(c, &code)| (c as u32, code))
            .collect();
        let mut astral: Vec<(u32, u32)> = self
            .astral
            .iter()
            .map(|(&c, &code)| (c as u32, code))
            .collect();
        astral.sort_unstable();
        v.extend(astral);
        v
    }
}

/// The character codes of one language's keys: one byte per character while its
/// alphabet has at most 255 characters, two bytes from the 256th on (half the RAM for
/// alphabetic languages while the file is built).
enum Codes {
    Narrow(Vec<u8>),
    Wide(Vec<u16>),
}

impl Codes {
    fn len(&self) -> usize {
        match self {
            Codes::Narrow(v) => v.len(),
            Codes::Wide(v) => v.len(),
        }
    }
}

/// One language's keys, collected in RAM (its alphabet, its codes, and a 16-byte
/// record per key) until [`FileWriter::add`] writes its part of the file.
pub struct LangBuilder {
    tag: LangTag,
    rule: KeyRule,
    alphabet: Alphabet,
    /// Too many distinct characters for two-byte codes: left out of the file.
    overflow: bool,
    codes: Codes,
    /// (id, start in `codes`, length).
    keys: Vec<(i64, u64, u32)>,
    key: String,
    /// The language's part of an existing file that these keys extend
    /// ([`LangBuilder::extending`]).
    base: Option<Base>,
}

/// A language's part of an existing key file, extended by newer keys.
struct Base {
    file: std::sync::Arc<KeyFile>,
    lang: LangKeys,
}

/// Where a language's keys come from, in the order of the file.
enum Run {
    /// Keys `from..to` of the base file's language, all of length `len`; `byte` is the
    /// offset of the first one's codes in the base's codes.
    Old {
        from: usize,
        to: usize,
        len: usize,
        byte: usize,
    },
    /// Keys `from..to` of the builder's own keys, sorted.
    New { from: usize, to: usize },
}

impl LangBuilder {
    /// An empty builder for the keys of `tag`.
    pub fn new(tag: LangTag) -> LangBuilder {
        LangBuilder {
            rule: KeyRule::for_tag(&tag),
            tag,
            alphabet: Alphabet::default(),
            overflow: false,
            codes: Codes::Narrow(Vec::new()),
            keys: Vec::new(),
            key: String::new(),
            base: None,
        }
    }

    /// A builder that continues the language `tag` of `file`: it starts with the file's
    /// alphabet, and the part it writes holds the file's keys of `tag` and those added,
    /// byte for byte the part that [`LangBuilder::new`] makes from all of them, provided
    /// that every id added is greater than every id of the file (a memory's new units)
    /// and that the file was made the same way (from the segments, in id order).
    /// `None` when the file has no such language or its alphabet is not one this
    /// module writes (then build the language from all its segments).
    pub fn extending(file: std::sync::Arc<KeyFile>, tag: &LangTag) -> Option<LangBuilder> {
        let lang = file.language(tag)?.clone();
        let mut alphabet = Alphabet::default();
        let mut seen = vec![false; lang.alpha_n + 1];
        for i in 0..lang.alpha_n {
            let at = lang.alpha_off + 8 * i;
            let c = u32::from_le_bytes(file.map[at..at + 4].try_into().expect("4 bytes"));
            let code = u32::from_le_bytes(file.map[at + 4..at + 8].try_into().expect("4 bytes"));
            let c = char::from_u32(c)?;
            // Codes 1..=n, each once: what `Alphabet::code` hands out.
            if code == 0 || code as usize > lang.alpha_n || seen[code as usize] {
                return None;
            }
            seen[code as usize] = true;
            if (c as usize) < 0x1_0000 {
                if alphabet.bmp.is_empty() {
                    alphabet.bmp = vec![0; 0x1_0000];
                }
                alphabet.bmp[c as usize] = code;
            } else {
                alphabet.astral.insert(c, code);
            }
        }
        alphabet.len = lang.alpha_n;
        let width = if lang.alpha_n <= 255 { 1 } else { 2 };
        if lang.width != width {
            return None;
        }
        let mut b = LangBuilder::new(tag.clone());
        b.alphabet = alphabet;
        if width == 2 {
            b.codes = Codes::Wide(Vec::new());
        }
        b.base = Some(Base { file, lang });
        Some(b)
    }

    /// The language.
    pub fn tag(&self) -> &LangTag {
        &self.tag
    }

    /// Add the segment `text` of unit `id` (ids in increasing order give a deterministic
    /// file; any order gives a correct one).
    pub fn add(&mut self, id: i64, text: &str) {
        if self.overflow {
            return;
        }
        self.rule.key_into(text, &mut self.key);
        let start = self.codes.len() as u64;
        let mut len = 0u32;
        for c in self.key.chars() {
            let code = self.alphabet.code(c);
            if code > u16::MAX as u32 {
                self.overflow = true;
                self.codes = Codes::Narrow(Vec::new());
                self.keys = Vec::new();
                self.base = None;
                return;
            }
            if code > u8::MAX as u32 {
                if let Codes::Narrow(v) = &mut self.codes {
                    let wide = v.iter().map(|&c| c as u16).collect();
                    self.codes = Codes::Wide(wide);
                }
            }
            match &mut self.codes {
                Codes::Narrow(v) => v.push(code as u8),
                Codes::Wide(v) => v.push(code as u16),
            }
            len += 1;
        }
        self.keys.push((id, start, len));
    }

    /// The code of character `i` of the collected codes.
    #[inline]
    fn new_code(&self, i: usize) -> u32 {
        match &self.codes {
            Codes::Narrow(v) => v[i] as u32,
            Codes::Wide(v) => v[i] as u32,
        }
    }

    /// The order of the keys in the file: the collected keys (sorted) and, when this
    /// builder extends a file, that file's keys merged with them. Keys of one length
    /// are ordered by codes, then by id; every collected id is above every id of the
    /// base, so on equal codes the base's key comes first.
    fn runs(&self) -> Vec<Run> {
        let Some(base) = &self.base else {
            return if self.keys.is_empty() {
                Vec::new()
            } else {
                vec![Run::New {
                    from: 0,
                    to: self.keys.len(),
                }]
            };
        };
        let (file, l) = (&base.file, &base.lang);
        let old_codes = &file.map[l.codes_off..];
        // Code `j` of base key `x` of group `g`.
        let old_code = |g: &Group, x: usize, j: usize| -> u32 {
            let at = g.base + ((x - g.first) * g.len + j) * l.width;
            if l.width == 1 {
                old_codes[at] as u32
            } else {
                u16::from_le_bytes([old_codes[at], old_codes[at + 1]]) as u32
            }
        };
        // Base key `x` ≤ collected key `k` (same length)?
        let old_le_new = |g: &Group, x: usize, k: &(i64, u64, u32)| -> bool {
            for j in 0..g.len {
                let (a, b) = (old_code(g, x, j), self.new_code(k.1 as usize + j));
                if a != b {
                    return a < b;
                }
            }
            true
        };
        let mut runs = Vec::new();
        let push_new = |runs: &mut Vec<Run>, k: usize| match runs.last_mut() {
            Some(Run::New { to, .. }) if *to == k => *to = k + 1,
            _ => runs.push(Run::New { from: k, to: k + 1 }),
        };
        let push_old = |runs: &mut Vec<Run>, g: &Group, from: usize, to: usize| {
            if from < to {
                runs.push(Run::Old {
                    from,
                    to,
                    len: g.len,
                    byte: g.base + (from - g.first) * g.len * l.width,
                });
            }
        };
        let groups = file.groups(l);
        let (mut gi, mut ni) = (0, 0);
        while gi < groups.len() || ni < self.keys.len() {
            let old_len = groups.get(gi).map(|g| g.len);
            let new_len = self.keys.get(ni).map(|k| k.2 as usize);
            match (old_len, new_len) {
                (Some(o), n) if n.map_or(true, |n| o < n) => {
                    let g = &groups[gi];
                    push_old(&mut runs, g, g.first, g.first + g.count);
                    gi += 1;
                }
                (o, Some(n)) if o.map_or(true, |o| n < o) => {
                    while ni < self.keys.len() && self.keys[ni].2 as usize == n {
                        push_new(&mut runs, ni);
                        ni += 1;
                    }
                }
                _ => {
                    // The same length in both: each collected key goes after the base's
                    // keys that are not greater (binary search), before the rest.
                    let g = &groups[gi];
                    let (mut pos, end) = (g.first, g.first + g.count);
                    while ni < self.keys.len() && self.keys[ni].2 as usize == g.len {
                        let k = &self.keys[ni];
                        let (mut lo, mut hi) = (pos, end);
                        while lo < hi {
                            let mid = lo + (hi - lo) / 2;
                            if old_le_new(g, mid, k) {
                                lo = mid + 1;
                            } else {
                                hi = mid;
                            }
                        }
                        push_old(&mut runs, g, pos, lo);
                        push_new(&mut runs, ni);
                        pos = lo;
                        ni += 1;
                    }
                    push_old(&mut runs, g, pos, end);
                    gi += 1;
                }
            }
        }
        runs
    }

    /// Write this language's part of the file at absolute offset `pos` (a multiple of
    /// 8) to `w`; returns its directory entry and the offset after it.
    fn write_section(
        mut self,
        w: &mut impl Write,
        mut pos: usize,
    ) -> std::io::Result<(DirEntry, usize)> {
        // By length, then by codes (keys with a common prefix are neighbours, so the
        // search shares their first rows), then by id.
        fn sort<T: Ord>(keys: &mut [(i64, u64, u32)], codes: &[T]) {
            let slice = |k: &(i64, u64, u32)| &codes[k.1 as usize..k.1 as usize + k.2 as usize];
            keys.sort_unstable_by(|a, b| (a.2, slice(a), a.0).cmp(&(b.2, slice(b), b.0)));
        }
        match &self.codes {
            Codes::Narrow(v) => sort(&mut self.keys, v),
            Codes::Wide(v) => sort(&mut self.keys, v),
        }
        let width = if self.alphabet.len() <= 255 {
            1usize
        } else {
            2
        };
        let runs = self.runs();
        let order = self.order(&runs);
        let pivots = self.choose_pivots();
        let base_rows = self.base.as_ref().map(|b| {
            let n = b.file.pivot_count(&b.lang);
            (b.file.pivot_rows(&b.lang, 0, b.lang.count), n, 0)
        });
        let dists = self.pivot_distances(&order, &pivots, base_rows);
        let strata = self.strata(&order);
        let mut groups: Vec<(u64, u64, u64)> = Vec::new();
        let mut base = 0u64;
        let mut count = 0u64;
        let mut group = |len: u64, n: u64| {
            if groups.last().map(|g| g.0) != Some(len) {
                groups.push((len, count, base));
            }
            count += n;
            base += n * len * width as u64;
        };
        for r in &runs {
            match *r {
                Run::Old { from, to, len, .. } => group(len as u64, (to - from) as u64),
                Run::New { from, to } => {
                    for k in &self.keys[from..to] {
                        group(k.2 as u64, 1);
                    }
                }
            }
        }
        let alpha_off = pos;
        pos += 8 * self.alphabet.len();
        let groups_off = pos;
        pos += GROUP * groups.len();
        let ids_off = pos;
        pos += 8 * count as usize;
        let codes_off = pos;
        pos += base as usize;
        let codes_end = pos.div_ceil(8) * 8;
        let pivots_off = codes_end;
        let pivot_codes: usize = pivots.iter().map(Vec::len).sum();
        let pivots_end = (pivots_off + 8 * pivots.len() + 4 * pivot_codes).div_ceil(8) * 8;
        let dists_off = pivots_end;
        let lcp_off = (dists_off + dists.len()).div_ceil(8) * 8;
        let lcps = self.shared_prefixes(&runs);
        let strata_off = (lcp_off + 2 * lcps.len()).div_ceil(8) * 8;
        // Per stratum: its pivots (lengths, then codes as u32) and its keys' distances.
        let mut at = strata_off + STRATUM_ENTRY * strata.len();
        let mut table: Vec<[u64; 6]> = Vec::with_capacity(strata.len());
        for st in &strata {
            let codes: usize = st.pivots.iter().map(Vec::len).sum();
            let p_off = at;
            let d_off = (p_off + 8 * st.pivots.len() + 4 * codes).div_ceil(8) * 8;
            at = (d_off + st.dists.len()).div_ceil(8) * 8;
            table.push([
                st.s as u64,
                st.first as u64,
                st.count as u64,
                st.pivots.len() as u64,
                p_off as u64,
                d_off as u64,
            ]);
        }
        let end = at;
        let entry = DirEntry {
            tag: self.tag.clone(),
            fields: [
                width as u64,
                count,
                self.alphabet.len() as u64,
                alpha_off as u64,
                groups.len() as u64,
                groups_off as u64,
                ids_off as u64,
                codes_off as u64,
                pivots.len() as u64,
                pivots_off as u64,
                dists_off as u64,
                lcp_off as u64,
                strata.len() as u64,
                strata_off as u64,
            ],
        };
        for (c, code) in self.alphabet.sorted() {
            w.write_all(&c.to_le_bytes())?;
            w.write_all(&code.to_le_bytes())?;
        }
        for g in &groups {
            w.write_all(&g.0.to_le_bytes())?;
            w.write_all(&g.1.to_le_bytes())?;
            w.write_all(&g.2.to_le_bytes())?;
        }
        for r in &runs {
            match *r {
                Run::Old { from, to, .. } => {
                    let b = self.base.as_ref().expect("old keys have a base");
                    let at = b.lang.ids_off;
                    w.write_all(&b.file.map[at + 8 * from..at + 8 * to])?;
                }
                Run::New { from, to } => {
                    for k in &self.keys[from..to] {
                        w.write_all(&k.0.to_le_bytes())?;
                    }
                }
            }
        }
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        for r in &runs {
            let (from, to) = match *r {
                Run::Old {
                    from,
                    to,
                    len,
                    byte,
                } => {
                    let b = self.base.as_ref().expect("old keys have a base");
                    let at = b.lang.codes_off + byte;
                    let old = &b.file.map[at..at + (to - from) * len * b.lang.width];
                    if b.lang.width == width {
                        w.write_all(&buf)?;
                        buf.clear();
                        w.write_all(old)?;
                    } else {
                        // The alphabet passed 255 characters: one-byte codes widen.
                        for &c in old {
                            buf.extend_from_slice(&(c as u16).to_le_bytes());
                            if buf.len() >= 1 << 16 {
                                w.write_all(&buf)?;
                                buf.clear();
                            }
                        }
                    }
                    continue;
                }
                Run::New { from, to } => (from, to),
            };
            for k in &self.keys[from..to] {
                let (s, e) = (k.1 as usize, k.1 as usize + k.2 as usize);
                match &self.codes {
                    Codes::Narrow(v) if width == 1 => buf.extend_from_slice(&v[s..e]),
                    Codes::Narrow(v) => {
                        for &c in &v[s..e] {
                            buf.extend_from_slice(&(c as u16).to_le_bytes());
                        }
                    }
                    // Wide codes mean more than 255 characters: width 2.
                    Codes::Wide(v) => {
                        for &c in &v[s..e] {
                            buf.extend_from_slice(&c.to_le_bytes());
                        }
                    }
                }
                if buf.len() >= 1 << 16 {
                    w.write_all(&buf)?;
                    buf.clear();
                }
            }
        }
        w.write_all(&buf)?;
        w.write_all(&[0u8; 8][..codes_end - pos])?;
        // The pivots (their lengths, then their codes as u32) and every key's distances
        // to them, in the order of the keys.
        let mut at = pivots_off;
        for p in &pivots {
            w.write_all(&(p.len() as u64).to_le_bytes())?;
            at += 8;
        }
        for p in &pivots {
            for &c in p {
                w.write_all(&c.to_le_bytes())?;
                at += 4;
            }
        }
        w.write_all(&[0u8; 8][..pivots_end - at])?;
        w.write_all(&dists)?;
        w.write_all(&[0u8; 8][..lcp_off - dists_off - dists.len()])?;
        let mut buf: Vec<u8> = Vec::with_capacity(2 * lcps.len());
        for &x in &lcps {
            buf.extend_from_slice(&x.to_le_bytes());
        }
        w.write_all(&buf)?;
        w.write_all(&[0u8; 8][..strata_off - lcp_off - buf.len()])?;
        for e in &table {
            for v in e {
                w.write_all(&v.to_le_bytes())?;
            }
        }
        let mut at = strata_off + STRATUM_ENTRY * table.len();
        for (st, e) in strata.iter().zip(&table) {
            debug_assert_eq!(at, e[4] as usize);
            for p in &st.pivots {
                w.write_all(&(p.len() as u64).to_le_bytes())?;
                at += 8;
            }
            for p in &st.pivots {
                for &c in p {
                    w.write_all(&c.to_le_bytes())?;
                    at += 4;
                }
            }
            w.write_all(&[0u8; 8][..e[5] as usize - at])?;
            w.write_all(&st.dists)?;
            at = e[5] as usize + st.dists.len();
            let pad = at.div_ceil(8) * 8 - at;
            w.write_all(&[0u8; 8][..pad])?;
            at += pad;
        }
        debug_assert_eq!(at, end);
        Ok((entry, end))
    }

    /// Every key in file order: (from the base file, index in the base's keys or in
    /// the builder's, length).
    fn order(&self, runs: &[Run]) -> Vec<(bool, usize, usize)> {
        let mut order = Vec::new();
        for r in runs {
            match *r {
                Run::Old { from, to, len, .. } => {
                    order.extend((from..to).map(|i| (true, i, len)));
                }
                Run::New { from, to } => {
                    order.extend((from..to).map(|i| (false, i, self.keys[i].2 as usize)));
                }
            }
        }
        order
    }

    /// The length strata of the keys in file `order`: per stratum, its pivots and its
    /// keys' distances to them. A stratum's pivots are the keys of its first [`PIVOTS`]
    /// stratum candidates ([`is_stratum_candidate`]) in order of unit id, leaving out
    /// keys equal to a pivot chosen before; a builder that extends a file keeps the
    /// file's pivots of the stratum and adds candidates of the new units while there
    /// are fewer than [`PIVOTS`] (as [`LangBuilder::choose_pivots`] does for the
    /// language's), and the file's keys keep their distances to those.
    fn strata(&self, order: &[(bool, usize, usize)]) -> Vec<StratumKeys> {
        let mut cands: std::collections::BTreeMap<usize, Vec<&(i64, u64, u32)>> =
            Default::default();
        for k in &self.keys {
            if k.2 > 0 && is_stratum_candidate(k.0) {
                cands.entry(k.2 as usize / STRATUM).or_default().push(k);
            }
        }
        let mut out = Vec::new();
        let mut first = 0;
        while first < order.len() {
            let s = order[first].2 / STRATUM;
            let count = order[first..]
                .iter()
                .take_while(|o| o.2 / STRATUM == s)
                .count();
            let keys = &order[first..first + count];
            let base = self.base.as_ref().and_then(|b| {
                let si = b.file.stratum_index(&b.lang, s * STRATUM)?;
                Some((b, si))
            });
            let mut pivots: Vec<Vec<u32>> = match base {
                Some((b, si)) => b.file.stratum_pivots(&b.lang, si),
                None => Vec::new(),
            };
            if let Some(c) = cands.get_mut(&s) {
                c.sort_unstable_by_key(|k| k.0);
                for k in c.iter() {
                    if pivots.len() >= PIVOTS {
                        break;
                    }
                    let codes: Vec<u32> = (k.1..k.1 + u64::from(k.2))
                        .map(|i| self.new_code(i as usize))
                        .collect();
                    if !pivots.contains(&codes) {
                        pivots.push(codes);
                    }
                }
            }
            let base_rows = base.map(|(b, si)| {
                let st = &b.lang.strata[si];
                (
                    b.file.stratum_pivot_rows(&b.lang, si, st.first, st.count),
                    st.pivots_n,
                    st.first,
                )
            });
            let dists = self.pivot_distances(keys, &pivots, base_rows);
            out.push(StratumKeys {
                s,
                first,
                count,
                pivots,
                dists,
            });
            first += count;
        }
        out
    }

    /// Every key's shared prefix with the key before it in file order (codes, capped at
    /// `u16::MAX`; 0 for the first key of a length group), in the order of `runs`.
    fn shared_prefixes(&self, runs: &[Run]) -> Vec<u16> {
        let base_groups = self.base.as_ref().map(|b| b.file.groups(&b.lang));
        let mut out: Vec<u16> = Vec::new();
        let mut prev: Vec<u32> = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        let push = |key: &[u32], prev: &mut Vec<u32>, out: &mut Vec<u16>| {
            let shared = if key.len() == prev.len() {
                key.iter()
                    .zip(prev.iter())
                    .take_while(|(a, b)| a == b)
                    .count()
            } else {
                0
            };
            out.push(shared.min(u16::MAX as usize) as u16);
            prev.clear();
            prev.extend_from_slice(key);
        };
        for r in runs {
            match *r {
                Run::Old { from, to, len, .. } => {
                    let b = self.base.as_ref().expect("old keys have a base");
                    let gs = base_groups.as_ref().expect("old keys have a base");
                    let g = &gs[gs.partition_point(|g| g.first + g.count <= from)];
                    for i in from..to {
                        let at = (i - g.first) * len..(i - g.first + 1) * len;
                        key.clear();
                        if b.lang.width == 1 {
                            key.extend(
                                b.file.codes_u8(&b.lang, g)[at]
                                    .iter()
                                    .map(|&c| u32::from(c)),
                            );
                        } else {
                            key.extend(
                                b.file.codes_u16(&b.lang, g)[at]
                                    .iter()
                                    .map(|&c| u32::from(c)),
                            );
                        }
                        push(&key, &mut prev, &mut out);
                    }
                }
                Run::New { from, to } => {
                    for k in &self.keys[from..to] {
                        key.clear();
                        key.extend((k.1..k.1 + u64::from(k.2)).map(|j| self.new_code(j as usize)));
                        push(&key, &mut prev, &mut out);
                    }
                }
            }
        }
        out
    }

    /// The language's pivots: the keys of the first [`PIVOTS`] pivot candidates
    /// ([`is_pivot_candidate`]) in order of unit id, leaving out empty keys and keys equal
    /// to a pivot chosen before. A builder that extends a file keeps the file's pivots
    /// (they are the first candidates of its older units) and adds candidates of the new
    /// units while there are fewer than [`PIVOTS`], so it chooses what a build from all
    /// the keys chooses.
    fn choose_pivots(&self) -> Vec<Vec<u32>> {
        let mut pivots: Vec<Vec<u32>> = match &self.base {
            Some(b) => b.file.pivots(&b.lang),
            None => Vec::new(),
        };
        if pivots.len() >= PIVOTS {
            return pivots;
        }
        let mut cands: Vec<&(i64, u64, u32)> = self
            .keys
            .iter()
            .filter(|k| k.2 > 0 && is_pivot_candidate(k.0))
            .collect();
        cands.sort_unstable_by_key(|k| k.0);
        for k in cands {
            let codes: Vec<u32> = (k.1..k.1 + u64::from(k.2))
                .map(|i| self.new_code(i as usize))
                .collect();
            if !pivots.contains(&codes) {
                pivots.push(codes);
                if pivots.len() == PIVOTS {
                    break;
                }
            }
        }
        pivots
    }

    /// The Levenshtein distances of the keys of `order` (a run of the file order, see
    /// [`LangBuilder::order`]) to `pivots`, capped at [`PIVOT_CAP`], one byte each,
    /// `pivots.len()` per key. The keys of an extended file keep their distances to its
    /// pivots (`base`: its rows, pivots per row, and the base key index of the first
    /// row; those pivots come first in `pivots`); the rest are computed, on every core,
    /// eight pivots at a time ([`crate::fuzzy::pivot::PivotTable`]), each thread over
    /// a contiguous run of keys in file order (neighbours share prefixes, whose columns
    /// the table computes once).
    fn pivot_distances(
        &self,
        order: &[(bool, usize, usize)],
        pivots: &[Vec<u32>],
        base: Option<(&[u8], usize, usize)>,
    ) -> Vec<u8> {
        let np = pivots.len();
        let mut out = vec![0u8; order.len() * np];
        if np == 0 {
            return out;
        }
        let (base_dists, base_np, base_first) = base.unwrap_or((&[][..], 0, 0));
        let base_groups = self.base.as_ref().map(|b| b.file.groups(&b.lang));
        // The codes of old key `i` (base key index).
        let old_key = |i: usize, into: &mut Vec<u32>| {
            let b = self.base.as_ref().expect("old keys have a base");
            let gs = base_groups.as_ref().expect("old keys have a base");
            let g = &gs[gs.partition_point(|g| g.first + g.count <= i)];
            into.clear();
            let key = (i - g.first) * g.len..(i - g.first + 1) * g.len;
            if b.lang.width == 1 {
                into.extend(
                    b.file.codes_u8(&b.lang, g)[key]
                        .iter()
                        .map(|&c| u32::from(c)),
                );
            } else {
                into.extend(
                    b.file.codes_u16(&b.lang, g)[key]
                        .iter()
                        .map(|&c| u32::from(c)),
                );
            }
        };
        let table = crate::fuzzy::pivot::PivotTable::new(pivots);
        let fill = |from: usize, rows: &mut [u8]| {
            let mut cur = table.cursor();
            let mut key: Vec<u32> = Vec::new();
            for (r, row) in rows.chunks_exact_mut(np).enumerate() {
                let (old, i, _) = order[from + r];
                let first = if old {
                    let keep = base_np.min(np);
                    let at = (i - base_first) * base_np;
                    row[..keep].copy_from_slice(&base_dists[at..at + keep]);
                    if keep == np {
                        continue;
                    }
                    old_key(i, &mut key);
                    keep
                } else {
                    let k = &self.keys[i];
                    key.clear();
                    key.extend((k.1..k.1 + u64::from(k.2)).map(|j| self.new_code(j as usize)));
                    0
                };
                table.distances(&mut cur, &key, first, row);
            }
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        if threads == 1 || order.len() < 4096 {
            fill(0, &mut out);
        } else {
            let per = order.len().div_ceil(threads);
            std::thread::scope(|s| {
                for (t, part) in out.chunks_mut(per * np).enumerate() {
                    let fill = &fill;
                    s.spawn(move || fill(t * per, part));
                }
            });
        }
        out
    }
}

/// One length stratum of a language being written: its keys `first..first + count`
/// (language indices), its pivots and the keys' distances to them.
struct StratumKeys {
    s: usize,
    first: usize,
    count: usize,
    pivots: Vec<Vec<u32>>,
    dists: Vec<u8>,
}

/// A language's directory entry: its tag and the numbers the reader parses.
struct DirEntry {
    tag: LangTag,
    fields: [u64; FIELDS],
}

/// Writes a key file one language at a time: [`FileWriter::new`] reserves the header
/// and the directory, [`FileWriter::add`] writes a language's part (so only one
/// language's keys are in RAM at once), [`FileWriter::finish`] goes back and writes the
/// header and the directory. A language left out (too many characters) or without keys
/// leaves its directory slot unused.
pub struct FileWriter<W: Write + Seek> {
    w: std::io::BufWriter<W>,
    slots: usize,
    pos: usize,
    dir: Vec<DirEntry>,
}

impl<W: Write + Seek> FileWriter<W> {
    /// Start a file with room for `langs` languages in `w` (at its start).
    pub fn new(w: W, langs: usize) -> std::io::Result<FileWriter<W>> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
        let pos = HEADER + DIR_ENTRY * langs;
        w.write_all(&vec![0u8; pos])?;
        Ok(FileWriter {
            w,
            slots: langs,
            pos,
            dir: Vec::new(),
        })
    }

    /// Write one language's part (in the order the languages are added; a language
    /// beyond the room reserved by [`FileWriter::new`] is an error).
    pub fn add(&mut self, lang: LangBuilder) -> std::io::Result<()> {
        if lang.overflow || (lang.keys.is_empty() && lang.base.is_none()) {
            return Ok(());
        }
        if self.dir.len() == self.slots {
            return Err(std::io::Error::other("more languages than reserved"));
        }
        let (entry, end) = lang.write_section(&mut self.w, self.pos)?;
        self.dir.push(entry);
        self.pos = end;
        Ok(())
    }

    /// Write the header and the directory for a memory's `(instance, generation)`;
    /// returns the sink, flushed.
    pub fn finish(mut self, instance: i64, generation: i64) -> std::io::Result<W> {
        self.w.flush()?;
        let mut w = self.w.into_inner().map_err(|e| e.into_error())?;
        w.seek(std::io::SeekFrom::Start(0))?;
        let mut head = Vec::with_capacity(HEADER + DIR_ENTRY * self.dir.len());
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&instance.to_le_bytes());
        head.extend_from_slice(&generation.to_le_bytes());
        head.extend_from_slice(&(self.dir.len() as u64).to_le_bytes());
        for e in &self.dir {
            let mut tag = [0u8; TAG_BYTES];
            let t = e.tag.as_str().as_bytes();
            let n = t.len().min(TAG_BYTES);
            tag[..n].copy_from_slice(&t[..n]);
            head.extend_from_slice(&tag);
            for v in e.fields {
                head.extend_from_slice(&v.to_le_bytes());
            }
        }
        w.write_all(&head)?;
        w.flush()?;
        Ok(w)
    }
}

/// A temporary file name beside the key file `path`, unique to the process and the
/// call (so that two connections of one process writing at once, a writer publishing
/// and a reader that rebuilt an older state, never write into the same file).
pub fn temp_path(path: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut s = path.as_os_str().to_os_string();
    s.push(format!(".tmp{}-{n}", std::process::id()));
    PathBuf::from(s)
}

/// Remove the temporary files beside the key file `path` that processes which no
/// longer run left behind (a kill -9 while a key file was written, or between an
/// import's commit and its rename: a file as large as the keys). Files of running
/// processes, this one included, are kept. Only where a process's liveness can be read
/// (`/proc`); elsewhere nothing is removed.
pub fn remove_stale_temps(path: &Path) {
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.tmp", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = n
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Write a key file through `fill` into a new temporary file beside `path`, synced to
/// disk; returns the temporary file's name (rename it over `path` to publish it). On
/// an error the temporary file is removed.
pub fn write_temp(
    path: &Path,
    fill: impl FnOnce(std::fs::File) -> Result<std::fs::File>,
) -> Result<PathBuf> {
    let tmp = temp_path(path);
    let res = (|| -> Result<()> {
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let f = fill(f)?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))
    })();
    match res {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Write a key file's `bytes` (from [`Builder::to_bytes`]) to `path`, through a
/// temporary file renamed over it, so a reader never sees half a file.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = write_temp(path, |mut f| {
        f.write_all(bytes).map_err(|e| Error::io(path, e))?;
        Ok(f)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// An open key file (memory-mapped).
pub struct KeyFile {
    map: memmap2::Mmap,
    langs: Vec<LangKeys>,
    instance: i64,
    generation: i64,
}

/// One language's part of a key file.
#[derive(Debug, Clone)]
pub struct LangKeys {
    /// The language.
    pub tag: LangTag,
    /// Bytes per character code (1 or 2).
    pub width: usize,
    /// Number of keys.
    pub count: usize,
    alpha_n: usize,
    alpha_off: usize,
    groups_n: usize,
    groups_off: usize,
    ids_off: usize,
    codes_off: usize,
    pivots_n: usize,
    pivots_off: usize,
    dists_off: usize,
    lcp_off: usize,
    /// The length strata, by stratum.
    strata: Vec<Stratum>,
}

/// One length stratum of a language: its keys (contiguous in file order), its pivots
/// and its keys' distances to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    /// The stratum: its keys have lengths `STRATUM · s ..= STRATUM · s + STRATUM − 1`.
    pub s: usize,
    /// Index of its first key.
    pub first: usize,
    /// Number of keys.
    pub count: usize,
    pivots_n: usize,
    pivots_off: usize,
    dists_off: usize,
}

/// The keys of one length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Key length in characters.
    pub len: usize,
    /// Index of its first key.
    pub first: usize,
    /// Number of keys.
    pub count: usize,
    /// Byte offset of its first key in the language's codes.
    pub base: usize,
}

fn corrupt(path: &Path, what: &str) -> Error {
    Error::new(
        ErrorKind::CorruptMemory,
        format!("corrupt key file ({what})"),
    )
    .at(Location::file(path))
}

impl KeyFile {
    /// Open the key file at `path`; `None` when it is missing, unreadable, corrupt or
    /// was made for another state than `(instance, generation)`.
    pub fn open(path: &Path, instance: i64, generation: i64) -> Option<KeyFile> {
        let f = std::fs::File::open(path).ok()?;
        // SAFETY: the file is only ever replaced by rename, never written in place, so
        // the mapped bytes do not change while mapped.
        let map = unsafe { memmap2::Mmap::map(&f) }.ok()?;
        let kf = KeyFile::parse(map, path).ok()?;
        (kf.instance == instance && kf.generation == generation).then_some(kf)
    }

    /// A key file held in RAM (anonymous memory), from [`Builder::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<KeyFile> {
        let mut m =
            memmap2::MmapMut::map_anon(bytes.len().max(1)).map_err(|e| Error::io("<keys>", e))?;
        m[..bytes.len()].copy_from_slice(bytes);
        let map = m.make_read_only().map_err(|e| Error::io("<keys>", e))?;
        KeyFile::parse(map, Path::new("<keys>"))
    }

    fn parse(map: memmap2::Mmap, path: &Path) -> Result<KeyFile> {
        let b: &[u8] = &map;
        let u = |at: usize| -> Result<u64> {
            b.get(at..at + 8)
                .map(|s| u64::from_le_bytes(s.try_into().expect("8 bytes")))
                .ok_or_else(|| corrupt(path, "truncated"))
        };
        if b.len() < HEADER || &b[..8] != MAGIC {
            return Err(corrupt(path, "magic"));
        }
        let instance = u(8)? as i64;
        let generation = u(16)? as i64;
        let n = u(24)? as usize;
        if n > 10_000 || HEADER + n * DIR_ENTRY > b.len() {
            return Err(corrupt(path, "directory"));
        }
        let mut langs = Vec::with_capacity(n);
        for i in 0..n {
            let at = HEADER + i * DIR_ENTRY;
            let tag = &b[at..at + TAG_BYTES];
            let end = tag.iter().position(|&c| c == 0).unwrap_or(TAG_BYTES);
            let tag = std::str::from_utf8(&tag[..end])
                .ok()
                .and_then(|t| LangTag::parse(t).ok())
                .ok_or_else(|| corrupt(path, "tag"))?;
            let v = |j: usize| u(at + TAG_BYTES + 8 * j).map(|x| x as usize);
            let mut l = LangKeys {
                tag,
                width: v(0)?,
                count: v(1)?,
                alpha_n: v(2)?,
                alpha_off: v(3)?,
                groups_n: v(4)?,
                groups_off: v(5)?,
                ids_off: v(6)?,
                codes_off: v(7)?,
                pivots_n: v(8)?,
                pivots_off: v(9)?,
                dists_off: v(10)?,
                lcp_off: v(11)?,
                strata: Vec::new(),
            };
            let (strata_n, strata_off) = (v(12)?, v(13)?);
            let fits = |off: usize, len: usize| {
                off % 8 == 0 && off.checked_add(len).is_some_and(|e| e <= b.len())
            };
            if !(l.width == 1 || l.width == 2)
                || !fits(l.alpha_off, l.alpha_n.saturating_mul(8))
                || !fits(l.groups_off, l.groups_n.saturating_mul(GROUP))
                || !fits(l.ids_off, l.count.saturating_mul(8))
                || l.codes_off % 8 != 0
                || l.codes_off > b.len()
                || l.pivots_n > PIVOTS
                || !fits(l.pivots_off, l.pivots_n * 8)
                || !fits(l.dists_off, l.count.saturating_mul(l.pivots_n))
                || !fits(l.lcp_off, l.count.saturating_mul(2))
                || strata_n > l.count
                || !fits(strata_off, strata_n * STRATUM_ENTRY)
            {
                return Err(corrupt(path, "section bounds"));
            }
            let mut next_first = 0;
            for j in 0..strata_n {
                let e = |f: usize| u(strata_off + STRATUM_ENTRY * j + 8 * f).map(|x| x as usize);
                let st = Stratum {
                    s: e(0)?,
                    first: e(1)?,
                    count: e(2)?,
                    pivots_n: e(3)?,
                    pivots_off: e(4)?,
                    dists_off: e(5)?,
                };
                if st.first != next_first
                    || st.count == 0
                    || st.count > l.count - st.first
                    || l.strata.last().is_some_and(|p| p.s >= st.s)
                    || st.pivots_n > PIVOTS
                    || !fits(st.pivots_off, st.pivots_n * 8)
                    || !fits(st.dists_off, st.count * st.pivots_n)
                {
                    return Err(corrupt(path, "strata"));
                }
                next_first = st.first + st.count;
                l.strata.push(st);
            }
            if next_first != l.count {
                return Err(corrupt(path, "strata"));
            }
            langs.push(l);
        }
        let kf = KeyFile {
            map,
            langs,
            instance,
            generation,
        };
        // Check every group against the file once, so that readers may index freely.
        for l in &kf.langs {
            let mut next_first = 0;
            let mut next_base = 0;
            let mut last_len = None;
            for g in kf.groups(l) {
                if g.first != next_first
                    || g.base != next_base
                    || last_len.is_some_and(|x| x >= g.len)
                {
                    return Err(corrupt(path, "groups"));
                }
                last_len = Some(g.len);
                // The group lies in its stratum.
                let st = kf
                    .stratum_index(l, g.len)
                    .map(|si| &l.strata[si])
                    .filter(|st| st.first <= g.first && g.first + g.count <= st.first + st.count);
                if g.count > 0 && st.is_none() {
                    return Err(corrupt(path, "strata"));
                }
                next_first = g.first + g.count;
                next_base = g.base + g.count * g.len * l.width;
            }
            if next_first != l.count || l.codes_off + next_base > kf.map.len() {
                return Err(corrupt(path, "keys"));
            }
            let pivots_fit = |off: usize, n: usize| {
                let mut lens = (0..n).map(|j| kf.u64_at(off + 8 * j) as usize);
                let total = lens.try_fold(0usize, |t, n| t.checked_add(n));
                total
                    .and_then(|t| t.checked_mul(4))
                    .and_then(|t| t.checked_add(off + 8 * n))
                    .is_some_and(|e| e <= kf.map.len())
            };
            if !pivots_fit(l.pivots_off, l.pivots_n)
                || !l
                    .strata
                    .iter()
                    .all(|st| pivots_fit(st.pivots_off, st.pivots_n))
            {
                return Err(corrupt(path, "pivots"));
            }
        }
        Ok(kf)
    }

    /// The `(instance, generation)` the file was made for.
    pub fn stamp(&self) -> (i64, i64) {
        (self.instance, self.generation)
    }

    /// The languages in the file, by tag.
    pub fn languages(&self) -> &[LangKeys] {
        &self.langs
    }

    /// The language `tag`, if the file has it.
    pub fn language(&self, tag: &LangTag) -> Option<&LangKeys> {
        self.langs.iter().find(|l| &l.tag == tag)
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.map[at..at + 8].try_into().expect("8 bytes"))
    }

    /// The length groups of a language, shortest first.
    pub fn groups(&self, l: &LangKeys) -> Vec<Group> {
        (0..l.groups_n)
            .map(|i| {
                let at = l.groups_off + i * GROUP;
                let len = self.u64_at(at) as usize;
                let first = self.u64_at(at + 8) as usize;
                let base = self.u64_at(at + 16) as usize;
                let next = if i + 1 < l.groups_n {
                    self.u64_at(at + GROUP + 8) as usize
                } else {
                    l.count
                };
                Group {
                    len,
                    first,
                    count: next.saturating_sub(first),
                    base,
                }
            })
            .collect()
    }

    /// The number of pivots of a language (at most [`PIVOTS`]; every key stores its
    /// distance to each).
    pub fn pivot_count(&self, l: &LangKeys) -> usize {
        l.pivots_n
    }

    /// The pivots of a language, as codes.
    pub fn pivots(&self, l: &LangKeys) -> Vec<Vec<u32>> {
        self.read_pivots(l.pivots_off, l.pivots_n)
    }

    /// The length strata of a language, by stratum.
    pub fn strata<'l>(&self, l: &'l LangKeys) -> &'l [Stratum] {
        &l.strata
    }

    /// The index (in [`KeyFile::strata`]) of the stratum that holds keys of length
    /// `len`, if the language has keys of its lengths.
    pub fn stratum_index(&self, l: &LangKeys, len: usize) -> Option<usize> {
        l.strata
            .binary_search_by_key(&(len / STRATUM), |st| st.s)
            .ok()
    }

    /// The pivots of stratum `si` of a language, as codes.
    pub fn stratum_pivots(&self, l: &LangKeys, si: usize) -> Vec<Vec<u32>> {
        let st = &l.strata[si];
        self.read_pivots(st.pivots_off, st.pivots_n)
    }

    /// The distances of keys `first .. first + count` (language key indices, all in
    /// stratum `si`) to the stratum's pivots, as many bytes per key as it has pivots,
    /// each the Levenshtein distance capped at [`PIVOT_CAP`].
    pub fn stratum_pivot_rows(&self, l: &LangKeys, si: usize, first: usize, count: usize) -> &[u8] {
        let st = &l.strata[si];
        assert!(first >= st.first && first + count <= st.first + st.count);
        let at = st.dists_off + (first - st.first) * st.pivots_n;
        &self.map[at..at + count * st.pivots_n]
    }

    /// `n` pivots stored at `off`: their lengths (u64), then their codes (u32).
    fn read_pivots(&self, off: usize, n: usize) -> Vec<Vec<u32>> {
        let mut at = off + 8 * n;
        (0..n)
            .map(|j| {
                let n = self.u64_at(off + 8 * j) as usize;
                let p = self.map[at..at + 4 * n]
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect();
                at += 4 * n;
                p
            })
            .collect()
    }

    /// The distances to the pivots of keys `first .. first + count` of a language,
    /// [`KeyFile::pivot_count`] bytes per key, each the Levenshtein distance capped at
    /// [`PIVOT_CAP`].
    pub fn pivot_rows(&self, l: &LangKeys, first: usize, count: usize) -> &[u8] {
        let at = l.dists_off + first * l.pivots_n;
        &self.map[at..at + count * l.pivots_n]
    }

    /// Keys `first..first + count` of a language's shared prefixes with the key before
    /// each (two bytes each, little-endian; see the module doc): a group's first key
    /// shares 0.
    pub fn prefix_rows(&self, l: &LangKeys, first: usize, count: usize) -> &[u8] {
        let at = l.lcp_off + 2 * first;
        &self.map[at..at + 2 * count]
    }

    /// The code of `c` in a language (0 when the language has no such character).
    pub fn code(&self, l: &LangKeys, c: char) -> u32 {
        let (mut lo, mut hi) = (0usize, l.alpha_n);
        let c = c as u32;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = l.alpha_off + 8 * mid;
            let m = u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes"));
            if m == c {
                return u32::from_le_bytes(self.map[at + 4..at + 8].try_into().expect("4"));
            }
            if m < c {
                lo = mid + 1
            } else {
                hi = mid
            }
        }
        0
    }

    /// The number of codes of a language (the largest code + 1).
    pub fn alphabet_len(&self, l: &LangKeys) -> usize {
        l.alpha_n + 1
    }

    /// The unit id of key `i`.
    pub fn id(&self, l: &LangKeys, i: usize) -> i64 {
        self.u64_at(l.ids_off + 8 * i) as i64
    }

    /// The codes of a group's keys as one-byte codes (`width == 1`).
    pub fn codes_u8(&self, l: &LangKeys, g: &Group) -> &[u8] {
        let start = l.codes_off + g.base;
        &self.map[start..start + g.count * g.len]
    }

    /// The codes of a group's keys as two-byte codes (`width == 2`).
    pub fn codes_u16(&self, l: &LangKeys, g: &Group) -> &[u16] {
        let start = l.codes_off + g.base;
        let bytes = &self.map[start..start + 2 * g.count * g.len];
        // SAFETY: u16 has no invalid bit patterns; the section is 8-aligned in a
        // page-aligned map (checked on open), so `mid` is the whole slice; the file is
        // little-endian and so are the platforms concord builds for (checked below).
        let (pre, mid, post) = unsafe { bytes.align_to::<u16>() };
        assert!(pre.is_empty() && post.is_empty() && cfg!(target_endian = "little"));
        mid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-language key file `base` extended by `more` (units of `tag`, in id
    /// order), written with the stamp `(1, generation)`: what an import writes.
    fn extend(base: &[u8], tag: &LangTag, more: &[(i64, String)], generation: i64) -> Vec<u8> {
        let base = std::sync::Arc::new(KeyFile::from_bytes(base).unwrap());
        let mut lb = LangBuilder::extending(base, tag).expect("the base has the language");
        for (id, t) in more {
            lb.add(*id, t);
        }
        let mut w = FileWriter::new(std::io::Cursor::new(Vec::new()), 1).unwrap();
        w.add(lb).unwrap();
        w.finish(1, generation).unwrap().into_inner()
    }

    #[test]
    fn round_trip_and_staleness() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.db-keys");
        let en = LangTag::parse("en").unwrap();
        let zh = LangTag::parse("zh").unwrap();
        let mut b = Builder::new();
        b.add(1, &en, "The Minister met");
        b.add(2, &zh, "朝鮮半島");
        b.add(3, &en, "A B");
        b.add(4, &zh, "朝鲜");
        b.add(5, &en, "abc");
        b.write_file(&p, 7, 3).unwrap();
        assert!(KeyFile::open(&p, 7, 4).is_none(), "stale generation");
        assert!(KeyFile::open(&p, 8, 3).is_none(), "another memory");
        let kf = KeyFile::open(&p, 7, 3).unwrap();
        let l = kf.language(&en).unwrap().clone();
        assert_eq!(l.width, 1);
        let gs = kf.groups(&l);
        assert_eq!(gs.iter().map(|g| g.len).collect::<Vec<_>>(), vec![3, 16]);
        assert_eq!(gs[0].count, 2);
        // "a b" sorts before "abc" in code order (a=…, then ' ' is coded before 'b').
        let mut short = vec![kf.id(&l, 0), kf.id(&l, 1)];
        short.sort();
        assert_eq!((short, kf.id(&l, 2)), (vec![3, 5], 1));
        let first3 = if kf.id(&l, 0) == 3 { 0 } else { 3 };
        let a: Vec<char> = kf.codes_u8(&l, &gs[0])[first3..first3 + 3]
            .iter()
            .map(|&c| {
                "a b"
                    .chars()
                    .chain("abc".chars())
                    .chain("the minister met".chars())
                    .find(|&x| kf.code(&l, x) == c as u32)
                    .unwrap()
            })
            .collect();
        assert_eq!(a, vec!['a', ' ', 'b']);
        assert_eq!(kf.code(&l, 'z'), 0);
        // Chinese keys are folded: 鮮 and 鲜 have one code.
        let z = kf.language(&zh).unwrap().clone();
        assert_eq!(kf.code(&z, '鲜'), kf.code(&z, '朝') + 1);
        assert_eq!(kf.code(&z, '鮮'), 0);
        // Garbage is not a key file.
        std::fs::write(&p, b"CCKEYS\x00\x01 but then nothing").unwrap();
        assert!(KeyFile::open(&p, 7, 3).is_none());
    }

    /// A language whose alphabet passes 255 characters half-way switches from one-byte
    /// to two-byte codes while it is collected; every key must read back as it was
    /// added, and a language without keys leaves its reserved slot unused.
    #[test]
    fn codes_widen_half_way_and_empty_languages_are_left_out() {
        let ko = LangTag::parse("ko").unwrap();
        let texts: Vec<(i64, String)> = (0..400u32)
            .map(|i| {
                let a = char::from_u32(0xAC00 + i).unwrap();
                let b = char::from_u32(0xAC00 + (i * 7) % 400).unwrap();
                (i as i64 + 1, format!("{a}{b}{a}"))
            })
            .collect();
        let mut fw = FileWriter::new(std::io::Cursor::new(Vec::new()), 3).unwrap();
        fw.add(LangBuilder::new(LangTag::parse("en").unwrap()))
            .unwrap();
        let mut lb = LangBuilder::new(ko.clone());
        for (id, t) in &texts {
            lb.add(*id, t);
        }
        fw.add(lb).unwrap();
        let bytes = fw.finish(5, 9).unwrap().into_inner();
        let kf = KeyFile::from_bytes(&bytes).unwrap();
        assert_eq!(kf.stamp(), (5, 9));
        assert_eq!(kf.languages().len(), 1, "the empty language is left out");
        let l = kf.language(&ko).unwrap().clone();
        assert_eq!((l.width, l.count), (2, 400));
        let g = kf.groups(&l);
        assert_eq!(g.len(), 1);
        let codes = kf.codes_u16(&l, &g[0]);
        for i in 0..l.count {
            let id = kf.id(&l, i);
            let want: Vec<u32> = texts[id as usize - 1]
                .1
                .chars()
                .map(|c| kf.code(&l, c))
                .collect();
            let got: Vec<u32> = codes[i * 3..i * 3 + 3].iter().map(|&c| c as u32).collect();
            assert_eq!(got, want, "key of unit {id}");
            assert!(want.iter().all(|&c| c > 0));
        }
        // The same keys through the all-in-RAM builder give the same file.
        let mut b = Builder::new();
        for (id, t) in &texts {
            b.add(*id, &ko, t);
        }
        assert_eq!(b.to_bytes(5, 9), {
            let mut fw = FileWriter::new(std::io::Cursor::new(Vec::new()), 1).unwrap();
            let mut lb = LangBuilder::new(ko.clone());
            for (id, t) in &texts {
                lb.add(*id, t);
            }
            fw.add(lb).unwrap();
            fw.finish(5, 9).unwrap().into_inner()
        });
    }

    /// A file extended by newer keys ([`LangBuilder::extending`], what an import does)
    /// is byte for byte the file built from all the keys at once: on random keys with
    /// ties between old and new keys, lengths only one side has, new characters, an
    /// alphabet that passes 255 characters (one-byte codes widen) or was wide already,
    /// an empty extension, and characters above the Basic Multilingual Plane.
    #[test]
    fn extending_a_file_equals_building_it_whole() {
        let ko = LangTag::parse("ko").unwrap();
        let mut rand = crate::testutil::xorshift(0x9E37_79B9_7F4A_7C15u64);
        let file = |texts: &[(i64, String)]| {
            let mut fw = FileWriter::new(std::io::Cursor::new(Vec::new()), 1).unwrap();
            let mut lb = LangBuilder::new(ko.clone());
            for (id, t) in texts {
                lb.add(*id, t);
            }
            fw.add(lb).unwrap();
            fw.finish(1, 2).unwrap().into_inner()
        };
        let mut merged_cases = 0;
        // (alphabet of the old keys, of the new keys, number of keys, old share in %)
        let cases: [(u32, u32, usize, u64); 7] = [
            (4, 4, 300, 50),
            (4, 6, 300, 90),
            (200, 400, 600, 70),
            (300, 310, 800, 50),
            (20, 20, 200, 100),
            (3, 3, 50, 10),
            (40, 40, 400, 60),
        ];
        for (round, &(old_alpha, new_alpha, n, share)) in cases.iter().enumerate() {
            let astral = round == 6;
            let text = |alpha: u32, rand: &mut dyn FnMut(u64) -> u64| -> String {
                let len = 1 + rand(6) as usize;
                (0..len)
                    .map(|_| {
                        let i = rand(alpha as u64) as u32;
                        if astral && i % 7 == 0 {
                            char::from_u32(0x2_0000 + i).unwrap()
                        } else {
                            char::from_u32(0xAC00 + i).unwrap()
                        }
                    })
                    .collect()
            };
            let cut = (n as u64 * share / 100) as usize;
            let mut texts: Vec<(i64, String)> = Vec::new();
            for i in 0..n {
                let t = if i >= cut && rand(4) == 0 && !texts.is_empty() {
                    // The same key as an older unit: a tie broken by id.
                    texts[rand(texts.len() as u64) as usize].1.clone()
                } else {
                    text(if i < cut { old_alpha } else { new_alpha }, &mut rand)
                };
                // Ids with gaps (deleted units), increasing.
                let id = texts.last().map_or(1, |l| l.0 + 1 + rand(3) as i64);
                texts.push((id, t));
            }
            let whole = file(&texts);
            let extended = extend(&file(&texts[..cut]), &ko, &texts[cut..], 2);
            assert!(extended == whole, "case {round}: the extended file differs");
            merged_cases += 1;
        }
        assert_eq!(merged_cases, cases.len());
        // A file without the language cannot be extended.
        let en = LangTag::parse("en").unwrap();
        let mut b = Builder::new();
        b.add(1, &en, "The talks");
        let kf = std::sync::Arc::new(KeyFile::from_bytes(&b.to_bytes(1, 1)).unwrap());
        assert!(LangBuilder::extending(kf, &ko).is_none());
    }

    /// Every key stores its Levenshtein distance to each of its language's pivots,
    /// capped at [`PIVOT_CAP`] (keys of 300–400 characters against short pivots pass
    /// the cap); the pivots are the first [`PIVOTS`] distinct candidates by unit id.
    #[test]
    fn pivot_distances_are_the_capped_distances() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0xD1B5_4A32_D192_ED03u64);
        let mut texts: Vec<(i64, String)> = Vec::new();
        let mut b = Builder::new();
        for id in 1..=2500i64 {
            let len = if rand(5) == 0 {
                300 + rand(100)
            } else {
                1 + rand(40)
            };
            let t: String = (0..len).map(|_| char::from(b'a' + rand(4) as u8)).collect();
            // Repeats: a repeated key is not a second pivot.
            let t = if id > 1 && rand(3) == 0 {
                texts[rand(texts.len() as u64) as usize].1.clone()
            } else {
                t
            };
            b.add(id, &en, &t);
            texts.push((id, t));
        }
        let kf = KeyFile::from_bytes(&b.to_bytes(1, 1)).unwrap();
        let l = kf.language(&en).unwrap().clone();
        assert_eq!(kf.pivot_count(&l), PIVOTS);
        let code = |t: &str| -> Vec<u32> { t.chars().map(|c| kf.code(&l, c)).collect() };
        let mut want: Vec<Vec<u32>> = Vec::new();
        for (id, t) in &texts {
            let c = code(t);
            if is_pivot_candidate(*id) && !want.contains(&c) && want.len() < PIVOTS {
                want.push(c);
            }
        }
        let pivots = kf.pivots(&l);
        assert_eq!(pivots, want);
        let by_id: HashMap<i64, &String> = texts.iter().map(|(i, t)| (*i, t)).collect();
        let rows = kf.pivot_rows(&l, 0, l.count);
        let mut capped = 0;
        for i in 0..l.count {
            let key: Vec<char> = by_id[&kf.id(&l, i)].chars().collect();
            for (j, p) in pivots.iter().enumerate() {
                // Codes are in order of first use: map them back through the alphabet.
                let pc: Vec<char> = p
                    .iter()
                    .map(|&c| "abcd".chars().find(|&x| kf.code(&l, x) == c).unwrap())
                    .collect();
                let d = crate::fuzzy::lev::distance_dp(&key, &pc);
                capped += usize::from(d > PIVOT_CAP);
                assert_eq!(
                    rows[i * PIVOTS + j] as usize,
                    d.min(PIVOT_CAP),
                    "key {i} pivot {j}"
                );
            }
        }
        assert!(capped > 0, "some distances pass the cap");
    }

    /// Every key stores its capped distances to the pivots of its length stratum; the
    /// strata cover the keys in file order, each holding the keys of its [`STRATUM`]
    /// lengths; a stratum's pivots are the first [`PIVOTS`] distinct stratum candidates
    /// by unit id; and a file extended by later
    /// units, cut anywhere, is byte for byte the file built whole.
    #[test]
    fn strata_pivots_and_distances() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0x2F7A_3B19_C4D5_E6F1u64);
        let mut texts: Vec<(i64, String)> = Vec::new();
        for id in 1..=5000i64 {
            let len = match rand(10) {
                0 => 300 + rand(100),
                1..=6 => 1 + rand(20),
                _ => 20 + rand(40),
            };
            let t: String = (0..len).map(|_| char::from(b'a' + rand(4) as u8)).collect();
            let t = if id > 1 && rand(4) == 0 {
                texts[rand(texts.len() as u64) as usize].1.clone()
            } else {
                t
            };
            texts.push((id, t));
        }
        let whole = |texts: &[(i64, String)]| {
            let mut b = Builder::new();
            for (id, t) in texts {
                b.add(*id, &en, t);
            }
            b.to_bytes(1, 1)
        };
        let bytes = whole(&texts);
        assert_eq!(bytes, whole(&texts), "deterministic");
        let kf = KeyFile::from_bytes(&bytes).unwrap();
        let l = kf.language(&en).unwrap().clone();
        let code = |t: &str| -> Vec<u32> { t.chars().map(|c| kf.code(&l, c)).collect() };
        let by_id: HashMap<i64, &String> = texts.iter().map(|(i, t)| (*i, t)).collect();
        let strata = kf.strata(&l);
        assert!(strata.len() >= 4, "{} strata", strata.len());
        let mut next = 0;
        let mut full = 0;
        for (si, st) in strata.iter().enumerate() {
            assert_eq!(st.first, next);
            next += st.count;
            let mut want: Vec<Vec<u32>> = Vec::new();
            for (id, t) in &texts {
                let c = code(t);
                if c.len() / STRATUM == st.s
                    && !c.is_empty()
                    && is_stratum_candidate(*id)
                    && !want.contains(&c)
                    && want.len() < PIVOTS
                {
                    want.push(c);
                }
            }
            let pivots = kf.stratum_pivots(&l, si);
            assert_eq!(pivots, want, "stratum {}", st.s);
            full += usize::from(pivots.len() == PIVOTS);
            let np = pivots.len();
            let rows = kf.stratum_pivot_rows(&l, si, st.first, st.count);
            for i in st.first..st.first + st.count {
                let key = code(by_id[&kf.id(&l, i)]);
                assert_eq!(key.len() / STRATUM, st.s, "key {i} in its stratum");
                let d = crate::fuzzy::pivot::query_distances(&key, &pivots);
                let at = (i - st.first) * np;
                assert_eq!(&rows[at..at + np], &d[..], "key {i}");
            }
        }
        assert_eq!(next, l.count);
        // Strata with all their pivots and strata with fewer (few candidates).
        assert!(
            full >= 1 && full < strata.len(),
            "{full} of {} strata with {PIVOTS} pivots",
            strata.len()
        );
        for cut in [1, 700, 2600, 4999] {
            let extended = extend(&whole(&texts[..cut]), &en, &texts[cut..], 1);
            assert!(extended == bytes, "extended after {cut} units differs");
        }
    }

    /// Every key's stored shared prefix is the number of codes it shares with the key
    /// before it in its length group (0 for a group's first key), past 255 codes and for
    /// equal keys too, in a file built whole and in one extended by later units.
    #[test]
    fn shared_prefixes_are_those_of_the_key_before() {
        let en = LangTag::parse("en").unwrap();
        let mut rand = crate::testutil::xorshift(0x5851_F42D_4C95_7F2Du64);
        let base: String = (0..400)
            .map(|_| ['a', 'b', 'c'][rand(3) as usize])
            .collect();
        let text = |rand: &mut dyn FnMut(u64) -> u64| -> String {
            let cut = rand(400) as usize;
            let len = 300 + rand(3) as usize;
            let tail: String = (cut..len)
                .map(|_| ['a', 'b', 'c'][rand(3) as usize])
                .collect();
            format!("{}{tail}", &base[..cut.min(len)])
        };
        let texts: Vec<String> = (0..600).map(|_| text(&mut rand)).collect();
        let check = |kf: &KeyFile| {
            let l = kf.language(&en).unwrap();
            let mut long = 0;
            for g in kf.groups(l) {
                let codes = kf.codes_u8(l, &g);
                let rows = kf.prefix_rows(l, g.first, g.count);
                for i in 0..g.count {
                    let want = if i == 0 {
                        0
                    } else {
                        let (a, b) = (
                            &codes[(i - 1) * g.len..i * g.len],
                            &codes[i * g.len..(i + 1) * g.len],
                        );
                        a.iter().zip(b).take_while(|(x, y)| x == y).count()
                    };
                    long += usize::from(want > 255);
                    let got = u16::from_le_bytes([rows[2 * i], rows[2 * i + 1]]) as usize;
                    assert_eq!(got, want, "length {} key {i}", g.len);
                }
            }
            assert!(long > 50, "{long} keys share more than 255 codes");
        };
        let mut b = Builder::new();
        for (i, t) in texts.iter().enumerate() {
            b.add(i as i64 + 1, &en, t);
        }
        check(&b.into_map(1, 1).unwrap());
        // The first 400 units, then the rest added to that file.
        let mut b = Builder::new();
        for (i, t) in texts.iter().enumerate().take(400) {
            b.add(i as i64 + 1, &en, t);
        }
        let first = std::sync::Arc::new(b.into_map(1, 1).unwrap());
        let mut lb = LangBuilder::extending(first, &en).unwrap();
        for (i, t) in texts.iter().enumerate().skip(400) {
            lb.add(i as i64 + 1, t);
        }
        let mut w = FileWriter::new(std::io::Cursor::new(Vec::new()), 1).unwrap();
        w.add(lb).unwrap();
        let bytes = w.finish(1, 2).unwrap().into_inner();
        check(&KeyFile::from_bytes(&bytes).unwrap());
    }

    /// Characters above the Basic Multilingual Plane (a map, not the table) get codes in
    /// order of first use like the others, and read back through `code`.
    #[test]
    fn characters_above_the_bmp_have_codes() {
        let zh = LangTag::parse("zh").unwrap();
        let mut b = Builder::new();
        b.add(1, &zh, "\u{20000}中\u{2A6D6}");
        b.add(2, &zh, "中\u{20000}");
        let kf = KeyFile::from_bytes(&b.to_bytes(1, 1)).unwrap();
        let l = kf.language(&zh).unwrap().clone();
        let codes: Vec<u32> = ['\u{20000}', '中', '\u{2A6D6}']
            .iter()
            .map(|&c| kf.code(&l, c))
            .collect();
        assert_eq!(codes, vec![1, 2, 3]);
        let g = kf.groups(&l);
        assert_eq!(kf.codes_u8(&l, &g[0]), &[2, 1]);
        assert_eq!(kf.codes_u8(&l, &g[1]), &[1, 2, 3]);
    }
}
