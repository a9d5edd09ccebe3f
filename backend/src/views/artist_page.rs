//! The artist page (`GET /api/v1/artists/{slug}`, the answer of an import's phase 1, and what
//! the trending job warms the cache with).

use theset_shared::api::{ArtistDetail, TrendingSong};
use theset_shared::song_trends::{self, SongSignals};

use crate::db::artists as db;
use crate::db::shows::{self as shows_db, When};
use crate::error::{AppError, AppResult};

/// How many shows and songs an artist page carries; the lists have their own paginated routes.
const PAGE_SHOWS: i64 = 20;
const PREVIEW_SONGS: i64 = 10;
const TRENDING_SONGS: usize = 10;

/// The artist page of `slug` (also the answer of an import's phase 1).
#[tracing::instrument(level = "debug", skip(pool))]
pub async fn detail(pool: &sqlx::PgPool, slug: &str) -> AppResult<ArtistDetail> {
    let row = db::by_slug(pool, slug)
        .await?
        .ok_or_else(|| AppError::not_found("artist"))?;
    let id = row.base.id;
    let (upcoming, past, preview, song_count, signals) = tokio::try_join!(
        shows_db::around_today(pool, Some(id), None, When::Upcoming, PAGE_SHOWS),
        shows_db::around_today(pool, Some(id), None, When::Past, PAGE_SHOWS),
        db::top_songs(pool, id, PREVIEW_SONGS),
        db::song_count(pool, id),
        db::trends::signals(pool, id),
    )?;
    Ok(ArtistDetail {
        summary: row.base.into(),
        ticketmaster_id: row.ticketmaster_id,
        spotify_id: row.spotify_id,
        musicbrainz_id: row.musicbrainz_id,
        images: row.images.0,
        // Only a biography fetched from Wikipedia is credited to it; the demo catalogue's were
        // written for the demo.
        bio_source: row
            .bio
            .as_ref()
            .filter(|_| row.bio_origin == Some(theset_shared::api::DataOrigin::Live))
            .and(row.bio_url)
            .map(theset_shared::api::BioSource::wikipedia),
        bio_origin: row.bio.as_ref().and(row.bio_origin),
        bio: row.bio,
        links: row.links.0,
        upcoming_shows: upcoming.into_iter().map(Into::into).collect(),
        past_shows: past.into_iter().map(Into::into).collect(),
        catalogue_preview: preview.into_iter().map(Into::into).collect(),
        trending_songs: trending(signals),
        song_count,
        updated_at: row.updated_at,
    })
}

/// The best-scored songs, by `shared::song_trends` (ties by title, so the order is stable).
fn trending(rows: Vec<db::trends::SongSignalsRow>) -> Vec<TrendingSong> {
    let mut scored: Vec<TrendingSong> = rows
        .into_iter()
        .map(|r| {
            let s = SongSignals {
                decayed_net_votes: r.net_votes,
                decayed_predictions: r.predictions,
                played_in: u32::try_from(r.played_in).unwrap_or(0),
                lists: u32::try_from(r.lists).unwrap_or(0),
            };
            TrendingSong {
                song_id: r.id,
                title: r.title,
                album: r.album,
                score: song_trends::score(&s),
                played_share: song_trends::played_share(&s),
                fan_interest: r.net_votes + r.predictions,
            }
        })
        .filter(|t| t.score > 0.0)
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.title.cmp(&b.title))
    });
    scored.truncate(TRENDING_SONGS);
    scored
}
