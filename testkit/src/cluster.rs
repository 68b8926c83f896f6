//! An in-process schat cluster for tests: every process runs through its
//! crate's `run` on its own shutdown signal, on ports bound at 127.0.0.1:0.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use schat_client::files::{Directory, Files};
use schat_client::{Client, ClientOptions, HttpClient};
use schat_proto::server::CommandResult;
use schat_runtime::config::{
    AuthConfig, ChatConfig, ClusterConfig, DirectoryConfig, FilesConfig, HttpConfig, Limits,
    LogConfig, ManageConfig, OfflinePushConfig, ProcConfig, ProcKind, RedisConfig, Timing,
    TlsConfig,
};
use schat_runtime::logging::test_logger;
use schat_runtime::time::Clock;
use schat_runtime::{LiveConfig, Node, Shutdown};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::redis::{RedisCluster, RedisMode, RedisServer};

/// The shape of a test cluster.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    /// conn + logic + db_logic sets.
    pub sets: usize,
    pub disps: usize,
    pub onlines: usize,
    /// chat + db_chat sets.
    pub chats: usize,
    /// file_servs (serv_index 1, 2, ...), keeping their files in the
    /// cluster's temporary directory.
    pub file_servs: usize,
    pub dirs: usize,
    /// manage_servs (ids 801, ...), keeping their data in the cluster's
    /// temporary directory.
    pub manages: usize,
    /// Weights of the conn_servs for the directory, by set (missing: the
    /// default).
    pub conn_weights: Vec<u32>,
    /// Serve HTTPS on the file_servs, dir_servs and manage_servs, and wss
    /// on the conn_servs' WebSocket ports, with a self-signed certificate
    /// each created at start (see [`TestCluster::ca_file`]).
    pub http_tls: bool,
    pub chat: ChatConfig,
    pub limits: Limits,
    pub timing: Timing,
    pub auth: AuthConfig,
    pub files: FilesConfig,
    pub directory: DirectoryConfig,
    /// Caps and deadlines of the file_servs and dir_servs.
    pub http: HttpConfig,
    /// The manage_servs' polling, sessions and alarms.
    pub manage: ManageConfig,
    /// A plain Redis, or one in cluster mode that refuses cross-slot
    /// commands.
    pub redis: RedisMode,
    /// Start a replica of the (plain) Redis, and have stored messages
    /// acknowledged only once it confirms them (`redis.ack_replicas` 1,
    /// with this `redis.ack_timeout_ms`).
    pub redis_replica_ack_ms: Option<u64>,
    /// Notifications for offline members (off by default).
    pub offline_push: OfflinePushConfig,
}

impl Default for ClusterSpec {
    fn default() -> ClusterSpec {
        ClusterSpec {
            sets: 2,
            disps: 2,
            onlines: 2,
            chats: 2,
            file_servs: 0,
            dirs: 0,
            manages: 0,
            conn_weights: Vec::new(),
            http_tls: false,
            // No send rate: tests send as fast as they like unless they
            // test the rate itself.
            chat: ChatConfig {
                send_rate_per_sec: 0,
                ..ChatConfig::default()
            },
            limits: Limits::default(),
            // Fast failure detection so failure tests finish quickly.
            timing: Timing {
                peer_heartbeat_ms: 100,
                peer_timeout_ms: 1_000,
                presence_beat_ms: 200,
                presence_expiry_ms: 1_500,
                request_timeout_ms: 3_000,
                reconnect_max_ms: 200,
            },
            // Cheap hashing: these tests are about behaviour, not cost.
            auth: AuthConfig {
                argon2_memory_kib: 256,
                argon2_iterations: 1,
                ..AuthConfig::default()
            },
            // Releases at once, so tests see files go without waiting.
            files: FilesConfig {
                release_delay_secs: 0,
                ..FilesConfig::default()
            },
            directory: DirectoryConfig {
                load_report_ms: 100,
                load_expiry_ms: 1_000,
            },
            http: HttpConfig::default(),
            manage: ManageConfig::default(),
            redis: RedisMode::from_env(),
            redis_replica_ack_ms: None,
            offline_push: OfflinePushConfig::default(),
        }
    }
}

/// A running cluster and its private Redis. Its config is also written to
/// a file ([`TestCluster::config_path`]) that every process reloads from.
#[derive(Debug)]
pub struct TestCluster {
    pub config: Arc<ClusterConfig>,
    config_path: std::path::PathBuf,
    running: BTreeMap<String, Running>,
    files_dir: tempfile::TempDir,
    /// The plain Redis (or one-node cluster); `None` on a Redis Cluster.
    redis: Option<RedisServer>,
    redis_cluster: Option<RedisCluster>,
    replica: Option<RedisServer>,
    /// The wall clock every node reads: a test of a rule about time moves
    /// it forward instead of sleeping.
    clock: Clock,
}

#[derive(Debug)]
struct Running {
    node: Node,
    shutdown: Shutdown,
    task: JoinHandle<anyhow::Result<()>>,
}

impl TestCluster {
    /// Starts every process and waits until each set can log a user in and
    /// see presence.
    pub async fn start(spec: ClusterSpec) -> anyhow::Result<TestCluster> {
        let (redis, redis_cluster) = match spec.redis {
            RedisMode::Cluster => (None, Some(RedisCluster::start()?)),
            mode => (Some(RedisServer::start_as(mode)?), None),
        };
        let replica = match (spec.redis_replica_ack_ms, &redis) {
            (Some(_), Some(redis)) => Some(RedisServer::start_replica_of(redis)?),
            // A Redis Cluster has a replica per primary already.
            _ => None,
        };
        let files_dir = tempfile::tempdir()?;
        let mut listeners = BTreeMap::new();
        // The conn_servs' WebSocket ports, held until every other port is
        // taken (conn_serv binds its own at start).
        let mut ws_ports = Vec::new();
        let mut procs = Vec::new();
        let mut add = |id: u32, name: String, kind: ProcKind, leader: Option<String>| {
            let (logic, chat) = match kind {
                ProcKind::DbChatServ => (None, leader),
                _ => (leader, None),
            };
            procs.push(ProcConfig {
                logic,
                chat,
                ..ProcConfig::new(id, name, kind, "127.0.0.1")
            });
        };
        for index in 1..=spec.disps as u32 {
            add(
                index,
                format!("disp_serv-{index}"),
                ProcKind::DispServ,
                None,
            );
        }
        for index in 1..=spec.onlines as u32 {
            add(
                10 + index,
                format!("online_serv-{index}"),
                ProcKind::OnlineServ,
                None,
            );
        }
        for index in 1..=spec.sets as u32 {
            let logic = format!("logic_serv-{index}");
            add(
                100 + index,
                format!("conn_serv-{index}"),
                ProcKind::ConnServ,
                Some(logic.clone()),
            );
            add(200 + index, logic.clone(), ProcKind::LogicServ, None);
            add(
                300 + index,
                format!("db_logic_serv-{index}"),
                ProcKind::DbLogicServ,
                Some(logic),
            );
        }
        for index in 1..=spec.chats as u32 {
            let chat = format!("chat_serv-{index}");
            add(400 + index, chat.clone(), ProcKind::ChatServ, None);
            add(
                500 + index,
                format!("db_chat_serv-{index}"),
                ProcKind::DbChatServ,
                Some(chat),
            );
        }
        for index in 1..=spec.file_servs as u32 {
            add(
                600 + index,
                format!("file_serv-{index}"),
                ProcKind::FileServ,
                None,
            );
        }
        for index in 1..=spec.dirs as u32 {
            add(
                700 + index,
                format!("dir_serv-{index}"),
                ProcKind::DirServ,
                None,
            );
        }
        for index in 1..=spec.manages as u32 {
            add(
                800 + index,
                format!("manage_serv-{index}"),
                ProcKind::ManageServ,
                None,
            );
        }
        for proc in &mut procs {
            if proc.kind == ProcKind::ManageServ {
                let dir = files_dir.path().join(&proc.name);
                proc.data_dir = Some(dir.display().to_string());
            }
            if proc.kind == ProcKind::ConnServ {
                proc.weight = spec.conn_weights.get(proc.id as usize - 101).copied();
                // A WebSocket port for browsers: a free one, which conn_serv
                // binds itself at start.
                let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
                proc.ws_port = Some(probe.local_addr()?.port());
                ws_ports.push(probe);
            }
            if proc.kind == ProcKind::FileServ {
                proc.serv_index = Some(proc.id - 600);
                proc.data_dir = Some(files_dir.path().display().to_string());
            }
            if spec.http_tls
                && matches!(
                    proc.kind,
                    ProcKind::FileServ
                        | ProcKind::DirServ
                        | ProcKind::ManageServ
                        | ProcKind::ConnServ
                )
            {
                let tls = files_dir.path().join("tls");
                proc.tls = Some(TlsConfig {
                    cert_file: tls.join(format!("{}.pem", proc.name)).display().to_string(),
                    key_file: tls.join(format!("{}.key", proc.name)).display().to_string(),
                    generate: true,
                });
            }
            if !matches!(proc.kind, ProcKind::OnlineServ | ProcKind::ChatServ) {
                let listener = TcpListener::bind("127.0.0.1:0").await?;
                proc.port = Some(listener.local_addr()?.port());
                listeners.insert(proc.name.clone(), listener);
            }
        }
        drop(ws_ports);
        let config = ClusterConfig {
            cluster: "test".to_string(),
            redis: RedisConfig {
                host: redis
                    .as_ref()
                    .map_or_else(String::new, |_| "127.0.0.1".to_string()),
                port: redis.as_ref().map_or(0, RedisServer::port),
                cluster_nodes: redis_cluster
                    .as_ref()
                    .map_or_else(Vec::new, RedisCluster::addrs),
                db: 0,
                data_dir: String::new(),
                appendfsync: Default::default(),
                maxmemory_mb: 0,
                memory_alarm_percent: 80,
                ack_replicas: u8::from(spec.redis_replica_ack_ms.is_some()),
                ack_timeout_ms: spec.redis_replica_ack_ms.unwrap_or(1_000),
            },
            limits: spec.limits,
            timing: spec.timing,
            auth: spec.auth,
            log: LogConfig::default(),
            chat: spec.chat,
            files: spec.files,
            directory: spec.directory,
            http: spec.http,
            manage: spec.manage,
            offline_push: spec.offline_push,
            hosts: Default::default(),
            procs,
        };
        config.validate().context("test cluster config")?;
        let config_path = files_dir.path().join("cluster.json");
        write_config(&config_path, &config)?;
        let mut cluster = TestCluster {
            config: Arc::new(config),
            config_path,
            running: BTreeMap::new(),
            files_dir,
            redis,
            redis_cluster,
            replica,
            clock: Clock::system(),
        };
        let names: Vec<String> = cluster
            .config
            .procs
            .iter()
            .map(|p| p.name.clone())
            .collect();
        for name in names {
            let listener = listeners.remove(&name);
            cluster.spawn(&name, listener)?;
        }
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    fn spawn(&mut self, name: &str, listener: Option<TcpListener>) -> anyhow::Result<()> {
        let me = self.config.proc_by_name(name)?.clone();
        let shutdown = Shutdown::new();
        let node = Node::new(
            LiveConfig::from_file((*self.config).clone(), self.config_path.clone()),
            me.clone(),
            test_logger(name),
            Default::default(),
            shutdown.clone(),
        )
        .with_clock(self.clock.clone());
        let node_handle = node.clone();
        let task = match (me.kind, listener) {
            (ProcKind::OnlineServ, _) => tokio::spawn(online_serv::run(node)),
            (ProcKind::ChatServ, _) => tokio::spawn(chat_serv::run(node)),
            (ProcKind::DbChatServ, Some(listener)) => {
                tokio::spawn(db_chat_serv::run(listener, node))
            }
            (ProcKind::DispServ, Some(listener)) => tokio::spawn(disp_serv::run(listener, node)),
            (ProcKind::ConnServ, Some(listener)) => tokio::spawn(conn_serv::run(listener, node)),
            (ProcKind::LogicServ, Some(listener)) => tokio::spawn(logic_serv::run(listener, node)),
            (ProcKind::DbLogicServ, Some(listener)) => {
                tokio::spawn(db_logic_serv::run(listener, node))
            }
            (ProcKind::FileServ, Some(listener)) => tokio::spawn(file_serv::run(listener, node)),
            (ProcKind::DirServ, Some(listener)) => tokio::spawn(dir_serv::run(listener, node)),
            (ProcKind::ManageServ, Some(listener)) => {
                tokio::spawn(manage_serv::run(listener, node))
            }
            (kind, None) => bail!("{name} ({}) needs a listener", kind.name()),
        };
        self.running.insert(
            name.to_string(),
            Running {
                node: node_handle,
                shutdown,
                task,
            },
        );
        Ok(())
    }

    /// The cluster file the processes reload from.
    /// The clock every node of the cluster reads (see `time::Clock`).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn config_path(&self) -> &std::path::Path {
        &self.config_path
    }

    /// Rewrites the cluster file with `edit` applied (no process reads it
    /// until it reloads; processes started later start from it). The
    /// file need not be valid: reloads must refuse a bad one.
    pub fn edit_config(&mut self, edit: impl FnOnce(&mut ClusterConfig)) -> anyhow::Result<()> {
        let mut config = (*self.config).clone();
        edit(&mut config);
        write_config(&self.config_path, &config)?;
        self.config = Arc::new(config);
        Ok(())
    }

    /// Reloads the cluster file in the running process `name`, as the
    /// console's reload command does.
    pub fn reload(&self, name: &str) -> anyhow::Result<CommandResult> {
        let running = self
            .running
            .get(name)
            .with_context(|| format!("{name} is not running"))?;
        Ok(schat_runtime::reload::reload(&running.node))
    }

    /// The node of the running process `name` (its live config, logs, ...).
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.running.get(name).map(|running| &running.node)
    }

    /// The value of metric `name` in process `proc` whose labels include
    /// every one of `labels` (0 when there is none).
    pub fn metric(&self, proc: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
        let node = self
            .node(proc)
            .unwrap_or_else(|| panic!("{proc} is not running"));
        node.stats
            .metrics()
            .into_iter()
            .find(|metric| {
                metric.name == name
                    && labels.iter().all(|(key, value)| {
                        metric
                            .labels
                            .iter()
                            .any(|label| label.name == *key && label.value == *value)
                    })
            })
            .map_or(0.0, |metric| metric.value)
    }

    /// Stops one process as a crash would look to its peers: its sockets
    /// close and it answers nothing more.
    pub async fn stop(&mut self, name: &str) -> anyhow::Result<()> {
        let running = self
            .running
            .remove(name)
            .with_context(|| format!("{name} is not running"))?;
        running.shutdown.stop(Duration::from_secs(5)).await;
        running.task.abort();
        let _ = running.task.await;
        Ok(())
    }

    /// Starts a stopped process again on its old port.
    pub async fn restart(&mut self, name: &str) -> anyhow::Result<()> {
        let me = self.config.proc_by_name(name)?.clone();
        let listener = match me.addr() {
            Some(addr) => Some(bind_again(&addr).await?),
            None => None,
        };
        self.spawn(name, listener)
    }

    /// The base URL of a process that serves HTTP (file_serv, dir_serv).
    pub fn http_url(&self, name: &str) -> String {
        self.config
            .proc_by_name(name)
            .ok()
            .and_then(ProcConfig::public_addr)
            .unwrap_or_default()
    }

    /// The certificate a TLS process created at start (PEM), for clients
    /// to trust.
    pub fn ca_file(&self, name: &str) -> std::path::PathBuf {
        self.files_dir
            .path()
            .join("tls")
            .join(format!("{name}.pem"))
    }

    /// The cluster's Redis (a single server: a test that needs one asks
    /// for `RedisMode::Single` or `OneNodeCluster`).
    pub fn redis(&self) -> &RedisServer {
        self.redis
            .as_ref()
            .expect("this cluster runs on a Redis Cluster: see redis_cluster()")
    }

    /// The cluster's Redis Cluster, when it runs on one.
    pub fn redis_cluster(&mut self) -> Option<&mut RedisCluster> {
        self.redis_cluster.as_mut()
    }

    /// The replica of [`redis`](Self::redis), if the spec asked for one.
    pub fn redis_replica(&self) -> Option<&RedisServer> {
        self.replica.as_ref()
    }

    /// The directory file_servs keep their files under.
    pub fn files_dir(&self) -> &std::path::Path {
        self.files_dir.path()
    }

    /// The WebSocket address (`host:port`) of set `set`'s conn_serv.
    pub fn ws_addr(&self, set: usize) -> String {
        self.config
            .proc_by_name(&format!("conn_serv-{set}"))
            .ok()
            .and_then(ProcConfig::ws_addr)
            .unwrap_or_default()
    }

    /// The keys in this cluster's Redis that match `pattern`, for tests
    /// of what storage keeps (asked with redis-cli, which comes with
    /// redis-server).
    pub fn redis_keys(&self, pattern: &str) -> anyhow::Result<Vec<String>> {
        let ports: Vec<u16> = match (&self.redis, &self.redis_cluster) {
            (Some(redis), _) => vec![redis.port()],
            (None, Some(cluster)) => (0..cluster.addrs().len())
                .map(|index| cluster.node(index).port())
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut keys = std::collections::BTreeSet::new();
        for port in ports {
            let output = std::process::Command::new("redis-cli")
                .args(["-p", &port.to_string(), "--scan", "--pattern", pattern])
                .output()?;
            if !output.status.success() {
                // A node a test killed.
                continue;
            }
            keys.extend(
                String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .map(str::to_string),
            );
        }
        Ok(keys.into_iter().collect())
    }

    pub fn conn_addr(&self, set: usize) -> String {
        self.config
            .proc_by_name(&format!("conn_serv-{set}"))
            .ok()
            .and_then(ProcConfig::addr)
            .unwrap_or_default()
    }

    /// dir_serv-1's answer, asked with `http`, once it lists every file
    /// server live (and a conn_serv); panics after 10 s.
    pub async fn directory_with(&self, http: &HttpClient) -> Directory {
        let url = self.http_url("dir_serv-1");
        let ready = crate::eventually(Duration::from_secs(10), || async {
            Directory::lookup(http, &url)
                .await
                .is_ok_and(|dir| dir.file_servers.values().all(|server| server.up))
        })
        .await;
        assert!(ready, "the directory did not list live file servers");
        Directory::lookup(http, &url)
            .await
            .expect("the directory answered a moment ago")
    }

    /// Uploads and downloads through the file servers dir_serv-1 lists,
    /// once they are all live.
    pub async fn files(&self) -> Files {
        let http = HttpClient::default();
        self.directory_with(&http).await.files(http)
    }

    /// A client connected to set `set` (1-based).
    pub async fn client(&self, set: usize) -> anyhow::Result<Client> {
        let options = ClientOptions {
            request_timeout: Duration::from_secs(10),
            ..ClientOptions::default()
        };
        Ok(Client::connect_with(&self.conn_addr(set), options).await?)
    }

    /// Registers and logs in a fresh user on set `set`.
    pub async fn user(&self, set: usize, account: &str) -> anyhow::Result<(Client, u64, String)> {
        let client = self.client(set).await?;
        client.register(account, "password123", "").await?;
        let login = client.login_password(account, "password123").await?;
        Ok((client, login.uid, login.token))
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let sets = self.config.procs_of(ProcKind::ConnServ).count();
        let chats = self.config.procs_of(ProcKind::ChatServ).count();
        for set in 1..=sets {
            let account = format!("ready-probe-{set}");
            let ready = crate::eventually(Duration::from_secs(15), || async {
                let Ok(client) = self.client(set).await else {
                    return false;
                };
                // Registered already by an earlier round: that is fine.
                let _ = client.register(&account, "password123", "").await;
                if client
                    .login_password(&account, "password123")
                    .await
                    .is_err()
                {
                    return false;
                }
                // Presence round trip: logic -> disp -> online -> back.
                let online = matches!(
                    client.users(Vec::new(), vec![account.clone()]).await,
                    Ok(users) if users.first().is_some_and(|user| user.online)
                );
                // Group requests reach a chat_serv and its Redis.
                online && (chats == 0 || client.my_groups().await.is_ok())
            })
            .await;
            if !ready {
                bail!("set {set} did not become ready");
            }
        }
        Ok(())
    }
}

fn write_config(path: &std::path::Path, config: &ClusterConfig) -> anyhow::Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(config)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

async fn bind_again(addr: &str) -> anyhow::Result<TcpListener> {
    // The old listener's port may linger for a moment after it closes.
    let mut last_error = None;
    for _ in 0..100 {
        match TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(err) => last_error = Some(err),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(last_error.map_or_else(|| anyhow::anyhow!("cannot bind"), Into::into))
        .with_context(|| format!("cannot listen on {addr} again"))
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for running in self.running.values() {
            running.shutdown.trigger();
            running.task.abort();
        }
    }
}
