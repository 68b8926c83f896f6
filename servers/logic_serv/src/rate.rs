//! A user's send rate: a token bucket per user (kept by `Sessions` across
//! reconnects to this logic), refilled at `chat.send_rate_per_sec` up to
//! `chat.send_burst`. A send that finds it empty is answered RATE_LIMITED
//! and not stored.

use schat_runtime::config::ChatConfig;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct TokenBucket {
    tokens: f32,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(chat: &ChatConfig) -> TokenBucket {
        TokenBucket {
            tokens: burst(chat),
            at: Instant::now(),
        }
    }

    /// Whether the bucket has filled up again (nothing to remember).
    pub fn is_full(&mut self, chat: &ChatConfig) -> bool {
        self.refill(chat);
        self.tokens >= burst(chat)
    }

    fn refill(&mut self, chat: &ChatConfig) {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f32() * chat.send_rate_per_sec as f32;
        self.tokens = (self.tokens + refill).min(burst(chat));
        self.at = now;
    }

    /// Takes a token if there is one (always, with no rate set).
    pub fn take(&mut self, chat: &ChatConfig) -> bool {
        if chat.send_rate_per_sec == 0 {
            return true;
        }
        self.refill(chat);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn burst(chat: &ChatConfig) -> f32 {
    chat.send_burst.max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_the_rate() {
        let chat = ChatConfig {
            send_rate_per_sec: 10,
            send_burst: 5,
            ..ChatConfig::default()
        };
        let mut bucket = TokenBucket::full(&chat);
        assert_eq!((0..20).filter(|_| bucket.take(&chat)).count(), 5);
        tokio::time::advance(Duration::from_millis(500)).await;
        assert_eq!((0..20).filter(|_| bucket.take(&chat)).count(), 5);
        tokio::time::advance(Duration::from_millis(100)).await;
        assert!(bucket.take(&chat));
        assert!(!bucket.take(&chat));
        let unlimited = ChatConfig {
            send_rate_per_sec: 0,
            ..ChatConfig::default()
        };
        assert!((0..1000).all(|_| bucket.take(&unlimited)));
    }
}
