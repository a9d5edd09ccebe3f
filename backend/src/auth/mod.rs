//! Accounts and native sessions: argon2id password hashes, opaque access tokens (15 min) and
//! refresh tokens that rotate on every use. Reusing a rotated refresh token revokes its session
//! (the token family, RFC 9700), except a retry from the same device within 30 s: successors are
//! derived from the used token with a server key (HMAC), so a retry gets the very same successor
//! without the server keeping any token in clear.

pub mod passwords;
pub mod tokens;

use std::sync::Arc;

/// Server-side secrets and the hashing limiter.
#[derive(Clone)]
pub struct AuthConfig {
    /// Key deriving refresh successors (`THESET_TOKEN_SECRET`; random per process when unset, which
    /// only costs the 30 s retry grace across a restart).
    pub token_key: Arc<[u8; 32]>,
    pub hasher: passwords::Hasher,
}

impl AuthConfig {
    pub fn from_env() -> Self {
        let key = std::env::var("THESET_TOKEN_SECRET")
            .ok()
            .filter(|s| s.len() >= 32)
            .map(|s| tokens::key_from_secret(&s))
            .unwrap_or_else(tokens::random_key);
        Self {
            token_key: Arc::new(key),
            hasher: passwords::Hasher::new(passwords::Params::default()),
        }
    }
}
