//! `concord-bench serve-load`: the load test of `concord serve`, on loopback, bounded in
//! time. 16 clients mix match, search and lint on a 100,000-unit formulaic memory for
//! 60 s while another client imports 10,000 more units; reports requests/s, p50/p99 per
//! endpoint (and for match while the import runs), errors and the server's peak RSS.
//!
//! The server runs in a child process (this binary, re-run as `serve-load-server`), so
//! its peak RSS is its own.

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

/// The priorities of the server's threads (nice steps below the interactive reads),
/// each the server's default when not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nice {
    /// The writer thread's ([`concord::server::Limits::writer_nice`]).
    pub writer: Option<i32>,
    /// The bulk threads' ([`concord::server::Limits::bulk_nice`]).
    pub bulk: Option<i32>,
}

impl Nice {
    fn limits(self) -> concord::server::Limits {
        let defaults = concord::server::Limits::default();
        concord::server::Limits {
            writer_nice: self.writer.unwrap_or(defaults.writer_nice),
            bulk_nice: self.bulk.unwrap_or(defaults.bulk_nice),
            ..defaults
        }
    }
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
}

const NAMES: [&str; 3] = ["match", "search", "lint"];

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
pub fn run(corpora: &Path, dir: &Path, seconds: u64, reuse: bool, nice: Nice) {
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
    let arg = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .args([
            "serve-load-server",
            db.to_str().expect("utf-8 path"),
            "127.0.0.1:0",
            &arg(nice.writer),
            &arg(nice.bulk),
        ])
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

    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let import_window = Arc::new(Mutex::new(None::<(Duration, Duration, String, String)>));
    let at_start = thread_times(pid);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .max_idle_connections_per_host(CLIENTS + 2)
        .build();
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (agent, stop, samples) = (agent.clone(), Arc::clone(&stop), Arc::clone(&samples));
            let (qs, phrases, drafts, base_url) = (&qs, &phrases, &drafts, &base_url);
            s.spawn(move || {
                let mut i = c * 7919;
                let mut local = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let endpoint = i % 3;
                    let t = Instant::now();
                    let r = match endpoint {
                        0 => agent
                            .get(&format!("{base_url}/v1/match"))
                            .query("q", &qs[i % qs.len()])
                            .query("min_score", "70")
                            .call(),
                        1 => agent
                            .get(&format!("{base_url}/v1/search"))
                            .query("q", &phrases[i % phrases.len()])
                            .call(),
                        _ => agent
                            .post(&format!("{base_url}/v1/lint"))
                            .send_json(drafts[i % drafts.len()].clone()),
                    };
                    let ok = match r {
                        Ok(resp) => {
                            let _ = resp.into_string();
                            true
                        }
                        Err(e) => {
                            eprintln!("{}: {e}", NAMES[endpoint]);
                            false
                        }
                    };
                    local.push(Sample {
                        endpoint,
                        at: t.duration_since(start),
                        took: t.elapsed(),
                        ok,
                    });
                }
                samples.lock().unwrap().extend(local);
            });
        }
        // The importer starts after 10 s of load.
        {
            let (agent, window, extra_tsv, base_url, token) = (
                agent.clone(),
                Arc::clone(&import_window),
                &extra_tsv,
                &base_url,
                &token,
            );
            s.spawn(move || {
                std::thread::sleep(Duration::from_secs(10));
                let before = thread_times(pid);
                let t = Instant::now();
                // An import is a long upload (the server allows it 10 minutes): it gets
                // more than the 30 s of the other requests.
                let r = agent
                    .post(&format!("{base_url}/v1/import"))
                    .timeout(Duration::from_secs(300))
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
    });
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = times_text(&at_start, &thread_times(pid));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    let _ = child.kill();
    let _ = child.wait();

    let samples = samples.lock().unwrap();
    let window = import_window.lock().unwrap().clone();
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
        "  below match and search: the bulk threads (lint) at nice +{}, the writer thread at nice +{}",
        limits.bulk_nice, limits.writer_nice
    );
    let _ = writeln!(
        out,
        "  server threads, CPU s / s runnable waiting for a core (whole run): {cpu}"
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
        }
        None => {
            let _ = writeln!(out, "  the import did not finish within the run");
        }
    }
    let _ = out.flush();
}

/// The default directory of the load test's files.
pub fn default_dir() -> PathBuf {
    PathBuf::from("target/bench")
}
