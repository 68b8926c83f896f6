//! manage_serv binary: see the library for what it does.

use std::process::ExitCode;

use schat_runtime::main_support::{bind, server_main};
use schat_runtime::ProcKind;

fn main() -> ExitCode {
    server_main(ProcKind::ManageServ, |node| async move {
        let listener = bind(&node.me).await?;
        manage_serv::run(listener, node).await
    })
}
