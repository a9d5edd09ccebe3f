//! "Get ready for tonight": for every show the user is going to in the next 48 hours, the device
//! holds the whole show pack — what the sync scope already brings (the line-up's headliner and
//! catalogue, the show and its venue's coordinates, the community list with totals, the user's
//! prediction) plus the server pages the evening needs (the show's page with its line-up and
//! venue, the likely songs, the leaderboard, the venue's page) and, when a tile server is
//! configured, map tiles around the venue at a few zoom levels (capped per show, fetched one at a
//! time with the app's user agent, as public tile servers ask). Each pack's size, age and what is
//! missing are recorded for the show page. Packs are refreshed after a sync when due.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use theset_shared::api::{LikelySong, ShowDetail, ShowLeaderboard, VenueDetail};
use theset_shared::ipc::PackState;
use uuid::Uuid;

use crate::error::ClientError;
use crate::{Client, Store};

/// Shows starting within this long are packed.
pub const HORIZON: chrono::Duration = chrono::Duration::hours(48);
/// A pack older than this is made again after the next sync.
pub const REFRESH: chrono::Duration = chrono::Duration::minutes(30);
/// An incomplete pack is tried again after this long (not on every sync).
pub const RETRY: chrono::Duration = chrono::Duration::minutes(2);
/// Zoom levels of the map tiles kept around a venue (street to neighbourhood).
const TILE_ZOOMS: std::ops::RangeInclusive<u32> = 13..=16;
/// Tiles per zoom level on each side of the venue's tile (a 3×3 block).
const TILE_RADIUS: i64 = 1;
/// At most this many tiles per show.
pub const MAX_TILES: usize = 36;
/// A pause between tile requests: tile servers ask apps not to fetch in bulk.
const TILE_PAUSE: Duration = Duration::from_millis(100);

/// The tile (x, y) at zoom `z` that holds a point (Web Mercator).
pub fn tile_of(lat: f64, lng: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.0511, 85.0511).to_radians();
    let x = ((lng + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    let max = n - 1.0;
    (x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32)
}

/// The tiles a pack keeps around a venue, capped at [`MAX_TILES`].
pub fn pack_tiles(lat: f64, lng: f64) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    for z in TILE_ZOOMS {
        let (cx, cy) = tile_of(lat, lng, z);
        let last = i64::from((1u32 << z) - 1);
        for dy in -TILE_RADIUS..=TILE_RADIUS {
            for dx in -TILE_RADIUS..=TILE_RADIUS {
                let (x, y) = (i64::from(cx) + dx, i64::from(cy) + dy);
                if (0..=last).contains(&x) && (0..=last).contains(&y) {
                    out.push((z, x as u32, y as u32));
                }
            }
        }
    }
    out.truncate(MAX_TILES);
    out
}

impl Store {
    fn record_pack(&self, show: Uuid, pack: &PackState) -> Result<(), ClientError> {
        let missing =
            serde_json::to_string(&pack.missing).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.conn().execute(
            "INSERT INTO packs (show_id, bytes, tiles, missing, prepared_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (show_id) DO UPDATE SET bytes = excluded.bytes, tiles = excluded.tiles,
                 missing = excluded.missing, prepared_at = excluded.prepared_at",
            params![
                show.to_string(),
                pack.bytes as i64,
                pack.tiles as i64,
                missing,
                pack.prepared_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// The recorded pack of `show`, if one was made.
    pub fn pack(&self, show: Uuid) -> Result<Option<PackState>, ClientError> {
        let row: Option<(i64, i64, String, String)> = self
            .conn()
            .query_row(
                "SELECT bytes, tiles, missing, prepared_at FROM packs WHERE show_id = ?1",
                [show.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((bytes, tiles, missing, at)) = row else {
            return Ok(None);
        };
        Ok(Some(PackState {
            bytes: u64::try_from(bytes).unwrap_or(0),
            tiles: u32::try_from(tiles).unwrap_or(0),
            missing: serde_json::from_str(&missing).unwrap_or_default(),
            prepared_at: chrono::DateTime::parse_from_rfc3339(&at)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|e| ClientError::Decode(e.to_string()))?,
        }))
    }

    /// An estimate of what the scope holds for a show: the text of its rows and its artist's
    /// catalogue, plus a fixed allowance per row for ids and numbers (SQLite keeps no per-row size).
    fn scope_bytes(&self, show: Uuid, artist: Uuid) -> Result<u64, ClientError> {
        let conn = self.conn();
        let bytes: i64 = conn.query_row(
            "SELECT coalesce((SELECT length(data) FROM shows WHERE id = ?1), 0)
                  + coalesce((SELECT sum(length(title) + 80) FROM songs WHERE artist_id = ?2), 0)
                  + coalesce((SELECT sum(length(ln.title) + 120) FROM lines ln JOIN setlists l ON l.id = ln.setlist_id
                              WHERE l.show_id = ?1), 0)",
            params![show.to_string(), artist.to_string()],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    /// Bytes of the kept pages with these keys.
    fn pages_bytes(&self, keys: &[String]) -> Result<u64, ClientError> {
        let conn = self.conn();
        let mut total = 0u64;
        for k in keys {
            let n: Option<i64> = conn
                .query_row(
                    "SELECT length(body) FROM page_cache WHERE key = ?1",
                    [k],
                    |r| r.get(0),
                )
                .optional()?;
            total += u64::try_from(n.unwrap_or(0)).unwrap_or(0);
        }
        Ok(total)
    }

    /// Bytes of the kept tiles among `tiles`, and how many are kept.
    fn tiles_kept(&self, tiles: &[(u32, u32, u32)]) -> Result<(u64, u32), ClientError> {
        let conn = self.conn();
        let (mut bytes, mut n) = (0u64, 0u32);
        for (z, x, y) in tiles {
            let len: Option<i64> = conn
                .query_row(
                    "SELECT length(body) FROM tiles WHERE z = ?1 AND x = ?2 AND y = ?3",
                    params![z, x, y],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(len) = len {
                bytes += u64::try_from(len).unwrap_or(0);
                n += 1;
            }
        }
        Ok((bytes, n))
    }
}

impl Client {
    /// Shows the user goes to that start within [`HORIZON`] (or are on now).
    pub fn shows_to_pack(&self) -> Result<Vec<Uuid>, ClientError> {
        let now = chrono::Utc::now();
        let mut out = Vec::new();
        for id in self.store.going_shows()? {
            let Some(s) = self.store.show(id)? else {
                continue;
            };
            let (start, end) = theset_shared::crowd::on_stage(s.summary.starts_at, s.summary.date);
            if end >= now && start <= now + HORIZON {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Makes (or refreshes) the pack of every show to pack whose pack is missing, older than
    /// [`REFRESH`], or incomplete and older than [`RETRY`]; returns how many were made. Does nothing while signed out.
    pub async fn keep_packs_ready(&self) -> Result<usize, ClientError> {
        if !self.session.signed_in().await {
            return Ok(0);
        }
        let mut made = 0;
        for show in self.shows_to_pack()? {
            let due = match self.store.pack(show)? {
                None => true,
                Some(p) => {
                    let age = chrono::Utc::now() - p.prepared_at;
                    age > REFRESH || (!p.missing.is_empty() && age > RETRY)
                }
            };
            if due {
                self.prepare_pack(show).await?;
                made += 1;
            }
        }
        Ok(made)
    }

    /// Makes the pack of `show` now, and records its size, age and what is missing.
    pub async fn prepare_pack(&self, show: Uuid) -> Result<PackState, ClientError> {
        let mut missing = Vec::new();
        let Some(held) = self.store.show(show)? else {
            let pack = PackState {
                bytes: 0,
                tiles: 0,
                missing: vec!["the show itself (it reaches the device with the next sync)".into()],
                prepared_at: chrono::Utc::now(),
            };
            self.store.record_pack(show, &pack)?;
            return Ok(pack);
        };
        let artist = held.summary.artist.id;
        if self.store.catalogue(artist)?.is_empty() {
            missing.push("the artist's songs".to_owned());
        }
        let mut keys = vec![
            format!("/shows/{show}"),
            format!("/shows/{show}/likely"),
            format!("/shows/{show}/leaderboard"),
            crate::comments::thread_key(show),
        ];
        let (detail, likely, board, thread) = futures::join!(
            self.page::<ShowDetail>(&keys[0], &[]),
            self.page::<Vec<LikelySong>>(&keys[1], &[]),
            self.page::<ShowLeaderboard>(&keys[2], &[]),
            self.fetch_thread(show),
        );
        for (ok, what) in [
            (detail.as_ref().is_ok_and(|d| !d.stale), "the show's page"),
            (likely.as_ref().is_ok_and(|d| !d.stale), "the likely songs"),
            (board.as_ref().is_ok_and(|d| !d.stale), "the leaderboard"),
            (thread.as_ref().is_ok_and(|d| !d.stale), "the discussion"),
        ] {
            if !ok {
                missing.push(what.to_owned());
            }
        }
        if let Some(venue) = held.summary.venue.as_ref() {
            let key = format!("/venues/{}", venue.id);
            if !self
                .page::<VenueDetail>(&key, &[])
                .await
                .is_ok_and(|v| !v.stale)
            {
                missing.push("the venue's page".to_owned());
            }
            keys.push(key);
        }
        let mut bytes = self.store.scope_bytes(show, artist)? + self.store.pages_bytes(&keys)?;
        let mut tiles = 0;
        let template = self.tile_template();
        if let (Some(template), Some(lat), Some(lng)) =
            (template.as_deref(), held.venue_lat, held.venue_lng)
        {
            let wanted = pack_tiles(lat, lng);
            for (z, x, y) in &wanted {
                if self.tile(template, *z, *x, *y).await.is_err() {
                    break;
                }
                crate::rt::sleep(TILE_PAUSE).await;
            }
            let (tile_bytes, kept) = self.store.tiles_kept(&wanted)?;
            bytes += tile_bytes;
            tiles = kept;
            if (kept as usize) < wanted.len() {
                missing.push(format!("map tiles ({kept} of {})", wanted.len()));
            }
        }
        let pack = PackState {
            bytes,
            tiles,
            missing,
            prepared_at: chrono::Utc::now(),
        };
        self.store.record_pack(show, &pack)?;
        Ok(pack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_venue_and_stay_capped() {
        // SoFi Stadium.
        let (lat, lng) = (33.9535, -118.3392);
        let tiles = pack_tiles(lat, lng);
        assert_eq!(tiles.len(), MAX_TILES);
        for z in TILE_ZOOMS {
            let centre = tile_of(lat, lng, z);
            assert!(tiles.contains(&(z, centre.0, centre.1)), "zoom {z}");
        }
        assert!(
            tiles
                .iter()
                .all(|(z, x, y)| crate::tiles::valid(*z, *x, *y))
        );
        // At the edge of the world the block is cut, never wrapped or out of range.
        let edge = pack_tiles(85.0, 179.99);
        assert!(edge.len() < MAX_TILES);
        assert!(edge.iter().all(|(z, x, y)| crate::tiles::valid(*z, *x, *y)));
    }

    #[test]
    fn known_tiles() {
        // The whole world at zoom 0; the four quarters at zoom 1.
        assert_eq!(tile_of(10.0, 10.0, 0), (0, 0));
        assert_eq!(tile_of(10.0, 10.0, 1), (1, 0));
        assert_eq!(tile_of(-10.0, -10.0, 1), (0, 1));
        // Berlin Mitte at zoom 16, by the slippy-map formula worked out by hand.
        assert_eq!(tile_of(52.5200, 13.4050, 16), (35208, 21492));
    }
}
