//! Passwords: argon2id hashing and verification on dedicated threads, for
//! account passwords (logic_serv) and group passwords (chat_serv).

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;

use crate::config::AuthConfig;

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

#[cfg(test)]
mod tests {
    use super::*;

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
