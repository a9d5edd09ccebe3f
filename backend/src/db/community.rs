//! The community list of a show (`setlists` with source `community`, its `setlist_songs`), the
//! voting window, and the change feed live streams read. Personal predictions are
//! `predictions.rs`.
//!
//! The show's lines are read as `ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l WHERE
//! l.show_id = … AND l.source = 'community'))`, not as a join: a hot show holds thousands of
//! personal predictions, the planner then expects thousands of community lists too and scans
//! every set-list (200 ms at ten million votes, `cargo xtask bench --scale`); the list ids first
//! keep it at the two indexes (2 ms).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::SongTotals;
use uuid::Uuid;

/// When a show stops taking votes and predictions: its start, or 19:00 UTC on its date when the
/// start is unknown. `votes::cast` computes `open` the same way: keep them in step.
#[derive(Debug)]
pub struct Window {
    pub headliner: Uuid,
    pub closes_at: DateTime<Utc>,
    pub open: bool,
}

pub async fn window(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<Window>> {
    sqlx::query_as!(
        Window,
        "SELECT headliner_artist_id AS \"headliner!\", closes_at AS \"closes_at!\", \
                ((status IN ('upcoming', 'rescheduled') AND now() < closes_at) OR status = 'postponed') \
                  AS \"open!\" \
         FROM (SELECT headliner_artist_id, status, \
                      coalesce(starts_at, (date + coalesce(start_time, time '19:00')) AT TIME ZONE 'UTC') AS closes_at \
               FROM shows WHERE id = $1) s",
        show
    )
    .fetch_optional(db)
    .await
}

/// The show's community list, created on first use.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn community_setlist(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query!(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') \
         ON CONFLICT (show_id, artist_id) WHERE source = 'community' DO NOTHING",
        show,
        artist
    )
    .execute(&mut *db)
    .await?;
    sqlx::query_scalar!(
        "SELECT id FROM setlists WHERE show_id = $1 AND artist_id = $2 AND source = 'community'",
        show,
        artist
    )
    .fetch_one(db)
    .await
}

#[derive(Debug)]
pub struct Line {
    pub id: Uuid,
    pub song_id: Option<Uuid>,
    pub title: String,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    pub my_vote: Option<i16>,
}

/// The community list, best first; `my_vote` for `user`.
pub async fn lines(
    db: impl PgExecutor<'_>,
    show: Uuid,
    user: Option<Uuid>,
) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as!(
        Line,
        "SELECT ss.id, ss.song_id, ss.title, ss.upvotes, ss.downvotes, ss.net_votes, \
                v.value AS \"my_vote?\" \
         FROM setlist_songs ss \
         LEFT JOIN votes v ON v.setlist_song_id = ss.id AND v.user_id = $2 \
         WHERE ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l \
                                          WHERE l.show_id = $1 AND l.source = 'community' \
                                            AND l.moderation_status <> 'hidden')) \
         ORDER BY ss.net_votes DESC, ss.upvotes DESC, ss.position, ss.id LIMIT 500",
        show,
        user
    )
    .fetch_all(db)
    .await
}

/// The title of `song` when it is in `artist`'s catalogue.
pub async fn catalogue_title(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    song: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT s.title FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND x.song_id = $2",
        artist,
        song
    )
    .fetch_optional(db)
    .await
}

/// The line of catalogue song `song` on `show`'s community list, if it is there.
pub async fn community_line_of(
    db: impl PgExecutor<'_>,
    show: Uuid,
    song: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT ss.id FROM setlist_songs ss \
         WHERE ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l WHERE l.show_id = $1 AND l.source = 'community')) \
           AND ss.song_id = $2",
        show,
        song
    )
    .fetch_optional(db)
    .await
}

/// Adds a line at the end, by `user` (`None`: seeded by the server); `(line, created)`. A song
/// (or free-text title) already on the list answers its existing line.
pub async fn add_line(
    db: &mut PgConnection,
    setlist: Uuid,
    song: Option<Uuid>,
    title: &str,
    user: Option<Uuid>,
) -> sqlx::Result<(Uuid, bool)> {
    let existing = sqlx::query_scalar!(
        "SELECT id FROM setlist_songs WHERE setlist_id = $1 \
         AND (song_id = $2 OR ($2 IS NULL AND song_id IS NULL AND lower(title) = lower($3)))",
        setlist,
        song,
        title
    )
    .fetch_optional(&mut *db)
    .await?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    // The list row is locked so concurrent additions get distinct positions.
    sqlx::query!("SELECT FROM setlists WHERE id = $1 FOR UPDATE", setlist)
        .execute(&mut *db)
        .await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position, added_by) \
         VALUES ($1, $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM setlist_songs WHERE setlist_id = $1), $4) \
         ON CONFLICT (setlist_id, song_id) WHERE song_id IS NOT NULL DO NOTHING RETURNING id",
        setlist,
        song,
        title,
        user
    )
    .fetch_optional(&mut *db)
    .await?;
    match id {
        Some(id) => Ok((id, true)),
        // Lost a race for the same song: answer the winner's line.
        None => sqlx::query_scalar!(
            "SELECT id FROM setlist_songs WHERE setlist_id = $1 AND song_id = $2",
            setlist,
            song
        )
        .fetch_one(db)
        .await
        .map(|id| (id, false)),
    }
}

#[derive(Debug)]
struct TotalsRow {
    id: Uuid,
    song_id: Option<Uuid>,
    title: String,
    upvotes: i32,
    downvotes: i32,
    net_votes: i32,
}

impl From<TotalsRow> for SongTotals {
    fn from(r: TotalsRow) -> Self {
        Self {
            setlist_song_id: r.id,
            song_id: r.song_id,
            title: r.title,
            upvotes: r.upvotes,
            downvotes: r.downvotes,
            net_votes: r.net_votes,
        }
    }
}

pub async fn totals(db: impl PgExecutor<'_>, line: Uuid) -> sqlx::Result<SongTotals> {
    sqlx::query_as!(
        TotalsRow,
        "SELECT id, song_id, title, upvotes, downvotes, net_votes FROM setlist_songs WHERE id = $1",
        line
    )
    .fetch_one(db)
    .await
    .map(Into::into)
}

/// The totals of `lines` (those that exist), in one statement.
pub async fn totals_of(db: impl PgExecutor<'_>, lines: &[Uuid]) -> sqlx::Result<Vec<SongTotals>> {
    sqlx::query_as!(
        TotalsRow,
        "SELECT id, song_id, title, upvotes, downvotes, net_votes FROM setlist_songs \
         WHERE id = ANY($1)",
        lines
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(Into::into).collect())
}

pub use super::feed::Cursor;

/// Community-list lines of `show` changed after `after`, in feed order. Only changes of
/// transactions older than every running one are served, so a late commit never lands behind
/// the cursor.
pub async fn changes_after(
    db: impl PgExecutor<'_>,
    show: Uuid,
    after: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<(Cursor, SongTotals)>> {
    let rows = sqlx::query!(
        "SELECT ss.change_tx::text::bigint AS \"tx!\", ss.change_seq AS seq, ss.id, ss.song_id, ss.title, \
                ss.upvotes, ss.downvotes, ss.net_votes \
         FROM setlist_songs ss \
         WHERE ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l WHERE l.show_id = $1 AND l.source = 'community')) \
           AND (ss.change_tx, ss.change_seq) > ($2::text::xid8, $3) \
           AND ss.change_tx < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY ss.change_tx, ss.change_seq LIMIT $4",
        show,
        after.tx.to_string(),
        after.seq,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let line = TotalsRow {
                id: r.id,
                song_id: r.song_id,
                title: r.title,
                upvotes: r.upvotes,
                downvotes: r.downvotes,
                net_votes: r.net_votes,
            };
            (
                Cursor {
                    tx: r.tx,
                    seq: r.seq,
                },
                line.into(),
            )
        })
        .collect())
}

/// Whether changes after `after` exist that [`changes_after`] cannot serve yet (an older
/// transaction still runs): the stream re-reads shortly.
pub async fn hidden_after(
    db: impl PgExecutor<'_>,
    show: Uuid,
    after: Cursor,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM setlist_songs ss \
         WHERE ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l WHERE l.show_id = $1 AND l.source = 'community')) \
           AND (ss.change_tx, ss.change_seq) > ($2::text::xid8, $3) \
           AND ss.change_tx >= pg_snapshot_xmin(pg_current_snapshot())) AS \"hidden!\"",
        show,
        after.tx.to_string(),
        after.seq
    )
    .fetch_one(db)
    .await
}

/// The feed position that covers everything visible now, for a list read in the same breath.
pub async fn watermark(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Cursor> {
    let row = sqlx::query!(
        "SELECT ss.change_tx::text::bigint AS \"tx!\", ss.change_seq AS seq \
         FROM setlist_songs ss \
         WHERE ss.setlist_id = ANY (ARRAY(SELECT l.id FROM setlists l WHERE l.show_id = $1 AND l.source = 'community')) \
           AND ss.change_tx < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY ss.change_tx DESC, ss.change_seq DESC LIMIT 1",
        show
    )
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|r| Cursor {
            tx: r.tx,
            seq: r.seq,
        })
        .unwrap_or_default())
}

/// Whether the show has a community list at all (hidden ones included).
pub async fn has_community(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM setlists WHERE show_id = $1 AND source = 'community') AS \"has!\"",
        show
    )
    .fetch_one(db)
    .await
}
