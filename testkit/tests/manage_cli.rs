//! The manage_serv binary's tools: `operator` and `token` edit the data
//! files of a manage_serv, and `ctl` drives a running console's API with
//! an API token, printing JSON. Also the event stream a console page
//! reads. Operator commands run at once keep every change. Needs the
//! binaries built (`cargo build --workspace --bins`,
//! which scripts/test.sh does).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use manage_serv::accounts::Role;
use schat_testkit::binaries::{committed_config, server_bin};
use schat_testkit::manage::{fast_manage, Console};
use schat_testkit::{ClusterSpec, TestCluster};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn manage_serv(args: &[&str], stdin: Option<&str>) -> (bool, Value, String) {
    let mut child = Command::new(server_bin("manage_serv"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("manage_serv runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (
        output.status.success(),
        json,
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

/// The committed cluster file with manage_serv's data in a temporary
/// directory: the directory, and the file's path as an argument.
fn private_cluster_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = committed_config();
    for proc in config["procs"].as_array_mut().unwrap() {
        if proc["type"] == "manage_serv" {
            proc["data_dir"] = dir.path().join("manage").display().to_string().into();
        }
    }
    let config_path = dir.path().join("cluster.json");
    std::fs::write(&config_path, config.to_string()).unwrap();
    let config_arg = config_path.display().to_string();
    (dir, config_arg)
}

#[test]
fn operator_and_token_commands_edit_the_data_dir() {
    let (dir, config_arg) = private_cluster_file();
    let base = ["--config", config_arg.as_str(), "--name", "manage_serv-1"];
    let run = |extra: &[&str], stdin: Option<&str>| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        manage_serv(&args, stdin)
    };

    let (ok, json, err) = run(
        &[
            "operator",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(json["added"], "admin");
    let (ok, _, err) = run(
        &[
            "operator",
            "add",
            "admin",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some("another-password\n"),
    );
    assert!(!ok, "a second admin of one name");
    assert!(err.contains("exists"), "{err}");
    let (ok, _, err) = run(
        &[
            "operator",
            "add",
            "shorty",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least"), "{err}");
    let (ok, json, _) = run(&["operator", "list"], None);
    assert!(ok);
    assert_eq!(json["operators"][0]["name"], "admin");
    assert_eq!(json["operators"][0]["role"], "admin");
    assert!(!json.to_string().contains("argon2"), "hashes listed");
    let stored = std::fs::read_to_string(dir.path().join("manage/operators.json")).unwrap();
    assert!(stored.contains("$argon2id$"), "{stored}");
    assert!(!stored.contains("a-long-password"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("manage/operators.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let (ok, json, err) = run(
        &[
            "token",
            "create",
            "ci",
            "--role",
            "viewer",
            "--ttl-secs",
            "60",
        ],
        None,
    );
    assert!(ok, "{err}");
    let secret = json["token"].as_str().unwrap().to_string();
    let id = json["id"].as_str().unwrap().to_string();
    let (_, json, _) = run(&["token", "list"], None);
    assert_eq!(json["tokens"][0]["id"], id.as_str());
    assert!(!json.to_string().contains(&secret));
    let (ok, json, _) = run(&["token", "revoke", &id], None);
    assert!(ok);
    assert_eq!(json["revoked"], id.as_str());
    let (_, json, _) = run(&["token", "list"], None);
    assert_eq!(json["tokens"][0]["revoked"], true);

    let (ok, _, _) = run(&["operator", "remove", "admin"], None);
    assert!(ok);
    let (_, json, _) = run(&["operator", "list"], None);
    assert_eq!(json["operators"], serde_json::json!([]));
    let audit = std::fs::read_to_string(dir.path().join("manage/audit.jsonl")).unwrap();
    for action in [
        "operator_add",
        "token_create",
        "token_revoke",
        "operator_remove",
    ] {
        assert!(audit.contains(action), "{action} not audited: {audit}");
    }
}

#[test]
fn operator_commands_at_once_keep_every_change() {
    let (_dir, config_arg) = private_cluster_file();
    // Processes of their own, each a read-modify-write of operators.json:
    // only the lock file keeps one from writing over another's change.
    let names: Vec<String> = (0..6).map(|n| format!("op{n}")).collect();
    std::thread::scope(|scope| {
        for name in &names {
            let config_arg = config_arg.as_str();
            scope.spawn(move || {
                let (ok, _, err) = manage_serv(
                    &[
                        "--config",
                        config_arg,
                        "--name",
                        "manage_serv-1",
                        "operator",
                        "add",
                        name,
                        "--role",
                        "viewer",
                        "--password-stdin",
                    ],
                    Some("a-long-password\n"),
                );
                assert!(ok, "{err}");
            });
        }
    });
    let (ok, json, err) = manage_serv(
        &[
            "--config",
            &config_arg,
            "--name",
            "manage_serv-1",
            "operator",
            "list",
        ],
        None,
    );
    assert!(ok, "{err}");
    let listed = json["operators"].as_array().map_or(0, Vec::len);
    assert_eq!(listed, names.len(), "changes lost: {json}");
}

/// One user set, one chat set and a console with an admin logged in.
async fn console_cluster() -> anyhow::Result<(TestCluster, Console)> {
    let cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        chats: 1,
        manages: 1,
        manage: fast_manage(),
        ..ClusterSpec::default()
    })
    .await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "boss", Role::Admin).await?;
    Ok((cluster, admin))
}

#[tokio::test]
async fn ctl_prints_the_api_json_and_fails_on_failed_results() -> anyhow::Result<()> {
    let (cluster, admin) = console_cluster().await?;
    assert!(admin.wait_all_up(Duration::from_secs(20)).await);
    let created = admin
        .post(
            "/api/v1/tokens",
            serde_json::json!({ "name": "cli", "role": "admin", "ttl_secs": 600 }),
        )
        .await?;
    let token = created.json["token"].as_str().unwrap().to_string();
    let url = cluster.http_url("manage_serv-1");
    let ctl = |extra: Vec<String>| {
        let (url, token) = (url.clone(), token.clone());
        tokio::task::spawn_blocking(move || {
            let mut args = vec![
                "ctl".to_string(),
                "--url".to_string(),
                url,
                "--token".to_string(),
                token,
            ];
            args.extend(extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            manage_serv(&args, None)
        })
    };
    let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();

    let (ok, json, err) = ctl(words("procs")).await?;
    assert!(ok, "{err}");
    assert_eq!(
        json["procs"].as_array().unwrap().len(),
        cluster.config.procs.len()
    );
    let (ok, json, _) = ctl(words("proc chat_serv-1")).await?;
    assert!(ok);
    assert_eq!(json["row"]["name"], "chat_serv-1");
    let (ok, json, _) = ctl(words("preview reload --match conn_serv-.*")).await?;
    assert!(ok);
    assert_eq!(json["matched"], serde_json::json!(["conn_serv-1"]));
    let (ok, json, _) = ctl(words("run log_level --match ^logic_serv-1$ --level debug")).await?;
    assert!(ok, "{json}");
    assert_eq!(json["results"][0]["outcome"], "done");
    // A failed result: exit code 1, the JSON still printed.
    let (ok, json, _) = ctl(words("run drain --match online_serv-1")).await?;
    assert!(!ok);
    assert_eq!(json["results"][0]["outcome"], "failed");
    let (ok, json, _) = ctl(words("user --account nobody")).await?;
    assert!(ok);
    assert_eq!(json["exists"], false);
    let (ok, json, _) = ctl(words("kick --uid 999999")).await?;
    assert!(ok, "{json}");
    assert_eq!(json["results"][0]["detail"], "closed 0 sessions");
    let (ok, json, _) = ctl(words("alarms")).await?;
    assert!(ok && json["active"].is_array());
    let (ok, json, _) = ctl(words("audit --limit 3")).await?;
    assert!(ok);
    assert_eq!(json["entries"].as_array().unwrap().len(), 3);
    assert_eq!(json["entries"][0]["action"], "kick");
    assert_eq!(json["entries"][0]["who"], "token:cli");
    // A wrong token: 401 and exit code 1.
    let (ok, json, _) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || manage_serv(&["ctl", "--url", &url, "--token", "smt_bad", "procs"], None)
    })
    .await?;
    assert!(!ok);
    assert!(json["error"].is_string());
    Ok(())
}

#[tokio::test]
async fn the_event_stream_sends_procs_and_alarms() -> anyhow::Result<()> {
    let (cluster, admin) = console_cluster().await?;
    let addr = cluster
        .config
        .proc_by_name("manage_serv-1")?
        .addr()
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(&addr).await?;
    let request = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\n\r\n",
        admin.cookie.clone().unwrap()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut lines = BufReader::new(stream).lines();
    let mut procs_events = 0;
    let mut alarms_events = 0;
    let mut content_type = String::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await? {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-type:") {
                content_type = lower;
            }
            if line == "event: procs" {
                procs_events += 1;
                let data = lines.next_line().await?.unwrap_or_default();
                let json: Value =
                    serde_json::from_str(data.strip_prefix("data: ").unwrap_or_default())
                        .map_err(std::io::Error::other)?;
                assert!(json["procs"].as_array().is_some_and(|p| !p.is_empty()));
            }
            if line == "event: alarms" {
                alarms_events += 1;
            }
            if procs_events >= 3 {
                break;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    assert!(read.is_ok(), "fewer than 3 procs events in time");
    assert!(content_type.contains("text/event-stream"), "{content_type}");
    assert!(alarms_events >= 1, "no alarms event at the start");
    Ok(())
}
