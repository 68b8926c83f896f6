//! Wall-clock helpers. Durations inside a process use `tokio::time::Instant`;
//! these are for timestamps that cross process boundaries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

/// The wall clock a process's time rules read (the recall window, the
/// release delay of files): the system's, ahead by what a test moved it —
/// so a test of a rule about time moves the clock instead of sleeping.
/// Clones share one clock; the in-process test cluster gives every node the
/// same one.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    inner: Arc<Moved>,
}

#[derive(Debug, Default)]
struct Moved {
    ahead_ms: AtomicU64,
    /// Wakes [`Clock::sleep`]s when the clock is moved.
    moved: Notify,
}

impl Clock {
    /// The system's clock, not moved.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Milliseconds since the Unix epoch, by this clock.
    pub fn now_ms(&self) -> u64 {
        now_ms().saturating_add(self.inner.ahead_ms.load(Ordering::Relaxed))
    }

    /// Waits until this clock reads `by` later than now: the time passing,
    /// or a test moving the clock past it, whichever comes first.
    pub async fn sleep(&self, by: Duration) {
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let due_ms = self.now_ms().saturating_add(by_ms);
        loop {
            // Listening before reading the clock: a move in between is not
            // missed.
            let moved = self.inner.moved.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            let now = self.now_ms();
            if now >= due_ms {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(due_ms - now)) => {}
                _ = moved => {}
            }
        }
    }

    /// Moves this clock, and every clone of it, forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.inner.ahead_ms.fetch_add(by_ms, Ordering::Relaxed);
        self.inner.moved.notify_waiters();
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or(0)
}

/// Microseconds since the Unix epoch.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sleep_ends_when_the_clock_is_moved_past_it() {
        let clock = Clock::system();
        let sleeping = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3600)).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(1800));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!sleeping.is_finished(), "woke half way");
        clock.advance(Duration::from_secs(1800));
        tokio::time::timeout(Duration::from_secs(5), sleeping)
            .await
            .expect("still asleep after the clock passed its end")
            .unwrap();
    }

    #[tokio::test]
    async fn a_sleep_ends_with_the_time_passing() {
        let started = tokio::time::Instant::now();
        Clock::system().sleep(Duration::from_millis(30)).await;
        assert!(started.elapsed() >= Duration::from_millis(25));
    }
}
