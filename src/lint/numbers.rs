//! Numbers in text, as values, for `number-mismatch`.
//!
//! The rule compares **values**, not digit strings:
//!
//! * `1,000` = `1000` = `１０００` (full-width digits fold through [`crate::text::KeyedText`]);
//!   `3.50` = `3.5`; leading zeros do not count (`03` = `3`).
//! * Scale words and units: `5 million` = `500만` = `500万` = `5백만`; `1.5 billion` =
//!   `15억` = `15亿`; `10,000` = `1만`; `1.2 trillion` = `1조 2000억`. Korean and Chinese
//!   composites are read the usual way (`3억 5천만` = 350,000,000).
//! * Ranges: `1950-53`, `1950~53`, `1950–53`, `1950—53` give 1950 and 1953 (the second
//!   part may also be read as written: `2010-11` can be November 2010).
//! * Chinese numerals in a Chinese target (`三千五百万`, `二〇一九`, `第一`, `百分之四十五`) and
//!   Korean native numerals in a Korean target (`두 나라`, `세 번째`, `첫 회담`) count as numbers.
//! * Decades: `the '90s` / `1990s` match `90년대` and `1990年代`.
//!
//! The check goes one way: every number of the source must be in the target. A target
//! may have numbers the source writes as words (`March 5` → `3월 5일`, `two` → `2`),
//! so month words in English never raise a hit. A number that occurs twice in the source
//! needs to occur once in the target.

use crate::text::KeyedText;

/// A number found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The values it may stand for (more than one when the text is ambiguous).
    pub values: Vec<f64>,
    /// Start (chars, in the original text).
    pub start: usize,
    /// End (chars, in the original text).
    pub end: usize,
    /// A month written as a word (`September`): it needs a target number of its own,
    /// not one that already matched a day (`September 9` → `9月9日`, not `8月9日`).
    pub month: bool,
}

/// Which side of a segment a text is: Chinese and Korean numerals written in letters are
/// read in targets only (a source number must be written in digits to be checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The source text.
    Source,
    /// The target text.
    Target,
}

const RANGE_SEPS: &[char] = &['-', '–', '—', '~', '〜', '～'];

fn small_unit(c: char) -> Option<f64> {
    match c {
        '千' | '천' => Some(1e3),
        '百' | '백' => Some(1e2),
        '十' | '십' => Some(10.0),
        _ => None,
    }
}

fn big_unit(c: char) -> Option<f64> {
    match c {
        '万' | '萬' | '만' => Some(1e4),
        '亿' | '億' | '억' => Some(1e8),
        '兆' | '조' => Some(1e12),
        _ => None,
    }
}

fn han_digit(c: char) -> Option<f64> {
    Some(match c {
        '〇' | '零' => 0.0,
        '一' => 1.0,
        '二' | '两' | '兩' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

fn is_han_unit(c: char) -> bool {
    matches!(c, '十' | '百' | '千' | '万' | '萬' | '亿' | '億')
}

/// True when two values are the same number.
pub fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

struct Scanner {
    chars: Vec<char>,
    /// Original (start, end) of each char.
    map: Option<KeyedText>,
    /// Original chars (to tell real digits from superscripts).
    orig: Vec<char>,
}

impl Scanner {
    fn new(text: &str) -> Scanner {
        let orig: Vec<char> = text.chars().collect();
        let needs_fold = orig
            .iter()
            .any(|&c| (0xFF00..=0xFFEF).contains(&(c as u32)));
        if needs_fold {
            let k = KeyedText::new(text);
            Scanner {
                chars: k.chars.clone(),
                map: Some(k),
                orig,
            }
        } else {
            Scanner {
                chars: orig.clone(),
                map: None,
                orig,
            }
        }
    }

    fn span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.map {
            Some(k) => k.original_span(start, end),
            None => (start, end),
        }
    }

    fn is_digit(&self, i: usize) -> bool {
        let Some(&c) = self.chars.get(i) else {
            return false;
        };
        if !c.is_ascii_digit() {
            return false;
        }
        match &self.map {
            None => true,
            Some(_) => {
                let (s, _) = self.span(i, i + 1);
                self.orig
                    .get(s)
                    .map(|o| o.is_ascii_digit() || ('０'..='９').contains(o))
                    .unwrap_or(false)
            }
        }
    }

    /// Digits at `i`: (integer digits, value, end, plain integer without separators).
    fn digits(&self, i: usize) -> (String, f64, usize, bool) {
        let n = self.chars.len();
        // After "1." in "1.2.3" the parts are integers.
        let after_dot = i >= 2 && self.chars[i - 1] == '.' && self.is_digit(i - 2);
        let mut j = i;
        let mut int = String::new();
        while j < n && self.is_digit(j) {
            int.push(self.chars[j]);
            j += 1;
        }
        let mut plain = true;
        // Thousands groups: ",ddd" not followed by another digit.
        while j + 3 < n
            && self.chars[j] == ','
            && (1..=3).all(|d| self.is_digit(j + d))
            && !self.is_digit(j + 4)
        {
            int.extend(&self.chars[j + 1..j + 4]);
            j += 4;
            plain = false;
        }
        let mut text = int.clone();
        if !after_dot && j + 1 < n && self.chars[j] == '.' && self.is_digit(j + 1) {
            let mut k = j + 1;
            let mut frac = String::new();
            while k < n && self.is_digit(k) {
                frac.push(self.chars[k]);
                k += 1;
            }
            // "1.2.3" is a version or a list, not a decimal.
            let version = k + 1 < n && self.chars[k] == '.' && self.is_digit(k + 1);
            if !version {
                text.push('.');
                text.push_str(&frac);
                j = k;
                plain = false;
            }
        }
        let value = text.parse::<f64>().unwrap_or(0.0);
        (int, value, j, plain)
    }

    fn english_scale(&self, end: usize) -> Option<(f64, usize)> {
        let n = self.chars.len();
        let mut k = end;
        if k < n && (self.chars[k] == ' ' || self.chars[k] == '-') {
            k += 1;
        }
        let start = k;
        while k < n && self.chars[k].is_ascii_alphabetic() {
            k += 1;
        }
        if k == start {
            return None;
        }
        let word: String = self.chars[start..k]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        let m = match word.as_str() {
            "hundred" => 1e2,
            "thousand" => 1e3,
            "million" | "mn" => 1e6,
            "billion" | "bn" => 1e9,
            "trillion" | "tn" => 1e12,
            _ => return None,
        };
        Some((m, k))
    }

    /// Korean/Chinese units after digits (`3억 5천만`): the value and the end.
    /// `ambiguous` is set when a unit may be something else (조 is also "article").
    fn cjk_units(&self, first: f64, end: usize, start: usize) -> (f64, usize, bool) {
        let n = self.chars.len();
        let mut total = 0.0;
        let mut section = 0.0;
        let mut cur = first;
        let mut k = end;
        // "38 万", "1100 万": a space may stand between the digits and a big unit.
        if k + 1 < n
            && self.chars[k] == ' '
            && big_unit(self.chars[k + 1]).is_some()
            && self.chars[k + 1] != '조'
        {
            k += 1;
        }
        let mut ambiguous = false;
        let article = start > 0 && self.chars[start - 1] == '제';
        while let Some(&c) = self.chars.get(k) {
            if let Some(u) = small_unit(c) {
                if c == '십' || c == '十' {
                    break;
                }
                section += if cur == 0.0 { 1.0 } else { cur } * u;
                cur = 0.0;
                k += 1;
                if self.is_digit(k) {
                    let (_, v, e, _) = self.digits(k);
                    cur = v;
                    k = e;
                    continue;
                }
                // 5천만: a big unit may follow a small one.
                if self.chars.get(k).and_then(|&c| big_unit(c)).is_some() {
                    continue;
                }
                break;
            } else if let Some(u) = big_unit(c) {
                if c == '조' {
                    if article {
                        break;
                    }
                    ambiguous = true;
                }
                total += (section + cur) * u;
                section = 0.0;
                cur = 0.0;
                k += 1;
                let mut m = k;
                if m < n && self.chars[m] == ' ' {
                    m += 1;
                }
                if self.is_digit(m) {
                    let (_, v, e, _) = self.digits(m);
                    let next_unit = self
                        .chars
                        .get(e)
                        .map(|&c| {
                            small_unit(c).is_some() || big_unit(c).map(|b| b < u).unwrap_or(false)
                        })
                        .unwrap_or(false);
                    if next_unit {
                        cur = v;
                        k = e;
                        continue;
                    }
                }
                break;
            } else {
                break;
            }
        }
        (total + section + cur, k, ambiguous)
    }
}

/// The numbers of `text`. `family` is the language family of the text (`en`, `ko`, `zh`).
pub fn extract(text: &str, family: &str, side: Side) -> Vec<Number> {
    let has_digit = text
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    let han = side == Side::Target
        && family == "zh"
        && text.chars().any(|c| han_digit(c).is_some() || c == '十');
    let native = side == Side::Target && family == "ko";
    let mut out = Vec::new();
    if has_digit || han {
        let sc = Scanner::new(text);
        scan_digits(&sc, &mut out);
        if han {
            scan_han(&sc, &mut out);
        }
    }
    if native {
        scan_korean_native(text, &mut out);
    }
    if side == Side::Source && family == "en" {
        scan_months(text, &mut out);
        out.sort_by_key(|n| n.start);
    }
    out
}

const MONTHS: [(&str, f64); 24] = [
    ("January", 1.0),
    ("February", 2.0),
    ("March", 3.0),
    ("April", 4.0),
    ("May", 5.0),
    ("June", 6.0),
    ("July", 7.0),
    ("August", 8.0),
    ("September", 9.0),
    ("October", 10.0),
    ("November", 11.0),
    ("December", 12.0),
    ("Jan", 1.0),
    ("Feb", 2.0),
    ("Mar", 3.0),
    ("Apr", 4.0),
    ("Jun", 6.0),
    ("Jul", 7.0),
    ("Aug", 8.0),
    ("Sep", 9.0),
    ("Sept", 9.0),
    ("Oct", 10.0),
    ("Nov", 11.0),
    ("Dec", 12.0),
];

/// English month names in a source are numbers too (`March 14, 2026` needs 3 in the
/// target: 3월, 3月, 三月). Only capitalized names count, and only in a date: next to a
/// number (`March 14`, `14 March`, `March 2026`) or after a preposition (`in March`,
/// `since September`), so the verb "may", "May I..." and "March on" are not months.
fn scan_months(text: &str, out: &mut Vec<Number>) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if !chars[i].is_ascii_uppercase() || (i > 0 && chars[i - 1].is_alphabetic()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        let word: String = chars[i..j].iter().collect();
        let Some(&(_, month)) = MONTHS.iter().find(|(m, _)| *m == word) else {
            i = j;
            continue;
        };
        // Abbreviations need their dot or a number next to them.
        let abbreviated = word.len() <= 4 && word != "May" && word != "June" && word != "July";
        let mut k = j;
        if k < n && chars[k] == '.' {
            k += 1;
        }
        while k < n && chars[k] == ' ' {
            k += 1;
        }
        let number_after = k < n && chars[k].is_ascii_digit();
        let mut b = i;
        while b > 0 && chars[b - 1] == ' ' {
            b -= 1;
        }
        let number_before = b < i && b > 0 && chars[b - 1].is_ascii_digit();
        let prev_word: String = {
            let mut a = b;
            while a > 0 && chars[a - 1].is_ascii_alphabetic() {
                a -= 1;
            }
            chars[a..b].iter().collect::<String>().to_ascii_lowercase()
        };
        let preposition = matches!(
            prev_word.as_str(),
            "in" | "on"
                | "since"
                | "until"
                | "till"
                | "by"
                | "from"
                | "through"
                | "to"
                | "last"
                | "next"
                | "early"
                | "late"
                | "mid"
                | "of"
                | "this"
                | "during"
                | "between"
                | "before"
                | "after"
                | "and"
                | "or"
        );
        let date = number_after || number_before || (preposition && !abbreviated);
        if date && (word != "May" || number_after || number_before) {
            out.push(Number {
                values: vec![month],
                start: i,
                end: j,
                month: true,
            });
        }
        i = j;
    }
}

fn scan_digits(sc: &Scanner, out: &mut Vec<Number>) {
    let n = sc.chars.len();
    let mut i = 0;
    // The last plain integer: (digits, end) for range expansion.
    let mut last: Option<(String, usize)> = None;
    while i < n {
        if !sc.is_digit(i) || (i > 0 && sc.is_digit(i - 1)) {
            i += 1;
            continue;
        }
        let (int, value, end, plain) = sc.digits(i);
        let mut values = vec![value];
        let mut stop = end;
        // Range: 1950-53 -> 1953 (and 53 as written).
        if let Some((prev, prev_end)) = &last {
            if i > 0 && *prev_end == i - 1 && RANGE_SEPS.contains(&sc.chars[i - 1]) && plain {
                let b = int.trim_start_matches('0');
                if int.len() < prev.len() && !b.is_empty() {
                    let expanded = format!("{}{}", &prev[..prev.len() - int.len()], int);
                    if let Ok(e) = expanded.parse::<f64>() {
                        if e > prev.parse::<f64>().unwrap_or(f64::MAX) {
                            values.push(e);
                        }
                    }
                }
            }
        }
        // British times: 7.55am, 4.40 -> the hour (the target writes 7:55, 7시 55분).
        if !plain && int.len() <= 2 && value < 24.0 {
            let frac: String = sc.chars[i + int.len()..end].iter().collect();
            let mut k = end;
            while k < sc.chars.len() && sc.chars[k] == ' ' {
                k += 1;
            }
            let after: String = sc.chars[k..(k + 4).min(sc.chars.len())]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            let before: String = sc.chars[i.saturating_sub(3)..i]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            let clock = ["am", "pm", "a.m", "p.m", "gmt", "bst", "h "]
                .iter()
                .any(|w| after.starts_with(w))
                || before.ends_with("at ");
            if clock
                && frac.len() == 3
                && frac.starts_with('.')
                && frac[1..].parse::<u32>().map(|m| m < 60).unwrap_or(false)
            {
                values.push(value.trunc());
            }
        }
        // Decades: '90s, 90s.
        if plain
            && int.len() == 2
            && value % 10.0 == 0.0
            && sc.chars.get(end) == Some(&'s')
            && !sc
                .chars
                .get(end + 1)
                .map(|c| c.is_alphabetic())
                .unwrap_or(false)
        {
            values.push(1900.0 + value);
            values.push(2000.0 + value);
        }
        let currency = i > 0 && matches!(sc.chars[i - 1], '$' | '£' | '€' | '¥');
        let abbreviated = if currency {
            match (sc.chars.get(end), sc.chars.get(end + 1)) {
                (Some('m'), next) if !next.map(|c| c.is_alphabetic()).unwrap_or(false) => Some(1e6),
                (Some('k'), next) if !next.map(|c| c.is_alphabetic()).unwrap_or(false) => Some(1e3),
                _ => None,
            }
        } else {
            None
        };
        if let Some((m, e)) = sc.english_scale(end) {
            values = vec![value * m];
            stop = e;
        } else if let Some(m) = abbreviated {
            values = vec![value * m];
            stop = end + 1;
        } else {
            let (v, e, ambiguous) = sc.cjk_units(value, end, i);
            if e > end {
                values = if ambiguous { vec![v, value] } else { vec![v] };
                stop = e;
            }
        }
        let (s, e) = sc.span(i, stop);
        out.push(Number {
            values,
            start: s,
            end: e,
            month: false,
        });
        last = if plain && stop == end {
            Some((int, end))
        } else {
            None
        };
        i = stop.max(i + 1);
    }
}

fn scan_han(sc: &Scanner, out: &mut Vec<Number>) {
    let n = sc.chars.len();
    let is_num = |c: char| han_digit(c).is_some() || is_han_unit(c);
    let mut i = 0;
    while i < n {
        if !is_num(sc.chars[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && is_num(sc.chars[j]) {
            j += 1;
        }
        let run = &sc.chars[i..j];
        let start = i;
        i = j;
        // Digits written before (5千万) were read by the digit scanner.
        if start > 0 && sc.is_digit(start - 1) {
            continue;
        }
        if han_digit(run[0]).is_none() && run != ['十'] && run[0] != '十' {
            continue; // 千万 (by all means), 万一 (in case)
        }
        if run == ['一'] {
            let prev = start.checked_sub(1).map(|p| sc.chars[p]);
            let next = sc.chars.get(j).copied();
            let counted = prev == Some('第')
                || next
                    .map(|c| "条次年月日号届个位名项份周岁级场轮天家只种架艘枚颗座起批".contains(c))
                    .unwrap_or(false);
            if !counted {
                continue;
            }
        }
        let has_units = run.iter().any(|&c| is_han_unit(c));
        let value = if !has_units && run.len() >= 2 {
            run.iter()
                .fold(0.0, |acc, &c| acc * 10.0 + han_digit(c).unwrap_or(0.0))
        } else {
            let (mut total, mut section, mut cur) = (0.0, 0.0, 0.0);
            for &c in run {
                if let Some(d) = han_digit(c) {
                    cur = d;
                } else if let Some(u) = big_unit(c) {
                    total += (section + cur) * u;
                    section = 0.0;
                    cur = 0.0;
                } else if let Some(u) = small_unit(c) {
                    section += if cur == 0.0 { 1.0 } else { cur } * u;
                    cur = 0.0;
                }
            }
            total + section + cur
        };
        let (s, e) = sc.span(start, j);
        out.push(Number {
            values: vec![value],
            start: s,
            end: e,
            month: false,
        });
    }
}

fn scan_korean_native(text: &str, out: &mut Vec<Number>) {
    const EXACT: [(&str, f64); 6] = [
        ("한", 1.0),
        ("두", 2.0),
        ("세", 3.0),
        ("네", 4.0),
        ("열", 10.0),
        ("스무", 20.0),
    ];
    const PREFIX: [(&str, f64); 11] = [
        ("하나", 1.0),
        ("첫", 1.0),
        ("둘", 2.0),
        ("셋", 3.0),
        ("넷", 4.0),
        ("다섯", 5.0),
        ("여섯", 6.0),
        ("일곱", 7.0),
        ("여덟", 8.0),
        ("아홉", 9.0),
        ("스물", 20.0),
    ];
    let hangul = |c: char| ('가'..='힣').contains(&c);
    let check = |ws: usize, wb: usize, we: usize, end_char: usize, out: &mut Vec<Number>| {
        let word = &text[wb..we];
        let v = EXACT
            .iter()
            .find(|(w, _)| *w == word)
            .or_else(|| PREFIX.iter().find(|(p, _)| word.starts_with(p)))
            .map(|(_, v)| *v);
        if let Some(v) = v {
            out.push(Number {
                values: vec![v],
                start: ws,
                end: end_char,
                month: false,
            });
        }
    };
    let mut chars = 0usize;
    // (char index, byte index) of the current Hangul word.
    let mut word_start: Option<(usize, usize)> = None;
    for (b, c) in text.char_indices() {
        if hangul(c) {
            if word_start.is_none() {
                word_start = Some((chars, b));
            }
        } else if let Some((ws, wb)) = word_start.take() {
            check(ws, wb, b, chars, out);
        }
        chars += 1;
    }
    if let Some((ws, wb)) = word_start {
        check(ws, wb, text.len(), chars, out);
    }
}

/// The numbers of the source that the target lacks (one per distinct value, in source
/// order). Numbers written in digits may share a target number (a number twice in the
/// source needs to be in the target once); a month word needs a target number that no
/// digit number of the source used.
pub fn missing(source: &[Number], target: &[Number]) -> Vec<usize> {
    let same = |a: &Number, b: &Number| {
        a.values
            .iter()
            .any(|&v| b.values.iter().any(|&w| same_value(v, w)))
    };
    let mut used = vec![false; target.len()];
    let mut out: Vec<usize> = Vec::new();
    let order = (0..source.len())
        .filter(|&i| !source[i].month)
        .chain((0..source.len()).filter(|&i| source[i].month));
    for i in order {
        let s = &source[i];
        let hit = if s.month {
            (0..target.len()).find(|&j| !used[j] && same(s, &target[j]))
        } else {
            (0..target.len())
                .filter(|&j| same(s, &target[j]))
                .min_by_key(|&j| used[j])
        };
        match hit {
            Some(j) => used[j] = true,
            None => {
                if !out.iter().any(|&j| same(&source[j], s)) {
                    out.push(i);
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// [`missing`] with what the texts say around their numbers: a target's Chinese weekday
/// (`周四`, `星期五`, `礼拜一`) names a day, not a number, and a numeral a target writes in
/// letters (`두`, `하나`, `三`) renders the English number word of the source (`two`,
/// `one`, `three`) before it may stand for a number the source writes in digits: `0 or
/// 1` → `0 또는 2` beside `one of two values` → `두 개의 값 중 하나` lacks the 1.
pub fn missing_in(
    source_text: &str,
    source: &[Number],
    target_text: &str,
    target: &[Number],
) -> Vec<usize> {
    let mut t: Vec<&Number> = target
        .iter()
        .filter(|n| !is_weekday(target_text, n))
        .collect();
    for v in spelled_small(source_text) {
        if let Some(k) = t
            .iter()
            .position(|n| in_letters(target_text, n) && n.values.iter().any(|&w| same_value(w, v)))
        {
            t.remove(k);
        }
    }
    let t: Vec<Number> = t.into_iter().cloned().collect();
    missing(source, &t)
}

const SMALL_WORDS: [(&str, f64); 12] = [
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
];

/// The English number words `one` to `twelve` of a text (any case), as values, in order.
pub fn spelled_small(text: &str) -> Vec<f64> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter_map(|w| {
            let w = w.to_ascii_lowercase();
            SMALL_WORDS.iter().find(|(n, _)| *n == w).map(|&(_, v)| v)
        })
        .collect()
}

fn span_chars(text: &str, n: &Number) -> Vec<char> {
    text.chars().skip(n.start).take(n.end - n.start).collect()
}

/// True when the number is written without a digit (`두`, `两`, `三十`).
pub fn in_letters(text: &str, n: &Number) -> bool {
    !span_chars(text, n)
        .iter()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
}

/// True when the number is the day of a Chinese weekday: `周四`, `星期五`, `礼拜一`.
pub fn is_weekday(text: &str, n: &Number) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let written = span_chars(text, n);
    if written.len() != 1 || !"一二三四五六".contains(written[0]) {
        return false;
    }
    let before: String = chars[n.start.saturating_sub(2)..n.start].iter().collect();
    before.ends_with('周') || before.ends_with("星期") || before.ends_with("礼拜")
}

/// A month named in a text: its number, where it is, and the day written with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthMention {
    /// The month (1–12).
    pub month: u32,
    /// The day of the month written with it, when there is one.
    pub day: Option<u32>,
    /// Start of the month (chars).
    pub start: usize,
    /// End of the month (chars).
    pub end: usize,
    /// Start and end of the day, when there is one.
    pub day_span: Option<(usize, usize)>,
}

/// The full English month names of a source, capitalized, wherever they stand (`the June
/// summit`, `mid-October`, `November is coming`), with the day written next to them
/// (`October 1`, `1 October`). `May` counts only where [`extract`] reads it as a month
/// (with a number or after a preposition: the verb, Theresa May).
pub fn source_months(text: &str) -> Vec<MonthMention> {
    let chars: Vec<char> = text.chars().collect();
    let nums = extract(text, "en", Side::Source);
    let is_day = |n: &Number| {
        !n.month
            && n.end - n.start <= 2
            && n.values
                .first()
                .is_some_and(|v| v.fract() == 0.0 && (1.0..=31.0).contains(v))
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_uppercase() || (i > 0 && chars[i - 1].is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        let word: String = chars[i..j].iter().collect();
        let month = MONTHS[..12].iter().position(|(m, _)| *m == word);
        let is_month = match month {
            Some(4) => nums.iter().any(|n| n.month && n.start == i),
            Some(_) => true,
            None => false,
        };
        if let (Some(m), true) = (month, is_month) {
            let gap =
                |a: usize, b: usize| a <= b && b - a <= 1 && chars[a..b].iter().all(|c| *c == ' ');
            let day = nums
                .iter()
                .find(|n| is_day(n) && (gap(j, n.start) || gap(n.end, i)));
            out.push(MonthMention {
                month: m as u32 + 1,
                day: day.and_then(|n| n.values.first()).map(|v| *v as u32),
                start: i,
                end: j,
                day_span: day.map(|n| (n.start, n.end)),
            });
        }
        i = j;
    }
    out
}

fn cjk_small(s: &[char]) -> Option<u32> {
    let d = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|x| x == c)
            .map(|v| v as u32)
    };
    match s {
        [a] => d(*a).filter(|v| *v > 0).or((*a == '十').then_some(10)),
        ['十', b] => d(*b).map(|v| 10 + v),
        [a, '十'] => d(*a).filter(|v| *v > 1).map(|v| v * 10),
        [a, '十', b] => Some(d(*a)? * 10 + d(*b)?),
        _ => None,
    }
}

/// The months a Korean or Chinese target writes: `7월`, `10 月`, `九月`, with the day
/// after them (`10 月 2 日`, `3월 5일`). Not `6개월` / `六个月` (a duration), nor `월요일`.
pub fn target_months(text: &str, family: &str) -> Vec<MonthMention> {
    let (mo, d) = match family {
        "ko" => ('월', '일'),
        "zh" | "ja" => ('月', '日'),
        _ => return Vec::new(),
    };
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let cjk = |c: char| family != "ko" && "〇一二三四五六七八九十".contains(c);
    let value = |s: &[char]| -> Option<u32> {
        if s.iter().all(|c| digit(*c)) {
            s.iter().try_fold(0u32, |acc, &c| {
                let v = if c.is_ascii_digit() {
                    c as u32 - '0' as u32
                } else {
                    c as u32 - '０' as u32
                };
                acc.checked_mul(10)?.checked_add(v)
            })
        } else {
            cjk_small(s)
        }
    };
    // A number at `i` (digits, or Chinese numerals in Chinese), then maybe a space, then
    // `unit`: (value, start, end of the number, end after the unit).
    let field = |i: usize, unit: char| -> Option<(u32, usize, usize, usize)> {
        let mut j = i;
        let kind_digit = chars.get(i).is_some_and(|c| digit(*c));
        while j < chars.len()
            && if kind_digit {
                digit(chars[j])
            } else {
                cjk(chars[j])
            }
        {
            j += 1;
        }
        if j == i || j - i > 3 {
            return None;
        }
        let mut k = j;
        if chars.get(k) == Some(&' ') {
            k += 1;
        }
        if chars.get(k) != Some(&unit) {
            return None;
        }
        Some((value(&chars[i..j])?, i, j, k + 1))
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = (digit(chars[i]) || cjk(chars[i]))
            && !(i > 0 && (digit(chars[i - 1]) || cjk(chars[i - 1])));
        if !starts {
            i += 1;
            continue;
        }
        let Some((m, s, e, after)) = field(i, mo).filter(|f| (1..=12).contains(&f.0)) else {
            i += 1;
            continue;
        };
        // 월요일 is Monday.
        if family == "ko" && chars.get(after) == Some(&'요') {
            i = after;
            continue;
        }
        let mut next = after;
        if chars.get(next) == Some(&' ') {
            next += 1;
        }
        let day = field(next, d).filter(|f| (1..=31).contains(&f.0));
        out.push(MonthMention {
            month: m,
            day: day.map(|f| f.0),
            start: s,
            end: e,
            day_span: day.map(|f| (f.1, f.2)),
        });
        i = day.map(|f| f.3).unwrap_or(after);
    }
    out
}

/// What a date-aware comparison finds wrong with the months of a source in a target that
/// writes months: a month of the source none of the target's months has (`the June
/// summit` → `7월 정상회담`), or a day the target writes differently for the same month
/// (`October 1` → `10 月 2 日`). Only when the target writes a month at all (a
/// translation may say *last summer* for *in June*).
pub fn month_mismatches(source: &str, target: &str, family: &str) -> Vec<(MonthMention, bool)> {
    let tm = target_months(target, family);
    if tm.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for sm in source_months(source) {
        let same: Vec<&MonthMention> = tm.iter().filter(|m| m.month == sm.month).collect();
        if same.is_empty() {
            out.push((sm, false));
        } else if let Some(d) = sm.day {
            if same.iter().any(|m| m.day.is_some()) && !same.iter().any(|m| m.day == Some(d)) {
                out.push((sm, true));
            }
        }
    }
    out
}

/// A value written for people: `1000000`, `1.5`.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e18 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A calendar date found in a text, built on the numbers of [`extract`] (the one place
/// concord reads dates: lint compares their numbers, pretranslation rewrites them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    /// Start (chars, in the original text).
    pub start: usize,
    /// End (chars, in the original text).
    pub end: usize,
    /// The year, when written.
    pub year: Option<i32>,
    /// The month (1–12).
    pub month: u32,
    /// The day of the month, when written.
    pub day: Option<u32>,
}

impl DateSpan {
    /// True when both dates write the same fields (year, day) and those fields agree.
    pub fn same_date(&self, other: &DateSpan) -> bool {
        self.year == other.year && self.month == other.month && self.day == other.day
    }
}

fn int_value(n: &Number) -> Option<i64> {
    let v = *n.values.first()?;
    (v.fract() == 0.0 && (0.0..1e6).contains(&v)).then_some(v as i64)
}

/// The dates of `text` in language family `family`: English `19 March 2026`,
/// `March 19, 2026`, `19 March`, `March 2026`; Korean `2026년 3월 19일`; Chinese
/// `2026年3月19日` (full-width digits fold as in [`extract`]).
pub fn dates(text: &str, family: &str) -> Vec<DateSpan> {
    let chars: Vec<char> = text.chars().collect();
    let gap = |a: usize, b: usize, allowed: &[char]| -> bool {
        a <= b && b - a <= 2 && chars[a..b].iter().all(|c| allowed.contains(c))
    };
    let mut out = Vec::new();
    if family == "en" {
        let nums = extract(text, "en", Side::Source);
        let mut used = vec![false; nums.len()];
        for m in 0..nums.len() {
            if !nums[m].month || used[m] {
                continue;
            }
            let month = int_value(&nums[m]).unwrap_or(0) as u32;
            let (mut start, mut end) = (nums[m].start, nums[m].end);
            let mut day = None;
            let mut year = None;
            let is_day = |n: &Number| {
                !n.month
                    && int_value(n).is_some_and(|v| (1..=31).contains(&v))
                    && n.end - n.start <= 2
            };
            let is_year = |n: &Number| {
                !n.month
                    && int_value(n).is_some_and(|v| (1000..=2999).contains(&v))
                    && n.end - n.start == 4
            };
            // 19 March ...
            if m > 0 && !used[m - 1] && is_day(&nums[m - 1]) && gap(nums[m - 1].end, start, &[' '])
            {
                day = int_value(&nums[m - 1]).map(|v| v as u32);
                start = nums[m - 1].start;
                used[m - 1] = true;
            }
            let mut k = m + 1;
            // March 19 ...
            if day.is_none()
                && k < nums.len()
                && is_day(&nums[k])
                && gap(end, nums[k].start, &[' '])
            {
                day = int_value(&nums[k]).map(|v| v as u32);
                end = nums[k].end;
                used[k] = true;
                k += 1;
            }
            // ... 2026
            if k < nums.len() && is_year(&nums[k]) && gap(end, nums[k].start, &[' ', ',']) {
                year = int_value(&nums[k]).map(|v| v as i32);
                end = nums[k].end;
                used[k] = true;
            }
            if day.is_some() || year.is_some() {
                used[m] = true;
                out.push(DateSpan {
                    start,
                    end,
                    year,
                    month,
                    day,
                });
            }
        }
        return out;
    }
    let (y, mo, d) = match family {
        "ko" => ('년', '월', '일'),
        "zh" | "ja" => ('年', '月', '日'),
        _ => return out,
    };
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let value = |s: usize, e: usize| -> i64 {
        chars[s..e].iter().fold(0i64, |acc, &c| {
            let v = if c.is_ascii_digit() {
                c as i64 - '0' as i64
            } else {
                c as i64 - '０' as i64
            };
            acc.saturating_mul(10).saturating_add(v)
        })
    };
    // A run of digits followed by `unit` (spaces allowed before the unit in neither
    // language; one space after it in Korean).
    let field = |i: usize, unit: char| -> Option<(i64, usize)> {
        let mut j = i;
        while j < chars.len() && digit(chars[j]) {
            j += 1;
        }
        if j == i || j - i > 4 || chars.get(j) != Some(&unit) {
            return None;
        }
        Some((value(i, j), j + 1))
    };
    let skip_space = |i: usize| if chars.get(i) == Some(&' ') { i + 1 } else { i };
    let mut i = 0;
    while i < chars.len() {
        if !digit(chars[i]) || (i > 0 && digit(chars[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut year = None;
        let mut at = i;
        if let Some((v, e)) = field(at, y) {
            if (1000..=2999).contains(&v) {
                year = Some(v as i32);
                at = skip_space(e);
            }
        }
        let Some((m, e)) = field(at, mo).filter(|(m, _)| (1..=12).contains(m)) else {
            i += 1;
            continue;
        };
        let mut end = e;
        let mut day = None;
        let at2 = skip_space(e);
        if let Some((dv, e2)) = field(at2, d).filter(|(v, _)| (1..=31).contains(v)) {
            day = Some(dv as u32);
            end = e2;
        }
        if year.is_some() || day.is_some() {
            out.push(DateSpan {
                start,
                end,
                year,
                month: m as u32,
                day,
            });
        }
        i = end;
    }
    out
}

/// A date written the way language family `family` writes it: `2026년 3월 19일`,
/// `2026年3月19日`, `19 March 2026` (the fields the date has).
pub fn write_date(d: &DateSpan, family: &str) -> String {
    // The first twelve of MONTHS are the full names, in order.
    let month = MONTHS[(d.month.clamp(1, 12) - 1) as usize].0;
    match family {
        "ko" => {
            let mut parts = Vec::new();
            if let Some(y) = d.year {
                parts.push(format!("{y}년"));
            }
            parts.push(format!("{}월", d.month));
            if let Some(day) = d.day {
                parts.push(format!("{day}일"));
            }
            parts.join(" ")
        }
        "zh" | "ja" => {
            let mut s = String::new();
            if let Some(y) = d.year {
                s.push_str(&format!("{y}年"));
            }
            s.push_str(&format!("{}月", d.month));
            if let Some(day) = d.day {
                s.push_str(&format!("{day}日"));
            }
            s
        }
        _ => match (d.day, d.year) {
            (Some(day), Some(y)) => format!("{day} {month} {y}"),
            (Some(day), None) => format!("{day} {month}"),
            (None, Some(y)) => format!("{month} {y}"),
            (None, None) => month.to_string(),
        },
    }
}

/// Write `value` the way `like` (a number as the target wrote it) writes numbers:
/// thousands separators when `like` has them (or, when `like` has too few digits to
/// tell, when the family groups them: Korean and English do, Chinese from five
/// digits), the decimals of the value. `None` when `like` is not written in plain digits
/// (`500만`, `三十`: rewriting those is not attempted).
pub fn write_like(value: f64, like: &str, family: &str) -> Option<String> {
    let plain = like
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.');
    if !plain || !like.chars().any(|c| c.is_ascii_digit()) || !value.is_finite() || value < 0.0 {
        return None;
    }
    let text = format_value(value);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let like_int = like.split('.').next().unwrap_or("");
    let group = if like_int.contains(',') {
        true
    } else if like_int.len() >= 4 {
        false
    } else {
        match family {
            "zh" => int.len() >= 5,
            _ => true,
        }
    };
    let mut out = String::new();
    for (k, c) in int.chars().enumerate() {
        if group && k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(text: &str, family: &str, side: Side) -> Vec<Vec<f64>> {
        extract(text, family, side)
            .into_iter()
            .map(|n| n.values)
            .collect()
    }

    fn src(text: &str) -> Vec<Vec<f64>> {
        vals(text, "en", Side::Source)
    }

    fn ok(source: &str, target: &str, family: &str) -> bool {
        let s = extract(source, "en", Side::Source);
        let t = extract(target, family, Side::Target);
        missing(&s, &t).is_empty()
    }

    #[test]
    fn separators_and_widths() {
        assert_eq!(src("1,000 and 1000"), vec![vec![1000.0], vec![1000.0]]);
        assert_eq!(vals("１０００", "zh", Side::Target), vec![vec![1000.0]]);
        assert_eq!(src("3.50"), vec![vec![3.5]]);
        assert_eq!(src("1,5"), vec![vec![1.0], vec![5.0]]);
        assert_eq!(src("version 1.2.3"), vec![vec![1.0], vec![2.0], vec![3.0]]);
        // Superscripts are not numbers.
        assert!(src("50 km²").len() == 1);
        assert!(ok("It cost $1,000.", "비용은 1000달러였다.", "ko"));
        assert!(ok("It cost $1,000.", "费用为１０００美元。", "zh"));
    }

    #[test]
    fn spans_are_in_the_original() {
        let n = extract("約１，０００人", "zh", Side::Target);
        assert_eq!((n[0].start, n[0].end), (1, 6));
        let n = extract("about 5 million people", "en", Side::Source);
        assert_eq!((n[0].start, n[0].end), (6, 15));
    }

    #[test]
    fn ranges() {
        assert_eq!(src("1950-53"), vec![vec![1950.0], vec![53.0, 1953.0]]);
        assert!(ok("the war of 1950-53", "1950~1953년 전쟁", "ko"));
        assert!(ok("the war of 1950~53", "1950—53年的战争", "zh"));
        assert!(ok(
            "the war of 1950—53",
            "1950년부터 1953년까지의 전쟁",
            "ko"
        ));
        assert!(!ok("the war of 1950-53", "1950~1954년 전쟁", "ko"));
        // An ISO date is not a range.
        assert_eq!(src("2019-03-05"), vec![vec![2019.0], vec![3.0], vec![5.0]]);
        assert!(ok("on 2019-03-05", "2019년 3월 5일에", "ko"));
    }

    #[test]
    fn month_words_give_no_false_hit() {
        assert!(ok(
            "On March 5, 2019, the talks began.",
            "2019년 3월 5일 회담이 시작됐다.",
            "ko"
        ));
        assert!(ok(
            "On 5 March 2019 the talks began.",
            "2019年3月5日，会谈开始。",
            "zh"
        ));
        assert!(ok("in September", "9월에", "ko"));
        assert!(!ok("On March 5, 2019", "2018년 3월 5일", "ko"));
        // A month word is a number that must be carried over.
        assert!(!ok("on September 9", "8月9日", "zh"));
        assert!(ok("on September 9", "九月9日", "zh"));
        assert!(ok("since September", "9월부터", "ko"));
        // The verb, a sentence-initial May, a name are not months.
        assert!(ok("They may meet. May I ask?", "만날 수도 있다.", "ko"));
        assert!(ok("March on, said August Landmesser.", "행진하라.", "ko"));
        assert!(!ok("in May 2025", "2025년", "ko"));
    }

    fn ok_in(source: &str, target: &str, family: &str) -> bool {
        let s = extract(source, "en", Side::Source);
        let t = extract(target, family, Side::Target);
        missing_in(source, &s, target, &t).is_empty()
            && month_mismatches(source, target, family).is_empty()
    }

    #[test]
    fn numerals_in_letters_render_the_number_words_first() {
        // 하나 renders "one", so the digit 1 needs a number of its own.
        assert!(!ok_in(
            "one of two values, i.e. 0 or 1",
            "두 개의 값(즉, 0 또는 2) 중 하나",
            "ko"
        ));
        assert!(ok_in(
            "one of two values, i.e. 0 or 1",
            "두 개의 값(즉, 0 또는 1) 중 하나",
            "ko"
        ));
        assert!(!ok_in(
            "At 2pm two police vans",
            "오후 3시에 두 대의 경찰차",
            "ko"
        ));
        // Without the word, the numeral may still stand for the digit.
        assert!(ok_in("the 2 leaders met", "두 정상이 만났다", "ko"));
        assert!(ok_in("the 2 leaders met", "两位领导人会面", "zh"));
    }

    #[test]
    fn chinese_weekdays_are_no_numbers() {
        assert!(!ok_in("a 5-2 win on Friday", "周五以 6:2 获胜", "zh"));
        assert!(ok_in("a 5-2 win on Friday", "周五以 5:2 获胜", "zh"));
        assert!(!ok_in("at 4 am Thursday", "星期四早晨 5 点", "zh"));
        assert!(ok_in("4 countries", "四国", "zh"));
    }

    #[test]
    fn months_and_days_against_the_months_of_the_target() {
        assert!(!ok_in("after the June summit", "7월 정상회담 이후", "ko"));
        assert!(ok_in("after the June summit", "6월 정상회담 이후", "ko"));
        assert!(!ok_in("by mid-September", "到10月中旬", "zh"));
        assert!(ok_in("by mid-September", "到九月中旬", "zh"));
        assert!(!ok_in("November is coming!", "12월이 온다!", "ko"));
        // A target without a month says nothing (a rephrased date).
        assert!(ok_in(
            "after the June summit",
            "지난 여름 정상회담 이후",
            "ko"
        ));
        // Durations and Monday are no months.
        assert!(ok_in("in June", "6개월 동안 6월에", "ko"));
        assert!(ok_in("in June", "6월 3일 월요일", "ko"));
        // The day, as a date: 一年 ("a year") does not stand for the 1 of October 1.
        assert!(!ok_in(
            "a year after the October 1 referendum",
            "一年前的 10 月 2 日全民公投",
            "zh"
        ));
        assert!(ok_in(
            "a year after the October 1 referendum",
            "一年前的 10 月 1 日全民公投",
            "zh"
        ));
        // May: the month with a number or a preposition, not the name or the verb.
        assert!(ok_in(
            "Theresa May said so in June.",
            "5월이 아니라 6월에 메이가 말했다.",
            "ko"
        ));
        assert!(!ok_in("on May 5", "6월 5일", "ko"));
        // Without a number, May is no month (Theresa May, the verb): not checked.
        assert!(ok_in("in May last year", "지난해 6월", "ko"));
        let m = target_months("一月和十二月, 3月5日, 10 月 2 日", "zh");
        let got: Vec<(u32, Option<u32>)> = m.iter().map(|m| (m.month, m.day)).collect();
        assert_eq!(got, [(1, None), (12, None), (3, Some(5)), (10, Some(2))]);
    }

    #[test]
    fn scale_words_and_units() {
        assert!(ok("10,000 people", "1만 명", "ko"));
        assert!(ok("10,000 people", "1万人", "zh"));
        assert!(ok("5 million people", "500만 명", "ko"));
        assert!(ok("5 million people", "500万人", "zh"));
        assert!(ok("5 million people", "5백만 명", "ko"));
        assert!(ok("1.5 billion dollars", "15억 달러", "ko"));
        assert!(ok("1.5 billion dollars", "15亿美元", "zh"));
        assert!(ok("$1.2 trillion", "1조 2000억 달러", "ko"));
        assert!(ok("350 million", "3억 5천만", "ko"));
        assert!(ok("350 million", "三亿五千万", "zh"));
        assert!(ok("35 million", "三千五百万", "zh"));
        assert!(!ok("1.5 billion dollars", "15만 달러", "ko"));
        assert!(!ok("5 million people", "50万人", "zh"));
        // Article 3 is not three trillion.
        assert_eq!(vals("제3조", "ko", Side::Target), vec![vec![3.0]]);
        assert!(ok("Article 3", "제3조", "ko"));
    }

    #[test]
    fn percentages_decimals_ordinals() {
        assert!(ok("45% of voters", "유권자의 45%", "ko"));
        assert!(ok("45 percent", "百分之四十五", "zh"));
        assert!(ok("growth of 2.7%", "2.7% 성장", "ko"));
        assert!(!ok("growth of 2.7%", "27% 성장", "ko"));
        assert!(ok("the 75th anniversary", "75주년", "ko"));
        assert!(ok("the 75th anniversary", "75周年", "zh"));
        assert!(ok("the 1st round", "第一轮", "zh"));
        assert!(ok("the 1st round", "첫 회담", "ko"));
        assert!(ok("2 countries", "两国", "zh"));
        assert!(ok("2 countries", "두 나라", "ko"));
        assert!(ok("in 2019", "二〇一九年", "zh"));
        assert!(ok("the 1990s", "1990년대", "ko"));
        assert!(ok("the '90s", "90년대", "ko"));
        assert!(ok("the '90s", "1990年代", "zh"));
        assert!(ok("380,000 people", "38 万人", "zh"));
        assert!(ok("a £125m sale", "1.25 亿英镑", "zh"));
        assert!(ok("at 7.55am", "早上 7:55", "zh"));
        assert!(ok("a Category 1 hurricane", "一级飓风", "zh"));
    }

    #[test]
    fn han_words_are_not_numbers() {
        // 一些, 统一, 千万 (by all means), 万一 (in case) are words.
        assert!(vals("一些国家统一了，千万不要，万一", "zh", Side::Target).is_empty());
        // A Chinese source is read for digits only.
        assert!(vals("三国", "zh", Side::Source).is_empty());
    }

    #[test]
    fn twice_in_source_once_in_target() {
        assert!(ok("2 plus 2", "2 더하기", "ko"));
        let s = extract("7 and 7 and 8", "en", Side::Source);
        let t = extract("아무것도", "ko", Side::Target);
        assert_eq!(missing(&s, &t), vec![0, 2]);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_value(1e6), "1000000");
        assert_eq!(format_value(1.5), "1.5");
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    fn one(text: &str, family: &str) -> (String, Option<i32>, u32, Option<u32>) {
        let d = dates(text, family);
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        let d = d[0];
        let span: String = text.chars().skip(d.start).take(d.end - d.start).collect();
        (span, d.year, d.month, d.day)
    }

    #[test]
    fn dates_in_three_languages() {
        assert_eq!(
            one("Signed on 19 March 2026 in Seoul.", "en"),
            ("19 March 2026".into(), Some(2026), 3, Some(19))
        );
        assert_eq!(
            one("Signed on March 19, 2026.", "en"),
            ("March 19, 2026".into(), Some(2026), 3, Some(19))
        );
        assert_eq!(
            one("Due in May 2025.", "en"),
            ("May 2025".into(), Some(2025), 5, None)
        );
        assert_eq!(
            one("2026년 3월 19일 서울에서", "ko"),
            ("2026년 3월 19일".into(), Some(2026), 3, Some(19))
        );
        assert_eq!(
            one("于２０２６年3月19日签署", "zh"),
            ("２０２６年3月19日".into(), Some(2026), 3, Some(19))
        );
        assert!(dates("Article 3 of 19 members", "en").is_empty());
        assert!(dates("3월에", "ko").is_empty());
    }

    #[test]
    fn dates_written_each_way() {
        let d = DateSpan {
            start: 0,
            end: 0,
            year: Some(2026),
            month: 3,
            day: Some(19),
        };
        assert_eq!(write_date(&d, "ko"), "2026년 3월 19일");
        assert_eq!(write_date(&d, "zh"), "2026年3月19日");
        assert_eq!(write_date(&d, "en"), "19 March 2026");
        // Round trip: what is written reads back as the same date.
        for fam in ["ko", "zh", "en"] {
            let back = dates(&write_date(&d, fam), fam);
            assert!(back.len() == 1 && back[0].same_date(&d), "{fam}");
        }
    }

    #[test]
    fn numbers_written_like_the_target() {
        assert_eq!(write_like(1200.0, "1,000", "zh").as_deref(), Some("1,200"));
        assert_eq!(write_like(1200.0, "1000", "ko").as_deref(), Some("1200"));
        assert_eq!(write_like(1200.0, "30", "ko").as_deref(), Some("1,200"));
        assert_eq!(write_like(1200.0, "30", "zh").as_deref(), Some("1200"));
        assert_eq!(write_like(2.5, "30", "ko").as_deref(), Some("2.5"));
        assert_eq!(write_like(5e6, "500만", "ko"), None);
    }
}
