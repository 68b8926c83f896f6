//! This logic_serv's side of presence: its users, a change counter, and the
//! packets that keep every online_serv and every chat_serv (which locates
//! recipients for fan-out itself) in step (see
//! `schat_runtime::presence_map` for the receiving side).

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;
use schat_proto::server::{
    server_msg::Msg, PresenceBeat, PresenceDelta, PresenceEntry, PresenceSnapshot, ProcType,
};
use schat_runtime::{Fabric, Target};

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
    users: HashMap<u64, PresenceEntry>,
}

impl Presence {
    pub fn new(logic_id: u32, fabric: Fabric) -> Presence {
        Presence {
            logic_id,
            epoch: rand::rng().next_u64(),
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

    pub fn online(&self, entry: PresenceEntry) {
        let mut state = self.lock();
        state.users.insert(entry.uid, entry);
        state.version += 1;
        self.send_delta(&state, vec![entry], Vec::new());
    }

    /// Marks the user offline if `session_id` is still its session here.
    pub fn offline(&self, uid: u64, session_id: u64) {
        let mut state = self.lock();
        if state.users.get(&uid).map(|entry| entry.session_id) != Some(session_id) {
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
            entries: state.users.values().copied().collect(),
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
