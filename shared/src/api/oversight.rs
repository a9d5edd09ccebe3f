//! Moderators' vote oversight: `GET /api/v1/moderation/shows/{id}/votes` (the accounts the rules
//! of `crate::oversight` list) and `POST /api/v1/moderation/users/{id}/votes/void`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::oversight::Anomaly;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suspect {
    pub user_id: Uuid,
    pub display_name: String,
    pub account_created_at: DateTime<Utc>,
    /// The account's votes on the show.
    pub votes: i64,
    pub reasons: Vec<Anomaly>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteOversight {
    pub show_id: Uuid,
    /// Votes on the show's community list.
    pub votes: i64,
    pub suspects: Vec<Suspect>,
}

/// `POST /api/v1/moderation/users/{id}/votes/void`: the account's votes on one show, or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoidVotes {
    #[serde(default)]
    pub show_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VotesVoided {
    pub removed: i64,
}
