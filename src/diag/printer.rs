//! Printers of [`Diagnostic`]s, shared by `concord lint` and `concord glossary check`.
//!
//! A checker calls [`Printer::begin`] with the [`Run`] (which checker, which file), then
//! [`Printer::diagnostic`] for each diagnostic as it is found, then [`Printer::end`] with
//! its [`Summary`] and, when the run could not complete, the error. Only `diagnostic` has
//! no default.
//!
//! * [`TextPrinter`]: one headline per diagnostic, then the source and target with the
//!   span marked, and the suggestion; the summary line at the end. Lint headlines are
//!   `file:line:col: severity code: message`; glossary check headlines
//!   `file:line: severity: message [code]`. Every piece of text goes through
//!   [`escape_controls`]: a file cannot put terminal escapes on the screen.
//! * [`JsonPrinter`]: one JSON document (`schema`, `tool`, `findings`, the checker's
//!   summary fields, `completed`, and `error` when the run failed), findings streamed one
//!   per line as they are found. Control characters stay, as JSON escapes.
//! * [`SarifPrinter`]: SARIF 2.1.0 built from the serde types of [`super::sarif`];
//!   `executionSuccessful` is true only when the run completed.
//! * [`Collect`]: keeps the diagnostics and the status, for the library, tests and
//!   `--write-baseline`.
//!
//! Printers write to any `io::Write`; the command line only chooses one.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::sarif;
use super::{Checker, Counts, Diagnostic, Status, Summary};
use crate::text::escape_controls;

/// What a run is about, given to [`Printer::begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The checker.
    pub checker: Checker,
    /// The file checked.
    pub file: String,
}

/// How a run ended, given to [`Printer::end`].
#[derive(Clone, Copy)]
pub struct End<'a> {
    /// The checker's summary.
    pub summary: &'a dyn Summary,
    /// The error that stopped the run, when it did not complete.
    pub error: Option<&'a str>,
}

impl End<'_> {
    /// The status of the run: failed when it did not complete, else by the counts.
    pub fn status(&self) -> Status {
        match self.error {
            Some(_) => Status::Failed,
            None => Status::of(&self.summary.counts()),
        }
    }
}

/// Something that prints diagnostics as they come.
pub trait Printer {
    /// Before the first diagnostic.
    fn begin(&mut self, run: &Run) -> io::Result<()> {
        let _ = run;
        Ok(())
    }
    /// One diagnostic.
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()>;
    /// After the last diagnostic (also when the run failed).
    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        let _ = end;
        Ok(())
    }
}

impl<P: Printer + ?Sized> Printer for &mut P {
    fn begin(&mut self, run: &Run) -> io::Result<()> {
        (**self).begin(run)
    }
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        (**self).diagnostic(d)
    }
    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        (**self).end(end)
    }
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
    /// Parse `text` (or `human`), `json` or `sarif`.
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

/// Collects the diagnostics of a run (and how it ended).
#[derive(Debug, Clone, Default)]
pub struct Collect {
    /// The diagnostics, in the order they were printed.
    pub diagnostics: Vec<Diagnostic>,
    /// The status, once the run ended.
    pub status: Option<Status>,
    /// The error that stopped the run, if any.
    pub error: Option<String>,
}

impl Collect {
    /// An empty collector.
    pub fn new() -> Collect {
        Collect::default()
    }

    /// The counts of the collected diagnostics.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diagnostics)
    }
}

impl Printer for Collect {
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        self.diagnostics.push(d.clone());
        Ok(())
    }

    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        self.status = Some(end.status());
        self.error = end.error.map(str::to_string);
        Ok(())
    }
}

/// Human-readable text.
pub struct TextPrinter<W: Write> {
    out: W,
    checker: Checker,
    /// Print the source/target excerpt under each diagnostic (default true).
    pub excerpts: bool,
    /// Print the summary line at the end (default true).
    pub summary: bool,
}

impl<W: Write> TextPrinter<W> {
    /// A text printer.
    pub fn new(out: W) -> TextPrinter<W> {
        TextPrinter {
            out,
            checker: Checker::Lint,
            excerpts: true,
            summary: true,
        }
    }
}

/// One character as the excerpt shows it: white space controls as a space, other
/// controls escaped ([`escape_controls`]).
fn display_char(c: char, out: &mut String) {
    match c {
        '\n' | '\r' | '\t' => out.push(' '),
        c if c.is_control() => {
            let mut b = [0u8; 4];
            out.push_str(&escape_controls(c.encode_utf8(&mut b)));
        }
        c => out.push(c),
    }
}

fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The text with the span `start..end` (in characters) marked underneath (`^^^`), cut to
/// a window around the span when the text is long. Control characters are escaped, so
/// the line is safe to print on a terminal.
pub fn mark(text: &str, start: usize, end: usize) -> (String, String) {
    const CONTEXT: usize = 50;
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let (start, end) = (start.min(n), end.min(n).max(start.min(n)));
    let from = start.saturating_sub(CONTEXT);
    let to = (end + CONTEXT).min(n);
    let show = |cs: &[char]| {
        let mut s = String::new();
        for &c in cs {
            display_char(c, &mut s);
        }
        s
    };
    let before = show(&chars[from..start]);
    let span = show(&chars[start..end]);
    let after = show(&chars[end..to]);
    let mut line = String::new();
    if from > 0 {
        line.push('…');
    }
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
    fn begin(&mut self, run: &Run) -> io::Result<()> {
        self.checker = run.checker;
        Ok(())
    }

    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        let at = escape_controls(&d.location.to_string()).into_owned();
        let message = escape_controls(&d.message);
        match self.checker {
            Checker::GlossaryCheck => {
                writeln!(self.out, "{at}: {}: {message} [{}]", d.severity, d.code)?
            }
            _ => writeln!(self.out, "{at}: {} {}: {message}", d.severity, d.code)?,
        }
        if !self.excerpts {
            return Ok(());
        }
        if let (Some(src), Some(sp)) = (&d.source, &d.source_span) {
            let (l, c) = mark(src, sp.start, sp.end);
            writeln!(self.out, "  source | {l}")?;
            writeln!(self.out, "         | {c}")?;
        }
        if let Some(tgt) = &d.target {
            match &d.target_span {
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
        // The other target of a trilingual draft (cross-target).
        if let Some(second) = &d.second_target {
            match &d.second_target_span {
                Some(sp) => {
                    let (l, c) = mark(second, sp.start, sp.end);
                    writeln!(self.out, "  second | {l}")?;
                    writeln!(self.out, "         | {c}")?;
                }
                None => {
                    let (l, _) = mark(second, 0, 0);
                    writeln!(self.out, "  second | {l}")?;
                }
            }
        }
        if let Some(s) = &d.suggestion {
            if s.is_empty() {
                writeln!(self.out, "  = suggestion: remove it")?;
            } else {
                writeln!(self.out, "  = suggestion: {}", escape_controls(s))?;
            }
        }
        Ok(())
    }

    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        // A failed run's error goes to stderr from the command line; no summary then.
        if self.summary && end.error.is_none() {
            writeln!(self.out, "{}", escape_controls(&end.summary.line()))?;
        }
        self.out.flush()
    }
}

fn to_io(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

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

impl<W: Write> Printer for JsonPrinter<W> {
    fn begin(&mut self, run: &Run) -> io::Result<()> {
        write!(self.out, "{{\n  \"schema\": ")?;
        serde_json::to_writer(&mut self.out, run.checker.schema()).map_err(to_io)?;
        write!(
            self.out,
            ",\n  \"tool\": {{\"name\": \"concord\", \"version\": \"{}\"}},\n  \"findings\": [",
            env!("CARGO_PKG_VERSION")
        )
    }

    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        if !self.first {
            write!(self.out, ",")?;
        }
        self.first = false;
        write!(self.out, "\n    ")?;
        serde_json::to_writer(&mut self.out, d).map_err(to_io)
    }

    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        if !self.first {
            write!(self.out, "\n  ")?;
        }
        write!(self.out, "]")?;
        for (k, v) in end.summary.json_fields() {
            write!(self.out, ",\n  ")?;
            serde_json::to_writer(&mut self.out, &k).map_err(to_io)?;
            write!(self.out, ": ")?;
            serde_json::to_writer(&mut self.out, &v).map_err(to_io)?;
        }
        write!(self.out, ",\n  \"completed\": {}", end.status().completed())?;
        if let Some(e) = end.error {
            write!(self.out, ",\n  \"error\": ")?;
            serde_json::to_writer(&mut self.out, e).map_err(to_io)?;
        }
        writeln!(self.out, "\n}}")?;
        self.out.flush()
    }
}

/// The repository of the package, when Cargo.toml names one (SARIF `informationUri`).
pub fn information_uri() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|s| s.starts_with("https://"))
}

/// SARIF 2.1.0: the results are kept until [`Printer::end`], which writes the whole log.
pub struct SarifPrinter<W: Write> {
    out: W,
    checker: Checker,
    results: Vec<sarif::ResultItem>,
}

impl<W: Write> SarifPrinter<W> {
    /// A SARIF printer.
    pub fn new(out: W) -> SarifPrinter<W> {
        SarifPrinter {
            out,
            checker: Checker::Lint,
            results: Vec::new(),
        }
    }
}

/// The `tool.driver.rules` of a checker's SARIF output.
pub fn sarif_rules(checker: Checker) -> Vec<sarif::ReportingDescriptor> {
    checker
        .codes()
        .into_iter()
        .map(|c| {
            let mut properties = serde_json::Map::new();
            properties.insert("severity".into(), c.severity().as_str().into());
            sarif::ReportingDescriptor {
                id: c.id(),
                name: c.camel_name(),
                short_description: sarif::Message {
                    text: c.description().to_string(),
                },
                default_configuration: sarif::Configuration {
                    level: c.severity().sarif_level(),
                },
                properties,
            }
        })
        .collect()
}

/// One SARIF result of a diagnostic (`rule_index`: its code's place in the rules).
pub fn sarif_result(d: &Diagnostic, rule_index: usize) -> sarif::ResultItem {
    let region = d.location.line.map(|line| {
        let mut r = sarif::Region {
            start_line: line,
            start_column: d.location.column,
            end_line: None,
            end_column: None,
            snippet: None,
        };
        if let Some(sp) = d.target_span.as_ref().or(d.source_span.as_ref()) {
            if let (Some(col), true) = (d.location.column, sp.line == line) {
                if !sp.text.contains('\n') {
                    r.end_line = Some(line);
                    r.end_column = Some(col + (sp.end - sp.start) as u64);
                }
            }
            r.snippet = Some(sarif::Message {
                text: sp.text.clone(),
            });
        }
        r
    });
    let mut message = d.message.clone();
    if let Some(s) = d.suggestion.as_ref().filter(|s| !s.is_empty()) {
        message += &format!(" (suggestion: {s})");
    }
    let mut properties = serde_json::Map::new();
    properties.insert("segment".into(), serde_json::json!(d.segment));
    properties.insert("segmentId".into(), serde_json::json!(d.segment_id));
    properties.insert("suggestion".into(), serde_json::json!(d.suggestion));
    sarif::ResultItem {
        rule_id: d.code.id(),
        rule_index,
        level: d.severity.sarif_level(),
        message: sarif::Message { text: message },
        locations: vec![sarif::ResultLocation {
            physical_location: sarif::PhysicalLocation {
                artifact_location: sarif::ArtifactLocation {
                    uri: sarif::file_uri(&d.file()),
                },
                region,
            },
        }],
        partial_fingerprints: [("concordFingerprint/v1", d.fingerprint.clone())]
            .into_iter()
            .collect(),
        properties,
    }
}

impl<W: Write> Printer for SarifPrinter<W> {
    fn begin(&mut self, run: &Run) -> io::Result<()> {
        self.checker = run.checker;
        Ok(())
    }

    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        let index = self
            .checker
            .codes()
            .iter()
            .position(|c| *c == d.code)
            .unwrap_or(0);
        self.results.push(sarif_result(d, index));
        Ok(())
    }

    fn end(&mut self, end: &End<'_>) -> io::Result<()> {
        let notifications = end
            .error
            .map(|e| sarif::Notification {
                level: sarif::Level::Error,
                message: sarif::Message {
                    text: e.to_string(),
                },
            })
            .into_iter()
            .collect();
        let log = sarif::Log {
            schema: sarif::SCHEMA_URI,
            version: "2.1.0",
            runs: vec![sarif::Run {
                tool: sarif::Tool {
                    driver: sarif::ToolComponent {
                        name: "concord",
                        version: env!("CARGO_PKG_VERSION"),
                        information_uri: information_uri(),
                        rules: sarif_rules(self.checker),
                    },
                },
                column_kind: "unicodeCodePoints",
                results: std::mem::take(&mut self.results),
                invocations: vec![sarif::Invocation {
                    execution_successful: end.status().completed(),
                    tool_execution_notifications: notifications,
                }],
                properties: Some(end.summary.json_fields()),
            }],
        };
        serde_json::to_writer_pretty(&mut self.out, &log).map_err(to_io)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Rule;
    use crate::diag::{Code, GlossaryCode, Location, Span};

    /// A lint-like summary for the tests.
    struct Sum(Counts);

    impl Summary for Sum {
        fn counts(&self) -> Counts {
            self.0
        }
        fn line(&self) -> String {
            format!("x: {} errors", self.0.errors)
        }
        fn json_fields(&self) -> serde_json::Map<String, serde_json::Value> {
            let mut m = serde_json::Map::new();
            m.insert("summary".into(), serde_json::to_value(self.0).unwrap());
            m
        }
    }

    const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

    fn hostile_finding() -> Diagnostic {
        let target = format!("북조선{HOSTILE}은 말했다.");
        let mut d = Diagnostic::new(
            Rule::TermForbidden,
            format!("북조선{HOSTILE} is a forbidden variant: use 북한"),
            Location {
                path: format!("drafts/주간{HOSTILE}.tsv").into(),
                line: Some(2),
                column: Some(31),
            },
        );
        d.segment = Some(1);
        d.target_span = Some(Span {
            start: 0,
            end: 3 + HOSTILE.chars().count(),
            line: 2,
            column: 31,
            text: format!("북조선{HOSTILE}"),
        });
        d.suggestion = Some(format!("북한{HOSTILE}"));
        d.source = Some("The DPRK spoke.".into());
        d.target = Some(target);
        d
    }

    fn glossary_finding() -> Diagnostic {
        Diagnostic::new(
            GlossaryCode::ApprovedAndForbidden,
            "zh variant \"朝鲜半岛\" is both approved and forbidden",
            Location::line("c.csv", 2),
        )
    }

    fn render(
        format: OutputFormat,
        checker: Checker,
        diags: &[Diagnostic],
        error: Option<&str>,
    ) -> String {
        let mut buf = Vec::new();
        {
            let mut p = printer(format, &mut buf);
            p.begin(&Run {
                checker,
                file: "f".into(),
            })
            .unwrap();
            for d in diags {
                p.diagnostic(d).unwrap();
            }
            let counts = Counts::of(diags);
            p.end(&End {
                summary: &Sum(counts),
                error,
            })
            .unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn human_output_escapes_control_characters() {
        // issue 13 item 6: `\e]0;pwned\a` must not reach the terminal raw.
        let t = render(
            OutputFormat::Text,
            Checker::Lint,
            &[hostile_finding()],
            None,
        );
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        assert!(
            t.contains("drafts/주간\\u{1b}]0;pwned\\u{7}\\u{1b}[2J.tsv:2:31: error term-forbidden: 북조선\\u{1b}]0;pwned"),
            "{t}"
        );
        assert!(t.contains("  = suggestion: 북한\\u{1b}]0;pwned"), "{t}");
        // The caret still sits under the escaped span.
        let lines: Vec<&str> = t.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("  target | "))
            .unwrap();
        let shown = lines[at].trim_start_matches("  target | ");
        let caret = lines[at + 1].trim_start_matches("         | ");
        assert!(
            shown.starts_with("북조선\\u{1b}]0;pwned\\u{7}\\u{1b}[2J은"),
            "{shown}"
        );
        assert_eq!(
            caret,
            "^".repeat(6 + "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J".len())
        );
        // JSON keeps the characters, as JSON escapes.
        let j = render(
            OutputFormat::Json,
            Checker::Lint,
            &[hostile_finding()],
            None,
        );
        assert!(!j.contains('\u{1b}'), "{j:?}");
        assert!(j.contains("\\u001b]0;pwned\\u0007"), "{j}");
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(
            v["findings"][0]["target"].as_str().unwrap(),
            hostile_finding().target.unwrap()
        );
    }

    #[test]
    fn glossary_check_headlines_keep_their_shape() {
        let t = render(
            OutputFormat::Text,
            Checker::GlossaryCheck,
            &[glossary_finding()],
            None,
        );
        assert!(
            t.starts_with("c.csv:2: error: zh variant \"朝鲜半岛\" is both approved and forbidden [approved-and-forbidden]\n"),
            "{t}"
        );
    }

    fn sarif_validator() -> jsonschema::Validator {
        // The OASIS SARIF 2.1.0 schema, as shipped in the serde-sarif 0.8.0 crate
        // (src/schema.json); see tests/data/sarif/README.md.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("the SARIF schema is in the repository");
        // The published schema has a pattern that is not a regular expression, twice
        // (`language` of runs and artifacts: `...-[a-zA-Z]{2}]?$`, a stray `]`), which the
        // validator refuses to compile; it is replaced by the pattern meant. concord
        // writes no `language`.
        const BAD: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
        assert_eq!(
            text.matches(BAD).count(),
            2,
            "the schema changed: review the patch"
        );
        let text = text.replace(BAD, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
    }

    fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value) {
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    }

    #[test]
    fn sarif_validates_against_the_sarif_2_1_0_schema() {
        let v = sarif_validator();
        // The validator is not a yes-man: a log without `version`, a result with a bad
        // level, and a region starting at line 0 are refused.
        let bad: serde_json::Value =
            serde_json::json!({"runs": [{"tool": {"driver": {"name": "concord"}}}]});
        assert!(!v.is_valid(&bad));
        let cases = [
            (Checker::Lint, vec![hostile_finding()], None),
            (Checker::Lint, vec![], Some("d.tsv:3: this row has 1 cell")),
            (
                Checker::GlossaryCheck,
                vec![
                    glossary_finding(),
                    Diagnostic::new(
                        GlossaryCode::EmptyLanguage,
                        "the ko column is empty",
                        Location::file("c.csv"),
                    ),
                ],
                None,
            ),
        ];
        for (checker, diags, error) in cases {
            let s = render(OutputFormat::Sarif, checker, &diags, error);
            let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
            assert_valid(&v, &doc);
            let mut broken = doc.clone();
            broken["runs"][0]["invocations"][0]["executionSuccessful"] = "yes".into();
            assert!(!v.is_valid(&broken));
            if let Some(r) = broken["runs"][0]["results"].get_mut(0) {
                r["level"] = "fatal".into();
                broken["runs"][0]["invocations"][0]["executionSuccessful"] = true.into();
                assert!(!v.is_valid(&broken));
            }
        }
    }

    #[test]
    fn sarif_information_uri_is_not_example_invalid() {
        let s = render(OutputFormat::Sarif, Checker::Lint, &[], None);
        assert!(!s.contains("example.invalid"), "{s}");
        let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
        match doc["runs"][0]["tool"]["driver"].get("informationUri") {
            None => assert!(information_uri().is_none()),
            Some(u) => assert_eq!(u.as_str(), information_uri()),
        }
    }

    #[test]
    fn sarif_execution_successful_only_when_the_run_completed() {
        let ok = render(
            OutputFormat::Sarif,
            Checker::Lint,
            &[hostile_finding()],
            None,
        );
        let ok: serde_json::Value = serde_json::from_str(&ok).unwrap();
        let inv = &ok["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], true);
        assert!(inv.get("toolExecutionNotifications").is_none());
        let failed = render(
            OutputFormat::Sarif,
            Checker::Lint,
            &[hostile_finding()],
            Some("d.tsv:3: this row has 1 cell"),
        );
        let failed: serde_json::Value = serde_json::from_str(&failed).unwrap();
        let inv = &failed["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        assert_eq!(
            inv["toolExecutionNotifications"][0]["message"]["text"],
            "d.tsv:3: this row has 1 cell"
        );
        // The findings before the failure are kept.
        assert_eq!(failed["runs"][0]["results"].as_array().unwrap().len(), 1);
        // JSON says it too.
        let j = render(OutputFormat::Json, Checker::Lint, &[], Some("boom"));
        let j: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(j["completed"], false);
        assert_eq!(j["error"], "boom");
    }

    #[test]
    fn sarif_rule_index_points_at_the_code() {
        for (checker, d) in [
            (Checker::Lint, hostile_finding()),
            (Checker::GlossaryCheck, glossary_finding()),
        ] {
            let s = render(OutputFormat::Sarif, checker, std::slice::from_ref(&d), None);
            let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
            let run = &doc["runs"][0];
            let r = &run["results"][0];
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(run["tool"]["driver"]["rules"][i]["id"], d.code.id());
            assert_eq!(r["ruleId"], d.code.id());
        }
    }

    #[test]
    fn collect_keeps_diagnostics_and_status() {
        let mut c = Collect::new();
        c.begin(&Run {
            checker: Checker::GlossaryCheck,
            file: "c.csv".into(),
        })
        .unwrap();
        c.diagnostic(&glossary_finding()).unwrap();
        let counts = c.counts();
        c.end(&End {
            summary: &Sum(counts),
            error: None,
        })
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(
            c.diagnostics[0].code,
            Code::Glossary(GlossaryCode::ApprovedAndForbidden)
        );
        assert_eq!(c.status, Some(Status::Findings));
        assert_eq!(c.status.unwrap().exit_code(), 1);
    }
}
