//! A job's progress reporter: writes `sync_progress` rows (one per report, the SSE events).

use sqlx::PgPool;
use theset_shared::api::JobStatus;
use uuid::Uuid;

use crate::db::progress::{self, Report};

#[derive(Clone)]
pub struct Progress {
    db: PgPool,
    job_id: Uuid,
    phase: &'static str,
}

impl Progress {
    pub fn new(db: PgPool, job_id: Uuid, phase: &'static str) -> Self {
        Self { db, job_id, phase }
    }

    pub async fn step(&self, step: &str, message: impl Into<String>) -> sqlx::Result<()> {
        self.counts(step, None, 0, 0, 0, message).await
    }

    pub async fn counts(
        &self,
        step: &str,
        total: Option<usize>,
        processed: usize,
        succeeded: usize,
        failed: usize,
        message: impl Into<String>,
    ) -> sqlx::Result<()> {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        progress::record(
            &self.db,
            self.job_id,
            &Report {
                phase: self.phase,
                step,
                status: JobStatus::Running,
                total: total.map(n),
                processed: n(processed),
                succeeded: n(succeeded),
                failed: n(failed),
                message: Some(message.into()),
            },
        )
        .await
        .map(|_| ())
    }

    /// The terminal or retry event of an attempt.
    pub async fn finish(&self, status: JobStatus, message: impl Into<String>) -> sqlx::Result<()> {
        let mut conn = self.db.acquire().await?;
        self.finish_in(&mut conn, status, message).await
    }

    /// The final report, in the caller's transaction: written together with the job's final
    /// status, a stream can never see the job done without its last event.
    pub async fn finish_in(
        &self,
        db: &mut sqlx::PgConnection,
        status: JobStatus,
        message: impl Into<String>,
    ) -> sqlx::Result<()> {
        progress::record(
            db,
            self.job_id,
            &Report {
                phase: self.phase,
                step: status.as_str(),
                status,
                total: None,
                processed: 0,
                succeeded: 0,
                failed: 0,
                message: Some(message.into()),
            },
        )
        .await
        .map(|_| ())
    }
}
