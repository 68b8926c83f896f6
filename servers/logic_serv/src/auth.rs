//! Passwords (argon2id) and session tokens (HMAC-SHA256, expiring, revocable).
//!
//! A token is `v1.<uid>.<generation>.<expires_at_ms>.<mac>` where `mac` is
//! the base64url HMAC-SHA256 of everything before it, under a cluster secret
//! that db_logic_serv creates at first start. Logout bumps the user's
//! generation in Redis, which voids every token issued before.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use schat_runtime::config::AuthConfig;
use sha2::Sha256;
use tokio::sync::Semaphore;

/// Hashes and verifies passwords off the async threads, a bounded number at
/// a time so that a burst of logins cannot exhaust memory (each hash takes
/// `argon2_memory_kib`).
#[derive(Debug)]
pub struct Passwords {
    params: Params,
    permits: Semaphore,
}

/// Password work failed (not: the password was wrong).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl Passwords {
    pub fn new(auth: &AuthConfig) -> Result<Passwords, HashError> {
        let params = Params::new(
            auth.argon2_memory_kib,
            auth.argon2_iterations,
            auth.argon2_lanes,
            None,
        )
        .map_err(|err| HashError(err.to_string()))?;
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Passwords {
            params,
            permits: Semaphore::new(parallel),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|err| HashError(err.to_string()))?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            let mut salt = [0u8; 16];
            rand::rng().fill_bytes(&mut salt);
            let salt = SaltString::encode_b64(&salt).map_err(|err| HashError(err.to_string()))?;
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| HashError(err.to_string()))
        })
        .await
        .map_err(|err| HashError(err.to_string()))?
    }

    /// Whether `password` matches `stored` (a PHC string; its own parameters
    /// are used, so old hashes keep working after the config changes).
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|err| HashError(err.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored).map_err(|err| HashError(err.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .map_err(|err| HashError(err.to_string()))?
    }
}

/// What a valid token says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claims {
    pub uid: u64,
    pub generation: u64,
    pub expires_at_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
}

type HmacSha256 = Hmac<Sha256>;

const TOKEN_VERSION: &str = "v1";

/// Issues and checks session tokens with the cluster's signing key.
#[derive(Clone)]
pub struct Tokens {
    key: Vec<u8>,
    ttl: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(key: Vec<u8>, ttl: Duration) -> Tokens {
        Tokens { key, ttl }
    }

    /// A token for `uid` at `generation`, and when it expires.
    pub fn issue(&self, uid: u64, generation: u64, now_ms: u64) -> (String, u64) {
        let expires_at_ms = now_ms + self.ttl.as_millis() as u64;
        let payload = format!("{TOKEN_VERSION}.{uid}.{generation}.{expires_at_ms}");
        let mac = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        (format!("{payload}.{mac}"), expires_at_ms)
    }

    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        let (payload, mac) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        self.mac(payload)
            .verify_slice(&mac)
            .map_err(|_| TokenError::BadSignature)?;
        let mut fields = payload.split('.');
        let (Some(TOKEN_VERSION), Some(uid), Some(generation), Some(expires), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let claims = Claims {
            uid: uid.parse().map_err(|_| TokenError::Malformed)?,
            generation: generation.parse().map_err(|_| TokenError::Malformed)?,
            expires_at_ms: expires.parse().map_err(|_| TokenError::Malformed)?,
        };
        if claims.expires_at_ms <= now_ms {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        // HMAC takes keys of any length; new_from_slice cannot fail for it.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(payload.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(
            b"0123456789abcdef0123456789abcdef".to_vec(),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn issued_token_verifies() {
        let (token, expires) = tokens().issue(42, 3, 1_000);
        assert_eq!(expires, 61_000);
        let claims = tokens().verify(&token, 2_000).unwrap();
        assert_eq!(
            claims,
            Claims {
                uid: 42,
                generation: 3,
                expires_at_ms: 61_000
            }
        );
    }

    #[test]
    fn expired_token_is_refused() {
        let (token, _) = tokens().issue(42, 0, 1_000);
        assert_eq!(tokens().verify(&token, 61_000), Err(TokenError::Expired));
    }

    #[test]
    fn tampered_token_is_refused() {
        let (token, _) = tokens().issue(42, 0, 1_000);
        let forged = token.replacen("v1.42.", "v1.43.", 1);
        assert_eq!(
            tokens().verify(&forged, 2_000),
            Err(TokenError::BadSignature)
        );
        let other_key = Tokens::new(b"another key".to_vec(), Duration::from_secs(60));
        assert_eq!(
            other_key.verify(&token, 2_000),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            tokens().verify("garbage", 2_000),
            Err(TokenError::Malformed)
        );
        assert_eq!(tokens().verify("a.b.c", 2_000), Err(TokenError::Malformed));
    }

    #[tokio::test]
    async fn password_round_trip() {
        let auth = AuthConfig {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..AuthConfig::default()
        };
        let passwords = Passwords::new(&auth).unwrap();
        let hash = passwords.hash("correct horse".to_string()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(passwords
            .verify("correct horse".to_string(), hash.clone())
            .await
            .unwrap());
        assert!(!passwords
            .verify("wrong horse".to_string(), hash)
            .await
            .unwrap());
    }
}
