//! The job queue on `sync_jobs`: enqueue (deduplicated by key), claim under a lease with
//! `FOR UPDATE SKIP LOCKED`, renew, complete and fail with backoff. A job whose worker died is
//! claimable again once its lease expires; only the worker that holds the lease can finish it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub job_type: String,
    pub payload: serde_json::Value,
    pub artist_id: Option<Uuid>,
    pub attempts: i32,
    pub max_attempts: i32,
}

pub struct NewJob<'a> {
    pub job_type: &'a str,
    pub payload: serde_json::Value,
    pub artist_id: Option<Uuid>,
    pub priority: i32,
    pub dedupe_key: Option<String>,
    pub max_attempts: i32,
}

/// Enqueues a job, or returns the pending one with the same dedupe key.
pub async fn enqueue(db: &PgPool, job: NewJob<'_>) -> sqlx::Result<Uuid> {
    let mut conn = db.acquire().await?;
    enqueue_in(&mut conn, job).await
}

/// [`enqueue`] inside the caller's transaction.
pub async fn enqueue_in(conn: &mut PgConnection, job: NewJob<'_>) -> sqlx::Result<Uuid> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO sync_jobs (job_type, payload, artist_id, priority, dedupe_key, max_attempts) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id",
        job.job_type,
        job.payload,
        job.artist_id,
        job.priority,
        job.dedupe_key.as_deref(),
        job.max_attempts
    )
    .fetch_optional(&mut *conn)
    .await?;
    match inserted {
        Some(id) => Ok(id),
        None => sqlx::query_scalar!(
            "SELECT id FROM sync_jobs WHERE dedupe_key = $1 AND status IN ('queued', 'running')",
            job.dedupe_key.as_deref()
        )
        .fetch_one(&mut *conn)
        .await,
    }
}

/// Claims the most urgent runnable job: queued and due, or running under an expired lease (its
/// worker died). The claim counts as an attempt.
pub async fn claim(
    db: impl PgExecutor<'_>,
    worker: &str,
    lease: Duration,
) -> sqlx::Result<Option<Job>> {
    sqlx::query_as!(
        Job,
        "UPDATE sync_jobs SET status = 'running', locked_by = $1, \
           locked_until = now() + make_interval(secs => $2), attempts = attempts + 1 \
         WHERE id = (SELECT id FROM sync_jobs \
                     WHERE (status = 'queued' AND run_at <= now()) \
                        OR (status = 'running' AND locked_until < now() AND attempts < max_attempts) \
                     ORDER BY priority DESC, run_at, created_at \
                     LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, job_type, payload, artist_id, attempts, max_attempts",
        worker,
        lease.as_secs_f64()
    )
    .fetch_optional(db)
    .await
}

/// Extends the lease; `false` means the worker lost the job (expired and claimed by another).
pub async fn renew(
    db: impl PgExecutor<'_>,
    id: Uuid,
    worker: &str,
    lease: Duration,
) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "UPDATE sync_jobs SET locked_until = now() + make_interval(secs => $3) \
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id,
        worker,
        lease.as_secs_f64()
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Hands a job back to the queue at once (the worker's process is stopping): runnable now by
/// any worker, and the interrupted attempt does not count against its budget.
pub async fn release(db: impl PgExecutor<'_>, id: Uuid, worker: &str) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "UPDATE sync_jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, \
           run_at = now(), attempts = greatest(attempts - 1, 0) \
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id,
        worker
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Marks the job done if `worker` still holds it.
pub async fn complete(db: impl PgExecutor<'_>, id: Uuid, worker: &str) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "UPDATE sync_jobs SET status = 'succeeded', finished_at = now(), locked_by = NULL, \
           locked_until = NULL, last_error = NULL \
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id,
        worker
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// What a failure did to the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Retrying {
        at: DateTime<Utc>,
    },
    Failed,
    /// The worker no longer held the job; nothing changed.
    LeaseLost,
}

/// Records a failed attempt: back to the queue after `retry_in`, or `failed` for good when
/// attempts are used up or `permanent`.
pub async fn fail(
    db: impl PgExecutor<'_>,
    id: Uuid,
    worker: &str,
    error: &str,
    retry_in: Duration,
    permanent: bool,
) -> sqlx::Result<Failure> {
    let row = sqlx::query!(
        "UPDATE sync_jobs SET \
           status = CASE WHEN $5 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
           run_at = now() + make_interval(secs => $4), \
           finished_at = CASE WHEN $5 OR attempts >= max_attempts THEN now() END, \
           locked_by = NULL, locked_until = NULL, last_error = left($3, 2000) \
         WHERE id = $1 AND locked_by = $2 AND status = 'running' \
         RETURNING status, run_at",
        id,
        worker,
        error,
        retry_in.as_secs_f64(),
        permanent
    )
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Failure::LeaseLost,
        Some(r) if r.status == "failed" => Failure::Failed,
        Some(r) => Failure::Retrying { at: r.run_at },
    })
}

/// Jobs whose attempts ran out while their workers kept dying: claimable but never finished.
pub async fn fail_exhausted(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE sync_jobs SET status = 'failed', finished_at = now(), locked_by = NULL, locked_until = NULL, \
           last_error = COALESCE(last_error, 'worker lost the job too often') \
         WHERE status = 'running' AND locked_until < now() AND attempts >= max_attempts",
    )
    .execute(db)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRow {
    pub id: Uuid,
    pub job_type: String,
    pub status: String,
    pub artist_id: Option<Uuid>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<JobRow>> {
    sqlx::query_as!(
        JobRow,
        "SELECT id, job_type, status, artist_id, attempts, last_error FROM sync_jobs WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

/// The job's queue status (`queued`, `running`, `succeeded`, `failed`, `cancelled`).
pub async fn status_of(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT status FROM sync_jobs WHERE id = $1", id)
        .fetch_optional(db)
        .await
}

/// Whether the job has ended (succeeded, failed or cancelled); an error when there is no such job.
pub async fn has_ended(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT status IN ('succeeded', 'failed', 'cancelled') AS \"ended!\" FROM sync_jobs WHERE id = $1",
        id
    )
    .fetch_one(db)
    .await
}

/// Whether no job of the artist is queued or running.
pub async fn artist_idle(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT NOT EXISTS (SELECT 1 FROM sync_jobs WHERE artist_id = $1 AND status IN ('queued', 'running')) \
         AS \"idle!\"",
        artist
    )
    .fetch_one(db)
    .await
}

/// Jobs of these artists still queued or running that are due within a minute (a terminal run
/// waits for them; later retries it leaves to the worker).
pub async fn pending_for_artists(db: impl PgExecutor<'_>, artists: &[Uuid]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM sync_jobs WHERE artist_id = ANY($1) AND status IN ('queued', 'running') \
         AND run_at <= now() + interval '1 minute'",
        artists
    )
    .fetch_one(db)
    .await
}

/// Jobs running under a lease that expired over an hour ago (the weekly integrity report).
pub async fn stuck_count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM sync_jobs \
         WHERE status = 'running' AND locked_until < now() - interval '1 hour'",
    )
    .fetch_one(db)
    .await
}

/// Jobs waiting to run now, and how long the oldest has waited (seconds).
pub async fn queue_depth(db: impl PgExecutor<'_>) -> sqlx::Result<(i64, f64)> {
    let r = sqlx::query!(
        "SELECT count(*) AS \"depth!\", \
                coalesce(extract(epoch FROM now() - min(run_at)), 0)::float8 AS \"oldest!\" \
         FROM sync_jobs WHERE status = 'queued' AND run_at <= now()"
    )
    .fetch_one(db)
    .await?;
    Ok((r.depth, r.oldest))
}
