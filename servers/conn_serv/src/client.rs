//! One client connection: read frames until the client leaves, goes idle,
//! breaks the protocol, does not log in in time, or the server closes it;
//! answer pings; forward the rest to logic_serv. The same for a TCP client
//! (length-prefixed frames) and a WebSocket one (`websocket.rs`: a frame
//! per binary message).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::{Stream, StreamExt};
use schat_proto::client::{
    server_message::Body as Response, PongResponse, ResultCode, ServerMessage,
};
use schat_proto::server::{server_msg::Msg, ClientFrame, ClientMessagePeek, ConnClosed, ProcType};
use schat_proto::{Wire, WireError};
use schat_runtime::link::{self, LinkSender};
use schat_runtime::logging::{debug, o};
use schat_runtime::time::now_ms;
use schat_runtime::{Shutdown, Target};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use crate::clients::ClientHandle;
use crate::{Conn, DRAINING};

pub fn spawn(
    conn: Arc<Conn>,
    stream: TcpStream,
    addr: SocketAddr,
    permit: Option<OwnedSemaphorePermit>,
) {
    let shutdown = conn.shutdown.clone();
    shutdown.spawn(async move {
        let limits = conn.config.current().limits.clone();
        // Not a child of the process's shutdown: on shutdown, run() first
        // queues a notice to every client, then closes them (close_all).
        let close = Shutdown::new();
        let (reader, link) = link::open(
            stream,
            limits.max_frame_bytes,
            client_queue(&conn, &limits),
            &addr.to_string(),
            close.clone(),
        );
        serve(conn, reader, link, close, addr, permit).await;
    });
}

/// How much one client's connection may queue for it.
pub fn client_queue(conn: &Conn, limits: &schat_runtime::config::Limits) -> link::QueueLimits {
    link::QueueLimits {
        frames: limits.client_send_queue,
        bytes: limits.client_send_queue_bytes,
        depth: Some(conn.clients.queue_depth.clone()),
    }
}

/// Serves a WebSocket client whose frames come from `reader` and go out
/// through `sink` (see `websocket.rs`).
pub async fn serve_transport<R>(
    conn: Arc<Conn>,
    reader: R,
    sink: link::BoxSink,
    addr: SocketAddr,
    permit: Option<OwnedSemaphorePermit>,
) where
    R: Stream<Item = Result<BytesMut, WireError>> + Unpin,
{
    let limits = conn.config.current().limits.clone();
    let close = Shutdown::new();
    let link = link::open_sink(
        sink,
        client_queue(&conn, &limits),
        &addr.to_string(),
        close.clone(),
    );
    serve(conn, reader, link, close, addr, permit).await;
}

fn notice(link: &LinkSender, code: ResultCode, reason: &str) {
    let _ = link.send(ServerMessage::closing(code, reason).encode_frame());
}

async fn serve<R>(
    conn: Arc<Conn>,
    mut reader: R,
    link: LinkSender,
    close: Shutdown,
    addr: SocketAddr,
    permit: Option<OwnedSemaphorePermit>,
) where
    R: Stream<Item = Result<BytesMut, WireError>> + Unpin,
{
    let config = conn.config.current();
    let limits = &config.limits;
    let metrics = &conn.clients.metrics;
    if conn.is_draining() {
        metrics.refused.inc();
        notice(&link, ResultCode::ShuttingDown, DRAINING);
        close.trigger();
        return;
    }
    let Some(_permit) = permit else {
        metrics.refused.inc();
        notice(&link, ResultCode::Busy, "server is at its connection limit");
        close.trigger();
        return;
    };
    let Some(_address_slot) = conn
        .clients
        .take_address_slot(addr.ip(), limits.max_connections_per_addr)
    else {
        metrics.refused.inc();
        notice(
            &link,
            ResultCode::Busy,
            "too many connections from your address",
        );
        close.trigger();
        return;
    };
    if !conn.logic.is_up() {
        metrics.refused.inc();
        notice(
            &link,
            ResultCode::Unavailable,
            "service unavailable, retry shortly",
        );
        close.trigger();
        return;
    }
    let conn_id = conn.clients.insert(ClientHandle {
        link: link.clone(),
        close: close.clone(),
        logged_in: false,
    });
    let log = conn
        .log
        .new(o!("conn_id" => conn_id, "client" => addr.to_string()));
    let peer = addr.to_string();
    let mut peer_sent = false;
    let idle = Duration::from_secs(limits.client_idle_timeout_secs);
    let logic = Target::spec(ProcType::Logic, conn.logic_id);
    // A connection that has not logged in when the login timeout is up is
    // closed; pings do not count. (After a logout, logic keeps the same
    // deadline.)
    let login_timeout = Duration::from_secs(limits.client_login_timeout_secs);
    let login_check = tokio::time::sleep(login_timeout);
    tokio::pin!(login_check);
    let mut login_checked = false;

    let reason = loop {
        let next = tokio::select! {
            _ = close.cancelled() => break "closed by server".to_string(),
            _ = &mut login_check, if !login_checked => {
                if !conn.clients.is_logged_in(conn_id) {
                    let reason = format!("no login within {} s", login_timeout.as_secs());
                    notice(&link, ResultCode::NotLoggedIn, &reason);
                    break reason;
                }
                login_checked = true;
                continue;
            }
            next = tokio::time::timeout(idle, reader.next()) => next,
        };
        let frame = match next {
            Err(_) => {
                notice(&link, ResultCode::IdleTimeout, "idle timeout");
                break "idle timeout".to_string();
            }
            Ok(None) => break "closed by client".to_string(),
            Ok(Some(Err(err))) => {
                let code = match err {
                    WireError::TooLarge { .. } => ResultCode::FrameTooLarge,
                    _ => ResultCode::Malformed,
                };
                notice(&link, code, &err.to_string());
                break err.to_string();
            }
            Ok(Some(Ok(frame))) => frame.freeze(),
        };
        metrics.frames_in.inc();
        metrics.bytes_in.add(frame.len() as u64);
        // Only what conn_serv acts on is decoded; logic decodes the rest.
        let message = match ClientMessagePeek::decode_frame(frame.clone()) {
            Ok(message) => message,
            Err(err) => {
                notice(&link, ResultCode::Malformed, &err.to_string());
                break err.to_string();
            }
        };
        if let Some(ping) = message.ping {
            // Answered here, by the same rule logic applies to requests.
            let answer = if message.request_id == 0 {
                ServerMessage::error(0, ResultCode::BadRequest, "request_id must not be 0")
            } else {
                let pong = Response::Pong(PongResponse {
                    client_time_ms: ping.client_time_ms,
                    server_time_ms: now_ms(),
                });
                ServerMessage::ok(message.request_id, pong)
            };
            conn.clients.send(conn_id, answer.encode_frame());
            continue;
        }
        // The peer address goes with the first frame only: logic keeps it
        // with the session.
        let forward = Msg::ClientFrame(ClientFrame {
            conn_id,
            frame,
            peer: if peer_sent {
                String::new()
            } else {
                peer.clone()
            },
        });
        match conn.logic.push(logic, forward) {
            Ok(()) => peer_sent = true,
            Err(err) => {
                let reply = ServerMessage::error(message.request_id, err.code(), err.to_string());
                conn.clients.send(conn_id, reply.encode_frame());
            }
        }
    };
    close.trigger();
    conn.clients.remove(conn_id);
    debug!(log, "Client disconnected"; "reason" => &reason);
    let _ = conn
        .logic
        .push(logic, Msg::ConnClosed(ConnClosed { conn_id, reason }));
}
