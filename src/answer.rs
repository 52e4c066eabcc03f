//! The answers of the query commands (`match`, `search`, `terms`, `stats`, `show`): a
//! validated request goes in, a serializable answer comes out. The CLI prints them as
//! text or as JSON; the JSON is the documented shape (README, *Commands*), and every
//! document carries a `schema` id with a version (`"schema": "concord.match/1"`), raised
//! when a field changes meaning or goes away (adding a field keeps the version).
//!
//! Texts in answers are as stored. Stored text may hold control characters (a TSV cell
//! can carry an ESC): printers for a terminal escape them with
//! [`crate::text::escape_controls`]; JSON escapes them itself.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::error::{Error, ErrorKind, Hint, Result};
use crate::fuzzy::{self, concordance, MatchOptions, Matcher};
use crate::glossary::{Glossary, Recognizer};
use crate::lang::{LangRange, LangTag};
use crate::store::{Memory, Stats};
use crate::unit::Unit;

/// Schema id of a `match` answer (one JSON document per query).
pub const MATCH_SCHEMA: &str = "concord.match/1";
/// Schema id of a `search` answer.
pub const SEARCH_SCHEMA: &str = "concord.search/1";
/// Schema id of a `terms` answer.
pub const TERMS_SCHEMA: &str = "concord.terms/1";
/// Schema id of a `stats` answer.
pub const STATS_SCHEMA: &str = "concord.stats/1";
/// Schema id of a `show` answer.
pub const SHOW_SCHEMA: &str = "concord.show/1";
/// Schema id of an `import` report ([`crate::store::ImportReport`]).
pub const IMPORT_SCHEMA: &str = "concord.import/1";
/// Schema id of a `delete` report ([`Deleted`]).
pub const DELETE_SCHEMA: &str = "concord.delete/1";
/// Schema id of a `glossary import` report ([`crate::glossary::GlossaryImportReport`]).
pub const GLOSSARY_IMPORT_SCHEMA: &str = "concord.glossary-import/1";
/// Schema id of a `glossary fmt --check` answer ([`Canonical`]).
pub const GLOSSARY_FMT_SCHEMA: &str = "concord.glossary-fmt/1";

/// Schema id of an `analyze` answer ([`AnalyzeAnswer`]).
pub const ANALYZE_SCHEMA: &str = "concord.analyze/1";

/// The answer of `concord analyze` (and `POST /v1/analyze`): the analysis under
/// [`ANALYZE_SCHEMA`].
pub type AnalyzeAnswer = Document<crate::analysis::Analysis>;

/// Read a job ([`crate::formats::job::read_job`]) and analyze it against a memory into
/// its answer (see [`crate::analysis`]). `progress` is called with (queries done,
/// queries in all).
pub fn analyze(
    mem: &Memory,
    req: &crate::formats::job::JobRequest,
    rules: &crate::analysis::Rules,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<AnalyzeAnswer> {
    rules.check()?;
    let job = crate::formats::job::read_job(req)?;
    let a = crate::analysis::analyze(mem, &job, rules, crate::analysis::Search::Indexed, progress)?;
    Ok(Document::new(ANALYZE_SCHEMA, a))
}

/// A report as a JSON document: its schema id, then the report's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document<T: Serialize> {
    /// The schema id (one of the `*_SCHEMA` constants).
    pub schema: &'static str,
    /// The report.
    #[serde(flatten)]
    pub body: T,
}

impl<T: Serialize> Document<T> {
    /// `body` under `schema`.
    pub fn new(schema: &'static str, body: T) -> Document<T> {
        Document { schema, body }
    }
}

/// What `delete` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deleted {
    /// Units deleted.
    pub deleted: u64,
}

/// Whether a glossary file is in canonical form (`glossary fmt --check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Canonical {
    /// The file, as named.
    pub file: String,
    /// True when its bytes are the canonical CSV of its entries.
    pub canonical: bool,
}

/// The translations of `unit` beside its segment in `except` (a language tag): with `to`,
/// the first variant each range selects (keyed by the range as given), else every other
/// language (keyed by tag).
pub fn translations(
    unit: &Unit,
    except: &str,
    to: Option<&[LangRange]>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match to {
        Some(ranges) => {
            for r in ranges {
                if let Some(v) = unit
                    .variants
                    .iter()
                    .find(|v| r.matches(&v.lang) && v.lang.as_str() != except)
                {
                    out.insert(r.to_string(), v.text.clone());
                }
            }
        }
        None => {
            for v in &unit.variants {
                if v.lang.as_str() != except {
                    out.insert(v.lang.to_string(), v.text.clone());
                }
            }
        }
    }
    out
}

/// A fuzzy-match request: everything but the query, so one request answers many.
#[derive(Debug, Clone, Default)]
pub struct MatchRequest {
    /// The query language; `None`: detected from each query's script
    /// ([`fuzzy::detect_language`]).
    pub from: Option<LangRange>,
    /// Translations to show; `None`: every other language of the unit.
    pub to: Option<Vec<LangRange>>,
    /// Limit and minimum score.
    pub options: MatchOptions,
}

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MatchAnswer {
    /// [`MATCH_SCHEMA`].
    pub schema: &'static str,
    /// The query as given.
    pub query: String,
    /// The query language (given or detected); `None` when it could not be decided.
    pub from: Option<String>,
    /// True when `from` was detected from the query's script (not in the JSON).
    #[serde(skip)]
    pub detected: bool,
    /// The matches, best first.
    pub matches: Vec<MatchItem>,
    /// Why this query could not be answered (batch mode; `matches` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One match of a [`MatchAnswer`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MatchItem {
    /// The unit id (as `show` and `export` use it).
    pub id: i64,
    /// The score, 0–100.
    pub score: f64,
    /// The stored segment that matched.
    pub source: String,
    /// The unit's translations ([`translations`]).
    pub targets: BTreeMap<String, String>,
    /// The unit's origin (not in the JSON).
    #[serde(skip)]
    pub origin: Option<String>,
    /// The unit's change date, else its creation date (not in the JSON).
    #[serde(skip)]
    pub date: Option<String>,
}

impl MatchRequest {
    /// Answer one query; a bad query (empty, no letters, too long, language unknown or
    /// absent from the memory) is an error like any other.
    pub fn answer(&self, matcher: &mut Matcher<'_>, query: &str) -> Result<MatchAnswer> {
        match self.check(matcher, query)? {
            Ok((from, detected)) => self.find(matcher, query, from, detected),
            Err(e) => Err(e),
        }
    }

    /// Answer one query of a batch: a bad query is answered with its `error` field set
    /// and no matches; only an error of the memory itself (unreadable, corrupt index) is
    /// an `Err`, and should stop the batch.
    pub fn answer_line(&self, matcher: &mut Matcher<'_>, query: &str) -> Result<MatchAnswer> {
        match self.check(matcher, query)? {
            Ok((from, detected)) => self.find(matcher, query, from, detected),
            Err(e) => Ok(MatchAnswer {
                schema: MATCH_SCHEMA,
                query: query.to_string(),
                from: self.from.as_ref().map(|f| f.to_string()),
                detected: false,
                matches: Vec::new(),
                error: Some(match e.hint() {
                    Some(h) => format!("{e}; {h}"),
                    None => e.to_string(),
                }),
            }),
        }
    }

    /// Check a query: the outer error is the memory's, the inner one the query's.
    fn check(
        &self,
        matcher: &Matcher<'_>,
        query: &str,
    ) -> Result<std::result::Result<(LangRange, bool), Error>> {
        if let Err(e) = fuzzy::QueryKey::new(query) {
            return Ok(Err(e));
        }
        let (from, detected) = match &self.from {
            Some(f) => (f.clone(), false),
            None => match fuzzy::detect_language(query) {
                Some(f) => (f, true),
                None => {
                    return Ok(Err(Error::new(
                        ErrorKind::Lang,
                        format!("cannot tell the language of {query:?} from its script"),
                    )
                    .with_hint(Hint::GiveSourceLanguage)))
                }
            },
        };
        if matcher.present_tags(&from)?.is_empty() {
            return Ok(Err(matcher.no_segments_error(&from)));
        }
        Ok(Ok((from, detected)))
    }

    fn find(
        &self,
        matcher: &mut Matcher<'_>,
        query: &str,
        from: LangRange,
        detected: bool,
    ) -> Result<MatchAnswer> {
        let found = matcher.find(query, &from, self.options)?;
        let mem = matcher.memory();
        let mut matches = Vec::with_capacity(found.len());
        for m in found {
            let unit = mem.unit(m.id)?.unwrap_or_else(|| Unit::new(Vec::new()));
            let meta = &unit.meta;
            matches.push(MatchItem {
                id: m.id,
                score: m.score,
                targets: translations(&unit, &m.lang, self.to.as_deref()),
                origin: meta.origin.clone(),
                date: meta.changed.clone().or_else(|| meta.created.clone()),
                source: m.source,
            });
        }
        Ok(MatchAnswer {
            schema: MATCH_SCHEMA,
            query: query.to_string(),
            from: Some(from.to_string()),
            detected,
            matches,
            error: None,
        })
    }
}

/// A concordance request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The word or phrase.
    pub phrase: String,
    /// Only segments in this language (`None`: any).
    pub lang: Option<LangRange>,
    /// At most this many hits.
    pub limit: usize,
}

/// The answer of a concordance search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SearchAnswer {
    /// [`SEARCH_SCHEMA`].
    pub schema: &'static str,
    /// The phrase as given.
    pub phrase: String,
    /// The language asked for, if any.
    pub lang: Option<String>,
    /// The hits, by unit id then language.
    pub hits: Vec<SearchHit>,
    /// True when there were `limit` hits, so there may be more (not in the JSON).
    #[serde(skip)]
    pub limit_reached: bool,
}

/// One hit of a [`SearchAnswer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// The unit id.
    pub id: i64,
    /// The language of the segment holding the phrase.
    pub lang: String,
    /// The stored segment.
    pub text: String,
    /// Where the phrase is: `[start, end)` character offsets into `text`.
    #[cfg_attr(feature = "server", schema(value_type = Vec<Vec<usize>>))]
    pub spans: Vec<(usize, usize)>,
    /// The unit's other languages.
    pub others: BTreeMap<String, String>,
}

/// Run a concordance search (the phrase is checked first).
pub fn search(mem: &Memory, req: &SearchRequest) -> Result<SearchAnswer> {
    concordance::phrase_key(&req.phrase)?;
    let found = concordance::search(mem, &req.phrase, req.lang.as_ref(), req.limit)?;
    let mut hits = Vec::with_capacity(found.len());
    for h in found {
        let others = match mem.unit(h.id)? {
            Some(u) => translations(&u, &h.lang, None),
            None => BTreeMap::new(),
        };
        hits.push(SearchHit {
            id: h.id,
            lang: h.lang,
            text: h.text,
            spans: h.spans,
            others,
        });
    }
    Ok(SearchAnswer {
        schema: SEARCH_SCHEMA,
        phrase: req.phrase.clone(),
        lang: req.lang.as_ref().map(|l| l.to_string()),
        limit_reached: hits.len() == req.limit,
        hits,
    })
}

/// A term-recognition request.
#[derive(Debug, Clone)]
pub struct TermsRequest {
    /// The text to search.
    pub text: String,
    /// Its language (`None`: told from its script, [`fuzzy::detect_language`]).
    pub from: Option<LangRange>,
    /// Languages of the translations to show (`None`: every other glossary language).
    pub to: Option<Vec<LangRange>>,
    /// Also find forbidden variants.
    pub forbidden: bool,
}

/// The terms found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TermsAnswer {
    /// [`TERMS_SCHEMA`].
    pub schema: &'static str,
    /// The text as given.
    pub text: String,
    /// Its language.
    pub from: String,
    /// The terms, in text order.
    pub hits: Vec<TermsHit>,
}

/// One term of a [`TermsAnswer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TermsHit {
    /// Start, in characters of the text.
    pub start: usize,
    /// End (exclusive), in characters of the text.
    pub end: usize,
    /// The text as written.
    pub matched: String,
    /// The glossary variant that matched.
    pub variant: String,
    /// True when the variant is forbidden.
    pub forbidden: bool,
    /// For a forbidden variant: the preferred variant of the text's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_instead: Option<String>,
    /// Index of the entry in the glossary.
    pub entry: usize,
    /// The entry's id.
    pub id: Option<String>,
    /// The entry's note.
    pub note: Option<String>,
    /// Approved translations per language, in the glossary's language order (a JSON
    /// object).
    #[serde(serialize_with = "ordered_map")]
    #[cfg_attr(feature = "server", schema(value_type = BTreeMap<String, Vec<String>>))]
    pub translations: Vec<(String, Vec<String>)>,
    /// Forbidden variants per language, the same way (left out of the JSON when the
    /// entry has none in the languages shown).
    #[serde(serialize_with = "ordered_map", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "server", schema(value_type = BTreeMap<String, Vec<String>>))]
    pub avoid: Vec<(String, Vec<String>)>,
}

fn ordered_map<S: Serializer>(
    pairs: &[(String, Vec<String>)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Find the glossary's terms in a text. An error when the text's language is not given
/// and its script does not tell it, or when the glossary has no terms in it.
pub fn terms(g: &Glossary, req: &TermsRequest) -> Result<TermsAnswer> {
    let detected;
    let from = match &req.from {
        Some(f) => f,
        None => {
            detected = fuzzy::detect_language(&req.text).ok_or_else(|| {
                Error::new(
                    ErrorKind::Lang,
                    "cannot tell the language of the text from its script",
                )
                .with_hint(Hint::GiveSourceLanguage)
            })?;
            &detected
        }
    };
    if !g.has_language(from) {
        let langs: Vec<String> = g.languages().iter().map(|t| t.to_string()).collect();
        return Err(Error::new(
            ErrorKind::NoData,
            format!(
                "the glossary has no terms in {from} (its languages: {})",
                if langs.is_empty() {
                    "none".to_string()
                } else {
                    langs.join(", ")
                }
            ),
        ));
    }
    let to: Vec<LangTag> = match &req.to {
        Some(ranges) => g
            .languages()
            .into_iter()
            .filter(|t| ranges.iter().any(|r| r.matches(t)))
            .collect(),
        None => g
            .languages()
            .into_iter()
            .filter(|t| !from.matches(t))
            .collect(),
    };
    let r = Recognizer::new(g, from, req.forbidden);
    let hits = r
        .find(&req.text)
        .into_iter()
        .map(|h| {
            let e = &g.entries[h.entry];
            TermsHit {
                start: h.start,
                end: h.end,
                use_instead: h
                    .forbidden
                    .then(|| e.preferred(from))
                    .flatten()
                    .map(str::to_string),
                entry: h.entry,
                id: e.id.clone(),
                note: e.note.clone(),
                translations: to
                    .iter()
                    .filter_map(|t| {
                        e.term_set(t)
                            .filter(|s| !s.approved.is_empty())
                            .map(|s| (t.to_string(), s.approved.clone()))
                    })
                    .collect(),
                avoid: to
                    .iter()
                    .filter_map(|t| {
                        e.term_set(t)
                            .filter(|s| !s.forbidden.is_empty())
                            .map(|s| (t.to_string(), s.forbidden.clone()))
                    })
                    .collect(),
                matched: h.matched,
                variant: h.variant,
                forbidden: h.forbidden,
            }
        })
        .collect();
    Ok(TermsAnswer {
        schema: TERMS_SCHEMA,
        text: req.text.clone(),
        from: from.to_string(),
        hits,
    })
}

/// The counts of a memory, with the schema id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsAnswer {
    /// [`STATS_SCHEMA`].
    pub schema: &'static str,
    /// The counts.
    #[serde(flatten)]
    pub stats: Stats,
}

/// The counts of a memory.
pub fn stats(mem: &Memory) -> Result<StatsAnswer> {
    Ok(StatsAnswer {
        schema: STATS_SCHEMA,
        stats: mem.stats()?,
    })
}

/// One unit, with the schema id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowAnswer {
    /// [`SHOW_SCHEMA`].
    pub schema: &'static str,
    /// The unit id asked for.
    #[serde(skip)]
    pub id: i64,
    /// The unit.
    #[serde(flatten)]
    pub unit: Unit,
}

/// One unit of a memory; an error naming the memory when there is no such unit.
pub fn show(mem: &Memory, id: i64) -> Result<ShowAnswer> {
    let unit = mem.unit(id)?.ok_or_else(|| {
        Error::new(
            ErrorKind::MissingUnits,
            format!("no unit {id} in {}", mem.path().display()),
        )
    })?;
    Ok(ShowAnswer {
        schema: SHOW_SCHEMA,
        id,
        unit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Variant;

    fn memory() -> Memory {
        let mut m = Memory::open_in_memory().unwrap();
        let (en, ko, zh) = (
            LangTag::parse("en").unwrap(),
            LangTag::parse("ko").unwrap(),
            LangTag::parse("zh").unwrap(),
        );
        m.import(&["t.tsv"], |imp| {
            imp.add(Unit::new(vec![
                Variant::new(
                    en.clone(),
                    "The two ministers discussed the Korean Peninsula.",
                ),
                Variant::new(ko.clone(), "양국 장관은 한반도 문제를 논의하였다."),
                Variant::new(zh.clone(), "两国部长讨论了朝鲜半岛问题。"),
            ]))?;
            Ok(())
        })
        .unwrap();
        m
    }

    #[test]
    fn every_answer_names_its_schema() {
        let mem = memory();
        let mut matcher = Matcher::new(&mem).unwrap();
        let a = MatchRequest::default()
            .answer(
                &mut matcher,
                "The two ministers discussed the Korean peninsula",
            )
            .unwrap();
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["schema"], MATCH_SCHEMA);
        assert_eq!(v["from"], "en");
        assert_eq!(v["matches"][0]["id"], 1);
        assert_eq!(
            v["matches"][0]["targets"]["ko"],
            "양국 장관은 한반도 문제를 논의하였다."
        );
        assert!(v.get("error").is_none() && v.get("detected").is_none());
        assert!(a.detected);

        let s = search(
            &mem,
            &SearchRequest {
                phrase: "朝鲜".into(),
                lang: None,
                limit: 20,
            },
        )
        .unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["schema"], SEARCH_SCHEMA);
        assert_eq!(v["hits"][0]["lang"], "zh");
        assert_eq!(v["hits"][0]["spans"][0], serde_json::json!([7, 9]));
        assert_eq!(
            v["hits"][0]["others"]["en"],
            "The two ministers discussed the Korean Peninsula."
        );

        let st = serde_json::to_value(stats(&mem).unwrap()).unwrap();
        assert_eq!(
            (st["schema"].as_str(), st["units"].as_u64()),
            (Some(STATS_SCHEMA), Some(1))
        );
        let sh = serde_json::to_value(show(&mem, 1).unwrap()).unwrap();
        assert_eq!(sh["schema"], SHOW_SCHEMA);
        assert_eq!(sh["variants"][1]["lang"], "ko");
        assert!(show(&mem, 2).is_err());
    }

    #[test]
    fn reports_carry_their_schema_before_their_fields() {
        let v =
            serde_json::to_string(&Document::new(DELETE_SCHEMA, Deleted { deleted: 2 })).unwrap();
        assert_eq!(v, r#"{"schema":"concord.delete/1","deleted":2}"#);
        let mut mem = memory();
        let r = mem.import(&["none.tsv"], |_| Ok(())).unwrap();
        let v = serde_json::to_value(Document::new(IMPORT_SCHEMA, &r)).unwrap();
        assert_eq!(v["schema"], IMPORT_SCHEMA);
        assert_eq!(v["added"], 0);
    }

    #[test]
    fn batch_line_reports_a_bad_query_in_its_error_field() {
        let mem = memory();
        let mut matcher = Matcher::new(&mem).unwrap();
        let req = MatchRequest::default();
        for q in ["", "?!", "日本語のテキスト"] {
            let a = req.answer_line(&mut matcher, q).unwrap();
            assert!(a.error.is_some() && a.matches.is_empty(), "{q:?}");
            assert!(req.answer(&mut matcher, q).is_err());
        }
    }

    #[test]
    fn terms_translations_keep_the_glossary_order() {
        let csv = "id,en,ko,zh,ko:forbidden\ndprk,DPRK,북한,朝鲜,북조선\n";
        let g = Glossary::from_csv_str(
            csv,
            std::path::Path::new("t.csv"),
            &crate::formats::glossary::CsvOptions::default(),
        )
        .unwrap();
        let a = terms(
            &g,
            &TermsRequest {
                text: "북조선 특사".into(),
                from: Some(LangRange::parse("ko").unwrap()),
                to: None,
                forbidden: true,
            },
        )
        .unwrap();
        assert_eq!(a.hits[0].use_instead.as_deref(), Some("북한"));
        let langs: Vec<&str> = a.hits[0]
            .translations
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(langs, ["en", "zh"]);
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["schema"], TERMS_SCHEMA);
        assert_eq!(
            v["hits"][0]["translations"]["zh"],
            serde_json::json!(["朝鲜"])
        );
    }
}
