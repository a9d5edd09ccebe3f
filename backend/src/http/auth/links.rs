//! Mailed single-use links: email verification, password reset and magic-link sign-in.
//!
//! Requests that name an address (`password-reset`, `magic-link`) answer 202 with the same body
//! whether or not an account exists, and the mail goes out from a background task, so neither
//! the answer nor its timing tells who has an account.
//!
//! Every consumed link proves its address; the first proof on an account hands it to the
//! prover (see `actions::accounts`), except a verification code presented by a session of the
//! account itself.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use theset_shared::api::{
    AddEmailRequest, BrowserSession, EmailRequest, MagicLinkConsume, PasswordResetConfirm,
    StepUpProof, TokenPair, TokenRequest,
};

use crate::actions::accounts::{self, Prover};
use theset_shared::password;
use uuid::Uuid;

use super::mailing::{mail_budget, send_later, send_link};
use super::{audit, bad_body, signed_in, valid_device, valid_email};
use crate::AppState;
use crate::auth::mail::Purpose;
use crate::auth::tokens;
use crate::db::{email_tokens, users};
use crate::error::{AppError, AppResult};
use crate::http::access::{AuthUser, ClientIp, MaybeUser, SessionReplacement};
use crate::http::extract::ApiJson;

fn checked_email(req: &EmailRequest) -> AppResult<String> {
    let email = req.email.trim();
    if !valid_email(email) {
        return Err(bad_body("email is not a valid address"));
    }
    Ok(email.to_owned())
}

/// Spends a link that belongs to an account: `(address, account)`.
async fn spend_account_link(
    tx: &mut sqlx::PgConnection,
    token: &str,
    purpose: Purpose,
) -> AppResult<(String, Uuid)> {
    let (email, user) = email_tokens::consume(tx, &tokens::digest(token), purpose.as_str())
        .await?
        .ok_or(AppError::InvalidToken)?;
    Ok((email, user.ok_or(AppError::InvalidToken)?))
}

fn token_shape(token: &str) -> AppResult<()> {
    if tokens::well_formed(token) {
        Ok(())
    } else {
        Err(AppError::InvalidToken)
    }
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenRequest,
    responses((status = 204, description = "address confirmed"), (status = 400, body = theset_shared::ErrorBody),
              (status = 409, body = theset_shared::ErrorBody, description = "the address was meanwhile taken by another account")))]
pub async fn verify_email(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeUser(caller): MaybeUser,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<StatusCode> {
    token_shape(&req.token)?;
    let mut tx = state.db.begin().await?;
    let (email, user) = spend_account_link(&mut tx, &req.token, Purpose::VerifyEmail).await?;
    let prover = match &caller {
        Some(c) if c.user_id == user => Prover::Owner,
        _ => Prover::Stranger,
    };
    let detail = match users::email_of(&mut *tx, user).await? {
        // An address the account asked to add (it had none): only its signed-in owner may
        // confirm it, or anyone could attach a stranger's address by getting them to click.
        None => {
            if prover != Prover::Owner {
                return Err(AppError::InvalidToken);
            }
            if !accounts::adopt_address(&mut tx, user, &email).await? {
                return Err(AppError::Conflict(
                    "another account uses this address: sign in to it with a mailed link".into(),
                ));
            }
            json!({ "added": true })
        }
        Some(_) => {
            // A link for an address the account no longer has verifies nothing.
            let proven = accounts::prove_address(&mut tx, user, &email, prover)
                .await?
                .ok_or(AppError::InvalidToken)?;
            proof_detail(&proven)
        }
    };
    tx.commit().await?;
    audit(
        &state,
        Some(user),
        "auth.email_verified",
        Some(user),
        Some(ip.0),
        detail,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

fn proof_detail(p: &accounts::Proven) -> serde_json::Value {
    json!({
        "first": p.first,
        "password_removed": p.password_removed,
        "sessions_ended": p.sessions_ended,
        "identities_unlinked": p.identities_unlinked,
    })
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email/resend", tag = "auth",
    responses((status = 202), (status = 204, description = "already confirmed"),
              (status = 400, body = theset_shared::ErrorBody, description = "the account has no address: add one with POST /me/email"),
              (status = 401, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn resend_verification(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
) -> AppResult<StatusCode> {
    if caller.email_verified {
        return Ok(StatusCode::NO_CONTENT);
    }
    let email = caller
        .email
        .clone()
        .ok_or_else(|| bad_body("this account has no address yet: add one first"))?;
    let spent = mail_budget(&state, ip, &email).await?;
    send_link(
        &state,
        spent,
        Purpose::VerifyEmail,
        &email,
        Some(caller.user_id),
    )
    .await
    .map_err(|e| AppError::NotReady(e.to_string()))?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/me/email", tag = "profile", request_body = AddEmailRequest,
    responses((status = 202, description = "a code is on its way to the address; confirm it in the app"),
              (status = 400, body = theset_shared::ErrorBody), (status = 401, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "`step_up_required`: the current password, or a sign-in in the last ten minutes"),
              (status = 409, body = theset_shared::ErrorBody, description = "the account has an address already"),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn add_email(
    State(state): State<AppState>,
    ip: ClientIp,
    AuthUser(caller): AuthUser,
    ApiJson(req): ApiJson<AddEmailRequest>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let email = checked_email(&EmailRequest {
        email: req.email.clone(),
    })?;
    if caller.email.is_some() {
        return Err(AppError::Conflict(
            "this account has an address already".into(),
        ));
    }
    // An address is a way into the account (links, resets): the owner must be here.
    super::step_up::require(
        &state,
        ip,
        &caller,
        &StepUpProof {
            current_password: req.current_password.clone(),
            code: None,
        },
    )
    .await?;
    let spent = mail_budget(&state, ip, &email).await?;
    // Whether another account has the address is learnt only by confirming it, in the app.
    send_later(
        &state,
        spent,
        Purpose::VerifyEmail,
        email,
        Some(caller.user_id),
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({ "status": "paste the code from the mail into the app to confirm the address" }),
        ),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = EmailRequest,
    responses((status = 202), (status = 400, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn request_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<EmailRequest>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    // Only an account's address gets a reset link.
    mail_link(&state, ip, &req, Purpose::PasswordReset, false).await
}

/// Mails a `purpose` link to the requested address once it spent the mail budget: to an
/// account's address, or (`any_address`) to any, the link then signing up a new address. The
/// answer is the same either way, so it tells no one whether an account exists.
async fn mail_link(
    state: &AppState,
    ip: ClientIp,
    req: &EmailRequest,
    purpose: Purpose,
    any_address: bool,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let email = checked_email(req)?;
    let spent = mail_budget(state, ip, &email).await?;
    let user = users::by_email(&state.db, &email).await?;
    if user.is_some() || any_address {
        send_later(state, spent, purpose, email, user);
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "if an account uses this address, a mail is on its way" })),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth",
    request_body = PasswordResetConfirm,
    responses((status = 204), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> AppResult<StatusCode> {
    token_shape(&req.token)?;
    let mut tx = state.db.begin().await?;
    let (email, user) = spend_account_link(&mut tx, &req.token, Purpose::PasswordReset).await?;
    // A refused password rolls back, so the link still works for a better one.
    password::check(&req.new_password, &email)
        .map_err(|p| bad_body(format!("new_password: {p}")))?;
    let hash = state
        .auth
        .hasher
        .hash(password::normalize(&req.new_password))
        .await
        .map_err(super::hash_error)?;
    // The reset proves the address: a first proof hands the account to its owner.
    let proven = accounts::prove_address(&mut tx, user, &email, Prover::Stranger)
        .await?
        .ok_or(AppError::InvalidToken)?;
    users::set_password_hash(&mut *tx, user, &hash).await?;
    email_tokens::void_others(&mut *tx, &email, Purpose::PasswordReset.as_str()).await?;
    let ended = proven.sessions_ended
        + accounts::end_access(&mut tx, user, accounts::Keep::Nothing, "password_reset").await?;
    tx.commit().await?;
    audit(
        &state,
        Some(user),
        "auth.password_reset",
        Some(user),
        Some(ip.0),
        json!({ "sessions_ended": ended }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/magic-link", tag = "auth", request_body = EmailRequest,
    responses((status = 202), (status = 400, body = theset_shared::ErrorBody),
              (status = 429, body = theset_shared::ErrorBody)))]
pub async fn request_magic_link(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<EmailRequest>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    // Sent whether or not an account exists: the link signs up a new address too.
    mail_link(&state, ip, &req, Purpose::MagicLink, true).await
}

/// Spends a magic-link token: the account that has the address now (made if there is none)
/// signs in, and a first proof of the address takes the account back from whoever registered it
/// before.
async fn magic_link_user(state: &AppState, ip: ClientIp, token: &str) -> AppResult<Uuid> {
    token_shape(token)?;
    let mut tx = state.db.begin().await?;
    let (email, _) = email_tokens::consume(
        &mut *tx,
        &tokens::digest(token),
        Purpose::MagicLink.as_str(),
    )
    .await?
    .ok_or(AppError::InvalidToken)?;
    // Bound to the address, not to an account id: the account that has it now signs in.
    let mut proven = None;
    let user = match users::by_email(&mut *tx, &email).await? {
        Some(user) => {
            // A first proof takes the account from whoever registered the address before.
            proven = accounts::prove_address(&mut tx, user, &email, Prover::Stranger)
                .await?
                .filter(|p| p.first);
            user
        }
        None => {
            let name = email.split('@').next().unwrap_or("fan");
            let name: String = name.chars().take(80).collect();
            users::create(&mut *tx, Some(&email), &name, None, true)
                .await?
                .ok_or_else(|| AppError::Conflict("account created concurrently; retry".into()))?
        }
    };
    tx.commit().await?;
    // Audited after the commit: the audit row's reference to the account would wait for the
    // transaction's lock on it.
    if let Some(p) = proven {
        audit(
            state,
            Some(user),
            "auth.address_proven",
            Some(user),
            Some(ip.0),
            proof_detail(&p),
        )
        .await;
    }
    Ok(user)
}

#[utoipa::path(post, path = "/api/v1/auth/magic-link/consume", tag = "auth",
    request_body = MagicLinkConsume,
    responses((status = 200, body = TokenPair), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn consume_magic_link(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<MagicLinkConsume>,
) -> AppResult<Json<TokenPair>> {
    valid_device(&req.device_id, req.device_name.as_deref())?;
    let user = magic_link_user(&state, ip, &req.token).await?;
    signed_in(
        &state,
        user,
        ip,
        "magic_link",
        &req.device_id,
        req.device_name.as_deref(),
    )
    .await
    .map(Json)
}

/// The web app's way in with a mailed link: a browser session (cookie and CSRF token) instead of
/// a token pair, so no token is ever readable by page script.
#[utoipa::path(post, path = "/api/v1/auth/browser/magic-link/consume", tag = "auth",
    request_body = TokenRequest,
    responses((status = 200, body = BrowserSession), (status = 400, body = theset_shared::ErrorBody),
              (status = 403, body = theset_shared::ErrorBody, description = "a signed-in browser sent no CSRF token of its session")))]
pub async fn consume_magic_link_in_browser(
    State(state): State<AppState>,
    ip: ClientIp,
    _replacing: SessionReplacement,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<axum::response::Response> {
    let user = magic_link_user(&state, ip, &req.token).await?;
    super::browser_signed_in(&state, user, ip, "magic_link").await
}
