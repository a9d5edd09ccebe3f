use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ArtistRef, Setlist, VenueRef, VenueSummary};

crate::named! {
    #[pg_enum = "show_status"]
    /// Where a show stands (the enum type `show_status` in Postgres).
    pub enum ShowStatus {
        Upcoming = "upcoming",
        Ongoing = "ongoing",
        Completed = "completed",
        Cancelled = "cancelled",
        /// Put off with no new date yet (Ticketmaster's `postponed`): it neither starts nor ends
        /// on the clock.
        Postponed = "postponed",
        /// Moved to a new date (Ticketmaster's `rescheduled`): upcoming at that date.
        Rescheduled = "rescheduled",
    }
}

impl ShowStatus {
    /// Whether the show is still to come, so fans vote and predict (a postponed show keeps its
    /// predictions for whenever it happens).
    pub fn ahead(self) -> bool {
        matches!(self, Self::Upcoming | Self::Postponed | Self::Rescheduled)
    }

    /// What a fan reads about this status, when it is news.
    pub fn notice(self) -> Option<&'static str> {
        match self {
            Self::Cancelled => Some("This show was cancelled: voting and predictions are closed."),
            Self::Postponed => Some(
                "This show is postponed and has no new date yet: votes and predictions stay for when it happens.",
            ),
            Self::Rescheduled => Some("This show moved to a new date."),
            _ => None,
        }
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
    /// Live services, or the offline demo catalogue.
    #[serde(default)]
    pub origin: super::DataOrigin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceRange {
    pub currency: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

crate::named! {
    #[pg_enum = "lineup_role"]
    /// An artist's place on a show's bill.
    pub enum LineupRole {
        Headliner = "headliner",
        Support = "support",
    }
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

/// Date order of show lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

/// `GET /api/v1/shows` (the server's extractor and the client's query alike).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ShowListQuery {
    /// Shows where this artist headlines or supports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artist_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue_id: Option<Uuid>,
    /// City of the venue (case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// First date, inclusive (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last date, inclusive (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub status: Option<ShowStatus>,
    /// Only shows at venues within `km` of this point, `latitude,longitude` in degrees.
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
    /// Date order, `asc` (default) or `desc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub order: Option<Order>,
    /// 1–100, default 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
