//! A show's discussion (`comments`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A comment with its author, as the thread and the actions read it.
#[derive(Debug, Clone)]
pub struct CommentRow {
    pub id: Uuid,
    pub show_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author_id: Uuid,
    pub author_name: String,
    pub author_avatar: Option<i64>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub hidden: bool,
    /// Replies (top-level comments only; the thread's "best" order).
    pub replies: i64,
}

/// Writes a comment; `false` when the id exists already (the caller reads it to tell a retry
/// from someone else's id).
pub async fn insert(
    db: impl PgExecutor<'_>,
    id: Uuid,
    show: Uuid,
    author: Uuid,
    parent: Option<Uuid>,
    body: &str,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "INSERT INTO comments (id, show_id, author_id, parent_id, body) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
        id,
        show,
        author,
        parent,
        body
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// One comment, locked for the change a caller is about to make.
pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<CommentRow>> {
    sqlx::query_as!(
        CommentRow,
        "SELECT c.id, c.show_id, c.parent_id, c.author_id, u.display_name AS author_name, \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v \
                 WHERE v.user_id = u.id) AS author_avatar, \
                c.body, c.created_at, c.edited_at, c.deleted_at IS NOT NULL AS \"deleted!\", \
                c.hidden_at IS NOT NULL AS \"hidden!\", \
                (SELECT count(*) FROM comments r WHERE r.parent_id = c.id) AS \"replies!\" \
         FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1 FOR UPDATE OF c",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn set_body(db: impl PgExecutor<'_>, id: Uuid, body: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE comments SET body = $2, edited_at = now() WHERE id = $1",
        id,
        body
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Deletes a comment: gone when nobody replied to it, else its text goes and its place stays.
pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH gone AS (DELETE FROM comments c WHERE c.id = $1 \
                         AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id) RETURNING 1) \
         UPDATE comments SET body = '', deleted_at = now() \
         WHERE id = $1 AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM gone)",
        id
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Hides (or restores) a comment; `false` when it was so already.
pub async fn set_hidden(
    db: impl PgExecutor<'_>,
    id: Uuid,
    by: Uuid,
    hidden: bool,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE comments SET hidden_at = CASE WHEN $3 THEN now() END, \
                             hidden_by = CASE WHEN $3 THEN $2::uuid END \
         WHERE id = $1 AND (hidden_at IS NOT NULL) <> $3",
        id,
        by,
        hidden
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Every comment of `show` (top-level ones at most `limit`, newest first; their replies all),
/// for the thread to be put together by the caller.
pub async fn of_show(
    db: impl PgExecutor<'_>,
    show: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<CommentRow>> {
    sqlx::query_as!(
        CommentRow,
        "WITH top AS (SELECT id FROM comments WHERE show_id = $1 AND parent_id IS NULL \
                      ORDER BY created_at DESC, id LIMIT $2) \
         SELECT c.id, c.show_id, c.parent_id, c.author_id, u.display_name AS author_name, \
                (SELECT (extract(epoch FROM v.updated_at) * 1000)::bigint FROM user_avatars v \
                 WHERE v.user_id = u.id) AS author_avatar, \
                c.body, c.created_at, c.edited_at, c.deleted_at IS NOT NULL AS \"deleted!\", \
                c.hidden_at IS NOT NULL AS \"hidden!\", \
                (SELECT count(*) FROM comments r WHERE r.parent_id = c.id) AS \"replies!\" \
         FROM comments c JOIN users u ON u.id = c.author_id \
         WHERE c.id IN (SELECT id FROM top) OR c.parent_id IN (SELECT id FROM top) \
         ORDER BY c.created_at, c.id",
        show,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: impl PgExecutor<'_>, show: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM comments WHERE show_id = $1",
        show
    )
    .fetch_one(db)
    .await
}

/// Comments `author` wrote in the last `seconds` (the per-account budget's floor, beside the
/// rate limiter: a burst refused even where the limiter's memory was lost).
pub async fn recent_by(db: impl PgExecutor<'_>, author: Uuid, seconds: f64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM comments \
         WHERE author_id = $1 AND created_at > now() - make_interval(secs => $2)",
        author,
        seconds
    )
    .fetch_one(db)
    .await
}
