//! A user's devices: listing them, ending one, and closing a device's
//! session wherever it is held. The records live in db_logic
//! (`db_logic_serv/src/devices.rs`); a session record counts only while
//! the logic_serv it names runs the same incarnation (see [`live_logics`]).

use schat_proto::client::{server_message::Body as Response, DeviceInfo, DevicesResponse, Done};
use schat_proto::server::{
    server_msg::Msg, EndDevices, KickSession, ListDevices, ProcType, SessionRecord,
};
use schat_runtime::logging::warn;
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

/// Whether `record` names a session of a logic_serv in `live`.
pub fn is_live(record: &SessionRecord, live: &[String]) -> bool {
    live.iter().any(|name| name == ANY_LIVE)
        || live.contains(&format!("{}:{}", record.logic_id, record.incarnation))
}

/// Closes the session `record` names, here or on its logic_serv, telling
/// the client `reason`.
pub fn close(logic: &Logic, uid: u64, record: &SessionRecord, reason: &str) {
    if record.logic_id == logic.me.id {
        logic
            .sessions
            .kick(uid, record.session_id, reason.to_string());
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
    let ended = logic
        .db(EndDevices {
            uid: user.uid,
            device_id: device_id.to_string(),
            all: false,
            revoked_at_ms: 0,
        })
        .await?;
    let live = live_logics(logic);
    for record in ended
        .sessions
        .iter()
        .filter(|record| is_live(record, &live))
    {
        close(logic, user.uid, record, ENDED);
    }
    Ok(Response::Done(Done {}))
}
