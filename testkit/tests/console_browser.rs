//! The web console in real headless Chromium against the real binaries: an
//! operator made with manage_serv's CLI logs in through the form, sees
//! every process, sees a SIGKILLed one go down and come back, sets the
//! logic_servs' log level from the commands page, watches live charts,
//! looks up a group and a connected user and kicks that user. Screenshots
//! of each page are kept under `target/console-screenshots/`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use schat_client::{Client, Push};
use schat_proto::client::CreateGroupRequest;
use schat_testkit::binaries::server_bin;
use schat_testkit::{BinCluster, Browser};
use serde_json::json;

const OPERATOR: &str = "ops";
const PASSWORD: &str = "console-test-password";

/// Waits for `condition` in the page; if it never holds, fails with what
/// helps: a screenshot, the page's console and every process's log.
async fn must(cluster: &BinCluster, browser: &Browser, condition: &str, within: Duration) {
    if let Err(err) = browser.wait_for(condition, within).await {
        let _ = browser.screenshot("failure").await;
        cluster.dump_logs();
        panic!(
            "{err:#}\npage console: {:#?}\n(screenshot: target/console-screenshots/failure.png)",
            browser.console_log()
        );
    }
}

fn proc_names(cluster: &BinCluster) -> Vec<String> {
    cluster.config["procs"]
        .as_array()
        .expect("procs")
        .iter()
        .filter_map(|proc| proc["name"].as_str().map(str::to_string))
        .collect()
}

fn js(text: &str) -> String {
    serde_json::to_string(text).expect("json string")
}

/// `manage_serv operator add` through the CLI, the password on stdin.
fn add_operator(cluster: &BinCluster, name: &str, role: &str, password: &str) {
    let mut child = Command::new(server_bin("manage_serv"))
        .arg("--config")
        .arg(&cluster.config_path)
        .args(["--name", "manage_serv-1", "operator", "add", name])
        .args(["--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run manage_serv operator add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write the password");
    let output = child.wait_with_output().expect("operator add finishes");
    assert!(
        output.status.success(),
        "operator add failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A user logged in on conn_serv-1 with the client library, retried while
/// the cluster comes up.
async fn logged_in_user(cluster: &BinCluster, account: &str) -> (Client, u64) {
    let addr = cluster.conn_addr(1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(client) = Client::connect(&addr).await {
            let _ = client.register(account, "password123", "").await;
            if let Ok(login) = client.login_password(account, "password123").await {
                return (client, login.uid);
            }
        }
        if tokio::time::Instant::now() >= deadline {
            cluster.dump_logs();
            panic!("{account} could not log in on {addr}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_watch_and_steer_the_cluster_from_the_console() {
    let mut cluster = BinCluster::start(|config| {
        config["manage"] = json!({
            "poll_interval_ms": 300, "stale_after_ms": 1500, "down_after_ms": 3000,
            "command_timeout_ms": 5000
        });
    })
    .expect("start the cluster");
    let _ = std::fs::remove_file(schat_testkit::browser::screenshot_dir().join("failure.png"));
    let url = format!("http://{}", cluster.addr("manage_serv-1"));
    let browser = Browser::launch().await.expect("launch chromium");

    // The console answers once manage_serv listens.
    let mut opened = false;
    for _ in 0..100 {
        if browser.goto(&url).await.is_ok()
            && browser
                .wait_for(
                    "document.getElementById('login-form')",
                    Duration::from_secs(1),
                )
                .await
                .is_ok()
        {
            opened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(opened, "the console did not open at {url}");

    // No operator yet: the form says how to create one. Then one is made
    // with the CLI beside the running console.
    must(
        &cluster,
        &browser,
        "!document.getElementById('login-view').hidden && \
         document.getElementById('login-setup').textContent.includes('operator add')",
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("login-setup").await.expect("screenshot");
    add_operator(&cluster, OPERATOR, "admin", PASSWORD);

    // Log in through the form.
    browser
        .fill_all(&[
            ("#login-name", OPERATOR),
            ("#login-password", "wrong password"),
        ])
        .await
        .expect("the login form");
    browser.click("#login-submit").await.expect("submit");
    must(
        &cluster,
        &browser,
        "document.getElementById('login-error').textContent.includes('Wrong')",
        Duration::from_secs(10),
    )
    .await;
    browser
        .fill("#login-password", PASSWORD)
        .await
        .expect("password");
    browser.click("#login-submit").await.expect("submit");
    must(
        &cluster,
        &browser,
        "!document.getElementById('app-view').hidden",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        browser
            .eval("window.schatConsole.me.role")
            .await
            .expect("role"),
        json!("admin")
    );

    // Every process of the cluster is in the table, and all come up.
    let names = proc_names(&cluster);
    assert!(names.len() >= 10, "the committed cluster: {names:?}");
    let names_js = serde_json::to_string(&names).expect("names");
    must(
        &cluster,
        &browser,
        &format!("{names_js}.every(n => document.querySelector(`tr[data-proc=\"${{n}}\"]`))"),
        Duration::from_secs(10),
    )
    .await;
    must(
        &cluster,
        &browser,
        &format!("{names_js}.every(n => document.querySelector(`tr[data-proc=\"${{n}}\"][data-state=\"up\"]`))"),
        Duration::from_secs(30),
    )
    .await;
    let rows = browser
        .eval("document.querySelectorAll('#procs-body tr[data-proc]').length")
        .await
        .expect("rows");
    assert_eq!(rows, json!(names.len()), "one row per process, no more");
    browser.screenshot("procs").await.expect("screenshot");

    // Each row describes its own process: the pid the console shows is the
    // binary's own, and each has its own memory.
    let reported = browser
        .eval(
            "fetch('/api/v1/procs').then(r => r.json()).then(j => \
             Object.fromEntries(j.procs.map(p => [p.name, [p.pid, p.rss_bytes, p.open_files]])))",
        )
        .await
        .expect("procs");
    for name in &names {
        let pid = u64::from(cluster.child(name).id());
        let row = &reported[name.as_str()];
        assert_eq!(
            row[0],
            json!(pid),
            "{name}: the console's pid is not the process's"
        );
        assert!(
            row[1].as_u64().unwrap_or(0) > 1_000_000,
            "{name}: rss {}",
            row[1]
        );
        assert!(
            row[2].as_u64().unwrap_or(0) > 2,
            "{name}: open files {}",
            row[2]
        );
    }

    // A process killed with SIGKILL shows as down within 5 s, and as up
    // again after a restart.
    let victim = "online_serv-1";
    cluster.signal(victim, "KILL");
    let _ = cluster.child(victim).wait();
    let down = format!(
        "document.querySelector('tr[data-proc={}][data-state=\"down\"]')",
        js(victim)
    );
    must(&cluster, &browser, &down, Duration::from_secs(5)).await;
    browser.screenshot("procs-down").await.expect("screenshot");
    cluster.spawn(victim).expect("restart");
    let up = format!(
        "document.querySelector('tr[data-proc={}][data-state=\"up\"]')",
        js(victim)
    );
    must(&cluster, &browser, &up, Duration::from_secs(20)).await;

    // Its alarm was raised and then cleared.
    browser
        .eval("location.hash = '#/alarms'")
        .await
        .expect("go");
    must(
        &cluster,
        &browser,
        &format!(
            "[...document.querySelectorAll('#alarms-recent tr[data-kind=\"proc_down\"]')]\
             .some(r => r.dataset.alarmProc === {} && !r.lastChild.textContent.includes('active'))",
            js(victim)
        ),
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("alarms").await.expect("screenshot");

    // Log level debug on ^logic_serv- (every logic_serv): preview, then one result per process.
    browser
        .eval("location.hash = '#/commands'")
        .await
        .expect("go");
    must(
        &cluster,
        &browser,
        "!document.getElementById('view-commands').hidden",
        Duration::from_secs(5),
    )
    .await;
    browser
        .fill_all(&[
            ("#cmd-command", "log_level"),
            ("#cmd-level", "debug"),
            ("#cmd-match", "^logic_serv-"),
        ])
        .await
        .expect("the command form");
    browser.click("#cmd-preview").await.expect("preview");
    must(
        &cluster,
        &browser,
        "[...document.querySelectorAll('#cmd-matched li')].map(li => li.dataset.proc).sort().join() === 'logic_serv-1,logic_serv-2'",
        Duration::from_secs(10),
    )
    .await;
    browser.click("#cmd-run").await.expect("run");
    must(
        &cluster,
        &browser,
        "document.querySelectorAll('#cmd-results tr[data-result]').length === 2",
        Duration::from_secs(15),
    )
    .await;
    let outcomes = browser
        .eval("[...document.querySelectorAll('#cmd-results tr[data-result]')].map(r => [r.dataset.result, r.dataset.outcome]).sort()")
        .await
        .expect("outcomes");
    assert_eq!(
        outcomes,
        json!([["logic_serv-1", "done"], ["logic_serv-2", "done"]])
    );
    browser.screenshot("commands").await.expect("screenshot");
    browser.eval("location.hash = '#/procs'").await.expect("go");
    must(
        &cluster,
        &browser,
        "['logic_serv-1', 'logic_serv-2'].every(n => document.querySelector(`tr[data-proc=\"${n}\"]`).querySelector('[data-col=log_level]').textContent === 'debug')",
        Duration::from_secs(10),
    )
    .await;

    // A user with traffic, for the charts and the lookups.
    let (client, uid) = logged_in_user(&cluster, "console-alice").await;
    let group = client
        .create_group(CreateGroupRequest {
            name: "console group".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .expect("create a group");

    // A process page: five charts with points, growing live.
    browser
        .eval("location.hash = '#/proc/logic_serv-1'")
        .await
        .expect("go");
    must(
        &cluster,
        &browser,
        "Object.keys(window.schatConsole.charts).length === 5",
        Duration::from_secs(10),
    )
    .await;
    let points = "Object.values(window.schatConsole.charts).every(u => u.data[0].length > 1 && u.data[1].length === u.data[0].length)";
    must(&cluster, &browser, points, Duration::from_secs(10)).await;
    let before = browser
        .eval("window.schatConsole.charts.connections.data[0].length")
        .await
        .expect("points");
    must(
        &cluster,
        &browser,
        &format!("window.schatConsole.charts.connections.data[0].length > {before} || window.schatConsole.charts.connections.data[0].length >= 3000"),
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("proc").await.expect("screenshot");

    // Groups: gid -> name, members, owning chat_serv.
    browser
        .eval("location.hash = '#/groups'")
        .await
        .expect("go");
    browser
        .fill("#group-gid", &group.gid.to_string())
        .await
        .expect("gid");
    browser.click("#group-lookup").await.expect("look up");
    must(
        &cluster,
        &browser,
        &format!(
            "document.querySelector('#group-card[data-gid=\"{}\"]') && \
             document.getElementById('group-card').textContent.includes('console group') && \
             document.getElementById('group-card').textContent.includes('chat_serv-')",
            group.gid
        ),
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("groups").await.expect("screenshot");

    // Users: the connected user is online on conn_serv-1 / logic_serv-1.
    browser.eval("location.hash = '#/users'").await.expect("go");
    browser.fill("#user-by", "account").await.expect("by");
    browser
        .fill("#user-key", "console-alice")
        .await
        .expect("account");
    browser.click("#user-lookup").await.expect("look up");
    must(
        &cluster,
        &browser,
        &format!(
            "document.querySelector('#user-card[data-uid=\"{uid}\"][data-online=\"yes\"]') && \
             document.querySelector('#user-sessions tbody tr') && \
             document.querySelector('#user-sessions tbody tr').textContent.includes('conn_serv-1') && \
             document.querySelector('#user-sessions tbody tr').textContent.includes('logic_serv-1')"
        ),
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("users").await.expect("screenshot");

    // Kick: the client is told, or at least disconnected.
    browser.click("#kick-btn").await.expect("kick");
    browser.click("#kick-confirm").await.expect("confirm");
    must(
        &cluster,
        &browser,
        "document.querySelector('#kick-results tr[data-outcome=\"done\"]')",
        Duration::from_secs(10),
    )
    .await;
    browser
        .screenshot("users-kicked")
        .await
        .expect("screenshot");
    let kicked = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match client.next_push().await {
                Some(Push::Kicked { .. }) | Some(Push::Closing { .. }) | None => return true,
                Some(_) => continue,
            }
        }
    })
    .await;
    assert_eq!(kicked, Ok(true), "the kicked client was not disconnected");
    // And the user is no longer online.
    browser.click("#user-lookup").await.expect("look up again");
    must(
        &cluster,
        &browser,
        &format!("document.querySelector('#user-card[data-uid=\"{uid}\"][data-online=\"no\"]')"),
        Duration::from_secs(10),
    )
    .await;

    // The audit log names what the operator did.
    browser.eval("location.hash = '#/audit'").await.expect("go");
    must(
        &cluster,
        &browser,
        "['login', 'command:log_level', 'kick'].every(action => \
           [...document.querySelectorAll('#audit-body tr')].some(row => \
             row.dataset.action === action && row.children[1].textContent === 'ops'))",
        Duration::from_secs(10),
    )
    .await;
    browser.screenshot("audit").await.expect("screenshot");

    // No page script failed along the way.
    let errors: Vec<String> = browser
        .console_log()
        .into_iter()
        .filter(|line| line.starts_with("exception"))
        .collect();
    assert!(errors.is_empty(), "page exceptions: {errors:?}");
}
