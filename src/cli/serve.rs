//! `concord serve`: start the HTTP server on the memory.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use concord::server::{self, Config, Limits};
use concord::Result;

use super::{db_path, open_for_reading};
use crate::Cli;
use concord::diag::Status;

/// Arguments of `concord serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where to listen. Any address other than loopback makes every request need a token.
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Send CORS headers allowing this origin (default: none).
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Option<String>,
    /// Read connections in the pool.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub readers: u64,
    /// Matches (and, apart, searches and term look-ups) that compute at once; the
    /// others wait their turn in the order they came.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub interactive: u64,
    /// Threads one match scans with (default: the cores, at most 8).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=8))]
    pub scan_threads: Option<u64>,
    /// Heavy requests (batch match, lint, export, analyze, pretranslate) that run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub heavy: u64,
    /// Largest upload (import, glossary, lint), in MiB.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_upload_mib: u64,
    /// Seconds an ordinary request may take.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// How much lower the CPU priority of imports and deletes is than that of reads
    /// (nice steps, Linux; 0: the same). Imports take longer while matches run.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i32).range(0..=19))]
    pub writer_nice: i32,
    /// How much lower the CPU priority of bulk reads (lint, batch match, export,
    /// analyze, pretranslate) is than that of match, search and terms (nice steps,
    /// Linux; 0: the same). Lints take longer while matches run.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i32).range(0..=19))]
    pub bulk_nice: i32,
}

pub fn serve(cli: &Cli, args: &ServeArgs) -> Result<Status> {
    // The default memory is built from the samples on first use, as for `match`.
    drop(open_for_reading(cli)?);
    let (db, _) = db_path(cli);
    let limits = Limits {
        readers: args.readers as usize,
        heavy: args.heavy as usize,
        interactive: args.interactive as usize,
        scan_threads: args
            .scan_threads
            .map_or_else(|| server::cores().min(8), |n| n as usize),
        upload: (args.max_upload_mib as usize) << 20,
        timeout: Duration::from_secs(args.timeout),
        writer_nice: args.writer_nice,
        bulk_nice: args.bulk_nice,
        ..Limits::default()
    };
    let config = Config {
        db: db.clone(),
        addr: args.addr,
        limits,
        cors_origin: args.cors_origin.clone(),
    };
    server::serve(config, |addr| {
        eprintln!(
            "concord: serving {} on http://{addr}/ (API under /v1/, Ctrl-C stops)",
            db.display()
        );
        if !addr.ip().is_loopback() {
            eprintln!("concord: not a loopback address: every request needs a token");
        }
    })?;
    Ok(Status::Ok)
}
