//! Redis for the db_* processes (built with the `redis` feature, by those
//! processes only): the connection (one server or a Redis Cluster, see
//! `storage/connection.rs`) and Redis failures as callers see them.

use crate::CallError;

mod connection;

pub use connection::Redis;

/// How many taken ids [`fresh_id`] steps over before it gives up.
const FRESH_ID_TRIES: usize = 1_000;

/// A new id from the counter at `counter` whose hash `hash_of(id)` did not
/// exist yet: its `created_at_ms` field is set in the same step (HSETNX),
/// which claims the id. On one Redis the counter is never behind the ids
/// in use; on a Redis Cluster it can be — the counter's shard may fail over
/// and lose its last increments while the ids' own keys, on other shards,
/// keep theirs — and a live account or group would be handed out again.
/// This steps over them instead. The caller writes the rest of the hash,
/// and deletes it if it gives the id up.
pub async fn fresh_id(
    redis: &mut Redis,
    counter: &str,
    hash_of: impl Fn(u64) -> String,
    created_at_ms: u64,
) -> Result<u64, CallError> {
    use redis::AsyncCommands;
    for _ in 0..FRESH_ID_TRIES {
        let id: u64 = redis.incr(counter, 1).await.map_err(from_redis)?;
        let claimed: bool = redis
            .hset_nx(hash_of(id), "created_at_ms", created_at_ms)
            .await
            .map_err(from_redis)?;
        if claimed {
            return Ok(id);
        }
    }
    Err(CallError::storage(
        None,
        format!("{counter} is more than {FRESH_ID_TRIES} behind the ids in use"),
    ))
}

/// A Redis failure as a [`CallError`] ([`CallError::storage`]). A failed
/// pipeline is judged by its first failed command, so a pipeline refused
/// for memory says so as plainly as a single command.
pub fn from_redis(err: redis::RedisError) -> CallError {
    if let Some(code) = err.code() {
        return CallError::storage(Some(code), &err);
    }
    let first_failed = err
        .clone()
        .into_server_errors()
        .and_then(|failed| failed.first().map(|(_, failed)| failed.clone()));
    match first_failed {
        Some(failed) => CallError::storage(
            Some(failed.code()),
            format!(
                "{}: {}",
                failed.code(),
                failed.details().unwrap_or_default()
            ),
        ),
        None => CallError::storage(None, &err),
    }
}
