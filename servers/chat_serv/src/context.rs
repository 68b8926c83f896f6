//! What every handler and every group actor of chat_serv shares.

use std::sync::Mutex;

use schat_proto::calls::Call;
use schat_proto::server::{ProcType, ServerMsg};
use schat_runtime::password::Passwords;
use schat_runtime::presence_map::PresenceMap;
use schat_runtime::rpc::reply_of;
use schat_runtime::stats::Stats;
use schat_runtime::{CallError, Channel, Fabric, LiveConfig, Logger, Node, Target};

use crate::actors::GroupActors;
use crate::admin::ChatMetrics;
use crate::offline_push::OfflinePush;
use crate::typing::TypingLimit;

/// chat_serv's shared state: its links, its view of presence, and the
/// handle of its group actors.
#[derive(Debug)]
pub(crate) struct Chat {
    pub config: LiveConfig,
    pub db: Channel,
    pub db_id: u32,
    pub fabric: Fabric,
    pub passwords: Passwords,
    /// The active groups, one actor each.
    pub groups: GroupActors,
    /// Who is online where, followed from the logics' presence packets
    /// (as online_serv does), so fan-out needs no lookup.
    pub presence: Mutex<PresenceMap>,
    pub log: Logger,
    /// For stats and admin requests.
    pub node: Node,
    pub stats: Stats,
    pub metrics: ChatMetrics,
    /// How often each user's typing in each conversation is passed on.
    pub typing: TypingLimit,
    /// Notifications for offline members, to the push gateway.
    pub offline_push: OfflinePush,
}

impl Chat {
    /// One request to this set's db_chat_serv.
    pub async fn db<R: Call>(&self, request: R) -> Result<R::Reply, CallError> {
        self.db.request(self.db_target(), request).await
    }

    /// One request `R` to this set's db_chat_serv whose body the caller
    /// keeps.
    pub async fn db_ref<R: Call>(&self, body: &ServerMsg) -> Result<R::Reply, CallError> {
        reply_of::<R>(self.db.call_ref(self.db_target(), body).await?)
    }

    fn db_target(&self) -> Target {
        Target::spec(ProcType::DbChat, self.db_id)
    }

    pub fn lock_presence(&self) -> std::sync::MutexGuard<'_, PresenceMap> {
        self.presence
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}
