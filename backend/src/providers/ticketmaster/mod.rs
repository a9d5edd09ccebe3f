//! Ticketmaster Discovery v2 client: attraction search, an attraction's events (paged through
//! `_links.next`), venue details. The key travels as the `apikey` query parameter.

mod models;

pub use models::*;
use reqwest::Method;

use super::config::TicketmasterConfig;
use super::service::{ProviderError, ServiceClient};

/// Discovery stops paging at 1,000 results (size × page < 1000).
const MAX_RESULTS: u32 = 1_000;
const PAGE_SIZE: u32 = 200;

#[derive(Clone)]
pub struct Ticketmaster {
    http: ServiceClient,
    api_key: String,
}

impl Ticketmaster {
    pub fn new(config: &TicketmasterConfig) -> Result<Self, ProviderError> {
        Ok(Self {
            http: ServiceClient::new(
                "ticketmaster",
                "/discovery/v2",
                &config.base_url,
                config.limits.clone(),
            )?
            .with_secrets([config.api_key.clone()]),
            api_key: config.api_key.clone(),
        })
    }

    /// The same client for a person waiting on the answer (search, phase 1 of an import): it
    /// answers busy rather than queueing behind a burst of other callers (see
    /// [`ServiceClient::interactive`]).
    pub fn interactive(&self) -> Self {
        Self {
            http: self.http.interactive(),
            api_key: self.api_key.clone(),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
    ) -> Result<T, ProviderError> {
        let key = self.api_key.clone();
        self.http
            .send_json(Method::GET, url, move |r| {
                r.query(&[("apikey", key.as_str())])
            })
            .await
    }

    /// Music attractions matching `keyword`, most relevant first. An empty result is `[]`.
    pub async fn search_attractions(
        &self,
        keyword: &str,
    ) -> Result<Vec<Attraction>, ProviderError> {
        let mut url = self.http.url("attractions.json")?;
        url.query_pairs_mut()
            .append_pair("keyword", keyword)
            .append_pair("classificationName", "music")
            .append_pair("size", "20");
        let page: AttractionSearch = self.get(url).await?;
        Ok(page.embedded.map(|e| e.attractions).unwrap_or_default())
    }

    /// Every event of an attraction (with embedded venues and attractions), date ascending.
    pub async fn events_of_attraction(
        &self,
        attraction_id: &str,
    ) -> Result<Vec<Event>, ProviderError> {
        let mut url = self.http.url("events.json")?;
        url.query_pairs_mut()
            .append_pair("attractionId", attraction_id)
            .append_pair("classificationName", "music")
            .append_pair("sort", "date,asc")
            .append_pair("size", &PAGE_SIZE.to_string())
            .append_pair("page", "0");
        let mut events = Vec::new();
        loop {
            let page: EventsPage = self.get(url).await?;
            events.extend(page.embedded.map(|e| e.events).unwrap_or_default());
            let seen = (page.page.number + 1).saturating_mul(page.page.size.max(1));
            match page.links.next {
                Some(next)
                    if seen < MAX_RESULTS && page.page.number + 1 < page.page.total_pages =>
                {
                    url = self.http.follow(&next.href)?;
                }
                _ => return Ok(events),
            }
        }
    }

    /// One attraction by id.
    pub async fn attraction(&self, attraction_id: &str) -> Result<Attraction, ProviderError> {
        let url = self
            .http
            .url(&format!("attractions/{}.json", urlencode(attraction_id)))?;
        self.get(url).await
    }

    pub async fn venue(&self, venue_id: &str) -> Result<Venue, ProviderError> {
        let url = self
            .http
            .url(&format!("venues/{}.json", urlencode(venue_id)))?;
        self.get(url).await
    }
}

/// Ids are opaque; keep them from changing the path.
pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
