//! Direct conversations and contacts across sets: opening a conversation
//! (one per pair), messages both ways with the groups' promises, the
//! conversation list by last activity with unread counts and how far the
//! other side has read; contact requests and answers (online and at next
//! login); privacy; blocks, also inside an existing conversation; and the
//! group operations a direct conversation refuses.

use std::time::Duration;

use schat_client::{
    Client, CreateGroupRequest, GroupKind, MessageSync, NoticeKind, Privacy, Push, ResultCode, Role,
};
use schat_runtime::config::ChatConfig;
use schat_testkit::{notice_of, refusal, ClusterSpec, TestCluster};

/// The next message from `sender` pushed to `client` (its own are pushed
/// to the sender too).
async fn message_from(client: &Client, sender: u64) -> schat_client::ChatMessage {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
            Ok(Some(Push::Message(message))) if message.sender_uid == sender => return message,
            Ok(Some(_)) => continue,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn two_users_talk_directly_across_sets_with_the_groups_promises() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (ann, ann_uid, _) = cluster.user(1, "ann").await.unwrap();
    let (ben, ben_uid, ben_token) = cluster.user(2, "ben").await.unwrap();
    let (eve, _, _) = cluster.user(1, "eve").await.unwrap();

    // One conversation per pair, whoever opens it, each side seeing the
    // other as its peer.
    let from_ann = ann.open_direct(ben_uid).await.unwrap();
    assert_eq!(from_ann.kind(), GroupKind::Direct);
    assert_eq!((from_ann.peer_uid, from_ann.member_count), (ben_uid, 2));
    let from_ben = ben.open_direct(ann_uid).await.unwrap();
    assert_eq!(from_ben.gid, from_ann.gid);
    assert_eq!(from_ben.peer_uid, ann_uid);
    let gid = from_ann.gid;
    assert_eq!(
        refusal(ann.open_direct(ann_uid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.open_direct(999_999).await),
        ResultCode::NoSuchUser
    );

    // Messages both ways: acknowledged with gap-free seqs, pushed to the
    // other, a retry stored once.
    let first = ann.send_text(gid, "a-1", "hi ben").await.unwrap();
    assert_eq!(message_from(&ben, ann_uid).await.text, "hi ben");
    let reply = ben.send_text(gid, "b-1", "hi ann").await.unwrap();
    assert_eq!(reply.seq, first.seq + 1);
    assert_eq!(message_from(&ann, ben_uid).await.text, "hi ann");
    let retried = ann.send_text(gid, "a-1", "hi ben").await.unwrap();
    assert_eq!((retried.seq, retried.duplicate), (first.seq, true));

    // Only the two of them.
    assert_eq!(refusal(eve.pull(gid, 1, 0).await), ResultCode::Forbidden);
    assert_eq!(
        refusal(eve.send_text(gid, "e-1", "hello?").await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(eve.join_group(gid, "", "").await),
        ResultCode::Forbidden
    );

    // A conversation has no membership or roles to manage.
    assert_eq!(refusal(ann.quit_group(gid).await), ResultCode::BadRequest);
    assert_eq!(
        refusal(ann.kick_member(gid, ben_uid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.invite(gid, ben_uid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.dismiss_group(gid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.set_role(gid, ben_uid, Role::Admin).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.mute_member(gid, ben_uid, 60).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.mute_all(gid, true).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.transfer_ownership(gid, ben_uid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(ann.join_group(gid, "", "").await),
        ResultCode::BadRequest
    );

    // Read status: Ann sees how far Ben has read.
    let ann_view = |states: Vec<schat_client::GroupState>| {
        states
            .into_iter()
            .find(|state| state.group.as_ref().is_some_and(|group| group.gid == gid))
            .expect("the conversation is listed")
    };
    let state = ann_view(ann.my_groups().await.unwrap());
    assert_eq!(state.unread, 1, "Ben's reply; her own never count");
    let before = state.peer_read_seq;
    assert_eq!(before, reply.seq, "Ben's own reply moved his cursor");
    let third = ann.send_text(gid, "a-2", "read me").await.unwrap();
    assert_eq!(
        ann_view(ann.my_groups().await.unwrap()).peer_read_seq,
        reply.seq
    );
    ben.mark_read(gid, third.seq).await.unwrap();
    assert_eq!(
        ann_view(ann.my_groups().await.unwrap()).peer_read_seq,
        third.seq
    );
    let receipts = ann.readers(gid, third.seq, 0, 0).await.unwrap();
    assert_eq!(receipts.readers, vec![ben_uid]);

    // The conversation list puts the most recently active first.
    let group = ann
        .create_group(CreateGroupRequest {
            name: "later".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    ann.send_text(group.gid, "g-1", "newer").await.unwrap();
    let order: Vec<u64> = ann
        .my_groups()
        .await
        .unwrap()
        .iter()
        .map(|state| state.group.as_ref().unwrap().gid)
        .collect();
    assert_eq!(order, vec![group.gid, gid]);
    ann.send_text(gid, "a-3", "newest").await.unwrap();
    let first_listed = ann.my_groups().await.unwrap()[0].group.clone().unwrap();
    assert_eq!(first_listed.gid, gid);

    // Offline: what Ann sends while Ben is away is there when he is back.
    drop(ben);
    for index in 0..5 {
        ann.send_text(gid, &format!("o-{index}"), &format!("offline {index}"))
            .await
            .unwrap();
    }
    let ben = cluster.client(1).await.unwrap();
    ben.login_token(&ben_token).await.unwrap();
    let state = ben
        .my_groups()
        .await
        .unwrap()
        .into_iter()
        .find(|state| state.group.as_ref().unwrap().gid == gid)
        .unwrap();
    assert_eq!(state.unread, 6, "the newest before he left, and five more");
    let missed = MessageSync::new()
        .catch_up(&ben, gid, state.read_seq + 1)
        .await
        .unwrap();
    let texts: Vec<&str> = missed.iter().map(|message| message.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "newest",
            "offline 0",
            "offline 1",
            "offline 2",
            "offline 3",
            "offline 4"
        ]
    );

    // Recall works as in a group.
    ann.recall(gid, first.seq).await.unwrap();
    assert!(ben.pull(gid, first.seq, 1).await.unwrap().messages[0].recalled);
}

#[tokio::test]
async fn contact_requests_answers_privacy_and_blocks() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (cat, cat_uid, _) = cluster.user(1, "cat").await.unwrap();
    let (dan, dan_uid, dan_token) = cluster.user(2, "dan").await.unwrap();
    let (fay, fay_uid, _) = cluster.user(1, "fay").await.unwrap();

    // Dan takes direct messages from contacts only: Cat may not start one.
    dan.set_privacy(Privacy::ContactsOnly).await.unwrap();
    assert_eq!(
        refusal(cat.open_direct(dan_uid).await),
        ResultCode::Forbidden
    );

    // Cat asks while Dan is offline: the request waits for his login.
    drop(dan);
    assert_eq!(
        refusal(cat.add_contact(dan_uid, &"x".repeat(257)).await),
        ResultCode::BadRequest,
        "a note is at most 256 characters"
    );
    cat.add_contact(dan_uid, "we met at the meetup")
        .await
        .unwrap();
    cat.add_contact(dan_uid, "asking again").await.unwrap();
    assert_eq!(
        refusal(cat.add_contact(cat_uid, "").await),
        ResultCode::BadRequest
    );
    let dan = cluster.client(1).await.unwrap();
    dan.login_token(&dan_token).await.unwrap();
    let notices = dan.notices(0).await.unwrap();
    assert_eq!(
        notices.len(),
        1,
        "a repeated request is one notice: {notices:?}"
    );
    assert_eq!(
        (notices[0].kind(), notices[0].from_uid),
        (NoticeKind::ContactRequest, cat_uid)
    );
    assert_eq!((notices[0].gid, notices[0].group_name.as_str()), (0, ""));
    let list = dan.contacts().await.unwrap();
    assert_eq!(list.incoming.len(), 1);
    assert_eq!(list.incoming[0].note, "asking again");
    assert_eq!(list.privacy(), Privacy::ContactsOnly);
    assert_eq!(cat.contacts().await.unwrap().outgoing, vec![dan_uid]);

    // Dan accepts: Cat hears of it now, both list each other (online).
    dan.decide_contact(cat_uid, true).await.unwrap();
    notice_of(&cat, NoticeKind::ContactAccepted).await;
    let cats = cat.contacts().await.unwrap();
    assert_eq!(cats.contacts.len(), 1);
    assert_eq!(cats.contacts[0].uid, dan_uid);
    assert!(cats.contacts[0].online);
    assert!(cats.outgoing.is_empty());
    assert_eq!(
        refusal(dan.decide_contact(cat_uid, true).await),
        ResultCode::BadRequest,
        "answered once"
    );

    // Now a contact, Cat may start a conversation with Dan.
    let conversation = cat.open_direct(dan_uid).await.unwrap();
    let gid = conversation.gid;
    cat.send_text(gid, "c-1", "hello dan").await.unwrap();

    // A request declined; two who ask each other become contacts at once.
    fay.add_contact(dan_uid, "").await.unwrap();
    notice_of(&dan, NoticeKind::ContactRequest).await;
    dan.decide_contact(fay_uid, false).await.unwrap();
    notice_of(&fay, NoticeKind::ContactDeclined).await;
    fay.add_contact(cat_uid, "").await.unwrap();
    cat.add_contact(fay_uid, "").await.unwrap();
    notice_of(&fay, NoticeKind::ContactAccepted).await;
    let fays = fay.contacts().await.unwrap();
    assert_eq!(
        fays.contacts.iter().map(|c| c.uid).collect::<Vec<_>>(),
        vec![cat_uid]
    );
    fay.remove_contact(cat_uid).await.unwrap();
    assert!(cat
        .contacts()
        .await
        .unwrap()
        .contacts
        .iter()
        .all(|contact| contact.uid != fay_uid));

    // Dan blocks Cat: no more messages in their conversation, no new one,
    // no requests; they are no longer contacts. Cat still reads history.
    dan.block(cat_uid, true).await.unwrap();
    assert_eq!(
        refusal(cat.send_text(gid, "c-2", "still there?").await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(cat.open_direct(dan_uid).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(cat.add_contact(dan_uid, "").await),
        ResultCode::Forbidden
    );
    assert!(cat.contacts().await.unwrap().contacts.is_empty());
    assert_eq!(dan.contacts().await.unwrap().blocked, vec![cat_uid]);
    assert!(cat.history(gid, 0, 10).await.is_ok());
    let members = dan.members(gid, 0, 10).await.unwrap().members;
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|member| member.muted_until_ms == 0));
    // Dan may still write to Cat (a block is one way).
    dan.send_text(gid, "d-1", "bye").await.unwrap();

    // Blocked, Cat's typing does not reach Dan either.
    assert_eq!(refusal(cat.typing(gid).await), ResultCode::Forbidden);

    // Unblocked: Cat may write in their conversation again, and open it,
    // though no longer a contact: privacy decides who may start one.
    dan.block(cat_uid, false).await.unwrap();
    cat.send_text(gid, "c-3", "thanks").await.unwrap();
    assert_eq!(
        dan.contacts().await.unwrap().privacy(),
        Privacy::ContactsOnly
    );
    assert_eq!(cat.open_direct(dan_uid).await.unwrap().gid, gid);
}

#[tokio::test]
async fn a_block_holds_in_a_conversation_opened_after_it() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (kim, kim_uid, _) = cluster.user(1, "kim").await.unwrap();
    let (lou, lou_uid, _) = cluster.user(2, "lou").await.unwrap();

    // Kim blocks Lou before they ever talked, then opens the conversation
    // herself (a block is one way): Lou sees it listed, but cannot write.
    // A pending request from Lou goes with the block.
    lou.add_contact(kim_uid, "").await.unwrap();
    kim.block(lou_uid, true).await.unwrap();
    assert!(kim.contacts().await.unwrap().incoming.is_empty());
    assert!(lou.contacts().await.unwrap().outgoing.is_empty());
    let gid = kim.open_direct(lou_uid).await.unwrap().gid;
    kim.send_text(gid, "k-1", "one-way").await.unwrap();
    assert!(lou
        .my_groups()
        .await
        .unwrap()
        .iter()
        .any(|state| state.group.as_ref().is_some_and(|group| group.gid == gid)));
    assert_eq!(
        refusal(lou.send_text(gid, "l-1", "why?").await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(lou.open_direct(kim_uid).await),
        ResultCode::Forbidden
    );

    // Lifted: Lou writes.
    kim.block(lou_uid, false).await.unwrap();
    lou.send_text(gid, "l-2", "thanks").await.unwrap();
}

#[tokio::test]
async fn typing_reaches_the_other_user_at_a_bounded_rate_and_is_never_stored() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (gus, gus_uid, _) = cluster.user(1, "gus").await.unwrap();
    let (hal, hal_uid, _) = cluster.user(2, "hal").await.unwrap();
    let (ivy, _, _) = cluster.user(1, "ivy").await.unwrap();
    let gid = gus.open_direct(hal_uid).await.unwrap().gid;

    // A burst of typing: one reaches Hal, the rest are answered and dropped.
    for _ in 0..5 {
        gus.typing(gid).await.unwrap();
    }
    let typing = loop {
        match tokio::time::timeout(Duration::from_secs(5), hal.next_push()).await {
            Ok(Some(Push::Typing { gid, uid })) => break (gid, uid),
            Ok(Some(_)) => continue,
            other => panic!("expected a typing push, got {other:?}"),
        }
    };
    assert_eq!(typing, (gid, gus_uid));
    // A message sent right after is the next push: the burst was dropped.
    gus.send_text(gid, "g-1", "hello").await.unwrap();
    match tokio::time::timeout(Duration::from_secs(5), hal.next_push()).await {
        Ok(Some(Push::Message(message))) => assert_eq!(message.text, "hello"),
        other => panic!("expected the message next, got {other:?}"),
    }
    // Never stored: the conversation holds the message only.
    let page = hal.pull(gid, 1, 0).await.unwrap();
    assert_eq!(page.messages.len(), 1);

    // Not in groups, not by outsiders.
    let group = gus
        .create_group(CreateGroupRequest {
            name: "typing club".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(refusal(gus.typing(group.gid).await), ResultCode::BadRequest);
    assert_eq!(refusal(ivy.typing(gid).await), ResultCode::Forbidden);
}

#[tokio::test]
async fn unanswered_contact_requests_are_bounded_per_user() {
    let cluster = TestCluster::start(ClusterSpec {
        chat: ChatConfig {
            contact_requests_max: 2,
            ..ChatConfig::default()
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (eager, eager_uid, _) = cluster.user(1, "eager").await.unwrap();
    let mut others = Vec::new();
    for name in ["one", "two", "three"] {
        others.push(cluster.user(2, name).await.unwrap());
    }
    eager.add_contact(others[0].1, "").await.unwrap();
    eager.add_contact(others[1].1, "").await.unwrap();
    eager.add_contact(others[1].1, "again").await.unwrap();
    assert_eq!(
        refusal(eager.add_contact(others[2].1, "").await),
        ResultCode::RateLimited
    );
    // An answer frees a place.
    others[0].0.decide_contact(eager_uid, false).await.unwrap();
    eager.add_contact(others[2].1, "").await.unwrap();
    assert_eq!(
        eager.contacts().await.unwrap().outgoing,
        vec![others[1].1, others[2].1]
    );
}
