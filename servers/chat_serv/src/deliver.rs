//! Getting things to users: locating them, message pushes and notices.
//!
//! A push costs one packet per logic_serv that holds recipients, whatever
//! their number: the message is encoded into its client frame once, here,
//! and that frame travels unchanged through logic to conn, which writes the
//! same bytes to each socket. Pushes are best effort — the pull is the
//! truth — so a failed push is logged, not retried. A group's messages are
//! pushed by its actor ([`crate::actor`]), in seq order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use schat_proto::client::{
    server_message::Body as Response, ChatMessage, Done, Notice, NoticesResponse, ServerMessage,
};
use schat_proto::server::{
    server_msg::Msg, DbAckNotices, DbListNotices, DbMemberUids, DbPutNotice, Locate, PresenceEntry,
    ProcType, UserDeliver,
};
use schat_proto::Wire;
use schat_runtime::logging::{debug, warn};
use schat_runtime::Target;
use tokio::time::Instant;

use crate::{Chat, Failure};

/// How long a push waits for presence from online_serv before giving up.
const LOCATE_TIMEOUT: Duration = Duration::from_millis(500);

/// A group's member uids and the membership version they were read at.
pub type Members = (u64, Arc<Vec<u64>>);

/// Reads a group's member uids from storage.
pub async fn fetch_members(chat: &Chat, gid: u64) -> Result<Members, Failure> {
    let found = chat.db(DbMemberUids { gid }).await?;
    Ok((found.version, Arc::new(found.uids)))
}

/// The client frame that pushes `message`.
pub fn message_frame(message: ChatMessage) -> Bytes {
    ServerMessage::push(Response::Message(message)).encode_frame()
}

/// Where each of `uids` is online, from this chat_serv's own presence map
/// when it covers every live logic_serv (the usual case); `None` when it
/// does not (just started, or a snapshot pending).
pub fn locate_here(chat: &Chat, uids: &[u64]) -> Option<Vec<PresenceEntry>> {
    let live_logics = chat.fabric.live_peers(ProcType::Logic);
    // Every logic beats every presence_beat_ms: two beats missed and the
    // map is not trusted.
    let fresh = Duration::from_millis(2 * chat.config.load().timing.presence_beat_ms);
    let presence = chat.lock_presence();
    presence
        .covers(&live_logics, Instant::now(), fresh)
        .then(|| presence.locate(uids))
}

/// Where each of `uids` is online: [`locate_here`], else asked of an
/// online_serv.
pub async fn locate(chat: &Chat, uids: &[u64]) -> Option<Vec<PresenceEntry>> {
    if let Some(entries) = locate_here(chat, uids) {
        return Some(entries);
    }
    let located = chat
        .fabric
        .channel()
        .request_within(
            Target::any(ProcType::Online),
            Locate {
                uids: uids.to_vec(),
            },
            LOCATE_TIMEOUT,
        )
        .await;
    match located {
        Ok(located) => Some(located.entries),
        Err(err) => {
            debug!(chat.log, "No push: presence unavailable"; "error" => %err);
            None
        }
    }
}

/// Pushes a group's `message` to those of its `members` located in
/// `entries`, and hands the others to offline push (when it is on).
/// Returns how many recipients the pushes went out for.
pub fn push_message(
    chat: &Chat,
    members: &[u64],
    entries: Vec<PresenceEntry>,
    message: ChatMessage,
    gid: u64,
) -> usize {
    let config = chat.config.load();
    if config.offline_push.enabled() {
        chat.offline_push
            .fanned_out(&config.offline_push, members, &entries, &message);
    }
    push_located(chat, entries, message_frame(message), gid)
}

/// Writes `frame` to the located users: one UserDeliver per logic_serv.
/// Pushes with the same `order_key` (a gid) travel through the same disp,
/// so they arrive in the order sent. Returns how many recipients the
/// pushes went out for.
pub fn push_located(
    chat: &Chat,
    entries: Vec<PresenceEntry>,
    frame: Bytes,
    order_key: u64,
) -> usize {
    let channel = chat.fabric.channel();
    let mut by_logic: HashMap<u32, Vec<u64>> = HashMap::new();
    for entry in entries {
        by_logic.entry(entry.logic_id).or_default().push(entry.uid);
    }
    let mut n_recipients = 0;
    for (logic_id, uids) in by_logic {
        let n_uids = uids.len();
        let deliver = Msg::UserDeliver(UserDeliver {
            uids,
            frame: frame.clone(),
        });
        let target = Target::spec(ProcType::Logic, logic_id).keyed(order_key);
        match channel.push(target, deliver) {
            Ok(()) => n_recipients += n_uids,
            Err(err) => {
                debug!(chat.log, "Push to a logic_serv failed"; "logic_id" => logic_id, "error" => %err)
            }
        }
    }
    n_recipients
}

/// Stores a notice for `uid` (so it is there at next login) and pushes it
/// now if the user is online.
pub async fn notify(chat: &Chat, uid: u64, notice: Notice) -> Result<(), Failure> {
    let mut stored = chat
        .db(DbPutNotice {
            uid,
            notice: Some(notice),
        })
        .await?;
    if let Some(notice) = stored.notices.pop() {
        push_to_user(chat, uid, Response::Notice(notice), uid).await;
    }
    Ok(())
}

/// Pushes `push` to every device of `uid` that is online now (nothing
/// when presence cannot say where). `order_key` as for [`push_located`].
pub async fn push_to_user(chat: &Chat, uid: u64, push: Response, order_key: u64) {
    if let Some(entries) = locate(chat, &[uid]).await {
        let frame = ServerMessage::push(push).encode_frame();
        push_located(chat, entries, frame, order_key);
    }
}

/// Tells a user something after the change it reports has happened: a
/// failure is logged, not answered (the change stands).
pub async fn tell(chat: &Chat, uid: u64, told: Notice) {
    let kind = told.kind;
    if let Err(failure) = notify(chat, uid, told).await {
        chat.stats
            .record_error(format!("could not store a notice: {}", failure.reason));
        warn!(chat.log, "Could not store a notice";
            "uid" => uid, "kind" => kind, "reason" => failure.reason);
    }
}

/// Most notices one answer carries.
const NOTICES_PER_PAGE: u32 = 100;

pub async fn notices(chat: &Chat, uid: u64, after_id: u64) -> Result<NoticesResponse, Failure> {
    Ok(chat
        .db(DbListNotices {
            uid,
            after_id,
            limit: NOTICES_PER_PAGE,
        })
        .await?)
}

pub async fn ack_notices(chat: &Chat, uid: u64, up_to_id: u64) -> Result<Response, Failure> {
    chat.db(DbAckNotices { uid, up_to_id }).await?;
    Ok(Response::Done(Done {}))
}
