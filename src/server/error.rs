//! Errors as JSON: a stable code, a message, the position in the input when there is
//! one, and the HTTP status that fits. Never a stack trace, never a server path.
//!
//! ```json
//! {"error": {"code": "parse_error", "message": "a <tu> without </tu>", "position": {"line": 3, "column": 1}}}
//! ```

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The stable error codes of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: a parameter or body field is missing or malformed.
    BadRequest,
    /// 400: the query cannot be answered (empty, no letters, too long).
    BadQuery,
    /// 400: a language tag is malformed.
    BadLanguage,
    /// 400: an uploaded file or body does not parse; `position` says where.
    ParseError,
    /// 401: no token, or an unknown one.
    Unauthorized,
    /// 403: the token's scope does not allow this.
    Forbidden,
    /// 404: no such unit or route.
    NotFound,
    /// 405: the route exists with another method.
    MethodNotAllowed,
    /// 409: the write conflicts with what is stored (a duplicate unit, a busy writer).
    Conflict,
    /// 413: the body, the query or the batch is larger than the server accepts.
    TooLarge,
    /// 503: every slot for this kind of work is taken; retry later.
    Busy,
    /// 503: the request took longer than the server allows.
    Timeout,
    /// 500: something failed inside the server.
    Internal,
}

/// Where in the input an error is (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Position {
    /// Line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Column in characters, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
    /// Where in the input, for `parse_error` (and some `bad_request`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub detail: ErrorDetail,
}

impl ApiError {
    /// An error with a code, its usual status, and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        let status = match code {
            ErrorCode::BadRequest
            | ErrorCode::BadQuery
            | ErrorCode::BadLanguage
            | ErrorCode::ParseError => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Busy | ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            detail: ErrorDetail {
                code,
                message: message.into(),
                position: None,
            },
        }
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    /// 400 `parse_error` at a line and column of the input.
    pub fn parse(message: impl Into<String>, line: Option<u64>, column: Option<u64>) -> ApiError {
        let mut e = ApiError::new(ErrorCode::ParseError, message);
        e.detail.position = Some(Position { line, column });
        e
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// 413 `too_large`.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::TooLarge, message)
    }

    /// 503 `busy`.
    pub fn busy() -> ApiError {
        ApiError::new(
            ErrorCode::Busy,
            "the server is busy with other requests of this kind; retry in a moment",
        )
    }

    /// 500 `internal`.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Internal, message)
    }

    /// Replace every mention of a server path in the message (the memory file, the
    /// upload spool) by a neutral name.
    pub fn hide_paths(mut self, paths: &[(&str, &str)]) -> ApiError {
        for (path, name) in paths {
            if !path.is_empty() {
                self.detail.message = self.detail.message.replace(path, name);
            }
        }
        self
    }
}

impl From<crate::Error> for ApiError {
    /// Decided by the error's kind, never by its message.
    fn from(e: crate::Error) -> ApiError {
        use crate::error::ErrorKind as K;
        match *e.kind() {
            K::Parse | K::EmptyInput => {
                let (line, column) = e.position().map_or((None, None), |p| (p.line, p.column));
                ApiError::parse(e.message(), line, column)
            }
            K::Lang => ApiError::new(ErrorCode::BadLanguage, e.message()),
            K::BadRequest | K::BadQuery | K::MissingUnits | K::NoData | K::Limit | K::NoMemory => {
                ApiError::bad_request(e.to_string())
            }
            K::Database => match std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<rusqlite::Error>())
            {
                Some(db) => db_error(db),
                None => ApiError::internal("the memory database failed"),
            },
            K::Io | K::OutputIo => ApiError::internal(format!(
                "the server could not read or write: {}",
                e.io_error()
                    .map_or_else(|| e.message().to_string(), |io| io.to_string())
            )),
            K::SchemaTooNew { found, supported } => ApiError::internal(format!(
                "the memory has schema version {found}; this server knows up to {supported}"
            )),
            K::CorruptMemory => {
                ApiError::internal(format!("the memory is damaged ({})", e.message()))
            }
            K::NotAMemory => ApiError::internal(format!("the server's file: {}", e.message())),
            K::Internal => ApiError::internal(e.message()),
        }
    }
}

fn db_error(e: &rusqlite::Error) -> ApiError {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => ApiError::new(
            ErrorCode::Conflict,
            "another writer holds the memory; the write was not done, retry it",
        ),
        Some(C::ConstraintViolation) => ApiError::new(
            ErrorCode::Conflict,
            "the write conflicts with what the memory holds; nothing was written",
        ),
        _ => ApiError::internal("the memory database failed"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(ErrorBody { error: self.detail })).into_response()
    }
}
