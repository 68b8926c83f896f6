//! The group lifecycle: create, join (open, password, approval,
//! invitation), decide, invite, quit, kick, dismiss, info, members, update,
//! public listing, and the user's own groups. Every request gets an answer;
//! whoever else is concerned gets a notice (now if online, else at login)
//! or a system message in the group.

use std::sync::Arc;

use schat_proto::client::{
    server_message::Body as Response, CreateGroupRequest, DecideApplicationRequest, Done,
    GroupInfo, GroupsResponse, InviteRequest, JoinGroupRequest, JoinGroupResponse, JoinPolicy,
    JoinStatus, KickMemberRequest, ListMembersRequest, ListPublicGroupsRequest, MembersResponse,
    MyGroupsResponse, Notice, NoticeKind, ResultCode, UpdateGroupRequest,
};
use schat_proto::server::{
    db_pending, DbCreateGroup, DbDeleteGroup, DbFileRefs, DbGetGroup, DbGroup, DbListMembers,
    DbListPublic, DbMemberChange, DbPending, DbUpdateGroup, DbUserGroups, MemberCheck,
};
use schat_runtime::file_url::{
    access_changed, release_paths, release_scopes, AccessChange, FileUrl, Scope,
};
use schat_runtime::rules;
use schat_runtime::time::now_ms;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::deliver::notify;
use crate::messages::post_system;
use crate::{Chat, Failure};
use schat_runtime::logging::warn;

/// The group as `viewer` sees it.
pub async fn load(chat: &Chat, gid: u64, viewer: u64) -> Result<DbGroup, Failure> {
    Ok(chat
        .db(DbGetGroup {
            gid,
            viewer_uid: viewer,
        })
        .await?)
}

fn info(group: &DbGroup) -> GroupInfo {
    group.info.clone().unwrap_or_default()
}

fn require_member(group: &DbGroup) -> Result<(), Failure> {
    if group.viewer_is_member {
        Ok(())
    } else {
        Err(Failure::forbidden("you are not a member of this group"))
    }
}

fn require_owner(group: &DbGroup, uid: u64) -> Result<(), Failure> {
    if info(group).owner_uid == uid {
        Ok(())
    } else {
        Err(Failure::forbidden("only the group's owner may do this"))
    }
}

fn notice(kind: NoticeKind, group: &GroupInfo, from_uid: u64, note: String) -> Notice {
    Notice {
        id: 0,
        kind: kind as i32,
        gid: group.gid,
        group_name: group.name.clone(),
        from_uid,
        note,
        at_ms: now_ms(),
    }
}

pub async fn create(chat: &Chat, uid: u64, req: CreateGroupRequest) -> Result<GroupInfo, Failure> {
    let limits = &chat.config.current().chat;
    let name = rules::group_name(&req.name).map_err(Failure::bad_request)?;
    let description = rules::text("description", &req.description, rules::DESCRIPTION_MAX)
        .map_err(Failure::bad_request)?;
    // The group has no avatar uploads yet: any of this cluster's files.
    let avatar_url =
        rules::file_url("avatar URL", &req.avatar_url, None).map_err(Failure::bad_request)?;
    let policy = JoinPolicy::try_from(req.join_policy)
        .map_err(|_| Failure::bad_request("unknown join policy"))?;
    let password_hash = if policy == JoinPolicy::Password {
        rules::group_password(&req.password).map_err(Failure::bad_request)?;
        chat.passwords
            .hash(req.password)
            .await
            .map_err(|err| Failure::new(ResultCode::Internal, err.to_string()))?
    } else {
        String::new()
    };
    let member_cap = match req.member_cap {
        0 => limits.default_member_cap,
        cap if cap > limits.max_member_cap => {
            return Err(Failure::bad_request(format!(
                "member cap must be at most {}",
                limits.max_member_cap
            )))
        }
        cap => cap,
    };
    let new_group = GroupInfo {
        gid: 0,
        name,
        description,
        avatar_url,
        owner_uid: uid,
        join_policy: policy as i32,
        public: req.public,
        member_cap,
        member_count: 1,
        created_at_ms: now_ms(),
        latest_seq: 0,
    };
    let created = chat
        .db(DbCreateGroup {
            info: Some(new_group),
            password_hash,
            owner_cap: limits.owner_group_cap,
        })
        .await?;
    Ok(info(&created))
}

pub async fn join(
    chat: &Arc<Chat>,
    uid: u64,
    req: JoinGroupRequest,
) -> Result<JoinGroupResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
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
                // owner again.
                if !applied_before {
                    let application = notice(NoticeKind::Application, &group_info, uid, note);
                    notify(chat, group_info.owner_uid, application).await?;
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

/// Tells a user something after the change it reports has happened: a
/// failure is logged, not answered (the change stands).
async fn tell(chat: &Chat, uid: u64, told: Notice) {
    let kind = told.kind;
    if let Err(failure) = notify(chat, uid, told).await {
        chat.stats
            .record_error(format!("could not store a notice: {}", failure.reason));
        warn!(chat.log, "Could not store a notice";
            "uid" => uid, "kind" => kind, "reason" => failure.reason);
    }
}

pub async fn decide(
    chat: &Arc<Chat>,
    uid: u64,
    req: DecideApplicationRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_owner(&group, uid)?;
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
            // Still pending: the owner may decide again.
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
    require_owner(&group, uid)?;
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
    require_member(&group)?;
    if info(&group).owner_uid == uid {
        return Err(Failure::bad_request(
            "the owner cannot quit; dismiss the group instead",
        ));
    }
    if remove_member(chat, gid, uid).await? {
        post_system(chat, gid, uid, "left").await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn kick(chat: &Arc<Chat>, uid: u64, req: KickMemberRequest) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_owner(&group, uid)?;
    if req.uid == uid {
        return Err(Failure::bad_request("the owner cannot kick itself"));
    }
    if !remove_member(chat, req.gid, req.uid).await? {
        return Err(Failure::bad_request("that user is not a member"));
    }
    post_system(chat, req.gid, req.uid, "was removed").await;
    let kicked = notice(NoticeKind::Kicked, &info(&group), uid, String::new());
    tell(chat, req.uid, kicked).await;
    Ok(Response::Done(Done {}))
}

/// Notices written at once when a group is dismissed.
const DISMISS_CONCURRENCY: usize = 32;

pub async fn dismiss(chat: &Arc<Chat>, uid: u64, gid: u64) -> Result<Response, Failure> {
    let group = load(chat, gid, uid).await?;
    require_owner(&group, uid)?;
    let group_info = info(&group);
    let former = chat.db(DbDeleteGroup { gid }).await?;
    // A dismissed group's actor is never needed again.
    chat.groups.release(gid);
    release_scopes(
        chat.fabric.channel(),
        &chat.config.current(),
        &[Scope::Chat(gid), Scope::GroupAvatar(gid)],
    );
    // Every former member is told, a few at a time; the owner gets the answer.
    let permits = Arc::new(Semaphore::new(DISMISS_CONCURRENCY));
    let mut told = JoinSet::new();
    for member in former.uids.into_iter().filter(|&member| member != uid) {
        let (chat, permits) = (chat.clone(), permits.clone());
        let dismissed = notice(NoticeKind::Dismissed, &group_info, uid, String::new());
        told.spawn(async move {
            let _permit = permits.acquire().await;
            tell(&chat, member, dismissed).await;
        });
    }
    while told.join_next().await.is_some() {}
    Ok(Response::Done(Done {}))
}

pub async fn info_for(chat: &Chat, uid: u64, gid: u64) -> Result<GroupInfo, Failure> {
    let group = load(chat, gid, uid).await?;
    let group_info = info(&group);
    if !group.viewer_is_member && !group_info.public {
        return Err(Failure::forbidden("this group is private to its members"));
    }
    Ok(group_info)
}

pub async fn members(
    chat: &Chat,
    uid: u64,
    req: ListMembersRequest,
) -> Result<MembersResponse, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_member(&group)?;
    let limit = rules::page_limit(req.limit, 100, 200);
    Ok(chat
        .db(DbListMembers {
            gid: req.gid,
            after_uid: req.after_uid,
            limit,
        })
        .await?)
}

pub async fn update(chat: &Chat, uid: u64, req: UpdateGroupRequest) -> Result<GroupInfo, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_owner(&group, uid)?;
    let update = DbUpdateGroup {
        gid: req.gid,
        name: req
            .name
            .map(|name| rules::group_name(&name))
            .transpose()
            .map_err(Failure::bad_request)?,
        description: req
            .description
            .map(|text| rules::text("description", &text, rules::DESCRIPTION_MAX))
            .transpose()
            .map_err(Failure::bad_request)?,
        avatar_url: req
            .avatar_url
            .map(|url| rules::file_url("avatar URL", &url, Some(Scope::GroupAvatar(req.gid))))
            .transpose()
            .map_err(Failure::bad_request)?,
        public: req.public,
    };
    let old_avatar = info(&group).avatar_url;
    let updated = info(&chat.db(update).await?);
    // The replaced avatar, if it was the group's own upload.
    let own_upload =
        FileUrl::parse(&old_avatar).is_some_and(|url| url.scope == Scope::GroupAvatar(req.gid));
    if own_upload && updated.avatar_url != old_avatar {
        release_paths(
            chat.fabric.channel(),
            &chat.config.current(),
            [old_avatar.as_str()],
        );
    }
    Ok(updated)
}

/// Answers file_serv before it deletes: is the group file `path` still
/// referenced (by a message, or as the group's avatar)? With `scope`
/// instead: does the group the scope belongs to still exist?
pub async fn file_referenced(chat: &Chat, path: &str, scope: &str) -> Result<bool, Failure> {
    let (gid, url) = match (FileUrl::parse(path), Scope::parse(scope)) {
        (Some(url), _) => match url.scope {
            Scope::Chat(gid) | Scope::GroupAvatar(gid) => (gid, Some(url)),
            Scope::UserAvatar(_) => return Err(Failure::bad_request("not a group file")),
        },
        (None, Some(Scope::Chat(gid) | Scope::GroupAvatar(gid))) => (gid, None),
        _ => return Err(Failure::bad_request("not a group file or scope")),
    };
    let group = match load(chat, gid, 0).await {
        Ok(group) => group,
        Err(failure) if failure.code == ResultCode::NoSuchGroup => return Ok(false),
        Err(failure) => return Err(failure),
    };
    let Some(url) = url else {
        return Ok(true);
    };
    if let Scope::GroupAvatar(_) = url.scope {
        return Ok(info(&group).avatar_url == path);
    }
    let refs = chat
        .db(DbFileRefs {
            gid,
            path: path.to_string(),
        })
        .await?;
    Ok(refs.count > 0)
}

/// Answers file_serv's question: may `uid` touch the files of `gid`?
pub async fn check_member(chat: &Chat, gid: u64, uid: u64) -> Result<MemberCheck, Failure> {
    match load(chat, gid, uid).await {
        Ok(group) => Ok(MemberCheck {
            exists: true,
            member: group.viewer_is_member,
            owner: info(&group).owner_uid == uid,
        }),
        Err(failure) if failure.code == ResultCode::NoSuchGroup => Ok(MemberCheck::default()),
        Err(failure) => Err(failure),
    }
}

pub async fn public(chat: &Chat, req: ListPublicGroupsRequest) -> Result<GroupsResponse, Failure> {
    let limit = rules::page_limit(req.limit, 50, 100);
    Ok(chat
        .db(DbListPublic {
            after_gid: req.after_gid,
            limit,
        })
        .await?)
}

pub async fn mine(chat: &Chat, uid: u64) -> Result<MyGroupsResponse, Failure> {
    Ok(chat.db(DbUserGroups { uid }).await?)
}
