//! The login and registration throttle (auth.throttle): password guessing
//! backs off per account and per client address, one connection is closed
//! after too many failures, and one address registers only so many
//! accounts. Clients connect from chosen 127.0.0.x addresses.

use std::net::IpAddr;
use std::time::Duration;

use schat_client::{Client, ClientError, ClientOptions, ResultCode};
use schat_runtime::config::{AuthConfig, AuthThrottle};
use schat_testkit::{ClusterSpec, TestCluster};

fn spec(throttle: AuthThrottle) -> ClusterSpec {
    ClusterSpec {
        auth: AuthConfig {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            throttle: AuthThrottle {
                on_loopback: true,
                ..throttle
            },
            ..AuthConfig::default()
        },
        ..ClusterSpec::default()
    }
}

async fn client_from(cluster: &TestCluster, set: usize, ip: &str) -> Client {
    let options = ClientOptions {
        local_ip: Some(ip.parse::<IpAddr>().unwrap()),
        ..ClientOptions::default()
    };
    Client::connect_with(&cluster.conn_addr(set), options)
        .await
        .unwrap()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (ResultCode, String) {
    match result {
        Err(ClientError::Server { code, reason }) => (code, reason),
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn guessing_one_password_backs_off_and_the_owner_gets_in_after() {
    let cluster = TestCluster::start(spec(AuthThrottle {
        account_free_failures: 3,
        backoff_base_ms: 400,
        ..AuthThrottle::default()
    }))
    .await
    .unwrap();
    let owner = client_from(&cluster, 1, "127.0.0.1").await;
    owner.register("victim", "password123", "").await.unwrap();

    // The guesser moves between sets and addresses: the account's count is
    // shared by every logic.
    for (attempt, (set, ip)) in [
        (1, "127.0.0.2"),
        (2, "127.0.0.3"),
        (1, "127.0.0.4"),
        (2, "127.0.0.2"),
    ]
    .into_iter()
    .enumerate()
    {
        let guesser = client_from(&cluster, set, ip).await;
        let (code, _) = refusal(guesser.login_password("victim", "guess").await);
        assert_eq!(code, ResultCode::AuthFailed, "attempt {attempt}");
    }
    // Backing off now: even the right password is refused, unhashed.
    let (code, reason) = refusal(owner.login_password("victim", "password123").await);
    assert_eq!(code, ResultCode::RateLimited);
    assert!(reason.contains("retry in"), "{reason}");
    // Once the wait is over the owner logs in, which forgives the count.
    let owner_in = schat_testkit::eventually(Duration::from_secs(3), || async {
        let owner = client_from(&cluster, 1, "127.0.0.1").await;
        owner.login_password("victim", "password123").await.is_ok()
    })
    .await;
    assert!(owner_in);
    let guesser = client_from(&cluster, 2, "127.0.0.5").await;
    let (code, _) = refusal(guesser.login_password("victim", "guess").await);
    assert_eq!(
        code,
        ResultCode::AuthFailed,
        "the count starts over after a login"
    );
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_held_back() {
    let cluster = TestCluster::start(spec(AuthThrottle {
        account_free_failures: 100,
        address_free_failures: 4,
        backoff_base_ms: 60_000,
        ..AuthThrottle::default()
    }))
    .await
    .unwrap();
    let other = client_from(&cluster, 1, "127.0.0.3").await;
    other.register("someone", "password123", "").await.unwrap();
    for index in 0..5 {
        let guesser = client_from(&cluster, 1 + index % 2, "127.0.0.2").await;
        let (code, _) = refusal(
            guesser
                .login_password(&format!("user{index}"), "guess")
                .await,
        );
        assert_eq!(code, ResultCode::AuthFailed, "attempt {index}");
    }
    let guesser = client_from(&cluster, 2, "127.0.0.2").await;
    let (code, _) = refusal(guesser.login_password("someone", "password123").await);
    assert_eq!(code, ResultCode::RateLimited);
    // Another address is not held back.
    other
        .login_password("someone", "password123")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_connection_with_too_many_failed_logins_is_closed() {
    let cluster = TestCluster::start(spec(AuthThrottle {
        account_free_failures: 100,
        address_free_failures: 100,
        connection_failures: 3,
        ..AuthThrottle::default()
    }))
    .await
    .unwrap();
    let guesser = client_from(&cluster, 1, "127.0.0.2").await;
    for attempt in 0..3 {
        let (code, _) = refusal(guesser.login_password("nobody", "guess").await);
        assert_eq!(code, ResultCode::AuthFailed, "attempt {attempt}");
    }
    let closed = schat_testkit::eventually(Duration::from_secs(3), || async {
        guesser.closed_reason().is_some()
    })
    .await;
    assert!(closed, "the connection stayed open");
    let reason = guesser.closed_reason().unwrap();
    assert!(reason.contains("failed logins"), "{reason}");
}

#[tokio::test]
async fn one_address_registers_only_so_many_accounts() {
    let cluster = TestCluster::start(spec(AuthThrottle {
        registrations_per_hour: 3,
        ..AuthThrottle::default()
    }))
    .await
    .unwrap();
    let busy = client_from(&cluster, 1, "127.0.0.2").await;
    for index in 0..3 {
        busy.register(&format!("new{index}"), "password123", "")
            .await
            .unwrap();
    }
    // The other set counts the same address.
    let again = client_from(&cluster, 2, "127.0.0.2").await;
    let (code, reason) = refusal(again.register("new3", "password123", "").await);
    assert_eq!(code, ResultCode::RateLimited);
    assert!(reason.contains("registrations"), "{reason}");
    let elsewhere = client_from(&cluster, 2, "127.0.0.3").await;
    elsewhere.register("new4", "password123", "").await.unwrap();
}

#[tokio::test]
async fn a_user_sending_too_fast_is_refused_and_nothing_refused_is_stored() {
    let cluster = TestCluster::start(ClusterSpec {
        chat: schat_runtime::config::ChatConfig {
            send_rate_per_sec: 5,
            send_burst: 5,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (sender, _, _) = cluster.user(1, "chatty").await.unwrap();
    let group = sender
        .create_group(schat_client::CreateGroupRequest {
            name: "flood".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (mut stored, mut refused) = (0, 0);
    for index in 0..20 {
        let id = format!("m{index}");
        match sender.send_text(group.gid, &id, &id).await {
            Ok(_) => stored += 1,
            Err(err) => {
                assert_eq!(err.code(), Some(ResultCode::RateLimited), "{err}");
                refused += 1;
            }
        }
    }
    assert!(refused >= 10, "only {refused} of 20 refused");
    // Coming back on a new connection does not refill the bucket.
    let again = cluster.client(1).await.unwrap();
    again.login_password("chatty", "password123").await.unwrap();
    let refused_again = again.send_text(group.gid, "reconnected", "x").await;
    assert_eq!(
        refused_again.err().and_then(|err| err.code()),
        Some(ResultCode::RateLimited)
    );
    let sender = again;
    // Stored means acknowledged: the group holds exactly those (and its
    // creation notice, if any, before them).
    let pulled = sender.pull(group.gid, 1, 0).await.unwrap();
    let texts = pulled
        .messages
        .iter()
        .filter(|message| message.text.starts_with('m'))
        .count();
    assert_eq!(texts, stored);
    // The rate refills: a moment later sending works again.
    let again = schat_testkit::eventually(Duration::from_secs(2), || async {
        sender.send_text(group.gid, "later", "later").await.is_ok()
    })
    .await;
    assert!(again);
}
