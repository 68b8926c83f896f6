//! Gap-free, once-only delivery on the client side: pushes are checked
//! against the last seq seen per group, and a gap is filled by pulling the
//! missing range before the pushed message is handed on.

use std::collections::HashMap;

use schat_proto::client::ChatMessage;

use crate::{Client, ClientError};

/// The last seq handed on, per group.
#[derive(Debug, Default)]
pub struct MessageSync {
    last: HashMap<u64, u64>,
}

impl MessageSync {
    pub fn new() -> MessageSync {
        MessageSync::default()
    }

    /// The last seq handed on for `gid`.
    pub fn last_seq(&self, gid: u64) -> u64 {
        self.last.get(&gid).copied().unwrap_or(0)
    }

    /// Pulls everything after what was handed on (or after `from_seq - 1`
    /// for a group not seen yet), up to the latest message.
    pub async fn catch_up(
        &mut self,
        client: &Client,
        gid: u64,
        from_seq: u64,
    ) -> Result<Vec<ChatMessage>, ClientError> {
        let start = self.last.get(&gid).map_or(from_seq.max(1), |last| last + 1);
        let mut out = Vec::new();
        let mut next = start;
        loop {
            let page = client.pull(gid, next, 0).await?;
            let Some(last) = page.messages.last().map(|message| message.seq) else {
                break;
            };
            next = last + 1;
            out.extend(page.messages);
            if last >= page.latest_seq {
                break;
            }
        }
        if let Some(last) = out.last() {
            self.last.insert(gid, last.seq);
        } else {
            self.last.entry(gid).or_insert(start - 1);
        }
        Ok(out)
    }

    /// Takes a pushed message; returns the messages to hand on in order:
    /// none for a duplicate, the message itself when it is the next one,
    /// or the pulled gap followed by it. Run [`MessageSync::catch_up`] for
    /// each group at login first: a push for a group not caught up is
    /// handed on as it is and tracking starts at its seq.
    pub async fn accept(
        &mut self,
        client: &Client,
        message: ChatMessage,
    ) -> Result<Vec<ChatMessage>, ClientError> {
        let gid = message.gid;
        let Some(&last) = self.last.get(&gid) else {
            self.last.insert(gid, message.seq);
            return Ok(vec![message]);
        };
        if message.seq <= last {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut next = last + 1;
        while next < message.seq {
            let page = client.pull(gid, next, 0).await?;
            let before: Vec<ChatMessage> = page
                .messages
                .into_iter()
                .filter(|pulled| pulled.seq < message.seq)
                .collect();
            let Some(pulled_last) = before.last().map(|pulled| pulled.seq) else {
                break;
            };
            next = pulled_last + 1;
            out.extend(before);
        }
        self.last.insert(gid, message.seq);
        out.push(message);
        Ok(out)
    }
}
