//! What each provider client is built with, from the backend's [`ProviderSettings`]. Defaults
//! are the real services; a missing key disables that service's client (the offline catalogue
//! serves instead).

use std::time::Duration;

use super::service::Limits;
use crate::config::{ProviderSettings, set};

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

/// Spotify counts a rolling 30 s window; the per-minute budget spread evenly stays under it.
fn spotify_limits(per_minute: u32) -> Limits {
    Limits {
        requests: per_minute,
        per: Duration::from_secs(60),
        burst: 10,
        ..Limits::per_second(1)
    }
}

impl From<&ProviderSettings> for ProvidersConfig {
    /// A service is on when its key (Spotify: id and secret) is set and not empty.
    fn from(s: &ProviderSettings) -> Self {
        let ticketmaster = set(&s.ticketmaster_api_key).map(|key| TicketmasterConfig {
            api_key: key.to_owned(),
            base_url: s.ticketmaster_base_url.clone(),
            limits: Limits {
                daily: Some(s.ticketmaster_daily),
                ..Limits::per_second(s.ticketmaster_rps)
            },
        });
        let spotify = match (set(&s.spotify_client_id), set(&s.spotify_client_secret)) {
            (Some(id), Some(secret)) => Some(SpotifyConfig {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
                api_base_url: s.spotify_api_base_url.clone(),
                accounts_base_url: s.spotify_accounts_base_url.clone(),
                limits: spotify_limits(s.spotify_rpm),
            }),
            _ => None,
        };
        let setlistfm = set(&s.setlistfm_api_key).map(|key| SetlistFmConfig {
            api_key: key.to_owned(),
            base_url: s.setlistfm_base_url.clone(),
            limits: Limits::per_second(s.setlistfm_rps),
        });
        Self {
            ticketmaster,
            spotify,
            setlistfm,
        }
    }
}
