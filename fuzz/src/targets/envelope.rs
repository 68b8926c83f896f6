//! Server envelopes, as disp_serv and every link's read loop decode them
//! (`schat_runtime::rpc::decode_envelope`): an envelope with any routing
//! header around a control body, a server body carrying client bytes, or
//! opaque bytes must decode to itself, and its body to what was put in;
//! mutated envelopes must either fail with `Malformed` or decode to one
//! that survives encode and decode. The route's enum accessors (which
//! disp routes by) and the body decoders then run on whatever came out,
//! as disp, the hello handshake and the packet loop run them.

use arbitrary::Unstructured;
use bytes::Bytes;
use schat_proto::client::ClientMessage;
use schat_proto::server::{server_msg::Msg, Envelope, Kind, ServerMsg};
use schat_proto::{Wire, WireError};
use schat_runtime::control::decode_control;
use schat_runtime::rpc::decode_envelope;

use crate::ensure;
use crate::messages::{self, Carried};
use crate::mutate::mutate;
use crate::targets::Violation;

/// The route tag with a short and an over-long length, the body tag, and
/// unknown or malformed enum values.
const DICTIONARY: [&[u8]; 7] = [
    &[0x0a, 0x00],
    &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],
    &[0x12, 0x00],
    &[0x12, 0x05],
    &[0x08, 0xff, 0xff, 0xff, 0xff, 0x0f],
    &[
        0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
    ],
    &[0x10, 0x04],
];

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let bytes = if u.ratio(1, 8).unwrap_or(false) {
        u.take_rest().to_vec()
    } else {
        let Ok((envelope, carried)) = messages::envelope(&mut u) else {
            return Ok(());
        };
        let encoded = envelope.encode_frame();
        let decoded = decode_envelope(encoded.clone());
        ensure!(
            decoded.as_ref().ok() == Some(&envelope),
            "a valid envelope did not round-trip: {envelope:?} came back as {decoded:?}"
        );
        check_body(&envelope.body, &carried)?;
        let mut bytes = encoded.to_vec();
        mutate(&mut bytes, &mut u, &DICTIONARY);
        bytes
    };
    match decode_envelope(Bytes::from(bytes)) {
        Ok(envelope) => {
            let again = decode_envelope(envelope.encode_frame());
            ensure!(
                again.as_ref().ok() == Some(&envelope),
                "a decoded envelope did not survive encode and decode: {envelope:?} became {again:?}"
            );
            read_like_a_server(envelope)
        }
        Err(WireError::Malformed { .. }) => Ok(()),
        Err(other) => Err(Violation(format!(
            "decoding failed with {other:?}, not Malformed"
        ))),
    }
}

/// The body of a valid envelope decodes to what was put in, and so do the
/// client bytes inside it.
fn check_body(body: &Bytes, carried: &Carried) -> Result<(), Violation> {
    match carried {
        Carried::Control(control) => {
            ensure!(
                decode_control(body.clone()) == control.msg,
                "a control body did not round-trip: {control:?}"
            );
        }
        Carried::Server(msg) => {
            let decoded = ServerMsg::decode_frame(body.clone());
            ensure!(
                decoded.as_ref().ok() == Some(msg),
                "a server body did not round-trip: {msg:?} came back as {decoded:?}"
            );
            if let Some(Msg::ClientFrame(frame)) = &msg.msg {
                ensure!(
                    ClientMessage::decode_frame(frame.frame.clone()).is_ok(),
                    "the client frame inside a ClientFrame did not decode"
                );
            }
        }
        Carried::Opaque => {}
    }
    Ok(())
}

/// What disp_serv and the packet loop do with an envelope: read the route
/// (unknown enum numbers fall back to defaults), then decode the body as a
/// control message or a server message, and a client frame inside it.
fn read_like_a_server(envelope: Envelope) -> Result<(), Violation> {
    let route = envelope.route.unwrap_or_default();
    let _ = (route.target_type(), route.source_type(), route.method());
    if route.kind() == Kind::Control {
        if let Some(msg) = decode_control(envelope.body.clone()) {
            let _ = format!("{msg:?}");
        }
        return Ok(());
    }
    match ServerMsg::decode_frame(envelope.body) {
        Ok(ServerMsg {
            msg: Some(Msg::ClientFrame(frame)),
        }) => {
            let _ = ClientMessage::decode_frame(frame.frame);
        }
        Ok(msg) => {
            let again = ServerMsg::decode_frame(msg.encode_frame());
            ensure!(
                again.as_ref().ok() == Some(&msg),
                "a decoded server body did not survive encode and decode: {msg:?}"
            );
        }
        Err(WireError::Malformed { .. }) => {}
        Err(other) => {
            return Err(Violation(format!(
                "decoding a body failed with {other:?}, not Malformed"
            )))
        }
    }
    Ok(())
}
