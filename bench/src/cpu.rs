//! CPU time of the server processes and of the load generator itself,
//! from /proc: where the machine's cores go during a run.

use std::collections::BTreeMap;
use std::path::Path;

/// CPU seconds (user + system) so far, by process name; the load
/// generator is `bench` (this process, all its threads).
#[derive(Clone, Debug, Default)]
pub struct CpuTimes(BTreeMap<String, f64>);

impl CpuTimes {
    /// The processes with pid files in `pids_dir` (Redis included), and
    /// this process.
    pub fn sample(pids_dir: &Path) -> CpuTimes {
        let mut times = BTreeMap::new();
        for (name, pid) in crate::rss::pid_files(pids_dir) {
            if let Some(secs) = cpu_secs(pid) {
                times.insert(name, secs);
            }
        }
        if let Some(secs) = cpu_secs(std::process::id()) {
            times.insert("bench".to_string(), secs);
        }
        CpuTimes(times)
    }

    /// CPU seconds each process used since `earlier`.
    pub fn since(&self, earlier: &CpuTimes) -> BTreeMap<String, f64> {
        self.0
            .iter()
            .filter_map(|(name, now)| {
                let before = earlier.0.get(name)?;
                Some((name.clone(), now - before))
            })
            .collect()
    }
}

/// Per process kind (`conn_serv-1` and `conn_serv-2` → `conn_serv`): CPU
/// microseconds per unit of work, and the share of the machine's cores.
pub fn by_kind(
    used: &BTreeMap<String, f64>,
    units: f64,
    wall_secs: f64,
) -> Vec<(String, f64, f64)> {
    let mut kinds: BTreeMap<String, f64> = BTreeMap::new();
    for (name, secs) in used {
        let kind = name
            .rsplit_once('-')
            .map_or(name.as_str(), |(kind, _)| kind);
        *kinds.entry(kind.to_string()).or_default() += secs;
    }
    let mut rows: Vec<(String, f64, f64)> = kinds
        .into_iter()
        .map(|(kind, secs)| {
            let per_unit_us = if units > 0.0 { secs * 1e6 / units } else { 0.0 };
            let cores = if wall_secs > 0.0 {
                secs / wall_secs
            } else {
                0.0
            };
            (kind, per_unit_us, cores)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    rows
}

/// utime + stime of a process in seconds.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are fixed.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// Clock ticks per second (USER_HZ), 100 on Linux.
fn clock_ticks() -> f64 {
    100.0
}
