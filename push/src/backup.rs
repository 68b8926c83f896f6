//! Backup and restore (being merged).
use std::path::Path;

use crate::report::Report;
use crate::Cluster;

pub fn backup(_cluster: &Cluster, _out: &Path, _report: &mut Report) -> anyhow::Result<()> {
    anyhow::bail!("backup is not in this build")
}

pub fn restore(
    _cluster: &Cluster,
    _archive: &Path,
    _force: bool,
    _report: &mut Report,
) -> anyhow::Result<()> {
    anyhow::bail!("restore is not in this build")
}
