//! The report of an analysis ([`Analysis`], made by [`crate::analysis`] for `concord
//! analyze`: its rules, bands and counts) and its writers: a text table for a terminal,
//! CSV, and Trados-compatible analysis XML.
//!
//! The XML has the shape of Trados Studio's `Analyze Files` report: a `<task
//! name="analyse">` with a `<taskInfo>` (language, memory, settings), one `<file>` per
//! job file and a `<batchTotal>`, each with an `<analyse>` holding `perfect`,
//! `inContextExact`, `exact`, `locked`, `crossFileRepeated`, `repeated`, `total`, `new`
//! and one `fuzzy min max` per band, every element with `segments`, `words`,
//! `characters`, `placeables` and `tags`. concord has no perfect matches (matches
//! against a previous bilingual version): those are zero. Locked segments are reported
//! separately (`reportLockedSegmentsSeparately="yes"`): in `locked` and no other band.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};

/// Counts of segments, words, characters (without white space), placeables (numbers)
/// and inline tags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Segments.
    pub segments: u64,
    /// Words (tags and numbers count one each; every Han character one).
    pub words: u64,
    /// Characters without white space.
    pub characters: u64,
    /// Placeables: numbers.
    pub placeables: u64,
    /// Inline tags.
    pub tags: u64,
}

impl Counts {
    /// Add `other` to these counts.
    pub fn add(&mut self, other: &Counts) {
        self.segments += other.segments;
        self.words += other.words;
        self.characters += other.characters;
        self.placeables += other.placeables;
        self.tags += other.tags;
    }
}

/// In which order the files of a job are taken (the first occurrence of a repeated
/// segment is in the first file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileOrder {
    /// The order the files were given in.
    #[default]
    Given,
    /// By file name (then by path).
    Name,
}

/// The rules of an analysis, printed in its header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    /// The lower edges of the fuzzy bands, highest first, each between 1 and 99: the
    /// bands are `edge[0]`–99, `edge[1]`–`edge[0]−1`... Default `[95, 85, 75, 50]`.
    pub fuzzy_edges: Vec<u32>,
    /// memoQ's option: a later occurrence of a segment is a repetition even when the
    /// memory has a 100% match for it (Trados never counts 100% as repetitions: off).
    pub repetitions_over_exact: bool,
    /// The order of the files.
    pub file_order: FileOrder,
    /// Internal fuzzy leverage: match every segment against the job's earlier segments
    /// too.
    pub internal: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            fuzzy_edges: vec![95, 85, 75, 50],
            repetitions_over_exact: false,
            file_order: FileOrder::Given,
            internal: false,
        }
    }
}

impl Rules {
    /// Check the band edges: 1 to 99, strictly descending, at least one.
    pub fn check(&self) -> Result<()> {
        let e = &self.fuzzy_edges;
        let ok = !e.is_empty()
            && e.iter().all(|&x| (1..=99).contains(&x))
            && e.windows(2).all(|w| w[0] > w[1]);
        if ok {
            Ok(())
        } else {
            Err(Error::bad_request(format!(
                "fuzzy band edges must be whole percents from 1 to 99, highest first, with no repeats (got {e:?})"
            )))
        }
    }

    /// The lowest score a match needs to count.
    pub fn min_score(&self) -> u32 {
        *self.fuzzy_edges.last().unwrap_or(&50)
    }

    /// The fuzzy band (index into [`Rules::fuzzy_edges`]) of a score below 100.
    pub fn fuzzy_band(&self, score: f64) -> Option<usize> {
        let s = score.floor() as u32;
        self.fuzzy_edges.iter().position(|&e| s >= e)
    }

    /// `(min, max)` of fuzzy band `i`.
    pub fn band_range(&self, i: usize) -> (u32, u32) {
        let max = if i == 0 {
            99
        } else {
            self.fuzzy_edges[i - 1] - 1
        };
        (self.fuzzy_edges[i], max)
    }

    /// The rules in words (one line each), for a report's header.
    pub fn describe(&self) -> Vec<String> {
        let bands: Vec<String> = (0..self.fuzzy_edges.len())
            .map(|i| {
                let (a, b) = self.band_range(i);
                format!("{a}-{b}")
            })
            .collect();
        vec![
            format!("fuzzy bands: {}", bands.join(", ")),
            if self.repetitions_over_exact {
                "repetitions take precedence over 100% matches (memoQ)".into()
            } else {
                "100% matches are never counted as repetitions (Trados)".into()
            },
            format!(
                "file order: {}",
                match self.file_order {
                    FileOrder::Given => "as given",
                    FileOrder::Name => "by file name",
                }
            ),
            format!(
                "internal fuzzy leverage: {}",
                if self.internal { "on" } else { "off" }
            ),
            "context match: same source and same previous source as a stored unit".into(),
            "locked segments (and translate=\"no\") are counted as locked, not in the bands (Trados: report locked segments separately)".into(),
        ]
    }
}

/// The band of one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "band", content = "index")]
pub enum Band {
    /// A segment the file locks (SDLXLIFF, memoQ, XLIFF 2.0) or marks `translate="no"`:
    /// it is not matched and counts in no other band.
    Locked,
    /// 101%: a 100% match in the same context.
    Context,
    /// A repetition within the file.
    Repetition,
    /// A repetition of a segment of an earlier file.
    CrossFileRepetition,
    /// 100%.
    Exact,
    /// A fuzzy band (index into [`Rules::fuzzy_edges`]).
    Fuzzy(usize),
    /// No match.
    NoMatch,
}

/// The counts of one fuzzy band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FuzzyCounts {
    /// The band's lowest score.
    pub min: u32,
    /// The band's highest score.
    pub max: u32,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// The counts of every band, for a file or the whole job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bands {
    /// Locked segments (and `translate="no"`): counted here, in no other band.
    pub locked: Counts,
    /// Context matches (101%).
    pub context: Counts,
    /// Repetitions within the file.
    pub repetitions: Counts,
    /// Repetitions of an earlier file's segments.
    pub cross_file_repetitions: Counts,
    /// 100% matches.
    pub exact: Counts,
    /// The fuzzy bands, highest first.
    pub fuzzy: Vec<FuzzyCounts>,
    /// No match.
    pub no_match: Counts,
    /// All segments.
    pub total: Counts,
}

impl Bands {
    /// All bands of `rules`, at zero.
    pub fn empty(rules: &Rules) -> Bands {
        Bands {
            locked: Counts::default(),
            context: Counts::default(),
            repetitions: Counts::default(),
            cross_file_repetitions: Counts::default(),
            exact: Counts::default(),
            fuzzy: (0..rules.fuzzy_edges.len())
                .map(|i| {
                    let (min, max) = rules.band_range(i);
                    FuzzyCounts {
                        min,
                        max,
                        counts: Counts::default(),
                    }
                })
                .collect(),
            no_match: Counts::default(),
            total: Counts::default(),
        }
    }

    /// Count a segment of `band`.
    pub fn add(&mut self, band: Band, c: &Counts) {
        match band {
            Band::Locked => self.locked.add(c),
            Band::Context => self.context.add(c),
            Band::Repetition => self.repetitions.add(c),
            Band::CrossFileRepetition => self.cross_file_repetitions.add(c),
            Band::Exact => self.exact.add(c),
            Band::Fuzzy(i) => self.fuzzy[i].counts.add(c),
            Band::NoMatch => self.no_match.add(c),
        }
        self.total.add(c);
    }
}

/// One file of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileAnalysis {
    /// The file as named.
    pub path: String,
    /// Its bands.
    pub bands: Bands,
}

/// An analysis (the answer of `concord analyze`; as JSON under
/// [`crate::answer::ANALYZE_SCHEMA`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The memory file.
    pub memory: String,
    /// The source language.
    pub source: String,
    /// The target language.
    pub target: String,
    /// The rules.
    pub rules: Rules,
    /// The rules in words.
    pub rules_text: Vec<String>,
    /// The files, in the order taken.
    pub files: Vec<FileAnalysis>,
    /// The whole job.
    pub total: Bands,
}

fn out_err(e: std::io::Error) -> Error {
    Error::output("the analysis", e)
}

/// The rows of a report: label and counts, in report order.
pub fn rows(b: &Bands) -> Vec<(String, Counts)> {
    let mut v = vec![
        ("Locked".to_string(), b.locked),
        ("Context match (101%)".to_string(), b.context),
        ("Repetitions".to_string(), b.repetitions),
        (
            "Cross-file repetitions".to_string(),
            b.cross_file_repetitions,
        ),
        ("100%".to_string(), b.exact),
    ];
    for f in &b.fuzzy {
        v.push((format!("{}-{}%", f.min, f.max), f.counts));
    }
    v.push(("No match".to_string(), b.no_match));
    v.push(("Total".to_string(), b.total));
    v
}

/// The analysis as a text table: the rules, then one table per file and the total.
pub fn write_table<W: Write>(a: &Analysis, mut w: W) -> Result<()> {
    let mut s = String::new();
    s.push_str(&format!(
        "Analysis of {} file{} ({} → {}) against {}\n",
        a.files.len(),
        if a.files.len() == 1 { "" } else { "s" },
        a.source,
        a.target,
        a.memory
    ));
    for r in &a.rules_text {
        s.push_str(&format!("  rule: {r}\n"));
    }
    let mut sections: Vec<(&str, &Bands)> = a
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.bands))
        .collect();
    if a.files.len() > 1 {
        sections.push(("All files", &a.total));
    }
    for (name, b) in sections {
        s.push('\n');
        s.push_str(&crate::text::escape_controls(name));
        s.push('\n');
        s.push_str(&format!(
            "  {:<24} {:>9} {:>9} {:>11} {:>10} {:>7} {:>7}\n",
            "Band", "Segments", "Words", "Characters", "Placeables", "Tags", "Words%"
        ));
        let total = b.total.words.max(1) as f64;
        for (label, c) in rows(b) {
            s.push_str(&format!(
                "  {:<24} {:>9} {:>9} {:>11} {:>10} {:>7} {:>6.1}%\n",
                label,
                c.segments,
                c.words,
                c.characters,
                c.placeables,
                c.tags,
                100.0 * c.words as f64 / total
            ));
        }
    }
    w.write_all(s.as_bytes()).map_err(out_err)
}

/// The analysis as CSV (RFC 4180): `file,band,min,max,segments,words,characters,
/// placeables,tags`, one row per band of every file, then the `*total*` rows.
pub fn write_csv<W: Write>(a: &Analysis, w: W) -> Result<()> {
    let mut c = csv::Writer::from_writer(w);
    let err = |e: csv::Error| Error::new(crate::error::ErrorKind::OutputIo, e.to_string());
    c.write_record([
        "file",
        "band",
        "min",
        "max",
        "segments",
        "words",
        "characters",
        "placeables",
        "tags",
    ])
    .map_err(err)?;
    let mut sections: Vec<(&str, &Bands)> = a
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.bands))
        .collect();
    sections.push(("*total*", &a.total));
    for (name, b) in sections {
        let fixed = [
            ("locked", 0, 0),
            ("context", 101, 101),
            ("repetitions", 100, 100),
            ("cross-file-repetitions", 100, 100),
            ("100", 100, 100),
        ];
        let mut rec: Vec<(String, u32, u32, Counts)> = vec![
            (fixed[0].0.into(), fixed[0].1, fixed[0].2, b.locked),
            (fixed[1].0.into(), fixed[1].1, fixed[1].2, b.context),
            (fixed[2].0.into(), fixed[2].1, fixed[2].2, b.repetitions),
            (
                fixed[3].0.into(),
                fixed[3].1,
                fixed[3].2,
                b.cross_file_repetitions,
            ),
            (fixed[4].0.into(), fixed[4].1, fixed[4].2, b.exact),
        ];
        for f in &b.fuzzy {
            rec.push((format!("{}-{}", f.min, f.max), f.min, f.max, f.counts));
        }
        rec.push(("no-match".into(), 0, 0, b.no_match));
        rec.push(("total".into(), 0, 101, b.total));
        for (band, min, max, k) in rec {
            c.write_record([
                name.to_string(),
                band,
                min.to_string(),
                max.to_string(),
                k.segments.to_string(),
                k.words.to_string(),
                k.characters.to_string(),
                k.placeables.to_string(),
                k.tags.to_string(),
            ])
            .map_err(err)?;
        }
    }
    c.flush().map_err(out_err)
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

fn counts_attrs(c: &Counts) -> String {
    format!(
        "segments=\"{}\" words=\"{}\" characters=\"{}\" placeables=\"{}\" tags=\"{}\"",
        c.segments, c.words, c.characters, c.placeables, c.tags
    )
}

/// Windows LCID and English name of a language, as Trados writes them.
fn lcid(tag: &str) -> (u32, String) {
    let t = crate::lang::LangTag::parse(tag).ok();
    let primary = t
        .as_ref()
        .map(|t| t.primary().to_string())
        .unwrap_or_default();
    let trad = t.as_ref().and_then(|t| t.chinese_script())
        == Some(crate::lang::ChineseScript::Traditional);
    match primary.as_str() {
        "ko" => (1042, "Korean".into()),
        "zh" if trad => (1028, "Chinese (Traditional)".into()),
        "zh" => (2052, "Chinese (Simplified)".into()),
        "en" => (1033, "English".into()),
        "ja" => (1041, "Japanese".into()),
        "fr" => (1036, "French".into()),
        "de" => (1031, "German".into()),
        "ru" => (1049, "Russian".into()),
        "es" => (3082, "Spanish".into()),
        _ => (0, tag.to_string()),
    }
}

fn write_analyse(s: &mut String, b: &Bands, indent: &str) {
    let zero = Counts::default();
    s.push_str(&format!("{indent}<analyse>\n"));
    let el = |s: &mut String, name: &str, c: &Counts| {
        s.push_str(&format!("{indent}  <{name} {}/>\n", counts_attrs(c)));
    };
    el(s, "perfect", &zero);
    el(s, "inContextExact", &b.context);
    el(s, "exact", &b.exact);
    el(s, "locked", &b.locked);
    el(s, "crossFileRepeated", &b.cross_file_repetitions);
    el(s, "repeated", &b.repetitions);
    el(s, "total", &b.total);
    el(s, "new", &b.no_match);
    // Trados lists the fuzzy bands from the lowest.
    for f in b.fuzzy.iter().rev() {
        s.push_str(&format!(
            "{indent}  <fuzzy min=\"{}\" max=\"{}\" {}/>\n",
            f.min,
            f.max,
            counts_attrs(&f.counts)
        ));
    }
    s.push_str(&format!("{indent}</analyse>\n"));
}

/// The analysis as Trados-compatible analysis XML (see the module documentation).
/// `run_at` is the time written in `taskInfo` (ISO 8601).
pub fn write_trados_xml<W: Write>(a: &Analysis, run_at: &str, mut w: W) -> Result<()> {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str("<task name=\"analyse\">\n");
    s.push_str(&format!(
        "  <taskInfo taskId=\"concord-analyse\" runAt=\"{}\" runTime=\"\">\n",
        xml_escape(run_at)
    ));
    s.push_str("    <project name=\"concord\" number=\"\"/>\n");
    let (id, name) = lcid(&a.target);
    s.push_str(&format!(
        "    <language lcid=\"{id}\" name=\"{}\"/>\n",
        xml_escape(&name)
    ));
    s.push_str(&format!("    <tm name=\"{}\"/>\n", xml_escape(&a.memory)));
    s.push_str(&format!(
        "    <settings reportInternalFuzzyLeverage=\"{}\" reportLockedSegmentsSeparately=\"yes\" reportCrossFileRepetitions=\"yes\" minimumMatchScore=\"{}\" searchMode=\"bestWins\" repetitionsOverExact=\"{}\" fileOrder=\"{}\"/>\n",
        if a.rules.internal { "yes" } else { "no" },
        a.rules.min_score(),
        if a.rules.repetitions_over_exact { "yes" } else { "no" },
        match a.rules.file_order {
            FileOrder::Given => "given",
            FileOrder::Name => "name",
        }
    ));
    s.push_str("  </taskInfo>\n");
    for (i, f) in a.files.iter().enumerate() {
        s.push_str(&format!(
            "  <file name=\"{}\" guid=\"{}\">\n",
            xml_escape(&f.path),
            i + 1
        ));
        write_analyse(&mut s, &f.bands, "    ");
        s.push_str("  </file>\n");
    }
    s.push_str("  <batchTotal>\n");
    write_analyse(&mut s, &a.total, "    ");
    s.push_str("  </batchTotal>\n");
    s.push_str("</task>\n");
    w.write_all(s.as_bytes()).map_err(out_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Analysis {
        let rules = Rules::default();
        let mut total = Bands::empty(&rules);
        total.exact = Counts {
            segments: 2,
            words: 7,
            characters: 30,
            placeables: 1,
            tags: 1,
        };
        total.fuzzy[0].counts.segments = 1;
        total.total = total.exact;
        total.total.segments = 3;
        Analysis {
            memory: "m&m.db".into(),
            source: "en".into(),
            target: "ko".into(),
            rules_text: rules.describe(),
            rules,
            files: vec![FileAnalysis {
                path: "a<1>.xlf".into(),
                bands: total.clone(),
            }],
            total,
        }
    }

    #[test]
    fn trados_xml_has_the_task_file_analyse_shape() {
        let mut out = Vec::new();
        write_trados_xml(&sample(), "2026-12-07T04:00:00Z", &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxml(&xml);
        assert!(
            doc.contains("task/taskInfo/language[lcid=1042,name=Korean]"),
            "{doc}"
        );
        for el in [
            "perfect",
            "inContextExact",
            "exact",
            "crossFileRepeated",
            "repeated",
            "new",
            "total",
        ] {
            assert!(
                doc.contains(&format!("task/file/analyse/{el}[")),
                "{el}: {doc}"
            );
            assert!(
                doc.contains(&format!("task/batchTotal/analyse/{el}[")),
                "{el}: {doc}"
            );
        }
        assert!(
            doc.contains(
                "task/file/analyse/exact[segments=2,words=7,characters=30,placeables=1,tags=1]"
            ),
            "{doc}"
        );
        assert!(doc.contains("fuzzy[min=95,max=99,segments=1"), "{doc}");
        assert!(doc.contains("fuzzy[min=50,max=74,"), "{doc}");
        assert!(doc.contains("task/file[name=a<1>.xlf,guid=1]"), "{doc}");
    }

    /// Element paths with their attributes, read back by quick-xml (the XML must parse).
    fn roxml(xml: &str) -> String {
        use quick_xml::events::Event;
        let mut r = quick_xml::Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut out = String::new();
        loop {
            match r.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = xml[..r.buffer_position() as usize].ends_with("/>");
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let attrs: Vec<String> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            format!(
                                "{}={}",
                                String::from_utf8_lossy(a.key.as_ref()),
                                a.unescape_value().unwrap()
                            )
                        })
                        .collect();
                    path.push(name);
                    out.push_str(&format!("{}[{}]\n", path.join("/"), attrs.join(",")));
                    if empty {
                        path.pop();
                    }
                }
                Event::End(_) => {
                    path.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn csv_has_one_row_per_band_and_file() {
        let mut out = Vec::new();
        write_csv(&sample(), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        // header + (5 fixed + 4 fuzzy + no match + total) × (1 file + total)
        assert_eq!(lines.len(), 1 + 11 * 2, "{s}");
        assert_eq!(lines[1], "a<1>.xlf,locked,0,0,0,0,0,0,0", "{s}");
        assert!(lines.contains(&"a<1>.xlf,100,100,100,2,7,30,1,1"), "{s}");
        assert!(lines.contains(&"*total*,95-99,95,99,1,0,0,0,0"), "{s}");
    }

    #[test]
    fn table_names_the_rules() {
        let mut out = Vec::new();
        write_table(&sample(), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.contains("rule: fuzzy bands: 95-99, 85-94, 75-84, 50-74"),
            "{s}"
        );
        assert!(s.contains("Trados"), "{s}");
        assert!(s.contains("95-99%"), "{s}");
    }
}
