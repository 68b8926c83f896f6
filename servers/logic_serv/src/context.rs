//! What every session and request handler of logic_serv shares.

use schat_proto::calls::Call;
use schat_proto::server::ProcType;
use schat_runtime::logging::Logger;
use schat_runtime::password::Passwords;
use schat_runtime::{CallError, Channel, Fabric, LiveConfig, Node, ProcConfig, Shutdown, Target};
use tokio::sync::OnceCell;

use crate::auth::Tokens;
use crate::presence::Presence;
use crate::sessions::Sessions;
use crate::{admin, files};

/// What every session of this process shares.
#[derive(Debug)]
pub(crate) struct Logic {
    pub me: ProcConfig,
    pub config: LiveConfig,
    pub db: Channel,
    pub db_id: u32,
    pub conn: Channel,
    pub conn_id: u32,
    pub fabric: Fabric,
    pub sessions: Sessions,
    pub presence: Presence,
    pub passwords: Passwords,
    pub tokens: OnceCell<Tokens>,
    pub file_keys: files::FileKeys,
    pub log: Logger,
    pub shutdown: Shutdown,
    /// For stats and admin requests.
    pub node: Node,
    pub metrics: admin::LogicMetrics,
}

impl Logic {
    /// One request to this set's db_logic_serv.
    pub async fn db<R: Call>(&self, request: R) -> Result<R::Reply, CallError> {
        self.db
            .request(Target::spec(ProcType::DbLogic, self.db_id), request)
            .await
    }
}
