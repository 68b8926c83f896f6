//! A real headless Chromium driven over the Chrome DevTools Protocol, for
//! tests of the web console: open a page, run script in it, wait for a
//! condition, take screenshots (kept under `target/<folder>/`: the
//! console's in `console-screenshots`, the web app's in `web-screenshots`).
//!
//! Each [`Browser`] is its own `chromium` process with a fresh profile in
//! a temp dir, killed (by its PID) when dropped. Needs Debian's `chromium`
//! package; scripts/test.sh installs it when missing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// How long one DevTools command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long Chromium may take to print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// One page (tab) of a headless Chromium. [`Browser::new_tab`] opens
/// another page of the same browser (same profile: cookies and local
/// storage shared); the browser ends with its last page.
#[derive(Debug)]
pub struct Browser {
    process: Arc<Process>,
    session_id: String,
    screenshots: PathBuf,
}

/// The Chromium process and its DevTools connection, shared by its pages.
#[derive(Debug)]
struct Process {
    child: Child,
    _profile: tempfile::TempDir,
    outgoing: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    /// What the pages wrote to their consoles and the exceptions they
    /// threw, for a failing test to print.
    console: Arc<Mutex<Vec<String>>>,
    tasks: Vec<JoinHandle<()>>,
}

/// The Chromium binary: `/usr/bin/chromium`, else `chromium` on PATH.
pub fn chromium_path() -> anyhow::Result<PathBuf> {
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return Ok(debian);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("chromium");
        if candidate.exists() {
            return Ok(candidate);
        }
    }
    bail!(
        "chromium is not installed: the console's browser tests need it \
         (`apt-get install -y chromium`; scripts/test.sh installs it when missing)"
    )
}

/// The folder the console's screenshots are kept in:
/// `target/console-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    screenshot_folder(CONSOLE_SCREENSHOTS)
}

/// Where [`Browser::launch`] keeps its screenshots.
const CONSOLE_SCREENSHOTS: &str = "console-screenshots";

/// `target/<folder>/`.
pub fn screenshot_folder(folder: &str) -> PathBuf {
    let target = crate::binaries::bin_dir()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(crate::binaries::bin_dir);
    target.join(folder)
}

impl Browser {
    /// Starts Chromium headless with a fresh profile and opens a blank
    /// page; screenshots go to `target/console-screenshots/`.
    pub async fn launch() -> anyhow::Result<Browser> {
        Browser::launch_for(CONSOLE_SCREENSHOTS).await
    }

    /// As [`launch`](Self::launch), keeping screenshots in
    /// `target/<screenshots>/`.
    pub async fn launch_for(screenshots: &str) -> anyhow::Result<Browser> {
        let chromium = chromium_path()?;
        let profile = tempfile::tempdir()?;
        let mut child = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--window-size=1400,1000",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("start {}", chromium.display()))?;
        let stderr = child.stderr.take().context("chromium's stderr")?;
        let (url_tx, url_rx) = std::sync::mpsc::channel::<String>();
        // Reads stderr for the DevTools address, then keeps draining it so
        // the browser never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("ws://") {
                    let _ = url_tx.send(line[at..].trim().to_string());
                }
            }
        });
        let ws_url = match url_rx.recv_timeout(LAUNCH_TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("chromium printed no DevTools address within {LAUNCH_TIMEOUT:?}");
            }
        };
        let (socket, _) = match tokio_tungstenite::connect_async(ws_url.as_str()).await {
            Ok(connected) => connected,
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(err).context("connect to chromium's DevTools");
            }
        };
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut outgoing_rx) = mpsc::unbounded_channel::<Message>();
        let pending: Pending = Arc::default();
        let console: Arc<Mutex<Vec<String>>> = Arc::default();
        let writer = tokio::spawn(async move {
            while let Some(message) = outgoing_rx.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let reader = {
            let pending = pending.clone();
            let console = console.clone();
            let outgoing = outgoing.clone();
            tokio::spawn(async move {
                while let Some(Ok(message)) = stream.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                        continue;
                    };
                    on_message(value, &pending, &console, &outgoing);
                }
                // The browser went away: fail every waiting command.
                pending.lock().expect("pending").clear();
            })
        };
        let browser = Browser {
            process: Arc::new(Process {
                child,
                _profile: profile,
                outgoing,
                pending,
                next_id: AtomicU64::new(1),
                console,
                tasks: vec![writer, reader],
            }),
            session_id: String::new(),
            screenshots: screenshot_folder(screenshots),
        };
        browser.new_tab().await
    }

    /// Opens another page (blank) in this page's browser.
    pub async fn new_tab(&self) -> anyhow::Result<Browser> {
        let mut browser = Browser {
            process: self.process.clone(),
            // Target commands go to the browser, not to a page.
            session_id: String::new(),
            screenshots: self.screenshots.clone(),
        };
        let target = browser
            .command("Target.createTarget", json!({ "url": "about:blank" }))
            .await?;
        let target_id = target["targetId"]
            .as_str()
            .context("createTarget gave no targetId")?
            .to_string();
        let attached = browser
            .command(
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
            )
            .await?;
        browser.session_id = attached["sessionId"]
            .as_str()
            .context("attachToTarget gave no sessionId")?
            .to_string();
        browser.command("Page.enable", json!({})).await?;
        browser.command("Runtime.enable", json!({})).await?;
        browser
            .command(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
            )
            .await?;
        Ok(browser)
    }

    /// Sends one DevTools command (to the page once attached) and returns
    /// its result, or the protocol's error.
    pub async fn command(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.command_to(Some(&self.session_id), method, params)
            .await
    }

    /// Lets the page save downloads into `dir` (files keep their names).
    pub async fn allow_downloads(&self, dir: &std::path::Path) -> anyhow::Result<()> {
        // A browser-wide setting: sent to the browser, not to a page.
        self.command_to(
            None,
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": dir.display().to_string() }),
        )
        .await?;
        Ok(())
    }

    async fn command_to(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        let process = &self.process;
        let id = process.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session.filter(|session| !session.is_empty()) {
            message["sessionId"] = session.into();
        }
        let (tx, rx) = oneshot::channel();
        process.pending.lock().expect("pending").insert(id, tx);
        process
            .outgoing
            .send(Message::Text(message.to_string().into()))
            .map_err(|_| anyhow!("the DevTools connection is closed"))?;
        let reply = match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => bail!("{method}: the browser went away"),
            Err(_) => {
                process.pending.lock().expect("pending").remove(&id);
                bail!("{method}: no answer within {COMMAND_TIMEOUT:?}");
            }
        };
        if let Some(error) = reply.get("error") {
            bail!("{method}: {error}");
        }
        Ok(reply.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Opens `url` in the page and waits until it has loaded.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        let navigated = self.command("Page.navigate", json!({ "url": url })).await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            bail!("open {url}: {error}");
        }
        self.wait_for(
            "document.readyState === 'complete'",
            Duration::from_secs(15),
        )
        .await
    }

    /// Runs `expression` in the page (awaiting it if it is a promise) and
    /// returns its value as JSON; a thrown exception is an error.
    pub async fn eval(&self, expression: &str) -> anyhow::Result<Value> {
        let result = self
            .command(
                "Runtime.evaluate",
                json!({
                    "expression": expression,
                    "awaitPromise": true,
                    "returnByValue": true,
                    "userGesture": true,
                }),
            )
            .await?;
        if let Some(details) = result.get("exceptionDetails") {
            let text = details["exception"]["description"]
                .as_str()
                .or_else(|| details["text"].as_str())
                .unwrap_or("exception");
            bail!("{expression}: {text}");
        }
        Ok(result["result"]
            .get("value")
            .cloned()
            .unwrap_or(Value::Null))
    }

    /// Polls `condition` (a script expression) every 100 ms until it is
    /// truthy, failing with the last value or error after `within`.
    pub async fn wait_for(&self, condition: &str, within: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        let expression = format!("!!({condition})");
        loop {
            let outcome = self.eval(&expression).await;
            if let Ok(Value::Bool(true)) = outcome {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                let last = match outcome {
                    Ok(value) => format!("it was {value}"),
                    Err(err) => format!("it failed: {err:#}"),
                };
                bail!("waited {within:?} for `{condition}`; {last}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element `selector` (through its `click()`), failing if it
    /// is missing.
    pub async fn click(&self, selector: &str) -> anyhow::Result<()> {
        let selector_json = serde_json::to_string(selector)?;
        let found = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({selector_json}); \
                 if (!e) return false; e.click(); return true; }})()"
            ))
            .await?;
        if found != Value::Bool(true) {
            bail!("no element {selector} to click");
        }
        Ok(())
    }

    /// Fills several fields in order (a form).
    pub async fn fill_all(&self, fields: &[(&str, &str)]) -> anyhow::Result<()> {
        for (selector, value) in fields {
            self.fill(selector, value).await?;
        }
        Ok(())
    }

    /// Sets the value of the input or select `selector`, as typing would
    /// (an `input` and a `change` event follow).
    pub async fn fill(&self, selector: &str, value: &str) -> anyhow::Result<()> {
        let selector_json = serde_json::to_string(selector)?;
        let value_json = serde_json::to_string(value)?;
        let found = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({selector_json}); \
                 if (!e) return false; e.value = {value_json}; \
                 e.dispatchEvent(new Event('input', {{ bubbles: true }})); \
                 e.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
            ))
            .await?;
        if found != Value::Bool(true) {
            bail!("no element {selector} to fill");
        }
        Ok(())
    }

    /// Chooses `files` in the file input `selector`, as a user picking
    /// them would (the page gets its `change` event).
    pub async fn choose_files(&self, selector: &str, files: &[PathBuf]) -> anyhow::Result<()> {
        let selector_json = serde_json::to_string(selector)?;
        let found = self
            .command(
                "Runtime.evaluate",
                json!({ "expression": format!("document.querySelector({selector_json})") }),
            )
            .await?;
        let object_id = found["result"]["objectId"]
            .as_str()
            .with_context(|| format!("no element {selector}"))?
            .to_string();
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.command(
            "DOM.setFileInputFiles",
            json!({ "files": files, "objectId": object_id }),
        )
        .await?;
        Ok(())
    }

    /// Saves a PNG of the page as `<name>.png` in its screenshot folder
    /// and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let shot = self
            .command(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await?;
        let data = shot["data"].as_str().context("screenshot without data")?;
        let png = base64::engine::general_purpose::STANDARD.decode(data)?;
        std::fs::create_dir_all(&self.screenshots)?;
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// What the page logged to its console and the exceptions it threw.
    pub fn console_log(&self) -> Vec<String> {
        self.process.console.lock().expect("console").clone()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        // `Child::kill` signals this browser's own PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Handles one message from the browser: an answer wakes its caller; a
/// dialog is accepted (the page asked `confirm`); console output is kept.
fn on_message(
    value: Value,
    pending: &Pending,
    console: &Mutex<Vec<String>>,
    outgoing: &mpsc::UnboundedSender<Message>,
) {
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        if let Some(waiter) = pending.lock().expect("pending").remove(&id) {
            let _ = waiter.send(value);
        }
        return;
    }
    let params = &value["params"];
    match value["method"].as_str() {
        Some("Runtime.consoleAPICalled") => {
            let words: Vec<String> = params["args"]
                .as_array()
                .map(|args| {
                    args.iter()
                        .map(|arg| match arg.get("value") {
                            Some(Value::String(text)) => text.clone(),
                            Some(other) => other.to_string(),
                            None => arg["description"].as_str().unwrap_or("?").to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let line = format!("console.{}: {}", params["type"], words.join(" "));
            console.lock().expect("console").push(line);
        }
        Some("Runtime.exceptionThrown") => {
            let details = &params["exceptionDetails"];
            let text = details["exception"]["description"]
                .as_str()
                .or_else(|| details["text"].as_str())
                .unwrap_or("exception");
            console
                .lock()
                .expect("console")
                .push(format!("exception: {text}"));
        }
        Some("Page.javascriptDialogOpening") => {
            let mut answer = json!({
                "id": 0,
                "method": "Page.handleJavaScriptDialog",
                "params": { "accept": true },
            });
            if let Some(session) = value.get("sessionId") {
                answer["sessionId"] = session.clone();
            }
            console
                .lock()
                .expect("console")
                .push(format!("dialog accepted: {}", params["message"]));
            let _ = outgoing.send(Message::Text(answer.to_string().into()));
        }
        _ => {}
    }
}
