//! Acting for one fan on their private rows, under row-level security (migration 27): the
//! transaction switches to the role `theset_app` and names the fan, so the policies show and
//! accept that fan's rows only, whatever a statement forgets to filter.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// The tables whose rows belong to one fan (row-level security on). A test reads each as one fan
/// without a filter and finds only that fan's rows.
pub const PRIVATE_TABLES: &[&str] = &[
    "sessions",
    "access_tokens",
    "refresh_tokens",
    "notifications",
    "notification_prefs",
    "calendar_feeds",
    "show_attendance",
    "user_follows_artists",
    "devices",
    "oauth_identities",
    "applied_mutations",
    "votes",
    "captures",
    "email_tokens",
    "setlists",
];

/// Makes the rest of the caller's transaction act for `user` (one statement; after any
/// `SET TRANSACTION`, which must come first).
pub async fn act_as(tx: &mut PgConnection, user: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "SELECT set_config('role', 'theset_app', true) AS \"role!\", \
                set_config('theset.user', $1::uuid::text, true) AS \"user!\"",
        user
    )
    .fetch_one(tx)
    .await
    .map(|_| ())
}

/// A transaction acting for `user`.
pub async fn acting(pool: &PgPool, user: Uuid) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    act_as(&mut tx, user).await?;
    Ok(tx)
}
