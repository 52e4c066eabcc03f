//! Bench: `concord lint` on a 100,000-segment EN→KO draft with a 20,000-entry glossary.
//!
//! `cargo bench -p concord-bench --bench lint` (add `-- --segments N --entries M` to change the sizes).
//! Prints, for three runs each, the median time of the whole lint (read, check every
//! rule, count the findings), the same on 10% of the draft (memory must not grow with
//! the draft: peak RSS is printed after each size), and a brute-force baseline for the
//! term rules (every glossary entry's key searched in every segment's key with
//! `str::contains`) on a sample, extrapolated to the whole draft.
//!
//! The draft cycles the real FLORES + NTREX EN/KO rows of ../shared/corpora with a
//! unique reference number appended, so every segment is distinct; the glossary is the
//! sample glossary, the CLDR names, and generated entries up to the size asked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use concord::diag::printer::Printer;
use concord::diag::Diagnostic;
use concord::formats::glossary::CsvOptions;
use concord::glossary::Glossary;
use concord::lint::{self, DraftRequest, Resources, RuleSelection};
use concord::text::match_key;
use concord_bench::{aligned, corpora_dir, median, repo_root, rows as rows_of, Xorshift, ALIGNED};

struct Count(u64);

impl Printer for Count {
    fn diagnostic(&mut self, _: &Diagnostic) -> std::io::Result<()> {
        self.0 += 1;
        Ok(())
    }
}

fn rows() -> Vec<(String, String)> {
    aligned(&corpora_dir(), &ALIGNED[..2])
        .into_iter()
        .map(|[en, ko, _]| (en, ko))
        .collect()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .map(|v| v.parse::<f64>().unwrap_or(0.0))
            })
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn glossary_csv(entries: usize, rows: &[(String, String)]) -> String {
    let root = repo_root();
    let mut g = Glossary::from_csv_file(
        &root.join("glossaries/diplomatic.csv"),
        &CsvOptions::default(),
    )
    .expect("sample glossary");
    let mut csv = String::from("en,ko,zh\n");
    // CLDR names: real EN/KO/ZH terms that occur in news text.
    for c in rows_of(&corpora_dir(), "cldr41-names.en-ko-zh.tsv") {
        if c[0].contains(',') || c[0].contains('"') || c[1].contains(',') {
            continue;
        }
        csv += &format!("{},{},{}\n", c[0], c[1], c[2]);
    }
    // Generated entries: two English words of the corpus, Hangul and Han strings.
    let words: Vec<String> = {
        let mut w: Vec<String> = rows
            .iter()
            .flat_map(|(en, _)| en.split_whitespace())
            .map(|w| {
                w.trim_matches(|c: char| !c.is_ascii_alphabetic())
                    .to_string()
            })
            .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        w.sort();
        w.dedup();
        w
    };
    let mut rng = Xorshift(0x9E3779B97F4A7C15);
    let have = g.entries.len() + csv.lines().count() - 1;
    for _ in have..entries {
        let en = format!("{} {}", rng.pick(&words), rng.pick(&words));
        let ko: String = (0..2 + rng.next_u64() % 3)
            .map(|_| char::from_u32(0xAC00 + (rng.next_u64() % 11172) as u32).unwrap())
            .collect();
        let zh: String = (0..2 + rng.next_u64() % 3)
            .map(|_| char::from_u32(0x4E00 + (rng.next_u64() % 20000) as u32).unwrap())
            .collect();
        csv += &format!("{en},{ko},{zh}\n");
    }
    let extra = Glossary::from_csv_str(&csv, Path::new("bench.csv"), &CsvOptions::default())
        .expect("bench glossary");
    g.merge(extra);
    g.to_csv_string()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let segments = arg("--segments", 100_000);
    let entries = arg("--entries", 20_000);
    let rows = rows();
    let dir = tempfile::tempdir().expect("tempdir");

    let t = Instant::now();
    let gpath = dir.path().join("glossary.csv");
    std::fs::write(&gpath, glossary_csv(entries, &rows)).unwrap();
    let glossary = Glossary::from_csv_file(&gpath, &CsvOptions::default()).unwrap();
    println!(
        "glossary: {} entries, written and loaded in {:.2} s",
        glossary.entries.len(),
        t.elapsed().as_secs_f64()
    );

    let write_draft = |n: usize, name: &str| -> PathBuf {
        let p = dir.path().join(name);
        let mut w = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        writeln!(w, "en\tko").unwrap();
        for i in 0..n {
            let (en, ko) = &rows[i % rows.len()];
            writeln!(w, "{en} Ref. {i}\t{ko} Ref. {i}").unwrap();
        }
        w.flush().unwrap();
        p
    };
    let small = write_draft(segments / 10, "small.tsv");
    let big = write_draft(segments, "big.tsv");
    let mb = std::fs::metadata(&big).unwrap().len() as f64 / 1e6;

    let run = |path: &Path, threads: usize| -> (f64, u64, u64) {
        let res = Resources {
            memory: None,
            glossary: Some(&glossary),
            glossary_required: true,
            threads,
            compiled: None,
            lookups: None,
            learn_alignment: false,
            alignments: None,
        };
        let mut c = Count(0);
        let t = Instant::now();
        let s = lint::run(
            &DraftRequest::file(path),
            &res,
            &RuleSelection::default(),
            None,
            &mut c,
        )
        .unwrap();
        (t.elapsed().as_secs_f64(), s.segments, c.0)
    };
    let rss0 = peak_rss_mb();
    let mut small_times = Vec::new();
    for _ in 0..3 {
        small_times.push(run(&small, 0).0);
    }
    let rss_small = peak_rss_mb();
    let mut big_times = Vec::new();
    let mut last = (0, 0);
    for _ in 0..3 {
        let (t, s, f) = run(&big, 0);
        big_times.push(t);
        last = (s, f);
    }
    let one_thread = median((0..3).map(|_| run(&big, 1).0).collect());
    let rss_big = peak_rss_mb();
    println!(
        "lint {} segments ({mb:.1} MB): median {:.3} s ({:.0} segments/s), {} findings",
        last.0,
        median(big_times.clone()),
        last.0 as f64 / median(big_times),
        last.1
    );
    println!("same on one thread: median {one_thread:.3} s");
    println!(
        "lint {} segments: median {:.3} s",
        segments / 10,
        median(small_times)
    );
    println!(
        "peak RSS: {rss0:.0} MB after loading the glossary, {rss_small:.0} MB after {} segments, {rss_big:.0} MB after {} segments",
        segments / 10,
        segments
    );

    // Brute force: every entry's English key searched in every source key (term
    // detection only, no Korean rules), on a sample, extrapolated.
    let keys: Vec<String> = glossary
        .entries
        .iter()
        .flat_map(|e| {
            e.terms
                .iter()
                .filter(|(t, _)| t.primary() == "en")
                .flat_map(|(_, s)| s.approved.iter().map(|v| match_key(v)))
        })
        .collect();
    let sample = 500.min(segments);
    let mut times = Vec::new();
    let mut hits = 0u64;
    for _ in 0..3 {
        let t = Instant::now();
        hits = 0;
        for (en, _) in rows.iter().take(sample) {
            let k = match_key(en);
            hits += keys.iter().filter(|g| k.contains(g.as_str())).count() as u64;
        }
        times.push(t.elapsed().as_secs_f64());
    }
    let per = median(times) / sample as f64;
    println!(
        "brute-force term search (source side only): {:.3} ms/segment, {:.1} s extrapolated to {segments} segments ({hits} substring hits in the sample)",
        per * 1e3,
        per * segments as f64
    );
}
