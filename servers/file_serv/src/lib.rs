//! file_serv: uploads and downloads of chat files and avatars over HTTP.
//!
//! Files are stored once per content under `<data_dir>/<serv_index>/`
//! (see [`store`]) and named by URLs that carry the serv_index
//! (`/f/<serv_index>/<scope>/<sha256>.<ext>`), so a server's directory can
//! move to another host with the same index. Access needs a file token
//! that logic issues and refreshes; group files need membership, asked of
//! the group's chat_serv (see [`access`]). chat_serv and logic release
//! files no longer referenced (a recalled message, a replaced avatar, a
//! dismissed group) with ReleaseFiles through a disp; a periodic sweep
//! deletes what no release covered (see [`sweep`]).

#![forbid(unsafe_code)]

pub mod access;
pub mod cors;
pub mod kinds;
pub mod range;
pub mod service;
pub mod store;
pub mod sweep;
pub mod throttle;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use schat_proto::client::ResultCode;
use schat_proto::server::{server_msg::Msg, ReleaseFiles};
use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::logging::{debug, info, warn, Logger};
use schat_runtime::rpc::serve_inbox;
use schat_runtime::stats::{Counter, Stats};
use schat_runtime::{http, tls, Fabric, Incoming, LiveConfig, Node};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use access::Access;
use store::Store;
use throttle::Throttle;

/// What every request handler shares.
#[derive(Debug)]
pub struct Files {
    pub config: LiveConfig,
    pub store: Store,
    pub access: Access,
    pub throttle: Throttle,
    pub log: Logger,
    pub stats: Stats,
    pub uploads: Counter,
    pub downloads: Counter,
    /// Released files deleted, and released files kept because something
    /// refers to them again (or that could not be checked).
    pub released: Counter,
    pub release_kept: Counter,
}

/// Serves HTTP on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    let Node {
        config, me, log, ..
    } = node.clone();
    let serv_index = me.serv_index.context("file_serv needs a serv_index")?;
    let data_dir = me.data_dir.clone().context("file_serv needs a data_dir")?;
    let store = Store::open(Path::new(&data_dir), serv_index)
        .await
        .with_context(|| format!("cannot open the file directory under {data_dir}"))?;
    let tls = me
        .tls
        .as_ref()
        .map(|tls| tls::acceptor(tls, me.address(), &log))
        .transpose()?;
    let (inbox_tx, inbox) = mpsc::channel::<Incoming>(1024);
    let stats = &node.stats;
    stats.inbox(&inbox_tx);
    let blobs = store.blobs.clone();
    stats.gauge_fn(
        "files_stored",
        "Distinct file contents stored.",
        move || blobs.get() as f64,
    );
    let blob_bytes = store.blob_bytes.clone();
    stats.gauge_fn(
        "file_bytes_stored",
        "Bytes of the distinct file contents stored.",
        move || blob_bytes.get() as f64,
    );
    let fabric = Fabric::start(&node, inbox_tx);
    info!(log, "Started"; "proc_id" => me.id, "serv_index" => serv_index, "data_dir" => &data_dir);
    let files = Arc::new(Files {
        access: Access::new(config.clone(), fabric),
        throttle: Throttle::live(config.clone()),
        config: config.clone(),
        store,
        log: log.clone(),
        stats: node.stats.clone(),
        uploads: stats.counter("uploads_total", "Uploads stored."),
        downloads: stats.counter(
            "downloads_total",
            "Files served (GET or HEAD, whole or ranges).",
        ),
        released: stats.counter_with(
            "file_releases_total",
            "Files named by a release, by what became of them.",
            &[("outcome", "deleted")],
        ),
        release_kept: stats.counter_with(
            "file_releases_total",
            "Files named by a release, by what became of them.",
            &[("outcome", "kept")],
        ),
    });
    // Counting what earlier runs stored can take a while: serve meanwhile.
    let counting = files.clone();
    node.shutdown.spawn(async move {
        match counting.store.count_existing().await {
            Ok((files, bytes)) => {
                info!(counting.log, "Counted the stored files"; "files" => files, "bytes" => bytes);
            }
            Err(err) => warn!(counting.log, "Cannot count the stored files"; "error" => %err),
        }
    });
    let (on_packets, packet_node) = (files.clone(), node.clone());
    node.shutdown
        .spawn(serve_inbox(inbox, node.shutdown.clone(), move |incoming| {
            on_packet(&on_packets, incoming, &packet_node)
        }));
    node.shutdown
        .spawn(sweep::run(files.clone(), node.shutdown.clone()));
    http::serve(listener, tls, &node, move |request, peer| {
        let files = files.clone();
        async move { service::handle(&files, request, peer).await }
    })
    .await?;
    info!(log, "Stopping");
    Ok(())
}

/// Packets from other processes: changes of who may access what (in
/// effect at once), and releases of files no longer referenced, carried
/// out `files.release_delay_secs` later off this loop (a release pending
/// at a stop is dropped: the sweep finds its files later).
fn on_packet(files: &Arc<Files>, incoming: Incoming, node: &Node) {
    let shutdown = &node.shutdown;
    let release = match incoming.msg {
        Msg::ReleaseFiles(release) => release,
        Msg::AdminRequest(_) => {
            schat_runtime::admin::serve(node, incoming, &[]);
            return;
        }
        Msg::FileAccessChanged(ref change) => {
            files.access.on_change(change);
            return;
        }
        _ => {
            incoming.reply_error(
                ResultCode::UnknownMessage,
                "file_serv does not handle this message",
            );
            return;
        }
    };
    let files = files.clone();
    let shutdown = shutdown.clone();
    let delay = Duration::from_secs(files.config.current().files.release_delay_secs);
    let clock = node.clock.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.cancelled() => {}
            _ = clock.sleep(delay) => release_files(&files, &release).await,
        }
    });
}

/// Deletes what a release names, once whoever keeps its references
/// confirms nothing refers to it any more: a release that crossed a new
/// reference (the same content uploaded again and sent within
/// `files.release_delay_secs`, an avatar set back) deletes nothing. When
/// the check fails the file stays (a leak, never a loss).
async fn release_files(files: &Files, release: &ReleaseFiles) {
    for path in &release.paths {
        let Some(url) = FileUrl::parse(path) else {
            continue;
        };
        match files.access.referenced(path, url.scope).await {
            Ok(false) => {}
            Ok(true) => {
                debug!(files.log, "Kept a released file: referenced again"; "url" => path);
                files.release_kept.inc();
                continue;
            }
            Err(err) => {
                warn!(files.log, "Kept a released file: cannot check its references";
                    "url" => path, "error" => %err);
                files.release_kept.inc();
                continue;
            }
        }
        match files.store.release(&url).await {
            Ok(true) => {
                debug!(files.log, "Released"; "url" => path);
                files.released.inc();
            }
            Ok(false) => {}
            Err(err) => {
                warn!(files.log, "Cannot release a file"; "url" => path, "error" => %err);
                files
                    .stats
                    .record_error(format!("cannot release a file: {err}"));
            }
        }
    }
    for scope in release
        .scopes
        .iter()
        .filter_map(|scope| Scope::parse(scope))
    {
        match files.store.release_scope(scope).await {
            Ok(0) => {}
            Ok(n) => debug!(files.log, "Released a scope"; "scope" => %scope, "files" => n),
            Err(err) => {
                warn!(files.log, "Cannot release a scope"; "scope" => %scope, "error" => %err);
                files
                    .stats
                    .record_error(format!("cannot release a scope: {err}"));
            }
        }
    }
}
