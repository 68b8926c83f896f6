//! conn_serv: holds the clients' TCP connections for its logic_serv.
//!
//! It frames and unframes, answers pings itself, enforces the frame limit,
//! the connection cap and the idle timeout, and keeps a bounded send queue per
//! client. Everything else is forwarded to the paired logic_serv as raw
//! frames; what logic sends back (one encoded frame for one or many
//! connections) is written to each socket as the same bytes. Its load goes
//! to the dir_servs (through logic and a disp) every load report interval,
//! and a stopping conn_serv leaves the directory before it closes.
//!
//! An operator can drain it (manage_serv's `drain`): it stops listening,
//! leaves the directory, and asks its clients to reconnect elsewhere.

#![forbid(unsafe_code)]

mod client;
mod clients;
mod metrics;
mod websocket;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use schat_proto::client::ResultCode;
use schat_proto::server::{admin_command::Cmd, server_msg::Msg, CommandResult, ConnLoad, ProcType};
use schat_runtime::admin::CommandFuture;
use schat_runtime::logging::{info, warn, Logger};
use schat_runtime::paired::dial_paired;
use schat_runtime::{Channel, Incoming, LiveConfig, Node, ProcConfig, ProcKind, Shutdown, Target};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify, Semaphore};

use clients::Clients;

/// What every client task of this process shares.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Client connections this process can hold (see `fd_limit`).
    pub capacity: usize,
    /// Accepting failed (out of descriptors, typically): reported to the
    /// directory as not accepting until then.
    pub starved_until: std::sync::Mutex<Option<tokio::time::Instant>>,
    pub me: ProcConfig,
    pub config: LiveConfig,
    pub logic: Channel,
    pub logic_id: u32,
    pub clients: Arc<Clients>,
    pub log: Logger,
    pub shutdown: Shutdown,
    pub node: Node,
    /// Drained by an operator: takes no clients, out of the directory.
    draining: AtomicBool,
    /// Tells the accept loop to close the listener.
    stop_accepting: Notify,
}

/// What a draining conn_serv tells its clients, and newcomers.
pub(crate) const DRAINING: &str = "draining: reconnect through the directory";

/// Clients told to go per step of a drain, and the pause between steps,
/// so they do not all reconnect elsewhere in the same millisecond.
const DRAIN_STEP: usize = 64;
const DRAIN_PAUSE: Duration = Duration::from_millis(10);

/// Serves clients on `listener` until `shutdown` fires.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    use anyhow::Context;
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    let logic_proc = config.current().logic_of(&me)?.clone();
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(16_384);
    node.stats.inbox(&inbox_tx);
    let (logic_down_tx, mut logic_down) = mpsc::unbounded_channel::<()>();
    // The logic link outlives the shutdown signal until this conn_serv has
    // left the directory (and ends with `run`, however it ends).
    let link_shutdown = shutdown.detached();
    let _close_link = TriggerOnDrop(link_shutdown.clone());
    let link_node = Node {
        shutdown: link_shutdown.clone(),
        ..node.clone()
    };
    let logic = dial_paired(&link_node, &logic_proc, inbox_tx, move || {
        let _ = logic_down_tx.send(());
    });
    // What this process can really hold: its configured maximum, or less
    // when the open-files limit is lower.
    let max_connections = config.current().limits.max_connections;
    let capacity = schat_runtime::fd_limit::client_capacity(max_connections);
    if capacity < max_connections {
        warn!(log, "The open-files limit caps client connections below limits.max_connections";
            "capacity" => capacity, "configured" => max_connections);
        node.stats.record_error(format!(
            "the open-files limit caps client connections at {capacity} (configured {max_connections})"
        ));
    }
    let conn = Arc::new(Conn {
        capacity,
        starved_until: std::sync::Mutex::new(None),
        me,
        config: config.clone(),
        logic,
        logic_id: logic_proc.id,
        clients: Clients::new(&node.stats),
        log: log.clone(),
        shutdown: shutdown.clone(),
        node: node.clone(),
        draining: AtomicBool::new(false),
        stop_accepting: Notify::new(),
    });
    let weak = Arc::downgrade(&conn);
    node.admin.set_commands(move |cmd| match cmd {
        Cmd::Drain(_) => Some(drain(weak.clone())),
        _ => None,
    });
    // Browsers connect to the WebSocket port, when the entry has one (wss
    // with its tls block).
    let ws_tls = conn
        .me
        .tls
        .as_ref()
        .map(|tls| schat_runtime::tls::acceptor(tls, conn.me.address(), &log))
        .transpose()?;
    let mut ws_listener = match conn.me.ws_addr() {
        Some(addr) => Some(
            TcpListener::bind(&addr)
                .await
                .with_context(|| format!("cannot listen for WebSocket clients on {addr}"))?,
        ),
        None => None,
    };
    info!(log, "Started"; "proc_id" => conn.me.id, "listen" => %listener.local_addr()?,
        "websocket" => conn.me.ws_url().unwrap_or_default(),
        "logic" => &logic_proc.name, "max_connections" => conn.capacity);

    let permits = Arc::new(Semaphore::new(conn.capacity));
    let mut accept_errors = 0u32;
    let mut listener = Some(listener);
    let report_period = || Duration::from_millis(config.current().directory.load_report_ms);
    let mut report = tokio::time::interval(report_period());
    loop {
        tokio::select! {
            // Shutdown first: links dropping because of it are not news.
            biased;
            _ = shutdown.cancelled() => break,
            _ = report.tick() => {
                if conn.has_dirs() {
                    let _ = conn.logic.push(Target::spec(ProcType::Logic, conn.logic_id), Msg::ConnLoad(conn.load(true)));
                }
                if report.period() != report_period() {
                    report = tokio::time::interval(report_period());
                    report.reset();
                }
            }
            Some(()) = logic_down.recv() => {
                let n_clients = conn.clients.close_all(ResultCode::Unavailable, "service restarting, reconnect");
                if n_clients > 0 {
                    warn!(log, "Lost the logic_serv, closed every client"; "clients" => n_clients);
                    node.stats.record_error(format!("lost the logic_serv, closed {n_clients} clients"));
                }
            }
            Some(incoming) = inbox.recv() => on_logic_packet(&conn, incoming),
            _ = conn.stop_accepting.notified(), if listener.is_some() => {
                listener = None;
                ws_listener = None;
                info!(log, "Draining: closed the client listeners");
            }
            accepted = accept(ws_listener.as_ref()) => {
                if let Ok((stream, addr)) = accepted {
                    // One cap on clients, whichever port they came to.
                    let permit = permits.clone().try_acquire_owned().ok();
                    websocket::spawn(conn.clone(), stream, addr, permit, ws_tls.clone());
                }
            }
            accepted = accept(listener.as_ref()) => match accepted {
                Ok((stream, addr)) => {
                    accept_errors = 0;
                    let permit = permits.clone().try_acquire_owned().ok();
                    client::spawn(conn.clone(), stream, addr, permit);
                }
                Err(err) => {
                    // Out of file descriptors, typically: back off a little,
                    // and tell the directory to send clients elsewhere.
                    accept_errors += 1;
                    conn.starve_for(STARVED_REPORT);
                    warn!(log, "Accept failed"; "error" => %err, "in_a_row" => accept_errors);
                    node.stats.record_error(format!("accept failed: {err}"));
                    let pause = Duration::from_millis(10 * u64::from(accept_errors.min(100)));
                    tokio::time::sleep(pause).await;
                }
            },
        }
    }
    // A failure is logged and recorded there; the stop goes on.
    let _ = conn.leave_directory().await;
    let n_clients = conn
        .clients
        .close_all(ResultCode::ShuttingDown, "server shutting down");
    info!(log, "Stopping"; "clients" => n_clients);
    Ok(())
}

/// Triggers a shutdown signal when dropped.
struct TriggerOnDrop(Shutdown);

impl Drop for TriggerOnDrop {
    fn drop(&mut self) {
        self.0.trigger();
    }
}

/// How long a stopping conn_serv waits for the dir_servs to drop it.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a failed accept keeps this conn_serv out of the directory.
const STARVED_REPORT: Duration = Duration::from_secs(5);

/// The next client on `listener`; never, once it is closed (draining).
async fn accept(listener: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// The operator's drain: stop taking clients, leave the directory, then
/// ask every client to reconnect elsewhere, a few at a time.
fn drain(conn: Weak<Conn>) -> CommandFuture {
    Box::pin(async move {
        let Some(conn) = conn.upgrade() else {
            return CommandResult::failed("conn_serv is stopping");
        };
        conn.draining.store(true, Ordering::Relaxed);
        conn.node.admin.set_draining(true);
        conn.stop_accepting.notify_one();
        let left = conn.leave_directory().await;
        let ids = conn.clients.ids();
        let notice =
            schat_proto::client::ServerMessage::closing(ResultCode::ShuttingDown, DRAINING);
        let notice = schat_proto::Wire::encode_frame(&notice);
        for (step, chunk) in ids.chunks(DRAIN_STEP).enumerate() {
            if step > 0 {
                tokio::time::sleep(DRAIN_PAUSE).await;
            }
            for conn_id in chunk {
                conn.clients.close(*conn_id, notice.clone());
            }
        }
        info!(conn.log, "Drained"; "clients" => ids.len());
        let detail = format!(
            "draining: told {} clients to reconnect elsewhere",
            ids.len()
        );
        match left {
            Ok(()) => CommandResult::done(detail),
            Err(err) => {
                CommandResult::done(format!("{detail}; could not leave the directory: {err}"))
            }
        }
    })
}

impl Conn {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Leaves the directory (before closing, so no client is sent here any
    /// more); bounded, a stuck logic must not hold a stop or a drain.
    /// Whether the cluster has dir_servs to report to (now: a reload may
    /// add one).
    fn has_dirs(&self) -> bool {
        self.config.current().has(ProcKind::DirServ)
    }

    async fn leave_directory(&self) -> Result<(), String> {
        if !self.has_dirs() || !self.logic.is_up() {
            return Ok(());
        }
        let leave = self.logic.request_within(
            Target::spec(ProcType::Logic, self.logic_id),
            self.load(false),
            LEAVE_TIMEOUT,
        );
        leave.await.map(drop).map_err(|err| {
            warn!(self.log, "Could not leave the directory"; "error" => %err);
            self.node
                .stats
                .record_error(format!("could not leave the directory: {err}"));
            err.to_string()
        })
    }

    /// This conn_serv's load report for the dir_servs.
    fn load(&self, accepting: bool) -> ConnLoad {
        let starved = self
            .starved_until
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .is_some_and(|until| tokio::time::Instant::now() < until);
        ConnLoad {
            conn_id: self.me.id,
            connections: u32::try_from(self.clients.len()).unwrap_or(u32::MAX),
            max_connections: u32::try_from(self.capacity).unwrap_or(u32::MAX),
            accepting: accepting && !starved && !self.is_draining(),
        }
    }

    fn starve_for(&self, period: Duration) {
        *self
            .starved_until
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) =
            Some(tokio::time::Instant::now() + period);
    }
}

fn on_logic_packet(conn: &Conn, incoming: Incoming) {
    match incoming.msg {
        Msg::Deliver(deliver) => conn.clients.send_to_each(&deliver.conn_ids, &deliver.frame),
        Msg::CloseConn(close) => conn.clients.close(close.conn_id, close.final_frame),
        Msg::ConnLogin(login) => conn.clients.logged_in(login.conn_id),
        Msg::AdminRequest(_) => schat_runtime::admin::serve(&conn.node, incoming, &[]),
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "conn_serv does not handle this message",
        ),
    }
}
