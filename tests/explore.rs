//! `explore`: the server answers bad requests without falling over, and the
//! page, driven in a real browser through WebDriver, moves with its
//! sliders, tells the story as slides and saves a scenario that `run`
//! reproduces.
//!
//! The browser test needs Chromium and its WebDriver (`chromium`,
//! `chromium-driver`), which `.ci/run` installs, so it is ignored by a
//! plain `cargo test`; run it with
//! `cargo test --locked --test main explore::browser -- --ignored`.
//!
//! Both speak HTTP through [`http`], a few lines over a TCP stream: the
//! WebDriver protocol is plain JSON over HTTP on loopback, and the async
//! clients (fantoccini, thirtyfour) would bring a runtime and a TLS stack
//! built from C for nothing a loopback test uses.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{binary, read_summary};

/// One HTTP/1.1 request to `address` (`host:port`); the status and body.
/// The body is read by its length (a WebDriver server keeps the connection
/// open), else to the end.
fn http(address: &str, method: &str, path: &str, host: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("the server listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may refuse a large body before reading it all.
    let _ = stream.write_all(body);
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse::<usize>().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
    } else {
        let _ = reader.read_to_end(&mut body);
    }
    (status, body)
}

/// `explore` on a free port, stopped when dropped.
struct Explore {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
    /// Kept open, so that what it prints when it stops has a reader.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Explore {
    fn start(dir: &Path) -> Explore {
        let mut child = Command::new(env!("CARGO_BIN_EXE_empathy-gap"))
            .args(["explore", "--port", "0", "--threads", "2"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // "explore scenarios/two-managers.toml: open http://127.0.0.1:PORT/ in a browser ..."
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Explore {
            child,
            address,
            _stdout: stdout,
        }
    }

    fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        let (status, body) = http(&self.address, method, path, &self.address, body);
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    fn memory_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Explore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_server_answers_bad_requests_and_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let explore = Explore::start(dir.path());
    let (status, setup) = explore.request("GET", "/api/setup", b"");
    assert_eq!(status, 200);
    assert_eq!(setup["name"], "two-managers");
    for (method, path, body, expected_status, expected) in [
        (
            "POST",
            "/api/run",
            &b"{not json"[..],
            400,
            "the settings are not valid JSON",
        ),
        (
            "POST",
            "/api/run",
            br#"{"values": {"trust.initial": 7}}"#,
            400,
            "Initial trust: must be from 0 to 1 (got 7)",
        ),
        (
            "POST",
            "/api/run",
            br#"{"values": {"seed": 3}}"#,
            400,
            "`seed` is not a setting of this page",
        ),
        (
            "POST",
            "/api/run",
            br#"{"arms": ["nobody"]}"#,
            400,
            "no arm is named `nobody`",
        ),
        (
            "POST",
            "/api/run",
            br#"{"colour": "red"}"#,
            400,
            "unknown field `colour`",
        ),
        ("GET", "/api/update?run=x", b"", 400, "give run and after"),
        (
            "GET",
            "/api/chart/conflict.png?run=99",
            b"",
            404,
            "no chart yet",
        ),
        ("GET", "/nothing", b"", 404, "no such page"),
        ("GET", "/api/run", b"", 405, "method not allowed"),
    ] {
        let (status, answer) = explore.request(method, path, body);
        assert_eq!(status, expected_status, "{method} {path}: {answer}");
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{method} {path}: {message}");
    }
    // A value the validator refuses is named as it names it on the command
    // line (the responses start in week 5, after 4 weeks).
    let (status, answer) = explore.request("POST", "/api/run", br#"{"values": {"weeks": 4}}"#);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains(
            "arms.connection-first.start_week: must be a whole number from 1 to 4 (got 5)"
        ),
        "{answer}"
    );
    // A huge body is refused before a byte of it is read (the client only
    // declares it); a head that never ends and another site's page are
    // refused too.
    let raw = |request: &str| {
        let mut stream = TcpStream::connect(&explore.address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    };
    let huge = format!(
        "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Length: 99999999999999\r\n\r\n",
        explore.address
    );
    assert!(raw(&huge).starts_with("HTTP/1.1 413 "), "{}", raw(&huge));
    let endless = format!("GET / HTTP/1.1\r\nX-Long: {}", "x".repeat(20_000));
    assert!(raw(&endless).starts_with("HTTP/1.1 431 "));
    assert!(raw("NONSENSE\r\n\r\n").starts_with("HTTP/1.1 400 "));
    let (status, _) = http(
        &explore.address,
        "GET",
        "/api/setup",
        "evil.example:80",
        b"",
    );
    assert_eq!(status, 403);
    // Many requests at once: runs replace each other, every request is
    // answered, and memory stays bounded.
    let before = explore.memory_kib();
    std::thread::scope(|scope| {
        for index in 0..40 {
            let explore = &explore;
            scope.spawn(move || {
                let body = json!({ "values": { "trust.initial": f64::from(index % 20) * 0.05 } });
                let (status, answer) =
                    explore.request("POST", "/api/run", body.to_string().as_bytes());
                assert_eq!(status, 200, "{answer}");
                let (status, _) = explore.request("GET", "/api/setup", b"");
                assert_eq!(status, 200);
            });
        }
    });
    let (status, answer) = explore.request("POST", "/api/run", b"{}");
    assert_eq!(status, 200);
    let run = answer["run"].as_u64().unwrap();
    // The last run finishes, with every chart drawn.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut version = 0;
    let update = loop {
        assert!(Instant::now() < deadline, "the last run did not finish");
        let (status, answer) = explore.request(
            "GET",
            &format!("/api/update?run={run}&after={version}"),
            b"",
        );
        assert_eq!(status, 200);
        if let Some(found) = answer["version"].as_u64() {
            version = found;
            if answer["update"]["done"] == answer["update"]["total"] {
                break answer["update"].clone();
            }
        }
    };
    assert_eq!(update["total"], 1000);
    let charts = update["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 5);
    assert!(
        charts.iter().all(|chart| chart["svg"].is_string()),
        "{charts:?}"
    );
    let after = explore.memory_kib();
    assert!(
        after < before + 300 * 1024,
        "memory grew from {before} KiB to {after} KiB"
    );
    let (status, _) = explore.request("GET", &format!("/api/chart/conflict.png?run={run}"), b"");
    assert_eq!(status, 200);
    // Ctrl-C stops it cleanly and at once.
    let mut explore = explore;
    Command::new("kill")
        .args(["-INT", &explore.child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = explore.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "explore did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

// ------------------------------------------------------------- browser --

/// A WebDriver session with Chromium through chromedriver.
struct Browser {
    driver: Child,
    address: String,
    session: String,
}

const ARROW_RIGHT: &str = "\u{E014}";

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (.ci/run installs chromium-driver)");
        let address = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&address).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let mut browser = Browser {
            driver,
            address,
            session: String::new(),
        };
        let answer = browser.call("POST", "/session", &capabilities);
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        browser
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let path = if self.session.is_empty() {
            path.to_owned()
        } else {
            format!("/session/{}{path}", self.session)
        };
        let body = if method == "GET" {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let (status, answer) = http(&self.address, method, &path, &self.address, &body);
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    fn element(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        found
            .as_object()
            .and_then(|object| object.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    fn keys(&self, css: &str, keys: &str) {
        let element = self.element(css);
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            &json!({ "text": keys }),
        );
    }

    fn click(&self, css: &str) {
        let element = self.element(css);
        self.call("POST", &format!("/element/{element}/click"), &json!({}));
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    fn wait_for(&self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.script(&format!("return !!({condition});")) != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {condition}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&self, name: &str, (width, height): (u32, u32)) {
        self.call(
            "POST",
            "/window/rect",
            &json!({ "width": width, "height": height }),
        );
        std::thread::sleep(Duration::from_millis(300));
        let png = self.call("GET", "/screenshot", &Value::Null);
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explore-screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        let bytes = base64_decode(png.as_str().unwrap());
        std::fs::write(folder.join(format!("{name}-{width}x{height}.png")), bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = http(&self.address, "DELETE", &path, &self.address, b"");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for c in text.bytes().filter_map(value) {
        bits = (bits << 6) | c;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// The baseline's conflict hours from the page's finished run.
fn baseline_conflict(browser: &Browser) -> f64 {
    browser.wait_for("window.explore.latest && window.explore.latestRun === window.explore.run && window.explore.latest.done === window.explore.latest.total && !window.explore.busy");
    browser
        .script("return window.explore.latest.arms.find(a => a.baseline).conflict.mean;")
        .as_f64()
        .unwrap()
}

#[test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs it"]
fn browser() {
    let dir = tempfile::tempdir().unwrap();
    let explore = Explore::start(dir.path());
    let browser = Browser::start();
    browser.call(
        "POST",
        "/url",
        &json!({ "url": format!("http://{}/", explore.address) }),
    );
    // The first picture, then the whole run.
    browser.wait_for("document.querySelector('#chart-conflict svg')");
    let before = baseline_conflict(&browser);
    let chart_before =
        browser.script("return document.querySelector('#chart-conflict svg').outerHTML;");
    browser.screenshot("page", (1280, 800));
    browser.screenshot("page", (1024, 768));

    // Trust up from 0.35 to 0.9, by keyboard: conflict falls.
    browser.keys("input[data-path='trust.initial']", &ARROW_RIGHT.repeat(11));
    browser.wait_for("window.explore.values['trust.initial'] > 0.89 && window.explore.run > 1");
    let after = baseline_conflict(&browser);
    assert!(after < before, "conflict {before} -> {after} as trust rose");
    let chart_after =
        browser.script("return document.querySelector('#chart-conflict svg').outerHTML;");
    assert_ne!(chart_before, chart_after, "the chart moved");

    // Saved as a scenario, it runs to the page's numbers.
    browser.click("#export");
    browser.wait_for("window.explore.exported");
    let text = browser.script("return window.explore.exported;");
    std::fs::write(dir.path().join("explored.toml"), text.as_str().unwrap()).unwrap();
    binary(dir.path())
        .args([
            "run",
            "explored.toml",
            "--out",
            "out",
            "--no-charts",
            "--quiet",
        ])
        .assert()
        .success();
    let summary = read_summary(&dir.path().join("out/two-managers/summary.csv"));
    let ran = summary[&(
        "power-through".to_owned(),
        "conflict_hours_per_leader_after_start".to_owned(),
    )][0];
    assert!(
        (ran - after).abs() < 1e-6,
        "run gives {ran}, the page {after}"
    );

    // The story, slide by slide, by keyboard.
    browser.click("#story-button");
    browser.wait_for("document.querySelector('#story.open')");
    let mut titles = Vec::new();
    for slide in 0..6 {
        titles.push(browser.script("return document.querySelector('#story-title').textContent;"));
        if slide == 2 {
            browser.screenshot("story-reveal", (1024, 768));
        }
        browser.keys("#story-close", ARROW_RIGHT);
    }
    let titles: Vec<&str> = titles.iter().map(|title| title.as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "1. The standoff",
            "2. The three questions",
            "3. The reveal",
            "4. Three futures",
            "4. Three futures",
            "5. The takeaway"
        ]
    );
    let last = browser.script("return document.querySelector('#story-slide').textContent;");
    assert!(
        last.as_str().unwrap().contains("cannot create capacity"),
        "{last}"
    );
    browser.screenshot("story-takeaway", (1280, 800));

    // The workshop's handout prints on one A4 page.
    binary(dir.path())
        .args([
            "workshop",
            "--auto",
            "--replicates",
            "200",
            "--out",
            "workshop",
        ])
        .assert()
        .success();
    let handout = dir
        .path()
        .join("workshop/two-managers-workshop/handout.html");
    browser.call(
        "POST",
        "/url",
        &json!({ "url": format!("file://{}", handout.display()) }),
    );
    let pdf = browser.call(
        "POST",
        "/print",
        &json!({ "page": { "width": 21.0, "height": 29.7 }, "background": true }),
    );
    let pdf = base64_decode(pdf.as_str().unwrap());
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explore-screenshots");
    std::fs::write(folder.join("handout.pdf"), &pdf).unwrap();
    // Page objects, not the page tree ("/Type /Pages").
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(pages, 1, "the handout prints on {pages} pages");
}
