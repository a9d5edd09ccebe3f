//! `PUT /api/v1/me/password`: a signed-in fan replaces a password they know.
//!
//! The current password is asked for even with a valid session, so a device left signed in
//! cannot be used to take the account; guesses spend the same login budget and back-off as
//! sign-in. Every other session of the account ends (the one that changed it stays), and so does
//! the calendar feed's secret address.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use theset_shared::api::PasswordChange;
use theset_shared::password;

use super::hash_error;
use super::{audit, bad_body};
use crate::AppState;
use crate::actions::accounts;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::http::access::{AuthUser, ClientIp};
use crate::http::extract::ApiJson;

#[utoipa::path(put, path = "/api/v1/me/password", tag = "profile", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 409, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    let email = caller.email.as_deref().unwrap_or_default();
    password::check(&req.new_password, email)
        .map_err(|p| bad_body(format!("new_password: {p}")))?;
    let known = super::step_up::current_password(
        &state,
        ip,
        &caller,
        &req.current_password,
        "auth.password_change_failed",
    )
    .await?;
    if !known {
        return Err(AppError::Conflict(
            "this account has no password yet: use \"Forgot password\" on the sign-in screen \
             to set one by mail"
                .into(),
        ));
    }
    let hash = state
        .auth
        .hasher
        .hash(password::normalize(&req.new_password))
        .await
        .map_err(hash_error)?;
    let mut tx = state.db.begin().await?;
    users::set_password_hash(&mut *tx, caller.user_id, &hash).await?;
    let ended = accounts::end_access(
        &mut tx,
        caller.user_id,
        accounts::Keep::Session(caller.session_id),
        "password_changed",
    )
    .await?;
    tx.commit().await?;
    audit(
        &state,
        Some(caller.user_id),
        "auth.password_changed",
        Some(caller.user_id),
        Some(ip.0),
        json!({ "sessions_ended": ended }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
