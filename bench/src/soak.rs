//! `soak`: a mixed, paced load held for a long time (an hour by default)
//! to show that nothing accumulates and nothing is lost.
//!
//! A few hundred users, each one connection when online, act on a paced
//! tick: mostly text messages to their groups, and now and then an image
//! (upload to a file server, then the message), a download, a pull, a
//! history page, joining or quitting a short-lived group, creating one or
//! dismissing their own. Every few minutes each user drops its connection,
//! stays away a moment, and comes back through the directory with its
//! token (or, one time in five, its password), then catches up with the
//! client library's `MessageSync` and acknowledges its notices. Long-lived
//! groups live the whole run while short-lived ones come and go.
//!
//! Every sample period the scenario reads the RSS of every process of the
//! cluster (from the pid files) and the latency of the send
//! acknowledgements of that window. At the end it pulls every group still
//! alive from the start and checks every acknowledged message is there
//! once, from its sender with its client id, and that the seqs have no
//! gap; it reports per process the RSS at the end of the warm-up and at
//! the end with the slope of a linear fit over the samples after the
//! warm-up, the p99 per window, totals per operation and errors by kind.
//! Any loss, duplication or gap fails the run.

mod samples;
mod user;
mod verify;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use bytes::Bytes;
use hdrhistogram::Histogram;
use schat_client::files::{Directory, Files};
use schat_client::{Client, ClientError, ClientOptions, CreateGroupRequest, HttpClient};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::Common;
use user::User;

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// Seconds of load.
    #[arg(long, default_value_t = 3600)]
    seconds: u64,
    /// Users, each one connection while online.
    #[arg(long, default_value_t = 300)]
    users: usize,
    /// Target messages (text and image) per second, all users together.
    #[arg(long, default_value_t = 300)]
    rate: u64,
    /// Groups that live the whole run.
    #[arg(long, default_value_t = 30)]
    groups: usize,
    /// Long-lived groups each user belongs to.
    #[arg(long, default_value_t = 3)]
    groups_per_user: usize,
    /// Short-lived groups alive at once (created, joined, quit, dismissed).
    #[arg(long, default_value_t = 20)]
    churn_groups: usize,
    /// Mean seconds between two reconnects of one user.
    #[arg(long, default_value_t = 300)]
    reconnect_secs: u64,
    /// Seconds between two samples of memory and latency.
    #[arg(long, default_value_t = 10)]
    sample_secs: u64,
    /// Seconds left out of the memory trend at the start (default: a third
    /// of the run, at most 600).
    #[arg(long)]
    warmup_secs: Option<u64>,
    /// Seed of the users' random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write every sample to this file as CSV.
    #[arg(long)]
    samples_csv: Option<PathBuf>,
    /// Account names are PREFIX-<user>.
    #[arg(long, default_value = "soak")]
    prefix: String,
}

/// Share of the ticks that send a message (text or image); the rest pull,
/// download, join, quit, create or dismiss. Sets the tick rate from
/// `--rate`.
const SEND_SHARE: f64 = 0.85;
/// Member cap of a long-lived group (the cluster's maximum).
const STABLE_MEMBER_CAP: u32 = 10_000;
/// Member cap of a short-lived group.
pub const CHURN_MEMBER_CAP: u32 = 50;
/// Files kept per group for downloads.
const FILES_PER_GROUP: usize = 3;
/// How long the users have to finish what they are doing at the end.
const STOP_GRACE: Duration = Duration::from_secs(60);

/// What every user shares.
#[derive(Debug)]
pub struct Shared {
    pub stop: CancellationToken,
    pub registry: Mutex<Registry>,
    pub shelf: Mutex<Shelf>,
    /// Operations done, by name.
    pub counts: Counters,
    /// Failures by operation and kind.
    pub errors: Counters,
    /// Refusals the load provokes on purpose (a group dismissed while
    /// others still use it, a full group), by operation and kind.
    pub refused: Counters,
    /// Downloads whose bytes differ from what was uploaded.
    pub corrupt: AtomicU64,
    /// Messages a user was handed out of order or with a hole.
    pub client_gaps: AtomicU64,
    pub window: Mutex<Window>,
    pub http: HttpClient,
    pub files: Files,
    pub dir: String,
    pub servers: Vec<String>,
    pub source_ips: Vec<std::net::IpAddr>,
    pub churn_target: usize,
    pub reconnect_mean: Duration,
}

/// Which groups exist, as far as the load knows.
#[derive(Debug, Default)]
pub struct Registry {
    /// Long-lived groups and the index of their owner.
    pub stable: Vec<(u64, usize)>,
    /// Live short-lived groups and the index of their owner.
    pub churn: BTreeMap<u64, usize>,
    /// Short-lived groups dismissed (or being dismissed): not checked.
    pub dismissed: HashSet<u64>,
}

impl Registry {
    pub fn is_stable(&self, gid: u64) -> bool {
        self.stable.iter().any(|(stable, _)| *stable == gid)
    }
}

/// Recent uploads per group, with their bytes, for downloads to check.
#[derive(Debug, Default)]
pub struct Shelf {
    by_group: BTreeMap<u64, VecDeque<(String, Bytes)>>,
}

impl Shelf {
    pub fn put(&mut self, gid: u64, url: String, content: Bytes) {
        let files = self.by_group.entry(gid).or_default();
        if files.len() == FILES_PER_GROUP {
            files.pop_front();
        }
        files.push_back((url, content));
    }

    pub fn forget(&mut self, gid: u64) {
        self.by_group.remove(&gid);
    }

    /// The files of the groups in `groups`.
    pub fn of(&self, groups: &[u64]) -> Vec<(u64, String, Bytes)> {
        groups
            .iter()
            .filter_map(|gid| Some((*gid, self.by_group.get(gid)?)))
            .flat_map(|(gid, files)| {
                files
                    .iter()
                    .map(move |(url, content)| (gid, url.clone(), content.clone()))
            })
            .collect()
    }
}

/// Counts by name.
#[derive(Debug, Default)]
pub struct Counters(Mutex<BTreeMap<String, u64>>);

impl Counters {
    pub fn add(&self, name: &str, n: u64) {
        let mut counts = lock(&self.0);
        match counts.get_mut(name) {
            Some(count) => *count += n,
            None => {
                counts.insert(name.to_string(), n);
            }
        }
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        lock(&self.0).clone()
    }
}

/// Latencies of the current sample window, in microseconds.
#[derive(Debug)]
pub struct Window {
    /// Send → acknowledgement.
    pub ack: Histogram<u64>,
    /// Send → push received by another member.
    pub delivery: Histogram<u64>,
}

impl Window {
    pub fn new() -> anyhow::Result<Window> {
        Ok(Window {
            ack: Histogram::new(3).context("histogram")?,
            delivery: Histogram::new(3).context("histogram")?,
        })
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros() as u64)
        .unwrap_or(0)
}

/// The kind of a failure, for the error table.
pub fn kind(err: &ClientError) -> String {
    match err {
        ClientError::Connect(_) => "connect".to_string(),
        ClientError::Server { code, .. } => code.as_str_name().to_string(),
        ClientError::Closed(_) => "closed".to_string(),
        ClientError::Timeout(_) => "timeout".to_string(),
        ClientError::Protocol(_) => "protocol".to_string(),
        ClientError::Http { status, .. } => format!("HTTP {status}"),
    }
}

/// SplitMix64: small, fast, and the same choices for the same seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponentially distributed with this mean.
    pub fn exponential(&mut self, mean: Duration) -> Duration {
        mean.mul_f64(-(1.0 - self.unit()).ln())
    }
}

impl Shared {
    pub fn options(&self, index: usize) -> ClientOptions {
        ClientOptions {
            local_ip: Some(self.source_ips[index % self.source_ips.len()]),
            request_timeout: Duration::from_secs(30),
            keepalive: Some(Duration::from_secs(30)),
            ..ClientOptions::default()
        }
    }

    /// Connects where the directory (`--dir`) says, like a real client (a
    /// conn_serv of `--servers` if the directory cannot be asked).
    pub async fn connect(&self, index: usize) -> Result<Client, ClientError> {
        let addr = match Directory::lookup(&self.http, &self.dir).await {
            Ok(directory) => {
                self.counts.add("directory lookups", 1);
                directory.conn_addr
            }
            Err(err) => {
                self.errors.add(&format!("directory: {}", kind(&err)), 1);
                self.servers[index % self.servers.len()].clone()
            }
        };
        Client::connect_with(&addr, self.options(index)).await
    }
}

pub async fn run(common: &Common, args: SoakArgs) -> anyhow::Result<()> {
    if common.servers.is_empty() {
        bail!("no servers given");
    }
    let n_users = args.users.max(2);
    let n_groups = args.groups.clamp(1, n_users);
    let per_user = args.groups_per_user.clamp(1, n_groups);
    let warmup = args.warmup_secs.unwrap_or((args.seconds / 3).min(600));
    let http = HttpClient::default();
    let directory = directory(&http, &common.dir).await?;
    let shared = Arc::new(Shared {
        stop: CancellationToken::new(),
        registry: Mutex::default(),
        shelf: Mutex::default(),
        counts: Counters::default(),
        errors: Counters::default(),
        refused: Counters::default(),
        corrupt: AtomicU64::new(0),
        client_gaps: AtomicU64::new(0),
        window: Mutex::new(Window::new()?),
        files: directory.files(http.clone()),
        http,
        dir: common.dir.clone(),
        servers: common.servers.clone(),
        source_ips: common.source_ips.clone(),
        churn_target: args.churn_groups,
        reconnect_mean: Duration::from_secs(args.reconnect_secs.max(1)),
    });

    eprintln!("signing in {n_users} users");
    let mut users = sign_in_all(&shared, &args, n_users).await?;
    eprintln!("{n_groups} long-lived groups, {per_user} per user");
    stable_groups(&shared, &mut users, n_groups, per_user).await?;
    for user in &mut users {
        user.start_tracking().await?;
    }

    // Ticks of every user together: the message rate over the share of
    // ticks that send.
    let ticks_per_sec = (args.rate.max(1) as f64 / SEND_SHARE).max(0.001);
    let period = Duration::from_secs_f64(n_users as f64 / ticks_per_sec);
    eprintln!(
        "soaking for {} s: target {} msgs/s, a tick every {:.2} s per user, warm-up {warmup} s",
        args.seconds,
        args.rate,
        period.as_secs_f64()
    );
    let started = Instant::now();
    let sampler = tokio::spawn(samples::sample_loop(
        shared.clone(),
        common.pids_dir.clone(),
        Duration::from_secs(args.sample_secs.max(1)),
        started,
        args.samples_csv.clone(),
    ));
    let mut running = JoinSet::new();
    for (index, user) in users.into_iter().enumerate() {
        // Users start spread over one period, not in step.
        let phase = period.mul_f64(index as f64 / n_users as f64);
        running.spawn(user.run(shared.clone(), period, phase));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    shared.stop.cancel();
    let load_secs = started.elapsed().as_secs_f64();

    let mut users = Vec::with_capacity(n_users);
    let stopping = tokio::time::timeout(STOP_GRACE, async {
        while let Some(done) = running.join_next().await {
            match done {
                Ok(user) => users.push(user),
                Err(err) => eprintln!("a user task failed: {err}"),
            }
        }
    })
    .await;
    if stopping.is_err() {
        running.abort_all();
        bail!("users did not stop within {} s", STOP_GRACE.as_secs());
    }
    if users.len() < n_users {
        bail!("{} user tasks failed", n_users - users.len());
    }
    users.sort_by_key(|user| user.index);
    let samples = sampler.await.context("sampler task")??;

    eprintln!("checking every live group");
    let outcome = verify::check(&shared, &mut users).await?;
    samples::report(
        common,
        &shared,
        samples::Run {
            seconds: load_secs,
            users: n_users,
            target_rate: args.rate,
            warmup_secs: warmup as f64,
            window_secs: args.sample_secs.max(1),
            samples: &samples,
            outcome: &outcome,
        },
    )?;
    let corrupt = shared.corrupt.load(Ordering::Relaxed);
    if outcome.lost + outcome.duplicated + outcome.gaps + corrupt > 0 {
        bail!(
            "lost {}, duplicated {}, seq gaps {}, corrupt downloads {corrupt}",
            outcome.lost,
            outcome.duplicated,
            outcome.gaps
        );
    }
    Ok(())
}

/// The directory's answer once it lists a live file server (it hears
/// from them within a second or two of a start).
async fn directory(http: &HttpClient, url: &str) -> anyhow::Result<Directory> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = Directory::lookup(http, url).await;
        match answer {
            Ok(directory) if directory.file_servers.values().any(|server| server.up) => {
                return Ok(directory)
            }
            _ if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Ok(_) => bail!("the directory at {url} lists no live file server"),
            Err(err) => return Err(err).context(format!("asking the directory at {url}")),
        }
    }
}

async fn sign_in_all(
    shared: &Arc<Shared>,
    args: &SoakArgs,
    n_users: usize,
) -> anyhow::Result<Vec<User>> {
    let permits = Arc::new(Semaphore::new(32));
    let mut signing = JoinSet::new();
    for index in 0..n_users {
        let (shared, permits) = (shared.clone(), permits.clone());
        let account = format!("{}-{index}", args.prefix);
        let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(index as u64);
        signing.spawn(async move {
            let _permit = permits.acquire().await;
            User::sign_in(&shared, index, account, seed).await
        });
    }
    let mut users = Vec::with_capacity(n_users);
    while let Some(signed) = signing.join_next().await {
        users.push(signed.context("sign-in task")?.context("sign in")?);
    }
    users.sort_by_key(|user| user.index);
    Ok(users)
}

/// Group g is owned by user g; user i also joins groups i·k … i·k+k−1
/// (mod the number of groups).
async fn stable_groups(
    shared: &Shared,
    users: &mut [User],
    n_groups: usize,
    per_user: usize,
) -> anyhow::Result<()> {
    let mut gids = Vec::with_capacity(n_groups);
    for (owner, user) in users.iter_mut().enumerate().take(n_groups) {
        let gid = user
            .create(CreateGroupRequest {
                name: format!("soak {owner}"),
                member_cap: STABLE_MEMBER_CAP,
                ..CreateGroupRequest::default()
            })
            .await
            .context("creating a long-lived group")?;
        gids.push(gid);
        lock(&shared.registry).stable.push((gid, owner));
    }
    for (index, user) in users.iter_mut().enumerate() {
        for k in 0..per_user {
            let gid = gids[(index * per_user + k) % n_groups];
            user.join_stable(gid)
                .await
                .context("joining a long-lived group")?;
        }
    }
    Ok(())
}
