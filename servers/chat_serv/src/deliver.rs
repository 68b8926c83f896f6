//! Getting things to users: message fan-out and notices.
//!
//! Fan-out costs one packet per logic_serv that holds recipients, whatever
//! their number: the message is encoded into its client frame once, here,
//! and that frame travels unchanged through logic to conn, which writes the
//! same bytes to each socket. Pushes are best effort — the pull is the
//! truth — so a failed push is logged, not retried.

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
use schat_runtime::logging::debug;
use schat_runtime::Target;
use tokio::time::Instant;

use crate::{Chat, Failure};

/// Groups whose members are cached at most; past it the cache starts over.
const CACHED_GROUPS_MAX: usize = 100_000;

/// How long a fan-out waits for presence before giving up on the push.
const LOCATE_TIMEOUT: Duration = Duration::from_millis(500);

/// Member uids of a group as of membership `version` (the version the
/// message was stored under), from the cache when it holds that version;
/// `None` always reads storage.
pub async fn member_uids(
    chat: &Chat,
    gid: u64,
    version: Option<u64>,
) -> Result<Arc<Vec<u64>>, Failure> {
    if let Some(cached) = chat.members.get(&gid) {
        if Some(cached.0) == version {
            return Ok(cached.1.clone());
        }
    }
    match chat.db(Msg::DbMemberUids(DbMemberUids { gid })).await? {
        Msg::DbUids(found) => {
            let members = Arc::new(found.uids);
            if chat.members.len() >= CACHED_GROUPS_MAX {
                chat.members.clear();
            }
            chat.members.insert(gid, (found.version, members.clone()));
            Ok(members)
        }
        _ => Err(Failure::unexpected()),
    }
}

/// Pushes a new message to the group's online members, as they were when
/// it was stored (`member_version`).
pub async fn fan_out(chat: &Chat, message: &ChatMessage, member_version: Option<u64>) {
    let frame = ServerMessage::push(Response::Message(message.clone())).encode_frame();
    match member_uids(chat, message.gid, member_version).await {
        Ok(members) => {
            let n_recipients = push_to_users(chat, &members, frame, message.gid).await;
            chat.metrics.deliveries.add(n_recipients as u64);
        }
        Err(failure) => {
            debug!(chat.log, "No fan-out: members unknown"; "gid" => message.gid, "reason" => failure.reason)
        }
    }
}

/// Where each of `uids` is online: from this chat_serv's own presence map
/// when it covers every live logic_serv (the usual case), else (just
/// started, or a snapshot pending) asked of an online_serv.
async fn locate(chat: &Chat, uids: &[u64]) -> Option<Vec<PresenceEntry>> {
    let live_logics = chat.fabric.live_peers(ProcType::Logic);
    // Every logic beats every presence_beat_ms: two beats missed and the
    // map is not trusted.
    let fresh = Duration::from_millis(2 * chat.config.load().timing.presence_beat_ms);
    {
        let presence = chat.lock_presence();
        if presence.covers(&live_logics, Instant::now(), fresh) {
            return Some(presence.locate(uids));
        }
    }
    let located = chat
        .fabric
        .channel()
        .call_within(
            Target::any(ProcType::Online),
            Msg::Locate(Locate {
                uids: uids.to_vec(),
            }),
            LOCATE_TIMEOUT,
        )
        .await;
    match located {
        Ok(Msg::Located(located)) => Some(located.entries),
        Ok(_) => None,
        Err(err) => {
            debug!(chat.log, "No fan-out: presence unavailable"; "error" => %err);
            None
        }
    }
}

/// Writes `frame` to every online user among `uids`: locate them, then one
/// UserDeliver per logic_serv. Pushes with the same `order_key` (a gid)
/// travel through the same disp, so they arrive in the order sent.
/// Returns how many recipients the pushes went out for.
pub async fn push_to_users(chat: &Chat, uids: &[u64], frame: Bytes, order_key: u64) -> usize {
    if uids.is_empty() {
        return 0;
    }
    let Some(entries) = locate(chat, uids).await else {
        return 0;
    };
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
    let stored = chat
        .db(Msg::DbPutNotice(DbPutNotice {
            uid,
            notice: Some(notice),
        }))
        .await?;
    let Msg::DbNotices(mut stored) = stored else {
        return Err(Failure::unexpected());
    };
    if let Some(notice) = stored.notices.pop() {
        let frame = ServerMessage::push(Response::Notice(notice)).encode_frame();
        push_to_users(chat, &[uid], frame, uid).await;
    }
    Ok(())
}

/// Most notices one answer carries.
const NOTICES_PER_PAGE: u32 = 100;

pub async fn notices(chat: &Chat, uid: u64, after_id: u64) -> Result<NoticesResponse, Failure> {
    match chat
        .db(Msg::DbListNotices(DbListNotices {
            uid,
            after_id,
            limit: NOTICES_PER_PAGE,
        }))
        .await?
    {
        Msg::DbNotices(notices) => Ok(notices),
        _ => Err(Failure::unexpected()),
    }
}

pub async fn ack_notices(chat: &Chat, uid: u64, up_to_id: u64) -> Result<Response, Failure> {
    chat.db(Msg::DbAckNotices(DbAckNotices { uid, up_to_id }))
        .await?;
    Ok(Response::Done(Done {}))
}
