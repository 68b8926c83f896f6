//! Who may touch a file: file tokens checked against the keys logic hands
//! out (fetched per rotation epoch and kept) and against the user's last
//! logout, and group membership asked of the group's chat_serv. What is
//! asked is kept for `files.member_cache_secs`; logic and chat_serv push
//! changes (a logout, a member who left) so they take effect at once.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use schat_proto::server::{
    CheckFileRef, CheckMember, FileAccessChanged, GetFileKey, GetFileRevocation, MemberCheck,
    ProcType,
};
use schat_runtime::file_token::{self, epoch_at, FileTokenError};
use schat_runtime::file_url::{AccessChange, Scope};
use schat_runtime::time::now_ms;
use schat_runtime::{Fabric, LiveConfig, Target};
use tokio::time::Instant;

/// Membership answers kept at most; the cache is cleared when it is full.
const MEMBER_CACHE_MAX: usize = 100_000;

/// The caches are swept of stale answers whenever they reach twice what
/// they held after the last sweep (at least this many), so they stay near
/// the number of users and groups active within `member_cache_secs`.
const SWEEP_FLOOR: usize = 1024;

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    #[error("a file token is required (Authorization: Bearer <token>)")]
    NoToken,
    #[error("{0}")]
    Token(FileTokenError),
    #[error("file token key is unavailable: {0}")]
    NoKey(String),
    #[error("no such group")]
    NoGroup,
    #[error("only members of the group may do this")]
    NotMember,
    #[error("only the group's owner may do this")]
    NotOwner,
    #[error("cannot check access: {0}")]
    Unavailable(String),
}

#[derive(Debug)]
pub struct Access {
    fabric: Fabric,
    /// For `files.key_rotation_secs`, `files.token_ttl_secs` and
    /// `files.member_cache_secs`, read at each use.
    config: LiveConfig,
    keys: Mutex<BTreeMap<u64, Bytes>>,
    members: Mutex<Swept<(u64, u64), MemberCheck>>,
    /// uid → (last logout, when learnt): tokens issued up to then are void.
    revocations: Mutex<Swept<u64, u64>>,
    /// Bumped by every membership change pushed here: an answer asked
    /// before a change is not kept (it may predate the change).
    member_changes: AtomicU64,
}

impl Access {
    pub fn new(config: LiveConfig, fabric: Fabric) -> Access {
        let member_ttl = Duration::from_secs(config.current().files.member_cache_secs);
        Access {
            fabric,
            config,
            keys: Mutex::default(),
            members: Mutex::new(Swept::new(member_ttl)),
            revocations: Mutex::new(Swept::new(member_ttl)),
            member_changes: AtomicU64::new(0),
        }
    }

    /// The membership answers, kept for the current `files.member_cache_secs`.
    fn members(&self) -> std::sync::MutexGuard<'_, Swept<(u64, u64), MemberCheck>> {
        let mut members = lock(&self.members);
        members.ttl = self.member_ttl();
        members
    }

    /// Logouts learnt, kept as long as membership answers.
    fn revocations(&self) -> std::sync::MutexGuard<'_, Swept<u64, u64>> {
        let mut revocations = lock(&self.revocations);
        revocations.ttl = self.member_ttl();
        revocations
    }

    fn member_ttl(&self) -> Duration {
        Duration::from_secs(self.config.current().files.member_cache_secs)
    }

    /// Takes a change pushed by logic or chat_serv.
    pub fn on_change(&self, change: &FileAccessChanged) {
        match AccessChange::from(change) {
            AccessChange::LoggedOut { revoked_at_ms } => {
                self.learn_revocation(change.uid, revoked_at_ms);
            }
            AccessChange::LeftGroup { gid } => {
                self.member_changes.fetch_add(1, Ordering::AcqRel);
                self.members().remove(&(gid, change.uid));
            }
        }
    }

    /// Keeps the latest logout known for `uid`: a revocation only moves
    /// forward, so an answer asked before a pushed logout cannot undo it.
    /// Returns the one it keeps.
    fn learn_revocation(&self, uid: u64, revoked_at_ms: u64) -> u64 {
        let mut revocations = self.revocations();
        let latest = revocations.any(&uid).unwrap_or(0).max(revoked_at_ms);
        revocations.insert(uid, latest);
        latest
    }

    /// When the user last logged out (0: never), from what was pushed or
    /// asked lately, else asked of a logic now.
    async fn revoked_at(&self, uid: u64) -> Result<u64, Denied> {
        if let Some(revoked_at) = self.revocations().fresh(&uid) {
            return Ok(revoked_at);
        }
        let answer = self
            .fabric
            .channel()
            .request(Target::any(ProcType::Logic), GetFileRevocation { uid })
            .await
            .map_err(|err| Denied::Unavailable(err.to_string()))?;
        Ok(self.learn_revocation(uid, answer.revoked_at_ms))
    }

    /// The uid a file token was issued to, if it is valid now.
    pub async fn user(&self, token: Option<&str>) -> Result<u64, Denied> {
        let token = token
            .filter(|token| !token.is_empty())
            .ok_or(Denied::NoToken)?;
        let parsed = file_token::parse(token).map_err(Denied::Token)?;
        let now = now_ms();
        let current = epoch_at(now, self.config.current().files.key_rotation_secs);
        // No key exists outside these epochs; a forged one must not make
        // anyone fetch it.
        if parsed.epoch.saturating_add(1) < current || parsed.epoch > current.saturating_add(1) {
            return Err(Denied::Token(FileTokenError::Expired));
        }
        let key = self.key(parsed.epoch).await?;
        let uid = parsed.verify(&key, now).map_err(Denied::Token)?;
        // An f1 token does not say: its lifetime, as configured here, does.
        let issued_at = parsed.issued_at_ms.unwrap_or_else(|| {
            parsed.expires_at_ms.saturating_sub(
                self.config
                    .current()
                    .files
                    .token_ttl_secs
                    .saturating_mul(1000),
            )
        });
        if issued_at <= self.revoked_at(uid).await? {
            return Err(Denied::Token(FileTokenError::Revoked));
        }
        Ok(uid)
    }

    async fn key(&self, epoch: u64) -> Result<Bytes, Denied> {
        if let Some(key) = lock(&self.keys).get(&epoch) {
            return Ok(key.clone());
        }
        let found = self
            .fabric
            .channel()
            .request(Target::any(ProcType::Logic), GetFileKey { epoch })
            .await
            .map_err(|err| Denied::NoKey(err.to_string()))?;
        let mut keys = lock(&self.keys);
        keys.insert(epoch, found.key.clone());
        while keys.len() > 4 {
            keys.pop_first();
        }
        Ok(found.key)
    }

    /// Whether `uid` belongs to `gid` (and owns it), from the cache if the
    /// answer is recent.
    pub async fn membership(&self, gid: u64, uid: u64) -> Result<MemberCheck, Denied> {
        if let Some(answer) = self.members().fresh(&(gid, uid)) {
            return Ok(answer);
        }
        self.membership_now(gid, uid).await
    }

    /// Whether `uid` belongs to `gid`, asked of chat_serv now.
    pub async fn membership_now(&self, gid: u64, uid: u64) -> Result<MemberCheck, Denied> {
        let changes_before = self.member_changes.load(Ordering::Acquire);
        let answer = self
            .fabric
            .channel()
            .request(Target::hash(ProcType::Chat, gid), CheckMember { gid, uid })
            .await
            .map_err(|err| Denied::Unavailable(err.to_string()))?;
        if self.member_changes.load(Ordering::Acquire) == changes_before {
            self.members().insert((gid, uid), answer);
        }
        Ok(answer)
    }

    pub async fn require_member(&self, gid: u64, uid: u64) -> Result<(), Denied> {
        check_member(self.membership(gid, uid).await?)
    }

    /// The same as [`Access::require_member`] or [`Access::require_owner`]
    /// (`owner`), asked afresh: the last check before an upload is kept.
    pub async fn recheck(&self, gid: u64, uid: u64, owner: bool) -> Result<(), Denied> {
        let answer = self.membership_now(gid, uid).await?;
        if owner {
            check_owner(answer)
        } else {
            check_member(answer)
        }
    }

    pub async fn require_owner(&self, gid: u64, uid: u64) -> Result<(), Denied> {
        check_owner(self.membership(gid, uid).await?)
    }

    /// Whether a file (or with an empty `path`, a whole scope) is still
    /// referenced, asked of whoever keeps its references: chat_serv for
    /// group scopes, any logic for user avatars.
    pub async fn referenced(&self, path: &str, scope: Scope) -> Result<bool, Denied> {
        let target = match scope {
            Scope::Chat(gid) | Scope::GroupAvatar(gid) => Target::hash(ProcType::Chat, gid),
            Scope::UserAvatar(_) => Target::any(ProcType::Logic),
        };
        let check = CheckFileRef {
            path: path.to_string(),
            scope: if path.is_empty() {
                scope.to_string()
            } else {
                String::new()
            },
        };
        match self.fabric.channel().request(target, check).await {
            Ok(answer) => Ok(answer.referenced),
            Err(err) => Err(Denied::Unavailable(err.to_string())),
        }
    }
}

/// Answers kept for `ttl`; swept of stale ones whenever it has doubled
/// since the last sweep, and cleared at `MEMBER_CACHE_MAX`.
#[derive(Debug)]
struct Swept<K, V> {
    map: HashMap<K, (V, Instant)>,
    next_sweep: usize,
    ttl: Duration,
}

impl<K: std::hash::Hash + Eq, V: Copy> Swept<K, V> {
    fn new(ttl: Duration) -> Self {
        Swept {
            map: HashMap::new(),
            next_sweep: SWEEP_FLOOR,
            ttl,
        }
    }

    /// The answer for `key`, if it is younger than the ttl.
    fn fresh(&self, key: &K) -> Option<V> {
        self.map
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(value, _)| *value)
    }

    /// The answer for `key`, however old.
    fn any(&self, key: &K) -> Option<V> {
        self.map.get(key).map(|(value, _)| *value)
    }

    fn remove(&mut self, key: &K) {
        self.map.remove(key);
    }

    fn insert(&mut self, key: K, value: V) {
        if self.map.len() >= MEMBER_CACHE_MAX {
            self.map.clear();
        }
        if self.map.len() >= self.next_sweep.max(SWEEP_FLOOR) {
            let ttl = self.ttl;
            self.map.retain(|_, (_, at)| at.elapsed() < ttl);
            self.map.shrink_to_fit();
            self.next_sweep = 2 * self.map.len();
        }
        self.map.insert(key, (value, Instant::now()));
    }
}

fn check_member(answer: MemberCheck) -> Result<(), Denied> {
    match answer {
        MemberCheck { exists: false, .. } => Err(Denied::NoGroup),
        MemberCheck { member: false, .. } => Err(Denied::NotMember),
        _ => Ok(()),
    }
}

fn check_owner(answer: MemberCheck) -> Result<(), Denied> {
    match answer {
        MemberCheck { exists: false, .. } => Err(Denied::NoGroup),
        MemberCheck { owner: false, .. } => Err(Denied::NotOwner),
        _ => Ok(()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_answers_are_swept_as_the_cache_grows() {
        let mut cache: Swept<u64, bool> = Swept::new(Duration::from_millis(0));
        for key in 0..(10 * SWEEP_FLOOR as u64) {
            cache.insert(key, true);
        }
        // Every answer is stale at once (ttl 0): sweeps keep the map near
        // the floor instead of growing with every key ever seen.
        assert!(cache.map.len() <= SWEEP_FLOOR + 1, "{}", cache.map.len());
        let mut fresh: Swept<u64, bool> = Swept::new(Duration::from_secs(3600));
        for key in 0..(3 * SWEEP_FLOOR as u64) {
            fresh.insert(key, true);
        }
        assert_eq!(fresh.map.len(), 3 * SWEEP_FLOOR);
    }
}
