//! Flags and moderation: fans flag set-list songs or lists; moderators work the queue (dismiss,
//! remove the song, hide the list) and curate song aliases, which make imported set-lists match
//! the catalogue. Set-list verification is in `actuals.rs`. Every moderator action is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use theset_shared::api::{
    AliasAdded, Flag, FlagStatus, FlagTargetKind, NewAlias, NewFlag, ResolveFlag,
};
use theset_shared::sync::Action;
use theset_shared::titles;
use uuid::Uuid;

use super::access::{ClientIp, ModeratorUser, VerifiedUser};
use super::auth::audit;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::outcomes::{Answer, change};
use crate::AppState;
use crate::db::{aliases, flags};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/songs/{id}/aliases", post(add_alias))
        .route("/flags", post(flag))
        .route("/moderation/flags", get(queue))
        .route("/moderation/flags/{id}/resolve", post(resolve))
}

#[utoipa::path(post, path = "/api/v1/flags", tag = "moderation", request_body = NewFlag,
    responses((status = 201, description = "flag id", body = Object), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn flag(
    VerifiedUser(caller): VerifiedUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<NewFlag>,
) -> AppResult<Answer> {
    let (_, body) = change(&state, ip, &caller, &Action::RaiseFlag(req)).await?;
    Ok((StatusCode::CREATED, body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Default `open`.
    #[param(inline)]
    status: Option<FlagStatus>,
}

#[utoipa::path(get, path = "/api/v1/moderation/flags", tag = "moderation", params(QueueQuery),
    responses((status = 200, body = [Flag]), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody)))]
pub async fn queue(
    _moderator: ModeratorUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> AppResult<Json<Vec<Flag>>> {
    let status = q.status.unwrap_or(FlagStatus::Open);
    let rows = flags::queue(&state.db, status, 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Flag {
                id: r.id,
                kind: match (r.setlist_song_id, r.setlist_id, r.comment_id) {
                    (Some(_), _, _) => FlagTargetKind::Line,
                    (None, Some(_), _) => FlagTargetKind::Setlist,
                    (None, None, Some(_)) => FlagTargetKind::Comment,
                    (None, None, None) => FlagTargetKind::Profile,
                },
                setlist_id: r.setlist_id,
                setlist_song_id: r.setlist_song_id,
                comment_id: r.comment_id,
                target_user_id: r.target_user_id,
                show_id: r.show_id,
                subject: r.subject,
                reason: r.reason,
                note: r.note,
                reporter: r.reporter,
                status: r.status,
                reports: r.reports,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/moderation/flags/{id}/resolve", tag = "moderation", request_body = ResolveFlag,
    params(("id" = Uuid, Path, description = "Flag id")),
    responses((status = 200, body = Object), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 409, body = theset_shared::ErrorBody)))]
pub async fn resolve(
    ModeratorUser(moderator): ModeratorUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ResolveFlag>,
) -> AppResult<Answer> {
    let action = Action::ResolveFlag {
        flag_id: id,
        action: req.action,
    };
    change(&state, ip, &moderator, &action).await
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
    let mut tx = state.db.begin().await?;
    let created = aliases::add(&mut *tx, song, alias, &normalized)
        .await?
        .ok_or(AppError::not_found("song"))?;
    // Lines already written with that title now name the song too.
    let unlinked = aliases::unlinked_lines(&mut *tx, song).await?;
    let matching: Vec<Uuid> = unlinked
        .into_iter()
        .filter(|(_, title)| titles::normalize(title) == normalized)
        .map(|(id, _)| id)
        .collect();
    let lines_linked = aliases::link(&mut *tx, song, &matching).await?;
    tx.commit().await?;
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
            lines_linked: i64::try_from(lines_linked).unwrap_or(i64::MAX),
        }),
    ))
}
