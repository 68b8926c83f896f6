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
//! name does not end in `_total` (a latency's `_count` and `_sum`) is
//! exported untyped. Nothing personal: labels carry process names and
//! types and the processes' fixed label values only.
//!
//! The text is rendered once per poll, by the first scrape that asks.

use std::collections::BTreeMap;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use schat_proto::server::MetricKind;

use crate::poll::{Snapshot, State};

/// The Content-Type of the answer.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The text of `snapshot`, rendered at most once.
pub fn text(snapshot: &Snapshot) -> &str {
    snapshot.metrics_text.get_or_init(|| render(snapshot))
}

type Labels = Vec<(String, String)>;

#[derive(Debug)]
struct Family {
    kind: MetricType,
    help: String,
    samples: Vec<(Labels, f64)>,
}

/// One scrape's families, by exported name (counters without `_total`,
/// which the encoder adds).
#[derive(Debug, Default)]
struct Families(BTreeMap<String, Family>);

impl Families {
    fn add(&mut self, name: &str, kind: MetricType, help: &str, labels: Labels, value: f64) {
        if !valid_name(name) || !value.is_finite() {
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
                let series = metric.encode_family(labels)?;
                match family.kind {
                    MetricType::Counter => ConstCounter::new(*value).encode(series)?,
                    _ => ConstGauge::new(*value).encode(series)?,
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
            let (name, kind) = if metric.kind == MetricKind::Counter as i32 {
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
            families.add(&name, kind, &metric.help, labels, metric.value);
        }
    }
    let mut registry = Registry::default();
    registry.register_collector(Box::new(families));
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
    text
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
                    labels: Vec::new(),
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
                },
                Metric {
                    name: "redis_roundtrip_seconds_count".to_string(),
                    kind: MetricKind::Counter as i32,
                    help: "Round trips".to_string(),
                    value: 9.0,
                    labels: Vec::new(),
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
        assert!(text.contains("# TYPE schat_redis_roundtrip_seconds_count untyped"));
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
