//! TheSet's offline core: a local SQLite store the UI reads from, and the sync that fills it from
//! the backend. No UI and no Tauri here, so the desktop app, the mobile app and headless tests all
//! drive the same code.
//!
//! The rule that makes the app work at a venue with no signal: the UI only ever reads the local
//! store. Network work updates the store and reports whether it reached the server; a failure
//! leaves what was cached untouched.

pub mod api;
pub mod error;
pub mod oauth;
pub mod store;

use std::path::Path;

use theset_shared::ipc::{CachedArtist, SyncReport};

pub use api::ApiClient;
pub use error::ClientError;
pub use store::Store;

/// The store and the backend connection of one app instance.
pub struct Client {
    store: Store,
    api: ApiClient,
}

impl Client {
    /// Opens (or creates) the store at `db_path`, talking to the backend at `api_base`.
    pub fn open(db_path: &Path, api_base: &str) -> Result<Self, ClientError> {
        Ok(Self {
            store: Store::open(db_path)?,
            api: ApiClient::new(api_base)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Artists from the local store, whatever the network does.
    pub fn cached_artists(&self) -> Result<Vec<CachedArtist>, ClientError> {
        self.store.list_artists()
    }

    /// Fetches every artist page from the backend and replaces the cached list in one
    /// transaction. When the backend cannot be reached, the cache stays as it was and the report
    /// says why.
    pub async fn sync_artists(&self) -> Result<SyncReport, ClientError> {
        match self.api.all_artists().await {
            Ok(artists) => {
                self.store.replace_artists(&artists)?;
                Ok(SyncReport {
                    artists: self.store.artist_count()?,
                    offline_reason: None,
                })
            }
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "sync failed; keeping the local store");
                Ok(SyncReport {
                    artists: self.store.artist_count()?,
                    offline_reason: Some(e.user_message().to_owned()),
                })
            }
            Err(e) => Err(e),
        }
    }
}
