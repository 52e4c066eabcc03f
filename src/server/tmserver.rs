//! The amaGama / translate-toolkit `tmserver` routes, so that Weblate's "tmserver"
//! machine-translation backend (and other tmserver clients) can use concord with no code
//! on their side.
//!
//! Weblate is configured with a base URL such as `http://127.0.0.1:7700/tmserver` and
//! sends:
//!
//! * `GET {base}/languages/` → `{"sourceLanguages": [...], "targetLanguages": [...]}`;
//! * `GET {base}/{source}/{target}/unit/{text}` with the language codes in lower case
//!   and `_` for `-` (`zh_hans`), and the text (its first 500 characters, carriage returns
//!   made spaces) percent-encoded as one path segment, `/` included →
//!   `[{"source", "target", "quality", "rank"}]`, where Weblate keeps the suggestions
//!   whose integer `quality` reaches its threshold (75 by default).
//!
//! A token, when the server needs one, goes in the URL's user-info
//! (`http://weblate:cnc_…@host:7700/tmserver`), which the client sends as HTTP Basic.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::state::Lane;
use super::State;
use crate::fuzzy::{MatchOptions, Matcher, QueryKey};
use crate::lang::{LangRange, LangTag};

/// The lowest score returned (Weblate filters by its own threshold above that).
const MIN_SCORE: f64 = 50.0;
/// Suggestions per request.
const LIMIT: usize = 10;
/// What Weblate sends at most (it cuts the text at 500 characters).
const MAX_CHARS: usize = 1_000;

/// One suggestion, as amaGama answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// The stored source segment.
    pub source: String,
    /// Its translation in the target language.
    pub target: String,
    /// The score, 0–100.
    pub quality: f64,
    /// The same score (amaGama's ranking field).
    pub rank: f64,
}

/// The languages the memory can translate between.
#[derive(Debug, Serialize, ToSchema)]
pub struct Languages {
    /// Languages with segments, as tmserver codes (`en`, `ko`, `zh_cn`).
    #[serde(rename = "sourceLanguages")]
    pub source_languages: Vec<String>,
    /// The same list: every unit can be matched from any of its languages.
    #[serde(rename = "targetLanguages")]
    pub target_languages: Vec<String>,
}

/// A tmserver code (`zh_hans`, `EN-us`) as a language range; `None` when it is no tag.
fn range_of(code: &str) -> Option<LangRange> {
    LangRange::parse(&code.replace('_', "-")).ok()
}

fn code_of(tag: &LangTag) -> String {
    tag.as_str().replace('-', "_").to_lowercase()
}

/// Suggestions for one text.
#[utoipa::path(get, path = "/tmserver/{source_lang}/{target_lang}/unit/{text}", tag = "tmserver",
    params(("source_lang" = String, Path, description = "Source language (en, ko, zh_hans)"),
           ("target_lang" = String, Path, description = "Target language"),
           ("text" = String, Path, description = "The text, percent-encoded")),
    responses((status = 200, body = Vec<Suggestion>), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn unit(
    AxState(state): AxState<Arc<State>>,
    Path((source, target, text)): Path<(String, String, String)>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    if text.chars().count() > MAX_CHARS {
        return Err(ApiError::too_large(format!(
            "the text is longer than {MAX_CHARS} characters"
        )));
    }
    // An unknown language or an empty text has no suggestions (tmserver answers an empty
    // list, and Weblate checks its settings with such a request).
    let (Some(from), Some(to)) = (range_of(&source), range_of(&target)) else {
        return Ok(Json(Vec::new()));
    };
    if QueryKey::new(&text).is_err() {
        return Ok(Json(Vec::new()));
    }
    state
        .read_interactive(Lane::Match, move |mem, threads| {
            let mut matcher = Matcher::new(mem)?;
            matcher.set_threads(threads);
            if matcher.source_tags(&from).is_err() {
                return Ok(Vec::new());
            }
            let opts = MatchOptions {
                limit: LIMIT,
                min_score: MIN_SCORE,
            };
            let mut out = Vec::new();
            for m in matcher.find(&text, &from, opts)? {
                let Some(unit) = mem.unit(m.id)? else {
                    continue;
                };
                if let Some(v) = unit.variant_in(&to) {
                    out.push(Suggestion {
                        source: m.source.clone(),
                        target: v.text.clone(),
                        quality: m.score,
                        rank: m.score,
                    });
                }
            }
            Ok(out)
        })
        .await
        .map(|(out, _)| Json(out))
}

/// The languages of the memory.
#[utoipa::path(get, path = "/tmserver/languages/", tag = "tmserver",
    responses((status = 200, body = Languages)))]
pub async fn languages(AxState(state): AxState<Arc<State>>) -> Result<Json<Languages>, ApiError> {
    state
        .read(|mem| {
            let codes: BTreeSet<String> = mem.languages()?.iter().map(code_of).collect();
            let list: Vec<String> = codes.into_iter().collect();
            Ok(Languages {
                source_languages: list.clone(),
                target_languages: list,
            })
        })
        .await
        .map(Json)
}

/// The routes (read scope).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/tmserver/languages/", get(languages))
        .route("/tmserver/languages", get(languages))
        .route("/tmserver/{source}/{target}/unit/{*text}", get(unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weblate_codes_are_language_ranges() {
        let r = range_of("zh_hans").unwrap();
        assert!(r.matches(&LangTag::parse("zh-CN").unwrap()));
        assert!(range_of("en")
            .unwrap()
            .matches(&LangTag::parse("en-US").unwrap()));
        assert!(range_of("not a tag").is_none());
        assert_eq!(
            code_of(&LangTag::parse("zh-Hant-TW").unwrap()),
            "zh_hant_tw"
        );
    }
}
