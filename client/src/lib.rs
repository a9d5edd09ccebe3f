//! TheSet's offline core: a local SQLite store the UI reads from, and the sync that fills it from
//! the backend. No UI and no Tauri here, so the desktop app, the mobile app and headless tests all
//! drive the same code.
//!
//! The rule that makes the app work at a venue with no signal: the UI only ever reads the local
//! store. Network work updates the store and reports whether it reached the server; a failure
//! leaves what was cached untouched.

pub mod actions;
pub mod api;
pub mod app;
pub mod avatars;
mod browse;
pub mod comments;
pub mod error;
mod evening;
pub mod live;
mod moderation;
mod nearby;
pub mod notifications;
#[cfg(not(target_arch = "wasm32"))]
pub mod oauth;
pub mod packs;
pub mod pages;
pub mod profile;
mod progress;
pub mod rt;
pub mod session;
mod signin;
mod sse;
pub mod store;
pub mod sync;
pub mod tiles;
pub mod vault;
pub mod views;

use std::path::Path;
#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;
use std::sync::Arc;

use theset_shared::ipc::{CachedArtist, SyncReport};

pub use api::ApiClient;
pub use error::ClientError;
pub use session::{Session, SignedUp};
pub use store::Store;
pub use sync::{Held, Pushed, SyncOutcome};

/// The store, the session and the backend connection of one app instance.
pub struct Client {
    store: Arc<Store>,
    api: ApiClient,
    session: Session,
    /// Serialises read-modify-write edits (the prediction editor).
    edits: std::sync::Mutex<()>,
    /// The map tiles' URL template, when the app has a tile server (show packs keep tiles).
    tile_template: std::sync::RwLock<Option<String>>,
    /// How the window loads fans' pictures (see `avatars.rs`).
    avatar_template: std::sync::RwLock<Option<String>>,
}

/// The store's file name for a server: one store per server, so pointing the app at another
/// server never mixes that server's rows or this device's unsent changes with the first one's.
pub fn store_file(api_base: &str) -> String {
    format!("theset-{}.sqlite3", server_key(api_base))
}

/// `host-port` of a server, made safe for a file name: what keeps one server's store and tokens
/// apart from another's.
pub fn server_key(api_base: &str) -> String {
    let key = reqwest::Url::parse(api_base)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(format!("{host}-{}", u.port_or_known_default()?))
        })
        .unwrap_or_else(|| "server".to_owned());
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe
}

#[cfg(not(target_arch = "wasm32"))]
/// Where the file vault keeps its key: outside the data folder (`THESET_KEY_DIR`, else the
/// user's config folder).
fn key_dir(data_dir: &Path) -> PathBuf {
    std::env::var_os("THESET_KEY_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("theset")))
        .unwrap_or_else(|| data_dir.join("keys"))
}

impl Client {
    /// Opens (or creates) the store at `db_path`, talking to the backend at `api_base`; tokens
    /// go to the OS keyring, or an encrypted file beside the store where there is none.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(db_path: &Path, api_base: &str) -> Result<Self, ClientError> {
        let data_dir = db_path.parent().unwrap_or(Path::new(".")).to_owned();
        let vault = vault::open(
            api_base,
            &server_key(api_base),
            &data_dir,
            &key_dir(&data_dir),
        );
        Self::open_with_vault(db_path, api_base, vault)
    }

    pub fn open_with_vault(
        db_path: &Path,
        api_base: &str,
        vault: Box<dyn vault::Vault>,
    ) -> Result<Self, ClientError> {
        let store = Arc::new(Store::open(db_path)?);
        Self::assemble(store, ApiClient::new(api_base)?, vault)
    }

    /// The web app's core: the store `file` in the worker's default VFS (the OPFS pool), the
    /// server at `api_base` (the page's own origin), and the browser's cookie session, whose
    /// record and CSRF token are kept in the store.
    pub fn open_in_browser(file: &str, api_base: &str) -> Result<Self, ClientError> {
        let store = Arc::new(Store::open(Path::new(file))?);
        let vault = Box::new(vault::StoreVault::new(store.clone()));
        Self::assemble(store, ApiClient::for_browser(api_base)?, vault)
    }

    fn assemble(
        store: Arc<Store>,
        api: ApiClient,
        vault: Box<dyn vault::Vault>,
    ) -> Result<Self, ClientError> {
        let session = Session::new(api.clone(), vault, store.device_id()?.to_string())?;
        Ok(Self {
            store,
            api,
            session,
            edits: std::sync::Mutex::new(()),
            tile_template: std::sync::RwLock::new(None),
            avatar_template: std::sync::RwLock::new(None),
        })
    }

    /// Tells the core which tile server the app's maps use (show packs keep tiles from it).
    pub fn set_tile_template(&self, template: Option<String>) {
        if let Ok(mut t) = self.tile_template.write() {
            *t = template;
        }
    }

    pub(crate) fn tile_template(&self) -> Option<String> {
        self.tile_template.read().ok().and_then(|t| t.clone())
    }

    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub async fn signup(
        &self,
        email: &str,
        password: &str,
        name: &str,
    ) -> Result<session::SignedUp, ClientError> {
        self.session.signup(email, password, name).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<(), ClientError> {
        self.session.login(email, password).await
    }

    /// Signs out and wipes what is private on this device (scope, outbox, cursor). Unsent
    /// changes are pushed first when the server can be reached.
    pub async fn logout(&self) -> Result<(), ClientError> {
        if self.session.signed_in().await
            && let Err(e) = self.push_all().await
        {
            tracing::warn!(error = %e, "signing out with changes the server has not confirmed");
        }
        self.session.logout().await?;
        self.store.wipe_private()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The web app's page of `show` on this client's server (`…/app/shows/{id}`).
    pub fn show_link(&self, show: uuid::Uuid) -> Result<String, ClientError> {
        self.api.show_link(show)
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

#[cfg(test)]
mod tests {
    use super::store_file;

    #[test]
    fn each_server_has_its_own_store() {
        assert_eq!(
            store_file("http://127.0.0.1:8080"),
            "theset-127.0.0.1-8080.sqlite3"
        );
        assert_eq!(
            store_file("https://api.theset.app/"),
            "theset-api.theset.app-443.sqlite3"
        );
        assert_ne!(
            store_file("http://127.0.0.1:8080"),
            store_file("http://127.0.0.1:18080")
        );
        assert_eq!(store_file("not a url"), "theset-server.sqlite3");
        assert_eq!(store_file("http://[::1]:9/"), "theset-___1_-9.sqlite3");
    }
}
