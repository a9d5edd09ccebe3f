//! Phase 1 of an artist import, shared by `POST /api/v1/artists/import` and the CLI: create the
//! artist from the Ticketmaster attraction (from the search cache, or one request) and queue
//! phase 2 (shows) and phase 3 (catalogue); phase 2 queues the set-lists when past shows exist.

use theset_shared::api::JobRef;
use uuid::Uuid;

use crate::AppState;
use crate::db::artists::{self as artists_db, Synced};
use crate::db::upsert;
use crate::jobs::{enqueue_artist_job, types};
use crate::providers::ProviderError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("Ticketmaster does not know this artist")]
    NotFound,
    /// Ticketmaster's limiter is spent by other callers; retry after this long.
    #[error("Ticketmaster is busy")]
    Busy(std::time::Duration),
    #[error("{0}")]
    Upstream(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone)]
pub struct Started {
    pub artist_id: Uuid,
    pub slug: String,
    /// False when we already held the artist.
    pub created: bool,
    pub jobs: Vec<JobRef>,
}

pub async fn phase_one(state: &AppState, tm_id: &str) -> Result<Started, ImportError> {
    let (artist_id, slug, created) = match artists_db::by_ticketmaster_id(&state.db, tm_id).await? {
        Some((id, slug)) => (id, slug, false),
        None => {
            let attraction = match state.attractions.get(tm_id).await {
                Some(a) => a,
                None => {
                    let tm = state.providers.ticketmaster.as_ref().ok_or_else(|| {
                        ImportError::Upstream("Ticketmaster is not configured".into())
                    })?;
                    // A person waits on this call: fail fast when others spent the limiter.
                    match tm.interactive().attraction(tm_id).await {
                        Ok(a) => a,
                        Err(ProviderError::NotFound { .. }) => return Err(ImportError::NotFound),
                        Err(ProviderError::Busy { retry_after, .. }) => {
                            return Err(ImportError::Busy(retry_after));
                        }
                        Err(e) => return Err(ImportError::Upstream(e.to_string())),
                    }
                }
            };
            let mut conn = state.db.acquire().await?;
            let id = upsert::artists::from_attraction(
                &mut conn,
                &attraction,
                None,
                state.providers.origin,
            )
            .await?;
            // Just written in this connection: there is a slug.
            let slug = artists_db::slug_of(&mut *conn, id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            (id, slug, true)
        }
    };
    // New artists get both phases; known ones (e.g. a supporting act met on a line-up) get the
    // phases that never completed. Pending jobs are reused, not doubled.
    let mut jobs = Vec::new();
    for (job_type, priority, phase) in [
        (types::ARTIST_SHOWS, 10, Synced::Shows),
        (types::ARTIST_CATALOGUE, 5, Synced::Catalogue),
    ] {
        let never = artists_db::never_synced(&state.db, artist_id, phase).await?;
        if created || never {
            let id = enqueue_artist_job(&state.db, job_type, artist_id, priority).await?;
            jobs.push(JobRef {
                id,
                job_type: job_type.to_owned(),
            });
        }
    }
    Ok(Started {
        artist_id,
        slug,
        created,
        jobs,
    })
}
