//! `roll` and `rollback`: restarting (or upgrading) a running cluster one
//! process at a time without losing a message.
//!
//! The release is installed and switched on every host first (nothing
//! restarts then; a running process keeps the binary it started with).
//! Then processes restart one at a time, in start order: storage, disps
//! (never the last live one), presence, chat, logic, conn_servs (each
//! drained first: out of the directory, its clients told to reconnect
//! elsewhere, and given time to go), then file, directory and console.
//! Each step waits until manage_serv hears from the new process (live in
//! the fabric and answering) before the next; the first failure stops the
//! roll and says where it stopped and how to go back.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use schat_runtime::config::{ProcConfig, ProcKind};

use crate::deploy::{self, per_host, services_of, start_rank, Options};
use crate::health::Console;
use crate::release;
use crate::report::{Outcome, Report, Row};
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
    let staged = per_host(cluster, |host| -> anyhow::Result<String> {
        let plan = deploy::plan_host(
            cluster,
            host,
            &Options {
                procs: None,
                ..options.clone()
            },
        )?;
        if plan.changed.is_empty() {
            return Ok(plan.wanted.manifest.id);
        }
        release::install(
            cluster,
            host,
            &plan.wanted,
            &plan.installed,
            options.deadline,
        )?;
        let services = services_of(cluster, host)?;
        let procs: Vec<&ProcConfig> = cluster.procs_on(&host.name).collect();
        release::switch(host, &plan.wanted.manifest.id)?;
        services.install(&procs)?;
        Ok(plan.wanted.manifest.id)
    });
    let mut failed = false;
    for (host, result) in staged {
        match result {
            Ok(id) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Ok,
                format!("release {id} installed"),
            )),
            Err(err) => {
                failed = true;
                report.push(Row::failed(&host.name, &host.name, &err));
            }
        }
    }
    if failed {
        report
            .notes
            .push("nothing was restarted: a host could not take the release".to_string());
        return Ok(());
    }
    restart_in_turn(cluster, chosen, live_within, false, report)
}

/// Switches every host back to the release before its current one, then
/// restarts the processes one at a time as `roll` does.
pub fn rollback(
    cluster: &Cluster,
    live_within: Duration,
    report: &mut Report,
) -> anyhow::Result<()> {
    // Undo the last command that switched releases: the hosts whose last
    // switch carries its stamp go back; the others were not touched by it.
    let found = per_host(cluster, release::last_switch);
    let mut switches = Vec::new();
    for (host, result) in found {
        match result {
            Ok(last) => switches.push((host, last)),
            Err(err) => report.push(Row::failed(&host.name, &host.name, &err)),
        }
    }
    if report.failed() {
        report.notes.push(
            "nothing was switched or restarted: a host's history could not be read".to_string(),
        );
        return Ok(());
    }
    let latest = switches
        .iter()
        .map(|(_, last)| last.stamp)
        .max()
        .unwrap_or(0);
    let mut targets = Vec::new();
    for (host, last) in switches {
        match (&last.before, last.stamp == latest) {
            (Some(before), true) => targets.push((host, last.now.clone(), before.clone())),
            (None, true) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Failed,
                format!(
                    "{} is its first release: there is nothing to go back to",
                    last.now
                ),
            )),
            (_, false) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Unchanged,
                format!("release {} (the last switch did not touch it)", last.now),
            )),
        }
    }
    if report.failed() || targets.is_empty() {
        report
            .notes
            .push("nothing was switched or restarted: no release to go back to".to_string());
        return Ok(());
    }
    let switched: Vec<&str> = targets
        .iter()
        .map(|(host, _, _)| host.name.as_str())
        .collect();
    let chosen: Vec<&ProcConfig> = cluster
        .config
        .procs
        .iter()
        .filter(|proc| switched.contains(&proc.host.as_str()))
        .collect();
    for (host, now, before) in &targets {
        match release::switch(host, before) {
            Ok(()) => report.push(Row::new(
                &host.name,
                &host.name,
                Outcome::Ok,
                format!("release {now} -> {before}"),
            )),
            Err(err) => {
                report.push(Row::failed(&host.name, &host.name, &err));
                report
                    .notes
                    .push("nothing was restarted: a host could not switch back".to_string());
                return Ok(());
            }
        }
    }
    // Going back is for when something is down: restart whatever state.
    restart_in_turn(cluster, chosen, live_within, true, report)
}

fn restart_in_turn(
    cluster: &Cluster,
    mut chosen: Vec<&ProcConfig>,
    live_within: Duration,
    going_back: bool,
    report: &mut Report,
) -> anyhow::Result<()> {
    chosen.sort_by_key(|proc| start_rank(proc.kind));
    let mut console = Console::new(cluster)?;
    // A roll starts from a healthy cluster: every chosen process live.
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
    if !down.is_empty() && !going_back {
        bail!(
            "not live in the fabric before the roll: {} (start them, or leave them out of the pattern)",
            down.join(", ")
        );
    }
    let started = Instant::now();
    for (step, proc) in chosen.iter().enumerate() {
        let host = cluster.host_of(proc);
        cluster.progress.say(
            "roll",
            &format!("{}/{}: {}", step + 1, chosen.len(), proc.name),
        );
        let began = Instant::now();
        match restart_one(cluster, &mut console, proc, live_within) {
            Ok(detail) => report.push(Row::new(
                &proc.name,
                &host.name,
                Outcome::Ok,
                format!(
                    "{detail}; live again after {:.1} s",
                    began.elapsed().as_secs_f64()
                ),
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
                     the rest were not restarted. To go back: `schat-push rollback` (switches every \
                     host to its previous release and restarts one at a time); to go on after \
                     fixing the cause: `schat-push roll` again.",
                    proc.name
                ));
                return Ok(());
            }
        }
    }
    report.notes.push(format!(
        "rolled {} processes in {:.1} s",
        chosen.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn restart_one(
    cluster: &Cluster,
    console: &mut Console<'_>,
    proc: &ProcConfig,
    live_within: Duration,
) -> anyhow::Result<String> {
    let host = cluster.host_of(proc);
    let services = services_of(cluster, host)?;
    let mut detail = Vec::new();
    if proc.kind == ProcKind::DispServ {
        let others_live = console
            .procs()?
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
    let live = console
        .proc(&proc.name)?
        .is_some_and(|seen| seen.state == "up");
    if proc.kind == ProcKind::ConnServ && live {
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
    let since_ms = schat_runtime::time::now_ms().saturating_sub(1_000);
    services.restart(&proc.name, live_within.min(Duration::from_secs(30)))?;
    console.wait_live(&proc.name, since_ms, live_within)?;
    detail.push("restarted".to_string());
    Ok(detail.join(", "))
}
