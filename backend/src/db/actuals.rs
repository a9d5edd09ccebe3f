//! Actual set-lists as versions (`setlists` of kind `actual`, `setlist_versions`) and their
//! verification; scoring and leaderboards are `scores.rs`.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::SetlistKind;
use uuid::Uuid;

#[derive(Debug)]
pub struct Head {
    pub show_id: Uuid,
    pub artist_id: Uuid,
    pub version: i32,
    pub kind: SetlistKind,
}

/// The set-list, locked for a change.
pub async fn lock(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<Option<Head>> {
    sqlx::query_as!(
        Head,
        "SELECT show_id, artist_id, version, kind AS \"kind: SetlistKind\" FROM setlists \
         WHERE id = $1 FOR UPDATE",
        setlist
    )
    .fetch_optional(db)
    .await
}

/// Creates the show's actual list by hand (source `manual`), unless it has one: `None` then.
pub async fn create_manual(
    db: impl PgExecutor<'_>,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO setlists (show_id, artist_id, kind, source, moderation_status) \
         VALUES ($1, $2, 'actual', 'manual', 'pending') ON CONFLICT DO NOTHING RETURNING id",
        show,
        artist
    )
    .fetch_optional(db)
    .await
}

/// The show's actual list, if it has one.
pub async fn actual_of(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM setlists WHERE show_id = $1 AND kind = 'actual' LIMIT 1",
        show
    )
    .fetch_optional(db)
    .await
}

/// Whether the show has an actual set-list.
pub async fn has_actual(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM setlists WHERE show_id = $1 AND kind = 'actual') AS \"has!\"",
        show
    )
    .fetch_one(db)
    .await
}

// The version JSON of a list's lines is built the same way here and in `history` (the current
// version not yet in the history): keep the two in step.

/// The current lines as version JSON (what history shows for a version).
pub async fn current_songs(db: impl PgExecutor<'_>, setlist: Uuid) -> sqlx::Result<Value> {
    sqlx::query_scalar!(
        "SELECT coalesce(jsonb_agg(jsonb_build_object('title', title, 'song_id', song_id, \
                'set_name', set_name, 'is_cover', is_cover, 'is_tape', is_tape) ORDER BY position), \
                '[]'::jsonb) AS \"songs!\" \
         FROM setlist_songs WHERE setlist_id = $1",
        setlist
    )
    .fetch_one(db)
    .await
}

/// Keeps the version the list has now in the history, if it is not there yet (the imported
/// original before its first correction).
pub async fn keep_current(db: &mut PgConnection, setlist: Uuid, version: i32) -> sqlx::Result<()> {
    let songs = current_songs(&mut *db, setlist).await?;
    sqlx::query!(
        "INSERT INTO setlist_versions (setlist_id, version, songs, note) VALUES ($1, $2, $3, 'imported') \
         ON CONFLICT DO NOTHING",
        setlist,
        version,
        songs
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// A matched line: `(song, title, set name, cover, tape)`.
pub type NewLine = (Option<Uuid>, String, String, bool, bool);

/// Writes `lines` as the next version by `author`; the list waits for verification again.
pub async fn write_version(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    author: Uuid,
    note: Option<&str>,
    lines: &[NewLine],
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM setlist_songs WHERE setlist_id = $1", setlist)
        .execute(&mut *db)
        .await?;
    for (position, (song, title, set_name, cover, tape)) in lines.iter().enumerate() {
        let position = position as i32;
        sqlx::query!(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, is_cover, is_tape, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            setlist,
            *song,
            title.as_str(),
            position,
            set_name.as_str(),
            *cover,
            *tape,
            author
        )
        .execute(&mut *db)
        .await?;
    }
    pending_version(&mut *db, setlist, version).await?;
    let songs = current_songs(&mut *db, setlist).await?;
    sqlx::query!(
        "INSERT INTO setlist_versions (setlist_id, version, author_id, note, songs) VALUES ($1, $2, $3, $4, $5)",
        setlist,
        version,
        author,
        note,
        songs
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Makes `version` the list's current one, waiting for verification again.
pub(crate) async fn pending_version(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET version = $2, moderation_status = 'pending' WHERE id = $1",
        setlist,
        version
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug)]
pub struct VersionRow {
    pub version: i32,
    pub author: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub songs: Value,
    pub verified: bool,
    pub reject_reason: Option<String>,
}

/// The versions of a public list (actual or community), newest first, the current one included
/// even before any correction; nothing for a fan's own prediction, which is private until scored.
/// A page: versions older than `before` (all when `None`), at most `limit`.
pub async fn history(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    before: Option<i32>,
    limit: i64,
) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as!(
        VersionRow,
        "SELECT v.version AS \"version!\", u.display_name AS \"author?\", v.note AS \"note?\", \
                v.created_at AS \"created_at!\", v.songs AS \"songs!\", \
                coalesce(l.verified_version = v.version, false) AS \"verified!\", \
                v.reject_reason AS \"reject_reason?\" \
         FROM setlist_versions v JOIN setlists l ON l.id = v.setlist_id \
         LEFT JOIN users u ON u.id = v.author_id \
         WHERE v.setlist_id = $1 AND (l.kind = 'actual' OR l.source IN ('community', 'crowd')) \
           AND ($2::int4 IS NULL OR v.version < $2) \
         UNION ALL \
         SELECT l.version, NULL, 'imported', l.created_at, \
                (SELECT coalesce(jsonb_agg(jsonb_build_object('title', title, 'song_id', song_id, \
                   'set_name', set_name, 'is_cover', is_cover, 'is_tape', is_tape) ORDER BY position), '[]'::jsonb) \
                 FROM setlist_songs WHERE setlist_id = l.id), \
                coalesce(l.verified_version = l.version, false), NULL \
         FROM setlists l WHERE l.id = $1 AND (l.kind = 'actual' OR l.source IN ('community', 'crowd')) \
           AND ($2::int4 IS NULL OR l.version < $2) \
           AND NOT EXISTS (SELECT 1 FROM setlist_versions v WHERE v.setlist_id = l.id AND v.version = l.version) \
         ORDER BY 1 DESC LIMIT $3",
        setlist,
        before,
        limit
    )
    .fetch_all(db)
    .await
}

/// Versions of `setlist` that `author` wrote in the last day (the daily cap on corrections).
pub async fn versions_by_today(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    author: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM setlist_versions \
         WHERE setlist_id = $1 AND author_id = $2 AND created_at > now() - interval '1 day'",
        setlist,
        author
    )
    .fetch_one(db)
    .await
}

/// The version a rejection goes back to: the verified one if it is older than `current`, else the
/// newest earlier version not itself rejected. `(version, songs, verified)`.
pub async fn restore_target(
    db: &mut PgConnection,
    setlist: Uuid,
    current: i32,
) -> sqlx::Result<Option<(i32, Value, bool)>> {
    sqlx::query!(
        "SELECT v.version, v.songs, coalesce(v.version = l.verified_version, false) AS \"verified!\" \
         FROM setlist_versions v JOIN setlists l ON l.id = v.setlist_id \
         WHERE v.setlist_id = $1 AND v.version < $2 AND v.rejected_at IS NULL \
         ORDER BY (v.version = l.verified_version) IS TRUE DESC, v.version DESC LIMIT 1",
        setlist,
        current
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.version, r.songs, r.verified)))
}

pub async fn mark_rejected(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    moderator: Uuid,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlist_versions SET rejected_by = $3, rejected_at = now(), reject_reason = $4 \
         WHERE setlist_id = $1 AND version = $2",
        setlist,
        version,
        moderator,
        reason
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// The list is back on its verified content under a new version number: it stays verified
/// (its scores were computed from that content) without a second verification.
pub async fn carry_verification(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET moderation_status = 'verified', verified_version = $2 WHERE id = $1",
        setlist,
        version
    )
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn verified_version(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT verified_version FROM setlists WHERE id = $1",
        setlist
    )
    .fetch_one(db)
    .await
}

pub async fn mark_verified(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    moderator: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET moderation_status = 'verified', verified_version = $2, verified_by = $3, \
                verified_at = now() WHERE id = $1",
        setlist,
        version,
        moderator
    )
    .execute(db)
    .await
    .map(|_| ())
}
