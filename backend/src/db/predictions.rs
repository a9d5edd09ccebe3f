//! Personal predictions (`setlists` with source `user`, their `setlist_songs`), and what the
//! "likely" list of a show is computed from.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug)]
pub struct PredictedRow {
    pub song_id: Uuid,
    pub title: String,
    pub encore: bool,
    pub updated_at: DateTime<Utc>,
}

/// A fan's prediction for a show, in order.
pub async fn prediction(
    db: impl PgExecutor<'_>,
    show: Uuid,
    user: Uuid,
) -> sqlx::Result<Vec<PredictedRow>> {
    sqlx::query_as!(
        PredictedRow,
        "SELECT ss.song_id AS \"song_id!\", ss.title, ss.set_name = 'encore' AS \"encore!\", l.updated_at \
         FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'user' AND l.owner_user_id = $2 AND ss.song_id IS NOT NULL \
         ORDER BY ss.position",
        show,
        user
    )
    .fetch_all(db)
    .await
}

/// Titles of the songs of `artist`'s catalogue among `songs`.
pub async fn catalogue_titles(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    songs: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, String>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.title FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND x.song_id = ANY($2)",
        artist,
        songs
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title)).collect())
}

/// Replaces a fan's prediction with `lines` (song, title, encore), in order.
pub async fn replace_prediction(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
    user: Uuid,
    lines: &[(Uuid, String, bool)],
) -> sqlx::Result<()> {
    let setlist = sqlx::query_scalar!(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         VALUES ($1, $2, 'predicted', 'user', $3) \
         ON CONFLICT (show_id, artist_id, owner_user_id) WHERE source = 'user' \
         DO UPDATE SET version = setlists.version + 1 RETURNING id",
        show,
        artist,
        user
    )
    .fetch_one(&mut *db)
    .await?;
    sqlx::query!("DELETE FROM setlist_songs WHERE setlist_id = $1", setlist)
        .execute(&mut *db)
        .await?;
    for (position, (song, title, encore)) in lines.iter().enumerate() {
        let position = position as i32;
        let set_name = if *encore { "encore" } else { "main" };
        sqlx::query!(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            setlist,
            *song,
            title.as_str(),
            position,
            set_name,
            user
        )
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

/// What `theset_shared::likely` needs for `show`: the headliner's actual set-lists of the two
/// years before it (song ids as identities; unmatched titles by normalised title, as
/// `scores::keys` keys them), and the catalogue as `(id, title)`.
pub async fn likely_inputs(
    db: &mut PgConnection,
    show: Uuid,
) -> sqlx::Result<(Vec<theset_shared::likely::PastShow>, Vec<(Uuid, String)>)> {
    let past = sqlx::query!(
        "WITH target AS (SELECT headliner_artist_id AS artist, date, venue_id FROM shows WHERE id = $1) \
         SELECT (t.date - s.date)::int AS \"days_before!\", \
                (s.venue_id IS NOT DISTINCT FROM t.venue_id AND t.date - s.date BETWEEN 1 AND 3) AS \"same_run!\", \
                array_agg(coalesce(ss.song_id::text, 't:' || lower(ss.title)) ORDER BY ss.position) AS \"songs!\" \
         FROM target t JOIN setlists l ON l.artist_id = t.artist AND l.kind = 'actual' \
         JOIN shows s ON s.id = l.show_id JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE s.date < t.date AND s.date >= t.date - 730 AND NOT ss.is_tape AND l.moderation_status <> 'hidden' \
         GROUP BY l.id, s.date, s.venue_id, t.date, t.venue_id",
        show
    )
    .fetch_all(&mut *db)
    .await?;
    let catalogue = sqlx::query!(
        "SELECT s.id, s.title FROM shows sh JOIN artist_songs x ON x.artist_id = sh.headliner_artist_id \
         JOIN songs s ON s.id = x.song_id WHERE sh.id = $1",
        show
    )
    .fetch_all(db)
    .await?;
    Ok((
        past.into_iter()
            .map(|p| theset_shared::likely::PastShow {
                days_before: f64::from(p.days_before),
                same_run: p.same_run,
                songs: p.songs,
            })
            .collect(),
        catalogue.into_iter().map(|r| (r.id, r.title)).collect(),
    ))
}
