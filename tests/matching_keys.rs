//! The key file that fuzzy matching scans, and the Traditional/Simplified fold of
//! Chinese keys: the answers stay those of the memory after imports and deletes, a
//! missing or damaged key file is rebuilt, and a Traditional query scores what the
//! Simplified one does.

use concord::fuzzy::{concordance, MatchOptions, Matcher};
use concord::keystore;
use concord::lang::{LangRange, LangTag};
use concord::store::Memory;
use concord::unit::{Unit, Variant};

fn tag(s: &str) -> LangTag {
    LangTag::parse(s).unwrap()
}

fn unit(en: &str, ko: &str, zh: &str) -> Unit {
    Unit::new(vec![
        Variant::new(tag("en"), en),
        Variant::new(tag("ko"), ko),
        Variant::new(tag("zh"), zh),
    ])
}

fn find(mem: &Memory, q: &str, lang: &str) -> Vec<(i64, f64)> {
    Matcher::new(mem)
        .unwrap()
        .find(q, &LangRange::parse(lang).unwrap(), MatchOptions::default())
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.score))
        .collect()
}

#[test]
fn traditional_query_finds_simplified_segment_with_the_same_score() {
    let mut mem = Memory::open_in_memory().unwrap();
    mem.import(&["t"], |imp| {
        imp.add(unit(
            "The Korean Peninsula issue",
            "한반도 문제",
            "朝鲜半岛问题的解决",
        ))?;
        imp.add(unit("Talks", "北韓 문제", "會談"))?;
        Ok(())
    })
    .unwrap();
    let simplified = find(&mem, "朝鲜半岛问题的解决", "zh");
    let traditional = find(&mem, "朝鮮半島問題的解決", "zh");
    assert_eq!(simplified, vec![(1, 100.0)]);
    assert_eq!(traditional, simplified);
    // And the reverse: a Simplified query finds the Traditional segment.
    assert_eq!(find(&mem, "会谈", "zh"), vec![(2, 100.0)]);
    // Korean keys do not fold: Hanja 北韓 is not 北韩.
    assert_eq!(
        find(&mem, "北韩 문제", "ko").first().map(|m| m.1),
        Some(80.0)
    );
    // Concordance folds too, and the span is in the stored text.
    let hits =
        concordance::search(&mem, "朝鮮", Some(&LangRange::parse("zh").unwrap()), 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].id, hits[0].spans.clone()), (1, vec![(0, 2)]));
    let brute =
        concordance::search_brute_force(&mem, "朝鮮", Some(&LangRange::parse("zh").unwrap()), 5)
            .unwrap();
    assert_eq!(hits, brute);
}

#[test]
fn key_file_follows_imports_and_deletes_and_is_rebuilt_when_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let kp = keystore::path_for(&db);
    let mut mem = Memory::open(&db).unwrap();
    mem.import(&["a"], |imp| {
        imp.add(unit(
            "The ministers met in Seoul today.",
            "장관들이 오늘 서울에서 만났다.",
            "部长们今天在首尔会面。",
        ))?;
        imp.add(unit(
            "The ministers met in Tokyo today.",
            "장관들이 오늘 도쿄에서 만났다.",
            "部长们今天在东京会面。",
        ))?;
        Ok(())
    })
    .unwrap();
    assert!(kp.exists(), "import writes the key file");
    let q = "The ministers met in Seoul today";
    assert_eq!(
        find(&mem, q, "en").iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![1, 2]
    );
    // A delete takes the unit out of the answers at once.
    mem.delete(&[1]).unwrap();
    assert_eq!(
        find(&mem, q, "en").iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![2]
    );
    drop(mem);
    // A new process finds it current; a damaged or missing file is rebuilt, the same.
    let mem = Memory::open_read_only(&db).unwrap();
    assert_eq!(
        find(&mem, q, "en").iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![2]
    );
    drop(mem);
    let good = std::fs::read(&kp).unwrap();
    let mut bad = good.clone();
    bad.truncate(bad.len() / 2);
    std::fs::write(&kp, &bad).unwrap();
    let mem = Memory::open_existing(&db).unwrap();
    assert_eq!(
        find(&mem, q, "en").iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![2]
    );
    drop(mem);
    assert_eq!(
        std::fs::read(&kp).unwrap(),
        good,
        "rebuilt deterministically"
    );
    std::fs::remove_file(&kp).unwrap();
    let mem = Memory::open_existing(&db).unwrap();
    assert_eq!(
        find(&mem, q, "en").iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(std::fs::read(&kp).unwrap(), good);
}

/// A key file of an older format (format 5: no length strata), stamped with the
/// memory's current state, is stale: the next search rebuilds it, byte for byte the
/// current file, with the same answers.
#[test]
fn key_file_of_an_older_format_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let mut m = Memory::open(&db).unwrap();
    m.import(&["t"], |imp| {
        for i in 0..40 {
            imp.add(unit(
                &format!("The minister met the envoy on day {i} of the talks"),
                "한국어 문장",
                "中文句子",
            ))?;
        }
        Ok(())
    })
    .unwrap();
    drop(m);
    let kp = keystore::path_for(&db);
    let good = std::fs::read(&kp).unwrap();
    assert_eq!(&good[..8], b"CCKEYS\x00\x06");
    let mut old = good.clone();
    old[7] = 5;
    std::fs::write(&kp, &old).unwrap();
    let mem = Memory::open_existing(&db).unwrap();
    let q = "The minister met the envoy on day 7 of the talks";
    assert_eq!(find(&mem, q, "en").first(), Some(&(8, 100.0)));
    drop(mem);
    assert_eq!(std::fs::read(&kp).unwrap(), good, "rebuilt to format 6");
}

#[test]
fn key_file_of_another_memory_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    for (p, text) in [
        (&a, "Alpha bravo charlie delta"),
        (&b, "Echo foxtrot golf hotel"),
    ] {
        let mut m = Memory::open(p).unwrap();
        m.import(&["t"], |imp| {
            imp.add(unit(text, "한국어 문장", "中文句子"))?;
            Ok(())
        })
        .unwrap();
    }
    // Same generation, another instance: b's key file copied over a's is stale.
    std::fs::copy(keystore::path_for(&b), keystore::path_for(&a)).unwrap();
    let mem = Memory::open_existing(&a).unwrap();
    assert_eq!(
        find(&mem, "Alpha bravo charlie delta", "en"),
        vec![(1, 100.0)]
    );
    assert!(find(&mem, "Echo foxtrot golf hotel", "en").is_empty());
}
