//! The fabric: this process's links to every disp_serv.
//!
//! Every non-paired process keeps one link to each disp (see `dial`), learns
//! from each disp which processes are live, and sends each packet through
//! one live disp: picked by the packet's hash key when it has one (so one
//! conversation keeps its order through one disp), round-robin otherwise.
//! A packet SPEC-addressed to a disp itself (manage_serv's admin requests)
//! goes on that disp's own link only.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use schat_proto::server::{disp_control, Method, Peer, ProcType, Route};
use tokio::sync::mpsc;

use crate::control::{decode_control, hello_of};
use crate::dial::{keep_linked, DialSpec, LinkEvents};
use crate::node::Node;
use crate::rendezvous;
use crate::rpc::{CallError, Channel, Incoming, Target, Transport};
use crate::slot::LinkSlot;
use crate::stats::Counter;

/// Handle to this process's links to the disps.
#[derive(Clone, Debug)]
pub struct Fabric {
    channel: Channel,
    state: Arc<FabricState>,
}

#[derive(Debug)]
struct FabricState {
    disps: Vec<DispLink>,
    /// Frames refused because a disp link's queue was full.
    drops: Counter,
    next: AtomicUsize,
    /// The processes listed by the live disps at the last table change.
    last: Mutex<Snapshot>,
    /// Round-robin position for RAND calls picked here.
    next_pick: AtomicUsize,
}

#[derive(Debug)]
struct DispLink {
    /// The disp's proc id.
    id: u32,
    slot: Arc<LinkSlot>,
    /// The live processes this disp last told us about.
    peers: Mutex<Vec<Peer>>,
}

impl Fabric {
    /// Starts one link task per disp_serv in the config. Requests and pushes
    /// that arrive go to `inbox`.
    pub fn start(node: &Node, inbox: mpsc::Sender<Incoming>) -> Fabric {
        // The disps are fixed at start: a new disp_serv needs a restart.
        let (config, me) = (node.config.current(), &node.me);
        let disp_addrs = config.disp_addrs();
        let disps: Vec<DispLink> = disp_addrs
            .iter()
            .map(|(disp_id, _)| DispLink {
                id: *disp_id,
                slot: Arc::new(LinkSlot::default()),
                peers: Mutex::new(Vec::new()),
            })
            .collect();
        let slots: Vec<Arc<LinkSlot>> = disps.iter().map(|disp| disp.slot.clone()).collect();
        let drops = node.stats.queue("peer", move || {
            slots
                .iter()
                .filter_map(|slot| slot.get())
                .map(|link| link.queued())
                .sum()
        });
        let state = Arc::new(FabricState {
            disps,
            drops,
            next: AtomicUsize::new(0),
            last: Mutex::default(),
            next_pick: AtomicUsize::new(0),
        });
        let channel = Channel::new(
            me.id,
            me.kind.proc_type(),
            FabricTransport(state.clone()),
            node.config.clone(),
        );
        let hello = hello_of(node);
        for (index, (disp_id, addr)) in disp_addrs.into_iter().enumerate() {
            let peer_name = config
                .proc_by_id(disp_id)
                .map(|proc| proc.name.clone())
                .unwrap_or_default();
            let spec = DialSpec {
                addr,
                peer_name,
                hello: hello.clone(),
                replies_on_link: false,
            };
            let (table_state, table_channel) = (state.clone(), channel.clone());
            let (down_state, down_channel) = (state.clone(), channel.clone());
            let down_name = spec.peer_name.clone();
            node.shutdown.spawn(keep_linked(
                spec,
                node.clone(),
                state.disps[index].slot.clone(),
                channel.clone(),
                inbox.clone(),
                LinkEvents {
                    on_control: move |body: Bytes| {
                        if let Some(disp_control::Msg::Peers(table)) = decode_control(body) {
                            table_state.disps[index].set_peers(table.peers);
                            table_state.fail_calls_to_gone(&table_channel);
                        }
                    },
                    on_up: || {},
                    on_down: move || {
                        down_state.disps[index].set_peers(Vec::new());
                        // What that disp held is lost; answers to what
                        // others carry may still come.
                        down_channel.fail_via(index, &format!("{down_name} went down"));
                        down_state.fail_calls_to_gone(&down_channel);
                    },
                },
            ));
        }
        Fabric { channel, state }
    }

    /// The channel that sends through the disps.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// How many disps are reachable right now.
    pub fn live_disps(&self) -> usize {
        self.state
            .disps
            .iter()
            .filter(|disp| disp.slot.is_up())
            .count()
    }

    /// Ids of the live processes of `proc_type`, as seen by any live disp
    /// (degraded ones included: they still take SPEC and ALL packets).
    pub fn live_peers(&self, proc_type: ProcType) -> BTreeSet<u32> {
        self.state.peers_where(|peer| peer.proc_type() == proc_type)
    }

    /// `<id>:<incarnation>` of every live process of `proc_type` (a process
    /// just restarted may show under both its incarnations while the disps'
    /// tables catch up). Records a process leaves in storage name it so.
    pub fn live_incarnations(&self, proc_type: ProcType) -> Vec<String> {
        let mut live = BTreeSet::new();
        self.state.visit_live(|peer| {
            if peer.proc_type() == proc_type {
                live.insert((peer.proc_id, peer.incarnation));
            }
        });
        live.into_iter()
            .map(|(id, incarnation)| format!("{id}:{incarnation}"))
            .collect()
    }

    /// Ids of the processes of `proc_type` that are live and not degraded
    /// by any live disp's account: the ones HASH and RAND pick among.
    pub fn serving_peers(&self, proc_type: ProcType) -> BTreeSet<u32> {
        self.state.serving_peers(proc_type)
    }
}

impl FabricState {
    /// The index of the disp a packet is SPEC-addressed to, if it is.
    fn disp_addressed(&self, route: &Route) -> Option<usize> {
        if route.target_type() != ProcType::Disp || route.method() != Method::Spec {
            return None;
        }
        self.disps
            .iter()
            .position(|disp| disp.id == route.target_id)
    }

    /// Calls `visit` with every process a live disp lists.
    fn visit_live(&self, mut visit: impl FnMut(&Peer)) {
        for disp in &self.disps {
            if !disp.slot.is_up() {
                continue;
            }
            let peers = disp
                .peers
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            peers.iter().for_each(&mut visit);
        }
    }

    fn peers_where(&self, keep: impl Fn(&Peer) -> bool) -> BTreeSet<u32> {
        let mut ids = BTreeSet::new();
        self.visit_live(|peer| {
            if keep(peer) {
                ids.insert(peer.proc_id);
            }
        });
        ids
    }

    fn serving_peers(&self, proc_type: ProcType) -> BTreeSet<u32> {
        self.peers_where(|peer| peer.proc_type() == proc_type && !peer.degraded)
    }

    /// Fails the calls waiting on a process that no live disp lists any
    /// more (it was listed before): their answers cannot come.
    ///
    /// A HASH call went to the process the disps' table picked when it was
    /// sent: the table before this change tells which (the same
    /// rendezvous hash disp uses).
    fn fail_calls_to_gone(&self, channel: &Channel) {
        let now = self.snapshot();
        let before = std::mem::replace(
            &mut *self
                .last
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
            now.clone(),
        );
        let gone: BTreeSet<u32> = before.live.difference(&now.live).copied().collect();
        if gone.is_empty() {
            return;
        }
        channel.fail_gone(
            |target| {
                let went_to = match target.method {
                    Method::Spec => target.proc_id,
                    Method::Hash => before
                        .serving
                        .get(&(target.proc_type as i32))
                        .and_then(|ids| rendezvous::owner(target.hash_key, ids.iter().copied()))
                        .unwrap_or(0),
                    Method::Rand | Method::All => 0,
                };
                gone.contains(&went_to)
            },
            "the process handling the request went down",
        );
    }

    /// Every live process, and the serving ones by type, in one walk.
    fn snapshot(&self) -> Snapshot {
        let mut now = Snapshot::default();
        self.visit_live(|peer| {
            now.live.insert(peer.proc_id);
            if !peer.degraded {
                now.serving
                    .entry(peer.proc_type)
                    .or_default()
                    .insert(peer.proc_id);
            }
        });
        now
    }
}

/// The live and serving processes at one table change.
#[derive(Clone, Debug, Default)]
struct Snapshot {
    live: BTreeSet<u32>,
    /// Serving ids by process type.
    serving: HashMap<i32, BTreeSet<u32>>,
}

impl DispLink {
    fn set_peers(&self, peers: Vec<Peer>) {
        *self
            .peers
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = peers;
    }
}

#[derive(Debug)]
struct FabricTransport(Arc<FabricState>);

impl Transport for FabricTransport {
    /// By hash key when there is one (so one conversation keeps its order
    /// through one disp), round-robin otherwise.
    fn first_way(&self, route: &Route) -> usize {
        let n_disps = self.0.disps.len().max(1);
        if let Some(index) = self.0.disp_addressed(route) {
            index
        } else if route.hash_key != 0 {
            (route.hash_key % n_disps as u64) as usize
        } else {
            self.0.next.fetch_add(1, Ordering::Relaxed) % n_disps
        }
    }

    fn send_frame(&self, route: &Route, frame: Bytes, start: usize) -> Result<usize, CallError> {
        let disps = &self.0.disps;
        if disps.is_empty() {
            return Err(CallError::Unavailable(
                "no disp_serv configured".to_string(),
            ));
        }
        // A packet for a disp itself has one way only.
        let ways = if self.0.disp_addressed(route).is_some() {
            1
        } else {
            disps.len()
        };
        let mut last_err = None;
        for offset in 0..ways {
            let index = (start + offset) % disps.len();
            let Some(link) = disps[index].slot.get() else {
                continue;
            };
            match link.send(frame.clone()) {
                Ok(()) => return Ok(index),
                Err(err) => {
                    if err == crate::link::SendError::Full {
                        self.0.drops.inc();
                    }
                    last_err = Some(err);
                }
            }
        }
        Err(match last_err {
            Some(err) => err.into(),
            None => CallError::Unavailable("no disp_serv is reachable".to_string()),
        })
    }

    fn is_up(&self) -> bool {
        self.0.disps.iter().any(|disp| disp.slot.is_up())
    }

    /// RAND becomes SPEC of a serving process picked here in turn, so the
    /// call knows which process it waits on (none serving: left to disp,
    /// which answers UNAVAILABLE).
    fn resolve(&self, target: Target) -> Target {
        if target.method != Method::Rand {
            return target;
        }
        let serving = self.0.serving_peers(target.proc_type);
        if serving.is_empty() {
            return target;
        }
        let pick = self.0.next_pick.fetch_add(1, Ordering::Relaxed) % serving.len();
        match serving.into_iter().nth(pick) {
            Some(proc_id) => Target::spec(target.proc_type, proc_id).keyed(target.hash_key),
            None => target,
        }
    }
}
