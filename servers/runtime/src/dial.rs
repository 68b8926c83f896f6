//! The connecting side of a server-to-server link: connect with back-off,
//! say hello, send heartbeats, pump frames, and start over when the link
//! ends — until shutdown.

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

/// Keeps a link to `spec.addr` in `slot` until shutdown. `on_control`
/// receives the control bodies the peer sends (heartbeat echoes, peer
/// tables); `on_down` runs each time the link is lost.
pub async fn keep_linked(
    spec: DialSpec,
    node: Node,
    slot: Arc<LinkSlot>,
    channel: Channel,
    inbox: mpsc::Sender<Incoming>,
    mut on_control: impl FnMut(Bytes) + Send,
    mut on_down: impl FnMut() + Send,
) {
    let Node {
        config,
        log,
        shutdown,
        ..
    } = node;
    let log = log.new(crate::logging::o!("peer" => spec.peer_name.clone()));
    let timing = &config.timing;
    let mut backoff = FIRST_BACKOFF;
    let mut failures = 0u32;
    while !shutdown.is_triggered() {
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
            config.limits.peer_frame_bytes(),
            config.limits.peer_send_queue,
            &spec.peer_name,
            link_close.clone(),
        );
        if sender.send(hello_frame(&spec.hello)).is_err() {
            link_close.trigger();
            continue;
        }
        slot.set(sender.clone());
        info!(log, "Peer up"; "addr" => &spec.addr);

        let heartbeats = async {
            let mut tick = tokio::time::interval(timing.peer_heartbeat());
            loop {
                tick.tick().await;
                let frame = heartbeat_frame(spec.hello.proc_id, spec.hello.proc_type());
                if sender.send(frame).is_err() {
                    return;
                }
            }
        };
        let end = tokio::select! {
            end = pump(&mut reader, &channel, spec.replies_on_link.then_some(&sender), &inbox, timing.peer_timeout(), &mut on_control, &log) => end,
            _ = heartbeats => LinkEnd::Closed,
            _ = shutdown.cancelled() => LinkEnd::Shutdown,
        };
        slot.clear_if(&sender);
        link_close.trigger();
        on_down();
        match end {
            LinkEnd::Shutdown => return,
            end => warn!(log, "Peer down"; "addr" => &spec.addr, "reason" => %end),
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
