//! setlist.fm API 1.0 client: artist search, an artist's set-lists (paged), one set-list.
//! `x-api-key` header and `Accept: application/json` (the default answer is XML).

mod models;

pub use models::*;
use reqwest::Method;
use serde::Deserialize;

use super::config::SetlistFmConfig;
use super::service::{ProviderError, ServiceClient};
use super::ticketmaster::urlencode;

#[derive(Clone)]
pub struct SetlistFm {
    http: ServiceClient,
    api_key: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ArtistSearch {
    #[serde(default)]
    pub artist: Vec<SearchArtist>,
    pub total: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchArtist {
    pub mbid: String,
    pub name: String,
    pub disambiguation: Option<String>,
}

impl SearchArtist {
    /// The artist as the matching rule sees a search hit (setlist.fm reports no genres,
    /// followers or images).
    pub fn as_hit(&self) -> theset_shared::artist_match::Hit<'_> {
        theset_shared::artist_match::Hit {
            name: &self.name,
            disambiguation: self.disambiguation.as_deref().filter(|d| !d.is_empty()),
            genres: &[],
            followers: None,
            has_images: None,
        }
    }
}

impl SetlistFm {
    pub fn new(config: &SetlistFmConfig) -> Result<Self, ProviderError> {
        Ok(Self {
            http: ServiceClient::new(
                "setlistfm",
                "/rest/1.0",
                &config.base_url,
                config.limits.clone(),
            )?
            .with_secrets([config.api_key.clone()]),
            api_key: config.api_key.clone(),
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
    ) -> Result<T, ProviderError> {
        let key = self.api_key.clone();
        self.http
            .send_json(Method::GET, url, move |r| {
                r.header("x-api-key", key.as_str())
                    .header(reqwest::header::ACCEPT, "application/json")
            })
            .await
    }

    /// Artists by name, most relevant first. setlist.fm answers 404 for no match: that is `[]`.
    pub async fn search_artists(&self, name: &str) -> Result<Vec<SearchArtist>, ProviderError> {
        let mut url = self.http.url("search/artists")?;
        url.query_pairs_mut()
            .append_pair("artistName", name)
            .append_pair("p", "1")
            .append_pair("sort", "relevance");
        match self.get::<ArtistSearch>(url).await {
            Ok(found) => Ok(found.artist),
            Err(ProviderError::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// One page (1-based) of an artist's set-lists, newest first; `None` when setlist.fm answers
    /// 404 (an id it does not know, or an artist without set-lists: it says the same for both).
    pub async fn artist_setlists(
        &self,
        mbid: &str,
        page: u32,
    ) -> Result<Option<SetlistsPage>, ProviderError> {
        let mut url = self
            .http
            .url(&format!("artist/{}/setlists", urlencode(mbid)))?;
        url.query_pairs_mut()
            .append_pair("p", &page.max(1).to_string());
        match self.get(url).await {
            Err(ProviderError::NotFound { .. }) => Ok(None),
            other => other.map(Some),
        }
    }

    pub async fn setlist(&self, id: &str) -> Result<Setlist, ProviderError> {
        let url = self.http.url(&format!("setlist/{}", urlencode(id)))?;
        self.get(url).await
    }
}
