//! What logic_serv answers manage_serv: its stats and its own command
//! (kick a user's sessions held here), user lookups (any logic_serv), and
//! requests for its conn_serv and db_logic_serv, relayed on their links.

use std::sync::{Arc, Weak};

use schat_proto::client::{DeviceKind, ResultCode};
use schat_proto::server::{
    admin_command::Cmd, admin_reply, admin_request, server_msg::Msg, AdminReply, CommandResult,
    GetProfiles, ListDevices, ProcType, RevokeTokens, UserInfo, UserLookup, UserSession,
};
use schat_runtime::admin::{self, addressee, Addressee, Member};
use schat_runtime::file_url::{access_changed, AccessChange};
use schat_runtime::stats::{Counter, Stats};
use schat_runtime::time::now_ms;
use schat_runtime::{rules, Incoming};

use crate::context::Logic;

/// What logic_serv counts (the sessions gauge reads the registry).
#[derive(Clone, Debug, Default)]
pub struct LogicMetrics {
    pub logins: Counter,
    pub login_failures: Counter,
    pub requests: Counter,
}

impl LogicMetrics {
    pub fn register(stats: &Stats) -> LogicMetrics {
        LogicMetrics {
            logins: stats.counter("logins_total", "Logins that opened a session."),
            login_failures: stats.counter(
                "login_failures_total",
                "Logins refused (wrong credentials, bad token, throttled, storage down).",
            ),
            requests: stats.counter("requests_total", "Client requests taken by sessions."),
        }
    }
}

/// Registers what needs the finished `Logic`: the sessions gauge and the
/// kick command.
pub fn register(logic: &Arc<Logic>) {
    let stats = &logic.node.stats;
    let weak = Arc::downgrade(logic);
    stats.gauge_fn("sessions", "Logged-in sessions held.", move || {
        weak.upgrade()
            .map_or(0.0, |logic| logic.sessions.n_logged_in() as f64)
    });
    let weak = Arc::downgrade(logic);
    logic.node.admin.set_commands(move |cmd| match cmd {
        Cmd::Kick(kick) => Some(Box::pin(self::kick(
            weak.clone(),
            kick.uid,
            kick.reason.clone(),
        ))),
        _ => None,
    });
}

/// Revokes the user's session tokens (as a logout does, so the client
/// cannot come straight back with its saved token and must log in with
/// the password) and closes the user's session here, if any: the client
/// is told it was kicked (with the reason) and closed.
async fn kick(logic: Weak<Logic>, uid: u64, reason: String) -> CommandResult {
    let Some(logic) = logic.upgrade() else {
        return CommandResult::failed("logic_serv is stopping");
    };
    if uid == 0 {
        return CommandResult::failed("kick needs a uid");
    }
    let reason = if reason.is_empty() {
        "removed by an operator".to_string()
    } else {
        reason
    };
    let revoked_at_ms = now_ms();
    let revoke = RevokeTokens { uid, revoked_at_ms };
    if let Err(err) = logic.db(revoke).await {
        return CommandResult::failed(format!("could not revoke the user's tokens: {err}"));
    }
    // File servers stop honouring the user's file tokens now.
    access_changed(
        logic.fabric.channel(),
        uid,
        AccessChange::LoggedOut { revoked_at_ms },
    );
    let n_sessions = logic.sessions.kick(uid, 0, reason) as u32;
    CommandResult::done(format!("closed {n_sessions} sessions"))
}

/// Answers an admin request, relaying it when it names this set's
/// conn_serv or db_logic_serv.
pub fn on_request(logic: &Arc<Logic>, incoming: Incoming) {
    let Msg::AdminRequest(request) = &incoming.msg else {
        return;
    };
    let members = [
        Member {
            id: logic.conn_id,
            proc_type: ProcType::Conn,
            channel: logic.conn.clone(),
        },
        Member {
            id: logic.db_id,
            proc_type: ProcType::DbLogic,
            channel: logic.db.clone(),
        },
    ];
    let lookup = match (
        &request.op,
        addressee(&logic.node, request.proc_id, &members),
    ) {
        (Some(admin_request::Op::User(lookup)), Addressee::Me) => lookup.clone(),
        _ => return admin::serve(&logic.node, incoming, &members),
    };
    let answering = logic.clone();
    logic.shutdown.spawn(async move {
        let reply = match lookup_user(&answering, lookup).await {
            Ok(user) => admin_reply::Reply::User(user),
            Err(reason) => admin_reply::Reply::Result(CommandResult::failed(reason)),
        };
        incoming.reply(Msg::AdminReply(AdminReply { reply: Some(reply) }));
    });
}

/// Who the user is (by account or uid) and where it is online now.
async fn lookup_user(logic: &Logic, lookup: UserLookup) -> Result<UserInfo, String> {
    let request = match (lookup.account.is_empty(), lookup.uid) {
        (false, 0) => match rules::account(&lookup.account) {
            Ok(account) => GetProfiles {
                uids: Vec::new(),
                accounts: vec![account],
            },
            // Not a valid name: nobody can have it.
            Err(_) => return Ok(UserInfo::default()),
        },
        (true, uid) if uid != 0 => GetProfiles {
            uids: vec![uid],
            accounts: Vec::new(),
        },
        _ => return Err("give exactly one of account and uid".to_string()),
    };
    let profile = match logic.db(request).await {
        Ok(profiles) => profiles.profiles.into_iter().next(),
        Err(err) if err.code() == ResultCode::NoSuchUser => None,
        Err(err) => return Err(format!("db_logic_serv: {err}")),
    };
    let Some(profile) = profile else {
        return Ok(UserInfo::default());
    };
    let listed = logic
        .db(ListDevices {
            uid: profile.uid,
            live: crate::devices::live_logics(logic),
        })
        .await;
    let devices = match listed {
        Ok(listed) => listed.devices,
        Err(err) => return Err(format!("db_logic_serv: {err}")),
    };
    let name_of = |proc_id: u32| {
        logic
            .config
            .current()
            .proc_by_id(proc_id)
            .map_or_else(|| format!("process {proc_id}"), |proc| proc.name.clone())
    };
    let sessions = devices
        .into_iter()
        .filter_map(|device| {
            let session = device.session?;
            let kind = DeviceKind::try_from(device.kind).unwrap_or_default();
            let name = if device.device_id.is_empty() {
                "default device"
            } else {
                &device.device_id
            };
            Some(UserSession {
                logic: name_of(session.logic_id),
                conn: name_of(session.conn_proc_id),
                session_id: session.session_id,
                since_ms: session.since_ms,
                device: format!("{name} ({}, {})", kind.as_str_name(), device.client),
            })
        })
        .collect();
    Ok(UserInfo {
        exists: true,
        uid: profile.uid,
        account: profile.account,
        nickname: profile.display_name,
        sessions,
    })
}
