//! manage_serv binary: the server (`--config --name`), or one of its
//! command-line tools (`operator`, `token`, `ctl`; see the library's `cli`).

use std::process::ExitCode;

use clap::Parser;
use schat_runtime::main_support::{bind, server_main};
use schat_runtime::ProcKind;

use manage_serv::cli::{self, Cli};

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) if cli.command.is_some() => cli::run(cli),
        Err(err) if cli::is_tool_call(&err) => {
            let _ = err.print();
            ExitCode::from(2)
        }
        _ => server_main(ProcKind::ManageServ, |node| async move {
            let listener = bind(&node.me).await?;
            manage_serv::run(listener, node).await
        }),
    }
}
