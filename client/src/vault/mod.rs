//! Where the session's secrets live. On desktop and iPhones the tokens go to the OS keyring, on
//! Android to its Keystore ([`keystore`]), or an encrypted file where there is none ([`os`]); in the web app the session is a
//! cookie and only its record is kept, in the store ([`in_store`]).

mod in_store;
#[cfg(not(target_arch = "wasm32"))]
mod keystore;
#[cfg(not(target_arch = "wasm32"))]
mod os;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use in_store::StoreVault;
#[cfg(not(target_arch = "wasm32"))]
pub use keystore::KeystoreVault;
#[cfg(not(any(target_arch = "wasm32", target_os = "android")))]
pub use os::KeyringVault;
#[cfg(not(target_arch = "wasm32"))]
pub use os::{FileVault, file_for, open};

use crate::app::MaybeSend;
use crate::error::ClientError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
}

pub trait Vault: MaybeSend {
    fn load(&self) -> Result<Option<Tokens>, ClientError>;
    fn save(&self, tokens: &Tokens) -> Result<(), ClientError>;
    fn clear(&self) -> Result<(), ClientError>;
    /// `keyring`, `keystore`, `file` or `browser`, for the status screen.
    fn kind(&self) -> &'static str;
}
