//! The typing indicator of a direct conversation: ephemeral (never
//! stored, lost if the other user is offline), and passed on at most once
//! per `TYPING_EVERY` per user and conversation — a client may send one
//! per keystroke: once one passed the checks, the rest within the
//! interval are answered and dropped here, before any storage lookup. All
//! typing of one conversation reaches the chat_serv its gid hashes to, so
//! one process holds its limit.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use schat_proto::client::{server_message::Body as Response, Done, GroupKind, Typing};
use tokio::time::Instant;

use crate::deliver::push_to_user;
use crate::groups::{info, load, require_member};
use crate::{Chat, Failure};

/// How often one user's typing in one conversation is passed on.
pub const TYPING_EVERY: Duration = Duration::from_secs(2);

/// Most (conversation, user) pairs remembered at once.
const REMEMBERED_MAX: usize = 10_000;

/// When each (gid, uid) last passed a typing event on.
#[derive(Debug, Default)]
pub struct TypingLimit {
    last: Mutex<HashMap<(u64, u64), Instant>>,
}

impl TypingLimit {
    fn lock(&self) -> MutexGuard<'_, HashMap<(u64, u64), Instant>> {
        self.last
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Whether `uid`'s typing in `gid` passed on less than `TYPING_EVERY`
    /// before `now` (then this one is dropped).
    pub fn recently(&self, gid: u64, uid: u64, now: Instant) -> bool {
        self.lock()
            .get(&(gid, uid))
            .is_some_and(|at| now.duration_since(*at) < TYPING_EVERY)
    }

    /// Remembers that `uid`'s typing in `gid` passed on at `now`. At
    /// `REMEMBERED_MAX` pairs the expired ones go first; if all are still
    /// current, this one is not remembered (memory stays bounded; the next
    /// event is checked again).
    pub fn passed(&self, gid: u64, uid: u64, now: Instant) {
        let mut last = self.lock();
        if last.len() >= REMEMBERED_MAX {
            last.retain(|_, at| now.duration_since(*at) < TYPING_EVERY);
            if last.len() >= REMEMBERED_MAX {
                return;
            }
        }
        last.insert((gid, uid), now);
    }
}

/// `uid` is typing in direct conversation `gid`: tells the other user, if
/// online and not told within `TYPING_EVERY`.
pub async fn relay(chat: &Chat, uid: u64, gid: u64) -> Result<Response, Failure> {
    if chat.typing.recently(gid, uid, Instant::now()) {
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
    if group.viewer_blocked {
        return Err(Failure::forbidden("you cannot message this user"));
    }
    chat.typing.passed(gid, uid, Instant::now());
    let peer = conversation.peer_uid;
    push_to_user(chat, peer, Response::Typing(Typing { gid, uid }), gid).await;
    Ok(Response::Done(Done {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_per_interval_per_user_and_conversation() {
        let limit = TypingLimit::default();
        let start = Instant::now();
        assert!(!limit.recently(1, 7, start));
        limit.passed(1, 7, start);
        assert!(limit.recently(1, 7, start + Duration::from_millis(500)));
        assert!(!limit.recently(1, 8, start), "another user");
        assert!(!limit.recently(2, 7, start), "another conversation");
        assert!(!limit.recently(1, 7, start + TYPING_EVERY));
    }

    #[test]
    fn memory_stays_bounded_when_every_pair_is_current() {
        let limit = TypingLimit::default();
        let now = Instant::now();
        for gid in 0..(REMEMBERED_MAX as u64 + 10) {
            limit.passed(gid, 1, now);
        }
        assert_eq!(limit.lock().len(), REMEMBERED_MAX);
        limit.passed(1, 1, now + TYPING_EVERY);
        assert_eq!(limit.lock().len(), 1, "the expired pairs went first");
    }
}
