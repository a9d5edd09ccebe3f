//! Moderator and admin pages. These need the server's answer, so they are not queued: offline
//! they say so.

use reqwest::Method;
use tauri::{AppHandle, Emitter};
use theset_shared::api::{
    AuditPage, Flag, JobRef, PublicProfile, ResolveFlag, Role, RoleUpdate, StartJob, VerifyRequest,
    VerifyResult,
};
use theset_shared::ipc::events;
use uuid::Uuid;

use super::{IpcResult, ShellState, invalid, ipc_error};

#[tauri::command(rename_all = "snake_case")]
pub async fn flags(shell: ShellState<'_>) -> IpcResult<Vec<Flag>> {
    shell
        .client
        .send(Method::GET, "/moderation/flags", None)
        .await
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn resolve_flag(shell: ShellState<'_>, id: Uuid, action: String) -> IpcResult<()> {
    if !matches!(action.as_str(), "dismiss" | "remove_song" | "hide_setlist") {
        return Err(invalid("unknown moderation action"));
    }
    shell
        .client
        .send::<serde_json::Value>(
            Method::POST,
            &format!("/moderation/flags/{id}/resolve"),
            Some(&ResolveFlag { action }),
        )
        .await
        .map(drop)
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_setlist(
    shell: ShellState<'_>,
    setlist_id: Uuid,
    version: i32,
) -> IpcResult<VerifyResult> {
    shell
        .client
        .send(
            Method::POST,
            &format!("/setlists/{setlist_id}/verify"),
            Some(&VerifyRequest { version }),
        )
        .await
        .map_err(ipc_error)
}

/// Queues a job; its progress arrives as `events::PROGRESS`.
#[tauri::command(rename_all = "snake_case")]
pub async fn start_job(
    app: AppHandle,
    shell: ShellState<'_>,
    job: String,
    artist_id: Option<Uuid>,
) -> IpcResult<JobRef> {
    let started: JobRef = shell
        .client
        .send(
            Method::POST,
            "/admin/jobs",
            Some(&StartJob { job, artist_id }),
        )
        .await
        .map_err(ipc_error)?;
    let client = shell.client.clone();
    let path = format!("/jobs/{}/events", started.id);
    tauri::async_runtime::spawn(async move {
        let emit = |e| {
            let _ = app.emit(events::PROGRESS, e);
        };
        if let Err(e) = client.follow_progress(&path, emit).await {
            tracing::warn!(error = %e, "job progress lost");
        }
    });
    Ok(started)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit(shell: ShellState<'_>) -> IpcResult<AuditPage> {
    shell
        .client
        .send(Method::GET, "/admin/audit", None)
        .await
        .map_err(ipc_error)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_role(
    shell: ShellState<'_>,
    user_id: Uuid,
    role: Role,
) -> IpcResult<PublicProfile> {
    shell
        .client
        .send(
            Method::PUT,
            &format!("/admin/users/{user_id}/role"),
            Some(&RoleUpdate { role }),
        )
        .await
        .map_err(ipc_error)
}
