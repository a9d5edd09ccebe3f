//! Provider settings from the environment. Defaults are the real services; a missing key
//! disables that service's client (the offline catalogue serves instead).

use std::time::Duration;

use super::service::Limits;

#[derive(Debug, Clone)]
pub struct TicketmasterConfig {
    pub api_key: String,
    pub base_url: String,
    pub limits: Limits,
}

#[derive(Debug, Clone)]
pub struct SpotifyConfig {
    pub client_id: String,
    pub client_secret: String,
    pub api_base_url: String,
    pub accounts_base_url: String,
    pub limits: Limits,
}

#[derive(Debug, Clone)]
pub struct SetlistFmConfig {
    pub api_key: String,
    pub base_url: String,
    pub limits: Limits,
}

#[derive(Debug, Clone, Default)]
pub struct ProvidersConfig {
    pub ticketmaster: Option<TicketmasterConfig>,
    pub spotify: Option<SpotifyConfig>,
    pub setlistfm: Option<SetlistFmConfig>,
}

pub const TICKETMASTER_BASE_URL: &str = "https://app.ticketmaster.com/discovery/v2";
pub const SPOTIFY_API_BASE_URL: &str = "https://api.spotify.com/v1";
pub const SPOTIFY_ACCOUNTS_BASE_URL: &str = "https://accounts.spotify.com";
pub const SETLISTFM_BASE_URL: &str = "https://api.setlist.fm/rest/1.0";

/// Ticketmaster: 2 requests/s (documented as 5 or 2) and 5,000 a day.
pub fn ticketmaster_limits() -> Limits {
    Limits {
        daily: Some(5_000),
        ..Limits::per_second(2)
    }
}

/// Spotify counts a rolling 30 s window; ~100 requests a minute spread evenly stays under it.
pub fn spotify_limits() -> Limits {
    Limits {
        requests: 100,
        per: Duration::from_secs(60),
        burst: 10,
        ..Limits::per_second(1)
    }
}

pub fn setlistfm_limits() -> Limits {
    Limits::per_second(2)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn rate(name: &str, default: u32) -> u32 {
    var(name)
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

impl ProvidersConfig {
    /// Reads `TICKETMASTER_*`, `SPOTIFY_*`, `SETLISTFM_*` (see README). Rates can be tuned with
    /// `TICKETMASTER_RPS`, `TICKETMASTER_DAILY`, `SPOTIFY_RPM`, `SETLISTFM_RPS`.
    pub fn from_env() -> Self {
        let ticketmaster = var("TICKETMASTER_API_KEY").map(|api_key| TicketmasterConfig {
            api_key,
            base_url: var("TICKETMASTER_BASE_URL").unwrap_or_else(|| TICKETMASTER_BASE_URL.into()),
            limits: Limits {
                daily: Some(rate("TICKETMASTER_DAILY", 5_000)),
                ..Limits::per_second(rate("TICKETMASTER_RPS", 2))
            },
        });
        let spotify = match (var("SPOTIFY_CLIENT_ID"), var("SPOTIFY_CLIENT_SECRET")) {
            (Some(client_id), Some(client_secret)) => Some(SpotifyConfig {
                client_id,
                client_secret,
                api_base_url: var("SPOTIFY_API_BASE_URL")
                    .unwrap_or_else(|| SPOTIFY_API_BASE_URL.into()),
                accounts_base_url: var("SPOTIFY_ACCOUNTS_BASE_URL")
                    .unwrap_or_else(|| SPOTIFY_ACCOUNTS_BASE_URL.into()),
                limits: Limits {
                    requests: rate("SPOTIFY_RPM", 100),
                    ..spotify_limits()
                },
            }),
            _ => None,
        };
        let setlistfm = var("SETLISTFM_API_KEY").map(|api_key| SetlistFmConfig {
            api_key,
            base_url: var("SETLISTFM_BASE_URL").unwrap_or_else(|| SETLISTFM_BASE_URL.into()),
            limits: Limits::per_second(rate("SETLISTFM_RPS", 2)),
        });
        Self {
            ticketmaster,
            spotify,
            setlistfm,
        }
    }
}
