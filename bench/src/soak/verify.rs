//! The end-of-run check. Every group still alive (the long-lived ones and
//! the short-lived ones not dismissed) is pulled whole by its owner: its
//! seqs must run from 1 to the latest with no gap, every acknowledged
//! message must be at its seq from its sender with its client id, and no
//! (sender, client id) may be stored twice. Dismissed groups are gone on
//! purpose and not checked.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use schat_client::MessageSync;

use super::user::User;
use super::{lock, Shared};

/// What the check found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Groups checked.
    pub groups: usize,
    /// Short-lived groups dismissed during the run (not checked).
    pub dismissed: usize,
    /// Messages pulled from the checked groups (system messages included).
    pub stored: u64,
    /// Acknowledged messages in the checked groups.
    pub acked: u64,
    /// Acknowledged messages not found at their seq as sent.
    pub lost: u64,
    /// Messages stored more than once, or seqs acknowledged twice.
    pub duplicated: u64,
    /// Seqs missing between 1 and the latest.
    pub gaps: u64,
    /// Messages of the load stored without an acknowledgement (the answer
    /// was lost, or the run stopped first): not an error.
    pub unacked: u64,
}

pub async fn check(shared: &Shared, users: &mut [User]) -> anyhow::Result<Outcome> {
    let (live, dismissed) = {
        let registry = lock(&shared.registry);
        let live: Vec<(u64, usize)> = registry
            .stable
            .iter()
            .copied()
            .chain(registry.churn.iter().map(|(gid, owner)| (*gid, *owner)))
            .collect();
        (live, registry.dismissed.len())
    };
    let mut acked: HashMap<u64, Vec<(u64, u32, u64)>> = HashMap::new();
    for user in users.iter() {
        for message in &user.acked {
            acked
                .entry(message.gid)
                .or_default()
                .push((user.uid, message.counter, message.seq));
        }
    }
    let mut outcome = Outcome {
        groups: live.len(),
        dismissed,
        ..Outcome::default()
    };
    for (gid, owner) in live {
        let client = users[owner]
            .online(shared)
            .await
            .with_context(|| format!("the owner of group {gid} cannot log in"))?;
        let messages = MessageSync::new()
            .catch_up(&client, gid, 1)
            .await
            .with_context(|| format!("pulling group {gid}"))?;
        let after = messages.last().map_or(1, |message| message.seq + 1);
        let latest = client
            .pull(gid, after, 1)
            .await
            .with_context(|| format!("pulling group {gid}"))?
            .latest_seq;
        outcome.stored += messages.len() as u64;

        let mut expected = 1;
        for message in &messages {
            if message.seq > expected {
                outcome.gaps += message.seq - expected;
            } else if message.seq < expected {
                outcome.duplicated += 1;
            }
            expected = message.seq + 1;
        }
        if latest >= expected {
            outcome.gaps += latest + 1 - expected;
        }

        let by_seq: HashMap<u64, _> = messages
            .iter()
            .map(|message| (message.seq, message))
            .collect();
        let mut ids: HashMap<(u64, &str), u64> = HashMap::new();
        for message in messages.iter().filter(|m| !m.client_msg_id.is_empty()) {
            *ids.entry((message.sender_uid, message.client_msg_id.as_str()))
                .or_default() += 1;
        }
        outcome.duplicated += ids.values().map(|times| times - 1).sum::<u64>();

        let mut found = 0u64;
        let mut acked_seqs = HashSet::new();
        for &(uid, counter, seq) in acked.get(&gid).map_or(&[][..], Vec::as_slice) {
            outcome.acked += 1;
            if !acked_seqs.insert(seq) {
                outcome.duplicated += 1;
                continue;
            }
            let as_sent = by_seq.get(&seq).is_some_and(|message| {
                message.sender_uid == uid && message.client_msg_id == counter.to_string()
            });
            if as_sent {
                found += 1;
            } else {
                outcome.lost += 1;
            }
        }
        outcome.unacked += (ids.len() as u64).saturating_sub(found);
    }
    Ok(outcome)
}
