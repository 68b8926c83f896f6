//! Messages: gap-free seq per group assigned atomically with the store,
//! idempotent by (sender, client message id), read cursors, recall.

use std::collections::HashMap;
use std::sync::LazyLock;

use redis::AsyncCommands;
use schat_proto::client::{ChatMessage, MessagesResponse, ReadersResponse, ResultCode};
use schat_proto::server::DbAppended;
use schat_proto::{Bytes, Wire};
use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::time::now_ms;
use schat_runtime::CallError;

use schat_runtime::storage::Redis;

use super::{group_key, no_such_group, storage, Store};

/// How long a client message id is remembered for de-duplication, at
/// least: ids are kept in a bucket per day, which lives for two.
pub const DEDUP_TTL_SECS: u64 = 24 * 3600;

/// The de-duplication bucket of the day `now_ms` falls in.
pub fn dedup_day(now_ms: u64) -> u64 {
    now_ms / (DEDUP_TTL_SECS * 1000)
}

/// A group's de-duplication bucket of `day`.
pub fn dedup_key(gid: u64, day: u64) -> String {
    group_key(gid, &format!("dedup:{day}"))
}

/// The message scripts, hashed once.
static APPEND_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(APPEND));
static MARK_READ_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(MARK_READ));
static RECALL_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RECALL));

/// KEYS: info, members, seq, msgs, legacy dedup key, mver, files, today's
/// dedup, yesterday's dedup, msgfile, first, recalled, muted, admins,
/// reads. ARGV: sender, a client's send (1: the sender must be a member
/// allowed to speak; 0: a system message), body, dedup bucket TTL secs,
/// has a client id (1/0), the group file the message references ('' for
/// none), dedup field, messages kept (0: all), the message's time (ms),
/// the seq floor (the highest seq the caller has seen handed out: the new
/// seq is above it even if the counter is behind, after a failover lost
/// the last writes; 0: none).
/// Returns {status, seq, membership version, released files}: status 1
/// stored, 0 duplicate, -1 no group, -2 not a member, -3 the sender is
/// muted (seq: until when), -4 the group is muted and the sender neither
/// its owner nor an admin, -5 the other user of a direct conversation
/// blocked the sender. Each stored message sets the group's `last_ms`. A duplicate is recognised before membership,
/// so a retry answers the original seq even if the sender has left since.
/// A client's send moves the sender's read cursor to it (your own message
/// is never unread); a system message about someone moves theirs only if
/// they had read everything before it. Client ids go into the day's bucket,
/// which expires two days after its last write, so an id is remembered at
/// least 24 h; with a retention, messages older than the newest `max` are
/// deleted (at most 100 per append) and the files that lose their last
/// reference are returned.
const APPEND: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0, {}} end
local version = tonumber(redis.call('GET', KEYS[6]) or '0')
if ARGV[5] == '1' then
  local original = redis.call('HGET', KEYS[8], ARGV[7]) or redis.call('HGET', KEYS[9], ARGV[7])
    or redis.call('GET', KEYS[5])
  if original then return {0, tonumber(original), version, {}} end
end
if ARGV[2] == '1' then
  if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {-2, 0, version, {}} end
  local muted = redis.call('HGET', KEYS[13], ARGV[1])
  if muted == 'b' then return {-5, 0, version, {}} end
  muted = tonumber(muted or '0')
  if muted > tonumber(ARGV[9]) then return {-3, muted, version, {}} end
  if redis.call('HGET', KEYS[1], 'mute_all') == '1' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1]
    and redis.call('SISMEMBER', KEYS[14], ARGV[1]) == 0 then return {-4, 0, version, {}} end
end
local seq = redis.call('INCR', KEYS[3])
local floor = tonumber(ARGV[10])
if seq <= floor then
  seq = floor + 1
  redis.call('SET', KEYS[3], seq)
end
redis.call('HSET', KEYS[4], seq, ARGV[3])
redis.call('HSET', KEYS[1], 'last_ms', ARGV[9])
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[15], ARGV[1], seq)
elseif tonumber(redis.call('HGET', KEYS[15], ARGV[1]) or '-1') == seq - 1 then
  redis.call('HSET', KEYS[15], ARGV[1], seq)
end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[8], ARGV[7], seq)
  redis.call('EXPIRE', KEYS[8], ARGV[4])
end
if ARGV[6] ~= '' then
  redis.call('HINCRBY', KEYS[7], ARGV[6], 1)
  redis.call('HSET', KEYS[10], seq, ARGV[6])
end
local released = {}
local max = tonumber(ARGV[8])
if max > 0 and seq > max then
  local first = tonumber(redis.call('GET', KEYS[11]) or '1')
  local keep_from = seq - max + 1
  local n = 0
  while first < keep_from and n < 100 do
    redis.call('HDEL', KEYS[4], first)
    redis.call('SREM', KEYS[12], first)
    local path = redis.call('HGET', KEYS[10], first)
    if path then
      redis.call('HDEL', KEYS[10], first)
      if redis.call('HINCRBY', KEYS[7], path, -1) <= 0 then
        redis.call('HDEL', KEYS[7], path)
        table.insert(released, path)
      end
    end
    first = first + 1
    n = n + 1
  end
  redis.call('SET', KEYS[11], first)
end
return {1, seq, version, released}
";

/// KEYS: info, seq, msgs, recalled, files, msgfile, reads, members. ARGV:
/// target seq, tombstone, event, the group file the target referenced (''
/// for none), who recalls, the event's time (ms), the seq floor (as for
/// APPEND). Returns {the event's seq or -1 without group, -2
/// without the target, -3 when it was recalled already; 1 when the file
/// lost its last reference}. Like a send, the recall moves the cursor of
/// whoever recalls (a member) to the event.
const RECALL: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return {-2, 0} end
if redis.call('SADD', KEYS[4], ARGV[1]) == 0 then return {-3, 0} end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
local seq = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[7])
if seq <= floor then
  seq = floor + 1
  redis.call('SET', KEYS[2], seq)
end
redis.call('HSET', KEYS[3], seq, ARGV[3])
redis.call('HSET', KEYS[1], 'last_ms', ARGV[6])
if redis.call('ZSCORE', KEYS[8], ARGV[5]) then redis.call('HSET', KEYS[7], ARGV[5], seq) end
local released = 0
redis.call('HDEL', KEYS[6], ARGV[1])
if ARGV[4] ~= '' then
  if redis.call('HINCRBY', KEYS[5], ARGV[4], -1) <= 0 then
    redis.call('HDEL', KEYS[5], ARGV[4])
    released = 1
  end
end
return {seq, released}
";

/// The path of the group's own file that `message` references, if any:
/// what the group's file reference counts are kept for.
pub fn group_file(message: &ChatMessage) -> Option<String> {
    FileUrl::parse(&message.media_url)
        .filter(|url| url.scope == Scope::Chat(message.gid))
        .map(|url| url.to_string())
}

/// The APPEND script's call for one message (its seq is assigned there).
fn append_invocation(
    mut message: ChatMessage,
    require_member: bool,
    today: u64,
    history_max: u64,
    seq_floor: u64,
) -> redis::ScriptInvocation<'static> {
    let gid = message.gid;
    message.seq = 0;
    let has_client_id = !message.client_msg_id.is_empty();
    let dedup_field = format!("{}:{}", message.sender_uid, message.client_msg_id);
    // Written by earlier versions (one key per client id, with a TTL);
    // still read, so a retry across an upgrade is not stored twice.
    let legacy_dedup_key = group_key(gid, &format!("cm:{dedup_field}"));
    let mut invocation = APPEND_SCRIPT.prepare_invoke();
    invocation
        .key(group_key(gid, "info"))
        .key(group_key(gid, "members"))
        .key(group_key(gid, "seq"))
        .key(group_key(gid, "msgs"))
        .key(legacy_dedup_key)
        .key(group_key(gid, "mver"))
        .key(group_key(gid, "files"))
        .key(dedup_key(gid, today))
        .key(dedup_key(gid, today.saturating_sub(1)))
        .key(group_key(gid, "msgfile"))
        .key(group_key(gid, "first"))
        .key(group_key(gid, "recalled"))
        .key(group_key(gid, "muted"))
        .key(group_key(gid, "admins"))
        .key(group_key(gid, "reads"))
        .arg(message.sender_uid)
        .arg(u8::from(require_member))
        .arg(message.encode_frame().as_ref())
        .arg(2 * DEDUP_TTL_SECS)
        .arg(u8::from(has_client_id))
        .arg(group_file(&message).unwrap_or_default())
        .arg(dedup_field)
        .arg(history_max)
        .arg(message.sent_at_ms)
        .arg(seq_floor);
    invocation
}

/// Moves a cursor forward only, and never past the latest seq.
const MARK_READ: &str = r"
local latest = tonumber(redis.call('GET', KEYS[2]) or '0')
local seq = math.min(tonumber(ARGV[2]), latest)
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if seq > current then
  redis.call('HSET', KEYS[1], ARGV[1], seq)
  return {seq, 1}
end
return {current, 0}
";

impl Store {
    /// None when what this connection wrote so far reached
    /// `redis.ack_replicas` replicas within `redis.ack_timeout_ms` (or no
    /// replica is asked for); else the answer for each stored write:
    /// UNAVAILABLE, stored — a retry with the same client_msg_id answers
    /// its seq once a replica confirms. WAIT holds this connection while
    /// it waits (the cost of the setting, in docs/OPERATIONS.md).
    async fn replicated(
        &self,
        redis: &mut Redis,
        gids: impl IntoIterator<Item = u64>,
    ) -> Result<Option<CallError>, CallError> {
        let (replicas, timeout_ms) = {
            let config = self.config.current();
            (config.redis.ack_replicas, config.redis.ack_timeout_ms)
        };
        if replicas == 0 {
            return Ok(None);
        }
        // On a Redis Cluster each group's writes went to the primary of its
        // slot: the WAIT goes there.
        let mut gids: Vec<u64> = gids.into_iter().collect();
        gids.sort_unstable();
        gids.dedup();
        let mut confirmed = u64::MAX;
        for gid in gids {
            let on_this = redis
                .wait_for_replicas(&group_key(gid, "seq"), replicas, timeout_ms)
                .await
                .map_err(storage)?;
            confirmed = confirmed.min(on_this);
        }
        if confirmed >= u64::from(replicas) {
            return Ok(None);
        }
        Ok(Some(CallError::remote(
            ResultCode::Unavailable,
            format!(
                "stored, but {confirmed} of {replicas} replicas confirmed it within \
                 {timeout_ms} ms; send again with the same client_msg_id"
            ),
        )))
    }

    /// Stores a message under the next seq; a repeated (sender, client id)
    /// returns the original seq and `true`.
    pub async fn append(
        &self,
        message: ChatMessage,
        require_member: bool,
    ) -> Result<DbAppended, CallError> {
        let (mut outcomes, _) = self
            .append_batch(vec![(message, require_member)], 0)
            .await?;
        outcomes.pop().unwrap_or_else(|| Err(no_such_group()))
    }

    /// Stores several messages in order, each as [`Store::append`] would,
    /// in one round trip (one pipeline of script calls by hash). Each gets
    /// its own outcome; the whole fails only when Redis does. Also returns
    /// the highest seq stored or found stored, confirmed by replicas or
    /// not.
    pub async fn append_batch(
        &self,
        messages: Vec<(ChatMessage, bool)>,
        seq_floor: u64,
    ) -> Result<(Vec<Result<DbAppended, CallError>>, u64), CallError> {
        let today = dedup_day(now_ms());
        let history_max = self.history_max();
        let gids: Vec<u64> = messages.iter().map(|(message, _)| message.gid).collect();
        let invocations: Vec<redis::ScriptInvocation<'static>> = messages
            .into_iter()
            .map(|(message, require_member)| {
                append_invocation(message, require_member, today, history_max, seq_floor)
            })
            .collect();
        let mut pipe = redis::pipe();
        for invocation in &invocations {
            pipe.invoke_script(invocation);
        }
        let mut redis = self.conn();
        type Replies = Vec<(i64, u64, u64, Vec<String>)>;
        let replies: Replies = match pipe.query_async(&mut redis).await {
            Err(err)
                if err.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                // Redis lost its script cache (a restart): no call of the
                // pipeline ran, so it is sent again once the script is back.
                APPEND_SCRIPT
                    .prepare_invoke()
                    .load_async(&mut redis)
                    .await
                    .map_err(storage)?;
                pipe.query_async(&mut redis).await.map_err(storage)?
            }
            replies => replies.map_err(storage)?,
        };
        // Stored (or found stored) is acknowledged only once the replicas
        // the settings ask for have it too.
        let unconfirmed = self.replicated(&mut redis, gids).await?;
        let seq_high = replies
            .iter()
            .filter(|(status, ..)| *status == 1 || *status == 0)
            .map(|(_, seq, ..)| *seq)
            .max()
            .unwrap_or(0);
        let outcomes = replies
            .into_iter()
            .map(|(status, seq, member_version, released)| match status {
                1 | 0 => match &unconfirmed {
                    Some(refusal) => Err(refusal.clone()),
                    None => Ok(DbAppended {
                        seq,
                        duplicate: status == 0,
                        member_version,
                        released_paths: released,
                    }),
                },
                -2 => Err(CallError::remote(
                    ResultCode::Forbidden,
                    "only members can send to this group",
                )),
                -3 => Err(CallError::remote(
                    ResultCode::Muted,
                    format!(
                        "you are muted in this group for another {} s",
                        seq.saturating_sub(now_ms()).div_ceil(1000)
                    ),
                )),
                -4 => Err(CallError::remote(
                    ResultCode::Muted,
                    "the group is muted: only its owner and admins may send",
                )),
                -5 => Err(CallError::remote(
                    ResultCode::Forbidden,
                    "you cannot message this user",
                )),
                _ => Err(no_such_group()),
            })
            .collect();
        Ok((outcomes, seq_high))
    }

    /// Messages `from ..= to` that exist, oldest first, and the latest seq.
    /// Past `max_bytes` (after at least one message) the rest is left out:
    /// the newest ones, or the oldest ones with `keep_newest`. Unless
    /// `exact`, a forward page below the oldest kept message starts there.
    pub async fn read(
        &self,
        gid: u64,
        (from, to): (u64, u64),
        max_bytes: usize,
        keep_newest: bool,
        exact: bool,
    ) -> Result<MessagesResponse, CallError> {
        let mut redis = self.conn();
        let (latest, first): (Option<u64>, Option<u64>) = redis
            .mget(&[group_key(gid, "seq"), group_key(gid, "first")])
            .await
            .map_err(storage)?;
        let (latest, first) = (latest.unwrap_or(0), first.unwrap_or(1));
        // Below what the retention keeps: a forward page starts at the
        // oldest kept message instead (a backward one just ends there).
        let (from, to) = if from < first && !keep_newest && !exact {
            (first, first.saturating_add(to.saturating_sub(from)))
        } else {
            (from.max(first), to)
        };
        let to = to.min(latest);
        let mut messages = Vec::new();
        let mut bytes = 0;
        if from >= 1 && from <= to {
            let mut seqs: Vec<u64> = (from..=to).collect();
            if keep_newest {
                seqs.reverse();
            }
            let bodies: Vec<Option<Vec<u8>>> = redis
                .hmget(group_key(gid, "msgs"), &seqs)
                .await
                .map_err(storage)?;
            for (seq, body) in seqs.into_iter().zip(bodies) {
                let Some(body) = body else { continue };
                bytes += body.len() + 16;
                if bytes > max_bytes && !messages.is_empty() {
                    break;
                }
                let mut message = ChatMessage::decode_frame(Bytes::from(body)).map_err(|err| {
                    CallError::remote(ResultCode::Internal, format!("stored message {seq}: {err}"))
                })?;
                message.seq = seq;
                messages.push(message);
            }
        }
        if keep_newest {
            messages.reverse();
        }
        Ok(MessagesResponse {
            gid,
            messages,
            latest_seq: latest,
            first_seq: first,
        })
    }

    /// How many messages of `gid` reference the group file `path`.
    pub async fn file_refs(&self, gid: u64, path: &str) -> Result<u64, CallError> {
        let mut redis = self.conn();
        let count: Option<u64> = redis
            .hget(group_key(gid, "files"), path)
            .await
            .map_err(storage)?;
        Ok(count.unwrap_or(0))
    }

    /// Who of the group's members (but `sender`, and those who joined
    /// after the message was sent at `sent_at_ms`) has read up to `seq` or
    /// past it: the counts, and a page of the readers by uid. Reads every
    /// cursor of the group (the caller bounds the group's size); nothing
    /// on the send path pays for it.
    pub async fn readers(
        &self,
        gid: u64,
        (seq, sent_at_ms): (u64, u64),
        sender: u64,
        after_uid: u64,
        limit: u32,
    ) -> Result<ReadersResponse, CallError> {
        let mut redis = self.conn();
        type Replies = (Vec<u64>, HashMap<u64, u64>, HashMap<u64, u64>);
        let (members, cursors, joined): Replies = redis::pipe()
            .zrange(group_key(gid, "members"), 0, -1)
            .hgetall(group_key(gid, "reads"))
            .hgetall(group_key(gid, "joined"))
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        let (mut read_count, mut unread_count) = (0u32, 0u32);
        let mut readers = Vec::new();
        let mut more = false;
        // Members come sorted by uid (their score).
        // A member who joined after the message never had it to read (its
        // cursor started past it).
        let was_there = |uid: &u64| joined.get(uid).is_none_or(|&at| at <= sent_at_ms);
        for uid in members
            .into_iter()
            .filter(|&uid| uid != sender)
            .filter(was_there)
        {
            if cursors.get(&uid).copied().unwrap_or(0) < seq {
                unread_count += 1;
                continue;
            }
            read_count += 1;
            if uid > after_uid {
                if readers.len() < limit as usize {
                    readers.push(uid);
                } else {
                    more = true;
                }
            }
        }
        let next_after_uid = if more {
            readers.last().copied().unwrap_or(0)
        } else {
            0
        };
        Ok(ReadersResponse {
            read_count,
            unread_count,
            readers,
            next_after_uid,
        })
    }

    /// Moves the user's read cursor up to `seq` (never back, never past
    /// the latest message); returns the cursor and whether it moved.
    pub async fn mark_read(&self, gid: u64, uid: u64, seq: u64) -> Result<(u64, bool), CallError> {
        let mut redis = self.conn();
        let (cursor, moved): (u64, i64) = MARK_READ_SCRIPT
            .key(group_key(gid, "reads"))
            .key(group_key(gid, "seq"))
            .arg(uid)
            .arg(seq)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        Ok((cursor, moved == 1))
    }

    /// Replaces message `seq` (`original`) by its tombstone and appends
    /// `event`; returns the event's seq and the file to release, if the
    /// original held the last reference to it.
    pub async fn recall(
        &self,
        original: ChatMessage,
        mut event: ChatMessage,
        seq_floor: u64,
    ) -> Result<(u64, Option<String>), CallError> {
        let mut redis = self.conn();
        let (gid, seq) = (original.gid, original.seq);
        let file = group_file(&original);
        let tombstone = ChatMessage {
            seq: 0,
            text: String::new(),
            media_url: String::new(),
            recalled: true,
            ..original
        };
        event.seq = 0;
        let (result, released): (i64, i64) = RECALL_SCRIPT
            .key(group_key(gid, "info"))
            .key(group_key(gid, "seq"))
            .key(group_key(gid, "msgs"))
            .key(group_key(gid, "recalled"))
            .key(group_key(gid, "files"))
            .key(group_key(gid, "msgfile"))
            .key(group_key(gid, "reads"))
            .key(group_key(gid, "members"))
            .arg(seq)
            .arg(tombstone.encode_frame().as_ref())
            .arg(event.encode_frame().as_ref())
            .arg(file.as_deref().unwrap_or_default())
            .arg(event.sender_uid)
            .arg(event.sent_at_ms)
            .arg(seq_floor)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        if result > 0 {
            // Acknowledged, like a message, once the replicas asked for
            // have it.
            if let Some(unconfirmed) = self.replicated(&mut redis, [gid]).await? {
                return Err(unconfirmed);
            }
        }
        match result {
            -1 => Err(no_such_group()),
            -2 => Err(CallError::remote(
                ResultCode::BadRequest,
                "no message with that seq",
            )),
            -3 => Err(CallError::remote(
                ResultCode::BadRequest,
                "that message was recalled already",
            )),
            seq => Ok((seq as u64, file.filter(|_| released == 1))),
        }
    }
}
