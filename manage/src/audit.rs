//! The audit log: every login, failed login, logout, command, kick and
//! token change, as one JSON line appended to `<data_dir>/audit.jsonl`
//! (who, from where, when, what, on what, with what result), and the
//! latest entries in memory for the console. Fields are clipped (a name
//! tried at login is whatever a stranger sent), and past
//! [`ROTATE_BYTES`] the file moves to `audit.jsonl.1` (replacing the one
//! before) and a new one starts, so the log's disk use is bounded.

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use schat_runtime::logging::{warn, Logger};
use schat_runtime::time::now_ms;
use serde::{Deserialize, Serialize};

use crate::files;

/// Entries kept in memory for `GET /api/v1/audit`.
pub const KEPT: usize = 1000;

/// Size at which `audit.jsonl` is rotated.
pub const ROTATE_BYTES: u64 = 16 * 1024 * 1024;

/// Longest `who` kept (characters); longer targets and results are
/// clipped at [`FIELD_CHARS`].
const WHO_CHARS: usize = 64;
const FIELD_CHARS: usize = 512;

/// One audited action.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub at_ms: u64,
    /// The operator or API token (`token:<name>`), or the name tried.
    pub who: String,
    /// The client's address.
    pub from: String,
    /// login, login_failed, logout, command:<name>, kick, token_create,
    /// token_revoke.
    pub action: String,
    pub target: String,
    pub result: String,
}

/// The log. Writes are short appends under one lock.
#[derive(Debug)]
pub struct Audit {
    path: PathBuf,
    recent: Mutex<VecDeque<Entry>>,
    log: Logger,
}

impl Audit {
    /// Opens the log in `data_dir`, keeping its last entries in memory.
    pub fn open(data_dir: &Path, log: Logger) -> Result<Audit, files::FileError> {
        files::ensure_dir(data_dir)?;
        let path = data_dir.join("audit.jsonl");
        let mut recent = VecDeque::with_capacity(KEPT);
        if let Ok(file) = std::fs::File::open(&path) {
            for line in std::io::BufReader::new(file).lines() {
                let Ok(line) = line else { break };
                if let Ok(entry) = serde_json::from_str::<Entry>(&line) {
                    if recent.len() == KEPT {
                        recent.pop_front();
                    }
                    recent.push_back(entry);
                }
            }
        }
        Ok(Audit {
            path,
            recent: Mutex::new(recent),
            log,
        })
    }

    /// Records one action.
    pub fn record(&self, who: &str, from: &str, action: &str, target: &str, result: &str) {
        let entry = Entry {
            at_ms: now_ms(),
            who: clip(who, WHO_CHARS),
            from: clip(from, FIELD_CHARS),
            action: clip(action, FIELD_CHARS),
            target: clip(target, FIELD_CHARS),
            result: clip(result, FIELD_CHARS),
        };
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = self.append(&entry) {
            warn!(self.log, "Cannot write the audit log"; "path" => %self.path.display(),
                "error" => %err);
        }
        if recent.len() == KEPT {
            recent.pop_front();
        }
        recent.push_back(entry);
    }

    fn append(&self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let size = std::fs::metadata(&self.path).map_or(0, |meta| meta.len());
        if size + line.len() as u64 > ROTATE_BYTES {
            let mut old = self.path.clone().into_os_string();
            old.push(".1");
            std::fs::rename(&self.path, old)?;
        }
        let mut file = files::open_private(&self.path, true)?;
        file.write_all(&line)
    }

    /// The latest `limit` entries, newest first.
    pub fn latest(&self, limit: usize) -> Vec<Entry> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.iter().rev().take(limit).cloned().collect()
    }
}

/// `text` cut to `chars` characters (marked with `…` when cut), with
/// control characters replaced, so an entry stays one short line.
fn clip(text: &str, chars: usize) -> String {
    let mut clipped: String = text
        .chars()
        .take(chars)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(chars).is_some() {
        clipped.push('…');
    }
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_appended_and_read_back_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = schat_runtime::logging::test_logger("audit");
        let audit = Audit::open(dir.path(), log.clone()).unwrap();
        audit.record("alice", "127.0.0.1", "login", "", "ok");
        audit.record(
            "alice",
            "127.0.0.1",
            "command:reload",
            "conn_serv-.*",
            "2 done",
        );
        let latest = audit.latest(10);
        assert_eq!(latest.len(), 2);
        assert_eq!(latest[0].action, "command:reload");
        let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 2);
        let again = Audit::open(dir.path(), log).unwrap();
        assert_eq!(again.latest(1)[0].action, "command:reload");
    }

    #[test]
    fn fields_are_clipped_and_the_file_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let log = schat_runtime::logging::test_logger("audit");
        let audit = Audit::open(dir.path(), log).unwrap();
        let long_name = "x".repeat(70_000);
        audit.record(
            &long_name,
            "192.0.2.1",
            "login_failed",
            "",
            "bad\ncredentials",
        );
        let entry = &audit.latest(1)[0];
        assert_eq!(entry.who.chars().count(), WHO_CHARS + 1);
        assert_eq!(entry.result, "bad?credentials");
        // Past the rotation size the file moves aside and a new one starts.
        let path = dir.path().join("audit.jsonl");
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.set_len(ROTATE_BYTES).unwrap();
        audit.record("alice", "127.0.0.1", "login", "", "ok");
        let rotated = dir.path().join("audit.jsonl.1");
        assert_eq!(std::fs::metadata(&rotated).unwrap().len(), ROTATE_BYTES);
        let fresh = std::fs::read_to_string(&path).unwrap();
        assert_eq!(fresh.lines().count(), 1);
        assert!(fresh.contains("\"alice\""));
    }
}
