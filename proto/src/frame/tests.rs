//! Codec tests on byte literals: split reads, several frames in one read,
//! a truncated tail, oversize lengths and undecodable payloads.

use bytes::{BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::FrameCodec;
use crate::client::{client_message, ClientMessage, PingRequest};
use crate::{Wire, WireError};

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

#[test]
fn decodes_one_frame() {
    let mut codec = FrameCodec::new(16);
    let mut buf = BytesMut::from(&framed(b"hello")[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), &b"hello"[..]);
    assert!(buf.is_empty());
    assert!(codec.decode(&mut buf).unwrap().is_none());
}

#[test]
fn waits_for_split_header_and_body() {
    let mut codec = FrameCodec::new(16);
    let bytes = framed(b"abcdef");
    let mut buf = BytesMut::new();
    for (i, byte) in bytes.iter().enumerate() {
        let got = codec.decode(&mut buf).unwrap();
        assert!(got.is_none(), "frame yielded early at byte {i}");
        buf.put_u8(*byte);
    }
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), &b"abcdef"[..]);
}

#[test]
fn two_frames_in_one_read() {
    let mut codec = FrameCodec::new(16);
    let mut bytes = framed(b"one");
    bytes.extend(framed(b"two"));
    let mut buf = BytesMut::from(&bytes[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), &b"one"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), &b"two"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
}

#[test]
fn trailing_partial_frame_waits_then_errors_at_eof() {
    let mut codec = FrameCodec::new(16);
    let mut bytes = framed(b"whole");
    bytes.extend(&framed(b"partial")[..6]);
    let mut buf = BytesMut::from(&bytes[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), &b"whole"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    match codec.decode_eof(&mut buf) {
        Err(WireError::Truncated { .. }) => {}
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn stream_ending_right_after_a_header_is_truncated() {
    let mut codec = FrameCodec::new(16);
    let mut buf = BytesMut::from(&[0u8, 0, 0, 5][..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert!(buf.is_empty());
    match codec.decode_eof(&mut buf) {
        Err(WireError::Truncated { buffered: 0 }) => {}
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn empty_frame_is_a_frame() {
    let mut codec = FrameCodec::new(16);
    let mut buf = BytesMut::from(&[0u8, 0, 0, 0][..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap().len(), 0);
}

#[test]
fn oversize_length_is_refused_before_the_body_arrives() {
    let mut codec = FrameCodec::new(16);
    // Only the header: 17 > 16 must fail without waiting for (or allocating) the body.
    let mut buf = BytesMut::from(&17u32.to_be_bytes()[..]);
    match codec.decode(&mut buf) {
        Err(WireError::TooLarge { len: 17, max: 16 }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let mut huge = BytesMut::from(&u32::MAX.to_be_bytes()[..]);
    assert!(matches!(
        codec.decode(&mut huge),
        Err(WireError::TooLarge { .. })
    ));
}

#[test]
fn frame_at_the_limit_is_accepted() {
    let mut codec = FrameCodec::new(16);
    let mut buf = BytesMut::from(&framed(&[7u8; 16])[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap().len(), 16);
}

#[test]
fn encoder_writes_length_prefix_and_refuses_oversize() {
    let mut codec = FrameCodec::new(8);
    let mut dst = BytesMut::new();
    codec.encode(Bytes::from_static(b"abc"), &mut dst).unwrap();
    assert_eq!(&dst[..], &framed(b"abc")[..]);
    assert!(matches!(
        codec.encode(Bytes::from_static(b"123456789"), &mut dst),
        Err(WireError::TooLarge { len: 9, max: 8 })
    ));
}

#[test]
fn message_round_trip_through_the_codec() {
    let msg = ClientMessage {
        request_id: 7,
        body: Some(client_message::Body::Ping(PingRequest {
            client_time_ms: 42,
        })),
    };
    let mut codec = FrameCodec::default();
    let mut buf = BytesMut::new();
    codec.encode(msg.encode_frame(), &mut buf).unwrap();
    let frame = codec.decode(&mut buf).unwrap().unwrap().freeze();
    assert_eq!(ClientMessage::decode_frame(frame).unwrap(), msg);
}

#[test]
fn garbage_payload_is_malformed() {
    // Field 1 with wire type 7 does not exist in protobuf.
    let garbage = Bytes::from_static(&[0x0f, 0xff, 0xff, 0xff]);
    match ClientMessage::decode_frame(garbage) {
        Err(WireError::Malformed { what, .. }) => assert_eq!(what, "client message"),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn unknown_body_field_decodes_to_no_body() {
    // request_id = 5, then an unknown length-delimited field 1000 — what a
    // newer client sends to an older server.
    let bytes = Bytes::from_static(&[0x08, 0x05, 0xc2, 0x3e, 0x01, 0x00]);
    let msg = ClientMessage::decode_frame(bytes).unwrap();
    assert_eq!(msg.request_id, 5);
    assert!(msg.body.is_none());
}
