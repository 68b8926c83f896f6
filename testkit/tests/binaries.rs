//! End-to-end: the real server binaries started from a cluster.json the way
//! scripts/run.sh does, killed for real with SIGKILL, stopped with SIGTERM.
//! Needs the binaries built (`cargo build --workspace --bins`, which
//! scripts/test.sh does first).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use schat_client::Client;
use schat_testkit::binaries::{committed_config, server_bin};
use schat_testkit::{eventually, BinCluster};

fn config_check(dir: &Path, text: &str) -> Output {
    let path = dir.join("cluster.json");
    std::fs::write(&path, text).unwrap();
    Command::new(server_bin("disp_serv"))
        .arg("--config")
        .arg(&path)
        .arg("--config-check")
        .output()
        .unwrap()
}

#[test]
fn config_check_accepts_the_committed_file_and_names_faults() {
    let dir = tempfile::tempdir().unwrap();
    let ok = config_check(dir.path(), include_str!("../../cluster.json"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("OK (18 procs)"));

    let mut unknown_key = committed_config();
    unknown_key["limits"]["max_conns"] = 1.into();
    let mut duplicate_port = committed_config();
    duplicate_port["procs"][1]["port"] = 7301.into();
    let mut ws_on_logic = committed_config();
    ws_on_logic["procs"][1]["ws_port"] = 7099.into();
    let mut ws_clash = committed_config();
    for proc in ws_clash["procs"].as_array_mut().unwrap() {
        if proc["name"] == "conn_serv-1" {
            proc["ws_port"] = 7101.into();
        }
    }
    let mut lonely_logic = committed_config();
    lonely_logic["procs"]
        .as_array_mut()
        .unwrap()
        .retain(|proc| proc["name"] != "conn_serv-1");
    for (config, expected) in [
        (unknown_key.to_string(), "unknown field `max_conns`"),
        (duplicate_port.to_string(), "127.0.0.1:7301 is used by both"),
        (
            ws_on_logic.to_string(),
            "must not have \"ws_port\": only conn_serv takes it",
        ),
        (ws_clash.to_string(), "127.0.0.1:7101 is used by both"),
        (
            lonely_logic.to_string(),
            "\"logic_serv-1\" has no conn_serv",
        ),
        ("{ not json".to_string(), "line 1"),
    ] {
        let refused = config_check(dir.path(), &config);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr:?}"
        );
    }

    let missing = Command::new(server_bin("conn_serv"))
        .args([
            "--config",
            "/nonexistent/cluster.json",
            "--name",
            "conn_serv-1",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

async fn logs_in(addr: &str, account: &str) -> Result<Client, schat_client::ClientError> {
    let client = Client::connect(addr).await?;
    let _ = client.register(account, "password123", "").await;
    client.login_password(account, "password123").await?;
    Ok(client)
}

async fn shows_online(observer: &Client, account: &str) -> bool {
    matches!(
        observer.users(Vec::new(), vec![account.to_string()]).await,
        Ok(users) if users.first().is_some_and(|user| user.online)
    )
}

#[tokio::test]
async fn real_binaries_survive_killed_processes() {
    let mut procs = BinCluster::start(|_| {}).unwrap();
    let dir = procs.dir.path().to_path_buf();
    let (addr_1, addr_2) = (procs.conn_addr(1), procs.conn_addr(2));
    // Ready when a user can log in on each set and be seen online.
    let mut ready = Vec::new();
    for (set, addr) in [(1, &addr_1), (2, &addr_2)] {
        let account = format!("probe-{set}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let client = loop {
            if let Ok(client) = logs_in(addr, &account).await {
                if shows_online(&client, &account).await {
                    break client;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                procs.dump_logs();
                panic!("set {set} did not come up");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        ready.push(client);
    }
    let observer = ready.pop().expect("the probe of set 2");
    let poster = ready.pop().expect("the probe of set 1");

    // Files through the directory: upload to a group, the other member
    // downloads the same bytes.
    let dir_url = procs.dir_url();
    let http = schat_client::HttpClient::default();
    let listed = eventually(Duration::from_secs(10), || async {
        schat_client::files::Directory::lookup(&http, &dir_url)
            .await
            .is_ok_and(|found| found.file_servers.values().all(|server| server.up))
    })
    .await;
    assert!(listed, "the directory did not list live file servers");
    let directory = schat_client::files::Directory::lookup(&http, &dir_url)
        .await
        .unwrap();
    let files = directory.files(http);
    let shared = observer
        .create_group(schat_client::CreateGroupRequest {
            name: "files".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    poster.join_group(shared.gid, "", "").await.unwrap();
    let picture = bytes::Bytes::from_static(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    let uploaded = files
        .upload(
            &poster.file_token().unwrap().0,
            schat_client::files::UploadTarget::Chat(shared.gid),
            "dot.gif",
            picture.clone(),
        )
        .await
        .unwrap();
    let fetched = files
        .download(&observer.file_token().unwrap().0, &uploaded.url, None)
        .await
        .unwrap();
    assert_eq!(fetched.body, picture);
    assert_eq!(fetched.content_type, "image/gif");

    // The schat CLI through the directory: a new user joins, sends an
    // image, downloads it back and sets an avatar; a refusal is exit 1.
    let cli = |args: Vec<String>| {
        let mut command = Command::new(server_bin("schat"));
        command
            .arg("--dir")
            .arg(&dir_url)
            .arg("--session-file")
            .arg(dir.join("session.json"))
            .args(&args)
            .env_remove("SCHAT_SERVER")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        async move {
            let mut child = command.spawn().unwrap();
            use std::io::Write;
            let _ = child.stdin.take().unwrap().write_all(b"password123\n");
            let output = tokio::task::spawn_blocking(move || child.wait_with_output())
                .await
                .unwrap()
                .unwrap();
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            (
                output.status.code(),
                text(&output.stdout),
                text(&output.stderr),
            )
        }
    };
    let args = |line: String| {
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let image = dir.join("dot.gif");
    std::fs::write(&image, &picture).unwrap();
    let image = image.display().to_string();
    for line in [
        "register carol --password-stdin".to_string(),
        "login carol --password-stdin".to_string(),
        format!("join {}", shared.gid),
    ] {
        let (code, stdout, stderr) = cli(args(line.clone())).await;
        assert_eq!(code, Some(0), "schat {line}: {stdout}{stderr}");
    }
    let (code, stdout, stderr) = cli(args(format!(
        "send-image {} {image} --caption hello",
        shared.gid
    )))
    .await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let sent_url = stdout
        .split_whitespace()
        .find(|word| word.starts_with("/f/"))
        .unwrap_or_else(|| panic!("no URL in {stdout:?}"))
        .to_string();
    let (_, history, _) = cli(args(format!("history {}", shared.gid))).await;
    assert!(
        history.contains(&format!("[image] {sent_url}")),
        "{history}"
    );
    let copy = dir.join("copy.gif");
    let (code, stdout, stderr) =
        cli(args(format!("download {sent_url} -o {}", copy.display()))).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(std::fs::read(&copy).unwrap(), picture.to_vec());
    let (code, _, stderr) = cli(args(format!("set-avatar {image}"))).await;
    assert_eq!(code, Some(0), "{stderr}");
    let (_, profile, _) = cli(args("whoami".to_string())).await;
    assert!(profile.contains("avatar:       /f/"), "{profile}");
    let (code, _, stderr) = cli(args(format!("upload {image} --group 999999"))).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");

    // Devices: the CLI named itself once (kept beside the session file);
    // carol's phone logs in beside it, is listed, and is ended from the
    // CLI; then the CLI logs out everywhere.
    let cli_device = std::fs::read_to_string(dir.join("device")).unwrap();
    let cli_device = cli_device.trim();
    assert!(cli_device.starts_with("cli-"), "{cli_device:?}");
    let phone = Client::connect(&addr_1).await.unwrap();
    phone.set_device("carols-phone", schat_client::DeviceKind::Phone);
    phone.login_password("carol", "password123").await.unwrap();
    let (code, listed, stderr) = cli(args("devices".to_string())).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        listed.contains(&format!("{cli_device}  cli")) && listed.contains("(this device)"),
        "{listed}"
    );
    assert!(listed.contains("carols-phone  phone"), "{listed}");
    let (code, _, stderr) = cli(args("end-device carols-phone".to_string())).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(matches!(
        tokio::time::timeout(Duration::from_secs(5), phone.next_push()).await,
        Ok(Some(schat_client::Push::Kicked { .. }))
    ));
    let (code, _, stderr) = cli(args(format!("end-device {cli_device}"))).await;
    assert_eq!(code, Some(1), "{stderr}");
    let (code, stdout, stderr) = cli(args("logout --all".to_string())).await;
    assert_eq!(
        (code, stdout.trim()),
        (Some(0), "logged out on every device"),
        "{stderr}"
    );
    let (code, _, stderr) = cli(args("whoami".to_string())).await;
    assert_eq!(code, Some(1), "{stderr}");

    // SIGKILL a disp: logins and presence keep working on both sets.
    procs.child("disp_serv-1").kill().unwrap();
    for (index, addr) in [&addr_1, &addr_2, &addr_1].into_iter().enumerate() {
        let account = format!("after-kill-{index}");
        let client = logs_in(addr, &account)
            .await
            .unwrap_or_else(|err| panic!("login after a disp died: {err}"));
        assert!(eventually(Duration::from_secs(3), || shows_online(&observer, &account)).await);
        drop(client);
    }

    // Group chat across the sets, then SIGKILL the chat_serv that owns the
    // group: sends retried with the same id are stored once, in order.
    let group = observer
        .create_group(schat_client::CreateGroupRequest {
            name: "e2e".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    poster.join_group(group.gid, "", "").await.unwrap();
    let send = |id: &'static str| {
        let poster = &poster;
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            loop {
                match poster.send_text(group.gid, id, id).await {
                    Ok(sent) => return sent.seq,
                    Err(_) if tokio::time::Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(err) => panic!("send {id}: {err}"),
                }
            }
        }
    };
    let first = send("before-kill").await;
    let owner = schat_testkit::chat_owner(group.gid);
    procs.child(&format!("chat_serv-{owner}")).kill().unwrap();
    let second = send("after-kill").await;
    assert_eq!(second, first + 1);
    let texts: Vec<String> = observer
        .pull(group.gid, first, 0)
        .await
        .unwrap()
        .messages
        .into_iter()
        .map(|message| message.text)
        .collect();
    assert_eq!(texts, vec!["before-kill", "after-kill"]);

    // SIGKILL a logic: its conn closes its clients, and its users expire
    // from presence although nobody told the online_servs.
    let doomed = logs_in(&addr_1, "doomed").await.unwrap();
    assert!(eventually(Duration::from_secs(3), || shows_online(&observer, "doomed")).await);
    procs.child("logic_serv-1").kill().unwrap();
    assert!(
        eventually(Duration::from_secs(5), || async {
            doomed.closed_reason().is_some()
        })
        .await
    );
    assert!(
        eventually(Duration::from_secs(6), || async {
            !shows_online(&observer, "doomed").await
        })
        .await,
        "a killed logic's user still shows online"
    );

    // SIGKILL the last conn_serv: its logic tells the directory at once,
    // well before its load reports would expire (3.5 s).
    procs.child("conn_serv-2").kill().unwrap();
    let http = schat_client::HttpClient::default();
    let dropped = eventually(Duration::from_millis(1500), || async {
        matches!(
            schat_client::files::Directory::lookup(&http, &dir_url).await,
            Err(schat_client::ClientError::Http { status: 503, .. })
        )
    })
    .await;
    assert!(dropped, "the directory still handed out a killed conn_serv");

    // SIGTERM: every live process stops cleanly and exits 0.
    for (name, child) in &mut procs.children {
        if matches!(child.try_wait(), Ok(None)) {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let status = child.wait().unwrap();
            assert!(status.success(), "{name} exited with {status}");
        }
    }
}

/// `manage_serv <args>` against the cluster's config; its stdout as JSON.
async fn manage_cli(procs: &BinCluster, args: &[&str]) -> Option<serde_json::Value> {
    let mut command = Command::new(server_bin("manage_serv"));
    command
        .arg("--config")
        .arg(&procs.config_path)
        .args(["--name", "manage_serv-1"])
        .args(args)
        .env_remove("SCHAT_MANAGE_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .ok()?
        .ok()?;
    if !output.status.success() {
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

/// The console's rows by process name, through `manage_serv ctl procs`.
async fn console_rows(
    procs: &BinCluster,
    token: &str,
) -> Option<std::collections::BTreeMap<String, serde_json::Value>> {
    let url = format!("http://{}", procs.addr("manage_serv-1"));
    let listed = manage_cli(procs, &["ctl", "--url", &url, "--token", token, "procs"]).await?;
    Some(
        listed["procs"]
            .as_array()?
            .iter()
            .filter_map(|row| Some((row["name"].as_str()?.to_string(), row.clone())))
            .collect(),
    )
}

/// What the console shows of each process (pid, memory, open files, start)
/// is that process's own: only real binaries can tell, as every process of
/// an in-process cluster is the test itself.
#[tokio::test]
async fn the_console_shows_each_binary_its_own_pid_memory_and_files() {
    let mut procs = BinCluster::start(|config| {
        config["manage"] = serde_json::json!({
            "poll_interval_ms": 200, "stale_after_ms": 1500, "down_after_ms": 3000
        });
    })
    .unwrap();
    let names: Vec<String> = procs
        .children
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    let created = manage_cli(
        &procs,
        &[
            "token",
            "create",
            "probe",
            "--role",
            "viewer",
            "--ttl-secs",
            "3600",
        ],
    )
    .await
    .expect("token create");
    let token = created["token"].as_str().expect("a token").to_string();

    // Every process up, with its figures, as seen through the console.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let rows = loop {
        if let Some(found) = console_rows(&procs, &token).await {
            let ready = names.iter().all(|name| {
                found
                    .get(name)
                    .is_some_and(|row| row["state"] == "up" && row["pid"].is_u64())
            });
            if ready {
                break found;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            procs.dump_logs();
            panic!("not every process showed up in the console");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut pids = std::collections::BTreeSet::new();
    for name in &names {
        let row = &rows[name];
        let pid = u64::from(procs.child(name).id());
        assert_eq!(row["pid"], pid, "{name}: the console's pid is not its own");
        pids.insert(pid);
        // Each binary maps its own executable and runtime: over a MiB.
        let rss = row["rss_bytes"].as_u64().unwrap_or(0);
        assert!(rss > 1 << 20, "{name}: rss {rss}");
        // At least its log (stderr) and a listening or linked socket.
        let open = row["open_files"].as_u64().unwrap_or(0);
        let max = row["max_files"].as_u64().unwrap_or(0);
        assert!(
            open >= 3 && open < max,
            "{name}: open files {open} of {max}"
        );
        assert!(row["cpu_seconds"].as_f64().is_some_and(|cpu| cpu >= 0.0));
    }
    assert_eq!(pids.len(), names.len(), "two rows share a pid");

    // A process killed and started again is a new run: a new pid and a
    // later start, not the old one's figures.
    let victim = "online_serv-1";
    let before = rows[victim].clone();
    procs.child(victim).kill().unwrap();
    let _ = procs.child(victim).wait();
    procs.spawn(victim).unwrap();
    let new_pid = u64::from(procs.child(victim).id());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let after = loop {
        if let Some(found) = console_rows(&procs, &token).await {
            if let Some(row) = found.get(victim).filter(|row| row["pid"] == new_pid) {
                break row.clone();
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the console never showed {victim}'s new run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        after["started_at_ms"].as_u64() > before["started_at_ms"].as_u64(),
        "{before} then {after}"
    );
    assert_ne!(after["pid"], before["pid"]);
}
