//! Groups as actors in chat_serv: many sends in flight to one group are
//! acknowledged with gap-free seqs and pushed in seq order; a group holding
//! too many writes answers BUSY and loses nothing it acknowledged; an idle
//! group's actor stops and a new one takes over on the next send.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use schat_client::{
    Client, ClientError, CreateGroupRequest, MessageKind, MessageSync, Push, ResultCode,
};
use schat_runtime::config::ChatConfig;
use schat_testkit::{chat_owner, eventually, send_until_stored, ClusterSpec, TestCluster};

/// One set, one chat_serv, so every group lives in the chat_serv the test
/// looks at.
fn one_set(chat: ChatConfig) -> ClusterSpec {
    ClusterSpec {
        sets: 1,
        chats: 1,
        chat: ChatConfig {
            send_rate_per_sec: 0,
            ..chat
        },
        ..ClusterSpec::default()
    }
}

/// Sessions sending at once, each with up to this many sends in flight
/// (logic closes a session past 64).
const SENDERS: usize = 5;
const IN_FLIGHT: usize = 60;

/// A new group owned by `owner`; its gid.
async fn new_group(owner: &Client, name: &str) -> u64 {
    owner
        .create_group(CreateGroupRequest {
            name: name.to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
        .gid
}

/// A group of `SENDERS` senders and a reader, all logged in on set 1.
async fn busy_group(cluster: &TestCluster) -> (u64, Vec<Client>, Client) {
    let (reader, _, _) = cluster.user(1, "reader").await.unwrap();
    let gid = new_group(&reader, "busy").await;
    let mut senders = Vec::new();
    for k in 0..SENDERS {
        let (sender, _, _) = cluster.user(1, &format!("sender{k}")).await.unwrap();
        sender.join_group(gid, "", "").await.unwrap();
        senders.push(sender);
    }
    (gid, senders, reader)
}

/// One send of the test: who sent it (sender index) and its text, which
/// also makes its client message id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Sent {
    sender: usize,
    text: String,
}

impl Sent {
    fn client_msg_id(&self) -> String {
        format!("id-{}", self.text)
    }
}

/// Every sender sends `IN_FLIGHT` texts to `gid` at once; each result with
/// its send.
async fn send_all_at_once(senders: &[Client], gid: u64) -> Vec<(Sent, Result<u64, ClientError>)> {
    let sends = senders.iter().enumerate().flat_map(|(sender, client)| {
        (0..IN_FLIGHT).map(move |i| async move {
            let sent = Sent {
                sender,
                text: format!("s{sender}m{i}"),
            };
            let result = client
                .send_text(gid, &sent.client_msg_id(), &sent.text)
                .await;
            (sent, result.map(|response| response.seq))
        })
    });
    join_all(sends).await
}

/// Every message stored in `gid`, from the first.
async fn stored(client: &Client, gid: u64) -> Vec<schat_client::ChatMessage> {
    MessageSync::new().catch_up(client, gid, 1).await.unwrap()
}

/// The seqs from `first_seq` on of the message pushes `client` got, until
/// `last_seq` arrived.
async fn pushed_seqs(client: &Client, gid: u64, (first_seq, last_seq): (u64, u64)) -> Vec<u64> {
    let mut seqs = Vec::new();
    while seqs.last() != Some(&last_seq) {
        match tokio::time::timeout(Duration::from_secs(10), client.next_push()).await {
            Ok(Some(Push::Message(message))) if message.gid == gid && message.seq >= first_seq => {
                seqs.push(message.seq)
            }
            Ok(Some(_)) => {}
            other => panic!("pushes stopped after {seqs:?}: {other:?}"),
        }
    }
    seqs
}

fn groups_held(cluster: &TestCluster, chat_serv: &str) -> f64 {
    cluster.metric(chat_serv, "groups_held", &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_in_flight_are_acknowledged_gap_free_and_pushed_in_seq_order() {
    let cluster = TestCluster::start(one_set(ChatConfig::default()))
        .await
        .unwrap();
    let (gid, senders, reader) = busy_group(&cluster).await;
    // The joins came first; what follows comes from the sends in flight.
    let first = stored(&reader, gid).await.last().map_or(0, |m| m.seq) + 1;
    let n = (SENDERS * IN_FLIGHT) as u64;

    let results = send_all_at_once(&senders, gid).await;
    let acked: BTreeSet<u64> = results
        .iter()
        .map(|(sent, seq)| *seq.as_ref().unwrap_or_else(|err| panic!("{sent:?}: {err}")))
        .collect();
    let expected: BTreeSet<u64> = (first..first + n).collect();
    assert_eq!(acked, expected, "every send has its own seq, none skipped");

    // The reader saw every message pushed, each once, in seq order.
    let seqs = pushed_seqs(&reader, gid, (first, first + n - 1)).await;
    assert_eq!(seqs, (first..first + n).collect::<Vec<_>>());

    // What was acknowledged is what is stored, each text under its seq.
    let messages = stored(&reader, gid).await;
    for (sent, seq) in &results {
        let seq = *seq.as_ref().unwrap();
        let message = messages.iter().find(|m| m.seq == seq).unwrap();
        assert_eq!(message.text, sent.text);
    }

    // A retry of an acknowledged send answers its seq and stores nothing.
    let (sent, seq) = &results[7];
    let again = senders[sent.sender]
        .send_text(gid, &sent.client_msg_id(), &sent.text)
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(Some(again.seq), seq.as_ref().ok().copied());
    assert_eq!(stored(&reader, gid).await.len(), messages.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_holding_too_many_writes_answers_busy_and_loses_nothing() {
    let cluster = TestCluster::start(one_set(ChatConfig {
        group_queue_max: 2,
        ..ChatConfig::default()
    }))
    .await
    .unwrap();
    let (gid, senders, reader) = busy_group(&cluster).await;

    let results = send_all_at_once(&senders, gid).await;
    let mut acked = Vec::new();
    let mut busy = Vec::new();
    for (sent, seq) in results {
        match seq {
            Ok(seq) => acked.push((seq, sent.text)),
            Err(err) if err.code() == Some(ResultCode::Busy) => busy.push(sent),
            Err(err) => panic!("{sent:?}: neither stored nor BUSY: {err}"),
        }
    }
    assert!(
        !busy.is_empty(),
        "{} sends at once into a queue of 2",
        SENDERS * IN_FLIGHT
    );
    assert!(!acked.is_empty(), "the queue took some");

    // Exactly the acknowledged messages are stored, under their seqs, and
    // the refused ones are not.
    let texts: Vec<(u64, String)> = stored(&reader, gid)
        .await
        .into_iter()
        .filter(|m| m.kind() == MessageKind::Text)
        .map(|m| (m.seq, m.text))
        .collect();
    acked.sort();
    assert_eq!(texts, acked);

    // A refused send goes through when sent again.
    let refused = &busy[0];
    let retried = senders[refused.sender]
        .send_text(gid, &refused.client_msg_id(), &refused.text)
        .await
        .unwrap();
    assert!(!retried.duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_group_actor_stops_and_the_next_send_starts_another() {
    let cluster = TestCluster::start(one_set(ChatConfig {
        group_idle_secs: 0,
        ..ChatConfig::default()
    }))
    .await
    .unwrap();
    let (gid, senders, reader) = busy_group(&cluster).await;
    let alice = &senders[0];
    let first = alice.send_text(gid, "a", "one").await.unwrap().seq;
    assert!(groups_held(&cluster, "chat_serv-1") >= 1.0);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while groups_held(&cluster, "chat_serv-1") > 0.0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle group's actor did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The next send starts a new actor: the seq goes on, the reader gets
    // the push.
    let second = alice.send_text(gid, "b", "two").await.unwrap().seq;
    assert_eq!(second, first + 1);
    let seqs = pushed_seqs(&reader, gid, (second, second)).await;
    assert_eq!(seqs, [second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_that_hashes_back_to_a_returning_chat_serv_leaves_the_one_that_held_it() {
    let mut cluster = TestCluster::start(ClusterSpec {
        sets: 1,
        chat: ChatConfig {
            send_rate_per_sec: 0,
            ..ChatConfig::default()
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    // A group chat_serv-2 owns while both run; creating it writes no
    // message, so no actor holds it yet.
    let gid = loop {
        let gid = new_group(&alice, "moving").await;
        if chat_owner(gid) == 2 {
            break gid;
        }
    };

    // With chat_serv-2 down, chat_serv-1 takes the group's writes.
    cluster.stop("chat_serv-2").await.unwrap();
    let first = send_until_stored(&alice, gid, "a", "while away").await.seq;
    assert_eq!(groups_held(&cluster, "chat_serv-1"), 1.0);

    // chat_serv-2 serves again: chat_serv-1 lets the group go...
    cluster.restart("chat_serv-2").await.unwrap();
    let released = eventually(Duration::from_secs(10), || async {
        groups_held(&cluster, "chat_serv-1") == 0.0
    })
    .await;
    assert!(released, "chat_serv-1 still holds the group");
    // ...and chat_serv-2 stores the next message with the next seq.
    let second = send_until_stored(&alice, gid, "b", "back home").await.seq;
    assert_eq!(second, first + 1);
    assert_eq!(groups_held(&cluster, "chat_serv-2"), 1.0);
}
