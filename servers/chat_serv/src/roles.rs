//! Who may do what in a group beyond membership: the owner appoints and
//! removes admins and hands the group over; the owner and admins mute a
//! member for a while or the whole group. Every change is a SYSTEM message
//! in the group and, for the member concerned, a notice. The send path
//! pays nothing for this: the append script checks mutes in Redis.

use std::sync::Arc;

use schat_proto::client::{
    server_message::Body as Response, Done, MuteAllRequest, MuteMemberRequest, Notice, NoticeKind,
    Role, SetRoleRequest, TransferOwnershipRequest,
};
use schat_proto::server::{DbMute, DbSetRole};

use crate::deliver::tell;
use crate::groups::{
    info, load, notice, require_above, require_admin, require_group, require_owner,
};
use crate::messages::post_system;
use crate::{Chat, Failure};

/// Admins one group may have.
pub const MAX_ADMINS: u32 = 32;

/// The longest mute of one member: 30 days.
pub const MAX_MUTE_SECS: u32 = 30 * 24 * 3600;

pub async fn set_role(
    chat: &Arc<Chat>,
    uid: u64,
    req: SetRoleRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_owner(&group, uid)?;
    let role = match Role::try_from(req.role) {
        Err(_) => return Err(Failure::bad_request("unknown role")),
        Ok(Role::Owner) => {
            return Err(Failure::bad_request(
                "ownership is handed over with transfer_ownership",
            ))
        }
        Ok(role) => role,
    };
    if req.uid == uid {
        return Err(Failure::bad_request(
            "the owner's role changes only by a transfer",
        ));
    }
    let changed = chat
        .db(DbSetRole {
            gid: req.gid,
            uid: req.uid,
            role: role as i32,
            from_uid: 0,
            max_admins: MAX_ADMINS,
            owner_cap: 0,
        })
        .await?
        .value;
    if changed {
        let text = match role {
            Role::Admin => "is now an admin",
            _ => "is no longer an admin",
        };
        let mut changed = notice(NoticeKind::RoleChanged, &info(&group), uid, String::new());
        changed.role = role as i32;
        announce(chat, req.uid, text, changed).await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn transfer(
    chat: &Arc<Chat>,
    uid: u64,
    req: TransferOwnershipRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_owner(&group, uid)?;
    if req.uid == uid {
        return Err(Failure::bad_request("you own this group already"));
    }
    let handed = chat
        .db(DbSetRole {
            gid: req.gid,
            uid: req.uid,
            role: Role::Owner as i32,
            from_uid: uid,
            max_admins: MAX_ADMINS,
            owner_cap: chat.config.current().chat.owner_group_cap,
        })
        .await?
        .value;
    if handed {
        let mut owner = notice(NoticeKind::RoleChanged, &info(&group), uid, String::new());
        owner.role = Role::Owner as i32;
        announce(chat, req.uid, "is now the owner", owner).await;
    }
    Ok(Response::Done(Done {}))
}

pub async fn mute_member(
    chat: &Arc<Chat>,
    uid: u64,
    req: MuteMemberRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_above(&group, uid, req.uid, "mute")?;
    if req.duration_secs > MAX_MUTE_SECS {
        return Err(Failure::bad_request(format!(
            "a mute lasts at most {MAX_MUTE_SECS} s (30 days)"
        )));
    }
    let until_ms = match req.duration_secs {
        0 => 0,
        secs => chat.node.clock.now_ms() + u64::from(secs) * 1000,
    };
    let changed = chat
        .db(DbMute {
            gid: req.gid,
            uid: req.uid,
            until_ms,
            all: false,
            muted: false,
        })
        .await?
        .value;
    if !changed {
        // Lifting a mute that was not there.
        return Ok(Response::Done(Done {}));
    }
    let text = match req.duration_secs {
        0 => "may speak again".to_string(),
        secs => format!("was muted for {}", span(secs)),
    };
    let mut muted = notice(NoticeKind::MuteChanged, &info(&group), uid, String::new());
    muted.until_ms = until_ms;
    announce(chat, req.uid, &text, muted).await;
    Ok(Response::Done(Done {}))
}

pub async fn mute_all(
    chat: &Arc<Chat>,
    uid: u64,
    req: MuteAllRequest,
) -> Result<Response, Failure> {
    let group = load(chat, req.gid, uid).await?;
    require_group(&group)?;
    require_admin(&group, uid)?;
    let changed = chat
        .db(DbMute {
            gid: req.gid,
            uid: 0,
            until_ms: 0,
            all: true,
            muted: req.muted,
        })
        .await?
        .value;
    if changed {
        let text = if req.muted {
            "muted the group: only the owner and admins may speak"
        } else {
            "unmuted the group"
        };
        post_system(chat, req.gid, uid, text).await;
    }
    Ok(Response::Done(Done {}))
}

/// A change about member `about`: a SYSTEM message in the group (sent as
/// about them), and `told` to them.
async fn announce(chat: &Arc<Chat>, about: u64, text: &str, told: Notice) {
    post_system(chat, told.gid, about, text).await;
    tell(chat, about, told).await;
}

/// A duration as people say it, exactly: "45 s", "90 s", "10 min",
/// "2 h", "3 d" (the largest unit that divides it).
fn span(secs: u32) -> String {
    match secs {
        0 => "0 s".to_string(),
        _ if secs.is_multiple_of(86_400) => format!("{} d", secs / 86_400),
        _ if secs.is_multiple_of(3600) => format!("{} h", secs / 3600),
        _ if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        _ => format!("{secs} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(45), "45 s");
        assert_eq!(span(90), "90 s");
        assert_eq!(span(600), "10 min");
        assert_eq!(span(5400), "90 min");
        assert_eq!(span(7200), "2 h");
        assert_eq!(span(3 * 86_400), "3 d");
        assert_eq!(span(3 * 86_400 + 5), "259205 s");
    }
}
