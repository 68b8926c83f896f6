//! Logging through slog, behind one constructor so call sites stay simple.
//!
//! Levels follow one rubric: `info` = an action completed (start, stop, peer
//! up); `warn` = something failed but the process copes (peer down, a bad
//! client); `error` = someone must act or data was lost; `debug` = per-request
//! detail. Structured fields first, then a short capitalised message.
//!
//! A process writes text or JSON lines (`log.format`) to standard error or
//! to its `--log-file`, which [`LogControl::reopen`] opens again after
//! rotation; the level and format change at run time.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use slog::{debug, error, info, o, warn, Logger};
use slog::{Drain, Level};

pub use crate::config::LogFormat;

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

/// Changes this process's logging while it runs: the level, the format,
/// and (for a log file) reopening it after rotation. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LogControl {
    level: Arc<AtomicUsize>,
    json: Arc<AtomicBool>,
    sink: Arc<Mutex<Sink>>,
}

/// Where lines go: standard error, or a file opened for appending.
#[derive(Debug)]
struct Sink {
    path: Option<PathBuf>,
    file: Option<File>,
}

impl Default for LogControl {
    fn default() -> LogControl {
        LogControl::new(Level::Info)
    }
}

impl LogControl {
    /// Text to standard error at `level`.
    pub fn new(level: Level) -> LogControl {
        LogControl {
            level: Arc::new(AtomicUsize::new(level.as_usize())),
            json: Arc::new(AtomicBool::new(false)),
            sink: Arc::new(Mutex::new(Sink {
                path: None,
                file: None,
            })),
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

    /// Sets the format of the lines written from now on (a line already
    /// queued may still take the new one).
    pub fn set_format(&self, format: LogFormat) {
        self.json
            .store(format == LogFormat::Json, Ordering::Relaxed);
    }

    pub fn format(&self) -> LogFormat {
        if self.json.load(Ordering::Relaxed) {
            LogFormat::Json
        } else {
            LogFormat::Text
        }
    }

    /// Reopens the log file at its path (after logrotate moved it away,
    /// the next lines go to a new file there); `Ok` says what was done.
    pub fn reopen(&self) -> Result<String, String> {
        let mut sink = self.lock_sink();
        let Some(path) = sink.path.clone() else {
            return Err("this process logs to standard error: nothing to reopen".to_string());
        };
        let file =
            open_append(&path).map_err(|err| format!("cannot reopen {}: {err}", path.display()))?;
        sink.file = Some(file);
        Ok(format!("reopened {}", path.display()))
    }

    /// Sends the lines to the file at `path` (appending) from now on.
    fn log_to_file(&self, path: &Path) -> std::io::Result<()> {
        let file = open_append(path)?;
        let mut sink = self.lock_sink();
        sink.path = Some(path.to_path_buf());
        sink.file = Some(file);
        Ok(())
    }

    fn enabled(&self, level: Level) -> bool {
        level.is_at_least(self.level())
    }

    fn lock_sink(&self) -> MutexGuard<'_, Sink> {
        self.sink
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
}

/// Writes to the control's current sink (only the log thread writes).
struct SinkWriter(LogControl);

impl Write for SinkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.0.lock_sink().file {
            Some(file) => file.write(bytes),
            None => std::io::stderr().write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.0.lock_sink().file {
            Some(file) => file.flush(),
            None => std::io::stderr().flush(),
        }
    }
}

/// Formats each record as text or JSON, as the control says now.
struct Formats {
    control: LogControl,
    text: slog_term::FullFormat<slog_term::PlainDecorator<SinkWriter>>,
    json: slog_json::Json<SinkWriter>,
}

impl Drain for Formats {
    type Ok = ();
    type Err = std::io::Error;

    fn log(
        &self,
        record: &slog::Record<'_>,
        values: &slog::OwnedKVList,
    ) -> Result<Self::Ok, Self::Err> {
        match self.control.format() {
            LogFormat::Text => self.text.log(record, values),
            LogFormat::Json => self.json.log(record, values),
        }
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

/// Writes out what is still queued and stops the log thread when
/// dropped: drop it last, just before the process exits.
pub struct LogGuard(#[allow(dead_code)] slog_async::AsyncGuard);

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogGuard")
    }
}

/// A server process's logger, tagged with the process name: `level` and
/// `format` as the returned control changes them, to `file` (appending;
/// reopened by [`LogControl::reopen`]) or else standard error.
pub fn process_logger(
    level: Level,
    format: LogFormat,
    file: Option<&Path>,
    proc_name: &str,
) -> std::io::Result<(Logger, LogControl, LogGuard)> {
    let control = LogControl::new(level);
    control.set_format(format);
    if let Some(path) = file {
        control.log_to_file(path)?;
    }
    let text =
        slog_term::FullFormat::new(slog_term::PlainDecorator::new(SinkWriter(control.clone())))
            .use_original_order()
            .build();
    let json = slog_json::Json::new(SinkWriter(control.clone()))
        .add_default_keys()
        .build();
    let formats = Formats {
        control: control.clone(),
        text,
        json,
    };
    let (drain, guard) = slog_async::Async::new(formats.fuse())
        .chan_size(8192)
        .overflow_strategy(slog_async::OverflowStrategy::DropAndReport)
        .build_with_guard();
    let drain = LiveLevel {
        drain: drain.fuse(),
        control: control.clone(),
    }
    .fuse();
    let log = Logger::root(drain, o!("proc" => proc_name.to_string()));
    Ok((log, control, LogGuard(guard)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_level_change_at_run_time_and_the_guard_writes_everything_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proc.log");
        let (log, control, guard) =
            process_logger(Level::Info, LogFormat::Text, Some(&path), "p-1").unwrap();
        info!(log, "As text"; "n" => 1);
        debug!(log, "Hidden at info");
        // The format applies to lines written after the switch: wait for
        // the first one (bounded).
        for _ in 0..500 {
            if std::fs::read_to_string(&path).is_ok_and(|text| text.ends_with('\n')) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        control.set_format(LogFormat::Json);
        control.set_level("debug").unwrap();
        info!(log, "As json"; "n" => 2);
        debug!(log, "Shown at debug");
        assert_eq!(control.level_name(), "debug");
        // No sleep: dropping the guard writes out what is queued.
        drop(log);
        drop(guard);

        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("INFO") && lines[0].contains("As text"));
        assert!(serde_json::from_str::<serde_json::Value>(lines[0]).is_err());
        for (line, msg, level) in [
            (lines[1], "As json", "INFO"),
            (lines[2], "Shown at debug", "DEBG"),
        ] {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(entry["msg"], msg);
            assert_eq!(entry["level"], level);
            assert_eq!(entry["proc"], "p-1");
        }
    }

    #[test]
    fn reopen_needs_a_log_file() {
        let control = LogControl::default();
        assert!(control.reopen().unwrap_err().contains("standard error"));
    }
}
