//! The poller: every `manage.poll_interval_ms` it asks every process of
//! the cluster file for its stats (concurrently, each bounded by the poll
//! interval), works out each one's state (up / stale / down) and rates,
//! keeps `manage.history_minutes` of samples per process (at most
//! [`MAX_POINTS`]: a longer history keeps the average of several polls
//! per point), raises and clears alarms, and publishes one immutable
//! [`Snapshot`]. A reload that changes the poll interval applies at the
//! next tick.
//!
//! Readers (the API, `/metrics`, the event stream) only ever take the
//! latest snapshot: a read never waits on a process, and nothing here is
//! on any process's message path (a process answers from its atomics).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::join_all;
use schat_proto::server::{admin_reply, admin_request, AdminRequest, ProcStats, StatsQuery};
use schat_runtime::config::{ClusterConfig, ManageConfig, ProcConfig};
use schat_runtime::time::now_ms;
use schat_runtime::{Fabric, Node, ProcKind, Target};
use serde::Serialize;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::alarms::{AlarmKind, Alarms, AlarmsView};

mod figures;

pub use figures::metric_sum;
use figures::{queue_drops, rates, redis_p99_over};

/// A queue_drops alarm clears after this long without new drops.
const QUEUE_DROPS_QUIET: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Up,
    Stale,
    Down,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Up => "up",
            State::Stale => "stale",
            State::Down => "down",
        }
    }
}

/// Per-second figures from the last two answers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub messages_per_s: f64,
    pub deliveries_per_s: f64,
    pub connections: f64,
    pub cpu_percent: f64,
}

/// One process as the last poll saw it.
#[derive(Clone, Debug)]
pub struct ProcView {
    pub name: String,
    pub kind: ProcKind,
    pub id: u32,
    pub set: String,
    pub host: String,
    pub state: State,
    /// Its latest answer (kept while it is stale or down).
    pub stats: Option<Arc<ProcStats>>,
    /// When it last answered (ms since the epoch), 0: never.
    pub last_seen_ms: u64,
    pub rates: Rates,
}

/// Everything readers see, replaced whole once per poll.
#[derive(Debug)]
pub struct Snapshot {
    pub now_ms: u64,
    /// Sorted by set, then name.
    pub procs: Vec<ProcView>,
    /// `GET /api/v1/procs`, rendered once.
    pub procs_json: String,
    pub alarms: AlarmsView,
    /// Changes whenever an alarm is raised or cleared.
    pub alarms_version: u64,
    /// `/metrics`, rendered by the first scrape of this snapshot.
    pub metrics_text: OnceLock<String>,
}

impl Snapshot {
    pub fn proc(&self, name: &str) -> Option<&ProcView> {
        self.procs.iter().find(|proc| proc.name == name)
    }
}

/// One chart point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub t_secs: u64,
    pub rates: Rates,
    pub rss_bytes: u64,
}

/// The most points kept per process.
pub const MAX_POINTS: usize = 3_600;

/// The chart history of every process. Only the poller writes, once per
/// poll; a reader copies one process's points out.
#[derive(Debug, Default)]
pub struct History {
    series: Mutex<HashMap<String, Series>>,
}

/// One process's points, and the polls not yet made into a point.
#[derive(Debug, Default)]
struct Series {
    points: VecDeque<Sample>,
    pending: Option<(Sample, u32)>,
}

impl History {
    pub fn of(&self, name: &str) -> Vec<Sample> {
        let series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        series
            .get(name)
            .map(|series| series.points.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Adds one poll's sample; `plan` says how many points to keep and
    /// how many polls make one point (their average).
    fn push(&self, name: &str, sample: Sample, plan: HistoryPlan) {
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let series = series.entry(name.to_string()).or_default();
        let (sum, polls) = match series.pending.take() {
            Some((sum, polls)) => (add(sum, sample), polls + 1),
            None => (sample, 1),
        };
        if polls < plan.polls_per_point {
            series.pending = Some((sum, polls));
            return;
        }
        let point = average(sum, polls, sample);
        while series.points.len() >= plan.points {
            series.points.pop_front();
        }
        series.points.push_back(point);
    }

    fn retain(&self, keep: impl Fn(&str) -> bool) {
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        series.retain(|name, _| keep(name));
    }
}

/// What the poller remembers of one process between polls.
#[derive(Debug, Default)]
struct Tracked {
    stats: Option<Arc<ProcStats>>,
    last_seen: Option<Instant>,
    last_seen_ms: u64,
    rates: Rates,
    last_drop_rise: Option<Instant>,
    drop_detail: String,
    /// The Redis latency alarm's detail for the last poll window, if over.
    redis_slow: Option<String>,
}

/// The readers' handle: the latest snapshot and the history.
#[derive(Clone, Debug)]
pub struct Published {
    pub snapshot: watch::Receiver<Arc<Snapshot>>,
    pub history: Arc<History>,
}

impl Published {
    pub fn latest(&self) -> Arc<Snapshot> {
        self.snapshot.borrow().clone()
    }
}

/// Starts the poller on the node's shutdown; returns the readers' handle.
pub fn start(node: &Node, fabric: Fabric) -> Published {
    let history = Arc::new(History::default());
    let mut poller = Poller {
        node: node.clone(),
        fabric,
        history: history.clone(),
        tracked: HashMap::new(),
        alarms: Alarms::new(node.log.clone()),
        started: Instant::now(),
    };
    let first = poller.publish(&crate::current_config(node));
    let (tx, snapshot) = watch::channel(Arc::new(first));
    node.shutdown.spawn(poller.run(tx));
    Published { snapshot, history }
}

struct Poller {
    node: Node,
    fabric: Fabric,
    history: Arc<History>,
    tracked: HashMap<String, Tracked>,
    alarms: Alarms,
    started: Instant,
}

impl Poller {
    async fn run(mut self, tx: watch::Sender<Arc<Snapshot>>) {
        let config = crate::current_config(&self.node);
        let mut period = config.manage.poll_interval();
        let mut tick = poll_timer(period);
        loop {
            tokio::select! {
                _ = self.node.shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let config = crate::current_config(&self.node);
            if config.manage.poll_interval() != period {
                // A reload changed the interval: the next tick keeps to it.
                period = config.manage.poll_interval();
                tick = poll_timer(period);
                tick.reset();
            }
            let answers = self.poll(&config).await;
            self.record(&config, answers);
            let snapshot = self.publish(&config);
            tx.send_replace(Arc::new(snapshot));
        }
    }

    /// Asks every process at once; the answers that came in time.
    async fn poll(&self, config: &ClusterConfig) -> Vec<(String, ProcStats)> {
        let within = config.manage.poll_interval();
        let calls = config.procs.iter().map(|proc| async move {
            let stats = if proc.id == self.node.me.id {
                Some(self.node.admin.snapshot(&self.node))
            } else {
                ask_stats(&self.fabric, config, proc, within).await
            };
            stats.map(|stats| (proc.name.clone(), stats))
        });
        join_all(calls).await.into_iter().flatten().collect()
    }

    fn record(&mut self, config: &ClusterConfig, answers: Vec<(String, ProcStats)>) {
        let now = Instant::now();
        let now_ms = now_ms();
        let plan = history_plan(&config.manage);
        for (name, stats) in answers {
            let Ok(proc) = config.proc_by_name(&name) else {
                continue;
            };
            let tracked = self.tracked.entry(name.clone()).or_default();
            let stats = Arc::new(stats);
            let previous = tracked
                .stats
                .as_ref()
                .filter(|prev| same_run(prev, &stats))
                .cloned();
            tracked.rates = rates(proc.kind, previous.as_deref(), &stats);
            tracked.redis_slow = redis_p99_over(
                previous.as_deref(),
                &stats,
                config.manage.redis_p99_alarm_ms,
            );
            if let Some(previous) = &previous {
                let before = queue_drops(previous);
                let after = queue_drops(&stats);
                if after > before {
                    tracked.last_drop_rise = Some(now);
                    tracked.drop_detail = format!("{} dropped since the last poll", after - before);
                }
            }
            tracked.stats = Some(stats.clone());
            tracked.last_seen = Some(now);
            tracked.last_seen_ms = now_ms;
            self.history.push(
                &name,
                Sample {
                    t_secs: now_ms / 1000,
                    rates: tracked.rates,
                    rss_bytes: stats.rss_bytes,
                },
                plan,
            );
        }
        let names: std::collections::HashSet<&str> =
            config.procs.iter().map(|proc| proc.name.as_str()).collect();
        self.tracked.retain(|name, _| names.contains(name.as_str()));
        self.history.retain(|name| names.contains(name));
        self.alarms
            .retain_procs(|name| names.contains(name), now_ms);
    }

    /// The state of every process now, alarms updated, as a snapshot.
    fn publish(&mut self, config: &ClusterConfig) -> Snapshot {
        let now = Instant::now();
        let now_ms = now_ms();
        let manage = &config.manage;
        let stale_after = Duration::from_millis(manage.stale_after_ms);
        let down_after = Duration::from_millis(manage.down_after_ms);
        let mut procs = Vec::with_capacity(config.procs.len());
        for proc in &config.procs {
            let says_gone = self.fabric_says_gone(proc);
            let tracked = self.tracked.entry(proc.name.clone()).or_default();
            let gone = tracked.last_seen.is_some() && says_gone;
            let silent = now - tracked.last_seen.unwrap_or(self.started);
            let state = if gone || silent >= down_after {
                State::Down
            } else if silent >= stale_after || tracked.last_seen.is_none() {
                State::Stale
            } else {
                State::Up
            };
            let down = (state == State::Down).then(|| {
                if gone {
                    "the disps report it gone".to_string()
                } else {
                    format!("no answer for {} s", silent.as_secs())
                }
            });
            self.alarms
                .set(AlarmKind::ProcDown, &proc.name, down, now_ms);
            let stale = (state == State::Stale && tracked.last_seen.is_some())
                .then(|| format!("no answer for {} ms", silent.as_millis()));
            self.alarms
                .set(AlarmKind::HeartbeatStale, &proc.name, stale, now_ms);
            let drops = tracked
                .last_drop_rise
                .filter(|rise| now - *rise < QUEUE_DROPS_QUIET)
                .map(|_| tracked.drop_detail.clone());
            self.alarms
                .set(AlarmKind::QueueDrops, &proc.name, drops, now_ms);
            let slow = match state {
                State::Up => tracked.redis_slow.clone(),
                _ => None,
            };
            self.alarms
                .set(AlarmKind::RedisLatency, &proc.name, slow, now_ms);
            procs.push(ProcView {
                name: proc.name.clone(),
                kind: proc.kind,
                id: proc.id,
                set: config.set_name(proc).to_string(),
                host: proc.host.clone(),
                state,
                stats: tracked.stats.clone(),
                last_seen_ms: tracked.last_seen_ms,
                rates: if state == State::Up {
                    tracked.rates
                } else {
                    Rates::default()
                },
            });
        }
        procs.sort_by(|a, b| (&a.set, &a.name).cmp(&(&b.set, &b.name)));
        let procs_json = crate::views::procs_json(now_ms, &procs).to_string();
        Snapshot {
            now_ms,
            procs,
            procs_json,
            alarms: self.alarms.view(),
            alarms_version: self.alarms.version,
            metrics_text: OnceLock::new(),
        }
    }

    /// Whether a process on the fabric that answered before is missing
    /// from every live disp's table (it is down at once, not after the
    /// silence). Processes reached through a leader, disps and this
    /// process are judged by their answers only.
    fn fabric_says_gone(&self, proc: &ProcConfig) -> bool {
        fabric_says_gone(&self.fabric, self.node.me.id, proc)
    }
}

/// See [`Poller::fabric_says_gone`].
fn fabric_says_gone(fabric: &Fabric, me: u32, proc: &ProcConfig) -> bool {
    let on_fabric = matches!(
        proc.kind,
        ProcKind::LogicServ
            | ProcKind::OnlineServ
            | ProcKind::ChatServ
            | ProcKind::FileServ
            | ProcKind::DirServ
            | ProcKind::ManageServ
    );
    on_fabric
        && proc.id != me
        && fabric.live_disps() > 0
        && !fabric.live_peers(proc.kind.proc_type()).contains(&proc.id)
}

/// How a request reaches `proc`: the target to send to (its leader for a
/// paired member; a disp through its own link) — the request names
/// `proc.id` either way.
pub fn route(config: &ClusterConfig, proc: &ProcConfig) -> Option<Target> {
    Some(match proc.kind {
        ProcKind::ConnServ | ProcKind::DbLogicServ => {
            let logic = config.logic_of(proc).ok()?;
            Target::spec(logic.kind.proc_type(), logic.id)
        }
        ProcKind::DbChatServ => {
            let chat = config.chat_of(proc).ok()?;
            Target::spec(chat.kind.proc_type(), chat.id)
        }
        ProcKind::DispServ => {
            // A hash key of the disp's position sends the request through
            // that disp's own link.
            let disps = config.disp_addrs();
            let index = disps.iter().position(|(id, _)| *id == proc.id)?;
            Target::spec(proc.kind.proc_type(), proc.id).keyed((index + disps.len()) as u64)
        }
        _ => Target::spec(proc.kind.proc_type(), proc.id),
    })
}

async fn ask_stats(
    fabric: &Fabric,
    config: &ClusterConfig,
    proc: &ProcConfig,
    within: Duration,
) -> Option<ProcStats> {
    let target = route(config, proc)?;
    let request = AdminRequest {
        proc_id: proc.id,
        op: Some(admin_request::Op::Stats(StatsQuery {})),
    };
    let reply = fabric
        .channel()
        .request_within(target, request, within)
        .await
        .ok()?;
    match reply.reply {
        Some(admin_reply::Reply::Stats(stats)) if stats.name == proc.name => Some(stats),
        _ => None,
    }
}

/// How the history of `manage.history_minutes` fits in [`MAX_POINTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HistoryPlan {
    points: usize,
    polls_per_point: u32,
}

fn history_plan(manage: &ManageConfig) -> HistoryPlan {
    let polls =
        (manage.history_minutes.saturating_mul(60_000) / manage.poll_interval_ms.max(1)).max(1);
    let per_point = polls
        .div_ceil(MAX_POINTS as u64)
        .clamp(1, u64::from(u32::MAX));
    HistoryPlan {
        points: (polls.div_ceil(per_point) as usize).clamp(1, MAX_POINTS),
        polls_per_point: per_point as u32,
    }
}

fn add(a: Sample, b: Sample) -> Sample {
    Sample {
        t_secs: b.t_secs,
        rates: Rates {
            messages_per_s: a.rates.messages_per_s + b.rates.messages_per_s,
            deliveries_per_s: a.rates.deliveries_per_s + b.rates.deliveries_per_s,
            connections: a.rates.connections + b.rates.connections,
            cpu_percent: a.rates.cpu_percent + b.rates.cpu_percent,
        },
        rss_bytes: b.rss_bytes,
    }
}

/// The point of `polls` summed samples: average rates, the latest time
/// and memory.
fn average(sum: Sample, polls: u32, latest: Sample) -> Sample {
    let n = f64::from(polls.max(1));
    Sample {
        t_secs: latest.t_secs,
        rates: Rates {
            messages_per_s: sum.rates.messages_per_s / n,
            deliveries_per_s: sum.rates.deliveries_per_s / n,
            connections: sum.rates.connections / n,
            cpu_percent: sum.rates.cpu_percent / n,
        },
        rss_bytes: latest.rss_bytes,
    }
}

fn poll_timer(period: Duration) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(period.max(Duration::from_millis(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick
}

/// Whether two answers come from one run of a process (counters of a
/// restarted process start again from zero).
fn same_run(a: &ProcStats, b: &ProcStats) -> bool {
    a.pid == b.pid && a.started_at_ms == b.started_at_ms
}

#[cfg(test)]
mod history_tests {
    use super::*;

    fn sample(t_secs: u64, messages_per_s: f64) -> Sample {
        Sample {
            t_secs,
            rates: Rates {
                messages_per_s,
                ..Rates::default()
            },
            rss_bytes: t_secs,
        }
    }

    #[test]
    fn a_long_history_is_capped_and_averaged() {
        let day_fast = ManageConfig {
            history_minutes: 1440,
            poll_interval_ms: 100,
            ..ManageConfig::default()
        };
        let plan = history_plan(&day_fast);
        assert!(plan.points <= MAX_POINTS, "{plan:?}");
        assert_eq!(plan.polls_per_point, 240);
        let short = history_plan(&ManageConfig::default());
        assert_eq!(
            short,
            HistoryPlan {
                points: 900,
                polls_per_point: 1
            }
        );

        let history = History::default();
        let plan = HistoryPlan {
            points: 3,
            polls_per_point: 2,
        };
        for t in 0..10 {
            history.push("p", sample(t, t as f64), plan);
        }
        let points = history.of("p");
        assert_eq!(points.len(), 3);
        // Polls (4,5), (6,7), (8,9) averaged, stamped with the later one.
        assert_eq!(points[0].t_secs, 5);
        assert_eq!(points[0].rates.messages_per_s, 4.5);
        assert_eq!(points[2].rates.messages_per_s, 8.5);
        assert_eq!(points[2].rss_bytes, 9);
    }
}
