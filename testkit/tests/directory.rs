//! dir_serv over real HTTP: hands out live conn_servs, the least loaded
//! first, never one that has stopped, and lists the file servers.

use std::time::Duration;

use schat_client::files::Directory;
use schat_client::{Client, HttpClient};
use schat_testkit::{eventually, ClusterSpec, TestCluster};

async fn lookup(cluster: &TestCluster) -> Directory {
    Directory::lookup(&HttpClient::default(), &cluster.http_url("dir_serv-1"))
        .await
        .unwrap()
}

#[tokio::test]
async fn dir_serv_hands_out_live_lightly_loaded_conn_servs() {
    let mut cluster = TestCluster::start(ClusterSpec {
        sets: 2,
        chats: 1,
        file_servs: 2,
        dirs: 1,
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (conn1, conn2) = (cluster.conn_addr(1), cluster.conn_addr(2));

    // Both sets report; a client handed an address can log in there.
    let both = eventually(Duration::from_secs(5), || async {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20 {
            if let Ok(dir) =
                Directory::lookup(&HttpClient::default(), &cluster.http_url("dir_serv-1")).await
            {
                seen.insert(dir.conn_addr);
            }
        }
        seen.len() == 2
    })
    .await;
    assert!(both, "the directory never handed out both conn_servs");
    let dir = lookup(&cluster).await;
    assert_eq!(dir.file_servers.len(), 2);
    assert!(dir
        .file_servers
        .values()
        .all(|server| server.url.starts_with("http://")));
    let client = Client::connect(&dir.conn_addr).await.unwrap();
    client.register("dora", "password123", "").await.unwrap();
    client.login_password("dora", "password123").await.unwrap();

    // Load set 1 with 40 connections: the next clients go to set 2.
    let mut held = Vec::new();
    for _ in 0..40 {
        held.push(Client::connect(&conn1).await.unwrap());
    }
    let shifted = eventually(Duration::from_secs(5), || async {
        let mut all_to_2 = true;
        for _ in 0..10 {
            all_to_2 &= lookup(&cluster).await.conn_addr == conn2;
        }
        all_to_2
    })
    .await;
    assert!(
        shifted,
        "new clients were not sent to the less loaded conn_serv"
    );
    drop(held);

    // A stopped conn_serv is never handed out, not even right after it stopped.
    cluster.stop("conn_serv-1").await.unwrap();
    for _ in 0..50 {
        assert_eq!(lookup(&cluster).await.conn_addr, conn2);
    }
    // Back, it is handed out again.
    cluster.restart("conn_serv-1").await.unwrap();
    let back = eventually(Duration::from_secs(10), || async {
        lookup(&cluster).await.conn_addr == conn1
    })
    .await;
    assert!(back, "a restarted conn_serv was not handed out again");

    // With no conn_serv left: a clear 503.
    cluster.stop("conn_serv-1").await.unwrap();
    cluster.stop("conn_serv-2").await.unwrap();
    let none = Directory::lookup(&HttpClient::default(), &cluster.http_url("dir_serv-1")).await;
    match none {
        Err(schat_client::ClientError::Http { status, reason }) => {
            assert_eq!(status, 503);
            assert!(reason.contains("no conn_serv"), "{reason}");
        }
        other => panic!("expected 503, got {other:?}"),
    }
}

#[tokio::test]
async fn weights_share_new_clients_and_zero_takes_none() {
    let mut cluster = TestCluster::start(ClusterSpec {
        sets: 2,
        chats: 1,
        dirs: 1,
        conn_weights: vec![0, 100],
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let conn2 = cluster.conn_addr(2);
    let http = HttpClient::default();
    let url = cluster.http_url("dir_serv-1");
    let reported = eventually(Duration::from_secs(5), || async {
        Directory::lookup(&http, &url).await.is_ok()
    })
    .await;
    assert!(reported, "the directory never handed out a conn_serv");
    // Both sets report; weight 0 takes no new clients, however idle.
    for _ in 0..50 {
        assert_eq!(lookup(&cluster).await.conn_addr, conn2);
    }
    // Not even when it is the only one left: for ten report intervals the
    // live, reporting conn_serv-1 is never handed out.
    cluster.stop("conn_serv-2").await.unwrap();
    let until = tokio::time::Instant::now() + Duration::from_secs(1);
    while tokio::time::Instant::now() < until {
        match Directory::lookup(&http, &url).await {
            Err(schat_client::ClientError::Http { status: 503, .. }) => {}
            other => panic!("a weight-0 conn_serv was handed out: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
