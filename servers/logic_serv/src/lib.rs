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
mod files;
mod guard;
mod presence;
mod profile;
mod rate;
mod requests;
mod session;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use schat_proto::calls::Call;
use schat_proto::client::ResultCode;
use schat_proto::server::{server_msg::Msg, Deliver, GetSecret, ProcType};
use schat_runtime::config::ProcKind;
use schat_runtime::logging::{info, warn, Logger};
use schat_runtime::paired::{dial_paired, serve_paired};
use schat_runtime::{
    CallError, Channel, Fabric, Incoming, LiveConfig, Node, ProcConfig, Shutdown, Target,
};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, OnceCell};

use auth::Tokens;
use presence::Presence;
use schat_runtime::password::Passwords;
use sessions::Sessions;

/// Name of the token signing key among the cluster secrets.
const TOKEN_KEY: &str = "token_key";

/// What every session of this process shares.
#[derive(Debug)]
pub(crate) struct Logic {
    pub me: ProcConfig,
    pub config: LiveConfig,
    pub db: Channel,
    pub db_id: u32,
    pub conn: Channel,
    pub conn_id: u32,
    pub fabric: Fabric,
    pub sessions: Sessions,
    pub presence: Presence,
    pub passwords: Passwords,
    pub tokens: OnceCell<Tokens>,
    pub file_keys: files::FileKeys,
    pub log: Logger,
    pub shutdown: Shutdown,
    /// For stats and admin requests.
    pub node: Node,
    pub metrics: admin::LogicMetrics,
}

impl Logic {
    /// One request to this set's db_logic_serv.
    pub async fn db<R: Call>(&self, request: R) -> Result<R::Reply, CallError> {
        self.db
            .request(Target::spec(ProcType::DbLogic, self.db_id), request)
            .await
    }
}

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
        presence: Presence::new(me.id, fabric.clone()),
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
        dispatch(&logic, incoming);
    }
    info!(log, "Stopping"; "sessions" => logic.sessions.n_sessions(),
        "users" => logic.presence.n_users());
    logic.presence.clear();
    Ok(())
}

fn dispatch(logic: &Arc<Logic>, incoming: Incoming) {
    match incoming.msg {
        Msg::ClientFrame(frame) => logic.sessions.on_frame(logic, frame),
        Msg::ConnClosed(closed) => logic.sessions.on_conn_closed(closed.conn_id, closed.reason),
        Msg::KickSession(kick) => {
            logic.sessions.kick(kick.uid, kick.session_id, kick.reason);
        }
        Msg::UserDeliver(deliver) => {
            let conn_ids = logic.sessions.conn_ids_of(&deliver.uids);
            if !conn_ids.is_empty() {
                let deliver = Deliver {
                    conn_ids,
                    frame: deliver.frame,
                };
                let _ = logic.conn.push(
                    Target::spec(ProcType::Conn, logic.conn_id),
                    Msg::Deliver(deliver),
                );
            }
        }
        Msg::SnapshotRequest(_) => logic
            .presence
            .send_snapshot(incoming.route.source_type(), incoming.route.source_id),
        Msg::GetFileKey(request) => {
            let epoch = request.epoch;
            logic
                .shutdown
                .spawn(files::serve_key_request(logic.clone(), incoming, epoch));
        }
        Msg::GetFileRevocation(request) => {
            let uid = request.uid;
            logic.shutdown.spawn(files::serve_revocation_request(
                logic.clone(),
                incoming,
                uid,
            ));
        }
        Msg::ConnLoad(load) => files::on_conn_load(logic, incoming, load),
        Msg::AdminRequest(_) => admin::on_request(logic, incoming),
        Msg::CheckFileRef(ref check) => {
            let path = check.path.clone();
            let logic = logic.clone();
            logic
                .shutdown
                .clone()
                .spawn(files::serve_ref_check(logic, incoming, path));
        }
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "logic_serv does not handle this message",
        ),
    }
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
