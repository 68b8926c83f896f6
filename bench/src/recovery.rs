//! `reconnect` and `catchup`: how fast users get back to the present.
//!
//! reconnect: N users in groups are connected; all drop at once while their
//! groups get new messages; all come back with their tokens, list their
//! groups and pull what they missed. Reports the time until 99% and 100%
//! of them are caught up.
//!
//! catchup: one user in G groups is offline while K messages arrive across
//! them; it logs in with its token and pulls everything. Reports the time
//! to full sync.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use schat_client::{
    Client, ClientError, ClientOptions, CreateGroupRequest, MessageSync, ResultCode,
};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::report::json_line;
use crate::Common;

const PASSWORD: &str = "bench-password";

#[derive(Debug, clap::Args)]
pub struct ReconnectArgs {
    /// Users (each in one group).
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// Members per group.
    #[arg(long, default_value_t = 100)]
    members: usize,
    /// Messages each group gets while its members are away.
    #[arg(long, default_value_t = 10)]
    missed: usize,
    #[arg(long, default_value = "reconnect")]
    prefix: String,
    /// Connections or logins in flight at once during setup.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
}

#[derive(Debug, clap::Args)]
pub struct CatchupArgs {
    /// Groups the offline user is in.
    #[arg(long, default_value_t = 100)]
    groups: usize,
    /// Messages in all, spread evenly over the groups.
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    #[arg(long, default_value = "catchup")]
    prefix: String,
}

fn options(common: &Common, index: usize) -> ClientOptions {
    ClientOptions {
        local_ip: Some(common.source_ips[index % common.source_ips.len()]),
        request_timeout: Duration::from_secs(60),
        ..ClientOptions::default()
    }
}

/// Registers (if new) and logs in; returns the client and its token.
async fn sign_in(
    common: &Common,
    index: usize,
    account: &str,
) -> Result<(Client, String), ClientError> {
    let addr = &common.servers[index % common.servers.len()];
    let client = Client::connect_with(addr, options(common, index)).await?;
    match client.register(account, PASSWORD, "").await {
        Ok(_)
        | Err(ClientError::Server {
            code: ResultCode::AccountExists,
            ..
        }) => {}
        Err(err) => return Err(err),
    }
    let login = client.login_password(account, PASSWORD).await?;
    Ok((client, login.token))
}

/// Everything after the user's read cursor in each of its groups.
async fn catch_up(client: &Client) -> Result<usize, ClientError> {
    let mut pulled = 0;
    for state in client.my_groups().await? {
        let gid = state.group.as_ref().map_or(0, |group| group.gid);
        let mut sync = MessageSync::new();
        let missed = sync.catch_up(client, gid, state.read_seq + 1).await?;
        if let Some(last) = missed.last() {
            client.mark_read(gid, last.seq).await?;
        }
        pulled += missed.len();
    }
    Ok(pulled)
}

pub async fn reconnect(common: &Common, args: ReconnectArgs) -> anyhow::Result<()> {
    let n = args.clients;
    let members = args.members.clamp(2, n.max(2));
    let n_groups = n.div_ceil(members);
    eprintln!("setting up {n} users in {n_groups} groups");
    let permits = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut signing = JoinSet::new();
    for index in 0..n {
        let account = format!("{}-{index}", args.prefix);
        let permits = permits.clone();
        let common = common.clone();
        signing.spawn(async move {
            let _permit = permits.acquire().await;
            sign_in(&common, index, &account)
                .await
                .map(|signed| (index, signed))
        });
    }
    let mut users: Vec<Option<(Client, String)>> = (0..n).map(|_| None).collect();
    while let Some(result) = signing.join_next().await {
        let (index, signed) = result.context("sign-in task")?.context("sign in")?;
        users[index] = Some(signed);
    }
    let users: Vec<(Client, String)> = users.into_iter().flatten().collect();
    let mut gids = Vec::new();
    for group in 0..n_groups {
        let first = group * members;
        let owner = &users[first].0;
        let created = owner
            .create_group(CreateGroupRequest {
                name: format!("reconnect {group}"),
                member_cap: members as u32,
                ..CreateGroupRequest::default()
            })
            .await?;
        for (member, _) in users.iter().skip(first + 1).take(members - 1) {
            member.join_group(created.gid, "", "").await?;
        }
        // Everyone starts caught up.
        gids.push(created.gid);
    }
    for (index, (client, _)) in users.iter().enumerate() {
        let gid = gids[index / members];
        let latest = client.pull(gid, u64::MAX / 2, 1).await?.latest_seq;
        client.mark_read(gid, latest).await?;
    }

    eprintln!(
        "dropping all {n} connections; {} messages per group meanwhile",
        args.missed
    );
    let (clients, tokens): (Vec<Client>, Vec<String>) = users.into_iter().unzip();
    drop(clients);
    // Each group's owner writes while everyone is away (a password login
    // on a fresh connection; the tokens the others hold stay valid).
    for (group, gid) in gids.iter().enumerate() {
        let owner_index = group * members;
        let account = format!("{}-{owner_index}", args.prefix);
        let (writer, _) = sign_in(common, owner_index, &account).await?;
        for counter in 0..args.missed {
            writer
                .send_text(
                    *gid,
                    &format!("missed-{counter}"),
                    &format!("missed {counter}"),
                )
                .await?;
        }
    }

    eprintln!("all {n} reconnect with their tokens and catch up");
    let started = Instant::now();
    let mut returning = JoinSet::new();
    for (index, token) in tokens.into_iter().enumerate() {
        let addr = common.servers[index % common.servers.len()].clone();
        let options = options(common, index);
        returning.spawn(async move {
            let client = Client::connect_with(&addr, options).await?;
            client.login_token(&token).await?;
            let pulled = catch_up(&client).await?;
            Ok::<_, ClientError>((pulled, started.elapsed(), client))
        });
    }
    let mut done_at = Vec::with_capacity(n);
    let mut pulled_total = 0;
    let mut held = Vec::new();
    while let Some(result) = returning.join_next().await {
        let (pulled, at, client) = result.context("reconnect task")?.context("reconnect")?;
        pulled_total += pulled;
        done_at.push(at);
        held.push(client);
    }
    done_at.sort();
    let p99 = done_at[(n * 99 / 100).saturating_sub(1)].as_secs_f64();
    let all = done_at.last().map_or(0.0, Duration::as_secs_f64);
    let expected = n_groups * args.missed * members;
    println!(
        "reconnect: {n} users in {n_groups} groups of {members}, {} missed messages per group",
        args.missed
    );
    println!("  99% caught up after {p99:.2} s, 100% after {all:.2} s; {pulled_total} messages pulled (expected {expected})");
    println!(
        "{}",
        json_line(
            "reconnect",
            &common.commit,
            &[
                ("seconds", json!(all)),
                ("clients", json!(n)),
                ("p99_s", json!(p99)),
                ("all_s", json!(all)),
                ("pulled", json!(pulled_total)),
                ("lost", json!(expected.saturating_sub(pulled_total))),
            ],
        )
    );
    if pulled_total < expected {
        bail!(
            "{} missed messages were not pulled",
            expected - pulled_total
        );
    }
    Ok(())
}

pub async fn catchup(common: &Common, args: CatchupArgs) -> anyhow::Result<()> {
    let (writer, _) = sign_in(common, 0, &format!("{}-writer", args.prefix)).await?;
    let (reader, token) = sign_in(common, 1, &format!("{}-reader", args.prefix)).await?;
    let mut gids = Vec::new();
    for group in 0..args.groups {
        let created = writer
            .create_group(CreateGroupRequest {
                name: format!("catchup {group}"),
                ..CreateGroupRequest::default()
            })
            .await?;
        reader.join_group(created.gid, "", "").await?;
        gids.push(created.gid);
    }
    drop(reader);
    eprintln!(
        "{} messages across {} groups while the reader is away",
        args.messages, args.groups
    );
    let writer = Arc::new(writer);
    // One connection may have at most 64 requests in flight.
    let in_flight = Arc::new(Semaphore::new(32));
    let mut sending = JoinSet::new();
    let per_group = args.messages / args.groups.max(1);
    for gid in gids.clone() {
        let (writer, in_flight) = (writer.clone(), in_flight.clone());
        sending.spawn(async move {
            for counter in 0..per_group {
                let _permit = in_flight.acquire().await;
                writer
                    .send_text(gid, &format!("c{counter}"), &format!("catch up {counter}"))
                    .await?;
            }
            Ok::<_, ClientError>(())
        });
    }
    while let Some(result) = sending.join_next().await {
        result.context("send task")??;
    }

    let started = Instant::now();
    let addr = &common.servers[1 % common.servers.len()];
    let reader = Client::connect_with(addr, options(common, 1)).await?;
    reader.login_token(&token).await?;
    let pulled = catch_up(&reader).await?;
    let seconds = started.elapsed().as_secs_f64();
    let expected = per_group * args.groups;
    println!(
        "catchup: {expected} messages across {} groups pulled in {seconds:.3} s (login included)",
        args.groups
    );
    println!(
        "{}",
        json_line(
            "catchup",
            &common.commit,
            &[
                ("seconds", json!(seconds)),
                ("clients", json!(1)),
                ("msgs_per_s", json!((pulled as f64 / seconds).round())),
                ("pulled", json!(pulled)),
                ("lost", json!(expected.saturating_sub(pulled))),
            ],
        )
    );
    if pulled < expected {
        bail!("{} messages were not pulled", expected - pulled);
    }
    Ok(())
}
