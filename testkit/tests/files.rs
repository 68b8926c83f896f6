//! Files over real HTTP against running file_servs: upload → message →
//! another member downloads the same bytes, content stored once, ranges,
//! avatars, files released when no longer referenced, every kind of bad
//! request refused with nothing stored, a stalled upload answered 408
//! without counting against the sender, tokens refreshed under a long
//! session, and a file server's directory moved to a fresh server.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use schat_client::files::{Directory, Files, UploadTarget, Uploaded};
use schat_client::{
    Client, ClientError, CreateGroupRequest, HttpClient, MessageKind, ProfileUpdate,
    SendMessageRequest, UpdateGroupRequest,
};
use schat_runtime::config::{ChatConfig, FilesConfig, HttpConfig};
use schat_testkit::raw_http::{connect_from, read_response};
use schat_testkit::{eventually, file_token, png, ClusterSpec, TestCluster};
use tokio::io::AsyncWriteExt;

fn spec() -> ClusterSpec {
    ClusterSpec {
        sets: 2,
        chats: 1,
        file_servs: 2,
        dirs: 1,
        ..ClusterSpec::default()
    }
}

/// Uploads `content` as `client`; the upload must succeed.
async fn put(files: &Files, client: &Client, target: UploadTarget, content: Bytes) -> Uploaded {
    files
        .upload(&file_token(client), target, "upload", content)
        .await
        .unwrap()
}

/// A cluster with one file server and `files` settings, the file client,
/// and alice with a group of her own.
async fn alice_alone(files: FilesConfig) -> (TestCluster, Files, Client, u64) {
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        files,
        ..spec()
    })
    .await
    .unwrap();
    let file_client = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    (cluster, file_client, alice, gid)
}

/// The HTTP status of a failed call.
fn status<T: std::fmt::Debug>(result: Result<T, ClientError>) -> u16 {
    match result {
        Err(ClientError::Http { status, .. }) => status,
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

/// Files stored under a serv_index's directory: (contents, uploads in progress).
fn stored(root: &Path, serv_index: u32) -> (usize, usize) {
    let dir = root.join(serv_index.to_string());
    let count = |path: std::path::PathBuf| -> usize {
        std::fs::read_dir(path).map_or(0, |entries| entries.count())
    };
    let blobs = std::fs::read_dir(dir.join("blobs")).map_or(0, |shards| {
        shards
            .flatten()
            .map(|shard| count(shard.path()))
            .sum::<usize>()
    });
    (blobs, count(dir.join("tmp")))
}

async fn group_of(owner: &Client, members: &[&Client]) -> u64 {
    let gid = owner
        .create_group(CreateGroupRequest {
            name: "pictures".to_string(),
            ..CreateGroupRequest::default()
        })
        .await
        .unwrap()
        .gid;
    for member in members {
        member.join_group(gid, "", "").await.unwrap();
    }
    gid
}

async fn send_image(client: &Client, gid: u64, id: &str, url: &str) -> u64 {
    client
        .send_message(SendMessageRequest {
            gid,
            client_msg_id: id.to_string(),
            kind: MessageKind::Image as i32,
            text: "look".to_string(),
            media_url: url.to_string(),
        })
        .await
        .unwrap()
        .seq
}

/// Whether `path` is gone (404) for `client`.
async fn gone(files: &Files, client: &Client, path: &str) -> bool {
    eventually(Duration::from_secs(5), || async {
        matches!(
            files.download(&file_token(client), path, None).await,
            Err(ClientError::Http { status: 404, .. })
        )
    })
    .await
}

#[tokio::test]
async fn image_message_reaches_another_member_byte_for_byte() {
    let cluster = TestCluster::start(spec()).await.unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let (carol, _, _) = cluster.user(2, "carol").await.unwrap();
    let gid = group_of(&alice, &[&bob]).await;

    let content = png(300_000, 1);
    let uploaded = put(&files, &alice, UploadTarget::Chat(gid), content.clone()).await;
    assert_eq!(uploaded.content_type, "image/png");
    assert_eq!(uploaded.size, content.len() as u64);
    assert!(uploaded.url.starts_with("/f/"), "{}", uploaded.url);
    assert!(
        uploaded.url.contains(&format!("/g{gid}/")),
        "{}",
        uploaded.url
    );
    let seq = send_image(&alice, gid, "img-1", &uploaded.url).await;

    // Bob finds the message and downloads exactly the bytes.
    let message = bob.pull(gid, seq, 1).await.unwrap().messages.remove(0);
    assert_eq!(message.kind(), MessageKind::Image);
    let download = files
        .download(&file_token(&bob), &message.media_url, None)
        .await
        .unwrap();
    assert_eq!(download.status, 200);
    assert_eq!(download.content_type, "image/png");
    assert_eq!(download.body, content);

    // A range: 206 with exactly those bytes; a suffix; past the end: 416.
    let part = files
        .download(
            &file_token(&bob),
            &message.media_url,
            Some((1000, Some(1999))),
        )
        .await
        .unwrap();
    assert_eq!(part.status, 206);
    assert_eq!(part.body, content.slice(1000..2000));
    assert_eq!(
        part.content_range.as_deref(),
        Some(format!("bytes 1000-1999/{}", content.len()).as_str())
    );
    let tail = files
        .download(
            &file_token(&bob),
            &message.media_url,
            Some((content.len() as u64 - 10, None)),
        )
        .await
        .unwrap();
    assert_eq!(tail.body, content.slice(content.len() - 10..));
    let past = files
        .download(
            &file_token(&bob),
            &message.media_url,
            Some((content.len() as u64, None)),
        )
        .await;
    assert_eq!(status(past), 416);

    // Not a member: no download, no upload.
    assert_eq!(
        status(
            files
                .download(&file_token(&carol), &message.media_url, None)
                .await
        ),
        403
    );
    let refused = files
        .upload(
            &file_token(&carol),
            UploadTarget::Chat(gid),
            "x.png",
            png(10, 9),
        )
        .await;
    assert_eq!(status(refused), 403);

    // The same content again (from another member, to the same server) is
    // the same file, stored once.
    let index: u32 = uploaded.url.split('/').nth(2).unwrap().parse().unwrap();
    let same_server = format!("{}/v1/upload/chat/{gid}", files.server_url(index).unwrap());
    let again = files
        .upload_to(&same_server, &file_token(&bob), "copy.png", content.clone())
        .await
        .unwrap();
    assert_eq!(again.url, uploaded.url);
    assert_eq!(stored(cluster.files_dir(), index), (1, 0));
}

#[tokio::test]
async fn files_are_released_when_nothing_references_them() {
    let cluster = TestCluster::start(spec()).await.unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_of(&alice, &[&bob]).await;

    // One file sent twice: recalling one message keeps it, the second frees it.
    let shared = put(&files, &alice, UploadTarget::Chat(gid), png(5000, 2)).await;
    let first = send_image(&alice, gid, "s-1", &shared.url).await;
    let second = send_image(&alice, gid, "s-2", &shared.url).await;
    alice.recall(gid, first).await.unwrap();
    let still = files.download(&file_token(&bob), &shared.url, None).await;
    assert!(still.is_ok(), "{still:?}");
    alice.recall(gid, second).await.unwrap();
    assert!(
        gone(&files, &bob, &shared.url).await,
        "recalled file was kept"
    );

    // A user's avatar: visible in profiles; replacing it deletes the old one.
    let first_avatar = put(&files, &alice, UploadTarget::Avatar, png(2000, 3)).await;
    alice
        .update_profile(ProfileUpdate {
            avatar_url: Some(first_avatar.url.clone()),
            ..ProfileUpdate::default()
        })
        .await
        .unwrap();
    let seen = bob
        .users(Vec::new(), vec!["alice".to_string()])
        .await
        .unwrap();
    assert_eq!(seen[0].avatar_url, first_avatar.url);
    let avatar = files
        .download(&file_token(&bob), &first_avatar.url, None)
        .await;
    assert_eq!(avatar.unwrap().body, png(2000, 3));
    let video_avatar = files
        .upload(&file_token(&alice), UploadTarget::Avatar, "me.mp4", mp4())
        .await;
    assert_eq!(status(video_avatar), 415);
    let second_avatar = put(&files, &alice, UploadTarget::Avatar, png(2000, 4)).await;
    alice
        .update_profile(ProfileUpdate {
            avatar_url: Some(second_avatar.url.clone()),
            ..ProfileUpdate::default()
        })
        .await
        .unwrap();
    assert!(
        gone(&files, &bob, &first_avatar.url).await,
        "old avatar was kept"
    );
    assert!(files
        .download(&file_token(&bob), &second_avatar.url, None)
        .await
        .is_ok());

    // A group avatar: the owner only; replaced, the old one goes.
    let not_owner = files
        .upload(
            &file_token(&bob),
            UploadTarget::GroupAvatar(gid),
            "g.png",
            png(100, 5),
        )
        .await;
    assert_eq!(status(not_owner), 403);
    let group_avatar = put(&files, &alice, UploadTarget::GroupAvatar(gid), png(100, 5)).await;
    let update = |url: &str| UpdateGroupRequest {
        gid,
        avatar_url: Some(url.to_string()),
        ..UpdateGroupRequest::default()
    };
    alice.update_group(update(&group_avatar.url)).await.unwrap();
    assert_eq!(bob.group(gid).await.unwrap().avatar_url, group_avatar.url);
    alice.update_group(update("")).await.unwrap();
    assert!(
        gone(&files, &bob, &group_avatar.url).await,
        "old group avatar was kept"
    );

    // Dismissing the group deletes its files.
    let kept = put(&files, &bob, UploadTarget::Chat(gid), png(3000, 6)).await;
    send_image(&bob, gid, "k-1", &kept.url).await;
    alice.dismiss_group(gid).await.unwrap();
    // Nobody is a member any more, so ask as the file server sees it: on disk.
    let index: u32 = kept.url.split('/').nth(2).unwrap().parse().unwrap();
    let dir = cluster
        .files_dir()
        .join(index.to_string())
        .join("scopes")
        .join(format!("g{gid}"));
    assert!(
        eventually(Duration::from_secs(5), || async { !dir.exists() }).await,
        "a dismissed group's files were kept"
    );
}

/// The start of an MP4 (ftyp box, isom brand).
fn mp4() -> Bytes {
    let mut content = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    content.extend(std::iter::repeat_n(7u8, 500));
    Bytes::from(content)
}

#[tokio::test]
async fn bad_requests_get_a_clear_4xx_and_store_nothing() {
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        files: FilesConfig {
            max_upload_bytes: 64 * 1024,
            ..FilesConfig::default()
        },
        ..spec()
    })
    .await
    .unwrap();
    let files = cluster.files().await;
    let base = cluster.http_url("file_serv-1");
    let http = HttpClient::default();
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    let alice_token = file_token(&alice);
    let upload_url = format!("{base}/v1/upload/chat/{gid}");
    let good = files
        .upload_to(&upload_url, &alice_token, "ok.png", png(100, 1))
        .await
        .unwrap();

    let send =
        |method: http::Method, path: String, headers: Vec<(&'static str, String)>, body: Bytes| {
            let http = http.clone();
            let url = format!("{base}{path}");
            async move { http.send(method, &url, &headers, body).await.unwrap() }
        };
    let bearer = |token: &str| ("authorization", format!("Bearer {token}"));
    let multipart = (
        "content-type",
        "multipart/form-data; boundary=XyZ".to_string(),
    );

    let cases: Vec<(&str, u16, schat_client::HttpResponse)> = vec![
        (
            "path traversal",
            400,
            send(http::Method::GET, "/f/1/g1/../../../etc/passwd".into(), vec![bearer(&alice_token)], Bytes::new()).await,
        ),
        (
            "encoded traversal",
            400,
            send(http::Method::GET, "/f/1/%2e%2e/%2e%2e/etc/passwd".into(), vec![bearer(&alice_token)], Bytes::new()).await,
        ),
        (
            "no token",
            401,
            send(http::Method::GET, good.url.clone(), Vec::new(), Bytes::new()).await,
        ),
        (
            "forged token",
            401,
            send(http::Method::GET, good.url.clone(), vec![bearer(&forge(&alice_token))], Bytes::new()).await,
        ),
        (
            "garbage token",
            401,
            send(http::Method::GET, good.url.clone(), vec![bearer("not-a-token")], Bytes::new()).await,
        ),
        (
            "someone else's group",
            403,
            send(http::Method::POST, format!("/v1/upload/chat/{gid}"), vec![bearer(&file_token(&bob)), multipart.clone()], Bytes::from_static(b"--XyZ--\r\n")).await,
        ),
        (
            "no such group",
            404,
            send(http::Method::POST, "/v1/upload/chat/999999".into(), vec![bearer(&alice_token), multipart.clone()], Bytes::new()).await,
        ),
        (
            "garbage multipart",
            400,
            send(http::Method::POST, format!("/v1/upload/chat/{gid}"), vec![bearer(&alice_token), multipart.clone()], Bytes::from_static(b"this is not multipart at all")).await,
        ),
        (
            "not multipart",
            400,
            send(http::Method::POST, format!("/v1/upload/chat/{gid}"), vec![bearer(&alice_token)], png(10, 1)).await,
        ),
        (
            "no file part",
            400,
            send(http::Method::POST, format!("/v1/upload/chat/{gid}"), vec![bearer(&alice_token), multipart.clone()],
                Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ--\r\n")).await,
        ),
        (
            "wrong method",
            405,
            send(http::Method::DELETE, good.url.clone(), vec![bearer(&alice_token)], Bytes::new()).await,
        ),
        (
            "unknown endpoint",
            404,
            send(http::Method::GET, "/admin".into(), Vec::new(), Bytes::new()).await,
        ),
        (
            "other server's file",
            404,
            send(http::Method::GET, good.url.replacen("/f/1/", "/f/2/", 1), vec![bearer(&alice_token)], Bytes::new()).await,
        ),
    ];
    for (what, expected, answer) in cases {
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "{what}: {}",
            answer.reason()
        );
        let reason = answer.reason();
        assert!(!reason.is_empty(), "{what}: no reason given");
    }

    // Content the server will not take, and an oversize body.
    for (what, content, expected) in [
        ("oversize", png(70 * 1024, 2), 413),
        ("script", Bytes::from_static(b"#!/bin/sh\nrm -rf /\n"), 415),
        (
            "executable",
            Bytes::from_static(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
            415,
        ),
        ("empty", Bytes::new(), 400),
    ] {
        let refused = files
            .upload_to(&upload_url, &alice_token, what, content)
            .await;
        assert_eq!(status(refused), expected, "{what}");
    }
    // A PDF is among the other types the default config allows.
    let pdf = files
        .upload_to(
            &upload_url,
            &alice_token,
            "doc.pdf",
            Bytes::from_static(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        )
        .await
        .unwrap();
    assert_eq!(pdf.content_type, "application/pdf");

    // Nothing but the two good uploads was stored, nothing left half-written.
    assert_eq!(stored(cluster.files_dir(), 1), (2, 0));
    // The server is still fine.
    let again = files.download(&alice_token, &good.url, None).await.unwrap();
    assert_eq!(again.body, png(100, 1));
}

/// The token with its uid changed: the signature no longer matches.
fn forge(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[2] = (parts[2].parse::<u64>().unwrap() + 1).to_string();
    parts.join(".")
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let mut files_config = FilesConfig::default();
    files_config.throttle.max_failures = 3;
    files_config.throttle.on_loopback = true;
    let (_cluster, files, alice, gid) = alice_alone(files_config).await;
    let good = put(&files, &alice, UploadTarget::Chat(gid), png(100, 1)).await;
    for _ in 0..3 {
        assert_eq!(status(files.download("forged", &good.url, None).await), 401);
    }
    // Blocked now, even with a valid token.
    let blocked = files.download(&file_token(&alice), &good.url, None).await;
    assert_eq!(status(blocked), 429);
}

#[tokio::test]
async fn a_long_session_keeps_downloading_with_refreshed_tokens() {
    let (_cluster, files, alice, gid) = alice_alone(FilesConfig {
        token_ttl_secs: 2,
        key_rotation_secs: 2,
        ..FilesConfig::default()
    })
    .await;
    let (first_token, first_expiry) = alice.file_token().unwrap();
    let uploaded = put(&files, &alice, UploadTarget::Chat(gid), png(100, 1)).await;
    // Past the first token's expiry (and a key rotation or two), the
    // session holds a fresh token that works; the first one is refused.
    let expired = eventually(Duration::from_secs(10), || async {
        schat_runtime::time::now_ms() > first_expiry + 200
    })
    .await;
    assert!(expired);
    let (fresh, fresh_expiry) = alice.file_token().unwrap();
    assert_ne!(fresh, first_token);
    assert!(fresh_expiry > first_expiry);
    let download = files.download(&fresh, &uploaded.url, None).await.unwrap();
    assert_eq!(download.body, png(100, 1));
    let refused = files.download(&first_token, &uploaded.url, None).await;
    match refused {
        Err(ClientError::Http {
            status: 401,
            reason,
        }) => {
            assert!(reason.contains("expired"), "{reason}")
        }
        other => panic!("the expired token was not refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_moved_directory_serves_the_same_urls() {
    let mut cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        ..spec()
    })
    .await
    .unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    let content = png(50_000, 8);
    let uploaded = put(&files, &alice, UploadTarget::Chat(gid), content.clone()).await;
    cluster.stop("file_serv-1").await.unwrap();

    // Copy the serv_index directory elsewhere (plain copies, no hard links)
    // and start a fresh file_serv with the same index there, on a new port.
    let moved = tempfile::tempdir().unwrap();
    copy_tree(&cluster.files_dir().join("1"), &moved.path().join("1"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = (*cluster.config).clone();
    let me = config
        .procs
        .iter_mut()
        .find(|proc| proc.name == "file_serv-1")
        .unwrap();
    me.port = Some(port);
    me.data_dir = Some(moved.path().display().to_string());
    let me = me.clone();
    let shutdown = schat_runtime::Shutdown::new();
    let node = schat_runtime::Node::new(
        schat_runtime::LiveConfig::fixed(config),
        me,
        schat_runtime::logging::test_logger("file_serv-1-moved"),
        Default::default(),
        shutdown.clone(),
    );
    let task = tokio::spawn(file_serv::run(listener, node));

    let fresh = Files::new(
        HttpClient::default(),
        [(
            1,
            schat_client::files::FileServer {
                url: format!("http://127.0.0.1:{port}"),
                up: true,
            },
        )]
        .into(),
    );
    let served = eventually(Duration::from_secs(10), || async {
        fresh
            .download(&file_token(&alice), &uploaded.url, None)
            .await
            .is_ok_and(|download| download.body == content)
    })
    .await;
    shutdown.stop(Duration::from_secs(5)).await;
    let _ = task.await;
    assert!(served, "the moved directory did not serve the old URL");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[tokio::test]
async fn https_with_a_self_signed_certificate() {
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        http_tls: true,
        ..spec()
    })
    .await
    .unwrap();
    let dir_url = cluster.http_url("dir_serv-1");
    assert!(dir_url.starts_with("https://"), "{dir_url}");
    // Untrusted certificate: refused by the client.
    let untrusted = Directory::lookup(&HttpClient::default(), &dir_url).await;
    assert!(untrusted.is_err(), "{untrusted:?}");
    let dir_http = HttpClient::with_ca_file(&cluster.ca_file("dir_serv-1")).unwrap();
    let dir = cluster.directory_with(&dir_http).await;
    assert!(dir.file_servers[&1].url.starts_with("https://"));
    let http = HttpClient::with_ca_file(&cluster.ca_file("file_serv-1")).unwrap();
    let files = dir.files(http);
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    let uploaded = files
        .upload_to(
            &format!("{}/v1/upload/chat/{gid}", dir.file_servers[&1].url),
            &file_token(&alice),
            "a.png",
            png(1000, 1),
        )
        .await
        .unwrap();
    let download = files
        .download(&file_token(&alice), &uploaded.url, None)
        .await;
    assert_eq!(download.unwrap().body, png(1000, 1));
}

#[tokio::test]
async fn a_release_that_crosses_a_new_reference_deletes_nothing() {
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        files: FilesConfig {
            release_delay_secs: RELEASE_DELAY.as_secs(),
            ..FilesConfig::default()
        },
        // The test moves the clock by the release delay; recalls must
        // stay allowed across that.
        chat: ChatConfig {
            recall_window_secs: 86_400,
            ..ChatConfig::default()
        },
        ..spec()
    })
    .await
    .unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let (bob, _, _) = cluster.user(2, "bob").await.unwrap();
    let gid = group_of(&alice, &[&bob]).await;
    let content = png(4000, 11);

    // Alice sends a picture; Bob uploads the same bytes (the same file);
    // Alice recalls hers, releasing it, and Bob sends his right after.
    let sent = put(&files, &alice, UploadTarget::Chat(gid), content.clone()).await;
    let alice_seq = send_image(&alice, gid, "a-1", &sent.url).await;
    let again = put(&files, &bob, UploadTarget::Chat(gid), content.clone()).await;
    assert_eq!(again.url, sent.url);
    alice.recall(gid, alice_seq).await.unwrap();
    let bob_seq = send_image(&bob, gid, "b-1", &again.url).await;

    // An avatar replaced and set back within the delay.
    let avatar = put(&files, &alice, UploadTarget::Avatar, png(500, 12)).await;
    let other = put(&files, &alice, UploadTarget::Avatar, png(500, 13)).await;
    for url in [&avatar.url, &other.url, &avatar.url] {
        alice
            .update_profile(ProfileUpdate {
                avatar_url: Some(url.clone()),
                ..ProfileUpdate::default()
            })
            .await
            .unwrap();
    }

    // Within the delay nothing is deleted, not even the replaced avatar.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = files.download(&file_token(&bob), &other.url, None).await;
    assert!(waiting.is_ok(), "deleted before the delay: {waiting:?}");

    // The releases come due: two files kept (referenced again), one deleted.
    releases_come_due(&cluster, 1.0, 2.0).await;
    let kept = files.download(&file_token(&alice), &sent.url, None).await;
    assert_eq!(kept.unwrap().body, content, "a file sent again was deleted");
    let kept = files.download(&file_token(&bob), &avatar.url, None).await;
    assert!(kept.is_ok(), "an avatar set back was deleted: {kept:?}");
    assert!(
        gone(&files, &bob, &other.url).await,
        "the replaced avatar was kept"
    );

    // Once the last reference goes, so does the file.
    bob.recall(gid, bob_seq).await.unwrap();
    releases_come_due(&cluster, 2.0, 2.0).await;
    assert!(
        gone(&files, &alice, &sent.url).await,
        "an unreferenced file was kept"
    );
}

/// The release delay of the file tests that move the clock.
const RELEASE_DELAY: Duration = Duration::from_secs(600);

/// Moves the cluster's clock past the release delay until file_serv-1 has
/// deleted `deleted` released files and kept `kept` (a release still on
/// its way to file_serv when the clock moves waits for the next move).
async fn releases_come_due(cluster: &TestCluster, deleted: f64, kept: f64) {
    let count = |outcome| {
        cluster.metric(
            "file_serv-1",
            "file_releases_total",
            &[("outcome", outcome)],
        )
    };
    let due = eventually(Duration::from_secs(10), || async {
        cluster.clock().advance(RELEASE_DELAY);
        tokio::time::sleep(Duration::from_millis(50)).await;
        count("deleted") >= deleted && count("kept") >= kept
    })
    .await;
    assert!(
        due,
        "releases: {} deleted, {} kept; wanted {deleted} and {kept}",
        count("deleted"),
        count("kept")
    );
    assert_eq!((count("deleted"), count("kept")), (deleted, kept));
}

#[tokio::test]
async fn the_sweep_deletes_uploads_nothing_references() {
    let (_cluster, files, alice, gid) = alice_alone(FilesConfig {
        orphan_after_secs: 1,
        sweep_interval_secs: 1,
        ..FilesConfig::default()
    })
    .await;

    let never_sent = put(&files, &alice, UploadTarget::Chat(gid), png(100, 1)).await;
    let sent = put(&files, &alice, UploadTarget::Chat(gid), png(100, 2)).await;
    send_image(&alice, gid, "s-1", &sent.url).await;
    let never_set = put(&files, &alice, UploadTarget::Avatar, png(100, 3)).await;
    let avatar = put(&files, &alice, UploadTarget::Avatar, png(100, 4)).await;
    alice
        .update_profile(ProfileUpdate {
            avatar_url: Some(avatar.url.clone()),
            ..ProfileUpdate::default()
        })
        .await
        .unwrap();

    assert!(
        gone(&files, &alice, &never_sent.url).await,
        "an upload never sent was kept"
    );
    assert!(
        gone(&files, &alice, &never_set.url).await,
        "an avatar never set was kept"
    );
    // Swept at least once more since: what is referenced stays.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for kept in [&sent.url, &avatar.url] {
        let download = files.download(&file_token(&alice), kept, None).await;
        assert!(download.is_ok(), "{kept} was deleted: {download:?}");
    }
}

#[tokio::test]
async fn a_stalled_upload_gets_408_and_is_not_held_against_the_sender() {
    let mut files_config = FilesConfig::default();
    // One counted refusal blocks the address.
    files_config.throttle.max_failures = 1;
    files_config.throttle.on_loopback = true;
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        files: files_config,
        http: HttpConfig {
            stall_timeout_ms: 300,
            ..HttpConfig::default()
        },
        ..spec()
    })
    .await
    .unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    let good = put(&files, &alice, UploadTarget::Chat(gid), png(100, 1)).await;
    let server: SocketAddr = cluster
        .config
        .proc_by_name("file_serv-1")
        .unwrap()
        .addr()
        .unwrap()
        .parse()
        .unwrap();

    let part_head = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
    for (what, body) in [
        ("before the body", Vec::new()),
        ("inside the file", [&part_head[..], &png(100, 2)].concat()),
    ] {
        let mut stream = connect_from("127.0.0.1", server).await.unwrap();
        let head = format!(
            "POST /v1/upload/chat/{gid} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
             Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n",
            file_token(&alice)
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body).await.unwrap();
        let stalled_from = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer within 5 s"))
            .unwrap_or_else(|err| panic!("{what}: closed without an answer: {err}"));
        assert_eq!(
            answer.status,
            408,
            "{what}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        assert!(
            stalled_from.elapsed() >= Duration::from_millis(250),
            "{what}"
        );
        // Not held against the sender.
        let download = files.download(&file_token(&alice), &good.url, None).await;
        assert!(download.is_ok(), "{what}: {download:?}");
    }
    assert_eq!(stored(cluster.files_dir(), 1), (1, 0));
    // A refusal that counts does block: the throttle was armed all along.
    assert_eq!(status(files.download("forged", &good.url, None).await), 401);
    assert_eq!(
        status(files.download(&file_token(&alice), &good.url, None).await),
        429
    );
}

#[tokio::test]
async fn logout_and_a_kick_end_file_access_at_once() {
    // A long membership cache: only the pushed news can end access fast.
    let (mut cluster, files, alice, gid) = alice_alone(FilesConfig {
        member_cache_secs: 3600,
        ..FilesConfig::default()
    })
    .await;
    let (bob, bob_uid, _) = cluster.user(2, "bob").await.unwrap();
    bob.join_group(gid, "", "").await.unwrap();
    let picture = png(2_000, 7);
    let uploaded = put(&files, &alice, UploadTarget::Chat(gid), picture.clone()).await;
    let bob_token = file_token(&bob);
    assert_eq!(
        files
            .download(&bob_token, &uploaded.url, None)
            .await
            .unwrap()
            .body,
        picture
    );

    // Kicked: the cached membership is forgotten at once.
    alice.kick_member(gid, bob_uid).await.unwrap();
    let refused = eventually(Duration::from_millis(500), || async {
        status(files.download(&bob_token, &uploaded.url, None).await) == 403
    })
    .await;
    assert!(refused, "a kicked member still downloads the group's files");

    // Logged out: the file token stops working for downloads and uploads,
    // though it has most of its hour left.
    let alice_token = file_token(&alice);
    files
        .download(&alice_token, &uploaded.url, None)
        .await
        .unwrap();
    alice.logout().await.unwrap();
    let revoked = eventually(Duration::from_millis(500), || async {
        status(files.download(&alice_token, &uploaded.url, None).await) == 401
    })
    .await;
    assert!(revoked, "a logged-out user's file token still downloads");
    let upload = files
        .upload(&alice_token, UploadTarget::Chat(gid), "again", png(100, 8))
        .await;
    assert_eq!(status(upload), 401);

    // A file server that missed the news (restarted) asks before trusting
    // the user again.
    cluster.stop("file_serv-1").await.unwrap();
    cluster.restart("file_serv-1").await.unwrap();
    let files = cluster.files().await;
    assert_eq!(
        status(files.download(&alice_token, &uploaded.url, None).await),
        401
    );
    // Logging in again gives a token that works.
    let again = cluster.client(1).await.unwrap();
    again.login_password("alice", "password123").await.unwrap();
    assert_eq!(
        files
            .download(&file_token(&again), &uploaded.url, None)
            .await
            .unwrap()
            .body,
        picture
    );
}

#[tokio::test]
async fn the_history_retention_releases_the_files_of_what_it_deletes() {
    let cluster = TestCluster::start(ClusterSpec {
        file_servs: 1,
        chat: schat_runtime::config::ChatConfig {
            history_max_messages: 3,
            ..ClusterSpec::default().chat
        },
        ..spec()
    })
    .await
    .unwrap();
    let files = cluster.files().await;
    let (alice, _, _) = cluster.user(1, "alice").await.unwrap();
    let gid = group_of(&alice, &[]).await;
    let kept = put(&files, &alice, UploadTarget::Chat(gid), png(1_000, 21)).await;
    let dropped = put(&files, &alice, UploadTarget::Chat(gid), png(1_000, 22)).await;
    send_image(&alice, gid, "old", &dropped.url).await;
    for index in 0..3 {
        alice
            .send_text(gid, &format!("t{index}"), "pushes it out")
            .await
            .unwrap();
    }
    // The image message fell out of the newest three: its file goes.
    assert!(gone(&files, &alice, &dropped.url).await);
    let page = alice.history(gid, 0, 50).await.unwrap();
    assert_eq!(page.messages.len(), 3);
    assert!(page.first_seq > 1);
    // An empty page below the oldest kept says where history starts too.
    let before_all = alice.history(gid, 1, 50).await.unwrap();
    assert!(before_all.messages.is_empty());
    assert_eq!(before_all.first_seq, page.first_seq);
    // A file no kept message lost is untouched.
    send_image(&alice, gid, "new", &kept.url).await;
    assert!(files
        .download(&file_token(&alice), &kept.url, None)
        .await
        .is_ok());
}
