//! Offline push: notifications to the operator's push gateway (in front of
//! APNs / FCM) for members who were offline when a message of one of their
//! conversations was fanned out (`offline_push` in cluster.json; the body,
//! headers and signature are in docs/OPERATIONS.md).
//!
//! - **Who.** The group actor hands over, with each fanned-out message,
//!   the members its presence lookup did not find online (never the
//!   sender; never for system messages or recalls, and nothing when
//!   presence cannot say who is online).
//! - **Coalescing.** One notification per user per `coalesce_secs`: a user
//!   told less than that ago waits until the interval is over, and what
//!   arrives meanwhile is merged into the waiting notification (per
//!   conversation: a count and the latest message).
//! - **Bounded.** At most `queue_max` users wait; a notification for one
//!   more is dropped, counted (`schat_offline_push_dropped_total`) and
//!   logged. One sender task posts batches of up to `batch_max`.
//! - **Muted conversations** (`set_notifications`) are skipped: a batch
//!   asks db_chat which (user, conversation) pairs are muted before it
//!   leaves.
//! - **Retries.** A batch the gateway does not take (connection failure,
//!   timeout, 5xx, 429) is sent again after 0.5 s, 1 s, 2 s, … (at most
//!   30 s) up to `retries` times, then dropped and counted; a 4xx other
//!   than 429 is not retried.
//! - **Signed.** `X-Schat-Signature: v1=<hex HMAC-SHA256 of
//!   "<X-Schat-Timestamp>.<body>">` under `signing_key`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use schat_client::HttpClient;
use schat_proto::client::{
    server_message::Body as Response, ChatMessage, Done, MessageKind, SetNotificationsRequest,
};
use schat_proto::server::{DbQuietOf, DbSetQuiet, PresenceEntry};
use schat_runtime::config::OfflinePushConfig;
use schat_runtime::logging::{debug, warn};
use schat_runtime::signed::hmac_sha256_hex;
use schat_runtime::stats::{Counter, Stats};
use schat_runtime::time::now_ms;
use serde_json::json;
use tokio::sync::Notify;

use crate::groups::{load, require_member};
use crate::{Chat, Failure};

/// Conversations one waiting notification lists at most (more are counted
/// in its `more`).
const CONVERSATIONS_MAX: usize = 20;

/// The longest wait between two attempts of one batch.
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What is waiting to be told to one user.
#[derive(Debug)]
struct Waiting {
    /// Not sent before this (the coalescing interval since the last one).
    due: Instant,
    /// By conversation: messages since the last notification, and the
    /// latest of them.
    conversations: BTreeMap<u64, Unread>,
    /// Conversations past [`CONVERSATIONS_MAX`].
    more: u64,
}

#[derive(Debug)]
struct Unread {
    count: u64,
    latest: ChatMessage,
}

#[derive(Debug, Default)]
struct Queue {
    waiting: HashMap<u64, Waiting>,
    /// When each user was last notified (pruned once past the interval).
    last_sent: HashMap<u64, Instant>,
}

/// The offline push of this chat_serv (see the module docs).
#[derive(Debug)]
pub struct OfflinePush {
    queue: Mutex<Queue>,
    wake: Notify,
    metrics: PushMetrics,
}

#[derive(Clone, Debug)]
struct PushMetrics {
    queued: Counter,
    sent: Counter,
    dropped: Counter,
    retried: Counter,
}

impl OfflinePush {
    pub fn new(stats: &Stats) -> OfflinePush {
        OfflinePush {
            queue: Mutex::default(),
            wake: Notify::new(),
            metrics: PushMetrics {
                queued: stats.counter(
                    "offline_push_queued_total",
                    "Messages that made a notification for an offline member (merged or new).",
                ),
                sent: stats.counter(
                    "offline_push_sent_total",
                    "Notifications the push gateway took.",
                ),
                dropped: stats.counter(
                    "offline_push_dropped_total",
                    "Notifications dropped: the queue was full, or the gateway refused or \
                     failed every retry.",
                ),
                retried: stats.counter(
                    "offline_push_retries_total",
                    "Batches sent again after the gateway failed.",
                ),
            },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// A message of `message.gid` was fanned out to `members`, of whom
    /// `online` were found online: the others get a notification.
    pub fn fanned_out(
        &self,
        config: &OfflinePushConfig,
        members: &[u64],
        online: &[PresenceEntry],
        message: &ChatMessage,
    ) {
        if !config.enabled() || !notifies(message) {
            return;
        }
        let now = Instant::now();
        let coalesce = Duration::from_secs(config.coalesce_secs);
        let mut dropped = 0;
        let mut queued = 0;
        {
            let mut queue = self.lock();
            for &uid in members {
                if uid == message.sender_uid || online.iter().any(|entry| entry.uid == uid) {
                    continue;
                }
                let due = queue
                    .last_sent
                    .get(&uid)
                    .map_or(now, |last| (*last + coalesce).max(now));
                let full = queue.waiting.len() >= config.queue_max as usize;
                let waiting = match queue.waiting.get_mut(&uid) {
                    Some(waiting) => waiting,
                    None if full => {
                        dropped += 1;
                        continue;
                    }
                    None => queue.waiting.entry(uid).or_insert(Waiting {
                        due,
                        conversations: BTreeMap::new(),
                        more: 0,
                    }),
                };
                queued += 1;
                let known = waiting.conversations.contains_key(&message.gid);
                if !known && waiting.conversations.len() >= CONVERSATIONS_MAX {
                    waiting.more += 1;
                    continue;
                }
                let unread = waiting
                    .conversations
                    .entry(message.gid)
                    .or_insert_with(|| Unread {
                        count: 0,
                        latest: message.clone(),
                    });
                unread.count += 1;
                unread.latest = message.clone();
            }
        }
        self.metrics.queued.add(queued);
        if dropped > 0 {
            self.metrics.dropped.add(dropped);
        }
        if queued > 0 {
            self.wake.notify_one();
        }
    }

    /// Takes the users whose notification is due, at most `max`.
    fn take_due(&self, max: usize) -> Vec<(u64, Waiting)> {
        let now = Instant::now();
        let mut queue = self.lock();
        let due: Vec<u64> = queue
            .waiting
            .iter()
            .filter(|(_, waiting)| waiting.due <= now)
            .map(|(uid, _)| *uid)
            .take(max)
            .collect();
        due.into_iter()
            .filter_map(|uid| queue.waiting.remove(&uid).map(|waiting| (uid, waiting)))
            .collect()
    }

    /// When the next waiting notification is due, if any is waiting.
    fn next_due(&self) -> Option<Instant> {
        self.lock()
            .waiting
            .values()
            .map(|waiting| waiting.due)
            .min()
    }

    fn sent(&self, uids: &[u64], coalesce: Duration) {
        let now = Instant::now();
        let mut queue = self.lock();
        queue
            .last_sent
            .retain(|_, last| now.duration_since(*last) < coalesce);
        for uid in uids {
            queue.last_sent.insert(*uid, now);
        }
    }
}

/// Whether `message` makes a notification: what people write, not what the
/// server records.
fn notifies(message: &ChatMessage) -> bool {
    !matches!(message.kind(), MessageKind::System | MessageKind::Recall)
}

/// `set_notifications {gid, muted}`: a member turns offline push of one
/// conversation off or on again.
pub async fn set(chat: &Chat, uid: u64, req: SetNotificationsRequest) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_member(&group)?;
    chat.db(DbSetQuiet {
        uid,
        gid: req.gid,
        muted: req.muted,
    })
    .await?;
    Ok(Response::Done(Done {}))
}

/// Posts what is due, for as long as the process runs.
pub async fn run(chat: Arc<Chat>) {
    let mut http: Option<(String, HttpClient)> = None;
    loop {
        let config = chat.config.load().offline_push.clone();
        let wait = match chat.offline_push.next_due() {
            Some(due) => due.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(1),
        };
        tokio::select! {
            _ = chat.node.shutdown.cancelled() => return,
            _ = chat.offline_push.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        if !config.enabled() {
            continue;
        }
        let batch = chat.offline_push.take_due(config.batch_max as usize);
        if batch.is_empty() {
            continue;
        }
        let batch = without_muted(&chat, batch).await;
        if batch.is_empty() {
            continue;
        }
        if http.as_ref().is_none_or(|(ca, _)| *ca != config.ca_file) {
            match client_for(&config) {
                Ok(client) => http = Some((config.ca_file.clone(), client)),
                Err(err) => {
                    warn!(chat.log, "Offline push: cannot read the gateway's CA file";
                        "ca_file" => &config.ca_file, "error" => %err);
                    chat.offline_push.metrics.dropped.add(batch.len() as u64);
                    continue;
                }
            }
        }
        let Some((_, client)) = &http else { continue };
        let uids: Vec<u64> = batch.iter().map(|(uid, _)| *uid).collect();
        let body = body_of(&chat, &config, &batch);
        if post_with_retries(&chat, client, &config, body).await {
            chat.offline_push.metrics.sent.add(uids.len() as u64);
            chat.offline_push
                .sent(&uids, Duration::from_secs(config.coalesce_secs));
        } else {
            chat.offline_push.metrics.dropped.add(uids.len() as u64);
        }
    }
}

fn client_for(config: &OfflinePushConfig) -> Result<HttpClient, String> {
    if config.ca_file.is_empty() {
        return Ok(HttpClient::default());
    }
    HttpClient::with_ca_file(std::path::Path::new(&config.ca_file)).map_err(|err| err.to_string())
}

/// The batch without the conversations its users muted (a storage error
/// sends it whole: a muted conversation notified is better than every
/// notification lost).
async fn without_muted(chat: &Chat, batch: Vec<(u64, Waiting)>) -> Vec<(u64, Waiting)> {
    let mut uids = Vec::new();
    let mut gids = Vec::new();
    for (uid, waiting) in &batch {
        for gid in waiting.conversations.keys() {
            uids.push(*uid);
            gids.push(*gid);
        }
    }
    let quiet = match chat.db(DbQuietOf { uids, gids }).await {
        Ok(answer) => answer.quiet,
        Err(err) => {
            debug!(chat.log, "Offline push: cannot read muted conversations"; "error" => %err);
            Vec::new()
        }
    };
    let mut quiet = quiet.into_iter();
    batch
        .into_iter()
        .filter_map(|(uid, mut waiting)| {
            waiting
                .conversations
                .retain(|_, _| !quiet.next().unwrap_or(false));
            (!waiting.conversations.is_empty()).then_some((uid, waiting))
        })
        .collect()
}

fn body_of(chat: &Chat, config: &OfflinePushConfig, batch: &[(u64, Waiting)]) -> Bytes {
    let notifications: Vec<serde_json::Value> = batch
        .iter()
        .map(|(uid, waiting)| {
            let conversations: Vec<serde_json::Value> = waiting
                .conversations
                .iter()
                .map(|(gid, unread)| {
                    let latest = &unread.latest;
                    let mut item = json!({
                        "gid": gid,
                        "count": unread.count,
                        "seq": latest.seq,
                        "from_uid": latest.sender_uid,
                        "kind": latest.kind().as_str_name(),
                        "sent_at_ms": latest.sent_at_ms,
                    });
                    if config.include_body {
                        item["text"] = json!(latest.text);
                        item["media_url"] = json!(latest.media_url);
                    }
                    item
                })
                .collect();
            json!({ "uid": uid, "conversations": conversations, "more": waiting.more })
        })
        .collect();
    let body = json!({
        "cluster": chat.config.load().cluster,
        "notifications": notifications,
    });
    Bytes::from(body.to_string())
}

/// Posts `body`, retrying as the module docs say; true once the gateway
/// took it.
async fn post_with_retries(
    chat: &Chat,
    client: &HttpClient,
    config: &OfflinePushConfig,
    body: Bytes,
) -> bool {
    let mut backoff = Duration::from_millis(500);
    for attempt in 0..=config.retries {
        if attempt > 0 {
            chat.offline_push.metrics.retried.inc();
            tokio::select! {
                _ = chat.node.shutdown.cancelled() => return false,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
        let timestamp = now_ms().to_string();
        let mut signed = timestamp.clone().into_bytes();
        signed.push(b'.');
        signed.extend_from_slice(&body);
        let headers = [
            ("content-type", "application/json".to_string()),
            ("x-schat-timestamp", timestamp),
            (
                "x-schat-signature",
                format!(
                    "v1={}",
                    hmac_sha256_hex(config.signing_key.as_bytes(), &signed)
                ),
            ),
        ];
        let sent = tokio::time::timeout(
            Duration::from_millis(config.timeout_ms),
            client.send(http::Method::POST, &config.url, &headers, body.clone()),
        )
        .await;
        let status = match sent {
            Ok(Ok(response)) => response.status,
            Ok(Err(err)) => {
                debug!(chat.log, "Offline push: the gateway failed"; "error" => %err);
                continue;
            }
            Err(_) => {
                debug!(chat.log, "Offline push: the gateway timed out");
                continue;
            }
        };
        if status.is_success() {
            return true;
        }
        if status.is_client_error() && status != http::StatusCode::TOO_MANY_REQUESTS {
            warn!(chat.log, "Offline push: the gateway refused a batch; dropped";
                "status" => status.as_u16());
            chat.stats.record_error(format!(
                "offline push: the gateway refused a batch ({status})"
            ));
            return false;
        }
        debug!(chat.log, "Offline push: the gateway answered"; "status" => status.as_u16());
    }
    warn!(chat.log, "Offline push: the gateway failed every retry; batch dropped";
        "retries" => config.retries);
    chat.stats
        .record_error("offline push: the gateway failed every retry; a batch was dropped");
    false
}
