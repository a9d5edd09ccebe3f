//! The user's changes: written to the local store (and its outbox) at once, then the sync loop is
//! nudged. None of these waits on the network, so they work the same at a venue with no signal.

use tauri::AppHandle;
use theset_shared::api::ActualLine;
use theset_shared::ipc::{AppStatus, PredictionEdit};
use uuid::Uuid;

use super::{IpcResult, ShellState, invalid, ipc_error};

/// After a local change: show it everywhere and try to send it.
async fn saved(app: &AppHandle, shell: &ShellState<'_>) -> IpcResult<AppStatus> {
    shell.poke();
    Ok(shell.changed(app).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn follow(
    app: AppHandle,
    shell: ShellState<'_>,
    artist_id: Uuid,
    follow: bool,
) -> IpcResult<AppStatus> {
    shell.client.follow(artist_id, follow).map_err(ipc_error)?;
    saved(&app, &shell).await
}

/// `line_id` for a line the server knows, else `show_id` + `song_id` (a song added on this
/// device and not confirmed yet).
#[tauri::command(rename_all = "snake_case")]
pub async fn vote(
    app: AppHandle,
    shell: ShellState<'_>,
    show_id: Uuid,
    line_id: Option<Uuid>,
    song_id: Option<Uuid>,
    value: i16,
) -> IpcResult<AppStatus> {
    if !(-1..=1).contains(&value) {
        return Err(invalid("A vote is up, down or none."));
    }
    let done = match (line_id, song_id) {
        (Some(line), _) => shell.client.vote(line, value),
        (None, Some(song)) => shell.client.vote_song(show_id, song, value),
        (None, None) => return Err(invalid("Nothing to vote on.")),
    };
    done.map_err(ipc_error)?;
    saved(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_song(
    app: AppHandle,
    shell: ShellState<'_>,
    show_id: Uuid,
    song_id: Uuid,
) -> IpcResult<AppStatus> {
    shell.client.add_song(show_id, song_id).map_err(ipc_error)?;
    saved(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn edit_prediction(
    app: AppHandle,
    shell: ShellState<'_>,
    show_id: Uuid,
    edit: PredictionEdit,
) -> IpcResult<AppStatus> {
    shell
        .client
        .edit_prediction(show_id, &edit)
        .map_err(ipc_error)?;
    saved(&app, &shell).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn edit_setlist(
    app: AppHandle,
    shell: ShellState<'_>,
    setlist_id: Uuid,
    base_version: i32,
    songs: Vec<ActualLine>,
    note: Option<String>,
) -> IpcResult<AppStatus> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    shell
        .client
        .edit_setlist(setlist_id, base_version, songs, note)
        .map_err(ipc_error)?;
    saved(&app, &shell).await
}

/// Forgets a refused change once the user has read why (or merged it).
#[tauri::command(rename_all = "snake_case")]
pub async fn dismiss_change(
    app: AppHandle,
    shell: ShellState<'_>,
    id: Uuid,
) -> IpcResult<AppStatus> {
    shell.client.store().dismiss(id).map_err(ipc_error)?;
    Ok(shell.changed(&app).await)
}
