//! The signed-in user's own account: `GET/PATCH/DELETE /api/v1/me`, the avatar, and sessions.
//! Every route acts on the caller's own rows (ids come from the session, never from the request),
//! so one user cannot reach another's profile or sessions. Public profiles are read-only.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use serde_json::json;
use theset_shared::ErrorCode;
use theset_shared::api::{
    Me, MyScores, ProfileUpdate, PublicContributions, PublicProfile, ScoredShow, SessionInfo,
    StepUpProof, UserPage,
};
use uuid::Uuid;

use super::access::{AuthUser, ClientIp, limited};
use super::auth::{audit, avatar_url, me as me_of, no_detail};
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::actions::accounts;
use crate::auth::avatar::{self, AvatarError};
use crate::auth::limits::Bucket;

/// How long an upload waits for a free decoder before answering `server_busy`.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
use crate::db::{sessions, users};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).patch(update).delete(delete_account))
        .route(
            "/me/sessions",
            get(list_sessions).delete(end_other_sessions),
        )
        .route("/me/sessions/{id}", delete(revoke_session))
        .route("/users/{id}", get(public_profile))
        .route("/users/{id}/avatar", get(avatar_image))
}

/// The upload route, mounted with its own body limit (2 MB instead of the API's 64 KB).
pub fn upload_router() -> Router<AppState> {
    Router::new().route("/me/avatar", put(upload_avatar).delete(remove_avatar))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "profile",
    responses((status = 200, body = Me), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn me(AuthUser(caller): AuthUser) -> Json<Me> {
    Json(me_of(&caller))
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "profile", request_body = ProfileUpdate,
    responses((status = 200, body = Me), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    AuthUser(mut caller): AuthUser,
    ApiJson(req): ApiJson<ProfileUpdate>,
) -> AppResult<Json<Me>> {
    if let Some(name) = req.display_name {
        let name = super::auth::valid_display_name(&name)?;
        users::set_display_name(&state.db, caller.user_id, name).await?;
        caller.display_name = name.to_owned();
    }
    Ok(Json(me_of(&caller)))
}

#[utoipa::path(delete, path = "/api/v1/me", tag = "profile", request_body = StepUpProof,
    responses((status = 204), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "`step_up_required`: the message says what proof to send (a code may have been mailed)")))]
pub async fn delete_account(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiJson(proof): ApiJson<StepUpProof>,
) -> AppResult<StatusCode> {
    super::auth::step_up::require(&state, ip, &caller, &proof).await?;
    // Logged before the row goes (the entry keeps the id as its subject; the actor becomes NULL).
    audit(
        &state,
        Some(caller.user_id),
        "user.deleted",
        Some(caller.user_id),
        Some(ip.0),
        no_detail(),
    )
    .await;
    users::delete(&state.db, caller.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "profile",
    responses((status = 200, body = [SessionInfo]), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<Vec<SessionInfo>>> {
    let mut tx = crate::db::private::acting(&state.db, caller.user_id).await?;
    let rows = sessions::list(&mut *tx, caller.user_id).await?;
    tx.commit().await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SessionInfo {
                current: r.id == caller.session_id,
                id: r.id,
                kind: r.kind,
                device_name: r.device_name,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
            })
            .collect(),
    ))
}

/// "Sign out everywhere else": every other session and the calendar feed's secret address end;
/// the session asking stays.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "profile",
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let ended = accounts::end_access(
        &mut tx,
        caller.user_id,
        accounts::Keep::Session(caller.session_id),
        "signed_out_elsewhere",
    )
    .await?;
    tx.commit().await?;
    audit(
        &state,
        Some(caller.user_id),
        "session.signed_out_elsewhere",
        Some(caller.user_id),
        Some(ip.0),
        json!({ "sessions_ended": ended }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "profile",
    params(("id" = Uuid, Path, description = "Session id")),
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    if !sessions::revoke_own(&state.db, caller.user_id, id, "revoked_by_user").await? {
        return Err(AppError::not_found("session"));
    }
    audit(
        &state,
        Some(caller.user_id),
        "session.revoked",
        Some(id),
        Some(ip.0),
        no_detail(),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "profile",
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, body = UserPage), (status = 404, body = theset_shared::ErrorBody)))]
pub async fn public_profile(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<UserPage>> {
    use crate::db::discovery;
    let profile = profile_of(&state, id).await?;
    let (history, attending, favourites, scores, given) = tokio::try_join!(
        discovery::predictions(&state.db, id, true, PUBLIC_HISTORY),
        crate::db::attendance::going(&state.db, id, true, PUBLIC_HISTORY),
        discovery::public_favourites(&state.db, id, FAVOURITES),
        discovery::scores(&state.db, id),
        discovery::contributions(&state.db, id),
    )?;
    Ok(Json(UserPage {
        profile,
        attending: attending.into_iter().map(|g| g.show.into()).collect(),
        favourite_artists: favourites.into_iter().map(Into::into).collect(),
        scores: MyScores {
            scored: scores.scored,
            average: scores.average,
            best: scores.best,
            all_time_rank: scores.all_time_rank,
        },
        contributions: PublicContributions {
            songs_added: given.songs_added,
            votes_cast: given.votes_cast,
            corrections: given.corrections,
            setlists_verified: given.setlists_verified,
        },
        show_history: history
            .into_iter()
            .filter_map(|p| {
                Some(ScoredShow {
                    score: p.score?,
                    rank: p.rank,
                    show: p.show.into(),
                })
            })
            .collect(),
    }))
}

/// Scored shows on a public page.
const PUBLIC_HISTORY: i64 = 50;
/// Artists on a public page.
const FAVOURITES: i64 = 8;

/// The public face of an account.
pub(crate) async fn profile_of(state: &AppState, id: Uuid) -> AppResult<PublicProfile> {
    let row = users::public(&state.db, id)
        .await?
        .ok_or(AppError::not_found("user"))?;
    Ok(PublicProfile {
        id: row.id,
        display_name: row.display_name,
        avatar_url: row.avatar_version.map(|v| avatar_url(row.id, v)),
        role: row.role,
    })
}

pub async fn avatar_image(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let png = users::avatar(&state.db, id)
        .await?
        .ok_or(AppError::not_found("avatar"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        png,
    )
        .into_response())
}

fn unsupported() -> AppError {
    AppError::UnsupportedMediaType(
        "send the image as image/png, image/jpeg, image/webp or image/gif".into(),
    )
}

#[utoipa::path(put, path = "/api/v1/me/avatar", tag = "profile",
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Me), (status = 400, body = theset_shared::ErrorBody),
              (status = 413, body = theset_shared::ErrorBody), (status = 415, body = theset_shared::ErrorBody)))]
pub async fn upload_avatar(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(mut caller): AuthUser,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !matches!(
        declared,
        "image/png" | "image/jpeg" | "image/webp" | "image/gif"
    ) {
        return Err(unsupported());
    }
    limited(
        &state,
        Bucket::Avatar,
        ip,
        Some(&caller.user_id.to_string()),
    )
    .await?;
    // Decoding is CPU work of up to tens of milliseconds: off the async runtime, and at most one
    // per core at a time; a request that cannot get a core within a few seconds answers busy
    // instead of queueing without bound.
    let _permit = tokio::time::timeout(DECODE_WAIT, state.auth.decoders.clone().acquire_owned())
        .await
        .map_err(|_| AppError::ServerBusy(DECODE_WAIT))?
        .map_err(|e| AppError::Internal(e.into()))?;
    let bytes = body.to_vec();
    let png = tokio::task::spawn_blocking(move || avatar::reencode(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| match e {
            AvatarError::UnsupportedType => unsupported(),
            AvatarError::TooLarge => AppError::BadRequest {
                code: ErrorCode::PayloadTooLarge,
                message: e.to_string(),
            },
            other => AppError::BadRequest {
                code: ErrorCode::InvalidBody,
                message: other.to_string(),
            },
        })?;
    let version = users::set_avatar(&state.db, caller.user_id, &png).await?;
    audit(
        &state,
        Some(caller.user_id),
        "user.avatar_changed",
        Some(caller.user_id),
        Some(ip.0),
        json!({ "bytes": png.len() }),
    )
    .await;
    caller.avatar_version = Some(version);
    Ok(Json(me_of(&caller)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/me/avatar", tag = "profile",
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn remove_avatar(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<StatusCode> {
    users::remove_avatar(&state.db, caller.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
