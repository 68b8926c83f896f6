//! manage_serv: the operators' process. It links to the disps like every
//! other process, asks every process for its stats, serves the web console
//! and Prometheus `/metrics`, and sends operators' commands.

#![forbid(unsafe_code)]

pub mod assets;

use schat_proto::client::ResultCode;
use schat_runtime::logging::info;
use schat_runtime::rpc::serve_inbox;
use schat_runtime::{Fabric, Incoming, Node};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Serves the console on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let (inbox_tx, inbox) = mpsc::channel::<Incoming>(1024);
    let _fabric = Fabric::start(&node, inbox_tx);
    info!(node.log, "Started"; "proc_id" => node.me.id, "listen" => %listener.local_addr()?);
    node.shutdown
        .spawn(serve_inbox(inbox, node.shutdown.clone(), |incoming| {
            incoming.reply_error(
                ResultCode::UnknownMessage,
                "manage_serv does not handle this message",
            )
        }));
    node.shutdown.cancelled().await;
    Ok(())
}
