//! dir_serv: the directory a client asks before it connects.
//!
//! It also serves the web app (`/`, `/app/...`; see [`web`]).
//!
//! `GET /v1/dir` answers with one conn_serv address for the client and the
//! file servers by serv_index. conn_servs report their load every
//! `directory.load_report_ms` (through their logic and a disp); a conn_serv
//! is handed out only while its reports are fresh, its logic is live and
//! serving (not degraded: its db_logic is up), and
//! it has not said it is leaving (a stopping conn_serv waits until every
//! dir_serv has taken that). Among those, the one with the most weighted
//! free room wins: `weight × (1 − connections / max_connections)`,
//! counting the clients this dir_serv sent it since its last report, so a
//! burst of clients spreads instead of piling onto one.

#![forbid(unsafe_code)]

pub mod web;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Method, StatusCode};
use rand::Rng;
use schat_proto::client::ResultCode;
use schat_proto::server::{server_msg::Msg, ConnLoad, Ok as OkMsg, ProcType};
use schat_runtime::http::{error, json, Request, Response};
use schat_runtime::logging::{debug, info, Logger};
use schat_runtime::rpc::serve_inbox;
use schat_runtime::stats::Counter;
use schat_runtime::{http as serve_http, tls, Fabric, Incoming, LiveConfig, Node, ProcKind};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

#[derive(Debug)]
pub struct Directory {
    /// Read per lookup: conn_servs and weights follow a reload.
    config: LiveConfig,
    fabric: Fabric,
    loads: Mutex<HashMap<u32, Load>>,
    log: Logger,
    lookups: Counter,
}

/// A conn_serv's last report.
#[derive(Clone, Copy, Debug)]
struct Load {
    at: Instant,
    connections: u32,
    max_connections: u32,
    accepting: bool,
    /// Clients handed out since the report.
    sent: u32,
}

/// Serves HTTP on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let Node {
        config, me, log, ..
    } = node.clone();
    let tls = me
        .tls
        .as_ref()
        .map(|tls| tls::acceptor(tls, me.address(), &log))
        .transpose()?;
    let (inbox_tx, inbox) = mpsc::channel::<Incoming>(4096);
    node.stats.inbox(&inbox_tx);
    let fabric = Fabric::start(&node, inbox_tx);
    info!(log, "Started"; "proc_id" => me.id,
        "conn_servs" => config.current().procs_of(ProcKind::ConnServ).count());
    let directory = Arc::new(Directory {
        config,
        fabric,
        loads: Mutex::default(),
        log: log.clone(),
        lookups: node
            .stats
            .counter("lookups_total", "Directory lookups answered (GET /v1/dir)."),
    });
    let (on_packets, packet_node) = (directory.clone(), node.clone());
    node.shutdown
        .spawn(serve_inbox(inbox, node.shutdown.clone(), move |incoming| {
            on_packet(&on_packets, incoming, &packet_node)
        }));
    serve_http::serve(listener, tls, &node, move |request, _peer| {
        let directory = directory.clone();
        async move { directory.handle(&request) }
    })
    .await?;
    info!(log, "Stopping");
    Ok(())
}

/// Packets from other processes: conn_servs' load reports (a request
/// is a conn_serv leaving, answered once taken).
fn on_packet(directory: &Directory, incoming: Incoming, node: &Node) {
    match &incoming.msg {
        Msg::AdminRequest(_) => schat_runtime::admin::serve(node, incoming, &[]),
        Msg::ConnLoad(load) => {
            directory.report(load);
            if incoming.is_request() {
                incoming.reply(Msg::Ok(OkMsg {}));
            }
        }
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "dir_serv does not handle this message",
        ),
    }
}

impl Directory {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Load>> {
        self.loads
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn report(&self, report: &ConnLoad) {
        if !report.accepting {
            info!(self.log, "A conn_serv is leaving"; "conn_id" => report.conn_id);
        }
        self.lock().insert(
            report.conn_id,
            Load {
                at: Instant::now(),
                connections: report.connections,
                max_connections: report.max_connections.max(1),
                accepting: report.accepting,
                sent: 0,
            },
        );
    }

    fn handle(&self, request: &Request) -> Response {
        match (request.method(), request.uri().path()) {
            (&Method::GET, "/health") => json(StatusCode::OK, &serde_json::json!({ "ok": true })),
            (&Method::GET, "/v1/dir") => self.lookup(request),
            (&Method::GET | &Method::HEAD, path) if web::is_app_path(path) => {
                web::serve(&self.config.current(), path, request.headers())
                    .unwrap_or_else(|| error(StatusCode::NOT_FOUND, "no such file"))
            }
            (_, "/v1/dir" | "/health") => error(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
            _ => error(StatusCode::NOT_FOUND, "no such endpoint"),
        }
    }

    /// A conn_serv for one client, and the file servers. `?ws=1`: a
    /// conn_serv with a WebSocket port (for browsers).
    fn lookup(&self, request: &Request) -> Response {
        let websocket = request
            .uri()
            .query()
            .is_some_and(|query| query.split('&').any(|pair| pair == "ws=1"));
        self.lookups.inc();
        let live_files = self.fabric.live_peers(ProcType::File);
        let files: Vec<serde_json::Value> = self
            .config
            .current()
            .procs_of(ProcKind::FileServ)
            .map(|proc| {
                serde_json::json!({
                    "serv_index": proc.serv_index.unwrap_or_default(),
                    "url": proc.public_addr().unwrap_or_default(),
                    "up": live_files.contains(&proc.id),
                })
            })
            .collect();
        let Some((conn_id, addr, ws_url)) = self.pick(websocket) else {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "no conn_serv is available; retry shortly",
            );
        };
        debug!(self.log, "Handed out"; "conn_id" => conn_id);
        json(
            StatusCode::OK,
            &serde_json::json!({
                "conn": { "id": conn_id, "addr": addr, "ws_url": ws_url },
                "files": files,
            }),
        )
    }

    fn pick(&self, websocket: bool) -> Option<(u32, String, Option<String>)> {
        let config = self.config.current();
        let expiry = Duration::from_millis(config.directory.load_expiry_ms);
        // A logic whose db_logic is down is degraded: logins there fail.
        let live_logics = self.fabric.serving_peers(ProcType::Logic);
        let mut loads = self.lock();
        let mut best: Option<(u64, u32, String, Option<String>)> = None;
        let mut ties = 0u32;
        for conn in config.procs_of(ProcKind::ConnServ) {
            let Some(load) = loads.get(&conn.id) else {
                continue;
            };
            let logic_live = config
                .logic_of(conn)
                .is_ok_and(|logic| live_logics.contains(&logic.id));
            if !load.accepting || load.at.elapsed() >= expiry || !logic_live {
                continue;
            }
            if websocket && conn.ws_port.is_none() {
                continue;
            }
            let busy = u64::from(load.connections) + u64::from(load.sent);
            let max = u64::from(load.max_connections);
            let score = u64::from(conn.weight()) * max.saturating_sub(busy) * 1000 / max;
            if score == 0 {
                continue;
            }
            let Some(addr) = conn.public_addr() else {
                continue;
            };
            match &best {
                Some((top, ..)) if score < *top => {}
                Some((top, ..)) if score == *top => {
                    // Break ties at random, so equal servers share clients.
                    ties += 1;
                    if rand::rng().random_range(0..=ties) == 0 {
                        best = Some((score, conn.id, addr, conn.ws_url()));
                    }
                }
                _ => {
                    ties = 0;
                    best = Some((score, conn.id, addr, conn.ws_url()));
                }
            }
        }
        let (_, conn_id, addr, ws_url) = best?;
        if let Some(load) = loads.get_mut(&conn_id) {
            load.sent = load.sent.saturating_add(1);
        }
        Some((conn_id, addr, ws_url))
    }
}
