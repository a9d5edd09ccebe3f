//! How an artist's ids at Spotify and setlist.fm were made: `GET /api/v1/artists/{id}/links`
//! and `PUT /api/v1/artists/{id}/links/{service}` (moderators).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::artist_match::NoMatch;

crate::named! {
    #[pg_enum = "link_service"]
    /// A service an artist is linked to by the import phases.
    pub enum LinkService {
        /// The artist's Spotify id (the catalogue phase).
        Spotify = "spotify",
        /// The artist's MusicBrainz id, which setlist.fm knows artists by (the set-list phase).
        Setlistfm = "setlistfm",
    }
}

crate::named! {
    #[pg_enum = "link_origin"]
    /// Where a link came from.
    pub enum LinkOrigin {
        /// Ticketmaster's external link, answered by the service.
        ProviderLink = "provider_link",
        /// A search by name, decided by the rule of `shared::artist_match`.
        NameSearch = "name_search",
        /// Set (or cleared) by a moderator; the importers keep it.
        Moderator = "moderator",
    }
}

impl LinkService {
    /// The artist's page at the service, for a moderator to check the link by eye.
    pub fn page(self, id: &str) -> String {
        match self {
            Self::Spotify => format!("https://open.spotify.com/artist/{id}"),
            Self::Setlistfm => format!("https://musicbrainz.org/artist/{id}"),
        }
    }

    /// Whether `id` has the service's shape (a base-62 Spotify id, a MusicBrainz UUID).
    pub fn valid_id(self, id: &str) -> bool {
        match self {
            Self::Spotify => id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric()),
            Self::Setlistfm => Uuid::parse_str(id).is_ok() && id.len() == 36,
        }
    }
}

/// The second-best hit of a name search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkCandidate {
    pub external_id: String,
    pub name: String,
    pub confidence: f64,
}

/// One service's link of an artist and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistLink {
    pub service: LinkService,
    /// `None`: not linked (see `no_match`), or cleared by a moderator.
    pub external_id: Option<String>,
    /// The artist's page at the service.
    pub url: Option<String>,
    pub origin: LinkOrigin,
    /// The rule's confidence, for a name search.
    pub confidence: Option<f64>,
    pub runner_up: Option<LinkCandidate>,
    pub no_match: Option<NoMatch>,
    /// Ticketmaster's link that the service did not know, when the search replaced one.
    pub stale_id: Option<String>,
    /// The moderator who set it.
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// `GET /api/v1/artists/{id}/links`: a service without a row has not been linked yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistLinks {
    pub artist_id: Uuid,
    pub items: Vec<ArtistLink>,
}

/// `PUT /api/v1/artists/{id}/links/{service}`: the right id, or `null` for "this artist is not
/// at that service". The affected import phase runs again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetArtistLink {
    pub external_id: Option<String>,
}
