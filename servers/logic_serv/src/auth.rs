//! Session tokens (HMAC-SHA256, expiring, revocable).
//!
//! A token is `v1.<uid>.<generation>.<expires_at_ms>.<mac>` where `mac` is
//! the base64url HMAC-SHA256 of everything before it (`schat_runtime::signed`,
//! shared with file tokens), under a cluster secret
//! that db_logic_serv creates at first start. Logout bumps the user's
//! generation in Redis, which voids every token issued before.

use std::time::Duration;

use schat_runtime::signed;

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
    #[cfg(test)]
    pub fn issue(&self, uid: u64, generation: u64, now_ms: u64) -> (String, u64) {
        self.issue_for(uid, generation, now_ms, self.ttl)
    }

    /// A token as [`Tokens::issue`], valid for `ttl` (the current config's).
    pub fn issue_for(
        &self,
        uid: u64,
        generation: u64,
        now_ms: u64,
        ttl: Duration,
    ) -> (String, u64) {
        let expires_at_ms = now_ms + ttl.as_millis() as u64;
        let token = signed::seal(&self.key, TOKEN_VERSION, [uid, generation, expires_at_ms]);
        (token, expires_at_ms)
    }

    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        let opened = signed::open::<3>(token, TOKEN_VERSION).ok_or(TokenError::Malformed)?;
        if !opened.signed_by(&self.key) {
            return Err(TokenError::BadSignature);
        }
        let [uid, generation, expires_at_ms] = opened.numbers;
        if expires_at_ms <= now_ms {
            return Err(TokenError::Expired);
        }
        Ok(Claims {
            uid,
            generation,
            expires_at_ms,
        })
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
}
