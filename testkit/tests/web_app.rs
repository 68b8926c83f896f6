//! The web app in real headless Chromium against a real cluster: two
//! browser users register, create, apply to and approve a group and chat
//! both ways; markup in a message, a group name and a display name stays
//! text; a picture sent from the browser is shown to the other browser
//! user and reaches a user of the client library and one of the `schat`
//! CLI byte for byte; a
//! conn_serv restarted under the page: the page reconnects by itself and
//! catches up; scroll-back through history. Screenshots are kept under
//! `target/web-screenshots/`.

use std::path::PathBuf;
use std::time::Duration;

use schat_client::{HttpClient, JoinPolicy, MessageKind, Push};
use schat_testkit::browser::Browser;
use schat_testkit::{eventually, file_token, group_with, push_where, ClusterSpec, TestCluster};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);
const SCREENSHOTS: &str = "web-screenshots";

const XSS_NAME: &str = "<img src=x onerror=\"window.__xss='name'\">Mallory";
const XSS_GROUP: &str = "<script>window.__xss='group'</script><b>Crew</b>";
const XSS_TEXT: &str =
    "<img src=x onerror=\"window.__xss='text'\"> & <b>bold</b> javascript:alert(1)";

/// One browser with the web app open.
struct Page {
    browser: Browser,
    name: &'static str,
}

impl Page {
    async fn open(cluster: &TestCluster, name: &'static str) -> Page {
        let browser = Browser::launch_for(SCREENSHOTS)
            .await
            .expect("launch chromium");
        Page::open_in(browser, cluster, name).await
    }

    /// The app in another tab of this page's browser (the same storage).
    async fn new_tab(&self, cluster: &TestCluster, name: &'static str) -> Page {
        let tab = self.browser.new_tab().await;
        let tab = self.check(tab, "open a tab");
        Page::open_in(tab, cluster, name).await
    }

    async fn open_in(browser: Browser, cluster: &TestCluster, name: &'static str) -> Page {
        let page = Page { browser, name };
        // Every Content-Security-Policy violation the page causes is kept
        // in window.__csp (scripts added this way run outside the policy).
        let watch = page
            .browser
            .command(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({ "source": "window.__csp = []; \
                    document.addEventListener('securitypolicyviolation', \
                    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" }),
            )
            .await;
        page.check(watch, "watch for policy violations");
        let url = format!("{}/", cluster.http_url("dir_serv-1"));
        page.check(page.browser.goto(&url).await, "open the app");
        page
    }

    /// Fails the test with what the page logged and a screenshot.
    fn check<T>(&self, result: anyhow::Result<T>, what: &str) -> T {
        match result {
            Ok(value) => value,
            Err(err) => {
                panic!(
                    "{}: {what}: {err:#}\npage console: {:#?}\n(a failed wait leaves \
                     target/{SCREENSHOTS}/failure-{}.png)",
                    self.name,
                    self.browser.console_log(),
                    self.name,
                )
            }
        }
    }

    async fn wait(&self, condition: &str) {
        let outcome = self.browser.wait_for(condition, WAIT).await;
        if outcome.is_err() {
            let _ = self
                .browser
                .screenshot(&format!("failure-{}", self.name))
                .await;
        }
        self.check(outcome, condition);
    }

    async fn eval(&self, expression: &str) -> Value {
        let outcome = self.browser.eval(expression).await;
        self.check(outcome, expression)
    }

    async fn click(&self, selector: &str) {
        let outcome = self.browser.click(selector).await;
        self.check(outcome, selector);
    }

    async fn fill(&self, selector: &str, value: &str) {
        let outcome = self.browser.fill(selector, value).await;
        self.check(outcome, selector);
    }

    async fn shot(&self, name: &str) -> PathBuf {
        let outcome = self.browser.screenshot(name).await;
        self.check(outcome, "screenshot")
    }

    /// The app itself ran within its Content-Security-Policy.
    async fn assert_no_policy_violations(&self) {
        assert_eq!(
            self.eval("window.__csp").await,
            serde_json::json!([]),
            "{}: the page broke its own policy",
            self.name
        );
    }

    async fn register(&self, account: &str, display_name: &str) {
        self.wait("!document.getElementById('auth-view').hidden")
            .await;
        self.click("#show-register").await;
        self.fill("#register-account", account).await;
        self.fill("#register-name", display_name).await;
        self.fill("#register-password", "password123").await;
        self.click("#register-submit").await;
        self.wait_online().await;
    }

    async fn wait_online(&self) {
        self.wait("document.body.dataset.connection === 'online' && !document.getElementById('main-view').hidden")
            .await;
    }

    /// The gid of the conversation open in the chat view.
    async fn current_gid(&self) -> u64 {
        self.wait("document.querySelector('#conversations li.current')")
            .await;
        let gid = self
            .eval("document.querySelector('#conversations li.current').dataset.gid")
            .await;
        gid.as_str().and_then(|g| g.parse().ok()).expect("a gid")
    }

    async fn open_conversation(&self, gid: u64) {
        self.wait(&format!(
            "document.querySelector('#conversations li[data-gid=\"{gid}\"]')"
        ))
        .await;
        self.click(&format!("#conversations li[data-gid=\"{gid}\"]"))
            .await;
        self.wait(&format!(
            "!document.getElementById('chat-view').hidden && \
             document.querySelector('#conversations li.current')?.dataset.gid === '{gid}'"
        ))
        .await;
    }

    /// Asks to join group `gid` from the Join pane (`note` for the owner).
    async fn join(&self, gid: u64, note: &str) {
        self.click("#open-join").await;
        self.fill("#join-gid", &gid.to_string()).await;
        if !note.is_empty() {
            self.fill("#join-note", note).await;
        }
        self.click("#join-submit").await;
    }

    /// Joins an open group and waits until its conversation is open.
    async fn join_and_open(&self, gid: u64) {
        self.join(gid, "").await;
        self.wait(&format!(
            "document.querySelector('#conversations li.current')?.dataset.gid === '{gid}'"
        ))
        .await;
    }

    async fn send(&self, text: &str) {
        self.fill("#message-text", text).await;
        self.click("#send").await;
    }

    /// The texts of the messages shown (not the system lines).
    async fn texts(&self) -> Vec<String> {
        let value = self
            .eval(
                "[...document.querySelectorAll('#message-list li.message:not(.system):not(.pending) .text')]\
                 .map(e => e.textContent)",
            )
            .await;
        serde_json::from_value(value).unwrap_or_default()
    }

    /// The seqs of every message shown, in page order.
    async fn seqs(&self) -> Vec<u64> {
        let value = self
            .eval("[...document.querySelectorAll('#message-list li[data-seq]')].map(e => Number(e.dataset.seq))")
            .await;
        serde_json::from_value(value).unwrap_or_default()
    }

    async fn wait_text(&self, text: &str) {
        let text = serde_json::to_string(text).unwrap();
        self.wait(&format!(
            "[...document.querySelectorAll('#message-list li.message .text')].some(e => e.textContent === {text})"
        ))
        .await;
    }
}

fn spec() -> ClusterSpec {
    ClusterSpec {
        sets: 2,
        chats: 1,
        file_servs: 1,
        dirs: 1,
        ..ClusterSpec::default()
    }
}

/// Waits until the directory hands out a conn_serv and every file server.
async fn ready(cluster: &TestCluster) {
    cluster.directory_with(&HttpClient::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browser_users_apply_approve_and_chat_and_markup_stays_text() {
    let cluster = TestCluster::start(spec()).await.expect("cluster");
    ready(&cluster).await;
    let alice = Page::open(&cluster, "alice").await;
    let bob = Page::open(&cluster, "bob").await;
    alice.register("alice", XSS_NAME).await;
    bob.register("bob", "Bob").await;
    assert_eq!(
        alice
            .eval("document.getElementById('me-name').textContent")
            .await,
        XSS_NAME
    );

    // Alice creates a group bob must apply to.
    alice.click("#open-new-group").await;
    alice.fill("#group-name", XSS_GROUP).await;
    alice.fill("#group-policy", "APPROVAL").await;
    alice.click("#create-group").await;
    let gid = alice.current_gid().await;
    assert_eq!(
        alice
            .eval("document.getElementById('chat-title').textContent")
            .await,
        XSS_GROUP
    );

    // Bob applies; alice approves from her notices.
    bob.join(gid, "let me in <b>please</b>").await;
    bob.wait("document.getElementById('banner').textContent.includes('Application sent')")
        .await;
    alice
        .wait("document.getElementById('notice-count').textContent === '1'")
        .await;
    alice.click("#open-notices").await;
    let expected = format!("Bob asks to join “{XSS_GROUP}” (#{gid}): let me in <b>please</b>");
    alice
        .wait(&format!(
            "document.querySelector('#notice-list .notice .what')?.textContent === {}",
            serde_json::to_string(&expected).unwrap()
        ))
        .await;
    alice.shot("alice-notices").await;
    alice.click("#notice-list .notice button.approve").await;
    alice
        .wait("document.querySelector('#notice-list .notice .hint')?.textContent === 'approved'")
        .await;
    bob.open_conversation(gid).await;
    assert_eq!(
        bob.eval(&format!(
            "document.querySelector('#conversations li[data-gid=\"{gid}\"] .name').textContent"
        ))
        .await,
        XSS_GROUP
    );

    // Both ways, markup included.
    alice.open_conversation(gid).await;
    alice.send("hello bob").await;
    bob.wait_text("hello bob").await;
    bob.send(XSS_TEXT).await;
    alice.wait_text(XSS_TEXT).await;
    bob.wait_text(XSS_TEXT).await;
    alice.send("hello again").await;
    bob.wait_text("hello again").await;
    for page in [&alice, &bob] {
        page.wait("!document.querySelector('#message-list li.pending')")
            .await;
    }
    assert_eq!(bob.texts().await, ["hello bob", XSS_TEXT, "hello again"]);
    assert_eq!(alice.texts().await, ["hello bob", XSS_TEXT, "hello again"]);
    // Alice's name, as bob's page shows her as the sender.
    let senders = bob
        .eval("[...document.querySelectorAll('#message-list li.message .sender')].map(e => e.textContent)")
        .await;
    assert!(
        senders
            .as_array()
            .is_some_and(|s| s.iter().any(|name| name == XSS_NAME)),
        "{senders}"
    );
    for page in [&alice, &bob] {
        assert_eq!(
            page.eval("window.__xss === undefined").await,
            true,
            "{}: markup ran",
            page.name
        );
        assert_eq!(
            page.eval("document.querySelectorAll('#message-list b, #conversations b, #message-list img, #chat-title script').length")
                .await,
            0,
            "{}: markup became elements",
            page.name
        );
    }

    // The browser enforces the page's policy: markup turned into script
    // by other means than the app's (a sink the app never uses) is
    // refused, and an inline script does not run.
    alice.assert_no_policy_violations().await;
    bob.assert_no_policy_violations().await;
    let outcome = alice
        .eval(
            "(() => { let sink; \
             try { document.createElement('div').innerHTML = '<b>x</b>'; sink = 'allowed'; } \
             catch (e) { sink = 'refused'; } \
             const s = document.createElement('script'); \
             s.append(document.createTextNode('window.__inline = 1')); \
             document.body.append(s); \
             return sink + ' ' + (window.__inline === 1 ? 'ran' : 'blocked'); })()",
        )
        .await;
    assert_eq!(outcome, "refused blocked");
    alice
        .wait("window.__csp.some(v => v.startsWith('require-trusted-types-for'))")
        .await;
    // Those were the test's own; the app's go on being watched.
    alice.eval("window.__csp = []").await;

    // Live unread counts: bob looks elsewhere while alice writes.
    bob.click("#open-notices").await;
    alice.send("are you there?").await;
    alice.send("bob?").await;
    bob.wait(&format!(
        "document.querySelector('#conversations li[data-gid=\"{gid}\"] .unread')?.textContent === '2'"
    ))
    .await;
    bob.shot("bob-unread").await;
    bob.open_conversation(gid).await;
    bob.wait_text("bob?").await;
    bob.wait(&format!(
        "!document.querySelector('#conversations li[data-gid=\"{gid}\"] .unread')"
    ))
    .await;
    alice.shot("alice-chat").await;
    bob.shot("bob-chat").await;

    // Alice recalls her last message: both pages stop showing it.
    alice
        .wait("!document.querySelector('#message-list li.pending')")
        .await;
    let recalled = alice
        .eval(
            "(() => { const mine = [...document.querySelectorAll('#message-list li.message.mine')]; \
             const last = mine[mine.length - 1]; \
             if (last.querySelector('.text').textContent !== 'bob?') return false; \
             last.querySelector('button.recall').click(); return true; })()",
        )
        .await;
    assert_eq!(recalled, true, "alice's last message is 'bob?'");
    for page in [&alice, &bob] {
        page.wait("[...document.querySelectorAll('#message-list li.message .text')].some(e => e.textContent.endsWith('recalled a message'))")
            .await;
        assert!(!page.texts().await.contains(&"bob?".to_string()));
    }

    direct_conversation(&alice, &bob).await;
    bob.shot("bob-direct").await;
    members(&alice, &bob, gid).await;
    alice.assert_no_policy_violations().await;
    bob.assert_no_policy_violations().await;
}

/// Alice starts a direct conversation with bob from his account name; it
/// appears on bob's page, unread, named after her, when she writes.
async fn direct_conversation(alice: &Page, bob: &Page) {
    alice.click("#open-direct").await;
    alice.fill("#direct-account", "Bob").await;
    alice.click("#direct-submit").await;
    alice
        .wait(
            "document.getElementById('chat-info').textContent === 'direct conversation with @bob'",
        )
        .await;
    let gid = alice.current_gid().await;
    alice.send("psst, bob").await;
    bob.wait(&format!(
        "document.querySelector('#conversations li[data-gid=\"{gid}\"] .unread')?.textContent === '1'"
    ))
    .await;
    assert_eq!(
        bob.eval(&format!(
            "document.querySelector('#conversations li[data-gid=\"{gid}\"] .name').textContent"
        ))
        .await,
        XSS_NAME
    );
    bob.open_conversation(gid).await;
    bob.wait_text("psst, bob").await;
    bob.send("hi alice").await;
    alice.wait_text("hi alice").await;
}

/// Runs the `schat` CLI with its session (and device) file in `home`,
/// asking the directory at `dir_url`; the password, where asked, is
/// `password123`. Whether it exited 0, and what it printed.
async fn schat_cli(dir_url: &str, home: &std::path::Path, line: &str) -> (bool, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(schat_testkit::binaries::server_bin("schat"))
        .arg("--dir")
        .arg(dir_url)
        .arg("--session-file")
        .arg(home.join("session.json"))
        .args(line.split_whitespace())
        .env_remove("SCHAT_SERVER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run schat (cargo build --workspace --bins first)");
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"password123\n");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("schat");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The owner sees the members and may remove bob; bob leaves by himself,
/// is invited back by account name, joins, and is removed.
async fn members(alice: &Page, bob: &Page, gid: u64) {
    let in_list =
        |gid: u64| format!("document.querySelector('#conversations li[data-gid=\"{gid}\"]')");
    alice.open_conversation(gid).await;
    alice.click("#show-members").await;
    alice
        .wait("document.querySelectorAll('#member-list li.member').length === 2")
        .await;
    let rows = alice
        .eval(
            "[...document.querySelectorAll('#member-list li.member')].map(li => \
             [li.querySelector('.name').textContent, li.querySelector('.role').textContent, \
              !!li.querySelector('button.kick')])",
        )
        .await;
    assert_eq!(
        rows,
        serde_json::json!([[XSS_NAME, "owner", false], ["Bob", "member", true]])
    );
    alice.shot("alice-members").await;

    // Bob leaves.
    bob.open_conversation(gid).await;
    bob.click("#show-members").await;
    bob.wait(
        "!document.getElementById('leave-group').hidden && document.getElementById('invite-form').hidden",
    )
    .await;
    bob.click("#leave-group").await;
    bob.wait(&format!("!{}", in_list(gid))).await;
    alice.click("#back-to-chat").await;
    alice.wait_text("Bob left").await;
    alice
        .wait("document.getElementById('chat-info').textContent.includes('1 member')")
        .await;

    // Invited back, he may join although the group wants approval.
    alice.click("#show-members").await;
    alice.fill("#invite-account", "bob").await;
    alice.click("#invite-submit").await;
    alice
        .wait("document.getElementById('banner').textContent.startsWith('Invited Bob')")
        .await;
    bob.join(gid, "").await;
    bob.wait(&in_list(gid)).await;

    // And removed.
    alice.click("#back-to-chat").await;
    alice.click("#show-members").await;
    alice
        .wait("document.querySelectorAll('#member-list li.member').length === 2")
        .await;
    alice.click("#member-list li.member button.kick").await;
    alice
        .wait("document.querySelectorAll('#member-list li.member').length === 1")
        .await;
    bob.wait(&format!("!{}", in_list(gid))).await;
}

/// A real PNG of `width` × `height` red pixels (stored, not compressed).
fn red_png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    // Each row: filter type 0 (none), then the row's pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain((0..width).flat_map(|_| [220, 30, 30]))
        .collect();
    let raw = row.repeat(height as usize);
    // zlib: one stored deflate block (raw is well under 64 KiB).
    assert!(raw.len() < 65_535);
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    zlib.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_from_the_browser_reaches_a_browser_a_library_user_and_a_cli_user() {
    let cluster = TestCluster::start(spec()).await.expect("cluster");
    ready(&cluster).await;
    let (carol, _, _) = cluster.user(2, "carol").await.expect("carol");
    let gid = group_with(&carol, JoinPolicy::Open, &[]).await;
    // Ivan uses the schat CLI, through the directory.
    let cli_dir = tempfile::tempdir().expect("temp dir");
    let dir_url = cluster.http_url("dir_serv-1");
    for line in [
        "register ivan --password-stdin".to_string(),
        "login ivan --password-stdin".to_string(),
        format!("join {gid}"),
    ] {
        let (ok, output) = schat_cli(&dir_url, cli_dir.path(), &line).await;
        assert!(ok, "schat {line}: {output}");
    }
    let dave = Page::open(&cluster, "dave").await;
    let erin = Page::open(&cluster, "erin").await;
    dave.register("dave", "Dave").await;
    erin.register("erin", "Erin").await;
    for page in [&dave, &erin] {
        page.join_and_open(gid).await;
    }

    let png = red_png(40, 30);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("red.png");
    std::fs::write(&path, &png).expect("write the picture");
    let chosen = dave
        .browser
        .choose_files("#file-input", std::slice::from_ref(&path))
        .await;
    dave.check(chosen, "choose the picture");

    // Erin's page shows it, loaded from the file server.
    for page in [&erin, &dave] {
        page.wait(
            "[...document.querySelectorAll('#message-list li[data-kind=\"IMAGE\"] img.media')]\
             .some(img => img.complete && img.naturalWidth === 40 && img.naturalHeight === 30)",
        )
        .await;
    }
    let src = erin
        .eval("document.querySelector('#message-list img.media').getAttribute('src')")
        .await;
    let files_url = cluster.http_url("file_serv-1");
    assert!(
        src.as_str()
            .is_some_and(|src| src.starts_with(&format!("{files_url}/f/1/g{gid}/"))),
        "{src}"
    );
    erin.shot("erin-picture").await;

    // Carol (the client library) gets the message and the same bytes.
    let picture = push_where(&carol, |push| match push {
        Push::Message(m) if m.kind == MessageKind::Image as i32 => Some(m),
        _ => None,
    })
    .await;
    let media_url = picture.media_url;
    let http = HttpClient::default();
    let files = cluster.files().await;
    let download = files
        .download(&file_token(&carol), &media_url, None)
        .await
        .expect("download");
    assert_eq!(download.content_type, "image/png");
    assert_eq!(&download.body[..], &png[..]);
    // Ivan's `schat history` lists it; `schat download` gets the bytes.
    let (ok, history) = schat_cli(&dir_url, cli_dir.path(), &format!("history {gid}")).await;
    assert!(ok, "{history}");
    assert!(
        history.contains(&format!("[image] {media_url}")),
        "{history}"
    );
    let copy = cli_dir.path().join("copy.png");
    let line = format!("download {media_url} -o {}", copy.display());
    let (ok, output) = schat_cli(&dir_url, cli_dir.path(), &line).await;
    assert!(ok, "schat {line}: {output}");
    assert_eq!(std::fs::read(&copy).expect("the download"), png);
    // Opened as a page, a file is never sniffed into HTML and runs nothing.
    let raw = http
        .send(
            http::Method::GET,
            &files.absolute(&media_url).expect("file url"),
            &[("authorization", format!("Bearer {}", file_token(&carol)))],
            bytes::Bytes::new(),
        )
        .await
        .expect("download");
    assert_eq!(raw.headers["x-content-type-options"], "nosniff");
    assert_eq!(raw.headers["content-security-policy"], "sandbox");

    // A file (a PDF) from dave: erin's page offers it by name and saves
    // the same bytes, fetched with the token in a header.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let pdf_path = dir.path().join("notes.pdf");
    std::fs::write(&pdf_path, &pdf).expect("write the pdf");
    let chosen = dave.browser.choose_files("#file-input", &[pdf_path]).await;
    dave.check(chosen, "choose the pdf");
    erin.wait(
        "[...document.querySelectorAll('#message-list li[data-kind=\"FILE\"] button.file')]\
         .some(b => b.textContent === '⬇ notes.pdf')",
    )
    .await;
    let downloads = tempfile::tempdir().expect("temp dir");
    let allowed = erin.browser.allow_downloads(downloads.path()).await;
    erin.check(allowed, "allow downloads");
    erin.click("#message-list li[data-kind=\"FILE\"] button.file")
        .await;
    let saved = downloads.path().join("notes.pdf");
    let arrived = eventually(Duration::from_secs(10), || async {
        std::fs::read(&saved).is_ok_and(|bytes| bytes == pdf)
    })
    .await;
    assert!(arrived, "the file was not saved with its bytes");

    // Carol makes erin an admin: erin may now recall dave's picture.
    let picture_seq: u64 = erin
        .eval("Number(document.querySelector('#message-list li[data-kind=\"IMAGE\"]').dataset.seq)")
        .await
        .as_u64()
        .expect("a seq");
    assert_eq!(
        erin.eval(
            "!!document.querySelector('#message-list li[data-kind=\"IMAGE\"] button.recall')"
        )
        .await,
        false,
        "a member may not recall others' messages"
    );
    let erin_uid = carol
        .users(Vec::new(), vec!["erin".to_string()])
        .await
        .expect("users")
        .first()
        .map(|user| user.uid)
        .expect("erin");
    carol
        .set_role(gid, erin_uid, schat_client::Role::Admin)
        .await
        .expect("make erin an admin");
    erin.wait("document.querySelector('#message-list li[data-kind=\"IMAGE\"] button.recall')")
        .await;
    erin.click("#message-list li[data-kind=\"IMAGE\"] button.recall")
        .await;
    for page in [&dave, &erin] {
        page.wait(&format!(
            "document.querySelector('#message-list li[data-seq=\"{picture_seq}\"]').classList.contains('recalled')"
        ))
        .await;
    }
    dave.assert_no_policy_violations().await;
    erin.assert_no_policy_violations().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_reconnects_after_its_conn_serv_restarts_and_catches_up() {
    // The directory sends browsers to set 1 only (set 2's weight is 0);
    // the client-library user stays on set 2 throughout.
    let mut cluster = TestCluster::start(ClusterSpec {
        conn_weights: vec![100, 0],
        ..spec()
    })
    .await
    .expect("cluster");
    ready(&cluster).await;
    let (frank, _, _) = cluster.user(2, "frank").await.expect("frank");
    let gid = group_with(&frank, JoinPolicy::Open, &[]).await;
    // History to scroll back through: 70 messages before the page opens.
    for n in 1..=70 {
        frank
            .send_text(gid, &format!("old-{n}"), &format!("old message {n}"))
            .await
            .expect("send");
    }
    let grace = Page::open(&cluster, "grace").await;
    grace.register("grace", "Grace").await;
    grace.join_and_open(gid).await;
    grace.wait_text("old message 70").await;
    // The newest page only, then older pages on request.
    let shown = grace.texts().await;
    assert!(shown.len() < 70, "{} shown at first", shown.len());
    while grace
        .eval("!document.getElementById('load-older').hidden")
        .await
        == true
    {
        grace.click("#load-older").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    grace
        .wait("!document.getElementById('history-start').hidden")
        .await;
    let seqs = grace.seqs().await;
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "every seq once, in order, from 1");
    assert_eq!(grace.texts().await.len(), 70);

    // conn_serv-1 goes away under the page; frank writes meanwhile.
    cluster.stop("conn_serv-1").await.expect("stop conn_serv-1");
    grace
        .wait("document.body.dataset.connection === 'reconnecting'")
        .await;
    for n in 1..=3 {
        frank
            .send_text(
                gid,
                &format!("new-{n}"),
                &format!("while you were away {n}"),
            )
            .await
            .expect("send");
    }
    grace.shot("grace-reconnecting").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster
        .restart("conn_serv-1")
        .await
        .expect("restart conn_serv-1");
    grace.wait_online().await;
    grace.wait_text("while you were away 3").await;
    let texts = grace.texts().await;
    let tail: Vec<&str> = texts[texts.len() - 3..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "while you were away 1",
            "while you were away 2",
            "while you were away 3"
        ]
    );
    let seqs = grace.seqs().await;
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(
        seqs, expected,
        "nothing missing or twice after the catch-up"
    );
    grace.shot("grace-caught-up").await;
    grace.assert_no_policy_violations().await;

    // And the page writes again on its new connection.
    grace.send("back online").await;
    let got = push_where(&frank, |push| match push {
        Push::Message(m) if m.text == "back online" => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(got.gid, gid, "frank did not get the page's message");

    // A reload logs in again with the kept token, without the password.
    let url = format!("{}/", cluster.http_url("dir_serv-1"));
    let reloaded = grace.browser.goto(&url).await;
    grace.check(reloaded, "reload");
    grace.wait_online().await;
    assert_eq!(
        grace
            .eval("document.getElementById('me-name').textContent")
            .await,
        "Grace"
    );
    grace
        .wait(&format!(
            "document.querySelector('#conversations li[data-gid=\"{gid}\"]')"
        ))
        .await;
}

/// The file servers let the cluster's own pages (the dir_serv's origin,
/// and limits.web_origins) upload and read answers, and no other page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_servers_answer_cross_origin_requests_of_the_clusters_pages_only() {
    let mut spec = spec();
    spec.limits.web_origins = vec!["https://chat.example.org".to_string()];
    let cluster = TestCluster::start(spec).await.expect("cluster");
    ready(&cluster).await;
    let http = HttpClient::default();
    let upload = format!("{}/v1/upload/chat/1", cluster.http_url("file_serv-1"));
    let app_origin = cluster.http_url("dir_serv-1");
    for origin in [app_origin.as_str(), "https://chat.example.org"] {
        let preflight = http
            .send(
                http::Method::OPTIONS,
                &upload,
                &[
                    ("origin", origin.to_string()),
                    ("access-control-request-method", "POST".to_string()),
                    (
                        "access-control-request-headers",
                        "authorization".to_string(),
                    ),
                ],
                bytes::Bytes::new(),
            )
            .await
            .expect("preflight");
        assert_eq!(preflight.status, 204, "{origin}");
        let header = |name: &str| {
            preflight
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("access-control-allow-origin"), origin);
        assert!(header("access-control-allow-methods").contains("POST"));
        assert!(header("access-control-allow-headers").contains("authorization"));
        // The answer to the request itself (here a refusal: no token) is
        // readable by the page.
        let refused = http
            .send(
                http::Method::POST,
                &upload,
                &[("origin", origin.to_string())],
                bytes::Bytes::new(),
            )
            .await
            .expect("post");
        assert_eq!(refused.status, 401);
        assert_eq!(refused.headers["access-control-allow-origin"], origin);
    }
    let foreign = http
        .send(
            http::Method::OPTIONS,
            &upload,
            &[("origin", "http://evil.example".to_string())],
            bytes::Bytes::new(),
        )
        .await
        .expect("preflight");
    assert_eq!(foreign.status, 403);
    assert!(foreign.headers.get("access-control-allow-origin").is_none());
    let foreign_post = http
        .send(
            http::Method::POST,
            &upload,
            &[("origin", "http://evil.example".to_string())],
            bytes::Bytes::new(),
        )
        .await
        .expect("post");
    assert!(foreign_post
        .headers
        .get("access-control-allow-origin")
        .is_none());

    // The page itself is served with its policy and nothing else.
    let page = http
        .send(
            http::Method::GET,
            &format!("{app_origin}/"),
            &[],
            bytes::Bytes::new(),
        )
        .await
        .expect("page");
    assert_eq!(page.status, 200);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        policy.contains(&format!("img-src {};", cluster.http_url("file_serv-1"))),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("ws://{}", cluster.ws_addr(1))),
        "{policy}"
    );
    // A browser's current copy is not sent again.
    let etag = page.headers["etag"].clone();
    let again = http
        .send(
            http::Method::GET,
            &format!("{app_origin}/app/client_proto.js"),
            &[],
            bytes::Bytes::new(),
        )
        .await
        .expect("script");
    assert_eq!(again.status, 200);
    assert!(again.body.len() > 100_000);
    let script_etag = again.headers["etag"].to_str().unwrap().to_string();
    assert_ne!(script_etag, etag.to_str().unwrap());
    let cached = http
        .send(
            http::Method::GET,
            &format!("{app_origin}/app/client_proto.js"),
            &[("if-none-match", script_etag)],
            bytes::Bytes::new(),
        )
        .await
        .expect("script");
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    // Browsers get the scripts gzipped (the generated code shrinks about
    // twentyfold).
    let packed = http
        .send(
            http::Method::GET,
            &format!("{app_origin}/app/client_proto.js"),
            &[("accept-encoding", "gzip, deflate, br".to_string())],
            bytes::Bytes::new(),
        )
        .await
        .expect("script");
    assert_eq!(packed.headers["content-encoding"], "gzip");
    assert!(
        packed.body.len() * 10 < again.body.len(),
        "{} of {} bytes",
        packed.body.len(),
        again.body.len()
    );
    let missing = http
        .send(
            http::Method::GET,
            &format!("{app_origin}/app/nothing.js"),
            &[],
            bytes::Bytes::new(),
        )
        .await
        .expect("missing file");
    assert_eq!(missing.status, 404);
}

/// Two tabs of one browser are one device: the tab opened later takes the
/// session over with the kept token, the earlier one offers to take it
/// back, and neither logs the other out or forgets the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_of_one_browser_hand_the_session_over_without_logging_out() {
    let cluster = TestCluster::start(spec()).await.expect("cluster");
    ready(&cluster).await;
    let first = Page::open(&cluster, "tab-1").await;
    first.register("henry", "Henry").await;
    let second = first.new_tab(&cluster, "tab-2").await;
    second.wait_online().await;
    first
        .wait("!document.getElementById('use-here').hidden")
        .await;
    first.shot("tab-replaced").await;
    for page in [&first, &second] {
        assert_eq!(
            page.eval("!!localStorage.getItem('schat.token')").await,
            true,
            "{}: the token was forgotten",
            page.name
        );
    }
    // Back to the first tab; the second now offers the same.
    first.click("#use-here-button").await;
    first.wait_online().await;
    second
        .wait("!document.getElementById('use-here').hidden")
        .await;
    // Still the same user, without a password, in the tab in use.
    assert_eq!(
        first
            .eval("document.getElementById('me-name').textContent")
            .await,
        "Henry"
    );
    first.assert_no_policy_violations().await;
    second.assert_no_policy_violations().await;
}

/// Messages typed faster than the send rate are sent again until stored:
/// each once, in the order typed, none left "not sent".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_over_the_send_rate_are_stored_once_each_in_the_order_typed() {
    let mut spec = spec();
    spec.chat.send_rate_per_sec = 2;
    spec.chat.send_burst = 2;
    let cluster = TestCluster::start(spec).await.expect("cluster");
    ready(&cluster).await;
    let (kate, _, _) = cluster.user(2, "kate").await.expect("kate");
    let gid = group_with(&kate, JoinPolicy::Open, &[]).await;
    let leo = Page::open(&cluster, "leo").await;
    leo.register("leo", "Leo").await;
    leo.join_and_open(gid).await;
    let typed: Vec<String> = (1..=6).map(|n| format!("quick {n}")).collect();
    for text in &typed {
        leo.send(text).await;
    }
    leo.wait_text("quick 6").await;
    leo.wait("!document.querySelector('#message-list li.pending')")
        .await;
    assert_eq!(leo.texts().await, typed);
    let log = leo.browser.console_log();
    assert!(
        log.iter()
            .any(|line| line.contains("again in") && line.contains("RATE_LIMITED")),
        "no send was refused for the rate: {log:#?}"
    );
    let stored: Vec<String> = kate
        .pull(gid, 1, 0)
        .await
        .expect("pull")
        .messages
        .into_iter()
        .filter(|m| m.kind == MessageKind::Text as i32)
        .map(|m| m.text)
        .collect();
    assert_eq!(stored, typed, "stored once each, in order");
    leo.assert_no_policy_violations().await;
}
