//! The HTTP servers under crowds and slow clients, over real sockets from
//! several loopback addresses: idle connections make room for a client
//! that asks something (from a new address or from the crowded one), one
//! address never holds more than its cap, and the header and idle
//! deadlines close connections that send nothing.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use schat_runtime::config::HttpConfig;
use schat_testkit::raw_http::{closed_within, connect_from, get};
use schat_testkit::{eventually, ClusterSpec, TestCluster};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// Source addresses of the crowd.
const CROWD: [&str; 3] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

async fn dir_cluster(http: HttpConfig) -> (TestCluster, SocketAddr) {
    let cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        chats: 0,
        dirs: 1,
        http,
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let addr = cluster
        .config
        .proc_by_name("dir_serv-1")
        .unwrap()
        .addr()
        .unwrap()
        .parse()
        .unwrap();
    // The directory answers once the conn_serv has reported.
    let ready = eventually(Duration::from_secs(5), || async {
        ask_directory("127.0.0.1", addr).await.is_ok()
    })
    .await;
    assert!(ready, "the directory never answered");
    (cluster, addr)
}

/// `GET /v1/dir` on a new connection from `source`, within 2 s.
async fn ask_directory(source: &str, server: SocketAddr) -> Result<(), String> {
    let asked = async {
        let mut stream = connect_from(source, server).await?;
        get(&mut stream, "/v1/dir").await
    };
    match tokio::time::timeout(Duration::from_secs(2), asked).await {
        Err(_) => Err("no answer within 2 s".to_string()),
        Ok(Err(err)) => Err(err.to_string()),
        Ok(Ok(answer)) if answer.status == 200 => Ok(()),
        Ok(Ok(answer)) => Err(format!("status {}", answer.status)),
    }
}

/// How a crowd connection holds its place.
#[derive(Clone, Copy, Debug)]
enum Idle {
    /// Connects and sends nothing.
    Silent,
    /// Sends the start of a request's headers, never the end.
    PartHeaders,
    /// Asks once, then keeps the connection open.
    KeptAlive,
}

async fn hold(source: &str, server: SocketAddr, how: Idle) -> std::io::Result<TcpStream> {
    let mut stream = connect_from(source, server).await?;
    match how {
        Idle::Silent => {}
        Idle::PartHeaders => stream.write_all(b"GET /v1/dir HTTP/1.1\r\nHo").await?,
        Idle::KeptAlive => {
            get(&mut stream, "/health").await?;
        }
    }
    Ok(stream)
}

#[tokio::test]
async fn idle_crowds_make_room_for_a_client_with_a_question() {
    let (_cluster, server) = dir_cluster(HttpConfig {
        max_connections: 12,
        max_per_address: 4,
        ..HttpConfig::default()
    })
    .await;

    // Fill the server: 3 addresses × 4 idle connections of every kind.
    // Each address's last connection completes a request, so the server
    // has accepted everything before it.
    let kinds = [
        Idle::Silent,
        Idle::PartHeaders,
        Idle::Silent,
        Idle::KeptAlive,
    ];
    let mut crowd = Vec::new();
    for source in CROWD {
        for how in kinds {
            crowd.push((source, how, hold(source, server, how).await.unwrap()));
        }
    }
    // Every connection the server closes is opened again at once.
    let stop = CancellationToken::new();
    let reopened = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (source, how, stream) in crowd {
        let (stop, reopened) = (stop.clone(), reopened.clone());
        tasks.push(tokio::spawn(async move {
            let mut stream = Some(stream);
            for _ in 0..1_000 {
                if let Some(mut open) = stream.take() {
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = closed_within(&mut open, Duration::from_secs(30)) => {}
                    }
                    reopened.fetch_add(1, Ordering::Relaxed);
                }
                if stop.is_cancelled() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                stream = hold(source, server, how).await.ok();
            }
        }));
    }

    // A client on another address, and one behind a crowded address, get
    // their answer promptly, again and again.
    for round in 0..5 {
        for source in ["127.0.0.9", CROWD[0]] {
            if let Err(err) = ask_directory(source, server).await {
                panic!("round {round}: a client on {source} got no directory: {err}");
            }
        }
    }
    assert!(
        reopened.load(Ordering::Relaxed) > 0,
        "the crowd never lost a connection: the server was not full"
    );
    stop.cancel();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn one_address_holds_at_most_its_cap() {
    let (_cluster, server) = dir_cluster(HttpConfig {
        max_connections: 100,
        max_per_address: 4,
        ..HttpConfig::default()
    })
    .await;
    let mut streams = Vec::new();
    for _ in 0..7 {
        streams.push(hold("127.0.0.5", server, Idle::Silent).await.unwrap());
    }
    let mut open = 0;
    for stream in &mut streams {
        if !closed_within(stream, Duration::from_millis(300)).await {
            open += 1;
        }
    }
    assert_eq!(open, 4, "connections left open from one address");
    // The oldest made room; the newest are the ones still open.
    assert!(!closed_within(&mut streams[6], Duration::from_millis(10)).await);
    // The address itself can still ask.
    ask_directory("127.0.0.5", server).await.unwrap();
}

#[tokio::test]
async fn silent_connections_meet_the_header_deadline_and_kept_alive_ones_the_idle_deadline() {
    let (_cluster, server) = dir_cluster(HttpConfig {
        header_timeout_ms: 300,
        idle_timeout_ms: 3_000,
        ..HttpConfig::default()
    })
    .await;

    // Nothing, or half a request's headers: closed at the header deadline.
    for how in [Idle::Silent, Idle::PartHeaders] {
        let started = Instant::now();
        let mut stream = hold("127.0.0.6", server, how).await.unwrap();
        assert!(
            closed_within(&mut stream, Duration::from_secs(3)).await,
            "{how:?}: still open"
        );
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_millis(2_500),
            "{how:?}: closed after {waited:?}"
        );
    }

    // A kept-alive connection may sit past the header deadline and ask again.
    let mut stream = hold("127.0.0.6", server, Idle::KeptAlive).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let again = tokio::time::timeout(Duration::from_secs(2), get(&mut stream, "/health"))
        .await
        .expect("an answer within 2 s")
        .expect("the kept-alive connection was still open");
    assert_eq!(again.status, 200);
    // Then, idle, it is closed at the idle deadline.
    let idle_from = Instant::now();
    assert!(closed_within(&mut stream, Duration::from_secs(6)).await);
    let waited = idle_from.elapsed();
    assert!(
        waited >= Duration::from_millis(2_800),
        "closed after {waited:?}, before the idle deadline"
    );
}
