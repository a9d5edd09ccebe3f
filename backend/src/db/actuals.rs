//! Actual set-lists as versions (`setlists` of kind `actual`, `setlist_versions`), verification,
//! scores and leaderboards.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgConnection, PgExecutor};
use theset_shared::api::SetlistKind;
use uuid::Uuid;

#[derive(Debug, FromRow)]
pub struct Head {
    pub show_id: Uuid,
    pub artist_id: Uuid,
    pub version: i32,
    #[sqlx(try_from = "String")]
    pub kind: SetlistKind,
}

/// The set-list, locked for a change.
pub async fn lock(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<Option<Head>> {
    sqlx::query_as(
        "SELECT show_id, artist_id, version, kind FROM setlists WHERE id = $1 FOR UPDATE",
    )
    .bind(setlist)
    .fetch_optional(db)
    .await
}

/// The current lines as version JSON (what history shows for a version).
pub async fn current_songs(db: impl PgExecutor<'_>, setlist: Uuid) -> sqlx::Result<Value> {
    sqlx::query_scalar(
        "SELECT coalesce(jsonb_agg(jsonb_build_object('title', title, 'song_id', song_id, \
                'set_name', set_name, 'is_cover', is_cover, 'is_tape', is_tape) ORDER BY position), '[]'::jsonb) \
         FROM setlist_songs WHERE setlist_id = $1",
    )
    .bind(setlist)
    .fetch_one(db)
    .await
}

/// Keeps the version the list has now in the history, if it is not there yet (the imported
/// original before its first correction).
pub async fn keep_current(db: &mut PgConnection, setlist: Uuid, version: i32) -> sqlx::Result<()> {
    let songs = current_songs(&mut *db, setlist).await?;
    sqlx::query(
        "INSERT INTO setlist_versions (setlist_id, version, songs, note) VALUES ($1, $2, $3, 'imported') \
         ON CONFLICT DO NOTHING",
    )
    .bind(setlist)
    .bind(version)
    .bind(songs)
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
    sqlx::query("DELETE FROM setlist_songs WHERE setlist_id = $1")
        .bind(setlist)
        .execute(&mut *db)
        .await?;
    for (position, (song, title, set_name, cover, tape)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO setlist_songs (setlist_id, song_id, title, position, set_name, is_cover, is_tape, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(setlist)
        .bind(song)
        .bind(title)
        .bind(position as i32)
        .bind(set_name)
        .bind(cover)
        .bind(tape)
        .bind(author)
        .execute(&mut *db)
        .await?;
    }
    sqlx::query("UPDATE setlists SET version = $2, moderation_status = 'pending' WHERE id = $1")
        .bind(setlist)
        .bind(version)
        .execute(&mut *db)
        .await?;
    let songs = current_songs(&mut *db, setlist).await?;
    sqlx::query(
        "INSERT INTO setlist_versions (setlist_id, version, author_id, note, songs) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(setlist)
    .bind(version)
    .bind(author)
    .bind(note)
    .bind(songs)
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug, FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub author: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub songs: Value,
    pub verified: bool,
    pub reject_reason: Option<String>,
}

/// Every version, newest first; the current one included even before any correction.
/// The versions of a public list (actual or community), newest first; nothing for a fan's own
/// prediction, which is private until scored.
pub async fn history(db: impl PgExecutor<'_>, setlist: Uuid) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT v.version, u.display_name AS author, v.note, v.created_at, v.songs, \
                coalesce(l.verified_version = v.version, false) AS verified, v.reject_reason \
         FROM setlist_versions v JOIN setlists l ON l.id = v.setlist_id \
         LEFT JOIN users u ON u.id = v.author_id \
         WHERE v.setlist_id = $1 AND (l.kind = 'actual' OR l.source = 'community') \
         UNION ALL \
         SELECT l.version, NULL, 'imported', l.created_at, \
                (SELECT coalesce(jsonb_agg(jsonb_build_object('title', title, 'song_id', song_id, \
                   'set_name', set_name, 'is_cover', is_cover, 'is_tape', is_tape) ORDER BY position), '[]'::jsonb) \
                 FROM setlist_songs WHERE setlist_id = l.id), \
                coalesce(l.verified_version = l.version, false), NULL \
         FROM setlists l WHERE l.id = $1 AND (l.kind = 'actual' OR l.source = 'community') \
           AND NOT EXISTS (SELECT 1 FROM setlist_versions v WHERE v.setlist_id = l.id AND v.version = l.version) \
         ORDER BY 1 DESC",
    )
    .bind(setlist)
    .fetch_all(db)
    .await
}

/// The version a rejection goes back to: the verified one if it is older than `current`, else the
/// newest earlier version not itself rejected. `(version, songs, verified)`.
pub async fn restore_target(
    db: &mut PgConnection,
    setlist: Uuid,
    current: i32,
) -> sqlx::Result<Option<(i32, Value, bool)>> {
    sqlx::query_as(
        "SELECT v.version, v.songs, coalesce(v.version = l.verified_version, false) AS verified \
         FROM setlist_versions v JOIN setlists l ON l.id = v.setlist_id \
         WHERE v.setlist_id = $1 AND v.version < $2 AND v.rejected_at IS NULL \
         ORDER BY (v.version = l.verified_version) IS TRUE DESC, v.version DESC LIMIT 1",
    )
    .bind(setlist)
    .bind(current)
    .fetch_optional(db)
    .await
}

pub async fn mark_rejected(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    moderator: Uuid,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE setlist_versions SET rejected_by = $3, rejected_at = now(), reject_reason = $4 \
         WHERE setlist_id = $1 AND version = $2",
    )
    .bind(setlist)
    .bind(version)
    .bind(moderator)
    .bind(reason)
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
    sqlx::query(
        "UPDATE setlists SET moderation_status = 'verified', verified_version = $2 WHERE id = $1",
    )
    .bind(setlist)
    .bind(version)
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn verified_version(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar("SELECT verified_version FROM setlists WHERE id = $1")
        .bind(setlist)
        .fetch_one(db)
        .await
}

pub async fn mark_verified(
    db: &mut PgConnection,
    setlist: Uuid,
    version: i32,
    moderator: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE setlists SET moderation_status = 'verified', verified_version = $2, verified_by = $3, \
                verified_at = now() WHERE id = $1",
    )
    .bind(setlist)
    .bind(version)
    .bind(moderator)
    .execute(db)
    .await
    .map(|_| ())
}

/// Song identity for scoring: the catalogue id, else the normalised title.
const KEY: &str = "coalesce(ss.song_id::text, 't:' || lower(ss.title))";

/// The lines of a list as scoring keys, in order (`community`: by net votes above zero). Tapes
/// (intros, outros played from a recording) are not songs anyone predicts: left out.
pub async fn keys(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    ranking: bool,
) -> sqlx::Result<Vec<String>> {
    let (filter, order) = if ranking {
        (
            "AND ss.net_votes > 0",
            "ss.net_votes DESC, ss.upvotes DESC, ss.position",
        )
    } else {
        ("", "ss.position")
    };
    sqlx::query_scalar(&format!(
        "SELECT {KEY} FROM setlist_songs ss WHERE ss.setlist_id = $1 AND NOT ss.is_tape {filter} ORDER BY {order}"
    ))
    .bind(setlist)
    .fetch_all(db)
    .await
}

/// How rare each of `artist`'s songs is: 1 − its share of the artist's actual set-lists of the
/// past two years other than `show`'s. Songs never played before are fully rare.
pub async fn rarity(
    db: impl PgExecutor<'_>,
    artist: Uuid,
    show: Uuid,
) -> sqlx::Result<std::collections::HashMap<String, f64>> {
    let rows: Vec<(String, f64)> = sqlx::query_as(&format!(
        "WITH past AS ( \
           SELECT l.id FROM setlists l JOIN shows s ON s.id = l.show_id \
           WHERE l.artist_id = $1 AND l.kind = 'actual' AND l.show_id <> $2 \
             AND s.date >= current_date - 730 AND l.moderation_status <> 'hidden'), \
         n AS (SELECT greatest(count(*), 1)::float8 AS total FROM past) \
         SELECT {KEY}, 1 - count(DISTINCT ss.setlist_id)::float8 / n.total \
         FROM past JOIN setlist_songs ss ON ss.setlist_id = past.id, n GROUP BY 1, n.total"
    ))
    .bind(artist)
    .bind(show)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Predicted lists of a show: `(set-list, source)` of every personal prediction and the
/// community list.
pub async fn predictions(
    db: impl PgExecutor<'_>,
    show: Uuid,
    artist: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT id, source FROM setlists WHERE show_id = $1 AND artist_id = $2 AND kind = 'predicted'",
    )
    .bind(show)
    .bind(artist)
    .fetch_all(db)
    .await
}

pub async fn set_score(db: impl PgExecutor<'_>, setlist: Uuid, score: f64) -> sqlx::Result<()> {
    sqlx::query("UPDATE setlists SET accuracy_score = $2 WHERE id = $1")
        .bind(setlist)
        .bind(score)
        .execute(db)
        .await
        .map(|_| ())
}

#[derive(Debug, FromRow)]
pub struct BoardRow {
    pub rank: i64,
    pub user_id: Uuid,
    pub display_name: String,
    pub score: f64,
    pub predictions: i64,
}

pub async fn show_board(
    db: impl PgExecutor<'_>,
    show: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<BoardRow>> {
    sqlx::query_as(
        "SELECT rank() OVER (ORDER BY l.accuracy_score DESC) AS rank, u.id AS user_id, u.display_name, \
                l.accuracy_score AS score, 1::bigint AS predictions \
         FROM setlists l JOIN users u ON u.id = l.owner_user_id \
         WHERE l.show_id = $1 AND l.source = 'user' AND l.accuracy_score IS NOT NULL \
         ORDER BY l.accuracy_score DESC, u.display_name, u.id LIMIT $2",
    )
    .bind(show)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn community_score(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<Option<f64>> {
    sqlx::query_scalar(
        "SELECT max(accuracy_score) FROM setlists WHERE show_id = $1 AND source = 'community'",
    )
    .bind(show)
    .fetch_one(db)
    .await
}

/// All time: the sum of a fan's scores (taking part counts), then their average.
pub async fn all_time_board(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<BoardRow>> {
    sqlx::query_as(
        "SELECT rank() OVER (ORDER BY sum(l.accuracy_score) DESC) AS rank, u.id AS user_id, u.display_name, \
                sum(l.accuracy_score) AS score, count(*) AS predictions \
         FROM setlists l JOIN users u ON u.id = l.owner_user_id \
         WHERE l.source = 'user' AND l.accuracy_score IS NOT NULL \
         GROUP BY u.id ORDER BY sum(l.accuracy_score) DESC, avg(l.accuracy_score) DESC, u.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}
