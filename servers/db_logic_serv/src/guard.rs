//! The guards against password guessing and mass registration
//! (`auth.throttle`), in Redis so that every logic_serv sees the same
//! counts.
//!
//! | key | type | holds |
//! |---|---|---|
//! | `{a:<account>}:guard` | hash | failures, until_ms: failed password logins for an account (any address) and when the next attempt may come |
//! | `{ip:<address>}:guard` | hash | the same for one client address (an IPv6 /64) |
//! | `{ip:<address>}:registered` | string | accounts registered from the address in the current hour |
//!
//! Each guard expires `window_secs` after its last failure (or when its
//! back-off ends, if later); an account's is deleted at a successful login.

use std::sync::LazyLock;

use redis::AsyncCommands;
use schat_proto::server::{auth_guard::Op, AuthGuard, AuthVerdict};
use schat_runtime::config::AuthThrottle;
use schat_runtime::storage::Redis;
use schat_runtime::CallError;

use crate::store::storage;

/// Counts one failure. KEYS[1] the guard; ARGV: now_ms, free failures,
/// backoff base ms, backoff max ms, window secs. Returns until_ms (0: no
/// back-off yet).
const RECORD_FAILURE: &str = r"
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local now, free = tonumber(ARGV[1]), tonumber(ARGV[2])
local base, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local until_ms = 0
if failures > free then
  local delay = base * math.pow(2, math.min(failures - free - 1, 40))
  if delay > max then delay = max end
  until_ms = now + delay
  redis.call('HSET', KEYS[1], 'until_ms', until_ms)
end
local ttl = tonumber(ARGV[5])
local backoff_secs = math.ceil((until_ms - now) / 1000) + 1
if backoff_secs > ttl then ttl = backoff_secs end
redis.call('EXPIRE', KEYS[1], ttl)
return until_ms
";

/// Counts a registration unless the address is at its limit; the hour
/// starts with the first. KEYS[1] the counter; ARGV: limit. Returns the
/// seconds until one may register (> 0) when refused, 0 when counted.
const RESERVE_REGISTRATION: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], 3600) end
return 0
";

/// Uncounts a registration that failed (never below zero).
const RELEASE_REGISTRATION: &str = r"
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
";

/// The scripts, hashed once.
static RECORD_FAILURE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RECORD_FAILURE));
static RESERVE_REGISTRATION_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RESERVE_REGISTRATION));
static RELEASE_REGISTRATION_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RELEASE_REGISTRATION));

fn account_key(account: &str) -> String {
    format!("{{a:{account}}}:guard")
}

fn address_key(address: &str) -> String {
    format!("{{ip:{address}}}:guard")
}

fn registered_key(address: &str) -> String {
    format!("{{ip:{address}}}:registered")
}

/// Answers one guard request.
pub async fn guard(
    redis: &Redis,
    throttle: &AuthThrottle,
    req: AuthGuard,
) -> Result<AuthVerdict, CallError> {
    let mut redis = redis.clone();
    let mut keys = vec![(account_key(&req.account), throttle.account_free_failures)];
    if !req.address.is_empty() {
        keys.push((address_key(&req.address), throttle.address_free_failures));
    }
    let retry_after_ms = match req.op() {
        Op::CheckLogin => {
            let mut wait = 0;
            for (key, _) in &keys {
                let until: Option<u64> = redis.hget(key, "until_ms").await.map_err(storage)?;
                wait = wait.max(until.unwrap_or(0).saturating_sub(req.now_ms));
            }
            wait
        }
        Op::LoginFailed => {
            for (key, free) in &keys {
                let _: u64 = RECORD_FAILURE_SCRIPT
                    .key(key)
                    .arg(req.now_ms)
                    .arg(*free)
                    .arg(throttle.backoff_base_ms)
                    .arg(throttle.backoff_max_secs * 1000)
                    .arg(throttle.window_secs)
                    .invoke_async(&mut redis)
                    .await
                    .map_err(storage)?;
            }
            0
        }
        Op::LoginOk => {
            let _: () = redis
                .del(account_key(&req.account))
                .await
                .map_err(storage)?;
            0
        }
        Op::ReserveRegistration | Op::ReleaseRegistration
            if req.address.is_empty() || throttle.registrations_per_hour == 0 =>
        {
            0
        }
        Op::ReserveRegistration => {
            let ttl_secs: u64 = RESERVE_REGISTRATION_SCRIPT
                .key(registered_key(&req.address))
                .arg(throttle.registrations_per_hour)
                .invoke_async(&mut redis)
                .await
                .map_err(storage)?;
            ttl_secs * 1000
        }
        Op::ReleaseRegistration => {
            let _: u64 = RELEASE_REGISTRATION_SCRIPT
                .key(registered_key(&req.address))
                .invoke_async(&mut redis)
                .await
                .map_err(storage)?;
            0
        }
    };
    Ok(AuthVerdict { retry_after_ms })
}
