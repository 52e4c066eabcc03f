//! Which lint rules run: [`RuleSelection`]. The rules themselves ([`Rule`]) are diagnostic
//! codes and live in [`crate::diag`].

pub use crate::diag::Severity;
pub use crate::diag::{Rule, UnknownRule};

/// Which rules run and which findings are reported. A finding's severity is its rule's,
/// so the minimum severity is applied in one place, [`RuleSelection::on`]: a rule below
/// it does not run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    /// Rules selected (all by default).
    pub enabled: Vec<Rule>,
    /// Rules whose severity is below this one do not run.
    pub min_severity: Severity,
}

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            enabled: Rule::ALL.to_vec(),
            min_severity: Severity::Info,
        }
    }
}

impl RuleSelection {
    /// `only`: when not empty, only these rules run; `skip`: these never run.
    pub fn new(only: &[Rule], skip: &[Rule], min_severity: Severity) -> RuleSelection {
        let enabled = Rule::ALL
            .into_iter()
            .filter(|r| only.is_empty() || only.contains(r))
            .filter(|r| !skip.contains(r))
            .collect();
        RuleSelection {
            enabled,
            min_severity,
        }
    }

    /// Does `rule` run? When it is selected and its severity is at least the minimum.
    pub fn on(&self, rule: Rule) -> bool {
        rule.severity() >= self.min_severity && self.enabled.contains(&rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_lists_split_on_commas_and_name_the_unknown_id() {
        let items = ["term-missing, number-mismatch", "", "TAG-MISMATCH"];
        let ids: Vec<&str> = Rule::parse_list(&items)
            .unwrap()
            .iter()
            .map(|r| r.id())
            .collect();
        assert_eq!(ids, ["term-missing", "number-mismatch", "tag-mismatch"]);
        let e = Rule::parse_list(&["whitespace,nope"]).unwrap_err();
        assert_eq!(e, UnknownRule("nope".into()));
        assert!(e
            .to_string()
            .starts_with("\"nope\": no such rule (rules: term-missing"));
    }

    #[test]
    fn ids_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.id()), Some(r));
        }
        assert_eq!(Rule::TermMissing.camel_name(), "TermMissing");
        assert_eq!(Rule::parse("no-such-rule"), None);
    }

    #[test]
    fn selection() {
        let s = RuleSelection::new(&[], &[Rule::Whitespace], Severity::Warning);
        assert!(!s.on(Rule::Whitespace));
        assert!(!s.on(Rule::MemoryMismatch));
        assert!(s.on(Rule::NumberMismatch));
        let s = RuleSelection::new(&[Rule::TagMismatch], &[], Severity::Info);
        assert_eq!(s.enabled, vec![Rule::TagMismatch]);
    }
}
