//! `idle`: N users log in and stay connected. Reports the password-login
//! rate (register if needed + argon2 verify), the connect + token-login rate
//! (the reconnect path), login latency, and server memory per connection.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use schat_client::{Client, ClientError, ClientOptions, ResultCode};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::report::{json_line, percentiles};
use crate::{rss, Common};

#[derive(Debug, clap::Args)]
pub struct IdleArgs {
    /// How many users log in and stay connected.
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// How long to hold the connections before measuring memory.
    #[arg(long, default_value_t = 10)]
    hold_secs: u64,
    /// Logins in flight at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Account names are PREFIX0, PREFIX1, …
    #[arg(long, default_value = "bench")]
    prefix: String,
    /// Give up (and fail) if a phase takes longer than this.
    #[arg(long, default_value_t = 600)]
    max_phase_secs: u64,
    /// Load generator processes to spread the clients over (one process
    /// may hold only as many sockets as its open-file limit allows).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Set by the parent in a worker process: which share it holds.
    #[arg(long, hide = true)]
    worker_index: Option<usize>,
}

const PASSWORD: &str = "bench-password";

pub async fn run(common: &Common, args: IdleArgs) -> anyhow::Result<()> {
    if common.servers.is_empty() {
        bail!("no servers given");
    }
    if let Some(index) = args.worker_index {
        return worker(common, &args, index).await;
    }
    let n = args.clients;
    let baseline = rss::of_pid_files(&common.pids_dir);
    let workers = args.workers.max(1);
    let (password_secs, before_hold, during, token_secs, latency, still_open) = if workers == 1 {
        let everyone = 0..n;
        eprintln!("phase 1: {n} users register (if new) and log in with their password");
        let (tokens, password_secs) = sign_in(common, &args, everyone.clone()).await?;
        // Phase 1's connections are closed; what stays is warm-up (allocator
        // pools, password hashing buffers), not per-connection state.
        let before_hold = rss::of_pid_files(&common.pids_dir);
        eprintln!("phase 2: {n} clients connect and log in with their token, and stay");
        let (held, token_secs, latency) = reconnect(common, &args, everyone, tokens).await?;
        eprintln!("holding {n} connections for {} s", args.hold_secs);
        tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
        let still_open = held
            .iter()
            .filter(|client| client.closed_reason().is_none())
            .count();
        let during = rss::of_pid_files(&common.pids_dir);
        let (p50, p99, p999) = percentiles(&latency);
        (
            password_secs,
            before_hold,
            during,
            token_secs,
            (p50, p99, p999),
            still_open,
        )
    } else {
        run_workers(common, &args, workers).await?
    };
    report(
        common,
        &args,
        Figures {
            baseline,
            before_hold,
            during,
            password_secs,
            token_secs,
            latency,
            still_open,
        },
    )
}

/// What one idle run measured.
struct Figures {
    baseline: std::collections::BTreeMap<String, u64>,
    before_hold: std::collections::BTreeMap<String, u64>,
    during: std::collections::BTreeMap<String, u64>,
    password_secs: f64,
    token_secs: f64,
    latency: (f64, f64, f64),
    still_open: usize,
}

fn options(common: &Common, index: usize) -> ClientOptions {
    ClientOptions {
        local_ip: Some(common.source_ips[index % common.source_ips.len()]),
        request_timeout: Duration::from_secs(30),
        // Like a real client: a connection that waits longer than the
        // server's idle timeout (90 s) for the others to log in stays open.
        keepalive: Some(Duration::from_secs(30)),
        ..ClientOptions::default()
    }
}

/// Phase 1: users `range` register (if new) and log in with their password.
async fn sign_in(
    common: &Common,
    args: &IdleArgs,
    range: std::ops::Range<usize>,
) -> anyhow::Result<(Vec<String>, f64)> {
    let limit = Duration::from_secs(args.max_phase_secs);
    let first = range.start;
    let started = Instant::now();
    let tokens = bounded(range.len(), args.concurrency, limit, |offset| {
        let index = first + offset;
        let addr = common.servers[index % common.servers.len()].clone();
        let (options, account) = (options(common, index), format!("{}{index}", args.prefix));
        async move {
            let client = Client::connect_with(&addr, options).await?;
            match client.register(&account, PASSWORD, "").await {
                Ok(_) => {}
                Err(ClientError::Server {
                    code: ResultCode::AccountExists,
                    ..
                }) => {}
                Err(err) => return Err(err),
            }
            let login = client.login_password(&account, PASSWORD).await?;
            Ok(login.token)
        }
    })
    .await?;
    let secs = started.elapsed().as_secs_f64();
    Ok((tokens.into_iter().map(|(token, _)| token).collect(), secs))
}

/// Phase 2: users `range` connect and log in with their tokens, and stay.
async fn reconnect(
    common: &Common,
    args: &IdleArgs,
    range: std::ops::Range<usize>,
    tokens: Vec<String>,
) -> anyhow::Result<(Vec<Client>, f64, Histogram<u64>)> {
    let limit = Duration::from_secs(args.max_phase_secs);
    let first = range.start;
    let tokens = Arc::new(tokens);
    let started = Instant::now();
    let held = bounded(range.len(), args.concurrency, limit, |offset| {
        let index = first + offset;
        let addr = common.servers[index % common.servers.len()].clone();
        let (options, tokens) = (options(common, index), tokens.clone());
        async move {
            let client = Client::connect_with(&addr, options).await?;
            client.login_token(&tokens[offset]).await?;
            Ok(client)
        }
    })
    .await?;
    let secs = started.elapsed().as_secs_f64();
    let mut latency = Histogram::<u64>::new(3).context("histogram")?;
    for (_, micros) in &held {
        latency.record(*micros).context("histogram")?;
    }
    Ok((
        held.into_iter().map(|(client, _)| client).collect(),
        secs,
        latency,
    ))
}

type Phases = (f64, RssMap, RssMap, f64, (f64, f64, f64), usize);
type RssMap = std::collections::BTreeMap<String, u64>;

/// Spreads the users over `workers` child processes, keeps them in step
/// (memory is sampled between the phases, as in one process), and sums
/// up: rates over the slowest worker, the worst worker's percentiles.
async fn run_workers(common: &Common, args: &IdleArgs, workers: usize) -> anyhow::Result<Phases> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let exe = std::env::current_exe().context("own executable")?;
    let mut children = Vec::new();
    for index in 0..workers {
        let mut child = tokio::process::Command::new(&exe)
            .arg("--servers")
            .arg(common.servers.join(","))
            .arg("--source-ips")
            .arg(common.source_ips.len().to_string())
            .arg("idle")
            .args(["--clients", &args.clients.to_string()])
            .args(["--workers", &workers.to_string()])
            .args(["--worker-index", &index.to_string()])
            .args(["--prefix", &args.prefix])
            .args([
                "--concurrency",
                &(args.concurrency / workers).max(1).to_string(),
            ])
            .args(["--max-phase-secs", &args.max_phase_secs.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting a worker")?;
        let stdin = child.stdin.take().context("worker stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("worker stdout")?).lines();
        children.push((child, stdin, stdout));
    }
    let mut password_secs = 0f64;
    for (_, _, lines) in &mut children {
        let line = lines
            .next_line()
            .await?
            .context("a worker failed in phase 1")?;
        let secs: f64 = line
            .trim_start_matches("phase1 ")
            .parse()
            .context("phase1 line")?;
        password_secs = password_secs.max(secs);
    }
    let before_hold = rss::of_pid_files(&common.pids_dir);
    for (_, stdin, _) in &mut children {
        stdin.write_all(b"go\n").await?;
    }
    let (mut token_secs, mut latency) = (0f64, (0f64, 0f64, 0f64));
    for (_, _, lines) in &mut children {
        let line = lines
            .next_line()
            .await?
            .context("a worker failed in phase 2")?;
        let numbers: Vec<f64> = line
            .trim_start_matches("phase2 ")
            .split(' ')
            .filter_map(|word| word.parse().ok())
            .collect();
        let [secs, p50, p99, p999] = numbers[..] else {
            bail!("bad phase2 line {line:?}");
        };
        token_secs = token_secs.max(secs);
        latency = (latency.0.max(p50), latency.1.max(p99), latency.2.max(p999));
    }
    eprintln!(
        "holding {} connections for {} s",
        args.clients, args.hold_secs
    );
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let during = rss::of_pid_files(&common.pids_dir);
    let mut still_open = 0;
    for (mut child, mut stdin, mut lines) in children {
        stdin.write_all(b"stop\n").await?;
        let line = lines
            .next_line()
            .await?
            .context("a worker failed while holding")?;
        still_open += line
            .trim_start_matches("open ")
            .parse::<usize>()
            .context("open line")?;
        let _ = child.wait().await;
    }
    Ok((
        password_secs,
        before_hold,
        during,
        token_secs,
        latency,
        still_open,
    ))
}

/// A worker process: its share of the users, in step with the parent
/// through lines on stdin and stdout.
async fn worker(common: &Common, args: &IdleArgs, index: usize) -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let share = args.clients.div_ceil(args.workers.max(1));
    let range = (index * share)..((index + 1) * share).min(args.clients);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let (tokens, password_secs) = sign_in(common, args, range.clone()).await?;
    println!("phase1 {password_secs}");
    stdin.next_line().await?;
    let (held, token_secs, latency) = reconnect(common, args, range, tokens).await?;
    let (p50, p99, p999) = percentiles(&latency);
    println!("phase2 {token_secs} {p50} {p99} {p999}");
    stdin.next_line().await?;
    let open = held
        .iter()
        .filter(|client| client.closed_reason().is_none())
        .count();
    println!("open {open}");
    Ok(())
}

fn report(common: &Common, args: &IdleArgs, figures: Figures) -> anyhow::Result<()> {
    let Figures {
        baseline,
        before_hold,
        during,
        password_secs,
        token_secs,
        latency: (p50, p99, p999),
        still_open,
    } = figures;
    let n = args.clients;
    let total_kib: u64 = during
        .iter()
        .filter(|(name, _)| name.as_str() != "redis")
        .map(|(_, kib)| kib)
        .sum();
    let baseline_kib: u64 = before_hold
        .iter()
        .filter(|(name, _)| name.as_str() != "redis")
        .map(|(_, kib)| kib)
        .sum();
    let kb_per_conn = (total_kib.saturating_sub(baseline_kib)) as f64 / n as f64;
    println!("idle: {n} clients over {} servers", common.servers.len());
    println!(
        "  password login (register if new): {:>9.0} logins/s  ({password_secs:.1} s)",
        n as f64 / password_secs
    );
    println!(
        "  connect + token login:            {:>9.0} logins/s  ({token_secs:.1} s)",
        n as f64 / token_secs
    );
    println!("  token login latency ms:           p50 {p50:.2}  p99 {p99:.2}  p99.9 {p999:.2}");
    println!(
        "  still connected after {} s:       {still_open}/{n}",
        args.hold_secs
    );
    println!("  server RSS (KiB)                   start  before hold  during hold");
    for (name, kib) in &during {
        let start = baseline.get(name).copied().unwrap_or(0);
        let before = before_hold.get(name).copied().unwrap_or(0);
        println!("    {name:<26} {start:>9} {before:>12} {kib:>12}");
    }
    println!("  server RSS growth per held connection: {kb_per_conn:.2} KiB (server processes, Redis excluded)");
    println!(
        "{}",
        json_line(
            "idle",
            &common.commit,
            &[
                (
                    "seconds",
                    json!(password_secs + token_secs + args.hold_secs as f64)
                ),
                ("clients", json!(n)),
                ("p50_ms", json!(p50)),
                ("p99_ms", json!(p99)),
                ("p999_ms", json!(p999)),
                ("kb_per_conn", json!((kb_per_conn * 100.0).round() / 100.0)),
                (
                    "password_logins_per_s",
                    json!((n as f64 / password_secs).round())
                ),
                ("token_logins_per_s", json!((n as f64 / token_secs).round())),
                ("still_connected", json!(still_open)),
                ("server_rss_kib", json!(total_kib)),
            ],
        )
    );
    if still_open < n {
        bail!("{} connections were closed while idle", n - still_open);
    }
    Ok(())
}

/// Runs `job(0..n)` with at most `concurrency` in flight; returns each
/// result with its duration in microseconds, in index order. Fails on the
/// first error or when the whole phase exceeds `limit`.
async fn bounded<T, F, Fut>(
    n: usize,
    concurrency: usize,
    limit: Duration,
    job: F,
) -> anyhow::Result<Vec<(T, u64)>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let deadline = tokio::time::Instant::now() + limit;
    let mut results: Vec<Option<(T, u64)>> = (0..n).map(|_| None).collect();
    let mut done = 0usize;
    let progress_every = (n / 10).max(1);
    for index in 0..n {
        let permit = tokio::time::timeout_at(deadline, permits.clone().acquire_owned())
            .await
            .context("phase took too long")?
            .context("semaphore closed")?;
        let job = job(index);
        tasks.spawn(async move {
            let started = Instant::now();
            let result = job.await;
            drop(permit);
            (index, result, started.elapsed().as_micros() as u64)
        });
        while let Some(finished) = tasks.try_join_next() {
            done += collect(finished, &mut results, done, progress_every, n)?;
        }
    }
    while let Some(finished) = tokio::time::timeout_at(deadline, tasks.join_next())
        .await
        .context("phase took too long")?
    {
        done += collect(finished, &mut results, done, progress_every, n)?;
    }
    Ok(results.into_iter().flatten().collect())
}

type Finished<T> = Result<(usize, Result<T, ClientError>, u64), tokio::task::JoinError>;

fn collect<T>(
    finished: Finished<T>,
    results: &mut [Option<(T, u64)>],
    done: usize,
    progress_every: usize,
    n: usize,
) -> anyhow::Result<usize> {
    let (index, result, micros) = finished.context("task failed")?;
    let value = result.with_context(|| format!("client {index}"))?;
    results[index] = Some((value, micros));
    if (done + 1).is_multiple_of(progress_every) {
        eprintln!("  {}/{n}", done + 1);
    }
    Ok(1)
}
