//! The console page in real headless Chromium against a small stand-in for
//! manage_serv's API (canned answers, the real embedded assets): what the
//! page itself promises — data shown as text only, the CSRF header on
//! every POST, no command or kick buttons for viewers, charts filled from
//! /series and then from the event stream, and the stream closed while
//! the tab is hidden. The same pages against the real manage_serv are in
//! console_browser.rs.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use schat_testkit::Browser;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(10);
/// Text no page may ever turn into markup.
const HOSTILE: &str = "<img src=x onerror=\"window.__pwned=1\">";

/// What the stand-in saw and how it answers.
#[derive(Debug, Default)]
struct Fake {
    role: String,
    /// (method, path, X-CSRF-Token header, body) of each POST/DELETE.
    posts: Vec<(String, String, Option<String>, Value)>,
    /// Event streams open now, and how many were ever opened.
    streams_open: usize,
    streams_opened: usize,
    series_fetches: usize,
    /// Whether the page has logged in (a viewer test starts logged out).
    logged_in: bool,
}

type Shared = Arc<Mutex<Fake>>;

fn row(name: &str, set: &str, state: &str, msgs: f64) -> Value {
    json!({
        "name": name, "type": name.split('-').next().unwrap_or(""), "id": 1, "set": set,
        "host": "127.0.0.1", "state": state, "pid": 42, "version": "0.1.0", "commit": "abc",
        "started_at_ms": 1_700_000_000_000u64, "last_seen_ms": 1_700_000_100_000u64,
        "uptime_secs": 3725, "cpu_percent": 1.5, "cpu_seconds": 3.0, "rss_bytes": 12_582_912,
        "open_files": 20, "max_files": 1024, "connections": 3, "messages_per_s": msgs,
        "deliveries_per_s": msgs * 2.0, "log_level": "info", "degraded": false,
        "draining": state == "up", "last_error": HOSTILE, "last_error_at_ms": 1_700_000_050_000u64
    })
}

fn procs(now_ms: u64, msgs: f64) -> Value {
    json!({ "now_ms": now_ms, "procs": [
        row("logic_serv-1", "user-1", "up", msgs),
        row("chat_serv-1", "group-1", "down", msgs),
    ]})
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

fn json_response(status: u16, value: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())).boxed())
        .expect("response")
}

/// Counts an open event stream until its body is dropped.
struct StreamGuard(Shared);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.lock().expect("fake").streams_open -= 1;
    }
}

async fn handle(fake: Shared, request: Request<hyper::body::Incoming>) -> Response<Body> {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let csrf = request
        .headers()
        .get("x-csrf-token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let body = request
        .into_body()
        .collect()
        .await
        .map(|body| body.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if method == "POST" || method == "DELETE" {
        fake.lock()
            .expect("fake")
            .posts
            .push((method.clone(), path.clone(), csrf, body.clone()));
    }
    let role = fake.lock().expect("fake").role.clone();
    let me = json!({ "name": "ops", "role": role, "csrf": "token-123" });
    match (method.as_str(), path.as_str()) {
        ("POST", "/api/v1/login") if body["password"] == "right" => {
            fake.lock().expect("fake").logged_in = true;
            json_response(200, me)
        }
        ("POST", "/api/v1/login") => json_response(401, json!({ "error": "bad credentials" })),
        _ if !fake.lock().expect("fake").logged_in => match manage_serv::assets::asset(&path) {
            Some(asset) if method == "GET" => Response::builder()
                .header("content-type", asset.content_type)
                .body(Full::new(Bytes::from_static(asset.body)).boxed())
                .expect("response"),
            _ => json_response(401, json!({ "error": "log in first" })),
        },
        ("GET", "/api/v1/me") => json_response(200, me),
        ("GET", "/api/v1/procs") => json_response(200, procs(now_ms(), 5.0)),
        ("GET", "/api/v1/procs/logic_serv-1") => json_response(
            200,
            json!({ "row": row("logic_serv-1", "user-1", "up", 5.0), "metrics": [
                { "name": "schat_sessions", "kind": "gauge", "help": HOSTILE, "labels": {}, "value": 3 }
            ]}),
        ),
        ("GET", "/api/v1/procs/logic_serv-1/series") => {
            fake.lock().expect("fake").series_fetches += 1;
            let now = now_ms() / 1000;
            let t: Vec<u64> = (0..5).map(|i| now - 50 + i * 10).collect();
            json_response(
                200,
                json!({ "t": t, "messages_per_s": [1, 2, 3, 4, 5], "deliveries_per_s": [2, 4, 6, 8, 10],
                        "connections": [3, 3, 3, 3, 3], "cpu_percent": [1.0, 1.5, 2.0, 1.0, 0.5],
                        "rss_bytes": [1e7, 1.1e7, 1.2e7, 1.2e7, 1.2e7] }),
            )
        }
        ("GET", "/api/v1/events") => {
            {
                let mut state = fake.lock().expect("fake");
                state.streams_open += 1;
                state.streams_opened += 1;
            }
            let guard = StreamGuard(fake.clone());
            let ticks = futures_util::stream::unfold((0u32, guard), |(n, guard)| async move {
                if n > 0 {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                if n >= 600 {
                    return None;
                }
                let data = procs(now_ms(), 6.0 + f64::from(n));
                let text = format!("event: procs\ndata: {data}\n\n");
                Some((
                    Ok::<_, Infallible>(Frame::data(Bytes::from(text))),
                    (n + 1, guard),
                ))
            });
            Response::builder()
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .body(StreamBody::new(ticks).boxed())
                .expect("response")
        }
        ("GET", "/api/v1/users") => json_response(
            200,
            json!({ "exists": true, "uid": 7, "account": query.trim_start_matches("account="),
            "nickname": HOSTILE, "online": true, "sessions": [
                { "logic": "logic_serv-1", "conn": "conn_serv-1", "session_id": 99,
                  "since_ms": 1_700_000_000_000u64, "device": "cli" }
            ]}),
        ),
        ("POST", "/api/v1/users/7/kick") => json_response(
            200,
            json!({ "results": [{ "proc": "logic_serv-1", "outcome": "done", "detail": "1 session closed",
                                  "changed": [], "needs_restart": [] }] }),
        ),
        ("GET", "/api/v1/alarms") => json_response(
            200,
            json!({ "active": [{ "id": 1, "kind": "proc_down", "proc": "chat_serv-1", "detail": HOSTILE,
                                 "raised_at_ms": 1_700_000_000_000u64, "cleared_at_ms": null }],
                    "recent": [] }),
        ),
        ("POST", "/api/v1/commands/preview") => {
            json_response(200, json!({ "matched": ["logic_serv-1", "logic_serv-2"] }))
        }
        ("POST", "/api/v1/commands") => json_response(
            200,
            json!({ "results": [
                { "proc": "logic_serv-1", "outcome": "done", "detail": "", "changed": [], "needs_restart": [] },
                { "proc": "logic_serv-2", "outcome": "timeout", "detail": HOSTILE, "changed": [], "needs_restart": [] }
            ]}),
        ),
        _ => match manage_serv::assets::asset(&path) {
            Some(asset) if method == "GET" => Response::builder()
                .header("content-type", asset.content_type)
                .header("cache-control", asset.cache_control)
                .body(Full::new(Bytes::from_static(asset.body)).boxed())
                .expect("response"),
            _ => json_response(404, json!({ "error": "not found" })),
        },
    }
}

/// Starts the stand-in on a free loopback port; returns its URL.
async fn start_fake(role: &str, logged_in: bool) -> (String, Shared) {
    let fake: Shared = Arc::new(Mutex::new(Fake {
        role: role.to_string(),
        logged_in,
        ..Fake::default()
    }));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let shared = fake.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let fake = shared.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let fake = fake.clone();
                    async move { Ok::<_, Infallible>(handle(fake, request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, fake)
}

async fn check(browser: &Browser, condition: &str) {
    if let Err(err) = browser.wait_for(condition, WAIT).await {
        panic!("{err:#}\npage console: {:#?}", browser.console_log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_show_data_as_text_and_post_with_the_csrf_token() {
    let (url, fake) = start_fake("admin", true).await;
    let browser = Browser::launch().await.expect("launch chromium");
    browser.goto(&url).await.expect("open the console");

    // Processes, grouped by set, hostile text shown as text.
    check(
        &browser,
        "document.querySelector('tr[data-proc=\"logic_serv-1\"][data-state=\"up\"]')",
    )
    .await;
    check(
        &browser,
        "document.querySelector('tr[data-proc=\"chat_serv-1\"][data-state=\"down\"]')",
    )
    .await;
    check(&browser, "document.querySelector('tr[data-set=\"user-1\"]') && document.querySelector('tr[data-set=\"group-1\"]')").await;
    check(
        &browser,
        "document.querySelector('tr[data-proc=\"logic_serv-1\"] [data-flag=\"draining\"]')",
    )
    .await;
    let text = browser
        .eval("document.querySelector('tr[data-proc=\"logic_serv-1\"]').textContent")
        .await
        .expect("row text");
    assert!(text.as_str().unwrap_or("").contains(HOSTILE), "{text}");
    browser.screenshot("fake-procs").await.expect("screenshot");

    // A process page: five charts from /series, then grown by the stream.
    browser
        .eval("location.hash = '#/proc/logic_serv-1'")
        .await
        .expect("go");
    check(
        &browser,
        "Object.keys(window.schatConsole.charts).length === 5",
    )
    .await;
    check(
        &browser,
        "Object.values(window.schatConsole.charts).every(u => u.data[0].length >= 6)",
    )
    .await;
    check(
        &browser,
        "document.querySelector('tr[data-metric=\"schat_sessions\"]')",
    )
    .await;

    // Hidden tab: the stream is closed; visible again: reopened and refilled.
    let fetches_before = fake.lock().expect("fake").series_fetches;
    browser
        .eval("Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); document.dispatchEvent(new Event('visibilitychange')); true")
        .await
        .expect("hide");
    check(&browser, "window.schatConsole.events === null && document.getElementById('live-status').dataset.live === 'off'").await;
    assert!(
        schat_testkit::eventually(WAIT, || async {
            fake.lock().expect("fake").streams_open == 0
        })
        .await,
        "the event stream is closed while the tab is hidden"
    );
    let opened = fake.lock().expect("fake").streams_opened;
    browser
        .eval("Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }); document.dispatchEvent(new Event('visibilitychange')); true")
        .await
        .expect("show");
    assert!(
        schat_testkit::eventually(WAIT, || async {
            let state = fake.lock().expect("fake");
            state.streams_open == 1
                && state.streams_opened == opened + 1
                && state.series_fetches > fetches_before
        })
        .await,
        "visible again: one stream reopened and the charts refilled from /series"
    );
    browser.screenshot("fake-proc").await.expect("screenshot");

    // Users: lookup, then kick with the on-page confirmation.
    browser.eval("location.hash = '#/users'").await.expect("go");
    browser.fill("#user-key", "alice").await.expect("fill");
    browser.click("#user-lookup").await.expect("look up");
    check(
        &browser,
        "document.querySelector('#user-card[data-online=\"yes\"] #kick-btn')",
    )
    .await;
    browser.click("#kick-btn").await.expect("kick");
    assert!(
        fake.lock()
            .expect("fake")
            .posts
            .iter()
            .all(|post| !post.1.contains("kick")),
        "no kick before the confirmation"
    );
    browser.click("#kick-confirm").await.expect("confirm");
    check(&browser, "document.querySelector('#kick-results tr[data-result=\"logic_serv-1\"][data-outcome=\"done\"]')").await;

    // Commands: preview lists the matches, run shows one row per process.
    browser
        .eval("location.hash = '#/commands'")
        .await
        .expect("go");
    browser
        .fill_all(&[
            ("#cmd-command", "log_level"),
            ("#cmd-level", "debug"),
            ("#cmd-match", "^logic_serv-.*"),
        ])
        .await
        .expect("the command form");
    check(&browser, "document.getElementById('cmd-run').disabled").await;
    browser.click("#cmd-preview").await.expect("preview");
    check(&browser, "document.querySelectorAll('#cmd-matched li[data-proc]').length === 2 && !document.getElementById('cmd-run').disabled").await;
    browser.click("#cmd-run").await.expect("run");
    check(
        &browser,
        "document.querySelectorAll('#cmd-results tr[data-result]').length === 2",
    )
    .await;
    check(&browser, "document.querySelector('#cmd-results tr[data-result=\"logic_serv-2\"][data-outcome=\"timeout\"]')").await;
    browser
        .screenshot("fake-commands")
        .await
        .expect("screenshot");

    // Alarms: the hostile detail is text.
    browser
        .eval("location.hash = '#/alarms'")
        .await
        .expect("go");
    check(
        &browser,
        "document.querySelector('#alarms-active tr[data-kind=\"proc_down\"]')",
    )
    .await;

    assert_eq!(
        browser
            .eval("window.__pwned === undefined")
            .await
            .expect("eval"),
        Value::Bool(true)
    );
    assert_eq!(
        browser
            .eval("document.querySelectorAll('img').length")
            .await
            .expect("eval"),
        json!(0),
        "no markup from the data"
    );
    let posts = fake.lock().expect("fake").posts.clone();
    let paths: Vec<&str> = posts.iter().map(|post| post.1.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/users/7/kick",
            "/api/v1/commands/preview",
            "/api/v1/commands"
        ]
    );
    for (method, path, csrf, _) in &posts {
        assert_eq!(
            csrf.as_deref(),
            Some("token-123"),
            "{method} {path} carries the CSRF token"
        );
    }
    assert_eq!(posts[0].3, json!({ "reason": "kicked by an operator" }));
    assert_eq!(
        posts[2].3,
        json!({ "command": "log_level", "match": "^logic_serv-.*", "level": "debug" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_see_no_command_or_kick_buttons() {
    let (url, fake) = start_fake("viewer", false).await;
    let browser = Browser::launch().await.expect("launch chromium");
    browser.goto(&url).await.expect("open the console");

    // Logged out: the form, which says so on a wrong password.
    check(&browser, "!document.getElementById('login-view').hidden && document.getElementById('app-view').hidden").await;
    browser
        .fill_all(&[("#login-name", "viewer"), ("#login-password", "wrong")])
        .await
        .expect("the login form");
    browser.click("#login-submit").await.expect("submit");
    check(
        &browser,
        "document.getElementById('login-error').textContent.includes('Wrong')",
    )
    .await;
    assert!(!fake.lock().expect("fake").logged_in);
    browser
        .fill("#login-password", "right")
        .await
        .expect("password");
    browser.click("#login-submit").await.expect("submit");
    check(&browser, "!document.getElementById('app-view').hidden && document.getElementById('login-password').value === ''").await;
    check(
        &browser,
        "document.querySelector('tr[data-proc=\"logic_serv-1\"]')",
    )
    .await;
    browser
        .eval("location.hash = '#/commands'")
        .await
        .expect("go");
    check(&browser, "!document.getElementById('view-commands').hidden").await;
    check(&browser, "document.getElementById('cmd-run').hidden && document.getElementById('cmd-run').offsetParent === null").await;
    browser.eval("location.hash = '#/users'").await.expect("go");
    browser.fill("#user-key", "alice").await.expect("fill");
    browser.click("#user-lookup").await.expect("look up");
    check(&browser, "document.querySelector('#user-card')").await;
    assert_eq!(
        browser
            .eval("document.querySelector('#kick-btn') === null")
            .await
            .expect("eval"),
        Value::Bool(true),
        "a viewer gets no kick button"
    );
}
