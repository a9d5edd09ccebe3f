//! Actual set-lists from setlist.fm: the artist's recent history (the newest page, which also
//! creates past shows Ticketmaster no longer lists) and the set-lists of our past shows. Each of
//! our past shows keeps its own import state (`show_setlist_imports`): found → imported; not
//! there yet → `not_found` with its own growing back-off, so shows setlist.fm does not have never
//! hold up the others.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::artist_links::{self, Found};
use super::{JobError, Progress, Providers, configured};
use crate::db::artists::{self, Synced};
use crate::db::{actuals, setlist_imports, upsert};
use crate::providers::setlistfm;

/// setlist.fm pages fetched per run at most (20 set-lists each).
const MAX_PAGES: u32 = 10;

/// Back-off of a show setlist.fm does not have yet: 6 h, 12 h, 1 d … capped at 7 days.
pub fn not_found_backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    Duration::from_secs(6 * 3600 * 2u64.pow(exp)).min(Duration::from_secs(7 * 86_400))
}

/// The MusicBrainz id is as good as it gets now (Ticketmaster's, or found by name): the
/// biography, which is linked through it, comes next when it is due.
async fn biography_next(db: &PgPool, providers: &Providers, artist: Uuid) -> Result<(), JobError> {
    if providers.wikipedia.is_some() && artists::biography_due(db, artist).await? {
        super::enqueue_artist_job(db, super::types::ARTIST_BIO, artist, 0).await?;
    }
    Ok(())
}

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let sl = configured(&providers.setlistfm, "setlist.fm")?;
    let due = setlist_imports::due(db, artist_id).await?;
    let (mbid, first) = match artist_links::setlistfm(db, sl, artist_id, progress).await? {
        Found::Linked(mbid, first) => (mbid, first),
        Found::Unlinked(reason) => {
            progress.step("skipped", &reason).await?;
            biography_next(db, providers, artist_id).await?;
            return Ok(format!("{reason}: set-lists skipped"));
        }
    };

    // The newest page always (recent history); older pages while due shows are older still.
    let oldest = due.iter().map(|d| d.date).min();
    let mut found: Vec<setlistfm::Setlist> = Vec::new();
    let mut next = first;
    for page in 1..=MAX_PAGES {
        let Some(p) = next.take() else { break };
        let dates: Vec<NaiveDate> = p
            .setlist
            .iter()
            .filter_map(setlistfm::Setlist::date)
            .collect();
        found.extend(p.setlist);
        progress
            .counts(
                "searching",
                None,
                0,
                0,
                0,
                format!("{} set-lists read from setlist.fm", found.len()),
            )
            .await?;
        let per_page = p.items_per_page.unwrap_or(20).max(1);
        let pages = p.total.unwrap_or(0).div_ceil(per_page);
        let older_needed = oldest.is_some_and(|o| dates.iter().min().is_some_and(|d| *d > o));
        if dates.is_empty() || !older_needed || page >= pages {
            break;
        }
        next = sl.artist_setlists(&mbid, page + 1).await?;
    }

    let today = Utc::now().date_naive();
    let mut conn = db.acquire().await?;
    let past: Vec<&setlistfm::Setlist> = found
        .iter()
        .filter(|s| s.has_songs() && s.date().is_some_and(|d| d < today))
        .collect();
    let total = past.len();
    let mut imported = 0;
    for (i, s) in past.iter().enumerate() {
        if upsert::setlists::from_setlistfm(&mut conn, s, today, providers.origin)
            .await?
            .is_some()
        {
            imported += 1;
        }
        if (i + 1) % 10 == 0 || i + 1 == total {
            progress
                .counts(
                    "saving",
                    Some(total),
                    i + 1,
                    imported,
                    i + 1 - imported,
                    format!("{imported} set-lists saved"),
                )
                .await?;
        }
    }

    // Our due shows: imported when one of those set-lists landed on them, else back off.
    let mut missing = 0;
    for show in &due {
        if actuals::has_actual(&mut *conn, show.id).await? {
            setlist_imports::mark_imported(&mut *conn, show.id).await?;
        } else {
            let wait = not_found_backoff(show.attempts + 1);
            setlist_imports::mark_not_found(&mut *conn, show.id, wait).await?;
            missing += 1;
        }
    }
    artists::mark_synced(&mut *conn, artist_id, Synced::Setlists).await?;
    drop(conn);
    biography_next(db, providers, artist_id).await?;
    Ok(format!(
        "{imported} set-lists imported, {missing} not found yet"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_backoff_grows_and_caps() {
        assert_eq!(not_found_backoff(1), Duration::from_secs(6 * 3600));
        assert_eq!(not_found_backoff(2), Duration::from_secs(12 * 3600));
        assert_eq!(not_found_backoff(30), Duration::from_secs(7 * 86_400));
    }
}
