//! Direct links between the paired processes of a set (conn ↔ logic ↔
//! db_logic). The upstream side listens and accepts only its partner; the
//! downstream side dials it and keeps the link up.

use std::sync::Arc;
use std::time::Duration;

use schat_proto::server::{disp_control, Hello};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::config::{ClusterConfig, ProcConfig};
use crate::control::{decode_control, heartbeat_frame, read_hello};
use crate::dial::{keep_linked, DialSpec};
use crate::link;
use crate::logging::{info, o, warn};
use crate::node::Node;
use crate::pump::{pump, LinkEnd};
use crate::rpc::{Channel, Incoming};
use crate::slot::{LinkSlot, SlotTransport};

/// How long an accepted peer has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

fn hello_of(me: &ProcConfig) -> Hello {
    Hello {
        proc_id: me.id,
        proc_type: me.kind.proc_type() as i32,
        name: me.name.clone(),
    }
}

fn slot_channel(
    me: &ProcConfig,
    peer: &ProcConfig,
    config: &ClusterConfig,
) -> (Channel, Arc<LinkSlot>) {
    let slot = Arc::new(LinkSlot::default());
    let transport = SlotTransport {
        slot: slot.clone(),
        peer_name: peer.name.clone(),
    };
    let channel = Channel::new(
        me.id,
        me.kind.proc_type(),
        transport,
        config.timing.request_timeout(),
    );
    (channel, slot)
}

/// Dials `peer` (the listening partner) and keeps the link up; returns the
/// channel to it. Packets from the partner go to `inbox`; `on_down` runs
/// each time the link is lost.
pub fn dial_paired(
    node: &Node,
    peer: &ProcConfig,
    inbox: mpsc::Sender<Incoming>,
    on_down: impl FnMut() + Send + 'static,
) -> Channel {
    let me = &node.me;
    let (channel, slot) = slot_channel(me, peer, &node.config);
    let spec = DialSpec {
        addr: peer.addr().unwrap_or_default(),
        peer_name: peer.name.clone(),
        hello: hello_of(me),
    };
    node.shutdown.spawn(keep_linked(
        spec,
        node.clone(),
        slot,
        channel.clone(),
        inbox,
        |_control| {},
        on_down,
    ));
    channel
}

/// Accepts the partner `peer` on `listener` (anyone else is refused) and
/// returns the channel to it. A reconnect replaces the previous link;
/// `on_down` runs when the partner's current link is lost.
pub fn serve_paired(
    listener: TcpListener,
    node: &Node,
    peer: &ProcConfig,
    inbox: mpsc::Sender<Incoming>,
    on_down: impl Fn() + Send + Sync + 'static,
) -> Channel {
    let (me, config, shutdown) = (&node.me, node.config.clone(), &node.shutdown);
    let (channel, slot) = slot_channel(me, peer, &config);
    let on_down = Arc::new(on_down);
    let me_id = me.id;
    let me_type = me.kind.proc_type();
    let peer_id = peer.id;
    let log = node.log.new(o!("peer" => peer.name.clone()));
    let accept_channel = channel.clone();
    let accept_shutdown = shutdown.clone();
    shutdown.spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = accept_shutdown.cancelled() => return,
                accepted = listener.accept() => accepted,
            };
            let (stream, addr) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    warn!(log, "Accept failed"; "error" => %err);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let link_close = accept_shutdown.child();
            let (mut reader, sender) = link::open(
                stream,
                config.limits.max_frame_bytes,
                config.limits.peer_send_queue,
                &addr.to_string(),
                link_close.clone(),
            );
            let hello = match read_hello(&mut reader, HELLO_TIMEOUT).await {
                Ok(hello) if hello.proc_id == peer_id => hello,
                Ok(hello) => {
                    warn!(log, "Refused a link from a process that is not our partner";
                        "addr" => %addr, "proc_id" => hello.proc_id, "name" => hello.name);
                    link_close.trigger();
                    continue;
                }
                Err(err) => {
                    warn!(log, "Refused a link"; "addr" => %addr, "error" => %err);
                    link_close.trigger();
                    continue;
                }
            };
            if let Some(previous) = slot.set(sender.clone()) {
                info!(log, "Partner reconnected, replacing its old link"; "old" => previous.peer());
            }
            info!(log, "Peer up"; "addr" => %addr, "proc_id" => hello.proc_id);
            let (slot, channel, inbox, log, timing) = (
                slot.clone(),
                accept_channel.clone(),
                inbox.clone(),
                log.clone(),
                config.timing.clone(),
            );
            let task_shutdown = accept_shutdown.clone();
            let on_down = on_down.clone();
            accept_shutdown.spawn(async move {
                let echo = sender.clone();
                let on_control = move |body| {
                    if let Some(disp_control::Msg::Heartbeat(_)) = decode_control(body) {
                        let _ = echo.send(heartbeat_frame(me_id, me_type));
                    }
                };
                let end = tokio::select! {
                    end = pump(&mut reader, &channel, &inbox, timing.peer_timeout(), on_control, &log) => end,
                    _ = link_close.cancelled() => LinkEnd::Shutdown,
                };
                let was_current = slot.get().is_some_and(|current| current.same_link(&sender));
                slot.clear_if(&sender);
                link_close.trigger();
                if !task_shutdown.is_triggered() {
                    warn!(log, "Peer down"; "reason" => %end);
                }
                if was_current {
                    on_down();
                }
            });
        }
    });
    channel
}
