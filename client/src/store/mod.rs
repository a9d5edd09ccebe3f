//! The local SQLite store: `synchronous=FULL` so a committed change survives a crash or power
//! loss (WAL on desktop; a rollback journal in the browser, whose OPFS pool has no shared memory
//! for WAL), and its own versioned migrations in `PRAGMA user_version`. A database written by a
//! newer build is refused rather than misread.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use theset_shared::api::{ArtistSummary, DataOrigin};
use theset_shared::ipc::CachedArtist;

use crate::error::ClientError;

mod drafts;
mod live;
pub mod outbox;
mod pull;
mod schema;
mod scope;
mod search;

pub use live::{Attendance, MyCapture};
pub use outbox::{Entry as OutboxEntry, State as OutboxState};
pub use scope::{CommunityLine, Listed, ListedSong};
pub use search::Hit;

use schema::MIGRATIONS;

pub struct Store {
    // rusqlite connections are not Sync; one connection behind a mutex is plenty for one user.
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, ClientError> {
        if let Some(dir) = path.parent() {
            // The caller's data folder may not exist on first start.
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path)?;
        let journal = if cfg!(target_arch = "wasm32") {
            "DELETE"
        } else {
            "WAL"
        };
        conn.pragma_update(None, "journal_mode", journal)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the cached artist list with `artists`, atomically.
    pub fn replace_artists(&self, artists: &[ArtistSummary]) -> Result<(), ClientError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = chrono::Utc::now().to_rfc3339();
        tx.execute("DELETE FROM artists", [])?;
        search::unindex(&tx, "artist", "%")?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO artists (id, slug, name, image_url, genres, popularity, upcoming_show_count, synced_at, origin) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for a in artists {
                let genres = serde_json::to_string(&a.genres).unwrap_or_else(|_| "[]".into());
                ins.execute(params![
                    a.id.to_string(),
                    a.slug,
                    a.name,
                    a.image_url,
                    genres,
                    a.popularity,
                    a.upcoming_show_count,
                    now,
                    a.origin.as_str()
                ])?;
                search::index(&tx, "artist", &a.id.to_string(), &a.name)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn list_artists(&self) -> Result<Vec<CachedArtist>, ClientError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, slug, name, image_url, genres, popularity, upcoming_show_count, origin \
             FROM artists ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let genres: String = r.get(4)?;
            Ok(CachedArtist {
                id: r.get(0)?,
                slug: r.get(1)?,
                name: r.get(2)?,
                image_url: r.get(3)?,
                genres: serde_json::from_str(&genres).unwrap_or_default(),
                popularity: r.get(5)?,
                upcoming_show_count: r.get(6)?,
                origin: DataOrigin::of_column(&r.get::<_, String>(7)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn artist_count(&self) -> Result<usize, ClientError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM artists", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Schema version this build writes.
    pub fn schema_version() -> i64 {
        i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
    }
}

/// A value of the `meta` table (device id, cursor, clock, next sequence…).
pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>, ClientError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<(), ClientError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

impl Store {
    /// This installation's device id, made on first use.
    pub fn device_id(&self) -> Result<uuid::Uuid, ClientError> {
        let conn = self.conn();
        if let Some(id) = meta_get(&conn, "device_id")?.and_then(|v| v.parse().ok()) {
            return Ok(id);
        }
        let id = uuid::Uuid::now_v7();
        meta_set(&conn, "device_id", &id.to_string())?;
        Ok(id)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, ClientError> {
        meta_get(&self.conn(), key)
    }

    /// Sets (or with `None` removes) a device-private value; sign-out wipes them all.
    pub fn set_meta(&self, key: &str, value: Option<&str>) -> Result<(), ClientError> {
        let conn = self.conn();
        match value {
            Some(v) => meta_set(&conn, key, v),
            None => {
                conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
                Ok(())
            }
        }
    }

    /// Forgets everything private (sign-out): scope, outbox, cursor, device. The public artist
    /// list stays.
    pub fn wipe_private(&self) -> Result<(), ClientError> {
        self.conn().execute_batch(
            "DELETE FROM follows; DELETE FROM shows; DELETE FROM songs; DELETE FROM setlists; \
             DELETE FROM lines; DELETE FROM votes; DELETE FROM outbox; DELETE FROM meta; \
             DELETE FROM search WHERE rowid IN (SELECT id FROM search_keys WHERE kind = 'song'); \
             DELETE FROM search_keys WHERE kind = 'song'; \
             DELETE FROM page_cache WHERE private = 1; DELETE FROM drafts; \
             DELETE FROM attending; DELETE FROM captures; DELETE FROM packs; \
             DELETE FROM notifications;",
        )?;
        Ok(())
    }
}

fn migrate(conn: &mut Connection) -> Result<(), ClientError> {
    let known = Store::schema_version();
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(ClientError::StoreTooNew { found, known });
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str) -> ArtistSummary {
        ArtistSummary {
            id: uuid::Uuid::new_v4(),
            slug: theset_shared::slug::slugify(name).expect("slug"),
            name: name.into(),
            image_url: None,
            genres: vec!["rock".into()],
            popularity: Some(50),
            followers: None,
            trending_score: 0.0,
            upcoming_show_count: 2,
            origin: Default::default(),
        }
    }

    #[test]
    fn replace_and_list_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/store.sqlite3");
        {
            let store = Store::open(&path).expect("open");
            store
                .replace_artists(&[summary("zed"), summary("Alpha")])
                .expect("replace");
        }
        let store = Store::open(&path).expect("reopen");
        let names: Vec<String> = store
            .list_artists()
            .expect("list")
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["Alpha", "zed"]);
        assert_eq!(store.list_artists().expect("list")[0].genres, ["rock"]);
        store.replace_artists(&[summary("Only")]).expect("replace");
        assert_eq!(store.artist_count().expect("count"), 1);
    }

    #[test]
    fn refuses_a_store_from_a_newer_build() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite3");
        drop(Store::open(&path).expect("open"));
        let conn = Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", Store::schema_version() + 1)
            .expect("bump");
        drop(conn);
        match Store::open(&path) {
            Err(ClientError::StoreTooNew { found, known }) => assert_eq!(found, known + 1),
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("opened a newer store"),
        }
    }

    #[test]
    fn uses_wal_with_full_sync() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("s.sqlite3")).expect("open");
        let conn = store.conn();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("mode");
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .expect("sync");
        assert_eq!((mode.as_str(), sync), ("wal", 2));
    }
}
