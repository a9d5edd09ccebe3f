//! Sync: devices and their applied sequence, per-mutation results, the change log the pull
//! reads, and the rows of a user's scope as the pull sends them.
//!
//! A user's scope is every followed artist (the artist, its catalogue, its shows from
//! `PAST_SHOW_DAYS` ago on, and their community and actual set-lists with lines and totals) plus
//! the user's own rows (follows, personal predictions, votes).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgConnection, PgExecutor};
use theset_shared::sync::{PAST_SHOW_DAYS, SyncLine, SyncSetlist, SyncShow, SyncSong, SyncVote};
use uuid::Uuid;

use super::artists::{ArtistRow, UPCOMING_COUNT};
use super::feed::Cursor;
use super::shows::{SHOW_COLUMNS, SHOW_FROM, ShowRow};

/// Locks the device row, creating it for `user` on first use; `None` when it belongs to
/// someone else. Returns the last applied sequence.
pub async fn lock_device(
    db: &mut PgConnection,
    device: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<i64>> {
    sqlx::query("INSERT INTO devices (id, user_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(device)
        .bind(user)
        .execute(&mut *db)
        .await?;
    let row: (Uuid, i64) =
        sqlx::query_as("SELECT user_id, last_seq FROM devices WHERE id = $1 FOR UPDATE")
            .bind(device)
            .fetch_one(&mut *db)
            .await?;
    Ok((row.0 == user).then_some(row.1))
}

/// The device's last applied sequence without creating it; `None` when it belongs to someone
/// else, `Some(0)` when unknown.
pub async fn last_seq(
    db: impl PgExecutor<'_>,
    device: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(Uuid, i64)> =
        sqlx::query_as("SELECT user_id, last_seq FROM devices WHERE id = $1")
            .bind(device)
            .fetch_optional(db)
            .await?;
    Ok(match row {
        None => Some(0),
        Some((owner, seq)) => (owner == user).then_some(seq),
    })
}

/// The last sequence whose effects a pull can serve now: mutations applied by transactions not
/// yet below the horizon are left out, so a device never drops its local copy of a change before
/// the change itself arrives. `None` when the device belongs to someone else.
pub async fn served_seq(
    db: &mut PgConnection,
    device: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(Uuid, i64)> = sqlx::query_as(
        "SELECT d.user_id, coalesce((SELECT min(r.seq) - 1 FROM device_results r WHERE r.device_id = d.id \
                AND r.tx >= pg_snapshot_xmin(pg_current_snapshot())), d.last_seq) \
         FROM devices d WHERE d.id = $1",
    )
    .bind(device)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Some(0),
        Some((owner, seq)) => (owner == user).then_some(seq),
    })
}

pub async fn set_last_seq(db: &mut PgConnection, device: Uuid, seq: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE devices SET last_seq = $2, last_seen_at = now() WHERE id = $1")
        .bind(device)
        .bind(seq)
        .execute(db)
        .await
        .map(|_| ())
}

/// Stored results of already applied sequence numbers `from..=to`, by sequence.
pub async fn results(
    db: &mut PgConnection,
    device: Uuid,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, Uuid, Value)>> {
    sqlx::query_as(
        "SELECT seq, mutation_id, outcome FROM device_results WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
    )
    .bind(device)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Records the answers of a chunk of applied mutations: `(seq, mutation, outcome)`.
pub async fn record_results(
    db: &mut PgConnection,
    device: Uuid,
    rows: &[(i64, Uuid, Value)],
) -> sqlx::Result<()> {
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let outcomes: Vec<Value> = rows.iter().map(|r| r.2.clone()).collect();
    sqlx::query(
        "INSERT INTO device_results (device_id, seq, mutation_id, outcome) \
         SELECT $1, * FROM unnest($2::int8[], $3::uuid[], $4::jsonb[])",
    )
    .bind(device)
    .bind(&seqs)
    .bind(&ids)
    .bind(&outcomes)
    .execute(db)
    .await
    .map(|_| ())
}

/// Which of `mutations` the device already used (under other sequence numbers).
pub async fn mutations_seen(
    db: &mut PgConnection,
    device: Uuid,
    mutations: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT mutation_id FROM device_results WHERE device_id = $1 AND mutation_id = ANY($2)",
    )
    .bind(device)
    .bind(mutations)
    .fetch_all(db)
    .await
}

/// One entry of the change log.
#[derive(Debug, FromRow)]
pub struct ChangeRef {
    pub tx: i64,
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub artist_id: Option<Uuid>,
    pub deleted: bool,
}

/// Every position below this has been decided: no running transaction can still add to it.
pub async fn watermark(db: &mut PgConnection) -> sqlx::Result<Cursor> {
    let xmin: i64 =
        sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            .fetch_one(db)
            .await?;
    Ok(Cursor {
        tx: xmin - 1,
        seq: i64::MAX,
    })
}

/// The oldest position the log still holds.
pub async fn horizon(db: &mut PgConnection) -> sqlx::Result<Cursor> {
    let (tx, seq): (i64, i64) = sqlx::query_as("SELECT tx, seq FROM sync_horizon")
        .fetch_one(db)
        .await?;
    Ok(Cursor { tx, seq })
}

/// Changes in `user`'s scope after `after` and below the watermark, in log order.
pub async fn changes_after(
    db: &mut PgConnection,
    user: Uuid,
    after: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<ChangeRef>> {
    sqlx::query_as(
        "SELECT c.tx::text::bigint AS tx, c.seq, c.entity, c.entity_id, c.artist_id, c.deleted \
         FROM sync_changes c \
         WHERE (c.tx, c.seq) > ($2::text::xid8, $3) AND c.tx < pg_snapshot_xmin(pg_current_snapshot()) \
           AND (c.user_id = $1 OR c.artist_id IN (SELECT artist_id FROM user_follows_artists WHERE user_id = $1)) \
         ORDER BY c.tx, c.seq LIMIT $4",
    )
    .bind(user)
    .bind(after.tx.to_string())
    .bind(after.seq)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Forgets log entries older than `days` and moves the horizon past them.
pub async fn prune(db: &mut PgConnection, days: i32) -> sqlx::Result<u64> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT tx::text::bigint, seq FROM sync_changes WHERE at < now() - make_interval(days => $1) \
         ORDER BY tx DESC, seq DESC LIMIT 1",
    )
    .bind(days)
    .fetch_optional(&mut *db)
    .await?;
    let Some((tx, seq)) = row else {
        return Ok(0);
    };
    sqlx::query("UPDATE sync_horizon SET tx = greatest(tx, $1), seq = CASE WHEN $1 >= tx THEN $2 ELSE seq END")
        .bind(tx)
        .bind(seq)
        .execute(&mut *db)
        .await?;
    let gone = sqlx::query("DELETE FROM sync_changes WHERE (tx, seq) <= ($1::text::xid8, $2)")
        .bind(tx.to_string())
        .bind(seq)
        .execute(&mut *db)
        .await?
        .rows_affected();
    // A device that has not pushed for as long has its retries answered from `last_seq` alone.
    sqlx::query("DELETE FROM device_results WHERE at < now() - make_interval(days => $1)")
        .bind(days)
        .execute(db)
        .await?;
    Ok(gone)
}

/// Which rows of an entity to read.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// These ids (from the change log).
    Ids(&'a [Uuid]),
    /// Everything of these artists (a snapshot, or a new follow).
    OfArtists(&'a [Uuid]),
    /// The user's own (predictions, votes).
    Mine,
}

fn show_window() -> String {
    format!("s.date >= current_date - {PAST_SHOW_DAYS}")
}

pub async fn artists(db: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<ArtistRow>> {
    sqlx::query_as(&format!(
        "SELECT a.id, a.slug, a.name, lower(a.name) AS sort_name, a.image_url, a.genres, a.popularity, \
                a.followers, a.trending_score, {UPCOMING_COUNT} FROM artists a WHERE a.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct SyncShowRow {
    #[sqlx(flatten)]
    pub show: ShowRow,
    pub venue_lat: Option<f64>,
    pub venue_lng: Option<f64>,
}

impl From<SyncShowRow> for SyncShow {
    fn from(r: SyncShowRow) -> Self {
        Self {
            summary: r.show.into(),
            venue_lat: r.venue_lat,
            venue_lng: r.venue_lng,
        }
    }
}

pub async fn shows(db: &mut PgConnection, rows: Rows<'_>) -> sqlx::Result<Vec<SyncShowRow>> {
    let (which, ids) = match rows {
        Rows::Ids(ids) => ("s.id = ANY($1)", ids),
        Rows::OfArtists(ids) => ("s.headliner_artist_id = ANY($1)", ids),
        Rows::Mine => return Ok(Vec::new()),
    };
    sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS}, ST_Y(v.location::geometry) AS venue_lat, ST_X(v.location::geometry) AS venue_lng \
         {SHOW_FROM} WHERE {which} AND {}",
        show_window()
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct SongRow {
    id: Uuid,
    artist_id: Uuid,
    title: String,
    album: Option<String>,
    release_date: Option<NaiveDate>,
    popularity: Option<i32>,
}

impl From<SongRow> for SyncSong {
    fn from(r: SongRow) -> Self {
        Self {
            id: r.id,
            artist_id: r.artist_id,
            title: r.title,
            album: r.album,
            release_date: r.release_date,
            popularity: r.popularity,
        }
    }
}

/// Catalogue entries: of these artists, or these `(artist, song)` pairs.
pub async fn songs(
    db: &mut PgConnection,
    artists: &[Uuid],
    songs: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SongRow>> {
    let q = "SELECT s.id, x.artist_id, s.title, s.album, s.release_date, s.popularity \
             FROM artist_songs x JOIN songs s ON s.id = x.song_id";
    match songs {
        Some(songs) => sqlx::query_as(&format!(
            "{q} WHERE (x.artist_id, x.song_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))"
        ))
        .bind(artists)
        .bind(songs)
        .fetch_all(db)
        .await,
        None => {
            sqlx::query_as(&format!("{q} WHERE x.artist_id = ANY($1)"))
                .bind(artists)
                .fetch_all(db)
                .await
        }
    }
}

/// Set-lists a user may hold: community and actual lists of in-window shows (not hidden), and
/// the user's own predictions.
const VISIBLE: &str =
    "((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2)";

fn setlist_rows(rows: Rows<'_>) -> (&'static str, &[Uuid]) {
    match rows {
        Rows::Ids(ids) => ("l.id = ANY($1)", ids),
        Rows::OfArtists(ids) => ("l.artist_id = ANY($1) AND l.source <> 'user'", ids),
        Rows::Mine => ("l.owner_user_id = $2 AND cardinality($1::uuid[]) = 0", &[]),
    }
}

#[derive(Debug, FromRow)]
pub struct SetlistRow {
    id: Uuid,
    show_id: Uuid,
    artist_id: Uuid,
    kind: String,
    source: String,
    version: i32,
    verified: bool,
    accuracy_score: Option<f64>,
    updated_at: DateTime<Utc>,
}

impl From<SetlistRow> for SyncSetlist {
    fn from(r: SetlistRow) -> Self {
        Self {
            id: r.id,
            show_id: r.show_id,
            artist_id: r.artist_id,
            kind: r.kind,
            source: r.source,
            version: r.version,
            verified: r.verified,
            accuracy_score: r.accuracy_score,
            updated_at: r.updated_at,
        }
    }
}

pub async fn setlists(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<SetlistRow>> {
    let (which, ids) = setlist_rows(rows);
    sqlx::query_as(&format!(
        "SELECT l.id, l.show_id, l.artist_id, l.kind, l.source, l.version, \
                l.moderation_status = 'verified' AS verified, l.accuracy_score, l.updated_at \
         FROM setlists l JOIN shows s ON s.id = l.show_id \
         WHERE {which} AND {VISIBLE} AND {}",
        show_window()
    ))
    .bind(ids)
    .bind(user)
    .fetch_all(db)
    .await
}

#[derive(Debug, FromRow)]
pub struct LineRow {
    id: Uuid,
    setlist_id: Uuid,
    song_id: Option<Uuid>,
    title: String,
    position: i32,
    set_name: String,
    is_cover: bool,
    is_tape: bool,
    upvotes: i32,
    downvotes: i32,
    net_votes: i32,
}

impl From<LineRow> for SyncLine {
    fn from(r: LineRow) -> Self {
        Self {
            id: r.id,
            setlist_id: r.setlist_id,
            song_id: r.song_id,
            title: r.title,
            position: r.position,
            set_name: r.set_name,
            is_cover: r.is_cover,
            is_tape: r.is_tape,
            upvotes: r.upvotes,
            downvotes: r.downvotes,
            net_votes: r.net_votes,
        }
    }
}

/// Lines by id, or the lines of the set-lists `rows` selects.
pub async fn lines(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<LineRow>> {
    let (which, ids) = match rows {
        Rows::Ids(ids) => ("ss.id = ANY($1)", ids),
        other => setlist_rows(other),
    };
    sqlx::query_as(&format!(
        "SELECT ss.id, ss.setlist_id, ss.song_id, ss.title, ss.position, ss.set_name, ss.is_cover, ss.is_tape, \
                ss.upvotes, ss.downvotes, ss.net_votes \
         FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
         WHERE {which} AND {VISIBLE} AND {}",
        show_window()
    ))
    .bind(ids)
    .bind(user)
    .fetch_all(db)
    .await
}

/// The user's vote registers: on these lines (0 where there is none), or all of them.
pub async fn votes(
    db: &mut PgConnection,
    user: Uuid,
    lines: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SyncVote>> {
    let rows: Vec<(Uuid, i16, i64)> = match lines {
        Some(lines) => {
            sqlx::query_as(
                "SELECT x.id, coalesce(v.value, 0::smallint), coalesce(c.hlc, 0) FROM unnest($1::uuid[]) AS x(id) \
                 LEFT JOIN votes v ON v.setlist_song_id = x.id AND v.user_id = $2 \
                 LEFT JOIN vote_clocks c ON c.setlist_song_id = x.id AND c.user_id = $2",
            )
            .bind(lines)
            .bind(user)
            .fetch_all(db)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT c.setlist_song_id, coalesce(v.value, 0::smallint), c.hlc FROM vote_clocks c \
                 LEFT JOIN votes v ON v.setlist_song_id = c.setlist_song_id AND v.user_id = c.user_id \
                 JOIN setlist_songs ss ON ss.id = c.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
                 JOIN shows s ON s.id = l.show_id WHERE c.user_id = $1 AND {}",
                show_window()
            ))
            .bind(user)
            .fetch_all(db)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(line, value, hlc)| SyncVote {
            setlist_song_id: line,
            value,
            hlc: theset_shared::hlc::Hlc::from_i64(hlc),
        })
        .collect())
}

/// Followed artists, by id (snapshot pages walk them in this order).
pub async fn followed(
    db: &mut PgConnection,
    user: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 AND ($2::uuid IS NULL OR artist_id > $2) \
         ORDER BY artist_id LIMIT $3",
    )
    .bind(user)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Which of `artists` the user follows now.
pub async fn follows_of(
    db: &mut PgConnection,
    user: Uuid,
    artists: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT artist_id FROM user_follows_artists WHERE user_id = $1 AND artist_id = ANY($2)",
    )
    .bind(user)
    .bind(artists)
    .fetch_all(db)
    .await
}
