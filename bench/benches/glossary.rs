//! Term recognition bench: a 20,000-entry EN/KO/ZH glossary over 10 MB of text per
//! language, against the brute-force recognizer in the same run.
//!
//! ```sh
//! cargo bench -p concord-bench --bench glossary   # GLOSSARY_BENCH_MB=10 by default
//! ```
//!
//! The glossary is generated deterministically from ../shared/corpora (read through
//! `concord_bench::rows`, the loader every bench shares): CLDR names
//! (en/ko/zh), kengdic (en/ko) joined with CC-CEDICT (en/zh) on the English headword,
//! then CC-CEDICT entries; where kengdic runs out, the Korean column takes distinct
//! words of the KO corpus sentences so that every language has many terms. It is written
//! to bench-data/glossary-20000.csv and loaded from there (CSV parse + Recognizer build =
//! the load time). The text is the FLORES, NTREX and UDHR sentences of each language,
//! repeated in a shuffled order until 10 MB; recognition runs sentence by sentence.

use std::collections::HashSet;
use std::time::Instant;

use concord::formats::glossary::CsvOptions;
use concord::glossary::{Entry, Glossary, Recognizer, TermSet};
use concord::lang::{LangRange, LangTag};
use concord::text::match_key;
use concord_bench::{aligned, corpora_dir, median, repo_root, Xorshift, ALIGNED};

const ENTRIES: usize = 20_000;
const RUNS: usize = 5;

fn tsv(name: &str) -> Vec<Vec<String>> {
    concord_bench::rows(&corpora_dir(), name)
}

/// A short English headword from a dictionary gloss, or None.
fn clean_en(gloss: &str) -> Option<String> {
    let head = gloss
        .split([';', ',', '(', '/', '|', '['])
        .next()?
        .trim()
        .trim_start_matches("to ")
        .trim();
    let words = head.split_whitespace().count();
    let ok = (1..=4).contains(&words)
        && head.len() >= 3
        && head
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-' || c == '\'');
    ok.then(|| head.to_string())
}

fn all_script(s: &str, f: impl Fn(char) -> bool, max: usize) -> bool {
    let n = s.chars().count();
    n >= 1 && n <= max && s.chars().all(f)
}
fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}
fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

struct Texts {
    lines: Vec<String>,
    bytes: usize,
}

fn sentences() -> [Vec<String>; 3] {
    let mut out: [Vec<String>; 3] = Default::default();
    for t in aligned(&corpora_dir(), &ALIGNED) {
        for (lang, s) in out.iter_mut().zip(t) {
            lang.push(s);
        }
    }
    out
}

fn text_of(sents: &[String], mb: usize, seed: u64) -> Texts {
    let target = mb * 1_000_000;
    let mut rng = Xorshift(seed);
    let mut lines = Vec::new();
    let mut bytes = 0;
    let mut order: Vec<usize> = (0..sents.len()).collect();
    while bytes < target {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            if bytes >= target {
                break;
            }
            bytes += sents[i].len();
            lines.push(sents[i].clone());
        }
    }
    Texts { lines, bytes }
}

fn build_glossary(ko_sentences: &[String]) -> Glossary {
    let en = LangTag::parse("en").unwrap();
    let ko = LangTag::parse("ko").unwrap();
    let zh = LangTag::parse("zh").unwrap();
    let mut seen: [HashSet<String>; 3] = Default::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut push = |e_en: Option<String>, e_ko: Option<String>, e_zh: Option<String>| {
        if entries.len() >= ENTRIES {
            return;
        }
        let mut e = Entry::new();
        for (i, (tag, term)) in [(&en, e_en), (&ko, e_ko), (&zh, e_zh)]
            .into_iter()
            .enumerate()
        {
            if let Some(t) = term {
                if seen[i].insert(match_key(&t)) {
                    e.terms.push((
                        tag.clone(),
                        TermSet {
                            approved: vec![t],
                            forbidden: vec![],
                        },
                    ));
                }
            }
        }
        if e.terms.len() >= 2 {
            e.id = Some(format!("t{}", entries.len() + 1));
            entries.push(e);
        }
    };
    for row in tsv("cldr41-names.en-ko-zh.tsv") {
        push(
            Some(row[0].clone()),
            Some(row[1].clone()),
            Some(row[2].clone()),
        );
    }
    let cedict: Vec<(String, String)> = tsv("cc-cedict.en-zh.tsv")
        .into_iter()
        .filter_map(|r| {
            let en = clean_en(&r[0])?;
            all_script(&r[1], is_han, 6).then(|| (en, r[1].clone()))
        })
        .collect();
    let mut cedict_by_en: std::collections::HashMap<String, usize> = Default::default();
    for (i, (en, _)) in cedict.iter().enumerate() {
        cedict_by_en.entry(match_key(en)).or_insert(i);
    }
    let mut used = vec![false; cedict.len()];
    for row in tsv("kengdic-ezcorean6000.en-ko.tsv") {
        let (Some(e), true) = (clean_en(&row[0]), all_script(&row[1], is_hangul, 6)) else {
            continue;
        };
        let z = cedict_by_en.get(&match_key(&e)).map(|&i| {
            used[i] = true;
            cedict[i].1.clone()
        });
        push(Some(e), Some(row[1].clone()), z);
    }
    // Korean words of the corpus, for the entries kengdic cannot fill.
    let mut ko_words: Vec<String> = Vec::new();
    let mut ko_seen = HashSet::new();
    for s in ko_sentences {
        for w in s.split_whitespace() {
            let head: String = w.chars().take_while(|c| is_hangul(*c)).collect();
            let n = head.chars().count();
            if (2..=4).contains(&n) && ko_seen.insert(head.clone()) {
                ko_words.push(head);
            }
        }
    }
    let mut ko_iter = ko_words.into_iter();
    for (i, (e, z)) in cedict.iter().enumerate() {
        if used[i] {
            continue;
        }
        push(Some(e.clone()), ko_iter.next(), Some(z.clone()));
    }
    Glossary::new(entries)
}

/// CPU time of this thread in seconds (Linux: /proc/thread-self/schedstat), so that
/// other processes on a shared machine do not count; falls back to wall time.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let mb: usize = std::env::var("GLOSSARY_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let sents = sentences();
    let g = build_glossary(&sents[1]);
    let dir = repo_root().join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let csv_path = dir.join(format!("glossary-{ENTRIES}.csv"));
    std::fs::write(&csv_path, g.to_csv_string()).unwrap();
    let csv_bytes = std::fs::metadata(&csv_path).unwrap().len();

    let langs = ["en", "ko", "zh"];
    let counts: Vec<usize> = langs
        .iter()
        .map(|l| {
            let t = LangTag::parse(l).unwrap();
            g.entries
                .iter()
                .filter(|e| e.term_set(&t).is_some())
                .count()
        })
        .collect();
    println!(
        "glossary: {} entries (terms: en {}, ko {}, zh {}), {:.2} MB CSV at {}",
        g.entries.len(),
        counts[0],
        counts[1],
        counts[2],
        csv_bytes as f64 / 1e6,
        csv_path.display()
    );

    // Load time: CSV parse, then one Recognizer per language.
    let mut parse = Vec::new();
    let mut build: [Vec<f64>; 3] = Default::default();
    let mut loaded = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let g2 = Glossary::from_csv_file(&csv_path, &CsvOptions::default()).unwrap();
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        for (i, l) in langs.iter().enumerate() {
            let t = Instant::now();
            let r = Recognizer::new(&g2, &LangRange::parse(l).unwrap(), true);
            build[i].push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(&r);
        }
        loaded = Some(g2);
    }
    let g = loaded.unwrap();
    let p = median(parse);
    let b: Vec<f64> = build.iter().map(|v| median(v.clone())).collect();
    println!(
        "load (median of {RUNS}): CSV parse {p:.1} ms; Recognizer build en {:.1} ms, ko {:.1} ms, zh {:.1} ms; total {:.1} ms",
        b[0],
        b[1],
        b[2],
        p + b.iter().sum::<f64>()
    );
    println!();
    println!(
        "{:<4} {:>8} {:>10} {:>15} {:>14} {:>15} {:>17} {:>9}",
        "lang",
        "text MB",
        "hits",
        "find MB/s wall",
        "find MB/s CPU",
        "spans MB/s CPU",
        "brute-force MB/s",
        "speed-up"
    );
    for (i, l) in langs.iter().enumerate() {
        let r = Recognizer::new(&g, &LangRange::parse(l).unwrap(), true);
        let text = text_of(&sents[i], mb, 0x9E37_79B9_7F4A_7C15 ^ i as u64);
        let mut times = Vec::new();
        let mut cpu_times = Vec::new();
        let mut hits = 0;
        for _ in 0..RUNS {
            let c = cpu_secs();
            let t = Instant::now();
            let mut n = 0;
            for line in &text.lines {
                n += r.find(line).len();
            }
            times.push(t.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (c, cpu_secs()) {
                cpu_times.push(b - a);
            }
            hits = n;
        }
        // The allocation-free API over the same text.
        let mut span_times = Vec::new();
        let mut spans = Vec::new();
        for _ in 0..RUNS {
            let c = cpu_secs();
            let t = Instant::now();
            let mut n = 0;
            for line in &text.lines {
                r.find_spans(line, &mut spans);
                n += spans.len();
            }
            let wall = t.elapsed().as_secs_f64();
            span_times.push(match (c, cpu_secs()) {
                (Some(a), Some(b)) => b - a,
                _ => wall,
            });
            assert_eq!(n, hits);
        }
        let spans_cpu = text.bytes as f64 / 1e6 / median(span_times);
        let fast = text.bytes as f64 / 1e6 / median(times);
        let fast_cpu = if cpu_times.is_empty() {
            f64::NAN
        } else {
            text.bytes as f64 / 1e6 / median(cpu_times)
        };
        // Brute force on a sample (it is thousands of times slower), checked equal.
        let n_sample = if std::env::var_os("GLOSSARY_BENCH_NO_NAIVE").is_some() {
            1
        } else {
            60
        };
        let sample: Vec<&String> = text.lines.iter().take(n_sample).collect();
        let sample_bytes: usize = sample.iter().map(|s| s.len()).sum();
        let t = Instant::now();
        let naive_hits: Vec<_> = sample.iter().map(|line| r.find_naive(line)).collect();
        let naive_secs = t.elapsed().as_secs_f64();
        for (line, naive) in sample.iter().zip(naive_hits) {
            assert_eq!(
                naive,
                r.find(line),
                "fast and brute force differ on {line:?}"
            );
        }
        let naive = sample_bytes as f64 / 1e6 / naive_secs;
        println!(
            "{:<4} {:>8.1} {:>10} {:>15.1} {:>14.1} {:>15.1} {:>17.4} {:>8.0}x",
            l,
            text.bytes as f64 / 1e6,
            hits,
            fast,
            fast_cpu,
            spans_cpu,
            naive,
            fast / naive
        );
    }
}
