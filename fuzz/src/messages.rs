//! Valid protocol messages with fields read from the fuzzer's bytes: every
//! client request body, routing headers, control and server bodies. Values
//! lean to the edges (0, 1, maxima, unknown enum numbers, empty, over-long,
//! multi-byte and control-character text), where decoders and rules break.

use arbitrary::{Result, Unstructured};
use bytes::Bytes;
use schat_proto::client::{self, client_message::Body, login_request::Credential, ClientMessage};
use schat_proto::server::{
    disp_control, server_msg, ChatRequest, ClientFrame, DispControl, Envelope, Heartbeat, Hello,
    Peer, PeerTable, Route, RpcError, ServerMsg,
};
use schat_proto::Wire;

/// How many request bodies [`request_body`] can make; every one of
/// `ClientMessage`'s oneof.
pub const REQUEST_KINDS: u8 = 29;

pub fn client_message(u: &mut Unstructured<'_>) -> Result<ClientMessage> {
    let request_id = match u.int_in_range(0..=3u8)? {
        0 => 0,
        1 => u32::MAX,
        _ => u.arbitrary()?,
    };
    // `ratio` answers true once the bytes run out: let that be the common case.
    let body = if u.ratio(15, 16)? {
        let kind = u.int_in_range(0..=REQUEST_KINDS - 1)?;
        Some(request_body(u, kind)?)
    } else {
        None
    };
    Ok(ClientMessage { request_id, body })
}

/// The request body number `kind` (in `0..REQUEST_KINDS`), fields filled in.
pub fn request_body(u: &mut Unstructured<'_>, kind: u8) -> Result<Body> {
    Ok(match kind {
        0 => Body::Ping(client::PingRequest {
            client_time_ms: id(u)?,
        }),
        1 => Body::Register(client::RegisterRequest {
            account: text(u)?,
            password: text(u)?,
            display_name: text(u)?,
        }),
        2 => Body::Login(client::LoginRequest {
            credential: match u.int_in_range(0..=2u8)? {
                0 => None,
                1 => Some(Credential::Password(client::PasswordCredential {
                    account: text(u)?,
                    password: text(u)?,
                })),
                _ => Some(Credential::Token(text(u)?)),
            },
            client: text(u)?,
            device_id: text(u)?,
            device_kind: enum_value(u, 5)?,
        }),
        3 => Body::Logout(client::LogoutRequest {
            all_devices: u.arbitrary()?,
        }),
        4 => Body::GetProfile(client::GetProfileRequest {}),
        5 => Body::UpdateProfile(client::UpdateProfileRequest {
            display_name: optional_text(u)?,
            description: optional_text(u)?,
            avatar_url: optional_text(u)?,
        }),
        6 => Body::GetUsers(client::GetUsersRequest {
            uids: list(u, id)?,
            accounts: list(u, text)?,
        }),
        7 => Body::CreateGroup(client::CreateGroupRequest {
            name: text(u)?,
            description: text(u)?,
            avatar_url: text(u)?,
            join_policy: enum_value(u, 3)?,
            password: text(u)?,
            public: u.arbitrary()?,
            member_cap: small(u)?,
        }),
        8 => Body::JoinGroup(client::JoinGroupRequest {
            gid: id(u)?,
            password: text(u)?,
            note: text(u)?,
        }),
        9 => Body::DecideApplication(client::DecideApplicationRequest {
            gid: id(u)?,
            applicant_uid: id(u)?,
            approve: u.arbitrary()?,
        }),
        10 => Body::Invite(client::InviteRequest {
            gid: id(u)?,
            uid: id(u)?,
        }),
        11 => Body::QuitGroup(client::QuitGroupRequest { gid: id(u)? }),
        12 => Body::KickMember(client::KickMemberRequest {
            gid: id(u)?,
            uid: id(u)?,
        }),
        13 => Body::DismissGroup(client::DismissGroupRequest { gid: id(u)? }),
        14 => Body::GetGroup(client::GetGroupRequest { gid: id(u)? }),
        15 => Body::ListMembers(client::ListMembersRequest {
            gid: id(u)?,
            after_uid: id(u)?,
            limit: small(u)?,
        }),
        16 => Body::UpdateGroup(client::UpdateGroupRequest {
            gid: id(u)?,
            name: optional_text(u)?,
            description: optional_text(u)?,
            avatar_url: optional_text(u)?,
            public: u.arbitrary()?,
        }),
        17 => Body::ListPublicGroups(client::ListPublicGroupsRequest {
            after_gid: id(u)?,
            limit: small(u)?,
        }),
        18 => Body::MyGroups(client::MyGroupsRequest {}),
        19 => Body::ListNotices(client::ListNoticesRequest { after_id: id(u)? }),
        20 => Body::AckNotices(client::AckNoticesRequest { up_to_id: id(u)? }),
        21 => Body::SendMessage(client::SendMessageRequest {
            gid: id(u)?,
            client_msg_id: text(u)?,
            kind: enum_value(u, 6)?,
            text: text(u)?,
            media_url: text(u)?,
        }),
        22 => Body::PullMessages(client::PullMessagesRequest {
            gid: id(u)?,
            from_seq: id(u)?,
            limit: small(u)?,
        }),
        23 => Body::History(client::HistoryRequest {
            gid: id(u)?,
            before_seq: id(u)?,
            limit: small(u)?,
        }),
        24 => Body::MarkRead(client::MarkReadRequest {
            gid: id(u)?,
            seq: id(u)?,
        }),
        25 => Body::ListDevices(client::ListDevicesRequest {}),
        26 => Body::EndDevice(client::EndDeviceRequest {
            device_id: text(u)?,
        }),
        27 => Body::SetNotifications(client::SetNotificationsRequest {
            gid: id(u)?,
            muted: u.arbitrary()?,
        }),
        _ => Body::RecallMessage(client::RecallMessageRequest {
            gid: id(u)?,
            seq: id(u)?,
        }),
    })
}

/// A routing header with any field values, unknown enum numbers included.
pub fn route(u: &mut Unstructured<'_>) -> Result<Route> {
    Ok(Route {
        target_type: enum_value(u, 10)?,
        method: enum_value(u, 3)?,
        target_id: small(u)?,
        hash_key: id(u)?,
        source_id: small(u)?,
        source_type: enum_value(u, 10)?,
        correlation_id: id(u)?,
        trace_ts_us: id(u)?,
        kind: enum_value(u, 4)?,
    })
}

/// What an envelope may carry, and the envelope around it.
#[derive(Debug)]
pub enum Carried {
    Control(DispControl),
    Server(Box<ServerMsg>),
    /// Bytes that are neither (a body disp never looks into).
    Opaque,
}

pub fn envelope(u: &mut Unstructured<'_>) -> Result<(Envelope, Carried)> {
    let mut route = if u.ratio(15, 16)? {
        Some(route(u)?)
    } else {
        None
    };
    let (body, carried) = match u.int_in_range(0..=3u8)? {
        0 => {
            let control = disp_control(u)?;
            if let Some(route) = route.as_mut() {
                route.kind = schat_proto::server::Kind::Control as i32;
            }
            (control.encode_frame(), Carried::Control(control))
        }
        1 | 2 => {
            let msg = server_msg(u)?;
            (msg.encode_frame(), Carried::Server(Box::new(msg)))
        }
        _ => (
            Bytes::copy_from_slice(u.arbitrary::<&[u8]>()?),
            Carried::Opaque,
        ),
    };
    Ok((Envelope { route, body }, carried))
}

pub fn disp_control(u: &mut Unstructured<'_>) -> Result<DispControl> {
    let msg = match u.int_in_range(0..=3u8)? {
        0 => None,
        1 => Some(disp_control::Msg::Hello(Hello {
            proc_id: small(u)?,
            proc_type: enum_value(u, 10)?,
            name: text(u)?,
            degraded: u.arbitrary()?,
            incarnation: id(u)?,
        })),
        2 => Some(disp_control::Msg::Heartbeat(Heartbeat {
            sent_at_ms: id(u)?,
            degraded: u.arbitrary()?,
        })),
        _ => Some(disp_control::Msg::Peers(PeerTable {
            disp_id: small(u)?,
            peers: list(u, |u| {
                Ok(Peer {
                    proc_id: small(u)?,
                    proc_type: enum_value(u, 10)?,
                    degraded: u.arbitrary()?,
                    incarnation: id(u)?,
                })
            })?,
        })),
    };
    Ok(DispControl { msg })
}

/// The server bodies that carry client bytes: a client's raw frame
/// (conn → logic), a client request made by a user (logic → chat), and an
/// error answer.
pub fn server_msg(u: &mut Unstructured<'_>) -> Result<ServerMsg> {
    let msg = match u.int_in_range(0..=3u8)? {
        0 => None,
        1 => Some(server_msg::Msg::ClientFrame(ClientFrame {
            conn_id: id(u)?,
            frame: client_message(u)?.encode_frame(),
            peer: text(u)?,
        })),
        2 => Some(server_msg::Msg::ChatRequest(ChatRequest {
            uid: id(u)?,
            request: if u.ratio(7, 8)? {
                Some(client_message(u)?)
            } else {
                None
            },
        })),
        _ => Some(server_msg::Msg::Error(RpcError {
            code: enum_value(u, 25)?,
            reason: text(u)?,
        })),
    };
    Ok(ServerMsg { msg })
}

/// Ids, sequence numbers and times: 0, 1, the maximum, or anything.
pub fn id(u: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match u.int_in_range(0..=4u8)? {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => u.int_in_range(0..=1000)?,
        _ => u.arbitrary()?,
    })
}

/// Counts and limits: 0, 1, page-size edges, the maximum, or anything.
pub fn small(u: &mut Unstructured<'_>) -> Result<u32> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => *u.choose(&[0, 1, 50, 99, 100, 101, 199, 200, 201])?,
        1 => u32::MAX,
        2 => u.int_in_range(0..=300)?,
        _ => u.arbitrary()?,
    })
}

/// An enum field: a known value (`0..=known_max`) or an unknown number.
pub fn enum_value(u: &mut Unstructured<'_>, known_max: i32) -> Result<i32> {
    Ok(if u.ratio(7, 8)? {
        u.int_in_range(0..=known_max)?
    } else {
        u.arbitrary()?
    })
}

/// Text at the edges of the field rules: empty, names, lengths around the
/// limits in one- and multi-byte characters, control characters, padding,
/// file URLs, or any UTF-8.
pub fn text(u: &mut Unstructured<'_>) -> Result<String> {
    const PIECES: [&str; 12] = [
        "a",
        "Z",
        "0",
        "_",
        ".",
        "-",
        " ",
        "é",
        "語",
        "\u{1f600}",
        "\n",
        "\u{0}",
    ];
    Ok(match u.int_in_range(0..=4u8)? {
        0 => String::new(),
        1 => {
            // One piece repeated to a length near a limit (3, 4, 8, 32, 64,
            // 128, 256, 512 and one past each).
            let piece = *u.choose(&PIECES)?;
            let limit = *u.choose(&[2usize, 3, 4, 8, 32, 64, 128, 256, 512])?;
            let count = limit + u.int_in_range(0..=2usize)?;
            piece.repeat(count)
        }
        2 => {
            let parts = u.int_in_range(0..=12u8)?;
            let mut out = String::new();
            for _ in 0..parts {
                out.push_str(u.choose(&PIECES)?);
            }
            out
        }
        3 => format!(
            "/f/{}/g{}/{:064x}.png",
            u.int_in_range(0..=3u8)?,
            u.int_in_range(0..=3u8)?,
            u.arbitrary::<u128>()?
        ),
        _ => u.arbitrary()?,
    })
}

fn optional_text(u: &mut Unstructured<'_>) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

/// A short list, sometimes around the lookup limit of 100.
fn list<T>(
    u: &mut Unstructured<'_>,
    mut item: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let len = if u.ratio(15, 16)? {
        u.int_in_range(0..=4usize)?
    } else {
        u.int_in_range(99..=101usize)?
    };
    (0..len).map(|_| item(u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_kind_is_made() {
        let noise: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let mut seen = std::collections::BTreeSet::new();
        for kind in 0..REQUEST_KINDS {
            let body = request_body(&mut Unstructured::new(&noise), kind).unwrap();
            let tag = format!("{body:?}");
            seen.insert(tag.split('(').next().unwrap_or_default().to_string());
        }
        assert_eq!(seen.len(), usize::from(REQUEST_KINDS));
    }
}
