//! The interactive shell: the same commands as the subcommands, typed at a
//! prompt, with server pushes (a kick, a shutdown notice) shown as they come.

use std::io::Write;
use std::path::Path;

use clap::Parser;
use schat_client::Push;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::commands::{Endpoint, Runner};
use crate::output::print_push;
use crate::{Command, Failure};

#[derive(Debug, Parser)]
#[command(name = "", no_binary_name = true, disable_version_flag = true)]
struct Line {
    #[command(subcommand)]
    command: ShellCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ShellCommand {
    #[command(flatten)]
    Command(Command),
    /// Leave the shell.
    #[command(alias = "exit")]
    Quit,
}

pub async fn run(endpoint: Endpoint, session_file: &Path) -> Result<(), Failure> {
    println!(
        "schat shell on {}; type `help` for commands, `quit` to leave.",
        endpoint.describe()
    );
    let mut runner = Runner::new(endpoint, session_file, true);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        print!("{}", runner.prompt());
        let _ = std::io::stdout().flush();
        let line = tokio::select! {
            line = lines.next_line() => line,
            push = next_push(&runner) => {
                match push {
                    Some(push) => print_push(&push),
                    None => {
                        println!("\n*** connection closed");
                        runner.drop_connection();
                    }
                }
                continue;
            }
        };
        let line = match line {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(()),
            Err(err) => return Err(Failure::usage(format!("cannot read input: {err}"))),
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        match Line::try_parse_from(&words) {
            Ok(Line {
                command: ShellCommand::Quit,
            }) => return Ok(()),
            Ok(Line {
                command: ShellCommand::Command(Command::Shell),
            }) => println!("already in the shell"),
            Ok(Line {
                command:
                    ShellCommand::Command(Command::Group(crate::groups::GroupCommand::Chat { gid })),
            }) => println!("the live view runs on its own: schat chat {gid}"),
            Ok(Line {
                command: ShellCommand::Command(command),
            }) => {
                if let Err(failure) = runner.execute(command).await {
                    println!("error: {}", failure.message);
                }
            }
            Err(err) => {
                let _ = err.print();
            }
        }
    }
}

/// The next push of the open connection; pending forever without one.
async fn next_push(runner: &Runner) -> Option<Push> {
    match runner.connection() {
        Some(client) => client.next_push().await,
        None => std::future::pending().await,
    }
}
