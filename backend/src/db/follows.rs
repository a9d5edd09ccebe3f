//! Followed (favourite) artists (`user_follows_artists`).

use sqlx::PgExecutor;
use uuid::Uuid;

use super::artists::ArtistRow;

/// Follows an artist; `None` when no such artist, `Some(false)` when already followed.
pub async fn follow(
    db: impl PgExecutor<'_>,
    user: Uuid,
    artist: Uuid,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        "WITH artist AS (SELECT id FROM artists WHERE id = $2), \
              ins AS (INSERT INTO user_follows_artists (user_id, artist_id) \
                      SELECT $1, id FROM artist ON CONFLICT DO NOTHING RETURNING 1) \
         SELECT EXISTS (SELECT 1 FROM ins) AS \"new!\" FROM artist",
        user,
        artist
    )
    .fetch_optional(db)
    .await
}

pub async fn unfollow(db: impl PgExecutor<'_>, user: Uuid, artist: Uuid) -> sqlx::Result<bool> {
    sqlx::query!(
        "DELETE FROM user_follows_artists WHERE user_id = $1 AND artist_id = $2",
        user,
        artist
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// The user's followed artists, by name (at most 1,000: follows are a personal list).
pub async fn list(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as!(
        ArtistRow,
        "SELECT a.id, a.slug, a.name, lower(a.name) AS \"sort_name!\", a.image_url, a.genres, \
                a.popularity, a.followers, a.trending_score, a.origin AS \"origin: theset_shared::api::DataOrigin\", \
                (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id \
                 AND s.date >= current_date) AS \"upcoming_show_count!\" \
         FROM user_follows_artists f JOIN artists a ON a.id = f.artist_id \
         WHERE f.user_id = $1 ORDER BY lower(a.name), a.id LIMIT 1000",
        user
    )
    .fetch_all(db)
    .await
}
