//! Translation units: the aligned segments a memory holds.

use serde::{Deserialize, Serialize};

use crate::lang::LangTag;

/// A typed property (`<prop type="x-context">Save</prop>` in TMX, an extra column in TSV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prop {
    /// The property type (TMX `type` attribute, or the column name).
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub value: String,
}

/// Extra data attached to a unit or a variant, kept so that export writes it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    /// Properties, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Prop>,
    /// Notes, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Other attributes from the source file (TMX `tuid`, `usagecount`, `changedate`...),
    /// as name/value pairs in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
}

impl Extra {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.props.is_empty() && self.notes.is_empty() && self.attrs.is_empty()
    }

    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One language's segment in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Its language.
    #[serde(with = "tag_serde")]
    pub lang: LangTag,
    /// The plain text (stored form: NFC, trimmed). This is what is matched.
    pub text: String,
    /// The segment with its inline markup, as TMX `<seg>` content (XML), when the source
    /// had markup. Export writes this back; `None` means the plain text is the segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markup: Option<String>,
    /// Variant-level properties, notes and attributes.
    #[serde(default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Variant {
    /// A plain variant.
    pub fn new(lang: LangTag, text: impl AsRef<str>) -> Variant {
        Variant {
            lang,
            text: crate::text::stored_form(text.as_ref()),
            markup: None,
            extra: Extra::default(),
        }
    }
}

/// Unit-level metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMeta {
    /// The file the unit came from (its file name), or the `origin` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Creation time as written in the source (TMX `creationdate`, e.g. `20260314T091500Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Creator (TMX `creationid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    /// Last change time (TMX `changedate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<String>,
    /// Last changer (TMX `changeid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changer: Option<String>,
    /// The unit's source language, when the file says it (TMX `srclang`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_lang: Option<String>,
    /// Notes, properties and other attributes.
    #[serde(default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

/// A translation unit: one variant per language, and metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// The unit id in the memory (`None` before it is stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The variants, at most one per language.
    pub variants: Vec<Variant>,
    /// Metadata.
    #[serde(default)]
    pub meta: UnitMeta,
}

impl Unit {
    /// A unit without id or metadata.
    pub fn new(variants: Vec<Variant>) -> Unit {
        Unit {
            id: None,
            variants,
            meta: UnitMeta::default(),
        }
    }

    /// The variant in exactly this language tag.
    pub fn variant(&self, lang: &LangTag) -> Option<&Variant> {
        self.variants.iter().find(|v| &v.lang == lang)
    }

    /// The first variant whose language the range selects.
    pub fn variant_in(&self, range: &crate::lang::LangRange) -> Option<&Variant> {
        self.variants.iter().find(|v| range.matches(&v.lang))
    }
}

mod tag_serde {
    use super::LangTag;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tag: &LangTag, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tag.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LangTag, D::Error> {
        let s = String::deserialize(d)?;
        LangTag::parse(&s).map_err(serde::de::Error::custom)
    }
}
