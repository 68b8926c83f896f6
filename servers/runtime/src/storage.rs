//! Redis for the db_* processes (built with the `redis` feature, by those
//! processes only): the connection (one server or a Redis Cluster, see
//! `storage/connection.rs`) and Redis failures as callers see them.

use crate::CallError;

mod connection;

pub use connection::Redis;

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
