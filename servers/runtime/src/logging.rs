//! Logging through slog, behind one constructor so call sites stay simple.
//!
//! Levels follow one rubric: `info` = an action completed (start, stop, peer
//! up); `warn` = something failed but the process copes (peer down, a bad
//! client); `error` = someone must act or data was lost; `debug` = per-request
//! detail. Structured fields first, then a short capitalised message.

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
