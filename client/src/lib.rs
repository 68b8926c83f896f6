//! The schat client library: one TCP connection to a conn_serv, requests
//! matched to responses by request id, and a stream of server pushes.
//!
//! ```no_run
//! # async fn demo() -> Result<(), schat_client::ClientError> {
//! let client = schat_client::Client::connect("127.0.0.1:7001").await?;
//! client.register("alice", "correct horse", "Alice").await?;
//! let login = client.login_password("alice", "correct horse").await?;
//! println!("uid {} token {}", login.uid, login.token);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod connection;
mod contacts;
pub mod files;
mod groups;
mod http;
mod sync;
pub mod time;

use std::net::IpAddr;
use std::time::Duration;

pub use connection::{Client, ClientError, Push};
pub use http::{HttpClient, HttpResponse};
pub use schat_proto::client::{
    ChatMessage, Contact, ContactsResponse, CreateGroupRequest, DeviceInfo, DeviceKind, GroupInfo,
    GroupKind, GroupState, JoinPolicy, JoinStatus, LoginResponse, Member, MessageKind, Notice,
    NoticeKind, Privacy, ReadersResponse, ResultCode, Role, SendMessageRequest, UpdateGroupRequest,
    UpdateProfileRequest as ProfileUpdate, UserProfile,
};
pub use sync::MessageSync;

/// How a [`Client`] connects and behaves.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Largest frame accepted from the server.
    pub max_frame: usize,
    /// How long a request may wait for its response.
    pub request_timeout: Duration,
    /// Source address to connect from (to spread many clients over
    /// 127.0.0.x addresses past the ephemeral-port limit).
    pub local_ip: Option<IpAddr>,
    /// Send a ping this often to keep an idle connection open.
    pub keepalive: Option<Duration>,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            max_frame: schat_proto::DEFAULT_MAX_FRAME,
            request_timeout: Duration::from_secs(10),
            local_ip: None,
            keepalive: None,
        }
    }
}
