//! The fabric: this process's links to every disp_serv.
//!
//! Every non-paired process keeps one link to each disp (see `dial`), learns
//! from each disp which processes are live, and sends each packet through
//! one live disp: picked by the packet's hash key when it has one (so one
//! conversation keeps its order through one disp), round-robin otherwise.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use schat_proto::server::{disp_control, Hello, Peer, ProcType, Route};
use tokio::sync::mpsc;

use crate::control::decode_control;
use crate::dial::{keep_linked, DialSpec};
use crate::node::Node;
use crate::rpc::{CallError, Channel, Incoming, Transport};
use crate::slot::LinkSlot;

/// Handle to this process's links to the disps.
#[derive(Clone, Debug)]
pub struct Fabric {
    channel: Channel,
    state: Arc<FabricState>,
}

#[derive(Debug)]
struct FabricState {
    disps: Vec<DispLink>,
    next: AtomicUsize,
}

#[derive(Debug)]
struct DispLink {
    slot: Arc<LinkSlot>,
    /// The live processes this disp last told us about.
    peers: Mutex<Vec<Peer>>,
}

impl Fabric {
    /// Starts one link task per disp_serv in the config. Requests and pushes
    /// that arrive go to `inbox`.
    pub fn start(node: &Node, inbox: mpsc::Sender<Incoming>) -> Fabric {
        let (config, me) = (&node.config, &node.me);
        let disp_addrs = config.disp_addrs();
        let state = Arc::new(FabricState {
            disps: disp_addrs
                .iter()
                .map(|_| DispLink {
                    slot: Arc::new(LinkSlot::default()),
                    peers: Mutex::new(Vec::new()),
                })
                .collect(),
            next: AtomicUsize::new(0),
        });
        let channel = Channel::new(
            me.id,
            me.kind.proc_type(),
            FabricTransport(state.clone()),
            config.timing.request_timeout(),
        );
        let hello = Hello {
            proc_id: me.id,
            proc_type: me.kind.proc_type() as i32,
            name: me.name.clone(),
        };
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
            let table_state = state.clone();
            let down_state = state.clone();
            node.shutdown.spawn(keep_linked(
                spec,
                node.clone(),
                state.disps[index].slot.clone(),
                channel.clone(),
                inbox.clone(),
                move |body: Bytes| {
                    if let Some(disp_control::Msg::Peers(table)) = decode_control(body) {
                        table_state.disps[index].set_peers(table.peers);
                    }
                },
                move || down_state.disps[index].set_peers(Vec::new()),
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

    /// Ids of the live processes of `proc_type`, as seen by any live disp.
    pub fn live_peers(&self, proc_type: ProcType) -> BTreeSet<u32> {
        let mut live = BTreeSet::new();
        for disp in &self.state.disps {
            if !disp.slot.is_up() {
                continue;
            }
            let peers = disp
                .peers
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            live.extend(
                peers
                    .iter()
                    .filter(|peer| peer.proc_type() == proc_type)
                    .map(|peer| peer.proc_id),
            );
        }
        live
    }
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
    fn send_frame(&self, route: &Route, frame: Bytes) -> Result<(), CallError> {
        let disps = &self.0.disps;
        if disps.is_empty() {
            return Err(CallError::Unavailable(
                "no disp_serv configured".to_string(),
            ));
        }
        let start = if route.hash_key != 0 {
            (route.hash_key % disps.len() as u64) as usize
        } else {
            self.0.next.fetch_add(1, Ordering::Relaxed)
        };
        let mut last_err = None;
        for offset in 0..disps.len() {
            let disp = &disps[(start + offset) % disps.len()];
            let Some(link) = disp.slot.get() else {
                continue;
            };
            match link.send(frame.clone()) {
                Ok(()) => return Ok(()),
                Err(err) => last_err = Some(err),
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
}
