//! What logic does for the file and directory servers: issues file tokens
//! and pushes fresh ones to its online users before theirs expire, hands
//! file_servs the key of a rotation epoch, and relays its conn_serv's load
//! reports to every dir_serv.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use schat_proto::client::{server_message::Body as Push, FileToken, ResultCode, ServerMessage};
use schat_proto::server::{
    server_msg::Msg, ConnLoad, Deliver, FileKey, FileRef, FileRevocation, GetCredential,
    GetProfiles, GetSecret, Ok as OkMsg, ProcType,
};
use schat_proto::Wire;
use schat_runtime::file_token::{self, epoch_at};
use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::logging::{debug, warn};
use schat_runtime::time::now_ms;
use schat_runtime::{CallError, Incoming, ProcKind, Target};

use crate::context::Logic;
use crate::sessions::UserSession;

/// How long a leaving conn_serv waits for each dir_serv to take the news.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(1);

/// The file-token keys this logic has fetched, by rotation epoch.
#[derive(Debug, Default)]
pub struct FileKeys {
    keys: Mutex<BTreeMap<u64, Bytes>>,
}

impl FileKeys {
    /// The key of `epoch`, from Redis (created there on first use) unless
    /// it is cached.
    pub async fn key(&self, logic: &Logic, epoch: u64) -> Result<Bytes, CallError> {
        if let Some(key) = self.lock().get(&epoch) {
            return Ok(key.clone());
        }
        let files = &logic.config.current().files;
        // Kept long enough to check the last token signed with it.
        let ttl_secs = 2 * files.key_rotation_secs + files.token_ttl_secs;
        let secret = logic
            .db(GetSecret {
                name: file_token::key_name(epoch),
                length: 32,
                ttl_secs,
            })
            .await?;
        let mut keys = self.lock();
        keys.insert(epoch, secret.value.clone());
        // Only the current and previous epochs are ever asked for.
        while keys.len() > 4 {
            keys.pop_first();
        }
        Ok(secret.value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Bytes>> {
        self.keys
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// A fresh file token for `uid` and when it expires. It counts as issued
/// after `revoked_at_ms` (the user's last logout, as stored) even if this
/// host's clock is behind the one that recorded the logout, so file
/// servers never take a new token for a revoked one.
pub async fn issue(
    logic: &Logic,
    uid: u64,
    revoked_at_ms: u64,
) -> Result<(String, u64), CallError> {
    let files = &logic.config.current().files;
    let now = now_ms();
    let epoch = epoch_at(now, files.key_rotation_secs);
    let key = logic.file_keys.key(logic, epoch).await?;
    let issued_at_ms = now.max(revoked_at_ms.saturating_add(1));
    let expires_at_ms = issued_at_ms + files.token_ttl_secs * 1000;
    Ok((
        file_token::sign(&key, epoch, uid, issued_at_ms, expires_at_ms),
        expires_at_ms,
    ))
}

/// Answers a file_serv's GetFileRevocation from the user's record.
pub async fn serve_revocation_request(logic: Arc<Logic>, incoming: Incoming, uid: u64) {
    let request = GetCredential {
        account: String::new(),
        uid,
    };
    match logic.db(request).await {
        Ok(credential) => incoming.reply(Msg::FileRevocation(FileRevocation {
            uid,
            revoked_at_ms: credential.revoked_at_ms,
        })),
        Err(err) => incoming.reply_error(err.code(), err.reason()),
    }
}

/// Answers a file_serv's GetFileKey: only for the epochs around now, so a
/// forged token cannot make Redis store keys for arbitrary epochs.
pub async fn serve_key_request(logic: Arc<Logic>, incoming: Incoming, epoch: u64) {
    let current = epoch_at(now_ms(), logic.config.current().files.key_rotation_secs);
    if epoch.saturating_add(1) < current || epoch > current.saturating_add(1) {
        incoming.reply_error(ResultCode::BadRequest, "no key for that epoch");
        return;
    }
    match logic.file_keys.key(&logic, epoch).await {
        Ok(key) => incoming.reply(Msg::FileKey(FileKey { epoch, key })),
        Err(err) => incoming.reply_error(err.code(), err.reason()),
    }
}

/// Answers file_serv before it deletes a user's avatar file: is it still
/// the user's avatar?
pub async fn serve_ref_check(logic: Arc<Logic>, incoming: Incoming, path: String) {
    let Some(Scope::UserAvatar(uid)) = FileUrl::parse(&path).map(|url| url.scope) else {
        incoming.reply_error(ResultCode::BadRequest, "not a user avatar file");
        return;
    };
    let reply = logic
        .db(GetProfiles {
            uids: vec![uid],
            accounts: Vec::new(),
        })
        .await;
    match reply {
        Ok(found) => {
            let referenced = found
                .profiles
                .iter()
                .any(|profile| profile.avatar_url == path);
            incoming.reply(Msg::FileRef(FileRef { referenced }));
        }
        Err(err) => incoming.reply_error(err.code(), err.reason()),
    }
}

/// Pushes a fresh file token to every session whose token is past half its
/// life, checking a tenth of the lifetime at a time so the pushes spread.
pub async fn refresh_tokens(logic: Arc<Logic>) {
    let ttl_ms = logic.config.current().files.token_ttl_secs * 1000;
    let every = Duration::from_millis((ttl_ms / 10).max(200));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = logic.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let due = logic.sessions.file_tokens_due(now_ms() + ttl_ms / 2);
        for (uid, sessions) in due {
            // A logout of another device since this one logged in was
            // minutes ago at least (its RefreshFileTokens gave a token then).
            if let Err(err) = push_token(&logic, uid, &sessions, 0).await {
                warn!(logic.log, "Cannot refresh file tokens"; "error" => %err);
                logic
                    .node
                    .stats
                    .record_error(format!("cannot refresh file tokens: {err}"));
                break;
            }
        }
    }
}

/// Another device of `uid` logged out, voiding the user's file tokens
/// issued up to `revoked_at_ms`: every session of the user here gets a
/// fresh one now.
pub async fn on_refresh(logic: Arc<Logic>, uid: u64, revoked_at_ms: u64) {
    let sessions = logic.sessions.of_user(uid);
    if let Err(err) = push_token(&logic, uid, &sessions, revoked_at_ms).await {
        warn!(logic.log, "Cannot replace a voided file token"; "uid" => uid, "error" => %err);
    }
}

/// Issues one file token for `uid` (a file token names the user, not the
/// session) and pushes it to `sessions`, the user's sessions here that
/// need one.
async fn push_token(
    logic: &Logic,
    uid: u64,
    sessions: &[UserSession],
    revoked_at_ms: u64,
) -> Result<(), CallError> {
    if sessions.is_empty() {
        return Ok(());
    }
    let (token, expires_at_ms) = issue(logic, uid, revoked_at_ms).await?;
    let frame = ServerMessage::push(Push::FileToken(FileToken {
        token,
        expires_at_ms,
    }))
    .encode_frame();
    let deliver = Deliver {
        conn_ids: sessions.iter().map(|user| user.conn_id).collect(),
        frame,
    };
    if logic
        .conn
        .push(
            Target::spec(ProcType::Conn, logic.conn_id),
            Msg::Deliver(deliver),
        )
        .is_ok()
    {
        for user in sessions {
            logic
                .sessions
                .set_file_token_expiry(uid, user.session_id, expires_at_ms);
        }
    }
    Ok(())
}

/// This logic's conn_serv is gone (crashed, or went without leaving):
/// every dir_serv stops handing it out now, not when its reports expire.
/// Its next report, once it is back, puts it in again.
pub fn conn_gone(logic: &Logic) {
    if !logic.config.current().has(ProcKind::DirServ) {
        return;
    }
    let gone = ConnLoad {
        conn_id: logic.conn_id,
        connections: 0,
        max_connections: 0,
        accepting: false,
    };
    let target = Target::all(ProcType::Dir).keyed(u64::from(logic.conn_id));
    let _ = logic.fabric.channel().push(target, Msg::ConnLoad(gone));
}

/// A load report from this logic's conn_serv: passed on to every dir_serv.
/// A leaving conn_serv (a request) is answered once every live dir_serv has
/// taken the news, so it stops being handed out before it closes.
pub fn on_conn_load(logic: &Arc<Logic>, incoming: Incoming, load: ConnLoad) {
    if !logic.config.current().has(ProcKind::DirServ) {
        if incoming.is_request() {
            incoming.reply(Msg::Ok(OkMsg {}));
        }
        return;
    }
    // Keyed by the conn_serv, so its reports and its leave travel through
    // one disp and arrive in order.
    let key = u64::from(load.conn_id);
    if !incoming.is_request() {
        let _ = logic
            .fabric
            .channel()
            .push(Target::all(ProcType::Dir).keyed(key), Msg::ConnLoad(load));
        return;
    }
    let logic = logic.clone();
    logic.shutdown.clone().spawn(async move {
        let dirs = logic.fabric.live_peers(ProcType::Dir);
        let leaves = dirs.into_iter().map(|dir| {
            let logic = logic.clone();
            async move {
                let target = Target::spec(ProcType::Dir, dir).keyed(key);
                let sent = logic
                    .fabric
                    .channel()
                    .request_within(target, load, LEAVE_TIMEOUT)
                    .await;
                if let Err(err) = sent {
                    debug!(logic.log, "A dir_serv did not take the leave"; "dir" => dir, "error" => %err);
                }
            }
        });
        futures_util::future::join_all(leaves).await;
        incoming.reply(Msg::Ok(OkMsg {}));
    });
}
