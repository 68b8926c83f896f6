//! How many files this process may open (the soft RLIMIT_NOFILE), read from
//! `/proc/self/limits` so no unsafe call is needed: a conn_serv sizes its
//! client capacity by it, not by its configured maximum alone.

/// Descriptors kept for everything but client sockets (links, logs, Redis).
const RESERVED: usize = 64;

/// The soft limit on open files, if the platform tells.
pub fn open_files_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse(&text)
}

/// How many client connections fit beside [`RESERVED`] descriptors, at
/// most `configured`.
pub fn client_capacity(configured: usize) -> usize {
    match open_files_limit() {
        Some(limit) => configured.min(limit.saturating_sub(RESERVED)).max(1),
        None => configured,
    }
}

fn parse(text: &str) -> Option<usize> {
    let line = text
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?;
    match soft {
        "unlimited" => Some(usize::MAX),
        number => number.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_soft_limit() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max cpu time              unlimited            unlimited            seconds   \n\
                    Max open files            20000                20000                files     \n";
        assert_eq!(parse(text), Some(20_000));
        assert_eq!(
            parse("Max open files            unlimited            unlimited            files"),
            Some(usize::MAX)
        );
        assert_eq!(parse("Max processes 10 10 processes"), None);
    }
}
