use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One progress event of an import job, as sent over SSE (`id:` is [`JobEvent::id`], so
/// `Last-Event-ID` resumes after it) and stored in `sync_progress`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobEvent {
    /// Monotonic per database; the SSE event id.
    pub id: i64,
    pub job_id: Uuid,
    pub job_type: String,
    pub artist_id: Option<Uuid>,
    /// `shows`, `catalogue`, `setlists`.
    pub phase: String,
    pub step: String,
    /// `running`, `retrying`, `succeeded`, `failed`.
    pub status: String,
    /// 0–100 when the total is known.
    pub percent: Option<f32>,
    pub total: Option<i32>,
    pub processed: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub message: Option<String>,
    pub at: DateTime<Utc>,
}

impl JobEvent {
    pub fn is_terminal(&self) -> bool {
        self.status == "succeeded" || self.status == "failed"
    }
}

/// A queued or running import job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRef {
    pub id: Uuid,
    pub job_type: String,
}

/// `POST /api/v1/admin/jobs` (admins): queue a job now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartJob {
    /// `shows`, `catalogue`, `setlists` (with `artist_id`), or `active`, `trending`, `scores`, `weekly`.
    pub job: String,
    pub artist_id: Option<Uuid>,
}
