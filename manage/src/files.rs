//! manage_serv's own files under its `data_dir`: written whole to a
//! temporary file and renamed into place (a reader never sees half a
//! file), readable by the owner only (0600), and read again by a running
//! manage_serv when the command line changed them. A change is a
//! read-modify-write under an exclusive lock on `<file>.lock`, so the
//! command line and a running manage_serv never overwrite each other's
//! edits.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a data file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Creates `dir` (and its parents) readable by the owner only.
pub fn ensure_dir(dir: &Path) -> Result<(), FileError> {
    let write_error = |source| FileError::Write {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(write_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(write_error)?;
    }
    Ok(())
}

/// Opens `path` for writing, created with mode 0600.
pub fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes `value` as JSON to `path`: a temporary file, synced, renamed.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    let write_error = |source| FileError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let text =
        serde_json::to_vec_pretty(value).map_err(|err| write_error(std::io::Error::other(err)))?;
    let tmp = temp_path(path);
    let mut file = open_private(&tmp, false).map_err(write_error)?;
    file.write_all(&text).map_err(write_error)?;
    file.write_all(b"\n").map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(write_error)
}

/// Reads JSON from `path`; a missing file reads as the default.
pub fn read_json<T: DeserializeOwned + Default>(path: &Path) -> Result<T, FileError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| FileError::Parse {
            path: path.display().to_string(),
            source,
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(FileError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

/// A JSON file kept in memory and read again when it changes on disk
/// (the command line edits it while manage_serv runs).
#[derive(Debug)]
pub struct Watched<T> {
    path: PathBuf,
    state: Mutex<(Option<Stamp>, T)>,
}

/// What tells a file changed: its modification time (to the
/// nanosecond), length and inode. Every write renames a new file into
/// place, so the inode changes even when the time and length do not (two
/// password hashes have the same length).
type Stamp = (SystemTime, u64, u64);

fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// The lock file that serializes changes to `path` between processes.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Holds the exclusive lock of `path`'s lock file (released on drop, or
/// by the system when the process ends).
fn lock_exclusive(path: &Path) -> Result<std::fs::File, FileError> {
    let lock = lock_path(path);
    let write_error = |source| FileError::Write {
        path: lock.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&lock).map_err(write_error)?;
    file.lock().map_err(write_error)?;
    Ok(file)
}

impl<T: DeserializeOwned + Serialize + Default + Clone> Watched<T> {
    pub fn open(path: PathBuf) -> Result<Watched<T>, FileError> {
        let stamp = stamp_of(&path);
        let value = read_json(&path)?;
        Ok(Watched {
            path,
            state: Mutex::new((stamp, value)),
        })
    }

    /// The current contents (read again if the file changed; a file that
    /// became unreadable keeps the last good contents).
    pub fn get(&self) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = stamp_of(&self.path);
        if stamp != state.0 {
            if let Ok(value) = read_json(&self.path) {
                *state = (stamp, value);
            }
        }
        state.1.clone()
    }

    /// Changes the contents and writes them out, under this process's
    /// lock and the lock file's (another process may be changing it).
    pub fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> Result<R, FileError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let _locked = lock_exclusive(&self.path)?;
        let stamp = stamp_of(&self.path);
        if stamp != state.0 {
            state.1 = read_json(&self.path)?;
        }
        let mut value = state.1.clone();
        let result = change(&mut value);
        write_json(&self.path, &value)?;
        *state = (stamp_of(&self.path), value);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_are_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.json");
        write_json(&path, &vec![1, 2, 3]).unwrap();
        let back: Vec<u32> = read_json(&path).unwrap();
        assert_eq!(back, vec![1, 2, 3]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let missing: Vec<u32> = read_json(&dir.path().join("none.json")).unwrap();
        assert!(missing.is_empty());
    }

    #[test]
    fn watched_sees_changes_made_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        let watched: Watched<Vec<u32>> = Watched::open(path.clone()).unwrap();
        assert!(watched.get().is_empty());
        write_json(&path, &vec![7, 8]).unwrap();
        assert_eq!(watched.get(), vec![7, 8]);
        watched.update(|v| v.push(9)).unwrap();
        let back: Vec<u32> = read_json(&path).unwrap();
        assert_eq!(back, vec![7, 8, 9]);
    }

    #[test]
    fn a_change_of_the_same_length_and_time_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        write_json(&path, &vec![1, 2]).unwrap();
        let watched: Watched<Vec<u32>> = Watched::open(path.clone()).unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        // Another process writes contents of the same length, and the
        // clock did not move (coarse timestamps).
        write_json(&path, &vec![3, 4]).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(before)
            .unwrap();
        assert_eq!(watched.get(), vec![3, 4]);
    }

    #[test]
    fn updates_from_many_writers_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        // Separate Watched values share no in-process lock, as two
        // processes do not: only the lock file keeps their changes.
        std::thread::scope(|scope| {
            for n in 0..8u32 {
                let path = path.clone();
                scope.spawn(move || {
                    let watched: Watched<Vec<u32>> = Watched::open(path).unwrap();
                    for k in 0..5 {
                        watched.update(|v| v.push(n * 10 + k)).unwrap();
                    }
                });
            }
        });
        let mut back: Vec<u32> = read_json(&path).unwrap();
        back.sort_unstable();
        assert_eq!(back.len(), 40, "{back:?}");
    }
}
