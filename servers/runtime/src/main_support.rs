//! What every server binary's `main` does: parse the command line, load and
//! validate cluster.json, set up logging and signals, run, and turn the
//! outcome into an exit code.
//!
//! Signals: SIGINT and SIGTERM stop the process; SIGHUP reloads
//! cluster.json (see `reload`); SIGUSR1 reopens the `--log-file` (for
//! logrotate, which moves the file and then signals).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::config::{ClusterConfig, LiveConfig, ProcConfig, ProcKind};
use crate::logging::{error, info, parse_level, process_logger, warn, Logger};
use crate::node::Node;
use crate::shutdown::Shutdown;

/// How long a stopping process may take before it exits anyway.
const STOP_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Parser)]
struct ServerArgs {
    /// The cluster file.
    #[arg(long, short, env = "SCHAT_CLUSTER", default_value = "cluster.json")]
    config: PathBuf,
    /// This process's name in the cluster file, like conn_serv-1.
    #[arg(long, short, required_unless_present = "config_check")]
    name: Option<String>,
    /// Validate the cluster file (and --name, if given) and exit.
    #[arg(long)]
    config_check: bool,
    /// Write the log to this file (appending) instead of standard error;
    /// SIGUSR1 or the console's "reopen logs" opens it again.
    #[arg(long)]
    log_file: Option<PathBuf>,
}

/// The process's whole life as one future, for [`server_main_on`]'s host.
pub type Top<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// Runs a server binary of `kind`. `run` binds what the process listens on
/// and serves until the shutdown signal fires.
pub fn server_main<F, Fut>(kind: ProcKind, run: F) -> ExitCode
where
    F: FnOnce(Node) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    server_main_on(kind, run, |runtime, top| runtime.block_on(top))
}

/// Like [`server_main`], with `host` running the process's top future on
/// the runtime built from the config (chat_serv hosts it in an actix
/// system over that runtime, so its actors share the process's thread).
pub fn server_main_on<F, Fut, H>(kind: ProcKind, run: F, host: H) -> ExitCode
where
    F: FnOnce(Node) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
    H: for<'a> FnOnce(tokio::runtime::Runtime, Top<'a>) -> anyhow::Result<()>,
{
    let args = ServerArgs::parse();
    let config = match ClusterConfig::load(&args.config) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{}: invalid cluster config: {err}", kind.name());
            return ExitCode::from(2);
        }
    };
    let me = match args
        .name
        .as_deref()
        .map(|name| own_entry(&config, name, kind))
    {
        Some(Ok(me)) => Some(me),
        Some(Err(message)) => {
            eprintln!("{}: {message}", kind.name());
            return ExitCode::from(2);
        }
        None => None,
    };
    if args.config_check {
        println!(
            "{}: OK ({} procs)",
            args.config.display(),
            config.procs.len()
        );
        return ExitCode::SUCCESS;
    }
    let Some(me) = me else {
        eprintln!("{}: --name is required", kind.name());
        return ExitCode::from(2);
    };
    let level = parse_level(config.log_level_of(&me)).unwrap_or(slog::Level::Info);
    let (log, logs, log_guard) =
        match process_logger(level, config.log.format, args.log_file.as_deref(), &me.name) {
            Ok(logger) => logger,
            Err(err) => {
                eprintln!("{}: cannot open the log file: {err}", kind.name());
                return ExitCode::from(2);
            }
        };
    let runtime = match build_runtime(config.limits.worker_threads) {
        Ok(runtime) => runtime,
        Err(err) => {
            error!(log, "Cannot start the async runtime"; "error" => %err);
            return ExitCode::FAILURE;
        }
    };
    let shutdown = Shutdown::new();
    let config = LiveConfig::from_file(config, args.config.clone());
    let node = Node::new(config, me, log.clone(), logs, shutdown.clone());
    let top = Box::pin(async {
        tokio::spawn(trigger_on_signal(shutdown.clone(), log.clone()));
        #[cfg(unix)]
        tokio::spawn(reload_and_reopen_on_signal(node.clone()));
        let result = run(node).await;
        if !shutdown.stop(STOP_GRACE).await {
            info!(
                log,
                "Some tasks were still running at the end of the grace period"
            );
        }
        result
    });
    // The runtime goes with the host: tasks still holding loggers go with
    // it, and the guard then writes out every queued line.
    let outcome = host(runtime, top);
    let code = match &outcome {
        Ok(()) => {
            info!(log, "Stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            error!(log, "Failed"; "error" => format!("{err:#}"));
            ExitCode::FAILURE
        }
    };
    drop(log);
    drop(log_guard);
    if let Err(err) = outcome {
        eprintln!("error: {err:#}");
    }
    code
}

/// SIGHUP reloads the cluster file; SIGUSR1 reopens the log file.
#[cfg(unix)]
async fn reload_and_reopen_on_signal(node: Node) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut hangup), Ok(mut user1)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::user_defined1()),
    ) else {
        warn!(
            node.log,
            "Cannot listen for SIGHUP and SIGUSR1: no reload or reopen by signal"
        );
        return;
    };
    loop {
        tokio::select! {
            Some(()) = hangup.recv() => {
                info!(node.log, "Reloading the cluster file on SIGHUP");
                // The reload logs its own outcome.
                crate::reload::reload(&node);
            }
            Some(()) = user1.recv() => match node.logs.reopen() {
                Ok(detail) => info!(node.log, "Log file reopened on SIGUSR1"; "detail" => detail),
                Err(err) => warn!(node.log, "Cannot reopen the log on SIGUSR1"; "error" => err),
            },
            else => return,
        }
    }
}

/// One small runtime per process: with several processes per host, one
/// thread each avoids waking threads across cores for every packet.
fn build_runtime(worker_threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    match worker_threads {
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        0 => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    }
}

fn own_entry(config: &ClusterConfig, name: &str, kind: ProcKind) -> Result<ProcConfig, String> {
    let me = config.proc_by_name(name).map_err(|err| err.to_string())?;
    if me.kind != kind {
        return Err(format!(
            "{name:?} is a {} in the cluster file, not a {}",
            me.kind.name(),
            kind.name()
        ));
    }
    Ok(me.clone())
}

async fn trigger_on_signal(shutdown: Shutdown, log: Logger) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    info!(log, "Stopping on signal");
    shutdown.trigger();
}

/// Binds a listener on a process's configured address.
pub async fn bind(me: &ProcConfig) -> anyhow::Result<tokio::net::TcpListener> {
    use anyhow::Context;
    let addr = me
        .addr()
        .with_context(|| format!("{} has no port to listen on", me.name))?;
    tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}
