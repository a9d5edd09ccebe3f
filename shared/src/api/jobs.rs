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
    pub status: JobStatus,
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
        self.status.is_terminal()
    }
}

crate::named! {
    #[pg_enum = "job_status"]
    /// Where a job's attempt stands, as its progress events say.
    pub enum JobStatus {
        Running = "running",
        /// The attempt failed for a passing reason; the job runs again later.
        Retrying = "retrying",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

impl JobStatus {
    /// The job has ended (no event follows).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

crate::named! {
    /// A job as operators name it: import phases (with an artist) and cron jobs.
    pub enum JobName {
        /// Phase 2: upcoming and recent shows from Ticketmaster.
        Shows = "shows",
        /// Phase 3: the studio catalogue from Spotify.
        Catalogue = "catalogue",
        /// Actual set-lists from setlist.fm.
        Setlists = "setlists",
        /// Refresh artists with recent activity.
        Active = "active",
        /// Recompute trending scores, deep-refresh the top artists.
        Trending = "trending",
        /// Recompute trending scores only.
        Scores = "scores",
        /// Every artist in batches, then cleanup and integrity checks.
        Weekly = "weekly",
        /// Shows start and end on the clock.
        Statuses = "statuses",
    }
}

impl JobName {
    /// Whether the job runs for one artist (and so needs one).
    pub fn needs_artist(self) -> bool {
        matches!(self, Self::Shows | Self::Catalogue | Self::Setlists)
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
    /// An import phase (with `artist_id`) or a cron job.
    pub job: JobName,
    pub artist_id: Option<Uuid>,
}
