//! The one place where concord normalizes text.
//!
//! Two forms of a text exist in concord, and every module goes through this module
//! to get them:
//!
//! * the **stored form** ([`stored_form`]): Unicode NFC with leading and trailing white
//!   space trimmed, nothing else changed. This is what the memory keeps and exports.
//! * the **matching key** ([`match_key`]): NFKC, then Unicode case folding, then every run
//!   of white space collapsed to one U+0020 and the ends trimmed. Fuzzy matching,
//!   concordance search, the glossary and the linter compare keys, never raw text. NFKC
//!   folds full-width Latin letters and digits (`ＤＰＲＫ２０２２` → `dprk2022`), half-width
//!   katakana, compatibility ideographs and ligatures; case folding is the full Unicode
//!   folding (`ß` → `ss`), not `to_lowercase`.
//!
//! [`KeyedText`] is the matching key together with a map from every key character back to
//! the character offset in the original text, so that a hit found on the key can be
//! reported as a span of what the user wrote.
//!
//! ```
//! use concord::text::{match_key, stored_form};
//!
//! // Full-width Latin and digits fold to ASCII, case folds, spaces collapse.
//! assert_eq!(match_key("  ＤＰＲＫ２０２２\u{3000}Talks "), "dprk2022 talks");
//! // NFD Hangul (conjoining jamo) is stored composed.
//! assert_eq!(stored_form("\u{1112}\u{1161}\u{11AB} "), "한");
//! ```

use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The stored form of a text: NFC, with white space trimmed at both ends.
pub fn stored_form(text: &str) -> String {
    let trimmed = text.trim();
    if is_nfc_fast(trimmed) {
        return trimmed.to_string();
    }
    let nfc: String = trimmed.nfc().collect();
    // NFC can never create white space at the ends, but keep the contract explicit.
    nfc.trim().to_string()
}

/// The stored form of an owned text, keeping its buffer when it already is in stored
/// form (the common case: readers of large memories avoid one copy per cell).
pub fn into_stored_form(text: String) -> String {
    if is_stored_form(&text) {
        text
    } else {
        stored_form(&text)
    }
}

/// Unicode NFC of `text`, borrowed when it already is NFC (nothing trimmed: for markup
/// and attribute values, whose white space is significant).
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    if is_nfc_fast(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Unicode NFD of `text` (Hangul syllables as conjoining jamo): what a fix writes into
/// a draft whose text was written decomposed, so that the draft keeps its own form.
pub fn nfd(text: &str) -> String {
    text.nfd().collect()
}

/// True when `text` is known to be its own stored form (NFC, nothing to trim), so that
/// a caller holding an owned string can keep it instead of calling [`stored_form`].
/// False may also mean "not known" (NFC quick check Maybe).
pub fn is_stored_form(text: &str) -> bool {
    text.len() == text.trim().len() && is_nfc_fast(text)
}

/// NFC quick check, with a fast path for text made only of characters that are
/// starters and NFC (and NFKC) quick-check Yes (see [`fast_key_char`]).
fn is_nfc_fast(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii() || fast_key_char(c).is_some())
        || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// The matching key of a text: NFKC, case folding, white space collapsed and trimmed.
///
/// This is the only definition of "the same text" for matching in concord.
pub fn match_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    match_key_into(text, &mut out);
    out
}

/// [`match_key`] into a reused buffer (cleared first).
pub fn match_key_into(text: &str, out: &mut String) {
    out.clear();
    if push_fast_key(text, out) {
        return;
    }
    out.clear();
    out.push_str(&match_key_general(text));
}

/// The key of a text whose every character has a context-free key ([`fast_key_char`]):
/// one pass, no normalization tables. Returns false (leaving `out` partly written) as
/// soon as a character needs the general path.
///
/// Why this equals the general path: NFKC(s) = NFKC(s′) where s′ replaces some
/// characters by their full compatibility decompositions (decomposition is per
/// character, before composition). Every character of s′ is then a starter with NFKC
/// quick-check Yes, so s′ is already NFKC; full case folding is per character; and the
/// white space collapse is the same loop. A test checks every BMP character.
fn push_fast_key(text: &str, out: &mut String) -> bool {
    let mut pending_space = false;
    for c in text.chars() {
        let k = if c.is_ascii() {
            if c.is_ascii_whitespace() || c == '\u{0B}' {
                ' '
            } else {
                c.to_ascii_lowercase()
            }
        } else {
            match fast_key_char(c) {
                Some(k) => k,
                None => return false,
            }
        };
        if k == ' ' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(k);
        }
    }
    true
}

/// The matching-key character of a non-ASCII character whose key does not depend on
/// its neighbours, or `None`. For every `c` answered: `c` and its compatibility
/// decomposition `d` (one character) are starters with NFC and NFKC quick-check Yes, and
/// the answer is the case folding of `d` (a space for white space). The test
/// `fast_key_chars_agree_with_the_general_path` checks this for every BMP character.
#[inline]
fn fast_key_char(c: char) -> Option<char> {
    let u = c as u32;
    match u {
        // Hangul syllables, CJK unified ideographs (extension A and the main block).
        0xAC00..=0xD7A3 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => Some(c),
        // CJK symbols and punctuation: 、 。 〃 〈 〉 《 》 「 」 『 』 【 】 〔 〕 ...
        0x3001..=0x3029 | 0x3030..=0x3035 | 0x303C..=0x303D => Some(c),
        // Ideographic space, no-break spaces and the typographic spaces: a space.
        0x3000 | 0x00A0 | 0x2002..=0x200A | 0x202F | 0x205F => Some(' '),
        // Full-width ASCII: the ASCII character, case folded.
        0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).map(|a| a.to_ascii_lowercase()),
        // General punctuation without compatibility decompositions: ‐ – — ‘ ’ “ ” • ‥ …
        // are not all here: ‥ and … decompose to dots and take the general path.
        0x2010 | 0x2012..=0x2016 | 0x2018..=0x2023 | 0x2027 | 0x2030..=0x2032 | 0x2035 => Some(c),
        0x2038..=0x203B | 0x203D | 0x2041..=0x2046 => Some(c),
        // Latin-1 symbols and letters without decompositions.
        0x00A1 | 0x00A2..=0x00A7 | 0x00A9 | 0x00AB | 0x00AC | 0x00AE | 0x00B0 | 0x00B1 => Some(c),
        0x00B6 | 0x00B7 | 0x00BB | 0x00BF | 0x00D7 => Some(c),
        // Latin-1 letters: lower case stays, upper case folds by +0x20 (not ß: "ss").
        0x00E0..=0x00FF => Some(c),
        0x00C0..=0x00D6 | 0x00D8..=0x00DE => char::from_u32(u + 0x20),
        _ => None,
    }
}

/// The general path of [`match_key`]: NFKC, full case folding, white space collapse.
fn match_key_general(text: &str) -> String {
    if text.is_ascii() {
        let mut out = String::with_capacity(text.len());
        push_collapsed_ascii(text, &mut out);
        return out;
    }
    let nfkc: String = if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfkc().collect()
    };
    let folded = fold_case(&nfkc);
    collapse_whitespace(&folded)
}

/// The matching key without case folding: NFKC (full-width and half-width forms
/// folded), white space collapsed and trimmed, letter case kept. Case-sensitive glossary
/// entries compare this form (`ＵＳ` and `US` agree; `us` does not).
///
/// ```
/// use concord::text::match_key_keep_case;
/// assert_eq!(match_key_keep_case(" ＵＳ  Army "), "US Army");
/// ```
pub fn match_key_keep_case(text: &str) -> String {
    if text.is_ascii() {
        return collapse_whitespace(text);
    }
    let nfkc: String = if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfkc().collect()
    };
    collapse_whitespace(&nfkc)
}

#[path = "text_st_fold.rs"]
mod st_fold;

/// How the matching key of a language is made: every language uses [`match_key`];
/// Chinese keys then fold Traditional characters to Simplified ones ([`fold_han`]), so
/// 朝鮮半島問題 and 朝鲜半岛问题 have the same key. Korean, English and every other
/// language keep [`match_key`] unchanged (Hanja in Korean text are not folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// [`match_key`] only.
    Plain,
    /// [`match_key`], then [`fold_han`] on every character.
    FoldHan,
}

impl KeyRule {
    /// The rule of a language: [`KeyRule::FoldHan`] for Chinese tags (`zh`, `cmn`,
    /// `yue`, `lzh`, `wuu`, `hak`, `nan`, `gan`, `hsn`), else [`KeyRule::Plain`].
    pub fn for_tag(tag: &crate::lang::LangTag) -> KeyRule {
        match tag.primary() {
            "zh" | "cmn" | "yue" | "lzh" | "wuu" | "hak" | "nan" | "gan" | "hsn" => {
                KeyRule::FoldHan
            }
            _ => KeyRule::Plain,
        }
    }

    /// The matching key of `text` under this rule.
    pub fn key(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.key_into(text, &mut out);
        out
    }

    /// [`KeyRule::key`] into a reused buffer (cleared first).
    pub fn key_into(self, text: &str, out: &mut String) {
        match_key_into(text, out);
        if self == KeyRule::FoldHan && !out.is_ascii() {
            let folded: String = out.chars().map(fold_han).collect();
            *out = folded;
        }
    }

    /// Apply the rule's fold to one key character.
    #[inline]
    pub fn fold(self, c: char) -> char {
        match self {
            KeyRule::Plain => c,
            KeyRule::FoldHan => fold_han(c),
        }
    }
}

/// The matching key of `text` in the language `tag` ([`KeyRule::for_tag`]).
///
/// ```
/// use concord::{lang::LangTag, text::match_key_for};
/// let zh = LangTag::parse("zh").unwrap();
/// assert_eq!(match_key_for(&zh, "朝鮮半島問題"), match_key_for(&zh, "朝鲜半岛问题"));
/// let ko = LangTag::parse("ko").unwrap();
/// assert_eq!(match_key_for(&ko, "北韓"), "北韓");
/// ```
pub fn match_key_for(tag: &crate::lang::LangTag, text: &str) -> String {
    KeyRule::for_tag(tag).key(text)
}

/// The Simplified form of a Traditional Chinese character (or of a variant form), or
/// the character itself: one character for one, so a folded key has the length of the
/// key. Built from OpenCC's `TSCharacters` and `STCharacters` tables
/// (`scripts/gen_st_fold.py`; Apache-2.0, see `LICENSES/OpenCC-Apache-2.0.txt`):
/// 鮮 → 鲜, 島 → 岛, 問 → 问, 後 → 后. Idempotent: `fold_han(fold_han(c)) == fold_han(c)`.
pub fn fold_han(c: char) -> char {
    const LO: u32 = 0x3400;
    const HI: u32 = 0xA000;
    static DENSE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let u = c as u32;
    if u < LO {
        return c;
    }
    if u < HI {
        let t = DENSE.get_or_init(|| {
            let mut t: Vec<char> = (LO..HI)
                .map(|u| char::from_u32(u).unwrap_or('\0'))
                .collect();
            for &(from, to) in st_fold::ST_FOLD {
                if (LO..HI).contains(&(from as u32)) {
                    t[(from as u32 - LO) as usize] = to;
                }
            }
            t
        });
        return t[(u - LO) as usize];
    }
    match st_fold::ST_FOLD.binary_search_by(|p| p.0.cmp(&c)) {
        Ok(i) => st_fold::ST_FOLD[i].1,
        Err(_) => c,
    }
}

/// Length of the matching key in Unicode scalar values.
pub fn key_len(key: &str) -> usize {
    key.chars().count()
}

fn fold_case(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // Fast path: Hangul and Han have no case.
    if text.chars().all(|c| c.is_ascii() || !has_case_mapping(c)) {
        return text.to_ascii_lowercase();
    }
    caseless::default_case_fold_str(text)
}

/// True if `c` may change under case folding. Conservative: scripts without case
/// (Hangul, Han, kana), general punctuation, CJK punctuation and most symbols answer
/// false (the test `caseless_ranges_do_not_fold` checks every BMP character).
fn has_case_mapping(c: char) -> bool {
    let u = c as u32;
    if (0x1100..=0x11FF).contains(&u)
        || (0x00A0..=0x00B4).contains(&u)
        || (0x00B6..=0x00BF).contains(&u)
        || u == 0x00D7
        || u == 0x00F7
        || (0x2000..=0x20FF).contains(&u)
        || (0x2190..=0x24B5).contains(&u)
        || (0x24EA..=0x2BFF).contains(&u)
        || (0x2E80..=0x9FFF).contains(&u)
        || (0xA960..=0xA97F).contains(&u)
        || (0xAC00..=0xD7FF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x3000..=0x303F).contains(&u)
        || (0xFF00..=0xFF20).contains(&u)
        || (0x20000..=0x3FFFF).contains(&u)
    {
        return false;
    }
    true
}

fn push_collapsed_ascii(text: &str, out: &mut String) {
    let mut pending_space = false;
    for b in text.bytes() {
        if b.is_ascii_whitespace() || b == 0x0B {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(b.to_ascii_lowercase() as char);
        }
    }
}

/// Collapse every run of Unicode white space to one space and trim both ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// A matching key with a map back to the original text.
///
/// `offsets[i]` is the index (in `char`s) in the original text of the character that
/// produced key character `i`; `offsets` has one more element than the key has
/// characters, holding the original length, so that a key range `a..b` maps to the
/// original range `offsets[a]..end` where `end` is the original end of key char `b-1`.
/// Use [`KeyedText::original_span`] rather than indexing by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedText {
    /// The matching key, identical to [`match_key`] of the original text.
    pub key: String,
    /// The key as characters (for offset arithmetic).
    pub chars: Vec<char>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// The original text as characters (kept to reuse the buffer).
    orig: Vec<char>,
}

impl KeyedText {
    /// Build the key of `original` with its offset map.
    ///
    /// The text is cut into clusters at characters that start a new grapheme for the
    /// purposes of normalization (combining class 0 and not a conjoining Hangul vowel or
    /// final consonant); each cluster is normalized on its own, and every key character
    /// points back to its cluster. When the result differs from [`match_key`] of the
    /// whole text (possible only for exotic sequences), the whole-text key is used and
    /// offsets are spread proportionally.
    pub fn new(original: &str) -> KeyedText {
        let mut k = KeyedText {
            key: String::new(),
            chars: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            orig: Vec::new(),
        };
        k.reset(original);
        k
    }

    /// Rebuild for another text, reusing the buffers (for callers that key many texts in
    /// a row). The result equals `KeyedText::new(original)`.
    pub fn reset(&mut self, original: &str) {
        let KeyedText {
            key,
            chars,
            starts,
            ends,
            orig,
        } = self;
        key.clear();
        chars.clear();
        starts.clear();
        ends.clear();
        orig.clear();
        orig.extend(original.chars());
        let mut pending_space: Option<(usize, usize)> = None;
        let mut i = 0;
        let mut buf = String::new();
        let mut one = String::with_capacity(4);
        let mut piece_buf;
        let mut all_simple = true;
        while i < orig.len() {
            let mut j = i + 1;
            while j < orig.len() && continues_cluster(orig[j]) {
                j += 1;
            }
            // Fast path: a one-character cluster whose key is itself (or its ASCII
            // lowercase, or a space) needs no normalization and no allocation.
            let simple = if j == i + 1 {
                simple_key_char(orig[i])
            } else {
                None
            };
            let piece: &str = match simple {
                Some(c) => {
                    one.clear();
                    one.push(c);
                    &one
                }
                None => {
                    all_simple = false;
                    buf.clear();
                    buf.extend(&orig[i..j]);
                    piece_buf = if buf.is_ascii() {
                        buf.to_ascii_lowercase()
                    } else {
                        let nfkc: String = buf.nfkc().collect();
                        fold_case(&nfkc)
                    };
                    &piece_buf
                }
            };
            for c in piece.chars() {
                if c.is_whitespace() {
                    if !chars.is_empty() && pending_space.is_none() {
                        pending_space = Some((i, j));
                    }
                } else {
                    if let Some((s, e)) = pending_space.take() {
                        chars.push(' ');
                        starts.push(s);
                        ends.push(e);
                    }
                    chars.push(c);
                    starts.push(i);
                    ends.push(j);
                }
            }
            i = j;
        }
        key.extend(chars.iter());
        if all_simple {
            // Every character took the fast path: the key is match_key(original) by
            // construction (no NFKC change, no case folding beyond ASCII).
            return;
        }
        let whole = match_key(original);
        if *key != whole {
            chars.clear();
            chars.extend(whole.chars());
            let n = chars.len().max(1);
            let m = orig.len();
            starts.clear();
            starts.extend((0..chars.len()).map(|k| k * m / n));
            ends.clear();
            ends.extend((0..chars.len()).map(|k| ((k + 1) * m).div_ceil(n)));
            *key = whole;
        }
    }

    /// The key of `original` under a language's [`KeyRule`] (the fold keeps lengths, so
    /// the offset map stays valid).
    pub fn with_rule(original: &str, rule: KeyRule) -> KeyedText {
        let mut k = KeyedText::new(original);
        if rule == KeyRule::FoldHan && !k.key.is_ascii() {
            for c in k.chars.iter_mut() {
                *c = fold_han(*c);
            }
            k.key = k.chars.iter().collect();
        }
        k
    }

    /// Number of characters in the key.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// True when the key is empty.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Map a key character range (`start..end`, in key chars) to the range of original
    /// characters that produced it.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end || start >= self.chars.len() {
            let p = self
                .starts
                .get(start)
                .copied()
                .unwrap_or_else(|| self.ends.last().copied().unwrap_or(0));
            return (p, p);
        }
        let end = end.min(self.chars.len());
        (self.starts[start], self.ends[end - 1])
    }
}

/// The key of a one-character cluster when it needs no normalization: ASCII (lowercased),
/// white space (a space), Hangul syllables, CJK unified ideographs and CJK brackets and
/// punctuation that NFKC and case folding leave alone. `None`: take the general path.
fn simple_key_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    match c as u32 {
        0xAC00..=0xD7A3 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x3001..=0x3002 | 0x3008..=0x3011 => {
            Some(c)
        }
        _ if c.is_whitespace() => Some(' '),
        _ => None,
    }
}

/// True if `c` cannot start a normalization cluster (it attaches to what precedes it).
fn continues_cluster(c: char) -> bool {
    let u = c as u32;
    // Conjoining jamo vowels and final consonants compose with a preceding syllable.
    if (0x1160..=0x11FF).contains(&u) || (0xD7B0..=0xD7FF).contains(&u) {
        return true;
    }
    // Combining marks, variation selectors and other non-starters.
    unicode_normalization::char::canonical_combining_class(c) != 0
        || unicode_normalization::char::is_combining_mark(c)
        || (0xFE00..=0xFE0F).contains(&u)
        || (0xE0100..=0xE01EF).contains(&u)
        || (0x3099..=0x309A).contains(&u)
        || (0xFF9E..=0xFF9F).contains(&u)
}

/// Convert a character offset into a byte offset of `text` (clamped to its length).
pub fn char_to_byte(text: &str, char_offset: usize) -> usize {
    text.char_indices()
        .nth(char_offset)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

/// The writing system of a character, as far as concord needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    /// Latin letters (ASCII and extended, full-width included).
    Latin,
    /// Hangul syllables and jamo.
    Hangul,
    /// Han ideographs (CJK unified and compatibility).
    Han,
    /// Hiragana and katakana.
    Kana,
    /// Any other letter.
    OtherLetter,
    /// Digits, punctuation, symbols, white space.
    Common,
}

/// True for a Han ideograph ([`Script::Han`]: CJK unified, extensions and compatibility
/// ideographs, `々` and `〇`).
pub fn is_han(c: char) -> bool {
    script_of(c) == Script::Han
}

/// True for Hangul ([`Script::Hangul`]: syllables, and jamo, NFD's conjoining ones
/// included).
pub fn is_hangul(c: char) -> bool {
    script_of(c) == Script::Hangul
}

/// The script of one character.
pub fn script_of(c: char) -> Script {
    let u = c as u32;
    match u {
        0x1100..=0x11FF
        | 0x3130..=0x318F
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7AF
        | 0xD7B0..=0xD7FF
        | 0xFFA0..=0xFFDC => Script::Hangul,
        0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF
        | 0x3005
        | 0x3007 => Script::Han,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9D => Script::Kana,
        _ if c.is_ascii_alphabetic() => Script::Latin,
        0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Script::Latin,
        0x00C0..=0x024F | 0x1E00..=0x1EFF if c.is_alphabetic() => Script::Latin,
        _ if c.is_alphabetic() => Script::OtherLetter,
        _ => Script::Common,
    }
}

/// Counts of letters per script in a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptCounts {
    /// Latin letters.
    pub latin: usize,
    /// Hangul characters.
    pub hangul: usize,
    /// Han ideographs.
    pub han: usize,
    /// Kana.
    pub kana: usize,
    /// Other letters.
    pub other: usize,
}

impl ScriptCounts {
    /// Count the letters of `text` by script.
    pub fn of(text: &str) -> ScriptCounts {
        let mut s = ScriptCounts::default();
        for c in text.chars() {
            match script_of(c) {
                Script::Latin => s.latin += 1,
                Script::Hangul => s.hangul += 1,
                Script::Han => s.han += 1,
                Script::Kana => s.kana += 1,
                Script::OtherLetter => s.other += 1,
                Script::Common => {}
            }
        }
        s
    }

    /// Total number of letters.
    pub fn letters(&self) -> usize {
        self.latin + self.hangul + self.han + self.kana + self.other
    }

    /// Add the counts of another text (a document's paragraphs, one by one).
    pub fn add(&mut self, other: &ScriptCounts) {
        self.latin += other.latin;
        self.hangul += other.hangul;
        self.han += other.han;
        self.kana += other.kana;
        self.other += other.other;
    }

    /// The language these letters are written in, told from their scripts: the one rule
    /// of every command that guesses a language (`match`, `terms`, `segment`, `align`,
    /// the server). Korean mixes in Han (hanja) and Latin, so Hangul for a third of the
    /// letters is `ko` (`UN 안보리는 DPRK의…`), while a Korean name quoted in English (`Kim
    /// Jong-un (김정은) said…`) does not make it Korean; kana for a tenth of the letters is
    /// `ja`; else the script with most letters: Han `zh`, Latin `en`. `None` without
    /// letters, or when another script dominates.
    pub fn language(&self) -> Option<&'static str> {
        let letters = self.letters();
        if letters == 0 {
            return None;
        }
        if self.hangul * 3 >= letters {
            return Some("ko");
        }
        if self.kana * 10 >= letters {
            return Some("ja");
        }
        match self.dominant()? {
            Script::Han => Some("zh"),
            Script::Latin => Some("en"),
            Script::Hangul => Some("ko"),
            _ => None,
        }
    }

    /// The script with most letters, if the text has letters.
    pub fn dominant(&self) -> Option<Script> {
        let all = [
            (self.hangul, Script::Hangul),
            (self.han, Script::Han),
            (self.kana, Script::Kana),
            (self.latin, Script::Latin),
            (self.other, Script::OtherLetter),
        ];
        all.iter()
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, _)| *n)
            .map(|(_, s)| *s)
    }
}

/// The text with its control characters (C0, DEL, C1: `char::is_control`) written as
/// visible escapes (`\t`, `\n`, `\r`, else `\u{1b}`), for printing stored text to a
/// terminal: an ESC or BEL in an imported segment must not set the window title or clear
/// the screen. Every other character, backslash included, is kept; JSON output does not
/// need this (JSON escapes controls itself).
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_scripts_one_rule() {
        let lang = |t: &str| ScriptCounts::of(t).language();
        assert_eq!(lang("The talks ended."), Some("en"));
        assert_eq!(lang("회담이 끝났다."), Some("ko"));
        // NFD Hangul (conjoining jamo) is Hangul too.
        assert_eq!(lang(&nfd("회담이 끝났다.")), Some("ko"));
        assert_eq!(lang("会谈结束了。"), Some("zh"));
        assert_eq!(lang("會談結束了。"), Some("zh"));
        // Full-width Latin is Latin.
        assert_eq!(lang("ＤＰＲＫ ａｎｄ ＵＮ"), Some("en"));
        // Korean with Latin acronyms and hanja is still Korean.
        assert_eq!(lang("UN 안보리는 DPRK의 ICBM 발사를 논의했다."), Some("ko"));
        assert_eq!(lang("北韓 외무성은 성명을 냈다."), Some("ko"));
        // A Korean name quoted in English does not make the sentence Korean.
        assert_eq!(
            lang("UN Security Council resolution 2397 (유엔 안보리 결의) was adopted."),
            Some("en")
        );
        assert_eq!(lang("ミサイル発射について"), Some("ja"));
        assert_eq!(lang("2024 ☃ …"), None);
        assert_eq!(lang(""), None);
    }

    #[test]
    fn escape_controls_makes_terminal_escapes_visible() {
        assert_eq!(
            escape_controls("\u{1b}]0;pwned\u{7}\u{1b}[2J 북한"),
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J 북한"
        );
        assert_eq!(
            escape_controls("a\tb\nc\u{85}\u{7f}"),
            "a\\tb\\nc\\u{85}\\u{7f}"
        );
        assert!(matches!(
            escape_controls("会谈 ＤＰＲＫ \\ ok"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn stored_form_is_nfc_and_trimmed_only() {
        // NFD Hangul 특별대표 (conjoining jamo) becomes precomposed syllables.
        let nfd: String = "특별대표".nfd().collect();
        assert_ne!(nfd, "특별대표");
        assert_eq!(stored_form(&format!("  {nfd}\t")), "특별대표");
        // Inner spacing, case and full-width forms are kept as they are.
        assert_eq!(stored_form(" ＤＰＲＫ  Talks "), "ＤＰＲＫ  Talks");
        assert_eq!(stored_form("\u{3000}首尔，"), "首尔，");
    }

    #[test]
    fn key_folds_width_case_and_space() {
        assert_eq!(match_key("ＤＰＲＫ２０２２"), "dprk2022");
        assert_eq!(match_key("ＤＰＲＫ２０２２"), match_key("dprk2022"));
        assert_eq!(
            match_key("  Special\t\tRepresentative\n"),
            "special representative"
        );
        assert_eq!(match_key("Straße"), "strasse");
        // Full-width comma folds to ASCII; the ideographic full stop stays.
        assert_eq!(match_key("朝鲜，韩国。"), "朝鲜,韩国。");
        // Ideographic space collapses like any other white space.
        assert_eq!(match_key("한반도\u{3000}\u{3000}평화"), "한반도 평화");
    }

    #[test]
    fn key_of_nfd_hangul_equals_key_of_nfc() {
        let nfc = "북한의 비핵화";
        let nfd: String = nfc.nfd().collect();
        assert_eq!(match_key(&nfd), match_key(nfc));
        assert_eq!(match_key(&nfd), nfc);
    }

    #[test]
    fn key_keeps_cjk_and_two_char_terms() {
        assert_eq!(match_key("朝鲜"), "朝鲜");
        assert_eq!(match_key("韩"), "韩");
        // A CJK compatibility ideograph folds to its unified form.
        assert_eq!(match_key("\u{F900}"), "\u{8C48}");
    }

    #[test]
    fn keyed_text_maps_back_to_original() {
        let nfd: String = "북한의".nfd().collect();
        let original = format!("ＤＰＲＫ  {nfd}");
        let k = KeyedText::new(&original);
        assert_eq!(k.key, match_key(&original));
        assert_eq!(k.key, "dprk 북한의");
        // "북한" is key chars 5..7; in the original it is the NFD jamo of the first two
        // syllables, starting after "ＤＰＲＫ" and two spaces.
        let (s, e) = k.original_span(5, 7);
        let orig: Vec<char> = original.chars().collect();
        let got: String = orig[s..e].iter().collect();
        assert_eq!(got.nfc().collect::<String>(), "북한");
        // "dprk" maps to the four full-width letters.
        assert_eq!(k.original_span(0, 4), (0, 4));
    }

    #[test]
    fn keyed_text_agrees_with_match_key() {
        for s in [
            "",
            "   ",
            "Ａｂｃ  ＤＥＦ",
            "ﬁnance ㎞ ½",
            "Straße İstanbul",
            "카\u{302}",
            "北韩 朝鮮 \u{F900}",
        ] {
            assert_eq!(KeyedText::new(s).key, match_key(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn keyed_text_key_is_match_key(v in proptest::collection::vec(proptest::sample::select(&[
            'a', 'Z', ' ', '\t', '\u{3000}', '\u{A0}', '한', '\u{1100}', '\u{1161}', '\u{11AB}',
            '朝', '\u{F900}', 'Ａ', '，', '。', '「', 'ß', 'İ', '\u{301}', 'e', '\u{2028}',
        ][..]), 0..24)) {
            let s: String = v.into_iter().collect();
            let k = KeyedText::new(&s);
            proptest::prop_assert_eq!(&k.key, &match_key(&s));
            proptest::prop_assert_eq!(k.chars.len(), k.key.chars().count());
        }
    }

    /// The general path on one character, as a string.
    fn general(c: char) -> String {
        match_key_general(&c.to_string())
    }

    #[test]
    fn fast_key_chars_agree_with_the_general_path() {
        use unicode_normalization::char::canonical_combining_class as ccc;
        use unicode_normalization::is_nfkc_quick;
        let mut fast = 0;
        for u in 0x80..=0xFFFFu32 {
            let Some(c) = char::from_u32(u) else { continue };
            let Some(k) = fast_key_char(c) else { continue };
            fast += 1;
            // The key of the character alone (a space collapses to nothing alone, so
            // put it between two letters).
            let expect = match_key_general(&format!("a{c}b"));
            let got: String = ['a', k, 'b'].iter().collect::<String>();
            let got = if k == ' ' { got } else { got.replace(' ', "") };
            assert_eq!(got, expect, "U+{u:04X}");
            // The character and its compatibility decomposition are inert starters.
            // The character's NFKC `p` is one inert starter (so replacing `c` by `p`
            // changes no NFKC), and `c` itself is NFC (for the stored-form fast path).
            let p: String = c.to_string().nfkc().collect();
            assert_eq!(p.chars().count(), 1, "U+{u:04X}: NFKC is one character");
            let p = p.chars().next().unwrap();
            assert_eq!(ccc(p), 0, "U+{u:04X}");
            assert_eq!(
                is_nfkc_quick(std::iter::once(p)),
                IsNormalized::Yes,
                "U+{u:04X}"
            );
            assert_eq!(ccc(c), 0, "U+{u:04X}");
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{u:04X}"
            );
            // Its key has no case folding left to do.
            if !k.is_whitespace() {
                assert_eq!(
                    caseless::default_case_fold_str(&k.to_string()),
                    k.to_string()
                );
                assert_eq!(general(c), k.to_string(), "U+{u:04X}");
            }
        }
        assert!(fast > 38_000, "{fast}");
    }

    #[test]
    fn caseless_ranges_do_not_fold() {
        for u in 0x80..=0x3FFFFu32 {
            let Some(c) = char::from_u32(u) else { continue };
            if !has_case_mapping(c) {
                let s = c.to_string();
                assert_eq!(caseless::default_case_fold_str(&s), s, "U+{u:04X}");
            }
        }
    }

    #[test]
    fn korean_and_chinese_punctuation_take_the_fast_paths() {
        for c in "“”‘’、「」—…·《》【】〈〉".chars() {
            assert!(!has_case_mapping(c), "{c}");
        }
        for c in "“”‘’、「」—·《》【】〈〉，（）：；！？".chars() {
            assert!(fast_key_char(c).is_some(), "{c}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_key_is_general_key(v in proptest::collection::vec(proptest::sample::select(&[
            'a', 'Z', ' ', '\t', '\u{0B}', '\u{3000}', '\u{A0}', '한', '\u{1100}', '\u{1161}',
            '\u{11AB}', '朝', '\u{F900}', 'Ａ', 'ｚ', '，', '。', '「', 'ß', 'İ', '\u{301}', 'e',
            '\u{2028}', 'É', 'é', '·', '…', '“', '”', '—', '\u{3099}', 'か', '\u{2002}', 'µ',
        ][..]), 0..24)) {
            let s: String = v.into_iter().collect();
            proptest::prop_assert_eq!(match_key(&s), match_key_general(&s));
            proptest::prop_assert_eq!(stored_form(&s), {
                let t: String = s.trim().nfc().collect();
                t.trim().to_string()
            });
            // Conservative: true only when the text is its stored form.
            if is_stored_form(&s) {
                proptest::prop_assert_eq!(stored_form(&s), s);
            }
        }
    }

    #[test]
    fn traditional_and_simplified_fold_to_one_key() {
        let zh = crate::lang::LangTag::parse("zh-TW").unwrap();
        let rule = KeyRule::for_tag(&zh);
        assert_eq!(rule, KeyRule::FoldHan);
        assert_eq!(rule.key("朝鮮半島問題"), "朝鲜半岛问题");
        assert_eq!(rule.key("朝鲜半岛问题"), "朝鲜半岛问题");
        assert_eq!(rule.key("後來ＤＰＲＫ"), "后来dprk");
        // Korean and English keys are unchanged.
        for t in ["ko", "en"] {
            let tag = crate::lang::LangTag::parse(t).unwrap();
            assert_eq!(KeyRule::for_tag(&tag).key("北韓 問題"), "北韓 問題");
        }
        // Offsets survive the fold.
        let k = KeyedText::with_rule("（朝鮮）半島", rule);
        assert_eq!(k.key, "(朝鲜)半岛");
        assert_eq!(k.original_span(1, 3), (1, 3));
    }

    #[test]
    fn st_fold_is_idempotent_length_preserving_and_stable_under_keys() {
        for &(from, to) in st_fold::ST_FOLD {
            assert_ne!(from, to);
            assert_eq!(fold_han(from), to, "{from}");
            assert_eq!(fold_han(to), to, "{from} → {to} folds again");
            // The Simplified character is its own matching key, so a folded key is a key.
            assert_eq!(match_key(&to.to_string()), to.to_string(), "{to}");
        }
        assert!(st_fold::ST_FOLD.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(st_fold::ST_FOLD.len() > 3000);
    }

    #[test]
    fn scripts() {
        let c = ScriptCounts::of("북한 DPRK 朝鲜");
        assert_eq!((c.hangul, c.latin, c.han), (2, 4, 2));
        assert_eq!(ScriptCounts::of("2026.").dominant(), None);
        assert_eq!(script_of('ａ'), Script::Latin);
    }
}
