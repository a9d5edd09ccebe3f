//! The signals of an artist's trending songs (`shared::song_trends`): decayed net votes on
//! community lines, decayed predictions that include the song, and plays in the artist's newest
//! actual set-lists. The score itself is computed from these in `shared`.

use sqlx::PgExecutor;
use theset_shared::song_trends::{HALF_LIFE_DAYS, PLAYED_LISTS, WINDOW_DAYS};
use uuid::Uuid;

#[derive(Debug)]
pub struct SongSignalsRow {
    pub id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub net_votes: f64,
    pub predictions: f64,
    pub played_in: i64,
    pub lists: i64,
}

/// Every catalogue song of the artist with any signal at all.
pub async fn signals(db: impl PgExecutor<'_>, artist: Uuid) -> sqlx::Result<Vec<SongSignalsRow>> {
    sqlx::query_as!(
        SongSignalsRow,
        "WITH recent AS ( \
             SELECT l.id FROM setlists l JOIN shows s ON s.id = l.show_id \
             WHERE l.artist_id = $1 AND l.kind = 'actual' AND l.moderation_status <> 'hidden' \
               AND s.date <= current_date \
             ORDER BY s.date DESC, l.id LIMIT $2::int8), \
         played AS ( \
             SELECT ss.song_id, count(DISTINCT ss.setlist_id) AS n FROM setlist_songs ss \
             WHERE ss.setlist_id IN (SELECT id FROM recent) AND ss.song_id IS NOT NULL GROUP BY ss.song_id), \
         voted AS ( \
             SELECT ss.song_id, \
                    sum(v.value * power(2.0::float8, -extract(epoch FROM now() - v.updated_at)::float8 / 86400.0 / $3::float8)) AS w \
             FROM votes v JOIN setlist_songs ss ON ss.id = v.setlist_song_id \
             JOIN setlists l ON l.id = ss.setlist_id \
             WHERE l.artist_id = $1 AND l.source = 'community' AND ss.song_id IS NOT NULL \
               AND v.updated_at > now() - make_interval(days => $4::int) GROUP BY ss.song_id), \
         predicted AS ( \
             SELECT ss.song_id, \
                    sum(power(2.0::float8, -extract(epoch FROM now() - l.updated_at)::float8 / 86400.0 / $3::float8)) AS w \
             FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
             WHERE l.artist_id = $1 AND l.source = 'user' AND ss.song_id IS NOT NULL \
               AND l.updated_at > now() - make_interval(days => $4::int) GROUP BY ss.song_id) \
         SELECT s.id, s.title, s.album, \
                coalesce(voted.w, 0)::float8 AS \"net_votes!\", coalesce(predicted.w, 0)::float8 AS \"predictions!\", \
                coalesce(played.n, 0) AS \"played_in!\", (SELECT count(*) FROM recent) AS \"lists!\" \
         FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         LEFT JOIN played ON played.song_id = s.id LEFT JOIN voted ON voted.song_id = s.id \
         LEFT JOIN predicted ON predicted.song_id = s.id \
         WHERE x.artist_id = $1 \
           AND (played.n IS NOT NULL OR voted.w IS NOT NULL OR predicted.w IS NOT NULL)",
        artist,
        PLAYED_LISTS,
        HALF_LIFE_DAYS,
        WINDOW_DAYS
    )
    .fetch_all(db)
    .await
}
