use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ShowSummary;

/// Just enough of a venue to show where a show is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueRef {
    pub id: Uuid,
    pub name: String,
    pub city: Option<String>,
    pub country_code: Option<String>,
}

/// A venue in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueSummary {
    pub id: Uuid,
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub postal_code: Option<String>,
    pub timezone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub upcoming_show_count: i64,
    /// Live services, or the offline demo catalogue.
    #[serde(default)]
    pub origin: super::DataOrigin,
    /// Only when the list was asked `near` a point: kilometres from it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance_km: Option<f64>,
}

/// `GET /api/v1/venues` (the server's extractor and the client's query alike).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct VenueListQuery {
    /// City (case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Only venues with (true) or without (false) shows to come.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_upcoming: Option<bool>,
    /// `latitude,longitude` in degrees; results are then ordered by distance.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^-?[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$")
    )]
    pub near: Option<String>,
    /// Radius around `near` in kilometres (default 25, at most 20,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(exclusive_minimum = 0, maximum = 20000))]
    pub km: Option<f64>,
    /// 1–100, default 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A venue page: `GET /api/v1/venues/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueDetail {
    #[serde(flatten)]
    pub summary: VenueSummary,
    pub ticketmaster_id: Option<String>,
    pub upcoming_shows: Vec<ShowSummary>,
    /// Most recent first.
    pub past_shows: Vec<ShowSummary>,
}
