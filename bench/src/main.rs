//! `schat-bench`: measures a running schat cluster through the real client
//! library. Each scenario prints a human table and one JSON line (a stable
//! interface for scripts; fields that do not apply are null).

#![forbid(unsafe_code)]

mod cpu;
mod idle;
mod recovery;
mod relay;
mod report;
mod rss;
mod soak;
mod traffic;

use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "schat-bench", about = "Measure a running schat cluster")]
struct Cli {
    /// conn_serv addresses; clients are spread over them.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "127.0.0.1:7001,127.0.0.1:7002"
    )]
    servers: Vec<String>,
    /// Base URL of a dir_serv (for scenarios that connect the way real
    /// clients do: soak).
    #[arg(long, default_value = "http://127.0.0.1:7600")]
    dir: String,
    /// Directory of `<name>.pid` files of the server processes (as written
    /// by scripts/run.sh), for memory figures.
    #[arg(long, default_value = "data/pids")]
    pids_dir: std::path::PathBuf,
    /// Source addresses 127.0.0.1..=127.0.0.N to spread clients over (past
    /// the ephemeral-port limit of one source address).
    #[arg(long, default_value_t = 4)]
    source_ips: u8,
    /// Commit to record in the JSON line.
    #[arg(long, env = "SCHAT_COMMIT", default_value = "unknown")]
    commit: String,
    /// Threads of the load generator's runtime: 1 runs everything on one
    /// thread (no cross-thread wake-ups; the cheapest per message), 0 one
    /// per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// N logged-in idle connections held for T seconds: login rate, server
    /// memory per connection.
    Idle(idle::IdleArgs),
    /// Many small groups, every member sending: acknowledged msgs/s and
    /// ack latency (defaults: 100 groups x 5).
    Ingest(traffic::TrafficArgs),
    /// Few large groups, one sender each: deliveries/s and delivery
    /// latency (defaults: 20 groups x 100).
    Fanout(traffic::TrafficArgs),
    /// Pairs of users in direct conversations, both sending: acknowledged
    /// msgs/s and ack latency on ingest's footing (default: 250 pairs,
    /// --groups sets the number of pairs).
    Direct(traffic::TrafficArgs),
    /// N users drop at once and come back with their tokens and catch up:
    /// time to 99% and 100%.
    Reconnect(recovery::ReconnectArgs),
    /// One user offline while K messages arrive across G groups: time to
    /// full sync.
    Catchup(recovery::CatchupArgs),
    /// ingest's load through a bare relay (no persistence, one process):
    /// the physical-limit reference.
    Floor(traffic::TrafficArgs),
    /// A mixed, paced load (logins, reconnects, group churn, sends, pulls,
    /// uploads) for an hour: server memory trend, p99 per window, nothing
    /// lost.
    Soak(soak::SoakArgs),
    /// The bare relay itself (started by `floor`).
    Relay(relay::RelayArgs),
}

/// What every scenario needs from the command line.
#[derive(Clone, Debug)]
pub struct Common {
    pub servers: Vec<String>,
    pub dir: String,
    pub pids_dir: std::path::PathBuf,
    pub source_ips: Vec<IpAddr>,
    pub commit: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let common = Common {
        servers: cli.servers,
        dir: cli.dir,
        pids_dir: cli.pids_dir,
        source_ips: (1..=cli.source_ips.max(1))
            .map(|last| IpAddr::from([127, 0, 0, last]))
            .collect(),
        commit: cli.commit,
    };
    let runtime = match cli.threads {
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
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.scenario {
            Scenario::Idle(args) => idle::run(&common, args).await,
            Scenario::Ingest(args) => traffic::run(&common, args, traffic::Shape::Ingest).await,
            Scenario::Fanout(args) => traffic::run(&common, args, traffic::Shape::Fanout).await,
            Scenario::Direct(args) => traffic::run(&common, args, traffic::Shape::Direct).await,
            Scenario::Reconnect(args) => recovery::reconnect(&common, args).await,
            Scenario::Catchup(args) => recovery::catchup(&common, args).await,
            Scenario::Floor(args) => relay::floor(&common, args).await,
            Scenario::Soak(args) => soak::run(&common, args).await,
            Scenario::Relay(args) => relay::relay(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
