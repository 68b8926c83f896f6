//! chat_serv binary: see the library for what it does.

use std::process::ExitCode;

use schat_runtime::main_support::server_main_on;
use schat_runtime::ProcKind;

fn main() -> ExitCode {
    // An actix system over the process's own runtime: the group actors run
    // on the same thread(s) as the links, with no hand-off between them.
    server_main_on(ProcKind::ChatServ, chat_serv::run, |runtime, top| {
        actix_rt::System::with_tokio_rt(move || runtime).block_on(top)
    })
}
