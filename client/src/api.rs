//! The backend's REST API as typed calls.

use std::time::Duration;

use theset_shared::api::{API_PREFIX, ArtistSummary, MAX_PAGE_LIMIT, Page};
use theset_shared::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION};

use crate::error::ClientError;

/// Pages followed before giving up: a guard against a server that never ends a list.
const MAX_PAGES: usize = 10_000;

/// How a signed-in request proves who sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token of a native session (desktop, Tauri's phones).
    Bearer,
    /// The browser's session cookie (sent by the browser itself) and the CSRF token that
    /// unsafe methods carry in `x-csrf-token`.
    BrowserCookie,
}

/// The header a browser session's writes carry its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Each request's limit: a venue's link can be slow, but a request never hangs the sync loop.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A picture waits less: the window shows the initial behind it meanwhile.
#[cfg(not(target_arch = "wasm32"))]
const PICTURE_TIMEOUT: Duration = Duration::from_secs(4);

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: reqwest::Url,
    credential: Credential,
}

impl ApiClient {
    pub fn new(base: &str) -> Result<Self, ClientError> {
        Self::with_credential(base, Credential::Bearer)
    }

    /// A client for the web app: same origin as the page, with the browser's cookie session.
    pub fn for_browser(base: &str) -> Result<Self, ClientError> {
        Self::with_credential(base, Credential::BrowserCookie)
    }

    fn with_credential(base: &str, credential: Credential) -> Result<Self, ClientError> {
        let mut base = reqwest::Url::parse(base).map_err(|e| ClientError::BadUrl(e.to_string()))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let builder = reqwest::Client::builder();
        #[cfg(not(target_arch = "wasm32"))]
        let builder = builder
            .connect_timeout(Duration::from_secs(5))
            .timeout(REQUEST_TIMEOUT);
        let http = builder.build().map_err(ClientError::Network)?;
        Ok(Self {
            http,
            base,
            credential,
        })
    }

    pub fn credential(&self) -> Credential {
        self.credential
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
        let headers = res.headers().clone();
        let body = res.bytes().await.map_err(ClientError::Network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_answer(status, &headers, &body));
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
        let headers = res.headers().clone();
        let bytes = res.bytes().await.map_err(ClientError::Network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_answer(status, &headers, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// Sends a request (JSON body, bearer token, the sync protocol header) and decodes the JSON
    /// answer; error statuses become [`ClientError::Server`] (426 its own variant).
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        token: Option<&str>,
        body: Option<&(dyn erased::Json + Sync)>,
    ) -> Result<T, ClientError> {
        let body = body
            .map(|b| b.to_json().map(|bytes| ("application/json", bytes)))
            .transpose()?;
        self.send(method, path, query, token, body).await
    }

    /// Like [`ApiClient::call`], with a body that is not JSON (an avatar's image bytes).
    pub async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<T, ClientError> {
        let mut req = self
            .http
            .request(method, self.url(path)?)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .query(query);
        if let Some(t) = token {
            req = match self.credential {
                Credential::Bearer => req.bearer_auth(t),
                Credential::BrowserCookie => req.header(CSRF_HEADER, t),
            };
        }
        #[cfg(target_arch = "wasm32")]
        {
            // The core keeps its own copies; the browser's HTTP cache must not answer for the
            // server (an answer cached while signed out would be served after signing in).
            req = req
                .timeout(REQUEST_TIMEOUT)
                .header(reqwest::header::CACHE_CONTROL, "no-cache");
        }
        if let Some((content_type, bytes)) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let res = req.send().await.map_err(ClientError::Network)?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.map_err(ClientError::Network)?;
        if status == 426 {
            let min = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["min_version"].as_u64())
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(PROTOCOL_VERSION + 1);
            return Err(ClientError::UpgradeRequired { min });
        }
        if !(200..300).contains(&status) {
            return Err(ClientError::from_answer(status, &headers, &bytes));
        }
        if bytes.is_empty() {
            return serde_json::from_slice(b"null").map_err(|e| ClientError::Decode(e.to_string()));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// GETs a public resource under the API that is not JSON (a fan's picture).
    pub async fn bytes(&self, path: &str) -> Result<Vec<u8>, ClientError> {
        let mut req = self.http.get(self.url(path)?);
        #[cfg(target_arch = "wasm32")]
        {
            req = req.timeout(REQUEST_TIMEOUT);
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            req = req.timeout(PICTURE_TIMEOUT);
        }
        let res = req.send().await.map_err(ClientError::Network)?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().await.map_err(ClientError::Network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_answer(status, &headers, &body));
        }
        Ok(body.to_vec())
    }

    /// The server's base URL.
    pub fn base(&self) -> &reqwest::Url {
        &self.base
    }

    /// Whether a TheSet server answers at the base URL (`GET /healthz`, outside the API prefix).
    pub async fn health(&self) -> Result<theset_shared::api::Health, ClientError> {
        let url = self
            .base
            .join("healthz")
            .map_err(|e| ClientError::BadUrl(e.to_string()))?;
        self.get(url).await
    }

    /// The web app's page of `show` on this server.
    pub fn show_link(&self, show: uuid::Uuid) -> Result<String, ClientError> {
        self.base
            .join(&format!("app/shows/{show}"))
            .map(String::from)
            .map_err(|e| ClientError::BadUrl(e.to_string()))
    }

    /// The server's base URL (for the live stream).
    pub fn endpoint(&self, path: &str) -> Result<reqwest::Url, ClientError> {
        self.url(path)
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

/// Bodies of [`ApiClient::call`] behind a trait object, so the call is not generic over them.
pub mod erased {
    use crate::error::ClientError;

    pub trait Json {
        fn to_json(&self) -> Result<Vec<u8>, ClientError>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<Vec<u8>, ClientError> {
            serde_json::to_vec(self).map_err(|e| ClientError::Decode(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApiClient;

    #[test]
    fn a_show_link_is_the_web_app_page_on_the_same_server() {
        let show = uuid::Uuid::nil();
        for base in ["https://theset.example", "https://theset.example/"] {
            let api = ApiClient::new(base).expect("client");
            assert_eq!(
                api.show_link(show).expect("link"),
                format!("https://theset.example/app/shows/{show}")
            );
        }
        let nested = ApiClient::new("https://example.org/theset").expect("client");
        assert_eq!(
            nested.show_link(show).expect("link"),
            format!("https://example.org/theset/app/shows/{show}")
        );
    }
}
