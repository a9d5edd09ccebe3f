//! Devices and their applied sequence (the answers are in the one record, `db::mutations`).

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Locks the device row, creating it for `user` on first use; `None` when it belongs to
/// someone else. Returns the last applied sequence.
pub async fn lock_device(
    db: &mut PgConnection,
    device: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<i64>> {
    // Known devices (every push but a device's first) take one statement.
    let row = sqlx::query!(
        "SELECT user_id, last_seq FROM devices WHERE id = $1 FOR UPDATE",
        device
    )
    .fetch_optional(&mut *db)
    .await?;
    let row = match row {
        Some(row) => (row.user_id, row.last_seq),
        None => {
            sqlx::query!(
                "INSERT INTO devices (id, user_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                device,
                user
            )
            .execute(&mut *db)
            .await?;
            let row = sqlx::query!(
                "SELECT user_id, last_seq FROM devices WHERE id = $1 FOR UPDATE",
                device
            )
            .fetch_one(&mut *db)
            .await?;
            (row.user_id, row.last_seq)
        }
    };
    Ok((row.0 == user).then_some(row.1))
}

/// A known device's owner and last applied sequence.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub id: Uuid,
    pub user_id: Uuid,
    pub last_seq: i64,
}

/// Locks the known ones of `devices` in one statement, in id order (so batches that lock several
/// wait for one another instead of deadlocking); unknown ids are left out (`lock_device` makes
/// them).
pub async fn lock_devices(db: &mut PgConnection, devices: &[Uuid]) -> sqlx::Result<Vec<Held>> {
    sqlx::query_as!(
        Held,
        "SELECT id, user_id, last_seq FROM devices WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        devices
    )
    .fetch_all(db)
    .await
}

/// The device's last applied sequence without creating it; `None` when it belongs to someone
/// else, `Some(0)` when unknown.
pub async fn last_seq(
    db: impl PgExecutor<'_>,
    device: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<i64>> {
    let row = sqlx::query!(
        "SELECT user_id, last_seq FROM devices WHERE id = $1",
        device
    )
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Some(0),
        Some(r) => (r.user_id == user).then_some(r.last_seq),
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
    let row = sqlx::query!(
        "SELECT d.user_id, coalesce((SELECT min(r.seq) - 1 FROM applied_mutations r WHERE r.device_id = d.id \
                AND r.tx >= pg_snapshot_xmin(pg_current_snapshot())), d.last_seq) AS \"seq!\" \
         FROM devices d WHERE d.id = $1",
        device
    )
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Some(0),
        Some(r) => (r.user_id == user).then_some(r.seq),
    })
}

pub async fn set_last_seq(db: &mut PgConnection, device: Uuid, seq: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE devices SET last_seq = $2, last_seen_at = now() WHERE id = $1",
        device,
        seq
    )
    .execute(db)
    .await
    .map(|_| ())
}
