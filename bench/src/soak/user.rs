//! One soak user: its connection (while online), its groups, and a paced
//! loop of actions picked at random. Every acknowledged message is kept
//! for the final check.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use schat_client::{
    ChatMessage, Client, ClientError, CreateGroupRequest, MessageKind, MessageSync, NoticeKind,
    Push, ResultCode, SendMessageRequest,
};
use tokio::time::MissedTickBehavior;

use super::{kind, lock, now_us, Rng, Shared};

mod membership;
mod messages;

const PASSWORD: &str = "bench-password";

/// An acknowledged message: its group, its seq, and the sender's counter
/// (its client_msg_id).
#[derive(Clone, Copy, Debug)]
pub struct Acked {
    pub gid: u64,
    pub seq: u64,
    pub counter: u32,
}

/// A message that got no answer: sent again with the same id, the server
/// stores it at most once.
#[derive(Debug)]
struct Retry {
    counter: u32,
    request: SendMessageRequest,
}

#[derive(Clone, Copy, Debug)]
enum Action {
    Text,
    Image,
    Download,
    Pull,
    History,
    Join,
    Quit,
    Create,
    Dismiss(u64),
    Reconnect,
}

#[derive(Debug)]
pub struct User {
    pub index: usize,
    pub uid: u64,
    account: String,
    token: String,
    client: Option<Arc<Client>>,
    sync: MessageSync,
    /// The groups this user is in, as far as it knows.
    groups: Vec<u64>,
    /// The short-lived groups it owns, with when to dismiss each.
    owned: Vec<(u64, Instant)>,
    next_counter: u32,
    /// Every message of this user the server acknowledged.
    pub acked: Vec<Acked>,
    retry: Option<Retry>,
    rng: Rng,
    next_reconnect: Instant,
}

impl User {
    /// Registers (if new) and logs in with the password.
    pub async fn sign_in(
        shared: &Shared,
        index: usize,
        account: String,
        seed: u64,
    ) -> Result<User, ClientError> {
        let client = shared.connect(index).await?;
        match client.register(&account, PASSWORD, "").await {
            Ok(_)
            | Err(ClientError::Server {
                code: ResultCode::AccountExists,
                ..
            }) => {}
            Err(err) => return Err(err),
        }
        let login = client.login_password(&account, PASSWORD).await?;
        let mut rng = Rng::new(seed);
        let next_reconnect = Instant::now() + rng.exponential(shared.reconnect_mean);
        Ok(User {
            index,
            uid: login.uid,
            account,
            token: login.token,
            client: Some(Arc::new(client)),
            sync: MessageSync::new(),
            groups: Vec::new(),
            owned: Vec::new(),
            next_counter: 0,
            acked: Vec::new(),
            retry: None,
            rng,
            next_reconnect,
        })
    }

    fn client(&self) -> Result<Arc<Client>, ClientError> {
        self.client
            .clone()
            .ok_or_else(|| ClientError::Closed("offline".to_string()))
    }

    /// Creates a long-lived group (set-up).
    pub async fn create(&mut self, request: CreateGroupRequest) -> Result<u64, ClientError> {
        let gid = self.client()?.create_group(request).await?.gid;
        self.groups.push(gid);
        Ok(gid)
    }

    /// Joins a long-lived group (set-up).
    pub async fn join_stable(&mut self, gid: u64) -> Result<(), ClientError> {
        if !self.groups.contains(&gid) {
            self.client()?.join_group(gid, "", "").await?;
            self.groups.push(gid);
        }
        Ok(())
    }

    /// Pulls what the groups hold so far, so that pushes are checked from
    /// here on.
    pub async fn start_tracking(&mut self) -> Result<(), ClientError> {
        let client = self.client()?;
        for gid in &self.groups {
            self.sync.catch_up(&client, *gid, 1).await?;
        }
        Ok(())
    }

    /// The connection, logged in again with the token if it was dropped
    /// (for the final check).
    pub async fn online(&mut self, shared: &Shared) -> Result<Arc<Client>, ClientError> {
        if let Some(client) = &self.client {
            if client.closed_reason().is_none() {
                return Ok(client.clone());
            }
        }
        let client = shared.connect(self.index).await?;
        client.login_token(&self.token).await?;
        let client = Arc::new(client);
        self.client = Some(client.clone());
        Ok(client)
    }

    /// Acts on every tick and handles pushes in between, until the stop.
    pub async fn run(mut self, shared: Arc<Shared>, period: Duration, phase: Duration) -> User {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let client = self.client.clone();
            tokio::select! {
                _ = shared.stop.cancelled() => break,
                push = next_push(client.as_deref()) => self.on_push(&shared, push).await,
                _ = ticks.tick() => self.act(&shared).await,
            }
        }
        self
    }

    async fn on_push(&mut self, shared: &Shared, push: Option<Push>) {
        match push {
            None => {
                let reason = self
                    .client
                    .as_ref()
                    .and_then(|client| client.closed_reason())
                    .unwrap_or_default();
                shared.errors.add(&format!("connection lost: {reason}"), 1);
                self.client = None;
            }
            Some(Push::Message(message)) => self.on_message(shared, message).await,
            Some(Push::Notice(notice)) => {
                shared.counts.add("notices", 1);
                if notice.kind() == NoticeKind::Dismissed {
                    self.leave(notice.gid);
                }
                if let Ok(client) = self.client() {
                    if let Err(err) = client.ack_notices(notice.id).await {
                        self.failed(shared, "ack notices", 0, err);
                    }
                }
            }
            Some(Push::Kicked { .. }) => {
                shared.errors.add("kicked", 1);
                self.client = None;
            }
            Some(Push::Closing { code, .. }) => {
                shared
                    .errors
                    .add(&format!("closed by server: {}", code.as_str_name()), 1);
                self.client = None;
            }
            Some(Push::Typing { .. } | Push::ReadMarked { .. } | Push::Other(_)) => {}
        }
    }

    /// A pushed message goes through the client library's sync, which
    /// pulls any gap first; what it hands on must follow what it handed on
    /// before.
    async fn on_message(&mut self, shared: &Shared, message: ChatMessage) {
        let Ok(client) = self.client() else { return };
        let gid = message.gid;
        let sent_us = sent_at(&message);
        let before = self.sync.last_seq(gid);
        match self.sync.accept(&client, message).await {
            Ok(handed) => {
                if self.groups.contains(&gid) {
                    self.check_follows(shared, before, &handed);
                }
                shared.counts.add("deliveries (pushed)", 1);
                if handed.len() > 1 {
                    shared
                        .counts
                        .add("deliveries (gap pulled)", handed.len() as u64 - 1);
                }
                if let (Some(sent_us), false) = (sent_us, handed.is_empty()) {
                    let micros = now_us().saturating_sub(sent_us).max(1);
                    let _ = lock(&shared.window).delivery.record(micros);
                }
            }
            Err(err) => self.failed(shared, "gap pull", gid, err),
        }
    }

    /// Counts a hole between the last seq handed on (`before`, 0 if none)
    /// and `handed`, or inside it.
    fn check_follows(&self, shared: &Shared, before: u64, handed: &[ChatMessage]) {
        let mut last = before;
        for message in handed {
            if last > 0 && message.seq != last + 1 {
                shared.client_gaps.fetch_add(1, Ordering::Relaxed);
            }
            last = message.seq;
        }
    }

    fn pick(&mut self, shared: &Shared) -> Action {
        let now = Instant::now();
        if self.client.is_none() || now >= self.next_reconnect {
            return Action::Reconnect;
        }
        if let Some((gid, _)) = self.owned.iter().find(|(_, due)| now >= *due) {
            return Action::Dismiss(*gid);
        }
        // Out of 1000; what is left sends a text (SEND_SHARE counts texts
        // and images).
        match self.rng.below(1000) {
            0..15 => Action::Image,
            15..45 => Action::Download,
            45..85 => Action::Pull,
            85..115 => Action::History,
            115..135 => Action::Join,
            135..150 => Action::Quit,
            150..160 if lock(&shared.registry).churn.len() < shared.churn_target => Action::Create,
            150..160 => Action::Join,
            _ => Action::Text,
        }
    }

    async fn act(&mut self, shared: &Shared) {
        match self.pick(shared) {
            Action::Text => self.text(shared).await,
            Action::Image => self.image(shared).await,
            Action::Download => self.download(shared).await,
            Action::Pull => self.pull(shared).await,
            Action::History => self.history(shared).await,
            Action::Join => self.join(shared).await,
            Action::Quit => self.quit(shared).await,
            Action::Create => self.create_churn(shared).await,
            Action::Dismiss(gid) => self.dismiss(shared, gid).await,
            Action::Reconnect => self.reconnect(shared).await,
        }
    }

    fn pick_group(&mut self) -> Option<u64> {
        let n = self.groups.len() as u64;
        (n > 0).then(|| self.groups[self.rng.below(n) as usize])
    }

    fn fresh_counter(&mut self) -> u32 {
        let counter = self.next_counter;
        self.next_counter += 1;
        counter
    }

    fn leave(&mut self, gid: u64) {
        self.groups.retain(|group| *group != gid);
        self.owned.retain(|(owned, _)| *owned != gid);
    }

    /// Counts a failure: as a refusal when it is the load's own doing (a
    /// short-lived group dismissed while others still use it, or full),
    /// else as an error. A closed connection is reconnected on the next
    /// tick.
    fn failed(&mut self, shared: &Shared, op: &str, gid: u64, err: ClientError) {
        let short_lived = gid != 0 && !lock(&shared.registry).is_stable(gid);
        let gone = match &err {
            ClientError::Server { code, .. } => {
                matches!(code, ResultCode::NoSuchGroup | ResultCode::Forbidden)
            }
            ClientError::Http { status, .. } => matches!(status, 403 | 404),
            _ => false,
        };
        let full = err.code() == Some(ResultCode::GroupFull);
        let key = format!("{op}: {}", kind(&err));
        if short_lived && (gone || full) {
            shared.refused.add(&key, 1);
            if gone {
                self.leave(gid);
                if self
                    .retry
                    .as_ref()
                    .is_some_and(|retry| retry.request.gid == gid)
                {
                    self.retry = None;
                }
            }
        } else {
            shared.errors.add(&key, 1);
        }
        if matches!(err, ClientError::Closed(_)) {
            self.client = None;
        }
    }
}

async fn next_push(client: Option<&Client>) -> Option<Push> {
    match client {
        Some(client) => client.next_push().await,
        None => std::future::pending().await,
    }
}

/// The send time a message of the load carries (`<counter>:<µs>:...`).
fn sent_at(message: &ChatMessage) -> Option<u64> {
    if !matches!(message.kind(), MessageKind::Text | MessageKind::Image) {
        return None;
    }
    message.text.split(':').nth(1)?.parse().ok()
}
