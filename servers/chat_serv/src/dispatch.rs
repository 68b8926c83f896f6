//! Where each packet chat_serv receives goes: presence packets into the
//! presence map, sends straight to their group's actor (no task of their
//! own), everything else to a handler task.

use std::sync::Arc;

use schat_proto::client::{
    client_message::Body as Request, ClientMessage, ResultCode, ServerMessage,
};
use schat_proto::server::{server_msg::Msg, FileRef, ProcType, SnapshotRequest};
use schat_runtime::presence_map::Verdict;
use schat_runtime::{Incoming, Target};
use tokio::time::Instant;

use crate::reply::ClientReply;
use crate::{
    admin, contacts, deliver, file_checks, groups, membership, messages, offline_push, roles,
    typing, Chat, Failure,
};

/// Handles what needs no waiting at once and returns the rest, for a task.
pub fn inline(chat: &Arc<Chat>, incoming: Incoming) -> Option<Incoming> {
    match &incoming.msg {
        Msg::PresenceDelta(_) | Msg::PresenceBeat(_) | Msg::PresenceSnapshot(_) => {
            follow_presence(chat, incoming.msg);
            None
        }
        Msg::ChatRequest(request)
            if matches!(
                request.request.as_ref().and_then(|r| r.body.as_ref()),
                Some(Request::SendMessage(_))
            ) =>
        {
            let (msg, responder) = incoming.into_parts();
            let Msg::ChatRequest(request) = msg else {
                return None;
            };
            let uid = request.uid;
            let Some(ClientMessage {
                request_id,
                body: Some(Request::SendMessage(send)),
            }) = request.request
            else {
                return None;
            };
            messages::send(chat, uid, send, ClientReply::new(responder, request_id));
            None
        }
        _ => Some(incoming),
    }
}

/// Applies a presence packet from a logic.
fn follow_presence(chat: &Chat, msg: Msg) {
    let now = Instant::now();
    let verdict = match msg {
        Msg::PresenceDelta(delta) => chat.lock_presence().apply_delta(delta, now),
        Msg::PresenceBeat(beat) => chat.lock_presence().apply_beat(&beat, now),
        Msg::PresenceSnapshot(snapshot) => chat.lock_presence().apply_snapshot(snapshot, now),
        _ => return,
    };
    if let Verdict::NeedSnapshot(logic_id) = verdict {
        let _ = chat.fabric.channel().push(
            Target::spec(ProcType::Logic, logic_id),
            Msg::SnapshotRequest(SnapshotRequest {}),
        );
    }
}

/// Serves a request that waits on storage (a task each).
pub async fn serve(chat: &Arc<Chat>, incoming: Incoming) {
    match &incoming.msg {
        Msg::CheckMember(check) => {
            match file_checks::check_member(chat, check.gid, check.uid).await {
                Ok(answer) => incoming.reply(Msg::MemberCheck(answer)),
                Err(failure) => incoming.reply_error(failure.code, failure.reason),
            }
            return;
        }
        Msg::AdminRequest(_) => {
            admin::on_request(chat, incoming).await;
            return;
        }
        Msg::CheckFileRef(check) => {
            match file_checks::file_referenced(chat, &check.path, &check.scope).await {
                Ok(referenced) => incoming.reply(Msg::FileRef(FileRef { referenced })),
                Err(failure) => incoming.reply_error(failure.code, failure.reason),
            }
            return;
        }
        _ => {}
    }
    let (msg, responder) = incoming.into_parts();
    let Msg::ChatRequest(request) = msg else {
        responder.reply_error(
            ResultCode::UnknownMessage,
            "chat_serv does not handle this message",
        );
        return;
    };
    let uid = request.uid;
    let ClientMessage { request_id, body } = request.request.unwrap_or_default();
    let reply = ClientReply::new(responder, request_id);
    let response = match body {
        Some(body) => match handle(chat, uid, body).await {
            Ok(response) => response,
            Err(failure) => ServerMessage::error(0, failure.code, failure.reason),
        },
        None => ServerMessage::error(0, ResultCode::UnknownMessage, "unknown message type"),
    };
    reply.send(response);
}

async fn handle(chat: &Arc<Chat>, uid: u64, request: Request) -> Result<ServerMessage, Failure> {
    use schat_proto::client::server_message::Body as Response;
    let body = match request {
        Request::CreateGroup(req) => Response::Group(groups::create(chat, uid, req).await?),
        Request::JoinGroup(req) => Response::JoinGroup(membership::join(chat, uid, req).await?),
        Request::DecideApplication(req) => membership::decide(chat, uid, req).await?,
        Request::Invite(req) => membership::invite(chat, uid, req).await?,
        Request::QuitGroup(req) => membership::quit(chat, uid, req.gid).await?,
        Request::KickMember(req) => membership::kick(chat, uid, req).await?,
        Request::DismissGroup(req) => groups::dismiss(chat, uid, req.gid).await?,
        Request::GetGroup(req) => Response::Group(groups::info_for(chat, uid, req.gid).await?),
        Request::ListMembers(req) => Response::Members(groups::members(chat, uid, req).await?),
        Request::UpdateGroup(req) => Response::Group(groups::update(chat, uid, req).await?),
        Request::ListPublicGroups(req) => Response::Groups(groups::public(chat, req).await?),
        Request::MyGroups(_) => Response::MyGroups(groups::mine(chat, uid).await?),
        Request::ListNotices(req) => {
            Response::Notices(deliver::notices(chat, uid, req.after_id).await?)
        }
        Request::AckNotices(req) => deliver::ack_notices(chat, uid, req.up_to_id).await?,
        Request::SetRole(req) => roles::set_role(chat, uid, req).await?,
        Request::TransferOwnership(req) => roles::transfer(chat, uid, req).await?,
        Request::MuteMember(req) => roles::mute_member(chat, uid, req).await?,
        Request::MuteAll(req) => roles::mute_all(chat, uid, req).await?,
        Request::Readers(req) => Response::Readers(messages::readers(chat, uid, req).await?),
        Request::OpenDirect(req) => {
            Response::Group(contacts::open_direct(chat, uid, req.uid).await?)
        }
        Request::AddContact(req) => contacts::add(chat, uid, req).await?,
        Request::DecideContact(req) => contacts::decide(chat, uid, req).await?,
        Request::RemoveContact(req) => contacts::remove(chat, uid, req.uid).await?,
        Request::Block(req) => contacts::block(chat, uid, req).await?,
        Request::ListContacts(_) => Response::Contacts(contacts::list(chat, uid).await?),
        Request::SetPrivacy(req) => contacts::set_privacy(chat, uid, req).await?,
        Request::SetNotifications(req) => offline_push::set(chat, uid, req).await?,
        Request::Typing(req) => typing::relay(chat, uid, req.gid).await?,
        Request::PullMessages(req) => Response::Messages(messages::pull(chat, uid, req).await?),
        Request::History(req) => Response::Messages(messages::history(chat, uid, req).await?),
        Request::MarkRead(req) => messages::mark_read(chat, uid, req).await?,
        Request::RecallMessage(req) => {
            Response::SendMessage(messages::recall(chat, uid, req).await?)
        }
        _ => {
            return Err(Failure::new(
                ResultCode::UnknownMessage,
                "not a group or message request",
            ))
        }
    };
    Ok(ServerMessage::ok(0, body))
}
