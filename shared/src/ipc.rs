//! Messages between the Dioxus UI (wasm in the webview) and the Tauri shell.
//!
//! The UI never sees tokens or URLs of the backend: it asks the shell by command name and gets
//! these types back, already read from the local store.

use serde::{Deserialize, Serialize};

/// Names of the Tauri commands, so UI and shell cannot drift apart.
pub mod commands {
    pub const LIST_CACHED_ARTISTS: &str = "list_cached_artists";
    pub const SYNC_ARTISTS: &str = "sync_artists";
}

/// One artist as the local store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedArtist {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub upcoming_show_count: i64,
}

/// What a sync attempt did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Artists now in the local store.
    pub artists: usize,
    /// `None` when the backend answered; the reason otherwise (the UI keeps showing the cache).
    pub offline_reason: Option<String>,
}

/// Errors crossing the IPC boundary: a code for the UI's logic and a message for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}
