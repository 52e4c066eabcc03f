//! `concord token` and `concord serve` as a user runs them: tokens printed once and
//! stored hashed; the server on a real socket; refusing to listen off loopback without
//! tokens.
#![cfg(feature = "server")]

mod common;

use std::path::Path;
use std::process::Child;

const TSV: &str = "en\tko\tzh
North Korea launched a ballistic missile on Tuesday.\t북한은 화요일 탄도미사일을 발사했다.\t朝鲜周二发射了一枚弹道导弹。
The spokesperson said the talks were constructive.\t대변인은 회담이 건설적이었다고 말했다.\t发言人表示会谈富有建设性。
";

fn concord(db: &Path, args: &[&str]) -> std::process::Output {
    common::run_db(db, args, None)
}

fn memory(dir: &Path) -> std::path::PathBuf {
    let tsv = dir.join("m.tsv");
    std::fs::write(&tsv, TSV).unwrap();
    let db = dir.join("m.db");
    assert!(concord(&db, &["import", tsv.to_str().unwrap()])
        .status
        .success());
    db
}

/// A server on a free loopback port; killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &Path) -> Server {
    let (child, base) = common::spawn_server(db);
    Server { child, base }
}

#[test]
fn tokens_are_printed_once_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = memory(dir.path());
    let out = concord(&db, &["token", "add", "weblate", "--scope", "write"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("cnc_") && token.len() == 68, "{token}");
    let list = concord(&db, &["token", "list"]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.starts_with("weblate\twrite\t"), "{list}");
    assert!(!list.contains(&token[4..]));
    // The secret is not in the database file.
    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(format!("{}-wal", db.display())).unwrap_or_default();
    for b in [&bytes, &wal] {
        assert!(!b.windows(20).any(|w| w == &token.as_bytes()[10..30]));
    }
    // Same name twice, a bad scope: refused.
    assert_eq!(
        concord(&db, &["token", "add", "weblate"]).status.code(),
        Some(2)
    );
    assert_eq!(
        concord(&db, &["token", "add", "x", "--scope", "root"])
            .status
            .code(),
        Some(2)
    );
    assert!(concord(&db, &["token", "revoke", "weblate"])
        .status
        .success());
    assert_eq!(
        concord(&db, &["token", "revoke", "weblate"]).status.code(),
        Some(2)
    );
}

#[test]
fn serve_answers_on_loopback_and_writes_need_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = memory(dir.path());
    let token =
        String::from_utf8(concord(&db, &["token", "add", "desk", "--scope", "write"]).stdout)
            .unwrap();
    let s = start(&db);
    let v: serde_json::Value = ureq::get(&format!("{}/v1/match", s.base))
        .query("q", "North Korea launched a missile on Tuesday.")
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        v["matches"][0]["targets"]["ko"],
        "북한은 화요일 탄도미사일을 발사했다."
    );
    let unit = serde_json::json!({"variants": {"en": "Talks resume.", "zh": "会谈恢复。"}});
    match ureq::post(&format!("{}/v1/units", s.base)).send_json(&unit) {
        Err(ureq::Error::Status(401, r)) => {
            let v: serde_json::Value = r.into_json().unwrap();
            assert_eq!(v["error"]["code"], "unauthorized");
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let r = ureq::post(&format!("{}/v1/units", s.base))
        .set("Authorization", &format!("Bearer {}", token.trim()))
        .send_json(&unit)
        .unwrap();
    assert_eq!(r.status(), 201);
    // No CORS header unless configured.
    let r = ureq::get(&format!("{}/v1/stats", s.base))
        .set("Origin", "http://evil.example")
        .call()
        .unwrap();
    assert!(r.header("access-control-allow-origin").is_none());
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn serve_refuses_other_addresses_without_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = memory(dir.path());
    let out = concord(&db, &["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a loopback address") && err.contains("concord token add"),
        "{err}"
    );
}
