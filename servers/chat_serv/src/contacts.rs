//! People rather than groups: contact requests and their answers, the
//! contact list with presence, blocks, the privacy setting, and opening
//! the direct conversation of two users. A direct conversation is a group
//! of kind DIRECT (stored and sharded like one), so sending, history,
//! recall, read cursors and catch-up are the group paths unchanged; what
//! differs is who may open it (privacy, blocks) and that it has no
//! membership to manage (see `groups::require_group`).

use schat_proto::client::{
    server_message::Body as Response, AddContactRequest, BlockRequest, ContactsResponse,
    DecideContactRequest, Done, GroupInfo, Notice, NoticeKind, Privacy, SetPrivacyRequest,
};
use schat_proto::server::{db_contact_change::Kind, DbContactChange, DbContacts, DbOpenDirect};
use schat_runtime::rules;
use schat_runtime::time::now_ms;

use crate::deliver::{locate, tell};
use crate::groups::info;
use crate::{Chat, Failure};

/// The direct conversation with `peer`, created on first open.
pub async fn open_direct(chat: &Chat, uid: u64, peer: u64) -> Result<GroupInfo, Failure> {
    let group = chat
        .db(DbOpenDirect {
            uid,
            peer_uid: peer,
        })
        .await?;
    Ok(info(&group))
}

pub async fn add(chat: &Chat, uid: u64, req: AddContactRequest) -> Result<Response, Failure> {
    let note = rules::text("note", &req.note, rules::NOTE_MAX).map_err(Failure::bad_request)?;
    let done = change(chat, Kind::Ask, uid, req.uid, note.clone()).await?;
    if done.notify {
        let kind = if done.contacts {
            // The peer had asked first: this answers it.
            NoticeKind::ContactAccepted
        } else {
            NoticeKind::ContactRequest
        };
        tell(chat, req.uid, contact_notice(kind, uid, note)).await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn decide(chat: &Chat, uid: u64, req: DecideContactRequest) -> Result<Response, Failure> {
    let kind = if req.accept {
        Kind::Accept
    } else {
        Kind::Decline
    };
    change(chat, kind, uid, req.uid, String::new()).await?;
    let told = if req.accept {
        NoticeKind::ContactAccepted
    } else {
        NoticeKind::ContactDeclined
    };
    tell(chat, req.uid, contact_notice(told, uid, String::new())).await;
    Ok(Response::Done(Done {}))
}

pub async fn remove(chat: &Chat, uid: u64, peer: u64) -> Result<Response, Failure> {
    change(chat, Kind::Remove, uid, peer, String::new()).await?;
    Ok(Response::Done(Done {}))
}

pub async fn block(chat: &Chat, uid: u64, req: BlockRequest) -> Result<Response, Failure> {
    let kind = if req.blocked {
        Kind::Block
    } else {
        Kind::Unblock
    };
    change(chat, kind, uid, req.uid, String::new()).await?;
    Ok(Response::Done(Done {}))
}

pub async fn set_privacy(
    chat: &Chat,
    uid: u64,
    req: SetPrivacyRequest,
) -> Result<Response, Failure> {
    let privacy = Privacy::try_from(req.privacy)
        .map_err(|_| Failure::bad_request("unknown privacy setting"))?;
    chat.db(DbContactChange {
        kind: Kind::Privacy as i32,
        uid,
        peer_uid: uid,
        privacy: privacy as i32,
        ..DbContactChange::default()
    })
    .await?;
    Ok(Response::Done(Done {}))
}

/// The user's contacts (with who is online now), requests both ways,
/// blocks and privacy.
pub async fn list(chat: &Chat, uid: u64) -> Result<ContactsResponse, Failure> {
    let mut list = chat.db(DbContacts { uid }).await?;
    let uids: Vec<u64> = list.contacts.iter().map(|contact| contact.uid).collect();
    if !uids.is_empty() {
        // Presence is a hint: unknown (no online_serv answering) shows as
        // offline.
        let online: std::collections::HashSet<u64> = locate(chat, &uids)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|entry| entry.uid)
            .collect();
        for contact in &mut list.contacts {
            contact.online = online.contains(&contact.uid);
        }
    }
    Ok(list)
}

async fn change(
    chat: &Chat,
    kind: Kind,
    uid: u64,
    peer: u64,
    note: String,
) -> Result<schat_proto::server::DbContactDone, Failure> {
    if peer == 0 {
        return Err(Failure::bad_request("name a user"));
    }
    Ok(chat
        .db(DbContactChange {
            kind: kind as i32,
            uid,
            peer_uid: peer,
            note,
            at_ms: now_ms(),
            max_pending: chat.config.current().chat.contact_requests_max,
            privacy: 0,
        })
        .await?)
}

fn contact_notice(kind: NoticeKind, from_uid: u64, note: String) -> Notice {
    Notice {
        kind: kind as i32,
        from_uid,
        note,
        at_ms: now_ms(),
        ..Notice::default()
    }
}
