//! `cluster.json`: the one file that describes the whole cluster.
//!
//! Every process loads the whole file, validates it, and picks its own entry
//! by name. Unknown keys are fatal, and so is any inconsistency between
//! processes (duplicate ids or ports, a logic_serv without its conn_serv).
//! `--config-check` runs the same validation without starting anything.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use schat_proto::server::ProcType;
use serde::{Deserialize, Serialize};

/// The parsed and validated cluster file.
#[derive(Clone, Debug, Deserialize, Serialize)]
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
    #[serde(default)]
    pub files: FilesConfig,
    #[serde(default)]
    pub directory: DirectoryConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub manage: ManageConfig,
    /// Notifications to a push gateway for members offline when a message
    /// is fanned out (off unless `url` is set).
    #[serde(default)]
    pub offline_push: OfflinePushConfig,
    /// The machines the cluster runs on, by name, for the push tool; when
    /// present, every process's `host` names one of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hosts: BTreeMap<String, HostConfig>,
    pub procs: Vec<ProcConfig>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// One Redis server (left out with `cluster_nodes`).
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: u16,
    /// A Redis Cluster instead: `host:port` of some of its nodes (seeds;
    /// the rest is learned from them). Every key of one user or one group
    /// hashes to one slot, so the data model runs on it unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_nodes: Vec<String>,
    /// Database number used by the db_* processes.
    #[serde(default)]
    pub db: u32,
    /// Where scripts/run.sh keeps Redis's files (relative to the repo root).
    #[serde(default = "default_redis_dir")]
    pub data_dir: String,
    /// Redis AOF fsync policy: what an acknowledgement guarantees.
    #[serde(default)]
    pub appendfsync: Fsync,
    /// Redis's memory limit (scripts/run.sh starts it with this and
    /// `noeviction`: past it, writes are refused as "storage is full" and
    /// nothing stored is evicted); 0 leaves Redis without one.
    #[serde(default = "default_redis_maxmemory_mb")]
    pub maxmemory_mb: u64,
    /// db_chat_serv logs an alarm (error level) while Redis uses at least
    /// this share of its memory limit, and when it falls back below.
    #[serde(default = "default_memory_alarm_percent")]
    pub memory_alarm_percent: u8,
    /// Replicas that must confirm a stored message (Redis WAIT) before it
    /// is acknowledged: 0 acknowledges once the primary stored it (a
    /// primary lost before replicating can lose acknowledged messages); 1
    /// also waits for one replica.
    #[serde(default)]
    pub ack_replicas: u8,
    /// How long a send waits for that confirmation before it is answered
    /// UNAVAILABLE (stored; a retry with the same client_msg_id answers
    /// its seq once a replica has it).
    #[serde(default = "default_ack_timeout_ms")]
    pub ack_timeout_ms: u64,
}

fn default_ack_timeout_ms() -> u64 {
    1_000
}

impl RedisConfig {
    /// The URL of the one Redis server (`cluster_nodes` empty).
    pub fn url(&self) -> String {
        format!("redis://{}:{}/{}", self.host, self.port, self.db)
    }

    /// Where the db_* processes connect, for logs and errors.
    pub fn describe(&self) -> String {
        if !self.is_cluster() {
            self.url()
        } else {
            format!("Redis Cluster {}", self.cluster_nodes.join(","))
        }
    }

    pub fn is_cluster(&self) -> bool {
        !self.cluster_nodes.is_empty()
    }
}

fn default_redis_maxmemory_mb() -> u64 {
    1024
}

fn default_memory_alarm_percent() -> u8 {
    80
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
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

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Client connections one conn_serv holds at most.
    pub max_connections: usize,
    /// Largest frame body accepted from a client or a peer, in bytes.
    pub max_frame_bytes: usize,
    /// A client silent for this long is disconnected.
    pub client_idle_timeout_secs: u64,
    /// A connection must log in within this long after it opens (and after
    /// a logout); pings do not extend it.
    pub client_login_timeout_secs: u64,
    /// Connections one client address may hold on one conn_serv (an IPv6
    /// client counts as its /64); 0: no cap.
    pub max_connections_per_addr: usize,
    /// Frames queued for one client before it counts as too slow and is closed.
    pub client_send_queue: usize,
    /// Bytes queued for one client (and being written to it) before it
    /// counts as too slow and is closed: what one client that stops
    /// reading can make conn_serv hold.
    pub client_send_queue_bytes: usize,
    /// Frames queued on one server-to-server link before sends fail as busy.
    pub peer_send_queue: usize,
    /// Threads of each process's async runtime: 1 (one small runtime per
    /// process, best with several processes per host), 0 (one per core),
    /// or a number.
    pub worker_threads: usize,
    /// Origins (`scheme://host[:port]`) of web pages, besides the
    /// cluster's own dir_servs (which serve the web app), that may open a
    /// WebSocket to a conn_serv's `ws_port` and upload to the file servers
    /// (CORS); see [`ClusterConfig::web_origins`]. A browser's upgrade from
    /// any other is refused (403). Clients that send no Origin (not
    /// browsers) are let in. (`websocket_origins` is its former name.)
    #[serde(alias = "websocket_origins")]
    pub web_origins: Vec<String>,
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
            client_login_timeout_secs: 15,
            max_connections_per_addr: 1000,
            client_send_queue: 1024,
            client_send_queue_bytes: 2 * 1024 * 1024,
            peer_send_queue: 65_536,
            worker_threads: 1,
            web_origins: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
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

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of a session token.
    pub token_ttl_secs: u64,
    /// argon2id cost: memory in KiB, iterations, lanes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_lanes: u32,
    /// Devices one user may be logged in on at once (1 to
    /// [`MAX_DEVICES_LIMIT`]); a login from one more is refused.
    pub max_devices: u32,
    /// Back-off against password guessing and limits on registration.
    pub throttle: AuthThrottle,
}

/// The most `auth.max_devices` may be.
pub const MAX_DEVICES_LIMIT: u32 = 32;

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        // argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).
        AuthConfig {
            token_ttl_secs: 30 * 24 * 3600,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_lanes: 1,
            max_devices: 5,
            throttle: AuthThrottle::default(),
        }
    }
}

/// Password logins and registrations, throttled in Redis so every logic
/// sees the same counts. After the free failures, each further failure
/// doubles the wait before the next attempt (from `backoff_base_ms` up to
/// `backoff_max_secs`); attempts while waiting are refused without
/// checking the password. Failures are forgotten `window_secs` after the
/// last one; an account's, also at a successful login.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthThrottle {
    /// Failed password logins for one account before back-off starts.
    pub account_free_failures: u32,
    /// Failed password logins from one address before back-off starts.
    pub address_free_failures: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_secs: u64,
    pub window_secs: u64,
    /// Accounts one address may register per hour; 0: no limit.
    pub registrations_per_hour: u32,
    /// Failed logins one connection may make before it is closed.
    pub connection_failures: u32,
    /// Throttle loopback addresses by address too (off by default: local
    /// tools, tests and benchmarks share 127.0.0.1). Accounts are always
    /// throttled.
    pub on_loopback: bool,
}

impl Default for AuthThrottle {
    fn default() -> AuthThrottle {
        AuthThrottle {
            account_free_failures: 5,
            address_free_failures: 20,
            backoff_base_ms: 1000,
            backoff_max_secs: 900,
            window_secs: 3600,
            registrations_per_hour: 20,
            connection_failures: 10,
            on_loopback: false,
        }
    }
}

/// Group and message limits, applied by chat_serv.
#[derive(Clone, Debug, Deserialize, Serialize)]
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
    /// Messages one user may send per second, on average (a token bucket
    /// per session); 0: no limit.
    pub send_rate_per_sec: u32,
    /// Messages one user may send in a burst above that rate.
    pub send_burst: u32,
    /// Messages kept per group: once a group has more, each new message
    /// deletes the oldest kept one (its files released as by a recall);
    /// 0 keeps every message.
    pub history_max_messages: u64,
    /// Writes (sends, recalls, system messages) one group holds at most
    /// while they wait to be stored: past it a send is answered BUSY.
    pub group_queue_max: u32,
    /// A group's actor in chat_serv stops after this long without a write
    /// (its member cache goes with it).
    pub group_idle_secs: u64,
    /// Largest group whose read receipts (who has read a message) may be
    /// asked for: the answer reads every member's cursor. 0: never.
    pub receipts_max_members: u32,
    /// Contact requests one user may have waiting for an answer at once.
    pub contact_requests_max: u32,
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
            send_rate_per_sec: 20,
            send_burst: 40,
            history_max_messages: 0,
            group_queue_max: 1_024,
            group_idle_secs: 300,
            receipts_max_members: 500,
            contact_requests_max: 100,
        }
    }
}

/// Offline push: chat_serv posts batches of notifications for members who
/// were offline when a message of theirs was fanned out, to a gateway the
/// operator runs in front of APNs / FCM (docs/OPERATIONS.md says what it
/// receives and how to check the signature).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OfflinePushConfig {
    /// The gateway's endpoint (https; http only on a loopback address).
    /// Empty: no offline push.
    pub url: String,
    /// The key every body is signed with (HMAC-SHA256), at least 16
    /// characters. A secret: keep it out of version control.
    pub signing_key: String,
    /// Put the message's text in the notification (otherwise only who
    /// wrote where, and how many).
    pub include_body: bool,
    /// At most one notification per user per this many seconds: a busy
    /// group gives one notification with a count, not one per message.
    pub coalesce_secs: u64,
    /// Notifications per request.
    pub batch_max: u32,
    /// Users with a notification waiting, at most; past it new ones are
    /// dropped (counted and logged).
    pub queue_max: u32,
    /// Attempts of one batch after the first, with back-off (0.5 s, 1 s,
    /// 2 s, ... up to 30 s) while the gateway fails or answers 5xx.
    pub retries: u32,
    /// How long one request may take.
    pub timeout_ms: u64,
    /// An extra CA certificate (PEM) to trust for the gateway's HTTPS.
    pub ca_file: String,
}

impl Default for OfflinePushConfig {
    fn default() -> OfflinePushConfig {
        OfflinePushConfig {
            url: String::new(),
            signing_key: String::new(),
            include_body: false,
            coalesce_secs: 30,
            batch_max: 100,
            queue_max: 10_000,
            retries: 5,
            timeout_ms: 5_000,
            ca_file: String::new(),
        }
    }
}

impl OfflinePushConfig {
    pub fn enabled(&self) -> bool {
        !self.url.is_empty()
    }
}

/// Uploads, downloads and file tokens (file_serv, and logic for tokens).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Lifetime of a file token; logic pushes a fresh one at half-life.
    pub token_ttl_secs: u64,
    /// A new file-token key every this many seconds; tokens signed with the
    /// previous key stay valid until they expire.
    pub key_rotation_secs: u64,
    /// Types accepted besides images, audio and video, as MIME types
    /// detected from the content (like "application/pdf").
    pub other_types: Vec<String>,
    /// How long file_serv trusts a group membership answer.
    pub member_cache_secs: u64,
    /// How long after a release file_serv deletes a file (if it is still
    /// unreferenced then): room for someone who uploaded the same content
    /// to send it.
    pub release_delay_secs: u64,
    /// A file that nothing references this long after its last upload (an
    /// upload never sent, or a release that was lost) is deleted by the
    /// file_serv's sweep; 0 turns the sweep off.
    pub orphan_after_secs: u64,
    /// How often the sweep looks.
    pub sweep_interval_secs: u64,
    pub throttle: ThrottleConfig,
}

impl Default for FilesConfig {
    fn default() -> FilesConfig {
        FilesConfig {
            max_upload_bytes: 20 * 1024 * 1024,
            token_ttl_secs: 3_600,
            key_rotation_secs: 24 * 3_600,
            other_types: vec!["application/pdf".to_string(), "application/zip".to_string()],
            member_cache_secs: 10,
            release_delay_secs: 60,
            orphan_after_secs: 24 * 3600,
            sweep_interval_secs: 3600,
            throttle: ThrottleConfig::default(),
        }
    }
}

/// Per-client-address throttling of failed HTTP requests (file_serv).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottleConfig {
    /// Failures (4xx answers) from one address within `window_secs` that
    /// get it blocked; 0 turns throttling off.
    pub max_failures: u32,
    pub window_secs: u64,
    /// How long a blocked address gets 429 for every request.
    pub block_secs: u64,
    /// Throttle loopback addresses too (off by default: local tools and
    /// tests share 127.0.0.1).
    pub on_loopback: bool,
}

impl Default for ThrottleConfig {
    fn default() -> ThrottleConfig {
        ThrottleConfig {
            max_failures: 20,
            window_secs: 60,
            block_secs: 60,
            on_loopback: false,
        }
    }
}

/// How dir_serv learns the conn_servs' load.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectoryConfig {
    /// How often each conn_serv reports its load (through its logic and a
    /// disp) to every dir_serv.
    pub load_report_ms: u64,
    /// A conn_serv without a report for this long is not handed out.
    pub load_expiry_ms: u64,
}

impl Default for DirectoryConfig {
    fn default() -> DirectoryConfig {
        DirectoryConfig {
            load_report_ms: 1_000,
            load_expiry_ms: 3_500,
        }
    }
}

/// The HTTP servers clients reach (file_serv, dir_serv): connection caps
/// and deadlines. A connection is idle while no request is in progress on
/// it (including one that has not sent a whole request yet).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Connections one server holds at once. A new connection beyond it
    /// closes the longest-idle connection of the client address holding
    /// the most; it is refused only when none is idle.
    pub max_connections: usize,
    /// Connections one client address holds at once (an IPv6 host counts
    /// by its /64). A new one beyond it closes that address's longest-idle
    /// connection; it is refused only when none is idle.
    pub max_per_address: usize,
    /// A new connection must finish its TLS handshake and send its first
    /// request's headers within this long, or it is closed.
    pub header_timeout_ms: u64,
    /// A kept-alive connection with no request in progress for this long is
    /// closed; the next request's headers must be complete by then.
    pub idle_timeout_ms: u64,
    /// A request body that sends nothing for this long is answered 408
    /// (an upload), and a response the client reads nothing of for this
    /// long is cut off (a download).
    pub stall_timeout_ms: u64,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            max_connections: 4096,
            max_per_address: 256,
            header_timeout_ms: 10_000,
            idle_timeout_ms: 30_000,
            stall_timeout_ms: 30_000,
        }
    }
}

impl HttpConfig {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }
    pub fn stall_timeout(&self) -> Duration {
        Duration::from_millis(self.stall_timeout_ms)
    }
}

/// manage_serv: how often it asks every process for its stats, when a
/// silent process counts as stale and then down, how much history the
/// console's charts keep, the console's sessions and login throttle, the
/// alarm thresholds and how long a command may take.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManageConfig {
    /// How often every process is asked for its stats.
    pub poll_interval_ms: u64,
    /// A process that has not answered for this long is "stale" (and a
    /// heartbeat_stale alarm is raised).
    pub stale_after_ms: u64,
    /// A process that has not answered for this long is "down" (and a
    /// proc_down alarm is raised); a process the disps report gone is down
    /// at once.
    pub down_after_ms: u64,
    /// Minutes of per-process samples kept for the console's charts.
    pub history_minutes: u64,
    /// A console session unused for this long is logged out.
    pub session_idle_secs: u64,
    /// Failed console logins of one operator name from one client
    /// address, and from one address whatever the name, that block further
    /// attempts from there (answered 429) for `login_block_secs`; past
    /// `login_account_failures` from anywhere, a name's attempts are only
    /// slowed (see manage_serv's auth.rs), so nobody can lock it out.
    pub login_account_failures: u32,
    pub login_address_failures: u32,
    pub login_block_secs: u64,
    /// A redis_latency alarm is raised while a db_* process's Redis round
    /// trip p99 is above this.
    pub redis_p99_alarm_ms: u64,
    /// A file holding the bearer token `GET /metrics` requires (the secret
    /// lives only in that file); none: `/metrics` is open.
    pub metrics_token_file: Option<String>,
    /// How long a command (reload, stop, drain, ...) may take per process
    /// before its result is "timeout".
    pub command_timeout_ms: u64,
}

impl Default for ManageConfig {
    fn default() -> ManageConfig {
        ManageConfig {
            poll_interval_ms: 1_000,
            stale_after_ms: 3_000,
            down_after_ms: 5_000,
            history_minutes: 15,
            session_idle_secs: 30 * 60,
            login_account_failures: 5,
            login_address_failures: 20,
            login_block_secs: 60,
            redis_p99_alarm_ms: 100,
            metrics_token_file: None,
            command_timeout_ms: 5_000,
        }
    }
}

impl ManageConfig {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }
    pub fn command_timeout(&self) -> Duration {
        Duration::from_millis(self.command_timeout_ms)
    }
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_secs)
    }
    pub fn login_block(&self) -> Duration {
        Duration::from_secs(self.login_block_secs)
    }
}

/// TLS for an HTTP server (file_serv, dir_serv).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert_file: String,
    /// PEM private key.
    pub key_file: String,
    /// When both files are missing at start, create a self-signed
    /// certificate for the process's host (local and test clusters).
    #[serde(default)]
    pub generate: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// trace, debug, info, warn, error (a process's own `log` overrides it).
    pub level: String,
    /// How each line is written: `text` (one human-readable line) or
    /// `json` (one JSON object per line).
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            level: "info".to_string(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// One process of the cluster.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProcConfig {
    /// Unique across the cluster, never 0; the routing address.
    pub id: u32,
    /// Unique across the cluster, like `conn_serv-1`.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ProcKind,
    /// The host it runs on: a name from `hosts` when the file has that
    /// section, else the address it listens on and peers connect to.
    pub host: String,
    /// The address of the host `host` names (resolved when the file is
    /// parsed); `None` when `host` is the address itself.
    #[serde(skip)]
    pub address: Option<String>,
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
    /// For file_serv: the number in every URL of its files (1 and up,
    /// unique). A file server's directory moves with its index.
    #[serde(default)]
    pub serv_index: Option<u32>,
    /// For file_serv: the directory under which its files live (in
    /// `<data_dir>/<serv_index>/`). For manage_serv: where it keeps its
    /// operator accounts, API tokens and audit log.
    #[serde(default)]
    pub data_dir: Option<String>,
    /// For conn_serv, file_serv and dir_serv: the address clients use when
    /// it differs from host:port (behind NAT or a proxy): `host:port` for
    /// conn_serv, a base URL like `https://files.example.org` for the HTTP
    /// servers.
    #[serde(default)]
    pub public: Option<String>,
    /// For conn_serv: its share of new clients relative to the others
    /// (default 100; 0 takes no new clients from dir_serv).
    #[serde(default)]
    pub weight: Option<u32>,
    /// For conn_serv: a second port for browsers, speaking WebSocket (each
    /// binary message one client frame).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ws_port: Option<u16>,
    /// For file_serv, dir_serv and manage_serv: serve HTTPS; for conn_serv:
    /// serve its `ws_port` as wss (its TCP port is not TLS).
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// This process's log level, overriding the cluster's `log.level`.
    #[serde(default)]
    pub log: Option<String>,
}

impl ProcConfig {
    /// An entry with no port and none of the optional keys (tools and
    /// tests build files with it).
    pub fn new(id: u32, name: impl Into<String>, kind: ProcKind, host: impl Into<String>) -> Self {
        ProcConfig {
            id,
            name: name.into(),
            kind,
            host: host.into(),
            address: None,
            port: None,
            logic: None,
            chat: None,
            serv_index: None,
            data_dir: None,
            public: None,
            weight: None,
            ws_port: None,
            tls: None,
            log: None,
        }
    }

    /// The address it listens on and peers dial: its host's address.
    pub fn address(&self) -> &str {
        self.address.as_deref().unwrap_or(&self.host)
    }

    /// A conn_serv's WebSocket listening address, if it has one.
    pub fn ws_addr(&self) -> Option<String> {
        self.ws_port
            .map(|port| format!("{}:{}", self.address(), port))
    }

    /// The URL browsers open a conn_serv's WebSocket with (wss with a
    /// `tls` block).
    pub fn ws_url(&self) -> Option<String> {
        let scheme = if self.tls.is_some() { "wss" } else { "ws" };
        self.ws_addr().map(|addr| format!("{scheme}://{addr}/"))
    }

    /// The listening address; `None` for process types that listen on nothing.
    pub fn addr(&self) -> Option<String> {
        self.port.map(|port| format!("{}:{}", self.address(), port))
    }

    /// Where clients reach this process: `host:port` for conn_serv, a base
    /// URL for the HTTP servers.
    pub fn public_addr(&self) -> Option<String> {
        if let Some(public) = &self.public {
            return Some(public.clone());
        }
        let addr = self.addr()?;
        Some(match self.kind {
            ProcKind::FileServ | ProcKind::DirServ | ProcKind::ManageServ => {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{addr}")
            }
            _ => addr,
        })
    }

    /// A conn_serv's weight for dir_serv.
    pub fn weight(&self) -> u32 {
        self.weight.unwrap_or(DEFAULT_WEIGHT)
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

/// A conn_serv's weight when the cluster file gives none.
pub const DEFAULT_WEIGHT: u32 = 100;

/// The keys that name a set's leading process.
const SET_KEYS: [&str; 2] = ["logic", "chat"];

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ProcKind {
    ConnServ,
    LogicServ,
    DbLogicServ,
    DispServ,
    OnlineServ,
    ChatServ,
    DbChatServ,
    FileServ,
    DirServ,
    ManageServ,
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
            ProcKind::FileServ => ProcType::File,
            ProcKind::DirServ => ProcType::Dir,
            ProcKind::ManageServ => ProcType::Manage,
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
            ProcKind::FileServ => "file_serv",
            ProcKind::DirServ => "dir_serv",
            ProcKind::ManageServ => "manage_serv",
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
    #[error("proc name {name:?} must be letters, digits, '.', '_' and '-' (not starting with '.' or '-')")]
    BadName { name: String },
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
    #[error("{name:?} ({kind}) must not have \"{key}\": only {only} takes it")]
    UnexpectedKey {
        name: String,
        kind: &'static str,
        key: &'static str,
        only: &'static str,
    },
    #[error("{name:?} ({kind}) needs \"{key}\"")]
    KindNeeds {
        name: String,
        kind: &'static str,
        key: &'static str,
    },
    #[error("{name:?} has log {level:?}, which is not one of trace, debug, info, warn, error")]
    ProcLogLevel { name: String, level: String },
    #[error("hosts.{name}: {problem}")]
    Host { name: String, problem: String },
    #[error("{name:?} names host {host:?}, which is not in hosts")]
    UnknownHost { name: String, host: String },
    #[error("serv_index {index} is used by both {first:?} and {second:?}")]
    DuplicateServIndex {
        index: u32,
        first: String,
        second: String,
    },
}

/// The origin (`scheme://host[:port]`) of a base URL such as a
/// process's `public` address, as a browser writes it in `Origin`: the
/// URL without its path, in lower case, without the scheme's default
/// port. `None` for anything else (no scheme, characters no host has).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let scheme_ok = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric());
    let host_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'));
    if !scheme_ok || !host_ok {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => "",
    };
    let authority = match authority.strip_suffix(default_port) {
        Some(host) if !default_port.is_empty() => host,
        _ => &authority,
    };
    Some(format!("{scheme}://{authority}"))
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
        let mut config: ClusterConfig =
            serde_json::from_str(text).map_err(|source| ConfigError::Parse {
                path: "cluster config".to_string(),
                source,
            })?;
        hosts::resolve(&mut config);
        config.validate()?;
        Ok(config)
    }

    /// Checks the whole topology; see [`ConfigError`] for what is refused.
    pub fn validate(&self) -> Result<(), ConfigError> {
        hosts::validate(self)?;
        validate::topology(self)?;
        validate::values(self)
    }

    pub fn proc_by_name(&self, name: &str) -> Result<&ProcConfig, ConfigError> {
        self.procs
            .iter()
            .find(|proc| proc.name == name)
            .ok_or_else(|| ConfigError::UnknownProc(name.to_string()))
    }

    /// The processes whose name `pattern` (a regular expression) is found
    /// in, searched like grep, in file order: `^logic_serv-` names every
    /// logic_serv, `^chat_serv-1$` exactly one.
    pub fn matching(&self, pattern: &str) -> Result<Vec<&ProcConfig>, String> {
        /// Largest compiled pattern accepted.
        const REGEX_SIZE_LIMIT: usize = 1 << 16;
        if pattern.is_empty() {
            return Err("match is empty".to_string());
        }
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|err| format!("bad match pattern: {err}"))?;
        Ok(self
            .procs
            .iter()
            .filter(|proc| regex.is_match(&proc.name))
            .collect())
    }

    pub fn proc_by_id(&self, id: u32) -> Option<&ProcConfig> {
        self.procs.iter().find(|proc| proc.id == id)
    }

    /// Whether the cluster has any process of `kind`.
    pub fn has(&self, kind: ProcKind) -> bool {
        self.procs.iter().any(|proc| proc.kind == kind)
    }

    /// The processes whose `host` is `host`, in file order.
    pub fn procs_on_host<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a ProcConfig> {
        self.procs.iter().filter(move |proc| proc.host == host)
    }

    pub fn procs_of(&self, kind: ProcKind) -> impl Iterator<Item = &ProcConfig> {
        self.procs.iter().filter(move |proc| proc.kind == kind)
    }

    /// The origins whose pages may talk to the cluster from a browser
    /// (WebSocket upgrades on conn_servs, uploads to file servers): every
    /// dir_serv's own (the web app is served from there) and those listed
    /// in `limits.web_origins`.
    pub fn web_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .procs_of(ProcKind::DirServ)
            .filter_map(ProcConfig::public_addr)
            .filter_map(|url| origin_of(&url))
            .collect();
        for listed in self.limits.web_origins.iter().filter_map(|o| origin_of(o)) {
            if !origins.contains(&listed) {
                origins.push(listed);
            }
        }
        origins
    }

    /// The logic_serv of the set that `proc` (a conn_serv or db_logic_serv)
    /// belongs to. Validation guarantees it exists.
    pub fn logic_of(&self, proc: &ProcConfig) -> Result<&ProcConfig, ConfigError> {
        self.proc_by_name(proc.logic.as_deref().unwrap_or_default())
    }

    /// The name of the set `proc` belongs to: its leader's name for a
    /// conn_serv, db_logic_serv or db_chat_serv, its own otherwise.
    pub fn set_name<'a>(&'a self, proc: &'a ProcConfig) -> &'a str {
        proc.kind
            .set_leader()
            .and_then(|(key, _)| proc.set_key(key))
            .map(String::as_str)
            .unwrap_or(&proc.name)
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

    /// The file_serv holding the files of `serv_index`.
    pub fn file_serv(&self, serv_index: u32) -> Option<&ProcConfig> {
        self.procs_of(ProcKind::FileServ)
            .find(|proc| proc.serv_index == Some(serv_index))
    }

    /// The log level of process `proc`: its own `log`, else the cluster's.
    pub fn log_level_of<'a>(&'a self, proc: &'a ProcConfig) -> &'a str {
        proc.log.as_deref().unwrap_or(&self.log.level)
    }

    /// The URL of the one Redis server (`redis.cluster_nodes` empty).
    pub fn redis_url(&self) -> String {
        self.redis.url()
    }
}

fn default_cluster_name() -> String {
    "schat".to_string()
}

fn default_redis_dir() -> String {
    "data/redis".to_string()
}

mod hosts;
mod live;
mod validate;

pub use hosts::{HostConfig, SshTarget, SupervisorKind};
pub use live::LiveConfig;

#[cfg(test)]
mod tests;
