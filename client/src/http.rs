//! A small HTTP/1.1 client for the directory and the file servers, on
//! hyper, over TCP or TLS (rustls with the Mozilla roots, plus an extra CA
//! file for self-signed local clusters).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::ClientError;

/// How long one HTTP exchange may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// An answer: status, headers, whole body.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl HttpResponse {
    /// The `error` field of a JSON error body, or the body as text.
    pub fn reason(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|value| value["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// Ok for 2xx; otherwise [`ClientError::Http`] with the server's reason.
    pub fn success(self) -> Result<HttpResponse, ClientError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(ClientError::Http {
                status: self.status.as_u16(),
                reason: self.reason(),
            })
        }
    }
}

/// Sends requests; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    tls: TlsConnector,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}

impl Default for HttpClient {
    fn default() -> HttpClient {
        HttpClient::with_roots(Vec::new())
    }
}

impl HttpClient {
    /// Trusts the Mozilla roots and the certificates in `ca_file` (PEM),
    /// like the self-signed one a local cluster creates.
    pub fn with_ca_file(ca_file: &Path) -> Result<HttpClient, ClientError> {
        let certs = CertificateDer::pem_file_iter(ca_file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|err| {
                ClientError::Protocol(format!("cannot read {}: {err}", ca_file.display()))
            })?;
        Ok(HttpClient::with_roots(certs))
    }

    fn with_roots(extra: Vec<CertificateDer<'static>>) -> HttpClient {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in extra {
            let _ = roots.add(cert);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
            .with_root_certificates(roots)
            .with_no_client_auth();
        HttpClient {
            tls: TlsConnector::from(Arc::new(config)),
        }
    }

    /// One request to an absolute `http://` or `https://` URL.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<HttpResponse, ClientError> {
        tokio::time::timeout(HTTP_TIMEOUT, self.exchange(method, url, headers, body))
            .await
            .map_err(|_| ClientError::Timeout(HTTP_TIMEOUT))?
    }

    async fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<HttpResponse, ClientError> {
        let uri: http::Uri = url
            .parse()
            .map_err(|err| ClientError::Protocol(format!("bad URL {url:?}: {err}")))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => {
                return Err(ClientError::Protocol(format!(
                    "not an http(s) URL: {url:?}"
                )))
            }
        };
        // An IPv6 literal comes bracketed in a URL; connect without them.
        let host = uri
            .host()
            .ok_or_else(|| ClientError::Protocol(format!("no host in {url:?}")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let stream = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(ClientError::Connect)?;
        let _ = stream.set_nodelay(true);
        let mut request = http::Request::builder()
            .method(method)
            .uri(uri.path_and_query().map_or("/", |pq| pq.as_str()))
            .header(
                http::header::HOST,
                uri.authority()
                    .map_or(host.clone(), |authority| authority.to_string()),
            );
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|err| ClientError::Protocol(format!("cannot build the request: {err}")))?;
        if https {
            let name = ServerName::try_from(host.clone())
                .map_err(|err| ClientError::Protocol(format!("bad host {host:?}: {err}")))?;
            let stream = self
                .tls
                .connect(name, stream)
                .await
                .map_err(ClientError::Connect)?;
            exchange_on(stream, request).await
        } else {
            exchange_on(stream, request).await
        }
    }
}

async fn exchange_on<S>(
    stream: S,
    request: http::Request<Full<Bytes>>,
) -> Result<HttpResponse, ClientError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http_error)?;
    tokio::spawn(conn);
    let response = sender.send_request(request).await.map_err(http_error)?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(http_error)?.to_bytes();
    Ok(HttpResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

fn http_error(err: hyper::Error) -> ClientError {
    ClientError::Protocol(format!("http: {err}"))
}
