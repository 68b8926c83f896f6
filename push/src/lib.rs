//! schat-push: deploys and operates a schat cluster from the `cluster.json`
//! every process reads.
//!
//! The file's `hosts` section says where each process runs and how push
//! reaches the host (this machine, or ssh). Every command works from that
//! file alone: [`deploy`] installs releases side by side and switches a
//! `current` link, [`supervise`] writes the host supervisor's services (so
//! crashed processes come back), [`roll`] restarts one process at a time
//! gated on the fabric's health as manage_serv sees it, and [`backup`]
//! takes and restores consistent snapshots with a verified manifest.

#![forbid(unsafe_code)]

pub mod backup;
pub mod cli;
pub mod control;
pub mod deploy;
pub mod health;
pub mod inventory;
pub mod migrate;
pub mod release;
pub mod remote;
pub mod report;
pub mod roll;
pub mod supervise;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context};
use schat_runtime::config::{ClusterConfig, ProcConfig};

use crate::remote::Host;
use crate::report::Progress;

/// A validated cluster file and the hosts it names, as one command sees them.
#[derive(Debug)]
pub struct Cluster {
    pub config: ClusterConfig,
    /// The file itself: shipped to every host byte for byte.
    pub path: PathBuf,
    pub text: Vec<u8>,
    pub hosts: BTreeMap<String, Host>,
    /// push's own files: ssh host keys, the console token it made.
    pub state_dir: PathBuf,
    pub progress: Progress,
    /// sha256 of local files already read: a binary several hosts get is
    /// hashed once per command (unless two hosts ask at the same moment).
    digests: Mutex<HashMap<PathBuf, String>>,
}

impl Cluster {
    /// Loads and validates `path`; nothing is touched when it is invalid.
    pub fn load(path: &Path, state_dir: &Path, quiet: bool) -> anyhow::Result<Cluster> {
        let text =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let config = ClusterConfig::load(path).map_err(|err| anyhow::anyhow!("{err}"))?;
        if config.hosts.is_empty() {
            bail!(
                "{} has no \"hosts\" section: push needs to know which host each process runs on \
                 (see docs/OPERATIONS.md, \"Deploying\")",
                path.display()
            );
        }
        // One directory per cluster: its host keys and console token.
        let name: String = config
            .cluster
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let state_dir = state_dir.join(name);
        std::fs::create_dir_all(&state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let known_hosts = state_dir.join("known_hosts");
        let hosts = config
            .hosts
            .iter()
            .map(|(name, host)| (name.clone(), Host::new(name, host, base, &known_hosts)))
            .collect();
        Ok(Cluster {
            config,
            path: path.to_path_buf(),
            text,
            hosts,
            state_dir,
            progress: Progress::new(quiet),
            digests: Mutex::default(),
        })
    }

    /// The sha256 (hex) of the local file `path`, remembered for the rest
    /// of the command.
    pub fn file_digest(&self, path: &Path) -> std::io::Result<String> {
        let known = self
            .digests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned();
        if let Some(sum) = known {
            return Ok(sum);
        }
        let sum = release::sha256_file(path)?;
        self.digests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), sum.clone());
        Ok(sum)
    }

    /// The host `proc` runs on.
    pub fn host_of(&self, proc: &ProcConfig) -> &Host {
        // Validation guarantees every process names a host.
        &self.hosts[&proc.host]
    }

    /// The processes on `host`, in file order.
    pub fn procs_on<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a ProcConfig> {
        self.config.procs_on_host(host)
    }

    /// The processes whose names `pattern` matches, searched like grep
    /// (`^logic_serv-` names every logic_serv); every process without one.
    pub fn select(&self, pattern: Option<&str>) -> anyhow::Result<Vec<&ProcConfig>> {
        let Some(pattern) = pattern else {
            return Ok(self.config.procs.iter().collect());
        };
        let chosen = self
            .config
            .matching(pattern)
            .map_err(|err| anyhow::anyhow!("{err}"))?;
        if chosen.is_empty() {
            bail!("{pattern:?} matches no process of {}", self.path.display());
        }
        Ok(chosen)
    }
}
