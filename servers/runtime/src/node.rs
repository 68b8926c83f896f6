//! Who this process is and what it runs under: the cluster file, its own
//! entry, its logger, its shutdown signal and its health. Every server's `run` takes one.

use std::sync::Arc;

use crate::config::{ClusterConfig, ProcConfig};
use crate::health::Health;
use crate::logging::Logger;
use crate::shutdown::Shutdown;

#[derive(Clone, Debug)]
pub struct Node {
    pub config: Arc<ClusterConfig>,
    pub me: ProcConfig,
    pub log: Logger,
    pub shutdown: Shutdown,
    /// Whether this process can serve (see `health`).
    pub health: Health,
}
