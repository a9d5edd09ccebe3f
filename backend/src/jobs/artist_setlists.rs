//! Actual set-lists of the artist's past shows from setlist.fm. Each show keeps its own import
//! state (`show_setlist_imports`): found → imported; not there yet → `not_found` with its own
//! growing back-off, so shows setlist.fm does not have never hold up the others.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{JobError, Progress, Providers};
use crate::db::upsert;
use crate::providers::setlistfm;

/// setlist.fm pages fetched per run at most (20 set-lists each).
const MAX_PAGES: u32 = 10;

/// Back-off of a show setlist.fm does not have yet: 6 h, 12 h, 1 d … capped at 7 days.
pub fn not_found_backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    Duration::from_secs(6 * 3600 * 2u64.pow(exp)).min(Duration::from_secs(7 * 86_400))
}

#[derive(sqlx::FromRow)]
struct DueShow {
    id: Uuid,
    date: NaiveDate,
    city: Option<String>,
    attempts: i32,
}

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let sl = providers
        .setlistfm
        .as_ref()
        .ok_or_else(|| JobError::Permanent("setlist.fm is not configured".into()))?;
    let (name, mbid): (String, Option<Uuid>) =
        sqlx::query_as("SELECT name, musicbrainz_id FROM artists WHERE id = $1")
            .bind(artist_id)
            .fetch_optional(db)
            .await?
            .ok_or_else(|| JobError::Permanent("artist no longer exists".into()))?;
    let due: Vec<DueShow> = sqlx::query_as(
        "SELECT s.id, s.date, v.city, i.attempts FROM show_setlist_imports i \
         JOIN shows s ON s.id = i.show_id LEFT JOIN venues v ON v.id = s.venue_id \
         WHERE s.headliner_artist_id = $1 AND i.state IN ('pending', 'not_found') \
           AND i.next_attempt_at <= now() AND s.date < current_date \
         ORDER BY s.date DESC",
    )
    .bind(artist_id)
    .fetch_all(db)
    .await?;
    if due.is_empty() {
        progress
            .step("idle", "No past show is due for a set-list")
            .await?;
        return Ok("no show due".into());
    }

    let mbid = match mbid {
        Some(m) => m.to_string(),
        None => {
            progress
                .step("artist", "Looking the artist up on setlist.fm")
                .await?;
            let hits = sl.search_artists(&name).await?;
            let Some(hit) = hits.iter().find(|h| h.name.eq_ignore_ascii_case(&name)) else {
                return Err(JobError::Permanent(format!(
                    "setlist.fm does not know {name}"
                )));
            };
            // Another artist may hold this MusicBrainz id already; then keep ours empty.
            let _ = sqlx::query("UPDATE artists SET musicbrainz_id = $2::uuid WHERE id = $1 AND musicbrainz_id IS NULL")
                .bind(artist_id)
                .bind(&hit.mbid)
                .execute(db)
                .await;
            hit.mbid.clone()
        }
    };

    let oldest = due
        .iter()
        .map(|d| d.date)
        .min()
        .unwrap_or_else(|| Utc::now().date_naive());
    let mut found: Vec<setlistfm::Setlist> = Vec::new();
    for page in 1..=MAX_PAGES {
        let p = sl.artist_setlists(&mbid, page).await?;
        let dates: Vec<NaiveDate> = p
            .setlist
            .iter()
            .filter_map(setlistfm::Setlist::date)
            .collect();
        found.extend(p.setlist);
        progress
            .counts(
                "searching",
                Some(due.len()),
                0,
                0,
                0,
                format!("{} set-lists read from setlist.fm", found.len()),
            )
            .await?;
        let per_page = p.items_per_page.unwrap_or(20).max(1);
        let pages = p.total.unwrap_or(0).div_ceil(per_page);
        if dates.is_empty() || dates.iter().min().is_some_and(|d| *d < oldest) || page >= pages {
            break;
        }
    }

    let today = Utc::now().date_naive();
    let mut conn = db.acquire().await?;
    let (mut imported, mut missing) = (0, 0);
    for (i, show) in due.iter().enumerate() {
        let same_day: Vec<&setlistfm::Setlist> = found
            .iter()
            .filter(|s| s.date() == Some(show.date) && s.has_songs())
            .collect();
        let pick = same_day
            .iter()
            .find(|s| {
                let city = s.venue.city.as_ref().map(|c| c.name.as_str());
                city.is_some() && city == show.city.as_deref()
            })
            .or(same_day.first());
        match pick {
            Some(s) => {
                upsert::setlists::from_setlistfm(&mut conn, s, today).await?;
                sqlx::query(
                    "UPDATE show_setlist_imports SET state = 'imported', attempts = attempts + 1, last_error = NULL \
                     WHERE show_id = $1",
                )
                .bind(show.id)
                .execute(&mut *conn)
                .await?;
                imported += 1;
            }
            None => {
                let wait = not_found_backoff(show.attempts + 1);
                sqlx::query(
                    "UPDATE show_setlist_imports SET state = 'not_found', attempts = attempts + 1, \
                       next_attempt_at = now() + make_interval(secs => $2) WHERE show_id = $1",
                )
                .bind(show.id)
                .bind(wait.as_secs_f64())
                .execute(&mut *conn)
                .await?;
                missing += 1;
            }
        }
        progress
            .counts(
                "matching",
                Some(due.len()),
                i + 1,
                imported,
                missing,
                format!("{imported} set-lists imported, {missing} not on setlist.fm yet"),
            )
            .await?;
    }
    sqlx::query("UPDATE artists SET setlistfm_synced_at = now() WHERE id = $1")
        .bind(artist_id)
        .execute(&mut *conn)
        .await?;
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
