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

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    limit: Arc<Semaphore>,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
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
        }
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
        let _permit = self
            .limit
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
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
        let permit = self
            .limit
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
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
}
