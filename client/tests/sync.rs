//! The client against the real backend on a loopback port, over a real test database.

use sqlx::PgPool;
use theset_client::Client;
use theset_testkit::TestApp;

async fn serve(db: PgPool) -> TestApp {
    TestApp::start(db).await
}

async fn add_artists(db: &PgPool, n: usize) {
    for i in 0..n {
        sqlx::query("INSERT INTO artists (name, slug, genres) VALUES ($1, $2, '{indie}')")
            .bind(format!("Band {i:03}"))
            .bind(format!("band-{i:03}"))
            .execute(db)
            .await
            .expect("artist");
    }
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn syncs_every_page_and_keeps_the_cache_when_the_server_is_gone(db: PgPool) {
    // More than one page (100 per page) so the cursor is followed.
    add_artists(&db, 230).await;
    let server = serve(db).await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("theset.sqlite3");
    let client = Client::open(&path, &format!("http://{addr}")).expect("client");
    assert!(client.cached_artists().expect("empty").is_empty());

    let report = client.sync_artists().await.expect("sync");
    assert_eq!(
        (report.artists, report.offline_reason.as_deref()),
        (230, None)
    );
    let cached = client.cached_artists().expect("cached");
    assert_eq!(cached.first().map(|a| a.name.as_str()), Some("Band 000"));
    assert_eq!(cached.last().map(|a| a.name.as_str()), Some("Band 229"));
    assert_eq!(cached[0].genres, ["indie"]);

    // The backend goes away: sync reports offline and the cache is untouched, also after reopening.
    server.stop().await;
    let report = client
        .sync_artists()
        .await
        .expect("offline sync is not an error");
    assert!(report.offline_reason.is_some());
    assert_eq!(report.artists, 230);
    drop(client);
    let reopened = Client::open(&path, &format!("http://{addr}")).expect("reopen");
    assert_eq!(reopened.cached_artists().expect("cached").len(), 230);
}

#[sqlx::test(migrator = "theset_backend::MIGRATOR")]
async fn a_server_refusal_is_an_error_not_offline(db: PgPool) {
    let server = serve(db).await;
    let addr = server.addr;
    let dir = tempfile::tempdir().expect("tempdir");
    // A base URL whose API prefix does not exist: the server answers 404 route_not_found.
    let client = Client::open(
        &dir.path().join("s.sqlite3"),
        &format!("http://{addr}/elsewhere/"),
    )
    .expect("client");
    match client.sync_artists().await {
        Err(theset_client::ClientError::Server {
            status: 404, code, ..
        }) => {
            assert_eq!(code, Some(theset_shared::ErrorCode::RouteNotFound));
        }
        other => panic!("expected a 404 refusal, got {other:?}"),
    }
}
