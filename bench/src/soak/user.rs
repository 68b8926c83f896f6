//! One soak user: its connection (while online), its groups, and a paced
//! loop of actions picked at random. Every acknowledged message is kept
//! for the final check.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use schat_client::files::UploadTarget;
use schat_client::{
    ChatMessage, Client, ClientError, CreateGroupRequest, JoinStatus, MessageKind, MessageSync,
    NoticeKind, Push, ResultCode, SendMessageRequest,
};
use tokio::time::MissedTickBehavior;

use super::{kind, lock, now_us, Rng, Shared, CHURN_MEMBER_CAP};

const PASSWORD: &str = "bench-password";
/// Short-lived groups a user belongs to at most, its own included.
const MAX_CHURN_MEMBERSHIPS: usize = 3;
/// Short-lived groups a user owns at most at once.
const MAX_OWNED: usize = 2;
/// A short-lived group lives this long, plus up to `CHURN_LIFE_SPREAD`.
const CHURN_LIFE: Duration = Duration::from_secs(30);
const CHURN_LIFE_SPREAD: Duration = Duration::from_secs(150);
/// How long a user stays away when it reconnects, at most.
const MAX_AWAY: Duration = Duration::from_secs(4);
/// One reconnect in this many logs in with the password, the others with
/// the token.
const PASSWORD_LOGIN_EVERY: u64 = 5;
/// Messages per pull and per history page.
const PAGE: u32 = 50;
/// Sizes of the uploaded images: from 1 KiB up to 1 + this many KiB.
const IMAGE_SPREAD_KIB: u64 = 47;
/// Padding for text messages of different lengths.
const FILLER: &str = "the quick brown fox jumps over the lazy dog while the band plays on \
                      and the soak goes on for an hour without a single message lost";

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
            Some(Push::Other(_)) => {}
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

    async fn text(&mut self, shared: &Shared) {
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
    async fn image(&mut self, shared: &Shared) {
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
    async fn download(&mut self, shared: &Shared) {
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
    async fn pull(&mut self, shared: &Shared) {
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
    async fn history(&mut self, shared: &Shared) {
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

    fn churn_memberships(&self, shared: &Shared) -> usize {
        let registry = lock(&shared.registry);
        self.groups
            .iter()
            .filter(|gid| !registry.is_stable(**gid))
            .count()
    }

    /// Joins a short-lived group and catches up on it.
    async fn join(&mut self, shared: &Shared) {
        if self.churn_memberships(shared) >= MAX_CHURN_MEMBERSHIPS {
            return;
        }
        let candidates: Vec<u64> = lock(&shared.registry)
            .churn
            .keys()
            .filter(|gid| !self.groups.contains(gid))
            .copied()
            .collect();
        if candidates.is_empty() {
            return;
        }
        let gid = candidates[self.rng.below(candidates.len() as u64) as usize];
        let Ok(client) = self.client() else { return };
        let joined = match client.join_group(gid, "", "").await {
            Ok(joined) => joined,
            Err(err) => return self.failed(shared, "join", gid, err),
        };
        match joined.status() {
            JoinStatus::Joined | JoinStatus::AlreadyMember => {}
            other => {
                shared
                    .errors
                    .add(&format!("join: {}", other.as_str_name()), 1);
                return;
            }
        }
        shared.counts.add("joins", 1);
        self.groups.push(gid);
        let latest = joined.group.map_or(1, |group| group.latest_seq.max(1));
        let before = self.sync.last_seq(gid);
        match self.sync.catch_up(&client, gid, latest).await {
            Ok(missed) => {
                self.check_follows(shared, before, &missed);
                shared
                    .counts
                    .add("deliveries (caught up)", missed.len() as u64);
            }
            Err(err) => self.failed(shared, "catch up", gid, err),
        }
    }

    /// Quits a short-lived group the user does not own.
    async fn quit(&mut self, shared: &Shared) {
        let candidates: Vec<u64> = {
            let registry = lock(&shared.registry);
            self.groups
                .iter()
                .filter(|gid| !registry.is_stable(**gid))
                .filter(|gid| !self.owned.iter().any(|(owned, _)| owned == *gid))
                .copied()
                .collect()
        };
        if candidates.is_empty() {
            return;
        }
        let gid = candidates[self.rng.below(candidates.len() as u64) as usize];
        let Ok(client) = self.client() else { return };
        match client.quit_group(gid).await {
            Ok(()) => {
                shared.counts.add("quits", 1);
                self.leave(gid);
            }
            Err(err) => self.failed(shared, "quit", gid, err),
        }
    }

    /// Creates a short-lived group that others join until its owner
    /// dismisses it.
    async fn create_churn(&mut self, shared: &Shared) {
        if self.owned.len() >= MAX_OWNED || self.churn_memberships(shared) >= MAX_CHURN_MEMBERSHIPS
        {
            return;
        }
        let Ok(client) = self.client() else { return };
        let request = CreateGroupRequest {
            name: format!("soak short-lived {}", self.index),
            member_cap: CHURN_MEMBER_CAP,
            ..CreateGroupRequest::default()
        };
        let gid = match client.create_group(request).await {
            Ok(group) => group.gid,
            Err(err) => return self.failed(shared, "create", 0, err),
        };
        shared.counts.add("groups created", 1);
        lock(&shared.registry).churn.insert(gid, self.index);
        let life = CHURN_LIFE + CHURN_LIFE_SPREAD.mul_f64(self.rng.unit());
        self.groups.push(gid);
        self.owned.push((gid, Instant::now() + life));
        if let Err(err) = self.sync.catch_up(&client, gid, 1).await {
            self.failed(shared, "catch up", gid, err);
        }
    }

    /// Dismisses a short-lived group of the user's own. From here on the
    /// group is not checked at the end, and nobody downloads its files.
    async fn dismiss(&mut self, shared: &Shared, gid: u64) {
        {
            let mut registry = lock(&shared.registry);
            registry.churn.remove(&gid);
            registry.dismissed.insert(gid);
        }
        lock(&shared.shelf).forget(gid);
        self.leave(gid);
        let Ok(client) = self.client() else { return };
        match client.dismiss_group(gid).await {
            Ok(()) => shared.counts.add("groups dismissed", 1),
            Err(err) => self.failed(shared, "dismiss", gid, err),
        }
    }

    /// Drops the connection, stays away a moment, and comes back through
    /// the directory: token login (or now and then the password), the
    /// groups from the server, a catch-up of each, and the notices.
    async fn reconnect(&mut self, shared: &Shared) {
        if self.client.take().is_some() {
            let away = MAX_AWAY.mul_f64(self.rng.unit());
            tokio::select! {
                _ = shared.stop.cancelled() => return,
                _ = tokio::time::sleep(away) => {}
            }
        }
        self.next_reconnect = Instant::now() + self.rng.exponential(shared.reconnect_mean);
        let client = match shared.connect(self.index).await {
            Ok(client) => Arc::new(client),
            Err(err) => return self.failed(shared, "connect", 0, err),
        };
        let by_password = self.rng.below(PASSWORD_LOGIN_EVERY) == 0;
        let login = if by_password {
            client.login_password(&self.account, PASSWORD).await
        } else {
            client.login_token(&self.token).await
        };
        match login {
            Ok(login) if by_password => {
                shared.counts.add("logins (password)", 1);
                self.token = login.token;
            }
            Ok(_) => shared.counts.add("logins (token)", 1),
            Err(err) => {
                let op = if by_password {
                    "login (password)"
                } else {
                    "login (token)"
                };
                return self.failed(shared, op, 0, err);
            }
        }
        self.client = Some(client.clone());
        shared.counts.add("reconnects", 1);
        self.catch_up_all(shared, &client).await;
        self.read_notices(shared, &client).await;
    }

    /// The server's list of the user's groups must be the user's own (less
    /// groups dismissed meanwhile); then everything after the read cursor
    /// of each is pulled and marked read.
    async fn catch_up_all(&mut self, shared: &Shared, client: &Client) {
        let states = match client.my_groups().await {
            Ok(states) => states,
            Err(err) => return self.failed(shared, "my groups", 0, err),
        };
        let listed: Vec<(u64, u64)> = states
            .iter()
            .filter_map(|state| Some((state.group.as_ref()?.gid, state.read_seq)))
            .collect();
        {
            let registry = lock(&shared.registry);
            let missing = self.groups.iter().filter(|gid| {
                !registry.dismissed.contains(gid)
                    && !listed.iter().any(|(listed, _)| listed == *gid)
            });
            let extra = listed.iter().filter(|(gid, _)| !self.groups.contains(gid));
            let (missing, extra) = (missing.count() as u64, extra.count() as u64);
            if missing > 0 {
                shared.errors.add("my groups: a group missing", missing);
            }
            if extra > 0 {
                shared.errors.add("my groups: a group not joined", extra);
            }
        }
        self.groups = listed.iter().map(|(gid, _)| *gid).collect();
        let groups = &self.groups;
        self.owned.retain(|(gid, _)| groups.contains(gid));
        for (gid, read_seq) in listed {
            let before = self.sync.last_seq(gid);
            let missed = match self.sync.catch_up(client, gid, read_seq + 1).await {
                Ok(missed) => missed,
                Err(err) => {
                    self.failed(shared, "catch up", gid, err);
                    continue;
                }
            };
            self.check_follows(shared, before, &missed);
            shared
                .counts
                .add("deliveries (caught up)", missed.len() as u64);
            if let Some(last) = missed.last() {
                if let Err(err) = client.mark_read(gid, last.seq).await {
                    self.failed(shared, "mark read", gid, err);
                }
            }
        }
    }

    /// Reads and acknowledges the notices that came while away.
    async fn read_notices(&mut self, shared: &Shared, client: &Client) {
        let mut after = 0;
        loop {
            let notices = match client.notices(after).await {
                Ok(notices) => notices,
                Err(err) => return self.failed(shared, "notices", 0, err),
            };
            let Some(last) = notices.last().map(|notice| notice.id) else {
                break;
            };
            shared.counts.add("notices", notices.len() as u64);
            for notice in &notices {
                if notice.kind() == NoticeKind::Dismissed {
                    self.leave(notice.gid);
                }
            }
            after = last;
        }
        if after > 0 {
            if let Err(err) = client.ack_notices(after).await {
                self.failed(shared, "ack notices", 0, err);
            }
        }
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
