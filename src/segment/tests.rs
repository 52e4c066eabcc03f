//! Cases per language, written for diplomatic text.

use super::*;
use std::path::Path;

fn seg(lang: &str, text: &str) -> Vec<String> {
    let rules = Rules::default();
    let s = Segmenter::new(&rules, &LangTag::parse(lang).unwrap());
    s.sentences(text).into_iter().map(String::from).collect()
}

/// Joining the expected sentences with `sep` and segmenting gives them back.
fn round_trip(lang: &str, sep: &str, sentences: &[&str]) {
    let text = sentences.join(sep);
    assert_eq!(seg(lang, &text), sentences, "segmenting {text:?}");
}

#[test]
fn shipped_rules_parse_and_map_every_language() {
    let rules = Rules::default();
    for (lang, first) in [("en", "English"), ("ko", "Korean"), ("zh-Hans", "Chinese")] {
        let names = rules.rule_names_for(&LangTag::parse(lang).unwrap());
        assert!(names[0].starts_with(first), "{lang}: {names:?}");
        assert!(
            names.last().unwrap().starts_with("Default"),
            "{lang}: {names:?}"
        );
    }
}

#[test]
fn english_abbreviations_and_titles() {
    round_trip(
        "en",
        " ",
        &[
            "H.E. Mr. Hong Kyu-duk, Ambassador of the Republic of Korea, called on Dr. Smith at St. James's Palace.",
            "They discussed the U.N. Security Council resolution.",
            "Ms. Lee and Prof. Kim joined at 3 p.m. ET on Jan. 5.",
            "The talks ended at 9 p.m.",
            "Both sides welcomed the outcome.",
        ],
    );
}

#[test]
fn english_numbers_articles_and_initials() {
    round_trip(
        "en",
        " ",
        &[
            "See Art. 3 and No. 12 of the agreement, p. 14 and para. 2.",
            "George W. Bush met J. Paul Getty in 1950-53 and on 2022.02.21.",
            "Growth was 3.5 per cent, or 1,000.5 billion won.",
            "The U.S. President arrived in Seoul.",
        ],
    );
}

#[test]
fn english_quotes_end_sentences_inside_them() {
    round_trip(
        "en",
        " ",
        &[
            "He said: \"We will not give up.\"",
            "\"Why?\" he asked, and nobody answered.",
            "The minister called it \u{201c}a turning point.\u{201d}",
            "Talks resume on Monday!",
            "Is that so?",
        ],
    );
    // A question mark before a lower-case word does not end the sentence.
    assert_eq!(seg("en", "\"Why?\" he asked."), ["\"Why?\" he asked."]);
}

#[test]
fn english_numbered_lists_and_headings() {
    assert_eq!(seg("en", "1. Introduction"), ["1. Introduction"]);
    assert_eq!(seg("en", "IV. Final provisions"), ["IV. Final provisions"]);
    assert_eq!(
        seg("en", "2.1 Scope. This chapter applies to all parties."),
        ["2.1 Scope.", "This chapter applies to all parties."]
    );
    assert_eq!(
        seg("en", "(a) the parties; (b) others."),
        ["(a) the parties; (b) others."]
    );
}

#[test]
fn korean_endings_and_quotes() {
    round_trip(
        "ko",
        " ",
        &[
            "양국 장관은 한반도 정세에 대해 논의했다.",
            "회담은 매우 생산적이었습니다.",
            "다음 회의는 언제 열리나요?",
            "\u{201c}우리는 포기하지 않을 것입니다.\u{201d}",
            "그는 \"평화가 우선이다.\"라고 말했다.",
            "외교부는 2022. 2. 21. 발표한 성명에서 이를 확인했다.",
        ],
    );
}

#[test]
fn korean_quotation_followed_by_verb_is_one_sentence() {
    assert_eq!(
        seg(
            "ko",
            "장관은 \u{201c}대화를 계속하겠다.\u{201d}고 밝혔다. 회담은 끝났다."
        ),
        [
            "장관은 \u{201c}대화를 계속하겠다.\u{201d}고 밝혔다.",
            "회담은 끝났다."
        ]
    );
}

#[test]
fn chinese_full_width_punctuation() {
    round_trip(
        "zh",
        "",
        &[
            "两国外长讨论了朝鲜半岛局势。",
            "会谈富有成果！",
            "下次会议何时举行？",
            "他说：\u{201c}我们不会放弃。\u{201d}",
            "「和平优先。」",
            "双方同意继续对话；",
            "局势仍然复杂……",
            "2022.02.21发表的声明确认了这一点。",
        ],
    );
}

#[test]
fn chinese_no_break_inside_numbers_or_before_commas() {
    assert_eq!(
        seg("zh", "增长3.5%，达到1,000亿元。"),
        ["增长3.5%，达到1,000亿元。"]
    );
    assert_eq!(
        seg("zh", "他说：“好。”，然后离开。"),
        ["他说：“好。”，然后离开。"]
    );
    assert_eq!(
        seg("zh-Hant", "會談結束。雙方滿意。"),
        ["會談結束。", "雙方滿意。"]
    );
    // Sentences separated by spaces, and ASCII ? before a Han character.
    assert_eq!(
        seg("zh", "会谈结束。 双方满意。"),
        ["会谈结束。", "双方满意。"]
    );
    assert_eq!(seg("zh", "真的吗?是的。"), ["真的吗?", "是的。"]);
}

#[test]
fn nfd_hangul_and_full_width_forms() {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = "회담이 끝났다. 양측은 만족했다.".nfd().collect();
    let got = seg("ko", &nfd);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        seg("en", "Ｆｕｌｌ－ｗｉｄｔｈ！ Ｙｅｓ．"),
        ["Ｆｕｌｌ－ｗｉｄｔｈ！", "Ｙｅｓ．"]
    );
}

#[test]
fn user_rules_go_first_and_can_override() {
    let user = r#"<?xml version="1.0"?>
<srx xmlns="http://www.lisa.org/srx20" version="2.0">
  <header cascade="yes"/>
  <body>
    <languagerules>
      <languagerule languagerulename="Ministry">
        <rule break="no"><beforebreak>\bCorp\.</beforebreak><afterbreak>\s</afterbreak></rule>
        <rule break="yes"><beforebreak>;</beforebreak><afterbreak>\s</afterbreak></rule>
      </languagerule>
    </languagerules>
    <maprules><languagemap languagepattern="en.*" languagerulename="Ministry"/></maprules>
  </body>
</srx>"#;
    let user = Rules::from_srx_str(user, Path::new("user.srx")).unwrap();
    let rules = Rules::default().extended_by(user);
    let en = Segmenter::new(&rules, &LangTag::parse("en").unwrap());
    assert_eq!(
        en.sentences("Samsung Corp. Hyundai Motor; Kia. Done."),
        ["Samsung Corp. Hyundai Motor;", "Kia.", "Done."]
    );
    // The shipped rules alone break after Corp.
    assert_eq!(
        seg("en", "Samsung Corp. Hyundai Motor."),
        ["Samsung Corp.", "Hyundai Motor."]
    );
    // Korean gets no user rule here.
    assert!(rules.rule_names_for(&LangTag::parse("ko").unwrap())[0].starts_with("Korean"));
}

#[test]
fn cascade_no_takes_the_first_matching_map() {
    let doc = r#"<srx version="2.0"><header cascade="no"/><body><languagerules>
      <languagerule languagerulename="A"><rule break="yes"><beforebreak>\|</beforebreak><afterbreak></afterbreak></rule></languagerule>
      <languagerule languagerulename="B"><rule break="yes"><beforebreak>#</beforebreak><afterbreak></afterbreak></rule></languagerule>
      </languagerules><maprules>
      <languagemap languagepattern="en" languagerulename="A"/>
      <languagemap languagepattern=".*" languagerulename="B"/>
      </maprules></body></srx>"#;
    let rules = Rules::from_srx_str(doc, Path::new("x.srx")).unwrap();
    let en = Segmenter::new(&rules, &LangTag::parse("en").unwrap());
    assert_eq!(en.sentences("a|b#c"), ["a|", "b#c"]);
    let ko = Segmenter::new(&rules, &LangTag::parse("ko").unwrap());
    assert_eq!(ko.sentences("a|b#c"), ["a|b#", "c"]);
}

#[test]
fn bad_srx_is_reported_with_its_line() {
    let doc = "<srx version=\"2.0\"><body><languagerules>\n<languagerule languagerulename=\"A\">\n<rule><beforebreak>(?&lt;=x)\\.</beforebreak></rule></languagerule></languagerules></body></srx>";
    let e = Rules::from_srx_str(doc, Path::new("bad.srx"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bad.srx:3:"), "{e}");
    assert!(e.contains("look-around"), "{e}");
    let e = Rules::from_srx_str("<html/>", Path::new("x.srx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an SRX file"), "{e}");
    let doc = r#"<srx version="2.0"><body><maprules><languagemap languagepattern=".*" languagerulename="Nope"/></maprules></body></srx>"#;
    let e = Rules::from_srx_str(doc, Path::new("x.srx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"Nope\""), "{e}");
}

/// Brute-force reference: at every char boundary, try each ordinary rule anchored on both
/// sides (the before pattern must match a suffix of the text up to the position, found by
/// trying every start), the first matching one decides; where none matches, the first
/// matching soft rule makes a soft boundary.
fn boundaries_brute(rules: &[Rule], text: &str) -> Vec<Boundary> {
    let mut out = Vec::new();
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
    let matches = |r: &Rule, pos: usize| {
        let starts: Vec<usize> = text[..pos].char_indices().map(|(i, _)| i).collect();
        let before = starts.iter().any(|&s| {
            r.before
                .find_at(&text[..pos], s)
                .is_some_and(|m| m.start() == s && m.end() == pos)
        }) || r.before.find_iter(&text[..pos]).any(|m| m.end() == pos);
        before && r.after.find_at(text, pos).is_some_and(|m| m.start() == pos)
    };
    for &pos in &bounds {
        match rules.iter().filter(|r| !r.soft).find(|r| matches(r, pos)) {
            Some(r) => {
                if r.is_break {
                    out.push(Boundary { pos, soft: false });
                }
            }
            None => {
                if rules.iter().filter(|r| r.soft).any(|r| matches(r, pos)) {
                    out.push(Boundary { pos, soft: true });
                }
            }
        }
    }
    out
}

#[test]
fn breaks_agree_with_brute_force_on_ordinary_text() {
    let rules = Rules::default();
    let texts = [
        ("en", "H.E. Mr. Kim met U.S. President Biden. \"Why?\" he asked. Talks end at 9 p.m. ET. Art. 3 applies. Yes!"),
        ("ko", "양국은 합의했다. \u{201c}좋습니다.\u{201d} 2022. 2. 21. 발표. 끝났나요? 네."),
        ("zh", "会谈结束。“好。”双方满意！真的吗?是的；然后……结束。"),
        ("en", "Macedonians vote on changing the name Voters in Macedonia went to the polls. A shark injured a boy 13 A Day."),
        ("ko", "국민투표에 참여한다 유권자들은 투표했다 \u{201c}좋다\u{201d} 예상보다 많았다. 끝이다"),
        ("zh", "马其顿就国名举行公投 选民周日投票。“好” 的 结果"),
    ];
    for (lang, text) in texts {
        let tag = LangTag::parse(lang).unwrap();
        let s = Segmenter::new(&rules, &tag);
        let brute = boundaries_brute(&s.rules, text);
        assert_eq!(s.boundaries(text), brute, "{lang}: {text}");
        let hard: Vec<usize> = brute.iter().filter(|b| !b.soft).map(|b| b.pos).collect();
        assert_eq!(s.breaks(text), hard, "{lang}: {text}");
    }
}

/// The pieces of `text` between hard breaks and soft boundaries, with their soft flags
/// (pieces cut at candidate Chinese word boundaries joined back: [`words`] has those).
fn pieces(lang: &str, text: &str) -> Vec<(String, bool)> {
    let rules = Rules::default();
    let s = Segmenter::new(&rules, &LangTag::parse(lang).unwrap());
    let mut out: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    for p in s.pieces(text) {
        match out.last_mut() {
            Some((r, _)) if p.word_start => r.end = p.range.end,
            _ => out.push((p.range, p.soft_start)),
        }
    }
    out.into_iter()
        .map(|(r, soft)| (text[r].to_string(), soft))
        .collect()
}

#[test]
fn chinese_pieces_have_word_candidates_near_their_start_only() {
    let rules = Rules::default();
    let zh = Segmenter::new(&rules, &LangTag::parse("zh").unwrap());
    let text = "马其顿就国名举行公投选民周日投票。双方满意。";
    let p = zh.pieces(text);
    assert!(p
        .iter()
        .any(|x| x.word_start && x.soft_start && !x.weak_start));
    // A piece is a dictionary word (jieba): 选民 whole, never 选 alone.
    assert!(p
        .iter()
        .any(|x| x.word_start && &text[x.range.clone()] == "选民"));
    assert!(!p.iter().any(|x| &text[x.range.clone()] == "选"));
    // The second sentence's start is a hard break, not a word candidate.
    assert!(p
        .iter()
        .any(|x| !x.word_start && !x.soft_start && text[x.range.clone()].starts_with('双')));
    // English and Korean have none.
    let en = Segmenter::new(&rules, &LangTag::parse("en").unwrap());
    assert!(en
        .pieces("Talks end Both sides agreed.")
        .iter()
        .all(|x| !x.word_start));
}

#[test]
fn soft_boundaries_mark_a_headline_run_into_a_sentence() {
    let text = "Macedonians vote on the country's name Voters went to the polls on Sunday.";
    assert_eq!(
        pieces("en", text),
        [
            ("Macedonians vote on the country's name".to_string(), false),
            ("Voters went to the polls on".to_string(), true),
            ("Sunday.".to_string(), true),
        ]
    );
    // Sentences are cut at hard breaks only.
    assert_eq!(seg("en", text), [text]);
    let text = "마케도니아인들이 국민투표에 참여한다 유권자들은 일요일에 투표했다.";
    assert_eq!(
        pieces("ko", text),
        [
            ("마케도니아인들이 국민투표에 참여한다".to_string(), false),
            ("유권자들은 일요일에 투표했다.".to_string(), true),
        ]
    );
    assert_eq!(seg("ko", text), [text]);
    // Not the particle 보다 (than).
    assert_eq!(pieces("ko", "예상보다 많은 유권자가 투표했다.").len(), 1);
    let text = "马其顿就国名举行公投 选民周日投票。双方满意。";
    assert_eq!(
        pieces("zh", text),
        [
            ("马其顿就国名举行公投".to_string(), false),
            ("选民周日投票。".to_string(), true),
            ("双方满意。".to_string(), false),
        ]
    );
    assert_eq!(
        seg("zh", text),
        ["马其顿就国名举行公投 选民周日投票。", "双方满意。"]
    );
}

#[test]
fn soft_rules_are_data_in_a_user_srx_file() {
    let doc = r#"<srx xmlns="http://www.lisa.org/srx20" xmlns:concord="urn:concord:srx" version="2.0"><header cascade="yes"/><body><languagerules>
<languagerule languagerulename="Dashes"><rule break="no" concord:soft="yes"><beforebreak>\s--\s</beforebreak><afterbreak>\p{Lu}</afterbreak></rule></languagerule>
</languagerules><maprules><languagemap languagepattern="en.*" languagerulename="Dashes"/></maprules></body></srx>"#;
    let rules = Rules::from_srx_str(doc, Path::new("soft.srx")).unwrap();
    let tag = LangTag::parse("en").unwrap();
    assert!(rules.rules_for(&tag)[0].is_soft());
    let s = Segmenter::new(&rules, &tag);
    let p = s.pieces("Talks end -- Both sides agreed.");
    assert_eq!(p.len(), 2);
    assert!(p[1].soft_start);
    assert_eq!(
        s.sentences("Talks end -- Both sides agreed."),
        ["Talks end -- Both sides agreed."]
    );
    // A soft rule is written as an exception.
    let bad = doc.replace("break=\"no\" concord:soft", "break=\"yes\" concord:soft");
    let e = Rules::from_srx_str(&bad, Path::new("soft.srx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("soft rule"), "{e}");
}

#[test]
fn a_soft_boundary_after_a_hard_break_is_not_a_soft_start() {
    // `said." The`: the break after the quote and the soft boundary after the space are
    // one boundary, a hard one.
    let p = pieces("en", "He said \"yes.\" The talks ended.");
    assert_eq!(
        p,
        [
            ("He said \"yes.\"".to_string(), false),
            ("The talks ended.".to_string(), false),
        ]
    );
}

/// `Rules::default()` is called per request, per document and per fuzz input: it must
/// not parse and compile the shipped SRX each time (it did, at tens of calls a second in
/// an optimised build). Compared by the fastest of several calls, so that a busy machine
/// does not decide.
#[test]
fn default_rules_are_compiled_once_not_per_call() {
    use std::time::{Duration, Instant};
    let fastest = |f: &dyn Fn() -> Rules| {
        (0..8)
            .map(|_| {
                let t = Instant::now();
                let r = f();
                let took = t.elapsed();
                assert!(!r.documents.is_empty());
                took
            })
            .min()
            .unwrap_or(Duration::MAX)
    };
    let _warm = Rules::default();
    let parse = fastest(&|| Rules::from_srx_str(DEFAULT_SRX, Path::new("default.srx")).unwrap());
    let cached = fastest(&Rules::default);
    assert!(
        cached * 20 < parse,
        "Rules::default() took {cached:?}, parsing the shipped SRX {parse:?}"
    );
    // The copy segments as the parsed rules do.
    let en = LangTag::parse("en").unwrap();
    let text = "Mr. Kim met the U.N. envoy. They spoke. 회담은 끝났다.";
    let parsed = Rules::from_srx_str(DEFAULT_SRX, Path::new("default.srx")).unwrap();
    assert_eq!(
        Segmenter::new(&Rules::default(), &en).sentences(text),
        Segmenter::new(&parsed, &en).sentences(text)
    );
}

/// The SRX reader named each event's line by counting newlines from the start of the
/// file: quadratic in the file's length (a 1 MB file of 200,000 lines took minutes).
#[test]
fn srx_line_numbers_are_counted_in_one_pass() {
    use std::time::{Duration, Instant};
    let mut doc = String::from("<srx version=\"2.0\"><body><languagerules>\n");
    for _ in 0..200_000 {
        doc.push_str("<x/>\n");
    }
    doc.push_str("<rule/>\n</languagerules></body></srx>");
    let t = Instant::now();
    let e = Rules::from_srx_str(&doc, Path::new("long.srx"))
        .unwrap_err()
        .to_string();
    let took = t.elapsed();
    assert!(e.starts_with("long.srx:200002:"), "{e}");
    assert!(
        took < Duration::from_secs(20),
        "a 1 MB SRX file took {took:?}"
    );
}

#[test]
fn korean_word_ending_in_a_noun_is_a_weak_soft_boundary() {
    let rules = Rules::default();
    let s = Segmenter::new(&rules, &LangTag::parse("ko").unwrap());
    let text = "경찰, 서울 대사관 공격 용의자 4명 검거 (서울=연합뉴스) 경찰은 일요일 용의자를 체포했다고 밝혔다.";
    let weak: Vec<(&str, bool, bool)> = s
        .pieces(text)
        .into_iter()
        .map(|p| (&text[p.range], p.soft_start, p.weak_start))
        .collect();
    // Weak after a word of two syllables that ends in a noun (서울, 대사관, 공격, 검거,
    // 일요일), before a Korean word or a bracket; not after a particle or an ending
    // (경찰은, 용의자를, 체포했다고), a comma, a digit (4명) or before one.
    assert_eq!(
        weak,
        [
            ("경찰, 서울", false, false),
            ("대사관", true, true),
            ("공격", true, true),
            ("용의자 4명 검거", true, true),
            ("(서울=연합뉴스) 경찰은 일요일", true, true),
            ("용의자를 체포했다고 밝혔다.", true, true),
        ]
    );
    // A plain-form 다 is an ordinary soft boundary, not a weak one; 보다 (than) neither.
    let p = s.pieces("국민투표에 참여한다 유권자들은 예상보다 많았다.");
    assert_eq!(p.len(), 2);
    assert!(p[1].soft_start && !p[1].weak_start);
    // A sentence is cut at hard breaks only.
    assert_eq!(s.sentences(text).len(), 1);
}
