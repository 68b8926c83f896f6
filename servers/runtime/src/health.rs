//! Whether this process can serve right now. A process that is alive but
//! whose storage partner is down is *degraded*: it says so in every
//! heartbeat, and the disps leave it out of HASH and RAND picks until it
//! recovers, so its keys move to healthy processes of its type.

use std::sync::Arc;

use tokio::sync::watch;

/// Cloneable handle to this process's health flag.
#[derive(Clone, Debug)]
pub struct Health(Arc<watch::Sender<bool>>);

impl Default for Health {
    fn default() -> Health {
        Health(Arc::new(watch::Sender::new(false)))
    }
}

impl Health {
    /// Marks the process degraded or healthy (watchers wake on a change).
    pub fn set_degraded(&self, degraded: bool) {
        self.0.send_if_modified(|current| {
            let changed = *current != degraded;
            *current = degraded;
            changed
        });
    }

    pub fn is_degraded(&self) -> bool {
        *self.0.borrow()
    }

    /// A receiver that wakes on every change.
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.0.subscribe()
    }
}
