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
//! (i − first) · l · width` without an offset table. A language whose alphabet has more
//! than 65,535 characters is left out (the matcher then uses the q-gram index).
//!
//! # Consistency
//!
//! The file is derived: [`Builder`] makes it from the stored segments, deterministically.
//! The memory keeps an instance id (random, set when the memory is created) and a
//! generation that every import and delete transaction increments. A key file whose
//! header does not carry the memory's current pair is stale and is rebuilt before use
//! (written to a temporary file, then renamed over the old one, so a reader never sees
//! half a file and a kill -9 at any moment leaves either the old file, which is then
//! stale, or the new one). Import and delete build the new file inside their transaction
//! (it sees what they are about to commit) and publish it as they commit: in RAM to the
//! other connections of the process at once, so that no search after the commit waits
//! for a rebuild (the server's readers), then beside the memory for other processes.
//! Deleted units' keys are gone from it at once. The connections of one process share
//! the files they open or build, and while one builds a missing file the others wait
//! for it instead of building it too.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::lang::LangTag;
use crate::text::KeyRule;

const MAGIC: &[u8; 8] = b"CCKEYS\x00\x01";
const HEADER: usize = 32;
const DIR_ENTRY: usize = 128;
const TAG_BYTES: usize = 64;
/// Bytes of one length-group entry: length u64, first index u64, byte base u64.
const GROUP: usize = 24;

/// The key file of the memory at `db`.
pub fn path_for(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_os_string();
    s.push("-keys");
    PathBuf::from(s)
}

/// Collects the keys of every segment, then writes the file.
#[derive(Default)]
pub struct Builder {
    langs: Vec<LangAcc>,
    key: String,
}

struct LangAcc {
    tag: LangTag,
    rule: KeyRule,
    alphabet: HashMap<char, u32>,
    /// Too many distinct characters for two-byte codes: left out of the file.
    overflow: bool,
    codes: Vec<u16>,
    /// (id, length, start in `codes`).
    keys: Vec<(i64, u32, u64)>,
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
                self.langs.push(LangAcc {
                    tag: tag.clone(),
                    rule: KeyRule::for_tag(tag),
                    alphabet: HashMap::new(),
                    overflow: false,
                    codes: Vec::new(),
                    keys: Vec::new(),
                });
                self.langs.len() - 1
            }
        };
        let l = &mut self.langs[li];
        if l.overflow {
            return;
        }
        l.rule.key_into(text, &mut self.key);
        let start = l.codes.len() as u64;
        let mut len = 0u32;
        for c in self.key.chars() {
            let next = l.alphabet.len() as u32 + 1;
            let code = *l.alphabet.entry(c).or_insert(next);
            if code > u16::MAX as u32 {
                l.overflow = true;
                l.codes = Vec::new();
                l.keys = Vec::new();
                return;
            }
            l.codes.push(code as u16);
            len += 1;
        }
        l.keys.push((id, len, start));
    }

    /// Write the file for a memory's `(instance, generation)` to `path` (through a
    /// temporary file renamed over it).
    pub fn write_file(&mut self, path: &Path, instance: i64, generation: i64) -> Result<()> {
        write_bytes(path, &self.to_bytes(instance, generation))
    }

    /// The file's bytes for a memory's `(instance, generation)`.
    pub fn to_bytes(&mut self, instance: i64, generation: i64) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v, instance, generation)
            .expect("writing to a Vec cannot fail");
        v
    }

    /// The file in memory (for memories without a file).
    pub fn into_map(mut self, instance: i64, generation: i64) -> Result<KeyFile> {
        KeyFile::from_bytes(&self.to_bytes(instance, generation))
    }

    /// Write the file's bytes.
    pub fn write_to(
        &mut self,
        w: &mut impl Write,
        instance: i64,
        generation: i64,
    ) -> std::io::Result<()> {
        self.langs.retain(|l| !l.overflow);
        self.langs
            .sort_by(|a, b| a.tag.as_str().cmp(b.tag.as_str()));
        // Plan the layout.
        let mut pos = HEADER + DIR_ENTRY * self.langs.len();
        let mut plans = Vec::new();
        for l in &mut self.langs {
            // By length, then by codes (keys with a common prefix are neighbours, so the
            // search shares their first rows), then by id.
            {
                let codes = &l.codes;
                let slice = |k: &(i64, u32, u64)| &codes[k.2 as usize..k.2 as usize + k.1 as usize];
                l.keys
                    .sort_unstable_by(|a, b| (a.1, slice(a), a.0).cmp(&(b.1, slice(b), b.0)));
            }
            let width = if l.alphabet.len() <= 255 { 1usize } else { 2 };
            let mut groups: Vec<(u64, u64, u64)> = Vec::new();
            let mut base = 0u64;
            for (i, k) in l.keys.iter().enumerate() {
                if groups.last().map(|g| g.0) != Some(k.1 as u64) {
                    groups.push((k.1 as u64, i as u64, base));
                }
                base += k.1 as u64 * width as u64;
            }
            let alpha_off = pos;
            pos += 8 * l.alphabet.len();
            let groups_off = pos;
            pos += GROUP * groups.len();
            let ids_off = pos;
            pos += 8 * l.keys.len();
            let codes_off = pos;
            pos += base as usize;
            pos = pos.div_ceil(8) * 8;
            plans.push((width, alpha_off, groups, groups_off, ids_off, codes_off));
        }
        w.write_all(MAGIC)?;
        w.write_all(&instance.to_le_bytes())?;
        w.write_all(&generation.to_le_bytes())?;
        w.write_all(&(self.langs.len() as u64).to_le_bytes())?;
        for (l, p) in self.langs.iter().zip(&plans) {
            let mut tag = [0u8; TAG_BYTES];
            let t = l.tag.as_str().as_bytes();
            let n = t.len().min(TAG_BYTES);
            tag[..n].copy_from_slice(&t[..n]);
            w.write_all(&tag)?;
            for v in [
                p.0 as u64,
                l.keys.len() as u64,
                l.alphabet.len() as u64,
                p.1 as u64,
                p.2.len() as u64,
                p.3 as u64,
                p.4 as u64,
                p.5 as u64,
            ] {
                w.write_all(&v.to_le_bytes())?;
            }
        }
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        for (l, p) in self.langs.iter().zip(&plans) {
            let mut alpha: Vec<(u32, u32)> = l
                .alphabet
                .iter()
                .map(|(&c, &code)| (c as u32, code))
                .collect();
            alpha.sort_unstable();
            for (c, code) in alpha {
                w.write_all(&c.to_le_bytes())?;
                w.write_all(&code.to_le_bytes())?;
            }
            for g in &p.2 {
                w.write_all(&g.0.to_le_bytes())?;
                w.write_all(&g.1.to_le_bytes())?;
                w.write_all(&g.2.to_le_bytes())?;
            }
            for k in &l.keys {
                w.write_all(&k.0.to_le_bytes())?;
            }
            let mut n = 0usize;
            for k in &l.keys {
                let codes = &l.codes[k.2 as usize..k.2 as usize + k.1 as usize];
                buf.clear();
                if p.0 == 1 {
                    buf.extend(codes.iter().map(|&c| c as u8));
                } else {
                    for &c in codes {
                        buf.extend_from_slice(&c.to_le_bytes());
                    }
                }
                w.write_all(&buf)?;
                n += buf.len();
            }
            let pad = n.div_ceil(8) * 8 - n;
            w.write_all(&[0u8; 8][..pad])?;
        }
        Ok(())
    }
}

/// Write a key file's `bytes` (from [`Builder::to_bytes`]) to `path`, through a
/// temporary file renamed over it, so a reader never sees half a file. The temporary
/// name is unique to the process and the call, so that two connections of one process
/// writing at once (a writer publishing, a reader that rebuilt an older state) never
/// write into the same file.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let tmp = {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut s = path.as_os_str().to_os_string();
        s.push(format!(".tmp{}-{n}", std::process::id()));
        PathBuf::from(s)
    };
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(|e| Error::io(path, e))
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
            let l = LangKeys {
                tag,
                width: v(0)?,
                count: v(1)?,
                alpha_n: v(2)?,
                alpha_off: v(3)?,
                groups_n: v(4)?,
                groups_off: v(5)?,
                ids_off: v(6)?,
                codes_off: v(7)?,
            };
            let fits = |off: usize, len: usize| {
                off % 8 == 0 && off.checked_add(len).is_some_and(|e| e <= b.len())
            };
            if !(l.width == 1 || l.width == 2)
                || !fits(l.alpha_off, l.alpha_n.saturating_mul(8))
                || !fits(l.groups_off, l.groups_n.saturating_mul(GROUP))
                || !fits(l.ids_off, l.count.saturating_mul(8))
                || l.codes_off % 8 != 0
                || l.codes_off > b.len()
            {
                return Err(corrupt(path, "section bounds"));
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
                next_first = g.first + g.count;
                next_base = g.base + g.count * g.len * l.width;
            }
            if next_first != l.count || l.codes_off + next_base > kf.map.len() {
                return Err(corrupt(path, "keys"));
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
}
