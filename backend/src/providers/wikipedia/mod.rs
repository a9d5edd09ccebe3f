//! Artist biographies from Wikipedia, linked through Wikidata: the Wikidata item that states the
//! artist's MusicBrainz id (property P434) — or, for an artist without one, its Spotify artist
//! id (P1902) — its English Wikipedia page, and that page's summary (its lead section as plain
//! text). The link is reliable because it goes through an id the item states, never through a
//! name. Wikipedia's text is CC BY-SA 4.0: it is shown with its source and licence.

mod models;

pub use models::*;
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::config::WikipediaConfig;
use super::service::{ProviderError, ServiceClient};
use super::ticketmaster::urlencode;

/// What the artist page shows and how it credits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Biography {
    pub text: String,
    /// The Wikipedia page it comes from.
    pub url: String,
}

/// The id a Wikidata item is found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtistKey<'a> {
    /// A MusicBrainz artist id (property P434).
    MusicBrainz(&'a str),
    /// A Spotify artist id (property P1902).
    Spotify(&'a str),
}

impl ArtistKey<'_> {
    fn property(self) -> &'static str {
        match self {
            Self::MusicBrainz(_) => "P434",
            Self::Spotify(_) => "P1902",
        }
    }

    fn value(&self) -> &str {
        match self {
            Self::MusicBrainz(v) | Self::Spotify(v) => v,
        }
    }

    /// How the job says which key found the article.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MusicBrainz(_) => "its MusicBrainz id",
            Self::Spotify(_) => "its Spotify id",
        }
    }
}

/// Longest biography kept (Wikipedia's leads are a paragraph or a few).
pub const MAX_CHARS: usize = 2_000;

#[derive(Clone)]
pub struct Wikipedia {
    wikidata: ServiceClient,
    wikipedia: ServiceClient,
}

impl Wikipedia {
    pub fn new(config: &WikipediaConfig) -> Result<Self, ProviderError> {
        Ok(Self {
            wikidata: ServiceClient::new(
                "wikidata",
                "/w",
                &config.wikidata_base_url,
                config.limits.clone(),
            )?,
            wikipedia: ServiceClient::new(
                "wikipedia",
                "/api/rest_v1",
                &config.wikipedia_base_url,
                config.limits.clone(),
            )?,
        })
    }

    async fn get<T: DeserializeOwned>(
        client: &ServiceClient,
        url: reqwest::Url,
    ) -> Result<T, ProviderError> {
        client
            .send_json(Method::GET, url, |r| {
                r.header(reqwest::header::ACCEPT, "application/json")
            })
            .await
    }

    /// The Wikidata item stating `key`, if exactly one does.
    pub async fn item_of(&self, key: ArtistKey<'_>) -> Result<Option<String>, ProviderError> {
        let mut url = self.wikidata.url("w/api.php")?;
        url.query_pairs_mut()
            .append_pair("action", "query")
            .append_pair("list", "search")
            .append_pair(
                "srsearch",
                &format!("haswbstatement:{}={}", key.property(), key.value()),
            )
            .append_pair("format", "json");
        let found: SearchAnswer = Self::get(&self.wikidata, url).await?;
        let hits = found.query.map(|q| q.search).unwrap_or_default();
        // Two items claiming one artist is a mistake in the data: no guess.
        Ok(match hits.as_slice() {
            [one] => Some(one.title.clone()),
            _ => None,
        })
    }

    /// The English Wikipedia page title of item `qid`, when it states `key` and has one.
    pub async fn page_of(
        &self,
        qid: &str,
        key: ArtistKey<'_>,
    ) -> Result<Option<String>, ProviderError> {
        let mut url = self.wikidata.url("w/api.php")?;
        url.query_pairs_mut()
            .append_pair("action", "wbgetentities")
            .append_pair("ids", qid)
            .append_pair("props", "claims|sitelinks")
            .append_pair("sitefilter", "enwiki")
            .append_pair("format", "json");
        let found: Entities = Self::get(&self.wikidata, url).await?;
        Ok(found
            .entities
            .get(qid)
            .filter(|e| e.states(key.property(), key.value()))
            .and_then(|e| e.sitelinks.get("enwiki"))
            .map(|s| s.title.clone()))
    }

    /// The page's summary; `None` for a missing page or one that is not an article.
    pub async fn summary(&self, title: &str) -> Result<Option<Summary>, ProviderError> {
        let path = format!(
            "api/rest_v1/page/summary/{}",
            urlencode(&title.replace(' ', "_"))
        );
        let url = self.wikipedia.url(&path)?;
        match Self::get::<Summary>(&self.wikipedia, url).await {
            Ok(s) if s.kind == "standard" && !s.extract.trim().is_empty() => Ok(Some(s)),
            Ok(_) | Err(ProviderError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The biography of the artist with `key`, when Wikidata links it to an English Wikipedia
    /// article.
    pub async fn biography(&self, key: ArtistKey<'_>) -> Result<Option<Biography>, ProviderError> {
        let Some(qid) = self.item_of(key).await? else {
            return Ok(None);
        };
        let Some(title) = self.page_of(&qid, key).await? else {
            return Ok(None);
        };
        let Some(summary) = self.summary(&title).await? else {
            return Ok(None);
        };
        let url = summary
            .content_urls
            .and_then(|c| c.desktop)
            .map(|d| d.page)
            .filter(|u| u.starts_with("https://"))
            .unwrap_or_else(|| {
                format!(
                    "https://en.wikipedia.org/wiki/{}",
                    urlencode(&summary.title.replace(' ', "_"))
                )
            });
        let text: String = summary.extract.trim().chars().take(MAX_CHARS).collect();
        Ok(Some(Biography { text, url }))
    }
}
