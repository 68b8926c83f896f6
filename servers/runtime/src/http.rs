//! HTTP serving for the processes clients reach over HTTP (file_serv,
//! dir_serv): an accept loop with optional TLS, connection caps that make
//! room by closing idle connections (see [`conns`]), hyper HTTP/1.1 per
//! connection with a header deadline, an idle deadline and a stall
//! deadline (`http.*` in the cluster file), graceful stop, and JSON
//! answers.

mod conns;
pub mod embedded;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{header, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;

use crate::config::HttpConfig;
use crate::logging::{debug, info, warn, Logger};
use crate::{Node, Shutdown};
use conns::{Busy, Conns, Slot};

pub use conns::client_address;

/// A response body: whole bytes or a stream of file chunks.
pub type Body = BoxBody<Bytes, std::io::Error>;
pub type Request = http::Request<hyper::body::Incoming>;
pub type Response = http::Response<Body>;

/// How long an evicted connection that is in the middle of sending a
/// request's headers may take to finish them before it is dropped.
const EVICTION_GRACE: Duration = Duration::from_millis(200);

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
    let limits = node.config.current().http.clone();
    let conns = Conns::new(limits.max_connections, limits.max_per_address);
    info!(log, "Serving HTTP"; "listen" => %listener.local_addr()?, "tls" => tls.is_some(),
        "max_connections" => limits.max_connections, "max_per_address" => limits.max_per_address);
    loop {
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
        // Read per connection: a reload reaches the next one.
        let limits = node.config.current().http.clone();
        conns.set_caps(limits.max_connections, limits.max_per_address);
        let header_deadline = Instant::now() + limits.header_timeout();
        let Some(slot) = conns.admit(peer.ip()) else {
            debug!(log, "Refused a connection: every connection is busy"; "peer" => %peer,
                "open" => conns.open());
            continue;
        };
        let _ = stream.set_nodelay(true);
        // Reads need no deadline here: request headers have theirs below,
        // and a request body is read only by a handler, which sets its own
        // (an upload answers 408 when it stalls).
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.stall_timeout()));
        let stream = Box::pin(stream);
        let conn = Conn {
            peer,
            slot,
            header_deadline,
            limits: limits.clone(),
            shutdown: shutdown.clone(),
            log: log.clone(),
        };
        let (handler, tls) = (handler.clone(), tls.clone());
        shutdown.spawn(async move {
            let Some(tls) = tls else {
                return conn.serve(stream, handler).await;
            };
            let handshake = tokio::time::timeout_at(header_deadline, tls.accept(stream));
            let state = conn.slot.state.clone();
            tokio::select! {
                handshake = handshake => match handshake {
                    Ok(Ok(stream)) => conn.serve(stream, handler).await,
                    Ok(Err(err)) => {
                        debug!(conn.log, "TLS handshake failed"; "peer" => %peer, "error" => %err)
                    }
                    Err(_) => debug!(conn.log, "TLS handshake timed out"; "peer" => %peer),
                },
                _ = state.evicted() => {
                    debug!(conn.log, "Closing a connection mid-handshake to make room"; "peer" => %peer)
                }
            }
        });
    }
    Ok(())
}

/// One accepted connection.
struct Conn {
    peer: SocketAddr,
    slot: Slot,
    /// By when the first request's headers must be in.
    header_deadline: Instant,
    limits: HttpConfig,
    shutdown: Shutdown,
    log: Logger,
}

impl Conn {
    /// Serves requests until the client leaves, a deadline passes, the
    /// connection is evicted to make room, or the server stops.
    async fn serve<S, H, Fut>(self, stream: S, handler: H)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        H: Fn(Request, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        let Conn {
            peer,
            slot,
            header_deadline,
            limits,
            shutdown,
            log,
        } = self;
        let state = slot.state.clone();
        let service = service_fn(move |request| {
            let busy = state.begin();
            let response = handler(request, peer);
            async move {
                let response = response.await;
                Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
            }
        });
        // hyper's header deadline runs from the moment the connection is
        // ready for a request until its headers are in: between requests,
        // that is the idle deadline. The first request's shorter one is
        // kept below.
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.idle_timeout());
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        let first_request = tokio::time::sleep_until(header_deadline);
        tokio::pin!(first_request);
        let mut awaiting_first = true;
        loop {
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = first_request.as_mut(), if awaiting_first => {
                    if slot.state.requests_started() == 0 {
                        debug!(log, "No request headers in time"; "peer" => %peer);
                        return;
                    }
                    awaiting_first = false;
                }
                _ = slot.state.evicted() => {
                    debug!(log, "Closing an idle connection to make room"; "peer" => %peer);
                    // An idle kept-alive connection closes at once; one in
                    // the middle of sending headers gets a moment, then is
                    // dropped unless a request started meanwhile.
                    conn.as_mut().graceful_shutdown();
                    let started = slot.state.requests_started();
                    let closed = tokio::time::timeout(EVICTION_GRACE, conn.as_mut()).await;
                    if closed.is_ok()
                        || (slot.state.is_idle() && slot.state.requests_started() == started)
                    {
                        return;
                    }
                    let _ = conn.as_mut().await;
                    return;
                }
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.as_mut().await;
                    return;
                }
            }
        }
    }
}

/// A response body that keeps its connection busy until it has been
/// sent (or dropped).
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
