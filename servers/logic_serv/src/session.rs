//! One client connection's session: a task that takes the connection's
//! frames in order, enforces the login state, and answers. Requests that
//! change the session (register, login, logout) and pings run on the task
//! itself, in order; every other request runs beside it (see
//! [`requests`](crate::requests)), so one slow request does not hold up the
//! connection's others: requests about one group are answered in the order
//! sent, the rest in whatever order they complete.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, ClientMessage, Kicked,
    PongResponse, ResultCode, ServerMessage,
};
use schat_proto::server::{server_msg::Msg, ConnLogin, ProcType};
use schat_proto::Wire;
use schat_runtime::logging::{debug, o, Logger};
use schat_runtime::time::now_ms;
use schat_runtime::Failure;
use schat_runtime::Target;
use tokio::sync::Notify;

use crate::account::{self, User};
use crate::context::Logic;
use crate::reply::{answer, close_conn, send_to};

/// Requests one session may have waiting or running at once; a client
/// that sends more is closed with RATE_LIMITED once those are answered.
pub const MAX_IN_FLIGHT: usize = 64;

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
pub(crate) struct Inbox {
    events: Mutex<Events>,
    pub ready: Notify,
    /// Requests running beside the session task (see `requests`).
    pub running: crate::requests::Running,
    /// Set once the client overran [`MAX_IN_FLIGHT`]: nothing more is
    /// taken, and the session closes once what it took is answered.
    overloaded: std::sync::atomic::AtomicBool,
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
        if events.frames.is_empty() && events.frames.capacity() > MAX_IN_FLIGHT {
            events.frames.shrink_to(MAX_IN_FLIGHT);
        }
        Some(Next::Frame(frame))
    }
}

impl crate::requests::Owner for Inbox {
    fn running(&self) -> &crate::requests::Running {
        &self.running
    }

    fn answered(&self) {
        self.ready.notify_one();
    }
}

impl SessionHandle {
    /// Queues a frame, unless the client has [`MAX_IN_FLIGHT`] requests
    /// waiting or running already: then the session takes nothing more
    /// and closes with RATE_LIMITED once the ones it took are answered.
    pub fn offer(&self, frame: Bytes) {
        use std::sync::atomic::Ordering;
        if self.inbox.overloaded.load(Ordering::Acquire) {
            return;
        }
        {
            let mut events = self.inbox.lock();
            if events.frames.len() + self.inbox.running.count() >= MAX_IN_FLIGHT {
                drop(events);
                self.inbox.overloaded.store(true, Ordering::Release);
            } else {
                events.frames.push_back(frame);
            }
        }
        self.inbox.ready.notify_one();
    }

    pub fn control(&self, control: Control) {
        self.inbox.lock().control.push_back(control);
        self.inbox.ready.notify_one();
    }

    pub fn same_session(&self, other: &SessionHandle) -> bool {
        Arc::ptr_eq(&self.inbox, &other.inbox)
    }
}

pub fn spawn(logic: Arc<Logic>, conn_id: u64, peer: String) -> SessionHandle {
    let handle = SessionHandle {
        inbox: Arc::default(),
    };
    let session = Session {
        peer_ip: crate::guard::parse_peer(&peer),
        log: logic.log.new(o!("conn_id" => conn_id, "client" => peer)),
        logic: logic.clone(),
        conn_id,
        user: None,
        failed_logins: 0,
        relogin_by: None,
    };
    logic.shutdown.spawn(session.run(handle.clone()));
    handle
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Tells conn that a user logged in on `conn_id` (its login deadline;
/// after a logout the session keeps the deadline, see `relogin_by`).
fn tell_conn_login(logic: &Logic, conn_id: u64) {
    let login = ConnLogin { conn_id };
    let _ = logic.conn.push(
        Target::spec(ProcType::Conn, logic.conn_id),
        Msg::ConnLogin(login),
    );
}

pub(crate) struct Session {
    pub logic: Arc<Logic>,
    pub conn_id: u64,
    pub user: Option<User>,
    pub log: Logger,
    /// The client's address, for the login and registration throttle.
    pub peer_ip: Option<std::net::IpAddr>,
    /// Failed logins on this connection (closed at
    /// `auth.throttle.connection_failures`).
    pub failed_logins: u32,
    /// After a logout: when the connection must have logged in again.
    relogin_by: Option<tokio::time::Instant>,
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
                if inbox.overloaded.load(std::sync::atomic::Ordering::Acquire)
                    && inbox.running.count() == 0
                {
                    // Every request taken before the overload is answered.
                    close_conn(
                        &self.logic,
                        self.conn_id,
                        ResultCode::RateLimited,
                        "too many requests in flight",
                    );
                    break;
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = inbox.ready.notified() => continue,
                    _ = sleep_until(self.relogin_by) => {}
                }
                if self.relogin_overdue() {
                    break;
                }
                continue;
            };
            match next {
                Next::Control(Control::Closed) => break,
                Next::Control(Control::Kick { session_id, reason }) => {
                    if self
                        .user
                        .as_ref()
                        .is_some_and(|user| user.session_id == session_id)
                    {
                        debug!(self.log, "Session closed"; "reason" => &reason);
                        self.send(ServerMessage::push(Response::Kicked(Kicked {
                            reason: reason.clone(),
                        })));
                        close_conn(&self.logic, self.conn_id, ResultCode::Ok, &reason);
                        break;
                    }
                }
                Next::Frame(_) if self.relogin_overdue() => break,
                Next::Frame(frame) => {
                    // Boxed: the request future is large, and an idle
                    // session should not carry its space around.
                    if let Flow::Close = Box::pin(self.on_frame(frame, &inbox)).await {
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

    /// Closes a connection that logged out and did not log in again
    /// within the login timeout (conn_serv keeps the deadline before the
    /// first login); true if it did.
    fn relogin_overdue(&mut self) -> bool {
        let Some(deadline) = self.relogin_by else {
            return false;
        };
        if self.user.is_some() {
            self.relogin_by = None;
            return false;
        }
        if tokio::time::Instant::now() < deadline {
            return false;
        }
        let secs = self.logic.config.current().limits.client_login_timeout_secs;
        close_conn(
            &self.logic,
            self.conn_id,
            ResultCode::NotLoggedIn,
            &format!("no login within {secs} s of the logout"),
        );
        true
    }

    async fn on_frame(&mut self, frame: Bytes, inbox: &Arc<Inbox>) -> Flow {
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
        self.logic.metrics.requests.inc();
        let allowed_anonymously = matches!(
            request,
            Request::Ping(_) | Request::Register(_) | Request::Login(_)
        );
        let uid = match &self.user {
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
        let result = match request {
            Request::Ping(ping) => Ok(Response::Pong(PongResponse {
                client_time_ms: ping.client_time_ms,
                server_time_ms: now_ms(),
            })),
            Request::Register(register) => {
                let address = crate::guard::address_of(&self.logic, self.peer_ip);
                account::register(&self.logic, register, &address).await
            }
            Request::Login(login) => {
                let result = self.login(login).await;
                let metrics = &self.logic.metrics;
                match &result {
                    Ok(_) => metrics.logins.inc(),
                    Err(_) => metrics.login_failures.inc(),
                }
                match &result {
                    Ok(_) => tell_conn_login(&self.logic, self.conn_id),
                    Err(failure) if failure.code == ResultCode::AuthFailed => {
                        self.failed_logins += 1;
                        if self.failed_logins
                            >= self
                                .logic
                                .config
                                .current()
                                .auth
                                .throttle
                                .connection_failures
                        {
                            answer(&self.logic, self.conn_id, request_id, result, &self.log);
                            close_conn(
                                &self.logic,
                                self.conn_id,
                                ResultCode::RateLimited,
                                "too many failed logins on this connection",
                            );
                            return Flow::Close;
                        }
                    }
                    Err(_) => {}
                }
                result
            }
            Request::Logout(logout) => {
                let result = self.logout(logout.all_devices).await;
                if result.is_ok() {
                    let timeout = self.logic.config.current().limits.client_login_timeout_secs;
                    self.relogin_by =
                        Some(tokio::time::Instant::now() + std::time::Duration::from_secs(timeout));
                }
                result
            }
            Request::ListDevices(_) => match &self.user {
                Some(user) => crate::devices::list(&self.logic, user).await,
                None => Err(Failure::new(ResultCode::NotLoggedIn, "not logged in")),
            },
            Request::EndDevice(end) => match &self.user {
                Some(user) => crate::devices::end(&self.logic, user, &end.device_id).await,
                None => Err(Failure::new(ResultCode::NotLoggedIn, "not logged in")),
            },
            Request::SendMessage(_)
                if !self
                    .logic
                    .sessions
                    .take_send(uid, &self.logic.config.load().chat) =>
            {
                Err(Failure::new(
                    ResultCode::RateLimited,
                    "sending too fast; slow down",
                ))
            }
            request => {
                // Runs beside this task; its answer is sent when it is done.
                let job = crate::requests::Job::new(uid, request_id, request);
                crate::requests::start(&self.logic, inbox, self.conn_id, job);
                return Flow::Continue;
            }
        };
        answer(&self.logic, self.conn_id, request_id, result, &self.log);
        Flow::Continue
    }

    async fn login(
        &mut self,
        login: schat_proto::client::LoginRequest,
    ) -> Result<Response, Failure> {
        if self.user.is_some() {
            return Err(Failure::new(
                ResultCode::AlreadyLoggedIn,
                "this connection is logged in already",
            ));
        }
        let conn = account::Conn {
            id: self.conn_id,
            peer_ip: self.peer_ip,
            log: &self.log,
        };
        let (response, user) = account::login(&self.logic, conn, login).await?;
        self.user = Some(user);
        Ok(response)
    }

    async fn logout(&mut self, all_devices: bool) -> Result<Response, Failure> {
        let Some(user) = &self.user else {
            return Err(Failure::new(ResultCode::NotLoggedIn, "not logged in"));
        };
        let uid = user.uid;
        let response = account::logout(&self.logic, user, all_devices).await?;
        self.end_user_session().await;
        debug!(self.log, "Logged out"; "uid" => uid, "all_devices" => all_devices);
        Ok(response)
    }

    /// Sends one message to this session's client.
    pub fn send(&self, message: ServerMessage) {
        send_to(&self.logic, self.conn_id, message);
    }

    /// Ends the logged-in part of the session, if any: presence, the local
    /// registry, and the device's session record in Redis (if it is still
    /// ours).
    pub async fn end_user_session(&mut self) {
        let Some(user) = self.user.take() else { return };
        self.logic
            .sessions
            .forget_sends_if_idle(user.uid, &self.logic.config.load().chat);
        account::close_session(&self.logic, &user).await;
    }
}
