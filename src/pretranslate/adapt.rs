//! Auto-adaptation of fuzzy matches: when a stored source and the new source differ only
//! in numbers, dates (and times, percentages, amounts: numbers too) or glossary terms,
//! the stored translation gets the new values, written the target language's way.
//!
//! Both sources are cut into *placeables* (dates from [`numbers::dates`], numbers from
//! [`numbers::extract`], glossary terms from the [`Recognizer`]) and the text between
//! them. When the texts between are the same and the placeables are of the same kinds in
//! the same order, each placeable whose value changed is looked up in the translation
//! (the same date, the same number as a value, a translation of the same glossary
//! entry) and replaced: a date by [`numbers::write_date`], a number by
//! [`numbers::write_like`] (as the translation wrote the old one), a term by the new
//! entry's preferred (else first approved) translation. Anything that cannot be found
//! exactly once, or that crosses an inline code, stops the adaptation: the match is then
//! used as it is.

use crate::formats::bilingual::Piece;
use crate::formats::pretranslated::Substitution;
use crate::glossary::{Glossary, Recognizer};
use crate::lang::LangRange;
use crate::lint::numbers::{self, DateSpan, Side};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Date(DateSpan),
    Number(f64),
    Term(usize),
}

#[derive(Debug, Clone, Copy)]
struct Placeable {
    start: usize,
    end: usize,
    value: Value,
}

/// Adapts translations between two languages; build one per job.
pub struct Adapter<'g> {
    glossary: Option<&'g Glossary>,
    source_terms: Option<Recognizer>,
    target_terms: Option<Recognizer>,
    source_family: String,
    target_family: String,
    target_range: LangRange,
}

/// The chars of `s` from `a` to `b`.
fn chars(s: &[char], a: usize, b: usize) -> String {
    s[a..b].iter().collect()
}

/// A private-use character standing for inline code `k` in a text being adapted.
fn code_char(k: usize) -> char {
    char::from_u32(0xF0000 + k as u32).unwrap_or('\u{FFFC}')
}

fn is_code_char(c: char) -> bool {
    (0xF0000..0xFFFFE).contains(&(c as u32))
}

impl<'g> Adapter<'g> {
    /// An adapter from `source` to `target` (language ranges as the glossary is looked up
    /// with, see [`crate::lint::lookup_range`]), with the glossary's terms if given.
    pub fn new(
        glossary: Option<&'g Glossary>,
        source: &LangRange,
        source_family: &str,
        target: &LangRange,
        target_family: &str,
    ) -> Adapter<'g> {
        Adapter {
            glossary,
            source_terms: glossary.map(|g| Recognizer::new(g, source, false)),
            target_terms: glossary.map(|g| Recognizer::new(g, target, false)),
            source_family: source_family.to_string(),
            target_family: target_family.to_string(),
            target_range: target.clone(),
        }
    }

    fn placeables(&self, text: &str) -> Vec<Placeable> {
        let mut out: Vec<Placeable> = numbers::dates(text, &self.source_family)
            .into_iter()
            .map(|d| Placeable {
                start: d.start,
                end: d.end,
                value: Value::Date(d),
            })
            .collect();
        let overlaps =
            |out: &[Placeable], a: usize, b: usize| out.iter().any(|p| a < p.end && p.start < b);
        for n in numbers::extract(text, &self.source_family, Side::Source) {
            if n.month || overlaps(&out, n.start, n.end) {
                continue;
            }
            if let Some(&v) = n.values.first() {
                out.push(Placeable {
                    start: n.start,
                    end: n.end,
                    value: Value::Number(v),
                });
            }
        }
        if let Some(r) = &self.source_terms {
            let mut spans = Vec::new();
            r.find_spans(text, &mut spans);
            for s in spans.iter().filter(|s| !s.forbidden) {
                if !overlaps(&out, s.start, s.end) {
                    out.push(Placeable {
                        start: s.start,
                        end: s.end,
                        value: Value::Term(s.entry),
                    });
                }
            }
        }
        out.sort_by_key(|p| p.start);
        out
    }

    /// The text between placeables, with each placeable as a marker of its kind.
    fn skeleton(text: &[char], ps: &[Placeable]) -> String {
        let mut s = String::new();
        let mut at = 0;
        for p in ps {
            s.extend(&text[at..p.start]);
            s.push(match p.value {
                Value::Date(_) => '\u{FFF9}',
                Value::Number(_) => '\u{FFFA}',
                Value::Term(_) => '\u{FFFB}',
            });
            at = p.end;
        }
        s.extend(&text[at..]);
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Adapt `target` (the stored translation of `stored`) to `new` (stored form). `None`
    /// when the sources differ in more than placeables, when nothing changed, or when a
    /// change cannot be made safely.
    pub fn adapt(
        &self,
        stored: &str,
        new: &str,
        target: &[Piece],
    ) -> Option<(Vec<Piece>, Vec<Substitution>)> {
        let (sc, nc): (Vec<char>, Vec<char>) = (stored.chars().collect(), new.chars().collect());
        let (sp, np) = (self.placeables(stored), self.placeables(new));
        if sp.len() != np.len() || Self::skeleton(&sc, &sp) != Self::skeleton(&nc, &np) {
            return None;
        }
        // The translation as one text, each inline code a private-use character.
        let mut tt = String::new();
        let mut codes = Vec::new();
        for p in target {
            match p {
                Piece::Text(t) => tt.push_str(t),
                Piece::Tag(..) => {
                    tt.push(code_char(codes.len()));
                    codes.push(p.clone());
                }
            }
        }
        let tc: Vec<char> = tt.chars().collect();
        let tdates = numbers::dates(&tt, &self.target_family);
        let tnums = numbers::extract(&tt, &self.target_family, Side::Target);
        let tterms = match &self.target_terms {
            Some(r) => {
                let mut v = Vec::new();
                r.find_spans(&tt, &mut v);
                v
            }
            None => Vec::new(),
        };
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut subs = Vec::new();
        for (a, b) in sp.iter().zip(&np) {
            let (from, to) = (chars(&sc, a.start, a.end), chars(&nc, b.start, b.end));
            let (span, written) = match (a.value, b.value) {
                (Value::Date(x), Value::Date(y)) => {
                    if x.same_date(&y) {
                        continue;
                    }
                    if x.year.is_some() != y.year.is_some() || x.day.is_some() != y.day.is_some() {
                        return None;
                    }
                    let hits: Vec<&DateSpan> = tdates
                        .iter()
                        .filter(|t| {
                            t.month == x.month
                                && t.day == x.day
                                && (x.year.is_none() || t.year == x.year)
                        })
                        .collect();
                    let [t] = hits.as_slice() else { return None };
                    let new = DateSpan {
                        year: y.year.or(t.year),
                        ..y
                    };
                    (
                        (t.start, t.end),
                        numbers::write_date(&new, &self.target_family),
                    )
                }
                (Value::Number(x), Value::Number(y)) => {
                    if numbers::same_value(x, y) {
                        continue;
                    }
                    let hits: Vec<&numbers::Number> = tnums
                        .iter()
                        .filter(|n| n.values.iter().any(|&v| numbers::same_value(v, x)))
                        .filter(|n| !tdates.iter().any(|d| n.start < d.end && d.start < n.end))
                        .collect();
                    let [t] = hits.as_slice() else { return None };
                    let like = chars(&tc, t.start, t.end);
                    (
                        (t.start, t.end),
                        numbers::write_like(y, &like, &self.target_family)?,
                    )
                }
                (Value::Term(x), Value::Term(y)) => {
                    if x == y {
                        continue;
                    }
                    let g = self.glossary?;
                    let hits: Vec<_> = tterms
                        .iter()
                        .filter(|s| s.entry == x && !s.forbidden)
                        .collect();
                    let [t] = hits.as_slice() else { return None };
                    let e = g.entries.get(y)?;
                    let w = e
                        .preferred(&self.target_range)
                        .or_else(|| e.approved(&self.target_range).first().copied())?;
                    ((t.start, t.end), w.to_string())
                }
                _ => return None,
            };
            let target_from = chars(&tc, span.0, span.1);
            if target_from.chars().any(is_code_char)
                || edits.iter().any(|(s, e, _)| span.0 < *e && *s < span.1)
            {
                return None;
            }
            subs.push(Substitution {
                kind: match a.value {
                    Value::Date(_) => "date",
                    Value::Number(_) => "number",
                    Value::Term(_) => "term",
                },
                source_from: from,
                source_to: to,
                target_from,
                target_to: written.clone(),
            });
            edits.push((span.0, span.1, written));
        }
        if edits.is_empty() {
            return None;
        }
        edits.sort_by_key(|e| e.0);
        let mut out_text = String::new();
        let mut at = 0;
        for (s, e, w) in &edits {
            out_text.extend(&tc[at..*s]);
            out_text.push_str(w);
            at = *e;
        }
        out_text.extend(&tc[at..]);
        // Back to pieces.
        let mut pieces = Vec::new();
        let mut cur = String::new();
        for c in out_text.chars() {
            if is_code_char(c) {
                if !cur.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut cur)));
                }
                pieces.push(codes[(c as u32 - 0xF0000) as usize].clone());
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            pieces.push(Piece::Text(cur));
        }
        Some((pieces, subs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Entry;
    use crate::lang::LangTag;

    fn glossary() -> Glossary {
        let mut entries = Vec::new();
        for (en, ko, zh) in [
            ("Foreign Minister Wang", "왕 외교부장", "王外长"),
            ("Foreign Minister Park", "박 외교부 장관", "朴外长"),
        ] {
            let mut e = Entry::new();
            for (tag, t) in [("en", en), ("ko", ko), ("zh-Hans", zh)] {
                e.term_set_mut(&LangTag::parse(tag).unwrap())
                    .approved
                    .push(t.to_string());
            }
            entries.push(e);
        }
        Glossary::new(entries)
    }

    fn adapter<'g>(g: Option<&'g Glossary>, to: &str, fam: &str) -> Adapter<'g> {
        Adapter::new(
            g,
            &LangRange::parse("en").unwrap(),
            "en",
            &LangRange::parse(to).unwrap(),
            fam,
        )
    }

    fn run(
        a: &Adapter<'_>,
        stored: &str,
        new: &str,
        target: &str,
    ) -> Option<(String, Vec<Substitution>)> {
        let (p, s) = a.adapt(stored, new, &[Piece::Text(target.into())])?;
        let text = p
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Tag(..) => "<>".into(),
            })
            .collect();
        Some((text, s))
    }

    #[test]
    fn dates_are_rewritten_the_target_way() {
        let a = adapter(None, "ko", "ko");
        let (t, subs) = run(
            &a,
            "The talks will resume on 12 May 2025 in Geneva.",
            "The talks will resume on 19 March 2026 in Geneva.",
            "회담은 2025년 5월 12일 제네바에서 재개된다.",
        )
        .unwrap();
        assert_eq!(t, "회담은 2026년 3월 19일 제네바에서 재개된다.");
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].kind, "date");
        assert_eq!(subs[0].target_from, "2025년 5월 12일");
        let z = adapter(None, "zh-Hans", "zh");
        let (t, _) = run(
            &z,
            "The talks will resume on 12 May 2025 in Geneva.",
            "The talks will resume on 19 March 2026 in Geneva.",
            "会谈将于2025年5月12日在日内瓦恢复。",
        )
        .unwrap();
        assert_eq!(t, "会谈将于2026年3月19日在日内瓦恢复。");
    }

    #[test]
    fn numbers_and_percentages() {
        let a = adapter(None, "ko", "ko");
        let (t, subs) = run(
            &a,
            "Exports rose 30 percent to 1,200 tonnes.",
            "Exports rose 45 percent to 1,500 tonnes.",
            "수출은 30% 증가한 1,200톤이었다.",
        )
        .unwrap();
        assert_eq!(t, "수출은 45% 증가한 1,500톤이었다.");
        assert_eq!(subs.len(), 2);
        let z = adapter(None, "zh-Hans", "zh");
        let (t, _) = run(
            &z,
            "Exports rose 30 percent to 1,200 tonnes.",
            "Exports rose 45 percent to 1,500 tonnes.",
            "出口增长30%，达到1200吨。",
        )
        .unwrap();
        assert_eq!(t, "出口增长45%，达到1500吨。");
    }

    #[test]
    fn glossary_terms_are_replaced_by_their_approved_translation() {
        let g = glossary();
        let a = adapter(Some(&g), "ko", "ko");
        let (t, subs) = run(
            &a,
            "Foreign Minister Wang welcomed the agreement.",
            "Foreign Minister Park welcomed the agreement.",
            "왕 외교부장은 합의를 환영했다.",
        )
        .unwrap();
        assert_eq!(t, "박 외교부 장관은 합의를 환영했다.");
        assert_eq!(subs[0].kind, "term");
        let z = adapter(Some(&g), "zh-Hans", "zh");
        let (t, _) = run(
            &z,
            "Foreign Minister Wang welcomed the agreement.",
            "Foreign Minister Park welcomed the agreement.",
            "王外长对协议表示欢迎。",
        )
        .unwrap();
        assert_eq!(t, "朴外长对协议表示欢迎。");
    }

    #[test]
    fn other_differences_are_not_adapted() {
        let a = adapter(None, "ko", "ko");
        // A word differs.
        assert!(run(
            &a,
            "Exports rose 30 percent.",
            "Imports rose 45 percent.",
            "수출은 30% 증가했다."
        )
        .is_none());
        // Nothing changed.
        assert!(run(
            &a,
            "Exports rose 30 percent.",
            "Exports rose 30 percent.",
            "수출은 30% 증가했다."
        )
        .is_none());
        // The old value is not in the translation (or twice): no guess.
        assert!(run(
            &a,
            "Exports rose 30 percent.",
            "Exports rose 45 percent.",
            "수출은 증가했다."
        )
        .is_none());
        assert!(run(
            &a,
            "Exports rose 30 percent.",
            "Exports rose 45 percent.",
            "30% 수출은 30% 증가했다."
        )
        .is_none());
        // Written with a unit the adapter does not rewrite.
        assert!(run(&a, "5 million people.", "6 million people.", "500만 명.").is_none());
    }

    #[test]
    fn a_change_inside_an_inline_code_is_refused() {
        let a = adapter(None, "ko", "ko");
        let target = vec![
            Piece::Text("수출은 ".into()),
            Piece::Tag(crate::formats::bilingual::TagKind::Open, "1".into()),
            Piece::Text("30".into()),
            Piece::Tag(crate::formats::bilingual::TagKind::Close, "1".into()),
            Piece::Text("% 증가했다.".into()),
        ];
        let (p, _) = a
            .adapt(
                "Exports rose 30 percent.",
                "Exports rose 45 percent.",
                &target,
            )
            .unwrap();
        assert_eq!(p[2], Piece::Text("45".into()));
        assert_eq!(p.len(), 5);
    }
}
