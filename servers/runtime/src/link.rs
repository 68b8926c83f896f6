//! One framed TCP connection: a frame reader and a writer task behind a
//! cloneable, bounded [`LinkSender`].
//!
//! The writer coalesces: it takes every frame queued, feeds them into the
//! buffered sink and flushes once, so a burst of frames costs one write
//! system call, not one per frame. The queue is a plain deque that
//! allocates only while frames wait, so an idle connection costs no queue
//! memory (a channel would keep a block of slots per connection).
//!
//! The queue is bounded in frames and in bytes: a frame counts from the
//! moment it is queued until the writer has handed it to the socket, so
//! what one slow peer can make this process hold is the byte bound plus
//! one encode buffer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Sink, SinkExt};
use schat_proto::{FrameCodec, WireError};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::shutdown::Shutdown;
use crate::stats::Gauge;

/// Frames coming in on one connection.
pub type FrameReader = FramedRead<OwnedReadHalf, FrameCodec>;

/// Where a link's writer puts frames when they do not go out
/// length-prefixed on TCP (a WebSocket: one binary message each).
pub type BoxSink = std::pin::Pin<Box<dyn Sink<Bytes, Error = WireError> + Send>>;

/// Initial size of a link's read and write buffers.
const BUFFER_START: usize = 512;

/// How long a closing link may spend writing out what is still queued.
const CLOSE_DRAIN: Duration = Duration::from_secs(2);

/// A queue kept at least this large is shrunk back once it empties.
const QUEUE_KEEP: usize = 256;

/// Cloneable handle to a connection's writer task.
#[derive(Clone)]
pub struct LinkSender {
    shared: Arc<Shared>,
    /// Dropped with the last sender, which tells the writer to finish.
    _alive: Arc<SendersAlive>,
    peer: Arc<str>,
}

struct Shared {
    queue: Mutex<Queue>,
    capacity: usize,
    /// Bytes queued or being written at most.
    max_bytes: usize,
    ready: Notify,
    /// The writer has stopped: nothing sent now would be written.
    writer_gone: AtomicBool,
    /// Every sender is gone: write what is queued, then stop.
    senders_gone: AtomicBool,
    /// Frames queued, summed over every link that shares the gauge (a
    /// process's client queues), kept as frames come and go so that
    /// reading it walks nothing.
    depth: Option<Gauge>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Frames never written leave the count with their queue.
        let left = self.lock().frames.len();
        self.count(-(left as i64));
    }
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Bytes>,
    /// Bytes of the queued frames and of the batch being written.
    bytes: usize,
    /// A final frame was queued: nothing more is taken.
    finished: bool,
}

impl Shared {
    fn count(&self, delta: i64) {
        if let Some(depth) = &self.depth {
            if delta != 0 {
                depth.add(delta);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

struct SendersAlive(Arc<Shared>);

impl Drop for SendersAlive {
    fn drop(&mut self) {
        self.0.senders_gone.store(true, Ordering::Release);
        self.0.ready.notify_one();
    }
}

impl std::fmt::Debug for LinkSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSender")
            .field("peer", &self.peer)
            .field("queued", &self.shared.lock().frames.len())
            .finish()
    }
}

/// Why a frame could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("send queue is full")]
    Full,
    #[error("connection is closed")]
    Closed,
}

impl LinkSender {
    /// Queues one frame body; never waits.
    pub fn send(&self, frame: Bytes) -> Result<(), SendError> {
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let was_empty = {
            let mut queue = self.shared.lock();
            if queue.finished {
                return Err(SendError::Closed);
            }
            if queue.frames.len() >= self.shared.capacity
                || queue.bytes + frame.len() > self.shared.max_bytes
            {
                return Err(SendError::Full);
            }
            queue.bytes += frame.len();
            queue.frames.push_back(frame);
            queue.frames.len() == 1
        };
        self.shared.count(1);
        // Frames behind others are taken with them: only the first of a
        // batch needs to wake the writer.
        if was_empty {
            self.shared.ready.notify_one();
        }
        Ok(())
    }

    /// Replaces whatever is still queued with one last frame (a notice
    /// saying why the connection closes), outside the bounds; every later
    /// send fails as closed. False if a last frame was queued already, so
    /// the notice goes out once. The caller then closes the link, which
    /// writes the frame out within the close grace period.
    pub fn send_final(&self, frame: Bytes) -> bool {
        let dropped = {
            let mut queue = self.shared.lock();
            if queue.finished {
                return false;
            }
            queue.finished = true;
            let dropped = queue.frames.len();
            queue.frames.clear();
            queue.frames.push_back(frame);
            dropped
        };
        self.shared.count(1 - dropped as i64);
        self.shared.ready.notify_one();
        true
    }

    /// Frames waiting to be written (takes the queue's lock: for
    /// snapshots, not for every frame).
    pub fn queued(&self) -> usize {
        self.shared.lock().frames.len()
    }

    pub fn is_closed(&self) -> bool {
        self.shared.writer_gone.load(Ordering::Acquire)
    }

    /// Whether both handles feed the same connection.
    pub fn same_link(&self, other: &LinkSender) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The peer's address or name, for logs.
    pub fn peer(&self) -> &str {
        &self.peer
    }
}

/// Splits `stream` into a frame reader and a writer task fed by the returned
/// sender. The writer stops when every sender is dropped or when `close` is
/// triggered; either way it first writes out what is queued (bounded by a
/// short grace period), then shuts the socket's write side.
pub fn open(
    stream: TcpStream,
    max_frame: usize,
    limits: QueueLimits,
    peer: &str,
    close: Shutdown,
) -> (FrameReader, LinkSender) {
    let _ = stream.set_nodelay(true);
    let (read_half, write_half) = stream.into_split();
    // Small starting buffers: most links are idle client connections, and
    // the buffers grow when traffic needs it.
    let reader = FramedRead::with_capacity(read_half, FrameCodec::new(max_frame), BUFFER_START);
    let mut writer = FramedWrite::new(write_half, FrameCodec::new(max_frame));
    *writer.write_buffer_mut() = BytesMut::with_capacity(BUFFER_START);
    let sender = start_writer(writer, limits.bytes.max(max_frame), limits, peer, close);
    (reader, sender)
}

/// A link whose frames go out through `sink` (each frame whole; the
/// caller reads the other direction itself). The same queue, limits and
/// close rules as [`open`].
pub fn open_sink(sink: BoxSink, limits: QueueLimits, peer: &str, close: Shutdown) -> LinkSender {
    let max_bytes = limits.bytes;
    start_writer(sink, max_bytes, limits, peer, close)
}

fn start_writer<S>(
    sink: S,
    max_bytes: usize,
    limits: QueueLimits,
    peer: &str,
    close: Shutdown,
) -> LinkSender
where
    S: Sink<Bytes, Error = WireError> + Unpin + Send + 'static,
{
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue::default()),
        capacity: limits.frames.max(1),
        max_bytes,
        ready: Notify::new(),
        writer_gone: AtomicBool::new(false),
        senders_gone: AtomicBool::new(false),
        depth: limits.depth,
    });
    tokio::spawn(write_loop(sink, shared.clone(), close));
    LinkSender {
        _alive: Arc::new(SendersAlive(shared.clone())),
        shared,
        peer: Arc::from(peer),
    }
}

/// How much one link may queue, and the gauge (shared by a kind of link)
/// that counts its queued frames, if any.
#[derive(Clone, Debug)]
pub struct QueueLimits {
    pub frames: usize,
    pub bytes: usize,
    pub depth: Option<Gauge>,
}

impl QueueLimits {
    /// Bounded in frames only (links between processes, which read
    /// promptly or are dropped as silent).
    pub fn frames(frames: usize) -> QueueLimits {
        QueueLimits {
            frames,
            bytes: usize::MAX,
            depth: None,
        }
    }
}

/// Takes every queued frame, giving back the queue's memory when it grew.
/// `written` is the size of the batch written since the last call, which
/// stops counting now (under the same lock); returns the size of what was
/// taken, which counts until it is written.
fn take_queued(shared: &Shared, batch: &mut Vec<Bytes>, written: usize) -> usize {
    let mut queue = shared.lock();
    queue.bytes = queue.bytes.saturating_sub(written);
    let before = batch.len();
    batch.extend(queue.frames.drain(..));
    if queue.frames.capacity() > QUEUE_KEEP {
        queue.frames.shrink_to(QUEUE_KEEP);
    }
    drop(queue);
    shared.count(-((batch.len() - before) as i64));
    batch[before..].iter().map(Bytes::len).sum()
}

async fn write_loop<S>(mut sink: S, shared: Arc<Shared>, close: Shutdown)
where
    S: Sink<Bytes, Error = WireError> + Unpin,
{
    let mut batch = Vec::new();
    // Frames of `batch` already handed to the sink.
    let mut fed = 0;
    // Bytes of the batch written last, still counted in the queue.
    let mut written_bytes = 0;
    loop {
        let batch_bytes = take_queued(&shared, &mut batch, written_bytes);
        written_bytes = 0;
        if batch.is_empty() {
            if shared.senders_gone.load(Ordering::Acquire) {
                break;
            }
            tokio::select! {
                biased;
                _ = shared.ready.notified() => continue,
                _ = close.cancelled() => break,
            }
        }
        // A peer that stops reading must not hold the writer past a close;
        // a peer that reads gets the batch written first.
        let written = tokio::select! {
            biased;
            written = write_batch(&mut sink, &mut batch, &mut fed) => written,
            _ = close.cancelled() => break,
        };
        if written.is_err() {
            shared.writer_gone.store(true, Ordering::Release);
            return;
        }
        written_bytes = batch_bytes;
    }
    // Closing: what was queued before the close still goes out — unless a
    // final frame replaced it, which then goes right after the frame the
    // sink holds (never into the middle of one).
    let drain = async {
        if shared.lock().finished {
            batch.truncate(fed);
        }
        take_queued(&shared, &mut batch, 0);
        write_batch(&mut sink, &mut batch, &mut fed).await?;
        sink.close().await
    };
    let _ = tokio::time::timeout(CLOSE_DRAIN, drain).await;
    shared.writer_gone.store(true, Ordering::Release);
    let dropped = {
        let mut queue = shared.lock();
        let dropped = queue.frames.len();
        queue.frames.clear();
        queue.bytes = 0;
        dropped
    };
    // Frames never written stop counting now, not when the last sender
    // goes (which may be much later).
    shared.count(-(dropped as i64));
}

/// Feeds the batch from frame `fed` on, then flushes once and empties it.
/// If this is cancelled, `fed` says how many frames the sink has taken.
async fn write_batch<S>(
    sink: &mut S,
    batch: &mut Vec<Bytes>,
    fed: &mut usize,
) -> Result<(), WireError>
where
    S: Sink<Bytes, Error = WireError> + Unpin,
{
    while let Some(frame) = batch.get(*fed).cloned() {
        feed(sink, frame).await?;
        *fed += 1;
    }
    sink.flush().await?;
    batch.clear();
    *fed = 0;
    Ok(())
}

/// Buffers one frame. A frame over the limit is refused before any of it
/// is buffered, so it is skipped and the stream stays intact; senders check
/// sizes, so this is a bug elsewhere, not a reason to drop the link.
async fn feed<S>(sink: &mut S, frame: Bytes) -> Result<(), WireError>
where
    S: Sink<Bytes, Error = WireError> + Unpin,
{
    match sink.feed(frame).await {
        Err(WireError::TooLarge { .. }) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use tokio::net::TcpListener;

    /// A link to a peer that reads when told to.
    async fn link_with_depth(depth: &Gauge) -> (LinkSender, Shutdown, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let close = Shutdown::new();
        let limits = QueueLimits {
            frames: 1_000,
            bytes: usize::MAX,
            depth: Some(depth.clone()),
        };
        let (_reader, link) = open(server, 1 << 20, limits, "test", close.clone());
        (link, close, client)
    }

    #[tokio::test]
    async fn the_depth_gauge_follows_queued_frames() {
        let depth = Gauge::default();
        let (link, close, client) = link_with_depth(&depth).await;
        let mut reader = FramedRead::new(client, FrameCodec::new(1 << 20));
        for n in 0..50u8 {
            link.send(Bytes::from(vec![n; 100])).unwrap();
        }
        assert!(depth.get() <= 50 && depth.get() >= 0);
        for _ in 0..50 {
            reader.next().await.unwrap().unwrap();
        }
        // Everything was written: nothing counts as queued.
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while depth.get() != 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(drained.is_ok(), "depth stuck at {}", depth.get());
        // A final notice replaces what is queued and counts as one frame
        // until it is written or the link goes.
        link.send(Bytes::from_static(b"a")).unwrap();
        assert!(link.send_final(Bytes::from_static(b"bye")));
        assert!(depth.get() <= 1);
        close.trigger();
        drop(link);
        let gone = tokio::time::timeout(Duration::from_secs(5), async {
            while depth.get() != 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(gone.is_ok(), "depth left at {}", depth.get());
    }

    #[tokio::test]
    async fn frames_dropped_at_a_stuck_close_stop_counting_at_once() {
        let depth = Gauge::default();
        // The peer never reads: the writer stalls once the socket buffers
        // are full, and the rest stays queued.
        let (link, close, _client) = link_with_depth(&depth).await;
        let mut queued = 0;
        while queued < 1_000 {
            match link.send(Bytes::from(vec![7u8; 64 * 1024])) {
                Ok(()) => queued += 1,
                Err(SendError::Full) => break,
                Err(SendError::Closed) => panic!("closed before the close"),
            }
            tokio::task::yield_now().await;
        }
        let stalled = tokio::time::timeout(Duration::from_secs(10), async {
            while depth.get() == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(stalled.is_ok(), "nothing stayed queued");
        // The close takes what is queued to drain it; frames sent while
        // it drains are dropped when it gives up after its grace period,
        // and stop counting then, while the sender is still held.
        close.trigger();
        tokio::task::yield_now().await;
        for _ in 0..3 {
            let _ = link.send(Bytes::from_static(b"late"));
        }
        let closed = tokio::time::timeout(CLOSE_DRAIN + Duration::from_secs(10), async {
            while !link.is_closed() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(closed.is_ok(), "the drain did not give up");
        assert_eq!(depth.get(), 0);
        drop(link);
        assert_eq!(depth.get(), 0);
    }
}
