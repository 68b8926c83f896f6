//! online_serv: global presence, uid → (logic, conn) for every online user.
//!
//! Several online_servs run as equal masters: every logic_serv sends its
//! presence changes to all of them (ALL through a disp), and any of them
//! answers a lookup. The map lives in memory only and is rebuilt from the
//! logics (see `schat_runtime::presence_map`), so a restarted online_serv
//! is whole again within one presence beat.

#![forbid(unsafe_code)]

use std::time::Duration;

use schat_proto::server::{server_msg::Msg, Located, ProcType, SnapshotRequest};
use schat_runtime::logging::{debug, info, warn};
use schat_runtime::{Fabric, Node, Target};
use tokio::sync::mpsc;
use tokio::time::Instant;

use schat_runtime::presence_map::{PresenceMap, Verdict};

/// Runs online_serv until `shutdown` fires. It listens on nothing: all its
/// traffic comes through the disps.
pub async fn run(node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    let (inbox_tx, mut inbox) = mpsc::channel(16_384);
    node.stats.inbox(&inbox_tx);
    let online_users = node
        .stats
        .gauge("online_users", "Users online anywhere in the cluster.");
    let fabric = Fabric::start(&node, inbox_tx);
    info!(log, "Started"; "proc_id" => me.id, "disps" => config.current().disp_addrs().len());

    let sweep_period = || Duration::from_millis(config.current().timing.presence_beat_ms);
    let mut sweep = tokio::time::interval(sweep_period());
    let mut map = PresenceMap::default();
    loop {
        let incoming = tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = sweep.tick() => {
                let expiry = Duration::from_millis(config.current().timing.presence_expiry_ms);
                if sweep.period() != sweep_period() {
                    sweep = tokio::time::interval(sweep_period());
                    sweep.reset();
                }
                let expired = map.expire(expiry, Instant::now());
                online_users.set(i64::try_from(map.n_users()).unwrap_or(i64::MAX));
                for (logic_id, n_users) in expired {
                    warn!(log, "Logic went silent, its users are offline";
                        "logic_id" => logic_id, "users" => n_users);
                    node.stats.record_error(format!(
                        "logic {logic_id} went silent, its {n_users} users are offline"
                    ));
                }
                continue;
            }
            incoming = inbox.recv() => incoming,
        };
        let Some(incoming) = incoming else { break };
        if let Msg::AdminRequest(_) = incoming.msg {
            schat_runtime::admin::serve(&node, incoming, &[]);
            continue;
        }
        let now = Instant::now();
        let verdict = match &incoming.msg {
            Msg::PresenceDelta(delta) => map.apply_delta(delta.clone(), now),
            Msg::PresenceBeat(beat) => map.apply_beat(beat, now),
            Msg::PresenceSnapshot(snapshot) => {
                let verdict = map.apply_snapshot(snapshot.clone(), now);
                if verdict == Verdict::Applied {
                    debug!(log, "Presence snapshot applied";
                        "logic_id" => snapshot.logic_id, "users" => snapshot.entries.len());
                }
                verdict
            }
            Msg::Locate(locate) => {
                incoming.reply(Msg::Located(Located {
                    entries: map.locate(&locate.uids),
                }));
                Verdict::Applied
            }
            _ => {
                incoming.reply_error(
                    schat_proto::client::ResultCode::UnknownMessage,
                    "online_serv does not handle this message",
                );
                Verdict::Applied
            }
        };
        online_users.set(i64::try_from(map.n_users()).unwrap_or(i64::MAX));
        if let Verdict::NeedSnapshot(logic_id) = verdict {
            let target = Target::spec(ProcType::Logic, logic_id);
            if let Err(err) = fabric
                .channel()
                .push(target, Msg::SnapshotRequest(SnapshotRequest {}))
            {
                debug!(log, "Cannot ask for a presence snapshot"; "logic_id" => logic_id, "error" => %err);
            }
        }
    }
    info!(log, "Stopping"; "users" => map.n_users());
    Ok(())
}
