//! Bad input gets a clear error, closes only the offending connection, and
//! leaves everyone else unaffected.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use schat_client::{Client, ClientError, Push, ResultCode};
use schat_proto::client::{
    client_message::Body, server_message::Body as Response, ClientMessage, GetProfileRequest,
    ServerMessage,
};
use schat_proto::Wire;
use schat_runtime::config::Limits;
use schat_testkit::{ClusterSpec, TestCluster};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads one frame from a raw socket; None at EOF.
async fn read_frame(stream: &mut TcpStream) -> Option<ServerMessage> {
    let mut len = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut len))
        .await
        .expect("server answers within 5 s")
        .ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).await.ok()?;
    Some(ServerMessage::decode_frame(Bytes::from(body)).expect("server sends valid frames"))
}

/// True once the server has closed the socket.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

fn framed(body: &[u8]) -> Bytes {
    let mut out = BytesMut::new();
    out.put_u32(body.len() as u32);
    out.put_slice(body);
    out.freeze()
}

async fn closing_code(client: &Client) -> ResultCode {
    match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
        Ok(Some(Push::Closing { code, .. })) => code,
        other => panic!("expected a closing notice, got {other:?}"),
    }
}

#[tokio::test]
async fn request_before_login_is_refused_and_closed() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let client = cluster.client(1).await.unwrap();
    match client.profile().await {
        Err(ClientError::Server { code, .. }) => assert_eq!(code, ResultCode::NotLoggedIn),
        other => panic!("expected NOT_LOGGED_IN, got {other:?}"),
    }
    assert_eq!(closing_code(&client).await, ResultCode::NotLoggedIn);
    assert!(matches!(client.ping().await, Err(ClientError::Closed(_))));
}

#[tokio::test]
async fn garbage_frame_closes_only_that_connection() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (bystander, _, _) = cluster.user(1, "bystander").await.unwrap();
    let attacker = cluster.client(1).await.unwrap();
    attacker
        .send_raw_frame(Bytes::from_static(&[0x0f, 0xff, 0xff, 0xff, 0x07]))
        .await
        .unwrap();
    assert_eq!(closing_code(&attacker).await, ResultCode::Malformed);
    assert!(matches!(attacker.ping().await, Err(ClientError::Closed(_))));
    // Everyone else carries on.
    assert_eq!(bystander.profile().await.unwrap().account, "bystander");
    let newcomer = cluster.client(1).await.unwrap();
    newcomer.ping().await.unwrap();
}

#[tokio::test]
async fn garbage_inside_a_well_formed_frame_closes_only_that_connection() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (bystander, _, _) = cluster.user(1, "bystander").await.unwrap();
    let attacker = cluster.client(1).await.unwrap();
    // request_id 1, then a `register` body (field 11) whose two bytes are
    // not a RegisterRequest: conn_serv reads only the request id and a ping,
    // so logic is the one that finds out, and closes the connection just
    // the same.
    attacker
        .send_raw_frame(Bytes::from_static(&[0x08, 0x01, 0x5a, 0x02, 0xff, 0xff]))
        .await
        .unwrap();
    assert_eq!(closing_code(&attacker).await, ResultCode::Malformed);
    assert!(matches!(attacker.ping().await, Err(ClientError::Closed(_))));
    assert_eq!(bystander.profile().await.unwrap().account, "bystander");
}

#[tokio::test]
async fn oversize_frame_is_refused_before_its_body() {
    let spec = ClusterSpec {
        limits: Limits {
            max_frame_bytes: 4096,
            ..Limits::default()
        },
        chat: schat_runtime::config::ChatConfig {
            max_message_bytes: 1024,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (bystander, _, _) = cluster.user(1, "bystander").await.unwrap();
    let mut raw = TcpStream::connect(cluster.conn_addr(1)).await.unwrap();
    // Announce 1 MiB and send only the header: the refusal must not wait.
    raw.write_all(&(1u32 << 20).to_be_bytes()).await.unwrap();
    let notice = read_frame(&mut raw).await.expect("a closing notice");
    assert_eq!(notice.code(), ResultCode::FrameTooLarge);
    assert!(notice.reason.contains("4096"), "{}", notice.reason);
    assert!(closed_by_server(&mut raw).await);
    assert_eq!(bystander.profile().await.unwrap().account, "bystander");
}

#[tokio::test]
async fn unknown_message_type_is_answered_and_the_connection_stays() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let mut raw = TcpStream::connect(cluster.conn_addr(1)).await.unwrap();
    // request_id = 9, then field 1000 (a message type from the future).
    raw.write_all(&framed(&[0x08, 0x09, 0xc2, 0x3e, 0x01, 0x00]))
        .await
        .unwrap();
    let reply = read_frame(&mut raw).await.expect("a reply");
    assert_eq!(reply.request_id, 9);
    assert_eq!(reply.code(), ResultCode::UnknownMessage);

    // request_id 0 is refused too, and the connection still works.
    let zero = ClientMessage {
        request_id: 0,
        body: Some(Body::GetProfile(GetProfileRequest {})),
    };
    raw.write_all(&framed(&zero.encode_frame())).await.unwrap();
    let reply = read_frame(&mut raw).await.expect("a reply");
    assert_eq!(reply.code(), ResultCode::BadRequest);
    // A ping too: conn_serv answers pings itself, by the same rule.
    let zero_ping = ClientMessage {
        request_id: 0,
        body: Some(Body::Ping(Default::default())),
    };
    raw.write_all(&framed(&zero_ping.encode_frame()))
        .await
        .unwrap();
    let reply = read_frame(&mut raw).await.expect("a reply");
    assert_eq!(reply.code(), ResultCode::BadRequest);
    assert!(!matches!(reply.body, Some(Response::Pong(_))));

    let ping = ClientMessage {
        request_id: 10,
        body: Some(Body::Ping(Default::default())),
    };
    raw.write_all(&framed(&ping.encode_frame())).await.unwrap();
    let reply = read_frame(&mut raw).await.expect("a pong");
    assert_eq!(reply.request_id, 10);
    assert!(matches!(reply.body, Some(Response::Pong(_))));
}

#[tokio::test]
async fn idle_connections_are_closed_with_a_reason() {
    let spec = ClusterSpec {
        limits: Limits {
            client_idle_timeout_secs: 1,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let idle = cluster.client(1).await.unwrap();
    assert_eq!(closing_code(&idle).await, ResultCode::IdleTimeout);
}

#[tokio::test]
async fn connections_past_the_cap_are_refused() {
    let spec = ClusterSpec {
        limits: Limits {
            max_connections: 3,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..3 {
        let client = cluster.client(2).await.unwrap();
        client.ping().await.unwrap();
        held.push(client);
    }
    let refused = cluster.client(2).await.unwrap();
    assert_eq!(closing_code(&refused).await, ResultCode::Busy);
    // A slot frees when a client leaves.
    drop(held.pop());
    let admitted = schat_testkit::eventually(Duration::from_secs(5), || async {
        let client = cluster.client(2).await.unwrap();
        client.ping().await.is_ok()
    })
    .await;
    assert!(admitted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected_and_loses_nothing() {
    use schat_proto::client::{login_request::Credential, LoginRequest, PasswordCredential};
    let spec = ClusterSpec {
        limits: Limits {
            client_send_queue: 8,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (sender, _, _) = cluster.user(1, "sender").await.unwrap();
    let group = sender
        .create_group(schat_client::CreateGroupRequest {
            name: "firehose".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (sloth, _, _) = cluster.user(2, "sloth").await.unwrap();
    sloth.join_group(group.gid, "", "").await.unwrap();
    drop(sloth);

    // The slow client logs in on a raw socket and then never reads.
    let mut raw = TcpStream::connect(cluster.conn_addr(2)).await.unwrap();
    let login = ClientMessage {
        request_id: 1,
        body: Some(Body::Login(LoginRequest {
            credential: Some(Credential::Password(PasswordCredential {
                account: "sloth".to_string(),
                password: "password123".to_string(),
            })),
            client: "slow".to_string(),
            ..LoginRequest::default()
        })),
    };
    raw.write_all(&framed(&login.encode_frame())).await.unwrap();
    let reply = read_frame(&mut raw).await.expect("a login answer");
    assert_eq!(reply.code(), ResultCode::Ok);

    // Far more than the socket buffers and the 8-frame queue can hold.
    let text = "z".repeat(16 * 1024);
    let sent = 2_000;
    for index in 0..sent {
        sender
            .send_text(group.gid, &format!("f{index}"), &text)
            .await
            .unwrap();
    }
    // The server gave up on the slow client: after what its socket held,
    // the connection ends (with a TOO_SLOW notice if it is still there to
    // be read), well short of everything that was sent.
    let mut pushed = 0;
    let mut notice = None;
    while let Some(frame) = read_frame(&mut raw).await {
        match frame.body {
            Some(Response::Message(_)) => pushed += 1,
            Some(Response::Closing(closing)) => notice = Some(closing.code()),
            _ => {}
        }
    }
    assert!(pushed < sent, "the slow client got all {pushed} pushes");
    if let Some(code) = notice {
        assert_eq!(code, ResultCode::TooSlow);
    }
    // Everyone else is unaffected, and nothing acknowledged was dropped:
    // the slow client finds every message when it comes back.
    assert_eq!(sender.profile().await.unwrap().account, "sender");
    let back = cluster.client(1).await.unwrap();
    back.login_password("sloth", "password123").await.unwrap();
    let mut sync = schat_client::MessageSync::new();
    let all = sync.catch_up(&back, group.gid, 1).await.unwrap();
    let texts = all
        .iter()
        .filter(|message| message.kind() == schat_client::MessageKind::Text)
        .count();
    assert_eq!(texts, sent);
}

/// Logs in `account` on a raw socket (to send and read frames by hand).
async fn raw_login(cluster: &TestCluster, set: usize, account: &str) -> TcpStream {
    use schat_proto::client::{login_request::Credential, LoginRequest, PasswordCredential};
    let mut raw = TcpStream::connect(cluster.conn_addr(set)).await.unwrap();
    let login = ClientMessage {
        request_id: 1,
        body: Some(Body::Login(LoginRequest {
            credential: Some(Credential::Password(PasswordCredential {
                account: account.to_string(),
                password: "password123".to_string(),
            })),
            client: "raw".to_string(),
            ..LoginRequest::default()
        })),
    };
    raw.write_all(&framed(&login.encode_frame())).await.unwrap();
    let reply = read_frame(&mut raw).await.expect("a login answer");
    assert_eq!(reply.code(), ResultCode::Ok);
    raw
}

#[tokio::test]
async fn a_slow_reader_is_bounded_in_bytes_and_told_too_slow_once() {
    use schat_proto::client::PullMessagesRequest;
    // 1,024 frames would let each client queue 1,024 large answers; the
    // byte bound stops it at about 1 MiB.
    let spec = ClusterSpec {
        limits: Limits {
            client_send_queue_bytes: 1024 * 1024,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (writer, _, _) = cluster.user(1, "writer").await.unwrap();
    let group = writer
        .create_group(schat_client::CreateGroupRequest {
            name: "big".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let text = "b".repeat(16 * 1024);
    for index in 0..20 {
        writer
            .send_text(group.gid, &format!("b{index}"), &text)
            .await
            .unwrap();
    }
    let (reader, _, _) = cluster.user(2, "reader").await.unwrap();
    reader.join_group(group.gid, "", "").await.unwrap();
    drop(reader);

    // 60 pulls of ~240 KiB answers each (14 MiB), under the in-flight
    // limit, sent before reading anything; then the client reads slowly.
    let mut raw = raw_login(&cluster, 2, "reader").await;
    let pull = |request_id: u32| ClientMessage {
        request_id,
        body: Some(Body::PullMessages(PullMessagesRequest {
            gid: group.gid,
            from_seq: 1,
            limit: 0,
        })),
    };
    let mut burst = BytesMut::new();
    for request_id in 2..62 {
        burst.put_slice(&framed(&pull(request_id).encode_frame()));
    }
    raw.write_all(&burst).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut answers, mut closings) = (0, Vec::new());
    while let Some(frame) = read_frame(&mut raw).await {
        match frame.body {
            Some(Response::Closing(closing)) => closings.push(closing.code()),
            Some(_) => {
                assert!(closings.is_empty(), "a frame came after the closing notice");
                answers += 1;
            }
            None => {}
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        closings,
        vec![ResultCode::TooSlow],
        "after {answers} answers"
    );
    assert!(
        answers < 60,
        "all {answers} answers were queued for a client that did not read"
    );
    // Everyone else carries on.
    assert_eq!(writer.profile().await.unwrap().account, "writer");
}

#[tokio::test]
async fn a_burst_past_the_in_flight_limit_is_answered_then_closed_once() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (other, _, _) = cluster.user(1, "other").await.unwrap();
    cluster.user(1, "burst").await.unwrap();
    let mut raw = raw_login(&cluster, 1, "burst").await;
    let sent = 1_000u32;
    let mut burst = BytesMut::new();
    for request_id in 2..2 + sent {
        let profile = ClientMessage {
            request_id,
            body: Some(Body::GetProfile(GetProfileRequest {})),
        };
        burst.put_slice(&framed(&profile.encode_frame()));
    }
    raw.write_all(&burst).await.unwrap();
    let mut answered = std::collections::BTreeSet::new();
    let mut closings = Vec::new();
    while let Some(frame) = read_frame(&mut raw).await {
        match frame.body {
            Some(Response::Closing(closing)) => closings.push(closing.code()),
            Some(_) => {
                assert!(
                    closings.is_empty(),
                    "an answer came after the closing notice"
                );
                assert!(answered.insert(frame.request_id), "answered twice");
            }
            None => {}
        }
    }
    assert_eq!(closings, vec![ResultCode::RateLimited]);
    // Every request taken before the overload was answered.
    assert!(answered.len() >= 64, "only {} answered", answered.len());
    assert!(answered.len() < sent as usize);
    assert_eq!(other.profile().await.unwrap().account, "other");
}

/// Pings `client` every 200 ms until the server closes it (at most 5 s);
/// returns the closing notice's code.
async fn closed_despite_pings(client: &Client) -> ResultCode {
    let started = std::time::Instant::now();
    loop {
        if client.closed_reason().is_some() || client.ping().await.is_err() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still open after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    closing_code(client).await
}

#[tokio::test]
async fn a_connection_must_log_in_in_time_and_pings_do_not_count() {
    let spec = ClusterSpec {
        limits: Limits {
            client_login_timeout_secs: 1,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (user, _, _) = cluster.user(1, "punctual").await.unwrap();
    let lurker = cluster.client(1).await.unwrap();
    // Pings every 200 ms do not keep an anonymous connection open.
    assert_eq!(closed_despite_pings(&lurker).await, ResultCode::NotLoggedIn);
    // Past two login periods, the logged-in connection is still served.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(user.profile().await.unwrap().account, "punctual");
    // After a logout the connection has the same time to log in again.
    user.logout().await.unwrap();
    assert_eq!(closed_despite_pings(&user).await, ResultCode::NotLoggedIn);
    let reason = user.closed_reason().unwrap_or_default();
    assert!(reason.contains("logout"), "{reason}");
}

#[tokio::test]
async fn a_logout_gets_the_whole_login_period_again() {
    let spec = ClusterSpec {
        limits: Limits {
            client_login_timeout_secs: 2,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (user, _, _) = cluster.user(1, "leaver").await.unwrap();
    // Log out late in the first period: the connection still has a whole
    // period from the logout, not what was left of the first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    user.logout().await.unwrap();
    let logged_out = std::time::Instant::now();
    let code = closed_despite_pings(&user).await;
    assert_eq!(code, ResultCode::NotLoggedIn);
    assert!(
        logged_out.elapsed() >= Duration::from_millis(1800),
        "closed {:?} after the logout",
        logged_out.elapsed()
    );
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_connections() {
    let spec = ClusterSpec {
        limits: Limits {
            max_connections_per_addr: 3,
            ..Limits::default()
        },
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let addr = cluster.conn_addr(1);
    let mut held = Vec::new();
    for _ in 0..3 {
        let client = cluster.client(1).await.unwrap();
        client.ping().await.unwrap();
        held.push(client);
    }
    let mut fourth = TcpStream::connect(&addr).await.unwrap();
    let refused = read_frame(&mut fourth).await.expect("a closing notice");
    match refused.body {
        Some(Response::Closing(closing)) => {
            assert_eq!(closing.code(), ResultCode::Busy);
            assert!(
                closing.reason.contains("your address"),
                "{}",
                closing.reason
            );
        }
        other => panic!("expected a closing notice, got {other:?}"),
    }
    assert!(closed_by_server(&mut fourth).await);
    // Another address is not affected, and a freed slot is reusable.
    let other = tokio::net::TcpSocket::new_v4().unwrap();
    other.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let other = other.connect(addr.parse().unwrap()).await.unwrap();
    drop(other);
    drop(held.pop());
    let again = schat_testkit::eventually(Duration::from_secs(3), || async {
        match cluster.client(1).await {
            Ok(client) => client.ping().await.is_ok(),
            Err(_) => false,
        }
    })
    .await;
    assert!(again, "a freed slot was not given back");
}
