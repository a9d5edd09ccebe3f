//! The offline catalogue's show "tonight": recorded answers age, so a demo would otherwise never
//! have a show on when a newcomer opens the app. One show, keyed by its own Ticketmaster-shaped
//! id (no real event has it), is kept on stage now (its local start time unknown, so none is shown): started within the hour, at the venue of its
//! headliner's latest show. The headliner is the artist with the largest catalogue (something to
//! capture) and stays once chosen. Each time it is moved to a new evening its captures and crowd
//! list go, as a new night's would.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub const DEMO_SHOW: &str = "theset-demo-tonight";

/// Keeps the demo show on stage at `now`; its id, or `None` while no artist has a catalogue.
pub async fn keep_tonight(db: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<Option<Uuid>> {
    let start = now.duration_trunc(Duration::hours(1)).unwrap_or(now) - Duration::minutes(30);
    let existing = sqlx::query!(
        "SELECT id, starts_at FROM shows WHERE ticketmaster_id = $1",
        DEMO_SHOW
    )
    .fetch_optional(&mut *db)
    .await?;
    if let Some(show) = &existing
        && show
            .starts_at
            .is_some_and(|at| at <= now && now - at < Duration::hours(ON_HOURS))
    {
        return Ok(Some(show.id));
    }
    let Some(pick) = sqlx::query!(
        "SELECT a.id AS artist, \
                (SELECT s.venue_id FROM shows s WHERE s.headliner_artist_id = a.id AND s.venue_id IS NOT NULL \
                   AND s.ticketmaster_id IS DISTINCT FROM $1 ORDER BY s.date DESC LIMIT 1) AS venue \
         FROM artists a JOIN artist_songs x ON x.artist_id = a.id \
         GROUP BY a.id \
         ORDER BY bool_or(a.id = (SELECT headliner_artist_id FROM shows WHERE ticketmaster_id = $1)) DESC, \
                  count(*) DESC, a.id LIMIT 1",
        DEMO_SHOW
    )
    .fetch_optional(&mut *db)
    .await?
    else {
        return Ok(None);
    };
    if let Some(show) = &existing {
        // A new evening: last night's captures and crowd list are not tonight's.
        sqlx::query!("DELETE FROM captures WHERE show_id = $1", show.id)
            .execute(&mut *db)
            .await?;
        sqlx::query!(
            "DELETE FROM setlists WHERE show_id = $1 AND source = 'crowd'",
            show.id
        )
        .execute(&mut *db)
        .await?;
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO shows (ticketmaster_id, name, headliner_artist_id, venue_id, date, start_time, starts_at, status, origin) \
         VALUES ($1, 'Tonight (demo)', $2, $3, ($4::timestamptz AT TIME ZONE 'UTC')::date, NULL, $4, 'ongoing', 'demo') \
         ON CONFLICT (ticketmaster_id) DO UPDATE SET headliner_artist_id = $2, venue_id = $3, \
             date = excluded.date, start_time = NULL, starts_at = $4, status = 'ongoing' \
         RETURNING id",
        DEMO_SHOW,
        pick.artist,
        pick.venue,
        start
    )
    .fetch_one(&mut *db)
    .await?;
    sqlx::query!(
        "DELETE FROM show_artists WHERE show_id = $1 AND artist_id <> $2",
        id,
        pick.artist
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "INSERT INTO show_artists (show_id, artist_id, role, position) VALUES ($1, $2, 'headliner', 0) \
         ON CONFLICT DO NOTHING",
        id,
        pick.artist
    )
    .execute(&mut *db)
    .await?;
    Ok(Some(id))
}

/// The demo show moves to a new evening once it has been on this long.
pub const ON_HOURS: i64 = 4;
