//! Alignment cases written for EN/KO/ZH diplomatic text.

use super::*;

fn side(lang: &str, paragraphs: &[&[&str]]) -> Side {
    Side {
        lang: LangTag::parse(lang).unwrap(),
        file: Some(format!("{lang}.txt")),
        paragraphs: paragraphs
            .iter()
            .map(|p| p.iter().map(|s| s.to_string()).collect())
            .collect(),
        soft_starts: Vec::new(),
        weak_starts: Vec::new(),
        word_starts: Vec::new(),
    }
}

fn beads(p: &PairAlignment) -> Vec<(Vec<usize>, Vec<usize>)> {
    p.beads
        .iter()
        .map(|b| (b.src.clone(), b.tgt.clone()))
        .collect()
}

const EN: &[&str] = &[
    "Foreign Minister Park Jin met Chinese Foreign Minister Wang Yi in Beijing on 21 February 2022.",
    "The two ministers discussed the situation on the Korean Peninsula.",
    "They agreed to hold the next meeting in Seoul.",
    "Minister Park said that 30 years of diplomatic relations had brought the two countries closer.",
    "The talks lasted two hours.",
];
const KO: &[&str] = &[
    "박진 외교부 장관은 2022년 2월 21일 베이징에서 왕이 중국 외교부장과 회담했다.",
    "양국 장관은 한반도 정세에 대해 논의했다.",
    "양측은 다음 회의를 서울에서 개최하기로 합의했다.",
    "박 장관은 수교 30년이 양국을 더욱 가깝게 만들었다고 말했다.",
    "회담은 두 시간 동안 진행되었다.",
];
const ZH: &[&str] = &[
    "朴振外长于2022年2月21日在北京会见了中国外长王毅。",
    "两国外长讨论了朝鲜半岛局势。",
    "双方同意在首尔举行下一次会议。",
    "朴外长表示，建交三十年使两国关系更加紧密。",
    "会谈持续了两个小时。",
];

#[test]
fn three_versions_align_one_to_one_with_high_confidence() {
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[KO]), side("zh", &[ZH])],
        AlignOptions::default(),
    )
    .unwrap();
    assert_eq!(a.groups.len(), 5);
    for (i, g) in a.groups.iter().enumerate() {
        assert_eq!(g.sentences, vec![vec![i], vec![i], vec![i]]);
        assert!(g.confidence > 0.5, "group {i}: {}", g.confidence);
    }
    assert!(a.confidence > 0.6, "{}", a.confidence);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}

#[test]
fn korean_sentence_split_in_two_gives_a_one_to_two_bead() {
    let ko = [
        KO[0],
        "양국 장관은 한반도 정세를 점검했다.",
        "이어 관련 대응 방안에 대해 논의했다.",
        KO[2],
        KO[3],
        KO[4],
    ];
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[&ko])],
        AlignOptions::default(),
    )
    .unwrap();
    let b = beads(&a.pairs[0]);
    assert!(b.contains(&(vec![1], vec![1, 2])), "{b:?}");
    assert!(b.contains(&(vec![2], vec![3])), "{b:?}");
}

#[test]
fn an_omitted_sentence_becomes_a_two_language_unit() {
    // The Chinese version leaves out sentence 3.
    let zh = [ZH[0], ZH[1], ZH[2], ZH[4]];
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[KO]), side("zh", &[&zh])],
        AlignOptions::default(),
    )
    .unwrap();
    let g = &a.groups[3];
    assert_eq!(g.sentences, vec![vec![3], vec![3], vec![]]);
    assert_eq!(g.language_count(), 2);
    assert_eq!(a.groups[4].sentences, vec![vec![4], vec![4], vec![3]]);
    let units = units(&a, 0.0).unwrap();
    assert_eq!(units.len(), 5);
    assert_eq!(units[3].variants.len(), 2);
}

#[test]
fn numbers_outweigh_lengths_but_one_wrong_number_does_not_derail() {
    // Two sentences of equal length that differ only by their numbers, swapped in the
    // target: the numbers decide.
    let en = [
        "The delegation of 45 members arrived on Monday.",
        "The delegation of 12 members left on Friday.",
    ];
    let ko = [
        "12명의 대표단이 금요일에 떠났다.",
        "45명의 대표단이 월요일에 도착했다.",
    ];
    let a = align_sides(
        &side("en", &[&en]),
        &[side("ko", &[&ko])],
        AlignOptions::default(),
    )
    .unwrap();
    // Order is kept (no crossing beads): a 1-1 pairing would clash on its numbers, so
    // it is either avoided (one 2-2 bead) or has a low confidence.
    let ko_right = [ko[1], ko[0]];
    let right = align_sides(
        &side("en", &[&en]),
        &[side("ko", &[&ko_right])],
        AlignOptions::default(),
    )
    .unwrap();
    assert_eq!(
        beads(&right.pairs[0]),
        vec![(vec![0], vec![0]), (vec![1], vec![1])]
    );
    for b in a.pairs[0]
        .beads
        .iter()
        .filter(|b| b.src.len() == 1 && b.tgt.len() == 1)
    {
        assert!(
            b.confidence < right.pairs[0].beads[b.src[0]].confidence - 0.2,
            "{b:?}"
        );
    }
    // One wrong number in a long aligned document does not move the other beads.
    let mut ko2: Vec<&str> = KO.to_vec();
    ko2[3] = "박 장관은 수교 31년이 양국을 더욱 가깝게 만들었다고 말했다.";
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[&ko2])],
        AlignOptions::default(),
    )
    .unwrap();
    assert_eq!(
        beads(&a.pairs[0]),
        (0..5).map(|i| (vec![i], vec![i])).collect::<Vec<_>>()
    );
}

#[test]
fn article_numbers_are_hard_boundaries() {
    let en = [
        "Article 1",
        "All human beings are born free and equal in dignity and rights.",
        "Article 2",
        "Everyone is entitled to all the rights and freedoms set forth in this Declaration.",
    ];
    let ko = [
        "제1조",
        "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.",
        "제2조",
        "모든 사람은 이 선언에 규정된 모든 권리와 자유를 향유할 자격이 있다.",
    ];
    let zh = [
        "第一条",
        "人人生而自由，在尊严和权利上一律平等。",
        "第二条",
        "人人有资格享有本宣言所载的一切权利和自由。",
    ];
    let a = align_sides(
        &side("en", &[&en]),
        &[side("ko", &[&ko]), side("zh", &[&zh])],
        AlignOptions::default(),
    )
    .unwrap();
    for p in &a.pairs {
        assert_eq!(
            beads(p),
            (0..4).map(|i| (vec![i], vec![i])).collect::<Vec<_>>()
        );
    }
}

#[test]
fn paragraphs_first_when_the_counts_allow() {
    let a = align_sides(
        &side("en", &[&EN[..2], &EN[2..]]),
        &[side("ko", &[&KO[..2], &KO[2..]])],
        AlignOptions::default(),
    )
    .unwrap();
    assert!(a.pairs[0].by_paragraph);
    let a = align_sides(
        &side("en", &[&EN[..2], &EN[2..]]),
        &[side("ko", &[&KO[..3], &KO[3..]])],
        AlignOptions::default(),
    )
    .unwrap();
    assert!(!a.pairs[0].by_paragraph);
    assert_eq!(
        beads(&a.pairs[0]),
        (0..5).map(|i| (vec![i], vec![i])).collect::<Vec<_>>()
    );
}

#[test]
fn glossary_terms_are_anchors() {
    let g = Glossary::from_csv_str(
        "id,en,ko,zh\npeninsula,Korean Peninsula,한반도,朝鲜半岛\n",
        Path::new("g.csv"),
        &crate::formats::glossary::CsvOptions::default(),
    )
    .unwrap();
    let en = side("en", &[EN]);
    let ko = side("ko", &[KO]);
    let with = align_sides(
        &en,
        std::slice::from_ref(&ko),
        AlignOptions {
            glossary: Some(&g),
            ..Default::default()
        },
    )
    .unwrap();
    let without = align_sides(&en, &[ko], AlignOptions::default()).unwrap();
    assert!(with.groups[1].confidence > without.groups[1].confidence);
}

#[test]
fn a_summary_gets_a_length_warning_and_low_confidence() {
    let ko = ["양국 장관은 회담했다."];
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[&ko])],
        AlignOptions::default(),
    )
    .unwrap();
    assert!(
        a.warnings.iter().any(|w| w.code.id() == "length-mismatch"),
        "{:?}",
        a.warnings
    );
    assert!(a.confidence < 0.5, "{}", a.confidence);
}

#[test]
fn review_lists_low_confidence_groups_in_tsv_and_html() {
    let zh = [ZH[0], ZH[1], ZH[3], ZH[4]];
    let mut a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[KO]), side("zh", &[&zh])],
        AlignOptions::default(),
    )
    .unwrap();
    a.groups[0].confidence = 0.1;
    let mut tsv = Vec::new();
    let n = write_review(&a, 0.5, false, &mut tsv).unwrap();
    assert_eq!(n, 1);
    let tsv = String::from_utf8(tsv).unwrap();
    assert!(
        tsv.starts_with("confidence\ten\tko\tzh\n0.10\tForeign Minister"),
        "{tsv}"
    );
    let mut html = Vec::new();
    write_review(&a, 0.5, true, &mut html).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("<td>0.10</td>") && html.contains("<td lang=\"zh\">朴振外长"),
        "{html}"
    );
}

#[test]
fn import_carries_origin_and_refuses_low_confidence_without_force() {
    let a = align_sides(
        &side("en", &[EN]),
        &[side("ko", &[KO]), side("zh", &[ZH])],
        AlignOptions::default(),
    )
    .unwrap();
    let mut mem = crate::store::Memory::open_in_memory().unwrap();
    let r = import(&mut mem, &a, 0.5, false).unwrap();
    assert_eq!(r.added, 5);
    let u = mem.unit(1).unwrap().unwrap();
    assert_eq!(u.meta.origin.as_deref(), Some("en.txt"));
    assert!(u
        .meta
        .extra
        .props
        .iter()
        .any(|p| p.kind == "x-origin" && p.value == "alignment"));
    assert!(u
        .meta
        .extra
        .props
        .iter()
        .any(|p| p.kind == "x-origin-files" && p.value == "en.txt ko.txt zh.txt"));
    let mut low = a.clone();
    low.confidence = 0.2;
    let e = import(&mut mem, &low, 0.5, false).unwrap_err().to_string();
    assert!(e.contains("below the threshold"), "{e}");
    assert!(import(&mut mem, &low, 0.5, true).is_ok());
}

#[test]
fn tail_cost_is_minus_log_of_the_two_sided_normal_tail() {
    assert!(tail_cost(0.0).abs() < 1e-6);
    // P(|Z| >= 1.96) = 0.05.
    assert!((tail_cost(1.96) - (-(0.05f64).ln())).abs() < 1e-3);
    assert!(tail_cost(40.0).is_finite());
}

/// A side read from paragraphs of text with the shipped rules (hard breaks and soft
/// boundaries).
fn read(lang: &str, paragraphs: &[&str]) -> Side {
    let paragraphs: Vec<Paragraph> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, t)| Paragraph {
            text: t.to_string(),
            heading: false,
            line: i as u64 + 1,
        })
        .collect();
    Side::from_paragraphs(
        LangTag::parse(lang).unwrap(),
        None,
        &paragraphs,
        &Rules::default(),
    )
}

#[test]
fn headline_run_into_a_sentence_is_its_own_group_in_three_languages() {
    // A headline without punctuation, joined with the next sentence in one paragraph:
    // no segmenter can split it, but each version has a soft boundary there (EN a
    // capitalised word after a lower-case one, KO a plain-form 다 ending, ZH a space
    // between Han characters), and the halves agree in length and numbers.
    let en = read("en", &["Shark injures 13-year-old on lobster dive in California A shark attacked and injured a 13-year-old boy on Saturday while he was diving for lobster in California, officials said. The boy was taken to Rady Children's Hospital in San Diego."]);
    let ko = read("ko", &["캘리포니아에서 랍스터 잠수를 하던 13세 아동을 상어가 공격하다 상어 한 마리가 토요일 캘리포니아에서 랍스터를 잡기 위해 잠수하던 13세 소년을 공격해 다치게 했다고 관계자들이 말했다. 소년은 샌디에이고의 레이디 아동병원으로 옮겨졌다."]);
    let zh = read("zh", &["加州鲨鱼伤害潜水抓龙虾的13岁孩童 官员表示，周六，一名13岁男童在加州潜水抓龙虾时遭到一头鲨鱼的袭击并受伤。男孩被送往圣地亚哥的雷迪儿童医院。"]);
    assert!(en.soft_flags().iter().any(|s| *s) && ko.soft_flags()[1] && zh.soft_flags()[1]);
    let a = align_sides(&en, &[ko, zh], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![3, 3, 3], "{:#?}", a.groups);
    assert_eq!(a.groups.len(), 3);
    for (i, g) in a.groups.iter().enumerate() {
        assert_eq!(
            g.sentences,
            vec![vec![i], vec![i], vec![i]],
            "{:#?}",
            a.groups
        );
    }
    assert_eq!(
        a.groups[0].texts,
        [
            "Shark injures 13-year-old on lobster dive in California",
            "캘리포니아에서 랍스터 잠수를 하던 13세 아동을 상어가 공격하다",
            "加州鲨鱼伤害潜水抓龙虾的13岁孩童"
        ]
    );
    // The pairs' beads are in the same sentences.
    for p in &a.pairs {
        let b: Vec<(Vec<usize>, Vec<usize>)> = beads(p);
        assert_eq!(
            b,
            [(vec![0], vec![0]), (vec![1], vec![1]), (vec![2], vec![2])]
        );
    }
}

#[test]
fn soft_boundaries_without_agreement_keep_the_sentence_whole() {
    // English has soft boundaries (met Chinese, in Beijing); Korean and Chinese have none
    // there: the sentences stay whole, numbered as the segmenter's sentences.
    let en = read("en", &[&EN[..2].join(" ")]);
    let ko = read("ko", &[&KO[..2].join(" ")]);
    let zh = read("zh", &[&ZH[..2].concat()]);
    assert!(en.len() > 2, "{:?}", en.paragraphs);
    let a = align_sides(&en, &[ko, zh], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![2, 2, 2]);
    assert_eq!(a.groups[0].texts[0], EN[0]);
    assert_eq!(a.groups[1].texts[0], EN[1]);
    assert_eq!(a.sentence_pieces[0][1].end, en.len());
}

/// The property that the second pass never loses a hard anchor: article headings that
/// the first pass aligned stay aligned with each other, whatever the lexicon says. Here
/// the lexicon is taught wrong pairs (every English sentence with the Korean sentence
/// after it) and its evidence is priced far above everything else, so that without the
/// hard anchors the body sentences would slide across the headings.
#[test]
fn second_pass_never_loses_a_hard_anchor() {
    let en = [
        "All human beings are born free and equal in dignity and rights.",
        "Everyone has the right to life, liberty and security of person.",
        "No one shall be held in slavery or servitude.",
        "Everyone has the right to recognition everywhere as a person before the law.",
        "All are equal before the law and are entitled to equal protection.",
        "No one shall be subjected to arbitrary arrest, detention or exile.",
    ];
    let ko = [
        "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.",
        "모든 사람은 생명과 신체의 자유와 안전에 대한 권리를 가진다.",
        "어느 누구도 노예상태 또는 예속상태에 놓여지지 아니한다.",
        "모든 사람은 어디에서나 법 앞에 인간으로서 인정받을 권리를 가진다.",
        "모든 사람은 법 앞에 평등하며 법의 동등한 보호를 받을 권리를 가진다.",
        "어느 누구도 자의적으로 체포, 구금 또는 추방되지 아니한다.",
    ];
    let wrong = Lexicon::learn(
        "en",
        "ko",
        (0..60).map(|i| (en[i % en.len()], ko[(i + 1) % ko.len()])),
    );
    assert!(!wrong.is_empty());
    let prices = LexPrices {
        hit: 50.0,
        miss: 50.0,
        cap: 1e9,
    };
    let mut seed = 11u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut slid = 0;
    for case in 0..12 {
        let (mut e, mut k) = (Vec::new(), Vec::new());
        let articles = 2 + (next() % 4) as usize;
        let mut s = (next() % 6) as usize;
        for a in 1..=articles {
            e.push(format!("Article {a}"));
            k.push(format!("제{a}조"));
            for _ in 0..1 + next() % 3 {
                s = (s + 1) % en.len();
                e.push(en[s].to_string());
                k.push(ko[s].to_string());
            }
        }
        let er: Vec<&str> = e.iter().map(|s| s.as_str()).collect();
        let kr: Vec<&str> = k.iter().map(|s| s.as_str()).collect();
        let (pe, pk) = (side("en", &[&er]), side("ko", &[&kr]));
        let (pf, kf) = (sentence_features(&pe, None), sentence_features(&pk, None));
        // No candidate word boundaries here: the text features are never asked for.
        let fx: [&dyn Fn(&str) -> Features; 2] =
            [&|t| features(t, "en", None), &|t| features(t, "ko", None)];
        let (first, hard) = align_pair(
            &pe,
            &pk,
            [(&pf, fx[0]), (&kf, fx[1])],
            None,
            true,
            None,
            &[],
        );
        assert_eq!(
            hard.len(),
            articles,
            "case {case}: every heading is an anchor"
        );
        let annotate = |side: &Side, feats: &[Features], source: bool| -> Vec<Features> {
            side.sentences()
                .iter()
                .zip(feats)
                .map(|(t, f)| {
                    let mut f = f.clone();
                    f.lex = wrong.side(t, side.lang.family(), source);
                    f
                })
                .collect()
        };
        let (pl, kl) = (annotate(&pe, &pf, true), annotate(&pk, &kf, false));
        // The second pass with the adversarial lexicon, with `anchors` as hard boundaries.
        let second_pass = |anchors: &[(usize, usize)]| {
            align_pair(
                &pe,
                &pk,
                [(&pl, fx[0]), (&kl, fx[1])],
                None,
                true,
                Some(prices),
                anchors,
            )
            .0
        };
        let holds = |r: &PairAlignment, i: usize, j: usize| {
            r.beads
                .iter()
                .any(|b| b.src.contains(&i) && b.tgt.contains(&j))
        };
        let second = second_pass(&hard);
        for &(i, j) in &hard {
            assert!(holds(&first, i, j), "case {case}");
            assert!(
                holds(&second, i, j),
                "case {case}: heading {i}–{j} lost in the second pass: {:?}",
                beads(&second)
            );
        }
        // The same evidence without the anchors does move the path (so the anchors are
        // what holds the headings).
        let free = second_pass(&[]);
        if hard.iter().any(|&(i, j)| !holds(&free, i, j)) {
            slid += 1;
        }
    }
    assert!(slid > 0, "the adversarial lexicon never moved a heading");
}

/// Lexical evidence from a bitext (a memory's units) decides an omission that the
/// lengths get wrong: the Chinese version drops the second sentence and renders the
/// long third one briefly, so that by length the second looks kept; the words say
/// otherwise.
#[test]
fn a_bitext_lexicon_finds_which_sentence_was_omitted() {
    let en = [
        "The minister arrived in Geneva on Monday.",
        "The delegation discussed trade with officials.",
        "Human rights experts from many countries warmly welcomed the report and all of its findings.",
        "The next session will be held in Seoul.",
    ];
    let zh = [
        "部长周一抵达日内瓦。",
        "人权专家欢迎该报告及其调查结果。",
        "下届会议将在首尔举行。",
    ];
    // Sentence pairs from elsewhere with the same words.
    let mut pairs = Vec::new();
    for _ in 0..3 {
        pairs.extend([
            ("Trade and investment grew.", "贸易和投资增长了。"),
            ("The delegation met officials.", "代表团会见了官员。"),
            ("Human rights experts spoke.", "人权专家发言。"),
            ("The report and its findings.", "该报告及其调查结果。"),
            ("The minister arrived.", "部长抵达了。"),
            ("The session in Seoul.", "在首尔的会议。"),
            ("Officials discussed trade.", "官员讨论了贸易。"),
            ("Experts welcomed the findings.", "专家欢迎调查结果。"),
        ]);
    }
    let bitexts = [Bitext {
        src: "en".into(),
        tgt: "zh".into(),
        pairs: pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    }];
    let run = |opts: AlignOptions| {
        let a = align_sides(&side("en", &[&en]), &[side("zh", &[&zh])], opts).unwrap();
        beads(&a.pairs[0])
    };
    let want = vec![
        (vec![0], vec![0]),
        (vec![1], vec![]),
        (vec![2], vec![1]),
        (vec![3], vec![2]),
    ];
    assert_eq!(
        run(AlignOptions {
            bitexts: &bitexts,
            ..Default::default()
        }),
        want
    );
    // Without the lexicon the lengths alone pick another way.
    assert_ne!(
        run(AlignOptions {
            single_pass: true,
            ..Default::default()
        }),
        want
    );
}

#[test]
fn korean_headline_ending_in_a_noun_is_cut_where_english_agrees() {
    // A wire story as a ministry's archive has it: a headline without punctuation run
    // into the first sentence, which opens with a dateline. The Korean headline ends in a
    // noun (서명, no plain-form 다): a weak soft boundary, which the aligner cuts at only
    // when the halves fit clearly better than the whole, here because each half has its
    // own anchors (KOICA, UNDP and 4 in the headline; KOICA, UNDP and 12 million again in
    // the sentence), which the whole bead would have to share under one cap. The dateline
    // (`SEOUL, Dec. 7 (Yonhap) --`, `(서울=연합뉴스)`) stays with its sentence, and the
    // Korean words that end in a noun inside the sentences (원조 협정, 학교) are not cut.
    let en = read("en", &["KOICA and UNDP sign new aid deal for 4 small Pacific island nations SEOUL, Dec. 7 (Yonhap) -- The Korea International Cooperation Agency (KOICA) signed a 12 million dollar aid deal with the UN Development Programme (UNDP) in Seoul on Monday, officials said. The money will go to schools and clinics."]);
    let ko = read("ko", &["KOICA·UNDP, 태평양 4개국 원조 협정 서명 (서울=연합뉴스) 한국국제협력단(KOICA)은 월요일 서울에서 유엔개발계획(UNDP)과 1200만 달러 규모의 원조 협정을 맺었다고 관계자들이 밝혔다. 이 돈은 학교와 병원에 쓰인다."]);
    assert!(
        ko.weak_flags().iter().filter(|s| **s).count() > 2,
        "{:?}",
        ko.paragraphs
    );
    let a = align_sides(&en, &[ko], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![3, 3], "{:#?}", a.groups);
    assert_eq!(
        a.groups[0].texts,
        [
            "KOICA and UNDP sign new aid deal for 4 small Pacific island nations",
            "KOICA·UNDP, 태평양 4개국 원조 협정 서명"
        ]
    );
    assert!(a.groups[1].texts[0].starts_with("SEOUL, Dec. 7 (Yonhap) -- The Korea"));
    assert!(a.groups[1].texts[1].starts_with("(서울=연합뉴스) 한국국제협력단"));
    assert!(a.groups[1].texts[1].ends_with("밝혔다."));
    assert_eq!(
        beads(&a.pairs[0]),
        [(vec![0], vec![0]), (vec![1], vec![1]), (vec![2], vec![2])]
    );
}

#[test]
fn weak_soft_boundaries_without_evidence_keep_the_sentence_whole() {
    // The same story with a headline without numbers: the weak boundaries (a word ending
    // in a noun) are priced, and the lengths alone do not pay for a cut: the sentences
    // stay whole rather than risk a cut in an ordinary clause.
    let en = read("en", &["Police arrest suspects in embassy attack SEOUL, Dec. 7 (Yonhap) -- Seoul police arrested three teenage boys and a man on Sunday over an attack on a foreign embassy in central Seoul, officials said."]);
    let ko = read("ko", &["경찰, 대사관 공격 용의자 검거 (서울=연합뉴스) 서울 경찰은 일요일 서울 도심의 한 외국 대사관을 공격한 혐의로 10대 소년 세 명과 남성 한 명을 체포했다고 관계자들이 밝혔다."]);
    let a = align_sides(&en, &[ko], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![1, 1], "{:#?}", a.groups);
}

#[test]
fn chinese_headline_run_into_a_sentence_is_cut_at_a_word_boundary() {
    // The headline runs into the next sentence with no space and no mark in Chinese (the
    // segmenter sees one sentence); English and Korean have a soft boundary there. The
    // Chinese sentence is cut at a candidate word boundary, chosen by the halves' fit.
    let en = read("en", &["Shark injures 13-year-old on lobster dive in California A shark attacked and injured a 13-year-old boy on Saturday while he was diving for lobster in California, officials said. The boy was taken to Rady Children's Hospital in San Diego."]);
    let ko = read("ko", &["캘리포니아에서 랍스터 잠수를 하던 13세 아동을 상어가 공격하다 상어 한 마리가 토요일 캘리포니아에서 랍스터를 잡기 위해 잠수하던 13세 소년을 공격해 다치게 했다고 관계자들이 말했다. 소년은 샌디에이고의 레이디 아동병원으로 옮겨졌다."]);
    let zh = read("zh", &["加州鲨鱼伤害潜水抓龙虾的13岁孩童官员表示，周六，一名13岁男童在加州潜水抓龙虾时遭到一头鲨鱼的袭击并受伤。男孩被送往圣地亚哥的雷迪儿童医院。"]);
    assert!(zh.word_flags().iter().filter(|w| **w).count() > 10);
    let a = align_sides(&en, &[ko, zh], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![3, 3, 3], "{:#?}", a.groups);
    assert_eq!(a.groups[0].texts[2], "加州鲨鱼伤害潜水抓龙虾的13岁孩童");
    assert!(a.groups[1].texts[2].starts_with("官员表示"));
    for g in &a.groups {
        assert_eq!(g.language_count(), 3);
    }
}

#[test]
fn chinese_dateline_stays_with_its_sentence() {
    // A wire story's dateline (新华社北京12月7日电, `BEIJING, Dec. 7 (Xinhua) --`) opens
    // the sentence in every version: it is not a headline, and the Chinese sentence is
    // not cut after it (nor inside its date).
    let en = read("en", &["BEIJING, Dec. 7 (Xinhua) -- Chinese Foreign Ministry spokesperson said on Monday that China and the Republic of Korea will hold talks in Seoul next week. The talks will last two days."]);
    let ko = read("ko", &["(베이징=신화통신) 중국 외교부 대변인은 월요일 중국과 한국이 다음 주 서울에서 회담을 연다고 말했다. 회담은 이틀 동안 열린다."]);
    let zh = read("zh", &["新华社北京12月7日电外交部发言人周一表示，中韩双方将于下周在首尔举行会谈。会谈将持续两天。"]);
    let a = align_sides(&en, &[ko, zh], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![2, 2, 2], "{:#?}", a.groups);
    assert!(a.groups[0].texts[2].starts_with("新华社北京12月7日电外交部发言人"));
}

#[test]
fn chinese_sentence_without_a_boundary_elsewhere_is_not_cut() {
    // English has soft boundaries inside its sentences (a capitalised name after a
    // lower-case word: `met Chinese`, `in Beijing`), Korean has none: the Chinese
    // sentences, which have dozens of candidate word boundaries, stay whole.
    let en = read("en", &[&EN.join(" ")]);
    let ko = read("ko", &[&KO.join(" ")]);
    let zh = read("zh", &[&ZH.concat()]);
    assert!(zh.word_flags().iter().any(|w| *w));
    let a = align_sides(&en, &[ko, zh], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![5, 5, 5], "{:#?}", a.groups);
    for (i, g) in a.groups.iter().enumerate() {
        assert_eq!(g.texts[2], ZH[i]);
    }
    // Without Korean to confirm an English cut, the lengths and anchors still keep them.
    let zh = read("zh", &[&ZH.concat()]);
    let a = align_sides(
        &read("en", &[&EN.join(" ")]),
        &[zh],
        AlignOptions::default(),
    )
    .unwrap();
    assert_eq!(a.sentence_counts, vec![5, 5], "{:#?}", a.groups);
}

#[test]
fn headline_run_into_a_sentence_that_the_other_version_made_two_is_cut_and_joined() {
    // Invented: the English headline runs into its sentence (one sentence for the
    // segmenter, with a soft boundary at `repairs The`); the Korean headline runs into the
    // first of two sentences that translate that one English sentence. Gold: headline
    // with headline (1-1), the English sentence with the two Korean ones (1-2). No other
    // move gives that: cutting both sentences leaves the second Korean sentence alone, and
    // cutting only the English one pairs its headline with a headline and a sentence.
    let en = read("en", &["City museum reopens after flood repairs The city museum reopened its doors after eight months of repairs that cost 3 million dollars. Visitors will get in free for a week."]);
    let ko = read("ko", &["시립 박물관, 홍수 피해 복구 끝에 다시 문을 열다 시립 박물관이 다시 문을 열었다. 8개월에 걸친 수리에는 300만 달러가 들었다. 방문객은 일주일 동안 무료로 입장할 수 있다."]);
    let a = align_sides(&en, &[ko], AlignOptions::default()).unwrap();
    assert_eq!(a.sentence_counts, vec![3, 4], "{:#?}", a.groups);
    assert_eq!(
        beads(&a.pairs[0]),
        [
            (vec![0], vec![0]),
            (vec![1], vec![1, 2]),
            (vec![2], vec![3])
        ],
        "{:#?}",
        a.groups
    );
    assert_eq!(
        a.groups[0].texts,
        [
            "City museum reopens after flood repairs",
            "시립 박물관, 홍수 피해 복구 끝에 다시 문을 열다"
        ]
    );
}
