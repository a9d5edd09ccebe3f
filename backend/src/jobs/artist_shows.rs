//! Phase 2 of an import: the artist's events from Ticketmaster, with venues (coordinates into
//! PostGIS) and line-ups. Past shows get a set-list import state and the set-list job.

use std::collections::HashMap;

use chrono::Utc;
use sqlx::PgPool;
use uuid::Uuid;

use super::{JobError, Progress, Providers, artist_column, configured, enqueue_artist_job, types};
use crate::db::artists::{self as artists_db, ExternalId, Synced};
use crate::db::{setlist_imports, upsert};

/// Progress is reported every this many events.
const REPORT_EVERY: usize = 10;

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let tm = configured(&providers.ticketmaster, "Ticketmaster")?;
    let tm_id = artist_column(db, artist_id, ExternalId::Ticketmaster).await?;
    let tm_id = tm_id.ok_or_else(|| JobError::Permanent("artist has no Ticketmaster id".into()))?;

    progress
        .step("fetching", "Fetching shows from Ticketmaster")
        .await?;
    let events = tm.events_of_attraction(&tm_id).await?;
    let total = events.len();
    progress
        .counts(
            "saving",
            Some(total),
            0,
            0,
            0,
            format!("{total} shows found"),
        )
        .await?;

    let today = Utc::now().date_naive();
    let mut conn = db.acquire().await?;
    let mut artists: HashMap<String, Uuid> = HashMap::from([(tm_id.clone(), artist_id)]);
    let mut venues: HashMap<String, Uuid> = HashMap::new();
    let (mut saved, mut skipped) = (0, 0);
    for (i, e) in events.iter().enumerate() {
        if let Some(embedded) = &e.embedded {
            // Supporting acts become artists too (name, ids, image); their catalogue comes later.
            for a in &embedded.attractions {
                if !artists.contains_key(&a.id) {
                    let id = upsert::artists::from_attraction(&mut conn, a, None, providers.origin)
                        .await?;
                    artists.insert(a.id.clone(), id);
                }
            }
            for v in &embedded.venues {
                if !venues.contains_key(&v.id) {
                    let id =
                        upsert::venues::from_ticketmaster(&mut conn, v, providers.origin).await?;
                    venues.insert(v.id.clone(), id);
                }
            }
        }
        match upsert::shows::from_event(&mut conn, e, &artists, &venues, today, providers.origin)
            .await?
        {
            Some(_) => saved += 1,
            None => skipped += 1,
        }
        if (i + 1) % REPORT_EVERY == 0 || i + 1 == total {
            progress
                .counts(
                    "saving",
                    Some(total),
                    i + 1,
                    saved,
                    skipped,
                    format!("{saved} of {total} shows saved"),
                )
                .await?;
        }
    }
    artists_db::mark_synced(&mut *conn, artist_id, Synced::Shows).await?;

    // Past shows without an actual set-list wait for setlist.fm.
    let past = setlist_imports::queue_past_shows(&mut *conn, artist_id).await?;
    drop(conn);
    // Set-lists next: for these past shows, and the artist's recent history on setlist.fm.
    enqueue_artist_job(db, types::ARTIST_SETLISTS, artist_id, 0).await?;
    Ok(format!(
        "{saved} shows saved, {skipped} skipped, {past} past shows await set-lists"
    ))
}
