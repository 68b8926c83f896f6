//! Losing a disp, an online or a logic: the cluster carries on, and
//! presence converges to the truth.

use std::time::Duration;

use schat_client::Client;
use schat_testkit::{eventually, ClusterSpec, TestCluster};

async fn shows_online(observer: &Client, uid: u64) -> bool {
    match observer.users(vec![uid], Vec::new()).await {
        Ok(users) => users.first().is_some_and(|user| user.online),
        Err(_) => false,
    }
}

#[tokio::test]
async fn killing_one_disp_leaves_logins_and_presence_working() {
    let mut cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (observer, _, _) = cluster.user(2, "observer").await.unwrap();
    cluster.stop("disp_serv-1").await.unwrap();

    // Every login and lookup works at once: nothing waits for a timeout.
    for index in 0..10 {
        let set = 1 + index % 2;
        let (_client, uid, _) = cluster.user(set, &format!("after-{index}")).await.unwrap();
        assert!(
            eventually(Duration::from_secs(3), || shows_online(&observer, uid)).await,
            "user {index} never showed online"
        );
    }

    // The disp comes back and the other one can go.
    cluster.restart("disp_serv-1").await.unwrap();
    let (_, uid, _) = cluster.user(1, "back").await.unwrap();
    cluster.stop("disp_serv-2").await.unwrap();
    assert!(eventually(Duration::from_secs(5), || shows_online(&observer, uid)).await);
    cluster.user(2, "only-disp-1").await.unwrap();
}

#[tokio::test]
async fn restarted_online_rebuilds_presence_from_the_logics() {
    let mut cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (first, first_uid, _) = cluster.user(1, "kept-1").await.unwrap();
    let (_second, second_uid, _) = cluster.user(2, "kept-2").await.unwrap();

    // No online_serv at all: presence is unknown, everything else works.
    cluster.stop("online_serv-1").await.unwrap();
    cluster.stop("online_serv-2").await.unwrap();
    assert!(!shows_online(&first, second_uid).await);
    assert_eq!(first.profile().await.unwrap().uid, first_uid);

    // One online_serv returns empty and must learn both users from the logics.
    cluster.restart("online_serv-1").await.unwrap();
    assert!(eventually(Duration::from_secs(5), || shows_online(&first, second_uid)).await);
    assert!(shows_online(&first, first_uid).await);
}

#[tokio::test]
async fn users_of_a_dead_logic_expire_from_presence() {
    let mut cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (observer, _, _) = cluster.user(2, "watcher").await.unwrap();
    let (doomed, doomed_uid, token) = cluster.user(1, "doomed").await.unwrap();
    assert!(shows_online(&observer, doomed_uid).await);

    cluster.stop("logic_serv-1").await.unwrap();
    // conn_serv-1 closes its clients when its logic goes away.
    assert!(
        eventually(Duration::from_secs(5), || async {
            doomed.closed_reason().is_some()
        })
        .await
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            !shows_online(&observer, doomed_uid).await
        })
        .await,
        "a dead logic's user still shows online"
    );

    // The user comes back through the other set with its token.
    let back = cluster.client(2).await.unwrap();
    assert_eq!(back.login_token(&token).await.unwrap().uid, doomed_uid);
    assert!(
        eventually(Duration::from_secs(3), || shows_online(
            &observer, doomed_uid
        ))
        .await
    );
}

#[tokio::test]
async fn stopping_a_conn_tells_its_clients_why() {
    let mut cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (client, _, _) = cluster.user(1, "leaving").await.unwrap();
    cluster.stop("conn_serv-1").await.unwrap();
    match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
        Ok(Some(schat_client::Push::Closing { code, reason })) => {
            assert_eq!(code, schat_client::ResultCode::ShuttingDown);
            assert!(reason.contains("shutting down"), "{reason}");
        }
        other => panic!("expected a closing notice, got {other:?}"),
    }
}

/// Resumes a paused process when dropped, however the test ends.
struct Resume(u32);

impl Drop for Resume {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.0.to_string()])
            .status();
    }
}

#[tokio::test]
async fn a_request_in_flight_when_storage_goes_fails_at_once() {
    let mut cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        chats: 1,
        // One server, which the test pauses.
        redis: schat_testkit::RedisMode::Single,
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (client, _, _) = cluster.user(1, "patient").await.unwrap();
    // Redis paused: the profile request waits in db_logic_serv.
    let redis = cluster.redis().pid();
    let paused = std::process::Command::new("kill")
        .args(["-STOP", &redis.to_string()])
        .status()
        .unwrap();
    assert!(paused.success());
    let _resume = Resume(redis);
    let begun = tokio::time::Instant::now();
    let (answer, _) = tokio::join!(
        async {
            let answer = client.profile().await;
            (answer, begun.elapsed())
        },
        async {
            // Part of the scenario, not a wait for readiness: the request
            // is in flight (on loopback, long since) when storage goes.
            tokio::time::sleep(Duration::from_millis(300)).await;
            cluster.stop("db_logic_serv-1").await.unwrap();
        }
    );
    let (answer, elapsed) = answer;
    let err = answer.expect_err("storage was gone");
    assert_eq!(
        err.code(),
        Some(schat_client::ResultCode::Unavailable),
        "{err}"
    );
    // The answer came when the link dropped, not at the 3 s request timeout.
    assert!(
        elapsed < Duration::from_millis(2_000),
        "answered after {elapsed:?}"
    );
}
