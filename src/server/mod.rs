//! `concord serve`: the memory, the glossary and the linter over HTTP, and a web page for
//! translators.
//!
//! One process on the embedded SQLite memory, built on axum/tokio:
//!
//! * **`/v1/`**: the JSON API ([`api`]): match, search, terms, lint, units, import,
//!   export, glossary, stats. The answers are the library's, in the CLI's JSON shapes.
//!   Errors are JSON with a stable code ([`error`]). The OpenAPI 3 document at
//!   `/v1/openapi.json` is derived from the handlers and types by utoipa.
//! * **`/tmserver/`**: the amaGama / translate-toolkit tmserver routes that Weblate's
//!   "tmserver" machine-translation backend calls ([`tmserver`]).
//! * **`/`**: the page for translators ([`page`]), its assets compiled into the binary.
//!
//! **Concurrency** ([`state`]): on the WAL database, a pool of read connections for the
//! light reads (match, search, terms...), another with one connection per heavy slot
//! (lint, batch match, export), so a match never queues behind heavy work, and one
//! writer owned by the writer thread. **Interactive reads come before bulk work**: match,
//! search and terms run on tokio's blocking threads at the process's priority, lint,
//! batch match, export, analyze and pretranslate on bulk threads of their own at a lower
//! one ([`Limits::bulk_nice`]), imports and other writes on the writer thread at a lower
//! one too ([`Limits::writer_nice`]). What lint derives
//! from the memory (the glossary's term rules, the 100% index) is built once per
//! generation of the memory and shared.
//!
//! **Security** ([`auth`]): loopback by default; off loopback every request needs a
//! token; writes always do. Limits on body size, query length, batch size and
//! concurrent heavy requests; a timeout on every request; no CORS headers unless an
//! origin is configured; nothing in a request names a server path.

pub mod api;
pub mod auth;
pub mod error;
pub mod page;
pub mod state;
pub mod tmserver;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::{ApiError, ErrorCode};
pub use state::State;

use crate::store::tokens::Scope;

/// The limits of a server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body of the ordinary routes, in bytes.
    pub body: usize,
    /// Largest upload (import, glossary, lint file), in bytes.
    pub upload: usize,
    /// Longest match query or search phrase, in characters.
    pub query_chars: usize,
    /// Most queries in one batch match.
    pub batch: usize,
    /// Most hits or matches one request may ask for.
    pub results: usize,
    /// Heavy requests (batch match, lint, export, analyze, pretranslate) that run at once.
    pub heavy: usize,
    /// Read connections in the pool.
    pub readers: usize,
    /// Interactive reads of each lane (matches; look-ups: search and terms) that
    /// compute at once; the others wait for a slot in the order they came (FIFO; 503
    /// after `queue_wait`). Default 8, as many as the read connections: on the bench's
    /// two shared cores a bound of one match per core measured slower (see the
    /// scheduling policy in [`state`] and README's serve section).
    pub interactive: usize,
    /// Threads one interactive match may scan the key file with. Default: the cores (at
    /// most 8), as the matching engine's own default.
    pub scan_threads: usize,
    /// How long a request waits for a free slot before it is answered 503.
    pub queue_wait: Duration,
    /// How long an ordinary request may take.
    pub timeout: Duration,
    /// How long an import, export or lint may take.
    pub upload_timeout: Duration,
    /// How much lower the writer's CPU priority is than the readers' (Linux: the nice
    /// increment of the writer thread, which the threads it starts inherit; 0 keeps the
    /// same priority). Imports and deletes then yield the cores to matches and searches,
    /// and take longer while those keep the cores busy.
    pub writer_nice: i32,
    /// How much lower the CPU priority of bulk reads (lint, batch match, export,
    /// analyze, pretranslate) is than that of the interactive reads (match, search,
    /// terms): the nice increment of the bulk threads that run them (Linux; 0 keeps the
    /// same priority). See the scheduling policy in [`state`].
    pub bulk_nice: i32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body: 1 << 20,
            upload: 64 << 20,
            query_chars: 2_000,
            batch: 500,
            results: 1_000,
            heavy: 4,
            readers: 8,
            interactive: 8,
            scan_threads: cores().min(8),
            queue_wait: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
            writer_nice: 5,
            bulk_nice: 10,
        }
    }
}

/// The cores this process may use (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The memory (must exist).
    pub db: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// The limits.
    pub limits: Limits,
    /// Send CORS headers allowing this origin (none by default: the browser then keeps
    /// other sites' pages from calling the API).
    pub cors_origin: Option<String>,
}

/// The whole application: API, compatibility routes and page, with the limits, the
/// token checks and the timeouts applied.
pub fn router(state: Arc<State>, cors_origin: Option<String>) -> Router {
    let limits = state.limits.clone();
    let guarded = |scope: Scope, r: Router<Arc<State>>| {
        r.route_layer(middleware::from_fn_with_state(
            (Arc::clone(&state), scope),
            auth::require,
        ))
    };
    let api = Router::new()
        .merge(guarded(Scope::Read, api::read_routes()))
        .merge(guarded(Scope::Read, api::read_post_routes(limits.upload)))
        .merge(guarded(Scope::Write, api::write_routes(limits.upload)))
        .merge(guarded(Scope::Admin, api::admin_routes(limits.upload)))
        .merge(guarded(Scope::Read, tmserver::routes()))
        .merge(page::routes());
    let timeout = limits.timeout;
    let upload_timeout = limits.upload_timeout;
    let mut app = api
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "this route takes another method",
            )
        })
        .layer(middleware::from_fn(move |req: Request<_>, next: Next| {
            deadline(req, next, timeout, upload_timeout)
        }))
        .layer(DefaultBodyLimit::max(limits.body))
        .layer(middleware::from_fn(harden))
        .with_state(state);
    if let Some(origin) = cors_origin {
        if let Ok(v) = HeaderValue::from_str(&origin) {
            app = app.layer(middleware::from_fn(move |req: Request<_>, next: Next| {
                cors(req, next, v.clone())
            }));
        }
    }
    app
}

/// Routes that carry files have the long timeout.
fn is_upload_route(path: &str) -> bool {
    matches!(
        path,
        "/v1/import"
            | "/v1/export"
            | "/v1/lint"
            | "/v1/analyze"
            | "/v1/pretranslate"
            | "/v1/glossary"
    )
}

async fn deadline(
    req: Request<axum::body::Body>,
    next: Next,
    timeout: Duration,
    upload_timeout: Duration,
) -> Response {
    let limit = if is_upload_route(req.uri().path()) {
        upload_timeout
    } else {
        timeout
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            ErrorCode::Timeout,
            format!("the request took longer than {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

/// Headers every answer carries: no sniffing, no framing by other sites, no referrer.
async fn harden(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

async fn cors(req: Request<axum::body::Body>, next: Next, origin: HeaderValue) -> Response {
    let preflight = req.method() == Method::OPTIONS;
    let mut res = if preflight {
        axum::http::StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, DELETE"),
    );
    res
}

/// Run a server until Ctrl-C (or SIGTERM). `on_ready` is called with the bound address
/// once the server listens (the CLI prints it). Off loopback, the memory must hold at
/// least one token, or the server refuses to start.
pub fn serve(config: Config, on_ready: impl FnOnce(SocketAddr)) -> crate::Result<()> {
    let loopback = config.addr.ip().is_loopback();
    let state = Arc::new(State::open(&config.db, config.limits.clone(), loopback)?);
    if !loopback {
        let mem = crate::store::Memory::open_existing(&config.db)?;
        if mem.tokens()?.is_empty() {
            return Err(crate::Error::bad_request(format!(
                "{} is not a loopback address, so every request needs a token, but the memory has none",
                config.addr
            ))
            .with_hint(crate::error::Hint::AddToken));
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.limits.readers + config.limits.heavy + 4)
        .build()
        .map_err(|e| {
            crate::Error::new(
                crate::error::ErrorKind::Internal,
                format!("cannot start the server runtime: {e}"),
            )
        })?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| {
                crate::Error::new(
                    crate::error::ErrorKind::Internal,
                    format!("cannot listen on {}: {e}", config.addr),
                )
            })?;
        let addr = listener.local_addr().map_err(|e| {
            crate::Error::new(
                crate::error::ErrorKind::Internal,
                format!("cannot listen: {e}"),
            )
        })?;
        on_ready(addr);
        axum::serve(listener, router(state, config.cors_origin))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| {
                crate::Error::new(
                    crate::error::ErrorKind::Internal,
                    format!("the server stopped: {e}"),
                )
            })
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
