//! The Redis memory alarm: every few seconds db_chat_serv reads Redis's
//! `INFO memory` (every primary's, on a Redis Cluster) and logs an alarm
//! (error level: someone must act) while Redis (the fullest primary) uses
//! at least `redis.memory_alarm_percent` of its `maxmemory`,
//! and when it falls back below the alarm level less a margin. Redis
//! without a memory limit is reported once at start.

use std::time::Duration;

use schat_runtime::logging::{error, info, warn, Logger};
use schat_runtime::stats::Stats;
use schat_runtime::storage::Redis;
use schat_runtime::Shutdown;

/// How often Redis's memory is read.
const EVERY: Duration = Duration::from_secs(10);

/// How far below the alarm level use must fall to clear it.
const CLEAR_MARGIN_PERCENT: u64 = 10;

/// Watches Redis's memory until `shutdown`.
pub async fn watch(
    mut redis: Redis,
    alarm_percent: u8,
    log: Logger,
    stats: Stats,
    shutdown: Shutdown,
) {
    let mut alarm = Alarm::new(alarm_percent);
    let mut warned_unlimited = false;
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let infos = match redis.info_of_primaries("memory").await {
            Ok(infos) => infos,
            Err(_) => continue,
        };
        // On a Redis Cluster, the primary nearest its limit (a full one
        // refuses the writes of its slots).
        let fullest = infos
            .iter()
            .filter_map(|info| Some((field(info, "used_memory")?, field(info, "maxmemory")?)))
            .max_by(|(used_a, max_a), (used_b, max_b)| {
                let share = |used: u64, max: u64| match max {
                    0 => 0.0,
                    max => used as f64 / max as f64,
                };
                share(*used_a, *max_a).total_cmp(&share(*used_b, *max_b))
            });
        let Some((used, max)) = fullest else {
            continue;
        };
        if max == 0 {
            if !warned_unlimited {
                warn!(
                    log,
                    "Redis runs without maxmemory: it can grow until the host runs out of memory"
                );
                warned_unlimited = true;
            }
            continue;
        }
        match alarm.observe(used, max) {
            Some(true) => {
                error!(log, "Redis memory alarm raised: near its limit, writes will soon be refused";
                "used_bytes" => used, "maxmemory_bytes" => max);
                stats.record_error(format!(
                    "Redis memory alarm: {used} of {max} bytes used, writes will soon be refused"
                ));
            }
            Some(false) => info!(log, "Redis memory alarm cleared";
                "used_bytes" => used, "maxmemory_bytes" => max),
            None => {}
        }
    }
}

/// A numeric field of an INFO section.
pub(crate) fn field(info: &str, name: &str) -> Option<u64> {
    info.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|value| value.trim().parse().ok())
}

/// Raised at the alarm level, cleared below it less the margin.
#[derive(Debug)]
struct Alarm {
    percent: u64,
    raised: bool,
}

impl Alarm {
    fn new(percent: u8) -> Alarm {
        Alarm {
            percent: u64::from(percent),
            raised: false,
        }
    }

    /// Some(true) when the alarm is raised now, Some(false) when cleared.
    fn observe(&mut self, used: u64, max: u64) -> Option<bool> {
        let percent = used.saturating_mul(100) / max.max(1);
        if !self.raised && percent >= self.percent {
            self.raised = true;
            return Some(true);
        }
        if self.raised && percent + CLEAR_MARGIN_PERCENT < self.percent {
            self.raised = false;
            return Some(false);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_once_and_cleared_below_the_margin() {
        let mut alarm = Alarm::new(80);
        assert_eq!(alarm.observe(50, 100), None);
        assert_eq!(alarm.observe(80, 100), Some(true));
        assert_eq!(alarm.observe(95, 100), None);
        assert_eq!(alarm.observe(75, 100), None);
        assert_eq!(alarm.observe(69, 100), Some(false));
        assert_eq!(alarm.observe(69, 100), None);
    }

    #[test]
    fn reads_info_fields() {
        let info = "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:0\r\n";
        assert_eq!(field(info, "used_memory"), Some(1_048_576));
        assert_eq!(field(info, "maxmemory"), Some(0));
        assert_eq!(field(info, "maxmemory_policy"), None);
    }
}
