//! Local fake Ticketmaster, Spotify and setlist.fm servers replaying the recorded answers in
//! `fixtures/` (one artist's worth: Arctic Monkeys), optionally slowed down.

use std::path::PathBuf;
use std::time::Duration;

use theset_backend::jobs::Providers;
use theset_backend::providers::Limits;
use theset_backend::providers::config::{
    ProvidersConfig, SetlistFmConfig, SpotifyConfig, TicketmasterConfig,
};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const AM_TM_ID: &str = "K8vZ9171ob7";

pub fn fixture(rel: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .expect("json")
}

pub struct Fakes {
    pub server: MockServer,
}

impl Fakes {
    /// All three services on one server, each answer delayed by `delay`.
    pub async fn start(delay: Duration) -> Self {
        let server = MockServer::start().await;
        let ok = |rel: &str| {
            ResponseTemplate::new(200)
                .set_body_json(fixture(rel))
                .set_delay(delay)
        };
        let mounts = [
            (
                Mock::given(path("/tm/discovery/v2/attractions.json")),
                ok("ticketmaster/attractions_search_arctic_monkeys.json"),
            ),
            (
                Mock::given(path("/tm/discovery/v2/events.json")).and(query_param("page", "0")),
                ok("ticketmaster/events_attraction_arctic_monkeys_page0.json"),
            ),
            (
                Mock::given(path("/tm/discovery/v2/events.json")).and(query_param("page", "1")),
                ok("ticketmaster/events_attraction_arctic_monkeys_page1.json"),
            ),
            (
                Mock::given(path_regex(r"^/tm/discovery/v2/venues/.+\.json$")),
                ok("ticketmaster/venue_details_madison_square_garden.json"),
            ),
            (
                Mock::given(method("POST")).and(path("/sp-accounts/api/token")),
                ok("spotify/token_client_credentials.json"),
            ),
            (
                Mock::given(path("/sp/v1/search")).and(query_param("type", "artist")),
                ok("spotify/search_artist_arctic_monkeys.json"),
            ),
            (
                Mock::given(path_regex(r"^/sp/v1/artists/[^/]+$")),
                ok("spotify/artist_arctic_monkeys.json"),
            ),
            (
                Mock::given(path_regex(r"^/sp/v1/artists/[^/]+/albums$"))
                    .and(query_param("offset", "0")),
                ok("spotify/artist_albums_arctic_monkeys_offset0.json"),
            ),
            (
                Mock::given(path_regex(r"^/sp/v1/artists/[^/]+/albums$"))
                    .and(query_param("offset", "5")),
                ok("spotify/artist_albums_arctic_monkeys_offset5.json"),
            ),
            (
                Mock::given(path("/sp/v1/albums")),
                ok("spotify/albums_several_arctic_monkeys.json"),
            ),
            (
                Mock::given(path_regex(r"^/sp/v1/albums/[^/]+/tracks$")),
                ok("spotify/album_tracks_am.json"),
            ),
            (
                Mock::given(path("/sp/v1/tracks")),
                ok("spotify/tracks_several_arctic_monkeys.json"),
            ),
            (
                Mock::given(path("/wd/w/api.php")),
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "query": { "search": [] } })),
            ),
            (
                Mock::given(path("/sl/rest/1.0/search/artists")),
                ok("setlistfm/search_artists_arctic_monkeys.json"),
            ),
            (
                Mock::given(path_regex(r"^/sl/rest/1.0/artist/[^/]+/setlists$"))
                    .and(query_param("p", "1")),
                ok("setlistfm/artist_setlists_arctic_monkeys_p1.json"),
            ),
            (
                Mock::given(path_regex(r"^/sl/rest/1.0/artist/[^/]+/setlists$"))
                    .and(query_param("p", "2")),
                ok("setlistfm/artist_setlists_arctic_monkeys_p2.json"),
            ),
        ];
        for (mock, response) in mounts {
            mock.respond_with(response).mount(&server).await;
        }
        Self { server }
    }

    pub fn config(&self) -> ProvidersConfig {
        let limits = Limits {
            requests: 1000,
            burst: 1000,
            backoff_base: Duration::from_millis(5),
            backoff_cap: Duration::from_millis(20),
            ..Limits::per_second(1000)
        };
        let uri = self.server.uri();
        ProvidersConfig {
            ticketmaster: Some(TicketmasterConfig {
                api_key: "tm-key".into(),
                base_url: format!("{uri}/tm/discovery/v2"),
                limits: limits.clone(),
            }),
            spotify: Some(SpotifyConfig {
                client_id: "id".into(),
                client_secret: "secret".into(),
                api_base_url: format!("{uri}/sp/v1"),
                accounts_base_url: format!("{uri}/sp-accounts"),
                limits: limits.clone(),
            }),
            setlistfm: Some(SetlistFmConfig {
                api_key: "sl-key".into(),
                base_url: format!("{uri}/sl/rest/1.0"),
                limits,
            }),
            // Biographies have their own tests (`biographies.rs`), with their own answers.
            wikipedia: None,
            origin: Default::default(),
        }
    }

    /// The environment a `theset-backend` process needs to reach these fakes.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let uri = self.server.uri();
        vec![
            ("TICKETMASTER_API_KEY", "tm-key".into()),
            ("TICKETMASTER_BASE_URL", format!("{uri}/tm/discovery/v2")),
            ("TICKETMASTER_RPS", "1000".into()),
            ("SPOTIFY_CLIENT_ID", "id".into()),
            ("SPOTIFY_CLIENT_SECRET", "secret".into()),
            ("SPOTIFY_API_BASE_URL", format!("{uri}/sp/v1")),
            ("SPOTIFY_ACCOUNTS_BASE_URL", format!("{uri}/sp-accounts")),
            ("SPOTIFY_RPM", "60000".into()),
            ("SETLISTFM_API_KEY", "sl-key".into()),
            ("SETLISTFM_BASE_URL", format!("{uri}/sl/rest/1.0")),
            ("SETLISTFM_RPS", "1000".into()),
            // Keys turn biographies on: they go to the fakes too (which know no article).
            ("WIKIDATA_BASE_URL", format!("{uri}/wd")),
            ("WIKIPEDIA_BASE_URL", format!("{uri}/wp")),
        ]
    }

    pub fn providers(&self) -> Providers {
        Providers::from_config(&self.config()).expect("providers")
    }
}
