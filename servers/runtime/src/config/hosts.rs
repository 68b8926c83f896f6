//! The `hosts` section: the machines a cluster runs on and how the push
//! tool reaches them.
//!
//! Each process's `host` names one of them (when the section is present);
//! the process listens on that host's `address` and its peers dial it
//! there. Without the section, `host` is the address itself, as in the
//! one-box default file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ClusterConfig, ConfigError};

/// One machine of the cluster.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// The address its processes listen on and peers dial (an IP address
    /// or a DNS name).
    pub address: String,
    /// How push reaches it: absent for this machine, else an ssh target
    /// `user@address[:port]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<String>,
    /// The private key push's ssh uses for this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The install root: releases, the `current` link, service
    /// definitions, data and logs live under it. An absolute path.
    pub root: String,
    /// What brings its processes back after a crash.
    #[serde(default)]
    pub supervisor: SupervisorKind,
}

/// The host's process supervisor.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SupervisorKind {
    /// systemd where it runs (PID 1 is systemd), runit's runsvdir otherwise.
    #[default]
    Auto,
    Systemd,
    Runit,
}

/// A parsed `user@address[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshTarget {
    pub user: String,
    pub address: String,
    pub port: u16,
}

impl SshTarget {
    pub fn parse(text: &str) -> Result<SshTarget, String> {
        let (user, rest) = text
            .split_once('@')
            .ok_or_else(|| format!("{text:?} is not user@address[:port]"))?;
        if user.is_empty()
            || !user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(format!("{text:?}: {user:?} is not a user name"));
        }
        let (address, port) = match rest.rsplit_once(':') {
            // A bracketed IPv6 address: [::1]:22.
            Some((address, port)) if !address.contains(':') || address.ends_with(']') => {
                let port: u16 = port
                    .parse()
                    .ok()
                    .filter(|port| *port != 0)
                    .ok_or_else(|| format!("{text:?}: {port:?} is not a port"))?;
                (address.trim_start_matches('[').trim_end_matches(']'), port)
            }
            _ => (rest.trim_start_matches('[').trim_end_matches(']'), 22),
        };
        if address.is_empty() || address.starts_with('-') || address.contains(char::is_whitespace) {
            return Err(format!("{text:?}: {address:?} is not an address"));
        }
        Ok(SshTarget {
            user: user.to_string(),
            address: address.to_string(),
            port,
        })
    }
}

/// Checks the section and that every process names one of its hosts.
pub(super) fn validate(config: &ClusterConfig) -> Result<(), ConfigError> {
    let invalid = |name: &str, problem: String| ConfigError::Host {
        name: name.to_string(),
        problem,
    };
    for (name, host) in &config.hosts {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(invalid(
                name,
                "a host name is letters, digits, '.', '_' and '-'".into(),
            ));
        }
        if host.address.is_empty() || host.address.contains(char::is_whitespace) {
            return Err(invalid(
                name,
                format!("address {:?} is not an address", host.address),
            ));
        }
        if !host.root.starts_with('/') || host.root.contains(['\'', '\n', '"', '\\', '$', '`', '%'])
        {
            return Err(invalid(
                name,
                format!(
                    "root {:?} must be an absolute path without quotes, '$', '%' or '\\'",
                    host.root
                ),
            ));
        }
        if let Some(ssh) = &host.ssh {
            SshTarget::parse(ssh).map_err(|problem| invalid(name, format!("ssh {problem}")))?;
        } else if host.identity.is_some() {
            return Err(invalid(
                name,
                "identity is only for hosts reached over ssh".into(),
            ));
        }
    }
    // One machine: the same ssh address whatever the user and port, or
    // this machine; one root whatever its trailing slashes.
    let mut roots: BTreeMap<(Option<String>, &str), &str> = BTreeMap::new();
    for (name, host) in &config.hosts {
        let machine = host
            .ssh
            .as_deref()
            .and_then(|ssh| SshTarget::parse(ssh).ok())
            .map(|target| target.address);
        let root = host.root.trim_end_matches('/');
        if let Some(first) = roots.insert((machine, root), name) {
            return Err(invalid(
                name,
                format!(
                    "root {:?} is also {first:?}'s on the same machine",
                    host.root
                ),
            ));
        }
    }
    if config.hosts.is_empty() {
        return Ok(());
    }
    for proc in &config.procs {
        if !config.hosts.contains_key(&proc.host) {
            return Err(ConfigError::UnknownHost {
                name: proc.name.clone(),
                host: proc.host.clone(),
            });
        }
    }
    Ok(())
}

/// Gives every process the address of the host it names.
pub(super) fn resolve(config: &mut ClusterConfig) {
    for proc in &mut config.procs {
        proc.address = config
            .hosts
            .get(&proc.host)
            .map(|host| host.address.clone());
    }
}
