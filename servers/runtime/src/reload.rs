//! Config reload: re-read cluster.json, validate it, apply what can change
//! live, and report what needs a restart.
//!
//! [`plan`] compares the running config with the new file and builds the
//! config to run from now on: the new file, except that what cannot change
//! in a running process keeps its old value (and is reported as needing a
//! restart). [`reload`] reads the file, plans, swaps the result in and
//! applies the log settings; a bad file changes nothing.
//!
//! What cannot change live: `redis.*`, `limits.worker_threads`,
//! `limits.max_frame_bytes` (the codecs hold it), `limits.max_connections`
//! (conn_serv sizes its connection permits at start), the argon2 costs (the
//! hashers hold them), a process's entry changed or removed (other than
//! its `weight` and `log`), and a new disp_serv (every process dials the
//! disps it knew at start). Everything else is read where it is used, so
//! the swap is the whole of applying it; a new process of any other kind
//! is accepted by the running ones from the moment of the swap.

use schat_proto::server::CommandResult;
use serde_json::Value;

use crate::config::{ClusterConfig, ProcConfig, ProcKind};
use crate::logging::{info, parse_level, warn};
use crate::node::Node;

/// Settings (dotted names, or a prefix of them) a running process keeps
/// until it restarts.
const NEEDS_RESTART: [&str; 7] = [
    "redis",
    "limits.max_connections",
    "limits.worker_threads",
    "limits.max_frame_bytes",
    "auth.argon2_memory_kib",
    "auth.argon2_iterations",
    "auth.argon2_lanes",
];

/// What a reload does: the config to run, and what the new file changed.
#[derive(Debug)]
pub struct Plan {
    pub config: ClusterConfig,
    /// Applied: dotted names (`chat.max_message_bytes`,
    /// `procs.conn_serv-1.weight`) and `procs: added <name>`.
    pub changed: Vec<String>,
    /// In the file but not applied until this process restarts.
    pub needs_restart: Vec<String>,
}

/// Reloads the cluster file this process started from and logs the outcome.
pub fn reload(node: &Node) -> CommandResult {
    let _one_at_a_time = node.config.reload_lock();
    let result = match try_reload(node) {
        Ok(plan) => {
            let detail = if plan.changed.is_empty() && plan.needs_restart.is_empty() {
                "reloaded: nothing changed".to_string()
            } else {
                format!(
                    "reloaded: {} changed, {} need a restart",
                    plan.changed.len(),
                    plan.needs_restart.len()
                )
            };
            CommandResult {
                ok: true,
                detail,
                changed: plan.changed,
                needs_restart: plan.needs_restart,
            }
        }
        Err(reason) => CommandResult::failed(reason),
    };
    if result.ok {
        info!(node.log, "Config reloaded"; "changed" => result.changed.join(", "),
            "needs_restart" => result.needs_restart.join(", "));
    } else {
        warn!(node.log, "Config reload refused, nothing changed"; "reason" => &result.detail);
    }
    result
}

fn try_reload(node: &Node) -> Result<Plan, String> {
    let path = node
        .config
        .path()
        .ok_or("this process was started without a cluster file: nothing to reload")?;
    let new = ClusterConfig::load(path).map_err(|err| err.to_string())?;
    let old = node.config.current();
    let plan = plan(&old, new, &node.me)?;
    node.config.replace(plan.config.clone());
    let level = plan.config.log_level_of(&node.me);
    if parse_level(level).is_some() {
        node.logs.set_level(level)?;
    }
    node.logs.set_format(plan.config.log.format);
    Ok(plan)
}

/// Compares the running config `old` with a new, valid file `new` for the
/// process `me`. Refuses (with the reason) when `me` is gone from the new
/// file, or when what can be applied does not make a valid config.
pub fn plan(old: &ClusterConfig, new: ClusterConfig, me: &ProcConfig) -> Result<Plan, String> {
    if new.proc_by_name(&me.name).is_err() {
        return Err(format!(
            "{} is not in the new cluster file: stop it instead",
            me.name
        ));
    }
    let mut changed = Vec::new();
    let mut needs_restart = Vec::new();
    let sections = |config: &ClusterConfig| {
        let mut value = serde_json::to_value(config).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.remove("procs");
        }
        value
    };
    let mut dotted = Vec::new();
    diff_values("", &sections(old), &sections(&new), &mut dotted);
    for name in dotted {
        let restart = NEEDS_RESTART
            .iter()
            .any(|key| name == *key || name.starts_with(&format!("{key}.")));
        if restart {
            needs_restart.push(name);
        } else {
            changed.push(name);
        }
    }
    let mut config = new;
    config.redis = old.redis.clone();
    config.limits.worker_threads = old.limits.worker_threads;
    config.limits.max_connections = old.limits.max_connections;
    config.limits.max_frame_bytes = old.limits.max_frame_bytes;
    config.auth.argon2_memory_kib = old.auth.argon2_memory_kib;
    config.auth.argon2_iterations = old.auth.argon2_iterations;
    config.auth.argon2_lanes = old.auth.argon2_lanes;
    config.procs = merge_procs(&old.procs, config.procs, &mut changed, &mut needs_restart);
    config.validate().map_err(|err| {
        format!("the new file cannot be applied to the running process without a restart: {err}")
    })?;
    Ok(Plan {
        config,
        changed,
        needs_restart,
    })
}

/// The procs list to run: new entries and live changes (`weight`, `log`)
/// taken; changed and removed entries kept as they were, and new disps
/// left out, each reported as needing a restart.
fn merge_procs(
    old: &[ProcConfig],
    new: Vec<ProcConfig>,
    changed: &mut Vec<String>,
    needs_restart: &mut Vec<String>,
) -> Vec<ProcConfig> {
    let mut merged = Vec::with_capacity(new.len());
    for proc in new {
        let Some(before) = old.iter().find(|before| before.name == proc.name) else {
            if proc.kind == ProcKind::DispServ {
                needs_restart.push(format!("procs: added {} (a new disp_serv)", proc.name));
            } else {
                changed.push(format!("procs: added {}", proc.name));
                merged.push(proc);
            }
            continue;
        };
        let same_but_live = ProcConfig {
            weight: before.weight,
            log: before.log.clone(),
            ..proc.clone()
        };
        // The address is resolved from `hosts`, not part of the entry's JSON.
        if to_value(&same_but_live) != to_value(before) || proc.address() != before.address() {
            needs_restart.push(format!("procs: changed {}", proc.name));
            merged.push(before.clone());
            continue;
        }
        if proc.weight != before.weight {
            changed.push(format!("procs.{}.weight", proc.name));
        }
        if proc.log != before.log {
            changed.push(format!("procs.{}.log", proc.name));
        }
        merged.push(proc);
    }
    for before in old {
        if !merged.iter().any(|proc| proc.name == before.name) {
            needs_restart.push(format!("procs: removed {}", before.name));
            merged.push(before.clone());
        }
    }
    merged
}

fn to_value(proc: &ProcConfig) -> Value {
    serde_json::to_value(proc).unwrap_or(Value::Null)
}

/// Appends the dotted names of the leaves that differ between `old` and
/// `new` (objects are walked; anything else is compared whole).
fn diff_values(prefix: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                diff_values(
                    &name,
                    old.get(key).unwrap_or(&Value::Null),
                    new.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (old, new) if old != new => out.push(prefix.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
