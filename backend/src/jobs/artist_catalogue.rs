//! Phase 3 of an import: the artist's studio catalogue from Spotify (found by name when
//! Ticketmaster's link is missing or stale, `artist_links.rs`). Albums and singles (not
//! compilations or appearances) → their track lists → full tracks (ISRCs) for the studio
//! versions only (live, remix, demo, acoustic… are filtered by `shared::titles` before any
//! track request) → songs, one per ISRC with the original release first.

use std::collections::HashSet;

use sqlx::PgPool;
use theset_shared::titles;
use uuid::Uuid;

use super::artist_links::{self, Found};
use super::{JobError, Progress, Providers, configured};
use crate::db::artists::{self, Synced};
use crate::db::upsert;
use crate::providers::spotify;

pub async fn run(
    db: &PgPool,
    providers: &Providers,
    artist_id: Uuid,
    progress: &Progress,
) -> Result<String, JobError> {
    let sp = configured(&providers.spotify, "Spotify")?;
    progress
        .step("profile", "Fetching the Spotify profile")
        .await?;
    let (spotify_id, profile) = match artist_links::spotify(db, sp, artist_id, progress).await? {
        Found::Linked(id, profile) => (id, profile),
        Found::Unlinked(reason) => {
            progress.step("skipped", &reason).await?;
            return Ok(format!("{reason}: catalogue skipped"));
        }
    };
    upsert::artists::spotify_profile(db, artist_id, &profile).await?;

    progress
        .step("albums", "Listing albums and singles")
        .await?;
    let albums = sp.artist_albums(&spotify_id).await?;
    let album_ids: Vec<String> = albums.iter().map(|a| a.id.clone()).collect();
    progress
        .counts(
            "tracklists",
            Some(albums.len()),
            0,
            0,
            0,
            format!("{} releases", albums.len()),
        )
        .await?;
    let tracklists = sp.album_tracks(&album_ids).await?;

    let album_name = |id: &str| {
        albums
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.as_str())
            .unwrap_or("")
    };
    let mut seen = HashSet::new();
    let mut wanted = Vec::new();
    for (album_id, tracks) in &tracklists {
        for t in tracks {
            if titles::classify(&t.name, album_name(album_id)).is_studio()
                && seen.insert(t.id.clone())
            {
                wanted.push(t.id.clone());
            }
        }
    }
    let total = wanted.len();
    progress
        .counts(
            "tracks",
            Some(total),
            0,
            0,
            0,
            format!("{total} studio tracks to check"),
        )
        .await?;
    let mut tracks: Vec<spotify::Track> = Vec::with_capacity(total);
    for chunk in wanted.chunks(spotify::TRACK_BATCH) {
        tracks.extend(sp.tracks(chunk).await?);
        progress
            .counts(
                "tracks",
                Some(total),
                tracks.len(),
                0,
                0,
                format!("{} of {total} tracks fetched", tracks.len()),
            )
            .await?;
    }

    // Check the full tracks again: their own album may mark a version the track list did not.
    tracks.retain(|t| titles::classify(&t.name, &t.album.name).is_studio());
    let mut conn = db.acquire().await?;
    let mut songs = HashSet::new();
    let all: Vec<&spotify::Track> = tracks.iter().collect();
    for t in upsert::songs::originals(&all) {
        if let Some(id) = upsert::songs::from_track(&mut conn, t).await? {
            songs.insert(id);
        }
    }
    artists::mark_synced(&mut *conn, artist_id, Synced::Catalogue).await?;
    progress
        .counts(
            "songs",
            Some(total),
            total,
            songs.len(),
            total - songs.len().min(total),
            format!("{} songs in the catalogue", songs.len()),
        )
        .await?;
    Ok(format!(
        "{} songs from {} releases",
        songs.len(),
        albums.len()
    ))
}
