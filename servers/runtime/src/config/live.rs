//! The cluster file as this process currently runs it: swapped whole by a
//! reload, read without locks by whoever needs a setting at the moment of
//! use.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use super::ClusterConfig;

/// A handle to the current [`ClusterConfig`] and the file it came from.
/// Cheap to clone; every clone sees the same swaps.
///
/// Read a setting where it is used (`config.current().chat.max_message_bytes`),
/// not once at start, so a reload reaches it.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    current: ArcSwap<ClusterConfig>,
    path: Option<PathBuf>,
    /// Held by a reload, so two (a signal and a command) run one after
    /// the other.
    reloading: Mutex<()>,
}

impl LiveConfig {
    /// The config loaded from `path`, which a reload reads again.
    pub fn from_file(config: ClusterConfig, path: PathBuf) -> LiveConfig {
        LiveConfig::build(config, Some(path))
    }

    /// A config that came from no file (it cannot be reloaded).
    pub fn fixed(config: ClusterConfig) -> LiveConfig {
        LiveConfig::build(config, None)
    }

    fn build(config: ClusterConfig, path: Option<PathBuf>) -> LiveConfig {
        LiveConfig {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(config),
                path,
                reloading: Mutex::new(()),
            }),
        }
    }

    /// The config as it is now (a reference count, no lock).
    pub fn current(&self) -> Arc<ClusterConfig> {
        self.inner.current.load_full()
    }

    /// The config as it is now, borrowed for a moment: cheaper than
    /// [`current`](Self::current) on per-message paths (no reference
    /// count in the common case). Do not hold it across an await.
    pub fn load(&self) -> arc_swap::Guard<Arc<ClusterConfig>> {
        self.inner.current.load()
    }

    /// The file this config is read from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Held while a reload reads, checks and swaps.
    pub(crate) fn reload_lock(&self) -> MutexGuard<'_, ()> {
        self.inner
            .reloading
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Makes `config` the current one (for the reload, which checked it).
    pub(crate) fn replace(&self, config: ClusterConfig) {
        self.inner.current.store(Arc::new(config));
    }
}
