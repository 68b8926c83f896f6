//! A user's devices: listing them, ending one, and closing a device's
//! session wherever it is held. The records live in db_logic
//! (`db_logic_serv/src/devices.rs`); a session record counts only while
//! the logic_serv it names runs the same incarnation (see [`live_logics`]
//! and db_logic's `OPEN` script).

use schat_proto::client::{server_message::Body as Response, DeviceInfo, DevicesResponse, Done};
use schat_proto::server::{
    server_msg::Msg, EndDevices, KickSession, ListDevices, ProcType, RefreshFileTokens,
    SessionRecord,
};
use schat_runtime::file_url::{access_changed, AccessChange};
use schat_runtime::logging::warn;
use schat_runtime::time::now_ms;
use schat_runtime::{rules, Failure, Target};

use crate::account::User;
use crate::context::Logic;

/// What a device's session is told when the user ends it from another.
const ENDED: &str = "this device was logged out from another device";

/// `<logic_id>:<incarnation>` of every logic_serv running now, this one
/// included (its own link to the disps may not be up yet); `*` alone
/// while no disp is up: this logic cannot tell, so every record counts.
pub fn live_logics(logic: &Logic) -> Vec<String> {
    if logic.fabric.live_disps() == 0 {
        return vec![ANY_LIVE.to_string()];
    }
    let mut live = logic.fabric.live_incarnations(ProcType::Logic);
    let me = format!("{}:{}", logic.me.id, logic.node.incarnation);
    if !live.contains(&me) {
        live.push(me);
    }
    live
}

/// Stands for every logic_serv in a live list.
const ANY_LIVE: &str = "*";

/// Closes the session `record` names, here or on its logic_serv, telling
/// the client `reason`. A logic_serv that is not running holds no session
/// to close.
pub fn close(logic: &Logic, uid: u64, record: &SessionRecord, reason: &str) {
    if record.logic_id == logic.me.id {
        logic
            .sessions
            .kick(uid, record.session_id, reason.to_string());
        return;
    }
    if !logic
        .fabric
        .live_peers(ProcType::Logic)
        .contains(&record.logic_id)
    {
        return;
    }
    let kick = Msg::KickSession(KickSession {
        uid,
        session_id: record.session_id,
        reason: reason.to_string(),
    });
    let target = Target::spec(ProcType::Logic, record.logic_id);
    if let Err(err) = logic.fabric.channel().push(target, kick) {
        // That logic is unreachable: its sessions end with it.
        warn!(logic.log, "Could not close a session on another logic_serv";
            "uid" => uid, "logic_id" => record.logic_id, "error" => %err);
        logic.node.stats.record_error(format!(
            "could not close a session on logic {}: {err}",
            record.logic_id
        ));
    }
}

/// The user's devices, most recently used first.
pub async fn list(logic: &Logic, user: &User) -> Result<Response, Failure> {
    let listed = logic
        .db(ListDevices {
            uid: user.uid,
            live: live_logics(logic),
        })
        .await?;
    let devices = listed
        .devices
        .into_iter()
        .map(|device| DeviceInfo {
            current: device.device_id == *user.device_id,
            online: device.session.is_some(),
            online_since_ms: device
                .session
                .as_ref()
                .map_or(0, |session| session.since_ms),
            device_id: device.device_id,
            kind: device.kind,
            client: device.client,
            last_login_ms: device.last_login_ms,
        })
        .collect();
    Ok(Response::Devices(DevicesResponse { devices }))
}

/// Ends another of the user's devices: its tokens stop working and its
/// session, if any, is closed.
pub async fn end(logic: &Logic, user: &User, device_id: &str) -> Result<Response, Failure> {
    let device_id = rules::device_id(device_id).map_err(Failure::bad_request)?;
    if device_id == &*user.device_id {
        return Err(Failure::bad_request(
            "this is the device asking: log out instead",
        ));
    }
    let revoked_at_ms = now_ms();
    let ended = logic
        .db(EndDevices {
            uid: user.uid,
            device_id: device_id.to_string(),
            all: false,
            revoked_at_ms,
            session_id: 0,
        })
        .await?;
    for record in &ended.sessions {
        close(logic, user.uid, record, ENDED);
    }
    revoke_file_tokens(logic, user.uid, revoked_at_ms);
    Ok(Response::Done(Done {}))
}

/// One of the user's devices was logged out or ended, and `revoked_at_ms`
/// recorded: file servers stop honouring the user's file tokens issued up
/// to then (file tokens name the user, not the device), and every
/// logic_serv gives the sessions of the user's other devices a fresh one.
pub fn revoke_file_tokens(logic: &Logic, uid: u64, revoked_at_ms: u64) {
    // (A file_serv that misses this asks before it trusts the user again.)
    access_changed(
        logic.fabric.channel(),
        uid,
        AccessChange::LoggedOut { revoked_at_ms },
    );
    let refresh = Msg::RefreshFileTokens(RefreshFileTokens { uid, revoked_at_ms });
    if let Err(err) = logic
        .fabric
        .channel()
        .push(Target::all(ProcType::Logic), refresh)
    {
        warn!(logic.log, "Could not refresh the other devices' file tokens";
            "uid" => uid, "error" => %err);
    }
}
