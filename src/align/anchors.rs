//! What a sentence offers to alignment besides its length: numbers and dates as values,
//! glossary terms, Latin-script names, and article numbers.

use crate::glossary::Recognizer;
use crate::lint::numbers::{self, Side};

use super::lexicon::LexSide;
use crate::text::{is_han, is_hangul};

/// The features of one sentence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    /// Length in characters, white space not counted.
    pub len: f64,
    /// Numbers, each with the values it may stand for.
    pub numbers: Vec<Vec<f64>>,
    /// Glossary entries found (entry indices).
    pub terms: Vec<usize>,
    /// Latin-script words of two letters or more, lower-cased (names and acronyms in
    /// Korean and Chinese text; every word in English text).
    pub latin: Vec<String>,
    /// The article number when the sentence is an article heading (`Article 3`, `제3조`,
    /// `第三条`).
    pub article: Option<u32>,
    /// The sentence as the lexicon of the second pass sees it (empty in the first pass).
    pub lex: LexSide,
}

/// The language family of a side (`en`, `ko`, `zh`...).
pub(crate) fn features(text: &str, family: &str, recognizer: Option<&Recognizer>) -> Features {
    let mut len = text.chars().filter(|c| !c.is_whitespace()).count() as f64;
    if family != "en" {
        len -= latin_gloss_chars(text) as f64;
    }
    // English is read as a source (month words are numbers: `21 February 2022` gives
    // 21, 2, 2022); Korean and Chinese as targets, so that Chinese numerals (三十) and
    // Korean native numerals count.
    let side = if family == "en" {
        Side::Source
    } else {
        Side::Target
    };
    let numbers: Vec<Vec<f64>> = numbers::extract(text, family, side)
        .into_iter()
        .map(|n| n.values)
        .filter(|v| !v.is_empty())
        .collect();
    let terms = recognizer
        .map(|r| {
            let mut spans = Vec::new();
            r.find_spans(text, &mut spans);
            spans
                .iter()
                .filter(|s| !s.forbidden)
                .map(|s| s.entry)
                .collect()
        })
        .unwrap_or_default();
    let mut latin = Vec::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else {
            if word.len() >= 2 && word.chars().any(|c| c.is_ascii_alphabetic()) {
                latin.push(std::mem::take(&mut word));
            }
            word.clear();
        }
    }
    Features {
        len,
        numbers,
        terms,
        latin,
        article: article_number(text),
        lex: LexSide::default(),
    }
}

/// The characters (white space not counted) of the Latin-script glosses in Korean or
/// Chinese text: a bracketed original spelling right after a Korean or Chinese word, as
/// the press writes a foreign name or title at its first mention (`트럼프(Trump)가`,
/// `웨스트 버지니아(West Virginia)에서`, `特朗普（Trump）`). The English version has the
/// name once, so the gloss is not part of the translation's length; its words are still
/// anchors (Latin-script names).
pub(crate) fn latin_gloss_chars(text: &str) -> usize {
    let mut total = 0;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let after_word = prev.is_some_and(|p| is_hangul(p) || is_han(p));
        prev = Some(c);
        if !(after_word && (c == '(' || c == '（')) {
            continue;
        }
        let close = if c == '(' { ')' } else { '）' };
        let rest = &text[i + c.len_utf8()..];
        let Some(end) = rest.find(close) else {
            continue;
        };
        let inner = &rest[..end];
        let latin = inner.chars().any(|c| c.is_ascii_alphabetic())
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || ".,'’&-/".contains(c));
        if latin {
            // The brackets and the gloss, white space not counted.
            total += 2 + inner.chars().filter(|c| !c.is_whitespace()).count();
            for _ in 0..inner.chars().count() + 1 {
                chars.next();
            }
            prev = Some(close);
        }
    }
    total
}

/// The number of an article heading at the start of a sentence.
pub(crate) fn article_number(text: &str) -> Option<u32> {
    let t = text.trim_start();
    if let Some(rest) = t
        .strip_prefix("Article ")
        .or_else(|| t.strip_prefix("ARTICLE "))
    {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        return digits.parse().ok();
    }
    if let Some(rest) = t.strip_prefix('제') {
        let rest = rest.trim_start();
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if rest[digits.len()..].trim_start().starts_with('조') {
            return digits.parse().ok();
        }
    }
    if let Some(rest) = t.strip_prefix('第') {
        let end = rest.find('条')?;
        let num = &rest[..end];
        if num.chars().count() > 6 {
            return None;
        }
        if let Ok(n) = num.trim().parse() {
            return Some(n);
        }
        let found = numbers::extract(num, "zh", Side::Target);
        return found
            .first()
            .and_then(|n| n.values.first())
            .map(|v| *v as u32);
    }
    None
}

/// How two sides' anchors agree.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Agreement {
    /// Anchors found on both sides (numbers, terms, names).
    pub matched: u32,
    /// Numbers and terms found on one side only.
    pub unmatched: u32,
    /// Both sides are article headings with different numbers.
    pub article_clash: bool,
    /// Both sides are article headings with the same number.
    pub article_match: bool,
}

/// Count the anchors a group of source sentences and a group of target sentences share.
/// `latin_src_all` says the source's Latin words are all its words (English): then only
/// the target's Latin words are looked up in them.
pub(crate) fn agree(src: &[&Features], tgt: &[&Features], latin_src_all: bool) -> Agreement {
    let mut a = Agreement::default();
    // Numbers: each source number matches one target number with a common value (a bit
    // mask of the target numbers used; numbers past the 64th are not matched).
    let mut used: u64 = 0;
    let mut src_numbers = 0u32;
    let mut tgt_numbers = 0u32;
    for f in tgt {
        tgt_numbers += f.numbers.len() as u32;
    }
    if tgt_numbers > 0 {
        for sv in src.iter().flat_map(|f| f.numbers.iter()) {
            src_numbers += 1;
            let mut k = 0;
            'find: for f in tgt {
                for tv in &f.numbers {
                    if k < 64
                        && used & (1 << k) == 0
                        && sv
                            .iter()
                            .any(|x| tv.iter().any(|y| numbers::same_value(*x, *y)))
                    {
                        used |= 1 << k;
                        a.matched += 1;
                        break 'find;
                    }
                    k += 1;
                }
            }
        }
    } else {
        src_numbers = src.iter().map(|f| f.numbers.len() as u32).sum();
    }
    let num_matched = used.count_ones();
    a.unmatched += (src_numbers - num_matched) + (tgt_numbers - num_matched);
    // Terms: by glossary entry.
    let mut used: u64 = 0;
    let mut src_terms = 0u32;
    let tgt_terms: u32 = tgt.iter().map(|f| f.terms.len() as u32).sum();
    for e in src.iter().flat_map(|f| f.terms.iter()) {
        src_terms += 1;
        let mut k = 0;
        'find: for f in tgt {
            for t in &f.terms {
                if k < 64 && used & (1 << k) == 0 && t == e {
                    used |= 1 << k;
                    a.matched += 1;
                    break 'find;
                }
                k += 1;
            }
        }
    }
    let term_matched = used.count_ones();
    a.unmatched += (src_terms - term_matched) + (tgt_terms - term_matched);
    // Latin names: target words found among the source's words (each word once).
    let (probe, pool) = if latin_src_all {
        (tgt, src)
    } else {
        (src, tgt)
    };
    let mut seen: Vec<&str> = Vec::new();
    for w in probe.iter().flat_map(|f| f.latin.iter()) {
        if !seen.contains(&w.as_str()) && pool.iter().any(|f| f.latin.contains(w)) {
            seen.push(w);
            a.matched += 1;
        }
    }
    let (sa, ta) = (
        src.iter().find_map(|f| f.article),
        tgt.iter().find_map(|f| f.article),
    );
    if let (Some(x), Some(y)) = (sa, ta) {
        a.article_clash = x != y;
        a.article_match = x == y;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree_as_values_across_languages() {
        let en = features("The statement of 21 February 2022 was read.", "en", None);
        let ko = features("2022년 2월 21일 성명이 낭독되었다.", "ko", None);
        let zh = features("2022年2月21日的声明被宣读。", "zh", None);
        let a = agree(&[&en], &[&ko], true);
        assert_eq!(
            (a.matched, a.unmatched),
            (3, 0),
            "{:?} {:?}",
            en.numbers,
            ko.numbers
        );
        let a = agree(&[&ko], &[&zh], false);
        assert_eq!((a.matched, a.unmatched), (3, 0));
        let thirty = features("三十人出席。", "zh", None);
        let en30 = features("30 people attended.", "en", None);
        assert_eq!(agree(&[&en30], &[&thirty], true).matched, 1);
    }

    #[test]
    fn article_numbers_in_three_languages() {
        assert_eq!(
            article_number("Article 12 Everyone has the right"),
            Some(12)
        );
        assert_eq!(article_number("제 12 조 모든 사람은"), Some(12));
        assert_eq!(article_number("第十二条 人人有权"), Some(12));
        assert_eq!(article_number("第12条"), Some(12));
        assert_eq!(article_number("The Article 12 debate"), None);
        let a = agree(
            &[&features("Article 3", "en", None)],
            &[&features("제4조", "ko", None)],
            true,
        );
        assert!(a.article_clash);
    }

    #[test]
    fn latin_names_in_korean_and_chinese_text_match_english_words() {
        let en = features("The AMs want MWP as their title.", "en", None);
        let zh = features("有人提议应将 AM 的头衔改为MWP。", "zh", None);
        assert_eq!(agree(&[&en], &[&zh], true).matched, 1); // mwp (am ≠ ams)
    }

    #[test]
    fn korean_length_leaves_out_the_latin_gloss_of_a_name() {
        // The press glosses a foreign name at its first mention; the English has it once.
        let ko = "트럼프(Trump)가 웨스트 버지니아(West Virginia)에서 집회를 열다";
        assert_eq!(
            latin_gloss_chars(ko),
            "(Trump)".len() + "(WestVirginia)".len()
        );
        let f = features(ko, "ko", None);
        assert_eq!(
            f.len,
            "트럼프가웨스트버지니아에서집회를열다".chars().count() as f64
        );
        // The gloss's words are still anchors.
        assert!(f.latin.contains(&"trump".to_string()));
        assert!(f.latin.contains(&"virginia".to_string()));
        // Chinese, with full-width brackets.
        assert_eq!(latin_gloss_chars("特朗普（Trump）表示"), 7);
    }

    #[test]
    fn brackets_that_are_not_a_gloss_keep_their_length() {
        // Korean inside the brackets, a bracket after a Latin word or a digit, an
        // unclosed bracket: all text of the translation.
        for text in [
            "경찰, 대사관 공격 용의자 검거 (서울=연합뉴스)",
            "BBC(영국 방송)는",
            "2018(Trump)",
            "트럼프(Trump",
            "회의 (10개국)",
        ] {
            assert_eq!(latin_gloss_chars(text), 0, "{text}");
        }
        // English is never reduced.
        let en = features("Trump (Donald) spoke.", "en", None);
        assert_eq!(en.len, "Trump(Donald)spoke.".chars().count() as f64);
    }
}
