//! The offline demo's path: the real clients against the replay server over `fixtures/`, importing
//! artists by name end to end (search → phase 1 → shows, catalogue, set-lists).

use std::path::PathBuf;
use std::time::Duration;

use sqlx::PgPool;
use theset_backend::AppState;
use theset_backend::jobs::Providers;
use theset_backend::jobs::worker::Worker;
use theset_backend::providers::Limits;
use theset_backend::providers::config::{
    ProvidersConfig, SetlistFmConfig, SpotifyConfig, TicketmasterConfig, WikipediaConfig,
};
use theset_backend::replay::{Catalogue, router};

async fn replay() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let catalogue = Catalogue::load(&dir).expect("catalogue");
    let (addr, _) = theset_testkit::loopback::serve(router(catalogue)).await;
    format!("http://{addr}")
}

fn providers(base: &str) -> Providers {
    let limits = Limits {
        burst: 100,
        ..Limits::per_second(100)
    };
    Providers::from_config(&ProvidersConfig {
        ticketmaster: Some(TicketmasterConfig {
            api_key: "k".into(),
            base_url: format!("{base}/ticketmaster/discovery/v2"),
            limits: limits.clone(),
        }),
        spotify: Some(SpotifyConfig {
            client_id: "i".into(),
            client_secret: "s".into(),
            api_base_url: format!("{base}/spotify/v1"),
            accounts_base_url: format!("{base}/spotify-accounts"),
            limits: limits.clone(),
        }),
        setlistfm: Some(SetlistFmConfig {
            api_key: "k".into(),
            base_url: format!("{base}/setlistfm/rest/1.0"),
            limits: limits.clone(),
        }),
        wikipedia: Some(WikipediaConfig {
            wikidata_base_url: format!("{base}/wikidata"),
            wikipedia_base_url: format!("{base}/wikipedia"),
            limits,
        }),
        origin: Default::default(),
    })
    .expect("providers")
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn artists_import_end_to_end_from_the_replayed_services(db: PgPool) {
    let base = replay().await;
    let state = AppState::with_providers(db.clone(), providers(&base));
    theset_backend::cli::import(&state, &["Radiohead".into(), "the national".into()], false)
        .await
        .expect("phase 1");
    let worker =
        Worker::new(db.clone(), state.providers.clone()).with_lease(Duration::from_secs(30));
    while worker.run_one().await.expect("run").is_some() {}

    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.name, \
           (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id AND s.date >= current_date), \
           (SELECT count(*) FROM artist_songs x WHERE x.artist_id = a.id), \
           (SELECT count(*) FROM setlists l WHERE l.artist_id = a.id AND l.kind = 'actual') \
         FROM artists a ORDER BY a.name",
    )
    .fetch_all(&db)
    .await
    .expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (name, upcoming, songs, actual) in &rows {
        assert!(
            *upcoming > 0 && *songs > 0 && *actual > 0,
            "{name}: {upcoming} shows, {songs} songs, {actual} set-lists"
        );
    }
    let failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sync_jobs WHERE status <> 'succeeded'")
            .fetch_one(&db)
            .await
            .expect("jobs");
    assert_eq!(failed, 0);
    // Most played songs matched the imported catalogue by title.
    let (lines, matched): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(song_id) FROM setlist_songs")
            .fetch_one(&db)
            .await
            .expect("lines");
    assert!(matched * 2 >= lines, "{matched} of {lines}");

    // Biographies, through the Wikidata item that states each artist's MusicBrainz id, credited.
    let page = theset_backend::views::artist_page::detail(&db, "radiohead")
        .await
        .expect("artist page");
    assert!(
        page.bio.as_deref().is_some_and(|b| b.contains("Abingdon")),
        "{:?}",
        page.bio
    );
    let source = page.bio_source.expect("credited");
    assert_eq!(source.url, "https://en.wikipedia.org/wiki/Radiohead");
    assert_eq!(source.licence, "CC BY-SA 4.0");
}

#[tokio::test]
async fn replay_refuses_requests_without_credentials() {
    let base = replay().await;
    let client = reqwest::Client::new();
    let tm = client
        .get(format!(
            "{base}/ticketmaster/discovery/v2/attractions.json?keyword=x"
        ))
        .send()
        .await
        .expect("tm");
    assert_eq!(tm.status(), 401);
    let sp = client
        .get(format!("{base}/spotify/v1/artists/x"))
        .send()
        .await
        .expect("sp");
    assert_eq!(sp.status(), 401);
    let sl = client
        .get(format!("{base}/setlistfm/rest/1.0/setlist/x"))
        .send()
        .await
        .expect("sl");
    assert_eq!(sl.status(), 403);
}
