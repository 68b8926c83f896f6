//! What chat_serv answers manage_serv: its stats, group lookups (for the
//! groups it owns by the gid's hash), and requests for its db_chat_serv,
//! relayed on their link.

use std::sync::Arc;

use schat_proto::client::ResultCode;
use schat_proto::server::{
    admin_reply, admin_request, server_msg::Msg, AdminReply, CommandResult, DbGetGroup,
    DbListMembers, GroupSummary, ProcType,
};
use schat_runtime::admin::{self, addressee, Addressee, Member};
use schat_runtime::stats::{Counter, Stats};
use schat_runtime::Incoming;

use crate::Chat;

/// Members listed in a group lookup at most.
const LOOKUP_MEMBERS: u32 = 200;

/// What chat_serv counts (groups held is read from the member cache).
#[derive(Clone, Debug, Default)]
pub struct ChatMetrics {
    pub messages_stored: Counter,
    pub deliveries: Counter,
    pub busy_refusals: Counter,
}

impl ChatMetrics {
    pub fn register(stats: &Stats) -> ChatMetrics {
        ChatMetrics {
            messages_stored: stats.counter(
                "messages_stored_total",
                "Messages stored (sends and system messages; duplicates not counted).",
            ),
            deliveries: stats.counter(
                "deliveries_total",
                "Online recipients new messages were fanned out to.",
            ),
            busy_refusals: stats.counter(
                "group_busy_refusals_total",
                "Writes answered BUSY because their group held chat.group_queue_max already.",
            ),
        }
    }
}

/// Registers what reads the finished `Chat`: the groups-held gauge.
pub fn register(chat: &Arc<Chat>) {
    let weak = Arc::downgrade(chat);
    chat.node.stats.gauge_fn(
        "groups_held",
        "Groups with an actor in this chat_serv (the groups it served lately).",
        move || weak.upgrade().map_or(0.0, |chat| chat.groups.len() as f64),
    );
}

/// Answers an admin request, relaying it when it names this set's
/// db_chat_serv.
pub async fn on_request(chat: &Arc<Chat>, incoming: Incoming) {
    let Msg::AdminRequest(request) = &incoming.msg else {
        return;
    };
    let members = [Member {
        id: chat.db_id,
        proc_type: ProcType::DbChat,
        channel: chat.db.clone(),
    }];
    let gid = match (
        &request.op,
        addressee(&chat.node, request.proc_id, &members),
    ) {
        (Some(admin_request::Op::Group(lookup)), Addressee::Me) => lookup.gid,
        _ => return admin::serve(&chat.node, incoming, &members),
    };
    let reply = match lookup_group(chat, gid).await {
        Ok(group) => admin_reply::Reply::Group(group),
        Err(reason) => admin_reply::Reply::Result(CommandResult::failed(reason)),
    };
    incoming.reply(Msg::AdminReply(AdminReply { reply: Some(reply) }));
}

/// A group as an operator sees it: never its messages or password.
async fn lookup_group(chat: &Chat, gid: u64) -> Result<GroupSummary, String> {
    let chat_serv = chat.node.me.name.clone();
    let missing = GroupSummary {
        gid,
        chat_serv: chat_serv.clone(),
        ..GroupSummary::default()
    };
    if gid == 0 {
        return Ok(missing);
    }
    let info = match chat.db(DbGetGroup { gid, viewer_uid: 0 }).await {
        Ok(group) => group.info.unwrap_or_default(),
        Err(err) if err.code() == ResultCode::NoSuchGroup => return Ok(missing),
        Err(err) => return Err(format!("db_chat_serv: {err}")),
    };
    let page = DbListMembers {
        gid,
        after_uid: 0,
        limit: LOOKUP_MEMBERS,
    };
    let member_uids = match chat.db(page).await {
        Ok(members) => members.members.iter().map(|member| member.uid).collect(),
        // Dismissed in between.
        Err(err) if err.code() == ResultCode::NoSuchGroup => return Ok(missing),
        Err(err) => return Err(format!("db_chat_serv: {err}")),
    };
    Ok(GroupSummary {
        exists: true,
        gid,
        name: info.name,
        owner_uid: info.owner_uid,
        member_count: info.member_count,
        member_uids,
        latest_seq: info.latest_seq,
        chat_serv,
    })
}
