//! "I'm going" and kept shows: both put the show's artist in the user's sync scope. Idempotent,
//! so an offline device can replay them.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::attendance as db;
use crate::error::{AppError, AppResult};

/// What marking a show did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attended {
    /// Now going (or going with another visibility).
    Changed,
    /// Already so; nothing changed.
    Already,
    /// Not going (any more).
    Stopped,
}

pub async fn set(
    tx: &mut PgConnection,
    user: Uuid,
    show: Uuid,
    going: bool,
    public: bool,
) -> AppResult<Attended> {
    if !going {
        db::not_going(&mut *tx, user, show).await?;
        return Ok(Attended::Stopped);
    }
    match db::go(&mut *tx, user, show, public).await? {
        None => Err(AppError::not_found("show")),
        Some(true) => Ok(Attended::Changed),
        Some(false) => Ok(Attended::Already),
    }
}

/// Keeps an opened show on the user's devices (the oldest kept ones beyond a handful go).
pub async fn keep(tx: &mut PgConnection, user: Uuid, show: Uuid) -> AppResult<()> {
    db::keep(&mut *tx, user, show)
        .await?
        .ok_or_else(|| AppError::not_found("show"))?;
    db::trim_kept(&mut *tx, user).await?;
    Ok(())
}
