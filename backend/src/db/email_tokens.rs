//! Mailed single-use tokens (`email_tokens`): verification, password reset, magic links.

use sqlx::PgExecutor;
use uuid::Uuid;

pub async fn create(
    db: impl PgExecutor<'_>,
    hash: &[u8],
    purpose: &str,
    email: &str,
    user: Option<Uuid>,
    lifetime_secs: i64,
) -> sqlx::Result<()> {
    let lifetime = lifetime_secs as f64;
    sqlx::query!(
        "INSERT INTO email_tokens (token_hash, purpose, email, user_id, expires_at) \
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
        hash,
        purpose,
        email,
        user,
        lifetime
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Spends a token: `(email, user)` when it exists for `purpose`, is unexpired and unused; it
/// can never be spent again (the check and the mark are one statement).
pub async fn consume(
    db: impl PgExecutor<'_>,
    hash: &[u8],
    purpose: &str,
) -> sqlx::Result<Option<(String, Option<Uuid>)>> {
    let row = sqlx::query!(
        "UPDATE email_tokens SET used_at = now() \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() \
         RETURNING email, user_id",
        hash,
        purpose
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.email, r.user_id)))
}

/// Ends the other unused tokens of the same purpose for an address within `overlap_secs`: a
/// newer link replaces older ones, but one its owner may be opening right now still works for a
/// moment (a second request, someone else's sign-up with the address, must not spoil it).
pub async fn shorten_others(
    db: impl PgExecutor<'_>,
    email: &str,
    purpose: &str,
    overlap_secs: i64,
) -> sqlx::Result<()> {
    let overlap = overlap_secs as f64;
    sqlx::query!(
        "UPDATE email_tokens SET expires_at = least(expires_at, now() + make_interval(secs => $3)) \
         WHERE lower(email) = lower($1) AND purpose = $2 AND used_at IS NULL AND expires_at > now()",
        email,
        purpose,
        overlap
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Whether an unused, unexpired token of `purpose` for the address was made in the last
/// `within_secs` (a mail that need not be sent again).
pub async fn recently_sent(
    db: impl PgExecutor<'_>,
    email: &str,
    purpose: &str,
    within_secs: i64,
) -> sqlx::Result<bool> {
    let within = within_secs as f64;
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM email_tokens WHERE lower(email) = lower($1) AND purpose = $2 \
           AND used_at IS NULL AND expires_at > now() \
           AND created_at > now() - make_interval(secs => $3)) AS \"sent!\"",
        email,
        purpose,
        within
    )
    .fetch_one(db)
    .await
}

/// Voids the other unused tokens of the same purpose for an address (a newer link replaces
/// older ones; a reset voids every outstanding reset link).
pub async fn void_others(db: impl PgExecutor<'_>, email: &str, purpose: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE email_tokens SET used_at = now() \
         WHERE lower(email) = lower($1) AND purpose = $2 AND used_at IS NULL",
        email,
        purpose
    )
    .execute(db)
    .await
    .map(|_| ())
}
