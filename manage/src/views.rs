//! The JSON shapes of the console API (`/api/v1/procs` and below), built
//! from a poll's snapshot.

use schat_proto::server::{MetricKind, ProcStats};
use serde_json::{json, Value};

use crate::poll::{ProcView, Sample, State};

/// `GET /api/v1/procs`.
pub fn procs_json(now_ms: u64, procs: &[ProcView]) -> Value {
    json!({
        "now_ms": now_ms,
        "procs": procs.iter().map(|proc| row(now_ms, proc)).collect::<Vec<_>>(),
    })
}

/// One process's row; what only its answer tells is `null` until it
/// answered once.
pub fn row(now_ms: u64, proc: &ProcView) -> Value {
    let stats: Option<&ProcStats> = proc.stats.as_deref();
    let from = |read: &dyn Fn(&ProcStats) -> Value| stats.map_or(Value::Null, read);
    let uptime = match (stats, proc.state) {
        (Some(stats), State::Up | State::Stale) => {
            json!(now_ms.saturating_sub(stats.started_at_ms) / 1000)
        }
        _ => Value::Null,
    };
    json!({
        "name": proc.name,
        "type": proc.kind.name(),
        "id": proc.id,
        "set": proc.set,
        "host": proc.host,
        "state": proc.state.name(),
        "pid": from(&|s| json!(s.pid)),
        "version": from(&|s| json!(s.version)),
        "commit": from(&|s| json!(s.commit)),
        "started_at_ms": from(&|s| json!(s.started_at_ms)),
        "last_seen_ms": if proc.last_seen_ms == 0 { Value::Null } else { json!(proc.last_seen_ms) },
        "uptime_secs": uptime,
        "cpu_percent": round2(proc.rates.cpu_percent),
        "cpu_seconds": from(&|s| json!(s.cpu_seconds)),
        "rss_bytes": from(&|s| json!(s.rss_bytes)),
        "open_files": from(&|s| json!(s.open_files)),
        "max_files": from(&|s| json!(s.max_files)),
        "connections": proc.rates.connections,
        "messages_per_s": round2(proc.rates.messages_per_s),
        "deliveries_per_s": round2(proc.rates.deliveries_per_s),
        "log_level": from(&|s| json!(s.log_level)),
        "degraded": from(&|s| json!(s.degraded)),
        "draining": from(&|s| json!(s.draining)),
        "last_error": from(&|s| if s.last_error.is_empty() { Value::Null } else { json!(s.last_error) }),
        "last_error_at_ms": from(&|s| if s.last_error_at_ms == 0 { Value::Null } else { json!(s.last_error_at_ms) }),
    })
}

/// `GET /api/v1/procs/{name}`: the row and every metric of the last answer.
pub fn detail(now_ms: u64, proc: &ProcView) -> Value {
    let metrics: Vec<Value> = proc
        .stats
        .as_deref()
        .map(|stats| {
            stats
                .metrics
                .iter()
                .map(|metric| {
                    let labels: serde_json::Map<String, Value> = metric
                        .labels
                        .iter()
                        .map(|label| (label.name.clone(), json!(label.value)))
                        .collect();
                    json!({
                        "name": metric.name,
                        "kind": kind_name(metric.kind),
                        "help": metric.help,
                        "labels": labels,
                        "value": metric.value,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({ "row": row(now_ms, proc), "metrics": metrics })
}

pub fn kind_name(kind: i32) -> &'static str {
    if kind == MetricKind::Counter as i32 {
        "counter"
    } else {
        "gauge"
    }
}

/// `GET /api/v1/procs/{name}/series`.
pub fn series(samples: &[Sample]) -> Value {
    json!({
        "t": samples.iter().map(|s| s.t_secs).collect::<Vec<_>>(),
        "messages_per_s": samples.iter().map(|s| round2(s.rates.messages_per_s)).collect::<Vec<_>>(),
        "deliveries_per_s": samples.iter().map(|s| round2(s.rates.deliveries_per_s)).collect::<Vec<_>>(),
        "connections": samples.iter().map(|s| s.rates.connections).collect::<Vec<_>>(),
        "cpu_percent": samples.iter().map(|s| round2(s.rates.cpu_percent)).collect::<Vec<_>>(),
        "rss_bytes": samples.iter().map(|s| s.rss_bytes).collect::<Vec<_>>(),
    })
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
