//! Support for tests of the push tool: clusters of the real binaries whose
//! cluster file has a `hosts` section (one host reached locally, whose
//! install root is the cluster's temp dir), and a second cluster prepared
//! but not started, whose processes run with the install root as their
//! working directory as supervised ones do, so relative data directories
//! land under the root.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::binaries::{free_port, server_bin};
use crate::{BinCluster, RedisServer};

/// Gives `config` one host, `local`, reached on this machine with install
/// root `root`, and puts every process on it.
pub fn on_local_host(config: &mut Value, root: &Path) {
    config["hosts"] = json!({
        "local": { "address": "127.0.0.1", "root": root.display().to_string() }
    });
    for proc in config["procs"].as_array_mut().expect("procs") {
        proc["host"] = "local".into();
    }
}

/// [`BinCluster::start`] with a `hosts` section whose install root is the
/// cluster's temp dir (the file servers' data stays where BinCluster puts
/// it, an absolute directory under that root).
pub fn start_on_local_host(adjust: impl FnOnce(&mut Value)) -> anyhow::Result<BinCluster> {
    BinCluster::start(|config| {
        let data_dir = config["procs"]
            .as_array()
            .expect("procs")
            .iter()
            .find_map(|proc| proc["data_dir"].as_str())
            .expect("a process with a data_dir")
            .to_string();
        let root = Path::new(&data_dir)
            .parent()
            .expect("BinCluster's data dirs are under its temp dir")
            .to_path_buf();
        on_local_host(config, &root);
        adjust(config);
    })
}

/// A cluster of the same processes as the cluster file `like`, with its
/// own Redis, temp dir (its install root) and ports, and data directories
/// relative to the root (`data/files`, `data/manage`); nothing started:
/// [`spawn_all_at_root`] starts it.
pub fn unstarted_like(like: &Value) -> anyhow::Result<BinCluster> {
    let redis = RedisServer::start()?;
    let dir = tempfile::tempdir()?;
    let mut config = like.clone();
    config["redis"]["port"] = redis.port().into();
    for proc in config["procs"].as_array_mut().expect("procs") {
        for key in ["port", "ws_port"] {
            if proc.get(key).is_some() {
                proc[key] = free_port().into();
            }
        }
        if proc.get("data_dir").is_some() {
            let relative = if proc["type"] == "file_serv" {
                "data/files"
            } else {
                "data/manage"
            };
            proc["data_dir"] = relative.into();
        }
    }
    on_local_host(&mut config, dir.path());
    let config_path = dir.path().join("cluster.json");
    std::fs::write(&config_path, config.to_string())?;
    Ok(BinCluster {
        config,
        dir,
        config_path,
        children: Vec::new(),
        redis,
    })
}

/// Starts every process of `cluster` with its temp dir (the install root)
/// as the working directory; each logs to `<dir>/<name>.log`.
pub fn spawn_all_at_root(cluster: &mut BinCluster) -> anyhow::Result<()> {
    let procs: Vec<(String, String)> = cluster.config["procs"]
        .as_array()
        .expect("procs")
        .iter()
        .map(|proc| {
            let text = |key: &str| proc[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("type"))
        })
        .collect();
    for (name, kind) in procs {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(cluster.log_path(&name))?;
        let child = Command::new(server_bin(&kind))
            .current_dir(cluster.dir.path())
            .arg("--config")
            .arg(&cluster.config_path)
            .args(["--name", &name])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        cluster.children.push((name, child));
    }
    Ok(())
}

/// `redis-cli -p <port> <args…>` against a cluster's Redis: its output.
pub fn redis_cli(redis: &RedisServer, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &redis.port().to_string()])
        .args(args)
        .output()
        .expect("run redis-cli");
    assert!(output.status.success(), "redis-cli {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
