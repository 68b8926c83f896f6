//! Commands, kicks and look-ups through manage_serv's API: every command
//! with a result per matched process, a process that cannot answer, and
//! the audit entry of each.

use std::time::Duration;

use http::StatusCode;
use manage_serv::accounts::Role;
use schat_client::CreateGroupRequest;
use schat_testkit::manage::{fast_manage, Console};
use schat_testkit::{eventually, ClusterSpec, TestCluster};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

fn spec() -> ClusterSpec {
    ClusterSpec {
        sets: 2,
        chats: 2,
        manages: 1,
        manage: fast_manage(),
        ..ClusterSpec::default()
    }
}

fn results(answer: &Value) -> Vec<Value> {
    answer["results"].as_array().cloned().unwrap_or_default()
}

fn procs_of(results: &[Value]) -> Vec<String> {
    let mut procs: Vec<String> = results
        .iter()
        .map(|result| result["proc"].as_str().unwrap_or_default().to_string())
        .collect();
    procs.sort();
    procs
}

async fn audit_actions(console: &Console) -> anyhow::Result<Vec<(String, String, String)>> {
    let answer = console.get("/api/v1/audit?limit=50").await?;
    Ok(answer.json["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap_or_default().to_string(),
                entry["target"].as_str().unwrap_or_default().to_string(),
                entry["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect())
}

#[tokio::test]
async fn every_command_gives_a_result_per_process_and_is_audited() -> anyhow::Result<()> {
    let mut cluster = TestCluster::start(spec()).await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "root", Role::Admin).await?;
    assert!(admin.wait_all_up(WAIT).await, "not every process came up");

    // Preview: names the pattern is found in, in file order.
    let preview = admin
        .post(
            "/api/v1/commands/preview",
            json!({ "command": "reload", "match": "conn_serv-.*" }),
        )
        .await?;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(
        preview.json["matched"],
        json!(["conn_serv-1", "conn_serv-2"])
    );
    let bad = admin
        .post(
            "/api/v1/commands/preview",
            json!({ "command": "reload", "match": "(" }),
        )
        .await?;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let none = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "reload", "match": "nothing-.*" }),
        )
        .await?;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);

    // log_level: done on each, and the processes report the new level.
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "log_level", "match": "^chat_serv-|db_logic_serv-1", "level": "debug" }),
        )
        .await?;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let levels = results(&answer.json);
    assert_eq!(
        procs_of(&levels),
        vec!["chat_serv-1", "chat_serv-2", "db_logic_serv-1"]
    );
    assert!(levels.iter().all(|r| r["outcome"] == "done"), "{levels:?}");
    let levelled = eventually(WAIT, || async {
        let mut all = true;
        for name in ["chat_serv-1", "chat_serv-2", "db_logic_serv-1"] {
            all &= admin
                .proc_row(name)
                .await
                .is_ok_and(|row| row["log_level"] == "debug");
        }
        all && admin.proc_row("chat_serv-1").await.is_ok_and(|_| true)
    })
    .await;
    assert!(levelled, "the new level is not reported");
    assert_eq!(admin.proc_row("logic_serv-1").await?["log_level"], "info");

    // reload: a changed setting is applied and listed by each process; a
    // file that fails validation changes nothing, and each says why.
    let window = cluster.config.chat.recall_window_secs + 7;
    cluster.edit_config(|config| config.chat.recall_window_secs = window)?;
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "reload", "match": "online_serv-1|disp_serv-1" }),
        )
        .await?;
    let reload = results(&answer.json);
    assert_eq!(procs_of(&reload), vec!["disp_serv-1", "online_serv-1"]);
    for result in &reload {
        assert_eq!(result["outcome"], "done", "{result}");
        assert_eq!(
            result["changed"],
            json!(["chat.recall_window_secs"]),
            "{result}"
        );
        assert_eq!(result["needs_restart"], json!([]), "{result}");
    }
    for name in ["disp_serv-1", "online_serv-1"] {
        let live = cluster.node(name).unwrap().config.current();
        assert_eq!(live.chat.recall_window_secs, window, "{name}");
    }
    let taken_port = cluster.config.proc_by_name("conn_serv-1")?.port;
    cluster.edit_config(|config| {
        config.chat.recall_window_secs = window + 1;
        let clash = config
            .procs
            .iter_mut()
            .find(|p| p.name == "conn_serv-2")
            .unwrap();
        clash.port = taken_port;
    })?;
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "reload", "match": "online_serv-1|disp_serv-1" }),
        )
        .await?;
    for result in &results(&answer.json) {
        assert_eq!(result["outcome"], "failed", "{result}");
        assert!(
            result["detail"]
                .as_str()
                .unwrap()
                .contains("is used by both"),
            "{result}"
        );
    }
    for name in ["disp_serv-1", "online_serv-1"] {
        let live = cluster.node(name).unwrap().config.current();
        assert_eq!(
            live.chat.recall_window_secs, window,
            "{name}: a bad file changed it"
        );
    }

    // reopen_logs: a result per process, each with its reason.
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "reopen_logs", "match": "dir_serv-1|online_serv-2" }),
        )
        .await?;
    let reopen = results(&answer.json);
    assert_eq!(procs_of(&reopen), vec!["online_serv-2"]);
    // Test processes log to standard error: the reason says so.
    assert_eq!(reopen[0]["outcome"], "failed");
    assert!(reopen[0]["detail"]
        .as_str()
        .unwrap()
        .contains("standard error"));

    // drain: conn_serv-2 reports draining.
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "drain", "match": "conn_serv-2" }),
        )
        .await?;
    let drain = results(&answer.json);
    assert_eq!(drain.len(), 1);
    assert_eq!(drain[0]["outcome"], "done", "{drain:?}");
    let draining = eventually(WAIT, || async {
        admin
            .proc_row("conn_serv-2")
            .await
            .is_ok_and(|row| row["draining"] == true)
    })
    .await;
    assert!(draining, "conn_serv-2 does not report draining");
    // drain to a process that takes no clients fails with its reason.
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "drain", "match": "online_serv-1" }),
        )
        .await?;
    assert_eq!(results(&answer.json)[0]["outcome"], "failed");

    // stop: done, then the process is down.
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "stop", "match": "online_serv-2" }),
        )
        .await?;
    assert_eq!(
        results(&answer.json)[0]["outcome"],
        "done",
        "{}",
        answer.json
    );
    let stopped = eventually(WAIT, || async {
        admin
            .proc_row("online_serv-2")
            .await
            .is_ok_and(|row| row["state"] == "down")
    })
    .await;
    assert!(stopped, "online_serv-2 did not stop");

    // A process that cannot answer: failed or timeout, with a reason.
    cluster.stop("chat_serv-2").await?;
    let answer = admin
        .post(
            "/api/v1/commands",
            json!({ "command": "log_level", "match": "chat_serv-2|db_chat_serv-2", "level": "warn" }),
        )
        .await?;
    let unanswered = results(&answer.json);
    assert_eq!(unanswered.len(), 2);
    for result in &unanswered {
        assert!(
            ["failed", "timeout"].contains(&result["outcome"].as_str().unwrap()),
            "{result}"
        );
        assert!(!result["detail"].as_str().unwrap().is_empty());
    }

    let actions = audit_actions(&admin).await?;
    for (action, target) in [
        (
            "command:log_level",
            "^chat_serv-|db_logic_serv-1 level=debug",
        ),
        ("command:reload", "online_serv-1|disp_serv-1"),
        ("command:reopen_logs", "dir_serv-1|online_serv-2"),
        ("command:drain", "conn_serv-2"),
        ("command:stop", "online_serv-2"),
    ] {
        assert!(
            actions.iter().any(|(a, t, _)| a == action && t == target),
            "no audit entry {action} {target}: {actions:?}"
        );
    }
    let last = &actions[0];
    assert_eq!(last.0, "command:log_level");
    assert!(last.2.starts_with("0 done"), "{last:?}");
    Ok(())
}

#[tokio::test]
async fn users_and_groups_are_looked_up_and_kicked() -> anyhow::Result<()> {
    let cluster = TestCluster::start(spec()).await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "root", Role::Admin).await?;
    let (client, uid, _) = cluster.user(1, "kick-alice").await?;
    let (_bob, _, _) = cluster.user(2, "kick-bob").await?;

    let online = eventually(WAIT, || async {
        admin
            .get("/api/v1/users?account=kick-alice")
            .await
            .is_ok_and(|answer| answer.json["online"] == true)
    })
    .await;
    assert!(online, "alice is not shown online");
    let user = admin.get(&format!("/api/v1/users?uid={uid}")).await?.json;
    assert_eq!(user["exists"], true);
    assert_eq!(user["account"], "kick-alice");
    assert_eq!(user["uid"], uid);
    let session = &user["sessions"][0];
    assert_eq!(session["logic"], "logic_serv-1");
    assert_eq!(session["conn"], "conn_serv-1");
    let text = user.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    let unknown = admin.get("/api/v1/users?account=nobody-here").await?.json;
    assert_eq!(unknown["exists"], false);
    assert_eq!(
        admin.get("/api/v1/users").await?.status,
        StatusCode::BAD_REQUEST
    );

    let group = client
        .create_group(CreateGroupRequest {
            name: "lookup".to_string(),
            ..CreateGroupRequest::default()
        })
        .await?;
    for index in 0..3 {
        client
            .send_text(group.gid, &format!("l{index}"), "a message body")
            .await?;
    }
    let summary = admin.get(&format!("/api/v1/groups/{}", group.gid)).await?;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(summary.json["exists"], true);
    assert_eq!(summary.json["name"], "lookup");
    assert_eq!(summary.json["owner_uid"], uid);
    assert_eq!(summary.json["member_count"], 1);
    assert_eq!(summary.json["member_uids"], json!([uid]));
    assert_eq!(summary.json["latest_seq"], 3);
    let owner = format!("chat_serv-{}", schat_testkit::chat_owner(group.gid));
    assert_eq!(summary.json["chat_serv"], owner);
    assert!(!summary.json.to_string().contains("a message body"));

    let kick = admin
        .post(
            &format!("/api/v1/users/{uid}/kick"),
            json!({ "reason": "test kick" }),
        )
        .await?;
    assert_eq!(kick.status, StatusCode::OK, "{}", kick.json);
    let kicked = results(&kick.json);
    assert_eq!(procs_of(&kicked), vec!["logic_serv-1", "logic_serv-2"]);
    let on_one = kicked.iter().find(|r| r["proc"] == "logic_serv-1").unwrap();
    assert_eq!(on_one["outcome"], "done");
    assert_eq!(on_one["detail"], "closed 1 sessions");
    let on_two = kicked.iter().find(|r| r["proc"] == "logic_serv-2").unwrap();
    assert_eq!(on_two["detail"], "closed 0 sessions");
    let offline = eventually(WAIT, || async {
        admin
            .get(&format!("/api/v1/users?uid={uid}"))
            .await
            .is_ok_and(|answer| answer.json["online"] == false)
    })
    .await;
    assert!(offline, "alice is still online after the kick");
    let bob = admin.get("/api/v1/users?account=kick-bob").await?.json;
    assert_eq!(bob["online"], true, "bob was kicked too");

    let actions = audit_actions(&admin).await?;
    assert!(
        actions
            .iter()
            .any(|(a, t, r)| a == "kick" && *t == format!("uid:{uid}") && r.starts_with("2 done")),
        "{actions:?}"
    );
    Ok(())
}
