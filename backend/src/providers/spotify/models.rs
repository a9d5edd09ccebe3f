//! Spotify Web API: artists and full track objects (with ISRCs in `external_ids`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    pub url: String,
    pub height: Option<i32>,
    pub width: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Followers {
    pub total: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Artist {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub followers: Option<Followers>,
    #[serde(default)]
    pub images: Vec<Image>,
}

/// `GET /v1/me/following?type=artist`: cursor paging inside `artists`.
#[derive(Debug, Clone, Deserialize)]
pub struct FollowedPage {
    pub artists: Paging<Artist>,
}

/// A user's artists on Spotify.
#[derive(Debug, Clone, Default)]
pub struct UserArtists {
    pub followed: Vec<Artist>,
    pub top: Vec<Artist>,
}

/// `GET /v1/search?type=artist`.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtistSearch {
    pub artists: Paging<Artist>,
}

impl Artist {
    /// The artist as the matching rule sees a search hit.
    pub fn as_hit(&self) -> theset_shared::artist_match::Hit<'_> {
        theset_shared::artist_match::Hit {
            name: &self.name,
            disambiguation: None,
            genres: &self.genres,
            followers: Some(
                self.followers
                    .as_ref()
                    .and_then(|f| f.total)
                    .and_then(|t| u64::try_from(t).ok())
                    .unwrap_or(0),
            ),
            has_images: Some(!self.images.is_empty()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SimpleArtist {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SimpleAlbum {
    pub id: String,
    pub name: String,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    #[serde(default)]
    pub images: Vec<Image>,
}

impl SimpleAlbum {
    /// The cover closest to 300 px wide (big enough for a list, small enough to keep), https only.
    pub fn cover(&self) -> Option<&str> {
        self.images
            .iter()
            .filter(|i| i.url.starts_with("https://") && i.url.len() <= 500)
            .min_by_key(|i| (i.width.unwrap_or(0) - 300).abs())
            .map(|i| i.url.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExternalIds {
    pub isrc: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub album: SimpleAlbum,
    #[serde(default)]
    pub artists: Vec<SimpleArtist>,
    pub duration_ms: Option<i32>,
    pub track_number: Option<i32>,
    pub disc_number: Option<i32>,
    #[serde(default)]
    pub external_ids: ExternalIds,
    pub popularity: Option<i32>,
}

/// `GET /tracks?ids=`: an unknown id answers `null` in its slot.
#[derive(Debug, Clone, Deserialize)]
pub struct SeveralTracks {
    pub tracks: Vec<Option<Track>>,
}

/// Spotify's paging envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct Paging<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    pub next: Option<String>,
    pub total: Option<u32>,
}

/// An album in an artist's album list.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtistAlbum {
    pub id: String,
    pub name: String,
    pub album_type: Option<String>,
    /// `album`, `single`, `compilation`, `appears_on`.
    pub album_group: Option<String>,
    pub release_date: Option<String>,
    pub total_tracks: Option<u32>,
}

/// A track inside an album (no ISRC: that needs the full track object).
#[derive(Debug, Clone, Deserialize)]
pub struct AlbumTrack {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub artists: Vec<SimpleArtist>,
    pub track_number: Option<i32>,
    pub disc_number: Option<i32>,
    pub duration_ms: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FullAlbum {
    pub id: String,
    pub name: String,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    pub tracks: Paging<AlbumTrack>,
}

/// `GET /albums?ids=`: an unknown id answers `null` in its slot.
#[derive(Debug, Clone, Deserialize)]
pub struct SeveralAlbums {
    pub albums: Vec<Option<FullAlbum>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    pub access_token: String,
    pub expires_in: u64,
}
