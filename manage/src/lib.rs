//! manage_serv: the operators' process. It links to the disps like every
//! other process, asks every process for its stats, serves the web console
//! and Prometheus `/metrics`, and sends operators' commands.

#![forbid(unsafe_code)]

pub mod assets;

use schat_proto::client::ResultCode;
use schat_proto::server::server_msg::Msg;
use schat_runtime::logging::info;
use schat_runtime::rpc::serve_inbox;
use schat_runtime::{Fabric, Incoming, Node};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Serves the console on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let (inbox_tx, inbox) = mpsc::channel::<Incoming>(1024);
    node.stats.inbox(&inbox_tx);
    let _fabric = Fabric::start(&node, inbox_tx);
    info!(node.log, "Started"; "proc_id" => node.me.id, "listen" => %listener.local_addr()?);
    let packet_node = node.clone();
    node.shutdown.spawn(serve_inbox(
        inbox,
        node.shutdown.clone(),
        move |incoming| match incoming.msg {
            Msg::AdminRequest(_) => schat_runtime::admin::serve(&packet_node, incoming, &[]),
            _ => incoming.reply_error(
                ResultCode::UnknownMessage,
                "manage_serv does not handle this message",
            ),
        },
    ));
    node.shutdown.cancelled().await;
    Ok(())
}
