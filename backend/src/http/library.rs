//! `POST /api/v1/me/spotify/import`: the caller's Spotify artists (followed and top) followed on
//! TheSet, imported when new (`crate::library`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use theset_shared::api::LibraryImport;

use super::access::{ClientIp, VerifiedUser, limited};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::error::{AppError, AppResult};
use crate::library::{LibraryError, import_spotify};

pub fn router() -> Router<AppState> {
    Router::new().route("/me/spotify/import", post(import))
}

#[utoipa::path(post, path = "/api/v1/me/spotify/import", tag = "profile",
    responses((status = 200, body = LibraryImport), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "the address is not confirmed"),
              (status = 409, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody),
              (status = 502, body = theset_shared::ErrorBody), (status = 503, body = theset_shared::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
) -> AppResult<Json<LibraryImport>> {
    // Each run may search Ticketmaster for dozens of artists and queue their imports: a
    // confirmed address, the network's and the account's import budgets, and each search one
    // of the day's share of upstream calls (`crate::library`).
    limited(
        &state,
        Bucket::Import,
        ip,
        Some(&caller.user_id.to_string()),
    )
    .await?;
    match import_spotify(&state, caller.user_id).await {
        Ok(done) => Ok(Json(done)),
        Err(LibraryError::NotLinked) => Err(AppError::Conflict(
            "Sign in with Spotify first: TheSet reads the artists you follow with your permission."
                .into(),
        )),
        Err(LibraryError::NotConfigured(what)) => {
            Err(AppError::NotReady(format!("{what} is not configured")))
        }
        Err(LibraryError::Busy(wait)) => Err(AppError::UpstreamBusy(wait)),
        Err(LibraryError::Upstream(e)) => Err(AppError::Upstream(e)),
        Err(LibraryError::Database(e)) => Err(e.into()),
    }
}
