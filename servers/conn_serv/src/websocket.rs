//! Clients over WebSocket (browsers): the conn_serv's `ws_port` (wss with
//! the entry's `tls` block) takes the HTTP upgrade, checks the page's Origin against
//! the cluster's web origins (its dir_servs' and
//! `limits.web_origins`), and then serves the connection as a TCP one
//! (`client.rs`): each binary message carries exactly one client frame,
//! the protobuf bytes without the length prefix; the same frame limit,
//! login deadline, idle timeout, pings, in-flight limit and slow-reader
//! policy apply. A text message, or a message over `limits.max_frame_bytes`,
//! closes the connection as a malformed or oversized frame does on TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, Stream, StreamExt};
use schat_proto::WireError;
use schat_runtime::logging::debug;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::{client, Conn};

/// Takes the upgrade of `stream` (after a TLS handshake when `tls` is
/// given: wss) and serves the client; a handshake that does not finish
/// within the login deadline, or that a page of another origin asks for,
/// is dropped.
pub fn spawn(
    conn: Arc<Conn>,
    stream: TcpStream,
    addr: SocketAddr,
    permit: Option<OwnedSemaphorePermit>,
    tls: Option<TlsAcceptor>,
) {
    let shutdown = conn.shutdown.clone();
    shutdown.spawn(async move {
        let _ = stream.set_nodelay(true);
        let deadline = Duration::from_secs(conn.config.current().limits.client_login_timeout_secs);
        match tls {
            None => upgrade(conn, stream, addr, permit).await,
            Some(tls) => match tokio::time::timeout(deadline, tls.accept(stream)).await {
                Ok(Ok(stream)) => upgrade(conn, stream, addr, permit).await,
                Ok(Err(err)) => {
                    debug!(conn.log, "TLS handshake failed"; "client" => %addr, "error" => %err);
                    conn.clients.metrics.refused.inc();
                }
                Err(_) => {
                    debug!(conn.log, "TLS handshake timed out"; "client" => %addr);
                    conn.clients.metrics.refused.inc();
                }
            },
        }
    });
}

async fn upgrade<S>(
    conn: Arc<Conn>,
    stream: S,
    addr: SocketAddr,
    permit: Option<OwnedSemaphorePermit>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let config = conn.config.current();
    let limits = &config.limits;
    let origins = config.web_origins();
    let max_frame = limits.max_frame_bytes;
    let deadline = Duration::from_secs(limits.client_login_timeout_secs);
    let mut ws_config = WebSocketConfig::default();
    ws_config.max_message_size = Some(max_frame);
    ws_config.max_frame_size = Some(max_frame);
    // The handshake callback's error type is tungstenite's.
    #[allow(clippy::result_large_err)]
    let check_origin =
        |request: &Request, response: Response| check_origin(&origins, request, response);
    let upgraded = tokio::time::timeout(
        deadline,
        tokio_tungstenite::accept_hdr_async_with_config(stream, check_origin, Some(ws_config)),
    )
    .await;
    let ws = match upgraded {
        Ok(Ok(ws)) => ws,
        Ok(Err(err)) => {
            debug!(conn.log, "WebSocket handshake refused"; "client" => %addr, "error" => %err);
            conn.clients.metrics.refused.inc();
            return;
        }
        Err(_) => {
            debug!(conn.log, "WebSocket handshake timed out"; "client" => %addr);
            conn.clients.metrics.refused.inc();
            return;
        }
    };
    let (sink, stream) = ws.split();
    let sink = sink
        .sink_map_err(|err| WireError::Io(std::io::Error::other(err)))
        .with(|frame: Bytes| async move { Ok::<_, WireError>(Message::Binary(frame)) });
    client::serve_transport(
        conn,
        frames(stream, max_frame),
        Box::pin(sink),
        addr,
        permit,
    )
    .await;
}

/// Accepts an upgrade without an Origin (not a browser: no page sent it)
/// or from a listed one; refuses any other with 403. (The error type is
/// the handshake callback's, from tungstenite.)
#[allow(clippy::result_large_err)]
fn check_origin(
    origins: &[String],
    request: &Request,
    response: Response,
) -> Result<Response, ErrorResponse> {
    match request.headers().get("origin") {
        None => Ok(response),
        Some(origin)
            if origins
                .iter()
                .any(|allowed| allowed.as_bytes() == origin.as_bytes()) =>
        {
            Ok(response)
        }
        Some(_) => {
            let mut refused = ErrorResponse::new(Some(
                "this page's origin may not connect (limits.web_origins)".to_string(),
            ));
            *refused.status_mut() = StatusCode::FORBIDDEN;
            Err(refused)
        }
    }
}

/// The client frames of a WebSocket: one per binary message; pings and
/// pongs are the protocol's own (answered by the library); a close ends it.
fn frames<S>(stream: S, max_frame: usize) -> impl Stream<Item = Result<BytesMut, WireError>> + Unpin
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    stream
        .take_while(|message| std::future::ready(!matches!(message, Ok(Message::Close(_)))))
        .filter_map(move |message| {
            std::future::ready(match message {
                // No copy when the message's buffer is its own.
                Ok(Message::Binary(bytes)) => Some(Ok(BytesMut::from(bytes))),
                Ok(Message::Text(_)) => Some(Err(WireError::Malformed {
                    what: "WebSocket message",
                    detail: "a text message: frames travel as binary messages".to_string(),
                })),
                Ok(_) => None,
                Err(WsError::Capacity(_)) => Some(Err(WireError::TooLarge {
                    len: max_frame + 1,
                    max: max_frame,
                })),
                Err(err) => Some(Err(WireError::Io(std::io::Error::other(err)))),
            })
        })
}
