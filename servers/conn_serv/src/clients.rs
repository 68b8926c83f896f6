//! The registry of this conn_serv's client connections, and the send-queue
//! policy: a client whose queue is full is too slow and is disconnected with
//! a reason — nothing is dropped silently (what it missed stays pullable).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use dashmap::DashMap;
use schat_proto::client::{ResultCode, ServerMessage};
use schat_proto::Wire;
use schat_runtime::http::client_address;
use schat_runtime::link::{LinkSender, SendError};
use schat_runtime::stats::{Counter, Gauge, Stats};
use schat_runtime::Shutdown;

use crate::metrics::ConnMetrics;

#[derive(Debug)]
pub struct Clients {
    by_id: DashMap<u64, ClientHandle>,
    next_id: AtomicU64,
    /// Open connections per client address (IPv6 by /64).
    per_address: Mutex<HashMap<IpAddr, u32>>,
    pub metrics: ConnMetrics,
    /// Frames refused by a full client queue.
    queue_drops: Counter,
    /// Frames queued to every client, kept by the links themselves.
    pub queue_depth: Gauge,
}

impl Clients {
    /// An empty registry whose counts go to `stats`.
    pub fn new(stats: &Stats) -> Arc<Clients> {
        let (queue_depth, queue_drops) = stats.counted_queue("client");
        Arc::new(Clients {
            by_id: DashMap::new(),
            // Ids start at a random point, so a logic_serv that still
            // holds sessions of this conn_serv's previous run cannot
            // mistake a new client for an old one.
            next_id: AtomicU64::new(rand::random::<u64>() >> 16 | 1),
            per_address: Mutex::default(),
            metrics: ConnMetrics::register(stats),
            queue_drops,
            queue_depth,
        })
    }
}

/// One client connection: its writer and the signal that closes it.
#[derive(Clone, Debug)]
pub struct ClientHandle {
    pub link: LinkSender,
    pub close: Shutdown,
    /// Whether logic said a user logged in on it (ever: after a logout,
    /// logic keeps the login deadline).
    pub logged_in: bool,
}

/// One connection's share of its address's allowance, given back on drop.
#[derive(Debug)]
pub struct AddressSlot<'a> {
    clients: &'a Clients,
    address: IpAddr,
}

impl Drop for AddressSlot<'_> {
    fn drop(&mut self) {
        let mut open = self.clients.per_address();
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

impl Clients {
    pub fn insert(&self, handle: ClientHandle) -> u64 {
        let conn_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.by_id.insert(conn_id, handle);
        self.metrics.accepted.inc();
        self.metrics.clients.inc();
        conn_id
    }

    /// Takes one of `ip`'s connection slots, unless it holds `cap` (0: no
    /// cap) already.
    pub fn take_address_slot(&self, ip: IpAddr, cap: usize) -> Option<AddressSlot<'_>> {
        let address = client_address(ip);
        let mut open = self.per_address();
        let count = open.entry(address).or_insert(0);
        if cap != 0 && *count as usize >= cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            clients: self,
            address,
        })
    }

    fn per_address(&self) -> MutexGuard<'_, HashMap<IpAddr, u32>> {
        self.per_address
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Records that logic said a user logged in on `conn_id`.
    pub fn logged_in(&self, conn_id: u64) {
        if let Some(mut client) = self.by_id.get_mut(&conn_id) {
            client.logged_in = true;
        }
    }

    pub fn is_logged_in(&self, conn_id: u64) -> bool {
        self.by_id
            .get(&conn_id)
            .is_some_and(|client| client.logged_in)
    }

    /// Connections held now.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn remove(&self, conn_id: u64) {
        if self.by_id.remove(&conn_id).is_some() {
            self.metrics.clients.dec();
        }
    }

    /// Every connection's id.
    pub fn ids(&self) -> Vec<u64> {
        self.by_id.iter().map(|client| *client.key()).collect()
    }

    /// Queues `frame` to a client; a refusal by a full queue is counted
    /// as a drop, what is taken is counted by the caller.
    fn queue(&self, link: &LinkSender, frame: Bytes) -> Result<(), SendError> {
        let sent = link.send(frame);
        if sent == Err(SendError::Full) {
            self.queue_drops.inc();
        }
        sent
    }

    /// Counts `n_frames` frames of `n_bytes` in all queued to clients.
    fn count_out(&self, n_frames: u64, n_bytes: u64) {
        if n_frames > 0 {
            self.metrics.frames_out.add(n_frames);
            self.metrics.bytes_out.add(n_bytes);
        }
    }

    /// Queues a final frame (given way to by a full queue), counting it.
    fn queue_final(&self, link: &LinkSender, frame: Bytes) -> bool {
        let n_bytes = frame.len() as u64;
        let queued = link.send_final(frame);
        if queued {
            self.count_out(1, n_bytes);
        }
        queued
    }

    /// Queues a frame for one client. A client whose queue is full (in
    /// frames or bytes) is too slow: what it has queued is dropped, it gets
    /// one `closing {TOO_SLOW}` notice, and it is closed.
    pub fn send(&self, conn_id: u64, frame: Bytes) {
        let n_bytes = frame.len() as u64;
        if self.send_uncounted(conn_id, frame) {
            self.count_out(1, n_bytes);
        }
    }

    /// Queues one push for many clients (a fan-out): as `send` for each,
    /// with the counters touched once for all of them.
    pub fn send_to_each(&self, conn_ids: &[u64], frame: &Bytes) {
        let taken = conn_ids
            .iter()
            .filter(|conn_id| self.send_uncounted(**conn_id, frame.clone()))
            .count() as u64;
        self.count_out(taken, taken * frame.len() as u64);
    }

    /// `send` without counting what is taken; whether it was.
    fn send_uncounted(&self, conn_id: u64, frame: Bytes) -> bool {
        let Some(client) = self.by_id.get(&conn_id).map(|client| client.clone()) else {
            return false;
        };
        match self.queue(&client.link, frame) {
            Ok(()) => return true,
            Err(SendError::Closed) => return false,
            Err(SendError::Full) => {}
        }
        let notice = ServerMessage::closing(ResultCode::TooSlow, "send queue full: read faster");
        if self.queue_final(&client.link, notice.encode_frame()) {
            self.metrics.slow_clients.inc();
            client.close.trigger();
        }
        false
    }

    /// Writes `final_frame` (if not empty), then closes the client.
    pub fn close(&self, conn_id: u64, final_frame: Bytes) {
        let Some(client) = self.by_id.get(&conn_id).map(|client| client.clone()) else {
            return;
        };
        // A queue too full for the notice gives way to it: the notice is
        // what the client most needs to read.
        if !final_frame.is_empty() {
            let n_bytes = final_frame.len() as u64;
            match self.queue(&client.link, final_frame.clone()) {
                Ok(()) => self.count_out(1, n_bytes),
                Err(SendError::Full) => {
                    self.queue_final(&client.link, final_frame);
                }
                Err(SendError::Closed) => {}
            }
        }
        client.close.trigger();
    }

    /// Closes every client with the same notice; returns how many.
    pub fn close_all(&self, code: ResultCode, reason: &str) -> usize {
        let notice = ServerMessage::closing(code, reason).encode_frame();
        let ids = self.ids();
        for conn_id in &ids {
            self.close(*conn_id, notice.clone());
        }
        ids.len()
    }
}
