//! setlist.fm API 1.0: set-lists with `sets.set[]`, encores, covers and tapes.

use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct SetlistsPage {
    #[serde(default)]
    pub setlist: Vec<Setlist>,
    pub total: Option<u32>,
    pub page: Option<u32>,
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Artist {
    pub mbid: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Coords {
    pub lat: f64,
    pub long: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    pub code: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct City {
    pub name: String,
    pub state: Option<String>,
    #[serde(rename = "stateCode")]
    pub state_code: Option<String>,
    pub coords: Option<Coords>,
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Venue {
    pub id: Option<String>,
    pub name: String,
    pub city: Option<City>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tour {
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Sets {
    #[serde(default)]
    pub set: Vec<Set>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Set {
    pub name: Option<String>,
    /// 1 for the first encore, 2 for the second…; absent on the main set.
    pub encore: Option<u32>,
    #[serde(default)]
    pub song: Vec<Song>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Song {
    #[serde(default)]
    pub name: String,
    pub info: Option<String>,
    pub cover: Option<Artist>,
    #[serde(default)]
    pub tape: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Setlist {
    pub id: String,
    #[serde(rename = "eventDate")]
    pub event_date: String,
    pub artist: Artist,
    pub venue: Venue,
    pub tour: Option<Tour>,
    #[serde(default)]
    pub sets: Sets,
    pub url: Option<String>,
    pub info: Option<String>,
}

impl Setlist {
    /// `eventDate` is `dd-MM-yyyy`.
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.event_date, "%d-%m-%Y").ok()
    }

    pub fn has_songs(&self) -> bool {
        self.sets.set.iter().any(|s| !s.song.is_empty())
    }
}
