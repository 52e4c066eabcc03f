//! Proptest strategies for EN/KO/ZH segments and memories: sentences built from
//! diplomatic vocabulary (very short 1–3-character ones, ordinary ones, 300+-character
//! ones), near-duplicates made by a few character edits, and the forms a memory meets in
//! the wild (NFD Hangul, upper case, full-width ASCII). Everything is generated from
//! strategies, never from one seed, so a failing case shrinks to a small one.

use proptest::prelude::*;
use proptest::sample::{select, Index};
use unicode_normalization::UnicodeNormalization;

/// English words (with a full-width `ＤＰＲＫ`).
pub const EN: &[&str] = &[
    "the",
    "minister",
    "met",
    "Korea",
    "peninsula",
    "talks",
    "in",
    "Seoul",
    "on",
    "Monday",
    "2024",
    "DPRK",
    "ＤＰＲＫ",
    "foreign",
    "ministry",
    "said",
    "a",
    "statement",
    "visit",
    "Beijing",
    "of",
    "and",
    "President",
    "Kim",
    "March",
    "12",
    "nuclear",
    "peace",
];

/// Korean words.
pub const KO: &[&str] = &[
    "북한",
    "외무성",
    "장관은",
    "회담을",
    "서울에서",
    "열렸다",
    "한반도",
    "평화",
    "대통령",
    "3월",
    "12일",
    "외교부",
    "대변인은",
    "방문",
    "북경",
    "한",
    "의",
    "성명을",
    "발표했다",
];

/// Chinese words (2-character terms and single characters).
pub const ZH: &[&str] = &[
    "朝鲜",
    "韩国",
    "外交部",
    "会谈",
    "和平",
    "半岛",
    "北京",
    "在",
    "举行",
    "韩",
    "发言人",
    "表示",
    "总统",
    "3月12日",
    "访问",
    "声明",
    "无核化",
    "的",
];

/// The word pools of EN, KO and ZH, in that order (the index is the language).
pub const POOLS: [&[&str]; 3] = [EN, KO, ZH];

/// The language tags of the pools.
pub const LANGS: [&str; 3] = ["en", "ko", "zh"];

/// The word separator of a language (Chinese has none).
pub fn separator(lang: usize) -> &'static str {
    if lang == 2 {
        ""
    } else {
        " "
    }
}

/// A sentence of language `lang` (0 = EN, 1 = KO, 2 = ZH): one in ten is 1–3
/// characters, one in ten is 300+ characters, the rest 2–13 words.
pub fn sentence(lang: usize) -> BoxedStrategy<String> {
    let words = POOLS[lang];
    let sep = separator(lang);
    prop_oneof![
        1 => (select(words), 1usize..=3)
            .prop_map(|(w, n)| w.chars().take(n).collect::<String>()),
        1 => prop::collection::vec(select(words), 1..40).prop_map(move |ws| {
            let mut s = String::new();
            for w in ws.iter().cycle() {
                if s.chars().count() >= 300 {
                    break;
                }
                s.push_str(w);
                s.push_str(sep);
            }
            s
        }),
        8 => prop::collection::vec(select(words), 2..14).prop_map(move |ws| ws.join(sep)),
    ]
    .boxed()
}

/// One character edit: replace, remove or insert a character taken from the pool.
#[derive(Debug, Clone)]
pub struct Edit {
    op: u8,
    at: Index,
    word: Index,
    ch: Index,
}

/// The form a near-duplicate takes after its edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// As edited.
    Same,
    /// Unicode NFD (Hangul syllables become conjoining jamo).
    Nfd,
    /// Upper case.
    Upper,
    /// ASCII letters, digits and punctuation as full-width forms (U+FF01–U+FF5E), spaces
    /// as ideographic spaces.
    FullWidth,
}

/// 0–4 edits.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        (0u8..3, any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(op, at, word, ch)| Edit { op, at, word, ch }),
        0..5,
    )
}

/// Mostly [`Form::Same`], sometimes NFD, upper case or full width.
pub fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        9 => Just(Form::Same),
        2 => Just(Form::Nfd),
        1 => Just(Form::Upper),
        1 => Just(Form::FullWidth),
    ]
}

/// A near-duplicate of `s`: the edits applied with characters of `pool`, then the form.
pub fn near_duplicate(s: &str, pool: &[&str], edits: &[Edit], form: Form) -> String {
    let mut c: Vec<char> = s.chars().collect();
    for e in edits {
        let extra: Vec<char> = e.word.get(pool).chars().collect();
        let ch = *e.ch.get(&extra);
        match e.op {
            0 if !c.is_empty() => {
                let i = e.at.index(c.len());
                c[i] = ch;
            }
            1 if !c.is_empty() => {
                c.remove(e.at.index(c.len()));
            }
            _ => {
                let i = e.at.index(c.len() + 1);
                c.insert(i, ch);
            }
        }
    }
    let out: String = c.into_iter().collect();
    match form {
        Form::Same => out,
        Form::Nfd => out.nfd().collect(),
        Form::Upper => out.to_uppercase(),
        Form::FullWidth => out
            .chars()
            .map(|c| match c {
                ' ' => '\u{3000}',
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).expect("full-width form"),
                _ => c,
            })
            .collect(),
    }
}

/// The Chinese variant of a generated unit: tagged `zh`, tagged `zh-CN`, or absent.
pub fn zh_tag() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![6 => Just(Some("zh")), 2 => Just(Some("zh-CN")), 1 => Just(None)]
}

/// A generated memory: EN/KO/ZH rows (near-duplicates of a few base sentences), the
/// Chinese tag of each row, where the rows split into two imports, and the units to
/// delete afterwards.
#[derive(Debug, Clone)]
pub struct MemorySpec {
    /// The texts of each unit: EN, KO, ZH.
    pub rows: Vec<[String; 3]>,
    /// The Chinese tag of each row (`None`: the unit has no Chinese).
    pub zh_tags: Vec<Option<&'static str>>,
    /// The first import holds `rows[..split.index(rows.len())]`.
    pub split: Index,
    /// Units to delete after the imports, as indexes into the stored ids.
    pub deletions: Vec<Index>,
}

/// 4–23 base triples, 20–169 rows made from them, 0–4 deletions.
pub fn memory() -> impl Strategy<Value = MemorySpec> {
    let bases = prop::collection::vec((sentence(0), sentence(1), sentence(2)), 4..24);
    let row = (
        any::<Index>(),
        (edits(), form()),
        (edits(), form()),
        (edits(), form()),
        zh_tag(),
    );
    let rows = prop::collection::vec(row, 20..170);
    (
        bases,
        rows,
        any::<Index>(),
        prop::collection::vec(any::<Index>(), 0..5),
    )
        .prop_map(|(bases, rows, split, deletions)| {
            let mut out = Vec::with_capacity(rows.len());
            let mut zh_tags = Vec::with_capacity(rows.len());
            for (b, en, ko, zh, tag) in rows {
                let (be, bk, bz) = b.get(&bases);
                out.push([
                    near_duplicate(be, EN, &en.0, en.1),
                    near_duplicate(bk, KO, &ko.0, ko.1),
                    near_duplicate(bz, ZH, &zh.0, zh.1),
                ]);
                zh_tags.push(tag);
            }
            MemorySpec {
                rows: out,
                zh_tags,
                split,
                deletions,
            }
        })
}

/// A query: its language and either a fresh sentence or a near-duplicate of a row.
#[derive(Debug, Clone)]
pub enum QuerySpec {
    /// A sentence of the language, unrelated to the memory.
    Fresh(usize, String),
    /// A near-duplicate of the text of `row` in the language.
    Edit(usize, Index, Vec<Edit>, Form),
}

impl QuerySpec {
    /// The language (0 = EN, 1 = KO, 2 = ZH).
    pub fn lang(&self) -> usize {
        match self {
            QuerySpec::Fresh(l, _) | QuerySpec::Edit(l, ..) => *l,
        }
    }

    /// The query text against the rows of a memory.
    pub fn text(&self, rows: &[[String; 3]]) -> String {
        match self {
            QuerySpec::Fresh(_, s) => s.clone(),
            QuerySpec::Edit(l, row, edits, form) => {
                near_duplicate(&row.get(rows)[*l], POOLS[*l], edits, *form)
            }
        }
    }
}

/// One query in four is a fresh sentence, the others edits of stored rows.
pub fn query() -> impl Strategy<Value = QuerySpec> {
    (0usize..3).prop_flat_map(|l| {
        prop_oneof![
            1 => sentence(l).prop_map(move |s| QuerySpec::Fresh(l, s)),
            3 => (any::<Index>(), edits(), form())
                .prop_map(move |(r, e, f)| QuerySpec::Edit(l, r, e, f)),
        ]
    })
}
