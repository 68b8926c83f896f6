//! manage_serv's own files under its `data_dir`: written whole to a
//! temporary file and renamed into place (a reader never sees half a
//! file), readable by the owner only (0600), and read again by a running
//! manage_serv when the command line changed them.

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

/// What tells a file changed: its modification time, length and inode
/// (every write renames a new file into place, so the inode changes even
/// when the time and length do not).
type Stamp = (SystemTime, u64, u64);

fn stamp_of(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// Holds an exclusive lock on `<file>.lock` beside `path` while it lives,
/// so that the server and the command line never interleave a
/// read-modify-write of one file.
fn lock_beside(path: &Path) -> Result<std::fs::File, FileError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock_path = path.with_file_name(name);
    let failed = |source| FileError::Write {
        path: lock_path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let file = open_private(&lock_path, true).map_err(failed)?;
    file.lock().map_err(failed)?;
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

    /// Changes the contents and writes them out: read, changed and
    /// written under a file lock that other processes (the command line)
    /// take too, so no change is lost between them.
    pub fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> Result<R, FileError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let _locked = lock_beside(&self.path)?;
        let mut value: T = read_json(&self.path)?;
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
    fn two_writers_lose_no_change() {
        // Two handles on one file, as the server and the command line
        // are: only the file lock keeps their updates apart.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.json");
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let watched: Watched<Vec<u32>> = Watched::open(path).unwrap();
                    for n in 0..50 {
                        watched.update(|v| v.push(n)).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let back: Vec<u32> = read_json(&path).unwrap();
        assert_eq!(back.len(), 100);
    }
}
