//! The backend's REST API as typed calls.

use std::time::Duration;

use theset_shared::api::{API_PREFIX, ArtistSummary, MAX_PAGE_LIMIT, Page};

use crate::error::ClientError;

/// Pages followed before giving up: a guard against a server that never ends a list.
const MAX_PAGES: usize = 10_000;

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: reqwest::Url,
}

impl ApiClient {
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let mut base = reqwest::Url::parse(base).map_err(|e| ClientError::BadUrl(e.to_string()))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(ClientError::Network)?;
        Ok(Self { http, base })
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, ClientError> {
        let rel = format!("{}{path}", API_PREFIX.trim_start_matches('/'));
        self.base
            .join(&rel)
            .map_err(|e| ClientError::BadUrl(e.to_string()))
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
    ) -> Result<T, ClientError> {
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(ClientError::Network)?;
        let status = res.status().as_u16();
        let body = res.bytes().await.map_err(ClientError::Network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_status(status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// POSTs JSON and decodes the JSON answer.
    pub(crate) async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let res = self
            .http
            .post(self.url(path)?)
            .json(body)
            .send()
            .await
            .map_err(ClientError::Network)?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await.map_err(ClientError::Network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_status(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    pub async fn artists_page(
        &self,
        cursor: Option<&str>,
    ) -> Result<Page<ArtistSummary>, ClientError> {
        let mut url = self.url("/artists")?;
        url.query_pairs_mut()
            .append_pair("limit", &MAX_PAGE_LIMIT.to_string());
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        self.get(url).await
    }

    /// Every artist, following the cursor to the end.
    pub async fn all_artists(&self) -> Result<Vec<ArtistSummary>, ClientError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.artists_page(cursor.as_deref()).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
        Err(ClientError::Decode("artist list does not end".into()))
    }
}
