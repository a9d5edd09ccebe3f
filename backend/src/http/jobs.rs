//! Live import progress over SSE: `GET /api/v1/jobs/{id}/events` (one job, ends after its final
//! event) and `GET /api/v1/artists/{slug}/import/events` (every job of an artist, ends when none is
//! queued or running). Events are `sync_progress` rows; the SSE id is the row id, so a client that
//! reconnects with `Last-Event-ID` resumes exactly after what it saw. Works whichever backend
//! process runs the job (Postgres NOTIFY wakes this one).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Json, Router};
use futures::Stream;
use theset_shared::api::Role;
use theset_shared::slug::is_valid_slug;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::access::{ClientIp, MaybeUser, stream_slot};
use super::extract::ApiPath;
use crate::AppState;
use crate::auth::streams::Slot;
use crate::db::artists;
use crate::db::jobs as jobs_db;
use crate::db::progress::{self, Cursor, Scope};
use crate::error::{AppError, AppResult};

/// Rows read per query; a long backlog streams in several reads.
const BATCH: i64 = 200;
/// Re-read delay while committed rows wait behind an older running transaction.
const HIDDEN_RETRY: Duration = Duration::from_millis(25);
/// Poll even without a NOTIFY, in case one was missed while reconnecting.
const FALLBACK_POLL: Duration = Duration::from_secs(5);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}", get(job))
        .route("/jobs/{id}/events", get(job_events))
        .route("/artists/{slug}/import/events", get(artist_events))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the job"), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn job(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<jobs_db::JobRow>> {
    let mut job = jobs_db::by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("job"))?;
    // The failure's detail is for operators; everyone else reads the progress events' words.
    if caller.is_none_or(|c| !c.acts_as(Role::Admin)) {
        job.last_error = None;
    }
    Ok(Json(job))
}

fn last_event_id(headers: &HeaderMap) -> Result<Cursor, AppError> {
    match headers.get("last-event-id") {
        None => Ok(Cursor::default()),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| Cursor::decode(s.trim()))
            .ok_or_else(|| {
                AppError::invalid_parameter("Last-Event-ID must be an event id of this stream")
            }),
    }
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}/events", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/event-stream", description = "JobEvent per `progress` event"),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn job_events(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let after = last_event_id(&headers)?;
    if jobs_db::by_id(&state.db, id).await?.is_none() {
        return Err(AppError::not_found("job"));
    }
    let slot = stream_slot(&state, None, ip).await?;
    Ok(stream(state, Scope::Job(id), after, slot))
}

#[utoipa::path(get, path = "/api/v1/artists/{slug}/import/events", tag = "jobs", params(("slug" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", description = "JobEvent per `progress` event"),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn artist_events(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(slug): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let after = last_event_id(&headers)?;
    if !is_valid_slug(&slug) {
        return Err(AppError::invalid_parameter(
            "slug must be lower-case letters, digits and dashes",
        ));
    }
    let artist = artists::id_by_slug(&state.db, &slug)
        .await?
        .ok_or_else(|| AppError::not_found("artist"))?;
    let slot = stream_slot(&state, None, ip).await?;
    Ok(stream(state, Scope::Artist(artist), after, slot))
}

fn stream(
    state: AppState,
    scope: Scope,
    mut after: Cursor,
    slot: Slot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (tx, rx) = mpsc::channel::<Event>(64);
    let draining = state.draining.clone();
    let mut wake = state.progress.subscribe();
    tokio::spawn(async move {
        let _slot = slot;
        loop {
            let events = match progress::events_after(&state.db, scope, after, BATCH).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "progress stream read failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let full = events.len() as i64 == BATCH;
            let mut terminal = false;
            for (cursor, e) in events {
                after = cursor;
                terminal |= e.is_terminal();
                let event = Event::default()
                    .id(cursor.encode())
                    .event("progress")
                    .json_data(&e)
                    .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
                if tx.send(event).await.is_err() {
                    return; // the client went away
                }
            }
            if full {
                continue;
            }
            if progress::hidden_after(&state.db, scope, after)
                .await
                .unwrap_or(false)
            {
                tokio::time::sleep(HIDDEN_RETRY).await;
                continue;
            }
            if finished(&state, scope, after, terminal).await {
                return;
            }
            tokio::select! {
                _ = wake.recv() => {}
                _ = tokio::time::sleep(FALLBACK_POLL) => {}
                _ = tx.closed() => return,
            }
        }
    });
    let events =
        super::event_streams::until_draining(super::event_streams::StreamKind::Job, rx, draining);
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// A job stream ends after its job's final event; an artist stream when no job of the artist is
/// queued or running and every progress row of the scope has been sent (none newer than `after`,
/// none still hidden behind a running transaction).
async fn finished(state: &AppState, scope: Scope, after: Cursor, sent_terminal: bool) -> bool {
    let idle = match scope {
        Scope::Job(_) if sent_terminal => return true,
        Scope::Job(id) => jobs_db::has_ended(&state.db, id).await,
        Scope::Artist(id) => jobs_db::artist_idle(&state.db, id).await,
    };
    if !idle.unwrap_or(false) {
        return false;
    }
    progress::nothing_after(&state.db, scope, after)
        .await
        .unwrap_or(false)
}
