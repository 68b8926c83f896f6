//! The Redis data model for groups, messages and notices. A group's keys
//! share the hash tag `{g:<gid>}` and a user's `{u:<uid>}`, so every script
//! touches one cluster slot.
//!
//! | key | type | holds |
//! |---|---|---|
//! | `{cfg}:gid_next` | string | last allocated gid |
//! | `{g:<gid>}:info` | hash | name, description, avatar_url, owner, policy, public, member_cap, created_at_ms, password_hash, mute_all (1: only the owner and admins send), last_ms (when the newest message was stored), kind (1: a direct conversation, then a and b: its two users) |
//! | `{g:<gid>}:admins` | set | uids of the group's admins (the owner is `info.owner`) |
//! | `{g:<gid>}:muted` | hash | uid → muted until (ms), or `b`: blocked by the other user of a direct conversation; checked by the append script |
//! | `{g:<gid>}:members` | zset | member uids (score = uid, for paging) |
//! | `{g:<gid>}:joined` | hash | uid → joined_at_ms |
//! | `{g:<gid>}:seq` | string | latest message seq |
//! | `{g:<gid>}:msgs` | hash | seq → ChatMessage (protobuf, seq field 0) |
//! | `{g:<gid>}:dedup:<day>` | hash, expires 2 days after its last write | `<uid>:<client_msg_id>` → seq of that client message, for the ids first seen that day (`day` = ms / 86,400,000; de-duplication looks in today's and yesterday's) |
//! | `{g:<gid>}:cm:<uid>:<client_msg_id>` | string, 24 h TTL | the same, as written by earlier versions (read, no longer written) |
//! | `{g:<gid>}:msgfile` | hash | seq → the group file that message references (for the retention) |
//! | `{g:<gid>}:first` | string | oldest seq kept, once `chat.history_max_messages` has deleted older ones |
//! | `{g:<gid>}:reads` | hash | uid → read cursor (moved by `mark_read`, and by the member's own sends and recalls) |
//! | `{g:<gid>}:mver` | string | membership version, bumped by every join and leave |
//! | `{g:<gid>}:recalled` | set | seqs that were recalled |
//! | `{g:<gid>}:files` | hash | path of a file of the group's own (`/f/<i>/g<gid>/…`) → messages referencing it |
//! | `{g:<gid>}:apps` / `{g:<gid>}:invites` | hash | uid → note, pending applications / invitations |
//! | `{u:<uid>}:groups` | set | gids the user belongs to (an index; the member zset is the truth) |
//! | `{u:<uid>}:owned` | set | gids the user owns (per-owner cap) |
//! | `{u:<uid>}:notices`, `{u:<uid>}:notice_next` | hash, string | id → Notice; last id |
//! | `{pub}:groups` | zset | public gids (score = gid) |
//! | `{u:<uid>}:directs` | set | gids of the user's direct conversations (an index) |
//! | `{dm:<lo>:<hi>}` | string | gid of the direct conversation of users lo < hi |
//! | `{u:<uid>}:contacts` | hash | contact uid → since (ms) |
//! | `{u:<uid>}:asks_in` / `{u:<uid>}:asks_out` | hash / set | contact requests to the user (from uid → note) / from the user, unanswered |
//! | `{u:<uid>}:blocked` | set | uids the user blocked |
//! | `{u:<uid>}:privacy` | string | who may start a direct conversation (0 anyone, 1 contacts only) |
//! | `{u:<uid>}:quiet` | set | gids whose offline push notifications the user turned off |

mod contacts;
mod groups;
mod messages;
mod notices;

use std::time::Duration;

use schat_proto::client::ResultCode;
use schat_runtime::storage::Redis;
use schat_runtime::{CallError, LiveConfig};

/// Typed access to the group keys.
#[derive(Clone)]
pub struct Store {
    redis: Redis,
    /// For `chat.history_max_messages` (messages kept per group; 0: all),
    /// read at each append.
    config: LiveConfig,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    pub async fn connect(config: LiveConfig) -> Result<Store, redis::RedisError> {
        let redis_config = &config.current().redis;
        // A WAIT for replicas may take up to its own timeout: the
        // connection must not give up on it first.
        let mut timeout = Duration::from_millis(500);
        if redis_config.ack_replicas > 0 {
            timeout += Duration::from_millis(redis_config.ack_timeout_ms);
        }
        Ok(Store {
            redis: Redis::connect(redis_config, timeout).await?,
            config,
        })
    }

    fn history_max(&self) -> u64 {
        self.config.current().chat.history_max_messages
    }

    /// The connection, for the memory watch.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// Replicas connected to the Redis this store writes to (on a Redis
    /// Cluster, the fewest any primary has).
    pub async fn connected_replicas(&self) -> Result<u32, CallError> {
        let mut redis = self.conn();
        let infos = redis
            .info_of_primaries("replication")
            .await
            .map_err(storage)?;
        Ok(infos
            .iter()
            .map(|info| crate::memory::field(info, "connected_slaves").unwrap_or(0) as u32)
            .min()
            .unwrap_or(0))
    }

    fn conn(&self) -> Redis {
        self.redis.clone()
    }
}

fn group_key(gid: u64, part: &str) -> String {
    format!("{{g:{gid}}}:{part}")
}

fn user_key(uid: u64, part: &str) -> String {
    format!("{{u:{uid}}}:{part}")
}

const PUBLIC_GROUPS: &str = "{pub}:groups";

/// A Redis failure as the caller sees it.
pub(crate) use schat_runtime::storage::from_redis as storage;

fn no_such_group() -> CallError {
    CallError::remote(ResultCode::NoSuchGroup, "no such group")
}
