//! The audit log: every login, failed login, logout, command, kick and
//! token change, as one JSON line appended to `<data_dir>/audit.jsonl`
//! (who, from where, when, what, on what, with what result), and the
//! latest entries in memory for the console.

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
            who: who.to_string(),
            from: from.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            result: result.to_string(),
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
        let mut file = files::open_private(&self.path, true)?;
        file.write_all(&line)
    }

    /// The latest `limit` entries, newest first.
    pub fn latest(&self, limit: usize) -> Vec<Entry> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.iter().rev().take(limit).cloned().collect()
    }
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
}
