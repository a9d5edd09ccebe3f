//! What each provider client is built with (the server's settings make these in
//! `config/build.rs`). Defaults are the real services; a missing key disables that service's
//! client (the offline catalogue serves instead).

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

/// Biographies: Wikidata (the item stating an artist's MusicBrainz id) and Wikipedia (its
/// article's summary). Keyless public APIs.
#[derive(Debug, Clone)]
pub struct WikipediaConfig {
    pub wikidata_base_url: String,
    pub wikipedia_base_url: String,
    pub limits: Limits,
}

#[derive(Debug, Clone, Default)]
pub struct ProvidersConfig {
    pub ticketmaster: Option<TicketmasterConfig>,
    pub spotify: Option<SpotifyConfig>,
    pub setlistfm: Option<SetlistFmConfig>,
    pub wikipedia: Option<WikipediaConfig>,
    /// The services are the offline demo catalogue's replay (`THESET_DEMO_CATALOGUE`): what they
    /// answer is stored as demo data.
    pub origin: theset_shared::api::DataOrigin,
}

/// Spotify counts a rolling 30 s window; the per-minute budget spread evenly stays under it.
pub fn spotify_limits(per_minute: u32) -> Limits {
    Limits {
        requests: per_minute,
        per: Duration::from_secs(60),
        burst: 10,
        ..Limits::per_second(1)
    }
}
