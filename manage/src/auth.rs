//! Who is asking: console sessions (a random id in an HttpOnly,
//! SameSite=Strict cookie, a CSRF token per session, logged out after
//! `manage.session_idle_secs` unused), API tokens (`Authorization:
//! Bearer`), and the login throttle (after `manage.login_account_failures`
//! failures for one name, or `manage.login_address_failures` from one
//! address, further logins are refused for `manage.login_block_secs`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use schat_runtime::config::ManageConfig;
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
    csrf: String,
    last_used: Instant,
}

/// Why a login failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Too many failures: try again after this long.
    Throttled(Duration),
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
    accounts: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
}

/// The server's view of operators, sessions and tokens.
#[derive(Debug)]
pub struct Auth {
    pub accounts: Accounts,
    passwords: Passwords,
    /// Checked against when the name is unknown, so that an unknown name
    /// costs the same time as a wrong password.
    decoy_hash: String,
    sessions: Mutex<HashMap<String, Session>>,
    throttle: Mutex<Throttle>,
    config: ManageConfig,
}

impl Auth {
    pub async fn new(
        accounts: Accounts,
        passwords: Passwords,
        config: ManageConfig,
    ) -> anyhow::Result<Auth> {
        let decoy_hash = passwords.hash(random_text(16)).await?;
        Ok(Auth {
            accounts,
            passwords,
            decoy_hash,
            sessions: Mutex::default(),
            throttle: Mutex::default(),
            config,
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
        if let Some(wait) = self.blocked(name, from) {
            return Err(LoginError::Throttled(wait));
        }
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
            self.failed(name, from);
            return Err(LoginError::BadCredentials);
        };
        self.succeeded(name);
        let id = random_text(32);
        let csrf = random_text(24);
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let idle = self.config.session_idle();
        sessions.retain(|_, session| session.last_used.elapsed() < idle);
        sessions.insert(
            id.clone(),
            Session {
                name: operator.name.clone(),
                role: operator.role,
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
    /// session whose operator was removed or changed role ends.
    pub fn session(&self, id: &str) -> Option<Principal> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get_mut(id)?;
        let role_now = self.accounts.operator(&session.name).map(|op| op.role);
        if session.last_used.elapsed() >= self.config.session_idle()
            || role_now != Some(session.role)
        {
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
            .is_some_and(|session| session.last_used.elapsed() < self.config.session_idle())
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

    /// How long `name` or `from` must still wait, if either is blocked.
    fn blocked(&self, name: &str, from: IpAddr) -> Option<Duration> {
        let throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let wait = |failures: Option<&Failures>| {
            failures
                .and_then(|failures| failures.blocked_until)
                .filter(|until| *until > now)
                .map(|until| until - now)
        };
        wait(throttle.accounts.get(name)).or_else(|| wait(throttle.addresses.get(&from)))
    }

    fn failed(&self, name: &str, from: IpAddr) {
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        let block = self.config.login_block();
        let now = Instant::now();
        let note = |failures: &mut Failures, limit: u32| {
            if failures.last.is_some_and(|last| now - last > block) {
                failures.count = 0;
            }
            failures.count += 1;
            failures.last = Some(now);
            if failures.count >= limit {
                failures.count = 0;
                failures.blocked_until = Some(now + block);
            }
        };
        let forget = |failures: &Failures| {
            failures.last.is_some_and(|last| now - last > block)
                && failures.blocked_until.is_none_or(|until| until <= now)
        };
        if throttle.accounts.len() >= THROTTLE_ENTRIES {
            throttle.accounts.retain(|_, failures| !forget(failures));
        }
        if throttle.addresses.len() >= THROTTLE_ENTRIES {
            throttle.addresses.retain(|_, failures| !forget(failures));
        }
        // Names are kept only when short, so a flood of long names cannot
        // grow the table's memory much.
        let name = name.chars().take(64).collect::<String>();
        note(
            throttle.accounts.entry(name).or_default(),
            self.config.login_account_failures,
        );
        note(
            throttle.addresses.entry(from).or_default(),
            self.config.login_address_failures,
        );
    }

    fn succeeded(&self, name: &str) {
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        throttle.accounts.remove(name);
    }
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
        let auth = Auth::new(accounts, passwords, config).await.unwrap();
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
        // Blocked now: even the right password is refused unchecked.
        assert!(matches!(
            auth.login("alice", "correct horse", HOME).await,
            Err(LoginError::Throttled(_))
        ));
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
