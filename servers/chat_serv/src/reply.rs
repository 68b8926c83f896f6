//! The answer to a client's request that came through logic: the final
//! client frame, so logic writes it as it is (the path once).

use bytes::Bytes;
use schat_proto::client::ServerMessage;
use schat_proto::server::{server_msg::Msg, ChatResponse};
use schat_proto::Wire;
use schat_runtime::Responder;

/// Answers a client's request that came through logic.
#[derive(Debug)]
pub struct ClientReply {
    responder: Responder,
    request_id: u32,
}

impl ClientReply {
    pub fn new(responder: Responder, request_id: u32) -> ClientReply {
        ClientReply {
            responder,
            request_id,
        }
    }

    /// With the client's request id, the final client frame (logic writes
    /// it as it is); without (an older logic), the response for logic to
    /// finish.
    pub fn send(self, mut response: ServerMessage) {
        let reply = if self.request_id == 0 {
            ChatResponse {
                response: Some(response),
                frame: Bytes::new(),
            }
        } else {
            response.request_id = self.request_id;
            ChatResponse {
                response: None,
                frame: response.encode_frame(),
            }
        };
        self.responder.reply(Msg::ChatResponse(reply));
    }
}
