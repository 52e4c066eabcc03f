//! Helpers shared by the integration tests (each test file says `mod common;`): running
//! the `concord` binary, a scratch directory with a memory, the team's data under
//! `tests/data`, and the shared fixtures and corpora under `../shared`.
//!
//! # `../shared`
//!
//! [`shared_dir`] is the one way a test reaches `../shared` (next to the checkout). When
//! it is absent the test prints one line on stderr saying it skipped, and returns; when
//! the environment variable `CONCORD_REQUIRE_SHARED=1` is set (CI sets it), an absent
//! `../shared` fails the test instead, so CI can never skip these tests silently.

// Every test file compiles this module on its own and uses a part of it.
#![allow(dead_code)]

pub mod desk;
pub mod segments;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `concord` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_concord");

/// The root of the checkout (the root package's manifest directory).
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The variable that turns a missing `../shared` from a skip into a failure.
pub const REQUIRE_SHARED: &str = "CONCORD_REQUIRE_SHARED";

/// `../shared` next to the checkout, or `None` after printing one skip line on stderr
/// when it is absent. Panics instead of skipping when `CONCORD_REQUIRE_SHARED=1`.
pub fn shared_dir() -> Option<PathBuf> {
    shared_dir_at(&Path::new(ROOT).join("../shared"))
}

/// [`shared_dir`] for a given location (so the skip and the failure can be tested).
pub fn shared_dir_at(dir: &Path) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    if std::env::var(REQUIRE_SHARED).is_ok_and(|v| v == "1") {
        panic!(
            "{test}: {} is absent and {REQUIRE_SHARED}=1 requires it (the shared fixtures and corpora)",
            dir.display()
        );
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of a
    // passing test, and this line must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: {} is absent (set {REQUIRE_SHARED}=1 to make this a failure)",
        dir.display()
    );
    None
}

/// The directory `../shared/fixtures/<kind>` (`tmx`, `xliff`, `glossary`...), or `None`
/// (see [`shared_dir`]).
pub fn shared_fixtures(kind: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("fixtures").join(kind))
}

/// A file of the team's test data: `tests/data/<dir>/<name>`.
pub fn data(dir: &str, name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/data").join(dir).join(name)
}

/// Write `bytes` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The captured standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The captured standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The standard output parsed as one JSON document.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(o).trim()).unwrap()
}

/// `concord ARGS` run in `dir`, without `CONCORD_DB` from the environment.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("CONCORD_DB")
        .output()
        .unwrap()
}

/// [`run_in`] as (exit code, stdout, stderr); the code is -1 when killed by a signal.
pub fn run_code(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run_in(dir, args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

/// `concord --db DB ARGS`, with `stdin` piped in when given (else no input).
pub fn run_db(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CONCORD_DB")
        .env_remove("NO_COLOR");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// A scratch directory holding a memory (`m.db`, not created until a command does).
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    /// A new empty directory.
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The memory file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("m.db")
    }

    /// Write a file into the directory.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        write(self.dir.path(), name, bytes)
    }

    /// `concord --db m.db ARGS` in the directory.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--db")
            .arg(self.db())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("CONCORD_DB")
            .output()
            .expect("the binary runs")
    }

    /// [`Env::run`] with `stdin` piped in.
    pub fn run_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run_db(&self.db(), args, stdin)
    }

    /// `concord import FILES...`.
    pub fn import(&self, files: &[&Path]) -> Output {
        let mut args = vec!["import".to_string()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        self.run(&args)
    }
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

/// Start `concord --db DB serve` on a free loopback port; returns the child and the base
/// URL it announced on its first stderr line (`http://127.0.0.1:PORT`).
pub fn spawn_server(db: &Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (child, base)
}
