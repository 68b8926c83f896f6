//! TLS for the HTTP servers: certificates from PEM files, or a self-signed
//! one created at first start when the cluster file asks for it.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;
use crate::logging::{info, Logger};

/// A TLS acceptor for `tls`. With `generate` and neither file present, a
/// self-signed certificate for `host`, localhost and 127.0.0.1 is written
/// first (the key readable by its owner only).
pub fn acceptor(tls: &TlsConfig, host: &str, log: &Logger) -> anyhow::Result<TlsAcceptor> {
    let cert_path = Path::new(&tls.cert_file);
    let key_path = Path::new(&tls.key_file);
    if tls.generate && !cert_path.exists() && !key_path.exists() {
        generate(cert_path, key_path, host)?;
        info!(log, "Created a self-signed certificate"; "cert_file" => &tls.cert_file);
    }
    let certs = CertificateDer::pem_file_iter(cert_path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read certificates from {}", tls.cert_file))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no certificate", tls.cert_file);
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .with_context(|| format!("cannot read a private key from {}", tls.key_file))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("certificate and key do not make a TLS configuration")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn generate(cert_path: &Path, key_path: &Path, host: &str) -> anyhow::Result<()> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    if !names.iter().any(|name| name == host) {
        names.push(host.to_string());
    }
    let certified = rcgen::generate_simple_self_signed(names)
        .context("cannot create a self-signed certificate")?;
    for path in [cert_path, key_path] {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
    }
    write_private(key_path, certified.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(cert_path, certified.cert.pem())
        .with_context(|| format!("cannot write {}", cert_path.display()))?;
    Ok(())
}

fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents)
        .with_context(|| format!("cannot write {}", path.display()))
}
