//! Word, character, placeable and tag counts of a segment (see the module documentation
//! of [`super`]).

use super::Counts;
use crate::formats::job::JobSegment;
use crate::text::{script_of, Script};

/// End a run of non-ideographic characters: one word if it held a letter or digit, and
/// a placeable if it was a number.
fn end_run(c: &mut Counts, alnum: &mut bool, digit: &mut bool, letter: &mut bool) {
    if *alnum {
        c.words += 1;
        if *digit && !*letter {
            c.placeables += 1;
        }
    }
    *alnum = false;
    *digit = false;
    *letter = false;
}

fn ideographic(c: char) -> bool {
    matches!(script_of(c), Script::Han | Script::Kana)
}

/// The counts of one text (stored form; one segment, no tags): words, characters
/// without white space, and numbers as placeables.
pub fn count_text(text: &str) -> Counts {
    let text = crate::text::nfc(text);
    let mut c = Counts {
        segments: 1,
        ..Counts::default()
    };
    for chunk in text.split(char::is_whitespace) {
        // Within a space-delimited chunk, every ideograph is a word, and every run of
        // other characters between them that holds a letter or digit is one word.
        let mut run_alnum = false;
        let mut run_digit = false;
        let mut run_letter = false;
        for ch in chunk.chars() {
            c.characters += 1;
            if ideographic(ch) {
                end_run(&mut c, &mut run_alnum, &mut run_digit, &mut run_letter);
                c.words += 1;
            } else if ch.is_alphanumeric() {
                run_alnum = true;
                if ch.is_numeric() {
                    run_digit = true;
                } else {
                    run_letter = true;
                }
            }
        }
        end_run(&mut c, &mut run_alnum, &mut run_digit, &mut run_letter);
    }
    c
}

/// The counts of a job segment: its source text, and every inline tag as one word and
/// one tag.
pub fn count_segment(seg: &JobSegment) -> Counts {
    let mut c = count_text(&seg.source);
    let tags = seg.tags().len() as u64;
    c.words += tags;
    c.tags += tags;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wc(t: &str) -> (u64, u64, u64) {
        let c = count_text(t);
        (c.words, c.characters, c.placeables)
    }

    #[test]
    fn english_words_numbers_and_punctuation() {
        assert_eq!(
            wc("The U.S. and Korea signed 2 agreements worth $1,200.50 — don't."),
            (10, 53, 2)
        );
        assert_eq!(wc("  "), (0, 0, 0));
        assert_eq!(wc("- * —"), (0, 3, 0));
    }

    #[test]
    fn korean_by_spaces_nfc_and_nfd_alike() {
        use unicode_normalization::UnicodeNormalization;
        let nfc = "양국 외교장관은 3월 19일 서울에서 회담했다.";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(wc(nfc), (6, 21, 0));
        assert_eq!(wc(&nfd), wc(nfc));
    }

    #[test]
    fn chinese_one_word_per_han_character_numbers_one() {
        // 2026 年 3 月 19 日 ， 两 国 外 长 举 行 会 谈 。
        assert_eq!(wc("2026年3月19日，两国外长举行会谈。"), (14, 20, 3));
        // Full-width digits are one number.
        assert_eq!(wc("２０２６年"), (2, 5, 1));
        // Traditional characters count alike.
        assert_eq!(wc("兩國外長"), wc("两国外长"));
    }
}
