//! Tauri commands: the IPC surface of the shell. Names come from `theset_shared::ipc::commands`.

use std::sync::Arc;

use tauri::State;
use theset_client::{Client, ClientError};
use theset_shared::ipc::{CachedArtist, IpcError, SyncReport};

fn ipc_error(e: ClientError) -> IpcError {
    let code = match &e {
        ClientError::Store(_) | ClientError::StoreTooNew { .. } => "store",
        ClientError::Network(_) => "offline",
        ClientError::Server { .. } => "server",
        ClientError::SignIn(_) => "sign_in",
        ClientError::SignedOut | ClientError::Vault(_) => "signed_out",
        ClientError::UpgradeRequired { .. } => "upgrade_required",
        ClientError::BadUrl(_) | ClientError::Decode(_) => "client",
    };
    IpcError {
        code: code.into(),
        message: e.to_string(),
    }
}

#[tauri::command]
pub fn list_cached_artists(client: State<'_, Arc<Client>>) -> Result<Vec<CachedArtist>, IpcError> {
    client.cached_artists().map_err(ipc_error)
}

#[tauri::command]
pub async fn sync_artists(client: State<'_, Arc<Client>>) -> Result<SyncReport, IpcError> {
    client.sync_artists().await.map_err(ipc_error)
}
