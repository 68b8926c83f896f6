//! schat wire protocol: the generated protobuf types for both directions,
//! the length-prefixed frame codec, and encode/decode helpers.
//!
//! `prost` stays inside this crate: other crates use the generated structs as
//! plain data and go through [`Wire`] and [`FrameCodec`] for bytes.

#![forbid(unsafe_code)]

mod builders;
pub mod calls;
mod frame;
mod wire;

pub use frame::{FrameCodec, DEFAULT_MAX_FRAME};
pub use wire::{encode_envelope, Wire, WireError};

#[allow(
    clippy::all,
    clippy::pedantic,
    missing_debug_implementations,
    rust_2018_idioms
)]
mod generated {
    pub mod schat {
        pub mod client {
            include!("gen/schat.client.rs");
        }
        pub mod server {
            include!("gen/schat.server.rs");
        }
    }
}

/// Messages between clients and conn_serv (`proto/client.proto`).
pub mod client {
    pub use crate::generated::schat::client::*;
}

/// Messages between server processes (`proto/server.proto`).
pub mod server {
    pub use crate::generated::schat::server::*;
}

pub use bytes::{Bytes, BytesMut};
