use std::path::{Path, PathBuf};

use super::*;
use crate::formats::job::{read_job, JobRequest};
use crate::fuzzy::lev::distance_dp;
use crate::lang::LangTag;
use crate::unit::{Unit, Variant};

/// The memory's files: (origin, [(en, ko)]) in file order.
type Files<'a> = &'a [(&'a str, &'a [(&'a str, &'a str)])];

fn memory(files: Files<'_>) -> Memory {
    let mut mem = Memory::open_in_memory().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    mem.import(&names, |imp| {
        for (origin, units) in files {
            for (en, ko) in *units {
                let mut vs = vec![Variant::new(LangTag::parse("en").unwrap(), *en)];
                if !ko.is_empty() {
                    vs.push(Variant::new(LangTag::parse("ko").unwrap(), *ko));
                } else {
                    vs.push(Variant::new(LangTag::parse("zh").unwrap(), "中文"));
                }
                let mut u = Unit::new(vs);
                u.meta.origin = Some(origin.to_string());
                imp.add(u)?;
            }
        }
        Ok(())
    })
    .unwrap();
    mem
}

fn job_files(dir: &Path, files: &[(&str, &[&str])]) -> Job {
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, lines)| {
            let p = dir.join(name);
            std::fs::write(&p, lines.join("\n")).unwrap();
            p
        })
        .collect();
    let mut req = JobRequest::files(paths);
    req.from = Some(LangRange::parse("en").unwrap());
    req.to = Some(LangRange::parse("ko").unwrap());
    req.split = crate::formats::job::Split::Lines;
    read_job(&req).unwrap()
}

fn no_progress(_: u64, _: u64) {}

/// The reference: every band decided from the memory's files as the test wrote them,
/// with the textbook distance, independent of the store, the index and the matcher.
fn reference(files: Files<'_>, job: &Job, rules: &Rules) -> Vec<(usize, Band)> {
    let key = |t: &str| -> Vec<char> {
        crate::text::match_key_for(&job.source, &crate::text::stored_form(t))
            .chars()
            .collect()
    };
    let sc = |a: &[char], b: &[char]| score(distance_dp(a, b), a.len(), b.len());
    // Units with a Korean target.
    let stored: Vec<(Vec<char>, bool)> = files
        .iter()
        .flat_map(|(_, us)| us.iter().map(|(en, ko)| (key(en), !ko.is_empty())))
        .collect();
    let mut out = Vec::new();
    // Keys seen, with every file they were seen in.
    let mut seen: Vec<(Vec<char>, Vec<usize>)> = Vec::new();
    for f in file_order(job, rules) {
        let segs = job.file_segments(f);
        for (j, s) in segs.iter().enumerate() {
            // A locked segment: its own row, not matched, not an occurrence.
            if s.lock.is_locked() {
                out.push((s.file, Band::Locked));
                continue;
            }
            let k = key(&s.source);
            let best = stored
                .iter()
                .filter(|(_, ko)| *ko)
                .map(|(sk, _)| sc(sk, &k))
                .fold(0.0f64, f64::max);
            let best = if best >= rules.min_score() as f64 {
                best
            } else {
                0.0
            };
            let exact = best >= 100.0;
            // Context: some file of the memory has this segment after the previous one
            // (or first, for a file's first segment).
            let prev = (j > 0).then(|| key(&segs[j - 1].source));
            let context = exact
                && files.iter().any(|(_, us)| {
                    us.iter().enumerate().any(|(i, (en, ko))| {
                        !ko.is_empty()
                            && key(en) == k
                            && match &prev {
                                None => i == 0,
                                Some(p) => i > 0 && key(us[i - 1].0) == *p,
                            }
                    })
                });
            let earlier: Vec<usize> = seen
                .iter()
                .find(|(sk, _)| *sk == k)
                .map(|x| x.1.clone())
                .unwrap_or_default();
            let band = if context {
                Band::Context
            } else if exact && !rules.repetitions_over_exact {
                Band::Exact
            } else if earlier.contains(&f) {
                Band::Repetition
            } else if !earlier.is_empty() {
                Band::CrossFileRepetition
            } else if exact {
                Band::Exact
            } else {
                let mut b = best;
                if rules.internal {
                    for (sk, _) in &seen {
                        let x = sc(sk, &k);
                        if x >= rules.min_score() as f64 {
                            b = b.max(x);
                        }
                    }
                }
                match rules.fuzzy_band(b) {
                    Some(i) if b > 0.0 => Band::Fuzzy(i),
                    _ => Band::NoMatch,
                }
            };
            match seen.iter_mut().find(|(sk, _)| *sk == k) {
                Some((_, fs)) => {
                    if !fs.contains(&f) {
                        fs.push(f);
                    }
                }
                None => seen.push((k, vec![f])),
            }
            out.push((s.file, band));
        }
    }
    out
}

const MEM: &[(&str, &[(&str, &str)])] = &[
    (
        "statement.tmx",
        &[
            (
                "The two ministers met in Seoul.",
                "양국 장관은 서울에서 만났다.",
            ),
            ("They discussed the situation.", "그들은 상황을 논의했다."),
            ("They agreed to meet again.", "그들은 다시 만나기로 했다."),
            ("Thank you.", "감사합니다."),
        ],
    ),
    (
        "readout.tmx",
        &[
            ("Thank you.", "고맙습니다."),
            ("The talks were constructive.", "회담은 건설적이었다."),
            ("Only in Chinese.", ""),
        ],
    ),
];

fn bands_of(results: &[SegmentResult]) -> Vec<(usize, Band)> {
    results.iter().map(|r| (r.file, r.band)).collect()
}

#[test]
fn bands_trados_and_memoq_rules_match_the_reference() {
    let mem = memory(MEM);
    let d = tempfile::tempdir().unwrap();
    let job = job_files(
        d.path(),
        &[
            (
                "a.txt",
                &[
                    "The two ministers met in Seoul.", // context (first of its file)
                    "They discussed the situation.",   // context
                    "They agreed to meet again.",      // context
                    "The two ministers met in Busan.", // fuzzy
                    "They discussed the situation.",   // 100% (Trados) / repetition (memoQ)
                    "An entirely new sentence here.",  // no match
                    "An entirely new sentence here.",  // repetition
                    "Only in Chinese.",                // no Korean target: no match
                ],
            ),
            (
                "b.txt",
                &[
                    "An entirely new sentence here.",  // cross-file repetition
                    "The talks were constructive.",    // 100% (not first in its file)
                    "Thank you.",                      // context (after "The talks..."? no)
                    "An entirely new sentence, here!", // fuzzy against the job (internal)
                ],
            ),
        ],
    );
    for rules in [
        Rules::default(),
        Rules {
            repetitions_over_exact: true,
            ..Rules::default()
        },
        Rules {
            internal: true,
            fuzzy_edges: vec![90, 60],
            ..Rules::default()
        },
        Rules {
            file_order: FileOrder::Name,
            ..Rules::default()
        },
    ] {
        let want = reference(MEM, &job, &rules);
        for search in [Search::Indexed, Search::BruteForce] {
            let got = classify(&mem, &job, &rules, search, &no_progress).unwrap();
            assert_eq!(bands_of(&got), want, "{rules:?} {search:?}");
        }
    }
    // The rules' effects, spelled out.
    let trados = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap();
    let b: Vec<Band> = trados.iter().map(|r| r.band).collect();
    assert_eq!(
        b,
        [
            Band::Context,
            Band::Context,
            Band::Context,
            Band::Fuzzy(2),
            Band::Exact,
            Band::NoMatch,
            Band::Repetition,
            Band::NoMatch,
            Band::CrossFileRepetition,
            Band::Exact,
            Band::Exact,
            Band::NoMatch,
        ]
    );
    let memoq = Rules {
        repetitions_over_exact: true,
        ..Rules::default()
    };
    let m = classify(&mem, &job, &memoq, Search::Indexed, &no_progress).unwrap();
    assert_eq!(m[4].band, Band::Repetition);
    let internal = Rules {
        internal: true,
        ..Rules::default()
    };
    let i = classify(&mem, &job, &internal, Search::Indexed, &no_progress).unwrap();
    assert!(matches!(i[11].band, Band::Fuzzy(_)), "{:?}", i[11]);
    assert!(i[11].internal_score > 75.0 && i[11].tm_score == 0.0);
}

#[test]
fn context_match_needs_the_same_previous_segment() {
    let mem = memory(MEM);
    let d = tempfile::tempdir().unwrap();
    let job = job_files(
        d.path(),
        &[(
            "c.txt",
            &[
                "They discussed the situation.", // first of the job file, not of the stored file
                "The two ministers met in Seoul.", // stored first of its file, here second
                "Thank you.", // stored after "They agreed..." and first of readout
            ],
        )],
    );
    let r = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap();
    assert_eq!(
        bands_of(&r),
        [(0, Band::Exact), (0, Band::Exact), (0, Band::Exact)]
    );
    let job = job_files(d.path(), &[("d.txt", &["Thank you."])]);
    let r = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap();
    assert_eq!(r[0].band, Band::Context, "first of readout.tmx");
}

#[test]
fn cross_file_repetition_is_first_in_its_file_then_repetition() {
    let mem = memory(MEM);
    let d = tempfile::tempdir().unwrap();
    let job = job_files(
        d.path(),
        &[
            ("z.txt", &["Brand new words.", "Other words."]),
            ("a.txt", &["Brand new words.", "Brand new words."]),
        ],
    );
    let r = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap();
    assert_eq!(
        bands_of(&r),
        [
            (0, Band::NoMatch),
            (0, Band::NoMatch),
            (1, Band::CrossFileRepetition),
            (1, Band::Repetition)
        ]
    );
    // By name, a.txt comes first: its second occurrence is the repetition, z.txt's the
    // cross-file one.
    let by_name = Rules {
        file_order: FileOrder::Name,
        ..Rules::default()
    };
    let r = classify(&mem, &job, &by_name, Search::Indexed, &no_progress).unwrap();
    assert_eq!(
        bands_of(&r),
        [
            (1, Band::NoMatch),
            (1, Band::Repetition),
            (0, Band::CrossFileRepetition),
            (0, Band::NoMatch)
        ]
    );
    let a = analyze(&mem, &job, &by_name, Search::Indexed, &no_progress).unwrap();
    assert!(a.files[0].path.ends_with("a.txt"));
    assert_eq!(a.total.total.segments, 4);
    assert_eq!(a.total.repetitions.segments, 1);
    assert_eq!(a.total.cross_file_repetitions.segments, 1);
    assert_eq!(a.total.total.words, 3 * 3 + 2);
}

#[test]
fn generated_jobs_match_the_reference() {
    // Edits, copies and unrelated sentences, as the matching bench makes its queries.
    let base: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!(
                    "The delegation number {i} met the minister on day {} to discuss item {}.",
                    i % 7,
                    i * 13 % 31
                ),
                format!("대표단 {i}"),
            )
        })
        .collect();
    let units: Vec<(&str, &str)> = base.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let files: Vec<(&str, &[(&str, &str)])> =
        vec![("gen.tsv", &units[..25]), ("gen2.tsv", &units[25..])];
    let mem = memory(&files);
    let mut lines: Vec<String> = Vec::new();
    let mut seed = 7u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for _ in 0..60 {
        let s = &base[next() % base.len()].0;
        lines.push(match next() % 4 {
            0 => s.clone(),
            1 => s.replacen("minister", "ministers", 1),
            2 => s.replacen("The delegation", "A group", 1),
            _ => format!("Unrelated text {} about weather.", next() % 5),
        });
    }
    let d = tempfile::tempdir().unwrap();
    let a: Vec<&str> = lines[..30].iter().map(|s| s.as_str()).collect();
    let b: Vec<&str> = lines[30..].iter().map(|s| s.as_str()).collect();
    let mut job = job_files(d.path(), &[("one.txt", &a), ("two.txt", &b)]);
    let plain = job.clone();
    // The same job with every fifth segment locked (as an XLIFF file would say).
    for (i, s) in job.segments.iter_mut().enumerate() {
        if i % 5 == 2 {
            s.lock = crate::formats::segment::Lock::Locked;
        }
    }
    let unlocked = classify(
        &mem,
        &plain,
        &Rules::default(),
        Search::Indexed,
        &no_progress,
    )
    .unwrap();
    let locked = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap();
    assert_eq!(
        locked.iter().filter(|r| r.band == Band::Locked).count(),
        (0..job.segments.len()).filter(|i| i % 5 == 2).count()
    );
    // Locking changes bands (a locked first occurrence makes no repetition).
    assert_ne!(bands_of(&unlocked), bands_of(&locked));
    for rules in [
        Rules::default(),
        Rules {
            internal: true,
            repetitions_over_exact: true,
            ..Rules::default()
        },
    ] {
        let want = reference(&files, &job, &rules);
        let got = classify(&mem, &job, &rules, Search::Indexed, &no_progress).unwrap();
        assert_eq!(bands_of(&got), want, "{rules:?}");
    }
}

#[test]
fn bad_band_edges_are_refused() {
    for e in [vec![], vec![50, 95], vec![100, 50], vec![0], vec![80, 80]] {
        let r = Rules {
            fuzzy_edges: e,
            ..Rules::default()
        };
        assert!(r.check().is_err(), "{r:?}");
    }
    let r = Rules::default();
    assert_eq!(r.fuzzy_band(99.9), Some(0));
    assert_eq!(r.fuzzy_band(94.99), Some(1));
    assert_eq!(r.fuzzy_band(50.0), Some(3));
    assert_eq!(r.fuzzy_band(49.9), None);
}

#[test]
fn job_in_a_language_the_memory_lacks_is_refused() {
    let mem = memory(MEM);
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("s.txt");
    std::fs::write(&p, "Hello there.\n").unwrap();
    let mut req = JobRequest::files([&p]);
    req.from = Some(LangRange::parse("en").unwrap());
    req.to = Some(LangRange::parse("ja").unwrap());
    let job = read_job(&req).unwrap();
    let e = classify(&mem, &job, &Rules::default(), Search::Indexed, &no_progress).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NoData);
    assert!(e.to_string().contains("s.txt:1:"), "{e}");
}
