//! The pages the app reads from the server, one typed method each, every one kept on the device
//! (see `pages.rs`) so it opens again offline. The paths and queries of these pages are known
//! here and nowhere else.

use theset_shared::api::{
    ArtistSearchHit, ArtistSearchQuery, ArtistSearchResults, Dashboard, Home, Page, VenueDetail,
    VenueListQuery, VenueSummary,
};
use theset_shared::api::{ShowListQuery, ShowSummary};
use theset_shared::ipc::{Fetched, ShowQuery, VenueQuery};
use uuid::Uuid;

use crate::Client;
use crate::error::ClientError;

/// Results a search asks for (the server caps a page at 50).
const SEARCH_LIMIT: u32 = 40;
/// Venues a discovery page shows.
const VENUE_LIMIT: u32 = 50;
/// Shows per page of the shows page.
const SHOW_LIMIT: u32 = 50;
/// Radius of "near a point" when none is given, in kilometres.
const DEFAULT_KM: f64 = 50.0;

/// `key=value` pairs of a typed query, as the page cache keys and the request take them.
fn pairs(query: &impl serde::Serialize) -> Result<Vec<(String, String)>, ClientError> {
    let encoded =
        serde_urlencoded::to_string(query).map_err(|e| ClientError::Decode(e.to_string()))?;
    Ok(url::form_urlencoded::parse(encoded.as_bytes())
        .into_owned()
        .collect())
}

fn invalid(message: &str) -> ClientError {
    ClientError::Invalid(message.to_owned())
}

impl Client {
    pub(crate) async fn page_of<T: serde::de::DeserializeOwned + serde::Serialize>(
        &self,
        path: &str,
        query: &impl serde::Serialize,
    ) -> Result<Fetched<T>, ClientError> {
        let owned = pairs(query)?;
        let borrowed: Vec<(&str, String)> =
            owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        self.page(path, &borrowed).await
    }

    pub async fn home(&self) -> Result<Fetched<Home>, ClientError> {
        self.page("/home", &[]).await
    }

    /// Artist search on the server (which also asks Ticketmaster); with no network, the artists
    /// this device knows.
    pub async fn search(
        &self,
        query: &ArtistSearchQuery,
    ) -> Result<Fetched<ArtistSearchResults>, ClientError> {
        let q = query.q.trim().to_owned();
        if q.is_empty() || q.chars().count() > 199 {
            return Err(invalid("Type 1 to 199 characters to search."));
        }
        let query = ArtistSearchQuery {
            q: q.clone(),
            genre: query
                .genre
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned),
            min_popularity: query.min_popularity.filter(|p| *p > 0).map(|p| p.min(100)),
            sort: query.sort,
            limit: Some(query.limit.unwrap_or(SEARCH_LIMIT).clamp(1, 50)),
        };
        match self.page_of("/search/artists", &query).await {
            Err(e) if e.is_transient() => self.local_search(&q),
            other => other,
        }
    }

    /// The search answered from the device: artists it holds whose name matches.
    fn local_search(&self, q: &str) -> Result<Fetched<ArtistSearchResults>, ClientError> {
        let cached = self.cached_artists()?;
        let items = self
            .store
            .search(q, SEARCH_LIMIT as usize)?
            .into_iter()
            .filter(|h| h.kind == "artist")
            .filter_map(|h| cached.iter().find(|a| a.id == h.reference))
            .map(|a| ArtistSearchHit {
                id: a.id.parse().ok(),
                slug: Some(a.slug.clone()),
                ticketmaster_id: None,
                name: a.name.clone(),
                image_url: a.image_url.clone(),
                genres: a.genres.clone(),
                popularity: a.popularity,
                trending_score: None,
                in_database: true,
                origin: a.origin,
            })
            .collect();
        Ok(Fetched {
            data: ArtistSearchResults {
                items,
                unavailable: vec!["server".to_owned()],
                budget_spent: false,
            },
            stale: true,
            fetched_at: chrono::Utc::now(),
        })
    }

    pub async fn venue(&self, id: Uuid) -> Result<Fetched<VenueDetail>, ClientError> {
        self.page(&format!("/venues/{id}"), &[]).await
    }

    /// Venue discovery: by city, upcoming shows, or near a point.
    pub async fn venues(
        &self,
        query: &VenueQuery,
    ) -> Result<Fetched<Page<VenueSummary>>, ClientError> {
        let near = match query.near {
            Some(p) if !(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lng) => {
                return Err(invalid("That position is not on Earth."));
            }
            Some(p) => Some(p),
            None => None,
        };
        let wire = VenueListQuery {
            city: query
                .city
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            has_upcoming: query.has_upcoming.then_some(true),
            near: near.map(|p| format!("{},{}", p.lat, p.lng)),
            km: near.map(|_| query.km.unwrap_or(DEFAULT_KM).clamp(1.0, 20_000.0)),
            limit: Some(VENUE_LIMIT),
            ..VenueListQuery::default()
        };
        match self.page_of("/venues", &wire).await {
            // No signal and this very question never answered: the venues the device knows.
            Err(e) if e.is_transient() => match (near, wire.km) {
                (Some(at), Some(km)) => self.venues_near_on_device(&crate::nearby::Filter {
                    at,
                    km,
                    city: wire.city.as_deref(),
                    has_upcoming: query.has_upcoming,
                    limit: VENUE_LIMIT as usize,
                }),
                _ => Err(e),
            },
            other => other,
        }
    }

    /// Shows by the shows page's filters, soonest first (a question answered before opens again
    /// with no signal).
    pub async fn shows(
        &self,
        query: &ShowQuery,
    ) -> Result<Fetched<Page<ShowSummary>>, ClientError> {
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from > to
        {
            return Err(invalid("The first date is after the last one."));
        }
        let city = query
            .city
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if city.is_some_and(|c| c.chars().count() > 100) {
            return Err(invalid("A city name is at most 100 characters."));
        }
        let wire = ShowListQuery {
            artist_id: query.artist_id,
            city: city.map(str::to_owned),
            from: query.from,
            to: query.to,
            status: query.status,
            limit: Some(SHOW_LIMIT),
            cursor: query.cursor.clone(),
            ..ShowListQuery::default()
        };
        self.page_of("/shows", &wire).await
    }

    pub async fn dashboard(&self) -> Result<Fetched<Dashboard>, ClientError> {
        self.page("/me/dashboard", &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::pairs;
    use theset_shared::api::{ArtistSearchQuery, SearchSort};

    #[test]
    fn typed_queries_become_pairs_without_absent_fields() {
        let q = ArtistSearchQuery {
            q: "Ünïcode & co".into(),
            sort: Some(SearchSort::Trending),
            limit: Some(40),
            ..ArtistSearchQuery::default()
        };
        assert_eq!(
            pairs(&q).expect("pairs"),
            vec![
                ("q".to_owned(), "Ünïcode & co".to_owned()),
                ("sort".to_owned(), "trending".to_owned()),
                ("limit".to_owned(), "40".to_owned()),
            ]
        );
    }
}
