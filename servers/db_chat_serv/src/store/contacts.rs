//! Contacts, blocks, privacy, offline push mutes, and the direct
//! conversation of two users.
//! A user's contact keys share the hash tag `{u:<uid>}`; a change between
//! two users touches both users' keys one command at a time (each on one
//! slot), ordered so that a crash in between leaves at worst a stale
//! pending request, a one-sided contact, or a block mark that the next
//! open of the conversation lifts — never a block that does not hold.
//!
//! A direct conversation is a group of kind DIRECT whose members are its
//! two users, so it keeps the groups' promises (gap-free seq, acknowledged
//! once stored, de-duplication, recall, read cursors) and is sharded by its
//! gid like any group. `{dm:<lo>:<hi>}` names it for the pair.

use std::collections::HashMap;

use redis::AsyncCommands;
use schat_proto::client::{
    Contact, ContactRequestInfo, ContactsResponse, GroupKind, JoinPolicy, Privacy, ResultCode,
};
use schat_proto::server::{db_contact_change::Kind, DbContactChange, DbContactDone, DbGroup};
use schat_runtime::storage::fresh_id;
use schat_runtime::CallError;

use super::{group_key, storage, user_key, Store};

/// Users one user may block.
pub const MAX_BLOCKED: usize = 1_000;

/// What a block marks in the pair's conversation (`{g:<gid>}:muted`, for
/// the blocked user): the append script refuses that user's sends there.
pub const BLOCKED_MARK: &str = "b";

/// The key naming the direct conversation of two users.
fn pair_key(a: u64, b: u64) -> String {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    format!("{{dm:{lo}:{hi}}}")
}

fn refused(code: ResultCode, reason: &str) -> CallError {
    CallError::remote(code, reason.to_string())
}

/// A change that needs no notice and makes no contacts.
const QUIET: DbContactDone = DbContactDone {
    notify: false,
    contacts: false,
};

impl Store {
    /// A user's contacts, requests both ways, blocks and privacy.
    pub async fn contacts(&self, uid: u64) -> Result<ContactsResponse, CallError> {
        let mut redis = self.conn();
        type Replies = (
            HashMap<u64, u64>,
            HashMap<u64, String>,
            Vec<u64>,
            Vec<u64>,
            Option<i32>,
        );
        let (contacts, incoming, mut outgoing, mut blocked, privacy): Replies = redis::pipe()
            .hgetall(user_key(uid, "contacts"))
            .hgetall(user_key(uid, "asks_in"))
            .smembers(user_key(uid, "asks_out"))
            .smembers(user_key(uid, "blocked"))
            .get(user_key(uid, "privacy"))
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        let mut contacts: Vec<Contact> = contacts
            .into_iter()
            .map(|(uid, since_ms)| Contact {
                uid,
                since_ms,
                online: false,
            })
            .collect();
        contacts.sort_by_key(|contact| contact.uid);
        let mut incoming: Vec<ContactRequestInfo> = incoming
            .into_iter()
            .map(|(from_uid, note)| ContactRequestInfo { from_uid, note })
            .collect();
        incoming.sort_by_key(|request| request.from_uid);
        outgoing.sort_unstable();
        blocked.sort_unstable();
        Ok(ContactsResponse {
            contacts,
            incoming,
            outgoing,
            blocked,
            privacy: privacy.unwrap_or(Privacy::Anyone as i32),
        })
    }

    /// Applies one change of `uid`'s contacts with `peer_uid`.
    pub async fn contact_change(
        &self,
        change: DbContactChange,
    ) -> Result<DbContactDone, CallError> {
        let (uid, peer) = (change.uid, change.peer_uid);
        if uid == peer && change.kind() != Kind::Privacy {
            return Err(refused(ResultCode::BadRequest, "that is you"));
        }
        match change.kind() {
            Kind::Ask => {
                self.ask(uid, peer, &change.note, change.at_ms, change.max_pending)
                    .await
            }
            Kind::Accept => {
                self.take_request(uid, peer).await?;
                self.befriend(uid, peer, change.at_ms).await?;
                Ok(DbContactDone {
                    notify: true,
                    contacts: true,
                })
            }
            Kind::Decline => {
                self.take_request(uid, peer).await?;
                Ok(DbContactDone {
                    notify: true,
                    contacts: false,
                })
            }
            Kind::Remove => {
                self.unfriend(uid, peer).await?;
                Ok(QUIET)
            }
            Kind::Block => {
                self.block(uid, peer).await?;
                Ok(QUIET)
            }
            Kind::Unblock => {
                self.unblock(uid, peer).await?;
                Ok(QUIET)
            }
            Kind::Privacy => {
                let privacy = change.privacy;
                let mut redis = self.conn();
                let _: () = redis
                    .set(user_key(uid, "privacy"), privacy)
                    .await
                    .map_err(storage)?;
                Ok(QUIET)
            }
        }
    }

    async fn ask(
        &self,
        uid: u64,
        peer: u64,
        note: &str,
        at_ms: u64,
        max_pending: u32,
    ) -> Result<DbContactDone, CallError> {
        let mut redis = self.conn();
        let (blocked, contacts, asked_me, asked_before, pending): (bool, bool, bool, bool, u32) =
            redis::pipe()
                .sismember(user_key(peer, "blocked"), uid)
                .hexists(user_key(uid, "contacts"), peer)
                .hexists(user_key(uid, "asks_in"), peer)
                .sismember(user_key(uid, "asks_out"), peer)
                .scard(user_key(uid, "asks_out"))
                .query_async(&mut redis)
                .await
                .map_err(storage)?;
        if blocked {
            return Err(refused(
                ResultCode::Forbidden,
                "this user does not take your requests",
            ));
        }
        if contacts {
            return Err(refused(ResultCode::BadRequest, "you are contacts already"));
        }
        if asked_me {
            // Both want it: accepting the peer's request.
            self.take_request(uid, peer).await?;
            self.befriend(uid, peer, at_ms).await?;
            return Ok(DbContactDone {
                notify: true,
                contacts: true,
            });
        }
        if !asked_before && pending >= max_pending {
            return Err(CallError::remote(
                ResultCode::RateLimited,
                format!("you have {max_pending} contact requests unanswered; wait for answers"),
            ));
        }
        // The sender's side first: a crash in between leaves a request the
        // sender sees and can send again, not one the peer sees alone.
        let _: () = redis
            .sadd(user_key(uid, "asks_out"), peer)
            .await
            .map_err(storage)?;
        let _: () = redis
            .hset(user_key(peer, "asks_in"), uid, note)
            .await
            .map_err(storage)?;
        Ok(DbContactDone {
            notify: !asked_before,
            contacts: false,
        })
    }

    /// Takes `peer`'s pending request to `uid` out; refused when there is
    /// none.
    async fn take_request(&self, uid: u64, peer: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let taken: u32 = redis
            .hdel(user_key(uid, "asks_in"), peer)
            .await
            .map_err(storage)?;
        let _: () = redis
            .srem(user_key(peer, "asks_out"), uid)
            .await
            .map_err(storage)?;
        if taken == 0 {
            return Err(refused(
                ResultCode::BadRequest,
                "no pending contact request from that user",
            ));
        }
        Ok(())
    }

    async fn befriend(&self, uid: u64, peer: u64, at_ms: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let _: () = redis
            .hset(user_key(uid, "contacts"), peer, at_ms)
            .await
            .map_err(storage)?;
        let _: () = redis
            .hset(user_key(peer, "contacts"), uid, at_ms)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn unfriend(&self, uid: u64, peer: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let _: () = redis
            .hdel(user_key(uid, "contacts"), peer)
            .await
            .map_err(storage)?;
        let _: () = redis
            .hdel(user_key(peer, "contacts"), uid)
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// `uid` blocks `peer`: the block first (it is what must hold), then
    /// the pair's contact and requests go, and the peer may no longer send
    /// in their conversation.
    async fn block(&self, uid: u64, peer: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let (already, count): (bool, usize) = redis::pipe()
            .sismember(user_key(uid, "blocked"), peer)
            .scard(user_key(uid, "blocked"))
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        if !already && count >= MAX_BLOCKED {
            return Err(refused(
                ResultCode::BadRequest,
                "you have blocked as many users as allowed",
            ));
        }
        let _: () = redis
            .sadd(user_key(uid, "blocked"), peer)
            .await
            .map_err(storage)?;
        if let Some(gid) = self.direct_of(uid, peer).await? {
            let _: () = redis
                .hset(group_key(gid, "muted"), peer, BLOCKED_MARK)
                .await
                .map_err(storage)?;
        }
        self.unfriend(uid, peer).await?;
        let mut pipe = redis::pipe();
        pipe.hdel(user_key(uid, "asks_in"), peer)
            .ignore()
            .srem(user_key(uid, "asks_out"), peer)
            .ignore();
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        let mut pipe = redis::pipe();
        pipe.hdel(user_key(peer, "asks_in"), uid)
            .ignore()
            .srem(user_key(peer, "asks_out"), uid)
            .ignore();
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        Ok(())
    }

    /// The block list first, then the mark (direct conversations have no
    /// other mutes): interrupted in between, the mark outlives the block
    /// until the next open of the conversation lifts it.
    async fn unblock(&self, uid: u64, peer: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let _: () = redis
            .srem(user_key(uid, "blocked"), peer)
            .await
            .map_err(storage)?;
        if let Some(gid) = self.direct_of(uid, peer).await? {
            let _: () = redis
                .hdel(group_key(gid, "muted"), peer)
                .await
                .map_err(storage)?;
        }
        Ok(())
    }

    /// The gid of the pair's direct conversation, if it has one.
    async fn direct_of(&self, a: u64, b: u64) -> Result<Option<u64>, CallError> {
        let mut redis = self.conn();
        redis.get(pair_key(a, b)).await.map_err(storage)
    }

    /// The direct conversation of `uid` and `peer`, as `uid` sees it;
    /// created on first open. Refused when `peer` blocked `uid`; a new one
    /// also when `peer` takes direct messages from contacts only and `uid`
    /// is not one (a conversation that exists stays usable).
    pub async fn open_direct(&self, uid: u64, peer: u64, at_ms: u64) -> Result<DbGroup, CallError> {
        if uid == peer {
            return Err(refused(
                ResultCode::BadRequest,
                "a direct conversation is with someone else",
            ));
        }
        let mut redis = self.conn();
        let blocked: bool = redis
            .sismember(user_key(peer, "blocked"), uid)
            .await
            .map_err(storage)?;
        if blocked {
            return Err(refused(
                ResultCode::Forbidden,
                "you cannot message this user",
            ));
        }
        let gid = match self.direct_of(uid, peer).await? {
            Some(gid) => gid,
            None => {
                let (privacy, contact): (Option<i32>, bool) = redis::pipe()
                    .get(user_key(peer, "privacy"))
                    .hexists(user_key(peer, "contacts"), uid)
                    .query_async(&mut redis)
                    .await
                    .map_err(storage)?;
                if privacy == Some(Privacy::ContactsOnly as i32) && !contact {
                    return Err(refused(
                        ResultCode::Forbidden,
                        "this user takes direct messages from contacts only",
                    ));
                }
                self.create_direct(uid, peer, at_ms).await?
            }
        };
        // Every open (re)indexes it: a crash after creating it leaves no
        // conversation missing from a list for long.
        let mut pipe = redis::pipe();
        pipe.sadd(user_key(uid, "directs"), gid)
            .ignore()
            .sadd(user_key(peer, "directs"), gid)
            .ignore();
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        self.sync_block_marks(gid, uid, peer).await?;
        self.group(gid, uid).await
    }

    /// Makes the conversation's block marks say what the two users' block
    /// lists say. A block stores itself and then marks the conversation if
    /// there is one; an open finds (or makes) the conversation and then
    /// reads the block lists here: whichever runs second sees the other's
    /// write, so a block made while the conversation is being created
    /// still holds, and a mark left by an interrupted unblock is lifted.
    async fn sync_block_marks(&self, gid: u64, a: u64, b: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let (a_blocks_b, b_blocks_a): (bool, bool) = redis::pipe()
            .sismember(user_key(a, "blocked"), b)
            .sismember(user_key(b, "blocked"), a)
            .query_async(&mut redis)
            .await
            .map_err(storage)?;
        let mut pipe = redis::pipe();
        for (blocked, user) in [(a_blocks_b, b), (b_blocks_a, a)] {
            if blocked {
                pipe.hset(group_key(gid, "muted"), user, BLOCKED_MARK)
                    .ignore();
            } else {
                pipe.hdel(group_key(gid, "muted"), user).ignore();
            }
        }
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        Ok(())
    }

    /// Creates the pair's conversation, unless another open created it at
    /// the same moment (then that one is used and this one removed).
    async fn create_direct(&self, a: u64, b: u64, at_ms: u64) -> Result<u64, CallError> {
        let mut redis = self.conn();
        let gid = fresh_id(
            &mut redis,
            "{cfg}:gid_next",
            |gid| group_key(gid, "info"),
            at_ms,
        )
        .await?;
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(
                group_key(gid, "info"),
                &[
                    ("kind", (GroupKind::Direct as i32).to_string()),
                    ("a", lo.to_string()),
                    ("b", hi.to_string()),
                    ("owner", "0".to_string()),
                    ("policy", (JoinPolicy::InviteOnly as i32).to_string()),
                    ("public", "0".to_string()),
                    ("member_cap", "2".to_string()),
                    ("created_at_ms", at_ms.to_string()),
                ],
            )
            .zadd(group_key(gid, "members"), lo, lo)
            .zadd(group_key(gid, "members"), hi, hi)
            .hset(group_key(gid, "joined"), lo, at_ms)
            .hset(group_key(gid, "joined"), hi, at_ms)
            .hset(group_key(gid, "reads"), lo, 0)
            .hset(group_key(gid, "reads"), hi, 0);
        let _: () = pipe.query_async(&mut redis).await.map_err(storage)?;
        let named: bool = redis::cmd("SET")
            .arg(pair_key(a, b))
            .arg(gid)
            .arg("NX")
            .query_async::<Option<String>>(&mut redis)
            .await
            .map_err(storage)?
            .is_some();
        if named {
            return Ok(gid);
        }
        let keys: Vec<String> = ["info", "members", "joined", "reads"]
            .iter()
            .map(|part| group_key(gid, part))
            .collect();
        let _: () = redis.del(&keys).await.map_err(storage)?;
        self.direct_of(a, b).await?.ok_or_else(|| {
            refused(
                ResultCode::Unavailable,
                "the conversation is being created; try again",
            )
        })
    }

    /// Turns the user's offline push notifications of `gid` off (`muted`)
    /// or on again.
    pub async fn set_quiet(&self, uid: u64, gid: u64, muted: bool) -> Result<(), CallError> {
        let mut redis = self.conn();
        let key = user_key(uid, "quiet");
        let _: i64 = if muted {
            redis.sadd(key, gid).await
        } else {
            redis.srem(key, gid).await
        }
        .map_err(storage)?;
        Ok(())
    }

    /// Which of the (uid, gid) pairs have notifications muted (one
    /// round trip; each pair's key is its user's).
    pub async fn quiet_of(&self, pairs: &[(u64, u64)]) -> Result<Vec<bool>, CallError> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let mut redis = self.conn();
        let mut pipe = redis::pipe();
        for (uid, gid) in pairs {
            pipe.sismember(user_key(*uid, "quiet"), *gid);
        }
        pipe.query_async(&mut redis).await.map_err(storage)
    }
}
