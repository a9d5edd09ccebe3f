//! The community list of a show and personal predictions (`setlists` with source `community` or
//! `user`, their `setlist_songs`), and the change feed live streams read.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};
use theset_shared::api::{SetlistSource, SongTotals};
use uuid::Uuid;

/// When a show stops taking votes and predictions: its start, or 19:00 UTC on its date when the
/// start is unknown.
#[derive(Debug, FromRow)]
pub struct Window {
    pub headliner: Uuid,
    pub closes_at: DateTime<Utc>,
    pub open: bool,
}

pub async fn window(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<Window>> {
    sqlx::query_as(
        "SELECT headliner_artist_id AS headliner, closes_at, \
                (status = 'upcoming' AND now() < closes_at) AS open \
         FROM (SELECT headliner_artist_id, status, \
                      coalesce(starts_at, (date + coalesce(start_time, time '19:00')) AT TIME ZONE 'UTC') AS closes_at \
               FROM shows WHERE id = $1) s",
    )
    .bind(show)
    .fetch_optional(db)
    .await
}

/// The show's community list, created on first use.
pub async fn community_setlist(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query(
        "INSERT INTO setlists (show_id, artist_id, kind, source) VALUES ($1, $2, 'predicted', 'community') \
         ON CONFLICT (show_id, artist_id) WHERE source = 'community' DO NOTHING",
    )
    .bind(show)
    .bind(artist)
    .execute(&mut *db)
    .await?;
    sqlx::query_scalar(
        "SELECT id FROM setlists WHERE show_id = $1 AND artist_id = $2 AND source = 'community'",
    )
    .bind(show)
    .bind(artist)
    .fetch_one(db)
    .await
}

#[derive(Debug, FromRow)]
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
    sqlx::query_as(
        "SELECT ss.id, ss.song_id, ss.title, ss.upvotes, ss.downvotes, ss.net_votes, v.value AS my_vote \
         FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         LEFT JOIN votes v ON v.setlist_song_id = ss.id AND v.user_id = $2 \
         WHERE l.show_id = $1 AND l.source = 'community' AND l.moderation_status <> 'hidden' \
         ORDER BY ss.net_votes DESC, ss.upvotes DESC, ss.position, ss.id LIMIT 500",
    )
    .bind(show)
    .bind(user)
    .fetch_all(db)
    .await
}

/// The title of `song` when it is in `artist`'s catalogue.
pub async fn catalogue_title(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    song: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT s.title FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND x.song_id = $2",
    )
    .bind(artist)
    .bind(song)
    .fetch_optional(db)
    .await
}

/// Adds a line at the end, by `user` (`None`: seeded by the server); `(line, created)`. A song
/// (or free-text title) already on the list answers its existing line.
/// The line of catalogue song `song` on `show`'s community list, if it is there.
pub async fn community_line_of(
    db: impl PgExecutor<'_>,
    show: Uuid,
    song: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT ss.id FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'community' AND ss.song_id = $2",
    )
    .bind(show)
    .bind(song)
    .fetch_optional(db)
    .await
}

pub async fn add_line(
    db: &mut PgConnection,
    setlist: Uuid,
    song: Option<Uuid>,
    title: &str,
    user: Option<Uuid>,
) -> sqlx::Result<(Uuid, bool)> {
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM setlist_songs WHERE setlist_id = $1 \
         AND (song_id = $2 OR ($2 IS NULL AND song_id IS NULL AND lower(title) = lower($3)))",
    )
    .bind(setlist)
    .bind(song)
    .bind(title)
    .fetch_optional(&mut *db)
    .await?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    // The list row is locked so concurrent additions get distinct positions.
    sqlx::query("SELECT 1 FROM setlists WHERE id = $1 FOR UPDATE")
        .bind(setlist)
        .execute(&mut *db)
        .await?;
    let id = sqlx::query_scalar(
        "INSERT INTO setlist_songs (setlist_id, song_id, title, position, added_by) \
         VALUES ($1, $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM setlist_songs WHERE setlist_id = $1), $4) \
         ON CONFLICT (setlist_id, song_id) WHERE song_id IS NOT NULL DO NOTHING RETURNING id",
    )
    .bind(setlist)
    .bind(song)
    .bind(title)
    .bind(user)
    .fetch_optional(&mut *db)
    .await?;
    match id {
        Some(id) => Ok((id, true)),
        // Lost a race for the same song: answer the winner's line.
        None => sqlx::query_scalar(
            "SELECT id FROM setlist_songs WHERE setlist_id = $1 AND song_id = $2",
        )
        .bind(setlist)
        .bind(song)
        .fetch_one(db)
        .await
        .map(|id| (id, false)),
    }
}

/// What a vote needs to know about a line: its show and the kind of list it is on.
#[derive(Debug, FromRow)]
pub struct LineContext {
    pub show_id: Uuid,
    #[sqlx(try_from = "String")]
    pub source: SetlistSource,
    /// The show's voting window is open (as [`window`] computes it).
    pub open: bool,
}

pub async fn line_context(
    db: impl PgExecutor<'_>,
    line: Uuid,
) -> sqlx::Result<Option<LineContext>> {
    sqlx::query_as(
        "SELECT l.show_id, l.source, \
                (s.status = 'upcoming' AND now() < coalesce(s.starts_at, \
                    (s.date + coalesce(s.start_time, time '19:00')) AT TIME ZONE 'UTC')) AS open \
         FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
         WHERE ss.id = $1 AND l.moderation_status <> 'hidden'",
    )
    .bind(line)
    .fetch_optional(db)
    .await
}

#[derive(Debug, FromRow)]
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
    sqlx::query_as::<_, TotalsRow>(
        "SELECT id, song_id, title, upvotes, downvotes, net_votes FROM setlist_songs WHERE id = $1",
    )
    .bind(line)
    .fetch_one(db)
    .await
    .map(Into::into)
}

pub use super::feed::Cursor;

#[derive(Debug, FromRow)]
struct ChangeRow {
    tx: i64,
    seq: i64,
    #[sqlx(flatten)]
    line: TotalsRow,
}

/// Community-list lines of `show` changed after `after`, in feed order. Only changes of
/// transactions older than every running one are served, so a late commit never lands behind
/// the cursor.
pub async fn changes_after(
    db: impl PgExecutor<'_>,
    show: Uuid,
    after: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<(Cursor, SongTotals)>> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT ss.change_tx::text::bigint AS tx, ss.change_seq AS seq, ss.id, ss.song_id, ss.title, \
                ss.upvotes, ss.downvotes, ss.net_votes \
         FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'community' \
           AND (ss.change_tx, ss.change_seq) > ($2::text::xid8, $3) \
           AND ss.change_tx < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY ss.change_tx, ss.change_seq LIMIT $4",
    )
    .bind(show)
    .bind(after.tx.to_string())
    .bind(after.seq)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                Cursor {
                    tx: r.tx,
                    seq: r.seq,
                },
                r.line.into(),
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
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'community' \
           AND (ss.change_tx, ss.change_seq) > ($2::text::xid8, $3) \
           AND ss.change_tx >= pg_snapshot_xmin(pg_current_snapshot()))",
    )
    .bind(show)
    .bind(after.tx.to_string())
    .bind(after.seq)
    .fetch_one(db)
    .await
}

/// The feed position that covers everything visible now, for a list read in the same breath.
pub async fn watermark(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Cursor> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT ss.change_tx::text::bigint, ss.change_seq \
         FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'community' \
           AND ss.change_tx < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY ss.change_tx DESC, ss.change_seq DESC LIMIT 1",
    )
    .bind(show)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(tx, seq)| Cursor { tx, seq }).unwrap_or_default())
}

#[derive(Debug, FromRow)]
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
    sqlx::query_as(
        "SELECT ss.song_id, ss.title, ss.set_name = 'encore' AS encore, l.updated_at \
         FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE l.show_id = $1 AND l.source = 'user' AND l.owner_user_id = $2 AND ss.song_id IS NOT NULL \
         ORDER BY ss.position",
    )
    .bind(show)
    .bind(user)
    .fetch_all(db)
    .await
}

/// Titles of the songs of `artist`'s catalogue among `songs`.
pub async fn catalogue_titles(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    songs: &[Uuid],
) -> sqlx::Result<std::collections::HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT s.id, s.title FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND x.song_id = ANY($2)",
    )
    .bind(artist)
    .bind(songs)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Replaces a fan's prediction with `lines` (song, title, encore), in order.
pub async fn replace_prediction(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
    user: Uuid,
    lines: &[(Uuid, String, bool)],
) -> sqlx::Result<()> {
    let setlist: Uuid = sqlx::query_scalar(
        "INSERT INTO setlists (show_id, artist_id, kind, source, owner_user_id) \
         VALUES ($1, $2, 'predicted', 'user', $3) \
         ON CONFLICT (show_id, artist_id, owner_user_id) WHERE source = 'user' \
         DO UPDATE SET version = setlists.version + 1 RETURNING id",
    )
    .bind(show)
    .bind(artist)
    .bind(user)
    .fetch_one(&mut *db)
    .await?;
    sqlx::query("DELETE FROM setlist_songs WHERE setlist_id = $1")
        .bind(setlist)
        .execute(&mut *db)
        .await?;
    for (position, (song, title, encore)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(setlist)
        .bind(song)
        .bind(title)
        .bind(position as i32)
        .bind(if *encore { "encore" } else { "main" })
        .bind(user)
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

#[derive(Debug, FromRow)]
struct PastRow {
    days_before: i32,
    same_run: bool,
    songs: Vec<String>,
}

/// What `theset_shared::likely` needs for `show`: the headliner's actual set-lists of the two
/// years before it (song ids as identities; unmatched titles by normalised title), and the
/// catalogue as `(id, title)`.
pub async fn likely_inputs(
    db: &mut PgConnection,
    show: Uuid,
) -> sqlx::Result<(Vec<theset_shared::likely::PastShow>, Vec<(Uuid, String)>)> {
    let past: Vec<PastRow> = sqlx::query_as(
        "WITH target AS (SELECT headliner_artist_id AS artist, date, venue_id FROM shows WHERE id = $1) \
         SELECT (t.date - s.date)::int AS days_before, \
                (s.venue_id IS NOT DISTINCT FROM t.venue_id AND t.date - s.date BETWEEN 1 AND 3) AS same_run, \
                array_agg(coalesce(ss.song_id::text, 't:' || lower(ss.title)) ORDER BY ss.position) AS songs \
         FROM target t JOIN setlists l ON l.artist_id = t.artist AND l.kind = 'actual' \
         JOIN shows s ON s.id = l.show_id JOIN setlist_songs ss ON ss.setlist_id = l.id \
         WHERE s.date < t.date AND s.date >= t.date - 730 AND NOT ss.is_tape AND l.moderation_status <> 'hidden' \
         GROUP BY l.id, s.date, s.venue_id, t.date, t.venue_id",
    )
    .bind(show)
    .fetch_all(&mut *db)
    .await?;
    let catalogue: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT s.id, s.title FROM shows sh JOIN artist_songs x ON x.artist_id = sh.headliner_artist_id \
         JOIN songs s ON s.id = x.song_id WHERE sh.id = $1",
    )
    .bind(show)
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
        catalogue,
    ))
}

/// Whether the show has a community list at all (hidden ones included).
pub async fn has_community(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM setlists WHERE show_id = $1 AND source = 'community')",
    )
    .bind(show)
    .fetch_one(db)
    .await
}
