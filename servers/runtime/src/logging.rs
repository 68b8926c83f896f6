//! Logging through slog, behind one constructor so call sites stay simple.
//!
//! Levels follow one rubric: `info` = an action completed (start, stop, peer
//! up); `warn` = something failed but the process copes (peer down, a bad
//! client); `error` = someone must act or data was lost; `debug` = per-request
//! detail. Structured fields first, then a short capitalised message.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub use slog::{debug, error, info, o, warn, Logger};
use slog::{Drain, Level};

/// Parses a level name as written in cluster.json.
pub fn parse_level(name: &str) -> Option<Level> {
    match name {
        "trace" => Some(Level::Trace),
        "debug" => Some(Level::Debug),
        "info" => Some(Level::Info),
        "warn" | "warning" => Some(Level::Warning),
        "error" => Some(Level::Error),
        "critical" | "off" => Some(Level::Critical),
        _ => None,
    }
}

/// Changes this process's logging while it runs: the level, and (for a
/// log file) reopening it after rotation. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LogControl {
    level: Arc<AtomicUsize>,
}

impl Default for LogControl {
    fn default() -> LogControl {
        LogControl::new(Level::Info)
    }
}

impl LogControl {
    pub fn new(level: Level) -> LogControl {
        LogControl {
            level: Arc::new(AtomicUsize::new(level.as_usize())),
        }
    }

    /// Sets the level by name (as in cluster.json).
    pub fn set_level(&self, name: &str) -> Result<(), String> {
        let level = parse_level(name).ok_or_else(|| {
            format!("unknown log level {name:?}: trace, debug, info, warn, error, off")
        })?;
        self.level.store(level.as_usize(), Ordering::Relaxed);
        Ok(())
    }

    pub fn level(&self) -> Level {
        Level::from_usize(self.level.load(Ordering::Relaxed)).unwrap_or(Level::Info)
    }

    pub fn level_name(&self) -> String {
        self.level().as_str().to_lowercase()
    }

    /// Reopens the log file; `Ok` says what was done.
    pub fn reopen(&self) -> Result<String, String> {
        Err("this process logs to standard error: nothing to reopen".to_string())
    }

    fn enabled(&self, level: Level) -> bool {
        level.is_at_least(self.level())
    }
}

/// Passes records at or above the control's current level.
struct LiveLevel<D> {
    drain: D,
    control: LogControl,
}

impl<D: Drain> Drain for LiveLevel<D> {
    type Ok = Option<D::Ok>;
    type Err = D::Err;

    fn log(
        &self,
        record: &slog::Record<'_>,
        values: &slog::OwnedKVList,
    ) -> Result<Self::Ok, Self::Err> {
        if self.control.enabled(record.level()) {
            self.drain.log(record, values).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A logger writing to standard error, tagged with the process name, whose
/// level the returned control changes.
pub fn stderr_logger_with_control(level: Level, proc_name: &str) -> (Logger, LogControl) {
    let control = LogControl::new(level);
    let decorator = slog_term::PlainDecorator::new(std::io::stderr());
    let drain = slog_term::FullFormat::new(decorator)
        .use_original_order()
        .build()
        .fuse();
    let drain = slog_async::Async::new(drain)
        .chan_size(8192)
        .overflow_strategy(slog_async::OverflowStrategy::DropAndReport)
        .build()
        .fuse();
    let drain = LiveLevel {
        drain,
        control: control.clone(),
    }
    .fuse();
    let log = Logger::root(drain, o!("proc" => proc_name.to_string()));
    (log, control)
}

/// A logger writing to standard error, tagged with the process name.
pub fn stderr_logger(level: Level, proc_name: &str) -> Logger {
    let decorator = slog_term::PlainDecorator::new(std::io::stderr());
    let drain = slog_term::FullFormat::new(decorator)
        .use_original_order()
        .build()
        .fuse();
    let drain = slog_async::Async::new(drain)
        .chan_size(8192)
        .overflow_strategy(slog_async::OverflowStrategy::DropAndReport)
        .build()
        .fuse();
    let drain = drain.filter_level(level).fuse();
    Logger::root(drain, o!("proc" => proc_name.to_string()))
}

/// A logger for tests: silent unless `SCHAT_TEST_LOG` names a level.
pub fn test_logger(proc_name: &str) -> Logger {
    match std::env::var("SCHAT_TEST_LOG")
        .ok()
        .as_deref()
        .and_then(parse_level)
    {
        Some(level) => stderr_logger(level, proc_name),
        None => Logger::root(slog::Discard, o!()),
    }
}
