//! The frame codec (`schat_proto::FrameCodec`): byte streams cut into reads
//! at arbitrary points must decode exactly as a simple model of the format
//! says (same frames, same error, at the same place); no frame exceeds the
//! limit; the read buffer never grows past what the limit allows; frames
//! that fit round-trip through encode and decode, and longer ones are
//! refused by the encoder.

use arbitrary::Unstructured;
use bytes::{Bytes, BytesMut};
use schat_proto::{FrameCodec, WireError, DEFAULT_MAX_FRAME};
use tokio_util::codec::{Decoder, Encoder};

use crate::ensure;
use crate::mutate::{mutate, split};
use crate::targets::Violation;

const HEADER_LEN: usize = 4;

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let max_frame = max_frame(&mut u);
    let mode = u.int_in_range(0..=2u8).unwrap_or(0);
    let (stream, sent) = match mode {
        // Frames that fit, encoded by the codec: they must come back as sent.
        0 => {
            let (stream, frames) = encoded_frames(&mut u, max_frame)?;
            (stream, Some(frames))
        }
        // The same, then mutated: headers and bodies out of step.
        1 => {
            let (mut stream, _) = encoded_frames(&mut u, max_frame)?;
            mutate(
                &mut stream,
                &mut u,
                &[&[0, 0, 0, 0], &[0xff; 4], &[0x7f, 0xff, 0xff, 0xff]],
            );
            (stream, None)
        }
        // Segments with chosen headers: at, just over and far over the limit.
        _ => (segments(&mut u, max_frame), None),
    };
    let reads = split(&mut u, &stream);
    let expected = model(&stream, max_frame);
    let decoded = decode_reads(&reads, max_frame)?;
    ensure!(
        decoded.frames == expected.frames,
        "decoded {} frames, the model {} (max {max_frame})",
        decoded.frames.len(),
        expected.frames.len()
    );
    ensure!(
        decoded.end == expected.end,
        "the stream ended with {:?}, the model says {:?} (max {max_frame})",
        decoded.end,
        expected.end
    );
    if let Some(sent) = sent {
        ensure!(
            decoded.frames == sent && decoded.end == End::Clean,
            "encoded frames did not round-trip"
        );
    }
    Ok(())
}

/// The limit: small ones (every edge reachable from short inputs), the
/// default, and others.
fn max_frame(u: &mut Unstructured<'_>) -> usize {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => u.int_in_range(0..=8usize).unwrap_or(0),
        1 => DEFAULT_MAX_FRAME,
        2 => *u.choose(&[255, 256, 1000, 4096, 65_536]).unwrap_or(&256),
        _ => u.int_in_range(0..=5000usize).unwrap_or(0),
    }
}

/// Frames of arbitrary content, cut to the limit, encoded by the codec;
/// a frame over the limit must be refused without writing anything.
fn encoded_frames(
    u: &mut Unstructured<'_>,
    max_frame: usize,
) -> Result<(Vec<u8>, Vec<BytesMut>), Violation> {
    let mut codec = FrameCodec::new(max_frame);
    let mut stream = BytesMut::new();
    let mut frames = Vec::new();
    let count = u.int_in_range(0..=6u8).unwrap_or(0);
    for _ in 0..count {
        let wanted = u.arbitrary_len::<u8>().unwrap_or(0);
        let body = u.bytes(wanted).unwrap_or_default();
        if body.len() > max_frame {
            let before = stream.len();
            let refused = codec.encode(Bytes::copy_from_slice(body), &mut stream);
            ensure!(
                matches!(refused, Err(WireError::TooLarge { len, max }) if len == body.len() && max == max_frame),
                "encoding {} bytes over a limit of {max_frame} gave {refused:?}",
                body.len()
            );
            ensure!(stream.len() == before, "a refused frame wrote bytes");
            continue;
        }
        let before = stream.len();
        let encoded = codec.encode(Bytes::copy_from_slice(body), &mut stream);
        ensure!(
            encoded.is_ok(),
            "encoding {} bytes failed: {encoded:?}",
            body.len()
        );
        ensure!(
            stream[before..before + HEADER_LEN] == (body.len() as u32).to_be_bytes()
                && &stream[before + HEADER_LEN..] == body,
            "the encoder wrote something other than length + body"
        );
        frames.push(BytesMut::from(body));
    }
    Ok((stream.to_vec(), frames))
}

/// A stream of segments: a header announcing a chosen length followed by a
/// body of about that length, or raw bytes.
fn segments(u: &mut Unstructured<'_>, max_frame: usize) -> Vec<u8> {
    let mut stream = Vec::new();
    let count = u.int_in_range(0..=5u8).unwrap_or(0);
    for _ in 0..count {
        let kind = u.int_in_range(0..=6u8).unwrap_or(0);
        let announced: u64 = match kind {
            0 => max_frame as u64,
            1 => max_frame as u64 + 1,
            2 => u64::from(u32::MAX),
            3 => 0,
            4 => u.int_in_range(0..=(max_frame as u64 + 2)).unwrap_or(0),
            5 => u64::from(u.arbitrary::<u32>().unwrap_or(0)),
            _ => {
                let raw = u.arbitrary_len::<u8>().unwrap_or(0).min(16);
                stream.extend_from_slice(u.bytes(raw).unwrap_or_default());
                continue;
            }
        };
        stream.extend_from_slice(&(announced as u32).to_be_bytes());
        // Mostly the whole body, sometimes less (a truncated stream).
        let body_len = (announced as usize).min(u.len()).min(8192);
        let body_len = if u.ratio(1, 8).unwrap_or(false) {
            u.int_in_range(0..=body_len).unwrap_or(0)
        } else {
            body_len
        };
        stream.extend_from_slice(u.bytes(body_len).unwrap_or_default());
    }
    stream
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Every byte was part of a whole frame.
    Clean,
    /// A header announced more than the limit.
    TooLarge(usize),
    /// The stream stopped inside a frame with this many bytes left over.
    Truncated(usize),
    /// Any other error (none is expected).
    Other(String),
}

struct Decoded {
    frames: Vec<BytesMut>,
    end: End,
}

/// The format, as simply as it can be said.
fn model(stream: &[u8], max_frame: usize) -> Decoded {
    let mut frames = Vec::new();
    let mut at = 0;
    loop {
        let rest = &stream[at..];
        if rest.is_empty() {
            return Decoded {
                frames,
                end: End::Clean,
            };
        }
        if rest.len() < HEADER_LEN {
            return Decoded {
                frames,
                end: End::Truncated(rest.len()),
            };
        }
        let announced = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if announced > max_frame {
            return Decoded {
                frames,
                end: End::TooLarge(announced),
            };
        }
        if rest.len() < HEADER_LEN + announced {
            // The codec has taken the header off when it waits for a body.
            return Decoded {
                frames,
                end: End::Truncated(rest.len() - HEADER_LEN),
            };
        }
        frames.push(BytesMut::from(&rest[HEADER_LEN..HEADER_LEN + announced]));
        at += HEADER_LEN + announced;
    }
}

/// Feeds the reads to a codec the way a connection does, checking every
/// frame against the limit and the buffer's growth after every call.
fn decode_reads(reads: &[&[u8]], max_frame: usize) -> Result<Decoded, Violation> {
    let mut codec = FrameCodec::new(max_frame);
    let mut buffer = BytesMut::new();
    let mut frames = Vec::new();
    let largest_read = reads.iter().map(|read| read.len()).max().unwrap_or(0);
    // What a buffer may hold is one unfinished frame plus a read; growth
    // by doubling and a reused allocation's offset at most quadruple it.
    let capacity_bound = 4 * (HEADER_LEN + max_frame + largest_read) + 64;
    let check = |buffer: &BytesMut| -> Result<(), Violation> {
        ensure!(
            buffer.capacity() <= capacity_bound,
            "the read buffer grew to {} bytes (max frame {max_frame}, largest read {largest_read})",
            buffer.capacity()
        );
        Ok(())
    };
    for read in reads {
        buffer.extend_from_slice(read);
        loop {
            match codec.decode(&mut buffer) {
                Ok(Some(frame)) => {
                    ensure!(
                        frame.len() <= max_frame,
                        "a frame of {} bytes passed a limit of {max_frame}",
                        frame.len()
                    );
                    frames.push(frame);
                    check(&buffer)?;
                }
                Ok(None) => {
                    check(&buffer)?;
                    break;
                }
                Err(err) => {
                    return Ok(Decoded {
                        frames,
                        end: end_of(err, max_frame)?,
                    })
                }
            }
        }
    }
    let end = loop {
        match codec.decode_eof(&mut buffer) {
            Ok(Some(frame)) => {
                ensure!(
                    frame.len() <= max_frame,
                    "a frame of {} bytes passed a limit of {max_frame}",
                    frame.len()
                );
                frames.push(frame);
            }
            Ok(None) => break End::Clean,
            Err(err) => break end_of(err, max_frame)?,
        }
    };
    Ok(Decoded { frames, end })
}

fn end_of(err: WireError, max_frame: usize) -> Result<End, Violation> {
    Ok(match err {
        WireError::TooLarge { len, max } => {
            ensure!(
                max == max_frame,
                "TooLarge names a limit of {max}, not {max_frame}"
            );
            End::TooLarge(len)
        }
        WireError::Truncated { buffered } => End::Truncated(buffered),
        other => End::Other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_reads_the_format() {
        let stream = [0, 0, 0, 2, b'h', b'i', 0, 0, 0, 0, 0, 0, 0, 9];
        let decoded = model(&stream, 8);
        assert_eq!(decoded.frames, [&b"hi"[..], &b""[..]]);
        assert_eq!(decoded.end, End::TooLarge(9));
        assert_eq!(model(&[0, 0, 0, 3, 1], 8).end, End::Truncated(1));
        assert_eq!(model(&[0, 0], 8).end, End::Truncated(2));
    }

    #[test]
    fn the_codec_agrees_with_the_model_on_byte_by_byte_reads() {
        let stream = [0, 0, 0, 2, b'h', b'i', 0, 0, 0, 0, 0, 0, 0, 3, 1];
        let reads: Vec<&[u8]> = stream.chunks(1).collect();
        let decoded = decode_reads(&reads, 8).unwrap();
        let expected = model(&stream, 8);
        assert_eq!(decoded.frames, expected.frames);
        assert_eq!(decoded.end, expected.end);
    }
}
