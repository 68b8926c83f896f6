//! Offline push: notifications to the operator's push gateway (in front of
//! APNs / FCM) for members who were offline when a message of one of their
//! conversations was fanned out (`offline_push` in cluster.json; the body,
//! headers and signature are in docs/OPERATIONS.md).
//!
//! - **Who.** The group actor hands over, with each fanned-out message,
//!   the members its presence lookup did not find online (never the
//!   sender; never for system messages or recalls, and nothing when
//!   presence cannot say who is online).
//! - **Coalescing.** One notification per user per `coalesce_secs` (from
//!   this chat_serv: a user whose conversations live on two gets up to one
//!   from each): a user told less than that ago (counted from when the
//!   batch left) waits until the interval is over, and what arrives
//!   meanwhile is merged into the waiting notification (per conversation:
//!   a count and the latest message's seq, sender, kind and time; its text
//!   only with `include_body`).
//! - **Bounded.** At most `queue_max` users wait; a notification for one
//!   more is dropped, counted (`schat_offline_push_dropped_total`) and
//!   logged. One sender task posts batches of up to `batch_max`.
//! - **Muted conversations** (`set_notifications`) are skipped: a batch
//!   asks db_chat which (user, conversation) pairs are muted before it
//!   leaves.
//! - **Retries.** A batch the gateway does not take (connection failure,
//!   timeout, 5xx, 429) is sent again after 0.5 s, 1 s, 2 s, … (at most
//!   30 s) up to `retries` times, then dropped and counted; any other
//!   answer but 2xx is not retried. Drops are logged (warn) once per round
//!   of the sender.
//! - **Signed.** `X-Schat-Signature: v1=<hex HMAC-SHA256 of
//!   "<X-Schat-Timestamp>.<body>">` under `signing_key`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    /// By conversation: messages since the last notification, and the
    /// latest of them.
    conversations: BTreeMap<u64, Unread>,
    /// Messages of conversations past [`CONVERSATIONS_MAX`].
    more: u64,
}

/// What a notification says of one conversation: the latest message's
/// fields it shows, not the message (its text only when configured,
/// shared by every recipient of the message).
#[derive(Clone, Debug)]
struct Unread {
    count: u64,
    seq: u64,
    from_uid: u64,
    kind: MessageKind,
    sent_at_ms: u64,
    /// Text and media URL, with `include_body`.
    body: Option<Arc<(String, String)>>,
}

impl Unread {
    fn of(message: &ChatMessage, include_body: bool) -> Unread {
        Unread {
            count: 0,
            seq: message.seq,
            from_uid: message.sender_uid,
            kind: message.kind(),
            sent_at_ms: message.sent_at_ms,
            body: include_body.then(|| Arc::new((message.text.clone(), message.media_url.clone()))),
        }
    }
}

#[derive(Debug, Default)]
struct Queue {
    waiting: HashMap<u64, Waiting>,
    /// The waiting users by when they are due.
    by_due: BTreeSet<(Instant, u64)>,
    /// When each user was last taken for a notification (pruned once past
    /// the interval): what arrives meanwhile waits out the interval.
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
        let online: HashSet<u64> = online.iter().map(|entry| entry.uid).collect();
        // Built once, whatever the number of recipients.
        let latest = Unread::of(message, config.include_body);
        let now = Instant::now();
        let coalesce = Duration::from_secs(config.coalesce_secs);
        let mut dropped = 0;
        let mut queued = 0;
        let mut new_due_now = false;
        {
            let mut queue = self.lock();
            let queue = &mut *queue;
            for &uid in members {
                if uid == message.sender_uid || online.contains(&uid) {
                    continue;
                }
                if !queue.waiting.contains_key(&uid) {
                    if queue.waiting.len() >= config.queue_max as usize {
                        dropped += 1;
                        continue;
                    }
                    let due = queue
                        .last_sent
                        .get(&uid)
                        .map_or(now, |last| (*last + coalesce).max(now));
                    new_due_now |= due <= now;
                    queue.by_due.insert((due, uid));
                    queue.waiting.insert(
                        uid,
                        Waiting {
                            conversations: BTreeMap::new(),
                            more: 0,
                        },
                    );
                }
                let Some(waiting) = queue.waiting.get_mut(&uid) else {
                    continue;
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
                    .or_insert_with(|| latest.clone());
                let count = unread.count + 1;
                *unread = Unread {
                    count,
                    ..latest.clone()
                };
            }
        }
        self.metrics.queued.add(queued);
        if dropped > 0 {
            self.metrics.dropped.add(dropped);
        }
        // Merges and users waiting out their interval need no wake-up.
        if new_due_now {
            self.wake.notify_one();
        }
    }

    /// Takes the users whose notification is due, at most `max`, and
    /// counts them notified now: what arrives while the batch is out waits
    /// out the interval.
    fn take_due(&self, max: usize) -> Vec<(u64, Waiting)> {
        let now = Instant::now();
        let mut queue = self.lock();
        let queue = &mut *queue;
        let mut taken = Vec::new();
        while taken.len() < max {
            let Some(&(due, uid)) = queue.by_due.first() else {
                break;
            };
            if due > now {
                break;
            }
            queue.by_due.pop_first();
            if let Some(waiting) = queue.waiting.remove(&uid) {
                queue.last_sent.insert(uid, now);
                taken.push((uid, waiting));
            }
        }
        taken
    }

    /// When the next waiting notification is due, if any is waiting.
    fn next_due(&self) -> Option<Instant> {
        self.lock().by_due.first().map(|(due, _)| *due)
    }

    /// Forgets what waits (offline push was turned off) and the intervals
    /// that ended.
    fn tidy(&self, coalesce: Duration, clear: bool) -> usize {
        let now = Instant::now();
        let mut queue = self.lock();
        queue
            .last_sent
            .retain(|_, last| now.duration_since(*last) < coalesce);
        if !clear {
            return 0;
        }
        let forgotten = queue.waiting.len();
        queue.waiting.clear();
        queue.by_due.clear();
        forgotten
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
    let mut dropped_before = 0;
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
        // Turned off by a reload: what waits is forgotten.
        let forgotten = chat
            .offline_push
            .tidy(Duration::from_secs(config.coalesce_secs), !config.enabled());
        if forgotten > 0 {
            debug!(chat.log, "Offline push is off: waiting notifications forgotten";
                "users" => forgotten);
        }
        let dropped = chat.offline_push.metrics.dropped.get();
        if dropped > dropped_before {
            warn!(chat.log, "Offline push: notifications dropped (queue full, or the gateway failed)";
                "since_last_report" => dropped - dropped_before, "queue_max" => config.queue_max);
            dropped_before = dropped;
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
        let body = body_of(&chat, &batch);
        if post_with_retries(&chat, client, &config, body).await {
            chat.offline_push.metrics.sent.add(batch.len() as u64);
        } else {
            chat.offline_push.metrics.dropped.add(batch.len() as u64);
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
            (!waiting.conversations.is_empty() || waiting.more > 0).then_some((uid, waiting))
        })
        .collect()
}

fn body_of(chat: &Chat, batch: &[(u64, Waiting)]) -> Bytes {
    let notifications: Vec<serde_json::Value> = batch
        .iter()
        .map(|(uid, waiting)| {
            let conversations: Vec<serde_json::Value> = waiting
                .conversations
                .iter()
                .map(|(gid, unread)| {
                    let mut item = json!({
                        "gid": gid,
                        "count": unread.count,
                        "seq": unread.seq,
                        "from_uid": unread.from_uid,
                        "kind": unread.kind.as_str_name(),
                        "sent_at_ms": unread.sent_at_ms,
                    });
                    if let Some((text, media_url)) = unread.body.as_deref() {
                        item["text"] = json!(text);
                        item["media_url"] = json!(media_url);
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
        if !status.is_server_error() && status != http::StatusCode::TOO_MANY_REQUESTS {
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
