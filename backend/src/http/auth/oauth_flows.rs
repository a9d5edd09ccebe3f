//! The start of a sign-in flow with Google or Spotify once its request is checked, shared by the
//! native apps' start (`oauth.rs`), the web app's (`oauth_browser.rs`) and the callback that
//! ends both (`oauth.rs`), which looks the provider up again.

use theset_shared::api::OAuthStarted;

use crate::AppState;
use crate::auth::oauth::{self, ProviderKind};
use crate::auth::tokens;
use crate::db::oauth as db;
use crate::error::{AppError, AppResult};

/// The configured provider called `name` (none configured is "not found").
pub(super) fn provider(state: &AppState, name: &str) -> AppResult<(ProviderKind, oauth::Provider)> {
    let kind = ProviderKind::parse(name).ok_or(AppError::not_found("sign-in provider"))?;
    let p = state
        .auth
        .oauth
        .get(kind)
        .cloned()
        .ok_or(AppError::not_found("sign-in provider"))?;
    Ok((kind, p))
}

/// A flow's start once its request is checked, for apps and the web app alike: the provider's
/// URL (state, the server's own PKCE verifier, an OIDC nonce) and the flow row that remembers
/// them with where to come back to and what binds the flow to its starter.
pub(super) async fn begin_flow(
    state: &AppState,
    name: &str,
    back_to: &str,
    binding: db::Binding<'_>,
) -> AppResult<OAuthStarted> {
    let (kind, p) = provider(state, name)?;
    let started = oauth::start(&p, &state.auth.oauth_callback(kind))
        .map_err(|e| AppError::Internal(e.into()))?;
    db::create_flow(
        &state.db,
        db::NewFlow {
            state_hash: &tokens::digest(&started.state),
            provider: kind.as_str(),
            provider_verifier: &started.verifier,
            nonce: &started.nonce,
            app_redirect_uri: back_to,
            binding,
        },
    )
    .await?;
    Ok(OAuthStarted {
        authorize_url: started.url.to_string(),
    })
}
