//! `start`, `stop`, `restart` and `status` of the processes a pattern
//! names, through each host's supervisor; hosts in parallel, and on each
//! host processes in start order (stop: the reverse).

use std::time::Duration;

use schat_runtime::config::ProcConfig;

use crate::deploy::{per_host, services_of, start_rank};
use crate::health::Console;
use crate::report::{Outcome, Report, Row};
use crate::Cluster;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Start,
    Stop,
    Restart,
}

impl Verb {
    fn name(self) -> &'static str {
        match self {
            Verb::Start => "started",
            Verb::Stop => "stopped",
            Verb::Restart => "restarted",
        }
    }
}

/// Starts, stops or restarts the processes `pattern` names.
pub fn act(
    cluster: &Cluster,
    pattern: Option<&str>,
    verb: Verb,
    report: &mut Report,
) -> anyhow::Result<()> {
    let chosen = cluster.select(pattern)?;
    let wait = Duration::from_secs(30);
    let results = per_host(cluster, |host| {
        let mut mine: Vec<&ProcConfig> = chosen
            .iter()
            .copied()
            .filter(|proc| proc.host == host.name)
            .collect();
        if mine.is_empty() {
            return Ok(Vec::new());
        }
        mine.sort_by_key(|proc| start_rank(proc.kind));
        if verb == Verb::Stop {
            mine.reverse();
        }
        let services = services_of(cluster, host)?;
        let names: Vec<&str> = mine.iter().map(|proc| proc.name.as_str()).collect();
        cluster
            .progress
            .say(&host.name, &format!("{} {}", verb.name(), names.join(", ")));
        // A host's processes together: each reconnects to its peers by
        // itself, so the order would only save a few retries.
        let done = match verb {
            Verb::Start => services.start(&names, wait),
            Verb::Stop => services.stop(&names, wait),
            Verb::Restart => services
                .stop(&names, wait)
                .and_then(|()| services.start(&names, wait)),
        };
        let rows = match done {
            Ok(()) => names
                .iter()
                .map(|name| Row::new(name, &host.name, Outcome::Ok, verb.name()))
                .collect(),
            // Say which ones did not get there.
            Err(err) => {
                let owned: Vec<String> = names.iter().map(|name| name.to_string()).collect();
                let statuses = services.status(&owned).unwrap_or_default();
                names
                    .iter()
                    .map(|name| {
                        let running = statuses
                            .iter()
                            .any(|status| status.name == *name && status.running);
                        if running == (verb != Verb::Stop) {
                            Row::new(name, &host.name, Outcome::Ok, verb.name())
                        } else {
                            Row::failed(name, &host.name, &err)
                        }
                    })
                    .collect()
            }
        };
        cluster.progress.done(&host.name, Outcome::Ok);
        Ok(rows)
    });
    for (host, result) in results {
        match result {
            Ok(rows) => report.rows.extend(rows),
            Err(err) => {
                for proc in chosen.iter().filter(|proc| proc.host == host.name) {
                    report.push(Row::failed(&proc.name, &host.name, &err));
                }
            }
        }
    }
    Ok(())
}

/// One row per process: its supervisor's state and, when the console
/// answers, the fabric's (`up`, `stale`, `down`).
pub fn status(cluster: &Cluster, pattern: Option<&str>, report: &mut Report) -> anyhow::Result<()> {
    let chosen = cluster.select(pattern)?;
    let fabric = Console::new(cluster).and_then(|mut console| console.procs());
    let results = per_host(cluster, |host| {
        let names: Vec<String> = chosen
            .iter()
            .filter(|proc| proc.host == host.name)
            .map(|proc| proc.name.clone())
            .collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        services_of(cluster, host)?.status(&names)
    });
    let mut procs = serde_json::Map::new();
    for (host, result) in results {
        let statuses = match result {
            Ok(statuses) => statuses,
            Err(err) => {
                for proc in chosen.iter().filter(|proc| proc.host == host.name) {
                    report.push(Row::failed(&proc.name, &host.name, &err));
                }
                continue;
            }
        };
        for status in statuses {
            let seen = fabric
                .as_ref()
                .ok()
                .and_then(|procs| procs.iter().find(|proc| proc.name == status.name));
            let mut detail = if status.running {
                format!(
                    "running, pid {}, for {} s",
                    status.pid.map_or("?".to_string(), |pid| pid.to_string()),
                    status
                        .for_secs
                        .map_or("?".to_string(), |secs| secs.to_string())
                )
            } else if status.note.is_empty() {
                "stopped".to_string()
            } else {
                format!("stopped: {}", status.note)
            };
            if let Some(seen) = seen {
                detail.push_str(&format!("; fabric: {}", seen.state));
            }
            let healthy = status.running && seen.is_none_or(|seen| seen.state == "up");
            let outcome = if healthy || (!status.running && status.note.is_empty()) {
                Outcome::Ok
            } else {
                Outcome::Failed
            };
            procs.insert(
                status.name.clone(),
                serde_json::json!({
                    "running": status.running, "pid": status.pid, "for_secs": status.for_secs,
                    "fabric": seen.map(|seen| seen.state.clone()),
                }),
            );
            report.push(Row::new(&status.name, &host.name, outcome, detail));
        }
    }
    if let Err(err) = fabric {
        report
            .notes
            .push(format!("the fabric's view is missing: {err:#}"));
    }
    report.extra = serde_json::json!({ "procs": procs });
    Ok(())
}
