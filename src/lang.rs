//! BCP 47 language tags and the filtering rules concord applies to them.
//!
//! Tags are parsed strictly (RFC 5646 syntax), their primary language must be a known
//! ISO 639 code, and they are stored in canonical case (`zh-Hant-TW`, `en-US`, `ko`).
//! Comparison is case-insensitive because parsing canonicalizes.
//!
//! A [`LangRange`] selects tags by RFC 4647 *basic filtering* (`zh` selects `zh`, `zh-CN`,
//! `zh-Hans`, `zh-TW`...), with one addition for Chinese: the region implies the
//! script, so `zh-CN`, `zh-SG` and `zh-Hans` are all Simplified Chinese and select each
//! other, while `zh-TW`, `zh-HK`, `zh-MO` and `zh-Hant` are Traditional and stay
//! distinct. A bare `zh` tag in a memory is read as Simplified (the usage of the files
//! translators bring), so `zh-Hans` selects it, but `zh-Hant` does not.
//!
//! ```
//! use concord::lang::{LangRange, LangTag};
//!
//! let tag = LangTag::parse("ZH-cn").unwrap();
//! assert_eq!(tag.as_str(), "zh-CN");
//! assert!(LangRange::parse("zh").unwrap().matches(&tag));
//! assert!(LangRange::parse("zh-Hans").unwrap().matches(&tag));
//! assert!(!LangRange::parse("zh-TW").unwrap().matches(&tag));
//! // Unknown or malformed tags are errors, not guesses.
//! assert!(LangTag::parse("xx").is_err());
//! assert!(LangTag::parse("en_US!").is_err());
//! ```

use std::fmt;

/// A language tag that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LangError {
    /// The tag does not follow BCP 47 syntax.
    #[error("malformed language tag {0:?} (expected a BCP 47 tag such as en, ko, zh-CN)")]
    Malformed(String),
    /// The syntax is fine but the primary language is not a known ISO 639 code.
    #[error("unknown language {primary:?} in tag {tag:?} (expected a code such as en, ko, zh)")]
    Unknown {
        /// The whole tag as given.
        tag: String,
        /// Its primary language subtag.
        primary: String,
    },
}

/// The script variety of a Chinese tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChineseScript {
    /// Simplified characters (zh-Hans, zh-CN, zh-SG, and a bare zh).
    Simplified,
    /// Traditional characters (zh-Hant, zh-TW, zh-HK, zh-MO).
    Traditional,
}

/// A parsed, canonical BCP 47 language tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LangTag {
    canonical: String,
}

/// A language range used to select tags (RFC 4647 basic filtering, Chinese-aware).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangRange {
    tag: Option<LangTag>,
}

// ISO 639-1 codes, plus the ISO 639-2/3 codes that translation files use in practice.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce \
ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha \
he hi ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn \
ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na nb nd ne ng \
nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm \
sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo \
xh yi yo za zh zu";
const ISO_639_3: &str = "ace ast bho ceb chr ckb cmn crh dsb fil fur gsw hak haw hsb hmn ilo jbo \
kab kok lad lij lmo lzh mai mni mos nan nds nso pam pap sah scn sco shn szl tet tlh tpi tzm vec \
wuu yue zza";

fn is_known_primary(p: &str) -> bool {
    match p.len() {
        2 => ISO_639_1.split_ascii_whitespace().any(|c| c == p),
        3 => ISO_639_3.split_ascii_whitespace().any(|c| c == p),
        _ => false,
    }
}

impl LangTag {
    /// Parse and canonicalize a tag (`EN-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW`).
    /// Underscores are accepted as separators (`ko_KR`), as many tools write them.
    pub fn parse(input: &str) -> Result<LangTag, LangError> {
        let s = input.trim();
        let malformed = || LangError::Malformed(input.to_string());
        if s.is_empty() || s.len() > 64 || !s.is_ascii() {
            return Err(malformed());
        }
        let parts: Vec<&str> = s.split(['-', '_']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(malformed());
        }
        let primary = parts[0].to_ascii_lowercase();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(malformed());
        }
        if !is_known_primary(&primary) {
            return Err(LangError::Unknown {
                tag: input.to_string(),
                primary,
            });
        }
        let mut out = vec![primary];
        let mut i = 1;
        // extlang (up to three 3-letter subtags) is folded away only for zh-cmn etc.
        while i < parts.len()
            && parts[i].len() == 3
            && parts[i].bytes().all(|b| b.is_ascii_alphabetic())
            && i <= 3
        {
            out.push(parts[i].to_ascii_lowercase());
            i += 1;
        }
        let mut seen_script = false;
        let mut seen_region = false;
        while i < parts.len() {
            let p = parts[i];
            let lower = p.to_ascii_lowercase();
            if lower == "x" || lower.len() == 1 {
                // extension or private use: keep the rest lowercased, require content
                if i + 1 >= parts.len() {
                    return Err(malformed());
                }
                out.extend(parts[i..].iter().map(|p| p.to_ascii_lowercase()));
                break;
            }
            if p.len() == 4
                && p.bytes().all(|b| b.is_ascii_alphabetic())
                && !seen_script
                && !seen_region
            {
                let mut t = lower.clone();
                t[..1].make_ascii_uppercase();
                out.push(t);
                seen_script = true;
            } else if !seen_region
                && ((p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
                    || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit())))
            {
                out.push(p.to_ascii_uppercase());
                seen_region = true;
                seen_script = true;
            } else if (5..=8).contains(&p.len())
                || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit())
            {
                out.push(lower);
                seen_script = true;
                seen_region = true;
            } else {
                return Err(malformed());
            }
            i += 1;
        }
        Ok(LangTag {
            canonical: out.join("-"),
        })
    }

    /// The canonical tag text.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The primary language subtag (`zh` for `zh-Hant-TW`).
    pub fn primary(&self) -> &str {
        self.canonical.split('-').next().unwrap_or("")
    }

    /// The script subtag, if any (`Hant`).
    pub fn script(&self) -> Option<&str> {
        self.canonical
            .split('-')
            .skip(1)
            .find(|p| p.len() == 4 && p.as_bytes()[0].is_ascii_uppercase())
    }

    /// The region subtag, if any (`TW`, `419`).
    pub fn region(&self) -> Option<&str> {
        self.canonical.split('-').skip(1).find(|p| {
            (p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
                || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
        })
    }

    /// True for Chinese tags (`zh`, `cmn`, `yue`, `lzh`...).
    pub fn is_chinese(&self) -> bool {
        matches!(
            self.primary(),
            "zh" | "cmn" | "yue" | "wuu" | "nan" | "hak" | "lzh"
        )
    }

    /// Simplified or Traditional for a Chinese tag, from its script or region.
    pub fn chinese_script(&self) -> Option<ChineseScript> {
        if !self.is_chinese() {
            return None;
        }
        match self.script() {
            Some("Hans") => return Some(ChineseScript::Simplified),
            Some("Hant") => return Some(ChineseScript::Traditional),
            _ => {}
        }
        match self.region() {
            Some("TW" | "HK" | "MO") => Some(ChineseScript::Traditional),
            _ if self.primary() == "yue" => Some(ChineseScript::Traditional),
            _ => Some(ChineseScript::Simplified),
        }
    }

    /// The order concord lists languages in (columns, variants): en, ko, zh first, then
    /// the others; ties by tag. Sort with `tags.sort_by(|a, b| a.order_key().cmp(&b.order_key()))`.
    pub fn order_key(&self) -> (u8, &str) {
        let rank = match self.primary() {
            "en" => 0,
            "ko" => 1,
            "zh" => 2,
            _ => 3,
        };
        (rank, self.as_str())
    }

    /// The coarse language family concord's text rules use: `en`, `ko`, `zh` or other.
    pub fn family(&self) -> &str {
        if self.is_chinese() {
            "zh"
        } else {
            self.primary()
        }
    }
}

impl LangTag {
    /// True when the two tags name the same language variety for concord: equal tags, or
    /// Chinese tags that select each other (`zh-CN` and `zh-Hans`).
    pub fn same_variety(&self, other: &LangTag) -> bool {
        if self == other {
            return true;
        }
        let a = LangRange {
            tag: Some(self.clone()),
        };
        let b = LangRange {
            tag: Some(other.clone()),
        };
        self.is_chinese()
            && other.is_chinese()
            && self.primary() == other.primary()
            && (self.script().is_some() || self.region().is_some())
            && (other.script().is_some() || other.region().is_some())
            && a.matches(other)
            && b.matches(self)
    }
}

impl fmt::Display for LangTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.canonical)
    }
}

impl std::str::FromStr for LangTag {
    type Err = LangError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LangTag::parse(s)
    }
}

impl LangRange {
    /// Parse a range: a language tag, or `*` for every language.
    pub fn parse(input: &str) -> Result<LangRange, LangError> {
        if input.trim() == "*" {
            return Ok(LangRange { tag: None });
        }
        Ok(LangRange {
            tag: Some(LangTag::parse(input)?),
        })
    }

    /// The range's tag (`None` for `*`).
    pub fn tag(&self) -> Option<&LangTag> {
        self.tag.as_ref()
    }

    /// Does this range select `tag`?
    pub fn matches(&self, tag: &LangTag) -> bool {
        let Some(range) = &self.tag else {
            return true;
        };
        if range.primary() != tag.primary() {
            return false;
        }
        if range.is_chinese() && (range.script().is_some() || range.region().is_some()) {
            // Chinese: compare the implied script, then the region if the range has one
            // and the tag has one too.
            if range.chinese_script() != tag.chinese_script() {
                return false;
            }
            return match (range.region(), tag.region()) {
                (Some(r), Some(t)) => {
                    r == t || range.region().map(is_script_like_region).unwrap_or(false)
                }
                _ => true,
            };
        }
        // RFC 4647 basic filtering: the range is a prefix of the tag at a subtag boundary.
        let r = range.as_str().to_ascii_lowercase();
        let t = tag.as_str().to_ascii_lowercase();
        t == r || (t.starts_with(&r) && t.as_bytes()[r.len()] == b'-')
    }
}

/// zh-CN stands for Simplified in general and zh-TW for Traditional: a range with these
/// regions also selects the other regions of the same script (zh-CN selects zh-SG).
fn is_script_like_region(r: &str) -> bool {
    matches!(r, "CN" | "TW")
}

impl fmt::Display for LangRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tag {
            Some(t) => t.fmt(f),
            None => f.write_str("*"),
        }
    }
}

/// Parse a comma-separated list of ranges (`ko,zh`).
pub fn parse_ranges(list: &str) -> Result<Vec<LangRange>, LangError> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(LangRange::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LangTag {
        LangTag::parse(s).unwrap()
    }
    fn r(s: &str) -> LangRange {
        LangRange::parse(s).unwrap()
    }

    #[test]
    fn canonical_case() {
        assert_eq!(t("eN-uS").as_str(), "en-US");
        assert_eq!(t("zh-hant-tw").as_str(), "zh-Hant-TW");
        assert_eq!(t("ko_kr").as_str(), "ko-KR");
        assert_eq!(t("es-419").as_str(), "es-419");
        assert_eq!(t("FR-ca").region(), Some("CA"));
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "e",
            "english",
            "en--US",
            "en-",
            "zh-Hant-Hans-X",
            "ko KR",
            "中文",
        ] {
            assert!(LangTag::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            LangTag::parse("xx"),
            Err(LangError::Unknown { .. })
        ));
        assert!(matches!(
            LangTag::parse("qq-QQ"),
            Err(LangError::Unknown { .. })
        ));
    }

    #[test]
    fn basic_filtering() {
        assert!(r("en").matches(&t("en-US")));
        assert!(r("en").matches(&t("en")));
        assert!(!r("en-US").matches(&t("en-GB")));
        assert!(!r("en-US").matches(&t("en")));
        assert!(r("*").matches(&t("ko-KR")));
        assert!(!r("ko").matches(&t("kok")));
    }

    #[test]
    fn chinese_variants() {
        for tag in [
            "zh",
            "zh-CN",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-SG",
            "zh-TW",
            "zh-Hant",
            "zh-HK",
        ] {
            assert!(r("zh").matches(&t(tag)), "{tag}");
        }
        for simplified in ["zh", "zh-CN", "zh-Hans", "zh-Hans-CN", "zh-SG"] {
            assert!(r("zh-Hans").matches(&t(simplified)), "{simplified}");
            assert!(r("zh-CN").matches(&t(simplified)), "{simplified}");
            assert!(!r("zh-Hant").matches(&t(simplified)), "{simplified}");
            assert!(!r("zh-TW").matches(&t(simplified)), "{simplified}");
        }
        for traditional in ["zh-TW", "zh-Hant", "zh-HK", "zh-Hant-TW"] {
            assert!(r("zh-Hant").matches(&t(traditional)), "{traditional}");
            assert!(!r("zh-Hans").matches(&t(traditional)), "{traditional}");
            assert!(!r("zh-CN").matches(&t(traditional)), "{traditional}");
        }
        assert!(!r("zh-HK").matches(&t("zh-TW")));
        assert!(t("zh-CN").same_variety(&t("zh-Hans")));
        assert!(t("zh-Hant").same_variety(&t("zh-TW")));
        assert!(!t("zh-CN").same_variety(&t("zh-TW")));
        assert!(!t("zh").same_variety(&t("zh-CN")));
        assert!(!t("en").same_variety(&t("en-US")));
        assert_eq!(t("zh-CN").chinese_script(), Some(ChineseScript::Simplified));
        assert_eq!(t("ko").chinese_script(), None);
    }
}
