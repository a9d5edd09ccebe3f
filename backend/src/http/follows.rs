//! Favourite artists: `GET /api/v1/me/follows`, `PUT|DELETE /api/v1/me/follows/{artist_id}`.
//! Idempotent, so an offline client can replay them safely; a change is the sync's `Follow`
//! action, through the one apply.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use theset_shared::api::ArtistSummary;
use uuid::Uuid;

use theset_shared::sync::Action;

use super::access::{AuthUser, ClientIp};
use super::extract::ApiPath;
use super::outcomes::change_status;
use crate::AppState;
use crate::db::follows;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/follows", get(list))
        .route("/me/follows/{artist_id}", put(follow).delete(unfollow))
}

#[utoipa::path(get, path = "/api/v1/me/follows", tag = "profile",
    responses((status = 200, body = [ArtistSummary]), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<Vec<ArtistSummary>>> {
    let rows = follows::list(&state.db, caller.user_id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[utoipa::path(put, path = "/api/v1/me/follows/{artist_id}", tag = "profile",
    params(("artist_id" = Uuid, Path, description = "Artist id")),
    responses((status = 201), (status = 204), (status = 401, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn follow(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(artist): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let action = Action::Follow {
        artist_id: artist,
        follow: true,
    };
    change_status(&state, ip, &caller, &action).await
}

#[utoipa::path(delete, path = "/api/v1/me/follows/{artist_id}", tag = "profile",
    params(("artist_id" = Uuid, Path, description = "Artist id")),
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn unfollow(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(artist): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let action = Action::Follow {
        artist_id: artist,
        follow: false,
    };
    change_status(&state, ip, &caller, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}
