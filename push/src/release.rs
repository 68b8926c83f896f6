//! Releases: what one host runs, installed side by side under
//! `<root>/releases/<id>/` with `<root>/current` pointing at one of them.
//!
//! A release is the binaries of the process types on the host (`bin/…`)
//! and the cluster file (`cluster.json`), listed with their sha256 in
//! `RELEASE.json`; its id is the schat version and a digest of that list,
//! so the same content is the same release on every deploy. Installing
//! sends one tar per host with only the files the host's current release
//! lacks (the rest are hard-linked there), checks the tar's digest on
//! arrival and every file's after unpacking, and only then renames the
//! release into place; switching is one `rename` of a symlink, so
//! `current` is always a whole release. `releases/history` lists every
//! switch, for `rollback`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use schat_runtime::config::ProcKind;
use schat_runtime::digest::{hex, sha256_hex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::remote::{quote, Host};
use crate::Cluster;

/// The cluster file's name inside a release.
pub const CONFIG: &str = "cluster.json";

/// What `RELEASE.json` says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    pub version: String,
    /// Path inside the release → sha256 (hex).
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    fn new(files: BTreeMap<String, String>) -> Manifest {
        let mut digest = Sha256::new();
        for (path, sum) in &files {
            digest.update(format!("{path} {sum}\n"));
        }
        let version = env!("CARGO_PKG_VERSION").to_string();
        let id = format!("{version}-{}", &hex(&digest.finalize())[..12]);
        Manifest { id, version, files }
    }
}

/// Which parts of a release a deploy replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    All,
    ConfigsOnly,
    BinsOnly,
}

/// A host's release as push would install it: each file with its digest
/// and where its bytes come from.
#[derive(Debug)]
pub struct Wanted {
    pub manifest: Manifest,
    /// Local files to send (path in the release → file here).
    sources: BTreeMap<String, Source>,
}

#[derive(Debug)]
enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
    /// Kept from the host's current release.
    Current,
}

/// What a host has now.
#[derive(Debug, Default)]
pub struct Installed {
    pub current: Option<Manifest>,
    /// Free bytes on the install root's filesystem.
    pub free_bytes: u64,
    /// Whether systemd runs there (PID 1).
    pub systemd: bool,
    /// Whether runit's runsvdir is installed there.
    pub runit: bool,
}

/// Reads what `host` has installed; touches nothing.
pub fn probe(host: &Host) -> anyhow::Result<Installed> {
    let root = quote(&host.root);
    let script = format!(
        "r={root}; \
         if [ -f \"$r/current/RELEASE.json\" ]; then cat \"$r/current/RELEASE.json\"; fi; echo; \
         d=\"$r\"; while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done; \
         df -Pk \"$d\" | awk 'NR==2 {{print \"free \" $4}}'; \
         [ -d /run/systemd/system ] && echo systemd; \
         command -v runsvdir >/dev/null 2>&1 && echo runit; true"
    );
    let out = host.run(&script)?;
    let mut lines = out.lines();
    let current = match lines.next().unwrap_or("").trim() {
        "" => None,
        json => Some(
            serde_json::from_str(json)
                .with_context(|| format!("{}/current/RELEASE.json is damaged", host.root))?,
        ),
    };
    let mut installed = Installed {
        current,
        ..Installed::default()
    };
    for line in lines {
        match line.split_once(' ') {
            Some(("free", kib)) => {
                installed.free_bytes = kib.trim().parse::<u64>().with_context(|| {
                    format!(
                        "cannot read the free space under {} (df said {kib:?})",
                        host.root
                    )
                })? * 1024
            }
            _ if line == "systemd" => installed.systemd = true,
            _ if line == "runit" => installed.runit = true,
            _ => {}
        }
    }
    Ok(installed)
}

/// The release `host` should run: its process types' binaries from
/// `bin_dir` and the cluster file, or, for the parts a deploy leaves
/// alone, those of its current release.
pub fn wanted(
    cluster: &Cluster,
    host: &Host,
    bin_dir: &Path,
    parts: Parts,
    current: Option<&Manifest>,
) -> anyhow::Result<Wanted> {
    let mut files = BTreeMap::new();
    let mut sources = BTreeMap::new();
    let keep = |path: &str| -> anyhow::Result<String> {
        current
            .and_then(|manifest| manifest.files.get(path).cloned())
            .with_context(|| {
                format!(
                    "{} has no {path} installed to keep: deploy everything first",
                    host.name
                )
            })
    };
    let mut kinds: Vec<ProcKind> = cluster.procs_on(&host.name).map(|proc| proc.kind).collect();
    kinds.sort_by_key(|kind| kind.name());
    kinds.dedup();
    for kind in kinds {
        let path = format!("bin/{}", kind.name());
        if parts == Parts::ConfigsOnly {
            files.insert(path.clone(), keep(&path)?);
            sources.insert(path, Source::Current);
            continue;
        }
        let file = bin_dir.join(kind.name());
        let sum = cluster.file_digest(&file).with_context(|| {
            format!(
                "cannot read {} (build the binaries, or give --bin-dir)",
                file.display()
            )
        })?;
        files.insert(path.clone(), sum);
        sources.insert(path, Source::File(file));
    }
    if parts == Parts::BinsOnly {
        files.insert(CONFIG.to_string(), keep(CONFIG)?);
        sources.insert(CONFIG.to_string(), Source::Current);
    } else {
        files.insert(CONFIG.to_string(), sha256_hex(&cluster.text));
        sources.insert(CONFIG.to_string(), Source::Bytes(cluster.text.clone()));
    }
    Ok(Wanted {
        manifest: Manifest::new(files),
        sources,
    })
}

impl Wanted {
    /// Paths whose content differs from `current`'s (all when none).
    pub fn changed(&self, current: Option<&Manifest>) -> Vec<String> {
        self.manifest
            .files
            .iter()
            .filter(|(path, sum)| current.and_then(|c| c.files.get(*path)) != Some(*sum))
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// Bytes that must travel to a host whose current release is `current`.
    fn to_send(&self, current: Option<&Manifest>) -> anyhow::Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for path in self.changed(current) {
            let size = match &self.sources[&path] {
                Source::File(file) => std::fs::metadata(file)?.len(),
                Source::Bytes(bytes) => bytes.len() as u64,
                Source::Current => continue,
            };
            out.push((path, size));
        }
        Ok(out)
    }
}

/// Installs `wanted` on `host` beside what is there (not switched to yet):
/// sends what the current release lacks, verifies it, and renames it into
/// `releases/<id>`. A failure leaves nothing behind.
pub fn install(
    cluster: &Cluster,
    host: &Host,
    wanted: &Wanted,
    installed: &Installed,
    deadline: Duration,
) -> anyhow::Result<()> {
    let id = &wanted.manifest.id;
    let root = quote(&host.root);
    let current = installed.current.as_ref();
    let exists = host.run(&format!(
        "[ -f {root}/releases/{id}/RELEASE.json ] && echo yes || true"
    ))?;
    if exists.trim() == "yes" {
        // Installed before (a rollback and forth): use it if it is whole,
        // else install it again.
        let whole = host.run(&format!(
            "cd {root}/releases/{id} && {}",
            check_script(&wanted.manifest)
        ));
        if whole.is_ok() {
            return Ok(());
        }
        cluster.progress.say(
            &host.name,
            &format!("release {id} is damaged: installing it again"),
        );
    }
    let send = wanted.to_send(current)?;
    let need: u64 = send.iter().map(|(_, size)| size + 512).sum::<u64>() * 2 + (1 << 20);
    if need > installed.free_bytes {
        bail!(
            "not enough disk space under {}: the release needs {} MB, {} MB are free",
            host.root,
            need >> 20,
            installed.free_bytes >> 20
        );
    }
    let staging = format!("{root}/releases/{id}.tmp");
    let incoming = format!("{root}/incoming/{id}.tar");
    let clean = format!("rm -rf {staging} {incoming}");
    cluster
        .progress
        .say(&host.name, &format!("sending {} files", send.len()));
    let (package, sent) = pack(wanted, &send)?;
    let mut input = package.reopen()?;
    let result = host
        .run_with_input(
            &format!(
                "set -e; mkdir -p {root}/incoming {root}/releases {root}/logs; \
                 cat > {incoming}; sha256sum {incoming}"
            ),
            &mut input,
            deadline,
        )
        .map_err(anyhow::Error::from)
        .and_then(|out| {
            let arrived = out
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            if arrived != sent {
                bail!(
                    "the package arrived damaged (sha256 sent {}, received {})",
                    &sent[..16],
                    &arrived[..arrived.len().min(16)]
                );
            }
            Ok(())
        });
    let result = result.and_then(|()| {
        cluster.progress.say(&host.name, "verifying");
        let mut script = format!(
            "set -e; rm -rf {staging}; mkdir -p {staging}; tar -C {staging} -xf {incoming}; "
        );
        for path in wanted.manifest.files.keys() {
            if !send.iter().any(|(sent, _)| sent == path) {
                let (from, to) = (quote(&format!("{}/current/{path}", host.root)), format!("{staging}/{}", quote(path)));
                script.push_str(&format!(
                    "mkdir -p \"$(dirname {to})\"; ln {from} {to} 2>/dev/null || cp -p {from} {to}; "
                ));
            }
        }
        let manifest = serde_json::to_string(&wanted.manifest)?;
        script.push_str(&format!(
            "printf '%s\\n' {} > {staging}/RELEASE.json; cd {staging}; {}; cd {root}; \
             rm -rf {root}/releases/{id}; mv {staging} {root}/releases/{id}; rm -f {incoming}",
            quote(&manifest),
            check_script(&wanted.manifest)
        ));
        host.run_within(&script, deadline)
            .map(|_| ())
            .map_err(anyhow::Error::from)
    });
    if result.is_err() {
        let _ = host.run(&clean);
    }
    result
}

/// A script that fails unless every file of `manifest` (in the working
/// directory) has its digest.
fn check_script(manifest: &Manifest) -> String {
    let lines: String = manifest
        .files
        .iter()
        .map(|(path, sum)| format!("{sum}  {path}\n"))
        .collect();
    format!(
        "printf '%s' {} | sha256sum -c --quiet --strict - >/dev/null 2>&1 || \
         {{ echo 'a file failed its sha256 check after unpacking' >&2; exit 1; }}",
        quote(&lines)
    )
}

/// Points `current` at release `id` (one rename) and records the switch
/// in `releases/history` with this command's stamp, so a rollback can
/// tell which hosts the last command switched.
pub fn switch(host: &Host, id: &str) -> anyhow::Result<()> {
    let root = quote(&host.root);
    let id = quote(id);
    // The history line goes first and is taken back if the rename fails,
    // so `current` and the history never disagree; pruning afterwards
    // cannot fail the switch.
    host.run(&format!(
        "set -e; cd {root}; [ -d releases/{id} ] || {{ echo \"release {id} is not installed here\" >&2; exit 1; }}; \
         ln -sfn releases/{id} current.new; echo {id}' {}' >> releases/history; \
         mv -T current.new current || {{ sed -i '$d' releases/history; rm -f current.new; exit 1; }}; \
         ( {} ) >/dev/null 2>&1 || true",
        command_stamp(),
        prune_script()
    ))?;
    Ok(())
}

/// Releases kept on a host: the last few switched to (for rollback) and
/// the current one; older ones are removed after each switch.
pub const KEEP_RELEASES: usize = 5;

/// A script (run in the install root) removing releases that are neither
/// current nor among the last [`KEEP_RELEASES`] in the history.
fn prune_script() -> String {
    format!(
        "cd releases && \
         keep=$(awk '{{print $1}}' history | tac | awk '!seen[$0]++' | head -n {KEEP_RELEASES}) && \
         cur=$(basename \"$(readlink ../current)\") && \
         for d in */; do d=${{d%/}}; case \"$d\" in *.tmp) continue ;; esac; \
         [ \"$d\" = \"$cur\" ] || printf '%s\\n' \"$keep\" | grep -qx \"$d\" || rm -rf \"$d\"; done"
    )
}

/// The time this push command started (ms): the stamp of its switches.
fn command_stamp() -> u64 {
    static STAMP: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *STAMP.get_or_init(schat_runtime::time::now_ms)
}

/// A host's last switch: the release it is on, the command's stamp, and
/// the release it was on before (none after the first install).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastSwitch {
    pub now: String,
    pub stamp: u64,
    pub before: Option<String>,
}

/// Reads `releases/history`.
pub fn last_switch(host: &Host) -> anyhow::Result<LastSwitch> {
    let root = quote(&host.root);
    let out = host.run(&format!("cd {root} && cat releases/history"))?;
    let entries: Vec<(&str, u64)> = out
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let id = fields.next()?;
            Some((
                id,
                fields
                    .next()
                    .and_then(|stamp| stamp.parse().ok())
                    .unwrap_or(0),
            ))
        })
        .collect();
    let (now, stamp) = *entries
        .last()
        .with_context(|| format!("nothing is installed on {}", host.name))?;
    let before = entries
        .len()
        .checked_sub(2)
        .map(|index| entries[index].0.to_string());
    Ok(LastSwitch {
        now: now.to_string(),
        stamp,
        before,
    })
}

/// Packs the files in `send` into one tar (a temporary file, removed when
/// dropped) and gives its sha256.
fn pack(
    wanted: &Wanted,
    send: &[(String, u64)],
) -> anyhow::Result<(tempfile::NamedTempFile, String)> {
    let mut tar = tar::Builder::new(tempfile::NamedTempFile::new()?);
    for (path, _) in send {
        match &wanted.sources[path] {
            Source::File(file) => {
                let mut source =
                    File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
                tar.append_file(path, &mut source)?;
            }
            Source::Bytes(bytes) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                tar.append_data(&mut header, path, bytes.as_slice())?;
            }
            Source::Current => {}
        }
    }
    let file = tar.into_inner()?;
    let sum = sha256_file(file.path())?;
    Ok((file, sum))
}

pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut digest = Sha256::new();
    io::copy(&mut file, &mut digest)?;
    Ok(hex(&digest.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_keeps_the_last_releases_and_the_current_one() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::local("a", &dir.path().display().to_string());
        for index in 1..=8 {
            std::fs::create_dir_all(dir.path().join(format!("releases/r{index}/bin"))).unwrap();
            switch(&host, &format!("r{index}")).unwrap();
        }
        // Back to r5, as a rollback does: the five last switched to stay.
        switch(&host, "r5").unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path().join("releases"))
            .unwrap()
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["r4", "r5", "r6", "r7", "r8"]);
        assert!(switch(&host, "r1").is_err(), "r1 was removed");
        let last = last_switch(&host).unwrap();
        assert_eq!(
            (last.now.as_str(), last.before.as_deref()),
            ("r5", Some("r8"))
        );
    }

    #[test]
    fn the_same_files_are_the_same_release() {
        let files = |config: &str| {
            BTreeMap::from([
                ("bin/conn_serv".to_string(), "aa".to_string()),
                (CONFIG.to_string(), config.to_string()),
            ])
        };
        assert_eq!(Manifest::new(files("bb")).id, Manifest::new(files("bb")).id);
        assert_ne!(Manifest::new(files("bb")).id, Manifest::new(files("cc")).id);
        assert!(Manifest::new(files("bb"))
            .id
            .starts_with(env!("CARGO_PKG_VERSION")));
    }
}
