//! `plan` and `deploy`: what each host and process would get, and getting
//! it there.
//!
//! Hosts are worked on in parallel. For each: probe what is installed,
//! build the wanted release, send and verify what it lacks, switch
//! `current`, write the supervisor's services, then act per process:
//! a new process starts; one whose binary changed, or whose config changed
//! in a way it cannot take live (the same rules as its own reload), is
//! restarted; one whose config changed otherwise is told to reload;
//! processes gone from the file are stopped and their services removed.
//! A host that fails is reported and the others go on.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use schat_runtime::config::{ClusterConfig, ProcConfig, ProcKind};
use schat_runtime::reload;
use serde_json::json;

use crate::release::{self, Installed, Parts, Wanted, CONFIG};
use crate::remote::Host;
use crate::report::{Outcome, Report, Row};
use crate::supervise::{Services, Supervisor};
use crate::Cluster;

/// What a deploy does.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    pub procs: Option<&'a str>,
    pub parts: Parts,
    pub bin_dir: &'a Path,
    /// Start or restart what changed (off: install only, as before a
    /// restore or a roll).
    pub start: bool,
    pub deadline: Duration,
}

/// What will happen to one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Start(String),
    Restart(String),
    Reload(String),
    Nothing,
    Remove,
}

impl Action {
    fn describe(&self) -> String {
        match self {
            Action::Start(why) => format!("start ({why})"),
            Action::Restart(why) => format!("restart ({why})"),
            Action::Reload(why) => format!("reload ({why})"),
            Action::Nothing => "nothing to do".to_string(),
            Action::Remove => "stop and remove (no longer in the cluster file)".to_string(),
        }
    }
}

/// One host's plan.
#[derive(Debug)]
pub struct HostPlan<'a> {
    pub host: &'a Host,
    pub installed: Installed,
    pub wanted: Wanted,
    /// Files of the release that differ from the installed one.
    pub changed: Vec<String>,
    pub supervisor: Supervisor,
    pub actions: Vec<(String, Action)>,
    /// The installed cluster file, for the diff.
    pub old_config: Option<String>,
}

impl<'a> HostPlan<'a> {
    /// The host's services, under the supervisor the plan found.
    pub fn services(&self, cluster: &'a Cluster) -> Services<'a> {
        Services {
            host: self.host,
            supervisor: self.supervisor,
            cluster: &cluster.config.cluster,
        }
    }
}

/// Installs `plan`'s release beside the current one when it changed (its
/// id then) and writes the host's services. The services name `current/…`
/// only, so they are written before any switch: a failure leaves
/// `current` as it was. The caller switches.
pub fn stage(
    cluster: &Cluster,
    plan: &HostPlan<'_>,
    deadline: Duration,
) -> anyhow::Result<Option<String>> {
    let host = plan.host;
    if !plan.changed.is_empty() {
        release::install(cluster, host, &plan.wanted, &plan.installed, deadline)?;
    }
    cluster.progress.say(&host.name, "writing services");
    let procs: Vec<&ProcConfig> = cluster.procs_on(&host.name).collect();
    plan.services(cluster).install(&procs)?;
    Ok((!plan.changed.is_empty()).then(|| plan.wanted.manifest.id.clone()))
}

/// The order processes start in: storage, hubs, then the rest.
pub fn start_rank(kind: ProcKind) -> usize {
    [
        ProcKind::DbLogicServ,
        ProcKind::DbChatServ,
        ProcKind::DispServ,
        ProcKind::OnlineServ,
        ProcKind::ChatServ,
        ProcKind::LogicServ,
        ProcKind::ConnServ,
        ProcKind::FileServ,
        ProcKind::DirServ,
        ProcKind::ManageServ,
    ]
    .iter()
    .position(|k| *k == kind)
    .unwrap_or(usize::MAX)
}

/// Works out what a deploy would do on `host`; touches nothing.
pub fn plan_host<'a>(
    cluster: &'a Cluster,
    host: &'a Host,
    options: &Options<'_>,
) -> anyhow::Result<HostPlan<'a>> {
    cluster.progress.say(&host.name, "probing");
    let installed = release::probe(host)?;
    let supervisor = Supervisor::for_host(host, &installed)?;
    let wanted = release::wanted(
        cluster,
        host,
        options.bin_dir,
        options.parts,
        installed.current.as_ref(),
    )?;
    let changed = wanted.changed(installed.current.as_ref());
    let old_config = match installed.current {
        Some(_) => host
            .run(&format!("cat {}", host.path(&format!("current/{CONFIG}"))))
            .ok(),
        None => None,
    };
    let old = old_config
        .as_deref()
        .and_then(|text| ClusterConfig::parse(text).ok());
    if options.parts == Parts::BinsOnly {
        // The kept file decides which processes run here.
        let names = |config: &ClusterConfig| -> Vec<String> {
            config
                .procs_on_host(&host.name)
                .map(|proc| proc.name.clone())
                .collect()
        };
        if let Some(old) = &old {
            if names(old) != names(&cluster.config) {
                bail!(
                    "the installed cluster file runs {:?} on {}, the given one {:?}: deploy the \
                     cluster file too (without --bins-only)",
                    names(old),
                    host.name,
                    names(&cluster.config)
                );
            }
        }
    }
    let services = Services {
        host,
        supervisor,
        cluster: &cluster.config.cluster,
    };
    let existing: BTreeSet<String> = services.installed()?.into_iter().collect();
    let running: BTreeSet<String> = if existing.is_empty() {
        BTreeSet::new()
    } else {
        services
            .status(&existing.iter().cloned().collect::<Vec<_>>())?
            .into_iter()
            .filter(|status| status.running)
            .map(|status| status.name)
            .collect()
    };
    let selected: BTreeSet<&str> = cluster
        .select(options.procs)?
        .into_iter()
        .map(|proc| proc.name.as_str())
        .collect();
    let mut procs: Vec<&ProcConfig> = cluster.procs_on(&host.name).collect();
    procs.sort_by_key(|proc| start_rank(proc.kind));
    let mut actions = Vec::new();
    for proc in procs {
        if !selected.contains(proc.name.as_str()) {
            continue;
        }
        let binary = format!("bin/{}", proc.kind.name());
        let action = if !existing.contains(&proc.name) {
            Action::Start("new".to_string())
        } else if !running.contains(&proc.name) {
            Action::Start("not running".to_string())
        } else if changed.contains(&binary) {
            Action::Restart("binary changed".to_string())
        } else if changed.iter().any(|path| path == CONFIG) {
            match &old {
                None => Action::Restart("config changed".to_string()),
                Some(old) if old.proc_by_name(&proc.name).is_err() => {
                    Action::Restart("config changed".to_string())
                }
                Some(old) => {
                    let me = old.proc_by_name(&proc.name)?;
                    match reload::plan(old, cluster.config.clone(), me) {
                        Ok(plan) if !plan.needs_restart.is_empty() => {
                            Action::Restart(format!("config: {}", plan.needs_restart.join(", ")))
                        }
                        Ok(plan) if !plan.changed.is_empty() => {
                            Action::Reload(format!("config: {}", plan.changed.join(", ")))
                        }
                        Ok(_) => Action::Nothing,
                        Err(why) => Action::Restart(format!("config: {why}")),
                    }
                }
            }
        } else {
            Action::Nothing
        };
        actions.push((proc.name.clone(), action));
    }
    if options.procs.is_none() {
        for name in &existing {
            if !cluster.procs_on(&host.name).any(|proc| &proc.name == name) {
                actions.push((name.clone(), Action::Remove));
            }
        }
    }
    Ok(HostPlan {
        host,
        installed,
        wanted,
        changed,
        supervisor,
        actions,
        old_config,
    })
}

/// `plan`: a row per host and process saying what a deploy would change,
/// and the cluster file's diff per host.
pub fn plan(cluster: &Cluster, options: &Options<'_>, report: &mut Report) {
    let plans = per_host(cluster, |host| plan_host(cluster, host, options));
    let mut diffs = serde_json::Map::new();
    for (host, plan) in plans {
        match plan {
            Err(err) => report.push(Row::failed(&host.name, &host.name, &err)),
            Ok(plan) => {
                let detail = describe_release(&plan);
                let outcome = if plan.changed.is_empty() {
                    Outcome::Unchanged
                } else {
                    Outcome::Ok
                };
                report.push(Row::new(&host.name, &host.name, outcome, detail));
                for (name, action) in &plan.actions {
                    let outcome = if *action == Action::Nothing {
                        Outcome::Unchanged
                    } else {
                        Outcome::Ok
                    };
                    report.push(Row::new(name, &host.name, outcome, action.describe()));
                }
                if plan.changed.iter().any(|path| path == CONFIG) {
                    let diff = config_diff(plan.old_config.as_deref().unwrap_or(""), &cluster.text);
                    report
                        .notes
                        .push(format!("{CONFIG} on {}:\n{diff}", host.name));
                    diffs.insert(host.name.clone(), json!(diff));
                }
            }
        }
    }
    report.extra = json!({ "config_diffs": diffs });
}

fn describe_release(plan: &HostPlan<'_>) -> String {
    let now = plan
        .installed
        .current
        .as_ref()
        .map_or("nothing", |m| m.id.as_str());
    if plan.changed.is_empty() {
        return format!("release {now} ({:?})", plan.supervisor).to_lowercase();
    }
    let files: Vec<String> = plan
        .changed
        .iter()
        .map(|path| {
            let sum = &plan.wanted.manifest.files[path];
            format!("{path} {}", &sum[..12])
        })
        .collect();
    format!(
        "release {now} -> {}: {}",
        plan.wanted.manifest.id,
        files.join(", ")
    )
}

/// A unified diff of two cluster files.
pub fn config_diff(old: &str, new: &[u8]) -> String {
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old, new.as_ref())
        .unified_diff()
        .context_radius(1)
        .header("installed", "new")
        .to_string()
}

/// `deploy`: installs and switches the release on every host, then starts,
/// restarts or reloads what changed.
pub fn deploy(cluster: &Cluster, options: &Options<'_>, report: &mut Report) {
    let results = per_host(cluster, |host| deploy_host(cluster, host, options));
    for (host, result) in results {
        match result {
            Ok(rows) => report.rows.extend(rows),
            Err(err) => {
                cluster.progress.done(&host.name, Outcome::Failed);
                report.push(Row::failed(&host.name, &host.name, &err));
                // Its processes were not touched.
                for proc in cluster.procs_on(&host.name) {
                    report.push(Row::new(
                        &proc.name,
                        &host.name,
                        Outcome::Failed,
                        "host failed; left as it was",
                    ));
                }
            }
        }
    }
}

fn deploy_host(cluster: &Cluster, host: &Host, options: &Options<'_>) -> anyhow::Result<Vec<Row>> {
    let plan = plan_host(cluster, host, options)?;
    let mut rows = Vec::new();
    let services = plan.services(cluster);
    let staged = stage(cluster, &plan, options.deadline)?;
    let outcome = match staged {
        Some(id) => {
            release::switch(host, &id)?;
            Outcome::Ok
        }
        None => Outcome::Unchanged,
    };
    rows.push(Row::new(
        &host.name,
        &host.name,
        outcome,
        describe_release(&plan),
    ));
    let wait = Duration::from_secs(30);
    // Processes to start go together at the end: each finds its peers by
    // itself, so one supervisor call starts a whole host.
    let mut starting: Vec<(&str, &Action)> = Vec::new();
    for (name, action) in &plan.actions {
        if matches!(action, Action::Start(_)) && options.start {
            starting.push((name, action));
            continue;
        }
        cluster
            .progress
            .say(&host.name, &format!("{name}: {}", action.describe()));
        let done = match action {
            Action::Nothing => Ok(false),
            _ if !options.start && *action != Action::Remove => Ok(false),
            Action::Start(_) => Ok(false),
            Action::Restart(_) => services.restart(name, wait).map(|()| true),
            Action::Reload(_) => services.reload(name).map(|()| true),
            Action::Remove => services.remove(std::slice::from_ref(name)).map(|()| true),
        };
        rows.push(match done {
            Ok(true) => Row::new(name, &host.name, Outcome::Ok, action.describe()),
            Ok(false) if *action == Action::Nothing => {
                Row::new(name, &host.name, Outcome::Unchanged, "unchanged")
            }
            Ok(false) => Row::new(
                name,
                &host.name,
                Outcome::Ok,
                format!(
                    "installed; not started (--no-start): would {}",
                    action.describe()
                ),
            ),
            Err(err) => Row::failed(name, &host.name, &err),
        });
    }
    if !starting.is_empty() {
        let names: Vec<&str> = starting.iter().map(|(name, _)| *name).collect();
        cluster
            .progress
            .say(&host.name, &format!("starting {}", names.join(", ")));
        let started = services.start(&names, wait);
        let statuses = match &started {
            Ok(()) => Vec::new(),
            Err(_) => {
                let owned: Vec<String> = names.iter().map(|name| name.to_string()).collect();
                services.status(&owned).unwrap_or_default()
            }
        };
        for (name, action) in starting {
            let running = statuses
                .iter()
                .any(|status| status.name == name && status.running);
            rows.push(match &started {
                Err(err) if !running => Row::failed(name, &host.name, err),
                _ => Row::new(name, &host.name, Outcome::Ok, action.describe()),
            });
        }
    }
    cluster.progress.done(&host.name, Outcome::Ok);
    Ok(rows)
}

/// Runs `work` for every host at once; results in host order.
pub fn per_host<'a, T: Send>(
    cluster: &'a Cluster,
    work: impl Fn(&'a Host) -> anyhow::Result<T> + Sync,
) -> Vec<(&'a Host, anyhow::Result<T>)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = cluster
            .hosts
            .values()
            .map(|host| (host, scope.spawn(|| work(host))))
            .collect();
        handles
            .into_iter()
            .map(|(host, handle)| {
                let result = handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("push failed on this host (a bug)")));
                (host, result)
            })
            .collect()
    })
}

/// The services of a host, probed.
pub fn services_of<'a>(cluster: &'a Cluster, host: &'a Host) -> anyhow::Result<Services<'a>> {
    let supervisor =
        Supervisor::probe(host).with_context(|| format!("cannot reach {}", host.name))?;
    Ok(Services {
        host,
        supervisor,
        cluster: &cluster.config.cluster,
    })
}
