//! The command line of the `manage_serv` binary besides the server:
//!
//! ```text
//! manage_serv [--config FILE] [--name manage_serv-1] operator add NAME --role admin|viewer [--password-stdin]
//! manage_serv ... operator list | remove NAME | passwd NAME [--password-stdin]
//! manage_serv ... token create NAME --role admin|viewer [--ttl-secs N] | list | revoke ID
//! manage_serv ctl --url URL [--token TOKEN] [--ca-file PEM] COMMAND
//!     procs | proc NAME | preview CMD --match RE | run CMD --match RE [--level L]
//!     | user (--account A | --uid U) | kick --uid U [--reason R] | group GID
//!     | alarms | audit [--limit N]
//! ```
//!
//! `operator` and `token` edit the files in the data_dir of the named
//! manage_serv (the only one when there is one); a running manage_serv
//! sees the change at once. `ctl` talks to a running manage_serv's API
//! with an API token (`--token` or `SCHAT_MANAGE_TOKEN`) and prints its
//! JSON; the exit code is 1 when the request or any per-process result
//! failed.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand};
use http::Method;
use schat_client::HttpClient;
use schat_runtime::password::Passwords;
use schat_runtime::{ClusterConfig, ProcKind};
use serde_json::{json, Value};

use crate::accounts::{check_password, Accounts, Role};
use crate::audit::Audit;

#[derive(Debug, Parser)]
#[command(
    name = "manage_serv",
    about = "schat's console, metrics and command sender"
)]
pub struct Cli {
    /// The cluster file.
    #[arg(long, short, env = "SCHAT_CLUSTER", default_value = "cluster.json")]
    pub config: PathBuf,
    /// The manage_serv whose data_dir to use (or to run as).
    #[arg(long, short)]
    pub name: Option<String>,
    /// Validate the cluster file and exit (server mode).
    #[arg(long)]
    pub config_check: bool,
    #[command(subcommand)]
    pub command: Option<Tool>,
}

#[derive(Debug, Subcommand)]
pub enum Tool {
    /// Operator accounts of the console.
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Talk to a running manage_serv's API.
    Ctl(CtlArgs),
}

#[derive(Debug, Subcommand)]
pub enum OperatorCmd {
    /// Create an operator (the password is asked for, or read from stdin).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
    List,
    Remove {
        name: String,
    },
    /// Set an operator's password.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token; it is printed once.
    Create {
        name: String,
        #[arg(long)]
        role: String,
        /// Lifetime in seconds (default 30 days).
        #[arg(long, default_value_t = 30 * 24 * 3600)]
        ttl_secs: u64,
    },
    List,
    Revoke {
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct CtlArgs {
    /// The console's base URL, like http://127.0.0.1:7800.
    #[arg(long)]
    pub url: String,
    /// An API token.
    #[arg(long, env = "SCHAT_MANAGE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// A PEM certificate to trust (a self-signed console).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: CtlCmd,
}

#[derive(Debug, Subcommand)]
pub enum CtlCmd {
    /// Every process with its state.
    Procs,
    /// One process with its metrics.
    Proc {
        name: String,
    },
    /// Which processes a command would go to.
    Preview {
        command: String,
        #[arg(long = "match")]
        pattern: String,
    },
    /// Run a command: reload, stop, drain, log_level, reopen_logs.
    Run {
        command: String,
        #[arg(long = "match")]
        pattern: String,
        #[arg(long)]
        level: Option<String>,
    },
    /// Look a user up.
    User {
        #[arg(long, conflicts_with = "uid", required_unless_present = "uid")]
        account: Option<String>,
        #[arg(long)]
        uid: Option<u64>,
    },
    /// Close every session of a user.
    Kick {
        #[arg(long)]
        uid: u64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Look a group up.
    Group {
        gid: u64,
    },
    Alarms,
    Audit {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

/// Whether a command line that failed to parse meant a tool (so its error
/// is shown, rather than starting the server).
pub fn is_tool_call(err: &clap::Error) -> bool {
    use clap::error::ErrorKind;
    matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) || std::env::args()
        .skip(1)
        .any(|arg| matches!(arg.as_str(), "operator" | "token" | "ctl"))
}

/// Runs a tool; the process's exit code.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command {
        Some(Tool::Operator(command)) => runtime.block_on(operator(&cli.config, cli.name, command)),
        Some(Tool::Token(command)) => token(&cli.config, cli.name, command),
        Some(Tool::Ctl(args)) => runtime.block_on(ctl(args)),
        None => Ok(true),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// The cluster file and the data_dir of the chosen manage_serv.
fn load(config: &Path, name: Option<String>) -> anyhow::Result<(ClusterConfig, PathBuf)> {
    let cluster = ClusterConfig::load(config)?;
    let manage = match name {
        Some(name) => cluster.proc_by_name(&name)?.clone(),
        None => {
            let mut all = cluster.procs_of(ProcKind::ManageServ);
            match (all.next(), all.next()) {
                (Some(only), None) => only.clone(),
                (None, _) => anyhow::bail!("the cluster file has no manage_serv"),
                _ => anyhow::bail!("several manage_servs: say which with --name"),
            }
        }
    };
    anyhow::ensure!(
        manage.kind == ProcKind::ManageServ,
        "{} is a {}, not a manage_serv",
        manage.name,
        manage.kind.name()
    );
    let dir = manage
        .data_dir
        .clone()
        .ok_or_else(|| anyhow::anyhow!("{} has no data_dir", manage.name))?;
    Ok((cluster, PathBuf::from(dir)))
}

fn local_who() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".to_string())
    )
}

fn audit_local(data_dir: &Path, action: &str, target: &str) {
    let log = schat_runtime::logging::stderr_logger(slog::Level::Warning, "manage_serv");
    if let Ok(audit) = Audit::open(data_dir, log) {
        audit.record(&local_who(), "local", action, target, "ok");
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        first
    };
    check_password(&password)?;
    Ok(password)
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    Role::parse(role).ok_or_else(|| anyhow::anyhow!("role must be admin or viewer"))
}

async fn operator(
    config: &Path,
    name: Option<String>,
    command: OperatorCmd,
) -> anyhow::Result<bool> {
    let (cluster, data_dir) = load(config, name)?;
    let accounts = Accounts::open(&data_dir)?;
    match command {
        OperatorCmd::Add {
            name,
            role,
            password_stdin,
        } => {
            let role = parse_role(&role)?;
            crate::accounts::check_name(&name)?;
            let password = read_password(password_stdin)?;
            let hash = Passwords::new(&cluster.auth)?.hash(password).await?;
            accounts.add_operator(&name, role, hash)?;
            audit_local(
                &data_dir,
                "operator_add",
                &format!("{name} ({})", role.name()),
            );
            println!("{}", json!({ "added": name, "role": role.name() }));
        }
        OperatorCmd::List => {
            let list: Vec<Value> = accounts
                .operators
                .get()
                .operators
                .iter()
                .map(|op| {
                    json!({ "name": op.name, "role": op.role.name(),
                    "created_at_ms": op.created_at_ms })
                })
                .collect();
            println!("{}", json!({ "operators": list }));
        }
        OperatorCmd::Remove { name } => {
            accounts.remove_operator(&name)?;
            audit_local(&data_dir, "operator_remove", &name);
            println!("{}", json!({ "removed": name }));
        }
        OperatorCmd::Passwd {
            name,
            password_stdin,
        } => {
            anyhow::ensure!(
                accounts.operator(&name).is_some(),
                "no operator named {name:?}"
            );
            let password = read_password(password_stdin)?;
            let hash = Passwords::new(&cluster.auth)?.hash(password).await?;
            accounts.set_password(&name, hash)?;
            audit_local(&data_dir, "operator_passwd", &name);
            println!("{}", json!({ "password_set": name }));
        }
    }
    Ok(true)
}

fn token(config: &Path, name: Option<String>, command: TokenCmd) -> anyhow::Result<bool> {
    let (_, data_dir) = load(config, name)?;
    let accounts = Accounts::open(&data_dir)?;
    let now = schat_runtime::time::now_ms();
    match command {
        TokenCmd::Create {
            name,
            role,
            ttl_secs,
        } => {
            let role = parse_role(&role)?;
            let (record, secret) = accounts.create_token(&name, role, ttl_secs, &local_who())?;
            audit_local(
                &data_dir,
                "token_create",
                &format!("{} ({}, {})", record.id, record.name, role.name()),
            );
            println!(
                "{}",
                json!({ "id": record.id, "token": secret, "expires_at_ms": record.expires_at_ms })
            );
        }
        TokenCmd::List => {
            println!("{}", json!({ "tokens": accounts.tokens_json(now) }));
        }
        TokenCmd::Revoke { id } => {
            let record = accounts.revoke_token(&id)?;
            audit_local(
                &data_dir,
                "token_revoke",
                &format!("{} ({})", record.id, record.name),
            );
            println!("{}", json!({ "revoked": record.id }));
        }
    }
    Ok(true)
}

async fn ctl(args: CtlArgs) -> anyhow::Result<bool> {
    let client = match &args.ca_file {
        Some(ca_file) => HttpClient::with_ca_file(ca_file)?,
        None => HttpClient::default(),
    };
    let base = args.url.trim_end_matches('/');
    let (method, path, body) = match &args.command {
        CtlCmd::Procs => (Method::GET, "/api/v1/procs".to_string(), None),
        CtlCmd::Proc { name } => (Method::GET, format!("/api/v1/procs/{name}"), None),
        CtlCmd::Preview { command, pattern } => (
            Method::POST,
            "/api/v1/commands/preview".to_string(),
            Some(json!({ "command": command, "match": pattern })),
        ),
        CtlCmd::Run {
            command,
            pattern,
            level,
        } => (
            Method::POST,
            "/api/v1/commands".to_string(),
            Some(json!({ "command": command, "match": pattern, "level": level })),
        ),
        CtlCmd::User { account, uid } => {
            let query = match (account, uid) {
                (Some(account), _) => format!("account={}", percent_encode(account)),
                (None, Some(uid)) => format!("uid={uid}"),
                (None, None) => anyhow::bail!("give --account or --uid"),
            };
            (Method::GET, format!("/api/v1/users?{query}"), None)
        }
        CtlCmd::Kick { uid, reason } => (
            Method::POST,
            format!("/api/v1/users/{uid}/kick"),
            Some(
                json!({ "reason": reason.clone().unwrap_or_else(|| "kicked by an operator".to_string()) }),
            ),
        ),
        CtlCmd::Group { gid } => (Method::GET, format!("/api/v1/groups/{gid}"), None),
        CtlCmd::Alarms => (Method::GET, "/api/v1/alarms".to_string(), None),
        CtlCmd::Audit { limit } => (Method::GET, format!("/api/v1/audit?limit={limit}"), None),
    };
    let mut headers = vec![("authorization", format!("Bearer {}", args.token))];
    let body = match body {
        Some(body) => {
            headers.push(("content-type", "application/json".to_string()));
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    let response = client
        .send(method, &format!("{base}{path}"), &headers, body)
        .await?;
    let text = String::from_utf8_lossy(&response.body);
    println!("{}", text.trim_end());
    if !response.status.is_success() {
        return Ok(false);
    }
    let value: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let any_failed = value["results"]
        .as_array()
        .is_some_and(|results| results.iter().any(|result| result["outcome"] != "done"));
    Ok(!any_failed)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
