//! The glossary rules: `term-missing`, `term-forbidden`, `term-inconsistent`.
//!
//! Terms are found with [`crate::glossary::Recognizer`] on both sides (longest match,
//! leftmost first; English inflections; Korean particles, compounds and strict entries;
//! Chinese substrings), built once per draft:
//!
//! * **term-missing** (error): an entry found in the source has none of its approved
//!   target variants among the *target's* recognized terms. Because the target is matched
//!   with longest match too, 朝鲜 inside 朝鲜半岛 belongs to "Korean Peninsula" and does not
//!   satisfy "DPRK". The check is about presence, not counts: **a source with a term twice
//!   and a target with it once is fine** — translators merge repetitions and Korean and
//!   Chinese drop repeated subjects, so counting would raise false errors. When the target
//!   holds a forbidden variant of the same entry, only `term-forbidden` is reported.
//! * **term-forbidden** (error): the target holds a forbidden variant; the message names
//!   the preferred approved variant. A forbidden variant inside a longer approved variant
//!   of another entry is not one (韩半岛 inside 韩半岛和平交涉本部长): the recognizer's
//!   longest match takes the approved title. Runs on target-only drafts too.
//! * **term-inconsistent** (warning): for one entry found in the source, the draft uses
//!   several approved target variants. The variant used most often is the draft's choice
//!   (ties: the glossary's order); every segment that uses another one gets the finding.
//!   This needs the whole draft, so these findings come at the end of the run
//!   ([`TermRules::finish`]); the state kept meanwhile is one small record per term
//!   occurrence (segment, position, fingerprint), never the texts.

use std::collections::HashMap;

use crate::glossary::{Glossary, Recognizer, TermHit};
use crate::lang::LangRange;
use crate::text::match_key;

use super::checks::Hit;
use super::rules::Rule;
use super::segment::Segment;
use super::{fingerprint, Finding, Span};

/// One use of an approved variant for a source term, remembered for term-inconsistent.
#[derive(Debug, Clone)]
struct Occurrence {
    segment: u64,
    segment_id: Option<String>,
    line: u64,
    column: u64,
    start: usize,
    end: usize,
    matched: Box<str>,
    fingerprint: u64,
}

/// The glossary rules for one draft.
pub struct TermRules<'g> {
    glossary: &'g Glossary,
    source_range: Option<LangRange>,
    source: Option<Recognizer>,
    target: Recognizer,
    target_range: LangRange,
    /// Approved target variant keys of each entry, in glossary order.
    approved_keys: Vec<Vec<String>>,
}

/// One use of an approved variant (entry, variant index, where).
pub struct Use(usize, usize, Occurrence);

/// The uses of approved variants across a draft, for term-inconsistent: one small record
/// per use, only for entries that have two or more approved target variants.
#[derive(Default)]
pub struct TermUses {
    /// Entry → approved variant index → occurrences.
    uses: HashMap<usize, HashMap<usize, Vec<Occurrence>>>,
}

impl<'g> TermRules<'g> {
    /// Build the recognizers for a draft from `source` to `target` (`source` is `None`
    /// for a target-only draft).
    pub fn new(
        glossary: &'g Glossary,
        source: Option<&LangRange>,
        target: &LangRange,
    ) -> TermRules<'g> {
        let approved_keys = glossary
            .entries
            .iter()
            .map(|e| e.approved(target).iter().map(|v| match_key(v)).collect())
            .collect();
        TermRules {
            glossary,
            source_range: source.cloned(),
            source: source.map(|s| Recognizer::new(glossary, s, true)),
            target: Recognizer::new(glossary, target, true),
            target_range: target.clone(),
            approved_keys,
        }
    }

    fn name(&self, entry: usize, hit: Option<&TermHit>) -> String {
        if let Some(h) = hit {
            return h.matched.clone();
        }
        let e = &self.glossary.entries[entry];
        e.id.clone()
            .unwrap_or_else(|| format!("entry {}", entry + 1))
    }

    /// Cases where a source term without its approved translation is not an error (see
    /// the module documentation: phrases, generic lowercase uses of capitalized titles,
    /// hyphenated compounds, acronyms kept as they are, `lint=no-missing` entries).
    fn exempt_from_missing(&self, e: usize, sh: &TermHit, source: &str, target: &str) -> bool {
        let entry = &self.glossary.entries[e];
        if entry
            .domain
            .as_deref()
            .map(|d| d.eq_ignore_ascii_case("phrase"))
            .unwrap_or(false)
        {
            return true;
        }
        if entry
            .prop("lint")
            .map(|v| v.split(['|', ',', ' ']).any(|x| x.trim() == "no-missing"))
            .unwrap_or(false)
        {
            return true;
        }
        let src: Vec<char> = source.chars().collect();
        // A hyphenated compound is another word: President-elect, vice-president.
        let before = sh.start.checked_sub(1).and_then(|i| src.get(i).copied());
        let after = src.get(sh.end).copied();
        let after2 = src.get(sh.end + 1).copied();
        if (after == Some('-') && after2.map(|c| c.is_alphabetic()).unwrap_or(false))
            || (before == Some('-') && sh.start >= 2 && src[sh.start - 2].is_alphabetic())
        {
            return true;
        }
        // The glossary writes the term capitalized (a title, a name) and the text uses the
        // word in lower case: a common noun (the president of a company, a premier venue).
        if let Some(range) = &self.source_range {
            let variants = entry.approved(range);
            let capitalized = !variants.is_empty()
                && variants
                    .iter()
                    .all(|v| v.chars().next().map(|c| c.is_uppercase()).unwrap_or(false));
            if capitalized && !sh.matched.chars().any(|c| c.is_uppercase()) {
                return true;
            }
        }
        // An acronym kept as it is in the target (NATO, UN, EU in a Korean text).
        let m = sh
            .matched
            .trim_end_matches("'s")
            .trim_end_matches('\u{2019}');
        let letters = m.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let acronym = (2..=6).contains(&letters)
            && m.chars()
                .all(|c| c.is_ascii_uppercase() || c == '.' || c.is_ascii_digit());
        if acronym && contains_word(target, m) {
            return true;
        }
        false
    }

    fn entry_key(&self, entry: usize) -> String {
        self.glossary.entries[entry]
            .id
            .clone()
            .unwrap_or_else(|| entry.to_string())
    }

    fn preferred(&self, entry: usize) -> Option<String> {
        self.glossary.entries[entry]
            .preferred(&self.target_range)
            .map(str::to_string)
    }

    /// The per-segment hits: term-forbidden (when `forbidden`) and term-missing (when
    /// `missing`), and the uses of approved variants for term-inconsistent (when
    /// `consistency`), to be given to [`TermUses::record`] in draft order.
    pub fn check(
        &self,
        seg: &Segment,
        source: Option<&str>,
        target: &str,
        on: (bool, bool, bool),
    ) -> (Vec<Hit>, Vec<Use>) {
        let (forbidden_on, missing_on, consistency_on) = on;
        let mut out = Vec::new();
        let mut uses = Vec::new();
        let tgt_hits = self.target.find(target);
        let mut forbidden_entries: Vec<usize> = Vec::new();
        for h in tgt_hits.iter().filter(|h| h.forbidden) {
            forbidden_entries.push(h.entry);
            if forbidden_on {
                let pref = self.preferred(h.entry);
                let msg = match &pref {
                    Some(p) => format!("{} is a forbidden variant: use {p}", h.matched),
                    None => format!("{} is a forbidden variant: rephrase it", h.matched),
                };
                let mut hit = Hit::new(Rule::TermForbidden, msg)
                    .target(h.start, h.end)
                    .detail(format!("{}\u{1}{}", self.entry_key(h.entry), h.variant));
                if let Some(p) = pref {
                    hit = hit.suggest(p);
                }
                out.push(hit);
            }
        }
        let (Some(source), Some(rec)) = (source, self.source.as_ref()) else {
            return (out, uses);
        };
        if !(missing_on || consistency_on) {
            return (out, uses);
        }
        let src_hits = rec.find(source);
        if src_hits.is_empty() {
            return (out, uses);
        }
        // Approved variants present in the target, by key.
        let present: Vec<String> = tgt_hits
            .iter()
            .filter(|h| !h.forbidden)
            .map(|h| match_key(&h.variant))
            .collect();
        let korean = self
            .target_range
            .tag()
            .map(|t| t.family() == "ko")
            .unwrap_or(false);
        let target_key = if korean {
            match_key(target)
        } else {
            String::new()
        };
        let mut done: Vec<usize> = Vec::new();
        for sh in &src_hits {
            let e = sh.entry;
            if done.contains(&e) {
                continue;
            }
            done.push(e);
            let keys = &self.approved_keys[e];
            if keys.is_empty() {
                continue; // The glossary has no translation for this entry.
            }
            let used: Vec<usize> = (0..keys.len())
                .filter(|&i| present.contains(&keys[i]))
                .collect();
            if used.is_empty()
                && korean
                && keys
                    .iter()
                    .any(|k| after_ju(&target_key, k) || spacing_variant(&target_key, k))
            {
                continue; // 주중국 대사, 정상 회담 for 정상회담: present.
            }
            if used.is_empty() && self.exempt_from_missing(e, sh, source, target) {
                continue;
            }
            if used.is_empty() {
                if missing_on && !forbidden_entries.contains(&e) {
                    let pref = self.preferred(e).unwrap_or_default();
                    let all = self.glossary.entries[e]
                        .approved(&self.target_range)
                        .join(" | ");
                    out.push(
                        Hit::new(
                            Rule::TermMissing,
                            format!(
                                "{} is in the glossary, but the target has none of its approved translations ({all}): use {pref}",
                                self.name(e, Some(sh))
                            ),
                        )
                        .source(sh.start, sh.end)
                        .suggest(pref)
                        .detail(self.entry_key(e)),
                    );
                }
                continue;
            }
            // Only entries with two or more approved variants can be inconsistent: the
            // others are not remembered at all.
            if consistency_on && keys.len() >= 2 {
                for &vi in &used {
                    // The first target hit of this variant gives the position.
                    let Some(th) = tgt_hits
                        .iter()
                        .find(|h| !h.forbidden && match_key(&h.variant) == keys[vi])
                    else {
                        continue;
                    };
                    let (line, column) = seg
                        .target
                        .as_ref()
                        .map(|t| t.position(th.start))
                        .unwrap_or((seg.line, 1));
                    let detail = format!("{}\u{1}{}", self.entry_key(e), keys[vi]);
                    uses.push(Use(
                        e,
                        vi,
                        Occurrence {
                            segment: seg.number,
                            segment_id: seg.id.clone(),
                            line,
                            column,
                            start: th.start,
                            end: th.end,
                            matched: th.matched.clone().into_boxed_str(),
                            fingerprint: u64::from_str_radix(
                                &fingerprint(
                                    Rule::TermInconsistent,
                                    Some(source),
                                    Some(target),
                                    &detail,
                                ),
                                16,
                            )
                            .unwrap_or(0),
                        },
                    ));
                }
            }
        }
        (out, uses)
    }
}

impl TermUses {
    /// Remember the uses of one segment.
    pub fn record(&mut self, uses: Vec<Use>) {
        for Use(e, vi, o) in uses {
            self.uses
                .entry(e)
                .or_default()
                .entry(vi)
                .or_default()
                .push(o);
        }
    }

    /// The term-inconsistent findings of the whole draft, in segment order.
    pub fn finish(&mut self, rules: &TermRules<'_>, file: &str) -> Vec<Finding> {
        let glossary = rules.glossary;
        let target_range = &rules.target_range;
        let mut out = Vec::new();
        let mut entries: Vec<usize> = self.uses.keys().copied().collect();
        entries.sort_unstable();
        for e in entries {
            let by_variant = &self.uses[&e];
            if by_variant.len() < 2 {
                continue;
            }
            let (&chosen, _) = by_variant
                .iter()
                .max_by(|(va, a), (vb, b)| a.len().cmp(&b.len()).then(vb.cmp(va)))
                .expect("two or more variants");
            let chosen_text = glossary.entries[e]
                .approved(target_range)
                .get(chosen)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let chosen_count = by_variant[&chosen].len();
            let first_line = by_variant[&chosen]
                .iter()
                .map(|o| o.line)
                .min()
                .unwrap_or(0);
            let entry_name = glossary.entries[e]
                .id
                .clone()
                .or_else(|| {
                    glossary.entries[e]
                        .terms
                        .first()
                        .and_then(|(_, s)| s.preferred().map(str::to_string))
                })
                .unwrap_or_default();
            for (&vi, occ) in by_variant {
                if vi == chosen {
                    continue;
                }
                for o in occ {
                    out.push(Finding {
                        rule: Rule::TermInconsistent,
                        severity: Rule::TermInconsistent.severity(),
                        message: format!(
                            "{} renders {entry_name} here, but the draft uses {chosen_text} ({chosen_count}×, first at line {first_line}): use one variant throughout",
                            o.matched
                        ),
                        file: file.to_string(),
                        line: o.line,
                        column: o.column,
                        segment: o.segment,
                        segment_id: o.segment_id.clone(),
                        source_span: None,
                        target_span: Some(Span {
                            start: o.start,
                            end: o.end,
                            line: o.line,
                            column: o.column,
                            text: o.matched.to_string(),
                        }),
                        suggestion: Some(chosen_text.clone()),
                        source: None,
                        target: None,
                        fingerprint: format!("{:016x}", o.fingerprint),
                    });
                }
            }
        }
        out.sort_by_key(|f| (f.segment, f.column));
        out
    }
}

/// True when `term` occurs in the Korean `key` right after the prefix 주 (駐, "resident
/// in") at the start of a word: 주중국 대사 holds 중국, 주유엔 대표부 holds 유엔. The
/// recognizer reads compounds from their head only, so term-missing looks for this one
/// productive prefix itself (presence only; spans come from the recognizer).
fn after_ju(key: &str, term: &str) -> bool {
    let needle = format!("주{term}");
    let mut from = 0;
    while let Some(p) = key[from..].find(&needle) {
        let at = from + p;
        let word_start = key[..at]
            .chars()
            .next_back()
            .map(|c| !crate::text::script_of(c).eq(&crate::text::Script::Hangul))
            .unwrap_or(true);
        if word_start {
            return true;
        }
        from = at + needle.len();
    }
    false
}

/// True when `term` is in `key` written with other spacing (정상 회담 for 정상회담,
/// 외교부장관 for 외교부 장관): Korean spacing of compound nouns varies.
fn spacing_variant(key: &str, term: &str) -> bool {
    let squeezed: String = term.chars().filter(|c| *c != ' ').collect();
    if squeezed.chars().count() < 3 {
        return false;
    }
    let mut map: Vec<usize> = Vec::new();
    let mut flat = String::new();
    for (i, c) in key.char_indices() {
        if c != ' ' {
            flat.push(c);
            map.push(i);
        }
    }
    let mut from = 0;
    while let Some(p) = flat[from..].find(&squeezed) {
        let at = from + p;
        let start_char = flat[..at].chars().count();
        let len = squeezed.chars().count();
        let (a, b) = (map[start_char], map[start_char + len - 1]);
        if key[a..b].contains(' ') != term.contains(' ') {
            return true;
        }
        from = at + squeezed.len();
    }
    false
}

/// `word` in `text` as a whole word (case-sensitive).
fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(p) = text[from..].find(word) {
        let at = from + p;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.map(|c| !c.is_ascii_alphanumeric()).unwrap_or(true);
        if edge(before) && edge(after) {
            return true;
        }
        from = at + word.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::CsvOptions;
    use crate::lang::LangTag;
    use crate::lint::{Langs, Linter, RuleSelection};
    use std::path::Path;

    const GLOSSARY: &str = "id,en,ko,zh,en:forbidden,ko:forbidden,zh:forbidden,note,domain,case,strict
dprk,DPRK|North Korea,북한,朝鲜,,북조선,北韩|北朝鲜,,,,ko
rok,Republic of Korea|ROK,대한민국|한국,韩国|大韩民国,,남조선,南朝鲜,,,,
korean_peninsula,Korean Peninsula,한반도,朝鲜半岛,,조선반도,韩半岛,,,,
special_representative,Special Representative,특별대표,特别代表,,,,,,,
sr_peace,Special Representative for Korean Peninsula Peace and Security Affairs,한반도평화교섭본부장,韩半岛和平交涉本部长,,,,,,,
";

    fn glossary() -> Glossary {
        Glossary::from_csv_str(GLOSSARY, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    fn lint(g: &Glossary, target: &str, rows: &[(&str, &str)]) -> Vec<Finding> {
        let langs = Langs {
            source: Some(LangTag::parse("en").unwrap()),
            target: LangTag::parse(target).unwrap(),
        };
        let mut l = Linter::new("d.tsv", langs, RuleSelection::default()).with_glossary(g);
        let mut out = Vec::new();
        for (i, (s, t)) in rows.iter().enumerate() {
            out.extend(
                l.check(&Segment::new(i as u64 + 1, Some(s), Some(t)))
                    .unwrap(),
            );
        }
        out.extend(l.finish());
        out
    }

    fn ids(f: &[Finding]) -> Vec<(u64, &'static str)> {
        f.iter().map(|f| (f.segment, f.rule.id())).collect()
    }

    #[test]
    fn term_missing_hit_and_non_hit() {
        let g = glossary();
        let f = lint(
            &g,
            "ko",
            &[("The Special Representative arrived.", "특사가 도착했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("특별대표"));
        assert_eq!(
            f[0].source_span.as_ref().unwrap().text,
            "Special Representative"
        );
        // Particles and plurals.
        let f = lint(
            &g,
            "ko",
            &[(
                "The Special Representatives arrived.",
                "특별대표들이 도착했다.",
            )],
        );
        assert!(f.is_empty(), "{f:#?}");
        let f = lint(
            &g,
            "ko",
            &[("The DPRK's missile launch.", "북한의 미사일 발사.")],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn korean_prefix_ju() {
        let g = Glossary::from_csv_str(
            "id,en,ko,zh\nchina,China,중국,中国\n",
            Path::new("g.csv"),
            &CsvOptions::default(),
        )
        .unwrap();
        let f = lint(
            &g,
            "ko",
            &[("The Ambassador to China spoke.", "주중국 대사가 말했다.")],
        );
        assert!(f.is_empty(), "{f:#?}");
        // 자주중국 is not the prefix 주: still missing.
        let f = lint(
            &g,
            "ko",
            &[("The Ambassador to China spoke.", "자주중국 대사가 말했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert!(after_ju("주유엔 대표부", "유엔"));
        assert!(!after_ju("미주유엔", "유엔"));
    }

    #[test]
    fn exemptions_from_term_missing() {
        let g = Glossary::from_csv_str(
            "id,en,ko,zh,domain\npresident,President,대통령,总统,title\nnato,NATO,북대서양조약기구|나토,北约,org\nsummit,summit,정상회담,峰会,event\nreceived,received,접견,会见,phrase\n",
            Path::new("g.csv"),
            &CsvOptions::default(),
        )
        .unwrap();
        // Still an error: the title as a title.
        let f = lint(&g, "ko", &[("President Moon spoke.", "문 총리가 말했다.")]);
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        for (s, t) in [
            ("He was president of the company.", "그는 회사 사장이었다."),
            ("The President-elect spoke.", "당선인이 말했다."),
            ("They joined NATO.", "그들은 NATO에 가입했다."),
            ("A second summit.", "두 번째 정상 회담."),
            ("She received a pass.", "그녀는 패스를 받았다."),
        ] {
            let f = lint(&g, "ko", &[(s, t)]);
            assert!(f.is_empty(), "{s}: {f:#?}");
        }
        // NATO spelled in a word is not the acronym kept.
        let f = lint(
            &g,
            "ko",
            &[("They joined NATO.", "그들은 NATOS에 가입했다.")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert!(spacing_variant("두 번째 정상 회담", "정상회담"));
        assert!(!spacing_variant("정상회담", "정상회담"));
    }

    #[test]
    fn twice_in_source_once_in_target_is_fine() {
        let g = glossary();
        let f = lint(
            &g,
            "ko",
            &[(
                "The Special Representative said the Special Representative will return.",
                "특별대표는 다시 돌아오겠다고 말했다.",
            )],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn longest_match_in_the_target() {
        let g = glossary();
        // 朝鲜 inside 朝鲜半岛 belongs to Korean Peninsula: DPRK is missing.
        let f = lint(
            &g,
            "zh",
            &[("The DPRK and the Korean Peninsula.", "朝鲜半岛。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-missing")]);
        assert!(f[0].message.contains("DPRK"), "{}", f[0].message);
        // The whole title is one term; 韩半岛 inside it is not forbidden.
        let f = lint(
            &g,
            "zh",
            &[("The Special Representative for Korean Peninsula Peace and Security Affairs visited.", "韩半岛和平交涉本部长进行了访问。")],
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn term_forbidden_hit_and_non_hit() {
        let g = glossary();
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "北韩发射了导弹。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("朝鲜"));
        assert_eq!(f[0].target_span.as_ref().unwrap().text, "北韩");
        // 北朝鲜 (forbidden) wins over 朝鲜 (approved) inside it: one finding.
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "北朝鲜发射了导弹。")],
        );
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
        let f = lint(
            &g,
            "zh",
            &[("The DPRK launched a missile.", "朝鲜发射了导弹。")],
        );
        assert!(f.is_empty());
    }

    #[test]
    fn term_inconsistent_reports_the_minority() {
        let g = glossary();
        let f = lint(
            &g,
            "zh",
            &[
                ("The Republic of Korea said.", "大韩民国表示。"),
                ("The Republic of Korea agreed.", "韩国表示同意。"),
                ("The ROK replied.", "韩国作出回应。"),
            ],
        );
        assert_eq!(ids(&f), vec![(1, "term-inconsistent")]);
        assert_eq!(f[0].suggestion.as_deref(), Some("韩国"));
        let f = lint(
            &g,
            "zh",
            &[
                ("The Republic of Korea said.", "韩国表示。"),
                ("The ROK replied.", "韩国作出回应。"),
            ],
        );
        assert!(f.is_empty());
    }

    #[test]
    fn target_only_checks_forbidden_terms() {
        let g = glossary();
        let langs = Langs {
            source: None,
            target: LangTag::parse("ko").unwrap(),
        };
        let mut l = Linter::new("d.txt", langs, RuleSelection::default()).with_glossary(&g);
        let f = l
            .check(&Segment::new(1, None, Some("북조선이 발사했다.")))
            .unwrap();
        assert_eq!(ids(&f), vec![(1, "term-forbidden")]);
    }
}
