//! Korean particles that agree with the word before them, for `lint --fix`.
//!
//! Five particles have two forms, chosen by the last syllable of the word they follow:
//! after a consonant (a final consonant, *batchim*) `은 이 을 과 으로`, after a vowel
//! `는 가 를 와 로`; `로` also follows a final `ㄹ` (서울로, 몽골로). When a fix replaces
//! a word whose last syllable ends differently (몽고는 → 몽골은, 북한으로 → 몽고로),
//! [`agree`] says how the particle after it must change.
//!
//! Only what is certain is rewritten. A particle is taken as one when the text after it
//! is not Hangul, or (for `과/와` and `으로/로`) a chain of particles that do not change
//! (`과의`, `으로부터`, `로서`); `이` followed by Hangul may be the copula (`이다`,
//! `이라는`) and is never touched. Other Hangul after the word is fine when it does not
//! depend on the last syllable (`의 에 에서 도 만`...) or when the last syllable ends
//! the same way before and after; anything else is [`Undecided`], and the fix reports
//! it instead of guessing.
//!
//! Text in NFD (conjoining jamo) is read and written in NFD: the draft keeps its form.

use crate::text::{is_hangul, nfc, nfd};

/// How a word's last syllable ends, as the particles see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coda {
    /// No final consonant (몽고, 북경의 경 has one: not this).
    Vowel,
    /// A final ㄹ (서울, 몽골): a consonant, except that `로` follows it.
    Rieul,
    /// Any other final consonant (북한, 베이징).
    Consonant,
}

/// The ending of the last character of `word` (NFC or NFD), or `None` when the word does
/// not end in a Hangul syllable (a Latin name, a digit: how it is read decides).
pub fn coda(word: &str) -> Option<Coda> {
    let last = nfc(word).chars().next_back()?;
    let c = last as u32;
    if !(0xAC00..=0xD7A3).contains(&c) {
        return None;
    }
    Some(match (c - 0xAC00) % 28 {
        0 => Coda::Vowel,
        8 => Coda::Rieul,
        _ => Coda::Consonant,
    })
}

/// The particles with two forms: (after a consonant, after a vowel or ㄹ for `로`).
const PAIRS: [(&str, &str); 5] = [
    ("으로", "로"),
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
];

/// Particles that may follow `과/와` and `으로/로` (`과의`, `으로부터`, `로서`).
const CHAIN: [&str; 8] = ["의", "는", "도", "만", "서", "써", "부터", "까지"];

/// Particles and words whose form does not depend on the syllable before them.
const NEUTRAL: [&str; 19] = [
    "의",
    "에",
    "에서",
    "에게",
    "에게서",
    "께",
    "께서",
    "한테",
    "도",
    "만",
    "까지",
    "부터",
    "보다",
    "처럼",
    "마다",
    "조차",
    "마저",
    "밖에",
    "들",
];

/// Why a particle could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided(pub String);

impl std::fmt::Display for Undecided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A particle to rewrite: the first `len` bytes of the text after the word become
/// `particle` (in the text's own normalization form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Bytes of the following text the old particle takes.
    pub len: usize,
    /// The particle that agrees with the new word.
    pub particle: String,
}

/// `p` at the start of `text`, in NFC or NFD: the bytes it takes and whether it was NFD.
fn starts(text: &str, p: &str) -> Option<(usize, bool)> {
    if text.starts_with(p) {
        return Some((p.len(), false));
    }
    let d = nfd(p);
    text.starts_with(d.as_str()).then_some((d.len(), true))
}

/// The length of the Hangul run at the start of `text`, in bytes.
fn hangul_run(text: &str) -> usize {
    text.char_indices()
        .find(|(_, c)| !is_hangul(*c))
        .map_or(text.len(), |(i, _)| i)
}

/// Can `run` (Hangul only) be cut into particles of `list`?
fn cut_into(run: &str, list: &[&str]) -> bool {
    if run.is_empty() {
        return true;
    }
    list.iter()
        .any(|p| starts(run, p).is_some_and(|(n, _)| cut_into(&run[n..], list)))
}

/// The particle form after a word ending in `coda`: (consonant form, vowel form).
fn form(pair: (&'static str, &'static str), coda: Coda) -> &'static str {
    match coda {
        Coda::Vowel => pair.1,
        Coda::Rieul if pair.0 == "으로" => pair.1,
        Coda::Rieul | Coda::Consonant => pair.0,
    }
}

/// What the text `after` a word must become when the word `old` is replaced by `new`:
/// `Ok(None)` when nothing needs to change, `Ok(Some(rewrite))` for a particle to
/// rewrite, `Err` when the ending after the word may need to change and no rule here
/// says how.
pub fn agree(old: &str, new: &str, after: &str) -> Result<Option<Rewrite>, Undecided> {
    let run = &after[..hangul_run(after)];
    if run.is_empty() {
        return Ok(None);
    }
    let same = coda(old).is_some() && coda(old) == coda(new);
    for pair in PAIRS {
        for p in [pair.0, pair.1] {
            let Some((n, decomposed)) = starts(run, p) else {
                continue;
            };
            let rest = &run[n..];
            let particle =
                if p == "이" || p == "가" || p == "은" || p == "는" || p == "을" || p == "를"
                {
                    rest.is_empty()
                } else {
                    cut_into(rest, &CHAIN)
                };
            if !particle {
                continue;
            }
            let Some(c) = coda(new) else {
                return Err(Undecided(format!(
                    "the particle {} after it depends on how {new} is read",
                    nfc(p)
                )));
            };
            let want = form(pair, c);
            if want == p {
                return Ok(None);
            }
            return Ok(Some(Rewrite {
                len: n,
                particle: if decomposed {
                    nfd(want)
                } else {
                    want.to_string()
                },
            }));
        }
    }
    // What follows a neutral particle (에서는, 에게도) no longer touches the word.
    if same || NEUTRAL.iter().any(|p| starts(run, p).is_some()) {
        return Ok(None);
    }
    Err(Undecided(format!(
        "{} after it may have to change with {new}",
        nfc(run)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replace `old` at the start of `text` by `new` with the particle rewritten.
    fn apply(old: &str, new: &str, text: &str) -> Result<String, Undecided> {
        let after = &text[old.len()..];
        Ok(match agree(old, new, after)? {
            Some(r) => format!("{new}{}{}", r.particle, &after[r.len..]),
            None => format!("{new}{after}"),
        })
    }

    #[test]
    fn codas() {
        assert_eq!(coda("몽고"), Some(Coda::Vowel));
        assert_eq!(coda("몽골"), Some(Coda::Rieul));
        assert_eq!(coda("북한"), Some(Coda::Consonant));
        assert_eq!(coda(&nfd("북한")), Some(Coda::Consonant));
        assert_eq!(coda(&nfd("서울")), Some(Coda::Rieul));
        assert_eq!(coda("NATO"), None);
        assert_eq!(coda(""), None);
    }

    #[test]
    fn each_pair_follows_the_new_last_syllable() {
        let cases = [
            ("몽고", "몽골", "몽고는 ", "몽골은 "),
            ("몽고", "몽골", "몽고가 ", "몽골이 "),
            ("몽고", "몽골", "몽고를 ", "몽골을 "),
            ("몽고", "몽골", "몽고와 ", "몽골과 "),
            // ㄹ takes 로, like a vowel.
            ("몽고", "몽골", "몽고로 ", "몽골로 "),
            ("조선말", "한국어", "조선말을 배운다", "한국어를 배운다"),
            ("조선말", "한국어", "조선말로.", "한국어로."),
            ("북경", "몽고", "북경으로 갔다", "몽고로 갔다"),
            ("몽고", "북한", "몽고로 갔다", "북한으로 갔다"),
            ("북조선", "북한", "북조선은", "북한은"),
            ("조선", "북한", "조선이", "북한이"),
            ("몽골", "북한", "몽골로", "북한으로"),
            ("북한", "몽골", "북한으로", "몽골로"),
        ];
        for (old, new, text, want) in cases {
            assert_eq!(apply(old, new, text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn chains_and_neutral_particles() {
        assert_eq!(apply("몽고", "몽골", "몽고와의 ").unwrap(), "몽골과의 ");
        assert_eq!(apply("몽고", "북한", "몽고로부터").unwrap(), "북한으로부터");
        assert_eq!(apply("몽고", "북한", "몽고로서").unwrap(), "북한으로서");
        assert_eq!(apply("몽고", "몽골", "몽고의 ").unwrap(), "몽골의 ");
        assert_eq!(apply("몽고", "몽골", "몽고에서는").unwrap(), "몽골에서는");
        assert!(apply("몽고", "몽골", "몽고이나").is_err());
        assert_eq!(apply("몽고", "몽골", "몽고에서 ").unwrap(), "몽골에서 ");
        // Nothing after the word, or no Hangul.
        assert_eq!(apply("몽고", "몽골", "몽고").unwrap(), "몽골");
        assert_eq!(apply("汉城", "首尔", "汉城是").unwrap(), "首尔是");
    }

    #[test]
    fn the_copula_and_unknown_endings_are_left_to_the_translator() {
        // 이 before more Hangul may be the copula: 몽골이다 → 몽고다 or 몽고이다.
        let e = apply("몽골", "몽고", "몽골이다.").unwrap_err();
        assert!(e.0.contains("이다"), "{e}");
        // Same ending before and after: whatever follows still agrees.
        assert_eq!(apply("북조선", "북한", "북조선이다.").unwrap(), "북한이다.");
        assert_eq!(apply("북조선", "북한", "북조선측").unwrap(), "북한측");
        // A new word that does not end in Hangul: the particle depends on its reading.
        let e = apply("북조선", "DPRK", "북조선은").unwrap_err();
        assert!(e.0.contains("DPRK"), "{e}");
    }

    #[test]
    fn nfd_text_keeps_its_form() {
        let (old, new) = (nfd("몽고"), nfd("몽골"));
        let text = nfd("몽고는 몽고로");
        let got = apply(&old, &new, &text).unwrap();
        assert_eq!(got, nfd("몽골은 몽고로"));
        assert_ne!(got, "몽골은 몽고로");
        // NFC word, NFD particle (a text mixing forms): the particle stays NFD.
        let text = format!("몽고{}", nfd("는"));
        assert_eq!(
            apply("몽고", "몽골", &text).unwrap(),
            format!("몽골{}", nfd("은"))
        );
    }
}
