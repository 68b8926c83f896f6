//! Offline push through the whole stack, to a gateway on loopback that
//! records what it gets: only offline members are notified, the body is
//! signed, a busy group coalesces into one notification per user per
//! interval, a gateway answering 500 gets the batch again, muted
//! conversations are skipped, message text only when configured, and a
//! full queue drops and counts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use schat_client::JoinPolicy;
use schat_runtime::config::OfflinePushConfig;
use schat_runtime::signed::hmac_sha256_hex;
use schat_testkit::{eventually, group_with, ClusterSpec, TestCluster};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "a signing key of the test";

/// One request the gateway got: its headers (lower-case names) and body.
#[derive(Clone, Debug)]
struct Got {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// (uid, gid, count) of every conversation notified.
    fn notified(&self) -> Vec<(u64, u64, u64)> {
        let mut out = Vec::new();
        for note in self.json()["notifications"].as_array().unwrap() {
            for conv in note["conversations"].as_array().unwrap() {
                out.push((
                    note["uid"].as_u64().unwrap(),
                    conv["gid"].as_u64().unwrap(),
                    conv["count"].as_u64().unwrap(),
                ));
            }
        }
        out
    }
}

/// A gateway on 127.0.0.1: answers the first `fail_first` requests 500,
/// the rest 200, and keeps every request.
struct Gateway {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Gateway {
    async fn start(fail_first: usize) -> Gateway {
        Gateway::answering(fail_first, "500 Internal Server Error").await
    }

    /// Answers the first `first` requests with `status`, the rest 200.
    async fn answering(first: usize, status: &'static str) -> Gateway {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let kept = got.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let kept = kept.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    let n = {
                        let mut kept = kept.lock().unwrap();
                        kept.push(request);
                        kept.len()
                    };
                    let status = if n <= first { status } else { "200 OK" };
                    let reply = format!(
                        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                });
            }
        });
        Gateway { url, got }
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Got> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_string();
        let headers: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while data.len() < end + 4 + length {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            data.extend_from_slice(&buf[..n]);
        }
        return Some(Got {
            headers,
            body: data[end + 4..end + 4 + length].to_vec(),
        });
    }
}

fn push_config(url: &str) -> OfflinePushConfig {
    OfflinePushConfig {
        url: url.to_string(),
        signing_key: KEY.to_string(),
        coalesce_secs: 1,
        ..OfflinePushConfig::default()
    }
}

/// A counter summed over both chat_servs.
fn chat_metric(cluster: &TestCluster, name: &str) -> f64 {
    ["chat_serv-1", "chat_serv-2"]
        .iter()
        .map(|proc| cluster.metric(proc, name, &[]))
        .sum()
}

async fn cluster_with(push: OfflinePushConfig) -> TestCluster {
    TestCluster::start(ClusterSpec {
        offline_push: push,
        ..ClusterSpec::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn offline_members_are_notified_signed_and_coalesced() {
    let gateway = Gateway::start(0).await;
    let cluster = cluster_with(push_config(&gateway.url)).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    let (carol, carol_uid, _) = cluster.user(1, "carol").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob, &carol]).await;
    // Bob goes offline; carol stays.
    drop(bob);
    let gone = eventually(Duration::from_secs(5), || async {
        !alice.users(vec![bob_uid], Vec::new()).await.unwrap()[0].online
    })
    .await;
    assert!(gone);

    // A busy minute's worth at once: 10 messages.
    for n in 0..10 {
        alice
            .send_text(gid, &format!("m{n}"), &format!("secret {n}"))
            .await
            .unwrap();
    }
    let all_told = eventually(Duration::from_secs(5), || async {
        let counted: u64 = gateway
            .got()
            .iter()
            .flat_map(|got| got.notified())
            .filter(|(uid, _, _)| *uid == bob_uid)
            .map(|(_, _, count)| count)
            .sum();
        counted == 10
    })
    .await;
    assert!(all_told, "bob was not told of all 10: {:?}", gateway.got());
    let got = gateway.got();
    // One notification now, the rest merged into one after the interval.
    assert!(got.len() <= 2, "{} requests for 10 messages", got.len());
    for request in &got {
        // Signed: v1 = HMAC-SHA256 of "<timestamp>.<body>".
        let timestamp = request.header("x-schat-timestamp");
        let mut signed = timestamp.as_bytes().to_vec();
        signed.push(b'.');
        signed.extend_from_slice(&request.body);
        let expected = format!("v1={}", hmac_sha256_hex(KEY.as_bytes(), &signed));
        assert_eq!(request.header("x-schat-signature"), expected);
        assert_eq!(request.header("content-type"), "application/json");
        // Never carol (online), never alice (the sender), never the text.
        for (uid, notified_gid, _) in request.notified() {
            assert_eq!((uid, notified_gid), (bob_uid, gid));
        }
        assert!(!String::from_utf8_lossy(&request.body).contains("secret"));
        assert_ne!(carol_uid, 0);
    }
    assert_eq!(
        chat_metric(&cluster, "offline_push_sent_total"),
        got.iter().map(|g| g.notified().len() as f64).sum::<f64>()
    );
}

#[tokio::test]
async fn a_failing_gateway_gets_the_batch_again_and_muted_conversations_are_skipped() {
    let gateway = Gateway::start(2).await;
    let push = OfflinePushConfig {
        include_body: true,
        ..push_config(&gateway.url)
    };
    let cluster = cluster_with(push).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, token) = cluster.user(2, "bob").await.unwrap();
    let loud = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    let quiet = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    bob.set_notifications(quiet, true).await.unwrap();
    let listed = bob.my_groups().await.unwrap();
    let muted: Vec<(u64, bool)> = listed
        .iter()
        .map(|state| (state.group.as_ref().unwrap().gid, state.notifications_muted))
        .collect();
    assert!(muted.contains(&(quiet, true)) && muted.contains(&(loud, false)));
    drop(bob);
    let gone = eventually(Duration::from_secs(5), || async {
        !alice.users(vec![bob_uid], Vec::new()).await.unwrap()[0].online
    })
    .await;
    assert!(gone);

    alice.send_text(quiet, "q", "hush").await.unwrap();
    alice.send_text(loud, "l", "hello bob").await.unwrap();
    // Two 500s, then the same batch is taken.
    let taken = eventually(Duration::from_secs(10), || async {
        gateway.got().len() >= 3
    })
    .await;
    assert!(taken, "{:?}", gateway.got());
    let got = gateway.got();
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[1].body, got[2].body);
    let notified = got[2].notified();
    assert_eq!(notified, vec![(bob_uid, loud, 1)]);
    let conversation = &got[2].json()["notifications"][0]["conversations"][0];
    assert_eq!(conversation["text"], "hello bob");
    assert_eq!(conversation["kind"], "TEXT");

    // Only members may mute; bob back online gets no webhook.
    let bob = cluster.client(2).await.unwrap();
    bob.login_token(&token).await.unwrap();
    let outsider = group_with(&alice, JoinPolicy::Open, &[]).await;
    assert!(bob.set_notifications(outsider, true).await.is_err());
    let before = gateway.got().len();
    alice.send_text(loud, "l2", "online now").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(gateway.got().len(), before, "an online member was notified");
}

#[tokio::test]
async fn a_full_queue_drops_and_counts() {
    // No gateway listens: nothing leaves, so the queue fills.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", closed.local_addr().unwrap());
    drop(closed);
    let push = OfflinePushConfig {
        queue_max: 1,
        retries: 20,
        ..push_config(&url)
    };
    let cluster = cluster_with(push).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let (carol, _, _) = cluster.user(2, "carol").await.unwrap();
    let (dave, _, _) = cluster.user(2, "dave").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob, &carol, &dave]).await;
    drop((bob, carol, dave));
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    alice
        .send_text(gid, "one", "to three offline")
        .await
        .unwrap();
    let dropped = eventually(Duration::from_secs(5), || async {
        chat_metric(&cluster, "offline_push_dropped_total") >= 2.0
    })
    .await;
    assert!(dropped, "a full queue did not drop");
}

#[tokio::test]
async fn a_refused_batch_is_not_sent_again() {
    let gateway = Gateway::answering(1, "400 Bad Request").await;
    let cluster = cluster_with(push_config(&gateway.url)).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    drop(bob);
    let gone = eventually(Duration::from_secs(5), || async {
        !alice.users(vec![bob_uid], Vec::new()).await.unwrap()[0].online
    })
    .await;
    assert!(gone);
    alice.send_text(gid, "x", "refused").await.unwrap();
    let dropped = eventually(Duration::from_secs(5), || async {
        chat_metric(&cluster, "offline_push_dropped_total") >= 1.0
    })
    .await;
    assert!(dropped, "a refused batch was not counted as dropped");
    // Past the first retry's back-off: still the one request.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(gateway.got().len(), 1);
}

#[tokio::test]
async fn leaving_a_conversation_forgets_its_notification_setting() {
    let cluster = cluster_with(OfflinePushConfig::default()).await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    let muted = |states: Vec<schat_client::GroupState>| {
        states
            .iter()
            .find(|state| state.group.as_ref().unwrap().gid == gid)
            .map(|state| state.notifications_muted)
    };
    bob.set_notifications(gid, true).await.unwrap();
    assert_eq!(muted(bob.my_groups().await.unwrap()), Some(true));
    bob.quit_group(gid).await.unwrap();
    bob.join_group(gid, "", "").await.unwrap();
    assert_eq!(muted(bob.my_groups().await.unwrap()), Some(false));
}
