//! # concord
//!
//! Translation memory, termbase and QA for English, Korean and Chinese diplomatic text.
//!
//! * [`store::Memory`]: aligned EN/KO/ZH units in an SQLite file, imported from and
//!   exported to TMX, TSV and CSV ([`formats`]).
//! * [`fuzzy`]: exact top-K fuzzy matches from any language, served by an index kept in
//!   the same file; concordance search.
//! * [`glossary`]: terms with approved and forbidden variants, CSV in and out, and the
//!   [`glossary::Recognizer`] that finds terms in Korean, Chinese and English text.
//! * [`lint`]: QA of translated drafts (terms, numbers, tags, scripts, punctuation,
//!   consistency), with text, JSON and SARIF output.
//! * [`align`]: EN/KO/ZH versions of a document into aligned units with confidences
//!   (length model, glossary, number and name anchors), for the memory.
//! * [`diag`]: the one diagnostic model (lint findings, glossary check findings, load
//!   warnings) and the printers every checker shares.
//! * [`segment`]: sentence segmentation of EN/KO/ZH paragraphs by SRX 2.0 rules (ours
//!   shipped, yours in front of them).
//! * [`answer`]: the answers of `match`, `search`, `terms`, `stats` and `show`, as
//!   serializable types with a schema id.
//! * [`output`] writes the files the user names (atomically, never over the memory).
//! * [`text`] is the one place that normalizes text; [`lang`] parses language tags.
//!
//! Open a memory, match a sentence, lint a draft:
//!
//! ```
//! use std::path::Path;
//! use concord::fuzzy::{find_matches, MatchOptions};
//! use concord::glossary::Glossary;
//! use concord::formats::glossary::CsvOptions;
//! use concord::lang::{LangRange, LangTag};
//! use concord::lint::{Langs, Linter, Rule, RuleSelection, Segment};
//! use concord::store::Memory;
//! use concord::unit::{Unit, Variant};
//!
//! // A memory (here in RAM; `Memory::open("memories/concord.db")` for a file).
//! let mut memory = Memory::open_in_memory()?;
//! let (en, ko) = (LangTag::parse("en")?, LangTag::parse("ko")?);
//! memory.import(&["readouts.tsv"], |imp| {
//!     imp.add(Unit::new(vec![
//!         Variant::new(en.clone(), "The two ministers discussed the situation on the Korean Peninsula."),
//!         Variant::new(ko.clone(), "양국 장관은 한반도 정세에 대해 논의하였다."),
//!     ]))?;
//!     Ok(())
//! })?;
//!
//! // Fuzzy matches for a new sentence: the score is Levenshtein similarity of the
//! // matching keys, 0-100.
//! let query = "The two ministers discussed the situation on the Korean peninsula today.";
//! let matches = find_matches(&memory, query, &LangRange::parse("en")?, MatchOptions::default())?;
//! assert_eq!(matches[0].id, 1);
//! assert!(matches[0].score > 90.0);
//!
//! // Lint a Korean draft with a glossary: 북조선 is a forbidden rendering of "DPRK".
//! let csv = "id,en,ko,ko:forbidden\ndprk,DPRK|North Korea,북한,북조선\n";
//! let glossary = Glossary::from_csv_str(csv, Path::new("terms.csv"), &CsvOptions::default())?;
//! let langs = Langs { source: Some(en), target: ko };
//! let mut linter = Linter::new("draft.tsv", langs, RuleSelection::default()).with_glossary(&glossary);
//! let draft = Segment::new(1, Some("The DPRK's envoy arrived."), Some("북조선의 특사가 도착했다."));
//! let findings = linter.check(&draft)?;
//! assert!(findings.iter().any(|f| f.code == Rule::TermForbidden));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
// The library never prints: answers go back to the caller, which decides how to show them.
// (Unit tests may: a test that skips says so on stderr.)
#![cfg_attr(not(test), warn(clippy::print_stdout, clippy::print_stderr))]

pub mod align;
pub mod analysis;
pub mod answer;
pub mod cpu;
pub mod diag;
pub mod error;
pub mod formats;
pub mod fuzzy;
pub mod glossary;
pub mod keystore;
pub mod lang;
pub mod limits;
pub mod lint;
pub mod output;
pub mod pretranslate;
pub mod qgram;
pub mod samples;
pub mod segment;
#[cfg(feature = "server")]
pub mod server;
pub mod store;
#[cfg(test)]
pub(crate) mod testutil;
pub mod text;
pub mod unit;

pub use error::{Error, Result};
