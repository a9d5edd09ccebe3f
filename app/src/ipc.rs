//! The one typed facade over Tauri's `invoke`. Components call these functions and never touch
//! `window.__TAURI__` themselves, so a command's name and types live in one place
//! (`theset_shared::ipc`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use theset_shared::ipc::{CachedArtist, IpcError, SyncReport, commands};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

fn ipc_error(message: impl Into<String>) -> IpcError {
    IpcError {
        code: "ipc".into(),
        message: message.into(),
    }
}

async fn invoke<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, IpcError> {
    let args = serde_wasm_bindgen::to_value(args).map_err(|e| ipc_error(e.to_string()))?;
    match tauri_invoke(cmd, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| ipc_error(e.to_string())),
        // Commands reject with a serialised IpcError; anything else is the bridge failing.
        Err(e) => Err(
            serde_wasm_bindgen::from_value(e.clone()).unwrap_or_else(|_| {
                ipc_error(e.as_string().unwrap_or_else(|| "shell unavailable".into()))
            }),
        ),
    }
}

#[derive(Serialize)]
struct NoArgs {}

/// Artists from the local store (instant, works offline).
pub async fn cached_artists() -> Result<Vec<CachedArtist>, IpcError> {
    invoke(commands::LIST_CACHED_ARTISTS, &NoArgs {}).await
}

/// Asks the shell to refresh the store from the backend.
pub async fn sync_artists() -> Result<SyncReport, IpcError> {
    invoke(commands::SYNC_ARTISTS, &NoArgs {}).await
}
