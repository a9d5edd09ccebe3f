//! Favourite artists: `GET /api/v1/me/follows`, `PUT|DELETE /api/v1/me/follows/{artist_id}`.
//! Idempotent, so an offline client can replay them safely.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use theset_shared::api::ArtistSummary;
use uuid::Uuid;

use super::access::AuthUser;
use super::extract::ApiPath;
use crate::AppState;
use crate::actions::follows::{self as actions, Followed};
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
    AuthUser(caller): AuthUser,
    ApiPath(artist): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut conn = state.db.acquire().await?;
    Ok(
        match actions::set(&mut conn, caller.user_id, artist, true).await? {
            Followed::Started => StatusCode::CREATED,
            Followed::Already | Followed::Stopped => StatusCode::NO_CONTENT,
        },
    )
}

#[utoipa::path(delete, path = "/api/v1/me/follows/{artist_id}", tag = "profile",
    params(("artist_id" = Uuid, Path, description = "Artist id")),
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn unfollow(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(artist): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut conn = state.db.acquire().await?;
    actions::set(&mut conn, caller.user_id, artist, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
