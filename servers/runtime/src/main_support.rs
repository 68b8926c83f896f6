//! What every server binary's `main` does: parse the command line, load and
//! validate cluster.json, set up logging and signals, run, and turn the
//! outcome into an exit code.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

use crate::config::{ClusterConfig, ProcConfig, ProcKind};
use crate::logging::{error, info, parse_level, stderr_logger_with_control, Logger};
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
}

/// Runs a server binary of `kind`. `run` binds what the process listens on
/// and serves until the shutdown signal fires.
pub fn server_main<F, Fut>(kind: ProcKind, run: F) -> ExitCode
where
    F: FnOnce(Node) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
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
    let level = parse_level(&config.log.level).unwrap_or(slog::Level::Info);
    let (log, logs) = stderr_logger_with_control(level, &me.name);
    let runtime = match build_runtime(config.limits.worker_threads) {
        Ok(runtime) => runtime,
        Err(err) => {
            error!(log, "Cannot start the async runtime"; "error" => %err);
            return ExitCode::FAILURE;
        }
    };
    let shutdown = Shutdown::new();
    let node = Node::new(Arc::new(config), me, log.clone(), logs, shutdown.clone());
    let outcome = runtime.block_on(async {
        tokio::spawn(trigger_on_signal(shutdown.clone(), log.clone()));
        let result = run(node).await;
        if !shutdown.stop(STOP_GRACE).await {
            info!(
                log,
                "Some tasks were still running at the end of the grace period"
            );
        }
        result
    });
    match outcome {
        Ok(()) => {
            info!(log, "Stopped");
            drop(log);
            ExitCode::SUCCESS
        }
        Err(err) => {
            error!(log, "Failed"; "error" => format!("{err:#}"));
            drop(log);
            // Give the async log drain a moment to print the cause.
            std::thread::sleep(Duration::from_millis(50));
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
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
