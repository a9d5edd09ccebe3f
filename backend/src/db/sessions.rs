//! Users' credentials and native sessions (`users`, `sessions`, `access_tokens`, `refresh_tokens`).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

/// Access tokens live 15 minutes, refresh tokens 30 days.
pub const ACCESS_SECS: i64 = 15 * 60;
pub const REFRESH_SECS: i64 = 30 * 86_400;

pub async fn create_user(
    db: impl PgExecutor<'_>,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> sqlx::Result<Option<Uuid>> {
    // The unique index on lower(email) decides; `None` means the address is taken.
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, $3) \
         ON CONFLICT (lower(email)) DO NOTHING RETURNING id",
    )
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .fetch_optional(db)
    .await
}

/// `(user id, password hash)` of the account with `email`, case-insensitively.
pub async fn credentials(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<(Uuid, Option<String>)>> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE lower(email) = lower($1)")
        .bind(email)
        .fetch_optional(db)
        .await
}

pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    user: Uuid,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user)
        .bind(hash)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn create_session(
    db: &mut PgConnection,
    user: Uuid,
    device_id: &str,
    device_name: Option<&str>,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO sessions (user_id, device_id, device_name) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user)
    .bind(device_id)
    .bind(device_name)
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
    for (table, hash, lifetime) in [
        ("access_tokens", access, ACCESS_SECS),
        ("refresh_tokens", refresh, REFRESH_SECS),
    ] {
        sqlx::query(&format!(
            "INSERT INTO {table} (token_hash, session_id, expires_at) \
             VALUES ($1, $2, now() + make_interval(secs => $3)) ON CONFLICT (token_hash) DO NOTHING"
        ))
        .bind(hash)
        .bind(session)
        .bind(lifetime as f64)
        .execute(&mut *db)
        .await?;
    }
    sqlx::query("UPDATE sessions SET last_used_at = now() WHERE id = $1")
        .bind(session)
        .execute(db)
        .await
        .map(|_| ())
}

#[derive(Debug, FromRow)]
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
    sqlx::query_as(
        "SELECT r.session_id, r.expires_at, r.used_at, s.revoked_at IS NOT NULL AS revoked, s.device_id, now() AS now \
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1 FOR UPDATE OF r, s",
    )
    .bind(hash)
    .fetch_optional(db)
    .await
}

pub async fn mark_refresh_used(db: &mut PgConnection, hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(hash)
    .execute(db)
    .await
    .map(|_| ())
}

/// Revokes a session: its access and refresh tokens stop working at once.
pub async fn revoke(db: impl PgExecutor<'_>, session: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(session)
        .bind(reason)
        .execute(db)
        .await
        .map(|_| ())
}

/// Who holds a valid access token. Role and revocation are read on every request, so changes
/// take effect at once.
#[derive(Debug, Clone, FromRow)]
pub struct Caller {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
}

pub async fn caller(db: impl PgExecutor<'_>, access_hash: &[u8]) -> sqlx::Result<Option<Caller>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, s.id AS session_id, u.email, u.display_name, u.role \
         FROM access_tokens a JOIN sessions s ON s.id = a.session_id JOIN users u ON u.id = s.user_id \
         WHERE a.token_hash = $1 AND a.expires_at > now() AND s.revoked_at IS NULL",
    )
    .bind(access_hash)
    .fetch_optional(db)
    .await
}
