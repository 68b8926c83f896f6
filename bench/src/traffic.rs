//! `ingest`, `fanout` and `direct`: users in conversations send messages
//! and receive each other's. ingest: every member sends (many small
//! groups); fanout: one member per group sends (few large groups); direct:
//! pairs of users in their direct conversations, both sending. Each message carries its
//! sender, a per-sender counter and its send time, so every receiver can
//! count lost, duplicated and re-ordered deliveries and time each one.
//! After the run every receiver pulls what pushes missed: an acknowledged
//! message missing even then is lost, and the run fails.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use schat_client::{
    ChatMessage, Client, ClientError, ClientOptions, CreateGroupRequest, DeviceKind, MessageKind,
    MessageSync, Push, ResultCode,
};
use serde_json::json;
use tokio::task::JoinSet;

use crate::cpu::{self, CpuTimes};
use crate::report::{json_line, percentiles};
use crate::Common;

#[derive(Debug, clap::Args)]
pub struct TrafficArgs {
    /// Number of groups.
    #[arg(long)]
    groups: Option<usize>,
    /// Members per group (each a connected user).
    #[arg(long)]
    members: Option<usize>,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Messages each sender may have waiting for their acknowledgement.
    #[arg(long, default_value_t = 1)]
    in_flight: usize,
    /// Target total send rate in msgs/s, spread evenly over the senders
    /// (0: every sender as fast as its acknowledgements allow). A sender
    /// that falls behind does not catch up in a burst.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Account names are PREFIX-g<group>-m<member>.
    #[arg(long, default_value = "traffic")]
    prefix: String,
    /// Devices each user is logged in on (at most the cluster's
    /// auth.max_devices): the first sends, every one receives and is
    /// checked for lost, duplicated and re-ordered messages.
    #[arg(long, default_value_t = 1)]
    devices: usize,
}

#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Every member sends.
    Ingest,
    /// One member per group sends.
    Fanout,
    /// Pairs in direct conversations, both sending.
    Direct,
    /// Ingest's load against the bare relay.
    Floor,
}

const PASSWORD: &str = "bench-password";

fn lock(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros() as u64)
        .unwrap_or(0)
}

/// What one receiver saw. Kept cheap per push (the load generator shares
/// the cores with the cluster): a group has a handful of senders, found by
/// a linear scan, and each sender's counters are dense from 0, so times
/// delivered are a vector indexed by counter.
#[derive(Debug, Default)]
struct Seen {
    senders: Vec<SenderSeen>,
    /// Highest seq pushed so far: a group's pushes must arrive in seq
    /// order (the order the group stored them), whatever the senders.
    last_seq: u64,
    reordered: u64,
    pushed: u64,
    latency_us: Vec<u64>,
}

#[derive(Debug)]
struct SenderSeen {
    uid: u64,
    /// Times delivered, by counter.
    counts: Vec<u8>,
}

impl Seen {
    fn record(&mut self, message: &ChatMessage, pushed: bool) {
        let Some((counter, sent_us)) = parse(&message.text) else {
            return;
        };
        let uid = message.sender_uid;
        let index = match self.senders.iter().position(|sender| sender.uid == uid) {
            Some(index) => index,
            None => {
                self.senders.push(SenderSeen {
                    uid,
                    counts: Vec::new(),
                });
                self.senders.len() - 1
            }
        };
        let sender = &mut self.senders[index];
        let slot = counter as usize;
        if sender.counts.len() <= slot {
            sender.counts.resize(slot + 1, 0);
        }
        sender.counts[slot] = sender.counts[slot].saturating_add(1);
        if pushed {
            if message.seq < self.last_seq {
                self.reordered += 1;
            }
            self.last_seq = self.last_seq.max(message.seq);
            self.pushed += 1;
            self.latency_us.push(now_us().saturating_sub(sent_us));
        }
    }

    /// Times (sender, counter) was pushed.
    fn times(&self, uid: u64, counter: u64) -> u8 {
        self.senders
            .iter()
            .find(|sender| sender.uid == uid)
            .and_then(|sender| sender.counts.get(counter as usize).copied())
            .unwrap_or(0)
    }
}

/// `<counter>:<send time us>:<padding>`
fn parse(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

pub async fn run(common: &Common, args: TrafficArgs, shape: Shape) -> anyhow::Result<()> {
    let (default_groups, default_members) = match shape {
        Shape::Ingest | Shape::Floor => (100, 5),
        Shape::Fanout => (20, 100),
        // As many connections as ingest's default.
        Shape::Direct => (250, 2),
    };
    let n_groups = args.groups.unwrap_or(default_groups);
    let n_members = match shape {
        Shape::Direct => 2,
        _ => args.members.unwrap_or(default_members).max(2),
    };
    let scenario = match shape {
        Shape::Ingest => "ingest",
        Shape::Fanout => "fanout",
        Shape::Floor => "floor",
        Shape::Direct => "direct",
    };
    let n_devices = args.devices.max(1);
    let n_users = n_groups * n_members;
    eprintln!(
        "setting up {n_groups} groups x {n_members} members x {n_devices} devices ({} connections)",
        n_users * n_devices
    );
    let connect = |index: usize| {
        let options = ClientOptions {
            local_ip: Some(common.source_ips[index % common.source_ips.len()]),
            request_timeout: Duration::from_secs(30),
            ..ClientOptions::default()
        };
        let addr = common.servers[index % common.servers.len()].clone();
        async move { Client::connect_with(&addr, options).await }
    };
    let mut clients: Vec<Vec<Arc<Client>>> = Vec::new();
    let mut gids = Vec::new();
    for group in 0..n_groups {
        let mut members = Vec::new();
        let mut uids = Vec::new();
        for member in 0..n_members {
            let index = group * n_members + member;
            let client = connect(index).await?;
            client.set_device("d0", DeviceKind::Desktop);
            let account = format!("{}-g{group}-m{member}", args.prefix);
            match client.register(&account, PASSWORD, "").await {
                Ok(_)
                | Err(ClientError::Server {
                    code: ResultCode::AccountExists,
                    ..
                }) => {}
                Err(err) => return Err(err).context("register"),
            }
            uids.push(client.login_password(&account, PASSWORD).await?.uid);
            members.push(Arc::new(client));
        }
        let gid = match shape {
            Shape::Direct => members[0].open_direct(uids[1]).await?.gid,
            _ => {
                let created = members[0]
                    .create_group(CreateGroupRequest {
                        name: format!("{scenario} {group}"),
                        member_cap: n_members as u32,
                        ..CreateGroupRequest::default()
                    })
                    .await?;
                for member in &members[1..] {
                    member.join_group(created.gid, "", "").await?;
                }
                created.gid
            }
        };
        // The users' other devices: receivers, after the senders in the
        // list (senders are taken from its front).
        for member in 0..n_members {
            let account = format!("{}-g{group}-m{member}", args.prefix);
            for device in 1..n_devices {
                let index = n_users * device + group * n_members + member;
                let client = connect(index).await?;
                client.set_device(&format!("d{device}"), DeviceKind::Phone);
                client
                    .login_password(&account, PASSWORD)
                    .await
                    .context("login of another device")?;
                members.push(Arc::new(client));
            }
        }
        gids.push(gid);
        clients.push(members);
    }
    // Everyone's setup pushes (joins) are not part of the run.
    let baseline: Vec<u64> = {
        let mut latest = Vec::new();
        for (group, gid) in gids.iter().enumerate() {
            latest.push(clients[group][0].pull(*gid, 1, 0).await?.latest_seq);
        }
        latest
    };

    let stop = Arc::new(AtomicBool::new(false));
    let seen: Vec<Vec<Arc<Mutex<Seen>>>> = clients
        .iter()
        .map(|members| members.iter().map(|_| Arc::default()).collect())
        .collect();
    let mut receivers = JoinSet::new();
    for (group, members) in clients.iter().enumerate() {
        for (member, client) in members.iter().enumerate() {
            let (client, seen, gid) = (client.clone(), seen[group][member].clone(), gids[group]);
            let after = baseline[group];
            receivers.spawn(async move {
                while let Some(push) = client.next_push().await {
                    if let Push::Message(message) = push {
                        if message.gid == gid
                            && message.seq > after
                            && message.kind() == MessageKind::Text
                        {
                            lock(&seen).record(&message, true);
                        }
                    }
                }
            });
        }
    }

    eprintln!("sending for {} s", args.seconds);
    let cpu_before = CpuTimes::sample(&common.pids_dir);
    let acked = Arc::new(AtomicU64::new(0));
    let mut ack_latency = Vec::new();
    let mut senders = JoinSet::new();
    let started = Instant::now();
    let senders_per_group = match shape {
        Shape::Ingest | Shape::Floor | Shape::Direct => n_members,
        Shape::Fanout => 1,
    };
    let total_lanes = (n_groups * senders_per_group * args.in_flight.max(1)) as f64;
    let pace = (args.rate > 0).then(|| Duration::from_secs_f64(total_lanes / args.rate as f64));
    for (group, members) in clients.iter().enumerate() {
        let n_senders = senders_per_group;
        for (member, client) in members.iter().take(n_senders).enumerate() {
            for lane in 0..args.in_flight.max(1) {
                let (client, stop, acked, gid) =
                    (client.clone(), stop.clone(), acked.clone(), gids[group]);
                let lanes = args.in_flight.max(1) as u64;
                let lane_index =
                    (group * senders_per_group + member) * args.in_flight.max(1) + lane;
                let stagger = lane_index as f64 / total_lanes;
                senders.spawn(async move {
                    let mut latencies = Vec::new();
                    let mut sent = Vec::new();
                    let mut counter = lane as u64;
                    // Senders start spread over one period, not in step,
                    // so a paced load is steady rather than bursts.
                    let mut ticks = pace.map(|period| {
                        let phase = period.mul_f64(stagger);
                        let mut ticks =
                            tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
                        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        ticks
                    });
                    while !stop.load(Ordering::Relaxed) {
                        if let Some(ticks) = ticks.as_mut() {
                            ticks.tick().await;
                        }
                        let text = format!("{counter}:{}:{member}", now_us());
                        let id = format!("{lane}-{counter}");
                        let begun = Instant::now();
                        match client.send_text(gid, &id, &text).await {
                            Ok(_) => {
                                latencies.push(begun.elapsed().as_micros() as u64);
                                acked.fetch_add(1, Ordering::Relaxed);
                                sent.push(counter);
                                counter += lanes;
                            }
                            Err(ClientError::Server {
                                code: ResultCode::Unavailable | ResultCode::Busy,
                                ..
                            }) => {
                                tokio::time::sleep(Duration::from_millis(5)).await;
                            }
                            Err(err) => return Err(err),
                        }
                    }
                    Ok((group, sent, latencies))
                });
            }
        }
    }
    let progress_stop = stop.clone();
    let progress_acked = acked.clone();
    let progress = tokio::spawn(async move {
        let mut last = 0;
        while !progress_stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = progress_acked.load(Ordering::Relaxed);
            eprintln!("  {} acked msgs/s", now - last);
            last = now;
        }
    });
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let cpu_used = CpuTimes::sample(&common.pids_dir).since(&cpu_before);
    let cpu_wall = started.elapsed().as_secs_f64();
    let mut acked_per_group: Vec<usize> = vec![0; n_groups];
    while let Some(result) = senders.join_next().await {
        let (group, sent, latencies) = result.context("sender task")??;
        acked_per_group[group] += sent.len();
        ack_latency.extend(latencies);
    }
    let elapsed = started.elapsed().as_secs_f64();
    progress.abort();

    // Let in-flight pushes land, then fill whatever pushes missed.
    let total_acked: u64 = acked_per_group.iter().map(|&n| n as u64).sum();
    let expected_deliveries: u64 = acked_per_group
        .iter()
        .map(|&n| (n * n_members * n_devices) as u64)
        .sum();
    let drain_until = Instant::now() + Duration::from_secs(10);
    loop {
        let mut pushed = 0;
        for members in &seen {
            for member in members {
                pushed += lock(member).pushed;
            }
        }
        if pushed >= expected_deliveries || Instant::now() >= drain_until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receivers.abort_all();

    let mut delivery = Histogram::<u64>::new(3).context("histogram")?;
    let (mut lost, mut duplicated, mut reordered, mut pushed, mut pulled) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for (group, members) in clients.iter().enumerate() {
        for (member, client) in members.iter().enumerate() {
            // The receivers have stopped: take what this one saw.
            let seen = std::mem::take(&mut *lock(&seen[group][member]));
            // The pull is the truth: fetch the whole run and count what
            // pushes did not bring.
            let mut sync = MessageSync::new();
            let all = sync
                .catch_up(client, gids[group], baseline[group] + 1)
                .await?;
            let mut truth: HashMap<(u64, u64), u32> = HashMap::new();
            for message in all.iter().filter(|m| m.kind() == MessageKind::Text) {
                if let Some((counter, _)) = parse(&message.text) {
                    *truth.entry((message.sender_uid, counter)).or_insert(0) += 1;
                }
            }
            for (key, times) in &truth {
                if *times > 1 {
                    duplicated += u64::from(times - 1);
                }
                match seen.times(key.0, key.1) {
                    0 => pulled += 1,
                    1 => {}
                    delivered => duplicated += u64::from(delivered - 1),
                }
            }
            reordered += seen.reordered;
            pushed += seen.pushed;
            for &latency in &seen.latency_us {
                delivery.record(latency.max(1)).context("histogram")?;
            }
            let stored: u64 = truth.len() as u64;
            let acked_here = acked_per_group[group] as u64;
            lost += acked_here.saturating_sub(stored);
        }
    }
    let mut acks = Histogram::<u64>::new(3).context("histogram")?;
    for latency in ack_latency {
        acks.record(latency.max(1)).context("histogram")?;
    }
    let (a50, a99, a999) = percentiles(&acks);
    let (d50, d99, d999) = percentiles(&delivery);
    let msgs_per_s = total_acked as f64 / elapsed;
    let deliveries_per_s = pushed as f64 / elapsed;

    let target = match args.rate {
        0 => "unpaced".to_string(),
        rate => format!("target {rate} msgs/s"),
    };
    let devices = match n_devices {
        1 => String::new(),
        n => format!(" x {n} devices"),
    };
    println!(
        "{scenario}: {n_groups} groups x {n_members} members{devices}, {target}, {elapsed:.1} s"
    );
    println!("  acknowledged:  {total_acked} msgs, {msgs_per_s:.0} msgs/s; ack latency ms p50 {a50:.2} p99 {a99:.2} p99.9 {a999:.2}");
    println!("  pushed:        {pushed} deliveries, {deliveries_per_s:.0}/s; delivery latency ms p50 {d50:.2} p99 {d99:.2} p99.9 {d999:.2}");
    println!(
        "  filled by pull: {pulled}; lost {lost}; duplicated {duplicated}; reordered {reordered}"
    );
    let cpu = cpu::by_kind(&cpu_used, total_acked as f64, cpu_wall);
    if !cpu.is_empty() {
        let total: f64 = cpu.iter().map(|(_, _, cores)| cores).sum();
        println!(
            "  CPU while sending ({total:.2} cores busy in all; µs per acked message, cores):"
        );
        for (kind, per_msg, cores) in &cpu {
            println!("    {kind:<14} {per_msg:>8.1} µs  {cores:.2}");
        }
    }
    let cpu_json: serde_json::Map<String, serde_json::Value> = cpu
        .iter()
        .map(|(kind, per_msg, _)| (kind.clone(), json!((per_msg * 10.0).round() / 10.0)))
        .collect();
    println!(
        "{}",
        json_line(
            scenario,
            &common.commit,
            &[
                ("seconds", json!(elapsed)),
                ("clients", json!(n_users * n_devices)),
                ("msgs_per_s", json!(msgs_per_s.round())),
                ("deliveries_per_s", json!(deliveries_per_s.round())),
                ("p50_ms", json!(d50)),
                ("p99_ms", json!(d99)),
                ("p999_ms", json!(d999)),
                ("ack_p50_ms", json!(a50)),
                ("ack_p99_ms", json!(a99)),
                ("ack_p999_ms", json!(a999)),
                ("lost", json!(lost)),
                ("duplicated", json!(duplicated)),
                ("reordered", json!(reordered)),
                ("filled_by_pull", json!(pulled)),
                ("groups", json!(n_groups)),
                ("target_rate", json!(args.rate)),
                ("members", json!(n_members)),
                ("devices", json!(n_devices)),
                ("cpu_us_per_msg", serde_json::Value::Object(cpu_json)),
            ],
        )
    );
    if lost > 0 {
        bail!("{lost} acknowledged messages were lost");
    }
    Ok(())
}
