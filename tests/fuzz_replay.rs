//! Replays the fuzz corpus on stable: every file of the committed, minimised corpus
//! `fuzz/corpus/TARGET/` and the fixtures of `../shared/fixtures` go through the fuzz
//! targets' own bodies (`fuzz/src/lib.rs`), which assert no panic and the targets'
//! invariants; each file must also finish in bounded time.
//!
//! The corpus is what `cargo fuzz cmin` kept of the fuzzing runs (see the README's
//! Fuzzing section); the fuzzers themselves need nightly and do not run here.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One input may take this long in a debug build (the fuzzers run with `-timeout=10` on
/// an optimised build, which is 10 to 30 times faster).
const PER_INPUT: Duration = Duration::from_secs(30);

fn run_one(
    target: &str,
    body: targets::Body,
    file: &Path,
    bytes: &[u8],
) -> Result<Duration, String> {
    let start = Instant::now();
    let res = std::panic::catch_unwind(|| body(bytes));
    let took = start.elapsed();
    match res {
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("{target}: {} panicked: {msg}", file.display()))
        }
        Ok(()) if took > PER_INPUT => Err(format!(
            "{target}: {} took {took:?} (more than {PER_INPUT:?})",
            file.display()
        )),
        Ok(()) => Ok(took),
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

fn body_of(name: &str) -> targets::Body {
    targets::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fuzz target {name}"))
}

#[test]
fn fuzz_corpus_replays_without_panic_in_bounded_time() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, body) in targets::TARGETS {
        let inputs = files(&root.join(name));
        assert!(
            !inputs.is_empty(),
            "the committed corpus of {name} is empty ({})",
            root.join(name).display()
        );
        for f in inputs {
            let bytes = std::fs::read(&f).unwrap();
            total += 1;
            if let Err(e) = run_one(name, *body, &f, &bytes) {
                failures.push(e);
            }
        }
    }
    targets::remove_scratch();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(total > 0);
}

/// The shared fixtures, each through the targets that read its format (the first byte of
/// a target's input selects options: see `fuzz/src/lib.rs`). They are not copied into
/// the corpus; they are read from `../shared/fixtures`.
#[test]
fn shared_fixtures_replay_through_the_fuzz_targets() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if !shared.is_dir() {
        if std::env::var("CONCORD_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!(
                "CONCORD_REQUIRE_SHARED=1 but {} is missing",
                shared.display()
            );
        }
        eprintln!(
            "skipping shared_fixtures_replay_through_the_fuzz_targets: {} is absent",
            shared.display()
        );
        return;
    }
    let prefixed = |sel: u8, bytes: &[u8]| {
        let mut v = vec![sel];
        v.extend_from_slice(bytes);
        v
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for f in files(&shared.join("tmx")) {
        let b = std::fs::read(&f).unwrap();
        for (name, input) in [
            ("tmx_memory", b.clone()),
            ("tmx_draft", prefixed(0, &b)),
            ("tmx_draft", prefixed(1, &b)),
        ] {
            count += 1;
            if let Err(e) = run_one(name, body_of(name), &f, &input) {
                failures.push(e);
            }
        }
    }
    for f in files(&shared.join("xliff")) {
        let b = std::fs::read(&f).unwrap();
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        let sel = match ext {
            "sdlxliff" => 2,
            "mqxliff" => 4,
            _ => 0,
        };
        for s in [sel, sel | 1] {
            count += 1;
            if let Err(e) = run_one("xliff_draft", body_of("xliff_draft"), &f, &prefixed(s, &b)) {
                failures.push(e);
            }
        }
        count += 1;
        if let Err(e) = run_one(
            "xliff_memory",
            body_of("xliff_memory"),
            &f,
            &prefixed(sel / 2, &b),
        ) {
            failures.push(e);
        }
    }
    for f in files(&shared.join("glossary")) {
        let b = std::fs::read(&f).unwrap();
        let tsv = f.extension().is_some_and(|e| e == "tsv");
        let mut runs = vec![("glossary", prefixed(if tsv { 64 } else { 0 }, &b))];
        runs.push(if tsv {
            ("tsv_memory", b.clone())
        } else {
            ("csv_memory", b.clone())
        });
        for (name, input) in runs {
            count += 1;
            if let Err(e) = run_one(name, body_of(name), &f, &input) {
                failures.push(e);
            }
        }
    }
    for f in files(&shared.join("tbx")) {
        let b = std::fs::read(&f).unwrap();
        for s in [0, 1] {
            count += 1;
            if let Err(e) = run_one("tbx", body_of("tbx"), &f, &prefixed(s, &b)) {
                failures.push(e);
            }
        }
    }
    targets::remove_scratch();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 0, "no fixtures found in {}", shared.display());
}
