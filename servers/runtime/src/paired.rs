//! Direct links between the paired processes of a set (conn ↔ logic ↔
//! db_logic). The upstream side listens and accepts only its partner; the
//! downstream side dials it and keeps the link up.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use schat_proto::client::ResultCode;
use schat_proto::server::{disp_control, server_msg::Msg};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::config::{LiveConfig, ProcConfig};
use crate::control::{decode_control, heartbeat_frame, hello_of, read_hello};
use crate::dial::{keep_linked, DialSpec, LinkEvents};
use crate::link;
use crate::logging::{info, o, warn, Logger};
use crate::node::Node;
use crate::pump::{pump, LinkEnd};
use crate::rpc::{CallError, Channel, Incoming};
use crate::slot::{LinkSlot, SlotTransport};

/// How long an accepted peer has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

fn slot_channel(
    me: &ProcConfig,
    peer: &ProcConfig,
    config: &LiveConfig,
) -> (Channel, Arc<LinkSlot>) {
    let slot = Arc::new(LinkSlot::default());
    let transport = SlotTransport {
        slot: slot.clone(),
        peer_name: peer.name.clone(),
    };
    let channel = Channel::new(me.id, me.kind.proc_type(), transport, config.clone());
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
    // A process cannot serve without the partner it dials (its storage, or
    // for conn_serv its logic): degraded until the link is up, and whenever
    // it is down, so the disps route its keys to healthy processes.
    node.health.set_degraded(true);
    let up_health = node.health.clone();
    let down_health = node.health.clone();
    // Answers to calls sent on a link that went down can never come: the
    // partner answers on the link a request arrived on.
    let on_down = {
        let channel = channel.clone();
        let mut on_down = on_down;
        move || {
            down_health.set_degraded(true);
            channel.fail_pending("partner link lost");
            on_down();
        }
    };
    let spec = DialSpec {
        addr: peer.addr().unwrap_or_default(),
        peer_name: peer.name.clone(),
        hello: hello_of(node),
        replies_on_link: true,
    };
    node.shutdown.spawn(keep_linked(
        spec,
        node.clone(),
        slot,
        channel.clone(),
        inbox,
        LinkEvents {
            on_control: |_control| {},
            on_up: move || {
                up_health.set_degraded(false);
            },
            on_down,
        },
    ));
    channel
}

/// Accepts the partner `peer` on `listener` (anyone else is refused) and
/// returns the channel to it. A reconnect replaces the previous link.
/// `on_down` runs whenever the partner's current link ends or is replaced:
/// what the partner knew over the old link is gone.
pub fn serve_paired(
    listener: TcpListener,
    node: &Node,
    peer: &ProcConfig,
    inbox: mpsc::Sender<Incoming>,
    on_down: impl Fn() + Send + Sync + 'static,
) -> Channel {
    let (channel, slot) = slot_channel(&node.me, peer, &node.config);
    let accept = Accept {
        node: node.clone(),
        peer_id: peer.id,
        log: node.log.new(o!("peer" => peer.name.clone())),
        slot,
        channel: channel.clone(),
        inbox,
        on_down: Arc::new(on_down),
    };
    node.shutdown.spawn(accept.run(listener));
    channel
}

/// The accepting side of a paired link.
struct Accept<F> {
    node: Node,
    peer_id: u32,
    log: Logger,
    slot: Arc<LinkSlot>,
    channel: Channel,
    inbox: mpsc::Sender<Incoming>,
    on_down: Arc<F>,
}

impl<F: Fn() + Send + Sync + 'static> Accept<F> {
    async fn run(self, listener: TcpListener) {
        let accept = Arc::new(self);
        let shutdown = accept.node.shutdown.clone();
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => return,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                // Each connection says hello in its own task, so a silent
                // connection (a port scan) cannot hold up the partner's.
                Ok((stream, addr)) => {
                    shutdown.spawn(accept.clone().serve(stream, addr));
                }
                Err(err) => {
                    warn!(accept.log, "Accept failed"; "error" => %err);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    async fn serve(self: Arc<Self>, stream: TcpStream, addr: SocketAddr) {
        let Node {
            me,
            config,
            shutdown,
            ..
        } = &self.node;
        let config = config.current();
        let link_close = shutdown.child();
        let (mut reader, sender) = link::open(
            stream,
            config.limits.peer_frame_bytes(),
            link::QueueLimits::frames(config.limits.peer_send_queue),
            &addr.to_string(),
            link_close.clone(),
        );
        match read_hello(&mut reader, HELLO_TIMEOUT).await {
            Ok(hello) if hello.proc_id == self.peer_id => {
                info!(self.log, "Peer up"; "addr" => %addr, "proc_id" => hello.proc_id);
            }
            Ok(hello) => {
                warn!(self.log, "Refused a link from a process that is not our partner";
                    "addr" => %addr, "proc_id" => hello.proc_id, "name" => hello.name);
                link_close.trigger();
                return;
            }
            Err(err) => {
                warn!(self.log, "Refused a link"; "addr" => %addr, "error" => %err);
                link_close.trigger();
                return;
            }
        }
        // Answers to calls sent on an old link can never come (with no
        // link before, nothing is pending: a call without a link fails at
        // once).
        self.channel.fail_pending("partner reconnected");
        if let Some(previous) = self.slot.set(sender.clone()) {
            info!(self.log, "Partner reconnected, replacing its old link"; "old" => previous.peer());
            (self.on_down)();
        }
        let (me_id, me_type) = (me.id, me.kind.proc_type());
        let echo = sender.clone();
        let on_control = move |body| {
            if let Some(disp_control::Msg::Heartbeat(_)) = decode_control(body) {
                let _ = echo.send(heartbeat_frame(me_id, me_type, false));
            }
        };
        let end = tokio::select! {
            end = pump(&mut reader, &self.channel, Some(&sender), &self.inbox, config.timing.peer_timeout(), on_control, &self.log) => end,
            _ = link_close.cancelled() => LinkEnd::Shutdown,
        };
        link_close.trigger();
        if self.slot.clear_if(&sender) {
            if !shutdown.is_triggered() {
                warn!(self.log, "Peer down"; "reason" => %end);
            }
            self.channel.fail_pending("partner link lost");
            (self.on_down)();
        }
    }
}

/// Serves a storage process: accepts its partner on `listener` and answers
/// each request on its own task with `handle` (a reply body, or an error
/// that goes back as its code and reason), until the node shuts down.
/// Logs the start (with the Redis address) and the stop. Admin requests
/// relayed by the partner are answered here; every other request is
/// timed as one Redis round trip (`redis_roundtrip_seconds`), and one
/// that fails for want of Redis is counted (`redis_errors_total`).
pub async fn serve_requests<H, Fut>(
    listener: TcpListener,
    node: &Node,
    partner: &ProcConfig,
    handle: H,
) where
    H: Fn(Msg) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Msg, CallError>> + Send + 'static,
{
    info!(node.log, "Started"; "proc_id" => node.me.id,
        "listen" => listener.local_addr().map(|addr| addr.to_string()).unwrap_or_default(),
        "partner" => &partner.name, "redis" => node.config.current().redis.describe());
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(4096);
    let stats = &node.stats;
    stats.inbox(&inbox_tx);
    let round_trip = stats.latency(
        "redis_roundtrip_seconds",
        "Time to answer one storage request (one or a few pipelined Redis commands).",
    );
    let redis_errors = stats.counter(
        "redis_errors_total",
        "Storage requests that failed because Redis failed or could not be reached.",
    );
    serve_paired(listener, node, partner, inbox_tx, || {});
    let shutdown = &node.shutdown;
    loop {
        let incoming = tokio::select! {
            _ = shutdown.cancelled() => break,
            incoming = inbox.recv() => incoming,
        };
        let Some(incoming) = incoming else { break };
        if let Msg::AdminRequest(_) = incoming.msg {
            crate::admin::serve(node, incoming, &[]);
            continue;
        }
        let (handle, log, stats) = (handle.clone(), node.log.clone(), node.stats.clone());
        let (round_trip, redis_errors) = (round_trip.clone(), redis_errors.clone());
        shutdown.spawn(async move {
            let started = std::time::Instant::now();
            let (msg, responder) = incoming.into_parts();
            let result = handle(msg).await;
            round_trip.record(started.elapsed());
            match result {
                Ok(reply) => responder.reply(reply),
                Err(err) => {
                    if err.code() == ResultCode::Unavailable {
                        redis_errors.inc();
                        warn!(log, "Storage request failed"; "error" => %err);
                        stats.record_error(format!("storage request failed: {err}"));
                    }
                    responder.reply_error(err.code(), err.reason());
                }
            }
        });
    }
    info!(node.log, "Stopping");
}
