//! Alarms an operator should see: a process down, a process whose answers
//! stopped (stale), a queue that dropped something, Redis slow. Each is
//! raised when its condition starts and cleared when it ends, with both
//! times kept; the active ones and the latest cleared ones are shown.
//!
//! | kind              | raised while                                                     |
//! |-------------------|------------------------------------------------------------------|
//! | `proc_down`       | the process is down (silent `manage.down_after_ms`, or gone)     |
//! | `heartbeat_stale` | the process answered before but not for `manage.stale_after_ms`  |
//! | `queue_drops`     | the process's `queue_drops_total` (items its full queues refused, not clients closed) rose in the last minute |
//! | `redis_latency`   | a db_* process's Redis round trip p99 over the last poll window > `manage.redis_p99_alarm_ms` |

use std::collections::{BTreeMap, VecDeque};

use schat_runtime::logging::{info, warn, Logger};
use serde::Serialize;

/// Cleared alarms kept for the console.
const RECENT: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    ProcDown,
    HeartbeatStale,
    QueueDrops,
    RedisLatency,
}

impl AlarmKind {
    pub fn name(self) -> &'static str {
        match self {
            AlarmKind::ProcDown => "proc_down",
            AlarmKind::HeartbeatStale => "heartbeat_stale",
            AlarmKind::QueueDrops => "queue_drops",
            AlarmKind::RedisLatency => "redis_latency",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    pub id: u64,
    pub kind: AlarmKind,
    pub proc: String,
    pub detail: String,
    pub raised_at_ms: u64,
    /// `null` while active.
    pub cleared_at_ms: Option<u64>,
}

/// The active and the recently cleared alarms, as the API shows them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AlarmsView {
    pub active: Vec<Alarm>,
    pub recent: Vec<Alarm>,
}

/// The alarm table, owned by the poller.
#[derive(Debug)]
pub struct Alarms {
    active: BTreeMap<(AlarmKind, String), Alarm>,
    /// Cleared alarms, newest first.
    recent: VecDeque<Alarm>,
    next_id: u64,
    /// Bumped on every raise and clear.
    pub version: u64,
    log: Logger,
}

impl Alarms {
    pub fn new(log: Logger) -> Alarms {
        Alarms {
            active: BTreeMap::new(),
            recent: VecDeque::new(),
            next_id: 1,
            version: 0,
            log,
        }
    }

    /// Raises the alarm `kind` of `proc` when `detail` is given (keeping
    /// an active one as it is), clears it when not.
    pub fn set(&mut self, kind: AlarmKind, proc: &str, detail: Option<String>, now_ms: u64) {
        let key = (kind, proc.to_string());
        match (detail, self.active.contains_key(&key)) {
            (Some(detail), false) => {
                warn!(self.log, "Alarm raised"; "kind" => kind.name(), "proc" => proc,
                    "detail" => &detail);
                let alarm = Alarm {
                    id: self.next_id,
                    kind,
                    proc: proc.to_string(),
                    detail,
                    raised_at_ms: now_ms,
                    cleared_at_ms: None,
                };
                self.next_id += 1;
                self.active.insert(key, alarm);
                self.version += 1;
            }
            (None, true) => {
                if let Some(mut alarm) = self.active.remove(&key) {
                    info!(self.log, "Alarm cleared"; "kind" => kind.name(), "proc" => proc);
                    alarm.cleared_at_ms = Some(now_ms);
                    self.recent.push_front(alarm);
                    self.recent.truncate(RECENT);
                    self.version += 1;
                }
            }
            _ => {}
        }
    }

    /// Clears the alarms of processes no longer in the cluster file.
    pub fn retain_procs(&mut self, keep: impl Fn(&str) -> bool, now_ms: u64) {
        let gone: Vec<(AlarmKind, String)> = self
            .active
            .keys()
            .filter(|(_, proc)| !keep(proc))
            .cloned()
            .collect();
        for (kind, proc) in gone {
            self.set(kind, &proc, None, now_ms);
        }
    }

    pub fn view(&self) -> AlarmsView {
        let mut active: Vec<Alarm> = self.active.values().cloned().collect();
        active.sort_by_key(|alarm| (alarm.raised_at_ms, alarm.id));
        AlarmsView {
            active,
            recent: self.recent.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_once_and_cleared_with_times() {
        let mut alarms = Alarms::new(schat_runtime::logging::test_logger("alarms"));
        alarms.set(AlarmKind::ProcDown, "chat_serv-1", Some("gone".into()), 10);
        alarms.set(AlarmKind::ProcDown, "chat_serv-1", Some("still".into()), 20);
        let view = alarms.view();
        assert_eq!(view.active.len(), 1);
        assert_eq!(view.active[0].raised_at_ms, 10);
        assert_eq!(view.active[0].detail, "gone");
        let version = alarms.version;
        alarms.set(AlarmKind::ProcDown, "chat_serv-1", None, 30);
        assert_eq!(alarms.version, version + 1);
        let view = alarms.view();
        assert!(view.active.is_empty());
        assert_eq!(view.recent[0].cleared_at_ms, Some(30));
        let json = serde_json::to_value(&view.recent[0]).unwrap();
        assert_eq!(json["kind"], "proc_down");
        alarms.set(AlarmKind::QueueDrops, "conn_serv-1", Some("x".into()), 40);
        alarms.retain_procs(|proc| proc != "conn_serv-1", 50);
        assert!(alarms.view().active.is_empty());
    }
}
