//! Output formats of `concord lint`: the printers of [`crate::diag::printer`], which
//! `concord glossary check` uses too (text, JSON, SARIF 2.1.0, and `Collect`).
//!
//! * [`TextPrinter`]: `file:line:col: severity rule: message`, then the source and target
//!   with the span marked, and the suggestion; a summary line at the end. Control
//!   characters of the draft are shown escaped.
//! * [`JsonPrinter`]: one JSON document (`schema: "concord-lint/1"`), one finding per line
//!   inside `findings`, then `summary` and `completed`. Streamed: findings are written as
//!   they are found.
//! * [`SarifPrinter`]: SARIF 2.1.0, one run, the rules in `tool.driver.rules`, one result
//!   per finding with `physicalLocation.region` (columns in Unicode code points).
//!
//! Printers write to any `io::Write`; the CLI only chooses one.

pub use crate::diag::printer::{
    mark, printer, sarif_result, sarif_rules, Collect, End, JsonPrinter, OutputFormat, Printer,
    Run, SarifPrinter, TextPrinter,
};
pub use crate::diag::sarif::file_uri;

/// The JSON document's schema id.
pub const JSON_SCHEMA: &str = "concord-lint/1";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Checker;
    use crate::lang::LangTag;
    use crate::lint::{Finding, Langs, Linter, Rule, RuleSelection, Segment, Summary};

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
            s.count(x.rule().unwrap(), x.severity);
        }
        (f, s)
    }

    fn run() -> Run {
        Run {
            checker: Checker::Lint,
            file: "drafts/주간 draft.tsv".into(),
        }
    }

    fn render(format: OutputFormat) -> String {
        let (f, s) = findings();
        let mut buf = Vec::new();
        {
            let mut p = printer(format, &mut buf);
            p.begin(&run()).unwrap();
            for x in &f {
                p.diagnostic(x).unwrap();
            }
            p.end(&End {
                summary: &s,
                error: None,
            })
            .unwrap();
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
            "second_target",
            "second_target_span",
            "fingerprint",
        ] {
            assert!(f.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["summary"]["warnings"], 2);
        // An empty run is still a valid document.
        let mut buf = Vec::new();
        let mut p = JsonPrinter::new(&mut buf);
        p.begin(&run()).unwrap();
        p.end(&End {
            summary: &Summary::default(),
            error: None,
        })
        .unwrap();
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
