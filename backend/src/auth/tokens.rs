//! Opaque tokens: 256 random bits, base64url; stored as SHA-256. Refresh successors are derived
//! with HMAC-SHA-256 under the server key, so the same used token always yields the same successor.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub fn random_key() -> [u8; 32] {
    rand::random()
}

pub fn key_from_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What the database stores for a token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The token that follows `used` for `purpose` (`access` or `refresh`).
pub fn successor(key: &[u8; 32], used: &str, purpose: &str) -> String {
    // HMAC accepts keys of any length; a 32-byte key cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(used.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `token` is the one `stored` is the digest of, compared in constant time.
pub fn digest_matches(token: &str, stored: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    digest(token).ct_eq(stored).into()
}

/// A plausible token shape (43 base64url characters), checked before any database lookup.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_successors_deterministic() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert_eq!(digest(&a).len(), 32);
        let key = random_key();
        assert_eq!(
            successor(&key, &a, "refresh"),
            successor(&key, &a, "refresh")
        );
        assert_ne!(
            successor(&key, &a, "refresh"),
            successor(&key, &a, "access")
        );
        assert_ne!(
            successor(&key, &a, "refresh"),
            successor(&random_key(), &a, "refresh")
        );
        assert!(well_formed(&successor(&key, &a, "refresh")));
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}!", &a[..42])));
    }
}
