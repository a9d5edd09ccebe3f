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
    pub capacity: Option<i32>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub upcoming_show_count: i64,
    /// Only when the list was asked `near` a point: kilometres from it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance_km: Option<f64>,
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
