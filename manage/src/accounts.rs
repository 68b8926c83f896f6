//! Operator accounts and API tokens, as files in manage_serv's
//! `data_dir` (table below), edited by `manage_serv operator ...` and
//! `manage_serv token ...` and by the console; no account exists until
//! an operator creates one.
//!
//! | file              | contents                                                       |
//! |-------------------|----------------------------------------------------------------|
//! | `operators.json`  | `{"operators": [{"name", "role", "hash", "created_at_ms"}]}`   |
//! | `tokens.json`     | `{"tokens": [{"id", "name", "role", "sha256", "created_by",`   |
//! |                   | `"created_at_ms", "expires_at_ms", "revoked"}]}`               |
//!
//! `hash` is an argon2id PHC string; `sha256` the hex SHA-256 of the
//! token, which is shown once when created and never stored.

use std::path::{Path, PathBuf};

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::files::{FileError, Watched};

/// What an operator or token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything and runs commands, kicks and manages tokens.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorsFile {
    pub operators: Vec<Operator>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub name: String,
    pub role: Role,
    /// argon2id, PHC string.
    pub hash: String,
    pub created_at_ms: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensFile {
    pub tokens: Vec<TokenRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Hex SHA-256 of the token.
    pub sha256: String,
    pub created_by: String,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
    pub revoked: bool,
}

impl TokenRecord {
    /// Whether the token may be used at `now_ms`.
    pub fn is_valid(&self, now_ms: u64) -> bool {
        !self.revoked && now_ms < self.expires_at_ms
    }

    /// What the API and the command line show (never the hash).
    pub fn to_json(&self, now_ms: u64) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "role": self.role.name(),
            "created_by": self.created_by,
            "created_at_ms": self.created_at_ms,
            "expires_at_ms": self.expires_at_ms,
            "revoked": self.revoked,
            "expired": now_ms >= self.expires_at_ms,
        })
    }
}

/// Why an account or token change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("an operator named {0:?} exists already")]
    Exists(String),
    #[error("no operator named {0:?}")]
    NoOperator(String),
    #[error("no token with id {0:?}")]
    NoToken(String),
    #[error("{0}")]
    Invalid(String),
}

/// Operator names: what an operator types at login.
pub fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::Invalid(format!(
            "{name:?} is not a name of 1 to 64 letters, digits, '_', '-', '.', '@'"
        )))
    }
}

/// Passwords of at least this many characters.
pub const MIN_PASSWORD: usize = 10;

pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AccountError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// The accounts and tokens of one manage_serv.
#[derive(Debug)]
pub struct Accounts {
    pub operators: Watched<OperatorsFile>,
    pub tokens: Watched<TokensFile>,
}

impl Accounts {
    pub fn open(data_dir: &Path) -> Result<Accounts, FileError> {
        Ok(Accounts {
            operators: Watched::open(operators_path(data_dir))?,
            tokens: Watched::open(data_dir.join("tokens.json"))?,
        })
    }

    pub fn operator(&self, name: &str) -> Option<Operator> {
        self.operators
            .get()
            .operators
            .into_iter()
            .find(|operator| operator.name == name)
    }

    pub fn add_operator(&self, name: &str, role: Role, hash: String) -> Result<(), AccountError> {
        check_name(name)?;
        self.operators.update(|file| {
            if file.operators.iter().any(|operator| operator.name == name) {
                return Err(AccountError::Exists(name.to_string()));
            }
            file.operators.push(Operator {
                name: name.to_string(),
                role,
                hash,
                created_at_ms: schat_runtime::time::now_ms(),
            });
            Ok(())
        })?
    }

    pub fn remove_operator(&self, name: &str) -> Result<(), AccountError> {
        self.operators.update(|file| {
            let before = file.operators.len();
            file.operators.retain(|operator| operator.name != name);
            if file.operators.len() == before {
                return Err(AccountError::NoOperator(name.to_string()));
            }
            Ok(())
        })?
    }

    pub fn set_password(&self, name: &str, hash: String) -> Result<(), AccountError> {
        self.operators.update(|file| {
            match file
                .operators
                .iter_mut()
                .find(|operator| operator.name == name)
            {
                Some(operator) => {
                    operator.hash = hash;
                    Ok(())
                }
                None => Err(AccountError::NoOperator(name.to_string())),
            }
        })?
    }

    /// A new token: its record and the secret (shown once).
    pub fn create_token(
        &self,
        name: &str,
        role: Role,
        ttl_secs: u64,
        created_by: &str,
    ) -> Result<(TokenRecord, String), AccountError> {
        if name.is_empty() || name.len() > 64 {
            return Err(AccountError::Invalid(
                "a token needs a name of 1 to 64 bytes".to_string(),
            ));
        }
        if ttl_secs == 0 || ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(AccountError::Invalid(format!(
                "ttl_secs must be 1 to {MAX_TOKEN_TTL_SECS}"
            )));
        }
        let secret = format!("smt_{}", random_text(32));
        let now = schat_runtime::time::now_ms();
        let record = TokenRecord {
            id: random_text(9),
            name: name.to_string(),
            role,
            sha256: sha256_hex(&secret),
            created_by: created_by.to_string(),
            created_at_ms: now,
            expires_at_ms: now.saturating_add(ttl_secs.saturating_mul(1000)),
            revoked: false,
        };
        let stored = record.clone();
        self.tokens.update(move |file| file.tokens.push(stored))?;
        Ok((record, secret))
    }

    pub fn revoke_token(&self, id: &str) -> Result<TokenRecord, AccountError> {
        self.tokens.update(
            |file| match file.tokens.iter_mut().find(|token| token.id == id) {
                Some(token) => {
                    token.revoked = true;
                    Ok(token.clone())
                }
                None => Err(AccountError::NoToken(id.to_string())),
            },
        )?
    }

    /// The record of a presented token, valid or not.
    /// Every token as the API and the command line list it (never its
    /// secret).
    pub fn tokens_json(&self, now_ms: u64) -> Vec<serde_json::Value> {
        self.tokens
            .get()
            .tokens
            .iter()
            .map(|token| token.to_json(now_ms))
            .collect()
    }

    pub fn token(&self, secret: &str) -> Option<TokenRecord> {
        let digest = sha256_hex(secret);
        self.tokens
            .get()
            .tokens
            .into_iter()
            .find(|token| token.sha256 == digest)
    }
}

/// The longest a token may live: a year.
pub const MAX_TOKEN_TTL_SECS: u64 = 366 * 24 * 3600;

pub fn operators_path(data_dir: &Path) -> PathBuf {
    data_dir.join("operators.json")
}

/// `bytes` random bytes, URL-safe base64.
pub fn random_text(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The SHA-256 of `text`, in hex: what is stored of a token.
pub fn sha256_hex(text: &str) -> String {
    schat_runtime::digest::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_added_once_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts
            .add_operator("alice", Role::Admin, "h1".to_string())
            .unwrap();
        assert!(matches!(
            accounts.add_operator("alice", Role::Viewer, "h2".to_string()),
            Err(AccountError::Exists(_))
        ));
        assert!(accounts
            .add_operator("bad name", Role::Viewer, "h".to_string())
            .is_err());
        accounts.set_password("alice", "h3".to_string()).unwrap();
        assert_eq!(accounts.operator("alice").unwrap().hash, "h3");
        accounts.remove_operator("alice").unwrap();
        assert!(accounts.operator("alice").is_none());
        assert!(matches!(
            accounts.remove_operator("alice"),
            Err(AccountError::NoOperator(_))
        ));
    }

    #[test]
    fn tokens_are_stored_hashed_and_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        let (record, secret) = accounts
            .create_token("ci", Role::Viewer, 60, "alice")
            .unwrap();
        let text = std::fs::read_to_string(dir.path().join("tokens.json")).unwrap();
        assert!(!text.contains(&secret), "the secret is stored");
        let now = schat_runtime::time::now_ms();
        assert!(accounts.token(&secret).unwrap().is_valid(now));
        assert!(!accounts.token(&secret).unwrap().is_valid(now + 61_000));
        assert!(accounts.token("smt_wrong").is_none());
        accounts.revoke_token(&record.id).unwrap();
        assert!(!accounts.token(&secret).unwrap().is_valid(now));
        assert!(accounts.create_token("x", Role::Admin, 0, "a").is_err());
    }
}
