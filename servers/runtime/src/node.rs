//! Who this process is and what it runs under: the cluster file, its own
//! entry, its logger, its shutdown signal, its health, and what it tells
//! manage_serv. Every server's `run` takes one.

use crate::admin::Admin;
use crate::config::{LiveConfig, ProcConfig};
use crate::health::Health;
use crate::logging::{LogControl, Logger};
use crate::shutdown::Shutdown;
use crate::stats::Stats;
use crate::time::Clock;

#[derive(Clone, Debug)]
pub struct Node {
    /// The cluster file as it is now: read settings at use time.
    pub config: LiveConfig,
    pub me: ProcConfig,
    pub log: Logger,
    pub shutdown: Shutdown,
    /// Whether this process can serve (see `health`).
    pub health: Health,
    /// What this process counts about itself (see `stats`).
    pub stats: Stats,
    /// Answers manage_serv (see `admin`).
    pub admin: Admin,
    /// Its log level and file, changed at run time.
    pub logs: LogControl,
    /// The wall clock its time rules read (see `time::Clock`).
    pub clock: Clock,
    /// Random per start (never 0): tells this run of the process from
    /// the one before it, in its hello (`Peer.incarnation`) and in what it
    /// leaves in storage (a logic's session records).
    pub incarnation: u64,
}

impl Node {
    /// A node with fresh health, stats and admin state.
    pub fn new(
        config: LiveConfig,
        me: ProcConfig,
        log: Logger,
        logs: LogControl,
        shutdown: Shutdown,
    ) -> Node {
        Node {
            config,
            me,
            log,
            shutdown,
            health: Health::default(),
            stats: Stats::new(),
            admin: Admin::default(),
            logs,
            clock: Clock::system(),
            incarnation: rand::random::<u64>().max(1),
        }
    }

    /// The same node reading `clock` (a test's).
    pub fn with_clock(self, clock: Clock) -> Node {
        Node { clock, ..self }
    }
}
