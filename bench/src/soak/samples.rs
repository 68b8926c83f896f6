//! The soak's measurements: every sample period the RSS of every process
//! of the cluster (from the pid files), the CPU they used and the latency
//! of the window; at the end the memory trend of each process (a
//! least-squares line over the samples after the warm-up) and the report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use serde_json::{json, Value};

use super::verify::Outcome;
use super::{lock, Shared, Window};
use crate::cpu::{self, CpuTimes};
use crate::report::{json_line, percentiles};
use crate::{rss, Common};

/// One sample period.
#[derive(Debug)]
pub struct Sample {
    /// Seconds since the load started, at the end of the window.
    pub at_secs: f64,
    pub rss_kib: BTreeMap<String, u64>,
    /// Cores busy during the window, by process kind (`bench` is the load
    /// generator).
    pub cores: BTreeMap<String, f64>,
    /// Messages acknowledged in the window.
    pub acked: u64,
    /// Acknowledgement latency in ms: p50, p99, p99.9, max.
    pub ack_ms: [f64; 4],
    /// Delivery latency in ms: p50, p99, max.
    pub delivery_ms: [f64; 3],
}

/// Every sample, and the latencies of the whole run.
#[derive(Debug)]
pub struct Samples {
    pub list: Vec<Sample>,
    pub ack: Histogram<u64>,
    pub delivery: Histogram<u64>,
}

/// Samples every `every` until the stop, then once more.
pub async fn sample_loop(
    shared: Arc<Shared>,
    pids_dir: PathBuf,
    every: Duration,
    started: Instant,
    csv: Option<PathBuf>,
) -> anyhow::Result<Samples> {
    let mut samples = Samples {
        list: Vec::new(),
        ack: Histogram::new(3).context("histogram")?,
        delivery: Histogram::new(3).context("histogram")?,
    };
    let mut csv = match csv {
        Some(path) => Some(
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let mut columns: Vec<String> = Vec::new();
    let mut cpu_before = CpuTimes::sample(&pids_dir);
    let mut cpu_at = Instant::now();
    let start = tokio::time::Instant::from_std(started);
    let mut ticks = tokio::time::interval_at(start + every, every);
    let mut last_at = Instant::now();
    loop {
        let stopping = tokio::select! {
            biased;
            _ = ticks.tick() => false,
            _ = shared.stop.cancelled() => true,
        };
        // At the stop, a window shorter than half a period says little:
        // the last full sample stands for the end.
        if stopping && last_at.elapsed() < every / 2 && !samples.list.is_empty() {
            return Ok(samples);
        }
        last_at = Instant::now();
        let window = std::mem::replace(&mut *lock(&shared.window), Window::new()?);
        samples.ack.add(&window.ack).context("histogram")?;
        samples
            .delivery
            .add(&window.delivery)
            .context("histogram")?;
        let cpu_now = CpuTimes::sample(&pids_dir);
        let wall = cpu_at.elapsed().as_secs_f64();
        let cores = cpu::by_kind(&cpu_now.since(&cpu_before), 0.0, wall)
            .into_iter()
            .map(|(kind, _, cores)| (kind, cores))
            .collect();
        (cpu_before, cpu_at) = (cpu_now, Instant::now());
        let (a50, a99, a999) = percentiles(&window.ack);
        let (d50, d99, _) = percentiles(&window.delivery);
        let sample = Sample {
            at_secs: started.elapsed().as_secs_f64(),
            rss_kib: rss::of_pid_files(&pids_dir),
            cores,
            acked: window.ack.len(),
            ack_ms: [a50, a99, a999, window.ack.max() as f64 / 1000.0],
            delivery_ms: [d50, d99, window.delivery.max() as f64 / 1000.0],
        };
        progress(&sample, wall);
        if let Some(file) = csv.as_mut() {
            if columns.is_empty() {
                columns = sample.rss_kib.keys().cloned().collect();
                writeln!(file, "{}", csv_header(&columns)).context("writing the CSV")?;
            }
            writeln!(file, "{}", csv_line(&sample, &columns)).context("writing the CSV")?;
        }
        samples.list.push(sample);
        if stopping {
            return Ok(samples);
        }
    }
}

fn progress(sample: &Sample, wall: f64) {
    let servers: u64 = sample
        .rss_kib
        .iter()
        .filter(|(name, _)| name.as_str() != "redis")
        .map(|(_, kib)| kib)
        .sum();
    let redis = sample.rss_kib.get("redis").copied().unwrap_or(0);
    let bench = sample.cores.get("bench").copied().unwrap_or(0.0);
    let cluster: f64 = sample.cores.values().sum::<f64>() - bench;
    eprintln!(
        "  {:>6.0} s  {:>5.0} msgs/s  ack p99 {:>6.2} ms  delivery p99 {:>6.2} ms  servers {:>7.1} MiB  redis {:>6.1} MiB  cores cluster {:.2} bench {:.2}",
        sample.at_secs,
        sample.acked as f64 / wall.max(0.001),
        sample.ack_ms[1],
        sample.delivery_ms[1],
        servers as f64 / 1024.0,
        redis as f64 / 1024.0,
        cluster,
        bench,
    );
}

fn csv_header(columns: &[String]) -> String {
    let mut header = vec![
        "secs",
        "acked",
        "ack_p50_ms",
        "ack_p99_ms",
        "ack_p999_ms",
        "ack_max_ms",
        "delivery_p99_ms",
        "cores_cluster",
        "cores_bench",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<_>>();
    header.extend(columns.iter().map(|name| format!("rss_kib_{name}")));
    header.join(",")
}

fn csv_line(sample: &Sample, columns: &[String]) -> String {
    let bench = sample.cores.get("bench").copied().unwrap_or(0.0);
    let cluster = sample.cores.values().sum::<f64>() - bench;
    let mut fields = vec![
        format!("{:.1}", sample.at_secs),
        sample.acked.to_string(),
        sample.ack_ms[0].to_string(),
        sample.ack_ms[1].to_string(),
        sample.ack_ms[2].to_string(),
        sample.ack_ms[3].to_string(),
        sample.delivery_ms[1].to_string(),
        format!("{cluster:.3}"),
        format!("{bench:.3}"),
    ];
    fields.extend(columns.iter().map(|name| {
        sample
            .rss_kib
            .get(name)
            .map_or(String::new(), u64::to_string)
    }));
    fields.join(",")
}

/// The memory of one process (or one kind of process, summed) over the
/// run.
#[derive(Debug)]
struct Trend {
    name: String,
    /// RSS at the first sample after the warm-up.
    warm_kib: u64,
    end_kib: u64,
    max_kib: u64,
    /// Slope of the least-squares line over the samples after the warm-up.
    slope_kib_per_h: Option<f64>,
}

impl Trend {
    fn json(&self) -> Value {
        json!({
            "warm_kib": self.warm_kib,
            "end_kib": self.end_kib,
            "max_kib": self.max_kib,
            "slope_kib_per_h": self.slope_kib_per_h.map(|slope| slope.round()),
        })
    }
}

fn trends(samples: &[Sample], warmup_secs: f64, by_kind: bool) -> Vec<Trend> {
    let after: Vec<&Sample> = samples
        .iter()
        .filter(|sample| sample.at_secs >= warmup_secs)
        .collect();
    let mut series: BTreeMap<String, Vec<(f64, u64)>> = BTreeMap::new();
    for sample in &after {
        let mut here: BTreeMap<String, u64> = BTreeMap::new();
        for (name, kib) in &sample.rss_kib {
            let key = if by_kind { kind_of(name) } else { name.clone() };
            *here.entry(key).or_default() += kib;
        }
        for (key, kib) in here {
            series.entry(key).or_default().push((sample.at_secs, kib));
        }
    }
    series
        .into_iter()
        .map(|(name, points)| Trend {
            name,
            warm_kib: points.first().map_or(0, |point| point.1),
            end_kib: points.last().map_or(0, |point| point.1),
            max_kib: points.iter().map(|point| point.1).max().unwrap_or(0),
            slope_kib_per_h: slope_per_hour(&points),
        })
        .collect()
}

/// `conn_serv-1` → `conn_serv`.
fn kind_of(name: &str) -> String {
    name.rsplit_once('-')
        .map_or(name, |(kind, _)| kind)
        .to_string()
}

/// Least-squares slope of (seconds, KiB), in KiB per hour.
fn slope_per_hour(points: &[(f64, u64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|point| point.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|point| point.1 as f64).sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (x, y) in points {
        sxx += (x - mean_x) * (x - mean_x);
        sxy += (x - mean_x) * (*y as f64 - mean_y);
    }
    (sxx > 0.0).then(|| sxy / sxx * 3600.0)
}

/// What the report needs besides the samples.
#[derive(Debug)]
pub struct Run<'a> {
    pub seconds: f64,
    pub users: usize,
    pub target_rate: u64,
    pub warmup_secs: f64,
    /// The sample period.
    pub window_secs: u64,
    pub samples: &'a Samples,
    pub outcome: &'a Outcome,
}

pub fn report(common: &Common, shared: &Shared, run: Run<'_>) -> anyhow::Result<()> {
    let Run {
        seconds,
        users,
        target_rate,
        warmup_secs,
        window_secs,
        samples,
        outcome,
    } = run;
    let list = &samples.list;
    let acked = samples.ack.len();
    let msgs_per_s = acked as f64 / seconds.max(0.001);
    let (a50, a99, a999) = percentiles(&samples.ack);
    let (d50, d99, d999) = percentiles(&samples.delivery);
    println!(
        "soak: {users} users, target {target_rate} msgs/s, {seconds:.0} s (warm-up {warmup_secs:.0} s), commit {}",
        common.commit
    );
    println!(
        "  acknowledged {acked} messages, {msgs_per_s:.1} msgs/s; ack ms p50 {a50:.2} p99 {a99:.2} p99.9 {a999:.2}; delivery ms p50 {d50:.2} p99 {d99:.2} p99.9 {d999:.2}"
    );

    let windows = &list[..];
    let p99s: Vec<f64> = windows.iter().map(|sample| sample.ack_ms[1]).collect();
    let first = p99s.first().copied().unwrap_or(0.0);
    let middle = p99s.get(p99s.len() / 2).copied().unwrap_or(0.0);
    let last = p99s.last().copied().unwrap_or(0.0);
    let (max_at, max) = windows
        .iter()
        .map(|sample| (sample.at_secs, sample.ack_ms[1]))
        .fold(
            (0.0, 0.0),
            |best, here| if here.1 > best.1 { here } else { best },
        );
    let mut after: Vec<f64> = windows
        .iter()
        .filter(|sample| sample.at_secs >= warmup_secs)
        .map(|sample| sample.ack_ms[1])
        .collect();
    after.sort_by(f64::total_cmp);
    let median_after = after.get(after.len() / 2).copied().unwrap_or(0.0);
    println!(
        "  ack p99 per {} s window (ms): first {first:.2}, middle {middle:.2}, last {last:.2}, max {max:.2} (window ending at {max_at:.0} s); median after warm-up {median_after:.2}",
        window_secs
    );

    let processes = trends(list, warmup_secs, false);
    let kinds = trends(list, warmup_secs, true);
    println!("  RSS (KiB)                  after warm-up        end        max   slope KiB/h");
    for trend in &kinds {
        print_trend("    ", trend);
    }
    println!("    per process:");
    for trend in &processes {
        print_trend("      ", trend);
    }

    let mut cores: BTreeMap<String, f64> = BTreeMap::new();
    let mut wall = 0.0;
    let mut previous = 0.0;
    for sample in list {
        let span = sample.at_secs - previous;
        previous = sample.at_secs;
        wall += span;
        for (kind, busy) in &sample.cores {
            *cores.entry(kind.clone()).or_default() += busy * span;
        }
    }
    let cores: BTreeMap<String, f64> = cores
        .into_iter()
        .map(|(kind, busy)| (kind, busy / wall.max(0.001)))
        .collect();
    let bench = cores.get("bench").copied().unwrap_or(0.0);
    let cluster = cores.values().sum::<f64>() - bench;
    println!("  CPU on average: cluster {cluster:.2} cores, load generator {bench:.2} cores");
    let by_use = {
        let mut by_use: Vec<(&String, &f64)> = cores.iter().collect();
        by_use.sort_by(|a, b| b.1.total_cmp(a.1));
        by_use
            .iter()
            .map(|(kind, busy)| format!("{kind} {busy:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("    {by_use}");

    let counts = shared.counts.snapshot();
    let errors = shared.errors.snapshot();
    let refused = shared.refused.snapshot();
    println!("  operations:");
    for (name, count) in &counts {
        println!("    {name:<28} {count:>10}");
    }
    println!("  refused on purpose (groups dismissed while in use, full groups):");
    print_counts(&refused);
    println!("  errors:");
    print_counts(&errors);

    let client_gaps = shared.client_gaps.load(Ordering::Relaxed);
    let corrupt = shared.corrupt.load(Ordering::Relaxed);
    println!(
        "  check: {} live groups ({} dismissed, not checked), {} messages stored, {} acknowledged: lost {}, duplicated {}, seq gaps {}; stored without an answer {}",
        outcome.groups,
        outcome.dismissed,
        outcome.stored,
        outcome.acked,
        outcome.lost,
        outcome.duplicated,
        outcome.gaps,
        outcome.unacked
    );
    println!("  clients: holes in what MessageSync handed on {client_gaps}; downloads with wrong bytes {corrupt}");

    let trend_map = |trends: &[Trend]| -> Value {
        Value::Object(
            trends
                .iter()
                .map(|trend| (trend.name.clone(), trend.json()))
                .collect(),
        )
    };
    let count_map = |counts: &BTreeMap<String, u64>| -> Value {
        Value::Object(
            counts
                .iter()
                .map(|(name, count)| (name.clone(), json!(count)))
                .collect(),
        )
    };
    let round2 = |value: f64| (value * 100.0).round() / 100.0;
    println!(
        "{}",
        json_line(
            "soak",
            &common.commit,
            &[
                ("seconds", json!(seconds.round())),
                ("clients", json!(users)),
                ("msgs_per_s", json!(round2(msgs_per_s))),
                (
                    "deliveries_per_s",
                    json!(
                        (counts.get("deliveries (pushed)").copied().unwrap_or(0) as f64
                            / seconds.max(0.001))
                        .round()
                    )
                ),
                ("p50_ms", json!(a50)),
                ("p99_ms", json!(a99)),
                ("p999_ms", json!(a999)),
                ("lost", json!(outcome.lost)),
                ("duplicated", json!(outcome.duplicated)),
                ("target_rate", json!(target_rate)),
                ("warmup_secs", json!(warmup_secs)),
                ("window_secs", json!(window_secs)),
                ("delivery_p50_ms", json!(d50)),
                ("delivery_p99_ms", json!(d99)),
                ("ack_p99_first_ms", json!(first)),
                ("ack_p99_middle_ms", json!(middle)),
                ("ack_p99_last_ms", json!(last)),
                ("ack_p99_max_ms", json!(max)),
                ("ack_p99_windows_ms", json!(p99s)),
                ("rss", trend_map(&processes)),
                ("rss_kinds", trend_map(&kinds)),
                (
                    "cores",
                    Value::Object(
                        cores
                            .iter()
                            .map(|(kind, busy)| (
                                kind.clone(),
                                json!((busy * 1000.0).round() / 1000.0)
                            ))
                            .collect()
                    )
                ),
                ("ops", count_map(&counts)),
                ("refused", count_map(&refused)),
                ("errors", count_map(&errors)),
                ("groups_checked", json!(outcome.groups)),
                ("groups_dismissed", json!(outcome.dismissed)),
                ("stored", json!(outcome.stored)),
                ("acked_checked", json!(outcome.acked)),
                ("seq_gaps", json!(outcome.gaps)),
                ("stored_unanswered", json!(outcome.unacked)),
                ("client_gaps", json!(client_gaps)),
                ("corrupt_downloads", json!(corrupt)),
            ],
        )
    );
    Ok(())
}

fn print_trend(indent: &str, trend: &Trend) {
    let slope = trend
        .slope_kib_per_h
        .map_or("-".to_string(), |slope| format!("{slope:+.0}"));
    println!(
        "{indent}{:<24} {:>10} {:>10} {:>10} {:>13}",
        trend.name, trend.warm_kib, trend.end_kib, trend.max_kib, slope
    );
}

fn print_counts(counts: &BTreeMap<String, u64>) {
    if counts.is_empty() {
        println!("    none");
    }
    for (name, count) in counts {
        println!("    {name:<40} {count:>8}");
    }
}
