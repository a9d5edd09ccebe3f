//! Live captures (`captures`) and the crowd set-list they merge into (a `setlists` row of
//! source `crowd`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::{SetlistKind, ShowStatus};
use theset_shared::crowd::Capture;
use theset_shared::sync::CaptureAction;
use uuid::Uuid;

/// The job type of a crowd merge (`jobs::types::CROWD_MERGE`), named here where it is queued.
pub const MERGE_JOB: &str = "live.crowd_merge";

/// What a capture needs to know of its show.
#[derive(Debug)]
pub struct LiveShow {
    pub artist_id: Uuid,
    pub date: NaiveDate,
    pub starts_at: Option<DateTime<Utc>>,
    pub status: ShowStatus,
}

pub async fn live_show(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<LiveShow>> {
    let row = sqlx::query!(
        "SELECT headliner_artist_id AS artist_id, date, starts_at, status AS \"status: ShowStatus\" \
         FROM shows WHERE id = $1",
        show
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| LiveShow {
        artist_id: r.artist_id,
        date: r.date,
        starts_at: r.starts_at,
        status: r.status,
    }))
}

/// Whether `song` is in the artist's catalogue.
pub async fn in_catalogue(db: impl PgExecutor<'_>, artist: Uuid, song: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM artist_songs WHERE artist_id = $1 AND song_id = $2) AS \"in!\"",
        artist,
        song
    )
    .fetch_one(db)
    .await
}

/// What storing a capture did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The same capture arrived before.
    Again,
    /// The id belongs to another account's capture.
    Foreign,
}

pub async fn insert(db: &mut PgConnection, user: Uuid, c: &CaptureAction) -> sqlx::Result<Stored> {
    let new = sqlx::query_scalar!(
        "INSERT INTO captures (id, show_id, user_id, song_id, title, captured_at, encore) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING true AS \"new!\"",
        c.capture_id,
        c.show_id,
        user,
        c.song_id,
        c.title.trim(),
        c.at,
        c.encore
    )
    .fetch_optional(&mut *db)
    .await?;
    if new.is_some() {
        return Ok(Stored::New);
    }
    let owner = sqlx::query_scalar!("SELECT user_id FROM captures WHERE id = $1", c.capture_id)
        .fetch_one(db)
        .await?;
    Ok(if owner == user {
        Stored::Again
    } else {
        Stored::Foreign
    })
}

/// Takes back a capture of `user`; its show when it was (or already had been) taken back,
/// `None` when the user has no such capture.
pub async fn undo(
    db: impl PgExecutor<'_>,
    user: Uuid,
    capture: Uuid,
) -> sqlx::Result<Option<(Uuid, bool)>> {
    sqlx::query!(
        "WITH up AS (UPDATE captures SET undone_at = now() \
                     WHERE id = $1 AND user_id = $2 AND undone_at IS NULL RETURNING show_id) \
         SELECT show_id AS \"show_id!\", true AS \"changed!\" FROM up \
         UNION ALL SELECT show_id, false FROM captures \
          WHERE id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM up) LIMIT 1",
        capture,
        user
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.show_id, r.changed)))
}

/// Every standing capture of a show.
pub async fn of_show(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Vec<Capture>> {
    let rows = sqlx::query!(
        "SELECT id, user_id, song_id, title, captured_at, encore FROM captures \
         WHERE show_id = $1 AND undone_at IS NULL",
        show
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Capture {
            id: r.id,
            user: r.user_id,
            song_id: r.song_id,
            title: r.title,
            at: r.captured_at,
            encore: r.encore,
        })
        .collect())
}

/// The crowd list of a show, locked for the merge.
#[derive(Debug)]
pub struct CrowdHead {
    pub id: Uuid,
    pub kind: SetlistKind,
    pub version: i32,
    /// A person corrected or verified it: the merge leaves it alone from then on.
    pub settled: bool,
}

pub async fn lock_crowd(
    db: &mut PgConnection,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Option<CrowdHead>> {
    sqlx::query_as!(
        CrowdHead,
        "SELECT l.id, l.kind AS \"kind: SetlistKind\", l.version, \
                (l.moderation_status = 'verified' OR EXISTS (SELECT 1 FROM setlist_versions v \
                  WHERE v.setlist_id = l.id AND v.version = l.version AND v.author_id IS NOT NULL)) AS \"settled!\" \
         FROM setlists l WHERE l.show_id = $1 AND l.artist_id = $2 AND l.source = 'crowd' FOR UPDATE",
        show,
        artist
    )
    .fetch_optional(db)
    .await
}

/// The show's public crowd lists and their versions, by id: what a live stream compares to
/// tell that the crowd list changed (one cheap read per wake-up of the show's reader).
pub async fn crowd_versions(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Vec<(Uuid, i32)>> {
    sqlx::query!(
        "SELECT id, version FROM setlists WHERE show_id = $1 AND source = 'crowd' \
         AND moderation_status NOT IN ('hidden', 'rejected') ORDER BY id",
        show
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.version)).collect())
}

/// Starts the show's crowd list unless it has one: its actual list when it has none, else kept
/// beside it.
pub async fn ensure_crowd(db: &mut PgConnection, show: Uuid, artist: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO setlists (show_id, artist_id, kind, source, moderation_status) \
         SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM setlists WHERE show_id = $1 AND artist_id = $2 \
                                          AND kind = 'actual') THEN 'crowd'::setlist_kind ELSE 'actual' END, \
                'crowd', 'pending' \
         ON CONFLICT DO NOTHING",
        show,
        artist
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Queues a merge of the show's captures unless one is queued already. The queued job's row is
/// locked while this transaction runs, so a worker cannot claim it (and read the captures)
/// before this capture commits; once claimed, the next capture queues another.
pub async fn queue_merge(db: &mut PgConnection, show: Uuid, artist: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH queued AS (SELECT id FROM sync_jobs WHERE job_type = $1 AND status = 'queued' \
                         AND payload = $2 FOR UPDATE) \
         INSERT INTO sync_jobs (job_type, payload, artist_id, priority, max_attempts) \
         SELECT $1, $2, $3, 30, 5 WHERE NOT EXISTS (SELECT 1 FROM queued)",
        MERGE_JOB,
        serde_json::json!({ "show_id": show }),
        artist
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// A line of the crowd list as stored: `(song, title, set name, seconds into the show)`.
pub type CrowdRow = (Option<Uuid>, String, String, f64);

/// The stored lines, to see whether a merge changed anything.
pub async fn crowd_lines(db: impl PgExecutor<'_>, setlist: Uuid) -> sqlx::Result<Vec<CrowdRow>> {
    let rows = sqlx::query!(
        "SELECT song_id, title, set_name, coalesce(extract(epoch FROM play_time)::float8, 0) AS \"secs!\" \
         FROM setlist_songs WHERE setlist_id = $1 ORDER BY position",
        setlist
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.song_id, r.title, r.set_name, r.secs))
        .collect())
}

/// Writes `lines` as version `version` of the crowd list (authored by nobody: the merge).
pub async fn write_crowd(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    lines: &[CrowdRow],
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM setlist_songs WHERE setlist_id = $1", setlist)
        .execute(&mut *db)
        .await?;
    for (position, (song, title, set_name, secs)) in lines.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, play_time) \
             VALUES ($1, $2, $3, $4, $5, make_interval(secs => $6))",
            setlist,
            *song,
            title.as_str(),
            position as i32,
            set_name.as_str(),
            *secs
        )
        .execute(&mut *db)
        .await?;
    }
    super::actuals::pending_version(&mut *db, setlist, version).await?;
    let songs = super::actuals::current_songs(&mut *db, setlist).await?;
    sqlx::query!(
        "INSERT INTO setlist_versions (setlist_id, version, note, songs) VALUES ($1, $2, 'crowd', $3) \
         ON CONFLICT (setlist_id, version) DO UPDATE SET songs = $3, note = 'crowd'",
        setlist,
        version,
        songs
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Deletes a crowd list nobody's captures support any more, and tells the show's live streams
/// (deleted lines fire no change trigger; written ones do).
pub async fn drop_crowd(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH gone AS (DELETE FROM setlists WHERE id = $1 AND source = 'crowd' RETURNING show_id) \
         SELECT pg_notify('show_changes', show_id::text) FROM gone",
        setlist
    )
    .fetch_all(db)
    .await
    .map(|_| ())
}
