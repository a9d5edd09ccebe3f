//! Going, kept shows and this device's live captures, as the server last sent them with the
//! outbox laid over (see `scope.rs`).

use rusqlite::{Transaction, params};
use theset_shared::sync::{Action, CaptureAction};
use uuid::Uuid;

use super::Store;
use crate::error::ClientError;

/// The user's attendance of a show as the device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attendance {
    pub going: bool,
    pub public: bool,
    /// Marked or unmarked on this device and not confirmed yet.
    pub pending: bool,
    /// The show is kept on the device (going, opened, or a keep not confirmed yet).
    pub kept: bool,
}

/// One of this device's captures.
#[derive(Debug, Clone, PartialEq)]
pub struct MyCapture {
    pub action: CaptureAction,
    pub undone: bool,
}

impl Store {
    /// Attendance rows the server sent: `(show, artist, going, public)`.
    fn attending_rows(&self) -> Result<Vec<(Uuid, Uuid, bool, bool)>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT show_id, artist_id, going, public FROM attending")?;
        let rows = stmt.query_map([], |r| <(String, String, bool, bool)>::try_from(r))?;
        let mut out = Vec::new();
        for row in rows {
            let (show, artist, going, public) = row?;
            if let (Ok(show), Ok(artist)) = (show.parse(), artist.parse()) {
                out.push((show, artist, going, public));
            }
        }
        Ok(out)
    }

    /// Whether and how the user goes to `show`.
    pub fn attendance(&self, show: Uuid) -> Result<Attendance, ClientError> {
        let mut a = self
            .attending_rows()?
            .into_iter()
            .find(|r| r.0 == show)
            .map(|(_, _, going, public)| Attendance {
                going,
                public,
                pending: false,
                kept: true,
            })
            .unwrap_or_default();
        for e in self.undelivered()? {
            match e.mutation.action {
                Action::Attend {
                    show_id,
                    going,
                    public,
                } if show_id == show => {
                    a = Attendance {
                        going,
                        public: going && public,
                        pending: true,
                        kept: going,
                    };
                }
                Action::Keep { show_id } if show_id == show => a.kept = true,
                Action::Capture(c) if c.show_id == show && !a.going => {
                    a.going = true;
                    a.kept = true;
                }
                _ => {}
            }
        }
        Ok(a)
    }

    /// Shows the user is going to, as the device sees it.
    pub fn going_shows(&self) -> Result<Vec<Uuid>, ClientError> {
        let mut shows: Vec<Uuid> = self
            .attending_rows()?
            .into_iter()
            .filter(|r| r.2)
            .map(|r| r.0)
            .collect();
        for e in self.undelivered()? {
            if let Action::Attend { show_id, going, .. } = e.mutation.action {
                shows.retain(|s| *s != show_id);
                if going {
                    shows.push(show_id);
                }
            }
        }
        shows.sort_unstable();
        shows.dedup();
        Ok(shows)
    }

    /// Artists the device holds without a follow (a show of theirs is kept).
    pub fn attending_artists(&self) -> Result<Vec<Uuid>, ClientError> {
        let mut out: Vec<Uuid> = self.attending_rows()?.into_iter().map(|r| r.1).collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// This device's captures of `show`, oldest first.
    pub fn captures(&self, show: Uuid) -> Result<Vec<MyCapture>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, song_id, title, at, encore, undone FROM captures WHERE show_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([show.to_string()], |r| {
            <(String, Option<String>, String, String, bool, bool)>::try_from(r)
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, song, title, at, encore, undone) = row?;
            let (Ok(id), Ok(at)) = (id.parse(), chrono::DateTime::parse_from_rfc3339(&at)) else {
                continue;
            };
            out.push(MyCapture {
                action: CaptureAction {
                    capture_id: id,
                    show_id: show,
                    song_id: song.and_then(|s| s.parse().ok()),
                    title,
                    at: at.with_timezone(&chrono::Utc),
                    encore,
                },
                undone,
            });
        }
        Ok(out)
    }

    pub(crate) fn capture_of(&self, id: Uuid) -> Result<Option<MyCapture>, ClientError> {
        let show: Option<String> = rusqlite::OptionalExtension::optional(self.conn().query_row(
            "SELECT show_id FROM captures WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        ))?;
        let Some(show) = show.and_then(|s| s.parse().ok()) else {
            return Ok(None);
        };
        Ok(self
            .captures(show)?
            .into_iter()
            .find(|c| c.action.capture_id == id))
    }
}

/// Keeps this device's own record of a capture (or its undo) in the transaction that queues it.
pub(super) fn journal(tx: &Transaction<'_>, action: &Action) -> Result<(), ClientError> {
    match action {
        Action::Capture(c) => {
            tx.execute(
                "INSERT OR IGNORE INTO captures (id, show_id, song_id, title, at, encore) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    c.capture_id.to_string(),
                    c.show_id.to_string(),
                    c.song_id.map(|s| s.to_string()),
                    c.title,
                    c.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    c.encore
                ],
            )?;
        }
        Action::Uncapture { capture_id } => {
            tx.execute(
                "UPDATE captures SET undone = 1 WHERE id = ?1",
                [capture_id.to_string()],
            )?;
        }
        _ => {}
    }
    Ok(())
}
