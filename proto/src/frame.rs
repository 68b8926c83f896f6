//! The frame codec: a 4-byte big-endian length, then that many bytes.
//!
//! A thin wrapper over tokio-util's `LengthDelimitedCodec` that checks the
//! announced length against the maximum before anything is allocated and
//! reports it as a named error.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};

use crate::WireError;

/// The default maximum frame body, 256 KiB.
pub const DEFAULT_MAX_FRAME: usize = 256 * 1024;

const HEADER_LEN: usize = 4;

/// Splits a byte stream into frames and writes frames with their length.
#[derive(Debug)]
pub struct FrameCodec {
    inner: LengthDelimitedCodec,
    max_frame: usize,
    /// The inner codec has consumed a header and waits for the body.
    in_body: bool,
}

impl FrameCodec {
    /// A codec that refuses frames whose body is longer than `max_frame` bytes.
    pub fn new(max_frame: usize) -> FrameCodec {
        let inner = LengthDelimitedCodec::builder()
            .length_field_length(HEADER_LEN)
            .big_endian()
            .max_frame_length(max_frame)
            .new_codec();
        FrameCodec {
            inner,
            max_frame,
            in_body: false,
        }
    }

    pub fn max_frame(&self) -> usize {
        self.max_frame
    }
}

impl Default for FrameCodec {
    fn default() -> FrameCodec {
        FrameCodec::new(DEFAULT_MAX_FRAME)
    }
}

impl Decoder for FrameCodec {
    type Item = BytesMut;
    type Error = WireError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, WireError> {
        if !self.in_body && src.len() >= HEADER_LEN {
            let announced = (&src[..HEADER_LEN]).get_u32() as usize;
            if announced > self.max_frame {
                return Err(WireError::TooLarge {
                    len: announced,
                    max: self.max_frame,
                });
            }
        }
        let had_header = self.in_body || src.len() >= HEADER_LEN;
        let frame = self.inner.decode(src)?;
        self.in_body = frame.is_none() && had_header;
        Ok(frame)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, WireError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            // A header without its body is a truncated frame, not a clean end.
            None if src.is_empty() && !self.in_body => Ok(None),
            None => Err(WireError::Truncated {
                buffered: src.len(),
            }),
        }
    }
}

impl Encoder<Bytes> for FrameCodec {
    type Error = WireError;

    fn encode(&mut self, frame: Bytes, dst: &mut BytesMut) -> Result<(), WireError> {
        if frame.len() > self.max_frame {
            return Err(WireError::TooLarge {
                len: frame.len(),
                max: self.max_frame,
            });
        }
        Ok(self.inner.encode(frame, dst)?)
    }
}

#[cfg(test)]
mod tests;
