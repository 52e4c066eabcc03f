//! The server's shared state: a pool of read connections, one writer, the limits, the
//! token cache and the glossary cache.
//!
//! SQLite in WAL mode lets any number of readers work while one writer commits; each
//! read connection sees the last committed state when its read transaction begins. The
//! pool hands a connection to one blocking task at a time ([`State::read`]); the writer
//! is one connection behind a mutex ([`State::write`]), so writes are serialized, and
//! every library write is one transaction (all or nothing). All database and matching
//! work runs on tokio's blocking threads, never on the async workers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use super::Limits;
use crate::glossary::Glossary;
use crate::lint::memory::{Alignments, SourceIndexes};
use crate::lint::CompiledGlossary;
use crate::store::tokens::{token_digest, Scope, TokenRecord};
use crate::store::{Generations, Memory};

/// How long cached tokens are trusted before they are read again (a token revoked with
/// the CLI stops working within this time).
const CACHE_TTL: Duration = Duration::from_secs(2);

/// Progress of the import that is running, if any.
#[derive(Debug, Default)]
pub struct ImportProgress {
    /// True while an import runs.
    pub running: std::sync::atomic::AtomicBool,
    /// Units read so far by the running import (or the last one).
    pub read: AtomicU64,
    /// Imports finished since the server started.
    pub finished: AtomicU64,
}

/// Shared by every request.
pub struct State {
    pub(crate) db: PathBuf,
    pub(crate) limits: Limits,
    /// True when the server is bound to a loopback address only.
    pub(crate) loopback: bool,
    /// Connections of the light reads (match, search, terms, units, stats): heavy
    /// work never holds one, so a match never queues behind a lint or an export.
    light: Pool,
    /// Connections of the heavy reads (batch match, lint, export), one per heavy slot.
    heavy: Pool,
    /// The one writer, owned by the writer thread ([`writer_thread`]); writes are jobs
    /// sent to it, done one after the other.
    writer: Mutex<std::sync::mpsc::Sender<WriteJob>>,
    tokens: Mutex<Option<(Instant, Arc<Vec<TokenRecord>>)>>,
    /// The glossary with its compiled term rules, for one glossary generation.
    glossary: Mutex<Option<(i64, Arc<CompiledGlossary>)>>,
    /// The memory's 100%-match indexes (lint's memory-mismatch), for one generation of
    /// the units.
    lookups: Mutex<Option<(i64, Arc<SourceIndexes>)>>,
    /// The memory's alignment statistics (lint's *where the term went*), for one
    /// generation of the units and of the glossary.
    alignments: Mutex<Option<(Generations, Arc<Alignments>)>>,
    /// Progress of imports (what `GET /v1/import/status` shows).
    pub import: ImportProgress,
    spool: Spool,
}

impl State {
    /// Open the memory at `db` (it must exist): `limits.readers` connections for light
    /// reads, `limits.heavy` for heavy ones, and one writer.
    pub fn open(db: &Path, limits: Limits, loopback: bool) -> crate::Result<State> {
        let writer = Memory::open_existing(db)?;
        Ok(State {
            db: db.to_path_buf(),
            light: Pool::open(db, limits.readers)?,
            heavy: Pool::open(db, limits.heavy)?,
            writer: Mutex::new(writer_thread(writer)?),
            limits,
            loopback,
            tokens: Mutex::new(None),
            glossary: Mutex::new(None),
            lookups: Mutex::new(None),
            alignments: Mutex::new(None),
            import: ImportProgress::default(),
            spool: Spool::new()?,
        })
    }

    /// Run `f` with a connection of the light pool on a blocking thread. Waits at most
    /// `limits.queue_wait` for a free connection, then answers 503.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = acquire(&self.light.slots, self.limits.queue_wait).await?;
        self.run_on(permit, false, f).await
    }

    /// Run `f` on a blocking thread with a connection of the pool that `permit` is a slot
    /// of (the heavy pool when `heavy`).
    async fn run_on<T, F>(
        self: &Arc<Self>,
        permit: OwnedSemaphorePermit,
        heavy: bool,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let state = Arc::clone(self);
        run_blocking(move || {
            let pool = if heavy { &state.heavy } else { &state.light };
            let mem = pool.take();
            let out = f(&mem);
            pool.put(mem);
            drop(permit);
            out
        })
        .await
        .map_err(|e| self.hide(e))
    }

    /// Remove the server's paths (the memory file, the spool) from an error message.
    fn hide(&self, e: ApiError) -> ApiError {
        let db = self.db.display().to_string();
        let spool = format!("{}/", self.spool.dir().display());
        e.hide_paths(&[(&spool, ""), (&db, "the memory")])
    }

    /// Like [`State::read`] for heavy work (batch match, lint): one of the `limits.heavy`
    /// slots, each with a connection of its own, so heavy work never takes a
    /// connection from the light reads.
    pub async fn read_heavy<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = self.heavy_permit().await?;
        self.run_on(permit, true, f).await
    }

    /// Run `f` with the heavy connection of `permit` (from [`State::heavy_permit`]).
    pub async fn read_with_heavy<T, F>(
        self: &Arc<Self>,
        permit: OwnedSemaphorePermit,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        self.run_on(permit, true, f).await
    }

    /// One of the `limits.heavy` slots, or 503 after `limits.queue_wait`.
    pub async fn heavy_permit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        acquire(&self.heavy.slots, self.limits.queue_wait).await
    }

    /// Run `f` with the one writer on the writer thread. Writes queue behind each other
    /// (reads never wait for them); the glossary cache is dropped afterwards.
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let state = Arc::clone(self);
        let job: WriteJob = Box::new(move |mem| {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(mem)));
            *state.glossary.lock().unwrap_or_else(|p| p.into_inner()) = None;
            let _ = tx.send(out);
        });
        let sent = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job)
            .is_ok();
        let out = match (sent, rx.await) {
            (true, Ok(Ok(out))) => out,
            _ => Err(ApiError::internal("the request failed inside the server")),
        };
        out.map_err(|e| self.hide(e))
    }

    /// The stored tokens (cached for two seconds).
    pub async fn tokens(self: &Arc<Self>) -> Result<Arc<Vec<TokenRecord>>, ApiError> {
        if let Some((at, t)) = &*self.tokens.lock().unwrap_or_else(|p| p.into_inner()) {
            if at.elapsed() < CACHE_TTL {
                return Ok(Arc::clone(t));
            }
        }
        let fresh = Arc::new(self.read(|m| Ok(m.tokens()?)).await?);
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// The scope of a presented token, or `None` when no stored token matches. Every
    /// stored digest is compared, each in constant time.
    pub async fn token_scope(self: &Arc<Self>, token: &str) -> Result<Option<Scope>, ApiError> {
        let digest = token_digest(token);
        let mut found = None;
        for t in self.tokens().await?.iter() {
            if t.matches(&digest) {
                found = Some(t.scope);
            }
        }
        Ok(found)
    }

    /// The memory's glossary, read on the calling (blocking) thread with `mem` when it
    /// changed since it was last read (its generation, [`Memory::generations`]).
    pub fn glossary(&self, mem: &Memory) -> Result<Arc<Glossary>, ApiError> {
        Ok(Arc::clone(self.compiled_glossary(mem)?.glossary()))
    }

    /// The memory's glossary with its term rules compiled once and shared by every lint
    /// (built anew when the glossary changes).
    pub fn compiled_glossary(&self, mem: &Memory) -> Result<Arc<CompiledGlossary>, ApiError> {
        let generation = mem.generations()?.glossary;
        if let Some((g, c)) = &*self.glossary.lock().unwrap_or_else(|p| p.into_inner()) {
            if *g == generation {
                return Ok(Arc::clone(c));
            }
        }
        let c = Arc::new(CompiledGlossary::new(Arc::new(mem.glossary()?)));
        *self.glossary.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((generation, Arc::clone(&c)));
        Ok(c)
    }

    /// The memory's 100%-match indexes for lint, kept while the units do not change.
    pub fn lookups(&self, mem: &Memory) -> Result<Arc<SourceIndexes>, ApiError> {
        let generation = mem.generations()?.units;
        let mut kept = self.lookups.lock().unwrap_or_else(|p| p.into_inner());
        match &*kept {
            Some((g, l)) if *g == generation => Ok(Arc::clone(l)),
            _ => {
                let l = Arc::new(SourceIndexes::new());
                *kept = Some((generation, Arc::clone(&l)));
                Ok(l)
            }
        }
    }

    /// The memory's alignment statistics for lint (where a missing term went), kept while
    /// neither the units nor the glossary change: the first lint of a language pair
    /// learns them on its blocking thread (bounded as the CLI's learning is), the others
    /// share them.
    pub fn alignments(&self, mem: &Memory) -> Result<Arc<Alignments>, ApiError> {
        let generations = mem.generations()?;
        let mut kept = self.alignments.lock().unwrap_or_else(|p| p.into_inner());
        match &*kept {
            Some((g, a)) if *g == generations => Ok(Arc::clone(a)),
            _ => {
                let a = Arc::new(Alignments::new());
                *kept = Some((generations, Arc::clone(&a)));
                Ok(a)
            }
        }
    }

    /// The spool of uploaded files.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }
}

/// Read connections, each lent to one blocking task at a time; a permit of `slots`
/// guarantees a free one.
struct Pool {
    conns: Mutex<Vec<Memory>>,
    slots: Arc<Semaphore>,
}

impl Pool {
    fn open(db: &Path, n: usize) -> crate::Result<Pool> {
        let conns = (0..n.max(1))
            .map(|_| Memory::open_existing(db))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(Pool {
            slots: Arc::new(Semaphore::new(conns.len())),
            conns: Mutex::new(conns),
        })
    }

    fn take(&self) -> Memory {
        self.conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .expect("a permit guarantees a free connection")
    }

    fn put(&self, mem: Memory) {
        self.conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(mem);
    }
}

/// A write: done on the writer thread with the writer.
type WriteJob = Box<dyn FnOnce(&mut Memory) + Send>;

/// Start the writer thread, which owns `writer` and does the write jobs sent to it in
/// order, until the state (the sender) is dropped. A long import holds this thread, not
/// one of the blocking threads the reads run on. (It keeps the normal CPU priority: at a
/// lower one, an import on a server saturated with reads would hardly progress.)
fn writer_thread(writer: Memory) -> crate::Result<std::sync::mpsc::Sender<WriteJob>> {
    let (tx, rx) = std::sync::mpsc::channel::<WriteJob>();
    std::thread::Builder::new()
        .name("concord-writer".into())
        .spawn(move || {
            let mut mem = writer;
            while let Ok(job) = rx.recv() {
                job(&mut mem);
            }
        })
        .map_err(|e| {
            crate::Error::new(
                crate::error::ErrorKind::Internal,
                format!("cannot start the writer thread: {e}"),
            )
        })?;
    Ok(tx)
}

async fn acquire(sem: &Arc<Semaphore>, wait: Duration) -> Result<OwnedSemaphorePermit, ApiError> {
    match tokio::time::timeout(wait, Arc::clone(sem).acquire_owned()).await {
        Ok(Ok(p)) => Ok(p),
        _ => Err(ApiError::busy()),
    }
}

/// Run blocking work on tokio's blocking pool; a panic becomes a 500 answer.
pub async fn run_blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(_) => Err(ApiError::internal("the request failed inside the server")),
    }
}

/// A private directory for uploaded drafts and memory files. The library's readers take
/// a path; the server writes each upload to a file whose name it makes itself (a
/// counter and the format's extension), so nothing in a request names a path. The
/// directory is removed when the server stops.
pub struct Spool {
    dir: PathBuf,
    next: AtomicU64,
}

impl Spool {
    fn new() -> crate::Result<Spool> {
        let mut rand = [0u8; 8];
        getrandom::fill(&mut rand).map_err(|e| {
            crate::Error::new(
                crate::error::ErrorKind::Internal,
                format!("cannot draw a random name: {e}"),
            )
        })?;
        let name: String = rand.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("concord-serve-{name}"));
        std::fs::create_dir(&dir).map_err(|e| crate::Error::io(&dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| crate::Error::io(&dir, e))?;
        }
        Ok(Spool {
            dir,
            next: AtomicU64::new(1),
        })
    }

    /// The spool directory (to hide it from error messages).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write `bytes` to a new spool file named after `label` (the client's name for the
    /// upload, reduced to letters, digits, `-`, `_` and `.`, so it can name no other
    /// place) with the extension `ext` (one of the server's own format names). Each
    /// upload gets a directory of its own; both are removed when the guard is dropped.
    pub fn put(&self, label: &str, ext: &'static str, bytes: &[u8]) -> Result<SpoolFile, ApiError> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let dir = self.dir.join(format!("u{n}"));
        std::fs::create_dir(&dir)
            .map_err(|_| ApiError::internal("cannot store the upload for reading"))?;
        let name = file_label(label, ext);
        let path = dir.join(&name);
        let file = SpoolFile { dir, path, name };
        std::fs::write(&file.path, bytes)
            .map_err(|_| ApiError::internal("cannot store the upload for reading"))?;
        Ok(file)
    }
}

/// A safe file name for an upload: the label's letters, digits, `-`, `_` and `.` (at
/// most 80 characters, no leading dot), ending in `.ext`.
pub fn file_label(label: &str, ext: &str) -> String {
    let base = label.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = base
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(80)
        .collect();
    while name.starts_with('.') {
        name.remove(0);
    }
    if name.is_empty() {
        name = "upload".to_string();
    }
    let want = format!(".{ext}");
    if !name.to_ascii_lowercase().ends_with(&want) {
        name.push_str(&want);
    }
    name
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A spooled upload; removed on drop.
pub struct SpoolFile {
    dir: PathBuf,
    path: PathBuf,
    name: String,
}

impl SpoolFile {
    /// Its path (inside the spool directory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its file name (what errors and findings show).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path as text, and what to show instead (for [`ApiError::hide_paths`]).
    pub fn hide(&self) -> (String, String) {
        (self.path.display().to_string(), self.name.clone())
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
