//! `sync_progress`: an append-only log of job progress. Each row is one SSE event; its feed
//! position `(tx, id)` (see `db::feed`) is the event id, so a reconnecting stream resumes after
//! `Last-Event-ID` and misses nothing. The insert trigger NOTIFYs `sync_progress` with the job
//! id for every backend process.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use theset_shared::api::{JobEvent, JobStatus};
use uuid::Uuid;

pub use super::feed::Cursor;

/// A progress report before it is stored.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub phase: &'a str,
    pub step: &'a str,
    pub status: JobStatus,
    pub total: Option<i32>,
    pub processed: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub message: Option<String>,
}

impl<'a> Report<'a> {
    /// A running step with no counts.
    pub fn running(phase: &'a str, step: &'a str) -> Self {
        Self {
            phase,
            step,
            status: JobStatus::Running,
            total: None,
            processed: 0,
            succeeded: 0,
            failed: 0,
            message: None,
        }
    }
}

pub async fn record(db: impl PgExecutor<'_>, job_id: Uuid, r: &Report<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO sync_progress (job_id, phase, step, status, items_total, items_processed, items_succeeded, \
           items_failed, message, finished_at) \
         VALUES ($1, $2, $3, $4::job_status, $5, $6, $7, $8, $9, CASE WHEN $4::job_status IN ('succeeded', 'failed') THEN now() END) \
         RETURNING id",
        job_id,
        r.phase,
        r.step,
        r.status as JobStatus,
        r.total,
        r.processed,
        r.succeeded,
        r.failed,
        r.message.as_deref()
    )
    .fetch_one(db)
    .await
}

#[derive(Debug)]
struct EventRow {
    tx: i64,
    id: i64,
    job_id: Uuid,
    job_type: String,
    artist_id: Option<Uuid>,
    phase: String,
    step: String,
    status: JobStatus,
    items_total: Option<i32>,
    items_processed: i32,
    items_succeeded: i32,
    items_failed: i32,
    message: Option<String>,
    updated_at: DateTime<Utc>,
}

impl From<EventRow> for JobEvent {
    fn from(r: EventRow) -> Self {
        let percent = r
            .items_total
            .filter(|t| *t > 0)
            .map(|t| (100.0 * r.items_processed as f32 / t as f32).clamp(0.0, 100.0))
            .or_else(|| (r.status == JobStatus::Succeeded).then_some(100.0));
        Self {
            id: r.id,
            job_id: r.job_id,
            job_type: r.job_type,
            artist_id: r.artist_id,
            phase: r.phase,
            step: r.step,
            status: r.status,
            percent,
            total: r.items_total,
            processed: r.items_processed,
            succeeded: r.items_succeeded,
            failed: r.items_failed,
            message: r.message,
            at: r.updated_at,
        }
    }
}

/// Which jobs a stream follows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Job(Uuid),
    Artist(Uuid),
}

/// Events after `after` in `scope`, oldest first, at most `limit`.
pub async fn events_after(
    db: impl PgExecutor<'_>,
    scope: Scope,
    after: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<(Cursor, JobEvent)>> {
    let (job, artist) = match scope {
        Scope::Job(id) => (Some(id), None),
        Scope::Artist(id) => (None, Some(id)),
    };
    let rows = sqlx::query_as!(
        EventRow,
        "SELECT p.tx::text::bigint AS \"tx!\", p.id, p.job_id, j.job_type, j.artist_id, p.phase, p.step, \
           p.status AS \"status: JobStatus\", p.items_total, \
           p.items_processed, p.items_succeeded, p.items_failed, p.message, p.updated_at \
         FROM sync_progress p JOIN sync_jobs j ON j.id = p.job_id \
         WHERE (p.tx, p.id) > ($5::text::xid8, $1) AND p.tx < pg_snapshot_xmin(pg_current_snapshot()) \
           AND ($2::uuid IS NULL OR p.job_id = $2) AND ($3::uuid IS NULL OR j.artist_id = $3) \
         ORDER BY p.tx, p.id LIMIT $4",
        after.seq,
        job,
        artist,
        limit,
        after.tx.to_string()
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                Cursor {
                    tx: r.tx,
                    seq: r.id,
                },
                r.into(),
            )
        })
        .collect())
}

/// Whether rows after `after` exist in `scope` that [`events_after`] cannot serve yet because an
/// older transaction is still running; a stream then re-reads shortly instead of waiting for the
/// next notification.
pub async fn hidden_after(
    db: impl PgExecutor<'_>,
    scope: Scope,
    after: Cursor,
) -> sqlx::Result<bool> {
    let id = match scope {
        Scope::Job(id) | Scope::Artist(id) => id,
    };
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM sync_progress p JOIN sync_jobs j ON j.id = p.job_id \
         WHERE (p.job_id = $1 OR j.artist_id = $1) AND (p.tx, p.id) > ($3::text::xid8, $2) \
           AND p.tx >= pg_snapshot_xmin(pg_current_snapshot())) AS \"hidden!\"",
        id,
        after.seq,
        after.tx.to_string()
    )
    .fetch_one(db)
    .await
}

/// Whether the scope has no progress row after `after`, served or not yet servable (hidden behind
/// a running transaction): a stream that saw everything may end.
pub async fn nothing_after(
    db: impl PgExecutor<'_>,
    scope: Scope,
    after: Cursor,
) -> sqlx::Result<bool> {
    let id = match scope {
        Scope::Job(id) | Scope::Artist(id) => id,
    };
    sqlx::query_scalar!(
        "SELECT NOT EXISTS (SELECT 1 FROM sync_progress p JOIN sync_jobs j ON j.id = p.job_id \
         WHERE (p.job_id = $1 OR j.artist_id = $1) \
           AND ((p.tx, p.id) > ($3::text::xid8, $2) OR p.tx >= pg_snapshot_xmin(pg_current_snapshot()))) \
         AS \"nothing!\"",
        id,
        after.seq,
        after.tx.to_string()
    )
    .fetch_one(db)
    .await
}

/// Deletes progress events older than `days` (they may carry what a job met along the way; 30
/// days is plenty to read an import's story). Returns the number removed.
pub async fn prune(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM sync_progress WHERE updated_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
