//! `concord-bench serve-load`: the load test of `concord serve`, on loopback, bounded in
//! time. 16 clients mix match, search and lint on a 100,000-unit formulaic memory for
//! 60 s while another client imports 10,000 more units; reports requests/s, p50/p99 per
//! endpoint (and for match while the import runs), errors and the server's peak RSS.
//!
//! The server runs in a child process (this binary, re-run as `serve-load-server`), so
//! its peak RSS is its own.
//!
//! **The clients cost what remote clients would.** The server shares the machine's cores
//! with this load generator, so the generator must not take them from it: by default the
//! 16 clients are 16 tasks on one thread (a single-threaded tokio runtime), each with one
//! kept-alive connection, sending requests built once before the run (the same requests,
//! in the same order, as before) and reading each answer only as far as its status and
//! its length (`--client light`). `--client threads` is the previous generator: 16 OS
//! threads with a blocking HTTP client (ureq) that builds each request anew. Both are
//! closed loops: a client sends its next request when the answer to the last one has
//! arrived. The report gives the CPU time of the clients, of this whole process, of the
//! server and of the machine over the run.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concord::formats::{read_memory_file, Format};
use concord::store::tokens::Scope;
use concord::store::Memory;

const CLIENTS: usize = 16;

/// The server's scheduling knobs (each the server's default when not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct Nice {
    /// The writer thread's nice steps ([`concord::server::Limits::writer_nice`]).
    pub writer: Option<i32>,
    /// The bulk threads' ([`concord::server::Limits::bulk_nice`]).
    pub bulk: Option<i32>,
    /// CPU slots of match and search ([`concord::server::Limits::interactive`]).
    pub interactive: Option<usize>,
    /// Scan threads of one match ([`concord::server::Limits::scan_threads`]).
    pub scan_threads: Option<usize>,
}

impl Nice {
    fn limits(self) -> concord::server::Limits {
        let defaults = concord::server::Limits::default();
        concord::server::Limits {
            writer_nice: self.writer.unwrap_or(defaults.writer_nice),
            bulk_nice: self.bulk.unwrap_or(defaults.bulk_nice),
            interactive: self.interactive.unwrap_or(defaults.interactive),
            scan_threads: self.scan_threads.unwrap_or(defaults.scan_threads),
            ..defaults
        }
    }

    /// The arguments that pass these knobs to the child (`serve-load-server`).
    fn args(self) -> [String; 4] {
        fn arg<T: ToString>(v: Option<T>) -> String {
            v.map(|v| v.to_string()).unwrap_or_default()
        }
        [
            arg(self.writer),
            arg(self.bulk),
            arg(self.interactive),
            arg(self.scan_threads),
        ]
    }

    /// The knobs from the child's arguments (after the db and the address).
    pub fn from_args(a: &[String]) -> Nice {
        let get = |i: usize| a.get(i).filter(|v| !v.is_empty());
        Nice {
            writer: get(0).and_then(|v| v.parse().ok()),
            bulk: get(1).and_then(|v| v.parse().ok()),
            interactive: get(2).and_then(|v| v.parse().ok()),
            scan_threads: get(3).and_then(|v| v.parse().ok()),
        }
    }
}

/// Which load generator runs the 16 clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Client {
    /// 16 tasks on one thread, kept-alive connections, requests built before the run.
    #[default]
    Light,
    /// 16 OS threads with a blocking client that builds each request anew (the
    /// generator before the light one).
    Threads,
}

/// The child: serve `db` on `addr` until killed, with the threads' priorities `nice`.
pub fn server_child(db: &Path, addr: &str, nice: Nice) {
    let config = concord::server::Config {
        db: db.to_path_buf(),
        addr: addr.parse().expect("a loopback address"),
        limits: nice.limits(),
        cors_origin: None,
    };
    concord::server::serve(config, |a| {
        eprintln!("listening http://{a}/");
    })
    .expect("the server runs");
}

struct Sample {
    endpoint: usize,
    at: Duration,
    took: Duration,
    ok: bool,
    /// The server's `Server-Timing` of a match or search: queue, run, CPU (ms).
    timing: Option<[f64; 3]>,
}

/// The `queue`, `run` and `cpu` durations (ms) of a `Server-Timing` header value.
fn parse_timing(v: &str) -> Option<[f64; 3]> {
    let mut t = [f64::NAN; 3];
    for part in v.split(',') {
        let (name, dur) = part.trim().split_once(";dur=")?;
        let i = ["queue", "run", "cpu"].iter().position(|n| *n == name)?;
        t[i] = dur.parse().ok()?;
    }
    (!t[0].is_nan() && !t[1].is_nan()).then_some(t)
}

const NAMES: [&str; 3] = ["match", "search", "lint"];

/// Write `samples` to `to` as TSV (see [`run`]).
fn write_samples(to: &Path, samples: &[Sample], import: Option<(Duration, Duration)>) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut text = String::from("endpoint\tat_ms\ttook_ms\tok\tqueue_ms\trun_ms\tcpu_ms\n");
    if let Some((from, to)) = import {
        text.push_str(&format!("# import {:.1} {:.1}\n", ms(from), ms(to)));
    }
    for s in samples {
        let [q, r, c] = s.timing.unwrap_or([f64::NAN; 3]);
        text.push_str(&format!(
            "{}\t{:.1}\t{:.2}\t{}\t{q:.2}\t{r:.2}\t{c:.2}\n",
            NAMES[s.endpoint],
            ms(s.at),
            ms(s.took),
            s.ok
        ));
    }
    std::fs::write(to, text).expect("the samples file");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// CPU time and time spent runnable but waiting for a core, per group of the server's
/// threads (their name without a trailing `-N`), from `/proc/PID/task/*/schedstat`
/// (Linux; empty elsewhere). Nanoseconds.
fn thread_times(pid: u32) -> std::collections::BTreeMap<String, (u64, u64)> {
    let mut by = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return by;
    };
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        let sched = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
        let mut f = sched
            .split_whitespace()
            .map(|v| v.parse::<u64>().unwrap_or(0));
        let (run, wait) = (f.next().unwrap_or(0), f.next().unwrap_or(0));
        let comm = comm.trim();
        let group = match comm.rsplit_once('-') {
            Some((g, n)) if n.chars().all(|c| c.is_ascii_digit()) => g,
            _ => comm,
        };
        let e = by.entry(group.to_string()).or_insert((0, 0));
        e.0 += run;
        e.1 += wait;
    }
    by
}

/// `later - earlier` per group, as "name CPU s / waiting s" text.
fn times_text(
    earlier: &std::collections::BTreeMap<String, (u64, u64)>,
    later: &std::collections::BTreeMap<String, (u64, u64)>,
) -> String {
    later
        .iter()
        .map(|(g, (run, wait))| {
            let (r0, w0) = earlier.get(g).copied().unwrap_or((0, 0));
            format!(
                "{g} {:.1}/{:.1}",
                run.saturating_sub(r0) as f64 / 1e9,
                wait.saturating_sub(w0) as f64 / 1e9
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run the load test in `dir` (the memories are made there unless `--reuse`), the
/// server's threads at the priorities `nice`.
///
/// With `samples`, every request is also written there as a TSV line (endpoint, start
/// and duration in ms from the run's start, ok, and the server's queue/run/CPU ms), and
/// the import's window as a `# import FROM TO` line, for timelines.
pub fn run(
    corpora: &Path,
    dir: &Path,
    seconds: u64,
    reuse: bool,
    nice: Nice,
    client: Client,
    samples_to: Option<&Path>,
) {
    std::fs::create_dir_all(dir).expect("dir");
    let all = dir.join("serve-110k.tsv");
    let queries = dir.join("serve-110k.queries");
    if !(reuse && all.exists()) {
        crate::formulaic::generate(
            corpora,
            110_000,
            &all,
            &queries,
            &dir.join("serve-110k.kinds"),
        )
        .expect("generate");
    }
    // The first 100,000 rows are the memory, the last 10,000 the import.
    let text = std::fs::read_to_string(&all).expect("read");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let (base, extra) = rows.split_at(rows.len() - 10_000);
    let base_tsv = dir.join("serve-100k.tsv");
    std::fs::write(&base_tsv, format!("{header}\n{}\n", base.join("\n"))).expect("write");
    let extra_tsv = format!("{header}\n{}\n", extra.join("\n"));
    let db = dir.join("serve-100k.db");
    for f in std::iter::once(db.clone()).chain(concord::store::side_files(&db)) {
        let _ = std::fs::remove_file(f);
    }
    let _ = std::fs::remove_file(concord::keystore::path_for(&db));
    let t0 = Instant::now();
    let token = {
        let mut mem = Memory::open(&db).expect("memory");
        mem.import(&["serve-100k.tsv"], |imp| {
            read_memory_file(&base_tsv, Format::Tsv, |u| imp.add(u).map(|_| ()))
        })
        .expect("import");
        mem.add_token("load", Scope::Write).expect("token").token
    };
    eprintln!(
        "memory of 100,000 units in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // Queries: the generator's match queries; search phrases and lint drafts from rows.
    let qs: Vec<String> = std::fs::read_to_string(&queries)
        .expect("queries")
        .lines()
        .map(|s| s.to_string())
        .collect();
    let phrases: Vec<String> = extra
        .iter()
        .take(300)
        .enumerate()
        .map(|(i, r)| {
            let cols: Vec<&str> = r.split('\t').collect();
            let col = cols[i % 3.min(cols.len())];
            let chars: Vec<char> = col.chars().collect();
            let take = if i % 3 == 0 { 12 } else { 3 };
            chars
                .iter()
                .take(take)
                .collect::<String>()
                .trim()
                .to_string()
        })
        .filter(|p| p.chars().any(|c| c.is_alphanumeric()))
        .collect();
    let drafts: Vec<serde_json::Value> = extra
        .chunks(2)
        .take(300)
        .map(|pair| {
            let segs: Vec<serde_json::Value> = pair
                .iter()
                .map(|r| {
                    let c: Vec<&str> = r.split('\t').collect();
                    serde_json::json!({"source": c[0], "target": c[1]})
                })
                .collect();
            serde_json::json!({"segments": segs, "from": "en", "to": "ko"})
        })
        .collect();

    // The server.
    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .args([
            "serve-load-server",
            db.to_str().expect("utf-8 path"),
            "127.0.0.1:0",
        ])
        .args(nice.args())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("address");
    let base_url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("address")
        .trim_end_matches('/')
        .to_string();
    let pid = child.id();
    let load = crate::load_average();

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let import_window = Arc::new(Mutex::new(None::<(Duration, Duration, String, String)>));
    let at_start = thread_times(pid);
    let (server0, bench0, machine0) = (
        process_cpu(pid),
        concord::cpu::process_time().unwrap_or_default(),
        machine_cpu(),
    );
    let work = Work {
        qs: &qs,
        phrases: &phrases,
        drafts: &drafts,
        base_url: &base_url,
    };
    let mut client_out = (Vec::new(), Duration::ZERO);
    std::thread::scope(|s| {
        let clients = {
            let stop = Arc::clone(&stop);
            s.spawn(move || match client {
                Client::Light => light_clients(&work, start, &stop),
                Client::Threads => thread_clients(&work, start, &stop),
            })
        };
        // The importer starts after 10 s of load.
        {
            let (window, extra_tsv, base_url, token) =
                (Arc::clone(&import_window), &extra_tsv, &base_url, &token);
            s.spawn(move || {
                std::thread::sleep(Duration::from_secs(10));
                let before = thread_times(pid);
                let t = Instant::now();
                // An import is a long upload (the server allows it 10 minutes): it gets
                // more than the 30 s of the other requests.
                let r = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(300))
                    .build()
                    .post(&format!("{base_url}/v1/import"))
                    .query("format", "tsv")
                    .query("name", "serve-10k.tsv")
                    .set("Authorization", &format!("Bearer {token}"))
                    .send_string(extra_tsv);
                let answer = match r {
                    Ok(resp) => resp.into_string().unwrap_or_default(),
                    Err(e) => format!("FAILED: {e}"),
                };
                let took = t.elapsed();
                let cpu = times_text(&before, &thread_times(pid));
                *window.lock().unwrap() = Some((t.duration_since(start), took, answer, cpu));
            });
        }
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        client_out = clients.join().expect("the clients");
    });
    let elapsed = start.elapsed().as_secs_f64();
    let (server1, bench1, machine1) = (
        process_cpu(pid),
        concord::cpu::process_time().unwrap_or_default(),
        machine_cpu(),
    );
    let (samples, client_cpu) = client_out;
    let cpu = times_text(&at_start, &thread_times(pid));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    let _ = child.kill();
    let _ = child.wait();

    let window = import_window.lock().unwrap().clone();
    if let Some(to) = samples_to {
        write_samples(to, &samples, window.as_ref().map(|w| (w.0, w.0 + w.1)));
    }
    let mut out = std::io::stdout().lock();
    let total = samples.len();
    let errors = samples.iter().filter(|s| !s.ok).count();
    let _ = writeln!(
        out,
        "serve-load: {CLIENTS} clients for {elapsed:.0} s on 100,000 units: {total} requests, {:.0} requests/s, {errors} errors; server peak RSS {}",
        total as f64 / elapsed,
        peak.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    );
    let limits = nice.limits();
    let _ = writeln!(
        out,
        "  load average at the start {load}; clients: {client:?}"
    );
    let _ = writeln!(
        out,
        "  match, and apart search: {} CPU slots each (FIFO), {} scan thread(s) per match; below them the bulk threads (lint) at nice +{}, the writer thread at nice +{}",
        limits.interactive, limits.scan_threads, limits.bulk_nice, limits.writer_nice
    );
    let (server_s, bench_s) = (
        server1.saturating_sub(server0).as_secs_f64(),
        bench1.saturating_sub(bench0).as_secs_f64(),
    );
    let (busy, all) = (
        machine1.0.saturating_sub(machine0.0).as_secs_f64(),
        machine1.1.saturating_sub(machine0.1).as_secs_f64(),
    );
    let _ = writeln!(
        out,
        "  CPU over the run: server {server_s:.1} s, clients {:.1} s (this whole process {bench_s:.1} s), the machine {busy:.1} s busy of {all:.1} s (others {:.1} s)",
        client_cpu.as_secs_f64(),
        (busy - server_s - bench_s).max(0.0)
    );
    let _ = writeln!(
        out,
        "  server threads, CPU s / s runnable waiting for a core (whole run, threads alive at the end): {cpu}"
    );
    for (e, name) in NAMES.iter().enumerate() {
        let mut ms: Vec<f64> = samples
            .iter()
            .filter(|s| s.endpoint == e)
            .map(|s| s.took.as_secs_f64() * 1e3)
            .collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        let _ = writeln!(
            out,
            "  {name:<7} {:>6} requests {:>6.0}/s  p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>7.1} ms",
            ms.len(),
            ms.len() as f64 / elapsed,
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(f64::NAN)
        );
    }
    let split = |keep: &dyn Fn(&Sample) -> bool| -> String {
        let mut parts: [Vec<f64>; 4] = Default::default();
        for smp in samples.iter().filter(|smp| keep(smp)) {
            if let Some([q, r, c]) = smp.timing {
                let took = smp.took.as_secs_f64() * 1e3;
                parts[0].push(q);
                parts[1].push(r);
                parts[2].push(c);
                parts[3].push((took - q - r).max(0.0));
            }
        }
        for p in parts.iter_mut() {
            p.sort_by(|a, b| a.total_cmp(b));
        }
        let pct = |p: &Vec<f64>| format!("{:.1}/{:.1}", percentile(p, 0.5), percentile(p, 0.99));
        format!(
            "queue {}, run {} (its thread's CPU {}), outside the handler (HTTP, async threads, client) {} ms p50/p99",
            pct(&parts[0]),
            pct(&parts[1]),
            pct(&parts[2]),
            pct(&parts[3])
        )
    };
    for (e, name) in NAMES.iter().enumerate().take(2) {
        let _ = writeln!(
            out,
            "  {name} in the server (Server-Timing): {}",
            split(&|smp: &Sample| smp.endpoint == e)
        );
    }
    match window {
        Some((from, took, answer, cpu)) => {
            let to = from + took;
            let mut during: Vec<f64> = samples
                .iter()
                .filter(|s| s.endpoint == 0 && s.at >= from && s.at + s.took <= to)
                .map(|s| s.took.as_secs_f64() * 1e3)
                .collect();
            during.sort_by(|a, b| a.total_cmp(b));
            let _ = writeln!(
                out,
                "  import of 10,000 units: {:.1} s (from {:.1} s); answer {}",
                took.as_secs_f64(),
                from.as_secs_f64(),
                answer.split_whitespace().collect::<String>()
            );
            let _ = writeln!(
                out,
                "  match while the import ran: {} requests, p50 {:.1} ms, p99 {:.1} ms (target p99 <= 100 ms)",
                during.len(),
                percentile(&during, 0.5),
                percentile(&during, 0.99)
            );
            let _ = writeln!(
                out,
                "  server threads while the import ran, CPU s / waiting s: {cpu}"
            );
            let _ = writeln!(
                out,
                "  match while the import ran, in the server: {}",
                split(&|smp: &Sample| smp.endpoint == 0
                    && smp.at >= from
                    && smp.at + smp.took <= to)
            );
        }
        None => {
            let _ = writeln!(out, "  the import did not finish within the run");
        }
    }
    let _ = out.flush();
}

/// What the clients ask for: the match queries, the search phrases, the lint drafts,
/// and where the server is.
#[derive(Clone, Copy)]
struct Work<'a> {
    qs: &'a [String],
    phrases: &'a [String],
    drafts: &'a [serde_json::Value],
    base_url: &'a str,
}

/// The request client `c` sends the `i`-th time round its loop: its endpoint and the
/// index of its query, phrase or draft (the same sequence for both generators).
fn pick(i: usize, w: &Work) -> (usize, usize) {
    let endpoint = i % 3;
    let n = match endpoint {
        0 => w.qs.len(),
        1 => w.phrases.len(),
        _ => w.drafts.len(),
    };
    (endpoint, i % n)
}

/// How long a client waits for an answer before it counts an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The light generator: 16 tasks on this one thread (a single-threaded tokio runtime),
/// each with a kept-alive connection, sending HTTP/1.1 requests built once before the
/// run and reading each answer as far as its status, its `Server-Timing` and its
/// length. Returns the samples and this thread's CPU time.
fn light_clients(w: &Work, start: Instant, stop: &Arc<AtomicBool>) -> (Vec<Sample>, Duration) {
    let cpu0 = concord::cpu::thread_time().unwrap_or_default();
    let addr: std::net::SocketAddr = w
        .base_url
        .trim_start_matches("http://")
        .parse()
        .expect("a socket address");
    let host = addr.to_string();
    let get = |path: &str, pairs: &[(&str, &str)]| -> Vec<u8> {
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("GET {path}?{q} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n").into_bytes()
    };
    let requests: Arc<[Vec<Vec<u8>>; 3]> = Arc::new([
        w.qs.iter()
            .map(|q| get("/v1/match", &[("q", q), ("min_score", "70")]))
            .collect(),
        w.phrases
            .iter()
            .map(|p| get("/v1/search", &[("q", p)]))
            .collect(),
        w.drafts
            .iter()
            .map(|d| {
                let body = serde_json::to_vec(d).expect("json");
                let mut r = format!(
                    "POST /v1/lint HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend_from_slice(&body);
                r
            })
            .collect(),
    ]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let samples = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for c in 0..CLIENTS {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(stop));
            set.spawn(async move {
                let mut conn: Option<tokio::net::TcpStream> = None;
                let mut buf = Vec::with_capacity(64 << 10);
                let mut local = Vec::new();
                let mut i = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let endpoint = i % 3;
                    let list = &requests[endpoint];
                    let req = &list[i % list.len()];
                    let t = Instant::now();
                    let r = tokio::time::timeout(
                        REQUEST_TIMEOUT,
                        exchange(&mut conn, addr, req, &mut buf),
                    )
                    .await
                    .unwrap_or_else(|_| Err("timed out".to_string()));
                    let took = t.elapsed();
                    let (ok, timing) = match r {
                        Ok((200, timing)) => (true, timing),
                        Ok((status, _)) => {
                            eprintln!(
                                "{}: HTTP {status}: {}",
                                NAMES[endpoint],
                                String::from_utf8_lossy(&buf[buf.len().saturating_sub(300)..])
                            );
                            (false, None)
                        }
                        Err(e) => {
                            eprintln!("{}: {e}", NAMES[endpoint]);
                            conn = None;
                            (false, None)
                        }
                    };
                    local.push(Sample {
                        endpoint,
                        at: t.duration_since(start),
                        took,
                        ok,
                        timing,
                    });
                }
                local
            });
        }
        let mut all = Vec::new();
        while let Some(part) = set.join_next().await {
            all.extend(part.expect("a client task"));
        }
        all
    });
    (
        samples,
        concord::cpu::thread_time()
            .unwrap_or_default()
            .saturating_sub(cpu0),
    )
}

/// Send `req` on the connection (opened when there is none) and read the answer whole
/// into `buf`: its status and the `Server-Timing` it carries. The body must have a
/// `Content-Length` (the server's answers all do); a connection the server closes is
/// dropped, and the next request opens another.
async fn exchange(
    conn: &mut Option<tokio::net::TcpStream>,
    addr: std::net::SocketAddr,
    req: &[u8],
    buf: &mut Vec<u8>,
) -> Result<(u16, Option<[f64; 3]>), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if conn.is_none() {
        let s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        s.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        *conn = Some(s);
    }
    let s = conn.as_mut().expect("a connection");
    s.write_all(req).await.map_err(|e| format!("send: {e}"))?;
    buf.clear();
    let (head, status, length, timing, close) = loop {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(64 << 10);
        }
        let n = s.read_buf(buf).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut resp = httparse::Response::new(&mut headers);
        match resp.parse(buf) {
            Ok(httparse::Status::Complete(head)) => {
                let value = |name: &str| {
                    resp.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .and_then(|h| std::str::from_utf8(h.value).ok())
                };
                let length: usize = value("content-length")
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or("an answer without Content-Length")?;
                let timing = value("server-timing").and_then(parse_timing);
                let close = value("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
                break (head, resp.code.unwrap_or(0), length, timing, close);
            }
            Ok(httparse::Status::Partial) => continue,
            Err(e) => return Err(format!("a malformed answer: {e}")),
        }
    };
    while buf.len() < head + length {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(head + length - buf.len());
        }
        let n = s.read_buf(buf).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
    }
    if close {
        *conn = None;
    }
    Ok((status, timing))
}

/// The previous generator: 16 OS threads, each sending with a blocking HTTP client
/// (ureq) that builds every request (URL, query, JSON body) anew and reads the answer
/// into a string. Returns the samples and the 16 threads' CPU time.
fn thread_clients(w: &Work, start: Instant, stop: &Arc<AtomicBool>) -> (Vec<Sample>, Duration) {
    let agent = ureq::AgentBuilder::new()
        .timeout(REQUEST_TIMEOUT)
        .max_idle_connections_per_host(CLIENTS + 2)
        .build();
    let samples = Mutex::new(Vec::new());
    let cpu = Mutex::new(Duration::ZERO);
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (agent, samples, cpu) = (agent.clone(), &samples, &cpu);
            s.spawn(move || {
                let cpu0 = concord::cpu::thread_time().unwrap_or_default();
                let mut i = c * 7919;
                let mut local = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let (endpoint, k) = pick(i, w);
                    let t = Instant::now();
                    let r = match endpoint {
                        0 => agent
                            .get(&format!("{}/v1/match", w.base_url))
                            .query("q", &w.qs[k])
                            .query("min_score", "70")
                            .call(),
                        1 => agent
                            .get(&format!("{}/v1/search", w.base_url))
                            .query("q", &w.phrases[k])
                            .call(),
                        _ => agent
                            .post(&format!("{}/v1/lint", w.base_url))
                            .send_json(w.drafts[k].clone()),
                    };
                    let (ok, timing) = match r {
                        Ok(resp) => {
                            let timing = resp.header("server-timing").and_then(parse_timing);
                            let _ = resp.into_string();
                            (true, timing)
                        }
                        Err(e) => {
                            eprintln!("{}: {e}", NAMES[endpoint]);
                            (false, None)
                        }
                    };
                    local.push(Sample {
                        endpoint,
                        at: t.duration_since(start),
                        took: t.elapsed(),
                        ok,
                        timing,
                    });
                }
                *cpu.lock().unwrap() += concord::cpu::thread_time()
                    .unwrap_or_default()
                    .saturating_sub(cpu0);
                samples.lock().unwrap().extend(local);
            });
        }
    });
    (samples.into_inner().unwrap(), cpu.into_inner().unwrap())
}

/// The CPU time of process `pid`, every thread (ended ones too: the per-thread times of
/// `thread_times` lose the threads that ended, such as a search's scan threads), from
/// `/proc/PID/stat` (Linux; zero elsewhere).
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis: utime and stime are the 12th
    // and 13th of them, in clock ticks.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // SAFETY: sysconf takes and returns integers.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(ticks * 1_000_000_000 / hz)
}

/// The machine's CPU time from `/proc/stat`: (busy, all) summed over the cores.
fn machine_cpu() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    let all: u64 = f.iter().take(8).sum();
    let idle = f.get(3).copied().unwrap_or(0) + f.get(4).copied().unwrap_or(0);
    // SAFETY: sysconf takes and returns integers.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let d = |t: u64| Duration::from_nanos(t * 1_000_000_000 / hz);
    (d(all - idle), d(all))
}

/// The default directory of the load test's files.
pub fn default_dir() -> PathBuf {
    PathBuf::from("target/bench")
}
