//! The group lifecycle across sets: create, join by every policy, decide,
//! invite, quit, kick, dismiss, info, members, update, public listing —
//! with the owner online and offline.

use std::time::Duration;

use schat_client::{
    Client, ClientError, CreateGroupRequest, GroupInfo, JoinPolicy, JoinStatus, MessageKind,
    NoticeKind, Push, ResultCode, UpdateGroupRequest,
};
use schat_testkit::{ClusterSpec, TestCluster};

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ResultCode {
    match result {
        Err(err) => err
            .code()
            .unwrap_or_else(|| panic!("expected a server error, got {err:?}")),
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

async fn create(client: &Client, name: &str, policy: JoinPolicy, password: &str) -> GroupInfo {
    client
        .create_group(CreateGroupRequest {
            name: name.to_string(),
            description: format!("about {name}"),
            join_policy: policy as i32,
            password: password.to_string(),
            public: true,
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
}

/// The next push that is a notice, skipping messages.
async fn next_notice(client: &Client) -> schat_client::Notice {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
            Ok(Some(Push::Notice(notice))) => return notice,
            Ok(Some(Push::Message(_))) => continue,
            other => panic!("expected a notice, got {other:?}"),
        }
    }
}

async fn member_uids(client: &Client, gid: u64) -> Vec<u64> {
    let mut uids = Vec::new();
    let mut after = 0;
    loop {
        let page = client.members(gid, after, 2).await.unwrap();
        uids.extend(page.members.iter().map(|member| member.uid));
        if page.next_after_uid == 0 {
            return uids;
        }
        after = page.next_after_uid;
    }
}

#[tokio::test]
async fn create_open_group_join_quit_and_members() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, owner_uid, _) = cluster.user(1, "owner").await.unwrap();
    let (alice, alice_uid, _) = cluster.user(2, "alice").await.unwrap();
    let (bob, bob_uid, _) = cluster.user(1, "bob").await.unwrap();

    let group = create(&owner, "open house", JoinPolicy::Open, "").await;
    assert!(group.gid > 0);
    assert_eq!(group.owner_uid, owner_uid);
    assert_eq!(group.member_count, 1);
    assert_eq!(group.member_cap, 2000);

    let joined = alice.join_group(group.gid, "", "").await.unwrap();
    assert_eq!(joined.status(), JoinStatus::Joined);
    assert_eq!(joined.group.unwrap().member_count, 2);
    let again = alice.join_group(group.gid, "", "").await.unwrap();
    assert_eq!(again.status(), JoinStatus::AlreadyMember);
    bob.join_group(group.gid, "", "").await.unwrap();

    // Members page by uid, the owner with its role.
    assert_eq!(
        member_uids(&owner, group.gid).await,
        vec![owner_uid, alice_uid, bob_uid]
    );
    let first = owner.members(group.gid, 0, 1).await.unwrap();
    assert_eq!(first.members[0].role(), schat_proto::client::Role::Owner);

    // Joins are system messages in the stream.
    let stream = alice.pull(group.gid, 1, 0).await.unwrap();
    let kinds: Vec<_> = stream
        .messages
        .iter()
        .map(|m| (m.kind(), m.sender_uid))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (MessageKind::System, alice_uid),
            (MessageKind::System, bob_uid)
        ]
    );

    bob.quit_group(group.gid).await.unwrap();
    assert_eq!(
        member_uids(&alice, group.gid).await,
        vec![owner_uid, alice_uid]
    );
    assert_eq!(
        code(bob.members(group.gid, 0, 0).await),
        ResultCode::Forbidden
    );
    // The owner cannot quit; it dismisses instead.
    assert_eq!(
        code(owner.quit_group(group.gid).await),
        ResultCode::BadRequest
    );

    let mine = alice.my_groups().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].group.as_ref().unwrap().gid, group.gid);
    assert!(bob.my_groups().await.unwrap().is_empty());
}

#[tokio::test]
async fn password_groups_check_the_password() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (carol, _, _) = cluster.user(2, "carol").await.unwrap();
    let group = create(&owner, "secret", JoinPolicy::Password, "open sesame").await;
    assert_eq!(
        code(carol.join_group(group.gid, "open says me", "").await),
        ResultCode::WrongPassword
    );
    assert_eq!(
        code(carol.join_group(group.gid, "", "").await),
        ResultCode::WrongPassword
    );
    let joined = carol
        .join_group(group.gid, "open sesame", "")
        .await
        .unwrap();
    assert_eq!(joined.status(), JoinStatus::Joined);
    // A password group needs a password to be created.
    assert_eq!(
        code(
            owner
                .create_group(CreateGroupRequest {
                    name: "no password".to_string(),
                    join_policy: JoinPolicy::Password as i32,
                    ..CreateGroupRequest::default()
                })
                .await
        ),
        ResultCode::BadRequest
    );
}

#[tokio::test]
async fn approval_with_the_owner_online() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (dave, dave_uid, _) = cluster.user(2, "dave").await.unwrap();
    let group = create(&owner, "club", JoinPolicy::Approval, "").await;

    let applied = dave.join_group(group.gid, "", "let me in").await.unwrap();
    assert_eq!(applied.status(), JoinStatus::Pending);
    // Not a member yet.
    assert_eq!(
        code(dave.pull(group.gid, 1, 0).await),
        ResultCode::Forbidden
    );

    let application = next_notice(&owner).await;
    assert_eq!(application.kind(), NoticeKind::Application);
    assert_eq!(application.from_uid, dave_uid);
    assert_eq!(application.note, "let me in");
    owner
        .decide_application(group.gid, dave_uid, true)
        .await
        .unwrap();
    let decision = next_notice(&dave).await;
    assert_eq!(decision.kind(), NoticeKind::Approved);
    assert_eq!(decision.gid, group.gid);
    dave.pull(group.gid, 1, 0).await.unwrap();

    // A decision needs a pending application.
    assert_eq!(
        code(owner.decide_application(group.gid, dave_uid, true).await),
        ResultCode::BadRequest
    );
    // Only the owner decides.
    assert_eq!(
        code(dave.decide_application(group.gid, 1, true).await),
        ResultCode::Forbidden
    );
}

#[tokio::test]
async fn approval_with_the_owner_offline_is_delivered_at_login() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, owner_token) = cluster.user(1, "owner").await.unwrap();
    let (erin, erin_uid, erin_token) = cluster.user(2, "erin").await.unwrap();
    let group = create(&owner, "quiet club", JoinPolicy::Approval, "").await;
    drop(owner);

    let applied = erin.join_group(group.gid, "", "hello").await.unwrap();
    assert_eq!(applied.status(), JoinStatus::Pending);
    drop(erin);

    // The owner logs in later and finds the application.
    let owner = cluster.client(2).await.unwrap();
    owner.login_token(&owner_token).await.unwrap();
    let notices = owner.notices(0).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind(), NoticeKind::Application);
    assert_eq!(notices[0].from_uid, erin_uid);
    owner
        .decide_application(group.gid, erin_uid, false)
        .await
        .unwrap();
    owner.ack_notices(notices[0].id).await.unwrap();
    assert!(owner.notices(0).await.unwrap().is_empty());

    // The applicant, offline meanwhile, learns the decision at login.
    let erin = cluster.client(1).await.unwrap();
    erin.login_token(&erin_token).await.unwrap();
    let notices = erin.notices(0).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind(), NoticeKind::Denied);
    assert_eq!(
        code(erin.pull(group.gid, 1, 0).await),
        ResultCode::Forbidden
    );
}

#[tokio::test]
async fn invitations_open_invite_only_groups() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (frank, frank_uid, _) = cluster.user(2, "frank").await.unwrap();
    let (grace, _, _) = cluster.user(2, "grace").await.unwrap();
    let group = create(&owner, "inner circle", JoinPolicy::InviteOnly, "").await;

    assert_eq!(
        code(frank.join_group(group.gid, "", "").await),
        ResultCode::Forbidden
    );
    owner.invite(group.gid, frank_uid).await.unwrap();
    let invited = next_notice(&frank).await;
    assert_eq!(invited.kind(), NoticeKind::Invited);
    assert_eq!(invited.gid, group.gid);
    let joined = frank.join_group(group.gid, "", "").await.unwrap();
    assert_eq!(joined.status(), JoinStatus::Joined);
    // An invitation is used once; others still need one.
    assert_eq!(
        code(grace.join_group(group.gid, "", "").await),
        ResultCode::Forbidden
    );
    assert_eq!(
        code(frank.invite(group.gid, 1).await),
        ResultCode::Forbidden
    );
    // Inviting nobody, or a user who does not exist, is answered so.
    for nobody in [0, 999_999] {
        assert_eq!(
            code(owner.invite(group.gid, nobody).await),
            ResultCode::NoSuchUser,
            "uid {nobody}"
        );
    }
}

#[tokio::test]
async fn kick_answers_both_sides_and_cuts_access_at_once() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (heidi, heidi_uid, heidi_token) = cluster.user(2, "heidi").await.unwrap();
    let (ivan, ivan_uid, _) = cluster.user(1, "ivan").await.unwrap();
    let group = create(&owner, "strict", JoinPolicy::Open, "").await;
    heidi.join_group(group.gid, "", "").await.unwrap();
    ivan.join_group(group.gid, "", "").await.unwrap();

    // Online kick: the owner gets an answer, heidi a notice, and loses access.
    owner.kick_member(group.gid, heidi_uid).await.unwrap();
    let kicked = next_notice(&heidi).await;
    assert_eq!(kicked.kind(), NoticeKind::Kicked);
    assert_eq!(
        code(heidi.send_text(group.gid, "m1", "still here?").await),
        ResultCode::Forbidden
    );
    assert_eq!(
        code(heidi.pull(group.gid, 1, 0).await),
        ResultCode::Forbidden
    );
    // Kicking a non-member is answered too.
    assert_eq!(
        code(owner.kick_member(group.gid, heidi_uid).await),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(ivan.kick_member(group.gid, 1).await),
        ResultCode::Forbidden
    );
    drop(heidi);

    // Offline kick: ivan learns at his next login.
    drop(ivan);
    owner.kick_member(group.gid, ivan_uid).await.unwrap();
    let (ivan_again, _, _) = {
        let client = cluster.client(2).await.unwrap();
        let login = client.login_password("ivan", "password123").await.unwrap();
        (client, login.uid, login.token)
    };
    let notices = ivan_again.notices(0).await.unwrap();
    assert!(notices
        .iter()
        .any(|n| n.kind() == NoticeKind::Kicked && n.gid == group.gid));
    let _ = heidi_token;
}

#[tokio::test]
async fn dismiss_removes_the_group_for_everyone() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (judy, _, _) = cluster.user(2, "judy").await.unwrap();
    let (mallory, _, mallory_token) = cluster.user(1, "mallory").await.unwrap();
    let group = create(&owner, "short lived", JoinPolicy::Open, "").await;
    judy.join_group(group.gid, "", "").await.unwrap();
    mallory.join_group(group.gid, "", "").await.unwrap();
    judy.send_text(group.gid, "j1", "hello").await.unwrap();
    drop(mallory);

    assert_eq!(
        code(judy.dismiss_group(group.gid).await),
        ResultCode::Forbidden
    );
    owner.dismiss_group(group.gid).await.unwrap();
    let dismissed = next_notice(&judy).await;
    assert_eq!(dismissed.kind(), NoticeKind::Dismissed);
    assert_eq!(dismissed.group_name, "short lived");
    for client in [&owner, &judy] {
        assert_eq!(code(client.group(group.gid).await), ResultCode::NoSuchGroup);
        assert_eq!(
            code(client.pull(group.gid, 1, 0).await),
            ResultCode::NoSuchGroup
        );
        assert!(client.my_groups().await.unwrap().is_empty());
    }
    assert_eq!(
        code(judy.join_group(group.gid, "", "").await),
        ResultCode::NoSuchGroup
    );
    let public = owner.public_groups(0, 0).await.unwrap();
    assert!(public.groups.iter().all(|g| g.gid != group.gid));

    // The offline member is told at login.
    let mallory = cluster.client(2).await.unwrap();
    mallory.login_token(&mallory_token).await.unwrap();
    let notices = mallory.notices(0).await.unwrap();
    assert!(notices.iter().any(|n| n.kind() == NoticeKind::Dismissed));
}

#[tokio::test]
async fn info_update_and_public_listing() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    let (karl, _, _) = cluster.user(2, "karl").await.unwrap();
    let mut gids = Vec::new();
    for index in 0..5 {
        gids.push(
            create(&owner, &format!("public {index}"), JoinPolicy::Open, "")
                .await
                .gid,
        );
    }
    let private = owner
        .create_group(CreateGroupRequest {
            name: "private".to_string(),
            public: false,
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();

    // Paged by cursor; the private group is not listed and not visible.
    let mut listed = Vec::new();
    let mut after = 0;
    loop {
        let page = karl.public_groups(after, 2).await.unwrap();
        listed.extend(page.groups.iter().map(|g| g.gid));
        if page.next_after_gid == 0 {
            break;
        }
        after = page.next_after_gid;
    }
    assert_eq!(listed, gids);
    assert_eq!(code(karl.group(private.gid).await), ResultCode::Forbidden);
    assert_eq!(karl.group(gids[0]).await.unwrap().name, "public 0");

    let avatar = format!("/f/1/ga{}/{}.png", gids[0], "ef".repeat(32));
    let update = UpdateGroupRequest {
        gid: gids[0],
        name: Some("renamed".to_string()),
        description: Some("new words".to_string()),
        avatar_url: Some(avatar.clone()),
        public: Some(false),
    };
    assert_eq!(
        code(karl.update_group(update.clone()).await),
        ResultCode::Forbidden
    );
    // A group avatar is a file uploaded as this group's avatar.
    for bad in [
        "javascript:alert(1)".to_string(),
        format!("/f/1/ga{}/{}.png", gids[1], "ef".repeat(32)),
    ] {
        let refused = owner
            .update_group(UpdateGroupRequest {
                avatar_url: Some(bad.clone()),
                ..update.clone()
            })
            .await;
        assert_eq!(code(refused), ResultCode::BadRequest, "{bad}");
    }
    let updated = owner.update_group(update).await.unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.avatar_url, avatar);
    assert!(!updated.public);
    let page = karl.public_groups(0, 0).await.unwrap();
    assert!(page.groups.iter().all(|g| g.gid != gids[0]));
    assert_eq!(code(karl.group(gids[0]).await), ResultCode::Forbidden);
}

#[tokio::test]
async fn caps_are_enforced() {
    let spec = ClusterSpec {
        chat: schat_runtime::config::ChatConfig {
            owner_group_cap: 2,
            user_group_cap: 3,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (owner, _, _) = cluster.user(1, "owner").await.unwrap();
    create(&owner, "one", JoinPolicy::Open, "").await;
    let small = owner
        .create_group(CreateGroupRequest {
            name: "two".to_string(),
            member_cap: 2,
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap();
    let third = owner
        .create_group(CreateGroupRequest {
            name: "three".to_string(),
            ..CreateGroupRequest::default()
        })
        .await;
    assert_eq!(code(third), ResultCode::TooManyGroups);

    let (first, _, _) = cluster.user(2, "first").await.unwrap();
    let (second, _, _) = cluster.user(2, "second").await.unwrap();
    first.join_group(small.gid, "", "").await.unwrap();
    assert_eq!(
        code(second.join_group(small.gid, "", "").await),
        ResultCode::GroupFull
    );
    assert_eq!(
        code(second.join_group(999_999, "", "").await),
        ResultCode::NoSuchGroup
    );

    // A user may be in user_group_cap groups: "first" is in one, owns none.
    let (other_owner, _, _) = cluster.user(1, "other-owner").await.unwrap();
    let (third_owner, _, _) = cluster.user(1, "third-owner").await.unwrap();
    let more = [
        create(&other_owner, "a", JoinPolicy::Open, "").await.gid,
        create(&other_owner, "b", JoinPolicy::Open, "").await.gid,
        create(&third_owner, "c", JoinPolicy::Open, "").await.gid,
    ];
    first.join_group(more[0], "", "").await.unwrap();
    first.join_group(more[1], "", "").await.unwrap();
    assert_eq!(
        code(first.join_group(more[2], "", "").await),
        ResultCode::TooManyGroups
    );
}
