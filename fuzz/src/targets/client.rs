//! Client requests: a `ClientMessage` with any of its request bodies and
//! random fields is encoded and must decode to itself (through `Wire`, the
//! decoder conn_serv and logic_serv use); then its bytes are mutated, or
//! raw bytes are taken as they come, and decoding must either fail with
//! `Malformed` or give a message that encodes and decodes to itself again.
//! Every decoded request then goes through the field rules its handler
//! applies, whose answers must keep their promises.

use arbitrary::Unstructured;
use bytes::Bytes;
use schat_proto::client::{client_message::Body, login_request::Credential, ClientMessage};
use schat_proto::{Wire, WireError};
use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::rules;

use crate::ensure;
use crate::messages;
use crate::mutate::mutate;
use crate::targets::Violation;

/// Protobuf pieces worth splicing in: the request tags (10..64, as
/// length-delimited fields), an over-long length, a field of every wire
/// type, and group markers prost does not accept.
const DICTIONARY: [&[u8]; 10] = [
    &[0x52, 0x00],
    &[0x5a, 0x7f],
    &[0x62, 0x02, 0x12, 0x00],
    &[0xf2, 0x01, 0x00],
    &[0x82, 0x04, 0x00],
    &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],
    &[
        0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02,
    ],
    &[0x0d, 1, 2, 3, 4],
    &[0x09, 1, 2, 3, 4, 5, 6, 7, 8],
    &[0x0b, 0x0c],
];

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let bytes = if u.ratio(1, 8).unwrap_or(false) {
        // Raw bytes, as a hostile client sends them.
        u.take_rest().to_vec()
    } else {
        let Ok(message) = messages::client_message(&mut u) else {
            return Ok(());
        };
        let encoded = message.encode_frame();
        let decoded = ClientMessage::decode_frame(encoded.clone());
        ensure!(
            decoded.as_ref().ok() == Some(&message),
            "a valid request did not round-trip: {message:?} came back as {decoded:?}"
        );
        check_rules(&message)?;
        let mut bytes = encoded.to_vec();
        mutate(&mut bytes, &mut u, &DICTIONARY);
        bytes
    };
    match ClientMessage::decode_frame(Bytes::from(bytes)) {
        Ok(message) => {
            let again = ClientMessage::decode_frame(message.encode_frame());
            ensure!(
                again.as_ref().ok() == Some(&message),
                "a decoded request did not survive encode and decode: {message:?} became {again:?}"
            );
            check_rules(&message)
        }
        Err(WireError::Malformed { .. }) => Ok(()),
        Err(other) => Err(Violation(format!(
            "decoding failed with {other:?}, not Malformed"
        ))),
    }
}

/// Applies the rules the handlers apply to each field (logic_serv's
/// account and profile requests, chat_serv's group and message requests)
/// and checks what they promise.
fn check_rules(message: &ClientMessage) -> Result<(), Violation> {
    let Some(body) = &message.body else {
        return Ok(());
    };
    match body {
        Body::Register(req) => {
            account(&req.account)?;
            let _ = rules::password(&req.password);
            if !req.display_name.is_empty() {
                display_name(&req.display_name)?;
            }
        }
        Body::Login(req) => {
            if let Some(Credential::Password(password)) = &req.credential {
                account(&password.account)?;
                let _ = rules::password(&password.password);
            }
        }
        Body::UpdateProfile(req) => {
            if let Some(name) = &req.display_name {
                display_name(name)?;
            }
            if let Some(description) = &req.description {
                text(description, rules::DESCRIPTION_MAX)?;
            }
            if let Some(url) = &req.avatar_url {
                file_url(url, Some(Scope::UserAvatar(1)))?;
            }
        }
        Body::GetUsers(req) => {
            for name in &req.accounts {
                account(name)?;
            }
        }
        Body::CreateGroup(req) => {
            group_name(&req.name)?;
            text(&req.description, rules::DESCRIPTION_MAX)?;
            file_url(&req.avatar_url, None)?;
            let _ = rules::group_password(&req.password);
        }
        Body::JoinGroup(req) => {
            text(&req.note, rules::NOTE_MAX)?;
        }
        Body::UpdateGroup(req) => {
            if let Some(name) = &req.name {
                group_name(name)?;
            }
            if let Some(description) = &req.description {
                text(description, rules::DESCRIPTION_MAX)?;
            }
            if let Some(url) = &req.avatar_url {
                file_url(url, Some(Scope::GroupAvatar(req.gid)))?;
            }
        }
        Body::SendMessage(req) => {
            file_url(&req.media_url, Some(Scope::Chat(req.gid)))?;
            let accepted = rules::client_msg_id(&req.client_msg_id).is_ok();
            ensure!(
                accepted == rules::CLIENT_MSG_ID_LEN.contains(&req.client_msg_id.len()),
                "client_msg_id of {} bytes judged {accepted}",
                req.client_msg_id.len()
            );
        }
        Body::ListMembers(req) => page_limit(req.limit, 100, 200)?,
        Body::ListPublicGroups(req) => page_limit(req.limit, 50, 100)?,
        Body::PullMessages(req) => page_limit(req.limit, 200, 200)?,
        Body::History(req) => page_limit(req.limit, 50, 200)?,
        _ => {}
    }
    Ok(())
}

/// An accepted account name is lower case, 3..=32 bytes of `[a-z0-9_.-]`
/// and starts with a letter or digit.
fn account(name: &str) -> Result<(), Violation> {
    if let Ok(accepted) = rules::account(name) {
        ensure!(
            rules::ACCOUNT_LEN.contains(&accepted.len())
                && accepted
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
                && accepted
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric()),
            "account {name:?} was accepted as {accepted:?}"
        );
        ensure!(
            rules::account(&accepted).as_ref() == Ok(&accepted),
            "account {accepted:?} does not normalise to itself"
        );
    }
    Ok(())
}

fn display_name(name: &str) -> Result<(), Violation> {
    if let Ok(accepted) = rules::display_name(name) {
        ensure!(
            !accepted.is_empty() && accepted.trim() == accepted,
            "display name {name:?} was accepted as {accepted:?}"
        );
        text(&accepted, rules::DISPLAY_NAME_MAX)?;
    }
    Ok(())
}

fn group_name(name: &str) -> Result<(), Violation> {
    if let Ok(accepted) = rules::group_name(name) {
        ensure!(
            !accepted.is_empty() && accepted.trim() == accepted,
            "group name {name:?} was accepted as {accepted:?}"
        );
        text(&accepted, rules::GROUP_NAME_MAX)?;
    }
    Ok(())
}

/// Accepted text has at most `max_chars` characters and no control
/// character but newline.
fn text(value: &str, max_chars: usize) -> Result<(), Violation> {
    if let Ok(accepted) = rules::text("field", value, max_chars) {
        ensure!(
            accepted.chars().count() <= max_chars
                && !accepted.chars().any(|c| c.is_control() && c != '\n'),
            "text {value:?} was accepted with a limit of {max_chars}"
        );
    }
    Ok(())
}

/// An accepted URL is empty or, exactly as given, a file URL of `scope`
/// (any scope when None): the rule every handler applies to URLs users
/// store for others.
fn file_url(url: &str, scope: Option<Scope>) -> Result<(), Violation> {
    if let Ok(accepted) = rules::file_url("url", url, scope) {
        let parsed = FileUrl::parse(&accepted);
        ensure!(
            accepted == url
                && (accepted.is_empty()
                    || parsed
                        .is_some_and(|parsed| scope.is_none_or(|scope| parsed.scope == scope))),
            "url {url:?} was accepted as {accepted:?} for {scope:?}"
        );
    }
    Ok(())
}

/// A page is never empty and never over the maximum.
fn page_limit(asked: u32, default: u32, max: u32) -> Result<(), Violation> {
    let given = rules::page_limit(asked, default, max);
    ensure!(
        (1..=max).contains(&given),
        "asking for {asked} gave a page of {given} (default {default}, max {max})"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use schat_proto::client::PingRequest;

    #[test]
    fn a_ping_round_trips_and_garbage_is_malformed() {
        let ping = ClientMessage {
            request_id: 7,
            body: Some(Body::Ping(PingRequest { client_time_ms: 9 })),
        };
        assert_eq!(
            ClientMessage::decode_frame(ping.encode_frame()).ok(),
            Some(ping)
        );
        assert!(matches!(
            ClientMessage::decode_frame(Bytes::from_static(&[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
            Err(WireError::Malformed { .. })
        ));
    }
}
