//! Actual set-lists after the show: corrections as versions (a stale base answers 409 with the
//! current version), history, moderator verification (which scores every prediction), and the
//! per-show and all-time leaderboards.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use theset_shared::api::{
    HistoryQuery, LeaderboardEntry, NewActualSetlist, Page, RejectRequest, SetlistCorrection,
    SetlistVersion, ShowLeaderboard, StartedSetlist, VerifyRequest, VerifyResult,
};
use theset_shared::sync::Action;
use uuid::Uuid;

use super::access::{ClientIp, VerifiedModerator, VerifiedUser};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::outcomes::{Answer, change, write};
use super::pagination;
use crate::AppState;
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
        .route("/shows/{id}/actual", post(start))
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
) -> AppResult<Answer> {
    let action = Action::EditSetlist {
        setlist_id: setlist,
        base_version: req.base_version,
        songs: req.songs,
        note: req.note,
    };
    write(&state, ip, &caller, req.mutation_id, &action).await
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/actual", tag = "setlists", request_body = NewActualSetlist,
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 201, body = StartedSetlist), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 403, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody),
              (status = 409, description = "the show has not started, was cancelled, or has an actual list (`current` holds it)")))]
pub async fn start(
    State(state): State<AppState>,
    ip: ClientIp,
    VerifiedUser(caller): VerifiedUser,
    ApiPath(show): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewActualSetlist>,
) -> AppResult<Answer> {
    let action = Action::StartSetlist {
        show_id: show,
        songs: req.songs,
        note: req.note,
    };
    write(&state, ip, &caller, req.mutation_id, &action).await
}

/// Sort name of history cursors (the key is the last version shown).
const HISTORY: &str = "history";

#[utoipa::path(get, path = "/api/v1/setlists/{id}/history", tag = "setlists",
    params(("id" = Uuid, Path, description = "Set-list id"), HistoryQuery),
    responses((status = 200, body = Page<SetlistVersion>, description = "newest first, 20 a page unless `limit` says otherwise"),
              (status = 400, body = theset_shared::ErrorBody), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiPath(setlist): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> AppResult<Json<Page<SetlistVersion>>> {
    let limit = pagination::limit(q.limit)?;
    let before = match pagination::decode::<i32>(HISTORY, q.cursor.as_deref())? {
        Some((_, list)) if list != setlist => return Err(AppError::invalid_cursor()),
        Some((version, _)) => Some(version),
        None => None,
    };
    let rows = setlist_versions::history(&state.db, setlist, before, limit + 1).await?;
    if rows.is_empty() && before.is_none() {
        return Err(AppError::not_found("set-list"));
    }
    Ok(Json(pagination::page(
        rows,
        limit,
        HISTORY,
        |v| (v.version, setlist),
        |v| v,
    )))
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
) -> AppResult<Answer> {
    let action = Action::VerifySetlist {
        setlist_id: setlist,
        version: req.version,
    };
    change(&state, ip, &moderator, &action).await
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
) -> AppResult<Answer> {
    let action = Action::RejectVersion {
        setlist_id: setlist,
        version: req.version,
        reason: req.reason,
    };
    change(&state, ip, &moderator, &action).await
}

fn entries(rows: Vec<boards::BoardRow>) -> Vec<LeaderboardEntry> {
    rows.into_iter()
        .map(|r| LeaderboardEntry {
            rank: r.rank,
            user_id: r.user_id,
            display_name: r.display_name,
            score: r.score,
            predictions: r.predictions,
            avatar_url: r
                .avatar_version
                .map(|v| super::auth::avatar_url(r.user_id, v)),
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
