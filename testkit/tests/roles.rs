//! Group roles, mutes and read receipts: the owner appoints admins and
//! hands the group over; admins approve, invite, kick members (not
//! admins), mute and recall; a muted member's send is refused until the
//! mute ends; your own messages are never unread; the sender sees who has
//! read a message. Every change is a SYSTEM message and a notice.

use std::time::Duration;

use schat_client::{
    Client, JoinPolicy, MessageKind, NoticeKind, ResultCode, Role, UpdateGroupRequest,
};
use schat_proto::client::{client_message::Body as Request, SetRoleRequest};
use schat_runtime::config::ChatConfig;
use schat_testkit::{group_with, notice_of, refusal, ClusterSpec, TestCluster};

/// The texts of the group's SYSTEM messages, oldest first.
async fn system_texts(client: &Client, gid: u64) -> Vec<(u64, String)> {
    client
        .history(gid, 0, 200)
        .await
        .unwrap()
        .messages
        .into_iter()
        .filter(|message| message.kind() == MessageKind::System)
        .map(|message| (message.sender_uid, message.text))
        .collect()
}

async fn role_of(client: &Client, gid: u64, uid: u64) -> Role {
    let page = client.members(gid, 0, 200).await.unwrap();
    page.members
        .iter()
        .find(|member| member.uid == uid)
        .map(|member| member.role())
        .expect("a member")
}

#[tokio::test]
async fn the_owner_appoints_admins_who_moderate_but_not_each_other() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, owner_uid, _) = cluster.user(1, "owner").await.unwrap();
    let (ada, ada_uid, _) = cluster.user(2, "ada").await.unwrap();
    let (abe, abe_uid, _) = cluster.user(1, "abe").await.unwrap();
    let (mel, mel_uid, _) = cluster.user(2, "mel").await.unwrap();
    let (applicant, applicant_uid, _) = cluster.user(1, "applicant").await.unwrap();
    let gid = group_with(&owner, JoinPolicy::Approval, &[]).await;
    for (client, uid) in [(&ada, ada_uid), (&abe, abe_uid), (&mel, mel_uid)] {
        owner.invite(gid, uid).await.unwrap();
        client.join_group(gid, "", "").await.unwrap();
    }

    // Only the owner appoints; a member cannot, nor can an admin.
    assert_eq!(
        refusal(mel.set_role(gid, abe_uid, Role::Admin).await),
        ResultCode::Forbidden
    );
    owner.set_role(gid, ada_uid, Role::Admin).await.unwrap();
    owner.set_role(gid, abe_uid, Role::Admin).await.unwrap();
    assert_eq!(
        refusal(ada.set_role(gid, mel_uid, Role::Admin).await),
        ResultCode::Forbidden
    );
    let told = notice_of(&ada, NoticeKind::RoleChanged).await;
    assert_eq!((told.role(), told.gid), (Role::Admin, gid));
    assert_eq!(role_of(&mel, gid, ada_uid).await, Role::Admin);
    assert_eq!(role_of(&mel, gid, owner_uid).await, Role::Owner);
    assert_eq!(
        refusal(owner.set_role(gid, owner_uid, Role::Member).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        refusal(owner.set_role(gid, mel_uid, Role::Owner).await),
        ResultCode::BadRequest,
        "ownership moves only by a transfer"
    );
    let unknown_role = owner
        .request(Request::SetRole(SetRoleRequest {
            gid,
            uid: mel_uid,
            role: 7,
        }))
        .await;
    assert_eq!(refusal(unknown_role), ResultCode::BadRequest);
    assert_eq!(role_of(&mel, gid, mel_uid).await, Role::Member);
    assert_eq!(
        refusal(owner.set_role(gid, applicant_uid, Role::Admin).await),
        ResultCode::BadRequest,
        "a non-member cannot be an admin"
    );

    // An application reaches the admins as well as the owner, and an admin
    // decides it.
    applicant.join_group(gid, "", "let me in").await.unwrap();
    let application = notice_of(&abe, NoticeKind::Application).await;
    assert_eq!(application.from_uid, applicant_uid);
    abe.decide_application(gid, applicant_uid, true)
        .await
        .unwrap();
    notice_of(&applicant, NoticeKind::Approved).await;

    // Admins kick members, never admins or the owner; a member kicks nobody.
    assert_eq!(
        refusal(mel.kick_member(gid, applicant_uid).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(ada.kick_member(gid, abe_uid).await),
        ResultCode::Forbidden,
        "an admin kicked an admin"
    );
    assert_eq!(
        refusal(ada.kick_member(gid, owner_uid).await),
        ResultCode::Forbidden
    );
    ada.kick_member(gid, applicant_uid).await.unwrap();
    notice_of(&applicant, NoticeKind::Kicked).await;
    // Admins invite; only the owner dismisses.
    ada.invite(gid, applicant_uid).await.unwrap();
    notice_of(&applicant, NoticeKind::Invited).await;
    assert_eq!(refusal(ada.dismiss_group(gid).await), ResultCode::Forbidden);

    // An admin recalls anyone's message, outside any window.
    let sent = mel.send_text(gid, "m-1", "oops").await.unwrap();
    abe.recall(gid, sent.seq).await.unwrap();
    let page = mel.pull(gid, sent.seq, 1).await.unwrap();
    assert!(page.messages[0].recalled);

    // The owner takes a role back; the former admin is a member again.
    owner.set_role(gid, abe_uid, Role::Member).await.unwrap();
    assert_eq!(
        refusal(abe.kick_member(gid, mel_uid).await),
        ResultCode::Forbidden
    );
    // Told with the new role (the appointment's notice was passed over
    // above, waiting for the application).
    assert_eq!(
        notice_of(&abe, NoticeKind::RoleChanged).await.role(),
        Role::Member
    );

    // Each change is in the group's history, about the member concerned.
    let texts = system_texts(&owner, gid).await;
    for expected in [
        (ada_uid, "is now an admin"),
        (abe_uid, "is now an admin"),
        (applicant_uid, "was removed"),
        (abe_uid, "is no longer an admin"),
    ] {
        assert!(
            texts
                .iter()
                .any(|(uid, text)| (*uid, text.as_str()) == expected),
            "{expected:?} missing from {texts:?}"
        );
    }
}

#[tokio::test]
async fn ownership_moves_to_a_member_and_the_old_owner_stays_as_admin() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, owner_uid, _) = cluster.user(1, "owner").await.unwrap();
    let (heir, heir_uid, _) = cluster.user(2, "heir").await.unwrap();
    let (_outsider, outsider_uid, _) = cluster.user(2, "outsider").await.unwrap();
    let gid = group_with(&owner, JoinPolicy::Open, &[&heir]).await;

    assert_eq!(
        refusal(heir.transfer_ownership(gid, heir_uid).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(owner.transfer_ownership(gid, outsider_uid).await),
        ResultCode::BadRequest,
        "handed to a non-member"
    );
    // A muted member who becomes the owner is muted no more.
    owner.mute_member(gid, heir_uid, 3600).await.unwrap();
    assert_eq!(
        refusal(heir.send_text(gid, "h-0", "hm").await),
        ResultCode::Muted
    );
    owner.transfer_ownership(gid, heir_uid).await.unwrap();
    heir.send_text(gid, "h-1", "thank you").await.unwrap();
    let told = notice_of(&heir, NoticeKind::RoleChanged).await;
    assert_eq!(told.role(), Role::Owner);
    assert_eq!(heir.group(gid).await.unwrap().owner_uid, heir_uid);
    assert_eq!(role_of(&heir, gid, owner_uid).await, Role::Admin);
    // The new owner's powers, the old owner's limits.
    assert_eq!(
        refusal(
            owner
                .update_group(UpdateGroupRequest {
                    gid,
                    name: Some("mine again".to_string()),
                    ..UpdateGroupRequest::default()
                })
                .await
        ),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(owner.kick_member(gid, heir_uid).await),
        ResultCode::Forbidden
    );
    heir.quit_group(gid)
        .await
        .expect_err("an owner cannot quit");
    owner.quit_group(gid).await.unwrap();
    assert!(system_texts(&heir, gid)
        .await
        .contains(&(heir_uid, "is now the owner".to_string())));
}

#[tokio::test]
async fn a_muted_member_cannot_send_until_the_mute_ends() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, owner_uid, _) = cluster.user(1, "owner").await.unwrap();
    let (admin, admin_uid, _) = cluster.user(2, "admin").await.unwrap();
    let (loud, loud_uid, _) = cluster.user(2, "loud").await.unwrap();
    let (quiet, quiet_uid, _) = cluster.user(1, "quiet").await.unwrap();
    let gid = group_with(&owner, JoinPolicy::Open, &[&admin, &loud, &quiet]).await;
    owner.set_role(gid, admin_uid, Role::Admin).await.unwrap();

    // Members do not mute; admins do not mute admins; nobody mutes the owner.
    assert_eq!(
        refusal(quiet.mute_member(gid, loud_uid, 60).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(admin.mute_member(gid, owner_uid, 60).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(admin.mute_member(gid, loud_uid, 31 * 86_400).await),
        ResultCode::BadRequest
    );

    // Lifting a mute that is not there changes (and says) nothing.
    admin.mute_member(gid, quiet_uid, 0).await.unwrap();
    admin.mute_member(gid, loud_uid, 600).await.unwrap();
    let told = notice_of(&loud, NoticeKind::MuteChanged).await;
    assert!(told.until_ms > 0, "{told:?}");
    match loud.send_text(gid, "l-1", "still here").await {
        Err(schat_client::ClientError::Server {
            code: ResultCode::Muted,
            reason,
        }) => assert!(
            reason.contains("muted in this group for another"),
            "{reason}"
        ),
        other => panic!("expected MUTED, got {other:?}"),
    }
    // Others still speak; the muted member still reads, pulls, marks read.
    let heard = quiet.send_text(gid, "q-1", "hello").await.unwrap();
    assert!(loud.history(gid, 0, 10).await.is_ok());
    assert!(!loud.pull(gid, 1, 0).await.unwrap().messages.is_empty());
    loud.mark_read(gid, heard.seq).await.unwrap();
    let members = owner.members(gid, 0, 200).await.unwrap().members;
    let muted = members
        .iter()
        .find(|member| member.uid == loud_uid)
        .unwrap();
    assert_eq!(muted.muted_until_ms, told.until_ms);

    // The mute ends by itself: move the cluster's clock past it.
    cluster.clock().advance(Duration::from_secs(601));
    loud.send_text(gid, "l-2", "back").await.unwrap();

    // Lifted early, too.
    admin.mute_member(gid, loud_uid, 3600).await.unwrap();
    assert_eq!(
        refusal(loud.send_text(gid, "l-3", "again").await),
        ResultCode::Muted
    );
    admin.mute_member(gid, loud_uid, 0).await.unwrap();
    loud.send_text(gid, "l-4", "free").await.unwrap();
    // The notices say so: muted for an hour, then lifted (until 0).
    assert!(notice_of(&loud, NoticeKind::MuteChanged).await.until_ms > 0);
    assert_eq!(notice_of(&loud, NoticeKind::MuteChanged).await.until_ms, 0);
    // The owner mutes an admin.
    owner.mute_member(gid, admin_uid, 60).await.unwrap();
    owner.mute_member(gid, admin_uid, 0).await.unwrap();

    // Mute all: only the owner and admins speak; a retry of a message
    // stored before still answers its seq.
    let before = quiet.send_text(gid, "q-2", "last word").await.unwrap();
    admin.mute_all(gid, true).await.unwrap();
    assert!(owner.group(gid).await.unwrap().mute_all);
    assert_eq!(
        refusal(quiet.send_text(gid, "q-3", "hm").await),
        ResultCode::Muted
    );
    let retried = quiet.send_text(gid, "q-2", "last word").await.unwrap();
    assert_eq!((retried.seq, retried.duplicate), (before.seq, true));
    admin.send_text(gid, "a-1", "admins speak").await.unwrap();
    owner
        .send_text(gid, "o-1", "so does the owner")
        .await
        .unwrap();
    owner.mute_all(gid, false).await.unwrap();
    quiet.send_text(gid, "q-4", "thanks").await.unwrap();

    let texts = system_texts(&owner, gid).await;
    assert!(
        !texts.contains(&(quiet_uid, "may speak again".to_string())),
        "{texts:?}"
    );
    for expected in [
        (loud_uid, "was muted for 10 min"),
        (loud_uid, "may speak again"),
        (
            admin_uid,
            "muted the group: only the owner and admins may speak",
        ),
        (owner_uid, "unmuted the group"),
    ] {
        assert!(
            texts
                .iter()
                .any(|(uid, text)| (*uid, text.as_str()) == expected),
            "{expected:?} missing from {texts:?}"
        );
    }
}

/// The user's unread count and read cursor in `gid`.
async fn unread(client: &Client, gid: u64) -> (u64, u64) {
    let groups = client.my_groups().await.unwrap();
    let state = groups
        .iter()
        .find(|state| state.group.as_ref().is_some_and(|group| group.gid == gid))
        .expect("the user's group");
    (state.unread, state.read_seq)
}

#[tokio::test]
async fn your_own_messages_are_never_unread_and_the_sender_sees_who_read() {
    let cluster = TestCluster::start(ClusterSpec {
        chat: ChatConfig {
            receipts_max_members: 4,
            ..ChatConfig::default()
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (ann, ann_uid, _) = cluster.user(2, "ann").await.unwrap();
    let (bo, bo_uid, _) = cluster.user(1, "bob").await.unwrap();
    let gid = group_with(&owner, JoinPolicy::Open, &[&ann, &bo]).await;

    // Ann reads nothing; the owner's and Bo's messages are unread for her,
    // never their own for them.
    let first = owner.send_text(gid, "o-1", "one").await.unwrap();
    let second = bo.send_text(gid, "b-1", "two").await.unwrap();
    assert_eq!(unread(&owner, gid).await.0, 1, "only Bo's message");
    assert_eq!(unread(&bo, gid).await, (0, second.seq));
    assert_eq!(unread(&ann, gid).await.0, 3, "Bo's join, and two messages");

    // Receipts: the sender asks; Ann has not read, Bo has (he wrote after).
    let receipts = owner.readers(gid, first.seq, 0, 0).await.unwrap();
    assert_eq!((receipts.read_count, receipts.unread_count), (1, 1));
    assert_eq!(receipts.readers, vec![bo_uid]);
    ann.mark_read(gid, second.seq).await.unwrap();
    let receipts = owner.readers(gid, first.seq, 0, 1).await.unwrap();
    assert_eq!((receipts.read_count, receipts.unread_count), (2, 0));
    let mut readers = receipts.readers.clone();
    assert_eq!(readers.len(), 1, "pages of one");
    let rest = owner
        .readers(gid, first.seq, receipts.next_after_uid, 1)
        .await
        .unwrap();
    readers.extend(rest.readers);
    readers.sort_unstable();
    let mut expected = vec![ann_uid, bo_uid];
    expected.sort_unstable();
    assert_eq!(readers, expected);
    assert_eq!(rest.next_after_uid, 0);

    // Only the sender, the owner or an admin asks; non-members never.
    assert_eq!(
        refusal(ann.readers(gid, second.seq, 0, 0).await),
        ResultCode::Forbidden
    );
    assert!(bo.readers(gid, second.seq, 0, 0).await.is_ok());
    assert!(owner.readers(gid, second.seq, 0, 0).await.is_ok());
    let (stranger, _, _) = cluster.user(2, "stranger").await.unwrap();
    assert_eq!(
        refusal(stranger.readers(gid, first.seq, 0, 0).await),
        ResultCode::Forbidden
    );
    assert_eq!(
        refusal(owner.readers(gid, 999, 0, 0).await),
        ResultCode::BadRequest
    );

    // Someone who joins later never had the message to read: not counted.
    let (dee, _, _) = cluster.user(2, "dee").await.unwrap();
    dee.join_group(gid, "", "").await.unwrap();
    let receipts = owner.readers(gid, first.seq, 0, 0).await.unwrap();
    assert_eq!((receipts.read_count, receipts.unread_count), (2, 0));

    // A recall moves the recaller's cursor like a send.
    let recall = owner.recall(gid, first.seq).await.unwrap();
    assert_eq!(unread(&owner, gid).await, (0, recall.seq));
    // Also an owner who never sent or read in the group.
    let quiet_gid = group_with(&ann, JoinPolicy::Open, &[&bo]).await;
    let said = bo.send_text(quiet_gid, "b-q", "anyone?").await.unwrap();
    let recalled = ann.recall(quiet_gid, said.seq).await.unwrap();
    assert_eq!(unread(&ann, quiet_gid).await, (0, recalled.seq));

    // Past chat.receipts_max_members, receipts are not kept.
    for name in ["carl", "cleo"] {
        let (client, _, _) = cluster.user(1, name).await.unwrap();
        client.join_group(gid, "", "").await.unwrap();
    }
    assert_eq!(
        refusal(owner.readers(gid, second.seq, 0, 0).await),
        ResultCode::Forbidden
    );
}
