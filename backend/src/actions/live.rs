//! Live capture: "now playing" taps from fans at a show, and taking one back. Each queues a merge
//! of the show's captures into its crowd set-list (`jobs/crowd.rs`).

use sqlx::PgConnection;
use theset_shared::api::ShowStatus;
use theset_shared::crowd::{self, Capturable};
use theset_shared::sync::CaptureAction;
use uuid::Uuid;

use super::bad_body;
use crate::db::{attendance, captures as db};
use crate::error::{AppError, AppResult};

/// What a capture did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captured {
    New,
    /// The same capture arrived before (a retry): nothing changed.
    Again,
}

pub async fn capture(tx: &mut PgConnection, user: Uuid, c: &CaptureAction) -> AppResult<Captured> {
    let title = c.title.trim();
    if !(1..=crowd::MAX_TITLE).contains(&title.chars().count())
        || title.chars().any(theset_shared::validate::unsafe_char)
    {
        return Err(bad_body(format!(
            "a title is 1 to {} characters",
            crowd::MAX_TITLE
        )));
    }
    let show = db::live_show(&mut *tx, c.show_id)
        .await?
        .ok_or(AppError::not_found("show"))?;
    if show.status == ShowStatus::Cancelled {
        return Err(AppError::Conflict("the show was cancelled".into()));
    }
    // The device's stamp is checked against the server's clock too: a capture sent before the
    // show began would otherwise make a crowd list (and provisional scores) for a future show.
    match crowd::accepts_capture_received(show.starts_at, show.date, c.at, chrono::Utc::now()) {
        Capturable::Yes => {}
        Capturable::NotStarted => {
            return Err(AppError::Conflict("the show has not started yet".into()));
        }
        Capturable::Over => return Err(AppError::Conflict("the show is over".into())),
        Capturable::Ahead => {
            return Err(bad_body(
                "at is ahead of the server's clock: check the device's date and time",
            ));
        }
    }
    if let Some(song) = c.song_id
        && !db::in_catalogue(&mut *tx, show.artist_id, song).await?
    {
        return Err(bad_body(format!(
            "song {song} is not in the headliner's catalogue"
        )));
    }
    match db::insert(&mut *tx, user, c).await? {
        db::Stored::Again => return Ok(Captured::Again),
        db::Stored::Foreign => {
            return Err(AppError::Conflict(format!(
                "capture {} belongs to another account",
                c.capture_id
            )));
        }
        db::Stored::New => {}
    }
    // Capturing at a show is going to it (privately, unless the fan said otherwise).
    attendance::go_quietly(&mut *tx, user, c.show_id).await?;
    db::queue_merge(&mut *tx, c.show_id, show.artist_id).await?;
    Ok(Captured::New)
}

/// Takes back one of the user's captures (idempotent).
pub async fn undo(tx: &mut PgConnection, user: Uuid, capture: Uuid) -> AppResult<()> {
    let (show, changed) = db::undo(&mut *tx, user, capture)
        .await?
        .ok_or(AppError::not_found("capture"))?;
    if changed {
        let artist = db::live_show(&mut *tx, show)
            .await?
            .ok_or(AppError::not_found("show"))?
            .artist_id;
        db::queue_merge(&mut *tx, show, artist).await?;
    }
    Ok(())
}
