//! conn_serv: holds the clients' TCP connections for its logic_serv.
//!
//! It frames and unframes, answers pings itself, enforces the frame limit,
//! the connection cap and the idle timeout, and keeps a bounded send queue per
//! client. Everything else is forwarded to the paired logic_serv as raw
//! frames; what logic sends back (one encoded frame for one or many
//! connections) is written to each socket as the same bytes.

#![forbid(unsafe_code)]

mod client;
mod clients;

use std::sync::Arc;
use std::time::Duration;

use schat_proto::client::ResultCode;
use schat_proto::server::server_msg::Msg;
use schat_runtime::logging::{info, warn, Logger};
use schat_runtime::paired::dial_paired;
use schat_runtime::{Channel, ClusterConfig, Incoming, Node, ProcConfig, Shutdown};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};

use clients::Clients;

/// What every client task of this process shares.
#[derive(Debug)]
pub(crate) struct Conn {
    pub me: ProcConfig,
    pub config: Arc<ClusterConfig>,
    pub logic: Channel,
    pub logic_id: u32,
    pub clients: Clients,
    pub log: Logger,
    pub shutdown: Shutdown,
}

/// Serves clients on `listener` until `shutdown` fires.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
    } = node.clone();
    let logic_proc = config.logic_of(&me)?.clone();
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(16_384);
    let (logic_down_tx, mut logic_down) = mpsc::unbounded_channel::<()>();
    let logic = dial_paired(&node, &logic_proc, inbox_tx, move || {
        let _ = logic_down_tx.send(());
    });
    let conn = Arc::new(Conn {
        me,
        config: config.clone(),
        logic,
        logic_id: logic_proc.id,
        clients: Clients::default(),
        log: log.clone(),
        shutdown: shutdown.clone(),
    });
    info!(log, "Started"; "proc_id" => conn.me.id, "listen" => %listener.local_addr()?,
        "logic" => &logic_proc.name, "max_connections" => config.limits.max_connections);

    let permits = Arc::new(Semaphore::new(config.limits.max_connections));
    let mut accept_errors = 0u32;
    loop {
        tokio::select! {
            // Shutdown first: links dropping because of it are not news.
            biased;
            _ = shutdown.cancelled() => break,
            Some(()) = logic_down.recv() => {
                let n_clients = conn.clients.close_all(ResultCode::Unavailable, "service restarting, reconnect");
                if n_clients > 0 {
                    warn!(log, "Lost the logic_serv, closed every client"; "clients" => n_clients);
                }
            }
            Some(incoming) = inbox.recv() => on_logic_packet(&conn, incoming),
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    accept_errors = 0;
                    let permit = permits.clone().try_acquire_owned().ok();
                    client::spawn(conn.clone(), stream, addr, permit);
                }
                Err(err) => {
                    // Out of file descriptors, typically: back off a little.
                    accept_errors += 1;
                    warn!(log, "Accept failed"; "error" => %err, "in_a_row" => accept_errors);
                    let pause = Duration::from_millis(10 * u64::from(accept_errors.min(100)));
                    tokio::time::sleep(pause).await;
                }
            },
        }
    }
    let n_clients = conn
        .clients
        .close_all(ResultCode::ShuttingDown, "server shutting down");
    info!(log, "Stopping"; "clients" => n_clients);
    Ok(())
}

fn on_logic_packet(conn: &Conn, incoming: Incoming) {
    match incoming.msg {
        Msg::Deliver(deliver) => {
            for conn_id in deliver.conn_ids {
                conn.clients.send(conn_id, deliver.frame.clone());
            }
        }
        Msg::CloseConn(close) => conn.clients.close(close.conn_id, close.final_frame),
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "conn_serv does not handle this message",
        ),
    }
}
