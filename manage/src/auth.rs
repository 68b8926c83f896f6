//! Who is asking: console sessions (a random id in an HttpOnly,
//! SameSite=Strict cookie, a CSRF token per session, logged out after
//! `manage.session_idle_secs` unused, and as soon as the operator is
//! removed, changes role or changes password), API tokens
//! (`Authorization: Bearer`), and the login throttle: after
//! `manage.login_account_failures` failures for one name from one client
//! address (an IPv6 client counts by its /64), or
//! `manage.login_address_failures` from one address whatever the name,
//! further logins from there are refused for `manage.login_block_secs`.
//! An attempt counts as a failure from the moment it starts (a right
//! password takes it back), so attempts sent at once cannot pass the
//! limit; and failures from elsewhere never lock an operator out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use schat_runtime::config::ManageConfig;
use schat_runtime::http::client_address;
use schat_runtime::password::Passwords;
use schat_runtime::time::now_ms;
use tokio::time::Instant;

use crate::accounts::{random_text, Accounts, Role};

/// The console's cookie.
pub const COOKIE: &str = "schat_console";

/// Entries a throttle table holds before old ones are dropped.
const THROTTLE_ENTRIES: usize = 10_000;

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
    /// The operator's password hash when the session began: a new
    /// password ends the session.
    hash: String,
    csrf: String,
    last_used: Instant,
}

/// Why a login failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Too many failures: try again after this long. `started` is true
    /// for the attempt that began the block (the one worth auditing).
    Throttled {
        wait: Duration,
        started: bool,
    },
    BadCredentials,
    Internal(String),
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    last: Option<Instant>,
    blocked_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct Throttle {
    /// Failures of one name from one client address.
    pairs: HashMap<(String, IpAddr), Failures>,
    /// Failures from one client address, whatever the name.
    addresses: HashMap<IpAddr, Failures>,
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
    /// The `manage` settings as they are now (a reload changes them).
    config: Box<dyn Fn() -> ManageConfig + Send + Sync>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// `config` gives the `manage` settings as they are at each use.
    pub async fn new(
        accounts: Accounts,
        passwords: Passwords,
        config: impl Fn() -> ManageConfig + Send + Sync + 'static,
    ) -> anyhow::Result<Auth> {
        let decoy_hash = passwords.hash(random_text(16)).await?;
        Ok(Auth {
            accounts,
            passwords,
            decoy_hash,
            sessions: Mutex::default(),
            throttle: Mutex::default(),
            config: Box::new(config),
        })
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
        // Names are kept only when short, so a flood of long names cannot
        // grow the table's memory much.
        let key = (name.chars().take(64).collect::<String>(), from);
        self.reserve(&key)?;
        let operator = self.accounts.operator(name);
        let stored = operator
            .as_ref()
            .map_or_else(|| self.decoy_hash.clone(), |operator| operator.hash.clone());
        let matches = self
            .passwords
            .verify(password.to_string(), stored)
            .await
            .map_err(|err| LoginError::Internal(err.to_string()))?;
        let Some(operator) = operator.filter(|_| matches) else {
            // Counted when it started.
            return Err(LoginError::BadCredentials);
        };
        self.succeeded(&key);
        let id = random_text(32);
        let csrf = random_text(24);
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let idle = (self.config)().session_idle();
        sessions.retain(|_, session| session.last_used.elapsed() < idle);
        sessions.insert(
            id.clone(),
            Session {
                name: operator.name.clone(),
                role: operator.role,
                hash: operator.hash.clone(),
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

    /// The session of a cookie, if it is live (and marks it used). A
    /// session whose operator was removed, changed role or changed
    /// password ends.
    pub fn session(&self, id: &str) -> Option<Principal> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get_mut(id)?;
        if !self.still_valid(session) {
            sessions.remove(id);
            return None;
        }
        session.last_used = Instant::now();
        Some(Principal {
            name: session.name.clone(),
            role: session.role,
            csrf: Some(session.csrf.clone()),
        })
    }

    /// Whether a session is still live, without marking it used (an open
    /// event stream must not keep a session alive).
    pub fn session_alive(&self, id: &str) -> bool {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(id)
            .is_some_and(|session| self.still_valid(session))
    }

    /// Not idle too long, and its operator still there with the same role
    /// and password.
    fn still_valid(&self, session: &Session) -> bool {
        let operator = self.accounts.operator(&session.name);
        session.last_used.elapsed() < (self.config)().session_idle()
            && operator.is_some_and(|op| op.role == session.role && op.hash == session.hash)
    }

    pub fn logout(&self, id: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(id);
    }

    /// The holder of an API token, if it is valid (not expired, not revoked).
    pub fn bearer(&self, secret: &str) -> Option<Principal> {
        let token = self.accounts.token(secret)?;
        if !token.is_valid(now_ms()) {
            return None;
        }
        Some(Principal {
            name: format!("token:{}", token.name),
            role: token.role,
            csrf: None,
        })
    }

    /// Counts an attempt of `key` (name, client address) as a failure
    /// before its password is checked, or refuses it while the pair or the
    /// address is blocked; the attempt past a limit starts the block.
    fn reserve(&self, key: &(String, IpAddr)) -> Result<(), LoginError> {
        let config = (self.config)();
        let block = config.login_block();
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let forget = |failures: &Failures| {
            failures.last.is_some_and(|last| now - last > block)
                && failures.blocked_until.is_none_or(|until| until <= now)
        };
        if throttle.pairs.len() >= THROTTLE_ENTRIES {
            throttle.pairs.retain(|_, failures| !forget(failures));
        }
        if throttle.addresses.len() >= THROTTLE_ENTRIES {
            throttle.addresses.retain(|_, failures| !forget(failures));
        }
        let Throttle { pairs, addresses } = &mut *throttle;
        let pair = pairs.entry(key.clone()).or_default();
        let address = addresses.entry(key.1).or_default();
        for failures in [&mut *pair, &mut *address] {
            if let Some(until) = failures.blocked_until.filter(|until| *until > now) {
                return Err(LoginError::Throttled {
                    wait: until - now,
                    started: false,
                });
            }
            if failures.last.is_some_and(|last| now - last > block) {
                failures.count = 0;
            }
        }
        let pair_over = pair.count >= config.login_account_failures;
        let address_over = address.count >= config.login_address_failures;
        if pair_over || address_over {
            for (failures, over) in [(pair, pair_over), (address, address_over)] {
                if over {
                    failures.count = 0;
                    failures.blocked_until = Some(now + block);
                }
            }
            return Err(LoginError::Throttled {
                wait: block,
                started: true,
            });
        }
        for failures in [pair, address] {
            failures.count += 1;
            failures.last = Some(now);
        }
        Ok(())
    }

    /// Takes back the failure `reserve` counted: the password was right.
    fn succeeded(&self, key: &(String, IpAddr)) {
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        throttle.pairs.remove(key);
        if let Some(address) = throttle.addresses.get_mut(&key.1) {
            address.count = address.count.saturating_sub(1);
        }
    }
}

/// Whether two secrets are equal, in a time that does not depend on where
/// they differ (only on their lengths).
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
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
    use super::*;

    async fn auth(config: ManageConfig) -> (tempfile::TempDir, Auth) {
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
        let auth = Auth::new(accounts, passwords, move || config.clone())
            .await
            .unwrap();
        (dir, auth)
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

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

    #[tokio::test]
    async fn failures_block_the_account() {
        let config = ManageConfig {
            login_account_failures: 3,
            login_block_secs: 60,
            ..ManageConfig::default()
        };
        let (_dir, auth) = auth(config).await;
        for _ in 0..3 {
            assert_eq!(
                auth.login("alice", "wrong", HOME).await,
                Err(LoginError::BadCredentials)
            );
        }
        // Blocked now: even the right password is refused unchecked, and
        // only the attempt that began the block says so.
        assert!(matches!(
            auth.login("alice", "correct horse", HOME).await,
            Err(LoginError::Throttled { started: true, .. })
        ));
        assert!(matches!(
            auth.login("alice", "correct horse", HOME).await,
            Err(LoginError::Throttled { started: false, .. })
        ));
        // From elsewhere, alice is not locked out.
        let elsewhere: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(auth
            .login("alice", "correct horse", elsewhere)
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn attempts_at_once_cannot_pass_the_limit() {
        let config = ManageConfig {
            login_account_failures: 3,
            login_block_secs: 60,
            ..ManageConfig::default()
        };
        let (_dir, auth) = auth(config).await;
        let attempts = (0..12).map(|_| auth.login("alice", "wrong", HOME));
        let outcomes = futures_util::future::join_all(attempts).await;
        let checked = outcomes
            .iter()
            .filter(|outcome| **outcome == Err(LoginError::BadCredentials))
            .count();
        assert_eq!(checked, 3, "{outcomes:?}");
    }

    #[tokio::test]
    async fn an_ipv6_client_counts_by_its_64() {
        let config = ManageConfig {
            login_address_failures: 2,
            login_account_failures: 100,
            login_block_secs: 60,
            ..ManageConfig::default()
        };
        let (_dir, auth) = auth(config).await;
        for (n, from) in ["2001:db8::1", "2001:db8::2"].iter().enumerate() {
            let from: IpAddr = from.parse().unwrap();
            let name = format!("guess{n}");
            assert_eq!(
                auth.login(&name, "wrong", from).await,
                Err(LoginError::BadCredentials)
            );
        }
        let same_64: IpAddr = "2001:db8::ffff".parse().unwrap();
        assert!(matches!(
            auth.login("alice", "correct horse", same_64).await,
            Err(LoginError::Throttled { .. })
        ));
    }

    #[tokio::test]
    async fn a_new_password_or_role_ends_sessions() {
        let (_dir, auth) = auth(ManageConfig::default()).await;
        let (id, _) = auth.login("alice", "correct horse", HOME).await.unwrap();
        assert!(auth.session_alive(&id));
        let new_hash = auth
            .passwords
            .hash("battery staple".to_string())
            .await
            .unwrap();
        auth.accounts.set_password("alice", new_hash).unwrap();
        assert!(!auth.session_alive(&id));
        assert_eq!(auth.session(&id), None);
        let (id, _) = auth.login("alice", "battery staple", HOME).await.unwrap();
        auth.accounts.remove_operator("alice").unwrap();
        assert!(!auth.session_alive(&id));
    }

    #[test]
    fn secrets_compare() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
        assert!(secrets_equal("", ""));
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
}
