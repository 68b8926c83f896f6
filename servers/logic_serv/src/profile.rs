//! Profiles: one's own, updating it, and looking up other users (with their
//! online state from online_serv).

use std::collections::HashSet;

use schat_proto::client::{
    server_message::Body as Response, GetUsersRequest, ResultCode, UpdateProfileRequest,
    UserProfile, UsersResponse,
};
use schat_proto::server::{GetProfiles, Locate, ProcType, UpdateProfile};
use schat_runtime::file_url::{release_paths, FileUrl, Scope};
use schat_runtime::logging::debug;
use schat_runtime::Target;

use crate::context::Logic;
use schat_runtime::rules;
use schat_runtime::Failure;

pub async fn fetch_one(logic: &Logic, uid: u64) -> Result<UserProfile, Failure> {
    logic
        .db(GetProfiles {
            uids: vec![uid],
            accounts: Vec::new(),
        })
        .await?
        .profiles
        .pop()
        .ok_or_else(|| Failure::new(ResultCode::NoSuchUser, "no such user"))
}

pub async fn own(logic: &Logic, uid: u64) -> Result<Response, Failure> {
    let mut profile = fetch_one(logic, uid).await?;
    profile.online = true;
    Ok(Response::Profile(profile))
}

pub async fn update(
    logic: &Logic,
    uid: u64,
    req: UpdateProfileRequest,
) -> Result<Response, Failure> {
    let display_name = req
        .display_name
        .map(|name| rules::display_name(&name))
        .transpose()
        .map_err(Failure::bad_request)?;
    let description = req
        .description
        .map(|text| rules::text("description", &text, rules::DESCRIPTION_MAX))
        .transpose()
        .map_err(Failure::bad_request)?;
    let avatar_url = req
        .avatar_url
        .map(|url| rules::file_url("avatar URL", &url, Some(Scope::UserAvatar(uid))))
        .transpose()
        .map_err(Failure::bad_request)?;
    let mut profiles = logic
        .db(UpdateProfile {
            uid,
            display_name,
            description,
            avatar_url,
        })
        .await?;
    let mut profile = profiles
        .profiles
        .pop()
        .ok_or_else(|| Failure::new(ResultCode::NoSuchUser, "no such user"))?;
    profile.online = true;
    // The replaced avatar's file, if it was the user's own upload.
    let own_upload = FileUrl::parse(&profiles.replaced_avatar_url)
        .is_some_and(|url| url.scope == Scope::UserAvatar(uid));
    if own_upload {
        release_paths(
            logic.fabric.channel(),
            &logic.config.current(),
            [profiles.replaced_avatar_url.as_str()],
        );
    }
    Ok(Response::Profile(profile))
}

pub async fn users(logic: &Logic, req: GetUsersRequest) -> Result<Response, Failure> {
    if req.uids.len() + req.accounts.len() > rules::LOOKUP_MAX {
        return Err(Failure::bad_request(format!(
            "at most {} users per lookup",
            rules::LOOKUP_MAX
        )));
    }
    let accounts: Vec<String> = req
        .accounts
        .iter()
        .filter_map(|name| rules::account(name).ok())
        .collect();
    let found = logic
        .db(GetProfiles {
            uids: req.uids,
            accounts,
        })
        .await?;
    let mut users = found.profiles;
    if !users.is_empty() {
        let online = locate(logic, users.iter().map(|user| user.uid).collect()).await;
        for user in &mut users {
            user.online = online.contains(&user.uid);
        }
    }
    Ok(Response::Users(UsersResponse { users }))
}

/// Which of `uids` are online. Presence is advisory: when no online_serv
/// answers, everyone shows offline rather than the lookup failing.
async fn locate(logic: &Logic, uids: Vec<u64>) -> HashSet<u64> {
    match logic
        .fabric
        .channel()
        .request(Target::any(ProcType::Online), Locate { uids })
        .await
    {
        Ok(located) => located.entries.iter().map(|entry| entry.uid).collect(),
        Err(err) => {
            debug!(logic.log, "Presence lookup failed"; "error" => %err);
            HashSet::new()
        }
    }
}
