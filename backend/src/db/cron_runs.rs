//! Fired cron slots (`cron_runs`): the primary key `(name, slot)` lets exactly one backend
//! process fire each slot of a schedule.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Claims `slot` of schedule `name` for `instance`; `false` when another process has it.
pub async fn claim(
    db: impl PgExecutor<'_>,
    name: &str,
    slot: DateTime<Utc>,
    instance: &str,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "INSERT INTO cron_runs (name, slot, instance) VALUES ($1, $2, $3) ON CONFLICT (name, slot) DO NOTHING",
        name,
        slot,
        instance
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Records the job a claimed slot enqueued.
pub async fn set_job(
    db: impl PgExecutor<'_>,
    name: &str,
    slot: DateTime<Utc>,
    job: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE cron_runs SET job_id = $3 WHERE name = $1 AND slot = $2",
        name,
        slot,
        job
    )
    .execute(db)
    .await
    .map(|_| ())
}
