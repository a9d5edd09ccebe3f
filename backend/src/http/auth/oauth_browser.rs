//! Sign-in with Google or Spotify from the web app. The page cannot listen on a port, and its
//! session must be the HttpOnly cookie no script can read, so the server finishes the flow itself:
//! `start` keeps the page to come back to and sets a short-lived cookie that binds the flow to
//! this browser (its digest is stored, in the place of a native app's PKCE challenge); the
//! provider sends the browser to the shared callback (`oauth.rs`), which checks that cookie —
//! a callback link opened in another browser signs nobody in (login CSRF) — exchanges the code
//! with the server's own PKCE verifier, sets the session cookie and leads to
//! `{return_path}#signed-in`. The web app then adopts the session (`GET /auth/browser/session`).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use theset_shared::api::{BrowserOAuthStart, OAuthStarted};
use theset_shared::validate;
use uuid::Uuid;

use super::oauth_flows::begin_flow;
use super::{bad_body, open_browser_session, with_cookie, with_session_cookie};
use crate::AppState;
use crate::auth::limits::Bucket;
use crate::auth::oauth::ProviderKind;
use crate::auth::tokens;
use crate::db::oauth as db;
use crate::error::{AppError, AppResult};
use crate::http::access::{ClientIp, limited};
use crate::http::extract::{ApiJson, ApiPath};

/// The cookie that binds a flow to the browser that started it. `SameSite=Lax`: it must come
/// along on the provider's top-level redirect back to the callback.
const BINDING_COOKIE: &str = "__Host-theset_oauth";

#[utoipa::path(post, path = "/api/v1/auth/browser/oauth/{provider}/start", tag = "auth",
    params(("provider" = String, Path, description = "`google` or `spotify`")),
    request_body = BrowserOAuthStart,
    responses((status = 200, body = OAuthStarted,
               description = "Sets the `__Host-theset_oauth` cookie that only this browser can finish the flow with"),
              (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<BrowserOAuthStart>,
) -> AppResult<Response> {
    ProviderKind::parse(&name).ok_or(AppError::not_found("sign-in provider"))?;
    // Anonymous, and each start writes a flow row: bounded per network, as the apps' starts.
    limited(&state, Bucket::OAuthStart, ip, None).await?;
    if !validate::web_return_path(&req.return_path) {
        return Err(bad_body(
            "return_path must be a page of the web app: /app/ and up to four plain segments",
        ));
    }
    let binding = tokens::new_token();
    let started = begin_flow(
        &state,
        &name,
        &req.return_path,
        db::Binding::Browser(&tokens::digest(&binding)),
    )
    .await?;
    Ok(with_binding_cookie(Some(&binding), Json(started)))
}

/// The binding cookie the request carries, if any.
pub(super) fn binding_cookie(headers: &HeaderMap) -> Option<&str> {
    crate::http::access::cookie(headers, BINDING_COOKIE)
}

/// Whether `cookie` is the one whose digest the flow keeps.
pub(super) fn binds(cookie: &str, digest: &[u8]) -> bool {
    tokens::well_formed(cookie) && tokens::digest_matches(cookie, digest)
}

/// The end of a browser flow: a session for `user`, its cookie set, the binding cookie cleared,
/// and the browser sent to the web app's page.
pub(super) async fn signed_in(
    state: &AppState,
    user: Uuid,
    ip: ClientIp,
    provider: &str,
    to: &str,
) -> AppResult<Response> {
    let token = open_browser_session(state, user, ip, provider).await?;
    Ok(with_binding_cookie(
        None,
        with_session_cookie(Some(&token), Redirect::to(to)),
    ))
}

fn with_binding_cookie(token: Option<&str>, body: impl IntoResponse) -> Response {
    with_cookie(BINDING_COOKIE, token, db::FLOW_SECS, body)
}
