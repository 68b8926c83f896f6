//! Whole clusters of the real server binaries, started from a cluster.json
//! the way scripts/run.sh does, for tests that kill, stop (SIGSTOP) and
//! resume processes for real. Needs the binaries built (`cargo build
//! --workspace --bins`, which scripts/test.sh does first).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};

use crate::RedisServer;

/// The directory the test binaries and the server binaries are built in.
pub fn bin_dir() -> PathBuf {
    // target/<profile>/deps/<this test> -> target/<profile>
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target directory")
        .to_path_buf()
}

/// The path of a built binary of the workspace.
pub fn server_bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// The committed cluster.json, parsed.
pub fn committed_config() -> serde_json::Value {
    let text = include_str!("../../cluster.json");
    serde_json::from_str(text).expect("the committed cluster.json parses")
}

/// A free port below the ephemeral range, so that no outgoing connection
/// can take it between this probe and the server's bind.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    loop {
        // Walks 20000..32000 from a start that differs per test process.
        let start = (std::process::id() % 12_000) as u16;
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + (start.wrapping_add(step.wrapping_mul(7))) % 12_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Every process of a cluster.json running as its real binary, with its
/// own Redis, ports and temp dir. Every process is killed when dropped.
#[derive(Debug)]
pub struct BinCluster {
    pub config: serde_json::Value,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    pub children: Vec<(String, Child)>,
    pub redis: RedisServer,
}

impl BinCluster {
    /// Starts the committed cluster.json on free ports with fast timings
    /// and cheap hashing, after `adjust` has had its say on the config.
    pub fn start(adjust: impl FnOnce(&mut serde_json::Value)) -> anyhow::Result<BinCluster> {
        let redis = RedisServer::start()?;
        let dir = tempfile::tempdir()?;
        let mut config = committed_config();
        config["redis"]["port"] = redis.port().into();
        config["auth"]["argon2_memory_kib"] = 256.into();
        config["auth"]["argon2_iterations"] = 1.into();
        config["timing"] = serde_json::json!({
            "peer_heartbeat_ms": 100, "peer_timeout_ms": 1000, "presence_beat_ms": 200,
            "presence_expiry_ms": 1500, "request_timeout_ms": 3000, "reconnect_max_ms": 200
        });
        config["log"]["level"] = "warn".into();
        // Tests send as fast as they like.
        config["chat"]["send_rate_per_sec"] = 0.into();
        for proc in config["procs"].as_array_mut().expect("procs") {
            for key in ["port", "ws_port"] {
                if proc.get(key).is_some() {
                    proc[key] = free_port().into();
                }
            }
            if proc.get("data_dir").is_some() {
                proc["data_dir"] = dir.path().join("files").display().to_string().into();
            }
        }
        adjust(&mut config);
        let config_path = dir.path().join("cluster.json");
        std::fs::write(&config_path, config.to_string())?;
        let mut cluster = BinCluster {
            config,
            dir,
            config_path,
            children: Vec::new(),
            redis,
        };
        let names: Vec<String> = cluster
            .procs()
            .iter()
            .map(|proc| proc["name"].as_str().unwrap_or_default().to_string())
            .collect();
        for name in names {
            cluster.spawn(&name)?;
        }
        Ok(cluster)
    }

    fn procs(&self) -> &Vec<serde_json::Value> {
        self.config["procs"].as_array().expect("procs")
    }

    fn proc(&self, name: &str) -> &serde_json::Value {
        self.procs()
            .iter()
            .find(|proc| proc["name"] == name)
            .unwrap_or_else(|| panic!("no process {name} in the config"))
    }

    /// Starts (or starts again) the process `name`; its log goes to
    /// `<dir>/<name>.log`.
    pub fn spawn(&mut self, name: &str) -> anyhow::Result<()> {
        self.spawn_under(name, &[])
    }

    /// Starts the process `name` through `wrapper` (a command and its
    /// arguments that run the rest, like `prlimit --nofile=128 --`).
    pub fn spawn_under(&mut self, name: &str, wrapper: &[&str]) -> anyhow::Result<()> {
        self.spawn_with(name, wrapper, &[])
    }

    /// Starts the process `name` through `wrapper` (may be empty) with
    /// `args` added to its command line (like `--log-file <path>`).
    pub fn spawn_with(
        &mut self,
        name: &str,
        wrapper: &[&str],
        args: &[&str],
    ) -> anyhow::Result<()> {
        let kind = self.proc(name)["type"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("{name}.log")))?;
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(server_bin(&kind));
                command
            }
            None => Command::new(server_bin(&kind)),
        };
        let child = command
            .arg("--config")
            .arg(&self.config_path)
            .args(["--name", name])
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        self.children.retain(|(proc_name, _)| proc_name != name);
        self.children.push((name.to_string(), child));
        Ok(())
    }

    /// Writes `config` as the cluster file (for a reload: signal the
    /// processes with `HUP` afterwards).
    pub fn write_config(&mut self, config: serde_json::Value) -> anyhow::Result<()> {
        std::fs::write(&self.config_path, config.to_string())?;
        self.config = config;
        Ok(())
    }

    /// The stderr log of process `name` (`<dir>/<name>.log`).
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// The running child of `name`.
    pub fn child(&mut self, name: &str) -> &mut Child {
        &mut self
            .children
            .iter_mut()
            .find(|(proc_name, _)| proc_name == name)
            .expect("known process")
            .1
    }

    /// Sends a signal (`STOP`, `CONT`, `KILL`, `TERM`) to process `name`.
    pub fn signal(&mut self, name: &str, signal: &str) {
        let pid = self.child(name).id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {name}");
    }

    /// `127.0.0.1:<port>` of a process that listens.
    pub fn addr(&self, name: &str) -> String {
        format!("127.0.0.1:{}", self.proc(name)["port"])
    }

    /// The client address of user set `set` (its conn_serv).
    pub fn conn_addr(&self, set: usize) -> String {
        self.addr(&format!("conn_serv-{set}"))
    }

    /// The URL of the first dir_serv.
    pub fn dir_url(&self) -> String {
        let dir = self
            .procs()
            .iter()
            .find(|proc| proc["type"] == "dir_serv")
            .expect("a dir_serv");
        format!("http://127.0.0.1:{}", dir["port"])
    }

    /// Prints every process's log, for a failing test.
    pub fn dump_logs(&self) {
        let Ok(entries) = std::fs::read_dir(self.dir.path()) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "log") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                eprintln!("--- {}\n{text}", entry.path().display());
            }
        }
    }
}

impl Drop for BinCluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            // A stopped process must be resumed to die of SIGKILL promptly.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
