//! Who is asking: console sessions (a random id in an HttpOnly,
//! SameSite=Strict cookie, a CSRF token per session, logged out after
//! `manage.session_idle_secs` unused, or at once when its operator is
//! removed, changes role or changes password), API tokens
//! (`Authorization: Bearer`), and the login throttle.
//!
//! The throttle counts failures per (name, address) pair, per address
//! and per name, addresses taken as the runtime's `client_address` (an
//! IPv6 /64 is one address). An attempt is reserved under the lock
//! before its password is checked and counts as a failure until it
//! succeeds, so parallel attempts cannot pass the check together.
//! - `manage.login_account_failures` failures of one name from one
//!   address, or `manage.login_address_failures` from one address, refuse
//!   further logins from that address (429) for `manage.login_block_secs`;
//! - once a name has `manage.login_account_failures` failures from
//!   anywhere, its further attempts are spaced out, one at a time, by a
//!   delay that doubles from 1 s up to [`MAX_NAME_DELAY`]; an attempt that
//!   would wait more than [`MAX_NAME_QUEUE`] is refused (429). The right
//!   password from another address still gets in, after the delay.
//!
//! Every setting is read from the running configuration at each use, so
//! a reload applies it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use schat_runtime::config::ManageConfig;
use schat_runtime::http::client_address;
use schat_runtime::password::Passwords;
use schat_runtime::time::now_ms;
use tokio::time::Instant;

use crate::accounts::{check_name, random_text, sha256_hex, Accounts, Role};

/// The console's cookie.
pub const COOKIE: &str = "schat_console";

/// Entries a throttle table holds before old ones are dropped.
const THROTTLE_ENTRIES: usize = 10_000;

/// The longest delay between two attempts at one name.
pub const MAX_NAME_DELAY: Duration = Duration::from_secs(8);

/// The longest an attempt waits for its turn at a name before it is
/// refused instead.
pub const MAX_NAME_QUEUE: Duration = Duration::from_secs(16);

/// Where the settings come from: the running configuration's `manage`
/// section, read at each use.
pub type Settings = Box<dyn Fn() -> ManageConfig + Send + Sync>;

/// Someone allowed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The operator, or `token:<name>` for an API token.
    pub name: String,
    pub role: Role,
    /// The session's CSRF token; `None` for an API token, which needs none.
    pub csrf: Option<String>,
}

#[derive(Debug)]
struct Session {
    name: String,
    role: Role,
    /// Of the password hash the operator logged in with: a new password
    /// ends the session.
    fingerprint: String,
    csrf: String,
    last_used: Instant,
}

/// Why a login failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Too many failures: try again after `wait`. `audit` is true for the
    /// first refusal of a (name, address) pair in a block window only,
    /// so that a flood of refused attempts is audited once.
    Throttled {
        wait: Duration,
        audit: bool,
    },
    BadCredentials,
    Internal(String),
}

/// What an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Succeeded,
    Failed,
    /// Not a verdict on the password (the check itself failed).
    Released,
}

/// Failures counted for one key.
#[derive(Debug, Default)]
struct Tally {
    failures: u32,
    /// Attempts reserved and not finished: they count as failures.
    in_flight: u32,
    last: Option<Instant>,
    blocked_until: Option<Instant>,
}

impl Tally {
    /// Forgets failures older than `window`.
    fn expire(&mut self, now: Instant, window: Duration) {
        if self.last.is_some_and(|last| now - last > window) {
            self.failures = 0;
            self.last = None;
        }
    }

    fn blocked(&self, now: Instant) -> Option<Duration> {
        self.blocked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    fn counted(&self) -> u32 {
        self.failures.saturating_add(self.in_flight)
    }

    fn forgettable(&self, now: Instant, window: Duration) -> bool {
        self.in_flight == 0
            && self.last.is_none_or(|last| now - last > window)
            && self.blocked(now).is_none()
    }

    /// Ends an attempt; `block_at` failures block for `block`.
    fn finish(
        &mut self,
        outcome: Outcome,
        now: Instant,
        block_at: Option<u32>,
        block: Duration,
        reset_on_success: bool,
    ) {
        self.in_flight = self.in_flight.saturating_sub(1);
        match outcome {
            Outcome::Failed => {
                self.failures = self.failures.saturating_add(1);
                self.last = Some(now);
                if block_at.is_some_and(|limit| self.failures >= limit) {
                    self.failures = 0;
                    self.blocked_until = Some(now + block);
                }
            }
            Outcome::Succeeded if reset_on_success => self.failures = 0,
            Outcome::Succeeded | Outcome::Released => {}
        }
    }
}

#[derive(Debug, Default)]
struct Pair {
    tally: Tally,
    /// A refusal of this pair was audited; the next one is not before this.
    audited_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct NameGate {
    tally: Tally,
    /// The earliest start of the next attempt at this name.
    next_slot: Option<Instant>,
}

#[derive(Debug, Default)]
struct Throttle {
    pairs: HashMap<(String, IpAddr), Pair>,
    addresses: HashMap<IpAddr, Tally>,
    names: HashMap<String, NameGate>,
}

impl Throttle {
    fn tidy(&mut self, now: Instant, window: Duration) {
        if self.pairs.len() >= THROTTLE_ENTRIES {
            self.pairs
                .retain(|_, pair| !pair.tally.forgettable(now, window));
        }
        if self.addresses.len() >= THROTTLE_ENTRIES {
            self.addresses
                .retain(|_, tally| !tally.forgettable(now, window));
        }
        if self.names.len() >= THROTTLE_ENTRIES {
            self.names.retain(|_, gate| {
                !gate.tally.forgettable(now, window) || gate.next_slot.is_some_and(|at| at > now)
            });
        }
    }
}

/// The delay after an attempt at a name that has `over` failures more
/// than the threshold.
fn name_delay(over: u32) -> Duration {
    Duration::from_secs(1u64 << over.min(8)).min(MAX_NAME_DELAY)
}

/// The key a typed name is throttled and audited under: the name itself
/// when it could be an operator's, else one shared key.
pub fn typed_name(name: &str) -> &str {
    if check_name(name).is_ok() {
        name
    } else {
        "(invalid)"
    }
}

/// A short fingerprint of a password hash.
fn fingerprint(hash: &str) -> String {
    sha256_hex(hash)
}

/// The server's view of operators, sessions and tokens.
pub struct Auth {
    pub accounts: Accounts,
    passwords: Passwords,
    /// Checked against when the name is unknown, so that an unknown name
    /// costs the same time as a wrong password.
    decoy_hash: String,
    sessions: Mutex<HashMap<String, Session>>,
    throttle: Mutex<Throttle>,
    settings: Settings,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

/// A reserved login attempt; dropped unfinished (the client went away
/// during the check), it counts as a failure.
struct Attempt<'a> {
    auth: &'a Auth,
    name: String,
    from: IpAddr,
    finished: bool,
}

impl Attempt<'_> {
    fn finish(mut self, outcome: Outcome) {
        self.finished = true;
        self.auth.finish(&self.name, self.from, outcome);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.auth.finish(&self.name, self.from, Outcome::Failed);
        }
    }
}

impl Auth {
    pub async fn new(
        accounts: Accounts,
        passwords: Passwords,
        settings: Settings,
    ) -> anyhow::Result<Auth> {
        let decoy_hash = passwords.hash(random_text(16)).await?;
        Ok(Auth {
            accounts,
            passwords,
            decoy_hash,
            sessions: Mutex::default(),
            throttle: Mutex::default(),
            settings,
        })
    }

    fn config(&self) -> ManageConfig {
        (self.settings)()
    }

    /// Whether any operator exists (the console says how to create one
    /// when none does).
    pub fn has_operators(&self) -> bool {
        !self.accounts.operators.get().operators.is_empty()
    }

    /// Checks a password login; on success, a new session's id.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<(String, Principal), LoginError> {
        let from = client_address(from);
        let key = typed_name(name);
        let (attempt, turn) = self.admit(key, from)?;
        tokio::time::sleep_until(turn).await;
        let operator = self.accounts.operator(name);
        let stored = operator
            .as_ref()
            .map_or_else(|| self.decoy_hash.clone(), |operator| operator.hash.clone());
        let matches = match self.passwords.verify(password.to_string(), stored).await {
            Ok(matches) => matches,
            Err(err) => {
                attempt.finish(Outcome::Released);
                return Err(LoginError::Internal(err.to_string()));
            }
        };
        let Some(operator) = operator.filter(|_| matches) else {
            attempt.finish(Outcome::Failed);
            return Err(LoginError::BadCredentials);
        };
        attempt.finish(Outcome::Succeeded);
        let id = random_text(32);
        let csrf = random_text(24);
        let idle = self.config().session_idle();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, session| session.last_used.elapsed() < idle);
        sessions.insert(
            id.clone(),
            Session {
                name: operator.name.clone(),
                role: operator.role,
                fingerprint: fingerprint(&operator.hash),
                csrf: csrf.clone(),
                last_used: Instant::now(),
            },
        );
        Ok((
            id,
            Principal {
                name: operator.name,
                role: operator.role,
                csrf: Some(csrf),
            },
        ))
    }

    /// Whether `session` may go on: not idle, and its operator still
    /// exists with the same role and password.
    fn still_valid(&self, session: &Session, idle: Duration) -> bool {
        session.last_used.elapsed() < idle
            && self
                .accounts
                .operator(&session.name)
                .is_some_and(|operator| {
                    operator.role == session.role
                        && fingerprint(&operator.hash) == session.fingerprint
                })
    }

    /// The session of a cookie, if it is live (and marks it used). A
    /// session whose operator was removed, changed role or changed
    /// password ends.
    pub fn session(&self, id: &str) -> Option<Principal> {
        let idle = self.config().session_idle();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get(id)?;
        if !self.still_valid(session, idle) {
            sessions.remove(id);
            return None;
        }
        let session = sessions.get_mut(id)?;
        session.last_used = Instant::now();
        Some(Principal {
            name: session.name.clone(),
            role: session.role,
            csrf: Some(session.csrf.clone()),
        })
    }

    /// Whether a session is still live, by the same rules as
    /// [`Auth::session`] but without marking it used (an open event
    /// stream must not keep a session alive).
    pub fn session_alive(&self, id: &str) -> bool {
        let idle = self.config().session_idle();
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(id)
            .is_some_and(|session| self.still_valid(session, idle))
    }

    pub fn logout(&self, id: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(id);
    }

    /// The holder of an API token, if it is valid (not expired, not revoked).
    pub fn bearer(&self, secret: &str) -> Option<Principal> {
        self.bearer_at(secret, now_ms())
    }

    fn bearer_at(&self, secret: &str, now_ms: u64) -> Option<Principal> {
        let token = self.accounts.token(secret)?;
        if !token.is_valid(now_ms) {
            return None;
        }
        Some(Principal {
            name: format!("token:{}", token.name),
            role: token.role,
            csrf: None,
        })
    }

    /// Reserves an attempt at `name` from `from`, or refuses it; the
    /// attempt and when it may check the password.
    fn admit(&self, name: &str, from: IpAddr) -> Result<(Attempt<'_>, Instant), LoginError> {
        let config = self.config();
        let window = config.login_block();
        let pair_limit = config.login_account_failures.max(1);
        let address_limit = config.login_address_failures.max(1);
        let now = Instant::now();
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        throttle.tidy(now, window);
        let Throttle {
            pairs,
            addresses,
            names,
        } = &mut *throttle;
        let address = addresses.entry(from).or_default();
        address.expire(now, window);
        let pair = pairs.entry((name.to_string(), from)).or_default();
        pair.tally.expire(now, window);
        let gate = names.entry(name.to_string()).or_default();
        gate.tally.expire(now, window);
        // Full with attempts still being checked: refused until they end.
        let in_check = Duration::from_secs(1);
        let turn = gate.next_slot.filter(|at| *at > now).unwrap_or(now);
        let refused = address
            .blocked(now)
            .or_else(|| pair.tally.blocked(now))
            .or_else(|| (address.counted() >= address_limit).then_some(in_check))
            .or_else(|| (pair.tally.counted() >= pair_limit).then_some(in_check))
            .or_else(|| (turn - now > MAX_NAME_QUEUE).then_some(turn - now));
        if let Some(wait) = refused {
            let audit = pair.audited_until.is_none_or(|until| until <= now);
            if audit {
                pair.audited_until = Some(now + window);
            }
            return Err(LoginError::Throttled { wait, audit });
        }
        if let Some(over) = gate.tally.counted().checked_sub(pair_limit) {
            gate.next_slot = Some(turn + name_delay(over));
        }
        address.in_flight += 1;
        pair.tally.in_flight += 1;
        gate.tally.in_flight += 1;
        Ok((
            Attempt {
                auth: self,
                name: name.to_string(),
                from,
                finished: false,
            },
            turn,
        ))
    }

    fn finish(&self, name: &str, from: IpAddr, outcome: Outcome) {
        let config = self.config();
        let block = config.login_block();
        let now = Instant::now();
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pair) = throttle.pairs.get_mut(&(name.to_string(), from)) {
            let limit = Some(config.login_account_failures.max(1));
            pair.tally.finish(outcome, now, limit, block, true);
        }
        if let Some(address) = throttle.addresses.get_mut(&from) {
            let limit = Some(config.login_address_failures.max(1));
            address.finish(outcome, now, limit, block, false);
        }
        if let Some(gate) = throttle.names.get_mut(name) {
            // A name is never blocked, only slowed; a success from one
            // place does not forget the failures from others.
            gate.tally.finish(outcome, now, None, block, false);
        }
    }
}

/// Whether two secrets are equal, in a time that does not depend on
/// where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The value of cookie `name` in a Cookie header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// The Set-Cookie value of a new session.
pub fn session_cookie(id: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{secure}")
}

/// The Set-Cookie value that ends a session.
pub fn cleared_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Settings a test can change while the Auth runs, as a reload does.
    type Shared = Arc<Mutex<ManageConfig>>;

    async fn auth_with(config: ManageConfig) -> (tempfile::TempDir, Auth, Shared) {
        let dir = tempfile::tempdir().unwrap();
        let params = schat_runtime::config::AuthConfig {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..Default::default()
        };
        let passwords = Passwords::new(&params).unwrap();
        let hash = passwords.hash("correct horse".to_string()).await.unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts.add_operator("alice", Role::Admin, hash).unwrap();
        let shared: Shared = Arc::new(Mutex::new(config));
        let source = shared.clone();
        let settings: Settings = Box::new(move || source.lock().unwrap().clone());
        let auth = Auth::new(accounts, passwords, settings).await.unwrap();
        (dir, auth, shared)
    }

    async fn auth(config: ManageConfig) -> (tempfile::TempDir, Auth) {
        let (dir, auth, _) = auth_with(config).await;
        (dir, auth)
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const AWAY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));

    fn throttling() -> ManageConfig {
        ManageConfig {
            login_account_failures: 3,
            login_address_failures: 100,
            login_block_secs: 60,
            ..ManageConfig::default()
        }
    }

    fn throttled<T: std::fmt::Debug>(result: &Result<T, LoginError>) -> bool {
        matches!(result, Err(LoginError::Throttled { .. }))
    }

    #[tokio::test]
    async fn login_gives_a_session_with_a_csrf_token() {
        let (_dir, auth) = auth(ManageConfig::default()).await;
        let (id, who) = auth.login("alice", "correct horse", HOME).await.unwrap();
        assert_eq!(who.role, Role::Admin);
        assert_eq!(auth.session(&id), Some(who));
        auth.logout(&id);
        assert_eq!(auth.session(&id), None);
        assert_eq!(
            auth.login("alice", "wrong", HOME).await,
            Err(LoginError::BadCredentials)
        );
        assert_eq!(
            auth.login("nobody", "correct horse", HOME).await,
            Err(LoginError::BadCredentials)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failures_block_the_pair_and_slow_the_name() {
        let (_dir, auth) = auth(throttling()).await;
        for _ in 0..3 {
            assert_eq!(
                auth.login("alice", "wrong", AWAY).await,
                Err(LoginError::BadCredentials)
            );
        }
        // That address is blocked now: even the right password is
        // refused unchecked, and only the first refusal is audited.
        let first = auth.login("alice", "correct horse", AWAY).await;
        assert!(
            matches!(first, Err(LoginError::Throttled { audit: true, .. })),
            "{first:?}"
        );
        let again = auth.login("alice", "correct horse", AWAY).await;
        assert!(
            matches!(again, Err(LoginError::Throttled { audit: false, .. })),
            "{again:?}"
        );
        // The operator, elsewhere, still gets in (after a delay).
        let started = Instant::now();
        assert!(auth.login("alice", "correct horse", HOME).await.is_ok());
        assert!(started.elapsed() <= MAX_NAME_DELAY);
        // Further guesses at the name from new addresses are spaced out.
        let started = Instant::now();
        for last in 1..=4u8 {
            let from = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, last));
            assert_eq!(
                auth.login("alice", "wrong", from).await,
                Err(LoginError::BadCredentials)
            );
        }
        assert!(
            started.elapsed() >= Duration::from_secs(1 + 2 + 4),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_at_once_cannot_pass_the_throttle_together() {
        let (_dir, auth) = auth(throttling()).await;
        let attempts = (0..12).map(|_| auth.login("alice", "wrong", HOME));
        let results = futures_util::future::join_all(attempts).await;
        let checked = results
            .iter()
            .filter(|result| **result == Err(LoginError::BadCredentials))
            .count();
        assert_eq!(checked, 3, "{results:?}");
        assert!(results.iter().filter(|result| throttled(result)).count() == 9);
    }

    #[tokio::test(start_paused = true)]
    async fn an_ipv6_64_is_one_address() {
        let config = ManageConfig {
            login_address_failures: 2,
            ..throttling()
        };
        let (_dir, auth) = auth(config).await;
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2::2".parse().unwrap();
        let other_net: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(auth.login("a", "wrong", one).await.is_err());
        assert!(auth.login("b", "wrong", two).await.is_err());
        assert!(throttled(&auth.login("alice", "correct horse", two).await));
        assert!(auth
            .login("alice", "correct horse", other_net)
            .await
            .is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn idle_sessions_end_and_the_event_check_does_not_renew_them() {
        let (_dir, auth, shared) = auth_with(ManageConfig {
            session_idle_secs: 60,
            ..ManageConfig::default()
        })
        .await;
        let (id, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(auth.session_alive(&id));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(!auth.session_alive(&id), "the check renewed the session");
        assert!(auth.session(&id).is_none());
        // The idle time is read at each use: a reload applies it.
        let (id, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(auth.session(&id).is_some());
        shared.lock().unwrap().session_idle_secs = 10;
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(auth.session(&id).is_none());
    }

    #[tokio::test]
    async fn a_new_password_or_a_removal_ends_sessions() {
        let (_dir, auth) = auth(ManageConfig::default()).await;
        let (id, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        let (streaming, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        let operator = auth.accounts.operator("alice").unwrap();
        // The same password hashed again: a different hash, as `passwd` makes.
        let rehashed = auth
            .passwords
            .hash("correct horse".to_string())
            .await
            .unwrap();
        assert_ne!(rehashed, operator.hash);
        auth.accounts.set_password("alice", rehashed).unwrap();
        assert!(
            auth.session(&id).is_none(),
            "a new password kept the session"
        );
        assert!(!auth.session_alive(&streaming));
        let (id, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        assert!(auth.session_alive(&id));
        auth.accounts.remove_operator("alice").unwrap();
        assert!(
            !auth.session_alive(&id),
            "a removed operator's stream goes on"
        );
    }

    #[tokio::test]
    async fn tokens_expire_at_their_time() {
        let (_dir, auth) = auth(ManageConfig::default()).await;
        let (record, secret) = auth
            .accounts
            .create_token("ci", Role::Viewer, 1, "alice")
            .unwrap();
        let before = record.expires_at_ms - 1;
        assert_eq!(
            auth.bearer_at(&secret, before).map(|who| who.name),
            Some("token:ci".to_string())
        );
        assert!(auth.bearer_at(&secret, record.expires_at_ms).is_none());
        assert!(auth.bearer_at("smt_other", before).is_none());
    }

    #[test]
    fn typed_names_are_kept_only_when_valid() {
        assert_eq!(typed_name("alice"), "alice");
        assert_eq!(typed_name(&"a".repeat(65)), "(invalid)");
        assert_eq!(typed_name("a b"), "(invalid)");
    }

    #[test]
    fn cookies_are_parsed_and_set_strictly() {
        assert_eq!(cookie_value("a=1; schat_console=xyz", COOKIE), Some("xyz"));
        assert_eq!(cookie_value("schat_consolex=1", COOKIE), None);
        let set = session_cookie("id", true);
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.ends_with("; Secure"));
        assert!(!session_cookie("id", false).contains("Secure"));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
