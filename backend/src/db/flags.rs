//! Flags and the moderation queue (`flags`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use theset_shared::api::{FlagReason, FlagStatus};
use uuid::Uuid;

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOn {
    /// A whole list, or one of its lines.
    List {
        setlist: Uuid,
        line: Option<Uuid>,
    },
    Comment(Uuid),
    Profile(Uuid),
}

impl FlagOn {
    fn columns(self) -> (Option<Uuid>, Option<Uuid>, Option<Uuid>, Option<Uuid>) {
        match self {
            Self::List { setlist, line } => (Some(setlist), line, None, None),
            Self::Comment(c) => (None, None, Some(c), None),
            Self::Profile(u) => (None, None, None, Some(u)),
        }
    }
}

/// Files a flag; `None` when the target does not exist. An open flag by the same fan on the same
/// target is answered again instead of duplicated.
pub async fn create(
    db: &mut PgConnection,
    reporter: Uuid,
    on: FlagOn,
    reason: FlagReason,
    note: Option<&str>,
) -> sqlx::Result<Option<Uuid>> {
    let (setlist, line, comment, user) = on.columns();
    // What the flag is about, as it reads now (a removed line keeps its title here).
    let subject = sqlx::query_scalar!(
        "SELECT CASE WHEN $2::uuid IS NULL THEN l.kind || ' set-list' ELSE ss.title END AS \"subject!\" \
         FROM setlists l LEFT JOIN setlist_songs ss ON ss.id = $2 AND ss.setlist_id = l.id \
         WHERE l.id = $1 AND l.moderation_status <> 'hidden' AND ($2::uuid IS NULL OR ss.id IS NOT NULL) \
         UNION ALL \
         SELECT left(c.body, 200) FROM comments c \
         WHERE c.id = $3 AND c.deleted_at IS NULL AND c.hidden_at IS NULL \
         UNION ALL \
         SELECT u.display_name FROM users u WHERE u.id = $4",
        setlist,
        line,
        comment,
        user
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(subject) = subject else {
        return Ok(None);
    };
    let id = sqlx::query_scalar!(
        "INSERT INTO flags (setlist_id, setlist_song_id, comment_id, target_user_id, subject, reporter_id, reason, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
        setlist,
        line,
        comment,
        user,
        subject,
        reporter,
        reason as FlagReason,
        note
    )
    .fetch_optional(&mut *db)
    .await?;
    match id {
        Some(id) => Ok(Some(id)),
        None => sqlx::query_scalar!(
            "SELECT id FROM flags WHERE reporter_id = $1 AND status = 'open' \
               AND setlist_id IS NOT DISTINCT FROM $2 AND setlist_song_id IS NOT DISTINCT FROM $3 \
               AND comment_id IS NOT DISTINCT FROM $4 AND target_user_id IS NOT DISTINCT FROM $5",
            reporter,
            setlist,
            line,
            comment,
            user
        )
        .fetch_one(db)
        .await
        .map(Some),
    }
}

/// The list a set-list line belongs to.
pub async fn list_of_line(db: impl PgExecutor<'_>, line: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!("SELECT setlist_id FROM setlist_songs WHERE id = $1", line)
        .fetch_optional(db)
        .await
}

#[derive(Debug)]
pub struct QueueRow {
    pub id: Uuid,
    pub setlist_id: Option<Uuid>,
    pub setlist_song_id: Option<Uuid>,
    pub comment_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub show_id: Option<Uuid>,
    pub subject: String,
    pub reason: FlagReason,
    pub note: Option<String>,
    pub reporter: Option<String>,
    pub status: FlagStatus,
    pub reports: i64,
    pub created_at: DateTime<Utc>,
}

/// Flags of `status`, oldest first, one row per target (its first flag) with the report count.
pub async fn queue(
    db: impl PgExecutor<'_>,
    status: FlagStatus,
    limit: i64,
) -> sqlx::Result<Vec<QueueRow>> {
    sqlx::query_as!(
        QueueRow,
        "SELECT DISTINCT ON (f.setlist_id, f.setlist_song_id, f.comment_id, f.target_user_id) \
                f.id, f.setlist_id, f.setlist_song_id, f.comment_id, f.target_user_id, \
                coalesce(l.show_id, c.show_id) AS show_id, \
                f.subject, f.reason AS \"reason: FlagReason\", f.note, u.display_name AS \"reporter?\", \
                f.status AS \"status: FlagStatus\", \
                count(*) OVER (PARTITION BY f.setlist_id, f.setlist_song_id, f.comment_id, f.target_user_id) AS \"reports!\", \
                f.created_at \
         FROM flags f LEFT JOIN setlists l ON l.id = f.setlist_id \
         LEFT JOIN comments c ON c.id = f.comment_id \
         LEFT JOIN users u ON u.id = f.reporter_id \
         WHERE f.status = $1 \
         ORDER BY f.setlist_id, f.setlist_song_id, f.comment_id, f.target_user_id, f.created_at LIMIT $2",
        status as FlagStatus,
        limit
    )
    .fetch_all(db)
    .await
}

#[derive(Debug)]
pub struct Target {
    pub setlist_id: Option<Uuid>,
    pub setlist_song_id: Option<Uuid>,
    pub comment_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub status: FlagStatus,
    pub subject: String,
    /// The show of the flagged list or comment.
    pub show_id: Option<Uuid>,
}

pub async fn target(db: &mut PgConnection, flag: Uuid) -> sqlx::Result<Option<Target>> {
    sqlx::query_as!(
        Target,
        "SELECT f.setlist_id, f.setlist_song_id, f.comment_id, f.target_user_id, \
                f.status AS \"status: FlagStatus\", f.subject, coalesce(l.show_id, c.show_id) AS show_id \
         FROM flags f LEFT JOIN setlists l ON l.id = f.setlist_id LEFT JOIN comments c ON c.id = f.comment_id \
         WHERE f.id = $1 FOR UPDATE OF f",
        flag
    )
    .fetch_optional(db)
    .await
}

/// Closes every open flag on the target with `resolution`; answers their reporters (those whose
/// account is gone are `None`).
pub async fn close(
    db: &mut PgConnection,
    target: &Target,
    resolution: &str,
    moderator: Uuid,
) -> sqlx::Result<Vec<Option<Uuid>>> {
    sqlx::query_scalar!(
        "UPDATE flags SET status = (CASE WHEN $5 = 'dismissed' THEN 'dismissed' ELSE 'resolved' END)::flag_status, \
                resolution = $5, resolved_by = $6, resolved_at = now() \
         WHERE setlist_id IS NOT DISTINCT FROM $1 AND setlist_song_id IS NOT DISTINCT FROM $2 \
           AND comment_id IS NOT DISTINCT FROM $3 AND target_user_id IS NOT DISTINCT FROM $4 \
           AND status = 'open' RETURNING reporter_id",
        target.setlist_id,
        target.setlist_song_id,
        target.comment_id,
        target.target_user_id,
        resolution,
        moderator
    )
    .fetch_all(db)
    .await
}

/// Removes a line (its votes go with it) and returns its title.
pub async fn remove_line(db: &mut PgConnection, line: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "DELETE FROM setlist_songs WHERE id = $1 RETURNING title",
        line
    )
    .fetch_optional(db)
    .await
}

pub async fn hide_setlist(db: &mut PgConnection, setlist: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE setlists SET moderation_status = 'hidden' WHERE id = $1",
        setlist
    )
    .execute(db)
    .await
    .map(|_| ())
}
