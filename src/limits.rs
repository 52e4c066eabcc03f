//! Caps on the shape of an input, so that a hostile or broken file costs bounded memory
//! and time: an error naming the limit, the file and the line instead of a memory bomb.
//!
//! | limit | default | environment variable | applies to |
//! |---|---|---|---|
//! | languages per import | 100 | `CONCORD_MAX_LANGUAGES` | distinct languages in one `import` (all its files together), in one memory/draft header, in one TMX |
//! | columns | 1,000 | `CONCORD_MAX_COLUMNS` | cells of a header row of a TSV/CSV memory, draft or glossary |
//! | variants per cell | 1,000 | `CONCORD_MAX_VARIANTS` | `|`-separated variants in one glossary cell (terms of one language in one TBX entry) |
//! | segment length | 1,000,000 characters | `CONCORD_MAX_SEGMENT_CHARS` | one segment of a memory or a draft |
//! | term length | 1,000 characters | `CONCORD_MAX_TERM_CHARS` | one glossary term (CSV or TBX) |
//!
//! Each variable takes a positive whole number. The values are read once per process
//! ([`Limits::current`]); the CLI checks them at start ([`Limits::from_env`]) so that a
//! malformed value is an error rather than silently ignored.

use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The caps in force (see the module documentation for defaults and variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Distinct languages in one import, one header or one TMX.
    pub languages: usize,
    /// Cells of a header row.
    pub columns: usize,
    /// `|`-separated variants in one glossary cell.
    pub variants: usize,
    /// Characters of one segment.
    pub segment_chars: usize,
    /// Characters of one glossary term.
    pub term_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// What one limit is called, its variable, and how to read its value.
struct Knob {
    var: &'static str,
    set: fn(&mut Limits, usize),
}

const KNOBS: [Knob; 5] = [
    Knob {
        var: "CONCORD_MAX_LANGUAGES",
        set: |l, v| l.languages = v,
    },
    Knob {
        var: "CONCORD_MAX_COLUMNS",
        set: |l, v| l.columns = v,
    },
    Knob {
        var: "CONCORD_MAX_VARIANTS",
        set: |l, v| l.variants = v,
    },
    Knob {
        var: "CONCORD_MAX_SEGMENT_CHARS",
        set: |l, v| l.segment_chars = v,
    },
    Knob {
        var: "CONCORD_MAX_TERM_CHARS",
        set: |l, v| l.term_chars = v,
    },
];

impl Limits {
    /// The defaults.
    pub const DEFAULT: Limits = Limits {
        languages: 100,
        columns: 1_000,
        variants: 1_000,
        segment_chars: 1_000_000,
        term_chars: 1_000,
    };

    /// The defaults overridden by the `CONCORD_MAX_*` environment variables; a value
    /// that is not a positive whole number is an error naming the variable.
    pub fn from_env() -> Result<Limits> {
        let mut l = Limits::DEFAULT;
        for k in &KNOBS {
            if let Some(v) = std::env::var_os(k.var) {
                let s = v.to_string_lossy();
                let n = s
                    .trim()
                    .replace(['_', ','], "")
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        Error::new(
                            crate::error::ErrorKind::BadRequest,
                            format!("{}={s:?}: expected a positive whole number", k.var),
                        )
                    })?;
                (k.set)(&mut l, n);
            }
        }
        Ok(l)
    }

    /// The limits of this process: [`Limits::from_env`], or the defaults when a variable
    /// is malformed (the CLI reports that at start).
    pub fn current() -> Limits {
        static CURRENT: OnceLock<Limits> = OnceLock::new();
        *CURRENT.get_or_init(|| Limits::from_env().unwrap_or_default())
    }
}

/// The message of a limit error: what was found, the limit and how to raise it.
pub(crate) fn exceeded(what: &str, found: usize, limit: usize, var: &str) -> String {
    format!("{what}: {found} is over the limit of {limit} (raise it with the environment variable {var}=N)")
}

/// Check a segment's length (in characters) against [`Limits::segment_chars`]; the error
/// message says by how much (the caller adds file and line).
pub(crate) fn check_segment(text: &str) -> std::result::Result<(), String> {
    check_chars(
        text,
        Limits::current().segment_chars,
        "segment length in characters",
        "CONCORD_MAX_SEGMENT_CHARS",
    )
}

/// Check a glossary term's length (in characters) against [`Limits::term_chars`].
pub(crate) fn check_term(text: &str) -> std::result::Result<(), String> {
    check_chars(
        text,
        Limits::current().term_chars,
        "term length in characters",
        "CONCORD_MAX_TERM_CHARS",
    )
}

fn check_chars(text: &str, limit: usize, what: &str, var: &str) -> std::result::Result<(), String> {
    // Bytes bound characters from above: the common case costs nothing.
    if text.len() <= limit {
        return Ok(());
    }
    let n = text.chars().count();
    if n <= limit {
        return Ok(());
    }
    Err(exceeded(what, n, limit, var))
}

/// Check a number of columns against [`Limits::columns`].
pub(crate) fn check_columns(n: usize) -> std::result::Result<(), String> {
    let limit = Limits::current().columns;
    if n > limit {
        return Err(exceeded(
            "columns in the header",
            n,
            limit,
            "CONCORD_MAX_COLUMNS",
        ));
    }
    Ok(())
}

/// Check a number of distinct languages against [`Limits::languages`].
pub(crate) fn check_languages(n: usize) -> std::result::Result<(), String> {
    let limit = Limits::current().languages;
    if n > limit {
        return Err(exceeded(
            "distinct languages",
            n,
            limit,
            "CONCORD_MAX_LANGUAGES",
        ));
    }
    Ok(())
}

/// Check a number of variants in one cell against [`Limits::variants`].
pub(crate) fn check_variants(n: usize) -> std::result::Result<(), String> {
    let limit = Limits::current().variants;
    if n > limit {
        return Err(exceeded(
            "variants in one cell",
            n,
            limit,
            "CONCORD_MAX_VARIANTS",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_check_counts_characters_not_bytes() {
        // 3 Hangul syllables are 9 bytes.
        assert!(check_chars("회담은", 3, "x", "V").is_ok());
        let e = check_chars("회담은", 2, "segment length", "V").unwrap_err();
        assert!(
            e.contains("3 is over the limit of 2") && e.contains("V=N"),
            "{e}"
        );
    }
}
