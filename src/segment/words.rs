//! Candidate word boundaries inside Chinese text, where the aligner may cut a sentence
//! that a headline or a byline without punctuation ran into (`…进行全民公投周六，选民…`):
//! Chinese writes no space and no mark there, so the segmenter cannot see the end, and the
//! aligner chooses among these places by the lengths, anchors and lexical evidence of the
//! two halves against the other versions ([`crate::align`]).
//!
//! A candidate is the start of a word by [jieba](https://github.com/messense/jieba-rs)
//! (`jieba-rs`, dictionary words only, no HMM) that lies between two Han characters, or
//! between a Han character and a Latin letter (a name ends the headline or starts the
//! sentence), in the first [`HAN_WORD_WINDOW`] characters of a piece (a headline starts a
//! piece: the sentence before it ended with `。`), with at least two Han characters of the
//! piece before it, and not next to a numeral (`三十`, `周六` stay whole: a cut inside a
//! number would break the number anchors), nor before a character that never starts a
//! word (`的 了 们 着 过` and the like: particles and suffixes that end the word before
//! them). Without the dictionary every place between two Han characters was a candidate,
//! so a cut inside a word (`死|亡`, `外交|部`) was possible and only the lexicon and the
//! lengths ruled it out (NTREX paragraphs of 1–6, EN–ZH strict F1 0.907 → 0.912 with the
//! dictionary).

use crate::text::is_han;

/// How far into a piece (in characters) candidates are placed: headlines are short
/// (NTREX's Chinese headlines: median 24 characters, 95% within 60).
pub const HAN_WORD_WINDOW: usize = 64;

/// Han characters that stand for numbers or count (a cut next to them could split a
/// number: `三十`, `五分之一`, `周六`).
const NUMERALS: &str = "〇零一二三四五六七八九十百千万亿两廿卅";

/// Characters that never start a word: particles and suffixes bound to the word before.
const NO_START: &str = "的了们着过地得之么吗呢吧啊";

/// The jieba segmenter with its built-in dictionary, loaded once (about 0.1 s in a
/// release build; the first Chinese text segmented for alignment pays it).
fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: std::sync::OnceLock<jieba_rs::Jieba> = std::sync::OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// The byte offsets of `text` where a Chinese word may start inside it (see the module
/// documentation), in order.
pub fn han_cut_candidates(text: &str) -> Vec<usize> {
    // Words by the dictionary alone (no HMM for unknown words: an unknown name stays
    // single characters, each a candidate, rather than a guessed word that might swallow
    // the first character of the next sentence).
    let starts: Vec<usize> = jieba()
        .cut(text, false)
        .into_iter()
        .map(|t| t.byte_start)
        .collect();
    let mut out = Vec::new();
    let mut han_before = 0usize;
    let mut prev: Option<char> = None;
    let mut next_start = starts.iter().peekable();
    for (k, (pos, c)) in text.char_indices().enumerate() {
        if k >= HAN_WORD_WINDOW {
            break;
        }
        while next_start.next_if(|&&s| s < pos).is_some() {}
        let word_start = next_start.peek().is_some_and(|&&s| s == pos);
        if let (Some(p), true) = (prev, word_start) {
            let han_han = is_han(p)
                && is_han(c)
                && !NUMERALS.contains(p)
                && !NUMERALS.contains(c)
                && !NO_START.contains(c);
            // A Latin-script name ends the headline or starts the sentence.
            let script_change = (is_han(p) && c.is_ascii_alphabetic() && !NUMERALS.contains(p))
                || (p.is_ascii_alphabetic() && is_han(c) && !NO_START.contains(c));
            if han_before >= 2 && (han_han || script_change) {
                out.push(pos);
            }
        }
        if is_han(c) {
            han_before += 1;
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut_at(text: &str) -> Vec<(&str, &str)> {
        han_cut_candidates(text)
            .into_iter()
            .map(|p| (&text[..p], &text[p..]))
            .collect()
    }

    #[test]
    fn a_headline_run_into_a_sentence_has_its_end_among_the_candidates() {
        let text = "马其顿就更改国名进行全民公投周六，选民将投票。";
        let cuts = cut_at(text);
        assert!(cuts.contains(&("马其顿就更改国名进行全民公投", "周六，选民将投票。")));
        // Not inside the weekday (a numeral), not before the first two characters.
        assert!(!cuts.iter().any(|(a, _)| a.ends_with('周')));
        assert!(!cuts.iter().any(|(a, _)| *a == "马"));
    }

    #[test]
    fn a_dateline_can_be_cut_after_it_but_not_inside_its_date() {
        let text = "新华社北京12月7日电外交部发言人今天表示";
        let cuts = cut_at(text);
        assert!(cuts.contains(&("新华社北京12月7日电", "外交部发言人今天表示")));
        // The digits are not Han: no candidate between 12 and 月.
        assert!(!cuts.iter().any(|(a, _)| a.ends_with("12")));
    }

    #[test]
    fn a_latin_name_at_either_side_of_the_cut_is_a_candidate() {
        let text = "警方逮捕了嫌疑人 Dyteon Simpson警方逮捕了嫌犯";
        let cuts = cut_at(text);
        assert!(cuts.contains(&("警方逮捕了嫌疑人 Dyteon Simpson", "警方逮捕了嫌犯")));
        let text = "英国的美容市场Sainsbury's 将依托 Boots";
        assert!(cut_at(text).contains(&("英国的美容市场", "Sainsbury's 将依托 Boots")));
        // Not inside the name.
        assert!(!cut_at(text).iter().any(|(a, _)| a.ends_with("Sains")));
    }

    #[test]
    fn particles_and_numerals_are_never_cut_off() {
        let text = "他们的三十名代表来了";
        let cuts = cut_at(text);
        assert!(!cuts
            .iter()
            .any(|(_, b)| b.starts_with('的') || b.starts_with('了')));
        assert!(!cuts
            .iter()
            .any(|(a, b)| a.ends_with('三') || b.starts_with('十')));
    }

    #[test]
    fn candidates_stay_within_the_window() {
        let text = "中国".repeat(100);
        let cuts = han_cut_candidates(&text);
        assert!(!cuts.is_empty());
        assert!(cuts
            .iter()
            .all(|&p| text[..p].chars().count() < HAN_WORD_WINDOW));
    }

    #[test]
    fn jieba_words_are_never_cut_inside() {
        // Every place between two Han characters was a candidate before the dictionary;
        // now a dictionary word stays whole (外交部, 发言人).
        let text = "外交部发言人表示全民公投将举行";
        let cuts = cut_at(text);
        for (a, b) in &cuts {
            assert!(!(a.ends_with('外') && b.starts_with('交')), "{a}|{b}");
            assert!(!(a.ends_with("外交") && b.starts_with('部')), "{a}|{b}");
            assert!(!(a.ends_with("发言") && b.starts_with('人')), "{a}|{b}");
        }
        assert!(cuts.contains(&("外交部发言人", "表示全民公投将举行")));
    }

    #[test]
    fn chinese_headline_run_into_a_sentence_ends_at_a_word_start() {
        // NTREX-like: the headline (加州鲨鱼伤害潜水抓龙虾的13岁孩童) runs into the
        // attribution (官员表示), with no mark between them.
        let text = "加州鲨鱼伤害潜水抓龙虾的13岁孩童官员表示，周六，一名13岁男童遭到袭击。";
        let cuts = cut_at(text);
        assert!(cuts.contains(&(
            "加州鲨鱼伤害潜水抓龙虾的13岁孩童",
            "官员表示，周六，一名13岁男童遭到袭击。"
        )));
        assert!(!cuts.iter().any(|(a, _)| a.ends_with("孩")));
        assert!(!cuts.iter().any(|(a, _)| a.ends_with("官")));
    }
}
