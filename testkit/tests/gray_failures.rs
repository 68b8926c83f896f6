//! Gray failures with the real binaries: a process that hangs (SIGSTOP: its
//! kernel still accepts connections, but nothing answers) is routed around
//! within about one peer timeout; calls waiting on it fail at once instead
//! of at the request timeout; one slow request does not hold up the other
//! requests of its connection; a set whose storage is down hands its work
//! to healthy sets, and the directory stops handing it out.

use std::time::{Duration, Instant};

use schat_client::{Client, ClientError};
use schat_testkit::{eventually, BinCluster};

/// Peer timeout of these clusters; the request timeout is far longer, so
/// an answer that waits for it is told apart from one that does not.
const PEER_TIMEOUT: Duration = Duration::from_millis(1000);
const REQUEST_TIMEOUT_MS: u64 = 8000;

fn start() -> BinCluster {
    BinCluster::start(|config| {
        config["timing"]["request_timeout_ms"] = REQUEST_TIMEOUT_MS.into();
    })
    .expect("cluster starts")
}

async fn logs_in(addr: &str, account: &str) -> Result<Client, ClientError> {
    let client = Client::connect(addr).await?;
    let _ = client.register(account, "password123", "").await;
    client.login_password(account, "password123").await?;
    Ok(client)
}

/// Logs `account` in on `set`, waiting for the cluster to come up.
async fn ready_user(cluster: &BinCluster, set: usize, account: &str) -> Client {
    let addr = cluster.conn_addr(set);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(client) = logs_in(&addr, account).await {
            // Presence and the chat sets are up once a group can be made.
            if client
                .create_group(schat_client::CreateGroupRequest {
                    name: format!("probe-{account}"),
                    ..Default::default()
                })
                .await
                .is_ok()
            {
                return client;
            }
        }
        if Instant::now() >= deadline {
            cluster.dump_logs();
            panic!("set {set} did not come up");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Groups owned by each chat_serv (by the disps' rendezvous hash): `per`
/// of chat_serv-1's and `per` of chat_serv-2's, all joined by `member`.
async fn groups_on_both_chats(owner: &Client, member: &Client, per: usize) -> Vec<(u64, u32)> {
    let mut groups: Vec<(u64, u32)> = Vec::new();
    let count = |groups: &Vec<(u64, u32)>, chat: u32| {
        groups.iter().filter(|(_, owner)| *owner == chat).count()
    };
    while count(&groups, 1) < per || count(&groups, 2) < per {
        let group = owner
            .create_group(schat_client::CreateGroupRequest {
                name: "gray".to_string(),
                ..Default::default()
            })
            .await
            .expect("create group");
        let chat = schat_testkit::chat_owner(group.gid);
        if count(&groups, chat) < per {
            member.join_group(group.gid, "", "").await.expect("join");
            groups.push((group.gid, chat));
        }
    }
    groups
}

/// Sends one message to every group at once; true if every send was
/// acknowledged within `within`.
async fn all_sends_ok(client: &Client, groups: &[(u64, u32)], tag: &str, within: Duration) -> bool {
    let sends = groups.iter().map(|(gid, _)| {
        let id = format!("{tag}-{gid}");
        async move { tokio::time::timeout(within, client.send_text(*gid, &id, &id)).await }
    });
    // All in flight together on the one connection.
    futures_util::future::join_all(sends)
        .await
        .into_iter()
        .all(|sent| matches!(sent, Ok(Ok(_))))
}

#[tokio::test]
async fn a_hung_disp_or_chat_serv_is_routed_around() {
    let mut cluster = start();
    let alice = ready_user(&cluster, 1, "alice").await;
    let bob = ready_user(&cluster, 2, "bob").await;
    let groups = groups_on_both_chats(&alice, &bob, 6).await;
    assert!(all_sends_ok(&bob, &groups, "warm", Duration::from_secs(2)).await);

    // A hung disp: within about two peer timeouts every group answers
    // again, and keeps answering while the disp stays hung.
    cluster.signal("disp_serv-1", "STOP");
    let stopped = Instant::now();
    let mut round = 0;
    let recovered = eventually(PEER_TIMEOUT * 4, || {
        round += 1;
        let tag = format!("disp-{round}");
        let (bob, groups) = (&bob, &groups);
        async move { all_sends_ok(bob, groups, &tag, Duration::from_millis(800)).await }
    })
    .await;
    assert!(
        recovered,
        "sends still failing {:?} after the disp hung",
        stopped.elapsed()
    );
    for round in 0..3 {
        assert!(
            all_sends_ok(
                &bob,
                &groups,
                &format!("hung-{round}"),
                Duration::from_millis(800)
            )
            .await,
            "a send failed while the disp stayed hung (round {round})"
        );
    }
    cluster.signal("disp_serv-1", "CONT");

    // A hung chat_serv with a send in flight to it: that send is answered
    // (refused) at about the peer timeout, not the request timeout, and
    // the connection's other requests are answered meanwhile.
    let (on_1, _) = *groups
        .iter()
        .find(|(_, chat)| *chat == 1)
        .expect("a group on chat 1");
    let (on_2, _) = *groups
        .iter()
        .find(|(_, chat)| *chat == 2)
        .expect("a group on chat 2");
    cluster.signal("chat_serv-1", "STOP");
    let stopped = Instant::now();
    let stuck = async {
        let sent = bob.send_text(on_1, "stuck", "stuck").await;
        (sent, stopped.elapsed())
    };
    let others = async {
        let started = Instant::now();
        bob.profile().await.expect("profile while a send hangs");
        bob.send_text(on_2, "beside", "beside")
            .await
            .expect("send to a healthy chat_serv while another hangs");
        started.elapsed()
    };
    let ((stuck, stuck_took), others_took) = tokio::join!(stuck, others);
    assert!(
        others_took < Duration::from_millis(800),
        "the connection's other requests waited {others_took:?} behind a hung one"
    );
    if let Err(err) = &stuck {
        assert_eq!(
            err.code(),
            Some(schat_proto::client::ResultCode::Unavailable),
            "{err}"
        );
    }
    assert!(
        stuck_took < PEER_TIMEOUT * 3,
        "the send to the hung chat_serv took {stuck_took:?} (request timeout {REQUEST_TIMEOUT_MS} ms)"
    );
    // Its groups moved: the same send, retried, is stored.
    let moved = eventually(PEER_TIMEOUT * 2, || async {
        matches!(
            tokio::time::timeout(
                Duration::from_millis(800),
                bob.send_text(on_1, "stuck", "stuck")
            )
            .await,
            Ok(Ok(_))
        )
    })
    .await;
    assert!(moved, "the hung chat_serv's group did not move");
    cluster.signal("chat_serv-1", "CONT");
    let healed = eventually(PEER_TIMEOUT * 4, || {
        let (bob, groups) = (&bob, &groups);
        async move { all_sends_ok(bob, groups, "after", Duration::from_millis(800)).await }
    })
    .await;
    assert!(healed, "the cluster did not heal after SIGCONT");
}

#[tokio::test]
async fn a_set_whose_storage_is_down_hands_over_its_work() {
    let mut cluster = start();
    let alice = ready_user(&cluster, 1, "alice").await;
    let bob = ready_user(&cluster, 2, "bob").await;
    let groups = groups_on_both_chats(&alice, &bob, 3).await;

    // db_chat_serv-1 dies: chat_serv-1 is degraded, and its groups are
    // served by chat_serv-2 (same Redis) within moments — not after
    // db_chat_serv-1 is back.
    cluster
        .child("db_chat_serv-1")
        .kill()
        .expect("kill db_chat_serv-1");
    let _ = cluster.child("db_chat_serv-1").wait();
    let served = eventually(PEER_TIMEOUT * 2, || {
        let (bob, groups) = (&bob, &groups);
        async move { all_sends_ok(bob, groups, "degraded", Duration::from_millis(800)).await }
    })
    .await;
    assert!(
        served,
        "chat_serv-1's groups stayed down with its db_chat_serv"
    );

    // db_logic_serv-1 dies: the directory stops handing out conn_serv-1
    // (logins there would fail) and keeps handing out conn_serv-2.
    cluster
        .child("db_logic_serv-1")
        .kill()
        .expect("kill db_logic_serv-1");
    let _ = cluster.child("db_logic_serv-1").wait();
    let http = schat_client::HttpClient::default();
    let dir_url = cluster.dir_url();
    let lookup = || async {
        schat_client::files::Directory::lookup(&http, &dir_url)
            .await
            .map(|found| found.conn_addr)
    };
    let conn_2 = cluster.conn_addr(2);
    let skipped = eventually(PEER_TIMEOUT * 2, || async {
        for _ in 0..40 {
            if lookup().await.ok().as_ref() != Some(&conn_2) {
                return false;
            }
        }
        true
    })
    .await;
    assert!(
        skipped,
        "the directory still hands out a set whose db_logic_serv is down"
    );

    // Both come back: conn_serv-1 is handed out again, logins there work.
    cluster
        .spawn("db_chat_serv-1")
        .expect("restart db_chat_serv-1");
    cluster
        .spawn("db_logic_serv-1")
        .expect("restart db_logic_serv-1");
    let conn_1 = cluster.conn_addr(1);
    let back = eventually(Duration::from_secs(5), || async {
        for _ in 0..20 {
            if lookup().await.ok().as_ref() == Some(&conn_1) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(back, "conn_serv-1 was not handed out again");
    assert!(logs_in(&conn_1, "carol").await.is_ok());
}

#[tokio::test]
async fn a_conn_serv_holds_what_its_open_files_allow_and_the_directory_knows() {
    let mut cluster = start();
    ready_user(&cluster, 1, "early").await;
    // conn_serv-1 again, with room for 256 descriptors: 192 clients.
    cluster
        .child("conn_serv-1")
        .kill()
        .expect("kill conn_serv-1");
    let _ = cluster.child("conn_serv-1").wait();
    cluster
        .spawn_under("conn_serv-1", &["prlimit", "--nofile=256:256", "--"])
        .expect("restart conn_serv-1 under a low open-files limit");
    let addr = cluster.conn_addr(1);
    let up = eventually(Duration::from_secs(10), || async {
        match Client::connect(&addr).await {
            Ok(client) => client.ping().await.is_ok(),
            Err(_) => false,
        }
    })
    .await;
    assert!(up, "conn_serv-1 did not come back");

    // Past its capacity a client is told so at once, rather than left
    // hanging on a process out of descriptors. (All within the login
    // deadline, which would close these anonymous connections.)
    let mut streams = Vec::new();
    for _ in 0..230 {
        streams.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect"),
        );
    }
    let outcomes =
        futures_util::future::join_all(streams.into_iter().map(|mut stream| async move {
            use tokio::io::AsyncReadExt;
            let mut first = [0u8; 4];
            // Anything sent unasked is the closing notice of a full server.
            let told = tokio::time::timeout(Duration::from_secs(1), stream.read_exact(&mut first))
                .await
                .is_ok();
            (told, stream)
        }))
        .await;
    let refused = outcomes.iter().filter(|(told, _)| *told).count();
    let held: Vec<_> = outcomes
        .into_iter()
        .filter(|(told, _)| !told)
        .map(|(_, stream)| stream)
        .collect();
    assert!(refused > 0, "all {} connections were taken", held.len());
    assert!(held.len() <= 192, "{} held past the capacity", held.len());
    let http = schat_client::HttpClient::default();
    let dir_url = cluster.dir_url();
    // The directory sends new clients to the conn_serv with room.
    let elsewhere = eventually(Duration::from_secs(5), || async {
        let mut all_other = true;
        for _ in 0..20 {
            match schat_client::files::Directory::lookup(&http, &dir_url).await {
                Ok(found) => all_other &= found.conn_addr == cluster.conn_addr(2),
                Err(_) => all_other = false,
            }
        }
        all_other
    })
    .await;
    assert!(
        elsewhere,
        "the directory still sends clients to a full conn_serv"
    );
    drop(held);
}
