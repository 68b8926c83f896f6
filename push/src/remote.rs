//! Reaching a host: POSIX shell scripts run on it, locally with `sh -c` or
//! over the system OpenSSH client, with data streamed through stdin and
//! stdout.
//!
//! Everything push does on a host is a script run here, so a local host and
//! an ssh host behave the same. ssh runs in batch mode (no prompts), trusts
//! a host key on first use and remembers it in push's own `known_hosts`,
//! and every call has a deadline. `SCHAT_PUSH_SSH` names another ssh
//! program (as `GIT_SSH` does for git).

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use schat_runtime::config::{HostConfig, SshTarget, SupervisorKind};

/// How long one script may run unless the caller says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// One machine of the cluster as push reaches it.
#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    /// Its processes' address.
    pub address: String,
    /// The install root (absolute).
    pub root: String,
    pub supervisor: SupervisorKind,
    via: Via,
}

#[derive(Clone, Debug)]
enum Via {
    Local,
    Ssh {
        target: SshTarget,
        identity: Option<PathBuf>,
        known_hosts: PathBuf,
    },
}

/// Why a script did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("{0}")]
    Failed(String),
    #[error("timed out after {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Host {
    /// `base` is the directory relative identity paths are read from (the
    /// cluster file's); `known_hosts` is push's own host-key file.
    pub fn new(name: &str, config: &HostConfig, base: &Path, known_hosts: &Path) -> Host {
        let via = match &config.ssh {
            None => Via::Local,
            Some(ssh) => Via::Ssh {
                // Validated with the cluster file.
                target: SshTarget::parse(ssh).unwrap_or(SshTarget {
                    user: String::new(),
                    address: ssh.clone(),
                    port: 22,
                }),
                identity: config.identity.as_ref().map(|path| base.join(path)),
                known_hosts: known_hosts.to_path_buf(),
            },
        };
        Host {
            name: name.to_string(),
            address: config.address.clone(),
            root: config.root.trim_end_matches('/').to_string(),
            supervisor: config.supervisor,
            via,
        }
    }

    /// The machine push runs on, for scripts of its own (root `/`).
    pub fn this_machine() -> Host {
        Host::local("push", "/")
    }

    /// A host reached without ssh, installed under `root`.
    pub fn local(name: &str, root: &str) -> Host {
        Host {
            name: name.to_string(),
            address: "127.0.0.1".to_string(),
            root: root.trim_end_matches('/').to_string(),
            supervisor: SupervisorKind::Auto,
            via: Via::Local,
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self.via, Via::Local)
    }

    /// `rel` under the install root, quoted for a script.
    pub fn path(&self, rel: &str) -> String {
        quote(&format!("{}/{}", self.root, rel))
    }

    /// Runs `script`; its stdout when it exits 0.
    pub fn run(&self, script: &str) -> Result<String, RemoteError> {
        self.run_within(script, DEFAULT_DEADLINE)
    }

    pub fn run_within(&self, script: &str, deadline: Duration) -> Result<String, RemoteError> {
        let mut out = Vec::new();
        self.exchange(script, None, &mut out, deadline)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Runs `script` with `input` streamed to its stdin.
    pub fn run_with_input(
        &self,
        script: &str,
        input: &mut (dyn Read + Send),
        deadline: Duration,
    ) -> Result<String, RemoteError> {
        let mut out = Vec::new();
        self.exchange(script, Some(input), &mut out, deadline)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Runs `script` and streams its stdout into `out`.
    pub fn run_into(
        &self,
        script: &str,
        out: &mut (dyn Write + Send),
        deadline: Duration,
    ) -> Result<(), RemoteError> {
        self.exchange(script, None, out, deadline)
    }

    fn command(&self, script: &str, deadline: Duration) -> Command {
        match &self.via {
            Via::Local => {
                let mut command = Command::new("sh");
                command.arg("-c").arg(script);
                command
            }
            Via::Ssh {
                target,
                identity,
                known_hosts,
            } => {
                let program = std::env::var_os("SCHAT_PUSH_SSH").unwrap_or_else(|| "ssh".into());
                let mut command = Command::new(program);
                command
                    .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=5"])
                    .args(["-o", "StrictHostKeyChecking=accept-new"])
                    .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"])
                    .arg("-o")
                    .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
                    .args(["-p", &target.port.to_string()]);
                if let Some(identity) = identity {
                    command
                        .args(["-o", "IdentitiesOnly=yes", "-i"])
                        .arg(identity);
                }
                // The remote login shell runs what it is given: hand it a
                // POSIX sh whatever that shell is, under the same deadline
                // (ending ssh here would not end the script there).
                command
                    .arg(format!("{}@{}", target.user, target.address))
                    .arg("--")
                    .arg(format!(
                        "timeout -k 5 {} sh -c {}",
                        deadline.as_secs().max(1),
                        quote(script)
                    ));
                command
            }
        }
    }

    fn exchange(
        &self,
        script: &str,
        input: Option<&mut (dyn Read + Send)>,
        out: &mut (dyn Write + Send),
        deadline: Duration,
    ) -> Result<(), RemoteError> {
        // Its own process group, so a deadline ends everything it started.
        let mut child = self
            .command(script, deadline)
            .process_group(0)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let _running = Running::register(child.id());
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let started = Instant::now();
        let (status, written, copied, errors) = thread::scope(|scope| {
            // stdin closes when the copy is done (the writer owns it).
            let writer = scope.spawn(move || match (input, stdin) {
                (Some(input), Some(mut stdin)) => std::io::copy(input, &mut stdin).map(|_| ()),
                _ => Ok(()),
            });
            let reader = scope.spawn(move || std::io::copy(&mut stdout, out).map(|_| ()));
            let errors = scope.spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            });
            let status = wait_until(&mut child, started + deadline);
            (
                status,
                writer.join().unwrap_or(Ok(())),
                reader.join().unwrap_or(Ok(())),
                errors.join().unwrap_or_default(),
            )
        });
        let status = status?.ok_or(RemoteError::TimedOut(deadline))?;
        if status.success() {
            written?;
            copied?;
            return Ok(());
        }
        let errors = tidy_stderr(&errors);
        if !self.is_local() && status.code() == Some(255) {
            return Err(RemoteError::Unreachable(errors));
        }
        Err(RemoteError::Failed(if errors.is_empty() {
            format!("exited with {status}")
        } else {
            errors
        }))
    }
}

/// Process groups of the scripts running now, ended when push is
/// interrupted (they do not get the terminal's SIGINT themselves).
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// A script's process group in [`RUNNING`] while it runs.
struct Running(u32);

impl Running {
    fn register(pgid: u32) -> Running {
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(pgid);
        Running(pgid)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|pgid| *pgid != self.0);
    }
}

/// Ends every script still running (SIGTERM to its process group): for
/// an interrupted push. Remote scripts also end at their own deadline.
pub fn end_running_scripts() {
    let groups = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for pgid in groups {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
    }
}

/// Waits for `child` until `deadline`; kills it and answers `None` then.
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// ssh's own chatter ("Warning: Permanently added …") is not the error.
fn tidy_stderr(text: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with("Warning: Permanently added"))
        .filter(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `text` as one single-quoted shell word.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_run_with_input_output_and_errors() {
        let host = Host::local("a", "/tmp/x/");
        assert_eq!(host.path("current/it's"), "'/tmp/x/current/it'\\''s'");
        assert_eq!(host.run("echo hi; echo warn >&2").unwrap(), "hi\n");
        let mut input: &[u8] = b"abc";
        assert_eq!(
            host.run_with_input("tr a-c x-z", &mut input, DEFAULT_DEADLINE)
                .unwrap(),
            "xyz"
        );
        match host.run("echo out; echo 'no such thing' >&2; exit 3") {
            Err(RemoteError::Failed(text)) => assert_eq!(text, "no such thing"),
            other => panic!("{other:?}"),
        }
        match host.run_within("sleep 5", Duration::from_millis(100)) {
            Err(RemoteError::TimedOut(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}
