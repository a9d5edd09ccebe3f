//! The audit log (`audit_log`): security and moderation events, append only.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgExecutor;
use uuid::Uuid;

/// One event to record. `action` is `area.verb` (`auth.login`, `user.role_changed`, …).
pub struct Event<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub subject: Option<Uuid>,
    pub ip: Option<IpAddr>,
    pub detail: Value,
}

pub async fn record(db: impl PgExecutor<'_>, e: Event<'_>) -> sqlx::Result<()> {
    // The address travels as text (sqlx has no `inet` type without the ipnetwork feature).
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, action, subject_id, ip, detail) \
         VALUES ($1, $2, $3, $4::text::inet, $5)",
        e.actor,
        e.action,
        e.subject,
        e.ip.map(|ip| ip.to_string()),
        e.detail
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub subject_id: Option<Uuid>,
    pub ip: Option<String>,
    pub detail: Value,
}

/// Newest first; `before` is the last id of the previous page.
pub async fn page(
    db: impl PgExecutor<'_>,
    before: Option<i64>,
    action_prefix: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        "SELECT id, at, actor_id, action, subject_id, host(ip) AS ip, detail FROM audit_log \
         WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR starts_with(action, $2)) \
         ORDER BY id DESC LIMIT $3",
        before,
        action_prefix,
        limit
    )
    .fetch_all(db)
    .await
}
