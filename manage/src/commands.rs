//! Operators' commands and look-ups, sent over the fabric.
//!
//! A command names its processes by a regular expression found anywhere
//! in a process name, as grep does (`^logic_serv-` is every logic_serv,
//! `chat_serv-1` also names db_chat_serv-1, `^chat_serv-1$` only
//! chat_serv-1); the preview shows which processes match before anything
//! runs. Each matched process
//! gets the command at once (a paired process through its leader, as
//! stats), and its result is done, failed (with the reason) or timeout
//! (no answer within `manage.command_timeout_ms`).

use std::time::Duration;

use futures_util::future::join_all;
use schat_proto::server::{
    admin_command::Cmd, admin_reply, admin_request, AdminCommand, AdminRequest, CommandResult,
    DrainConn, GroupLookup, GroupSummary, KickUser, ReloadConfig, ReopenLogs, SetLogLevel,
    StopProcess, UserInfo, UserLookup,
};
use schat_runtime::config::{ClusterConfig, ProcConfig};
use schat_runtime::{CallError, Fabric, Node, ProcKind, Target};
use serde::Serialize;

use crate::poll::route;

/// A command an operator may run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Reload,
    Stop,
    Drain,
    LogLevel(String),
    ReopenLogs,
}

impl Command {
    /// The command named `name` (`level` for log_level).
    pub fn parse(name: &str, level: Option<&str>) -> Result<Command, String> {
        Ok(match name {
            "reload" => Command::Reload,
            "stop" => Command::Stop,
            "drain" => Command::Drain,
            "reopen_logs" => Command::ReopenLogs,
            "log_level" => {
                let level = level.ok_or("log_level needs a level")?;
                if schat_runtime::logging::parse_level(level).is_none() {
                    return Err(format!(
                        "{level:?} is not one of trace, debug, info, warn, error"
                    ));
                }
                Command::LogLevel(level.to_string())
            }
            other => {
                return Err(format!(
                    "unknown command {other:?}: reload, stop, drain, log_level or reopen_logs"
                ))
            }
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Command::Reload => "reload",
            Command::Stop => "stop",
            Command::Drain => "drain",
            Command::LogLevel(_) => "log_level",
            Command::ReopenLogs => "reopen_logs",
        }
    }

    fn cmd(&self) -> Cmd {
        match self {
            Command::Reload => Cmd::Reload(ReloadConfig {}),
            Command::Stop => Cmd::Stop(StopProcess {}),
            Command::Drain => Cmd::Drain(DrainConn {}),
            Command::LogLevel(level) => Cmd::LogLevel(SetLogLevel {
                level: level.clone(),
            }),
            Command::ReopenLogs => Cmd::ReopenLogs(ReopenLogs {}),
        }
    }
}

/// One process's result.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Outcome {
    pub proc: String,
    /// done, failed or timeout.
    pub outcome: &'static str,
    pub detail: String,
    pub changed: Vec<String>,
    pub needs_restart: Vec<String>,
}

impl Outcome {
    pub fn is_done(&self) -> bool {
        self.outcome == "done"
    }

    fn of(proc: &str, answer: Result<CommandResult, CallError>) -> Outcome {
        match answer {
            Ok(result) => Outcome {
                proc: proc.to_string(),
                outcome: if result.ok { "done" } else { "failed" },
                detail: result.detail,
                changed: result.changed,
                needs_restart: result.needs_restart,
            },
            Err(err) => Outcome {
                proc: proc.to_string(),
                outcome: if matches!(err, CallError::Timeout(_)) {
                    "timeout"
                } else {
                    "failed"
                },
                detail: err.reason(),
                changed: Vec::new(),
                needs_restart: Vec::new(),
            },
        }
    }
}

/// The processes of `config` whose name `pattern` is found in, in file
/// order.
pub fn matching<'a>(
    config: &'a ClusterConfig,
    pattern: &str,
) -> Result<Vec<&'a ProcConfig>, String> {
    config.matching(pattern)
}

/// Sends `command` to every process in `procs` at once.
pub async fn run(
    node: &Node,
    fabric: &Fabric,
    config: &ClusterConfig,
    procs: &[&ProcConfig],
    command: &Command,
) -> Vec<Outcome> {
    let within = config.manage.command_timeout();
    let calls = procs.iter().map(|proc| async move {
        let request = AdminRequest {
            proc_id: proc.id,
            op: Some(admin_request::Op::Command(AdminCommand {
                cmd: Some(command.cmd()),
            })),
        };
        let answer = if proc.id == node.me.id {
            Ok(node.admin.answer(node, request).await)
        } else {
            match route(config, proc) {
                Some(target) => call(fabric, target, request, within).await,
                None => Err(CallError::Unavailable(format!(
                    "{} has no route in the cluster file",
                    proc.name
                ))),
            }
        };
        let result = answer.and_then(|reply| match reply.reply {
            Some(admin_reply::Reply::Result(result)) => Ok(result),
            _ => Err(CallError::Malformed("not a command result".to_string())),
        });
        Outcome::of(&proc.name, result)
    });
    join_all(calls).await
}

/// Closes every session of `uid`: the kick goes to every logic_serv.
pub async fn kick(fabric: &Fabric, config: &ClusterConfig, uid: u64, reason: &str) -> Vec<Outcome> {
    let within = config.manage.command_timeout();
    let calls = config
        .procs_of(ProcKind::LogicServ)
        .map(|logic| async move {
            let request = AdminRequest {
                proc_id: logic.id,
                op: Some(admin_request::Op::Command(AdminCommand {
                    cmd: Some(Cmd::Kick(KickUser {
                        uid,
                        reason: reason.to_string(),
                    })),
                })),
            };
            let target = Target::spec(logic.kind.proc_type(), logic.id);
            let result = call(fabric, target, request, within)
                .await
                .and_then(|reply| match reply.reply {
                    Some(admin_reply::Reply::Result(result)) => Ok(result),
                    _ => Err(CallError::Malformed("not a command result".to_string())),
                });
            Outcome::of(&logic.name, result)
        });
    join_all(calls).await
}

/// Who a user is and where they are online, asked of any logic_serv.
pub async fn user(
    fabric: &Fabric,
    within: Duration,
    lookup: UserLookup,
) -> Result<UserInfo, CallError> {
    let request = AdminRequest {
        proc_id: 0,
        op: Some(admin_request::Op::User(lookup)),
    };
    let reply = call(
        fabric,
        Target::any(schat_proto::server::ProcType::Logic),
        request,
        within,
    )
    .await?;
    match reply.reply {
        Some(admin_reply::Reply::User(info)) => Ok(info),
        Some(admin_reply::Reply::Result(result)) if !result.ok => Err(CallError::remote(
            schat_proto::client::ResultCode::Internal,
            result.detail,
        )),
        _ => Err(CallError::Malformed("not a user".to_string())),
    }
}

/// A group's summary, asked of the chat_serv that owns it.
pub async fn group(fabric: &Fabric, within: Duration, gid: u64) -> Result<GroupSummary, CallError> {
    let request = AdminRequest {
        proc_id: 0,
        op: Some(admin_request::Op::Group(GroupLookup { gid })),
    };
    let target = Target::hash(schat_proto::server::ProcType::Chat, gid).keyed(gid);
    let reply = call(fabric, target, request, within).await?;
    match reply.reply {
        Some(admin_reply::Reply::Group(summary)) => Ok(summary),
        Some(admin_reply::Reply::Result(result)) if !result.ok => Err(CallError::remote(
            schat_proto::client::ResultCode::Internal,
            result.detail,
        )),
        _ => Err(CallError::Malformed("not a group".to_string())),
    }
}

async fn call(
    fabric: &Fabric,
    target: Target,
    request: AdminRequest,
    within: Duration,
) -> Result<schat_proto::server::AdminReply, CallError> {
    fabric
        .channel()
        .request_within(target, request, within)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_found_in_names() {
        let config =
            ClusterConfig::parse(include_str!("../../cluster.json")).expect("cluster.json");
        let names = |pattern: &str| -> Vec<String> {
            matching(&config, pattern)
                .unwrap()
                .iter()
                .map(|proc| proc.name.clone())
                .collect()
        };
        assert_eq!(names("^chat_serv-1$"), vec!["chat_serv-1"]);
        assert_eq!(names("chat_serv-1"), vec!["chat_serv-1", "db_chat_serv-1"]);
        assert_eq!(names("^logic_serv-"), vec!["logic_serv-1", "logic_serv-2"]);
        assert_eq!(names("conn_serv-.*"), vec!["conn_serv-1", "conn_serv-2"]);
        assert!(names("nothing").is_empty());
        assert!(matching(&config, "(").is_err());
        assert!(matching(&config, "").is_err());
    }

    #[test]
    fn commands_parse_with_their_level() {
        assert_eq!(Command::parse("reload", None), Ok(Command::Reload));
        assert_eq!(
            Command::parse("log_level", Some("debug")),
            Ok(Command::LogLevel("debug".to_string()))
        );
        assert!(Command::parse("log_level", None).is_err());
        assert!(Command::parse("log_level", Some("loud")).is_err());
        assert!(Command::parse("explode", None).is_err());
    }
}
