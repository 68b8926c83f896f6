//! The fabric's view of the cluster, from manage_serv's API: which
//! processes are live and answering, and the drain command.
//!
//! push gates every step of a rolling restart on this view (a process
//! counts only when manage_serv heard from the restarted process itself),
//! so it needs an API token: the first time, push creates one with
//! manage_serv's own tool on the manage host and keeps it (mode 0600) in
//! its state directory; `SCHAT_MANAGE_TOKEN` overrides it.

use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use http::Method;
use schat_client::HttpClient;
use schat_runtime::config::{ProcConfig, ProcKind};
use serde_json::{json, Value};

use crate::release::CONFIG;
use crate::remote::quote;
use crate::Cluster;

/// One process as manage_serv sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FabricProc {
    pub name: String,
    /// `up`, `stale` or `down`.
    pub state: String,
    pub pid: Option<u64>,
    pub started_at_ms: Option<u64>,
    pub connections: u64,
    pub draining: bool,
}

/// A client of the cluster's console API.
#[derive(Debug)]
pub struct Console<'a> {
    cluster: &'a Cluster,
    manage: &'a ProcConfig,
    url: String,
    token: Option<String>,
    runtime: tokio::runtime::Runtime,
    client: HttpClient,
}

impl<'a> Console<'a> {
    /// The console of `cluster`'s first manage_serv, or an error saying
    /// why the fabric cannot be asked.
    pub fn new(cluster: &'a Cluster) -> anyhow::Result<Console<'a>> {
        let manage = cluster
            .config
            .procs_of(ProcKind::ManageServ)
            .next()
            .context("the cluster has no manage_serv: push asks it which processes are live")?;
        let url = manage
            .public_addr()
            .context("manage_serv has no address")?
            .trim_end_matches('/')
            .to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let token = std::env::var("SCHAT_MANAGE_TOKEN")
            .ok()
            .or_else(|| std::fs::read_to_string(token_path(cluster)).ok())
            .map(|token| token.trim().to_string());
        Ok(Console {
            cluster,
            manage,
            url,
            token,
            runtime,
            client: HttpClient::default(),
        })
    }

    fn request(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        for attempt in 0..2 {
            if self.token.is_none() {
                self.token = Some(self.create_token()?);
            }
            let token = self.token.clone().unwrap_or_default();
            let mut headers = vec![("authorization", format!("Bearer {token}"))];
            let body = match &body {
                Some(body) => {
                    headers.push(("content-type", "application/json".to_string()));
                    Bytes::from(body.to_string())
                }
                None => Bytes::new(),
            };
            let url = format!("{}{path}", self.url);
            let response = self.runtime.block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(15),
                    self.client.send(method.clone(), &url, &headers, body),
                )
                .await
            });
            let response = match response {
                Ok(Ok(response)) => response,
                Ok(Err(err)) => bail!("the console at {} does not answer: {err}", self.url),
                Err(_) => bail!("the console at {} did not answer within 15 s", self.url),
            };
            if response.status.as_u16() == 401 {
                if attempt == 0 {
                    // Revoked, expired, or from another cluster: make another.
                    self.token = None;
                    continue;
                }
                bail!(
                    "the console at {} refuses push's API token, even a new one",
                    self.url
                );
            }
            if !response.status.is_success() {
                bail!(
                    "the console answered {}: {}",
                    response.status,
                    response.reason()
                );
            }
            return Ok(serde_json::from_slice(&response.body)?);
        }
        bail!("the console refuses push's API token")
    }

    /// Creates an admin API token with manage_serv's tool on its host and
    /// keeps it in push's state directory.
    fn create_token(&self) -> anyhow::Result<String> {
        let host = self.cluster.host_of(self.manage);
        let root = &host.root;
        let out = host
            .run(&format!(
                "cd {} && {} --config {} --name {} token create schat-push --role admin --ttl-secs 31536000",
                quote(root),
                quote(&format!("{root}/current/bin/manage_serv")),
                quote(&format!("{root}/current/{CONFIG}")),
                quote(&self.manage.name),
            ))
            .context("cannot create an API token for push on the manage host")?;
        let value: Value = serde_json::from_str(out.trim())
            .with_context(|| format!("manage_serv's token tool printed {out:?}"))?;
        let token = value["token"]
            .as_str()
            .context("manage_serv's token tool printed no token")?
            .to_string();
        let path = token_path(self.cluster);
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, token.as_bytes()))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(token)
    }

    /// Every process as the fabric sees it now.
    pub fn procs(&mut self) -> anyhow::Result<Vec<FabricProc>> {
        let value = self.request(Method::GET, "/api/v1/procs", None)?;
        Ok(value["procs"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|row| FabricProc {
                name: row["name"].as_str().unwrap_or_default().to_string(),
                state: row["state"].as_str().unwrap_or("down").to_string(),
                pid: row["pid"].as_u64(),
                started_at_ms: row["started_at_ms"].as_u64(),
                connections: row["connections"].as_u64().unwrap_or(0),
                draining: row["draining"].as_bool().unwrap_or(false),
            })
            .collect())
    }

    /// `name` as the fabric sees it.
    pub fn proc(&mut self, name: &str) -> anyhow::Result<Option<FabricProc>> {
        Ok(self.procs()?.into_iter().find(|proc| proc.name == name))
    }

    /// Tells conn_serv `name` to drain: out of the directory, its clients
    /// told to reconnect elsewhere.
    pub fn drain(&mut self, name: &str) -> anyhow::Result<()> {
        let value = self.request(
            Method::POST,
            "/api/v1/commands",
            Some(json!({ "command": "drain", "match": format!("^{}$", regex::escape(name)) })),
        )?;
        let result = &value["results"][0];
        if result["outcome"] != "done" {
            bail!("drain of {name} failed: {}", result["detail"]);
        }
        Ok(())
    }

    /// Waits until `name` is up in the fabric, and when `previous` is
    /// given, as another process than that one (another pid or start
    /// time, each as the process itself reports it: no clocks compared).
    pub fn wait_live(
        &mut self,
        name: &str,
        previous: Option<&FabricProc>,
        within: Duration,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        let mut last = String::from("not seen");
        while Instant::now() < deadline {
            match self.proc(name) {
                Ok(Some(proc)) if proc.state == "up" => {
                    let same = previous.is_some_and(|before| {
                        before.pid == proc.pid && before.started_at_ms == proc.started_at_ms
                    });
                    if !same {
                        return Ok(());
                    }
                    last = "the console still sees the process from before the restart".to_string();
                }
                Ok(Some(proc)) => last = format!("state {}", proc.state),
                Ok(None) => last = "not in the console's list".to_string(),
                Err(err) => last = format!("{err:#}"),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "{name} was not live in the fabric within {} s ({last})",
            within.as_secs()
        )
    }
}

fn token_path(cluster: &Cluster) -> PathBuf {
    cluster.state_dir.join("manage-token")
}
