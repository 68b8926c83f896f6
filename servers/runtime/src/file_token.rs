//! File tokens: a user's credential for the HTTP file servers.
//!
//! A token is `f2.<epoch>.<uid>.<issued_at_ms>.<expires_at_ms>.<mac>` where
//! `mac` is the base64url HMAC-SHA256 of everything before it under the key
//! of rotation `epoch`. The issue time is what a logout is compared with
//! (tokens issued up to it are void). Tokens of the earlier form
//! `f1.<epoch>.<uid>.<expires_at_ms>.<mac>`, without it, are still taken
//! until they expire (at most `files.token_ttl_secs`) (one key per `files.key_rotation_secs`, created in Redis by the
//! first logic that needs it). logic issues tokens and pushes fresh ones to
//! online users before theirs expire; file_serv checks them, fetching the
//! key of an epoch it has not seen yet from any logic.

use crate::signed::{self, Opened};

const VERSION: &str = "f2";
/// The earlier form, without the issue time.
const VERSION_1: &str = "f1";

/// The name of an epoch's key among the cluster secrets.
pub fn key_name(epoch: u64) -> String {
    format!("file_key.{epoch}")
}

/// The rotation epoch that `now_ms` falls in.
pub fn epoch_at(now_ms: u64, rotation_secs: u64) -> u64 {
    now_ms / (rotation_secs.max(1) * 1000)
}

/// A token whose shape is right; its signature is not checked yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unverified<'a> {
    pub epoch: u64,
    pub uid: u64,
    /// When it was issued; `None` for an `f1` token.
    pub issued_at_ms: Option<u64>,
    pub expires_at_ms: u64,
    opened: Sealed<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Sealed<'a> {
    V1(Opened<'a, 3>),
    V2(Opened<'a, 4>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileTokenError {
    #[error("file token is malformed")]
    Malformed,
    #[error("file token signature is invalid")]
    BadSignature,
    #[error("file token has expired")]
    Expired,
    #[error("file token was revoked by a logout")]
    Revoked,
}

/// Signs a token for `uid` with the key of `epoch`.
pub fn sign(key: &[u8], epoch: u64, uid: u64, issued_at_ms: u64, expires_at_ms: u64) -> String {
    signed::seal(key, VERSION, [epoch, uid, issued_at_ms, expires_at_ms])
}

/// Splits a token into its claims; the caller then finds the epoch's key
/// and calls [`Unverified::verify`].
pub fn parse(token: &str) -> Result<Unverified<'_>, FileTokenError> {
    if let Some(opened) = signed::open::<4>(token, VERSION) {
        let [epoch, uid, issued_at_ms, expires_at_ms] = opened.numbers;
        return Ok(Unverified {
            epoch,
            uid,
            issued_at_ms: Some(issued_at_ms),
            expires_at_ms,
            opened: Sealed::V2(opened),
        });
    }
    let opened = signed::open::<3>(token, VERSION_1).ok_or(FileTokenError::Malformed)?;
    let [epoch, uid, expires_at_ms] = opened.numbers;
    Ok(Unverified {
        epoch,
        uid,
        issued_at_ms: None,
        expires_at_ms,
        opened: Sealed::V1(opened),
    })
}

impl Unverified<'_> {
    /// Checks the signature under `key` (the key of `self.epoch`) and the
    /// expiry; returns the uid.
    pub fn verify(&self, key: &[u8], now_ms: u64) -> Result<u64, FileTokenError> {
        let signed = match &self.opened {
            Sealed::V1(opened) => opened.signed_by(key),
            Sealed::V2(opened) => opened.signed_by(key),
        };
        if !signed {
            return Err(FileTokenError::BadSignature);
        }
        if self.expires_at_ms <= now_ms {
            return Err(FileTokenError::Expired);
        }
        Ok(self.uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn signed_token_verifies() {
        let token = sign(KEY, 7, 42, 4_000, 10_000);
        let parsed = parse(&token).unwrap();
        assert_eq!((parsed.epoch, parsed.uid), (7, 42));
        assert_eq!(parsed.issued_at_ms, Some(4_000));
        assert_eq!(parsed.verify(KEY, 9_999), Ok(42));
        // The earlier form, without the issue time, is still taken.
        let earlier = signed::seal(KEY, VERSION_1, [7, 42, 10_000]);
        let parsed = parse(&earlier).unwrap();
        assert_eq!(parsed.issued_at_ms, None);
        assert_eq!(parsed.verify(KEY, 9_999), Ok(42));
    }

    #[test]
    fn expired_forged_and_garbage_tokens_are_refused() {
        let token = sign(KEY, 7, 42, 4_000, 10_000);
        assert_eq!(
            parse(&token).unwrap().verify(KEY, 10_000),
            Err(FileTokenError::Expired)
        );
        let forged = token.replacen(".42.", ".43.", 1);
        assert_eq!(
            parse(&forged).unwrap().verify(KEY, 1),
            Err(FileTokenError::BadSignature)
        );
        assert_eq!(
            parse(&token).unwrap().verify(b"another key", 1),
            Err(FileTokenError::BadSignature)
        );
        for garbage in [
            "",
            "f1",
            "f1.1.2.3",
            "v1.1.2.3.AAAA",
            "f1.x.2.3.AAAA",
            "f1.1.2.3.!!",
        ] {
            assert_eq!(parse(garbage), Err(FileTokenError::Malformed), "{garbage}");
        }
    }

    #[test]
    fn epochs_follow_the_rotation() {
        assert_eq!(epoch_at(0, 60), 0);
        assert_eq!(epoch_at(59_999, 60), 0);
        assert_eq!(epoch_at(60_000, 60), 1);
    }
}
