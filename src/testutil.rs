//! Helpers shared by the unit tests of the crate (compiled only for `cargo test`).
//!
//! Tests that read `../shared` (the team's fixtures and corpora, next to the checkout)
//! call [`shared`]: when the folder is absent the test prints ONE line on stderr and
//! returns early, unless `CONCORD_REQUIRE_SHARED=1` is set (CI sets it), in which case it
//! fails. Nothing from `../shared` is copied into the repository; every reader also has
//! small fixtures of its own under `tests/data/formats/` or inline.

use std::path::{Path, PathBuf};

/// The environment variable that turns a missing `../shared` into a failure.
pub const REQUIRE_SHARED: &str = "CONCORD_REQUIRE_SHARED";

/// The path of `rel` under `../shared` (e.g. `fixtures/xliff/x.xlf`), or `None` after
/// printing one skip line when `../shared` is absent. Panics when it is absent and
/// `CONCORD_REQUIRE_SHARED=1`, or when `../shared` exists but `rel` does not.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !root.is_dir() {
        if std::env::var(REQUIRE_SHARED).as_deref() == Ok("1") {
            panic!(
                "{} is absent and {REQUIRE_SHARED}=1: this test needs ../shared/{rel}",
                root.display()
            );
        }
        eprintln!("skipped: ../shared is absent (needs ../shared/{rel})");
        return None;
    }
    let p = root.join(rel);
    assert!(
        p.exists(),
        "../shared is present but {} is missing",
        p.display()
    );
    Some(p)
}

/// The path of a fixture the team keeps in the repository, `tests/data/formats/<name>`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(name)
}

/// Make a FIFO at `path` with `mkfifo`, for the tests of reading a pipe once; `false`,
/// after one skip line on stderr, where `mkfifo` is not available.
#[cfg(unix)]
pub fn mkfifo(path: &Path) -> bool {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: mkfifo is not available");
    }
    ok
}

/// A deterministic pseudo-random source for tests (xorshift64): each call gives a number
/// below its argument.
pub fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

/// A sentence of a formulaic memory, for the tests of the scan on clustered keys: one of
/// four templates (`template % 4`) with words drawn by `rand` in its slots.
pub fn formulaic_sentence(template: usize, rand: &mut dyn FnMut(u64) -> u64) -> String {
    const TEMPLATES: [&str; 4] = [
        "the minister of {} met the ambassador of {} on {} to discuss {}",
        "on {} the delegation from {} signed an agreement with {} about {}",
        "{} said that {} would host the summit of {} in {}",
        "talks between {} and {} on {} ended without a statement on {}",
    ];
    const WORDS: [&str; 12] = [
        "korea",
        "japan",
        "the united nations",
        "trade",
        "fisheries",
        "march 3",
        "june 12",
        "china",
        "the european union",
        "energy",
        "peru",
        "ghana",
    ];
    let mut out = String::new();
    for (i, part) in TEMPLATES[template % 4].split("{}").enumerate() {
        if i > 0 {
            out.push_str(WORDS[rand(WORDS.len() as u64) as usize]);
        }
        out.push_str(part);
    }
    out
}
