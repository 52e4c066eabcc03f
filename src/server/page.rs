//! The web page at `/`: one HTML file, one script, one style sheet and an icon, compiled
//! into the binary (no CDN, no outside request: it works offline).
//!
//! The page calls the `/v1/` API like any client. Its interface text is in English,
//! Korean and Chinese, chosen from the browser's languages and switchable. A strict
//! Content-Security-Policy allows scripts, styles and requests to this server only.

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::State;

const INDEX: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const APP_CSS: &str = include_str!("page/app.css");
const ICON: &str = include_str!("page/icon.svg");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn asset(body: &'static str, ctype: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// The page's routes (no token: the page holds no data; its API calls are checked).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/icon.svg",
            get(|| async { asset(ICON, "image/svg+xml") }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        for text in [INDEX, APP_JS, APP_CSS, ICON] {
            for bad in ["http://", "https://", "//cdn", "@import"] {
                let hits: Vec<_> = text
                    .match_indices(bad)
                    .filter(|(i, _)| !text[..*i].ends_with("xmlns=\""))
                    .collect();
                assert!(hits.is_empty(), "{bad} in an asset");
            }
        }
        // Every asset the page names is served.
        for path in ["/assets/app.js", "/assets/app.css", "/assets/icon.svg"] {
            assert!(INDEX.contains(path));
        }
    }

    #[test]
    fn every_interface_string_exists_in_the_three_languages() {
        // The keys of the English table must appear in the Korean and Chinese ones.
        let table = &APP_JS[APP_JS.find("const T = {").unwrap()..APP_JS.find("\n};").unwrap()];
        let block = |lang: &str| {
            let head = format!("  {lang}: {{");
            let start = table.find(&head).unwrap() + head.len();
            let rest = &table[start..];
            rest[..rest.find("\n  },").unwrap_or(rest.len())].to_string()
        };
        let keys = |b: &str| -> Vec<String> {
            b.split([',', '{', '\n'])
                .filter_map(|p| {
                    let p = p.trim();
                    let (k, _) = p.split_once(':')?;
                    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
                        .then(|| k.to_string())
                })
                .collect()
        };
        let en = keys(&block("en"));
        assert!(en.len() > 40, "{en:?}");
        for lang in ["ko", "zh"] {
            let other = keys(&block(lang));
            for k in &en {
                assert!(other.contains(k), "{lang} lacks {k}");
            }
        }
        // And every data-i18n key of the page is in the table.
        for part in INDEX.split("data-i18n=\"").skip(1) {
            let key = &part[..part.find('"').unwrap()];
            assert!(en.iter().any(|k| k == key), "no text for {key}");
        }
    }
}
