//! Control packets on server-to-server links: the hello that opens every
//! link, heartbeats, and disp's peer table.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use schat_proto::server::{
    disp_control, DispControl, Envelope, Heartbeat, Hello, Kind, ProcType, Route,
};
use schat_proto::Wire;

use crate::link::FrameReader;
use crate::time::{now_ms, now_us};

/// Encodes a control packet from this process.
pub fn control_frame(me_id: u32, me_type: ProcType, msg: disp_control::Msg) -> Bytes {
    Envelope {
        route: Some(Route {
            source_id: me_id,
            source_type: me_type as i32,
            trace_ts_us: now_us(),
            kind: Kind::Control as i32,
            ..Route::default()
        }),
        body: DispControl { msg: Some(msg) }.encode_frame(),
    }
    .encode_frame()
}

/// The hello of this process (its health is filled in per link).
pub fn hello_of(node: &crate::Node) -> Hello {
    Hello {
        proc_id: node.me.id,
        proc_type: node.me.kind.proc_type() as i32,
        name: node.me.name.clone(),
        degraded: false,
        incarnation: node.incarnation,
    }
}

pub fn hello_frame(hello: &Hello) -> Bytes {
    control_frame(
        hello.proc_id,
        hello.proc_type(),
        disp_control::Msg::Hello(hello.clone()),
    )
}

/// A heartbeat, saying whether the sender is degraded (see `health`).
pub fn heartbeat_frame(me_id: u32, me_type: ProcType, degraded: bool) -> Bytes {
    control_frame(
        me_id,
        me_type,
        disp_control::Msg::Heartbeat(Heartbeat {
            sent_at_ms: now_ms(),
            degraded,
        }),
    )
}

/// Why a peer's opening was refused.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("no hello within {0:?}")]
    Timeout(Duration),
    #[error("connection closed before hello")]
    Closed,
    #[error("bad first frame: {0}")]
    Bad(String),
}

/// Reads the first frame of an accepted link, which must be a hello.
pub async fn read_hello(
    reader: &mut FrameReader,
    within: Duration,
) -> Result<Hello, HandshakeError> {
    let frame = match tokio::time::timeout(within, reader.next()).await {
        Err(_) => return Err(HandshakeError::Timeout(within)),
        Ok(None) => return Err(HandshakeError::Closed),
        Ok(Some(Err(err))) => return Err(HandshakeError::Bad(err.to_string())),
        Ok(Some(Ok(frame))) => frame.freeze(),
    };
    let envelope =
        Envelope::decode_frame(frame).map_err(|err| HandshakeError::Bad(err.to_string()))?;
    if envelope.route.unwrap_or_default().kind() != Kind::Control {
        return Err(HandshakeError::Bad(
            "first frame is not a control packet".to_string(),
        ));
    }
    match decode_control(envelope.body) {
        Some(disp_control::Msg::Hello(hello)) if hello.proc_id != 0 => Ok(hello),
        _ => Err(HandshakeError::Bad(
            "first frame is not a hello".to_string(),
        )),
    }
}

pub fn decode_control(body: Bytes) -> Option<disp_control::Msg> {
    DispControl::decode_frame(body)
        .ok()
        .and_then(|control| control.msg)
}
