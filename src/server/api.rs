//! The `/v1/` JSON API. Handlers are thin: parse the request, call the library on a
//! blocking thread, answer with the library's result in the CLI's JSON shape.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{header, request::Parts, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::state::{file_label, Lane, Timing};
use super::State;
use crate::answer::{self, MatchRequest, SearchRequest, TermsRequest};
use crate::diag::printer::{self as diag_printer, Collect, End, OutputFormat, Run};
use crate::diag::Checker;
use crate::formats::glossary::CsvOptions;
use crate::formats::import::ImportPlan;
use crate::formats::{write_memory, Format};
use crate::fuzzy::{self, concordance, DiffPiece, MatchOptions, Matcher, QueryKey};
use crate::glossary::Glossary;
use crate::lang::{parse_ranges, LangRange, LangTag};
use crate::lint::{self, DraftFormat, DraftRequest, Resources, Rule, RuleSelection, Severity};
use crate::unit::{Unit, Variant};

type AppState = Arc<State>;

// ---------------------------------------------------------------------------------------
// Extractors whose failures are JSON errors.

/// A JSON body; a syntax or type error is a 400 with its line and column, a body over
/// the limit a 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        json_body(&bytes).map(ApiJson)
    }
}

/// Parse a JSON request body (what [`ApiJson`] does with the bytes it read): a syntax or
/// type error is a 400 with its line and column.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::parse(
            format!("the JSON body: {e}"),
            Some(e.line() as u64),
            Some(e.column() as u64),
        )
    })
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("the request body is larger than this server accepts")
        } else {
            ApiError::bad_request(format!("cannot read the request body: {e}"))
        }
    })
}

/// A raw body (an uploaded file), with the same 413 rule.
pub struct Upload(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Upload(body_bytes(req, state).await?))
    }
}

/// Query parameters; a malformed one is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::bad_request(e.body_text()))
    }
}

/// A unit id in the path.
pub struct UnitId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for UnitId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        raw.parse::<i64>()
            .ok()
            .filter(|&id| id > 0)
            .map(UnitId)
            .ok_or_else(|| {
                ApiError::bad_request(format!("{raw:?} is not a unit id (a positive integer)"))
            })
    }
}

// ---------------------------------------------------------------------------------------
// Parameters shared by the handlers.

fn parse_lang(name: &str, value: &str) -> Result<LangRange, ApiError> {
    LangRange::parse(value)
        .map_err(|e| ApiError::new(ErrorCode::BadLanguage, format!("{name}: {e}")))
}

fn parse_langs(name: &str, value: Option<&str>) -> Result<Option<Vec<LangRange>>, ApiError> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            parse_ranges(v)
                .map_err(|e| ApiError::new(ErrorCode::BadLanguage, format!("{name}: {e}")))
        })
        .transpose()
}

fn check_length(state: &State, what: &str, text: &str) -> Result<(), ApiError> {
    let n = text.chars().count();
    if n > state.limits.query_chars {
        return Err(ApiError::too_large(format!(
            "the {what} has {n} characters; this server accepts at most {}",
            state.limits.query_chars
        )));
    }
    Ok(())
}

fn check_results(state: &State, limit: usize) -> Result<usize, ApiError> {
    if limit == 0 {
        return Err(ApiError::bad_request("limit must be at least 1"));
    }
    if limit > state.limits.results {
        return Err(ApiError::too_large(format!(
            "limit {limit} is more than this server gives in one answer ({})",
            state.limits.results
        )));
    }
    Ok(limit)
}

fn bad_query(e: crate::Error) -> ApiError {
    let mut a = ApiError::from(e);
    if a.detail.code == ErrorCode::BadRequest {
        a.detail.code = ErrorCode::BadQuery;
    }
    a
}

// ---------------------------------------------------------------------------------------
// Match.

/// Parameters of `GET /v1/match` (those of `concord match`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// The sentence.
    pub q: String,
    /// Its language (default: detected from the script).
    pub from: Option<String>,
    /// Languages of the translations, comma-separated (default: all others).
    pub to: Option<String>,
    /// At most this many matches (default 5).
    pub limit: Option<usize>,
    /// Only matches scoring at least this, 0–100 (default 70).
    pub min_score: Option<f64>,
    /// Also give each match's origin, date and the differences to the query.
    #[serde(default)]
    pub details: bool,
}

/// Body of `POST /v1/match`: many sentences with one set of parameters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchBatch {
    /// The sentences, answered in order.
    pub queries: Vec<String>,
    /// Their language (default: detected per sentence).
    pub from: Option<String>,
    /// Languages of the translations, comma-separated.
    pub to: Option<String>,
    /// At most this many matches per sentence.
    pub limit: Option<usize>,
    /// Minimum score, 0–100.
    pub min_score: Option<f64>,
}

/// `GET /v1/match` with `details=true`: the CLI's answer and, per match in the same
/// order, what the page shows besides it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DetailedMatchAnswer {
    /// The answer, as `concord match --json` prints it.
    #[serde(flatten)]
    pub answer: answer::MatchAnswer,
    /// Per match: origin, date and the differences to the query.
    pub details: Vec<MatchDetail>,
}

/// What the page shows beside a match.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDetail {
    /// Where the unit came from.
    pub origin: Option<String>,
    /// When it was last changed (else made).
    pub date: Option<String>,
    /// The stored segment marked against the query: pieces `{"kind": "same"|"stored"|"query", "text"}`.
    #[schema(value_type = Vec<Object>)]
    pub diff: Vec<DiffPiece>,
}

/// Answer of `POST /v1/match`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchBatchAnswer {
    /// One answer per sentence, in order (as the CLI's batch mode prints them).
    pub answers: Vec<answer::MatchAnswer>,
}

fn match_request(
    state: &State,
    from: Option<&str>,
    to: Option<&str>,
    limit: Option<usize>,
    min_score: Option<f64>,
) -> Result<MatchRequest, ApiError> {
    let min_score = min_score.unwrap_or(70.0);
    if !(0.0..=100.0).contains(&min_score) {
        return Err(ApiError::bad_request(format!(
            "min_score {min_score} is outside 0–100"
        )));
    }
    Ok(MatchRequest {
        from: from.map(|f| parse_lang("from", f)).transpose()?,
        to: parse_langs("to", to)?,
        options: MatchOptions {
            limit: check_results(state, limit.unwrap_or(5))?,
            min_score,
        },
    })
}

/// The query's own problems (empty, no letters, language not decidable) are `bad_query`.
fn check_query(req: &MatchRequest, query: &str) -> Result<(), ApiError> {
    QueryKey::new(query).map_err(bad_query)?;
    if req.from.is_none() && fuzzy::detect_language(query).is_none() {
        return Err(ApiError::new(
            ErrorCode::BadQuery,
            "cannot tell the language of the query from its script; name it with from=",
        ));
    }
    Ok(())
}

/// Fuzzy matches for one sentence: the answer of `concord match --json` (with
/// `details=true`, also each match's origin, date and differences).
#[utoipa::path(get, path = "/v1/match", tag = "memory", params(MatchParams),
    responses((status = 200, body = answer::MatchAnswer, description = "The answer (a DetailedMatchAnswer with details=true)"),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn match_one(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> Result<Response, ApiError> {
    check_length(&state, "query", &p.q)?;
    let req = match_request(
        &state,
        p.from.as_deref(),
        p.to.as_deref(),
        p.limit,
        p.min_score,
    )?;
    check_query(&req, &p.q)?;
    let (q, details) = (p.q, p.details);
    let (res, timing) = state
        .read_interactive(Lane::Match, move |mem, threads| {
            let mut matcher = Matcher::new(mem)?;
            matcher.set_threads(threads);
            let a = req.answer(&mut matcher, &q)?;
            if !details {
                return Ok(Json(a).into_response());
            }
            let details = a
                .matches
                .iter()
                .map(|m| MatchDetail {
                    origin: m.origin.clone(),
                    date: m.date.clone(),
                    diff: fuzzy::diff(&m.source, &q),
                })
                .collect();
            Ok(Json(DetailedMatchAnswer { answer: a, details }).into_response())
        })
        .await?;
    Ok(timed(res, timing))
}

/// `answer` with the `Server-Timing` header of `timing` (where an interactive read's
/// time went: queue, run, CPU).
pub fn timed(mut answer: Response, timing: Timing) -> Response {
    if let Ok(v) = HeaderValue::from_str(&timing.header()) {
        answer
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), v);
    }
    answer
}

/// Fuzzy matches for many sentences: one answer per sentence, in order; a sentence that
/// cannot be answered gets an `error` field, as in the CLI's batch mode.
#[utoipa::path(post, path = "/v1/match", tag = "memory", request_body = MatchBatch,
    responses((status = 200, body = MatchBatchAnswer), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn match_batch(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(b): ApiJson<MatchBatch>,
) -> Result<Json<MatchBatchAnswer>, ApiError> {
    if b.queries.len() > state.limits.batch {
        return Err(ApiError::too_large(format!(
            "{} queries in one batch; this server accepts at most {}",
            b.queries.len(),
            state.limits.batch
        )));
    }
    for q in &b.queries {
        check_length(&state, "query", q)?;
    }
    let req = match_request(
        &state,
        b.from.as_deref(),
        b.to.as_deref(),
        b.limit,
        b.min_score,
    )?;
    let queries = b.queries;
    state
        .read_heavy(move |mem| {
            let mut matcher = Matcher::new(mem)?;
            let answers = queries
                .iter()
                .map(|q| req.answer_line(&mut matcher, q))
                .collect::<crate::Result<Vec<_>>>()?;
            Ok(MatchBatchAnswer { answers })
        })
        .await
        .map(Json)
}

// ---------------------------------------------------------------------------------------
// Search.

/// Parameters of `GET /v1/search` (those of `concord search`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The word or phrase.
    pub q: String,
    /// Only segments in this language.
    pub lang: Option<String>,
    /// At most this many hits (default 20).
    pub limit: Option<usize>,
}

/// Concordance: the units whose segment contains a phrase (the answer of
/// `concord search --json`).
#[utoipa::path(get, path = "/v1/search", tag = "memory", params(SearchParams),
    responses((status = 200, body = answer::SearchAnswer), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn search(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    check_length(&state, "phrase", &p.q)?;
    let req = SearchRequest {
        limit: check_results(&state, p.limit.unwrap_or(20))?,
        lang: p
            .lang
            .as_deref()
            .map(|l| parse_lang("lang", l))
            .transpose()?,
        phrase: p.q,
    };
    concordance::phrase_key(&req.phrase).map_err(bad_query)?;
    let (a, timing) = state
        .read_interactive(Lane::Lookup, move |mem, _| Ok(answer::search(mem, &req)?))
        .await?;
    Ok(timed(Json(a).into_response(), timing))
}

// ---------------------------------------------------------------------------------------
// Terms.

/// Parameters of `GET /v1/terms` (those of `concord terms`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermsParams {
    /// The text to look in.
    pub text: String,
    /// Its language (default: detected from the script).
    pub from: Option<String>,
    /// Languages of the translations (default: every other glossary language).
    pub to: Option<String>,
    /// Also find forbidden variants.
    #[serde(default)]
    pub forbidden: bool,
}

/// The glossary terms in a text, with their approved and forbidden translations (the
/// answer of `concord terms --json`).
#[utoipa::path(get, path = "/v1/terms", tag = "glossary", params(TermsParams),
    responses((status = 200, body = answer::TermsAnswer), (status = 400, body = ErrorBody)))]
pub async fn terms(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<TermsParams>,
) -> Result<Response, ApiError> {
    check_length(&state, "text", &p.text)?;
    let from = match p.from.as_deref() {
        Some(f) => parse_lang("from", f)?,
        None => {
            QueryKey::new(&p.text).map_err(bad_query)?;
            fuzzy::detect_language(&p.text).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadQuery,
                    "cannot tell the language of the text; name it with from=",
                )
            })?
        }
    };
    let req = TermsRequest {
        to: parse_langs("to", p.to.as_deref())?,
        text: p.text,
        from: Some(from),
        forbidden: p.forbidden,
    };
    let st = Arc::clone(&state);
    let (a, timing) = state
        .read_interactive(Lane::Lookup, move |mem, _| {
            let g = st.glossary(mem)?;
            Ok(answer::terms(&g, &req)?)
        })
        .await?;
    Ok(timed(Json(a).into_response(), timing))
}

// ---------------------------------------------------------------------------------------
// Lint.

/// Body of `POST /v1/lint`: a draft as file content or as segments.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LintRequest {
    /// The draft file's text (TSV, CSV, XLIFF, TMX or plain text); give `format`.
    pub content: Option<String>,
    /// The draft's format: tsv, csv, xliff, tmx, txt (default: from `name`).
    pub format: Option<String>,
    /// The draft's name, shown in the findings (only a label: nothing is read from it).
    pub name: Option<String>,
    /// Or: the segments, each a source and a target.
    pub segments: Option<Vec<LintSegment>>,
    /// Source language (when the draft does not say it; required with `segments`).
    pub from: Option<String>,
    /// Target language (when the draft does not say it; required with `segments`).
    pub to: Option<String>,
    /// Run only these rules.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Do not run these rules.
    #[serde(default)]
    pub skip: Vec<String>,
    /// info (default), warning or error.
    pub min_severity: Option<String>,
    /// `json` (default, the CLI's `--format json`) or `sarif`.
    pub output: Option<String>,
    /// Compare with the memory's translations and use its glossary (default true).
    pub use_memory: Option<bool>,
}

/// One segment of a draft given as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LintSegment {
    /// The source text.
    pub source: String,
    /// The translation.
    pub target: String,
}

fn rules_of(list: &[String], field: &str) -> Result<Vec<Rule>, ApiError> {
    list.iter()
        .map(|s| {
            Rule::parse(s).ok_or_else(|| {
                let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                ApiError::bad_request(format!(
                    "{field}: no rule {s:?} (rules: {})",
                    ids.join(", ")
                ))
            })
        })
        .collect()
}

/// Lint a draft: the findings of `concord lint --format json` (or SARIF with
/// `output: "sarif"`), with the memory's glossary and translations.
#[utoipa::path(post, path = "/v1/lint", tag = "lint", request_body = LintRequest,
    responses((status = 200, description = "The CLI's lint JSON document (schema concord-lint/1) or SARIF 2.1.0", content_type = "application/json", body = Object),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn lint_draft(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(mut r): ApiJson<LintRequest>,
) -> Result<Response, ApiError> {
    let output = match r.output.as_deref().unwrap_or("json") {
        "json" => OutputFormat::Json,
        "sarif" => OutputFormat::Sarif,
        o => {
            return Err(ApiError::bad_request(format!(
                "output {o:?}: expected json or sarif"
            )))
        }
    };
    let min = match r.min_severity.as_deref() {
        None => Severity::Info,
        Some(s) => Severity::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "min_severity {s:?}: expected info, warning or error"
            ))
        })?,
    };
    let selection = RuleSelection::new(
        &rules_of(&r.rules, "rules")?,
        &rules_of(&r.skip, "skip")?,
        min,
    );
    let from = r
        .from
        .as_deref()
        .map(|f| parse_lang("from", f))
        .transpose()?;
    let to = r.to.as_deref().map(|f| parse_lang("to", f)).transpose()?;
    let label = r.name.clone().unwrap_or_else(|| "draft".to_string());
    // The draft is read from memory: nothing of it is written to disk, and its names
    // are the server's own, made from the label.
    let req = match (r.content.take(), &r.segments) {
        (Some(content), None) => {
            let format = r
                .format
                .as_deref()
                .map(|f| {
                    DraftFormat::from_name(f).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "format {f:?}: expected tsv, csv, xliff, tmx or txt"
                        ))
                    })
                })
                .transpose()?
                .or_else(|| DraftFormat::from_path(std::path::Path::new(&label)))
                .ok_or_else(|| {
                    ApiError::bad_request("give the draft's format (tsv, csv, xliff, tmx, txt)")
                })?;
            let ext = match format {
                DraftFormat::Tsv => "tsv",
                DraftFormat::Csv => "csv",
                DraftFormat::Xliff => "xlf",
                DraftFormat::Tmx => "tmx",
                DraftFormat::Text => "txt",
            };
            DraftRequest {
                format: Some(format),
                ..DraftRequest::in_memory(file_label(&label, ext), content.into_bytes())
            }
        }
        (None, Some(segs)) => {
            if from.is_none() || to.is_none() {
                return Err(ApiError::bad_request("segments need from and to"));
            }
            if segs.is_empty() {
                return Err(ApiError::bad_request("no segments to lint"));
            }
            let mut src = String::new();
            let mut tgt = String::new();
            for (i, s) in segs.iter().enumerate() {
                if s.source.contains(['\n', '\r']) || s.target.contains(['\n', '\r']) {
                    return Err(ApiError::parse(
                        format!(
                            "segment {} has a line break; give one line per segment",
                            i + 1
                        ),
                        Some(i as u64 + 1),
                        None,
                    ));
                }
                src.push_str(&s.source);
                src.push('\n');
                tgt.push_str(&s.target);
                tgt.push('\n');
            }
            DraftRequest {
                source: Some(file_label(&format!("{label}.source"), "txt").into()),
                source_content: Some(src.into_bytes().into()),
                format: Some(DraftFormat::Text),
                ..DraftRequest::in_memory(file_label(&label, "txt"), tgt.into_bytes())
            }
        }
        _ => {
            return Err(ApiError::bad_request(
                "give either content (with format) or segments",
            ))
        }
    };
    let req = DraftRequest { from, to, ..req };
    let use_memory = r.use_memory.unwrap_or(true);
    let st = Arc::clone(&state);
    let body = state
        .read_heavy(move |mem| {
            // The glossary's term rules and the memory's 100% index are built once per
            // generation of the memory and shared by every lint.
            let compiled = if use_memory {
                Some(st.compiled_glossary(mem)?)
            } else {
                None
            };
            let memory = use_memory
                .then_some(mem)
                .filter(|_| selection.on(Rule::MemoryMismatch) || selection.on(Rule::TermMissing));
            let lookups = match memory {
                Some(m) if selection.on(Rule::MemoryMismatch) => Some(st.lookups(m)?),
                _ => None,
            };
            // Where a missing term went: learned from the memory once per generation.
            let alignments = match memory {
                Some(m) if selection.on(Rule::TermMissing) => Some(st.alignments(m)?),
                _ => None,
            };
            let compiled = compiled.filter(|c| !c.glossary().entries.is_empty());
            let res = Resources {
                memory,
                glossary: compiled.as_ref().map(|c| &**c.glossary()),
                glossary_required: false,
                threads: 1,
                compiled: compiled.as_deref(),
                lookups: lookups.as_deref(),
                learn_alignment: false,
                alignments: alignments.as_deref(),
            };
            let mut c = Collect::new();
            let mut summary = lint::run(&req, &res, &selection, None, &mut c)?;
            // The findings name the upload by its label (the target's, for two texts).
            let shown = req.path.display().to_string();
            summary.file = shown.clone();
            let mut out = Vec::new();
            {
                let mut p = diag_printer::printer(output, &mut out);
                let io = |_| ApiError::internal("cannot write the findings");
                p.begin(&Run {
                    checker: Checker::Lint,
                    file: shown.clone(),
                })
                .map_err(io)?;
                for mut d in c.diagnostics {
                    d.location.path = std::path::PathBuf::from(&shown);
                    p.diagnostic(&d).map_err(io)?;
                }
                p.end(&End {
                    summary: &summary,
                    error: None,
                })
                .map_err(io)?;
            }
            Ok(out)
        })
        .await?;
    let ctype = if output == OutputFormat::Sarif {
        "application/sarif+json"
    } else {
        "application/json"
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(ctype))],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// Analysis.

/// The body of `POST /v1/analyze`: the job's files as text, and the rules.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeRequest {
    /// The job's files, in order.
    pub files: Vec<AnalyzeFile>,
    /// Source language (when the files do not say it).
    pub from: Option<String>,
    /// Target language (when the files do not say it).
    pub to: Option<String>,
    /// One segment per line (text) or paragraph (other documents), not per sentence.
    #[serde(default)]
    pub lines: bool,
    /// The lower edges of the fuzzy bands, highest first (default 95, 85, 75, 50).
    pub bands: Option<Vec<u32>>,
    /// memoQ's option: repetitions take precedence over 100% matches.
    #[serde(default)]
    pub repetitions_over_100: bool,
    /// `given` (default) or `name`.
    pub file_order: Option<String>,
    /// Internal fuzzy leverage.
    #[serde(default)]
    pub internal: bool,
}

/// One file of an analysis request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeFile {
    /// Its name; the extension gives the format unless `format` does (txt, md, html,
    /// tsv, csv, xliff, tmx).
    pub name: String,
    /// Its text.
    pub content: String,
    /// Its format.
    pub format: Option<String>,
}

/// Analyze a job against the memory: the answer of `concord analyze --json` (schema
/// concord.analyze/1), files named by the names given.
#[utoipa::path(post, path = "/v1/analyze", tag = "memory", request_body = AnalyzeRequest,
    responses((status = 200, description = "The analysis (schema concord.analyze/1)", content_type = "application/json", body = Object),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn analyze(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(r): ApiJson<AnalyzeRequest>,
) -> Result<Json<answer::AnalyzeAnswer>, ApiError> {
    use crate::analysis::{FileOrder, Rules};
    use crate::formats::job::{JobRequest, Split};
    if r.files.is_empty() {
        return Err(ApiError::bad_request("no files to analyze"));
    }
    let mut spooled = Vec::with_capacity(r.files.len());
    for f in &r.files {
        let ext = spool_ext(&f.name, f.format.as_deref())?;
        spooled.push(state.spool().put(&f.name, ext, f.content.as_bytes())?);
    }
    let rules = Rules {
        fuzzy_edges: r
            .bands
            .clone()
            .unwrap_or_else(|| Rules::default().fuzzy_edges),
        repetitions_over_exact: r.repetitions_over_100,
        file_order: match r.file_order.as_deref().unwrap_or("given") {
            "given" => FileOrder::Given,
            "name" => FileOrder::Name,
            o => {
                return Err(ApiError::bad_request(format!(
                    "file_order {o:?}: expected given or name"
                )))
            }
        },
        internal: r.internal,
    };
    let req = JobRequest {
        files: spooled.iter().map(|f| f.path().to_path_buf()).collect(),
        format: None,
        from: r
            .from
            .as_deref()
            .map(|f| parse_lang("from", f))
            .transpose()?,
        to: r.to.as_deref().map(|f| parse_lang("to", f)).transpose()?,
        split: if r.lines {
            Split::Lines
        } else {
            Split::Sentences
        },
        srx: None,
        srx_only: false,
    };
    state
        .read_heavy(move |mem| {
            let hide: Vec<(String, String)> = spooled.iter().map(|f| f.hide()).collect();
            let hide_refs: Vec<(&str, &str)> =
                hide.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let mut a = answer::analyze(mem, &req, &rules, &|_, _| {})
                .map_err(|e| ApiError::from(e).hide_paths(&hide_refs))?;
            // Files by the names given, never by their spool paths; the memory by its
            // file name.
            for f in &mut a.body.files {
                if let Some((_, shown)) = hide.iter().find(|(p, _)| *p == f.path) {
                    f.path = shown.clone();
                }
            }
            a.body.memory = mem
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(a)
        })
        .await
        .map(Json)
}

/// The body of `POST /v1/pretranslate`: one document as text and the options of
/// `concord pretranslate`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PretranslateRequest {
    /// The document (its name's extension gives the format unless `format` does).
    pub file: AnalyzeFile,
    /// Source language (when the document does not say it).
    pub from: Option<String>,
    /// Target language (when the document does not say it).
    pub to: Option<String>,
    /// One segment per line (text) or paragraph (other documents), not per sentence.
    #[serde(default)]
    pub lines: bool,
    /// A match becomes the target from this score (0–100, default 75).
    pub min_score: Option<f64>,
    /// Also report up to N other matches per segment (0–20, default 0).
    #[serde(default)]
    pub alternatives: u64,
    /// Replace targets the document already has.
    #[serde(default)]
    pub overwrite: bool,
    /// Points an adapted match loses from 100 (default 1).
    pub adapt_penalty: Option<f64>,
    /// Do not adapt fuzzy matches (numbers, dates, terms).
    #[serde(default)]
    pub no_adapt: bool,
    /// Output format: xliff (1.2), xliff2, same (the input's XLIFF flavour), tsv
    /// (default: same for an XLIFF input, else xliff).
    pub output_format: Option<String>,
}

/// The answer of `POST /v1/pretranslate`: what `concord pretranslate --json` prints,
/// with the pretranslated document.
#[derive(Debug, Serialize)]
pub struct PretranslateAnswer {
    /// The pretranslation.
    #[serde(flatten)]
    pub pretranslation: crate::pretranslate::Pretranslation,
    /// The output format (xliff, xliff2, same, tsv).
    pub output_format: &'static str,
    /// The pretranslated document.
    pub document: String,
}

/// The server's name of a spooled document's format (its extension).
fn spool_ext(name: &str, format: Option<&str>) -> Result<&'static str, ApiError> {
    use crate::formats::FileFormat;
    let format = format
        .or_else(|| name.rsplit_once('.').map(|(_, e)| e))
        .and_then(FileFormat::from_name)
        .unwrap_or(FileFormat::Text);
    Ok(match format {
        FileFormat::Tsv => "tsv",
        FileFormat::Csv => "csv",
        FileFormat::Tmx => "tmx",
        FileFormat::Xliff => "xlf",
        FileFormat::Text => "txt",
        FileFormat::Markdown => "md",
        FileFormat::Html => "html",
        FileFormat::Docx => {
            return Err(ApiError::bad_request(
                "a DOCX file cannot be sent as text; send its text or an XLIFF",
            ))
        }
    })
}

/// Pretranslate a document with the memory (and its glossary): the answer of `concord
/// pretranslate --json` with the pretranslated document (`document`), the file named by
/// the name given.
#[utoipa::path(post, path = "/v1/pretranslate", tag = "memory", request_body = PretranslateRequest,
    responses((status = 200, description = "The pretranslation and the pretranslated document", content_type = "application/json", body = Object),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn pretranslate(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(r): ApiJson<PretranslateRequest>,
) -> Result<Json<PretranslateAnswer>, ApiError> {
    use crate::formats::job::{JobRequest, Split};
    use crate::formats::pretranslated::OutputFormat;
    let score = |what: &str, v: Option<f64>, default: f64| -> Result<f64, ApiError> {
        let v = v.unwrap_or(default);
        if (0.0..=100.0).contains(&v) {
            Ok(v)
        } else {
            Err(ApiError::bad_request(format!(
                "{what} {v} is outside 0–100"
            )))
        }
    };
    let defaults = crate::pretranslate::Options::default();
    let options = crate::pretranslate::Options {
        min_score: score("min_score", r.min_score, defaults.min_score)?,
        alternatives: if r.alternatives <= 20 {
            r.alternatives as usize
        } else {
            return Err(ApiError::bad_request(format!(
                "alternatives {} is more than 20",
                r.alternatives
            )));
        },
        overwrite: r.overwrite,
        penalty: score("adapt_penalty", r.adapt_penalty, defaults.penalty)?,
        adapt: !r.no_adapt,
    };
    let format = r
        .output_format
        .as_deref()
        .map(|f| {
            OutputFormat::from_name(f).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "unknown output_format {f:?} (xliff, xliff2, same, tsv)"
                ))
            })
        })
        .transpose()?;
    let ext = spool_ext(&r.file.name, r.file.format.as_deref())?;
    let spooled = state
        .spool()
        .put(&r.file.name, ext, r.file.content.as_bytes())?;
    let mut input = JobRequest::files([spooled.path().to_path_buf()]);
    input.from = r
        .from
        .as_deref()
        .map(|f| parse_lang("from", f))
        .transpose()?;
    input.to = r.to.as_deref().map(|f| parse_lang("to", f)).transpose()?;
    if r.lines {
        input.split = Split::Lines;
    }
    state
        .read_heavy(move |mem| {
            let hide = [spooled.hide()];
            let hide_refs: Vec<(&str, &str)> =
                hide.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let glossary = Glossary::combine(None, Some(mem))?;
            let out = crate::pretranslate::render(mem, glossary.as_ref(), &input, format, &options)
                .map_err(|e| ApiError::from(e).hide_paths(&hide_refs))?;
            let document = String::from_utf8(out.bytes).map_err(|_| {
                ApiError::bad_request("the pretranslated document is not UTF-8 text")
            })?;
            Ok(PretranslateAnswer {
                pretranslation: out.pretranslation,
                output_format: match out.format {
                    OutputFormat::Xliff12 => "xliff",
                    OutputFormat::Xliff20 => "xliff2",
                    OutputFormat::Same => "same",
                    OutputFormat::Tsv => "tsv",
                },
                document,
            })
        })
        .await
        .map(Json)
}

// ---------------------------------------------------------------------------------------
// Units.

/// One unit by id.
#[utoipa::path(get, path = "/v1/units/{id}", tag = "memory", params(("id" = i64, Path, description = "The unit id")),
    responses((status = 200, description = "The unit with its variants and metadata", body = Object), (status = 404, body = ErrorBody)))]
pub async fn unit_get(
    axum::extract::State(state): axum::extract::State<AppState>,
    UnitId(id): UnitId,
) -> Result<Json<Unit>, ApiError> {
    state
        .read(move |mem| {
            mem.unit(id)?
                .ok_or_else(|| ApiError::not_found(format!("no unit {id}")))
        })
        .await
        .map(Json)
}

/// Body of `POST /v1/units`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUnit {
    /// The unit's texts by language tag (at least two languages).
    pub variants: BTreeMap<String, String>,
    /// Where it comes from (default `api`).
    pub origin: Option<String>,
}

/// Answer of `POST /v1/units`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// The new unit's id.
    pub id: i64,
}

/// Add one unit (one transaction). 409 when the memory holds the same unit already.
#[utoipa::path(post, path = "/v1/units", tag = "memory", request_body = NewUnit,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("token" = [])))]
pub async fn unit_add(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(n): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let mut variants = Vec::new();
    for (lang, text) in &n.variants {
        let tag = LangTag::parse(lang)
            .map_err(|e| ApiError::new(ErrorCode::BadLanguage, format!("variants: {e}")))?;
        check_length(&state, "text", text)?;
        if !text.trim().is_empty() {
            variants.push(Variant::new(tag, text));
        }
    }
    if variants.len() < 2 {
        return Err(ApiError::bad_request(
            "a unit needs text in at least two languages",
        ));
    }
    let mut unit = Unit::new(variants);
    unit.meta.origin = Some(n.origin.unwrap_or_else(|| "api".to_string()));
    let id = state
        .write(move |mem| {
            let mut id = None;
            mem.import(&["api"], |imp| {
                id = imp.add(unit)?;
                Ok(())
            })?;
            id.ok_or_else(|| {
                ApiError::new(ErrorCode::Conflict, "the memory holds this unit already")
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Answer of `DELETE /v1/units/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    /// Units deleted.
    pub deleted: u64,
}

/// Delete one unit.
#[utoipa::path(delete, path = "/v1/units/{id}", tag = "memory", params(("id" = i64, Path, description = "The unit id")),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn unit_delete(
    axum::extract::State(state): axum::extract::State<AppState>,
    UnitId(id): UnitId,
) -> Result<Json<Deleted>, ApiError> {
    state
        .write(move |mem| {
            // Writes are serialized, so nothing deletes the unit between the two calls.
            if mem.unit(id)?.is_none() {
                return Err(ApiError::not_found(format!("no unit {id}")));
            }
            Ok(Deleted {
                deleted: mem.delete(&[id])?,
            })
        })
        .await
        .map(Json)
}

// ---------------------------------------------------------------------------------------
// Import, export, stats.

/// Parameters of `POST /v1/import`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// tmx, tsv or csv (default: from `name`).
    pub format: Option<String>,
    /// The file's name: the units' origin (only a label: nothing is read from it).
    pub name: Option<String>,
}

fn memory_format(format: Option<&str>, name: &str) -> Result<Format, ApiError> {
    match format {
        Some(f) => Format::from_name(f).ok_or_else(|| {
            ApiError::bad_request(format!(
                "format {f:?}: expected tmx, tsv, csv, xliff or xliff2"
            ))
        }),
        None => Format::from_path(std::path::Path::new(name)).ok_or_else(|| {
            ApiError::bad_request("give format=tmx|tsv|csv|xliff (or a name with that extension)")
        }),
    }
}

/// Import a TMX, TSV, CSV or bilingual XLIFF file (the request body) in one transaction:
/// all of it or nothing, through the same import plan as `concord import`. Progress:
/// `GET /v1/import/status`.
#[utoipa::path(post, path = "/v1/import", tag = "memory", params(ImportParams),
    request_body(content = String, description = "The file", content_type = "application/octet-stream"),
    responses((status = 200, description = "What the import did (as `concord import --json`)", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("token" = [])))]
pub async fn import(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<ImportParams>,
    Upload(body): Upload,
) -> Result<Json<crate::store::ImportReport>, ApiError> {
    let name = p.name.unwrap_or_else(|| "upload".to_string());
    let format = memory_format(p.format.as_deref(), &name)?;
    let file = state.spool().put(&name, format.extension(), &body)?;
    drop(body);
    // No heavy slot: imports queue on the one writer, so they cannot crowd out reads,
    // and a busy lint or export must not refuse an import.
    let st = Arc::clone(&state);
    let out = state
        .write(move |mem| {
            st.import.running.store(true, Ordering::SeqCst);
            st.import.read.store(0, Ordering::SeqCst);
            let r = ImportPlan::new(&[file.path().to_path_buf()], Some(format))
                .map(|plan| plan.shown_as(vec![file.name().to_string()]))
                .and_then(|plan| {
                    plan.import(mem, |_, n| st.import.read.store(n, Ordering::Relaxed))
                });
            if let Ok(report) = &r {
                st.import.read.store(report.read, Ordering::Relaxed);
            }
            st.import.running.store(false, Ordering::SeqCst);
            st.import.finished.fetch_add(1, Ordering::SeqCst);
            let (a, b) = file.hide();
            r.map_err(|e| ApiError::from(e).hide_paths(&[(&a, &b)]))
        })
        .await;
    out.map(Json)
}

/// Progress of imports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportStatus {
    /// True while an import runs.
    pub running: bool,
    /// Units read by the running (or last) import.
    pub read: u64,
    /// Imports finished since the server started.
    pub finished: u64,
}

/// Is an import running, and how far is it?
#[utoipa::path(get, path = "/v1/import/status", tag = "memory", responses((status = 200, body = ImportStatus)))]
pub async fn import_status(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<ImportStatus> {
    Json(ImportStatus {
        running: state.import.running.load(Ordering::SeqCst),
        read: state.import.read.load(Ordering::SeqCst),
        finished: state.import.finished.load(Ordering::SeqCst),
    })
}

/// Parameters of `GET /v1/export`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// tmx (default), tsv, csv, xliff (1.2) or xliff2 (XLIFF needs two langs).
    pub format: Option<String>,
    /// Only these languages, comma-separated.
    pub langs: Option<String>,
}

/// The memory as TMX, TSV or CSV, streamed as it is written (units in id order, as
/// `concord export`).
#[utoipa::path(get, path = "/v1/export", tag = "memory", params(ExportParams),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = String), (status = 400, body = ErrorBody)))]
pub async fn export(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let format = memory_format(Some(p.format.as_deref().unwrap_or("tmx")), "")?;
    let langs = parse_langs("langs", p.langs.as_deref())?.unwrap_or_default();
    if matches!(format, Format::Xliff | Format::Xliff2) && langs.len() != 2 {
        return Err(ApiError::bad_request(
            "XLIFF is bilingual: give langs=SOURCE,TARGET (two languages, the source first)",
        ));
    }
    let heavy = state.heavy_permit().await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let st = Arc::clone(&state);
    tokio::spawn(async move {
        // The export runs on the heavy slot's connection; the answer streams while it
        // writes.
        let _ = st
            .read_with_heavy(heavy, move |mem| {
                let w = std::io::BufWriter::with_capacity(64 << 10, ChannelWriter(tx));
                let _ = write_memory(mem, format, &langs, w);
                Ok(())
            })
            .await;
    });
    let ctype = match format {
        Format::Tmx => "application/x-tmx+xml; charset=utf-8",
        Format::Tsv => "text/tab-separated-values; charset=utf-8",
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xliff | Format::Xliff2 => "application/xliff+xml; charset=utf-8",
    };
    let disposition = format!("attachment; filename=\"concord.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("ASCII header"),
            ),
        ],
        axum::body::Body::new(ChannelBody(rx)),
    )
        .into_response())
}

/// Sends what is written to the response body, chunk by chunk.
struct ChannelWriter(tokio::sync::mpsc::Sender<Bytes>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct ChannelBody(tokio::sync::mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(http_body::Frame::data(b))))
    }
}

/// Counts of units, languages and origins (as `concord stats --json`, without the
/// server's file path).
#[utoipa::path(get, path = "/v1/stats", tag = "memory", responses((status = 200, description = "Counts", body = Object)))]
pub async fn stats(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<Json<crate::store::Stats>, ApiError> {
    state
        .read(|mem| {
            let mut s = mem.stats()?;
            s.path = std::path::Path::new(&s.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(s)
        })
        .await
        .map(Json)
}

// ---------------------------------------------------------------------------------------
// Glossary.

/// Parameters of `GET /v1/glossary`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GlossaryParams {
    /// Only entries with a term, id or note containing this (compared on matching keys).
    pub q: Option<String>,
    /// json (default) or csv (the canonical CSV of `concord glossary export`).
    pub format: Option<String>,
    /// At most this many entries (default 200).
    pub limit: Option<usize>,
    /// Skip this many entries first.
    pub offset: Option<usize>,
}

/// A page of glossary entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct GlossaryPage {
    /// Entries in the glossary (or matching `q`).
    pub total: usize,
    /// The entries of this page (as `Glossary` serializes them: id, terms by language
    /// with approved and forbidden variants, note, domain...).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<crate::glossary::Entry>,
}

fn entry_matches(e: &crate::glossary::Entry, key: &str) -> bool {
    let has = |s: &str| crate::text::match_key(s).contains(key);
    e.id.as_deref().is_some_and(has)
        || e.note.as_deref().is_some_and(has)
        || e.terms.iter().any(|(_, set)| {
            set.approved
                .iter()
                .chain(set.forbidden.iter())
                .any(|t| has(t))
        })
}

/// The memory's glossary: a page of entries as JSON (with search), or all of it as CSV.
#[utoipa::path(get, path = "/v1/glossary", tag = "glossary", params(GlossaryParams),
    responses((status = 200, body = GlossaryPage), (status = 400, body = ErrorBody)))]
pub async fn glossary_get(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<GlossaryParams>,
) -> Result<Response, ApiError> {
    let csv = match p.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        f => {
            return Err(ApiError::bad_request(format!(
                "format {f:?}: expected json or csv"
            )))
        }
    };
    let limit = check_results(&state, p.limit.unwrap_or(200))?;
    if let Some(q) = &p.q {
        check_length(&state, "search", q)?;
    }
    let st = Arc::clone(&state);
    let g = state.read(move |mem| st.glossary(mem)).await?;
    if csv {
        return Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            )],
            g.to_csv_string(),
        )
            .into_response());
    }
    let key =
        p.q.as_deref()
            .map(crate::text::match_key)
            .filter(|k| !k.is_empty());
    let selected: Vec<&crate::glossary::Entry> = g
        .entries
        .iter()
        .filter(|e| key.as_deref().map_or(true, |k| entry_matches(e, k)))
        .collect();
    let total = selected.len();
    let entries = selected
        .into_iter()
        .skip(p.offset.unwrap_or(0))
        .take(limit)
        .cloned()
        .collect();
    Ok(Json(GlossaryPage { total, entries }).into_response())
}

/// Parameters of `POST` and `PUT /v1/glossary`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GlossaryUpload {
    /// The file's name (a label for the entries' origin).
    pub name: Option<String>,
}

/// Parse a glossary request body (`POST`/`PUT /v1/glossary`): UTF-8 CSV in the canonical,
/// Google or DeepL layout, with at least one entry; `name` labels it in messages.
pub fn glossary_body(name: &str, body: &[u8]) -> Result<Glossary, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::parse(
            format!("the glossary is not UTF-8 (byte {})", e.valid_up_to()),
            None,
            None,
        )
    })?;
    let shown = super::state::file_label(name, "csv");
    let g = Glossary::from_csv_str(text, std::path::Path::new(&shown), &CsvOptions::default())?;
    if g.entries.is_empty() {
        return Err(ApiError::bad_request("the glossary has no entries"));
    }
    Ok(g)
}

/// Add glossary entries from a CSV body (canonical, Google or DeepL layouts), in one
/// transaction: an entry with an id that is stored replaces it.
#[utoipa::path(post, path = "/v1/glossary", tag = "glossary", params(GlossaryUpload),
    request_body(content = String, description = "Glossary CSV", content_type = "text/csv"),
    responses((status = 200, description = "What the import did (as `concord glossary import --json`)", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = [])))]
pub async fn glossary_add(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<GlossaryUpload>,
    Upload(body): Upload,
) -> Result<Json<crate::glossary::GlossaryImportReport>, ApiError> {
    let name = p.name.unwrap_or_else(|| "api.csv".to_string());
    let g = glossary_body(&name, &body)?;
    state
        .write(move |mem| Ok(mem.import_glossary(&[&name], &g)?))
        .await
        .map(Json)
}

/// Replace the whole glossary with a CSV body, in one transaction (admin tokens only).
#[utoipa::path(put, path = "/v1/glossary", tag = "glossary", params(GlossaryUpload),
    request_body(content = String, description = "Glossary CSV", content_type = "text/csv"),
    responses((status = 200, description = "What the import did", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = [])))]
pub async fn glossary_replace(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiQuery(p): ApiQuery<GlossaryUpload>,
    Upload(body): Upload,
) -> Result<Json<crate::glossary::GlossaryImportReport>, ApiError> {
    let name = p.name.unwrap_or_else(|| "api.csv".to_string());
    let g = glossary_body(&name, &body)?;
    state
        .write(move |mem| Ok(mem.replace_glossary(&[&name], &g)?))
        .await
        .map(Json)
}

// ---------------------------------------------------------------------------------------
// The OpenAPI document.

struct TokenSecurity;

impl utoipa::Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token made with `concord token add NAME --scope read|write|admin`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3 document of the API, derived from the handlers above.
#[derive(OpenApi)]
#[openapi(
    info(title = "concord", description = "Translation memory, termbase and QA for English, Korean and Chinese diplomatic text. Reads need no token on loopback; writes always need one."),
    paths(match_one, match_batch, search, terms, lint_draft, analyze, pretranslate, unit_get, unit_add, unit_delete, import, import_status, export, stats, glossary_get, glossary_add, glossary_replace,
        super::tmserver::unit, super::tmserver::languages),
    components(schemas(ErrorBody, ErrorCode, DetailedMatchAnswer)),
    modifiers(&TokenSecurity),
    tags((name = "memory"), (name = "glossary"), (name = "lint"), (name = "tmserver", description = "amaGama/tmserver compatibility for Weblate"))
)]
pub struct ApiDoc;

/// The document as served.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc.to_pretty_json()
        .expect("the OpenAPI document serializes")
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi_json(),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Routes by the scope they need.

/// Routes that only read (no token on loopback).
pub fn read_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/match", get(match_one))
        .route("/v1/search", get(search))
        .route("/v1/terms", get(terms))
        .route("/v1/units/{id}", get(unit_get))
        .route("/v1/import/status", get(import_status))
        .route("/v1/export", get(export))
        .route("/v1/stats", get(stats))
        .route("/v1/glossary", get(glossary_get))
}

/// Read routes that take a body (matching a batch, linting) are `POST`s but do not
/// write: they need no more than `read`.
pub fn read_post_routes(upload: usize) -> Router<AppState> {
    Router::new()
        .route("/v1/match", post(match_batch))
        .route(
            "/v1/lint",
            post(lint_draft).layer(DefaultBodyLimit::max(upload)),
        )
        .route(
            "/v1/analyze",
            post(analyze).layer(DefaultBodyLimit::max(upload)),
        )
        .route(
            "/v1/pretranslate",
            post(pretranslate).layer(DefaultBodyLimit::max(upload)),
        )
}

/// Routes that write (a `write` token, always).
pub fn write_routes(upload: usize) -> Router<AppState> {
    Router::new()
        .route("/v1/units", post(unit_add))
        .route("/v1/units/{id}", axum::routing::delete(unit_delete))
        .route(
            "/v1/import",
            post(import).layer(DefaultBodyLimit::max(upload)),
        )
        .route(
            "/v1/glossary",
            post(glossary_add).layer(DefaultBodyLimit::max(upload)),
        )
}

/// Routes that replace everything (an `admin` token).
pub fn admin_routes(upload: usize) -> Router<AppState> {
    Router::new().route(
        "/v1/glossary",
        axum::routing::put(glossary_replace).layer(DefaultBodyLimit::max(upload)),
    )
}
