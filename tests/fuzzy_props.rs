//! The indexed fuzzy search and concordance return exactly what the brute-force scans
//! return, on random EN/KO/ZH memories with near-duplicates, 1–3-character and 300+-
//! character segments, NFD Hangul, full-width forms, deletions and several imports.
//!
//! The memories and queries come from proptest strategies (`common::segments`), so a
//! failure shrinks to a small memory. Each answer is checked twice: against the
//! library's brute-force paths (`Matcher::brute_force`, `concordance::search_brute_force`),
//! and against a reference written here that shares no code with the fast path: the key
//! is NFKC (unicode-normalization) + full case folding (caseless) + white space collapse,
//! the distance a plain dynamic-programming Levenshtein, the ranking a sort, and the
//! segments are read through the store's `for_each_unit`, not the index.

mod common;

use common::segments::{memory, query, MemorySpec, LANGS};
use concord::fuzzy::{concordance, MatchOptions, Matcher};
use concord::lang::{LangRange, LangTag};
use concord::store::Memory;
use concord::unit::{Unit, Variant};
use proptest::prelude::*;
use proptest::sample::Index;
use unicode_normalization::UnicodeNormalization;

fn tag(s: &str) -> LangTag {
    LangTag::parse(s).unwrap()
}

/// Import the rows in two imports (two posting batches), then delete some units.
fn build(spec: &MemorySpec) -> Memory {
    let rows = &spec.rows;
    let mut mem = Memory::open_in_memory().unwrap();
    let half = spec.split.index(rows.len() + 1);
    for part in [0..half, half..rows.len()] {
        mem.import(&["t"], |imp| {
            for i in part.clone() {
                let r = &rows[i];
                let mut vs = vec![
                    Variant::new(tag("en"), &r[0]),
                    Variant::new(tag("ko"), &r[1]),
                ];
                // Some units lack Chinese; some use a regional tag.
                if let Some(t) = spec.zh_tags[i] {
                    if !r[2].is_empty() {
                        vs.push(Variant::new(tag(t), &r[2]));
                    }
                }
                imp.add(Unit::new(vs))?;
            }
            Ok(())
        })
        .unwrap();
    }
    let ids: Vec<i64> = stored(&mem).into_iter().map(|(id, _)| id).collect();
    if !ids.is_empty() {
        let mut del: Vec<i64> = spec.deletions.iter().map(|d| *d.get(&ids)).collect();
        del.sort_unstable();
        del.dedup();
        mem.delete(&del).unwrap();
    }
    mem
}

/// A stored unit: its id and its (language tag, stored text) pairs.
type Stored = (i64, Vec<(String, String)>);

/// Every stored unit, read through the store (not the index).
fn stored(mem: &Memory) -> Vec<Stored> {
    let mut out = Vec::new();
    mem.for_each_unit(&[], 0, |u| {
        let vs = u
            .variants
            .iter()
            .map(|v| (v.lang.to_string(), v.text.clone()))
            .collect();
        out.push((u.id.expect("a stored unit has an id"), vs));
        Ok(())
    })
    .unwrap();
    out
}

/// The reference matching key: NFKC, full case folding, white space collapsed.
fn key(text: &str) -> Vec<char> {
    let nfkc: String = text.nfkc().collect();
    let folded = caseless::default_case_fold_str(&nfkc);
    folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect()
}

/// The reference Levenshtein distance over Unicode scalar values (Wagner–Fischer, one
/// row at a time).
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j + 1] + 1).min(row[j] + 1).min(prev[j] + cost);
        }
        prev = row;
    }
    prev[b.len()]
}

/// True when the language tag `t` is `range` or a subtag of it (`zh-CN` for `zh`).
fn in_range(t: &str, range: &str) -> bool {
    let (t, r) = (t.to_ascii_lowercase(), range.to_ascii_lowercase());
    t == r || t.starts_with(&format!("{r}-"))
}

/// The reference answer of a fuzzy match: (id, score, lang, stored text), best first,
/// ties by lower id, then by tag; `score = 100 × (1 − lev / max(len))`.
fn reference_matches(
    units: &[Stored],
    query: &str,
    range: &str,
    opts: MatchOptions,
) -> Vec<(i64, f64, String, String)> {
    let q = key(query);
    let mut all = Vec::new();
    for (id, vs) in units {
        for (t, text) in vs {
            if !in_range(t, range) {
                continue;
            }
            let k = key(text);
            let l = q.len().max(k.len());
            let score = if l == 0 {
                100.0
            } else {
                100.0 * (1.0 - levenshtein(&q, &k) as f64 / l as f64)
            };
            if score >= opts.min_score {
                all.push((*id, score, t.clone(), text.clone()));
            }
        }
    }
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)).then(a.2.cmp(&b.2)));
    all.truncate(opts.limit);
    all
}

/// The reference concordance: every stored segment (of the selected languages) whose
/// key contains the phrase's key, by id then tag, at most `limit`.
fn reference_search(
    units: &[Stored],
    phrase: &str,
    range: Option<&str>,
    limit: usize,
) -> Vec<(i64, String, String)> {
    let p: String = key(phrase).into_iter().collect();
    let mut hits = Vec::new();
    for (id, vs) in units {
        for (t, text) in vs {
            if range.is_some_and(|r| !in_range(t, r)) {
                continue;
            }
            let k: String = key(text).into_iter().collect();
            if k.contains(&p) {
                hits.push((*id, t.clone(), text.clone()));
            }
        }
    }
    hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    hits.truncate(limit);
    hits
}

/// A phrase of 1–4 characters cut from a stored row, and whether the search is
/// restricted to the row's language.
#[derive(Debug, Clone)]
struct PhraseSpec {
    lang: usize,
    row: Index,
    start: Index,
    len: usize,
    restrict: bool,
}

fn phrase() -> impl Strategy<Value = PhraseSpec> {
    (
        0usize..3,
        any::<Index>(),
        any::<Index>(),
        1usize..=4,
        prop_oneof![1 => Just(false), 2 => Just(true)],
    )
        .prop_map(|(lang, row, start, len, restrict)| PhraseSpec {
            lang,
            row,
            start,
            len,
            restrict,
        })
}

#[test]
fn reference_levenshtein_and_key() {
    let c = |s: &str| s.chars().collect::<Vec<_>>();
    assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
    assert_eq!(levenshtein(&c(""), &c("한반도")), 3);
    assert_eq!(levenshtein(&c("朝鲜半岛"), &c("韩半岛")), 2);
    assert_eq!(key("  ＤＰＲＫ\u{3000}Talks "), c("dprk talks"));
    let nfd: String = "한반도".nfd().collect();
    assert_eq!(key(&nfd), c("한반도"));
}

/// `fuzzy::batch` on a memory file (one thread per core, each with its own connection)
/// answers every item in item order, as one matcher asking them one by one does; and an
/// item that fails fails the batch.
#[test]
fn batch_answers_in_item_order_on_every_core() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("m.db");
    let mut mem = Memory::open(&path).unwrap();
    let rows: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "The delegation {i} met the minister on day {} about item {}.",
                i % 7,
                i * 13 % 31
            )
        })
        .collect();
    mem.import(&["t"], |imp| {
        for r in &rows {
            imp.add(Unit::new(vec![
                Variant::new(tag("en"), r),
                Variant::new(tag("ko"), "대표단"),
            ]))?;
        }
        Ok(())
    })
    .unwrap();
    let from = LangRange::parse("en").unwrap();
    let opts = MatchOptions {
        limit: 3,
        min_score: 50.0,
    };
    let queries: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i % 2 == 0 {
                r.replace("minister", "ministers")
            } else {
                r.clone()
            }
        })
        .collect();
    let mut one = Matcher::new(&mem).unwrap();
    let want: Vec<_> = queries
        .iter()
        .map(|q| one.find(q, &from, opts).unwrap())
        .collect();
    let done = std::sync::atomic::AtomicU64::new(0);
    let got = concord::fuzzy::batch(
        &mem,
        &queries,
        |m, _, q| m.find(q, &from, opts),
        &|n, total| {
            assert_eq!(total, 60);
            done.fetch_max(n, std::sync::atomic::Ordering::Relaxed);
        },
    )
    .unwrap();
    assert_eq!(got, want);
    assert_eq!(done.into_inner(), 60);
    let mut bad = queries.clone();
    bad[37] = "—".into();
    let e = concord::fuzzy::batch(&mem, &bad, |m, _, q| m.find(q, &from, opts), &|_, _| {})
        .unwrap_err();
    assert_eq!(e.kind(), &concord::error::ErrorKind::BadQuery);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("FUZZY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), .. ProptestConfig::default() })]

    #[test]
    fn indexed_equals_brute_force(
        spec in memory(),
        queries in prop::collection::vec(query(), 12),
        min in prop_oneof![50.0f64..=100.0, Just(50.0), Just(70.0), Just(75.0), Just(87.5), Just(100.0)],
        k in 1usize..=10,
    ) {
        let mem = build(&spec);
        let units = stored(&mem);
        let mut matcher = Matcher::new(&mem).unwrap();
        let opts = MatchOptions { limit: k, min_score: min };
        for qs in &queries {
            let q = qs.text(&spec.rows);
            let l = qs.lang();
            let from = LangRange::parse(LANGS[l]).unwrap();
            // Both paths of the matcher: the q-gram index first (near-duplicates), and
            // the key-file scan alone (what queries over the q-gram budget get).
            matcher.set_qgram_budget(Some((0, 0)));
            let scanned = matcher.find(&q, &from, opts);
            matcher.set_qgram_budget(None);
            let fast = matcher.find(&q, &from, opts);
            match (&scanned, &fast) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "key-file scan vs q-gram path: {:?}", q),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a.as_ref().map(|_| ()), b.as_ref().map(|_| ())),
            }
            if std::env::var_os("FUZZY_DEBUG").is_some() {
                eprintln!("DBG scanned={} verified={} n={} found={}", matcher.stats.scanned, matcher.stats.verified, q.chars().count(), fast.as_ref().map(|v| v.len()).unwrap_or(99));
            }
            let slow = matcher.brute_force(&q, &from, opts);
            if let Ok(f) = &fast {
                let got: Vec<(i64, f64, String, String)> = f
                    .iter()
                    .map(|m| (m.id, m.score, m.lang.clone(), m.source.clone()))
                    .collect();
                prop_assert_eq!(got, reference_matches(&units, &q, LANGS[l], opts), "reference: query {:?} min {} k {}", q, min, k);
            }
            match (fast, slow) {
                (Ok(f), Ok(s)) => prop_assert_eq!(f, s, "query {:?} min {} k {}", q, min, k),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
            }
        }
    }

    #[test]
    fn concordance_equals_brute_force(
        spec in memory(),
        phrases in prop::collection::vec(phrase(), 8),
        limit in 1usize..30,
    ) {
        let mem = build(&spec);
        let units = stored(&mem);
        for p in &phrases {
            let l = p.lang;
            let r = &p.row.get(&spec.rows)[l];
            let c: Vec<char> = r.chars().collect();
            if c.is_empty() { continue; }
            let a = p.start.index(c.len());
            let len = p.len.min(c.len() - a);
            let phrase: String = c[a..a + len].iter().collect();
            let lang = p.restrict.then(|| LangRange::parse(LANGS[l]).unwrap());
            let fast = concordance::search(&mem, &phrase, lang.as_ref(), limit);
            let slow = concordance::search_brute_force(&mem, &phrase, lang.as_ref(), limit);
            if let Ok(f) = &fast {
                let got: Vec<(i64, String, String)> =
                    f.iter().map(|h| (h.id, h.lang.clone(), h.text.clone())).collect();
                let range = p.restrict.then_some(LANGS[l]);
                prop_assert_eq!(got, reference_search(&units, &phrase, range, limit), "reference: phrase {:?}", phrase);
            }
            match (fast, slow) {
                (Ok(f), Ok(s)) => prop_assert_eq!(f, s, "phrase {:?}", phrase),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|_| ()), b.map(|_| ())),
            }
        }
    }

    /// `find_band` (the analysis's top-1 search whose threshold jumps to the next band
    /// edge) lands in the band of the brute-force best match, on both paths; and
    /// `exact_units` (a binary search of the key file) returns the units the brute force
    /// scores 100.
    #[test]
    fn band_search_and_exact_units_equal_brute_force(
        spec in memory(),
        queries in prop::collection::vec(query(), 12),
        min in prop_oneof![Just(50u32), Just(60u32), Just(75u32), 30u32..=99],
        extra in prop::collection::vec(1u32..=99, 0..4),
    ) {
        let mem = build(&spec);
        let mut matcher = Matcher::new(&mem).unwrap();
        let mut edges: Vec<u32> = vec![min, 75, 85, 95];
        edges.extend(extra);
        edges.retain(|&e| e >= min);
        let band = |s: f64| edges.iter().filter(|&&e| s.floor() as u32 >= e).count()
            + usize::from(s >= 100.0);
        let everything = MatchOptions { limit: 10_000, min_score: min as f64 };
        for qs in &queries {
            let q = qs.text(&spec.rows);
            let from = LangRange::parse(LANGS[qs.lang()]).unwrap();
            let Ok(all) = matcher.brute_force(&q, &from, everything) else {
                prop_assert!(matcher.find_band(&q, &from, min as f64, &edges).is_err());
                prop_assert!(matcher.exact_units(&q, &from).is_err());
                continue;
            };
            let want = all.first().map(|m| band(m.score));
            for budget in [Some((0, 0)), None] {
                matcher.set_qgram_budget(budget);
                let got = matcher.find_band(&q, &from, min as f64, &edges).unwrap();
                prop_assert!(got.len() <= 1);
                prop_assert_eq!(got.first().map(|m| band(m.score)), want, "query {:?} edges {:?} budget {:?}", q, edges, budget);
                if let Some(m) = got.first() {
                    prop_assert!(all.iter().any(|a| a.id == m.id && a.score == m.score));
                }
            }
            matcher.set_qgram_budget(None);
            let mut exact: Vec<i64> = all.iter().filter(|m| m.score >= 100.0).map(|m| m.id).collect();
            exact.sort_unstable();
            exact.dedup();
            prop_assert_eq!(matcher.exact_units(&q, &from).unwrap(), exact, "query {:?}", q);
        }
        // `find_bands`: the queries of each language in one batch, the same bands (and
        // refused queries refused), on both paths.
        for lang in LANGS {
            let from = LangRange::parse(lang).unwrap();
            let texts: Vec<String> = queries
                .iter()
                .filter(|qs| LANGS[qs.lang()] == lang)
                .map(|qs| qs.text(&spec.rows))
                .collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            for budget in [Some((0, 0)), None] {
                matcher.set_qgram_budget(budget);
                let got = matcher.find_bands(&refs, &from, min as f64, &edges).unwrap();
                prop_assert_eq!(got.len(), refs.len());
                for (q, got) in refs.iter().zip(got) {
                    match (matcher.brute_force(q, &from, everything), got) {
                        (Ok(all), Ok(got)) => {
                            prop_assert!(got.len() <= 1);
                            let want = all.first().map(|m| band(m.score));
                            prop_assert_eq!(got.first().map(|m| band(m.score)), want, "batched query {:?} edges {:?} budget {:?}", q, edges, budget);
                            if let Some(m) = got.first() {
                                prop_assert!(all.iter().any(|a| a.id == m.id && a.score == m.score));
                            }
                        }
                        (Err(_), Err(_)) => {}
                        (a, b) => prop_assert!(false, "batched query {:?}: {:?} vs {:?}", q, a.map(|_| ()), b.map(|_| ())),
                    }
                }
            }
            matcher.set_qgram_budget(None);
        }
    }
}

/// The q-gram search verifies its candidates on the key file's codes and verifies more
/// leaders at each checkpoint: on clustered memories (hundreds of variants of a few
/// sentences, the near-duplicate shape where the index answers without scanning), with
/// NFD Hangul, full-width forms, Traditional characters in stored and query text and
/// 2-character Chinese keys, every answer equals the brute force's, and most queries
/// stay in the index, so the test exercises that path.
#[test]
fn clustered_variants_verified_on_the_key_file_equal_brute_force() {
    let bases = [
        (
            "The Minister of Foreign Affairs met the Ambassador of the Republic of Korea on 5 March 2021 to discuss the peninsula.",
            "외교부 장관은 2021년 3월 5일 대한민국 대사를 만나 한반도 문제를 논의했다.",
            "外交部长于二〇二一年三月五日会见大韩民国大使，讨论朝鲜半岛问题。",
        ),
        (
            "Delegations from ４２ states adopted the resolution on maritime security without a vote.",
            "４２개국 대표단은 해양 안보에 관한 결의를 표결 없이 채택했다.",
            "四十二个国家代表团未经表决通过了关于海上安全的决议。",
        ),
    ];
    let short = ["半岛", "朝鲜", "問題", "问题", "外交"];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    // A few random edits (substitute, delete, insert a character of the sentence).
    let mut vary = |s: &str, edits: usize| -> String {
        let mut c: Vec<char> = s.chars().collect();
        for _ in 0..edits {
            let at = rnd(c.len());
            let with = c[rnd(c.len())];
            match rnd(3) {
                0 => c[at] = with,
                1 if c.len() > 2 => {
                    c.remove(at);
                }
                _ => c.insert(at, with),
            }
        }
        c.into_iter().collect()
    };
    let mut rows: Vec<[String; 3]> = Vec::new();
    for i in 0..360 {
        let (en, ko, zh) = bases[i % bases.len()];
        let edits = 1 + i % 9;
        let mut ko = vary(ko, edits);
        if i % 5 == 0 {
            ko = ko.nfd().collect();
        }
        let mut zh = vary(zh, edits);
        if i % 7 == 0 {
            zh = zh.replace("朝鲜半岛", "朝鮮半島");
        }
        if i % 11 == 0 {
            zh = short[i % short.len()].to_string();
        }
        rows.push([vary(en, edits), ko, zh]);
    }
    let mut mem = Memory::open_in_memory().unwrap();
    mem.import(&["t"], |imp| {
        for r in &rows {
            imp.add(Unit::new(vec![
                Variant::new(tag("en"), &r[0]),
                Variant::new(tag("ko"), &r[1]),
                Variant::new(tag("zh"), &r[2]),
            ]))?;
        }
        Ok(())
    })
    .unwrap();
    let ids: Vec<i64> = stored(&mem).into_iter().map(|(id, _)| id).collect();
    mem.delete(&ids.iter().step_by(13).copied().collect::<Vec<_>>())
        .unwrap();
    let units = stored(&mem);
    let mut queries: Vec<(&str, String)> = Vec::new();
    for (en, ko, zh) in bases {
        for e in [0, 2, 6] {
            queries.push(("en", vary(en, e)));
            queries.push(("ko", vary(ko, e).nfd().collect()));
            queries.push(("zh", vary(&zh.replace("朝鲜半岛", "朝鮮半島"), e)));
        }
    }
    for s in short {
        queries.push(("zh", s.to_string()));
    }
    let mut matcher = Matcher::new(&mem).unwrap();
    let mut indexed = 0;
    for opts in [
        MatchOptions::default(),
        MatchOptions {
            limit: 3,
            min_score: 85.0,
        },
        MatchOptions {
            limit: 1,
            min_score: 50.0,
        },
    ] {
        for (lang, q) in &queries {
            let from = LangRange::parse(lang).unwrap();
            let fast = matcher.find(q, &from, opts).unwrap();
            indexed += usize::from(!matcher.stats.scanned);
            let slow = matcher.brute_force(q, &from, opts).unwrap();
            assert_eq!(fast, slow, "{lang} {q:?} {opts:?}");
            // The reference key does not fold Traditional to Simplified: compare the
            // Chinese answers with the library's brute force only.
            if *lang != "zh" {
                let got: Vec<(i64, f64, String, String)> = fast
                    .iter()
                    .map(|m| (m.id, m.score, m.lang.clone(), m.source.clone()))
                    .collect();
                assert_eq!(got, reference_matches(&units, q, lang, opts), "{q:?}");
            }
        }
    }
    assert!(
        indexed * 2 > 3 * queries.len(),
        "only {indexed} of {} searches stayed in the q-gram index",
        3 * queries.len()
    );
}
