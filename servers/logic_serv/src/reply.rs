//! What goes back to a client connection: answers to its requests (a
//! response logic made, or the final frame a chat_serv made, written as it
//! is), pushes, and the last frame before a close. Everything reaches the
//! client through this process's conn_serv.

use bytes::Bytes;
use schat_proto::client::{server_message::Body as Response, ResultCode, ServerMessage};
use schat_proto::server::{server_msg::Msg, CloseConn, Deliver, ProcType};
use schat_proto::Wire;
use schat_runtime::logging::{debug, Logger};
use schat_runtime::{Failure, Target};

use crate::context::Logic;

/// What answers a request: a response body, or the final client frame a
/// chat_serv made.
#[derive(Debug)]
pub enum Reply {
    Body(Response),
    Frame(Bytes),
}

/// Sends one message to a client. A response too large for a frame is
/// replaced by an error saying so.
pub fn send_to(logic: &Logic, conn_id: u64, message: ServerMessage) {
    answer_frame(logic, conn_id, message.request_id, message.encode_frame());
}

/// Writes the encoded answer to request `request_id` to a client
/// connection, or an error in its place if it exceeds the frame limit.
pub fn answer_frame(logic: &Logic, conn_id: u64, request_id: u32, mut frame: Bytes) {
    if frame.len() > logic.config.load().limits.max_frame_bytes {
        frame = ServerMessage::error(
            request_id,
            ResultCode::Internal,
            "response exceeds the frame limit; ask for less at a time",
        )
        .encode_frame();
    }
    let deliver = Deliver {
        conn_ids: vec![conn_id],
        frame,
    };
    let _ = logic.conn.push(
        Target::spec(ProcType::Conn, logic.conn_id),
        Msg::Deliver(deliver),
    );
}

/// Answers request `request_id` with its result.
pub fn answer(
    logic: &Logic,
    conn_id: u64,
    request_id: u32,
    result: Result<Response, Failure>,
    log: &Logger,
) {
    let message = match result {
        Ok(body) => ServerMessage::ok(request_id, body),
        Err(failure) => {
            debug!(log, "Request failed"; "code" => ?failure.code, "reason" => &failure.reason);
            ServerMessage::error(request_id, failure.code, failure.reason)
        }
    };
    send_to(logic, conn_id, message);
}

/// Writes a final message to a client connection and closes it.
pub fn close_conn(logic: &Logic, conn_id: u64, code: ResultCode, reason: &str) {
    let close = CloseConn {
        conn_id,
        final_frame: ServerMessage::closing(code, reason).encode_frame(),
        reason: reason.to_string(),
    };
    let _ = logic.conn.push(
        Target::spec(ProcType::Conn, logic.conn_id),
        Msg::CloseConn(close),
    );
}
