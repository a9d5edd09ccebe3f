//! The parts a process runs with, made from its settings: the accounts configuration, the cache,
//! the provider clients' settings, the cron jobs' knobs. Settings point down into the parts they
//! make; no part reads the settings back (so `auth`, `cache` and `providers` stay free of them).

use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

use super::{AccountsConfig, CacheConfig, Config, ProviderSettings, ScheduleConfig, set};
use crate::auth::oauth::{self, Provider, ProviderKind};
use crate::auth::{AuthConfig, limits, mail, tokens};
use crate::cache::Cache;
use crate::jobs::MaintenanceSettings;
use crate::providers::config::{
    ProvidersConfig, SetlistFmConfig, SpotifyConfig, TicketmasterConfig, WikipediaConfig,
    spotify_limits,
};
use crate::providers::service::Limits;

/// Configuration the server refuses to start with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "THESET_TOKEN_SECRET must be at least 32 characters (it is {0}); generate one with \
         `openssl rand -base64 48`"
    )]
    ShortSecret(usize),
    #[error(
        "THESET_TOKEN_SECRET is not set: every instance needs the same secret (at least 32 \
         characters), or refresh retries and CSRF tokens break across instances and restarts"
    )]
    NoSecret,
}

impl AccountsConfig {
    /// `THESET_TOKEN_SECRET`, checked: `None` when unset (a random key per process, acceptable
    /// only for a server nobody else reaches; see [`AccountsConfig::require_token_secret`]).
    pub fn token_secret(&self) -> Result<Option<&str>, ConfigError> {
        match set(&self.token_secret) {
            Some(s) if s.chars().count() >= 32 => Ok(Some(s)),
            Some(s) => Err(ConfigError::ShortSecret(s.chars().count())),
            None => Ok(None),
        }
    }

    /// Refuses to serve without a secret unless the server is the local run: it listens on
    /// loopback only and its public URL is a loopback one too.
    pub fn require_token_secret(&self, listen: SocketAddr) -> Result<(), ConfigError> {
        if self.token_secret()?.is_some() {
            return Ok(());
        }
        let public_local = match self.public_url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        if listen.ip().is_loopback() && public_local {
            tracing::warn!("THESET_TOKEN_SECRET is not set: using a random key (local run only)");
            return Ok(());
        }
        Err(ConfigError::NoSecret)
    }
}

impl Config {
    /// Accounts as the settings say (the Spotify app signs people in too). A short
    /// `THESET_TOKEN_SECRET` is refused: sessions would fork between instances.
    pub fn auth(&self) -> Result<AuthConfig, ConfigError> {
        let accounts = &self.accounts;
        let key = match accounts.token_secret()? {
            Some(secret) => tokens::key_from_secret(secret),
            None => tokens::random_key(),
        };
        let public_url = accounts.public_url.clone();
        let mailer = mail::Mailer::new(
            set(&accounts.smtp_url),
            &accounts.mail_from,
            public_url.clone(),
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail is misconfigured; mails will not be sent");
            mail::Mailer::disabled(public_url.clone())
        });
        Ok(AuthConfig {
            mailer,
            oauth: self.sign_in_providers(),
            public_url,
            cors_origins: accounts
                .cors_origins
                .iter()
                .filter(|o| !o.is_empty())
                .cloned()
                .collect(),
            proxies: accounts
                .trusted_proxies
                .clone()
                .reading(accounts.forwarded_header),
            limits: limits::Limits::new(limits::Rates {
                people_upstream_daily: self.providers.people_upstream_daily(),
                ..accounts.rates
            }),
            metrics_token: accounts.metrics_token.clone().filter(|t| !t.is_empty()),
            ..AuthConfig::new(key)
        })
    }

    /// Google with its own client; Spotify sign-in with the Spotify app of the catalogue.
    fn sign_in_providers(&self) -> oauth::Providers {
        let make = |kind, id: &Option<String>, secret: &Option<String>, base: &Option<Url>| {
            let base = base
                .as_ref()
                .and_then(|b| Url::parse(&format!("{}/", b.as_str().trim_end_matches('/'))).ok());
            Provider::new(
                kind,
                set(id)?.to_owned(),
                set(secret)?.to_owned(),
                base.as_ref(),
            )
        };
        let (a, p) = (&self.accounts, &self.providers);
        oauth::Providers::new(
            make(
                ProviderKind::Google,
                &a.google_client_id,
                &a.google_client_secret,
                &a.google_oauth_base_url,
            ),
            make(
                ProviderKind::Spotify,
                &p.spotify_client_id,
                &p.spotify_client_secret,
                &a.spotify_oauth_base_url,
            ),
        )
    }
}

impl CacheConfig {
    /// Redis (`REDIS_URL`) as the shared level when set and reachable, else in-process only.
    pub async fn cache(&self, database_url: Option<&str>) -> Cache {
        match set(&self.redis_url) {
            Some(url) => Cache::from_url_or_local(url, &self.namespace(database_url)).await,
            None => Cache::local(),
        }
    }

    /// The deployment's namespace in Redis: `THESET_CACHE_NAMESPACE`, else the database it
    /// serves (host, port, name). Two deployments, or two servers over different databases,
    /// sharing one Redis then never answer each other's entries.
    fn namespace(&self, database_url: Option<&str>) -> String {
        set(&self.cache_namespace)
            .map(str::to_owned)
            .or_else(|| {
                let db = Url::parse(database_url?).ok()?;
                Some(format!(
                    "{}:{}{}",
                    db.host_str().unwrap_or_default(),
                    db.port().unwrap_or(5432),
                    db.path()
                ))
            })
            .unwrap_or_else(|| "default".to_owned())
    }
}

impl ProviderSettings {
    /// The clients' settings; a service is on when its key (Spotify: id and secret) is set.
    pub fn clients(&self) -> ProvidersConfig {
        let ticketmaster = set(&self.ticketmaster_api_key).map(|key| TicketmasterConfig {
            api_key: key.to_owned(),
            base_url: self.ticketmaster_base_url.clone(),
            limits: Limits {
                daily: Some(self.ticketmaster_daily),
                ..Limits::per_second(self.ticketmaster_rps)
            },
        });
        let spotify = match (
            set(&self.spotify_client_id),
            set(&self.spotify_client_secret),
        ) {
            (Some(id), Some(secret)) => Some(SpotifyConfig {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
                api_base_url: self.spotify_api_base_url.clone(),
                accounts_base_url: self.spotify_accounts_base_url.clone(),
                limits: spotify_limits(self.spotify_rpm),
            }),
            _ => None,
        };
        let setlistfm = set(&self.setlistfm_api_key).map(|key| SetlistFmConfig {
            api_key: key.to_owned(),
            base_url: self.setlistfm_base_url.clone(),
            limits: Limits::per_second(self.setlistfm_rps),
        });
        let wikipedia = (ticketmaster.is_some()
            || spotify.is_some()
            || setlistfm.is_some()
            || self.wikipedia_base_url.is_some()
            || self.wikidata_base_url.is_some())
        .then(|| WikipediaConfig {
            wikidata_base_url: self
                .wikidata_base_url
                .clone()
                .unwrap_or_else(|| super::WIKIDATA_BASE_URL.to_owned()),
            wikipedia_base_url: self
                .wikipedia_base_url
                .clone()
                .unwrap_or_else(|| super::WIKIPEDIA_BASE_URL.to_owned()),
            // Wikimedia asks API clients to keep to a few requests a second.
            limits: Limits::per_second(3),
        });
        ProvidersConfig {
            ticketmaster,
            spotify,
            setlistfm,
            wikipedia,
            origin: match self.demo_catalogue {
                super::Switch::On => theset_shared::api::DataOrigin::Demo,
                super::Switch::Off => theset_shared::api::DataOrigin::Live,
            },
        }
    }
}

impl ScheduleConfig {
    /// The cron jobs' knobs (top artists after trending, the weekly sweep's pace).
    pub fn maintenance(&self) -> MaintenanceSettings {
        MaintenanceSettings {
            trending_top: self.trending_top_n,
            batch_delay: Duration::from_secs(self.cron_batch_delay_secs),
            demo_tonight: self.demo_tonight == super::Switch::On,
        }
    }
}
