//! The offline client's sync: `POST /api/v1/sync/push`, `GET /api/v1/sync/pull` and the nudge
//! stream `GET /api/v1/sync/events`. Every request names its protocol version in
//! `X-TheSet-Protocol`; a version this server no longer serves gets 426 with the minimum.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::Stream;
use serde::Deserialize;
use theset_shared::sync::{
    MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest,
    PushResponse,
};
use tokio::sync::mpsc;
use utoipa::IntoParams;
use uuid::Uuid;

use super::access::{AuthUser, ClientIp, limited};
use super::extract::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::error::{AppError, AppResult};
use crate::events::Wake;

/// A push of `MAX_PUSH` mutations with long set-list edits stays under this.
pub const PUSH_LIMIT: usize = 1024 * 1024;
/// Nudges per connection are at most this frequent; a pull catches up with everything anyway.
const NUDGE_EVERY: Duration = Duration::from_millis(250);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/pull", get(pull))
        .route("/sync/events", get(events))
        .route_layer(middleware::from_fn(protocol))
}

/// The push route, mounted with its own body limit.
pub fn push_router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route_layer(middleware::from_fn(protocol))
}

async fn protocol(req: Request<Body>, next: Next) -> Response {
    let version = req
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) => next.run(req).await,
        // Newer than this server: the client must talk down to us, which it cannot yet.
        Some(v) if v > PROTOCOL_VERSION => AppError::invalid_parameter(format!(
            "this server speaks sync protocol {MIN_PROTOCOL_VERSION}–{PROTOCOL_VERSION}"
        ))
        .into_response(),
        _ => AppError::UpgradeRequired(MIN_PROTOCOL_VERSION).into_response(),
    }
}

#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", request_body = PushRequest,
    params(("x-theset-protocol" = u32, Header, description = "Sync protocol version")),
    responses((status = 200, body = PushResponse), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "the device belongs to another account"),
              (status = 409, description = "a gap: `current.expected_seq` is where to resume"),
              (status = 426, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiJson(req): ApiJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    // One request of the network's budget; the account's is spent per mutation inside.
    limited(&state, Bucket::Vote, ip, None).await?;
    crate::sync::push::push(&state.db, &state.votes, &caller, &state.auth.limits, req)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    pub device_id: Uuid,
    /// From the previous pull; absent for a first (or full) sync.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", params(PullParams,
        ("x-theset-protocol" = u32, Header, description = "Sync protocol version")),
    responses((status = 200, body = PullResponse), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 410, body = theset_shared::ErrorBody, description = "cursor older than the kept history: push, then pull without a cursor"),
              (status = 426, body = theset_shared::ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(p): ApiQuery<PullParams>,
) -> AppResult<Json<PullResponse>> {
    if p.cursor.as_ref().is_some_and(|c| c.len() > 200) {
        return Err(AppError::invalid_cursor());
    }
    crate::sync::pull::pull(&state.db, caller.user_id, p.device_id, p.cursor.as_deref())
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/sync/events", tag = "sync",
    params(("x-theset-protocol" = u32, Header, description = "Sync protocol version")),
    responses((status = 200, content_type = "text/event-stream",
               description = "`changed` events when something in the caller's scope changed: pull then"),
              (status = 401, body = theset_shared::ErrorBody), (status = 426, body = theset_shared::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let user = caller.user_id;
    let slot = super::access::stream_slot(&state, Some(user), ip).await?;
    let mut wake = state.sync.subscribe();
    let mut followed =
        crate::db::sync::scope_artists(&mut *state.db.acquire().await?, user, None, i64::MAX)
            .await?;
    let (tx, rx) = mpsc::channel::<Event>(8);
    let draining = state.draining.clone();
    tokio::spawn(async move {
        // Held while the stream is open: the caps count it until the client goes away.
        let _slot = slot;
        // The first event tells the client the stream is live: it pulls once to catch up.
        if tx
            .send(Event::default().event("changed").data("{}"))
            .await
            .is_err()
        {
            return;
        }
        // A wake-up during the pause after a nudge may be for a change the client's pull (caused
        // by that nudge) ran before: it is not dropped but sends one more nudge after the pause.
        let mut pending = false;
        loop {
            if !pending {
                // A closed connection ends the task at once, not at the next matching change:
                // every vote wakes every stream, so a forgotten task would cost work forever.
                let woken = tokio::select! {
                    woken = wake.recv() => woken,
                    () = tx.closed() => return,
                };
                let woke = match woken {
                    Ok(w) => w,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Wake::Everything,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if !concerns(&state, user, &mut followed, woke).await {
                    continue;
                }
            }
            pending = false;
            if tx
                .send(Event::default().event("changed").data("{}"))
                .await
                .is_err()
            {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(NUDGE_EVERY) => {}
                () = tx.closed() => return,
            }
            loop {
                let woke = match wake.try_recv() {
                    Ok(w) => w,
                    Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => Wake::Everything,
                    Err(tokio::sync::broadcast::error::TryRecvError::Empty) => break,
                    Err(tokio::sync::broadcast::error::TryRecvError::Closed) => return,
                };
                pending |= concerns(&state, user, &mut followed, woke).await;
            }
        }
    });
    let stream =
        super::event_streams::until_draining(super::event_streams::StreamKind::Sync, rx, draining);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Whether `woke` concerns the sync stream of `user`, whose followed artists are `followed`: a
/// change of the user's own rows (follows or attendance perhaps), or everything (the listener has
/// just started and may have missed them), refreshes what the stream watches first.
async fn concerns(state: &AppState, user: Uuid, followed: &mut Vec<Uuid>, woke: Wake) -> bool {
    if woke.concerns(user) {
        if let Ok(mut conn) = state.db.acquire().await
            && let Ok(now) = crate::db::sync::scope_artists(&mut conn, user, None, i64::MAX).await
        {
            *followed = now;
        }
        return true;
    }
    match woke {
        Wake::Changed(id) => followed.binary_search(&id).is_ok(),
        Wake::Everything => true,
    }
}
