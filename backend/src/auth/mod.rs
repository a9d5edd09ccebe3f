//! Accounts and sessions: argon2id password hashes, opaque access tokens (15 min) and refresh
//! tokens that rotate on every use. Reusing a rotated refresh token revokes its session (the token
//! family, RFC 9700), except a retry from the same device within 30 s: successors are derived
//! from the used token with a server key (HMAC), so a retry gets the very same successor without
//! the server keeping any token in clear. Browsers get a `__Host-` cookie and CSRF tokens derived
//! from it. Mailed links, OAuth sign-in, rate limits and avatars live in the submodules.

pub mod avatar;
pub mod gcra;
pub mod limits;
pub mod mail;
pub mod oauth;
pub mod passwords;
pub mod proxies;
pub mod seal;
pub mod streams;
pub mod tokens;

use std::sync::Arc;

use url::Url;

/// Server-side secrets, limits and the services accounts depend on.
#[derive(Clone)]
pub struct AuthConfig {
    /// Key deriving refresh successors and CSRF tokens (`THESET_TOKEN_SECRET`, at least 32
    /// characters; required unless the server is reachable from this machine only, see
    /// [`token_secret`]). Every instance must share it: a refresh retry answered by another
    /// instance must derive the same successor.
    pub token_key: Arc<[u8; 32]>,
    pub hasher: passwords::Hasher,
    pub mailer: mail::Mailer,
    pub limits: Arc<limits::Limits>,
    /// Open live streams per user and network.
    pub streams: streams::Streams,
    /// Reverse proxies whose forwarded-for headers are believed (`THESET_TRUSTED_PROXIES`).
    pub proxies: proxies::TrustedProxies,
    /// Avatar decodes at once (sized to the cores); a full house answers `server_busy`.
    pub decoders: Arc<tokio::sync::Semaphore>,
    pub oauth: oauth::Providers,
    pub sealer: seal::Sealer,
    /// Where this server is reached from outside (`THESET_PUBLIC_URL`): links in mails and the
    /// OAuth callback are built on it.
    pub public_url: Url,
    /// Browser origins allowed to call the API with credentials (`THESET_CORS_ORIGINS`, comma
    /// separated). Empty: no cross-origin access at all.
    pub cors_origins: Vec<String>,
    /// The bearer token `/metrics` asks for (`THESET_METRICS_TOKEN`); without one, scrapes come
    /// from loopback only.
    pub metrics_token: Option<String>,
}

/// Where the server is reached when its settings do not say (`THESET_PUBLIC_URL`).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080/";

pub fn default_public_url() -> Url {
    Url::parse(DEFAULT_PUBLIC_URL).unwrap_or_else(|_| unreachable!("a valid constant URL"))
}

impl AuthConfig {
    /// Defaults for tests and tools: random key, no mail server, no OAuth providers.
    pub fn new(key: [u8; 32]) -> Self {
        let public_url = default_public_url();
        Self {
            token_key: Arc::new(key),
            hasher: passwords::Hasher::new(passwords::Params::default()),
            mailer: mail::Mailer::disabled(public_url.clone()),
            limits: limits::Limits::new(limits::Rates::default()),
            streams: streams::Streams::new(streams::StreamCaps::default()),
            proxies: proxies::TrustedProxies::default(),
            decoders: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            oauth: oauth::Providers::default(),
            sealer: seal::Sealer::new(&key),
            public_url,
            cors_origins: Vec::new(),
            metrics_token: None,
        }
    }

    /// Rate limits and stream caps shared through `cache`'s Redis, when it has one.
    pub fn share_limits(&mut self, cache: &crate::cache::Cache) {
        if let Some((redis, prefix)) = cache.redis() {
            self.limits = limits::Limits::shared(self.limits.rates(), redis.clone(), &prefix);
            self.streams = streams::Streams::shared(streams::StreamCaps::default(), redis, &prefix);
        }
    }

    /// The URL providers send users back to for `provider`.
    pub fn oauth_callback(&self, provider: oauth::ProviderKind) -> Url {
        let mut url = self.public_url.clone();
        url.set_path(&format!("api/v1/auth/oauth/{}/callback", provider.as_str()));
        url
    }

    /// The CSRF token of a browser session: derived from its cookie token, so nothing is stored
    /// and it changes with the session.
    pub fn csrf_token(&self, cookie_token: &str) -> String {
        tokens::successor(&self.token_key, cookie_token, "csrf")
    }
}
