//! argon2id hashing off the async runtime, behind a concurrency limit (each hash takes ~19 MiB and
//! tens of milliseconds of a core: unbounded, a login burst would starve everything else).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Version};
use tokio::sync::Semaphore;

/// OWASP / RFC 9106 second recommendation: m = 19 MiB, t = 2, p = 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Password checks waiting for a core, at most; more answer busy at once (a login flood must not
/// queue minutes of work in front of everyone, nor hold memory for each waiting request).
pub const MAX_WAITING: usize = 64;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    limit: Arc<Semaphore>,
    /// Places in the queue (running or waiting); see [`MAX_WAITING`].
    queue: Arc<Semaphore>,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The queue is full: try again in a moment.
    #[error("password checks are queued to capacity")]
    Busy,
}

/// The result of checking a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, and the stored hash uses weaker parameters than today's: store this new hash.
    YesRehashed(String),
}

impl Hasher {
    pub fn new(params: Params) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            params,
            limit: Arc::new(Semaphore::new(cores)),
            queue: Arc::new(Semaphore::new(cores + MAX_WAITING)),
        }
    }

    /// A place in the queue, then a core.
    async fn permits(
        &self,
    ) -> Result<
        (
            tokio::sync::SemaphorePermit<'_>,
            tokio::sync::SemaphorePermit<'_>,
        ),
        HashError,
    > {
        let place = self.queue.try_acquire().map_err(|_| HashError::Busy)?;
        let core = self
            .limit
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        Ok((place, core))
    }

    fn argon(params: Params) -> Result<Argon2<'static>, HashError> {
        let p = argon2::Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| HashError::Hash(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self.permits().await?;
        let params = self.params;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            Self::argon(params)?
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await
        .map_err(|e| HashError::Hash(e.to_string()))?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown account) it still does the
    /// work of one verification, so both answers take the same time.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verified, HashError> {
        let permit = self.permits().await?;
        let params = self.params;
        let candidate = password.clone();
        let (ok, weaker) =
            tokio::task::spawn_blocking(move || -> Result<(bool, bool), HashError> {
                let argon = Self::argon(params)?;
                match stored.as_deref().and_then(|s| PasswordHash::new(s).ok()) {
                    Some(parsed) => {
                        let ok = argon.verify_password(candidate.as_bytes(), &parsed).is_ok();
                        let weaker = argon2::Params::try_from(&parsed).is_ok_and(|p| {
                            p.m_cost() < params.memory_kib || p.t_cost() < params.iterations
                        });
                        Ok((ok, weaker))
                    }
                    None => {
                        let salt =
                            SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
                        let _ = argon.hash_password(candidate.as_bytes(), &salt);
                        Ok((false, false))
                    }
                }
            })
            .await
            .map_err(|e| HashError::Hash(e.to_string()))??;
        drop(permit);
        Ok(match (ok, weaker) {
            (false, _) => Verified::No,
            (true, false) => Verified::Yes,
            (true, true) => Verified::YesRehashed(self.hash(password).await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Params {
        Params {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[tokio::test]
    async fn hashes_verify_and_rehash_when_parameters_rise() {
        let old = Hasher::new(cheap());
        let stored = old
            .hash("a long pass phrase here".into())
            .await
            .expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(
            old.verify("a long pass phrase here".into(), Some(stored.clone()))
                .await
                .expect("v"),
            Verified::Yes
        );
        assert_eq!(
            old.verify("wrong".into(), Some(stored.clone()))
                .await
                .expect("v"),
            Verified::No
        );
        assert_eq!(
            old.verify("anything".into(), None).await.expect("v"),
            Verified::No
        );
        let current = Hasher::new(Params::default());
        match current
            .verify("a long pass phrase here".into(), Some(stored))
            .await
            .expect("v")
        {
            Verified::YesRehashed(new) => assert!(new.contains("m=19456,t=2,p=1"), "{new}"),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let hasher = Hasher::new(cheap());
        let n = u32::try_from(hasher.queue.available_permits()).expect("permits");
        let held = hasher.queue.acquire_many(n).await.expect("fill the queue");
        assert!(matches!(
            hasher.hash("a long pass phrase here".into()).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(hasher.hash("a long pass phrase here".into()).await.is_ok());
    }
}
