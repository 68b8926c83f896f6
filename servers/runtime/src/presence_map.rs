//! The presence map: which users are online at which logic_serv. online_serv
//! keeps one for everyone's lookups; each chat_serv keeps its own copy for
//! fan-out, fed by the same packets, so a message needs no lookup.
//!
//! Each logic_serv owns its part of the map and is the truth for it: it
//! sends numbered deltas, and periodic beats carrying its latest version and
//! user count. A delta that skips a version, a beat that disagrees with what
//! we hold, or a logic we have never heard of, makes us ask that logic for a
//! full snapshot. A logic silent for longer than the expiry loses all its
//! entries. So a restarted online_serv, or one that missed packets, converges
//! to the logics' truth within one beat.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use schat_proto::server::{PresenceBeat, PresenceDelta, PresenceEntry, PresenceSnapshot};
use tokio::time::Instant;

#[derive(Debug, Default)]
pub struct PresenceMap {
    logics: HashMap<u32, LogicUsers>,
}

#[derive(Debug)]
struct LogicUsers {
    epoch: u64,
    version: u64,
    last_heard: Instant,
    /// When we last asked this logic for a snapshot, to ask at most once per
    /// beat interval.
    asked_at: Option<Instant>,
    users: HashMap<u64, PresenceEntry>,
}

/// What the caller must do after feeding a packet in.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Applied,
    /// Ignore: an old packet overtaken by newer state.
    Stale,
    /// Ask this logic for a snapshot.
    NeedSnapshot(u32),
}

impl PresenceMap {
    pub fn apply_delta(&mut self, delta: PresenceDelta, now: Instant) -> Verdict {
        let Some(logic) = self.logics.get_mut(&delta.logic_id) else {
            return self.unknown(delta.logic_id, now);
        };
        logic.last_heard = now;
        if logic.epoch != delta.epoch || delta.version > logic.version + 1 {
            return logic.ask(delta.logic_id, now);
        }
        if delta.version <= logic.version {
            return Verdict::Stale;
        }
        for entry in delta.online {
            logic.users.insert(entry.uid, entry);
        }
        for uid in delta.offline {
            logic.users.remove(&uid);
        }
        logic.version = delta.version;
        Verdict::Applied
    }

    pub fn apply_beat(&mut self, beat: &PresenceBeat, now: Instant) -> Verdict {
        let Some(logic) = self.logics.get_mut(&beat.logic_id) else {
            return self.unknown(beat.logic_id, now);
        };
        logic.last_heard = now;
        let agrees = logic.epoch == beat.epoch
            && logic.version == beat.version
            && logic.users.len() == beat.n_users as usize;
        if agrees {
            // Whatever was asked for is no longer needed.
            logic.asked_at = None;
            Verdict::Applied
        } else {
            logic.ask(beat.logic_id, now)
        }
    }

    pub fn apply_snapshot(&mut self, snapshot: PresenceSnapshot, now: Instant) -> Verdict {
        if let Some(logic) = self.logics.get_mut(&snapshot.logic_id) {
            if logic.epoch == snapshot.epoch && logic.version > snapshot.version {
                // We hold newer state than the snapshot we asked for.
                logic.asked_at = None;
                return Verdict::Stale;
            }
        }
        let users = snapshot
            .entries
            .into_iter()
            .map(|entry| (entry.uid, entry))
            .collect();
        self.logics.insert(
            snapshot.logic_id,
            LogicUsers {
                epoch: snapshot.epoch,
                version: snapshot.version,
                last_heard: now,
                asked_at: None,
                users,
            },
        );
        Verdict::Applied
    }

    /// Drops every logic silent for longer than `expiry`; returns their ids
    /// and how many users each had.
    pub fn expire(&mut self, expiry: Duration, now: Instant) -> Vec<(u32, usize)> {
        let mut expired = Vec::new();
        self.logics.retain(|&logic_id, logic| {
            let alive = now.duration_since(logic.last_heard) < expiry;
            if !alive {
                expired.push((logic_id, logic.users.len()));
            }
            alive
        });
        expired
    }

    /// Where each of `uids` is online (a user may briefly show at two logics
    /// while a second login replaces the first).
    pub fn locate(&self, uids: &[u64]) -> Vec<PresenceEntry> {
        let mut found = Vec::new();
        for logic in self.logics.values() {
            found.extend(uids.iter().filter_map(|uid| logic.users.get(uid).copied()));
        }
        found
    }

    /// Whether the map holds a confirmed, fresh state for every one of
    /// `logic_ids`: a snapshot's worth (a follower that just started has
    /// none until the logics' beats bring snapshots), no snapshot pending,
    /// and a packet heard within `fresh` (a follower whose packets stopped
    /// arriving must not trust what it holds). False for no logics at all.
    pub fn covers(&self, logic_ids: &BTreeSet<u32>, now: Instant, fresh: Duration) -> bool {
        !logic_ids.is_empty()
            && logic_ids.iter().all(|logic_id| {
                self.logics.get(logic_id).is_some_and(|logic| {
                    logic.asked_at.is_none()
                        && logic.epoch != 0
                        && now.duration_since(logic.last_heard) < fresh
                })
            })
    }

    pub fn n_users(&self) -> usize {
        self.logics.values().map(|logic| logic.users.len()).sum()
    }

    /// A logic we hold nothing for: remember when we asked, so repeated
    /// beats before its snapshot arrives do not ask again and again.
    fn unknown(&mut self, logic_id: u32, now: Instant) -> Verdict {
        let logic = self.logics.entry(logic_id).or_insert(LogicUsers {
            epoch: 0,
            version: 0,
            last_heard: now,
            asked_at: None,
            users: HashMap::new(),
        });
        logic.ask(logic_id, now)
    }
}

/// Re-ask for a snapshot only after this long without one.
const ASK_AGAIN_AFTER: Duration = Duration::from_millis(500);

impl LogicUsers {
    fn ask(&mut self, logic_id: u32, now: Instant) -> Verdict {
        match self.asked_at {
            Some(at) if now.duration_since(at) < ASK_AGAIN_AFTER => Verdict::Stale,
            _ => {
                self.asked_at = Some(now);
                Verdict::NeedSnapshot(logic_id)
            }
        }
    }
}

#[cfg(test)]
mod tests;
