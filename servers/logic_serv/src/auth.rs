//! Passwords (argon2id) and session tokens (HMAC-SHA256, expiring, revocable).
//!
//! A token is `v1.<uid>.<generation>.<expires_at_ms>.<mac>` where `mac` is
//! the base64url HMAC-SHA256 of everything before it, under a cluster secret
//! that db_logic_serv creates at first start. Logout bumps the user's
//! generation in Redis, which voids every token issued before.

use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use schat_runtime::config::AuthConfig;
use sha2::Sha256;

/// Hashes and verifies passwords on a few dedicated threads (one per core),
/// so a burst of logins queues instead of exhausting memory. Each thread
/// keeps one argon2 work area (`argon2_memory_kib`) and reuses it, so
/// memory stays at threads × that size however many logins pass.
#[derive(Debug)]
pub struct Passwords {
    params: Params,
    jobs: std::sync::mpsc::SyncSender<Job>,
}

/// Work for a hashing thread, given that thread's reusable argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Password work failed (not: the password was wrong).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashing requests waiting for a thread; more are refused as busy.
const QUEUE: usize = 4096;

impl Passwords {
    pub fn new(auth: &AuthConfig) -> Result<Passwords, HashError> {
        let params = Params::new(
            auth.argon2_memory_kib,
            auth.argon2_iterations,
            auth.argon2_lanes,
            None,
        )
        .map_err(|err| HashError(err.to_string()))?;
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(QUEUE);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for index in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let job = {
                            let queue = queue.lock().unwrap_or_else(|poison| poison.into_inner());
                            queue.recv()
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            // Every sender is gone: the process is stopping.
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|err| HashError(err.to_string()))?;
        }
        Ok(Passwords { params, jobs })
    }

    /// Runs `work` on a hashing thread.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = done.send(work(memory));
        });
        self.jobs
            .try_send(job)
            .map_err(|_| HashError("too many logins at once".to_string()))?;
        result
            .await
            .map_err(|_| HashError("hashing thread stopped".to_string()))?
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.run(move |memory| hash_with(memory, params, password.as_bytes()))
            .await
    }

    /// Whether `password` matches `stored` (a PHC string; its own parameters
    /// are used, so old hashes keep working after the config changes).
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, HashError> {
        self.run(move |memory| verify_with(memory, password.as_bytes(), &stored))
            .await
    }
}

fn hash_error(err: impl std::fmt::Display) -> HashError {
    HashError(err.to_string())
}

/// The work area for `params`, grown (never shrunk) as needed.
fn work_area<'a>(memory: &'a mut Vec<Block>, params: &Params) -> &'a mut [Block] {
    let n_blocks = params.block_count();
    if memory.len() < n_blocks {
        memory.resize(n_blocks, Block::default());
    }
    &mut memory[..n_blocks]
}

/// argon2id of `password` under a fresh salt, as a PHC string.
fn hash_with(
    memory: &mut Vec<Block>,
    params: Params,
    password: &[u8],
) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let area = work_area(memory, &params);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut output, area)
        .map_err(hash_error)?;
    let salt = SaltString::encode_b64(&salt).map_err(hash_error)?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(hash_error)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(hash_error)?),
    };
    Ok(phc.to_string())
}

/// Recomputes the hash in `stored` for `password` and compares in constant time.
fn verify_with(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> Result<bool, HashError> {
    let phc = PasswordHash::new(stored).map_err(hash_error)?;
    let algorithm = Algorithm::try_from(phc.algorithm).map_err(hash_error)?;
    let version =
        Version::try_from(phc.version.unwrap_or(Version::V0x13.into())).map_err(hash_error)?;
    let params = Params::try_from(&phc).map_err(hash_error)?;
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return Err(HashError("stored hash has no salt or output".to_string()));
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(hash_error)?;
    let mut output = vec![0u8; expected.len()];
    let area = work_area(memory, &params);
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(password, salt, &mut output, area)
        .map_err(hash_error)?;
    Ok(Output::new(&output).map_err(hash_error)? == expected)
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
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{hash}");
        // The PHC string is standard: the argon2 crate's own verifier agrees.
        use argon2::PasswordVerifier;
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
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
