//! The audit log: every login, failed login, logout, command, kick and
//! token change, as one JSON line appended to `<data_dir>/audit.jsonl`
//! (who, from where, when, what, on what, with what result), and the
//! latest entries in memory for the console. When the file passes
//! [`ROTATE_BYTES`] it is renamed to `audit.jsonl.1` (replacing the one
//! before) and a new file begins, so the log takes at most twice that
//! on disk. Every field is cut to [`FIELD_CHARS`] characters.

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

/// The size at which `audit.jsonl` is rotated.
pub const ROTATE_BYTES: u64 = 16 * 1024 * 1024;

/// The longest field recorded (a command's target, a failure's reason).
pub const FIELD_CHARS: usize = 512;

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
    recent: Mutex<Recent>,
    rotate_bytes: u64,
    log: Logger,
}

#[derive(Debug)]
struct Recent {
    entries: VecDeque<Entry>,
}

impl Audit {
    /// Opens the log in `data_dir`, keeping its last entries in memory.
    pub fn open(data_dir: &Path, log: Logger) -> Result<Audit, files::FileError> {
        Audit::open_rotating_at(data_dir, log, ROTATE_BYTES)
    }

    /// [`Audit::open`], rotating at `rotate_bytes`.
    pub fn open_rotating_at(
        data_dir: &Path,
        log: Logger,
        rotate_bytes: u64,
    ) -> Result<Audit, files::FileError> {
        files::ensure_dir(data_dir)?;
        let path = data_dir.join("audit.jsonl");
        let mut recent = VecDeque::with_capacity(KEPT);
        // The latest entries are in the rotated file and then the current one.
        for read in [rotated_path(&path), path.clone()] {
            let Ok(file) = std::fs::File::open(&read) else {
                continue;
            };
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
            recent: Mutex::new(Recent { entries: recent }),
            rotate_bytes,
            log,
        })
    }

    /// Records one action.
    pub fn record(&self, who: &str, from: &str, action: &str, target: &str, result: &str) {
        let entry = Entry {
            at_ms: now_ms(),
            who: cut(who),
            from: cut(from),
            action: cut(action),
            target: cut(target),
            result: cut(result),
        };
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = self.append(&entry) {
            warn!(self.log, "Cannot write the audit log"; "path" => %self.path.display(),
                "error" => %err);
        }
        if recent.entries.len() == KEPT {
            recent.entries.pop_front();
        }
        recent.entries.push_back(entry);
    }

    fn append(&self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = files::open_private(&self.path, true)?;
        // The file's own size: the command line appends to it too.
        let size = file.metadata()?.len();
        if size > 0 && size + line.len() as u64 > self.rotate_bytes {
            drop(file);
            std::fs::rename(&self.path, rotated_path(&self.path))?;
            file = files::open_private(&self.path, true)?;
        }
        file.write_all(&line)
    }

    /// The latest `limit` entries, newest first.
    pub fn latest(&self, limit: usize) -> Vec<Entry> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.entries.iter().rev().take(limit).cloned().collect()
    }
}

/// Where a full `audit.jsonl` goes.
pub fn rotated_path(path: &Path) -> PathBuf {
    path.with_extension("jsonl.1")
}

fn cut(text: &str) -> String {
    text.chars().take(FIELD_CHARS).collect()
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
    fn the_file_is_rotated_by_size_and_fields_are_cut() {
        let dir = tempfile::tempdir().unwrap();
        let log = schat_runtime::logging::test_logger("audit");
        let audit = Audit::open_rotating_at(dir.path(), log.clone(), 4096).unwrap();
        let long = "x".repeat(10_000);
        for n in 0..200 {
            audit.record(&long, "127.0.0.1", "login_failed", &n.to_string(), "bad");
        }
        let current = dir.path().join("audit.jsonl");
        let rotated = rotated_path(&current);
        let size = |path: &Path| std::fs::metadata(path).unwrap().len();
        assert!(size(&current) <= 4096, "{}", size(&current));
        assert!(size(&rotated) <= 4096, "{}", size(&rotated));
        assert_eq!(audit.latest(1)[0].who.chars().count(), FIELD_CHARS);
        assert_eq!(audit.latest(1)[0].target, "199");
        // Read back from both files after a restart, newest first.
        let again = Audit::open_rotating_at(dir.path(), log, 4096).unwrap();
        assert_eq!(again.latest(1)[0].target, "199");
        assert!(again.latest(KEPT).len() > 1);
    }
}
