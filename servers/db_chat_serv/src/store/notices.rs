//! Notices: a per-user list of things to tell the user (applications,
//! decisions, invitations, kicks, dismissals), kept until acknowledged.

use std::collections::HashMap;

use redis::AsyncCommands;
use schat_proto::client::{Notice, ResultCode};
use schat_proto::{Bytes, Wire};
use schat_runtime::CallError;

use super::{storage, user_key, Store};

/// Notices kept per user; the oldest go first beyond this.
pub const MAX_NOTICES: usize = 1000;

impl Store {
    /// Stores a notice; returns it with its id.
    pub async fn put_notice(&self, uid: u64, mut notice: Notice) -> Result<Notice, CallError> {
        let mut redis = self.conn();
        notice.id = redis
            .incr(user_key(uid, "notice_next"), 1)
            .await
            .map_err(storage)?;
        let _: () = redis
            .hset(
                user_key(uid, "notices"),
                notice.id,
                notice.encode_frame().as_ref(),
            )
            .await
            .map_err(storage)?;
        if notice.id as usize > MAX_NOTICES {
            // Ids are dense, so this trims the oldest one.
            let _: () = redis
                .hdel(user_key(uid, "notices"), notice.id - MAX_NOTICES as u64)
                .await
                .map_err(storage)?;
        }
        Ok(notice)
    }

    /// At most `limit` notices with id above `after_id`, oldest first.
    pub async fn notices(
        &self,
        uid: u64,
        after_id: u64,
        limit: usize,
    ) -> Result<Vec<Notice>, CallError> {
        let mut redis = self.conn();
        let stored: HashMap<u64, Vec<u8>> = redis
            .hgetall(user_key(uid, "notices"))
            .await
            .map_err(storage)?;
        let mut notices = Vec::new();
        for (id, body) in stored {
            if id <= after_id {
                continue;
            }
            let notice = Notice::decode_frame(Bytes::from(body)).map_err(|err| {
                CallError::remote(ResultCode::Internal, format!("stored notice {id}: {err}"))
            })?;
            notices.push(notice);
        }
        notices.sort_by_key(|notice| notice.id);
        notices.truncate(limit);
        Ok(notices)
    }

    /// Removes notices up to and including `up_to_id`.
    pub async fn ack_notices(&self, uid: u64, up_to_id: u64) -> Result<(), CallError> {
        let mut redis = self.conn();
        let ids: Vec<u64> = redis
            .hkeys(user_key(uid, "notices"))
            .await
            .map_err(storage)?;
        let done: Vec<u64> = ids.into_iter().filter(|&id| id <= up_to_id).collect();
        if !done.is_empty() {
            let _: () = redis
                .hdel(user_key(uid, "notices"), &done)
                .await
                .map_err(storage)?;
        }
        Ok(())
    }
}
