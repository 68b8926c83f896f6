//! This logic_serv's side of presence: its users, a change counter, and the
//! packets that keep every online_serv and every chat_serv (which locates
//! recipients for fan-out itself) in step (see
//! `schat_runtime::presence_map` for the receiving side).
//!
//! Presence is per user and logic: a user with several devices here is one
//! entry, online from the first session's login to the last one's end (the
//! logic finds the sessions itself when a push arrives), so followers'
//! maps and a message's fan-out do not grow with devices.

use std::collections::HashMap;
use std::sync::Mutex;

use schat_proto::server::{
    server_msg::Msg, PresenceBeat, PresenceDelta, PresenceEntry, PresenceSnapshot, ProcType,
};
use schat_runtime::{Fabric, Target};
use smallvec::SmallVec;

#[derive(Debug)]
pub struct Presence {
    logic_id: u32,
    /// Random per start, so online_servs notice a restart.
    epoch: u64,
    fabric: Fabric,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    version: u64,
    users: HashMap<u64, Here>,
}

/// A user online here: the entry followers hold, and the sessions here.
#[derive(Debug)]
struct Here {
    entry: PresenceEntry,
    sessions: SmallVec<[u64; 1]>,
}

impl Presence {
    /// `epoch`: this run's incarnation (`Node::incarnation`).
    pub fn new(logic_id: u32, epoch: u64, fabric: Fabric) -> Presence {
        Presence {
            logic_id,
            epoch,
            fabric,
            state: Mutex::new(State::default()),
        }
    }

    /// Every online_serv and every chat_serv, each through one disp (keyed
    /// by this logic) so that our deltas arrive in order.
    fn followers(&self) -> [Target; 2] {
        let key = u64::from(self.logic_id);
        [
            Target::all(ProcType::Online).keyed(key),
            Target::all(ProcType::Chat).keyed(key),
        ]
    }

    fn send_all(&self, msg: Msg) {
        // Repeated (beats) or recovered by a snapshot (deltas): a packet
        // that fails to leave is not retried here. Kinds with no live
        // process are skipped (a disp would only bounce the packet).
        for target in self.followers() {
            if !self.fabric.live_peers(target.proc_type).is_empty() {
                let _ = self.fabric.channel().push(target, msg.clone());
            }
        }
    }

    /// Counts `session_id` among the user's sessions here; the first one
    /// makes the user online here.
    pub fn online(&self, uid: u64, session_id: u64, conn_proc_id: u32, since_ms: u64) {
        let mut state = self.lock();
        if let Some(here) = state.users.get_mut(&uid) {
            if !here.sessions.contains(&session_id) {
                here.sessions.push(session_id);
            }
            return;
        }
        let entry = PresenceEntry {
            uid,
            logic_id: self.logic_id,
            conn_proc_id,
            conn_id: 0,
            session_id: 0,
            since_ms,
        };
        let mut sessions = SmallVec::new();
        sessions.push(session_id);
        state.users.insert(uid, Here { entry, sessions });
        state.version += 1;
        self.send_delta(&state, vec![entry], Vec::new());
    }

    /// Forgets `session_id`; the user's last session here makes it
    /// offline here.
    pub fn offline(&self, uid: u64, session_id: u64) {
        let mut state = self.lock();
        let Some(here) = state.users.get_mut(&uid) else {
            return;
        };
        here.sessions.retain(|id| *id != session_id);
        if !here.sessions.is_empty() {
            return;
        }
        state.users.remove(&uid);
        state.version += 1;
        self.send_delta(&state, Vec::new(), vec![uid]);
    }

    /// Marks every user offline (shutdown, or the conn_serv is gone).
    pub fn clear(&self) {
        let mut state = self.lock();
        if state.users.is_empty() {
            return;
        }
        let offline: Vec<u64> = state.users.drain().map(|(uid, _)| uid).collect();
        state.version += 1;
        self.send_delta(&state, Vec::new(), offline);
    }

    pub fn beat(&self) {
        let state = self.lock();
        let beat = PresenceBeat {
            logic_id: self.logic_id,
            epoch: self.epoch,
            version: state.version,
            n_users: state.users.len() as u32,
        };
        // Beats repeat; a lost one is replaced by the next.
        self.send_all(Msg::PresenceBeat(beat));
    }

    /// Sends the whole map to the online_serv or chat_serv that asked.
    pub fn send_snapshot(&self, follower_type: ProcType, follower_id: u32) {
        let state = self.lock();
        let snapshot = PresenceSnapshot {
            logic_id: self.logic_id,
            epoch: self.epoch,
            version: state.version,
            entries: state.users.values().map(|here| here.entry).collect(),
        };
        let target = Target::spec(follower_type, follower_id).keyed(u64::from(self.logic_id));
        let _ = self
            .fabric
            .channel()
            .push(target, Msg::PresenceSnapshot(snapshot));
    }

    pub fn n_users(&self) -> usize {
        self.lock().users.len()
    }

    /// Sent while the lock is held so that versions leave in order.
    fn send_delta(&self, state: &State, online: Vec<PresenceEntry>, offline: Vec<u64>) {
        let delta = PresenceDelta {
            logic_id: self.logic_id,
            epoch: self.epoch,
            version: state.version,
            online,
            offline,
        };
        // A lost delta shows as a gap at the next one or the next beat, and
        // the follower then asks for a snapshot.
        self.send_all(Msg::PresenceDelta(delta));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}
