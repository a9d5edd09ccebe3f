use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ArtistSummary, ShowSummary};

/// A show in trending lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendingShow {
    #[serde(flatten)]
    pub summary: ShowSummary,
    /// See `theset_shared::trending::show_score`; recomputed every 15 minutes.
    pub trending_score: f64,
}

/// `GET /api/v1/home`: what the home page shows, in one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Home {
    pub trending_artists: Vec<ArtistSummary>,
    pub trending_shows: Vec<TrendingShow>,
    /// Upcoming shows of the caller's followed artists, soonest first; empty when signed out.
    pub followed_upcoming: Vec<ShowSummary>,
    pub signed_in: bool,
}

/// One of the caller's personal predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyPrediction {
    pub show: ShowSummary,
    pub songs: i64,
    pub updated_at: DateTime<Utc>,
    /// 0–100 once the show's actual set-list is verified.
    pub score: Option<f64>,
    /// Rank among the show's scored predictions (1 = best).
    pub rank: Option<i64>,
}

/// A show a fan predicted, once scored (scores are public on the leaderboards too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoredShow {
    pub show: ShowSummary,
    pub score: f64,
    pub rank: Option<i64>,
}

/// `GET /api/v1/users/{id}`: a fan's public page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserPage {
    #[serde(flatten)]
    pub profile: super::PublicProfile,
    /// Scored predictions, newest show first (at most 50); unscored ones stay private.
    pub show_history: Vec<ScoredShow>,
    /// Shows the fan chose to say they are going to (or went to), newest first (at most 50).
    pub attending: Vec<ShowSummary>,
    /// The artists of the fan's public activity (scored predictions, public attendance), most
    /// often first; follows stay private.
    pub favourite_artists: Vec<super::ArtistSummary>,
    pub scores: MyScores,
    pub contributions: PublicContributions,
}

/// What a fan gave the community, as their public page shows it (flags raised stay private).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicContributions {
    pub songs_added: i64,
    pub votes_cast: i64,
    pub corrections: i64,
    pub setlists_verified: i64,
}

/// The caller's accuracy so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyScores {
    pub scored: i64,
    pub average: Option<f64>,
    pub best: Option<f64>,
    /// Place on the all-time leaderboard (sum of scores), when the caller has a score.
    pub all_time_rank: Option<i64>,
}

/// What the caller has given the community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contributions {
    /// Songs added to community set-lists.
    pub songs_added: i64,
    pub votes_cast: i64,
    /// Corrections to actual set-lists (versions written).
    pub corrections: i64,
    pub flags_raised: i64,
    /// Set-lists verified (moderators).
    pub setlists_verified: i64,
}

/// `GET /api/v1/me/dashboard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub followed_artists: Vec<ArtistSummary>,
    /// Upcoming shows of followed artists, soonest first (at most 50).
    pub upcoming_shows: Vec<ShowSummary>,
    /// Newest first (at most 100).
    pub predictions: Vec<MyPrediction>,
    pub scores: MyScores,
    pub contributions: Contributions,
}
