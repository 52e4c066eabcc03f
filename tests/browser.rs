//! The page in a real browser: headless Chromium driven over WebDriver (Debian's
//! chromium and chromium-driver) through the translator's tasks on a test memory:
//! match, glossary terms, concordance, lint, glossary browser, keyboard use, and the
//! interface in Korean, Chinese and English. A screenshot of each screen is written to
//! `target/browser-artifacts/` (or `$CONCORD_ARTIFACTS`).
//!
//! Without /usr/bin/chromium and /usr/bin/chromedriver the test skips with one line;
//! with `CONCORD_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs them) it fails.
#![cfg(feature = "server")]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

const TSV: &str = "en\tko\tzh\torigin
The two ministers discussed the situation on the Korean Peninsula.\t양국 장관은 한반도 정세를 논의했다.\t两国部长讨论了朝鲜半岛局势。\tmofa-2024.tsv
The two ministers discussed the situation in the Middle East.\t양국 장관은 중동 정세를 논의했다.\t两国部长讨论了中东局势。\tmofa-2024.tsv
North Korea launched a ballistic missile on Tuesday.\t북한은 화요일 탄도미사일을 발사했다.\t朝鲜周二发射了一枚弹道导弹。\tmofa-2024.tsv
The spokesperson said the talks were constructive.\t대변인은 회담이 건설적이었다고 말했다.\t发言人表示会谈富有建设性。\tbriefing.tsv
";

const GLOSSARY: &str = "id,en,ko,zh,ko:forbidden,zh:forbidden,note
dprk,DPRK|North Korea,북한,朝鲜,북조선,北韩,Use the official short forms.
peninsula,Korean Peninsula,한반도,朝鲜半岛,,,
";

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var("CONCORD_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("CONCORD_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
    }
    eprintln!("skipping the browser test: {CHROMIUM} or {CHROMEDRIVER} is not installed");
    false
}

fn artifacts() -> PathBuf {
    let dir = std::env::var_os("CONCORD_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A WebDriver session.
struct Session {
    base: String,
    id: String,
    _driver: Proc,
}

impl Session {
    fn start(lang: &str, profile: &Path) -> Session {
        let port = free_port();
        let driver = Proc(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let base = format!("http://127.0.0.1:{port}");
        let t0 = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1200,900",
                    format!("--lang={lang}"), format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {"intl.accept_languages": lang},
            }
        }}});
        let v: Value = ureq::post(&format!("{base}/session"))
            .send_json(caps)
            .expect("a browser session")
            .into_json()
            .unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Session {
            base,
            id,
            _driver: driver,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.id, path)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        match ureq::post(&self.url(path)).send_json(body) {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].take(),
            Err(ureq::Error::Status(code, r)) => panic!(
                "WebDriver {path}: {code} {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("WebDriver {path}: {e}"),
        }
    }

    fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    fn element(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v.as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Type into an element (WebDriver key codes: \u{E007} Enter, \u{E009} Control,
    /// \u{E00A} Alt, \u{E015} ArrowDown).
    fn keys(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/value"), json!({ "text": text }));
    }

    /// Keys to whatever has the focus (a real key press, with modifiers).
    fn press(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for k in keys {
            actions.push(json!({"type": "keyDown", "value": k}));
        }
        for k in keys.iter().rev() {
            actions.push(json!({"type": "keyUp", "value": k}));
        }
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "kbd", "actions": actions}]}),
        );
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/click"), json!({}));
    }

    /// Wait until `expr` (a JavaScript expression) is truthy; returns its value.
    fn wait(&self, expr: &str) -> Value {
        let t0 = Instant::now();
        loop {
            let v = self.js(&format!("return ({expr}) || null;"));
            if !v.is_null() && v != json!(false) {
                return v;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "timed out waiting for {expr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn text(&self, css: &str) -> String {
        self.js(&format!(
            "return document.querySelector({css:?}).innerText;"
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    fn screenshot(&self, name: &str) {
        let b64 = ureq::get(&self.url("/screenshot"))
            .call()
            .unwrap()
            .into_json::<Value>()
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string();
        let png = base64_decode(&b64);
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.id)).call();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !b"=\r\n".contains(c)) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64"),
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn start_server(db: &Path) -> (Proc, String) {
    let (child, base) = common::spawn_server(db);
    (Proc(child), base)
}

#[test]
fn a_translator_works_through_the_page_in_korean_chinese_and_english() {
    if !browser_available() {
        return;
    }
    let env = common::Env::new();
    let tsv = env.file("mofa-2024.tsv", TSV);
    let csv = env.file("terms.csv", GLOSSARY);
    assert!(env.import(&[&tsv]).status.success());
    assert!(env
        .run(&["glossary", "import", csv.to_str().unwrap()])
        .status
        .success());
    let (_server, base) = start_server(&env.db());
    let profile = tempfile::tempdir().unwrap();

    // A Korean browser gets the Korean interface.
    let s = Session::start("ko-KR", profile.path());
    s.goto(&format!("{base}/"));
    s.wait("document.readyState === 'complete' && document.getElementById('tab-match').textContent === '유사 문장'");
    assert_eq!(s.js("return document.documentElement.lang;"), "ko");
    let paint = s.js(
        "const p = performance.getEntriesByName('first-contentful-paint')[0]; \
         return p ? p.startTime : performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;",
    );
    let paint_ms = paint.as_f64().unwrap();
    eprintln!("first paint: {paint_ms:.0} ms");
    assert!(paint_ms < 1_000.0, "first paint took {paint_ms} ms");
    // The sentence box has the focus: a person can type at once.
    assert_eq!(s.js("return document.activeElement.id;"), "match-q");
    s.screenshot("01-start-ko");

    // Match a Korean sentence with a forbidden term: Enter searches.
    s.keys("#match-q", "북조선은 화요일 탄도미사일을 발사했다.\u{E007}");
    s.wait("document.querySelectorAll('#match-list li').length > 0");
    let first = s.text("#match-list li");
    // The stored segment, read without what only the query has.
    let stored = s.js(
        "const c = document.querySelector('#match-list li .src').cloneNode(true); \
         c.querySelectorAll('ins').forEach(e => e.remove()); return c.textContent;",
    );
    assert_eq!(stored, "북한은 화요일 탄도미사일을 발사했다.");
    assert!(first.contains("朝鲜周二发射了一枚弹道导弹。"), "{first}");
    assert!(
        first.contains("North Korea launched a ballistic missile on Tuesday."),
        "{first}"
    );
    assert!(first.contains("mofa-2024.tsv"), "{first}");
    // The differences are marked word by word: 북한은 stored, 북조선은 typed.
    assert_eq!(
        s.js("return document.querySelector('#match-list li del').textContent;"),
        "북한은"
    );
    assert_eq!(
        s.js("return document.querySelector('#match-list li ins').textContent;"),
        "북조선은"
    );
    let score: f64 = s.text("#match-list li .score").parse().unwrap();
    assert!((70.0..100.0).contains(&score), "{score}");
    assert!(
        s.text("#match-status").contains("유사 문장 1개"),
        "{}",
        s.text("#match-status")
    );
    // The glossary terms: the forbidden variant with the approved one to use.
    s.wait("document.querySelector('#term-list li.forbidden')");
    let term = s.text("#term-list li.forbidden");
    assert!(
        term.contains("북조선") && term.contains("금지") && term.contains("북한"),
        "{term}"
    );
    assert!(term.contains("朝鲜") && term.contains("北韩"), "{term}");
    // Keyboard: arrow down to the match, C copies its first translation.
    s.press(&["\u{E015}"]);
    assert_eq!(
        s.js("return document.activeElement.classList.contains('match');"),
        true
    );
    s.press(&["c"]);
    s.wait("document.getElementById('match-status').textContent.startsWith('복사됨')");
    s.screenshot("02-match-ko");

    // Switch the interface to Chinese; Alt+2 opens the concordance.
    s.js("const u = document.getElementById('uilang'); u.value = 'zh'; u.dispatchEvent(new Event('change'));");
    assert_eq!(s.text("#tab-match"), "匹配");
    s.element("#match-q");
    s.click("#match-q");
    s.press(&["\u{E00A}", "2"]);
    s.wait("!document.getElementById('panel-search').hidden");
    s.keys("#search-q", "朝鲜\u{E007}");
    s.wait("document.querySelectorAll('#search-list li').length > 0");
    let marks = s.js("return Array.from(document.querySelectorAll('#search-list mark')).map(m => m.textContent);");
    assert!(
        marks.as_array().unwrap().iter().all(|m| m == "朝鲜"),
        "{marks}"
    );
    assert_eq!(marks.as_array().unwrap().len(), 2);
    assert!(
        s.text("#search-status").contains("2 条结果"),
        "{}",
        s.text("#search-status")
    );
    assert!(s
        .text("#search-list")
        .contains("양국 장관은 한반도 정세를 논의했다."));
    s.screenshot("03-concordance-zh");

    // Lint a pasted draft (English to Korean): the finding is marked in place.
    s.click("#tab-lint");
    s.wait("!document.getElementById('panel-lint').hidden");
    s.js("document.getElementById('lint-from').value = 'en'; document.getElementById('lint-to').value = 'ko';");
    s.keys(
        "#lint-source",
        "The DPRK's envoy arrived on 12 March.\u{E007}The talks began in 2019.",
    );
    s.keys(
        "#lint-target",
        "북조선의 특사가 3월 12일 도착했다.\u{E007}회담은 2018년에 시작됐다.",
    );
    s.press(&["\u{E009}", "\u{E007}"]);
    s.wait("document.getElementById('lint-status').textContent.includes('2')");
    assert!(
        !s.js("return document.getElementById('lint-status').classList.contains('error');")
            .as_bool()
            .unwrap(),
        "{}",
        s.text("#lint-status")
    );
    if s.js("return document.querySelectorAll('#lint-list > li').length;") != json!(2) {
        s.screenshot("04-lint-failed");
        panic!(
            "lint: {} / {}",
            s.text("#lint-status"),
            s.text("#lint-list")
        );
    }
    let marked = s.js("return Array.from(document.querySelectorAll('#lint-list mark.finding')).map(m => m.textContent);");
    assert!(
        marked.as_array().unwrap().contains(&json!("북조선")),
        "{marked}"
    );
    let lint = s.text("#lint-list");
    assert!(
        lint.contains("term-forbidden") && lint.contains("建议: 북한"),
        "{lint}"
    );
    assert!(lint.contains("number-mismatch"), "{lint}");
    assert!(
        s.text("#lint-status").contains("2 个句段"),
        "{}",
        s.text("#lint-status")
    );
    s.screenshot("04-lint-zh");

    // English interface; the glossary browser with search.
    s.js("const u = document.getElementById('uilang'); u.value = 'en'; u.dispatchEvent(new Event('change'));");
    s.click("#tab-glossary");
    s.wait("document.querySelectorAll('#glossary-table tbody tr').length === 2");
    s.keys("#glossary-q", "北韩");
    s.wait("document.querySelectorAll('#glossary-table tbody tr').length === 1");
    let row = s.text("#glossary-table tbody tr");
    assert!(
        row.contains("dprk")
            && row.contains("북한")
            && row.contains("북조선")
            && row.contains("朝鲜"),
        "{row}"
    );
    assert_eq!(
        s.js("return document.querySelector('#glossary-table tbody .avoid').textContent;"),
        "북조선"
    );
    assert_eq!(s.text("#glossary-status"), "1 of 1 entries");
    s.screenshot("05-glossary-en");

    // Errors are shown as text, not as a broken page.
    s.click("#tab-match");
    s.js("document.getElementById('match-q').value = '';");
    s.keys("#match-q", "!!!\u{E007}");
    s.wait("document.getElementById('match-status').classList.contains('error')");
    assert!(
        s.text("#match-status").starts_with("Error:"),
        "{}",
        s.text("#match-status")
    );
    s.screenshot("06-error-en");
    drop(s);

    // A Chinese browser gets the Chinese interface from the start.
    let profile = tempfile::tempdir().unwrap();
    let s = Session::start("zh-CN", profile.path());
    s.goto(&format!("{base}/"));
    s.wait("document.readyState === 'complete'");
    // (The last tab used is remembered per browser profile; a new profile starts on Match.)
    assert_eq!(s.text("#tab-lint"), "译文检查");
    assert_eq!(s.js("return document.documentElement.lang;"), "zh-Hans");
    s.keys("#match-q", "两国部长讨论了朝鲜半岛局势\u{E007}");
    s.wait("document.querySelectorAll('#match-list li').length > 0");
    assert!(s
        .text("#match-list li")
        .contains("양국 장관은 한반도 정세를 논의했다."));
    s.wait("document.querySelectorAll('#term-list li').length > 0");
    assert!(s.text("#term-list").contains("한반도"));
    s.screenshot("07-match-zh");
}
