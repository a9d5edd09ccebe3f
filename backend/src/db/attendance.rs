//! "I'm going" and kept shows (`show_attendance`), and calendar feeds (`calendar_feeds`).

use sqlx::PgExecutor;
use theset_shared::api::ShowStatus;
use uuid::Uuid;

use super::shows::{ShowRow, show_row};

/// Kept (opened, not going) shows per user: the oldest beyond this leave the scope.
pub const MAX_KEPT: i64 = 20;

/// Marks the user going; `None` when no such show, `Some(true)` when it is new or changed.
pub async fn go(
    db: impl PgExecutor<'_>,
    user: Uuid,
    show: Uuid,
    public: bool,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        "WITH s AS (SELECT id FROM shows WHERE id = $2), \
              old AS (SELECT going, public FROM show_attendance WHERE user_id = $1 AND show_id = $2), \
              up AS (INSERT INTO show_attendance (user_id, show_id, going, public) SELECT $1, id, true, $3 FROM s \
                     ON CONFLICT (user_id, show_id) DO UPDATE SET going = true, public = $3, updated_at = now() \
                     RETURNING 1) \
         SELECT NOT EXISTS (SELECT 1 FROM old WHERE going AND public = $3) AS \"changed!\" FROM s, up",
        user,
        show,
        public
    )
    .fetch_optional(db)
    .await
}

/// Marks the user going unless they are, keeping their choice of visibility.
pub async fn go_quietly(db: impl PgExecutor<'_>, user: Uuid, show: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO show_attendance (user_id, show_id, going) VALUES ($1, $2, true) \
         ON CONFLICT (user_id, show_id) DO UPDATE SET going = true, updated_at = now() \
         WHERE NOT show_attendance.going",
        user,
        show
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Not going (any more): the show leaves the scope, kept or not.
pub async fn not_going(db: impl PgExecutor<'_>, user: Uuid, show: Uuid) -> sqlx::Result<bool> {
    sqlx::query!(
        "DELETE FROM show_attendance WHERE user_id = $1 AND show_id = $2",
        user,
        show
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Keeps an opened show in the scope (shows more than a day past are not kept); `None` when no
/// such show.
pub async fn keep(db: impl PgExecutor<'_>, user: Uuid, show: Uuid) -> sqlx::Result<Option<()>> {
    sqlx::query_scalar!(
        "WITH s AS (SELECT id, date FROM shows WHERE id = $2), \
              up AS (INSERT INTO show_attendance (user_id, show_id, kept_at) \
                     SELECT $1, id, now() FROM s WHERE date >= current_date - 1 \
                     ON CONFLICT (user_id, show_id) DO UPDATE SET kept_at = now() RETURNING 1) \
         SELECT 1 AS \"one!\" FROM s",
        user,
        show
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|_| ()))
}

/// Lets the oldest kept-only shows of `user` go beyond [`MAX_KEPT`].
pub async fn trim_kept(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM show_attendance WHERE user_id = $1 AND NOT going AND show_id IN \
           (SELECT show_id FROM show_attendance WHERE user_id = $1 AND NOT going \
            ORDER BY kept_at DESC OFFSET $2)",
        user,
        MAX_KEPT
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// Kept-only shows more than a day past leave every scope (weekly and status jobs).
pub async fn prune_kept(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM show_attendance a USING shows s \
         WHERE s.id = a.show_id AND NOT a.going AND s.date < current_date - 1"
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// A show the user is going to, with its visibility.
#[derive(Debug)]
pub struct GoingRow {
    pub show: ShowRow,
    pub public: bool,
}

/// Shows the user is going to (or went to), newest first; only public ones when `public_only`.
pub async fn going(
    db: impl PgExecutor<'_>,
    user: Uuid,
    public_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<GoingRow>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code, g.public \
         FROM show_attendance g JOIN shows s ON s.id = g.show_id \
         JOIN artists a ON a.id = s.headliner_artist_id LEFT JOIN venues v ON v.id = s.venue_id \
         WHERE g.user_id = $1 AND g.going AND (g.public OR NOT $2) \
         ORDER BY s.date DESC, s.id LIMIT $3",
        user,
        public_only,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| GoingRow {
            public: r.public,
            show: show_row!(r),
        })
        .collect())
}

/// One show of a calendar feed.
#[derive(Debug)]
pub struct CalendarRow {
    pub show: ShowRow,
    pub tour_name: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The shows of a feed: going, from 30 days ago on (a calendar keeps what it saw).
pub async fn calendar(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<CalendarRow>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.name, s.date, s.start_time, s.starts_at, s.status AS \"status: ShowStatus\", s.ticket_url, s.origin AS \"origin: theset_shared::api::DataOrigin\", \
                a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name, \
                v.id AS \"venue_id?\", v.name AS \"venue_name?\", v.city AS venue_city, \
                v.country_code AS venue_country_code, s.tour_name, greatest(s.updated_at, g.updated_at) AS \"updated_at!\" \
         FROM show_attendance g JOIN shows s ON s.id = g.show_id \
         JOIN artists a ON a.id = s.headliner_artist_id LEFT JOIN venues v ON v.id = s.venue_id \
         WHERE g.user_id = $1 AND g.going AND s.date >= current_date - 30 \
         ORDER BY s.date, s.id LIMIT 500",
        user
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CalendarRow {
            tour_name: r.tour_name.clone(),
            updated_at: r.updated_at,
            show: show_row!(r),
        })
        .collect())
}

/// Gives the user a feed secret (its digest), replacing any earlier one.
pub async fn set_feed(db: impl PgExecutor<'_>, user: Uuid, digest: &[u8]) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, created_at = now()",
        user,
        digest
    )
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn drop_feed(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query!("DELETE FROM calendar_feeds WHERE user_id = $1", user)
        .execute(db)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Whose feed a secret's digest opens.
pub async fn feed_owner(db: impl PgExecutor<'_>, digest: &[u8]) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT user_id FROM calendar_feeds WHERE token_hash = $1",
        digest
    )
    .fetch_optional(db)
    .await
}
