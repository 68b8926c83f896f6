//! The one Redis connection type of the db_* processes: one server (the
//! redis crate's `ConnectionManager`, reconnecting) or a Redis Cluster (its
//! cluster client: slot map, MOVED/ASK, topology refresh and reconnects after
//! a failover are the crate's). Callers use it like any connection —
//! commands, scripts, pipelines — with two things added for a cluster:
//!
//! - A pipeline whose commands hash to several slots is split by slot, the
//!   parts sent at once and the answers put back in order. (The cluster
//!   client refuses such a pipeline; the data model keeps every multi-key
//!   command and script in one slot, but a page of reads across groups or
//!   account names is one pipeline on a single server.) Transactions are
//!   never split: MULTI/EXEC must stay in one slot, and does.
//! - `WAIT` goes to the primary of the slot the writes went to
//!   ([`Redis::wait_for_replicas`]), and `INFO` to every primary
//!   ([`Redis::info_of_primaries`]).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{
    MultipleNodeRoutingInfo, Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr,
};
use redis::{Arg, Cmd, Pipeline, RedisFuture, RedisResult, Value};

use crate::config::RedisConfig;

/// A connection to the cluster's Redis (cheap to clone: clones share it).
#[derive(Clone)]
pub enum Redis {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Redis::Single(_) => "Redis::Single",
            Redis::Cluster(_) => "Redis::Cluster",
        })
    }
}

/// How long the cluster client keeps retrying one request through a
/// failover (a replica is promoted after `cluster-node-timeout`, then the
/// slot map is read again) before the caller gets the error.
const CLUSTER_REQUEST_BUDGET: Duration = Duration::from_secs(5);

impl Redis {
    /// Connects as `config` says: `cluster_nodes` (seeds of a Redis
    /// Cluster) or `host`/`port`/`db`. `response_timeout` bounds one
    /// command (a WAIT for replicas needs longer than the default).
    pub async fn connect(config: &RedisConfig, response_timeout: Duration) -> RedisResult<Redis> {
        if !config.is_cluster() {
            let client = redis::Client::open(config.url())?;
            let manager =
                ConnectionManagerConfig::new().set_response_timeout(Some(response_timeout));
            return Ok(Redis::Single(
                ConnectionManager::new_with_config(client, manager).await?,
            ));
        }
        let seeds: Vec<String> = config
            .cluster_nodes
            .iter()
            .map(|node| format!("redis://{node}/"))
            .collect();
        let client = ClusterClientBuilder::new(seeds)
            .response_timeout(response_timeout.max(CLUSTER_REQUEST_BUDGET))
            .connection_timeout(Duration::from_secs(1))
            .retries(16)
            .max_retry_wait(500)
            .build()?;
        Ok(Redis::Cluster(client.get_async_connection().await?))
    }

    /// Waits until `replicas` replicas have every write this connection
    /// sent so far to the primary that holds `key`, for at most
    /// `timeout_ms`; returns how many confirmed.
    pub async fn wait_for_replicas(
        &mut self,
        key: &str,
        replicas: u8,
        timeout_ms: u64,
    ) -> RedisResult<u64> {
        let mut wait = redis::cmd("WAIT");
        wait.arg(replicas).arg(timeout_ms);
        match self {
            Redis::Single(redis) => wait.query_async(redis).await,
            Redis::Cluster(redis) => {
                let route = Route::with_key(key, SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                let value = redis.route_command(wait, routing).await?;
                Ok(redis::from_redis_value(value)?)
            }
        }
    }

    /// `INFO <section>` of the server, or of every primary of a cluster.
    pub async fn info_of_primaries(&mut self, section: &str) -> RedisResult<Vec<String>> {
        let mut info = redis::cmd("INFO");
        info.arg(section);
        match self {
            Redis::Single(redis) => Ok(vec![info.query_async(redis).await?]),
            Redis::Cluster(redis) => {
                let routing = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
                let value = redis.route_command(info, routing).await?;
                let by_node: BTreeMap<String, String> = redis::from_redis_value(value)?;
                Ok(by_node.into_values().collect())
            }
        }
    }
}

/// The key a command's slot is decided by: the first key of EVAL/EVALSHA
/// (when it has keys), else the first argument; `None` for commands
/// without keys.
fn key_of(cmd: &Cmd) -> Option<&[u8]> {
    let mut args = cmd.args_iter().map(|arg| match arg {
        Arg::Simple(bytes) => bytes,
        _ => &[][..],
    });
    let name = args.next()?;
    if name.eq_ignore_ascii_case(b"EVALSHA") || name.eq_ignore_ascii_case(b"EVAL") {
        let _script = args.next()?;
        let n_keys: usize = std::str::from_utf8(args.next()?).ok()?.parse().ok()?;
        return if n_keys == 0 { None } else { args.next() };
    }
    if name.eq_ignore_ascii_case(b"WAIT")
        || name.eq_ignore_ascii_case(b"INFO")
        || name.eq_ignore_ascii_case(b"PING")
    {
        return None;
    }
    args.next()
}

fn slot_of(cmd: &Cmd) -> Option<Slot> {
    key_of(cmd).map(Slot::for_key)
}

/// Sends a pipeline whose commands span several slots as one pipeline per
/// slot, at once, and puts the answers back in the order of the commands.
async fn split_by_slot(
    redis: &mut ClusterConnection,
    pipeline: &Pipeline,
) -> RedisResult<Vec<Value>> {
    // Commands without a key ride with the first slot.
    let mut parts: Vec<(Pipeline, Vec<usize>)> = Vec::new();
    let mut part_of: HashMap<Option<Slot>, usize> = HashMap::new();
    let mut first_slot = None;
    for (index, cmd) in pipeline.cmd_iter().enumerate() {
        let slot = slot_of(cmd).or(first_slot);
        first_slot = first_slot.or(slot);
        let part = *part_of.entry(slot).or_insert_with(|| {
            parts.push((redis::pipe(), Vec::new()));
            parts.len() - 1
        });
        parts[part].0.add_command(cmd.clone());
        parts[part].1.push(index);
    }
    let sent = parts.iter().map(|(part, _)| {
        let mut redis = redis.clone();
        async move { redis.req_packed_commands(part, 0, part.len()).await }
    });
    let answers = futures_util::future::join_all(sent).await;
    let mut values: Vec<Option<Value>> = vec![None; pipeline.len()];
    for ((_, indexes), answer) in parts.iter().zip(answers) {
        let answer = answer?;
        if answer.len() != indexes.len() {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Client,
                "a part of a split pipeline answered the wrong number of replies",
            )));
        }
        for (index, value) in indexes.iter().zip(answer) {
            values[*index] = Some(value);
        }
    }
    Ok(values
        .into_iter()
        .map(|value| value.unwrap_or(Value::Nil))
        .collect())
}

/// Whether every command of the pipeline with a key hashes to one slot.
fn one_slot(pipeline: &Pipeline) -> bool {
    let mut slots = pipeline.cmd_iter().filter_map(slot_of);
    let Some(first) = slots.next() else {
        return true;
    };
    slots.all(|slot| slot == first)
}

impl ConnectionLike for Redis {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Redis::Single(redis) => redis.req_packed_command(cmd),
            Redis::Cluster(redis) => redis.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Redis::Single(redis) => redis.req_packed_commands(pipeline, offset, count),
            Redis::Cluster(redis) => {
                if pipeline.is_transaction() || one_slot(pipeline) {
                    redis.req_packed_commands(pipeline, offset, count)
                } else {
                    Box::pin(split_by_slot(redis, pipeline))
                }
            }
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Redis::Single(redis) => redis.get_db(),
            Redis::Cluster(redis) => redis.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decide_slots() {
        let mut get = redis::cmd("HGET");
        get.arg("{g:1}:info").arg("name");
        assert_eq!(key_of(&get), Some(&b"{g:1}:info"[..]));
        let mut eval = redis::cmd("EVALSHA");
        eval.arg("abc")
            .arg(2)
            .arg("{g:1}:seq")
            .arg("{g:1}:msgs")
            .arg("x");
        assert_eq!(key_of(&eval), Some(&b"{g:1}:seq"[..]));
        let mut no_keys = redis::cmd("EVALSHA");
        no_keys.arg("abc").arg(0).arg("x");
        assert_eq!(key_of(&no_keys), None);
        let mut wait = redis::cmd("WAIT");
        wait.arg(1).arg(100);
        assert_eq!(key_of(&wait), None);

        let mut same = redis::pipe();
        same.hget("{g:1}:info", "a").hget("{g:1}:members", "b");
        assert!(one_slot(&same));
        let mut spread = redis::pipe();
        spread.hget("{g:1}:info", "a").hget("{g:2}:info", "a");
        assert!(!one_slot(&spread));
    }
}
