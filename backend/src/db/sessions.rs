//! Sessions and their tokens (`sessions`, `access_tokens`, `refresh_tokens`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::{Role, SessionKind};
use uuid::Uuid;

/// Access tokens live 15 minutes, refresh tokens 30 days.
pub const ACCESS_SECS: i64 = 15 * 60;
pub const REFRESH_SECS: i64 = 30 * 86_400;
/// Browser sessions (cookie) last 14 days.
pub const BROWSER_SECS: i64 = 14 * 86_400;

pub async fn create_session(
    db: &mut PgConnection,
    user: Uuid,
    kind: SessionKind,
    device_id: &str,
    device_name: Option<&str>,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO sessions (user_id, kind, device_id, device_name) VALUES ($1, $2, $3, $4) RETURNING id",
        user,
        kind as SessionKind,
        device_id,
        device_name
    )
    .fetch_one(db)
    .await
}

/// Stores the hashes of a token pair for `session` (idempotent: a retried rotation stores the same).
pub async fn store_tokens(
    db: &mut PgConnection,
    session: Uuid,
    access: &[u8],
    refresh: &[u8],
) -> sqlx::Result<()> {
    // The two token tables have the same shape; one statement each.
    let (access_secs, refresh_secs) = (ACCESS_SECS as f64, REFRESH_SECS as f64);
    sqlx::query!(
        "INSERT INTO access_tokens (token_hash, session_id, expires_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (token_hash) DO NOTHING",
        access,
        session,
        access_secs
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (token_hash) DO NOTHING",
        refresh,
        session,
        refresh_secs
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "UPDATE sessions SET last_used_at = now() WHERE id = $1",
        session
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct RefreshRow {
    pub session_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub device_id: String,
    pub now: DateTime<Utc>,
}

/// The refresh token with this hash, locked for the rotation.
pub async fn refresh_for_update(
    db: &mut PgConnection,
    hash: &[u8],
) -> sqlx::Result<Option<RefreshRow>> {
    sqlx::query_as!(
        RefreshRow,
        "SELECT r.session_id, r.expires_at, r.used_at, s.revoked_at IS NOT NULL AS \"revoked!\", s.device_id, \
                now() AS \"now!\" \
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1 FOR UPDATE OF r, s",
        hash
    )
    .fetch_optional(db)
    .await
}

pub async fn mark_refresh_used(db: &mut PgConnection, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL",
        hash
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Revokes a session: its access and refresh tokens stop working at once.
pub async fn revoke(db: impl PgExecutor<'_>, session: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
        session,
        reason
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Who holds a valid access (or browser) token. Role and revocation are read on every request,
/// so role changes and revocations take effect on the very next request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub session_id: Uuid,
    /// `None` for an account made through a provider that did not vouch for an address.
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    /// Changes with each upload (milliseconds since the epoch); `None` without a picture.
    pub avatar_version: Option<i64>,
    /// Browser sessions must prove CSRF on changes.
    pub kind: SessionKind,
}

impl Caller {
    /// Whether the caller may act as `role`: holds it (or a higher one) and, for moderator and
    /// admin powers, has proven its address. Until then anyone could have typed that address,
    /// so a role granted to it gives no power.
    pub fn acts_as(&self, role: Role) -> bool {
        self.role >= role && (role == Role::User || self.email_verified)
    }
}

pub async fn caller(db: impl PgExecutor<'_>, access_hash: &[u8]) -> sqlx::Result<Option<Caller>> {
    sqlx::query_as!(
        Caller,
        "SELECT u.id AS user_id, s.id AS session_id, u.email, u.display_name, u.role AS \"role: Role\", \
                u.email_verified_at IS NOT NULL AS \"email_verified!\", \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v WHERE v.user_id = u.id) AS avatar_version, \
                s.kind AS \"kind: SessionKind\" \
         FROM access_tokens a JOIN sessions s ON s.id = a.session_id JOIN users u ON u.id = s.user_id \
         WHERE a.token_hash = $1 AND a.expires_at > now() AND s.revoked_at IS NULL",
        access_hash
    )
    .fetch_optional(db)
    .await
}

/// A browser session's cookie token: one opaque token that lives as long as the session.
pub async fn store_browser_token(
    db: &mut PgConnection,
    session: Uuid,
    token_hash: &[u8],
) -> sqlx::Result<()> {
    let lifetime = BROWSER_SECS as f64;
    sqlx::query!(
        "INSERT INTO access_tokens (token_hash, session_id, expires_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3))",
        token_hash,
        session,
        lifetime
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct SessionRow {
    pub id: Uuid,
    pub kind: SessionKind,
    pub device_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// The user's live sessions, most recently used first.
pub async fn list(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<SessionRow>> {
    sqlx::query_as!(
        SessionRow,
        "SELECT id, kind AS \"kind: SessionKind\", device_name, created_at, last_used_at FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_used_at DESC, id LIMIT 200",
        user
    )
    .fetch_all(db)
    .await
}

/// When the session was made (its sign-in).
pub async fn created_at(
    db: impl PgExecutor<'_>,
    session: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!("SELECT created_at FROM sessions WHERE id = $1", session)
        .fetch_optional(db)
        .await
}

/// Revokes one of `user`'s sessions; `false` when it is not theirs or already gone, so one
/// user cannot even learn whether another's session id exists.
pub async fn revoke_own(
    db: impl PgExecutor<'_>,
    user: Uuid,
    session: Uuid,
    reason: &str,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 \
         WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL",
        user,
        session,
        reason
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Signs `user` out everywhere (password reset, account deletion).
pub async fn revoke_all(db: impl PgExecutor<'_>, user: Uuid, reason: &str) -> sqlx::Result<u64> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 \
         WHERE user_id = $1 AND revoked_at IS NULL",
        user,
        reason
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Signs `user` out everywhere but `keep` (a password changed on one device).
pub async fn revoke_others(
    db: impl PgExecutor<'_>,
    user: Uuid,
    keep: Uuid,
    reason: &str,
) -> sqlx::Result<u64> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 \
         WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
        user,
        keep,
        reason
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Deletes what can no longer be used: expired tokens, mailed links and OAuth flows (a day after
/// expiry, so a late retry still meets a clear "expired" rather than "unknown"), and sessions
/// revoked or idle for over 30 days. Returns the number of rows removed.
pub async fn purge_expired(db: &mut PgConnection) -> sqlx::Result<u64> {
    let mut removed = 0;
    removed +=
        sqlx::query!("DELETE FROM access_tokens WHERE expires_at < now() - interval '1 day'")
            .execute(&mut *db)
            .await?
            .rows_affected();
    removed +=
        sqlx::query!("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'")
            .execute(&mut *db)
            .await?
            .rows_affected();
    removed += sqlx::query!("DELETE FROM email_tokens WHERE expires_at < now() - interval '1 day'")
        .execute(&mut *db)
        .await?
        .rows_affected();
    removed += sqlx::query!("DELETE FROM oauth_flows WHERE expires_at < now() - interval '1 day'")
        .execute(&mut *db)
        .await?
        .rows_affected();
    removed += sqlx::query!(
        "DELETE FROM sessions WHERE revoked_at < now() - interval '30 days' \
         OR (last_used_at < now() - interval '30 days' \
             AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.session_id = sessions.id))"
    )
    .execute(&mut *db)
    .await?
    .rows_affected();
    Ok(removed)
}
