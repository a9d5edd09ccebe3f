//! The shell's one command, `core`: it carries every request of the app↔core contract
//! (`theset_shared::ipc::contract`) to the offline core's answers (`theset_client::app`).

use std::sync::Arc;

use theset_shared::ipc::{IpcError, Request};

use crate::shell::ShellServers;

#[tauri::command(rename_all = "snake_case")]
pub async fn core(
    servers: tauri::State<'_, Arc<ShellServers>>,
    request: Request,
) -> Result<serde_json::Value, IpcError> {
    let name = request.name();
    let answer = servers.dispatch(request).await;
    if let Err(e) = &answer {
        tracing::debug!(op = name, code = %e.code, "request refused");
    }
    answer
}
