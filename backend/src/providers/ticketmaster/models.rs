//! Ticketmaster Discovery v2: attractions, events with embedded venues, venue details.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
// Attractions are also serialised: the search cache keeps them in the shared (Redis) level.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
pub struct PageInfo {
    pub size: u32,
    #[serde(rename = "totalElements")]
    pub total_elements: u32,
    #[serde(rename = "totalPages")]
    pub total_pages: u32,
    pub number: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub href: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    pub next: Option<Link>,
}

/// `GET /attractions.json`: an empty result has no `_embedded` at all.
#[derive(Debug, Clone, Deserialize)]
pub struct AttractionSearch {
    #[serde(rename = "_embedded", default)]
    pub embedded: Option<AttractionsEmbedded>,
    pub page: PageInfo,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttractionsEmbedded {
    #[serde(default)]
    pub attractions: Vec<Attraction>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Image {
    pub ratio: Option<String>,
    pub url: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    #[serde(default)]
    pub fallback: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Named {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Classification {
    pub genre: Option<Named>,
    #[serde(rename = "subGenre")]
    pub sub_genre: Option<Named>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ExternalLinkEntry {
    pub url: Option<String>,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Attraction {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub classifications: Vec<Classification>,
    #[serde(rename = "externalLinks", default)]
    pub external_links: HashMap<String, Vec<ExternalLinkEntry>>,
}

impl Attraction {
    /// Lower-case genres from the classifications, without Ticketmaster's placeholders.
    pub fn genres(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.classifications {
            for n in [&c.genre, &c.sub_genre].into_iter().flatten() {
                let g = n.name.trim().to_lowercase();
                if !g.is_empty() && g != "undefined" && g != "other" && !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        out
    }

    /// The widest non-fallback image, preferring 16:9.
    pub fn best_image(&self) -> Option<&Image> {
        self.images
            .iter()
            .filter(|i| !i.fallback)
            .max_by_key(|i| (i.ratio.as_deref() == Some("16_9"), i.width.unwrap_or(0)))
    }

    pub fn musicbrainz_id(&self) -> Option<&str> {
        self.external_links
            .get("musicbrainz")?
            .iter()
            .find_map(|e| e.id.as_deref())
    }

    /// The Spotify artist id from the `spotify` link (`https://open.spotify.com/artist/<id>`).
    pub fn spotify_id(&self) -> Option<&str> {
        self.external_links
            .get("spotify")?
            .iter()
            .find_map(|e| e.url.as_deref()?.rsplit_once("/artist/").map(|(_, id)| id))
            .map(|id| id.split(['?', '/']).next().unwrap_or(id))
            .filter(|id| !id.is_empty())
    }
}

/// `GET /events.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct EventsPage {
    #[serde(rename = "_embedded", default)]
    pub embedded: Option<EventsEmbedded>,
    #[serde(rename = "_links", default)]
    pub links: Links,
    pub page: PageInfo,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventsEmbedded {
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    pub dates: EventDates,
    #[serde(rename = "priceRanges", default)]
    pub price_ranges: Vec<PriceRange>,
    #[serde(default)]
    pub sales: Option<Sales>,
    #[serde(rename = "_embedded", default)]
    pub embedded: Option<EventEmbedded>,
}

impl Event {
    /// When the public sale opens, when Ticketmaster knows it (a sale "to be decided" or "to be
    /// announced" carries a placeholder time, not a real one).
    pub fn public_onsale(&self) -> Option<DateTime<Utc>> {
        let public = self.sales.as_ref()?.public.as_ref()?;
        if public.start_tbd || public.start_tba {
            return None;
        }
        public.start_date_time
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Sales {
    pub public: Option<PublicSale>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PublicSale {
    #[serde(rename = "startDateTime")]
    pub start_date_time: Option<DateTime<Utc>>,
    #[serde(rename = "startTBD", default)]
    pub start_tbd: bool,
    #[serde(rename = "startTBA", default)]
    pub start_tba: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventDates {
    pub start: EventStart,
    pub timezone: Option<String>,
    pub status: Option<EventStatus>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventStart {
    #[serde(rename = "localDate")]
    pub local_date: Option<NaiveDate>,
    #[serde(rename = "localTime")]
    pub local_time: Option<NaiveTime>,
    #[serde(rename = "dateTime")]
    pub date_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventStatus {
    /// `onsale`, `offsale`, `canceled` (sic), `postponed`, `rescheduled`.
    pub code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceRange {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub currency: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventEmbedded {
    #[serde(default)]
    pub venues: Vec<Venue>,
    #[serde(default)]
    pub attractions: Vec<Attraction>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct State {
    pub name: Option<String>,
    #[serde(rename = "stateCode")]
    pub state_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    pub name: Option<String>,
    #[serde(rename = "countryCode")]
    pub country_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
}

/// Coordinates arrive as strings.
#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub longitude: String,
    pub latitude: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Venue {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    #[serde(rename = "postalCode")]
    pub postal_code: Option<String>,
    pub timezone: Option<String>,
    pub city: Option<Named>,
    pub state: Option<State>,
    pub country: Option<Country>,
    pub address: Option<Address>,
    pub location: Option<Location>,
    #[serde(default)]
    pub images: Vec<Image>,
}

impl Venue {
    /// `(latitude, longitude)` when both parse and are in range.
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        let loc = self.location.as_ref()?;
        let lat: f64 = loc.latitude.trim().parse().ok()?;
        let lng: f64 = loc.longitude.trim().parse().ok()?;
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then_some((lat, lng))
    }

    pub fn address_line(&self) -> Option<String> {
        let a = self.address.as_ref()?;
        let parts: Vec<&str> = [a.line1.as_deref(), a.line2.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(sales: serde_json::Value) -> Event {
        serde_json::from_value(serde_json::json!({
            "id": "e1", "name": "A show",
            "dates": { "start": { "localDate": "2027-01-23" } },
            "sales": sales
        }))
        .expect("event")
    }

    #[test]
    fn public_onsale_only_when_it_is_known() {
        let known = event(serde_json::json!({ "public": {
            "startDateTime": "2026-12-04T15:00:00Z", "startTBD": false, "startTBA": false } }));
        assert_eq!(
            known.public_onsale().map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-12-04T15:00:00+00:00")
        );
        for unknown in [
            serde_json::json!({ "public": { "startDateTime": "1900-01-01T06:00:00Z", "startTBD": true } }),
            serde_json::json!({ "public": { "startDateTime": "1900-01-01T06:00:00Z", "startTBA": true } }),
            serde_json::json!({ "presales": [] }),
            serde_json::Value::Null,
        ] {
            assert_eq!(event(unknown).public_onsale(), None);
        }
    }
}
