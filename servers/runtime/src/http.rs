//! HTTP serving for the processes clients reach over HTTP (file_serv,
//! dir_serv): an accept loop with optional TLS and connection caps (in all
//! and per client address), hyper HTTP/1.1 per connection with a header
//! deadline and an idle deadline, graceful stop, and JSON answers.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;

use crate::logging::{debug, info, warn};
use crate::Node;

/// A response body: whole bytes or a stream of file chunks.
pub type Body = BoxBody<Bytes, std::io::Error>;
pub type Request = http::Request<hyper::body::Incoming>;
pub type Response = http::Response<Body>;

/// Connections one HTTP server holds at once; more wait in the backlog.
const MAX_HTTP_CONNECTIONS: usize = 4096;
/// Connections one client address may hold at once; more are closed at
/// accept, so one host cannot take every slot.
const MAX_PER_ADDRESS: u32 = 256;
/// A client must send its request headers (and finish a TLS handshake)
/// within this long.
const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// A connection on which nothing can be read or written for this long (a
/// stalled upload, a download nobody reads) is closed.
const IO_IDLE: Duration = Duration::from_secs(30);

/// A body of whole bytes.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A JSON answer.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = http::Response::new(full(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// An error answer: `{"error": reason}` with `status`.
pub fn error(status: StatusCode, reason: &str) -> Response {
    json(status, &serde_json::json!({ "error": reason }))
}

/// Serves HTTP on `listener` until the node's shutdown fires, calling
/// `handler` with each request and the client's address.
pub async fn serve<H, Fut>(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    node: &Node,
    handler: H,
) -> anyhow::Result<()>
where
    H: Fn(Request, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let log = node.log.clone();
    let shutdown = node.shutdown.clone();
    let permits = Arc::new(Semaphore::new(MAX_HTTP_CONNECTIONS));
    let per_address = Arc::new(PerAddress::default());
    info!(log, "Serving HTTP"; "listen" => %listener.local_addr()?, "tls" => tls.is_some());
    loop {
        let permit = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            permit = permits.clone().acquire_owned() => permit?,
        };
        let (stream, peer) = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    warn!(log, "Accept failed"; "error" => %err);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(address_slot) = per_address.take(peer.ip()) else {
            debug!(log, "Too many connections from one address"; "peer" => %peer);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut stream = TimeoutStream::new(stream);
        stream.set_read_timeout(Some(IO_IDLE));
        stream.set_write_timeout(Some(IO_IDLE));
        let stream = Box::pin(stream);
        let handler = handler.clone();
        let tls = tls.clone();
        let task_shutdown = shutdown.clone();
        let log = log.clone();
        shutdown.spawn(async move {
            let _permit = permit;
            let _address_slot = address_slot;
            match tls {
                None => serve_conn(stream, peer, handler, task_shutdown).await,
                Some(tls) => {
                    match tokio::time::timeout(HEADER_DEADLINE, tls.accept(stream)).await {
                        Ok(Ok(stream)) => serve_conn(stream, peer, handler, task_shutdown).await,
                        Ok(Err(err)) => {
                            debug!(log, "TLS handshake failed"; "peer" => %peer, "error" => %err)
                        }
                        Err(_) => debug!(log, "TLS handshake timed out"; "peer" => %peer),
                    }
                }
            }
        });
    }
    Ok(())
}

/// Open connections per client address.
#[derive(Debug, Default)]
struct PerAddress(std::sync::Mutex<std::collections::HashMap<IpAddr, u32>>);

/// One connection's share of its address's allowance, given back on drop.
struct AddressSlot(Arc<PerAddress>, IpAddr);

impl PerAddress {
    fn take(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.0.lock().unwrap_or_else(|poison| poison.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= MAX_PER_ADDRESS {
            return None;
        }
        *count += 1;
        Some(AddressSlot(self.clone(), ip))
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = (self.0)
            .0
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(count) = open.get_mut(&self.1) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.1);
            }
        }
    }
}

async fn serve_conn<S, H, Fut>(stream: S, peer: SocketAddr, handler: H, shutdown: crate::Shutdown)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let service = service_fn(move |request| {
        let response = handler(request, peer);
        async move { Ok::<_, Infallible>(response.await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_DEADLINE);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_take_every_connection() {
        let per_address = Arc::new(PerAddress::default());
        let busy: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let mut held: Vec<AddressSlot> = (0..MAX_PER_ADDRESS)
            .map(|_| per_address.take(busy).expect("under the cap"))
            .collect();
        assert!(per_address.take(busy).is_none());
        assert!(per_address.take(other).is_some());
        held.pop();
        assert!(per_address.take(busy).is_some());
        drop(held);
        assert!(per_address
            .0
            .lock()
            .unwrap()
            .get(&busy)
            .is_none_or(|count| *count == 0));
    }
}
