//! Backup and restore with the push tool, against the real binaries and
//! real Redis: a cluster holding users with avatars, groups with a group
//! avatar, 3 × 1000 messages and chat files is backed up while senders keep
//! sending, then restored onto a second cluster (its own Redis, ports and
//! directories, relative to its install root) that is started afterwards.
//! The verification passes, every password logs in, each group's history
//! is the first cluster's up to the snapshot's latest seq with no gap and
//! nothing after, and every file downloads byte for byte. A non-empty
//! target and an archive of another schat version are refused (and leave
//! the target as it was) unless forced; a forced restore repairs what the
//! verification finds changed.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::join_all;
use schat_client::files::{Directory, Files, UploadTarget};
use schat_client::{
    ChatMessage, Client, CreateGroupRequest, HttpClient, MessageKind, ProfileUpdate,
    SendMessageRequest, UpdateGroupRequest,
};
use schat_push::backup::{self, Manifest};
use schat_push::report::Report;
use schat_push::Cluster;
use schat_testkit::push_support::{
    redis_cli, spawn_all_at_root, start_on_local_host, unstarted_like,
};
use schat_testkit::{eventually, file_token, png, BinCluster};

const USERS: usize = 6;
const GROUPS: usize = 3;
const MESSAGES_PER_GROUP: usize = 1000;

fn account(n: usize) -> String {
    format!("user{n}")
}

fn password(n: usize) -> String {
    format!("password-{n}-of-the-backup")
}

/// Logs `account` in on user set `set`, retrying while the cluster comes up.
async fn login_when_up(cluster: &BinCluster, set: usize, n: usize, register: bool) -> Client {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(client) = Client::connect(&cluster.conn_addr(set)).await {
            if register {
                let _ = client.register(&account(n), &password(n), "").await;
            }
            if client
                .login_password(&account(n), &password(n))
                .await
                .is_ok()
            {
                return client;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            cluster.dump_logs();
            panic!("set {set} did not come up");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The file client of a cluster once its directory lists every file
/// server live.
async fn files_of(cluster: &BinCluster) -> Files {
    let http = HttpClient::default();
    let url = cluster.dir_url();
    let up = eventually(Duration::from_secs(20), || async {
        Directory::lookup(&http, &url)
            .await
            .is_ok_and(|dir| dir.file_servers.len() == 2 && dir.file_servers.values().all(|s| s.up))
    })
    .await;
    assert!(up, "the directory did not list live file servers");
    Directory::lookup(&http, &url).await.unwrap().files(http)
}

/// Messages 1..=upto of `gid`, by pages.
async fn messages(client: &Client, gid: u64, upto: u64) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    let mut from = 1;
    while from <= upto {
        let page = client.pull(gid, from, 200).await.unwrap();
        out.extend(page.messages.into_iter().filter(|m| m.seq <= upto));
        from += 200;
    }
    out
}

fn restore(cluster: &Cluster, archive: &Path, force: bool) -> (anyhow::Result<()>, Report) {
    let mut report = Report::new("restore");
    let result =
        tokio::task::block_in_place(|| backup::restore(cluster, archive, force, &mut report));
    (result, report)
}

fn failures(report: &Report) -> Vec<String> {
    report
        .rows
        .iter()
        .filter(|row| row.outcome.is_failure())
        .map(|row| format!("{} {}: {}", row.target, row.outcome.name(), row.detail))
        .collect()
}

/// A copy of `archive` whose manifest says another schat version made it.
fn other_version(archive: &Path, out: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let status = Command::new("tar").args(args).status().unwrap();
        assert!(status.success(), "tar {args:?}");
    };
    let dir_text = dir.path().display().to_string();
    run(&["-C", &dir_text, "-xf", &archive.display().to_string()]);
    let path = dir.path().join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["schat_version"] = "0.0.0-other".into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    run(&[
        "-C",
        &dir_text,
        "-cf",
        &out.display().to_string(),
        "cluster.json",
        "redis",
        "files",
        "manifest.json",
    ]);
}

fn dbsize(cluster: &BinCluster) -> String {
    redis_cli(&cluster.redis, &["DBSIZE"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_under_load_restores_onto_another_cluster() {
    let started = std::time::Instant::now();
    let a = start_on_local_host(|_| {}).unwrap();
    let state = tempfile::tempdir().unwrap();

    // Users (with avatars), on both sets.
    let mut users = Vec::new();
    for n in 0..USERS {
        users.push(login_when_up(&a, 1 + n % 2, n, true).await);
    }
    let files = files_of(&a).await;
    let mut stored: Vec<(String, Bytes)> = Vec::new();
    for (n, user) in users.iter().enumerate() {
        let content = png(500 + n, n as u8);
        let url = files
            .upload(
                &file_token(user),
                UploadTarget::Avatar,
                "me.png",
                content.clone(),
            )
            .await
            .unwrap()
            .url;
        user.update_profile(ProfileUpdate {
            avatar_url: Some(url.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
        stored.push((url, content));
    }

    // Groups everyone is in, a group avatar, and image messages; one
    // content in every group (stored once per file server).
    let mut gids = Vec::new();
    for g in 0..GROUPS {
        let gid = users[g]
            .create_group(CreateGroupRequest {
                name: format!("group {g}"),
                ..Default::default()
            })
            .await
            .unwrap()
            .gid;
        for (n, user) in users.iter().enumerate() {
            if n != g {
                user.join_group(gid, "", "").await.unwrap();
            }
        }
        gids.push(gid);
    }
    let avatar = png(800, 77);
    let url = files
        .upload(
            &file_token(&users[0]),
            UploadTarget::GroupAvatar(gids[0]),
            "group.png",
            avatar.clone(),
        )
        .await
        .unwrap()
        .url;
    users[0]
        .update_group(UpdateGroupRequest {
            gid: gids[0],
            avatar_url: Some(url.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    stored.push((url, avatar));
    for (g, gid) in gids.iter().enumerate() {
        for content in [png(3000 + g, 10 + g as u8), png(2000, 99)] {
            let sender = &users[(g + 1) % USERS];
            let url = files
                .upload(
                    &file_token(sender),
                    UploadTarget::Chat(*gid),
                    "pic.png",
                    content.clone(),
                )
                .await
                .unwrap()
                .url;
            sender
                .send_message(SendMessageRequest {
                    gid: *gid,
                    client_msg_id: format!("img-{g}-{}", content.len()),
                    kind: MessageKind::Image as i32,
                    text: "look".to_string(),
                    media_url: url.clone(),
                })
                .await
                .unwrap();
            stored.push((url, content));
        }
    }

    // 3 × 1000 messages, two senders per group.
    let sends = gids.iter().enumerate().flat_map(|(g, gid)| {
        let users = &users;
        (0..2).map(move |s| async move {
            let sender = &users[(g + 1 + s) % USERS];
            for i in 0..MESSAGES_PER_GROUP / 2 {
                let id = format!("fill-{s}-{i}");
                sender.send_text(*gid, &id, &id).await.unwrap();
            }
        })
    });
    join_all(sends).await;
    let filled = started.elapsed();

    // The backup, while one sender per group keeps sending.
    let archive = state.path().join("backup.tar");
    let stop = AtomicBool::new(false);
    let acked_count = AtomicUsize::new(0);
    let loads = gids.iter().enumerate().map(|(g, gid)| {
        let (stop, acked_count, sender) = (&stop, &acked_count, &users[(g + 3) % USERS]);
        async move {
            let mut acked = Vec::new();
            for i in 0..20_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let id = format!("load-{i}");
                let sent = sender.send_text(*gid, &id, &id).await.unwrap();
                acked.push((sent.seq, id));
                acked_count.fetch_add(1, Ordering::Relaxed);
            }
            acked
        }
    });
    let taking = async {
        // Some messages are acked before the snapshot.
        let going = eventually(Duration::from_secs(10), || async {
            acked_count.load(Ordering::Relaxed) >= 60
        })
        .await;
        assert!(going, "the senders did not get going");
        let (config_path, state_a, out) = (
            a.config_path.clone(),
            state.path().join("a"),
            archive.clone(),
        );
        let taken = tokio::task::spawn_blocking(move || {
            let cluster = Cluster::load(&config_path, &state_a, true)?;
            let mut report = Report::new("backup");
            let manifest = backup::backup(&cluster, &out, &mut report);
            manifest.map(|manifest| (manifest, report))
        })
        .await
        .unwrap();
        stop.store(true, Ordering::Relaxed);
        taken
    };
    let (taken, acked) = tokio::join!(taking, join_all(loads));
    let (manifest, report) = taken.unwrap();
    eprintln!("{}", report.table());
    assert!(!report.failed(), "{:?}", failures(&report));
    assert!(archive.exists());
    assert!(!state.path().join("backup.tar.partial").exists());
    // The archive's manifest is the one answered (less the URLs, which it
    // only counts).
    let mut expected = manifest.clone();
    expected.inventory.referenced_files.clear();
    assert_eq!(Manifest::read(&archive).unwrap(), expected);
    assert_eq!(manifest.schat_version, env!("CARGO_PKG_VERSION"));
    let records = &manifest.inventory.records;
    assert_eq!(records["users"], USERS as u64);
    assert_eq!(records["accounts"], USERS as u64);
    assert_eq!(records["groups"], GROUPS as u64);
    assert_eq!(records["members"], (USERS * GROUPS) as u64);
    assert_eq!(
        records["files_referenced"],
        stored.len() as u64,
        "{records:?}"
    );
    assert!(records["messages"] >= (GROUPS * (MESSAGES_PER_GROUP + 2)) as u64);
    assert!(manifest.missing_files.is_empty());
    // Each file is a blob and a hard link to it per scope that holds it.
    let links = manifest
        .files
        .iter()
        .filter(|file| file.link.is_some())
        .count();
    assert_eq!(links, stored.len());

    // Messages acked during the backup: in it up to a point per group.
    let mut before = 0;
    let mut after = 0;
    for (gid, acked) in gids.iter().zip(&acked) {
        let latest = manifest.latest_seq(*gid);
        assert!(latest > 0);
        before += acked.iter().filter(|(seq, _)| *seq <= latest).count();
        after += acked.iter().filter(|(seq, _)| *seq > latest).count();
    }
    eprintln!("acked during the backup: {before} in the snapshot, {after} after it");
    assert!(before >= 60, "{before}");
    assert!(
        after > 0,
        "the senders were still sending after the snapshot"
    );

    // Cluster B, not started: refusals leave it as it was.
    let mut b = unstarted_like(&a.config).unwrap();
    let cluster_b = Cluster::load(&b.config_path, &state.path().join("b"), true).unwrap();
    let files_b = b.dir.path().join("data/files");
    redis_cli(&b.redis, &["SET", "stray", "1"]);
    let (refused, report) = restore(&cluster_b, &archive, false);
    let refused = format!("{:#}", refused.unwrap_err());
    assert!(
        refused.contains("not empty") && refused.contains("1 keys"),
        "{refused}"
    );
    assert!(report.failed());
    assert_eq!(dbsize(&b), "1");
    assert!(!files_b.exists());
    redis_cli(&b.redis, &["DEL", "stray"]);

    std::fs::create_dir_all(files_b.join("2/scopes/g1")).unwrap();
    std::fs::write(files_b.join("2/scopes/g1/left.png"), b"left over").unwrap();
    let (refused, _) = restore(&cluster_b, &archive, false);
    let refused = format!("{:#}", refused.unwrap_err());
    assert!(
        refused.contains("data/files/2 on local has files"),
        "{refused}"
    );
    assert_eq!(dbsize(&b), "0");
    std::fs::remove_dir_all(&files_b).unwrap();

    let edited = state.path().join("other-version.tar");
    other_version(&archive, &edited);
    let (refused, _) = restore(&cluster_b, &edited, false);
    let refused = format!("{:#}", refused.unwrap_err());
    assert!(
        refused.contains("schat 0.0.0-other") && refused.contains("--force"),
        "{refused}"
    );
    assert_eq!(dbsize(&b), "0");
    assert!(!files_b.exists());

    // The restore, verified.
    let (restored, report) = restore(&cluster_b, &archive, false);
    eprintln!("{}", report.table());
    restored.unwrap();
    assert!(!report.failed(), "{:?}", failures(&report));
    assert_eq!(report.extra["verify"]["ok"], true, "{}", report.extra);
    assert_eq!(
        report.extra["verify"]["files"],
        manifest.files.len(),
        "{}",
        report.extra
    );
    let verified: Vec<&str> = report
        .rows
        .iter()
        .filter(|row| row.detail.starts_with("verified"))
        .map(|row| row.target.as_str())
        .collect();
    assert_eq!(verified, ["redis", "file_serv-1", "file_serv-2"]);

    // The verification sees a changed file and a lost message; a forced
    // restore (of the other-version copy, over data) repairs both.
    let changed = manifest
        .files
        .iter()
        .find(|file| file.path.starts_with("scopes/g"))
        .unwrap();
    let changed_path = files_b
        .join(changed.serv_index.to_string())
        .join(&changed.path);
    std::fs::remove_file(&changed_path).unwrap();
    std::fs::write(&changed_path, b"not the content").unwrap();
    redis_cli(&b.redis, &["HDEL", &format!("{{g:{}}}:msgs", gids[1]), "5"]);
    let mut report = Report::new("verify");
    tokio::task::block_in_place(|| backup::verify(&cluster_b, &manifest, &mut report)).unwrap();
    let failed: Vec<String> = failures(&report);
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[0].contains("records messages"), "{failed:?}");
    assert!(failed[1].contains("1 with another sha256"), "{failed:?}");
    assert_eq!(report.extra["verify"]["ok"], false);

    let (forced, report) = restore(&cluster_b, &edited, true);
    eprintln!("{}", report.table());
    forced.unwrap();
    assert!(!report.failed(), "{:?}", failures(&report));
    assert!(
        report.notes.iter().any(|note| note.contains("0.0.0-other")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.extra["verify"]["ok"], true);
    assert_eq!(
        std::fs::read(&changed_path).unwrap().len() as u64,
        changed.size
    );

    // B runs on what was restored.
    spawn_all_at_root(&mut b).unwrap();
    let mut users_b = Vec::new();
    for n in 0..USERS {
        users_b.push(login_when_up(&b, 1 + n % 2, n, false).await);
    }
    for n in 0..USERS {
        assert_eq!(
            users_b[n].profile().await.unwrap().avatar_url,
            users[n].profile().await.unwrap().avatar_url
        );
    }
    let wrong = Client::connect(&b.conn_addr(1)).await.unwrap();
    assert!(wrong
        .login_password(&account(0), "not-the-password")
        .await
        .is_err());

    for gid in &gids {
        let latest = manifest.latest_seq(*gid);
        let on_a = messages(&users[0], *gid, latest).await;
        let on_b = messages(&users_b[0], *gid, latest).await;
        let seqs: Vec<u64> = on_b.iter().map(|message| message.seq).collect();
        assert_eq!(
            seqs,
            (1..=latest).collect::<Vec<_>>(),
            "group {gid} has a gap"
        );
        assert!(on_a == on_b, "group {gid}: B's history is not A's");
        let beyond = users_b[0].pull(*gid, latest + 1, 50).await.unwrap();
        assert!(
            beyond.messages.is_empty(),
            "group {gid} has messages after the snapshot"
        );
        assert_eq!(beyond.latest_seq, latest);
    }

    let files_b = files_of(&b).await;
    for (url, content) in &stored {
        let got = files_b
            .download(&file_token(&users_b[1]), url, None)
            .await
            .unwrap_or_else(|err| panic!("{url}: {err}"));
        assert_eq!(&got.body, content, "{url}");
    }

    // A's own data was never touched: it has the messages after the
    // snapshot too.
    let gid = gids[0];
    let latest_a = users[0].pull(gid, 1, 1).await.unwrap().latest_seq;
    assert!(latest_a >= manifest.latest_seq(gid));
    eprintln!(
        "filled in {filled:?}; whole test {:?}; {} messages, {} files in the archive",
        started.elapsed(),
        manifest.inventory.records["messages"],
        manifest.files.len()
    );
}
