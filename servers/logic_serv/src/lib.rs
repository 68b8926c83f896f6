//! logic_serv: sessions and the business rules for the users who connect
//! through its conn_serv.
//!
//! Each client connection is a session task fed in order by the frames conn
//! forwards (see [`session`]). Storage goes to the paired db_logic_serv;
//! presence and cross-set messages (kicking a session on another logic, say)
//! go through the disps.

#![forbid(unsafe_code)]

mod account;
mod admin;
mod auth;
mod chat;
mod context;
mod devices;
mod dispatch;
mod files;
mod guard;
mod presence;
mod profile;
mod rate;
mod reply;
mod requests;
mod session;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use schat_proto::server::GetSecret;
use schat_runtime::config::ProcKind;
use schat_runtime::logging::{info, warn};
use schat_runtime::paired::{dial_paired, serve_paired};
use schat_runtime::{Fabric, Incoming, Node};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, OnceCell};

use auth::Tokens;
use context::Logic;
use presence::Presence;
use schat_runtime::password::Passwords;
use sessions::Sessions;

/// Name of the token signing key among the cluster secrets.
const TOKEN_KEY: &str = "token_key";

/// Serves the paired conn_serv on `listener` until `shutdown` fires.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    let start_config = config.current();
    let conn_proc = start_config
        .paired_with(&me.name, ProcKind::ConnServ)
        .context("no conn_serv names this logic_serv")?
        .clone();
    let db_proc = start_config
        .paired_with(&me.name, ProcKind::DbLogicServ)
        .context("no db_logic_serv names this logic_serv")?
        .clone();
    let passwords = Passwords::new(&start_config.auth)?;
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(16_384);
    node.stats.inbox(&inbox_tx);

    let fabric = Fabric::start(&node, inbox_tx.clone());
    let db = dial_paired(&node, &db_proc, inbox_tx.clone(), || {});
    let (conn_down_tx, mut conn_down) = mpsc::unbounded_channel::<()>();
    let conn = serve_paired(listener, &node, &conn_proc, inbox_tx, move || {
        let _ = conn_down_tx.send(());
    });
    info!(log, "Started"; "proc_id" => me.id, "conn" => &conn_proc.name,
        "db" => &db_proc.name, "disps" => start_config.disp_addrs().len());

    let logic = Arc::new(Logic {
        presence: Presence::new(me.id, node.incarnation, fabric.clone()),
        me,
        config: config.clone(),
        db,
        db_id: db_proc.id,
        conn,
        conn_id: conn_proc.id,
        fabric,
        sessions: Sessions::default(),
        passwords,
        tokens: OnceCell::new(),
        file_keys: files::FileKeys::default(),
        log: log.clone(),
        shutdown: shutdown.clone(),
        metrics: admin::LogicMetrics::register(&node.stats),
        node: node.clone(),
    });
    admin::register(&logic);
    shutdown.spawn(fetch_token_key(logic.clone()));
    shutdown.spawn(files::refresh_tokens(logic.clone()));

    let beat_period = || Duration::from_millis(config.current().timing.presence_beat_ms);
    let mut beat = tokio::time::interval(beat_period());
    loop {
        let incoming = tokio::select! {
            // Shutdown first: links dropping because of it are not news.
            biased;
            _ = shutdown.cancelled() => break,
            _ = beat.tick() => {
                logic.presence.beat();
                if beat.period() != beat_period() {
                    beat = tokio::time::interval(beat_period());
                    beat.reset();
                }
                continue;
            }
            Some(()) = conn_down.recv() => {
                let n_sessions = logic.sessions.close_all("conn_serv link lost");
                logic.presence.clear();
                files::conn_gone(&logic);
                warn!(log, "Lost the conn_serv, ended its sessions"; "sessions" => n_sessions);
                node.stats.record_error(format!("lost the conn_serv, ended {n_sessions} sessions"));
                continue;
            }
            incoming = inbox.recv() => incoming,
        };
        let Some(incoming) = incoming else { break };
        dispatch::dispatch(&logic, incoming);
    }
    info!(log, "Stopping"; "sessions" => logic.sessions.n_sessions(),
        "users" => logic.presence.n_users());
    logic.presence.clear();
    Ok(())
}

/// Gets the cluster's token signing key, retrying until db_logic answers.
async fn fetch_token_key(logic: Arc<Logic>) {
    let mut delay = Duration::from_millis(50);
    let request = GetSecret {
        name: TOKEN_KEY.to_string(),
        length: 32,
        ttl_secs: 0,
    };
    loop {
        match logic.db(request.clone()).await {
            Ok(secret) => {
                let ttl = Duration::from_secs(logic.config.current().auth.token_ttl_secs);
                let _ = logic.tokens.set(Tokens::new(secret.value.to_vec(), ttl));
                info!(logic.log, "Token key loaded");
                return;
            }
            Err(err) => {
                if delay >= Duration::from_secs(1) {
                    warn!(logic.log, "Waiting for the token key"; "error" => %err);
                    logic
                        .node
                        .stats
                        .record_error(format!("waiting for the token key: {err}"));
                }
            }
        }
        tokio::select! {
            _ = logic.shutdown.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}
