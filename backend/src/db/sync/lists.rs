//! The set-lists, lines and vote registers of a user's scope. A user may hold community and
//! actual lists of in-window shows (not hidden) and their own predictions:
//! `((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = <user>)` and
//! `s.date >= current_date - <window>` in every statement here; keep them in step.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use theset_shared::api::{SetlistKind, SetlistSource};
use theset_shared::sync::{SyncLine, SyncSetlist, SyncVote};
use uuid::Uuid;

use super::Rows;
use super::scope::WINDOW_DAYS;

#[derive(Debug)]
pub struct SetlistRow {
    id: Uuid,
    show_id: Uuid,
    artist_id: Uuid,
    kind: SetlistKind,
    source: SetlistSource,
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

/// Set-lists by id, of these artists (not personal predictions), or the user's own; the three
/// statements differ in their first condition only.
pub async fn setlists(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<SetlistRow>> {
    match rows {
        Rows::Ids(ids) => {
            sqlx::query_as!(
                SetlistRow,
                "SELECT l.id, l.show_id, l.artist_id, l.kind AS \"kind: SetlistKind\", \
                        l.source AS \"source: SetlistSource\", l.version, \
                        l.moderation_status = 'verified' AS \"verified!\", l.accuracy_score, l.updated_at \
                 FROM setlists l JOIN shows s ON s.id = l.show_id \
                 WHERE l.id = ANY($1) \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2) \
                   AND s.date >= current_date - $3::int4",
                ids,
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
        Rows::OfArtists(ids) => {
            sqlx::query_as!(
                SetlistRow,
                "SELECT l.id, l.show_id, l.artist_id, l.kind AS \"kind: SetlistKind\", \
                        l.source AS \"source: SetlistSource\", l.version, \
                        l.moderation_status = 'verified' AS \"verified!\", l.accuracy_score, l.updated_at \
                 FROM setlists l JOIN shows s ON s.id = l.show_id \
                 WHERE l.artist_id = ANY($1) AND l.source <> 'user' \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2) \
                   AND s.date >= current_date - $3::int4",
                ids,
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
        Rows::Mine => {
            sqlx::query_as!(
                SetlistRow,
                "SELECT l.id, l.show_id, l.artist_id, l.kind AS \"kind: SetlistKind\", \
                        l.source AS \"source: SetlistSource\", l.version, \
                        l.moderation_status = 'verified' AS \"verified!\", l.accuracy_score, l.updated_at \
                 FROM setlists l JOIN shows s ON s.id = l.show_id \
                 WHERE l.owner_user_id = $1 \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $1) \
                   AND s.date >= current_date - $2::int4",
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
    }
}

#[derive(Debug)]
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

/// Lines by id, or the lines of the set-lists `rows` selects (as [`setlists`] does); the three
/// statements differ in their first condition only.
pub async fn lines(
    db: &mut PgConnection,
    user: Uuid,
    rows: Rows<'_>,
) -> sqlx::Result<Vec<LineRow>> {
    match rows {
        Rows::Ids(ids) => {
            sqlx::query_as!(
                LineRow,
                "SELECT ss.id, ss.setlist_id, ss.song_id, ss.title, ss.position, ss.set_name, ss.is_cover, \
                        ss.is_tape, ss.upvotes, ss.downvotes, ss.net_votes \
                 FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
                 WHERE ss.id = ANY($1) \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2) \
                   AND s.date >= current_date - $3::int4",
                ids,
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
        Rows::OfArtists(ids) => {
            sqlx::query_as!(
                LineRow,
                "SELECT ss.id, ss.setlist_id, ss.song_id, ss.title, ss.position, ss.set_name, ss.is_cover, \
                        ss.is_tape, ss.upvotes, ss.downvotes, ss.net_votes \
                 FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
                 WHERE l.artist_id = ANY($1) AND l.source <> 'user' \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $2) \
                   AND s.date >= current_date - $3::int4",
                ids,
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
        Rows::Mine => {
            sqlx::query_as!(
                LineRow,
                "SELECT ss.id, ss.setlist_id, ss.song_id, ss.title, ss.position, ss.set_name, ss.is_cover, \
                        ss.is_tape, ss.upvotes, ss.downvotes, ss.net_votes \
                 FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN shows s ON s.id = l.show_id \
                 WHERE l.owner_user_id = $1 \
                   AND ((l.source <> 'user' AND l.moderation_status <> 'hidden') OR l.owner_user_id = $1) \
                   AND s.date >= current_date - $2::int4",
                user,
                WINDOW_DAYS
            )
            .fetch_all(db)
            .await
        }
    }
}

/// The user's vote registers: on these lines (0 where there is none), or all of them.
pub async fn votes(
    db: &mut PgConnection,
    user: Uuid,
    lines: Option<&[Uuid]>,
) -> sqlx::Result<Vec<SyncVote>> {
    let rows: Vec<(Uuid, i16, i64)> = match lines {
        Some(lines) => sqlx::query!(
            "SELECT x.id AS \"id!\", coalesce(v.value, 0::smallint) AS \"value!\", \
                    coalesce(c.hlc, 0) AS \"hlc!\" FROM unnest($1::uuid[]) AS x(id) \
             LEFT JOIN votes v ON v.setlist_song_id = x.id AND v.user_id = $2 \
             LEFT JOIN vote_clocks c ON c.setlist_song_id = x.id AND c.user_id = $2",
            lines,
            user
        )
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.value, r.hlc))
        .collect(),
        None => sqlx::query!(
            "SELECT c.setlist_song_id, coalesce(v.value, 0::smallint) AS \"value!\", c.hlc FROM vote_clocks c \
             LEFT JOIN votes v ON v.setlist_song_id = c.setlist_song_id AND v.user_id = c.user_id \
             JOIN setlist_songs ss ON ss.id = c.setlist_song_id JOIN setlists l ON l.id = ss.setlist_id \
             JOIN shows s ON s.id = l.show_id WHERE c.user_id = $1 AND s.date >= current_date - $2::int4",
            user,
            WINDOW_DAYS
        )
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.setlist_song_id, r.value, r.hlc))
        .collect(),
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
