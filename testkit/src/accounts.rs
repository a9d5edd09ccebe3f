//! Accounts for tests: unique addresses, and an account with a live native session written
//! straight to the database (no sign-up rate limit, no password hashing).

use sqlx::PgPool;
use theset_backend::auth::tokens;
use theset_shared::api::Role;
use uuid::Uuid;

pub use crate::addresses::{PASSWORD, email};

/// An account and its session's tokens.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: Uuid,
    pub session: Uuid,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

/// What the written account looks like.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// The address confirmed (what contributing needs).
    pub verified: bool,
    pub device: &'a str,
}

impl Default for NewAccount<'_> {
    fn default() -> Self {
        Self {
            email: "",
            display_name: "Fan",
            role: Role::User,
            verified: true,
            device: "test-device",
        }
    }
}

/// Writes an account with a native session (access token for two hours, refresh for thirty
/// days); an empty `email` gets a unique one.
pub async fn session(db: &PgPool, new: NewAccount<'_>) -> sqlx::Result<Session> {
    let email = if new.email.is_empty() {
        email("session")
    } else {
        new.email.to_owned()
    };
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, email_verified_at) \
         VALUES ($1, $2, $3::user_role, CASE WHEN $4 THEN now() END) RETURNING id",
    )
    .bind(&email)
    .bind(new.display_name)
    .bind(new.role.as_str())
    .bind(new.verified)
    .fetch_one(db)
    .await?;
    let session: Uuid = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, device_id) VALUES ($1, $2) RETURNING id",
    )
    .bind(user)
    .bind(new.device)
    .fetch_one(db)
    .await?;
    let (access, refresh) = (tokens::new_token(), tokens::new_token());
    for (table, token, lifetime) in [
        ("access_tokens", &access, "2 hours"),
        ("refresh_tokens", &refresh, "30 days"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (token_hash, session_id, expires_at) \
             VALUES ($1, $2, now() + interval '{lifetime}')"
        )))
        .bind(tokens::digest(token))
        .bind(session)
        .execute(db)
        .await?;
    }
    Ok(Session {
        user,
        session,
        email,
        access,
        refresh,
    })
}

/// A confirmed account with `role` and a session, for a test that needs one quickly.
pub async fn with_role(db: &PgPool, role: Role) -> Session {
    session(
        db,
        NewAccount {
            role,
            ..NewAccount::default()
        },
    )
    .await
    .expect("account written to the database")
}

/// Marks `email` confirmed, as the mailed code would.
pub async fn confirm(db: &PgPool, email: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)")
        .bind(email)
        .execute(db)
        .await
        .map(drop)
}
