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
use crate::error::{AppError, AppResult};
use crate::page_views::Page as Viewed;
use crate::views::artist_page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/artists", get(list))
        .route("/artists/{slug}", get(by_slug))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
            let page = artist_page::detail(&state.db, &slug).await?;
            let bytes = serde_json::to_vec(&page).map_err(|e| AppError::Internal(e.into()))?;
            state.cache.set(&key, bytes.clone()).await;
            bytes
        }
    };
    state.views.record(ip.0, Viewed::Artist(slug));
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}
