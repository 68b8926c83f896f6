//! The liveness table: which processes are connected to this disp, and how
//! each routing method picks among them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;

use dashmap::DashMap;
use schat_proto::server::{Peer, ProcType};
use schat_runtime::link::LinkSender;
use schat_runtime::rendezvous;
use schat_runtime::Shutdown;

/// One connected process.
#[derive(Clone, Debug)]
pub struct Entry {
    pub proc_type: ProcType,
    pub link: LinkSender,
    /// Closes this process's link (when a reconnect replaces it).
    pub close: Shutdown,
    /// Alive but unable to serve (its heartbeats say so): reached by SPEC
    /// and ALL, left out of HASH and RAND picks.
    pub degraded: bool,
    /// From its hello: which run of the process this is.
    pub incarnation: u64,
}

#[derive(Debug, Default)]
pub struct Table {
    peers: DashMap<u32, Entry>,
    /// Live ids per type, sorted; rebuilt on every change (changes are rare,
    /// lookups are per packet).
    by_type: RwLock<ByType>,
    next: AtomicUsize,
}

impl Table {
    /// Adds a process, returning the entry it replaces (an older link of the
    /// same process that has not been noticed dead yet).
    pub fn insert(&self, proc_id: u32, entry: Entry) -> Option<Entry> {
        let previous = self.peers.insert(proc_id, entry);
        self.rebuild();
        previous
    }

    /// Removes a process if `link` is still its current link.
    pub fn remove_if(&self, proc_id: u32, link: &LinkSender) -> bool {
        let removed = self
            .peers
            .remove_if(&proc_id, |_, entry| entry.link.same_link(link))
            .is_some();
        if removed {
            self.rebuild();
        }
        removed
    }

    /// Records whether a process is degraded; true if that changed.
    pub fn set_degraded(&self, proc_id: u32, link: &LinkSender, degraded: bool) -> bool {
        let changed = match self.peers.get_mut(&proc_id) {
            Some(mut entry) if entry.link.same_link(link) && entry.degraded != degraded => {
                entry.degraded = degraded;
                true
            }
            _ => false,
        };
        if changed {
            self.rebuild();
        }
        changed
    }

    pub fn get(&self, proc_id: u32) -> Option<LinkSender> {
        self.peers.get(&proc_id).map(|entry| entry.link.clone())
    }

    /// The serving process that `hash_key` maps to: rendezvous hashing, so
    /// when a process dies (or degrades) only its keys move, and they move
    /// back when it returns.
    pub fn pick_hash(&self, proc_type: ProcType, hash_key: u64) -> Option<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        rendezvous::owner(hash_key, by_type.serving.get(&proc_type)?.iter().copied())
    }

    /// Any serving process of the type, round-robin.
    pub fn pick_any(&self, proc_type: ProcType) -> Option<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        let ids = by_type
            .serving
            .get(&proc_type)
            .filter(|ids| !ids.is_empty())?;
        let index = self.next.fetch_add(1, Ordering::Relaxed) % ids.len();
        ids.get(index).copied()
    }

    /// Every live process of the type, degraded or not.
    pub fn all(&self, proc_type: ProcType) -> Vec<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        by_type.live.get(&proc_type).cloned().unwrap_or_default()
    }

    /// The whole table, as sent to every process.
    pub fn snapshot(&self) -> Vec<Peer> {
        let mut peers: Vec<Peer> = self
            .peers
            .iter()
            .map(|entry| Peer {
                proc_id: *entry.key(),
                proc_type: entry.proc_type as i32,
                degraded: entry.degraded,
                incarnation: entry.incarnation,
            })
            .collect();
        peers.sort_by_key(|peer| peer.proc_id);
        peers
    }

    pub fn links(&self) -> Vec<LinkSender> {
        self.peers.iter().map(|entry| entry.link.clone()).collect()
    }

    pub fn n_peers(&self) -> usize {
        self.peers.len()
    }

    /// Rebuilt under the write lock, so concurrent changes cannot leave an
    /// older view in place.
    fn rebuild(&self) {
        let mut guard = self
            .by_type
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut by_type = ByType::default();
        for entry in self.peers.iter() {
            by_type
                .live
                .entry(entry.proc_type)
                .or_default()
                .push(*entry.key());
            if !entry.degraded {
                by_type
                    .serving
                    .entry(entry.proc_type)
                    .or_default()
                    .push(*entry.key());
            }
        }
        for ids in by_type
            .live
            .values_mut()
            .chain(by_type.serving.values_mut())
        {
            ids.sort_unstable();
        }
        *guard = by_type;
    }
}

/// Live process ids by type: all of them, and the ones not degraded.
#[derive(Debug, Default)]
struct ByType {
    live: HashMap<ProcType, Vec<u32>>,
    serving: HashMap<ProcType, Vec<u32>>,
}
