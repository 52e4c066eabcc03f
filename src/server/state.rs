//! The server's shared state: a pool of read connections, one writer, the limits, the
//! token cache and the glossary cache.
//!
//! SQLite in WAL mode lets any number of readers work while one writer commits; each
//! read connection sees the last committed state when its read transaction begins. The
//! pool hands a connection to one blocking task at a time ([`State::read`]); the writer
//! is one connection behind a mutex ([`State::write`]), so writes are serialized, and
//! every library write is one transaction (all or nothing). No database or matching
//! work runs on the async workers.
//!
//! **Scheduling policy: interactive reads before bulk work.** The cores are shared by
//! three kinds of work, each on threads of its own so that its CPU priority can be set
//! per thread (Linux: a thread's nice value is its own, and an unprivileged thread can
//! lower it but never raise it again, so niced work cannot share threads with work that
//! must not be):
//!
//! * interactive reads (match, search, terms, units, stats, the tmserver routes:
//!   [`State::read`], [`State::read_interactive`]) on tokio's blocking threads, at the
//!   process's priority; match (and the tmserver match) and, in a lane of their own,
//!   the look-ups (search, terms) also take one of [`Limits::interactive`] CPU slots
//!   of their lane in the order they came (FIFO), so a look-up never waits behind
//!   matches, and a match scans with [`Limits::scan_threads`] threads. A bound of one
//!   match per core with one scan thread each (FIFO instead of time slices) is a
//!   setting (`--interactive 2 --scan-threads 1` on two cores), not the default: on
//!   the load bench's two cores, shared with other work, it answered matches later
//!   than time slicing (README, serve section);
//! * bulk reads (lint, batch match, export, analyze, pretranslate:
//!   [`State::read_heavy`]) on `limits.heavy` dedicated *bulk* threads, started with the
//!   server, [`Limits::bulk_nice`] steps below the interactive reads; a request waits for
//!   a heavy slot (503 after `limits.queue_wait`), and a slot always finds a free thread;
//! * writes (import, units, glossary, delete: [`State::write`]) on the one writer
//!   thread, [`Limits::writer_nice`] steps below.
//!
//! The kernel's scheduler then gives a runnable interactive read a larger share of a
//! core than a runnable lint or import (a weight, not a strict order: bulk work and
//! writes always progress, and take the cores whole when no read wants them), so a
//! match waits less for a core while lints and an import run. What a lint derives from
//! the memory per generation (the 100% index, the alignment statistics) is built by the
//! first lint that needs it, on its bulk thread, so at the bulk priority too.

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
    /// The CPU slots of the interactive reads ([`State::read_interactive`]), per
    /// [`Lane`] (matches, look-ups): `limits.interactive` in each, handed out first
    /// come, first served.
    interactive: [Arc<Semaphore>; 2],
    /// Connections of the heavy reads (batch match, lint, export), one per heavy slot.
    heavy: Pool,
    /// Connections of the look-ups (search, terms), one per slot of their lane, so that
    /// matches holding every light connection never keep a look-up waiting.
    lookup: Pool,
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
    /// The writer thread's nice value once it has applied [`Limits::writer_nice`]
    /// (`None` before, or where it cannot be read).
    writer_priority: Arc<Mutex<Option<i32>>>,
    /// The threads of bulk work (one per heavy slot), at [`Limits::bulk_nice`].
    bulk: Workers,
}

impl State {
    /// Open the memory at `db` (it must exist): `limits.readers` connections for light
    /// reads, `limits.heavy` for heavy ones, and one writer.
    pub fn open(db: &Path, limits: Limits, loopback: bool) -> crate::Result<State> {
        let writer = Memory::open_existing(db)?;
        let writer_priority = Arc::new(Mutex::new(None));
        Ok(State {
            db: db.to_path_buf(),
            light: Pool::open(db, limits.readers)?,
            interactive: [
                Arc::new(Semaphore::new(limits.interactive.max(1))),
                Arc::new(Semaphore::new(limits.interactive.max(1))),
            ],
            heavy: Pool::open(db, limits.heavy)?,
            lookup: Pool::open(db, limits.interactive)?,
            writer: Mutex::new(writer_thread(
                writer,
                limits.writer_nice,
                Arc::clone(&writer_priority),
            )?),
            writer_priority,
            bulk: Workers::start("concord-bulk", limits.heavy.max(1), limits.bulk_nice)?,
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
        self.run_on(permit, Conns::Light, f).await
    }

    /// Run an interactive read (match, search, terms): `f` gets a connection (a match
    /// one of the light pool, a look-up one of the look-ups' own) and the threads one match may scan with ([`Limits::scan_threads`]).
    /// It first waits for one of the `limits.interactive` CPU slots of its [`Lane`], in
    /// the order the requests came (tokio's semaphore is fair), at most
    /// `limits.queue_wait` (then 503), so that no more matches compute at once than
    /// there are cores for, and a look-up (about a tenth of a match's work) never waits
    /// behind matches. Returns the answer with where its time went ([`Timing`]).
    pub async fn read_interactive<T, F>(
        self: &Arc<Self>,
        lane: Lane,
        f: F,
    ) -> Result<(T, Timing), ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory, usize) -> Result<T, ApiError> + Send + 'static,
    {
        let came = Instant::now();
        let cpu_slot = acquire(&self.interactive[lane as usize], self.limits.queue_wait).await?;
        let left = self.limits.queue_wait.saturating_sub(came.elapsed());
        let (conns, which) = match lane {
            Lane::Match => (&self.light.slots, Conns::Light),
            Lane::Lookup => (&self.lookup.slots, Conns::Lookup),
        };
        let permit = acquire(conns, left).await?;
        let threads = self.limits.scan_threads.max(1);
        let out = self
            .run_on(permit, which, move |mem| {
                let queue = came.elapsed();
                let cpu0 = crate::cpu::thread_time();
                let out = f(mem, threads);
                let timing = Timing {
                    queue,
                    run: came.elapsed() - queue,
                    cpu: crate::cpu::thread_time()
                        .zip(cpu0)
                        .map(|(b, a)| b.saturating_sub(a)),
                };
                out.map(|o| (o, timing))
            })
            .await;
        drop(cpu_slot);
        out
    }

    /// Run `f` with a connection of the pool `which` that `permit` is a slot of: for
    /// the light and look-up pools on one of tokio's blocking threads, for the heavy
    /// pool on a bulk thread, at the bulk priority.
    async fn run_on<T, F>(
        self: &Arc<Self>,
        permit: OwnedSemaphorePermit,
        which: Conns,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let state = Arc::clone(self);
        let job = move || {
            let pool = match which {
                Conns::Light => &state.light,
                Conns::Heavy => &state.heavy,
                Conns::Lookup => &state.lookup,
            };
            let mem = pool.take();
            let out = f(&mem);
            pool.put(mem);
            drop(permit);
            out
        };
        let out = if which == Conns::Heavy {
            self.bulk.run(job).await
        } else {
            run_blocking(job).await
        };
        out.map_err(|e| self.hide(e))
    }

    /// Remove the server's paths (the memory file, the spool) from an error message.
    fn hide(&self, e: ApiError) -> ApiError {
        let db = self.db.display().to_string();
        let spool = format!("{}/", self.spool.dir().display());
        e.hide_paths(&[(&spool, ""), (&db, "the memory")])
    }

    /// Like [`State::read`] for heavy work (batch match, lint, export, analyze,
    /// pretranslate): one of the `limits.heavy` slots, each with a connection of its own,
    /// so heavy work never takes a connection from the light reads, run on a bulk thread
    /// at [`Limits::bulk_nice`] below the light reads (see the module's scheduling
    /// policy).
    pub async fn read_heavy<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = self.heavy_permit().await?;
        self.run_on(permit, Conns::Heavy, f).await
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
        self.run_on(permit, Conns::Heavy, f).await
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
        let state = Arc::clone(self);
        let out = on_thread(&self.writer, |tx| -> WriteJob {
            Box::new(move |mem| {
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(mem)));
                *state.glossary.lock().unwrap_or_else(|p| p.into_inner()) = None;
                let _ = tx.send(out);
            })
        })
        .await;
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

    /// The writer thread's nice value (Linux), once the thread has started and lowered
    /// its priority by [`Limits::writer_nice`]; `None` elsewhere.
    pub fn writer_nice(&self) -> Option<i32> {
        *self
            .writer_priority
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The nice values (Linux) of the bulk threads that have started and lowered their
    /// priority by [`Limits::bulk_nice`] so far; empty elsewhere.
    pub fn bulk_nice(&self) -> Vec<i32> {
        self.bulk
            .priorities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// The pools of read connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conns {
    Light,
    Heavy,
    Lookup,
}

/// The two queues of interactive reads, each with `limits.interactive` CPU slots: the
/// short look-ups never wait behind the longer matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Fuzzy matches (`GET /v1/match`, the tmserver match): a scan of the key file.
    Match = 0,
    /// Look-ups in an index: concordance search, glossary terms.
    Lookup = 1,
}

/// Where the time of an interactive read went ([`State::read_interactive`]); sent to
/// the client as a `Server-Timing` header ([`Timing::header`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// From the handler's call until the work started on its thread: waiting for a CPU
    /// slot, a connection and a blocking thread.
    pub queue: Duration,
    /// The work itself, in wall time (its CPU time plus any wait for a core or the disk).
    pub run: Duration,
    /// The CPU time of the thread that did the work (Linux; `None` elsewhere). With
    /// more than one scan thread, the other threads' share is not in it.
    pub cpu: Option<Duration>,
}

impl Timing {
    /// The `Server-Timing` header value (W3C Server Timing: milliseconds), e.g.
    /// `queue;dur=0.012, run;dur=4.870, cpu;dur=4.702`.
    pub fn header(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut v = format!(
            "queue;dur={:.3}, run;dur={:.3}",
            ms(self.queue),
            ms(self.run)
        );
        if let Some(c) = self.cpu {
            v.push_str(&format!(", cpu;dur={:.3}", ms(c)));
        }
        v
    }
}

/// A job for a [`Workers`] thread.
type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads of their own, at a lower CPU priority, taking jobs from one
/// queue (the bulk threads of the scheduling policy). They stop when this is dropped.
struct Workers {
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// The nice value each thread reached (Linux), in the order they started.
    priorities: Arc<Mutex<Vec<i32>>>,
}

impl Workers {
    /// Start `n` threads named `name-i`, each first lowering its own priority by `nice`
    /// ([`lower_priority`]).
    fn start(name: &str, n: usize, nice: i32) -> crate::Result<Workers> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let priorities = Arc::new(Mutex::new(Vec::new()));
        for i in 0..n {
            let (rx, priorities) = (Arc::clone(&rx), Arc::clone(&priorities));
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    if let Some(p) = lower_priority(nice) {
                        priorities.lock().unwrap_or_else(|p| p.into_inner()).push(p);
                    }
                    drop(priorities);
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })
                .map_err(|e| {
                    crate::Error::new(
                        crate::error::ErrorKind::Internal,
                        format!("cannot start the bulk threads: {e}"),
                    )
                })?;
        }
        Ok(Workers {
            jobs: Mutex::new(tx),
            priorities,
        })
    }

    /// Run `f` on one of the threads (as soon as one is free); a panic becomes a 500
    /// answer.
    async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        on_thread(&self.jobs, |tx| -> Job {
            Box::new(move || {
                let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
            })
        })
        .await
    }
}

/// The answer a job sends back from its thread: its result, or the panic it caught.
type Reply<T> = tokio::sync::oneshot::Sender<std::thread::Result<Result<T, ApiError>>>;

/// Queue the job that `job` builds around its reply channel on a thread's queue (the
/// writer's or the bulk threads') and wait for the answer. A job that panicked, or a
/// queue whose thread is gone, answers 500.
async fn on_thread<J, T>(
    queue: &Mutex<std::sync::mpsc::Sender<J>>,
    job: impl FnOnce(Reply<T>) -> J,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let sent = queue
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(job(tx))
        .is_ok();
    match (sent, rx.await) {
        (true, Ok(Ok(out))) => out,
        _ => Err(ApiError::internal("the request failed inside the server")),
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
/// one of the blocking threads the reads run on.
///
/// **Priority.** The thread first lowers its CPU priority by `nice` ([`lower_priority`];
/// the index worker an import starts inherits it), so that while matches and searches
/// keep the cores busy an import gets a smaller share of them: reads answer in about the
/// time they take without an import, and the import takes longer. It still progresses
/// (a lower weight, not an idle class), and nothing a read waits for is done by it at
/// the lower priority: the new key file is handed to the readers before the commit. The
/// nice value reached is stored in `applied`.
fn writer_thread(
    writer: Memory,
    nice: i32,
    applied: Arc<Mutex<Option<i32>>>,
) -> crate::Result<std::sync::mpsc::Sender<WriteJob>> {
    let (tx, rx) = std::sync::mpsc::channel::<WriteJob>();
    std::thread::Builder::new()
        .name("concord-writer".into())
        .spawn(move || {
            *applied.lock().unwrap_or_else(|p| p.into_inner()) = lower_priority(nice);
            drop(applied);
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

/// Lower the CPU priority of the calling thread (only it: on Linux the nice value
/// belongs to the thread, and threads it starts afterwards inherit it) by `by` steps of
/// nice, at most to 19. Returns the thread's nice value afterwards; `None` where this is
/// not supported (the priority is then left alone). Raising a priority again needs
/// privileges, so this only ever lowers it.
pub fn lower_priority(by: i32) -> Option<i32> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid, getpriority and setpriority take and return plain integers;
        // errno is this thread's.
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            *libc::__errno_location() = 0;
            let now = libc::getpriority(libc::PRIO_PROCESS, tid);
            if now == -1 && *libc::__errno_location() != 0 {
                return None;
            }
            if by > 0 {
                let _ = libc::setpriority(libc::PRIO_PROCESS, tid, (now + by).min(19));
            }
            *libc::__errno_location() = 0;
            let after = libc::getpriority(libc::PRIO_PROCESS, tid);
            (after != -1 || *libc::__errno_location() == 0).then_some(after)
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = by;
        None
    }
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A new memory in a temporary directory (kept alive by the first value) and the
    /// server state over it with `limits`.
    fn state_with(limits: Limits) -> (tempfile::TempDir, std::path::PathBuf, Arc<State>) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        drop(Memory::open(&db).unwrap());
        let st = Arc::new(State::open(&db, limits, true).unwrap());
        (dir, db, st)
    }

    /// A runtime: the current thread when `workers` is 0, else that many worker threads
    /// (so that futures are polled while others hold their slots).
    fn runtime(workers: usize) -> tokio::runtime::Runtime {
        let mut b = if workers == 0 {
            tokio::runtime::Builder::new_current_thread()
        } else {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(workers);
            b
        };
        b.enable_all().build().unwrap()
    }

    fn poll_writer_nice(st: &State) -> Option<i32> {
        for _ in 0..500 {
            if let Some(n) = st.writer_nice() {
                return Some(n);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// The priority policy's plumbing: the writer thread runs `writer_nice` steps below
    /// the threads that start the server (the readers), a thread it starts (an import's
    /// index worker) inherits that, the other threads keep theirs, and 0 changes nothing.
    #[test]
    fn the_writer_runs_at_a_lower_priority_than_the_readers() {
        let base = lower_priority(0).expect("Linux reads a thread's nice value");
        let (_dir, db, st) = state_with(Limits {
            writer_nice: 3,
            ..Limits::default()
        });
        assert_eq!(poll_writer_nice(&st), Some((base + 3).min(19)));
        assert_eq!(
            lower_priority(0),
            Some(base),
            "only the writer thread changed"
        );
        let rt = runtime(0);
        let (in_job, started) = rt
            .block_on(st.write(|_| {
                let started = std::thread::spawn(|| lower_priority(0)).join().unwrap();
                Ok((lower_priority(0), started))
            }))
            .unwrap();
        assert_eq!(in_job, Some((base + 3).min(19)), "writes run on the writer");
        assert_eq!(started, in_job, "threads the writer starts inherit it");
        let reader = rt.block_on(st.read(|_| Ok(lower_priority(0)))).unwrap();
        assert_eq!(reader, Some(base), "reads keep the normal priority");

        let same = Arc::new(
            State::open(
                &db,
                Limits {
                    writer_nice: 0,
                    ..Limits::default()
                },
                true,
            )
            .unwrap(),
        );
        assert_eq!(poll_writer_nice(&same), Some(base));
    }

    /// The scheduling policy's plumbing for bulk work: heavy reads (lint, batch match,
    /// export...) run on threads of their own, one per heavy slot (all slots run at
    /// once), `bulk_nice` steps below the interactive reads, which keep the normal
    /// priority; a bulk job that panics answers 500 and its thread goes on.
    #[test]
    fn bulk_reads_run_below_the_interactive_reads_on_threads_of_their_own() {
        let base = lower_priority(0).expect("Linux reads a thread's nice value");
        let (_dir, db, st) = state_with(Limits {
            heavy: 3,
            bulk_nice: 4,
            ..Limits::default()
        });
        let rt = runtime(0);
        // Three heavy reads at once: each waits (at most 10 s) until all three run.
        let running = Arc::new(AtomicU64::new(0));
        let job = |running: Arc<AtomicU64>| {
            move |_: &Memory| {
                running.fetch_add(1, Ordering::SeqCst);
                let t = Instant::now();
                while running.load(Ordering::SeqCst) < 3 && t.elapsed() < Duration::from_secs(10) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let all = running.load(Ordering::SeqCst) >= 3;
                let name = std::thread::current().name().unwrap_or("").to_string();
                Ok((all, lower_priority(0), name))
            }
        };
        let (a, b, c) = rt.block_on(async {
            tokio::join!(
                st.read_heavy(job(Arc::clone(&running))),
                st.read_heavy(job(Arc::clone(&running))),
                st.read_heavy(job(Arc::clone(&running))),
            )
        });
        let mut names = Vec::new();
        for (all, nice, name) in [a.unwrap(), b.unwrap(), c.unwrap()] {
            assert!(all, "the three heavy reads ran at the same time");
            assert_eq!(nice, Some((base + 4).min(19)), "bulk work runs lower");
            assert!(name.starts_with("concord-bulk-"), "{name}");
            names.push(name);
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 3, "one thread each");
        assert_eq!(st.bulk_nice(), vec![(base + 4).min(19); 3]);
        let reader = rt.block_on(st.read(|_| Ok(lower_priority(0)))).unwrap();
        assert_eq!(
            reader,
            Some(base),
            "interactive reads keep the normal priority"
        );
        assert_eq!(
            lower_priority(0),
            Some(base),
            "only the bulk threads changed"
        );

        let panicked =
            rt.block_on(st.read_heavy(|_| -> Result<(), ApiError> { panic!("a bug in a lint") }));
        assert_eq!(panicked.unwrap_err().status.as_u16(), 500);
        for _ in 0..4 {
            let again = rt.block_on(st.read_heavy(|_| Ok(lower_priority(0))));
            assert_eq!(
                again.unwrap(),
                Some((base + 4).min(19)),
                "the threads go on"
            );
        }

        let same = State::open(
            &db,
            Limits {
                bulk_nice: 0,
                ..Limits::default()
            },
            true,
        )
        .unwrap();
        let same = Arc::new(same);
        let nice = rt.block_on(same.read_heavy(|_| Ok(lower_priority(0))));
        assert_eq!(nice.unwrap(), Some(base));
    }

    /// The scheduling policy's plumbing for interactive reads: no more of them compute
    /// at once than `interactive`, the others start in the order they came (FIFO), each
    /// is told the scan threads of `scan_threads`, and its timing says how long it
    /// queued and ran.
    #[test]
    fn interactive_reads_take_cpu_slots_first_come_first_served() {
        let (_dir, _, st) = state_with(Limits {
            interactive: 2,
            scan_threads: 3,
            readers: 8,
            ..Limits::default()
        });
        // A multi-threaded runtime, so that the reads' futures are polled while the
        // first ones hold their slots.
        let rt = runtime(2);
        let running = Arc::new(AtomicU64::new(0));
        let most = Arc::new(AtomicU64::new(0));
        let order = Arc::new(Mutex::new(Vec::new()));
        let out = rt.block_on(async {
            let mut handles = Vec::new();
            for i in 0..6u64 {
                let (st, running, most, order) = (
                    Arc::clone(&st),
                    Arc::clone(&running),
                    Arc::clone(&most),
                    Arc::clone(&order),
                );
                handles.push(tokio::spawn(async move {
                    st.read_interactive(Lane::Match, move |_, threads| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        order.lock().unwrap().push(i);
                        std::thread::sleep(Duration::from_millis(150));
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok(threads)
                    })
                    .await
                }));
                // Each request comes well after the one before it has queued (40 ms
                // apart: 15 ms let a loaded machine start them out of order once).
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap().unwrap());
            }
            out
        });
        assert_eq!(most.load(Ordering::SeqCst), 2, "two slots, two at once");
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4, 5], "FIFO");
        for (threads, timing) in &out {
            assert_eq!(*threads, 3, "the scan threads of the limits");
            assert!(timing.run >= Duration::from_millis(150), "{timing:?}");
        }
        // The last one came at about 200 ms and could start only when the 4th ended (at
        // about 340 ms or later): it queued, and the first did not.
        assert!(
            out[5].1.queue >= Duration::from_millis(40),
            "{:?}",
            out[5].1
        );
        assert!(out[0].1.queue < Duration::from_millis(40), "{:?}", out[0].1);
        #[cfg(target_os = "linux")]
        {
            // Sleeping costs no CPU: the thread's CPU time is far below the run time.
            let cpu = out[0].1.cpu.expect("Linux reads a thread's CPU time");
            assert!(cpu < Duration::from_millis(30), "{:?}", out[0].1);
        }
    }

    /// A look-up (search, terms) has slots of its own: with every match slot taken it
    /// starts at once instead of queueing behind the matches.
    #[test]
    fn lookups_do_not_queue_behind_matches() {
        let (_dir, _, st) = state_with(Limits {
            interactive: 1,
            ..Limits::default()
        });
        let rt = runtime(2);
        let (lookup, second_match) = rt.block_on(async {
            let slow = |st: Arc<State>| async move {
                st.read_interactive(Lane::Match, |_, _| {
                    std::thread::sleep(Duration::from_millis(300));
                    Ok(())
                })
                .await
            };
            let a = tokio::spawn(slow(Arc::clone(&st)));
            tokio::time::sleep(Duration::from_millis(30)).await;
            let b = tokio::spawn(slow(Arc::clone(&st)));
            tokio::time::sleep(Duration::from_millis(30)).await;
            let lookup = st.read_interactive(Lane::Lookup, |_, _| Ok(())).await;
            a.await.unwrap().unwrap();
            (lookup.unwrap().1, b.await.unwrap().unwrap().1)
        });
        assert!(lookup.queue < Duration::from_millis(150), "{lookup:?}");
        assert!(
            second_match.queue >= Duration::from_millis(200),
            "the second match waits for the one slot: {second_match:?}"
        );
    }

    /// Look-ups have connections of their own: matches that hold every light connection
    /// (`readers` 1 here) keep no search waiting.
    #[test]
    fn lookups_do_not_wait_for_the_connections_matches_hold() {
        let (_dir, _, st) = state_with(Limits {
            interactive: 4,
            readers: 1,
            ..Limits::default()
        });
        let rt = runtime(2);
        let lookup = rt.block_on(async {
            let m = {
                let st = Arc::clone(&st);
                tokio::spawn(async move {
                    st.read_interactive(Lane::Match, |_, _| {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok(())
                    })
                    .await
                })
            };
            tokio::time::sleep(Duration::from_millis(30)).await;
            let lookup = st.read_interactive(Lane::Lookup, |_, _| Ok(())).await;
            m.await.unwrap().unwrap();
            lookup.unwrap().1
        });
        assert!(lookup.queue < Duration::from_millis(150), "{lookup:?}");
    }

    /// The Server-Timing header of a read's timing (milliseconds, W3C syntax).
    #[test]
    fn timing_header_gives_milliseconds() {
        let t = Timing {
            queue: Duration::from_micros(1_500),
            run: Duration::from_millis(12),
            cpu: Some(Duration::from_micros(11_250)),
        };
        assert_eq!(
            t.header(),
            "queue;dur=1.500, run;dur=12.000, cpu;dur=11.250"
        );
        let t = Timing { cpu: None, ..t };
        assert_eq!(t.header(), "queue;dur=1.500, run;dur=12.000");
    }

    /// The defaults keep the earlier behaviour: as many matches at once as read
    /// connections, each scanning on every core (at most 8).
    #[test]
    fn interactive_defaults_keep_the_read_connections_and_the_engine_threads() {
        let d = Limits::default();
        assert_eq!(d.interactive, d.readers);
        assert_eq!(d.scan_threads, super::super::cores().min(8));
    }
}
