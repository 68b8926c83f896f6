//! `redis.ack_replicas`: with it, a message is acknowledged only once a
//! replica confirmed it (Redis WAIT). A replica that does not confirm in
//! `redis.ack_timeout_ms` turns the acknowledgement into UNAVAILABLE —
//! stored on the primary, not yet safe — and the client's retry with the
//! same client_msg_id answers the original seq once the replica has it.

use std::process::Command;
use std::time::{Duration, Instant};

use schat_client::{ClientError, CreateGroupRequest, ResultCode};
use schat_testkit::{send_until_stored, ClusterSpec, TestCluster};

/// Resumes a paused process when dropped, also when the test fails.
struct Resume(u32);

impl Drop for Resume {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-CONT", &self.0.to_string()])
            .status();
    }
}

/// How long the cluster waits for the replica's confirmation.
const ACK_TIMEOUT_MS: u64 = 1_000;

#[tokio::test]
async fn a_message_is_acknowledged_only_once_a_replica_has_it() {
    let cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        chats: 1,
        redis_replica_ack_ms: Some(ACK_TIMEOUT_MS),
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(1, "bob").await.unwrap();
    let gid = alice
        .create_group(CreateGroupRequest {
            name: "durable".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
        .gid;
    bob.join_group(gid, "", "").await.unwrap();
    let first = send_until_stored(&alice, gid, "a-1", "safe").await;

    // The replica stops confirming: the send is stored on the primary but
    // answered UNAVAILABLE after the timeout, saying so.
    let replica = cluster.redis_replica().expect("a replica").pid();
    let paused = Command::new("kill")
        .args(["-STOP", &replica.to_string()])
        .status()
        .unwrap();
    assert!(paused.success());
    let resume = Resume(replica);
    let begun = Instant::now();
    let refused = alice.send_text(gid, "a-2", "not yet safe").await;
    let waited = begun.elapsed();
    match refused {
        Err(ClientError::Server {
            code: ResultCode::Unavailable,
            reason,
        }) => assert!(reason.contains("same client_msg_id"), "{reason}"),
        other => panic!("expected UNAVAILABLE, got {other:?}"),
    }
    assert!(
        waited >= Duration::from_millis(ACK_TIMEOUT_MS * 9 / 10),
        "answered before the timeout: {waited:?}"
    );
    let page = bob.pull(gid, first.seq + 1, 0).await.unwrap();
    assert_eq!(page.messages.len(), 1, "stored on the primary meanwhile");
    let stored = page.messages[0].seq;

    // The replica is back: the retry answers the original seq.
    drop(resume);
    let retried = send_until_stored(&alice, gid, "a-2", "not yet safe").await;
    assert_eq!((retried.seq, retried.duplicate), (stored, true));
    let next = send_until_stored(&alice, gid, "a-3", "safe again").await;
    assert_eq!(next.seq, stored + 1);
}
