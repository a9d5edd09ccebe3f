//! Notifications (`notifications`, `notification_prefs`). Rows are made by SQL's `notify()`
//! only (it skips kinds a user turned off and writes each event once); the producers in
//! `actions/` leave the actor out, and the triggers of migration 18 produce show news.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use theset_shared::api::{Notification, NotificationKind};
use uuid::Uuid;

/// Notifies `users` of one event named `dedupe`; answers how many rows were new.
pub async fn notify(
    db: impl PgExecutor<'_>,
    users: &[Uuid],
    kind: NotificationKind,
    dedupe: &str,
    show: Option<Uuid>,
    title: &str,
    body: &str,
) -> sqlx::Result<i32> {
    if users.is_empty() {
        return Ok(0);
    }
    sqlx::query_scalar!(
        "SELECT notify($1, $2, $3, $4, $5, $6) AS \"made!\"",
        users,
        kind as NotificationKind,
        dedupe,
        show,
        title,
        body
    )
    .fetch_one(db)
    .await
}

/// Tells everyone whose prediction of `show` was just scored (against `version`) their score
/// and rank, but the moderator who verified.
pub async fn scored(
    db: impl PgExecutor<'_>,
    show: Uuid,
    version: i32,
    moderator: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "WITH ranked AS ( \
             SELECT l.owner_user_id AS u, l.accuracy_score AS s, \
                    rank() OVER (ORDER BY l.accuracy_score DESC) AS r, count(*) OVER () AS n \
             FROM setlists l WHERE l.show_id = $1 AND l.source = 'user' AND l.accuracy_score IS NOT NULL), \
         named AS (SELECT coalesce(s.name, a.name) AS name FROM shows s \
                   JOIN artists a ON a.id = s.headliner_artist_id WHERE s.id = $1) \
         SELECT coalesce(sum(notify(ARRAY[ranked.u], 'prediction_scored', \
                    'scored:' || $1::text || ':' || ($2::int)::text, $1, \
                    'Your prediction for ' || named.name || ' scored ' || to_char(ranked.s, 'FM9990.0'), \
                    'Rank ' || ranked.r || ' of ' || ranked.n || ', against the verified set-list.')), 0) AS \"made!\" \
         FROM ranked, named WHERE ranked.u <> $3",
        show,
        version,
        moderator
    )
    .fetch_one(db)
    .await
}

/// Reminds the followers of every artist on a show's bill that its public ticket sale opens:
/// once when the opening is a day or less away, once when it has opened (up to six hours late,
/// so a scheduler that was down still tells, but a show imported long after its sale opened
/// does not). Both are named by the sale time: a moved sale reminds again. Answers how many
/// rows were new.
pub async fn onsale(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "WITH due AS ( \
             SELECT s.id, s.onsale_at, s.onsale_at > $1 AS soon, coalesce(s.name, a.name) AS name, \
                    ceil(extract(epoch FROM s.onsale_at - $1) / 3600)::int AS hours \
             FROM shows s JOIN artists a ON a.id = s.headliner_artist_id \
             WHERE s.onsale_at > $1 - interval '6 hours' AND s.onsale_at <= $1 + interval '24 hours' \
               AND s.status IN ('upcoming', 'rescheduled')), \
         fans AS ( \
             SELECT d.id, array_agg(DISTINCT f.user_id) AS users FROM due d \
             JOIN show_artists b ON b.show_id = d.id \
             JOIN user_follows_artists f ON f.artist_id = b.artist_id GROUP BY d.id) \
         SELECT coalesce(sum(notify(fans.users, 'onsale', \
                    CASE WHEN d.soon THEN 'onsale-soon:' ELSE 'onsale:' END || d.id::text || ':' \
                      || extract(epoch FROM d.onsale_at)::bigint::text, \
                    d.id, \
                    CASE WHEN d.soon \
                      THEN 'Tickets for ' || d.name || ' go on sale in ' || d.hours \
                           || CASE WHEN d.hours = 1 THEN ' hour' ELSE ' hours' END \
                      ELSE 'Tickets for ' || d.name || ' are on sale now' END, \
                    'Public sale ' || CASE WHEN d.soon THEN 'opens ' ELSE 'opened ' END \
                      || to_char(d.onsale_at AT TIME ZONE 'UTC', 'Dy DD Mon HH24:MI') || ' UTC.')), 0) \
                AS \"made!\" \
         FROM due d JOIN fans ON fans.id = d.id",
        now
    )
    .fetch_one(db)
    .await
}

/// Who wrote `version` of a list, and the show's name (for a correction's news).
pub async fn version_author(
    db: impl PgExecutor<'_>,
    setlist: Uuid,
    version: i32,
) -> sqlx::Result<Option<(Option<Uuid>, Uuid, String)>> {
    sqlx::query!(
        "SELECT v.author_id, l.show_id, coalesce(s.name, a.name) AS \"show_name!\" \
         FROM setlist_versions v JOIN setlists l ON l.id = v.setlist_id \
         JOIN shows s ON s.id = l.show_id JOIN artists a ON a.id = s.headliner_artist_id \
         WHERE v.setlist_id = $1 AND v.version = $2",
        setlist,
        version
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(|r| (r.author_id, r.show_id, r.show_name)))
}

#[derive(Debug)]
pub struct NotificationRow {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub show_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            show_id: r.show_id,
            title: r.title,
            body: r.body,
            created_at: r.created_at,
            read: r.read,
        }
    }
}

/// The user's newest notifications (all, or these ids).
pub async fn of_user(
    db: impl PgExecutor<'_>,
    user: Uuid,
    ids: Option<&[Uuid]>,
    limit: i64,
) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as!(
        NotificationRow,
        "SELECT id, kind AS \"kind: NotificationKind\", show_id, title, body, created_at, \
                read_at IS NOT NULL AS \"read!\" \
         FROM notifications WHERE user_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2)) \
         ORDER BY created_at DESC, id LIMIT $3",
        user,
        ids as Option<&[Uuid]>,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn unread(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        user
    )
    .fetch_one(db)
    .await
}

/// Marks the user's notifications read (these, or all); another user's ids change nothing.
pub async fn mark_read(
    db: impl PgExecutor<'_>,
    user: Uuid,
    ids: Option<&[Uuid]>,
) -> sqlx::Result<u64> {
    sqlx::query!(
        "UPDATE notifications SET read_at = now() \
         WHERE user_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2))",
        user,
        ids as Option<&[Uuid]>
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

/// The kinds the user turned off.
pub async fn disabled(db: impl PgExecutor<'_>, user: Uuid) -> sqlx::Result<Vec<NotificationKind>> {
    sqlx::query_scalar!(
        "SELECT kind AS \"kind: NotificationKind\" FROM notification_prefs WHERE user_id = $1 AND NOT enabled",
        user
    )
    .fetch_all(db)
    .await
}

pub async fn set_pref(
    db: impl PgExecutor<'_>,
    user: Uuid,
    kind: NotificationKind,
    enabled: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notification_prefs (user_id, kind, enabled) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled",
        user,
        kind as NotificationKind,
        enabled
    )
    .execute(db)
    .await
    .map(|_| ())
}
