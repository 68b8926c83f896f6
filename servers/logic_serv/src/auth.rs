//! Session tokens (HMAC-SHA256, expiring, revocable).
//!
//! A token is `v2.<uid>.<generation>.<stamp>.<expires_at_ms>.<mac>` where
//! `mac` is the base64url HMAC-SHA256 of everything before it
//! (`schat_runtime::signed`, shared with file tokens), under a cluster
//! secret that db_logic_serv creates at first start. `stamp` is the device's
//! (random, kept in Redis with the device until it logs out or is ended):
//! logging one device out voids its tokens and no other's; logging out
//! everywhere bumps the user's generation, which voids every token issued
//! before. Tokens of the form before devices, `v1.<uid>.<generation>.
//! <expires_at_ms>.<mac>`, are still read (stamp 0: they name no device and
//! stop working when they expire or the user logs out everywhere).

use std::time::Duration;

use schat_runtime::signed;

/// What a valid token says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claims {
    pub uid: u64,
    pub generation: u64,
    /// The device's stamp; 0 for a token from before devices.
    pub stamp: u64,
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

const TOKEN_VERSION: &str = "v2";
/// Tokens from before devices: no stamp.
const TOKEN_VERSION_1: &str = "v1";

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

    /// A token for `uid` at `generation` on the device of `stamp`, and
    /// when it expires.
    #[cfg(test)]
    pub fn issue(&self, uid: u64, generation: u64, stamp: u64, now_ms: u64) -> (String, u64) {
        self.issue_for(uid, generation, stamp, now_ms, self.ttl)
    }

    /// A token as [`Tokens::issue`], valid for `ttl` (the current config's).
    pub fn issue_for(
        &self,
        uid: u64,
        generation: u64,
        stamp: u64,
        now_ms: u64,
        ttl: Duration,
    ) -> (String, u64) {
        let expires_at_ms = now_ms + ttl.as_millis() as u64;
        let token = signed::seal(
            &self.key,
            TOKEN_VERSION,
            [uid, generation, stamp, expires_at_ms],
        );
        (token, expires_at_ms)
    }

    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        let (claims, signed_by_us) = if let Some(opened) = signed::open::<4>(token, TOKEN_VERSION) {
            let [uid, generation, stamp, expires_at_ms] = opened.numbers;
            let claims = Claims {
                uid,
                generation,
                stamp,
                expires_at_ms,
            };
            (claims, opened.signed_by(&self.key))
        } else {
            let opened = signed::open::<3>(token, TOKEN_VERSION_1).ok_or(TokenError::Malformed)?;
            let [uid, generation, expires_at_ms] = opened.numbers;
            let claims = Claims {
                uid,
                generation,
                stamp: 0,
                expires_at_ms,
            };
            (claims, opened.signed_by(&self.key))
        };
        if !signed_by_us {
            return Err(TokenError::BadSignature);
        }
        if claims.expires_at_ms <= now_ms {
            return Err(TokenError::Expired);
        }
        Ok(claims)
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
        let (token, expires) = tokens().issue(42, 3, 77, 1_000);
        assert_eq!(expires, 61_000);
        let claims = tokens().verify(&token, 2_000).unwrap();
        assert_eq!(
            claims,
            Claims {
                uid: 42,
                generation: 3,
                stamp: 77,
                expires_at_ms: 61_000
            }
        );
    }

    #[test]
    fn token_from_before_devices_is_read() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = signed::seal(key, "v1", [42, 3, 61_000]);
        let claims = tokens().verify(&token, 2_000).unwrap();
        assert_eq!((claims.uid, claims.generation, claims.stamp), (42, 3, 0));
        let forged = token.replacen("v1.42.", "v1.43.", 1);
        assert_eq!(
            tokens().verify(&forged, 2_000),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn expired_token_is_refused() {
        let (token, _) = tokens().issue(42, 0, 1, 1_000);
        assert_eq!(tokens().verify(&token, 61_000), Err(TokenError::Expired));
    }

    #[test]
    fn tampered_token_is_refused() {
        let (token, _) = tokens().issue(42, 0, 1, 1_000);
        let forged = token.replacen("v2.42.", "v2.43.", 1);
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
