//! OAuth sign-in (`oauth_flows`, `oauth_identities`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Flows must be finished in the browser within 10 minutes.
pub const FLOW_SECS: i64 = 10 * 60;
/// The app must exchange the hand-off code within 2 minutes of the redirect.
pub const HANDOFF_SECS: i64 = 2 * 60;

pub struct NewFlow<'a> {
    pub state_hash: &'a [u8],
    pub provider: &'a str,
    pub provider_verifier: &'a str,
    pub nonce: &'a str,
    /// The app's redirect URI, or the web app's page for a browser flow.
    pub app_redirect_uri: &'a str,
    pub binding: Binding<'a>,
}

/// What ties a flow to the party that started it.
pub enum Binding<'a> {
    /// A native app: its PKCE S256 challenge, checked when it exchanges the hand-off code.
    Pkce(&'a str),
    /// A browser: the digest of the cookie set when it started, checked at the callback.
    Browser(&'a [u8]),
}

pub async fn create_flow(db: impl PgExecutor<'_>, f: NewFlow<'_>) -> sqlx::Result<()> {
    let lifetime = FLOW_SECS as f64;
    let (challenge, browser) = match f.binding {
        Binding::Pkce(c) => (Some(c), None),
        Binding::Browser(b) => (None, Some(b)),
    };
    sqlx::query!(
        "INSERT INTO oauth_flows (state_hash, provider, provider_verifier, nonce, app_redirect_uri, \
                                  app_code_challenge, browser_binding, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))",
        f.state_hash,
        f.provider,
        f.provider_verifier,
        f.nonce,
        f.app_redirect_uri,
        challenge,
        browser,
        lifetime
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct Flow {
    pub provider: String,
    pub provider_verifier: String,
    pub nonce: String,
    pub app_redirect_uri: String,
    /// Set for a browser flow (see [`Binding::Browser`]).
    pub browser_binding: Option<Vec<u8>>,
}

/// Claims the flow a provider redirect names: unexpired, for `provider`, not yet claimed. A
/// replayed redirect (same state twice) finds nothing.
pub async fn claim_flow(
    db: &mut PgConnection,
    state_hash: &[u8],
    provider: &str,
) -> sqlx::Result<Option<Flow>> {
    sqlx::query_as!(
        Flow,
        "UPDATE oauth_flows SET completed_at = now() \
         WHERE state_hash = $1 AND provider = $2 AND completed_at IS NULL AND expires_at > now() \
         RETURNING provider, provider_verifier, nonce, app_redirect_uri, browser_binding",
        state_hash,
        provider
    )
    .fetch_optional(db)
    .await
}

/// Records who signed in and the hand-off code the app will exchange.
pub async fn complete_flow(
    db: &mut PgConnection,
    state_hash: &[u8],
    user: Uuid,
    handoff_hash: &[u8],
) -> sqlx::Result<()> {
    let lifetime = HANDOFF_SECS as f64;
    sqlx::query!(
        "UPDATE oauth_flows SET user_id = $2, handoff_hash = $3, \
                expires_at = now() + make_interval(secs => $4) WHERE state_hash = $1",
        state_hash,
        user,
        handoff_hash,
        lifetime
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// A browser flow's end: who signed in; spent at once (the browser gets its session cookie from
/// the callback itself, there is nothing to exchange).
pub async fn finish_browser_flow(
    db: &mut PgConnection,
    state_hash: &[u8],
    user: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE oauth_flows SET user_id = $2, exchanged_at = now() \
         WHERE state_hash = $1 AND browser_binding IS NOT NULL",
        state_hash,
        user
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Spends a hand-off code: `(user, app code challenge)` once, within its lifetime.
pub async fn exchange(
    db: impl PgExecutor<'_>,
    handoff_hash: &[u8],
) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!(
        "UPDATE oauth_flows SET exchanged_at = now() \
         WHERE handoff_hash = $1 AND exchanged_at IS NULL AND expires_at > now() AND user_id IS NOT NULL \
               AND app_code_challenge IS NOT NULL \
         RETURNING user_id AS \"user_id!\", app_code_challenge AS \"app_code_challenge!\"",
        handoff_hash
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.user_id, r.app_code_challenge)))
}

pub async fn identity_user(
    db: impl PgExecutor<'_>,
    provider: &str,
    subject: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT user_id FROM oauth_identities WHERE provider = $1 AND subject = $2",
        provider,
        subject
    )
    .fetch_optional(db)
    .await
}

pub struct Identity<'a> {
    pub provider: &'a str,
    pub subject: &'a str,
    pub user: Uuid,
    pub email: Option<&'a str>,
    /// The provider vouched for `email`.
    pub email_verified: bool,
    pub access_token_enc: Option<Vec<u8>>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// Links (or refreshes) an identity; provider tokens are replaced only when new ones came.
pub async fn upsert_identity(db: impl PgExecutor<'_>, i: Identity<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO oauth_identities (provider, subject, user_id, email, access_token_enc, \
                                       refresh_token_enc, token_expires_at, email_verified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (provider, subject) DO UPDATE SET email = EXCLUDED.email, \
            email_verified = EXCLUDED.email_verified, \
            access_token_enc = coalesce(EXCLUDED.access_token_enc, oauth_identities.access_token_enc), \
            refresh_token_enc = coalesce(EXCLUDED.refresh_token_enc, oauth_identities.refresh_token_enc), \
            token_expires_at = coalesce(EXCLUDED.token_expires_at, oauth_identities.token_expires_at), \
            updated_at = now()",
        i.provider,
        i.subject,
        i.user,
        i.email,
        i.access_token_enc,
        i.refresh_token_enc,
        i.token_expires_at,
        i.email_verified
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// A user's sealed provider tokens (for library reads), newest identity first.
#[derive(Debug)]
pub struct SealedTokens {
    pub subject: String,
    pub access_token_enc: Option<Vec<u8>>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

pub async fn sealed_tokens(
    db: impl PgExecutor<'_>,
    user: Uuid,
    provider: &str,
) -> sqlx::Result<Option<SealedTokens>> {
    sqlx::query_as!(
        SealedTokens,
        "SELECT subject, access_token_enc, refresh_token_enc, token_expires_at FROM oauth_identities \
         WHERE user_id = $1 AND provider = $2 ORDER BY updated_at DESC LIMIT 1",
        user,
        provider
    )
    .fetch_optional(db)
    .await
}

/// Keeps renewed provider tokens (a refresh token only when a new one came).
pub async fn store_renewed(
    db: impl PgExecutor<'_>,
    provider: &str,
    subject: &str,
    access_token_enc: &[u8],
    refresh_token_enc: Option<&[u8]>,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE oauth_identities SET access_token_enc = $3, \
            refresh_token_enc = coalesce($4, refresh_token_enc), token_expires_at = $5, updated_at = now() \
         WHERE provider = $1 AND subject = $2",
        provider,
        subject,
        access_token_enc,
        refresh_token_enc,
        expires_at
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Unlinks the account's identities whose address the provider did not vouch for; how many.
pub async fn unlink_unvouched(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM oauth_identities WHERE user_id = $1 AND NOT email_verified",
        user
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
