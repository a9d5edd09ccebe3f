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
