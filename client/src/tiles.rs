//! Map tiles through the device: a tile the app has shown is kept (up to a cap, oldest dropped),
//! so the maps of shows the user looked at keep their detail at a venue with no signal. Tiles
//! come from the tile server the app is configured with (`{z}/{x}/{y}` in its URL template).

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use crate::error::ClientError;
use crate::{Client, Store};

/// Tiles kept on the device (a 256 px tile is ~20 KB: about 100 MB at most).
const MAX_TILES: i64 = 5000;
/// A kept tile is used as it is for this long before the server is asked again.
const FRESH_DAYS: i64 = 30;
const TILE_BUDGET: Duration = Duration::from_secs(4);

/// A tile image and its type.
pub struct Tile {
    pub body: Vec<u8>,
    pub mime: String,
}

/// Whether (z, x, y) names a tile of the Web Mercator pyramid.
pub fn valid(z: u32, x: u32, y: u32) -> bool {
    z <= 19 && x < (1u32 << z) && y < (1u32 << z)
}

impl Store {
    fn kept_tile(&self, z: u32, x: u32, y: u32) -> Result<Option<(Tile, bool)>, ClientError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body, mime, fetched_at >= datetime('now', ?4) FROM tiles
                 WHERE z = ?1 AND x = ?2 AND y = ?3",
                params![z, x, y, format!("-{FRESH_DAYS} days")],
                |r| {
                    Ok((
                        Tile {
                            body: r.get(0)?,
                            mime: r.get(1)?,
                        },
                        r.get::<_, bool>(2)?,
                    ))
                },
            )
            .optional()?)
    }

    fn keep_tile(&self, z: u32, x: u32, y: u32, tile: &Tile) -> Result<(), ClientError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO tiles (z, x, y, body, mime, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, datetime('now'))
             ON CONFLICT (z, x, y) DO UPDATE SET body = excluded.body, mime = excluded.mime,
                 fetched_at = excluded.fetched_at",
            params![z, x, y, tile.body, tile.mime],
        )?;
        conn.execute(
            "DELETE FROM tiles WHERE rowid IN (SELECT rowid FROM tiles ORDER BY fetched_at DESC LIMIT -1 OFFSET ?1)",
            [MAX_TILES],
        )?;
        Ok(())
    }
}

impl Client {
    /// The tile at (z, x, y) from `template`: kept and fresh, else from the server (then kept),
    /// else the kept copy however old; an error when there is none and no network.
    pub async fn tile(&self, template: &str, z: u32, x: u32, y: u32) -> Result<Tile, ClientError> {
        if !valid(z, x, y) {
            return Err(ClientError::BadUrl(format!("no tile {z}/{x}/{y}")));
        }
        let kept = self.store.kept_tile(z, x, y)?;
        if let Some((tile, true)) = kept {
            return Ok(tile);
        }
        let url = template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string());
        let fetched = async {
            let res = reqwest::Client::new()
                .get(&url)
                .header(
                    reqwest::header::USER_AGENT,
                    "TheSet desktop (offline map cache)",
                )
                .timeout(TILE_BUDGET)
                .send()
                .await
                .map_err(ClientError::Network)?;
            let status = res.status().as_u16();
            if !res.status().is_success() {
                return Err(ClientError::Server {
                    status,
                    code: None,
                    message: format!("tile server answered {status}"),
                    current: None,
                });
            }
            let mime = res
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .filter(|m| m.starts_with("image/"))
                .unwrap_or("image/png")
                .to_owned();
            let body = res.bytes().await.map_err(ClientError::Network)?.to_vec();
            Ok(Tile { body, mime })
        };
        match fetched.await {
            Ok(tile) => {
                self.store.keep_tile(z, x, y, &tile)?;
                Ok(tile)
            }
            Err(e) => match kept {
                Some((tile, _)) => Ok(tile),
                None => Err(e),
            },
        }
    }
}
