//! What every process tells manage_serv, and the operators' commands as
//! the processes carry them out: stats from each kind of process (paired
//! members through their leaders, disps for themselves), counters that
//! follow the traffic, user and group lookups, kicking a user, and
//! draining a conn_serv. The test joins the fabric as manage_serv-1.

use std::time::Duration;

use schat_client::files::Directory;
use schat_client::{ClientError, CreateGroupRequest, HttpClient, Push, ResultCode};
use schat_proto::server::{
    admin_command::Cmd, admin_reply::Reply, admin_request::Op, server_msg::Msg, AdminCommand,
    AdminRequest, CommandResult, DrainConn, GroupLookup, GroupSummary, KickUser, MetricKind,
    ProcStats, ProcType, StatsQuery, UserInfo, UserLookup,
};
use schat_runtime::logging::test_logger;
use schat_runtime::stats::histogram_quantile;
use schat_runtime::{CallError, Fabric, Node, ProcKind, Shutdown, Target};
use schat_testkit::{chat_owner, eventually, push_where, ClusterSpec, TestCluster};
use tokio::sync::mpsc;

/// manage_serv-1's place on the fabric, taken by the test.
struct Manage {
    fabric: Fabric,
    shutdown: Shutdown,
}

impl Drop for Manage {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Stops manage_serv-1 and joins the fabric under its id.
async fn join_as_manage(cluster: &mut TestCluster) -> Manage {
    cluster.stop("manage_serv-1").await.unwrap();
    let shutdown = Shutdown::new();
    let node = Node::new(
        schat_runtime::LiveConfig::fixed((*cluster.config).clone()),
        cluster
            .config
            .proc_by_name("manage_serv-1")
            .unwrap()
            .clone(),
        test_logger("manage_serv-1"),
        Default::default(),
        shutdown.clone(),
    );
    let (inbox, _requests) = mpsc::channel(16);
    let fabric = Fabric::start(&node, inbox);
    let disps = cluster.config.disp_addrs().len();
    let up = eventually(Duration::from_secs(5), || async {
        fabric.live_disps() == disps
    })
    .await;
    assert!(up, "did not reach every disp");
    Manage { fabric, shutdown }
}

impl Manage {
    /// Sends `op` for `name` the way manage_serv does: to the process, or
    /// to the leader of its set for a paired member.
    async fn ask(&self, cluster: &TestCluster, name: &str, op: Op) -> Result<Reply, CallError> {
        let config = &cluster.config;
        let proc = config.proc_by_name(name).unwrap();
        let leader = match proc.kind {
            ProcKind::ConnServ | ProcKind::DbLogicServ => config.logic_of(proc).unwrap(),
            ProcKind::DbChatServ => config.chat_of(proc).unwrap(),
            _ => proc,
        };
        let target = Target::spec(leader.kind.proc_type(), leader.id);
        self.call(target, proc.id, op).await
    }

    async fn call(&self, target: Target, proc_id: u32, op: Op) -> Result<Reply, CallError> {
        let request = Msg::AdminRequest(AdminRequest {
            proc_id,
            op: Some(op),
        });
        match self.fabric.channel().call(target, request).await? {
            Msg::AdminReply(reply) => Ok(reply.reply.expect("a reply body")),
            other => panic!("expected an admin reply, got {other:?}"),
        }
    }

    async fn stats(&self, cluster: &TestCluster, name: &str) -> ProcStats {
        match self.ask(cluster, name, Op::Stats(StatsQuery {})).await {
            Ok(Reply::Stats(stats)) => stats,
            other => panic!("expected stats of {name}, got {other:?}"),
        }
    }

    async fn command(&self, cluster: &TestCluster, name: &str, cmd: Cmd) -> CommandResult {
        let op = Op::Command(AdminCommand { cmd: Some(cmd) });
        match self.ask(cluster, name, op).await {
            Ok(Reply::Result(result)) => result,
            other => panic!("expected a command result from {name}, got {other:?}"),
        }
    }

    async fn user(&self, lookup: UserLookup) -> UserInfo {
        match self
            .call(Target::any(ProcType::Logic), 0, Op::User(lookup))
            .await
        {
            Ok(Reply::User(user)) => user,
            other => panic!("expected a user, got {other:?}"),
        }
    }

    async fn group(&self, gid: u64) -> GroupSummary {
        let target = Target::hash(ProcType::Chat, gid);
        match self.call(target, 0, Op::Group(GroupLookup { gid })).await {
            Ok(Reply::Group(group)) => group,
            other => panic!("expected a group, got {other:?}"),
        }
    }
}

/// The value of the metric `name` (with `label` as one of its label values,
/// when given); panics when it is missing.
fn metric(stats: &ProcStats, name: &str, label: Option<&str>) -> f64 {
    stats
        .metrics
        .iter()
        .find(|m| {
            m.name == name && label.is_none_or(|label| m.labels.iter().any(|l| l.value == label))
        })
        .unwrap_or_else(|| panic!("{} has no metric {name} {label:?}", stats.name))
        .value
}

fn spec() -> ClusterSpec {
    ClusterSpec {
        manages: 1,
        dirs: 1,
        file_servs: 1,
        ..ClusterSpec::default()
    }
}

#[tokio::test]
async fn every_kind_of_process_reports_its_stats() {
    let mut cluster = TestCluster::start(spec()).await.unwrap();
    let manage = join_as_manage(&mut cluster).await;
    let expected: [(&str, ProcType, &str, &[&str]); 10] = [
        (
            "conn_serv-1",
            ProcType::Conn,
            "logic_serv-1",
            &[
                "clients",
                "clients_accepted_total",
                "clients_refused_total",
                "client_frames_in_total",
                "client_frames_out_total",
                "client_bytes_in_total",
                "client_bytes_out_total",
                "client_queue_drops_total",
            ],
        ),
        (
            "logic_serv-1",
            ProcType::Logic,
            "logic_serv-1",
            &[
                "sessions",
                "logins_total",
                "login_failures_total",
                "requests_total",
            ],
        ),
        (
            "db_logic_serv-1",
            ProcType::DbLogic,
            "logic_serv-1",
            &["redis_roundtrip_seconds", "redis_errors_total"],
        ),
        (
            "chat_serv-2",
            ProcType::Chat,
            "chat_serv-2",
            &["groups_held", "messages_stored_total", "deliveries_total"],
        ),
        (
            "db_chat_serv-2",
            ProcType::DbChat,
            "chat_serv-2",
            &["redis_roundtrip_seconds", "redis_errors_total"],
        ),
        (
            "online_serv-1",
            ProcType::Online,
            "online_serv-1",
            &["online_users"],
        ),
        (
            "file_serv-1",
            ProcType::File,
            "file_serv-1",
            &[
                "files_stored",
                "file_bytes_stored",
                "uploads_total",
                "downloads_total",
            ],
        ),
        (
            "dir_serv-1",
            ProcType::Dir,
            "dir_serv-1",
            &["lookups_total"],
        ),
        (
            "disp_serv-1",
            ProcType::Disp,
            "disp_serv-1",
            &["packets_forwarded_total", "bounces_total", "peers"],
        ),
        (
            "disp_serv-2",
            ProcType::Disp,
            "disp_serv-2",
            &["packets_forwarded_total", "bounces_total", "peers"],
        ),
    ];
    for (name, proc_type, set, names) in expected {
        let stats = manage.stats(&cluster, name).await;
        assert_eq!(stats.name, name);
        assert_eq!(stats.proc_type(), proc_type, "{name}");
        assert_eq!(stats.set, set, "{name}");
        assert_eq!(stats.pid, std::process::id(), "{name}");
        assert!(stats.rss_bytes > 0, "{name}: rss {}", stats.rss_bytes);
        assert!(stats.open_files > 0, "{name}");
        assert!(stats.started_at_ms > 0 && stats.started_at_ms <= stats.taken_at_ms);
        assert!(!stats.version.is_empty() && !stats.log_level.is_empty());
        for metric_name in names {
            metric(&stats, metric_name, None);
        }
        // Queue depths carry a bounded label, never an id.
        for queue in stats
            .metrics
            .iter()
            .filter(|m| m.name.starts_with("queue_"))
        {
            let labels: Vec<_> = queue.labels.iter().map(|l| l.value.as_str()).collect();
            assert!(
                matches!(labels.as_slice(), ["client" | "peer" | "inbox"]),
                "{name}: {labels:?}"
            );
        }
    }
    // Each queue kind where it exists.
    let conn = manage.stats(&cluster, "conn_serv-1").await;
    metric(&conn, "queue_depth", Some("client"));
    metric(&conn, "queue_drops_total", Some("client"));
    metric(&conn, "queue_depth", Some("inbox"));
    let logic = manage.stats(&cluster, "logic_serv-1").await;
    metric(&logic, "queue_depth", Some("peer"));
    metric(&logic, "queue_drops_total", Some("peer"));
    let disp = manage.stats(&cluster, "disp_serv-1").await;
    metric(&disp, "queue_depth", Some("peer"));
    // Every process but the disp itself (and manage_serv, stopped) links
    // to the disp: 2 online + 2 logic + 2 chat + file + dir + the test.
    assert_eq!(metric(&disp, "peers", None), 9.0);
    // The readiness probes logged in through db_logic_serv-1.
    let db = manage.stats(&cluster, "db_logic_serv-1").await;
    let trips = db
        .metrics
        .iter()
        .find(|m| m.name == "redis_roundtrip_seconds")
        .expect("the round-trip histogram");
    assert_eq!(trips.kind, MetricKind::Histogram as i32);
    assert!(trips.count > 0);
    assert_eq!(trips.bucket_counts.iter().sum::<u64>(), trips.count);
    let p99 = histogram_quantile(&trips.bucket_bounds, &trips.bucket_counts, 0.99);
    assert!(p99.is_some_and(|p99| p99 > 0.0));

    // A proc id that is neither the process nor a member of its set.
    for (target, proc_id) in [
        (Target::spec(ProcType::Logic, 201), 102), // the other set's conn
        (Target::spec(ProcType::Logic, 201), 999),
        (Target::spec(ProcType::Chat, 401), 502),
        (Target::spec(ProcType::Online, 11), 12),
        (Target::spec(ProcType::Disp, 1), 2),
    ] {
        match manage.call(target, proc_id, Op::Stats(StatsQuery {})).await {
            Err(CallError::Remote { code, reason }) => {
                assert_eq!(code, ResultCode::BadRequest, "{reason}");
            }
            other => panic!("expected an error for {proc_id}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn counters_follow_the_traffic() {
    let mut cluster = TestCluster::start(spec()).await.unwrap();
    let manage = join_as_manage(&mut cluster).await;
    let logins_before = metric(
        &manage.stats(&cluster, "logic_serv-1").await,
        "logins_total",
        None,
    );
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(1, "bob").await.unwrap();
    let logic = manage.stats(&cluster, "logic_serv-1").await;
    assert_eq!(metric(&logic, "logins_total", None), logins_before + 2.0);
    assert_eq!(metric(&logic, "sessions", None), 2.0);

    // A failed login counts as one.
    let stranger = cluster.client(1).await.unwrap();
    assert!(stranger
        .login_password("alice", "wrong-password")
        .await
        .is_err());
    let logic = manage.stats(&cluster, "logic_serv-1").await;
    assert!(metric(&logic, "login_failures_total", None) >= 1.0);
    drop(stranger);

    // The readiness probes' connections are gone: alice and bob remain.
    let two_clients = eventually(Duration::from_secs(5), || async {
        metric(
            &manage.stats(&cluster, "conn_serv-1").await,
            "clients",
            None,
        ) == 2.0
    })
    .await;
    assert!(two_clients, "conn_serv-1 should count 2 clients");

    let group = alice
        .create_group(CreateGroupRequest {
            name: "counted".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    bob.join_group(group.gid, "", "").await.unwrap();
    // A message is pushed after it is acknowledged: the join's system
    // message is counted once bob has it.
    let is_message = |push: Push| matches!(push, Push::Message(_)).then_some(push);
    push_where(&bob, is_message).await;
    let owner = format!("chat_serv-{}", chat_owner(group.gid));
    let chat_before = manage.stats(&cluster, &owner).await;
    let conn_before = manage.stats(&cluster, "conn_serv-1").await;
    const N: u64 = 5;
    for index in 0..N {
        alice
            .send_text(group.gid, &format!("m{index}"), "hello")
            .await
            .unwrap();
    }
    for _ in 0..N {
        push_where(&bob, is_message).await;
    }
    let chat_after = manage.stats(&cluster, &owner).await;
    let stored = metric(&chat_after, "messages_stored_total", None)
        - metric(&chat_before, "messages_stored_total", None);
    assert_eq!(stored, N as f64, "on {owner}");
    // Both members are online: each message went out to two recipients.
    let delivered = metric(&chat_after, "deliveries_total", None)
        - metric(&chat_before, "deliveries_total", None);
    assert_eq!(delivered, 2.0 * N as f64, "on {owner}");
    assert!(metric(&chat_after, "groups_held", None) >= 1.0);

    let conn_after = manage.stats(&cluster, "conn_serv-1").await;
    let frames_in = metric(&conn_after, "client_frames_in_total", None)
        - metric(&conn_before, "client_frames_in_total", None);
    assert!(frames_in >= N as f64, "{frames_in}");
    let bytes_out = metric(&conn_after, "client_bytes_out_total", None)
        - metric(&conn_before, "client_bytes_out_total", None);
    assert!(bytes_out > 0.0);

    // The disps forwarded the sends, and bounce what has no target.
    let forwarded = |stats: &ProcStats| metric(stats, "packets_forwarded_total", None);
    let disp_1 = manage.stats(&cluster, "disp_serv-1").await;
    let disp_2 = manage.stats(&cluster, "disp_serv-2").await;
    assert!(forwarded(&disp_1) + forwarded(&disp_2) >= N as f64);
    let bounced = manage
        .fabric
        .channel()
        .call(
            Target::spec(ProcType::Logic, 999).keyed(1),
            Msg::Locate(Default::default()),
        )
        .await;
    assert!(bounced.is_err());
    let bounces = metric(
        &manage.stats(&cluster, "disp_serv-1").await,
        "bounces_total",
        None,
    ) + metric(
        &manage.stats(&cluster, "disp_serv-2").await,
        "bounces_total",
        None,
    );
    assert!(bounces >= 1.0);

    // online_serv counts the users online anywhere.
    let online = eventually(Duration::from_secs(5), || async {
        metric(
            &manage.stats(&cluster, "online_serv-1").await,
            "online_users",
            None,
        ) >= 2.0
    })
    .await;
    assert!(online);

    // Directory lookups (once the directory has heard from the sets).
    let http = HttpClient::default();
    let dir_url = cluster.http_url("dir_serv-1");
    let dir_ready = eventually(Duration::from_secs(10), || async {
        Directory::lookup(&http, &dir_url).await.is_ok()
    })
    .await;
    assert!(dir_ready);
    let dir_before = metric(
        &manage.stats(&cluster, "dir_serv-1").await,
        "lookups_total",
        None,
    );
    Directory::lookup(&http, &dir_url).await.unwrap();
    let dir_after = metric(
        &manage.stats(&cluster, "dir_serv-1").await,
        "lookups_total",
        None,
    );
    assert_eq!(dir_after, dir_before + 1.0);
}

#[tokio::test]
async fn users_and_groups_are_looked_up_and_users_kicked() {
    let mut cluster = TestCluster::start(spec()).await.unwrap();
    let manage = join_as_manage(&mut cluster).await;
    let (alice, alice_uid, alice_token) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(1, "bob").await.unwrap();
    let (carol, carol_uid, _) = cluster.user(2, "carol").await.unwrap();
    drop(carol);

    // Online, by account and by uid, from any logic_serv.
    for lookup in [
        UserLookup {
            account: "Alice".to_string(),
            uid: 0,
        },
        UserLookup {
            account: String::new(),
            uid: alice_uid,
        },
    ] {
        let user = manage.user(lookup).await;
        assert!(user.exists);
        assert_eq!(user.uid, alice_uid);
        assert_eq!(user.account, "alice");
        assert_eq!(user.sessions.len(), 1, "{user:?}");
        let session = &user.sessions[0];
        assert_eq!(session.logic, "logic_serv-1");
        assert_eq!(session.conn, "conn_serv-1");
        assert_ne!(session.session_id, 0);
        assert!(session.since_ms > 0 && session.since_ms <= schat_runtime::time::now_ms());
    }
    // Offline once its connection is gone; unknown is not an error.
    let offline = eventually(Duration::from_secs(5), || async {
        let user = manage
            .user(UserLookup {
                account: String::new(),
                uid: carol_uid,
            })
            .await;
        user.exists && user.account == "carol" && user.sessions.is_empty()
    })
    .await;
    assert!(offline, "carol should be known and offline");
    for lookup in [
        UserLookup {
            account: "nobody-here".to_string(),
            uid: 0,
        },
        UserLookup {
            account: String::new(),
            uid: 987_654,
        },
    ] {
        assert!(!manage.user(lookup).await.exists);
    }

    // A group: its members, its latest seq, the chat_serv that owns it.
    let group = alice
        .create_group(CreateGroupRequest {
            name: "looked-at".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    bob.join_group(group.gid, "", "").await.unwrap();
    let mut last_seq = 0;
    for index in 0..3 {
        last_seq = alice
            .send_text(group.gid, &format!("g{index}"), "hi")
            .await
            .unwrap()
            .seq;
    }
    let summary = manage.group(group.gid).await;
    assert!(summary.exists);
    assert_eq!(summary.gid, group.gid);
    assert_eq!(summary.name, "looked-at");
    assert_eq!(summary.owner_uid, alice_uid);
    assert_eq!(summary.member_count, 2);
    let mut members = summary.member_uids.clone();
    members.sort_unstable();
    let mut expected = vec![alice_uid, bob_uid];
    expected.sort_unstable();
    assert_eq!(members, expected);
    assert_eq!(summary.latest_seq, last_seq);
    assert_eq!(
        summary.chat_serv,
        format!("chat_serv-{}", chat_owner(group.gid))
    );
    assert!(!manage.group(group.gid + 1000).await.exists);

    // Kick alice: her logic closes her one session; bob stays.
    let result = manage
        .command(
            &cluster,
            "logic_serv-1",
            Cmd::Kick(KickUser {
                uid: alice_uid,
                reason: "removed by the operators".to_string(),
            }),
        )
        .await;
    assert!(result.ok, "{result:?}");
    assert_eq!(result.detail, "closed 1 sessions");
    match push_where(&alice, |push| {
        matches!(push, Push::Kicked { .. }).then_some(push)
    })
    .await
    {
        Push::Kicked { reason } => assert_eq!(reason, "removed by the operators"),
        other => panic!("expected a kick, got {other:?}"),
    }
    let closed = eventually(Duration::from_secs(5), || async {
        matches!(alice.profile().await, Err(ClientError::Closed(_)))
    })
    .await;
    assert!(closed, "alice's connection should close");
    assert_eq!(bob.profile().await.unwrap().uid, bob_uid);
    // Her saved token no longer logs her in; her password does.
    let again = cluster.client(1).await.unwrap();
    match again.login_token(&alice_token).await {
        Err(ClientError::Server { code, .. }) => assert_eq!(code, ResultCode::TokenInvalid),
        other => panic!("a kicked user's token still logs in: {other:?}"),
    }
    assert_eq!(
        again
            .login_password("alice", "password123")
            .await
            .unwrap()
            .uid,
        alice_uid
    );
    // Another logic holds no session of hers.
    let elsewhere = manage
        .command(
            &cluster,
            "logic_serv-2",
            Cmd::Kick(KickUser {
                uid: bob_uid,
                reason: String::new(),
            }),
        )
        .await;
    assert_eq!(elsewhere.detail, "closed 0 sessions");
    assert_eq!(bob.profile().await.unwrap().uid, bob_uid);
}

#[tokio::test]
async fn a_drained_conn_serv_sends_its_clients_elsewhere() {
    let mut cluster = TestCluster::start(spec()).await.unwrap();
    let manage = join_as_manage(&mut cluster).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let http = HttpClient::default();
    let dir_url = cluster.http_url("dir_serv-1");
    let hands_out_1 = eventually(Duration::from_secs(10), || async {
        Directory::lookup(&http, &dir_url)
            .await
            .is_ok_and(|dir| dir.conn_id == 101)
    })
    .await;
    assert!(hands_out_1, "the directory should hand out conn_serv-1");

    // Only conn_serv takes the command.
    let refused = manage
        .command(&cluster, "logic_serv-1", Cmd::Drain(DrainConn {}))
        .await;
    assert!(!refused.ok);

    let result = manage
        .command(&cluster, "conn_serv-1", Cmd::Drain(DrainConn {}))
        .await;
    assert!(result.ok, "{result:?}");
    assert!(
        result.detail.contains("clients to reconnect elsewhere"),
        "{}",
        result.detail
    );
    match push_where(&alice, |push| {
        matches!(push, Push::Closing { .. }).then_some(push)
    })
    .await
    {
        Push::Closing { code, reason } => {
            assert_eq!(code, ResultCode::ShuttingDown);
            assert!(reason.contains("draining"), "{reason}");
        }
        other => panic!("expected a closing notice, got {other:?}"),
    }

    // The directory never hands it out again.
    for _ in 0..20 {
        let dir = Directory::lookup(&http, &dir_url).await.unwrap();
        assert_eq!(dir.conn_id, 102);
    }
    // New connections are refused.
    let addr = cluster.conn_addr(1);
    let refusing = eventually(Duration::from_secs(5), || async {
        tokio::net::TcpStream::connect(&addr).await.is_err()
    })
    .await;
    assert!(refusing, "conn_serv-1 should refuse connections");
    // It says it is draining; the other set is untouched.
    let stats = manage.stats(&cluster, "conn_serv-1").await;
    assert!(stats.draining);
    assert_eq!(metric(&stats, "clients", None), 0.0);
    assert!(!manage.stats(&cluster, "conn_serv-2").await.draining);
    let (other, _, _) = cluster.user(2, "bob").await.unwrap();
    assert!(other.profile().await.is_ok());
}
