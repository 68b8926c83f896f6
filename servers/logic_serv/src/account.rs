//! Register, log in (password or token), log out.

use rand::RngCore;
use schat_proto::client::{
    login_request::Credential as LoginCredential, server_message::Body as Response, LoginRequest,
    LoginResponse, LogoutResponse, RegisterRequest, RegisterResponse, ResultCode,
};
use schat_proto::server::{
    server_msg::Msg, CreateAccount, GetCredential, GetSession, KickSession, OpenSession,
    PresenceEntry, ProcType, RevokeTokens,
};
use schat_runtime::logging::{debug, warn, Logger};
use schat_runtime::time::now_ms;
use schat_runtime::{Failure, Target};

use schat_runtime::file_url::{access_changed, AccessChange};

use crate::auth::TokenError;
use crate::context::Logic;
use crate::guard;
use crate::profile;
use crate::sessions::UserSession;
use schat_runtime::rules;

/// What the older session is told when the same user logs in again.
const REPLACED: &str = "logged in from another connection";

fn wrong_credentials() -> Failure {
    Failure::new(ResultCode::AuthFailed, "wrong account name or password")
}

/// Registers an account; `address` is the client's, for the limit on
/// registrations per address (empty: not limited).
pub async fn register(
    logic: &Logic,
    req: RegisterRequest,
    address: &str,
) -> Result<Response, Failure> {
    let account = rules::account(&req.account).map_err(Failure::bad_request)?;
    rules::password(&req.password).map_err(Failure::bad_request)?;
    let display_name = if req.display_name.trim().is_empty() {
        account.clone()
    } else {
        rules::display_name(&req.display_name).map_err(Failure::bad_request)?
    };
    guard::reserve_registration(logic, address).await?;
    let created = create_account(logic, req.password, account.clone(), display_name).await;
    let uid = match created {
        Ok(uid) => uid,
        Err(failure) => {
            // Not registered after all: it does not count.
            if let Err(release) = guard::release_registration(logic, address).await {
                warn!(logic.log, "Could not uncount a failed registration"; "reason" => release.reason);
            }
            return Err(failure);
        }
    };
    debug!(logic.log, "Account registered"; "uid" => uid, "account" => account);
    Ok(Response::Register(RegisterResponse { uid }))
}

async fn create_account(
    logic: &Logic,
    password: String,
    account: String,
    display_name: String,
) -> Result<u64, Failure> {
    let password_hash = logic
        .passwords
        .hash(password)
        .await
        .map_err(|err| Failure::new(ResultCode::Internal, err.to_string()))?;
    let created = logic
        .db(CreateAccount {
            account,
            password_hash,
            display_name,
            created_at_ms: now_ms(),
        })
        .await?;
    Ok(created.uid)
}

/// The logged-in user of a session.
#[derive(Clone, Copy, Debug)]
pub struct User {
    pub uid: u64,
    pub session_id: u64,
}

/// The connection a login or logout arrives on.
pub struct Conn<'a> {
    pub id: u64,
    /// The client's address, for the login throttle.
    pub peer_ip: Option<std::net::IpAddr>,
    pub log: &'a Logger,
}

/// Logs the connection in; the session it opens is the caller's to keep.
pub async fn login(
    logic: &Logic,
    conn: Conn<'_>,
    req: LoginRequest,
) -> Result<(Response, User), Failure> {
    let Some(tokens) = logic.tokens.get() else {
        return Err(Failure::new(ResultCode::Unavailable, "server is starting"));
    };
    let (uid, generation, revoked_at_ms) = match req.credential {
        Some(LoginCredential::Password(password)) => {
            let account = rules::account(&password.account).map_err(|_| wrong_credentials())?;
            // Refused while backing off, before any password is hashed.
            let address = guard::address_of(logic, conn.peer_ip);
            guard::check_login(logic, &account, &address).await?;
            let request = GetCredential {
                account: account.clone(),
                uid: 0,
            };
            let credential = match fetch_credential(logic, request).await {
                Ok(credential) => {
                    let matches = logic
                        .passwords
                        .verify(password.password, credential.password_hash.clone())
                        .await
                        .map_err(|err| Failure::new(ResultCode::Internal, err.to_string()))?;
                    matches.then_some(credential)
                }
                Err(failure) if failure.code == ResultCode::AuthFailed => None,
                Err(failure) => return Err(failure),
            };
            let Some(credential) = credential else {
                // Unknown accounts count too: the answer must not tell them
                // apart.
                guard::login_failed(logic, &account, &address).await?;
                return Err(wrong_credentials());
            };
            guard::login_ok(logic, &account).await?;
            (
                credential.uid,
                credential.token_generation,
                credential.revoked_at_ms,
            )
        }
        Some(LoginCredential::Token(token)) => {
            let claims = tokens.verify(&token, now_ms()).map_err(|err| match err {
                TokenError::Expired => Failure::new(ResultCode::TokenExpired, err.to_string()),
                _ => Failure::new(ResultCode::TokenInvalid, err.to_string()),
            })?;
            let credential = fetch_credential(
                logic,
                GetCredential {
                    account: String::new(),
                    uid: claims.uid,
                },
            )
            .await
            .map_err(|failure| match failure.code {
                ResultCode::AuthFailed => {
                    Failure::new(ResultCode::TokenInvalid, "token names no user")
                }
                _ => failure,
            })?;
            if credential.token_generation != claims.generation {
                return Err(Failure::new(
                    ResultCode::TokenInvalid,
                    "token was revoked by a logout",
                ));
            }
            (claims.uid, claims.generation, credential.revoked_at_ms)
        }
        None => return Err(Failure::bad_request("login needs a password or a token")),
    };

    // Everything that can fail comes before the session takes effect.
    let mut profile = profile::fetch_one(logic, uid).await?;
    profile.online = true;
    let (file_token, file_token_expires_at_ms) =
        crate::files::issue(logic, uid, revoked_at_ms).await?;
    let user = open_session(logic, conn.id, uid).await?;
    let ttl = std::time::Duration::from_secs(logic.config.current().auth.token_ttl_secs);
    let (token, token_expires_at_ms) = tokens.issue_for(uid, generation, now_ms(), ttl);
    logic
        .sessions
        .set_file_token_expiry(uid, user.session_id, file_token_expires_at_ms);
    debug!(conn.log, "Logged in"; "uid" => uid, "session_id" => user.session_id, "agent" => req.client);
    let response = Response::Login(LoginResponse {
        uid,
        token,
        token_expires_at_ms,
        profile: Some(profile),
        server_time_ms: now_ms(),
        idle_timeout_secs: logic.config.current().limits.client_idle_timeout_secs as u32,
        file_token,
        file_token_expires_at_ms,
    });
    Ok((response, user))
}

/// Revokes the user's tokens; the caller then ends the session.
pub async fn logout(logic: &Logic, user: User) -> Result<Response, Failure> {
    let revoked_at_ms = now_ms();
    logic
        .db(RevokeTokens {
            uid: user.uid,
            revoked_at_ms,
        })
        .await?;
    // File servers stop honouring the user's file tokens now, not when
    // the tokens expire.
    // (A file_serv that misses this asks before it trusts the user again.)
    access_changed(
        logic.fabric.channel(),
        user.uid,
        AccessChange::LoggedOut { revoked_at_ms },
    );
    Ok(Response::Logout(LogoutResponse {}))
}

async fn fetch_credential(
    logic: &Logic,
    request: GetCredential,
) -> Result<schat_proto::server::Credential, Failure> {
    match logic.db(request).await {
        Ok(credential) => Ok(credential),
        Err(err) if err.code() == ResultCode::NoSuchUser => Err(wrong_credentials()),
        Err(err) => Err(err.into()),
    }
}

/// Makes this connection the user's one session: records it in Redis,
/// closes whichever session the user had before (here or on another
/// logic_serv), and announces the user online.
///
/// Redis orders concurrent logins of one user: the last to write the
/// session record wins. After binding locally we read the record again: if
/// a newer login wrote it meanwhile (its kick may have arrived before we
/// were bound, and found nothing), this session closes itself.
async fn open_session(logic: &Logic, conn_id: u64, uid: u64) -> Result<User, Failure> {
    let session_id = loop {
        let id = rand::rng().next_u64();
        if id != 0 {
            break id;
        }
    };
    let opened = logic
        .db(OpenSession {
            uid,
            session_id,
            logic_id: logic.me.id,
        })
        .await?;
    let user = User { uid, session_id };
    let here = UserSession {
        conn_id,
        session_id,
        file_token_expires_ms: 0,
    };
    let displaced = logic.sessions.bind_user(uid, here);
    if !still_current(logic, uid, session_id).await {
        if let Some(newer) = displaced {
            logic.sessions.rebind_user(uid, session_id, newer);
        }
        logic
            .sessions
            .kick_conn(conn_id, session_id, REPLACED.to_string());
        return Ok(user);
    }
    if let Some(older) = displaced {
        logic
            .sessions
            .kick_conn(older.conn_id, older.session_id, REPLACED.to_string());
    }
    if let Some(previous) = opened.previous {
        if previous.logic_id != logic.me.id {
            kick_remote(logic, uid, previous.session_id, previous.logic_id);
        }
    }
    logic.presence.online(PresenceEntry {
        uid,
        logic_id: logic.me.id,
        conn_proc_id: logic.conn_id,
        conn_id,
        session_id,
        since_ms: now_ms(),
    });
    Ok(user)
}

/// Whether Redis still names `session_id` as the user's session. When the
/// record cannot be read, the session stands (the next login corrects it).
async fn still_current(logic: &Logic, uid: u64, session_id: u64) -> bool {
    match logic.db(GetSession { uid }).await {
        Ok(current) => current
            .current
            .is_none_or(|record| record.session_id == session_id),
        Err(err) => {
            warn!(logic.log, "Could not re-read the session record"; "uid" => uid, "error" => %err);
            logic
                .node
                .stats
                .record_error(format!("could not re-read a session record: {err}"));
            true
        }
    }
}

fn kick_remote(logic: &Logic, uid: u64, session_id: u64, logic_id: u32) {
    let kick = Msg::KickSession(KickSession {
        uid,
        session_id,
        reason: REPLACED.to_string(),
    });
    let target = Target::spec(ProcType::Logic, logic_id);
    if let Err(err) = logic.fabric.channel().push(target, kick) {
        // That logic is unreachable: its sessions end with it.
        warn!(logic.log, "Could not close the previous session";
            "uid" => uid, "logic_id" => logic_id, "error" => %err);
        logic.node.stats.record_error(format!(
            "could not close a previous session on logic {logic_id}: {err}"
        ));
    }
}
