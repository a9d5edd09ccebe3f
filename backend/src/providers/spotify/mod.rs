//! Spotify Web API client (client-credentials). Works in both API modes: extended quota, with the
//! batch endpoints (`/albums?ids=` ×20, `/tracks?ids=` ×50), and development mode, where those
//! answer 403 and pages hold at most 10 items; the first 403 (or refused page size) switches the
//! process to the per-item equivalents. Every request is counted for the request-budget benchmark.

mod models;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
pub use models::*;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::config::SpotifyConfig;
use super::service::{ProviderError, ServiceClient};
use super::ticketmaster::urlencode;

pub const ALBUM_BATCH: usize = 20;
pub const TRACK_BATCH: usize = 50;
const EXTENDED_PAGE: u32 = 50;
/// Hits read from an artist search: enough for the band, its tributes and its namesakes, and
/// within development mode's page limit.
pub const SEARCH_LIMIT: u32 = 10;
const DEV_PAGE: u32 = 10;
/// Per-item requests in flight at once in development mode; the shared rate limiter still paces
/// them, this only overlaps their latency.
const PER_ITEM_CONCURRENCY: usize = 8;
/// Renew the token this long before Spotify says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiMode {
    Extended,
    Development,
}

struct CachedToken {
    value: String,
    renew_at: Instant,
}

#[derive(Clone)]
pub struct Spotify {
    api: ServiceClient,
    accounts: ServiceClient,
    client_id: String,
    client_secret: String,
    // One refresh at a time: parallel callers wait for the same new token.
    token: Arc<tokio::sync::Mutex<Option<CachedToken>>>,
    mode: Arc<AtomicU8>,
    requests: Arc<AtomicU64>,
}

impl Spotify {
    pub fn new(config: &SpotifyConfig) -> Result<Self, ProviderError> {
        Ok(Self {
            api: ServiceClient::new(
                "spotify",
                "/v1",
                &config.api_base_url,
                config.limits.clone(),
            )?
            .with_secrets([config.client_secret.clone()]),
            accounts: ServiceClient::new(
                "spotify-accounts",
                "",
                &config.accounts_base_url,
                config.limits.clone(),
            )?
            .with_secrets([config.client_secret.clone()]),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            token: Arc::default(),
            mode: Arc::new(AtomicU8::new(0)),
            requests: Arc::default(),
        })
    }

    pub fn mode(&self) -> ApiMode {
        if self.mode.load(Ordering::Relaxed) == 1 {
            ApiMode::Development
        } else {
            ApiMode::Extended
        }
    }

    fn downgrade(&self) {
        if self.mode.swap(1, Ordering::Relaxed) == 0 {
            tracing::warn!(
                "Spotify batch endpoints refused: switching to development-mode requests"
            );
        }
    }

    /// Requests sent so far (token requests included).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    async fn token(&self) -> Result<String, ProviderError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref()
            && Instant::now() < t.renew_at
        {
            return Ok(t.value.clone());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = self.accounts.url("api/token")?;
        let (id, secret) = (self.client_id.clone(), self.client_secret.clone());
        let token: Token = self
            .accounts
            .send_json(Method::POST, url, move |r| {
                r.basic_auth(&id, Some(&secret))
                    .form(&[("grant_type", "client_credentials")])
            })
            .await
            .map_err(|e| match e {
                // `invalid_client` arrives as 400: the credentials are wrong, not the request.
                ProviderError::BadRequest { .. } => {
                    ProviderError::Unauthorized { service: "spotify" }
                }
                e => e,
            })?;
        let lifetime = Duration::from_secs(token.expires_in).saturating_sub(TOKEN_MARGIN);
        *slot = Some(CachedToken {
            value: token.access_token.clone(),
            renew_at: Instant::now() + lifetime,
        });
        Ok(token.access_token)
    }

    /// GET with the bearer token; a 401 (expired token) renews it once and retries.
    async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, ProviderError> {
        for renewed in [false, true] {
            let token = self.token().await?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self
                .api
                .send_json(Method::GET, url.clone(), move |r| r.bearer_auth(&token))
                .await
            {
                Err(ProviderError::Unauthorized { .. }) if !renewed => {
                    *self.token.lock().await = None;
                }
                other => return other,
            }
        }
        Err(ProviderError::Unauthorized { service: "spotify" })
    }

    pub async fn artist(&self, id: &str) -> Result<Artist, ProviderError> {
        self.get(self.api.url(&format!("artists/{}", urlencode(id)))?)
            .await
    }

    /// Artists by name, most relevant first (one page of [`SEARCH_LIMIT`]): what the importer
    /// picks from when Ticketmaster's link is missing or stale.
    pub async fn search_artists(&self, name: &str) -> Result<Vec<Artist>, ProviderError> {
        let mut url = self.api.url("search")?;
        url.query_pairs_mut()
            .append_pair("q", name)
            .append_pair("type", "artist")
            .append_pair("limit", &SEARCH_LIMIT.to_string());
        let found: ArtistSearch = self.get(url).await?;
        Ok(found.artists.items)
    }

    /// A user's own library reads (their token, not the app's): the artists they follow and
    /// their top artists, at most `cap` of each.
    pub async fn user_artists(
        &self,
        user_token: &str,
        cap: usize,
    ) -> Result<UserArtists, ProviderError> {
        let token = user_token.to_owned();
        let get = |url: Url| {
            let token = token.clone();
            async move {
                self.requests.fetch_add(1, Ordering::Relaxed);
                self.api
                    .send_json::<serde_json::Value>(Method::GET, url, move |r| {
                        r.bearer_auth(&token)
                    })
                    .await
            }
        };
        let mut followed: Vec<Artist> = Vec::new();
        let mut url = self.api.url("me/following")?;
        url.query_pairs_mut()
            .append_pair("type", "artist")
            .append_pair("limit", &DEV_PAGE.to_string());
        loop {
            let page: FollowedPage =
                serde_json::from_value(get(url).await?).map_err(|e| ProviderError::Decode {
                    service: "spotify",
                    endpoint: "/v1/me/following".into(),
                    message: e.to_string(),
                })?;
            followed.extend(page.artists.items);
            match page.artists.next {
                Some(next) if followed.len() < cap => url = self.api.follow(&next)?,
                _ => break,
            }
        }
        followed.truncate(cap);
        let mut top_url = self.api.url("me/top/artists")?;
        top_url
            .query_pairs_mut()
            .append_pair("limit", &cap.clamp(1, DEV_PAGE as usize).to_string())
            .append_pair("time_range", "medium_term");
        let top: Paging<Artist> =
            serde_json::from_value(get(top_url).await?).map_err(|e| ProviderError::Decode {
                service: "spotify",
                endpoint: "/v1/me/top/artists".into(),
                message: e.to_string(),
            })?;
        let mut top = top.items;
        top.truncate(cap);
        Ok(UserArtists { followed, top })
    }

    fn page_size(&self) -> u32 {
        match self.mode() {
            ApiMode::Extended => EXTENDED_PAGE,
            ApiMode::Development => DEV_PAGE,
        }
    }

    /// Follows `next` links from `first` to the end.
    async fn all_pages<T: DeserializeOwned>(&self, first: Url) -> Result<Vec<T>, ProviderError> {
        let mut url = first;
        let mut out = Vec::new();
        loop {
            let page: Paging<T> = self.get(url).await?;
            out.extend(page.items);
            match page.next {
                Some(next) => url = self.api.follow(&next)?,
                None => return Ok(out),
            }
        }
    }

    /// The artist's own albums and singles (not compilations or appearances).
    pub async fn artist_albums(&self, artist_id: &str) -> Result<Vec<ArtistAlbum>, ProviderError> {
        let url = |limit: u32| -> Result<Url, ProviderError> {
            let mut u = self
                .api
                .url(&format!("artists/{}/albums", urlencode(artist_id)))?;
            u.query_pairs_mut()
                .append_pair("include_groups", "album,single")
                .append_pair("limit", &limit.to_string())
                .append_pair("offset", "0");
            Ok(u)
        };
        let albums: Vec<ArtistAlbum> = match self.all_pages(url(self.page_size())?).await {
            // Development mode refuses page sizes above 10.
            Err(ProviderError::BadRequest { status: 400, .. })
                if self.mode() == ApiMode::Extended =>
            {
                self.downgrade();
                self.all_pages(url(DEV_PAGE)?).await?
            }
            other => other?,
        };
        Ok(albums
            .into_iter()
            .filter(|a| {
                matches!(
                    a.album_group.as_deref().or(a.album_type.as_deref()),
                    Some("album" | "single")
                )
            })
            .collect())
    }

    /// Track lists of albums: batches of 20 in extended mode, per album (paged) in development mode.
    /// Unknown album ids are skipped.
    pub async fn album_tracks(
        &self,
        album_ids: &[String],
    ) -> Result<Vec<(String, Vec<AlbumTrack>)>, ProviderError> {
        let mut out = Vec::new();
        for chunk in album_ids.chunks(ALBUM_BATCH) {
            if self.mode() == ApiMode::Extended {
                let mut url = self.api.url("albums")?;
                url.query_pairs_mut().append_pair("ids", &chunk.join(","));
                match self.get::<SeveralAlbums>(url).await {
                    Ok(several) => {
                        for album in several.albums.into_iter().flatten() {
                            let mut tracks = album.tracks.items;
                            if let Some(next) = album.tracks.next {
                                tracks.extend(
                                    self.all_pages::<AlbumTrack>(self.api.follow(&next)?)
                                        .await?,
                                );
                            }
                            out.push((album.id, tracks));
                        }
                        continue;
                    }
                    Err(ProviderError::Forbidden { .. }) => self.downgrade(),
                    Err(e) => return Err(e),
                }
            }
            out.extend(
                self.per_item(chunk, |this, id| async move {
                    let mut url = this.api.url(&format!("albums/{}/tracks", urlencode(&id)))?;
                    url.query_pairs_mut()
                        .append_pair("limit", &this.page_size().to_string());
                    Ok((id, this.all_pages::<AlbumTrack>(url).await?))
                })
                .await?,
            );
        }
        Ok(out)
    }

    /// Full track objects (with ISRCs): batches of 50, or one by one in development mode.
    /// Unknown ids are skipped.
    pub async fn tracks(&self, ids: &[String]) -> Result<Vec<Track>, ProviderError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(TRACK_BATCH) {
            if self.mode() == ApiMode::Extended {
                let mut url = self.api.url("tracks")?;
                url.query_pairs_mut().append_pair("ids", &chunk.join(","));
                match self.get::<SeveralTracks>(url).await {
                    Ok(several) => {
                        out.extend(several.tracks.into_iter().flatten());
                        continue;
                    }
                    Err(ProviderError::Forbidden { .. }) => self.downgrade(),
                    Err(e) => return Err(e),
                }
            }
            out.extend(
                self.per_item(chunk, |this, id| async move {
                    let url = this.api.url(&format!("tracks/{}", urlencode(&id)))?;
                    this.get::<Track>(url).await
                })
                .await?,
            );
        }
        Ok(out)
    }

    /// Development mode's one-request-per-item fallback: up to [`PER_ITEM_CONCURRENCY`] in flight
    /// (the shared limiter still paces them), results in input order, unknown ids skipped. Owned
    /// ids and a cloned client keep the futures `'static` and `Send` for spawned jobs.
    async fn per_item<T, Fut>(
        &self,
        ids: &[String],
        fetch: impl Fn(Self, String) -> Fut,
    ) -> Result<Vec<T>, ProviderError>
    where
        Fut: std::future::Future<Output = Result<T, ProviderError>>,
    {
        let fetches = ids.iter().cloned().map(|id| fetch(self.clone(), id));
        let done: Vec<Result<T, ProviderError>> = futures::stream::iter(fetches)
            .buffered(PER_ITEM_CONCURRENCY)
            .collect()
            .await;
        let mut out = Vec::with_capacity(done.len());
        for r in done {
            match r {
                Ok(item) => out.push(item),
                Err(ProviderError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
