//! The group itself: create, info, members, update, dismiss, the public
//! listing and the user's own groups, and the checks every group request
//! shares (load as a viewer sees it, member, owner). Joining and leaving
//! are in `membership.rs`; answers to file_serv in `file_checks.rs`.

use std::sync::Arc;

use schat_proto::client::{
    server_message::Body as Response, CreateGroupRequest, Done, GroupInfo, GroupKind,
    GroupsResponse, JoinPolicy, ListMembersRequest, ListPublicGroupsRequest, MembersResponse,
    MyGroupsResponse, Notice, NoticeKind, ResultCode, Role, UpdateGroupRequest,
};
use schat_proto::server::{
    DbCreateGroup, DbDeleteGroup, DbGetGroup, DbGroup, DbListMembers, DbListPublic, DbUpdateGroup,
    DbUserGroups,
};
use schat_runtime::file_url::{release_paths, release_scopes, FileUrl, Scope};
use schat_runtime::rules;
use schat_runtime::time::now_ms;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::deliver::tell;
use crate::{Chat, Failure};

/// The group as `viewer` sees it.
pub async fn load(chat: &Chat, gid: u64, viewer: u64) -> Result<DbGroup, Failure> {
    Ok(chat
        .db(DbGetGroup {
            gid,
            viewer_uid: viewer,
        })
        .await?)
}

pub(crate) fn info(group: &DbGroup) -> GroupInfo {
    group.info.clone().unwrap_or_default()
}

pub(crate) fn require_member(group: &DbGroup) -> Result<(), Failure> {
    if group.viewer_is_member {
        Ok(())
    } else {
        Err(Failure::forbidden("you are not a member of this group"))
    }
}

pub(crate) fn require_owner(group: &DbGroup, uid: u64) -> Result<(), Failure> {
    if info(group).owner_uid == uid {
        Ok(())
    } else {
        Err(Failure::forbidden("only the group's owner may do this"))
    }
}

/// A group proper, not a direct conversation (which has no membership,
/// roles or settings to manage): refused to its two users as a bad
/// request, to anyone else as to a non-member.
pub(crate) fn require_group(group: &DbGroup) -> Result<(), Failure> {
    if info(group).kind() != GroupKind::Direct {
        Ok(())
    } else if group.viewer_is_member {
        Err(Failure::bad_request(
            "that is a direct conversation, not a group",
        ))
    } else {
        Err(Failure::forbidden(
            "you are not a member of this conversation",
        ))
    }
}

/// `uid`'s role in the group (MEMBER for a non-member too).
pub(crate) fn role_of(group: &DbGroup, uid: u64) -> Role {
    if info(group).owner_uid == uid {
        Role::Owner
    } else if group.admin_uids.binary_search(&uid).is_ok() {
        Role::Admin
    } else {
        Role::Member
    }
}

/// Whether `actor` (the owner or an admin) may `act` ("kick", "mute") on
/// `target`: nobody on the owner, admins not on admins, not on oneself.
/// Answers the actor's role.
pub(crate) fn require_above(
    group: &DbGroup,
    actor: u64,
    target: u64,
    act: &str,
) -> Result<Role, Failure> {
    let role = require_admin(group, actor)?;
    if target == actor {
        return Err(Failure::bad_request(format!("you cannot {act} yourself")));
    }
    match (role, role_of(group, target)) {
        (_, Role::Owner) => Err(Failure::forbidden(format!("nobody may {act} the owner"))),
        (Role::Admin, Role::Admin) => Err(Failure::forbidden(format!(
            "admins cannot {act} other admins"
        ))),
        _ => Ok(role),
    }
}

/// The owner or an admin.
pub(crate) fn require_admin(group: &DbGroup, uid: u64) -> Result<Role, Failure> {
    match role_of(group, uid) {
        Role::Member => Err(Failure::forbidden(
            "only the group's owner and admins may do this",
        )),
        role => Ok(role),
    }
}

pub(crate) fn notice(kind: NoticeKind, group: &GroupInfo, from_uid: u64, note: String) -> Notice {
    Notice {
        id: 0,
        kind: kind as i32,
        gid: group.gid,
        group_name: group.name.clone(),
        from_uid,
        note,
        at_ms: now_ms(),
        role: 0,
        until_ms: 0,
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
        mute_all: false,
        kind: GroupKind::Group as i32,
        peer_uid: 0,
        last_activity_ms: 0,
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

/// Notices written at once when a group is dismissed.
const DISMISS_CONCURRENCY: usize = 32;

pub async fn dismiss(chat: &Arc<Chat>, uid: u64, gid: u64) -> Result<Response, Failure> {
    let group = load(chat, gid, uid).await?;
    require_group(&group)?;
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
    require_group(&group)?;
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
