//! The saved session: server, account and token, so that one-shot commands
//! after `schat login` log in with the token instead of the password.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Failure;

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedSession {
    pub server: String,
    pub account: String,
    pub uid: u64,
    pub token: String,
    pub token_expires_at_ms: u64,
}

pub fn default_path() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".schat").join("session.json")
}

pub fn load(path: &Path) -> Result<SavedSession, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|_| Failure::refused("not logged in: run `schat login ACCOUNT` first"))?;
    serde_json::from_str(&text).map_err(|err| {
        Failure::refused(format!(
            "session file {} is damaged ({err}); run `schat login ACCOUNT`",
            path.display()
        ))
    })
}

pub fn save(path: &Path, session: &SavedSession) -> Result<(), Failure> {
    let io_failure =
        |err: std::io::Error| Failure::usage(format!("cannot save {}: {err}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_failure)?;
    }
    let text =
        serde_json::to_string_pretty(session).map_err(|err| Failure::usage(err.to_string()))?;
    write_private(path, &text).map_err(io_failure)
}

pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Writes a file only its owner can read: it holds a login token.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}
