//! Moderator routes. Set-list curation, flags and verification arrive with the voting work;
//! for now: song aliases, which make imported set-lists match the catalogue.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use theset_shared::titles;
use uuid::Uuid;

use super::access::{ClientIp, ModeratorUser};
use super::auth::audit;
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::db::aliases;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/songs/{id}/aliases", post(add_alias))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlias {
    /// The other title, as set-lists write it (1–200 characters).
    alias: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AliasAdded {
    song_id: Uuid,
    alias: String,
    normalized: String,
    created: bool,
}

#[utoipa::path(post, path = "/api/v1/songs/{id}/aliases", tag = "moderation", request_body = NewAlias,
    params(("id" = Uuid, Path, description = "Song id")),
    responses((status = 201, body = AliasAdded), (status = 200, body = AliasAdded),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn add_alias(
    ModeratorUser(moderator): ModeratorUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiPath(song): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewAlias>,
) -> AppResult<(StatusCode, Json<AliasAdded>)> {
    let alias = req.alias.trim();
    if !(1..=200).contains(&alias.chars().count())
        || alias.chars().any(theset_shared::validate::unsafe_char)
    {
        return Err(super::auth::bad_body("alias must be 1 to 200 characters"));
    }
    let normalized = titles::normalize(alias);
    if normalized.is_empty() {
        return Err(super::auth::bad_body("alias has no letters or digits"));
    }
    let created = aliases::add(&state.db, song, alias, &normalized)
        .await?
        .ok_or(AppError::not_found("song"))?;
    if created {
        audit(
            &state,
            Some(moderator.user_id),
            "moderation.alias_added",
            Some(song),
            Some(ip.0),
            json!({ "alias": alias }),
        )
        .await;
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AliasAdded {
            song_id: song,
            alias: alias.to_owned(),
            normalized,
            created,
        }),
    ))
}
