//! disp_serv: the star hub that routes packets between sets.
//!
//! Every non-paired process keeps a link here and says hello. disp reads only
//! each packet's routing header and forwards the frame's bytes unchanged to
//! the process(es) the header selects (SPEC / HASH / RAND / ALL) among the
//! live ones. A packet whose target is down is answered with an error instead
//! of vanishing. Liveness comes from the links themselves: a process is live
//! while its link is open and not silent for longer than the peer timeout.
//!
//! The one body disp decodes is a request SPEC-addressed to disp itself
//! (manage_serv asking for its stats or giving it a command); every other
//! packet's body passes through unread.

#![forbid(unsafe_code)]

mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use schat_proto::client::ResultCode;
use schat_proto::server::{
    disp_control, server_msg::Msg, Kind, Method, PeerTable, ProcType, Route, ServerMsg,
};
use schat_proto::Wire;
use schat_runtime::admin::{addressee, Addressee};
use schat_runtime::config::LiveConfig;
use schat_runtime::control::{control_frame, decode_control, heartbeat_frame, read_hello};
use schat_runtime::link::{self, LinkSender, SendError};
use schat_runtime::logging::{debug, info, o, warn, Logger};
use schat_runtime::rpc::{encode, error_msg};
use schat_runtime::stats::{Counter, Gauge};
use schat_runtime::{Node, ProcConfig, Shutdown};
use tokio::net::{TcpListener, TcpStream};

use table::{Entry, Table};

const HELLO_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves disp on `listener` until `shutdown` fires.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    info!(log, "Started"; "proc_id" => me.id, "listen" => %listener.local_addr()?);
    let stats = &node.stats;
    let table = Arc::new(Table::default());
    let queued = table.clone();
    let peer_drops = stats.queue("peer", move || {
        queued.links().iter().map(LinkSender::queued).sum()
    });
    let hub = Arc::new(Hub {
        table,
        config,
        me,
        log: log.clone(),
        forwarded: stats.counter(
            "packets_forwarded_total",
            "Packets handed to a target process's link (one per target).",
        ),
        bounces: stats.counter(
            "bounces_total",
            "Requests answered with an error because no target was live.",
        ),
        peers: stats.gauge("peers", "Processes linked to this disp."),
        peer_drops,
        node: node.clone(),
    });
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, addr)) => {
                let hub = hub.clone();
                let link_shutdown = shutdown.child();
                shutdown.spawn(async move { hub.serve(stream, addr, link_shutdown).await });
            }
            Err(err) => {
                warn!(log, "Accept failed"; "error" => %err);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    info!(log, "Stopping"; "peers" => hub.table.n_peers());
    Ok(())
}

struct Hub {
    table: Arc<Table>,
    config: LiveConfig,
    me: ProcConfig,
    log: Logger,
    forwarded: Counter,
    bounces: Counter,
    peers: Gauge,
    /// Frames refused because a peer's link queue was full.
    peer_drops: Counter,
    /// For the admin requests disp answers itself.
    node: Node,
}

impl Hub {
    async fn serve(&self, stream: TcpStream, addr: SocketAddr, close: Shutdown) {
        // Read per link: a reload reaches the links made after it, and the
        // hello check knows the processes added by it.
        let config = self.config.current();
        let limits = &config.limits;
        let (mut reader, link) = link::open(
            stream,
            limits.peer_frame_bytes(),
            link::QueueLimits::frames(limits.peer_send_queue),
            &addr.to_string(),
            close.clone(),
        );
        let hello = match read_hello(&mut reader, HELLO_TIMEOUT).await {
            Ok(hello) => hello,
            Err(err) => {
                warn!(self.log, "Refused a link"; "addr" => %addr, "error" => %err);
                close.trigger();
                return;
            }
        };
        let known = self.config.current().proc_by_id(hello.proc_id).cloned();
        if known.map(|proc| proc.kind.proc_type()) != Some(hello.proc_type()) {
            warn!(self.log, "Refused a process that is not in the cluster file";
                "addr" => %addr, "proc_id" => hello.proc_id, "name" => &hello.name);
            close.trigger();
            return;
        }
        let proc_id = hello.proc_id;
        let log = self.log.new(o!("peer" => hello.name.clone()));
        let entry = Entry {
            proc_type: hello.proc_type(),
            link: link.clone(),
            close: close.clone(),
            degraded: hello.degraded,
            incarnation: hello.incarnation,
        };
        if let Some(previous) = self.table.insert(proc_id, entry) {
            previous.close.trigger();
        }
        info!(log, "Peer up"; "addr" => %addr, "proc_id" => proc_id);
        self.broadcast_table();

        let read_timeout = config.timing.peer_timeout();
        let reason = loop {
            let next = tokio::select! {
                _ = close.cancelled() => break "closed".to_string(),
                next = tokio::time::timeout(read_timeout, reader.next()) => next,
            };
            let frame = match next {
                Err(_) => break format!("silent for {read_timeout:?}"),
                Ok(None) => break "closed by peer".to_string(),
                Ok(Some(Err(err))) => break err.to_string(),
                Ok(Some(Ok(frame))) => frame.freeze(),
            };
            if let Err(reason) = self.on_frame(frame, proc_id, &link, &log) {
                break reason;
            }
        };
        close.trigger();
        if self.table.remove_if(proc_id, &link) {
            warn!(log, "Peer down"; "reason" => reason);
            self.broadcast_table();
        }
    }

    /// Routes one frame; an error ends the link.
    fn on_frame(
        &self,
        frame: Bytes,
        from_id: u32,
        from: &LinkSender,
        log: &Logger,
    ) -> Result<(), String> {
        let envelope = schat_runtime::rpc::decode_envelope(frame.clone())
            .map_err(|err| format!("garbage from peer: {err}"))?;
        let route = envelope.route.unwrap_or_default();
        if route.kind() == Kind::Control {
            if let Some(disp_control::Msg::Heartbeat(beat)) = decode_control(envelope.body) {
                let _ = from.send(heartbeat_frame(self.me.id, ProcType::Disp, false));
                if self.table.set_degraded(from_id, from, beat.degraded) {
                    if beat.degraded {
                        warn!(log, "Peer degraded: left out of HASH and RAND picks");
                    } else {
                        info!(log, "Peer serving again");
                    }
                    self.broadcast_table();
                }
            }
            return Ok(());
        }
        let target_type = route.target_type();
        if target_type == ProcType::Disp
            && route.method() == Method::Spec
            && route.kind() == Kind::Request
        {
            self.answer_own(&route, envelope.body, from, log);
            return Ok(());
        }
        let delivered = match route.method() {
            Method::Spec => self.forward(route.target_id, &frame),
            Method::Hash => self
                .table
                .pick_hash(target_type, route.hash_key)
                .is_some_and(|proc_id| self.forward(proc_id, &frame)),
            Method::Rand => self
                .table
                .pick_any(target_type)
                .is_some_and(|proc_id| self.forward(proc_id, &frame)),
            Method::All => {
                let mut any = false;
                for proc_id in self.table.all(target_type) {
                    any |= self.forward(proc_id, &frame);
                }
                any
            }
        };
        if !delivered {
            self.bounce(&route, from, log);
        }
        Ok(())
    }

    fn forward(&self, proc_id: u32, frame: &Bytes) -> bool {
        let Some(link) = self.table.get(proc_id) else {
            return false;
        };
        match link.send(frame.clone()) {
            Ok(()) => {
                self.forwarded.inc();
                true
            }
            Err(SendError::Full) => {
                self.peer_drops.inc();
                false
            }
            Err(SendError::Closed) => false,
        }
    }

    /// Answers a request SPEC-addressed to a disp: this disp's stats and
    /// commands. This is the one exception to "disp never decodes a
    /// packet body": only bodies addressed to disp itself are decoded,
    /// never a packet disp forwards. A request naming another disp (it
    /// came the wrong way) is refused.
    fn answer_own(&self, route: &Route, body: Bytes, from: &LinkSender, log: &Logger) {
        let request = match ServerMsg::decode_frame(body) {
            Ok(ServerMsg {
                msg: Some(Msg::AdminRequest(request)),
            }) => request,
            Ok(_) => {
                let reply = error_msg(
                    ResultCode::UnknownMessage,
                    "disp_serv answers admin requests only",
                );
                let _ = from.send(encode(&self.reply_route(route), reply));
                return;
            }
            Err(err) => {
                debug!(log, "Undecodable request for disp"; "error" => %err);
                let reply = error_msg(ResultCode::Malformed, err.to_string());
                let _ = from.send(encode(&self.reply_route(route), reply));
                return;
            }
        };
        let reply_route = self.reply_route(route);
        if route.target_id != self.me.id
            || !matches!(addressee(&self.node, request.proc_id, &[]), Addressee::Me)
        {
            let reply = error_msg(
                ResultCode::BadRequest,
                format!(
                    "{} answers for itself only (asked for process {}, sent to {})",
                    self.me.name, request.proc_id, route.target_id
                ),
            );
            let _ = from.send(encode(&reply_route, reply));
            return;
        }
        let (node, from) = (self.node.clone(), from.clone());
        self.node.shutdown.spawn(async move {
            let reply = node.admin.answer(&node, request).await;
            let _ = from.send(encode(&reply_route, Msg::AdminReply(reply)));
        });
    }

    /// The route of an answer to `route`, from this disp.
    fn reply_route(&self, route: &Route) -> Route {
        Route {
            target_type: route.source_type,
            method: Method::Spec as i32,
            target_id: route.source_id,
            source_id: self.me.id,
            source_type: ProcType::Disp as i32,
            correlation_id: route.correlation_id,
            trace_ts_us: route.trace_ts_us,
            kind: Kind::Response as i32,
            hash_key: route.hash_key,
        }
    }

    /// Tells the sender that nothing live could take its packet.
    fn bounce(&self, route: &Route, from: &LinkSender, log: &Logger) {
        let target = format!(
            "{:?} {}",
            route.target_type(),
            match route.method() {
                Method::Spec => format!("id {}", route.target_id),
                method => format!("{method:?}"),
            }
        );
        if route.kind() == Kind::Response {
            debug!(log, "Dropped a response for a process that is gone"; "target" => target);
            return;
        }
        debug!(log, "No live target"; "target" => &target);
        self.bounces.inc();
        let reply = self.reply_route(route);
        let body = error_msg(
            ResultCode::Unavailable,
            format!("no live process for {target}"),
        );
        let _ = from.send(encode(&reply, body));
    }

    fn broadcast_table(&self) {
        self.peers
            .set(i64::try_from(self.table.n_peers()).unwrap_or(i64::MAX));
        let table = PeerTable {
            disp_id: self.me.id,
            peers: self.table.snapshot(),
        };
        let frame = control_frame(self.me.id, ProcType::Disp, disp_control::Msg::Peers(table));
        for link in self.table.links() {
            let _ = link.send(frame.clone());
        }
    }
}
