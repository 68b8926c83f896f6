//! Accounts and sessions through the whole stack: client → conn → logic →
//! db_logic → Redis, with presence through the disps and online_servs.

use std::time::Duration;

use schat_client::{ClientError, ProfileUpdate, Push, ResultCode};
use schat_testkit::{eventually, ClusterSpec, TestCluster};

fn code(result: Result<impl std::fmt::Debug, ClientError>) -> ResultCode {
    match result {
        Err(err) => err
            .code()
            .unwrap_or_else(|| panic!("expected a server error, got {err:?}")),
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

#[tokio::test]
async fn register_login_profile_logout() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let client = cluster.client(1).await.unwrap();
    let uid = client
        .register("Alice", "password123", "Alice A.")
        .await
        .unwrap();
    assert!(uid > 0);

    let login = client.login_password("alice", "password123").await.unwrap();
    assert_eq!(login.uid, uid);
    assert!(!login.token.is_empty());
    assert!(login.token_expires_at_ms > login.server_time_ms);
    let profile = login.profile.unwrap();
    assert_eq!(profile.account, "alice");
    assert_eq!(profile.display_name, "Alice A.");
    assert!(profile.online);

    let avatar = format!("/f/1/u{uid}/{}.png", "cd".repeat(32));
    let updated = client
        .update_profile(ProfileUpdate {
            display_name: None,
            description: Some("hello there".to_string()),
            avatar_url: Some(avatar.clone()),
        })
        .await
        .unwrap();
    assert_eq!(updated.display_name, "Alice A.");
    assert_eq!(updated.description, "hello there");
    let own = client.profile().await.unwrap();
    assert_eq!(own.avatar_url, avatar);
    // An avatar is a file uploaded as this user's avatar, nothing else.
    for bad in [
        "javascript:alert(1)".to_string(),
        "http://evil.example/a.png".to_string(),
        format!("/f/1/u{}/{}.png", uid + 1, "cd".repeat(32)),
    ] {
        let refused = client
            .update_profile(ProfileUpdate {
                display_name: None,
                description: None,
                avatar_url: Some(bad.clone()),
            })
            .await;
        assert_eq!(code(refused), ResultCode::BadRequest, "{bad}");
    }
    assert_eq!(client.profile().await.unwrap().avatar_url, avatar);

    client.logout().await.unwrap();
    // Logged out: the connection stays, but needs a login again.
    assert_eq!(code(client.profile().await), ResultCode::NotLoggedIn);
}

#[tokio::test]
async fn wrong_password_and_unknown_account_are_refused_alike() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let client = cluster.client(1).await.unwrap();
    client.register("bob", "password123", "").await.unwrap();
    assert_eq!(
        code(client.login_password("bob", "password124").await),
        ResultCode::AuthFailed
    );
    assert_eq!(
        code(client.login_password("nobody", "password123").await),
        ResultCode::AuthFailed
    );
    // The connection is still usable after a refusal.
    client.login_password("bob", "password123").await.unwrap();
}

#[tokio::test]
async fn duplicate_account_name_is_refused() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let first = cluster.client(1).await.unwrap();
    let second = cluster.client(2).await.unwrap();
    first.register("carol", "password123", "").await.unwrap();
    assert_eq!(
        code(second.register("CAROL", "password456", "").await),
        ResultCode::AccountExists
    );
    // The original password still works.
    second.login_password("carol", "password123").await.unwrap();
}

#[tokio::test]
async fn invalid_registration_fields_are_refused() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let client = cluster.client(1).await.unwrap();
    assert_eq!(
        code(client.register("ab", "password123", "").await),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(client.register("dave", "short", "").await),
        ResultCode::BadRequest
    );
    assert_eq!(
        code(
            client
                .register("dave", "password123", &"x".repeat(65))
                .await
        ),
        ResultCode::BadRequest
    );
}

#[tokio::test]
async fn second_login_kicks_the_first_with_a_reason() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    // Same set, then another set.
    for (account, second_set) in [("erin", 1), ("frank", 2)] {
        let (first, uid, _) = cluster.user(1, account).await.unwrap();
        let second = cluster.client(second_set).await.unwrap();
        let login = second.login_password(account, "password123").await.unwrap();
        assert_eq!(login.uid, uid);

        let push = tokio::time::timeout(Duration::from_secs(5), first.next_push())
            .await
            .expect("the first session is told");
        match push {
            // Both name no device: they are the same (default) device.
            Some(Push::Kicked { reason }) => {
                assert_eq!(reason, "logged in again on this device")
            }
            other => panic!("expected a kick, got {other:?}"),
        }
        // The first connection is closed; the second works.
        assert!(matches!(first.profile().await, Err(ClientError::Closed(_))));
        assert_eq!(second.profile().await.unwrap().uid, uid);
    }
}

#[tokio::test]
async fn token_login_and_revocation() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (first, uid, token) = cluster.user(1, "grace").await.unwrap();
    drop(first);

    // Reconnect on another set with the token.
    let again = cluster.client(2).await.unwrap();
    let login = again.login_token(&token).await.unwrap();
    assert_eq!(login.uid, uid);
    assert_eq!(again.profile().await.unwrap().account, "grace");

    // Logout revokes every token issued to the device so far, the fresh
    // one included (both logins named no device: the default one).
    again.logout().await.unwrap();
    let third = cluster.client(1).await.unwrap();
    assert_eq!(
        code(third.login_token(&token).await),
        ResultCode::TokenInvalid
    );
    assert_eq!(
        code(third.login_token(&login.token).await),
        ResultCode::TokenInvalid
    );
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() {
    let spec = ClusterSpec {
        auth: schat_runtime::config::AuthConfig {
            token_ttl_secs: 1,
            ..ClusterSpec::default().auth
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (_first, uid, token) = cluster.user(1, "heidi").await.unwrap();
    let client = cluster.client(2).await.unwrap();

    let forged = token.replacen(&format!("v2.{uid}."), &format!("v2.{}.", uid + 1), 1);
    assert_ne!(forged, token);
    assert_eq!(
        code(client.login_token(&forged).await),
        ResultCode::TokenInvalid
    );
    assert_eq!(
        code(client.login_token("not-a-token").await),
        ResultCode::TokenInvalid
    );

    // The token lives one second; each attempt on a fresh connection, as a
    // successful one leaves its connection logged in.
    let expired = eventually(Duration::from_secs(5), || async {
        let attempt = cluster.client(2).await.unwrap();
        attempt
            .login_token(&token)
            .await
            .err()
            .and_then(|err| err.code())
            == Some(ResultCode::TokenExpired)
    })
    .await;
    assert!(expired, "the token never expired");
}

#[tokio::test]
async fn users_lookup_shows_presence() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (ivan, ivan_uid, _) = cluster.user(1, "ivan").await.unwrap();
    let (judy, judy_uid, _) = cluster.user(2, "judy").await.unwrap();
    let online = |users: &[schat_client::UserProfile], uid| {
        users
            .iter()
            .find(|user| user.uid == uid)
            .map(|user| user.online)
    };

    let users = ivan
        .users(
            vec![judy_uid],
            vec!["ivan".to_string(), "nobody".to_string()],
        )
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(online(&users, judy_uid), Some(true));
    assert_eq!(online(&users, ivan_uid), Some(true));

    drop(judy);
    let offline = eventually(Duration::from_secs(5), || async {
        let users = ivan.users(vec![judy_uid], Vec::new()).await.unwrap();
        online(&users, judy_uid) == Some(false)
    })
    .await;
    assert!(offline, "judy still shows online after disconnecting");

    let too_many: Vec<u64> = (1..=101).collect();
    assert_eq!(
        code(ivan.users(too_many, Vec::new()).await),
        ResultCode::BadRequest
    );
}
