//! The figures the poller derives from a process's answers: its rates
//! (the contract's choice of metrics per process type), everything its
//! queues dropped, and whether its Redis p99 is over the alarm line.

use schat_proto::server::ProcStats;
use schat_runtime::ProcKind;

use super::Rates;

/// The sum of a metric's values over its label sets.
pub fn metric_sum(stats: &ProcStats, name: &str) -> f64 {
    stats
        .metrics
        .iter()
        .filter(|metric| metric.name == name)
        .map(|metric| metric.value)
        .sum()
}

/// The console's figures, by process type: what counts as a message, a
/// delivery, a connection.
fn message_metrics(kind: ProcKind) -> &'static [&'static str] {
    match kind {
        ProcKind::ChatServ => &["messages_stored_total"],
        ProcKind::ConnServ => &["client_frames_in_total"],
        ProcKind::LogicServ => &["requests_total"],
        ProcKind::DispServ => &["packets_forwarded_total"],
        ProcKind::DirServ => &["lookups_total"],
        ProcKind::FileServ => &["uploads_total", "downloads_total"],
        ProcKind::DbLogicServ | ProcKind::DbChatServ => &["redis_roundtrip_seconds_count"],
        ProcKind::OnlineServ | ProcKind::ManageServ => &[],
    }
}

fn delivery_metrics(kind: ProcKind) -> &'static [&'static str] {
    match kind {
        ProcKind::ChatServ => &["deliveries_total"],
        ProcKind::ConnServ => &["client_frames_out_total"],
        _ => &[],
    }
}

fn connection_metric(kind: ProcKind) -> Option<&'static str> {
    match kind {
        ProcKind::ConnServ => Some("clients"),
        ProcKind::LogicServ => Some("sessions"),
        ProcKind::DispServ => Some("peers"),
        ProcKind::OnlineServ => Some("online_users"),
        _ => None,
    }
}

/// Rates between two answers of one run (none before the second answer).
pub(super) fn rates(kind: ProcKind, previous: Option<&ProcStats>, now: &ProcStats) -> Rates {
    let connections = connection_metric(kind).map_or(0.0, |name| metric_sum(now, name));
    let Some(previous) = previous else {
        return Rates {
            connections,
            ..Rates::default()
        };
    };
    let secs = now.taken_at_ms.saturating_sub(previous.taken_at_ms) as f64 / 1000.0;
    if secs <= 0.0 {
        return Rates {
            connections,
            ..Rates::default()
        };
    }
    let rate = |names: &[&str]| {
        let delta: f64 = names
            .iter()
            .map(|name| metric_sum(now, name) - metric_sum(previous, name))
            .sum();
        (delta / secs).max(0.0)
    };
    Rates {
        messages_per_s: rate(message_metrics(kind)),
        deliveries_per_s: rate(delivery_metrics(kind)),
        connections,
        cpu_percent: ((now.cpu_seconds - previous.cpu_seconds) / secs * 100.0).max(0.0),
    }
}

/// Everything a process's queues dropped.
pub(super) fn queue_drops(stats: &ProcStats) -> f64 {
    stats
        .metrics
        .iter()
        .filter(|metric| metric.name.ends_with("queue_drops_total"))
        .map(|metric| metric.value)
        .sum()
}

/// The alarm detail when a db_* process's Redis p99 is over the threshold.
pub(super) fn redis_p99_over(stats: &ProcStats, threshold_ms: u64) -> Option<String> {
    let p99 = stats
        .metrics
        .iter()
        .filter(|metric| metric.name == "redis_roundtrip_seconds")
        .filter(|metric| {
            metric
                .labels
                .iter()
                .any(|label| label.name == "quantile" && label.value == "0.99")
        })
        .map(|metric| metric.value)
        .fold(None, |max: Option<f64>, value| {
            Some(max.map_or(value, |max| max.max(value)))
        })?;
    let threshold = threshold_ms as f64 / 1000.0;
    (p99 > threshold).then(|| {
        format!(
            "Redis round trip p99 {:.1} ms > {threshold_ms} ms",
            p99 * 1000.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use schat_proto::server::{Label, Metric, MetricKind};

    fn metric(name: &str, value: f64) -> Metric {
        Metric {
            name: name.to_string(),
            kind: MetricKind::Counter as i32,
            help: String::new(),
            value,
            labels: Vec::new(),
        }
    }

    fn stats(taken_at_ms: u64, cpu: f64, metrics: Vec<Metric>) -> ProcStats {
        ProcStats {
            pid: 7,
            started_at_ms: 1,
            taken_at_ms,
            cpu_seconds: cpu,
            metrics,
            ..ProcStats::default()
        }
    }

    #[test]
    fn rates_come_from_counter_deltas() {
        let before = stats(
            1_000,
            1.0,
            vec![
                metric("messages_stored_total", 10.0),
                metric("deliveries_total", 0.0),
            ],
        );
        let after = stats(
            3_000,
            1.5,
            vec![
                metric("messages_stored_total", 30.0),
                metric("deliveries_total", 100.0),
            ],
        );
        let rates = rates(ProcKind::ChatServ, Some(&before), &after);
        assert_eq!(rates.messages_per_s, 10.0);
        assert_eq!(rates.deliveries_per_s, 50.0);
        assert!((rates.cpu_percent - 25.0).abs() < 1e-9);
        let first = super::rates(ProcKind::ChatServ, None, &after);
        assert_eq!(first.messages_per_s, 0.0);
    }

    #[test]
    fn redis_alarm_reads_the_p99() {
        let mut p99 = metric("redis_roundtrip_seconds", 0.250);
        p99.labels.push(Label {
            name: "quantile".to_string(),
            value: "0.99".to_string(),
        });
        let slow = stats(1, 0.0, vec![p99.clone()]);
        assert!(redis_p99_over(&slow, 100).is_some());
        assert!(redis_p99_over(&slow, 300).is_none());
        assert!(redis_p99_over(&stats(1, 0.0, Vec::new()), 1).is_none());
    }

    #[test]
    fn drops_sum_every_queue() {
        let mut peer = metric("queue_drops_total", 2.0);
        peer.labels.push(Label {
            name: "queue".to_string(),
            value: "peer".to_string(),
        });
        let s = stats(1, 0.0, vec![peer, metric("client_queue_drops_total", 3.0)]);
        assert_eq!(queue_drops(&s), 5.0);
    }
}
