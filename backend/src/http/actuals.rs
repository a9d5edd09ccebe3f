//! Actual set-lists after the show: corrections as versions (a stale base answers 409 with the
//! current version), history, moderator verification (which scores every prediction), and the
//! per-show and all-time leaderboards.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use theset_shared::api::{
    ActualLine, LeaderboardEntry, RejectRequest, SetlistCorrection, SetlistVersion,
    ShowLeaderboard, VerifyRequest, VerifyResult,
};
use uuid::Uuid;

use super::access::{ClientIp, VerifiedModerator, VerifiedUser, limited};
use super::auth::bad_body;
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::actions::setlists as actions;
use crate::auth::limits::Bucket;
use crate::db::actuals::{self as db, NewLine};
use crate::db::scores as boards;
use crate::error::{AppError, AppResult};
use crate::views::setlist_versions;

const BOARD: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/setlists/{id}", axum::routing::put(correct))
        .route("/setlists/{id}/history", get(history))
        .route("/setlists/{id}/verify", post(verify))
        .route("/setlists/{id}/reject", post(reject))
        .route("/shows/{id}/leaderboard", get(show_leaderboard))
        .route("/leaderboard", get(leaderboard))
}

#[utoipa::path(put, path = "/api/v1/setlists/{id}", tag = "setlists", request_body = SetlistCorrection,
    params(("id" = Uuid, Path, description = "Actual set-list id")),
    responses((status = 200, body = SetlistVersion), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, description = "stale base version: `current` holds the current version")))]
pub async fn correct(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(setlist): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SetlistCorrection>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    limited(&state, Bucket::Vote, ip, Some(&caller.user_id.to_string())).await?;
    let user = caller.user_id;
    super::voting::idempotent(
        &state,
        &caller,
        req.mutation_id,
        "setlist_correction",
        async move |tx| {
            actions::correct(
                tx,
                user,
                setlist,
                req.base_version,
                &req.songs,
                req.note.as_deref(),
            )
            .await
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/setlists/{id}/history", tag = "setlists",
    params(("id" = Uuid, Path, description = "Set-list id")),
    responses((status = 200, body = [SetlistVersion]), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiPath(setlist): ApiPath<Uuid>,
) -> AppResult<Json<Vec<SetlistVersion>>> {
    let rows = setlist_versions::history(&state.db, setlist).await?;
    if rows.is_empty() {
        return Err(AppError::not_found("set-list"));
    }
    Ok(Json(rows))
}

#[utoipa::path(post, path = "/api/v1/setlists/{id}/verify", tag = "setlists", request_body = VerifyRequest,
    params(("id" = Uuid, Path, description = "Actual set-list id")),
    responses((status = 200, body = VerifyResult), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, description = "not the current version: `current` holds it")))]
pub async fn verify(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedModerator(moderator): VerifiedModerator,
    ApiPath(setlist): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> AppResult<Json<VerifyResult>> {
    let mut tx = state.db.begin().await?;
    let head = actions::lock_actual(&mut tx, setlist, req.version, "are verified").await?;
    db::mark_verified(&mut tx, setlist, head.version, moderator.user_id).await?;
    let (scored, community) =
        crate::scores::score_show(&mut tx, head.show_id, head.artist_id, setlist).await?;
    crate::db::audit::record(
        &mut *tx,
        crate::db::audit::Event {
            actor: Some(moderator.user_id),
            action: "moderation.setlist_verified",
            subject: Some(setlist),
            ip: Some(ip.0),
            detail: json!({ "version": head.version, "predictions_scored": scored }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(VerifyResult {
        version: head.version,
        predictions_scored: scored,
        community_score: community,
    }))
}

#[utoipa::path(post, path = "/api/v1/setlists/{id}/reject", tag = "setlists", request_body = RejectRequest,
    params(("id" = Uuid, Path, description = "Actual set-list id")),
    responses((status = 200, body = SetlistVersion, description = "the restored list, as its new current version"),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody),
              (status = 409, description = "not the current version (`current` holds it), the verified version, or nothing earlier to restore")))]
pub async fn reject(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedModerator(moderator): VerifiedModerator,
    ApiPath(setlist): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<Json<SetlistVersion>> {
    let reason = req.reason.trim();
    if !(1..=500).contains(&reason.chars().count())
        || reason.chars().any(theset_shared::validate::unsafe_char)
    {
        return Err(bad_body("reason is 1 to 500 characters"));
    }
    let mut tx = state.db.begin().await?;
    let head =
        actions::lock_actual(&mut tx, setlist, req.version, "have versions rejected").await?;
    if db::verified_version(&mut tx, setlist).await? == Some(head.version) {
        return Err(AppError::Conflict(
            "the verified version is not rejected: propose a correction and verify that".into(),
        ));
    }
    let (restored, songs, was_verified) = db::restore_target(&mut tx, setlist, head.version)
        .await?
        .ok_or_else(|| AppError::Conflict("no earlier version to go back to".into()))?;
    let lines: Vec<ActualLine> = serde_json::from_value(songs)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored version {restored}: {e}")))?;
    let lines: Vec<NewLine> = lines
        .into_iter()
        .map(|l| (l.song_id, l.title, l.set_name, l.is_cover, l.is_tape))
        .collect();
    db::mark_rejected(&mut tx, setlist, head.version, moderator.user_id, reason).await?;
    let next = head.version + 1;
    let note = format!(
        "restored version {restored} (version {} rejected)",
        head.version
    );
    db::write_version(
        &mut tx,
        setlist,
        next,
        moderator.user_id,
        Some(&note),
        &lines,
    )
    .await?;
    if was_verified {
        db::carry_verification(&mut tx, setlist, next).await?;
    }
    crate::db::audit::record(
        &mut *tx,
        crate::db::audit::Event {
            actor: Some(moderator.user_id),
            action: "moderation.setlist_version_rejected",
            subject: Some(setlist),
            ip: Some(ip.0),
            detail: json!({ "rejected": head.version, "restored": restored, "reason": reason }),
        },
    )
    .await?;
    let current = setlist_versions::current(&mut *tx, setlist)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("set-list {setlist} has no versions")))?;
    tx.commit().await?;
    Ok(Json(current))
}

fn entries(rows: Vec<boards::BoardRow>) -> Vec<LeaderboardEntry> {
    rows.into_iter()
        .map(|r| LeaderboardEntry {
            rank: r.rank,
            user_id: r.user_id,
            display_name: r.display_name,
            score: r.score,
            predictions: r.predictions,
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/leaderboard", tag = "setlists",
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = ShowLeaderboard)))]
pub async fn show_leaderboard(
    State(state): State<AppState>,
    ApiPath(show): ApiPath<Uuid>,
) -> AppResult<Json<ShowLeaderboard>> {
    Ok(Json(ShowLeaderboard {
        show_id: show,
        provisional: !crate::db::scores::has_verified_actual(&state.db, show).await?,
        community_score: boards::community_score(&state.db, show).await?,
        entries: entries(boards::show_board(&state.db, show, BOARD).await?),
    }))
}

#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "setlists",
    responses((status = 200, body = [LeaderboardEntry])))]
pub async fn leaderboard(State(state): State<AppState>) -> AppResult<Json<Vec<LeaderboardEntry>>> {
    Ok(Json(entries(
        boards::all_time_board(&state.db, BOARD).await?,
    )))
}
