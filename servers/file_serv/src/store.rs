//! Files on disk, stored once per content.
//!
//! Under `<data_dir>/<serv_index>/`:
//!
//! | path | holds |
//! |---|---|
//! | `blobs/<h0h1>/<sha256>` | the content, once however many scopes hold it |
//! | `scopes/<scope>/<sha256>.<ext>` | a hard link to the blob per scope holding it; what downloads read |
//! | `tmp/` | uploads in progress (emptied at start) |
//!
//! A blob whose link count drops to 1 is held by no scope and is deleted.
//! A scope link's modification time is its last upload: the orphan sweep
//! (see `sweep.rs`) looks only at files older than `files.orphan_after_secs`.
//! Everything a server serves is under its index's directory, so the
//! directory can be copied to another host whose file_serv takes the same
//! index. (A copy that does not keep hard links still serves every URL;
//! it only loses the sharing.)

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::stats::Gauge;
use sha2::{Digest, Sha256};
use tokio::fs;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// The directory of one serv_index.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    serv_index: u32,
    /// Held while links are added or removed, so a blob is never deleted
    /// between an upload finding it and linking it.
    links: Mutex<()>,
    /// Distinct contents stored, and their bytes: what
    /// [`count_existing`](Store::count_existing) has counted so far, kept
    /// as blobs come and go.
    pub blobs: Gauge,
    pub blob_bytes: Gauge,
    /// How far the count of what earlier runs stored has got.
    counted: std::sync::Mutex<Counted>,
}

/// The shards of `blobs/` the start-up count has walked. A blob added or
/// removed in a shard not walked yet is left to the walk, which finds it
/// on disk or not, so no blob is counted twice or missed. Blobs come and
/// go with `links` held, and a shard is walked with it held.
#[derive(Debug, Default)]
struct Counted {
    done: bool,
    shards: HashSet<String>,
}

impl Counted {
    fn covers(&self, shard: &str) -> bool {
        self.done || self.shards.contains(shard)
    }
}

/// An upload being written to `tmp/`.
#[derive(Debug)]
pub struct Upload {
    path: PathBuf,
    file: fs::File,
    hasher: Sha256,
    pub size: u64,
}

impl Upload {
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await
    }

    /// Drops the partial file.
    pub async fn discard(self) {
        drop(self.file);
        let _ = fs::remove_file(&self.path).await;
    }
}

impl Store {
    /// Opens (creating) the directory of `serv_index` under `data_dir`, and
    /// clears uploads a previous run left unfinished.
    pub async fn open(data_dir: &Path, serv_index: u32) -> io::Result<Store> {
        let root = data_dir.join(serv_index.to_string());
        for sub in ["blobs", "scopes", "tmp"] {
            fs::create_dir_all(root.join(sub)).await?;
        }
        let mut leftovers = fs::read_dir(root.join("tmp")).await?;
        while let Some(entry) = leftovers.next_entry().await? {
            let _ = fs::remove_file(entry.path()).await;
        }
        Ok(Store {
            root,
            serv_index,
            links: Mutex::new(()),
            blobs: Gauge::default(),
            blob_bytes: Gauge::default(),
            counted: std::sync::Mutex::default(),
        })
    }

    /// Counts the contents stored into the `blobs` and `blob_bytes`
    /// gauges, one shard (`blobs/00` … `blobs/ff`) at a time, each with
    /// `links` held for as long as it takes to read it. Run beside serving
    /// (a large store takes a while): until it ends the gauges show the
    /// shards counted so far, with their changes since, so they may show
    /// less than is stored; after it they are exact. Returns the totals.
    pub async fn count_existing(&self) -> io::Result<(i64, i64)> {
        for shard in 0..=u8::MAX {
            let shard = format!("{shard:02x}");
            let _links = self.links.lock().await;
            let (mut blobs, mut bytes) = (0i64, 0i64);
            match fs::read_dir(self.root.join("blobs").join(&shard)).await {
                Ok(mut entries) => {
                    while let Some(blob) = entries.next_entry().await? {
                        if let Ok(meta) = blob.metadata().await {
                            blobs += 1;
                            bytes = bytes.saturating_add(clamp(meta.len()));
                        }
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
            self.blobs.add(blobs);
            self.blob_bytes.add(bytes);
            self.lock_counted().shards.insert(shard);
        }
        let mut counted = self.lock_counted();
        counted.done = true;
        counted.shards = HashSet::new();
        Ok((self.blobs.get(), self.blob_bytes.get()))
    }

    fn lock_counted(&self) -> std::sync::MutexGuard<'_, Counted> {
        self.counted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts the blob of `hash` in (`sign` 1) or out (-1), unless its
    /// shard is still to be walked by [`count_existing`](Self::count_existing)
    /// (which then finds it on disk, or not). Called with `links` held.
    fn count_blob(&self, hash: &str, len: u64, sign: i64) {
        if !self
            .lock_counted()
            .covers(hash.get(..2).unwrap_or_default())
        {
            return;
        }
        self.blobs.add(sign);
        self.blob_bytes.add(sign * clamp(len));
    }

    pub fn serv_index(&self) -> u32 {
        self.serv_index
    }

    pub async fn begin(&self) -> io::Result<Upload> {
        let path = self
            .root
            .join("tmp")
            .join(format!("{:016x}", rand::random::<u64>()));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Upload {
            path,
            file,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Makes a finished upload a file of `scope`; identical content is
    /// stored once.
    pub async fn commit(&self, mut upload: Upload, scope: Scope, ext: &str) -> io::Result<FileUrl> {
        upload.file.flush().await?;
        upload.file.sync_all().await?;
        let hash = schat_runtime::digest::hex(&upload.hasher.finalize_reset());
        let url = FileUrl {
            serv_index: self.serv_index,
            scope,
            name: format!("{hash}.{ext}"),
        };
        let blob = self.blob_path(&hash);
        let scoped = self.scoped_path(&url);
        let _links = self.links.lock().await;
        if fs::try_exists(&scoped).await? {
            // The scope holds this content already (linked, or a plain copy
            // in a directory that was copied without its links). Uploaded
            // again now: the orphan sweep starts counting from now.
            let _ = fs::remove_file(&upload.path).await;
            touch(&scoped).await?;
            return Ok(url);
        }
        if fs::try_exists(&blob).await? {
            let _ = fs::remove_file(&upload.path).await;
        } else {
            let stored = async {
                if let Some(dir) = blob.parent() {
                    fs::create_dir_all(dir).await?;
                }
                fs::rename(&upload.path, &blob).await
            };
            if let Err(err) = stored.await {
                let _ = fs::remove_file(&upload.path).await;
                return Err(err);
            }
            self.count_blob(&hash, upload.size, 1);
        }
        let linked = async {
            if let Some(dir) = scoped.parent() {
                fs::create_dir_all(dir).await?;
            }
            if fs::hard_link(&blob, &scoped).await.is_err() {
                // A file system without hard links: keep a copy instead.
                fs::copy(&blob, &scoped).await?;
            }
            Ok::<(), io::Error>(())
        };
        let linked = async {
            linked.await?;
            // A link shares the blob's times: restart its age for the sweep.
            touch(&scoped).await
        };
        if let Err(err) = linked.await {
            // Nothing links the blob: do not leave it behind.
            if let Ok(meta) = fs::metadata(&blob).await {
                if link_count(&meta) <= 1 && fs::remove_file(&blob).await.is_ok() {
                    self.count_blob(&hash, meta.len(), -1);
                }
            }
            return Err(err);
        }
        Ok(url)
    }

    /// The file behind `url`, if this server holds it.
    pub async fn open_file(&self, url: &FileUrl) -> io::Result<Option<(fs::File, u64)>> {
        if url.serv_index != self.serv_index {
            return Ok(None);
        }
        match fs::File::open(self.scoped_path(url)).await {
            Ok(file) => {
                let len = file.metadata().await?.len();
                Ok(Some((file, len)))
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Deletes the file at `url` from its scope, and its content once no
    /// scope holds it. Returns whether the file existed.
    pub async fn release(&self, url: &FileUrl) -> io::Result<bool> {
        if url.serv_index != self.serv_index {
            return Ok(false);
        }
        let _links = self.links.lock().await;
        self.unlink(&self.scoped_path(url), url.hash()).await
    }

    /// Deletes every file of `scope`; returns how many there were.
    pub async fn release_scope(&self, scope: Scope) -> io::Result<usize> {
        let dir = self.root.join("scopes").join(scope.to_string());
        let _links = self.links.lock().await;
        let mut entries = match fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        let mut released = 0;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name();
            let hash = name.to_string_lossy().chars().take(64).collect::<String>();
            if self.unlink(&entry.path(), &hash).await? {
                released += 1;
            }
        }
        let _ = fs::remove_dir(&dir).await;
        Ok(released)
    }

    /// Removes one scope's link, then the blob if nothing else links it.
    /// Called with `links` held.
    async fn unlink(&self, scoped: &Path, hash: &str) -> io::Result<bool> {
        match fs::remove_file(scoped).await {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(err),
        }
        if hash.len() == 64 {
            let blob = self.blob_path(hash);
            if let Ok(meta) = fs::metadata(&blob).await {
                if link_count(&meta) <= 1 {
                    fs::remove_file(&blob).await?;
                    self.count_blob(hash, meta.len(), -1);
                }
            }
        }
        Ok(true)
    }

    /// Files last uploaded before `older_than`, as URLs: candidates for the
    /// orphan sweep.
    pub async fn files_older_than(&self, older_than: SystemTime) -> io::Result<Vec<FileUrl>> {
        let mut found = Vec::new();
        let mut scopes = fs::read_dir(self.root.join("scopes")).await?;
        while let Some(scope_dir) = scopes.next_entry().await? {
            let scope_name = scope_dir.file_name().to_string_lossy().into_owned();
            let Ok(mut entries) = fs::read_dir(scope_dir.path()).await else {
                continue;
            };
            while let Some(entry) = entries.next_entry().await? {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("/f/{}/{scope_name}/{name}", self.serv_index);
                let Some(url) = FileUrl::parse(&path) else {
                    continue;
                };
                let modified = entry.metadata().await?.modified()?;
                if modified < older_than {
                    found.push(url);
                }
            }
        }
        Ok(found)
    }

    /// How many distinct contents are stored (for tests and stats).
    pub async fn blob_count(&self) -> io::Result<usize> {
        let mut count = 0;
        let mut shards = fs::read_dir(self.root.join("blobs")).await?;
        while let Some(shard) = shards.next_entry().await? {
            let mut blobs = fs::read_dir(shard.path()).await?;
            while blobs.next_entry().await?.is_some() {
                count += 1;
            }
        }
        Ok(count)
    }

    fn blob_path(&self, hash: &str) -> PathBuf {
        self.root.join("blobs").join(&hash[..2]).join(hash)
    }

    fn scoped_path(&self, url: &FileUrl) -> PathBuf {
        self.root
            .join("scopes")
            .join(url.scope.to_string())
            .join(&url.name)
    }
}

/// A length as a gauge step.
fn clamp(len: u64) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// Sets a file's modification time to now.
async fn touch(path: &Path) -> io::Result<()> {
    let file = fs::OpenOptions::new().write(true).open(path).await?;
    file.into_std().await.set_modified(SystemTime::now())
}

#[cfg(unix)]
fn link_count(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_meta: &std::fs::Metadata) -> u64 {
    // Without link counts a blob cannot be known unused: keep it.
    u64::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn upload(store: &Store, content: &[u8], scope: Scope) -> FileUrl {
        let mut upload = store.begin().await.unwrap();
        upload.write(content).await.unwrap();
        store.commit(upload, scope, "png").await.unwrap()
    }

    #[tokio::test]
    async fn identical_content_is_stored_once_and_freed_with_its_last_scope() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 3).await.unwrap();
        let a = upload(&store, b"same bytes", Scope::Chat(1)).await;
        let b = upload(&store, b"same bytes", Scope::Chat(2)).await;
        let again = upload(&store, b"same bytes", Scope::Chat(1)).await;
        assert_eq!(a, again);
        assert_eq!(a.hash(), b.hash());
        assert_eq!(store.blob_count().await.unwrap(), 1);

        assert!(store.release(&a).await.unwrap());
        assert!(store.open_file(&a).await.unwrap().is_none());
        assert!(store.open_file(&b).await.unwrap().is_some());
        assert_eq!(store.blob_count().await.unwrap(), 1);
        assert_eq!(store.release_scope(Scope::Chat(2)).await.unwrap(), 1);
        assert_eq!(store.blob_count().await.unwrap(), 0);
        assert!(!store.release(&a).await.unwrap());
    }

    #[tokio::test]
    async fn files_are_aged_from_their_last_upload() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1).await.unwrap();
        let url = upload(&store, b"aging", Scope::Chat(4)).await;
        let minute = std::time::Duration::from_secs(60);
        let now = SystemTime::now();
        assert_eq!(
            store.files_older_than(now + minute).await.unwrap(),
            vec![url.clone()]
        );
        assert!(store
            .files_older_than(now - minute)
            .await
            .unwrap()
            .is_empty());
        // An old file uploaded again is young again.
        let scoped = dir.path().join("1/scopes/g4").join(&url.name);
        std::fs::File::options()
            .write(true)
            .open(&scoped)
            .unwrap()
            .set_modified(now - 2 * minute)
            .unwrap();
        assert_eq!(
            store.files_older_than(now - minute).await.unwrap(),
            vec![url.clone()]
        );
        upload(&store, b"aging", Scope::Chat(4)).await;
        assert!(store
            .files_older_than(now - minute)
            .await
            .unwrap()
            .is_empty());
    }

    /// The blobs on disk and their bytes.
    fn on_disk(dir: &Path) -> (i64, i64) {
        let (mut blobs, mut bytes) = (0, 0);
        for shard in std::fs::read_dir(dir.join("1/blobs")).unwrap() {
            for blob in std::fs::read_dir(shard.unwrap().path()).unwrap() {
                blobs += 1;
                bytes += blob.unwrap().metadata().unwrap().len() as i64;
            }
        }
        (blobs, bytes)
    }

    #[tokio::test]
    async fn stored_contents_are_counted_beside_serving() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1).await.unwrap();
        assert_eq!(store.count_existing().await.unwrap(), (0, 0));
        let one = upload(&store, b"one", Scope::Chat(7)).await;
        for content in [&b"two"[..], b"two"] {
            upload(&store, content, Scope::Chat(7)).await;
        }
        assert_eq!((store.blobs.get(), store.blob_bytes.get()), (2, 6));
        drop(store);

        // A new run serves before it has counted: changes to shards not
        // counted yet are left to the count, which finds them on disk.
        let again = Store::open(dir.path(), 1).await.unwrap();
        assert_eq!((again.blobs.get(), again.blob_bytes.get()), (0, 0));
        upload(&again, b"three", Scope::Chat(8)).await;
        assert!(again.release(&one).await.unwrap());
        assert_eq!((again.blobs.get(), again.blob_bytes.get()), (0, 0));
        assert_eq!(again.count_existing().await.unwrap(), (2, 8));
        assert_eq!(on_disk(dir.path()), (2, 8));
        // Counted: changes count at once.
        upload(&again, b"four", Scope::Chat(8)).await;
        assert_eq!((again.blobs.get(), again.blob_bytes.get()), (3, 12));
    }

    #[tokio::test]
    async fn uploads_and_releases_while_counting_are_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path(), 1).await.unwrap();
        let mut earlier = Vec::new();
        for n in 0..300u32 {
            earlier.push(upload(&first, format!("earlier {n}").as_bytes(), Scope::Chat(1)).await);
        }
        drop(first);
        let store = Store::open(dir.path(), 1).await.unwrap();
        // The count walks shard by shard while uploads and releases land
        // in shards before and after the one it is at.
        let changes = async {
            for (n, url) in earlier.iter().enumerate().take(150) {
                upload(&store, format!("later {n}").as_bytes(), Scope::Chat(2)).await;
                assert!(store.release(url).await.unwrap());
            }
        };
        let (counted, ()) = tokio::join!(store.count_existing(), changes);
        counted.unwrap();
        assert_eq!(on_disk(dir.path()).0, 300);
        assert_eq!(
            (store.blobs.get(), store.blob_bytes.get()),
            on_disk(dir.path())
        );
    }

    #[tokio::test]
    async fn unfinished_uploads_are_cleared_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1).await.unwrap();
        let mut partial = store.begin().await.unwrap();
        partial.write(b"half").await.unwrap();
        drop(partial);
        drop(store);
        Store::open(dir.path(), 1).await.unwrap();
        let mut left = std::fs::read_dir(dir.path().join("1/tmp")).unwrap();
        assert!(left.next().is_none());
    }
}
