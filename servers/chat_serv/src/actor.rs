//! One active group as an actix actor: the only writer of the group's
//! message stream in this chat_serv, and the owner of its member cache.
//!
//! Writes (sends, recalls, system messages) queue in the actor in arrival
//! order. One batch at a time is stored: every append that queued up while
//! the previous batch was in Redis goes in the next one (one round trip for
//! all of them), so a busy group costs fewer round trips per message and an
//! idle one waits for nobody. Each write is answered as soon as its batch is
//! stored — never before — and only then pushed, one message after another
//! in seq order, so pushes leave in seq order by construction. The member
//! list used for pushes is cached under the membership version each message
//! was stored with, and read again when a message carries another.
//!
//! What the actor holds is bounded by [`crate::actors::GroupActors`], which
//! answers BUSY past `chat.group_queue_max` writes; a write the actor never
//! got to (it stopped, the process is shutting down) is answered by its
//! [`Answer`]'s drop, so no sender waits for a timeout.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, Message, SpawnHandle,
    WrapFuture,
};
use schat_proto::calls::Call;
use schat_proto::client::{
    server_message::Body as Response, ChatMessage, ResultCode, SendMessageResponse, ServerMessage,
};
use schat_proto::server::{
    db_append_outcome::Outcome, server_msg::Msg, DbAppend, DbAppendBatch, DbAppended,
    DbAppendedBatch, DbRecall, ServerMsg,
};
use schat_runtime::file_url::release_paths;
use schat_runtime::logging::debug;
use schat_runtime::time::now_ms;
use schat_runtime::CallError;
use tokio::sync::oneshot;

use crate::deliver::{self, Members};
use crate::reply::ClientReply;
use crate::{Chat, Failure};

/// Appends stored in one round trip at most.
const BATCH_MAX: usize = 64;

/// How often an actor checks whether it has been idle long enough to stop:
/// a quarter of `chat.group_idle_secs`, within these bounds.
const IDLE_CHECK_MIN: Duration = Duration::from_millis(100);
const IDLE_CHECK_MAX: Duration = Duration::from_secs(5);

/// A change to the group's message stream.
pub(crate) enum Write {
    /// A new message; with `require_member`, refused unless the sender is
    /// a member (system messages skip it).
    Append {
        message: ChatMessage,
        require_member: bool,
        answer: Answer,
    },
    /// Message `seq` recalled: its content emptied and `event` appended.
    Recall {
        seq: u64,
        event: ChatMessage,
        answer: Answer,
    },
}

impl Message for Write {
    type Result = ();
}

impl Write {
    /// Answers the write without storing it.
    pub fn refuse(self, failure: Failure) {
        match self {
            Write::Append { answer, .. } | Write::Recall { answer, .. } => {
                answer.send(Err(failure))
            }
        }
    }
}

/// Tells the actor to stop once it has stored and pushed everything it
/// holds (it is out of the registry already, so nothing new arrives).
pub(crate) struct Leave;

impl Message for Leave {
    type Result = ();
}

/// Who waits for a write's outcome: a client's request (answered with
/// the final SendMessage response) or a task of this process.
pub(crate) struct Answer(Option<AnswerTo>);

enum AnswerTo {
    Client(ClientReply),
    Task(oneshot::Sender<Result<DbAppended, Failure>>),
}

impl Answer {
    pub fn client(reply: ClientReply) -> Answer {
        Answer(Some(AnswerTo::Client(reply)))
    }

    /// An answer a task of this process awaits.
    pub fn task() -> (Answer, oneshot::Receiver<Result<DbAppended, Failure>>) {
        let (tx, rx) = oneshot::channel();
        (Answer(Some(AnswerTo::Task(tx))), rx)
    }

    fn send(mut self, outcome: Result<DbAppended, Failure>) {
        let Some(to) = self.0.take() else { return };
        match to {
            AnswerTo::Task(tx) => {
                let _ = tx.send(outcome);
            }
            AnswerTo::Client(reply) => reply.send(match outcome {
                Ok(appended) => ServerMessage::ok(
                    0,
                    Response::SendMessage(SendMessageResponse {
                        seq: appended.seq,
                        server_time_ms: now_ms(),
                        duplicate: appended.duplicate,
                    }),
                ),
                Err(failure) => ServerMessage::error(0, failure.code, failure.reason),
            }),
        }
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        if self.0.is_some() {
            Answer(self.0.take()).send(Err(Failure::new(
                ResultCode::Unavailable,
                "the group's server stopped before storing this; send it again",
            )));
        }
    }
}

/// A stored message waiting for its push.
struct Stored {
    message: ChatMessage,
    /// The membership version it was stored under; `None`: any.
    member_version: Option<u64>,
}

/// One group's actor (see the module docs).
pub(crate) struct GroupActor {
    gid: u64,
    chat: Arc<Chat>,
    /// Writes accepted and not yet answered, shared with the registry,
    /// which refuses writes past the limit.
    held: Arc<AtomicUsize>,
    members: Option<Members>,
    waiting: VecDeque<Write>,
    storing: bool,
    to_push: VecDeque<Stored>,
    pushing: bool,
    last_write: Instant,
    leaving: bool,
    idle_check: Option<SpawnHandle>,
    /// The highest seq storage handed this actor: sent with every write so
    /// a seq is never handed out twice, even after a Redis failover lost
    /// the last writes (see `DbAppendBatch.seq_floor`).
    seq_high: u64,
    /// The highest seq this actor queued for its push.
    seq_pushed: u64,
}

impl GroupActor {
    pub fn new(gid: u64, chat: Arc<Chat>, held: Arc<AtomicUsize>) -> GroupActor {
        GroupActor {
            gid,
            chat,
            held,
            members: None,
            waiting: VecDeque::new(),
            storing: false,
            to_push: VecDeque::new(),
            pushing: false,
            last_write: Instant::now(),
            leaving: false,
            idle_check: None,
            seq_high: 0,
            seq_pushed: 0,
        }
    }

    /// Sends the next batch to storage, unless one is there already.
    fn store_next(&mut self, ctx: &mut Context<Self>) {
        if self.storing {
            return;
        }
        let Some(first) = self.waiting.pop_front() else {
            self.stop_if_done(ctx);
            return;
        };
        self.storing = true;
        match first {
            Write::Recall { seq, event, answer } => {
                let request = Msg::DbRecall(DbRecall {
                    gid: self.gid,
                    seq,
                    event: Some(event),
                    seq_floor: self.seq_high,
                });
                self.store::<DbRecall>(ctx, request, move |act, body, result| {
                    act.recalled(body, result, answer)
                });
            }
            Write::Append {
                message,
                require_member,
                answer,
            } => {
                let mut appends = vec![DbAppend {
                    message: Some(message),
                    require_member,
                }];
                let mut answers = vec![answer];
                while appends.len() < BATCH_MAX {
                    match self.waiting.pop_front() {
                        Some(Write::Append {
                            message,
                            require_member,
                            answer,
                        }) => {
                            appends.push(DbAppend {
                                message: Some(message),
                                require_member,
                            });
                            answers.push(answer);
                        }
                        Some(recall) => {
                            self.waiting.push_front(recall);
                            break;
                        }
                        None => break,
                    }
                }
                let request = Msg::DbAppendBatch(DbAppendBatch {
                    appends,
                    seq_floor: self.seq_high,
                });
                self.store::<DbAppendBatch>(ctx, request, move |act, body, result| {
                    act.appended(body, result, answers)
                });
            }
        }
    }

    /// Sends `request` (an `R`) to storage; `then` gets the request back
    /// with the answer, and the next batch goes when it is done.
    fn store<R: Call>(
        &mut self,
        ctx: &mut Context<Self>,
        request: Msg,
        then: impl FnOnce(&mut Self, ServerMsg, Result<R::Reply, CallError>) + 'static,
    ) where
        R::Reply: 'static,
    {
        let chat = self.chat.clone();
        let body = ServerMsg { msg: Some(request) };
        let stored = async move {
            let result = chat.db_ref::<R>(&body).await;
            (body, result)
        };
        ctx.spawn(
            stored
                .into_actor(self)
                .map(move |(body, result), act, ctx| {
                    then(act, body, result);
                    act.after_store(ctx);
                }),
        );
    }

    fn after_store(&mut self, ctx: &mut Context<Self>) {
        self.storing = false;
        self.store_next(ctx);
        self.push_next(ctx);
    }

    /// Answers each append of a stored batch, then queues the new ones for
    /// their push.
    fn appended(
        &mut self,
        body: ServerMsg,
        result: Result<DbAppendedBatch, CallError>,
        answers: Vec<Answer>,
    ) {
        self.held.fetch_sub(answers.len(), Ordering::Relaxed);
        let appends = match body.msg {
            Some(Msg::DbAppendBatch(batch)) => batch.appends,
            _ => Vec::new(),
        };
        let result = result.and_then(|batch| {
            if batch.outcomes.len() == answers.len() {
                Ok((batch.outcomes, batch.seq_high))
            } else {
                Err(CallError::Malformed(format!(
                    "{} outcomes for {} appends",
                    batch.outcomes.len(),
                    answers.len()
                )))
            }
        });
        let outcomes = match result {
            Ok((outcomes, seq_high)) => {
                // Stored and unconfirmed ones included: their seqs are
                // taken even though their senders were told UNAVAILABLE.
                self.seq_high = self.seq_high.max(seq_high);
                outcomes
            }
            Err(err) => {
                let failure = Failure::from(err);
                for answer in answers {
                    answer.send(Err(Failure::new(failure.code, failure.reason.clone())));
                }
                return;
            }
        };
        for ((append, answer), outcome) in appends.into_iter().zip(answers).zip(outcomes) {
            match outcome.outcome {
                Some(Outcome::Appended(appended)) => {
                    // The retention deleted old messages holding the last
                    // reference.
                    release_files(&self.chat, &appended.released_paths);
                    let (seq, duplicate, version) =
                        (appended.seq, appended.duplicate, appended.member_version);
                    self.seq_high = self.seq_high.max(seq);
                    answer.send(Ok(appended));
                    if !duplicate {
                        self.chat.metrics.messages_stored.inc();
                    }
                    // A duplicate this actor has not pushed yet (its first
                    // attempt was stored but answered UNAVAILABLE, or the
                    // Redis client sent it again through a failover) is
                    // pushed now; one pushed before is not.
                    if !duplicate || seq > self.seq_pushed {
                        self.seq_pushed = self.seq_pushed.max(seq);
                        let mut message = append.message.unwrap_or_default();
                        message.seq = seq;
                        self.to_push.push_back(Stored {
                            message,
                            member_version: Some(version),
                        });
                    }
                }
                Some(Outcome::Error(error)) => answer.send(Err(CallError::from(error).into())),
                None => answer.send(Err(CallError::Malformed("an empty outcome".into()).into())),
            }
        }
    }

    fn recalled(&mut self, body: ServerMsg, result: Result<DbAppended, CallError>, answer: Answer) {
        self.held.fetch_sub(1, Ordering::Relaxed);
        let appended = match result {
            Ok(appended) => appended,
            Err(err) => return answer.send(Err(err.into())),
        };
        release_files(&self.chat, &appended.released_paths);
        let seq = appended.seq;
        self.seq_high = self.seq_high.max(seq);
        self.seq_pushed = self.seq_pushed.max(seq);
        answer.send(Ok(appended));
        let Some(Msg::DbRecall(recall)) = body.msg else {
            return;
        };
        let mut event = recall.event.unwrap_or_default();
        event.seq = seq;
        self.to_push.push_back(Stored {
            message: event,
            member_version: None,
        });
    }

    /// The cached member list if it is the one `version` needs.
    fn members_for(&self, version: Option<u64>) -> Option<Arc<Vec<u64>>> {
        let (cached_version, uids) = self.members.as_ref()?;
        version
            .is_none_or(|wanted| wanted == *cached_version)
            .then(|| uids.clone())
    }

    /// Pushes stored messages in seq order: at once while the member list
    /// and presence are at hand, else one lookup at a time, the messages
    /// behind it waiting their turn.
    fn push_next(&mut self, ctx: &mut Context<Self>) {
        while !self.pushing {
            let Some(stored) = self.to_push.pop_front() else {
                self.stop_if_done(ctx);
                return;
            };
            let members = self.members_for(stored.member_version);
            if let Some(uids) = &members {
                if let Some(entries) = deliver::locate_here(&self.chat, uids) {
                    let delivered =
                        deliver::push_message(&self.chat, uids, entries, stored.message, self.gid);
                    self.chat.metrics.deliveries.add(delivered as u64);
                    continue;
                }
            }
            self.pushing = true;
            let (chat, gid) = (self.chat.clone(), self.gid);
            let pushed = async move {
                let (fetched, uids) = match members {
                    Some(uids) => (None, uids),
                    None => match deliver::fetch_members(&chat, gid).await {
                        Ok(fetched) => (Some(fetched.clone()), fetched.1),
                        Err(failure) => {
                            debug!(chat.log, "No push: members unknown";
                                "gid" => gid, "reason" => failure.reason);
                            return None;
                        }
                    },
                };
                if let Some(entries) = deliver::locate(&chat, &uids).await {
                    let delivered =
                        deliver::push_message(&chat, &uids, entries, stored.message, gid);
                    chat.metrics.deliveries.add(delivered as u64);
                }
                fetched
            };
            ctx.spawn(pushed.into_actor(self).map(|fetched, act, ctx| {
                if fetched.is_some() {
                    act.members = fetched;
                }
                act.pushing = false;
                act.push_next(ctx);
            }));
        }
    }

    /// Stops a leaving actor once nothing is left to store or push.
    fn stop_if_done(&mut self, ctx: &mut Context<Self>) {
        let done =
            self.waiting.is_empty() && !self.storing && self.to_push.is_empty() && !self.pushing;
        if self.leaving && done {
            ctx.stop();
        }
    }

    fn check_idle(&mut self, ctx: &mut Context<Self>) {
        let idle_for = Duration::from_secs(self.chat.config.load().chat.group_idle_secs);
        let busy = self.storing || self.pushing || !self.waiting.is_empty();
        if self.leaving || busy || self.last_write.elapsed() < idle_for {
            return;
        }
        // Out of the registry first, so nothing new is sent here; what was
        // sent before is ahead of Leave in the mailbox.
        if self.chat.groups.forget(self.gid, &ctx.address()) {
            ctx.address().do_send(Leave);
        }
        if let Some(handle) = self.idle_check.take() {
            ctx.cancel_future(handle);
        }
    }
}

impl Actor for GroupActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let idle_for = Duration::from_secs(self.chat.config.load().chat.group_idle_secs);
        let period = (idle_for / 4).clamp(IDLE_CHECK_MIN, IDLE_CHECK_MAX);
        self.idle_check = Some(ctx.run_interval(period, Self::check_idle));
    }
}

impl Handler<Write> for GroupActor {
    type Result = ();

    fn handle(&mut self, write: Write, ctx: &mut Context<Self>) {
        self.last_write = Instant::now();
        self.waiting.push_back(write);
        self.store_next(ctx);
    }
}

impl Handler<Leave> for GroupActor {
    type Result = ();

    fn handle(&mut self, _: Leave, ctx: &mut Context<Self>) {
        self.leaving = true;
        self.stop_if_done(ctx);
    }
}

/// Tells the file servers about files a store left unreferenced.
fn release_files(chat: &Chat, released: &[String]) {
    if !released.is_empty() {
        release_paths(
            chat.fabric.channel(),
            &chat.config.current(),
            released.iter().map(String::as_str),
        );
    }
}
