//! Group and message requests: logic checks who is asking (the session's
//! uid) and hands the request to the chat_serv that owns the group — by
//! rendezvous hash of the gid over the live chat_servs — or to any
//! chat_serv for requests that name no group. Its answer is the final
//! client frame, which goes back to the client as is.

use schat_proto::client::{client_message::Body as Request, ClientMessage, ResultCode};
use schat_proto::server::{ChatRequest, ProcType};
use schat_runtime::Target;

use crate::context::Logic;
use crate::reply::Reply;
use schat_runtime::Failure;

/// Where a group or message request goes; `None` for other requests.
pub fn target(request: &Request) -> Option<Target> {
    let gid = match request {
        Request::JoinGroup(req) => req.gid,
        Request::DecideApplication(req) => req.gid,
        Request::Invite(req) => req.gid,
        Request::QuitGroup(req) => req.gid,
        Request::KickMember(req) => req.gid,
        Request::DismissGroup(req) => req.gid,
        Request::GetGroup(req) => req.gid,
        Request::ListMembers(req) => req.gid,
        Request::UpdateGroup(req) => req.gid,
        Request::SendMessage(req) => req.gid,
        Request::PullMessages(req) => req.gid,
        Request::History(req) => req.gid,
        Request::MarkRead(req) => req.gid,
        Request::RecallMessage(req) => req.gid,
        Request::SetRole(req) => req.gid,
        Request::TransferOwnership(req) => req.gid,
        Request::MuteMember(req) => req.gid,
        Request::MuteAll(req) => req.gid,
        Request::Readers(req) => req.gid,
        Request::Typing(req) => req.gid,
        Request::SetNotifications(req) => req.gid,
        Request::CreateGroup(_)
        | Request::ListPublicGroups(_)
        | Request::MyGroups(_)
        | Request::ListNotices(_)
        | Request::AckNotices(_)
        | Request::OpenDirect(_)
        | Request::AddContact(_)
        | Request::DecideContact(_)
        | Request::RemoveContact(_)
        | Request::Block(_)
        | Request::ListContacts(_)
        | Request::SetPrivacy(_) => return Some(Target::any(ProcType::Chat)),
        _ => return None,
    };
    Some(Target::hash(ProcType::Chat, gid))
}

/// Sends `request` (the client's `request_id`) on behalf of `uid` and
/// returns the chat_serv's answer.
pub async fn forward(
    logic: &Logic,
    uid: u64,
    (request_id, request): (u32, Request),
    target: Target,
) -> Result<Reply, Failure> {
    let call = ChatRequest {
        uid,
        request: Some(ClientMessage {
            request_id,
            body: Some(request),
        }),
    };
    let reply = logic.fabric.channel().request(target, call).await?;
    if !reply.frame.is_empty() {
        return Ok(Reply::Frame(reply.frame));
    }
    // A chat_serv that predates final frames.
    let response = reply.response.unwrap_or_default();
    match (response.code(), response.body) {
        (ResultCode::Ok, Some(body)) => Ok(Reply::Body(body)),
        (ResultCode::Ok, None) => Err(Failure::new(
            ResultCode::Internal,
            "empty reply from chat_serv",
        )),
        (code, _) => Err(Failure::new(code, response.reason)),
    }
}
