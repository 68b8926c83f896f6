//! Who is in a group: join (open, password, approval, invitation), decide
//! an application, invite, quit, kick. Every request gets an answer;
//! whoever else is concerned gets a notice (now if online, else at login)
//! or a system message in the group.

use std::sync::Arc;

use schat_proto::client::{
    server_message::Body as Response, DecideApplicationRequest, Done, GroupInfo, InviteRequest,
    JoinGroupRequest, JoinGroupResponse, JoinPolicy, JoinStatus, KickMemberRequest, NoticeKind,
    ResultCode,
};
use schat_proto::server::{db_pending, DbMemberChange, DbPending};
use schat_runtime::file_url::{access_changed, AccessChange};
use schat_runtime::rules;
use schat_runtime::time::now_ms;

use crate::deliver::{notify, tell};
use crate::groups::{
    info, load, notice, require_above, require_admin, require_group, require_member,
};
use crate::messages::post_system;
use crate::{Chat, Failure};

pub async fn join(
    chat: &Arc<Chat>,
    uid: u64,
    req: JoinGroupRequest,
) -> Result<JoinGroupResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    let group_info = info(&group);
    if group.viewer_is_member {
        return Ok(JoinGroupResponse {
            status: JoinStatus::AlreadyMember as i32,
            group: Some(group_info),
        });
    }
    let invited = take_pending(chat, db_pending::Kind::Invitation, req.gid, uid).await?;
    if !invited {
        match group_info.join_policy() {
            JoinPolicy::Open => {}
            JoinPolicy::Password => {
                let matches = chat
                    .passwords
                    .verify(req.password, group.password_hash.clone())
                    .await
                    .map_err(|err| Failure::new(ResultCode::Internal, err.to_string()))?;
                if !matches {
                    return Err(Failure::new(
                        ResultCode::WrongPassword,
                        "wrong group password",
                    ));
                }
            }
            JoinPolicy::Approval => {
                let note = rules::text("note", &req.note, rules::NOTE_MAX)
                    .map_err(Failure::bad_request)?;
                let applied_before =
                    put_pending(chat, db_pending::Kind::Application, req.gid, uid, &note).await?;
                // Applying again updates the note but does not notify the
                // owner and admins again.
                if !applied_before {
                    // The owner's notice must be stored (the application is
                    // answered with the failure otherwise); the admins'
                    // are best effort, each on its own.
                    let application = notice(NoticeKind::Application, &group_info, uid, note);
                    notify(chat, group_info.owner_uid, application.clone()).await?;
                    for admin in &group.admin_uids {
                        tell(chat, *admin, application.clone()).await;
                    }
                }
                return Ok(JoinGroupResponse {
                    status: JoinStatus::Pending as i32,
                    group: group_info.public.then_some(group_info),
                });
            }
            JoinPolicy::InviteOnly => {
                return Err(Failure::forbidden("this group takes invited members only"))
            }
        }
    }
    if let Err(failure) = add_member(chat, &group_info, uid).await {
        if invited {
            // Not used up by a join that failed (a full group, say).
            put_pending(chat, db_pending::Kind::Invitation, req.gid, uid, "").await?;
        }
        return Err(failure);
    }
    let group = load(chat, req.gid, uid).await?;
    Ok(JoinGroupResponse {
        status: JoinStatus::Joined as i32,
        group: Some(info(&group)),
    })
}

/// Records a pending application or invitation; true if it was pending
/// already.
async fn put_pending(
    chat: &Chat,
    kind: db_pending::Kind,
    gid: u64,
    uid: u64,
    note: &str,
) -> Result<bool, Failure> {
    let flag = chat
        .db(DbPending {
            kind: kind as i32,
            gid,
            uid,
            put: true,
            note: note.to_string(),
        })
        .await?;
    Ok(flag.value)
}

/// Takes out a pending application or invitation; true if there was one.
async fn take_pending(
    chat: &Chat,
    kind: db_pending::Kind,
    gid: u64,
    uid: u64,
) -> Result<bool, Failure> {
    let flag = chat
        .db(DbPending {
            kind: kind as i32,
            gid,
            uid,
            put: false,
            note: String::new(),
        })
        .await?;
    Ok(flag.value)
}

/// Adds a member and tells the group.
async fn add_member(chat: &Arc<Chat>, group: &GroupInfo, uid: u64) -> Result<(), Failure> {
    let added = chat
        .db(DbMemberChange {
            gid: group.gid,
            uid,
            add: true,
            at_ms: now_ms(),
            user_group_cap: chat.config.current().chat.user_group_cap,
        })
        .await?;
    if added.value {
        post_system(chat, group.gid, uid, "joined").await;
    }
    Ok(())
}

/// Removes a member; false if it was not one. The file servers forget
/// its membership at once, so its access to the group's files ends now.
async fn remove_member(chat: &Chat, gid: u64, uid: u64) -> Result<bool, Failure> {
    let removed = chat
        .db(DbMemberChange {
            gid,
            uid,
            add: false,
            at_ms: 0,
            user_group_cap: 0,
        })
        .await?
        .value;
    if removed {
        access_changed(chat.fabric.channel(), uid, AccessChange::LeftGroup { gid });
    }
    Ok(removed)
}

pub async fn decide(
    chat: &Arc<Chat>,
    uid: u64,
    req: DecideApplicationRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_admin(&group, uid)?;
    let group_info = info(&group);
    if !take_pending(
        chat,
        db_pending::Kind::Application,
        req.gid,
        req.applicant_uid,
    )
    .await?
    {
        return Err(Failure::bad_request(
            "no pending application from that user",
        ));
    }
    let kind = if req.approve {
        if let Err(failure) = add_member(chat, &group_info, req.applicant_uid).await {
            // Still pending: the owner or an admin may decide again.
            put_pending(
                chat,
                db_pending::Kind::Application,
                req.gid,
                req.applicant_uid,
                "",
            )
            .await?;
            return Err(failure);
        }
        NoticeKind::Approved
    } else {
        NoticeKind::Denied
    };
    let decision = notice(kind, &group_info, uid, String::new());
    tell(chat, req.applicant_uid, decision).await;
    Ok(Response::Done(Done {}))
}

pub async fn invite(chat: &Chat, uid: u64, req: InviteRequest) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_admin(&group, uid)?;
    if load(chat, req.gid, req.uid).await?.viewer_is_member {
        return Err(Failure::bad_request("that user is a member already"));
    }
    let group_info = info(&group);
    let invited_before =
        put_pending(chat, db_pending::Kind::Invitation, req.gid, req.uid, "").await?;
    if !invited_before {
        let invitation = notice(NoticeKind::Invited, &group_info, uid, String::new());
        tell(chat, req.uid, invitation).await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn quit(chat: &Arc<Chat>, uid: u64, gid: u64) -> Result<Response, Failure> {
    let group = load(chat, gid, uid).await?;
    require_group(&group)?;
    require_member(&group)?;
    if info(&group).owner_uid == uid {
        return Err(Failure::bad_request(
            "the owner cannot quit; hand the group over (transfer_ownership) or dismiss it",
        ));
    }
    if remove_member(chat, gid, uid).await? {
        post_system(chat, gid, uid, "left").await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn kick(chat: &Arc<Chat>, uid: u64, req: KickMemberRequest) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_above(&group, uid, req.uid, "kick")?;
    if !remove_member(chat, req.gid, req.uid).await? {
        return Err(Failure::bad_request("that user is not a member"));
    }
    post_system(chat, req.gid, req.uid, "was removed").await;
    let kicked = notice(NoticeKind::Kicked, &info(&group), uid, String::new());
    tell(chat, req.uid, kicked).await;
    Ok(Response::Done(Done {}))
}
