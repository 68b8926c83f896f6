//! Groups and their members.

use std::collections::HashMap;
use std::sync::LazyLock;

use redis::AsyncCommands;
use schat_proto::client::{
    GroupInfo, GroupKind, GroupState, GroupsResponse, JoinPolicy, Member, MembersResponse,
    ResultCode, Role,
};
use schat_proto::server::{DbGroup, DbPending, DbUpdateGroup};
use schat_runtime::storage::fresh_id;
use schat_runtime::CallError;

use super::{group_key, no_such_group, storage, user_key, Store, PUBLIC_GROUPS};

/// The scripts, hashed once (each call sends EVALSHA; Redis loads a
/// script it does not know from the fallback).
static CLAIM_OWNED_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(CLAIM_OWNED));
static JOIN_INDEX_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(JOIN_INDEX));
static ADD_MEMBER_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(ADD_MEMBER));
static UPDATE_INFO_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(UPDATE_INFO));
static SET_ROLE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SET_ROLE));
static TRANSFER_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(TRANSFER));
static MUTE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(MUTE));

/// Claims a gid for an owner unless the owner is at its cap.
const CLAIM_OWNED: &str = r"
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
";

/// Adds a member: -1 no group, -2 full, 0 already a member, 1 added. A
/// new member's read cursor starts at the latest message.
/// KEYS: info, members, joined, reads, seq, mver. ARGV: uid, at_ms.
const ADD_MEMBER: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local cap = tonumber(redis.call('HGET', KEYS[1], 'member_cap') or '0')
if redis.call('ZCARD', KEYS[2]) >= cap then return -2 end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[1], redis.call('GET', KEYS[5]) or '0')
redis.call('INCR', KEYS[6])
return 1
";

/// Joins a user's index unless the user is in `cap` groups already:
/// 1 added, 0 was there, -1 at the cap.
const JOIN_INDEX: &str = r"
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
";

/// Pending applications / invitations kept per group and kind.
const MAX_PENDING: u64 = 1000;

/// Applies field/value pairs to an existing group: 0 when there is none.
const UPDATE_INFO: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 1
";

/// Makes a member an admin (ARGV[2] '1') or a plain member ('0').
/// KEYS: info, members, admins. ARGV: uid, admin, max admins.
/// Returns -1 no group, -2 not a member, -3 the owner, -4 at the admin
/// cap, 0 unchanged, 1 changed.
const SET_ROLE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -2 end
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then return -3 end
if ARGV[2] == '0' then return redis.call('SREM', KEYS[3], ARGV[1]) end
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[3]) then return -4 end
return redis.call('SADD', KEYS[3], ARGV[1])
";

/// Hands the group from its owner ARGV[2] to member ARGV[1]; the old owner
/// becomes an admin (while fewer than ARGV[3] are), the new one is no
/// longer listed as one, nor muted.
/// KEYS: info, members, admins, muted. Returns -1 no group, -2 not a
/// member, -3 ARGV[2] is not the owner, 0 ARGV[1] owns it already, 1
/// handed over.
const TRANSFER: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then return 0 end
if owner ~= ARGV[2] then return -3 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -2 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('SCARD', KEYS[3]) < tonumber(ARGV[3]) then redis.call('SADD', KEYS[3], ARGV[2]) end
return 1
";

/// Mutes a member until ARGV[2] (ms; '0' lifts it), or with ARGV[1] '0'
/// the whole group (ARGV[2] '1' muted, '0' not).
/// KEYS: info, members, muted. Returns -1 no group, -2 not a member, 0
/// nothing changed (the group was so already, or the member was not
/// muted), 1 done.
const MUTE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[1] == '0' then
  if (redis.call('HGET', KEYS[1], 'mute_all') or '0') == ARGV[2] then return 0 end
  redis.call('HSET', KEYS[1], 'mute_all', ARGV[2])
  return 1
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -2 end
if ARGV[2] == '0' then return redis.call('HDEL', KEYS[3], ARGV[1]) end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 1
";

impl Store {
    /// Creates a group with its owner as the first member.
    pub async fn create_group(
        &self,
        mut info: GroupInfo,
        password_hash: String,
        owner_cap: u32,
    ) -> Result<GroupInfo, CallError> {
        let mut redis = self.conn();
        let gid = fresh_id(
            &mut redis,
            "{cfg}:gid_next",
            |gid| group_key(gid, "info"),
            info.created_at_ms,
        )
        .await?;
        let owner = info.owner_uid;
        if let Err(refused) = self.claim_owned(owner, gid, owner_cap, "you own").await {
            // The id's claim is given up with the group.
            let _: () = redis.del(group_key(gid, "info")).await.map_err(storage)?;
            return Err(refused);
        }
        info.gid = gid;
        info.member_count = 1;
        info.latest_seq = 0;
        // The user's index first: it may name a group the user is not in
        // (cleaned on read), never the other way round.
        let _: () = redis
            .sadd(user_key(owner, "groups"), gid)
            .await
            .map_err(storage)?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(
                group_key(gid, "info"),
                &[
                    ("name", info.name.clone()),
                    ("description", info.description.clone()),
                    ("avatar_url", info.avatar_url.clone()),
                    ("owner", owner.to_string()),
                    ("policy", info.join_policy.to_string()),
                    ("public", u8::from(info.public).to_string()),
                    ("member_cap", info.member_cap.to_string()),
                    ("created_at_ms", info.created_at_ms.to_string()),
                    ("password_hash", password_hash),
                ],
            )
            .zadd(group_key(gid, "members"), owner, owner)
            .hset(group_key(gid, "joined"), owner, info.created_at_ms)
            .hset(group_key(gid, "reads"), owner, 0);
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        if info.public {
            let _: () = redis.zadd(PUBLIC_GROUPS, gid, gid).await.map_err(storage)?;
        }
        Ok(info)
    }

    /// The group, and whether `viewer` is a member.
    pub async fn group(&self, gid: u64, viewer: u64) -> Result<DbGroup, CallError> {
        let mut redis = self.conn();
        /// Info fields, member count, latest seq, the viewer's member
        /// score, admins.
        type Replies = (
            HashMap<String, String>,
            u32,
            Option<u64>,
            Option<f64>,
            Vec<u64>,
            Option<String>,
        );
        let (fields, member_count, latest_seq, viewer_score, mut admin_uids, viewer_mark): Replies =
            redis::pipe()
                .hgetall(group_key(gid, "info"))
                .zcard(group_key(gid, "members"))
                .get(group_key(gid, "seq"))
                .zscore(group_key(gid, "members"), viewer)
                .smembers(group_key(gid, "admins"))
                .hget(group_key(gid, "muted"), viewer)
                .query_async(&mut redis)
                .await
                .map_err(storage)?;
        if fields.is_empty() {
            return Err(no_such_group());
        }
        let (mut info, password_hash) =
            info_from(gid, &fields, member_count, latest_seq.unwrap_or(0));
        if info.kind() == GroupKind::Direct {
            info.peer_uid = peer_of(&fields, viewer);
        }
        admin_uids.sort_unstable();
        Ok(DbGroup {
            info: Some(info),
            password_hash,
            viewer_is_member: viewer != 0 && viewer_score.is_some(),
            admin_uids,
            viewer_blocked: viewer_mark.as_deref() == Some(super::contacts::BLOCKED_MARK),
        })
    }

    /// Adds a member; false when it was one already.
    pub async fn add_member(
        &self,
        gid: u64,
        uid: u64,
        at_ms: u64,
        user_group_cap: u32,
    ) -> Result<bool, CallError> {
        let mut redis = self.conn();
        let indexed: i64 = JOIN_INDEX_SCRIPT
            .key(user_key(uid, "groups"))
            .arg(gid)
            .arg(user_group_cap)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        if indexed < 0 {
            return Err(CallError::remote(
                ResultCode::TooManyGroups,
                format!("you are in {user_group_cap} groups already"),
            ));
        }
        let added: i64 = ADD_MEMBER_SCRIPT
            .key(group_key(gid, "info"))
            .key(group_key(gid, "members"))
            .key(group_key(gid, "joined"))
            .key(group_key(gid, "reads"))
            .key(group_key(gid, "seq"))
            .key(group_key(gid, "mver"))
            .arg(uid)
            .arg(at_ms)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        match added {
            1 => Ok(true),
            0 => Ok(false),
            refused => {
                let _: () = redis
                    .srem(user_key(uid, "groups"), gid)
                    .await
                    .map_err(storage)?;
                Err(if refused == -2 {
                    CallError::remote(ResultCode::GroupFull, "the group is full")
                } else {
                    no_such_group()
                })
            }
        }
    }

    /// Removes a member; false when it was not one.
    pub async fn remove_member(&self, gid: u64, uid: u64) -> Result<bool, CallError> {
        let mut redis = self.conn();
        let (removed, _, _, _, _, _): (u32, u32, u32, u32, u32, u64) = redis::pipe()
            .atomic()
            .zrem(group_key(gid, "members"), uid)
            .hdel(group_key(gid, "joined"), uid)
            .hdel(group_key(gid, "reads"), uid)
            .srem(group_key(gid, "admins"), uid)
            .hdel(group_key(gid, "muted"), uid)
            .incr(group_key(gid, "mver"), 1)
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        // The user's index and notification setting of the group go too
        // (the user's slot: a pipeline of its own).
        let _: () = redis::pipe()
            .srem(user_key(uid, "groups"), gid)
            .ignore()
            .srem(user_key(uid, "quiet"), gid)
            .ignore()
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        Ok(removed > 0)
    }

    /// Adds `gid` to the groups `owner` owns, refused (TOO_MANY_GROUPS,
    /// "`who` N groups already") at `owner_cap`.
    async fn claim_owned(
        &self,
        owner: u64,
        gid: u64,
        owner_cap: u32,
        who: &str,
    ) -> Result<(), CallError> {
        let mut redis = self.conn();
        let claimed: i64 = CLAIM_OWNED_SCRIPT
            .key(user_key(owner, "owned"))
            .arg(gid)
            .arg(owner_cap)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        if claimed == 0 {
            return Err(CallError::remote(
                ResultCode::TooManyGroups,
                format!("{who} {owner_cap} groups already"),
            ));
        }
        Ok(())
    }

    /// Makes `uid` an admin or a plain member; true if that changed.
    pub async fn set_admin(
        &self,
        gid: u64,
        uid: u64,
        admin: bool,
        max_admins: u32,
    ) -> Result<bool, CallError> {
        let mut redis = self.conn();
        let changed: i64 = SET_ROLE_SCRIPT
            .key(group_key(gid, "info"))
            .key(group_key(gid, "members"))
            .key(group_key(gid, "admins"))
            .arg(uid)
            .arg(u8::from(admin))
            .arg(max_admins)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        match changed {
            -1 => Err(no_such_group()),
            -2 => Err(not_a_member()),
            -3 => Err(CallError::remote(
                ResultCode::BadRequest,
                "the owner's role changes only by a transfer",
            )),
            -4 => Err(CallError::remote(
                ResultCode::BadRequest,
                format!("a group has at most {max_admins} admins"),
            )),
            changed => Ok(changed == 1),
        }
    }

    /// Hands the group from `from` (its owner) to member `to`, who must own
    /// fewer than `owner_cap` groups; `from` becomes an admin. False if
    /// `to` owned it already.
    pub async fn transfer(
        &self,
        gid: u64,
        (from, to): (u64, u64),
        owner_cap: u32,
        max_admins: u32,
    ) -> Result<bool, CallError> {
        let mut redis = self.conn();
        // The new owner's index first (a cap check), taken back if the
        // transfer does not happen: an index may name a group its user
        // does not own for a moment, never the other way round.
        self.claim_owned(to, gid, owner_cap, "that user owns")
            .await?;
        let handed: i64 = TRANSFER_SCRIPT
            .key(group_key(gid, "info"))
            .key(group_key(gid, "members"))
            .key(group_key(gid, "admins"))
            .key(group_key(gid, "muted"))
            .arg(to)
            .arg(from)
            .arg(max_admins)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        if handed != 1 {
            if handed != 0 {
                let _: () = redis
                    .srem(user_key(to, "owned"), gid)
                    .await
                    .map_err(storage)?;
            }
            return match handed {
                0 => Ok(false),
                -1 => Err(no_such_group()),
                -2 => Err(not_a_member()),
                _ => Err(CallError::remote(
                    ResultCode::Forbidden,
                    "only the group's owner may hand it over",
                )),
            };
        }
        let _: () = redis
            .srem(user_key(from, "owned"), gid)
            .await
            .map_err(storage)?;
        Ok(true)
    }

    /// Mutes `member` until `until_ms` (0: lifts the mute), or without
    /// one the whole group (`until_ms` 1: muted, 0: not); false when that
    /// changed nothing.
    pub async fn mute(
        &self,
        gid: u64,
        member: Option<u64>,
        until_ms: u64,
    ) -> Result<bool, CallError> {
        let mut redis = self.conn();
        let muted: i64 = MUTE_SCRIPT
            .key(group_key(gid, "info"))
            .key(group_key(gid, "members"))
            .key(group_key(gid, "muted"))
            .arg(member.unwrap_or(0))
            .arg(until_ms)
            .invoke_async(&mut redis)
            .await
            .map_err(storage)?;
        match muted {
            -1 => Err(no_such_group()),
            -2 => Err(not_a_member()),
            done => Ok(done == 1),
        }
    }

    pub async fn members_page(
        &self,
        gid: u64,
        owner: u64,
        after_uid: u64,
        limit: u32,
    ) -> Result<MembersResponse, CallError> {
        let mut redis = self.conn();
        let (uids, more) = self
            .page_by_score(&group_key(gid, "members"), after_uid, limit)
            .await?;
        let (joined, muted, admins): (Vec<Option<u64>>, Vec<Option<String>>, Vec<u64>) =
            if uids.is_empty() {
                Default::default()
            } else {
                redis::pipe()
                    .hmget(group_key(gid, "joined"), &uids)
                    .hmget(group_key(gid, "muted"), &uids)
                    .smembers(group_key(gid, "admins"))
                    .query_async(&mut redis)
                    .await
                    .map_err(storage)?
            };
        let members: Vec<Member> = uids
            .iter()
            .zip(joined.into_iter().zip(muted))
            .map(|(&uid, (joined_at_ms, muted_until_ms))| Member {
                uid,
                role: if uid == owner {
                    Role::Owner
                } else if admins.contains(&uid) {
                    Role::Admin
                } else {
                    Role::Member
                } as i32,
                joined_at_ms: joined_at_ms.unwrap_or(0),
                // A number, or the block mark of a direct conversation
                // (not a mute a member list shows).
                muted_until_ms: muted_until_ms
                    .and_then(|until| until.parse().ok())
                    .unwrap_or(0),
            })
            .collect();
        let next_after_uid = if more {
            members.last().map_or(0, |member| member.uid)
        } else {
            0
        };
        Ok(MembersResponse {
            members,
            next_after_uid,
        })
    }

    /// Every member, with the membership version they were read at.
    pub async fn member_uids(&self, gid: u64) -> Result<(Vec<u64>, u64), CallError> {
        let mut redis = self.conn();
        let (uids, version): (Vec<u64>, Option<u64>) = redis::pipe()
            .atomic()
            .zrange(group_key(gid, "members"), 0, -1)
            .get(group_key(gid, "mver"))
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        Ok((uids, version.unwrap_or(0)))
    }

    pub async fn update_group(&self, update: DbUpdateGroup) -> Result<(), CallError> {
        let mut redis = self.conn();
        let gid = update.gid;
        let script = &*UPDATE_INFO_SCRIPT;
        let mut invocation = script.key(group_key(gid, "info"));
        for (field, value) in [
            ("name", update.name),
            ("description", update.description),
            ("avatar_url", update.avatar_url),
            (
                "public",
                update.public.map(|public| u8::from(public).to_string()),
            ),
        ] {
            if let Some(value) = value {
                invocation.arg(field).arg(value);
            }
        }
        let updated: i64 = invocation.invoke_async(&mut redis).await.map_err(storage)?;
        if updated == 0 {
            return Err(no_such_group());
        }
        match update.public {
            Some(true) => redis.zadd(PUBLIC_GROUPS, gid, gid).await.map_err(storage)?,
            Some(false) => redis.zrem(PUBLIC_GROUPS, gid).await.map_err(storage)?,
            None => {}
        }
        Ok(())
    }

    /// Removes the group with its members, history and pending requests;
    /// returns the former members.
    pub async fn delete_group(&self, gid: u64) -> Result<Vec<u64>, CallError> {
        let mut redis = self.conn();
        let owner: Option<u64> = redis
            .hget(group_key(gid, "info"), "owner")
            .await
            .map_err(storage)?;
        let Some(owner) = owner else {
            return Err(no_such_group());
        };
        let (members, _) = self.member_uids(gid).await?;
        let keys: Vec<String> = [
            "info", "members", "joined", "seq", "msgs", "reads", "apps", "invites", "mver",
            "recalled", "files", "msgfile", "first", "admins", "muted",
        ]
        .iter()
        .map(|part| group_key(gid, part))
        .chain({
            // Every de-duplication bucket that can still exist.
            let today = super::messages::dedup_day(schat_runtime::time::now_ms());
            (today.saturating_sub(2)..=today).map(move |day| super::messages::dedup_key(gid, day))
        })
        .collect();
        let _: () = redis.del(&keys).await.map_err(storage)?;
        let mut pipe = redis::pipe();
        pipe.zrem(PUBLIC_GROUPS, gid)
            .ignore()
            .srem(user_key(owner, "owned"), gid)
            .ignore();
        for uid in &members {
            pipe.srem(user_key(*uid, "groups"), gid)
                .ignore()
                .srem(user_key(*uid, "quiet"), gid)
                .ignore();
        }
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        Ok(members)
    }

    pub async fn public_page(
        &self,
        after_gid: u64,
        limit: u32,
    ) -> Result<GroupsResponse, CallError> {
        let (page, more) = self.page_by_score(PUBLIC_GROUPS, after_gid, limit).await?;
        // The cursor is the last gid looked at, listed or not (a group
        // dismissed meanwhile is skipped, not repeated).
        let last_looked_at = page.last().copied().unwrap_or(0);
        let mut groups = Vec::new();
        for gid in page {
            match self.group(gid, 0).await {
                Ok(group) => groups.extend(group.info),
                Err(err) if err.code() == ResultCode::NoSuchGroup => {}
                Err(err) => return Err(err),
            }
        }
        let next_after_gid = if more { last_looked_at } else { 0 };
        Ok(GroupsResponse {
            groups,
            next_after_gid,
        })
    }

    /// The user's groups and direct conversations with their cursors, the
    /// most recently active first, in three round trips whatever their
    /// number (four when stale index entries are removed; a list read at
    /// every login). Index entries for groups the
    /// user is no longer in are cleaned up here.
    pub async fn user_groups(&self, uid: u64) -> Result<Vec<GroupState>, CallError> {
        let mut redis = self.conn();
        let (groups, directs, quiet): (Vec<u64>, Vec<u64>, Vec<u64>) = redis::pipe()
            .smembers(user_key(uid, "groups"))
            .smembers(user_key(uid, "directs"))
            .smembers(user_key(uid, "quiet"))
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        let indexed: Vec<(u64, &str)> = groups
            .into_iter()
            .map(|gid| (gid, "groups"))
            .chain(directs.into_iter().map(|gid| (gid, "directs")))
            .collect();
        if indexed.is_empty() {
            return Ok(Vec::new());
        }
        // Per group: info, member count, latest seq, the user's member
        // score, the user's cursor.
        type One = (
            HashMap<String, String>,
            u32,
            Option<u64>,
            Option<f64>,
            Option<u64>,
        );
        let mut pipe = redis::pipe();
        for (gid, _) in &indexed {
            pipe.hgetall(group_key(*gid, "info"))
                .zcard(group_key(*gid, "members"))
                .get(group_key(*gid, "seq"))
                .zscore(group_key(*gid, "members"), uid)
                .hget(group_key(*gid, "reads"), uid);
        }
        let read: Vec<One> = pipe.query_async(&mut redis).await.map_err(storage)?;
        let mut states = Vec::new();
        let mut stale = redis::pipe();
        let mut any_stale = false;
        let mut peers = redis::pipe();
        for ((gid, index), (fields, member_count, latest_seq, score, read_seq)) in
            indexed.into_iter().zip(read)
        {
            if fields.is_empty() || score.is_none() {
                stale.srem(user_key(uid, index), gid).ignore();
                any_stale = true;
                continue;
            }
            let (mut info, _) = info_from(gid, &fields, member_count, latest_seq.unwrap_or(0));
            if info.kind() == GroupKind::Direct {
                info.peer_uid = peer_of(&fields, uid);
            }
            peers.hget(group_key(gid, "reads"), info.peer_uid);
            let read_seq = read_seq.unwrap_or(0);
            states.push(GroupState {
                unread: info.latest_seq.saturating_sub(read_seq),
                read_seq,
                peer_read_seq: 0,
                notifications_muted: quiet.contains(&gid),
                group: Some(info),
            });
        }
        // How far the other user of each direct conversation has read
        // (groups ask for uid 0's cursor: none).
        let peer_reads: Vec<Option<u64>> = if states.is_empty() {
            Vec::new()
        } else {
            peers.query_async(&mut redis).await.map_err(storage)?
        };
        for (state, peer_read) in states.iter_mut().zip(peer_reads) {
            if state
                .group
                .as_ref()
                .is_some_and(|group| group.peer_uid != 0)
            {
                state.peer_read_seq = peer_read.unwrap_or(0);
            }
        }
        if any_stale {
            let _: () = stale.query_async(&mut redis).await.map_err(storage)?;
        }
        states.sort_by_key(|state| {
            let group = state.group.as_ref();
            (
                std::cmp::Reverse(group.map_or(0, |group| group.last_activity_ms)),
                group.map_or(0, |group| group.gid),
            )
        });
        Ok(states)
    }

    /// Up to `limit` members of a sorted set (scored by their own id) above
    /// `after`, and whether more follow.
    async fn page_by_score(
        &self,
        key: &str,
        after: u64,
        limit: u32,
    ) -> Result<(Vec<u64>, bool), CallError> {
        let mut redis = self.conn();
        let mut ids: Vec<u64> = redis::cmd("ZRANGEBYSCORE")
            .arg(key)
            .arg(format!("({after}"))
            .arg("+inf")
            .arg("LIMIT")
            .arg(0)
            .arg(limit + 1)
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        let more = ids.len() > limit as usize;
        ids.truncate(limit as usize);
        Ok((ids, more))
    }

    /// Records or takes out a pending application or invitation; returns
    /// whether it existed before.
    pub async fn pending(&self, req: DbPending) -> Result<bool, CallError> {
        let mut redis = self.conn();
        let part = match req.kind() {
            schat_proto::server::db_pending::Kind::Application => "apps",
            schat_proto::server::db_pending::Kind::Invitation => "invites",
        };
        let key = group_key(req.gid, part);
        if req.put {
            let pending: u64 = redis.hlen(&key).await.map_err(storage)?;
            if pending >= MAX_PENDING {
                return Err(CallError::remote(
                    ResultCode::Forbidden,
                    format!("this group has {MAX_PENDING} pending requests already"),
                ));
            }
            let added: u32 = redis.hset(&key, req.uid, req.note).await.map_err(storage)?;
            Ok(added == 0)
        } else {
            let removed: u32 = redis.hdel(&key, req.uid).await.map_err(storage)?;
            Ok(removed > 0)
        }
    }
}

/// A GroupInfo (and the password hash) from the info hash.
/// The other user of a direct conversation, as `viewer` sees it.
fn peer_of(fields: &HashMap<String, String>, viewer: u64) -> u64 {
    let number = |name: &str| fields.get(name).and_then(|v| v.parse::<u64>().ok());
    let (a, b) = (number("a").unwrap_or(0), number("b").unwrap_or(0));
    if viewer == a {
        b
    } else {
        a
    }
}

fn info_from(
    gid: u64,
    fields: &HashMap<String, String>,
    member_count: u32,
    latest_seq: u64,
) -> (GroupInfo, String) {
    let text = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let number = |name: &str| {
        fields
            .get(name)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let policy = JoinPolicy::try_from(number("policy") as i32).unwrap_or(JoinPolicy::InviteOnly);
    let info = GroupInfo {
        gid,
        name: text("name"),
        description: text("description"),
        avatar_url: text("avatar_url"),
        owner_uid: number("owner"),
        join_policy: policy as i32,
        public: number("public") == 1,
        member_cap: number("member_cap") as u32,
        member_count,
        created_at_ms: number("created_at_ms"),
        latest_seq,
        mute_all: number("mute_all") == 1,
        kind: number("kind") as i32,
        peer_uid: 0,
        last_activity_ms: match number("last_ms") {
            0 => number("created_at_ms"),
            last => last,
        },
    };
    (info, text("password_hash"))
}

fn not_a_member() -> CallError {
    CallError::remote(ResultCode::BadRequest, "that user is not a member")
}
