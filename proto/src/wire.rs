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

impl_wire! {
    client::ClientMessage => "client message",
    client::ServerMessage => "server message",
    client::ChatMessage => "chat message",
    client::Notice => "notice",
    server::Envelope => "envelope",
    server::ServerMsg => "server body",
    server::DispControl => "disp control",
}
