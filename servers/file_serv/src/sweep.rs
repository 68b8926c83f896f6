//! The orphan sweep: what releases miss. A file nothing references
//! `files.orphan_after_secs` after its last upload — uploaded but never
//! sent, or whose release was lost (file_serv down, a stop during the
//! release delay) — is deleted, after the same reference check a release
//! makes. A file found referenced is checked again only after another
//! `orphan_after_secs`, so each file costs at most one check per period.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use schat_runtime::logging::{debug, info, warn};
use schat_runtime::Shutdown;
use tokio::time::Instant;

use crate::Files;

/// Reference checks per second at most, so a large store does not flood
/// chat_serv and logic.
const CHECKS_PER_SEC: u32 = 200;
/// Files remembered as referenced at most; the memory is cleared beyond.
const REMEMBERED_MAX: usize = 2_000_000;

pub async fn run(files: Arc<Files>, shutdown: Shutdown) {
    let mut referenced: HashMap<u64, Instant> = HashMap::new();
    loop {
        // Read before each wait and each pass, so a reload reaches the
        // next one. Not at start: the links to the reference keepers come
        // up first.
        let every = files.config.current().files.sweep_interval_secs.max(1);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(every)) => {}
        }
        let orphan_after_secs = files.config.current().files.orphan_after_secs;
        if orphan_after_secs == 0 {
            continue;
        }
        let orphan_after = Duration::from_secs(orphan_after_secs);
        let swept = tokio::select! {
            _ = shutdown.cancelled() => return,
            swept = sweep(&files, orphan_after, &mut referenced) => swept,
        };
        match swept {
            Ok((checked, deleted)) if deleted > 0 => {
                info!(files.log, "Swept orphan files"; "checked" => checked, "deleted" => deleted)
            }
            Ok((checked, _)) => debug!(files.log, "Sweep found no orphans"; "checked" => checked),
            Err(err) => {
                warn!(files.log, "Sweep failed"; "error" => %err);
                files.stats.record_error(format!("sweep failed: {err}"));
            }
        }
    }
}

/// One pass; returns how many files it checked and deleted.
async fn sweep(
    files: &Files,
    orphan_after: Duration,
    referenced: &mut HashMap<u64, Instant>,
) -> std::io::Result<(usize, usize)> {
    let cutoff = SystemTime::now()
        .checked_sub(orphan_after)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let candidates = files.store.files_older_than(cutoff).await?;
    if referenced.len() > REMEMBERED_MAX {
        referenced.clear();
    }
    let pause = Duration::from_secs(1) / CHECKS_PER_SEC;
    let (mut checked, mut deleted) = (0, 0);
    for url in candidates {
        let path = url.to_string();
        let key = key_of(&path);
        if referenced
            .get(&key)
            .is_some_and(|at| at.elapsed() < orphan_after)
        {
            continue;
        }
        checked += 1;
        match files.access.referenced(&path, url.scope).await {
            Ok(true) => {
                referenced.insert(key, Instant::now());
            }
            Ok(false) => {
                if files.store.release(&url).await? {
                    deleted += 1;
                    debug!(files.log, "Deleted an orphan file"; "url" => &path);
                }
            }
            // Unknown now: asked again next pass.
            Err(err) => debug!(files.log, "Cannot check a file"; "url" => &path, "error" => %err),
        }
        tokio::time::sleep(pause).await;
    }
    Ok((checked, deleted))
}

fn key_of(path: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}
