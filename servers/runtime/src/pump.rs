//! The read side of a server-to-server link, shared by every kind of link:
//! frames in, envelopes decoded, responses matched, requests to the inbox.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::link::{FrameReader, LinkSender};
use crate::logging::{debug, warn, Logger};
use crate::rpc::{decode_envelope, Channel, Dispatched, Incoming};

/// Why a link's read side ended.
#[derive(Debug)]
pub enum LinkEnd {
    /// Nothing arrived within the peer timeout.
    Silent(Duration),
    /// The peer closed the connection.
    Closed,
    /// The peer sent something that is not a frame or not an envelope.
    Garbage(String),
    /// This process is shutting down.
    Shutdown,
}

impl std::fmt::Display for LinkEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkEnd::Silent(after) => write!(f, "silent for {after:?}"),
            LinkEnd::Closed => f.write_str("closed by peer"),
            LinkEnd::Garbage(what) => write!(f, "garbage from peer: {what}"),
            LinkEnd::Shutdown => f.write_str("shutting down"),
        }
    }
}

/// Reads envelopes until the link ends. Control bodies go to `on_control`.
/// With `reply_link`, requests are answered on that link (the one they
/// arrived on) instead of through the channel.
pub async fn pump(
    reader: &mut FrameReader,
    channel: &Channel,
    reply_link: Option<&LinkSender>,
    inbox: &mpsc::Sender<Incoming>,
    read_timeout: Duration,
    mut on_control: impl FnMut(Bytes),
    log: &Logger,
) -> LinkEnd {
    loop {
        let frame = match tokio::time::timeout(read_timeout, reader.next()).await {
            Err(_) => return LinkEnd::Silent(read_timeout),
            Ok(None) => return LinkEnd::Closed,
            Ok(Some(Err(err))) => return LinkEnd::Garbage(err.to_string()),
            Ok(Some(Ok(frame))) => frame.freeze(),
        };
        let envelope = match decode_envelope(frame) {
            Ok(envelope) => envelope,
            Err(err) => return LinkEnd::Garbage(err.to_string()),
        };
        match channel.dispatch(envelope, reply_link, inbox).await {
            Dispatched::Handled => {}
            Dispatched::Control(body) => on_control(body),
            Dispatched::Unmatched(route, Some(err)) => {
                warn!(log, "Packet was not delivered";
                    "correlation_id" => route.correlation_id, "error" => %err);
            }
            Dispatched::Unmatched(route, None) => {
                debug!(log, "Late response"; "correlation_id" => route.correlation_id);
            }
        }
    }
}
