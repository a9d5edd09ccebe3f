//! Biographies from Wikipedia, linked through the Wikidata item that states the artist's
//! MusicBrainz id: found and credited; not taken when the link is missing, ambiguous, or leads
//! to a page that is not an article; skipped without an id. Through the real client against
//! local fakes.

use serde_json::{Value, json};
use sqlx::PgPool;
use theset_backend::jobs::worker::Worker;
use theset_backend::jobs::{Providers, enqueue_artist_job, types};
use theset_backend::providers::Limits;
use theset_backend::providers::config::{ProvidersConfig, WikipediaConfig};
use uuid::Uuid;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use theset_shared::api::DataOrigin;
use theset_testkit::rows as support;

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";

/// The (faked) Wikipedia service, as the live one or as the demo catalogue's replay.
fn providers_of(server: &MockServer, origin: DataOrigin) -> Providers {
    let uri = server.uri();
    Providers::from_config(&ProvidersConfig {
        wikipedia: Some(WikipediaConfig {
            wikidata_base_url: format!("{uri}/wd"),
            wikipedia_base_url: format!("{uri}/wp"),
            limits: Limits::per_second(100),
        }),
        origin,
        ..ProvidersConfig::default()
    })
    .expect("providers")
}

async fn answer(server: &MockServer, mock: wiremock::MockBuilder, body: Value) {
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

fn search(ids: &[&str]) -> Value {
    json!({ "query": { "search": ids.iter().map(|q| json!({ "ns": 0, "title": q })).collect::<Vec<_>>() } })
}

fn entity(qid: &str, mbid: &str, enwiki: Option<&str>) -> Value {
    let mut sitelinks = serde_json::Map::new();
    if let Some(t) = enwiki {
        sitelinks.insert("enwiki".into(), json!({ "site": "enwiki", "title": t }));
    }
    json!({ "entities": { qid: { "id": qid,
        "claims": { "P434": [{ "mainsnak": { "datavalue": { "value": mbid, "type": "string" } } }] },
        "sitelinks": sitelinks } } })
}

fn summary(kind: &str, title: &str, extract: &str) -> Value {
    json!({ "type": kind, "title": title, "extract": extract,
            "content_urls": { "desktop": { "page": format!("https://en.wikipedia.org/wiki/{}", title.replace(' ', "_")) } } })
}

async fn artist_with_mbid(db: &PgPool, mbid: Option<&str>) -> Uuid {
    let a = support::artist(db, "Radiohead", &[], None, 0.0).await;
    sqlx::query("UPDATE artists SET musicbrainz_id = $2::uuid WHERE id = $1")
        .bind(a)
        .bind(mbid)
        .execute(db)
        .await
        .expect("mbid");
    a
}

async fn run_bio(
    db: &PgPool,
    server: &MockServer,
    artist: Uuid,
) -> (Option<String>, Option<String>, String) {
    run_bio_as(db, server, artist, DataOrigin::Live).await
}

async fn run_bio_as(
    db: &PgPool,
    server: &MockServer,
    artist: Uuid,
    origin: DataOrigin,
) -> (Option<String>, Option<String>, String) {
    enqueue_artist_job(db, types::ARTIST_BIO, artist, 0)
        .await
        .expect("enqueue");
    let worker = Worker::new(db.clone(), providers_of(server, origin));
    while worker.run_one().await.expect("run").is_some() {}
    let (bio, url): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT bio, bio_url FROM artists WHERE id = $1")
            .bind(artist)
            .fetch_one(db)
            .await
            .expect("artist");
    let outcome: String = sqlx::query_scalar(
        "SELECT j.status || ': ' || coalesce((SELECT string_agg(p.message, ' | ' ORDER BY p.id) \
           FROM sync_progress p WHERE p.job_id = j.id), '') FROM sync_jobs j ORDER BY j.created_at DESC LIMIT 1",
    )
    .fetch_one(db)
    .await
    .expect("job");
    (bio, url, outcome)
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_biography_is_found_through_the_musicbrainz_id_and_credited(db: PgPool) {
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "query"))
            .and(query_param(
                "srsearch",
                format!("haswbstatement:P434={MBID}"),
            )),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "wbgetentities"))
            .and(query_param("ids", "Q44190")),
        entity("Q44190", MBID, Some("Radiohead")),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wp/api/rest_v1/page/summary/Radiohead")),
        summary(
            "standard",
            "Radiohead",
            "Radiohead are an English rock band.",
        ),
    )
    .await;
    let artist = artist_with_mbid(&db, Some(MBID)).await;
    let (bio, url, outcome) = run_bio(&db, &server, artist).await;
    assert_eq!(
        bio.as_deref(),
        Some("Radiohead are an English rock band."),
        "{outcome}"
    );
    assert_eq!(
        url.as_deref(),
        Some("https://en.wikipedia.org/wiki/Radiohead")
    );
    assert!(outcome.starts_with("succeeded"), "{outcome}");
    // The artist page credits it to Wikipedia, with its licence.
    let live = theset_testkit::TestApp::start(db.clone()).await;
    let page = live.ok("/api/v1/artists/radiohead").await;
    assert_eq!(page["bio_source"]["name"], "Wikipedia", "{page}");
    assert_eq!(page["bio_origin"], "live");
    assert_eq!(page["origin"], "live");
}

/// Fetched through the demo catalogue's replay, a biography is the demo's text: never credited
/// to Wikipedia, and the page says demo.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn the_demo_catalogues_biography_is_not_credited_to_wikipedia(db: PgPool) {
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "query"))
            .and(query_param(
                "srsearch",
                format!("haswbstatement:P434={MBID}"),
            )),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "wbgetentities"))
            .and(query_param("ids", "Q44190")),
        entity("Q44190", MBID, Some("Radiohead")),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wp/api/rest_v1/page/summary/Radiohead")),
        summary(
            "standard",
            "Radiohead",
            "Radiohead are an English rock band.",
        ),
    )
    .await;
    let artist = artist_with_mbid(&db, Some(MBID)).await;
    sqlx::query("UPDATE artists SET origin = 'demo' WHERE id = $1")
        .bind(artist)
        .execute(&db)
        .await
        .expect("a demo artist");
    let (bio, _, outcome) = run_bio_as(&db, &server, artist, DataOrigin::Demo).await;
    assert!(bio.is_some(), "{outcome}");
    let live = theset_testkit::TestApp::start(db.clone()).await;
    let page = live.ok("/api/v1/artists/radiohead").await;
    assert!(page["bio_source"].is_null(), "no Wikipedia credit: {page}");
    assert_eq!(page["bio_origin"], "demo");
    assert_eq!(page["origin"], "demo");
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn no_biography_is_guessed(db: PgPool) {
    // Two items claim the same artist: ambiguous, so none.
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "query")),
        search(&["Q1", "Q2"]),
    )
    .await;
    let artist = artist_with_mbid(&db, Some(MBID)).await;
    let (bio, _, outcome) = run_bio(&db, &server, artist).await;
    assert_eq!(bio, None);
    assert!(outcome.contains("no Wikipedia article"), "{outcome}");

    // The item has no English article.
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "query")),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "wbgetentities")),
        entity("Q44190", MBID, None),
    )
    .await;
    let (bio, _, _) = run_bio(&db, &server, artist).await;
    assert_eq!(bio, None);

    // The item does not state this id after all (search index lag): not this artist's.
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "query")),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "wbgetentities")),
        entity(
            "Q44190",
            "00000000-0000-0000-0000-000000000000",
            Some("Radiohead"),
        ),
    )
    .await;
    let (bio, _, _) = run_bio(&db, &server, artist).await;
    assert_eq!(bio, None);

    // The page is a disambiguation page, not an article.
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "query")),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php")).and(query_param("action", "wbgetentities")),
        entity("Q44190", MBID, Some("Radiohead (disambiguation)")),
    )
    .await;
    answer(
        &server,
        Mock::given(path(
            "/wp/api/rest_v1/page/summary/Radiohead_(disambiguation)",
        )),
        summary(
            "disambiguation",
            "Radiohead (disambiguation)",
            "Radiohead may refer to:",
        ),
    )
    .await;
    let (bio, _, outcome) = run_bio(&db, &server, artist).await;
    assert_eq!(bio, None, "{outcome}");

    // Without a MusicBrainz or Spotify id there is nothing reliable to link: skipped, and said.
    let other = support::artist(&db, "Nameless", &[], None, 0.0).await;
    let (bio, _, outcome) = run_bio(&db, &server, other).await;
    assert_eq!(bio, None);
    assert!(
        outcome.contains("No MusicBrainz or Spotify id"),
        "{outcome}"
    );
}

/// An artist without a MusicBrainz id is found by the Spotify id Wikidata states (P1902) —
/// still an id, never a name — and the job says which key found the article.
#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_spotify_id_finds_the_article_when_there_is_no_musicbrainz_id(db: PgPool) {
    const SPOTIFY: &str = "4Z8W4fKeB5YxbusRsdQVPb";
    let server = MockServer::start().await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "query"))
            .and(query_param(
                "srsearch",
                format!("haswbstatement:P1902={SPOTIFY}"),
            )),
        search(&["Q44190"]),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wd/w/api.php"))
            .and(query_param("action", "wbgetentities"))
            .and(query_param("ids", "Q44190")),
        json!({ "entities": { "Q44190": { "id": "Q44190",
            "claims": { "P1902": [{ "mainsnak": { "datavalue": { "value": SPOTIFY, "type": "string" } } }] },
            "sitelinks": { "enwiki": { "site": "enwiki", "title": "Radiohead" } } } } }),
    )
    .await;
    answer(
        &server,
        Mock::given(path("/wp/api/rest_v1/page/summary/Radiohead")),
        summary(
            "standard",
            "Radiohead",
            "Radiohead are an English rock band.",
        ),
    )
    .await;
    let artist = artist_with_mbid(&db, None).await;
    sqlx::query("UPDATE artists SET spotify_id = $2 WHERE id = $1")
        .bind(artist)
        .bind(SPOTIFY)
        .execute(&db)
        .await
        .expect("spotify id");
    let (bio, url, outcome) = run_bio(&db, &server, artist).await;
    assert_eq!(bio.as_deref(), Some("Radiohead are an English rock band."));
    assert_eq!(
        url.as_deref(),
        Some("https://en.wikipedia.org/wiki/Radiohead")
    );
    assert!(outcome.contains("found by its Spotify id"), "{outcome}");
}
