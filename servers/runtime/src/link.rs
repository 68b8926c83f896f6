//! One framed TCP connection: a frame reader and a writer task behind a
//! cloneable, bounded [`LinkSender`].
//!
//! The writer coalesces: it feeds every frame already queued into the
//! buffered sink and flushes once the queue is empty, so a burst of frames
//! costs one write system call, not one per frame.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::SinkExt;
use schat_proto::{FrameCodec, WireError};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::shutdown::Shutdown;

/// Frames coming in on one connection.
pub type FrameReader = FramedRead<OwnedReadHalf, FrameCodec>;

/// Initial size of a link's read and write buffers.
const BUFFER_START: usize = 512;

/// How long a closing link may spend writing out what is still queued.
const CLOSE_DRAIN: Duration = Duration::from_secs(2);

/// Cloneable handle to a connection's writer task.
#[derive(Clone, Debug)]
pub struct LinkSender {
    tx: mpsc::Sender<Bytes>,
    peer: Arc<str>,
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
        self.tx.try_send(frame).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => SendError::Full,
            mpsc::error::TrySendError::Closed(_) => SendError::Closed,
        })
    }

    /// How many more frames fit in the queue right now.
    pub fn spare(&self) -> usize {
        self.tx.capacity()
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Whether both handles feed the same connection.
    pub fn same_link(&self, other: &LinkSender) -> bool {
        self.tx.same_channel(&other.tx)
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
    queue: usize,
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
    let (tx, rx) = mpsc::channel(queue);
    tokio::spawn(write_loop(writer, rx, close));
    (
        reader,
        LinkSender {
            tx,
            peer: Arc::from(peer),
        },
    )
}

async fn write_loop(
    mut sink: FramedWrite<OwnedWriteHalf, FrameCodec>,
    mut rx: mpsc::Receiver<Bytes>,
    close: Shutdown,
) {
    loop {
        let frame = tokio::select! {
            biased;
            frame = rx.recv() => frame,
            _ = close.cancelled() => None,
        };
        let Some(frame) = frame else { break };
        // A peer that stops reading must not hold the writer past a close;
        // a peer that reads gets the batch written first.
        let written = tokio::select! {
            biased;
            written = write_batch(&mut sink, &mut rx, frame) => written,
            _ = close.cancelled() => break,
        };
        if written.is_err() {
            return;
        }
    }
    // Closing: what was queued before the close still goes out.
    let drain = async {
        while let Ok(frame) = rx.try_recv() {
            feed(&mut sink, frame).await?;
        }
        sink.close().await
    };
    let _ = tokio::time::timeout(CLOSE_DRAIN, drain).await;
}

/// Feeds `first` and everything queued behind it, then flushes once.
async fn write_batch(
    sink: &mut FramedWrite<OwnedWriteHalf, FrameCodec>,
    rx: &mut mpsc::Receiver<Bytes>,
    first: Bytes,
) -> Result<(), WireError> {
    feed(sink, first).await?;
    while let Ok(frame) = rx.try_recv() {
        feed(sink, frame).await?;
    }
    sink.flush().await
}

/// Buffers one frame. A frame over the limit is refused before any of it
/// is buffered, so it is skipped and the stream stays intact; senders check
/// sizes, so this is a bug elsewhere, not a reason to drop the link.
async fn feed(
    sink: &mut FramedWrite<OwnedWriteHalf, FrameCodec>,
    frame: Bytes,
) -> Result<(), WireError> {
    match sink.feed(frame).await {
        Err(WireError::TooLarge { .. }) => Ok(()),
        other => other,
    }
}
