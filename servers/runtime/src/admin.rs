//! Answers manage_serv: a stats snapshot of this process, and the
//! operator's commands (reload, stop, drain, log level, reopen logs, kick).
//!
//! The commands every process takes are carried out here; a process type
//! with commands of its own (conn_serv drains, logic_serv kicks) registers
//! a handler with [`Admin::set_commands`]. A command no handler takes is
//! refused with a reason, never silently ignored.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use schat_proto::client::ResultCode;
use schat_proto::server::{
    admin_command::Cmd, admin_reply, admin_request, server_msg::Msg, AdminReply, AdminRequest,
    CommandResult, ProcStats, ProcType,
};

use crate::node::Node;
use crate::rpc::{Channel, Incoming, Target};
use crate::time::now_ms;

/// A command's outcome, later.
pub type CommandFuture = Pin<Box<dyn Future<Output = CommandResult> + Send>>;

type Handler = dyn Fn(&Cmd) -> Option<CommandFuture> + Send + Sync;

/// How long a stop command waits before triggering shutdown, so that its
/// answer leaves first.
const STOP_DELAY: Duration = Duration::from_millis(100);

/// This process's answerer. Cheap to clone.
#[derive(Clone)]
pub struct Admin {
    started_at_ms: u64,
    draining: Arc<AtomicBool>,
    handler: Arc<Mutex<Option<Arc<Handler>>>>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("started_at_ms", &self.started_at_ms)
            .field("draining", &self.is_draining())
            .finish()
    }
}

impl Default for Admin {
    fn default() -> Admin {
        Admin {
            started_at_ms: now_ms(),
            draining: Arc::default(),
            handler: Arc::default(),
        }
    }
}

impl Admin {
    /// Registers the handler of this process type's own commands: it
    /// returns `None` for a command it does not take.
    pub fn set_commands(
        &self,
        handler: impl Fn(&Cmd) -> Option<CommandFuture> + Send + Sync + 'static,
    ) {
        *self.handler.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(handler));
    }

    /// Marks this process as draining (shown in its stats).
    pub fn set_draining(&self, draining: bool) {
        self.draining.store(draining, Ordering::Relaxed);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    pub fn started_at_ms(&self) -> u64 {
        self.started_at_ms
    }

    /// Answers a request addressed to this process.
    pub async fn answer(&self, node: &Node, request: AdminRequest) -> AdminReply {
        let reply = match request.op {
            Some(admin_request::Op::Stats(_)) => admin_reply::Reply::Stats(self.snapshot(node)),
            Some(admin_request::Op::Command(command)) => {
                admin_reply::Reply::Result(match command.cmd {
                    Some(cmd) => self.run(node, cmd).await,
                    None => CommandResult::failed("empty command"),
                })
            }
            // logic_serv and chat_serv answer these before asking here.
            Some(admin_request::Op::User(_)) => admin_reply::Reply::Result(CommandResult::failed(
                format!("{} does not look up users", node.me.kind.name()),
            )),
            Some(admin_request::Op::Group(_)) => admin_reply::Reply::Result(CommandResult::failed(
                format!("{} does not look up groups", node.me.kind.name()),
            )),
            None => admin_reply::Reply::Result(CommandResult::failed("empty request")),
        };
        AdminReply { reply: Some(reply) }
    }

    async fn run(&self, node: &Node, cmd: Cmd) -> CommandResult {
        let own = self
            .handler
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .and_then(|handler| handler(&cmd));
        if let Some(own) = own {
            return own.await;
        }
        match cmd {
            Cmd::Reload(_) => crate::reload::reload(node),
            Cmd::Stop(_) => {
                let shutdown = node.shutdown.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(STOP_DELAY).await;
                    shutdown.trigger();
                });
                CommandResult::done("stopping")
            }
            Cmd::LogLevel(set) => match node.logs.set_level(&set.level) {
                Ok(()) => CommandResult::done(format!("log level {}", set.level)),
                Err(err) => CommandResult::failed(err),
            },
            Cmd::ReopenLogs(_) => match node.logs.reopen() {
                Ok(detail) => CommandResult::done(detail),
                Err(err) => CommandResult::failed(err),
            },
            Cmd::Drain(_) => CommandResult::failed(format!(
                "{} does not drain: only conn_serv takes clients",
                node.me.kind.name()
            )),
            Cmd::Kick(_) => CommandResult::failed(format!(
                "{} holds no sessions: kicks go to a logic_serv",
                node.me.kind.name()
            )),
        }
    }

    /// A snapshot of this process.
    pub fn snapshot(&self, node: &Node) -> ProcStats {
        let usage = crate::procinfo::usage();
        let (last_error, last_error_at_ms) = node.stats.last_error().unwrap_or_default();
        let me = &node.me;
        ProcStats {
            name: me.name.clone(),
            proc_type: me.kind.proc_type() as i32,
            set: node.config.current().set_name(me).to_string(),
            pid: std::process::id(),
            host: me.address().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: option_env!("SCHAT_COMMIT").unwrap_or("unknown").to_string(),
            started_at_ms: self.started_at_ms,
            cpu_seconds: usage.cpu_seconds,
            rss_bytes: usage.rss_bytes,
            open_files: usage.open_files,
            max_files: crate::fd_limit::open_files_limit()
                .map(|limit| limit.min(u64::MAX as usize) as u64)
                .unwrap_or(0),
            log_level: node.logs.level_name(),
            degraded: node.health.is_degraded(),
            draining: self.is_draining(),
            last_error,
            last_error_at_ms,
            metrics: node.stats.metrics(),
            taken_at_ms: now_ms(),
        }
    }
}

/// A paired member a leader answers for (conn_serv and db_logic_serv for
/// their logic_serv, db_chat_serv for its chat_serv): a request naming it
/// is relayed on its link.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: u32,
    pub proc_type: ProcType,
    pub channel: Channel,
}

/// Who an admin request is for, as seen by the process it reached.
#[derive(Debug)]
pub enum Addressee<'a> {
    /// This process (its id, or 0 for "whichever process took it").
    Me,
    /// One of this process's paired members.
    Member(&'a Member),
    /// Neither: the request was misaddressed.
    Nobody,
}

/// Who `proc_id` names from this process's point of view.
pub fn addressee<'a>(node: &Node, proc_id: u32, members: &'a [Member]) -> Addressee<'a> {
    if proc_id == 0 || proc_id == node.me.id {
        return Addressee::Me;
    }
    match members.iter().find(|member| member.id == proc_id) {
        Some(member) => Addressee::Member(member),
        None => Addressee::Nobody,
    }
}

/// Answers an `AdminRequest` that arrived as `incoming`, on its own task:
/// this process answers for itself, relays a request naming one of its
/// `members`, and refuses any other proc id with an error. Anything else
/// in `incoming` is refused as an unknown message.
pub fn serve(node: &Node, incoming: Incoming, members: &[Member]) {
    let Msg::AdminRequest(request) = &incoming.msg else {
        incoming.reply_error(ResultCode::UnknownMessage, "not an admin request");
        return;
    };
    let request = request.clone();
    match addressee(node, request.proc_id, members) {
        Addressee::Me => {
            let node = node.clone();
            node.shutdown.clone().spawn(async move {
                let reply = node.admin.answer(&node, request).await;
                incoming.reply(Msg::AdminReply(reply));
            });
        }
        Addressee::Member(member) => {
            let member = member.clone();
            node.shutdown.spawn(async move {
                incoming.reply(Msg::AdminReply(relay(&member, request).await));
            });
        }
        Addressee::Nobody => refuse(node, &incoming, request.proc_id),
    }
}

/// Answers a request for a process that is neither this one nor one of
/// its members with an error.
pub fn refuse(node: &Node, incoming: &Incoming, proc_id: u32) {
    let named = node
        .config
        .current()
        .proc_by_id(proc_id)
        .map_or_else(|| format!("process id {proc_id}"), |proc| proc.name.clone());
    incoming.reply_error(
        ResultCode::BadRequest,
        format!("{named} is not {} or a member of its set", node.me.name),
    );
}

/// Sends `request` to `member` on its paired link and returns its answer;
/// a failed or timed-out relay becomes a failed command result saying why.
pub async fn relay(member: &Member, request: AdminRequest) -> AdminReply {
    let target = Target::spec(member.proc_type, member.id);
    let result = match member.channel.request(target, request).await {
        Ok(reply) => return reply,
        Err(err) => CommandResult::failed(format!("relay to the set member failed: {err}")),
    };
    AdminReply {
        reply: Some(admin_reply::Reply::Result(result)),
    }
}
