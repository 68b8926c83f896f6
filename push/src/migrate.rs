//! `migrate --to NEW.json`: moves a running cluster to the hosts (and
//! Redis, and directories) of another cluster file.
//!
//! The new cluster is installed first without starting anything, while
//! the old one still serves. Then the window in which clients cannot send
//! opens: the old conn_servs drain (clients are told to reconnect), the
//! old processes stop (so nothing more is written), a final backup is
//! taken and restored onto the new cluster, which is verified against the
//! backup's manifest and started; the window closes when every new
//! process is live in the new fabric. The old cluster stays installed and
//! stopped: `schat-push --config OLD.json start` brings it back.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use schat_runtime::config::ProcKind;
use serde_json::json;

use crate::control::{self, Verb};
use crate::deploy::{self, Options};
use crate::health::Console;
use crate::report::{Outcome, Report, Row};
use crate::{backup, Cluster};

pub fn migrate(
    old: &Cluster,
    new: &Cluster,
    archive: &Path,
    options: &Options<'_>,
    report: &mut Report,
) -> anyhow::Result<()> {
    backup::one_server(old)?;
    backup::one_server(new)?;
    if old.config.redis_url() == new.config.redis_url() {
        bail!(
            "the new cluster file uses the same Redis ({}): migrate moves the data to the new \
             cluster's own Redis; to move processes only, deploy the new file instead",
            new.config.redis_url()
        );
    }
    // 1. Install the new cluster while the old one serves.
    let mut step = Report::new("deploy");
    deploy::deploy(
        new,
        &Options {
            start: false,
            ..options.clone()
        },
        &mut step,
    );
    if take(report, step, "install the new cluster") {
        return Ok(());
    }
    // 2. The window opens: drain, stop, final backup.
    let window = Instant::now();
    let mut phases: Vec<(&str, f64)> = Vec::new();
    let mut mark = Instant::now();
    let mut phase = |name: &'static str, phases: &mut Vec<(&str, f64)>| {
        phases.push((name, mark.elapsed().as_secs_f64()));
        mark = Instant::now();
    };
    if let Ok(mut console) = Console::new(old) {
        for conn in old.config.procs_of(ProcKind::ConnServ) {
            if let Err(err) = console.drain(&conn.name) {
                report.notes.push(format!(
                    "drain of {} failed ({err:#}); stopping it anyway",
                    conn.name
                ));
            }
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    phase("drain", &mut phases);
    let mut step = Report::new("stop");
    control::act(old, None, Verb::Stop, &mut step)?;
    if take(report, step, "stop the old cluster") {
        return Ok(());
    }
    phase("stop", &mut phases);
    let mut step = Report::new("backup");
    let backed_up = backup::backup(old, archive, &mut step);
    if take(report, step, "back up the old cluster") || backed_up.is_err() {
        return backed_up.map(|_| ()).context(
            "the final backup failed; the old cluster is stopped: start it again with `start`",
        );
    }
    phase("backup", &mut phases);
    // 3. Restore (and verify), start, wait for the new fabric.
    let mut step = Report::new("restore");
    let restored = backup::restore(new, archive, false, &mut step);
    if take(report, step, "restore onto the new cluster") || restored.is_err() {
        return restored.context(
            "the restore failed; the old cluster is stopped: start it again with `start`",
        );
    }
    phase("restore", &mut phases);
    let mut step = Report::new("start");
    control::act(new, None, Verb::Start, &mut step)?;
    if take(report, step, "start the new cluster") {
        return Ok(());
    }
    phase("start", &mut phases);
    let mut console = Console::new(new)?;
    for proc in &new.config.procs {
        console.wait_live(&proc.name, None, Duration::from_secs(60))?;
    }
    phase("live", &mut phases);
    let closed = window.elapsed();
    report.notes.push(format!(
        "clients could not send for {:.1} s: {}",
        closed.as_secs_f64(),
        phases
            .iter()
            .map(|(name, secs)| format!("{name} {secs:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    report.push(Row::new(
        "cluster",
        "-",
        Outcome::Ok,
        format!(
            "moved to {}; clients could not send for {:.1} s; the old cluster is stopped (its \
             backup: {})",
            new.path.display(),
            closed.as_secs_f64(),
            archive.display()
        ),
    ));
    report.extra = json!({
        "unavailable_secs": closed.as_secs_f64(),
        "phases": phases.iter().map(|(name, secs)| json!({ "phase": name, "secs": secs })).collect::<Vec<_>>(),
        "backup": archive.display().to_string(),
    });
    Ok(())
}

/// Adds a step's rows; true when it failed (the migration stops).
fn take(report: &mut Report, step: Report, what: &str) -> bool {
    let failed = step.failed();
    report.rows.extend(step.rows);
    report.notes.extend(step.notes);
    if failed {
        report
            .notes
            .push(format!("migration stopped: could not {what}"));
    }
    failed
}
