//! `POST /api/v1/me/spotify/import`: a fan signed in with Spotify follows on TheSet the artists
//! they follow on Spotify and their top artists, in one step they ask for.

use serde::{Deserialize, Serialize};

crate::named! {
    /// Where on Spotify an artist came from.
    pub enum LibrarySource {
        Followed = "followed",
        Top = "top",
    }
}

/// An artist matched (and imported when new) and followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryArtist {
    pub name: String,
    pub slug: String,
    pub source: LibrarySource,
    /// New on TheSet (its shows, catalogue and set-lists are being imported).
    pub created: bool,
    /// Followed now (false: the fan followed it already).
    pub newly_followed: bool,
}

/// An artist that could not be matched to a Ticketmaster artist, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryMiss {
    pub name: String,
    pub source: LibrarySource,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryImport {
    pub matched: Vec<LibraryArtist>,
    pub unmatched: Vec<LibraryMiss>,
}

/// Most Spotify artists one import looks at (followed first, then top artists).
pub const MAX_LIBRARY_ARTISTS: usize = 30;
