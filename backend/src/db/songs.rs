//! Songs as a whole (`songs`); the catalogue's writes are `upsert::songs`, its reads per artist
//! `artists`.

use sqlx::PgExecutor;

/// Deletes songs no artist's catalogue and no set-list line refers to; returns how many.
pub async fn delete_orphans(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM songs s WHERE NOT EXISTS (SELECT 1 FROM artist_songs x WHERE x.song_id = s.id) \
         AND NOT EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.song_id = s.id)"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
