//! Applied client mutations (`applied_mutations`): the answer each mutation id got, so a retry
//! is answered again instead of applied twice.

use sqlx::PgConnection;
use uuid::Uuid;

/// The stored answer of an applied mutation.
pub async fn applied(
    db: &mut PgConnection,
    user: Uuid,
    mutation: Uuid,
) -> sqlx::Result<Option<(i16, serde_json::Value)>> {
    let row = sqlx::query!(
        "SELECT status, response FROM applied_mutations WHERE user_id = $1 AND mutation_id = $2",
        user,
        mutation
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.status, r.response)))
}

/// Records a mutation's answer; `false` when a concurrent request with the same id got there
/// first (the unique key makes the later transaction wait for the first, then skip).
pub async fn record(
    db: &mut PgConnection,
    user: Uuid,
    mutation: Uuid,
    kind: &str,
    status: i16,
    response: &serde_json::Value,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "INSERT INTO applied_mutations (user_id, mutation_id, kind, status, response) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        user,
        mutation,
        kind,
        status,
        response
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Forgets answers older than `days` (the sync horizon): a client retrying later than that has
/// long since been told to resync. Returns the number removed.
pub async fn prune(db: &mut PgConnection, days: i32) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM applied_mutations WHERE applied_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
