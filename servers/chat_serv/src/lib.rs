//! chat_serv: groups and their messages.
//!
//! Groups are sharded over the live chat_servs by rendezvous hashing of the
//! gid (logic sends group requests with HASH through a disp), so when one
//! chat_serv dies its groups move to the others and come back when it
//! returns. Nothing here is the only copy of anything: every change is
//! written to Redis (through the paired db_chat_serv) before it is
//! acknowledged, and a message's seq is assigned atomically in Redis, so two
//! chat_servs that briefly both handle a group cannot assign the same seq.
//! The only cache is each group's member list, used for fan-out, tagged
//! with the group's membership version; every stored message carries the
//! version it was stored under, and a list of another version is fetched
//! again.

#![forbid(unsafe_code)]

mod admin;
mod deliver;
mod groups;
mod messages;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use schat_proto::client::{client_message::Body as Request, ResultCode, ServerMessage};
use schat_proto::server::{server_msg::Msg, ChatResponse, FileRef, ProcType, SnapshotRequest};
use schat_runtime::logging::{info, Logger};
use schat_runtime::paired::dial_paired;
use schat_runtime::password::Passwords;
use schat_runtime::presence_map::{PresenceMap, Verdict};
use schat_runtime::stats::Stats;
pub(crate) use schat_runtime::Failure;
use schat_runtime::{CallError, Channel, Fabric, Incoming, LiveConfig, Node, Target};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Chat {
    pub config: LiveConfig,
    pub db: Channel,
    pub db_id: u32,
    pub fabric: Fabric,
    pub passwords: Passwords,
    /// Member uids per group with the membership version they were read
    /// at, for fan-out only (never for permission).
    pub members: DashMap<u64, (u64, Arc<Vec<u64>>)>,
    /// Who is online where, followed from the logics' presence packets
    /// (as online_serv does), so fan-out needs no lookup.
    pub presence: Mutex<PresenceMap>,
    pub log: Logger,
    /// For stats and admin requests.
    pub node: Node,
    pub stats: Stats,
    pub metrics: admin::ChatMetrics,
}

impl Chat {
    /// One request to this set's db_chat_serv.
    pub async fn db(&self, msg: Msg) -> Result<Msg, CallError> {
        self.db
            .call(Target::spec(ProcType::DbChat, self.db_id), msg)
            .await
    }
}

/// Runs chat_serv until the node shuts down. It listens on nothing: its
/// requests come through the disps.
pub async fn run(node: Node) -> anyhow::Result<()> {
    let Node {
        config,
        me,
        log,
        shutdown,
        ..
    } = node.clone();
    let start_config = config.current();
    let db_proc = start_config
        .paired_with(&me.name, schat_runtime::ProcKind::DbChatServ)
        .ok_or_else(|| anyhow::anyhow!("no db_chat_serv names this chat_serv"))?
        .clone();
    let (inbox_tx, mut inbox) = mpsc::channel::<Incoming>(16_384);
    node.stats.inbox(&inbox_tx);
    let fabric = Fabric::start(&node, inbox_tx.clone());
    let db = dial_paired(&node, &db_proc, inbox_tx, || {});
    info!(log, "Started"; "proc_id" => me.id, "db" => &db_proc.name,
        "disps" => start_config.disp_addrs().len());
    let chat = Arc::new(Chat {
        passwords: Passwords::new(&start_config.auth)?,
        config: config.clone(),
        db,
        db_id: db_proc.id,
        fabric,
        members: DashMap::new(),
        presence: Mutex::default(),
        log: log.clone(),
        stats: node.stats.clone(),
        metrics: admin::ChatMetrics::register(&node.stats),
        node: node.clone(),
    });
    admin::register(&chat);

    let sweep_period = || Duration::from_millis(config.current().timing.presence_beat_ms);
    let mut sweep = tokio::time::interval(sweep_period());
    loop {
        let incoming = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            _ = sweep.tick() => {
                let expiry = Duration::from_millis(config.current().timing.presence_expiry_ms);
                chat.lock_presence().expire(expiry, Instant::now());
                if sweep.period() != sweep_period() {
                    sweep = tokio::time::interval(sweep_period());
                    sweep.reset();
                }
                continue;
            }
            incoming = inbox.recv() => incoming,
        };
        let Some(incoming) = incoming else { break };
        if follow_presence(&chat, &incoming) {
            continue;
        }
        let chat = chat.clone();
        shutdown.spawn(async move { serve(&chat, incoming).await });
    }
    info!(log, "Stopping"; "cached_groups" => chat.members.len());
    Ok(())
}

impl Chat {
    pub fn lock_presence(&self) -> std::sync::MutexGuard<'_, PresenceMap> {
        self.presence
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// Applies a presence packet from a logic; false for anything else.
fn follow_presence(chat: &Chat, incoming: &Incoming) -> bool {
    let now = Instant::now();
    let verdict = match &incoming.msg {
        Msg::PresenceDelta(delta) => chat.lock_presence().apply_delta(delta.clone(), now),
        Msg::PresenceBeat(beat) => chat.lock_presence().apply_beat(beat, now),
        Msg::PresenceSnapshot(snapshot) => {
            chat.lock_presence().apply_snapshot(snapshot.clone(), now)
        }
        _ => return false,
    };
    if let Verdict::NeedSnapshot(logic_id) = verdict {
        let _ = chat.fabric.channel().push(
            Target::spec(ProcType::Logic, logic_id),
            Msg::SnapshotRequest(SnapshotRequest {}),
        );
    }
    true
}

async fn serve(chat: &Arc<Chat>, incoming: Incoming) {
    match &incoming.msg {
        Msg::CheckMember(check) => {
            match groups::check_member(chat, check.gid, check.uid).await {
                Ok(answer) => incoming.reply(Msg::MemberCheck(answer)),
                Err(failure) => incoming.reply_error(failure.code, failure.reason),
            }
            return;
        }
        Msg::AdminRequest(_) => {
            admin::on_request(chat, incoming).await;
            return;
        }
        Msg::CheckFileRef(check) => {
            match groups::file_referenced(chat, &check.path, &check.scope).await {
                Ok(referenced) => incoming.reply(Msg::FileRef(FileRef { referenced })),
                Err(failure) => incoming.reply_error(failure.code, failure.reason),
            }
            return;
        }
        _ => {}
    }
    let Msg::ChatRequest(request) = &incoming.msg else {
        incoming.reply_error(
            ResultCode::UnknownMessage,
            "chat_serv does not handle this message",
        );
        return;
    };
    let uid = request.uid;
    let body = request
        .request
        .as_ref()
        .and_then(|message| message.body.clone());
    let response = match body {
        Some(body) => match handle(chat, uid, body).await {
            Ok(response) => response,
            Err(failure) => ServerMessage::error(0, failure.code, failure.reason),
        },
        None => ServerMessage::error(0, ResultCode::UnknownMessage, "unknown message type"),
    };
    incoming.reply(Msg::ChatResponse(ChatResponse {
        response: Some(response),
    }));
}

async fn handle(chat: &Arc<Chat>, uid: u64, request: Request) -> Result<ServerMessage, Failure> {
    use schat_proto::client::server_message::Body as Response;
    let body = match request {
        Request::CreateGroup(req) => Response::Group(groups::create(chat, uid, req).await?),
        Request::JoinGroup(req) => Response::JoinGroup(groups::join(chat, uid, req).await?),
        Request::DecideApplication(req) => groups::decide(chat, uid, req).await?,
        Request::Invite(req) => groups::invite(chat, uid, req).await?,
        Request::QuitGroup(req) => groups::quit(chat, uid, req.gid).await?,
        Request::KickMember(req) => groups::kick(chat, uid, req).await?,
        Request::DismissGroup(req) => groups::dismiss(chat, uid, req.gid).await?,
        Request::GetGroup(req) => Response::Group(groups::info_for(chat, uid, req.gid).await?),
        Request::ListMembers(req) => Response::Members(groups::members(chat, uid, req).await?),
        Request::UpdateGroup(req) => Response::Group(groups::update(chat, uid, req).await?),
        Request::ListPublicGroups(req) => Response::Groups(groups::public(chat, req).await?),
        Request::MyGroups(_) => Response::MyGroups(groups::mine(chat, uid).await?),
        Request::ListNotices(req) => {
            Response::Notices(deliver::notices(chat, uid, req.after_id).await?)
        }
        Request::AckNotices(req) => deliver::ack_notices(chat, uid, req.up_to_id).await?,
        Request::SendMessage(req) => Response::SendMessage(messages::send(chat, uid, req).await?),
        Request::PullMessages(req) => Response::Messages(messages::pull(chat, uid, req).await?),
        Request::History(req) => Response::Messages(messages::history(chat, uid, req).await?),
        Request::MarkRead(req) => messages::mark_read(chat, uid, req).await?,
        Request::RecallMessage(req) => {
            Response::SendMessage(messages::recall(chat, uid, req).await?)
        }
        _ => {
            return Err(Failure::new(
                ResultCode::UnknownMessage,
                "not a group or message request",
            ))
        }
    };
    Ok(ServerMessage::ok(0, body))
}
