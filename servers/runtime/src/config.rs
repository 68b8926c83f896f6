//! `cluster.json`: the one file that describes the whole cluster.
//!
//! Every process loads the whole file, validates it, and picks its own entry
//! by name. Unknown keys are fatal, and so is any inconsistency between
//! processes (duplicate ids or ports, a logic_serv without its conn_serv).
//! `--config-check` runs the same validation without starting anything.

use std::path::Path;
use std::time::Duration;

use schat_proto::server::ProcType;
use serde::Deserialize;

/// The parsed and validated cluster file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// Free text naming the cluster, shown in logs.
    #[serde(default = "default_cluster_name")]
    pub cluster: String,
    pub redis: RedisConfig,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub timing: Timing,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub chat: ChatConfig,
    pub procs: Vec<ProcConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    pub host: String,
    pub port: u16,
    /// Database number used by the db_* processes.
    #[serde(default)]
    pub db: u32,
    /// Where scripts/run.sh keeps Redis's files (relative to the repo root).
    #[serde(default = "default_redis_dir")]
    pub data_dir: String,
    /// Redis AOF fsync policy: what an acknowledgement guarantees.
    #[serde(default)]
    pub appendfsync: Fsync,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// fsync once a second: an acked write survives a process crash, and at
    /// most about one second of acks can be lost if the host loses power.
    #[default]
    Everysec,
    /// fsync before replying: an acked write survives power loss.
    Always,
}

impl Fsync {
    pub fn as_redis_arg(self) -> &'static str {
        match self {
            Fsync::Everysec => "everysec",
            Fsync::Always => "always",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Client connections one conn_serv holds at most.
    pub max_connections: usize,
    /// Largest frame body accepted from a client or a peer, in bytes.
    pub max_frame_bytes: usize,
    /// A client silent for this long is disconnected.
    pub client_idle_timeout_secs: u64,
    /// Frames queued for one client before it counts as too slow and is closed.
    pub client_send_queue: usize,
    /// Frames queued on one server-to-server link before sends fail as busy.
    pub peer_send_queue: usize,
    /// Threads of each process's async runtime: 1 (one small runtime per
    /// process, best with several processes per host), 0 (one per core),
    /// or a number.
    pub worker_threads: usize,
}

/// Room a server-to-server envelope needs around a client frame it carries.
pub const PEER_FRAME_HEADROOM: usize = 64 * 1024;

impl Limits {
    /// The frame limit on server-to-server links: a client frame of the
    /// maximum size must fit inside an envelope.
    pub fn peer_frame_bytes(&self) -> usize {
        self.max_frame_bytes + PEER_FRAME_HEADROOM
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 100_000,
            max_frame_bytes: schat_proto::DEFAULT_MAX_FRAME,
            client_idle_timeout_secs: 90,
            client_send_queue: 1024,
            peer_send_queue: 65_536,
            worker_threads: 1,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    /// How often a process sends a heartbeat on each server-to-server link.
    pub peer_heartbeat_ms: u64,
    /// A link silent for this long is considered dead and dropped.
    pub peer_timeout_ms: u64,
    /// How often a logic_serv confirms its users to the online_servs.
    pub presence_beat_ms: u64,
    /// An online_serv forgets a logic_serv's users after this much silence.
    pub presence_expiry_ms: u64,
    /// How long a request to another process may take.
    pub request_timeout_ms: u64,
    /// Upper bound of the reconnect back-off.
    pub reconnect_max_ms: u64,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            peer_heartbeat_ms: 500,
            peer_timeout_ms: 3_000,
            presence_beat_ms: 1_000,
            presence_expiry_ms: 5_000,
            request_timeout_ms: 5_000,
            reconnect_max_ms: 2_000,
        }
    }
}

impl Timing {
    pub fn peer_heartbeat(&self) -> Duration {
        Duration::from_millis(self.peer_heartbeat_ms)
    }
    pub fn peer_timeout(&self) -> Duration {
        Duration::from_millis(self.peer_timeout_ms)
    }
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
    pub fn reconnect_max(&self) -> Duration {
        Duration::from_millis(self.reconnect_max_ms)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of a session token.
    pub token_ttl_secs: u64,
    /// argon2id cost: memory in KiB, iterations, lanes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_lanes: u32,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        // argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).
        AuthConfig {
            token_ttl_secs: 30 * 24 * 3600,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_lanes: 1,
        }
    }
}

/// Group and message limits, applied by chat_serv.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatConfig {
    /// Member cap of a group created without one.
    pub default_member_cap: u32,
    /// Highest member cap a group may ask for.
    pub max_member_cap: u32,
    /// Groups one user may own.
    pub owner_group_cap: u32,
    /// Groups one user may belong to.
    pub user_group_cap: u32,
    /// Largest message text (bytes).
    pub max_message_bytes: usize,
    /// How long after sending a sender may recall a message.
    pub recall_window_secs: u64,
}

impl Default for ChatConfig {
    fn default() -> ChatConfig {
        ChatConfig {
            default_member_cap: 2_000,
            max_member_cap: 10_000,
            owner_group_cap: 20,
            user_group_cap: 500,
            max_message_bytes: 16 * 1024,
            recall_window_secs: 120,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// trace, debug, info, warn, error.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            level: "info".to_string(),
        }
    }
}

/// One process of the cluster.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcConfig {
    /// Unique across the cluster, never 0; the routing address.
    pub id: u32,
    /// Unique across the cluster, like `conn_serv-1`.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ProcKind,
    /// Address the process listens on and peers connect to.
    pub host: String,
    /// Listening port: clients for conn_serv, peers for the others.
    /// online_serv and chat_serv listen on nothing and have none.
    #[serde(default)]
    pub port: Option<u16>,
    /// For conn_serv and db_logic_serv: the logic_serv of their set.
    #[serde(default)]
    pub logic: Option<String>,
    /// For db_chat_serv: the chat_serv of its set.
    #[serde(default)]
    pub chat: Option<String>,
}

impl ProcConfig {
    /// The listening address; `None` for process types that listen on nothing.
    pub fn addr(&self) -> Option<String> {
        self.port.map(|port| format!("{}:{}", self.host, port))
    }

    /// The value of a set key (`"logic"` or `"chat"`).
    fn set_key(&self, key: &str) -> Option<&String> {
        match key {
            "logic" => self.logic.as_ref(),
            "chat" => self.chat.as_ref(),
            _ => None,
        }
    }
}

/// The keys that name a set's leading process.
const SET_KEYS: [&str; 2] = ["logic", "chat"];

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ProcKind {
    ConnServ,
    LogicServ,
    DbLogicServ,
    DispServ,
    OnlineServ,
    ChatServ,
    DbChatServ,
}

impl ProcKind {
    pub fn proc_type(self) -> ProcType {
        match self {
            ProcKind::ConnServ => ProcType::Conn,
            ProcKind::LogicServ => ProcType::Logic,
            ProcKind::DbLogicServ => ProcType::DbLogic,
            ProcKind::DispServ => ProcType::Disp,
            ProcKind::OnlineServ => ProcType::Online,
            ProcKind::ChatServ => ProcType::Chat,
            ProcKind::DbChatServ => ProcType::DbChat,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProcKind::ConnServ => "conn_serv",
            ProcKind::LogicServ => "logic_serv",
            ProcKind::DbLogicServ => "db_logic_serv",
            ProcKind::DispServ => "disp_serv",
            ProcKind::OnlineServ => "online_serv",
            ProcKind::ChatServ => "chat_serv",
            ProcKind::DbChatServ => "db_chat_serv",
        }
    }

    fn needs_port(self) -> bool {
        !matches!(self, ProcKind::OnlineServ | ProcKind::ChatServ)
    }

    /// For a process that belongs to a set led by another: the key that
    /// names the leader, and the leader's kind.
    fn set_leader(self) -> Option<(&'static str, ProcKind)> {
        match self {
            ProcKind::ConnServ | ProcKind::DbLogicServ => Some(("logic", ProcKind::LogicServ)),
            ProcKind::DbChatServ => Some(("chat", ProcKind::ChatServ)),
            _ => None,
        }
    }

    /// For a set's leader: the kinds of which exactly one must name it.
    fn set_members(self) -> &'static [ProcKind] {
        match self {
            ProcKind::LogicServ => &[ProcKind::ConnServ, ProcKind::DbLogicServ],
            ProcKind::ChatServ => &[ProcKind::DbChatServ],
            _ => &[],
        }
    }
}

/// Why a cluster file was refused. Every variant names the offending entry.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("procs is empty: a cluster needs at least one process")]
    NoProcs,
    #[error("proc {name:?} has id 0; ids start at 1")]
    ZeroId { name: String },
    #[error("proc id {id} is used by both {first:?} and {second:?}")]
    DuplicateId {
        id: u32,
        first: String,
        second: String,
    },
    #[error("proc name {name:?} is used twice")]
    DuplicateName { name: String },
    #[error("address {addr} is used by both {first:?} and {second:?}")]
    DuplicateAddr {
        addr: String,
        first: String,
        second: String,
    },
    #[error("{name:?} ({kind}) needs a port")]
    MissingPort { name: String, kind: &'static str },
    #[error("{name:?} ({kind}) must not have a port: it listens on nothing")]
    UnexpectedPort { name: String, kind: &'static str },
    #[error("{name:?} ({kind}) needs \"{key}\": the {leader_kind} of its set")]
    MissingSetKey {
        name: String,
        kind: &'static str,
        key: &'static str,
        leader_kind: &'static str,
    },
    #[error("{name:?} ({kind}) must not have \"{key}\"")]
    UnexpectedSetKey {
        name: String,
        kind: &'static str,
        key: &'static str,
    },
    #[error("{name:?} names {key} {leader:?}, which is not a {leader_kind} in procs")]
    UnknownLeader {
        name: String,
        key: &'static str,
        leader: String,
        leader_kind: &'static str,
    },
    #[error(
        "{leader_kind} {leader:?} has no {kind} naming it; every {leader_kind} needs exactly one"
    )]
    SetWithout {
        leader: String,
        leader_kind: &'static str,
        kind: &'static str,
    },
    #[error("{leader_kind} {leader:?} is named by two {kind}s: {first:?} and {second:?}")]
    SetSharedBy {
        leader: String,
        leader_kind: &'static str,
        kind: &'static str,
        first: String,
        second: String,
    },
    #[error("a cluster with {needs} needs at least one {kind}")]
    MissingKind {
        needs: &'static str,
        kind: &'static str,
    },
    #[error("redis: {0}")]
    Redis(String),
    #[error("{field}: {problem}")]
    Value {
        field: &'static str,
        problem: String,
    },
    #[error("no proc named {0:?} in the cluster file")]
    UnknownProc(String),
}

impl ClusterConfig {
    /// Reads and validates a cluster file.
    pub fn load(path: &Path) -> Result<ClusterConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        ClusterConfig::parse(&text).map_err(|err| match err {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.display().to_string(),
                source,
            },
            other => other,
        })
    }

    /// Parses and validates cluster JSON.
    pub fn parse(text: &str) -> Result<ClusterConfig, ConfigError> {
        let config: ClusterConfig =
            serde_json::from_str(text).map_err(|source| ConfigError::Parse {
                path: "cluster config".to_string(),
                source,
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the whole topology; see [`ConfigError`] for what is refused.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::topology(self)?;
        validate::values(self)
    }

    pub fn proc_by_name(&self, name: &str) -> Result<&ProcConfig, ConfigError> {
        self.procs
            .iter()
            .find(|proc| proc.name == name)
            .ok_or_else(|| ConfigError::UnknownProc(name.to_string()))
    }

    pub fn proc_by_id(&self, id: u32) -> Option<&ProcConfig> {
        self.procs.iter().find(|proc| proc.id == id)
    }

    pub fn procs_of(&self, kind: ProcKind) -> impl Iterator<Item = &ProcConfig> {
        self.procs.iter().filter(move |proc| proc.kind == kind)
    }

    /// The logic_serv of the set that `proc` (a conn_serv or db_logic_serv)
    /// belongs to. Validation guarantees it exists.
    pub fn logic_of(&self, proc: &ProcConfig) -> Result<&ProcConfig, ConfigError> {
        self.proc_by_name(proc.logic.as_deref().unwrap_or_default())
    }

    /// The chat_serv of the set that `proc` (a db_chat_serv) belongs to.
    pub fn chat_of(&self, proc: &ProcConfig) -> Result<&ProcConfig, ConfigError> {
        self.proc_by_name(proc.chat.as_deref().unwrap_or_default())
    }

    /// The process of `kind` in the set led by `leader_name` (a logic_serv
    /// or chat_serv).
    pub fn paired_with(&self, leader_name: &str, kind: ProcKind) -> Option<&ProcConfig> {
        let (key, _) = kind.set_leader()?;
        self.procs_of(kind)
            .find(|proc| proc.set_key(key).map(String::as_str) == Some(leader_name))
    }

    /// Listen addresses of every disp_serv, with their ids.
    pub fn disp_addrs(&self) -> Vec<(u32, String)> {
        self.procs_of(ProcKind::DispServ)
            .filter_map(|proc| proc.addr().map(|addr| (proc.id, addr)))
            .collect()
    }

    pub fn redis_url(&self) -> String {
        format!(
            "redis://{}:{}/{}",
            self.redis.host, self.redis.port, self.redis.db
        )
    }
}

fn default_cluster_name() -> String {
    "schat".to_string()
}

fn default_redis_dir() -> String {
    "data/redis".to_string()
}

mod validate;

#[cfg(test)]
mod tests;
