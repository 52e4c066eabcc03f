//! `concord serve`'s JSON API, called in process through the router (no socket): answer
//! shapes against the CLI's JSON, errors and their codes, tokens and scopes, limits,
//! Weblate's tmserver requests, lint, import/export, the glossary, concurrency and the
//! OpenAPI document.
#![cfg(feature = "server")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use concord::server::{router, Limits, State};
use concord::store::tokens::Scope;
use concord::store::Memory;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const TSV: &str = "en\tko\tzh\torigin
The two ministers discussed the situation on the Korean Peninsula.\t양국 장관은 한반도 정세를 논의했다.\t两国部长讨论了朝鲜半岛局势。\tmofa-2024.tsv
The two ministers discussed the situation in the Middle East.\t양국 장관은 중동 정세를 논의했다.\t两国部长讨论了中东局势。\tmofa-2024.tsv
The Foreign Minister met the Ambassador of the Republic of Korea on 12 March.\t외교부 장관은 3월 12일 대한민국 대사를 접견했다.\t外交部长于3月12日会见了韩国大使。\tmofa-2024.tsv
North Korea launched a ballistic missile on Tuesday.\t북한은 화요일 탄도미사일을 발사했다.\t朝鲜周二发射了一枚弹道导弹。\tmofa-2024.tsv
The spokesperson said the talks were constructive.\t대변인은 회담이 건설적이었다고 말했다.\t发言人表示会谈富有建设性。\tmofa-2024.tsv
";

const GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,note
dprk,DPRK|North Korea,북한,朝鲜,북조선,北韩,Use the official short forms.
fm,Foreign Minister,외교부 장관,外交部长,,,
";

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn concord(db: &Path, args: &[&str]) -> std::process::Output {
    common::run_db(db, args, None)
}

fn setup() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("mofa-2024.tsv");
    std::fs::write(&tsv, TSV).unwrap();
    let csv = dir.path().join("terms.csv");
    std::fs::write(&csv, GLOSSARY).unwrap();
    let db = dir.path().join("m.db");
    let out = concord(&db, &["import", tsv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = concord(&db, &["glossary", "import", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Env { dir, db }
}

fn app_with(env: &Env, limits: Limits, loopback: bool) -> (axum::Router, Arc<State>) {
    let state = Arc::new(State::open(&env.db, limits, loopback).unwrap());
    (router(Arc::clone(&state), None), state)
}

fn app(env: &Env) -> axum::Router {
    app_with(env, Limits::default(), true).0
}

fn token(env: &Env, name: &str, scope: Scope) -> String {
    Memory::open_existing(&env.db)
        .unwrap()
        .add_token(name, scope)
        .unwrap()
        .token
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
    /// An error answer: its status and code.
    fn error(&self) -> (u16, String) {
        let v = self.json();
        (
            self.status.as_u16(),
            v["error"]["code"].as_str().unwrap().to_string(),
        )
    }
}

async fn call(
    app: &axum::Router,
    method: Method,
    uri: &str,
    body: Option<Vec<u8>>,
    token: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(app: &axum::Router, uri: &str) -> Answer {
    call(app, Method::GET, uri, None, None).await
}

async fn post_json(app: &axum::Router, uri: &str, v: &Value, token: Option<&str>) -> Answer {
    call(
        app,
        Method::POST,
        uri,
        Some(serde_json::to_vec(v).unwrap()),
        token,
    )
    .await
}

/// Percent-encode every byte but unreserved ones (Python's `quote(s, b"")`, as Weblate
/// does).
fn quote(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_answers_as_the_cli_does() {
    let env = setup();
    let app = app(&env);
    let q = "The two ministers discussed the situation on the Korean peninsula today.";
    let a = get(&app, &format!("/v1/match?q={}", quote(q))).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let cli = concord(&env.db, &["match", "--json", q]);
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(a.json(), cli);
    assert_eq!(a.json()["matches"][0]["id"], 1);
    assert_eq!(
        a.json()["matches"][0]["targets"]["ko"],
        "양국 장관은 한반도 정세를 논의했다."
    );

    // The same parameters as the CLI: from, to, limit, min_score.
    let cli = concord(
        &env.db,
        &[
            "match",
            "--json",
            "--from",
            "ko",
            "--to",
            "zh",
            "--limit",
            "1",
            "--min-score",
            "50",
            "북한은 수요일 탄도미사일을 발사했다",
        ],
    );
    let a = get(
        &app,
        &format!(
            "/v1/match?from=ko&to=zh&limit=1&min_score=50&q={}",
            quote("북한은 수요일 탄도미사일을 발사했다")
        ),
    )
    .await;
    assert_eq!(
        a.json(),
        serde_json::from_slice::<Value>(&cli.stdout).unwrap()
    );
    assert_eq!(
        a.json()["matches"][0]["targets"]["zh"],
        "朝鲜周二发射了一枚弹道导弹。"
    );

    // details: origin, date and the differences marked.
    let a = get(&app, &format!("/v1/match?details=true&q={}", quote(q))).await;
    assert_eq!(a.json()["schema"], "concord.match/1");
    assert_eq!(a.json()["matches"][0]["id"], 1);
    let m = &a.json()["details"][0];
    assert_eq!(m["origin"], "mofa-2024.tsv");
    let diff = m["diff"].as_array().unwrap();
    assert!(
        diff.iter()
            .any(|p| p["kind"] == "query" && p["text"].as_str().unwrap().contains("today")),
        "{diff:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_match_answers_in_order_with_errors_per_sentence() {
    let env = setup();
    let app = app(&env);
    let body = json!({"queries": ["North Korea launched a missile on Tuesday.", "", "朝鲜周二发射了弹道导弹。"], "limit": 2});
    let a = post_json(&app, "/v1/match", &body, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let answers = a.json()["answers"].as_array().unwrap().clone();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["matches"][0]["id"], 4);
    assert!(answers[1]["error"].as_str().unwrap().contains("empty"));
    assert_eq!(answers[2]["from"], "zh");
    assert_eq!(
        answers[2]["matches"][0]["targets"]["ko"],
        "북한은 화요일 탄도미사일을 발사했다."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_terms_answer_as_the_cli_does() {
    let env = setup();
    let app = app(&env);
    let a = get(&app, &format!("/v1/search?q={}", quote("朝鲜"))).await;
    let cli = concord(&env.db, &["search", "--json", "朝鲜"]);
    assert_eq!(
        a.json(),
        serde_json::from_slice::<Value>(&cli.stdout).unwrap()
    );
    assert_eq!(a.json()["hits"][0]["text"], "两国部长讨论了朝鲜半岛局势。");
    assert_eq!(a.json()["hits"][0]["spans"], json!([[7, 9]]));

    // Terms: approved and forbidden variants of the other languages.
    let a = get(
        &app,
        &format!(
            "/v1/terms?forbidden=true&text={}",
            quote("북조선 외교부 장관이 말했다")
        ),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(v["from"], "ko");
    let hits = v["hits"].as_array().unwrap();
    let bad = hits
        .iter()
        .find(|h| h["forbidden"] == true)
        .expect("북조선 found");
    assert_eq!(bad["matched"], "북조선");
    assert_eq!(bad["use_instead"], "북한");
    assert_eq!(bad["translations"]["zh"], json!(["朝鲜"]));
    assert_eq!(bad["avoid"]["zh"], json!(["北韩"]));
    assert!(hits.iter().any(|h| h["id"] == "fm"));
}

/// The interactive reads say where their time went (queue, run, the thread's CPU) in a
/// Server-Timing header, in milliseconds; the load bench reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_reads_carry_server_timing() {
    let env = setup();
    let app = app(&env);
    let q = "The two ministers discussed the situation on the Korean peninsula today.";
    for uri in [
        format!("/v1/match?q={}", quote(q)),
        format!("/v1/search?q={}", quote("朝鲜")),
        format!("/v1/terms?text={}", quote("북조선 외교부 장관이 말했다")),
    ] {
        let a = get(&app, &uri).await;
        assert_eq!(a.status, 200, "{uri}: {}", a.text());
        let v = a
            .headers
            .get("server-timing")
            .unwrap_or_else(|| panic!("{uri}: no Server-Timing"))
            .to_str()
            .unwrap()
            .to_string();
        let names: Vec<&str> = v
            .split(", ")
            .map(|m| {
                let (name, dur) = m.split_once(";dur=").expect("name;dur=ms");
                let ms: f64 = dur.parse().expect("milliseconds");
                assert!((0.0..30_000.0).contains(&ms), "{uri}: {v}");
                name
            })
            .collect();
        assert_eq!(&names[..2], ["queue", "run"], "{uri}: {v}");
    }
    // Other reads do not queue for the interactive slots and carry none.
    let a = get(&app, "/v1/stats").await;
    assert_eq!(a.status, 200);
    assert!(a.headers.get("server-timing").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_json_with_stable_codes() {
    let env = setup();
    let app = app(&env);
    assert_eq!(
        get(&app, "/v1/match?q=").await.error(),
        (400, "bad_query".into())
    );
    assert_eq!(
        get(&app, "/v1/match?q=%21%21%21").await.error(),
        (400, "bad_query".into())
    );
    assert_eq!(
        get(&app, "/v1/match?q=hello&from=xx").await.error(),
        (400, "bad_language".into())
    );
    assert_eq!(
        get(&app, "/v1/match").await.error(),
        (400, "bad_request".into())
    );
    assert_eq!(
        get(&app, "/v1/match?q=a&limit=many").await.error(),
        (400, "bad_request".into())
    );
    assert_eq!(
        get(&app, "/v1/match?q=a&limit=100000").await.error(),
        (413, "too_large".into())
    );
    let long = "a".repeat(2_001);
    assert_eq!(
        get(&app, &format!("/v1/match?q={long}")).await.error(),
        (413, "too_large".into())
    );
    assert_eq!(
        get(&app, "/v1/units/999").await.error(),
        (404, "not_found".into())
    );
    assert_eq!(
        get(&app, "/v1/units/abc").await.error(),
        (400, "bad_request".into())
    );
    assert_eq!(
        get(&app, "/v1/nothing-here").await.error(),
        (404, "not_found".into())
    );
    assert_eq!(
        call(&app, Method::DELETE, "/v1/stats", None, None)
            .await
            .error(),
        (405, "method_not_allowed".into())
    );
    // A JSON syntax error says where.
    let a = call(
        &app,
        Method::POST,
        "/v1/match",
        Some(b"{\n  \"queries\": [\"a\",]\n}".to_vec()),
        None,
    )
    .await;
    assert_eq!(a.error(), (400, "parse_error".into()));
    assert_eq!(a.json()["error"]["position"]["line"], 2);
    assert!(a.json()["error"]["position"]["column"].as_u64().unwrap() > 1);
    // No server path in any message.
    let a = get(&app, "/v1/match?q=hello&from=ja").await;
    assert_eq!(a.error(), (400, "bad_request".into()));
    let msg = a.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(!msg.contains(env.dir.path().to_str().unwrap()), "{msg}");
    assert!(msg.contains("the memory"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_a_token_of_the_right_scope() {
    let env = setup();
    let read = token(&env, "reader", Scope::Read);
    let write = token(&env, "writer", Scope::Write);
    let admin = token(&env, "admin", Scope::Admin);
    let app = app(&env);
    let unit = json!({"variants": {"en": "The summit ended.", "ko": "정상회의가 끝났다.", "zh": "峰会结束。"}});
    let a = post_json(&app, "/v1/units", &unit, None).await;
    assert_eq!(a.error(), (401, "unauthorized".into()));
    assert!(a.headers.contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(
        post_json(&app, "/v1/units", &unit, Some(&read))
            .await
            .error(),
        (403, "forbidden".into())
    );
    assert_eq!(
        post_json(&app, "/v1/units", &unit, Some("cnc_forged"))
            .await
            .error(),
        (401, "unauthorized".into())
    );
    let a = post_json(&app, "/v1/units", &unit, Some(&write)).await;
    assert_eq!(a.status, 201, "{}", a.text());
    let id = a.json()["id"].as_i64().unwrap();
    assert_eq!(id, 6);
    // The same unit again: a conflict, nothing written.
    assert_eq!(
        post_json(&app, "/v1/units", &unit, Some(&write))
            .await
            .error(),
        (409, "conflict".into())
    );
    // Read back, then delete, then it is gone.
    let a = get(&app, &format!("/v1/units/{id}")).await;
    assert_eq!(a.json()["variants"][1]["text"], "정상회의가 끝났다.");
    let a = call(
        &app,
        Method::DELETE,
        &format!("/v1/units/{id}"),
        None,
        Some(&admin),
    )
    .await;
    assert_eq!(a.json(), json!({"deleted": 1}));
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/v1/units/{id}"),
            None,
            Some(&write)
        )
        .await
        .error(),
        (404, "not_found".into())
    );
    // A unit with one language is refused.
    let one = json!({"variants": {"en": "Alone."}});
    assert_eq!(
        post_json(&app, "/v1/units", &one, Some(&write))
            .await
            .error(),
        (400, "bad_request".into())
    );
    // Reads on loopback need no token, but a wrong one is refused.
    assert_eq!(get(&app, "/v1/stats").await.status, 200);
    assert_eq!(
        call(&app, Method::GET, "/v1/stats", None, Some("cnc_forged"))
            .await
            .error(),
        (401, "unauthorized".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_loopback_every_request_needs_a_token() {
    let env = setup();
    let read = token(&env, "desk", Scope::Read);
    let (app, _) = app_with(&env, Limits::default(), false);
    assert_eq!(
        get(&app, "/v1/stats").await.error(),
        (401, "unauthorized".into())
    );
    assert_eq!(
        get(&app, "/tmserver/languages/").await.error(),
        (401, "unauthorized".into())
    );
    let a = call(&app, Method::GET, "/v1/stats", None, Some(&read)).await;
    assert_eq!(a.status, 200);
    // The stats name the file, not the server's directory.
    assert_eq!(a.json()["path"], "m.db");
    assert_eq!(a.json()["units"], 5);
    // HTTP Basic with the token as password (a URL with user-info, as Weblate can send).
    let basic = base64(&format!("weblate:{read}"));
    let req = Request::builder()
        .uri("/tmserver/languages/")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.clone().oneshot(req).await.unwrap().status(), 200);
}

fn base64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The requests Weblate's tmserver backend sends (weblate/machinery/tmserver.py): the
/// languages with a trailing slash, then `{src}/{tgt}/unit/{quote(text, safe="")}` with
/// lower-case codes and `_` for `-`, reading `source`, `target` and an integer `quality`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weblate_tmserver_requests_are_answered() {
    let env = setup();
    let app = app(&env);
    let a = get(&app, "/tmserver/languages/").await;
    assert_eq!(
        a.json(),
        json!({"sourceLanguages": ["en", "ko", "zh"], "targetLanguages": ["en", "ko", "zh"]})
    );

    let text = "The two ministers discussed the situation on the Korean Peninsula/today.";
    let a = get(&app, &format!("/tmserver/en/ko/unit/{}", quote(text))).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let list = a.json();
    let first = &list[0];
    assert_eq!(
        first["source"],
        "The two ministers discussed the situation on the Korean Peninsula."
    );
    assert_eq!(first["target"], "양국 장관은 한반도 정세를 논의했다.");
    let quality = first["quality"].as_f64().unwrap();
    assert!(quality as i64 >= 75 && quality < 100.0, "{quality}");
    assert_eq!(first["rank"], first["quality"]);

    // Chinese with Weblate's code for Simplified Chinese, and a CR made a space.
    let a = get(
        &app,
        &format!(
            "/tmserver/zh_hans/en/unit/{}",
            quote("朝鲜周二发射了弹道导弹。")
        ),
    )
    .await;
    assert_eq!(
        a.json()[0]["target"],
        "North Korea launched a ballistic missile on Tuesday."
    );
    // Weblate checks its settings with en→de "test": an empty list, not an error.
    let a = get(&app, "/tmserver/en/de/unit/test").await;
    assert_eq!((a.status.as_u16(), a.json()), (200, json!([])));
    let a = get(&app, "/tmserver/xx_yy/ko/unit/test").await;
    assert_eq!(a.json(), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_answers_as_the_cli_does() {
    let env = setup();
    let app = app(&env);
    let text = "The two ministers discussed the situation on the Korean Peninsula.\nThe two ministers discussed the situation in the Middle East.\nSomething new.\n";
    let body = json!({
        "files": [{"name": "job.txt", "content": text}],
        "from": "en", "to": "ko", "lines": true
    });
    let a = post_json(&app, "/v1/analyze", &body, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    let doc = env.dir.path().join("job.txt");
    std::fs::write(&doc, text).unwrap();
    let cli = concord(
        &env.db,
        &[
            "--json",
            "analyze",
            doc.to_str().unwrap(),
            "--from",
            "en",
            "--to",
            "ko",
            "--lines",
        ],
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let c: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(v["schema"], "concord.analyze/1");
    assert_eq!(v["total"], c["total"]);
    assert_eq!(v["total"]["context"]["segments"], 2, "{v:#}");
    assert_eq!(v["files"][0]["path"], "job.txt");
    assert_eq!(v["memory"], "m.db");
    // A bad XLIFF: 400 with its line, and nothing of the spool path.
    let body = json!({
        "files": [{"name": "bad.xlf", "content": "<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>"}]
    });
    let a = post_json(&app, "/v1/analyze", &body, None).await;
    assert_eq!(a.status, 400, "{}", a.text());
    let e = a.json();
    assert_eq!(e["error"]["position"]["line"], 3, "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("XLIFF") && !msg.contains("/u"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pretranslate_answers_as_the_cli_does() {
    let env = setup();
    let app = app(&env);
    let text = "The two ministers discussed the situation on the Korean Peninsula.\nSomething entirely new here.\n";
    let body = json!({
        "file": {"name": "job.txt", "content": text},
        "from": "en", "to": "ko", "lines": true, "alternatives": 2
    });
    let a = post_json(&app, "/v1/pretranslate", &body, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    let doc = env.dir.path().join("job.txt");
    std::fs::write(&doc, text).unwrap();
    let out = env.dir.path().join("job.xlf");
    let cli = concord(
        &env.db,
        &[
            "--json",
            "pretranslate",
            doc.to_str().unwrap(),
            "--from",
            "en",
            "--to",
            "ko",
            "--lines",
            "--alternatives",
            "2",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let c: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(v["summary"], c["summary"]);
    assert_eq!(v["segments"], c["segments"]);
    assert_eq!(v["summary"]["exact"], 1, "{v:#}");
    assert_eq!(v["output_format"], "xliff");
    assert_eq!(
        v["document"].as_str().unwrap(),
        std::fs::read_to_string(&out).unwrap()
    );
    // TSV on request.
    let body = json!({
        "file": {"name": "job.txt", "content": text},
        "from": "en", "to": "ko", "lines": true, "output_format": "tsv"
    });
    let a = post_json(&app, "/v1/pretranslate", &body, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(v["output_format"], "tsv");
    assert!(v["document"].as_str().unwrap().contains("\t100"), "{v:#}");
    // Bad options and a bad XLIFF: 400, and nothing of the spool path.
    for (body, want) in [
        (
            json!({"file": {"name": "a.txt", "content": "x"}, "from": "en", "to": "ko", "min_score": 101}),
            "min_score",
        ),
        (
            json!({"file": {"name": "a.txt", "content": "x"}, "from": "en", "to": "ko", "output_format": "docx"}),
            "output_format",
        ),
        (
            json!({"file": {"name": "bad.xlf", "content": "<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\"><body>\n<trans-unit id=\"1\"><source>a</target></trans-unit>\n</body></file></xliff>"}}),
            "XLIFF",
        ),
    ] {
        let a = post_json(&app, "/v1/pretranslate", &body, None).await;
        assert_eq!(a.status, 400, "{}", a.text());
        let msg = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains(want) && !msg.contains("/u"), "{msg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_finds_forbidden_terms_in_segments_and_files() {
    let env = setup();
    let app = app(&env);
    let body = json!({
        "segments": [
            {"source": "The DPRK's envoy arrived on 12 March.", "target": "북조선의 특사가 3월 12일 도착했다."},
            {"source": "The talks began in 2019.", "target": "회담은 2018년에 시작됐다."}
        ],
        "from": "en", "to": "ko", "name": "paste"
    });
    let a = post_json(&app, "/v1/lint", &body, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(v["schema"], "concord-lint/1");
    let findings = v["findings"].as_array().unwrap();
    let forbidden = findings
        .iter()
        .find(|f| f["rule"] == "term-forbidden")
        .expect("term-forbidden");
    assert_eq!(forbidden["suggestion"], "북한");
    assert_eq!(forbidden["target_span"]["text"], "북조선");
    assert_eq!(forbidden["segment"], 1);
    assert_eq!(forbidden["file"], "paste.txt");
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "number-mismatch" && f["segment"] == 2));
    assert_eq!(v["summary"]["segments"], 2);

    // A TSV draft, as SARIF.
    let tsv = "en\tzh\nNorth Korea launched a missile.\t北韩发射了导弹。\n";
    let a = post_json(
        &app,
        "/v1/lint",
        &json!({"content": tsv, "format": "tsv", "name": "draft.tsv", "output": "sarif"}),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/sarif+json");
    let v = a.json();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "term-forbidden"),
        "{results:?}"
    );
    assert!(
        !a.text().contains("concord-serve-"),
        "the spool path leaked"
    );

    // A broken XLIFF: 400 with the position, no path.
    let xlf = "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\">\n<file source-language=\"en\" target-language=\"ko\">\n<body><trans-unit id=\"1\"><source>a</source></body>\n</file></xliff>\n";
    let a = post_json(
        &app,
        "/v1/lint",
        &json!({"content": xlf, "format": "xliff"}),
        None,
    )
    .await;
    assert_eq!(a.error(), (400, "parse_error".into()), "{}", a.text());
    assert!(
        a.json()["error"]["position"]["line"].as_u64().is_some(),
        "{}",
        a.text()
    );
    assert!(!a.text().contains("concord-serve-"), "{}", a.text());
    // Neither content nor segments.
    assert_eq!(
        post_json(&app, "/v1/lint", &json!({"from": "en"}), None)
            .await
            .error(),
        (400, "bad_request".into())
    );
    assert_eq!(
        post_json(
            &app,
            "/v1/lint",
            &json!({"content": "x", "format": "docx"}),
            None
        )
        .await
        .error(),
        (400, "bad_request".into())
    );
}

/// A draft to lint is read from the request's memory: nothing of it is written to disk
/// (confidential drafts never land in the server's temporary directory), whether it
/// comes as segments, as a file's text, or malformed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_writes_nothing_of_the_draft_to_disk() {
    let env = setup();
    let (app, state) = app_with(&env, Limits::default(), true);
    let spool = state.spool().dir().to_path_buf();
    let entries = || std::fs::read_dir(&spool).unwrap().count();
    assert_eq!(entries(), 0);
    let bodies = [
        json!({"segments": [{"source": "The DPRK envoy.", "target": "북조선 특사."}], "from": "en", "to": "ko"}),
        json!({"content": "en\tzh\nNorth Korea.\t北韩。\n", "format": "tsv", "name": "d.tsv"}),
        json!({"content": "<xliff version=\"1.2\"><file", "format": "xliff"}),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let a = post_json(&app, "/v1/lint", body, None).await;
        assert_eq!(a.status, if i == 2 { 400 } else { 200 }, "{}", a.text());
        assert_eq!(entries(), 0, "lint {i} left a file in the spool");
    }
    // The draft is named by its label, never by a server path.
    let a = post_json(&app, "/v1/lint", &bodies[1], None).await;
    assert_eq!(a.json()["summary"]["file"], "d.tsv", "{}", a.text());
    // Its language and format come from the label when not given.
    let a = post_json(
        &app,
        "/v1/lint",
        &json!({"content": "en\tko\nThe DPRK envoy.\t북조선 특사.\n", "name": "from-desk.tsv"}),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.text().contains("term-forbidden"), "{}", a.text());
}

/// The server keeps the glossary's compiled term rules and the memory's 100% index
/// between lints, per generation of the memory: a glossary changed by another process
/// (the CLI) and units added through the API are used by the very next lint (the old
/// cache trusted a glossary with as many entries for two seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lint_uses_a_glossary_or_units_changed_since_the_last_lint_at_once() {
    let env = setup();
    let write = token(&env, "w", Scope::Write);
    let app = app(&env);
    let draft = json!({
        "segments": [
            {"source": "The envoy met the Secretary-General.", "target": "특사는 총장을 만났다."},
            {"source": "The envoy arrived today.", "target": "특사가 오늘 왔다."}
        ],
        "from": "en", "to": "ko"
    });
    let rules = |a: &Answer| -> Vec<String> {
        a.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let a = post_json(&app, "/v1/lint", &draft, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(
        !rules(&a)
            .iter()
            .any(|r| r.starts_with("term-") || r == "memory-mismatch"),
        "{}",
        a.text()
    );

    // The glossary changes outside the server, its number of entries staying the same
    // (entry `fm` gets other terms).
    let csv = env.dir.path().join("more.csv");
    std::fs::write(&csv, "id,en,ko\nfm,Secretary-General,사무총장\n").unwrap();
    let out = concord(&env.db, &["glossary", "import", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = post_json(&app, "/v1/lint", &draft, None).await;
    assert!(
        rules(&a).iter().any(|r| r == "term-missing"),
        "{}",
        a.text()
    );

    // A unit is added through the API: memory-mismatch knows it.
    let a = post_json(
        &app,
        "/v1/units",
        &json!({"variants": {"en": "The envoy arrived today.", "ko": "특사가 오늘 도착했다."}}),
        Some(&write),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.text());
    let a = post_json(&app, "/v1/lint", &draft, None).await;
    assert!(
        rules(&a).iter().any(|r| r == "memory-mismatch"),
        "{}",
        a.text()
    );
}

/// The server's lint says where a missing term went, like the CLI: it learns the
/// co-occurrence statistics from its memory (once per generation of the units and of the
/// glossary, on a blocking thread) and names the target's rendering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_lint_says_where_the_term_went_from_the_memory() {
    let env = setup();
    let mem = env.dir.path().join("sr.tsv");
    std::fs::write(
        &mem,
        "en\tko\nThe Special Representative arrived.\t특사가 도착했다.\n\
         The Special Representative left Seoul.\t특사는 서울을 떠났다.\n\
         The delegation met the press.\t대표단은 기자들을 만났다.\n\
         The delegation met the minister.\t대표단은 장관을 만났다.\n",
    )
    .unwrap();
    let csv = env.dir.path().join("sr.csv");
    std::fs::write(&csv, "id,en,ko\nsr,Special Representative,특별대표\n").unwrap();
    let run = |args: Vec<&str>| {
        let out = concord(&env.db, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(vec!["glossary", "import", csv.to_str().unwrap()]);
    let app = app(&env);
    let draft = json!({
        "segments": [{"source": "The Special Representative met the delegation.",
                      "target": "특사는 대표단을 만났다."}],
        "from": "en", "to": "ko"
    });
    let missing = |a: &Answer| -> Value {
        assert_eq!(a.status, 200, "{}", a.text());
        a.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "term-missing")
            .cloned()
            .unwrap_or_else(|| panic!("no term-missing: {}", a.text()))
    };
    // The memory does not pair the term with anything yet: nothing aligns.
    let f = missing(&post_json(&app, "/v1/lint", &draft, None).await);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("seems untranslated"),
        "{f}"
    );
    assert_eq!(f["target_span"], Value::Null);
    // Units that pair it with 특사 are imported (by another process): the next lint
    // learns from the new generation of the units.
    run(vec!["import", mem.to_str().unwrap()]);
    for _ in 0..2 {
        // Twice: the second lint uses the statistics the first one learned.
        let f = missing(&post_json(&app, "/v1/lint", &draft, None).await);
        let msg = f["message"].as_str().unwrap();
        assert!(
            msg.starts_with("Special Representative is rendered as 특사 (particle 는) here"),
            "{msg}"
        );
        assert_eq!(f["target_span"]["text"], "특사");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_all_or_nothing_and_export_streams() {
    let env = setup();
    let write = token(&env, "w", Scope::Write);
    let app = app(&env);
    let tmx = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
        <tu><tuv xml:lang=\"en\"><seg>The ceasefire holds.</seg></tuv><tuv xml:lang=\"ko\"><seg>휴전이 유지되고 있다.</seg></tuv></tu>\n\
        <tu><tuv xml:lang=\"en\"><seg>Talks resume.</seg></tuv><tuv xml:lang=\"zh\"><seg>会谈恢复。</seg></tuv></tu>\n\
        </body></tmx>\n";
    let a = call(
        &app,
        Method::POST,
        "/v1/import?name=../../etc/new.tmx",
        Some(tmx.as_bytes().to_vec()),
        Some(&write),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["added"], 2);
    // The name is only a label: the units' origin, without directories.
    let u = get(&app, "/v1/units/6").await.json();
    assert_eq!(u["meta"]["origin"], "new.tmx");
    assert!(!Path::new("/etc/new.tmx").exists());

    // A broken file: 400 with its line, and nothing of it lands.
    let broken = tmx
        .replace("<seg>Talks resume.</seg>", "<seg>Talks resume.</sge>")
        .replace("ceasefire", "truce");
    let a = call(
        &app,
        Method::POST,
        "/v1/import?format=tmx",
        Some(broken.into_bytes()),
        Some(&write),
    )
    .await;
    assert_eq!(a.error(), (400, "parse_error".into()), "{}", a.text());
    assert_eq!(a.json()["error"]["position"]["line"], 4);
    assert_eq!(get(&app, "/v1/stats").await.json()["units"], 7);
    let st = get(&app, "/v1/import/status").await.json();
    assert_eq!(
        (st["running"].as_bool(), st["finished"].as_u64()),
        (Some(false), Some(2))
    );

    // Without a format or a telling name.
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/v1/import",
            Some(b"x".to_vec()),
            Some(&write)
        )
        .await
        .error(),
        (400, "bad_request".into())
    );

    // Export: the same file as the CLI writes.
    let a = get(&app, "/v1/export?format=tsv&langs=en,ko").await;
    assert_eq!(a.status, 200);
    assert!(a.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/tab-separated-values"));
    let cli = concord(&env.db, &["export", "--format", "tsv", "--langs", "en,ko"]);
    assert_eq!(a.text(), String::from_utf8(cli.stdout).unwrap());
    assert!(a.text().contains("휴전이 유지되고 있다."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_get_search_add_and_replace() {
    let env = setup();
    let write = token(&env, "w", Scope::Write);
    let admin = token(&env, "a", Scope::Admin);
    let app = app(&env);
    let v = get(&app, "/v1/glossary").await.json();
    assert_eq!(v["total"], 2);
    let v = get(&app, &format!("/v1/glossary?q={}", quote("北韩")))
        .await
        .json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["entries"][0]["id"], "dprk");
    assert_eq!(
        v["entries"][0]["terms"]["ko"]["forbidden"],
        json!(["북조선"])
    );
    let a = get(&app, "/v1/glossary?format=csv").await;
    assert_eq!(
        a.text(),
        String::from_utf8(concord(&env.db, &["glossary", "export"]).stdout).unwrap()
    );

    let more = "id,en,ko\nsummit,summit,정상회의\n";
    let a = call(
        &app,
        Method::POST,
        "/v1/glossary",
        Some(more.into()),
        Some(&write),
    )
    .await;
    assert_eq!(a.json()["added"], 1, "{}", a.text());
    assert_eq!(get(&app, "/v1/glossary").await.json()["total"], 3);
    // The terms route sees the new entry at once.
    let t = get(
        &app,
        &format!("/v1/terms?from=ko&text={}", quote("정상회의가 열렸다")),
    )
    .await
    .json();
    assert_eq!(t["hits"][0]["id"], "summit");
    // Replacing needs admin.
    assert_eq!(
        call(
            &app,
            Method::PUT,
            "/v1/glossary",
            Some(more.into()),
            Some(&write)
        )
        .await
        .error(),
        (403, "forbidden".into())
    );
    let a = call(
        &app,
        Method::PUT,
        "/v1/glossary",
        Some(more.into()),
        Some(&admin),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(get(&app, "/v1/glossary").await.json()["total"], 1);
    // A glossary that does not parse: 400, the old one stays.
    let a = call(
        &app,
        Method::PUT,
        "/v1/glossary",
        Some(b"id,en,ko\n\"broken,x\n".to_vec()),
        Some(&admin),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text());
    assert_eq!(get(&app, "/v1/glossary").await.json()["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_answer_413_and_503() {
    let env = setup();
    let limits = Limits {
        body: 1_000,
        batch: 3,
        heavy: 1,
        queue_wait: Duration::from_millis(50),
        ..Limits::default()
    };
    let (app, state) = app_with(&env, limits, true);
    let big = json!({"queries": ["x".repeat(1_500)]});
    assert_eq!(
        post_json(&app, "/v1/match", &big, None).await.error(),
        (413, "too_large".into())
    );
    let many = json!({"queries": ["a", "b", "c", "d"]});
    assert_eq!(
        post_json(&app, "/v1/match", &many, None).await.error(),
        (413, "too_large".into())
    );
    // Every heavy slot taken: 503 busy, and the single-sentence route still works.
    let permit = state.heavy_permit().await.unwrap();
    let two = json!({"queries": ["North Korea launched a missile."]});
    assert_eq!(
        post_json(&app, "/v1/match", &two, None).await.error(),
        (503, "busy".into())
    );
    assert_eq!(
        get(&app, "/v1/match?q=North%20Korea%20launched%20a%20missile")
            .await
            .status,
        200
    );
    drop(permit);
    assert_eq!(post_json(&app, "/v1/match", &two, None).await.status, 200);

    // A request that outlives the timeout: 503 timeout.
    let limits = Limits {
        heavy: 1,
        timeout: Duration::from_millis(100),
        queue_wait: Duration::from_secs(5),
        ..Limits::default()
    };
    let (app, state) = app_with(&env, limits, true);
    let permit = state.heavy_permit().await.unwrap();
    assert_eq!(
        post_json(&app, "/v1/match", &two, None).await.error(),
        (503, "timeout".into())
    );
    drop(permit);
}

/// Reads go on while one writer imports: matches are answered while the import's
/// transaction is open, and they see the memory as it was until it commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_do_not_wait_for_an_import() {
    let env = setup();
    let write = token(&env, "w", Scope::Write);
    let (app, state) = app_with(&env, Limits::default(), true);
    let mut tsv = String::from("en\tko\n");
    for i in 0..30_000 {
        tsv.push_str(&format!(
            "Routine bulletin number {i} was issued.\t정례 공지 {i}호가 발표되었다.\n"
        ));
    }
    let importer = {
        let app = app.clone();
        tokio::spawn(async move {
            call(
                &app,
                Method::POST,
                "/v1/import?format=tsv",
                Some(tsv.into_bytes()),
                Some(&write),
            )
            .await
        })
    };
    // Wait until the import is under way.
    let t0 = std::time::Instant::now();
    while !state
        .import
        .running
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the import never started"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut answered_during = 0;
    for _ in 0..20 {
        let a = get(
            &app,
            "/v1/match?q=North%20Korea%20launched%20a%20missile%20on%20Tuesday",
        )
        .await;
        assert_eq!(a.status, 200);
        let running = state
            .import
            .running
            .load(std::sync::atomic::Ordering::SeqCst);
        if running {
            answered_during += 1;
            // The import has not committed: the memory still has its five units.
            assert_eq!(get(&app, "/v1/stats").await.json()["units"], 5);
        }
    }
    let done = importer.await.unwrap();
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["added"], 30_000);
    assert!(
        answered_during > 0,
        "no read was answered while the import ran"
    );
    assert_eq!(get(&app, "/v1/stats").await.json()["units"], 30_005);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_describes_every_route() {
    let env = setup();
    let app = app(&env);
    let a = get(&app, "/v1/openapi.json").await;
    let doc = a.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/v1/match", &["get", "post"][..]),
        ("/v1/search", &["get"]),
        ("/v1/terms", &["get"]),
        ("/v1/lint", &["post"]),
        ("/v1/analyze", &["post"]),
        ("/v1/pretranslate", &["post"]),
        ("/v1/units", &["post"]),
        ("/v1/units/{id}", &["get", "delete"]),
        ("/v1/import", &["post"]),
        ("/v1/import/status", &["get"]),
        ("/v1/export", &["get"]),
        ("/v1/stats", &["get"]),
        ("/v1/glossary", &["get", "post", "put"]),
        (
            "/tmserver/{source_lang}/{target_lang}/unit/{text}",
            &["get"],
        ),
        ("/tmserver/languages/", &["get"]),
    ] {
        for m in methods {
            assert!(
                paths[path].get(*m).is_some(),
                "{m} {path} missing from the OpenAPI document"
            );
        }
    }
    // Every error code is in the schema, and the answer types are described.
    let codes = &doc["components"]["schemas"]["ErrorCode"];
    assert!(codes.to_string().contains("too_large"), "{codes}");
    assert!(doc["components"]["schemas"]["MatchAnswer"]["properties"]["matches"].is_object());
    assert!(doc["components"]["schemas"]["MatchAnswer"]["properties"]["schema"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    // Every documented route is routed (a request to it is not "no such route").
    for path in paths.keys() {
        let uri = path
            .replace("{id}", "1")
            .replace("{source_lang}", "en")
            .replace("{target_lang}", "ko")
            .replace("{text}", "x");
        let a = get(&app, &uri).await;
        if a.status == 404 {
            assert_ne!(a.json()["error"]["message"], "no such route", "{path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_takes_bilingual_xliff_and_export_writes_it() {
    let env = setup();
    let write = token(&env, "w", Scope::Write);
    let app = app(&env);
    let xlf = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:mq="MQXliff">
<file original="s.docx" source-language="en" target-language="ko" datatype="x-docx"><body>
<trans-unit id="1" mq:status="ManuallyConfirmed"><source>The envoy arrived.</source><target>특사가 도착했다.</target></trans-unit>
<trans-unit id="2" mq:status="NotStarted"><source>Annex</source><target/></trans-unit>
</body></file></xliff>
"#;
    let a = call(
        &app,
        Method::POST,
        "/v1/import?name=job.mqxliff",
        Some(xlf.as_bytes().to_vec()),
        Some(&write),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        (
            a.json()["added"].as_u64(),
            a.json()["untranslated"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let e = get(&app, "/v1/export?format=xliff2&langs=en,ko").await;
    assert_eq!(e.status, 200, "{}", e.text());
    assert!(
        e.text().contains("<target>특사가 도착했다.</target>"),
        "{}",
        e.text()
    );
    let e = get(&app, "/v1/export?format=xliff").await;
    assert_eq!(e.error(), (400, "bad_request".into()));
}
