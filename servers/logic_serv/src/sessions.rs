//! The registry of this logic's sessions: by client connection, and by user
//! for the ones that logged in (a user may have several here, one per
//! device).

use std::sync::Arc;

use dashmap::DashMap;
use schat_proto::server::ClientFrame;
use smallvec::SmallVec;

use crate::context::Logic;
use crate::rate::TokenBucket;
use crate::session::{self, Control, SessionHandle};
use schat_runtime::config::ChatConfig;

#[derive(Debug, Default)]
pub struct Sessions {
    by_conn: DashMap<u64, SessionHandle>,
    by_uid: DashMap<u64, SmallVec<[UserSession; 1]>>,
    /// Each user's send rate, kept across their reconnects (a user who
    /// leaves with a full bucket is forgotten).
    send_buckets: DashMap<u64, TokenBucket>,
}

/// Where a logged-in user's session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserSession {
    pub conn_id: u64,
    pub session_id: u64,
    /// When the file token the client holds expires (0: none issued yet).
    pub file_token_expires_ms: u64,
}

impl Sessions {
    /// Takes one send from the user's bucket; false when it is empty.
    pub fn take_send(&self, uid: u64, chat: &ChatConfig) -> bool {
        if chat.send_rate_per_sec == 0 {
            return true;
        }
        self.send_buckets
            .entry(uid)
            .or_insert_with(|| TokenBucket::full(chat))
            .take(chat)
    }

    /// Forgets the user's bucket if it has filled up again.
    pub fn forget_sends_if_idle(&self, uid: u64, chat: &ChatConfig) {
        self.send_buckets
            .remove_if_mut(&uid, |_, bucket| bucket.is_full(chat));
    }

    /// Hands a client frame to its session, starting one for a new connection.
    pub fn on_frame(&self, logic: &Arc<Logic>, frame: ClientFrame) {
        let handle = self
            .by_conn
            .entry(frame.conn_id)
            .or_insert_with(|| session::spawn(logic.clone(), frame.conn_id, frame.peer))
            .clone();
        // A client that sends faster than its requests complete is closed
        // with RATE_LIMITED (once) after what it sent before is answered.
        handle.offer(frame.frame);
    }

    pub fn on_conn_closed(&self, conn_id: u64, _reason: String) {
        if let Some(handle) = self.by_conn.get(&conn_id) {
            handle.control(Control::Closed);
        }
    }

    /// Asks the user's session `session_id` here to close (0: every one of
    /// the user's sessions here); returns how many were asked.
    pub fn kick(&self, uid: u64, session_id: u64, reason: String) -> usize {
        let kicked: SmallVec<[UserSession; 1]> = match self.by_uid.get(&uid) {
            Some(sessions) => sessions
                .iter()
                .filter(|user| session_id == 0 || user.session_id == session_id)
                .copied()
                .collect(),
            None => return 0,
        };
        for user in &kicked {
            self.kick_conn(user.conn_id, user.session_id, reason.clone());
        }
        kicked.len()
    }

    /// Asks the session on `conn_id` to close if it is `session_id`.
    pub fn kick_conn(&self, conn_id: u64, session_id: u64, reason: String) {
        if let Some(handle) = self.by_conn.get(&conn_id) {
            handle.control(Control::Kick { session_id, reason });
        }
    }

    /// Ends every session; returns how many there were.
    pub fn close_all(&self, _reason: &str) -> usize {
        let mut n_sessions = 0;
        for handle in self.by_conn.iter() {
            handle.control(Control::Closed);
            n_sessions += 1;
        }
        n_sessions
    }

    /// Records that `uid` is logged in on `user.conn_id` (beside the
    /// user's other sessions here).
    pub fn bind_user(&self, uid: u64, user: UserSession) {
        self.by_uid.entry(uid).or_default().push(user);
    }

    /// Forgets the user's session `session_id`.
    pub fn unbind_user(&self, uid: u64, session_id: u64) {
        if let Some(mut sessions) = self.by_uid.get_mut(&uid) {
            sessions.retain(|user| user.session_id != session_id);
        }
        self.by_uid
            .remove_if(&uid, |_, sessions| sessions.is_empty());
    }

    /// Forgets a connection's session once its task has ended.
    pub fn remove(&self, conn_id: u64, handle: &SessionHandle) {
        self.by_conn
            .remove_if(&conn_id, |_, current| current.same_session(handle));
    }

    /// Records the expiry of the file token just given to `session_id`.
    pub fn set_file_token_expiry(&self, uid: u64, session_id: u64, expires_ms: u64) {
        if let Some(mut sessions) = self.by_uid.get_mut(&uid) {
            for user in sessions.iter_mut() {
                if user.session_id == session_id {
                    user.file_token_expires_ms = expires_ms;
                }
            }
        }
    }

    /// The user's sessions here.
    pub fn of_user(&self, uid: u64) -> SmallVec<[UserSession; 1]> {
        self.by_uid
            .get(&uid)
            .map(|sessions| sessions.clone())
            .unwrap_or_default()
    }

    /// Users with sessions whose file token expires before `before_ms`,
    /// and those sessions.
    pub fn file_tokens_due(&self, before_ms: u64) -> Vec<(u64, SmallVec<[UserSession; 1]>)> {
        let mut due = Vec::new();
        for sessions in self.by_uid.iter() {
            let expiring: SmallVec<[UserSession; 1]> = sessions
                .iter()
                .filter(|user| {
                    user.file_token_expires_ms != 0 && user.file_token_expires_ms < before_ms
                })
                .copied()
                .collect();
            if !expiring.is_empty() {
                due.push((*sessions.key(), expiring));
            }
        }
        due
    }

    /// The connections of every session here of those of `uids` who are
    /// logged in here (all their devices).
    pub fn conn_ids_of(&self, uids: &[u64]) -> Vec<u64> {
        let mut conn_ids = Vec::with_capacity(uids.len());
        for uid in uids {
            if let Some(sessions) = self.by_uid.get(uid) {
                conn_ids.extend(sessions.iter().map(|user| user.conn_id));
            }
        }
        conn_ids
    }

    pub fn n_sessions(&self) -> usize {
        self.by_conn.len()
    }

    /// Logged-in sessions (every device of every user here).
    pub fn n_logged_in(&self) -> usize {
        self.by_uid.iter().map(|sessions| sessions.len()).sum()
    }
}
