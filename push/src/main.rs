//! The `schat-push` command; see the crate documentation and
//! docs/OPERATIONS.md.

use clap::Parser;

fn main() -> std::process::ExitCode {
    schat_push::cli::run(schat_push::cli::Cli::parse())
}
