//! The liveness table: which processes are connected to this disp, and how
//! each routing method picks among them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;

use dashmap::DashMap;
use schat_proto::server::{Peer, ProcType};
use schat_runtime::link::LinkSender;
use schat_runtime::Shutdown;

/// One connected process.
#[derive(Clone, Debug)]
pub struct Entry {
    pub proc_type: ProcType,
    pub link: LinkSender,
    /// Closes this process's link (when a reconnect replaces it).
    pub close: Shutdown,
}

#[derive(Debug, Default)]
pub struct Table {
    peers: DashMap<u32, Entry>,
    /// Live ids per type, sorted; rebuilt on every change (changes are rare,
    /// lookups are per packet).
    by_type: RwLock<HashMap<ProcType, Vec<u32>>>,
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

    pub fn get(&self, proc_id: u32) -> Option<LinkSender> {
        self.peers.get(&proc_id).map(|entry| entry.link.clone())
    }

    /// The live process that `hash_key` maps to: rendezvous hashing, so when a
    /// process dies only its keys move, and they move back when it returns.
    pub fn pick_hash(&self, proc_type: ProcType, hash_key: u64) -> Option<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        by_type
            .get(&proc_type)?
            .iter()
            .copied()
            .max_by_key(|&proc_id| rendezvous_score(hash_key, proc_id))
    }

    /// Any live process of the type, round-robin.
    pub fn pick_any(&self, proc_type: ProcType) -> Option<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        let ids = by_type.get(&proc_type)?;
        let index = self.next.fetch_add(1, Ordering::Relaxed) % ids.len();
        ids.get(index).copied()
    }

    /// Every live process of the type.
    pub fn all(&self, proc_type: ProcType) -> Vec<u32> {
        let by_type = self
            .by_type
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        by_type.get(&proc_type).cloned().unwrap_or_default()
    }

    /// The whole table, as sent to every process.
    pub fn snapshot(&self) -> Vec<Peer> {
        let mut peers: Vec<Peer> = self
            .peers
            .iter()
            .map(|entry| Peer {
                proc_id: *entry.key(),
                proc_type: entry.proc_type as i32,
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
        let mut by_type: HashMap<ProcType, Vec<u32>> = HashMap::new();
        for entry in self.peers.iter() {
            by_type
                .entry(entry.proc_type)
                .or_default()
                .push(*entry.key());
        }
        for ids in by_type.values_mut() {
            ids.sort_unstable();
        }
        *guard = by_type;
    }
}

/// A well-mixed 64-bit score of (key, process); splitmix64's finaliser.
pub fn rendezvous_score(hash_key: u64, proc_id: u32) -> u64 {
    let mut z = hash_key ^ (u64::from(proc_id).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::rendezvous_score;

    fn owner(key: u64, live: &[u32]) -> u32 {
        *live
            .iter()
            .max_by_key(|&&id| rendezvous_score(key, id))
            .unwrap()
    }

    #[test]
    fn removing_a_process_moves_only_its_keys() {
        let all = [1, 2, 3, 4];
        let without_3 = [1, 2, 4];
        let mut moved = 0;
        for key in 0..10_000u64 {
            let before = owner(key, &all);
            let after = owner(key, &without_3);
            if before != 3 {
                assert_eq!(before, after, "key {key} moved although its owner lived");
            } else {
                moved += 1;
            }
        }
        // Roughly a quarter of the keys belonged to process 3.
        assert!((2_000..3_000).contains(&moved), "moved {moved}");
    }

    #[test]
    fn keys_spread_evenly() {
        let live = [11, 12, 13];
        let mut counts = [0u32; 3];
        for key in 0..30_000u64 {
            let index = live.iter().position(|&id| id == owner(key, &live)).unwrap();
            counts[index] += 1;
        }
        for count in counts {
            assert!((9_000..11_000).contains(&count), "{counts:?}");
        }
    }
}
