//! Sync: devices (`devices.rs`), the change log the pull reads (here), and the rows of a user's
//! scope (`scope.rs`, its set-lists, lines and votes in `lists.rs`).

mod devices;
mod lists;
mod scope;

pub use devices::*;
pub use lists::*;
pub use scope::*;

use sqlx::PgConnection;
use uuid::Uuid;

use super::feed::Cursor;

/// One entry of the change log.
#[derive(Debug)]
pub struct ChangeRef {
    pub tx: i64,
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub artist_id: Option<Uuid>,
    pub deleted: bool,
}

/// Makes the caller's transaction (before its first statement) one read-only snapshot, so a pull
/// page reads the log and the rows as of one instant.
pub async fn read_only_snapshot(db: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(db)
        .await
        .map(|_| ())
}

/// Every position below this has been decided: no running transaction can still add to it.
pub async fn watermark(db: &mut PgConnection) -> sqlx::Result<Cursor> {
    let xmin = sqlx::query_scalar!(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS \"xmin!\""
    )
    .fetch_one(db)
    .await?;
    Ok(Cursor {
        tx: xmin - 1,
        seq: i64::MAX,
    })
}

/// The oldest position the log still holds.
pub async fn horizon(db: &mut PgConnection) -> sqlx::Result<Cursor> {
    let h = sqlx::query!("SELECT tx, seq FROM sync_horizon")
        .fetch_one(db)
        .await?;
    Ok(Cursor {
        tx: h.tx,
        seq: h.seq,
    })
}

/// Changes in `user`'s scope after `after` and below the watermark, in log order.
pub async fn changes_after(
    db: &mut PgConnection,
    user: Uuid,
    after: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<ChangeRef>> {
    sqlx::query_as!(
        ChangeRef,
        "SELECT c.tx::text::bigint AS \"tx!\", c.seq, c.entity, c.entity_id, c.artist_id, c.deleted \
         FROM sync_changes c \
         WHERE (c.tx, c.seq) > ($2::text::xid8, $3) AND c.tx < pg_snapshot_xmin(pg_current_snapshot()) \
           AND (c.user_id = $1 OR c.artist_id IN (SELECT artist_id FROM user_scope_artists($1))) \
         ORDER BY c.tx, c.seq LIMIT $4",
        user,
        after.tx.to_string(),
        after.seq,
        limit
    )
    .fetch_all(db)
    .await
}

/// Whether committed changes in `user`'s scope wait above the watermark (behind a transaction
/// that is still running), so the device should pull again shortly.
pub async fn held_back(db: &mut PgConnection, user: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM sync_changes c \
           WHERE c.tx >= pg_snapshot_xmin(pg_current_snapshot()) \
             AND (c.user_id = $1 OR c.artist_id IN (SELECT artist_id FROM user_scope_artists($1)))) \
         AS \"held!\"",
        user
    )
    .fetch_one(db)
    .await
}

/// Forgets log entries older than `days` and moves the horizon past them; forgets the answers
/// of pushes and REST retries as old. Returns the number of log entries removed.
pub async fn prune(db: &mut PgConnection, days: i32) -> sqlx::Result<u64> {
    // A device that has not pushed for as long has its retries answered from `last_seq` alone;
    // REST retries are kept as long.
    crate::db::mutations::prune(db, days).await?;
    let row = sqlx::query!(
        "SELECT tx::text::bigint AS \"tx!\", seq FROM sync_changes \
         WHERE at < now() - make_interval(days => $1) ORDER BY tx DESC, seq DESC LIMIT 1",
        days
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(last) = row else {
        return Ok(0);
    };
    sqlx::query!(
        "UPDATE sync_horizon SET tx = greatest(tx, $1), seq = CASE WHEN $1 >= tx THEN $2 ELSE seq END",
        last.tx,
        last.seq
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "DELETE FROM sync_changes WHERE (tx, seq) <= ($1::text::xid8, $2)",
        last.tx.to_string(),
        last.seq
    )
    .execute(&mut *db)
    .await
    .map(|r| r.rows_affected())
}
