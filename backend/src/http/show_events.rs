//! The live stream of a show's community list and crowd set-list: `GET /api/v1/shows/{id}/events`
//! (SSE). Each subscriber reads its backlog after its cursor, then follows the show's shared
//! reader in this process (`show_feed`).

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use serde::Deserialize;
use theset_shared::api::{CrowdNow, SongTotals};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::access::{ClientIp, stream_slot};
use super::extract::ApiPath;
use crate::AppState;
use crate::auth::streams::Slot;
use crate::db::community::{self as db, Cursor};
use crate::error::{AppError, AppResult};
use crate::show_feed;

pub fn router() -> Router<AppState> {
    Router::new().route("/shows/{id}/events", get(events))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The `cursor` of a community list read; `Last-Event-ID` wins when both are sent.
    after: Option<String>,
}

const BATCH: i64 = 500;

#[utoipa::path(get, path = "/api/v1/shows/{id}/events", tag = "voting",
    params(("id" = Uuid, Path, description = "Show id"), EventsQuery),
    responses((status = 200, content_type = "text/event-stream",
               description = "`totals` events: SongTotals of each line that changed, at most every 250 ms per line; `crowd` events: CrowdNow, the show's crowd set-lists whole, when the stream starts (if any) and each time they change"),
              (status = 400, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(show): ApiPath<Uuid>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(q.after);
    let after = match raw {
        Some(s) => Cursor::decode(&s).ok_or_else(|| {
            AppError::invalid_parameter("Last-Event-ID / after must be a cursor like 123.45")
        })?,
        None => db::watermark(&state.db, show).await?,
    };
    if db::window(&state.db, show).await?.is_none() {
        return Err(AppError::not_found("show"));
    }
    let slot = stream_slot(&state, None, ip).await?;
    Ok(stream(state, show, after, slot))
}

/// A `crowd` event: no id, so a reconnect's `Last-Event-ID` stays the totals' cursor (the crowd
/// lists are sent whole when a stream starts).
fn crowd_event(now: &CrowdNow) -> Event {
    Event::default()
        .event("crowd")
        .json_data(now)
        .unwrap_or_else(|_| Event::default().comment("unserialisable event"))
}

fn stream(
    state: AppState,
    show: Uuid,
    mut after: Cursor,
    slot: Slot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (tx, rx) = mpsc::channel::<Event>(256);
    let draining = state.draining.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let send =
            async |tx: &mpsc::Sender<Event>, items: &[(Cursor, SongTotals)], after: &mut Cursor| {
                for (cursor, totals) in items {
                    if *cursor <= *after {
                        continue; // already sent (backlog and broadcast overlap)
                    }
                    *after = *cursor;
                    let event = Event::default()
                        .id(cursor.encode())
                        .event("totals")
                        .json_data(totals)
                        .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
                    if tx.send(event).await.is_err() {
                        return false; // the client went away
                    }
                }
                true
            };
        // Subscribe first, then the backlog from the database (see `show_feed`).
        let Ok(mut batches) = state.feeds.subscribe(&state.db, &state.shows, show).await else {
            return;
        };
        // The crowd lists as they stand, then each change of them.
        let mut crowd_sent = Vec::new();
        if let Ok(crowd) = show_feed::crowd(&state.db, show).await
            && !crowd.versions.is_empty()
        {
            if tx.send(crowd_event(&crowd.now)).await.is_err() {
                return;
            }
            crowd_sent = crowd.versions;
        }
        let mut catch_up = true;
        loop {
            if catch_up {
                match db::changes_after(&state.db, show, after, BATCH).await {
                    Ok(changes) => {
                        let full = changes.len() as i64 == BATCH;
                        if !send(&tx, &show_feed::coalesce(changes), &mut after).await {
                            return;
                        }
                        catch_up = full;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "show stream backlog read failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                continue;
            }
            tokio::select! {
                batch = batches.recv() => match batch {
                    Ok(batch) => {
                        if !send(&tx, &batch.items, &mut after).await {
                            return;
                        }
                        if let Some(crowd) = &batch.crowd && crowd.versions != crowd_sent {
                            if tx.send(crowd_event(&crowd.now)).await.is_err() {
                                return;
                            }
                            crowd_sent.clone_from(&crowd.versions);
                        }
                        metrics::histogram!("sse_delivery_seconds")
                            .record(batch.woken.elapsed().as_secs_f64());
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => catch_up = true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        // The reader retired while we were subscribing: start over.
                        match state.feeds.subscribe(&state.db, &state.shows, show).await {
                            Ok(rx) => { batches = rx; catch_up = true; }
                            Err(_) => return,
                        }
                    }
                },
                _ = tx.closed() => return,
            }
        }
    });
    let events =
        super::event_streams::until_draining(super::event_streams::StreamKind::Show, rx, draining);
    Sse::new(events).keep_alive(KeepAlive::default())
}
