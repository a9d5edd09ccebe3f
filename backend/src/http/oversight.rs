//! Moderators' vote oversight: `GET /api/v1/moderation/shows/{id}/votes` lists the accounts the
//! rules of `theset_shared::oversight` flag on a show; `POST
//! /api/v1/moderation/users/{id}/votes/void` deletes an account's votes (the database recounts
//! the totals), audited.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use theset_shared::api::{Suspect, VoidVotes, VoteOversight, VotesVoided};
use theset_shared::oversight::{CastVote, suspects};
use uuid::Uuid;

use super::access::{ClientIp, ModeratorUser};
use super::auth::audit;
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::db::oversight as db;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/moderation/shows/{id}/votes", get(show_votes))
        .route("/moderation/users/{id}/votes/void", post(void))
}

#[utoipa::path(get, path = "/api/v1/moderation/shows/{id}/votes", tag = "moderation",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = VoteOversight), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn show_votes(
    _moderator: ModeratorUser,
    State(state): State<AppState>,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<Json<VoteOversight>> {
    if !crate::db::shows::exists(&state.db, show).await? {
        return Err(AppError::not_found("show"));
    }
    let rows = db::show_votes(&state.db, show).await?;
    let cast: Vec<CastVote> = rows
        .iter()
        .map(|r| CastVote {
            user: r.user_id,
            account_created: r.account_created_at,
            line: r.line_id,
            value: r.value,
            at: r.at,
        })
        .collect();
    let listed = suspects(&cast)
        .into_iter()
        .filter_map(|(user, reasons)| {
            let mine: Vec<_> = rows.iter().filter(|r| r.user_id == user).collect();
            let first = mine.first()?;
            Some(Suspect {
                user_id: user,
                display_name: first.display_name.clone(),
                account_created_at: first.account_created_at,
                votes: mine.len() as i64,
                reasons: reasons.into_iter().collect(),
            })
        })
        .collect();
    Ok(Json(VoteOversight {
        show_id: show,
        votes: rows.len() as i64,
        suspects: listed,
    }))
}

#[utoipa::path(post, path = "/api/v1/moderation/users/{id}/votes/void", tag = "moderation", request_body = VoidVotes,
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, body = VotesVoided), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody)))]
pub async fn void(
    ModeratorUser(moderator): ModeratorUser,
    ip: ClientIp,
    State(state): State<AppState>,
    ApiPath(user): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VoidVotes>,
) -> AppResult<Json<VotesVoided>> {
    let removed = db::void(&state.db, user, req.show_id).await?;
    audit(
        &state,
        Some(moderator.user_id),
        "moderation.votes_voided",
        Some(user),
        Some(ip.0),
        json!({ "show_id": req.show_id, "removed": removed }),
    )
    .await;
    Ok(Json(VotesVoided {
        removed: i64::try_from(removed).unwrap_or(i64::MAX),
    }))
}
