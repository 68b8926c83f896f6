//! db_chat_serv: Redis access for groups, members, messages and notices on
//! behalf of its paired chat_serv.
//!
//! It holds no state: each request is a few pipelined commands or one Lua
//! script over one group's keys (see [`store`] for the layout), run
//! concurrently with the others.

#![forbid(unsafe_code)]

mod memory;
pub mod store;

use schat_proto::client::{MyGroupsResponse, NoticesResponse, ResultCode, Role};
use schat_proto::server::{
    db_append_outcome, server_msg::Msg, DbAppendOutcome, DbAppended, DbAppendedBatch,
    DbFileRefCount, DbFlag, DbGroup, DbQuiet, DbReadMark, DbUids, Ok as OkMsg,
};
use schat_runtime::logging::warn;
use schat_runtime::paired::serve_requests;
use schat_runtime::{CallError, Node};
use tokio::net::TcpListener;

use store::Store;

/// Serves the paired chat_serv on `listener` until the node shuts down.
pub async fn run(listener: TcpListener, node: Node) -> anyhow::Result<()> {
    use anyhow::Context;
    let config = node.config.current();
    let chat = config.chat_of(&node.me)?.clone();
    let store = Store::connect(node.config.clone())
        .await
        .with_context(|| format!("cannot reach {}", config.redis.describe()))?;
    let ack_replicas = u32::from(config.redis.ack_replicas);
    if ack_replicas > 0 {
        // Said once at start: every send would be answered UNAVAILABLE.
        match store.connected_replicas().await {
            Ok(connected) if connected < ack_replicas => {
                warn!(node.log, "Fewer Redis replicas than redis.ack_replicas: sends are answered UNAVAILABLE until enough connect";
                    "connected" => connected, "ack_replicas" => ack_replicas);
            }
            Ok(_) => {}
            Err(err) => warn!(node.log, "Cannot count Redis replicas"; "error" => %err),
        }
    }
    node.shutdown.spawn(memory::watch(
        store.redis().clone(),
        config.redis.memory_alarm_percent,
        node.log.clone(),
        node.stats.clone(),
        node.shutdown.clone(),
    ));
    serve_requests(listener, &node, &chat, move |msg| {
        let store = store.clone();
        async move { handle(&store, msg).await }
    })
    .await;
    Ok(())
}

async fn handle(store: &Store, msg: Msg) -> Result<Msg, CallError> {
    Ok(match msg {
        Msg::DbCreateGroup(req) => {
            let info = store
                .create_group(
                    req.info.unwrap_or_default(),
                    req.password_hash,
                    req.owner_cap,
                )
                .await?;
            Msg::DbGroup(DbGroup {
                info: Some(info),
                password_hash: String::new(),
                viewer_is_member: true,
                admin_uids: Vec::new(),
                viewer_blocked: false,
            })
        }
        Msg::DbGetGroup(req) => Msg::DbGroup(store.group(req.gid, req.viewer_uid).await?),
        Msg::DbMemberChange(req) => Msg::DbFlag(DbFlag {
            value: if req.add {
                store
                    .add_member(req.gid, req.uid, req.at_ms, req.user_group_cap)
                    .await?
            } else {
                store.remove_member(req.gid, req.uid).await?
            },
        }),
        Msg::DbListMembers(req) => {
            let owner = store
                .group(req.gid, 0)
                .await?
                .info
                .unwrap_or_default()
                .owner_uid;
            Msg::DbMembers(
                store
                    .members_page(req.gid, owner, req.after_uid, req.limit)
                    .await?,
            )
        }
        Msg::DbMemberUids(req) => {
            let (uids, version) = store.member_uids(req.gid).await?;
            Msg::DbUids(DbUids { uids, version })
        }
        Msg::DbUpdateGroup(req) => {
            let gid = req.gid;
            store.update_group(req).await?;
            Msg::DbGroup(store.group(gid, 0).await?)
        }
        Msg::DbDeleteGroup(req) => Msg::DbUids(DbUids {
            uids: store.delete_group(req.gid).await?,
            version: 0,
        }),
        Msg::DbListPublic(req) => Msg::DbGroups(store.public_page(req.after_gid, req.limit).await?),
        Msg::DbAppend(req) => Msg::DbAppended(
            store
                .append(req.message.unwrap_or_default(), req.require_member)
                .await?,
        ),
        Msg::DbAppendBatch(batch) => {
            let messages = batch
                .appends
                .into_iter()
                .map(|append| (append.message.unwrap_or_default(), append.require_member))
                .collect();
            let (outcomes, seq_high) = store.append_batch(messages, batch.seq_floor).await?;
            Msg::DbAppendedBatch(DbAppendedBatch {
                seq_high,
                outcomes: outcomes
                    .into_iter()
                    .map(|outcome| DbAppendOutcome {
                        outcome: Some(match outcome {
                            Ok(appended) => db_append_outcome::Outcome::Appended(appended),
                            Err(err) => db_append_outcome::Outcome::Error((&err).into()),
                        }),
                    })
                    .collect(),
            })
        }
        Msg::DbRead(req) => Msg::DbMessages(
            store
                .read(
                    req.gid,
                    (req.from_seq, req.to_seq),
                    req.max_bytes as usize,
                    req.keep_newest,
                    req.exact,
                )
                .await?,
        ),
        Msg::DbFileRefs(req) => Msg::DbFileRefCount(DbFileRefCount {
            count: store.file_refs(req.gid, &req.path).await?,
        }),
        Msg::DbSetRole(req) => {
            let changed = match req.role() {
                Role::Owner => {
                    store
                        .transfer(
                            req.gid,
                            (req.from_uid, req.uid),
                            req.owner_cap,
                            req.max_admins,
                        )
                        .await?
                }
                role => {
                    store
                        .set_admin(req.gid, req.uid, role == Role::Admin, req.max_admins)
                        .await?
                }
            };
            Msg::DbFlag(DbFlag { value: changed })
        }
        Msg::DbMute(req) => {
            let (member, until_ms) = if req.all {
                (None, u64::from(req.muted))
            } else if req.uid == 0 {
                return Err(CallError::remote(ResultCode::BadRequest, "no member named"));
            } else {
                (Some(req.uid), req.until_ms)
            };
            Msg::DbFlag(DbFlag {
                value: store.mute(req.gid, member, until_ms).await?,
            })
        }
        Msg::DbReaders(req) => Msg::DbReadersPage(
            store
                .readers(
                    req.gid,
                    (req.seq, req.sent_at_ms),
                    req.sender_uid,
                    req.after_uid,
                    req.limit,
                )
                .await?,
        ),
        Msg::DbOpenDirect(req) => Msg::DbGroup(
            store
                .open_direct(req.uid, req.peer_uid, schat_runtime::time::now_ms())
                .await?,
        ),
        Msg::DbContacts(req) => Msg::DbContactList(store.contacts(req.uid).await?),
        Msg::DbSetQuiet(req) => {
            store.set_quiet(req.uid, req.gid, req.muted).await?;
            Msg::Ok(OkMsg {})
        }
        Msg::DbQuietOf(req) => {
            let pairs: Vec<(u64, u64)> = req.uids.into_iter().zip(req.gids).collect();
            Msg::DbQuiet(DbQuiet {
                quiet: store.quiet_of(&pairs).await?,
            })
        }
        Msg::DbContactChange(change) => Msg::DbContactDone(store.contact_change(change).await?),
        Msg::DbMarkRead(req) => {
            let (read_seq, moved) = store.mark_read(req.gid, req.uid, req.seq).await?;
            Msg::DbReadMark(DbReadMark { read_seq, moved })
        }
        Msg::DbUserGroups(req) => Msg::DbMyGroups(MyGroupsResponse {
            groups: store.user_groups(req.uid).await?,
        }),
        Msg::DbPending(req) => Msg::DbFlag(DbFlag {
            value: store.pending(req).await?,
        }),
        Msg::DbPutNotice(req) => Msg::DbNotices(NoticesResponse {
            notices: vec![
                store
                    .put_notice(req.uid, req.notice.unwrap_or_default())
                    .await?,
            ],
        }),
        Msg::DbListNotices(req) => Msg::DbNotices(NoticesResponse {
            notices: store
                .notices(req.uid, req.after_id, req.limit.max(1) as usize)
                .await?,
        }),
        Msg::DbAckNotices(req) => {
            store.ack_notices(req.uid, req.up_to_id).await?;
            Msg::Ok(OkMsg {})
        }
        Msg::DbRecall(req) => {
            let event = req.event.unwrap_or_default();
            let original = store
                .read(req.gid, (req.seq, req.seq), usize::MAX, false, true)
                .await?;
            let Some(original) = original.messages.into_iter().next() else {
                return Err(CallError::remote(
                    ResultCode::BadRequest,
                    "no message with that seq",
                ));
            };
            let (seq, released) = store.recall(original, event, req.seq_floor).await?;
            Msg::DbAppended(DbAppended {
                seq,
                duplicate: false,
                member_version: 0,
                released_paths: released.into_iter().collect(),
            })
        }
        _ => {
            return Err(CallError::remote(
                ResultCode::UnknownMessage,
                "db_chat_serv does not handle this message",
            ))
        }
    })
}
