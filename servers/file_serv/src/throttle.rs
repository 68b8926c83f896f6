//! Per-address throttling: an address that fails too often (4xx answers)
//! within a window is refused with 429 for a while. Addresses count as the
//! connection caps count them: an IPv6 host by its /64.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use schat_runtime::config::ThrottleConfig;
use schat_runtime::http::client_address;
use schat_runtime::LiveConfig;
use tokio::time::Instant;

/// Addresses tracked at most; old windows are swept when it is reached.
const TRACKED_MAX: usize = 100_000;

#[derive(Debug)]
pub struct Throttle {
    config: Settings,
    by_ip: Mutex<HashMap<IpAddr, Record>>,
}

#[derive(Clone, Copy, Debug)]
struct Record {
    window_start: Instant,
    failures: u32,
    blocked_until: Option<Instant>,
}

/// Where the settings come from: fixed, or `files.throttle` of the
/// current cluster file.
#[derive(Debug)]
enum Settings {
    Fixed(ThrottleConfig),
    Live(LiveConfig),
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            config: Settings::Fixed(config),
            by_ip: Mutex::default(),
        }
    }

    /// A throttle that follows `files.throttle` through reloads.
    pub fn live(config: LiveConfig) -> Throttle {
        Throttle {
            config: Settings::Live(config),
            by_ip: Mutex::default(),
        }
    }

    fn config(&self) -> ThrottleConfig {
        match &self.config {
            Settings::Fixed(config) => config.clone(),
            Settings::Live(config) => config.current().files.throttle.clone(),
        }
    }

    fn applies(&self, ip: IpAddr, config: &ThrottleConfig) -> bool {
        config.max_failures > 0 && (config.on_loopback || !ip.is_loopback())
    }

    /// Seconds `ip` must still wait, if it is blocked.
    pub fn blocked(&self, ip: IpAddr) -> Option<u64> {
        let ip = client_address(ip);
        let config = self.config();
        if !self.applies(ip, &config) {
            return None;
        }
        let now = Instant::now();
        let by_ip = self.lock();
        let until = by_ip.get(&ip)?.blocked_until?;
        (until > now).then(|| (until - now).as_secs().max(1))
    }

    /// Counts a failed request from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let ip = client_address(ip);
        let config = self.config();
        if !self.applies(ip, &config) {
            return;
        }
        let now = Instant::now();
        let window = Duration::from_secs(config.window_secs);
        let mut by_ip = self.lock();
        if by_ip.len() >= TRACKED_MAX {
            by_ip.retain(|_, record| {
                record.window_start + window > now
                    || record.blocked_until.is_some_and(|until| until > now)
            });
        }
        let record = by_ip.entry(ip).or_insert(Record {
            window_start: now,
            failures: 0,
            blocked_until: None,
        });
        if record.window_start + window <= now {
            record.window_start = now;
            record.failures = 0;
        }
        record.failures += 1;
        if record.failures >= config.max_failures {
            record.blocked_until = Some(now + Duration::from_secs(config.block_secs));
            record.failures = 0;
            record.window_start = now;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Record>> {
        self.by_ip
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(on_loopback: bool) -> Throttle {
        Throttle::new(ThrottleConfig {
            max_failures: 3,
            window_secs: 60,
            block_secs: 30,
            on_loopback,
        })
    }

    #[tokio::test]
    async fn repeated_failures_block_the_address_only() {
        let throttle = throttle(false);
        let bad: IpAddr = "192.0.2.7".parse().unwrap();
        let good: IpAddr = "192.0.2.8".parse().unwrap();
        throttle.failed(bad);
        throttle.failed(bad);
        assert_eq!(throttle.blocked(bad), None);
        throttle.failed(bad);
        assert!(throttle.blocked(bad).is_some_and(|secs| secs <= 30));
        assert_eq!(throttle.blocked(good), None);
    }

    #[tokio::test]
    async fn an_ipv6_host_is_counted_by_its_prefix() {
        let throttle = throttle(false);
        for last in 1..=3u16 {
            let ip: IpAddr = format!("2001:db8:1:2::{last:x}").parse().unwrap();
            throttle.failed(ip);
        }
        let neighbour: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(throttle.blocked(neighbour).is_some());
        assert_eq!(throttle.blocked(elsewhere), None);
    }

    #[tokio::test]
    async fn loopback_is_exempt_unless_configured() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let exempt = throttle(false);
        let strict = throttle(true);
        for _ in 0..5 {
            exempt.failed(local);
            strict.failed(local);
        }
        assert_eq!(exempt.blocked(local), None);
        assert!(strict.blocked(local).is_some());
    }
}
