//! What chat_serv answers file_serv about group files: is a file still
//! referenced (before it is deleted), and may a user touch a group's files.

use schat_proto::client::ResultCode;
use schat_proto::server::{DbFileRefs, MemberCheck};
use schat_runtime::file_url::{FileUrl, Scope};

use crate::groups::{info, load};
use crate::{Chat, Failure};

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
