//! Graceful shutdown: one token every task of a process watches.
//!
//! `main` triggers it on SIGINT/SIGTERM; tests trigger it to stop (or "kill")
//! one process of an in-process cluster. Every long-lived task selects on
//! [`Shutdown::cancelled`] so that, once triggered, the process's sockets
//! close within the grace period.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A cloneable shutdown signal plus a tracker of the tasks that must finish.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    token: CancellationToken,
    tasks: TaskTracker,
}

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks every task to stop.
    pub fn trigger(&self) {
        self.token.cancel();
    }

    pub fn is_triggered(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes once shutdown has been triggered.
    pub async fn cancelled(&self) {
        self.token.cancelled().await
    }

    /// A child signal: triggered with this one, or on its own (one connection).
    pub fn child(&self) -> Shutdown {
        Shutdown {
            token: self.token.child_token(),
            tasks: self.tasks.clone(),
        }
    }

    /// A signal triggered only on its own, whose tasks `stop` still waits
    /// for: for what must outlive the process's signal for a moment, like
    /// the link a stopping process says goodbye on.
    pub fn detached(&self) -> Shutdown {
        Shutdown {
            token: CancellationToken::new(),
            tasks: self.tasks.clone(),
        }
    }

    /// Spawns a task that shutdown waits for.
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(task)
    }

    /// Triggers shutdown and waits for the tracked tasks, at most `grace`.
    /// Returns false when some task was still running at the deadline.
    pub async fn stop(&self, grace: Duration) -> bool {
        self.trigger();
        self.tasks.close();
        tokio::time::timeout(grace, self.tasks.wait()).await.is_ok()
    }
}
