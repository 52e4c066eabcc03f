//! The matching index's tables `fz_lang`, `fz_post`, `fz_len` and `fz_meta` (see the
//! [module documentation of `fuzzy`](crate::fuzzy) for the design): all their SQL, and the
//! index's reads of the `variant` table. The tokens and the posting codec are pure
//! functions in [`crate::qgram`]; this module stages and writes them ([`Builder`], called
//! by the import transaction; [`forget`], called by the delete transaction) and hands the
//! matcher what it reads through [`Reader`] and the `Memory::index_*` methods.

use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};

use super::Memory;
use crate::error::Result;
use crate::lang::LangTag;
use crate::qgram::{
    decode_runs, decode_runs_batched, key_tokens, len_band, push_varint, q_for, IntMap, OccTable,
    BATCH, LEN_LONG, LONG,
};
use crate::text::KeyRule;

/// Ids per length-table row.
const LEN_CHUNK_BITS: u32 = 16;
/// Flush the gram accumulator to SQLite after this many postings (bounds memory).
const FLUSH_POSTINGS: usize = 48 << 20;
/// Staging buckets per language (cache locality while accumulating).
const BUCKETS: usize = 256;
const STAGE: usize = 4096;

struct TokList {
    last: i64,
    n: u32,
    bytes: Vec<u8>,
}

struct Bucket {
    stage_tok: Vec<u64>,
    stage_id: Vec<i64>,
    stage_band: Vec<u8>,
    map: IntMap<(u64, u8), TokList>,
}

impl Bucket {
    /// An empty bucket. Nothing is preallocated: the staging vectors grow with what a
    /// language actually holds (up to `STAGE`), so a language with one segment costs a
    /// few hundred bytes, not the 17 MB that 256 preallocated buckets reserved
    /// (issue 13, finding 3).
    fn new() -> Bucket {
        Bucket {
            stage_tok: Vec::new(),
            stage_id: Vec::new(),
            stage_band: Vec::new(),
            map: IntMap::default(),
        }
    }

    fn drain(&mut self) {
        for ((&t, &id), &band) in self
            .stage_tok
            .iter()
            .zip(&self.stage_id)
            .zip(&self.stage_band)
        {
            let e = self.map.entry((t, band)).or_insert_with(|| TokList {
                last: 0,
                n: 0,
                bytes: Vec::new(),
            });
            push_varint(&mut e.bytes, (id - e.last) as u64);
            e.last = id;
            e.n += 1;
        }
        self.stage_tok.clear();
        self.stage_id.clear();
        self.stage_band.clear();
    }
}

struct LangAcc {
    tag: String,
    q: usize,
    buckets: Vec<Bucket>,
    lens: Vec<(i64, u16)>,
}

/// A language's part of a package: tag, q, rows sorted by token, lengths by id.
type PackagedLang = (String, usize, Vec<(u64, TokList)>, Vec<(i64, u16)>);

/// One batch of postings ready to be written: per language, its rows sorted by token.
struct Package {
    langs: Vec<PackagedLang>,
}

/// The accumulator that runs on the builder's worker thread.
struct Accumulator {
    langs: Vec<LangAcc>,
    pending: usize,
    key: Vec<char>,
    key_buf: String,
    toks: Vec<u64>,
    occ: OccTable,
}

impl Accumulator {
    fn new() -> Accumulator {
        Accumulator {
            langs: Vec::new(),
            pending: 0,
            key: Vec::new(),
            key_buf: String::new(),
            toks: Vec::new(),
            occ: OccTable::default(),
        }
    }

    fn lang_index(&mut self, tag: &LangTag) -> usize {
        if let Some(i) = self.langs.iter().position(|l| l.tag == tag.as_str()) {
            return i;
        }
        self.langs.push(LangAcc {
            tag: tag.as_str().to_string(),
            q: q_for(tag),
            buckets: (0..BUCKETS).map(|_| Bucket::new()).collect(),
            lens: Vec::new(),
        });
        self.langs.len() - 1
    }

    fn add(&mut self, id: i64, tag: &LangTag, text: &str) {
        let li = self.lang_index(tag);
        KeyRule::for_tag(tag).key_into(text, &mut self.key_buf);
        self.key.clear();
        self.key.extend(self.key_buf.chars());
        let lang = &mut self.langs[li];
        let len = self.key.len();
        lang.lens
            .push((id, if len > LONG { LEN_LONG } else { len as u16 }));
        key_tokens(&self.key, lang.q, &mut self.occ, &mut self.toks);
        let band = len_band(len);
        for &t in &self.toks {
            let b = &mut lang.buckets[(t.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize];
            b.stage_tok.push(t);
            b.stage_id.push(id);
            b.stage_band.push(band);
            if b.stage_tok.len() == STAGE {
                b.drain();
            }
        }
        self.pending += self.toks.len();
    }

    fn take(&mut self) -> Package {
        let mut langs = Vec::new();
        for mut lang in std::mem::take(&mut self.langs) {
            let mut runs: Vec<((u64, u8), TokList)> = Vec::new();
            for b in &mut lang.buckets {
                b.drain();
                runs.extend(b.map.drain());
            }
            runs.sort_unstable_by_key(|r| r.0);
            // One row per token: its runs in band order.
            let mut rows: Vec<(u64, TokList)> = Vec::new();
            for ((tok, band), run) in runs {
                if rows.last().map(|r| r.0) != Some(tok) {
                    rows.push((
                        tok,
                        TokList {
                            last: 0,
                            n: 0,
                            bytes: Vec::new(),
                        },
                    ));
                }
                let row = &mut rows.last_mut().expect("pushed").1;
                push_varint(&mut row.bytes, band as u64);
                push_varint(&mut row.bytes, run.bytes.len() as u64);
                row.bytes.extend_from_slice(&run.bytes);
                row.n += run.n;
            }
            langs.push((lang.tag, lang.q, rows, lang.lens));
        }
        self.pending = 0;
        Package { langs }
    }
}

enum Msg {
    Segments(Vec<(i64, LangTag, String)>),
    Finish,
}

const SEND_BATCH: usize = 2048;

/// Builds the index of an import. Keys and tokens are computed on a worker thread while
/// the importing thread writes units; postings come back in large batches sorted by
/// token, which the importing thread writes inside its transaction, so the index lands
/// (or not) with the units.
pub(crate) struct Builder {
    batch: Vec<(i64, LangTag, String)>,
    to_worker: Option<std::sync::mpsc::SyncSender<Msg>>,
    from_worker: Option<std::sync::mpsc::Receiver<Package>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Builder {
    /// An empty builder (the worker starts with the first segment).
    pub(crate) fn new() -> Builder {
        Builder {
            batch: Vec::new(),
            to_worker: None,
            from_worker: None,
            worker: None,
        }
    }

    fn start(&mut self) {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(4);
        let (ptx, prx) = std::sync::mpsc::channel::<Package>();
        let handle = std::thread::spawn(move || {
            let mut acc = Accumulator::new();
            while let Ok(msg) = rx.recv() {
                match msg {
                    Msg::Segments(segs) => {
                        for (id, tag, text) in segs {
                            acc.add(id, &tag, &text);
                        }
                        if acc.pending >= FLUSH_POSTINGS && ptx.send(acc.take()).is_err() {
                            return;
                        }
                    }
                    Msg::Finish => {
                        let _ = ptx.send(acc.take());
                        return;
                    }
                }
            }
        });
        self.to_worker = Some(tx);
        self.from_worker = Some(prx);
        self.worker = Some(handle);
    }

    fn worker_died() -> crate::Error {
        crate::Error::new(
            crate::error::ErrorKind::Internal,
            "the fuzzy-index worker stopped unexpectedly",
        )
    }

    /// Add one stored segment (ids must arrive in increasing order).
    pub(crate) fn add(
        &mut self,
        conn: &Connection,
        id: i64,
        tag: LangTag,
        text: String,
    ) -> Result<()> {
        self.batch.push((id, tag, text));
        if self.batch.len() >= SEND_BATCH {
            if self.to_worker.is_none() {
                self.start();
            }
            let batch = std::mem::take(&mut self.batch);
            self.to_worker
                .as_ref()
                .expect("started")
                .send(Msg::Segments(batch))
                .map_err(|_| Builder::worker_died())?;
            while let Some(pkg) = self.from_worker.as_ref().and_then(|r| r.try_recv().ok()) {
                write_package(conn, pkg)?;
            }
        }
        Ok(())
    }

    /// Write everything added so far and stop the worker.
    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.to_worker.is_none() {
            // Small imports: no thread.
            if self.batch.is_empty() {
                return Ok(());
            }
            let mut acc = Accumulator::new();
            for (id, tag, text) in std::mem::take(&mut self.batch) {
                acc.add(id, &tag, &text);
            }
            return write_package(conn, acc.take());
        }
        let tx = self.to_worker.take().expect("started");
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            tx.send(Msg::Segments(batch))
                .map_err(|_| Builder::worker_died())?;
        }
        tx.send(Msg::Finish).map_err(|_| Builder::worker_died())?;
        drop(tx);
        let rx = self.from_worker.take().expect("started");
        while let Ok(pkg) = rx.recv() {
            write_package(conn, pkg)?;
        }
        if let Some(h) = self.worker.take() {
            h.join().map_err(|_| Builder::worker_died())?;
        }
        Ok(())
    }
}

fn write_package(conn: &Connection, pkg: Package) -> Result<()> {
    if pkg.langs.is_empty() {
        return Ok(());
    }
    let seq: i64 = conn.query_row(
        "SELECT coalesce((SELECT value FROM fz_meta WHERE key = 'next_seq'), 1)",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO fz_meta (key, value) VALUES ('next_seq', ?1)",
        [seq + 1],
    )?;
    for (tag, q, rows, lens) in pkg.langs {
        let lang_id = lang_id(conn, &tag, q)?;
        let mut ins = conn.prepare_cached(
            "INSERT INTO fz_post (lang, token, seq, n, ids) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (tok, list) in &rows {
            ins.execute(params![lang_id, *tok as i64, seq, list.n, list.bytes])?;
        }
        write_lens(conn, lang_id, &lens)?;
    }
    Ok(())
}

/// The id of a language in `fz_lang`, created on first use.
fn lang_id(conn: &Connection, tag: &str, q: usize) -> Result<i64> {
    if let Some(id) = conn
        .prepare_cached("SELECT id FROM fz_lang WHERE tag = ?1")?
        .query_row([tag], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO fz_lang (tag, q) VALUES (?1, ?2)",
        params![tag, q as i64],
    )?;
    Ok(conn.last_insert_rowid())
}

fn read_len_chunk(conn: &Connection, lang: i64, base: i64) -> Result<Vec<u8>> {
    Ok(conn
        .prepare_cached("SELECT lens FROM fz_len WHERE lang = ?1 AND base = ?2")?
        .query_row(params![lang, base], |r| r.get::<_, Vec<u8>>(0))
        .optional()?
        .unwrap_or_default())
}

fn write_lens(conn: &Connection, lang: i64, lens: &[(i64, u16)]) -> Result<()> {
    let mut i = 0;
    while i < lens.len() {
        let base = lens[i].0 >> LEN_CHUNK_BITS;
        let mut blob = read_len_chunk(conn, lang, base)?;
        while i < lens.len() && lens[i].0 >> LEN_CHUNK_BITS == base {
            let off = (lens[i].0 & ((1 << LEN_CHUNK_BITS) - 1)) as usize * 2;
            if blob.len() < off + 2 {
                blob.resize(off + 2, 0);
            }
            blob[off..off + 2].copy_from_slice(&lens[i].1.to_le_bytes());
            i += 1;
        }
        conn.prepare_cached(
            "INSERT OR REPLACE INTO fz_len (lang, base, lens) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![lang, base, blob])?;
    }
    Ok(())
}

/// Remove deleted units from the length table (their postings are skipped lazily: a
/// posting whose unit has length 0 is never a candidate, and ids are never reused).
pub(crate) fn forget(conn: &Connection, ids: &[i64]) -> Result<()> {
    let langs: Vec<i64> = conn
        .prepare("SELECT id FROM fz_lang")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for lang in langs {
        let zeros: Vec<(i64, u16)> = ids
            .iter()
            .filter(|&&id| id > 0)
            .map(|&id| (id, 0))
            .collect();
        // Only touch chunks that exist; write_lens would extend a blob with zeros, which
        // is harmless but wasteful for ids that never had a segment in this language.
        let mut kept = Vec::new();
        for (id, z) in zeros {
            let base = id >> LEN_CHUNK_BITS;
            let off = (id & ((1 << LEN_CHUNK_BITS) - 1)) as usize * 2;
            let exists: Option<usize> = conn
                .prepare_cached("SELECT length(lens) FROM fz_len WHERE lang = ?1 AND base = ?2")?
                .query_row(params![lang, base], |r| r.get(0))
                .optional()?;
            if exists.is_some_and(|l| l >= off + 2) {
                kept.push((id, z));
            }
        }
        write_lens(conn, lang, &kept)?;
    }
    Ok(())
}

/// Rebuild the whole index from the stored variants (used by the migration that adds
/// the index to a memory that already holds units).
pub(crate) fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM fz_post; DELETE FROM fz_len; DELETE FROM fz_lang;")?;
    let mut builder = Builder::new();
    let mut stmt =
        conn.prepare("SELECT unit_id, lang, text FROM variant ORDER BY unit_id, lang")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let lang: String = r.get(1)?;
        let text: String = r.get(2)?;
        let tag = super::stored_tag(&lang)?;
        builder.add(conn, id, tag, text)?;
    }
    builder.flush(conn)
}

fn corrupt(e: rusqlite::types::FromSqlError) -> crate::Error {
    crate::Error::corrupt(format!("the matching index: {e}"))
}

/// One language's part of the index.
#[derive(Debug, Clone)]
pub(crate) struct LangIndex {
    pub id: i64,
    pub tag: LangTag,
    pub q: usize,
}

/// The indexed languages.
fn languages(conn: &Connection) -> Result<Vec<LangIndex>> {
    let mut stmt = conn.prepare_cached("SELECT id, tag, q FROM fz_lang ORDER BY tag")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, tag, q)| {
            Ok(LangIndex {
                id,
                tag: super::stored_tag(&tag)?,
                q: q as usize,
            })
        })
        .collect()
}

/// True when the memory holds at least one segment in `tag`.
fn has_segments(conn: &Connection, tag: &LangTag) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM variant WHERE lang = ?1)")?
        .query_row([tag.as_str()], |r| r.get(0))?)
}

/// What a connection has read of each language's index, per language id: the memory's
/// `(instance, generation)` it was read at, the length table and the document
/// frequencies looked up so far. Every change of the units (import, delete) bumps the
/// generation in its transaction, so an entry whose stamp is the current one agrees
/// with the tables on disk; a reader of another stamp starts the language afresh. The
/// length table is two bytes per unit id (2 MB per language per million ids), which
/// concordance and a new [`crate::fuzzy::Matcher`] would otherwise read again for every
/// search; a document frequency is one `sum` over a token's posting rows, whose seek
/// copies every row's payload (overflow pages included) to compare keys, and a server
/// that makes a matcher per request would otherwise repeat it for every token of every
/// query.
pub(super) type LenCache = std::cell::RefCell<Vec<LangCache>>;

/// One language's entry of a [`LenCache`].
pub(super) struct LangCache {
    lang: i64,
    stamp: (i64, i64),
    lens: Arc<Vec<u16>>,
    /// Token → number of segments holding it, at `stamp`; cleared when it reaches
    /// [`DF_CACHE_MAX`] entries.
    dfs: crate::qgram::IntMap<u64, u64>,
}

/// Most document frequencies one connection keeps per language (about 16 bytes each).
const DF_CACHE_MAX: usize = 1 << 18;

/// Read access to one language's index.
pub(crate) struct Reader<'c> {
    conn: &'c Connection,
    /// The connection's cache, which holds this language's entry at `stamp`.
    cache: &'c LenCache,
    stamp: (i64, i64),
    /// The language.
    pub lang: LangIndex,
    /// Key length of every id (0: no segment, [`LEN_LONG`]: longer than [`LONG`]).
    pub lens: Arc<Vec<u16>>,
}

impl<'c> Reader<'c> {
    /// Open a language's index with its length table: the one `cache` holds for the
    /// memory's current `(instance, generation)`, else loaded (and kept in `cache`).
    /// Call it inside a read transaction, so that the stamp and the table agree.
    fn new(conn: &'c Connection, lang: LangIndex, cache: &'c LenCache) -> Result<Reader<'c>> {
        let stamp = key_state(conn)?;
        let kept = cache
            .borrow()
            .iter()
            .find(|e| e.lang == lang.id && e.stamp == stamp)
            .map(|e| Arc::clone(&e.lens));
        let lens = match kept {
            Some(lens) => lens,
            None => {
                let lens = Arc::new(Self::load_lens(conn, &lang)?);
                let mut cache = cache.borrow_mut();
                cache.retain(|e| e.lang != lang.id);
                cache.push(LangCache {
                    lang: lang.id,
                    stamp,
                    lens: Arc::clone(&lens),
                    dfs: Default::default(),
                });
                lens
            }
        };
        Ok(Reader {
            conn,
            cache,
            stamp,
            lang,
            lens,
        })
    }

    /// Read a language's length table.
    fn load_lens(conn: &Connection, lang: &LangIndex) -> Result<Vec<u16>> {
        let mut lens: Vec<u16> = Vec::new();
        let mut stmt =
            conn.prepare_cached("SELECT base, lens FROM fz_len WHERE lang = ?1 ORDER BY base")?;
        let mut rows = stmt.query([lang.id])?;
        while let Some(r) = rows.next()? {
            let base: i64 = r.get(0)?;
            let blob = r.get_ref(1)?.as_blob().map_err(corrupt)?;
            let start = (base as usize) << LEN_CHUNK_BITS;
            let end = start + blob.len() / 2;
            if lens.len() < end {
                lens.resize(end, 0);
            }
            for (i, c) in blob.chunks_exact(2).enumerate() {
                lens[start + i] = u16::from_le_bytes([c[0], c[1]]);
            }
        }
        Ok(lens)
    }

    /// The key length recorded for `id` (0 when absent or deleted).
    #[inline]
    pub(crate) fn len(&self, id: i64) -> u16 {
        self.lens.get(id as usize).copied().unwrap_or(0)
    }

    /// Number of segments holding `token` (deleted ones included until compaction).
    /// Kept in the connection's cache for the reader's stamp, so a later reader of the
    /// same generation (another matcher on this connection) does not read it again.
    pub(crate) fn df(&self, token: u64) -> Result<u64> {
        let entry = |c: &[LangCache]| -> Option<usize> {
            c.iter()
                .position(|e| e.lang == self.lang.id && e.stamp == self.stamp)
        };
        {
            let c = self.cache.borrow();
            if let Some(d) = entry(&c).and_then(|i| c[i].dfs.get(&token).copied()) {
                return Ok(d);
            }
        }
        let d = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0) FROM fz_post WHERE lang = ?1 AND token = ?2",
            )?
            .query_row(params![self.lang.id, token as i64], |r| r.get::<_, i64>(0))?
            as u64;
        let mut c = self.cache.borrow_mut();
        if let Some(i) = entry(&c) {
            let dfs = &mut c[i].dfs;
            if dfs.len() >= DF_CACHE_MAX {
                dfs.clear();
            }
            dfs.insert(token, d);
        }
        Ok(d)
    }

    /// Visit the ids holding `token` (increasing within each length band).
    pub(crate) fn postings(&self, token: u64, f: impl FnMut(i64)) -> Result<()> {
        self.postings_in(token, (0, 255), f)
    }

    /// Visit the ids holding `token` whose length band is in `bands` (ids of a band
    /// increase; bands come one after the other).
    pub(crate) fn postings_in(
        &self,
        token: u64,
        bands: (u8, u8),
        f: impl FnMut(i64),
    ) -> Result<()> {
        let mut f = f;
        let mut stmt = self.conn.prepare_cached(
            "SELECT ids FROM fz_post WHERE lang = ?1 AND token = ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![self.lang.id, token as i64])?;
        while let Some(r) = rows.next()? {
            decode_runs(r.get_ref(0)?.as_blob().map_err(corrupt)?, bands, &mut f);
        }
        Ok(())
    }

    /// As [`Reader::postings_in`], the ids handed over in slices of at most [`BATCH`].
    pub(crate) fn postings_batched(
        &self,
        token: u64,
        bands: (u8, u8),
        mut f: impl FnMut(&[i64]),
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ids FROM fz_post WHERE lang = ?1 AND token = ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![self.lang.id, token as i64])?;
        let mut buf = [0i64; BATCH];
        while let Some(r) = rows.next()? {
            let blob = r.get_ref(0)?.as_blob().map_err(corrupt)?;
            decode_runs_batched(blob, bands, &mut buf, &mut f);
        }
        Ok(())
    }

    /// Visit the ids of every token in `lo..hi` (ids may repeat and are not ordered).
    pub(crate) fn range_postings(&self, lo: u64, hi: u64, f: impl FnMut(i64)) -> Result<()> {
        let mut f = f;
        let mut stmt = self.conn.prepare_cached(
            "SELECT ids FROM fz_post WHERE lang = ?1 AND token >= ?2 AND token < ?3",
        )?;
        let hi = hi.min(i64::MAX as u64);
        let mut rows = stmt.query(params![self.lang.id, lo as i64, hi as i64])?;
        while let Some(r) = rows.next()? {
            decode_runs(r.get_ref(0)?.as_blob().map_err(corrupt)?, (0, 255), &mut f);
        }
        Ok(())
    }

    /// The stored text of unit `id` in this language, if it still exists.
    pub(crate) fn text(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT text FROM variant WHERE unit_id = ?1 AND lang = ?2")?
            .query_row(params![id, self.lang.tag.as_str()], |r| r.get(0))
            .optional()?)
    }
}

/// Every stored segment of a language, in id order (the brute-force paths).
fn scan_segments(
    conn: &Connection,
    tag: &LangTag,
    mut f: impl FnMut(i64, &str) -> Result<()>,
) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT unit_id, text FROM variant WHERE lang = ?1 ORDER BY unit_id")?;
    let mut rows = stmt.query([tag.as_str()])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text = r.get_ref(1)?.as_str().map_err(corrupt)?;
        f(id, text)?;
    }
    Ok(())
}

/// What the matcher reads: the index's languages, a [`Reader`] per language, the stored
/// segments of a language (for the brute-force references).
impl Memory {
    /// The indexed languages, by tag.
    pub(crate) fn index_languages(&self) -> Result<Vec<LangIndex>> {
        languages(&self.conn)
    }

    /// Read access to one language's index (its length table loaded, or shared with
    /// the readers before it while the memory has not changed). Call it inside a read
    /// transaction.
    pub(crate) fn index_reader(&self, lang: LangIndex) -> Result<Reader<'_>> {
        Reader::new(&self.conn, lang, &self.lens)
    }

    /// True when the memory holds at least one segment in `tag`.
    pub(crate) fn has_segments(&self, tag: &LangTag) -> Result<bool> {
        has_segments(&self.conn, tag)
    }

    /// Every stored segment of `tag`, in unit id order.
    pub(crate) fn scan_segments(
        &self,
        tag: &LangTag,
        f: impl FnMut(i64, &str) -> Result<()>,
    ) -> Result<()> {
        scan_segments(&self.conn, tag, f)
    }

    /// Rebuild the whole matching index from the stored segments, in one write
    /// transaction.
    pub(crate) fn rebuild_index(&mut self) -> Result<()> {
        // The rebuild does not change the generation: drop the tables read before.
        self.lens.borrow_mut().clear();
        self.write(|tx| rebuild(tx))
    }
}

/// Mark the memory changed (inside an import or delete transaction): the key file made
/// before is stale from this commit on.
pub(super) fn bump_generation(conn: &Connection) -> Result<()> {
    bump(conn, "generation")
}

/// Mark the glossary changed (inside a glossary write transaction).
pub(super) fn bump_glossary_generation(conn: &Connection) -> Result<()> {
    bump(conn, "glossary_generation")
}

fn bump(conn: &Connection, key: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO fz_meta (key, value) VALUES (?1, 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1",
        [key],
    )?;
    Ok(())
}

fn meta_value(conn: &Connection, key: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM fz_meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The memory's `(instance, generation)`: the stamp a current key file carries.
fn key_state(conn: &Connection) -> Result<(i64, i64)> {
    Ok((
        meta_value(conn, "instance")?,
        meta_value(conn, "generation")?,
    ))
}

/// The languages of the stored segments, in tag order (one index seek per language).
fn stored_languages(conn: &Connection) -> Result<Vec<LangTag>> {
    let mut out = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT lang FROM variant WHERE lang > ?1 ORDER BY lang LIMIT 1")?;
    let mut last = String::new();
    while let Some(lang) = stmt
        .query_row([&last], |r| r.get::<_, String>(0))
        .optional()?
    {
        out.push(super::stored_tag(&lang)?);
        last = lang;
    }
    Ok(out)
}

/// What the key file of an import extends: the key file of the memory as the import
/// began, and the greatest unit id then (ids only grow, `AUTOINCREMENT`, so the import's
/// units are exactly those above it).
pub(super) struct KeyBase {
    file: std::sync::Arc<crate::keystore::KeyFile>,
    max_id: i64,
}

/// The key file the import that `tx` begins can extend (call it before adding units):
/// `held` (the connection's own file) or another connection's of this process when it
/// carries the memory's current stamp, else the file beside the memory if it is
/// current. `None` when there is none: the import then builds the file from all the
/// segments.
pub(super) fn key_base(
    tx: &Connection,
    db: &std::path::Path,
    held: Option<std::sync::Arc<crate::keystore::KeyFile>>,
) -> Result<Option<KeyBase>> {
    let stamp = key_state(tx)?;
    let max_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM unit", [], |r| r.get(0))?;
    let file = held
        .filter(|k| k.stamp() == stamp)
        .or_else(|| shared::get(db, stamp))
        .or_else(|| {
            crate::keystore::KeyFile::open(&crate::keystore::path_for(db), stamp.0, stamp.1)
                .map(std::sync::Arc::new)
        });
    Ok(file.map(|file| KeyBase { file, max_id }))
}

/// Write the key file of the stored segments for `stamp` to `w` (`path` names it in
/// errors), one language at a time: only one language's keys are in RAM at once (the
/// file of a million trilingual units used to hold every key of the memory as two-byte
/// codes while it was sorted and written, 1.7 GB at its peak). With a `base` (an
/// import's), a language the base file holds is its keys merged with those of the
/// segments above `base.max_id`, which gives the same bytes as reading every segment
/// (an import of 10,000 units into 100,000 used to key and sort all 110,000 again);
/// the other languages are read whole.
fn write_keys<W: std::io::Write + std::io::Seek>(
    conn: &Connection,
    w: W,
    stamp: (i64, i64),
    path: &std::path::Path,
    base: Option<&KeyBase>,
) -> Result<W> {
    use crate::keystore::{FileWriter, LangBuilder};
    let io = |e| crate::Error::io(path, e);
    let tags = stored_languages(conn)?;
    let mut fw = FileWriter::new(w, tags.len()).map_err(io)?;
    for tag in tags {
        let extended = base.and_then(|b| {
            LangBuilder::extending(std::sync::Arc::clone(&b.file), &tag).map(|lb| (lb, b.max_id))
        });
        let (mut lb, after) = match extended {
            Some(x) => {
                #[cfg(test)]
                tests::EXTENDED.with(|n| n.set(n.get() + 1));
                x
            }
            None => (LangBuilder::new(tag.clone()), 0),
        };
        scan_segments_after(conn, &tag, after, |id, text| {
            lb.add(id, text);
            Ok(())
        })?;
        fw.add(lb).map_err(io)?;
    }
    fw.finish(stamp.0, stamp.1).map_err(io)
}

/// Every stored segment of a language whose unit id is above `after`, in id order.
fn scan_segments_after(
    conn: &Connection,
    tag: &LangTag,
    after: i64,
    mut f: impl FnMut(i64, &str) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT unit_id, text FROM variant WHERE lang = ?1 AND unit_id > ?2 ORDER BY unit_id",
    )?;
    let mut rows = stmt.query(params![tag.as_str(), after])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text = r.get_ref(1)?.as_str().map_err(corrupt)?;
        f(id, text)?;
    }
    Ok(())
}

/// The key file of the stored segments, held in RAM.
fn keys_in_ram(
    conn: &Connection,
    stamp: (i64, i64),
    base: Option<&KeyBase>,
) -> Result<crate::keystore::KeyFile> {
    let bytes = write_keys(
        conn,
        std::io::Cursor::new(Vec::new()),
        stamp,
        std::path::Path::new("<keys>"),
        base,
    )?
    .into_inner();
    crate::keystore::KeyFile::from_bytes(&bytes)
}

/// The key file of the stored segments, written to a temporary file beside `kp` (see
/// [`crate::keystore::write_temp`]).
fn keys_to_temp(
    conn: &Connection,
    kp: &std::path::Path,
    stamp: (i64, i64),
    base: Option<&KeyBase>,
) -> Result<std::path::PathBuf> {
    crate::keystore::write_temp(kp, |f| write_keys(conn, f, stamp, kp, base))
}

/// The key file for the state a write transaction is about to commit (made inside it,
/// after the generation was bumped), with its stamp.
pub(super) struct PendingKeys {
    stamp: (i64, i64),
    made: Made,
}

enum Made {
    /// Written to this temporary file beside the memory, renamed into place after the
    /// commit (removed if the transaction fails).
    Temp(std::path::PathBuf),
    /// In RAM (a memory whose key file is not written).
    Ram(Option<crate::keystore::KeyFile>),
}

impl PendingKeys {
    /// The file, open (`None` when the temporary file cannot be read back, or was
    /// taken already).
    fn open(&mut self) -> Option<crate::keystore::KeyFile> {
        match &mut self.made {
            Made::Temp(tmp) => crate::keystore::KeyFile::open(tmp, self.stamp.0, self.stamp.1),
            Made::Ram(kf) => kf.take(),
        }
    }

    /// Put the file beside the memory at `db` (a failure leaves the old file, which is
    /// then stale and rebuilt by the next search).
    fn publish(self, db: &std::path::Path) {
        if let Made::Temp(tmp) = self.made {
            if std::fs::rename(&tmp, crate::keystore::path_for(db)).is_err() {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }

    /// Drop the file of a transaction that did not commit.
    fn discard(self) {
        if let Made::Temp(tmp) = self.made {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Build the key file of what `tx` is about to commit (call it last in an import or
/// delete transaction that bumped the generation): for the memory at `db`, in a
/// temporary file beside it when `on_disk`, else in RAM. Readers keep using the old file
/// meanwhile; the new one is published the moment the transaction commits
/// ([`Memory::write_with_keys`]), so no search after the commit has to rebuild it.
/// `None` when the file could not be written (a full disk): the next search then
/// rebuilds it. An import passes the [`key_base`] it took as it began: the file is then
/// that one extended by the import's keys.
pub(super) fn pending_keys(
    tx: &Connection,
    db: &std::path::Path,
    on_disk: bool,
    base: Option<&KeyBase>,
) -> Result<Option<PendingKeys>> {
    let stamp = key_state(tx)?;
    let made = if on_disk {
        match keys_to_temp(tx, &crate::keystore::path_for(db), stamp, base) {
            Ok(tmp) => Made::Temp(tmp),
            Err(e) if e.io_error().is_some() => return Ok(None),
            Err(e) => return Err(e),
        }
    } else {
        Made::Ram(Some(keys_in_ram(tx, stamp, base)?))
    };
    Ok(Some(PendingKeys { stamp, made }))
}

/// The key files that the connections of this process have opened, per memory file,
/// shared between them: one build serves every connection (the server's readers), and a
/// writer that commits a new generation hands its file to the readers directly.
mod shared {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex, OnceLock, Weak};

    use crate::keystore::KeyFile;

    #[derive(Default)]
    struct Slot {
        /// The files made or opened last (weak: they live as long as a connection or
        /// a search holds them), newest last.
        files: Vec<Weak<KeyFile>>,
        /// Held while a connection builds a file, so that the others wait for it
        /// instead of building the same file at once.
        build: Arc<Mutex<()>>,
    }

    fn slots() -> &'static Mutex<HashMap<PathBuf, Slot>> {
        static SLOTS: OnceLock<Mutex<HashMap<PathBuf, Slot>>> = OnceLock::new();
        SLOTS.get_or_init(Default::default)
    }

    fn lock() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Slot>> {
        slots().lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The shared file of `path` with `stamp`, if a connection holds one.
    pub fn get(path: &Path, stamp: (i64, i64)) -> Option<Arc<KeyFile>> {
        lock().get(path).and_then(|s| {
            s.files
                .iter()
                .filter_map(Weak::upgrade)
                .find(|k| k.stamp() == stamp)
        })
    }

    /// Offer `kf` to the other connections of `path`.
    pub fn put(path: &Path, kf: &Arc<KeyFile>) {
        let mut slots = lock();
        let slot = slots.entry(path.to_path_buf()).or_default();
        slot.files.retain(|w| w.strong_count() > 0);
        slot.files.push(Arc::downgrade(kf));
        // A reader in an old snapshot may still want the file before; more than a few
        // are never alive at once.
        if slot.files.len() > 4 {
            slot.files.remove(0);
        }
    }

    /// Withdraw `kf` (offered by a write that then failed).
    pub fn forget(path: &Path, kf: &Arc<KeyFile>) {
        if let Some(slot) = lock().get_mut(path) {
            slot.files
                .retain(|w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), Arc::as_ptr(kf)));
        }
    }

    /// The build lock of `path`.
    pub fn build_lock(path: &Path) -> Arc<Mutex<()>> {
        Arc::clone(&lock().entry(path.to_path_buf()).or_default().build)
    }
}

/// The key file of fuzzy matching ([`crate::keystore`]): the store keeps it current.
impl Memory {
    /// The memory's `(instance, generation)`: the stamp a current key file carries.
    fn key_state(&self) -> Result<(i64, i64)> {
        key_state(&self.conn)
    }

    /// The memory's generations: counters that change with every committed change of
    /// its units (import, delete) and of its glossary. Caches of what is derived from
    /// them (a compiled glossary, a lookup index) are current while they are equal.
    pub fn generations(&self) -> Result<super::Generations> {
        let _read = self.read_tx()?;
        Ok(super::Generations {
            units: meta_value(&self.conn, "generation")?,
            glossary: meta_value(&self.conn, "glossary_generation")?,
        })
    }

    /// True when key files may be shared with the other connections of this process
    /// (a memory in a file; each in-memory database is its own).
    pub(super) fn shares_keys(&self) -> bool {
        self.path != std::path::Path::new(":memory:")
    }

    /// The key file of fuzzy matching, current with the memory: the one this connection
    /// or another of this process holds, else opened from beside the memory file
    /// ([`crate::keystore::path_for`]), else rebuilt from the stored segments (written
    /// beside the memory when it was opened for writing and the directory is writable;
    /// kept in RAM otherwise, and for memories without a file). One connection builds
    /// while the others of the process wait for its file. Call it inside a read
    /// transaction, so that the segments and the stamp agree.
    pub(crate) fn key_file(&self) -> Result<std::sync::Arc<crate::keystore::KeyFile>> {
        let (instance, generation) = self.key_state()?;
        if let Some(k) = self.keys.borrow().as_ref() {
            if k.stamp() == (instance, generation) {
                return Ok(k.clone());
            }
        }
        let on_disk = self.shares_keys();
        if !on_disk {
            let kf = std::sync::Arc::new(keys_in_ram(&self.conn, (instance, generation), None)?);
            *self.keys.borrow_mut() = Some(kf.clone());
            return Ok(kf);
        }
        let stamp = (instance, generation);
        if let Some(kf) = shared::get(&self.path, stamp) {
            *self.keys.borrow_mut() = Some(kf.clone());
            return Ok(kf);
        }
        let build = shared::build_lock(&self.path);
        let _building = build.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(kf) = shared::get(&self.path, stamp) {
            *self.keys.borrow_mut() = Some(kf.clone());
            return Ok(kf);
        }
        let kp = crate::keystore::path_for(&self.path);
        let kf = match crate::keystore::KeyFile::open(&kp, instance, generation) {
            Some(kf) => kf,
            None => {
                let written = self
                    .writes_keys
                    .then(|| keys_to_temp(&self.conn, &kp, stamp, None).ok())
                    .flatten()
                    .and_then(|tmp| match std::fs::rename(&tmp, &kp) {
                        Ok(()) => crate::keystore::KeyFile::open(&kp, instance, generation),
                        Err(_) => {
                            let _ = std::fs::remove_file(&tmp);
                            None
                        }
                    });
                match written {
                    Some(kf) => kf,
                    None => keys_in_ram(&self.conn, stamp, None)?,
                }
            }
        };
        let kf = std::sync::Arc::new(kf);
        shared::put(&self.path, &kf);
        *self.keys.borrow_mut() = Some(kf.clone());
        Ok(kf)
    }

    /// Run the write transaction `f` of an import or a delete; when it returns keys (it
    /// changed the units and made the key file of its new state with [`pending_keys`]),
    /// publish them the moment it commits: the file is offered to the other connections
    /// of this process just before the commit, under the new stamp that no search sees
    /// until then (withdrawn if the commit fails; the build lock is held across the
    /// commit, so no search in between starts building it), then renamed beside the memory for
    /// other processes, after the WAL checkpoint. A failure to write the file loses
    /// nothing: the file on disk is then stale, and the next process to search rebuilds
    /// it.
    pub(super) fn write_with_keys<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(T, Option<PendingKeys>)>,
    ) -> Result<T> {
        let build = self.shares_keys().then(|| shared::build_lock(&self.path));
        if self.writes_keys {
            crate::keystore::remove_stale_temps(&crate::keystore::path_for(&self.path));
        }
        let mut published: Option<PendingKeys> = None;
        let mut opened: Option<std::sync::Arc<crate::keystore::KeyFile>> = None;
        let shares = build.is_some();
        let path = self.path.clone();
        let out = {
            let mut guard = None;
            let out = self.write(|tx| {
                let (out, keys) = f(tx)?;
                if let Some(mut keys) = keys {
                    if let Some(b) = &build {
                        // Taken only now: a search that needs a build waits at most for
                        // the commit.
                        guard = Some(b.lock().unwrap_or_else(|p| p.into_inner()));
                    }
                    // Offered before the commit (under a stamp no reader sees before it),
                    // so that no search waits for this thread between the commit and
                    // the hand-over: the writer of a server runs at a lower priority
                    // than its readers and may not get a core back at once.
                    if let Some(kf) = keys.open() {
                        let kf = std::sync::Arc::new(kf);
                        debug_assert_eq!(kf.stamp(), keys.stamp);
                        if shares {
                            shared::put(&path, &kf);
                        }
                        opened = Some(kf);
                    }
                    published = Some(keys);
                }
                Ok(out)
            });
            if out.is_err() {
                if let Some(keys) = published.take() {
                    keys.discard();
                }
                // The stamp of a transaction that did not commit will be the next
                // one's: its file must not be found under it.
                if let Some(kf) = opened.take() {
                    shared::forget(&path, &kf);
                }
            }
            if published.is_some() {
                *self.keys.borrow_mut() = opened;
            }
            drop(guard);
            out?
        };
        self.checkpoint();
        if let Some(keys) = published {
            keys.publish(&self.path);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::fuzzy::{MatchOptions, Matcher};

    thread_local! {
        /// Languages whose key file this thread extended instead of building it whole.
        pub(super) static EXTENDED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    use crate::lang::{LangRange, LangTag};
    use crate::store::Memory;
    use crate::unit::{Unit, Variant};

    fn unit(en: &str, ko: &str) -> Unit {
        Unit::new(vec![
            Variant::new(LangTag::parse("en").unwrap(), en),
            Variant::new(LangTag::parse("ko").unwrap(), ko),
        ])
    }

    fn add(m: &mut Memory, units: Vec<Unit>) {
        m.import(&["t"], |imp| {
            for u in units {
                imp.add(u)?;
            }
            Ok(())
        })
        .unwrap();
    }

    fn matches(m: &Memory, q: &str) -> (Vec<i64>, Vec<i64>) {
        let en = LangRange::parse("en").unwrap();
        let opts = MatchOptions {
            limit: 5,
            min_score: 50.0,
        };
        let mut matcher = Matcher::new(m).unwrap();
        let ids = |v: Vec<crate::fuzzy::Match>| v.iter().map(|m| m.id).collect::<Vec<_>>();
        let fast = ids(matcher.find(q, &en, opts).unwrap());
        let brute = ids(matcher.brute_force(q, &en, opts).unwrap());
        (fast, brute)
    }

    /// Concordance reloaded every language's length table (2 MB per language per million
    /// ids) on every search; a connection now keeps it while the memory's generation is
    /// unchanged. A table cached before another connection's import or delete must not
    /// be used after it: the new units' ids lie beyond its end (concordance's id set is
    /// bounded by it), so they would be missed.
    #[test]
    fn length_table_cache_follows_other_connections_imports() {
        use crate::fuzzy::concordance;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![unit("The talks were constructive.", "회담은 건설적이었다.")],
        );
        let r = Memory::open_existing(&db).unwrap();
        let ids = |hits: Vec<concordance::Hit>| hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(
            ids(concordance::search(&r, "talks", None, 20).unwrap()),
            [1]
        );
        let table = |m: &Memory| {
            let _t = m.read_tx().unwrap();
            let lang = m.index_languages().unwrap().remove(0);
            m.index_reader(lang).unwrap().lens
        };
        let first = table(&r);
        assert!(
            std::sync::Arc::ptr_eq(&first, &table(&r)),
            "the length table was loaded again although the memory did not change"
        );
        add(
            &mut w,
            (0..100)
                .map(|i| unit(&format!("The talks of day {i}."), "회담"))
                .collect(),
        );
        let after = table(&r);
        assert!(after.len() > first.len());
        let found = ids(concordance::search(&r, "talks", None, 200).unwrap());
        assert_eq!(found, (1..=101).collect::<Vec<i64>>());
        w.delete(&[2, 3]).unwrap();
        let found = ids(concordance::search(&r, "talks", None, 200).unwrap());
        assert_eq!(found.len(), 99);
        assert!(!std::sync::Arc::ptr_eq(&after, &table(&r)));
    }

    /// A server makes a matcher per request, and each looked up the document frequency
    /// of every token of its query in SQLite again (12% of a loaded server's CPU in a
    /// profile). The connection now keeps them per generation: a second reader answers
    /// from the cache with the same values, and after another connection's import the
    /// new counts are read, not the cached ones.
    #[test]
    fn document_frequencies_are_kept_per_generation() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![
                unit("The talks were constructive.", "회담은 건설적이었다."),
                unit("The talks ended.", "회담이 끝났다."),
            ],
        );
        let r = Memory::open_existing(&db).unwrap();
        let tokens = {
            let _t = r.read_tx().unwrap();
            let q = r.index_languages().unwrap().remove(0).q;
            let chars: Vec<char> = crate::text::match_key("The talks").chars().collect();
            let mut t = Vec::new();
            crate::qgram::key_tokens(&chars, q, &mut Default::default(), &mut t);
            t
        };
        let dfs = |m: &Memory| -> Vec<u64> {
            let _t = m.read_tx().unwrap();
            let lang = m.index_languages().unwrap().remove(0);
            let reader = m.index_reader(lang).unwrap();
            tokens.iter().map(|&t| reader.df(t).unwrap()).collect()
        };
        let sql = |m: &Memory| -> Vec<u64> {
            let _t = m.read_tx().unwrap();
            let lang = m.index_languages().unwrap().remove(0);
            tokens
                .iter()
                .map(|&t| {
                    m.conn
                        .query_row(
                            "SELECT coalesce(sum(n), 0) FROM fz_post WHERE lang = ?1 AND token = ?2",
                            rusqlite::params![lang.id, t as i64],
                            |r| r.get::<_, i64>(0),
                        )
                        .unwrap() as u64
                })
                .collect()
        };
        let first = dfs(&r);
        assert!(first.contains(&2), "{first:?}");
        assert_eq!(first, sql(&r));
        // From the cache: the same values.
        assert_eq!(dfs(&r), first);
        add(
            &mut w,
            (0..5)
                .map(|i| unit(&format!("The talks of day {i}."), "회담"))
                .collect(),
        );
        let after = dfs(&r);
        assert_eq!(after, sql(&r));
        assert!(after.iter().zip(&first).any(|(a, b)| a > b), "{after:?}");
    }

    /// After an import by one connection, the server's other connections used to find
    /// the key file on disk stale until the writer had rewritten it, and each rebuilt
    /// it (several seconds at 100,000 units, on every reader at once): match p99 of
    /// seconds after every import. The writer now builds the file inside its
    /// transaction and hands it to the process's other connections as it commits.
    #[test]
    fn import_hands_its_key_file_to_the_other_connections() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![unit("The talks were constructive.", "회담은 건설적이었다.")],
        );
        let r = Memory::open_existing(&db).unwrap();
        let (fast, brute) = matches(&r, "The talks were constructive today.");
        assert_eq!((fast.len(), &fast), (1, &brute));
        let before = {
            let _t = r.read_tx().unwrap();
            r.key_file().unwrap()
        };

        add(
            &mut w,
            vec![unit(
                "The talks were constructive and open.",
                "회담은 건설적이고 열려 있었다.",
            )],
        );
        let (mine, stamp) = {
            let _t = w.read_tx().unwrap();
            let k = w.key_file().unwrap();
            (k.clone(), k.stamp())
        };
        assert_eq!(stamp, (before.stamp().0, before.stamp().1 + 1));
        let theirs = {
            let _t = r.read_tx().unwrap();
            r.key_file().unwrap()
        };
        assert!(
            std::sync::Arc::ptr_eq(&mine, &theirs),
            "the reader built its own key file"
        );
        // The file beside the memory is current too (for other processes).
        assert!(
            crate::keystore::KeyFile::open(&crate::keystore::path_for(&db), stamp.0, stamp.1)
                .is_some()
        );
        let (fast, brute) = matches(&r, "The talks were constructive today.");
        assert_eq!((fast.len(), &fast), (2, &brute));

        // A delete hands its file over the same way.
        w.delete(&[1]).unwrap();
        let mine = {
            let _t = w.read_tx().unwrap();
            w.key_file().unwrap()
        };
        let theirs = {
            let _t = r.read_tx().unwrap();
            r.key_file().unwrap()
        };
        assert!(std::sync::Arc::ptr_eq(&mine, &theirs));
        let (fast, brute) = matches(&r, "The talks were constructive today.");
        assert_eq!((fast, brute), (vec![2], vec![2]));
    }

    /// The key file an import writes (one language at a time, into a temporary file
    /// renamed after the commit) is the file a rebuild from the stored segments makes,
    /// byte for byte, and no temporary file is left beside the memory, after a
    /// committed import nor after a failed one.
    #[test]
    fn import_key_file_equals_a_rebuild_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut w = Memory::open(&db).unwrap();
        let zh = LangTag::parse("zh").unwrap();
        let en = LangTag::parse("en").unwrap();
        let mut units = Vec::new();
        for i in 0..300 {
            units.push(Unit::new(vec![
                Variant::new(
                    en.clone(),
                    format!("The talks of day {i} were constructive."),
                ),
                Variant::new(zh.clone(), format!("第{i}天的會談是建設性的。")),
            ]));
        }
        units.push(unit("The talks were open.", "회담은 열려 있었다."));
        add(&mut w, units);
        let kp = crate::keystore::path_for(&db);
        let published = std::fs::read(&kp).unwrap();
        let leftovers = |dir: &std::path::Path| {
            std::fs::read_dir(dir)
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .contains(".tmp")
                })
                .count()
        };
        assert_eq!(leftovers(dir.path()), 0);
        // The temporary file of a process that was killed is removed by the next write;
        // one of a running process (this one) is kept.
        let dead = {
            let mut s = kp.as_os_str().to_os_string();
            s.push(".tmp4194399-0");
            std::path::PathBuf::from(s)
        };
        let alive = crate::keystore::temp_path(&kp);
        std::fs::write(&dead, b"left by a kill -9").unwrap();
        std::fs::write(&alive, b"being written").unwrap();
        let failed = w.import(&["broken"], |imp| {
            imp.add(unit("Another sentence.", "다른 문장."))?;
            Err(crate::Error::bad_request("the file broke half-way"))
        });
        assert!(failed.is_err());
        assert!(!dead.exists() || !std::path::Path::new("/proc/self").exists());
        assert!(alive.exists());
        std::fs::remove_file(&alive).unwrap();
        assert_eq!(leftovers(dir.path()), 0);
        drop(w);
        std::fs::remove_file(&kp).unwrap();
        let r = Memory::open_existing(&db).unwrap();
        {
            let _t = r.read_tx().unwrap();
            r.key_file().unwrap();
        }
        assert_eq!(std::fs::read(&kp).unwrap(), published);
        // Three languages, and the same bytes as the all-in-RAM builder gives.
        let mut b = crate::keystore::Builder::new();
        r.for_each_unit(&[], 0, |u| {
            for v in &u.variants {
                b.add(u.id.unwrap(), &v.lang, &v.text);
            }
            Ok(())
        })
        .unwrap();
        let stamp = {
            let _t = r.read_tx().unwrap();
            r.key_file().unwrap().stamp()
        };
        assert_eq!(b.to_bytes(stamp.0, stamp.1), published);
        assert_eq!(leftovers(dir.path()), 0);
    }

    /// An import into a memory of 100,000 units used to key and sort every segment of
    /// the memory again for its key file (5 s of an import of 10,000 units, while the
    /// server's matches waited for the cores). It now extends the file the memory had
    /// with the new units' keys; the file must stay what a rebuild from the segments
    /// gives, byte for byte, through imports that add characters (Korean past 255 of
    /// them: one-byte codes widen), a new language, duplicates only, a failed import,
    /// deletes (which rebuild) and imports after them, in this connection and in a
    /// new one (which reads the file beside the memory), and matches stay exact.
    #[test]
    fn import_extends_the_key_file_and_it_equals_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let zh = LangTag::parse("zh").unwrap();
        let rebuilt = |m: &Memory| {
            let mut b = crate::keystore::Builder::new();
            m.for_each_unit(&[], 0, |u| {
                for v in &u.variants {
                    b.add(u.id.unwrap(), &v.lang, &v.text);
                }
                Ok(())
            })
            .unwrap();
            let stamp = {
                let _t = m.read_tx().unwrap();
                m.key_file().unwrap().stamp()
            };
            b.to_bytes(stamp.0, stamp.1)
        };
        let check = |m: &Memory, what: &str| {
            let on_disk = std::fs::read(crate::keystore::path_for(&db)).unwrap();
            assert!(
                on_disk == rebuilt(m),
                "{what}: the key file is not a rebuild's"
            );
            let (fast, brute) = matches(m, "The talks of day 7 were constructive.");
            assert_eq!(fast, brute, "{what}");
        };
        let extended = || EXTENDED.with(|n| n.replace(0));
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            (0..50)
                .map(|i| {
                    unit(
                        &format!("The talks of day {i} were constructive."),
                        &format!("{i}일의 회담은 건설적이었다."),
                    )
                })
                .collect(),
        );
        assert_eq!(extended(), 0, "the first import has nothing to extend");
        check(&w, "first import");
        // Many new Hangul syllables: the Korean alphabet passes 255 characters.
        add(
            &mut w,
            (0..120u32)
                .map(|i| {
                    let a = char::from_u32(0xAC00 + 3 * i).unwrap();
                    let b = char::from_u32(0xAC01 + 3 * i).unwrap();
                    let c = char::from_u32(0xAC02 + 3 * i).unwrap();
                    unit(
                        &format!("The talks of day {i} were constructive and open."),
                        &format!("{a}{b}{c} 회담은 건설적이었다."),
                    )
                })
                .collect(),
        );
        assert_eq!(extended(), 2, "en and ko are extended");
        check(&w, "new characters");
        // A new language, and units that tie with older keys.
        add(
            &mut w,
            vec![
                Unit::new(vec![
                    Variant::new(
                        LangTag::parse("en").unwrap(),
                        "The talks were constructive.",
                    ),
                    Variant::new(zh.clone(), "会谈是建设性的。"),
                ]),
                unit(
                    "The talks of day 3 were constructive.",
                    "3일 회담은 건설적이었다.",
                ),
            ],
        );
        assert_eq!(extended(), 2, "zh is built, en and ko extended");
        check(&w, "a new language");
        add(
            &mut w,
            vec![unit(
                "The talks of day 3 were constructive.",
                "3일 회담은 건설적이었다.",
            )],
        );
        assert_eq!(extended(), 0, "duplicates only: the file stays");
        check(&w, "duplicates only");
        let failed = w.import(&["broken"], |imp| {
            imp.add(unit("A sentence that never lands.", "착륙하지 않는 문장."))?;
            Err(crate::Error::bad_request("the file broke half-way"))
        });
        assert!(failed.is_err());
        check(&w, "a failed import");
        w.delete(&[2, 60, 171]).unwrap();
        check(&w, "a delete");
        // Unit 2 again, under a new id.
        add(
            &mut w,
            vec![unit(
                "The talks of day 1 were constructive.",
                "1일의 회담은 건설적이었다.",
            )],
        );
        assert_eq!(extended(), 2, "after a delete");
        check(&w, "an import after a delete");
        drop(w);
        // Another connection (another process) extends the file beside the memory.
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![unit(
                "The talks resumed on day 99.",
                "회담은 99일에 재개되었다.",
            )],
        );
        assert_eq!(extended(), 2, "from the file beside the memory");
        check(&w, "a new connection");
        // A file beside the memory that is not current is not extended.
        drop(w);
        std::fs::write(crate::keystore::path_for(&db), b"not a key file").unwrap();
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![unit(
                "The talks resumed on day 98.",
                "회담은 98일에 재개되었다.",
            )],
        );
        assert_eq!(extended(), 0, "no current file: built whole");
        check(&w, "without a current file");
    }

    #[test]
    fn a_failed_import_publishes_no_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut w = Memory::open(&db).unwrap();
        add(
            &mut w,
            vec![unit("The talks were constructive.", "회담은 건설적이었다.")],
        );
        let stamp = {
            let _t = w.read_tx().unwrap();
            w.key_file().unwrap().stamp()
        };
        let failed = w.import(&["broken"], |imp| {
            imp.add(unit(
                "The talks were constructive and open.",
                "회담은 열려 있었다.",
            ))?;
            Err(crate::Error::bad_request("the file broke half-way"))
        });
        assert!(failed.is_err());
        let r = Memory::open_existing(&db).unwrap();
        let _t = r.read_tx().unwrap();
        assert_eq!(r.key_file().unwrap().stamp(), stamp);
        assert!(
            crate::keystore::KeyFile::open(&crate::keystore::path_for(&db), stamp.0, stamp.1)
                .is_some()
        );
    }

    #[test]
    fn generations_count_unit_and_glossary_writes() {
        let mut m = Memory::open_in_memory().unwrap();
        let g0 = m.generations().unwrap();
        add(&mut m, vec![unit("Hello.", "안녕하세요.")]);
        let g1 = m.generations().unwrap();
        assert_eq!((g1.units, g1.glossary), (g0.units + 1, g0.glossary));
        // Nothing added: nothing changed.
        add(&mut m, vec![unit("Hello.", "안녕하세요.")]);
        assert_eq!(m.generations().unwrap(), g1);
        let g = crate::glossary::Glossary::from_csv_str(
            "id,en,ko\ndprk,North Korea,북한\n",
            std::path::Path::new("g.csv"),
            &crate::formats::glossary::CsvOptions::default(),
        )
        .unwrap();
        m.import_glossary(&["g.csv"], &g).unwrap();
        let g2 = m.generations().unwrap();
        assert_eq!((g2.units, g2.glossary), (g1.units, g1.glossary + 1));
        m.replace_glossary(&["g.csv"], &g).unwrap();
        assert_eq!(m.generations().unwrap().glossary, g2.glossary + 1);
        m.delete(&[1]).unwrap();
        assert_eq!(m.generations().unwrap().units, g2.units + 1);
    }
}
