//! Encoding and decoding of the top-level messages, with named errors.

use bytes::{Bytes, BytesMut};
use prost::Message;

use crate::{client, server};

/// Everything that can go wrong turning bytes into messages.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The length prefix announces more than the configured maximum.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },
    /// The stream ended in the middle of a frame.
    #[error("stream ended inside a frame ({buffered} bytes buffered)")]
    Truncated { buffered: usize },
    /// The frame is not a valid protobuf message of the expected type.
    #[error("undecodable {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// A top-level message that travels as one frame.
pub trait Wire: Sized {
    /// Decodes one frame body. Bytes fields share the buffer (no copy).
    fn decode_frame(frame: Bytes) -> Result<Self, WireError>;
    /// Encodes into a fresh buffer of exactly the right size.
    fn encode_frame(&self) -> Bytes;
}

macro_rules! impl_wire {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl Wire for $ty {
            fn decode_frame(frame: Bytes) -> Result<Self, WireError> {
                <$ty as Message>::decode(frame).map_err(|err| WireError::Malformed {
                    what: $what,
                    detail: err.to_string(),
                })
            }

            fn encode_frame(&self) -> Bytes {
                let mut buf = BytesMut::with_capacity(self.encoded_len());
                // Encoding into a buffer of encoded_len() bytes cannot run out of room.
                let _ = self.encode(&mut buf);
                buf.freeze()
            }
        }
    )*};
}

/// The frame of an envelope of `route` around `body`, encoded in one pass
/// into one buffer of the exact size: the same bytes as an [`server::Envelope`]
/// whose `body` is `body` encoded, without encoding the body separately
/// and copying it in.
pub fn encode_envelope(route: &server::Route, body: &server::ServerMsg) -> Bytes {
    use prost::encoding::{
        encode_key, encode_varint, encoded_len_varint, key_len, message, WireType,
    };
    let body_len = body.encoded_len();
    // proto3 leaves an empty `bytes` field out.
    let body_field = if body_len == 0 {
        0
    } else {
        key_len(2) + encoded_len_varint(body_len as u64) + body_len
    };
    let mut buf = BytesMut::with_capacity(message::encoded_len(1, route) + body_field);
    message::encode(1, route, &mut buf);
    if body_len != 0 {
        encode_key(2, WireType::LengthDelimited, &mut buf);
        encode_varint(body_len as u64, &mut buf);
        body.encode_raw(&mut buf);
    }
    buf.freeze()
}

impl_wire! {
    client::ClientMessage => "client message",
    server::ClientMessagePeek => "client message",
    client::ServerMessage => "server message",
    client::ChatMessage => "chat message",
    client::Notice => "notice",
    server::Envelope => "envelope",
    server::ServerMsg => "server body",
    server::DispControl => "disp control",
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Kind, Route, ServerMsg};

    #[test]
    fn one_pass_envelopes_are_the_two_pass_bytes() {
        let route = Route {
            target_type: 3,
            method: 1,
            target_id: 401,
            hash_key: 1 << 40,
            source_id: 201,
            source_type: 2,
            correlation_id: 77,
            trace_ts_us: 123_456_789,
            kind: Kind::Response as i32,
        };
        let bodies = [
            ServerMsg { msg: None },
            ServerMsg {
                msg: Some(crate::server::server_msg::Msg::Deliver(
                    crate::server::Deliver {
                        conn_ids: vec![1, 2, 300_000],
                        frame: Bytes::from(vec![7u8; 300]),
                    },
                )),
            },
            ServerMsg {
                msg: Some(crate::server::server_msg::Msg::ClientFrame(
                    crate::server::ClientFrame {
                        conn_id: 9,
                        frame: Bytes::new(),
                        peer: String::new(),
                    },
                )),
            },
        ];
        for body in bodies {
            let two_pass = server::Envelope {
                route: Some(route),
                body: body.encode_frame(),
            }
            .encode_frame();
            assert_eq!(encode_envelope(&route, &body), two_pass, "{body:?}");
        }
    }
}
