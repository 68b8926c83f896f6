//! The figures the poller derives from a process's answers: its rates
//! (the contract's choice of metrics per process type), everything its
//! queues dropped, and whether its Redis p99 is over the alarm line.

use schat_proto::server::{MetricKind, ProcStats};
use schat_runtime::stats::histogram_quantile;
use schat_runtime::ProcKind;

use super::Rates;

/// The sum of a metric's values over its label sets; `<histogram>_count`
/// names the number of a histogram's observations.
pub fn metric_sum(stats: &ProcStats, name: &str) -> f64 {
    let histogram = name.strip_suffix("_count");
    stats
        .metrics
        .iter()
        .filter_map(|metric| {
            if metric.kind == MetricKind::Histogram as i32 {
                (Some(metric.name.as_str()) == histogram).then_some(metric.count as f64)
            } else {
                (metric.name == name).then_some(metric.value)
            }
        })
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
        // Items refused by full queues, not `client_queue_drops_total`
        // (clients closed), which counts another thing.
        .filter(|metric| metric.name == "queue_drops_total")
        .map(|metric| metric.value)
        .sum()
}

/// The alarm detail when a db_* process's Redis p99 over the last poll
/// window (the round trips between `previous` and `stats`) is over the
/// threshold; `None` without a window or without round trips in it.
pub(super) fn redis_p99_over(
    previous: Option<&ProcStats>,
    stats: &ProcStats,
    threshold_ms: u64,
) -> Option<String> {
    let p99 = window_quantile(previous?, stats, "redis_roundtrip_seconds", 0.99)?;
    let threshold = threshold_ms as f64 / 1000.0;
    (p99 > threshold).then(|| {
        format!(
            "Redis round trip p99 {:.1} ms > {threshold_ms} ms",
            p99 * 1000.0
        )
    })
}

/// The `q` quantile of histogram `name` over what was observed between
/// two readings of one run of a process.
fn window_quantile(before: &ProcStats, after: &ProcStats, name: &str, q: f64) -> Option<f64> {
    let find = |stats: &ProcStats| {
        stats
            .metrics
            .iter()
            .find(|metric| metric.name == name && metric.kind == MetricKind::Histogram as i32)
            .cloned()
    };
    let (before, after) = (find(before)?, find(after)?);
    if before.bucket_bounds != after.bucket_bounds {
        return None;
    }
    let window: Vec<u64> = after
        .bucket_counts
        .iter()
        .zip(&before.bucket_counts)
        .map(|(after, before)| after.saturating_sub(*before))
        .collect();
    histogram_quantile(&after.bucket_bounds, &window, q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schat_proto::server::{Label, Metric};

    fn metric(name: &str, value: f64) -> Metric {
        Metric {
            name: name.to_string(),
            kind: MetricKind::Counter as i32,
            value,
            ..Metric::default()
        }
    }

    /// A round-trip histogram with `fast` trips of 1 ms and `slow` of 1 s.
    fn trips(fast: u64, slow: u64) -> Metric {
        Metric {
            name: "redis_roundtrip_seconds".to_string(),
            kind: MetricKind::Histogram as i32,
            count: fast + slow,
            bucket_bounds: vec![0.001, 1.0, f64::INFINITY],
            bucket_counts: vec![fast, slow, 0],
            ..Metric::default()
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
    fn redis_alarm_reads_the_p99_of_the_last_window() {
        // A long fast history, then a slow window: the alarm sees the
        // window, not the history.
        let before = stats(1, 0.0, vec![trips(1_000_000, 0)]);
        let slow = stats(2, 0.0, vec![trips(1_000_000, 50)]);
        assert!(redis_p99_over(Some(&before), &slow, 100).is_some());
        assert!(redis_p99_over(Some(&before), &slow, 2_000).is_none());
        // And a fast window after a slow history clears it.
        let fast = stats(3, 0.0, vec![trips(1_000_100, 50)]);
        assert!(redis_p99_over(Some(&slow), &fast, 100).is_none());
        // No window, or no trips in it: nothing to say.
        assert!(redis_p99_over(None, &slow, 1).is_none());
        assert!(redis_p99_over(Some(&fast), &fast, 1).is_none());
        assert!(redis_p99_over(Some(&before), &stats(2, 0.0, Vec::new()), 1).is_none());
    }

    #[test]
    fn drops_sum_every_queue_but_not_closed_clients() {
        let mut peer = metric("queue_drops_total", 2.0);
        peer.labels.push(Label {
            name: "queue".to_string(),
            value: "peer".to_string(),
        });
        let mut client = metric("queue_drops_total", 4.0);
        client.labels.push(Label {
            name: "queue".to_string(),
            value: "client".to_string(),
        });
        let s = stats(
            1,
            0.0,
            vec![peer, client, metric("client_queue_drops_total", 3.0)],
        );
        assert_eq!(queue_drops(&s), 6.0);
    }
}
