//! Problems in a glossary (`concord glossary check`).
//!
//! | code | severity | what |
//! | --- | --- | --- |
//! | `duplicate-id` | error | two entries share an id |
//! | `approved-and-forbidden` | error | a variant is both approved and forbidden in one entry and language |
//! | `empty-language` | warning | a language column is empty in every row |
//! | `no-terms` | warning | an entry has no term at all |
//! | `conflicting-translations` | warning | the same source term (first language column) in two entries with different translations |
//! | `duplicate-entry` | info | the same source term in two entries with the same translations |
//! | `forbidden-elsewhere` | info | a forbidden variant of one entry is an approved variant of another, or inside one (韩半岛 forbidden for "Korean Peninsula" yet part of 韩半岛和平交涉本部长); allowed, but worth knowing |
//! | `white-space` | warning | tabs, non-breaking or ideographic spaces, line breaks, invisible characters or doubled spaces inside a term |
//! | `padding` | info | white space at the start or end of a cell (`fmt` removes it) |
//! | `mixed-script` | warning | a term mixing scripts (Hangul with Han, Latin with Cyrillic look-alikes), or in a script its column's language does not use (Han in `ko`, Hangul in `zh`, CJK in `en`) |
//! | `strict-not-korean` | info | `strict` names a language whose terms have no Hangul (it changes nothing) |
//!
//! | `skipped-row` | warning | a row the reader skipped (a load warning, [`super::LoadWarning`]) |
//!
//! Every finding is a [`Diagnostic`] and carries the line of the row (or of the header).
//! [`CheckReport::print`] prints a report through any printer of [`crate::diag::printer`]
//! (text, JSON with schema `concord-glossary-check/1`, SARIF 2.1.0). "Notices" of earlier
//! versions are `info` now: there is one [`Severity`] in concord.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::diag::printer::{End, Printer, Run};
use crate::diag::{Checker, Counts, Diagnostic, GlossaryCode, Severity, Status, Summary};
use crate::error::Location;
use crate::lang::{LangRange, LangTag};
use crate::text::{match_key, script_of, Script, ScriptCounts};

use super::{Column, Glossary, Recognizer};

/// One record of a table: its line (1-based, where the record starts) and raw cells.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The cells as written.
    pub cells: Vec<String>,
}

/// A glossary file read as a table, before interpretation: what the check looks at
/// (made by [`crate::formats::glossary`]).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The entries read from it.
    pub glossary: Glossary,
    /// Every record, as written.
    pub records: Vec<RawRecord>,
    /// The columns of each data record when the layout has a header (raw cells index).
    pub header: Option<(u64, Vec<Column>)>,
}

/// One problem: a [`Diagnostic`] whose code is a [`GlossaryCode`].
pub type Finding = Diagnostic;

/// The result of checking a file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The file.
    pub path: String,
    /// Number of entries read.
    pub entries: usize,
    /// The findings, by line (errors first on a line), then the warnings of the load.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Number of findings of this severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// The findings by severity.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.findings)
    }

    /// Print the report through `printer` (text, JSON, SARIF, or a [`Collect`]).
    ///
    /// [`Collect`]: crate::diag::printer::Collect
    pub fn print(&self, printer: &mut dyn Printer) -> std::io::Result<Status> {
        printer.begin(&Run {
            checker: Checker::GlossaryCheck,
            file: self.path.clone(),
        })?;
        for f in &self.findings {
            printer.diagnostic(f)?;
        }
        let end = End {
            summary: self,
            error: None,
        };
        printer.end(&end)?;
        Ok(end.status())
    }
}

impl Summary for CheckReport {
    fn counts(&self) -> Counts {
        CheckReport::counts(self)
    }

    fn line(&self) -> String {
        let c = CheckReport::counts(self);
        format!(
            "{}: {} entries, {} error(s), {} warning(s), {} info",
            self.path, self.entries, c.errors, c.warnings, c.info
        )
    }

    fn json_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("path".into(), self.path.clone().into());
        m.insert("entries".into(), self.entries.into());
        m.insert(
            "summary".into(),
            serde_json::to_value(CheckReport::counts(self)).expect("counts serialize"),
        );
        m
    }
}

/// Check a glossary file read as a table (`langs`: the languages of a headerless file's
/// columns, as given by the user). [`crate::formats::glossary::check_file`] reads a file
/// and calls this.
pub fn check_loaded(path: &Path, loaded: &Loaded, langs: &[LangTag]) -> CheckReport {
    let g = &loaded.glossary;
    let mut findings = Vec::new();
    let header_line = loaded.header.as_ref().map(|(l, _)| *l);
    // Raw cells: white space and scripts.
    let langs_of = |rec: &RawRecord| -> Vec<Option<LangTag>> {
        match &loaded.header {
            Some((_, cols)) => cols
                .iter()
                .map(|c| match c {
                    Column::Lang(t) | Column::Forbidden(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            None if !langs.is_empty() => langs.iter().cloned().map(Some).collect(),
            None => {
                // DeepL: source, target, source language, target language.
                let t = |i: usize| rec.cells.get(i).and_then(|c| LangTag::parse(c.trim()).ok());
                vec![t(2), t(3)]
            }
        }
    };
    for rec in &loaded.records {
        if header_line == Some(rec.line) {
            continue;
        }
        let langs = langs_of(rec);
        for (i, cell) in rec.cells.iter().enumerate() {
            let Some(Some(tag)) = langs.get(i) else {
                continue;
            };
            raw_cell(cell, tag, &Location::line(path, rec.line), &mut findings);
        }
    }
    findings.extend(check_glossary(g, path, header_line));
    findings.extend(g.warnings().iter().cloned());
    findings.sort_by_key(|f| (f.line(), std::cmp::Reverse(f.severity)));
    CheckReport {
        path: path.display().to_string(),
        entries: g.entries.len(),
        findings,
    }
}

fn raw_cell(cell: &str, tag: &LangTag, at: &Location, out: &mut Vec<Finding>) {
    if cell.trim() != cell && !cell.trim().is_empty() {
        out.push(Finding::new(
            GlossaryCode::Padding,
            format!("{tag} cell {cell:?} has white space at its start or end"),
            at.clone(),
        ));
    }
    for part in cell.split('|') {
        let term = part.trim_matches(' ');
        if term.is_empty() {
            continue;
        }
        let odd = term.chars().find(|c| {
            (c.is_whitespace() && *c != ' ')
                || matches!(
                    *c,
                    '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
                )
        });
        if let Some(c) = odd {
            out.push(Finding::new(
                GlossaryCode::WhiteSpace,
                format!(
                    "{tag} term {:?} contains U+{:04X} (use a plain space or nothing)",
                    term.trim(),
                    c as u32
                ),
                at.clone(),
            ));
        } else if term.contains("  ") {
            out.push(Finding::new(
                GlossaryCode::WhiteSpace,
                format!("{tag} term {term:?} contains doubled spaces"),
                at.clone(),
            ));
        }
        if let Some(msg) = mixed_script(term.trim(), tag) {
            out.push(Finding::new(GlossaryCode::MixedScript, msg, at.clone()));
        }
    }
}

fn mixed_script(term: &str, tag: &LangTag) -> Option<String> {
    let s = ScriptCounts::of(term);
    let family = tag.family();
    let foreign = match family {
        "en" => (s.hangul + s.han + s.kana > 0).then_some("CJK characters"),
        "ko" if s.han > 0 => Some("Han characters (hanja)"),
        "ko" if s.kana > 0 => Some("kana"),
        "zh" if s.hangul > 0 => Some("Hangul"),
        "zh" if s.kana > 0 => Some("kana"),
        _ => None,
    };
    if let Some(what) = foreign {
        return Some(format!("{tag} term {term:?} contains {what}"));
    }
    // Latin mixed with other letters inside one word: look-alike letters.
    for word in term.split(|c: char| !c.is_alphanumeric()) {
        let mut latin = false;
        let mut other = false;
        for c in word.chars() {
            match script_of(c) {
                Script::Latin => latin = true,
                Script::OtherLetter => other = true,
                _ => {}
            }
        }
        if latin && other {
            return Some(format!(
                "{tag} term {term:?}: the word {word:?} mixes Latin with other letters (a look-alike character?)"
            ));
        }
    }
    if s.hangul > 0 && s.han > 0 {
        return Some(format!("{tag} term {term:?} mixes Hangul and Han"));
    }
    None
}

/// Check the entries of a glossary read from `path` (lines come from the entries'
/// locations; `header_line` is used for column findings).
pub fn check_glossary(g: &Glossary, path: &Path, header_line: Option<u64>) -> Vec<Finding> {
    let mut out = Vec::new();
    let line = |i: usize| g.location(i).and_then(|l| l.line);
    let at = |line: Option<u64>| Location {
        path: path.to_path_buf(),
        line,
        column: None,
    };
    let label = |i: usize| match &g.entries[i].id {
        Some(id) => format!("entry {id}"),
        None => match line(i) {
            Some(l) => format!("the entry of line {l}"),
            None => format!("entry #{}", i + 1),
        },
    };
    // Empty language columns.
    for c in g.declared_columns() {
        if let Column::Lang(t) = c {
            let used = g
                .entries
                .iter()
                .any(|e| e.term_set(t).is_some_and(|s| !s.approved.is_empty()));
            if !used {
                out.push(Finding::new(
                    GlossaryCode::EmptyLanguage,
                    format!("the {t} column is empty in every row"),
                    at(header_line),
                ));
            }
        }
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, e) in g.entries.iter().enumerate() {
        if let Some(id) = &e.id {
            if let Some(first) = ids.insert(id, i) {
                out.push(Finding::new(
                    GlossaryCode::DuplicateId,
                    format!(
                        "id {id:?} is used twice (also at line {})",
                        line(first).map_or("?".into(), |l| l.to_string())
                    ),
                    at(line(i)),
                ));
            }
        }
        if e.has_no_terms() {
            out.push(Finding::new(
                GlossaryCode::NoTerms,
                format!("{} has no term in any language", label(i)),
                at(line(i)),
            ));
        }
        for (t, set) in &e.terms {
            if set.forbidden.is_empty() {
                continue;
            }
            // One key per approved variant (linear, not approved × forbidden keys).
            let approved: std::collections::HashSet<String> =
                set.approved.iter().map(|a| match_key(a)).collect();
            for f in &set.forbidden {
                let k = match_key(f);
                if approved.contains(&k) {
                    out.push(Finding::new(
                        GlossaryCode::ApprovedAndForbidden,
                        format!("{t} variant {f:?} is both approved and forbidden"),
                        at(line(i)),
                    ));
                }
            }
        }
        for item in e
            .prop(super::QUALIFIER_COLUMN)
            .map(super::parse_qualifiers)
            .unwrap_or_default()
        {
            let problem = match item {
                Err(why) => Some(why),
                Ok((t, v, _)) => {
                    let key = match_key(&v);
                    let known = e.term_set(&t).is_some_and(|s| {
                        s.approved
                            .iter()
                            .chain(&s.forbidden)
                            .any(|x| match_key(x) == key)
                    });
                    (!known).then(|| format!("{t}:{v} is no variant of the entry"))
                }
            };
            if let Some(why) = problem {
                out.push(Finding::new(
                    GlossaryCode::BadQualifier,
                    format!("{}: qualifier {why}: it is ignored", label(i)),
                    at(line(i)),
                ));
            }
        }
        for t in &e.strict {
            let hangul = e.term_set(t).is_some_and(|s| {
                s.approved
                    .iter()
                    .chain(&s.forbidden)
                    .any(|v| ScriptCounts::of(v).hangul > 0)
            });
            if !hangul {
                out.push(Finding::new(GlossaryCode::StrictNotKorean, format!(
                        "strict names {t}, but {} has no Hangul term in {t}: strict changes nothing",
                        label(i)
                    ), at(line(i))));
            }
        }
    }
    // Same source term in two entries.
    let source = g.columns().into_iter().find_map(|c| match c {
        Column::Lang(t) => Some(t),
        _ => None,
    });
    if let Some(src) = source {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in g.entries.iter().enumerate() {
            if let Some(set) = e.term_set(&src) {
                let mut keys: Vec<String> = set.approved.iter().map(|v| match_key(v)).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    by_key.entry(k).or_default().push(i);
                }
            }
        }
        let translations = |i: usize| -> Vec<(LangTag, Vec<String>)> {
            let mut v: Vec<(LangTag, Vec<String>)> = g.entries[i]
                .terms
                .iter()
                .filter(|(t, s)| *t != src && !s.approved.is_empty())
                .map(|(t, s)| (t.clone(), s.approved.iter().map(|a| match_key(a)).collect()))
                .collect();
            v.sort();
            v
        };
        let mut groups: Vec<(String, Vec<usize>)> =
            by_key.into_iter().filter(|(_, v)| v.len() > 1).collect();
        groups.sort_by_key(|(_, v)| v[0]);
        for (k, idx) in groups {
            let first = idx[0];
            let first_translations = translations(first);
            for &other in &idx[1..] {
                let same = first_translations == translations(other);
                let term = g.entries[other]
                    .term_set(&src)
                    .and_then(|s| s.approved.iter().find(|a| match_key(a) == k))
                    .cloned()
                    .unwrap_or(k.clone());
                out.push(Finding::new(
                    if same {
                        GlossaryCode::DuplicateEntry
                    } else {
                        GlossaryCode::ConflictingTranslations
                    },
                    format!(
                        "{src} term {term:?} is also in {} {}",
                        label(first),
                        if same {
                            "with the same translations".to_string()
                        } else {
                            "with different translations".to_string()
                        }
                    ),
                    at(line(other)),
                ));
            }
        }
    }
    // Forbidden variants that are approved elsewhere, or inside an approved variant.
    for tag in g.languages() {
        let Ok(range) = LangRange::parse(tag.as_str()) else {
            continue;
        };
        let has_forbidden = g
            .entries
            .iter()
            .any(|e| e.term_set(&tag).is_some_and(|s| !s.forbidden.is_empty()));
        if !has_forbidden {
            continue;
        }
        let r = Recognizer::new(g, &range, true);
        for (b, e) in g.entries.iter().enumerate() {
            let Some(set) = e.term_set(&tag) else {
                continue;
            };
            for approved in &set.approved {
                for h in r.find_all(approved) {
                    if !h.forbidden || h.entry == b {
                        continue;
                    }
                    let exact = h.matched.chars().count() == approved.chars().count();
                    out.push(Finding::new(
                        GlossaryCode::ForbiddenElsewhere,
                        format!(
                            "{tag} {:?} is forbidden in {} but {} approved {:?} of {}",
                            h.variant,
                            label(h.entry),
                            if exact { "is the" } else { "part of the" },
                            approved,
                            label(b)
                        ),
                        at(line(b)),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::{check_file, CsvOptions};

    fn check(text: &str) -> Vec<(Option<u64>, &'static str)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.csv");
        std::fs::write(&p, text).unwrap();
        let r = check_file(&p, &CsvOptions::default()).unwrap();
        r.findings
            .iter()
            .map(|f| (f.location.line, f.code.id()))
            .collect()
    }

    #[test]
    fn each_problem_is_found_with_its_line() {
        let text = "id,en,ko,zh,zh-Hant,zh:forbidden,strict\n\
            kp,Korean Peninsula,한반도,朝鲜半岛,,韩半岛,\n\
            srkp,Special Representative for Korean Peninsula Peace and Security Affairs,한반도평화교섭본부장,韩半岛和平交涉本部长,,,\n\
            kp,Korea,한국,韩国,,韩国,\n\
            x,Korean Peninsula,조선반도,朝鲜半岛,,,en\n\
            y, Seoul ,서울\u{3000}특별시,首尔,,,\n\
            z,Seoul,北韓,首尔,,,\n\
            w,K\u{043E}rea,고려,高丽,,,\n";
        let got = check(text);
        let want = vec![
            (Some(1), "empty-language"),
            (Some(3), "forbidden-elsewhere"),
            (Some(4), "duplicate-id"),
            (Some(4), "approved-and-forbidden"),
            (Some(5), "conflicting-translations"),
            (Some(5), "strict-not-korean"),
            (Some(6), "white-space"),
            (Some(6), "padding"),
            (Some(7), "mixed-script"),
            (Some(7), "conflicting-translations"),
            (Some(8), "mixed-script"),
        ];
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got_sorted, want_sorted, "{got:?}");
    }

    #[test]
    fn bad_qualifiers_are_reported_good_ones_are_not() {
        // NFD Hangul in the cell still names the NFC variant; a Traditional variant is
        // not one of the Simplified column.
        let text = "id,en,ko,zh,zh-Hant,qualifier\n\
            vm,Vice Minister,차관|부부장,副部长|次官,副部長|次長,ko:\u{110E}\u{1161}\u{1100}\u{116A}\u{11AB}=ROK|zh-Hant:次長=TW\n\
            a,Envoy,특사,特使,,zh:特使=X|zh:特別代表=Y\n\
            b,Minister,장관,部长,,ko:장관\n\
            c,Embassy,대사관,大使馆,,xx-yy-zz:x=y\n";
        let mut got = check(text);
        got.sort();
        assert_eq!(
            got,
            vec![
                (Some(3), "bad-qualifier"),
                (Some(4), "bad-qualifier"),
                (Some(5), "bad-qualifier"),
            ]
        );
    }

    #[test]
    fn the_sample_glossary_has_no_errors() {
        let p = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/glossaries/diplomatic.csv"
        ));
        let r = check_file(p, &CsvOptions::default()).unwrap();
        assert_eq!(r.count(Severity::Error), 0, "{:#?}", r.findings);
    }
}
