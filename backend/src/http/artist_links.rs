//! Moderators: how an artist's Spotify and setlist.fm links were made
//! (`GET /api/v1/artists/{slug}/links`) and replacing a wrong one
//! (`PUT /api/v1/artists/{slug}/links/{service}`), which runs the phase it feeds again.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::json;
use theset_shared::api::{ArtistLinks, LinkService, SetArtistLink};

use super::access::{ClientIp, ModeratorUser};
use super::auth::audit;
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::actions::links as actions;
use crate::db::artists::{self, links};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/artists/{slug}/links", get(of_artist))
        .route("/artists/{slug}/links/{service}", put(set))
}

async fn artist_id(state: &AppState, slug: &str) -> AppResult<uuid::Uuid> {
    artists::id_by_slug(&state.db, slug)
        .await?
        .ok_or_else(|| AppError::not_found("artist"))
}

#[utoipa::path(get, path = "/api/v1/artists/{slug}/links", tag = "moderation",
    params(("slug" = String, Path, description = "Artist slug")),
    responses((status = 200, body = ArtistLinks), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn of_artist(
    _moderator: ModeratorUser,
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Json<ArtistLinks>> {
    let artist = artist_id(&state, &slug).await?;
    let items = links::of_artist(&state.db, artist).await?;
    Ok(Json(ArtistLinks {
        artist_id: artist,
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(put, path = "/api/v1/artists/{slug}/links/{service}", tag = "moderation",
    request_body = SetArtistLink,
    params(("slug" = String, Path, description = "Artist slug"),
           ("service" = LinkService, Path, description = "spotify or setlistfm")),
    responses((status = 200, body = ArtistLinks), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 409, body = theset_shared::ErrorBody)))]
pub async fn set(
    ModeratorUser(moderator): ModeratorUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiPath((slug, service)): ApiPath<(String, LinkService)>,
    ApiJson(req): ApiJson<SetArtistLink>,
) -> AppResult<Json<ArtistLinks>> {
    let artist = artist_id(&state, &slug).await?;
    let mut tx = state.db.begin().await?;
    actions::set(
        &mut tx,
        moderator.user_id,
        artist,
        service,
        req.external_id.as_deref(),
    )
    .await?;
    tx.commit().await?;
    crate::jobs::enqueue_artist_job(&state.db, actions::phase(service), artist, 20).await?;
    audit(
        &state,
        Some(moderator.user_id),
        "moderation.artist_link_set",
        None,
        Some(ip.0),
        json!({ "artist_id": artist, "service": service, "external_id": req.external_id }),
    )
    .await;
    of_artist(ModeratorUser(moderator), State(state), ApiPath(slug)).await
}
