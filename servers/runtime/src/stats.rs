//! What a process counts about itself, for manage_serv and Prometheus.
//!
//! A process registers its metrics once at start and keeps the handles
//! (`Counter`, `Gauge`, `Latency`): recording is one relaxed atomic add,
//! never a lock. Values that already live elsewhere (a map's length) are
//! registered as gauge functions and read only when a snapshot is taken.
//! A snapshot (`ProcStats`) is what manage_serv asks for over the fabric.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use schat_proto::server::{Label, Metric, MetricKind};

use crate::time::now_ms;

/// The metrics of one process. Cheap to clone; clones share the values.
#[derive(Clone, Default)]
pub struct Stats {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Registrations (at start) and snapshots (once a second) take it;
    /// recording a value does not.
    entries: Mutex<Vec<Entry>>,
    last_error: Mutex<Option<(String, u64)>>,
}

struct Entry {
    name: &'static str,
    help: &'static str,
    labels: Vec<(&'static str, &'static str)>,
    source: Source,
}

type GaugeFn = Box<dyn Fn() -> f64 + Send + Sync>;

enum Source {
    Counter(Arc<AtomicU64>),
    Gauge(Arc<AtomicI64>),
    GaugeFn(GaugeFn),
    Latency(Arc<Buckets>),
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.inner.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("Stats").field("metrics", &entries).finish()
    }
}

/// A count that only grows. Names end in `_total`.
#[derive(Clone, Debug, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down (a queue depth, connections held).
#[derive(Clone, Debug, Default)]
pub struct Gauge(Arc<AtomicI64>);

impl Gauge {
    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
    pub fn add(&self, delta: i64) {
        self.0.fetch_add(delta, Ordering::Relaxed);
    }
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Round-trip times, kept in fixed log-scale buckets of atomics (each
/// bucket 1/4 of a power of two wide, from 1 µs to about 70 s), so that
/// recording takes no lock and quantiles are within 19 % of the truth.
#[derive(Clone, Debug)]
pub struct Latency(Arc<Buckets>);

const SUB: usize = 4;
const BUCKETS: usize = 26 * SUB;

#[derive(Debug)]
struct Buckets {
    counts: [AtomicU64; BUCKETS],
    sum_us: AtomicU64,
}

impl Default for Buckets {
    fn default() -> Buckets {
        Buckets {
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_us: AtomicU64::new(0),
        }
    }
}

/// The bucket of a duration in microseconds, and the upper bound of a bucket.
fn bucket_of(us: u64) -> usize {
    let us = us.max(1);
    let pow = 63 - us.leading_zeros() as usize;
    // The two bits under the leading one pick the quarter.
    let quarter = if pow >= 2 {
        ((us >> (pow - 2)) & 0b11) as usize
    } else {
        ((us << (2 - pow)) & 0b11) as usize
    };
    (pow * SUB + quarter).min(BUCKETS - 1)
}

fn bucket_upper_us(index: usize) -> f64 {
    let (pow, quarter) = (index / SUB, index % SUB);
    (1u64 << pow) as f64 * (1.0 + (quarter as f64 + 1.0) / SUB as f64)
}

impl Latency {
    pub fn record(&self, elapsed: Duration) {
        let us = elapsed.as_micros().min(u64::MAX as u128) as u64;
        self.0.counts[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.0.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    /// The `q` quantile (0..=1) of everything recorded since the start,
    /// in seconds; 0 when nothing was. A lifetime figure, for tests and
    /// benches: a monitor takes quantiles of a window from the change of
    /// two snapshots' buckets (see [`histogram_quantile`]).
    pub fn quantile(&self, q: f64) -> f64 {
        histogram_quantile(&Latency::bounds(), &self.counts(), q).unwrap_or(0.0)
    }

    /// The buckets' upper bounds in seconds, the last +Inf.
    fn bounds() -> Vec<f64> {
        (0..BUCKETS)
            .map(|index| {
                if index == BUCKETS - 1 {
                    f64::INFINITY
                } else {
                    bucket_upper_us(index) / 1e6
                }
            })
            .collect()
    }

    /// What each bucket holds now (each read on its own: a snapshot taken
    /// while others record may be a few counts behind, never ahead).
    fn counts(&self) -> Vec<u64> {
        self.0
            .counts
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .collect()
    }

    pub fn count(&self) -> u64 {
        self.0
            .counts
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .sum()
    }

    pub fn sum_seconds(&self) -> f64 {
        self.0.sum_us.load(Ordering::Relaxed) as f64 / 1e6
    }
}

/// The `q` quantile (0..=1) of a histogram's `counts` (per bucket, not
/// cumulative) over its buckets' upper `bounds`: the bound of the bucket
/// the rank falls in, at most the highest finite bound; `None` when the
/// counts are empty.
pub fn histogram_quantile(bounds: &[f64], counts: &[u64], q: f64) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 || bounds.len() != counts.len() {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let top = bounds
        .iter()
        .copied()
        .filter(|b| b.is_finite())
        .fold(0.0, f64::max);
    let mut seen = 0;
    for (bound, count) in bounds.iter().zip(counts) {
        seen += count;
        if seen >= rank {
            return Some(bound.min(top));
        }
    }
    Some(top)
}

impl Stats {
    pub fn new() -> Stats {
        Stats::default()
    }

    fn register(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &'static str)],
        source: Source,
    ) {
        let mut entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push(Entry {
            name,
            help,
            labels: labels.to_vec(),
            source,
        });
    }

    /// A counter named like `messages_stored_total` (exported with the
    /// `schat_` prefix).
    pub fn counter(&self, name: &'static str, help: &'static str) -> Counter {
        self.counter_with(name, help, &[])
    }

    /// A counter with fixed labels, like `("queue", "client")`.
    pub fn counter_with(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &'static str)],
    ) -> Counter {
        let counter = Counter::default();
        self.register(name, help, labels, Source::Counter(counter.0.clone()));
        counter
    }

    pub fn gauge(&self, name: &'static str, help: &'static str) -> Gauge {
        self.gauge_with(name, help, &[])
    }

    /// A gauge with fixed labels.
    pub fn gauge_with(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &'static str)],
    ) -> Gauge {
        let gauge = Gauge::default();
        self.register(name, help, labels, Source::Gauge(gauge.0.clone()));
        gauge
    }

    /// A gauge read from elsewhere when a snapshot is taken.
    pub fn gauge_fn(
        &self,
        name: &'static str,
        help: &'static str,
        read: impl Fn() -> f64 + Send + Sync + 'static,
    ) {
        self.gauge_fn_with(name, help, &[], read);
    }

    /// A gauge with fixed labels, read when a snapshot is taken.
    pub fn gauge_fn_with(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &'static str)],
        read: impl Fn() -> f64 + Send + Sync + 'static,
    ) {
        self.register(name, help, labels, Source::GaugeFn(Box::new(read)));
    }

    /// The depth of a bounded queue (`queue_depth{queue=...}`), read when a
    /// snapshot is taken, and the counter of what it dropped
    /// (`queue_drops_total{queue=...}`). `queue` is one of a fixed few
    /// names ("client", "peer", "inbox"), never an id.
    pub fn queue(
        &self,
        queue: &'static str,
        depth: impl Fn() -> usize + Send + Sync + 'static,
    ) -> Counter {
        self.gauge_fn_with(
            "queue_depth",
            "Items waiting in this process's bounded queues of this kind.",
            &[("queue", queue)],
            move || depth() as f64,
        );
        self.counter_with(
            "queue_drops_total",
            "Items this process's bounded queues of this kind refused or dropped.",
            &[("queue", queue)],
        )
    }

    /// A kind of queue whose depth is kept as items come and go (the
    /// returned gauge, shared by every queue of the kind: see
    /// `link::QueueLimits::depth`), and its drop counter.
    pub fn counted_queue(&self, queue: &'static str) -> (Gauge, Counter) {
        let depth = self.gauge_with(
            "queue_depth",
            "Items waiting in this process's bounded queues of this kind.",
            &[("queue", queue)],
        );
        let drops = self.counter_with(
            "queue_drops_total",
            "Items this process's bounded queues of this kind refused or dropped.",
            &[("queue", queue)],
        );
        (depth, drops)
    }

    /// The depth of an inbox channel (`queue_depth{queue="inbox"}`). An
    /// inbox waits when full instead of dropping, so it has no drop
    /// counter. Holds the channel only weakly.
    pub fn inbox<T: Send + 'static>(&self, inbox: &tokio::sync::mpsc::Sender<T>) {
        let weak = inbox.downgrade();
        self.gauge_fn_with(
            "queue_depth",
            "Items waiting in this process's bounded queues of this kind.",
            &[("queue", "inbox")],
            move || {
                weak.upgrade().map_or(0.0, |inbox| {
                    (inbox.max_capacity() - inbox.capacity()) as f64
                })
            },
        );
    }

    /// A round-trip time, exported as `<name>{quantile="0.5"|"0.99"}` in
    /// seconds plus `<name>_count` and `<name>_sum`.
    pub fn latency(&self, name: &'static str, help: &'static str) -> Latency {
        let latency = Latency(Arc::default());
        self.register(name, help, &[], Source::Latency(latency.0.clone()));
        latency
    }

    /// Remembers the latest error worth an operator's attention.
    pub fn record_error(&self, error: impl std::fmt::Display) {
        let mut last = self
            .inner
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *last = Some((error.to_string(), now_ms()));
    }

    /// The latest recorded error and when (ms since the epoch).
    pub fn last_error(&self) -> Option<(String, u64)> {
        self.inner
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every metric's current value.
    pub fn metrics(&self) -> Vec<Metric> {
        let entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::with_capacity(entries.len() + 8);
        for entry in entries.iter() {
            let metric = |name: String, kind: MetricKind, value: f64, extra: Option<Label>| {
                let mut labels: Vec<Label> = entry
                    .labels
                    .iter()
                    .map(|(name, value)| Label {
                        name: name.to_string(),
                        value: value.to_string(),
                    })
                    .collect();
                labels.extend(extra);
                Metric {
                    name,
                    kind: kind as i32,
                    help: entry.help.to_string(),
                    value,
                    labels,
                    ..Metric::default()
                }
            };
            match &entry.source {
                Source::Counter(value) => out.push(metric(
                    entry.name.to_string(),
                    MetricKind::Counter,
                    value.load(Ordering::Relaxed) as f64,
                    None,
                )),
                Source::Gauge(value) => out.push(metric(
                    entry.name.to_string(),
                    MetricKind::Gauge,
                    value.load(Ordering::Relaxed) as f64,
                    None,
                )),
                Source::GaugeFn(read) => out.push(metric(
                    entry.name.to_string(),
                    MetricKind::Gauge,
                    read(),
                    None,
                )),
                Source::Latency(buckets) => {
                    // The buckets as they are: the reader works out
                    // quantiles of any window from two snapshots.
                    let latency = Latency(buckets.clone());
                    let counts = latency.counts();
                    let mut histogram = metric(
                        entry.name.to_string(),
                        MetricKind::Histogram,
                        latency.sum_seconds(),
                        None,
                    );
                    histogram.count = counts.iter().sum();
                    histogram.bucket_bounds = Latency::bounds();
                    histogram.bucket_counts = counts;
                    out.push(histogram);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_gauges_read_back() {
        let stats = Stats::new();
        let sent = stats.counter("sent_total", "Sent.");
        let held = stats.gauge("held", "Held.");
        stats.gauge_fn("answer", "The answer.", || 42.0);
        sent.add(3);
        sent.inc();
        held.set(7);
        held.dec();
        let metrics = stats.metrics();
        let value = |name: &str| metrics.iter().find(|m| m.name == name).unwrap().value;
        assert_eq!(value("sent_total"), 4.0);
        assert_eq!(value("held"), 6.0);
        assert_eq!(value("answer"), 42.0);
    }

    #[tokio::test]
    async fn queues_carry_their_label() {
        let stats = Stats::new();
        let drops = stats.queue("client", || 5);
        drops.add(2);
        let (inbox, _receiver) = tokio::sync::mpsc::channel::<u8>(8);
        stats.inbox(&inbox);
        inbox.try_send(1).unwrap();
        let metrics = stats.metrics();
        let value = |name: &str, queue: &str| {
            metrics
                .iter()
                .find(|m| m.name == name && m.labels.iter().any(|l| l.value == queue))
                .unwrap()
                .value
        };
        assert_eq!(value("queue_depth", "client"), 5.0);
        assert_eq!(value("queue_drops_total", "client"), 2.0);
        assert_eq!(value("queue_depth", "inbox"), 1.0);
    }

    #[test]
    fn buckets_cover_and_order() {
        let mut last = 0;
        for us in [1, 2, 3, 5, 8, 100, 1_000, 65_535, 1 << 25] {
            let bucket = bucket_of(us);
            assert!(bucket >= last, "bucket of {us} went down");
            assert!(
                bucket_upper_us(bucket) >= us as f64,
                "{us} above its bucket"
            );
            last = bucket;
        }
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn latency_is_exported_as_a_histogram() {
        let stats = Stats::new();
        let rtt = stats.latency("rtt_seconds", "Round trip.");
        for ms in 1..=100 {
            rtt.record(Duration::from_millis(ms));
        }
        let metrics = stats.metrics();
        assert_eq!(metrics.len(), 1);
        let histogram = &metrics[0];
        assert_eq!(histogram.kind, MetricKind::Histogram as i32);
        assert_eq!(histogram.count, 100);
        assert!((histogram.value - 5.05).abs() < 1e-6);
        assert_eq!(histogram.bucket_bounds.len(), histogram.bucket_counts.len());
        assert_eq!(histogram.bucket_bounds.last(), Some(&f64::INFINITY));
        let p99 =
            histogram_quantile(&histogram.bucket_bounds, &histogram.bucket_counts, 0.99).unwrap();
        assert_eq!(p99, rtt.quantile(0.99));
        // A window: the difference of two readings.
        let before = histogram.bucket_counts.clone();
        for _ in 0..100 {
            rtt.record(Duration::from_secs(2));
        }
        let after = stats.metrics()[0].bucket_counts.clone();
        let window: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
        let p50 = histogram_quantile(&histogram.bucket_bounds, &window, 0.5).unwrap();
        assert!((2.0..=2.5).contains(&p50), "{p50}");
        assert_eq!(
            histogram_quantile(&histogram.bucket_bounds, &before[..0], 0.5),
            None
        );
    }

    #[test]
    fn quantiles_are_close() {
        let stats = Stats::new();
        let rtt = stats.latency("rtt_seconds", "Round trip.");
        for ms in 1..=100 {
            rtt.record(Duration::from_millis(ms));
        }
        let p50 = rtt.quantile(0.5);
        let p99 = rtt.quantile(0.99);
        assert!((0.050..=0.050 * 1.25).contains(&p50), "p50 {p50}");
        assert!((0.099..=0.099 * 1.25).contains(&p99), "p99 {p99}");
        assert_eq!(rtt.count(), 100);
        assert!((rtt.sum_seconds() - 5.05).abs() < 1e-6);
        assert_eq!(Stats::new().latency("x", "x").quantile(0.5), 0.0);
    }
}
