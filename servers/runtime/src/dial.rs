//! The connecting side of a server-to-server link: connect with back-off,
//! say hello, send heartbeats, pump frames, and start over when the link
//! ends — until shutdown.
//!
//! A link counts as up only once the peer has answered (its first control
//! packet: a heartbeat echo or a peer table), never on the TCP connect
//! alone: the kernel of a hung (stopped) process still accepts connections.
//! It counts as down again as soon as nothing has arrived for the peer
//! timeout, though heartbeats go out every heartbeat interval.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use schat_proto::server::Hello;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::control::{heartbeat_frame, hello_frame};
use crate::link;
use crate::logging::{debug, info, warn};
use crate::node::Node;
use crate::pump::{pump, LinkEnd};
use crate::rpc::{Channel, Incoming};
use crate::slot::LinkSlot;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// A link up for this long counts as working: back-off starts over.
const STABLE_LINK: Duration = Duration::from_secs(1);

/// Who to keep a link to, and as whom.
#[derive(Clone, Debug)]
pub struct DialSpec {
    pub addr: String,
    pub peer_name: String,
    pub hello: Hello,
    /// Answer requests on the link they arrived on (a paired partner),
    /// rather than through whichever link the channel picks (the disps).
    pub replies_on_link: bool,
}

/// What to run as a link comes and goes.
#[allow(missing_debug_implementations)] // closures
pub struct LinkEvents<C, U, D> {
    /// Every control body the peer sends (heartbeat echoes, peer tables).
    pub on_control: C,
    /// Each time the link comes up (the peer answered).
    pub on_up: U,
    /// Each time a link that was up is lost.
    pub on_down: D,
}

/// Keeps a link to `spec.addr` in `slot` until shutdown; the slot holds it
/// only while the peer answers.
pub async fn keep_linked<C, U, D>(
    spec: DialSpec,
    node: Node,
    slot: Arc<LinkSlot>,
    channel: Channel,
    inbox: mpsc::Sender<Incoming>,
    events: LinkEvents<C, U, D>,
) where
    C: FnMut(Bytes) + Send,
    U: FnMut() + Send,
    D: FnMut() + Send,
{
    let LinkEvents {
        mut on_control,
        mut on_up,
        mut on_down,
    } = events;
    let Node {
        config,
        log,
        shutdown,
        health,
        ..
    } = node;
    let log = log.new(crate::logging::o!("peer" => spec.peer_name.clone()));
    let mut backoff = FIRST_BACKOFF;
    let mut failures = 0u32;
    while !shutdown.is_triggered() {
        // Read at each connect: a reload reaches the next link.
        let current = config.current();
        let timing = &current.timing;
        let stream = tokio::select! {
            _ = shutdown.cancelled() => return,
            connected = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&spec.addr)) => connected,
        };
        let stream = match stream {
            Ok(Ok(stream)) => stream,
            failed => {
                let reason = match failed {
                    Ok(Err(err)) => err.to_string(),
                    _ => "connect timed out".to_string(),
                };
                failures += 1;
                if failures == 1 {
                    warn!(log, "Cannot reach peer, retrying"; "addr" => &spec.addr, "error" => reason);
                } else {
                    debug!(log, "Cannot reach peer"; "addr" => &spec.addr, "error" => reason, "failures" => failures);
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(timing.reconnect_max());
                continue;
            }
        };
        failures = 0;
        let up_since = tokio::time::Instant::now();
        let link_close = shutdown.child();
        let (mut reader, sender) = link::open(
            stream,
            current.limits.peer_frame_bytes(),
            link::QueueLimits::frames(current.limits.peer_send_queue),
            &spec.peer_name,
            link_close.clone(),
        );
        let hello = Hello {
            degraded: health.is_degraded(),
            ..spec.hello.clone()
        };
        if sender.send(hello_frame(&hello)).is_err() {
            link_close.trigger();
            continue;
        }

        // The first heartbeat goes out with the hello; the peer's first
        // answer puts the link in the slot.
        let mut health_changes = health.watch();
        let heartbeats = async {
            let mut first = true;
            loop {
                // The interval is read at each beat, so a reload reaches it.
                let interval = config.current().timing.peer_heartbeat();
                if !std::mem::take(&mut first) {
                    tokio::select! {
                        _ = tokio::time::sleep(interval) => {}
                        changed = health_changes.changed() => {
                            if changed.is_err() {
                                return;
                            }
                        }
                    }
                }
                let frame = heartbeat_frame(
                    spec.hello.proc_id,
                    spec.hello.proc_type(),
                    health.is_degraded(),
                );
                if sender.send(frame).is_err() {
                    return;
                }
            }
        };
        let mut up = false;
        let on_link_control = |body: Bytes| {
            if !up {
                up = true;
                slot.set(sender.clone());
                info!(log, "Peer up"; "addr" => &spec.addr);
                on_up();
            }
            on_control(body);
        };
        let end = tokio::select! {
            end = pump(&mut reader, &channel, spec.replies_on_link.then_some(&sender), &inbox, timing.peer_timeout(), on_link_control, &log) => end,
            _ = heartbeats => LinkEnd::Closed,
            _ = shutdown.cancelled() => LinkEnd::Shutdown,
        };
        let was_up = slot.clear_if(&sender);
        link_close.trigger();
        if was_up {
            on_down();
        }
        match end {
            LinkEnd::Shutdown => return,
            end if was_up => warn!(log, "Peer down"; "addr" => &spec.addr, "reason" => %end),
            end => {
                debug!(log, "Peer connected but never answered"; "addr" => &spec.addr, "reason" => %end)
            }
        }
        // A link that dies right away (the peer refuses us) must not turn
        // into a reconnect loop: keep backing off until one stays up.
        if up_since.elapsed() >= STABLE_LINK {
            backoff = FIRST_BACKOFF;
        } else {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(timing.reconnect_max());
        }
    }
}
