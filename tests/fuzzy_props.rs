//! The indexed fuzzy search and concordance return exactly what the brute-force scans
//! return, on random EN/KO/ZH memories with near-duplicates, 1–3-character and 300+-
//! character segments, deletions and several imports.

use concord::fuzzy::{concordance, MatchOptions, Matcher};
use concord::lang::{LangRange, LangTag};
use concord::store::Memory;
use concord::unit::{Unit, Variant};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const EN: &[&str] = &[
    "the",
    "minister",
    "met",
    "Korea",
    "peninsula",
    "talks",
    "in",
    "Seoul",
    "on",
    "Monday",
    "2024",
    "DPRK",
    "ＤＰＲＫ",
    "foreign",
    "ministry",
    "said",
    "a",
    "statement",
    "visit",
    "Beijing",
    "of",
    "and",
    "President",
    "Kim",
    "March",
    "12",
    "nuclear",
    "peace",
];
const KO: &[&str] = &[
    "북한",
    "외무성",
    "장관은",
    "회담을",
    "서울에서",
    "열렸다",
    "한반도",
    "평화",
    "대통령",
    "3월",
    "12일",
    "외교부",
    "대변인은",
    "방문",
    "북경",
    "한",
    "의",
    "성명을",
    "발표했다",
];
const ZH: &[&str] = &[
    "朝鲜",
    "韩国",
    "外交部",
    "会谈",
    "和平",
    "半岛",
    "北京",
    "在",
    "举行",
    "韩",
    "发言人",
    "表示",
    "总统",
    "3月12日",
    "访问",
    "声明",
    "无核化",
    "的",
];

fn sentence(rng: &mut Rng, words: &[&str], sep: &str) -> String {
    match rng.below(10) {
        // very short: 1–3 characters
        0 => {
            let w: Vec<char> = rng.pick(words).chars().collect();
            let n = 1 + rng.below(3.min(w.len()));
            w[..n].iter().collect()
        }
        // long: 300+ characters
        1 => {
            let mut s = String::new();
            while s.chars().count() < 300 {
                s.push_str(rng.pick(words));
                s.push_str(sep);
            }
            s
        }
        _ => {
            let n = 2 + rng.below(12);
            (0..n)
                .map(|_| rng.pick(words))
                .collect::<Vec<_>>()
                .join(sep)
        }
    }
}

/// A few character edits (near-duplicate), sometimes NFD or a changed case.
fn mutate(rng: &mut Rng, s: &str, pool: &[&str]) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let edits = rng.below(5);
    for _ in 0..edits {
        let extra: Vec<char> = rng.pick(pool).chars().collect();
        let ch = extra[rng.below(extra.len())];
        match rng.below(3) {
            0 if !c.is_empty() => {
                let i = rng.below(c.len());
                c[i] = ch;
            }
            1 if !c.is_empty() => {
                c.remove(rng.below(c.len()));
            }
            _ => {
                let i = rng.below(c.len() + 1);
                c.insert(i, ch);
            }
        }
    }
    let out: String = c.into_iter().collect();
    match rng.below(6) {
        0 => out.nfd().collect(),
        1 => out.to_uppercase(),
        _ => out,
    }
}

fn tag(s: &str) -> LangTag {
    LangTag::parse(s).unwrap()
}

fn build(seed: u64) -> (Memory, Vec<[String; 3]>) {
    let mut rng = Rng(seed);
    let mut bases: Vec<[String; 3]> = Vec::new();
    for _ in 0..(4 + rng.below(20)) {
        bases.push([
            sentence(&mut rng, EN, " "),
            sentence(&mut rng, KO, " "),
            sentence(&mut rng, ZH, ""),
        ]);
    }
    let mut rows = Vec::new();
    for _ in 0..(20 + rng.below(150)) {
        let b = &bases[rng.below(bases.len())];
        rows.push([
            mutate(&mut rng, &b[0], EN),
            mutate(&mut rng, &b[1], KO),
            mutate(&mut rng, &b[2], ZH),
        ]);
    }
    let mut mem = Memory::open_in_memory().unwrap();
    // Two imports (two posting batches), then some deletions.
    let half = rows.len() / 2;
    for part in [&rows[..half], &rows[half..]] {
        mem.import(&["t"], |imp| {
            for r in part {
                let mut vs = vec![
                    Variant::new(tag("en"), &r[0]),
                    Variant::new(tag("ko"), &r[1]),
                ];
                // Some units lack Chinese; a few use a regional tag.
                if !r[2].is_empty() && r[2].len() % 7 != 0 {
                    let t = if r[2].len() % 5 == 0 { "zh-CN" } else { "zh" };
                    vs.push(Variant::new(tag(t), &r[2]));
                }
                imp.add(Unit::new(vs))?;
            }
            Ok(())
        })
        .unwrap();
    }
    let n = mem.stats().unwrap().units as i64;
    let del: Vec<i64> = (0..rng.below(5))
        .map(|_| 1 + rng.below(n as usize) as i64)
        .collect();
    mem.delete(&del).unwrap();
    (mem, rows)
}

fn queries(rng: &mut Rng, rows: &[[String; 3]]) -> Vec<(String, usize)> {
    let mut qs = Vec::new();
    for _ in 0..12 {
        let l = rng.below(3);
        let pool = [EN, KO, ZH][l];
        let q = if rng.below(4) == 0 {
            sentence(rng, pool, if l == 2 { "" } else { " " })
        } else {
            let r = &rows[rng.below(rows.len())];
            mutate(rng, &r[l], pool)
        };
        qs.push((q, l));
    }
    qs
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("FUZZY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), .. ProptestConfig::default() })]

    #[test]
    fn indexed_equals_brute_force(
        seed in any::<u64>(),
        min in prop_oneof![50.0f64..=100.0, Just(50.0), Just(70.0), Just(75.0), Just(87.5), Just(100.0)],
        k in 1usize..=10,
    ) {
        let (mem, rows) = build(seed);
        let mut rng = Rng(seed ^ 0xABCD);
        let mut matcher = Matcher::new(&mem).unwrap();
        let opts = MatchOptions { limit: k, min_score: min };
        for (q, l) in queries(&mut rng, &rows) {
            let from = LangRange::parse(["en", "ko", "zh"][l]).unwrap();
            let fast = matcher.find(&q, &from, opts);
            if std::env::var_os("FUZZY_DEBUG").is_some() {
                eprintln!("DBG scanned={} verified={} n={} found={}", matcher.stats.scanned, matcher.stats.verified, q.chars().count(), fast.as_ref().map(|v| v.len()).unwrap_or(99));
            }
            let slow = matcher.brute_force(&q, &from, opts);
            match (fast, slow) {
                (Ok(f), Ok(s)) => prop_assert_eq!(f, s, "query {:?} min {} k {}", q, min, k),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
            }
        }
    }

    #[test]
    fn concordance_equals_brute_force(seed in any::<u64>(), limit in 1usize..30) {
        let (mem, rows) = build(seed);
        let mut rng = Rng(seed ^ 0x1234);
        for _ in 0..8 {
            let l = rng.below(3);
            let r = &rows[rng.below(rows.len())][l];
            let c: Vec<char> = r.chars().collect();
            if c.is_empty() { continue; }
            let a = rng.below(c.len());
            let len = 1 + rng.below(4.min(c.len() - a));
            let phrase: String = c[a..a + len].iter().collect();
            let lang = match rng.below(3) {
                0 => None,
                _ => Some(LangRange::parse(["en", "ko", "zh"][l]).unwrap()),
            };
            let fast = concordance::search(&mem, &phrase, lang.as_ref(), limit);
            let slow = concordance::search_brute_force(&mem, &phrase, lang.as_ref(), limit);
            match (fast, slow) {
                (Ok(f), Ok(s)) => prop_assert_eq!(f, s, "phrase {:?}", phrase),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
            }
        }
    }
}
