//! Real binaries and signals: SIGHUP reloads cluster.json, JSON logs are
//! one object per line, and a `--log-file` moved away (as logrotate does)
//! is reopened at its path on SIGUSR1, with the last lines written out on
//! exit. Needs the binaries built (`cargo build --workspace --bins`).

use std::path::Path;
use std::time::Duration;

use schat_client::{Client, CreateGroupRequest, ResultCode};
use schat_testkit::{eventually, BinCluster};

/// One user set, one chat set, one disp and one online_serv, logging at
/// info in `format`.
fn small_cluster(format: &str) -> BinCluster {
    let keep = [
        "disp_serv-1",
        "online_serv-1",
        "conn_serv-1",
        "logic_serv-1",
        "db_logic_serv-1",
        "chat_serv-1",
        "db_chat_serv-1",
    ];
    BinCluster::start(|config| {
        config["procs"]
            .as_array_mut()
            .expect("procs")
            .retain(|proc| keep.iter().any(|name| proc["name"] == *name));
        config["log"] = serde_json::json!({ "level": "info", "format": format });
    })
    .unwrap()
}

async fn logged_in(procs: &BinCluster, account: &str) -> Client {
    for _ in 0..400 {
        if let Ok(client) = Client::connect(&procs.conn_addr(1)).await {
            let _ = client.register(account, "password123", "").await;
            if client.login_password(account, "password123").await.is_ok()
                && client.my_groups().await.is_ok()
            {
                return client;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    procs.dump_logs();
    panic!("the cluster did not come up");
}

/// The complete lines of a log file (a line being written is left out).
fn lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    lines.pop();
    lines
}

#[tokio::test]
async fn sighup_reloads_a_real_binary_and_json_logs_are_one_object_per_line() {
    let mut procs = small_cluster("json");
    let alice = logged_in(&procs, "alice").await;
    let gid = alice
        .create_group(CreateGroupRequest {
            name: "talk".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
        .gid;
    let long = "x".repeat(200);
    alice.send_text(gid, "before", &long).await.unwrap();

    let mut config = procs.config.clone();
    config["chat"]["max_message_bytes"] = 100.into();
    procs.write_config(config).unwrap();
    procs.signal("chat_serv-1", "HUP");
    let mut attempt = 0;
    let refused = eventually(Duration::from_secs(10), || {
        attempt += 1;
        let id = format!("after-{attempt}");
        let (alice, long) = (&alice, &long);
        async move {
            matches!(
                alice.send_text(gid, &id, long).await,
                Err(err) if err.code() == Some(ResultCode::MessageTooLarge)
            )
        }
    })
    .await;
    assert!(refused, "SIGHUP did not lower the message limit");
    alice.send_text(gid, "short", "fits").await.unwrap();

    let chat_log = procs.log_path("chat_serv-1");
    let reported = eventually(Duration::from_secs(5), || async {
        lines(&chat_log).iter().any(|line| {
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|entry| {
                entry["msg"] == "Config reloaded" && entry["changed"] == "chat.max_message_bytes"
            })
        })
    })
    .await;
    assert!(reported, "no JSON line reports the reload");

    for name in [
        "disp_serv-1",
        "logic_serv-1",
        "chat_serv-1",
        "db_chat_serv-1",
    ] {
        let lines = lines(&procs.log_path(name));
        assert!(!lines.is_empty(), "{name} logged nothing");
        for line in lines {
            let entry: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|err| panic!("{name}: not JSON ({err}): {line}"));
            assert!(entry.is_object(), "{name}: {line}");
            assert!(
                entry["msg"].is_string() && entry["level"].is_string() && entry["ts"].is_string(),
                "{name}: {line}"
            );
            assert_eq!(entry["proc"], name, "{line}");
        }
    }
}

#[tokio::test]
async fn a_moved_log_file_is_reopened_on_sigusr1_and_written_out_on_exit() {
    let mut procs = small_cluster("text");
    let _ready = logged_in(&procs, "alice").await;
    let log_file = procs.dir.path().join("online.log");
    let rotated = procs.dir.path().join("online.log.1");
    procs.signal("online_serv-1", "KILL");
    procs.child("online_serv-1").wait().unwrap();
    let log_arg = log_file.display().to_string();
    procs
        .spawn_with("online_serv-1", &[], &["--log-file", &log_arg])
        .unwrap();
    let started = eventually(Duration::from_secs(10), || async {
        lines(&log_file).iter().any(|line| line.contains("Started"))
    })
    .await;
    assert!(started, "nothing logged to the --log-file");

    // logrotate: move the file, then signal.
    std::fs::rename(&log_file, &rotated).unwrap();
    procs.signal("online_serv-1", "USR1");
    let reopened = eventually(Duration::from_secs(10), || async {
        lines(&log_file)
            .iter()
            .any(|line| line.contains("Log file reopened on SIGUSR1"))
    })
    .await;
    assert!(reopened, "no new file at the log path after SIGUSR1");
    let old = lines(&rotated);
    assert!(old.iter().any(|line| line.contains("Started")));
    assert!(!old.iter().any(|line| line.contains("reopened")));

    // A clean stop writes its last line before the process exits.
    procs.signal("online_serv-1", "TERM");
    let status = procs.child("online_serv-1").wait().unwrap();
    assert!(status.success(), "{status}");
    let last = lines(&log_file);
    assert!(
        last.last().is_some_and(|line| line.contains("Stopped")),
        "{last:?}"
    );
}
