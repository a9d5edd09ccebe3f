//! Sign-up and sign-in: passwords ([`password`]), mailed links ([`links`], sent by `mailing`),
//! Google and Spotify ([`oauth`], [`oauth_browser`], started by `oauth_flows`), native token
//! rotation and browser cookie sessions. Profile and session management is in
//! `http/profile.rs`; who may call what is decided in `http/access.rs`. The files point one way
//! (the layers test checks it): none imports a file that imports it.

pub(super) mod change_password;
pub(super) mod links;
mod mailing;
pub(super) mod oauth;
pub(super) mod oauth_browser;
mod oauth_flows;
pub(super) mod password;
pub(crate) mod step_up;

use std::net::IpAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use theset_shared::api::{BrowserSession, Me, SessionKind, TokenPair};
use theset_shared::validate;
use uuid::Uuid;

use super::access::SESSION_COOKIE;
use crate::AppState;
use crate::auth::tokens;
use crate::db::audit::{self, Event};
use crate::db::sessions::{self as db, ACCESS_SECS, BROWSER_SECS, Caller};
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(password::signup))
        .route("/auth/login", post(password::login))
        .route("/auth/refresh", post(password::refresh))
        .route("/auth/logout", post(password::logout))
        .route("/auth/browser/login", post(password::browser_login))
        .route("/auth/browser/session", get(password::browser_session))
        .route("/auth/verify-email", post(links::verify_email))
        .route(
            "/auth/verify-email/resend",
            post(links::resend_verification),
        )
        .route("/auth/password-reset", post(links::request_reset))
        .route("/auth/password-reset/confirm", post(links::confirm_reset))
        .route("/auth/magic-link", post(links::request_magic_link))
        .route("/auth/magic-link/consume", post(links::consume_magic_link))
        .route(
            "/auth/browser/magic-link/consume",
            post(links::consume_magic_link_in_browser),
        )
        .route("/auth/oauth/{provider}/start", post(oauth::start))
        .route(
            "/auth/browser/oauth/{provider}/start",
            post(oauth_browser::start),
        )
        .route("/auth/oauth/{provider}/callback", get(oauth::callback))
        .route("/auth/oauth/exchange", post(oauth::exchange))
        .route("/me/email", post(links::add_email))
        .route(
            "/me/password",
            axum::routing::put(change_password::change_password),
        )
}

pub(crate) use crate::actions::bad_body;

pub(super) fn valid_email(email: &str) -> bool {
    validate::email(email)
}

pub(crate) fn valid_display_name(name: &str) -> Result<&str, AppError> {
    validate::display_name(name).ok_or_else(|| bad_body("display_name must be 1 to 80 characters"))
}

pub(super) fn valid_device(device_id: &str, device_name: Option<&str>) -> Result<(), AppError> {
    validate::device(device_id, device_name).map_err(bad_body)
}

/// A new native session for `user` and its first token pair.
pub(super) async fn issue_native(
    state: &AppState,
    user: Uuid,
    device_id: &str,
    device_name: Option<&str>,
) -> AppResult<TokenPair> {
    let (access, refresh) = (tokens::new_token(), tokens::new_token());
    let mut tx = state.db.begin().await?;
    let session =
        db::create_session(&mut tx, user, SessionKind::Native, device_id, device_name).await?;
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

/// A successful native sign-in by `method`: audited, then a new session.
pub(super) async fn signed_in(
    state: &AppState,
    user: Uuid,
    ip: super::access::ClientIp,
    method: &str,
    device_id: &str,
    device_name: Option<&str>,
) -> AppResult<TokenPair> {
    audit_login(state, user, ip, json!({ "method": method })).await;
    issue_native(state, user, device_id, device_name).await
}

/// The audit line of every sign-in, native or browser.
async fn audit_login(
    state: &AppState,
    user: Uuid,
    ip: super::access::ClientIp,
    detail: serde_json::Value,
) {
    audit(
        state,
        Some(user),
        "auth.login",
        Some(user),
        Some(ip.0),
        detail,
    )
    .await;
}

pub(super) fn pair(access_token: String, refresh_token: String) -> TokenPair {
    TokenPair {
        access_token,
        refresh_token,
        expires_in: u32::try_from(ACCESS_SECS).unwrap_or(900),
        token_type: "Bearer".into(),
    }
}

/// A successful browser sign-in by `method`: audited, then a new browser session — the cookie set
/// on the answer, the CSRF token in its body.
pub(super) async fn browser_signed_in(
    state: &AppState,
    user: Uuid,
    ip: super::access::ClientIp,
    method: &str,
) -> AppResult<Response> {
    let token = open_browser_session(state, user, ip, method).await?;
    let caller = db::caller(&state.db, &tokens::digest(&token))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let body = BrowserSession {
        csrf_token: state.auth.csrf_token(&token),
        user: me(&caller),
    };
    Ok(with_session_cookie(Some(&token), axum::Json(body)))
}

/// A browser signs in: audited, and a new session whose cookie token is returned.
pub(super) async fn open_browser_session(
    state: &AppState,
    user: Uuid,
    ip: super::access::ClientIp,
    method: &str,
) -> AppResult<String> {
    audit_login(
        state,
        user,
        ip,
        json!({ "method": method, "kind": "browser" }),
    )
    .await;
    issue_browser(state, user).await
}

/// A new browser session for `user`: the cookie token (set by [`with_session_cookie`]).
pub(super) async fn issue_browser(state: &AppState, user: Uuid) -> AppResult<String> {
    let token = tokens::new_token();
    let mut tx = state.db.begin().await?;
    let session = db::create_session(
        &mut tx,
        user,
        SessionKind::Browser,
        "browser",
        Some("Web browser"),
    )
    .await?;
    db::store_browser_token(&mut tx, session, &tokens::digest(&token)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Sets (or with `None` clears) the session cookie on a response.
pub(super) fn with_session_cookie(token: Option<&str>, body: impl IntoResponse) -> Response {
    with_cookie(SESSION_COOKIE, token, BROWSER_SECS, body)
}

/// `body` with the `__Host-` cookie `name` set to `token` for `max_age` seconds (HttpOnly, Secure,
/// `SameSite=Lax`, the whole site), or cleared.
pub(super) fn with_cookie(
    name: &str,
    token: Option<&str>,
    max_age: i64,
    body: impl IntoResponse,
) -> Response {
    let cookie = match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}"),
        None => format!("{name}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"),
    };
    let mut res = body.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(crate) fn me(caller: &Caller) -> Me {
    Me {
        id: caller.user_id,
        email: caller.email.clone(),
        display_name: caller.display_name.clone(),
        role: caller.role,
        email_verified: caller.email_verified,
        avatar_url: caller.avatar_version.map(|v| avatar_url(caller.user_id, v)),
    }
}

pub(crate) use crate::views::avatar_url;

/// Records a security event; a failure to audit is logged, never turned into a user-facing error
/// after the fact (the action itself already happened).
pub(crate) async fn audit(
    state: &AppState,
    actor: Option<Uuid>,
    action: &str,
    subject: Option<Uuid>,
    ip: Option<IpAddr>,
    detail: serde_json::Value,
) {
    let event = Event {
        actor,
        action,
        subject,
        ip,
        detail,
    };
    if let Err(e) = audit::record(&state.db, event).await {
        tracing::error!(error = %e, action, "audit log write failed");
    }
}

/// Short helper for events with no detail.
pub(crate) fn no_detail() -> serde_json::Value {
    json!({})
}

/// A password hash that could not be made: too many at once is "busy, retry shortly" (hashing
/// is bounded, see `auth::passwords`), anything else an internal error. Shared by every route
/// that hashes (sign-up, sign-in, mailed links, step-up, password change).
fn hash_error(e: crate::auth::passwords::HashError) -> AppError {
    match e {
        crate::auth::passwords::HashError::Busy => {
            AppError::ServerBusy(std::time::Duration::from_secs(1))
        }
        other => AppError::Internal(other.into()),
    }
}
