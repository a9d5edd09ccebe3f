//! Map tiles through the device: fetched once, kept, served from the device when the tile server
//! is gone, and an honest error for a tile never seen.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::Path;
use axum::routing::get;
use theset_client::Client;
use theset_client::vault::FileVault;

/// A tile server on loopback that answers every tile with its own coordinates as the body.
async fn tile_server(hits: Arc<AtomicUsize>) -> (String, tokio::task::JoinHandle<()>) {
    let app = axum::Router::new().route(
        "/{z}/{x}/{y}",
        get(move |Path((z, x, y)): Path<(u32, u32, String)>| {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                ([("content-type", "image/png")], format!("tile {z}/{x}/{y}"))
            }
        }),
    );
    let (addr, task) = theset_testkit::loopback::serve(app).await;
    (format!("http://{addr}/{{z}}/{{x}}/{{y}}.png"), task)
}

#[tokio::test]
async fn tiles_are_kept_and_served_offline() {
    let dir = tempfile::tempdir().expect("dir");
    let vault = FileVault::new(&dir.path().join("tokens"), &dir.path().join("key"));
    let client = Client::open_with_vault(
        &dir.path().join("store.sqlite3"),
        "http://127.0.0.1:1",
        Box::new(vault),
    )
    .expect("client");
    let hits = Arc::new(AtomicUsize::new(0));
    let (template, server) = tile_server(hits.clone()).await;

    let tile = client
        .tile(&template, 12, 2046, 1361)
        .await
        .expect("first fetch");
    assert_eq!(tile.body, b"tile 12/2046/1361.png");
    assert_eq!(tile.mime, "image/png");
    let again = client.tile(&template, 12, 2046, 1361).await.expect("kept");
    assert_eq!(again.body, tile.body);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a kept tile is not fetched again"
    );

    // The tile server goes away: the kept tile still shows, an unseen one is an error.
    server.abort();
    let _ = server.await;
    let offline = client
        .tile(&template, 12, 2046, 1361)
        .await
        .expect("offline");
    assert_eq!(offline.body, tile.body);
    assert!(client.tile(&template, 12, 2047, 1361).await.is_err());

    // Coordinates outside the pyramid are refused before any request.
    assert!(client.tile(&template, 3, 8, 0).await.is_err());
    assert!(client.tile(&template, 25, 0, 0).await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
