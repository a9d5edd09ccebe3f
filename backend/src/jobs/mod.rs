//! Background jobs on the Postgres queue (`db::jobs`): one file per job type, a worker loop that
//! claims under a lease and renews it, and the enqueue helpers the API and cron use. Every job is
//! idempotent (upserts keyed by external ids), so a re-run after a crash never duplicates.

mod artist_bio;
mod artist_catalogue;
mod artist_links;
mod artist_profile;
mod artist_setlists;
mod artist_shows;
mod crowd;
pub mod integrity;
mod maintenance;
mod progress;
pub mod worker;

use std::time::Duration;

use sqlx::PgPool;
use theset_shared::api::JobName;
use uuid::Uuid;

use crate::db::jobs::{self as queue, NewJob};
use crate::providers::setlistfm::SetlistFm;
use crate::providers::spotify::Spotify;
use crate::providers::ticketmaster::Ticketmaster;
use crate::providers::{ProviderError, config::ProvidersConfig};

pub use maintenance::{PROGRESS_DAYS, Settings as MaintenanceSettings, rescore};
pub use progress::Progress;

/// Job types (stored in `sync_jobs.job_type`).
pub mod types {
    /// Phase 2: upcoming and recent shows with venues from Ticketmaster.
    pub const ARTIST_SHOWS: &str = "import.artist_shows";
    /// Phase 3: the studio catalogue from Spotify.
    pub const ARTIST_CATALOGUE: &str = "import.artist_catalogue";
    /// Actual set-lists of past shows from setlist.fm.
    pub const ARTIST_SETLISTS: &str = "import.artist_setlists";
    /// The biography from Wikipedia (after the set-lists, which may find the MusicBrainz id).
    pub const ARTIST_BIO: &str = "import.artist_bio";
    /// The artist's own Ticketmaster record again (the weekly sweep).
    pub const ARTIST_PROFILE: &str = "import.artist_profile";
    /// Cron: refresh artists with recent activity.
    pub const CRON_ACTIVE: &str = "cron.active_artists";
    /// Cron: recompute trending scores, deep-refresh the top artists.
    pub const CRON_TRENDING: &str = "cron.trending";
    /// Cron: recompute trending scores only (cheap, frequent).
    pub const CRON_SCORES: &str = "cron.trending_scores";
    /// Cron: every artist in batches, then cleanup and integrity checks.
    pub const CRON_WEEKLY: &str = "cron.catalogue_weekly";
    /// Cron: shows start (`ongoing`) and end (`completed`); opened shows past leave scopes.
    pub const CRON_STATUSES: &str = "cron.show_statuses";
    /// A show's captures merged into its crowd set-list (queued by each capture).
    pub const CROWD_MERGE: &str = crate::db::captures::MERGE_JOB;
}

/// The external clients a job may use; absent when the service has no credentials.
#[derive(Clone, Default)]
pub struct Providers {
    pub ticketmaster: Option<Ticketmaster>,
    pub spotify: Option<Spotify>,
    pub setlistfm: Option<SetlistFm>,
    pub wikipedia: Option<crate::providers::wikipedia::Wikipedia>,
    /// Live services, or the demo catalogue's replay: the origin stored with what they answer.
    pub origin: theset_shared::api::DataOrigin,
}

impl Providers {
    pub fn from_config(config: &ProvidersConfig) -> Result<Self, ProviderError> {
        Ok(Self {
            ticketmaster: config
                .ticketmaster
                .as_ref()
                .map(Ticketmaster::new)
                .transpose()?,
            spotify: config.spotify.as_ref().map(Spotify::new).transpose()?,
            setlistfm: config.setlistfm.as_ref().map(SetlistFm::new).transpose()?,
            wikipedia: config
                .wikipedia
                .as_ref()
                .map(crate::providers::wikipedia::Wikipedia::new)
                .transpose()?,
            origin: config.origin,
        })
    }
}

/// Why a job failed: transient failures are retried with backoff, permanent ones are not.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    /// What anyone watching the job may read; the detail (redacted of URLs and keys by the
    /// providers) goes to `sync_jobs.last_error`, which only admins see.
    pub fn public_message(&self) -> String {
        match self {
            Self::Provider(e) => e.public_message(),
            Self::Database(_) => "our database had a problem".into(),
            Self::Permanent(m) => m.clone(),
        }
    }

    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Provider(e) => !e.is_transient(),
            Self::Database(_) => false,
            Self::Permanent(_) => true,
        }
    }
}

/// Retry delay after failed attempt `attempt` (1-based): 30 s, 2 min, 8 min … capped at 1 h.
pub fn retry_delay(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    Duration::from_secs(30 * 4u64.pow(exp)).min(Duration::from_secs(3600))
}

/// A job as operators name it (`shows`, `trending`, …) in the CLI and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// An import phase; needs an artist.
    Artist(&'static str),
    /// A cron job; runs over every artist.
    Cron(&'static str),
}

pub fn job_by_name(name: JobName) -> Named {
    match name {
        JobName::Shows => Named::Artist(types::ARTIST_SHOWS),
        JobName::Catalogue => Named::Artist(types::ARTIST_CATALOGUE),
        JobName::Setlists => Named::Artist(types::ARTIST_SETLISTS),
        JobName::Active => Named::Cron(types::CRON_ACTIVE),
        JobName::Trending => Named::Cron(types::CRON_TRENDING),
        JobName::Scores => Named::Cron(types::CRON_SCORES),
        JobName::Weekly => Named::Cron(types::CRON_WEEKLY),
        JobName::Statuses => Named::Cron(types::CRON_STATUSES),
    }
}

/// The dedupe key of a cron job: a run by hand and a scheduled run never queue twice.
pub fn cron_dedupe_key(job_type: &str) -> String {
    format!("cron:{job_type}")
}

/// Queues a cron job by hand.
pub async fn enqueue_cron_job(db: &PgPool, job_type: &'static str) -> sqlx::Result<Uuid> {
    queue::enqueue(
        db,
        NewJob {
            job_type,
            payload: serde_json::json!({ "by_hand": true }),
            artist_id: None,
            priority: 20,
            dedupe_key: Some(cron_dedupe_key(job_type)),
            max_attempts: 1,
        },
    )
    .await
}

/// The client of a service, or a permanent failure naming the missing configuration.
pub(crate) fn configured<'a, T>(client: &'a Option<T>, service: &str) -> Result<&'a T, JobError> {
    client
        .as_ref()
        .ok_or_else(|| JobError::Permanent(format!("{service} is not configured")))
}

/// A job's artist's id at a service (Spotify, Ticketmaster); a permanent failure when the artist
/// was deleted meanwhile.
pub(crate) async fn artist_column(
    db: &PgPool,
    artist_id: Uuid,
    service: crate::db::artists::ExternalId,
) -> Result<Option<String>, JobError> {
    crate::db::artists::external_id(db, artist_id, service)
        .await?
        .ok_or_else(|| JobError::Permanent("artist no longer exists".into()))
}

/// Enqueues one import phase for an artist; a pending one with the same type is reused.
pub async fn enqueue_artist_job(
    db: &PgPool,
    job_type: &str,
    artist_id: Uuid,
    priority: i32,
) -> sqlx::Result<Uuid> {
    queue::enqueue(
        db,
        NewJob {
            job_type,
            payload: serde_json::json!({ "artist_id": artist_id }),
            artist_id: Some(artist_id),
            priority,
            dedupe_key: Some(format!("{job_type}:{artist_id}")),
            max_attempts: 5,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_cap() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(120));
        assert!(retry_delay(3) > retry_delay(2));
        assert_eq!(retry_delay(20), Duration::from_secs(3600));
    }
}
