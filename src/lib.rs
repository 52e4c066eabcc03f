//! # concord
//!
//! Translation memory, termbase and QA for English, Korean and Chinese diplomatic text.
//!
//! ```
//! use concord::{lang::LangTag, store::Memory, unit::{Unit, Variant}};
//!
//! let mut memory = Memory::open_in_memory()?;
//! let en = LangTag::parse("en")?;
//! let ko = LangTag::parse("ko")?;
//! memory.import(&["example"], |imp| {
//!     imp.add(Unit::new(vec![
//!         Variant::new(en.clone(), "The two ministers discussed the Korean Peninsula."),
//!         Variant::new(ko.clone(), "양국 장관은 한반도 문제를 논의했다."),
//!     ]))?;
//!     Ok(())
//! })?;
//! assert_eq!(memory.stats()?.units, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod formats;
pub mod fuzzy;
pub mod glossary;
pub mod lang;
pub mod lint;
pub mod samples;
pub mod store;
pub mod text;
pub mod unit;

pub use error::{Error, Result};
