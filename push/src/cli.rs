//! The command line: global options, one subcommand per operation, and the
//! report printed at the end (a table, or JSON with `--json`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::control::{self, Verb};
use crate::deploy::{self, Options};
use crate::release::Parts;
use crate::report::Report;
use crate::{backup, migrate, roll, Cluster};

#[derive(Debug, Parser)]
#[command(
    name = "schat-push",
    version,
    about = "Deploys and operates a schat cluster from cluster.json"
)]
pub struct Cli {
    /// The cluster file (with a `hosts` section).
    #[arg(
        long,
        global = true,
        default_value = "cluster.json",
        env = "SCHAT_CLUSTER"
    )]
    pub config: PathBuf,
    /// Where push keeps its own files (ssh host keys, the console token).
    #[arg(long, global = true, env = "SCHAT_PUSH_STATE")]
    pub state_dir: Option<PathBuf>,
    /// The directory holding the server binaries to deploy (default: the
    /// one schat-push itself is in).
    #[arg(long, global = true)]
    pub bin_dir: Option<PathBuf>,
    /// Print the result as JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// Longest a transfer or install on one host may take, in seconds.
    #[arg(long, global = true, default_value_t = 600)]
    pub timeout_secs: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What a deploy would change, per host and process; touches nothing.
    Plan {
        #[command(flatten)]
        what: What,
    },
    /// Install the release on every host and start or restart what changed.
    Deploy {
        #[command(flatten)]
        what: What,
        /// Install only; start nothing (before a restore or a roll).
        #[arg(long)]
        no_start: bool,
    },
    /// Start the processes whose names match REGEX (all without one).
    Start { regex: Option<String> },
    /// Stop them (SIGTERM: clients and links are closed cleanly).
    Stop { regex: Option<String> },
    /// Restart them all at once (`roll` restarts one at a time).
    Restart { regex: Option<String> },
    /// Each process's state, by its supervisor and by the fabric.
    Status { regex: Option<String> },
    /// Rolling restart or upgrade: install the release, then restart one
    /// process at a time, gated on health, conn_servs drained first.
    Roll {
        regex: Option<String>,
        /// How long each restarted process has to be live again.
        #[arg(long, default_value_t = 60)]
        live_within_secs: u64,
    },
    /// Switch every host back to its previous release and roll (down
    /// processes included).
    Rollback {
        #[arg(long, default_value_t = 60)]
        live_within_secs: u64,
    },
    /// A consistent snapshot of Redis and every file server, with a manifest.
    Backup { out: PathBuf },
    /// Restore a backup onto the (empty) cluster of --config, then verify it.
    Restore {
        archive: PathBuf,
        /// Restore over existing data, or from another schat version.
        #[arg(long)]
        force: bool,
    },
    /// Move the running cluster to the hosts of another cluster file.
    Migrate {
        #[arg(long)]
        to: PathBuf,
        /// Where the final backup is kept (default: the state directory).
        #[arg(long)]
        backup: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct What {
    /// Only the processes whose names match this regular expression.
    #[arg(long)]
    pub procs: Option<String>,
    /// Only the cluster file; keep the installed binaries.
    #[arg(long, conflicts_with = "bins_only")]
    pub configs_only: bool,
    /// Only the binaries; keep the installed cluster file.
    #[arg(long)]
    pub bins_only: bool,
}

impl What {
    fn parts(&self) -> Parts {
        match (self.configs_only, self.bins_only) {
            (true, _) => Parts::ConfigsOnly,
            (_, true) => Parts::BinsOnly,
            _ => Parts::All,
        }
    }
}

/// On Ctrl-C (or SIGTERM): ends the scripts push started, says so, exits
/// 130. What a host was doing is left as an interrupted install leaves it:
/// `current` untouched unless the switch had happened.
fn end_scripts_on_interrupt() {
    std::thread::spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            else {
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        });
        crate::remote::end_running_scripts();
        eprintln!("schat-push: interrupted; the scripts it had started were ended");
        std::process::exit(130);
    });
}

/// Runs the command; the exit status is 1 when anything failed.
pub fn run(cli: Cli) -> ExitCode {
    end_scripts_on_interrupt();
    let name = command_name(&cli.command);
    let mut report = Report::new(name);
    let outcome = execute(&cli, &mut report);
    if let Err(err) = &outcome {
        report.error = Some(format!("{err:#}"));
    }
    if cli.json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    if outcome.is_err() || report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn execute(cli: &Cli, report: &mut Report) -> anyhow::Result<()> {
    let state_dir = cli.state_dir.clone().unwrap_or_else(default_state_dir);
    let cluster = Cluster::load(&cli.config, &state_dir, cli.json)?;
    let bin_dir = cli.bin_dir.clone().unwrap_or_else(own_dir);
    let deadline = Duration::from_secs(cli.timeout_secs);
    let options = |procs: Option<&'static str>, parts, start| Options {
        procs,
        parts,
        bin_dir: &bin_dir,
        start,
        deadline,
    };
    let result = match &cli.command {
        Command::Plan { what } => {
            cluster.select(what.procs.as_deref())?;
            deploy::plan(
                &cluster,
                &Options {
                    procs: what.procs.as_deref(),
                    ..options(None, what.parts(), false)
                },
                report,
            );
            Ok(())
        }
        Command::Deploy { what, no_start } => {
            cluster.select(what.procs.as_deref())?;
            deploy::deploy(
                &cluster,
                &Options {
                    procs: what.procs.as_deref(),
                    ..options(None, what.parts(), !no_start)
                },
                report,
            );
            Ok(())
        }
        Command::Start { regex } => control::act(&cluster, regex.as_deref(), Verb::Start, report),
        Command::Stop { regex } => control::act(&cluster, regex.as_deref(), Verb::Stop, report),
        Command::Restart { regex } => {
            control::act(&cluster, regex.as_deref(), Verb::Restart, report)
        }
        Command::Status { regex } => control::status(&cluster, regex.as_deref(), report),
        Command::Roll {
            regex,
            live_within_secs,
        } => roll::roll(
            &cluster,
            regex.as_deref(),
            &options(None, Parts::All, true),
            Duration::from_secs(*live_within_secs),
            report,
        ),
        Command::Rollback { live_within_secs } => {
            roll::rollback(&cluster, Duration::from_secs(*live_within_secs), report)
        }
        Command::Backup { out } => backup::backup(&cluster, out, report).map(|_| ()),
        Command::Restore { archive, force } => backup::restore(&cluster, archive, *force, report),
        Command::Migrate { to, backup } => {
            let target = Cluster::load(to, &state_dir, cli.json)?;
            let archive = backup
                .clone()
                .unwrap_or_else(|| state_dir.join("migrate-backup.tar"));
            migrate::migrate(
                &cluster,
                &target,
                &archive,
                &options(None, Parts::All, true),
                report,
            )
        }
    };
    cluster.progress.finish();
    result
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Plan { .. } => "plan",
        Command::Deploy { .. } => "deploy",
        Command::Start { .. } => "start",
        Command::Stop { .. } => "stop",
        Command::Restart { .. } => "restart",
        Command::Status { .. } => "status",
        Command::Roll { .. } => "roll",
        Command::Rollback { .. } => "rollback",
        Command::Backup { .. } => "backup",
        Command::Restore { .. } => "restore",
        Command::Migrate { .. } => "migrate",
    }
}

/// `$XDG_STATE_HOME/schat-push`, or `~/.local/state/schat-push`.
fn default_state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME") {
        return Path::new(&dir).join("schat-push");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    Path::new(&home).join(".local/state/schat-push")
}

/// The directory schat-push runs from: the server binaries are built there.
fn own_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}
