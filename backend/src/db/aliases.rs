//! Song aliases (`song_aliases`): other names a song goes by on set-lists, curated by moderators.

use sqlx::PgExecutor;
use uuid::Uuid;

/// Adds an alias; `None` when the song does not exist, `Some(false)` when the alias was known.
pub async fn add(
    db: impl PgExecutor<'_>,
    song: Uuid,
    alias: &str,
    normalized: &str,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        "WITH song AS (SELECT id FROM songs WHERE id = $1), \
              ins AS (INSERT INTO song_aliases (song_id, alias, alias_normalized) \
                      SELECT id, $2, $3 FROM song ON CONFLICT DO NOTHING RETURNING 1) \
         SELECT EXISTS (SELECT 1 FROM ins) AS \"new!\" FROM song",
        song,
        alias,
        normalized
    )
    .fetch_optional(db)
    .await
}
