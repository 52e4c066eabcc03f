//! Output formats of `concord lint`, all printing the same [`Finding`]s and [`Summary`]:
//!
//! * [`TextPrinter`]: `file:line:col: severity rule: message`, then the source and target
//!   with the span marked, and the suggestion; a summary line at the end.
//! * [`JsonPrinter`]: one JSON document (`schema: "concord-lint/1"`), one finding per line
//!   inside `findings`, then `summary`. Streamed: findings are written as they are found.
//! * [`SarifPrinter`]: SARIF 2.1.0, one run, the rules in `tool.driver.rules`, one result
//!   per finding with `physicalLocation.region` (columns in Unicode code points).
//!
//! Printers write to any `io::Write`; the CLI only chooses one.

use std::io::{self, Write};

use serde_json::json;
use unicode_width::UnicodeWidthChar;

use super::rules::Rule;
use super::{Finding, Summary};

/// Something that prints findings as they come.
pub trait Printer {
    /// Before the first finding.
    fn begin(&mut self) -> io::Result<()>;
    /// One finding.
    fn finding(&mut self, f: &Finding) -> io::Result<()>;
    /// After the last finding.
    fn end(&mut self, s: &Summary) -> io::Result<()>;
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Human-readable text.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

impl OutputFormat {
    /// Parse `text`, `json` or `sarif`.
    pub fn from_name(s: &str) -> Option<OutputFormat> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "human" => Some(OutputFormat::Text),
            "json" => Some(OutputFormat::Json),
            "sarif" => Some(OutputFormat::Sarif),
            _ => None,
        }
    }
}

/// A printer of `format` writing to `out`.
pub fn printer<'w, W: Write + 'w>(format: OutputFormat, out: W) -> Box<dyn Printer + 'w> {
    match format {
        OutputFormat::Text => Box::new(TextPrinter::new(out)),
        OutputFormat::Json => Box::new(JsonPrinter::new(out)),
        OutputFormat::Sarif => Box::new(SarifPrinter::new(out)),
    }
}

/// Human-readable text.
pub struct TextPrinter<W: Write> {
    out: W,
    /// Print the source/target excerpt under each finding (default true).
    pub excerpts: bool,
    /// Print the summary line at the end (default true).
    pub summary: bool,
}

impl<W: Write> TextPrinter<W> {
    /// A text printer.
    pub fn new(out: W) -> TextPrinter<W> {
        TextPrinter {
            out,
            excerpts: true,
            summary: true,
        }
    }
}

fn display_char(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' => ' ',
        c if c.is_control() => ' ',
        c => c,
    }
}

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| display_char(c).width().unwrap_or(0))
        .sum()
}

/// The text with the span `start..end` marked underneath (`^^^`), cut to a window around
/// the span when the text is long.
pub fn mark(text: &str, start: usize, end: usize) -> (String, String) {
    const CONTEXT: usize = 50;
    let chars: Vec<char> = text.chars().map(display_char).collect();
    let n = chars.len();
    let (start, end) = (start.min(n), end.min(n).max(start.min(n)));
    let from = start.saturating_sub(CONTEXT);
    let to = (end + CONTEXT).min(n);
    let mut line = String::new();
    if from > 0 {
        line.push('…');
    }
    let before: String = chars[from..start].iter().collect();
    let span: String = chars[start..end].iter().collect();
    let after: String = chars[end..to].iter().collect();
    line.push_str(&before);
    line.push_str(&span);
    line.push_str(&after);
    if to < n {
        line.push('…');
    }
    let pad = width(&before) + usize::from(from > 0);
    let caret = " ".repeat(pad) + &"^".repeat(width(&span).max(1));
    (line, caret)
}

impl<W: Write> Printer for TextPrinter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finding(&mut self, f: &Finding) -> io::Result<()> {
        writeln!(
            self.out,
            "{}:{}:{}: {} {}: {}",
            f.file, f.line, f.column, f.severity, f.rule, f.message
        )?;
        if self.excerpts {
            if let (Some(src), Some(sp)) = (&f.source, &f.source_span) {
                let (l, c) = mark(src, sp.start, sp.end);
                writeln!(self.out, "  source | {l}")?;
                writeln!(self.out, "         | {c}")?;
            }
            if let Some(tgt) = &f.target {
                match &f.target_span {
                    Some(sp) => {
                        let (l, c) = mark(tgt, sp.start, sp.end);
                        writeln!(self.out, "  target | {l}")?;
                        writeln!(self.out, "         | {c}")?;
                    }
                    None => {
                        let (l, _) = mark(tgt, 0, 0);
                        writeln!(self.out, "  target | {l}")?;
                    }
                }
            }
            if let Some(s) = &f.suggestion {
                if s.is_empty() {
                    writeln!(self.out, "  = suggestion: remove it")?;
                } else {
                    writeln!(self.out, "  = suggestion: {s}")?;
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, s: &Summary) -> io::Result<()> {
        if self.summary {
            writeln!(self.out, "{}", s.line())?;
        }
        self.out.flush()
    }
}

/// The JSON document's schema id.
pub const JSON_SCHEMA: &str = "concord-lint/1";

/// One JSON document, streamed.
pub struct JsonPrinter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonPrinter<W> {
    /// A JSON printer.
    pub fn new(out: W) -> JsonPrinter<W> {
        JsonPrinter { out, first: true }
    }
}

fn to_io(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn begin(&mut self) -> io::Result<()> {
        write!(
            self.out,
            "{{\n  \"schema\": \"{JSON_SCHEMA}\",\n  \"tool\": {{\"name\": \"concord\", \"version\": \"{}\"}},\n  \"findings\": [",
            env!("CARGO_PKG_VERSION")
        )
    }

    fn finding(&mut self, f: &Finding) -> io::Result<()> {
        if !self.first {
            write!(self.out, ",")?;
        }
        self.first = false;
        write!(self.out, "\n    ")?;
        serde_json::to_writer(&mut self.out, f).map_err(to_io)
    }

    fn end(&mut self, s: &Summary) -> io::Result<()> {
        if !self.first {
            write!(self.out, "\n  ")?;
        }
        write!(self.out, "],\n  \"summary\": ")?;
        serde_json::to_writer(&mut self.out, s).map_err(to_io)?;
        writeln!(self.out, "\n}}")?;
        self.out.flush()
    }
}

/// SARIF 2.1.0, streamed.
pub struct SarifPrinter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> SarifPrinter<W> {
    /// A SARIF printer.
    pub fn new(out: W) -> SarifPrinter<W> {
        SarifPrinter { out, first: true }
    }
}

/// A relative URI reference for a file path (forward slashes, percent-encoded).
pub fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `tool.driver.rules` array of the SARIF output.
pub fn sarif_rules() -> serde_json::Value {
    serde_json::Value::Array(
        Rule::ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.id(),
                    "name": r.camel_name(),
                    "shortDescription": {"text": r.description()},
                    "defaultConfiguration": {"level": r.severity().sarif_level()},
                    "properties": {"severity": r.severity().as_str()}
                })
            })
            .collect(),
    )
}

impl<W: Write> Printer for SarifPrinter<W> {
    fn begin(&mut self) -> io::Result<()> {
        let driver = json!({
            "name": "concord",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://example.invalid/concord",
            "rules": sarif_rules(),
        });
        write!(
            self.out,
            "{{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{{\n    \"tool\": {{\"driver\": "
        )?;
        serde_json::to_writer(&mut self.out, &driver).map_err(to_io)?;
        write!(
            self.out,
            "}},\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": ["
        )
    }

    fn finding(&mut self, f: &Finding) -> io::Result<()> {
        if !self.first {
            write!(self.out, ",")?;
        }
        self.first = false;
        let rule_index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
        let mut region = json!({"startLine": f.line, "startColumn": f.column});
        let span = f.target_span.as_ref().or(f.source_span.as_ref());
        if let Some(sp) = span {
            if sp.line == f.line && !sp.text.contains('\n') {
                region["endLine"] = json!(f.line);
                region["endColumn"] = json!(f.column + (sp.end - sp.start) as u64);
            }
            region["snippet"] = json!({"text": sp.text});
        }
        let mut message = f.message.clone();
        if let Some(s) = &f.suggestion {
            if !s.is_empty() {
                message += &format!(" (suggestion: {s})");
            }
        }
        let result = json!({
            "ruleId": f.rule.id(),
            "ruleIndex": rule_index,
            "level": f.severity.sarif_level(),
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": file_uri(&f.file)},
                    "region": region,
                }
            }],
            "partialFingerprints": {"concordFingerprint/v1": f.fingerprint},
            "properties": {
                "segment": f.segment,
                "segmentId": f.segment_id,
                "suggestion": f.suggestion,
            }
        });
        write!(self.out, "\n      ")?;
        serde_json::to_writer(&mut self.out, &result).map_err(to_io)
    }

    fn end(&mut self, s: &Summary) -> io::Result<()> {
        if !self.first {
            write!(self.out, "\n    ")?;
        }
        write!(self.out, "],\n    \"invocations\": [{{\"executionSuccessful\": true}}],\n    \"properties\": {{\"summary\": ")?;
        serde_json::to_writer(&mut self.out, s).map_err(to_io)?;
        writeln!(self.out, "}}\n  }}]\n}}")?;
        self.out.flush()
    }
}

/// Severity counts for exit codes: true when the run reported an error-level finding.
pub fn has_errors(s: &Summary) -> bool {
    s.errors > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LangTag;
    use crate::lint::{Langs, Linter, RuleSelection, Segment};

    fn findings() -> (Vec<Finding>, Summary) {
        let mut l = Linter::new(
            "drafts/주간 draft.tsv",
            Langs {
                source: Some(LangTag::parse("en").unwrap()),
                target: LangTag::parse("zh").unwrap(),
            },
            RuleSelection::default(),
        );
        let f = l
            .check(&Segment::new(
                3,
                Some("Talks began in 2019, in Seoul."),
                Some("会谈于2018年在首尔开始."),
            ))
            .unwrap();
        let mut s = Summary {
            file: "drafts/주간 draft.tsv".into(),
            segments: 1,
            ..Summary::default()
        };
        for x in &f {
            s.count(x.rule, x.severity);
        }
        (f, s)
    }

    fn render(format: OutputFormat) -> String {
        let (f, s) = findings();
        let mut buf = Vec::new();
        {
            let mut p = printer(format, &mut buf);
            p.begin().unwrap();
            for x in &f {
                p.finding(x).unwrap();
            }
            p.end(&s).unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn text_output() {
        let t = render(OutputFormat::Text);
        assert!(
            t.contains("drafts/주간 draft.tsv:3:14: warning punctuation: ASCII '.'"),
            "{t}"
        );
        let caret = format!(
            "  target | 会谈于2018年在首尔开始.\n         | {}^\n",
            " ".repeat(22)
        );
        assert!(t.contains(&caret), "{t}");
        assert!(t.contains("  = suggestion: 。"), "{t}");
        assert!(
            t.contains("number-mismatch: the number 2019 of the source"),
            "{t}"
        );
        assert!(
            t.ends_with("1 segment checked: 0 errors, 2 warnings, 0 info\n"),
            "{t}"
        );
    }

    #[test]
    fn json_output_is_one_document() {
        let v: serde_json::Value = serde_json::from_str(&render(OutputFormat::Json)).unwrap();
        assert_eq!(v["schema"], JSON_SCHEMA);
        let f = &v["findings"][0];
        for k in [
            "rule",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "segment",
            "segment_id",
            "source_span",
            "target_span",
            "suggestion",
            "source",
            "target",
            "fingerprint",
        ] {
            assert!(f.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["summary"]["warnings"], 2);
        // An empty run is still a valid document.
        let mut buf = Vec::new();
        let mut p = JsonPrinter::new(&mut buf);
        p.begin().unwrap();
        p.end(&Summary::default()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn sarif_output() {
        let v: serde_json::Value = serde_json::from_str(&render(OutputFormat::Sarif)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            Rule::ALL.len()
        );
        let r = &run["results"][0];
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        assert_eq!(r["level"], "warning");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "drafts/%EC%A3%BC%EA%B0%84%20draft.tsv"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }

    #[test]
    fn marks_wide_characters() {
        let (l, c) = mark("会谈于2018年", 7, 8);
        assert_eq!(l, "会谈于2018年");
        assert_eq!(c, "          ^^");
    }
}
