//! Real remote hosts for the push tests: Debian's OpenSSH server started
//! on a loopback address (127.0.0.2, 127.0.0.3 …) with its own host key
//! and an authorized client key, all in a temp dir. Killed when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// One sshd on one loopback address.
#[derive(Debug)]
pub struct Sshd {
    child: Child,
    pub address: String,
    pub port: u16,
    pub user: String,
    /// The client's private key.
    pub identity: PathBuf,
}

impl Sshd {
    /// Starts sshd on `address` (a loopback address) with its files in
    /// `dir` (created).
    pub fn start(address: &str, dir: &Path) -> anyhow::Result<Sshd> {
        let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
            .into_iter()
            .map(PathBuf::from)
            .find(|path| path.exists())
            .context("sshd is missing: install openssh-server (scripts/test.sh does)")?;
        std::fs::create_dir_all(dir)?;
        // The privilege separation directory sshd insists on.
        let _ = std::fs::create_dir_all("/run/sshd");
        let keygen = |file: &Path| -> anyhow::Result<()> {
            if file.exists() {
                return Ok(());
            }
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(file)
                .stdin(Stdio::null())
                .status()
                .context("ssh-keygen")?;
            if !status.success() {
                bail!("ssh-keygen failed");
            }
            Ok(())
        };
        let host_key = dir.join("host_key");
        let identity = dir.join("id_ed25519");
        keygen(&host_key)?;
        keygen(&identity)?;
        std::fs::copy(identity.with_extension("pub"), dir.join("authorized_keys"))?;
        let port = free_port_on(address)?;
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress {address}:{port}\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 UsePAM no\nPermitRootLogin prohibit-password\nLogLevel ERROR\nMaxStartups 100\n",
                host_key.display(),
                dir.join("authorized_keys").display(),
                dir.join("sshd.pid").display(),
            ),
        )?;
        let child = Command::new(&sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("sshd.log"))?)
            .spawn()
            .context("cannot start sshd")?;
        let user = String::from_utf8(Command::new("id").arg("-un").output()?.stdout)?
            .trim()
            .to_string();
        let mut sshd = Sshd {
            child,
            address: address.to_string(),
            port,
            user,
            identity,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((address, port)).is_err() {
            if Instant::now() > deadline || sshd.child.try_wait()?.is_some() {
                let log = std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
                bail!("sshd on {address}:{port} did not start: {log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(sshd)
    }

    /// The ssh target for cluster.json: `user@address:port`.
    pub fn target(&self) -> String {
        format!("{}@{}:{}", self.user, self.address, self.port)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on `address`, from the range below the ephemeral ports;
/// never the same twice in one test process.
pub fn free_port_on(address: &str) -> anyhow::Result<u16> {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % 12_000) as u16;
    for _ in 0..12_000 {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + start.wrapping_add(step.wrapping_mul(11)) % 12_000;
        if std::net::TcpListener::bind((address, port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no free port on {address}")
}
