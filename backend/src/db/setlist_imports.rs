//! The set-list import state of each past show (`show_setlist_imports`): a show waits for
//! setlist.fm (`pending`), is found (`imported`) or is not there yet (`not_found`, retried after
//! its own back-off), so shows setlist.fm does not have never hold up the others.

use std::time::Duration;

use chrono::NaiveDate;
use sqlx::PgExecutor;
use uuid::Uuid;

/// A past show of the artist whose set-list is due to be looked for.
#[derive(Debug)]
pub struct DueShow {
    pub id: Uuid,
    pub date: NaiveDate,
    pub attempts: i32,
}

/// The artist's past shows (as headliner) due for a set-list look-up, newest first.
pub async fn due(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<Vec<DueShow>> {
    sqlx::query_as!(
        DueShow,
        "SELECT s.id, s.date, i.attempts FROM show_setlist_imports i JOIN shows s ON s.id = i.show_id \
         WHERE s.headliner_artist_id = $1 AND i.state IN ('pending', 'not_found') \
           AND i.next_attempt_at <= now() AND s.date < current_date \
         ORDER BY s.date DESC",
        artist
    )
    .fetch_all(db)
    .await
}

/// Past shows of the artist without an actual set-list start waiting for one; shows that have a
/// state already keep it. Returns how many started.
pub async fn queue_past_shows(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<u64> {
    sqlx::query!(
        "INSERT INTO show_setlist_imports (show_id) \
         SELECT s.id FROM shows s \
         WHERE s.headliner_artist_id = $1 AND s.date < current_date AND s.status <> 'cancelled' \
           AND NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = s.id AND l.kind = 'actual' \
                           AND (l.source <> 'crowd' OR l.verified_version IS NOT NULL)) \
         ON CONFLICT (show_id) DO NOTHING",
        artist
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// The show's set-list arrived.
pub async fn mark_imported(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE show_setlist_imports SET state = 'imported', attempts = attempts + 1, last_error = NULL \
         WHERE show_id = $1",
        show
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// setlist.fm does not have the show yet: look again after `wait`.
pub async fn mark_not_found(
    db: impl PgExecutor<'_>,
    show: Uuid,
    wait: Duration,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE show_setlist_imports SET state = 'not_found', attempts = attempts + 1, \
           next_attempt_at = now() + make_interval(secs => $2) WHERE show_id = $1",
        show,
        wait.as_secs_f64()
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Makes every waiting show of the artist due now (a run by hand); returns how many.
pub async fn make_due(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<u64> {
    sqlx::query!(
        "UPDATE show_setlist_imports i SET next_attempt_at = now() FROM shows s \
         WHERE s.id = i.show_id AND s.headliner_artist_id = $1 AND i.state <> 'imported'",
        artist
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
