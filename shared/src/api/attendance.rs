//! "I'm going": attendance, and the private calendar feed of the shows a fan is going to.

use serde::{Deserialize, Serialize};

use super::ShowSummary;

/// `PUT /api/v1/me/going/{show_id}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoingRequest {
    /// Show it on the public profile's show history (private by default).
    #[serde(default)]
    pub public: bool,
}

/// One show of `GET /api/v1/me/going`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Going {
    pub show: ShowSummary,
    pub public: bool,
}

/// `POST /api/v1/me/calendar`: the feed's secret address, shown once (a new one revokes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    /// `https://…/api/v1/calendar/{secret}.ics`, for a calendar app to subscribe to.
    pub url: String,
}
