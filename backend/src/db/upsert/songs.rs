//! Catalogue songs from Spotify tracks: one song per normal title and artist (a remaster, a
//! deluxe or mono edition, a radio edit are that song: see `theset_shared::titles`), found again
//! by Spotify id or ISRC, linked to every artist of ours on the track.

use chrono::NaiveDate;
use sqlx::PgConnection;
use theset_shared::catalogue::TrackFacts;
use theset_shared::titles;
use uuid::Uuid;

use crate::providers::spotify;

/// The facts the catalogue rules (`theset_shared::catalogue`) decide on.
pub fn facts(t: &spotify::Track) -> TrackFacts {
    TrackFacts {
        id: t.id.clone(),
        artist: t.artists.first().map(|a| a.id.clone()).unwrap_or_default(),
        title: t.name.clone(),
        isrc: t.external_ids.isrc.clone(),
        album_type: t.album.album_type.clone(),
        release_date: t.album.release_date.clone(),
    }
}

/// The tracks to upsert: one per recording, the original release (see `theset_shared::catalogue`).
pub fn originals<'a>(tracks: &[&'a spotify::Track]) -> Vec<&'a spotify::Track> {
    let facts: Vec<TrackFacts> = tracks.iter().map(|t| facts(t)).collect();
    theset_shared::catalogue::originals(&facts)
        .into_iter()
        .map(|i| tracks[i])
        .collect()
}

/// Upserts track `t`. Anything but a studio recording (live, remix, demo, acoustic,
/// instrumental) is left out (`None`), as are tracks with none of our artists on them. Versions
/// of one song — remasters, deluxe and mono/stereo editions, radio edits, a "feat." credit —
/// are the song already held under the same normal title for the first artist (their ISRCs
/// differ): the variant is not stored again, and a held title that carries a version marker
/// gives way to the plain one.
pub async fn from_track(db: &mut PgConnection, t: &spotify::Track) -> sqlx::Result<Option<Uuid>> {
    if !titles::classify(&t.name, &t.album.name).is_studio() {
        return Ok(None);
    }
    let linked: Vec<(Uuid, bool)> = {
        let mut v = Vec::new();
        for (i, a) in t.artists.iter().enumerate() {
            let id = sqlx::query_scalar!("SELECT id FROM artists WHERE spotify_id = $1", a.id)
                .fetch_optional(&mut *db)
                .await?;
            if let Some(id) = id {
                v.push((id, i == 0));
            }
        }
        v
    };
    if linked.is_empty() {
        return Ok(None);
    }
    let isrc = t
        .external_ids
        .isrc
        .as_deref()
        .map(str::to_uppercase)
        .filter(|i| valid_isrc(i));
    let normalized = titles::normalize(&t.name);
    let existing = sqlx::query!(
        "SELECT s.id, s.title FROM songs s WHERE s.spotify_id = $1 OR s.isrc = $2 \
         OR (s.normalized_title = $3 \
             AND EXISTS (SELECT 1 FROM artist_songs x WHERE x.song_id = s.id AND x.artist_id = $4)) \
         ORDER BY (s.spotify_id = $1) DESC NULLS LAST, (s.isrc = $2) DESC NULLS LAST, s.created_at, s.id \
         LIMIT 1",
        t.id,
        isrc.as_deref(),
        normalized,
        linked[0].0
    )
    .fetch_optional(&mut *db)
    .await?;
    let song_id = match existing {
        Some(held) => {
            // A variant's plain title replaces a held title that carries a version marker
            // ("X - Remastered 2011" becomes "X" once the original is seen).
            let title = (titles::is_plain(&t.name) && !titles::is_plain(&held.title))
                .then_some(t.name.as_str());
            // The cover of the release first seen stays; one that had none gets this one.
            sqlx::query!(
                "UPDATE songs SET album_image_url = coalesce(album_image_url, $2), \
                        title = coalesce($3, title) \
                 WHERE id = $1 AND ((album_image_url IS NULL AND $2::text IS NOT NULL) OR $3::text IS NOT NULL)",
                held.id,
                t.album.cover(),
                title
            )
            .execute(&mut *db)
            .await?;
            held.id
        }
        None => {
            let album_type = t
                .album
                .album_type
                .as_deref()
                .filter(|k| ["album", "single", "compilation", "ep"].contains(k));
            sqlx::query_scalar!(
                "INSERT INTO songs (spotify_id, isrc, title, normalized_title, album, album_spotify_id, album_type, \
                   release_date, track_number, disc_number, duration_ms, popularity, album_image_url) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                t.id,
                isrc.as_deref(),
                t.name,
                normalized,
                t.album.name,
                t.album.id,
                album_type,
                release_date(t.album.release_date.as_deref()),
                t.track_number.filter(|n| *n > 0),
                t.disc_number.filter(|n| *n > 0),
                t.duration_ms.filter(|d| *d >= 0),
                t.popularity.filter(|p| (0..=100).contains(p)),
                t.album.cover()
            )
            .fetch_one(&mut *db)
            .await?
        }
    };
    for (artist, primary) in linked {
        sqlx::query!(
            "INSERT INTO artist_songs (artist_id, song_id, is_primary_artist) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            artist,
            song_id,
            primary
        )
        .execute(&mut *db)
        .await?;
    }
    Ok(Some(song_id))
}

fn valid_isrc(isrc: &str) -> bool {
    let b = isrc.as_bytes();
    b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[5..].iter().all(u8::is_ascii_digit)
}

/// Spotify's `release_date` has day, month or year precision.
fn release_date(raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw?;
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01-01"), "%Y-%m-%d"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isrc_shape() {
        assert!(valid_isrc("GBAYE0009007"));
        assert!(!valid_isrc("gbaye0009007"));
        assert!(!valid_isrc("GBAYE000900"));
    }

    #[test]
    fn release_precisions() {
        assert_eq!(
            release_date(Some("2013")),
            NaiveDate::from_ymd_opt(2013, 1, 1)
        );
        assert_eq!(
            release_date(Some("2013-09")),
            NaiveDate::from_ymd_opt(2013, 9, 1)
        );
        assert_eq!(
            release_date(Some("2013-09-09")),
            NaiveDate::from_ymd_opt(2013, 9, 9)
        );
        assert_eq!(release_date(Some("soon")), None);
    }
}
