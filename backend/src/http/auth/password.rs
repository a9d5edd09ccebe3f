//! Password accounts and token rotation: `POST /api/v1/auth/{signup,login,refresh,logout}`, and
//! the browser variant `POST /api/v1/auth/browser/login` + `GET /api/v1/auth/browser/session`.
//!
//! Sign-up answers 202 with the same body whether the address is new or taken, so it tells
//! nobody who has an account: a new address gets its verification mail, a taken one a mail that
//! says "you already have an account" with a sign-in link. The new account's owner then signs in
//! with the password (`login`): until the address is proven the account may browse and draft,
//! not contribute (see `http::access::VerifiedUser`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Json, extract::FromRequestParts};
use theset_shared::api::{
    BrowserLogin, BrowserSession, LoginRequest, RefreshRequest, SignupAccepted, SignupRequest,
    TokenPair,
};
use theset_shared::password;
use uuid::Uuid;

use super::mailing::send_later;
use super::{
    audit, bad_body, browser_signed_in, hash_error, me, no_detail, pair, signed_in, valid_device,
    valid_display_name, valid_email, with_session_cookie,
};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::mail::Purpose;
use crate::auth::passwords::Verified;
use crate::auth::tokens;
use crate::db::sessions as db;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::http::access::{AuthUser, ClientIp, limited, session_cookie};
use crate::http::extract::ApiJson;

/// A rotated refresh token presented again within this many seconds, from the same device, gets
/// the same successor (a lost response on a venue network), not a revoked session.
const RETRY_GRACE_SECS: i64 = 30;

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 202, body = SignupAccepted, description = "the same answer whether or not the address has an account"),
              (status = 400, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<SignupRequest>,
) -> AppResult<(StatusCode, Json<SignupAccepted>)> {
    limited(&state, Bucket::Signup, ip, None).await?;
    let email = req.email.trim();
    if !valid_email(email) {
        return Err(bad_body("email is not a valid address"));
    }
    let name = valid_display_name(&req.display_name)?;
    valid_device(&req.device_id, req.device_name.as_deref())?;
    password::check(&req.password, email).map_err(|p| bad_body(format!("password: {p}")))?;
    // Either answer mails the address (a welcome, or "you already have an account"): both
    // spend its mail budget, so repeated sign-ups cannot flood an inbox, and a refusal says
    // nothing about whether the address has an account.
    let spent = super::mailing::mail_budget(&state, ip, email).await?;
    // Hashed whether or not the address is free, so both answers cost the same.
    let hash = state
        .auth
        .hasher
        .hash(password::normalize(&req.password))
        .await
        .map_err(hash_error)?;
    match users::create(&state.db, Some(email), name, Some(&hash), false).await? {
        Some(user) => {
            audit(
                &state,
                Some(user),
                "auth.signup",
                Some(user),
                Some(ip.0),
                no_detail(),
            )
            .await;
            send_later(
                &state,
                spent,
                Purpose::VerifyEmail,
                email.to_owned(),
                Some(user),
            );
        }
        // Taken: the owner hears of it (with a sign-in link), the caller hears nothing new.
        None => {
            let owner = users::by_email(&state.db, email).await?;
            send_later(
                &state,
                spent,
                Purpose::AccountExists,
                email.to_owned(),
                owner,
            );
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(SignupAccepted {
            status: "check your mail: we sent a link and a code to this address".into(),
        }),
    ))
}

/// Checks a password sign-in and answers the account, with the same answer and cost for
/// unknown addresses, accounts without a password and wrong passwords.
async fn sign_in(state: &AppState, ip: ClientIp, email: &str, pass: &str) -> AppResult<Uuid> {
    let email = email.trim();
    // Checked first, so made-up giant keys never reach the limiter's maps.
    if email.len() > 254 || pass.len() > 4 * password::MAX_CHARS {
        return Err(AppError::Unauthorized);
    }
    limited(state, Bucket::Login, ip, Some(email)).await?;
    let limits = &state.auth.limits;
    tokio::time::sleep(limits.failure_delay(email).await).await;
    let account = users::credentials(&state.db, email).await?;
    let stored = account.as_ref().and_then(|(_, h)| h.clone());
    let verdict = state
        .auth
        .hasher
        .verify(password::normalize(pass), stored)
        .await
        .map_err(hash_error)?;
    let user = account.map(|(id, _)| id);
    match (user, verdict) {
        (Some(user), Verified::Yes) => {
            limits.login_succeeded(email).await;
            Ok(user)
        }
        (Some(user), Verified::YesRehashed(new_hash)) => {
            limits.login_succeeded(email).await;
            users::set_password_hash(&state.db, user, &new_hash).await?;
            Ok(user)
        }
        (user, _) => {
            limits.login_failed(email).await;
            audit(
                state,
                None,
                "auth.login_failed",
                user,
                Some(ip.0),
                no_detail(),
            )
            .await;
            Err(AppError::Unauthorized)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = theset_shared::ErrorBody),
              (status = 401, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<TokenPair>> {
    valid_device(&req.device_id, req.device_name.as_deref())?;
    let user = sign_in(&state, ip, &req.email, &req.password).await?;
    signed_in(
        &state,
        user,
        ip,
        "password",
        &req.device_id,
        req.device_name.as_deref(),
    )
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/auth/browser/login", tag = "auth", request_body = BrowserLogin,
    responses((status = 200, body = BrowserSession), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "a signed-in browser sent no CSRF token of its session"),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn browser_login(
    State(state): State<AppState>,
    ip: ClientIp,
    _replacing: crate::http::access::SessionReplacement,
    ApiJson(req): ApiJson<BrowserLogin>,
) -> AppResult<Response> {
    let user = sign_in(&state, ip, &req.email, &req.password).await?;
    browser_signed_in(&state, user, ip, "password").await
}

/// The CSRF token of the current browser session (after a page reload).
pub struct BrowserToken(String);

impl FromRequestParts<AppState> for BrowserToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        session_cookie(parts)
            .map(|t| Self(t.to_owned()))
            .ok_or(AppError::Unauthorized)
    }
}

#[utoipa::path(get, path = "/api/v1/auth/browser/session", tag = "auth",
    responses((status = 200, body = BrowserSession), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn browser_session(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    BrowserToken(token): BrowserToken,
) -> Json<BrowserSession> {
    Json(BrowserSession {
        csrf_token: state.auth.csrf_token(&token),
        user: me(&caller),
    })
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = theset_shared::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ip: ClientIp,
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
                audit(
                    &state,
                    None,
                    "auth.refresh_reuse",
                    Some(row.session_id),
                    Some(ip.0),
                    no_detail(),
                )
                .await;
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
    ip: ClientIp,
    AuthUser(caller): AuthUser,
) -> AppResult<Response> {
    db::revoke(&state.db, caller.session_id, "logout").await?;
    audit(
        &state,
        Some(caller.user_id),
        "auth.logout",
        Some(caller.session_id),
        Some(ip.0),
        no_detail(),
    )
    .await;
    let res = StatusCode::NO_CONTENT.into_response();
    Ok(if caller.kind == theset_shared::api::SessionKind::Browser {
        with_session_cookie(None, res)
    } else {
        res
    })
}
