use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ShowSummary, SongSummary};

/// Just enough of an artist to link to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// A card in artist lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub image_url: Option<String>,
    /// Lower-case genre names.
    pub genres: Vec<String>,
    /// 0–100 (Spotify's scale).
    pub popularity: Option<i32>,
    pub followers: Option<i64>,
    pub trending_score: f64,
    pub upcoming_show_count: i64,
    /// Live services, or the offline demo catalogue (shown as demo wherever it appears).
    #[serde(default)]
    pub origin: DataOrigin,
}

crate::named! {
    #[pg_enum = "data_origin"]
    /// Where a row's facts came from.
    #[derive(Default)]
    pub enum DataOrigin {
        /// Ticketmaster, Spotify, setlist.fm, Wikipedia (or people).
        #[default]
        Live = "live",
        /// The offline demo catalogue: recorded and generated answers, for trying the app.
        Demo = "demo",
    }
}

impl DataOrigin {
    /// A name as a store holds it (the app's SQLite copy; Postgres has the enum type): an
    /// unknown one reads as live.
    pub fn of_column(s: &str) -> Self {
        Self::parse(s).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Image {
    pub url: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalLink {
    /// e.g. `spotify`, `wiki`, `homepage`, `instagram`.
    pub kind: String,
    pub url: String,
}

/// An artist page: `GET /api/v1/artists/{slug}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistDetail {
    #[serde(flatten)]
    pub summary: ArtistSummary,
    pub ticketmaster_id: Option<String>,
    pub spotify_id: Option<String>,
    pub musicbrainz_id: Option<Uuid>,
    pub images: Vec<Image>,
    pub bio: Option<String>,
    /// Where `bio` comes from, to credit it (only a biography fetched from Wikipedia).
    #[serde(default)]
    pub bio_source: Option<BioSource>,
    /// Whether `bio` came from the live services or was written for the demo catalogue.
    #[serde(default)]
    pub bio_origin: Option<DataOrigin>,
    pub links: Vec<ExternalLink>,
    pub upcoming_shows: Vec<ShowSummary>,
    /// Most recent first.
    pub past_shows: Vec<ShowSummary>,
    /// The most popular songs of the catalogue.
    pub catalogue_preview: Vec<SongSummary>,
    /// What fans vote for and predict and what the artist plays, best first
    /// (`shared::song_trends`); empty until anyone has.
    #[serde(default)]
    pub trending_songs: Vec<TrendingSong>,
    pub song_count: i64,
    pub updated_at: DateTime<Utc>,
}

/// The source of a biography and its licence (Wikipedia's text is CC BY-SA 4.0: it is shown
/// with a link to the article and the licence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BioSource {
    pub name: String,
    pub url: String,
    pub licence: String,
    pub licence_url: String,
}

impl BioSource {
    /// A biography from the Wikipedia article at `url`.
    pub fn wikipedia(url: String) -> Self {
        Self {
            name: "Wikipedia".into(),
            url,
            licence: "CC BY-SA 4.0".into(),
            licence_url: "https://creativecommons.org/licenses/by-sa/4.0/".into(),
        }
    }
}

/// A song of an artist's trending list, with why it is there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendingSong {
    pub song_id: Uuid,
    pub title: String,
    pub album: Option<String>,
    pub score: f64,
    /// Share of the artist's recent actual set-lists with the song, 0–1.
    pub played_share: f64,
    /// Net votes and predictions, decayed by age.
    pub fan_interest: f64,
}

/// Sort orders of `GET /api/v1/artists`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArtistSort {
    #[default]
    Name,
    Trending,
}
