use sqlx::PgExecutor;
use uuid::Uuid;

/// Sets (`Some(±1)`) or clears (`None`) a user's vote on a set-list song. Totals on
/// `setlist_songs` follow through the `votes_totals` trigger in the same transaction.
pub async fn set(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    setlist_song_id: Uuid,
    value: Option<i16>,
) -> sqlx::Result<()> {
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO votes (user_id, setlist_song_id, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value \
                 WHERE votes.value <> EXCLUDED.value",
            )
            .bind(user_id)
            .bind(setlist_song_id)
            .bind(v)
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM votes WHERE user_id = $1 AND setlist_song_id = $2")
                .bind(user_id)
                .bind(setlist_song_id)
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

/// Moves the user's clock on `line` to `hlc` if that is later than the last write; false when a
/// later write is already in place (the vote must then change nothing). Locks the register, so
/// concurrent writers of the same (user, line) apply in clock order.
pub async fn advance_clock(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    setlist_song_id: Uuid,
    hlc: theset_shared::hlc::Hlc,
) -> sqlx::Result<bool> {
    sqlx::query_scalar::<_, bool>(
        "INSERT INTO vote_clocks (user_id, setlist_song_id, hlc) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET hlc = EXCLUDED.hlc \
         WHERE vote_clocks.hlc < EXCLUDED.hlc RETURNING true",
    )
    .bind(user_id)
    .bind(setlist_song_id)
    .bind(hlc.as_i64())
    .fetch_optional(db)
    .await
    .map(|r| r.is_some())
}

/// Songs whose stored totals differ from a fresh count of `votes` (the nightly recount's check).
pub async fn drifted(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT ss.id FROM setlist_songs ss \
         LEFT JOIN (SELECT setlist_song_id, count(*) FILTER (WHERE value = 1) AS up, \
                           count(*) FILTER (WHERE value = -1) AS down \
                    FROM votes GROUP BY setlist_song_id) c ON c.setlist_song_id = ss.id \
         WHERE ss.upvotes <> COALESCE(c.up, 0) OR ss.downvotes <> COALESCE(c.down, 0) \
            OR ss.net_votes <> COALESCE(c.up, 0) - COALESCE(c.down, 0)",
    )
    .fetch_all(db)
    .await
}
