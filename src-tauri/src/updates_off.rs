//! Phones: the app updates through its store, so the app's own updater is off (same interface as
//! `updates.rs`, which only desktop builds carry).

use std::sync::Arc;

use tauri::AppHandle;
use theset_client::ClientError;
use theset_shared::ipc::UpdateState;

pub struct Updates;

impl Updates {
    pub fn start(_: &AppHandle) -> Arc<Self> {
        Arc::new(Self)
    }

    pub fn state(&self) -> UpdateState {
        UpdateState::Off
    }

    pub fn install(&self, _: &AppHandle) -> Result<(), ClientError> {
        Err(ClientError::Invalid("the store updates this app".into()))
    }
}
