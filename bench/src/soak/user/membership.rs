//! How a soak user's groups and connection change: joining, quitting,
//! creating and dismissing short-lived groups, and reconnecting through
//! the directory with a catch-up of every group and the notices.

use std::sync::Arc;
use std::time::{Duration, Instant};

use schat_client::{Client, CreateGroupRequest, JoinStatus, NoticeKind};

use super::{User, PASSWORD};
use crate::soak::{lock, Shared, CHURN_MEMBER_CAP};

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

impl User {
    /// Short-lived groups this user is in.
    fn churn_memberships(&self, shared: &Shared) -> usize {
        let registry = lock(&shared.registry);
        self.groups
            .iter()
            .filter(|gid| !registry.is_stable(**gid))
            .count()
    }

    /// Joins a short-lived group and catches up on it.
    pub(super) async fn join(&mut self, shared: &Shared) {
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
    pub(super) async fn quit(&mut self, shared: &Shared) {
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
    pub(super) async fn create_churn(&mut self, shared: &Shared) {
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
    pub(super) async fn dismiss(&mut self, shared: &Shared, gid: u64) {
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
    pub(super) async fn reconnect(&mut self, shared: &Shared) {
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
}
