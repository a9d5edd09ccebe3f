//! Who is calling, and what they may do: the one place authentication and role checks happen.
//! A route states its requirement by the extractor it takes: [`AuthUser`] (any signed-in
//! account), [`ModeratorUser`] or [`AdminUser`]. Anonymous callers get 401, signed-in callers
//! without the role 403.
//!
//! Native apps send `Authorization: Bearer <access token>`. Browsers send the `__Host-` session
//! cookie; since browsers attach cookies to cross-site requests, every state-changing request
//! with the cookie must also carry `X-CSRF-Token` (derived from the cookie with the server key:
//! a synchronizer token that needs no storage). Bearer tokens are never sent by browsers on
//! their own, so they need no CSRF token.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use theset_shared::api::{Role, SessionKind};

use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::tokens;
use crate::db::sessions::{self as db, Caller};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "__Host-theset_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The client's IP: the TCP peer's, or behind a trusted reverse proxy the address the proxies
/// forwarded (see `auth::proxies`).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(state.auth.proxies.client(peer, &parts.headers)))
    }
}

/// Spends one request of `bucket` for the caller's network and, where given, account; 429 when
/// spent.
pub async fn limited(
    state: &AppState,
    bucket: Bucket,
    ip: ClientIp,
    account: Option<&str>,
) -> Result<(), AppError> {
    state
        .auth
        .limits
        .check(bucket, ip.0, account)
        .await
        .map_err(|r| AppError::RateLimited(r.0))
}

/// A place under the open-stream caps for a live stream of `user` from `ip`; 429 when full.
pub async fn stream_slot(
    state: &AppState,
    user: Option<uuid::Uuid>,
    ip: ClientIp,
) -> Result<crate::auth::streams::Slot, AppError> {
    state
        .auth
        .streams
        .open(user, ip.0)
        .await
        .map_err(|r| AppError::RateLimited(r.0))
}

pub fn session_cookie(parts: &Parts) -> Option<&str> {
    cookie(&parts.headers, SESSION_COOKIE)
}

/// The value of the cookie `name` the request carries, if any.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|t| tokens::well_formed(t))
            .ok_or(AppError::Unauthorized)?;
        return db::caller(&state.db, &tokens::digest(token))
            .await?
            .filter(|c| c.kind == SessionKind::Native)
            .ok_or(AppError::Unauthorized);
    }
    let token = session_cookie(parts)
        .filter(|t| tokens::well_formed(t))
        .ok_or(AppError::Unauthorized)?;
    let caller = db::caller(&state.db, &tokens::digest(token))
        .await?
        .filter(|c| c.kind == SessionKind::Browser)
        .ok_or(AppError::Unauthorized)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        csrf_proven(parts, state, token)?;
    }
    Ok(caller)
}

/// The request carries the CSRF token of the browser session `token`; 403 `csrf_rejected` if not.
fn csrf_proven(parts: &Parts, state: &AppState, token: &str) -> Result<(), AppError> {
    let expected = state.auth.csrf_token(token);
    let given = parts
        .headers
        .get(CSRF_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(expected.as_bytes(), given) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

/// A sign-in that sets the browser's session cookie, which replaces whatever session the
/// browser had. When the request carries a live browser session, it must carry that session's
/// CSRF token as well, as every other cookie write does: a link or page planted by someone else
/// cannot swap a signed-in fan into another account. A browser with no live session has nothing
/// to lose (its sign-in is a JSON request no cross-site form can send).
pub struct SessionReplacement;

impl FromRequestParts<AppState> for SessionReplacement {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = session_cookie(parts).filter(|t| tokens::well_formed(t)) else {
            return Ok(Self);
        };
        let live = db::caller(&state.db, &tokens::digest(token))
            .await?
            .is_some_and(|c| c.kind == SessionKind::Browser);
        if live {
            csrf_proven(parts, state, token)?;
        }
        Ok(Self)
    }
}

/// The caller, if it may act as `role`: 403 `forbidden` without the role, 403
/// `email_unverified` with it but an unproven address (see [`Caller::acts_as`]).
async fn with_role(parts: &Parts, state: &AppState, role: Role) -> Result<Caller, AppError> {
    let caller = authenticate(parts, state).await?;
    if caller.role < role {
        return Err(AppError::Forbidden);
    }
    if !caller.acts_as(role) {
        return Err(AppError::EmailUnverified);
    }
    Ok(caller)
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        pub struct $name(pub Caller);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                with_role(parts, state, $role).await.map(Self)
            }
        }
    };
}

role_extractor!(
    /// Any signed-in account.
    AuthUser,
    Role::User
);
role_extractor!(
    /// Moderators and admins with a confirmed address: curate set-lists, handle flags, verify
    /// set-lists.
    ModeratorUser,
    Role::Moderator
);
role_extractor!(
    /// Admins with a confirmed address: roles, jobs, the audit log.
    AdminUser,
    Role::Admin
);

/// A signed-in account whose address is confirmed: what contributing to the community needs
/// (votes, songs, predictions, corrections, flags, comments). Unconfirmed accounts get 403
/// `email_unverified`; they may still browse and draft on their device.
pub struct VerifiedUser(pub Caller);

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = authenticate(parts, state).await?;
        verified(caller).map(Self)
    }
}

/// A moderator (or admin) whose address is confirmed: what curating set-lists needs.
pub struct VerifiedModerator(pub Caller);

impl FromRequestParts<AppState> for VerifiedModerator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = with_role(parts, state, Role::Moderator).await?;
        verified(caller).map(Self)
    }
}

/// `caller`, if its address is confirmed (moderators and admins are held to it too: a role
/// granted to an unproven address must not bypass the rule).
pub fn verified(caller: Caller) -> Result<Caller, AppError> {
    if caller.email_verified {
        Ok(caller)
    } else {
        Err(AppError::EmailUnverified)
    }
}

/// The caller when credentials are sent (public reads personalised for them); anonymous
/// otherwise. Credentials that are sent but invalid still answer 401, so a client learns its
/// session ended.
pub struct MaybeUser(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let sent =
            parts.headers.contains_key(header::AUTHORIZATION) || session_cookie(parts).is_some();
        if !sent {
            return Ok(Self(None));
        }
        authenticate(parts, state).await.map(|c| Self(Some(c)))
    }
}
