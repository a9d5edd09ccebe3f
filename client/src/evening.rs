//! The evening at the venue: "I'm going", keeping an opened show, "Now playing" captures and
//! their undo — all written to the outbox first, like votes — and the private calendar feed.

use theset_shared::crowd::{self, Capturable};
use theset_shared::sync::{Action, CaptureAction, Mutation};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

fn refuse(message: &str) -> ClientError {
    ClientError::Invalid(message.into())
}

impl Client {
    pub fn set_going(
        &self,
        show: Uuid,
        going: bool,
        public: bool,
    ) -> Result<Mutation, ClientError> {
        self.store.enqueue(Action::Attend {
            show_id: show,
            going,
            public: going && public,
        })
    }

    /// Keeps an opened show on the user's devices (once; nothing when it is kept already).
    pub(crate) fn keep_show(&self, show: Uuid) -> Result<Option<Mutation>, ClientError> {
        if self.store.attendance(show)?.kept {
            return Ok(None);
        }
        self.store.enqueue(Action::Keep { show_id: show }).map(Some)
    }

    /// "Now playing" at this device's time. Refused while the show (as the device holds it) is
    /// not on.
    pub fn capture(
        &self,
        show: Uuid,
        song: Option<Uuid>,
        title: &str,
        encore: bool,
    ) -> Result<Mutation, ClientError> {
        let title = title.trim();
        if !(1..=crowd::MAX_TITLE).contains(&title.chars().count()) {
            return Err(refuse("a title is 1 to 200 characters"));
        }
        let now = chrono::Utc::now();
        if let Some(s) = self.store.show(show)? {
            match crowd::accepts_capture(s.summary.starts_at, s.summary.date, now) {
                Capturable::Yes => {}
                Capturable::NotStarted => return Err(refuse("the show has not started yet")),
                Capturable::Over => return Err(refuse("the show is over")),
                // Only the server's rule compares two clocks; the device has one.
                Capturable::Ahead => return Err(refuse("the device's clock is ahead")),
            }
        }
        self.store.enqueue(Action::Capture(CaptureAction {
            capture_id: Uuid::now_v7(),
            show_id: show,
            song_id: song,
            title: title.to_owned(),
            at: now,
            encore,
        }))
    }

    /// Takes back a capture made on this device within the last minute.
    pub fn undo_capture(&self, capture: Uuid) -> Result<Mutation, ClientError> {
        let c = self
            .store
            .capture_of(capture)?
            .ok_or_else(|| refuse("no such capture on this device"))?;
        if c.undone {
            return Err(refuse("already taken back"));
        }
        if chrono::Utc::now() - c.action.at > chrono::Duration::seconds(crowd::UNDO_SECONDS) {
            return Err(refuse("a capture can be taken back within a minute"));
        }
        self.store.enqueue(Action::Uncapture {
            capture_id: capture,
        })
    }

    /// A new secret calendar address (the old one stops working).
    pub async fn new_calendar_feed(&self) -> Result<theset_shared::api::CalendarFeed, ClientError> {
        self.authed(reqwest::Method::POST, "/me/calendar", &[], None)
            .await
    }

    pub async fn revoke_calendar_feed(&self) -> Result<(), ClientError> {
        let _: Option<serde_json::Value> = self
            .authed(reqwest::Method::DELETE, "/me/calendar", &[], None)
            .await?;
        Ok(())
    }
}
