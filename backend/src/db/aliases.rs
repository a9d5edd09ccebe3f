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

/// Lines (id, title) of lists of the song's artists that name no song yet (tapes aside).
pub async fn unlinked_lines(
    db: impl PgExecutor<'_>,
    song: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query!(
        "SELECT ss.id, ss.title FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE ss.song_id IS NULL AND NOT ss.is_tape \
           AND l.artist_id IN (SELECT artist_id FROM artist_songs WHERE song_id = $1)",
        song
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.title)).collect())
}

/// Names `song` on these lines (those still naming none).
pub async fn link(db: impl PgExecutor<'_>, song: Uuid, lines: &[Uuid]) -> sqlx::Result<u64> {
    if lines.is_empty() {
        return Ok(0);
    }
    sqlx::query!(
        "UPDATE setlist_songs SET song_id = $1 WHERE id = ANY($2) AND song_id IS NULL",
        song,
        lines
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}
