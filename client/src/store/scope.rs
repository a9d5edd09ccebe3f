//! What the UI reads from the user's scope on the device: the server's rows (as pulls brought
//! them, see `pull.rs`) with the outbox laid over them.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use theset_shared::hlc::Hlc;
pub use theset_shared::ipc::{CommunityLine, Listed, ListedSong};
use theset_shared::sync::{Action, SyncShow, VoteOn};
use uuid::Uuid;

use super::Store;
use super::outbox::State;
use crate::error::ClientError;

fn dec<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, ClientError> {
    serde_json::from_str(s).map_err(|e| ClientError::Decode(e.to_string()))
}

fn uuid(s: Option<String>) -> Option<Uuid> {
    s.and_then(|s| s.parse().ok())
}

impl Store {
    /// Followed artists (with follows and unfollows not confirmed yet), by name.
    pub fn followed(&self) -> Result<Vec<(Uuid, String, bool)>, ClientError> {
        let conn = self.conn();
        let mut follows: HashMap<Uuid, bool> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT artist_id FROM follows")?;
            for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
                if let Ok(id) = id?.parse() {
                    follows.insert(id, false);
                }
            }
        }
        drop(conn);
        for e in self.undelivered()? {
            if let Action::Follow { artist_id, follow } = e.mutation.action {
                if follow {
                    follows.insert(artist_id, true);
                } else {
                    follows.remove(&artist_id);
                }
            }
        }
        let conn = self.conn();
        let mut out = Vec::new();
        for (id, pending) in follows {
            let name: Option<String> = conn
                .query_row(
                    "SELECT name FROM artists WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            out.push((id, name.unwrap_or_else(|| id.to_string()), pending));
        }
        out.sort_by_key(|a| a.1.to_lowercase());
        Ok(out)
    }

    /// The slug of an artist held on the device.
    pub fn artist_slug(&self, id: Uuid) -> Result<Option<String>, ClientError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT slug FROM artists WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn artist_id_by_slug(&self, slug: &str) -> Result<Option<Uuid>, ClientError> {
        let id: Option<String> = self
            .conn()
            .query_row("SELECT id FROM artists WHERE slug = ?1", [slug], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(uuid(id))
    }

    /// Shows of an artist held on the device, by date.
    pub fn shows_of(&self, artist: Uuid) -> Result<Vec<SyncShow>, ClientError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT data FROM shows WHERE artist_id = ?1 ORDER BY date, id")?;
        let rows = stmt.query_map([artist.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|r| dec(&r?)).collect()
    }

    /// Every show held on the device.
    pub fn stored_shows(&self) -> Result<Vec<SyncShow>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT data FROM shows ORDER BY date, id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| dec(&r?)).collect()
    }

    pub fn show(&self, id: Uuid) -> Result<Option<SyncShow>, ClientError> {
        let data: Option<String> = self
            .conn()
            .query_row(
                "SELECT data FROM shows WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        data.map(|d| dec(&d)).transpose()
    }

    /// Mutations whose effect a pull has not brought back yet (pending or applied), in order.
    pub(super) fn undelivered(&self) -> Result<Vec<super::outbox::Entry>, ClientError> {
        Ok(self
            .outbox()?
            .into_iter()
            .filter(|e| matches!(e.state, State::Pending | State::Sent | State::Applied))
            .collect())
    }

    /// The community list of `show` as the user sees it: the server's lines and totals, with
    /// this device's unconfirmed additions and votes laid over, best first.
    pub fn community(&self, show: Uuid) -> Result<Vec<CommunityLine>, ClientError> {
        let entries = self.undelivered()?;
        let conn = self.conn();
        let mut lines: Vec<CommunityLine> = Vec::new();
        let mut server_vote: HashMap<Uuid, (i16, Hlc)> = HashMap::new();
        {
            let mut stmt = conn.prepare(
                "SELECT ln.id, ln.song_id, ln.title, ln.upvotes, ln.downvotes, ln.net_votes, v.value, v.hlc \
                 FROM lines ln JOIN setlists l ON l.id = ln.setlist_id \
                 LEFT JOIN votes v ON v.setlist_song_id = ln.id \
                 WHERE l.show_id = ?1 AND l.source = 'community' ORDER BY ln.position",
            )?;
            let rows = stmt.query_map([show.to_string()], |r| {
                <(
                    String,
                    Option<String>,
                    String,
                    i32,
                    i32,
                    i32,
                    Option<i16>,
                    Option<String>,
                )>::try_from(r)
            })?;
            for row in rows {
                let (id, song, title, up, down, net, vote, hlc) = row?;
                let Ok(id) = id.parse::<Uuid>() else { continue };
                let vote = vote.unwrap_or(0);
                let hlc = Hlc(hlc.and_then(|h| h.parse().ok()).unwrap_or(0));
                server_vote.insert(id, (vote, hlc));
                lines.push(CommunityLine {
                    line_id: Some(id),
                    song_id: uuid(song),
                    title,
                    upvotes: up,
                    downvotes: down,
                    net_votes: net,
                    my_vote: vote,
                    pending: false,
                });
            }
        }
        let mut overlay: Vec<(usize, i16)> = Vec::new();
        for e in entries {
            match e.mutation.action {
                Action::AddSong { show_id, song_id }
                    if show_id == show && !lines.iter().any(|l| l.song_id == Some(song_id)) =>
                {
                    let title: String = conn
                        .query_row(
                            "SELECT title FROM songs WHERE id = ?1",
                            [song_id.to_string()],
                            |r| r.get(0),
                        )
                        .optional()?
                        .unwrap_or_else(|| "…".to_owned());
                    lines.push(CommunityLine {
                        line_id: None,
                        song_id: Some(song_id),
                        title,
                        upvotes: 0,
                        downvotes: 0,
                        net_votes: 0,
                        my_vote: 0,
                        pending: true,
                    });
                }
                Action::Vote(v) => {
                    let idx = match v.on {
                        VoteOn::Line(line) => lines.iter().position(|l| l.line_id == Some(line)),
                        VoteOn::Song { show_id, song_id } if show_id == show => {
                            lines.iter().position(|l| l.song_id == Some(song_id))
                        }
                        VoteOn::Song { .. } => None,
                    };
                    let Some(idx) = idx else { continue };
                    // Last writer by HLC: an older local vote than the server's changes nothing.
                    let newer = lines[idx]
                        .line_id
                        .and_then(|id| server_vote.get(&id))
                        .is_none_or(|(_, hlc)| e.mutation.hlc > *hlc);
                    if newer {
                        overlay.push((idx, v.value.as_i16()));
                    }
                }
                _ => {}
            }
        }
        for (idx, value) in overlay {
            let l = &mut lines[idx];
            let before = l.my_vote;
            l.upvotes += i32::from(value == 1) - i32::from(before == 1);
            l.downvotes += i32::from(value == -1) - i32::from(before == -1);
            l.net_votes = l.upvotes - l.downvotes;
            l.my_vote = value;
            l.pending = true;
        }
        theset_shared::api::sort_best_first(&mut lines, |l| (l.net_votes, l.upvotes));
        Ok(lines)
    }

    /// The user's prediction for `show`: the latest unconfirmed draft, else the server's.
    pub fn prediction(&self, show: Uuid) -> Result<Listed, ClientError> {
        let draft = self
            .undelivered()?
            .into_iter()
            .rev()
            .find_map(|e| match e.mutation.action {
                Action::Predict { show_id, songs } if show_id == show => Some(songs),
                _ => None,
            });
        let conn = self.conn();
        if let Some(songs) = draft {
            let mut out = Vec::new();
            for l in songs {
                let title: String = conn
                    .query_row(
                        "SELECT title FROM songs WHERE id = ?1",
                        [l.song_id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or_else(|| "…".to_owned());
                out.push(ListedSong {
                    song_id: Some(l.song_id),
                    title,
                    set_name: if l.encore { "encore" } else { "main" }.to_owned(),
                });
            }
            return Ok(Listed {
                setlist_id: None,
                version: 0,
                verified: false,
                songs: out,
                pending: true,
                crowd: false,
            });
        }
        read_list(&conn, show, "l.source = 'user'")
    }

    /// The actual set-list of `show`: the latest unconfirmed edit (or list started on this
    /// device), else the server's version; verified already when a verification of the version
    /// shown waits on this device.
    pub fn actual(&self, show: Uuid) -> Result<Listed, ClientError> {
        let mut base = read_list(&self.conn(), show, "l.kind = 'actual'")?;
        let undelivered = self.undelivered()?;
        let Some(id) = base.setlist_id else {
            let started = undelivered
                .into_iter()
                .rev()
                .find_map(|e| match e.mutation.action {
                    Action::StartSetlist { show_id, songs, .. } if show_id == show => Some(songs),
                    _ => None,
                });
            return Ok(match started {
                Some(songs) => Listed {
                    songs: listed(songs),
                    pending: true,
                    ..Listed::default()
                },
                None => base,
            });
        };
        if undelivered.iter().any(|e| {
            matches!(e.mutation.action, Action::VerifySetlist { setlist_id, version }
                if setlist_id == id && version == base.version)
        }) {
            base.verified = true;
            base.pending = true;
        }
        let edit = undelivered
            .into_iter()
            .rev()
            .find_map(|e| match e.mutation.action {
                Action::EditSetlist {
                    setlist_id,
                    songs,
                    base_version,
                    ..
                } if setlist_id == id => Some((songs, base_version)),
                _ => None,
            });
        Ok(match edit {
            Some((songs, base_version)) => Listed {
                setlist_id: Some(id),
                version: base_version,
                verified: false,
                songs: listed(songs),
                pending: true,
                crowd: base.crowd,
            },
            None => base,
        })
    }

    /// The crowd list kept beside an imported or hand-started actual list.
    pub fn crowd(&self, show: Uuid) -> Result<Listed, ClientError> {
        read_list(&self.conn(), show, "l.kind = 'crowd'")
    }

    /// Catalogue songs of an artist held on the device, by title.
    pub fn catalogue(&self, artist: Uuid) -> Result<Vec<(Uuid, String)>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, title FROM songs WHERE artist_id = ?1 ORDER BY title COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([artist.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title) = row?;
            if let Ok(id) = id.parse() {
                out.push((id, title));
            }
        }
        Ok(out)
    }
}

/// The lines of a list written on this device, as the UI shows them.
fn listed(lines: Vec<theset_shared::api::ActualLine>) -> Vec<ListedSong> {
    lines
        .into_iter()
        .map(|l| ListedSong {
            song_id: l.song_id,
            title: l.title,
            set_name: l.set_name,
        })
        .collect()
}

fn read_list(conn: &rusqlite::Connection, show: Uuid, which: &str) -> Result<Listed, ClientError> {
    let head: Option<(String, i32, bool, String)> = conn
        .query_row(
            &format!("SELECT l.id, l.version, l.verified, l.source FROM setlists l WHERE l.show_id = ?1 AND {which}"),
            [show.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, version, verified, source)) = head else {
        return Ok(Listed::default());
    };
    let mut stmt = conn.prepare(
        "SELECT song_id, title, set_name FROM lines WHERE setlist_id = ?1 ORDER BY position",
    )?;
    let songs = stmt
        .query_map([&id], |r| {
            Ok(ListedSong {
                song_id: uuid(r.get(0)?),
                title: r.get(1)?,
                set_name: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Listed {
        setlist_id: id.parse().ok(),
        version,
        verified,
        songs,
        pending: false,
        crowd: source == "crowd",
    })
}
