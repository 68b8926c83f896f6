//! Several devices per user, through the whole stack: logins that name a
//! device, the cap on devices at once, a device replacing its own older
//! session, pushes and read cursors reaching every device, logout of one
//! device or all, ending a device from another, and a device that was
//! offline catching up to the same state.

use std::time::Duration;

use schat_client::{Client, DeviceKind, JoinPolicy, Push, ResultCode};
use schat_testkit::{
    eventually, file_token, group_with, push_where, refusal, ClusterSpec, TestCluster,
};

/// A connection to set `set` that logs in as `account` from `device`.
async fn device(
    cluster: &TestCluster,
    set: usize,
    account: &str,
    device_id: &str,
    kind: DeviceKind,
) -> (Client, String) {
    let client = cluster.client(set).await.unwrap();
    client.set_device(device_id, kind);
    let login = client.login_password(account, "password123").await.unwrap();
    (client, login.token)
}

async fn kicked(client: &Client) -> String {
    push_where(client, |push| match push {
        Push::Kicked { reason } => Some(reason),
        _ => None,
    })
    .await
}

/// The push of message `seq` of `gid` (earlier ones are passed over).
async fn message(client: &Client, gid: u64, seq: u64) -> schat_client::ChatMessage {
    push_where(client, |push| match push {
        Push::Message(message) if message.gid == gid && message.seq == seq => Some(message),
        _ => None,
    })
    .await
}

async fn register(cluster: &TestCluster, account: &str) -> u64 {
    let client = cluster.client(1).await.unwrap();
    client.register(account, "password123", "").await.unwrap()
}

#[tokio::test]
async fn every_device_gets_every_push_and_read_marks_follow() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let alice_uid = register(&cluster, "alice").await;
    let (phone, _) = device(&cluster, 1, "alice", "phone-1", DeviceKind::Phone).await;
    let (desktop, _) = device(&cluster, 2, "alice", "desk", DeviceKind::Desktop).await;
    let (bob, _, _) = cluster.user(1, "bob").await.unwrap();

    // Both devices are logged in at once, and each sees the list.
    let listed = desktop.devices().await.unwrap();
    let names: Vec<(&str, bool, bool)> = listed
        .iter()
        .map(|d| (d.device_id.as_str(), d.online, d.current))
        .collect();
    assert_eq!(names, vec![("desk", true, true), ("phone-1", true, false)]);
    assert_eq!(listed[1].kind(), DeviceKind::Phone);
    assert!(listed[1].client.starts_with("schat-client"));
    assert!(listed[0].online_since_ms > 0);

    // A message to the group reaches both devices; one device's own
    // message reaches the other.
    let gid = group_with(&bob, JoinPolicy::Open, &[&phone]).await;
    let sent = bob.send_text(gid, "b1", "hello both").await.unwrap();
    assert_eq!(message(&phone, gid, sent.seq).await.text, "hello both");
    assert_eq!(message(&desktop, gid, sent.seq).await.text, "hello both");
    let own = phone.send_text(gid, "p1", "from my phone").await.unwrap();
    let on_desktop = message(&desktop, gid, own.seq).await;
    assert_eq!(on_desktop.sender_uid, alice_uid);
    // Sending moved alice's cursor for every device: nothing unread.
    let state = desktop.my_groups().await.unwrap();
    assert_eq!(state[0].unread, 0);

    // A read mark on one device moves the cursor everywhere, and every
    // device is told.
    let more = bob.send_text(gid, "b2", "read me").await.unwrap();
    message(&desktop, gid, more.seq).await;
    assert_eq!(desktop.my_groups().await.unwrap()[0].unread, 1);
    phone.mark_read(gid, more.seq).await.unwrap();
    for client in [&desktop, &phone] {
        let marked = push_where(client, |push| match push {
            Push::ReadMarked { gid: g, read_seq } if g == gid => Some(read_seq),
            _ => None,
        })
        .await;
        assert_eq!(marked, more.seq);
    }
    let state = desktop.my_groups().await.unwrap();
    assert_eq!((state[0].read_seq, state[0].unread), (more.seq, 0));
    // Marking again (no move) tells nobody: the next push is bob's next
    // message.
    phone.mark_read(gid, more.seq).await.unwrap();
    let next = bob.send_text(gid, "b3", "next").await.unwrap();
    match tokio::time::timeout(Duration::from_secs(5), phone.next_push()).await {
        Ok(Some(Push::Message(message))) => assert_eq!(message.seq, next.seq),
        other => panic!("expected bob's message, got {other:?}"),
    }
    message(&desktop, gid, next.seq).await;

    // A recall from one device reaches the other.
    let recall = desktop.recall(gid, own.seq).await.unwrap();
    let event = message(&phone, gid, recall.seq).await;
    assert_eq!(event.recall_of, own.seq);

    // Alice stays online until her last device leaves.
    drop(phone);
    assert!(online(&bob, alice_uid).await);
    let went = eventually(Duration::from_millis(600), || async {
        !online(&bob, alice_uid).await
    })
    .await;
    assert!(!went, "alice went offline with one device still on");
    drop(desktop);
    let gone = eventually(Duration::from_secs(5), || async {
        !online(&bob, alice_uid).await
    })
    .await;
    assert!(gone, "alice still online with no device");
}

async fn online(asker: &Client, uid: u64) -> bool {
    asker.users(vec![uid], Vec::new()).await.unwrap()[0].online
}

#[tokio::test]
async fn a_device_replaces_its_own_session_only() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    register(&cluster, "carol").await;
    let (phone, _) = device(&cluster, 1, "carol", "phone", DeviceKind::Phone).await;
    let (desktop, _) = device(&cluster, 1, "carol", "desktop", DeviceKind::Desktop).await;
    // The same device again, on the other set: its old session is told
    // and closed; the other device is untouched.
    let (phone_again, _) = device(&cluster, 2, "carol", "phone", DeviceKind::Phone).await;
    assert_eq!(kicked(&phone).await, "logged in again on this device");
    let closed = eventually(Duration::from_secs(5), || async {
        phone.closed_reason().is_some()
    })
    .await;
    assert!(closed, "the replaced session stayed open");
    assert_eq!(desktop.profile().await.unwrap().account, "carol");
    assert_eq!(phone_again.profile().await.unwrap().account, "carol");
    let online: Vec<String> = desktop
        .devices()
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.online)
        .map(|d| d.device_id)
        .collect();
    assert_eq!(online.len(), 2, "{online:?}");

    // A device id outside the rules is refused before anything else.
    let bad = cluster.client(1).await.unwrap();
    for id in ["has space", "x:y", &"a".repeat(65)] {
        bad.set_device(id, DeviceKind::Phone);
        assert_eq!(
            refusal(bad.login_password("carol", "password123").await),
            ResultCode::BadRequest,
            "{id:?}"
        );
    }
}

#[tokio::test]
async fn an_eleventh_device_is_refused_and_stale_sessions_do_not_count() {
    let spec = ClusterSpec {
        auth: schat_runtime::config::AuthConfig {
            max_devices: 10,
            ..ClusterSpec::default().auth
        },
        ..ClusterSpec::default()
    };
    let mut cluster = TestCluster::start(spec).await.unwrap();
    register(&cluster, "dave").await;
    let mut devices = Vec::new();
    for n in 0..10 {
        let set = 1 + n % 2;
        let (client, _) = device(&cluster, set, "dave", &format!("d{n}"), DeviceKind::Web).await;
        devices.push(client);
    }
    let eleventh = cluster.client(1).await.unwrap();
    eleventh.set_device("d10", DeviceKind::Phone);
    let refused = eleventh.login_password("dave", "password123").await;
    let Err(err) = refused else {
        panic!("an 11th device logged in")
    };
    assert_eq!(err.code(), Some(ResultCode::TooManyDevices));
    assert!(err.to_string().contains("10 devices"), "{err}");
    // The ten are untouched, and a device already logged in may log in
    // again (it replaces itself, it does not add one).
    assert_eq!(devices[3].profile().await.unwrap().account, "dave");
    let (again, _) = device(&cluster, 2, "dave", "d0", DeviceKind::Web).await;
    assert_eq!(kicked(&devices[0]).await, "logged in again on this device");
    devices[0] = again;

    // One logs out: the 11th gets in.
    devices.pop().unwrap().logout().await.unwrap();
    eleventh
        .login_password("dave", "password123")
        .await
        .unwrap();

    // logic_serv-2 stops (its five sessions end without clearing their
    // records) and starts again as a new incarnation: the records it left
    // count for nothing, so five new devices log in.
    cluster.stop("logic_serv-2").await.unwrap();
    cluster.restart("logic_serv-2").await.unwrap();
    let mut fresh = Vec::new();
    for n in 0..5 {
        let client = cluster.client(1).await.unwrap();
        client.set_device(&format!("new{n}"), DeviceKind::Desktop);
        let logged_in = eventually(Duration::from_secs(10), || async {
            client.login_password("dave", "password123").await.is_ok()
        })
        .await;
        assert!(logged_in, "device new{n} refused after the restart");
        fresh.push(client);
    }
    let one_more = cluster.client(1).await.unwrap();
    one_more.set_device("new5", DeviceKind::Desktop);
    assert_eq!(
        refusal(one_more.login_password("dave", "password123").await),
        ResultCode::TooManyDevices
    );
}

#[tokio::test]
async fn logout_ends_one_device_or_all_of_them() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    register(&cluster, "erin").await;
    let (phone, phone_token) = device(&cluster, 1, "erin", "phone", DeviceKind::Phone).await;
    let (desktop, desktop_token) = device(&cluster, 2, "erin", "desk", DeviceKind::Desktop).await;
    let desktop_file_token = file_token(&desktop);

    // A token is its device's: it does not log in as another device.
    let thief = cluster.client(1).await.unwrap();
    thief.set_device("elsewhere", DeviceKind::Web);
    assert_eq!(
        refusal(thief.login_token(&phone_token).await),
        ResultCode::TokenInvalid
    );

    // The phone logs out: its token stops working, the desktop stays, and
    // gets a file token issued after the revocation of the user's old ones.
    phone.logout().await.unwrap();
    let retry = cluster.client(1).await.unwrap();
    retry.set_device("phone", DeviceKind::Phone);
    assert_eq!(
        refusal(retry.login_token(&phone_token).await),
        ResultCode::TokenInvalid
    );
    assert_eq!(desktop.profile().await.unwrap().account, "erin");
    let refreshed = eventually(Duration::from_secs(5), || async {
        file_token(&desktop) != desktop_file_token
    })
    .await;
    assert!(refreshed, "the desktop kept a file token the logout voided");
    let listed = desktop.devices().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");

    // The desktop's token still logs in (as the desktop).
    let laptop = cluster.client(1).await.unwrap();
    laptop.set_device("desk", DeviceKind::Desktop);
    laptop.login_token(&desktop_token).await.unwrap();
    assert_eq!(kicked(&desktop).await, "logged in again on this device");

    // Logging out everywhere closes every other session and voids every
    // token.
    let (tablet, tablet_token) = device(&cluster, 2, "erin", "tablet", DeviceKind::Phone).await;
    laptop.logout_everywhere().await.unwrap();
    assert_eq!(kicked(&tablet).await, "logged out on every device");
    for (id, token) in [("desk", &desktop_token), ("tablet", &tablet_token)] {
        let client = cluster.client(2).await.unwrap();
        client.set_device(id, DeviceKind::Desktop);
        assert_eq!(
            refusal(client.login_token(token).await),
            ResultCode::TokenInvalid,
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_device_is_ended_from_another() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    register(&cluster, "frank").await;
    let (phone, phone_token) = device(&cluster, 1, "frank", "lost-phone", DeviceKind::Phone).await;
    let (desktop, _) = device(&cluster, 2, "frank", "desk", DeviceKind::Desktop).await;

    desktop.end_device("lost-phone").await.unwrap();
    assert_eq!(
        kicked(&phone).await,
        "this device was logged out from another device"
    );
    let client = cluster.client(1).await.unwrap();
    client.set_device("lost-phone", DeviceKind::Phone);
    assert_eq!(
        refusal(client.login_token(&phone_token).await),
        ResultCode::TokenInvalid
    );
    // Not one's own device, not an unknown one, not a malformed id.
    for id in ["desk", "never-seen", "bad id"] {
        assert_eq!(
            refusal(desktop.end_device(id).await),
            ResultCode::BadRequest,
            "{id}"
        );
    }
    assert_eq!(desktop.devices().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_device_that_was_offline_catches_up_to_the_same_state() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let grace = register(&cluster, "grace").await;
    let (phone, _) = device(&cluster, 1, "grace", "phone", DeviceKind::Phone).await;
    let (desktop, desktop_token) = device(&cluster, 2, "grace", "desk", DeviceKind::Desktop).await;
    let (henry, henry_uid, _) = cluster.user(1, "henry").await.unwrap();
    let gid = group_with(&henry, JoinPolicy::Open, &[&phone]).await;
    drop(desktop);

    // While the desktop is away: messages, a recall, a read mark on the
    // phone, a contact request.
    let mut last = 0;
    for n in 0..5 {
        last = henry
            .send_text(gid, &format!("h{n}"), &format!("message {n}"))
            .await
            .unwrap()
            .seq;
    }
    henry.recall(gid, last).await.unwrap();
    let recall_seq = henry.send_text(gid, "h5", "after").await.unwrap().seq;
    phone.mark_read(gid, recall_seq - 1).await.unwrap();
    henry.add_contact(grace, "hi").await.unwrap();

    // The desktop comes back with its token: the same list, cursor,
    // messages and notices as the phone.
    let desktop = cluster.client(2).await.unwrap();
    desktop.set_device("desk", DeviceKind::Desktop);
    desktop.login_token(&desktop_token).await.unwrap();
    let on_phone = phone.my_groups().await.unwrap();
    let on_desktop = desktop.my_groups().await.unwrap();
    assert_eq!(on_phone, on_desktop);
    assert_eq!(
        (on_desktop[0].read_seq, on_desktop[0].unread),
        (recall_seq - 1, 1)
    );
    let pulled_phone = phone.pull(gid, 1, 0).await.unwrap().messages;
    let pulled_desktop = desktop.pull(gid, 1, 0).await.unwrap().messages;
    assert_eq!(pulled_phone, pulled_desktop);
    assert!(pulled_desktop.iter().any(|m| m.seq == last && m.recalled));
    let notices = desktop.notices(0).await.unwrap();
    assert!(
        notices.iter().any(
            |n| n.kind() == schat_client::NoticeKind::ContactRequest && n.from_uid == henry_uid
        ),
        "{notices:?}"
    );
}

#[tokio::test]
async fn a_device_token_keeps_working_across_reconnects_and_other_logins() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    register(&cluster, "ivan").await;
    let (cli, token) = device(&cluster, 1, "ivan", "cli-1", DeviceKind::Cli).await;
    drop(cli);
    for set in [2, 1] {
        let again = cluster.client(set).await.unwrap();
        again.set_device("cli-1", DeviceKind::Cli);
        again.login_token(&token).await.unwrap();
    }
    let (_phone, _) = device(&cluster, 1, "ivan", "phone", DeviceKind::Phone).await;
    let again = cluster.client(2).await.unwrap();
    again.set_device("cli-1", DeviceKind::Cli);
    again.login_token(&token).await.unwrap();
}

#[tokio::test]
async fn an_ended_device_loses_its_file_token_and_the_others_get_fresh_ones() {
    use schat_client::files::UploadTarget;
    use schat_client::ClientError;
    let spec = ClusterSpec {
        file_servs: 1,
        dirs: 1,
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    register(&cluster, "judy").await;
    let (phone, _) = device(&cluster, 1, "judy", "phone", DeviceKind::Phone).await;
    let (desktop, _) = device(&cluster, 2, "judy", "desk", DeviceKind::Desktop).await;
    // A second session on the desktop's logic: both are refreshed at once.
    let (tablet, _) = device(&cluster, 2, "judy", "tablet", DeviceKind::Phone).await;
    let files = cluster.files().await;
    let uploaded = files
        .upload(
            &file_token(&desktop),
            UploadTarget::Avatar,
            "me",
            schat_testkit::png(200, 1),
        )
        .await
        .unwrap();
    let phone_file_token = file_token(&phone);
    let desktop_file_token = file_token(&desktop);
    let tablet_file_token = file_token(&tablet);
    files
        .download(&phone_file_token, &uploaded.url, None)
        .await
        .unwrap();

    desktop.end_device("phone").await.unwrap();
    let refused = eventually(Duration::from_secs(5), || async {
        matches!(
            files.download(&phone_file_token, &uploaded.url, None).await,
            Err(ClientError::Http { status: 401, .. })
        )
    })
    .await;
    assert!(refused, "an ended device's file token still downloads");
    // The desktop's old token is void too (file tokens are the user's),
    // and it was pushed a fresh one that works.
    let refreshed = eventually(Duration::from_secs(5), || async {
        file_token(&desktop) != desktop_file_token
    })
    .await;
    assert!(refreshed, "the desktop got no fresh file token");
    files
        .download(&file_token(&desktop), &uploaded.url, None)
        .await
        .unwrap();
    let refreshed = eventually(Duration::from_secs(5), || async {
        file_token(&tablet) != tablet_file_token
    })
    .await;
    assert!(refreshed, "the tablet got no fresh file token");
    files
        .download(&file_token(&tablet), &uploaded.url, None)
        .await
        .unwrap();
    // One token signed for the user's sessions on that logic.
    assert_eq!(file_token(&tablet), file_token(&desktop));
}

/// A token from before devices (`v1.`, no device stamp): it logs in as the
/// default device only, and a logout since it was issued voids it.
#[tokio::test]
async fn a_token_from_before_devices_logs_in_as_the_default_device_until_a_logout() {
    let spec = ClusterSpec {
        redis: schat_testkit::RedisMode::Single,
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let uid = register(&cluster, "kim").await;
    // The cluster's signing key, as logic reads it (binary: redis-cli --raw).
    let output = std::process::Command::new("redis-cli")
        .args(["-p", &cluster.redis().port().to_string(), "--raw"])
        .args(["GET", "{cfg}:secret:token_key"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let mut key = output.stdout;
    assert_eq!(
        key.pop(),
        Some(b'\n'),
        "redis-cli ends its answer with a newline"
    );
    assert_eq!(key.len(), 32);
    let expires = schat_runtime::time::now_ms() + 3_600_000;
    let v1 = schat_runtime::signed::seal(&key, "v1", [uid, 0, expires]);

    let named = cluster.client(1).await.unwrap();
    named.set_device("phone", DeviceKind::Phone);
    assert_eq!(
        refusal(named.login_token(&v1).await),
        ResultCode::TokenInvalid
    );
    let default = cluster.client(1).await.unwrap();
    let login = default.login_token(&v1).await.unwrap();
    assert_eq!(login.uid, uid);
    assert!(login.token.starts_with("v2."), "{}", login.token);
    // Any logout since it was issued voids it (this one: of another
    // device).
    let (phone, _) = device(&cluster, 2, "kim", "phone", DeviceKind::Phone).await;
    phone.logout().await.unwrap();
    let again = cluster.client(2).await.unwrap();
    assert_eq!(
        refusal(again.login_token(&v1).await),
        ResultCode::TokenInvalid
    );
}

/// At most 64 devices are remembered: a new device past that forgets the
/// one used least recently that has no session, whose token stops working;
/// devices with a session are kept.
#[tokio::test]
async fn past_64_known_devices_the_least_recently_used_is_forgotten() {
    // Room for the sessions of dropped connections still closing.
    let spec = ClusterSpec {
        auth: schat_runtime::config::AuthConfig {
            max_devices: 32,
            ..ClusterSpec::default().auth
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    register(&cluster, "lena").await;
    // The oldest device logs in first and leaves (its token kept); one
    // device stays logged in throughout.
    let (oldest, oldest_token) = device(&cluster, 1, "lena", "d00", DeviceKind::Phone).await;
    drop(oldest);
    let (online, _) = device(&cluster, 2, "lena", "d01", DeviceKind::Desktop).await;
    for n in 2..64 {
        let (client, _) = device(&cluster, 1, "lena", &format!("d{n:02}"), DeviceKind::Web).await;
        drop(client);
    }
    assert_eq!(online.devices().await.unwrap().len(), 64);
    // The 65th: d00, the least recently used without a session, goes.
    let (_newest, _) = device(&cluster, 2, "lena", "d64", DeviceKind::Web).await;
    let listed: Vec<String> = online
        .devices()
        .await
        .unwrap()
        .into_iter()
        .map(|device| device.device_id)
        .collect();
    assert_eq!(listed.len(), 64, "{listed:?}");
    assert!(!listed.contains(&"d00".to_string()), "{listed:?}");
    assert!(listed.contains(&"d01".to_string()), "{listed:?}");
    let again = cluster.client(1).await.unwrap();
    again.set_device("d00", DeviceKind::Phone);
    assert_eq!(
        refusal(again.login_token(&oldest_token).await),
        ResultCode::TokenInvalid
    );
}
