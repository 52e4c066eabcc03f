//! What the linter checks: segments of a draft, each with a source and a target text,
//! their inline tags, and where they are in the file.

/// An inline tag of an XLIFF segment (`<g id="1">`, `<x/>`, `<ph>`, `<pc>`...), kept
/// apart from the plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineTag {
    /// What identifies the tag when source and target are compared: the element name
    /// and its id (`g#1`, `ph#2`, `ept#1`, `mrk:protected`).
    pub key: String,
    /// Character offset in the plain text where the tag stands.
    pub offset: usize,
}

/// A place in the file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Anchor {
    /// Character offset in the plain text.
    pub offset: usize,
    /// Line of that character in the file.
    pub line: u64,
    /// Column of that character in the file (1-based, in Unicode scalar values).
    pub column: u64,
}

/// How a [`TextRun`]'s characters are written in the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A cell of a TSV or CSV row: the run's bytes are the whole row (without its line
    /// end); [`crate::formats::splice`] finds cell `index` in them (split on TAB for a
    /// TSV, RFC 4180 with `delimiter` for a CSV: a quoted cell doubles its quotes).
    Cell {
        /// The cell's index in the row (0-based).
        index: usize,
        /// The row's delimiter (`b'\t'` for a TSV).
        delimiter: u8,
    },
    /// XML character data: `&lt; &gt; &amp; &quot; &apos;` and character references
    /// stand for one character each.
    Xml,
    /// The content of an XML `<![CDATA[...]]>` section, written as it is.
    Cdata,
}

/// Where a stretch of a text's characters is written in the file, as bytes: what a
/// fixer needs to replace some of them in place, every other byte of the file kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRun {
    /// Character offset in the plain text where the run starts.
    pub offset: usize,
    /// Number of characters of the plain text the run holds.
    pub chars: usize,
    /// Byte range in the UTF-8 text the reader read (after a UTF-8 byte-order mark, which
    /// the reader skips; a UTF-16 file's offsets are in its decoded text, not the file).
    pub bytes: std::ops::Range<u64>,
    /// How the characters are written there.
    pub kind: RunKind,
}

/// One side (source or target) of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegText {
    /// The text as written, with inline markup removed (not trimmed, not normalized).
    pub text: String,
    /// Inline tags (XLIFF), in order.
    pub tags: Vec<InlineTag>,
    /// Where pieces of the text are in the file, sorted by offset; the first anchor is at
    /// offset 0.
    pub anchors: Vec<Anchor>,
    /// Where the text's characters are in the file's bytes, sorted by offset (TSV, CSV,
    /// XLIFF and TMX drafts; empty for other texts). Characters outside every run (an
    /// XLIFF `<cp/>`) cannot be rewritten in place.
    pub runs: Vec<TextRun>,
    /// Character ranges of the text the file protects from change, in order: the content
    /// of an XLIFF `<mrk mtype="protected">` (1.2), `<mrk translate="no">` (2.0) or
    /// `<mrk its:translate="no">` (1.2, any prefix bound to the ITS namespace), and the
    /// text between an XLIFF 2.0 `<sm translate="no"/>` and its `<em/>`. A fixer never
    /// rewrites them.
    pub protected: Vec<std::ops::Range<usize>>,
}

impl SegText {
    /// A text that starts at `line:column` of the file.
    pub fn at(text: impl Into<String>, line: u64, column: u64) -> SegText {
        SegText {
            text: text.into(),
            tags: Vec::new(),
            anchors: vec![Anchor {
                offset: 0,
                line,
                column,
            }],
            runs: Vec::new(),
            protected: Vec::new(),
        }
    }

    /// The run that holds characters `start..end` whole, if one does.
    pub fn run_holding(&self, start: usize, end: usize) -> Option<&TextRun> {
        self.runs
            .iter()
            .find(|r| r.offset <= start && end <= r.offset + r.chars)
    }

    /// The file line and column of character `offset` of the text: from the nearest
    /// anchor, counting line breaks in the text.
    pub fn position(&self, offset: usize) -> (u64, u64) {
        let i = self.anchors.partition_point(|a| a.offset <= offset);
        let a = if i == 0 {
            self.anchors.first().copied().unwrap_or_default()
        } else {
            self.anchors[i - 1]
        };
        let (mut line, mut col) = (a.line, a.column);
        for c in self
            .text
            .chars()
            .skip(a.offset)
            .take(offset - a.offset.min(offset))
        {
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        (line.max(1), col.max(1))
    }

    /// True when the text is empty or only white space.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// One segment of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    /// 1-based number of the segment in the draft (a TSV row number, the n-th XLIFF
    /// segment, the n-th line of a text file).
    pub number: u64,
    /// The segment's id in the file (XLIFF unit id, with `#segment` for XLIFF 2.0
    /// segments and SDLXLIFF sub-segments), when it has one.
    pub id: Option<String>,
    /// The line of the segment in the file (the row, or the unit's start).
    pub line: u64,
    /// The source text (`None` for a target-only draft).
    pub source: Option<SegText>,
    /// The target text (`None` when the file has no target for the segment).
    pub target: Option<SegText>,
    /// The second target of a trilingual draft (EN, KO and ZH columns, or three
    /// languages in a TMX unit): the language of [`super::draft::DraftLangs::second`],
    /// checked against the target by the `cross-target` rule. `None` in other drafts.
    pub second: Option<SegText>,
    /// Whether the bilingual file protects the segment ([`Lock`]); always
    /// [`Lock::Open`] outside XLIFF.
    pub lock: Lock,
}

/// Whether a bilingual file lets a segment be edited.
///
/// The spellings read (XLIFF, SDLXLIFF, MQXLIFF; [`super::xliff`]):
///
/// * [`Lock::Locked`]: SDLXLIFF `<sdl:seg locked="true">`, memoQ `mq:locked="locked"`
///   on the `<trans-unit>`, an XLIFF 2.0 `<segment>` whose `subState` names a lock
///   (`…:locked`, as tools write their own state values).
/// * [`Lock::NoTranslate`]: `translate="no"` on the unit, or inherited from an
///   enclosing `<group>` (XLIFF 1.2 and 2.0) or `<file>` (2.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lock {
    /// Editable.
    #[default]
    Open,
    /// Locked by the editor: its target must not change.
    Locked,
    /// Not to be translated.
    NoTranslate,
}

impl Lock {
    /// True unless [`Lock::Open`].
    pub fn is_locked(self) -> bool {
        self != Lock::Open
    }
}

impl Segment {
    /// A segment from plain strings (tests, library users).
    pub fn new(number: u64, source: Option<&str>, target: Option<&str>) -> Segment {
        Segment {
            number,
            id: None,
            line: number,
            source: source.map(|s| SegText::at(s, number, 1)),
            target: target.map(|t| SegText::at(t, number, 1)),
            second: None,
            lock: Lock::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_line_breaks() {
        let mut t = SegText::at("ab\ncd", 10, 5);
        assert_eq!(t.position(0), (10, 5));
        assert_eq!(t.position(1), (10, 6));
        assert_eq!(t.position(4), (11, 2));
        t.anchors.push(Anchor {
            offset: 3,
            line: 20,
            column: 7,
        });
        assert_eq!(t.position(4), (20, 8));
    }
}
