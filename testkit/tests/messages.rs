//! Messaging: acknowledged only once stored, gap-free seqs, idempotent
//! retries, pushes to online members across sets, sync after being
//! offline, read cursors, recall, and refusals for non-members.

use std::collections::BTreeMap;
use std::time::Duration;

use schat_client::{
    Client, ClientError, JoinPolicy, MessageKind, MessageSync, Push, ResultCode, SendMessageRequest,
};
use schat_testkit::{group_with, ClusterSpec, TestCluster};

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ResultCode {
    match result {
        Err(err) => err
            .code()
            .unwrap_or_else(|| panic!("expected a server error, got {err:?}")),
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

/// Texts of the non-system messages of a group, pulled from the start.
async fn texts(client: &Client, gid: u64) -> Vec<String> {
    let mut sync = MessageSync::new();
    sync.catch_up(client, gid, 1)
        .await
        .unwrap()
        .into_iter()
        .filter(|message| message.kind() == MessageKind::Text)
        .map(|message| message.text)
        .collect()
}

/// The next pushed chat message, skipping other pushes.
async fn next_message(client: &Client) -> schat_client::ChatMessage {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
            Ok(Some(Push::Message(message))) => return message,
            Ok(Some(_)) => continue,
            other => panic!("expected a message push, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn send_is_acknowledged_with_gap_free_seqs_and_pushed_across_sets() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, alice_uid, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    // The join was seq 1; drain its push.
    assert_eq!(next_message(&alice).await.kind(), MessageKind::System);

    let mut seqs = Vec::new();
    for index in 0..20 {
        let sent = alice
            .send_text(gid, &format!("a{index}"), &format!("hello {index}"))
            .await
            .unwrap();
        assert!(!sent.duplicate);
        assert!(sent.server_time_ms > 0);
        seqs.push(sent.seq);
    }
    assert_eq!(seqs, (2..=21).collect::<Vec<u64>>());

    // Bob, on the other set, got every one pushed, in order.
    let mut sync = MessageSync::new();
    let mut received = Vec::new();
    while received.len() < 21 {
        let pushed = next_message(&bob).await;
        received.extend(sync.accept(&bob, pushed).await.unwrap());
    }
    let got: Vec<u64> = received.iter().map(|m| m.seq).collect();
    assert_eq!(got, (1..=21).collect::<Vec<u64>>());
    assert_eq!(received[5].sender_uid, alice_uid);
    assert_eq!(received[5].text, "hello 4");
}

#[tokio::test]
async fn retried_send_returns_the_original_seq() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[]).await;
    let first = alice.send_text(gid, "same-id", "once").await.unwrap();
    let retry = alice.send_text(gid, "same-id", "once").await.unwrap();
    assert_eq!(retry.seq, first.seq);
    assert!(retry.duplicate);
    let other = alice.send_text(gid, "other-id", "twice").await.unwrap();
    assert_eq!(other.seq, first.seq + 1);
    assert_eq!(texts(&alice, gid).await, vec!["once", "twice"]);
}

#[tokio::test]
async fn offline_member_receives_everything_in_order_once() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, bob_token) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    bob.send_text(gid, "b0", "before").await.unwrap();
    let seen = bob.pull(gid, 1, 0).await.unwrap().latest_seq;
    bob.mark_read(gid, seen).await.unwrap();
    drop(bob);

    // 450 messages while bob is away: more than two pull pages.
    for index in 0..450 {
        alice
            .send_text(gid, &format!("a{index}"), &format!("m{index}"))
            .await
            .unwrap();
    }

    let bob = cluster.client(1).await.unwrap();
    bob.login_token(&bob_token).await.unwrap();
    let mine = bob.my_groups().await.unwrap();
    let state = mine
        .iter()
        .find(|s| s.group.as_ref().unwrap().gid == gid)
        .unwrap();
    assert_eq!(state.read_seq, seen);
    assert_eq!(state.unread, 450);

    let mut sync = MessageSync::new();
    let missed = sync.catch_up(&bob, gid, state.read_seq + 1).await.unwrap();
    assert_eq!(missed.len(), 450);
    let expected: Vec<String> = (0..450).map(|index| format!("m{index}")).collect();
    let got: Vec<String> = missed.iter().map(|m| m.text.clone()).collect();
    assert_eq!(got, expected);
    let seqs: Vec<u64> = missed.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, ((seen + 1)..=(seen + 450)).collect::<Vec<u64>>());

    bob.mark_read(gid, seen + 450).await.unwrap();
    let state = bob.my_groups().await.unwrap().remove(0);
    assert_eq!(state.unread, 0);
    // The cursor never moves back.
    bob.mark_read(gid, 1).await.unwrap();
    assert_eq!(bob.my_groups().await.unwrap()[0].read_seq, seen + 450);

    // History pages backwards from the newest.
    let newest = bob.history(gid, 0, 10).await.unwrap();
    assert_eq!(newest.messages.len(), 10);
    assert_eq!(newest.messages.last().unwrap().text, "m449");
    let older = bob.history(gid, newest.messages[0].seq, 10).await.unwrap();
    assert_eq!(older.messages.last().unwrap().text, "m439");
}

#[tokio::test]
async fn non_members_are_refused() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (eve, _, _) = cluster.user(2, "eve").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[]).await;
    alice.send_text(gid, "a", "private words").await.unwrap();
    assert_eq!(
        code(eve.send_text(gid, "e", "hi").await),
        ResultCode::Forbidden
    );
    assert_eq!(code(eve.pull(gid, 1, 0).await), ResultCode::Forbidden);
    assert_eq!(code(eve.history(gid, 0, 0).await), ResultCode::Forbidden);
    assert_eq!(code(eve.members(gid, 0, 0).await), ResultCode::Forbidden);
    assert_eq!(code(eve.mark_read(gid, 1).await), ResultCode::Forbidden);
    assert_eq!(code(eve.recall(gid, 1).await), ResultCode::Forbidden);
    assert_eq!(
        code(eve.send_text(424_242, "e", "hi").await),
        ResultCode::NoSuchGroup
    );
}

#[tokio::test]
async fn kicked_member_gets_nothing_new() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    alice.kick_member(gid, bob_uid).await.unwrap();
    let sent = alice
        .send_text(gid, "after", "after the kick")
        .await
        .unwrap();
    // Bob's pushes: the join, his removal, a notice — never the new message.
    let mut pushes = Vec::new();
    while let Ok(Some(push)) =
        tokio::time::timeout(Duration::from_millis(500), bob.next_push()).await
    {
        pushes.push(push);
    }
    assert!(
        !pushes
            .iter()
            .any(|push| matches!(push, Push::Message(m) if m.seq == sent.seq)),
        "{pushes:?}"
    );
    assert_eq!(
        code(bob.pull(gid, sent.seq, 0).await),
        ResultCode::Forbidden
    );
}

#[tokio::test]
async fn media_messages_limits_and_kinds() {
    let spec = ClusterSpec {
        chat: schat_runtime::config::ChatConfig {
            max_message_bytes: 100,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[]).await;
    let media = |kind: MessageKind, id: &str, url: &str| SendMessageRequest {
        gid,
        client_msg_id: id.to_string(),
        kind: kind as i32,
        text: "caption".to_string(),
        media_url: url.to_string(),
    };
    let file_url = format!("/f/1/g{gid}/{}.png", "ab".repeat(32));
    for (index, kind) in [
        MessageKind::Image,
        MessageKind::File,
        MessageKind::Voice,
        MessageKind::Video,
    ]
    .into_iter()
    .enumerate()
    {
        let sent = alice
            .send_message(media(kind, &format!("m{index}"), &file_url))
            .await
            .unwrap();
        let stored = alice
            .pull(gid, sent.seq, 1)
            .await
            .unwrap()
            .messages
            .remove(0);
        assert_eq!(stored.kind(), kind);
        assert_eq!(stored.media_url, file_url);
    }
    // Only this group's files: nothing a client would render as a link to
    // somewhere else.
    for (index, url) in [
        "javascript:alert(1)".to_string(),
        "http://evil.example/1.png".to_string(),
        format!("https://evil.example/f/1/g{gid}/{}.png", "ab".repeat(32)),
        format!("/f/1/g{}/{}.png", gid + 1, "ab".repeat(32)),
        format!("/f/1/u1/{}.png", "ab".repeat(32)),
        format!("/f/1/g{gid}/../{}.png", "ab".repeat(32)),
        format!(" /f/1/g{gid}/{}.png", "ab".repeat(32)),
        "   ".to_string(),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            code(
                alice
                    .send_message(media(MessageKind::Image, &format!("bad{index}"), &url))
                    .await
            ),
            ResultCode::BadRequest,
            "{url}"
        );
    }
    assert_eq!(
        code(
            alice
                .send_message(media(MessageKind::Image, "x1", ""))
                .await
        ),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(
            alice
                .send_message(media(MessageKind::System, "x2", ""))
                .await
        ),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(alice.send_text(gid, "x3", &"y".repeat(101)).await),
        ResultCode::MessageTooLarge
    );
    assert_eq!(
        code(alice.send_text(gid, "", "no id").await),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(alice.send_text(gid, "x4", "").await),
        ResultCode::BadRequest
    );
}

#[tokio::test]
async fn recall_by_sender_within_the_window_or_by_the_owner() {
    let spec = ClusterSpec {
        chat: schat_runtime::config::ChatConfig {
            recall_window_secs: 1,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&owner, JoinPolicy::Open, &[&bob]).await;

    let mine = bob.send_text(gid, "b1", "oops").await.unwrap();
    let event = bob.recall(gid, mine.seq).await.unwrap();
    assert_eq!(event.seq, mine.seq + 1);
    let stream = owner.pull(gid, mine.seq, 2).await.unwrap().messages;
    assert!(stream[0].recalled);
    assert!(stream[0].text.is_empty());
    assert_eq!(stream[1].kind(), MessageKind::Recall);
    assert_eq!(stream[1].recall_of, mine.seq);
    assert_eq!(
        code(bob.recall(gid, mine.seq).await),
        ResultCode::BadRequest
    );

    // Past the window the sender cannot, the owner still can.
    let late = bob.send_text(gid, "b2", "late").await.unwrap();
    // The rule under test is about time: move the cluster's clock past
    // the 1 s window.
    cluster.clock().advance(Duration::from_secs(2));
    assert_eq!(
        code(bob.recall(gid, late.seq).await),
        ResultCode::RecallExpired
    );
    let by_owner = owner.send_text(gid, "o1", "mine").await.unwrap();
    assert_eq!(
        code(bob.recall(gid, by_owner.seq).await),
        ResultCode::Forbidden
    );
    owner.recall(gid, late.seq).await.unwrap();
}

#[tokio::test]
async fn sync_fills_a_gap_in_pushes() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[]).await;
    for index in 0..5 {
        alice
            .send_text(gid, &format!("g{index}"), &format!("t{index}"))
            .await
            .unwrap();
    }
    // The client has seen seq 1 and is then pushed seq 5: it pulls 2..=4.
    let mut sync = MessageSync::new();
    let first = alice.pull(gid, 1, 1).await.unwrap().messages.remove(0);
    assert_eq!(sync.accept(&alice, first).await.unwrap().len(), 1);
    let fifth = alice.pull(gid, 5, 1).await.unwrap().messages.remove(0);
    let handed: Vec<u64> = sync
        .accept(&alice, fifth.clone())
        .await
        .unwrap()
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(handed, vec![2, 3, 4, 5]);
    // A repeated push is not handed on again.
    assert!(sync.accept(&alice, fifth).await.unwrap().is_empty());
}

/// Counts each (sender, counter) seen in `messages`.
fn tally(messages: &[schat_client::ChatMessage]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for message in messages {
        if message.kind() == MessageKind::Text {
            *seen.entry(message.text.clone()).or_insert(0) += 1;
        }
    }
    seen
}

#[tokio::test]
async fn killing_a_chat_serv_mid_conversation_loses_nothing() {
    let mut cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;

    // Two senders, 500 messages each; one chat_serv dies a third of the way.
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let send_all = |client: Client, name: &'static str| {
        let progress = progress.clone();
        async move {
            let mut acked = Vec::new();
            for counter in 0..500 {
                let text = format!("{name}-{counter}");
                // Retry with the same client id until acknowledged.
                let seq = loop {
                    match client.send_text(gid, &text, &text).await {
                        Ok(sent) => break sent.seq,
                        Err(ClientError::Server {
                            code: ResultCode::Unavailable | ResultCode::Busy,
                            ..
                        }) => tokio::time::sleep(Duration::from_millis(20)).await,
                        Err(err) => panic!("{name} {counter}: {err}"),
                    }
                };
                acked.push((text, seq));
                progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            (client, acked)
        }
    };
    let alice_task = tokio::spawn(send_all(alice, "alice"));
    let bob_task = tokio::spawn(send_all(bob, "bob"));
    let third = schat_testkit::eventually(Duration::from_secs(30), || async {
        progress.load(std::sync::atomic::Ordering::Relaxed) >= 300
    })
    .await;
    assert!(third, "the senders stalled before the kill");
    // Kill the chat_serv that owns this group (disp's rendezvous hash).
    let owner = schat_testkit::chat_owner(gid);
    cluster.stop(&format!("chat_serv-{owner}")).await.unwrap();
    assert!(
        !alice_task.is_finished() && !bob_task.is_finished(),
        "the conversation ended before the kill"
    );
    let (alice, alice_acked) = alice_task.await.unwrap();
    let (bob, bob_acked) = bob_task.await.unwrap();

    for reader in [&alice, &bob] {
        let mut sync = MessageSync::new();
        let all = sync.catch_up(reader, gid, 1).await.unwrap();
        // Gap-free seqs from 1.
        let seqs: Vec<u64> = all.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<u64>>());
        // Every acknowledged message exactly once, at its acknowledged seq.
        let seen = tally(&all);
        for (text, seq) in alice_acked.iter().chain(bob_acked.iter()) {
            assert_eq!(
                seen.get(text),
                Some(&1),
                "{text} delivered {:?} times",
                seen.get(text)
            );
            assert_eq!(all[*seq as usize - 1].text, *text);
        }
        assert_eq!(seen.len(), 1000);
    }
}

#[tokio::test]
async fn pages_of_large_messages_stay_within_a_frame() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[]).await;
    // 40 messages of 16 KiB: 640 KiB, far over one 256 KiB frame.
    let big = "x".repeat(16 * 1024);
    for index in 0..40 {
        alice
            .send_text(gid, &format!("big{index}"), &big)
            .await
            .unwrap();
    }
    let first = alice.pull(gid, 1, 0).await.unwrap();
    assert!(!first.messages.is_empty());
    assert!(
        first.messages.len() < 40,
        "one page held {}",
        first.messages.len()
    );
    let mut sync = MessageSync::new();
    let all = sync.catch_up(&alice, gid, 1).await.unwrap();
    assert_eq!(all.len(), 40);
    assert!(all.iter().all(|message| message.text.len() == big.len()));
    // History keeps the newest of a page cut short.
    let newest = alice.history(gid, 0, 0).await.unwrap();
    assert!(newest.messages.len() < 40);
    assert_eq!(newest.messages.last().unwrap().seq, 40);
}

#[tokio::test]
async fn a_retry_after_leaving_still_gets_the_original_seq() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_with(&alice, JoinPolicy::Open, &[&bob]).await;
    let sent = bob.send_text(gid, "last-words", "bye").await.unwrap();
    alice.kick_member(gid, bob_uid).await.unwrap();
    // The answer was lost, say, and bob retries: it was stored, so he is
    // told so rather than refused.
    let retry = bob.send_text(gid, "last-words", "bye").await.unwrap();
    assert_eq!(retry.seq, sent.seq);
    assert!(retry.duplicate);
    assert_eq!(
        code(bob.send_text(gid, "new-words", "hi").await),
        ResultCode::Forbidden
    );
}
