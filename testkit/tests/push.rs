//! schat-push against real hosts: sshd on 127.0.0.2 and 127.0.0.3 (and
//! this machine as a third host), each with its own install root and its
//! processes bound to its own address, supervised by runit's runsvdir, a
//! real Redis. Deploy from nothing, chat across hosts, a SIGKILLed process
//! comes back, a roll under continuous sends loses nothing, scale out to a
//! new host, and bad inputs leave everything as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use schat_client::files::Directory;
use schat_client::{Client, HttpClient};
use schat_proto::client::CreateGroupRequest;
use schat_testkit::binaries::bin_dir;
use schat_testkit::sshd::{free_port_on, Sshd};
use schat_testkit::RedisServer;
use serde_json::{json, Value};

/// A cluster file with hosts, push's state, the sshds and Redis; stops
/// what push started when dropped.
struct PushCluster {
    dir: tempfile::TempDir,
    config: Value,
    redis: RedisServer,
    sshds: Vec<Sshd>,
}

/// Where each process of the test cluster runs: `a` is this machine,
/// `b` and `c` are reached over ssh.
const LAYOUT: [(&str, &str); 18] = [
    ("disp_serv-1", "a"),
    ("online_serv-1", "a"),
    ("file_serv-1", "a"),
    ("dir_serv-1", "a"),
    ("manage_serv-1", "a"),
    ("disp_serv-2", "b"),
    ("conn_serv-1", "b"),
    ("logic_serv-1", "b"),
    ("db_logic_serv-1", "b"),
    ("chat_serv-1", "b"),
    ("db_chat_serv-1", "b"),
    ("online_serv-2", "c"),
    ("file_serv-2", "c"),
    ("conn_serv-2", "c"),
    ("logic_serv-2", "c"),
    ("db_logic_serv-2", "c"),
    ("chat_serv-2", "c"),
    ("db_chat_serv-2", "c"),
];

impl PushCluster {
    fn new() -> PushCluster {
        let dir = tempfile::tempdir().unwrap();
        let redis = RedisServer::start().unwrap();
        let sshds: Vec<Sshd> = ["127.0.0.2", "127.0.0.3"]
            .iter()
            .map(|address| {
                Sshd::start(address, &dir.path().join(format!("sshd-{address}"))).unwrap()
            })
            .collect();
        let mut hosts = json!({
            "a": { "address": "127.0.0.1", "root": dir.path().join("a").display().to_string(), "supervisor": "runit" },
        });
        for (name, sshd) in ["b", "c"].iter().zip(&sshds) {
            hosts[*name] = host_entry(sshd, &dir.path().join(name));
        }
        let mut config = schat_testkit::binaries::committed_config();
        config["cluster"] = "pushtest".into();
        config["hosts"] = hosts;
        config["redis"]["port"] = redis.port().into();
        config["auth"]["argon2_memory_kib"] = 256.into();
        config["auth"]["argon2_iterations"] = 1.into();
        config["timing"] = json!({
            "peer_heartbeat_ms": 100, "peer_timeout_ms": 1000, "presence_beat_ms": 200,
            "presence_expiry_ms": 1500, "request_timeout_ms": 3000, "reconnect_max_ms": 200
        });
        config["manage"] =
            json!({ "poll_interval_ms": 200, "stale_after_ms": 1000, "down_after_ms": 2000 });
        config["log"]["level"] = "warn".into();
        config["chat"]["send_rate_per_sec"] = 0.into();
        let addresses: BTreeMap<&str, &str> =
            BTreeMap::from([("a", "127.0.0.1"), ("b", "127.0.0.2"), ("c", "127.0.0.3")]);
        for proc in config["procs"].as_array_mut().unwrap() {
            let name = proc["name"].as_str().unwrap().to_string();
            let host = LAYOUT.iter().find(|(n, _)| *n == name).unwrap().1;
            proc["host"] = host.into();
            for key in ["port", "ws_port"] {
                if proc.get(key).is_some() {
                    proc[key] = free_port_on(addresses[host]).unwrap().into();
                }
            }
        }
        let cluster = PushCluster {
            dir,
            config,
            redis,
            sshds,
        };
        cluster.write(&cluster.config);
        cluster
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("cluster.json")
    }

    fn write(&self, config: &Value) {
        std::fs::write(self.path(), serde_json::to_string_pretty(config).unwrap()).unwrap();
    }

    fn root(&self, host: &str) -> PathBuf {
        self.dir.path().join(host)
    }

    /// Runs schat-push with `args`; its exit status and JSON report.
    fn push(&self, args: &[&str]) -> (bool, Value) {
        self.push_with(args, &[])
    }

    fn push_with(&self, args: &[&str], env: &[(&str, &str)]) -> (bool, Value) {
        let started = Instant::now();
        let output = schat_push(&self.path(), &self.dir.path().join("state"))
            .arg("--bin-dir")
            .arg(bin_dir())
            .arg("--json")
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        let report: Value = serde_json::from_str(text.trim()).unwrap_or_else(|_| {
            panic!(
                "schat-push {args:?} printed no JSON: {text}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert_eq!(output.status.success(), report["ok"] == true, "{report:#}");
        println!(
            "schat-push {} took {:.1} s",
            args.join(" "),
            started.elapsed().as_secs_f64()
        );
        (output.status.success(), report)
    }

    fn addr(&self, name: &str) -> String {
        let proc = self.proc(name);
        let address = self.config["hosts"][proc["host"].as_str().unwrap()]["address"]
            .as_str()
            .unwrap();
        format!("{address}:{}", proc["port"])
    }

    fn proc(&self, name: &str) -> &Value {
        self.config["procs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|proc| proc["name"] == name)
            .unwrap()
    }

    fn dir_url(&self) -> String {
        format!("http://{}", self.addr("dir_serv-1"))
    }

    /// Waits until `status` says every process runs and is up in the
    /// fabric; the last report.
    fn wait_all_up(&self, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (ok, report) = self.push(&["status"]);
            let all_up = report["extra"]["procs"]
                .as_object()
                .is_some_and(|procs| procs.values().all(|proc| proc["fabric"] == "up"));
            if ok && all_up {
                return report;
            }
            assert!(
                Instant::now() < deadline,
                "not every process came up: {report:#}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

fn host_entry(sshd: &Sshd, root: &Path) -> Value {
    json!({
        "address": sshd.address,
        "ssh": sshd.target(),
        "identity": sshd.identity.display().to_string(),
        "root": root.display().to_string(),
        "supervisor": "runit",
    })
}

impl Drop for PushCluster {
    fn drop(&mut self) {
        stop_everything(&self.path(), &self.dir.path().join("state"), &self.config);
        let _ = &self.redis;
        let _ = &self.sshds;
    }
}

/// The schat-push command for the cluster file `path`.
fn schat_push(path: &Path, state_dir: &Path) -> Command {
    let mut command = Command::new(bin_dir().join("schat-push"));
    command
        .arg("--config")
        .arg(path)
        .arg("--state-dir")
        .arg(state_dir);
    command
}

/// Stops every process push started for `config`, then its runsvdirs.
fn stop_everything(path: &Path, state_dir: &Path, config: &Value) {
    let _ = schat_push(path, state_dir)
        .args(["--json", "stop"])
        .output();
    for host in config["hosts"].as_object().unwrap().values() {
        let pid_file = Path::new(host["root"].as_str().unwrap()).join("runsvdir.pid");
        if let Ok(pid) = std::fs::read_to_string(pid_file) {
            let _ = Command::new("kill").args(["-HUP", pid.trim()]).status();
        }
    }
}

fn rows(report: &Value) -> Vec<(String, String, String)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["target"].as_str().unwrap().to_string(),
                row["outcome"].as_str().unwrap().to_string(),
                row["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row<'a>(report: &'a [(String, String, String)], target: &str) -> &'a (String, String, String) {
    report
        .iter()
        .find(|(name, _, _)| name == target)
        .unwrap_or_else(|| panic!("no row for {target}: {report:?}"))
}

async fn user(addr: &str, account: &str) -> Client {
    let client = Client::connect(addr).await.unwrap();
    client
        .register(account, "password-1", account)
        .await
        .unwrap();
    client.login_password(account, "password-1").await.unwrap();
    client
}

/// Sends `label-account-N` messages round robin over `gids` until `stop`, retrying
/// each with the same client id until acknowledged and reconnecting
/// through the directory when its connection ends; the acknowledged
/// (gid, seq, text) and the longest time between two acknowledgements.
async fn keep_sending(
    dir_url: String,
    account: &'static str,
    label: &'static str,
    gids: Vec<u64>,
    stop: Arc<AtomicBool>,
) -> (Vec<(u64, u64, String)>, Duration) {
    let http = HttpClient::default();
    let connect = || async {
        loop {
            if let Ok(found) = Directory::lookup(&http, &dir_url).await {
                if let Ok(client) = Client::connect(&found.conn_addr).await {
                    if client.login_password(account, "password-1").await.is_ok() {
                        return client;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let mut client = connect().await;
    let mut acked = Vec::new();
    let mut last_ack = Instant::now();
    let mut longest = Duration::ZERO;
    for round in 0..100_000usize {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let gid = gids[round % gids.len()];
        let text = format!("{label}-{account}-{round}");
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < give_up, "{text} was never acknowledged");
            match client.send_text(gid, &text, &text).await {
                Ok(sent) => {
                    acked.push((gid, sent.seq, text.clone()));
                    longest = longest.max(last_ack.elapsed());
                    last_ack = Instant::now();
                    break;
                }
                Err(err) if err.code().is_none() || client.ping().await.is_err() => {
                    client = connect().await;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
    (acked, longest)
}

/// `reader` joins `gids`; each is gap-free, every acknowledged message is
/// stored exactly once at the seq its sender was told, and no sent text
/// (`roll-…`, `scale-…`) is stored twice.
async fn assert_stored_once(reader: &Client, gids: &[u64], acked: &[(u64, u64, String)]) {
    for gid in gids {
        reader.join_group(*gid, "", "").await.unwrap();
        let stored = all_messages(reader, *gid).await;
        for (index, (seq, _)) in stored.iter().enumerate() {
            assert_eq!(*seq, index as u64 + 1, "a gap in group {gid}");
        }
        for (_, seq, text) in acked.iter().filter(|(g, _, _)| g == gid) {
            let found: Vec<_> = stored.iter().filter(|(_, t)| t == text).collect();
            assert_eq!(found.len(), 1, "{text} in group {gid}: {found:?}");
            assert_eq!(found[0].0, *seq, "{text} moved");
        }
        let mut sent: Vec<&String> = stored
            .iter()
            .map(|(_, text)| text)
            .filter(|text| text.starts_with("roll-") || text.starts_with("scale-"))
            .collect();
        let count = sent.len();
        sent.sort();
        sent.dedup();
        assert_eq!(sent.len(), count, "a message stored twice in group {gid}");
    }
}

/// Runs `during` while alice and bob keep sending `label-…` messages over
/// `gids` (through the directory, as [`keep_sending`] does), then stops
/// them: what was acknowledged, and the longest time a client could not
/// send.
fn while_sending(
    runtime: &tokio::runtime::Runtime,
    cluster: &PushCluster,
    gids: &[u64],
    label: &'static str,
    during: impl FnOnce(),
) -> (Vec<(u64, u64, String)>, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|account| {
            runtime.spawn(keep_sending(
                cluster.dir_url(),
                account,
                label,
                gids.to_vec(),
                stop.clone(),
            ))
        })
        .collect();
    during();
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    let mut longest = Duration::ZERO;
    for sender in senders {
        let (mine, pause) = runtime.block_on(sender).unwrap();
        acked.extend(mine);
        longest = longest.max(pause);
    }
    (acked, longest)
}

/// Every message of `gid` from seq 1 on, as `reader` sees it.
async fn all_messages(reader: &Client, gid: u64) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut from = 1;
    loop {
        let page = reader.pull(gid, from, 200).await.unwrap();
        if page.messages.is_empty() {
            return out;
        }
        for message in &page.messages {
            out.push((message.seq, message.text.clone()));
            from = message.seq + 1;
        }
    }
}

#[test]
fn deploy_chat_supervise_roll_and_scale_out_over_ssh() {
    let mut cluster = PushCluster::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // A plan of nothing installed touches nothing.
    let (ok, plan) = cluster.push(&["plan"]);
    assert!(ok, "{plan:#}");
    assert!(!cluster.root("b").join("current").exists());
    assert_eq!(row(&rows(&plan), "conn_serv-1").2, "start (new)");

    // From nothing: three hosts, every process started.
    let (ok, report) = cluster.push(&["deploy"]);
    assert!(ok, "{report:#}");
    let table = rows(&report);
    for (name, _) in LAYOUT {
        assert_eq!(row(&table, name).2, "start (new)", "{report:#}");
    }
    for host in ["a", "b", "c"] {
        let link = std::fs::read_link(cluster.root(host).join("current")).unwrap();
        assert!(link.starts_with("releases"), "{link:?}");
    }
    cluster.wait_all_up(Duration::from_secs(60));
    // The same deploy again changes nothing.
    let (ok, again) = cluster.push(&["deploy"]);
    assert!(ok, "{again:#}");
    assert!(
        rows(&again)
            .iter()
            .all(|(_, outcome, _)| outcome == "unchanged"),
        "{again:#}"
    );

    // Users on different hosts' conn_servs chat.
    let (alice, bob, gids) = runtime.block_on(async {
        let alice = user(&cluster.addr("conn_serv-1"), "alice").await;
        let bob = user(&cluster.addr("conn_serv-2"), "bob").await;
        let mut gids = Vec::new();
        for index in 0..4 {
            let gid = alice
                .create_group(CreateGroupRequest {
                    name: format!("g{index}"),
                    ..CreateGroupRequest::default()
                })
                .await
                .unwrap()
                .gid;
            bob.join_group(gid, "", "").await.unwrap();
            gids.push(gid);
        }
        alice
            .send_text(gids[0], "hello-1", "hello from host b")
            .await
            .unwrap();
        let seen = all_messages(&bob, gids[0]).await;
        assert!(
            seen.iter().any(|(_, text)| text == "hello from host b"),
            "{seen:?}"
        );
        (alice, bob, gids)
    });

    // A process killed with SIGKILL is back within 5 s.
    let status = cluster.wait_all_up(Duration::from_secs(10));
    let pid = status["extra"]["procs"]["logic_serv-2"]["pid"]
        .as_u64()
        .unwrap();
    let killed = Instant::now();
    assert!(Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    loop {
        let (_, status) = cluster.push(&["status", "^logic_serv-2$"]);
        let proc = &status["extra"]["procs"]["logic_serv-2"];
        if proc["running"] == true && proc["pid"].as_u64() != Some(pid) {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "not back within 5 s: {status:#}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "logic_serv-2 was back {:.2} s after SIGKILL",
        killed.elapsed().as_secs_f64()
    );
    cluster.wait_all_up(Duration::from_secs(30));

    // Roll the whole cluster while two clients send without pause.
    let (acked, longest) = while_sending(&runtime, &cluster, &gids, "roll", || {
        std::thread::sleep(Duration::from_secs(1));
        let (ok, rolled) = cluster.push(&["roll"]);
        assert!(ok, "{rolled:#}");
        std::thread::sleep(Duration::from_millis(500));
    });
    assert!(
        acked.len() > 50,
        "too few messages were sent during the roll: {}",
        acked.len()
    );
    println!(
        "roll: {} messages acknowledged; the longest a client could not send: {:.2} s",
        acked.len(),
        longest.as_secs_f64()
    );
    runtime.block_on(async {
        let reader = user(&cluster.addr("conn_serv-1"), "carol").await;
        assert_stored_once(&reader, &gids, &acked).await;
    });
    drop((alice, bob));

    // A settings-only deploy is a new release the processes take live;
    // rollback goes back to the one before and restarts in turn.
    let mut quieter = cluster.config.clone();
    quieter["log"]["level"] = "error".into();
    cluster.write(&quieter);
    let (ok, report) = cluster.push(&["deploy", "--configs-only"]);
    assert!(ok, "{report:#}");
    assert_eq!(
        row(&rows(&report), "chat_serv-1").2,
        "reload (config: log.level)"
    );
    let installed = |host: &str| {
        std::fs::read_to_string(cluster.root(host).join("current/cluster.json")).unwrap()
    };
    assert!(installed("b").contains("\"error\""));
    let (ok, report) = cluster.push(&["rollback"]);
    assert!(ok, "{report:#}");
    assert!(
        row(&rows(&report), "b")
            .2
            .starts_with("switched to release"),
        "{report:#}"
    );
    assert!(!installed("b").contains("\"error\""));
    cluster.write(&cluster.config);
    cluster.wait_all_up(Duration::from_secs(30));

    // Scale out: a new host with a user set and a chat set, by editing
    // the file and deploying; the running processes take it live.
    let sshd = Sshd::start("127.0.0.4", &cluster.dir.path().join("sshd-127.0.0.4")).unwrap();
    let mut config = cluster.config.clone();
    config["hosts"]["d"] = host_entry(&sshd, &cluster.dir.path().join("d"));
    // Host d is the cluster's from now on: stopped with it even if this
    // test fails half-way.
    cluster.sshds.push(sshd);
    let port = || free_port_on("127.0.0.4").unwrap();
    for proc in [
        json!({ "id": 103, "name": "conn_serv-3", "type": "conn_serv", "host": "d", "port": port(), "logic": "logic_serv-3" }),
        json!({ "id": 203, "name": "logic_serv-3", "type": "logic_serv", "host": "d", "port": port() }),
        json!({ "id": 303, "name": "db_logic_serv-3", "type": "db_logic_serv", "host": "d", "port": port(), "logic": "logic_serv-3" }),
        json!({ "id": 403, "name": "chat_serv-3", "type": "chat_serv", "host": "d" }),
        json!({ "id": 503, "name": "db_chat_serv-3", "type": "db_chat_serv", "host": "d", "port": port(), "chat": "chat_serv-3" }),
    ] {
        config["procs"].as_array_mut().unwrap().push(proc);
    }
    cluster.write(&config);
    cluster.config = config.clone();
    // The plan shows the new processes and the file's diff, and installs nothing.
    let (ok, planned) = cluster.push(&["plan"]);
    assert!(ok, "{planned:#}");
    assert_eq!(row(&rows(&planned), "conn_serv-3").2, "start (new)");
    let diff = planned["extra"]["config_diffs"]["b"].as_str().unwrap();
    assert!(
        diff.lines()
            .any(|line| line.starts_with('+') && line.contains("conn_serv-3")),
        "{diff}"
    );
    assert!(!cluster.root("d").exists());
    let mut scaled = Value::Null;
    let (acked, _) = while_sending(&runtime, &cluster, &gids, "scale", || {
        std::thread::sleep(Duration::from_millis(500));
        let (ok, report) = cluster.push(&["deploy"]);
        assert!(ok, "{report:#}");
        scaled = report;
        // Sends go on while the groups chat_serv-3 wins move to it.
        std::thread::sleep(Duration::from_secs(2));
    });
    runtime.block_on(async {
        let reader = user(&cluster.addr("conn_serv-2"), "frank").await;
        assert_stored_once(&reader, &gids, &acked).await;
    });
    println!(
        "scale out: {} messages acknowledged during the deploy, none lost",
        acked.len()
    );
    let table = rows(&scaled);
    assert_eq!(row(&table, "conn_serv-3").2, "start (new)");
    assert!(
        row(&table, "logic_serv-1").2.starts_with("reload"),
        "{scaled:#}"
    );
    let new_conn = format!(
        "127.0.0.4:{}",
        config["procs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "conn_serv-3")
            .unwrap()["port"]
    );
    runtime.block_on(async {
        let dave = user(&new_conn, "dave").await;
        let erin = user(&cluster.addr("conn_serv-2"), "erin").await;
        // Groups land on every chat set, chat_serv-3 included.
        let mut on_new = 0;
        for index in 0..12 {
            let gid = dave
                .create_group(CreateGroupRequest {
                    name: format!("n{index}"),
                    ..CreateGroupRequest::default()
                })
                .await
                .unwrap()
                .gid;
            if schat_runtime::rendezvous::owner(gid, [401, 402, 403]) == Some(403) {
                on_new += 1;
            }
            erin.join_group(gid, "", "").await.unwrap();
            let text = format!("scaled {index}");
            dave.send_text(gid, &text, &text).await.unwrap();
            let seen = all_messages(&erin, gid).await;
            assert_eq!(seen.last(), Some(&(2, text)), "after erin's join");
        }
        assert!(on_new > 0, "no group was owned by chat_serv-3");
    });

    // Rolling the scale-out back: the new host had nothing before, so its
    // processes stop; the others go back to the file without it.
    let (ok, report) = cluster.push(&["rollback"]);
    assert!(ok, "{report:#}");
    let table = rows(&report);
    assert_eq!(
        row(&table, "d").2,
        "its first release: its processes were stopped"
    );
    assert!(
        row(&table, "a").2.starts_with("switched to release"),
        "{report:#}"
    );
    let (_, status) = cluster.push(&["status", "conn_serv-"]);
    let procs = &status["extra"]["procs"];
    assert_eq!(procs["conn_serv-3"]["running"], false, "{status:#}");
    assert_eq!(procs["conn_serv-1"]["running"], true, "{status:#}");
    let installed =
        std::fs::read_to_string(cluster.root("b").join("current/cluster.json")).unwrap();
    assert!(!installed.contains("conn_serv-3"));
}

#[test]
fn bad_inputs_are_refused_and_change_nothing() {
    let cluster = PushCluster::new();
    // An invalid regular expression.
    let (ok, report) = cluster.push(&["deploy", "--procs", "conn_serv-("]);
    assert!(!ok);
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("bad match pattern"),
        "{report:#}"
    );
    assert!(!cluster.root("a").exists() && !cluster.root("b").exists());

    // A cluster file that fails validation: nothing is touched.
    let mut broken = cluster.config.clone();
    broken["procs"][0]["host"] = "nowhere".into();
    cluster.write(&broken);
    let (ok, report) = cluster.push(&["deploy"]);
    assert!(!ok);
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("names host \"nowhere\""),
        "{report:#}"
    );
    assert!(!cluster.root("a").exists());
    cluster.write(&cluster.config);

    // An unreachable host: the others proceed, the table names it.
    let mut config = cluster.config.clone();
    config["hosts"]["c"]["ssh"] =
        format!("root@127.0.0.9:{}", free_port_on("127.0.0.9").unwrap()).into();
    cluster.write(&config);
    let (ok, report) = cluster.push(&["deploy", "--no-start"]);
    assert!(!ok);
    let table = rows(&report);
    assert_eq!(row(&table, "c").1, "failed");
    assert!(row(&table, "c").2.contains("unreachable"), "{report:#}");
    assert_eq!(row(&table, "conn_serv-2").1, "failed");
    assert_eq!(row(&table, "b").1, "ok");
    assert!(cluster.root("b").join("current/bin/conn_serv").exists());
    cluster.write(&cluster.config);

    // A package damaged on the way: refused by its checksum, nothing
    // installed, the current release kept.
    let wrapper = cluster.dir.path().join("damaging-ssh");
    std::fs::write(
        &wrapper,
        // Host c's uploads only: whether another host's package holds the
        // byte flipped depends on its content, so b is left alone.
        "#!/bin/sh\n# Flips bytes of whatever is sent to host c's remote `cat >`.\n\
         case \"$*\" in *127.0.0.3*'cat >'*) tr 'A' 'B' | ssh \"$@\" ;; *) exec ssh \"$@\" ;; esac\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&wrapper)
        .status()
        .unwrap();
    let wrapper_path = wrapper.display().to_string();
    let (ok, report) = cluster.push_with(
        &["deploy", "--no-start"],
        &[("SCHAT_PUSH_SSH", wrapper_path.as_str())],
    );
    assert!(!ok);
    let table = rows(&report);
    assert!(row(&table, "c").2.contains("arrived damaged"), "{report:#}");
    // Host c got nothing: no release, no current, no leftovers.
    assert!(!cluster.root("c").join("current").exists());
    let releases: Vec<_> = std::fs::read_dir(cluster.root("c").join("releases"))
        .map(|dir| dir.flatten().map(|entry| entry.file_name()).collect())
        .unwrap_or_default();
    assert!(releases.is_empty(), "{releases:?}");
    let leftovers: Vec<_> = std::fs::read_dir(cluster.root("c").join("incoming"))
        .map(|dir| dir.flatten().collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A full disk on the target: a small tmpfs as host c's root.
    let root_c = cluster.root("c");
    std::fs::create_dir_all(&root_c).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=48m", "tmpfs"])
        .arg(&root_c)
        .status()
        .is_ok_and(|status| status.success());
    if mounted {
        let (ok, report) = cluster.push(&["deploy", "--no-start"]);
        let _ = Command::new("umount").arg(&root_c).status();
        assert!(!ok);
        let table = rows(&report);
        let detail = &row(&table, "c").2;
        assert!(detail.contains("not enough disk space"), "{report:#}");
        assert_eq!(row(&table, "b").1, "unchanged");
    } else {
        println!("not root: the full-disk case (a tmpfs) was not run");
    }

    // --bins-only keeps the installed cluster file, so a file that runs
    // other processes on a host is refused there, and nothing starts.
    let mut more = cluster.config.clone();
    more["procs"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": 13, "name": "online_serv-3", "type": "online_serv", "host": "b" }));
    cluster.write(&more);
    let (ok, report) = cluster.push(&["deploy", "--bins-only"]);
    assert!(!ok);
    let table = rows(&report);
    let detail = &row(&table, "b").2;
    assert!(
        detail.contains("the installed cluster file runs") && detail.contains("online_serv-3"),
        "{report:#}"
    );
    cluster.write(&cluster.config);

    // --procs: every host gets the release, only the named processes start.
    let (ok, report) = cluster.push(&["deploy", "--procs", "^disp_serv-"]);
    assert!(ok, "{report:#}");
    let table = rows(&report);
    // Installed by the --no-start deploys above, not started until now.
    assert_eq!(row(&table, "disp_serv-2").2, "start (not running)");
    assert!(
        !table
            .iter()
            .any(|(name, _, _)| name.starts_with("conn_serv")),
        "{report:#}"
    );
    assert!(cluster.root("c").join("current/bin/conn_serv").exists());
    let (_, status) = cluster.push(&["status"]);
    let procs = &status["extra"]["procs"];
    assert_eq!(procs["disp_serv-1"]["running"], true, "{status:#}");
    assert_eq!(procs["disp_serv-2"]["running"], true, "{status:#}");
    assert_eq!(procs["conn_serv-1"]["running"], false, "{status:#}");
}

#[test]
fn migrate_moves_a_running_cluster_to_another_host_and_redis() {
    let cluster = PushCluster::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (ok, report) = cluster.push(&["deploy"]);
    assert!(ok, "{report:#}");
    cluster.wait_all_up(Duration::from_secs(60));
    let (gid, sent) = runtime.block_on(async {
        let alice = user(&cluster.addr("conn_serv-1"), "alice").await;
        let gid = alice
            .create_group(CreateGroupRequest {
                name: "moving".to_string(),
                ..CreateGroupRequest::default()
            })
            .await
            .unwrap()
            .gid;
        for index in 0..300 {
            let text = format!("before the move {index}");
            alice.send_text(gid, &text, &text).await.unwrap();
        }
        (gid, all_messages(&alice, gid).await)
    });

    // The new cluster: every process on one host with another root, other
    // ports and its own Redis.
    let redis = RedisServer::start().unwrap();
    let mut target = cluster.config.clone();
    target["cluster"] = "pushtest-new".into();
    target["redis"]["port"] = redis.port().into();
    let root = cluster.dir.path().join("z");
    target["hosts"] = json!({ "z": { "address": "127.0.0.1", "root": root.display().to_string(), "supervisor": "runit" } });
    for proc in target["procs"].as_array_mut().unwrap() {
        proc["host"] = "z".into();
        if proc.get("port").is_some() {
            proc["port"] = free_port_on("127.0.0.1").unwrap().into();
        }
    }
    let target_path = cluster.dir.path().join("cluster-new.json");
    std::fs::write(&target_path, serde_json::to_string_pretty(&target).unwrap()).unwrap();
    struct Stop<'a>(&'a Path, PathBuf, &'a Value);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            stop_everything(self.0, &self.1, self.2);
        }
    }
    let _stop_new = Stop(&target_path, cluster.dir.path().join("state"), &target);

    let (ok, report) = cluster.push(&["migrate", "--to", target_path.to_str().unwrap()]);
    assert!(ok, "{report:#}");
    let unavailable = report["extra"]["unavailable_secs"].as_f64().unwrap();
    println!(
        "migrate: clients could not send for {unavailable:.1} s ({})",
        report["notes"]
    );

    // The old cluster is stopped; the new one has everything.
    let (_, status) = cluster.push(&["status"]);
    assert!(
        status["extra"]["procs"]
            .as_object()
            .unwrap()
            .values()
            .all(|proc| proc["running"] == false),
        "{status:#}"
    );
    let conn = target["procs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "conn_serv-1")
        .unwrap()["port"]
        .clone();
    runtime.block_on(async {
        let alice = Client::connect(&format!("127.0.0.1:{conn}")).await.unwrap();
        alice.login_password("alice", "password-1").await.unwrap();
        assert_eq!(all_messages(&alice, gid).await, sent);
        let text = "after the move";
        let stored = alice.send_text(gid, text, text).await.unwrap();
        assert_eq!(stored.seq, sent.last().unwrap().0 + 1);
    });
}

#[test]
fn a_failed_roll_stops_at_the_first_failure_and_rollback_brings_the_cluster_back() {
    let cluster = PushCluster::new();
    let (ok, report) = cluster.push(&["deploy"]);
    assert!(ok, "{report:#}");
    cluster.wait_all_up(Duration::from_secs(60));

    // A roll starts only from a healthy cluster: with one process
    // stopped it changes nothing, not even a host's `current`.
    let links = || -> Vec<PathBuf> {
        ["a", "b", "c"]
            .iter()
            .map(|host| std::fs::read_link(cluster.root(host).join("current")).unwrap())
            .collect()
    };
    let before = links();
    let (ok, _) = cluster.push(&["stop", "^dir_serv-1$"]);
    assert!(ok);
    let mut quieter = cluster.config.clone();
    quieter["log"]["level"] = "error".into();
    cluster.write(&quieter);
    let (ok, report) = cluster.push(&["roll"]);
    assert!(!ok);
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains("not live in the fabric before the roll: dir_serv-1"),
        "{report:#}"
    );
    assert_eq!(links(), before);
    cluster.write(&cluster.config);
    let (ok, _) = cluster.push(&["start", "^dir_serv-1$"]);
    assert!(ok);
    cluster.wait_all_up(Duration::from_secs(30));

    // A build whose db_logic_serv exits at once: the first step of the
    // roll never comes back, so the roll stops there.
    let broken = cluster.dir.path().join("broken-build");
    std::fs::create_dir_all(&broken).unwrap();
    for (name, _) in LAYOUT {
        let kind = name.split('-').next().unwrap();
        let target = broken.join(kind);
        if !target.exists() {
            std::os::unix::fs::symlink(bin_dir().join(kind), &target).unwrap();
        }
    }
    std::fs::remove_file(broken.join("db_logic_serv")).unwrap();
    std::fs::write(
        broken.join("db_logic_serv"),
        "#!/bin/sh\necho broken build >&2\nexit 1\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(broken.join("db_logic_serv"))
        .status()
        .unwrap();
    let (ok, report) = cluster.push(&[
        "roll",
        "--live-within-secs",
        "5",
        "--bin-dir",
        broken.to_str().unwrap(),
    ]);
    assert!(!ok, "{report:#}");
    let table = rows(&report);
    let first = row(&table, "db_logic_serv-1");
    assert_eq!(first.1, "failed", "{report:#}");
    assert!(first.2.contains("did not start"), "{report:#}");
    assert_eq!(
        row(&table, "conn_serv-1").2,
        "not restarted: the roll stopped"
    );
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("the roll stopped at db_logic_serv-1")
            && notes.contains("schat-push rollback"),
        "{notes}"
    );

    // Going back: the previous release everywhere, every process live.
    let (ok, report) = cluster.push(&["rollback", "--live-within-secs", "30"]);
    assert!(ok, "{report:#}");
    assert!(
        row(&rows(&report), "db_logic_serv-1")
            .2
            .contains("restarted"),
        "{report:#}"
    );
    cluster.wait_all_up(Duration::from_secs(30));

    // As after a reboot: host a's runsvdir gone with its processes;
    // `start` brings the supervisor and every process back.
    let pid_file = cluster.root("a").join("runsvdir.pid");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(Command::new("kill")
        .args(["-HUP", pid.trim()])
        .status()
        .unwrap()
        .success());
    let gone = Instant::now();
    let alive = || {
        Command::new("kill")
            .args(["-0", pid.trim()])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    while alive() {
        assert!(
            gone.elapsed() < Duration::from_secs(20),
            "runsvdir did not stop"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (ok, report) = cluster.push(&["start"]);
    assert!(ok, "{report:#}");
    let again = std::fs::read_to_string(&pid_file).unwrap();
    assert_ne!(again.trim(), pid.trim(), "runsvdir was not started again");
    cluster.wait_all_up(Duration::from_secs(30));
}
