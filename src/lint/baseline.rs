//! Baselines: silence findings that a team has looked at and accepted.
//!
//! A baseline is a text file, one silenced finding per line:
//!
//! ```text
//! # concord lint baseline
//! number-mismatch 9f86d081884c7d65  # draft.tsv:12: the number 1950-53 ...
//! term-missing 2c26b46b68ffc68f
//! ```
//!
//! A line holds a rule id and the finding's fingerprint ([`super::fingerprint`]: rule,
//! matching keys of the segment's source and target, and what the finding is about).
//! Everything after `#` is a comment. The fingerprint contains no line number, so an entry
//! survives reordering and edits of other segments; when the segment itself is edited, the
//! finding comes back and must be looked at again. `concord lint --write-baseline FILE`
//! writes the current findings; `.concordignore` in the current directory is read when no
//! `--baseline` is given.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::formats::input;

use super::rules::Rule;
use super::Finding;

/// A set of silenced findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: HashSet<(Rule, String)>,
}

impl Baseline {
    /// Read a baseline file. Unknown rules and malformed lines are errors with their line.
    pub fn load(path: &Path) -> Result<Baseline> {
        Baseline::read(path, input::open_text(path))
    }

    /// Read a baseline held in `bytes`, as [`Baseline::load`] reads a file (`path` names
    /// it in messages).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Baseline> {
        Baseline::read(path, input::open_bytes(path, bytes))
    }

    fn read(path: &Path, inp: Result<input::TextInput>) -> Result<Baseline> {
        let reader = match inp {
            Ok(i) => i.reader,
            // An empty baseline silences nothing.
            Err(e) if e.kind() == &ErrorKind::EmptyInput => return Ok(Baseline::default()),
            Err(e) => return Err(e),
        };
        let mut b = Baseline::default();
        for (i, line) in reader.lines().enumerate() {
            let n = i as u64 + 1;
            let line = line.map_err(|e| Error::parse(path, n, e.to_string()))?;
            let content = line.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let mut parts = content.split_whitespace();
            let (Some(rule), Some(fp), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(Error::parse(
                    path,
                    n,
                    "expected `RULE FINGERPRINT` (e.g. `term-missing 2c26b46b68ffc68f`)",
                ));
            };
            let rule = Rule::parse(rule)
                .ok_or_else(|| Error::parse(path, n, format!("unknown rule {rule:?}")))?;
            if fp.len() != 16 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::parse(
                    path,
                    n,
                    format!("{fp:?} is not a fingerprint (16 hex digits)"),
                ));
            }
            b.entries.insert((rule, fp.to_ascii_lowercase()));
        }
        Ok(b)
    }

    /// Is this finding silenced? (Only lint findings can be.)
    pub fn contains(&self, f: &Finding) -> bool {
        f.rule().is_some_and(|r| self.silences(r, &f.fingerprint))
    }

    /// Is a finding of `rule` with this fingerprint silenced? (What `lint --fix` asks
    /// before rewriting: a silenced finding is left as it is.)
    pub fn silences(&self, rule: Rule, fingerprint: &str) -> bool {
        self.entries.contains(&(rule, fingerprint.to_string()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the baseline silences nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Write a baseline that silences `findings` (sorted, one line each, with a comment
    /// saying where the finding was).
    pub fn write<W: Write>(findings: &[Finding], mut out: W) -> std::io::Result<()> {
        writeln!(
            out,
            "# concord lint baseline: one silenced finding per line (RULE FINGERPRINT)."
        )?;
        writeln!(
            out,
            "# Written by `concord lint --write-baseline`; delete a line to see its finding again."
        )?;
        let mut rows: Vec<&Finding> = findings.iter().collect();
        rows.sort_by(|a, b| (a.code, &a.fingerprint).cmp(&(b.code, &b.fingerprint)));
        rows.dedup_by(|a, b| a.code == b.code && a.fingerprint == b.fingerprint);
        for f in rows {
            let msg: String = f.message.chars().take(70).collect();
            let msg = msg.replace(['\n', '\r', '#'], " ");
            let msg = crate::text::escape_controls(&msg);
            writeln!(
                out,
                "{} {}  # {}:{}: {}",
                f.code.id(),
                f.fingerprint,
                f.file(),
                f.line(),
                msg
            )?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Langs, Linter, RuleSelection, Segment};

    /// `load` used to recognize an empty baseline by the word "empty" in the message of
    /// a parse error; a parse error whose text says "empty" must stay an error, and an
    /// empty file (no bytes, or only a byte-order mark) silences nothing.
    #[test]
    fn baseline_empty_file_decided_by_kind_not_message() {
        let d = tempfile::tempdir().unwrap();
        for (name, bytes) in [("a.txt", &b""[..]), ("b.txt", &b"\xEF\xBB\xBF"[..])] {
            let p = d.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            assert!(Baseline::load(&p).unwrap().is_empty(), "{name}");
            let b = Baseline::from_bytes(&p, bytes.to_vec()).unwrap();
            assert!(b.is_empty(), "{name}");
        }
        let p = d.path().join("c.txt");
        std::fs::write(&p, "empty-nothing 2c26b46b68ffc68f\n").unwrap();
        let e = Baseline::load(&p).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Parse, "{e}");
        assert!(e.to_string().contains("empty"), "{e}");
        assert_eq!(e.position().and_then(|p| p.line), Some(1));
    }

    #[test]
    fn write_then_load_silences_the_same_findings() {
        let mut l = Linter::new(
            "d.tsv",
            Langs {
                source: Some(crate::lang::LangTag::parse("en").unwrap()),
                target: crate::lang::LangTag::parse("ko").unwrap(),
            },
            RuleSelection::default(),
        );
        let f = l
            .check(&Segment::new(
                1,
                Some("In 2019 and 2020."),
                Some("2018년과 2017년에"),
            ))
            .unwrap();
        assert!(f.len() >= 2);
        let mut buf = Vec::new();
        Baseline::write(&f, &mut buf).unwrap();
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".concordignore");
        std::fs::write(&p, &buf).unwrap();
        let b = Baseline::load(&p).unwrap();
        assert!(f.iter().all(|x| b.contains(x)));
        // The same segment elsewhere in the draft is still silenced; an edited one is not.
        let mut l2 = Linter::new("d.tsv", l.langs().clone(), RuleSelection::default());
        let moved = l2
            .check(&Segment::new(
                40,
                Some("In 2019 and 2020."),
                Some("2018년과 2017년에"),
            ))
            .unwrap();
        assert!(moved.iter().all(|x| b.contains(x)));
        let edited = l2
            .check(&Segment::new(
                41,
                Some("In 2019 and 2020."),
                Some("2019년과 2017년에"),
            ))
            .unwrap();
        assert!(edited.iter().any(|x| !b.contains(x)));
    }

    #[test]
    fn bad_lines_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("b");
        std::fs::write(
            &p,
            "# ok\nterm-missing 0123456789abcdef\nno-rule 0123456789abcdef\n",
        )
        .unwrap();
        let e = Baseline::load(&p).unwrap_err().to_string();
        assert!(e.ends_with("b:3: unknown rule \"no-rule\""), "{e}");
        std::fs::write(&p, "term-missing xyz\n").unwrap();
        assert!(Baseline::load(&p)
            .unwrap_err()
            .to_string()
            .contains("fingerprint"));
    }
}
