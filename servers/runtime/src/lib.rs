//! What every schat server process shares: the cluster configuration, logging,
//! shutdown, framed links between processes, request/response correlation,
//! and the fabric of connections to the disp_serv hubs.
//!
//! A server crate builds on this and only adds its handlers.

#![forbid(unsafe_code)]

pub mod admin;
pub mod config;
pub mod control;
pub mod dial;
pub mod digest;
pub mod fabric;
pub mod failure;
pub mod fd_limit;
pub mod file_token;
pub mod file_url;
pub mod health;
pub mod http;
pub mod link;
pub mod logging;
pub mod main_support;
pub mod node;
pub mod paired;
pub mod password;
pub mod presence_map;
pub mod procinfo;
pub mod pump;
pub mod reload;
pub mod rendezvous;
pub mod rpc;
pub mod rules;
pub mod shutdown;
pub mod signed;
pub mod slot;
pub mod stats;
#[cfg(feature = "redis")]
pub mod storage;
pub mod time;
pub mod tls;

pub use config::{ClusterConfig, ConfigError, LiveConfig, ProcConfig, ProcKind};
pub use fabric::Fabric;
pub use failure::Failure;
pub use logging::Logger;
pub use node::Node;
pub use rpc::{CallError, Channel, Incoming, Responder, Target};
pub use shutdown::Shutdown;
