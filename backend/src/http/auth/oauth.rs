//! Sign-in with Google or Spotify for native apps (RFC 8252): the app listens on a loopback port,
//! sends its redirect URI and PKCE challenge to `start`, and opens the returned provider URL in
//! the system browser. The provider sends the browser back to our `callback`, which checks
//! `state`, exchanges the code with the server's own PKCE verifier, links or creates the account
//! and redirects to the app's loopback address with a one-time hand-off `code`. The app trades
//! that code and its verifier at `exchange` for a native session. The web app's flow
//! (`oauth_browser.rs`) shares the callback: it ends there with a browser session cookie.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use theset_shared::api::{OAuthExchange, OAuthStart, OAuthStarted, TokenPair};
use uuid::Uuid;

use super::oauth_flows::{begin_flow, provider};
use super::{audit, bad_body, oauth_browser, signed_in, valid_device};
use crate::AppState;
use crate::actions::accounts::{self, Prover};
use crate::auth::limits::Bucket;
use crate::auth::oauth::{self, Identity, ProviderKind};
use crate::auth::tokens;
use crate::db::{oauth as db, users};
use crate::error::{AppError, AppResult};
use crate::http::access::{ClientIp, limited};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::pages;

#[utoipa::path(post, path = "/api/v1/auth/oauth/{provider}/start", tag = "auth",
    params(("provider" = String, Path, description = "`google` or `spotify`")),
    request_body = OAuthStart,
    responses((status = 200, body = OAuthStarted), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody), (status = 429, body = theset_shared::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<OAuthStart>,
) -> AppResult<Json<OAuthStarted>> {
    ProviderKind::parse(&name).ok_or(AppError::not_found("sign-in provider"))?;
    // Anonymous, and each start writes a flow row: bounded per network.
    limited(&state, Bucket::OAuthStart, ip, None).await?;
    let redirect = oauth::valid_app_redirect(&req.redirect_uri).ok_or_else(|| {
        bad_body(
            "redirect_uri must be a loopback address, http://127.0.0.1:{port}/path, or the \
             app's scheme, app.theset:/path (RFC 8252)",
        )
    })?;
    if !tokens::well_formed(&req.code_challenge) {
        return Err(bad_body(
            "code_challenge must be the 43-character S256 PKCE challenge",
        ));
    }
    begin_flow(
        &state,
        &name,
        redirect.as_str(),
        db::Binding::Pkce(&req.code_challenge),
    )
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where the callback sends the browser.
enum Finished {
    /// Back to the native app (with the hand-off code or the provider's error), or to the web
    /// app's page with the provider's error.
    Redirect(String),
    /// A web app's flow that signed `user` in: to the page, with a new browser session.
    Browser { user: Uuid, to: String },
}

/// The provider's redirect. Answers HTML: a person is looking at this page in their browser.
pub async fn callback(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(name): ApiPath<String>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let binding = oauth_browser::binding_cookie(&headers);
    let finished = match finish(&state, ip, &name, binding, q).await {
        Ok(f) => f,
        Err(message) => {
            return pages::message(StatusCode::BAD_REQUEST, "Sign-in failed", &message);
        }
    };
    match finished {
        Finished::Redirect(to) => Redirect::to(&to).into_response(),
        Finished::Browser { user, to } => {
            match oauth_browser::signed_in(&state, user, ip, &name, &to).await {
                Ok(res) => res,
                Err(e) => pages::message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sign-in failed",
                    &internal(e),
                ),
            }
        }
    }
}

async fn finish(
    state: &AppState,
    ip: ClientIp,
    name: &str,
    cookie: Option<&str>,
    q: CallbackQuery,
) -> Result<Finished, String> {
    let (kind, p) = provider(state, name).map_err(|_| "Unknown sign-in provider.".to_owned())?;
    let flow_state = q
        .state
        .filter(|s| s.len() <= 200)
        .ok_or("The sign-in response has no state.")?;
    let state_hash = tokens::digest(&flow_state);
    // Claimed and committed before talking to the provider: the flow is spent whatever happens
    // next, and no transaction stays open across the network call.
    let flow = {
        let mut conn = state.db.acquire().await.map_err(internal)?;
        db::claim_flow(&mut conn, &state_hash, kind.as_str())
            .await
            .map_err(internal)?
            .ok_or(
                "This sign-in is unknown, expired or already finished. Start again from the app.",
            )?
    };
    if let Some(binding) = &flow.browser_binding {
        // Only the browser that started the flow may finish it: a link to this callback sent to
        // someone else (login CSRF) signs nobody in.
        if !cookie.is_some_and(|c| oauth_browser::binds(c, binding)) {
            return Err(
                "This sign-in was started in another browser, or took too long. Start \
                        again from TheSet."
                    .to_owned(),
            );
        }
    }
    let error: Option<String> = q.error.map(|e| {
        e.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect()
    });
    if let Some(error) = error {
        if flow.browser_binding.is_some() {
            return Ok(Finished::Redirect(format!(
                "{}#sign-in-error={error}",
                flow.app_redirect_uri
            )));
        }
        let mut back = url::Url::parse(&flow.app_redirect_uri).map_err(internal)?;
        back.query_pairs_mut().append_pair("error", &error);
        return Ok(Finished::Redirect(back.to_string()));
    }
    let code = q
        .code
        .filter(|c| c.len() <= 2048)
        .ok_or("The provider sent no code.")?;
    let callback = state.auth.oauth_callback(kind);
    let identity = oauth::finish(&state.auth.oauth, &p, &callback, &code, &flow.provider_verifier, &flow.nonce)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, provider = kind.as_str(), "oauth code exchange failed");
            "The provider did not confirm this sign-in (the code may be expired or used). Start again from the app.".to_owned()
        })?;
    let mut tx = state.db.begin().await.map_err(internal)?;
    let user = account_for(&mut tx, kind, &identity).await?;
    let sealer = &state.auth.sealer;
    // Spotify tokens are kept for library reads; Google's are not needed after sign-in.
    let keep = kind == ProviderKind::Spotify;
    db::upsert_identity(
        &mut *tx,
        db::Identity {
            provider: kind.as_str(),
            subject: &identity.subject,
            user,
            email: identity.email.as_deref(),
            email_verified: identity.email_verified,
            access_token_enc: keep.then(|| sealer.seal(&identity.access_token)),
            refresh_token_enc: identity
                .refresh_token
                .as_deref()
                .filter(|_| keep)
                .map(|t| sealer.seal(t)),
            token_expires_at: identity.expires_at.filter(|_| keep),
        },
    )
    .await
    .map_err(internal)?;
    let handoff = tokens::new_token();
    if flow.browser_binding.is_some() {
        db::finish_browser_flow(&mut tx, &state_hash, user)
            .await
            .map_err(internal)?;
    } else {
        db::complete_flow(&mut tx, &state_hash, user, &tokens::digest(&handoff))
            .await
            .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)?;
    audit(
        state,
        Some(user),
        "auth.oauth_callback",
        Some(user),
        Some(ip.0),
        json!({ "provider": kind.as_str() }),
    )
    .await;
    if flow.browser_binding.is_some() {
        return Ok(Finished::Browser {
            user,
            to: format!("{}#signed-in", flow.app_redirect_uri),
        });
    }
    let mut back = url::Url::parse(&flow.app_redirect_uri).map_err(internal)?;
    back.query_pairs_mut().append_pair("code", &handoff);
    Ok(Finished::Redirect(back.to_string()))
}

pub(super) fn internal(e: impl std::fmt::Display) -> String {
    tracing::error!(error = %e, "oauth callback failed");
    "Something went wrong on our side. Try again.".to_owned()
}

/// The account an identity signs in to: the linked one; else, for an address the provider
/// vouches for (Google's `email_verified`), the account with that address, which this proof
/// hands to its owner (see `actions::accounts`), or a new account with it; else a new account
/// with no address. An address no provider vouched for (anyone can put any address on a Spotify
/// profile) never reserves an account nor signs in to one.
async fn account_for(
    tx: &mut sqlx::PgConnection,
    kind: ProviderKind,
    id: &Identity,
) -> Result<Uuid, String> {
    if let Some(user) = db::identity_user(&mut *tx, kind.as_str(), &id.subject)
        .await
        .map_err(internal)?
    {
        return Ok(user);
    }
    let vouched = id
        .email
        .as_deref()
        .filter(|e| id.email_verified && super::valid_email(e));
    let name: String = id
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.chars().any(theset_shared::validate::unsafe_char))
        .or_else(|| vouched.and_then(|e| e.split('@').next()))
        .unwrap_or("fan")
        .chars()
        .take(80)
        .collect();
    let Some(email) = vouched else {
        return users::create(&mut *tx, None, &name, None, false)
            .await
            .map_err(internal)?
            .ok_or_else(|| "That account was just created; try again.".to_owned());
    };
    match users::by_email(&mut *tx, email).await.map_err(internal)? {
        Some(user) => {
            accounts::prove_address(&mut *tx, user, email, Prover::Stranger)
                .await
                .map_err(internal)?
                .ok_or_else(|| "That account just changed; try again.".to_owned())?;
            Ok(user)
        }
        None => users::create(&mut *tx, Some(email), &name, None, true)
            .await
            .map_err(internal)?
            .ok_or_else(|| "That account was just created; try again.".to_owned()),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/oauth/exchange", tag = "auth", request_body = OAuthExchange,
    responses((status = 200, body = TokenPair), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn exchange(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(req): ApiJson<OAuthExchange>,
) -> AppResult<Json<TokenPair>> {
    valid_device(&req.device_id, req.device_name.as_deref())?;
    if !tokens::well_formed(&req.code) || !(43..=128).contains(&req.code_verifier.len()) {
        return Err(AppError::InvalidToken);
    }
    // Spent whatever the verifier: a stolen code is worth one guess.
    let (user, challenge) = db::exchange(&state.db, &tokens::digest(&req.code))
        .await?
        .ok_or(AppError::InvalidToken)?;
    if oauth::s256(&req.code_verifier) != challenge {
        return Err(AppError::InvalidToken);
    }
    signed_in(
        &state,
        user,
        ip,
        "oauth",
        &req.device_id,
        req.device_name.as_deref(),
    )
    .await
    .map(Json)
}
