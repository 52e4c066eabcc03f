//! Benchmarks of concord: memory generation, import speed and peak memory, fuzzy
//! matching (indexed vs brute force), cold process, concordance.
//!
//! ```text
//! cargo build --release --workspace
//! target/release/concord-bench all --sizes 10000,100000,1000000 --dir /tmp/concord-bench
//! target/release/concord-bench gen --units 1000000 -o memory.tsv [--queries queries.txt]
//! ```
//!
//! The memories are generated deterministically from the aligned EN/KO/ZH sentences in
//! `../shared/corpora/` (FLORES devtest, NTREX, UDHR; split on tabs only): every unit is a
//! corpus sentence with realistic variation (a date in front, an attribution with a
//! person and a place, numbers changed, a clause added, names swapped), so a memory
//! holds many near-duplicates, as a ministry's memory does. Every 25th corpus sentence
//! is held out of the memory and used as an unrelated query.

use std::collections::HashSet;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concord::fuzzy::{concordance, MatchOptions, Matcher};
use concord::lang::LangRange;
use concord::store::Memory;
use concord_bench::{aligned, corpora_dir, Triple, ALIGNED};

mod formulaic;
mod serve_load;

pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const PEOPLE: &[(&str, &str, &str)] = &[
    (
        "Foreign Minister Kim Min-jun",
        "김민준 외교부 장관",
        "外交部长金敏俊",
    ),
    (
        "Vice Minister Lee Seo-yeon",
        "이서연 외교부 차관",
        "外交部副部长李瑞妍",
    ),
    ("Ambassador Park Ji-hoon", "박지훈 대사", "朴志勋大使"),
    (
        "Special Representative Choi Yu-na",
        "최유나 특별대표",
        "特别代表崔有娜",
    ),
    ("Director-General Jung Tae-woo", "정태우 국장", "郑泰宇司长"),
    ("Spokesperson Han Eun-ji", "한은지 대변인", "发言人韩恩智"),
    ("Minister Wang Lei", "왕레이 부장", "王磊部长"),
    ("Ambassador Zhang Wei", "장웨이 대사", "张伟大使"),
    (
        "Secretary of State Emily Carter",
        "에밀리 카터 국무장관",
        "国务卿埃米莉·卡特",
    ),
    (
        "Deputy Secretary James Miller",
        "제임스 밀러 부장관",
        "副国务卿詹姆斯·米勒",
    ),
    (
        "Prime Minister Sato Haruki",
        "사토 하루키 총리",
        "首相佐藤春树",
    ),
    (
        "President Maria Santos",
        "마리아 산토스 대통령",
        "总统玛丽亚·桑托斯",
    ),
];

const PLACES: &[(&str, &str, &str)] = &[
    ("Seoul", "서울", "首尔"),
    ("Beijing", "베이징", "北京"),
    ("Washington", "워싱턴", "华盛顿"),
    ("Tokyo", "도쿄", "东京"),
    ("Geneva", "제네바", "日内瓦"),
    ("New York", "뉴욕", "纽约"),
    ("Jakarta", "자카르타", "雅加达"),
    ("Brussels", "브뤼셀", "布鲁塞尔"),
    ("Hanoi", "하노이", "河内"),
    ("Busan", "부산", "釜山"),
];

const CLAUSES: &[(&str, &str, &str)] = &[
    (
        "The statement was issued after the meeting.",
        "성명은 회담 직후 발표되었다.",
        "声明在会谈后发表。",
    ),
    (
        "Both sides agreed to stay in close contact.",
        "양측은 긴밀히 소통하기로 합의했다.",
        "双方同意保持密切沟通。",
    ),
    (
        "Further details will be announced later.",
        "자세한 내용은 추후 발표될 예정이다.",
        "更多细节将于稍后公布。",
    ),
    (
        "The ministry declined to comment further.",
        "외교부는 추가 언급을 거부했다.",
        "外交部拒绝进一步置评。",
    ),
    (
        "The two sides also discussed regional security.",
        "양측은 지역 안보 문제도 논의했다.",
        "双方还讨论了地区安全问题。",
    ),
    (
        "The talks lasted about two hours.",
        "회담은 약 두 시간 동안 진행되었다.",
        "会谈持续了约两个小时。",
    ),
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The corpus triples: (memory bases, held-out sentences).
fn corpus(root: &Path) -> (Vec<Triple>, Vec<Triple>) {
    let mut bases = Vec::new();
    let mut held = Vec::new();
    for (i, t) in aligned(root, &ALIGNED).into_iter().enumerate() {
        if i % 25 == 24 {
            held.push(t);
        } else {
            bases.push(t);
        }
    }
    (bases, held)
}

fn strip_end(s: &str) -> &str {
    s.trim_end_matches(['.', '。', '!', '?', '！', '？'])
}

/// One variant of a base triple.
fn vary(rng: &mut Rng, base: &Triple) -> Triple {
    let [mut en, mut ko, mut zh] = base.clone();
    // Numbers: change a digit run that all three languages share.
    if rng.chance(30) {
        if let Some(num) = en
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| !w.is_empty() && ko.contains(*w) && zh.contains(*w))
            .map(|s| s.to_string())
        {
            let new = (1 + rng.below(999)).to_string();
            en = en.replacen(&num, &new, 1);
            ko = ko.replacen(&num, &new, 1);
            zh = zh.replacen(&num, &new, 1);
        }
    }
    if rng.chance(35) {
        let (y, m, d) = (2015 + rng.below(12), 1 + rng.below(12), 1 + rng.below(28));
        en = format!("On {d} {} {y}, {}", MONTHS[m - 1], lower_first(&en));
        ko = format!("{y}년 {m}월 {d}일, {ko}");
        zh = format!("{y}年{m}月{d}日，{zh}");
    }
    if rng.chance(35) {
        let p = PEOPLE[rng.below(PEOPLE.len())];
        let pl = PLACES[rng.below(PLACES.len())];
        en = format!("{}, {} told reporters in {}.", strip_end(&en), p.0, pl.0);
        ko = format!("{} {}은 {}에서 기자들에게 이같이 말했다.", ko, p.1, pl.1);
        zh = format!("{}在{}对记者表示，{}", p.2, pl.2, zh);
    }
    if rng.chance(30) {
        let c = CLAUSES[rng.below(CLAUSES.len())];
        en = format!("{en} {}", c.0);
        ko = format!("{ko} {}", c.1);
        zh = format!("{zh}{}", c.2);
    }
    // Swap a person for another.
    if rng.chance(30) {
        for (i, p) in PEOPLE.iter().enumerate() {
            if en.contains(p.0) {
                let q = PEOPLE[(i + 1 + rng.below(PEOPLE.len() - 1)) % PEOPLE.len()];
                en = en.replace(p.0, q.0);
                ko = ko.replace(p.1, q.1);
                zh = zh.replace(p.2, q.2);
                break;
            }
        }
    }
    [en, ko, zh]
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii_uppercase() && c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_ascii_lowercase().to_string() + c.as_str()
        }
        Some(f) => f.to_string() + c.as_str(),
        None => String::new(),
    }
}

/// An edit of a stored segment, as a translator's new sentence would be.
pub(crate) fn edit(rng: &mut Rng, s: &str, lang: usize) -> String {
    let mut out = s.to_string();
    for _ in 0..1 + rng.below(3) {
        if lang == 0 {
            let mut words: Vec<String> = out.split(' ').map(|w| w.to_string()).collect();
            if words.len() < 3 {
                break;
            }
            let i = rng.below(words.len());
            match rng.below(4) {
                0 => {
                    words.remove(i);
                }
                1 => words[i] = ["new", "recent", "joint", "formal", "brief"][rng.below(5)].into(),
                2 => words.insert(
                    i,
                    ["also", "again", "officially", "today"][rng.below(4)].into(),
                ),
                _ => {
                    // a typo
                    let w: Vec<char> = words[i].chars().collect();
                    if w.len() > 2 {
                        let k = rng.below(w.len() - 1);
                        let mut w2 = w.clone();
                        w2.swap(k, k + 1);
                        words[i] = w2.into_iter().collect();
                    }
                }
            }
            out = words.join(" ");
        } else {
            let mut c: Vec<char> = out.chars().collect();
            if c.len() < 4 {
                break;
            }
            let i = rng.below(c.len());
            let n = (1 + rng.below(3)).min(c.len() - i);
            match rng.below(3) {
                0 => {
                    c.drain(i..i + n);
                }
                1 => {
                    let ins: Vec<char> = if lang == 1 {
                        "새로운 ".chars().collect()
                    } else {
                        "新的".chars().collect()
                    };
                    c.splice(i..i, ins);
                }
                _ => {
                    let rep: Vec<char> = if lang == 1 {
                        "공동".chars().collect()
                    } else {
                        "联合".chars().collect()
                    };
                    c.splice(i..i + n, rep);
                }
            }
            out = c.into_iter().collect();
        }
    }
    out
}

/// Generate `units` units into `out` (TSV) and 500 queries into `queries` (one a line):
/// 400 edits of stored segments, 50 exact copies, 50 unrelated held-out sentences.
fn generate(root: &Path, units: usize, out: &Path, queries: &Path) -> std::io::Result<()> {
    let (bases, held) = corpus(root);
    let mut rng = Rng::new(20_261_128);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    writeln!(w, "en\tko\tzh")?;
    // Pick the rows that the edited queries come from, up front.
    let n_edit = 450;
    let mut qrows: Vec<usize> = (0..n_edit).map(|_| rng.below(units)).collect();
    qrows.sort_unstable();
    let mut picked: Vec<(usize, Triple)> = Vec::new();
    let mut seen: HashSet<u64> = HashSet::with_capacity(units);
    let mut qi = 0;
    for row in 0..units {
        // Skewed choice of base: some sentences recur much more often.
        let b = if rng.chance(50) {
            rng.below(bases.len() / 10)
        } else {
            rng.below(bases.len())
        };
        let mut t = bases[b].clone();
        let mut tries = 0;
        loop {
            if tries > 0 || seen.len() >= bases.len() || rng.chance(80) {
                t = vary(&mut rng, &bases[b]);
            }
            let h = xxhash_rust::xxh3::xxh3_64(format!("{}\t{}\t{}", t[0], t[1], t[2]).as_bytes());
            tries += 1;
            if seen.insert(h) {
                break;
            }
            if tries > 50 {
                // Fall back to another base with a random date: always new eventually.
                let (y, m, d) = (1990 + rng.below(40), 1 + rng.below(12), 1 + rng.below(28));
                let other = rng.below(bases.len());
                t = vary(&mut rng, &bases[other]);
                t[0] = format!("On {d} {} {y}, {}", MONTHS[m - 1], lower_first(&t[0]));
                t[1] = format!("{y}년 {m}월 {d}일, {}", t[1]);
                t[2] = format!("{y}年{m}月{d}日，{}", t[2]);
            }
        }
        while qi < qrows.len() && qrows[qi] == row {
            picked.push((row, t.clone()));
            qi += 1;
        }
        writeln!(w, "{}\t{}\t{}", t[0], t[1], t[2])?;
    }
    w.flush()?;
    let mut qw = BufWriter::new(std::fs::File::create(queries)?);
    let mut kw = BufWriter::new(std::fs::File::create(kinds_path(queries))?);
    let mut qs = Vec::new();
    const TAGS: [&str; 3] = ["en", "ko", "zh"];
    for (i, (_, t)) in picked.iter().enumerate() {
        let lang = [0, 0, 1, 2][rng.below(4)];
        if i % 9 == 8 {
            qs.push((t[lang].clone(), "exact", TAGS[lang]));
        } else {
            qs.push((edit(&mut rng, &t[lang], lang), "edit", TAGS[lang]));
        }
    }
    for i in 0..50 {
        let t = &held[(i * 7) % held.len()];
        let lang = [0, 0, 1, 2][i % 4];
        qs.push((t[lang].clone(), "unrelated", TAGS[lang]));
    }
    // Interleave unrelated queries with the edits.
    let mut order: Vec<usize> = (0..qs.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for i in order {
        writeln!(qw, "{}", qs[i].0.replace(['\t', '\n', '\r'], " "))?;
        writeln!(kw, "{} {}", qs[i].1, qs[i].2)?;
    }
    kw.flush()?;
    qw.flush()
}

fn kinds_path(queries: &Path) -> PathBuf {
    let mut s = queries.as_os_str().to_os_string();
    s.push(".kind");
    PathBuf::from(s)
}

/// One query of a bench: its text, kind (edit, exact, unrelated) and language tag.
struct Query {
    text: String,
    kind: String,
    lang: String,
}

fn read_queries(qfile: &Path) -> std::io::Result<Vec<Query>> {
    let texts: Vec<String> = std::io::BufReader::new(std::fs::File::open(qfile)?)
        .lines()
        .collect::<Result<_, _>>()?;
    let kinds: Vec<String> = std::fs::read_to_string(kinds_path(qfile))
        .map(|s| s.lines().map(|l| l.to_string()).collect())
        .unwrap_or_default();
    Ok(texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let k = kinds.get(i).cloned().unwrap_or_else(|| "edit".into());
            let mut w = k.split_whitespace();
            let kind = w.next().unwrap_or("edit").to_string();
            let lang = w.next().map(|s| s.to_string()).unwrap_or_else(|| {
                concord::fuzzy::detect_language(&text)
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "en".into())
            });
            Query { text, kind, lang }
        })
        .collect())
}

/// `label  median p95 p99 max (n)` of a list of durations.
fn dist_line(label: &str, v: &[Duration]) -> String {
    let mut v = v.to_vec();
    v.sort();
    format!(
        "{label:<28} median {:>8.2} ms   p95 {:>8.2}   p99 {:>8.2}   max {:>8.2}   ({} queries)",
        ms(percentile(&v, 0.5)),
        ms(percentile(&v, 0.95)),
        ms(percentile(&v, 0.99)),
        ms(*v.last().unwrap_or(&Duration::ZERO)),
        v.len()
    )
}

/// Time the engine on every query in batch mode (one `Matcher`), print the
/// distribution overall, by kind and by language; returns the answers and durations.
/// `scan`: the scan's threads (`None`: the default) and whether it uses the length
/// strata's pivots.
fn match_report(
    db: &Path,
    queries: &[Query],
    verbose: bool,
    budget: Option<(u64, u64)>,
    scan: (Option<usize>, bool),
) -> (Vec<Vec<concord::fuzzy::Match>>, Vec<Duration>) {
    let mem = Memory::open_existing(db).expect("open");
    let mut matcher = Matcher::new(&mem).expect("matcher");
    if budget.is_some() {
        matcher.set_qgram_budget(budget);
    }
    if let Some(t) = scan.0 {
        matcher.set_threads(t);
    }
    matcher.set_stratum_pivots(scan.1);
    // Sums of the scan's work counters over the queries.
    let mut sums = [0u64; 4];
    let opts = MatchOptions::default();
    let mut all = Vec::new();
    let mut groups: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
    let mut answers = Vec::new();
    let mut found = 0;
    let mut hist = [0usize; 6];
    // CPU time per query (every thread of the process; the wall time of a loaded
    // machine is mostly waiting for a core).
    let mut cpu = Vec::new();
    for q in queries {
        let from = LangRange::parse(&q.lang).expect("language");
        let (t, c) = (Instant::now(), self_cpu());
        let r = matcher.find(&q.text, &from, opts).expect("find");
        let d = t.elapsed();
        let c = Duration::from_secs_f64((self_cpu() - c).max(0.0));
        all.push(d);
        cpu.push(c);
        groups
            .entry(format!("  kind {}", q.kind))
            .or_default()
            .push(d);
        groups
            .entry(format!("  lang {}", q.lang))
            .or_default()
            .push(d);
        groups
            .entry(format!("  {} {}", q.lang, q.kind))
            .or_default()
            .push(d);
        found += usize::from(!r.is_empty());
        hist[r.len().min(5)] += 1;
        let s = &matcher.stats;
        if s.scanned {
            for (x, v) in
                sums.iter_mut()
                    .zip([s.verified, s.kernel_keys, s.kernel_rows, s.pivot_distances])
            {
                *x += v;
            }
        }
        if verbose {
            println!(
                "{:>8.2} ms  cpu {:>8.2} ms  {:<9} {} ver {:>7} kern {:>7} rows {:>9} pdist {:>4} post {:>8} {} top {:>5.1} n {}  {}",
                ms(d),
                ms(c),
                q.kind,
                q.lang,
                matcher.stats.verified,
                matcher.stats.kernel_keys,
                matcher.stats.kernel_rows,
                matcher.stats.pivot_distances,
                matcher.stats.postings,
                if matcher.stats.scanned {
                    "scan "
                } else {
                    "index"
                },
                r.first().map(|m| m.score).unwrap_or(0.0),
                r.len(),
                q.text.chars().take(60).collect::<String>()
            );
        }
        answers.push(r);
    }
    println!("{}", dist_line("match (engine, batch)", &all));
    println!("{}", dist_line("  CPU per query", &cpu));
    for (k, v) in &groups {
        println!("{}", dist_line(k, v));
    }
    println!(
        "  queries with 0/1/2/3/4/5 matches ≥ 70: {:?} ({} with matches)",
        hist, found
    );
    println!(
        "  scans: keys looked at {}, verified by the kernel {}, rows {}, query-pivot distances {}",
        sums[0], sums[1], sums[2], sums[3]
    );
    (answers, all)
}

/// The brute-force baseline: rapidfuzz's cached bit-parallel Levenshtein
/// (`levenshtein::BatchComparator` with a score cutoff from the current K-th score)
/// over the matching keys of every segment of the query's language, held in RAM,
/// split over `threads` threads. Compares every answer with the engine's (ids and
/// scores); returns the durations and the number of differing answers.
fn brute_force_report(
    db: &Path,
    queries: &[Query],
    answers: &[Vec<concord::fuzzy::Match>],
    threads: usize,
) -> (Vec<Duration>, usize) {
    use concord::fuzzy::lev::{max_distance, score};
    use rapidfuzz::distance::levenshtein;
    let mem = Memory::open_existing(db).expect("open");
    let opts = MatchOptions::default();
    let mut times = vec![Duration::ZERO; queries.len()];
    let mut differ = 0;
    let mut langs: Vec<&str> = queries.iter().map(|q| q.lang.as_str()).collect();
    langs.sort();
    langs.dedup();
    for lang in langs {
        let tag = concord::lang::LangTag::parse(lang).expect("tag");
        let range = LangRange::parse(lang).expect("range");
        let mut keys: Vec<(i64, Vec<char>)> = Vec::new();
        mem.for_each_text(&range, |id, text| {
            keys.push((
                id,
                concord::text::match_key_for(&tag, text).chars().collect(),
            ))
        })
        .expect("keys");
        for (i, q) in queries.iter().enumerate().filter(|(_, q)| q.lang == lang) {
            let qk: Vec<char> = concord::text::match_key_for(&tag, &q.text)
                .chars()
                .collect();
            let n = qk.len();
            let t = Instant::now();
            let chunk = keys.len().div_ceil(threads.max(1)).max(1);
            let mut tops: Vec<Vec<(f64, i64)>> = Vec::new();
            std::thread::scope(|s| {
                let hs: Vec<_> = keys
                    .chunks(chunk)
                    .map(|part| {
                        let qk = &qk;
                        s.spawn(move || {
                            let cmp = levenshtein::BatchComparator::new(qk.iter().copied());
                            let mut top: Vec<(f64, i64)> = Vec::new();
                            for (id, key) in part {
                                let thr = if top.len() == opts.limit {
                                    top.last().expect("full").0
                                } else {
                                    opts.min_score
                                };
                                let m = key.len();
                                let Some(k) = max_distance(n.max(m), thr) else {
                                    continue;
                                };
                                if n.abs_diff(m) > k {
                                    continue;
                                }
                                let Some(d) = cmp.distance_with_args(
                                    key.iter().copied(),
                                    &levenshtein::Args::default().score_cutoff(k),
                                ) else {
                                    continue;
                                };
                                let sc = score(d, n, m);
                                if sc < thr {
                                    continue;
                                }
                                top.push((sc, *id));
                                top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                                top.truncate(opts.limit);
                            }
                            top
                        })
                    })
                    .collect();
                for h in hs {
                    tops.push(h.join().expect("thread"));
                }
            });
            let mut top: Vec<(f64, i64)> = tops.into_iter().flatten().collect();
            top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            top.truncate(opts.limit);
            times[i] = t.elapsed();
            let got: Vec<(f64, i64)> = answers[i].iter().map(|m| (m.score, m.id)).collect();
            if got != top {
                differ += 1;
                eprintln!(
                    "DIFFERENCE on {:?}:\n  engine {got:?}\n  brute  {top:?}",
                    q.text
                );
            }
        }
    }
    (times, differ)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Run a child process, returning (wall time, peak RSS in KiB, success).
fn run_measured(cmd: &mut Command) -> (Duration, u64, bool) {
    let m = measure(cmd);
    (m.wall, m.rss_kb, m.ok)
}

/// What a child process cost.
struct Measured {
    wall: Duration,
    /// User + system CPU time.
    cpu: Duration,
    /// Peak RSS in KB.
    rss_kb: u64,
    ok: bool,
}

/// Run `cmd` to its end: wall time, CPU time and peak RSS (getrusage of the child).
fn measure(cmd: &mut Command) -> Measured {
    let t = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child, with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let wall = t.elapsed();
    std::mem::forget(child);
    let ok = r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        wall,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        rss_kb: ru.ru_maxrss as u64,
        ok,
    }
}

fn file_size(p: &Path) -> u64 {
    let [wal, _] = concord::store::side_files(p);
    [p, wal.as_path()]
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn concord_bin() -> PathBuf {
    let me = std::env::current_exe().expect("exe");
    me.with_file_name("concord")
}

/// `concord import` of `tsv` into a fresh `db`, `runs` times: units/s, CPU time and peak
/// RSS of each child process (getrusage), then the medians.
fn import_report(tsv: &Path, db: &Path, runs: usize) {
    let units = std::fs::read(tsv)
        .expect("read the TSV")
        .split(|b| *b == b'\n')
        .skip(1)
        .filter(|l| !l.is_empty())
        .count();
    let mut rates = Vec::new();
    let mut rsss = Vec::new();
    for run in 1..=runs.max(1) {
        remove_memory(db);
        let t0 = child_cpu();
        let (wall, rss, ok) = run_measured(
            Command::new(concord_bin())
                .arg("--db")
                .arg(db)
                .arg("import")
                .arg(tsv)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        assert!(ok, "import failed");
        let cpu = child_cpu() - t0;
        let rate = units as f64 / wall.as_secs_f64();
        println!(
            "import run {run}: {units} units {:>7.2} s wall {:>7.2} s CPU  {:>9.0} units/s  peak RSS {:.0} MB  DB {:.0} MB",
            wall.as_secs_f64(),
            cpu,
            rate,
            rss as f64 / 1024.0,
            file_size(db) as f64 / 1e6
        );
        rates.push(rate);
        rsss.push(rss);
    }
    rates.sort_by(|a, b| a.total_cmp(b));
    rsss.sort();
    println!(
        "import median: {:.0} units/s, peak RSS {:.0} MB (load average {})",
        rates[rates.len() / 2],
        rsss[rsss.len() / 2] as f64 / 1024.0,
        std::fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    );
}

/// User + system CPU seconds of the children waited for so far.
/// CPU time (user + system) of this process so far, in seconds (every thread).
fn self_cpu() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid out-pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn child_cpu() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid out-pointer.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

struct Args {
    dir: PathBuf,
    corpora: PathBuf,
    threads: usize,
    cold: usize,
    reuse: bool,
    verbose: bool,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The files of one memory shape and size.
fn files(a: &Args, shape: &str, n: usize) -> (PathBuf, PathBuf, PathBuf) {
    (
        a.dir.join(format!("{shape}-{n}.tsv")),
        a.dir.join(format!("{shape}-{n}.queries")),
        a.dir.join(format!("{shape}-{n}.db")),
    )
}

fn gen_shape(a: &Args, shape: &str, n: usize) -> std::io::Result<()> {
    let (tsv, qfile, _) = files(a, shape, n);
    if a.reuse && tsv.exists() && qfile.exists() {
        return Ok(());
    }
    let t = Instant::now();
    match shape {
        "formulaic" => formulaic::generate(&a.corpora, n, &tsv, &qfile, &kinds_path(&qfile))?,
        _ => generate(&a.corpora, n, &tsv, &qfile)?,
    }
    println!(
        "generate                {:>8.2} s   ({:.1} MB TSV)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&tsv)?.len() as f64 / 1e6
    );
    Ok(())
}

fn bench_size(a: &Args, shape: &str, n: usize) -> std::io::Result<()> {
    let (tsv, qfile, db) = files(a, shape, n);
    println!(
        "## {shape} memory, {n} units (load average {})",
        load_average()
    );
    gen_shape(a, shape, n)?;
    let tsv_bytes = std::fs::metadata(&tsv)?.len();
    if !(a.reuse && db.exists()) {
        remove_memory(&db);
        let (wall, rss, ok) = run_measured(
            Command::new(concord_bin())
                .arg("--db")
                .arg(&db)
                .arg("import")
                .arg(&tsv)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        assert!(ok, "import failed");
        println!(
            "import                  {:>8.2} s   {:>9.0} units/s   peak RSS {:.0} MB",
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }
    {
        // Checkpoint the WAL so the size is the file's.
        let mem = Memory::open_existing(&db).expect("open");
        drop(mem);
    }
    let side = [concord::keystore::path_for(&db)];
    let side_bytes: u64 = side
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "memory file             {:>8.1} MB = {:.2} × the TSV ({:.1} MB); derived files {:.1} MB ({:.2} × TSV in all)",
        file_size(&db) as f64 / 1e6,
        file_size(&db) as f64 / tsv_bytes as f64,
        tsv_bytes as f64 / 1e6,
        side_bytes as f64 / 1e6,
        (file_size(&db) + side_bytes) as f64 / tsv_bytes as f64
    );
    let queries = read_queries(&qfile)?;
    let (answers, times) = match_report(&db, &queries, a.verbose, None, (None, true));
    let (bt, differ) = brute_force_report(&db, &queries, &answers, a.threads);
    println!(
        "{}",
        dist_line(
            &format!(
                "brute force ({} thread{})",
                a.threads,
                if a.threads == 1 { "" } else { "s" }
            ),
            &bt
        )
    );
    let med = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        percentile(&v, 0.5)
    };
    println!(
        "  {differ} of {} answers differ from brute force; ratio of medians {:.1}×",
        queries.len(),
        med(&bt).as_secs_f64() / med(&times).as_secs_f64().max(1e-9)
    );

    cold_report(&db, &queries, a.cold);

    concordance_report(&db, &queries);
    println!();
    Ok(())
}

/// `cold` cold single-query `concord match --json` processes on the memory `db`, on
/// queries spread over the file; prints their wall-time distribution.
fn cold_report(db: &Path, queries: &[Query], cold: usize) {
    let mut times = Vec::new();
    let step = (queries.len() / cold.max(1)).max(1);
    for q in queries.iter().step_by(step).take(cold) {
        let (wall, _, ok) = run_measured(
            Command::new(concord_bin())
                .arg("--db")
                .arg(db)
                .arg("match")
                .arg("--json")
                .arg("--from")
                .arg(&q.lang)
                .arg(&q.text)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        assert!(ok);
        times.push(wall);
    }
    println!("{}", dist_line("cold `concord match`", &times));
}

/// Concordance (`concordance::search`, limit 20) on the memory `db`: phrases of 3+
/// characters cut from the queries (every language), and ten 1–2-character CJK phrases.
fn concordance_report(db: &Path, queries: &[Query]) {
    // Concordance: phrases of 3+ characters taken from the queries, and short CJK ones.
    let mem = Memory::open_existing(db).expect("open");
    let mut rng = Rng::new(7);
    let mut phrases: Vec<String> = Vec::new();
    for q in queries.iter().step_by(3) {
        let c: Vec<char> = q.text.chars().collect();
        if c.len() < 8 {
            continue;
        }
        let len = 3 + rng.below(10);
        let i = rng.below(c.len() - len.min(c.len() - 1));
        let p: String = c[i..(i + len).min(c.len())].iter().collect();
        if p.trim().chars().count() >= 3 {
            phrases.push(p.trim().to_string());
        }
    }
    let mut st = Vec::new();
    let mut hits = 0;
    for p in &phrases {
        let t = Instant::now();
        let h = concordance::search(&mem, p, None, 20).expect("search");
        st.push(t.elapsed());
        hits += h.len();
    }
    println!(
        "{}   {hits} hits, limit 20",
        dist_line("search 3+ chars", &st)
    );
    let mut short = Vec::new();
    let mut shown = Vec::new();
    for (p, l) in [
        ("북한", "ko"),
        ("외교", "ko"),
        ("한", "ko"),
        ("국", "ko"),
        ("朝鲜", "zh"),
        ("朝鮮", "zh"),
        ("会谈", "zh"),
        ("韩", "zh"),
        ("国", "zh"),
        ("美", "zh"),
    ] {
        let r = LangRange::parse(l).unwrap();
        let t = Instant::now();
        let h = concordance::search(&mem, p, Some(&r), 20).expect("search");
        let d = t.elapsed();
        short.push(d);
        shown.push(format!("{p} {:.1} ms ({})", ms(d), h.len()));
    }
    println!("{}", dist_line("search 1–2-char CJK", &short));
    println!("  {}", shown.join(", "));
}

/// `POSTINGS,VERIFIED`: a q-gram budget fixed by hand (experiments).
fn parse_budget(v: &str) -> (u64, u64) {
    let parsed = v
        .split_once(',')
        .and_then(|(p, n)| Some((p.parse().ok()?, n.parse().ok()?)));
    parsed.unwrap_or_else(|| {
        eprintln!("concord-bench: --budget takes POSTINGS,VERIFIED, not {v:?}");
        usage()
    })
}

/// CPU time of the calling thread (seconds).
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Where the analysis's matching time goes, on one thread: every `every`-th distinct
/// line of `doc` (English, one segment per line) against `db` into Korean bands — the
/// exact lookup, then one band search per source (`Matcher::find_band`) with its CPU
/// time summed by the band it lands in; then the same sources sorted by length in
/// batches of `batch` (`Matcher::find_bands`, as `concord analyze` runs them), their CPU
/// time, and how many bands differ from the one-by-one search (must be 0).
fn band_cost_report(db: &Path, doc: &Path, every: usize, batch: usize, budget: Option<(u64, u64)>) {
    use concord::fuzzy::Matcher;
    let mem = Memory::open_read_only(db).expect("open");
    let mut m = Matcher::new(&mem).expect("matcher");
    m.set_threads(1);
    let en = LangRange::parse("en").unwrap();
    let tag = concord::lang::LangTag::parse("en").unwrap();
    let edges = [95, 85, 75, 50];
    let band =
        |s: f64| edges.iter().filter(|&&e| s.floor() as u32 >= e).count() + usize::from(s >= 100.0);
    let text = std::fs::read_to_string(doc).expect("document");
    let mut seen = std::collections::HashSet::new();
    // Per band (no match, 50-74, 75-84, 85-94, 95-99, 100): sources, CPU, key-file scans.
    let names = ["no match", "50-74", "75-84", "85-94", "95-99", "100"];
    let mut count = [0usize; 6];
    let mut cpu = [0f64; 6];
    let mut scanned = [0usize; 6];
    let mut exact_cpu = 0.0;
    let mut distinct = 0;
    let mut open: Vec<(usize, &str, usize)> = Vec::new();
    for line in text.lines() {
        if !seen.insert(concord::text::match_key_for(&tag, line)) {
            continue;
        }
        distinct += 1;
        if distinct % every != 0 {
            continue;
        }
        let c0 = thread_cpu();
        let exact = m.exact_units(line, &en).unwrap_or_default();
        let c1 = thread_cpu();
        exact_cpu += c1 - c0;
        if !exact.is_empty() {
            count[5] += 1;
            continue;
        }
        let found = m.find_band(line, &en, 50.0, &edges);
        let b = found
            .ok()
            .and_then(|v| v.first().map(|h| band(h.score)))
            .unwrap_or(0);
        count[b] += 1;
        cpu[b] += thread_cpu() - c1;
        scanned[b] += usize::from(m.stats.scanned);
        open.push((line.chars().count(), line, b));
    }
    println!(
        "{distinct} distinct sources, every {every}th: exact lookups {exact_cpu:.2} s CPU (load average {})",
        load_average()
    );
    for b in (0..6).rev() {
        println!(
            "  {:>8}: {:>5} sources  {:>7.2} s CPU  {:>6.1} ms each  key-file scans {}",
            names[b],
            count[b],
            cpu[b],
            1000.0 * cpu[b] / count[b].max(1) as f64,
            scanned[b]
        );
    }
    open.sort();
    m.set_qgram_budget(budget);
    let c0 = thread_cpu();
    let mut differ = 0;
    for chunk in open.chunks(batch.max(1)) {
        let texts: Vec<&str> = chunk.iter().map(|x| x.1).collect();
        let found = m.find_bands(&texts, &en, 50.0, &edges).expect("batch");
        for (x, r) in chunk.iter().zip(found) {
            let b = r
                .ok()
                .and_then(|v| v.first().map(|h| band(h.score)))
                .unwrap_or(0);
            differ += usize::from(b != x.2);
        }
    }
    let batched = thread_cpu() - c0;
    println!(
        "  one by one {:.2} s CPU; in batches of {batch} {batched:.2} s CPU; {differ} bands differ (load average {})",
        cpu.iter().sum::<f64>(),
        load_average()
    );
}

/// The inputs of the job benches (`analyze`, `pretranslate`): the formulaic memory of
/// `n` units (generated and imported, with the import's time and peak RSS printed) and
/// an English document of `segments` lines to analyze or pretranslate against it
/// ([`formulaic::job_document`]); with `--reuse`, what exists is kept. Returns the
/// memory and the document.
fn job_inputs(a: &Args, n: usize, segments: usize) -> std::io::Result<(PathBuf, PathBuf)> {
    let shape = "formulaic";
    let (tsv, _, db) = files(a, shape, n);
    gen_shape(a, shape, n)?;
    if !(a.reuse && db.exists()) {
        remove_memory(&db);
        let (wall, rss, ok) = run_measured(
            Command::new(concord_bin())
                .arg("--db")
                .arg(&db)
                .arg("import")
                .arg(&tsv)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        assert!(ok, "import failed");
        println!(
            "import {n} units        {:>8.2} s   peak RSS {:.0} MB",
            wall.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }
    let doc = a.dir.join(format!("{shape}-{n}.job-{segments}.txt"));
    if !(a.reuse && doc.exists()) {
        formulaic::job_document(&a.corpora, n, segments, &doc)?;
    }
    Ok((db, doc))
}

/// Run `concord --db DB ARGS…` (standard output to `stdout`) and measure it: wall time
/// and CPU time in seconds, peak RSS in MB; panics when it fails.
fn concord_measured(db: &Path, args: &[&std::ffi::OsStr], stdout: Stdio) -> (f64, f64, f64) {
    let m = measure(
        Command::new(concord_bin())
            .arg("--db")
            .arg(db)
            .args(args)
            .stdout(stdout)
            .stderr(Stdio::inherit()),
    );
    assert!(m.ok, "concord {args:?} failed");
    (
        m.wall.as_secs_f64(),
        m.cpu.as_secs_f64(),
        m.rss_kb as f64 / 1024.0,
    )
}

/// `concord analyze` of the job document against the formulaic memory of `n` units:
/// one child process (wall time, peak RSS), then the first `sample` lines analyzed in
/// process with the indexed matcher and by brute force (the bands must be equal).
fn analyze_report(a: &Args, n: usize, segments: usize, sample: usize) -> std::io::Result<()> {
    use concord::analysis::{classify, Band, Rules, Search};
    use concord::formats::job::{read_job, JobRequest, Split};
    let shape = "formulaic";
    println!(
        "## analyze: {segments} segments against the formulaic memory of {n} units (load average {})",
        load_average()
    );
    let (db, doc) = job_inputs(a, n, segments)?;
    let json = a
        .dir
        .join(format!("{shape}-{n}.job-{segments}.analysis.json"));
    let _ = std::fs::remove_file(&json);
    let (wall, cpu, rss) = concord_measured(
        &db,
        &[
            "--json".as_ref(),
            "analyze".as_ref(),
            doc.as_os_str(),
            "--from".as_ref(),
            "en".as_ref(),
            "--to".as_ref(),
            "ko".as_ref(),
            "--lines".as_ref(),
            "--force".as_ref(),
            "-o".as_ref(),
            json.as_os_str(),
        ],
        Stdio::null(),
    );
    let answer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json)?).expect("analysis JSON");
    let t = &answer["total"];
    let seg = |v: &serde_json::Value| v["segments"].as_u64().unwrap_or(0);
    let fuzzy: Vec<String> = t["fuzzy"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| format!("{}-{} {}", f["min"], f["max"], seg(f)))
                .collect()
        })
        .unwrap_or_default();
    println!(
        "concord analyze         {wall:>8.2} s wall, {cpu:.2} s CPU   peak RSS {rss:.0} MB   (load average after: {})",
        load_average()
    );
    println!(
        "  segments: context {}, repetitions {}, cross-file {}, 100% {}, fuzzy {}, no match {}; words {}",
        seg(&t["context"]),
        seg(&t["repetitions"]),
        seg(&t["cross_file_repetitions"]),
        seg(&t["exact"]),
        fuzzy.join(" / "),
        seg(&t["no_match"]),
        t["total"]["words"]
    );
    // The sample, in process: indexed against brute force.
    let text = std::fs::read_to_string(&doc)?;
    let head: Vec<&str> = text.lines().take(sample).collect();
    let sample_doc = a.dir.join(format!("{shape}-{n}.job-sample-{sample}.txt"));
    std::fs::write(&sample_doc, head.join("\n") + "\n")?;
    let mut req = JobRequest::files([&sample_doc]);
    req.from = Some(LangRange::parse("en").unwrap());
    req.to = Some(LangRange::parse("ko").unwrap());
    req.split = Split::Lines;
    let job = read_job(&req).expect("sample job");
    let mem = Memory::open_read_only(&db).expect("open");
    let rules = Rules::default();
    let t0 = Instant::now();
    let fast = classify(&mem, &job, &rules, Search::Indexed, &|_, _| {}).expect("indexed");
    let tf = t0.elapsed();
    let t0 = Instant::now();
    let slow = classify(&mem, &job, &rules, Search::BruteForce, &|_, _| {}).expect("brute");
    let tb = t0.elapsed();
    let differ = fast
        .iter()
        .zip(&slow)
        .filter(|(x, y)| x.band != y.band)
        .count();
    let distinct: HashSet<&str> = head.iter().copied().collect();
    let all_distinct: HashSet<&str> = text.lines().collect();
    let matched = |r: &[concord::analysis::SegmentResult]| {
        r.iter().filter(|x| x.band != Band::NoMatch).count()
    };
    println!(
        "  sample of {} segments ({} distinct): indexed {:.2} s, brute force {:.2} s (≈ {:.0} s for the {} distinct of the document); {differ} bands differ from brute force ({} / {} matched)",
        head.len(),
        distinct.len(),
        tf.as_secs_f64(),
        tb.as_secs_f64(),
        tb.as_secs_f64() / distinct.len().max(1) as f64 * all_distinct.len() as f64,
        all_distinct.len(),
        matched(&fast),
        matched(&slow)
    );
    assert_eq!(differ, 0, "the indexed analysis differs from brute force");
    println!();
    Ok(())
}

/// The README's segmentation and alignment figures.
/// The speed line of `align-eval`: a 1,000-sentence triple built from NTREX (already
/// segmented) aligned five times; wall and CPU time, medians.
fn align_eval_speed(
    docs: &[concord_bench::align_eval::Doc],
    glossary: &concord::glossary::Glossary,
) {
    use concord_bench::align_eval;
    // Speed: a 1,000-sentence triple (already segmented), median of 5 runs.
    let built = align_eval::long_document(docs, 1060);
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..5 {
        let (t, c) = (std::time::Instant::now(), self_cpu());
        let a = concord::align::align_sides(
            &built[0].side,
            &[built[1].side.clone(), built[2].side.clone()],
            concord::align::AlignOptions {
                glossary: Some(glossary),
                ignore_paragraphs: false,
                ..Default::default()
            },
        )
        .expect("aligns");
        times.push(t.elapsed().as_secs_f64());
        cpu.push(self_cpu() - c);
        assert!(!a.groups.is_empty());
        counts = a.sentence_counts.clone();
    }
    println!(
        "Speed: {} EN / {} KO / {} ZH sentences ({} / {} / {} pieces between soft boundaries) aligned in {:.0} ms, {:.0} ms CPU (medians of 5, glossary anchors on, one pass: no other pairs to learn from)",
        counts[0],
        counts[1],
        counts[2],
        built[0].side.len(),
        built[1].side.len(),
        built[2].side.len(),
        concord_bench::median(times) * 1000.0,
        concord_bench::median(cpu) * 1000.0
    );
}

fn align_eval_report(
    corpora: &Path,
    only: Option<&str>,
    lexicon: Option<&str>,
    layouts: Option<&str>,
    verbose: bool,
) {
    use concord_bench::align_eval;
    let docs = align_eval::ntrex(corpora);
    if only == Some("quick") {
        // Every layout of NTREX and FLORES, with the confusions of the pairwise beads.
        let lexicon = match lexicon {
            Some("none") => align_eval::Lexicon::None,
            Some("collection") => align_eval::Lexicon::Collection,
            _ => align_eval::Lexicon::Document,
        };
        let glossary = align_eval::shipped_glossary();
        let flores = align_eval::flores(corpora);
        for (name, docs) in [("NTREX", &docs), ("FLORES", &flores)] {
            for layout in [
                align_eval::Layout::Paragraphs,
                align_eval::Layout::Headlines,
                align_eval::Layout::Whole,
                align_eval::Layout::Deleted10,
            ] {
                // `--layouts ntrex-paragraphs,flores-whole`: only those (while tuning).
                let key = format!("{name}-{layout:?}").to_lowercase();
                if layouts.is_some_and(|l| !l.split(',').any(|x| x == key)) {
                    continue;
                }
                let r =
                    align_eval::alignment_with(docs, layout, 20261207, Some(&glossary), lexicon);
                println!(
                    "{name} {layout:?}: EN-KO {:.3} / {:.3}, EN-ZH {:.3} / {:.3}",
                    r.en_ko.f1_strict(),
                    r.en_ko.f1_lax(),
                    r.en_zh.f1_strict(),
                    r.en_zh.f1_lax()
                );
                if verbose && name == "NTREX" {
                    for (pair, c) in ["EN-KO", "EN-ZH"].iter().zip(&r.confusions) {
                        let mut v: Vec<_> = c.iter().collect();
                        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                        let top: Vec<String> =
                            v.iter().take(8).map(|(k, n)| format!("{k}: {n}")).collect();
                        println!("  {pair} wrong beads: {}", top.join(", "));
                    }
                }
            }
        }
        return;
    }
    if only == Some("speed") {
        align_eval_speed(&docs, &align_eval::shipped_glossary());
        return;
    }
    if only == Some("ntrex") {
        let glossary = align_eval::shipped_glossary();
        for layout in [
            align_eval::Layout::Paragraphs,
            align_eval::Layout::Headlines,
            align_eval::Layout::Deleted10,
        ] {
            let r = align_eval::alignment(&docs, layout, 20261207, Some(&glossary));
            println!(
                "{layout:?}: EN-KO {:.3} / {:.3}, EN-ZH {:.3} / {:.3}",
                r.en_ko.f1_strict(),
                r.en_ko.f1_lax(),
                r.en_zh.f1_strict(),
                r.en_zh.f1_lax()
            );
        }
        return;
    }
    println!("Segmentation: NTREX, {} documents re-segmented", docs.len());
    println!("| language | headlines as paragraphs: precision / recall | all in one paragraph: precision / recall |");
    println!("| --- | ---: | ---: |");
    for lang in ["en", "ko", "zh"] {
        let (a, _) = align_eval::segmentation(&docs, lang, true);
        let (b, _) = align_eval::segmentation(&docs, lang, false);
        println!(
            "| {lang} | {:.3} / {:.3} | {:.3} / {:.3} |",
            a.precision(),
            a.recall(),
            b.precision(),
            b.recall()
        );
    }
    let glossary = align_eval::shipped_glossary();
    let flores = align_eval::flores(corpora);
    println!();
    println!(
        "Alignment: strict / lax F1 (pairwise DP; merged EN/KO/ZH groups projected on the pair)"
    );
    println!("| corpus | layout | lexicon | EN-KO strict / lax | EN-ZH strict / lax | EN-KO merged strict | EN-ZH merged strict | confident groups: strict precision | doubtful groups: strict precision |");
    println!("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, docs) in [("NTREX", &docs), ("FLORES", &flores)] {
        for (lname, layout) in [
            ("paragraphs of 1-6", align_eval::Layout::Paragraphs),
            (
                "paragraphs of 1-6, headlines apart",
                align_eval::Layout::Headlines,
            ),
            ("no paragraphs", align_eval::Layout::Whole),
            ("10% deleted", align_eval::Layout::Deleted10),
        ] {
            for (xname, lexicon) in [
                ("none (one pass)", align_eval::Lexicon::None),
                ("the document's", align_eval::Lexicon::Document),
                ("the collection's", align_eval::Lexicon::Collection),
            ] {
                let r =
                    align_eval::alignment_with(docs, layout, 20261207, Some(&glossary), lexicon);
                let frac = |(n, h): (usize, usize)| {
                    if n == 0 {
                        "-".to_string()
                    } else {
                        format!("{:.3} of {n}", h as f64 / n as f64)
                    }
                };
                println!(
                    "| {name} ({} docs, {} sentences) | {lname} | {xname} | {:.3} / {:.3} | {:.3} / {:.3} | {:.3} | {:.3} | {} | {} |",
                    r.docs,
                    r.sentences,
                    r.en_ko.f1_strict(),
                    r.en_ko.f1_lax(),
                    r.en_zh.f1_strict(),
                    r.en_zh.f1_lax(),
                    r.en_ko_merged.f1_strict(),
                    r.en_zh_merged.f1_strict(),
                    frac(r.confident),
                    frac(r.doubtful),
                );
            }
        }
    }
    let r = align_eval::alignment(&docs, align_eval::Layout::Paragraphs, 20261207, None);
    println!(
        "NTREX paragraphs without the glossary: EN-KO {:.3} / {:.3}, EN-ZH {:.3} / {:.3}",
        r.en_ko.f1_strict(),
        r.en_ko.f1_lax(),
        r.en_zh.f1_strict(),
        r.en_zh.f1_lax()
    );
    align_eval_speed(&docs, &glossary);
}

/// `concord pretranslate` of the job document (the one `analyze` reads) against the
/// formulaic memories, into Korean (XLIFF 1.2) and Chinese (TSV): wall time and peak
/// RSS of the child process, and the summary.
fn pretranslate_report(a: &Args, sizes: &[usize], segments: usize) {
    for &n in sizes {
        let (db, doc) = job_inputs(a, n, segments).expect("the job bench's inputs");
        for (to, out) in [("ko", "out-ko.xlf"), ("zh", "out-zh.tsv")] {
            let out = a.dir.join(format!("pretranslate-{n}-{out}"));
            let load = load_average();
            let json = out.with_extension("json");
            let (wall, cpu, rss) = concord_measured(
                &db,
                &[
                    "--json".as_ref(),
                    "pretranslate".as_ref(),
                    doc.as_os_str(),
                    "--from".as_ref(),
                    "en".as_ref(),
                    "--to".as_ref(),
                    to.as_ref(),
                    "--lines".as_ref(),
                    "-o".as_ref(),
                    out.as_os_str(),
                ],
                Stdio::from(std::fs::File::create(&json).expect("the JSON file")),
            );
            let summary = std::fs::read(&json)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .map(|j| j["summary"].to_string())
                .unwrap_or_default();
            println!(
                "pretranslate {segments} segments en→{to} vs {n} units: {wall:>7.2} s wall, {cpu:.2} s CPU   peak RSS {rss:.0} MB   load average before {load}\n  {summary}",
            );
        }
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| -> Option<String> {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1).cloned())
    };
    let corpora = get("--corpora")
        .map(PathBuf::from)
        .unwrap_or_else(corpora_dir);
    let a = Args {
        dir: PathBuf::from(get("--dir").unwrap_or_else(|| "target/bench".into())),
        corpora: corpora.clone(),
        threads: get("--threads").and_then(|v| v.parse().ok()).unwrap_or(2),
        cold: get("--cold").and_then(|v| v.parse().ok()).unwrap_or(30),
        reuse: argv.iter().any(|a| a == "--reuse"),
        verbose: argv.iter().any(|a| a == "-v"),
    };
    let shapes: Vec<String> = get("--shapes")
        .unwrap_or_else(|| "formulaic,near".into())
        .split(',')
        .map(|s| s.to_string())
        .collect();
    let sizes: Vec<usize> = get("--sizes")
        .unwrap_or_else(|| "100000,1000000".into())
        .split(',')
        .map(|s| {
            s.parse().unwrap_or_else(|_| {
                eprintln!("concord-bench: --sizes takes numbers separated by commas, not {s:?}");
                usage()
            })
        })
        .collect();
    let segments = get("--segments")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    match argv.first().map(|s| s.as_str()) {
        Some("gen") => {
            std::fs::create_dir_all(&a.dir).expect("dir");
            for shape in &shapes {
                for &n in &sizes {
                    gen_shape(&a, shape, n).expect("generate");
                }
            }
        }
        Some("match") => {
            let db = PathBuf::from(need(get("--db"), "--db"));
            let q = PathBuf::from(need(get("--queries"), "--queries"));
            let queries = read_queries(&q).expect("queries");
            println!("load average {}", load_average());
            // `--budget POSTINGS,VERIFIED`: the q-gram budget fixed by hand (experiments).
            let budget = get("--budget").map(|v| parse_budget(&v));
            // `--scan-threads N`: the scan's threads; `--no-strata`: without the length
            // strata's pivots (the same answers; measures what they reject).
            let scan = (
                get("--scan-threads").map(|v| v.parse().expect("--scan-threads N")),
                !argv.iter().any(|a| a == "--no-strata"),
            );
            let (answers, _) = match_report(&db, &queries, a.verbose, budget, scan);
            println!("load average {}", load_average());
            if argv.iter().any(|a| a == "--brute") {
                let (bt, differ) = brute_force_report(&db, &queries, &answers, a.threads);
                println!("{}", dist_line("brute force", &bt));
                println!("  {differ} answers differ from brute force");
                println!("load average {}", load_average());
            }
        }
        Some("cold") => {
            let db = PathBuf::from(need(get("--db"), "--db"));
            let q = PathBuf::from(need(get("--queries"), "--queries"));
            let queries = read_queries(&q).expect("queries");
            println!("load average {}", load_average());
            cold_report(&db, &queries, a.cold);
            println!("load average {}", load_average());
        }
        Some("search") => {
            let db = PathBuf::from(need(get("--db"), "--db"));
            let q = PathBuf::from(need(get("--queries"), "--queries"));
            let queries = read_queries(&q).expect("queries");
            println!("load average {}", load_average());
            concordance_report(&db, &queries);
            println!("load average {}", load_average());
        }
        Some("import") => {
            let tsv = PathBuf::from(need(get("--tsv"), "--tsv"));
            let db = PathBuf::from(need(get("--db"), "--db"));
            let runs = get("--runs").and_then(|v| v.parse().ok()).unwrap_or(3);
            import_report(&tsv, &db, runs);
        }
        Some("all") => {
            std::fs::create_dir_all(&a.dir).expect("dir");
            for &n in &sizes {
                for shape in &shapes {
                    bench_size(&a, shape, n).expect("bench");
                }
            }
        }
        Some("analyze") => {
            std::fs::create_dir_all(&a.dir).expect("dir");
            let sample = get("--sample").and_then(|v| v.parse().ok()).unwrap_or(100);
            for &n in &sizes {
                analyze_report(&a, n, segments, sample).expect("analyze bench");
            }
        }
        Some("band-cost") => band_cost_report(
            &PathBuf::from(need(get("--db"), "--db")),
            &PathBuf::from(need(get("--doc"), "--doc")),
            get("--every").and_then(|v| v.parse().ok()).unwrap_or(1),
            get("--batch").and_then(|v| v.parse().ok()).unwrap_or(64),
            get("--batch-budget").map(|v| parse_budget(&v)),
        ),
        Some("pretranslate") => {
            std::fs::create_dir_all(&a.dir).expect("dir");
            pretranslate_report(&a, &sizes, segments)
        }
        Some("align-eval") => align_eval_report(
            &corpora,
            get("--only").as_deref(),
            get("--lexicon").as_deref(),
            get("--layouts").as_deref(),
            a.verbose,
        ),
        Some("serve-load") => serve_load::run(
            &corpora,
            &get("--dir")
                .map(PathBuf::from)
                .unwrap_or_else(serve_load::default_dir),
            get("--seconds").and_then(|v| v.parse().ok()).unwrap_or(60),
            a.reuse,
            serve_load::Nice {
                writer: get("--writer-nice").and_then(|v| v.parse().ok()),
                bulk: get("--bulk-nice").and_then(|v| v.parse().ok()),
                interactive: get("--interactive").and_then(|v| v.parse().ok()),
                scan_threads: get("--scan-threads").and_then(|v| v.parse().ok()),
            },
            match get("--client").as_deref() {
                None | Some("light") => serve_load::Client::Light,
                Some("threads") => serve_load::Client::Threads,
                Some(other) => panic!("--client {other}: expected light or threads"),
            },
            get("--samples").map(PathBuf::from).as_deref(),
        ),
        Some("serve-load-server") => {
            let db = PathBuf::from(need(argv.get(1).cloned(), "DB"));
            let nice = serve_load::Nice::from_args(argv.get(3..).unwrap_or(&[]));
            serve_load::server_child(&db, &need(argv.get(2).cloned(), "ADDR"), nice);
        }
        _ => usage(),
    }
}

/// Print the usage to stderr and exit with status 2 (a missing command or argument).
fn usage() -> ! {
    eprintln!(
        "usage: concord-bench align-eval [--corpora DIR] [--only speed|quick [--lexicon none|document|collection] [--layouts ntrex-paragraphs,...] [-v]]\n       concord-bench all [--shapes formulaic,near] [--sizes 100000,1000000] [--dir DIR] [--threads 2] [--cold 30] [--reuse] [--corpora DIR] [-v]\n       concord-bench gen [--shapes ...] [--sizes ...] [--dir DIR]\n       concord-bench match --db memory.db --queries FILE [--brute] [-v] [--budget POSTINGS,VERIFIED] [--scan-threads N] [--no-strata]\n       concord-bench import --tsv memory.tsv --db memory.db [--runs 3]\n       concord-bench cold --db memory.db --queries FILE [--cold 30]\n       concord-bench search --db memory.db --queries FILE\n       concord-bench pretranslate [--sizes 100000,1000000] [--segments 10000] [--dir DIR] [--reuse] [--corpora DIR]\n       concord-bench serve-load [--seconds 60] [--dir DIR] [--reuse] [--writer-nice N] [--bulk-nice N] [--interactive N] [--scan-threads N] [--client light|threads] [--samples FILE.tsv] [--corpora DIR]\n       concord-bench analyze [--sizes 100000,1000000] [--segments 10000] [--sample 100] [--dir DIR] [--reuse] [--corpora DIR]\n       concord-bench band-cost --db memory.db --doc job.txt [--every N] [--batch 64] [--batch-budget POSTINGS,VERIFIED]"
    );
    std::process::exit(2);
}

/// The value of a required option, or the usage and exit status 2 when it is missing.
fn need(value: Option<String>, name: &str) -> String {
    value.unwrap_or_else(|| {
        eprintln!("concord-bench: {name} is required");
        usage()
    })
}

/// Remove a memory file and its WAL side files.
fn remove_memory(db: &Path) {
    let _ = std::fs::remove_file(db);
    let _ = std::fs::remove_file(concord::keystore::path_for(db));
    for side in concord::store::side_files(db) {
        let _ = std::fs::remove_file(side);
    }
}
