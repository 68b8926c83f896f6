//! Test support: a private `redis-server` per test, whole schat clusters
//! started in-process on 127.0.0.1 port 0 through each server's `run`, and
//! clusters of the real binaries ([`BinCluster`]) to kill and stop for real.
//!
//! Each [`TestCluster`] has its own Redis instance and ports, so tests run
//! in parallel without sharing anything. Processes can be stopped and
//! started again by name to test failures.

#![forbid(unsafe_code)]

pub mod binaries;
pub mod browser;
mod cluster;
pub mod manage;
pub mod push_support;
pub mod raw_http;
mod redis;
pub mod sshd;

pub use binaries::BinCluster;
pub use browser::Browser;
pub use cluster::{ClusterSpec, TestCluster};
pub use redis::{RedisCluster, RedisMode, RedisServer};

use std::future::Future;
use std::time::Duration;

/// Which of the two chat sets (1 or 2: chat_serv-1 has id 401, chat_serv-2
/// id 402) owns `gid` while both serve: the disps' rendezvous hash.
pub fn chat_owner(gid: u64) -> u32 {
    schat_runtime::rendezvous::owner(gid, [401, 402]).map_or(1, |id| id - 400)
}

/// The server's refusal of `result`; panics when it succeeded or failed
/// some other way.
pub fn refusal<T: std::fmt::Debug>(
    result: Result<T, schat_client::ClientError>,
) -> schat_client::ResultCode {
    match result {
        Err(err) => err
            .code()
            .unwrap_or_else(|| panic!("expected a server error, got {err:?}")),
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

/// A group `owner` creates with `policy`, which each of `members` joins
/// (they must be let in: open groups, or invited).
pub async fn group_with(
    owner: &schat_client::Client,
    policy: schat_client::JoinPolicy,
    members: &[&schat_client::Client],
) -> u64 {
    let group = owner
        .create_group(schat_client::CreateGroupRequest {
            name: "crew".to_string(),
            join_policy: policy as i32,
            ..schat_client::CreateGroupRequest::default()
        })
        .await
        .expect("create the group");
    for member in members {
        member
            .join_group(group.gid, "", "")
            .await
            .expect("join the group");
    }
    group.gid
}

/// The next notice of `kind` pushed to `client` within 5 s, skipping
/// messages and other notices; panics on anything else.
pub async fn notice_of(
    client: &schat_client::Client,
    kind: schat_client::NoticeKind,
) -> schat_client::Notice {
    use schat_client::Push;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), client.next_push()).await {
            Ok(Some(Push::Notice(notice))) if notice.kind() == kind => return notice,
            Ok(Some(
                Push::Notice(_) | Push::Message(_) | Push::Typing { .. } | Push::ReadMarked { .. },
            )) => continue,
            other => panic!("expected a {kind:?} notice, got {other:?}"),
        }
    }
}

/// The first push to `client` within 10 s that `pick` takes (skipping
/// the others); panics when none comes or the connection closes.
pub async fn push_where<T>(
    client: &schat_client::Client,
    mut pick: impl FnMut(schat_client::Push) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, client.next_push()).await {
            Ok(Some(push)) => {
                if let Some(found) = pick(push) {
                    return found;
                }
            }
            Ok(None) => panic!("the connection closed while waiting for a push"),
            Err(_) => panic!("no such push within 10 s"),
        }
    }
}

/// Sends one text as a client should: again with the same id while the
/// answer is UNAVAILABLE (a chat_serv going or coming, a replica's
/// confirmation late), for up to 10 s; panics on any other refusal.
pub async fn send_until_stored(
    client: &schat_client::Client,
    gid: u64,
    id: &str,
    text: &str,
) -> schat_proto::client::SendMessageResponse {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match client.send_text(gid, id, text).await {
            Ok(sent) => return sent,
            Err(err) if err.code() == Some(schat_client::ResultCode::Unavailable) => {
                assert!(tokio::time::Instant::now() < deadline, "send {id}: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("send {id}: {err}"),
        }
    }
}

/// Polls `check` every 20 ms until it returns true or `within` passes.
/// For waiting on readiness and convergence, never as a fixed sleep.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A PNG signature followed by `len` pseudo-random bytes seeded by `seed`:
/// content the file servers accept as an image, different per seed.
pub fn png(len: usize, seed: u8) -> bytes::Bytes {
    let mut content = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut x = u32::from(seed) + 1;
    for _ in 0..len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        content.push((x >> 16) as u8);
    }
    bytes::Bytes::from(content)
}

/// The file-server token `client` got at login.
pub fn file_token(client: &schat_client::Client) -> String {
    client.file_token().expect("logged in").0
}
