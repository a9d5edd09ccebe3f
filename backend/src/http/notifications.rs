//! The caller's notifications: `GET /api/v1/me/notifications`, `POST
//! /api/v1/me/notifications/read`, `GET|PUT /api/v1/me/notification-prefs`. Devices also get
//! them through the sync pull and mark them read with `notification.read@1`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use theset_shared::api::{
    MarkRead, NotificationFeed, NotificationKind, NotificationPref, NotificationPrefs,
};

use theset_shared::sync::Action;

use super::access::{AuthUser, ClientIp};
use super::extract::ApiJson;
use super::outcomes::change_status;
use crate::AppState;
use crate::actions::bad_body;
use crate::db::notifications as db;
use crate::error::AppResult;

/// Notifications a feed answers.
const FEED: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/notifications", get(feed))
        .route("/me/notifications/read", post(mark_read))
        .route("/me/notification-prefs", get(prefs).put(set_prefs))
}

#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "profile",
    responses((status = 200, body = NotificationFeed), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<NotificationFeed>> {
    // As the fan: row-level security shows their notifications only.
    let mut tx = crate::db::private::acting(&state.db, caller.user_id).await?;
    let items = db::of_user(&mut *tx, caller.user_id, None, FEED).await?;
    let unread = db::unread(&mut *tx, caller.user_id).await?;
    tx.commit().await?;
    Ok(Json(NotificationFeed {
        items: items.into_iter().map(Into::into).collect(),
        unread,
    }))
}

#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "profile", request_body = MarkRead,
    responses((status = 204), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiJson(req): ApiJson<MarkRead>,
) -> AppResult<StatusCode> {
    let action = Action::ReadNotifications { ids: req.ids };
    change_status(&state, ip, &caller, &action).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn current(state: &AppState, user: uuid::Uuid) -> AppResult<NotificationPrefs> {
    let off = db::disabled(&state.db, user).await?;
    Ok(NotificationPrefs {
        kinds: NotificationKind::ALL
            .iter()
            .map(|k| NotificationPref {
                kind: *k,
                enabled: !off.contains(k),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/me/notification-prefs", tag = "profile",
    responses((status = 200, body = NotificationPrefs), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn prefs(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<Json<NotificationPrefs>> {
    Ok(Json(current(&state, caller.user_id).await?))
}

#[utoipa::path(put, path = "/api/v1/me/notification-prefs", tag = "profile", request_body = NotificationPrefs,
    responses((status = 200, body = NotificationPrefs), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody)))]
pub async fn set_prefs(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(req): ApiJson<NotificationPrefs>,
) -> AppResult<Json<NotificationPrefs>> {
    if req.kinds.len() > NotificationKind::ALL.len() {
        return Err(bad_body("kinds: one entry per kind"));
    }
    let mut tx = state.db.begin().await?;
    for p in &req.kinds {
        db::set_pref(&mut *tx, caller.user_id, p.kind, p.enabled).await?;
    }
    tx.commit().await?;
    Ok(Json(current(&state, caller.user_id).await?))
}
