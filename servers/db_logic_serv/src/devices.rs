//! A user's devices and their sessions in Redis.
//!
//! | key | type | holds |
//! |---|---|---|
//! | `{u:<uid>}:devices` | hash | device id → `<stamp>:<kind>:<last_login_ms>:<client>` |
//! | `{u:<uid>}:sessions` | hash | device id → `<session_id>:<logic_id>:<incarnation>:<conn_proc_id>:<since_ms>` |
//!
//! A device's **stamp** is random, made at its first login and kept until
//! it logs out or is ended (its record is deleted): the tokens issued to it
//! carry the stamp, so deleting the record voids them and nothing else. The
//! empty device id is the default device of clients that name none.
//!
//! A **session record** names the logic_serv holding the device's session
//! and that logic's incarnation (random per start). A logic that stops or
//! crashes leaves its records behind. The callers pass the live
//! `<logic_id>:<incarnation>` list (or `*` when they cannot tell: a logic
//! with no disp link up yet). A record of a logic listed under another
//! incarnation is void and dropped by the next login; one of a logic not
//! listed at all (stopped, or out of the caller's reach for now) is kept
//! but counts neither against `auth.max_devices` nor as online.
//!
//! At most [`KNOWN_DEVICES_MAX`] devices are remembered: past that, a new
//! device's first login forgets the one used least recently that has no
//! session (its tokens stop working).

use std::sync::LazyLock;

use schat_proto::client::{DeviceKind, ResultCode};
use schat_proto::server::{DeviceRecord, OpenSession, SessionOpened, SessionRecord};
use schat_runtime::storage::Redis;
use schat_runtime::CallError;

use crate::store::storage;

/// Devices remembered per user (with or without a session).
pub const KNOWN_DEVICES_MAX: usize = 64;

static OPEN_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(OPEN));
static CLOSE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CLOSE));
static END_ONE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(END_ONE));

/// KEYS: sessions, devices, info. ARGV: device id, session id ('0': any),
/// revoked_at_ms ('0': leave it). Logs one device out: its session record
/// and its stamp go, unless the record names another session than the one
/// given (a newer login of the device: then nothing changes).
/// Returns {'ok', session record or ''}, {'other'}, or {'none'} when the
/// device has neither record.
const END_ONE: &str = r"
local record = redis.call('HGET', KEYS[1], ARGV[1])
if record and ARGV[2] ~= '0' and string.sub(record, 1, #ARGV[2] + 1) ~= ARGV[2] .. ':' then
  return {'other'}
end
local device = redis.call('HGET', KEYS[2], ARGV[1])
if not record and not device then return {'none'} end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[3] ~= '0' then redis.call('HSET', KEYS[3], 'revoked_at_ms', ARGV[3]) end
return {'ok', record or ''}
";

/// KEYS: sessions, devices. ARGV: device id, session record, max devices,
/// expected stamp ('0': any), fresh stamp, kind, login time, client, known
/// devices kept, then the live `<logic_id>:<incarnation>` list (`*`: the
/// caller cannot tell). Another device's session counts when its logic
/// runs that incarnation (or one the list cannot name, 0); it is deleted
/// when its logic runs another incarnation (it restarted: the session is
/// gone); it is kept but not counted when its logic is not listed (stopped,
/// or out of the caller's reach for now). The device's own previous
/// session is returned whatever its state.
/// Returns {'ok', stamp, previous record or ''}, {'stale'} when the
/// expected stamp is not the device's, or {'full', other devices...}.
const OPEN: &str = r"
local device = ARGV[1]
local any = ARGV[10] == '*'
local running = {}
for i = 10, #ARGV do
  local id, inc = string.match(ARGV[i], '^(%d+):(%d+)$')
  if id then
    running[id] = running[id] or {}
    running[id][inc] = true
  end
end
local stored = redis.call('HGET', KEYS[2], device)
local stamp = stored and string.match(stored, '^(%d+):')
if ARGV[4] ~= '0' and stamp ~= ARGV[4] then return {'stale'} end
local others = {}
local previous = ''
local sessions = redis.call('HGETALL', KEYS[1])
for i = 1, #sessions, 2 do
  local name, record = sessions[i], sessions[i + 1]
  local id, inc = string.match(record, '^%d+:(%d+):(%d+):')
  local incs = id and running[id]
  if name == device then
    previous = record
  elseif any or (incs and (incs[inc] or incs['0'])) then
    table.insert(others, name)
  elseif incs then
    redis.call('HDEL', KEYS[1], name)
  end
end
if #others >= tonumber(ARGV[3]) then
  return {'full', unpack(others)}
end
stamp = stamp or ARGV[5]
redis.call('HSET', KEYS[1], device, ARGV[2])
redis.call('HSET', KEYS[2], device, stamp .. ':' .. ARGV[6] .. ':' .. ARGV[7] .. ':' .. ARGV[8])
if redis.call('HLEN', KEYS[2]) > tonumber(ARGV[9]) then
  local oldest, oldest_at = nil, nil
  local devices = redis.call('HGETALL', KEYS[2])
  for i = 1, #devices, 2 do
    local name = devices[i]
    if name ~= device and redis.call('HEXISTS', KEYS[1], name) == 0 then
      local at = tonumber(string.match(devices[i + 1], '^%d+:%d+:(%d+):') or '0')
      if oldest_at == nil or at < oldest_at then oldest, oldest_at = name, at end
    end
  end
  if oldest then redis.call('HDEL', KEYS[2], oldest) end
end
return {'ok', stamp, previous}
";

/// KEYS: sessions. ARGV: device id, session id. Deletes the device's
/// session record only while it still names that session.
const CLOSE: &str = r"
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2] + 1) == ARGV[2] .. ':' then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
";

fn sessions_key(uid: u64) -> String {
    format!("{{u:{uid}}}:sessions")
}

fn devices_key(uid: u64) -> String {
    format!("{{u:{uid}}}:devices")
}

fn session_value(record: &SessionRecord) -> String {
    format!(
        "{}:{}:{}:{}:{}",
        record.session_id,
        record.logic_id,
        record.incarnation,
        record.conn_proc_id,
        record.since_ms
    )
}

/// Parses a session record stored under `device_id`.
fn parse_session(device_id: &str, text: &str) -> Option<SessionRecord> {
    let mut fields = text.splitn(5, ':');
    let mut next = || fields.next();
    Some(SessionRecord {
        session_id: next()?.parse().ok()?,
        logic_id: next()?.parse().ok()?,
        incarnation: next()?.parse().ok()?,
        conn_proc_id: next()?.parse().ok()?,
        since_ms: next()?.parse().ok()?,
        device_id: device_id.to_string(),
    })
}

/// Parses a device record (its stamp is not shown to anyone).
fn parse_device(device_id: &str, text: &str) -> Option<DeviceRecord> {
    let mut fields = text.splitn(4, ':');
    let _stamp = fields.next()?;
    let kind: i32 = fields.next()?.parse().ok()?;
    let last_login_ms = fields.next()?.parse().ok()?;
    let client = fields.next()?.to_string();
    Some(DeviceRecord {
        device_id: device_id.to_string(),
        kind: DeviceKind::try_from(kind).unwrap_or_default() as i32,
        client,
        last_login_ms,
        session: None,
    })
}

/// Whether `record` names a process in `live` (`<logic_id>:<incarnation>`,
/// 0 for a process that cannot say, or `*`: the caller cannot tell).
fn is_live(record: &SessionRecord, live: &[String]) -> bool {
    let name = format!("{}:{}", record.logic_id, record.incarnation);
    let unknown = format!("{}:0", record.logic_id);
    live.iter()
        .any(|live| live == "*" || *live == name || *live == unknown)
}

/// Opens a session for one of the user's devices (see [`OPEN`]).
pub async fn open(redis: &Redis, req: OpenSession) -> Result<SessionOpened, CallError> {
    let mut redis = redis.clone();
    let record = SessionRecord {
        session_id: req.session_id,
        logic_id: req.logic_id,
        device_id: req.device_id.clone(),
        incarnation: req.incarnation,
        conn_proc_id: req.conn_proc_id,
        since_ms: req.since_ms,
    };
    let mut call = OPEN_SCRIPT.key(sessions_key(req.uid));
    call.key(devices_key(req.uid))
        .arg(&req.device_id)
        .arg(session_value(&record))
        .arg(req.max_devices)
        .arg(req.expect_stamp.to_string())
        .arg(req.fresh_stamp.max(1).to_string())
        .arg(req.device_kind)
        .arg(req.since_ms)
        .arg(&req.client)
        .arg(KNOWN_DEVICES_MAX);
    for live in &req.live {
        call.arg(live);
    }
    let answer: Vec<String> = call.invoke_async(&mut redis).await.map_err(storage)?;
    match answer.first().map(String::as_str) {
        Some("ok") if answer.len() == 3 => match answer[1].parse::<u64>() {
            // A stamp of 0 would sign a token that names no device.
            Ok(stamp) if stamp != 0 => Ok(SessionOpened {
                stamp,
                previous: parse_session(&req.device_id, &answer[2]),
            }),
            _ => Err(CallError::remote(
                ResultCode::Internal,
                "a device record holds no valid stamp",
            )),
        },
        Some("stale") => Err(CallError::remote(
            ResultCode::TokenInvalid,
            "the token is not this device's, or the device was logged out: log in with \
             the password",
        )),
        Some("full") => {
            let names: Vec<String> = answer[1..]
                .iter()
                .map(|name| {
                    if name.is_empty() {
                        "the default device".to_string()
                    } else {
                        name.clone()
                    }
                })
                .collect();
            Err(CallError::remote(
                ResultCode::TooManyDevices,
                format!(
                    "already logged in on {} devices ({}), the most allowed: log out on one \
                     of them or end one from another",
                    names.len(),
                    names.join(", ")
                ),
            ))
        }
        _ => Err(CallError::remote(
            ResultCode::Internal,
            "unexpected answer from the session script",
        )),
    }
}

/// The device's session record, if it has one.
pub async fn current(
    redis: &Redis,
    uid: u64,
    device_id: &str,
) -> Result<Option<SessionRecord>, CallError> {
    let mut redis = redis.clone();
    let text: Option<String> = redis::cmd("HGET")
        .arg(sessions_key(uid))
        .arg(device_id)
        .query_async(&mut redis)
        .await
        .map_err(storage)?;
    Ok(text.and_then(|text| parse_session(device_id, &text)))
}

/// Clears the device's session record if it still names `session_id`.
pub async fn close(
    redis: &Redis,
    uid: u64,
    device_id: &str,
    session_id: u64,
) -> Result<(), CallError> {
    let mut redis = redis.clone();
    let _: i64 = CLOSE_SCRIPT
        .key(sessions_key(uid))
        .arg(device_id)
        .arg(session_id.to_string())
        .invoke_async(&mut redis)
        .await
        .map_err(storage)?;
    Ok(())
}

/// The user's devices, most recently used first, each with its session
/// when that names a live process.
pub async fn list(
    redis: &Redis,
    uid: u64,
    live: &[String],
) -> Result<Vec<DeviceRecord>, CallError> {
    let mut redis = redis.clone();
    type Pairs = Vec<(String, String)>;
    let (devices, sessions): (Pairs, Pairs) = redis::pipe()
        .hgetall(devices_key(uid))
        .hgetall(sessions_key(uid))
        .query_async(&mut redis)
        .await
        .map_err(storage)?;
    let mut listed: Vec<DeviceRecord> = devices
        .iter()
        .filter_map(|(name, text)| parse_device(name, text))
        .collect();
    for (name, text) in &sessions {
        let Some(session) = parse_session(name, text).filter(|record| is_live(record, live)) else {
            continue;
        };
        if let Some(device) = listed.iter_mut().find(|device| device.device_id == *name) {
            device.session = Some(session);
        }
    }
    listed.sort_by(|a, b| {
        b.last_login_ms
            .cmp(&a.last_login_ms)
            .then_with(|| a.device_id.cmp(&b.device_id))
    });
    Ok(listed)
}

/// Logs out one device (`all` false) or every device: deletes the device
/// records (their stamps, so their tokens stop working) and session
/// records, and records `revoked_at_ms` when not 0 (the user's file tokens
/// issued up to then are void); with `all` also bumps the token
/// generation (tokens from before devices stop working too). For one
/// device with `session_id` not 0, nothing changes if the device's record
/// names another session (a newer login of it). Returns the session
/// records removed.
pub async fn end(
    redis: &Redis,
    uid: u64,
    device_id: &str,
    session_id: u64,
    all: bool,
    revoked_at_ms: u64,
) -> Result<Vec<SessionRecord>, CallError> {
    let mut redis = redis.clone();
    let info = crate::store::info_key(uid);
    if all {
        let (sessions,): (Vec<(String, String)>,) = redis::pipe()
            .atomic()
            .hgetall(sessions_key(uid))
            .del(sessions_key(uid))
            .ignore()
            .del(devices_key(uid))
            .ignore()
            .hincr(&info, "token_gen", 1)
            .ignore()
            .hset(&info, "revoked_at_ms", revoked_at_ms)
            .ignore()
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        return Ok(sessions
            .iter()
            .filter_map(|(name, text)| parse_session(name, text))
            .collect());
    }
    let answer: Vec<String> = END_ONE_SCRIPT
        .key(sessions_key(uid))
        .key(devices_key(uid))
        .key(&info)
        .arg(device_id)
        .arg(session_id.to_string())
        .arg(revoked_at_ms.to_string())
        .invoke_async(&mut redis)
        .await
        .map_err(storage)?;
    match answer.first().map(String::as_str) {
        Some("ok") => Ok(answer
            .get(1)
            .and_then(|text| parse_session(device_id, text))
            .into_iter()
            .collect()),
        Some("other") => Ok(Vec::new()),
        Some("none") => Err(CallError::remote(
            ResultCode::BadRequest,
            "no such device: see the device list",
        )),
        _ => Err(CallError::remote(
            ResultCode::Internal,
            "unexpected answer from the logout script",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let record = SessionRecord {
            session_id: u64::MAX,
            logic_id: 7,
            device_id: "phone-1".to_string(),
            incarnation: 12345678901234567890,
            conn_proc_id: 3,
            since_ms: 1_700_000_000_000,
        };
        let text = session_value(&record);
        assert_eq!(parse_session("phone-1", &text), Some(record.clone()));
        assert!(is_live(&record, &["7:12345678901234567890".to_string()]));
        assert!(!is_live(&record, &["7:1".to_string()]));
        assert!(is_live(&record, &["*".to_string()]));
        assert!(is_live(&record, &["7:0".to_string()]));
        let device = parse_device("phone-1", "99:1:1700:schat: a:b").unwrap();
        assert_eq!(device.kind, DeviceKind::Phone as i32);
        assert_eq!(device.client, "schat: a:b");
        assert_eq!(parse_device("x", "garbage"), None);
    }
}
