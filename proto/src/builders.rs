//! Constructors for the messages every server process sends.

use crate::client::{server_message::Body, Closing, ResultCode, ServerMessage};
use crate::server::CommandResult;

impl ServerMessage {
    /// A successful response to `request_id` (0 makes it a push).
    pub fn ok(request_id: u32, body: Body) -> ServerMessage {
        ServerMessage {
            request_id,
            code: ResultCode::Ok as i32,
            reason: String::new(),
            body: Some(body),
        }
    }

    /// A failed response to `request_id`.
    pub fn error(request_id: u32, code: ResultCode, reason: impl Into<String>) -> ServerMessage {
        ServerMessage {
            request_id,
            code: code as i32,
            reason: reason.into(),
            body: None,
        }
    }

    /// A push (request id 0).
    pub fn push(body: Body) -> ServerMessage {
        ServerMessage::ok(0, body)
    }

    /// The push sent just before the server closes a connection.
    pub fn closing(code: ResultCode, reason: impl Into<String>) -> ServerMessage {
        let reason = reason.into();
        ServerMessage {
            request_id: 0,
            code: code as i32,
            reason: reason.clone(),
            body: Some(Body::Closing(Closing {
                code: code as i32,
                reason,
            })),
        }
    }
}

impl CommandResult {
    pub fn done(detail: impl Into<String>) -> CommandResult {
        CommandResult {
            ok: true,
            detail: detail.into(),
            ..CommandResult::default()
        }
    }

    pub fn failed(detail: impl Into<String>) -> CommandResult {
        CommandResult {
            ok: false,
            detail: detail.into(),
            ..CommandResult::default()
        }
    }
}
