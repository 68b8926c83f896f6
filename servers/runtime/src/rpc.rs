//! Requests, responses and pushes between processes.
//!
//! A [`Channel`] is how a process talks to others over some [`Transport`]
//! (the disp fabric, or the direct link to its paired process): `call` sends
//! a REQUEST and waits for the RESPONSE with the same correlation id, `push`
//! sends one-way. Frames that arrive are turned into [`Incoming`] messages for
//! the process's handlers, or complete a pending call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dashmap::DashMap;
use schat_proto::calls::Call;
use schat_proto::client::ResultCode;
use schat_proto::server::{
    server_msg::Msg, Envelope, Kind, Method, ProcType, Route, RpcError, ServerMsg,
};
use schat_proto::{Wire, WireError};
use tokio::sync::{mpsc, oneshot};

use crate::config::LiveConfig;
use crate::link::LinkSender;
use crate::time::now_us;

/// Where a packet should go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub proc_type: ProcType,
    pub method: Method,
    pub proc_id: u32,
    pub hash_key: u64,
}

impl Target {
    /// Exactly one process.
    pub fn spec(proc_type: ProcType, proc_id: u32) -> Target {
        Target {
            proc_type,
            method: Method::Spec,
            proc_id,
            hash_key: 0,
        }
    }

    /// The live process of `proc_type` that `hash_key` hashes to.
    pub fn hash(proc_type: ProcType, hash_key: u64) -> Target {
        Target {
            proc_type,
            method: Method::Hash,
            proc_id: 0,
            hash_key,
        }
    }

    /// Any live process of `proc_type`.
    pub fn any(proc_type: ProcType) -> Target {
        Target {
            proc_type,
            method: Method::Rand,
            proc_id: 0,
            hash_key: 0,
        }
    }

    /// The same target, with `hash_key` choosing the disp it travels
    /// through, so that packets with one key keep their order.
    pub fn keyed(self, hash_key: u64) -> Target {
        Target { hash_key, ..self }
    }

    /// Every live process of `proc_type`.
    pub fn all(proc_type: ProcType) -> Target {
        Target {
            proc_type,
            method: Method::All,
            proc_id: 0,
            hash_key: 0,
        }
    }
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The other side answered with an error.
    #[error("{reason} ({code:?})")]
    Remote { code: ResultCode, reason: String },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("send queue full")]
    Busy,
    /// The answer did not decode, or is not of the request's reply type.
    #[error("malformed reply: {0}")]
    Malformed(String),
}

impl CallError {
    /// A storage failure as callers see it, from the Redis error's code
    /// (`OOM`: Redis reached its `maxmemory`, said plainly) and text: the
    /// one mapping every db_* process uses.
    pub fn storage(redis_code: Option<&str>, detail: impl std::fmt::Display) -> CallError {
        if redis_code == Some("OOM") {
            return CallError::remote(
                ResultCode::Unavailable,
                "storage is full: the server's Redis reached its memory limit",
            );
        }
        CallError::remote(ResultCode::Unavailable, format!("redis: {detail}"))
    }

    /// The client-facing result code for this failure.
    pub fn code(&self) -> ResultCode {
        match self {
            CallError::Remote { code, .. } => *code,
            CallError::Timeout(_) | CallError::Unavailable(_) => ResultCode::Unavailable,
            CallError::Busy => ResultCode::Busy,
            CallError::Malformed(_) => ResultCode::Internal,
        }
    }

    /// The human reason, without the code.
    pub fn reason(&self) -> String {
        match self {
            CallError::Remote { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    pub fn remote(code: ResultCode, reason: impl Into<String>) -> CallError {
        CallError::Remote {
            code,
            reason: reason.into(),
        }
    }
}

/// An error body as the caller sees it.
impl From<RpcError> for CallError {
    fn from(error: RpcError) -> CallError {
        CallError::Remote {
            code: error.code(),
            reason: error.reason,
        }
    }
}

/// A failure as the error body that carries it to the caller.
impl From<&CallError> for RpcError {
    fn from(err: &CallError) -> RpcError {
        RpcError {
            code: err.code() as i32,
            reason: err.reason(),
        }
    }
}

impl From<crate::link::SendError> for CallError {
    fn from(err: crate::link::SendError) -> CallError {
        match err {
            crate::link::SendError::Full => CallError::Busy,
            crate::link::SendError::Closed => CallError::Unavailable("link closed".to_string()),
        }
    }
}

/// Something that carries encoded envelopes towards their target.
pub trait Transport: Send + Sync + 'static {
    /// The way a frame with `route` should leave (a disp's index, or 0 on a
    /// single link), so a call can record it before it is sent.
    fn first_way(&self, _route: &Route) -> usize {
        0
    }

    /// Sends one frame, by way `first` if it is up, else another; returns
    /// the way it left, so the calls that went one way can be failed when
    /// that way goes down.
    fn send_frame(&self, route: &Route, frame: Bytes, first: usize) -> Result<usize, CallError>;

    /// Whether at least one way to a peer is up right now.
    fn is_up(&self) -> bool;

    /// The target a call is sent to: a transport that knows the live
    /// processes may pick one for RAND itself (SPEC then), so the call knows
    /// which process it waits on.
    fn resolve(&self, target: Target) -> Target {
        target
    }
}

/// A message for this process's handlers.
#[derive(Debug)]
pub struct Incoming {
    pub route: Route,
    pub msg: Msg,
    channel: Channel,
    /// The link to answer on (paired links); otherwise the channel picks.
    reply_link: Option<LinkSender>,
}

impl Incoming {
    pub fn source_id(&self) -> u32 {
        self.route.source_id
    }

    pub fn is_request(&self) -> bool {
        self.route.kind() == Kind::Request
    }

    /// Answers a REQUEST; does nothing for a PUSH.
    pub fn reply(&self, msg: Msg) {
        answer(&self.channel, &self.route, self.reply_link.as_ref(), msg);
    }

    pub fn reply_error(&self, code: ResultCode, reason: impl Into<String>) {
        self.reply(error_msg(code, reason));
    }

    /// The channel this arrived on, to send further packets.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The message by value, and what answers it: for a handler that keeps
    /// the message's parts (no copy) and answers later, elsewhere.
    pub fn into_parts(self) -> (Msg, Responder) {
        let responder = Responder {
            route: self.route,
            channel: self.channel,
            reply_link: self.reply_link,
        };
        (self.msg, responder)
    }
}

/// Answers `request` if it is a REQUEST; nothing for a PUSH.
fn answer(channel: &Channel, request: &Route, link: Option<&LinkSender>, msg: Msg) {
    if request.kind() == Kind::Request {
        // The caller's timeout (or its link's loss) covers a reply that
        // cannot be sent.
        let _ = channel.send_response(request, msg, link);
    }
}

/// Answers one incoming REQUEST (see [`Incoming::into_parts`]).
#[derive(Debug)]
pub struct Responder {
    route: Route,
    channel: Channel,
    reply_link: Option<LinkSender>,
}

impl Responder {
    pub fn source_id(&self) -> u32 {
        self.route.source_id
    }

    /// Answers the REQUEST; does nothing for a PUSH.
    pub fn reply(self, msg: Msg) {
        answer(&self.channel, &self.route, self.reply_link.as_ref(), msg);
    }

    pub fn reply_error(self, code: ResultCode, reason: impl Into<String>) {
        self.reply(error_msg(code, reason));
    }
}

/// Hands every packet of `inbox` to `handle`, in order, until `shutdown`
/// fires or the inbox closes: the packet loop of a process whose packets
/// need no more than that.
pub async fn serve_inbox(
    mut inbox: mpsc::Receiver<Incoming>,
    shutdown: crate::Shutdown,
    mut handle: impl FnMut(Incoming),
) {
    loop {
        let incoming = tokio::select! {
            _ = shutdown.cancelled() => return,
            incoming = inbox.recv() => incoming,
        };
        match incoming {
            Some(incoming) => handle(incoming),
            None => return,
        }
    }
}

/// The answer to a request of type `R` as its reply type: any other body
/// is a protocol fault of the answerer.
pub fn reply_of<R: Call>(reply: Msg) -> Result<R::Reply, CallError> {
    R::Reply::try_from(reply).map_err(|other| {
        CallError::Malformed(format!(
            "{} answered with {}",
            std::any::type_name::<R>()
                .rsplit("::")
                .next()
                .unwrap_or_default(),
            schat_proto::calls::body_name(&other)
        ))
    })
}

/// An error body.
pub fn error_msg(code: ResultCode, reason: impl Into<String>) -> Msg {
    Msg::Error(RpcError {
        code: code as i32,
        reason: reason.into(),
    })
}

/// A process's way to send to others, and to correlate their responses.
#[derive(Clone)]
pub struct Channel {
    inner: Arc<ChannelInner>,
}

struct ChannelInner {
    me_id: u32,
    me_type: ProcType,
    transport: Box<dyn Transport>,
    pending: DashMap<u64, Pending>,
    next_correlation: AtomicU64,
    timeout: RequestTimeout,
}

/// How long a call may wait for its answer: fixed, or
/// `timing.request_timeout_ms` of the current cluster file.
#[derive(Clone, Debug)]
pub enum RequestTimeout {
    Fixed(Duration),
    Live(LiveConfig),
}

impl RequestTimeout {
    fn now(&self) -> Duration {
        match self {
            RequestTimeout::Fixed(timeout) => *timeout,
            RequestTimeout::Live(config) => config.load().timing.request_timeout(),
        }
    }
}

impl From<Duration> for RequestTimeout {
    fn from(timeout: Duration) -> RequestTimeout {
        RequestTimeout::Fixed(timeout)
    }
}

impl From<LiveConfig> for RequestTimeout {
    fn from(config: LiveConfig) -> RequestTimeout {
        RequestTimeout::Live(config)
    }
}

/// A call waiting for its answer.
struct Pending {
    waiter: oneshot::Sender<Result<Msg, CallError>>,
    /// Which way the request left (see [`Transport::send_frame`]).
    via: usize,
    /// Where it went, to tell when its answerer is gone.
    target: Target,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("me_id", &self.inner.me_id)
            .field("pending", &self.inner.pending.len())
            .finish()
    }
}

impl Channel {
    pub fn new(
        me_id: u32,
        me_type: ProcType,
        transport: impl Transport,
        timeout: impl Into<RequestTimeout>,
    ) -> Channel {
        Channel {
            inner: Arc::new(ChannelInner {
                me_id,
                me_type,
                transport: Box::new(transport),
                pending: DashMap::new(),
                next_correlation: AtomicU64::new(1),
                timeout: timeout.into(),
            }),
        }
    }

    pub fn me_id(&self) -> u32 {
        self.inner.me_id
    }

    /// Whether the transport has a live link right now.
    pub fn is_up(&self) -> bool {
        self.inner.transport.is_up()
    }

    /// Waits until the transport is up or `within` passes.
    pub async fn wait_up(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while !self.is_up() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Sends a typed request and waits for its typed answer.
    pub async fn request<R: Call>(
        &self,
        target: Target,
        request: R,
    ) -> Result<R::Reply, CallError> {
        reply_of::<R>(self.call(target, request.into()).await?)
    }

    /// Like [`Channel::request`] with its own time limit.
    pub async fn request_within<R: Call>(
        &self,
        target: Target,
        request: R,
        timeout: Duration,
    ) -> Result<R::Reply, CallError> {
        reply_of::<R>(self.call_within(target, request.into(), timeout).await?)
    }

    /// Sends a request and waits for its response.
    pub async fn call(&self, target: Target, msg: Msg) -> Result<Msg, CallError> {
        self.call_within(target, msg, self.inner.timeout.now())
            .await
    }

    /// Like [`Channel::call`] with its own time limit.
    pub async fn call_within(
        &self,
        target: Target,
        msg: Msg,
        timeout: Duration,
    ) -> Result<Msg, CallError> {
        let body = ServerMsg { msg: Some(msg) };
        self.call_encoded(target, timeout, |route| {
            schat_proto::encode_envelope(route, &body)
        })
        .await
    }

    /// Like [`Channel::call`] for a body the caller keeps: it is encoded
    /// from the reference, and the caller has its parts afterwards without
    /// having copied them.
    pub async fn call_ref(&self, target: Target, body: &ServerMsg) -> Result<Msg, CallError> {
        self.call_encoded(target, self.inner.timeout.now(), |route| {
            schat_proto::encode_envelope(route, body)
        })
        .await
    }

    async fn call_encoded(
        &self,
        target: Target,
        timeout: Duration,
        encode: impl FnOnce(&Route) -> Bytes,
    ) -> Result<Msg, CallError> {
        let correlation_id = self.inner.next_correlation.fetch_add(1, Ordering::Relaxed);
        let target = self.inner.transport.resolve(target);
        let route = self.route(target, Kind::Request, correlation_id);
        let (waiter, rx) = oneshot::channel();
        // Inserted before sending, so an answer cannot arrive unmatched,
        // with the way the transport will take; corrected in the rare case
        // that way was down by the time it sent.
        let first = self.inner.transport.first_way(&route);
        self.inner.pending.insert(
            correlation_id,
            Pending {
                waiter,
                via: first,
                target,
            },
        );
        let frame = encode(&route);
        match self.inner.transport.send_frame(&route, frame, first) {
            Ok(via) if via == first => {}
            Ok(via) => {
                if let Some(mut pending) = self.inner.pending.get_mut(&correlation_id) {
                    pending.via = via;
                }
            }
            Err(err) => {
                self.inner.pending.remove(&correlation_id);
                return Err(err);
            }
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(CallError::Unavailable("channel closed".to_string())),
            Err(_) => {
                self.inner.pending.remove(&correlation_id);
                Err(CallError::Timeout(timeout))
            }
        }
    }

    /// Fails every call still waiting for an answer, at once: for a channel
    /// over one link (a paired partner) that just went down, whose answers
    /// can no longer come. Returns how many there were.
    pub fn fail_pending(&self, reason: &str) -> usize {
        self.fail_where(|_| true, reason)
    }

    /// Fails at once the calls that left by way `via` (a disp that went
    /// down or silent: what it held is lost). Returns how many.
    pub fn fail_via(&self, via: usize, reason: &str) -> usize {
        self.fail_where(|pending| pending.via == via, reason)
    }

    /// Fails at once the calls whose answerer is gone, as `gone` tells
    /// from their target. Returns how many.
    pub fn fail_gone(&self, gone: impl Fn(&Target) -> bool, reason: &str) -> usize {
        self.fail_where(|pending| gone(&pending.target), reason)
    }

    fn fail_where(&self, doomed: impl Fn(&Pending) -> bool, reason: &str) -> usize {
        let waiting: Vec<u64> = self
            .inner
            .pending
            .iter()
            .filter(|entry| doomed(entry.value()))
            .map(|entry| *entry.key())
            .collect();
        let mut failed = 0;
        for correlation_id in waiting {
            if let Some((_, pending)) = self.inner.pending.remove(&correlation_id) {
                let _ = pending
                    .waiter
                    .send(Err(CallError::Unavailable(reason.to_string())));
                failed += 1;
            }
        }
        failed
    }

    /// Sends a one-way packet.
    pub fn push(&self, target: Target, msg: Msg) -> Result<(), CallError> {
        let route = self.route(target, Kind::Push, 0);
        self.send(&route, encode(&route, msg))
    }

    /// Sends a frame that nobody waits on, the way the transport picks.
    fn send(&self, route: &Route, frame: Bytes) -> Result<(), CallError> {
        let transport = &self.inner.transport;
        transport
            .send_frame(route, frame, transport.first_way(route))
            .map(drop)
    }

    /// Sends an already-encoded body one-way, for fan-out of one body to
    /// several targets without encoding it again.
    pub fn push_body(&self, target: Target, body: Bytes) -> Result<(), CallError> {
        let route = self.route(target, Kind::Push, 0);
        let frame = Envelope {
            route: Some(route),
            body,
        }
        .encode_frame();
        self.send(&route, frame)
    }

    /// Answers `request`: on `link` when given (the link the request came
    /// on), else through the transport.
    fn send_response(
        &self,
        request: &Route,
        msg: Msg,
        link: Option<&LinkSender>,
    ) -> Result<(), CallError> {
        let route = Route {
            target_type: request.source_type,
            method: Method::Spec as i32,
            target_id: request.source_id,
            hash_key: request.hash_key,
            source_id: self.inner.me_id,
            source_type: self.inner.me_type as i32,
            correlation_id: request.correlation_id,
            trace_ts_us: request.trace_ts_us,
            kind: Kind::Response as i32,
        };
        let frame = encode(&route, msg);
        match link {
            Some(link) => link.send(frame).map_err(CallError::from),
            None => self.send(&route, frame),
        }
    }

    fn route(&self, target: Target, kind: Kind, correlation_id: u64) -> Route {
        Route {
            target_type: target.proc_type as i32,
            method: target.method as i32,
            target_id: target.proc_id,
            hash_key: target.hash_key,
            source_id: self.inner.me_id,
            source_type: self.inner.me_type as i32,
            correlation_id,
            trace_ts_us: now_us(),
            kind: kind as i32,
        }
    }

    /// Handles one envelope that arrived for this process: completes a
    /// pending call, or hands a request/push to the inbox. Control packets
    /// are returned to the link that received them.
    pub(crate) async fn dispatch(
        &self,
        envelope: Envelope,
        reply_link: Option<&LinkSender>,
        inbox: &mpsc::Sender<Incoming>,
    ) -> Dispatched {
        let route = envelope.route.unwrap_or_default();
        match route.kind() {
            Kind::Control => Dispatched::Control(envelope.body),
            Kind::Response => {
                let result = match ServerMsg::decode_frame(envelope.body) {
                    Ok(ServerMsg {
                        msg: Some(Msg::Error(err)),
                    }) => Err(err.into()),
                    Ok(ServerMsg { msg: Some(msg) }) => Ok(msg),
                    Ok(ServerMsg { msg: None }) => {
                        Err(CallError::Malformed("empty body".to_string()))
                    }
                    Err(err) => Err(CallError::Malformed(err.to_string())),
                };
                match self.inner.pending.remove(&route.correlation_id) {
                    Some((_, pending)) => {
                        let _ = pending.waiter.send(result);
                        Dispatched::Handled
                    }
                    None => Dispatched::Unmatched(route, result.err()),
                }
            }
            Kind::Request | Kind::Push => match ServerMsg::decode_frame(envelope.body) {
                Ok(ServerMsg { msg: Some(msg) }) => {
                    let incoming = Incoming {
                        route,
                        msg,
                        channel: self.clone(),
                        reply_link: reply_link.cloned(),
                    };
                    // Waiting here pushes back on the sender through TCP.
                    let _ = inbox.send(incoming).await;
                    Dispatched::Handled
                }
                Ok(ServerMsg { msg: None }) => {
                    let _ = self.send_response(
                        &route,
                        error_msg(
                            ResultCode::UnknownMessage,
                            "unknown or empty server message",
                        ),
                        reply_link,
                    );
                    Dispatched::Handled
                }
                Err(err) => {
                    let _ = self.send_response(
                        &route,
                        error_msg(ResultCode::Malformed, err.to_string()),
                        reply_link,
                    );
                    Dispatched::Handled
                }
            },
            Kind::Unspecified => Dispatched::Handled,
        }
    }
}

/// What [`Channel::dispatch`] did with an envelope.
#[derive(Debug)]
pub(crate) enum Dispatched {
    Handled,
    /// A control body for the link itself.
    Control(Bytes),
    /// A response nobody waits for (timed out, or an error for a push).
    Unmatched(Route, Option<CallError>),
}

/// Encodes an envelope around a body.
pub fn encode(route: &Route, msg: Msg) -> Bytes {
    // One pass into one buffer: the body is not encoded apart and copied.
    schat_proto::encode_envelope(route, &ServerMsg { msg: Some(msg) })
}

/// Decodes the routing header and keeps the body as shared bytes.
pub fn decode_envelope(frame: Bytes) -> Result<Envelope, WireError> {
    Envelope::decode_frame(frame)
}

#[cfg(test)]
mod tests {
    use schat_proto::server::{DbFlag, DbGetGroup, DbGroup};

    use super::*;

    #[test]
    fn a_reply_of_the_requests_reply_type_is_taken_and_any_other_is_malformed() {
        let group = DbGroup {
            viewer_is_member: true,
            ..DbGroup::default()
        };
        let taken = reply_of::<DbGetGroup>(Msg::DbGroup(group)).unwrap();
        assert!(taken.viewer_is_member);

        let wrong = reply_of::<DbGetGroup>(Msg::DbFlag(DbFlag { value: true })).unwrap_err();
        assert_eq!(
            wrong,
            CallError::Malformed("DbGetGroup answered with DbFlag".to_string())
        );
        assert_eq!(wrong.code(), ResultCode::Internal);
    }
}
