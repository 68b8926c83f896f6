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

/// This installation's device id: kept in `device` beside the session
/// file (it outlives logouts), made at first use.
pub fn device_id(session_file: &Path) -> Result<String, Failure> {
    let path = session_file.with_file_name("device");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let id = text.trim();
        if !id.is_empty() {
            return Ok(id.to_string());
        }
    }
    let id = format!("cli-{:012x}", fresh_number() & 0xffff_ffff_ffff);
    let io_failure =
        |err: std::io::Error| Failure::usage(format!("cannot save {}: {err}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_failure)?;
    }
    write_private(&path, &format!("{id}\n")).map_err(io_failure)?;
    Ok(id)
}

/// A number unlikely to repeat across installations (not a secret: a
/// device id only tells a user's devices apart).
fn fresh_number() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
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
