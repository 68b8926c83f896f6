//! Config reload in running processes: a live setting takes effect and is
//! reported, a restart-only one is reported and left alone, a bad file
//! changes nothing, and sets added to the file join a cluster under load
//! without losing an acknowledged message.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use schat_client::files::Directory;
use schat_client::{Client, ClientError, CreateGroupRequest, HttpClient, MessageSync, ResultCode};
use schat_runtime::config::{ProcConfig, ProcKind};
use schat_testkit::binaries::free_port;
use schat_testkit::{eventually, ClusterSpec, TestCluster};

fn small() -> ClusterSpec {
    ClusterSpec {
        sets: 1,
        disps: 1,
        onlines: 2,
        chats: 1,
        ..ClusterSpec::default()
    }
}

async fn open_group(owner: &Client, name: &str) -> u64 {
    owner
        .create_group(CreateGroupRequest {
            name: name.to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
        .gid
}

fn code(result: Result<impl std::fmt::Debug, ClientError>) -> Option<ResultCode> {
    result.err().and_then(|err| err.code())
}

#[tokio::test]
async fn a_live_setting_takes_effect_and_a_restart_one_is_only_reported() {
    let mut cluster = TestCluster::start(small()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = open_group(&alice, "talk").await;
    let long = "x".repeat(200);
    alice.send_text(gid, "before", &long).await.unwrap();

    cluster
        .edit_config(|config| {
            config.chat.max_message_bytes = 100;
            config.limits.worker_threads = 4;
            config.redis.db = 5;
        })
        .unwrap();
    let result = cluster.reload("chat_serv-1").unwrap();
    assert!(result.ok, "{result:?}");
    assert_eq!(result.changed, ["chat.max_message_bytes"]);
    assert_eq!(
        result.needs_restart,
        ["limits.worker_threads", "redis.db"],
        "{result:?}"
    );
    let running = cluster.node("chat_serv-1").unwrap().config.current();
    assert_eq!(running.chat.max_message_bytes, 100);
    assert_eq!(
        running.limits.worker_threads, 1,
        "a restart setting was applied"
    );
    assert_eq!(running.redis.db, 0, "a restart setting was applied");

    assert_eq!(
        code(alice.send_text(gid, "after", &long).await),
        Some(ResultCode::MessageTooLarge),
        "a message over the reloaded limit was accepted"
    );
    alice.send_text(gid, "short", "fits").await.unwrap();

    // A second reload of the same file changes nothing more.
    let again = cluster.reload("chat_serv-1").unwrap();
    assert!(again.ok && again.changed.is_empty(), "{again:?}");
    assert_eq!(again.needs_restart, ["limits.worker_threads", "redis.db"]);
}

#[tokio::test]
async fn a_bad_file_changes_nothing_and_says_why() {
    let mut cluster = TestCluster::start(small()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = open_group(&alice, "talk").await;
    let long = "x".repeat(200);

    // A syntax error.
    std::fs::write(cluster.config_path(), "{ \"cluster\": ").unwrap();
    let syntax = cluster.reload("chat_serv-1").unwrap();
    assert!(!syntax.ok);
    assert!(syntax.detail.contains("EOF while parsing"), "{syntax:?}");

    // A duplicate port, next to a live change that must not be applied.
    let disp_port = cluster.config.proc_by_name("disp_serv-1").unwrap().port;
    cluster
        .edit_config(|config| {
            config.chat.max_message_bytes = 100;
            let logic = config
                .procs
                .iter_mut()
                .find(|proc| proc.name == "logic_serv-1")
                .unwrap();
            logic.port = disp_port;
        })
        .unwrap();
    let duplicate = cluster.reload("chat_serv-1").unwrap();
    assert!(!duplicate.ok);
    assert!(
        duplicate.detail.contains("is used by both")
            && duplicate.detail.contains("disp_serv-1")
            && duplicate.detail.contains("logic_serv-1"),
        "{duplicate:?}"
    );
    assert!(duplicate.changed.is_empty() && duplicate.needs_restart.is_empty());

    // The process's own entry removed (the file is otherwise valid).
    cluster
        .edit_config(|config| {
            let logic_port = config.proc_by_name("db_logic_serv-1").unwrap().port;
            let logic = config
                .procs
                .iter_mut()
                .find(|proc| proc.name == "logic_serv-1")
                .unwrap();
            logic.port = logic_port.map(|port| port + 1000);
            config.procs.retain(|proc| proc.name != "online_serv-2");
        })
        .unwrap();
    let gone = cluster.reload("online_serv-2").unwrap();
    assert!(!gone.ok);
    assert_eq!(
        gone.detail,
        "online_serv-2 is not in the new cluster file: stop it instead"
    );

    for name in ["chat_serv-1", "online_serv-2"] {
        let running = cluster.node(name).unwrap().config.current();
        assert_eq!(running.chat.max_message_bytes, 16 * 1024, "{name} changed");
    }
    assert!(cluster
        .node("online_serv-2")
        .unwrap()
        .config
        .current()
        .proc_by_name("online_serv-2")
        .is_ok());
    alice.send_text(gid, "still", &long).await.unwrap();
}

/// The processes of a second user set and a second chat set, on free
/// ports, as an operator would add them to the file.
fn second_sets() -> Vec<ProcConfig> {
    let proc = |id: u32, name: &str, kind: ProcKind, port: bool| ProcConfig {
        port: port.then(free_port),
        ..ProcConfig::new(id, name, kind, "127.0.0.1")
    };
    vec![
        proc(402, "chat_serv-2", ProcKind::ChatServ, false),
        ProcConfig {
            chat: Some("chat_serv-2".to_string()),
            ..proc(502, "db_chat_serv-2", ProcKind::DbChatServ, true)
        },
        ProcConfig {
            logic: Some("logic_serv-2".to_string()),
            ..proc(102, "conn_serv-2", ProcKind::ConnServ, true)
        },
        proc(202, "logic_serv-2", ProcKind::LogicServ, true),
        ProcConfig {
            logic: Some("logic_serv-2".to_string()),
            ..proc(302, "db_logic_serv-2", ProcKind::DbLogicServ, true)
        },
    ]
}

/// Most rounds a sender makes before it is told to stop.
const MAX_ROUNDS: usize = 20_000;

/// Sends messages over `gids` until `stop` (or `MAX_ROUNDS`), retrying each
/// (same client id) until acknowledged; returns the rounds made and what
/// was acknowledged, by text.
async fn send_rounds(
    client: Client,
    who: &'static str,
    gids: Vec<u64>,
    progress: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> (Client, usize, BTreeMap<String, (u64, u64)>) {
    let mut acked = BTreeMap::new();
    let mut rounds = 0;
    for round in 0..MAX_ROUNDS {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        rounds += 1;
        let gid = gids[round % gids.len()];
        let text = format!("{who}-{round}");
        for _attempt in 0..50 {
            match client.send_text(gid, &text, &text).await {
                Ok(sent) => {
                    acked.insert(text.clone(), (gid, sent.seq));
                    break;
                }
                // A group moving between chat_servs may fail a send;
                // the same id makes the retry idempotent.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        progress.fetch_add(1, Ordering::Relaxed);
    }
    (client, rounds, acked)
}

#[tokio::test]
async fn sets_added_by_a_reload_take_load_without_losing_a_message() {
    let mut cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        disps: 1,
        onlines: 1,
        chats: 1,
        dirs: 1,
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(1, "bob").await.unwrap();
    let mut gids = Vec::new();
    for index in 0..24 {
        // Half each: a user may own only 20 groups.
        let (owner, member) = if index % 2 == 0 {
            (&alice, &bob)
        } else {
            (&bob, &alice)
        };
        let gid = open_group(owner, &format!("g{index}")).await;
        member.join_group(gid, "", "").await.unwrap();
        gids.push(gid);
    }
    let moving: Vec<u64> = gids
        .iter()
        .copied()
        .filter(|gid| schat_runtime::rendezvous::owner(*gid, [401, 402]) == Some(402))
        .collect();
    assert!(!moving.is_empty(), "no group would move to chat_serv-2");

    let progress = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let alice_task = tokio::spawn(send_rounds(
        alice,
        "alice",
        gids.clone(),
        progress.clone(),
        stop.clone(),
    ));
    let bob_task = tokio::spawn(send_rounds(
        bob,
        "bob",
        gids.clone(),
        progress.clone(),
        stop.clone(),
    ));
    let started = eventually(Duration::from_secs(20), || async {
        progress.load(Ordering::Relaxed) >= 100
    })
    .await;
    assert!(started, "the senders made no progress");

    // The operator adds both sets to the file (and takes new clients off
    // the old conn_serv), reloads every running process, then starts the
    // new ones.
    let running: Vec<String> = cluster
        .config
        .procs
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let added = second_sets();
    let added_names: Vec<String> = added.iter().map(|proc| proc.name.clone()).collect();
    cluster
        .edit_config(|config| {
            config.procs.extend(added);
            let conn_1 = config
                .procs
                .iter_mut()
                .find(|proc| proc.name == "conn_serv-1")
                .unwrap();
            conn_1.weight = Some(0);
        })
        .unwrap();
    for name in &running {
        let result = cluster.reload(name).unwrap();
        assert!(result.ok, "{name}: {result:?}");
        for added in &added_names {
            assert!(
                result.changed.contains(&format!("procs: added {added}")),
                "{name}: {result:?}"
            );
        }
        assert!(result
            .changed
            .contains(&"procs.conn_serv-1.weight".to_string()));
        assert!(result.needs_restart.is_empty(), "{name}: {result:?}");
    }
    for name in &added_names {
        cluster.restart(name).await.unwrap();
    }

    assert!(
        !alice_task.is_finished() && !bob_task.is_finished(),
        "the senders stopped before the reload"
    );
    let before_new_sets = progress.load(Ordering::Relaxed);

    // A client of the new conn_serv logs in and chats in the groups that
    // moved to the new chat_serv.
    let mut carol = None;
    for _ in 0..200 {
        if let Ok(client) = cluster.client(2).await {
            let _ = client.register("carol", "password123", "").await;
            if client.login_password("carol", "password123").await.is_ok() {
                carol = Some(client);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let carol = carol.expect("nobody could log in on the new conn_serv");
    for gid in &moving {
        carol.join_group(*gid, "", "").await.unwrap();
        carol
            .send_text(*gid, &format!("carol-{gid}"), "hello")
            .await
            .unwrap();
    }

    // The directory hands out the new conn_serv (the old one weighs 0 now).
    let conn_2 = cluster.conn_addr(2);
    let handed = eventually(Duration::from_secs(10), || async {
        Directory::lookup(&HttpClient::default(), &cluster.http_url("dir_serv-1"))
            .await
            .is_ok_and(|dir| dir.conn_addr == conn_2)
    })
    .await;
    assert!(handed, "the directory never handed out the new conn_serv");

    // The senders kept going while the new sets came up.
    let more = eventually(Duration::from_secs(10), || async {
        progress.load(Ordering::Relaxed) >= before_new_sets + 100
    })
    .await;
    assert!(more, "the senders stalled after the new sets came");
    stop.store(true, Ordering::Relaxed);
    let (alice, alice_rounds, alice_acked) = alice_task.await.unwrap();
    let (_bob, bob_rounds, bob_acked) = bob_task.await.unwrap();
    assert_eq!(
        alice_acked.len(),
        alice_rounds,
        "some sends were never acknowledged"
    );
    assert_eq!(
        bob_acked.len(),
        bob_rounds,
        "some sends were never acknowledged"
    );

    // The old chat_serv goes: every group, wherever it was, is now served
    // by the new chat_serv alone, which the running disp accepted.
    cluster.stop("chat_serv-1").await.unwrap();
    for gid in &gids {
        let sent = eventually(Duration::from_secs(10), || async {
            alice
                .send_text(*gid, &format!("last-{gid}"), "last")
                .await
                .is_ok()
        })
        .await;
        assert!(
            sent,
            "group {gid} cannot be reached through the new chat_serv"
        );
    }

    // Every acknowledged message is stored once, at its seq.
    for gid in &gids {
        let mut sync = MessageSync::new();
        let all = sync.catch_up(&alice, *gid, 1).await.unwrap();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for message in &all {
            *seen.entry(message.text.as_str()).or_default() += 1;
        }
        for (text, (acked_gid, seq)) in alice_acked.iter().chain(bob_acked.iter()) {
            if acked_gid != gid {
                continue;
            }
            assert_eq!(seen.get(text.as_str()), Some(&1), "{text} in group {gid}");
            let at = all.iter().find(|message| message.seq == *seq).unwrap();
            assert_eq!(at.text, *text);
        }
    }
}
