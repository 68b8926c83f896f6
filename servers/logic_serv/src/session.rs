//! One client connection's session: a task that takes the connection's
//! frames in order, enforces the login state, runs each request, and answers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, ClientMessage, Kicked,
    PongResponse, ResultCode, ServerMessage,
};
use schat_proto::server::{server_msg::Msg, CloseConn, Deliver, ProcType};
use schat_proto::Wire;
use schat_runtime::logging::{debug, o, Logger};
use schat_runtime::time::now_ms;
pub use schat_runtime::Failure;
use schat_runtime::Target;
use tokio::sync::Notify;

use crate::{account, profile, Logic};

/// Frames one session may have waiting before its client is closed.
const FRAME_QUEUE: usize = 64;

/// Events for a session besides its frames.
#[derive(Debug)]
pub enum Control {
    /// The client connection is gone (or must be treated as gone).
    Closed,
    /// Close the session if it is still `session_id`: the user logged in
    /// elsewhere.
    Kick { session_id: u64, reason: String },
}

/// The registry's handle to a running session: its inbox. A deque behind
/// a mutex allocates only while events wait, so an idle session costs no
/// queue memory.
#[derive(Clone, Debug)]
pub struct SessionHandle {
    inbox: Arc<Inbox>,
}

#[derive(Debug, Default)]
struct Inbox {
    events: Mutex<Events>,
    ready: Notify,
}

#[derive(Debug, Default)]
struct Events {
    /// Handled before frames.
    control: VecDeque<Control>,
    frames: VecDeque<Bytes>,
}

/// What the session task takes next.
enum Next {
    Control(Control),
    Frame(Bytes),
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, Events> {
        self.events
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn next(&self) -> Option<Next> {
        let mut events = self.lock();
        if let Some(control) = events.control.pop_front() {
            return Some(Next::Control(control));
        }
        let frame = events.frames.pop_front()?;
        if events.frames.is_empty() && events.frames.capacity() > FRAME_QUEUE {
            events.frames.shrink_to(FRAME_QUEUE);
        }
        Some(Next::Frame(frame))
    }
}

impl SessionHandle {
    /// Queues a frame; false when the session's queue is full.
    pub fn offer(&self, frame: Bytes) -> bool {
        {
            let mut events = self.inbox.lock();
            if events.frames.len() >= FRAME_QUEUE {
                return false;
            }
            events.frames.push_back(frame);
        }
        self.inbox.ready.notify_one();
        true
    }

    pub fn control(&self, control: Control) {
        self.inbox.lock().control.push_back(control);
        self.inbox.ready.notify_one();
    }

    pub fn same_session(&self, other: &SessionHandle) -> bool {
        Arc::ptr_eq(&self.inbox, &other.inbox)
    }
}

/// The logged-in user of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User {
    pub uid: u64,
    pub session_id: u64,
}

pub fn spawn(logic: Arc<Logic>, conn_id: u64, peer: String) -> SessionHandle {
    let handle = SessionHandle {
        inbox: Arc::default(),
    };
    let session = Session {
        log: logic.log.new(o!("conn_id" => conn_id, "client" => peer)),
        logic: logic.clone(),
        conn_id,
        user: None,
    };
    logic.shutdown.spawn(session.run(handle.clone()));
    handle
}

/// Writes a final message to a client connection and closes it.
pub fn close_conn(logic: &Logic, conn_id: u64, code: ResultCode, reason: &str) {
    let close = CloseConn {
        conn_id,
        final_frame: ServerMessage::closing(code, reason).encode_frame(),
        reason: reason.to_string(),
    };
    let _ = logic.conn.push(
        Target::spec(ProcType::Conn, logic.conn_id),
        Msg::CloseConn(close),
    );
}

pub(crate) struct Session {
    pub logic: Arc<Logic>,
    pub conn_id: u64,
    pub user: Option<User>,
    pub log: Logger,
}

enum Flow {
    Continue,
    Close,
}

impl Session {
    async fn run(mut self, handle: SessionHandle) {
        let shutdown = self.logic.shutdown.clone();
        let inbox = handle.inbox.clone();
        loop {
            if shutdown.is_triggered() {
                break;
            }
            let Some(next) = inbox.next() else {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = inbox.ready.notified() => continue,
                }
            };
            match next {
                Next::Control(Control::Closed) => break,
                Next::Control(Control::Kick { session_id, reason }) => {
                    if self.user.is_some_and(|user| user.session_id == session_id) {
                        debug!(self.log, "Session replaced by a newer login");
                        self.send(ServerMessage::push(Response::Kicked(Kicked {
                            reason: reason.clone(),
                        })));
                        close_conn(&self.logic, self.conn_id, ResultCode::Ok, &reason);
                        break;
                    }
                }
                Next::Frame(frame) => {
                    // Boxed: the request future is large, and an idle
                    // session should not carry its space around.
                    if let Flow::Close = Box::pin(self.on_frame(frame)).await {
                        break;
                    }
                }
            }
        }
        if !shutdown.is_triggered() {
            self.end_user_session().await;
        }
        self.logic.sessions.remove(self.conn_id, &handle);
    }

    async fn on_frame(&mut self, frame: Bytes) -> Flow {
        let message = match ClientMessage::decode_frame(frame) {
            Ok(message) => message,
            Err(err) => {
                close_conn(
                    &self.logic,
                    self.conn_id,
                    ResultCode::Malformed,
                    &err.to_string(),
                );
                return Flow::Close;
            }
        };
        let request_id = message.request_id;
        let Some(request) = message.body else {
            self.send(ServerMessage::error(
                request_id,
                ResultCode::UnknownMessage,
                "unknown message type",
            ));
            return Flow::Continue;
        };
        if request_id == 0 {
            self.send(ServerMessage::error(
                0,
                ResultCode::BadRequest,
                "request_id must not be 0",
            ));
            return Flow::Continue;
        }
        let allowed_anonymously = matches!(
            request,
            Request::Ping(_) | Request::Register(_) | Request::Login(_)
        );
        let uid = match self.user {
            Some(user) => user.uid,
            None if allowed_anonymously => 0,
            None => {
                self.send(ServerMessage::error(
                    request_id,
                    ResultCode::NotLoggedIn,
                    "log in first",
                ));
                close_conn(
                    &self.logic,
                    self.conn_id,
                    ResultCode::NotLoggedIn,
                    "request before login",
                );
                return Flow::Close;
            }
        };
        let result = match (crate::chat::target(&request), request) {
            (Some(target), request) => {
                crate::chat::forward(&self.logic, uid, target, request).await
            }
            (None, request) => self.handle(uid, request).await,
        };
        match result {
            Ok(body) => self.send(ServerMessage::ok(request_id, body)),
            Err(failure) => {
                debug!(self.log, "Request failed"; "code" => ?failure.code, "reason" => &failure.reason);
                self.send(ServerMessage::error(
                    request_id,
                    failure.code,
                    failure.reason,
                ))
            }
        }
        Flow::Continue
    }

    /// Requests this logic_serv answers itself.
    async fn handle(&mut self, uid: u64, request: Request) -> Result<Response, Failure> {
        match request {
            Request::Ping(ping) => Ok(Response::Pong(PongResponse {
                client_time_ms: ping.client_time_ms,
                server_time_ms: now_ms(),
            })),
            Request::Register(register) => account::register(&self.logic, register).await,
            Request::Login(login) => account::login(self, login).await,
            Request::Logout(_) => account::logout(self).await,
            Request::GetProfile(_) => profile::own(&self.logic, uid).await,
            Request::UpdateProfile(update) => profile::update(&self.logic, uid, update).await,
            Request::GetUsers(lookup) => profile::users(&self.logic, lookup).await,
            _ => Err(Failure::new(
                ResultCode::UnknownMessage,
                "unknown message type",
            )),
        }
    }

    /// Sends one message to this session's client. A response too large
    /// for a frame is replaced by an error saying so.
    pub fn send(&self, message: ServerMessage) {
        let mut frame = message.encode_frame();
        if frame.len() > self.logic.config.limits.max_frame_bytes {
            frame = ServerMessage::error(
                message.request_id,
                ResultCode::Internal,
                "response exceeds the frame limit; ask for less at a time",
            )
            .encode_frame();
        }
        let deliver = Deliver {
            conn_ids: vec![self.conn_id],
            frame,
        };
        let _ = self.logic.conn.push(
            Target::spec(ProcType::Conn, self.logic.conn_id),
            Msg::Deliver(deliver),
        );
    }

    /// Ends the logged-in part of the session, if any: presence, the local
    /// registry, and the session record in Redis (if it is still ours).
    pub async fn end_user_session(&mut self) {
        let Some(user) = self.user.take() else { return };
        self.logic.presence.offline(user.uid, user.session_id);
        self.logic.sessions.unbind_user(user.uid, user.session_id);
        let close = Msg::CloseSession(schat_proto::server::CloseSession {
            uid: user.uid,
            session_id: user.session_id,
        });
        if let Err(err) = self.logic.db(close).await {
            debug!(self.log, "Could not clear the session record"; "error" => %err);
        }
    }
}
