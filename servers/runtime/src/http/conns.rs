//! The open connections of one HTTP server, and who makes room when a cap
//! is reached.
//!
//! Every connection is in the table from accept to close, under its
//! client's address, with whether a request is in progress on it; one
//! with none (including one that has not sent a whole request yet) is
//! idle, since when is kept. A new connection that finds its address at
//! `max_per_address` closes that address's longest-idle connection; one
//! that finds the server at `max_connections` closes the longest-idle
//! connection of the address holding the most. A new connection is refused
//! only when there is nothing idle to close. So one address never holds
//! more than its cap, and a crowd of idle connections, from however many
//! addresses, cannot keep out a client that has something to ask.
//!
//! The table takes one lock per accept and one per close; requests
//! starting and ending touch only their own connection's atomics.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio::time::Instant;

/// The connection table of one server.
#[derive(Debug)]
pub(super) struct Conns {
    /// The caps, set again at each accept from the current config.
    max_connections: AtomicUsize,
    max_per_address: AtomicUsize,
    /// What idle times are counted from.
    epoch: Instant,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    total: usize,
    by_address: HashMap<IpAddr, HashMap<u64, Arc<ConnState>>>,
}

/// What a connection's task and the table share.
#[derive(Debug)]
pub(super) struct ConnState {
    epoch: Instant,
    /// Requests in progress: from their headers to the end of their answer.
    in_flight: AtomicU32,
    /// Requests started on this connection so far.
    started: AtomicU64,
    /// When the connection last became idle, in ms since `epoch`.
    idle_since_ms: AtomicU64,
    /// Told when the connection lost its place to a newcomer.
    evicted: Notify,
}

/// A connection's place in the table, given back when it is dropped.
#[derive(Debug)]
pub(super) struct Slot {
    conns: Arc<Conns>,
    address: IpAddr,
    id: u64,
    pub(super) state: Arc<ConnState>,
}

/// A request in progress on a connection; the connection is idle again
/// when the last one is dropped.
#[derive(Debug)]
pub(super) struct Busy(Arc<ConnState>);

impl Conns {
    pub(super) fn new(max_connections: usize, max_per_address: usize) -> Arc<Conns> {
        Arc::new(Conns {
            max_connections: AtomicUsize::new(max_connections),
            max_per_address: AtomicUsize::new(max_per_address),
            epoch: Instant::now(),
            table: Mutex::default(),
        })
    }

    /// Changes the caps (after a config reload); connections beyond a
    /// lowered cap stay until they end or are evicted for a newcomer.
    pub(super) fn set_caps(&self, max_connections: usize, max_per_address: usize) {
        self.max_connections
            .store(max_connections, Ordering::Relaxed);
        self.max_per_address
            .store(max_per_address, Ordering::Relaxed);
    }

    /// A place for a new connection from `ip`, made by evicting an idle
    /// connection when a cap is reached; `None` when nothing is idle.
    pub(super) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let address = client_address(ip);
        let mut table = self.lock();
        let held = table.by_address.get(&address).map_or(0, HashMap::len);
        if held >= self.max_per_address.load(Ordering::Relaxed) {
            let victim = longest_idle(table.by_address.get(&address)?)?;
            table.evict(address, victim);
        } else if table.total >= self.max_connections.load(Ordering::Relaxed) {
            let (victim_address, victim) = table.longest_idle_of_the_largest()?;
            table.evict(victim_address, victim);
        }
        let id = table.next_id;
        table.next_id += 1;
        table.total += 1;
        let state = Arc::new(ConnState {
            epoch: self.epoch,
            in_flight: AtomicU32::new(0),
            started: AtomicU64::new(0),
            idle_since_ms: AtomicU64::new(millis_since(self.epoch)),
            evicted: Notify::new(),
        });
        table
            .by_address
            .entry(address)
            .or_default()
            .insert(id, state.clone());
        Some(Slot {
            conns: self.clone(),
            address,
            id,
            state,
        })
    }

    /// Connections open now (tests and logs).
    pub(super) fn open(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Table {
    /// Takes a connection out of the table and tells it to close.
    fn evict(&mut self, address: IpAddr, id: u64) {
        if let Some(state) = self.remove(address, id) {
            state.evicted.notify_one();
        }
    }

    fn remove(&mut self, address: IpAddr, id: u64) -> Option<Arc<ConnState>> {
        let conns = self.by_address.get_mut(&address)?;
        let state = conns.remove(&id)?;
        if conns.is_empty() {
            self.by_address.remove(&address);
        }
        self.total -= 1;
        Some(state)
    }

    /// The longest-idle connection of the address holding the most
    /// connections that has an idle one.
    fn longest_idle_of_the_largest(&self) -> Option<(IpAddr, u64)> {
        let mut addresses: Vec<(&IpAddr, &HashMap<u64, Arc<ConnState>>)> =
            self.by_address.iter().collect();
        addresses.sort_unstable_by_key(|(_, conns)| std::cmp::Reverse(conns.len()));
        addresses
            .into_iter()
            .find_map(|(address, conns)| longest_idle(conns).map(|id| (*address, id)))
    }
}

fn longest_idle(conns: &HashMap<u64, Arc<ConnState>>) -> Option<u64> {
    conns
        .iter()
        .filter(|(_, state)| state.is_idle())
        .min_by_key(|(id, state)| (state.idle_since_ms.load(Ordering::Relaxed), **id))
        .map(|(id, _)| *id)
}

impl ConnState {
    /// Marks a request started; the connection is busy until the returned
    /// guard (and every other one) is dropped.
    pub(super) fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.started.fetch_add(1, Ordering::Relaxed);
        Busy(self.clone())
    }

    pub(super) fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    pub(super) fn requests_started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// Completes when the connection has lost its place.
    pub(super) async fn evicted(&self) {
        self.evicted.notified().await;
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0
            .idle_since_ms
            .store(millis_since(self.0.epoch), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.conns.lock().remove(self.address, self.id);
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What a client address is counted as: an IPv4 address, or an IPv6
/// address's /64 (one host usually holds a whole /64).
pub fn client_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn an_address_at_its_cap_makes_room_from_its_own_idle_connections() {
        let conns = Conns::new(100, 3);
        let busy_ip = ip("192.0.2.1");
        let mut held: Vec<Slot> = (0..3).map(|_| conns.admit(busy_ip).unwrap()).collect();
        let _working = held[1].state.begin();
        let other = conns.admit(ip("192.0.2.2")).unwrap();

        // The longest idle of the address's own connections goes.
        held.push(conns.admit(busy_ip).expect("room made"));
        assert!(evicted(&held[0]));
        assert!(!evicted(&held[1]) && !evicted(&held[2]) && !evicted(&other));
        assert_eq!(conns.open(), 4);

        // Then the next idle one, oldest first; never the one with a
        // request in progress.
        held.push(conns.admit(busy_ip).expect("room made"));
        assert!(evicted(&held[2]));
        held.push(conns.admit(busy_ip).expect("room made"));
        assert!(evicted(&held[3]));
        assert!(!evicted(&held[1]) && !evicted(&held[4]) && !evicted(&held[5]));
        assert_eq!(conns.open(), 4);
    }

    #[tokio::test]
    async fn a_full_server_makes_room_from_the_largest_address() {
        let conns = Conns::new(6, 4);
        let crowd: Vec<Slot> = (0..4)
            .map(|_| conns.admit(ip("192.0.2.1")).unwrap())
            .collect();
        let small: Vec<Slot> = (0..2)
            .map(|_| conns.admit(ip("192.0.2.2")).unwrap())
            .collect();
        let _newcomer = conns.admit(ip("198.51.100.7")).expect("room made");
        assert!(evicted(&crowd[0]));
        assert!(crowd[1..].iter().chain(&small).all(|slot| !evicted(slot)));
        assert_eq!(conns.open(), 6);
    }

    #[tokio::test]
    async fn nothing_idle_means_refused_and_a_closed_connection_gives_its_place_back() {
        let conns = Conns::new(2, 2);
        let first = conns.admit(ip("192.0.2.1")).unwrap();
        let second = conns.admit(ip("192.0.2.2")).unwrap();
        let busy = [first.state.begin(), second.state.begin()];
        assert!(conns.admit(ip("192.0.2.3")).is_none());
        drop(busy);
        let third = conns.admit(ip("192.0.2.3")).expect("idle again");
        assert!(evicted(&first) || evicted(&second));
        drop(third);
        assert_eq!(conns.open(), 1);
    }

    #[test]
    fn an_ipv6_host_counts_as_its_prefix() {
        assert_eq!(
            client_address(ip("2001:db8:1:2::7")),
            client_address(ip("2001:db8:1:2:ffff::1"))
        );
        assert_ne!(
            client_address(ip("2001:db8:1:2::7")),
            client_address(ip("2001:db8:1:3::7"))
        );
        assert_eq!(client_address(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    /// Whether the slot's connection was told to close.
    fn evicted(slot: &Slot) -> bool {
        let notified = slot.state.evicted.notified();
        tokio::pin!(notified);
        // A stored notification completes the future at its first poll.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let done = std::future::Future::poll(notified.as_mut(), &mut cx).is_ready();
        if done {
            // Put it back for later checks.
            slot.state.evicted.notify_one();
        }
        done
    }
}
