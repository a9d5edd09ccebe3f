//! The HTTP plumbing every external-service client shares: a configurable base URL, a
//! process-wide rate limiter per service, retries with capped exponential backoff and full jitter
//! for 5xx/timeouts/429 (honouring `Retry-After`), typed errors for what retrying cannot fix, a
//! request timeout and a `tracing` span per call with endpoint and status.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::redact::Redactor;

/// Why a call to an external service failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{service}: credentials refused (401)")]
    Unauthorized { service: &'static str },
    #[error("{service}: forbidden (403): {message}")]
    Forbidden {
        service: &'static str,
        message: String,
    },
    #[error("{service}: not found (404)")]
    NotFound { service: &'static str },
    #[error("{service}: rate limited, retries exhausted")]
    RateLimited { service: &'static str },
    #[error("{service}: server error {status} after retries")]
    Server { service: &'static str, status: u16 },
    #[error("{service}: request refused ({status}): {message}")]
    BadRequest {
        service: &'static str,
        status: u16,
        message: String,
    },
    #[error("{service}: timed out after retries")]
    Timeout { service: &'static str },
    /// `detail` is the transport error without its URL (see `redact`).
    #[error("{service}: network error: {detail}")]
    Network {
        service: &'static str,
        detail: String,
    },
    /// The service's limiter has no room within the caller's patience (interactive calls).
    #[error("{service}: busy, retry in {retry_after:?}")]
    Busy {
        service: &'static str,
        retry_after: Duration,
    },
    #[error("{service}: unexpected answer from {endpoint}: {message}")]
    Decode {
        service: &'static str,
        endpoint: String,
        message: String,
    },
    #[error("{service}: {message}")]
    Config {
        service: &'static str,
        message: String,
    },
}

impl ProviderError {
    /// Whether a later attempt (a job retry) may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Timeout { .. }
                | Self::Network { .. }
                | Self::Busy { .. }
        )
    }

    /// The service's name as people know it.
    pub fn service(&self) -> &'static str {
        match self {
            Self::Unauthorized { service }
            | Self::Forbidden { service, .. }
            | Self::NotFound { service }
            | Self::RateLimited { service }
            | Self::Server { service, .. }
            | Self::BadRequest { service, .. }
            | Self::Timeout { service }
            | Self::Network { service, .. }
            | Self::Busy { service, .. }
            | Self::Decode { service, .. }
            | Self::Config { service, .. } => service,
        }
    }

    /// A sentence anyone may read (progress events, API answers): no detail of the call. The
    /// full, redacted text stays in `sync_jobs.last_error` for admins.
    pub fn public_message(&self) -> String {
        let who = match self.service() {
            "ticketmaster" => "Ticketmaster",
            "spotify" => "Spotify",
            "setlistfm" => "setlist.fm",
            other => other,
        };
        match self {
            Self::NotFound { .. } => format!("{who} does not know this"),
            Self::Unauthorized { .. } | Self::Forbidden { .. } | Self::Config { .. } => {
                format!("{who} refused our credentials")
            }
            Self::RateLimited { .. } | Self::Busy { .. } => format!("{who} is busy"),
            Self::Decode { .. } | Self::BadRequest { .. } => {
                format!("{who} answered something we could not use")
            }
            Self::Server { .. } | Self::Timeout { .. } | Self::Network { .. } => {
                format!("{who} could not be reached")
            }
        }
    }
}

/// Rate limits and retry policy of one service; every field is configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests per `per`, spread evenly (GCRA), with bursts up to `burst`.
    pub requests: u32,
    pub per: Duration,
    pub burst: u32,
    /// An optional second, long-window quota (Ticketmaster: 5,000 a day).
    pub daily: Option<u32>,
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
}

impl Limits {
    pub fn per_second(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(1),
            burst: requests,
            daily: None,
            timeout: Duration::from_secs(15),
            max_retries: 4,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(20),
        }
    }
}

/// Shared by every task of the process that calls one service: clone it, do not rebuild it.
#[derive(Clone)]
pub struct ServiceClient {
    pub service: &'static str,
    /// The path of the real service's API root (`/v1`), as it appears in paging links.
    api_root: &'static str,
    http: reqwest::Client,
    base: Url,
    limits: Limits,
    limiter: Arc<DefaultDirectRateLimiter>,
    daily: Option<Arc<DefaultDirectRateLimiter>>,
    /// Cleans every error text of this service's calls.
    redactor: Redactor,
    /// How long a call waits for the limiter: forever for jobs (they may wait their turn),
    /// briefly for calls a person is waiting on (see [`ServiceClient::interactive`]).
    patience: Option<Duration>,
}

/// How long an interactive call waits for the service's limiter before answering busy.
pub const INTERACTIVE_PATIENCE: Duration = Duration::from_secs(2);

fn quota(n: u32, per: Duration, burst: u32) -> Option<Quota> {
    let n = NonZeroU32::new(n)?;
    let interval = per.checked_div(n.get())?;
    Some(Quota::with_period(interval)?.allow_burst(NonZeroU32::new(burst.max(1))?))
}

impl ServiceClient {
    pub fn new(
        service: &'static str,
        api_root: &'static str,
        base: &str,
        limits: Limits,
    ) -> Result<Self, ProviderError> {
        let config = |message: String| ProviderError::Config {
            service,
            message: Redactor::default().clean(&message),
        };
        let mut base = Url::parse(base).map_err(|e| config(format!("bad base URL: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("TheSet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| config(e.to_string()))?;
        let limiter = quota(limits.requests, limits.per, limits.burst)
            .ok_or_else(|| config("rate limit must be positive".into()))?;
        let daily = match limits.daily {
            Some(n) => Some(Arc::new(RateLimiter::direct(
                quota(n, Duration::from_secs(86_400), n)
                    .ok_or_else(|| config("daily quota must be positive".into()))?,
            ))),
            None => None,
        };
        Ok(Self {
            service,
            api_root,
            http,
            base,
            limits,
            limiter: Arc::new(RateLimiter::direct(limiter)),
            daily,
            redactor: Redactor::default(),
            patience: None,
        })
    }

    /// Registers the credentials this client sends, so no error text can carry them.
    pub fn with_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Self {
        self.redactor = Redactor::with_secrets(secrets);
        self
    }

    /// The same client (same limiter) for calls a person waits on: when the limiter has no room
    /// within [`INTERACTIVE_PATIENCE`] (other callers spent it), the call fails fast with
    /// [`ProviderError::Busy`] instead of queueing behind them. Jobs keep the patient client.
    pub fn interactive(&self) -> Self {
        Self {
            patience: Some(INTERACTIVE_PATIENCE),
            ..self.clone()
        }
    }

    fn clean(&self, text: &str) -> String {
        self.redactor.clean(text)
    }

    /// The transport error's text without its URL, and with its causes (hyper's "connection
    /// refused" lives in the source chain).
    fn network_detail(&self, e: reqwest::Error) -> String {
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        self.clean(&text)
    }

    /// Waits for the limiters, or (interactive clients) gives up after their patience.
    async fn ready(&self) -> Result<(), ProviderError> {
        let started = std::time::Instant::now();
        let wait = async {
            self.limiter.until_ready().await;
            if let Some(daily) = &self.daily {
                daily.until_ready().await;
            }
            metrics::histogram!("provider_limiter_wait_seconds", "service" => self.service)
                .record(started.elapsed().as_secs_f64());
        };
        match self.patience {
            None => {
                wait.await;
                Ok(())
            }
            Some(p) => tokio::time::timeout(p, wait)
                .await
                .map_err(|_| ProviderError::Busy {
                    service: self.service,
                    retry_after: p,
                }),
        }
    }

    /// `path` relative to the base URL (`attractions.json`, `artists/{id}`).
    pub fn url(&self, path: &str) -> Result<Url, ProviderError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| ProviderError::Config {
                service: self.service,
                message: self.clean(&format!("bad path {path}: {e}")),
            })
    }

    /// Paging links point at the real host (`https://api.spotify.com/v1/...?offset=20`) or are
    /// root-relative (`/discovery/v2/events.json?page=1`). Their path below the service's own API
    /// root (`api_root`, e.g. `/v1`) is resolved against the configured base, query kept, so a
    /// replay server or a proxy receives the next page too.
    pub fn follow(&self, link: &str) -> Result<Url, ProviderError> {
        let parsed = Url::parse(link)
            .or_else(|_| Url::parse("http://link.invalid").and_then(|b| b.join(link)))
            .map_err(|e| ProviderError::Decode {
                service: self.service,
                endpoint: self.clean(link),
                message: e.to_string(),
            })?;
        let path = parsed.path();
        let rel = path.strip_prefix(self.api_root).unwrap_or(path);
        let mut url = self.url(rel)?;
        url.set_query(parsed.query());
        Ok(url)
    }

    /// Capped exponential backoff with full jitter (AWS architecture blog's "full jitter"): a few
    /// lines, so written here rather than pulling a retry framework into the request path.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .limits
            .backoff_base
            .saturating_mul(2u32.saturating_pow(attempt));
        let cap = exp.min(self.limits.backoff_cap);
        cap.mul_f64(rand::random::<f64>())
    }

    /// Sends the request built by `build` (called again for each attempt) and decodes JSON.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T, ProviderError> {
        let answer = self.send_json_counted(method, url, build).await;
        let outcome = match &answer {
            Ok(_) => "ok",
            Err(ProviderError::RateLimited { .. }) => "rate_limited",
            Err(ProviderError::Busy { .. }) => "limiter_busy",
            Err(ProviderError::NotFound { .. }) => "not_found",
            Err(_) => "error",
        };
        metrics::counter!("provider_requests_total", "service" => self.service, "outcome" => outcome)
            .increment(1);
        answer
    }

    async fn send_json_counted<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T, ProviderError> {
        let endpoint = url.path().to_owned();
        let span = tracing::info_span!("provider", service = self.service, %endpoint, status = tracing::field::Empty);
        async {
            let bytes = self.send(method, url, build).await?;
            serde_json::from_slice(&bytes).map_err(|e| ProviderError::Decode {
                service: self.service,
                endpoint: endpoint.clone(),
                message: self.clean(&e.to_string()),
            })
        }
        .instrument(span)
        .await
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<bytes::Bytes, ProviderError> {
        let service = self.service;
        let mut attempt = 0;
        loop {
            self.ready().await?;
            let res = build(self.http.request(method.clone(), url.clone()))
                .send()
                .await;
            let retry_in = match res {
                Err(e) if e.is_timeout() => {
                    if attempt >= self.limits.max_retries {
                        return Err(ProviderError::Timeout { service });
                    }
                    self.backoff(attempt)
                }
                Err(e) if e.is_connect() || e.is_request() => {
                    if attempt >= self.limits.max_retries {
                        return Err(ProviderError::Network {
                            service,
                            detail: self.network_detail(e),
                        });
                    }
                    tracing::debug!(error = %self.network_detail(e), "provider call failed; retrying");
                    self.backoff(attempt)
                }
                Err(e) => {
                    return Err(ProviderError::Network {
                        service,
                        detail: self.network_detail(e),
                    });
                }
                Ok(res) => {
                    let status = res.status();
                    tracing::Span::current().record("status", status.as_u16());
                    let retry_after = res
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let body = res.bytes().await.map_err(|e| ProviderError::Network {
                        service,
                        detail: self.network_detail(e),
                    })?;
                    if status.is_success() {
                        return Ok(body);
                    }
                    let message = || {
                        self.clean(
                            &String::from_utf8_lossy(&body)
                                .chars()
                                .take(300)
                                .collect::<String>(),
                        )
                    };
                    match status {
                        StatusCode::UNAUTHORIZED => {
                            return Err(ProviderError::Unauthorized { service });
                        }
                        StatusCode::FORBIDDEN => {
                            return Err(ProviderError::Forbidden {
                                service,
                                message: message(),
                            });
                        }
                        StatusCode::NOT_FOUND => return Err(ProviderError::NotFound { service }),
                        StatusCode::TOO_MANY_REQUESTS => {
                            if attempt >= self.limits.max_retries {
                                return Err(ProviderError::RateLimited { service });
                            }
                            tracing::warn!(?retry_after, "rate limited");
                            // Without Retry-After (Ticketmaster sends none), back off as for 5xx.
                            retry_after
                                .unwrap_or_else(|| self.backoff(attempt))
                                .min(self.limits.backoff_cap.max(Duration::from_secs(60)))
                        }
                        s if s.is_server_error() => {
                            if attempt >= self.limits.max_retries {
                                return Err(ProviderError::Server {
                                    service,
                                    status: s.as_u16(),
                                });
                            }
                            self.backoff(attempt)
                        }
                        s => {
                            return Err(ProviderError::BadRequest {
                                service,
                                status: s.as_u16(),
                                message: message(),
                            });
                        }
                    }
                }
            };
            attempt += 1;
            tokio::time::sleep(retry_in).await;
        }
    }
}
