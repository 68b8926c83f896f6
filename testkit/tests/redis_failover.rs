//! schat on a Redis Cluster that loses a primary under load: the primary
//! holding a busy group's slot is killed (SIGKILL) while members send, its
//! replica is promoted, and sends resume by themselves, with no schat
//! process restarted. With `redis.ack_replicas` 1 no acknowledged message
//! is lost; in both modes no seq is ever handed out twice and nothing is
//! stored twice. Each run prints its figures (run with `--nocapture`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use schat_client::{Client, ClientError, JoinPolicy, MessageSync};
use schat_testkit::{group_with, ClusterSpec, RedisMode, TestCluster};

/// What one run saw.
#[derive(Debug)]
struct Outcome {
    acked: usize,
    lost: usize,
    seq_reused: usize,
    stored_twice: usize,
    longest_gap: Duration,
    acked_after_kill: usize,
}

/// Sends until `until`; every send is retried with its client_msg_id until
/// it is acknowledged (the protocol's rule), then the next one goes.
/// Returns (client_msg_id, seq, when acknowledged).
async fn send_until(
    client: Arc<Client>,
    gid: u64,
    sender: usize,
    until: Instant,
) -> Vec<(String, u64, Instant)> {
    let mut acked = Vec::new();
    let mut n = 0;
    while Instant::now() < until {
        let id = format!("s{sender}-{n}");
        match client.send_text(gid, &id, &format!("message {n}")).await {
            Ok(sent) => {
                acked.push((id, sent.seq, Instant::now()));
                n += 1;
            }
            Err(ClientError::Server { .. } | ClientError::Timeout(_)) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(err) => panic!("sender {sender}: {err}"),
        }
    }
    acked
}

async fn failover_under_load(ack_replicas: bool) -> Outcome {
    let spec = ClusterSpec {
        redis: RedisMode::Cluster,
        redis_replica_ack_ms: ack_replicas.then_some(1_000),
        ..ClusterSpec::default()
    };
    let mut cluster = TestCluster::start(spec).await.unwrap();
    let mut members = Vec::new();
    for k in 0..3 {
        let (client, _, _) = cluster
            .user(1 + k % 2, &format!("sender{k}"))
            .await
            .unwrap();
        members.push(Arc::new(client));
    }
    let others: Vec<&Client> = members[1..].iter().map(|c| c.as_ref()).collect();
    let gid = group_with(&members[0], JoinPolicy::Open, &others).await;
    let redis = cluster.redis_cluster().expect("a Redis Cluster");
    let primary = redis.primary_of(&format!("{{g:{gid}}}:seq")).unwrap();

    let started = Instant::now();
    let until = started + Duration::from_secs(9);
    let senders: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(k, client)| tokio::spawn(send_until(client.clone(), gid, k, until)))
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let redis = cluster.redis_cluster().expect("a Redis Cluster");
    redis.kill(primary);
    let killed_at = Instant::now();
    // A supervisor brings the crashed server back a little later; it
    // rejoins as a replica of the promoted one.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    redis.restart(primary).unwrap();

    let mut acked: Vec<(String, u64, Instant)> = Vec::new();
    for sender in senders {
        acked.extend(sender.await.unwrap());
    }
    acked.sort_by_key(|(_, _, at)| *at);

    // What is stored, as a member pulls it.
    let mut sync = MessageSync::new();
    let stored = sync.catch_up(&members[0], gid, 1).await.unwrap();
    let mut by_seq: BTreeMap<u64, String> = BTreeMap::new();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &stored {
        by_seq.insert(message.seq, message.client_msg_id.clone());
        if !message.client_msg_id.is_empty() {
            *copies.entry(message.client_msg_id.clone()).or_default() += 1;
        }
    }
    let lost = acked
        .iter()
        .filter(|(id, seq, _)| by_seq.get(seq) != Some(id))
        .count();
    let mut seqs: HashMap<u64, usize> = HashMap::new();
    for (_, seq, _) in &acked {
        *seqs.entry(*seq).or_default() += 1;
    }
    let seq_reused = seqs.values().filter(|&&n| n > 1).count();
    let stored_twice = copies.values().filter(|&&n| n > 1).count();
    let mut longest_gap = Duration::ZERO;
    let mut last = started;
    for (_, _, at) in &acked {
        longest_gap = longest_gap.max(at.duration_since(last));
        last = *at;
    }
    let acked_after_kill = acked.iter().filter(|(_, _, at)| *at > killed_at).count();
    let outcome = Outcome {
        acked: acked.len(),
        lost,
        seq_reused,
        stored_twice,
        longest_gap,
        acked_after_kill,
    };
    eprintln!("ack_replicas {}: {outcome:?}", u8::from(ack_replicas));
    outcome
}

/// What holds in both modes: no seq handed out twice, nothing stored
/// twice, and sends resumed by themselves within a bounded time.
fn assert_survived(outcome: &Outcome) {
    assert!(outcome.acked > 50, "{outcome:?}");
    assert_eq!(outcome.seq_reused, 0, "{outcome:?}");
    assert_eq!(outcome.stored_twice, 0, "{outcome:?}");
    assert!(
        outcome.acked_after_kill > 10,
        "sends did not resume: {outcome:?}"
    );
    assert!(
        outcome.longest_gap < Duration::from_secs(8),
        "no send got through for too long: {outcome:?}"
    );
}

#[tokio::test]
async fn with_ack_replicas_a_killed_primary_loses_no_acknowledged_message() {
    let outcome = failover_under_load(true).await;
    assert_survived(&outcome);
    assert_eq!(outcome.lost, 0, "{outcome:?}");
}

#[tokio::test]
async fn without_ack_replicas_a_killed_primary_never_reuses_a_seq() {
    let outcome = failover_under_load(false).await;
    assert_survived(&outcome);
}

/// A failover that lost the last writes leaves the group's counter behind
/// seqs already handed out; the group's actor keeps the next seq above
/// them, so nothing stored is overwritten and no seq is given twice.
#[tokio::test]
async fn a_counter_behind_what_was_handed_out_never_reuses_a_seq() {
    let spec = ClusterSpec {
        redis: RedisMode::Single,
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    let mut last = 0;
    for n in 0..5 {
        last = alice
            .send_text(gid, &format!("a{n}"), "before")
            .await
            .unwrap()
            .seq;
    }
    // As if the primary died before its replica had the last three.
    let reply = cluster
        .redis()
        .command(&format!("SET {{g:{gid}}}:seq {}", last - 3))
        .unwrap();
    assert!(reply.starts_with("+OK"), "{reply}");
    let after = bob.send_text(gid, "b0", "after").await.unwrap().seq;
    assert_eq!(after, last + 1);
    // A recall's event takes the next seq as well.
    let recall = bob.recall(gid, after).await.unwrap().seq;
    assert_eq!(recall, last + 2);
    let page = alice.pull(gid, last - 3, 0).await.unwrap().messages;
    let texts: Vec<(u64, String)> = page
        .iter()
        .map(|m| (m.seq, m.client_msg_id.clone()))
        .collect();
    assert_eq!(
        texts[..4],
        [
            (last - 3, "a1".to_string()),
            (last - 2, "a2".to_string()),
            (last - 1, "a3".to_string()),
            (last, "a4".to_string()),
        ],
        "{texts:?}"
    );
}

/// The same for the uid and gid counters, which live on another shard than
/// the accounts and groups they number: a counter behind the ids in use
/// steps over them instead of handing out a live account or group again.
#[tokio::test]
async fn id_counters_behind_the_ids_in_use_never_reuse_an_id() {
    let spec = ClusterSpec {
        redis: RedisMode::Single,
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (alice, alice_uid, _) = cluster.user(1, "alice").await.unwrap();
    let first = alice
        .create_group(schat_client::CreateGroupRequest {
            name: "first".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    // As if the counters' shard failed over and lost their last increments.
    for (key, value) in [
        ("{cfg}:uid_next", alice_uid - 1),
        ("{cfg}:gid_next", first.gid - 1),
    ] {
        let reply = cluster
            .redis()
            .command(&format!("SET {key} {value}"))
            .unwrap();
        assert!(reply.starts_with("+OK"), "{reply}");
    }
    let (mallory, mallory_uid, _) = cluster.user(2, "mallory").await.unwrap();
    assert!(mallory_uid > alice_uid, "{mallory_uid} <= {alice_uid}");
    let second = mallory
        .create_group(schat_client::CreateGroupRequest {
            name: "second".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(second.gid > first.gid, "{} <= {}", second.gid, first.gid);
    // Alice's account and group are hers still.
    let again = cluster.client(2).await.unwrap();
    let login = again.login_password("alice", "password123").await.unwrap();
    assert_eq!(login.uid, alice_uid);
    let group = again.group(first.gid).await.unwrap();
    assert_eq!((group.owner_uid, group.name.as_str()), (alice_uid, "first"));
}
