//! Operations whose progress keeps coming after they answer (an import's phases, an admin's
//! job): the events go to the window as `events::PROGRESS` until the work ends.

use std::sync::Arc;

use tauri::{AppHandle, Emitter};
use theset_client::ClientError;
use theset_shared::api::{ImportResponse, JobRef};
use theset_shared::ipc::{IpcCode, IpcError, events, req};

use super::{IpcResult, ipc_error};
use crate::shell::Shell;

/// Starts (or joins) an artist's import and forwards its progress.
pub async fn import(
    app: &AppHandle,
    shell: &Arc<Shell>,
    ticketmaster_id: &str,
) -> IpcResult<ImportResponse> {
    let started = shell
        .client
        .import_artist(ticketmaster_id)
        .await
        .map_err(|e| match e {
            // Adding an artist spends a signed-in fan's import budget.
            ClientError::SignedOut => {
                IpcError::new(IpcCode::SignedOut, "Sign in to add this artist to TheSet.")
            }
            other => ipc_error(other),
        })?;
    let (client, app, slug) = (
        shell.client.clone(),
        app.clone(),
        started.artist.summary.slug.clone(),
    );
    tauri::async_runtime::spawn(async move {
        let emit = |e| {
            let _ = app.emit(events::PROGRESS, e);
        };
        if let Err(e) = client.follow_import(&slug, emit).await {
            tracing::warn!(error = %e, %slug, "import progress lost");
        }
    });
    Ok(started)
}

/// Queues a job (admins) and forwards its progress.
pub async fn job(app: &AppHandle, shell: &Arc<Shell>, r: req::StartJob) -> IpcResult<JobRef> {
    let started = shell
        .client
        .start_job(r.job, r.artist_id)
        .await
        .map_err(ipc_error)?;
    let (client, app, id) = (shell.client.clone(), app.clone(), started.id);
    tauri::async_runtime::spawn(async move {
        let emit = |e| {
            let _ = app.emit(events::PROGRESS, e);
        };
        if let Err(e) = client.follow_job(id, emit).await {
            tracing::warn!(error = %e, "job progress lost");
        }
    });
    Ok(started)
}
