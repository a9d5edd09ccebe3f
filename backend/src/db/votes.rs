use sqlx::{PgConnection, PgExecutor};
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
            sqlx::query!(
                "INSERT INTO votes (user_id, setlist_song_id, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value \
                 WHERE votes.value <> EXCLUDED.value",
                user_id,
                setlist_song_id,
                v
            )
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query!(
                "DELETE FROM votes WHERE user_id = $1 AND setlist_song_id = $2",
                user_id,
                setlist_song_id
            )
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

/// What a cast vote found: the list the line is on, whether its show takes votes, and whether
/// the vote was written.
#[derive(Debug)]
pub struct Cast {
    pub source: theset_shared::api::SetlistSource,
    /// The show's voting window is open (as `community::window` computes it).
    pub open: bool,
    /// The vote was written: the line is on an open community list and `hlc` is later than the
    /// register's last write. False means nothing changed.
    pub newer: bool,
}

/// Sets or clears the user's vote as of `hlc` when the line is on the community list of a show
/// still taking votes and `hlc` is later than the register's last write (which it then
/// becomes); `None` when the line does not exist or its list is hidden. One statement, one round
/// trip: the checks and the write together. Locks the register's row first, then the vote's,
/// then (by the totals trigger) the line's — the same order for every writer.
pub async fn cast(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    setlist_song_id: Uuid,
    value: Option<i16>,
    hlc: theset_shared::hlc::Hlc,
) -> sqlx::Result<Option<Cast>> {
    sqlx::query_as!(
        Cast,
        "WITH ctx AS ( \
             SELECT l.source, \
                    ((s.status IN ('upcoming', 'rescheduled') AND now() < coalesce(s.starts_at, \
                        (s.date + coalesce(s.start_time, time '19:00')) AT TIME ZONE 'UTC')) \
                     OR s.status = 'postponed') AS open \
             FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
             WHERE ss.id = $2 AND l.moderation_status <> 'hidden'), \
         clock AS ( \
             INSERT INTO vote_clocks (user_id, setlist_song_id, hlc) \
             SELECT $1, $2, $3 FROM ctx WHERE ctx.source = 'community' AND ctx.open \
             ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET hlc = EXCLUDED.hlc \
             WHERE vote_clocks.hlc < EXCLUDED.hlc RETURNING 1), \
         cast_vote AS ( \
             INSERT INTO votes (user_id, setlist_song_id, value) \
             SELECT $1, $2, $4::int2 WHERE $4 IS NOT NULL AND EXISTS (SELECT 1 FROM clock) \
             ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value \
             WHERE votes.value <> EXCLUDED.value RETURNING 1), \
         cleared AS ( \
             DELETE FROM votes WHERE user_id = $1 AND setlist_song_id = $2 \
             AND $4 IS NULL AND EXISTS (SELECT 1 FROM clock) RETURNING 1) \
         SELECT ctx.source AS \"source!: theset_shared::api::SetlistSource\", ctx.open AS \"open!\", \
                EXISTS (SELECT 1 FROM clock) AS \"newer!\" \
         FROM ctx",
        user_id,
        setlist_song_id,
        hlc.as_i64(),
        value
    )
    .fetch_optional(db)
    .await
}

/// One vote of a set cast together ([`cast_all`]).
#[derive(Debug, Clone, Copy)]
pub struct Ballot {
    pub user_id: Uuid,
    pub setlist_song_id: Uuid,
    pub hlc: theset_shared::hlc::Hlc,
    /// `None` clears the vote.
    pub value: Option<i16>,
}

/// [`cast`] for many votes in one statement: each ballot's `Cast`, in order (`None` where
/// `cast` would answer `None`). The ballots are written in their order and no two may name the
/// same user and line (one statement cannot change a row twice): the caller keeps such a pair for
/// a statement of its own. Registers are locked before votes and votes (by the trigger, their
/// lines) in ballot order: callers sort ballots by line so concurrent sets lock in one order.
pub async fn cast_all(
    db: &mut PgConnection,
    ballots: &[Ballot],
) -> sqlx::Result<Vec<Option<Cast>>> {
    let users: Vec<Uuid> = ballots.iter().map(|b| b.user_id).collect();
    let lines: Vec<Uuid> = ballots.iter().map(|b| b.setlist_song_id).collect();
    let hlcs: Vec<i64> = ballots.iter().map(|b| b.hlc.as_i64()).collect();
    let values: Vec<Option<i16>> = ballots.iter().map(|b| b.value).collect();
    let rows = sqlx::query!(
        "WITH input AS ( \
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::int2[]) \
                 WITH ORDINALITY AS b (user_id, line, hlc, value, n)), \
         ctx AS ( \
             SELECT b.n, b.user_id, b.line, b.hlc, b.value, l.source, \
                    ((s.status IN ('upcoming', 'rescheduled') AND now() < coalesce(s.starts_at, \
                        (s.date + coalesce(s.start_time, time '19:00')) AT TIME ZONE 'UTC')) \
                     OR s.status = 'postponed') AS open \
             FROM input b JOIN setlist_songs ss ON ss.id = b.line \
             JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
             WHERE l.moderation_status <> 'hidden'), \
         clock AS ( \
             INSERT INTO vote_clocks (user_id, setlist_song_id, hlc) \
             SELECT user_id, line, hlc FROM ctx WHERE source = 'community' AND open ORDER BY n \
             ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET hlc = EXCLUDED.hlc \
             WHERE vote_clocks.hlc < EXCLUDED.hlc RETURNING user_id, setlist_song_id), \
         newer AS ( \
             SELECT ctx.n, ctx.user_id, ctx.line, ctx.value FROM ctx \
             JOIN clock k ON k.user_id = ctx.user_id AND k.setlist_song_id = ctx.line), \
         cast_vote AS ( \
             INSERT INTO votes (user_id, setlist_song_id, value) \
             SELECT user_id, line, value FROM newer WHERE value IS NOT NULL ORDER BY n \
             ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET value = EXCLUDED.value \
             WHERE votes.value <> EXCLUDED.value RETURNING 1), \
         cleared AS ( \
             DELETE FROM votes v USING newer \
             WHERE v.user_id = newer.user_id AND v.setlist_song_id = newer.line \
               AND newer.value IS NULL RETURNING 1) \
         SELECT ctx.source AS \"source?: theset_shared::api::SetlistSource\", ctx.open AS \"open?\", \
                (newer.n IS NOT NULL) AS \"newer!\" \
         FROM input b LEFT JOIN ctx ON ctx.n = b.n LEFT JOIN newer ON newer.n = b.n \
         ORDER BY b.n",
        &users,
        &lines,
        &hlcs,
        &values as &[Option<i16>]
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            Some(Cast {
                source: r.source?,
                open: r.open.unwrap_or(false),
                newer: r.newer,
            })
        })
        .collect())
}

/// Songs whose stored totals differ from a fresh count of `votes` (the nightly recount's check).
pub async fn drifted(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
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
