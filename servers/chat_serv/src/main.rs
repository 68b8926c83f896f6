//! chat_serv binary: see the library for what it does.

use std::process::ExitCode;

use schat_runtime::main_support::server_main;
use schat_runtime::ProcKind;

fn main() -> ExitCode {
    server_main(ProcKind::ChatServ, chat_serv::run)
}
