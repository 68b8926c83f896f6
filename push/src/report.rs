//! What a command tells the operator: a progress line per host or process
//! while it works (indicatif, on stderr, only on a terminal), then one
//! table row per process or host (ok / unchanged / failed with reason /
//! timed out), or the same as JSON; the exit status says whether anything
//! failed.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::{json, Value};

use crate::remote::RemoteError;

/// How one row ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Unchanged,
    Failed,
    TimedOut,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::TimedOut => "timed out",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::TimedOut)
    }
}

/// One row: a process or a host, the host it is on, how it ended, and what
/// happened (or why it failed).
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub target: String,
    pub host: String,
    pub outcome: Outcome,
    pub detail: String,
}

impl Row {
    pub fn new(target: &str, host: &str, outcome: Outcome, detail: impl Into<String>) -> Row {
        Row {
            target: target.to_string(),
            host: host.to_string(),
            outcome,
            detail: detail.into(),
        }
    }

    /// A failed step: a deadline is "timed out", anything else "failed".
    pub fn failed(target: &str, host: &str, err: &anyhow::Error) -> Row {
        let outcome = match err.downcast_ref::<RemoteError>() {
            Some(RemoteError::TimedOut(_)) => Outcome::TimedOut,
            _ => Outcome::Failed,
        };
        Row::new(target, host, outcome, format!("{err:#}"))
    }
}

/// The rows of one command, plus anything else it reports in `--json`.
#[derive(Debug, Default)]
pub struct Report {
    pub command: String,
    pub rows: Vec<Row>,
    /// Command-specific figures (a plan's diff, a verification, a roll's
    /// longest pause) printed after the table and under `"extra"`.
    pub notes: Vec<String>,
    pub extra: Value,
    /// Why the command stopped before its work was done.
    pub error: Option<String>,
}

impl Report {
    pub fn new(command: &str) -> Report {
        Report {
            command: command.to_string(),
            extra: Value::Null,
            ..Report::default()
        }
    }

    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Whether a row failed, or the command stopped with an error.
    pub fn failed(&self) -> bool {
        self.error.is_some() || self.rows.iter().any(|row| row.outcome.is_failure())
    }

    /// The table, with column widths fitted to the rows.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let width = |pick: &dyn Fn(&Row) -> usize, title: &str| {
            self.rows
                .iter()
                .map(pick)
                .max()
                .unwrap_or(0)
                .max(title.len())
        };
        let target = width(&|row| row.target.len(), "TARGET");
        let host = width(&|row| row.host.len(), "HOST");
        let outcome = width(&|row| row.outcome.name().len(), "RESULT");
        let _ = writeln!(
            out,
            "{:target$}  {:host$}  {:outcome$}  DETAIL",
            "TARGET", "HOST", "RESULT"
        );
        for row in &self.rows {
            let _ = writeln!(
                out,
                "{:target$}  {:host$}  {:outcome$}  {}",
                row.target,
                row.host,
                row.outcome.name(),
                row.detail
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        if let Some(error) = &self.error {
            let _ = writeln!(out, "error: {error}");
        }
        out
    }

    pub fn json(&self) -> Value {
        json!({
            "command": self.command,
            "ok": !self.failed(),
            "rows": self.rows,
            "notes": self.notes,
            "error": self.error,
            "extra": self.extra,
        })
    }
}

/// Progress lines, one per host or process, drawn only on a terminal.
#[derive(Debug)]
pub struct Progress {
    bars: MultiProgress,
    lines: Mutex<Vec<(String, ProgressBar)>>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Progress {
            bars: MultiProgress::with_draw_target(target),
            lines: Mutex::new(Vec::new()),
        }
    }

    /// Shows `message` on `target`'s line (made on first use).
    pub fn say(&self, target: &str, message: &str) {
        let mut lines = self
            .lines
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some((_, bar)) = lines.iter().find(|(name, _)| name == target) {
            bar.set_message(message.to_string());
            return;
        }
        let bar = self.bars.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<16} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(target.to_string());
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        lines.push((target.to_string(), bar));
    }

    /// Ends `target`'s line with its outcome.
    pub fn done(&self, target: &str, outcome: Outcome) {
        let lines = self
            .lines
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some((_, bar)) = lines.iter().find(|(name, _)| name == target) {
            bar.finish_with_message(outcome.name());
        }
    }

    /// Clears every line before the table is printed.
    pub fn finish(&self) {
        let lines = self
            .lines
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for (_, bar) in lines.iter() {
            bar.finish_and_clear();
        }
        let _ = self.bars.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_timed_out_and_any_failure_fails_the_report() {
        let mut report = Report::new("deploy");
        report.push(Row::new("a", "a", Outcome::Unchanged, "release x"));
        assert!(!report.failed());
        let deadline = anyhow::Error::from(RemoteError::TimedOut(Duration::from_secs(600)));
        report.push(Row::failed("b", "b", &deadline));
        let refused = anyhow::Error::from(RemoteError::Failed("No space left on device".into()));
        report.push(Row::failed("c", "c", &refused));
        assert_eq!(report.rows[1].outcome, Outcome::TimedOut);
        assert_eq!(report.rows[2].outcome, Outcome::Failed);
        assert!(report.failed());
        let table = report.table();
        assert!(
            table.contains("timed out  timed out after 600 s"),
            "{table}"
        );
        assert!(
            table.contains("failed     No space left on device"),
            "{table}"
        );
        let json = report.json();
        assert_eq!(json["ok"], false);
        assert_eq!(json["rows"][1]["outcome"], "timed_out");
        let mut stopped = Report::new("roll");
        stopped.error = Some("the console must answer before a roll".into());
        assert!(stopped.failed());
        assert!(stopped
            .table()
            .ends_with("error: the console must answer before a roll\n"));
    }
}
