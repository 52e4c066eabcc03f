//! The rules that look at one segment and need no glossary or memory: empty-target,
//! empty-source, untranslated, wrong-script, punctuation, whitespace, tag-mismatch.
//!
//! Every check is a pure function of the texts and the languages and returns [`Hit`]s
//! (rule, message, spans as character offsets into the texts as written).

use crate::lang::{ChineseScript, LangTag};
use crate::text::{match_key, script_of, Script, ScriptCounts};

use super::hanzi;
use super::rules::Rule;
use super::segment::SegText;

/// A raw finding of one rule on one segment: spans are character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule.
    pub rule: Rule,
    /// What is wrong and what to do.
    pub message: String,
    /// The span in the source (start, end), in characters.
    pub source_span: Option<(usize, usize)>,
    /// The span in the target (start, end), in characters.
    pub target_span: Option<(usize, usize)>,
    /// The span in the second target of a trilingual draft (`cross-target`).
    pub second_span: Option<(usize, usize)>,
    /// A replacement for the target span, or a text to use.
    pub suggestion: Option<String>,
    /// What distinguishes this hit from other hits of the same rule on the same
    /// segment (a term, a number, a tag): part of the baseline fingerprint.
    pub detail: String,
}

impl Hit {
    pub(crate) fn new(rule: Rule, message: impl Into<String>) -> Hit {
        Hit {
            rule,
            message: message.into(),
            source_span: None,
            target_span: None,
            second_span: None,
            suggestion: None,
            detail: String::new(),
        }
    }

    pub(crate) fn target(mut self, start: usize, end: usize) -> Hit {
        self.target_span = Some((start, end));
        self
    }

    pub(crate) fn second(mut self, start: usize, end: usize) -> Hit {
        self.second_span = Some((start, end));
        self
    }

    pub(crate) fn source(mut self, start: usize, end: usize) -> Hit {
        self.source_span = Some((start, end));
        self
    }

    pub(crate) fn suggest(mut self, s: impl Into<String>) -> Hit {
        self.suggestion = Some(s.into());
        self
    }

    pub(crate) fn detail(mut self, d: impl Into<String>) -> Hit {
        self.detail = d.into();
        self
    }
}

/// The languages of a draft as the checks see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Langs {
    /// The source language (`None` for a target-only draft).
    pub source: Option<LangTag>,
    /// The target language.
    pub target: LangTag,
}

impl Langs {
    fn target_family(&self) -> &str {
        self.target.family()
    }
}

/// The script a language is written in, for the families concord knows.
pub fn script_of_lang(tag: &LangTag) -> Option<Script> {
    match tag.family() {
        "ko" => Some(Script::Hangul),
        "zh" | "ja" => Some(Script::Han),
        "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "sv" | "da" | "nb" | "no" | "fi"
        | "pl" | "cs" | "tr" | "id" | "ms" | "vi" | "ro" | "hu" => Some(Script::Latin),
        _ => None,
    }
}

fn count_of(c: &ScriptCounts, s: Script) -> usize {
    match s {
        Script::Latin => c.latin,
        Script::Hangul => c.hangul,
        Script::Han => c.han,
        Script::Kana => c.kana,
        Script::OtherLetter => c.other,
        Script::Common => 0,
    }
}

/// `empty-target`: no target, or only white space, for a source with content.
pub fn empty_target(source: Option<&SegText>, target: Option<&SegText>) -> Option<Hit> {
    let source_has_text = source.map(|s| !s.is_blank()).unwrap_or(true);
    let blank = target
        .map(|t| t.is_blank() && t.tags.is_empty())
        .unwrap_or(true);
    if blank && source_has_text {
        let msg = if target.is_none() {
            "the segment has no target: translate it"
        } else {
            "the target is empty: translate the segment"
        };
        return Some(Hit::new(Rule::EmptyTarget, msg));
    }
    None
}

/// `empty-source`: a source that is there but blank (no text, no inline tag) while the
/// target has text. A draft without sources (target-only) has no source at all
/// (`None`) and gives no hit.
pub fn empty_source(source: Option<&SegText>, target: Option<&SegText>) -> Option<Hit> {
    let source = source?;
    let target = target?;
    if source.is_blank() && source.tags.is_empty() && !target.is_blank() {
        let mut hit = Hit::new(
            Rule::EmptySource,
            "the source is empty but the target has text: check that the row is not shifted and that the source was not lost",
        );
        hit.target_span = Some((0, target.text.chars().count()));
        return Some(hit);
    }
    None
}

/// Words of letters in a Latin text: (start char, letters).
fn latin_words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if script_of(c) == Script::Latin || (c == '\'' && !cur.is_empty()) {
            if cur.is_empty() {
                start = i;
            }
            cur.push(c);
        } else if !cur.is_empty() {
            out.push((start, std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    out
}

/// True when a text holds words that a translator is expected to translate (not only a
/// name, an acronym, a code or a number).
fn is_translatable(text: &str, script: Option<Script>) -> bool {
    match script {
        Some(Script::Latin) | None => {
            let words: Vec<(usize, String)> = latin_words(text)
                .into_iter()
                .filter(|(_, w)| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                .collect();
            let lower = words
                .iter()
                .any(|(_, w)| w.chars().next().map(|c| c.is_lowercase()).unwrap_or(false));
            words.len() >= 3 || (words.len() >= 2 && lower)
        }
        Some(s) => count_of(&ScriptCounts::of(text), s) >= 2,
    }
}

/// `untranslated`: the target equals the source (same matching key), or is written in
/// the source's script when the target language uses another script. A source that is
/// only a name, an acronym or a number is not expected to change and gives no hit.
pub fn untranslated(source: &str, target: &str, langs: &Langs) -> Option<Hit> {
    let src_script = langs.source.as_ref().and_then(script_of_lang);
    if target.trim().is_empty() {
        return None;
    }
    // Fast path: a target with letters of its own script that the source lacks is
    // neither the source nor in the source's script.
    if let Some(ts) = script_of_lang(&langs.target).filter(|ts| Some(*ts) != src_script) {
        let own = |c: &ScriptCounts| count_of(c, ts) + if ts == Script::Han { c.kana } else { 0 };
        if own(&ScriptCounts::of(target)) > 0 && own(&ScriptCounts::of(source)) == 0 {
            return None;
        }
    }
    if !is_translatable(source, src_script) {
        return None;
    }
    let (sk, tk) = (match_key(source), match_key(target));
    if sk == tk {
        let n = target.chars().count();
        return Some(
            Hit::new(
                Rule::Untranslated,
                "the target is the same as the source: translate it",
            )
            .target(0, n),
        );
    }
    let tgt_script = script_of_lang(&langs.target);
    if let (Some(ss), Some(ts)) = (src_script, tgt_script) {
        if ss != ts && !(ss == Script::Han && ts == Script::Han) {
            let c = ScriptCounts::of(target);
            let own = count_of(&c, ts);
            let theirs = count_of(&c, ss);
            // Korean may be written with Hanja; Japanese with kana.
            let own = own + if ts == Script::Han { c.kana } else { 0 };
            if own == 0 && theirs >= 2 && is_translatable(target, Some(ss)) {
                let n = target.chars().count();
                return Some(
                    Hit::new(
                        Rule::Untranslated,
                        format!(
                            "the target is written in the source's script ({}) and has no {}: translate it",
                            script_name(ss),
                            script_name(ts)
                        ),
                    )
                    .target(0, n),
                );
            }
        }
    }
    None
}

fn script_name(s: Script) -> &'static str {
    match s {
        Script::Latin => "Latin letters",
        Script::Hangul => "Hangul",
        Script::Han => "Chinese characters",
        Script::Kana => "kana",
        Script::OtherLetter => "letters",
        Script::Common => "letters",
    }
}

fn first_index(text: &str, pred: impl Fn(char) -> bool) -> Option<usize> {
    text.chars().position(pred)
}

/// `wrong-script`: a Korean target with no Hangul; a Chinese target with Hangul or kana;
/// Traditional characters in a Simplified target and the reverse.
pub fn wrong_script(target: &str, langs: &Langs) -> Vec<Hit> {
    let mut out = Vec::new();
    let c = ScriptCounts::of(target);
    match langs.target_family() {
        "ko" => {
            if c.hangul == 0 && c.han + c.kana + c.other > 0 {
                let i = first_index(target, |ch| {
                    matches!(
                        script_of(ch),
                        Script::Han | Script::Kana | Script::OtherLetter
                    )
                })
                .unwrap_or(0);
                out.push(
                    Hit::new(
                        Rule::WrongScript,
                        "the Korean target has no Hangul: is it in another language?",
                    )
                    .target(i, i + 1),
                );
            } else if c.kana > 0 {
                let i = first_index(target, |ch| script_of(ch) == Script::Kana).unwrap_or(0);
                out.push(
                    Hit::new(
                        Rule::WrongScript,
                        "Japanese kana in a Korean target: replace it with Hangul",
                    )
                    .target(i, i + 1)
                    .detail("kana"),
                );
            }
        }
        "zh" => {
            if c.hangul > 0 {
                let i = first_index(target, |ch| script_of(ch) == Script::Hangul).unwrap_or(0);
                out.push(
                    Hit::new(
                        Rule::WrongScript,
                        "Hangul in a Chinese target: translate it into Chinese",
                    )
                    .target(i, i + 1)
                    .detail("hangul"),
                );
            }
            if c.kana > 0 {
                let i = first_index(target, |ch| script_of(ch) == Script::Kana).unwrap_or(0);
                out.push(
                    Hit::new(
                        Rule::WrongScript,
                        "Japanese kana in a Chinese target: replace it with Chinese characters",
                    )
                    .target(i, i + 1)
                    .detail("kana"),
                );
            }
            let simplified = langs.target.chinese_script() != Some(ChineseScript::Traditional);
            let wrong: Vec<(usize, char)> = target
                .chars()
                .enumerate()
                .filter(|(_, ch)| {
                    if simplified {
                        hanzi::is_traditional_only(*ch)
                    } else {
                        hanzi::is_simplified_only(*ch)
                    }
                })
                .collect();
            if let Some(&(i, _)) = wrong.first() {
                let mut chars: Vec<char> = wrong.iter().map(|(_, c)| *c).collect();
                chars.dedup();
                let list: String = chars.iter().take(8).collect();
                let (have, want) = if simplified {
                    ("Traditional", "Simplified")
                } else {
                    ("Simplified", "Traditional")
                };
                out.push(
                    Hit::new(
                        Rule::WrongScript,
                        format!(
                            "{have} characters ({list}) in a {want} Chinese target ({}): write them in {want}",
                            langs.target
                        ),
                    )
                    .target(i, i + 1)
                    .detail(have),
                );
            }
        }
        _ => {
            if let Some(ts) = script_of_lang(&langs.target) {
                if count_of(&c, ts) == 0 && c.letters() > 0 && ts == Script::Latin {
                    let src_script = langs.source.as_ref().and_then(script_of_lang);
                    // A target in the source's script is `untranslated`, not this rule.
                    let dominant = c.dominant();
                    if dominant.is_some() && dominant != src_script {
                        out.push(Hit::new(
                            Rule::WrongScript,
                            format!(
                                "the {} target has no Latin letters: is it in another language?",
                                langs.target
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

const OPENERS: &[(char, char)] = &[
    ('(', ')'),
    ('[', ']'),
    ('{', '}'),
    ('（', '）'),
    ('【', '】'),
    ('〔', '〕'),
    ('［', '］'),
    ('《', '》'),
    ('〈', '〉'),
    ('「', '」'),
    ('『', '』'),
    ('“', '”'),
];

/// Brackets and quotes in a text: `None` when balanced, else the char offset of the
/// first character that breaks the balance.
fn unbalanced(text: &str) -> Option<usize> {
    // Parentheses of different widths close each other: （...) is a width problem, not an
    // unbalanced bracket.
    fn class(c: char) -> char {
        match c {
            '（' => '(',
            '）' => ')',
            '［' => '[',
            '］' => ']',
            _ => c,
        }
    }
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut straight: Option<usize> = None;
    let mut straight_count = 0usize;
    for (i, c) in text.chars().enumerate() {
        let c = class(c);
        if c == '"' {
            straight_count += 1;
            if straight.is_none() {
                straight = Some(i);
            } else {
                straight = None;
            }
            continue;
        }
        if OPENERS.iter().any(|(o, _)| class(*o) == c) {
            stack.push((c, i));
        } else if let Some((o, _)) = OPENERS.iter().find(|(_, cl)| class(*cl) == c) {
            match stack.pop() {
                Some((top, _)) if top == class(*o) => {}
                _ => return Some(i),
            }
        }
    }
    if let Some((_, i)) = stack.first() {
        return Some(*i);
    }
    if straight_count % 2 == 1 {
        return straight;
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Question,
    Exclamation,
    Stop,
    Other,
    None,
}

fn sentence_end(text: &str) -> (End, usize) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = chars.len();
    while i > 0 {
        let c = chars[i - 1];
        if c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '”' | '’' | '」' | '』' | ')' | '）' | ']' | '》' | '〉' | '*'
            )
        {
            i -= 1;
            continue;
        }
        let end = match c {
            '?' | '？' => End::Question,
            '!' | '！' => End::Exclamation,
            '.' | '。' | '．' | '…' => End::Stop,
            c if c.is_alphanumeric() => End::None,
            _ => End::Other,
        };
        return (end, i - 1);
    }
    (End::Other, 0)
}

/// `punctuation`: ASCII `, . ; : ? !` between Chinese characters in a Chinese target, a
/// Chinese full stop or comma in a Korean target, unbalanced brackets and quotes (when
/// the source is balanced), and a sentence end that differs from the source's.
pub fn punctuation(source: Option<&str>, target: &str, langs: &Langs) -> Vec<Hit> {
    let mut out = Vec::new();
    let chars: Vec<char> = target.chars().collect();
    let is_han = |c: char| script_of(c) == Script::Han;
    match langs.target_family() {
        "zh" => {
            for (i, &c) in chars.iter().enumerate() {
                let full = match c {
                    ',' => '，',
                    '.' => '。',
                    ';' => '；',
                    ':' => '：',
                    '?' => '？',
                    '!' => '！',
                    _ => continue,
                };
                let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                let prev_han = prev.map(|&p| is_han(p)).unwrap_or(false);
                let next_ok = match next {
                    Some(&n) => is_han(n),
                    // At the end of the text: a sentence-final mark after a character.
                    None => matches!(c, '.' | '?' | '!'),
                };
                if prev_han && next_ok {
                    out.push(
                        Hit::new(
                            Rule::Punctuation,
                            format!("ASCII {c:?} in Chinese text: use the full-width {full}"),
                        )
                        .target(i, i + 1)
                        .suggest(full.to_string())
                        .detail(format!("ascii{c}")),
                    );
                }
            }
        }
        "ko" => {
            for (i, &c) in chars.iter().enumerate() {
                let ascii = match c {
                    '。' => '.',
                    '，' => ',',
                    '、' => ',',
                    _ => continue,
                };
                out.push(
                    Hit::new(
                        Rule::Punctuation,
                        format!("Chinese {c} in Korean text: use {ascii:?}"),
                    )
                    .target(i, i + 1)
                    .suggest(ascii.to_string())
                    .detail(format!("cjk{c}")),
                );
            }
        }
        _ => {}
    }
    if let Some(i) = unbalanced(target) {
        if source.map(|s| unbalanced(s).is_none()).unwrap_or(true) {
            out.push(
                Hit::new(
                    Rule::Punctuation,
                    format!(
                        "unbalanced {:?} in the target: close or remove it",
                        chars[i]
                    ),
                )
                .target(i, i + 1)
                .detail("unbalanced"),
            );
        }
    }
    if let Some(source) = source {
        let (se, _) = sentence_end(source);
        let (te, ti) = sentence_end(target);
        let msg = match (se, te) {
            (End::Question, t) if t != End::Question => Some(
                "the source ends with a question mark and the target does not: check the sentence end",
            ),
            (End::Stop | End::Exclamation, End::None) => {
                Some("the source ends a sentence and the target has no final punctuation: add it")
            }
            _ => None,
        };
        if let Some(m) = msg {
            out.push(
                Hit::new(Rule::Punctuation, m)
                    .target(ti, (ti + 1).min(chars.len()))
                    .detail("sentence-end"),
            );
        }
    }
    out
}

/// `whitespace`: leading or trailing white space, doubled spaces (when the source has
/// none), and spaces between Chinese characters in a Chinese target.
pub fn whitespace(source: Option<&str>, target: &str, langs: &Langs) -> Vec<Hit> {
    let mut out = Vec::new();
    if target.trim().is_empty() {
        return out;
    }
    let chars: Vec<char> = target.chars().collect();
    let n = chars.len();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let trail = chars.iter().rev().take_while(|c| c.is_whitespace()).count();
    let src_lead = source
        .map(|s| s.starts_with(char::is_whitespace))
        .unwrap_or(false);
    let src_trail = source
        .map(|s| s.ends_with(char::is_whitespace))
        .unwrap_or(false);
    if lead > 0 && !src_lead {
        out.push(
            Hit::new(
                Rule::Whitespace,
                "white space at the start of the target: remove it",
            )
            .target(0, lead)
            .suggest("")
            .detail("leading"),
        );
    }
    if trail > 0 && !src_trail {
        out.push(
            Hit::new(
                Rule::Whitespace,
                "white space at the end of the target: remove it",
            )
            .target(n - trail, n)
            .suggest("")
            .detail("trailing"),
        );
    }
    let doubled = |t: &[char]| -> Option<usize> {
        (1..t.len()).find(|&i| {
            t[i] == ' ' && (t[i - 1] == ' ' || t[i - 1] == '\u{3000}')
                || t[i] == '\u{3000}' && t[i - 1] == ' '
        })
    };
    let inner: Vec<char> = chars[lead..n - trail].to_vec();
    if let Some(i) = doubled(&inner) {
        let src_doubled = source
            .map(|s| {
                let sc: Vec<char> = s.trim().chars().collect();
                doubled(&sc).is_some()
            })
            .unwrap_or(false);
        if !src_doubled {
            let start = lead + i - 1;
            let mut end = start;
            while end < n - trail && (chars[end] == ' ' || chars[end] == '\u{3000}') {
                end += 1;
            }
            out.push(
                Hit::new(Rule::Whitespace, "doubled space in the target: use one")
                    .target(start, end)
                    .suggest(" ")
                    .detail("doubled"),
            );
        }
    }
    if langs.target_family() == "zh" {
        let is_cjk = |c: char| {
            script_of(c) == Script::Han || matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F)
        };
        let mut i = lead;
        while i < n - trail {
            if chars[i].is_whitespace() && chars[i] != '\n' {
                let mut j = i;
                while j < n && chars[j].is_whitespace() && chars[j] != '\n' {
                    j += 1;
                }
                if i > 0 && j < n && is_cjk(chars[i - 1]) && is_cjk(chars[j]) {
                    out.push(
                        Hit::new(
                            Rule::Whitespace,
                            "space between Chinese characters: remove it",
                        )
                        .target(i, j)
                        .suggest("")
                        .detail("zh-space"),
                    );
                    break;
                }
                i = j;
            } else {
                i += 1;
            }
        }
    }
    out
}

/// A placeholder or HTML-like tag in plain text: its comparison key and char span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// What is compared (`{0}`, `%s`, `%1$s`, `<b>`, `</b>`, `<br/>`).
    pub key: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
}

/// Find `{0}` / `{name}`, printf (`%s`, `%d`, `%1$s`, `%(name)s`) placeholders and
/// HTML-like tags (`<b>`, `</b>`, `<br/>`) in plain text.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '{' {
            if i + 1 < n && chars[i + 1] == '{' {
                i += 2;
                continue;
            }
            let mut j = i + 1;
            while j < n
                && j - i <= 40
                && (chars[j].is_ascii_alphanumeric() || "_.:,".contains(chars[j]))
            {
                j += 1;
            }
            if j < n && chars[j] == '}' && j > i + 1 && chars[i + 1] != ':' {
                let key: String = chars[i..=j].iter().collect();
                out.push(Placeholder {
                    key,
                    start: i,
                    end: j + 1,
                });
                i = j + 1;
                continue;
            }
        } else if c == '%' {
            if i + 1 < n && chars[i + 1] == '%' {
                i += 2;
                continue;
            }
            if let Some(end) = printf_end(&chars, i) {
                let key: String = chars[i..end].iter().collect();
                out.push(Placeholder { key, start: i, end });
                i = end;
                continue;
            }
        } else if c == '<' {
            if let Some((end, key)) = html_tag(&chars, i) {
                out.push(Placeholder { key, start: i, end });
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn printf_end(chars: &[char], start: usize) -> Option<usize> {
    let n = chars.len();
    let mut j = start + 1;
    if j < n && chars[j] == '(' {
        // %(name)s
        let mut k = j + 1;
        while k < n && (chars[k].is_ascii_alphanumeric() || chars[k] == '_') {
            k += 1;
        }
        if k < n && chars[k] == ')' && k > j + 1 {
            j = k + 1;
        } else {
            return None;
        }
    } else {
        // %1$s
        let mut k = j;
        while k < n && chars[k].is_ascii_digit() {
            k += 1;
        }
        if k > j && k < n && chars[k] == '$' {
            j = k + 1;
        }
    }
    while j < n && "-+0#".contains(chars[j]) {
        j += 1;
    }
    while j < n && chars[j].is_ascii_digit() {
        j += 1;
    }
    if j < n && chars[j] == '.' {
        j += 1;
        while j < n && chars[j].is_ascii_digit() {
            j += 1;
        }
    }
    if j < n && (chars[j] == 'l' || chars[j] == 'h') {
        j += 1;
        if j < n && chars[j] == 'l' {
            j += 1;
        }
    }
    if j < n && "sdifuxXeEgGcpo@".contains(chars[j]) {
        let end = j + 1;
        // "%so" is a word; "%d개" (a Korean counter attached) is a placeholder.
        if end < n && chars[end].is_ascii_alphanumeric() {
            return None;
        }
        // "50% of": a digit before % is a percentage, not a placeholder.
        if start > 0 && chars[start - 1].is_ascii_digit() && end == start + 2 {
            return None;
        }
        return Some(end);
    }
    None
}

fn html_tag(chars: &[char], start: usize) -> Option<(usize, String)> {
    let n = chars.len();
    let mut j = start + 1;
    let closing = j < n && chars[j] == '/';
    if closing {
        j += 1;
    }
    if j >= n || !chars[j].is_ascii_alphabetic() {
        return None;
    }
    let name_start = j;
    while j < n && (chars[j].is_ascii_alphanumeric() || chars[j] == '-' || chars[j] == ':') {
        j += 1;
    }
    let name: String = chars[name_start..j]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    // Attributes: anything up to '>' without '<' or a line break, at most 200 chars.
    let mut k = j;
    if k < n && !matches!(chars[k], '>' | '/' | ' ' | '\t') {
        return None;
    }
    while k < n && chars[k] != '>' && chars[k] != '<' && chars[k] != '\n' && k - j < 200 {
        k += 1;
    }
    if k >= n || chars[k] != '>' {
        return None;
    }
    let self_closing = chars[k - 1] == '/';
    let key = if closing {
        format!("</{name}>")
    } else if self_closing {
        format!("<{name}/>")
    } else {
        format!("<{name}>")
    };
    Some((k + 1, key))
}

/// `tag-mismatch`: the multisets of placeholders, HTML-like tags and XLIFF inline tags of
/// source and target differ.
pub fn tag_mismatch(source: &SegText, target: &SegText) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut src: Vec<(String, usize, usize)> = placeholders(&source.text)
        .into_iter()
        .map(|p| (p.key, p.start, p.end))
        .collect();
    src.extend(
        source
            .tags
            .iter()
            .map(|t| (format!("<{}>", t.key), t.offset, t.offset)),
    );
    let mut tgt: Vec<(String, usize, usize)> = placeholders(&target.text)
        .into_iter()
        .map(|p| (p.key, p.start, p.end))
        .collect();
    tgt.extend(
        target
            .tags
            .iter()
            .map(|t| (format!("<{}>", t.key), t.offset, t.offset)),
    );
    if src.is_empty() && tgt.is_empty() {
        return out;
    }
    let mut unmatched_tgt: Vec<bool> = vec![true; tgt.len()];
    for (key, s, e) in &src {
        if let Some(j) = tgt
            .iter()
            .enumerate()
            .position(|(j, (k, _, _))| unmatched_tgt[j] && k == key)
        {
            unmatched_tgt[j] = false;
        } else {
            out.push(
                Hit::new(
                    Rule::TagMismatch,
                    format!(
                        "{key} of the source is missing from the target: copy it into the target"
                    ),
                )
                .source(*s, *e)
                .detail(format!("missing {key}")),
            );
        }
    }
    for (j, (key, s, e)) in tgt.iter().enumerate() {
        if unmatched_tgt[j] {
            out.push(
                Hit::new(
                    Rule::TagMismatch,
                    format!("{key} in the target is not in the source: remove it or fix it"),
                )
                .target(*s, *e)
                .detail(format!("extra {key}")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(s: &str, t: &str) -> Langs {
        Langs {
            source: Some(LangTag::parse(s).unwrap()),
            target: LangTag::parse(t).unwrap(),
        }
    }

    fn rules(h: &[Hit]) -> Vec<&str> {
        h.iter().map(|h| h.detail.as_str()).collect()
    }

    #[test]
    fn empty_target_hits_and_misses() {
        let s = SegText::at("Hello there.", 1, 1);
        assert!(empty_target(Some(&s), None).is_some());
        assert!(empty_target(Some(&s), Some(&SegText::at("  \t", 1, 1))).is_some());
        assert!(empty_target(Some(&s), Some(&SegText::at("안녕하세요.", 1, 1))).is_none());
        // Nothing to translate: no hit.
        assert!(empty_target(Some(&SegText::at(" ", 1, 1)), None).is_none());
    }

    #[test]
    fn empty_source_hits_only_a_blank_source_with_a_target() {
        let t = SegText::at("양국 장관은 만났다.", 1, 1);
        let h = empty_source(Some(&SegText::at("", 1, 1)), Some(&t)).unwrap();
        assert_eq!(h.rule, Rule::EmptySource);
        assert_eq!(h.target_span, Some((0, 11)));
        // Full-width and no-break spaces are white space too.
        assert!(empty_source(Some(&SegText::at("\u{3000}\u{a0} ", 1, 1)), Some(&t)).is_some());
        // A target-only draft has no source at all.
        assert!(empty_source(None, Some(&t)).is_none());
        // Both blank: nothing to translate and nothing translated.
        assert!(
            empty_source(Some(&SegText::at(" ", 1, 1)), Some(&SegText::at("", 1, 1))).is_none()
        );
        assert!(empty_source(Some(&SegText::at("", 1, 1)), None).is_none());
        // A source with text is not empty.
        assert!(empty_source(Some(&SegText::at("They met.", 1, 1)), Some(&t)).is_none());
    }

    #[test]
    fn untranslated_hits_and_misses() {
        let l = langs("en", "ko");
        let src = "The ministers met in Seoul.";
        assert!(untranslated(src, src, &l).is_some());
        assert!(untranslated(src, "the  ministers met in seoul.", &l).is_some());
        assert!(untranslated(src, "The ministers met in Busan today.", &l).is_some());
        assert!(untranslated(src, "장관들은 서울에서 만났다.", &l).is_none());
        // Names, acronyms, numbers stay as they are.
        assert!(untranslated("UNESCO", "UNESCO", &l).is_none());
        assert!(untranslated("Samsung Galaxy S10", "Samsung Galaxy S10", &l).is_none());
        assert!(untranslated("2019", "2019", &l).is_none());
        // A Korean target with English names inside is translated.
        assert!(untranslated(src, "장관들은 Seoul에서 만났다.", &l).is_none());
        let z = langs("en", "zh");
        assert!(untranslated(src, "The ministers met in Seoul", &z).is_some());
        assert!(untranslated(src, "部长们在首尔会面。", &z).is_none());
    }

    #[test]
    fn wrong_script_hits_and_misses() {
        assert_eq!(
            wrong_script("部长们在首尔会面。", &langs("en", "ko")).len(),
            1
        );
        assert!(wrong_script("北, 미사일 발사", &langs("en", "ko")).is_empty());
        assert!(wrong_script("BTS", &langs("en", "ko")).is_empty());
        assert_eq!(
            rules(&wrong_script("部长们在서울会面。", &langs("en", "zh"))),
            vec!["hangul"]
        );
        assert_eq!(
            rules(&wrong_script("兩國外長在首爾會晤。", &langs("en", "zh-CN"))),
            vec!["Traditional"]
        );
        assert!(wrong_script("两国外长在首尔会晤。", &langs("en", "zh-CN")).is_empty());
        assert_eq!(
            rules(&wrong_script("两国外长在首尔会晤。", &langs("en", "zh-TW"))),
            vec!["Simplified"]
        );
        assert!(wrong_script("兩國外長在首爾會晤。", &langs("en", "zh-Hant")).is_empty());
        // Characters shared by both scripts (著, 乾) are no hit.
        assert!(wrong_script("著名的乾隆皇帝", &langs("en", "zh")).is_empty());
    }

    #[test]
    fn punctuation_hits_and_misses() {
        let z = langs("en", "zh");
        let h = punctuation(Some("We agree, and we act."), "我们同意,并且采取行动.", &z);
        assert_eq!(rules(&h), vec!["ascii,", "ascii."]);
        assert_eq!(h[0].target_span, Some((4, 5)));
        assert!(punctuation(
            Some("We agree, and we act."),
            "我们同意，并且采取行动。",
            &z
        )
        .is_empty());
        // Decimals, times and Latin text are not CJK punctuation.
        assert!(
            punctuation(Some("It rose 3.5% at 10:30."), "上涨3.5%，时间10:30。", &z).is_empty()
        );
        let k = langs("en", "ko");
        assert_eq!(
            rules(&punctuation(Some("They met."), "그들은 만났다。", &k)),
            vec!["cjk。"]
        );
        assert!(punctuation(Some("They met."), "그들은 만났다.", &k).is_empty());
        assert_eq!(
            rules(&punctuation(
                Some("He said (twice) no."),
                "그는 (두 번 아니라고 했다.",
                &k
            )),
            vec!["unbalanced"]
        );
        // An unbalanced source does not blame the target.
        assert!(punctuation(Some("\"We will win."), "\"우리는 이긴다.", &k).is_empty());
        assert_eq!(
            rules(&punctuation(
                Some("Will they come?"),
                "그들이 올 것이다.",
                &k
            )),
            vec!["sentence-end"]
        );
        assert_eq!(
            rules(&punctuation(Some("They came."), "그들이 왔다", &k)),
            vec!["sentence-end"]
        );
        assert!(punctuation(
            Some("\"They came,\" he said."),
            "“그들이 왔다”고 그는 말했다.",
            &k
        )
        .is_empty());
        assert!(punctuation(Some("Article 1"), "제1조", &k).is_empty());
    }

    #[test]
    fn whitespace_hits_and_misses() {
        let k = langs("en", "ko");
        assert_eq!(
            rules(&whitespace(Some("They met."), " 그들은  만났다. ", &k)),
            vec!["leading", "trailing", "doubled"]
        );
        assert!(whitespace(Some("They met."), "그들은 만났다.", &k).is_empty());
        let z = langs("en", "zh");
        assert_eq!(
            rules(&whitespace(Some("They met."), "他们 会面。", &z)),
            vec!["zh-space"]
        );
        // A space between Chinese and digits or Latin is a style choice, not a hit.
        assert!(whitespace(Some("4 months"), "有 4 个月", &z).is_empty());
    }

    #[test]
    fn placeholders_found() {
        let keys =
            |t: &str| -> Vec<String> { placeholders(t).into_iter().map(|p| p.key).collect() };
        assert_eq!(
            keys("Hello {0}, you have %d new %1$s <b>mail</b><br/>"),
            vec!["{0}", "%d", "%1$s", "<b>", "</b>", "<br/>"]
        );
        assert_eq!(keys("50% of {{literal}} and 100%s"), Vec::<String>::new());
        assert_eq!(keys("%(name)s went"), vec!["%(name)s"]);
        assert_eq!(keys("파일 %d개를 복사"), vec!["%d"]);
        // Korean title brackets are not tags; a percentage is not a placeholder.
        assert!(keys("<한국일보>에 따르면 45% 올랐다").is_empty());
        assert!(keys("a < b and c > d").is_empty());
    }

    #[test]
    fn tag_mismatch_hits_and_misses() {
        let s = SegText::at("Delete {0} files from <b>%s</b>?", 1, 1);
        let ok = SegText::at("<b>%s</b>에서 파일 {0}개를 삭제할까요?", 1, 1);
        assert!(tag_mismatch(&s, &ok).is_empty());
        let bad = SegText::at("<b>%d</b>에서 파일 {1}개를 삭제할까요?", 1, 1);
        let h = tag_mismatch(&s, &bad);
        assert_eq!(
            rules(&h),
            vec!["missing {0}", "missing %s", "extra %d", "extra {1}"]
        );
    }
}
