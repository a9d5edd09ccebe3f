//! Provider tokens at rest: AES-256-GCM under a key derived from the server secret, with a fresh
//! random nonce per value (`nonce ‖ ciphertext`). A stolen database alone does not reveal them.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("sealed value is corrupt or was sealed under another key")]
pub struct Unseal;

#[derive(Clone)]
pub struct Sealer(Aes256Gcm);

impl Sealer {
    /// A key of its own, derived from the token key, so the two uses never share one.
    pub fn new(server_key: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"theset provider-token seal v1");
        h.update(server_key);
        let key: [u8; 32] = h.finalize().into();
        Self(Aes256Gcm::new(&key.into()))
    }

    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let nonce: [u8; 12] = rand::random();
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce only fails for inputs over 64 GiB.
        out.extend(
            self.0
                .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
                .unwrap_or_default(),
        );
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, Unseal> {
        if sealed.len() < 12 + 16 {
            return Err(Unseal);
        }
        let (nonce, ciphertext) = sealed.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| Unseal)?;
        String::from_utf8(plain).map_err(|_| Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_random_nonces_and_tamper_detection() {
        let s = Sealer::new(&[7; 32]);
        let a = s.seal("spotify-access-token");
        let b = s.seal("spotify-access-token");
        assert_ne!(a, b, "fresh nonce per value");
        assert!(
            !a.windows(7).any(|w| w == b"spotify"),
            "not stored in clear"
        );
        assert_eq!(s.open(&a).expect("open"), "spotify-access-token");
        let mut t = a.clone();
        t[20] ^= 1;
        assert!(s.open(&t).is_err());
        assert!(Sealer::new(&[8; 32]).open(&a).is_err());
        assert!(s.open(&[1, 2, 3]).is_err());
    }
}
