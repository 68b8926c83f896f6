//! A real `redis-server` on a free loopback port with a temporary directory,
//! killed when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    port: u16,
    mode: RedisMode,
    replica_of: Option<u16>,
    dir: tempfile::TempDir,
}

/// How the test Redis runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RedisMode {
    /// One plain server, as `scripts/run.sh` starts it.
    #[default]
    Single,
    /// One server in cluster mode holding all 16,384 slots: it answers
    /// every key, but refuses (CROSSSLOT) any command or script whose keys
    /// hash to more than one slot — the check that the data model runs on
    /// a Redis Cluster unchanged.
    OneNodeCluster,
    /// A Redis Cluster of six servers, three primaries with one replica
    /// each, created with `redis-cli --cluster create` (see
    /// [`RedisCluster`]).
    Cluster,
}

impl RedisMode {
    /// The mode tests run in unless they ask for one: `SCHAT_TEST_REDIS=
    /// cluster` runs them on a Redis Cluster (scripts/test.sh does, for the
    /// group and message suites).
    pub fn from_env() -> RedisMode {
        match std::env::var("SCHAT_TEST_REDIS").as_deref() {
            Ok("cluster") => RedisMode::Cluster,
            _ => RedisMode::Single,
        }
    }
}

impl RedisServer {
    /// Starts redis-server with AOF on (as in production) and waits until it
    /// answers PING.
    pub fn start() -> anyhow::Result<RedisServer> {
        RedisServer::start_as(RedisMode::Single)
    }

    /// Starts redis-server in `mode`; in cluster mode, waits until the
    /// cluster is up too.
    pub fn start_as(mode: RedisMode) -> anyhow::Result<RedisServer> {
        RedisServer::start_with(mode, None)
    }

    /// Starts a replica of the plain server `primary` and waits until the
    /// primary counts it as connected and in sync.
    pub fn start_replica_of(primary: &RedisServer) -> anyhow::Result<RedisServer> {
        // A full sync otherwise waits 5 s for more replicas to share it.
        primary.command("CONFIG SET repl-diskless-sync-delay 0")?;
        let replica = RedisServer::start_with(RedisMode::Single, Some(primary.port))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if primary
                .command("INFO replication")?
                .contains("state=online")
            {
                return Ok(replica);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("the replica on port {} did not connect", replica.port)
    }

    fn start_with(mode: RedisMode, replica_of: Option<u16>) -> anyhow::Result<RedisServer> {
        // Another process may take the port between our probe and Redis's
        // bind; try a few ports.
        let mut last_error = None;
        for _ in 0..5 {
            match RedisServer::try_start(mode, replica_of) {
                Ok(server) => return Ok(server),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("redis did not start")))
    }

    fn try_start(mode: RedisMode, replica_of: Option<u16>) -> anyhow::Result<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = tempfile::tempdir()?;
        let child = spawn(mode, replica_of, port, dir.path())?;
        let mut server = RedisServer {
            child,
            port,
            mode,
            replica_of,
            dir,
        };
        server.wait_up()?;
        if mode == RedisMode::OneNodeCluster {
            take_every_slot(port)?;
        }
        Ok(server)
    }

    /// Starts the server again after [`kill`](Self::kill), on its port
    /// and with its files (a supervisor bringing a crashed Redis back).
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.child = spawn(self.mode, self.replica_of, self.port, self.dir.path())?;
        self.wait_up()
    }

    fn wait_up(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("redis-server exited at start: {status}");
            }
            if ping(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        bail!("redis-server did not answer on port {}", self.port)
    }

    /// The redis-server's process id (tests pause it with SIGSTOP to hold
    /// requests in flight).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends one inline command (`PING`, `CLUSTER INFO`, ...) and returns
    /// the start of the raw reply.
    pub fn command(&self, line: &str) -> anyhow::Result<String> {
        command(self.port, line)
    }
}

/// Runs redis-server as `mode` on `port` with its files in `dir`.
fn spawn(
    mode: RedisMode,
    replica_of: Option<u16>,
    port: u16,
    dir: &std::path::Path,
) -> anyhow::Result<Child> {
    let mut command = Command::new("redis-server");
    match mode {
        RedisMode::Single => {}
        RedisMode::OneNodeCluster => {
            command.args(["--cluster-enabled", "yes"]);
        }
        RedisMode::Cluster => {
            // A primary silent for 1 s is failed over: tests of a
            // failover take seconds, not the default 15 s.
            command.args(["--cluster-enabled", "yes"]);
            command.args(["--cluster-node-timeout", "1000"]);
            command.args(["--repl-diskless-sync-delay", "0"]);
        }
    }
    if let Some(primary) = replica_of {
        command.args(["--replicaof", "127.0.0.1", &primary.to_string()]);
    }
    let child = command
        .args(["--port", &port.to_string()])
        .args(["--bind", "127.0.0.1"])
        .arg("--dir")
        .arg(dir)
        .args(["--save", ""])
        .args(["--appendonly", "yes"])
        .args(["--appendfsync", "everysec"])
        .args(["--loglevel", "warning"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run redis-server (is it installed? scripts/test.sh installs it)")?;
    Ok(child)
}

/// Gives the one node every slot and waits until the cluster says ok.
fn take_every_slot(port: u16) -> anyhow::Result<()> {
    let added = command(port, "CLUSTER ADDSLOTSRANGE 0 16383")?;
    if !added.starts_with("+OK") {
        bail!("CLUSTER ADDSLOTSRANGE answered {added:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if command(port, "CLUSTER INFO")?.contains("cluster_state:ok") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("the one-node cluster on port {port} did not come up")
}

/// Sends one inline command and returns what the first read brings back.
fn command(port: u16, line: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(format!("{line}\r\n").as_bytes())?;
    let mut reply = vec![0u8; 4096];
    let n = stream.read(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply[..n]).into_owned())
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis Cluster on loopback: six servers, three primaries with one
/// replica each, created with `redis-cli --cluster create`, every server
/// killed when dropped.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts six servers, creates the cluster and waits until every node
    /// says it is ok.
    pub fn start() -> anyhow::Result<RedisCluster> {
        let mut nodes = Vec::new();
        for _ in 0..6 {
            nodes.push(RedisServer::start_with(RedisMode::Cluster, None)?);
        }
        let cluster = RedisCluster { nodes };
        let output = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(cluster.addrs())
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .context("cannot run redis-cli (it comes with redis-server)")?;
        if !output.status.success() {
            bail!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        cluster.wait_ok(Duration::from_secs(20))?;
        Ok(cluster)
    }

    /// `127.0.0.1:<port>` of every server (the seeds a config names).
    pub fn addrs(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect()
    }

    /// Waits until every server still running reports `cluster_state:ok`
    /// and sees every slot served.
    pub fn wait_ok(&self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            let ok = self.running().all(|node| {
                node.command("CLUSTER INFO").is_ok_and(|info| {
                    info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384")
                })
            });
            if ok {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("the Redis Cluster did not become ok within {within:?}")
    }

    fn running(&self) -> impl Iterator<Item = &RedisServer> {
        self.nodes.iter().filter(|node| ping(node.port))
    }

    /// The index (in [`addrs`](Self::addrs)) of the primary serving `key`
    /// now, as a running node sees it.
    pub fn primary_of(&self, key: &str) -> anyhow::Result<usize> {
        let node = self.running().next().context("no Redis node runs")?;
        let slot: u16 = node
            .command(&format!("CLUSTER KEYSLOT {key}"))?
            .trim()
            .trim_start_matches(':')
            .parse()
            .context("CLUSTER KEYSLOT")?;
        let nodes = node.command("CLUSTER NODES")?;
        for line in nodes.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 9 || !fields[2].contains("master") || fields[2].contains("fail") {
                continue;
            }
            let serves = fields[8..].iter().any(|range| {
                let (low, high) = range.split_once('-').unwrap_or((range, range));
                match (low.parse::<u16>(), high.parse::<u16>()) {
                    (Ok(low), Ok(high)) => (low..=high).contains(&slot),
                    _ => false,
                }
            });
            if serves {
                let port: u16 = fields[1]
                    .split(['@', ':'])
                    .nth(1)
                    .and_then(|port| port.parse().ok())
                    .context("a CLUSTER NODES address")?;
                return self
                    .nodes
                    .iter()
                    .position(|node| node.port == port)
                    .context("a primary outside this cluster");
            }
        }
        bail!("no primary serves slot {slot}")
    }

    /// Kills server `index` at once (SIGKILL), as a crash would.
    pub fn kill(&mut self, index: usize) {
        self.nodes[index].kill();
    }

    /// Starts server `index` again after [`kill`](Self::kill): it rejoins
    /// the cluster (as a replica, if its slots failed over meanwhile).
    pub fn restart(&mut self, index: usize) -> anyhow::Result<()> {
        self.nodes[index].restart()
    }

    /// Server `index`.
    pub fn node(&self, index: usize) -> &RedisServer {
        &self.nodes[index]
    }
}
