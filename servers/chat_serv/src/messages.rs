//! Messages: send and recall (checked here, stored and pushed by the
//! group's actor), system messages, pull, history, read cursors.

use std::sync::Arc;

use schat_proto::client::{
    server_message::Body as Response, ChatMessage, Done, HistoryRequest, MarkReadRequest,
    MessageKind, MessagesResponse, PullMessagesRequest, ReadMarked, ReadersRequest,
    ReadersResponse, RecallMessageRequest, ResultCode, Role, SendMessageRequest,
    SendMessageResponse, ServerMessage,
};
use schat_proto::server::{DbMarkRead, DbRead, DbReaders};
use schat_runtime::file_url::Scope;
use schat_runtime::logging::warn;
use schat_runtime::rules;

use crate::actor::{Answer, Write};
use crate::deliver;
use crate::groups::{info, load, require_member, role_of};
use crate::reply::ClientReply;
use crate::{Chat, Failure};

/// Most messages one pull or history page returns.
pub const PAGE_MAX: u32 = 200;

/// Checks a send and hands it to its group's actor, which answers
/// `reply` once the message is stored (or refused).
pub fn send(chat: &Arc<Chat>, uid: u64, req: SendMessageRequest, reply: ClientReply) {
    let gid = req.gid;
    match checked_message(chat, uid, req) {
        Ok(message) => chat.groups.write(
            chat,
            gid,
            Write::Append {
                message,
                require_member: true,
                answer: Answer::client(reply),
            },
        ),
        Err(failure) => reply.send(ServerMessage::error(0, failure.code, failure.reason)),
    }
}

/// The message a send asks to store, if it is one a client may send.
fn checked_message(chat: &Chat, uid: u64, req: SendMessageRequest) -> Result<ChatMessage, Failure> {
    let kind = MessageKind::try_from(req.kind)
        .map_err(|_| Failure::bad_request("unknown message kind"))?;
    rules::client_msg_id(&req.client_msg_id).map_err(Failure::bad_request)?;
    let max_message_bytes = chat.config.load().chat.max_message_bytes;
    if req.text.len() > max_message_bytes {
        return Err(Failure::new(
            ResultCode::MessageTooLarge,
            format!("message text is over {max_message_bytes} bytes"),
        ));
    }
    match kind {
        MessageKind::Text if req.text.is_empty() => {
            return Err(Failure::bad_request("a text message needs text"))
        }
        MessageKind::Text if !req.media_url.is_empty() => {
            return Err(Failure::bad_request("a text message has no media_url"))
        }
        MessageKind::Image | MessageKind::File | MessageKind::Voice | MessageKind::Video => {
            if req.media_url.is_empty() {
                return Err(Failure::bad_request("a media message needs a media_url"));
            }
            // A file uploaded to this group: members can download it, and
            // its references are counted with the group's messages.
            rules::file_url("media_url", &req.media_url, Some(Scope::Chat(req.gid)))
                .map_err(Failure::bad_request)?;
        }
        MessageKind::System | MessageKind::Recall => {
            return Err(Failure::bad_request("clients cannot send this kind"))
        }
        MessageKind::Text => {}
    }
    Ok(ChatMessage {
        gid: req.gid,
        seq: 0,
        sender_uid: uid,
        client_msg_id: req.client_msg_id,
        kind: kind as i32,
        text: req.text,
        media_url: req.media_url,
        sent_at_ms: chat.node.clock.now_ms(),
        recalled: false,
        recall_of: 0,
    })
}

/// Appends a system message (a join, a quit, a kick) through the group's
/// actor, which pushes it to the members. The change it reports has
/// happened already, so a failure here is logged, not answered.
pub async fn post_system(chat: &Arc<Chat>, gid: u64, actor: u64, text: &str) {
    let message = ChatMessage {
        gid,
        sender_uid: actor,
        kind: MessageKind::System as i32,
        text: text.to_string(),
        sent_at_ms: chat.node.clock.now_ms(),
        ..ChatMessage::default()
    };
    let (answer, outcome) = Answer::task();
    let write = Write::Append {
        message,
        require_member: false,
        answer,
    };
    chat.groups.write(chat, gid, write);
    let failure = match outcome.await {
        Ok(Ok(_)) => return,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(ResultCode::Unavailable, "the group's actor stopped"),
    };
    warn!(chat.log, "Could not write a system message";
        "gid" => gid, "text" => text, "reason" => &failure.reason);
    chat.stats.record_error(format!(
        "could not write a system message: {}",
        failure.reason
    ));
}

/// Room left in a frame for everything around the messages of a page.
const PAGE_OVERHEAD: usize = 16 * 1024;

/// How [`read`] treats seqs the retention deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Window {
    /// A page: one starting below the oldest kept message starts there.
    Page,
    /// Exactly the seqs asked for (one message, to act on it).
    Exact,
}

async fn read(
    chat: &Chat,
    gid: u64,
    (from_seq, to_seq): (u64, u64),
    keep_newest: bool,
    window: Window,
) -> Result<MessagesResponse, Failure> {
    // A page is cut short rather than outgrow a frame: the client asks on.
    let max_bytes = chat
        .config
        .load()
        .limits
        .max_frame_bytes
        .saturating_sub(PAGE_OVERHEAD)
        .max(1);
    Ok(chat
        .db(DbRead {
            gid,
            from_seq,
            to_seq,
            max_bytes: max_bytes as u32,
            keep_newest,
            exact: window == Window::Exact,
        })
        .await?)
}

pub async fn pull(
    chat: &Chat,
    uid: u64,
    req: PullMessagesRequest,
) -> Result<MessagesResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    if !group.viewer_is_member {
        return Err(Failure::forbidden("you are not a member of this group"));
    }
    let from = req.from_seq.max(1);
    let to = from.saturating_add(u64::from(rules::page_limit(req.limit, PAGE_MAX, PAGE_MAX)) - 1);
    read(chat, req.gid, (from, to), false, Window::Page).await
}

pub async fn history(
    chat: &Chat,
    uid: u64,
    req: HistoryRequest,
) -> Result<MessagesResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    if !group.viewer_is_member {
        return Err(Failure::forbidden("you are not a member of this group"));
    }
    let latest = group.info.as_ref().map_or(0, |info| info.latest_seq);
    let before = match req.before_seq {
        0 => latest.saturating_add(1),
        before => before.min(latest.saturating_add(1)),
    };
    if before <= 1 {
        // Nothing is older; the empty page still says what is kept.
        return read(chat, req.gid, (1, 0), true, Window::Page).await;
    }
    let from = before
        .saturating_sub(u64::from(rules::page_limit(req.limit, 50, PAGE_MAX)))
        .max(1);
    read(chat, req.gid, (from, before - 1), true, Window::Page).await
}

pub async fn mark_read(chat: &Chat, uid: u64, req: MarkReadRequest) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    if !group.viewer_is_member {
        return Err(Failure::forbidden("you are not a member of this group"));
    }
    let mark = chat
        .db(DbMarkRead {
            gid: req.gid,
            uid,
            seq: req.seq,
        })
        .await?;
    if mark.moved {
        // Every device of the user (this one too) learns the new cursor.
        let marked = ReadMarked {
            gid: req.gid,
            read_seq: mark.read_seq,
        };
        deliver::push_to_user(chat, uid, Response::ReadMarked(marked), req.gid).await;
    }
    Ok(Response::Done(Done {}))
}

/// The sender within the recall window, or the owner or an admin at any
/// time: the content is emptied and a RECALL event enters the stream.
pub async fn recall(
    chat: &Arc<Chat>,
    uid: u64,
    req: RecallMessageRequest,
) -> Result<SendMessageResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    if !group.viewer_is_member {
        return Err(Failure::forbidden("you are not a member of this group"));
    }
    let moderator = role_of(&group, uid) != Role::Member;
    let original = one_message(chat, req.gid, req.seq).await?;
    if matches!(original.kind(), MessageKind::System | MessageKind::Recall) || original.recalled {
        return Err(Failure::bad_request("that message cannot be recalled"));
    }
    let window_ms = chat.config.current().chat.recall_window_secs * 1000;
    if !moderator {
        if original.sender_uid != uid {
            return Err(Failure::forbidden(
                "only the sender, the owner or an admin may recall a message",
            ));
        }
        if chat.node.clock.now_ms().saturating_sub(original.sent_at_ms) > window_ms {
            return Err(Failure::new(
                ResultCode::RecallExpired,
                format!(
                    "messages can be recalled for {} s after sending",
                    chat.config.current().chat.recall_window_secs
                ),
            ));
        }
    }
    let event = ChatMessage {
        gid: req.gid,
        sender_uid: uid,
        kind: MessageKind::Recall as i32,
        sent_at_ms: chat.node.clock.now_ms(),
        recall_of: req.seq,
        ..ChatMessage::default()
    };
    let (answer, outcome) = Answer::task();
    let write = Write::Recall {
        seq: req.seq,
        event,
        answer,
    };
    chat.groups.write(chat, req.gid, write);
    let appended = outcome
        .await
        .map_err(|_| Failure::new(ResultCode::Unavailable, "the group's actor stopped"))??;
    Ok(SendMessageResponse {
        seq: appended.seq,
        server_time_ms: chat.node.clock.now_ms(),
        duplicate: false,
    })
}

/// Message `seq` of the group, if it is still kept.
async fn one_message(chat: &Chat, gid: u64, seq: u64) -> Result<ChatMessage, Failure> {
    read(chat, gid, (seq, seq), false, Window::Exact)
        .await?
        .messages
        .pop()
        .filter(|message| message.seq == seq)
        .ok_or_else(|| Failure::bad_request("no message with that seq"))
}

/// Who has read message `seq`: asked by its sender, the owner or an admin,
/// in groups of at most `chat.receipts_max_members` (the answer reads every
/// member's cursor; sending pays nothing for it).
pub async fn readers(
    chat: &Chat,
    uid: u64,
    req: ReadersRequest,
) -> Result<ReadersResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_member(&group)?;
    let max_members = chat.config.current().chat.receipts_max_members;
    if info(&group).member_count > max_members {
        return Err(Failure::forbidden(format!(
            "read receipts are kept for groups of at most {max_members} members"
        )));
    }
    let message = one_message(chat, req.gid, req.seq).await?;
    if message.sender_uid != uid && role_of(&group, uid) == Role::Member {
        return Err(Failure::forbidden(
            "only the sender, the owner or an admin may see who read a message",
        ));
    }
    Ok(chat
        .db(DbReaders {
            gid: req.gid,
            seq: req.seq,
            sender_uid: message.sender_uid,
            sent_at_ms: message.sent_at_ms,
            after_uid: req.after_uid,
            limit: rules::page_limit(req.limit, 100, 200),
        })
        .await?)
}
