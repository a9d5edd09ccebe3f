//! The artist page (`GET /api/v1/artists/{slug}`, the answer of an import's phase 1, and what
//! the trending job warms the cache with).

use theset_shared::api::ArtistDetail;

use crate::db::artists as db;
use crate::db::shows::{self as shows_db, When};
use crate::error::{AppError, AppResult};

/// How many shows and songs an artist page carries; the lists have their own paginated routes.
const PAGE_SHOWS: i64 = 20;
const PREVIEW_SONGS: i64 = 10;

/// The artist page of `slug` (also the answer of an import's phase 1).
pub async fn detail(pool: &sqlx::PgPool, slug: &str) -> AppResult<ArtistDetail> {
    let row = db::by_slug(pool, slug)
        .await?
        .ok_or_else(|| AppError::not_found("artist"))?;
    let id = row.base.id;
    let (upcoming, past, preview, song_count) = tokio::try_join!(
        shows_db::around_today(pool, Some(id), None, When::Upcoming, PAGE_SHOWS),
        shows_db::around_today(pool, Some(id), None, When::Past, PAGE_SHOWS),
        db::top_songs(pool, id, PREVIEW_SONGS),
        db::song_count(pool, id),
    )?;
    Ok(ArtistDetail {
        summary: row.base.into(),
        ticketmaster_id: row.ticketmaster_id,
        spotify_id: row.spotify_id,
        musicbrainz_id: row.musicbrainz_id,
        images: row.images.0,
        bio: row.bio,
        links: row.links.0,
        upcoming_shows: upcoming.into_iter().map(Into::into).collect(),
        past_shows: past.into_iter().map(Into::into).collect(),
        catalogue_preview: preview.into_iter().map(Into::into).collect(),
        song_count,
        updated_at: row.updated_at,
    })
}
