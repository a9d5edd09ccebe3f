use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ArtistRef;

crate::named! {
    #[pg_enum = "setlist_kind"]
    pub enum SetlistKind {
        /// A community list or a fan's personal prediction for an upcoming show.
        Predicted = "predicted",
        /// What was really played.
        Actual = "actual",
        /// The fans' live capture, kept beside an imported or hand-started actual list (while
        /// there is none, the crowd list is the actual one, of source `crowd`).
        Crowd = "crowd",
    }
}

crate::named! {
    #[pg_enum = "setlist_source"]
    /// Where a set-list comes from.
    pub enum SetlistSource {
        /// The community list of an upcoming show (fans add songs and vote).
        Community = "community",
        /// A fan's own prediction.
        User = "user",
        /// An actual set-list imported from setlist.fm.
        Setlistfm = "setlistfm",
        /// An actual set-list started by hand.
        Manual = "manual",
        /// Merged from the captures of the fans at the show.
        Crowd = "crowd",
    }
}

crate::named! {
    #[pg_enum = "moderation_status"]
    /// Where a public set-list stands with the moderators.
    pub enum ModerationStatus {
        Pending = "pending",
        Approved = "approved",
        Verified = "verified",
        Rejected = "rejected",
        Hidden = "hidden",
    }
}

/// A catalogue song in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongSummary {
    pub id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub duration_ms: Option<i32>,
    pub popularity: Option<i32>,
    pub spotify_id: Option<String>,
    /// The release's cover (about 300 px), when Spotify has one.
    #[serde(default)]
    pub album_image_url: Option<String>,
}

/// One line of a set-list, in play (or ranking) order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistSong {
    pub id: Uuid,
    pub position: i32,
    /// The catalogue song, when matched; free-text entries (covers, jams, tapes) have none.
    pub song_id: Option<Uuid>,
    pub title: String,
    /// `main`, `encore`, `encore 2`, …
    pub set_name: String,
    pub is_cover: bool,
    pub cover_of: Option<String>,
    pub is_tape: bool,
    pub notes: Option<String>,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
}

/// A `crowd` event of a show's live stream (`GET /api/v1/shows/{id}/events`): the show's crowd
/// set-lists as they now stand, merged from the fans' captures (one per act; none while no capture
/// stands or once a moderator hid it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrowdNow {
    pub lists: Vec<Setlist>,
}

/// `GET /api/v1/shows/{id}/setlists` items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Setlist {
    pub id: Uuid,
    pub show_id: Uuid,
    pub artist: ArtistRef,
    pub kind: SetlistKind,
    pub source: SetlistSource,
    pub moderation_status: ModerationStatus,
    pub version: i32,
    /// 0–100 once scored against the verified actual set-list.
    pub accuracy_score: Option<f64>,
    /// Sum of all votes cast on this list's songs.
    pub total_votes: i64,
    /// Where the data came from, when a third party asks for attribution (setlist.fm).
    pub attribution_url: Option<String>,
    pub songs: Vec<SetlistSong>,
    pub updated_at: DateTime<Utc>,
}
