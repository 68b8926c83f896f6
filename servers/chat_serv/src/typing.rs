//! The typing indicator of a direct conversation: ephemeral (never
//! stored, lost if the other user is offline), and passed on at most once
//! per `TYPING_EVERY` per user and conversation — a client may send one
//! per keystroke; the rest are answered and dropped here, before any
//! storage lookup. All typing of one conversation reaches the chat_serv
//! its gid hashes to, so one process holds its limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use schat_proto::client::{
    server_message::Body as Response, Done, GroupKind, ServerMessage, Typing,
};
use schat_proto::Wire;
use tokio::time::Instant;

use crate::deliver::{locate, push_located};
use crate::groups::{info, load, require_member};
use crate::{Chat, Failure};

/// How often one user's typing in one conversation is passed on.
pub const TYPING_EVERY: Duration = Duration::from_secs(2);

/// Above this many remembered (conversation, user) pairs, the ones older
/// than `TYPING_EVERY` are forgotten.
const REMEMBERED_MAX: usize = 10_000;

/// When each (gid, uid) last passed a typing event on.
#[derive(Debug, Default)]
pub struct TypingLimit {
    last: Mutex<HashMap<(u64, u64), Instant>>,
}

impl TypingLimit {
    /// Whether `uid`'s typing in `gid` at `now` is passed on (and if so,
    /// remembers it).
    pub fn allow(&self, gid: u64, uid: u64, now: Instant) -> bool {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(at) = last.get(&(gid, uid)) {
            if now.duration_since(*at) < TYPING_EVERY {
                return false;
            }
        }
        if last.len() >= REMEMBERED_MAX {
            last.retain(|_, at| now.duration_since(*at) < TYPING_EVERY);
        }
        last.insert((gid, uid), now);
        true
    }
}

/// `uid` is typing in direct conversation `gid`: tells the other user, if
/// online and not told within `TYPING_EVERY`.
pub async fn relay(chat: &Chat, uid: u64, gid: u64) -> Result<Response, Failure> {
    if !chat.typing.allow(gid, uid, Instant::now()) {
        return Ok(Response::Done(Done {}));
    }
    let group = load(chat, gid, uid).await?;
    require_member(&group)?;
    let conversation = info(&group);
    if conversation.kind() != GroupKind::Direct {
        return Err(Failure::bad_request(
            "typing is shown in direct conversations only",
        ));
    }
    let peer = conversation.peer_uid;
    if let Some(entries) = locate(chat, &[peer]).await {
        let frame = ServerMessage::push(Response::Typing(Typing { gid, uid })).encode_frame();
        push_located(chat, entries, frame, gid);
    }
    Ok(Response::Done(Done {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_per_interval_per_user_and_conversation() {
        let limit = TypingLimit::default();
        let start = Instant::now();
        assert!(limit.allow(1, 7, start));
        assert!(!limit.allow(1, 7, start + Duration::from_millis(500)));
        assert!(limit.allow(1, 8, start), "another user");
        assert!(limit.allow(2, 7, start), "another conversation");
        assert!(limit.allow(1, 7, start + TYPING_EVERY));
    }
}
