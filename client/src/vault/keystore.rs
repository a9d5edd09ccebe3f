//! Tokens in a `keyring-core` credential store: Android's Keystore on Android phones (where
//! keyring 3, the desktop's crate, has no store and would keep tokens in memory without saying
//! so, losing the session at every restart). The host's tests run this same code against
//! keyring-core's mock store.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};

use super::{Tokens, Vault};
use crate::error::ClientError;

fn vault_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Vault(e.to_string())
}

/// One server's tokens in one entry of `store`.
pub struct KeystoreVault {
    entry: Entry,
    kind: &'static str,
}

impl KeystoreVault {
    pub fn new(
        store: &Arc<CredentialStore>,
        server: &str,
        kind: &'static str,
    ) -> Result<Self, ClientError> {
        let entry = Entry::new_in_store(store, "theset", server).map_err(vault_err)?;
        Ok(Self { entry, kind })
    }

    /// Android's Keystore, once the app's context is known (Tauri sets it up); `None` where it
    /// cannot be opened, which the caller reports.
    #[cfg(target_os = "android")]
    pub fn android(server: &str) -> Option<Self> {
        let store: Arc<CredentialStore> = match android_native_keyring_store::Store::new() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "Android Keystore unavailable");
                return None;
            }
        };
        Self::new(&store, server, "keystore").ok()
    }
}

impl Vault for KeystoreVault {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        match self.entry.get_password() {
            Ok(s) => serde_json::from_str(&s).map(Some).map_err(vault_err),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(vault_err(e)),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let s = serde_json::to_string(tokens).map_err(vault_err)?;
        self.entry.set_password(&s).map_err(vault_err)
    }

    fn clear(&self) -> Result<(), ClientError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(vault_err(e)),
        }
    }

    fn kind(&self) -> &'static str {
        self.kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(n: i64) -> Tokens {
        Tokens {
            access_token: format!("access-{n}"),
            refresh_token: format!("refresh-{n}"),
            expires_at: chrono::DateTime::from_timestamp(1_800_000_000 + n, 0).expect("time"),
        }
    }

    /// The Android path against keyring-core's mock store: empty, saved, replaced, one entry per
    /// server, cleared (twice is fine).
    #[test]
    fn tokens_round_trip_per_server_in_a_credential_store() {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("mock store");
        let a = KeystoreVault::new(&store, "api.theset.app-443", "keystore").expect("a");
        let b = KeystoreVault::new(&store, "192.168.1.20-8080", "keystore").expect("b");
        assert_eq!(a.load().expect("empty"), None);
        a.save(&tokens(1)).expect("save");
        a.save(&tokens(2)).expect("replace");
        assert_eq!(a.load().expect("load"), Some(tokens(2)));
        assert_eq!(b.load().expect("other server"), None);
        a.clear().expect("clear");
        a.clear().expect("clear again");
        assert_eq!(a.load().expect("gone"), None);
        assert_eq!(a.kind(), "keystore");
    }
}
