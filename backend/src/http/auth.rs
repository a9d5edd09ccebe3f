//! Password accounts and native sessions: `POST /api/v1/auth/{signup,login,refresh,logout}` and
//! `GET /api/v1/me`. [`AuthUser`] is the one extractor that authenticates a bearer token.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use theset_shared::ErrorCode;
use theset_shared::api::{LoginRequest, Me, RefreshRequest, SignupRequest, TokenPair};
use theset_shared::password;
use uuid::Uuid;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::passwords::Verified;
use crate::auth::tokens;
use crate::db::sessions::{self as db, ACCESS_SECS, Caller};
use crate::error::{AppError, AppResult};

/// A rotated refresh token presented again within this many seconds, from the same device, gets
/// the same successor (a lost response on a venue network), not a revoked session.
const RETRY_GRACE_SECS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(signup))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

/// The caller, authenticated by `Authorization: Bearer <access token>`.
pub struct AuthUser(pub Caller);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|t| tokens::well_formed(t))
            .ok_or(AppError::Unauthorized)?;
        db::caller(&state.db, &tokens::digest(token))
            .await?
            .map(AuthUser)
            .ok_or(AppError::Unauthorized)
    }
}

fn bad_body(message: impl Into<String>) -> AppError {
    AppError::BadRequest {
        code: ErrorCode::InvalidBody,
        message: message.into(),
    }
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    (3..=254).contains(&email.len())
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
}

fn valid_device(device_id: &str, device_name: Option<&str>) -> Result<(), AppError> {
    if !(1..=100).contains(&device_id.len()) || device_id.chars().any(char::is_control) {
        return Err(bad_body("device_id must be 1 to 100 characters"));
    }
    if device_name.is_some_and(|n| n.chars().count() > 100 || n.chars().any(char::is_control)) {
        return Err(bad_body("device_name must be at most 100 characters"));
    }
    Ok(())
}

async fn issue(
    state: &AppState,
    user: Uuid,
    device_id: &str,
    device_name: Option<&str>,
) -> AppResult<TokenPair> {
    let (access, refresh) = (tokens::new_token(), tokens::new_token());
    let mut tx = state.db.begin().await?;
    let session = db::create_session(&mut tx, user, device_id, device_name).await?;
    db::store_tokens(
        &mut tx,
        session,
        &tokens::digest(&access),
        &tokens::digest(&refresh),
    )
    .await?;
    tx.commit().await?;
    Ok(pair(access, refresh))
}

fn pair(access_token: String, refresh_token: String) -> TokenPair {
    TokenPair {
        access_token,
        refresh_token,
        expires_in: u32::try_from(ACCESS_SECS).unwrap_or(900),
        token_type: "Bearer".into(),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = TokenPair), (status = 400, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> AppResult<(StatusCode, Json<TokenPair>)> {
    let email = req.email.trim();
    if !valid_email(email) {
        return Err(bad_body("email is not a valid address"));
    }
    let name = req.display_name.trim();
    if !(1..=80).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(bad_body("display_name must be 1 to 80 characters"));
    }
    valid_device(&req.device_id, req.device_name.as_deref())?;
    password::check(&req.password, email).map_err(|p| bad_body(format!("password: {p}")))?;
    let hash = state
        .auth
        .hasher
        .hash(password::normalize(&req.password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let user = db::create_user(&state.db, email, name, &hash)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("an account with this email exists; sign in instead".into())
        })?;
    Ok((
        StatusCode::CREATED,
        Json(issue(&state, user, &req.device_id, req.device_name.as_deref()).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<TokenPair>> {
    valid_device(&req.device_id, req.device_name.as_deref())?;
    if req.email.len() > 254 || req.password.len() > 4 * password::MAX_CHARS {
        return Err(AppError::Unauthorized);
    }
    // Unknown accounts cost the same verification as known ones and get the same answer.
    let account = db::credentials(&state.db, req.email.trim()).await?;
    let stored = account.as_ref().and_then(|(_, h)| h.clone());
    let verdict = state
        .auth
        .hasher
        .verify(password::normalize(&req.password), stored)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let Some((user, _)) = account else {
        return Err(AppError::Unauthorized);
    };
    match verdict {
        Verified::No => Err(AppError::Unauthorized),
        Verified::Yes => Ok(Json(
            issue(&state, user, &req.device_id, req.device_name.as_deref()).await?,
        )),
        Verified::YesRehashed(new_hash) => {
            db::set_password_hash(&state.db, user, &new_hash).await?;
            Ok(Json(
                issue(&state, user, &req.device_id, req.device_name.as_deref()).await?,
            ))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<Json<TokenPair>> {
    if !tokens::well_formed(&req.refresh_token) {
        return Err(AppError::Unauthorized);
    }
    let used = tokens::digest(&req.refresh_token);
    let key = state.auth.token_key.as_ref();
    let access = tokens::successor(key, &req.refresh_token, "access");
    let next = tokens::successor(key, &req.refresh_token, "refresh");
    let mut tx = state.db.begin().await?;
    let Some(row) = db::refresh_for_update(&mut tx, &used).await? else {
        return Err(AppError::Unauthorized);
    };
    if row.revoked || row.expires_at <= row.now {
        return Err(AppError::Unauthorized);
    }
    match row.used_at {
        None => db::mark_refresh_used(&mut tx, &used).await?,
        Some(at) => {
            let retry =
                (row.now - at).num_seconds() <= RETRY_GRACE_SECS && row.device_id == req.device_id;
            if !retry {
                // A rotated token came back: someone else holds a copy. End the whole family.
                db::revoke(&mut *tx, row.session_id, "refresh_token_reuse").await?;
                tx.commit().await?;
                tracing::warn!(session = %row.session_id, "refresh token reused; session revoked");
                return Err(AppError::Unauthorized);
            }
        }
    }
    db::store_tokens(
        &mut tx,
        row.session_id,
        &tokens::digest(&access),
        &tokens::digest(&next),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(pair(access, next)))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> AppResult<StatusCode> {
    db::revoke(&state.db, caller.session_id, "logout").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn me(AuthUser(caller): AuthUser) -> Json<Me> {
    Json(Me {
        id: caller.user_id,
        email: caller.email,
        display_name: caller.display_name,
        role: caller.role,
    })
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn emails() {
        assert!(valid_email("fan@example.com"));
        assert!(!valid_email("fan@localhost"));
        assert!(!valid_email("no-at-sign"));
        assert!(!valid_email("a@b.c\r\nBcc: x@y.z"));
        assert!(!valid_email("<a@b.c>"));
    }
}
