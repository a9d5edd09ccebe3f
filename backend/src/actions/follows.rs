//! Following and unfollowing artists (idempotent both ways).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::follows;
use crate::error::{AppError, AppResult};

/// What a follow or unfollow did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The user now follows the artist.
    Started,
    /// The user already followed it; nothing changed.
    Already,
    /// The user does not follow it (any more).
    Stopped,
}

pub async fn set(
    tx: &mut PgConnection,
    user: Uuid,
    artist: Uuid,
    follow: bool,
) -> AppResult<Followed> {
    if !follow {
        follows::unfollow(&mut *tx, user, artist).await?;
        return Ok(Followed::Stopped);
    }
    match follows::follow(&mut *tx, user, artist).await? {
        None => Err(AppError::not_found("artist")),
        Some(true) => Ok(Followed::Started),
        Some(false) => Ok(Followed::Already),
    }
}
