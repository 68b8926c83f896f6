//! Config reload: re-read cluster.json, validate it, apply what can change
//! live, and report what needs a restart.

use schat_proto::server::CommandResult;

use crate::node::Node;

/// Reloads the cluster file this process started from.
pub fn reload(node: &Node) -> CommandResult {
    let _ = node;
    CommandResult::failed("config reload is not available in this build")
}
