//! The Redis data model for users. Every key of one user carries the hash
//! tag `{u:<uid>}` and every account-name key `{a:<name>}`, so a Redis
//! Cluster backend needs no change to this model.
//!
//! | key | type | holds |
//! |---|---|---|
//! | `{cfg}:uid_next` | string | last allocated uid |
//! | `{cfg}:secret:<name>` | string | a cluster secret (token signing key) |
//! | `{a:<account>}:uid` | string | uid of an account name |
//! | `{u:<uid>}:info` | hash | account, password_hash, display_name, description, avatar_url, created_at_ms, token_gen, revoked_at_ms (last logout) |
//!
//! A user's devices and sessions (`{u:<uid>}:devices`, `{u:<uid>}:sessions`)
//! are in `devices.rs`; the login and registration guards
//! (`{a:<account>}:guard`, `{ip:<address>}:…`) in `guard.rs`. (Before
//! several devices per user, `{u:<uid>}:session` named the one session; it
//! is no longer read or written.)

use std::sync::LazyLock;

use bytes::Bytes;
use redis::AsyncCommands;
use schat_proto::client::{ResultCode, UserProfile};
use schat_proto::server::{AccountCreated, CreateAccount, Credential, UpdateProfile};
use schat_runtime::config::RedisConfig;
use schat_runtime::storage::{fresh_id, Redis};
use schat_runtime::CallError;

/// The scripts, hashed once (each call sends EVALSHA; Redis loads a
/// script it does not know from the fallback).
static UPDATE_PROFILE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(UPDATE_PROFILE));

/// Typed access to the user keys.
#[derive(Clone)]
pub struct Store {
    redis: Redis,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

pub(crate) fn info_key(uid: u64) -> String {
    format!("{{u:{uid}}}:info")
}

fn account_key(account: &str) -> String {
    format!("{{a:{account}}}:uid")
}

const PROFILE_FIELDS: [&str; 5] = [
    "account",
    "display_name",
    "description",
    "avatar_url",
    "created_at_ms",
];

/// Applies a profile update only to an existing user. ARGV is field/value pairs.
const UPDATE_PROFILE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local old_avatar = redis.call('HGET', KEYS[1], 'avatar_url') or ''
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return {1, old_avatar}
";

/// A Redis failure as the caller sees it.
pub(crate) use schat_runtime::storage::from_redis as storage;

fn no_such_user() -> CallError {
    CallError::remote(ResultCode::NoSuchUser, "no such user")
}

impl Store {
    /// The connection, for the other key families of this process.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    pub async fn connect(config: &RedisConfig) -> Result<Store, redis::RedisError> {
        let redis = Redis::connect(config, std::time::Duration::from_millis(500)).await?;
        Ok(Store { redis })
    }

    /// Creates an account under a uid nobody has (see `fresh_id`); the name
    /// index is written last and only if free, so a crash half-way leaves
    /// an unreachable profile, never a name that points nowhere.
    pub async fn create_account(&self, req: CreateAccount) -> Result<AccountCreated, CallError> {
        let mut redis = self.redis.clone();
        let uid = fresh_id(&mut redis, "{cfg}:uid_next", info_key, req.created_at_ms).await?;
        let info = info_key(uid);
        let _: () = redis
            .hset_multiple(
                &info,
                &[
                    ("account", req.account.clone()),
                    ("password_hash", req.password_hash),
                    ("display_name", req.display_name),
                    ("description", String::new()),
                    ("avatar_url", String::new()),
                    ("created_at_ms", req.created_at_ms.to_string()),
                    ("token_gen", "0".to_string()),
                ],
            )
            .await
            .map_err(storage)?;
        let claimed: bool = redis::cmd("SET")
            .arg(account_key(&req.account))
            .arg(uid)
            .arg("NX")
            .query_async::<Option<String>>(&mut redis)
            .await
            .map_err(storage)?
            .is_some();
        if !claimed {
            let _: () = redis.del(&info).await.map_err(storage)?;
            return Err(CallError::remote(
                ResultCode::AccountExists,
                format!("account name {:?} is taken", req.account),
            ));
        }
        Ok(AccountCreated { uid })
    }

    pub async fn uid_of(&self, account: &str) -> Result<Option<u64>, CallError> {
        let mut redis = self.redis.clone();
        redis.get(account_key(account)).await.map_err(storage)
    }

    pub async fn credential(&self, uid: u64) -> Result<Credential, CallError> {
        let mut redis = self.redis.clone();
        let (password_hash, token_gen, revoked_at_ms): (Option<String>, Option<u64>, Option<u64>) =
            redis
                .hmget(
                    info_key(uid),
                    &["password_hash", "token_gen", "revoked_at_ms"],
                )
                .await
                .map_err(storage)?;
        match password_hash {
            Some(password_hash) => Ok(Credential {
                uid,
                password_hash,
                token_generation: token_gen.unwrap_or(0),
                revoked_at_ms: revoked_at_ms.unwrap_or(0),
            }),
            None => Err(no_such_user()),
        }
    }

    /// Profiles of the given users and account names; unknown ones are left out.
    pub async fn profiles(
        &self,
        uids: &[u64],
        accounts: &[String],
    ) -> Result<Vec<UserProfile>, CallError> {
        let mut redis = self.redis.clone();
        let mut all_uids: Vec<u64> = uids.to_vec();
        if !accounts.is_empty() {
            // One GET per name (not MGET): the names live in different
            // cluster slots.
            let mut pipe = redis::pipe();
            for name in accounts {
                pipe.get(account_key(name));
            }
            let found: Vec<Option<u64>> = pipe.query_async(&mut redis).await.map_err(storage)?;
            all_uids.extend(found.into_iter().flatten());
        }
        all_uids.sort_unstable();
        all_uids.dedup();
        if all_uids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for uid in &all_uids {
            pipe.hmget(info_key(*uid), &PROFILE_FIELDS);
        }
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<u64>,
        );
        let rows: Vec<Row> = pipe.query_async(&mut redis).await.map_err(storage)?;
        Ok(all_uids
            .into_iter()
            .zip(rows)
            .filter_map(
                |(uid, (account, display_name, description, avatar_url, created_at_ms))| {
                    Some(UserProfile {
                        uid,
                        account: account?,
                        display_name: display_name.unwrap_or_default(),
                        description: description.unwrap_or_default(),
                        avatar_url: avatar_url.unwrap_or_default(),
                        created_at_ms: created_at_ms.unwrap_or(0),
                        online: false,
                    })
                },
            )
            .collect())
    }

    /// Applies the fields present in `update`; returns the profile after it
    /// and the avatar URL it replaced, if the avatar changed.
    pub async fn update_profile(
        &self,
        update: UpdateProfile,
    ) -> Result<(UserProfile, Option<String>), CallError> {
        let mut redis = self.redis.clone();
        let script = &*UPDATE_PROFILE_SCRIPT;
        let mut invocation = script.key(info_key(update.uid));
        for (field, value) in [
            ("display_name", update.display_name),
            ("description", update.description),
            ("avatar_url", update.avatar_url),
        ] {
            if let Some(value) = value {
                invocation.arg(field).arg(value);
            }
        }
        let (updated, old_avatar): (i64, String) =
            invocation.invoke_async(&mut redis).await.map_err(storage)?;
        if updated == 0 {
            return Err(no_such_user());
        }
        let profile = self
            .profiles(&[update.uid], &[])
            .await?
            .pop()
            .ok_or_else(no_such_user)?;
        let replaced =
            (!old_avatar.is_empty() && old_avatar != profile.avatar_url).then_some(old_avatar);
        Ok((profile, replaced))
    }

    /// Bumps the user's token generation: every token issued so far is void.
    /// Voids every token of the user: session tokens by their generation,
    /// file tokens by when they were issued.
    pub async fn revoke_tokens(&self, uid: u64, revoked_at_ms: u64) -> Result<(), CallError> {
        let mut redis = self.redis.clone();
        let _: () = redis::pipe()
            .atomic()
            .hincr(info_key(uid), "token_gen", 1)
            .ignore()
            .hset(info_key(uid), "revoked_at_ms", revoked_at_ms)
            .ignore()
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// A named cluster secret, created from `fresh` on first use. Every
    /// caller gets the same value, whichever created it.
    /// The secret called `name`, created from `fresh` if there is none yet
    /// (kept `ttl_secs` from creation; 0 keeps it forever).
    pub async fn secret(
        &self,
        name: &str,
        fresh: Bytes,
        ttl_secs: u64,
    ) -> Result<Bytes, CallError> {
        let mut redis = self.redis.clone();
        let key = format!("{{cfg}}:secret:{name}");
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(fresh.as_ref()).arg("NX");
        if ttl_secs > 0 {
            set.arg("EX").arg(ttl_secs);
        }
        let _: Option<String> = set.query_async(&mut redis).await.map_err(storage)?;
        let value: Vec<u8> = redis.get(&key).await.map_err(storage)?;
        Ok(Bytes::from(value))
    }
}
