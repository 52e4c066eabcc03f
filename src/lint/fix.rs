//! `concord lint --fix`: rewrite forbidden variants to the entry's preferred approved
//! variant, in the draft file itself, every other byte kept.
//!
//! [`plan`] reads the draft with the one draft reader (which records where each target's
//! characters are in the file, [`crate::formats::segment::TextRun`]), finds the forbidden
//! variants `term-forbidden` reports (the same recognizer), and replaces each one at its
//! bytes ([`crate::formats::splice`]): the document is never re-serialized, so inline
//! tags, attributes, entities, quoting, line ends and the byte-order mark stay as they
//! were, and the replacement is escaped for its place (XML, a quoted CSV cell).
//!
//! A hit is fixed only when the replacement is certain; otherwise it is reported as
//! [`NotFixed`] with the reason:
//!
//! * the entry has one preferred approved variant for the target language (not none, not
//!   different ones for several tags the language selects), and no other entry forbids
//!   the same words with another replacement;
//! * no approved term of another entry overlaps the hit (a term the recognizer left out
//!   in favour of the forbidden one), and the hit is the variant as written (not an
//!   English inflection such as *Peking's*);
//! * the hit lies in one stretch of text in the file: not across an inline tag, not inside
//!   a placeholder (`{0}`, `%s`, `<b>`), without a line break;
//! * in Korean, the particle after it agrees with the replacement or can be made to
//!   ([`super::particles`]: 몽고는 → 몽골은);
//! * the replacement can be written there (no TAB in a TSV cell, no delimiter in an
//!   unquoted CSV cell) and makes no forbidden term with the text around it;
//! * the segment is not locked in the file (SDLXLIFF `locked="true"`, memoQ `mq:locked`,
//!   an XLIFF 2.0 lock): a locked translation is still linted, but changed only by hand.
//! * the hit is not in text the file protects (XLIFF `<mrk mtype="protected">`, a `<mrk
//!   translate="no">`): it is reported, never rewritten.
//!
//! The replacement keeps the draft's normalization form: a hit written in NFD (conjoining
//! jamo) is replaced by the NFD of the preferred variant. After a fix, running [`plan`]
//! again finds nothing to fix.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::baseline::Baseline;
use super::particles;
use super::{lookup_range, read_draft, DraftEvent, DraftFormat, DraftRequest, Rule, RuleSelection};
use crate::error::{Error, ErrorKind, Result};
use crate::formats::segment::{SegText, Segment};
use crate::formats::splice::{self, RunBytes};
use crate::glossary::{Glossary, Recognizer, TermHit};
use crate::lang::LangRange;
use crate::output::Policy;
use crate::text::{match_key, nfc, nfd};

/// One change a fix made (or, in a dry run, would make).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The segment's number in the draft.
    pub segment: u64,
    /// The segment's id in the file, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Line of the replaced text in the file.
    pub line: u64,
    /// Column (1-based, in characters) of the replaced text.
    pub column: u64,
    /// The rule whose finding the change fixes.
    pub rule: String,
    /// The glossary entry (its id, or its number).
    pub entry: String,
    /// The text replaced (the forbidden variant, and the particle after it when that
    /// changed too).
    pub from: String,
    /// What replaced it.
    pub to: String,
}

/// A finding that could be fixed only by guessing, left as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotFixed {
    /// The segment's number in the draft.
    pub segment: u64,
    /// The segment's id in the file, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Line of the text in the file.
    pub line: u64,
    /// Column (1-based, in characters).
    pub column: u64,
    /// The rule of the finding.
    pub rule: String,
    /// The glossary entry.
    pub entry: String,
    /// The forbidden text.
    pub text: String,
    /// Why it was not fixed.
    pub why: String,
}

/// What a fix changed in one draft, per rule, and what it left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FixReport {
    /// The draft file.
    pub file: String,
    /// True for a dry run: nothing was written.
    pub dry_run: bool,
    /// True when the file was rewritten.
    pub written: bool,
    /// Changes per rule id.
    pub by_rule: BTreeMap<String, u64>,
    /// The changes, in file order.
    pub changes: Vec<Change>,
    /// Findings left as they were, with the reason.
    pub not_fixed: Vec<NotFixed>,
    /// Findings the baseline silences: left as they are, not counted as not fixed.
    pub silenced: u64,
    /// A dry run's unified diff (empty when nothing would change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl FixReport {
    /// The one-line summary: `draft.tsv: fixed 2 (term-forbidden: 2), 1 not fixed`.
    pub fn line(&self) -> String {
        let per_rule = self
            .by_rule
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let what = if self.dry_run { "would fix" } else { "fixed" };
        let mut s = format!("{}: {what} {}", self.file, self.changes.len());
        if !per_rule.is_empty() {
            s += &format!(" ({per_rule})");
        }
        s += &format!(", {} not fixed", self.not_fixed.len());
        if self.written {
            s += ", file rewritten";
        }
        s
    }

    /// One line per change and per finding not fixed, in file order, then
    /// [`FixReport::line`]: `draft.tsv:2:1: fixed term-forbidden: 북조선은 → 북한은`.
    pub fn lines(&self) -> Vec<String> {
        let what = if self.dry_run { "would fix" } else { "fixed" };
        let mut at: Vec<(u64, u64, String)> = self
            .changes
            .iter()
            .map(|c| {
                let l = format!(
                    "{}:{}:{}: {what} {}: {} → {}",
                    self.file, c.line, c.column, c.rule, c.from, c.to
                );
                (c.line, c.column, l)
            })
            .collect();
        at.extend(self.not_fixed.iter().map(|n| {
            let l = format!(
                "{}:{}:{}: not fixed {}: {}: {}",
                self.file, n.line, n.column, n.rule, n.text, n.why
            );
            (n.line, n.column, l)
        }));
        at.sort_by_key(|(l, c, _)| (*l, *c));
        let mut out: Vec<String> = at.into_iter().map(|(_, _, l)| l).collect();
        out.push(self.line());
        out
    }

    /// True when the draft has (or had) something to fix: a change, or a finding left.
    pub fn anything(&self) -> bool {
        !self.changes.is_empty() || !self.not_fixed.is_empty()
    }
}

/// A fix worked out but not written: the report and the file's bytes before and after.
#[derive(Debug, Clone)]
pub struct FixPlan {
    /// What changes and what is left.
    pub report: FixReport,
    /// The file as it is.
    pub original: Vec<u8>,
    /// The file fixed.
    pub fixed: Vec<u8>,
}

impl FixPlan {
    /// The unified diff from the file to the fixed file (empty when equal).
    pub fn diff(&self) -> String {
        let name = self.report.file.trim_start_matches("./");
        splice::unified_diff(
            name,
            &String::from_utf8_lossy(&self.original),
            &String::from_utf8_lossy(&self.fixed),
        )
    }
}

/// What [`fix`] does besides planning.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Write nothing; put the diff in the report.
    pub dry_run: bool,
    /// What the rewritten draft may replace (a read-only draft only with `force`; never
    /// the open memory).
    pub policy: Policy,
}

/// Fix a draft: [`plan`], then write the fixed bytes over the draft through the atomic
/// output path ([`crate::output`]: a temporary file renamed over it), or, for a dry run,
/// put the diff in the report. A draft with nothing to change is not rewritten.
pub fn fix(
    req: &DraftRequest,
    glossary: &Glossary,
    rules: &RuleSelection,
    baseline: Option<&Baseline>,
    opts: &FixOptions,
) -> Result<FixReport> {
    let plan = plan(req, glossary, rules, baseline)?;
    let mut report = plan.report.clone();
    report.dry_run = opts.dry_run;
    if opts.dry_run {
        report.diff = Some(plan.diff());
    } else if plan.fixed != plan.original {
        crate::output::write_bytes(&req.path, &opts.policy, &plan.fixed)?;
        report.written = true;
    }
    Ok(report)
}

/// A hit the fix may rewrite, before its place in the file is checked.
struct Candidate {
    start: usize,
    /// End of the rewritten text (after the particle, when it changes).
    end: usize,
    from: String,
    to: String,
}

/// Work out the fix of a draft without writing it (see the module documentation). The
/// rules decide whether anything is fixed (`term-forbidden` must be on); a finding the
/// baseline silences is left as it is.
pub fn plan(
    req: &DraftRequest,
    glossary: &Glossary,
    rules: &RuleSelection,
    baseline: Option<&Baseline>,
) -> Result<FixPlan> {
    let path = &req.path;
    let format = req.resolved_format()?;
    if format == DraftFormat::Text {
        return Err(Error::bad_request(
            "only TSV, CSV, XLIFF and TMX drafts can be fixed in place, not plain text",
        ));
    }
    if crate::formats::input::is_stdin(path) {
        return Err(Error::parse_file(
            path,
            "the standard input cannot be fixed in place: give the draft's file name",
        ));
    }
    if req.content.is_some() {
        return Err(Error::parse_file(
            path,
            "a draft held in memory cannot be fixed in place: give the draft's file name",
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::parse_file(
            path,
            "a draft to fix must be a regular file (not a pipe or a device)",
        ));
    }
    let original = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if original.starts_with(&[0xFF, 0xFE]) || original.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::parse_file(
            path,
            "the draft is UTF-16: only UTF-8 drafts are fixed in place (save it as UTF-8)",
        ));
    }
    let bom = if original.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let doc = &original[bom..];
    let mut target_range: Option<LangRange> = None;
    let mut segments: Vec<Segment> = Vec::new();
    read_draft(req, |ev| {
        match ev {
            DraftEvent::Start(l) => target_range = Some(lookup_range(&l.target)),
            DraftEvent::Segment(s) => {
                if s.target.as_ref().is_some_and(|t| !t.is_blank()) {
                    segments.push(s);
                }
            }
        }
        Ok(())
    })?;
    let range =
        target_range.ok_or_else(|| Error::new(ErrorKind::Internal, "a draft without languages"))?;
    let mut report = FixReport {
        file: path.display().to_string(),
        ..FixReport::default()
    };
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    if rules.on(Rule::TermForbidden) && glossary.has_language(&range) {
        let rec = Recognizer::new(glossary, &range, true);
        let korean = range.to_string().starts_with("ko");
        let fixer = Fixer {
            glossary,
            range: &range,
            rec: &rec,
            korean,
            baseline,
        };
        for seg in &segments {
            fixer.segment(doc, seg, &mut report, &mut edits);
        }
    }
    let fixed_doc = splice::apply(doc, &edits).ok_or_else(|| {
        Error::new(
            ErrorKind::Internal,
            "two fixes of the draft overlap in the file",
        )
    })?;
    let mut fixed = original[..bom].to_vec();
    fixed.extend_from_slice(&fixed_doc);
    if !report.changes.is_empty() {
        report.by_rule.insert(
            Rule::TermForbidden.id().to_string(),
            report.changes.len() as u64,
        );
    }
    Ok(FixPlan {
        report,
        original,
        fixed,
    })
}

struct Fixer<'a> {
    glossary: &'a Glossary,
    range: &'a LangRange,
    rec: &'a Recognizer,
    korean: bool,
    baseline: Option<&'a Baseline>,
}

impl Fixer<'_> {
    fn entry_key(&self, e: usize) -> String {
        self.glossary.entries[e]
            .id
            .clone()
            .unwrap_or_else(|| (e + 1).to_string())
    }

    /// The one replacement for entry `e`, or why there is none.
    fn preferred(&self, e: usize) -> std::result::Result<&str, String> {
        let mut prefs: Vec<&str> = self.glossary.entries[e]
            .terms_in(self.range)
            .filter_map(|(_, s)| s.preferred())
            .collect();
        prefs.dedup();
        match prefs.as_slice() {
            [] => Err(format!(
                "the entry has no approved variant in {}",
                self.range
            )),
            [p] => Ok(p),
            many => Err(format!(
                "the entry has several preferred variants for {} ({})",
                self.range,
                many.join(", ")
            )),
        }
    }

    /// The fixes of one segment's target: edits for the file, changes and findings left
    /// for the report.
    fn segment(
        &self,
        doc: &[u8],
        seg: &Segment,
        report: &mut FixReport,
        edits: &mut Vec<(Range<usize>, String)>,
    ) {
        let Some(t) = seg.target.as_ref() else {
            return;
        };
        let hits: Vec<TermHit> = self.rec.find(&t.text);
        if !hits.iter().any(|h| h.forbidden) {
            return;
        }
        let all = self.rec.find_all(&t.text);
        let chars: Vec<char> = t.text.chars().collect();
        let mut located: Vec<Option<Option<RunBytes>>> = vec![None; t.runs.len()];
        for h in hits.iter().filter(|h| h.forbidden) {
            if let Some(b) = self.baseline {
                // The finding term-forbidden reports, as the baseline knows it.
                let key = self.glossary.entries[h.entry]
                    .id
                    .clone()
                    .unwrap_or_else(|| h.entry.to_string());
                let fp = super::fingerprint(
                    Rule::TermForbidden,
                    seg.source.as_ref().map(|s| s.text.as_str()),
                    Some(&t.text),
                    &format!("{key}\u{1}{}", h.variant),
                );
                if b.silences(Rule::TermForbidden, &fp) {
                    report.silenced += 1;
                    continue;
                }
            }
            let (line, column) = t.position(h.start);
            let entry = self.entry_key(h.entry);
            let outcome = if seg.lock.is_locked() {
                Err("the segment is locked in the file (a confirmed translation): unlock it in the editor to change it".to_string())
            } else {
                self.candidate(t, &chars, h, &all)
                    .and_then(|c| self.place(doc, t, &chars, &c, &mut located).map(|e| (c, e)))
            };
            match outcome {
                Ok((c, edit)) => {
                    edits.push(edit);
                    report.changes.push(Change {
                        segment: seg.number,
                        id: seg.id.clone(),
                        line,
                        column,
                        rule: Rule::TermForbidden.id().to_string(),
                        entry,
                        from: c.from,
                        to: c.to,
                    });
                }
                Err(why) => report.not_fixed.push(NotFixed {
                    segment: seg.number,
                    id: seg.id.clone(),
                    line,
                    column,
                    rule: Rule::TermForbidden.id().to_string(),
                    entry,
                    text: h.matched.clone(),
                    why,
                }),
            }
        }
    }

    /// The replacement of hit `h` in the plain text, or why it is not certain.
    fn candidate(
        &self,
        t: &SegText,
        chars: &[char],
        h: &TermHit,
        all: &[TermHit],
    ) -> std::result::Result<Candidate, String> {
        let preferred = self.preferred(h.entry)?;
        // Another entry forbids the same words and wants something else.
        let others: Vec<String> = all
            .iter()
            .filter(|o| o.forbidden && o.entry != h.entry && (o.start, o.end) == (h.start, h.end))
            .filter(|o| self.preferred(o.entry).ok() != Some(preferred))
            .map(|o| self.entry_key(o.entry))
            .collect();
        if !others.is_empty() {
            return Err(format!(
                "entries {} and {} both forbid it: which concept is meant is the translator's call",
                self.entry_key(h.entry),
                others.join(", ")
            ));
        }
        if let Some(o) = all.iter().find(|o| {
            !o.forbidden
                && o.start < h.end
                && h.start < o.end
                && !(h.start <= o.start && o.end <= h.end)
        }) {
            return Err(format!("it overlaps the approved term {}", o.matched));
        }
        if match_key(&h.matched) != match_key(&h.variant) {
            return Err(format!(
                "{} is an inflected form of {}: rewrite it by hand",
                h.matched, h.variant
            ));
        }
        if h.matched.contains(['\n', '\r']) {
            return Err("it runs over a line break".into());
        }
        // Keep the draft's normalization form.
        let decomposed = nfc(&h.matched) != h.matched.as_str();
        let new = if decomposed {
            nfd(preferred)
        } else {
            preferred.to_string()
        };
        let mut from = h.matched.clone();
        let mut to = new.clone();
        let mut end = h.end;
        if self.korean {
            let after: String = chars[h.end..].iter().collect();
            match particles::agree(&h.matched, &new, &after) {
                Ok(None) => {}
                Ok(Some(rw)) => {
                    let old = &after[..rw.len];
                    from.push_str(old);
                    to.push_str(&rw.particle);
                    end += old.chars().count();
                }
                Err(u) => return Err(u.0),
            }
        }
        // The edit ends where the particle step ends it (`end`), not at the hit's end.
        if t.protected.iter().any(|p| p.start < end && h.start < p.end) {
            return Err(
                "the file protects this text (<mrk mtype=\"protected\"> or translate=\"no\"): change it by hand if it must change"
                    .into(),
            );
        }
        if t.tags.iter().any(|g| g.offset > h.start && g.offset < end) {
            return Err("an inline tag is inside it".into());
        }
        if super::checks::placeholders(&t.text)
            .iter()
            .any(|p| p.start < end && h.start < p.end)
        {
            return Err("it is inside a placeholder or tag".into());
        }
        // The replacement must not make a forbidden term with the text around it.
        let mut fixed: String = chars[..h.start].iter().collect();
        fixed.push_str(&to);
        let new_end = fixed.chars().count();
        fixed.extend(&chars[end..]);
        // Every candidate counts, not only the ones the recognizer keeps (北 + 朝鲜半岛…
        // reads 北朝鲜), unless an approved term holds it whole.
        let around = self.rec.find_all(&fixed);
        let held = |o: &TermHit| {
            around
                .iter()
                .any(|a| !a.forbidden && a.start <= o.start && o.end <= a.end)
        };
        if let Some(bad) = around
            .iter()
            .find(|o| o.forbidden && o.start < new_end && h.start < o.end && !held(o))
        {
            return Err(format!(
                "{to} would make the forbidden term {} with the text around it",
                bad.matched
            ));
        }
        Ok(Candidate {
            start: h.start,
            end,
            from,
            to,
        })
    }

    /// The file edit of a candidate: its bytes and the escaped replacement.
    fn place(
        &self,
        doc: &[u8],
        t: &SegText,
        chars: &[char],
        c: &Candidate,
        located: &mut [Option<Option<RunBytes>>],
    ) -> std::result::Result<(Range<usize>, String), String> {
        let Some(ri) = t
            .runs
            .iter()
            .position(|r| r.offset <= c.start && c.end <= r.offset + r.chars)
        else {
            return Err("it is not one stretch of text in the file (markup inside it)".into());
        };
        let run = &t.runs[ri];
        let rb = located[ri].get_or_insert_with(|| {
            chars
                .get(run.offset..run.offset + run.chars)
                .and_then(|cs| RunBytes::locate(doc, run, cs))
        });
        let Some(rb) = rb.as_ref() else {
            return Err("its bytes in the file are not the text read (the file changed?)".into());
        };
        let bytes = rb
            .bytes(c.start - run.offset, c.end - run.offset)
            .ok_or_else(|| "its bytes in the file could not be found".to_string())?;
        let written = splice::encode(rb.escape, &c.to)
            .ok_or_else(|| format!("{} cannot be written in this cell as it is quoted", c.to))?;
        Ok((bytes, written))
    }
}

/// The drafts [`plan`] can rewrite: the formats with byte positions.
pub fn can_fix(path: &Path, format: Option<DraftFormat>) -> bool {
    !matches!(
        format.or_else(|| DraftFormat::from_path(path)),
        Some(DraftFormat::Text) | None
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::glossary::CsvOptions;

    const GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden\n\
        dprk,DPRK,북한,朝鲜,북조선,北韩\n\
        seoul,Seoul,서울,首尔,,汉城\n\
        mongolia,Mongolia,몽골,蒙古,몽고,\n";

    fn glossary(csv: &str) -> Glossary {
        Glossary::from_csv_str(csv, Path::new("g.csv"), &CsvOptions::default()).unwrap()
    }

    fn plan_of(name: &str, bytes: &[u8], g: &str) -> (FixPlan, tempfile::TempDir) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let plan = plan(
            &DraftRequest::file(&p),
            &glossary(g),
            &RuleSelection::default(),
            None,
        )
        .unwrap();
        (plan, d)
    }

    /// `lint --fix` rewrote forbidden variants inside segments the file locks (a
    /// confirmed, signed-off translation in SDLXLIFF or memoQ): reported, never changed.
    #[test]
    fn locked_segments_are_reported_not_fixed() {
        let sdl = r#"<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
<file original="a.docx" datatype="x-sdlfilterframework2" source-language="en-US" target-language="zh-CN">
<body>
<trans-unit id="t1">
<source>Seoul. DPRK.</source>
<seg-source><mrk mtype="seg" mid="1">Seoul.</mrk> <mrk mtype="seg" mid="2">DPRK.</mrk></seg-source>
<target><mrk mtype="seg" mid="1">汉城。</mrk> <mrk mtype="seg" mid="2">北韩。</mrk></target>
<sdl:seg-defs><sdl:seg id="1" conf="Translated" locked="true"/><sdl:seg id="2" conf="Translated"/></sdl:seg-defs>
</trans-unit>
</body>
</file>
</xliff>
"#;
        let (p, _d) = plan_of("d.sdlxliff", sdl.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            sdl.replace("北韩。", "朝鲜。")
        );
        assert_eq!(p.report.changes.len(), 1);
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
        assert_eq!(p.report.not_fixed[0].text, "汉城");
        assert!(p.report.not_fixed[0].why.contains("locked"));

        let mq = r#"<?xml version="1.0" encoding="utf-8"?>
<xliff xmlns:mq="MQXliff" version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.docx" source-language="en" target-language="ko" datatype="x-docx">
<body>
<trans-unit id="1" mq:status="ManuallyConfirmed" mq:locked="locked">
<source xml:space="preserve">The DPRK</source>
<target xml:space="preserve">북조선</target>
</trans-unit>
</body>
</file>
</xliff>
"#;
        let (p, _d) = plan_of("d.mqxliff", mq.as_bytes(), GLOSSARY);
        assert_eq!(String::from_utf8(p.fixed.clone()).unwrap(), mq);
        assert!(p.report.changes.is_empty());
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
    }

    /// `lint --fix` rewrote a forbidden variant inside `<mrk mtype="protected">` (text
    /// the file says must not change): reported, never changed; the same variant outside
    /// the marker is fixed.
    #[test]
    fn fix_does_not_rewrite_inside_protected_mrk() {
        let x12 = r#"<xliff version="1.2"><file source-language="en" target-language="zh-CN" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>The DPRK delegation. The DPRK.</source>
<target><mrk mtype="protected">北韩</mrk>代表团。北韩。</target></trans-unit>
<trans-unit id="2"><source>The DPRK.</source><target><mrk mtype="x-note">北韩</mrk>。</target></trans-unit>
</body></file></xliff>
"#;
        let (p, _d) = plan_of("d.xlf", x12.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            x12.replace("代表团。北韩。", "代表团。朝鲜。")
                .replace("x-note\">北韩", "x-note\">朝鲜")
        );
        assert_eq!(p.report.changes.len(), 2, "{:?}", p.report);
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
        assert_eq!(p.report.not_fixed[0].id.as_deref(), Some("1"));
        assert!(p.report.not_fixed[0].why.contains("protects"));

        // XLIFF 2.0 `<mrk translate="no">`, and an SDLXLIFF sub-segment.
        let x20 = r#"<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="zh-CN"><file id="f"><unit id="u"><segment><source>The DPRK.</source><target><mrk id="m" translate="no">北韩</mrk>。</target></segment></unit></file></xliff>
"#;
        let (p, _d) = plan_of("d.xlf", x20.as_bytes(), GLOSSARY);
        assert_eq!(String::from_utf8(p.fixed.clone()).unwrap(), x20);
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
        let sdl = r#"<xliff xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0" version="1.2"><file source-language="en" target-language="zh-CN" datatype="x" original="a"><body>
<trans-unit id="t"><source>Seoul. DPRK.</source>
<seg-source><mrk mtype="seg" mid="1">Seoul.</mrk> <mrk mtype="seg" mid="2">DPRK.</mrk></seg-source>
<target><mrk mtype="seg" mid="1">汉城。</mrk> <mrk mtype="seg" mid="2"><mrk mtype="protected">北韩</mrk>。</mrk></target>
</trans-unit></body></file></xliff>
"#;
        let (p, _d) = plan_of("d.sdlxliff", sdl.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            sdl.replace("汉城", "首尔")
        );
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
        assert_eq!(p.report.not_fixed[0].id.as_deref(), Some("t#2"));
    }

    /// `lint --fix` rewrote text between an XLIFF 2.0 `<sm translate="no"/>` and its
    /// `<em/>` (only `<mrk>` was seen as protecting), and inside a 1.2 `<mrk
    /// its:translate="no">` (the attribute was looked up by its qualified name only).
    #[test]
    fn fix_does_not_rewrite_inside_sm_translate_no_or_its_translate_no() {
        let x20 = r#"<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="zh-CN"><file id="f"><unit id="u"><segment><source>The DPRK. The DPRK.</source><target><sm id="m" translate="no"/>北韩<em startRef="m"/>。北韩。</target></segment></unit>
<unit id="v"><segment><source>The DPRK.</source><target><sm id="k" type="term"/>北韩<em startRef="k"/>。</target></segment></unit></file></xliff>
"#;
        let (p, _d) = plan_of("d.xlf", x20.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            x20.replace("。北韩。", "。朝鲜。")
                .replace("type=\"term\"/>北韩", "type=\"term\"/>朝鲜")
        );
        assert_eq!(p.report.changes.len(), 2, "{:?}", p.report);
        assert_eq!(p.report.not_fixed.len(), 1, "{:?}", p.report);
        assert_eq!(p.report.not_fixed[0].id.as_deref(), Some("u"));
        assert!(p.report.not_fixed[0].why.contains("protects"));

        // ITS in XLIFF 1.2, under the usual prefix, another prefix bound to ITS, and a
        // prefix bound to something else (not protecting).
        let x12 = r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:its="http://www.w3.org/2005/11/its" xmlns:i2="http://www.w3.org/2005/11/its" xmlns:o="urn:other"><file source-language="en" target-language="zh-CN" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>The DPRK.</source><target><mrk mtype="x-its" its:translate="no">北韩</mrk>。</target></trans-unit>
<trans-unit id="2"><source>The DPRK.</source><target><mrk mtype="x-its" i2:translate="no">北韩</mrk>。</target></trans-unit>
<trans-unit id="3"><source>The DPRK.</source><target><mrk mtype="x-o" o:translate="no">北韩</mrk>。</target></trans-unit>
</body></file></xliff>
"#;
        let (p, _d) = plan_of("d.xlf", x12.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            x12.replace("o:translate=\"no\">北韩", "o:translate=\"no\">朝鲜")
        );
        assert_eq!(p.report.changes.len(), 1, "{:?}", p.report);
        let ids: Vec<_> = p.report.not_fixed.iter().map(|n| n.id.clone()).collect();
        assert_eq!(ids, [Some("1".to_string()), Some("2".to_string())]);
    }

    /// The protected-text and inline-tag checks stopped at the hit's end, but the
    /// Korean particle step extends the edit past it (몽고는 → 몽골은 rewrites 는 too):
    /// a particle the file protects, or behind an inline tag, was rewritten.
    #[test]
    fn fix_checks_the_edit_end_after_the_particle_step() {
        let x12 = r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" target-language="ko" datatype="plaintext" original="a"><body>
<trans-unit id="1"><source>Mongolia agreed.</source><target>몽고<mrk mtype="protected">는</mrk> 동의했다.</target></trans-unit>
<trans-unit id="2"><source>Mongolia agreed.</source><target>몽고<g id="1">는</g> 동의했다.</target></trans-unit>
<trans-unit id="3"><source>Mongolia agreed.</source><target>몽고는 동의했다.</target></trans-unit>
</body></file></xliff>
"#;
        let (p, _d) = plan_of("d.xlf", x12.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            x12.replace("<target>몽고는", "<target>몽골은")
        );
        assert_eq!(p.report.changes.len(), 1, "{:?}", p.report);
        let why: Vec<_> = p
            .report
            .not_fixed
            .iter()
            .map(|n| (n.id.clone(), n.why.clone()))
            .collect();
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(why[0].1.contains("protects"), "{why:?}");
        assert!(why[1].1.contains("inline tag"), "{why:?}");
    }

    #[test]
    fn tsv_fix_keeps_bom_crlf_and_particles_agree() {
        let src = "\u{FEFF}en\tko\r\nMongolia agreed.\t몽고는 동의했다.\r\nThe DPRK\t북조선은 미사일을\r\n";
        let (p, _d) = plan_of("d.tsv", src.as_bytes(), GLOSSARY);
        assert_eq!(
            String::from_utf8(p.fixed.clone()).unwrap(),
            "\u{FEFF}en\tko\r\nMongolia agreed.\t몽골은 동의했다.\r\nThe DPRK\t북한은 미사일을\r\n"
        );
        assert_eq!(p.report.changes.len(), 2);
        assert_eq!(
            (
                p.report.changes[0].from.as_str(),
                p.report.changes[0].to.as_str()
            ),
            ("몽고는", "몽골은")
        );
        assert_eq!(
            (p.report.changes[0].line, p.report.changes[0].column),
            (2, 18)
        );
        assert!(p.report.not_fixed.is_empty());
    }

    #[test]
    fn second_plan_finds_nothing_to_fix() {
        let src = "en\tzh\nSeoul\t汉城和北韩\n";
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("d.tsv");
        std::fs::write(&path, src).unwrap();
        let g = glossary(GLOSSARY);
        let req = DraftRequest::file(&path);
        let r = fix(
            &req,
            &g,
            &RuleSelection::default(),
            None,
            &FixOptions::default(),
        )
        .unwrap();
        assert!(r.written);
        assert_eq!(r.by_rule.get("term-forbidden"), Some(&2));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "en\tzh\nSeoul\t首尔和朝鲜\n"
        );
        let again = plan(&req, &g, &RuleSelection::default(), None).unwrap();
        assert!(!again.report.anything(), "{:?}", again.report);
        assert_eq!(again.fixed, again.original);
    }

    #[test]
    fn ambiguous_hits_are_reported_not_fixed() {
        // Two entries forbid 北韩 with different replacements.
        let g = format!("{GLOSSARY}rok-old,South Korea,한국,韩国,,北韩\n");
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t北韩\n".as_bytes(), &g);
        assert!(p.report.changes.is_empty());
        assert!(
            p.report.not_fixed[0].why.contains("both forbid"),
            "{:?}",
            p.report
        );
        assert_eq!(p.fixed, p.original);
        // No approved variant to use.
        let g = "id,en,ko,ko:forbidden\nx,X,,금지어\n";
        let (p, _d) = plan_of("d.tsv", "en\tko\nX\t금지어\n".as_bytes(), g);
        assert!(
            p.report.not_fixed[0].why.contains("no approved"),
            "{:?}",
            p.report
        );
        // A particle that cannot be chosen: 이 before Hangul may be the copula.
        let (p, _d) = plan_of("d.tsv", "en\tko\nX\t몽고이다.\n".as_bytes(), GLOSSARY);
        assert!(p.report.not_fixed[0].why.contains("이다"), "{:?}", p.report);
    }

    #[test]
    fn hits_next_to_or_inside_approved_terms() {
        let g = format!("{GLOSSARY}rok,ROK,한국,韩国,,\nfront,X,,北韩前线,,\n");
        // 北韩 and 韩国 overlap (北韩国): the forbidden one is chosen, but replacing it
        // would break the approved term: left.
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t北韩国\n".as_bytes(), &g);
        assert!(p.report.changes.is_empty(), "{:?}", p.report);
        assert!(
            p.report.not_fixed[0]
                .why
                .contains("overlaps the approved term 韩国"),
            "{:?}",
            p.report
        );
        // Inside a longer approved term, 北韩 is no finding at all.
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t北韩前线\n".as_bytes(), &g);
        assert!(!p.report.anything(), "{:?}", p.report);
        // Report lines come in file order.
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t北韩国 汉城\n".as_bytes(), &g);
        let lines = p.report.lines();
        assert!(lines[0].contains("d.tsv:2:3: not fixed"), "{lines:?}");
        assert!(
            lines[1].contains("d.tsv:2:7: fixed term-forbidden: 汉城 → 首尔"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_replacement_that_makes_a_forbidden_term_is_refused() {
        // 韩半岛无核化 (forbidden) → 朝鲜半岛无核化 after 北 would read 北朝鲜.
        let g = format!(
            "{}denuc,denuclearization of the Korean peninsula,,朝鲜半岛无核化,,韩半岛无核化\n",
            GLOSSARY.replace(",北韩\n", ",北韩|北朝鲜\n")
        );
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t北韩半岛无核化\n".as_bytes(), &g);
        assert!(p.report.changes.is_empty(), "{:?}", p.report);
        assert!(
            p.report.not_fixed[0].why.contains("forbidden term 北朝鲜"),
            "{:?}",
            p.report
        );
        // Alone, it is fixed.
        let (p, _d) = plan_of("d.tsv", "en\tzh\nx\t韩半岛无核化\n".as_bytes(), &g);
        assert_eq!(p.fixed, "en\tzh\nx\t朝鲜半岛无核化\n".as_bytes());
    }

    #[test]
    fn nfd_target_is_fixed_in_nfd() {
        let t = nfd("몽고는 북조선과");
        let src = format!("en\tko\nx\t{t}\n");
        let (p, _d) = plan_of("d.tsv", src.as_bytes(), GLOSSARY);
        let want = format!("en\tko\nx\t{}\n", nfd("몽골은 북한과"));
        assert_eq!(String::from_utf8(p.fixed).unwrap(), want);
    }

    #[test]
    fn plain_text_drafts_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ko.txt");
        std::fs::write(&p, "북조선\n").unwrap();
        let e = plan(
            &DraftRequest::file(&p),
            &glossary(GLOSSARY),
            &RuleSelection::default(),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("plain text"), "{e}");
        assert!(!can_fix(&p, None));
    }
}
