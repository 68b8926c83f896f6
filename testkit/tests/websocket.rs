//! Clients over WebSocket on conn_serv's `ws_port`: one client frame per
//! binary message; a browser user chats with a TCP user; the Origin check;
//! a text message, an oversized message and a request before login get the
//! same answers as on TCP; the directory hands out the WebSocket URL.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use schat_client::files::Directory;
use schat_client::{HttpClient, JoinPolicy};
use schat_proto::client::{
    client_message::Body as Request, login_request::Credential, server_message::Body as Response,
    ClientMessage, LoginRequest, PasswordCredential, ResultCode, SendMessageRequest, ServerMessage,
};
use schat_proto::Wire;
use schat_testkit::{eventually, group_with, ClusterSpec, TestCluster};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const ORIGIN: &str = "http://app.example";

fn spec() -> ClusterSpec {
    let mut spec = ClusterSpec {
        dirs: 1,
        ..ClusterSpec::default()
    };
    spec.limits.web_origins = vec![ORIGIN.to_string()];
    spec
}

async fn connect(cluster: &TestCluster, origin: Option<&str>) -> Result<Ws, String> {
    let url = format!("ws://{}/", cluster.ws_addr(1));
    let mut request = url.into_client_request().unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
        .map_err(|err| err.to_string())
}

async fn send(ws: &mut Ws, request_id: u32, body: Request) {
    let frame = ClientMessage {
        request_id,
        body: Some(body),
    }
    .encode_frame();
    ws.send(Message::Binary(frame)).await.unwrap();
}

/// The next server frame (skipping pushes unless `pushes`).
async fn next(ws: &mut Ws) -> Option<ServerMessage> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an answer within 5 s")?;
        match message.ok()? {
            Message::Binary(bytes) => return Some(ServerMessage::decode_frame(bytes).unwrap()),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

fn login(account: &str) -> Request {
    Request::Login(LoginRequest {
        credential: Some(Credential::Password(PasswordCredential {
            account: account.to_string(),
            password: "password123".to_string(),
        })),
        client: "a browser".to_string(),
        ..LoginRequest::default()
    })
}

#[tokio::test]
async fn a_browser_user_chats_with_a_tcp_user() {
    let cluster = TestCluster::start(spec()).await.unwrap();
    let (tcp_user, _, _) = cluster.user(2, "tcpuser").await.unwrap();
    cluster
        .client(1)
        .await
        .unwrap()
        .register("webuser", "password123", "")
        .await
        .unwrap();
    let mut ws = connect(&cluster, Some(ORIGIN)).await.unwrap();
    send(&mut ws, 1, login("webuser")).await;
    let answer = next(&mut ws).await.unwrap();
    let Some(Response::Login(login)) = answer.body else {
        panic!("expected a login answer: {answer:?}")
    };
    let web_uid = login.uid;

    // A group of the TCP user's that the browser user joins.
    let gid = group_with(&tcp_user, JoinPolicy::Open, &[]).await;
    send(
        &mut ws,
        2,
        Request::JoinGroup(schat_proto::client::JoinGroupRequest {
            gid,
            ..Default::default()
        }),
    )
    .await;
    loop {
        let answer = next(&mut ws).await.unwrap();
        if answer.request_id == 2 {
            assert_eq!(answer.code(), ResultCode::Ok, "{answer:?}");
            break;
        }
    }
    send(
        &mut ws,
        3,
        Request::SendMessage(SendMessageRequest {
            gid,
            client_msg_id: "w1".to_string(),
            text: "hello from the browser".to_string(),
            ..Default::default()
        }),
    )
    .await;
    let seen = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(schat_client::Push::Message(message)) = tcp_user.next_push().await {
                if message.client_msg_id == "w1" {
                    assert_eq!(message.sender_uid, web_uid);
                    return message.text;
                }
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(seen, "hello from the browser");
    tcp_user.send_text(gid, "t1", "hello back").await.unwrap();
    let pushed = loop {
        let frame = next(&mut ws).await.unwrap();
        if let Some(Response::Message(message)) = frame.body {
            if message.text == "hello back" {
                break message;
            }
        }
    };
    assert_eq!(pushed.gid, gid);

    // The directory names the WebSocket beside the TCP address.
    let http = HttpClient::default();
    let dir_url = cluster.http_url("dir_serv-1");
    let listed = eventually(Duration::from_secs(5), || async {
        Directory::lookup(&http, &dir_url).await.is_ok()
    })
    .await;
    assert!(listed, "the directory handed out no conn_serv");
    let directory = Directory::lookup(&http, &dir_url).await.unwrap();
    let ws_url = directory.conn_ws_url.expect("a WebSocket URL");
    let expected = [1, 2].map(|set| format!("ws://{}/", cluster.ws_addr(set)));
    assert!(expected.contains(&ws_url), "{ws_url} is not {expected:?}");
}

#[tokio::test]
async fn a_page_of_another_origin_is_refused() {
    let cluster = TestCluster::start(spec()).await.unwrap();
    let refused = connect(&cluster, Some("https://evil.example")).await;
    let Err(err) = refused else {
        panic!("a foreign origin connected")
    };
    assert!(err.contains("403"), "{err}");
    // Not a browser (no Origin): allowed.
    assert!(connect(&cluster, None).await.is_ok());
}

#[tokio::test]
async fn bad_messages_close_the_connection_as_on_tcp() {
    let cluster = TestCluster::start(spec()).await.unwrap();
    // A text message: malformed.
    let mut ws = connect(&cluster, Some(ORIGIN)).await.unwrap();
    ws.send(Message::Text("hello".into())).await.unwrap();
    let closing = next(&mut ws).await.unwrap();
    assert_eq!(closing.code(), ResultCode::Malformed, "{closing:?}");
    assert!(
        next(&mut ws).await.is_none(),
        "still open after a text message"
    );

    // Over the frame limit: FRAME_TOO_LARGE.
    let mut ws = connect(&cluster, Some(ORIGIN)).await.unwrap();
    let max = cluster.config.limits.max_frame_bytes;
    let _ = ws
        .send(Message::Binary(Bytes::from(vec![0u8; max + 1])))
        .await;
    let closing = next(&mut ws).await;
    if let Some(closing) = closing {
        assert_eq!(closing.code(), ResultCode::FrameTooLarge, "{closing:?}");
    }
    assert!(
        next(&mut ws).await.is_none(),
        "still open after an oversized frame"
    );

    // A request before login: NOT_LOGGED_IN, then closed.
    let mut ws = connect(&cluster, Some(ORIGIN)).await.unwrap();
    send(
        &mut ws,
        7,
        Request::GetProfile(schat_proto::client::GetProfileRequest {}),
    )
    .await;
    let answer = next(&mut ws).await.unwrap();
    assert_eq!(answer.code(), ResultCode::NotLoggedIn);
    assert_eq!(answer.request_id, 7);
}

/// With a `tls` block the WebSocket port serves wss: a client that trusts
/// the conn_serv's certificate logs in over it, and the directory hands out
/// the wss URL.
#[tokio::test]
async fn wss_with_the_conn_servs_certificate() {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, ServerName};
    let mut spec = spec();
    spec.http_tls = true;
    let cluster = TestCluster::start(spec).await.unwrap();
    cluster
        .client(1)
        .await
        .unwrap()
        .register("secure", "password123", "")
        .await
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(cluster.ca_file("conn_serv-1")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = TcpStream::connect(cluster.ws_addr(1)).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    let url = format!("wss://{}/", cluster.ws_addr(1));
    let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
    let frame = ClientMessage {
        request_id: 1,
        body: Some(login("secure")),
    }
    .encode_frame();
    ws.send(Message::Binary(frame)).await.unwrap();
    let answer = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            Message::Binary(bytes) => break ServerMessage::decode_frame(bytes).unwrap(),
            _ => continue,
        }
    };
    assert!(
        matches!(answer.body, Some(Response::Login(_))),
        "{answer:?}"
    );

    let http = HttpClient::with_ca_file(&cluster.ca_file("dir_serv-1")).unwrap();
    let dir_url = cluster.http_url("dir_serv-1");
    let listed = eventually(Duration::from_secs(5), || async {
        Directory::lookup(&http, &dir_url).await.is_ok()
    })
    .await;
    assert!(listed);
    let directory = Directory::lookup(&http, &dir_url).await.unwrap();
    assert!(
        directory.conn_ws_url.unwrap().starts_with("wss://"),
        "the directory does not hand out wss"
    );
}

/// `GET /v1/dir?ws=1` (what the web app asks) hands out only conn_servs
/// with a WebSocket port; a plain lookup hands out any.
#[tokio::test]
async fn browsers_are_sent_only_to_conn_servs_with_a_websocket_port() {
    let mut cluster = TestCluster::start(spec()).await.unwrap();
    cluster
        .edit_config(|config| {
            let conn = config
                .procs
                .iter_mut()
                .find(|proc| proc.name == "conn_serv-2")
                .unwrap();
            conn.ws_port = None;
        })
        .unwrap();
    // Another process's entry changes only with a restart.
    cluster.stop("dir_serv-1").await.unwrap();
    cluster.restart("dir_serv-1").await.unwrap();
    let http = HttpClient::default();
    let dir_url = cluster.http_url("dir_serv-1");
    let both_listed = eventually(Duration::from_secs(5), || async {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20 {
            if let Ok(dir) = Directory::lookup(&http, &dir_url).await {
                seen.insert(dir.conn_addr);
            }
        }
        seen.len() == 2
    })
    .await;
    assert!(both_listed, "a plain lookup hands out both conn_servs");
    let url = format!("{dir_url}/v1/dir?ws=1");
    for _ in 0..20 {
        let answer = http
            .send(http::Method::GET, &url, &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(body["conn"]["id"], 101, "{body}");
        assert_eq!(
            body["conn"]["ws_url"],
            format!("ws://{}/", cluster.ws_addr(1))
        );
    }
}
