//! chat_serv: groups and their messages.
//!
//! Groups are sharded over the live chat_servs by rendezvous hashing of the
//! gid (logic sends group requests with HASH through a disp), so when one
//! chat_serv dies its groups move to the others and come back when it
//! returns. Nothing here is the only copy of anything: every change is
//! written to Redis (through the paired db_chat_serv) before it is
//! acknowledged, and a message's seq is assigned atomically in Redis, so two
//! chat_servs that briefly both handle a group cannot assign the same seq.
//! Each active group is an actix actor ([`actor`], run by [`actors`]) that
//! stores the group's messages in order, in batches, answers each once it
//! is stored and then pushes them in seq order. Its only cache is the
//! group's member list, used for pushes, tagged with the group's membership
//! version; every stored message carries the version it was stored under,
//! and a list of another version is fetched again.

#![forbid(unsafe_code)]

mod actor;
mod actors;
mod admin;
mod contacts;
mod context;
mod deliver;
mod dispatch;
mod file_checks;
mod groups;
mod membership;
mod messages;
mod offline_push;
mod reply;
mod roles;
mod typing;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use schat_proto::server::ProcType;
use schat_runtime::logging::info;
use schat_runtime::paired::dial_paired;
use schat_runtime::password::Passwords;
use schat_runtime::rendezvous;
pub(crate) use schat_runtime::Failure;
use schat_runtime::{Fabric, Incoming, Node};
use tokio::sync::mpsc;
use tokio::time::Instant;

use actors::GroupActors;
pub(crate) use context::Chat;

/// Runs chat_serv until the node shuts down. It listens on nothing: its
/// requests come through the disps.
pub async fn run(node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    let start_config = config.current();
    let db_proc = start_config
        .paired_with(&me.name, schat_runtime::ProcKind::DbChatServ)
        .ok_or_else(|| anyhow::anyhow!("no db_chat_serv names this chat_serv"))?
        .clone();
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(16_384);
    node.stats.inbox(&inbox_tx);
    let fabric = Fabric::start(&node, inbox_tx.clone());
    let db = dial_paired(&node, &db_proc, inbox_tx, || {});
    info!(log, "Started"; "proc_id" => me.id, "db" => &db_proc.name,
        "disps" => start_config.disp_addrs().len());
    let chat = Arc::new(Chat {
        passwords: Passwords::new(&start_config.auth)?,
        config: config.clone(),
        db,
        db_id: db_proc.id,
        fabric,
        groups: GroupActors::start()?,
        presence: Mutex::default(),
        log: log.clone(),
        stats: node.stats.clone(),
        metrics: admin::ChatMetrics::register(&node.stats),
        node: node.clone(),
        typing: typing::TypingLimit::default(),
        offline_push: offline_push::OfflinePush::new(&node.stats),
    });
    admin::register(&chat);
    shutdown.spawn(offline_push::run(chat.clone()));

    let sweep_period = || Duration::from_millis(config.current().timing.presence_beat_ms);
    let mut sweep = tokio::time::interval(sweep_period());
    loop {
        let incoming = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            _ = sweep.tick() => {
                let expiry = Duration::from_millis(config.current().timing.presence_expiry_ms);
                chat.lock_presence().expire(expiry, Instant::now());
                release_moved_groups(&chat);
                if sweep.period() != sweep_period() {
                    sweep = tokio::time::interval(sweep_period());
                    sweep.reset();
                }
                continue;
            }
            incoming = inbox.recv() => incoming,
        };
        let Some(incoming) = incoming else { break };
        if let Some(incoming) = dispatch::inline(&chat, incoming) {
            let chat = chat.clone();
            shutdown.spawn(async move { dispatch::serve(&chat, incoming).await });
        }
    }
    info!(log, "Stopping"; "active_groups" => chat.groups.len());
    chat.groups.stop();
    Ok(())
}

/// Stops the actors of groups that hash to another chat_serv now (one
/// joined the set, or this one was degraded): their writes go there. Run
/// every beat, not only when this process sees the set change: a peer that
/// left and came back between two beats leaves behind actors started while
/// it was away, and only this check lets them go.
fn release_moved_groups(chat: &Chat) {
    let me = chat.node.me.id;
    let serving = chat.fabric.serving_peers(ProcType::Chat);
    if serving.is_empty() {
        // No disp's view yet (or none live): nothing is known to have moved.
        return;
    }
    let released = chat.groups.release_where(|gid| {
        rendezvous::owner(gid, serving.iter().copied()).is_some_and(|owner| owner != me)
    });
    if released > 0 {
        info!(chat.log, "Released groups that hash elsewhere now"; "groups" => released);
    }
}
