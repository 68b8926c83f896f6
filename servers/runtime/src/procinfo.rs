//! What the operating system says about this process: CPU time, resident
//! memory, open files. Read from /proc on Linux; zeros elsewhere.

/// One reading of the process's resources.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    pub cpu_seconds: f64,
    pub rss_bytes: u64,
    pub open_files: u64,
}

/// Clock ticks per second of /proc/<pid>/stat: 100 on every Linux
/// architecture we run on (USER_HZ is fixed by the kernel ABI).
const USER_HZ: f64 = 100.0;

pub fn usage() -> Usage {
    Usage {
        cpu_seconds: read("/proc/self/stat")
            .as_deref()
            .and_then(cpu_from_stat)
            .unwrap_or(0.0),
        rss_bytes: read("/proc/self/status")
            .as_deref()
            .and_then(rss_from_status)
            .unwrap_or(0),
        open_files: std::fs::read_dir("/proc/self/fd")
            .map(|dir| dir.count() as u64)
            .unwrap_or(0),
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// utime + stime from /proc/self/stat. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted after its last ')'.
fn cpu_from_stat(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // After the name: state is field 3; utime and stime are fields 14, 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}

fn rss_from_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_names() {
        let stat = "1234 (a) b) c) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 0 0";
        assert_eq!(cpu_from_stat(stat), Some(3.0));
        assert_eq!(cpu_from_stat("garbage"), None);
    }

    #[test]
    fn parses_rss() {
        let status = "Name:\tx\nVmRSS:\t    2048 kB\nThreads:\t1\n";
        assert_eq!(rss_from_status(status), Some(2 * 1024 * 1024));
        assert_eq!(rss_from_status("Name:\tx\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process() {
        let usage = usage();
        assert!(usage.rss_bytes > 0);
        assert!(usage.open_files > 0);
    }
}
