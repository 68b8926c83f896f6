//! `GET /api/v1/events`: server-sent events. After each poll the stream
//! writes `event: procs` (the same JSON as `GET /api/v1/procs`) and, when
//! an alarm was raised or cleared, `event: alarms`. A client that reads
//! slowly holds at most one poll's events: the stream takes the latest
//! snapshot only when the client has taken the previous events. It ends
//! when manage_serv stops, or when the session it was opened with ends.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use schat_runtime::http::Response;
use schat_runtime::Shutdown;
use tokio::sync::watch;

use crate::poll::Snapshot;

/// Tells the stream whether it may go on (its session is still live).
pub type StillAllowed = Box<dyn Fn() -> bool + Send + Sync>;

struct Stream {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    shutdown: Shutdown,
    allowed: StillAllowed,
    alarms_sent: Option<u64>,
    pending: VecDeque<Bytes>,
    started: bool,
}

impl Stream {
    /// The events of the latest snapshot.
    fn take_latest(&mut self) {
        let snapshot = self.snapshots.borrow_and_update().clone();
        self.pending.push_back(event("procs", &snapshot.procs_json));
        if self.alarms_sent != Some(snapshot.alarms_version) {
            self.alarms_sent = Some(snapshot.alarms_version);
            let alarms = serde_json::to_string(&snapshot.alarms).unwrap_or_default();
            self.pending.push_back(event("alarms", &alarms));
        }
    }

    async fn next(mut self) -> Option<(Result<Frame<Bytes>, std::io::Error>, Stream)> {
        loop {
            if let Some(bytes) = self.pending.pop_front() {
                return Some((Ok(Frame::data(bytes)), self));
            }
            if !(self.allowed)() {
                return None;
            }
            if self.started {
                tokio::select! {
                    _ = self.shutdown.cancelled() => return None,
                    changed = self.snapshots.changed() => changed.ok()?,
                }
            }
            self.started = true;
            self.take_latest();
        }
    }
}

fn event(name: &str, data: &str) -> Bytes {
    // The JSON has no newlines, so one data line carries it.
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// The event stream's response.
pub fn stream(
    snapshots: watch::Receiver<Arc<Snapshot>>,
    shutdown: Shutdown,
    allowed: StillAllowed,
) -> Response {
    let stream = Stream {
        snapshots,
        shutdown,
        allowed,
        alarms_sent: None,
        pending: VecDeque::new(),
        started: false,
    };
    let body = StreamBody::new(futures_util::stream::unfold(stream, Stream::next)).boxed();
    let mut response = http::Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}
