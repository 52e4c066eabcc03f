//! Who may do what.
//!
//! A token comes as `Authorization: Bearer cnc_…`, or as the password of HTTP Basic
//! authentication (any user name), which is what a client configured with only a URL can
//! send (`http://weblate:cnc_…@host:7700/tmserver`, as Weblate's tmserver backend is).
//!
//! * A route that reads needs no token while the server is bound to loopback; off
//!   loopback it needs a token of any scope.
//! * A route that writes needs a `write` (or `admin`) token, always; replacing the whole
//!   glossary needs `admin`.
//! * A token that is presented must be valid even where none is needed (401 otherwise),
//!   so a mistyped token is noticed at once.

use std::sync::Arc;

use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorCode};
use super::State;
use crate::store::tokens::Scope;

/// The token of a request, if it carries one.
pub fn presented_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (kind, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if kind.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_string());
    }
    if kind.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(rest)?;
        let text = String::from_utf8(decoded).ok()?;
        let (_, password) = text.split_once(':')?;
        return Some(password.to_string());
    }
    None
}

/// Standard base64 (RFC 4648, with or without padding); `None` when malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decide whether a request with `presented` (the scope of its token, `Some(None)` for
/// an unknown token, `None` for no token) may use a route that needs `needed`.
pub fn decide(
    needed: Scope,
    presented: Option<Option<Scope>>,
    loopback: bool,
) -> Result<(), ApiError> {
    match presented {
        Some(None) => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "the token is not valid for this memory",
        )),
        Some(Some(have)) if have >= needed => Ok(()),
        Some(Some(have)) => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("this needs a token with scope {needed}; this one has {have}"),
        )),
        None if needed == Scope::Read && loopback => Ok(()),
        None => Err(ApiError::new(
            ErrorCode::Unauthorized,
            if needed == Scope::Read {
                "this server is reachable from other machines: send a token (Authorization: Bearer …)".to_string()
            } else {
                format!("writing needs a token with scope {needed} (Authorization: Bearer …)")
            },
        )),
    }
}

/// Middleware: check the request's token against the scope the route needs.
pub async fn require(
    AxState((state, needed)): AxState<(Arc<State>, Scope)>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let presented = match presented_token(req.headers()) {
        None => None,
        Some(t) => match state.token_scope(&t).await {
            Ok(s) => Some(s),
            Err(e) => return e.into_response(),
        },
    };
    match decide(needed, presented, state.loopback) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            let mut res = e.into_response();
            if res.status() == axum::http::StatusCode::UNAUTHORIZED {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer realm=\"concord\""),
                );
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_basic_credentials() {
        // "weblate:cnc_x" in base64.
        assert_eq!(
            base64_decode("d2VibGF0ZTpjbmNfeA==").unwrap(),
            b"weblate:cnc_x".to_vec()
        );
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn tokens_come_from_bearer_or_basic() {
        let mut h = HeaderMap::new();
        assert_eq!(presented_token(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer cnc_abc".parse().unwrap());
        assert_eq!(presented_token(&h).as_deref(), Some("cnc_abc"));
        h.insert(
            header::AUTHORIZATION,
            "Basic d2VibGF0ZTpjbmNfeA==".parse().unwrap(),
        );
        assert_eq!(presented_token(&h).as_deref(), Some("cnc_x"));
    }

    #[test]
    fn the_rules_of_scopes() {
        use Scope::*;
        // Loopback: reading needs nothing, writing always needs a token.
        assert!(decide(Read, None, true).is_ok());
        assert_eq!(decide(Write, None, true).unwrap_err().status, 401);
        // Off loopback: reading needs a token too.
        assert_eq!(decide(Read, None, false).unwrap_err().status, 401);
        assert!(decide(Read, Some(Some(Read)), false).is_ok());
        // Scopes are ordered.
        assert_eq!(
            decide(Write, Some(Some(Read)), true).unwrap_err().status,
            403
        );
        assert!(decide(Write, Some(Some(Admin)), true).is_ok());
        assert_eq!(
            decide(Admin, Some(Some(Write)), true).unwrap_err().status,
            403
        );
        // A wrong token is refused even where none is needed.
        assert_eq!(decide(Read, Some(None), true).unwrap_err().status, 401);
    }
}
