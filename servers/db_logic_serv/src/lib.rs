//! db_logic_serv: Redis access for users — accounts, credentials, sessions,
//! profiles and cluster secrets — on behalf of its paired logic_serv.
//!
//! It holds no state of its own: every request is one or a few pipelined
//! Redis commands (see [`store`] for the key layout, `devices` for a
//! user's devices and sessions, and `guard` for the login and registration
//! throttle), run concurrently.

#![forbid(unsafe_code)]

mod devices;
mod guard;
pub mod store;

use anyhow::Context;
use bytes::Bytes;
use rand::RngCore;
use schat_proto::client::ResultCode;
use schat_proto::server::{
    server_msg::Msg, CurrentSession, DeviceList, DevicesEnded, Ok as OkMsg, Profiles, Secret,
};
use schat_runtime::paired::serve_requests;
use schat_runtime::{CallError, Node};
use tokio::net::TcpListener;

use store::Store;

/// Largest secret a caller may ask for, in bytes.
const MAX_SECRET_LEN: usize = 1024;

/// Serves the paired logic_serv on `listener` until `shutdown` fires.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let config = node.config.current();
    let logic = config.logic_of(&node.me)?.clone();
    let store = Store::connect(&config.redis)
        .await
        .with_context(|| format!("cannot reach {}", config.redis.describe()))?;
    let live = node.config.clone();
    serve_requests(listener, &node, &logic, move |msg| {
        let store = store.clone();
        // Read per request, so a reload reaches the next one.
        let throttle = live.current().auth.throttle.clone();
        async move {
            match msg {
                Msg::AuthGuard(req) => Ok(Msg::AuthVerdict(
                    guard::guard(store.redis(), &throttle, req).await?,
                )),
                msg => handle(&store, msg).await,
            }
        }
    })
    .await;
    Ok(())
}

async fn handle(store: &Store, msg: Msg) -> Result<Msg, CallError> {
    Ok(match msg {
        Msg::CreateAccount(req) => Msg::AccountCreated(store.create_account(req).await?),
        Msg::GetCredential(req) => {
            let uid = if req.account.is_empty() {
                req.uid
            } else {
                store.uid_of(&req.account).await?.unwrap_or(0)
            };
            if uid == 0 {
                return Err(CallError::remote(ResultCode::NoSuchUser, "no such user"));
            }
            Msg::Credential(store.credential(uid).await?)
        }
        Msg::OpenSession(req) => Msg::SessionOpened(devices::open(store.redis(), req).await?),
        Msg::GetSession(req) => Msg::CurrentSession(CurrentSession {
            current: devices::current(store.redis(), req.uid, &req.device_id).await?,
        }),
        Msg::CloseSession(req) => {
            devices::close(store.redis(), req.uid, &req.device_id, req.session_id).await?;
            Msg::Ok(OkMsg {})
        }
        Msg::ListDevices(req) => Msg::DeviceList(DeviceList {
            devices: devices::list(store.redis(), req.uid, &req.live).await?,
        }),
        Msg::EndDevices(req) => Msg::DevicesEnded(DevicesEnded {
            sessions: devices::end(
                store.redis(),
                req.uid,
                &req.device_id,
                req.session_id,
                req.all,
                req.revoked_at_ms,
            )
            .await?,
        }),
        Msg::GetProfiles(req) => Msg::Profiles(Profiles {
            profiles: store.profiles(&req.uids, &req.accounts).await?,
            replaced_avatar_url: String::new(),
        }),
        Msg::UpdateProfile(req) => {
            let (profile, replaced) = store.update_profile(req).await?;
            Msg::Profiles(Profiles {
                profiles: vec![profile],
                replaced_avatar_url: replaced.unwrap_or_default(),
            })
        }
        Msg::RevokeTokens(req) => {
            store.revoke_tokens(req.uid, req.revoked_at_ms).await?;
            Msg::Ok(OkMsg {})
        }
        Msg::GetSecret(req) => {
            let len = (req.length as usize).clamp(16, MAX_SECRET_LEN);
            let mut fresh = vec![0u8; len];
            rand::rng().fill_bytes(&mut fresh);
            Msg::Secret(Secret {
                value: store
                    .secret(&req.name, Bytes::from(fresh), req.ttl_secs)
                    .await?,
            })
        }
        _ => {
            return Err(CallError::remote(
                ResultCode::UnknownMessage,
                "db_logic_serv does not handle this message",
            ))
        }
    })
}
