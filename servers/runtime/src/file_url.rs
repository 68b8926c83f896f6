//! File URLs: `/f/<serv_index>/<scope>/<sha256>.<ext>`.
//!
//! The path names the file server (by `serv_index`, so a server's
//! directory can move to another host that takes the same index), the scope
//! that owns the file, and the content. Clients join the path to the
//! server's base URL from dir_serv. A scope is what a file is referenced
//! by: `g<gid>` a group's chat files, `ga<gid>` a group's avatar,
//! `u<uid>` a user's avatar. Releasing a path or a scope deletes the files
//! (and their content once no scope holds it).

use std::collections::BTreeMap;
use std::fmt;

use schat_proto::server::{server_msg::Msg, FileAccessChanged, ProcType, ReleaseFiles};

use crate::{Channel, ClusterConfig, Target};

/// Who a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// A file sent in a group's chat.
    Chat(u64),
    /// A group's avatar.
    GroupAvatar(u64),
    /// A user's avatar.
    UserAvatar(u64),
}

impl Scope {
    pub fn parse(text: &str) -> Option<Scope> {
        let (make, digits): (fn(u64) -> Scope, &str) = if let Some(rest) = text.strip_prefix("ga") {
            (Scope::GroupAvatar, rest)
        } else if let Some(rest) = text.strip_prefix('g') {
            (Scope::Chat, rest)
        } else if let Some(rest) = text.strip_prefix('u') {
            (Scope::UserAvatar, rest)
        } else {
            return None;
        };
        number(digits).filter(|id| *id > 0).map(make)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Chat(gid) => write!(f, "g{gid}"),
            Scope::GroupAvatar(gid) => write!(f, "ga{gid}"),
            Scope::UserAvatar(uid) => write!(f, "u{uid}"),
        }
    }
}

/// A parsed file URL path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileUrl {
    pub serv_index: u32,
    pub scope: Scope,
    /// `<64 hex digits>.<ext>`.
    pub name: String,
}

impl FileUrl {
    /// Parses a file URL path strictly: anything but the exact shape (no
    /// dots but the one before the extension, no slashes, no escapes) is
    /// refused, so a path can never leave the file server's directory.
    pub fn parse(path: &str) -> Option<FileUrl> {
        let rest = path.strip_prefix("/f/")?;
        let mut parts = rest.split('/');
        let (Some(index), Some(scope), Some(name), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let serv_index = u32::try_from(number(index)?).ok().filter(|i| *i > 0)?;
        let scope = Scope::parse(scope)?;
        let (hash, ext) = name.split_once('.')?;
        let hash_ok = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let ext_ok = (1..=8).contains(&ext.len())
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        (hash_ok && ext_ok).then(|| FileUrl {
            serv_index,
            scope,
            name: name.to_string(),
        })
    }

    pub fn hash(&self) -> &str {
        &self.name[..64]
    }

    pub fn ext(&self) -> &str {
        &self.name[65..]
    }
}

impl fmt::Display for FileUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/f/{}/{}/{}", self.serv_index, self.scope, self.name)
    }
}

/// Digits only (no sign, no leading zero): one spelling per number.
fn number(text: &str) -> Option<u64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    canonical.then(|| text.parse().ok()).flatten()
}

/// Tells the file servers that `paths` are no longer referenced. Paths
/// that are not file URLs (an avatar on some other site) are skipped.
/// Best effort: a file server that is down keeps the files (a leak, never a
/// loss).
pub fn release_paths<'a>(
    channel: &Channel,
    config: &ClusterConfig,
    paths: impl IntoIterator<Item = &'a str>,
) {
    let mut by_index: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for url in paths.into_iter().filter_map(FileUrl::parse) {
        by_index
            .entry(url.serv_index)
            .or_default()
            .push(url.to_string());
    }
    for (serv_index, paths) in by_index {
        if let Some(file_serv) = config.file_serv(serv_index) {
            let _ = channel.push(
                Target::spec(ProcType::File, file_serv.id),
                Msg::ReleaseFiles(ReleaseFiles {
                    paths,
                    scopes: Vec::new(),
                }),
            );
        }
    }
}

/// Tells every file server that `scopes` are gone (a dismissed group).
pub fn release_scopes(channel: &Channel, config: &ClusterConfig, scopes: &[Scope]) {
    let scopes: Vec<String> = scopes.iter().map(Scope::to_string).collect();
    for file_serv in config.procs_of(crate::ProcKind::FileServ) {
        let _ = channel.push(
            Target::spec(ProcType::File, file_serv.id),
            Msg::ReleaseFiles(ReleaseFiles {
                paths: Vec::new(),
                scopes: scopes.clone(),
            }),
        );
    }
}

/// What changed in a user's access to files, for [`access_changed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    /// The user logged out at this time: file tokens issued up to then
    /// are void.
    LoggedOut { revoked_at_ms: u64 },
    /// The user left this group (quit or kicked).
    LeftGroup { gid: u64 },
}

impl From<&FileAccessChanged> for AccessChange {
    /// The change a FileAccessChanged carries (gid 0: a logout).
    fn from(changed: &FileAccessChanged) -> AccessChange {
        match changed.gid {
            0 => AccessChange::LoggedOut {
                revoked_at_ms: changed.revoked_at_ms,
            },
            gid => AccessChange::LeftGroup { gid },
        }
    }
}

/// Tells every file server, at once, that a user's access changed, so it
/// does not wait for its caches to expire. Best effort: a file server that
/// misses it asks again within `files.member_cache_secs`.
pub fn access_changed(channel: &Channel, uid: u64, change: AccessChange) {
    let (gid, revoked_at_ms) = match change {
        AccessChange::LoggedOut { revoked_at_ms } => (0, revoked_at_ms),
        AccessChange::LeftGroup { gid } => (gid, 0),
    };
    let _ = channel.push(
        Target::all(ProcType::File),
        Msg::FileAccessChanged(FileAccessChanged {
            uid,
            gid,
            revoked_at_ms,
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn well_formed_paths_round_trip() {
        for (path, scope) in [
            (format!("/f/1/g42/{HASH}.png"), Scope::Chat(42)),
            (format!("/f/12/ga7/{HASH}.jpg"), Scope::GroupAvatar(7)),
            (format!("/f/2/u9/{HASH}.mp4"), Scope::UserAvatar(9)),
        ] {
            let url = FileUrl::parse(&path).unwrap();
            assert_eq!(url.scope, scope);
            assert_eq!(url.to_string(), path);
            assert_eq!(url.hash(), HASH);
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for path in [
            "/f/1/g42/../../etc/passwd".to_string(),
            format!("/f/1/g42/{HASH}.png/x"),
            format!("/f/1/../{HASH}.png"),
            format!("/f/1/g42/%2e%2e{HASH}.png"),
            format!("/f/01/g42/{HASH}.png"),
            format!("/f/0/g42/{HASH}.png"),
            format!("/f/1/g0/{HASH}.png"),
            format!("/f/1/x42/{HASH}.png"),
            format!("/f/1/g42/{}.png", &HASH[1..]),
            format!("/f/1/g42/{}.png", HASH.to_uppercase()),
            format!("/f/1/g42/{HASH}.p.g"),
            format!("/f/1/g42/{HASH}."),
            format!("/f/1/g-4/{HASH}.png"),
            format!("f/1/g42/{HASH}.png"),
            "https://example.org/a.png".to_string(),
        ] {
            assert_eq!(FileUrl::parse(&path), None, "{path}");
        }
    }
}
