//! `GET /api/v1/search/artists`: Ticketmaster's attraction search (artists only, never shows or
//! venues) merged with the artists we hold. When Ticketmaster is not configured or fails, the
//! answer comes from our database alone and says so in `unavailable`.

use std::collections::HashSet;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use theset_shared::api::{ArtistSearchHit, ArtistSearchQuery, ArtistSearchResults, SearchSort};

use super::extract::ApiQuery;
use crate::AppState;
use crate::db::artists as db;
use crate::error::{AppError, AppResult};
use crate::providers::ticketmaster::Attraction;

const MAX_QUERY_CHARS: usize = 200;
const MAX_RESULTS: u32 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/search/artists", get(search))
}

#[utoipa::path(get, path = "/api/v1/search/artists", tag = "search", params(ArtistSearchQuery),
    responses((status = 200, body = ArtistSearchResults), (status = 400, body = theset_shared::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ip: super::access::ClientIp,
    ApiQuery(p): ApiQuery<ArtistSearchQuery>,
) -> AppResult<Json<ArtistSearchResults>> {
    super::access::limited(&state, crate::auth::limits::Bucket::Search, ip, None).await?;
    let q = p.q.trim();
    let chars = q.chars().count();
    if chars == 0 || chars >= MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(AppError::invalid_parameter(format!(
            "q must be 1 to {} characters of text",
            MAX_QUERY_CHARS - 1
        )));
    }
    let limit = p.limit.unwrap_or(20);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(AppError::invalid_parameter(format!(
            "limit must be between 1 and {MAX_RESULTS}"
        )));
    }
    if p.min_popularity.is_some_and(|m| !(0..=100).contains(&m)) {
        return Err(AppError::invalid_parameter(
            "min_popularity must be between 0 and 100",
        ));
    }
    let genre = p.genre.as_deref().map(|g| g.trim().to_lowercase());
    if genre
        .as_deref()
        .is_some_and(|g| g.is_empty() || g.len() > 100)
    {
        return Err(AppError::invalid_parameter(
            "genre must be 1 to 100 characters",
        ));
    }

    let mut unavailable = Vec::new();
    let mut budget_spent = false;
    let remote = match remote_hits(&state, ip, q).await {
        Ok(hits) => hits,
        Err(Unreached::Service(service)) => {
            unavailable.push(service);
            Vec::new()
        }
        Err(Unreached::DaysShareSpent(service)) => {
            unavailable.push(service);
            budget_spent = true;
            Vec::new()
        }
    };
    let tm_ids: Vec<String> = remote.iter().map(|a| a.id.clone()).collect();
    let held = db::by_ticketmaster_ids(&state.db, &tm_ids).await?;
    let mut items: Vec<ArtistSearchHit> = remote
        .iter()
        .map(|a| {
            match held
                .iter()
                .find(|h| h.ticketmaster_id.as_deref() == Some(a.id.as_str()))
            {
                Some(h) => h.to_hit(),
                None => ArtistSearchHit {
                    id: None,
                    slug: None,
                    ticketmaster_id: Some(a.id.clone()),
                    name: a.name.clone(),
                    image_url: a.best_image().map(|i| i.url.clone()),
                    genres: a.genres(),
                    popularity: None,
                    trending_score: None,
                    in_database: false,
                    // A live Ticketmaster hit (or the demo's replay of one).
                    origin: state.providers.origin,
                },
            }
        })
        .collect();
    let mut seen: HashSet<String> = items
        .iter()
        .filter_map(|i| i.ticketmaster_id.clone())
        .collect();
    for local in db::search_by_name(&state.db, q, i64::from(MAX_RESULTS)).await? {
        if local
            .ticketmaster_id
            .as_ref()
            .is_none_or(|t| seen.insert(t.clone()))
        {
            items.push(local.to_hit());
        }
    }

    if let Some(g) = &genre {
        items.retain(|i| i.genres.iter().any(|x| x == g));
    }
    // An artist not held yet has no popularity until its catalogue (Spotify) is imported: it is
    // kept, "not rated yet", rather than silently dropped by the filter.
    if let Some(min) = p.min_popularity {
        items.retain(|i| i.popularity.map_or(!i.in_database, |pop| pop >= min));
    }
    match p.sort.unwrap_or_default() {
        SearchSort::Relevance => {}
        SearchSort::Name => items.sort_by_key(|i| i.name.to_lowercase()),
        SearchSort::Trending => items.sort_by(|a, b| {
            b.trending_score
                .unwrap_or(f64::MIN)
                .total_cmp(&a.trending_score.unwrap_or(f64::MIN))
        }),
    }
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(Json(ArtistSearchResults {
        items,
        unavailable,
        budget_spent,
    }))
}

/// Why Ticketmaster was not asked.
enum Unreached {
    /// Not configured, failing, busy, or the caller's network spent its budget.
    Service(String),
    /// Every person together spent today's share of the service's quota.
    DaysShareSpent(String),
}

/// Ticketmaster's hits for `q`, cached for a few minutes; `Err` when it cannot answer,
/// including when the caller's network (its /64, and its /48) spent its budget of uncached
/// searches, when everyone together spent today's share of the service's quota (the rest is
/// kept for the scheduled jobs), or when the service's limiter is busy.
async fn remote_hits(
    state: &AppState,
    ip: super::access::ClientIp,
    q: &str,
) -> Result<Vec<Attraction>, Unreached> {
    const SERVICE: &str = "ticketmaster";
    let Some(tm) = &state.providers.ticketmaster else {
        return Err(Unreached::Service(SERVICE.into()));
    };
    // Both cache levels: this process, and Redis shared by every instance (one upstream call
    // per query for the whole deployment while the entry lives).
    let key = crate::cache::CacheKey::new(&format!("v1:tm-search:{}", q.to_lowercase()), &[]);
    if let Some(hit) = state
        .cache
        .get(&key)
        .await
        .and_then(|bytes| serde_json::from_slice::<Vec<Attraction>>(&bytes).ok())
    {
        return Ok(hit);
    }
    if super::access::limited(state, crate::auth::limits::Bucket::UpstreamSearch, ip, None)
        .await
        .is_err()
    {
        return Err(Unreached::Service(SERVICE.into()));
    }
    if !state
        .auth
        .limits
        .spend_daily(crate::auth::limits::Quota::PeopleUpstream)
        .await
    {
        return Err(Unreached::DaysShareSpent(SERVICE.into()));
    }
    match tm.interactive().search_attractions(q).await {
        Ok(hits) => {
            for a in &hits {
                state.attractions.insert(a.id.clone(), a.clone()).await;
            }
            if let Ok(bytes) = serde_json::to_vec(&hits) {
                state.cache.set(&key, bytes).await;
            }
            Ok(hits)
        }
        Err(e) => {
            tracing::warn!(error = %e, "Ticketmaster search failed; answering from the database");
            Err(Unreached::Service(SERVICE.into()))
        }
    }
}
