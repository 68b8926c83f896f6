//! `schat`: the command-line chat client. One-shot subcommands for scripts
//! (clear errors, non-zero exit codes) and an interactive shell.

#![forbid(unsafe_code)]

mod commands;
mod contacts;
mod files;
mod groups;
mod output;
mod session_file;
mod shell;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes: 0 success, 1 the server refused, 2 bad usage, 3 no connection.
pub const EXIT_REFUSED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_CONNECTION: u8 = 3;

#[derive(Debug, Parser)]
#[command(name = "schat", version, about = "schat chat client")]
struct Cli {
    /// conn_serv address to connect to directly, skipping the directory.
    #[arg(long, short, env = "SCHAT_SERVER", global = true)]
    server: Option<String>,
    /// dir_serv base URL: picks a conn_serv and lists the file servers.
    #[arg(
        long,
        env = "SCHAT_DIR",
        default_value = "http://127.0.0.1:7600",
        global = true
    )]
    dir: String,
    /// Extra CA certificate (PEM) to trust for HTTPS, like the self-signed
    /// one a local cluster creates.
    #[arg(long, env = "SCHAT_CA_FILE", global = true)]
    ca_file: Option<PathBuf>,
    /// Where the login token is kept between commands
    /// (default: ~/.schat/session.json).
    #[arg(long, env = "SCHAT_SESSION", global = true)]
    session_file: Option<PathBuf>,
    /// This device's id (1 to 64 of A-Z a-z 0-9 . _ -). Default: one made
    /// at first use and kept in `device` beside the session file.
    #[arg(long, env = "SCHAT_DEVICE", global = true)]
    device: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Commands, the same in one-shot mode and in the shell.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account.
    Register {
        account: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input
        /// (otherwise SCHAT_PASSWORD, otherwise a prompt).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Log in and keep the session token for later commands.
    Login {
        account: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Log this device out (its token stops working; your other devices
    /// stay logged in).
    Logout {
        /// Log out on every device: every token stops working and the
        /// other devices' sessions are closed.
        #[arg(long)]
        all: bool,
    },
    /// List your devices: which are logged in now, and when each last
    /// logged in.
    Devices,
    /// Log out another of your devices (its session closes and its token
    /// stops working).
    EndDevice {
        /// The device's id, as `schat devices` lists it.
        #[arg(value_name = "DEVICE")]
        device_id: String,
    },
    /// Show who you are logged in as.
    Whoami,
    /// Show your profile, or other users' by account name or #uid.
    Profile { users: Vec<String> },
    /// Change your profile.
    SetProfile {
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        avatar_url: Option<String>,
    },
    /// Measure the round trip to the server.
    Ping,
    #[command(flatten)]
    Group(groups::GroupCommand),
    #[command(flatten)]
    File(files::FileCommand),
    #[command(flatten)]
    People(contacts::PeopleCommand),
    /// Interactive mode (the default).
    Shell,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let session_file = cli.session_file.unwrap_or_else(session_file::default_path);
    let endpoint = commands::Endpoint {
        server: cli.server,
        dir: cli.dir,
        ca_file: cli.ca_file,
        device: cli.device,
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Shell) {
            Command::Shell => shell::run(endpoint, &session_file).await,
            command => commands::one_shot(endpoint, &session_file, command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}

/// A command that failed, with the exit code that says how.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub exit_code: u8,
}

impl From<schat_client::ClientError> for Failure {
    fn from(err: schat_client::ClientError) -> Failure {
        let exit_code = match err {
            schat_client::ClientError::Server { .. } | schat_client::ClientError::Http { .. } => {
                EXIT_REFUSED
            }
            _ => EXIT_CONNECTION,
        };
        Failure {
            message: err.to_string(),
            exit_code,
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            exit_code: EXIT_USAGE,
        }
    }

    pub fn refused(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            exit_code: EXIT_REFUSED,
        }
    }
}
