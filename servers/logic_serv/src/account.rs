//! Register, log in (password or token) on one of the user's devices, log
//! out one device or all.

use rand::RngCore;
use schat_proto::client::{
    login_request::Credential as LoginCredential, server_message::Body as Response, DeviceKind,
    LoginRequest, LoginResponse, LogoutResponse, RegisterRequest, RegisterResponse, ResultCode,
};
use schat_proto::server::{CreateAccount, EndDevices, GetCredential, GetSession, OpenSession};
use schat_runtime::logging::{debug, warn, Logger};
use schat_runtime::time::now_ms;
use schat_runtime::Failure;

use schat_runtime::file_url::{access_changed, AccessChange};

use crate::auth::TokenError;
use crate::context::Logic;
use crate::devices;
use crate::guard;
use crate::profile;
use crate::sessions::UserSession;
use schat_runtime::rules;

/// What a device's older session is told when the device logs in again.
const REPLACED: &str = "logged in again on this device";
/// What the other sessions are told when the user logs out everywhere.
const LOGGED_OUT_EVERYWHERE: &str = "logged out on every device";
/// The longest client description kept with a device.
const CLIENT_MAX: usize = 64;

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

/// The logged-in user of a session, and the device it is.
#[derive(Clone, Debug)]
pub struct User {
    pub uid: u64,
    pub session_id: u64,
    pub device_id: Box<str>,
}

/// The device a login names.
struct Device {
    id: String,
    kind: DeviceKind,
    /// The client's description ("schat-cli 0.1"), shortened.
    client: String,
}

impl Device {
    fn of(req: &LoginRequest) -> Result<Device, Failure> {
        let id = rules::device_id(&req.device_id).map_err(Failure::bad_request)?;
        let client: String = req
            .client
            .chars()
            .filter(|c| !c.is_control())
            .take(CLIENT_MAX)
            .collect();
        Ok(Device {
            id: id.to_string(),
            kind: DeviceKind::try_from(req.device_kind).unwrap_or_default(),
            client,
        })
    }
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
    let device = Device::of(&req)?;
    // A token names its device by the device's stamp (0: any, for tokens
    // from before devices); a password login takes the device as it is.
    let (uid, generation, revoked_at_ms, expect_stamp) = match req.credential {
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
                0,
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
            if claims.stamp == 0 {
                // From before devices: it names no device, so it logs in
                // only as the default one, and any logout since it was
                // issued (its expiry less the lifetime) voids it.
                let ttl_ms = logic.config.current().auth.token_ttl_secs * 1000;
                let issued_at_ms = claims.expires_at_ms.saturating_sub(ttl_ms);
                if !device.id.is_empty() || issued_at_ms <= credential.revoked_at_ms {
                    return Err(Failure::new(
                        ResultCode::TokenInvalid,
                        "this token is from before devices: log in with the password",
                    ));
                }
            }
            (
                claims.uid,
                claims.generation,
                credential.revoked_at_ms,
                claims.stamp,
            )
        }
        None => return Err(Failure::bad_request("login needs a password or a token")),
    };

    let mut profile = profile::fetch_one(logic, uid).await?;
    profile.online = true;
    let (user, stamp) = open_session(logic, conn.id, uid, device, expect_stamp).await?;
    // Issued once the session is bound, so a logout of another device
    // from now on reaches it with a fresh one (RefreshFileTokens); one
    // before is older than this token.
    let issued = crate::files::issue(logic, uid, revoked_at_ms).await;
    let (file_token, file_token_expires_at_ms) = match issued {
        Ok(issued) => issued,
        Err(err) => {
            close_session(logic, &user).await;
            return Err(err.into());
        }
    };
    let ttl = std::time::Duration::from_secs(logic.config.current().auth.token_ttl_secs);
    let (token, token_expires_at_ms) = tokens.issue_for(uid, generation, stamp, now_ms(), ttl);
    logic
        .sessions
        .set_file_token_expiry(uid, user.session_id, file_token_expires_at_ms);
    debug!(conn.log, "Logged in"; "uid" => uid, "session_id" => user.session_id,
        "device" => &*user.device_id, "agent" => req.client);
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

/// Logs the user's device out (its tokens stop working), or with `all`
/// every device (every token stops working and the other sessions are
/// closed); the caller then ends this session. Either way the user's file
/// tokens issued so far stop working; the sessions that stay get fresh
/// ones at once.
pub async fn logout(logic: &Logic, user: &User, all: bool) -> Result<Response, Failure> {
    let revoked_at_ms = now_ms();
    let ended = logic
        .db(EndDevices {
            uid: user.uid,
            device_id: user.device_id.to_string(),
            all,
            revoked_at_ms,
            session_id: user.session_id,
        })
        .await;
    let ended = match ended {
        Ok(ended) => ended.sessions,
        // Ended meanwhile from another device: logged out all the same.
        Err(err) if err.code() == ResultCode::BadRequest && !all => Vec::new(),
        Err(err) => return Err(err.into()),
    };
    if all {
        // File servers stop honouring the user's file tokens now, not when
        // the tokens expire.
        // (A file_serv that misses this asks before it trusts the user again.)
        access_changed(
            logic.fabric.channel(),
            user.uid,
            AccessChange::LoggedOut { revoked_at_ms },
        );
        for record in ended
            .iter()
            .filter(|record| record.session_id != user.session_id)
        {
            devices::close(logic, user.uid, record, LOGGED_OUT_EVERYWHERE);
        }
    } else {
        devices::revoke_file_tokens(logic, user.uid, revoked_at_ms);
    }
    Ok(Response::Logout(LogoutResponse {}))
}

/// Ends the logged-in part of a session (one that ends, or that a login
/// opened and then could not finish): presence, the local registry, and
/// the device's session record in Redis if it is still this session's.
pub async fn close_session(logic: &Logic, user: &User) {
    logic.presence.offline(user.uid, user.session_id);
    logic.sessions.unbind_user(user.uid, user.session_id);
    let close = schat_proto::server::CloseSession {
        uid: user.uid,
        session_id: user.session_id,
        device_id: user.device_id.to_string(),
    };
    if let Err(err) = logic.db(close).await {
        debug!(logic.log, "Could not clear the session record"; "uid" => user.uid, "error" => %err);
    }
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

/// Opens a session for the user's device on this connection: records it
/// in Redis (refused past `auth.max_devices`, or when a token's device was
/// logged out), closes the device's previous session (here or on another
/// logic_serv; other devices' sessions stay), and counts the user online
/// here. Returns the user and the device's stamp for its token.
///
/// Redis orders concurrent logins of one device: the last to write the
/// device's session record wins. After binding locally we read the record
/// again: if a newer login wrote it meanwhile (its kick may have arrived
/// before we were bound, and found nothing), this session closes itself.
async fn open_session(
    logic: &Logic,
    conn_id: u64,
    uid: u64,
    device: Device,
    expect_stamp: u64,
) -> Result<(User, u64), Failure> {
    let nonzero = || loop {
        let id = rand::rng().next_u64();
        if id != 0 {
            break id;
        }
    };
    let session_id = nonzero();
    let since_ms = now_ms();
    let opened = logic
        .db(OpenSession {
            uid,
            session_id,
            logic_id: logic.me.id,
            device_id: device.id.clone(),
            device_kind: device.kind as i32,
            client: device.client,
            incarnation: logic.node.incarnation,
            conn_proc_id: logic.conn_id,
            since_ms,
            max_devices: logic.config.current().auth.max_devices,
            expect_stamp,
            fresh_stamp: nonzero(),
            live: devices::live_logics(logic),
        })
        .await?;
    let user = User {
        uid,
        session_id,
        device_id: device.id.into_boxed_str(),
    };
    logic.sessions.bind_user(
        uid,
        UserSession {
            conn_id,
            session_id,
            file_token_expires_ms: 0,
        },
    );
    logic
        .presence
        .online(uid, session_id, logic.conn_id, since_ms);
    if !still_current(logic, &user).await {
        logic
            .sessions
            .kick_conn(conn_id, session_id, REPLACED.to_string());
        return Ok((user, opened.stamp));
    }
    if let Some(previous) = opened.previous {
        devices::close(logic, uid, &previous, REPLACED);
    }
    Ok((user, opened.stamp))
}

/// Whether Redis still names the user's session as its device's (a newer
/// login of the device, or ending it, changes that). When the record
/// cannot be read, the session stands (the next login corrects it).
async fn still_current(logic: &Logic, user: &User) -> bool {
    let request = GetSession {
        uid: user.uid,
        device_id: user.device_id.to_string(),
    };
    match logic.db(request).await {
        // No record: the device was ended or logged out everywhere while
        // this login ran (its kick may have found nothing bound yet).
        Ok(current) => current
            .current
            .is_some_and(|record| record.session_id == user.session_id),
        Err(err) => {
            warn!(logic.log, "Could not re-read the session record"; "uid" => user.uid, "error" => %err);
            logic
                .node
                .stats
                .record_error(format!("could not re-read a session record: {err}"));
            true
        }
    }
}
