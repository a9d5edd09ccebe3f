use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ArtistDetail, JobRef};

/// One artist found by `GET /api/v1/search/artists`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistSearchHit {
    /// Ours, when we hold the artist.
    pub id: Option<Uuid>,
    pub slug: Option<String>,
    /// Pass to `POST /api/v1/artists/import` to add an artist we do not hold yet.
    pub ticketmaster_id: Option<String>,
    pub name: String,
    pub image_url: Option<String>,
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub trending_score: Option<f64>,
    pub in_database: bool,
    /// Of an artist we hold: live services, or the offline demo catalogue.
    #[serde(default)]
    pub origin: super::DataOrigin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistSearchResults {
    pub items: Vec<ArtistSearchHit>,
    /// Services that could not be asked this time (results then come from our database only).
    pub unavailable: Vec<String>,
    /// Why, when it was this: everyone's searches together spent today's share of the
    /// service's quota (the rest is kept for the jobs that keep the catalogue current).
    #[serde(default)]
    pub budget_spent: bool,
}

/// `GET /api/v1/search/artists` (the server's extractor and the client's query alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ArtistSearchQuery {
    /// 1–199 characters of text.
    pub q: String,
    /// Only artists with this genre (case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    /// 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 100))]
    pub min_popularity: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub sort: Option<SearchSort>,
    /// 1–50, default 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 50))]
    pub limit: Option<u32>,
}

/// Sort orders of the artist search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchSort {
    /// Ticketmaster's relevance, then our own matches.
    #[default]
    Relevance,
    Name,
    Trending,
}

/// `POST /api/v1/artists/import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub ticketmaster_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResponse {
    /// The artist page as it stands now (phase 1); shows and catalogue follow.
    pub artist: ArtistDetail,
    /// Queued or running phases; follow them on `GET /api/v1/jobs/{id}/events`.
    pub jobs: Vec<JobRef>,
    /// False when we already held the artist.
    pub created: bool,
}
