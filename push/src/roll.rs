//! `roll` and `rollback`: restarting (or upgrading) a running cluster one
//! process at a time without losing a message.
//!
//! A roll first checks that the console answers and every chosen process
//! is live; then the release is installed on every host, and only when
//! every host has it is `current` switched everywhere (a failed switch
//! switches the others back). Nothing restarts then: a running process
//! keeps the binary it started with. Then processes restart one at a
//! time, in start order: storage, disps (never the last live one),
//! presence, chat, logic, conn_servs (each drained first: out of the
//! directory, its clients told to reconnect elsewhere, and given time to
//! go), then file, directory and console. Each step waits until
//! manage_serv hears from the new process (another pid or start time than
//! before, live in the fabric) before the next; the first failure stops
//! the roll and says where it stopped and how to go back.
//!
//! A rollback undoes the last command that switched releases and restarts
//! what it switched, down processes included, leaning on the supervisor
//! alone where the console does not answer.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use schat_runtime::config::{ClusterConfig, ProcConfig, ProcKind};

use crate::deploy::{self, per_host, services_of, start_rank, Options};
use crate::health::Console;
use crate::release::{self, CONFIG};
use crate::remote::Host;
use crate::report::{Outcome, Report, Row};
use crate::supervise::Services;
use crate::Cluster;

/// How long a drained conn_serv's clients have to leave.
const DRAIN_WITHIN: Duration = Duration::from_secs(15);

/// Installs the wanted release everywhere (when it changed), then restarts
/// the processes `pattern` names one at a time.
pub fn roll(
    cluster: &Cluster,
    pattern: Option<&str>,
    options: &Options<'_>,
    live_within: Duration,
    report: &mut Report,
) -> anyhow::Result<()> {
    let chosen = cluster.select(pattern)?;
    // A roll starts from a healthy cluster: the console answers and every
    // chosen process is live. Nothing is touched otherwise.
    let mut console = Console::new(cluster)?;
    let before = console
        .procs()
        .context("the console must answer before a roll")?;
    let down: Vec<&str> = chosen
        .iter()
        .filter(|proc| {
            !before
                .iter()
                .any(|seen| seen.name == proc.name && seen.state == "up")
        })
        .map(|proc| proc.name.as_str())
        .collect();
    if !down.is_empty() {
        bail!(
            "not live in the fabric before the roll: {} (start them, or leave them out of the \
             pattern); nothing was changed",
            down.join(", ")
        );
    }
    // Install everywhere first; switch only when every host has it.
    let staged = per_host(cluster, |host| -> anyhow::Result<Option<String>> {
        let whole = Options {
            procs: None,
            ..options.clone()
        };
        let plan = deploy::plan_host(cluster, host, &whole)?;
        deploy::stage(cluster, &plan, options.deadline)
    });
    let mut to_switch = Vec::new();
    let mut failed = false;
    for (host, result) in staged {
        match result {
            Ok(Some(id)) => to_switch.push((host, id)),
            Ok(None) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Unchanged,
                "release unchanged",
            )),
            Err(err) => {
                failed = true;
                report.push(Row::failed(&host.name, &host.name, &err));
            }
        }
    }
    if failed {
        for (host, id) in &to_switch {
            report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Unchanged,
                format!("release {id} installed beside the current one, not switched to"),
            ));
        }
        report.notes.push(
            "nothing was switched or restarted: a host could not take the release".to_string(),
        );
        return Ok(());
    }
    if let Err((host, err)) = switch_all(&to_switch, report) {
        report.push(Row::failed(&host.name, &host.name, &err));
        report.notes.push(
            "nothing was restarted: a host could not switch, and the others were switched back"
                .to_string(),
        );
        return Ok(());
    }
    restart_in_turn(cluster, Some(console), chosen, live_within, false, report)
}

/// Switches every host to its release; on a failure switches back those
/// already switched and answers the host that failed.
fn switch_all<'a>(
    switches: &[(&'a Host, String)],
    report: &mut Report,
) -> Result<(), (&'a Host, anyhow::Error)> {
    let mut done: Vec<(&Host, String)> = Vec::new();
    for (host, id) in switches {
        let was = release::last_switch(host).ok().map(|last| last.now);
        match release::switch(host, id) {
            Ok(()) => done.push((host, was.unwrap_or_default())),
            Err(err) => {
                for (back, was) in &done {
                    if !was.is_empty() {
                        let _ = release::switch(back, was);
                    }
                }
                return Err((host, err));
            }
        }
    }
    for (host, id) in switches {
        report.push(Row::new(
            &host.name,
            &host.name,
            Outcome::Ok,
            format!("switched to release {id}"),
        ));
    }
    Ok(())
}

/// Undoes the last command that switched releases: the hosts it switched
/// go back to the release they had before and their processes restart in
/// turn; a host it installed first has its processes stopped.
pub fn rollback(
    cluster: &Cluster,
    live_within: Duration,
    report: &mut Report,
) -> anyhow::Result<()> {
    let found = per_host(cluster, release::last_switch);
    let mut switches = Vec::new();
    for (host, result) in found {
        match result {
            Ok(last) => switches.push((host, last)),
            // Never deployed: nothing to undo there.
            Err(err) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Unchanged,
                format!("no release history ({err:#})"),
            )),
        }
    }
    let latest = switches
        .iter()
        .map(|(_, last)| last.stamp)
        .max()
        .unwrap_or(0);
    let mut targets = Vec::new();
    let mut first_installs = Vec::new();
    for (host, last) in switches {
        match (&last.before, last.stamp == latest) {
            (Some(before), true) => targets.push((host, before.clone())),
            (None, true) => first_installs.push(host),
            (_, false) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Unchanged,
                format!("release {} (the last switch did not touch it)", last.now),
            )),
        }
    }
    if targets.is_empty() && first_installs.is_empty() {
        bail!("no host has a release to go back to");
    }
    if let Err((host, err)) = switch_all(&targets, report) {
        report.push(Row::failed(&host.name, &host.name, &err));
        report.notes.push(
            "nothing was restarted: a host could not switch back, and the others were switched \
             forward again"
                .to_string(),
        );
        return Ok(());
    }
    // A host the last command installed first had nothing before it.
    for host in first_installs {
        let names: Vec<&str> = cluster
            .procs_on(&host.name)
            .map(|proc| proc.name.as_str())
            .collect();
        let stopped = services_of(cluster, host)
            .and_then(|services| services.stop(&names, Duration::from_secs(30)));
        report.push(match stopped {
            Ok(()) => Row::new(
                &host.name,
                &host.name,
                Outcome::Ok,
                "its first release: its processes were stopped",
            ),
            Err(err) => Row::failed(&host.name, &host.name, &err),
        });
    }
    // What runs on a switched host is what the release gone back to
    // lists: its services are written again (a process the last deploy
    // removed comes back) and processes it does not list are stopped.
    let mut listed: Vec<(&Host, ClusterConfig)> = Vec::new();
    for (host, _) in &targets {
        let text = host.run(&format!("cat {}", host.path(&format!("current/{CONFIG}"))))?;
        let config = ClusterConfig::parse(&text).map_err(|err| {
            anyhow::anyhow!(
                "the cluster file of the release {} went back to: {err}",
                host.name
            )
        })?;
        listed.push((host, config));
    }
    let mut chosen: Vec<&ProcConfig> = Vec::new();
    for (host, config) in &listed {
        let old: Vec<&ProcConfig> = config.procs_on_host(&host.name).collect();
        let services = services_of(cluster, host)?;
        services.install(&old)?;
        let extra: Vec<&str> = cluster
            .procs_on(&host.name)
            .filter(|proc| !old.iter().any(|listed| listed.name == proc.name))
            .map(|proc| proc.name.as_str())
            .collect();
        if !extra.is_empty() {
            services.stop(&extra, Duration::from_secs(30))?;
            report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Ok,
                format!(
                    "stopped {} (not in the release gone back to)",
                    extra.join(", ")
                ),
            ));
        }
        chosen.extend(old);
    }
    // Going back is for when something is down, the console perhaps too.
    let console = Console::new(cluster).ok();
    restart_in_turn(cluster, console, chosen, live_within, true, report)
}

fn restart_in_turn(
    cluster: &Cluster,
    mut console: Option<Console<'_>>,
    mut chosen: Vec<&ProcConfig>,
    live_within: Duration,
    going_back: bool,
    report: &mut Report,
) -> anyhow::Result<()> {
    chosen.sort_by_key(|proc| start_rank(proc.kind));
    let started = Instant::now();
    // Each host's supervisor, probed once for the whole roll.
    let mut supervisors: BTreeMap<&str, Services<'_>> = BTreeMap::new();
    for (step, proc) in chosen.iter().enumerate() {
        let host = cluster.host_of(proc);
        cluster.progress.say(
            "roll",
            &format!("{}/{}: {}", step + 1, chosen.len(), proc.name),
        );
        let began = Instant::now();
        let services = match supervisors.entry(host.name.as_str()) {
            Entry::Occupied(found) => Ok(found.into_mut()),
            Entry::Vacant(slot) => services_of(cluster, host).map(|services| slot.insert(services)),
        };
        let restarted = services.and_then(|services| {
            restart_one(
                cluster,
                services,
                console.as_mut(),
                proc,
                live_within,
                going_back,
            )
        });
        match restarted {
            Ok(detail) => report.push(Row::new(
                &proc.name,
                &host.name,
                Outcome::Ok,
                format!("{detail} after {:.1} s", began.elapsed().as_secs_f64()),
            )),
            Err(err) => {
                report.push(Row::failed(&proc.name, &host.name, &err));
                for rest in &chosen[step + 1..] {
                    report.push(Row::new(
                        &rest.name,
                        &cluster.host_of(rest).name,
                        Outcome::Unchanged,
                        "not restarted: the roll stopped",
                    ));
                }
                report.notes.push(format!(
                    "the roll stopped at {} ({err:#}). The processes before it run the new release; \
                     the rest were not restarted. To go back: `schat-push rollback` (switches the \
                     hosts back to their previous release and restarts one at a time); to go on \
                     after fixing the cause: `schat-push roll` again.",
                    proc.name
                ));
                return Ok(());
            }
        }
    }
    report.notes.push(format!(
        "restarted {} processes in turn in {:.1} s",
        chosen.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn restart_one(
    cluster: &Cluster,
    services: &Services<'_>,
    mut console: Option<&mut Console<'_>>,
    proc: &ProcConfig,
    live_within: Duration,
    going_back: bool,
) -> anyhow::Result<String> {
    let mut detail = Vec::new();
    // The fabric's view, when the console answers (a rollback goes on
    // without it).
    let seen = match console.as_deref_mut().map(|console| console.procs()) {
        Some(Ok(procs)) => Some(procs),
        Some(Err(err)) if !going_back => return Err(err),
        _ => None,
    };
    let before = seen
        .as_ref()
        .and_then(|procs| procs.iter().find(|seen| seen.name == proc.name).cloned());
    let live = before.as_ref().is_some_and(|seen| seen.state == "up");
    if let (ProcKind::DispServ, true, Some(procs)) = (proc.kind, live, &seen) {
        let others_live = procs
            .iter()
            .filter(|seen| seen.name != proc.name && seen.state == "up")
            .filter(|seen| {
                cluster
                    .config
                    .proc_by_name(&seen.name)
                    .is_ok_and(|p| p.kind == ProcKind::DispServ)
            })
            .count();
        if others_live == 0 {
            bail!(
                "{} is the last live disp_serv: start another before restarting it",
                proc.name
            );
        }
    }
    if let (ProcKind::ConnServ, true, Some(console)) = (proc.kind, live, console.as_deref_mut()) {
        console.drain(&proc.name)?;
        let deadline = Instant::now() + DRAIN_WITHIN;
        let mut left = u64::MAX;
        while Instant::now() < deadline {
            left = console.proc(&proc.name)?.map_or(0, |seen| seen.connections);
            if left == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        detail.push(if left == 0 {
            "drained".to_string()
        } else {
            format!(
                "drained ({left} clients still connected after {} s)",
                DRAIN_WITHIN.as_secs()
            )
        });
    }
    services.restart(&proc.name, live_within.min(Duration::from_secs(30)))?;
    detail.push("restarted".to_string());
    match (console, seen.is_some()) {
        (Some(console), true) => {
            console.wait_live(&proc.name, before.as_ref(), live_within)?;
            detail.push("live in the fabric".to_string());
        }
        _ => detail.push("running (by its supervisor; the console did not answer)".to_string()),
    }
    Ok(detail.join(", "))
}
