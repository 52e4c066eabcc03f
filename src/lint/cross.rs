//! `cross-target`: the two targets of a trilingual draft (EN, KO and ZH columns, or a TMX
//! unit in three languages) checked against each other through the English source.
//!
//! The other rules compare each target with the source; this one compares the targets'
//! accounts of the same source, and names both targets in its findings (a span in each
//! where there is one):
//!
//! * **Terms and names.** Every glossary occurrence of the source is accounted for in each
//!   target as term-missing does ([`TermRules::renderings`]): rendered (by an approved
//!   variant or another accepted rendering), forbidden, exempt, or missing. An occurrence
//!   rendered in one target and missing, or written with a forbidden variant, in the
//!   other is a finding. Exempt occurrences (an acronym kept as it is, a repeat in the
//!   same sentence...) are never one.
//! * **Numbers and dates**, as values ([`numbers`]: `2022년 2월 21일` = `2022年2月21日`,
//!   `三十` = `30`): a number of the source found in one target and not the other; and a
//!   number of one target that is not in the source and that the other target does not
//!   have either. In that second case only numbers written with digits are asked for
//!   (`두 나라`, `两国`, `十分` are words as much as numbers); any number answers them.
//! * **Names written in Latin letters**: a capitalized word of the source kept as it is
//!   in one target while the other writes a near spelling of it (one or two letters
//!   apart: `Ri Yong Ho` / `Ri Yong Hu`).

use crate::lang::LangTag;
use crate::text::match_key;

use super::checks::Hit;
use super::numbers::{self, Number, Side};
use super::rules::Rule;
use super::terms::{contains_word, Rendered, TermRules};

/// The languages and texts of one trilingual segment.
pub(crate) struct Texts<'t> {
    /// The source and its language family (`en`).
    pub source: (&'t str, &'t str),
    /// The target (`--to`) and its language.
    pub first: (&'t str, &'t LangTag),
    /// The second target and its language.
    pub second: (&'t str, &'t LangTag),
}

/// The cross-target hits of one segment: target spans in the first target, second spans
/// in the second. `terms` are the term rules of source → first and source → second
/// (`None` when the glossary lacks one of the targets: the term part is then skipped).
pub(crate) fn check(t: &Texts<'_>, terms: Option<(&TermRules<'_>, &TermRules<'_>)>) -> Vec<Hit> {
    let mut out = Vec::new();
    if let Some((a, b)) = terms {
        out.extend(term_hits(t, a, b));
    }
    out.extend(number_hits(t));
    out.extend(name_hits(t));
    out
}

fn chars(s: &str, sp: (usize, usize)) -> String {
    s.chars()
        .skip(sp.0)
        .take(sp.1.saturating_sub(sp.0))
        .collect()
}

fn term_hits(t: &Texts<'_>, a: &TermRules<'_>, b: &TermRules<'_>) -> Vec<Hit> {
    let (source, _) = t.source;
    let (first, l1) = t.first;
    let (second, l2) = t.second;
    let ra = a.renderings(source, first);
    let rb = b.renderings(source, second);
    let mut out = Vec::new();
    // The same glossary and source language give the same occurrences on both sides.
    if ra.len() != rb.len() {
        return out;
    }
    let second_key = match_key(second);
    for (n, ((sh, x), (sh2, y))) in ra.iter().zip(&rb).enumerate() {
        if (sh.entry, sh.start) != (sh2.entry, sh2.start) {
            continue;
        }
        let e = sh.entry;
        let what = if a.is_name(e) { "the name" } else { "the term" };
        let term = &sh.matched;
        let detail = format!("term\u{1}{}\u{1}{n}\u{1}{second_key}", a.entry_id(e));
        let hit = match (x, y) {
            (Rendered::By(p), Rendered::Missing) => {
                let shown = chars(first, p[0]);
                Hit::new(
                    Rule::CrossTarget,
                    format!(
                        "{what} {term} is rendered in {l1} ({shown}) but not in {l2}, which has none of its approved translations ({}): check {l2}",
                        b.approved_text(e)
                    ),
                )
                .target(p[0].0, p[0].1)
            }
            (Rendered::Missing, Rendered::By(p)) => {
                let shown = chars(second, p[0]);
                Hit::new(
                    Rule::CrossTarget,
                    format!(
                        "{what} {term} is rendered in {l2} ({shown}) but not in {l1}, which has none of its approved translations ({}): check {l1}",
                        a.approved_text(e)
                    ),
                )
                .second(p[0].0, p[0].1)
            }
            (Rendered::By(p), Rendered::Forbidden(f, m)) => {
                let shown = chars(first, p[0]);
                Hit::new(
                    Rule::CrossTarget,
                    format!(
                        "{what} {term} is rendered in {l1} as {shown}, in {l2} with the forbidden variant {m} (approved: {}): check {l2}",
                        b.approved_text(e)
                    ),
                )
                .target(p[0].0, p[0].1)
                .second(f.0, f.1)
            }
            (Rendered::Forbidden(f, m), Rendered::By(p)) => {
                let shown = chars(second, p[0]);
                Hit::new(
                    Rule::CrossTarget,
                    format!(
                        "{what} {term} is rendered in {l2} as {shown}, in {l1} with the forbidden variant {m} (approved: {}): check {l1}",
                        a.approved_text(e)
                    ),
                )
                .target(f.0, f.1)
                .second(p[0].0, p[0].1)
            }
            _ => continue,
        };
        out.push(hit.source(sh.start, sh.end).detail(detail));
    }
    out
}

/// A number a target must not have alone: written with digits, and 10 or more or with a
/// fraction. Numerals written in letters are words as often as numbers (`十分` "very",
/// `一一` "one by one", `두 나라`), and small whole numbers often render English words
/// the source does not write as numbers (`1위` "top", `1면` "front page").
fn strong(text: &str, n: &Number) -> bool {
    chars(text, (n.start, n.end))
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && n.values.iter().any(|v| v.abs() >= 10.0 || v.fract() != 0.0)
}

fn same(a: &Number, b: &Number) -> bool {
    a.values
        .iter()
        .any(|&v| b.values.iter().any(|&w| numbers::same_value(v, w)))
}

fn number_hits(t: &Texts<'_>) -> Vec<Hit> {
    let (source, sf) = t.source;
    let (first, l1) = t.first;
    let (second, l2) = t.second;
    let s = numbers::extract(source, sf, Side::Source);
    // Weekdays (周四) are no numbers; the rest as number-mismatch compares them.
    let mut n1 = numbers::extract(first, l1.family(), Side::Target);
    n1.retain(|n| !numbers::is_weekday(first, n));
    let mut n2 = numbers::extract(second, l2.family(), Side::Target);
    n2.retain(|n| !numbers::is_weekday(second, n));
    let m1 = numbers::missing_in(source, &s, first, &n1);
    let m2 = numbers::missing_in(source, &s, second, &n2);
    let shown = |n: &Number| numbers::format_value(n.values[0]);
    // The numbers of one target that the source does not have and the other target
    // lacks: written where the other has a number of the source, or alone.
    let alone = |text: &str, mine: &[Number], other: &[Number]| -> Vec<Number> {
        let mut seen: Vec<Number> = Vec::new();
        for n in mine {
            if strong(text, n)
                && !s.iter().any(|x| same(x, n))
                && !other.iter().any(|x| same(x, n))
                && !seen.iter().any(|x| same(x, n))
            {
                seen.push(n.clone());
            }
        }
        seen
    };
    let mut alone1 = alone(first, &n1, &n2);
    let mut alone2 = alone(second, &n2, &n1);
    let key = match_key(second);
    let mut out = Vec::new();
    // A number of the source in one target only; the other's number that no one else
    // has, if any, is shown as what it wrote instead.
    for &i in m2.iter().filter(|i| !m1.contains(i)) {
        let n = &s[i];
        let instead = (!alone2.is_empty()).then(|| alone2.remove(0));
        let note = instead
            .as_ref()
            .map(|x| format!(" ({l2} has {})", shown(x)))
            .unwrap_or_default();
        let mut h = Hit::new(
            Rule::CrossTarget,
            format!(
                "the number {} of the source is in {l1} but not in {l2}{note}: check {l2}",
                shown(n)
            ),
        )
        .source(n.start, n.end)
        .detail(format!("number\u{1}{}\u{1}{key}", shown(n)));
        if let Some(m) = n1.iter().find(|m| same(n, m)) {
            h = h.target(m.start, m.end);
        }
        if let Some(x) = instead {
            h = h.second(x.start, x.end);
        }
        out.push(h);
    }
    for &i in m1.iter().filter(|i| !m2.contains(i)) {
        let n = &s[i];
        let instead = (!alone1.is_empty()).then(|| alone1.remove(0));
        let note = instead
            .as_ref()
            .map(|x| format!(" ({l1} has {})", shown(x)))
            .unwrap_or_default();
        let mut h = Hit::new(
            Rule::CrossTarget,
            format!(
                "the number {} of the source is in {l2} but not in {l1}{note}: check {l1}",
                shown(n)
            ),
        )
        .source(n.start, n.end)
        .detail(format!("number\u{1}{}\u{1}{key}", shown(n)));
        if let Some(m) = n2.iter().find(|m| same(n, m)) {
            h = h.second(m.start, m.end);
        }
        if let Some(x) = instead {
            h = h.target(x.start, x.end);
        }
        out.push(h);
    }
    for n in alone1 {
        out.push(
            Hit::new(
                Rule::CrossTarget,
                format!(
                    "{l1} has the number {}, which neither the source nor {l2} has: check both",
                    shown(&n)
                ),
            )
            .target(n.start, n.end)
            .detail(format!("alone1\u{1}{}\u{1}{key}", shown(&n))),
        );
    }
    for n in alone2 {
        out.push(
            Hit::new(
                Rule::CrossTarget,
                format!(
                    "{l2} has the number {}, which neither the source nor {l1} has: check both",
                    shown(&n)
                ),
            )
            .second(n.start, n.end)
            .detail(format!("alone2\u{1}{}\u{1}{key}", shown(&n))),
        );
    }
    out
}

/// The Latin-letter words of `text` (letters, digits, `'` and `-` inside), with their
/// character spans.
fn latin_words(text: &str) -> Vec<(String, (usize, usize))> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let cs: Vec<char> = text.chars().collect();
    for (i, &c) in cs.iter().enumerate() {
        let inner = (c == '-' || c == '\'')
            && !cur.is_empty()
            && cs.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic());
        if c.is_ascii_alphanumeric() || inner {
            if cur.is_empty() {
                start = i;
            }
            cur.push(c);
        } else if !cur.is_empty() {
            out.push((std::mem::take(&mut cur), (start, i)));
        }
    }
    if !cur.is_empty() {
        out.push((cur, (start, cs.len())));
    }
    out
}

/// The edit distance of two short words, or `limit + 1` when it is more than `limit`.
fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()].min(limit + 1)
}

/// `v` is another spelling of the name `w`: one letter apart (two from 8 letters on),
/// the same first letter, and not only in case, hyphens, apostrophes, a plural `s` or a
/// cut end (`WiFi` / `Wi-Fi`, `MWP` / `MWPs`).
fn misspelled(w: &str, v: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (a, b) = (fold(w), fold(v));
    if a == b
        || a.len() < 5
        || b.len() < 5
        || a.starts_with(&b)
        || b.starts_with(&a)
        || a.chars().next() != b.chars().next()
    {
        return false;
    }
    let limit = if a.len() >= 8 { 2 } else { 1 };
    distance(&a, &b, limit) <= limit
}

fn name_hits(t: &Texts<'_>) -> Vec<Hit> {
    let (source, _) = t.source;
    let (first, l1) = t.first;
    let (second, l2) = t.second;
    let src_words = latin_words(source);
    let w1 = latin_words(first);
    let w2 = latin_words(second);
    let mut out = Vec::new();
    let mut done: Vec<String> = Vec::new();
    for (w, sp) in &src_words {
        let capitalized = w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && w.chars().skip(1).any(|c| c.is_ascii_lowercase());
        if !capitalized || w.chars().count() < 5 || done.contains(w) {
            continue;
        }
        done.push(w.clone());
        let (in1, in2) = (contains_word(first, w), contains_word(second, w));
        if in1 == in2 {
            continue;
        }
        // The target without the word: a Latin word of it one or two letters from it,
        // which the source does not have.
        let words = if in1 { &w2 } else { &w1 };
        let near = words
            .iter()
            .find(|(v, _)| misspelled(w, v) && !src_words.iter().any(|(x, _)| x == v));
        let Some((v, vsp)) = near else { continue };
        let (kept, spelled) = if in1 { (l1, l2) } else { (l2, l1) };
        let mut h = Hit::new(
            Rule::CrossTarget,
            format!(
                "the name {w} is written {w} in {kept} and {v} in {spelled}: check the spelling"
            ),
        )
        .source(sp.0, sp.1)
        .detail(format!("name\u{1}{w}\u{1}{v}\u{1}{}", match_key(second)));
        let at = |text: &str| {
            latin_words(text)
                .into_iter()
                .find(|(x, _)| x == w)
                .map(|(_, s)| s)
        };
        if in1 {
            if let Some(s1) = at(first) {
                h = h.target(s1.0, s1.1);
            }
            h = h.second(vsp.0, vsp.1);
        } else {
            h = h.target(vsp.0, vsp.1);
            if let Some(s2) = at(second) {
                h = h.second(s2.0, s2.1);
            }
        }
        out.push(h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;
    use crate::glossary::Glossary;
    use crate::lint::{lookup_range, Finding, Langs, Linter, RuleSelection, SegText, Segment};
    use std::path::Path;
    use std::sync::Arc;

    const GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,domain
dprk,DPRK|North Korea,북한,朝鲜,북조선,北韩,place
special_representative,Special Representative,특별대표,特别代表,,,title
";

    /// Lint rows (source, ko, zh) with ko the target and zh the second target; only
    /// cross-target findings.
    fn cross(rows: &[(&str, &str, &str)]) -> Vec<Finding> {
        let g =
            Glossary::from_csv_str(GLOSSARY, Path::new("g.csv"), &CsvOptions::default()).unwrap();
        let tag = |t: &str| crate::lang::LangTag::parse(t).unwrap();
        let langs = Langs {
            source: Some(tag("en")),
            target: tag("ko"),
        };
        let zh = Arc::new(TermRules::new(
            &g,
            Some(&lookup_range(&tag("en"))),
            &lookup_range(&tag("zh")),
        ));
        let mut l = Linter::new("d.tsv", langs, RuleSelection::default())
            .with_glossary(&g)
            .with_second_target(tag("zh"), Some(zh));
        let mut out = Vec::new();
        for (i, (s, k, z)) in rows.iter().enumerate() {
            let mut seg = Segment::new(i as u64 + 1, Some(s), Some(k));
            seg.second = Some(SegText::at(*z, i as u64 + 1, 1));
            out.extend(
                l.check(&seg)
                    .unwrap()
                    .into_iter()
                    .filter(|f| f.rule() == Some(Rule::CrossTarget)),
            );
        }
        out
    }

    fn span(s: &Option<crate::lint::Span>) -> Option<&str> {
        s.as_ref().map(|s| s.text.as_str())
    }

    #[test]
    fn a_concept_rendered_in_one_target_and_missing_in_the_other() {
        let f = cross(&[(
            "The Special Representative met Kim.",
            "특별대표는 김 대표를 만났다.",
            "有关方面会见了金。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message
                .contains("rendered in ko (특별대표) but not in zh"),
            "{}",
            f[0].message
        );
        assert_eq!(span(&f[0].source_span), Some("Special Representative"));
        assert_eq!(span(&f[0].target_span), Some("특별대표"));
        assert_eq!(f[0].second_target.as_deref(), Some("有关方面会见了金。"));
        // The other way round: the second target has it, the target does not.
        let f = cross(&[(
            "The Special Representative met Kim.",
            "관계자는 김 대표를 만났다.",
            "特别代表会见了金。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message
                .contains("rendered in zh (特别代表) but not in ko"),
            "{}",
            f[0].message
        );
        assert_eq!(span(&f[0].second_target_span), Some("特别代表"));
        assert_eq!(f[0].target_span, None);
    }

    #[test]
    fn a_forbidden_variant_in_one_target_names_both() {
        let f = cross(&[(
            "The DPRK said so.",
            "북조선은 그렇게 말했다.",
            "朝鲜这么说。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message.starts_with(
                "the name DPRK is rendered in zh as 朝鲜, in ko with the forbidden variant 북조선"
            ),
            "{}",
            f[0].message
        );
        assert_eq!(span(&f[0].target_span), Some("북조선"));
        assert_eq!(span(&f[0].second_target_span), Some("朝鲜"));
    }

    #[test]
    fn both_targets_alike_give_nothing() {
        let f = cross(&[
            ("The DPRK said so.", "북한은 그렇게 말했다.", "朝鲜这么说。"),
            // Both lack it: term-missing's business in each, no disagreement.
            ("The DPRK said so.", "그들은 그렇게 말했다.", "他们这么说。"),
            // Dates and numbers as values: 2022년 2월 21일 = 2022年2月21日, 30 = 三十.
            (
                "On February 21, 2022, the talks lasted 30 days.",
                "2022년 2월 21일 회담은 30일 동안 계속됐다.",
                "2022年2月21日，会谈持续了三十天。",
            ),
            // Small numerals in letters alone are words, not numbers to compare.
            ("They met.", "두 사람이 만났다.", "两人十分高兴地见面了。"),
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn numbers_and_dates_that_differ_between_the_targets() {
        let f = cross(&[(
            "The DPRK fired 3 missiles on February 21, 2022.",
            "북한은 2022년 2월 21일 미사일 3발을 발사했다.",
            "朝鲜于2022年2月22日发射了三枚导弹。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "the number 21 of the source is in ko but not in zh (zh has 22): check zh"
        );
        assert_eq!(span(&f[0].source_span), Some("21"));
        assert_eq!(span(&f[0].target_span), Some("21"));
        assert_eq!(span(&f[0].second_target_span), Some("22"));
        // A month: September in the source, 9월 in Korean, 10月 in Chinese.
        let f = cross(&[(
            "The summit is on September 18.",
            "정상회담은 9월 18일에 열린다.",
            "首脑会谈将于10月18日举行。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message.contains("in ko but not in zh (zh has 10)"),
            "{}",
            f[0].message
        );
        // A number neither the source nor the other target has.
        let f = cross(&[(
            "They met last year.",
            "그들은 2021년에 만났다.",
            "他们去年见面了。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "ko has the number 2021, which neither the source nor zh has: check both"
        );
    }

    #[test]
    fn a_name_spelled_in_one_target_and_not_the_other() {
        let f = cross(&[(
            "Henrik Stenson won.",
            "헨릭 스텐손(Henrik Stenson)이 이겼다.",
            "Henrik Stensen获胜。",
        )]);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "the name Stenson is written Stenson in ko and Stensen in zh: check the spelling"
        );
        assert_eq!(span(&f[0].target_span), Some("Stenson"));
        assert_eq!(span(&f[0].second_target_span), Some("Stensen"));
    }

    #[test]
    fn a_bilingual_draft_has_no_cross_target_findings() {
        let g =
            Glossary::from_csv_str(GLOSSARY, Path::new("g.csv"), &CsvOptions::default()).unwrap();
        let langs = Langs {
            source: Some(crate::lang::LangTag::parse("en").unwrap()),
            target: crate::lang::LangTag::parse("ko").unwrap(),
        };
        let mut l = Linter::new("d.tsv", langs, RuleSelection::default()).with_glossary(&g);
        let seg = Segment::new(
            1,
            Some("The Special Representative met Kim."),
            Some("특별대표는 김 대표를 만났다."),
        );
        assert!(l.check(&seg).unwrap().is_empty());
    }

    #[test]
    fn edit_distance_is_capped() {
        assert_eq!(distance("trump", "trump", 2), 0);
        assert_eq!(distance("trump", "trunp", 2), 1);
        assert_eq!(distance("kim", "moon", 2), 3);
        assert_eq!(distance("a", "abcdef", 2), 3);
    }

    #[test]
    fn near_spellings_of_a_name() {
        assert!(misspelled("Stenson", "Stensen"));
        assert!(misspelled("Pompeo", "Pompep"));
        assert!(misspelled("Kavanaugh", "Kavanagh"));
        assert!(!misspelled("WiFi", "Wi-Fi"));
        assert!(!misspelled("Strumica", "strumica"));
        assert!(!misspelled("Haldarsvik", "Haldarsv"));
        assert!(!misspelled("Trump", "Trumps"));
        assert!(
            !misspelled("Moon", "Moan"),
            "names under 5 letters are not compared"
        );
        assert!(!misspelled("Bolton", "Walton"), "another first letter");
        assert!(!misspelled("Johnson", "Johnston2"));
    }

    #[test]
    fn latin_words_keep_inner_hyphens() {
        let w: Vec<String> = latin_words("리용호(Ri Yong-ho) 외무상")
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(w, ["Ri", "Yong-ho"]);
    }
}
