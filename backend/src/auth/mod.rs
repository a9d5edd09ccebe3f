//! Accounts and sessions: argon2id password hashes, opaque access tokens (15 min) and refresh
//! tokens that rotate on every use. Reusing a rotated refresh token revokes its session (the token
//! family, RFC 9700), except a retry from the same device within 30 s: successors are derived
//! from the used token with a server key (HMAC), so a retry gets the very same successor without
//! the server keeping any token in clear. Browsers get a `__Host-` cookie and CSRF tokens derived
//! from it. Mailed links, OAuth sign-in, rate limits and avatars live in the submodules.

pub mod avatar;
pub mod limits;
pub mod mail;
pub mod oauth;
pub mod passwords;
pub mod seal;
pub mod tokens;

use std::sync::Arc;

use url::Url;

/// Server-side secrets, limits and the services accounts depend on.
#[derive(Clone)]
pub struct AuthConfig {
    /// Key deriving refresh successors and CSRF tokens (`THESET_TOKEN_SECRET`; random per
    /// process when unset, which costs the 30 s retry grace and browser CSRF tokens across a
    /// restart, and makes sealed provider tokens unreadable after one: set it in production).
    pub token_key: Arc<[u8; 32]>,
    pub hasher: passwords::Hasher,
    pub mailer: mail::Mailer,
    pub limits: Arc<limits::Limits>,
    pub oauth: oauth::Providers,
    pub sealer: seal::Sealer,
    /// Where this server is reached from outside (`THESET_PUBLIC_URL`): links in mails and the
    /// OAuth callback are built on it.
    pub public_url: Url,
    /// Browser origins allowed to call the API with credentials (`THESET_CORS_ORIGINS`, comma
    /// separated). Empty: no cross-origin access at all.
    pub cors_origins: Vec<String>,
}

fn default_public_url() -> Url {
    Url::parse("http://127.0.0.1:8080/").unwrap_or_else(|_| unreachable!("a valid constant URL"))
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
            oauth: oauth::Providers::default(),
            sealer: seal::Sealer::new(&key),
            public_url,
            cors_origins: Vec::new(),
        }
    }

    pub fn from_env() -> Self {
        let key = std::env::var("THESET_TOKEN_SECRET")
            .ok()
            .filter(|s| s.len() >= 32)
            .map(|s| tokens::key_from_secret(&s))
            .unwrap_or_else(tokens::random_key);
        let public_url = std::env::var("THESET_PUBLIC_URL")
            .ok()
            .and_then(|u| Url::parse(&u).ok())
            .unwrap_or_else(default_public_url);
        let mailer = mail::Mailer::from_env(public_url.clone()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail is misconfigured; mails will not be sent");
            mail::Mailer::disabled(public_url.clone())
        });
        let cors_origins = std::env::var("THESET_CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        Self {
            mailer,
            oauth: oauth::Providers::from_env(),
            public_url,
            cors_origins,
            ..Self::new(key)
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
