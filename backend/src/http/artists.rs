//! `GET /api/v1/artists` and `GET /api/v1/artists/{slug}`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use theset_shared::api::{ArtistDetail, ArtistSort, ArtistSummary, Page};
use theset_shared::slug::is_valid_slug;
use utoipa::IntoParams;

use super::access::ClientIp;
use super::extract::{ApiPath, ApiQuery};
use super::pagination;
use crate::AppState;
use crate::cache::artist_page_key;
use crate::db::artists::{self as db, ArtistFilter};
use crate::db::shows::{self as shows_db, When};
use crate::error::{AppError, AppResult};
use crate::views::Page as Viewed;

/// How many shows and songs an artist page carries; the lists have their own paginated routes.
const PAGE_SHOWS: i64 = 20;
const PREVIEW_SONGS: i64 = 10;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/artists", get(list))
        .route("/artists/{slug}", get(by_slug))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only artists with this genre (case-insensitive).
    genre: Option<String>,
    /// Only artists with at least this popularity (0–100).
    min_popularity: Option<i32>,
    #[param(inline)]
    sort: Option<ArtistSort>,
    /// 1–100, default 20.
    limit: Option<u32>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/artists", tag = "artists", params(ListParams),
    responses((status = 200, body = Page<ArtistSummary>), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<Page<ArtistSummary>>> {
    let limit = pagination::limit(p.limit)?;
    if let Some(min) = p.min_popularity
        && !(0..=100).contains(&min)
    {
        return Err(AppError::invalid_parameter(
            "min_popularity must be between 0 and 100",
        ));
    }
    let genre = p.genre.as_deref().map(str::trim);
    if genre.is_some_and(|g| g.is_empty() || g.len() > 100) {
        return Err(AppError::invalid_parameter(
            "genre must be 1 to 100 characters",
        ));
    }
    let sort = p.sort.unwrap_or_default();
    let sort_key = match sort {
        ArtistSort::Name => "name",
        ArtistSort::Trending => "trending",
    };
    let (after_name, after_trending) = match sort {
        ArtistSort::Name => (pagination::decode(sort_key, p.cursor.as_deref())?, None),
        ArtistSort::Trending => (None, pagination::decode(sort_key, p.cursor.as_deref())?),
    };
    let rows = db::list(
        &state.db,
        ArtistFilter {
            genre,
            min_popularity: p.min_popularity,
            sort,
            after_name,
            after_trending,
            limit,
        },
    )
    .await?;
    Ok(Json(match sort {
        ArtistSort::Name => pagination::page(
            rows,
            limit,
            sort_key,
            |r| (r.sort_name.clone(), r.id),
            Into::into,
        ),
        ArtistSort::Trending => pagination::page(
            rows,
            limit,
            sort_key,
            |r| (r.trending_score, r.id),
            Into::into,
        ),
    }))
}

#[utoipa::path(get, path = "/api/v1/artists/{slug}", tag = "artists",
    params(("slug" = String, Path, description = "The artist's slug")),
    responses((status = 200, body = ArtistDetail), (status = 400, body = theset_shared::ErrorBody),
              (status = 404, body = theset_shared::ErrorBody)))]
pub async fn by_slug(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Response> {
    if !is_valid_slug(&slug) {
        return Err(AppError::invalid_parameter(
            "slug must be lower-case letters, digits and dashes",
        ));
    }
    // Artist pages are the hottest read; imports that change the artist invalidate the entry.
    let key = artist_page_key(&slug);
    let bytes = match state.cache.get(&key).await {
        Some(hit) => hit.as_ref().clone(),
        None => {
            let page = detail(&state.db, &slug).await?;
            let bytes = serde_json::to_vec(&page).map_err(|e| AppError::Internal(e.into()))?;
            state.cache.set(&key, bytes.clone()).await;
            bytes
        }
    };
    state.views.record(ip.0, Viewed::Artist(slug));
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// The artist page of `slug` (also the answer of an import's phase 1).
pub(crate) async fn detail(pool: &sqlx::PgPool, slug: &str) -> AppResult<ArtistDetail> {
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
