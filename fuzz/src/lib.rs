//! Structure-aware fuzzing of the decoders that read bytes from clients and
//! peers: the frame codec, client requests, server envelopes, multipart
//! uploads, file URLs, Range headers and signed tokens.
//!
//! Each target is a function of raw bytes, like a libFuzzer target: it reads
//! its structure from them with `arbitrary` (a valid message with random
//! fields, the split points of a stream, the mutations to apply), builds
//! and mutates its input, runs the product code and checks its invariants.
//! [`driver`] feeds targets pseudo-random bytes from a seed, catches panics
//! and reports the input that failed, which [`check`] replays exactly.

#![forbid(unsafe_code)]

pub mod driver;
pub mod hex;
pub mod messages;
pub mod mutate;
pub mod rng;
pub mod targets;

pub use driver::{check, input, run, Budget, Failure, Outcome};
pub use targets::{Target, Violation, TARGETS};
