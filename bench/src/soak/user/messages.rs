//! What a soak user sends and reads: texts, images (upload, then the
//! message), downloads checked byte for byte, pulls and history pages.

use std::sync::atomic::Ordering;
use std::time::Instant;

use bytes::Bytes;
use schat_client::files::UploadTarget;
use schat_client::{ClientError, MessageKind, ResultCode, SendMessageRequest};

use super::{Acked, Retry, User};
use crate::soak::{lock, now_us, Rng, Shared};

/// Messages per pull and per history page.
const PAGE: u32 = 50;
/// Sizes of the uploaded images: from 1 KiB up to 1 + this many KiB.
const IMAGE_SPREAD_KIB: u64 = 47;
/// Padding for text messages of different lengths.
const FILLER: &str = "the quick brown fox jumps over the lazy dog while the band plays on \
                      and the soak goes on for an hour without a single message lost";

impl User {
    /// A text to one of the user's groups, or first the message that got
    /// no answer, again.
    pub(super) async fn text(&mut self, shared: &Shared) {
        if let Some(retry) = self.retry.take() {
            self.send(shared, "send (retry)", retry).await;
            return;
        }
        let Some(gid) = self.pick_group() else { return };
        let counter = self.fresh_counter();
        let pad = self.rng.below(FILLER.len() as u64) as usize;
        let request = SendMessageRequest {
            gid,
            client_msg_id: counter.to_string(),
            kind: MessageKind::Text as i32,
            text: format!("{counter}:{}:{}", now_us(), &FILLER[..pad]),
            media_url: String::new(),
        };
        self.send(shared, "send text", Retry { counter, request })
            .await;
    }

    /// Sends and records the acknowledgement; a send without an answer is
    /// sent again later with the same id.
    async fn send(&mut self, shared: &Shared, op: &str, message: Retry) -> bool {
        let Ok(client) = self.client() else {
            self.retry = Some(message);
            return false;
        };
        let gid = message.request.gid;
        let begun = Instant::now();
        match client.send_message(message.request.clone()).await {
            Ok(sent) => {
                let micros = begun.elapsed().as_micros() as u64;
                let _ = lock(&shared.window).ack.record(micros.max(1));
                self.acked.push(Acked {
                    gid,
                    seq: sent.seq,
                    counter: message.counter,
                });
                shared.counts.add(op, 1);
                if sent.duplicate {
                    shared.counts.add("retries found stored", 1);
                }
                true
            }
            Err(err) => {
                // No answer, or "retry later": the message may be stored
                // or not; the same id again finds out without storing it
                // twice.
                let unknown = matches!(err, ClientError::Timeout(_) | ClientError::Closed(_))
                    || matches!(err.code(), Some(ResultCode::Unavailable | ResultCode::Busy));
                if unknown {
                    self.retry = Some(message);
                }
                self.failed(shared, op, gid, err);
                false
            }
        }
    }

    /// Uploads an image to one of the user's groups and sends it.
    pub(super) async fn image(&mut self, shared: &Shared) {
        let Some(gid) = self.pick_group() else { return };
        let Ok(client) = self.client() else { return };
        let Some((token, _)) = client.file_token() else {
            shared.errors.add("upload: no file token", 1);
            return;
        };
        let content = png(&mut self.rng);
        let uploaded = match shared
            .files
            .upload(&token, UploadTarget::Chat(gid), "soak.png", content.clone())
            .await
        {
            Ok(uploaded) => uploaded,
            Err(err) => return self.failed(shared, "upload", gid, err),
        };
        shared.counts.add("uploads", 1);
        shared.counts.add("upload KiB", content.len() as u64 / 1024);
        let counter = self.fresh_counter();
        let request = SendMessageRequest {
            gid,
            client_msg_id: counter.to_string(),
            kind: MessageKind::Image as i32,
            text: format!("{counter}:{}:image", now_us()),
            media_url: uploaded.url.clone(),
        };
        if self
            .send(shared, "send image", Retry { counter, request })
            .await
            && !lock(&shared.registry).dismissed.contains(&gid)
        {
            lock(&shared.shelf).put(gid, uploaded.url, content);
        }
    }

    /// Downloads a file of one of the user's groups, whole or a range, and
    /// compares the bytes with what was uploaded.
    pub(super) async fn download(&mut self, shared: &Shared) {
        let files = lock(&shared.shelf).of(&self.groups);
        if files.is_empty() {
            return;
        }
        let (gid, url, content) = files[self.rng.below(files.len() as u64) as usize].clone();
        let Ok(client) = self.client() else { return };
        let Some((token, _)) = client.file_token() else {
            shared.errors.add("download: no file token", 1);
            return;
        };
        let len = content.len() as u64;
        let range = (self.rng.below(4) == 0).then(|| {
            let start = self.rng.below(len);
            (start, start + self.rng.below(len - start))
        });
        let asked = range.map(|(start, end)| (start, Some(end)));
        match shared.files.download(&token, &url, asked).await {
            Ok(download) => {
                let expected = match range {
                    Some((start, end)) => content.slice(start as usize..=end as usize),
                    None => content,
                };
                if download.body != expected {
                    shared.corrupt.fetch_add(1, Ordering::Relaxed);
                    shared.errors.add("download: wrong bytes", 1);
                } else if range.is_some() {
                    shared.counts.add("downloads (range)", 1);
                } else {
                    shared.counts.add("downloads", 1);
                }
            }
            Err(err) => self.failed(shared, "download", gid, err),
        }
    }

    /// A page from a random seq up to what was seen, then the read cursor
    /// moves to the last seq handed on.
    pub(super) async fn pull(&mut self, shared: &Shared) {
        let Some(gid) = self.pick_group() else { return };
        let Ok(client) = self.client() else { return };
        let last = self.sync.last_seq(gid);
        let from = 1 + self.rng.below(last.max(1));
        match client.pull(gid, from, PAGE).await {
            Ok(page) => {
                shared.counts.add("pulls", 1);
                let consecutive = page
                    .messages
                    .iter()
                    .enumerate()
                    .all(|(i, message)| message.seq == from + i as u64);
                if !consecutive {
                    shared.errors.add("pull: a page with a hole", 1);
                }
            }
            Err(err) => return self.failed(shared, "pull", gid, err),
        }
        if last > 0 {
            match client.mark_read(gid, last).await {
                Ok(()) => shared.counts.add("mark read", 1),
                Err(err) => self.failed(shared, "mark read", gid, err),
            }
        }
    }

    /// The newest page, or the page before a random seq.
    pub(super) async fn history(&mut self, shared: &Shared) {
        let Some(gid) = self.pick_group() else { return };
        let Ok(client) = self.client() else { return };
        let last = self.sync.last_seq(gid);
        let before = match self.rng.below(2) {
            0 => 0,
            _ => 1 + self.rng.below(last.max(1)),
        };
        match client.history(gid, before, PAGE).await {
            Ok(page) => {
                shared.counts.add("history pages", 1);
                let consecutive = page
                    .messages
                    .windows(2)
                    .all(|pair| pair[1].seq == pair[0].seq + 1);
                let below = before == 0
                    || page
                        .messages
                        .last()
                        .is_none_or(|message| message.seq < before);
                if !consecutive || !below {
                    shared.errors.add("history: a page with a hole", 1);
                }
            }
            Err(err) => self.failed(shared, "history", gid, err),
        }
    }
}

/// A PNG signature and header start, then pseudo-random bytes: a distinct
/// image of 1 to 48 KiB each time.
fn png(rng: &mut Rng) -> Bytes {
    let len = 1024 + 1024 * rng.below(IMAGE_SPREAD_KIB + 1) as usize;
    let mut content = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    while content.len() < len {
        content.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    content.truncate(len);
    Bytes::from(content)
}
