//! Every Redis command and script of the data model stays within one hash
//! slot, so schat runs on a Redis Cluster without a data-model change: the
//! cluster's storage here is one redis-server in cluster mode holding all
//! slots, which answers every key but refuses (CROSSSLOT) a command or a
//! script whose keys hash to different slots. The test drives every
//! storage path a client can reach — accounts and the login throttle,
//! profiles, groups by every policy, roles, mutes, messages with dedup,
//! recall, retention, cursors and receipts, notices, files and their
//! release, direct conversations, contacts, blocks and privacy — and
//! fails on the first refusal.

use std::time::Duration;

use schat_client::files::UploadTarget;
use schat_client::{
    ClientError, CreateGroupRequest, JoinPolicy, MessageKind, Privacy, ProfileUpdate, ResultCode,
    Role, SendMessageRequest,
};
use schat_runtime::config::{ChatConfig, FilesConfig};
use schat_testkit::{eventually, file_token, png, ClusterSpec, RedisMode, TestCluster};

#[tokio::test]
async fn every_storage_path_stays_within_one_slot() {
    let cluster = TestCluster::start(ClusterSpec {
        redis: RedisMode::OneNodeCluster,
        file_servs: 1,
        dirs: 1,
        chat: ChatConfig {
            send_rate_per_sec: 0,
            history_max_messages: 5,
            ..ChatConfig::default()
        },
        files: FilesConfig {
            release_delay_secs: 0,
            ..FilesConfig::default()
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    // The check has teeth: this Redis refuses keys of two slots at once.
    let refused = cluster.redis().command("MSET {a}:x 1 {b}:y 2").unwrap();
    assert!(refused.starts_with("-CROSSSLOT"), "{refused}");

    // Accounts: register, a failed login (the throttle's counters), token
    // login, profile, lookup, logout (token revocation).
    let (ann, ann_uid, _) = cluster.user(1, "ann").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    let (cy, cy_uid, _) = cluster.user(1, "cyrus").await.unwrap();
    let stranger = cluster.client(2).await.unwrap();
    let failed = stranger.login_password("ann", "not the password").await;
    assert!(matches!(
        failed,
        Err(ClientError::Server {
            code: ResultCode::AuthFailed,
            ..
        })
    ));
    // A second login (closing the first session) by token, then logout.
    let (_dee, _, dee_token) = cluster.user(2, "dee").await.unwrap();
    let again = cluster.client(1).await.unwrap();
    again.login_token(&dee_token).await.unwrap();
    ann.update_profile(ProfileUpdate {
        display_name: Some("Ann".to_string()),
        ..ProfileUpdate::default()
    })
    .await
    .unwrap();
    assert_eq!(
        bob.users(vec![ann_uid], vec!["cyrus".to_string()])
            .await
            .unwrap()
            .len(),
        2
    );
    again.logout().await.unwrap();

    // Groups by every policy, applications, invitations, roles, mutes.
    let group = ann
        .create_group(CreateGroupRequest {
            name: "slots".to_string(),
            join_policy: JoinPolicy::Approval as i32,
            public: true,
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    let gid = group.gid;
    bob.join_group(gid, "", "hello").await.unwrap();
    ann.decide_application(gid, bob_uid, true).await.unwrap();
    ann.invite(gid, cy_uid).await.unwrap();
    cy.join_group(gid, "", "").await.unwrap();
    let locked = ann
        .create_group(CreateGroupRequest {
            name: "locked".to_string(),
            join_policy: JoinPolicy::Password as i32,
            password: "open sesame".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    bob.join_group(locked.gid, "open sesame", "").await.unwrap();
    ann.set_role(gid, bob_uid, Role::Admin).await.unwrap();
    bob.mute_member(gid, cy_uid, 60).await.unwrap();
    bob.mute_member(gid, cy_uid, 0).await.unwrap();
    ann.mute_all(gid, true).await.unwrap();
    ann.mute_all(gid, false).await.unwrap();
    ann.transfer_ownership(locked.gid, bob_uid).await.unwrap();
    assert!(!ann.members(gid, 0, 10).await.unwrap().members.is_empty());
    assert!(!bob.public_groups(0, 10).await.unwrap().groups.is_empty());

    // Messages: send, a retry, retention past 5 kept, pull, history,
    // cursors, receipts, recall.
    let mut last = 0;
    for index in 0..8 {
        last = cy
            .send_text(gid, &format!("c-{index}"), &format!("message {index}"))
            .await
            .unwrap()
            .seq;
    }
    let retried = cy.send_text(gid, "c-7", "message 7").await.unwrap();
    assert!(retried.duplicate);
    assert!(bob.pull(gid, 1, 0).await.unwrap().first_seq > 1);
    bob.history(gid, 0, 10).await.unwrap();
    bob.mark_read(gid, last).await.unwrap();
    cy.readers(gid, last, 0, 0).await.unwrap();
    cy.recall(gid, last).await.unwrap();
    assert!(!ann.my_groups().await.unwrap().is_empty());

    // Files: an image message, recalled (its file released and checked).
    let files = cluster.files().await;
    let image = files
        .upload(
            &file_token(&ann),
            UploadTarget::Chat(gid),
            "a.png",
            png(500, 1),
        )
        .await
        .unwrap();
    let sent = ann
        .send_message(SendMessageRequest {
            gid,
            client_msg_id: "img-1".to_string(),
            kind: MessageKind::Image as i32,
            text: String::new(),
            media_url: image.url.clone(),
        })
        .await
        .unwrap();
    ann.recall(gid, sent.seq).await.unwrap();
    let released = eventually(Duration::from_secs(5), || async {
        files
            .download(&file_token(&ann), &image.url, None)
            .await
            .is_err()
    })
    .await;
    assert!(released, "the recalled image was not released");
    let avatar = files
        .upload(
            &file_token(&ann),
            UploadTarget::Avatar,
            "me.png",
            png(500, 2),
        )
        .await
        .unwrap();
    ann.update_profile(ProfileUpdate {
        avatar_url: Some(avatar.url),
        ..ProfileUpdate::default()
    })
    .await
    .unwrap();

    // Notices, then leaving and dismissal.
    let notices = cy.notices(0).await.unwrap();
    if let Some(newest) = notices.last() {
        cy.ack_notices(newest.id).await.unwrap();
    }
    ann.kick_member(gid, cy_uid).await.unwrap();
    bob.quit_group(locked.gid)
        .await
        .expect_err("the owner stays");
    ann.quit_group(locked.gid).await.unwrap_or(());

    // Direct conversations, contacts, blocks, privacy, typing.
    let direct = bob.open_direct(cy_uid).await.unwrap().gid;
    bob.send_text(direct, "d-1", "hi").await.unwrap();
    cy.typing(direct).await.unwrap();
    cy.add_contact(bob_uid, "hello").await.unwrap();
    bob.decide_contact(cy_uid, true).await.unwrap();
    assert_eq!(bob.contacts().await.unwrap().contacts.len(), 1);
    bob.set_privacy(Privacy::ContactsOnly).await.unwrap();
    bob.block(cy_uid, true).await.unwrap();
    bob.block(cy_uid, false).await.unwrap();
    bob.remove_contact(cy_uid).await.unwrap();
    ann.add_contact(cy_uid, "").await.unwrap();
    cy.decide_contact(ann_uid, false).await.unwrap();

    ann.dismiss_group(gid).await.unwrap();
}
