//! Resident memory of the server processes, from /proc.

use std::collections::BTreeMap;
use std::path::Path;

/// RSS in KiB of each process with a pid file in `dir`, by name.
pub fn of_pid_files(dir: &Path) -> BTreeMap<String, u64> {
    pid_files(dir)
        .into_iter()
        .filter_map(|(name, pid)| Some((name, of_pid(pid)?)))
        .collect()
}

/// The processes with a pid file (`<name>.pid`) in `dir`, by name.
pub fn pid_files(dir: &Path) -> BTreeMap<String, u32> {
    let mut pids = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return pids;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "pid") {
            continue;
        }
        let Some(name) = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().to_string())
        else {
            continue;
        };
        let Some(pid) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
        else {
            continue;
        };
        pids.insert(name, pid);
    }
    pids
}

/// VmRSS of one process in KiB.
pub fn of_pid(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}
