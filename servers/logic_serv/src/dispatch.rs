//! Where each packet logic_serv receives goes: client frames to their
//! session, pushes for users to their connections, file and directory
//! requests to `files.rs`, admin requests to `admin.rs`.

use std::sync::Arc;

use schat_proto::client::ResultCode;
use schat_proto::server::{server_msg::Msg, Deliver, ProcType};
use schat_runtime::{Incoming, Target};

use crate::context::Logic;
use crate::{admin, files};

pub fn dispatch(logic: &Arc<Logic>, incoming: Incoming) {
    match incoming.msg {
        Msg::ClientFrame(frame) => logic.sessions.on_frame(logic, frame),
        Msg::ConnClosed(closed) => logic.sessions.on_conn_closed(closed.conn_id, closed.reason),
        Msg::KickSession(kick) => {
            logic.sessions.kick(kick.uid, kick.session_id, kick.reason);
        }
        Msg::RefreshFileTokens(refresh) => {
            logic.shutdown.spawn(files::on_refresh(
                logic.clone(),
                refresh.uid,
                refresh.revoked_at_ms,
            ));
        }
        Msg::UserDeliver(deliver) => {
            let conn_ids = logic.sessions.conn_ids_of(&deliver.uids);
            if !conn_ids.is_empty() {
                let deliver = Deliver {
                    conn_ids,
                    frame: deliver.frame,
                };
                let _ = logic.conn.push(
                    Target::spec(ProcType::Conn, logic.conn_id),
                    Msg::Deliver(deliver),
                );
            }
        }
        Msg::SnapshotRequest(_) => logic
            .presence
            .send_snapshot(incoming.route.source_type(), incoming.route.source_id),
        Msg::GetFileKey(request) => {
            let epoch = request.epoch;
            logic
                .shutdown
                .spawn(files::serve_key_request(logic.clone(), incoming, epoch));
        }
        Msg::GetFileRevocation(request) => {
            let uid = request.uid;
            logic.shutdown.spawn(files::serve_revocation_request(
                logic.clone(),
                incoming,
                uid,
            ));
        }
        Msg::ConnLoad(load) => files::on_conn_load(logic, incoming, load),
        Msg::AdminRequest(_) => admin::on_request(logic, incoming),
        Msg::CheckFileRef(ref check) => {
            let path = check.path.clone();
            let logic = logic.clone();
            logic
                .shutdown
                .clone()
                .spawn(files::serve_ref_check(logic, incoming, path));
        }
        _ => incoming.reply_error(
            ResultCode::UnknownMessage,
            "logic_serv does not handle this message",
        ),
    }
}
