//! `GET /metrics`: the Prometheus text format (0.0.4) of the latest poll,
//! encoded with prometheus-client's collector types.
//!
//! Every process's own metrics are exported with the `schat_` prefix and
//! the labels `proc` and `type` (plus the process's own bounded labels,
//! like `queue` or `quantile`) for every process that is up or stale;
//! besides them, for every process: `schat_up{proc,type}` (1 up or stale,
//! 0 down), and for those that answered `schat_build_info{proc,type,
//! version,commit} 1`, `process_cpu_seconds_total`,
//! `process_resident_memory_bytes`, `process_open_fds`,
//! `process_max_fds` and `process_start_time_seconds`. A counter whose
//! name does not end in `_total` is exported untyped; a process's
//! histogram (a latency) is one histogram family, its fine buckets merged
//! to at most [`MAX_BUCKETS`]. Nothing personal: labels carry process
//! names and types and the processes' fixed label values only.
//!
//! The text is rendered once per poll, by the first scrape that asks.

use std::collections::BTreeMap;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use schat_proto::server::{Metric, MetricKind};

use crate::poll::{Snapshot, State};

/// The Content-Type of the answer.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The text of `snapshot`, rendered at most once.
pub fn text(snapshot: &Snapshot) -> &str {
    snapshot.metrics_text.get_or_init(|| render(snapshot))
}

type Labels = Vec<(String, String)>;

/// Buckets a histogram is exported with at most.
pub const MAX_BUCKETS: usize = 32;

#[derive(Debug)]
enum Value {
    Number(f64),
    Histogram {
        sum: f64,
        count: u64,
        /// (upper bound, count in the bucket), not cumulative.
        buckets: Vec<(f64, u64)>,
    },
}

#[derive(Debug)]
struct Family {
    kind: MetricType,
    help: String,
    samples: Vec<(Labels, Value)>,
}

/// One scrape's families, by exported name (counters without `_total`,
/// which the encoder adds).
#[derive(Debug, Default)]
struct Families(BTreeMap<String, Family>);

impl Families {
    fn add(&mut self, name: &str, kind: MetricType, help: &str, labels: Labels, value: f64) {
        if value.is_finite() {
            self.add_value(name, kind, help, labels, Value::Number(value));
        }
    }

    fn add_value(
        &mut self,
        name: &str,
        kind: MetricType,
        help: &str,
        labels: Labels,
        value: Value,
    ) {
        if !valid_name(name) {
            return;
        }
        let family = self.0.entry(name.to_string()).or_insert_with(|| Family {
            kind,
            help: help.to_string(),
            samples: Vec::new(),
        });
        // A name exported with two types by different processes keeps the
        // first; one series twice keeps the first value.
        if family.kind != kind || family.samples.iter().any(|(seen, _)| *seen == labels) {
            return;
        }
        family.samples.push((labels, value));
    }
}

impl Collector for Families {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        for (name, family) in &self.0 {
            let mut metric = encoder.encode_descriptor(name, &family.help, None, family.kind)?;
            for (labels, value) in &family.samples {
                let mut series = metric.encode_family(labels)?;
                match (family.kind, value) {
                    (
                        _,
                        Value::Histogram {
                            sum,
                            count,
                            buckets,
                        },
                    ) => series.encode_histogram::<NoLabelSet>(*sum, *count, buckets, None)?,
                    (MetricType::Counter, Value::Number(value)) => {
                        ConstCounter::new(*value).encode(series)?
                    }
                    (_, Value::Number(value)) => ConstGauge::new(*value).encode(series)?,
                }
            }
        }
        Ok(())
    }
}

fn render(snapshot: &Snapshot) -> String {
    let mut families = Families::default();
    for proc in &snapshot.procs {
        let base: Labels = vec![
            ("proc".to_string(), proc.name.clone()),
            ("type".to_string(), proc.kind.name().to_string()),
        ];
        let live = proc.state != State::Down;
        families.add(
            "schat_up",
            MetricType::Gauge,
            "Whether the process answers (1) or is down (0)",
            base.clone(),
            if live { 1.0 } else { 0.0 },
        );
        let Some(stats) = proc.stats.as_deref().filter(|_| live) else {
            continue;
        };
        let mut build = base.clone();
        build.push(("version".to_string(), stats.version.clone()));
        build.push(("commit".to_string(), stats.commit.clone()));
        families.add(
            "schat_build_info",
            MetricType::Gauge,
            "The version and commit the process was built from",
            build,
            1.0,
        );
        let process = [
            (
                "process_cpu_seconds",
                MetricType::Counter,
                "CPU time used, user and system, in seconds",
                stats.cpu_seconds,
            ),
            (
                "process_resident_memory_bytes",
                MetricType::Gauge,
                "Resident memory in bytes",
                stats.rss_bytes as f64,
            ),
            (
                "process_open_fds",
                MetricType::Gauge,
                "Open file descriptors",
                stats.open_files as f64,
            ),
            (
                "process_max_fds",
                MetricType::Gauge,
                "The open file descriptor limit",
                stats.max_files as f64,
            ),
            (
                "process_start_time_seconds",
                MetricType::Gauge,
                "Start time since the Unix epoch in seconds",
                stats.started_at_ms as f64 / 1000.0,
            ),
        ];
        for (name, kind, help, value) in process {
            families.add(name, kind, help, base.clone(), value);
        }
        for metric in &stats.metrics {
            let (name, kind) = if metric.kind == MetricKind::Histogram as i32 {
                (format!("schat_{}", metric.name), MetricType::Histogram)
            } else if metric.kind == MetricKind::Counter as i32 {
                match metric.name.strip_suffix("_total") {
                    Some(stem) => (format!("schat_{stem}"), MetricType::Counter),
                    None => (format!("schat_{}", metric.name), MetricType::Unknown),
                }
            } else {
                (format!("schat_{}", metric.name), MetricType::Gauge)
            };
            let mut labels = base.clone();
            labels.extend(
                metric
                    .labels
                    .iter()
                    .filter(|label| valid_label(&label.name))
                    .map(|label| (label.name.clone(), label.value.clone())),
            );
            if kind == MetricType::Histogram {
                if let Some(value) = histogram_value(metric) {
                    families.add_value(&name, kind, &metric.help, labels, value);
                }
            } else {
                families.add(&name, kind, &metric.help, labels, metric.value);
            }
        }
    }
    let mut registry = Registry::default();
    registry.register_collector(Box::new(families));
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
    text
}

/// A histogram metric's value, its buckets merged in runs to at most
/// [`MAX_BUCKETS`] (each merged bucket keeps the upper bound of its last
/// one, so the exported buckets are exact, only coarser); `None` when it
/// is malformed.
fn histogram_value(metric: &Metric) -> Option<Value> {
    let (bounds, counts) = (&metric.bucket_bounds, &metric.bucket_counts);
    if bounds.is_empty() || bounds.len() != counts.len() || !metric.value.is_finite() {
        return None;
    }
    let run = bounds.len().div_ceil(MAX_BUCKETS);
    let mut buckets: Vec<(f64, u64)> = bounds
        .chunks(run)
        .zip(counts.chunks(run))
        .map(|(bounds, counts)| (bounds[bounds.len() - 1], counts.iter().sum()))
        .collect();
    // The last bucket takes everything: Prometheus needs le="+Inf".
    if let Some(last) = buckets.last_mut() {
        last.0 = f64::INFINITY;
    }
    Some(Value::Histogram {
        sum: metric.value,
        count: metric.count,
        buckets,
    })
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A process's own label: a valid name that is not one manage_serv sets.
fn valid_label(name: &str) -> bool {
    !matches!(name, "proc" | "type")
        && !name.starts_with("__")
        && !name.contains(':')
        && valid_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::AlarmsView;
    use crate::poll::{ProcView, Rates};
    use schat_proto::server::{Label, Metric, ProcStats};
    use schat_runtime::ProcKind;
    use std::sync::{Arc, OnceLock};

    fn view(name: &str, kind: ProcKind, state: State, stats: Option<ProcStats>) -> ProcView {
        ProcView {
            name: name.to_string(),
            kind,
            id: 1,
            set: name.to_string(),
            host: "127.0.0.1".to_string(),
            state,
            stats: stats.map(Arc::new),
            last_seen_ms: 1,
            rates: Rates::default(),
        }
    }

    #[test]
    fn families_are_prefixed_labelled_and_typed() {
        let stats = ProcStats {
            version: "0.1.0".to_string(),
            commit: "abc".to_string(),
            rss_bytes: 1000,
            metrics: vec![
                Metric {
                    name: "messages_stored_total".to_string(),
                    kind: MetricKind::Counter as i32,
                    help: "Messages stored".to_string(),
                    value: 5.0,
                    ..Metric::default()
                },
                Metric {
                    name: "queue_depth".to_string(),
                    kind: MetricKind::Gauge as i32,
                    help: "Depth".to_string(),
                    value: 2.0,
                    labels: vec![Label {
                        name: "queue".to_string(),
                        value: "peer".to_string(),
                    }],
                    ..Metric::default()
                },
                Metric {
                    name: "redis_roundtrip_seconds".to_string(),
                    kind: MetricKind::Histogram as i32,
                    help: "Round trips".to_string(),
                    value: 0.5,
                    count: 9,
                    bucket_bounds: (1..=64).map(|n| f64::from(n) / 100.0).collect(),
                    bucket_counts: (0..64).map(|n| u64::from(n < 9)).collect(),
                    ..Metric::default()
                },
            ],
            ..ProcStats::default()
        };
        let snapshot = Snapshot {
            now_ms: 1,
            procs: vec![
                view("chat_serv-1", ProcKind::ChatServ, State::Up, Some(stats)),
                view("chat_serv-2", ProcKind::ChatServ, State::Down, None),
            ],
            procs_json: String::new(),
            alarms: AlarmsView::default(),
            alarms_version: 0,
            metrics_text: OnceLock::new(),
        };
        let text = text(&snapshot);
        assert!(
            text.contains("# TYPE schat_messages_stored_total counter\n"),
            "{text}"
        );
        assert!(
            text.contains("schat_messages_stored_total{proc=\"chat_serv-1\",type=\"chat_serv\"} 5")
        );
        assert!(text.contains(
            "schat_queue_depth{proc=\"chat_serv-1\",type=\"chat_serv\",queue=\"peer\"} 2"
        ));
        // 64 buckets merged in pairs: 32, cumulative, the last +Inf.
        assert!(text.contains("# TYPE schat_redis_roundtrip_seconds histogram"));
        let bucket_lines: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("schat_redis_roundtrip_seconds_bucket"))
            .collect();
        assert_eq!(bucket_lines.len(), MAX_BUCKETS, "{text}");
        assert!(bucket_lines[0].contains("le=\"0.02\"") && bucket_lines[0].ends_with(" 2"));
        assert!(bucket_lines[31].contains("le=\"+Inf\"") && bucket_lines[31].ends_with(" 9"));
        assert!(text.contains(
            "schat_redis_roundtrip_seconds_count{proc=\"chat_serv-1\",type=\"chat_serv\"} 9"
        ));
        assert!(text.contains("schat_up{proc=\"chat_serv-2\",type=\"chat_serv\"} 0"));
        assert!(text.contains("schat_up{proc=\"chat_serv-1\",type=\"chat_serv\"} 1"));
        assert!(text.contains(
            "schat_build_info{proc=\"chat_serv-1\",type=\"chat_serv\",version=\"0.1.0\",commit=\"abc\"} 1"
        ));
        assert!(text.contains(
            "process_resident_memory_bytes{proc=\"chat_serv-1\",type=\"chat_serv\"} 1000"
        ));
        assert!(!text.contains("process_resident_memory_bytes{proc=\"chat_serv-2\""));
    }
}
