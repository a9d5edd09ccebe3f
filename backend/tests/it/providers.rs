//! The external-service clients against local fake servers replaying the recorded answers in
//! `fixtures/`, including rate limiting, auth failures, server errors and slow answers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use theset_backend::providers::config::{SetlistFmConfig, SpotifyConfig, TicketmasterConfig};
use theset_backend::providers::setlistfm::SetlistFm;
use theset_backend::providers::spotify::{ApiMode, Spotify};
use theset_backend::providers::ticketmaster::Ticketmaster;
use theset_backend::providers::{Limits, ProviderError};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn fixture(rel: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .expect("json")
}

fn json(status: u16, rel: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(fixture(rel))
}

/// Fast limits so retry tests take milliseconds.
fn fast() -> Limits {
    Limits {
        requests: 1000,
        per: Duration::from_secs(1),
        burst: 1000,
        daily: None,
        timeout: Duration::from_millis(500),
        max_retries: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
    }
}

fn ticketmaster(server: &MockServer, limits: Limits) -> Ticketmaster {
    Ticketmaster::new(&TicketmasterConfig {
        api_key: "tm-key".into(),
        base_url: format!("{}/discovery/v2", server.uri()),
        limits,
    })
    .expect("client")
}

fn spotify(server: &MockServer) -> Spotify {
    Spotify::new(&SpotifyConfig {
        client_id: "id".into(),
        client_secret: "secret".into(),
        api_base_url: format!("{}/v1", server.uri()),
        accounts_base_url: format!("{}/accounts", server.uri()),
        limits: fast(),
    })
    .expect("client")
}

/// Answers the listed responses in order, then the last one forever.
struct Sequence(std::sync::Mutex<Vec<ResponseTemplate>>);

impl Sequence {
    fn new(mut rs: Vec<ResponseTemplate>) -> Self {
        rs.reverse();
        Self(std::sync::Mutex::new(rs))
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut rs = self.0.lock().expect("lock");
        if rs.len() > 1 {
            rs.pop().expect("response")
        } else {
            rs[0].clone()
        }
    }
}

async fn hits(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

// ── Ticketmaster ─────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn ticketmaster_search_sends_the_key_and_handles_empty_results() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .and(query_param("apikey", "tm-key"))
        .and(query_param("keyword", "Arctic Monkeys"))
        .and(query_param("classificationName", "music"))
        .respond_with(json(
            200,
            "ticketmaster/attractions_search_arctic_monkeys.json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .and(query_param("keyword", "zzqxv nonexistent band"))
        .respond_with(json(200, "ticketmaster/attractions_search_empty.json"))
        .mount(&server)
        .await;
    let tm = ticketmaster(&server, fast());
    let found = tm
        .search_attractions("Arctic Monkeys")
        .await
        .expect("search");
    assert_eq!(found[0].name, "Arctic Monkeys");
    assert_eq!(
        found[0].musicbrainz_id(),
        Some("ada7a83c-e3e1-40f1-93f9-3e73dbc9298a")
    );
    assert!(found.len() >= 2, "the tribute act is a separate hit");
    assert!(
        tm.search_attractions("zzqxv nonexistent band")
            .await
            .expect("empty")
            .is_empty()
    );
}

#[tokio::test]
async fn ticketmaster_events_follow_next_links_against_the_configured_base() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/events.json"))
        .and(query_param("apikey", "tm-key"))
        .and(query_param("page", "0"))
        .respond_with(json(
            200,
            "ticketmaster/events_attraction_arctic_monkeys_page0.json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/events.json"))
        .and(query_param("apikey", "tm-key"))
        .and(query_param("page", "1"))
        .respond_with(json(
            200,
            "ticketmaster/events_attraction_arctic_monkeys_page1.json",
        ))
        .mount(&server)
        .await;
    let events = ticketmaster(&server, fast())
        .events_of_attraction("K8vZ9171ob7")
        .await
        .expect("events");
    let page0 = fixture("ticketmaster/events_attraction_arctic_monkeys_page0.json");
    let total = page0["page"]["totalElements"].as_u64().expect("total");
    assert_eq!(events.len() as u64, total, "both pages");
    let venue = &events[0].embedded.as_ref().expect("embedded").venues[0];
    assert!(venue.coordinates().is_some(), "string coordinates parse");
    assert_eq!(hits(&server, "/discovery/v2/events.json").await, 2);
}

#[tokio::test]
async fn ticketmaster_venue_details() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/venues/KovZpZA7AAEA.json"))
        .respond_with(json(
            200,
            "ticketmaster/venue_details_madison_square_garden.json",
        ))
        .mount(&server)
        .await;
    let v = ticketmaster(&server, fast())
        .venue("KovZpZA7AAEA")
        .await
        .expect("venue");
    assert_eq!(v.name, "Madison Square Garden");
    assert_eq!(v.postal_code.as_deref(), Some("10001"));
}

#[tokio::test]
async fn ticketmaster_401_is_a_typed_error_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/attractions.json"))
        .respond_with(json(401, "ticketmaster/error_401_invalid_api_key.json"))
        .mount(&server)
        .await;
    let err = ticketmaster(&server, fast())
        .search_attractions("x")
        .await
        .expect_err("401");
    assert!(
        matches!(
            err,
            ProviderError::Unauthorized {
                service: "ticketmaster"
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert_eq!(hits(&server, "/discovery/v2/attractions.json").await, 1);
}

#[tokio::test]
async fn ticketmaster_429_without_retry_after_backs_off_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/attractions.json"))
        .respond_with(Sequence::new(vec![
            json(429, "ticketmaster/error_429_spike_arrest.json"),
            json(429, "ticketmaster/error_429_spike_arrest.json"),
            json(200, "ticketmaster/attractions_search_phoebe_bridgers.json"),
        ]))
        .mount(&server)
        .await;
    let found = ticketmaster(&server, fast())
        .search_attractions("Phoebe Bridgers")
        .await
        .expect("after 429s");
    assert_eq!(found[0].name, "Phoebe Bridgers");
    assert_eq!(hits(&server, "/discovery/v2/attractions.json").await, 3);
}

#[tokio::test]
async fn ticketmaster_quota_exhaustion_gives_up_as_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/attractions.json"))
        .respond_with(json(429, "ticketmaster/error_429_quota_violation.json"))
        .mount(&server)
        .await;
    let err = ticketmaster(&server, fast())
        .search_attractions("x")
        .await
        .expect_err("429");
    assert!(matches!(err, ProviderError::RateLimited { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(
        hits(&server, "/discovery/v2/attractions.json").await,
        4,
        "1 try + 3 retries"
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_then_reported() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/venues/A.json"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(502),
            ResponseTemplate::new(503),
            json(200, "ticketmaster/venue_details_madison_square_garden.json"),
        ]))
        .mount(&server)
        .await;
    Mock::given(path("/discovery/v2/venues/B.json"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let tm = ticketmaster(&server, fast());
    assert!(tm.venue("A").await.is_ok());
    let err = tm.venue("B").await.expect_err("500");
    assert!(
        matches!(err, ProviderError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(hits(&server, "/discovery/v2/venues/B.json").await, 4);
}

#[tokio::test]
async fn slow_answers_time_out_after_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/venues/slow.json"))
        .respond_with(
            json(200, "ticketmaster/venue_details_madison_square_garden.json")
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let limits = Limits {
        timeout: Duration::from_millis(100),
        max_retries: 1,
        ..fast()
    };
    let err = ticketmaster(&server, limits)
        .venue("slow")
        .await
        .expect_err("timeout");
    assert!(matches!(err, ProviderError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn the_rate_limiter_spaces_requests() {
    let server = MockServer::start().await;
    Mock::given(path("/discovery/v2/venues/A.json"))
        .respond_with(json(
            200,
            "ticketmaster/venue_details_madison_square_garden.json",
        ))
        .mount(&server)
        .await;
    let limits = Limits {
        requests: 10,
        burst: 1,
        ..fast()
    };
    let tm = ticketmaster(&server, limits);
    let start = Instant::now();
    // Shared by clones: five tasks at 10/s with no burst need at least 4 intervals of 100 ms.
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let tm = tm.clone();
            tokio::spawn(async move { tm.venue("A").await })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("venue");
    }
    assert!(
        start.elapsed() >= Duration::from_millis(390),
        "{:?}",
        start.elapsed()
    );
}

// ── Spotify ──────────────────────────────────────────────────────────────────────────────────

async fn mount_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/accounts/api/token"))
        .and(header("authorization", "Basic aWQ6c2VjcmV0"))
        .respond_with(json(200, "spotify/token_client_credentials.json"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn spotify_token_is_fetched_once_and_renewed_on_401() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    let token = fixture("spotify/token_client_credentials.json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    Mock::given(path("/v1/artists/7Ln80lUS6He07XvHI8qqHH"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(Sequence::new(vec![
            json(200, "spotify/artist_arctic_monkeys.json"),
            json(401, "spotify/error_401_token_expired.json"),
            json(200, "spotify/artist_arctic_monkeys.json"),
        ]))
        .mount(&server)
        .await;
    let sp = spotify(&server);
    assert_eq!(
        sp.artist("7Ln80lUS6He07XvHI8qqHH")
            .await
            .expect("artist")
            .name,
        "Arctic Monkeys"
    );
    assert_eq!(hits(&server, "/accounts/api/token").await, 1);
    // The second call meets an expired token: one renewal, one retry, success.
    assert!(sp.artist("7Ln80lUS6He07XvHI8qqHH").await.is_ok());
    assert_eq!(hits(&server, "/accounts/api/token").await, 2);
}

#[tokio::test]
async fn spotify_bad_credentials_are_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(path("/accounts/api/token"))
        .respond_with(json(400, "spotify/token_error_invalid_client.json"))
        .mount(&server)
        .await;
    let err = spotify(&server).artist("x").await.expect_err("bad client");
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
}

#[tokio::test]
async fn spotify_honours_retry_after() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(path("/v1/artists/A"))
        .respond_with(Sequence::new(vec![
            json(429, "spotify/error_429_rate_limited.json").insert_header("retry-after", "1"),
            json(200, "spotify/artist_arctic_monkeys.json"),
        ]))
        .mount(&server)
        .await;
    let start = Instant::now();
    assert!(spotify(&server).artist("A").await.is_ok());
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn spotify_extended_mode_pages_albums_and_batches_tracks() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(path("/v1/artists/7Ln80lUS6He07XvHI8qqHH/albums"))
        .and(query_param("offset", "0"))
        .respond_with(json(
            200,
            "spotify/artist_albums_arctic_monkeys_offset0.json",
        ))
        .mount(&server)
        .await;
    // The fixture's `next` is an absolute api.spotify.com URL: it must land here.
    Mock::given(path("/v1/artists/7Ln80lUS6He07XvHI8qqHH/albums"))
        .and(query_param("offset", "5"))
        .respond_with(json(
            200,
            "spotify/artist_albums_arctic_monkeys_offset5.json",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums"))
        .respond_with(json(200, "spotify/albums_several_arctic_monkeys.json"))
        .mount(&server)
        .await;
    let mut several_tracks = fixture("spotify/tracks_several_arctic_monkeys.json");
    let n = several_tracks["tracks"].as_array().expect("tracks").len();
    several_tracks["tracks"]
        .as_array_mut()
        .expect("tracks")
        .push(serde_json::Value::Null);
    Mock::given(path("/v1/tracks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(several_tracks))
        .mount(&server)
        .await;

    let sp = spotify(&server);
    let albums = sp
        .artist_albums("7Ln80lUS6He07XvHI8qqHH")
        .await
        .expect("albums");
    let listed = fixture("spotify/artist_albums_arctic_monkeys_offset0.json")["total"]
        .as_u64()
        .expect("total");
    assert!(
        albums.len() as u64 <= listed && albums.len() >= 6,
        "{}",
        albums.len()
    );
    let ids: Vec<String> = albums.iter().map(|a| a.id.clone()).collect();
    let tracks = sp.album_tracks(&ids).await.expect("album tracks");
    assert!(tracks.iter().any(|(_, t)| !t.is_empty()));
    let full = sp.tracks(&["a".into(), "b".into()]).await.expect("tracks");
    assert_eq!(
        full.len(),
        n,
        "the null slot (unknown id) is skipped, not an error"
    );
    assert_eq!(sp.mode(), ApiMode::Extended);
    assert_eq!(hits(&server, "/v1/albums").await, ids.len().div_ceil(20));
}

#[tokio::test]
async fn spotify_development_mode_falls_back_to_per_item_requests() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(path("/v1/albums"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "error": { "status": 403, "message": "Forbidden" }
        })))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums/XDRn2AD6pNOTH5fbM57Xqo/tracks"))
        .and(query_param("limit", "10"))
        .respond_with(json(200, "spotify/album_tracks_am.json"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums/unknown/tracks"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let sp = spotify(&server);
    let got = sp
        .album_tracks(&["XDRn2AD6pNOTH5fbM57Xqo".into(), "unknown".into()])
        .await
        .expect("fallback");
    assert_eq!(sp.mode(), ApiMode::Development);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].1.len(),
        fixture("spotify/album_tracks_am.json")["items"]
            .as_array()
            .expect("items")
            .len()
    );
    // Once downgraded, batch endpoints are not tried again.
    let _ = sp.album_tracks(&["XDRn2AD6pNOTH5fbM57Xqo".into()]).await;
    assert_eq!(hits(&server, "/v1/albums").await, 1);
}

#[tokio::test]
async fn spotify_invalid_id_is_a_bad_request() {
    let server = MockServer::start().await;
    mount_token(&server).await;
    Mock::given(path("/v1/artists/bad"))
        .respond_with(json(400, "spotify/error_400_invalid_id.json"))
        .mount(&server)
        .await;
    let err = spotify(&server).artist("bad").await.expect_err("400");
    assert!(
        matches!(err, ProviderError::BadRequest { status: 400, .. }),
        "{err:?}"
    );
}

// ── setlist.fm ───────────────────────────────────────────────────────────────────────────────

fn setlistfm(server: &MockServer) -> SetlistFm {
    SetlistFm::new(&SetlistFmConfig {
        api_key: "sl-key".into(),
        base_url: format!("{}/rest/1.0", server.uri()),
        limits: fast(),
    })
    .expect("client")
}

#[tokio::test]
async fn setlistfm_sends_key_and_json_accept_and_reads_sets() {
    let server = MockServer::start().await;
    let guarded = |p: &'static str| {
        Mock::given(path(p))
            .and(header("x-api-key", "sl-key"))
            .and(header("accept", "application/json"))
    };
    guarded("/rest/1.0/search/artists")
        .and(query_param("artistName", "Arctic Monkeys"))
        .respond_with(json(200, "setlistfm/search_artists_arctic_monkeys.json"))
        .mount(&server)
        .await;
    guarded("/rest/1.0/artist/ada7a83c-e3e1-40f1-93f9-3e73dbc9298a/setlists")
        .and(query_param("p", "2"))
        .respond_with(json(
            200,
            "setlistfm/artist_setlists_arctic_monkeys_p2.json",
        ))
        .mount(&server)
        .await;
    guarded("/rest/1.0/setlist/53a8d36d")
        .respond_with(json(200, "setlistfm/setlist_arctic_monkeys_o2_2023.json"))
        .mount(&server)
        .await;
    Mock::given(path("/rest/1.0/setlist/deadbeef"))
        .respond_with(json(404, "setlistfm/error_404_not_found.json"))
        .mount(&server)
        .await;
    let sl = setlistfm(&server);
    let artists = sl.search_artists("Arctic Monkeys").await.expect("search");
    assert_eq!(artists[0].mbid, "ada7a83c-e3e1-40f1-93f9-3e73dbc9298a");
    let page = sl
        .artist_setlists("ada7a83c-e3e1-40f1-93f9-3e73dbc9298a", 2)
        .await
        .expect("page")
        .expect("known artist");
    assert_eq!(page.page, Some(2));
    assert!(!page.setlist.is_empty());
    let s = sl.setlist("53a8d36d").await.expect("setlist");
    assert!(s.date().is_some());
    assert!(
        s.sets.set.iter().any(|set| set.encore == Some(1)),
        "encore set"
    );
    assert!(
        s.sets
            .set
            .iter()
            .flat_map(|set| &set.song)
            .any(|song| song.cover.is_some()),
        "a cover"
    );
    assert!(
        s.sets
            .set
            .iter()
            .flat_map(|set| &set.song)
            .any(|song| song.tape),
        "a tape"
    );
    let err = sl.setlist("deadbeef").await.expect_err("404");
    assert!(matches!(err, ProviderError::NotFound { .. }), "{err:?}");
}
