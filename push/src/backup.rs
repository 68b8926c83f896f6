//! `backup OUT` and `restore ARCHIVE`: a consistent snapshot of a cluster's
//! data in one tar file, and its restore onto an empty cluster (the same
//! one, or another with other hosts, ports, directories and Redis),
//! verified against the manifest the backup wrote.
//!
//! The archive holds, in this order:
//!
//! | entry | holds |
//! |---|---|
//! | `cluster.json` | the source cluster file, byte for byte |
//! | `redis/dump.rdb` | a point-in-time snapshot of the source Redis (`redis-cli --rdb`, a fork of the server: every message acknowledged before it, in every group, and none after) |
//! | `files/<serv_index>/…` | each file server's `<data_dir>/<serv_index>/` (hard links kept; `tmp/` left out) |
//! | `manifest.json` | [`Manifest`]: schat version, time, counts per kind of record, latest seq per group, every file with its sha256 (last, since it describes the rest) |
//!
//! Redis is snapshotted first and the files right after: a file is deleted
//! only after the messages referencing it (and `files.release_delay_secs`
//! later), so every file the snapshot references is in the archive; the
//! backup checks that and fails the `referenced files` row otherwise. The
//! snapshot is read by a private `redis-server` push starts on its own
//! machine (unix socket, no persistence) and stops, whatever happens.
//!
//! A restore refuses a target whose Redis database has keys or whose file
//! directories hold files, and an archive of another schat version, unless
//! forced; it copies every key with DUMP / RESTORE (keeping each key's time
//! to live), unpacks each file server's files on the host of the target
//! file server with the same `serv_index`, then [`verify`]s.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use redis::Value;
use schat_runtime::config::{ProcConfig, ProcKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::inventory::Inventory;
use crate::remote::{quote, Host};
use crate::report::{Outcome, Report, Row};
use crate::Cluster;
use schat_runtime::digest::hex;

/// The archive layout this code writes; a restore refuses newer ones.
pub const FORMAT: u32 = 1;

/// How long `redis-cli --rdb` may take.
const SNAPSHOT_DEADLINE: Duration = Duration::from_secs(3600);
/// How long one file server's files may take to stream, either way.
const TRANSFER_DEADLINE: Duration = Duration::from_secs(6 * 3600);
/// How long the private redis-server may take to load a snapshot.
const LOAD_DEADLINE: Duration = Duration::from_secs(600);
/// How long counting or copying the keys may take.
const KEYS_DEADLINE: Duration = Duration::from_secs(3600);
/// How long a look at a directory may take.
const CHECK_DEADLINE: Duration = Duration::from_secs(60);
/// Redis replies slower than this are an error, not a hang.
const REDIS_IO_TIMEOUT: Duration = Duration::from_secs(120);
/// Keys per DUMP / RESTORE round trip.
const COPY_BATCH: usize = 500;

/// What a backup holds; `manifest.json` in the archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The archive layout ([`FORMAT`]).
    pub format: u32,
    /// The version of the schat that wrote it.
    pub schat_version: String,
    /// When the Redis snapshot was asked for (RFC 3339, UTC). Redis forks
    /// it a little later: after `repl-diskless-sync-delay` (5 s by
    /// default) when it streams snapshots without writing them to disk.
    pub created_at: String,
    pub created_at_ms: u64,
    /// The `cluster` name of the source cluster file.
    pub cluster: String,
    pub redis: RedisSnapshot,
    /// Counts per kind of record and the latest seq per group, of the
    /// snapshot.
    pub inventory: Inventory,
    pub file_servers: Vec<FileServerBackup>,
    /// Every file of every file server, hard links included.
    pub files: Vec<FileEntry>,
    /// Files the snapshot references that no file server had when they
    /// were copied (deleted after the snapshot): the backup failed then.
    #[serde(default)]
    pub missing_files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedisSnapshot {
    /// `host:port` it was taken from.
    pub source: String,
    /// The database schat uses (the others are not copied).
    pub db: u32,
    /// Keys of that database, expiring ones included.
    pub keys: u64,
    pub rdb_bytes: u64,
    pub rdb_sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileServerBackup {
    pub serv_index: u32,
    pub name: String,
    pub host: String,
    /// The directory copied, on its host.
    pub dir: String,
    /// Files (paths), hard links included.
    pub files: u64,
    /// Stored contents (paths that are not a hard link to another).
    pub contents: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub serv_index: u32,
    /// Relative to the file server's `<data_dir>/<serv_index>/`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// The path this one is a hard link to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Manifest {
    /// The latest seq of `gid` in the snapshot (0: no messages).
    pub fn latest_seq(&self, gid: u64) -> u64 {
        self.inventory.latest_seq.get(&gid).copied().unwrap_or(0)
    }

    /// Reads the manifest of the archive at `path`.
    pub fn read(path: &Path) -> anyhow::Result<Manifest> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut archive = tar::Archive::new(file);
        let entries = archive
            .entries_with_seek()
            .with_context(|| format!("{} is not a tar file", path.display()))?;
        for entry in entries {
            let mut entry = entry.with_context(|| format!("reading {}", path.display()))?;
            if clean(&String::from_utf8_lossy(&entry.path_bytes()))? == "manifest.json" {
                let mut text = Vec::new();
                entry.read_to_end(&mut text)?;
                return serde_json::from_slice(&text)
                    .with_context(|| format!("the manifest of {}", path.display()));
            }
        }
        bail!(
            "{} has no manifest.json: not a schat backup, or cut short",
            path.display()
        )
    }
}

/// Backup, restore and migrate read and write one Redis server; a Redis
/// Cluster is backed up with its own tools (each primary's RDB).
pub(crate) fn one_server(cluster: &Cluster) -> anyhow::Result<()> {
    if cluster.config.redis.is_cluster() {
        bail!(
            "{} names a Redis Cluster (redis.cluster_nodes): backup, restore and migrate work \
             on one Redis server; back up a Redis Cluster with its own tools (an RDB of every \
             primary), as docs/OPERATIONS.md says",
            cluster.path.display()
        );
    }
    Ok(())
}

/// Takes a backup of `cluster` into the archive `out` (written as
/// `OUT.partial`, synced, then renamed).
pub fn backup(cluster: &Cluster, out: &Path, report: &mut Report) -> anyhow::Result<Manifest> {
    let config = &cluster.config;
    one_server(cluster)?;
    let redis_target = format!("{}:{}", config.redis.host, config.redis.port);
    std::fs::create_dir_all(&cluster.state_dir)
        .with_context(|| format!("cannot create {}", cluster.state_dir.display()))?;
    let work = tempfile::Builder::new()
        .prefix("backup-")
        .tempdir_in(&cluster.state_dir)
        .with_context(|| format!("cannot make a directory in {}", cluster.state_dir.display()))?;
    let rdb = work.path().join("dump.rdb");

    // 1. Redis, first: everything the files must cover.
    cluster.progress.say("redis", "taking a snapshot");
    let created_at_ms = schat_runtime::time::now_ms();
    if let Err(err) = snapshot_redis(&config.redis.host, config.redis.port, &rdb) {
        report.push(Row::failed("redis", &redis_target, &err));
        cluster.progress.done("redis", Outcome::Failed);
        return Err(err);
    }
    let rdb_bytes = std::fs::metadata(&rdb)?.len();
    // Its row now, in order; the counts come once the files are copied.
    let redis_row = report.rows.len();
    report.push(Row::new(
        "redis",
        &redis_target,
        Outcome::Ok,
        format!(
            "snapshot of db {} ({})",
            config.redis.db,
            bytes_text(rdb_bytes)
        ),
    ));

    let mut partial = Partial::create(out)?;
    let mut builder = tar::Builder::new(BufWriter::with_capacity(1 << 20, partial.file()?));
    append_bytes(&mut builder, "cluster.json", &cluster.text)?;
    let rdb_sha256 = {
        let mut header = tar::Header::new_gnu();
        header.set_size(rdb_bytes);
        header.set_mode(0o600);
        header.set_mtime(created_at_ms / 1000);
        header.set_entry_type(tar::EntryType::Regular);
        let mut source = Hashing::new(File::open(&rdb)?);
        builder
            .append_data(&mut header, "redis/dump.rdb", &mut source)
            .context("writing the archive")?;
        source.finish().1
    };

    // 2. The file servers, right after.
    let mut file_servers = Vec::new();
    let mut files = Vec::new();
    for proc in file_servs(cluster) {
        let host = cluster.host_of(proc);
        cluster.progress.say(&proc.name, "copying files");
        match backup_file_server(&mut builder, host, proc) {
            Ok((server, entries, misnamed)) => {
                let mut detail = format!(
                    "{} files ({} contents, {}) from {}",
                    server.files,
                    server.contents,
                    bytes_text(server.bytes),
                    server.dir
                );
                if !misnamed.is_empty() {
                    detail.push_str(&format!(
                        "; {} files whose content does not match their name, like {}",
                        misnamed.len(),
                        misnamed[0]
                    ));
                }
                report.push(Row::new(&proc.name, &host.name, Outcome::Ok, detail));
                cluster.progress.done(&proc.name, Outcome::Ok);
                file_servers.push(server);
                files.extend(entries);
            }
            Err(err) => {
                report.push(Row::failed(&proc.name, &host.name, &err));
                cluster.progress.done(&proc.name, Outcome::Failed);
                return Err(err.context(format!("copying the files of {}", proc.name)));
            }
        }
    }

    // 3. What the snapshot holds.
    cluster.progress.say("redis", "counting the snapshot");
    let (keys, inventory) = match count_snapshot(&rdb, config.redis.db) {
        Ok(counted) => counted,
        Err(err) => {
            report.rows[redis_row] = Row::failed("redis", &redis_target, &err);
            cluster.progress.done("redis", Outcome::Failed);
            return Err(err.context("reading the snapshot"));
        }
    };
    report.rows[redis_row].detail = format!(
        "snapshot of db {}: {keys} keys, {} groups with messages ({})",
        config.redis.db,
        inventory.latest_seq.len(),
        bytes_text(rdb_bytes)
    );
    cluster.progress.done("redis", Outcome::Ok);

    // 4. Every file the snapshot references must be in the archive.
    let present: std::collections::HashSet<(u32, &str)> = files
        .iter()
        .map(|file| (file.serv_index, file.path.as_str()))
        .collect();
    let missing_files: Vec<String> = inventory
        .referenced_files
        .iter()
        .filter(|url| match url_path(url) {
            Some((index, path)) => !present.contains(&(index, path.as_str())),
            None => true,
        })
        .cloned()
        .collect();
    let referenced = inventory.referenced_files.len();
    if missing_files.is_empty() {
        report.push(Row::new(
            "referenced files",
            "-",
            Outcome::Ok,
            format!("all {referenced} files the snapshot references are in the archive"),
        ));
    } else {
        report.push(Row::new(
            "referenced files",
            "-",
            Outcome::Failed,
            format!(
                "{} of {referenced} files the snapshot references were gone when copied \
                 (deleted after the snapshot, or lost), like {}: take the backup again",
                missing_files.len(),
                missing_files[0]
            ),
        ));
    }

    let manifest = Manifest {
        format: FORMAT,
        schat_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: schat_client::time::Utc::from_ms(created_at_ms).rfc3339(),
        created_at_ms,
        cluster: config.cluster.clone(),
        redis: RedisSnapshot {
            source: redis_target.clone(),
            db: config.redis.db,
            keys,
            rdb_bytes,
            rdb_sha256,
        },
        inventory,
        file_servers,
        files,
        missing_files,
    };
    let text = serde_json::to_vec_pretty(&manifest)?;
    append_bytes(&mut builder, "manifest.json", &text)?;
    let writer = builder.into_inner().context("writing the archive")?;
    let file = writer
        .into_inner()
        .map_err(|err| anyhow!("writing the archive: {}", err.error()))?;
    drop(file);
    if !manifest.missing_files.is_empty() {
        // OUT is only ever a whole backup: this one is dropped.
        bail!(
            "the backup is incomplete ({} referenced files were gone) and was not kept: take it again",
            manifest.missing_files.len()
        );
    }
    let size = partial.commit()?;
    report.push(Row::new(
        "archive",
        "local",
        Outcome::Ok,
        format!("{} ({})", out.display(), bytes_text(size)),
    ));
    report.notes.push(format!(
        "backup of {} taken at {}: {}",
        manifest.cluster,
        manifest.created_at,
        manifest.inventory.summary()
    ));
    report.extra = json!({
        "archive": out.display().to_string(),
        "bytes": size,
        "schat_version": manifest.schat_version,
        "created_at": manifest.created_at,
        "records": manifest.inventory.records,
        "latest_seq": manifest.inventory.latest_seq,
        "files": manifest.files.len(),
        "missing_files": manifest.missing_files,
    });
    Ok(manifest)
}

/// Restores the archive at `archive` onto `cluster`, which must be empty
/// (no key in its Redis database, no file under its file servers'
/// directories) and of the archive's schat version unless `force`; then
/// [`verify`]s. Nothing is written when a check refuses.
pub fn restore(
    cluster: &Cluster,
    archive: &Path,
    force: bool,
    report: &mut Report,
) -> anyhow::Result<()> {
    let config = &cluster.config;
    one_server(cluster)?;
    let manifest = Manifest::read(archive)?;
    let redis_target = format!("{}:{}", config.redis.host, config.redis.port);

    // Checks, before anything is written.
    if manifest.format > FORMAT {
        bail!(
            "{} is a backup of layout {}, newer than this push reads ({FORMAT})",
            archive.display(),
            manifest.format
        );
    }
    let version = env!("CARGO_PKG_VERSION");
    let taken = format!(
        "backup of {} taken at {} by schat {}",
        manifest.cluster, manifest.created_at, manifest.schat_version
    );
    if manifest.schat_version != version {
        if !force {
            report.push(Row::new(
                "archive",
                "local",
                Outcome::Failed,
                format!("{taken}, not {version}"),
            ));
            bail!(
                "{} was taken by schat {}, this is {version}: restore it with that version, \
                 or pass --force",
                archive.display(),
                manifest.schat_version
            );
        }
        report.notes.push(format!(
            "forced: the archive is of schat {}, this is {version}",
            manifest.schat_version
        ));
    }
    report.push(Row::new("archive", "local", Outcome::Ok, taken));

    let targets = file_servs(cluster);
    let by_index: BTreeMap<u32, &ProcConfig> = targets
        .iter()
        .filter_map(|proc| proc.serv_index.map(|index| (index, *proc)))
        .collect();
    for server in &manifest.file_servers {
        if !by_index.contains_key(&server.serv_index) {
            bail!(
                "the archive has the files of serv_index {} ({} in the source), which no \
                 file_serv of {} has: add one with that serv_index",
                server.serv_index,
                server.name,
                cluster.path.display()
            );
        }
    }

    let mut target_redis = connect_target(config)?;
    let keys: u64 = redis::cmd("DBSIZE")
        .query(&mut target_redis)
        .with_context(|| format!("DBSIZE on {redis_target}"))?;
    let mut occupied = Vec::new();
    if keys > 0 {
        occupied.push(format!(
            "db {} of {redis_target} has {keys} keys",
            config.redis.db
        ));
        report.push(Row::new(
            "redis",
            &redis_target,
            if force { Outcome::Ok } else { Outcome::Failed },
            format!("not empty: {keys} keys in db {}", config.redis.db),
        ));
    }
    for proc in &targets {
        let host = cluster.host_of(proc);
        let dir = file_dir(host, proc)?;
        let found = host
            .run_within(
                &format!("find {} -type f 2>/dev/null | head -n 1", quote(&dir)),
                CHECK_DEADLINE,
            )
            .with_context(|| format!("looking into {dir} on {}", host.name));
        match found {
            Ok(found) if found.trim().is_empty() => {}
            Ok(found) => {
                occupied.push(format!("{dir} on {} has files", host.name));
                report.push(Row::new(
                    &proc.name,
                    &host.name,
                    if force { Outcome::Ok } else { Outcome::Failed },
                    format!(
                        "not empty: {dir} holds {}",
                        found
                            .trim()
                            .strip_prefix(&format!("{dir}/"))
                            .unwrap_or(found.trim())
                    ),
                ));
            }
            Err(err) => {
                report.push(Row::failed(&proc.name, &host.name, &err));
                return Err(err);
            }
        }
    }
    if !occupied.is_empty() {
        if !force {
            bail!(
                "the target is not empty ({}): restore onto an empty cluster, or pass --force \
                 to write over it (keys and files of the archive replace theirs; nothing else \
                 is deleted)",
                occupied.join("; ")
            );
        }
        report
            .notes
            .push(format!("forced over data: {}", occupied.join("; ")));
    }

    // The copy, in one pass over the archive.
    std::fs::create_dir_all(&cluster.state_dir)
        .with_context(|| format!("cannot create {}", cluster.state_dir.display()))?;
    let work = tempfile::Builder::new()
        .prefix("restore-")
        .tempdir_in(&cluster.state_dir)
        .with_context(|| format!("cannot make a directory in {}", cluster.state_dir.display()))?;
    let file = File::open(archive).with_context(|| format!("cannot open {}", archive.display()))?;
    let mut tar = tar::Archive::new(BufReader::with_capacity(1 << 20, file));
    let mut redis_done = false;
    let mut unpacked: Vec<u32> = Vec::new();
    thread::scope(|scope| -> anyhow::Result<()> {
        let mut current: Option<Unpack<'_>> = None;
        for entry in tar.entries()? {
            let mut entry = entry.with_context(|| format!("reading {}", archive.display()))?;
            let path = clean(&String::from_utf8_lossy(&entry.path_bytes()))?;
            if path == "redis/dump.rdb" {
                let rdb = work.path().join("dump.rdb");
                let mut copy = Hashing::new(&mut entry);
                io::copy(&mut copy, &mut File::create(&rdb)?)
                    .with_context(|| format!("extracting the snapshot into {}", rdb.display()))?;
                let (_, sha) = copy.finish();
                if sha != manifest.redis.rdb_sha256 {
                    bail!(
                        "the Redis snapshot in {} is damaged (sha256 {sha}, the manifest says {})",
                        archive.display(),
                        manifest.redis.rdb_sha256
                    );
                }
                cluster.progress.say("redis", "copying keys");
                let copied = restore_redis(&rdb, manifest.redis.db, &mut target_redis, force);
                let _ = std::fs::remove_file(&rdb);
                match copied {
                    Ok(copied) => {
                        report.push(Row::new(
                            "redis",
                            &redis_target,
                            Outcome::Ok,
                            format!("restored {copied} keys into db {}", config.redis.db),
                        ));
                        cluster.progress.done("redis", Outcome::Ok);
                    }
                    Err(err) => {
                        report.push(Row::failed("redis", &redis_target, &err));
                        cluster.progress.done("redis", Outcome::Failed);
                        return Err(err);
                    }
                }
                redis_done = true;
                continue;
            }
            let Some(rest) = path.strip_prefix("files/") else {
                continue;
            };
            let (index, rel) = rest.split_once('/').unwrap_or((rest, ""));
            let index: u32 = index
                .parse()
                .with_context(|| format!("{path} in the archive: not files/<serv_index>/"))?;
            if current.as_ref().map(|unpack| unpack.serv_index) != Some(index) {
                if let Some(done) = current.take() {
                    unpacked.push(done.serv_index);
                    done.report(cluster, report)?;
                }
                let proc = by_index.get(&index).ok_or_else(|| {
                    anyhow!("the archive has files of serv_index {index}, which the target lacks")
                })?;
                cluster.progress.say(&proc.name, "unpacking files");
                current = Some(Unpack::start(scope, cluster.host_of(proc), proc, index)?);
            }
            let unpack = current.as_mut().expect("started above");
            if let Err(err) = unpack.add(&mut entry, index, rel) {
                let err = err.context(format!("unpacking {path}"));
                return Err(match current.take() {
                    // The host's error says more than a closed pipe.
                    Some(done) => done.report(cluster, report).err().unwrap_or(err),
                    None => err,
                });
            }
        }
        if let Some(done) = current.take() {
            unpacked.push(done.serv_index);
            done.report(cluster, report)?;
        }
        Ok(())
    })?;
    if !redis_done {
        bail!("{} has no redis/dump.rdb", archive.display());
    }
    for server in &manifest.file_servers {
        if server.files > 0 && !unpacked.contains(&server.serv_index) {
            bail!(
                "{} has no files of serv_index {} although the manifest lists {}",
                archive.display(),
                server.serv_index,
                server.files
            );
        }
    }
    drop(target_redis);
    verify(cluster, &manifest, report)
}

/// Checks `cluster`'s data against `manifest`: the counts per kind of
/// record, keys per family and latest seq per group of its Redis database,
/// and every file's sha256 on its file server. Meant for a cluster just
/// restored and not started yet (a running one adds data). Each check is a
/// row; the figures go to `report.notes` and `report.extra["verify"]`.
pub fn verify(cluster: &Cluster, manifest: &Manifest, report: &mut Report) -> anyhow::Result<()> {
    let config = &cluster.config;
    let redis_target = format!("{}:{}", config.redis.host, config.redis.port);
    cluster.progress.say("redis", "verifying");
    let first_row = report.rows.len();
    let found =
        connect_target(config).and_then(|mut conn| Inventory::take(&mut conn, KEYS_DEADLINE));
    let mut figures = serde_json::Map::new();
    match found {
        Ok(found) => {
            let differences = manifest.inventory.differences(&found);
            let outcome = if differences.is_empty() {
                Outcome::Ok
            } else {
                Outcome::Failed
            };
            let detail = if differences.is_empty() {
                format!(
                    "verified: {} keys, {} kinds of record and the latest seq of {} groups match \
                     the manifest",
                    found.durable_keys(),
                    found.records.len(),
                    found.latest_seq.len()
                )
            } else {
                format!(
                    "{} differences from the manifest: {}",
                    differences.len(),
                    differences
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            };
            report.push(Row::new("redis", &redis_target, outcome, detail));
            cluster.progress.done("redis", outcome);
            report
                .notes
                .push(format!("verified records: {}", found.summary()));
            for difference in &differences {
                report.notes.push(format!("redis: {difference}"));
            }
            figures.insert("records".into(), json!(found.records));
            figures.insert("groups".into(), json!(found.latest_seq.len()));
            figures.insert("redis_differences".into(), json!(differences));
        }
        Err(err) => {
            report.push(Row::failed("redis", &redis_target, &err));
            cluster.progress.done("redis", Outcome::Failed);
        }
    }

    let by_index: BTreeMap<u32, &ProcConfig> = file_servs(cluster)
        .into_iter()
        .filter_map(|proc| proc.serv_index.map(|index| (index, proc)))
        .collect();
    let mut checked_files = 0;
    for server in &manifest.file_servers {
        let Some(proc) = by_index.get(&server.serv_index) else {
            report.push(Row::new(
                &format!("serv_index {}", server.serv_index),
                "-",
                Outcome::Failed,
                "no file_serv of the cluster file has this serv_index",
            ));
            continue;
        };
        let host = cluster.host_of(proc);
        cluster.progress.say(&proc.name, "verifying");
        let expected: BTreeMap<&str, &str> = manifest
            .files
            .iter()
            .filter(|file| file.serv_index == server.serv_index)
            .map(|file| (file.path.as_str(), file.sha256.as_str()))
            .collect();
        let row = match hash_files(host, proc) {
            Ok(found) => {
                let mut missing = Vec::new();
                let mut differ = Vec::new();
                for (path, sha) in &expected {
                    match found.get(*path) {
                        None => missing.push(*path),
                        Some(have) if have != sha => differ.push(*path),
                        Some(_) => {}
                    }
                }
                let extra = found
                    .keys()
                    .filter(|path| !expected.contains_key(path.as_str()))
                    .count();
                checked_files += expected.len();
                if missing.is_empty() && differ.is_empty() {
                    let mut detail = format!(
                        "verified: {} files match the manifest's sha256",
                        expected.len()
                    );
                    if extra > 0 {
                        detail.push_str(&format!("; {extra} more files not in the backup"));
                    }
                    Row::new(&proc.name, &host.name, Outcome::Ok, detail)
                } else {
                    for path in missing.iter().take(20) {
                        report.notes.push(format!("{}: missing {path}", proc.name));
                    }
                    for path in differ.iter().take(20) {
                        report.notes.push(format!("{}: differs {path}", proc.name));
                    }
                    Row::new(
                        &proc.name,
                        &host.name,
                        Outcome::Failed,
                        format!(
                            "{} of {} files missing, {} with another sha256",
                            missing.len(),
                            expected.len(),
                            differ.len()
                        ),
                    )
                }
            }
            Err(err) => Row::failed(&proc.name, &host.name, &err),
        };
        cluster.progress.done(&proc.name, row.outcome);
        report.push(row);
    }
    figures.insert("files".into(), json!(checked_files));
    figures.insert(
        "ok".into(),
        json!(!report.rows[first_row..]
            .iter()
            .any(|row| row.outcome.is_failure())),
    );
    set_extra(report, "verify", serde_json::Value::Object(figures));
    Ok(())
}

/// The file servers of the cluster file, by serv_index.
fn file_servs(cluster: &Cluster) -> Vec<&ProcConfig> {
    let mut procs: Vec<&ProcConfig> = cluster
        .config
        .procs
        .iter()
        .filter(|proc| proc.kind == ProcKind::FileServ)
        .collect();
    procs.sort_by_key(|proc| proc.serv_index);
    procs
}

/// `<data_dir>/<serv_index>` of a file server on its host: a relative
/// `data_dir` is under the host's install root, where its processes run.
pub fn file_dir(host: &Host, proc: &ProcConfig) -> anyhow::Result<String> {
    let data_dir = proc
        .data_dir
        .as_deref()
        .ok_or_else(|| anyhow!("{} has no data_dir", proc.name))?;
    let index = proc
        .serv_index
        .ok_or_else(|| anyhow!("{} has no serv_index", proc.name))?;
    let data_dir = data_dir.trim_end_matches('/');
    let base = if data_dir.starts_with('/') {
        data_dir.to_string()
    } else {
        format!("{}/{}", host.root, data_dir.trim_start_matches("./"))
    };
    Ok(format!("{base}/{index}"))
}

/// `/f/<serv_index>/<scope>/<name>` → (serv_index, `scopes/<scope>/<name>`).
fn url_path(url: &str) -> Option<(u32, String)> {
    let rest = url.strip_prefix("/f/")?;
    let (index, rest) = rest.split_once('/')?;
    let (scope, name) = rest.split_once('/')?;
    if scope.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((index.parse().ok()?, format!("scopes/{scope}/{name}")))
}

/// `redis-cli --rdb` on this machine: the server forks and streams a
/// point-in-time snapshot.
fn snapshot_redis(host: &str, port: u16, rdb: &Path) -> anyhow::Result<()> {
    let script = format!(
        "redis-cli -h {} -p {port} --rdb {}",
        quote(host),
        quote(&rdb.display().to_string())
    );
    Host::this_machine()
        .run_within(&script, SNAPSHOT_DEADLINE)
        .map_err(|err| anyhow!(err).context(format!("redis-cli --rdb from {host}:{port}")))?;
    let size = std::fs::metadata(rdb).map(|meta| meta.len()).unwrap_or(0);
    if size == 0 {
        bail!("redis-cli --rdb from {host}:{port} wrote no snapshot");
    }
    Ok(())
}

/// Streams one file server's directory from its host into the archive
/// under `files/<serv_index>/`, hashing every file.
fn backup_file_server<W: Write>(
    builder: &mut tar::Builder<W>,
    host: &Host,
    proc: &ProcConfig,
) -> anyhow::Result<(FileServerBackup, Vec<FileEntry>, Vec<String>)> {
    let dir = file_dir(host, proc)?;
    let index = proc.serv_index.unwrap_or_default();
    // GNU tar exits 1 when a file changed or went away while it read
    // (content is never rewritten in place: blobs are renamed in whole);
    // anything else is an error.
    let script = format!(
        r#"d={dir}
[ -d "$d" ] || exit 0
exec 3>&1
errors=$(tar -C "$d" -cf - --exclude=./tmp . 2>&1 >&3)
status=$?
exec 3>&-
if [ "$status" -ne 0 ]; then
  other=$(printf '%s\n' "$errors" | grep -v -e 'changed as we read it' -e 'removed before we read it' -e 'No such file or directory' -e 'Exiting with failure status' | grep .)
  if [ "$status" -gt 1 ] || [ -n "$other" ]; then printf '%s\n' "$errors" >&2; exit "$status"; fi
fi
exit 0"#,
        dir = quote(&dir)
    );
    let (sender, receiver) = sync_channel(16);
    let (entries, streamed) = thread::scope(|scope| {
        let streaming = scope.spawn(move || {
            let mut out = BufWriter::with_capacity(256 << 10, ChunkWriter(sender));
            host.run_into(&script, &mut out, TRANSFER_DEADLINE)?;
            out.flush()?;
            Ok::<(), anyhow::Error>(())
        });
        let mut input = ChunkReader::new(receiver);
        let entries = repack(&mut input, builder, index);
        // Whatever happened, read to the end so that the host's tar ends.
        let _ = io::copy(&mut input, &mut io::sink());
        let streamed = streaming
            .join()
            .unwrap_or_else(|_| Err(anyhow!("the copy thread panicked")));
        (entries, streamed)
    });
    streamed.with_context(|| format!("tar of {dir} on {}", host.name))?;
    let (entries, misnamed) = entries?;
    let server = FileServerBackup {
        serv_index: index,
        name: proc.name.clone(),
        host: host.name.clone(),
        dir,
        files: entries.len() as u64,
        contents: entries.iter().filter(|file| file.link.is_none()).count() as u64,
        bytes: entries
            .iter()
            .filter(|file| file.link.is_none())
            .map(|file| file.size)
            .sum(),
    };
    Ok((server, entries, misnamed))
}

/// Copies the entries of a tar stream of a file server's directory into
/// the archive under `files/<serv_index>/`; answers every file with its
/// sha256, and the files whose content's sha256 is not the one in their
/// name.
fn repack<W: Write>(
    input: &mut dyn Read,
    builder: &mut tar::Builder<W>,
    index: u32,
) -> anyhow::Result<(Vec<FileEntry>, Vec<String>)> {
    let mut archive = tar::Archive::new(input);
    let mut files = Vec::new();
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();
    let mut misnamed = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let rel = clean(&String::from_utf8_lossy(&entry.path_bytes()))?;
        let mut header = entry.header().clone();
        let kind = header.entry_type();
        if rel.is_empty() {
            continue;
        }
        let name = format!("files/{index}/{rel}");
        if kind.is_dir() {
            builder.append_data(&mut header, &name, io::empty())?;
        } else if kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .ok_or_else(|| anyhow!("{rel}: a hard link to nothing"))?;
            let target = clean(&target)?;
            let (size, sha256) = seen
                .get(&target)
                .cloned()
                .ok_or_else(|| anyhow!("{rel}: a hard link to {target}, not seen before it"))?;
            builder.append_link(&mut header, &name, format!("files/{index}/{target}"))?;
            files.push(FileEntry {
                serv_index: index,
                path: rel,
                size,
                sha256,
                link: Some(target),
            });
        } else if kind.is_symlink() {
            let target = entry
                .link_name()?
                .ok_or_else(|| anyhow!("{rel}: a symbolic link to nothing"))?
                .into_owned();
            builder.append_link(&mut header, &name, target)?;
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            let mut source = Hashing::new(&mut entry);
            builder.append_data(&mut header, &name, &mut source)?;
            let (size, sha256) = source.finish();
            if named_hash(&rel).is_some_and(|named| named != sha256) {
                misnamed.push(rel.clone());
            }
            seen.insert(rel.clone(), (size, sha256.clone()));
            files.push(FileEntry {
                serv_index: index,
                path: rel,
                size,
                sha256,
                link: None,
            });
        }
        // Anything else (devices, fifos) has no place in a file server.
    }
    Ok((files, misnamed))
}

/// The sha256 a stored file's name says it has (`blobs/ab/<sha256>`,
/// `scopes/<scope>/<sha256>.<ext>`).
fn named_hash(rel: &str) -> Option<&str> {
    let name = rel.rsplit('/').next()?;
    let stem = name.split('.').next()?;
    (stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

/// A tar member name as a relative path: no `./`, no trailing `/`; `..`
/// and absolute names are refused.
fn clean(name: &str) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => bail!("{name:?}: a path out of its directory"),
            part => parts.push(part),
        }
    }
    if name.starts_with('/') {
        bail!("{name:?}: an absolute path");
    }
    Ok(parts.join("/"))
}

/// One file server's files on their way from the archive to its host.
struct Unpack<'scope> {
    serv_index: u32,
    name: String,
    host: String,
    dir: String,
    files: u64,
    builder: tar::Builder<BufWriter<ChunkWriter>>,
    receiving: thread::ScopedJoinHandle<'scope, anyhow::Result<()>>,
}

impl<'scope> Unpack<'scope> {
    fn start<'env>(
        scope: &'scope thread::Scope<'scope, 'env>,
        host: &'env Host,
        proc: &ProcConfig,
        index: u32,
    ) -> anyhow::Result<Unpack<'scope>> {
        let dir = file_dir(host, proc)?;
        let script = format!("mkdir -p {dir} && tar -C {dir} -xf -", dir = quote(&dir));
        let (sender, receiver) = sync_channel(16);
        let receiving = scope.spawn(move || {
            let mut input = ChunkReader::new(receiver);
            host.run_with_input(&script, &mut input, TRANSFER_DEADLINE)?;
            Ok(())
        });
        Ok(Unpack {
            serv_index: index,
            name: proc.name.clone(),
            host: host.name.clone(),
            dir,
            files: 0,
            builder: tar::Builder::new(BufWriter::with_capacity(256 << 10, ChunkWriter(sender))),
            receiving,
        })
    }

    /// Adds an archive entry `files/<index>/<rel>` as `<rel>`.
    fn add<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        index: u32,
        rel: &str,
    ) -> anyhow::Result<()> {
        let rel = clean(rel)?;
        if rel.is_empty() {
            return Ok(());
        }
        let mut header = entry.header().clone();
        let kind = header.entry_type();
        if kind.is_dir() {
            self.builder.append_data(&mut header, &rel, io::empty())?;
        } else if kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .ok_or_else(|| anyhow!("a hard link to nothing"))?;
            let prefix = format!("files/{index}/");
            let target = target
                .strip_prefix(&prefix)
                .ok_or_else(|| anyhow!("a hard link out of {prefix}: {target}"))?;
            self.builder
                .append_link(&mut header, &rel, clean(target)?)?;
            self.files += 1;
        } else if kind.is_symlink() {
            let target = entry
                .link_name()?
                .ok_or_else(|| anyhow!("a symbolic link to nothing"))?
                .into_owned();
            self.builder.append_link(&mut header, &rel, target)?;
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            self.builder.append_data(&mut header, &rel, entry)?;
            self.files += 1;
        }
        Ok(())
    }

    /// Ends the stream and waits for the host's tar; answers the files
    /// unpacked.
    fn finish(self) -> anyhow::Result<u64> {
        let Unpack {
            host,
            dir,
            files,
            builder,
            receiving,
            ..
        } = self;
        // Dropping the writer closes the host's stdin.
        let ended = builder
            .into_inner()
            .and_then(|writer| writer.into_inner().map_err(|err| err.into_error()))
            .map(drop);
        let received = receiving
            .join()
            .unwrap_or_else(|_| Err(anyhow!("the copy thread panicked")));
        received
            .and(ended.map_err(anyhow::Error::from))
            .with_context(|| format!("unpacking into {dir} on {host}"))?;
        Ok(files)
    }

    /// [`finish`](Unpack::finish), with its row.
    fn report(self, cluster: &Cluster, report: &mut Report) -> anyhow::Result<()> {
        let (name, host, dir) = (self.name.clone(), self.host.clone(), self.dir.clone());
        match self.finish() {
            Ok(files) => {
                report.push(Row::new(
                    &name,
                    &host,
                    Outcome::Ok,
                    format!("restored {files} files into {dir}"),
                ));
                cluster.progress.done(&name, Outcome::Ok);
                Ok(())
            }
            Err(err) => {
                report.push(Row::failed(&name, &host, &err));
                cluster.progress.done(&name, Outcome::Failed);
                Err(err)
            }
        }
    }
}

/// `sha256sum` of every file under a file server's directory (`tmp/` left
/// out), by relative path.
fn hash_files(host: &Host, proc: &ProcConfig) -> anyhow::Result<BTreeMap<String, String>> {
    let dir = file_dir(host, proc)?;
    let script = format!(
        "d={}\n[ -d \"$d\" ] || exit 0\ncd \"$d\" && find . -type f ! -path './tmp/*' -exec sha256sum {{}} +",
        quote(&dir)
    );
    let text = host
        .run_within(&script, TRANSFER_DEADLINE)
        .with_context(|| format!("sha256sum in {dir} on {}", host.name))?;
    let mut found = BTreeMap::new();
    for line in text.lines() {
        let Some((sha, path)) = line.split_once(' ') else {
            continue;
        };
        let path = path.trim_start_matches([' ', '*']);
        found.insert(clean(path)?, sha.to_string());
    }
    Ok(found)
}

/// A connection to the cluster's own Redis database.
fn connect_target(
    config: &schat_runtime::config::ClusterConfig,
) -> anyhow::Result<redis::Connection> {
    let url = config.redis_url();
    let client = redis::Client::open(url.as_str()).with_context(|| format!("Redis at {url}"))?;
    let conn = client
        .get_connection_with_timeout(Duration::from_secs(10))
        .with_context(|| format!("cannot reach Redis at {url}"))?;
    conn.set_read_timeout(Some(REDIS_IO_TIMEOUT))?;
    conn.set_write_timeout(Some(REDIS_IO_TIMEOUT))?;
    Ok(conn)
}

/// The keys of db `db` of the snapshot `rdb`, and its inventory.
fn count_snapshot(rdb: &Path, db: u32) -> anyhow::Result<(u64, Inventory)> {
    let server = TempRedis::start(rdb)?;
    let mut conn = server.connect(db)?;
    let keys: u64 = redis::cmd("DBSIZE").query(&mut conn)?;
    let inventory = Inventory::take(&mut conn, KEYS_DEADLINE)?;
    Ok((keys, inventory))
}

/// Loads the snapshot `rdb` into a private redis-server and copies db `db`
/// of it into `target`; answers the keys copied.
fn restore_redis(
    rdb: &Path,
    db: u32,
    target: &mut redis::Connection,
    replace: bool,
) -> anyhow::Result<u64> {
    let server = TempRedis::start(rdb)?;
    let mut source = server.connect(db)?;
    copy_keys(&mut source, target, replace, KEYS_DEADLINE)
}

/// Copies every key of `from`'s database into `to`'s with DUMP / RESTORE,
/// keeping each key's time to live; `replace` writes over keys `to` has.
pub fn copy_keys(
    from: &mut redis::Connection,
    to: &mut redis::Connection,
    replace: bool,
    deadline: Duration,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let mut cursor: u64 = 0;
    let mut copied = 0;
    loop {
        if started.elapsed() > deadline {
            bail!(
                "copying the keys took more than {} s ({copied} copied)",
                deadline.as_secs()
            );
        }
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(COPY_BATCH)
            .query(from)
            .context("SCAN on the snapshot")?;
        if !keys.is_empty() {
            let mut ask = redis::pipe();
            for key in &keys {
                ask.cmd("PTTL").arg(key).cmd("DUMP").arg(key);
            }
            let answers: Vec<Value> = ask.query(from).context("DUMP on the snapshot")?;
            let mut put = redis::pipe();
            let mut batch = 0;
            let mut answers = answers.into_iter();
            for key in &keys {
                let (Some(ttl), Some(dump)) = (answers.next(), answers.next()) else {
                    bail!("DUMP answered fewer replies than asked");
                };
                let ttl: i64 = redis::from_redis_value(ttl)?;
                let dump: Option<Vec<u8>> = redis::from_redis_value(dump)?;
                let Some(dump) = dump else {
                    continue;
                };
                if ttl == -2 {
                    continue;
                }
                // RESTORE's 0 is "no expiry"; a key about to expire keeps 1 ms.
                let ttl = if ttl < 0 { 0 } else { ttl.max(1) };
                put.cmd("RESTORE").arg(key).arg(ttl).arg(dump);
                if replace {
                    put.arg("REPLACE");
                }
                put.ignore();
                batch += 1;
            }
            if batch > 0 {
                put.query::<()>(to).map_err(|err| {
                    let text = err.to_string();
                    let busy = text.matches("BUSYKEY").count();
                    if busy > 0 {
                        anyhow!(
                            "RESTORE into the target: {busy} keys of the archive exist there \
                             already (BUSYKEY): pass --force to replace them"
                        )
                    } else {
                        let cut: String = text.chars().take(400).collect();
                        anyhow!("RESTORE into the target: {cut}")
                    }
                })?;
                copied += batch;
            }
        }
        if next == 0 {
            return Ok(copied);
        }
        cursor = next;
    }
}

/// A private redis-server on a unix socket serving an RDB snapshot, with
/// no persistence; killed when dropped.
#[derive(Debug)]
pub struct TempRedis {
    child: Child,
    socket: PathBuf,
    dir: tempfile::TempDir,
}

impl TempRedis {
    /// Starts it on `rdb` (an absent file: an empty server) and waits until
    /// the snapshot is loaded.
    pub fn start(rdb: &Path) -> anyhow::Result<TempRedis> {
        let rdb = std::path::absolute(rdb)?;
        let (Some(rdb_dir), Some(rdb_name)) = (rdb.parent(), rdb.file_name()) else {
            bail!("{} is not a file path", rdb.display());
        };
        // Short: a unix socket path has at most 107 bytes.
        let dir = tempfile::Builder::new()
            .prefix("schat-push-redis-")
            .tempdir()?;
        let socket = dir.path().join("redis.sock");
        let log = dir.path().join("redis.log");
        let child = Command::new("redis-server")
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args(["--unixsocketperm", "700", "--dir"])
            .arg(rdb_dir)
            .arg("--dbfilename")
            .arg(rdb_name)
            .args(["--save", "", "--appendonly", "no", "--databases", "256"])
            .args(["--loglevel", "warning", "--logfile"])
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context(
                "cannot run redis-server (push reads the snapshot with one on this machine)",
            )?;
        let mut server = TempRedis { child, socket, dir };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                let mut errors = String::new();
                if let Some(mut stderr) = server.child.stderr.take() {
                    let _ = stderr.read_to_string(&mut errors);
                }
                errors.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
                bail!(
                    "the private redis-server exited ({status}) reading {}: {}",
                    rdb.display(),
                    errors.trim()
                );
            }
            if let Ok(mut conn) = server.connect(0) {
                if redis::cmd("PING").query::<String>(&mut conn).is_ok() {
                    return Ok(server);
                }
            }
            if started.elapsed() > LOAD_DEADLINE {
                bail!(
                    "the private redis-server did not load {} within {} s",
                    rdb.display(),
                    LOAD_DEADLINE.as_secs()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// A connection to database `db`.
    pub fn connect(&self, db: u32) -> anyhow::Result<redis::Connection> {
        let url = format!("redis+unix://{}?db={db}", self.socket.display());
        let client = redis::Client::open(url.as_str())?;
        let conn = client.get_connection_with_timeout(Duration::from_secs(5))?;
        conn.set_read_timeout(Some(REDIS_IO_TIMEOUT))?;
        conn.set_write_timeout(Some(REDIS_IO_TIMEOUT))?;
        Ok(conn)
    }

    /// Its directory (socket and log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TempRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `OUT.partial`, removed unless committed (renamed to `OUT`).
struct Partial {
    path: PathBuf,
    out: PathBuf,
    file: Option<File>,
}

impl Partial {
    fn create(out: &Path) -> anyhow::Result<Partial> {
        let mut name = out
            .file_name()
            .ok_or_else(|| anyhow!("{} is not a file name", out.display()))?
            .to_os_string();
        name.push(".partial");
        let path = out.with_file_name(name);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Partial {
            path,
            out: out.to_path_buf(),
            file: Some(file),
        })
    }

    fn file(&mut self) -> anyhow::Result<File> {
        Ok(self
            .file
            .as_ref()
            .ok_or_else(|| anyhow!("the archive is closed"))?
            .try_clone()?)
    }

    /// Syncs, renames to `OUT`, syncs the directory; answers the size.
    fn commit(&mut self) -> anyhow::Result<u64> {
        let file = self.file.take().ok_or_else(|| anyhow!("committed twice"))?;
        file.sync_all()
            .with_context(|| format!("fsync {}", self.path.display()))?;
        let size = file.metadata()?.len();
        drop(file);
        std::fs::rename(&self.path, &self.out).with_context(|| {
            format!("renaming {} to {}", self.path.display(), self.out.display())
        })?;
        let parent = match self.out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if let Ok(dir) = File::open(parent) {
            let _ = dir.sync_all();
        }
        self.path = PathBuf::new();
        Ok(size)
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A `Write` that hands its bytes to another thread.
struct ChunkWriter(SyncSender<Vec<u8>>);

impl Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .send(buf.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The other end of a [`ChunkWriter`]: end of file when it is dropped.
struct ChunkReader {
    receiver: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChunkReader {
    fn new(receiver: Receiver<Vec<u8>>) -> ChunkReader {
        ChunkReader {
            receiver,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader that hashes (sha256) and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The bytes read and their sha256 (hex).
    fn finish(self) -> (u64, String) {
        (self.bytes, hex(&self.hasher.finalize()))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn append_bytes<W: Write>(
    builder: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(schat_runtime::time::now_ms() / 1000);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, name, bytes)
        .context("writing the archive")
}

/// Puts `value` under `key` of `report.extra` (an object), keeping the
/// rest.
fn set_extra(report: &mut Report, key: &str, value: serde_json::Value) {
    if !report.extra.is_object() {
        report.extra = json!({});
    }
    if let Some(extra) = report.extra.as_object_mut() {
        extra.insert(key.to_string(), value);
    }
}

fn bytes_text(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_through_json() {
        let mut inventory = Inventory::default();
        inventory.records.insert("users".into(), 3);
        inventory.keys.insert("{u}:info".into(), 3);
        inventory.latest_seq.insert(7, 1000);
        inventory.latest_seq.insert(18_446_744_073_709_551_615, 1);
        let manifest = Manifest {
            format: FORMAT,
            schat_version: "0.1.0".into(),
            created_at: schat_client::time::Utc::from_ms(951_782_400_000).rfc3339(),
            created_at_ms: 951_782_400_000,
            cluster: "local".into(),
            redis: RedisSnapshot {
                source: "127.0.0.1:6390".into(),
                db: 0,
                keys: 12,
                rdb_bytes: 100,
                rdb_sha256: "ab".repeat(32),
            },
            inventory,
            file_servers: vec![FileServerBackup {
                serv_index: 2,
                name: "file_serv-2".into(),
                host: "a".into(),
                dir: "data/files/2".into(),
                files: 2,
                contents: 1,
                bytes: 5,
            }],
            files: vec![
                FileEntry {
                    serv_index: 2,
                    path: "blobs/ab/x".into(),
                    size: 5,
                    sha256: "cd".repeat(32),
                    link: None,
                },
                FileEntry {
                    serv_index: 2,
                    path: "scopes/g7/x.png".into(),
                    size: 5,
                    sha256: "cd".repeat(32),
                    link: Some("blobs/ab/x".into()),
                },
            ],
            missing_files: Vec::new(),
        };
        let text = serde_json::to_string_pretty(&manifest).unwrap();
        assert!(
            text.contains("\"created_at\": \"2000-02-29T00:00:00Z\""),
            "{text}"
        );
        let back: Manifest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, manifest);
        assert_eq!(back.latest_seq(7), 1000);
        assert_eq!(back.latest_seq(8), 0);
    }

    #[test]
    fn dates_and_paths() {
        assert_eq!(
            schat_client::time::Utc::from_ms(0).rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            schat_client::time::Utc::from_ms(1_700_000_000_999).rfc3339(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(clean("./blobs/ab/").unwrap(), "blobs/ab");
        assert_eq!(clean(".").unwrap(), "");
        assert!(clean("../x").is_err());
        assert!(clean("/abs/path").is_err());
        assert_eq!(
            url_path("/f/2/g7/abc.png"),
            Some((2, "scopes/g7/abc.png".to_string()))
        );
        assert_eq!(url_path("/f/x/g7/abc.png"), None);
        assert_eq!(url_path("/f/2/g7/a/b"), None);
        let sha = "0".repeat(64);
        assert_eq!(
            named_hash(&format!("scopes/g1/{sha}.png")),
            Some(sha.as_str())
        );
        assert_eq!(named_hash(&format!("blobs/00/{sha}")), Some(sha.as_str()));
        assert_eq!(named_hash("tmp/upload-1"), None);

        let host = Host::local("a", "/srv/schat/");
        let mut proc = ProcConfig::new(601, "file_serv-1", ProcKind::FileServ, "a");
        proc.serv_index = Some(3);
        proc.data_dir = Some("data/files/".into());
        assert_eq!(file_dir(&host, &proc).unwrap(), "/srv/schat/data/files/3");
        proc.data_dir = Some("/var/files".into());
        assert_eq!(file_dir(&host, &proc).unwrap(), "/var/files/3");
    }

    /// A directory with a hard link goes through `repack` into an archive
    /// and back out through `Unpack`'s rewriting, links kept.
    #[test]
    fn files_keep_their_hard_links_through_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        let content = b"some content";
        let sha = hex(&Sha256::digest(content));
        std::fs::create_dir_all(source.join(format!("blobs/{}", &sha[..2]))).unwrap();
        std::fs::create_dir_all(source.join("scopes/g1")).unwrap();
        std::fs::create_dir_all(source.join("tmp")).unwrap();
        let blob = source.join(format!("blobs/{}/{sha}", &sha[..2]));
        std::fs::write(&blob, content).unwrap();
        std::fs::hard_link(&blob, source.join(format!("scopes/g1/{sha}.txt"))).unwrap();
        std::fs::write(source.join("scopes/g1/plain.txt"), b"x").unwrap();
        std::fs::create_dir_all(source.join("scopes/g2")).unwrap();
        let other = "1".repeat(64);
        std::fs::write(source.join(format!("scopes/g2/{other}.txt")), b"y").unwrap();
        std::fs::write(source.join("tmp/upload"), b"partial").unwrap();

        let host = Host::this_machine();
        let mut proc = ProcConfig::new(601, "file_serv-1", ProcKind::FileServ, "a");
        proc.serv_index = Some(1);
        proc.data_dir = Some(dir.path().display().to_string());
        std::fs::rename(&source, dir.path().join("1")).unwrap();

        let mut builder = tar::Builder::new(Vec::new());
        let (server, files, misnamed) = backup_file_server(&mut builder, &host, &proc).unwrap();
        assert_eq!(server.files, 4, "{files:?}");
        assert_eq!(server.contents, 3, "{files:?}");
        assert_eq!(misnamed, [format!("scopes/g2/{other}.txt")]);
        assert!(files.iter().all(|file| !file.path.starts_with("tmp")));
        let linked: Vec<_> = files.iter().filter(|file| file.link.is_some()).collect();
        assert_eq!(linked.len(), 1);
        assert_eq!(linked[0].sha256, sha);
        let bytes = builder.into_inner().unwrap();

        // Back out into another directory, through the host's tar.
        let target = tempfile::tempdir().unwrap();
        let mut proc_b = proc.clone();
        proc_b.data_dir = Some(target.path().display().to_string());
        let mut archive = tar::Archive::new(bytes.as_slice());
        let unpacked = thread::scope(|scope| -> anyhow::Result<u64> {
            let mut unpack = Unpack::start(scope, &host, &proc_b, 1)?;
            for entry in archive.entries()? {
                let mut entry = entry?;
                let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let rel = path.strip_prefix("files/1/").expect("under files/1/");
                unpack.add(&mut entry, 1, rel)?;
            }
            unpack.finish()
        })
        .unwrap();
        assert_eq!(unpacked, 4);
        let restored = target.path().join("1");
        let found = hash_files(&host, &proc_b).unwrap();
        assert_eq!(found.len(), 4);
        for file in &files {
            assert_eq!(found[&file.path], file.sha256, "{}", file.path);
        }
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(restored.join(format!("scopes/g1/{sha}.txt"))).unwrap();
        assert_eq!(meta.nlink(), 2, "the hard link was kept");
    }

    #[test]
    fn keys_are_copied_with_their_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let from = TempRedis::start(&dir.path().join("a.rdb")).unwrap();
        let to = TempRedis::start(&dir.path().join("b.rdb")).unwrap();
        let mut source = from.connect(3).unwrap();
        let mut target = to.connect(0).unwrap();
        let mut fill = redis::pipe();
        for n in 0..1234 {
            fill.cmd("HSET")
                .arg(format!("{{g:{n}}}:msgs"))
                .arg(1)
                .arg(vec![0u8, 255, n as u8])
                .ignore();
        }
        fill.cmd("SET")
            .arg("{a:x}:guard")
            .arg(1)
            .arg("EX")
            .arg(1000)
            .ignore();
        let _: () = fill.query(&mut source).unwrap();
        let copied = copy_keys(&mut source, &mut target, false, KEYS_DEADLINE).unwrap();
        assert_eq!(copied, 1235);
        let value: Vec<u8> = redis::cmd("HGET")
            .arg("{g:300}:msgs")
            .arg(1)
            .query(&mut target)
            .unwrap();
        assert_eq!(value, vec![0u8, 255, 300u32 as u8]);
        let ttl: i64 = redis::cmd("TTL")
            .arg("{a:x}:guard")
            .query(&mut target)
            .unwrap();
        assert!((990..=1000).contains(&ttl), "{ttl}");
        let persistent: i64 = redis::cmd("TTL")
            .arg("{g:1}:msgs")
            .query(&mut target)
            .unwrap();
        assert_eq!(persistent, -1);

        // Again: refused key by key unless replacing.
        let err = copy_keys(&mut source, &mut target, false, KEYS_DEADLINE).unwrap_err();
        assert!(format!("{err:#}").contains("--force"), "{err:#}");
        assert_eq!(
            copy_keys(&mut source, &mut target, true, KEYS_DEADLINE).unwrap(),
            1235
        );
    }
}
