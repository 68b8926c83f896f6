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
    _dir: tempfile::TempDir,
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
        let mut command = Command::new("redis-server");
        if mode == RedisMode::OneNodeCluster {
            command.args(["--cluster-enabled", "yes"]);
        }
        if let Some(primary) = replica_of {
            command.args(["--replicaof", "127.0.0.1", &primary.to_string()]);
        }
        let child = command
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(dir.path())
            .args(["--save", ""])
            .args(["--appendonly", "yes"])
            .args(["--appendfsync", "everysec"])
            .args(["--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run redis-server (is it installed? scripts/test.sh installs it)")?;
        let mut server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                bail!("redis-server exited at start: {status}");
            }
            if ping(port) {
                if mode == RedisMode::OneNodeCluster {
                    take_every_slot(port)?;
                }
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = server.child.kill();
        bail!("redis-server did not answer on port {port}")
    }

    /// The redis-server's process id (tests pause it with SIGSTOP to hold
    /// requests in flight).
    pub fn pid(&self) -> u32 {
        self.child.id()
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
