//! Artists found at Spotify and setlist.fm without Ticketmaster's links: missing links, stale
//! ones (404), searches that find only look-alikes, the happy path, and moderators replacing a
//! link — all through the real clients against the local fakes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{enqueue_artist_job, types};
use uuid::Uuid;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::fakes::{AM_TM_ID, Fakes, fixture};
use theset_testkit::rows as support;
use theset_testkit::{Role, TestApp};

const AM_SPOTIFY: &str = "7Ln80lUS6He07XvHI8qqHH";
const AM_MBID: &str = "ada7a83c-e3e1-40f1-93f9-3e73dbc9298a";

/// Overrides one answer of the fakes (a higher priority than the defaults).
async fn answer(fakes: &Fakes, mock: wiremock::MockBuilder, status: u16, body: Value) {
    answer_at(fakes, mock, status, body, 2).await;
}

async fn answer_at(
    fakes: &Fakes,
    mock: wiremock::MockBuilder,
    status: u16,
    body: Value,
    priority: u8,
) {
    mock.respond_with(ResponseTemplate::new(status).set_body_json(body))
        .with_priority(priority)
        .mount(&fakes.server)
        .await;
}

const TM_FILES: [(&str, Option<&str>); 3] = [
    ("ticketmaster/attractions_search_arctic_monkeys.json", None),
    (
        "ticketmaster/events_attraction_arctic_monkeys_page0.json",
        Some("0"),
    ),
    (
        "ticketmaster/events_attraction_arctic_monkeys_page1.json",
        Some("1"),
    ),
];

fn tm_mock(page: Option<&str>) -> wiremock::MockBuilder {
    match page {
        None => Mock::given(path("/tm/discovery/v2/attractions.json")),
        Some(p) => Mock::given(path("/tm/discovery/v2/events.json")).and(query_param("page", p)),
    }
}

fn without_links(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("externalLinks");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

async fn run_all(db: &PgPool, fakes: &Fakes) -> Vec<String> {
    let worker = Worker::new(db.clone(), fakes.providers());
    while worker.run_one().await.expect("run").is_some() {}
    sqlx::query_scalar(
        "SELECT j.job_type || ': ' || j.status || ': ' || coalesce(j.last_error, '') || ' ' || \
           coalesce((SELECT string_agg(p.message, ' | ' ORDER BY p.id) FROM sync_progress p WHERE p.job_id = j.id), '') \
         FROM sync_jobs j ORDER BY j.created_at",
    )
    .fetch_all(db)
    .await
    .expect("jobs")
}

async fn ids(db: &PgPool, artist: Uuid) -> (Option<String>, Option<Uuid>) {
    sqlx::query_as("SELECT spotify_id, musicbrainz_id FROM artists WHERE id = $1")
        .bind(artist)
        .fetch_one(db)
        .await
        .expect("artist")
}

async fn songs(db: &PgPool, artist: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM artist_songs WHERE artist_id = $1")
        .bind(artist)
        .fetch_one(db)
        .await
        .expect("songs")
}

async fn imported_setlists(db: &PgPool, artist: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM setlists WHERE artist_id = $1 AND kind = 'actual' AND source = 'setlistfm'",
    )
    .bind(artist)
    .fetch_one(db)
    .await
    .expect("setlists")
}

async fn links_as(live: &TestApp, slug: &str, token: &str) -> Value {
    let (s, body) = live
        .get_as(&format!("/api/v1/artists/{slug}/links"), Some(token))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

fn link<'a>(links: &'a Value, service: &str) -> &'a Value {
    links["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|l| l["service"] == service)
        .unwrap_or_else(|| panic!("no {service} link in {links}"))
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn an_artist_without_links_gets_its_catalogue_and_setlists_by_name(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    // Ticketmaster's attraction, in the search and in every event, carries no links at all.
    for (rel, page) in TM_FILES {
        answer(&fakes, tm_mock(page), 200, without_links(fixture(rel))).await;
    }
    let live = TestApp::start_with_providers(db.clone(), fakes.providers(), |_| {}).await;
    let (_, _, fan) = live.quick(Role::User).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    live.get("/api/v1/search/artists?q=Arctic%20Monkeys").await;
    let (s, res) = live
        .post(
            "/api/v1/artists/import",
            Some(&fan),
            json!({ "ticketmaster_id": AM_TM_ID }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{res}");
    let artist: Uuid = res["artist"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    assert_eq!(
        ids(&db, artist).await,
        (None, None),
        "no links from Ticketmaster"
    );

    let jobs = run_all(&db, &fakes).await;
    assert!(jobs.iter().all(|j| j.contains(": succeeded:")), "{jobs:#?}");
    assert_eq!(
        ids(&db, artist).await,
        (
            Some(AM_SPOTIFY.to_owned()),
            Some(AM_MBID.parse().expect("mbid"))
        ),
        "{jobs:#?}"
    );
    assert!(songs(&db, artist).await > 0, "a catalogue");
    assert!(imported_setlists(&db, artist).await > 0, "past set-lists");
    // Lines of the imported lists match catalogue songs.
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id \
         WHERE l.artist_id = $1 AND l.source = 'setlistfm' AND ss.song_id IS NOT NULL",
    )
    .bind(artist)
    .fetch_one(&db)
    .await
    .expect("linked lines");
    assert!(linked > 0);
    // The catalogue keeps each release's cover.
    let covered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM artist_songs x JOIN songs s ON s.id = x.song_id \
         WHERE x.artist_id = $1 AND s.album_image_url LIKE 'https://%'",
    )
    .bind(artist)
    .fetch_one(&db)
    .await
    .expect("covers");
    assert!(covered > 0);

    // Moderators see how each link was made; fans do not.
    let links = links_as(&live, "arctic-monkeys", &moderator).await;
    let sp = link(&links, "spotify");
    assert_eq!(sp["origin"], "name_search");
    assert_eq!(sp["external_id"], AM_SPOTIFY);
    // An exact name; Ticketmaster's genres and Spotify's share some words.
    let confidence = sp["confidence"].as_f64().expect("confidence");
    assert!((0.85..=1.0).contains(&confidence), "{sp}");
    assert_eq!(
        sp["url"],
        format!("https://open.spotify.com/artist/{AM_SPOTIFY}")
    );
    let sl = link(&links, "setlistfm");
    assert_eq!(sl["origin"], "name_search");
    assert_eq!(sl["external_id"], AM_MBID);
    let (s, _) = live
        .get_as("/api/v1/artists/arctic-monkeys/links", Some(&fan))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A later refresh from Ticketmaster, now with a stale Spotify link, keeps what the search
    // found.
    for (rel, page) in TM_FILES {
        let text = fixture(rel)
            .to_string()
            .replace(AM_SPOTIFY, "0000000000000000000000");
        let stale: Value = serde_json::from_str(&text).expect("json");
        answer_at(&fakes, tm_mock(page), 200, stale, 1).await;
    }
    let worker = Worker::new(db.clone(), fakes.providers());
    enqueue_artist_job(&db, types::ARTIST_SHOWS, artist, 5)
        .await
        .expect("enqueue");
    while worker.run_one().await.expect("run").is_some() {}
    assert_eq!(ids(&db, artist).await.0.as_deref(), Some(AM_SPOTIFY));
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn stale_links_are_replaced_by_a_name_search(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let stale_spotify = "0000000000000000000000";
    let stale_mbid = "11111111-2222-3333-4444-555555555555";
    answer(
        &fakes,
        Mock::given(path(format!("/sp/v1/artists/{stale_spotify}"))),
        404,
        json!({ "error": { "status": 404, "message": "Resource not found" } }),
    )
    .await;
    answer(
        &fakes,
        Mock::given(path(format!("/sl/rest/1.0/artist/{stale_mbid}/setlists"))),
        404,
        fixture("setlistfm/error_404_not_found.json"),
    )
    .await;
    let artist = support::artist(&db, "Arctic Monkeys", &["rock"], None, 0.0).await;
    sqlx::query("UPDATE artists SET spotify_id = $2, musicbrainz_id = $3::uuid WHERE id = $1")
        .bind(artist)
        .bind(stale_spotify)
        .bind(stale_mbid)
        .execute(&db)
        .await
        .expect("stale links");
    for job in [types::ARTIST_CATALOGUE, types::ARTIST_SETLISTS] {
        enqueue_artist_job(&db, job, artist, 5)
            .await
            .expect("enqueue");
    }
    let jobs = run_all(&db, &fakes).await;
    assert!(jobs.iter().all(|j| j.contains(": succeeded:")), "{jobs:#?}");
    assert_eq!(
        ids(&db, artist).await,
        (
            Some(AM_SPOTIFY.to_owned()),
            Some(AM_MBID.parse().expect("mbid"))
        )
    );
    assert!(songs(&db, artist).await > 0);
    assert!(imported_setlists(&db, artist).await > 0);
    let live = TestApp::start(db.clone()).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let links = links_as(&live, "arctic-monkeys", &moderator).await;
    assert_eq!(link(&links, "spotify")["stale_id"], stale_spotify);
    assert_eq!(link(&links, "setlistfm")["stale_id"], stale_mbid);
    assert_eq!(link(&links, "setlistfm")["origin"], "name_search");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn look_alikes_only_link_nothing_and_say_why(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let mut search = fixture("spotify/search_artist_arctic_monkeys.json");
    let items = search["artists"]["items"].as_array_mut().expect("items");
    items.retain(|a| a["name"] != "Arctic Monkeys");
    answer(&fakes, Mock::given(path("/sp/v1/search")), 200, search).await;
    let mut found = fixture("setlistfm/search_artists_arctic_monkeys.json");
    found["artist"]
        .as_array_mut()
        .expect("artists")
        .retain(|a| a["name"] != "Arctic Monkeys");
    answer(
        &fakes,
        Mock::given(path("/sl/rest/1.0/search/artists")),
        200,
        found,
    )
    .await;
    let artist = support::artist(&db, "Arctic Monkeys", &["rock"], None, 0.0).await;
    for job in [types::ARTIST_CATALOGUE, types::ARTIST_SETLISTS] {
        enqueue_artist_job(&db, job, artist, 5)
            .await
            .expect("enqueue");
    }
    let jobs = run_all(&db, &fakes).await;
    assert_eq!(ids(&db, artist).await, (None, None), "nothing guessed");
    assert_eq!(songs(&db, artist).await, 0);
    // The jobs say why, in words a person watching the import reads.
    for j in &jobs {
        assert!(
            j.contains(": succeeded:") && j.contains("only tribute acts"),
            "{jobs:#?}"
        );
    }
    let live = TestApp::start(db.clone()).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let links = links_as(&live, "arctic-monkeys", &moderator).await;
    for service in ["spotify", "setlistfm"] {
        let l = link(&links, service);
        assert_eq!(l["external_id"], Value::Null, "{l}");
        assert_eq!(l["no_match"], "only_look_alikes", "{l}");
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn working_links_are_kept_without_a_search(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let artist = support::artist(&db, "Arctic Monkeys", &["rock"], None, 0.0).await;
    sqlx::query("UPDATE artists SET spotify_id = $2, musicbrainz_id = $3::uuid WHERE id = $1")
        .bind(artist)
        .bind(AM_SPOTIFY)
        .bind(AM_MBID)
        .execute(&db)
        .await
        .expect("links");
    for job in [types::ARTIST_CATALOGUE, types::ARTIST_SETLISTS] {
        enqueue_artist_job(&db, job, artist, 5)
            .await
            .expect("enqueue");
    }
    let jobs = run_all(&db, &fakes).await;
    assert!(jobs.iter().all(|j| j.contains(": succeeded:")), "{jobs:#?}");
    let searches = fakes
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().contains("search"))
        .count();
    assert_eq!(searches, 0);
    let origins: Vec<(String, String)> = sqlx::query_as(
        "SELECT service::text, origin::text FROM artist_links WHERE artist_id = $1 ORDER BY service",
    )
    .bind(artist)
    .fetch_all(&db)
    .await
    .expect("links");
    assert_eq!(
        origins,
        vec![
            ("setlistfm".to_owned(), "provider_link".to_owned()),
            ("spotify".to_owned(), "provider_link".to_owned())
        ]
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn moderators_replace_a_wrong_link_and_the_phase_runs_again(db: PgPool) {
    let live = TestApp::start(db.clone()).await;
    let (moderator_id, _, moderator) = live.quick(Role::Moderator).await;
    let artist = support::artist(&db, "Namesake", &["rock"], None, 0.0).await;
    let other = support::artist(&db, "Someone Else", &[], None, 0.0).await;
    sqlx::query("UPDATE artists SET spotify_id = 'HeldByAnotherArtist000' WHERE id = $1")
        .bind(other)
        .execute(&db)
        .await
        .expect("held");
    let put = |service: &str, id: Value| {
        let live = &live;
        let moderator = moderator.clone();
        let service = service.to_owned();
        async move {
            live.put(
                &format!("/api/v1/artists/namesake/links/{service}"),
                Some(&moderator),
                json!({ "external_id": id }),
            )
            .await
        }
    };
    let (s, body) = put("spotify", json!("4Z8W4fKeB5YxbusRsdQVPb")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let sp = link(&body, "spotify");
    assert_eq!(sp["origin"], "moderator");
    assert_eq!(sp["external_id"], "4Z8W4fKeB5YxbusRsdQVPb");
    assert!(sp["decided_by"].is_string());
    assert_eq!(
        ids(&db, artist).await.0.as_deref(),
        Some("4Z8W4fKeB5YxbusRsdQVPb")
    );
    let queued: Vec<String> = sqlx::query_scalar(
        "SELECT job_type FROM sync_jobs WHERE artist_id = $1 AND status = 'queued'",
    )
    .bind(artist)
    .fetch_all(&db)
    .await
    .expect("jobs");
    assert_eq!(queued, vec![types::ARTIST_CATALOGUE.to_owned()]);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'moderation.artist_link_set' AND actor_id = $1",
    )
    .bind(moderator_id)
    .fetch_one(&db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // "Not on setlist.fm": cleared, and the phase then says so instead of searching.
    let (s, body) = put("setlistfm", Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(link(&body, "setlistfm")["external_id"], Value::Null);

    // Refused, changing nothing: another artist's id, a malformed one, an unknown artist.
    let (s, body) = put("spotify", json!("HeldByAnotherArtist000")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) = put("setlistfm", json!("not-a-uuid")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_body");
    let (s, _) = live
        .put(
            "/api/v1/artists/nobody-here/links/spotify",
            Some(&moderator),
            json!({ "external_id": null }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        ids(&db, artist).await,
        (Some("4Z8W4fKeB5YxbusRsdQVPb".to_owned()), None)
    );
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_moderators_link_outlives_searches_and_ticketmaster(db: PgPool) {
    let fakes = Fakes::start(Duration::ZERO).await;
    let artist = support::artist(&db, "Arctic Monkeys", &["rock"], None, 0.0).await;
    let live = TestApp::start(db.clone()).await;
    let (_, _, moderator) = live.quick(Role::Moderator).await;
    let (s, _) = live
        .put(
            "/api/v1/artists/arctic-monkeys/links/setlistfm",
            Some(&moderator),
            json!({ "external_id": null }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    enqueue_artist_job(&db, types::ARTIST_SETLISTS, artist, 5)
        .await
        .expect("enqueue");
    let jobs = run_all(&db, &fakes).await;
    assert!(
        jobs.iter()
            .any(|j| j.contains("moderator noted this artist is not on setlist.fm")),
        "{jobs:#?}"
    );
    assert_eq!(
        ids(&db, artist).await.1,
        None,
        "no search overrode the moderator"
    );
}
