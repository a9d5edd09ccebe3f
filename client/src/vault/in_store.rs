//! The web app's session record, kept in the store. In the browser the session itself is an
//! HttpOnly cookie that page and worker scripts cannot read; what is kept here is what the worker
//! needs to know offline — that this device is signed in, and the CSRF token its writes carry —
//! so the app opens signed in with no signal, and sign-out (which wipes the store) forgets it.

use std::sync::Arc;

use super::{Tokens, Vault};
use crate::Store;
use crate::error::ClientError;

const KEY: &str = "browser_session";

pub struct StoreVault {
    store: Arc<Store>,
}

impl StoreVault {
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }
}

impl Vault for StoreVault {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        self.store
            .meta(KEY)?
            .map(|json| serde_json::from_str(&json).map_err(|e| ClientError::Vault(e.to_string())))
            .transpose()
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let json = serde_json::to_string(tokens).map_err(|e| ClientError::Vault(e.to_string()))?;
        self.store.set_meta(KEY, Some(&json))
    }

    fn clear(&self) -> Result<(), ClientError> {
        self.store.set_meta(KEY, None)
    }

    fn kind(&self) -> &'static str {
        "browser"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_survives_reopening_and_clearing_forgets_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s.sqlite3");
        let tokens = Tokens {
            access_token: "csrf".into(),
            refresh_token: String::new(),
            expires_at: chrono::Utc::now(),
        };
        {
            let vault = StoreVault::new(Arc::new(Store::open(&path).expect("store")));
            assert_eq!(vault.load().expect("load"), None);
            vault.save(&tokens).expect("save");
        }
        let vault = StoreVault::new(Arc::new(Store::open(&path).expect("store")));
        assert_eq!(vault.load().expect("load"), Some(tokens));
        vault.clear().expect("clear");
        assert_eq!(vault.load().expect("load"), None);
    }
}
