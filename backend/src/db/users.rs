//! Accounts (`users`, `user_avatars`): credentials, profile, roles, deletion.

use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::Role;
use uuid::Uuid;

/// Creates an account; `None` when the address is taken (the unique index on lower(email) decides).
/// `email` is `None` for an account whose provider did not vouch for an address.
pub async fn create(
    db: impl PgExecutor<'_>,
    email: Option<&str>,
    display_name: &str,
    password_hash: Option<&str>,
    email_verified: bool,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, password_hash, email_verified_at) \
         VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END) \
         ON CONFLICT (lower(email)) DO NOTHING RETURNING id",
        email,
        display_name,
        password_hash,
        email_verified
    )
    .fetch_optional(db)
    .await
}

/// `(user id, password hash)` of the account with `email`, case-insensitively.
pub async fn credentials(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<(Uuid, Option<String>)>> {
    sqlx::query!(
        "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)",
        email
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.id, r.password_hash)))
}

/// The password hash of account `user`: `None` inside when it has no password.
pub async fn password_hash(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Whether the account's address is proven; `false` for an unknown account.
pub async fn is_verified(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND email_verified_at IS NOT NULL) AS \"v!\"",
        user
    )
    .fetch_one(db)
    .await
}

pub async fn by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM users WHERE lower(email) = lower($1)", email)
        .fetch_optional(db)
        .await
}

pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    user: Uuid,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        user,
        hash
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Locks the account's row if `email` is still its address: whether it was verified already.
pub async fn lock_address(
    db: impl PgExecutor<'_>,
    user: Uuid,
    email: &str,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        "SELECT email_verified_at IS NOT NULL AS \"verified!\" FROM users \
         WHERE id = $1 AND lower(email) = lower($2) FOR UPDATE",
        user,
        email
    )
    .fetch_optional(db)
    .await
}

/// Removes the password; whether there was one.
pub async fn clear_password(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE users SET password_hash = NULL WHERE id = $1 AND password_hash IS NOT NULL",
        user
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Sets a proven address on an account that has none; `false` when another account holds it
/// (or this one has an address already).
pub async fn adopt_address(db: &mut PgConnection, user: Uuid, email: &str) -> sqlx::Result<bool> {
    let taken = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1)) AS \"taken!\"",
        email
    )
    .fetch_one(&mut *db)
    .await?;
    if taken {
        return Ok(false);
    }
    let done = sqlx::query!(
        "UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1 AND email IS NULL",
        user,
        email
    )
    .execute(&mut *db)
    .await;
    match done {
        Ok(r) => Ok(r.rows_affected() == 1),
        // Taken between the check and the write.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// The account's address, if it has one.
pub async fn email_of(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT email FROM users WHERE id = $1", user)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Marks the address verified, if it is still the account's address.
pub async fn mark_verified(db: impl PgExecutor<'_>, user: Uuid, email: &str) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) \
         WHERE id = $1 AND lower(email) = lower($2)",
        user,
        email
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn set_display_name(db: impl PgExecutor<'_>, user: Uuid, name: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET display_name = $2 WHERE id = $1",
        user,
        name
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Sets a role; the previous one, or `None` when there is no such user.
pub async fn set_role(db: &mut PgConnection, user: Uuid, role: Role) -> sqlx::Result<Option<Role>> {
    let old = sqlx::query_scalar!(
        "SELECT role AS \"role: Role\" FROM users WHERE id = $1 FOR UPDATE",
        user
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(old) = old else { return Ok(None) };
    sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1",
        user,
        role as Role
    )
    .execute(&mut *db)
    .await?;
    Ok(Some(old))
}

pub async fn set_role_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
    role: Role,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "UPDATE users SET role = $2 WHERE lower(email) = lower($1) RETURNING id",
        email,
        role as Role
    )
    .fetch_optional(db)
    .await
}

#[derive(Debug)]
pub struct PublicRow {
    pub id: Uuid,
    pub display_name: String,
    pub role: Role,
    /// Changes with each upload (milliseconds since the epoch); `None` without a picture.
    pub avatar_version: Option<i64>,
}

pub async fn public(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Option<PublicRow>> {
    sqlx::query_as!(
        PublicRow,
        "SELECT u.id, u.display_name, u.role AS \"role: Role\", \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v WHERE v.user_id = u.id) AS avatar_version \
         FROM users u WHERE u.id = $1",
        user
    )
    .fetch_optional(db)
    .await
}

/// Stores the picture; answers its version (see `db::sessions::Caller::avatar_version`).
pub async fn set_avatar(db: impl PgExecutor<'_>, user: Uuid, png: &[u8]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO user_avatars (user_id, content_type, image) VALUES ($1, 'image/png', $2) \
         ON CONFLICT (user_id) DO UPDATE SET image = EXCLUDED.image, updated_at = clock_timestamp() \
         RETURNING (extract(epoch FROM updated_at) * 1000)::bigint AS \"version!\"",
        user,
        png
    )
    .fetch_one(db)
    .await
}

pub async fn avatar(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!("SELECT image FROM user_avatars WHERE user_id = $1", user)
        .fetch_optional(db)
        .await
}

/// Deletes an account with everything it owns. Its votes go too (`ON DELETE CASCADE`), and the
/// totals trigger takes each one off its line in the same transaction, so deleting an account
/// leaves the totals as if it had never voted ("sign up, vote, delete, repeat" adds nothing).
/// Sessions, identities, tokens and the avatar go with it.
pub async fn delete(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query!("DELETE FROM users WHERE id = $1", user)
        .execute(db)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// A moderator's answer to a flagged profile: the picture goes and the name is "Fan" again.
pub async fn reset_profile(db: &mut sqlx::PgConnection, user: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM user_avatars WHERE user_id = $1", user)
        .execute(&mut *db)
        .await?;
    sqlx::query!("UPDATE users SET display_name = 'Fan' WHERE id = $1", user)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn remove_avatar(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM user_avatars WHERE user_id = $1", user)
        .execute(db)
        .await
        .map(|_| ())
}
