//! Applying pulled pages: every row the server sent, the tombstones and the new cursor in one
//! transaction, so a crash leaves the store at the old cursor or the new, never between.

use rusqlite::{OptionalExtension, Transaction, params};
use theset_shared::hlc::Hlc;
use theset_shared::sync::{Change, Entity, PullResponse};

use super::Store;
use crate::error::ClientError;

fn enc<T: serde::Serialize>(v: &T) -> Result<String, ClientError> {
    serde_json::to_string(v).map_err(|e| ClientError::Decode(e.to_string()))
}

impl Store {
    /// Applies one pull page and its cursor atomically. On the last page (`more == false`)
    /// outbox rows the server confirms delivered leave.
    pub fn apply_pull(&self, page: &PullResponse) -> Result<(), ClientError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if page.reset {
            tx.execute_batch(
                "DELETE FROM follows; DELETE FROM attending; DELETE FROM shows; DELETE FROM songs; DELETE FROM setlists; \
                 DELETE FROM lines; DELETE FROM votes; DELETE FROM notifications;",
            )?;
            super::search::unindex(&tx, "song", "%")?;
        }
        let mut newest_vote = Hlc(0);
        for change in &page.changes {
            apply(&tx, change, &mut newest_vote)?;
        }
        if newest_vote.0 > 0 {
            let known: u64 = super::meta_get(&tx, "hlc")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            // Adopt later stamps from other devices, so this one's next vote sorts after them.
            super::meta_set(&tx, "hlc", &known.max(newest_vote.0).to_string())?;
        }
        super::meta_set(&tx, "cursor", &page.cursor)?;
        if !page.more {
            super::meta_set(&tx, "pulled_seq", &page.last_applied_seq.to_string())?;
            tx.execute(
                "DELETE FROM outbox WHERE seq <= ?1 AND state IN ('applied', 'superseded')",
                [page.last_applied_seq],
            )?;
            super::meta_set(&tx, "synced_at", &chrono::Utc::now().to_rfc3339())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the pull position (after a 410): the next pull is a full snapshot.
    pub fn forget_cursor(&self) -> Result<(), ClientError> {
        self.conn()
            .execute("DELETE FROM meta WHERE key = 'cursor'", [])?;
        Ok(())
    }

    pub fn cursor(&self) -> Result<Option<String>, ClientError> {
        super::meta_get(&self.conn(), "cursor")
    }
}

fn apply(tx: &Transaction<'_>, change: &Change, newest_vote: &mut Hlc) -> Result<(), ClientError> {
    match change {
        Change::Artist(a) => {
            exec(
                tx,
                "INSERT INTO artists (id, slug, name, image_url, genres, popularity, upcoming_show_count, synced_at, origin) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, image_url = excluded.image_url, \
                   genres = excluded.genres, popularity = excluded.popularity, \
                   upcoming_show_count = excluded.upcoming_show_count, synced_at = excluded.synced_at, \
                   origin = excluded.origin",
                params![
                    a.id.to_string(),
                    a.slug,
                    a.name,
                    a.image_url,
                    enc(&a.genres)?,
                    a.popularity,
                    a.upcoming_show_count,
                    chrono::Utc::now().to_rfc3339(),
                    a.origin.as_str()
                ],
            )?;
            super::search::index(tx, "artist", &a.id.to_string(), &a.name)?;
        }
        Change::Show(s) => {
            exec(
                tx,
                "INSERT OR REPLACE INTO shows (id, artist_id, date, status, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.summary.id.to_string(),
                    s.summary.artist.id.to_string(),
                    s.summary.date.to_string(),
                    s.summary.status.as_str(),
                    enc(s)?
                ],
            )?;
        }
        Change::Song(s) => {
            exec(
                tx,
                "INSERT OR REPLACE INTO songs (artist_id, id, title, album, popularity) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.artist_id.to_string(),
                    s.id.to_string(),
                    s.title,
                    s.album,
                    s.popularity
                ],
            )?;
            super::search::index(tx, "song", &format!("{}:{}", s.artist_id, s.id), &s.title)?;
        }
        Change::Setlist(l) => {
            exec(
                tx,
                "INSERT OR REPLACE INTO setlists (id, show_id, artist_id, kind, source, version, verified, accuracy_score) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    l.id.to_string(),
                    l.show_id.to_string(),
                    l.artist_id.to_string(),
                    l.kind.as_str(),
                    l.source.as_str(),
                    l.version,
                    l.verified,
                    l.accuracy_score
                ],
            )?;
        }
        Change::Line(l) => {
            exec(
                tx,
                "INSERT OR REPLACE INTO lines (id, setlist_id, song_id, title, position, set_name, is_cover, is_tape, \
                   upvotes, downvotes, net_votes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    l.id.to_string(),
                    l.setlist_id.to_string(),
                    l.song_id.map(|s| s.to_string()),
                    l.title,
                    l.position,
                    l.set_name,
                    l.is_cover,
                    l.is_tape,
                    l.upvotes,
                    l.downvotes,
                    l.net_votes
                ],
            )?;
        }
        Change::Vote(v) => {
            *newest_vote = (*newest_vote).max(v.hlc);
            exec(
                tx,
                "INSERT OR REPLACE INTO votes (setlist_song_id, value, hlc) VALUES (?1, ?2, ?3)",
                params![v.setlist_song_id.to_string(), v.value, v.hlc.0.to_string()],
            )?;
        }
        Change::Follow { artist_id } => {
            exec(
                tx,
                "INSERT OR IGNORE INTO follows (artist_id) VALUES (?1)",
                [artist_id.to_string()],
            )?;
        }
        Change::Attend(a) => {
            exec(
                tx,
                "INSERT OR REPLACE INTO attending (show_id, artist_id, going, public) VALUES (?1, ?2, ?3, ?4)",
                params![
                    a.show_id.to_string(),
                    a.artist_id.to_string(),
                    a.going,
                    a.public
                ],
            )?;
        }
        Change::Notification(n) => {
            // Read on any device stays read (a pull may bring the server's row from before
            // this device's own "read" reached it).
            exec(
                tx,
                "INSERT INTO notifications (id, kind, show_id, title, body, created_at, read) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (id) DO UPDATE SET read = notifications.read OR excluded.read, \
                     title = excluded.title, body = excluded.body",
                params![
                    n.id.to_string(),
                    n.kind.as_str(),
                    n.show_id.map(|s| s.to_string()),
                    n.title,
                    n.body,
                    // One width, so the text sorts as the time does.
                    n.created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    n.read
                ],
            )?;
        }
        Change::Deleted { entity, id } => delete(tx, *entity, &id.to_string())?,
    }
    Ok(())
}

fn delete(tx: &Transaction<'_>, entity: Entity, id: &str) -> Result<(), ClientError> {
    match entity {
        Entity::Follow => {
            tx.execute("DELETE FROM follows WHERE artist_id = ?1", [id])?;
            leave_scope(tx, id)?;
        }
        Entity::Attend => {
            let artist: Option<String> = tx
                .query_row(
                    "SELECT artist_id FROM attending WHERE show_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute("DELETE FROM attending WHERE show_id = ?1", [id])?;
            if let Some(artist) = artist {
                leave_scope(tx, &artist)?;
            }
        }
        Entity::Notification => {
            tx.execute("DELETE FROM notifications WHERE id = ?1", [id])?;
        }
        Entity::Artist => {
            tx.execute("DELETE FROM artists WHERE id = ?1", [id])?;
            super::search::unindex(tx, "artist", id)?;
        }
        Entity::Show => {
            tx.execute(
                "DELETE FROM lines WHERE setlist_id IN (SELECT id FROM setlists WHERE show_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM setlists WHERE show_id = ?1", [id])?;
            tx.execute("DELETE FROM shows WHERE id = ?1", [id])?;
        }
        Entity::Song => {
            tx.execute("DELETE FROM songs WHERE id = ?1", [id])?;
            super::search::unindex(tx, "song", &format!("%:{id}"))?;
        }
        Entity::Setlist => {
            tx.execute("DELETE FROM lines WHERE setlist_id = ?1", [id])?;
            tx.execute("DELETE FROM setlists WHERE id = ?1", [id])?;
        }
        Entity::Line => {
            tx.execute("DELETE FROM lines WHERE id = ?1", [id])?;
        }
        Entity::Vote => {
            tx.execute("DELETE FROM votes WHERE setlist_song_id = ?1", [id])?;
        }
    }
    Ok(())
}

/// An artist left the scope (unfollowed, or its last show kept without a follow went): its
/// rows go unless the artist is still followed or one of its shows still kept. The artist row
/// stays for browsing.
fn leave_scope(tx: &Transaction<'_>, artist: &str) -> Result<(), ClientError> {
    let still: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM follows WHERE artist_id = ?1) \
             OR EXISTS (SELECT 1 FROM attending WHERE artist_id = ?1)",
        [artist],
        |r| r.get(0),
    )?;
    if still {
        return Ok(());
    }
    tx.execute(
        "DELETE FROM lines WHERE setlist_id IN (SELECT s.id FROM setlists s WHERE s.artist_id = ?1 AND s.source <> 'user')",
        [artist],
    )?;
    tx.execute(
        "DELETE FROM setlists WHERE artist_id = ?1 AND source <> 'user'",
        [artist],
    )?;
    tx.execute("DELETE FROM shows WHERE artist_id = ?1", [artist])?;
    tx.execute("DELETE FROM songs WHERE artist_id = ?1", [artist])?;
    super::search::unindex(tx, "song", &format!("{artist}:%"))?;
    Ok(())
}

/// A statement prepared once per connection: a pull applies thousands of rows.
fn exec<P: rusqlite::Params>(
    tx: &Transaction<'_>,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}
