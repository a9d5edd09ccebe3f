use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ArtistRef, Setlist, VenueRef, VenueSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShowStatus {
    Upcoming,
    Ongoing,
    Completed,
    Cancelled,
}

impl ShowStatus {
    pub const ALL: [Self; 4] = [
        Self::Upcoming,
        Self::Ongoing,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Ongoing => "ongoing",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A show in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowSummary {
    pub id: Uuid,
    pub name: Option<String>,
    /// Local date at the venue.
    pub date: NaiveDate,
    /// Local start time at the venue, when announced.
    pub start_time: Option<NaiveTime>,
    /// The start as an instant, when known; voting closes then.
    pub starts_at: Option<DateTime<Utc>>,
    pub status: ShowStatus,
    pub artist: ArtistRef,
    pub venue: Option<VenueRef>,
    pub ticket_url: Option<String>,
    pub sold_out: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceRange {
    pub currency: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineupRole {
    Headliner,
    Support,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineupEntry {
    pub artist: ArtistRef,
    pub role: LineupRole,
    /// Billing order, headliner first.
    pub position: i32,
}

/// A show page: `GET /api/v1/shows/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowDetail {
    #[serde(flatten)]
    pub summary: ShowSummary,
    pub tour_name: Option<String>,
    pub price_range: Option<PriceRange>,
    pub venue_detail: Option<VenueSummary>,
    pub lineup: Vec<LineupEntry>,
    pub setlists: Vec<Setlist>,
    pub view_count: i64,
}
