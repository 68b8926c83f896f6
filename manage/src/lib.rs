//! manage_serv: the operators' process. It links to the disps like every
//! other process, asks every process for its stats (`poll`), serves the
//! web console's API and Prometheus `/metrics` (`http_api`, `metrics`,
//! `events`), sends operators' commands (`commands`), keeps operator
//! accounts and API tokens (`accounts`, `auth`) and audits every action
//! (`audit`). `cli` is the binary's command line.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod alarms;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod events;
pub mod files;
pub mod http_api;
pub mod metrics;
pub mod poll;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use schat_proto::client::ResultCode;
use schat_proto::server::server_msg::Msg;
use schat_runtime::logging::{info, warn};
use schat_runtime::password::Passwords;
use schat_runtime::rpc::serve_inbox;
use schat_runtime::{http as serve_http, tls, ClusterConfig, Fabric, Incoming, Node};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::accounts::Accounts;
use crate::audit::Audit;
use crate::auth::Auth;
use crate::http_api::Console;

/// The cluster file as it is now.
pub fn current_config(node: &Node) -> Arc<ClusterConfig> {
    node.config.current()
}

/// Where this manage_serv keeps its operators, tokens and audit log.
pub fn data_dir(node: &Node) -> anyhow::Result<PathBuf> {
    node.me
        .data_dir
        .as_deref()
        .map(PathBuf::from)
        .with_context(|| format!("{} has no data_dir", node.me.name))
}

/// Serves the console on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let config = current_config(&node);
    let data_dir = data_dir(&node)?;
    let accounts = Accounts::open(&data_dir)?;
    let audit = Audit::open(&data_dir, node.log.clone())?;
    let passwords = Passwords::new(&config.auth)?;
    // Settings are read from the running configuration at each use, so
    // a reload applies every manage.* setting.
    let settings_node = node.clone();
    let settings: auth::Settings = Box::new(move || settings_node.config.current().manage.clone());
    let auth = Arc::new(Auth::new(accounts, passwords, settings).await?);
    let metrics_token = http_api::MetricsToken::default();
    if let Some(path) = &config.manage.metrics_token_file {
        if metrics_token.read(path).is_none() {
            anyhow::bail!("cannot read manage.metrics_token_file {path}, or it is empty");
        }
    }
    let tls = node
        .me
        .tls
        .as_ref()
        .map(|tls| tls::acceptor(tls, node.me.address(), &node.log))
        .transpose()?;

    let (inbox_tx, inbox) = mpsc::channel::<Incoming>(1024);
    node.stats.inbox(&inbox_tx);
    let fabric = Fabric::start(&node, inbox_tx);
    let answerer = node.clone();
    node.shutdown
        .spawn(serve_inbox(inbox, node.shutdown.clone(), move |incoming| {
            answer(&answerer, incoming)
        }));
    let published = poll::start(&node, fabric.clone());

    let url = node.me.public_addr().unwrap_or_default();
    info!(node.log, "Started"; "proc_id" => node.me.id, "listen" => %listener.local_addr()?,
        "console" => &url);
    if !auth.has_operators() {
        warn!(node.log, "{}", http_api::setup_hint(&node));
    }
    let console = Arc::new(Console {
        node: node.clone(),
        fabric,
        published,
        auth,
        audit,
        metrics_token,
        secure: tls.is_some(),
    });
    serve_http::serve(listener, tls, &node, move |request, peer| {
        console.clone().handle(request, peer)
    })
    .await
}

/// What manage_serv answers on the fabric: its own stats and commands.
fn answer(node: &Node, incoming: Incoming) {
    match incoming.msg {
        Msg::AdminRequest(_) => schat_runtime::admin::serve(node, incoming, &[]),
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "manage_serv does not handle this message",
        ),
    }
}
